// SuperEmbedding is the one token table shared by the encoder input, the decoder input and the output
// projection (tied weights, as in HAT/AutoMoE); a stack of embedding width e uses its first e columns.
#pragma once

#include "nn/LayerWeights.h"

#include <torch/torch.h>

namespace automoe {

class SuperEmbeddingImpl : public torch::nn::Module {
public:
    SuperEmbeddingImpl(int64_t vocabSize, int64_t superDim, int64_t padIndex);

    // table[tokens, :dim] * sqrt(dim) (fairseq scaling, so that embeddings and sinusoidal positions have
    // comparable magnitudes at every sampled width). tokens: int64 [B, T] -> [B, T, dim].
    torch::Tensor forward(const torch::Tensor& tokens, int64_t dim);

    // Tied output layer: logits = h table[:, :dim]^T, h: [..., dim] -> [..., vocab].
    torch::Tensor project(const torch::Tensor& h) const { return weights().project(h); }

    EmbeddingWeights weights() const { return {weight, pad_}; }

    int64_t vocabSize() const { return vocab_; }
    int64_t superDim() const { return superDim_; }
    int64_t padIndex() const { return pad_; }

    torch::Tensor weight; // [vocab, superDim]

private:
    int64_t vocab_;
    int64_t superDim_;
    int64_t pad_;
};
TORCH_MODULE(SuperEmbedding);

} // namespace automoe
