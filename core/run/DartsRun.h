// DARTSformer runs (issue 13): a differentiable architecture search over a reversible mixed network (kind
// "darts") and the retraining of its derived architecture as an ordinary Transformer (kind "darts_retrain").
//
// Search (Zhao et al. 2021, first-order DARTS). The training split is cut in two halves (even and odd
// sentences). Every update first takes one Adam step of the architecture weights alpha on a batch of the odd
// half (the operations' weights held constant), then one Adam step of the weights theta on a batch of the
// even half (alpha held constant), both on the label-smoothed loss per target token; theta's learning rate
// has a linear warm-up then inverse square root, alpha's is constant with weight decay (DARTS' settings:
// 3e-4, betas 0.5 / 0.999, decay 1e-3). With alpha_warmup N, the first N updates train the weights only (a
// common remedy for DARTS' preference for whatever trains fastest early). Events of a search run:
//   "data"          the corpus, split and vocabulary, as a training run's
//   "darts_setup"   {encoder_candidates, decoder_candidates, hidden, heads, splits, encoder_layers,
//                    decoder_layers, reversible, weight_params, alpha_params, weight_pairs, alpha_pairs}
//   "training_step" theta's step (loss and nll per target token, lr, tokens, wall ms)
//   "darts_alpha"   after every update: {update, alpha_loss, encoder, decoder, derived}, encoder / decoder
//   the
//                   softmax weights [layer][edge][candidate], derived the architecture key of their argmax
//   "validation"    subnet "supernet": the mixed network's validation NLL per target token
//   "checkpoint"    weights, alpha, both optimizers, data positions and the generator: resume continues
//                   exactly (the search network has no dropout, so nothing else is random)
//   "darts_derived" at the end: {update, architecture (DartsArchitecture JSON), key, params}
//
// Retrain. The derived architecture (or any DartsArchitecture file) trains as an nn/DartsTransformer with
// dropout on the whole training split, validates, checkpoints, resumes, and ends with greedy test BLEU and
// chrF ("test_bleu", subnet "derived").
#pragma once

#include "data/Batches.h"
#include "data/CorpusSplit.h"
#include "data/Vocabulary.h"
#include "run/RunBase.h"
#include "space/DartsArchitecture.h"
#include "space/DartsSpace.h"
#include "train/LrSchedule.h"

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace torch::serialize {
class InputArchive;
class OutputArchive;
} // namespace torch::serialize

namespace automoe {

struct RunData;

struct DartsRunConfig {
    std::string name;
    std::string kind = "darts"; // or "darts_retrain"
    std::string spaceSource = "darts";
    DartsSpace space = DartsSpace::standard();
    std::string corpus = "ding";
    bool reverse = false;
    CorpusSplitOptions split;
    VocabularyOptions vocabulary;
    TokenizeOptions tokenize;

    // The search network (kind "darts").
    int64_t hidden = 256;
    int64_t heads = 4;
    int64_t splits = 2;
    int64_t encoderLayers = 3;
    int64_t decoderLayers = 3;
    bool reversible = true;
    double alphaLr = 3e-4;
    double alphaWeightDecay = 1e-3;
    int64_t alphaWarmup = 0; // updates that train the weights only before alpha starts moving
    // The derived model (kind "darts_retrain").
    std::optional<DartsArchitecture> architecture;
    double dropout = 0.1;

    // theta's optimisation, both kinds.
    int64_t maxTokens = 4096;
    LrScheduleOptions lr; // defaults: inverse sqrt, 5e-4 after 1000 warm-up updates
    double clipNorm = 1.0;
    double labelSmoothing = 0.1;
    uint64_t seed = 1;

    int64_t maxUpdates = 0; // 0 = no update limit
    double maxMinutes = 0;  // 0 = no time limit (per session, paused time not counted)
    int64_t validateEvery = 100;
    int64_t validationSentences = 500;
    int64_t checkpointEvery = 100;
    int keepCheckpoints = 2;
    int64_t testSentences = 500; // retrain: greedy test BLEU on the first n test pairs (0 = none)
    int64_t parentRun = 0;       // retrain: the search run the architecture came from (0: a file)

    nlohmann::json toJson() const;
    // Throws std::invalid_argument naming the field.
    static DartsRunConfig fromJson(const nlohmann::json& j);
};

class DartsRun : public RunBase {
public:
    // A new run (either kind), created in `store` at once. Throws std::invalid_argument naming a bad field.
    DartsRun(RunStore& store, DartsRunConfig config);
    // Continues a stopped run of kind "darts" or "darts_retrain" from its last checkpoint; `maxUpdates` /
    // `maxMinutes` >= 0 replace the stored limits. Throws std::runtime_error naming the run for an unknown id
    // or another kind, StoreError when another process executes it.
    static std::unique_ptr<DartsRun> resume(RunStore& store, int64_t runId, int64_t maxUpdates = -1,
                                            double maxMinutes = -1);
    ~DartsRun() override;

    const DartsRunConfig& config() const { return config_; }
    // The derived architecture once a search has finished (or was cancelled after its first update).
    const std::optional<DartsArchitecture>& derived() const { return derived_; }

private:
    DartsRun(RunStore& store, int64_t runId, DartsRunConfig config);
    void run() override;
    void search(const RunData& data);
    void retrain(const RunData& data);
    // Both kinds' loop: the update and minutes budgets (paused time not counted), pause and cancel between
    // updates, validation and checkpoints every N updates and once more at the end; the stage's events.
    // Returns false when the run was cancelled.
    bool updateLoop(const char* stageName, int64_t& update, const std::function<void()>& step,
                    const std::function<void()>& validate, const std::function<void()>& checkpoint);
    // Adds the generator and `state` (format, update, run) to `archive`, writes it atomically as a
    // checkpoint file with the CRC header (train/Trainer.h), publishes its row and removes the files beyond
    // keepCheckpoints (2 by default).
    void saveCheckpoint(torch::serialize::OutputArchive& archive, nlohmann::json state, int64_t update);
    // Opens the run's newest whole checkpoint into `archive` (a damaged newer one is set aside with a
    // warning), restores the generator and returns its state (none without a checkpoint); publishes
    // "resumed" (with "damaged" when one was passed over). Throws naming the file when none is usable.
    std::optional<nlohmann::json> restoreCheckpoint(torch::serialize::InputArchive& archive);
    std::string checkpointPath(int64_t update) const;

    DartsRunConfig config_;
    bool resuming_ = false;
    std::optional<DartsArchitecture> derived_;
};

// The architecture a search run derived: its last "darts_derived" event, else (a search stopped early, or
// resumed past its derivation) the argmax of its last "darts_alpha" event. Throws std::runtime_error naming
// the run when it is not a DARTS search or has no update yet.
DartsArchitecture derivedArchitecture(RunReader& store, int64_t searchRun);

// A retrain configuration for `arch` on search run `searchRun`'s corpus, split and vocabulary settings.
DartsRunConfig dartsRetrainConfig(RunReader& store, int64_t searchRun, const DartsArchitecture& arch);

} // namespace automoe
