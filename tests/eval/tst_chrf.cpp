// Pins chrF to sacreBLEU 2.x: the expected values are those of sacreBLEU's test/test_chrf.py and README,
// with their tolerance (1e-4).
#include "eval/Chrf.h"

#include "TestMain.h"
#include <QtTest/QtTest>
#include <stdexcept>
#include <string>
#include <vector>

using namespace automoe;

using Lines = std::vector<std::string>;
Q_DECLARE_METATYPE(Lines)

namespace {

ChrfOptions opts(int beta, bool eps, bool whitespace = false) {
    ChrfOptions o;
    o.beta = beta;
    o.epsSmoothing = eps;
    o.whitespace = whitespace;
    return o;
}

double chrf(const Lines& hyps, const Lines& refs, const ChrfOptions& o) {
    return corpusChrf(hyps, {refs}, o).score;
}

} // namespace

class TestChrf : public QObject {
    Q_OBJECT
private slots:
    void readmeExampleScores5973();
    void epsSmoothingMatchesSacreBleu_data();
    void epsSmoothingMatchesSacreBleu();
    void effectiveOrderMatchesSacreBleu_data();
    void effectiveOrderMatchesSacreBleu();
    void keepWhitespaceMatchesSacreBleu();
    void sentenceLevelMatchesSacreBleu_data();
    void sentenceLevelMatchesSacreBleu();
    void chrfPlusPlusAddsWordOrders();
    void bestReferenceIsChosenPerSentence();
    void rejectsBadInput();
};

void TestChrf::readmeExampleScores5973() {
    const Lines hyps{"The dog bit the man.", "It wasn't surprising.", "The man had just bitten him."};
    const std::vector<Lines> refs{
        {"The dog bit the man.", "It was not unexpected.", "The man bit him first."},
        {"The dog had bit the man.", "No one was surprised.", "The man had bitten the dog."}};
    const ChrfScore s = corpusChrf(hyps, refs);                             // sacreBLEU defaults
    QCOMPARE(QString::fromStdString(s.format()), QString("chrF2 = 59.73")); // README.md
}

void TestChrf::epsSmoothingMatchesSacreBleu_data() {
    QTest::addColumn<Lines>("hyps");
    QTest::addColumn<Lines>("refs");
    QTest::addColumn<double>("expected");
    // test_chrf.py test_cases: char_order 6, word_order 0, beta 3, eps_smoothing True
    QTest::newRow("disjoint") << Lines{"abcdefg"} << Lines{"hijklmnop"} << 0.0;
    QTest::newRow("a b") << Lines{"a"} << Lines{"b"} << 0.0;
    QTest::newRow("empty b") << Lines{""} << Lines{"b"} << 0.0;
    QTest::newRow("empty ref") << Lines{""} << Lines{"ref"} << 0.0;
    QTest::newRow("empty reference") << Lines{""} << Lines{"reference"} << 0.0;
    QTest::newRow("aa ab") << Lines{"aa"} << Lines{"ab"} << 8.3333;
    QTest::newRow("two lines") << Lines{"a", "b"} << Lines{"a", "c"} << 8.3333;
    QTest::newRow("a a") << Lines{"a"} << Lines{"a"} << 16.6667;
    QTest::newRow("a b c") << Lines{"a b c"} << Lines{"a b c"} << 50.0;
    QTest::newRow("a b c vs abc") << Lines{"a b c"} << Lines{"abc"} << 50.0;
    QTest::newRow("risk assessment") << Lines{" risk assessment must be made of those who are qualified and "
                                              "expertise in the sector - these are the "
                                              "scientists ."}
                                     << Lines{"risk assessment has to be undertaken by those who are "
                                              "qualified and expert in that area - that is "
                                              "the scientists ."}
                                     << 63.361730;
    QTest::newRow("Obama")
        << Lines{" Die    Beziehung zwischen  Obama und Netanjahu ist nicht gerade  freundlich. "}
        << Lines{"Das Verhältnis zwischen Obama und Netanyahu ist nicht gerade freundschaftlich."}
        << 64.1302698;
    QTest::newRow("identical") << Lines{"Niemand hat die Absicht, eine Mauer zu errichten"}
                               << Lines{"Niemand hat die Absicht, eine Mauer zu errichten"} << 100.0;
}

void TestChrf::epsSmoothingMatchesSacreBleu() {
    QFETCH(Lines, hyps);
    QFETCH(Lines, refs);
    QFETCH(double, expected);
    const double got = chrf(hyps, refs, opts(3, true));
    if (std::abs(got - expected) >= 1e-4)
        QFAIL(qPrintable(QString("got %1, want %2").arg(got, 0, 'g', 12).arg(expected)));
}

