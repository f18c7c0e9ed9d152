// translate() and evaluate() on text: sources framed as the trainer frames them (ids + eos, truncated),
// translations returned in input order whatever the batching, the model switched to eval mode and back,
// clear errors for a model that does not match the vocabulary, and evaluate() giving BLEU/chrF 100 when the
// references are the hypotheses, with its token counts and timing.
#include "../nn/NnTestSupport.h"

#include "data/Vocabulary.h"
#include "eval/Decoder.h"
#include "eval/Translation.h"
#include "nn/SuperTransformer.h"
#include "nn/TorchRuntime.h"

#include "TestMain.h"
#include <QtTest/QtTest>
#include <torch/torch.h>

#include <cmath>
#include <set>

using namespace automoe;

namespace {

constexpr int64_t kEos = Vocabulary::kEosId;

SuperTransformerConfig modelConfig(int64_t vocab, double dropout = 0.0) {
    SuperTransformerConfig c = nntest::smallConfig(dropout);
    c.vocabSize = vocab;
    c.padIndex = Vocabulary::kPadId;
    return c;
}

torch::Tensor row(const std::vector<int64_t>& ids) {
    return torch::tensor(ids, torch::kLong).unsqueeze(0);
}

// 36 short sentences for an in-memory vocabulary.
const std::vector<std::string>& vocabularySentences() {
    static const std::vector<std::string> s{
        "The cat sat on the mat.",
        "A dog runs in the park.",
        "We go home after school.",
        "She reads a long book.",
        "The weather is nice today.",
        "He drinks coffee every morning.",
        "They play football on Sunday.",
        "I like green apples.",
        "The train leaves at noon.",
        "Our house has a red door.",
        "Die Katze sitzt auf der Matte.",
        "Ein Hund rennt im Park.",
        "Wir gehen nach der Schule heim.",
        "Sie liest ein langes Buch.",
        "Das Wetter ist heute schön.",
        "Er trinkt jeden Morgen Kaffee.",
        "Sie spielen am Sonntag Fußball.",
        "Ich mag grüne Äpfel.",
        "Der Zug fährt um zwölf ab.",
        "Unser Haus hat eine rote Tür.",
        "The children sing a song.",
        "Die Kinder singen ein Lied.",
        "My brother lives in Berlin.",
        "Mein Bruder wohnt in Berlin.",
        "Please close the window.",
        "Bitte schließ das Fenster.",
        "The shop opens at nine.",
        "Der Laden öffnet um neun.",
        "It rains a lot in autumn.",
        "Im Herbst regnet es viel.",
        "Where is the station?",
        "Wo ist der Bahnhof?",
        "The soup is too hot.",
        "Die Suppe ist zu heiß.",
        "We need more time.",
        "Wir brauchen mehr Zeit.",
    };
    return s;
}

// Sources of different lengths, some unseen by the vocabulary, so that length sorting reorders them.
const std::vector<std::string>& evaluationSources() {
    static const std::vector<std::string> s{
        "The cat sat on the mat.",
        "Wo ist der Bahnhof?",
        "My brother reads a long book about the weather in Berlin every Sunday morning.",
        "Bitte.",
        "Der Zug fährt heute nicht.",
        "The children play football in the park after school.",
        "Ich mag Kaffee.",
        "Unser Haus hat eine rote Tür und ein grünes Fenster.",
        "It rains.",
        "Die Suppe ist zu heiß, wir brauchen mehr Zeit.",
        "A dog.",
        "The shop opens at nine and the train leaves at noon.",
    };
    return s;
}

} // namespace

class TestTranslation : public QObject {
    Q_OBJECT

    Vocabulary vocab_;

    // What translate() must return: each sentence framed and decoded alone, with the model in eval mode.
    std::vector<std::string> oneByOne(SuperTransformer& model, const std::vector<std::string>& sources,
                                      const DecodeOptions& options, int64_t* generated = nullptr) {
        const bool wasTraining = model->is_training();
        model->eval();
        std::vector<std::string> out;
        if (generated) *generated = 0;
        for (const auto& s : sources) {
            const Hypothesis h = decodeHypotheses(*model, row(sourceIds(vocab_, s, 128)), options)[0];
            if (generated) *generated += int64_t(h.tokens.size());
            out.push_back(vocab_.decode(std::vector<int>(h.tokens.begin(), h.tokens.end())));
        }
        model->train(wasTraining);
        return out;
    }

private Q_SLOTS:
    void initTestCase() {
        configureTorchThreads(1); // tiny models: a second OpenMP thread only spin-waits on a shared machine
        VocabularyOptions o;
        o.size = 120;
        // SentencePiece must work inside a process that also loads LibTorch (both bring protobuf).
        try {
            vocab_ = Vocabulary::train(vocabularySentences(), o);
        } catch (const std::exception& e) {
            QFAIL(qPrintable(QString("SentencePiece unusable next to LibTorch: %1").arg(e.what())));
        }
        QVERIFY(vocab_.size() > 40);
    }

