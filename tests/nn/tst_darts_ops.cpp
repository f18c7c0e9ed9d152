// DARTSformer's candidate operations (issue 13, in progress; their names are tst_dartsspace's): every
// candidate keeps the shape, and a decoder (causal) candidate never sees a later position — checked by
// changing the future and comparing the past; the non-causal versions do see it, so the check can fail.
#include "nn/DartsOps.h"

#include "TestMain.h"
#include <QtTest/QtTest>

using namespace automoe;

namespace {

const char* const kCandidates[] = {"conv3",      "conv5",       "conv7",          "conv11",   "lightconv3",
                                   "lightconv7", "lightconv11", "lightconv15",    "dynconv3", "dynconv7",
                                   "dynconv11",  "dynconv15",   "self_attention", "glu",      "ffn",
                                   "zero",       "identity"};

bool mixesTime(const std::string& name) {
    return name.find("conv") != std::string::npos || name == "self_attention";
}

} // namespace

class TestDartsOps : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { torch::manual_seed(3); }

    void candidatesKeepTheShape() {
        const auto x = torch::randn({2, 9, 16});
        for (const char* name : kCandidates)
            for (bool causal : {false, true}) {
                DartsOp op(DartsOpSpec::parse(name), 16, causal);
                op->eval();
                const auto y = op->forward(x);
                QCOMPARE(y.sizes().vec(), x.sizes().vec());
                if (std::string(name) == "zero") QCOMPARE(y.abs().max().item<float>(), 0.0f);
                if (std::string(name) == "identity") QVERIFY(torch::equal(y, x));
            }
    }

    void decoderCandidatesNeverSeeTheFuture_data() {
        QTest::addColumn<QString>("name");
        for (const char* name : kCandidates)
            if (mixesTime(name)) QTest::newRow(name) << QString(name);
    }

    void decoderCandidatesNeverSeeTheFuture() {
        QFETCH(QString, name);
        const int64_t T = 12, t = 5;
        const auto x = torch::randn({2, T, 16});
        auto changed = x.clone();
        changed.narrow(1, t + 1, T - t - 1).copy_(torch::randn({2, T - t - 1, 16}) * 3);
        for (bool causal : {true, false}) {
            DartsOp op(DartsOpSpec::parse(name.toStdString()), 16, causal);
            op->eval();
            torch::NoGradGuard noGrad;
            const double diff =
                (op->forward(x).narrow(1, 0, t + 1) - op->forward(changed).narrow(1, 0, t + 1))
                    .abs()
                    .max()
                    .item<double>();
            if (causal)
                QVERIFY2(diff < 1e-6,
                         qPrintable(QString("causal %1 saw the future: %2").arg(name).arg(diff)));
            else
                QVERIFY2(diff > 1e-3, qPrintable(QString("non-causal %1 did not: %2").arg(name).arg(diff)));
        }
    }

    void mixedOpIsTheWeightedSum() {
        std::vector<DartsOpSpec> candidates;
        for (const char* n : {"conv3", "ffn", "zero", "identity", "ende_attention"})
            candidates.push_back(DartsOpSpec::parse(n));
        MixedOp mixed(candidates, 16, /*causal=*/true, 4, /*memoryWidth=*/16);
        mixed->eval();
        const auto x = torch::randn({2, 7, 16});
        const auto memory = torch::randn({2, 5, 16});
        auto alpha = torch::randn({5}, torch::requires_grad());
        const auto w = torch::softmax(alpha, 0);
        const auto y = mixed->forward(x, w, memory);
        torch::Tensor expected = torch::zeros_like(x);
        for (size_t i = 0; i < candidates.size(); ++i)
            expected = expected + w[int64_t(i)].detach() * mixed->op(i)->forward(x, memory).detach();
        QVERIFY((y.detach() - expected).abs().max().item<double>() < 1e-6);
        // alpha gets a gradient through the weights; a one-hot weight selects one candidate.
        y.sum().backward();
        QVERIFY(alpha.grad().defined() && alpha.grad().abs().sum().item<double>() > 0);
        const auto oneHot = torch::tensor({0.f, 0.f, 0.f, 1.f, 0.f});
        QVERIFY(torch::allclose(mixed->forward(x, oneHot, memory), x));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, mixed->forward(x, torch::ones({4}), memory));
    }

    void encoderAttentionReadsTheMemory() {
        DartsOp op(DartsOpSpec::parse("ende_attention"), 16, /*causal=*/true, 4, /*memoryWidth=*/24);
        op->eval();
        const auto x = torch::randn({2, 6, 16});
        const auto memory = torch::randn({2, 8, 24});
        const auto y = op->forward(x, memory);
        QCOMPARE(y.sizes().vec(), x.sizes().vec());
        QVERIFY((y - op->forward(x, memory * 2)).abs().max().item<double>() > 1e-3);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, op->forward(x));
        // Only a decoder part attends the encoder; heads must divide the width.
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 DartsOp(DartsOpSpec::parse("ende_attention"), 16, false, 4, 24));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 DartsOp(DartsOpSpec::parse("self_attention"), 18, false, 4));
    }
};

AUTOMOE_TEST_MAIN(TestDartsOps)
#include "tst_darts_ops.moc"
