// The ordinary (non-reversible) Transformer a DARTS search's derived architecture is retrained as (issue 13;
// the form is described in space/DartsArchitecture.h): every layer runs its chosen operations one after
// another at the full width, each a post-norm sub-layer LayerNorm(x + dropout(op(x))) (identity: none), a
// decoder layer then attends to the encoder output. One embedding table serves source, target and the output
// projection (the joint vocabulary), scaled by sqrt(hidden), plus sinusoidal positions and dropout.
//
// Decoding goes through Seq2SeqModel like every other model. Its convolutions keep no incremental state, so
// stepLogits re-runs the decoder over the prefix it keeps in DecoderState (the same logits as
// nextTokenLogits).
#pragma once

#include "nn/DartsOps.h"
#include "nn/Seq2SeqModel.h"
#include "nn/SinusoidalPositions.h"
#include "space/DartsArchitecture.h"

#include <torch/torch.h>

#include <vector>

namespace automoe {

struct DartsModelConfig {
    int64_t vocabSize = 0;
    int64_t padIndex = 0;
    DartsArchitecture arch;
    double dropout = 0.1;
};

class DartsTransformerImpl : public torch::nn::Module, public Seq2SeqModel {
public:
    explicit DartsTransformerImpl(DartsModelConfig config);

    // Decoder states [B, T, hidden] of tgtIn [B, T] given src [B, S].
    torch::Tensor forwardHidden(const torch::Tensor& src, const torch::Tensor& tgtIn);
    torch::Tensor outputLogits(const torch::Tensor& hidden) const {
        return torch::matmul(hidden, embed_.t());
    }

    EncoderOutput encodeSource(const torch::Tensor& src) override;
    torch::Tensor nextTokenLogits(const torch::Tensor& tgtIn, const EncoderOutput& encoded) override;
    DecoderState startDecoding(const EncoderOutput& encoded) override;
    torch::Tensor stepLogits(const torch::Tensor& tokens, DecoderState& state) override;
    int64_t padIndex() const override { return config_.padIndex; }
    int64_t vocabSize() const override { return config_.vocabSize; }

    // Parameters without the embedding table (which is also the output projection), as the project counts
    // a model's size.
    int64_t parameterCount();
    const DartsModelConfig& config() const { return config_; }

private:
    torch::Tensor embed(const torch::Tensor& tokens);
    torch::Tensor decode(const torch::Tensor& tgtIn, const torch::Tensor& memory,
                         const torch::Tensor& padMask);

    DartsModelConfig config_;
    torch::Tensor embed_;
    SinusoidalPositions positions_{nullptr};
    std::vector<std::vector<DartsOp>> encoder_, decoder_; // [layer][sub-layer]; a decoder layer ends with
                                                          // encoder-decoder attention
};
TORCH_MODULE(DartsTransformer);

} // namespace automoe
