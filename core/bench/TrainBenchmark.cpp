#include "bench/TrainBenchmark.h"

#include "bench/ModelBenchmark.h"
#include "cost/CostModel.h"
#include "nn/TorchRuntime.h"
#include "run/TrainingRun.h"
#include "space/SpaceIO.h"
#include "store/RunStore.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <unistd.h>

namespace automoe {

namespace {

using Clock = std::chrono::steady_clock;

double updateFlops(const Architecture& arch, const Batch& b, const TokenizedSet& set, int vocab) {
    double total = 0;
    for (size_t i : b.indices) {
        CostOptions o;
        o.srcLen = int(set.source[i].size());
        o.tgtLen = int(set.target[i].size() + 1);
        o.vocabSize = vocab;
        total += CostModel::evaluate(arch, o).flops;
    }
    return 3 * total;
}

} // namespace

TrainBenchmarkResult runTrainBenchmark(const TrainBenchmarkOptions& opt,
                                       const std::function<void(const std::string&)>& progress) {
    configureTorchThreads(opt.threads);
    TrainBenchmarkResult r;
    r.threads = torchThreads();
    r.space = opt.space;
    r.corpus = opt.corpus;

    const std::filesystem::path tmp =
        std::filesystem::temp_directory_path() / ("automoe-bench-train-" + std::to_string(::getpid()));
    std::filesystem::create_directories(tmp);

    TrainingRunConfig config;
    config.space = loadSpaceByNameOrPath(opt.space);
    config.corpus = opt.corpus;
    config.vocabulary.size = opt.vocabSize;
    config.trainer.maxTokens = opt.maxTokens;
    config.trainer.seed = opt.seed;
    progress("loading corpus and vocabulary");
    auto data = TrainingRun::loadData(config, (tmp / "vocab").string());
    r.vocabSize = data->vocabulary.size();
    r.trainPairs = int64_t(data->train.size());

    progress("GEMM peak");
    const SupernetDims d = config.space.supernet();
    for (const auto& g :
         {measureGemm("1024^3", 1024, 1024, 1024, false, 0.5),
          measureGemm("FFN in  (2048 x e) W^T", 2048, d.encoderEmbedDim, d.encoderFfnDim, true, 0.5),
          measureGemm("output  (2048 x e) E^T", 2048, d.decoderEmbedDim, r.vocabSize, true, 0.5)}) {
        r.gemm.emplace_back(g.label, g.gflops);
        r.gemmPeak = std::max(r.gemmPeak, g.gflops);
    }

    torch::manual_seed(opt.seed);
    SuperTransformer model(TrainingRun::modelConfig(config, r.vocabSize));
    Trainer trainer(model, config.space, data->train, data->valid, config.trainer);
    RunStore store((tmp / "bench.sqlite").string());
    RunSpec spec;
    spec.name = "bench train";
    spec.kind = "bench";
    const int64_t runId = store.createRun(spec);

    progress("warm-up");
    for (int64_t i = 0; i < opt.warmup; ++i)
        trainer.step();

    double msOn = 0, msOff = 0, tokOn = 0, tokOff = 0, flops = 0, tokens = 0, ms = 0, appendUs = 0;
    int64_t logged = 0;
    // Replays the trainer's batch stream to know each update's rows for the FLOPs count.
    BatchStream shadow(data->train, config.trainer.maxTokens, config.trainer.seed);
    shadow.seek(trainer.position());
    for (int64_t i = 0; i < opt.updates; ++i) {
        const bool storeOn = (i / std::max<int64_t>(opt.block, 1)) % 2 == 1;
        const Batch batch = shadow.next();
        const UpdateResult u = trainer.step();
        if (storeOn) {
            const auto t0 = Clock::now();
            store.append(Event::trainingStep(runId, toStepRow(u)));
            appendUs += std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
            ++logged;
            msOn += u.wallMs;
            tokOn += double(u.tokens);
        } else {
            msOff += u.wallMs;
            tokOff += double(u.tokens);
        }
        ms += u.wallMs;
        tokens += double(u.tokens);
        flops += updateFlops(u.arch, batch, data->train, r.vocabSize);
        if ((i + 1) % 10 == 0)
            progress("update " + std::to_string(i + 1) + "/" + std::to_string(opt.updates));
    }
    store.flush();
    r.eventsCommitted = store.writer().stats().committed;
    r.updates = opt.updates;
    r.msPerUpdate = ms / double(std::max<int64_t>(opt.updates, 1));
    r.tokensPerSec = tokens / (ms / 1000.0);
    r.gflops = flops / (ms / 1000.0) / 1e9;
    r.fractionOfPeak = r.gemmPeak > 0 ? r.gflops / r.gemmPeak : 0;
    r.storeOffMsPerToken = tokOff > 0 ? 1000.0 * msOff / tokOff : 0;
    r.storeOnMsPerToken = tokOn > 0 ? 1000.0 * msOn / tokOn : 0;
    r.storeOverhead = r.storeOffMsPerToken > 0 ? r.storeOnMsPerToken / r.storeOffMsPerToken - 1.0 : 0;
    r.appendUsPerUpdate = logged > 0 ? appendUs / double(logged) : 0;
    r.appendOverhead = r.msPerUpdate > 0 ? r.appendUsPerUpdate / (1000.0 * r.msPerUpdate) : 0;
    r.peakRssKb = peakResidentKb();
    std::error_code ec;
    std::filesystem::remove_all(tmp, ec);
    return r;
}

std::string formatTrainBenchmark(const TrainBenchmarkResult& r) {
    std::string out;
    char line[256];
    std::snprintf(
        line, sizeof line,
        "automoe bench train: space %s, corpus %s (%lld training pairs), vocabulary %d, %d threads\n\n",
        r.space.c_str(), r.corpus.c_str(), (long long)r.trainPairs, r.vocabSize, r.threads);
    out += line;
    out += "GEMM (GFLOP/s, median)\n";
    for (const auto& [label, g] : r.gemm) {
        std::snprintf(line, sizeof line, "  %-40s %9.1f\n", label.c_str(), g);
        out += line;
    }
    std::snprintf(line, sizeof line, "  %-40s %9.1f\n\n", "peak", r.gemmPeak);
    out += line;
    std::snprintf(line, sizeof line,
                  "training (%lld updates, a random subnet each)\n  %.0f ms/update, %.0f tokens/s, %.1f "
                  "GFLOP/s = %.1f%% "
                  "of the GEMM peak\n\n",
                  (long long)r.updates, r.msPerUpdate, r.tokensPerSec, r.gflops, 100 * r.fractionOfPeak);
    out += line;
    std::snprintf(
        line, sizeof line,
        "event logging (alternating blocks, store on vs off)\n  step time per 1k tokens: off %.1f ms, on "
        "%.1f ms -> %+.1f%% (noise: each block trains other subnets)\n  inside append(): %.1f us per update "
        "= %.4f%% of a step (target < 3%%); %llu events committed\n\n",
        r.storeOffMsPerToken, r.storeOnMsPerToken, 100 * r.storeOverhead, r.appendUsPerUpdate,
        100 * r.appendOverhead, (unsigned long long)r.eventsCommitted);
    out += line;
    std::snprintf(line, sizeof line, "peak memory (VmHWM): %.2f GB (target < 3 GB)\n",
                  double(r.peakRssKb) / 1048576.0);
    out += line;
    return out;
}

nlohmann::json trainBenchmarkJson(const TrainBenchmarkResult& r) {
    nlohmann::json gemm = nlohmann::json::array();
    for (const auto& [label, g] : r.gemm)
        gemm.push_back({{"label", label}, {"gflops", g}});
    return {{"space", r.space},
            {"corpus", r.corpus},
            {"threads", r.threads},
            {"vocab_size", r.vocabSize},
            {"train_pairs", r.trainPairs},
            {"gemm", gemm},
            {"gemm_peak_gflops", r.gemmPeak},
            {"updates", r.updates},
            {"ms_per_update", r.msPerUpdate},
            {"tokens_per_sec", r.tokensPerSec},
            {"gflops", r.gflops},
            {"fraction_of_peak", r.fractionOfPeak},
            {"store_off_ms_per_1k_tokens", r.storeOffMsPerToken},
            {"store_on_ms_per_1k_tokens", r.storeOnMsPerToken},
            {"store_overhead", r.storeOverhead},
            {"append_us_per_update", r.appendUsPerUpdate},
            {"append_overhead", r.appendOverhead},
            {"events_committed", r.eventsCommitted},
            {"peak_rss_kb", r.peakRssKb}};
}

} // namespace automoe
