// Incremental decoding (Seq2SeqModel::startDecoding / stepLogits): at every step the logits equal those of
// re-running the decoder on the whole prefix, for the supernet and the standalone copy, over dense, top-1
// and top-2 heterogeneous MoE and arbitrary encoder-decoder attention architectures on a padded source
// batch; the caches grow one position per step; selecting and reordering rows of the state continues the
// selected hypotheses exactly; and the position of a step is the one the full prefix gives it.
#include "NnTestSupport.h"

#include "nn/StandaloneTransformer.h"
#include "nn/SuperTransformer.h"

#include "TestMain.h"
#include <QtTest/QtTest>
#include <torch/torch.h>

#include <string>

using namespace automoe;
using namespace automoe::nntest;

namespace {

// Decodes the fixed target `tgt` [B, T] (no padding) step by step and compares every step's logits with the
// full-prefix logits; returns the largest difference. Checks the caches' shapes on the way.
double stepwiseDifference(Seq2SeqModel& model, const torch::Tensor& src, const torch::Tensor& tgt,
                          int64_t qkv, const std::string& what) {
    const EncoderOutput enc = model.encodeSource(src);
    DecoderState state = model.startDecoding(enc);
    const int64_t B = tgt.size(0), T = tgt.size(1);
    if (state.rows() != B) throw std::runtime_error(what + ": state rows " + std::to_string(state.rows()));
    double worst = 0;
    for (int64_t t = 0; t < T; ++t) {
        if (state.steps != t) throw std::runtime_error(what + ": steps " + std::to_string(state.steps));
        const auto step = model.stepLogits(tgt.select(1, t).contiguous(), state);
        const auto full = model.nextTokenLogits(tgt.narrow(1, 0, t + 1), enc);
        if (step.sizes() != full.sizes()) throw std::runtime_error(what + ": logits shape differs");
        worst = std::max(worst, maxDiff(step, full));
        for (const DecoderLayerCache& c : state.layers) {
            const std::vector<int64_t> expected{B, t + 1, qkv};
            if (c.selfKeys.sizes().vec() != expected || c.selfValues.sizes().vec() != expected)
                throw std::runtime_error(what + ": self-attention cache is not [B, t + 1, qkv] at step " +
                                         std::to_string(t));
            if (c.memoryKeys.size(0) != B || c.memoryKeys.size(2) != qkv)
                throw std::runtime_error(what + ": encoder-decoder keys are not [B, m*S, qkv]");
        }
    }
    return worst;
}

torch::Tensor words(int64_t B, int64_t T) {
    return torch::randint(kPad + 1, kVocab, {B, T}, torch::kLong);
}

} // namespace

