#include "nn/BatchedMatmul.h"

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <dlfcn.h>

namespace automoe {

namespace {

// cblas_sgemm as exported by the BLAS LibTorch itself links (OpenBLAS here); looked up at run time so that
// the build needs no BLAS development files and no link flag of its own.
using CblasSgemm = void (*)(int order, int transA, int transB, int m, int n, int k, float alpha,
                            const float* a, int lda, const float* b, int ldb, float beta, float* c, int ldc);
constexpr int kRowMajor = 101, kNoTrans = 111, kTrans = 112;

CblasSgemm sgemm() {
    static const CblasSgemm fn = reinterpret_cast<CblasSgemm>(dlsym(RTLD_DEFAULT, "cblas_sgemm"));
    return fn;
}

// A matrix operand of one product: its row-major op and leading dimension, from the strides of its last
// two dimensions. Returns false when neither has unit stride.
bool operand(const torch::Tensor& t, int& trans, int64_t& ld) {
    const int64_t rows = t.size(2), cols = t.size(3);
    const int64_t sr = t.stride(2), sc = t.stride(3);
    if (sc == 1 || cols == 1) {
        trans = kNoTrans;
        ld = std::max<int64_t>({sr, cols, 1});
        return rows == 1 || sr >= cols;
    }
    if (sr == 1 || rows == 1) {
        trans = kTrans;
        ld = std::max<int64_t>({sc, rows, 1});
        return cols == 1 || sc >= rows;
    }
    return false;
}

torch::Tensor usable(const torch::Tensor& t) {
    int trans;
    int64_t ld;
    return operand(t, trans, ld) ? t : t.contiguous();
}

// Writes alpha * a @ b into c ([B, H, M, N] view with unit stride in N).
void gemmBatch(const torch::Tensor& a, const torch::Tensor& b, torch::Tensor& c, float alpha) {
    int ta, tb;
    int64_t lda, ldb;
    operand(a, ta, lda);
    operand(b, tb, ldb);
    const int64_t B = a.size(0), H = a.size(1), M = a.size(2), K = a.size(3), N = b.size(3);
    const int64_t ldc = std::max<int64_t>(c.stride(2), N);
    const float* pa = a.data_ptr<float>();
    const float* pb = b.data_ptr<float>();
    float* pc = c.data_ptr<float>();
    const int64_t a0 = a.stride(0), a1 = a.stride(1), b0 = b.stride(0), b1 = b.stride(1);
    const int64_t c0 = c.stride(0), c1 = c.stride(1);
    const CblasSgemm fn = sgemm();
    // Enough matrices per task to amortise a task; OpenBLAS runs single-threaded inside the region.
    const int64_t grain = std::max<int64_t>(1, 32768 / std::max<int64_t>(1, M * N * K / 8));
    at::parallel_for(0, B * H, grain, [&](int64_t begin, int64_t end) {
        for (int64_t p = begin; p < end; ++p) {
            const int64_t i = p / H, h = p % H;
            fn(kRowMajor, ta, tb, int(M), int(N), int(K), alpha, pa + i * a0 + h * a1, int(lda),
               pb + i * b0 + h * b1, int(ldb), 0.0f, pc + i * c0 + h * c1, int(ldc));
        }
    });
}

torch::Tensor forwardRaw(const torch::Tensor& aIn, const torch::Tensor& bIn, double alpha, bool interleave) {
    const auto a = usable(aIn), b = usable(bIn);
    const int64_t B = a.size(0), H = a.size(1), M = a.size(2), N = b.size(3);
    torch::Tensor c = interleave ? torch::empty({B, M, H, N}, a.options()).permute({0, 2, 1, 3})
                                 : torch::empty({B, H, M, N}, a.options());
    if (a.size(3) == 0 || c.numel() == 0) return c.zero_();
    gemmBatch(a, b, c, float(alpha));
    return c;
}

// Interleaved = stored as [B, M, H, N]: the head stride is smaller than the row stride.
bool interleaved(const torch::Tensor& t) {
    return t.size(1) > 1 && t.stride(1) < t.stride(2);
}

class BatchedMatmulFunction : public torch::autograd::Function<BatchedMatmulFunction> {
public:
    static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& a,
                                 const torch::Tensor& b, double alpha, bool interleave) {
        ctx->save_for_backward({a, b});
        ctx->saved_data["alpha"] = alpha;
        return forwardRaw(a, b, alpha, interleave);
    }

    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                   torch::autograd::variable_list grads) {
        const auto saved = ctx->get_saved_variables();
        const auto& a = saved[0];
        const auto& b = saved[1];
        const double alpha = ctx->saved_data["alpha"].toDouble();
        const auto g = grads[0];
        torch::Tensor ga, gb;
        // d(alpha a b)/da = alpha g b^T, d/db = alpha a^T g, written in the layout of the input so that the
        // gradient flows back through its views (head split, transpose) without copies.
        if (ctx->needs_input_grad(0)) ga = forwardRaw(g, b.transpose(2, 3), alpha, interleaved(a));
        if (ctx->needs_input_grad(1)) gb = forwardRaw(a.transpose(2, 3), g, alpha, interleaved(b));
        return {ga, gb, torch::Tensor(), torch::Tensor()};
    }
};

} // namespace

bool batchedMatmulUsesBlas() {
    return sgemm() != nullptr;
}

torch::Tensor batchedMatmul(const torch::Tensor& a, const torch::Tensor& b, double alpha,
                            bool interleaveHeads) {
    TORCH_CHECK(a.dim() == 4 && b.dim() == 4 && a.size(0) == b.size(0) && a.size(1) == b.size(1) &&
                    a.size(3) == b.size(2),
                "batchedMatmul: expected [B, H, M, K] x [B, H, K, N], got ", a.sizes(), " x ", b.sizes());
    const bool fast = sgemm() && a.device().is_cpu() && b.device().is_cpu() &&
                      a.scalar_type() == torch::kFloat && b.scalar_type() == torch::kFloat;
    if (!fast) {
        auto c = torch::matmul(a, b);
        return alpha == 1.0 ? c : c.mul(alpha);
    }
    // Without autograd (decoding, evaluation) the autograd node and its saved inputs are pure overhead.
    if (!torch::GradMode::is_enabled()) return forwardRaw(a, b, alpha, interleaveHeads);
    return BatchedMatmulFunction::apply(a, b, alpha, interleaveHeads);
}

} // namespace automoe
