#include "run/SupernetSource.h"

#include "train/Trainer.h"

#include <filesystem>
#include <spdlog/spdlog.h>

namespace automoe {

namespace fs = std::filesystem;

namespace {

std::string runName(int64_t runId) {
    return "run " + std::to_string(runId);
}

TrainingRunConfig supernetConfig(RunReader& store, int64_t runId) {
    store.requireRun(runId, "supernet");
    return TrainingRunConfig::ofRun(store, runId);
}

} // namespace

nlohmann::json SupernetSource::provenance() const {
    return {{"supernet_run", runId},
            {"checkpoint", checkpoint.path},
            {"checkpoint_update", checkpoint.update},
            {"corpus", config.corpus},
            {"direction", corpus.info.direction()},
            {"space", config.space.name}};
}

CheckpointRow supernetCheckpoint(RunReader& store, int64_t runId, const std::string& checkpointPath) {
    supernetConfig(store, runId);
    std::optional<CheckpointRow> row;
    if (checkpointPath.empty()) {
        // The newest whole one: a damaged (truncated, failing its checksum) newer file is passed over
        // with a warning naming both.
        const std::vector<CheckpointRow> rows = store.checkpoints(runId);
        if (rows.empty())
            throw std::runtime_error("supernet " + runName(runId) + " has no checkpoint yet: train it first");
        std::vector<std::string> damaged;
        for (auto it = rows.rbegin(); it != rows.rend() && !row; ++it) {
            try {
                verifyCheckpointFile(it->path);
                row = *it;
            } catch (const CheckpointDamaged& e) {
                damaged.push_back(e.what());
            }
        }
        if (!row)
            row = rows.back(); // fails below, or when loaded, with its own message
        else
            for (const std::string& d : damaged)
                spdlog::warn("{}: {}; using checkpoint {} (update {}) instead", runName(runId), d, row->path,
                             row->update);
    } else {
        for (const CheckpointRow& c : store.checkpoints(runId))
            if (c.path == checkpointPath) row = c;
        if (!row) row = CheckpointRow{0, checkpointPath, 0, 0};
    }
    std::error_code ec;
    if (!fs::is_regular_file(row->path, ec))
        throw std::runtime_error("checkpoint " + row->path + " of supernet " + runName(runId) +
                                 " does not exist (older checkpoints are removed as training goes on)");
    return *row;
}

SupernetSource loadSupernet(RunReader& store, int64_t runId, const std::string& checkpointPath) {
    SupernetSource s;
    s.runId = runId;
    s.config = supernetConfig(store, runId);
    s.checkpoint = supernetCheckpoint(store, runId, checkpointPath);

    nlohmann::json dataEvent;
    for (const Event& e : store.events(runId, 1, 200))
        if (e.type == "data" && e.payload.contains("split")) {
            dataEvent = e.payload;
            break;
        }
    if (dataEvent.is_null())
        throw std::runtime_error("supernet " + runName(runId) + " has no stored data split");
    s.corpus = loadRunCorpus(s.config.corpus, s.config.reverse);
    s.split = CorpusSplit::fromJson(dataEvent["split"], s.corpus);

    const std::string stored =
        dataEvent.contains("vocabulary") ? dataEvent["vocabulary"].value("path", "") : "";
    std::error_code ec;
    bool loaded = false;
    if (!stored.empty() && fs::is_regular_file(stored, ec)) {
        try {
            s.vocabulary = Vocabulary::load(stored);
            loaded = true;
        } catch (const std::exception& e) {
            spdlog::warn("{}: {}; rebuilding the vocabulary", runName(runId), e.what());
        }
    }
    if (!loaded) {
        const std::string cache = runFilesDir(store) + "/vocab";
        fs::create_directories(cache);
        s.vocabulary = Vocabulary::trainOrLoad(s.corpus, s.split, s.config.vocabulary, cache);
    }
    const int expected = dataEvent.contains("vocabulary") ? dataEvent["vocabulary"].value("size", 0) : 0;
    if (expected > 0 && expected != s.vocabulary.size())
        throw std::runtime_error(runName(runId) + ": vocabulary has " + std::to_string(s.vocabulary.size()) +
                                 " pieces but the run was trained with " + std::to_string(expected));
    s.valid = tokenize(s.vocabulary, CorpusSplit::select(s.corpus, s.split.valid()), s.config.tokenize);

    s.model = SuperTransformer(TrainingRun::modelConfig(s.config, s.vocabulary.size()));
    Trainer::loadWeights(s.checkpoint.path, s.model);
    s.model->eval();
    return s;
}

} // namespace automoe
