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

class Seq2SeqModel {
public:
    virtual ~Seq2SeqModel() = default;
    // src [B, S] int64, padded with padIndex().
    virtual EncoderOutput encodeSource(const torch::Tensor& src) = 0;
    // Logits [B, vocab] of the token after the last position of tgtIn [B, T] (no padding inside tgtIn).
    virtual torch::Tensor nextTokenLogits(const torch::Tensor& tgtIn, const EncoderOutput& encoded) = 0;
    virtual int64_t padIndex() const = 0;
    virtual int64_t vocabSize() const = 0;
};

} // namespace automoe
