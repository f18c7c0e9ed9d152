// batchedMatmul multiplies [B, H, M, K] by [B, H, K, N] for attention: the B*H small products go straight
// to BLAS on the strided inputs, spread over the intra-op threads, with autograd.
//
// Why not torch::matmul: on CPU LibTorch 1.13 runs a batched product as a serial loop of select() + mm
// per matrix (~20 us of bookkeeping each); for attention's ~500 matrices of ~30x48 per call that was over
// a third of a training step. Here each matrix costs one cblas_sgemm call and the inputs are read in
// place with their strides (no transposed copies of q/k/v), and the product can be written head-
// interleaved ([B, M, H, N] memory) so that the attention context needs no transpose before out_proj.
#pragma once

#include <torch/torch.h>

namespace automoe {

// alpha * a @ b for float32 CPU tensors. Each operand needs a unit stride in one of its last two
// dimensions (anything else is made contiguous first). With interleaveHeads the result's memory is
// [B, M, H, N] (returned as its [B, H, M, N] permuted view), otherwise contiguous [B, H, M, N].
// Falls back to torch::matmul for other dtypes/devices or when BLAS is not found in the process.
torch::Tensor batchedMatmul(const torch::Tensor& a, const torch::Tensor& b, double alpha = 1.0,
                            bool interleaveHeads = false);

// True when the BLAS fast path is available (cblas_sgemm found in the process).
bool batchedMatmulUsesBlas();

} // namespace automoe
