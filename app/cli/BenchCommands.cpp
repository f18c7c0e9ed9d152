#include "cli/Commands.h"

#include "bench/DartsBenchmark.h"
#include "bench/DecodeBenchmark.h"
#include "bench/ModelBenchmark.h"
#include "bench/SearchBenchmark.h"
#include "bench/TrainBenchmark.h"
#include "nn/TorchRuntime.h"
#include "util/Resources.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>

namespace automoe::cli {

namespace {

struct DartsBenchArgs {
    automoe::DartsBenchOptions options;
    int threads = 0;
    bool json = false;
    std::string child; // "reversible" / "ordinary": this process measures options.depths[0] x hiddens[0]
};

std::string shellQuote(const std::string& s) {
    std::string out = "'";
    for (char c : s)
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

void runDartsBench(const DartsBenchArgs& a) {
    if (!a.child.empty()) {
        if (a.child != "reversible" && a.child != "ordinary")
            throw std::runtime_error("--child: expected reversible or ordinary, got " + a.child);
        automoe::configureTorchThreads(a.threads);
        const auto p = automoe::measureDartsStep(a.options, a.options.depths.at(0), a.options.hiddens.at(0),
                                                 a.child == "reversible");
        std::cout << automoe::dartsBenchPointJson(p).dump() << std::endl;
        return;
    }
    std::error_code ec;
    const std::string self = std::filesystem::read_symlink("/proc/self/exe", ec).string();
    if (ec) throw std::runtime_error("bench darts: cannot find this program (/proc/self/exe)");
    std::vector<automoe::DartsBenchPoint> points;
    for (int64_t hidden : a.options.hiddens)
        for (int64_t depth : a.options.depths)
            for (const char* mode : {"reversible", "ordinary"}) {
                if (!a.json)
                    std::fprintf(stderr, "... hidden %lld depth %lld %s\n", (long long)hidden,
                                 (long long)depth, mode);
                const std::string command =
                    shellQuote(self) + " bench darts --child " + mode + " --depth " + std::to_string(depth) +
                    " --hidden " + std::to_string(hidden) + " --splits " + std::to_string(a.options.splits) +
                    " --heads " + std::to_string(a.options.heads) + " --steps " +
                    std::to_string(a.options.steps) + " --sentences " + std::to_string(a.options.sentences) +
                    " --length " + std::to_string(a.options.length) + " --threads " +
                    std::to_string(a.threads);
                FILE* pipe = ::popen(command.c_str(), "r");
                if (!pipe) throw std::runtime_error("bench darts: cannot start " + command);
                std::string output;
                char buffer[4096];
                while (size_t n = std::fread(buffer, 1, sizeof buffer, pipe))
                    output.append(buffer, n);
                const int status = ::pclose(pipe);
                const auto start = output.rfind('{');
                if (status != 0 || start == std::string::npos)
                    throw std::runtime_error("bench darts: the child for hidden " + std::to_string(hidden) +
                                             " depth " + std::to_string(depth) + " " + mode +
                                             " failed (status " + std::to_string(status) + ")");
                points.push_back(
                    automoe::dartsBenchPointFromJson(nlohmann::json::parse(output.substr(start))));
            }
    if (a.json)
        std::cout << automoe::dartsBenchJson(a.options, points).dump(2) << "\n";
    else
        std::cout << automoe::formatDartsBench(a.options, points);
}

} // namespace

void addBenchCommands(CLI::App& root) {
    auto* bench = root.add_subcommand("bench", "Benchmarks that print figures (never pass/fail)");
    bench->require_subcommand(1);
    addDistributedBench(bench);

    auto opt = std::make_shared<automoe::ModelBenchmarkOptions>();
    auto asJson = std::make_shared<bool>(false);
    auto* model = bench->add_subcommand(
        "model",
        "Forward+backward throughput of the supernet vs a dense torch::nn::Transformer, and GEMM peak");
    model->add_option("--space", opt->spacePath, "Search space JSON (default: the bundled tiny space)");
    model->add_option("--batch-tokens", opt->batchTokens, "Padded tokens per side of the batch")
        ->capture_default_str()
        ->check(CLI::Range(int64_t(31), int64_t(1) << 24));
    model->add_option("--seconds", opt->seconds, "Measuring time per model, after warm-up")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    model->add_option("--threads", opt->threads, "Intra-op threads (0 = one per core)")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber);
    model->add_option("--seed", opt->seed, "Seed of the batch, the weights and the random architecture")
        ->capture_default_str();
    model->add_option("--vocab", opt->vocabSize, "Vocabulary size (output layer width)")
        ->capture_default_str()
        ->check(CLI::Range(int64_t(16), int64_t(1) << 22));
    model
        ->add_option(
            "--supernet", opt->supernet,
            "Also time a Mixture-of-Supernets supernet (mos-layer or mos-neuron) against the shared one, "
            "and print its parameters and memory")
        ->capture_default_str()
        ->check(CLI::IsMember({"shared", "mos-layer", "mos-neuron"}));
    model->add_option("--mos-experts", opt->mosSets, "Weight sets per covered layer of the MoS supernet (m)")
        ->capture_default_str()
        ->check(CLI::Range(1, 16));
    model->add_flag("--mos-attention", opt->mosAttention,
                    "The MoS supernet also mixes the attention projections");
    model->add_flag("--json", *asJson, "Print the figures as JSON");
    model->callback([opt, asJson] {
        automoe::ModelBenchmarkOptions o = *opt;
        if (o.spacePath.empty()) o.spacePath = automoe::resourcePath("spaces/tiny.json");
        const bool json = *asJson;
        auto result = automoe::runModelBenchmark(o, [json](const std::string& s) {
            if (!json) std::fprintf(stderr, "... %s\n", s.c_str());
        });
        if (json)
            std::cout << automoe::modelBenchmarkJson(result).dump(2) << "\n";
        else
            std::cout << automoe::formatModelBenchmark(result);
    });

