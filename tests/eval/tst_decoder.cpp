// Greedy and beam decoding through Seq2SeqModel, and the id-level batching of Translation.h: beam 1 is
// greedy, batching and padding change no sentence, length limits hold and specials never appear, beam 4
// scores at least as well as greedy under the model (rescored independently by teacher forcing), an
// overfitted model is decoded back exactly, and length-sorted batches come back in input order.
#include "../nn/NnTestSupport.h"

#include "data/Vocabulary.h"
#include "eval/Decoder.h"
#include "eval/Translation.h"
#include "nn/SuperTransformer.h"
#include "nn/TorchRuntime.h"

#include "TestMain.h"
#include <QtTest/QtTest>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

using namespace automoe;

namespace {

constexpr int64_t kV = 23;
constexpr int64_t kPadId = Vocabulary::kPadId;
constexpr int64_t kBos = Vocabulary::kBosId;
constexpr int64_t kEos = Vocabulary::kEosId;
constexpr int64_t kFirstWord = Vocabulary::kEosId + 1;

SuperTransformerConfig modelConfig(int64_t vocab, double dropout = 0.0) {
    SuperTransformerConfig c = nntest::smallConfig(dropout);
    c.vocabSize = vocab;
    c.padIndex = kPadId;
    return c;
}

Architecture archNamed(const QString& name) {
    if (name == "smallest") return nntest::smallSpace().smallest();
    if (name == "largest") return nntest::smallSpace().largest();
    return nntest::heterogeneousArch();
}

// Random word ids in [kFirstWord, vocab), sentence b of lengths[b] tokens, right-padded with kPadId.
torch::Tensor sourceBatch(const std::vector<int64_t>& lengths, int64_t vocab = kV) {
    const int64_t S = *std::max_element(lengths.begin(), lengths.end());
    auto t = torch::full({int64_t(lengths.size()), S}, kPadId, torch::kLong);
    for (size_t b = 0; b < lengths.size(); ++b)
        t[int64_t(b)]
            .narrow(0, 0, lengths[b])
            .copy_(torch::randint(kFirstWord, vocab, {lengths[b]}, torch::kLong));
    return t;
}

int64_t lengthOf(const torch::Tensor& src, int64_t b) {
    return src[b].ne(kPadId).sum().item<int64_t>();
}

// Sentence b of the batch on its own, without padding.
torch::Tensor alone(const torch::Tensor& src, int64_t b) {
    return src.narrow(0, b, 1).narrow(1, 0, lengthOf(src, b));
}

torch::Tensor row(const std::vector<int64_t>& ids) {
    return torch::tensor(ids, torch::kLong).unsqueeze(0);
}

// A random model rarely picks eos, so every hypothesis would run to its length limit. This wrapper adds
// `eosBias` to the eos logit once a hypothesis has as many tokens as its source (read from the padding mask),
// so that sentences end at different steps, some before their limit, and beam search meets finished
// hypotheses while others continue; `earlyPenalty` is subtracted before that point. Decoding sees it only
// through Seq2SeqModel.
class EosNudgedModel : public Seq2SeqModel {
public:
    EosNudgedModel(SuperTransformer model, double eosBias, double earlyPenalty)
        : model_(std::move(model))
        , bias_(eosBias)
        , early_(earlyPenalty) {}

    EncoderOutput encodeSource(const torch::Tensor& src) override { return model_->encodeSource(src); }
    torch::Tensor nextTokenLogits(const torch::Tensor& tgtIn, const EncoderOutput& encoded) override {
        auto logits = model_->nextTokenLogits(tgtIn, encoded);
        nudge(logits, encoded.padMask, tgtIn.size(1) - 1);
        return logits;
    }
    DecoderState startDecoding(const EncoderOutput& encoded) override {
        return model_->startDecoding(encoded);
    }
    // Also records, per step, the rows decoded and whether every cache holds exactly those rows and the
    // positions fed before.
    torch::Tensor stepLogits(const torch::Tensor& tokens, DecoderState& state) override {
        bool consistent = state.rows() == tokens.size(0);
        for (const DecoderLayerCache& c : state.layers) {
            consistent = consistent && c.memoryKeys.size(0) == state.rows();
            if (state.steps > 0)
                consistent =
                    consistent && c.selfKeys.size(0) == state.rows() && c.selfKeys.size(1) == state.steps;
        }
        steps.push_back({state.steps, tokens.size(0), consistent});
        const int64_t generated = state.steps;
        auto logits = model_->stepLogits(tokens, state);
        nudge(logits, state.sourcePadMask, generated);
        return logits;
    }
    struct Step {
        int64_t position; // tokens generated before this step
        int64_t rows;
        bool cacheConsistent;
    };
    std::vector<Step> steps;

