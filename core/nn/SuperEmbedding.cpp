#include "nn/SuperEmbedding.h"

#include <cmath>
#include <stdexcept>
#include <string>

namespace automoe {

SuperEmbeddingImpl::SuperEmbeddingImpl(int64_t vocabSize, int64_t superDim, int64_t padIndex)
    : vocab_(vocabSize)
    , superDim_(superDim)
    , pad_(padIndex) {
    if (vocabSize <= 0 || superDim <= 0)
        throw std::invalid_argument("SuperEmbedding: vocabulary size and width must be positive");
    if (padIndex < 0 || padIndex >= vocabSize)
        throw std::invalid_argument("SuperEmbedding: pad index " + std::to_string(padIndex) +
                                    " outside the vocabulary of " + std::to_string(vocabSize));
    // fairseq: N(0, d^-1/2) with a zero padding row, so that the scaled embedding has unit variance.
    weight =
        register_parameter("weight", torch::randn({vocabSize, superDim}) * std::pow(double(superDim), -0.5));
    torch::NoGradGuard guard;
    weight[padIndex].zero_();
}

torch::Tensor SuperEmbeddingImpl::forward(const torch::Tensor& tokens, int64_t dim) {
    if (dim <= 0 || dim > superDim_)
        throw std::invalid_argument("SuperEmbedding: width " + std::to_string(dim) + " outside 1.." +
                                    std::to_string(superDim_));
    // padding_idx keeps the pad row out of the gradient; the narrow view keeps unused columns out of it.
    return weights().embed(tokens, dim);
}

} // namespace automoe
