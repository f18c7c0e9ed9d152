// The heterogeneous Switch MoE layer: outputs equal a token-by-token hand computation (top-1, top-2,
// capacity dropping), each token reaches exactly k experts, gradients reach only the used experts' slices,
// and the load-balancing loss is n * sum f_i P_i per layer whatever n is.
#include "nn/SwitchMoE.h"

#include "TestMain.h"
#include <QtTest/QtTest>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

using namespace automoe;

namespace {

double maxDiff(const torch::Tensor& a, const torch::Tensor& b) {
    return (a - b).abs().max().item<double>();
}

// Largest |entry| outside the leading block [rows, cols] (cols < 0: a vector of `rows` entries).
double outside(const torch::Tensor& g, int64_t rows, int64_t cols = -1) {
    auto mask = torch::ones_like(g, torch::kBool);
    if (cols < 0)
        mask.narrow(0, 0, rows).fill_(false);
    else
        mask.narrow(0, 0, rows).narrow(1, 0, cols).fill_(false);
    auto rest = g.masked_select(mask);
    return rest.numel() ? rest.abs().max().item<double>() : 0.0;
}

// Deterministic "hand-set" weights: every parameter entry gets a fixed value from its position.
void setWeightsByHand(SwitchMoE& moe) {
    torch::NoGradGuard g;
    int p = 0;
    for (auto& t : moe->parameters()) {
        auto flat = t.view(-1);
        for (int64_t i = 0; i < flat.numel(); ++i)
            flat[i] = 0.5 * std::sin(1.3 * double(i) + 0.7 * p) + 0.05 * double(p % 3);
        ++p;
    }
}

struct Reference {
    std::vector<std::vector<double>> out; // [N][E]
    double loss = 0;
    std::vector<std::vector<int>> experts; // chosen experts per token, best first
    std::vector<std::vector<bool>> kept;
};

// Token-by-token Switch MoE in double precision, independent of the tensor implementation.
Reference reference(SwitchMoE& moe, const torch::Tensor& xIn, const std::vector<int>& widths, int k,
                    double cf, bool drop) {
    auto x = xIn.to(torch::kDouble);
    const int N = int(x.size(0)), E = int(x.size(1)), n = int(widths.size());
    auto rw = moe->router->weight.to(torch::kDouble), rb = moe->router->bias.to(torch::kDouble);
    Reference r;
    r.out.assign(N, std::vector<double>(E, 0.0));
    std::vector<std::vector<double>> probs(N, std::vector<double>(n));
    for (int t = 0; t < N; ++t) {
        double mx = -1e300;
        std::vector<double> logit(n);
        for (int i = 0; i < n; ++i) {
            logit[i] = rb[i].item<double>();
            for (int j = 0; j < E; ++j)
                logit[i] += rw[i][j].item<double>() * x[t][j].item<double>();
            mx = std::max(mx, logit[i]);
        }
        double z = 0;
        for (int i = 0; i < n; ++i)
            z += std::exp(logit[i] - mx);
        for (int i = 0; i < n; ++i)
            probs[t][i] = std::exp(logit[i] - mx) / z;
        std::vector<int> order(n);
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return probs[t][a] > probs[t][b]; });
        r.experts.push_back(std::vector<int>(order.begin(), order.begin() + k));
        r.kept.push_back(std::vector<bool>(k, true));
    }
    const long cap = (drop && cf > 0) ? long(std::floor(cf * N * k / n)) : 1L << 40;
    std::vector<long> used(n, 0), counts(n, 0);
    for (int c = 0; c < k; ++c) // first choices of every token before any second choice
        for (int t = 0; t < N; ++t) {
            const int e = r.experts[t][c];
            ++counts[e];
            if (used[e] >= cap) {
                r.kept[t][c] = false;
                continue;
            }
            ++used[e];
            auto& ex = moe->expertSlots[e];
            auto w1 = ex->fc1->weight.to(torch::kDouble), b1 = ex->fc1->bias.to(torch::kDouble);
            auto w2 = ex->fc2->weight.to(torch::kDouble), b2 = ex->fc2->bias.to(torch::kDouble);
            std::vector<double> hidden(widths[e]);
            for (int h = 0; h < widths[e]; ++h) {
                double s = b1[h].item<double>();
                for (int j = 0; j < E; ++j)
                    s += w1[h][j].item<double>() * x[t][j].item<double>();
                hidden[h] = std::max(0.0, s);
            }
            for (int o = 0; o < E; ++o) {
                double s = b2[o].item<double>();
                for (int h = 0; h < widths[e]; ++h)
                    s += w2[o][h].item<double>() * hidden[h];
                r.out[t][o] += probs[t][e] * s;
            }
        }
    for (int i = 0; i < n; ++i) {
        double P = 0;
        for (int t = 0; t < N; ++t)
            P += probs[t][i] / N;
        r.loss += double(counts[i]) / (double(N) * k) * P;
    }
    r.loss *= n;
    return r;
}

