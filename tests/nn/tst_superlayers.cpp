// The super layers share weights by slicing: sampled weights are views of the super weight, forward
// passes equal plain layers built from the slices, and gradients reach only the used slice.
#include "nn/BatchedMatmul.h"
#include "nn/SinusoidalPositions.h"
#include "nn/SuperAttention.h"
#include "nn/SuperEmbedding.h"
#include "nn/SuperLayerNorm.h"
#include "nn/SuperLinear.h"

#include "TestMain.h"
#include <QtTest/QtTest>
#include <torch/torch.h>

#include <cmath>

using namespace automoe;

namespace {

double maxDiff(const torch::Tensor& a, const torch::Tensor& b) {
    return (a - b).abs().max().item<double>();
}

// Zero everywhere outside the leading block [rows, cols] (cols < 0: a vector of `rows` entries).
bool zeroOutside(const torch::Tensor& g, int64_t rows, int64_t cols = -1) {
    auto mask = torch::ones_like(g, torch::kBool);
    if (cols < 0)
        mask.narrow(0, 0, rows).fill_(false);
    else
        mask.narrow(0, 0, rows).narrow(1, 0, cols).fill_(false);
    return g.masked_select(mask).abs().max().item<double>() == 0.0;
}

bool nonzeroInside(const torch::Tensor& g, int64_t rows, int64_t cols = -1) {
    auto block = cols < 0 ? g.narrow(0, 0, rows) : g.narrow(0, 0, rows).narrow(1, 0, cols);
    return block.abs().min().item<double>() > 0.0;
}

} // namespace

