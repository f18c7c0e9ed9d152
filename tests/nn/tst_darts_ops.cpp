// DARTSformer's candidate operations (issue 13, in progress): names parse and print back, bad names are
// refused by name, every candidate keeps the shape, and a decoder (causal) candidate never sees a later
// position — checked by changing the future and comparing the past; the non-causal versions do see it, so
// the check can fail.
#include "nn/DartsOps.h"

#include "TestMain.h"
#include <QtTest/QtTest>

using namespace automoe;

namespace {

const char* const kCandidates[] = {"conv3",      "conv5",      "conv7",      "conv11",     "lightconv3",
                                   "lightconv7", "lightconv11", "lightconv15", "dynconv3",   "dynconv7",
                                   "dynconv11",  "dynconv15",  "self_attention", "glu",     "ffn",
                                   "zero",       "identity"};

bool mixesTime(const std::string& name) {
    return name.find("conv") != std::string::npos || name == "self_attention";
}

} // namespace

class TestDartsOps : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { torch::manual_seed(3); }

    void namesRoundTrip() {
        for (const char* name : kCandidates)
            QCOMPARE(QString::fromStdString(DartsOpSpec::parse(name).name()), QString(name));
        QCOMPARE(QString::fromStdString(DartsOpSpec::parse("ende_attention").name()), QString("ende_attention"));
        QCOMPARE(DartsOpSpec::parse("lightconv15").kernel, 15);
    }

    void badNamesAreRefused_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("message");
        QTest::newRow("even kernel") << "conv4" << "'conv4': the kernel width must be odd";
        QTest::newRow("no kernel") << "conv" << "unknown DARTS operation 'conv'";
        QTest::newRow("not a number") << "dynconvX" << "unknown DARTS operation 'dynconvX'";
        QTest::newRow("unknown") << "attention" << "unknown DARTS operation 'attention'";
    }

    void badNamesAreRefused() {
        QFETCH(QString, name);
        QFETCH(QString, message);
        try {
            DartsOpSpec::parse(name.toStdString());
            QFAIL("no error");
        } catch (const std::invalid_argument& e) {
            QVERIFY2(QString(e.what()).contains(message), e.what());
        }
    }

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
            const double diff = (op->forward(x).narrow(1, 0, t + 1) - op->forward(changed).narrow(1, 0, t + 1))
                                    .abs()
                                    .max()
                                    .item<double>();
            if (causal)
                QVERIFY2(diff < 1e-6, qPrintable(QString("causal %1 saw the future: %2").arg(name).arg(diff)));
            else
                QVERIFY2(diff > 1e-3, qPrintable(QString("non-causal %1 did not: %2").arg(name).arg(diff)));
        }
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
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, DartsOp(DartsOpSpec::parse("ende_attention"), 16, false, 4, 24));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, DartsOp(DartsOpSpec::parse("self_attention"), 18, false, 4));
    }
};

AUTOMOE_TEST_MAIN(TestDartsOps)
#include "tst_darts_ops.moc"