    auto topt = std::make_shared<automoe::TrainBenchmarkOptions>();
    auto trainJson = std::make_shared<bool>(false);
    auto* train = bench->add_subcommand(
        "train", "Supernet training tokens/s and GFLOP/s vs GEMM peak, event-logging cost, peak memory");
    train->add_option("--space", topt->space, "Search space: bundled name or JSON file")
        ->capture_default_str();
    train->add_option("--corpus", topt->corpus, "Corpus (ding, sample, a .tsv, a prefix)")
        ->capture_default_str();
    train->add_option("--updates", topt->updates, "Measured updates")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    train->add_option("--max-tokens", topt->maxTokens, "Tokens per batch")->capture_default_str();
    train->add_option("--vocab-size", topt->vocabSize, "SentencePiece vocabulary size")
        ->capture_default_str();
    train->add_option("--threads", topt->threads, "Intra-op threads (0 = one per core)")
        ->capture_default_str();
    train->add_option("--seed", topt->seed, "Seed")->capture_default_str();
    train
        ->add_option("--peak-every", topt->peakEvery,
                     "Time the GEMM peak again every N updates (the share of the peak is against the median "
                     "of these samples; 0 = at the start only)")
        ->capture_default_str();
    train->add_flag("--profile", topt->profile,
                    "Instead of a random-subnet run: where an update's time goes (forward and backward per "
                    "region) for the largest, smallest and a random architecture");
    train->add_option("--profile-updates", topt->profileUpdates, "Profiled updates per architecture")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    train->add_flag("--json", *trainJson, "Print the figures as JSON");
    train->callback([topt, trainJson] {
        const bool json = *trainJson;
        auto result = automoe::runTrainBenchmark(*topt, [json](const std::string& s) {
            if (!json) std::fprintf(stderr, "... %s\n", s.c_str());
        });
        if (json)
            std::cout << automoe::trainBenchmarkJson(result).dump(2) << "\n";
        else
            std::cout << automoe::formatTrainBenchmark(result);
    });