    int64_t padIndex() const override { return model_->padIndex(); }
    int64_t vocabSize() const override { return model_->vocabSize(); }

    // The model's score of `tokens` + eos for the unpadded source src1 [1, S], by one teacher-forced forward
    // pass with the same nudge: sum of log-probabilities / (tokens + 1)^lengthPenalty. Independent of the
    // decoders' bookkeeping.
    double teacherForcedScore(const torch::Tensor& src1, const std::vector<int64_t>& tokens,
                              double lengthPenalty) {
        torch::NoGradGuard noGrad;
        std::vector<int64_t> in{kBos}, out(tokens);
        in.insert(in.end(), tokens.begin(), tokens.end());
        out.push_back(kEos);
        auto logits =
            model_->forward(src1, row(in)).logits[0].to(torch::kDouble); // position j follows j tokens
        const int64_t T = logits.size(0);
        const auto reached = torch::arange(T, torch::kLong).ge(src1.size(1)).to(torch::kDouble);
        logits.select(1, kEos).add_(reached * (bias_ + early_) - early_);
        auto lp = torch::log_softmax(logits, -1).gather(1, torch::tensor(out).unsqueeze(1));
        return lp.sum().item<double>() / std::pow(double(out.size()), lengthPenalty);
    }

    SuperTransformer& model() { return model_; }

private:
    // The nudge for rows that have generated `generated` tokens, whose sources are padMask's rows.
    void nudge(torch::Tensor& logits, const torch::Tensor& padMask, int64_t generated) const {
        const auto srcLen = padMask.logical_not().sum(1);
        const auto reached = srcLen.le(generated).to(logits.scalar_type());
        logits.select(1, kEos).add_(reached * (bias_ + early_) - early_);
    }

    SuperTransformer model_;
    double bias_;
    double early_;
};

// A hand-built model whose next-token distribution depends on the whole history, as a cache would hold it:
// the incremental path keeps the history in the first layer's self-attention cache (token ids as floats),
// so a beam search that forgets to reorder the cache decodes from the wrong history. Vocabulary: 0 unk,
// 1 pad, 2 bos, 3 eos, 4 "a", 5 "b"; unlisted histories are uniform over a, b and eos.
class HistoryModel : public Seq2SeqModel {
public:
    static constexpr int64_t kA = 4, kB = 5;

