// Pins the corpus readers: Ding line parsing (annotations, sub-entry alignment, synonyms, word filter,
// comments), every error path's message (file and line), the deterministic split and the bundled sample.
#include "data/Corpus.h"
#include "data/CorpusDingParser.h"
#include "data/CorpusError.h"
#include "data/CorpusReader.h"
#include "data/CorpusSample.h"
#include "data/CorpusSplit.h"
#include "data/CorpusText.h"
#include "util/Resources.h"

#include "TestMain.h"
#include <QtTest/QtTest>
#include <fstream>
#include <set>

using namespace automoe;

namespace {

using Pairs = std::vector<SentencePair>;

QString toQ(const std::string& s) {
    return QString::fromStdString(s);
}

QString describe(const Pairs& pairs) {
    QStringList out;
    for (const auto& p : pairs)
        out << toQ(p.source + " => " + p.target);
    return out.join(" | ");
}

std::string fixture(const char* name) {
    return std::string(AUTOMOE_TEST_DATA) + "/corpus/" + name;
}

// Runs `f`, expects a CorpusError and returns its what().
template <typename F> std::string corpusErrorOf(F&& f) {
    try {
        f();
    } catch (const CorpusError& e) {
        return e.what();
    }
    return "(no CorpusError thrown)";
}

Corpus numberedCorpus(std::size_t n) {
    Corpus c;
    for (std::size_t i = 0; i < n; ++i)
        c.pairs.push_back({"quelle " + std::to_string(i), "source " + std::to_string(i)});
    c.info.pairCount = n;
    c.info.contentHash = corpusContentHash(c.pairs);
    return c;
}

} // namespace

class TestCorpus : public QObject {
    Q_OBJECT

    QTemporaryDir tmp_;

    std::string write(const QString& name, const QByteArray& bytes) {
        const QString path = tmp_.filePath(name);
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly)) qFatal("cannot write %s", qPrintable(path));
        f.write(bytes);
        return path.toStdString();
    }