class TestIncremental : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { torch::manual_seed(5); }

    void stepLogitsEqualFullPrefixLogits_data() {
        QTest::addColumn<bool>("standalone");
        QTest::newRow("supernet") << false;
        QTest::newRow("standalone") << true;
    }
    void stepLogitsEqualFullPrefixLogits() {
        QFETCH(bool, standalone);
        SuperTransformer supernet = perturbedSupernet();
        torch::NoGradGuard guard;
        const auto src = paddedBatch({5, 7, 3, 1}); // padded rows: the memory mask is exercised
        const auto tgt = words(4, 9);
        double worst = 0;
        int top2 = 0;
        for (const Architecture& arch : variedArchitectures()) {
            for (const LayerGene& l : arch.decoder.layers)
                top2 += l.topK == 2 && l.expertWidths.size() > 1;
            supernet->setArchitecture(arch);
            StandaloneTransformer copy{nullptr};
            if (standalone) {
                copy = StandaloneTransformer::fromSupernet(*supernet, arch);
                copy->eval();
            }
            Seq2SeqModel& model = standalone ? static_cast<Seq2SeqModel&>(*copy) : *supernet;
            const double diff = stepwiseDifference(model, src, tgt, arch.qkvDim, arch.key());
            QVERIFY2(diff < 1e-5, (arch.key() + ": max |step - full| " + std::to_string(diff)).c_str());
            worst = std::max(worst, diff);
        }
        QVERIFY(top2 > 0); // a top-2 MoE decoder layer is among them
        qInfo("largest |incremental - full-prefix| logit difference: %g", worst);
    }

    // The supernet's routing trace is not fed by incremental steps (the routing view traces a teacher-forced
    // forward), and the step's position is the full prefix's.
    void stepsAreNotTracedAndPositionsMatch() {
        SuperTransformer supernet = perturbedSupernet();
        supernet->setArchitecture(heterogeneousArch());
        torch::NoGradGuard guard;
        supernet->setTracing(true);
        const auto src = paddedBatch({4});
        DecoderState state = supernet->startDecoding(supernet->encodeSource(src));
        const size_t traced = supernet->trace().records().size();
        supernet->stepLogits(torch::tensor({kPad + 2}, torch::kLong), state);
        QCOMPARE(supernet->trace().records().size(), traced);
        supernet->setTracing(false);

        const auto tokens = words(2, 6);
        for (int64_t before = 0; before < 6; ++before) {
            const auto full = supernet->positions->forward(tokens.narrow(1, 0, before + 1), 12);
            QCOMPARE(supernet->positions->at(before, 2, 12).sizes().vec(), (std::vector<int64_t>{2, 1, 12}));
            QVERIFY(torch::equal(supernet->positions->at(before, 2, 12), full.narrow(1, before, 1)));
        }
        // Beyond the table's first size (pad + 257 rows) it grows.
        QCOMPARE(supernet->positions->at(400, 1, 12).size(2), int64_t(12));
    }

    // Rows of the state are selected (expand, drop) and reordered like the prefixes they continue: every
    // later step equals the full-prefix logits of the selected prefixes.
    void selectedRowsContinueTheirPrefixes() {
        SuperTransformer supernet = perturbedSupernet();
        supernet->setArchitecture(heterogeneousArch());
        torch::NoGradGuard guard;
        const auto src = paddedBatch({6, 3, 5});
        const auto tgt = words(3, 4);
        DecoderState state = supernet->startDecoding(supernet->encodeSource(src));
        for (int64_t t = 0; t < 3; ++t)
            supernet->stepLogits(tgt.select(1, t).contiguous(), state);

        // Rows 2, 0, 0, 1: an expansion (row 0 twice) and a permutation across sentences.
        const auto index = torch::tensor({2, 0, 0, 1}, torch::kLong);
        state.selectRows(index);
        QCOMPARE(state.rows(), int64_t(4));
        QCOMPARE(state.steps, int64_t(3));
        const auto srcSel = src.index_select(0, index);
        const auto prefix = tgt.index_select(0, index);
        const auto step = supernet->stepLogits(prefix.select(1, 3).contiguous(), state);
        const auto full = supernet->nextTokenLogits(prefix, supernet->encodeSource(srcSel));
        QVERIFY2(maxDiff(step, full) < 1e-5, std::to_string(maxDiff(step, full)).c_str());

        // Within a sentence (rows 1 and 2 are both sentence 0): swapping them moves only the self caches.
        const auto memoryBefore = state.layers[0].memoryKeys.clone();
        const auto selfBefore = state.layers[0].selfKeys.clone();
        state.reorderWithinSentences(torch::tensor({0, 2, 1, 3}, torch::kLong));
        QVERIFY(torch::equal(state.layers[0].memoryKeys, memoryBefore));
        QVERIFY(torch::equal(state.layers[0].selfKeys[1], selfBefore[2]));
        QVERIFY(torch::equal(state.layers[0].selfKeys[2], selfBefore[1]));
        QVERIFY(torch::equal(state.layers[0].selfKeys[0], selfBefore[0]));
    }

    void stepRejectsAStateOfAnotherDecoder() {
        SuperTransformer supernet = perturbedSupernet();
        supernet->setArchitecture(smallSpace().largest());
        torch::NoGradGuard guard;
        DecoderState state = supernet->startDecoding(supernet->encodeSource(paddedBatch({3})));
        supernet->setArchitecture(smallSpace().smallest()); // 1 decoder layer, the state has 2
        QCOMPARE(state.layers.size(), size_t(2));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 supernet->stepLogits(torch::tensor({kPad + 2}, torch::kLong), state));
    }
};

AUTOMOE_TEST_MAIN(TestIncremental)
#include "tst_incremental.moc"
