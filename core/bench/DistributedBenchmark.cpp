#include "bench/DistributedBenchmark.h"

#include "dist/ProcessGroupCollective.h"
#include "nn/TorchRuntime.h"
#include "run/TrainingRun.h"
#include "space/SpaceIO.h"

#include <chrono>

namespace automoe {

namespace {

TrainingRunConfig benchConfig(const DistributedBenchmarkOptions& o) {
    TrainingRunConfig c;
    c.space = loadSpaceByNameOrPath(o.space);
    c.corpus = o.corpus;
    c.vocabulary.size = o.vocabSize;
    c.trainer.maxTokens = o.maxTokens;
    c.trainer.seed = o.seed;
    c.split.seed = o.seed;
    return c;
}

TrainingThroughput measure(const DistributedBenchmarkOptions& o, TrainingRunConfig c, int threads) {
    configureTorchThreads(threads);
    const auto data = TrainingRun::loadData(c, o.cacheDir);
    torch::manual_seed(c.trainer.seed);
    SuperTransformer model(TrainingRun::modelConfig(c, data->vocabulary.size()));
    TrainerOptions options = c.trainer;
    options.ids = SpecialIds{};
    Trainer trainer(model, c.space, data->train, data->valid, options);
    for (int64_t i = 0; i < o.warmup; ++i)
        trainer.step();
    const double allreduceBefore = options.dataParallel ? options.dataParallel->times().allreduceMs : 0;
    TrainingThroughput t;
    t.threads = torchThreads();
    t.processes = options.dataParallel ? options.dataParallel->worldSize() : 1;
    int64_t tokens = 0;
    const auto start = std::chrono::steady_clock::now();
    for (int64_t i = 0; i < o.updates; ++i)
        tokens += trainer.step().tokens;
    t.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    t.updates = o.updates;
    t.tokensPerSec = double(tokens) / t.seconds;
    t.msPerUpdate = t.seconds * 1000.0 / double(o.updates);
    if (options.dataParallel) {
        t.allreduceMs = (options.dataParallel->times().allreduceMs - allreduceBefore) / double(o.updates);
        t.allreduceShare = t.allreduceMs / t.msPerUpdate;
    }
    return t;
}

} // namespace

TrainingThroughput measureOneProcess(const DistributedBenchmarkOptions& options, int threads) {
    return measure(options, benchConfig(options), threads);
}

TrainingThroughput measureRank(const DistributedBenchmarkOptions& options) {
    TrainingRunConfig c = benchConfig(options);
    const LaunchEnv env = LaunchEnv::fromEnvironment();
    auto collective = ProcessGroupCollective::join(env, c.toJson(), std::chrono::minutes(5));
    c.trainer.dataParallel = std::make_shared<DataParallel>(collective);
    return measure(options, std::move(c), 1);
}

nlohmann::json toJson(const TrainingThroughput& t) {
    return {{"processes", t.processes},
            {"threads", t.threads},
            {"updates", t.updates},
            {"seconds", t.seconds},
            {"tokens_per_sec", t.tokensPerSec},
            {"ms_per_update", t.msPerUpdate},
            {"allreduce_ms", t.allreduceMs},
            {"allreduce_share", t.allreduceShare}};
}

TrainingThroughput throughputFromJson(const nlohmann::json& j) {
    TrainingThroughput t;
    t.processes = j.at("processes");
    t.threads = j.at("threads");
    t.updates = j.at("updates");
    t.seconds = j.at("seconds");
    t.tokensPerSec = j.at("tokens_per_sec");
    t.msPerUpdate = j.at("ms_per_update");
    t.allreduceMs = j.at("allreduce_ms");
    t.allreduceShare = j.at("allreduce_share");
    return t;
}

} // namespace automoe
