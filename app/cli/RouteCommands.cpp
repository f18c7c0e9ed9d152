#include "cli/Commands.h"

#include "cli/CliSupport.h"
#include "eval/Routing.h"
#include "nn/TorchRuntime.h"
#include "run/SearchExport.h"
#include "run/SupernetSource.h"
#include "space/ArchitectureIO.h"
#include "util/Format.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>

namespace automoe::cli {
namespace {

constexpr const char* kFlopsCounted =
    "FFN/MoE layers only: per token and layer, the router (2*d*n FLOPs when the layer has n > 1 experts) "
    "plus "
    "4*d*f for each expert assignment the token kept (d = the stack's embedding width, f = the expert's "
    "width); attention, LayerNorm, embedding and output projection are the same for every token and not "
    "counted. Source tokens are summed over the encoder's layers, decoder inputs over the decoder's.";

struct RouteArgs {
    int64_t run = 0;
    std::string db;
    std::string arch = "largest";
    std::string checkpoint;
    std::vector<std::string> sentences;
    int64_t valid = 0;
    int64_t listValid = 0;
    int threads = 0;
    bool json = false;
};

// largest, smallest, search:SEARCH_RUN:ARCH_ID_OR_KEY, or an architecture file.
Architecture pickArchitecture(RunReader& store, const SupernetSource& s, const std::string& spec) {
    if (spec == "largest") return s.config.space.largest();
    if (spec == "smallest") return s.config.space.smallest();
    if (spec.rfind("search:", 0) == 0) {
        const size_t colon = spec.find(':', 7);
        if (colon == std::string::npos)
            throw UsageError("--arch " + spec +
                             ": expected search:SEARCH_RUN:ARCH (an id or key from `front`)");
        int64_t searchRun = 0;
        try {
            searchRun = std::stoll(spec.substr(7, colon - 7));
        } catch (const std::exception&) {
            throw UsageError("--arch " + spec + ": '" + spec.substr(7, colon - 7) + "' is not a run id");
        }
        return architectureFromJson(searchArchitecture(store, searchRun, spec.substr(colon + 1)).json);
    }
    return loadArchitecture(spec, s.config.space.qkvDim);
}

// A search run routes through its supernet: the supernet run's id (the run itself for any other kind).
int64_t supernetOf(RunReader& store, int64_t run) {
    const RunInfo info = store.requireRun(run);
    if (info.spec.kind != "search") return run;
    const int64_t supernet = info.spec.config.value("supernet_run", int64_t(0));
    if (supernet <= 0)
        throw std::runtime_error("search run " + std::to_string(run) + " names no supernet run");
    return supernet;
}

std::vector<SentencePair> validPairs(const SupernetSource& s, int64_t n) {
    auto pairs = CorpusSplit::select(s.corpus, s.split.valid());
    if (n > 0 && pairs.size() > size_t(n)) pairs.resize(size_t(n));
    return pairs;
}

void listValid(const RouteArgs& a) {
    RunReader store(databasePath(a.db));
    const int64_t run = supernetOf(store, a.run);
    const nlohmann::json split = storedSplit(store, run);
    if (split.is_null()) throw std::runtime_error("run " + std::to_string(run) + " has no stored data split");
    const TrainingRunConfig config = TrainingRunConfig::ofRun(store, run);
    const Corpus corpus = loadRunCorpus(config.corpus, config.reverse);
    const CorpusSplit corpusSplit = CorpusSplit::fromJson(split, corpus);
    auto pairs = CorpusSplit::select(corpus, corpusSplit.valid());
    if (pairs.size() > size_t(a.listValid)) pairs.resize(size_t(a.listValid));
    if (a.json) {
        nlohmann::json out = nlohmann::json::array();
        for (size_t i = 0; i < pairs.size(); ++i)
            out.push_back({{"index", i}, {"source", pairs[i].source}, {"target", pairs[i].target}});
        std::cout << nlohmann::json{{"run", a.run}, {"valid", out}}.dump(1) << "\n";
        return;
    }
    for (size_t i = 0; i < pairs.size(); ++i)
        std::printf("%4zu  %s\t%s\n", i, pairs[i].source.c_str(), pairs[i].target.c_str());
}

// `text` left-aligned in `width` columns, counting UTF-8 code points (a piece's "▁" is one column).
std::string padded(const std::string& text, size_t width) {
    size_t columns = 0;
    for (unsigned char c : text)
        columns += (c & 0xC0) != 0x80;
    return text + std::string(columns < width ? width - columns : 0, ' ');
}

void printSentence(const RoutedSentence& s) {
    std::printf("\n%s\n-> %s\n", s.source.c_str(), s.translation.c_str());
    for (Stack st : {Stack::Encoder, Stack::Decoder}) {
        const auto& tokens = st == Stack::Encoder ? s.sourceTokens : s.targetTokens;
        std::printf("%s  %-14s", st == Stack::Encoder ? "encoder" : "decoder", "token");
        for (const RoutedLayer& l : s.layers)
            if (l.stack == st) std::printf("  L%d %-10s", l.layer, l.widths.size() > 1 ? "(moe)" : "(dense)");
        std::printf("  %-12s %s\n", "type", "FLOPs");
        for (size_t t = 0; t < tokens.size(); ++t) {
            std::printf("%9zu %s", t, padded(tokens[t].piece, 14).c_str());
            for (const RoutedLayer& l : s.layers) {
                if (l.stack != st) continue;
                const RoutedAssignment& a = l.tokens[t].front();
                std::printf("  e%d/%-5d %.2f%s", a.expert, a.width, double(a.gate), a.dropped ? "x" : " ");
            }
            std::printf("  %-12s %s\n", tokenTypeName(tokens[t].type), formatSI(tokens[t].flops).c_str());
        }
    }
}

void printAggregate(const RoutingAggregate& a, const char* over) {
    std::printf("\nexpert load over %zu %s sentences (assignments per expert slot / tokens)\n", a.sentences,
                over);
    for (const auto& l : a.layers) {
        std::printf("  %s L%d  widths", stackName(l.stack), l.layer);
        for (int w : l.widths)
            std::printf(" %d", w);
        std::printf("  tokens %lld  load", (long long)l.tokens);
        for (size_t e = 0; e < l.load.size(); ++e)
            std::printf(" %.3f", l.tokens ? double(l.load[e]) / double(l.tokens) : 0.0);
        std::printf("\n");
    }
    std::printf("mean FFN/MoE FLOPs per token by type\n  %-13s %10s %8s %10s %8s\n", "type", "encoder",
                "tokens", "decoder", "tokens");
    for (int t = 0; t < kTokenTypeCount; ++t) {
        const auto& e = a.encoderByType[size_t(t)];
        const auto& d = a.decoderByType[size_t(t)];
        std::printf("  %-13s %10s %8lld %10s %8lld\n", tokenTypeName(TokenType(t)),
                    formatSI(e.mean()).c_str(), (long long)e.tokens, formatSI(d.mean()).c_str(),
                    (long long)d.tokens);
    }
}

void route(const RouteArgs& a) {
    if (a.listValid > 0) {
        listValid(a);
        return;
    }
    for (const std::string& s : a.sentences)
        if (s.find_first_not_of(" \t") == std::string::npos)
            throw UsageError("--sentence: the sentence is empty");
    if (a.sentences.empty() && a.valid <= 0)
        throw UsageError("nothing to route: give --sentence TEXT and/or --valid N");
    configureTorchThreads(a.threads);
    RunReader store(databasePath(a.db));
    const int64_t supernet = supernetOf(store, a.run);
    std::string archSpec = a.arch;
    // On a search run, an architecture that is neither a keyword nor a file is one of the search's.
    std::error_code ec;
    if (supernet != a.run && archSpec != "largest" && archSpec != "smallest" &&
        archSpec.rfind("search:", 0) != 0 && !std::filesystem::exists(archSpec, ec))
        archSpec = "search:" + std::to_string(a.run) + ":" + archSpec;
    SupernetSource s = loadSupernet(store, supernet, a.checkpoint);
    const Architecture arch = pickArchitecture(store, s, archSpec);
    s.model->setArchitecture(arch); // throws naming the gene that does not fit the supernet

    RoutingOptions options;
    options.maxSourceTokens = s.config.tokenize.maxSourceTokens;
    const std::vector<RoutedSentence> input = routeSentences(s.model, s.vocabulary, a.sentences, options);
    std::vector<std::string> validSources;
    if (a.valid > 0)
        for (const SentencePair& p : validPairs(s, a.valid))
            validSources.push_back(p.source);
    const std::vector<RoutedSentence> valid = routeSentences(s.model, s.vocabulary, validSources, options);
    const bool overValid = !valid.empty();
    const RoutingAggregate aggregate = aggregateRouting(overValid ? valid : input);
    const std::vector<RoutedSentence>& shown = input.empty() ? valid : input;

    if (a.json) {
        nlohmann::json sentences = nlohmann::json::array();
        for (size_t i = 0; i < shown.size(); ++i) {
            nlohmann::json j = routedSentenceToJson(shown[i]);
            j["origin"] = input.empty() ? "valid" : "input";
            j["index"] = i;
            sentences.push_back(std::move(j));
        }
        nlohmann::json agg = routingAggregateToJson(aggregate);
        agg["over"] = overValid ? "valid" : "input";
        nlohmann::json types = nlohmann::json::array();
        for (int t = 0; t < kTokenTypeCount; ++t)
            types.push_back(tokenTypeName(TokenType(t)));
        const nlohmann::json out = {{"run", supernet},
                                    {"checkpoint_update", s.checkpoint.update},
                                    {"direction", s.corpus.info.direction()},
                                    {"arch", a.arch},
                                    {"arch_key", arch.key()},
                                    {"flops_counted", kFlopsCounted},
                                    {"token_types", types},
                                    {"sentences", sentences},
                                    {"aggregate", agg}};
        std::cout << out.dump() << "\n";
        return;
    }
    std::printf("run %lld, checkpoint at update %lld, %s subnet %s\n", (long long)supernet,
                (long long)s.checkpoint.update, a.arch.c_str(), arch.key().c_str());
    std::printf("cell: expert slot / its width, gate probability (x = dropped by the capacity limit)\n");
    std::printf("FLOPs: %s\n", kFlopsCounted);
    for (const RoutedSentence& r :
         shown.size() > 5 ? std::vector<RoutedSentence>(shown.begin(), shown.begin() + 5) : shown)
        printSentence(r);
    if (shown.size() > 5) std::printf("\n(%zu more sentences; --json prints all)\n", shown.size() - 5);
    printAggregate(aggregate, overValid ? "validation" : "input");
}

} // namespace

void addRouteCommands(CLI::App& root) {
    auto a = std::make_shared<RouteArgs>();
    CLI::App* cmd = root.add_subcommand(
        "route",
        "Per-token routing of a supernet subnet (expert, width, gate, FLOPs) and expert-load aggregates");
    cmd->add_option("--run", a->run,
                    "The supernet run id (a search run: its supernet, and --arch may be one of its "
                    "architecture ids or keys)")
        ->required();
    cmd->add_option("--db", a->db, "Run database");
    cmd->add_option("--arch", a->arch,
                    "largest, smallest, search:SEARCH_RUN:ARCH (an arch id or key of a search run), or an "
                    "architecture file (.yml / .json)")
        ->capture_default_str();
    cmd->add_option("--checkpoint", a->checkpoint, "Checkpoint file (default: the run's last)");
    cmd->add_option("--sentence", a->sentences, "A source sentence to route (repeatable)");
    cmd->add_option("--valid", a->valid,
                    "Also route the first N validation sentences; the aggregates are over them (without "
                    "--sentence, they are the sentences shown)");
    cmd->add_option("--list-valid", a->listValid,
                    "Only list the first N validation pairs (no model is loaded)");
    cmd->add_option("--threads", a->threads, "Intra-op threads (0 = one per core)");
    cmd->add_flag(
        "--json", a->json,
        "JSON: {run, arch_key, flops_counted, token_types, sentences: [{source, translation, "
        "source_tokens, target_tokens, layers: [{stack, layer, widths, expert, width, gate, dropped}]}], "
        "aggregate: {layers: [{load, dropped, tokens}], flops_by_type}}");
    cmd->callback([a] { route(*a); });
}

} // namespace automoe::cli
