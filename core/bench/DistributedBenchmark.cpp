#include "bench/DistributedBenchmark.h"

#include "dist/ProcessGroupCollective.h"
#include "nn/TorchRuntime.h"
#include "run/RunStages.h"
#include "run/SearchRun.h"
#include "run/TrainingRun.h"
#include "space/SpaceIO.h"
#include "store/RunFiles.h"
#include "store/RunStore.h"

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

SearchRunConfig searchConfig(const DistributedBenchmarkOptions& o, int64_t supernetRun) {
    SearchRunConfig c;
    c.name = "bench distributed";
    c.supernetRun = supernetRun;
    c.evolution.population = o.population;
    c.evolution.parents = std::max(1, o.population / 4);
    c.evolution.mutations = o.population / 2;
    c.evolution.crossovers = o.population / 2;
    c.evolution.iterations = o.iterations;
    c.evolution.seed = o.seed;
    c.evolution.frontCost = defaultFrontCost({});
    c.fitnessSentences = o.fitnessSentences;
    return c;
}

// The figures of search run `runId`: its search stage's seconds and evaluated candidates, as stored.
SearchThroughput searchFigures(RunStore& store, int64_t runId, int ranks) {
    SearchThroughput t;
    t.ranks = ranks;
    t.threads = torchThreads();
    t.searchRun = runId;
    for (const Event& e : store.events(runId)) {
        if (e.type != stage::kEventType || e.payload.value("stage", "") != stage::kSearch ||
            e.payload.value("state", "") != stage::kFinished)
            continue;
        t.seconds = e.payload.value("seconds", 0.0);
        t.candidates = e.payload.value("evaluated", int64_t(0));
    }
    t.candidatesPerSec = t.seconds > 0 ? double(t.candidates) / t.seconds : 0;
    return t;
}

SearchThroughput executeSearch(RunStore& store, const SearchRunConfig& c,
                               std::shared_ptr<Collective> collective) {
    SearchRun run(store, c);
    const int ranks = collective ? collective->worldSize() : 1;
    if (collective) run.setCollective(std::move(collective));
    if (run.execute() != RunStatus::Finished)
        throw std::runtime_error("bench search run " + std::to_string(run.id()) + ": " + run.error());
    return searchFigures(store, run.id(), ranks);
}

} // namespace

int64_t trainBenchSupernet(const DistributedBenchmarkOptions& options, const std::string& db, int threads) {
    configureTorchThreads(threads);
    RunStore store(db);
    TrainingRunConfig c = benchConfig(options);
    c.name = "bench distributed supernet";
    c.maxUpdates = options.supernetUpdates;
    c.validateEvery = 0;
    c.checkpointEvery = options.supernetUpdates;
    c.testSentences = 0;
    TrainingRun run(store, std::move(c));
    if (run.execute() != RunStatus::Finished)
        throw std::runtime_error("bench supernet run " + std::to_string(run.id()) + ": " + run.error());
    return run.id();
}

SearchThroughput measureSearchOneProcess(const DistributedBenchmarkOptions& options, const std::string& db,
                                         int64_t supernetRun) {
    configureTorchThreads(1);
    RunStore store(db);
    return executeSearch(store, searchConfig(options, supernetRun), nullptr);
}

SearchThroughput measureSearchRank(const DistributedBenchmarkOptions& options, const std::string& db,
                                   int64_t supernetRun) {
    configureTorchThreads(1);
    const LaunchEnv env = LaunchEnv::fromEnvironment();
    SearchRunConfig c = searchConfig(options, supernetRun);
    auto collective = ProcessGroupCollective::join(env, c.toJson(), std::chrono::minutes(5));
    if (env.rank != 0) {
        RunReader reader(db);
        // Rank 0 resolves the checkpoint when it creates the run; the last one is the only one here.
        SearchThroughput t;
        t.ranks = env.worldSize;
        t.candidates = followSearch(reader, c, *collective);
        return t;
    }
    RunStore store(db);
    return executeSearch(store, c, collective);
}

nlohmann::json toJson(const SearchThroughput& t) {
    return {{"ranks", t.ranks},
            {"threads", t.threads},
            {"candidates", t.candidates},
            {"seconds", t.seconds},
            {"candidates_per_sec", t.candidatesPerSec},
            {"search_run", t.searchRun}};
}

SearchThroughput searchThroughputFromJson(const nlohmann::json& j) {
    SearchThroughput t;
    t.ranks = j.at("ranks");
    t.threads = j.at("threads");
    t.candidates = j.at("candidates");
    t.seconds = j.at("seconds");
    t.candidatesPerSec = j.at("candidates_per_sec");
    t.searchRun = j.at("search_run");
    return t;
}

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
