// The trained supernet a later stage works on (search, latency dataset, export): a supernet run's stored
// configuration, its split and vocabulary, the validation sentences, and the weights of one of its
// checkpoints. Read-only: nothing is written into the supernet run.
#pragma once

#include "data/Batches.h"
#include "data/Corpus.h"
#include "data/CorpusSplit.h"
#include "data/Vocabulary.h"
#include "nn/SuperTransformer.h"
#include "run/TrainingRun.h"
#include "store/RunStore.h"

#include <cstdint>
#include <string>

namespace automoe {

struct SupernetSource {
    int64_t runId = 0;
    TrainingRunConfig config;
    CheckpointRow checkpoint; // the one whose weights `model` holds
    Corpus corpus;
    CorpusSplit split;
    Vocabulary vocabulary;
    TokenizedSet valid;              // the validation split, tokenized as the trainer does
    SuperTransformer model{nullptr}; // in eval mode

    // Corpus direction, run ids and the checkpoint: what exported files record about their origin.
    nlohmann::json provenance() const;
};

// The checkpoint a stage would use: `checkpointPath` when given (it must be one of the run's checkpoints
// or at least an existing file), else the run's last one. Throws std::runtime_error naming the run (unknown
// id, not a supernet run, no checkpoint yet) or the missing file.
CheckpointRow supernetCheckpoint(RunReader& store, int64_t runId, const std::string& checkpointPath = {});

// Loads everything. The vocabulary comes from the file the run's "data" event names when it is still
// readable, else from (or into) the vocabulary cache beside `store`. Throws std::runtime_error as above,
// and for a run without a stored split.
SupernetSource loadSupernet(RunReader& store, int64_t runId, const std::string& checkpointPath = {});

} // namespace automoe
