#include "dist/DistributedTraining.h"

#include "run/RunStages.h"

#include <spdlog/spdlog.h>

namespace automoe {

namespace {

// How long a follower waits for rank 0's data (its vocabulary may be trained first).
constexpr std::chrono::minutes kDataTimeout{30};

// What must agree between the ranks' data: the training and validation sets and the vocabulary size.
nlohmann::json dataFingerprint(const nlohmann::json& payload) {
    return {{"train", payload.value("train", nlohmann::json())},
            {"valid", payload.value("valid", nlohmann::json())},
            {"vocabulary_size", payload.contains("vocabulary") ? payload["vocabulary"].value("size", 0) : 0}};
}

} // namespace

DataParallelLeader::DataParallelLeader(std::shared_ptr<ProcessGroupCollective> collective,
                                       std::shared_ptr<DataParallel> dataParallel)
    : collective_(std::move(collective))
    , dataParallel_(std::move(dataParallel)) {}

DataParallelLeader::~DataParallelLeader() {
    try {
        if (dataParallel_->attached()) dataParallel_->stop();
    } catch (const std::exception& e) {
        spdlog::warn("rank 0 could not stop the other ranks: {}", e.what());
    }
}

void DataParallelLeader::onEvent(const Event& e) {
    if (e.type == "data") {
        nlohmann::json published = dataFingerprint(e.payload);
        published["split"] = e.payload.value("split", nlohmann::json());
        collective_->publish("data", published.dump());
    } else if (e.type == "resumed") {
        collective_->publish("resumed", e.payload.dump());
    } else if (e.type == stage::kEventType && e.payload.value("state", "") == stage::kFinished &&
               (e.payload.value("stage", "") == stage::kSupernet ||
                e.payload.value("stage", "") == stage::kRetrain)) {
        dataParallel_->stop();
    }
}

FollowerResult followTraining(const TrainingRunConfig& config, ProcessGroupCollective& collective,
                              const std::string& vocabCacheDir, bool resuming) {
    if (!config.trainer.dataParallel) throw std::logic_error("followTraining: no data parallelism");
    nlohmann::json rank0 = nlohmann::json::parse(collective.awaitValue("data", kDataTimeout));
    const nlohmann::json split = rank0["split"];
    rank0.erase("split");
    const auto data = TrainingRun::loadData(config, vocabCacheDir, split.is_null() ? nullptr : &split);
    const nlohmann::json mine = dataFingerprint(dataEventPayload(*data));
    if (mine != rank0) {
        std::string m = "rank " + std::to_string(collective.rank()) + ": its data differs from rank 0's:";
        const auto diffs = configDifferences(mine, rank0);
        for (size_t i = 0; i < diffs.size(); ++i)
            m += (i ? "; " : " ") + diffs[i];
        throw std::runtime_error(m);
    }
    // As TrainingRun::run builds them (rank 0's weights replace these when the trainer starts).
    torch::manual_seed(config.trainer.seed);
    FollowerResult result;
    result.model = SuperTransformer(TrainingRun::modelConfig(config, data->vocabulary.size()));
    TrainerOptions options = config.trainer;
    options.ids = SpecialIds{};
    if (config.maxUpdates > 0 && options.lr.kind == LrScheduleOptions::Kind::Cosine)
        options.lr.totalUpdates = config.maxUpdates;
    Trainer trainer(result.model, config.space, data->train, data->valid, options);
    if (resuming) {
        const nlohmann::json resumed = nlohmann::json::parse(collective.awaitValue("resumed", kDataTimeout));
        const std::string checkpoint = resumed.value("checkpoint", "");
        if (!checkpoint.empty()) trainer.loadCheckpoint(checkpoint);
        if (trainer.update() != resumed.value("from_update", int64_t(0)))
            throw std::runtime_error("rank " + std::to_string(collective.rank()) + ": checkpoint " +
                                     checkpoint + " is at update " + std::to_string(trainer.update()) +
                                     ", rank 0 resumed at " +
                                     std::to_string(resumed.value("from_update", int64_t(0))));
    }
    try {
        while (true)
            trainer.step();
    } catch (const PeersStopped&) {
    } catch (const std::exception& e) {
        throw std::runtime_error("rank " + std::to_string(collective.rank()) + " lost the group in update " +
                                 std::to_string(trainer.update() + 1) + " (did rank 0 fail?): " + e.what());
    }
    result.updates = trainer.update();
    return result;
}

} // namespace automoe
