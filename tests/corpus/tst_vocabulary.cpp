// Pins the joint SentencePiece vocabulary: fixed special ids, a detokenised encode/decode round trip, the
// on-disk cache (hit returns the same model and ids; a corrupt entry is retrained) and its key.
#include "data/CorpusReader.h"
#include "data/CorpusSplit.h"
#include "data/CorpusText.h"
#include "data/Vocabulary.h"
#include "util/Resources.h"

#include "TestMain.h"
#include <QtTest/QtTest>
#include <filesystem>

using namespace automoe;

class TestVocabulary : public QObject {
    Q_OBJECT

    QTemporaryDir cache_;
    Corpus corpus_;
    CorpusSplit split_;
    VocabularyOptions options_;
    Vocabulary vocab_;

private slots:
    void initTestCase() {
        QVERIFY(cache_.isValid());
        corpus_ = readTsvCorpus(resourcePath("corpus/ding-sample.tsv"));
        CorpusSplitOptions so;
        so.validSize = 100;
        so.testSize = 100;
        split_ = CorpusSplit::make(corpus_, so);
        options_.size = 1000;
        options_.numThreads = 2;
        QElapsedTimer timer;
        timer.start();
        vocab_ = Vocabulary::trainOrLoad(corpus_, split_, options_, cache_.path().toStdString());
        qInfo("trained %d pieces on %zu sentences in %lld ms", vocab_.size(),
              Vocabulary::trainingSentences(corpus_, split_, options_).size(), timer.elapsed());
        QVERIFY(!vocab_.fromCache());
        QVERIFY(std::filesystem::exists(vocab_.modelPath()));
    }

    void sizeAsRequested() { QCOMPARE(vocab_.size(), 1000); }

    void specialIdsAsDocumented() {
        QCOMPARE(vocab_.padId(), 0);
        QCOMPARE(vocab_.unkId(), 1);
        QCOMPARE(vocab_.bosId(), 2);
        QCOMPARE(vocab_.eosId(), 3);
        QCOMPARE(QString::fromStdString(vocab_.piece(Vocabulary::kPadId)), QString("<pad>"));
        QCOMPARE(QString::fromStdString(vocab_.piece(Vocabulary::kUnkId)), QString("<unk>"));
        QCOMPARE(QString::fromStdString(vocab_.piece(Vocabulary::kBosId)), QString("<s>"));
        QCOMPARE(QString::fromStdString(vocab_.piece(Vocabulary::kEosId)), QString("</s>"));
        const auto ids = vocab_.encode("Wir gehen nach Hause.");
        QVERIFY(!ids.empty());
        for (int id : ids)
            QVERIFY(id > Vocabulary::kEosId);
        // Framing ids decode to nothing.
        std::vector<int> framed{Vocabulary::kBosId};
        framed.insert(framed.end(), ids.begin(), ids.end());
        framed.push_back(Vocabulary::kEosId);
        framed.push_back(Vocabulary::kPadId);
        QCOMPARE(QString::fromStdString(vocab_.decode(framed)), QString("Wir gehen nach Hause."));
    }

    void roundTripIsDetokenised_data() {
        QTest::addColumn<QString>("text");
        QTest::newRow("german") << "Ich habe am ursprünglichen Entwurf ein paar Änderungen vorgenommen.";
        QTest::newRow("english") << "Please keep the lawn clean and do not litter!";
        QTest::newRow("extra whitespace") << "  Er   stieg auf sein   Fahrrad und fuhr weg. ";
        QTest::newRow("unseen words") << "Quantenchromodynamik ist schwierig, sagte Zebrafink Xaver.";
        QTest::newRow("typography kept") << "Was macht das Projekt so reizvoll … sagte sie’s?";
        // Held-out sentences, never seen in training.
        for (std::size_t k = 0; k < 20 && k < split_.test().size(); ++k) {
            const auto& p = corpus_.pairs[split_.test()[k]];
            QTest::newRow(qPrintable(QString("test %1 source").arg(k))) << QString::fromStdString(p.source);
            QTest::newRow(qPrintable(QString("test %1 target").arg(k))) << QString::fromStdString(p.target);
        }
    }
    void roundTripIsDetokenised() {
        QFETCH(QString, text);
        const std::string s = text.toStdString();
        const auto ids = vocab_.encode(s);
        QCOMPARE(QString::fromStdString(vocab_.decode(ids)), QString::fromStdString(collapseWhitespace(s)));
    }

    void cacheHitReturnsSameModel() {
        const Vocabulary again =
            Vocabulary::trainOrLoad(corpus_, split_, options_, cache_.path().toStdString());
        QVERIFY(again.fromCache());
        QCOMPARE(again.modelPath(), vocab_.modelPath());
        QVERIFY(again.serializedModel() == vocab_.serializedModel());
        for (std::size_t k = 0; k < 50; ++k) {
            const auto& p = corpus_.pairs[split_.valid()[k]];
            QVERIFY(again.encode(p.source) == vocab_.encode(p.source));
            QVERIFY(again.encode(p.target) == vocab_.encode(p.target));
        }
    }

    void cacheKeyTracksInputs() {
        const std::string key = Vocabulary::cacheKey(corpus_, split_, options_);
        QCOMPARE(key.size(), std::size_t(16));
        QCOMPARE(Vocabulary::cacheKey(corpus_, split_, options_), key);
        VocabularyOptions bigger = options_;
        bigger.size = 2000;
        QVERIFY(Vocabulary::cacheKey(corpus_, split_, bigger) != key);
        VocabularyOptions bpe = options_;
        bpe.modelType = VocabularyOptions::ModelType::Bpe;
        QVERIFY(Vocabulary::cacheKey(corpus_, split_, bpe) != key);
        VocabularyOptions nfkc = options_;
        nfkc.normalization = "nmt_nfkc";
        QVERIFY(Vocabulary::cacheKey(corpus_, split_, nfkc) != key);
        CorpusSplitOptions so = split_.options();
        so.seed += 1;
        QVERIFY(Vocabulary::cacheKey(corpus_, CorpusSplit::make(corpus_, so), options_) != key);
    }

    void corruptCacheEntryIsRetrainedIdentically() {
        // Retraining from scratch gives the byte-identical model: training is deterministic.
        QTemporaryDir dir;
        const std::string path =
            dir.path().toStdString() + "/spm-" + Vocabulary::cacheKey(corpus_, split_, options_) + ".model";
        writeTextFileAtomic(path, "not a model");
        const Vocabulary v = Vocabulary::trainOrLoad(corpus_, split_, options_, dir.path().toStdString());
        QVERIFY(!v.fromCache());
        QVERIFY(v.serializedModel() == vocab_.serializedModel());
        QCOMPARE(v.modelPath(), path);
        QVERIFY(Vocabulary::load(path).serializedModel() == vocab_.serializedModel());
    }

    void badInputsThrow() {
        const std::vector<int> outOfRange{5, 100000};
        QVERIFY_THROWS_EXCEPTION(std::out_of_range, vocab_.decode(outOfRange));
        QVERIFY_THROWS_EXCEPTION(std::logic_error, Vocabulary().encode("x"));
        QCOMPARE(Vocabulary().size(), 0);
        QVERIFY_THROWS_EXCEPTION(std::runtime_error,
                                 Vocabulary::load(cache_.filePath("nope.model").toStdString()));
        const std::vector<std::string> none;
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, Vocabulary::train(none, options_));
    }
};

AUTOMOE_TEST_MAIN(TestVocabulary)
#include "tst_vocabulary.moc"
