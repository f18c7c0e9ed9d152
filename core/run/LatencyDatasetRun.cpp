#include "run/LatencyDatasetRun.h"

#include "cost/LatencyFeatures.h"
#include "nn/TorchRuntime.h"
#include "run/RunStages.h"
#include "run/SupernetSource.h"
#include "space/ArchitectureIO.h"

#include <cmath>
#include <filesystem>
#include <random>
#include <set>
#include <spdlog/spdlog.h>

namespace automoe {

namespace {

nlohmann::json statsJson(const LatencyStats& s) {
    return {{"median", s.median}, {"min", s.min}, {"max", s.max}, {"q1", s.q1}, {"q3", s.q3}};
}

nlohmann::json metricsJson(const LatencyMetrics& m) {
    return {{"count", m.count},
            {"rmse_ms", m.rmse},
            {"mape", m.mape},
            {"kendall_tau", std::isfinite(m.kendallTau) ? nlohmann::json(m.kendallTau) : nlohmann::json()}};
}

} // namespace

nlohmann::json LatencyDatasetConfig::toJson() const {
    return {{"name", name},
            {"kind", "latency"},
            {"supernet_run", supernetRun},
            {"checkpoint", checkpoint},
            {"samples", samples},
            {"seed", seed},
            {"latency",
             {{"src_len", latency.srcLen},
              {"tgt_len", latency.tgtLen},
              {"beam", latency.beam},
              {"warmup", latency.warmup},
              {"repeats", latency.repeats},
              {"threads", latency.threads}}},
            {"interleave", interleave},
            {"normalize", normalize},
            {"predictor",
             {{"epochs", predictor.epochs},
              {"lr", predictor.lr},
              {"batch_size", predictor.batchSize},
              {"validation_fraction", predictor.validationFraction},
              {"hidden", hidden}}}};
}

std::vector<Architecture> latencyDatasetArchitectures(const SearchSpace& space, int count, uint64_t seed) {
    std::vector<Architecture> archs;
    std::set<std::string> keys;
    auto add = [&](Architecture a) {
        if (int(archs.size()) < count && keys.insert(a.key()).second) archs.push_back(std::move(a));
    };
    add(space.smallest());
    add(space.largest());
    std::mt19937_64 rng(seed);
    for (int attempts = 0; int(archs.size()) < count && attempts < 100 * count; ++attempts)
        add(space.sample(rng));
    return archs;
}

LatencyDatasetRun::LatencyDatasetRun(RunStore& store, LatencyDatasetConfig config)
    : RunBase(store)
    , config_(std::move(config)) {
    if (config_.samples < 2)
        throw std::invalid_argument("samples: need at least 2 to fit a predictor, got " +
                                    std::to_string(config_.samples));
    LatencyMeter check(config_.latency); // throws naming the bad setting
    config_.checkpoint = supernetCheckpoint(store_, config_.supernetRun, config_.checkpoint).path;
    config_.predictor.seed = config_.seed;
    if (config_.name.empty())
        config_.name =
            "latency run " + std::to_string(config_.supernetRun) + " x" + std::to_string(config_.samples);
    const RunInfo supernet = store_.requireRun(config_.supernetRun, "supernet");
    create({config_.name, "latency", config_.toJson(), {}, {}, config_.seed}, &supernet);
}

LatencyDatasetRun::~LatencyDatasetRun() {
    stopWorker();
}

void LatencyDatasetRun::run() {
    stage(stage::kLatencyDataset, stage::kStarted, {{stage::kSamples, config_.samples}});
    SupernetSource source = loadSupernet(store_, config_.supernetRun, config_.checkpoint);
    const SupernetDims dims = source.model->config().dims;
    const LatencyFeatures features(dims);
    const LatencyMeter meter(config_.latency);
    const auto archs = latencyDatasetArchitectures(source.config.space, config_.samples, config_.seed);

    // Architectures are timed in chunks of `interleave`, round by round, each round preceded by the
    // reference when normalising (see LatencyDatasetConfig).
    const LatencyOptions& lo = config_.latency;
    const size_t chunk = size_t(std::max(1, config_.interleave));
    const Architecture referenceArch = source.config.space.smallest();
    const bool normalizing = config_.normalize;
    StandaloneTransformer reference{nullptr};
    if (normalizing) reference = StandaloneTransformer::fromSupernet(*source.model, referenceArch);
    TorchThreadScope threads(lo.threads); // held for the whole dataset (timeOnce's own scope is then a no-op)
    std::vector<double> referenceAll;
    std::vector<LatencySample> raw;
    std::vector<double> ratios;
    auto cancelled = [&] {
        if (proceed()) return false;
        stage(stage::kLatencyDataset, stage::kFinished, {{"cancelled", true}, {"samples", raw.size()}});
        setStatus(RunStatus::Cancelled);
        return true;
    };
    for (size_t first = 0; first < archs.size(); first += chunk) {
        if (cancelled()) return;
        const size_t n = std::min(chunk, archs.size() - first);
        std::vector<StandaloneTransformer> models;
        for (size_t j = 0; j < n; ++j)
            models.push_back(StandaloneTransformer::fromSupernet(*source.model, archs[first + j]));
        std::vector<std::vector<double>> enc(n), dec(n), total(n), ratio(n);
        std::vector<double> referenceChunk;
        for (int w = 0; w < lo.warmup; ++w) {
            if (normalizing) meter.timeOnce(*reference);
            for (auto& m : models)
                meter.timeOnce(*m);
        }
        for (int r = 0; r < lo.repeats; ++r) {
            if (r > 0 && cancelled()) return;
            double ref = 0;
            if (normalizing) {
                const auto [e, d] = meter.timeOnce(*reference);
                ref = e + d;
                referenceChunk.push_back(ref);
                referenceAll.push_back(ref);
            }
            for (size_t k = 0; k < n; ++k) {
                const size_t j = (k + size_t(r)) % n;
                const auto [e, d] = meter.timeOnce(*models[j]);
                enc[j].push_back(e);
                dec[j].push_back(d);
                total[j].push_back(e + d);
                if (ref > 0) ratio[j].push_back((e + d) / ref);
            }
        }
        for (size_t j = 0; j < n; ++j) {
            const size_t i = first + j;
            const LatencyStats t = LatencyStats::of(total[j]);
            const double rho = ratio[j].empty() ? 0.0 : LatencyStats::of(ratio[j]).median;
            raw.push_back({archs[i], t.median});
            ratios.push_back(rho);
            nlohmann::json payload = {{"index", i},
                                      {"count", archs.size()},
                                      {"arch_key", archs[i].key()},
                                      {"arch", architectureToJson(archs[i])},
                                      {"encoder_ms", LatencyStats::of(enc[j]).median},
                                      {"decoder_ms", LatencyStats::of(dec[j]).median},
                                      {"total_ms", t.median},
                                      {"total", statsJson(t)},
                                      {"src_len", lo.srcLen},
                                      {"tgt_len", lo.tgtLen},
                                      {"beam", lo.beam},
                                      {"repeats", lo.repeats},
                                      {"threads", torchThreads()},
                                      {"meter", kLatencyMeterVersion},
                                      {"features", features.of(archs[i])}};
            if (normalizing) {
                payload["ratio_to_reference"] = rho;
                payload["reference_ms"] = LatencyStats::of(referenceChunk).median;
            }
            publish(Event::make(runId_, "latency_sample", std::move(payload)));
        }
    }
    // The predictor's targets: reference-normalised when asked, else the raw medians.
    const double referenceMs = referenceAll.empty() ? 0.0 : LatencyStats::of(referenceAll).median;
    std::vector<LatencySample> samples = raw;
    if (normalizing)
        for (size_t i = 0; i < samples.size(); ++i)
            samples[i].ms = ratios[i] * referenceMs;
    stage(stage::kLatencyDataset, stage::kFinished, {{"samples", samples.size()}});

    stage(stage::kLatencyPredictor, stage::kStarted);
    if (normalizing) { // the same fit on the raw medians, for comparison
        LatencyPredictor rawPredictor(dims, config_.hidden);
        rawReport_ = rawPredictor.train(raw, config_.predictor);
    }
    LatencyPredictor predictor(dims, config_.hidden);
    report_ = predictor.train(samples, config_.predictor);
    if (!normalizing) rawReport_ = report_;
    const std::filesystem::path dir =
        std::filesystem::path(runFilesDir(store_)) / ("run-" + std::to_string(runId_));
    std::filesystem::create_directories(dir);
    predictorPath_ = (dir / "latency-predictor.pt").string();
    predictor.save(predictorPath_);
    publish(Event::make(runId_, "latency_predictor",
                        {{"path", predictorPath_},
                         {"supernet_run", config_.supernetRun},
                         {"meter", kLatencyMeterVersion},
                         {"samples", samples.size()},
                         {"features", features.size()},
                         {"train", metricsJson(report_.train)},
                         {"validation", metricsJson(report_.validation)},
                         {"target", normalizing ? "normalized" : "median"},
                         {"reference_arch_key", normalizing ? referenceArch.key() : std::string()},
                         {"reference_ms", referenceMs},
                         {"raw_train", metricsJson(rawReport_.train)},
                         {"raw_validation", metricsJson(rawReport_.validation)},
                         {"final_loss", report_.finalLoss}}));
    stage(stage::kLatencyPredictor, stage::kFinished);
    setStatus(RunStatus::Finished);
}

} // namespace automoe