class TestSuperLayers : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { torch::manual_seed(7); }

    void sampledLinearWeightIsAView() {
        SuperLinear lin(6, 5);
        lin->setSample(4, 3);
        auto w = lin->sampledWeight();
        auto b = lin->sampledBias();
        QCOMPARE(w.sizes().vec(), (std::vector<int64_t>{3, 4}));
        QVERIFY(w.storage().unsafeGetStorageImpl() == lin->weight.storage().unsafeGetStorageImpl());
        QVERIFY(b.storage().unsafeGetStorageImpl() == lin->bias.storage().unsafeGetStorageImpl());
        QCOMPARE(w.data_ptr<float>(), lin->weight.data_ptr<float>()); // leading rows and columns: offset 0
        QCOMPARE(w.stride(0), int64_t(6));                            // the super weight's row stride
        QCOMPARE(w.storage_offset(), int64_t(0));
        {
            torch::NoGradGuard g;
            lin->weight[2][3].fill_(42.0);
        }
        QCOMPARE(w[2][3].item<float>(), 42.0f);
        QCOMPARE(lin->sampledParameterCount(), int64_t(3 * 4 + 3));
    }

    void linearForwardEqualsPlainLinear() {
        SuperLinear lin(6, 5);
        lin->setSample(4, 3);
        auto x = torch::randn({7, 4});
        auto expected =
            x.matmul(lin->weight.slice(0, 0, 3).slice(1, 0, 4).clone().t()) + lin->bias.slice(0, 0, 3);
        QVERIFY(maxDiff(lin->forward(x), expected) < 1e-6);
    }

    void linearGradientReachesOnlyUsedSlice() {
        SuperLinear lin(6, 5);
        lin->setSample(4, 3);
        auto x = torch::randn({7, 4});
        lin->forward(x).sum().backward();
        auto gw = lin->weight.grad();
        auto gb = lin->bias.grad();
        QCOMPARE(gw.sizes().vec(), (std::vector<int64_t>{5, 6}));
        QVERIFY(zeroOutside(gw, 3, 4));
        QVERIFY(zeroOutside(gb, 3));
        // d(sum y)/dW[o, i] = sum over rows of x[:, i] for every used output o.
        QVERIFY(maxDiff(gw.slice(0, 0, 3).slice(1, 0, 4), x.sum(0).expand({3, 4})) < 1e-5);
        QVERIFY(maxDiff(gb.slice(0, 0, 3), torch::full({3}, 7.0)) < 1e-6);
    }

    void layerNormUsesLeadingGainAndBias() {
        SuperLayerNorm ln(6);
        {
            torch::NoGradGuard g;
            ln->weight.copy_(torch::randn({6}));
            ln->bias.copy_(torch::randn({6}));
        }
        ln->setSample(4);
        auto x = torch::randn({3, 4});
        auto y = ln->forward(x);
        auto mean = x.mean(-1, true);
        auto var = x.var(-1, false, true);
        auto expected =
            (x - mean) / torch::sqrt(var + 1e-5) * ln->weight.slice(0, 0, 4) + ln->bias.slice(0, 0, 4);
        QVERIFY(maxDiff(y, expected) < 1e-5);
        (y * torch::randn({3, 4})).sum().backward();
        QVERIFY(zeroOutside(ln->weight.grad(), 4));
        QVERIFY(zeroOutside(ln->bias.grad(), 4));
        QCOMPARE(ln->sampledParameterCount(), int64_t(8));
    }

    void embeddingIsSharedScaledAndTied() {
        const int64_t V = 10, pad = 1;
        SuperEmbedding emb(V, 8, pad);
        QCOMPARE(emb->weight[pad].abs().sum().item<double>(), 0.0);
        auto tokens = torch::tensor({4, 2, 9, 1}, torch::kLong).view({2, 2});
        auto e5 = emb->forward(tokens, 5);
        auto expected =
            emb->weight.index_select(0, tokens.view(-1)).slice(1, 0, 5).view({2, 2, 5}) * std::sqrt(5.0);
        QVERIFY(maxDiff(e5, expected) < 1e-6);
        // The encoder (narrower) reads the same table: its columns are the first columns of the decoder's.
        auto e3 = emb->forward(tokens, 3);
        QVERIFY(maxDiff(e3 / std::sqrt(3.0), e5.slice(2, 0, 3) / std::sqrt(5.0)) < 1e-6);

        auto h = torch::randn({2, 2, 5});
        auto logits = emb->project(h);
        QCOMPARE(logits.sizes().vec(), (std::vector<int64_t>{2, 2, V}));
        QVERIFY(maxDiff(logits, h.matmul(emb->weight.slice(1, 0, 5).t())) < 1e-5);

        (e5.sum() + logits.sum()).backward();
        auto g = emb->weight.grad();
        QVERIFY(zeroOutside(g, V, 5));
        QVERIFY(nonzeroInside(g, V, 5)); // every row is touched through the tied output layer
        // The pad row gets gradient only from the output layer, not from the input lookup.
        QVERIFY(maxDiff(g[pad].slice(0, 0, 5), h.reshape({-1, 5}).sum(0)) < 1e-5);
    }

    void sinusoidalPositionsFollowFairseqAndIgnorePadding() {
        const int64_t pad = 1, dim = 6;
        SinusoidalPositions pos(pad);
        // Sentence [7, 8] right-padded and the same sentence in a wider batch.
        auto a = torch::tensor({7, 8, 1, 1}, torch::kLong).view({1, 4});
        auto b = torch::tensor({7, 8}, torch::kLong).view({1, 2});
        auto pa = pos->forward(a, dim);
        auto pb = pos->forward(b, dim);
        QVERIFY(maxDiff(pa.slice(1, 0, 2), pb) < 1e-7);
        QCOMPARE(pa.slice(1, 2, 4).abs().sum().item<double>(), 0.0); // pad positions are the zero row
        // Row p = [sin(p w_i), cos(p w_i)], w_i = 10000^(-i / (half - 1)), positions start at pad + 1.
        const int half = 3;
        for (int t = 0; t < 2; ++t) {
            const double p = pad + 1 + t;
            for (int i = 0; i < half; ++i) {
                const double w = std::exp(-i * std::log(10000.0) / (half - 1));
                QVERIFY(std::abs(pb[0][t][i].item<double>() - std::sin(p * w)) < 1e-6);
                QVERIFY(std::abs(pb[0][t][half + i].item<double>() - std::cos(p * w)) < 1e-6);
            }
        }
        // Odd widths get a zero last column; a narrower width is its own table, not a slice.
        auto odd = pos->forward(b, 5);
        QCOMPARE(odd.select(2, 4).abs().sum().item<double>(), 0.0);
        QVERIFY(!pos->forward(b, 4).requires_grad());
    }

    void attentionEqualsHandComputationWithDifferentKeyWidth() {
        // Decoder-style: queries 6 wide, keys/values 4 wide (encoder), qkv 8 with 2 heads of size 4.
        SuperAttention att(8, 6, 8, 0.0);
        att->setSample(6, 4, 8, 2);
        att->eval();
        auto q = torch::randn({2, 3, 6});
        auto kv = torch::randn({2, 5, 4});
        auto mask = torch::zeros({2, 1, 1, 5});
        mask[1][0][0].slice(0, 3, 5).fill_(-1e9); // sentence 1 has 3 real keys
        auto y = att->forward(q, kv, mask);
        QCOMPARE(y.sizes().vec(), (std::vector<int64_t>{2, 3, 6}));

        auto lin = [](const SuperLinear& l, const torch::Tensor& x) {
            return x.matmul(l->sampledWeight().t()) + l->sampledBias();
        };
        auto Q = lin(att->qProj, q), K = lin(att->kProj, kv), Vv = lin(att->vProj, kv);
        auto ctx = torch::zeros({2, 3, 8});
        for (int b = 0; b < 2; ++b)
            for (int h = 0; h < 2; ++h) {
                const int keys = b == 0 ? 5 : 3;
                auto qh = Q[b].slice(1, 4 * h, 4 * h + 4);
                auto kh = K[b].slice(0, 0, keys).slice(1, 4 * h, 4 * h + 4);
                auto vh = Vv[b].slice(0, 0, keys).slice(1, 4 * h, 4 * h + 4);
                auto p = torch::softmax(qh.matmul(kh.t()) / 2.0, -1); // 1/sqrt(head size 4)
                ctx[b].slice(1, 4 * h, 4 * h + 4).copy_(p.matmul(vh));
            }
        auto expected = lin(att->outProj, ctx);
        QVERIFY(maxDiff(y, expected) < 1e-5);

        // Masked keys have no influence at all.
        auto kv2 = kv.clone();
        kv2[1].slice(0, 3, 5).normal_();
        QVERIFY(maxDiff(att->forward(q, kv2, mask)[1], y[1]) < 1e-6);
    }

    void attentionGradientsStayInSlices() {
        SuperAttention att(8, 8, 12, 0.0);
        att->setSample(6, 6, 8, 4);
        auto x = torch::randn({2, 3, 6});
        att->forward(x, x, torch::Tensor()).pow(2).sum().backward();
        QVERIFY(zeroOutside(att->qProj->weight.grad(), 8, 6));
        QVERIFY(zeroOutside(att->kProj->weight.grad(), 8, 6));
        QVERIFY(zeroOutside(att->vProj->weight.grad(), 8, 6));
        QVERIFY(zeroOutside(att->outProj->weight.grad(), 6, 8));
        QVERIFY(zeroOutside(att->outProj->bias.grad(), 6));
        QVERIFY(nonzeroInside(att->vProj->weight.grad(), 8, 6));
        QCOMPARE(att->sampledParameterCount(), int64_t(3 * (6 * 8 + 8) + 8 * 6 + 6));
    }

    void batchedMatmulMatchesTorchOnStridedViews() {
        QVERIFY(batchedMatmulUsesBlas()); // the fast path is what the model runs here
        // Attention's operands: heads as strided views of a fused [B, T, 3 * H * D] projection.
        const int64_t B = 3, T = 5, S = 7, H = 2, D = 4;
        auto fused = torch::randn({B, T, 3 * H * D}, torch::requires_grad());
        auto other = torch::randn({B, S, 2 * H * D}, torch::requires_grad());
        auto parts = fused.split(H * D, -1);
        auto kv = other.split(H * D, -1);
        auto q = parts[0].view({B, T, H, D}).permute({0, 2, 1, 3}); // [B, H, T, D], row stride 3HD
        auto k = kv[0].view({B, S, H, D}).permute({0, 2, 3, 1});    // [B, H, D, S], transposed
        auto v = kv[1].view({B, S, H, D}).permute({0, 2, 1, 3});
        for (bool interleave : {false, true}) {
            auto scores = batchedMatmul(q, k, 0.5);
            auto ref = torch::matmul(q, k) * 0.5;
            QVERIFY(maxDiff(scores, ref) < 1e-5);
            auto p = torch::softmax(scores, -1);
            auto ctx = batchedMatmul(p, v, 1.0, interleave);
            auto ctxRef = torch::matmul(torch::softmax(ref, -1), v);
            QVERIFY(maxDiff(ctx, ctxRef) < 1e-5);
            QCOMPARE(ctx.is_contiguous(), !interleave);
            if (interleave) // memory is [B, T, H, D]: the transposed view is contiguous
                QVERIFY(ctx.permute({0, 2, 1, 3}).is_contiguous());
            auto w = torch::randn_like(ctxRef);
            auto grads = torch::autograd::grad({(ctx * w).sum()}, {fused, other});
            auto refGrads = torch::autograd::grad({(ctxRef * w).sum()}, {fused, other});
            QVERIFY(maxDiff(grads[0], refGrads[0]) < 1e-5);
            QVERIFY(maxDiff(grads[1], refGrads[1]) < 1e-5);
        }
        // Degenerate and non-unit-stride operands take the same path correctly.
        auto a = torch::randn({2, 3, 1, 6}), b = torch::randn({2, 3, 6, 1});
        QVERIFY(maxDiff(batchedMatmul(a, b), torch::matmul(a, b)) < 1e-5);
        auto odd = torch::randn({2, 3, 4, 10}).slice(3, 0, 10, 2); // stride 2 in both last dims' sense
        auto rhs = torch::randn({2, 3, 5, 3});
        QVERIFY(maxDiff(batchedMatmul(odd, rhs), torch::matmul(odd, rhs)) < 1e-5);
    }

    void invalidSamplesAreRejected() {
        SuperLinear lin(6, 5);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, lin->setSample(7, 3));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, lin->setSample(0, 3));
        SuperAttention att(8, 8, 8, 0.0);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, att->setSample(8, 8, 8, 3));
    }
};

AUTOMOE_TEST_MAIN(TestSuperLayers)
#include "tst_superlayers.moc"
