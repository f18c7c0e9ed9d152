// A supernet training run (AutoMoE stage 1, and stages 6-7 with a fixed architecture): loads the corpus,
// makes or restores the split, trains or loads the cached vocabulary, builds the SuperTransformer and the
// Trainer, and trains on a worker thread (or the caller's) until its update or time budget is spent or
// it is cancelled — validating the largest and smallest subnet and writing checkpoints periodically.
// Every step is a typed event, appended to the run store and handed to the observers: the store is the
// run's record, and replay reads the same events back.
//
// A run resumes from its last checkpoint (TrainingRun::resume): the configuration, the split and the
// vocabulary come from the store, the weights, optimizer, random generators and data position from the
// checkpoint, so the continued loss curve is the one the uninterrupted run would have drawn.
#pragma once
#include "data/Batches.h"
#include "data/CorpusSplit.h"
#include "data/Vocabulary.h"
#include "run/RunBase.h"
#include "space/SearchSpace.h"
#include "store/RunFiles.h"
#include "store/RunStore.h"
#include "train/Trainer.h"

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace automoe {

struct TrainingRunConfig {
    std::string name; // shown in the run list; default "supernet <space> <corpus>"
    std::string kind = "supernet";
    std::string spaceSource = "tiny"; // a bundled name or a path, as the user gave it
    SearchSpace space;                // resolved; what is stored with the run
    std::string corpus = "ding";      // "ding" (Debian's, else the bundled sample), "sample", a .tsv, or
                                      // a prefix "PATH/train" with PATH/train.de + PATH/train.en
    bool reverse = false;             // English -> German
    CorpusSplitOptions split;
    VocabularyOptions vocabulary;
    TokenizeOptions tokenize;
    TrainerOptions trainer;
    double dropout = 0.1;
    double attentionDropout = 0.1;
    double capacityFactor = 0.0; // 0 = no capacity limit
    MixtureOptions supernet;     // plain weight sharing or Mixture-of-Supernets (stored as "supernet")

    int64_t maxUpdates = 0; // 0 = no update limit
    double maxMinutes = 0;  // 0 = no time limit (measured per session: a resumed run gets it again)
    int64_t validateEvery = 200;
    int64_t checkpointEvery = 200;
    int keepCheckpoints = 2;
    // Expert load and routing health of the largest (or the fixed) subnet at validations of updates divisible
    // by N (1: every validation; the traced forward adds no measurable time to it).
    int64_t routingEvery = 1;
    // Stages 6-7: a run of kind "retrain" trains trainer.fixedArchitecture on its parent supernet run's
    // split and vocabulary, from scratch or from the parent's checkpoint weights (inheritCheckpoint).
    int64_t parentRun = 0;
    std::string inheritCheckpoint;
    int64_t testSentences = 500; // final stage: greedy test BLEU of largest and smallest on the first n
                                 // test pairs (0 = skip)
    // Closing the pipeline for a front point (`automoe close`): the search run and the architecture id
    // it came from, and, when costRepeats > 0, a first "costs" stage that measures the fixed architecture's
    // latency (standalone copy, costRepeats timed runs) and its FLOPs and active params.
    int64_t searchRun = 0;
    int64_t searchArchId = 0;
    int costRepeats = 0;

    nlohmann::json toJson() const;
    // Throws std::invalid_argument naming the field.
    static TrainingRunConfig fromJson(const nlohmann::json& j);
    // The configuration run `runId` of `store` was stored with. Throws std::runtime_error naming the run
    // when there is none, or it is not a usable training configuration.
    static TrainingRunConfig ofRun(RunReader& store, int64_t runId);
};

// The corpus, split, vocabulary and tokenization settings as a run's stored configuration holds them
// (keys corpus, reverse, split, vocabulary, tokenize), shared by every kind of run that loads a corpus.
// readDataSettings keeps the given values for missing keys and throws std::invalid_argument naming the field.
void writeDataSettings(nlohmann::json& j, const std::string& corpus, bool reverse,
                       const CorpusSplitOptions& split, const VocabularyOptions& vocabulary,
                       const TokenizeOptions& tokenize);
void readDataSettings(const nlohmann::json& j, std::string& corpus, bool& reverse, CorpusSplitOptions& split,
                      VocabularyOptions& vocabulary, TokenizeOptions& tokenize);

// What the run loaded: handed to observers in the "data" event and used by evaluation.
struct RunData {
    Corpus corpus;
    CorpusSplit split;
    Vocabulary vocabulary;
    TokenizedSet train, valid;
};

// Loads a corpus by the name a run stores (see TrainingRunConfig::corpus). Throws CorpusError naming
// the file and line.
Corpus loadRunCorpus(const std::string& corpus, bool reverse);

// A retrain run's configuration (AutoMoE stages 6-7): supernet run `supernetRun`'s stored configuration
// (space, corpus, split and vocabulary settings) with kind "retrain", fixed sampling of `arch`, and with
// `inherit` its last checkpoint's weights. Throws std::runtime_error naming the run when it is unknown,
// has no usable configuration or checkpoint, or `arch` is not in its space.
TrainingRunConfig retrainConfig(RunReader& store, int64_t supernetRun, const Architecture& arch,
                                bool inherit);

// The "data" event's payload of a run that loaded `data` (corpus, split, vocabulary, sentence counts).
nlohmann::json dataEventPayload(const RunData& data);

// Deletes the oldest "checkpoint-<update>.pt" files of `dir` until `keep` (at least 1) remain, and any
// "checkpoint-*.tmp" a process left when it ended mid-write. Called after the newest one's row is
// committed, so that the store always names a checkpoint that exists.
void removeOldCheckpoints(const std::string& dir, int keep);

// The split a run stored in its "data" event, or null when it has none yet.
nlohmann::json storedSplit(RunReader& store, int64_t runId);

class TrainingRun : public RunBase {
public:
    // A new run, created in `store` at once (status "created").
    TrainingRun(RunStore& store, TrainingRunConfig config);
    // An existing run, to continue from its last checkpoint; `maxUpdates` / `maxMinutes` >= 0 replace the
    // stored limits; `dataParallel`, when given, makes this process rank 0 of a data-parallel group
    // (core/dist/DistributedTraining.h). Throws std::runtime_error for an unknown id or a run of another
    // kind, StoreError when another process is executing it.
    static std::unique_ptr<TrainingRun> resume(RunStore& store, int64_t runId, int64_t maxUpdates = -1,
                                               double maxMinutes = -1,
                                               std::shared_ptr<DataParallel> dataParallel = nullptr);
    ~TrainingRun() override; // cancels and joins a started thread

    const TrainingRunConfig& config() const { return config_; }

    // Valid after the data stage (observers may read it from the "data" event on).
    const RunData* data() const { return data_.get(); }

    // Builds the run's model with the config's dimensions for `vocabSize` tokens.
    static SuperTransformerConfig modelConfig(const TrainingRunConfig& config, int64_t vocabSize);
    // Loads (or trains and caches) the run's corpus, split and vocabulary; with `storedSplit`, the split
    // is rebuilt from it and checked against the corpus.
    static std::unique_ptr<RunData> loadData(const TrainingRunConfig& config, const std::string& cacheDir,
                                             const nlohmann::json* storedSplit = nullptr);

private:
    TrainingRun(RunStore& store, int64_t runId, TrainingRunConfig config);
    void run() override;
    void validateAndLog(Trainer& trainer, bool routing);
    // The "routing" event of a validated subnet ("largest" or "fixed"), then its "routing_health" (same
    // update; eval/RoutingHealth.h).
    void publishRouting(const RoutingSnapshot& snapshot, const std::string& subnet);
    void writeCheckpoint(Trainer& trainer);
    void testBleu(Trainer& trainer);
    void measureCosts(SuperTransformerImpl& model);

    TrainingRunConfig config_;
    std::unique_ptr<RunData> data_;
    bool resuming_ = false;
};

} // namespace automoe
