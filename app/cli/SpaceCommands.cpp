#include "cli/Commands.h"

#include "cost/CostModel.h"
#include "space/ArchitectureIO.h"
#include "space/SpaceIO.h"
#include "util/Format.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

namespace automoe::cli {
namespace {

std::string dimText(const Dimension& d) {
    if (d.isRange) return std::to_string(d.min()) + "-" + std::to_string(d.max());
    std::string s;
    for (int v : d.choices)
        s += (s.empty() ? "" : " ") + std::to_string(v);
    return s;
}

void showSpace(const std::string& file, bool asJson) {
    const SearchSpace space = loadSpaceByNameOrPath(file);
    const Architecture lo = space.smallest(), hi = space.largest();
    const ArchitectureCost clo = CostModel::evaluate(lo), chi = CostModel::evaluate(hi);
    const SupernetDims sn = space.supernet();
    if (asJson) {
        nlohmann::json j;
        j["name"] = space.name;
        j["log10_size"] = space.log10Size();
        j["flops_min"] = clo.flopsHat;
        j["flops_max"] = chi.flopsHat;
        j["params_min"] = clo.paramsHat;
        j["params_max"] = chi.paramsHat;
        j["params_active_min"] = clo.paramsActive;
        j["params_active_max"] = chi.paramsActive;
        j["cheapest"] = architectureToJson(lo);
        j["most_expensive"] = architectureToJson(hi);
        j["supernet"] = {{"embed_dim", sn.embedDim},
                         {"encoder_layers", sn.encoderLayers},
                         {"decoder_layers", sn.decoderLayers},
                         {"encoder_ffn_dim", sn.encoderFfnDim},
                         {"decoder_ffn_dim", sn.decoderFfnDim},
                         {"encoder_experts", sn.encoderExperts},
                         {"decoder_experts", sn.decoderExperts},
                         {"qkv_dim", sn.qkvDim}};
        j["space"] = spaceToJson(space);
        std::cout << j.dump(2) << "\n";
        return;
    }
    std::printf("Search space '%s'%s%s\n", space.name.c_str(), space.description.empty() ? "" : ": ",
                space.description.c_str());
    std::printf("qkv_dim %d\n\n", space.qkvDim);
    std::printf("%-20s %-22s %-22s\n", "dimension", "encoder", "decoder");
    auto row = [](const char* name, const std::string& e, const std::string& d) {
        std::printf("%-20s %-22s %-22s\n", name, e.c_str(), d.c_str());
    };
    row("embed_dim", dimText(space.encoder.embedDim), dimText(space.decoder.embedDim));
    row("layers", dimText(space.encoder.layers), dimText(space.decoder.layers));
    row("heads", dimText(space.encoder.selfHeads), dimText(space.decoder.selfHeads));
    row("ende_heads", "-", dimText(space.decoder.endeHeads));
    row("arbitrary_ende", "-", dimText(space.decoder.arbitraryEnde));
    row("experts per layer", dimText(space.encoder.experts), dimText(space.decoder.experts));
    row("expert widths", dimText(space.encoder.ffnDim), dimText(space.decoder.ffnDim));
    row("top_k", dimText(space.encoder.topK), dimText(space.decoder.topK));
    row("fractional experts", space.encoder.fractionalExperts ? "yes" : "no",
        space.decoder.fractionalExperts ? "yes" : "no");
    std::printf("\nSize: 10^%.2f distinct architectures\n", space.log10Size());
    std::printf("Cheapest:        %s FLOPs, %s params (HAT convention, src/tgt 30)\n  %s\n",
                formatSI(clo.flopsHat).c_str(), formatSI(static_cast<double>(clo.paramsHat)).c_str(),
                lo.key().c_str());
    std::printf("Most expensive:  %s FLOPs, %s params (%s active per token)\n  %s\n",
                formatSI(chi.flopsHat).c_str(), formatSI(static_cast<double>(chi.paramsHat)).c_str(),
                formatSI(static_cast<double>(chi.paramsActive)).c_str(), hi.key().c_str());
    std::printf("Supernet: embed %d, encoder %d x FFN %d x %d experts, decoder %d x FFN %d x %d experts\n",
                sn.embedDim, sn.encoderLayers, sn.encoderFfnDim, sn.encoderExperts, sn.decoderLayers,
                sn.decoderFfnDim, sn.decoderExperts);
}

void sampleSpace(const std::string& file, int count, std::uint64_t seed, const std::string& format) {
    const SearchSpace space = loadSpaceByNameOrPath(file);
    std::mt19937_64 rng(seed);
    nlohmann::json list = nlohmann::json::array();
    for (int i = 0; i < count; ++i) {
        const Architecture a = space.sample(rng);
        if (format == "json") {
            list.push_back(architectureToJson(a));
        } else if (format == "yml") {
            std::cout << "---\n" << toHatYaml(a);
        } else {
            std::cout << a.key() << "\n";
        }
    }
    if (format == "json") std::cout << list.dump(2) << "\n";
}

} // namespace

void addSpaceCommands(CLI::App& root) {
    auto* space = root.add_subcommand("space", "Inspect search spaces");
    space->require_subcommand(1);

    auto* show =
        space->add_subcommand("show", "Dimensions, size and the cheapest / most expensive architecture");
    auto file = std::make_shared<std::string>();
    auto json = std::make_shared<bool>(false);
    show->add_option("FILE", *file,
                     "Space JSON file, or a bundled space name (tiny, automoe-ref-small, automoe-wmt)")
        ->required();
    show->add_flag("--json", *json,
                   "Print JSON (keys log10_size, flops_min, flops_max, params_min, params_max, ...)");
    show->callback([file, json] { showSpace(*file, *json); });

    auto* sample = space->add_subcommand("sample", "Draw architectures uniformly from a space");
    auto sfile = std::make_shared<std::string>();
    auto count = std::make_shared<int>(5);
    auto seed = std::make_shared<std::uint64_t>(1);
    auto format = std::make_shared<std::string>("key");
    sample->add_option("FILE", *sfile, "Space JSON file or bundled space name")->required();
    sample->add_option("-n,--count", *count, "How many architectures")->check(CLI::PositiveNumber);
    sample->add_option("--seed", *seed, "Random seed");
    sample->add_option("--format", *format, "key, json or yml")->check(CLI::IsMember({"key", "json", "yml"}));
    sample->callback([sfile, count, seed, format] { sampleSpace(*sfile, *count, *seed, *format); });
}

} // namespace automoe::cli