void TestChrf::effectiveOrderMatchesSacreBleu_data() {
    QTest::addColumn<Lines>("hyps");
    QTest::addColumn<Lines>("refs");
    QTest::addColumn<double>("expected");
    // test_chrf.py test_cases_effective_order: beta 3, eps_smoothing False (the 2.x default)
    QTest::newRow("a a") << Lines{"a"} << Lines{"a"} << 100.0;
    QTest::newRow("empty reference") << Lines{""} << Lines{"reference"} << 0.0;
    QTest::newRow("a b c") << Lines{"a b c"} << Lines{"a b c"} << 100.0;
    QTest::newRow("a b c vs abc") << Lines{"a b c"} << Lines{"abc"} << 100.0;
    QTest::newRow("empty c") << Lines{""} << Lines{"c"} << 0.0;
    QTest::newRow("two lines") << Lines{"a", "b"} << Lines{"a", "c"} << 50.0;
    QTest::newRow("aa ab") << Lines{"aa"} << Lines{"ab"} << 25.0;
}

void TestChrf::effectiveOrderMatchesSacreBleu() {
    QFETCH(Lines, hyps);
    QFETCH(Lines, refs);
    QFETCH(double, expected);
    const double got = chrf(hyps, refs, opts(3, false));
    if (std::abs(got - expected) >= 1e-4)
        QFAIL(qPrintable(QString("got %1, want %2").arg(got, 0, 'g', 12).arg(expected)));
}

void TestChrf::keepWhitespaceMatchesSacreBleu() {
    // test_chrf.py test_cases_keep_whitespace: beta 3, whitespace kept, effective order
    QVERIFY(std::abs(chrf({"Die Beziehung zwischen Obama und Netanjahu ist nicht gerade freundlich."},
                          {"Das Verhältnis zwischen Obama und Netanyahu ist nicht gerade freundschaftlich."},
                          opts(3, false, true)) -
                     67.3481606) < 1e-4);
    QVERIFY(
        std::abs(
            chrf({"risk assessment must be made of those who are qualified and expertise in the sector - "
                  "these are the scientists ."},
                 {"risk assessment has to be undertaken by those who are qualified and expert in that area - "
                  "that is the scientists ."},
                 opts(3, false, true)) -
            65.2414427) < 1e-4);
}

void TestChrf::sentenceLevelMatchesSacreBleu_data() {
    QTest::addColumn<QString>("hyp");
    QTest::addColumn<QString>("ref");
    QTest::addColumn<double>("expected");
    // test_chrf.py test_sentence_level_chrf: defaults (beta 2) with eps_smoothing True
    QTest::newRow("1") << "Co nás nejvíc trápí, protože lékaři si vybírají, kdo bude žít a kdo zemře."
                       << "Nejvíce smutní jsme z toho, že musíme rozhodovat o tom, kdo bude žít a kdo zemře."
                       << 39.14078509;
    QTest::newRow("2") << "Nebo prostě nemají vybavení, které by jim pomohlo, uvedli lékaři."
                       << "A někdy nemáme ani potřebný materiál, abychom jim pomohli, popsali lékaři."
                       << 31.22557079;
    QTest::newRow("3")
        << "Lapali po dechu, jejich životy skončily dřív, než skutečně začaly."
        << "Lapali po dechu a pak jejich život skončil - dřív, než skutečně mohl začít, připomněli."
        << 57.15704367;
}

void TestChrf::sentenceLevelMatchesSacreBleu() {
    QFETCH(QString, hyp);
    QFETCH(QString, ref);
    QFETCH(double, expected);
    const double got = chrf({hyp.toStdString()}, {ref.toStdString()}, opts(2, true));
    if (std::abs(got - expected) >= 1e-4)
        QFAIL(qPrintable(QString("got %1, want %2").arg(got, 0, 'g', 12).arg(expected)));
}

void TestChrf::chrfPlusPlusAddsWordOrders() {
    // Hand-computed from chrf.py: "thecat" vs "thedog" gives char precisions 3/6, 2/5, 1/4, 0, 0, 0 and words
    // 1/2, 0/1; eight effective orders, precision = recall, mean 1.65 / 8 = 0.20625.
    ChrfOptions o;
    o.wordOrder = 2;
    const ChrfScore s = corpusChrf({"the cat"}, {{"the dog"}}, o);
    QVERIFY(std::abs(s.score - 20.625) < 1e-9);
    QCOMPARE(QString::fromStdString(s.format()), QString("chrF2++ = 20.62"));
}

void TestChrf::bestReferenceIsChosenPerSentence() {
    // chrf.py picks, per sentence, the reference with the best sentence F-score.
    const double best = chrf({"the cat sat"}, {"the cat sat"}, {});
    QCOMPARE(corpusChrf({"the cat sat"}, {{"a dog ran"}, {"the cat sat"}}).score, best);
    QCOMPARE(best, 100.0);
}

void TestChrf::rejectsBadInput() {
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, corpusChrf({"a", "b"}, {{"a"}}));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, corpusChrf({"a"}, {}));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, corpusChrf({"a"}, {{""}}));
}

AUTOMOE_TEST_MAIN(TestChrf)
#include "tst_chrf.moc"
