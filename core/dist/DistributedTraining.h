// Supernet training on several ranks (train/DataParallel.h): rank 0 executes the stored TrainingRun (its
// events, validations and checkpoints are the run's record, written by rank 0 alone), every other rank a
// follower that loads the same data, builds the same model and steps in lockstep until rank 0 stops it.
//
// The order: rank 0 loads its data (training and caching the vocabulary), then publishes the "data"
// event's figures and its split; the followers wait for them, load theirs with rank 0's split (the
// vocabulary from the same cache when they share the machine) and refuse to go on when their training set or
// vocabulary differ. A resumed run: rank 0 publishes the checkpoint it resumed from (its "resumed" event),
// and every follower loads that file too (same machine or a shared file system), so all ranks continue from
// the same weights, optimizer state, random generators and data position — whatever the world size the
// checkpoint was written with. Rank 0 stops the followers when its training stage finishes (before its test
// BLEU).
#pragma once

#include "dist/ProcessGroupCollective.h"
#include "run/RunObserver.h"
#include "run/TrainingRun.h"

#include <memory>
#include <string>

namespace automoe {

// Rank 0's observer: publishes the "data" event's payload to the followers and stops them at the end of
// the training stage (or when the run fails: its destructor stops them too).
class DataParallelLeader : public RunObserver {
public:
    DataParallelLeader(std::shared_ptr<ProcessGroupCollective> collective,
                       std::shared_ptr<DataParallel> dataParallel);
    ~DataParallelLeader() override;
    void onEvent(const Event& e) override;

private:
    std::shared_ptr<ProcessGroupCollective> collective_;
    std::shared_ptr<DataParallel> dataParallel_;
};

struct FollowerResult {
    int64_t updates = 0;
    SuperTransformer model{nullptr}; // the trained weights (for tests)
};

// A rank other than 0: trains `config` (whose trainer.dataParallel is set) in lockstep with rank 0 until it
// stops; with `resuming`, from the checkpoint rank 0 resumed from. `vocabCacheDir` is where the vocabulary
// is cached (rank 0's, on the same machine). Throws std::runtime_error when the data differs from rank 0's
// or the group fails.
FollowerResult followTraining(const TrainingRunConfig& config, ProcessGroupCollective& collective,
                              const std::string& vocabCacheDir, bool resuming = false);

} // namespace automoe