torch::Tensor toTensor(const std::vector<std::vector<double>>& v) {
    auto t = torch::zeros({int64_t(v.size()), int64_t(v[0].size())}, torch::kDouble);
    for (size_t i = 0; i < v.size(); ++i)
        for (size_t j = 0; j < v[i].size(); ++j)
            t[int64_t(i)][int64_t(j)] = v[i][j];
    return t.to(torch::kFloat);
}

// The tokens of the hand cases: 4 tokens of width 3.
torch::Tensor handTokens() {
    return torch::tensor({0.9, -0.4, 0.3, -1.1, 0.8, 0.2, 0.5, 0.5, -0.7, 1.5, -0.2, 0.6}).view({4, 3});
}

} // namespace

class TestSwitchMoE : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { torch::manual_seed(11); }

    void oneExpertIsADenseFfn() {
        SwitchMoE moe(4, 8, 3);
        moe->setSample(3, {6}, 1, 1.0, true);
        auto x = torch::randn({5, 3});
        MoERouting routing;
        auto out = moe->forward(x, &routing);
        QVERIFY(!out.balanceLoss.defined());
        auto& e = moe->expertSlots[0];
        auto h = torch::relu(x.matmul(e->fc1->sampledWeight().t()) + e->fc1->sampledBias());
        auto expected = h.matmul(e->fc2->sampledWeight().t()) + e->fc2->sampledBias();
        QVERIFY(maxDiff(out.output, expected) < 1e-6); // no gate factor, no capacity drop
        out.output.sum().backward();
        QVERIFY(!moe->router->weight.grad().defined() ||
                moe->router->weight.grad().abs().sum().item<double>() == 0);
        QCOMPARE(routing.counts[0].item<int64_t>(), int64_t(5));
        QCOMPARE(moe->sampledParameterCount(), int64_t((3 * 6 + 6) + (6 * 3 + 3)));
    }

    void top1EqualsHandComputation() { checkAgainstReference({6, 3}, 1, 0.0, false); }
    void top1ThreeExpertsEqualsHandComputation() { checkAgainstReference({2, 6, 4}, 1, 0.0, false); }
    void top2EqualsHandComputation() { checkAgainstReference({6, 2, 4}, 2, 0.0, false); }
    void top3OfThreeEqualsHandComputation() { checkAgainstReference({6, 2, 4}, 3, 0.0, false); }

    void top1CapacityDropsOverflow() {
        // 4 tokens, 2 experts, cf 0.5: capacity floor(0.5 * 4 / 2) = 1 per expert, so at least 2 drops.
        Reference r;
        checkAgainstReference({6, 3}, 1, 0.5, true, &r);
        if (QTest::currentTestFailed()) return;
        int dropped = 0;
        for (auto& k : r.kept)
            dropped += !k[0];
        QVERIFY(dropped >= 2);
    }

    void top2CapacityDropsSecondChoicesFirst() {
        // 4 tokens, 3 experts, top-2, cf 1: capacity floor(4 * 2 / 3) = 2 per expert.
        Reference r;
        checkAgainstReference({6, 2, 4}, 2, 1.0, true, &r);
        if (QTest::currentTestFailed()) return;
        int dropped = 0;
        for (auto& k : r.kept)
            dropped += !k[0] + !k[1];
        QVERIFY(dropped >= 2);
    }

    void capacityWithoutDroppingKeepsEverything() {
        SwitchMoE moe(3, 8, 3);
        setWeightsByHand(moe);
        moe->setSample(3, {6, 3}, 1, 0.5, /*dropTokens=*/false);
        MoERouting routing;
        moe->forward(handTokens(), &routing);
        QVERIFY(routing.kept.all().item<bool>());
    }

    void eachTokenGoesToExactlyKExperts() {
        SwitchMoE moe(8, 16, 4);
        for (int k : {1, 2, 3}) {
            moe->setSample(6, {16, 4, 8, 12}, k, 0.0, false);
            const int64_t N = 37;
            MoERouting routing;
            moe->forward(torch::randn({N, 6}), &routing);
            QCOMPARE(routing.expert.sizes().vec(), (std::vector<int64_t>{N, k}));
            QCOMPARE(routing.counts.sum().item<int64_t>(), N * k);
            auto sorted = std::get<0>(routing.expert.sort(1));
            for (int64_t t = 0; t < N; ++t)
                for (int j = 1; j < k; ++j)
                    QVERIFY(sorted[t][j].item<int64_t>() != sorted[t][j - 1].item<int64_t>());
            QVERIFY(routing.expert.min().item<int64_t>() >= 0 && routing.expert.max().item<int64_t>() < 4);
            // Gates are the router probabilities, best first, summing to at most 1 (not renormalised).
            QVERIFY((routing.gate.sum(1) <= 1.0 + 1e-6).all().item<bool>());
            if (k > 1) QVERIFY((routing.gate.select(1, 0) >= routing.gate.select(1, 1)).all().item<bool>());
        }
    }

    void gradientsReachOnlyUsedExpertsAndSlices() {
        SwitchMoE moe(8, 16, 4);
        const std::vector<int> widths{16, 8, 4};
        moe->setSample(6, widths, 2, 0.0, false);
        MoERouting routing;
        auto out = moe->forward(torch::randn({40, 6}), &routing);
        (out.output.pow(2).sum() + out.balanceLoss).backward();
        for (int i = 0; i < 4; ++i) {
            auto& e = moe->expertSlots[i];
            const int w = i < 3 ? widths[i] : 0;
            const bool got = i < 3 && routing.counts[i].item<int64_t>() > 0;
            for (auto* lin : {&e->fc1, &e->fc2}) {
                auto g = (*lin)->weight.grad();
                auto gb = (*lin)->bias.grad();
                if (i == 3) { // unused slot: never touched
                    QVERIFY(!g.defined() || g.abs().sum().item<double>() == 0);
                    continue;
                }
                const int64_t rows = lin == &e->fc1 ? w : 6, cols = lin == &e->fc1 ? 6 : w;
                auto inside = g.slice(0, 0, rows).slice(1, 0, cols);
                QCOMPARE(outside(g, rows, cols), 0.0);
                QCOMPARE(outside(gb, rows), 0.0);
                if (got) QVERIFY(inside.abs().sum().item<double>() > 0);
            }
        }
        auto gr = moe->router->weight.grad();
        QCOMPARE(outside(gr, 3, 6), 0.0);
        QVERIFY(gr.slice(0, 0, 3).slice(1, 0, 6).abs().min().item<double>() > 0);
        QCOMPARE(moe->router->bias.grad()[3].item<double>(), 0.0);
    }

    void balanceLossIsPerLayerWithDifferentExpertCounts() {
        // Layer A: 2 experts; layer B: 3 experts; same 4 tokens; the loss of each is n * sum f_i P_i
        // over its own experts (1 at perfect balance), computed here by hand from the router.
        auto x = handTokens();
        SwitchMoE a(3, 8, 3), b(3, 8, 3);
        setWeightsByHand(a);
        setWeightsByHand(b);
        {
            torch::NoGradGuard g;
            a->router->weight.copy_(
                torch::tensor({1.0, 0.0, 0.0, -1.0, 0.5, 0.0, 0.0, 0.0, 0.0}).view({3, 3}));
            a->router->bias.copy_(
                torch::tensor({0.1, -0.1, 9.0})); // slot 2 unused by A: its bias must not matter
            b->router->weight.copy_(
                torch::tensor({0.0, 1.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0}).view({3, 3}));
            b->router->bias.copy_(torch::tensor({0.0, 0.2, -0.3}));
        }
        a->setSample(3, {6, 3}, 1, 0.0, false);
        b->setSample(3, {2, 6, 4}, 1, 0.0, false);
        const double la = a->forward(x).balanceLoss.item<double>();
        const double lb = b->forward(x).balanceLoss.item<double>();

        auto byHand = [&](const torch::Tensor& W, const torch::Tensor& B, int n) {
            auto logits = x.to(torch::kDouble).matmul(W.slice(0, 0, n).to(torch::kDouble).t()) +
                          B.slice(0, 0, n).to(torch::kDouble);
            auto p = torch::softmax(logits, -1);
            auto choice = p.argmax(1);
            double loss = 0;
            for (int i = 0; i < n; ++i) {
                const double f = choice.eq(i).sum().item<double>() / 4.0;
                const double P = p.select(1, i).mean().item<double>();
                loss += f * P;
            }
            return n * loss;
        };
        const double ea = byHand(a->router->weight, a->router->bias, 2);
        const double eb = byHand(b->router->weight, b->router->bias, 3);
        QVERIFY(std::abs(la - ea) < 1e-6);
        QVERIFY(std::abs(lb - eb) < 1e-6);
        // Hand numbers for A: logits t0 (1.0, -1.2), t1 (-1.0, 1.4), t2 (0.6, -0.35), t3 (1.6, -1.7):
        // top-1 sends t0, t2, t3 to expert 0 and t1 to expert 1, so f = (3/4, 1/4).
        auto pa = torch::softmax(
            torch::tensor({1.0, -1.2, -1.0, 1.4, 0.6, -0.35, 1.6, -1.7}, torch::kDouble).view({4, 2}), 1);
        const double handA =
            2 * (0.75 * pa.select(1, 0).mean().item<double>() + 0.25 * pa.select(1, 1).mean().item<double>());
        QVERIFY(std::abs(la - handA) < 1e-6);
    }

    void balanceLossCountsAssignmentsBeforeDropping() {
        SwitchMoE moe(3, 8, 3);
        setWeightsByHand(moe);
        moe->setSample(3, {6, 3}, 1, 0.5, true);
        auto withDrop = moe->forward(handTokens()).balanceLoss.item<double>();
        moe->setSample(3, {6, 3}, 1, 0.0, false);
        auto noDrop = moe->forward(handTokens()).balanceLoss.item<double>();
        QVERIFY(std::abs(withDrop - noDrop) < 1e-7);
    }

    void sequenceForwardSkipsPadding() {
        SwitchMoE moe(8, 16, 3);
        moe->setSample(6, {16, 8, 4}, 1, 0.0, false);
        auto tokens = torch::tensor({5, 6, 7, 1, 8, 1, 1, 1}, torch::kLong).view({2, 4});
        auto rows = TokenRows::of(tokens, 1);
        QCOMPARE(rows.count(), int64_t(4));
        auto x = torch::randn({2, 4, 6});
        MoERouting routing;
        auto out = moe->forwardSequence(x, rows, true, &routing);
        QCOMPARE(out.output.sizes().vec(), (std::vector<int64_t>{2, 4, 6}));
        QCOMPARE(out.output[0][3].abs().sum().item<double>(), 0.0);
        QCOMPARE(out.output[1].slice(0, 1, 4).abs().sum().item<double>(), 0.0);
        QCOMPARE(routing.counts.sum().item<int64_t>(), int64_t(4));
        // Real rows get exactly what the layer gives them alone, and pad rows do not enter the loss.
        auto real = x.view({8, 6}).index_select(0, rows.index);
        auto alone = moe->forward(real);
        QVERIFY(maxDiff(out.output.view({8, 6}).index_select(0, rows.index), alone.output) < 1e-6);
        QVERIFY(std::abs(out.balanceLoss.item<double>() - alone.balanceLoss.item<double>()) < 1e-7);

        // A dense layer may run on all rows (skipPadding off) with the same real-token results.
        moe->setSample(6, {12}, 1, 0.0, false);
        MoERouting dense;
        auto all = moe->forwardSequence(x, rows, false, &dense);
        auto skip = moe->forwardSequence(x, rows, true);
        QVERIFY(maxDiff(all.output.view({8, 6}).index_select(0, rows.index),
                        skip.output.view({8, 6}).index_select(0, rows.index)) < 1e-6);
        QCOMPARE(dense.expert.size(0), int64_t(4));
    }

    // A decoding step (switchFeedForward's step mode) sends each of its few tokens to its k experts one by
    // one: the same outputs as the hand computation without any capacity limit (a limit counted over one
    // step's tokens would drop nearly everything), no balance loss; more tokens than the per-token path
    // takes go through the dispatch, still without capacity.
    void stepModeEqualsHandComputationWithoutCapacity_data() {
        QTest::addColumn<int>("tokens");
        QTest::addColumn<int>("k");
        for (int tokens : {1, 3, 4})
            for (int k : {1, 2})
                QTest::newRow(qPrintable(QString("%1 tokens, top-%2").arg(tokens).arg(k))) << tokens << k;
        QTest::newRow("10 tokens (dispatch), top-2") << 10 << 2;
    }
    void stepModeEqualsHandComputationWithoutCapacity() {
        QFETCH(int, tokens);
        QFETCH(int, k);
        const std::vector<int> widths{6, 2, 4};
        SwitchMoE moe(3, 8, 3);
        setWeightsByHand(moe);
        moe->setSample(3, widths, k, /*capacityFactor=*/0.5, /*dropTokens=*/true);
        torch::NoGradGuard noGrad;
        auto x =
            torch::cat({handTokens(), handTokens().flip(0), handTokens().mul(0.5)}, 0).narrow(0, 0, tokens);
        const MoEOutput step = switchFeedForward(moe->sampled(), x, nullptr, /*step=*/true);
        QVERIFY(!step.balanceLoss.defined());
        const Reference unlimited = reference(moe, x, widths, k, 0.0, false);
        QVERIFY2(maxDiff(step.output, toTensor(unlimited.out)) < 1e-5,
                 std::to_string(maxDiff(step.output, toTensor(unlimited.out))).c_str());
        // Outside step mode the capacity limit applies (floor(0.5 * N * k / 3) per expert): something drops.
        const Reference limited = reference(moe, x, widths, k, 0.5, true);
        QVERIFY(maxDiff(toTensor(limited.out), toTensor(unlimited.out)) > 1e-3);
        QVERIFY(maxDiff(moe->forward(x).output, toTensor(limited.out)) < 1e-5);
    }

private:
    void checkAgainstReference(const std::vector<int>& widths, int k, double cf, bool drop,
                               Reference* result = nullptr) {
        SwitchMoE moe(3, 8, 3);
        setWeightsByHand(moe);
        moe->setSample(3, widths, k, cf, drop);
        auto x = handTokens();
        MoERouting routing;
        auto out = moe->forward(x, &routing);
        Reference r = reference(moe, x, widths, k, cf, drop);
        if (result) *result = r;
        QVERIFY(maxDiff(out.output, toTensor(r.out)) < 1e-5);
        QVERIFY(std::abs(out.balanceLoss.item<double>() - r.loss) < 1e-6);
        for (int t = 0; t < 4; ++t)
            for (int j = 0; j < k; ++j) {
                QCOMPARE(routing.expert[t][j].item<int64_t>(), int64_t(r.experts[t][j]));
                QCOMPARE(routing.kept[t][j].item<bool>(), bool(r.kept[t][j]));
            }
    }
};

AUTOMOE_TEST_MAIN(TestSwitchMoE)
#include "tst_switchmoe.moc"
