#include "run/LatencyDatasetRun.h"

#include "cost/LatencyFeatures.h"
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
        if (int(archs.size()) < count && keys.insert(a.key()).second)
            archs.push_back(std::move(a));
    };
    add(space.smallest());
    add(space.largest());
    std::mt19937_64 rng(seed);
    for (int attempts = 0; int(archs.size()) < count && attempts < 100 * count; ++attempts)
        add(space.sample(rng));
    return archs;
}

LatencyDatasetRun::LatencyDatasetRun(RunStore& store, LatencyDatasetConfig config)
    : RunBase(store), config_(std::move(config)) {
    if (config_.samples < 2)
        throw std::invalid_argument("samples: need at least 2 to fit a predictor, got " +
                                    std::to_string(config_.samples));
    LatencyMeter check(config_.latency); // throws naming the bad setting
    config_.checkpoint = supernetCheckpoint(store_, config_.supernetRun, config_.checkpoint).path;
    config_.predictor.seed = config_.seed;
    if (config_.name.empty())
        config_.name = "latency run " + std::to_string(config_.supernetRun) + " x" + std::to_string(config_.samples);
    const auto supernet = store_.getRun(config_.supernetRun);
    RunSpec spec;
    spec.name = config_.name;
    spec.kind = "latency";
    spec.config = config_.toJson();
    spec.space = supernet->spec.space;
    spec.corpus = supernet->spec.corpus;
    spec.seed = config_.seed;
    runId_ = store_.createRun(spec);
}

LatencyDatasetRun::~LatencyDatasetRun() { stopWorker(); }

void LatencyDatasetRun::run() {
    stage("latency_dataset", "started");
    SupernetSource source = loadSupernet(store_, config_.supernetRun, config_.checkpoint);
    const SupernetDims dims = source.model->config().dims;
    const LatencyFeatures features(dims);
    const LatencyMeter meter(config_.latency);
    const auto archs = latencyDatasetArchitectures(source.config.space, config_.samples, config_.seed);

    std::vector<LatencySample> samples;
    for (size_t i = 0; i < archs.size(); ++i) {
        if (!control_.checkpoint()) {
            stage("latency_dataset", "finished", {{"cancelled", true}, {"samples", samples.size()}});
            setStatus(RunStatus::Cancelled);
            return;
        }
        const LatencyMeasurement m = meter.measure(*source.model, archs[i]);
        samples.push_back({archs[i], m.total.median});
        publish(Event::make(runId_, "latency_sample",
                            {{"index", i},
                             {"count", archs.size()},
                             {"arch_key", archs[i].key()},
                             {"arch", architectureToJson(archs[i])},
                             {"encoder_ms", m.encoder.median},
                             {"decoder_ms", m.decoder.median},
                             {"total_ms", m.total.median},
                             {"total", statsJson(m.total)},
                             {"src_len", m.srcLen},
                             {"tgt_len", m.tgtLen},
                             {"beam", m.beam},
                             {"repeats", m.repeats},
                             {"threads", m.threads},
                             {"features", features.of(archs[i])}}));
    }
    stage("latency_dataset", "finished", {{"samples", samples.size()}});

    stage("latency_predictor", "started");
    LatencyPredictor predictor(dims, config_.hidden);
    report_ = predictor.train(samples, config_.predictor);
    const std::filesystem::path dir =
        std::filesystem::path(runFilesDir(store_)) / ("run-" + std::to_string(runId_));
    std::filesystem::create_directories(dir);
    predictorPath_ = (dir / "latency-predictor.pt").string();
    predictor.save(predictorPath_);
    publish(Event::make(runId_, "latency_predictor",
                        {{"path", predictorPath_},
                         {"supernet_run", config_.supernetRun},
                         {"samples", samples.size()},
                         {"features", features.size()},
                         {"train", metricsJson(report_.train)},
                         {"validation", metricsJson(report_.validation)},
                         {"final_loss", report_.finalLoss}}));
    stage("latency_predictor", "finished");
    setStatus(RunStatus::Finished);
}

} // namespace automoe
