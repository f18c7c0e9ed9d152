#include "bench/TrainBenchmark.h"

#include "bench/ModelBenchmark.h"
#include "bench/StepProfiler.h"
#include "cost/CostModel.h"
#include "nn/ProfileScope.h"
#include "nn/TorchRuntime.h"
#include "run/TrainingRun.h"
#include "space/SpaceIO.h"
#include "store/RunStore.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
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

// Profiles `arch` trained alone (fixed sampling) from a fresh supernet of the bench's seed: two warm-up
// updates, then profiled and unprofiled updates alternating, so both see the same mix of batches.
ArchitectureProfile profileArchitecture(const std::string& label, const Architecture& arch,
                                        const TrainingRunConfig& config, const RunData& data, int vocab,
                                        double gemmPeak, int64_t updates) {
    ArchitectureProfile p;
    p.label = label;
    p.archKey = arch.key();
    p.updates = updates;
    TrainerOptions options = config.trainer;
    options.sampling = SubnetSampling::Fixed;
    options.fixedArchitecture = arch;
    torch::manual_seed(options.seed);
    SuperTransformer model(TrainingRun::modelConfig(config, vocab));
    Trainer trainer(model, config.space, data.train, data.valid, options);
    for (int i = 0; i < 2; ++i)
        trainer.step();
    BatchStream shadow(data.train, options.maxTokens, options.seed);
    shadow.seek(trainer.position());
    double ms = 0, profiledMs = 0, tokens = 0, targetTokens = 0, flops = 0;
    std::map<std::string, ArchitectureProfile::Op> ops;
    for (int64_t i = 0; i < 2 * updates; ++i) {
        const Batch batch = shadow.next();
        if (i % 2 == 0) {
            const UpdateResult u = trainer.step();
            ms += u.wallMs;
            tokens += double(u.tokens);
            targetTokens += double(u.targetTokens);
            flops += updateFlops(u.arch, batch, data.train, vocab);
            continue;
        }
        const auto t0 = Clock::now();
        {
            StepProfiler profiler;
            {
                ProfileScope scope("automoe::other"); // time between ops
                trainer.step();
            }
            for (const auto& [region, t] : profiler.regions()) {
                p.regions[region].forwardMs += t.forwardMs / double(updates);
                p.regions[region].backwardMs += t.backwardMs / double(updates);
            }
            for (const auto& [name, t] : profiler.ops()) {
                auto& op = ops[name];
                op.name = name;
                op.ms += t.ms / double(updates);
                op.calls += double(t.calls) / double(updates);
            }
        }
        profiledMs += std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    }
    for (const auto& [name, op] : ops)
        p.topOps.push_back(op);
    std::sort(p.topOps.begin(), p.topOps.end(), [](const auto& a, const auto& b) { return a.ms > b.ms; });
    if (p.topOps.size() > 12) p.topOps.resize(12);
    p.msPerUpdate = ms / double(updates);
    p.profiledMsPerUpdate = profiledMs / double(updates);
    p.tokensPerSec = tokens / (ms / 1000.0);
    p.targetTokensPerSec = targetTokens / (ms / 1000.0);
    p.gflops = flops / (ms / 1000.0) / 1e9;
    p.fractionOfPeak = gemmPeak > 0 ? p.gflops / gemmPeak : 0;
    return p;
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
    GemmMeasurement best;
    bool bestTransposed = false;
    for (const auto& [g, transposed] :
         {std::pair{measureGemm("1024^3", 1024, 1024, 1024, false, 0.5), false},
          {measureGemm("FFN in  (2048 x e) W^T", 2048, d.encoderEmbedDim, d.encoderFfnDim, true, 0.5), true},
          {measureGemm("output  (2048 x e) E^T", 2048, d.decoderEmbedDim, r.vocabSize, true, 0.5), true}}) {
        r.gemm.emplace_back(g.label, g.gflops);
        if (g.gflops > best.gflops) {
            best = g;
            bestTransposed = transposed;
        }
    }
    r.gemmPeak = r.gemmPeakAtStart = best.gflops;
    r.peakSamples.push_back(best.gflops);
    auto samplePeak = [&] {
        r.peakSamples.push_back(measureGemm(best.label, best.m, best.k, best.n, bestTransposed, 0.2).gflops);
    };

    if (opt.profile) {
        std::mt19937_64 rng(opt.seed);
        const Architecture random = config.space.sampleGenes(rng);
        for (const auto& [label, arch] :
             {std::pair<std::string, Architecture>{"largest", config.space.largest()},
              {"smallest", config.space.smallest()},
              {"random", random}}) {
            progress("profiling the " + label + " architecture");
            r.profiles.push_back(profileArchitecture(label, arch, config, *data, r.vocabSize, r.gemmPeak,
                                                     std::max<int64_t>(opt.profileUpdates, 1)));
        }
        r.peakRssKb = peakResidentKb();
        std::error_code ec;
        std::filesystem::remove_all(tmp, ec);
        return r;
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

    double msOn = 0, msOff = 0, tokOn = 0, tokOff = 0, flops = 0, tokens = 0, targetTokens = 0, ms = 0,
           appendUs = 0;
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
        targetTokens += double(u.targetTokens);
        flops += updateFlops(u.arch, batch, data->train, r.vocabSize);
        if ((i + 1) % 10 == 0)
            progress("update " + std::to_string(i + 1) + "/" + std::to_string(opt.updates));
        if (opt.peakEvery > 0 && (i + 1) % opt.peakEvery == 0) samplePeak();
    }
    {
        std::vector<double> sorted = r.peakSamples;
        std::sort(sorted.begin(), sorted.end());
        const size_t n = sorted.size();
        r.gemmPeak = n % 2 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
    }
    store.flush();
    r.eventsCommitted = store.writer().stats().committed;
    r.updates = opt.updates;
    r.msPerUpdate = ms / double(std::max<int64_t>(opt.updates, 1));
    r.tokensPerSec = tokens / (ms / 1000.0);
    r.targetTokensPerSec = targetTokens / (ms / 1000.0);
    r.gflops = flops / (ms / 1000.0) / 1e9;
    r.fractionOfPeak = r.gemmPeak > 0 ? r.gflops / r.gemmPeak : 0;
    r.fractionOfPeakAtStart = r.gemmPeakAtStart > 0 ? r.gflops / r.gemmPeakAtStart : 0;
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

namespace {

// Regions in the order of a step, then any the profiler found that are not listed here.
const std::vector<std::string> kRegionOrder = {"data",
                                               "sampled weights",
                                               "embedding",
                                               "attention projections",
                                               "attention scores",
                                               "attention softmax",
                                               "attention values",
                                               "MoE routing",
                                               "MoE dispatch",
                                               "expert FFNs",
                                               "residual, dropout, norm",
                                               "output projection",
                                               "loss",
                                               "optimizer",
                                               "other"};

std::string formatProfiles(const std::vector<ArchitectureProfile>& profiles) {
    std::string out;
    char line[512];
    std::snprintf(line, sizeof line,
                  "where an update's time goes (%lld profiled updates per architecture, alternating with as "
                  "many unprofiled ones;\nshare of a profiled update, forward / backward)\n",
                  (long long)profiles.front().updates);
    out += line;
    std::snprintf(line, sizeof line, "  %-26s", "");
    out += line;
    for (const auto& p : profiles) {
        std::snprintf(line, sizeof line, " %17s", p.label.c_str());
        out += line;
    }
    out += "\n";
    std::vector<std::string> order = kRegionOrder;
    for (const auto& p : profiles)
        for (const auto& [name, t] : p.regions)
            if (std::find(order.begin(), order.end(), name) == order.end())
                order.insert(order.end() - 1, name);
    std::vector<double> fwd(profiles.size()), bwd(profiles.size());
    for (const std::string& name : order) {
        std::snprintf(line, sizeof line, "  %-26s", name.c_str());
        out += line;
        for (size_t i = 0; i < profiles.size(); ++i) {
            const auto& p = profiles[i];
            const auto it = p.regions.find(name);
            const double f = it == p.regions.end() ? 0 : it->second.forwardMs;
            const double b = it == p.regions.end() ? 0 : it->second.backwardMs;
            fwd[i] += f;
            bwd[i] += b;
            std::snprintf(line, sizeof line, "   %5.1f%% / %5.1f%%", 100 * f / p.profiledMsPerUpdate,
                          100 * b / p.profiledMsPerUpdate);
            out += line;
        }
        out += "\n";
    }
    auto row = [&](const char* label, auto value) {
        std::snprintf(line, sizeof line, "  %-26s", label);
        out += line;
        for (size_t i = 0; i < profiles.size(); ++i) {
            std::snprintf(line, sizeof line, " %17s", value(i).c_str());
            out += line;
        }
        out += "\n";
    };
    auto fmt = [](const char* f, double v) {
        char b[64];
        std::snprintf(b, sizeof b, f, v);
        return std::string(b);
    };
    row("sum (forward / backward)", [&](size_t i) {
        char b[64];
        std::snprintf(b, sizeof b, "%5.1f%% / %5.1f%%", 100 * fwd[i] / profiles[i].profiledMsPerUpdate,
                      100 * bwd[i] / profiles[i].profiledMsPerUpdate);
        return std::string(b);
    });
    row("ms/update, profiled", [&](size_t i) { return fmt("%.0f", profiles[i].profiledMsPerUpdate); });
    row("ms/update", [&](size_t i) { return fmt("%.0f", profiles[i].msPerUpdate); });
    row("target tokens/s", [&](size_t i) { return fmt("%.0f", profiles[i].targetTokensPerSec); });
    row("GFLOP/s", [&](size_t i) { return fmt("%.1f", profiles[i].gflops); });
    row("share of the GEMM peak", [&](size_t i) { return fmt("%.1f%%", 100 * profiles[i].fractionOfPeak); });
    out += "\n";
    for (const auto& p : profiles) {
        std::snprintf(line, sizeof line, "  %-8s %s\n", p.label.c_str(), p.archKey.c_str());
        out += line;
    }
    out += "\nheaviest ops and autograd nodes (exclusive ms per profiled update, calls)\n";
    for (const auto& p : profiles) {
        std::snprintf(line, sizeof line, "  %s\n", p.label.c_str());
        out += line;
        for (const auto& op : p.topOps) {
            std::snprintf(line, sizeof line, "    %-44s %8.1f ms %6.0f  (%4.1f%%)\n", op.name.c_str(), op.ms,
                          op.calls, 100 * op.ms / p.profiledMsPerUpdate);
            out += line;
        }
    }
    out += "\n";
    return out;
}

} // namespace

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
    std::snprintf(line, sizeof line, "  %-40s %9.1f\n", "peak (best shape)", r.gemmPeakAtStart);
    out += line;
    if (r.peakSamples.size() > 1) {
        const auto [lo, hi] = std::minmax_element(r.peakSamples.begin(), r.peakSamples.end());
        std::snprintf(line, sizeof line, "  %-40s %9.1f  (%zu samples, %.1f-%.1f)\n",
                      "peak through the run (median)", r.gemmPeak, r.peakSamples.size(), *lo, *hi);
        out += line;
    }
    out += "\n";
    if (!r.profiles.empty()) {
        out += formatProfiles(r.profiles);
        std::snprintf(line, sizeof line, "peak memory (VmHWM): %.2f GB\n", double(r.peakRssKb) / 1048576.0);
        return out + line;
    }
    std::snprintf(
        line, sizeof line,
        "training (%lld updates, a random subnet each)\n  %.0f ms/update, %.0f tokens/s (%.0f target "
        "tokens/s), %.1f GFLOP/s = %.1f%% of the GEMM peak through the run (%.1f%% of the peak at the "
        "start)\n\n",
        (long long)r.updates, r.msPerUpdate, r.tokensPerSec, r.targetTokensPerSec, r.gflops,
        100 * r.fractionOfPeak, 100 * r.fractionOfPeakAtStart);
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
    nlohmann::json profiles = nlohmann::json::array();
    for (const auto& p : r.profiles) {
        nlohmann::json regions = nlohmann::json::object();
        for (const auto& [name, t] : p.regions)
            regions[name] = {{"forward_ms", t.forwardMs}, {"backward_ms", t.backwardMs}};
        profiles.push_back({{"label", p.label},
                            {"architecture", p.archKey},
                            {"updates", p.updates},
                            {"ms_per_update", p.msPerUpdate},
                            {"profiled_ms_per_update", p.profiledMsPerUpdate},
                            {"tokens_per_sec", p.tokensPerSec},
                            {"target_tokens_per_sec", p.targetTokensPerSec},
                            {"gflops", p.gflops},
                            {"fraction_of_peak", p.fractionOfPeak},
                            {"regions_ms_per_update", regions},
                            {"top_ops", [&] {
                                 nlohmann::json ops = nlohmann::json::array();
                                 for (const auto& op : p.topOps)
                                     ops.push_back({{"name", op.name},
                                                    {"ms_per_update", op.ms},
                                                    {"calls_per_update", op.calls}});
                                 return ops;
                             }()}});
    }
    nlohmann::json j = {{"space", r.space},
                        {"corpus", r.corpus},
                        {"threads", r.threads},
                        {"vocab_size", r.vocabSize},
                        {"train_pairs", r.trainPairs},
                        {"gemm", gemm},
                        {"gemm_peak_gflops", r.gemmPeak},
                        {"peak_rss_kb", r.peakRssKb}};
    if (!r.profiles.empty()) {
        j["profiles"] = profiles;
        return j;
    }
    j.update(nlohmann::json{{"gemm_peak_at_start_gflops", r.gemmPeakAtStart},
                            {"gemm_peak_samples", r.peakSamples},
                            {"updates", r.updates},
                            {"ms_per_update", r.msPerUpdate},
                            {"tokens_per_sec", r.tokensPerSec},
                            {"target_tokens_per_sec", r.targetTokensPerSec},
                            {"gflops", r.gflops},
                            {"fraction_of_peak", r.fractionOfPeak},
                            {"fraction_of_peak_at_start", r.fractionOfPeakAtStart},
                            {"store_off_ms_per_1k_tokens", r.storeOffMsPerToken},
                            {"store_on_ms_per_1k_tokens", r.storeOnMsPerToken},
                            {"store_overhead", r.storeOverhead},
                            {"append_us_per_update", r.appendUsPerUpdate},
                            {"append_overhead", r.appendOverhead},
                            {"events_committed", r.eventsCommitted}});
    return j;
}

} // namespace automoe
