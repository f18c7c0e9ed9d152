// DenseTransformerPeer is the baseline the supernet is timed against: LibTorch's own torch::nn::Transformer
// (post-norm, ReLU) with the same embedding, sinusoidal positions and tied output layer as the supernet.
#pragma once

#include <torch/torch.h>

namespace automoe {

struct DenseTransformerPeerConfig {
    int64_t vocabSize = 0;
    int64_t padIndex = 1;
    int64_t dModel = 512;
    int64_t heads = 8;
    int64_t ffnDim = 2048;
    int64_t encoderLayers = 6;
    int64_t decoderLayers = 6;
    double dropout = 0.1;
};

class DenseTransformerPeerImpl : public torch::nn::Module {
public:
    explicit DenseTransformerPeerImpl(const DenseTransformerPeerConfig& config);

    // src [B, S], tgtIn [B, T] -> logits [T, B, vocab]: torch::nn::Transformer in 1.13 is sequence-first
    // only, so the inputs are transposed once and the logits stay sequence-first (callers transpose the
    // targets, which is cheaper than transposing [T, B, vocab]).
    torch::Tensor forward(const torch::Tensor& src, const torch::Tensor& tgtIn);

    torch::nn::Embedding embedding{nullptr};
    torch::nn::Transformer transformer{nullptr};

private:
    torch::Tensor embed(const torch::Tensor& tokens); // [B, T] -> [T, B, d]

    DenseTransformerPeerConfig config_;
    torch::Tensor positions_; // fixed sinusoidal table, fairseq layout
};
TORCH_MODULE(DenseTransformerPeer);

} // namespace automoe