    EncoderOutput encodeSource(const torch::Tensor& src) override {
        EncoderOutput e;
        e.padMask = src.eq(kPadId);
        e.layers = {torch::zeros({src.size(0), src.size(1), 1})};
        return e;
    }
    torch::Tensor nextTokenLogits(const torch::Tensor& tgtIn, const EncoderOutput&) override {
        auto out = torch::empty({tgtIn.size(0), 6});
        const auto prefix = tgtIn.contiguous();
        for (int64_t r = 0; r < prefix.size(0); ++r) {
            const int64_t* p = prefix.data_ptr<int64_t>() + r * prefix.size(1);
            out[r].copy_(logitsAfter(std::vector<int64_t>(p, p + prefix.size(1))));
        }
        return out;
    }
    DecoderState startDecoding(const EncoderOutput& encoded) override {
        DecoderState state;
        state.sourcePadMask = encoded.padMask;
        state.layers.resize(1);
        state.layers[0].memoryKeys = torch::zeros({encoded.padMask.size(0), 1, 1});
        return state;
    }
    torch::Tensor stepLogits(const torch::Tensor& tokens, DecoderState& state) override {
        DecoderLayerCache& c = state.layers[0];
        const auto column = tokens.to(torch::kFloat).view({-1, 1, 1});
        c.selfKeys = c.selfKeys.defined() ? torch::cat({c.selfKeys, column}, 1) : column;
        ++state.steps;
        return nextTokenLogits(c.selfKeys.squeeze(2).to(torch::kLong), {});
    }
    int64_t padIndex() const override { return kPadId; }
    int64_t vocabSize() const override { return 6; }

private:
    static torch::Tensor logitsAfter(const std::vector<int64_t>& history) {
        using H = std::vector<int64_t>;
        std::vector<double> p{1e-9, 1e-9, 1e-9, 1.0 / 3, 1.0 / 3, 1.0 / 3}; // unk pad bos eos a b
        if (history == H{kBos}) p = {1e-9, 1e-9, 1e-9, 1e-9, 0.6, 0.4};
        if (history == H{kBos, kA}) p = {1e-9, 1e-9, 1e-9, 0.8, 0.12, 0.08};
        if (history == H{kBos, kB}) p = {1e-9, 1e-9, 1e-9, 0.05, 0.9, 0.05};
        if (history == H{kBos, kB, kA}) p = {1e-9, 1e-9, 1e-9, 1.0, 1e-9, 1e-9};
        return torch::tensor(p, torch::kDouble).log().to(torch::kFloat);
    }
};

// A tiny random supernet on `arch`, in eval mode, wrapped with the eos nudge.
EosNudgedModel nudgedModel(const Architecture& arch, uint64_t seed, double eosBias = 3.0,
                           double earlyPenalty = 0.0) {
    torch::manual_seed(seed);
    SuperTransformer model(modelConfig(kV));
    model->setArchitecture(arch);
    model->eval();
    return EosNudgedModel(model, eosBias, earlyPenalty);
}

std::vector<std::vector<int64_t>> tokensOf(const std::vector<Hypothesis>& hyps) {
    std::vector<std::vector<int64_t>> t;
    for (const auto& h : hyps)
        t.push_back(h.tokens);
    return t;
}

} // namespace

class TestDecoder : public QObject {
    Q_OBJECT

private Q_SLOTS:
    // Tiny models: a second OpenMP thread only adds spin-waiting on a shared machine (measured: 10x slower).
    void initTestCase() { configureTorchThreads(1); }

    void beamOfOneIsGreedy_data() {
        QTest::addColumn<QString>("arch");
        QTest::addColumn<double>("lengthPenalty");
        QTest::newRow("heterogeneous") << "heterogeneous" << 0.0;
        QTest::newRow("smallest") << "smallest" << 0.0;
        QTest::newRow("largest") << "largest" << 0.0;
        // With a positive penalty a longer hypothesis may still beat greedy's: beam 1 then scores higher.
        QTest::newRow("heterogeneous, lp 1") << "heterogeneous" << 1.0;
        QTest::newRow("largest, lp 1") << "largest" << 1.0;
    }
    void beamOfOneIsGreedy() {
        QFETCH(QString, arch);
        QFETCH(double, lengthPenalty);
        EosNudgedModel model = nudgedModel(archNamed(arch), 11);
        auto src = sourceBatch({5, 2, 7, 4, 1, 6, 3, 8, 5, 2});
        DecodeOptions o;
        o.lengthPenalty = lengthPenalty;
        o.maxLenA = 0.0;
        o.maxLenB = 5; // sources of 6 and more reach the limit before the nudge, short ones usually end early
        const auto greedy = greedyDecode(model, src, o);
        o.beamSize = 1;
        const auto beam = beamDecode(model, src, o);
        QCOMPARE(beam.size(), size_t(10));
        QCOMPARE(greedy.size(), size_t(10));
        if (lengthPenalty == 0.0) {
            QCOMPARE(tokensOf(beam), tokensOf(greedy));
            for (size_t b = 0; b < beam.size(); ++b)
                QVERIFY(std::abs(beam[b].score - greedy[b].score) < 1e-5);
        } else {
            for (size_t b = 0; b < beam.size(); ++b)
                QVERIFY(beam[b].score >= greedy[b].score - 1e-5);
        }
        QCOMPARE(decode(model, src, o), tokensOf(greedy)); // decode() takes the greedy path for beam 1
        // Both ways of ending are exercised: eos chosen before the limit, and eos forced at it.
        int early = 0, atLimit = 0;
        for (size_t b = 0; b < greedy.size(); ++b) {
            const int64_t limit = maxTargetLength(o, lengthOf(src, int64_t(b)));
            (int64_t(greedy[b].tokens.size()) == limit ? atLimit : early)++;
        }
        QVERIFY2(early > 0 && atLimit > 0,
                 qPrintable(QString("early %1, at limit %2").arg(early).arg(atLimit)));
    }

