// The supernet trainer (AutoMoE stage 1) and, with a fixed architecture, the trainer of one subnet from
// scratch or from inherited supernet weights (stages 6-7). One update = one token-bucketed batch:
// label-smoothed cross-entropy (per target token) + weight x the MoE load-balancing loss, Adam (0.9, 0.98),
// warm-up then inverse-sqrt or cosine, gradient-norm clipping. The sub-network of an update is one random
// architecture drawn gene by gene as HAT/AutoMoE do (SearchSpace::sampleGenes), or largest + smallest +
// random with gradients accumulated (the sandwich rule), or the fixed one. Dropout scales with the sampled
// width inside the SuperTransformer (HAT).
//
// A checkpoint holds the weights, the optimizer state, both random generators (subnet sampling and
// LibTorch's CPU generator used by dropout), the data position and the update counter, and is written
// atomically; loading it and taking the next update gives exactly the loss the uninterrupted run gets.
//
// The file (format 2) is a 32-byte header and the LibTorch archive: "AMOECKPT", the header version (u32),
// the CRC-32 of the archive bytes (u32), their count (u64) and 8 reserved bytes, little-endian. Loading
// checks the count and the CRC before any tensor is read, so a truncated or damaged file is refused as a
// whole (CheckpointDamaged) and leaves the trainer untouched. Files of format 1 (the bare archive, before
// the header) still load, without the check.
#pragma once
#include "data/Batches.h"
#include "nn/SuperTransformer.h"
#include "space/SearchSpace.h"
#include "store/RunRecords.h"
#include "train/DataParallel.h"
#include "train/LrSchedule.h"

#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <torch/torch.h>

namespace automoe {

// A checkpoint file that is missing, truncated or fails its checksum: nothing of it was used. The message
// names the file.
class CheckpointDamaged : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Throws CheckpointDamaged when the checkpoint at `path` is missing, truncated, or its bytes do not match
// the checksum of its header (a format-1 file without header is only checked to exist).
void verifyCheckpointFile(const std::string& path);

// The checkpoint file format above for any archive (the DARTS runs' too). writeCheckpointFile writes
// `archive` to `path` atomically (temporary file with every write checked, fsync, rename, fsync of the
// directory) and returns its size; on failure it throws std::runtime_error "checkpoint PATH could not be
// written: REASON", removes the temporary file and leaves an earlier file at `path` as it was.
// openCheckpointFile checks the header, size and CRC before anything is read and throws CheckpointDamaged
// naming the file.
int64_t writeCheckpointFile(torch::serialize::OutputArchive& archive, const std::string& path);
torch::serialize::InputArchive openCheckpointFile(const std::string& path);

enum class SubnetSampling { Random, Sandwich, Fixed };
SubnetSampling subnetSampling(const std::string& name); // "random", "sandwich", "fixed"
const char* toString(SubnetSampling s);

// Inverse square root after 400 warm-up updates from a peak of 1e-3.
LrScheduleOptions supernetLr();

struct TrainerOptions {
    int64_t maxTokens = 4096;            // per batch, padding counted
    LrScheduleOptions lr = supernetLr(); // the supernet defaults of `automoe train` and the study
    double beta1 = 0.9, beta2 = 0.98, adamEps = 1e-8, weightDecay = 0.0;
    double clipNorm = 1.0; // 0 = no clipping
    double labelSmoothing = 0.1;
    double balanceLossWeight = 0.01; // Switch Transformer's alpha
    SubnetSampling sampling = SubnetSampling::Random;
    int sandwichRandom = 1; // random subnets per update besides largest and smallest, with sandwich sampling
    std::optional<Architecture> fixedArchitecture; // with SubnetSampling::Fixed
    uint64_t seed = 1;
    int64_t validationSentences = 500; // the first n of the validation set; 0 = all
    SpecialIds ids;                    // pad must be the model's padIndex
    // Data-parallel training with other ranks (train/DataParallel.h), or none. Not stored: toJson() records
    // only its world size ("world_size", when above 1).
    std::shared_ptr<DataParallel> dataParallel;

    nlohmann::json toJson() const;
    static TrainerOptions fromJson(const nlohmann::json& j); // missing keys keep their defaults
};

struct UpdateResult {
    int64_t update = 0;
    double loss = 0; // label-smoothed loss per target token (+ nothing else), mean over the update's subnets
    double nll = 0;  // -log p per target token
    double lbLoss = 0; // load-balancing loss (mean over the update's subnets)
    double lr = 0;
    double gradNorm = 0; // before clipping
    int64_t tokens = 0;  // real source + target tokens of the batch
    int64_t targetTokens = 0;
    Architecture arch; // the (first) random subnet of the update, or the fixed one
    double wallMs = 0;
    DataPosition position;          // after the update
    std::vector<RankStepRow> ranks; // data-parallel: every rank's tokens and busy time (empty: one process)
};

// The run store's row for an update.
TrainingStepRow toStepRow(const UpdateResult& update);

struct ValidationResult {
    double nll = 0; // per target token
    int64_t targetTokens = 0;
    int64_t sentences = 0;
    std::optional<RoutingSnapshot> routing; // when requested: expert load of each MoE layer
};

class Trainer {
public:
    // `train` and `valid` must outlive the trainer.
    Trainer(SuperTransformer model, SearchSpace space, const TokenizedSet& train, const TokenizedSet& valid,
            TrainerOptions options);

    // With options.dataParallel, every rank calls step() in lockstep; on a rank other than 0 it throws
    // PeersStopped once rank 0 has called DataParallel::stop().
    UpdateResult step();
    // Mean -log p per target token of `arch` on the validation subset, in eval mode without gradients;
    // restores the training mode afterwards.
    ValidationResult validate(const Architecture& arch, bool withRouting = false);

    int64_t update() const { return update_; }
    DataPosition position() const { return stream_.position(); }
    const TrainerOptions& options() const { return options_; }
    const SearchSpace& space() const { return space_; }
    SuperTransformer model() const { return model_; }

    // Writes the checkpoint to `path` atomically (temporary file, fsync, rename). `meta` is stored with it
    // and returned by loadCheckpoint. Returns the file size in bytes. When a write fails (a full disk, a
    // file size limit) it throws std::runtime_error naming `path` and the system's reason, removes the
    // temporary file and leaves any earlier file at `path` as it was.
    int64_t saveCheckpoint(const std::string& path,
                           const nlohmann::json& meta = nlohmann::json::object()) const;
    // Restores everything saveCheckpoint wrote. Throws CheckpointDamaged naming the file when it is
    // missing, truncated or damaged (the trainer is then unchanged), std::runtime_error naming it when it
    // belongs to a differently shaped model.
    nlohmann::json loadCheckpoint(const std::string& path);

    // The weights alone from a checkpoint into `model` (e.g. for evaluation), returning its meta.
    static nlohmann::json loadWeights(const std::string& path, SuperTransformer& model);

private:
    Architecture sampleArchitecture();
    // totalTokens > 0: the batch is this rank's shard of an update of totalTokens target tokens (the loss
    // is divided by it and the balance loss weighted by the shard's share of it).
    double forwardBackward(const Batch& batch, const Architecture& arch, double scale, double& nll,
                           double& lb, int64_t totalTokens = 0);

    SuperTransformer model_;
    SearchSpace space_;
    const TokenizedSet& train_;
    const TokenizedSet& valid_;
    TrainerOptions options_;
    BatchStream stream_;
    std::unique_ptr<torch::optim::Adam> optimizer_;
    std::mt19937_64 rng_;
    int64_t update_ = 0;
    Architecture smallest_, largest_;
};

} // namespace automoe
