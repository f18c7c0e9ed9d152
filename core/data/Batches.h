// Token-bucketed batches for training and validation: a corpus part encoded once with the vocabulary,
// grouped by length under a token budget (padding counted), with the batch order shuffled per epoch from
// the run's seed. A position (epoch, batch) names the next batch exactly, so a checkpoint can resume the
// data stream where it stopped.
//
// Framing (shared with the decoders): source = ids + eos; decoder input = bos + ids; decoder target =
// ids + eos. Sequences longer than the limits are truncated (eos kept).
#pragma once
#include "data/Corpus.h"
#include "data/Vocabulary.h"
#include <cstdint>
#include <torch/torch.h>
#include <vector>

namespace automoe {

struct TokenizedSet {
    std::vector<std::vector<int32_t>> source; // ids + eos
    std::vector<std::vector<int32_t>> target; // ids (no bos, no eos)
    std::size_t size() const { return source.size(); }
    int64_t sourceTokens() const;
    int64_t targetTokens() const; // including the eos each target predicts
};

struct TokenizeOptions {
    int maxSourceTokens = 128; // incl. eos
    int maxTargetTokens = 128; // incl. eos
};

TokenizedSet tokenize(const Vocabulary& vocab, const std::vector<SentencePair>& pairs,
                      const TokenizeOptions& options = {});

struct Batch {
    torch::Tensor src;        // int64 [B, S], padded with pad
    torch::Tensor tgtIn;      // int64 [B, T]: bos + target
    torch::Tensor tgtOut;     // int64 [B, T]: target + eos
    int64_t sourceTokens = 0; // real (non-pad) tokens
    int64_t targetTokens = 0;
    std::vector<std::size_t> indices; // rows of the TokenizedSet, in batch order
    int64_t size() const { return static_cast<int64_t>(indices.size()); }
};

// The special ids batches are framed with (the vocabulary's by default; a model may use other ids).
struct SpecialIds {
    int64_t pad = Vocabulary::kPadId;
    int64_t bos = Vocabulary::kBosId;
    int64_t eos = Vocabulary::kEosId;
};

// Builds the tensors of one batch of `set` rows. The set's eos ids are taken as they are; `ids.eos` ends
// every target.
Batch makeBatch(const TokenizedSet& set, const std::vector<std::size_t>& indices, const SpecialIds& ids = {});

// Groups rows into batches whose padded size B x max(S, T) stays within maxTokens (a single row longer
// than the budget forms a batch of its own). Rows are sorted by (source, target) length with ties broken
// by a shuffle from `seed`, so equal-length rows vary between epochs. With shuffleBatches the batch order
// is shuffled too (training); without it the order is by length (validation).
std::vector<std::vector<std::size_t>> planBatches(const TokenizedSet& set, int64_t maxTokens, uint64_t seed,
                                                  bool shuffleBatches);

struct DataPosition {
    int64_t epoch = 0; // 0-based
    int64_t batch = 0; // next batch within the epoch
    bool operator==(const DataPosition& o) const { return epoch == o.epoch && batch == o.batch; }
};

// The endless training stream: epoch e uses planBatches(set, maxTokens, mix(seed, e), true).
class BatchStream {
public:
    BatchStream(const TokenizedSet& set, int64_t maxTokens, uint64_t seed, SpecialIds ids = {});
    Batch next();
    DataPosition position() const { return position_; }
    void seek(DataPosition position);
    std::size_t batchesPerEpoch() const { return plan_.size(); }

private:
    void planEpoch(int64_t epoch);
    const TokenizedSet& set_;
    int64_t maxTokens_;
    uint64_t seed_;
    SpecialIds ids_;
    DataPosition position_;
    int64_t plannedEpoch_ = -1;
    std::vector<std::vector<std::size_t>> plan_;
};

} // namespace automoe