    void batchedEqualsAlone_data() {
        QTest::addColumn<int>("beam");
        QTest::newRow("greedy") << 1;
        QTest::newRow("beam 3") << 3;
    }
    void batchedEqualsAlone() {
        QFETCH(int, beam);
        // A strong nudge both ways: each sentence ends at its own source length, so a mix-up would show.
        EosNudgedModel model = nudgedModel(nntest::heterogeneousArch(), 12, 30.0, 30.0);
        auto src = sourceBatch({3, 8, 1, 5, 6, 2, 4});
        DecodeOptions o;
        o.beamSize = beam;
        const auto batched = decodeHypotheses(model, src, o);
        QCOMPARE(batched.size(), size_t(7));
        std::set<std::vector<int64_t>> distinct;
        for (int64_t b = 0; b < src.size(0); ++b) {
            const auto single = decodeHypotheses(model, alone(src, b), o);
            QCOMPARE(single.size(), size_t(1));
            QCOMPARE(batched[size_t(b)].tokens, single[0].tokens);
            QVERIFY(std::abs(batched[size_t(b)].score - single[0].score) < 1e-4);
            QCOMPARE(int64_t(single[0].tokens.size()), lengthOf(src, b));
            distinct.insert(single[0].tokens);
        }
        QCOMPARE(distinct.size(), size_t(7));
    }

    void lengthLimitHoldsAndNoSpecialsAppear_data() {
        QTest::addColumn<double>("maxLenA");
        QTest::addColumn<int>("maxLenB");
        QTest::addColumn<int>("beam");
        QTest::addColumn<int>("limitFor9"); // maxTargetLength for a 9-token source
        QTest::newRow("no room, greedy") << 0.0 << 0 << 1 << 0;
        QTest::newRow("no room, beam 3") << 0.0 << 0 << 3 << 0;
        QTest::newRow("fixed 3, greedy") << 0.0 << 3 << 1 << 3;
        QTest::newRow("fixed 3, beam 4") << 0.0 << 3 << 4 << 3;
        QTest::newRow("half the source + 1, greedy") << 0.5 << 1 << 1 << 5;
        QTest::newRow("half the source + 1, beam 2") << 0.5 << 1 << 2 << 5;
    }
    void lengthLimitHoldsAndNoSpecialsAppear() {
        QFETCH(double, maxLenA);
        QFETCH(int, maxLenB);
        QFETCH(int, beam);
        QFETCH(int, limitFor9);
        EosNudgedModel model = nudgedModel(nntest::heterogeneousArch(), 13);
        auto src = sourceBatch({4, 9, 1, 6, 2});
        DecodeOptions o;
        o.beamSize = beam;
        o.maxLenA = maxLenA;
        o.maxLenB = maxLenB;
        QCOMPARE(maxTargetLength(o, 9), int64_t(limitFor9));
        const auto hyps = decodeHypotheses(model, src, o);
        QCOMPARE(hyps.size(), size_t(5));
        int atLimit = 0;
        for (size_t b = 0; b < hyps.size(); ++b) {
            const int64_t limit = maxTargetLength(o, lengthOf(src, int64_t(b)));
            QVERIFY(int64_t(hyps[b].tokens.size()) <= limit);
            atLimit += int64_t(hyps[b].tokens.size()) == limit;
            for (int64_t t : hyps[b].tokens) {
                QVERIFY(t != kBos && t != kEos && t != kPadId);
                QVERIFY(t >= 0 && t < kV);
            }
            // A hypothesis cut at its limit is scored with the forced eos, like any other.
            const double rescored =
                model.teacherForcedScore(alone(src, int64_t(b)), hyps[b].tokens, o.lengthPenalty);
            QVERIFY(std::abs(rescored - hyps[b].score) < 1e-4);
        }
        QVERIFY(atLimit > 0);
    }

