// Data-parallel supernet training: W ranks (processes, possibly on several machines) train one supernet as
// one process would, each on a shard of every update's batch.
//
// The rule (docs in README "Multi-process training"):
// - Every rank reads the same batch stream (same seed, same data position) and samples the same subnet(s)
//   from the same seed stream, so the update's batch and architecture are those of a one-process run.
// - Rank r of W trains on the sentences [r*B/W, (r+1)*B/W) of the update's batch of B sentences (padded to
//   its own longest sentence); a rank whose shard is empty (B < W) contributes nothing.
// - Token weighting: every rank knows the batch's target tokens N; it back-propagates its shard's summed
//   label-smoothed loss / N, plus the balance-loss weight x (its target tokens / N) x its shard's
//   load-balancing loss. The sum of the ranks' gradients is then exactly the gradient of one process on the
//   whole batch for the cross-entropy (up to float rounding); the load-balancing term is the token-weighted
//   mean of the shards' terms (computed per shard, as Switch Transformer computes it per device).
// - After backward, the ranks sum (all-reduce) a flag per parameter (has a gradient here) together with the
//   step's partial loss figures, then the gradients of every parameter flagged on any rank, flattened into
//   buckets of at most kBucketBytes, all launched before the first is waited for. A parameter flagged on no
//   rank keeps no gradient (Adam skips it, as one process would).
// - Every rank then takes the same clipped Adam step on identical gradients: the parameters stay
// bit-identical
//   (rank 0's are broadcast once when the trainer starts).
// - The data position does not depend on W, so a checkpoint resumes under any world size.
//
// The transport is a Collective: core/dist/ProcessGroupCollective implements it on c10d (Gloo; a CUDA build
// of LibTorch could add NCCL behind the same interface).
#pragma once

#include "data/Batches.h"
#include "store/RunRecords.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <torch/torch.h>
#include <vector>

namespace automoe {

// The collective operations data parallelism needs. Every rank must call them in the same order with tensors
// of the same sizes. They block until done and throw std::runtime_error on a transport failure.
class Collective {
public:
    virtual ~Collective() = default;
    virtual int rank() const = 0;
    virtual int worldSize() const = 0;
    // Sums each tensor (contiguous float32 or float64) over the ranks, in place; all are started before the
    // first is waited for.
    virtual void allreduceSum(std::vector<torch::Tensor>& tensors) = 0;
    // Overwrites each tensor with rank `root`'s.
    virtual void broadcast(std::vector<torch::Tensor>& tensors, int root) = 0;
    // What this rank is doing ("update 5"), for the message that names a rank that stopped responding.
    virtual void setProgress(const std::string& /*what*/) {}
};

// Thrown by Trainer::step() on a rank other than 0 when rank 0 has stopped training (DataParallel::stop()).
class PeersStopped : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The rows of `batch` rank `rank` of `world` trains on (see the rule above); empty when B < W leaves none.
std::vector<std::size_t> shardRows(const Batch& batch, int rank, int world);

// Time spent in the all-reduces of the steps so far (for `automoe bench distributed`).
struct DataParallelTimes {
    double allreduceMs = 0;
    int64_t steps = 0;
};

class DataParallel {
public:
    static constexpr int64_t kBucketBytes = int64_t(4) << 20;

    explicit DataParallel(std::shared_ptr<Collective> collective);

    int rank() const { return collective_->rank(); }
    int worldSize() const { return collective_->worldSize(); }
    // The update this rank is in (Trainer::step), named when a rank stops responding.
    void setUpdate(int64_t update) { collective_->setProgress("update " + std::to_string(update)); }

    // The trainer's parameters (in order): every rank's are replaced by rank 0's.
    void attach(const std::vector<torch::Tensor>& params);

    // The partial figures of a step, summed over the ranks by reduce(). `share` is this rank's tokens and
    // busy time; reduce() gathers every rank's into `ranks` (by rank; the same on every rank), riding on the
    // same all-reduce (each rank fills its own slots, the others' are zero).
    struct Figures {
        double loss = 0, nll = 0, lb = 0;
        RankStepRow share;
        std::vector<RankStepRow> ranks;
    };
    // Sums the gradients of `params` (attach()'s) and `figures` over the ranks (see the rule above). Throws
    // PeersStopped when rank 0 has called stop() instead of stepping.
    void reduce(const std::vector<torch::Tensor>& params, Figures& figures);
    // Rank 0 only: ends training on every other rank (their pending step() throws PeersStopped). Idempotent.
    // Does nothing after a failed collective operation (the group is then unusable).
    void stop();
    bool stopped() const { return stopped_; }
    bool attached() const { return paramCount_ >= 0; }

    const DataParallelTimes& times() const { return times_; }

private:
    torch::Tensor controlTensor(int64_t params) const;
    void allreduce(std::vector<torch::Tensor>& tensors); // marks the group failed when it throws

    std::shared_ptr<Collective> collective_;
    int64_t paramCount_ = -1;
    bool stopped_ = false;
    bool failed_ = false;
    DataParallelTimes times_;
};

} // namespace automoe
