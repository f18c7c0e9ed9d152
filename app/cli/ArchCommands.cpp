#include "cli/Commands.h"

#include "cli/CliSupport.h"
#include "cost/ArchitectureDiff.h"
#include "cost/CostModel.h"
#include "space/ArchitectureIO.h"
#include "space/SpaceIO.h"
#include "util/Format.h"

#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

namespace automoe::cli {
namespace {

struct CostArgs {
    std::string file;
    std::string space;
    int srcLen = 30;
    int tgtLen = 30;
    int qkvDim = 0;
    int vocab = 0;
    bool json = false;
};

void printCost(const CostArgs& a) {
    std::optional<SearchSpace> space;
    if (!a.space.empty()) space = loadSpaceByNameOrPath(a.space);
    const int qkv = a.qkvDim > 0 ? a.qkvDim : (space ? space->qkvDim : 512);
    Architecture arch = loadArchitecture(a.file, qkv);
    if (a.qkvDim > 0) arch.qkvDim = a.qkvDim;
    CostOptions o;
    o.srcLen = a.srcLen;
    o.tgtLen = a.tgtLen;
    o.vocabSize = a.vocab;
    // Every figure at the given lengths: flops_hat is HAT's count (no output layer) at --src-len / --tgt-len,
    // so --src-len 23 gives HAT's IWSLT figure under flops_hat too.
    const ArchitectureCost c = CostModel::evaluate(arch, o);
    std::string why;
    const bool inSpace = space ? space->contains(arch, &why) : true;

    if (a.json) {
        nlohmann::json j;
        j["file"] = a.file;
        j["key"] = arch.key();
        j["qkv_dim"] = arch.qkvDim;
        j["src_len"] = a.srcLen;
        j["tgt_len"] = a.tgtLen;
        j["vocab_size"] = a.vocab;
        j["params_total"] = c.paramsTotal;
        j["params_hat"] = c.paramsHat;
        j["params_active"] = c.paramsActive;
        j["params_active_expected"] = c.paramsActiveExpected;
        j["params_embedding"] = c.paramsEmbedding;
        j["flops"] = c.flops;
        j["flops_hat"] = c.flopsHat;
        j["flops_encoder"] = c.flopsEncoder;
        j["flops_decoder"] = c.flopsDecoder;
        j["flops_output"] = c.flopsOutput;
        j["flops_per_token"] = c.flopsPerToken;
        j["flops_moe"] = c.flopsMoE;
        j["moe"] = arch.isMoE();
        if (space) {
            j["space"] = space->name;
            j["in_space"] = inSpace;
            if (!inSpace) j["not_in_space_because"] = why;
        }
        j["architecture"] = architectureToJson(arch);
        std::cout << j.dump(2) << "\n";
        return;
    }
    std::printf("%s\n  %s\n", a.file.c_str(), arch.key().c_str());
    std::printf("Encoder: embed %d, %d layers   Decoder: embed %d, %d layers   qkv_dim %d%s\n",
                arch.encoder.embedDim, arch.encoder.depth(), arch.decoder.embedDim, arch.decoder.depth(),
                arch.qkvDim, arch.isMoE() ? "   (MoE)" : "");
    std::printf("Params (HAT, no embedding/output): %s (%lld)\n", formatSI(double(c.paramsHat)).c_str(),
                static_cast<long long>(c.paramsHat));
    std::printf("Params active per token:           %s (expected %s)\n",
                formatSI(double(c.paramsActive)).c_str(), formatSI(c.paramsActiveExpected).c_str());
    if (a.vocab > 0)
        std::printf("Params total (vocab %d):         %s\n", a.vocab,
                    formatSI(double(c.paramsTotal)).c_str());
    const std::string hatLabel =
        "FLOPs (HAT, src " + std::to_string(a.srcLen) + ", tgt " + std::to_string(a.tgtLen) + "):";
    std::printf("%-35s%s\n", hatLabel.c_str(), formatSI(c.flopsHat).c_str());
    std::printf("FLOPs (src %d, tgt %d%s):  %s  (%s per token)\n", a.srcLen, a.tgtLen,
                a.vocab > 0 ? ", with output layer" : "", formatSI(c.flops).c_str(),
                formatSI(c.flopsPerToken).c_str());
    if (space)
        std::printf("In space '%s': %s%s\n", space->name.c_str(), inSpace ? "yes" : "no - ",
                    inSpace ? "" : why.c_str());
}

struct DiffArgs {
    std::string fileA, fileB;
    int srcLen = 30;
    int tgtLen = 30;
    int qkvDim = 0;
    int vocab = 0;
    bool json = false;
};

std::string signedSI(double v) {
    return (v > 0 ? "+" : v < 0 ? "-" : "") + formatSI(std::abs(v));
}

void printDiff(const DiffArgs& a) {
    const int qkv = a.qkvDim > 0 ? a.qkvDim : 512;
    Architecture archA = loadArchitecture(a.fileA, qkv);
    Architecture archB = loadArchitecture(a.fileB, qkv);
    if (a.qkvDim > 0) archA.qkvDim = archB.qkvDim = a.qkvDim;
    CostOptions o;
    o.srcLen = a.srcLen;
    o.tgtLen = a.tgtLen;
    o.vocabSize = a.vocab;
    const ArchitectureDiff d = diffArchitectures(archA, archB, o);
    if (a.json) {
        nlohmann::json j = diffToJson(d);
        j["a"] = {{"file", a.fileA}, {"key", d.a.key()}};
        j["b"] = {{"file", a.fileB}, {"key", d.b.key()}};
        j["src_len"] = a.srcLen;
        j["tgt_len"] = a.tgtLen;
        std::cout << j.dump(2) << "\n";
        return;
    }
    std::printf("A: %s\n   %s\nB: %s\n   %s\n", a.fileA.c_str(), d.a.key().c_str(), a.fileB.c_str(),
                d.b.key().c_str());
    if (d.identical()) {
        std::printf("The architectures are identical.\n");
    } else {
        std::printf("%zu difference%s (A -> B):\n", d.differences.size(),
                    d.differences.size() == 1 ? "" : "s");
        for (const FieldDifference& f : d.differences)
            std::printf("  %-17s %-14s %s -> %s\n", f.place().c_str(), f.field.c_str(),
                        differenceValueText(f.a, f.field).c_str(), differenceValueText(f.b, f.field).c_str());
    }
    const std::string costsTitle =
        "Costs (src " + std::to_string(a.srcLen) + ", tgt " + std::to_string(a.tgtLen) + " tokens)";
    std::printf("%-32s %9s %11s %11s\n", costsTitle.c_str(), "A", "B", "B - A");
    for (const CostComparison& c : d.costs()) {
        const std::optional<double> rel = c.relative();
        std::printf("  %-30s %9s %11s %11s%s\n", c.label.c_str(), formatSI(c.a).c_str(),
                    formatSI(c.b).c_str(), signedSI(c.delta()).c_str(),
                    rel ? (" (" + std::string(*rel > 0 ? "+" : "") + formatFixed(*rel, 1) + " %)").c_str()
                        : "");
    }
}

} // namespace

void addArchCommands(CLI::App& root) {
    auto* arch = root.add_subcommand("arch", "Architecture files: costs and conversion");
    arch->require_subcommand(1);

    auto args = std::make_shared<CostArgs>();
    auto* cost =
        arch->add_subcommand("cost", "Params and FLOPs of an architecture (HAT/AutoMoE yml or JSON)");
    cost->add_option("FILE", args->file, "Architecture file (.yml/.yaml HAT SubTransformer, or .json)")
        ->required();
    cost->add_option("--space", args->space,
                     "Search space (file or bundled name): its qkv_dim, and membership");
    cost->add_option("--src-len", args->srcLen, "Source tokens (default 30, HAT's)")
        ->check(CLI::PositiveNumber);
    cost->add_option("--tgt-len", args->tgtLen, "Target tokens (default 30, HAT's)")
        ->check(CLI::PositiveNumber);
    cost->add_option("--qkv-dim", args->qkvDim, "Q/K/V width (default: the file's, the space's, else 512)")
        ->check(CLI::PositiveNumber);
    cost->add_option("--vocab", args->vocab, "Vocabulary size, to count the embedding and output layer")
        ->check(CLI::NonNegativeNumber);
    cost->add_flag("--json", args->json,
                   "Print JSON (params_total, params_active, params_hat, flops, flops_hat, ...)");
    cost->callback([args] { printCost(*args); });

    auto dargs = std::make_shared<DiffArgs>();
    auto* diff = arch->add_subcommand(
        "diff", "What differs between two architectures (layer by layer) and their costs, B - A");
    diff->add_option("A", dargs->fileA, "First architecture file (.yml/.yaml or .json)")->required();
    diff->add_option("B", dargs->fileB, "Second architecture file (.yml/.yaml or .json)")->required();
    diff->add_option("--src-len", dargs->srcLen, "Source tokens of the FLOPs (default 30, HAT's)")
        ->check(CLI::PositiveNumber);
    diff->add_option("--tgt-len", dargs->tgtLen, "Target tokens of the FLOPs (default 30, HAT's)")
        ->check(CLI::PositiveNumber);
    diff->add_option("--qkv-dim", dargs->qkvDim, "Q/K/V width of both (default: each file's, else 512)")
        ->check(CLI::PositiveNumber);
    diff->add_option("--vocab", dargs->vocab, "Vocabulary size, to count the embedding and output layer")
        ->check(CLI::NonNegativeNumber);
    diff->add_flag("--json", dargs->json, "Print JSON (identical, differences, layers, costs)");
    diff->callback([dargs] { printDiff(*dargs); });

    auto in = std::make_shared<std::string>(), out = std::make_shared<std::string>();
    auto qkv = std::make_shared<int>(512);
    auto* convert = arch->add_subcommand("convert", "Convert between HAT yml and JSON (by file extension)");
    convert->add_option("IN", *in, "Input architecture file")->required();
    convert->add_option("OUT", *out, "Output architecture file (.yml or .json)")->required();
    convert->add_option("--qkv-dim", *qkv, "Q/K/V width for a yml without qkv-dim")
        ->check(CLI::PositiveNumber);
    convert->callback([in, out, qkv] { saveArchitecture(loadArchitecture(*in, *qkv), *out); });
}

} // namespace automoe::cli