    // The cached decoder and the full-prefix one find the same hypotheses with the same scores: greedy and
    // beam 4, on a padded batch whose sentences end at different steps.
    void incrementalEqualsFullPrefix_data() {
        QTest::addColumn<QString>("arch");
        QTest::addColumn<int>("beam");
        for (const char* arch : {"heterogeneous", "smallest", "largest"})
            for (int beam : {1, 4})
                QTest::newRow(qPrintable(QString("%1, beam %2").arg(arch).arg(beam)))
                    << QString(arch) << beam;
    }
    void incrementalEqualsFullPrefix() {
        QFETCH(QString, arch);
        QFETCH(int, beam);
        EosNudgedModel model = nudgedModel(archNamed(arch), 21);
        auto src = sourceBatch({5, 2, 7, 4, 1, 6, 3});
        DecodeOptions o;
        o.beamSize = beam;
        o.incremental = false;
        const auto full = decodeHypotheses(model, src, o);
        QVERIFY(model.steps.empty()); // the full-prefix path never steps
        o.incremental = true;
        const auto cached = decodeHypotheses(model, src, o);
        QVERIFY(!model.steps.empty());
        QCOMPARE(tokensOf(cached), tokensOf(full));
        for (size_t b = 0; b < full.size(); ++b)
            QVERIFY2(
                std::abs(cached[b].score - full[b].score) < 1e-5,
                qPrintable(QString("sentence %1: %2 vs %3").arg(b).arg(cached[b].score).arg(full[b].score)));
        std::set<size_t> lengths;
        for (const auto& h : full)
            lengths.insert(h.tokens.size());
        QVERIFY(lengths.size() > 2); // sentences finish at different steps
    }

    // Greedy: a sentence that has produced eos leaves the batch and the cache at once. With a strong nudge
    // sentence b ends exactly at its source length n_b, so step t decodes the sentences with n_b >= t.
    void cacheHoldsOnlyLiveRows_data() {
        QTest::addColumn<int>("beam");
        QTest::newRow("greedy") << 1;
        QTest::newRow("beam 3") << 3;
    }
    void cacheHoldsOnlyLiveRows() {
        QFETCH(int, beam);
        EosNudgedModel model = nudgedModel(nntest::heterogeneousArch(), 12, 30.0, 30.0);
        const std::vector<int64_t> lengths{3, 8, 1, 5, 6, 2, 4};
        auto src = sourceBatch(lengths);
        DecodeOptions o;
        o.beamSize = beam;
        const auto hyps = decodeHypotheses(model, src, o);
        QVERIFY(!model.steps.empty());
        int64_t previous = std::numeric_limits<int64_t>::max();
        for (const auto& step : model.steps) {
            QVERIFY2(step.cacheConsistent, qPrintable(QString("step %1").arg(step.position)));
            QCOMPARE(step.rows % beam, 0);
            QVERIFY(step.rows <= previous);
            previous = step.rows;
            if (beam == 1) {
                const auto live = std::count_if(lengths.begin(), lengths.end(),
                                                [&](int64_t n) { return n >= step.position; });
                QCOMPARE(step.rows, int64_t(live));
            }
        }
        for (size_t b = 0; b < lengths.size(); ++b)
            QCOMPARE(int64_t(hyps[b].tokens.size()), lengths[b]);
        QCOMPARE(model.steps.back().rows, int64_t(beam)); // only the longest sentence is left at the end
    }

    // Hand-computed beam 2 (length penalty 1, at most 3 tokens): step 0 keeps "a" (0.6) and "b" (0.4);
    // step 1 finishes "a" (0.6 * 0.8 = 0.48, score ln 0.48 / 2 = -0.367) and continues "b a" (0.36) from
    // row 1 and "a a" (0.072) from row 0 -- the rows swap, and the cache must follow; step 2 finishes
    // "b a" (0.36, score ln 0.36 / 3 = -0.341), which no live hypothesis can beat. Without the reorder, row
    // 0 would continue from "a" and find nothing.
    void beamReordersTheCache() {
        HistoryModel model;
        const auto src = torch::full({1, 2}, HistoryModel::kA, torch::kLong); // limit 0 * 2 + 3 = 3 tokens
        DecodeOptions o;
        o.beamSize = 2;
        o.lengthPenalty = 1.0;
        o.maxLenA = 0;
        o.maxLenB = 3;
        for (bool incremental : {false, true}) {
            o.incremental = incremental;
            const auto hyps = beamDecode(model, src, o);
            QCOMPARE(hyps.size(), size_t(1));
            QCOMPARE(hyps[0].tokens, (std::vector<int64_t>{HistoryModel::kB, HistoryModel::kA}));
            QVERIFY(std::abs(hyps[0].score - std::log(0.36) / 3) < 1e-5);
        }
        o.beamSize = 1; // greedy takes "a" then eos
        QCOMPARE(greedyDecode(model, src, o)[0].tokens, (std::vector<int64_t>{HistoryModel::kA}));
    }

