#include "nn/SinusoidalPositions.h"

#include <cmath>

namespace automoe {

SinusoidalPositionsImpl::SinusoidalPositionsImpl(int64_t padIndex)
    : pad_(padIndex) {}

torch::Tensor SinusoidalPositionsImpl::table(int64_t rows, int64_t dim, int64_t padIndex) {
    const int64_t half = dim / 2;
    const double step = half > 1 ? std::log(10000.0) / double(half - 1) : 0.0;
    auto freqs = torch::exp(torch::arange(half, torch::kFloat) * -step);
    auto angles = torch::arange(rows, torch::kFloat).unsqueeze(1) * freqs.unsqueeze(0);
    auto t = torch::cat({torch::sin(angles), torch::cos(angles)}, 1);
    if (dim % 2 == 1) t = torch::cat({t, torch::zeros({rows, 1})}, 1);
    if (padIndex >= 0 && padIndex < rows) t[padIndex].zero_();
    return t;
}

torch::Tensor SinusoidalPositionsImpl::forward(const torch::Tensor& tokens, int64_t dim) {
    // The largest position is pad + T, known without reading the tokens.
    const torch::Tensor& t = tableFor(dim, pad_ + tokens.size(1) + 1);
    auto mask = tokens.ne(pad_).to(torch::kLong);
    auto positions = torch::cumsum(mask, 1).mul_(mask).add_(pad_);
    return t.index_select(0, positions.reshape(-1)).view({tokens.size(0), tokens.size(1), dim});
}

torch::Tensor SinusoidalPositionsImpl::at(int64_t before, int64_t rows, int64_t dim) {
    const int64_t row = pad_ + 1 + before;
    return tableFor(dim, row + 1).narrow(0, row, 1).view({1, 1, dim}).expand({rows, 1, dim});
}

const torch::Tensor& SinusoidalPositionsImpl::tableFor(int64_t dim, int64_t rows) {
    auto& t = tables_[dim];
    if (!t.defined() || t.size(0) < rows) t = table(std::max<int64_t>(rows, pad_ + 257), dim, pad_);
    return t;
}

} // namespace automoe