    auto sopt = std::make_shared<automoe::SearchBenchmarkOptions>();
    auto searchJson = std::make_shared<bool>(false);
    auto* search = bench->add_subcommand(
        "search",
        "Search throughput: candidates/s, time per generation, fitness tokens/s vs the training forward");
    search->add_option("--run", sopt->run,
                       "Supernet run id (default: a fresh supernet of --space on --corpus)");
    search->add_option("--db", sopt->db, "Run database of --run");
    search->add_option("--space", sopt->space, "Search space without --run: bundled name or JSON file")
        ->capture_default_str();
    search->add_option("--corpus", sopt->corpus, "Corpus without --run (ding, sample, a .tsv, a prefix)")
        ->capture_default_str();
    search->add_option("--vocab-size", sopt->vocabSize, "SentencePiece vocabulary size without --run")
        ->capture_default_str();
    search->add_option("--budget", sopt->budgets, "Budget, e.g. \"flops<=150M\" (repeatable)");
    search->add_option("--population", sopt->population, "P")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    search->add_option("--parents", sopt->parents, "K")->capture_default_str()->check(CLI::PositiveNumber);
    search->add_option("--mutation", sopt->mutations, "M")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber);
    search->add_option("--crossover", sopt->crossovers, "C")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber);
    search->add_option("--iterations", sopt->iterations, "I: generations, generation 0 included")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    search
        ->add_option("--fitness-sentences", sopt->fitnessSentences,
                     "Validation pairs of the fitness (0 = all)")
        ->capture_default_str();
    search->add_option("--max-tokens", sopt->maxTokens, "Tokens per fitness batch (0 = the supernet's)")
        ->capture_default_str();
    search->add_option("--threads", sopt->threads, "Intra-op threads (0 = one per core)")
        ->capture_default_str();
    search->add_option("--seed", sopt->seed, "Seed of the search (and of a fresh supernet)")
        ->capture_default_str();
    search->add_flag("--json", *searchJson, "Print the figures as JSON");
    search->callback([sopt, searchJson] {
        const bool json = *searchJson;
        auto result = automoe::runSearchBenchmark(*sopt, [json](const std::string& s) {
            if (!json) std::fprintf(stderr, "... %s\n", s.c_str());
        });
        if (json)
            std::cout << automoe::searchBenchmarkJson(result).dump(2) << "\n";
        else
            std::cout << automoe::formatSearchBenchmark(result);
    });

    auto dopt = std::make_shared<automoe::DecodeBenchmarkOptions>();
    auto decodeJson = std::make_shared<bool>(false);
    auto* dec = bench->add_subcommand(
        "decode", "Incremental (cached keys and values) vs full-prefix decoding: sentences/s, ms per token");
    dec->add_option("--space", dopt->space, "Search space: bundled name or JSON file")->capture_default_str();
    dec->add_option("--arch", dopt->archFiles,
                    "Architecture file (yml / JSON) to measure instead of the space's largest and smallest "
                    "(repeatable)")
        ->check(CLI::ExistingFile);
    dec->add_option("--tgt-len", dopt->targetLengths, "Decoder steps T (repeatable)")
        ->capture_default_str()
        ->check(CLI::Range(1, 1000));
    dec->add_option("--src-len", dopt->srcLen, "Source tokens")
        ->capture_default_str()
        ->check(CLI::Range(1, 1000));
    dec->add_option("--beam", dopt->beam, "Beam rows per step")
        ->capture_default_str()
        ->check(CLI::Range(1, 64));
    dec->add_option("--repeats", dopt->repeats, "Timed runs per way")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    dec->add_option("--warmup", dopt->warmup, "Untimed runs per way first")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber);
    dec->add_option("--threads", dopt->threads, "Intra-op threads (0 = one per core)")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber);
    dec->add_option("--vocab", dopt->vocabSize, "Vocabulary size (output layer width)")
        ->capture_default_str()
        ->check(CLI::Range(int64_t(16), int64_t(1) << 22));
    dec->add_option("--seed", dopt->seed, "Seed of the weights and the source")->capture_default_str();
    dec->add_flag("--json", *decodeJson, "Print the figures as JSON");
    dec->callback([dopt, decodeJson] {
        const bool json = *decodeJson;
        auto result = automoe::runDecodeBenchmark(*dopt, [json](const std::string& s) {
            if (!json) std::fprintf(stderr, "... %s\n", s.c_str());
        });
        if (json)
            std::cout << automoe::decodeBenchmarkJson(result).dump(2) << "\n";
        else
            std::cout << automoe::formatDecodeBenchmark(result);
    });

    auto dartsOpt = std::make_shared<DartsBenchArgs>();
    auto* darts = bench->add_subcommand(
        "darts",
        "DARTS search step, reversible vs ordinary back-propagation: seconds and peak memory by depth "
        "(each configuration in a child process)");
    darts->add_option("--depth", dartsOpt->options.depths, "Encoder and decoder layers (repeatable)")
        ->capture_default_str()
        ->check(CLI::Range(1, 64));
    darts->add_option("--hidden", dartsOpt->options.hiddens, "Encoder widths (repeatable)")
        ->capture_default_str()
        ->check(CLI::Range(8, 4096));
    darts->add_option("--splits", dartsOpt->options.splits, "Parts of an encoder layer")
        ->capture_default_str();
    darts->add_option("--heads", dartsOpt->options.heads, "Attention heads of a part")->capture_default_str();
    darts->add_option("--steps", dartsOpt->options.steps, "Timed steps after the first")
        ->capture_default_str()
        ->check(CLI::Range(1, 1000));
    darts->add_option("--sentences", dartsOpt->options.sentences, "Sentences per batch")
        ->capture_default_str();
    darts->add_option("--length", dartsOpt->options.length, "Tokens per sentence, each side")
        ->capture_default_str();
    darts->add_option("--threads", dartsOpt->threads, "Intra-op threads (0 = one per core)")
        ->capture_default_str();
    darts->add_flag("--json", dartsOpt->json, "Print the figures as JSON");
    darts
        ->add_option("--child", dartsOpt->child,
                     "(internal) measure one configuration: reversible or ordinary")
        ->group("");
    darts->callback([dartsOpt] { runDartsBench(*dartsOpt); });
}

} // namespace automoe::cli