    void beamScoresAtLeastGreedy_data() {
        QTest::addColumn<double>("lengthPenalty");
        QTest::newRow("lp 1") << 1.0;
        QTest::newRow("lp 0") << 0.0;
    }
    void beamScoresAtLeastGreedy() {
        QFETCH(double, lengthPenalty);
        EosNudgedModel model = nudgedModel(nntest::heterogeneousArch(), 14);
        auto src = sourceBatch({4, 6, 3, 7, 5, 2, 8, 4});
        DecodeOptions o;
        o.lengthPenalty = lengthPenalty;
        const auto greedy = greedyDecode(model, src, o);
        o.beamSize = 4;
        const auto beam = beamDecode(model, src, o);
        int better = 0;
        for (int64_t b = 0; b < src.size(0); ++b) {
            const auto one = alone(src, b);
            const double g = model.teacherForcedScore(one, greedy[size_t(b)].tokens, lengthPenalty);
            const double s = model.teacherForcedScore(one, beam[size_t(b)].tokens, lengthPenalty);
            QVERIFY(std::abs(g - greedy[size_t(b)].score) < 1e-4);
            QVERIFY(std::abs(s - beam[size_t(b)].score) < 1e-4);
            QVERIFY2(s >= g - 1e-5,
                     qPrintable(QString("sentence %1: beam %2 < greedy %3").arg(b).arg(s).arg(g)));
            better += s > g + 1e-4;
        }
        QVERIFY(better > 0); // the search found something greedy missed
    }

    void overfittedReversalIsDecodedExactly() {
        torch::manual_seed(5);
        const int64_t V = 12;
        const std::vector<std::vector<int64_t>> sources{{4, 5, 6},       {7, 8, 9, 10},  {11, 4, 8},
                                                        {5, 5, 9, 6, 7}, {10, 6, 4, 11}, {9, 7}};
        std::vector<std::vector<int64_t>> targets;
        for (const auto& s : sources)
            targets.emplace_back(s.rbegin(), s.rend());
        const int64_t B = int64_t(sources.size()), S = 6;
        auto src = torch::full({B, S}, kPadId, torch::kLong);
        auto tgtIn = torch::full({B, S}, kPadId, torch::kLong);
        auto tgtOut = torch::full({B, S}, kPadId, torch::kLong);
        for (int64_t b = 0; b < B; ++b) {
            const auto& s = sources[size_t(b)];
            const auto& t = targets[size_t(b)];
            const int64_t n = int64_t(s.size());
            src[b].narrow(0, 0, n).copy_(torch::tensor(s));
            src[b][n] = kEos;
            tgtIn[b][0] = kBos;
            tgtIn[b].narrow(0, 1, n).copy_(torch::tensor(t));
            tgtOut[b].narrow(0, 0, n).copy_(torch::tensor(t));
            tgtOut[b][n] = kEos;
        }
        SuperTransformer model(modelConfig(V, 0.0));
        model->setArchitecture(nntest::heterogeneousArch());
        model->train();
        torch::optim::Adam adam(model->parameters(), torch::optim::AdamOptions(5e-3));
        double loss = 0;
        int updates = 0;
        for (;; ++updates) {
            adam.zero_grad();
            auto logits = model->forward(src, tgtIn).logits;
            auto ce = torch::nn::functional::cross_entropy(
                logits.reshape({-1, V}), tgtOut.reshape({-1}),
                torch::nn::functional::CrossEntropyFuncOptions().ignore_index(kPadId));
            loss = ce.item<double>();
            // Stop on the parameters that were measured, not one Adam step later.
            if (loss < 5e-3 || updates == 400) break;
            ce.backward();
            adam.step();
        }
        qInfo("reversal task: loss %.5f after %d updates", loss, updates);
        QVERIFY(loss < 5e-3);

        model->eval();
        DecodeOptions o;
        QCOMPARE(decode(*model, src, o), targets);
        o.beamSize = 4;
        QCOMPARE(decode(*model, src, o), targets);
        QVERIFY(model->is_training() == false);
    }