private slots:
    void dingLine_data() {
        QTest::addColumn<QString>("line");
        QTest::addColumn<int>("minWords");
        QTest::addColumn<QString>("expected");

        QTest::newRow("comment") << "# Version :: devel 2023-01-30" << 3 << "";
        QTest::newRow("blank") << "   " << 3 << "";
        QTest::newRow("annotations stripped")
            << "Er kommt morgen zurück {v} [ugs.] <Rückkehr> :: He comes back tomorrow (probably) [coll.]"
            << 3 << "Er kommt morgen zurück => He comes back tomorrow";
        QTest::newRow("nested annotation and space before punctuation")
            << "Das Haus (mit (kleinem) Garten) ist verkauft . :: The house is sold {adj} ." << 3
            << "Das Haus ist verkauft. => The house is sold.";
        QTest::newRow("unclosed bracket kept") << "ein Wort (ohne Ende :: a word (without end" << 3
                                               << "ein Wort (ohne Ende => a word (without end";
        QTest::newRow("sub-entries aligned")
            << "ein großes Haus {n} | zwei große Häuser {pl} :: a big house | two big houses" << 3
            << "ein großes Haus => a big house | zwei große Häuser => two big houses";
        QTest::newRow("sub-entry counts differ")
            << "ein großes Haus | zwei große Häuser :: a big house" << 3 << "";
        QTest::newRow("first synonym only")
            << "ein großes Haus; ein riesiges Haus; eine Villa :: a big house; a huge house" << 3
            << "ein großes Haus => a big house";
        QTest::newRow("first synonym short, so dropped")
            << "Villa {f}; ein großes Haus :: villa; a big house" << 3 << "";
        QTest::newRow("min words both sides")
            << "Haus {n} | das alte Haus | viele alte Häuser :: house | the old house | houses" << 3
            << "das alte Haus => the old house";
        QTest::newRow("min words 1") << "Haus {n} | Häuser {pl} :: house | houses" << 1
                                     << "Haus => house | Häuser => houses";
        QTest::newRow("annotation-only side is empty") << "{n} [ugs.] :: (something)" << 0 << "";
        QTest::newRow("windows line end") << "Wir gehen nach Hause.\r :: We are going home.\r" << 3
                                          << "Wir gehen nach Hause. => We are going home.";
    }
    void dingLine() {
        QFETCH(QString, line);
        QFETCH(int, minWords);
        QFETCH(QString, expected);
        DingOptions options;
        options.minWords = static_cast<std::size_t>(minWords);
        QCOMPARE(describe(CorpusDingParser(options).parseLine(line.toStdString())), expected);
    }

    void dingLineReversed() {
        DingOptions options;
        options.reverse = true;
        const auto pairs = CorpusDingParser(options).parseLine("Wir gehen nach Hause. :: We are going home.");
        QCOMPARE(describe(pairs), QString("We are going home. => Wir gehen nach Hause."));
    }

    void dingLineWithoutSeparatorNamesFileAndLine() {
        const std::string msg =
            corpusErrorOf([] { CorpusDingParser().parseLine("Haus {n} : house", "de-en", 17); });
        QCOMPARE(toQ(msg), QString("de-en:17: expected 'German :: English' (no ' :: ' on the line)"));
    }

    void dingFixtureFile() {
        const Corpus c = readDingCorpus(fixture("ding-mini.txt"));
        QCOMPARE(c.pairs.size(), std::size_t(10));
        QCOMPARE(c.info.pairCount, std::size_t(10));
        QCOMPARE(c.info.format, CorpusFormat::Ding);
        QCOMPARE(toQ(c.info.direction()), QString("de\u2192en"));
        QCOMPARE(toQ(c.pairs[1].source), QString("Schmutzige Wäsche lag über den Boden verstreut."));
        QCOMPARE(toQ(c.pairs[1].target), QString("Dirty clothes littered the floor."));
        QCOMPARE(c.info.contentHash.size(), std::size_t(16));

        DingOptions reversed;
        reversed.reverse = true;
        const Corpus r = readDingCorpus(fixture("ding-mini.txt"), reversed);
        QCOMPARE(toQ(r.info.direction()), QString("en\u2192de"));
        QVERIFY(r.info.reversed);
        QCOMPARE(r.pairs[1].source, c.pairs[1].target);
        QVERIFY(r.info.contentHash != c.info.contentHash);
    }

    void dingDuplicatesDropped() {
        const std::string path = write("dups.txt", "Wir gehen nach Hause. :: We are going home.\n"
                                                   "Wir gehen nach Hause. :: We are going home.\n");
        const Corpus c = readDingCorpus(path);
        QCOMPARE(c.pairs.size(), std::size_t(1));
        QCOMPARE(c.info.skipped, std::size_t(1));
    }

    void dingErrors() {
        const std::string bad =
            write("bad-ding.txt", "# comment\nWir gehen nach Hause. :: We are going home.\n"
                                  "Haus {n} - house\n");
        QCOMPARE(toQ(corpusErrorOf([&] { readDingCorpus(bad); })),
                 toQ(bad + ":3: expected 'German :: English' (no ' :: ' on the line)"));
        const std::string onlyComments = write("comments.txt", "# a\n# b\nHaus :: house\n");
        QCOMPARE(toQ(corpusErrorOf([&] { readDingCorpus(onlyComments); })),
                 toQ(onlyComments + ": no sentence pairs (0 entries skipped)"));
    }

    void invalidUtf8Positions_data() {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<int>("offset"); // -1: valid
        QTest::newRow("ascii") << QByteArray("plain") << -1;
        QTest::newRow("umlauts") << QByteArray("Gr\xC3\xBC\xC3\x9F"
                                               "e \xE2\x80\x99 \xF0\x9F\x98\x80")
                                 << -1;
        QTest::newRow("lone continuation") << QByteArray("ab\x80") << 2;
        QTest::newRow("truncated") << QByteArray("abc\xC3") << 3;
        QTest::newRow("overlong") << QByteArray("\xC0\xAF") << 0;
        QTest::newRow("overlong 3-byte") << QByteArray("x\xE0\x80\xAF") << 1;
        QTest::newRow("surrogate") << QByteArray("x\xED\xA0\x80") << 1;
        QTest::newRow("above U+10FFFF") << QByteArray("\xF4\x90\x80\x80") << 0;
        QTest::newRow("latin-1") << QByteArray("Stra\xDF"
                                               "e")
                                 << 4;
    }
    void invalidUtf8Positions() {
        QFETCH(QByteArray, bytes);
        QFETCH(int, offset);
        const std::size_t found = findInvalidUtf8(std::string_view(bytes.constData(), bytes.size()));
        QCOMPARE(found == std::string_view::npos ? -1 : static_cast<int>(found), offset);
    }

    void invalidUtf8NamesFileLineAndOffset() {
        const std::string path = write("latin1.tsv", "Haus\thouse\nStra\xDF"
                                                     "e\tstreet\n");
        QCOMPARE(toQ(corpusErrorOf([&] { readTsvCorpus(path); })),
                 toQ(path + ":2: invalid UTF-8 at byte 5 of the line (file offset 15)"));
        const std::string en = write("u.en", "one\ntwo\n");
        const std::string de = write("u.de", "eins\nzw\xC3\n");
        QCOMPARE(toQ(corpusErrorOf([&] { readParallelCorpus(de, en); })),
                 toQ(de + ":2: invalid UTF-8 at byte 3 of the line (file offset 7)"));
    }

    void emptyInput() {
        const std::string empty = write("empty.tsv", "");
        QCOMPARE(toQ(corpusErrorOf([&] { readTsvCorpus(empty); })), toQ(empty + ": empty file"));
        const std::string blank = write("blank.tsv", "\n  \n\n");
        QCOMPARE(toQ(corpusErrorOf([&] { readTsvCorpus(blank); })),
                 toQ(blank + ": no sentence pairs (0 entries skipped)"));
        const std::string other = write("other.en", "hello\n");
        QCOMPARE(toQ(corpusErrorOf([&] { readParallelCorpus(empty, other); })), toQ(empty + ": empty file"));
        QCOMPARE(toQ(corpusErrorOf([&] { readDingCorpus(empty); })), toQ(empty + ": empty file"));
        const std::string missing = tmp_.filePath("missing.tsv").toStdString();
        QVERIFY(corpusErrorOf([&] { readTsvCorpus(missing); }).rfind(missing + ": cannot read: ", 0) == 0);
    }

    void tsvLineWithoutTab() {
        const std::string path = write("notab.tsv", "Haus\thouse\n\nBaum tree\n");
        QCOMPARE(toQ(corpusErrorOf([&] { readTsvCorpus(path); })),
                 toQ(path + ":3: expected 'source<TAB>target' (no tab on the line)"));
        const std::string two = write("twotabs.tsv", "Haus\thouse\textra\n");
        QCOMPARE(toQ(corpusErrorOf([&] { readTsvCorpus(two); })),
                 toQ(two + ":1: expected 'source<TAB>target' (more than one tab on the line)"));
    }

    void tsvReads() {
        const std::string path =
            write("ok.tsv", "\xEF\xBB\xBFGuten  Morgen\tGood morning\r\n\nDanke\t  \nBitte\tPlease");
        CorpusReadOptions options;
        options.sourceLanguage = "de";
        options.targetLanguage = "en";
        const Corpus c = readTsvCorpus(path, options);
        QCOMPARE(describe(c.pairs), QString("Guten Morgen => Good morning | Bitte => Please"));
        QCOMPARE(c.info.skipped, std::size_t(1));
        QCOMPARE(c.info.format, CorpusFormat::Tsv);
        options.reverse = true;
        const Corpus r = readTsvCorpus(path, options);
        QCOMPARE(describe(r.pairs), QString("Good morning => Guten Morgen | Please => Bitte"));
        QCOMPARE(toQ(r.info.direction()), QString("en\u2192de"));
    }

    void parallelMismatchedLineCounts() {
        const std::string de = write("train.de", "eins\nzwei\ndrei\n");
        const std::string en = write("train.en", "one\ntwo\n");
        QCOMPARE(toQ(corpusErrorOf([&] { readParallelCorpus(de, en); })),
                 toQ(de + ": has 3 lines but " + en + " has 2; aligned files need the same number of lines"));
    }

    void parallelReads() {
        const std::string de = write("p.de", "eins\n\tzwei  zwei\n\ndrei\n");
        const std::string en = write("p.en", "one\ntwo two\nlonely\nthree\n");
        const Corpus c = readParallelCorpus(de, en);
        QCOMPARE(describe(c.pairs), QString("eins => one | zwei zwei => two two | drei => three"));
        QCOMPARE(c.info.skipped, std::size_t(1));
        QCOMPARE(toQ(c.info.direction()), QString("de\u2192en"));
        QCOMPARE(c.info.paths.size(), std::size_t(2));
        QCOMPARE(c.info.toJson().at("format").get<std::string>(), std::string("parallel"));
    }

    void splitIsDeterministicAndDisjoint() {
        const Corpus c = numberedCorpus(50000);
        CorpusSplitOptions o;
        o.seed = 7;
        const CorpusSplit a = CorpusSplit::make(c, o);
        const CorpusSplit b = CorpusSplit::make(c, o);
        QCOMPARE(a.valid().size(), std::size_t(1000));
        QCOMPARE(a.test().size(), std::size_t(1000));
        QCOMPARE(a.train().size(), std::size_t(48000));
        QVERIFY(a.train() == b.train() && a.valid() == b.valid() && a.test() == b.test());
        QCOMPARE(a.hash(), b.hash());

        std::set<std::size_t> all;
        for (const auto* part : {&a.train(), &a.valid(), &a.test()}) {
            QVERIFY(std::is_sorted(part->begin(), part->end()));
            all.insert(part->begin(), part->end());
        }
        QCOMPARE(all.size(), std::size_t(50000)); // disjoint and covering
        QCOMPARE(*all.rbegin(), std::size_t(49999));

        o.seed = 8;
        const CorpusSplit other = CorpusSplit::make(c, o);
        QVERIFY(other.test() != a.test());
        QVERIFY(other.hash() != a.hash());
    }

    void splitPinnedAcrossPlatforms() {
        // mt19937_64's output is fixed by the standard and the shuffle is ours, so these indices must never
        // change: if they do, stored runs would silently evaluate on different sentences.
        const Corpus c = numberedCorpus(100);
        CorpusSplitOptions o;
        o.seed = 42;
        const CorpusSplit s = CorpusSplit::make(c, o);
        QCOMPARE(s.test().size(), std::size_t(5)); // capped at 5% of 100
        QCOMPARE(s.valid().size(), std::size_t(5));
        QCOMPARE(toQ(s.hash()), QString("4e6d36d7f96b56b9"));
    }

    void splitSmallCorpus() {
        const CorpusSplit s = CorpusSplit::make(numberedCorpus(10), CorpusSplitOptions{});
        QCOMPARE(s.test().size(), std::size_t(0));
        QCOMPARE(s.train().size(), std::size_t(10));
    }

    void splitJsonRoundTrip() {
        const Corpus c = numberedCorpus(3000);
        CorpusSplitOptions o;
        o.seed = 3;
        o.validSize = 120;
        o.testSize = 80;
        const CorpusSplit s = CorpusSplit::make(c, o);
        const nlohmann::json j = nlohmann::json::parse(s.toJson().dump());
        QCOMPARE(j.at("counts").at("train").get<std::size_t>(), std::size_t(2800));
        const CorpusSplit back = CorpusSplit::fromJson(j, c);
        QVERIFY(back.train() == s.train() && back.valid() == s.valid() && back.test() == s.test());

        const Corpus other = numberedCorpus(3001);
        QVERIFY(corpusErrorOf([&] { CorpusSplit::fromJson(j, other); }).find("split was made for corpus") !=
                std::string::npos);
        nlohmann::json tampered = j;
        tampered["indexHash"] = "0000000000000000";
        QVERIFY(corpusErrorOf([&] { CorpusSplit::fromJson(tampered, c); }).find("rebuilt indices hash") !=
                std::string::npos);
        nlohmann::json missing = j;
        missing.erase("seed");
        QCOMPARE(toQ(corpusErrorOf([&] { CorpusSplit::fromJson(missing, c); })),
                 QString("corpus: split: missing field 'seed'"));
        nlohmann::json wrongType = j;
        wrongType["testSize"] = "many";
        QVERIFY(corpusErrorOf([&] { CorpusSplit::fromJson(wrongType, c); }).find("field 'testSize'") !=
                std::string::npos);
    }

    void bundledSampleLoads() {
        const Corpus c = loadDefaultCorpus(tmp_.filePath("no-such-ding").toStdString());
        QCOMPARE(c.info.format, CorpusFormat::Tsv);
        QCOMPARE(toQ(c.info.direction()), QString("de\u2192en"));
        QVERIFY(c.pairs.size() >= 2000);
        std::size_t full = 0;
        for (const auto& p : c.pairs) {
            QVERIFY(wordCount(p.source) >= 3 && wordCount(p.target) >= 3);
            full += isFullSentencePair(p);
        }
        QCOMPARE(full, c.pairs.size());
    }

    void defaultCorpusPrefersDing() {
        const Corpus c = loadDefaultCorpus(fixture("ding-mini.txt"));
        QCOMPARE(c.info.format, CorpusFormat::Ding);
        QCOMPARE(c.pairs.size(), std::size_t(10));
    }

    void sampleSelectionPrefersSentences() {
        const Corpus c = readDingCorpus(fixture("ding-mini.txt"));
        const Pairs s = selectCorpusSample(c, 3);
        QCOMPARE(s.size(), std::size_t(3));
        for (const auto& p : s)
            QVERIFY2(isFullSentencePair(p), p.source.c_str());
        QCOMPARE(selectCorpusSample(c, 100).size(), c.pairs.size());
    }
};

AUTOMOE_TEST_MAIN(TestCorpus)
#include "tst_corpus.moc"
