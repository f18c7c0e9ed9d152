// What decoding (greedy, beam), evaluation and latency measurement need from an encoder-decoder model, so
// that the weight-sharing supernet and a standalone subnet model share one decoder.
#pragma once
#include <torch/torch.h>
#include <vector>

namespace automoe {

struct EncoderOutput {
    std::vector<torch::Tensor> layers; // output of every active encoder layer, [B, S, e_enc]
    torch::Tensor padMask;             // bool [B, S], true at padding
    bool hasPadding = false;
    std::vector<torch::Tensor> balanceLosses;

    // The rows `index` (int64 [B']) of every tensor, e.g. to expand a batch to B x beam or to drop
    // finished sentences.
    EncoderOutput selectRows(const torch::Tensor& index) const {
        EncoderOutput out;
        out.layers.reserve(layers.size());
        for (const auto& l : layers)
            out.layers.push_back(l.index_select(0, index));
        if (padMask.defined()) out.padMask = padMask.index_select(0, index);
        out.hasPadding = hasPadding && out.padMask.defined() && out.padMask.any().item<bool>();
        return out;
    }
};

// Keys and values one decoder layer keeps between incremental steps (fairseq's incremental state).
struct DecoderLayerCache {
    torch::Tensor selfKeys, selfValues; // [R, t, qkv]: the self-attention projections of every fed position
    torch::Tensor memoryKeys, memoryValues; // [R, m*S, qkv]: encoder-decoder projections, computed once
    torch::Tensor memoryMask;               // additive [R, 1, 1, m*S], or undefined when no source is padded
};

// What an incremental decoder keeps for the rows [R] it decodes: one cache per decoder layer and the number
// of positions fed so far (the next token's position). Built by Seq2SeqModel::startDecoding, advanced by
// stepLogits.
struct DecoderState {
    std::vector<DecoderLayerCache> layers;
    torch::Tensor sourcePadMask; // bool [R, S], true at padding: the source of every row
    int64_t steps = 0;
    // For a model that re-runs its decoder over the prefix at every step (nn/DartsTransformer: convolutions
    // have no key/value cache): the tokens fed so far [R, steps] and the encoder output [R, S, e].
    torch::Tensor prefix, memory;

    int64_t rows() const { return sourcePadMask.size(0); }

    // Keeps the rows `index` (int64 [R']) of every cached tensor, in that order: to expand a batch to
    // B x beam, or to drop finished rows.
    void selectRows(const torch::Tensor& index) {
        sourcePadMask = sourcePadMask.index_select(0, index);
        for (torch::Tensor* t : {&prefix, &memory})
            if (t->defined()) *t = t->index_select(0, index);
        for (auto& l : layers)
            for (torch::Tensor* t :
                 {&l.selfKeys, &l.selfValues, &l.memoryKeys, &l.memoryValues, &l.memoryMask})
                if (t->defined()) *t = t->index_select(0, index);
    }

    // Beam search's reorder after a step: row r continues the hypothesis of row index[r]. Only the
    // self-attention caches move; index must map every row to a row of the same source sentence, whose
    // encoder-decoder keys and values are identical, so those stay in place.
    void reorderWithinSentences(const torch::Tensor& index) {
        if (prefix.defined()) prefix = prefix.index_select(0, index);
        for (auto& l : layers)
            for (torch::Tensor* t : {&l.selfKeys, &l.selfValues})
                if (t->defined()) *t = t->index_select(0, index);
    }
};

class Seq2SeqModel {
public:
    virtual ~Seq2SeqModel() = default;
    // src [B, S] int64, padded with padIndex().
    virtual EncoderOutput encodeSource(const torch::Tensor& src) = 0;
    // Logits [B, vocab] of the token after the last position of tgtIn [B, T] (no padding inside tgtIn).
    // Re-runs the whole decoder over the prefix: O(T) work per step. Kept as the reference the incremental
    // path is tested and benchmarked against.
    virtual torch::Tensor nextTokenLogits(const torch::Tensor& tgtIn, const EncoderOutput& encoded) = 0;
    // Incremental decoding: the state for decoding `encoded`'s rows (encoder-decoder keys and values
    // computed here, once), then one step per token: tokens int64 [R], the last token of every row, at
    // position state.steps -> logits [R, vocab] of the token after it. The same logits as nextTokenLogits
    // on the whole prefix, with each step attending to cached keys and values.
    virtual DecoderState startDecoding(const EncoderOutput& encoded) = 0;
    virtual torch::Tensor stepLogits(const torch::Tensor& tokens, DecoderState& state) = 0;
    virtual int64_t padIndex() const = 0;
    virtual int64_t vocabSize() const = 0;
};

} // namespace automoe
