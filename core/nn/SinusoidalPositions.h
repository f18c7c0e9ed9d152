// SinusoidalPositions adds fairseq's fixed sinusoidal position embeddings for any sampled width: positions
// count only real tokens (pad tokens get the zero row), so padding never shifts a sentence's positions.
#pragma once

#include <torch/torch.h>

#include <map>

namespace automoe {

class SinusoidalPositionsImpl : public torch::nn::Module {
public:
    explicit SinusoidalPositionsImpl(int64_t padIndex);

    // tokens: int64 [B, T] -> positions embedded [B, T, dim] (no gradient: the table is fixed).
    torch::Tensor forward(const torch::Tensor& tokens, int64_t dim);

    // The embedding of the position after `before` real tokens, for `rows` rows: [rows, 1, dim]; what forward
    // gives the last column of a prefix of before + 1 real tokens (incremental decoding).
    torch::Tensor at(int64_t before, int64_t rows, int64_t dim);

    // fairseq's table: row p = [sin(p w_0..w_{h-1}), cos(p w_0..w_{h-1})], w_i = 10000^(-i/(h-1)), row
    // padIndex zero, an extra zero column for odd widths.
    static torch::Tensor table(int64_t rows, int64_t dim, int64_t padIndex);

private:
    const torch::Tensor& tableFor(int64_t dim, int64_t rows);

    int64_t pad_;
    // One table per sampled width, grown on demand; not a buffer so checkpoints do not depend on history.
    std::map<int64_t, torch::Tensor> tables_;
};
TORCH_MODULE(SinusoidalPositions);

} // namespace automoe
