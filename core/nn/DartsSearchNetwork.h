// DARTSformer's search network (Zhao et al. 2021; issue 13): an encoder-decoder whose layers are multi-split
// reversible layers (nn/Reversible) with a mixed operation (nn/DartsOps MixedOp) on every edge.
//
// Widths. The encoder's hidden state (width `hidden`) has `splits` = n parts of width p = hidden / n; part k
// is updated by the mixed edge G_k over the sum of the other parts (fuseBySum). A decoder layer has n + 1
// parts of width p (its hidden state is hidden + p wide): n mixed edges over the decoder candidates, and a
// last part whose G is encoder-decoder attention (fixed, not searched). Source and target embeddings are
// separate tables (hidden and hidden + p wide; the target table is tied to the output projection), scaled by
// sqrt(width), plus sinusoidal positions; the encoder output and the decoder output each go through a final
// LayerNorm. The architecture weights alpha ([layers, n, candidates] per stack) are not module parameters:
// the bi-level search updates them apart from the operations' weights, on other data.
//
// With `reversible` the stacks run through reversibleSequence (only each stack's top output is kept; the
// backward reconstructs every layer's input), otherwise through ordinary autograd (every candidate's
// activations of every layer kept): the baseline `automoe bench darts` compares against. Both compute the
// same function and the same gradients. The search network has no dropout: a reversible backward recomputes
// each layer and must repeat its forward exactly.
#pragma once

#include "nn/DartsOps.h"
#include "nn/Reversible.h"
#include "nn/SinusoidalPositions.h"
#include "space/DartsArchitecture.h"
#include "space/DartsSpace.h"

#include <nlohmann/json_fwd.hpp>
#include <torch/torch.h>

#include <memory>
#include <vector>

namespace automoe {

struct DartsSearchConfig {
    int64_t vocabSize = 0;
    int64_t padIndex = 0;
    int64_t hidden = 256;
    int64_t heads = 4;
    int64_t splits = 2;
    int64_t encoderLayers = 3;
    int64_t decoderLayers = 3;
    bool reversible = true;
    DartsSpace space = DartsSpace::standard();

    int64_t partWidth() const { return hidden / splits; }
    int64_t decoderWidth() const { return hidden + partWidth(); }
    // Throws std::invalid_argument naming the field (splits divide hidden, heads divide a part, ...).
    void validate() const;
};

// Softmax weights of one stack: [layer][edge][candidate].
using EdgeWeights = std::vector<std::vector<std::vector<double>>>;

class DartsSearchNetworkImpl : public torch::nn::Module {
public:
    explicit DartsSearchNetworkImpl(DartsSearchConfig config);

    // Decoder states [B, T, decoderWidth] of the target prefix tgtIn [B, T] given the source src [B, S].
    torch::Tensor forwardHidden(const torch::Tensor& src, const torch::Tensor& tgtIn);
    // [..., decoderWidth] -> logits [..., vocab] (tied to the target embedding).
    torch::Tensor outputLogits(const torch::Tensor& hidden) const;

    // The operations' weights (every module parameter) and the architecture weights {alpha_enc, alpha_dec}.
    std::vector<torch::Tensor> weightParameters() { return parameters(); }
    std::vector<torch::Tensor> architectureParameters() const { return {alphaEncoder_, alphaDecoder_}; }
    torch::Tensor& alphaEncoder() { return alphaEncoder_; }
    torch::Tensor& alphaDecoder() { return alphaDecoder_; }
    // Which of the two sets a backward pass computes gradients for (the other is treated as constant).
    void setTrainable(bool weights, bool alpha);

    EdgeWeights encoderWeights() const;
    EdgeWeights decoderWeights() const;
    // Argmax per edge, zero excluded (DARTS' derivation).
    DartsArchitecture derive() const;

    const DartsSearchConfig& config() const { return config_; }
    int64_t weightCount();

private:
    torch::Tensor encode(const torch::Tensor& src);
    torch::Tensor runStack(const std::vector<std::unique_ptr<ReversibleLayer>>& layers,
                           const torch::Tensor& x, std::vector<torch::Tensor> captured);

    DartsSearchConfig config_;
    torch::Tensor srcEmbed_, tgtEmbed_;
    SinusoidalPositions positions_{nullptr};
    torch::nn::LayerNorm encoderNorm_{nullptr}, decoderNorm_{nullptr};
    std::vector<std::vector<MixedOp>> encoderEdges_, decoderEdges_; // [layer][edge]
    std::vector<DartsOp> crossAttention_;                           // the decoder's last part, per layer
    std::vector<std::unique_ptr<ReversibleLayer>> encoderLayers_, decoderLayers_;
    torch::Tensor alphaEncoder_, alphaDecoder_;
    // What the branches read during a forward pass and its backward recomputation.
    DartsContext encoderContext_, decoderContext_;
};
TORCH_MODULE(DartsSearchNetwork);

nlohmann::json edgeWeightsToJson(const EdgeWeights& weights);

} // namespace automoe