    void lengthBatchesRespectTheBudget_data() {
        QTest::addColumn<qint64>("maxTokens");
        QTest::addColumn<QString>("expected");
        // Lengths 3 9 1 9 4 7 2: longest first, ties in input order.
        QTest::newRow("20 tokens") << qint64(20) << "1 3|5 4|0 6 2";
        QTest::newRow("5 tokens: long sentences alone") << qint64(5) << "1|3|5|4|0|6 2";
        QTest::newRow("everything fits") << qint64(4000) << "1 3 5 4 0 6 2";
    }
    void lengthBatchesRespectTheBudget() {
        QFETCH(qint64, maxTokens);
        QFETCH(QString, expected);
        std::vector<std::vector<int64_t>> ids;
        for (int64_t n : {3, 9, 1, 9, 4, 7, 2})
            ids.emplace_back(size_t(n), 5);
        QStringList got;
        for (const auto& batch : lengthBatches(ids, maxTokens)) {
            QStringList items;
            for (size_t i : batch)
                items << QString::number(i);
            got << items.join(' ');
        }
        QCOMPARE(got.join('|'), expected);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, lengthBatches(ids, 0));
    }

    void translateIdsKeepsInputOrder_data() {
        QTest::addColumn<int>("beam");
        QTest::addColumn<qint64>("maxTokens");
        QTest::newRow("greedy, small batches") << 1 << qint64(24);
        QTest::newRow("greedy, one batch") << 1 << qint64(4000);
        QTest::newRow("beam 4, small batches") << 4 << qint64(24);
        QTest::newRow("beam 4, one batch") << 4 << qint64(4000);
    }
    void translateIdsKeepsInputOrder() {
        QFETCH(int, beam);
        QFETCH(qint64, maxTokens);
        torch::manual_seed(21);
        // Dropout on and the model in training mode: translateIds() must switch to eval mode and back.
        SuperTransformer model(modelConfig(kV, 0.3));
        model->setArchitecture(nntest::heterogeneousArch());
        model->train();
        std::vector<std::vector<int64_t>> sources;
        for (int64_t n : {3, 9, 1, 6, 12, 4, 7, 2, 9, 5, 11, 3, 8, 6, 1, 10}) {
            auto words = torch::randint(kFirstWord, kV, {n}, torch::kLong);
            sources.emplace_back(words.data_ptr<int64_t>(), words.data_ptr<int64_t>() + n);
            sources.back().push_back(kEos);
        }
        TranslateOptions o;
        o.decode.beamSize = beam;
        o.maxTokens = maxTokens;
        QElapsedTimer timer;
        timer.start();
        const auto got = translateIds(*model, sources, o);
        const qint64 ns = timer.nsecsElapsed();
        QVERIFY(model->is_training());
        qInfo("tiny model, %zu sentences, beam %d, %lld-token batches: %.0f sentences/s", sources.size(),
              beam, maxTokens, double(sources.size()) * 1e9 / double(ns));

        QCOMPARE(got.size(), sources.size());
        model->eval();
        std::set<std::vector<int64_t>> distinct;
        for (size_t i = 0; i < sources.size(); ++i) {
            const auto single = decodeHypotheses(*model, row(sources[i]), o.decode);
            QCOMPARE(got[i].tokens, single[0].tokens);
            QVERIFY(std::abs(got[i].score - single[0].score) < 1e-4);
            distinct.insert(single[0].tokens);
        }
        QVERIFY(distinct.size() >= 10); // a mix-up of sentences would show
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, translateIds(*model, {{4, 5, kEos}, {}}, o));
    }
};

AUTOMOE_TEST_MAIN(TestDecoder)
#include "tst_decoder.moc"