    void sourceIdsAreFramedAndTruncated() {
        const std::string s = "The children sing a song in Berlin.";
        const std::vector<int> pieces = vocab_.encode(s);
        QVERIFY(pieces.size() > 3);
        std::vector<int64_t> full(pieces.begin(), pieces.end());
        full.push_back(kEos);
        QCOMPARE(sourceIds(vocab_, s, 128), full);
        QCOMPARE(sourceIds(vocab_, s, 3), (std::vector<int64_t>{pieces[0], pieces[1], kEos}));
        QCOMPARE(sourceIds(vocab_, s, 1), (std::vector<int64_t>{kEos}));
        QCOMPARE(sourceIds(vocab_, "", 128), (std::vector<int64_t>{kEos}));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, sourceIds(vocab_, s, 0));
    }

    void translateKeepsInputOrder_data() {
        QTest::addColumn<int>("beam");
        QTest::addColumn<qint64>("maxTokens");
        QTest::newRow("greedy, small batches") << 1 << qint64(24);
        QTest::newRow("greedy, one batch") << 1 << qint64(4000);
        QTest::newRow("beam 2, small batches") << 2 << qint64(24);
    }
    void translateKeepsInputOrder() {
        QFETCH(int, beam);
        QFETCH(qint64, maxTokens);
        torch::manual_seed(21);
        // Dropout on and the model in training mode: translate() must switch to eval mode and back.
        SuperTransformer model(modelConfig(vocab_.size(), 0.3));
        model->setArchitecture(nntest::heterogeneousArch());
        model->train();
        TranslateOptions o;
        o.decode.beamSize = beam;
        o.maxTokens = maxTokens;
        const auto& sources = evaluationSources();
        const auto got = translate(*model, vocab_, sources, o);
        QVERIFY(model->is_training());
        const auto expected = oneByOne(model, sources, o.decode);
        QCOMPARE(got.size(), sources.size());
        for (size_t i = 0; i < sources.size(); ++i)
            QCOMPARE(QString::fromStdString(got[i]), QString::fromStdString(expected[i]));
        QVERIFY(std::set<std::string>(got.begin(), got.end()).size() >= 6);
    }

    void translateRejectsAMismatchedModel() {
        SuperTransformerConfig c = modelConfig(vocab_.size());
        c.padIndex = 1;
        SuperTransformer padOne(c);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, translate(*padOne, vocab_, {"A dog."}));
        SuperTransformer tooSmall(modelConfig(vocab_.size() - 1));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, translate(*tooSmall, vocab_, {"A dog."}));
    }

    void evaluateScoresHypothesesAgainstReferences() {
        torch::manual_seed(22);
        SuperTransformer model(modelConfig(vocab_.size()));
        model->setArchitecture(nntest::heterogeneousArch());
        model->eval();
        const auto& sources = evaluationSources();
        TranslateOptions o;
        o.maxTokens = 40;
        int64_t generated = 0;
        const auto hyps = oneByOne(model, sources, o.decode, &generated);
        for (const auto& h : hyps)
            QVERIFY(!h.empty());

        // References equal to the hypotheses: BLEU and chrF are 100.
        std::vector<SentencePair> pairs;
        int64_t sourceTokens = 0;
        for (size_t i = 0; i < sources.size(); ++i) {
            pairs.push_back({sources[i], hyps[i]});
            sourceTokens += int64_t(sourceIds(vocab_, sources[i], o.maxSourceTokens).size());
        }
        const EvaluationResult r = evaluate(*model, vocab_, pairs, o);
        QCOMPARE(r.hypotheses, hyps);
        // Every n-gram matches; BLEU is 100 unless some order has no n-grams at all (short outputs of a
        // random model), in which case it is what sacreBLEU gives for the same texts.
        std::vector<std::string> refs;
        for (const auto& p : pairs)
            refs.push_back(p.target);
        const BleuScore self = corpusBleu(hyps, {refs});
        QCOMPARE(r.bleu.score, self.score);
        for (size_t n = 0; n < 4; ++n)
            QCOMPARE(r.bleu.counts[n], r.bleu.totals[n]);
        QVERIFY2(r.bleu.totals[3] == 0 || std::abs(r.bleu.score - 100.0) < 1e-9, r.bleu.format().c_str());
        QCOMPARE(r.bleu.bp, 1.0);
        QVERIFY(std::abs(r.chrf.score - 100.0) < 1e-9);
        QCOMPARE(r.sentences, sources.size());
        QCOMPARE(r.sourceTokens, sourceTokens);
        QCOMPARE(r.targetTokens, generated);
        QVERIFY(r.seconds > 0);
        QVERIFY(std::abs(r.sentencesPerSecond * r.seconds - double(sources.size())) < 1e-6);

        // References shifted by one sentence: the same hypotheses now score well below 100.
        std::vector<SentencePair> shifted = pairs;
        for (size_t i = 0; i < pairs.size(); ++i)
            shifted[i].target = pairs[(i + 1) % pairs.size()].target;
        const EvaluationResult s = evaluate(*model, vocab_, shifted, o);
        QCOMPARE(s.hypotheses, hyps);
        QVERIFY(s.bleu.score < 50.0);
        QVERIFY(s.chrf.score < 90.0);
        std::vector<std::string> shiftedRefs;
        for (const auto& p : shifted)
            shiftedRefs.push_back(p.target);
        QCOMPARE(s.bleu.score, corpusBleu(hyps, {shiftedRefs}).score);

        // Throughput of the tiny model, greedy versus beam 4 (printed, not asserted).
        o.decode.beamSize = 4;
        const EvaluationResult b4 = evaluate(*model, vocab_, pairs, o);
        QCOMPARE(b4.hypotheses.size(), sources.size());
        qInfo("tiny model, %zu sentences: greedy %.1f sentences/s, beam 4 %.1f sentences/s", sources.size(),
              r.sentencesPerSecond, b4.sentencesPerSecond);

        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, evaluate(*model, vocab_, {}, o));
    }
};

AUTOMOE_TEST_MAIN(TestTranslation)
#include "tst_translation.moc"
