// Pins corpus BLEU to sacreBLEU 2.x: the expected values are the ones sacreBLEU's own test suite
// (test/test_bleu.py, test/test_sentence_bleu.py) and README list, with their tolerances.
#include "eval/Bleu.h"

#include "TestMain.h"
#include <QtTest/QtTest>
#include <stdexcept>
#include <string>
#include <vector>

using namespace automoe;

using Lines = std::vector<std::string>;
using Streams = std::vector<Lines>;
Q_DECLARE_METATYPE(Lines)
Q_DECLARE_METATYPE(Streams)
Q_DECLARE_METATYPE(BleuOptions)

namespace {

const Lines kHyps{"The dog bit the man.", "It wasn't surprising.", "The man had just bitten him."};
const Streams kRefs{{"The dog bit the man.", "It was not unexpected.", "The man bit him first."},
                    {"The dog had bit the man.", "No one was surprised.", "The man had bitten the dog."}};

BleuOptions opts(std::string tokenize = "13a", std::string smoothing = "exp",
                 std::optional<double> smoothValue = std::nullopt, bool effectiveOrder = false,
                 bool lowercase = false) {
    BleuOptions o;
    o.tokenize = std::move(tokenize);
    o.smoothing = std::move(smoothing);
    o.smoothValue = smoothValue;
    o.effectiveOrder = effectiveOrder;
    o.lowercase = lowercase;
    return o;
}

// sacreBLEU's compat.raw_corpus_bleu: floor smoothing, no tokenizer, effective order.
BleuOptions rawOpts(double floor) {
    return opts("none", "floor", floor, true);
}

// test_sentence_bleu.py: the example from sacreBLEU issue #98 (note the two different t-commas).
const std::string kRomanianRef = "producţia de zahăr brut se exprimă în zahăr alb;";
const std::string kRomanianSys = "Producția de zahăr primă va fi exprimată în ceea ce privește zahărul alb;";

} // namespace

class TestBleu : public QObject {
    Q_OBJECT
private slots:
    void corpusScoreMatchesSacreBleu_data();
    void corpusScoreMatchesSacreBleu();
    void readmeExamplePrintsSacreBleuLine();
    void variableNumberOfReferencesMatchesReadme();
    void maxNgramOrderMatchesSacreBleu_data();
    void maxNgramOrderMatchesSacreBleu();
    void countsAndTotalsMatchSacreBleu();
    void computeBleuFromStatistics();
    void degenerateStatisticsScoreZero_data();
    void degenerateStatisticsScoreZero();
    void emptyHypothesesGiveZeroWithZeroBrevityPenalty();
    void expSmoothingHalvesPerMissingOrder();
    void rejectsBadInput();
};

void TestBleu::corpusScoreMatchesSacreBleu_data() {
    QTest::addColumn<Lines>("hyps");
    QTest::addColumn<Streams>("refs");
    QTest::addColumn<BleuOptions>("options");
    QTest::addColumn<double>("expected");
    QTest::addColumn<double>("tolerance");

    // test_bleu.py test_corpus_bleu_cases (EPSILON 1e-8)
    QTest::newRow("readme default") << kHyps << kRefs << opts() << 48.530827 << 1e-8;
    QTest::newRow("readme empty hyps") << Lines{"", "", ""} << kRefs << opts() << 0.0 << 1e-8;
    QTest::newRow("readme tokenize none") << kHyps << kRefs << opts("none") << 49.1919566 << 1e-8;
    QTest::newRow("readme tokenize 13a") << kHyps << kRefs << opts("13a") << 48.530827 << 1e-8;
    QTest::newRow("readme tokenize intl") << kHyps << kRefs << opts("intl") << 43.91623493 << 1e-8;
    QTest::newRow("readme smooth none") << kHyps << kRefs << opts("13a", "none") << 48.530827 << 1e-8;
    // test_bleu.py test_raw_bleu_cases (raw_corpus_bleu, floor .01; sacreBLEU checks score / 100)
    QTest::newRow("raw no match (#141)") << Lines{"this is a test", "another test"}
                                         << Streams{{"ref1", "ref2"}} << rawOpts(0.01) << 0.0 << 1e-6;
    QTest::newRow("raw identical") << Lines{"this is a test"} << Streams{{"this is a test"}} << rawOpts(0.01)
                                   << 100.0 << 1e-6;
    QTest::newRow("raw one word off") << Lines{"this is a fest"} << Streams{{"this is a test"}}
                                      << rawOpts(0.01) << 22.3606797749979 << 1e-6;
    // test_bleu.py test_case_effective_order
    QTest::newRow("effective order test")
        << Lines{"test"} << Streams{{"a test"}} << rawOpts(0.01) << 36.78794411714425 << 1e-6;
    QTest::newRow("effective order a test")
        << Lines{"a test"} << Streams{{"a test"}} << rawOpts(0.01) << 100.0 << 1e-6;
    QTest::newRow("effective order a little test")
        << Lines{"a little test"} << Streams{{"a test"}} << rawOpts(0.01) << 3.218297948685433 << 1e-6;
    // test_bleu.py test_case_offset: floor 0.1 (the default) and floor 0
    const Lines offHyp{"am I am a character sequence"};
    const Streams offRef{{"I am a symbol string sequence a a"}};
    QTest::newRow("offset floor 0.1") << offHyp << offRef << rawOpts(0.1) << 15.55722182 << 1e-6;
    QTest::newRow("offset floor default")
        << offHyp << offRef << opts("none", "floor", std::nullopt, true) << 15.55722182 << 1e-6;
    QTest::newRow("offset floor 0") << offHyp << offRef << rawOpts(0.0) << 0.0 << 1e-6;
    // test_sentence_bleu.py test_cases (sentence BLEU = corpus of one with effective order; EPSILON 1e-3)
    const Lines ro{kRomanianSys};
    const Streams roRef{{kRomanianRef}};
    QTest::newRow("ro exp") << ro << roRef << opts("13a", "exp", {}, true) << 8.493 << 1e-3;
    QTest::newRow("ro none") << ro << roRef << opts("13a", "none", {}, true) << 0.0 << 1e-3;
    QTest::newRow("ro floor default") << ro << roRef << opts("13a", "floor", {}, true) << 4.51688 << 1e-3;
    QTest::newRow("ro floor 0.1") << ro << roRef << opts("13a", "floor", 0.1, true) << 4.51688 << 1e-3;
    QTest::newRow("ro floor 0.5") << ro << roRef << opts("13a", "floor", 0.5, true) << 10.10 << 1e-3;
    QTest::newRow("ro add-k default") << ro << roRef << opts("13a", "add-k", {}, true) << 14.882 << 1e-3;
    QTest::newRow("ro add-k 1") << ro << roRef << opts("13a", "add-k", 1.0, true) << 14.882 << 1e-3;
    QTest::newRow("ro add-k 2") << ro << roRef << opts("13a", "add-k", 2.0, true) << 21.389 << 1e-3;
    QTest::newRow("ro tokenize none") << ro << roRef << opts("none", "exp", {}, true) << 7.347 << 1e-3;
    QTest::newRow("ro tokenize intl") << ro << roRef << opts("intl", "exp", {}, true) << 8.493 << 1e-3;
    QTest::newRow("ro tokenize char") << ro << roRef << opts("char", "exp", {}, true) << 40.8759 << 1e-3;
    QTest::newRow("ro tokenize char lowercase")
        << ro << roRef << opts("char", "exp", {}, true, true) << 42.0267 << 1e-3;
    // test_sentence_bleu.py test_cases_zero_bleu (#141): no match at all scores 0 whatever the smoothing
    const Lines zero{"this is a cat"};
    const Streams zeroRef{{"okay thanks"}};
    QTest::newRow("zero exp") << zero << zeroRef << opts("13a", "exp", {}, true) << 0.0 << 1e-3;
    QTest::newRow("zero none") << zero << zeroRef << opts("13a", "none", {}, true) << 0.0 << 1e-3;
    QTest::newRow("zero floor default") << zero << zeroRef << opts("13a", "floor", {}, true) << 0.0 << 1e-3;
    QTest::newRow("zero floor 0.1") << zero << zeroRef << opts("13a", "floor", 0.1, true) << 0.0 << 1e-3;
    QTest::newRow("zero add-k default") << zero << zeroRef << opts("13a", "add-k", {}, true) << 0.0 << 1e-3;
    QTest::newRow("zero add-k 1") << zero << zeroRef << opts("13a", "add-k", 1.0, true) << 0.0 << 1e-3;
}

void TestBleu::corpusScoreMatchesSacreBleu() {
    QFETCH(Lines, hyps);
    QFETCH(Streams, refs);
    QFETCH(BleuOptions, options);
    QFETCH(double, expected);
    QFETCH(double, tolerance);
    const BleuScore s = corpusBleu(hyps, refs, options);
    if (std::abs(s.score - expected) >= tolerance)
        QFAIL(qPrintable(QString("got %1, want %2").arg(s.score, 0, 'g', 17).arg(expected, 0, 'g', 17)));
}

void TestBleu::readmeExamplePrintsSacreBleuLine() {
    const BleuScore s = corpusBleu(kHyps, kRefs);
    // README.md ("In [3]: bleu.corpus_score(sys, refs)")
    QCOMPARE(
        QString::fromStdString(s.format()),
        QString("BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944 hyp_len = 17 ref_len = 18)"));
    // The full-precision score and brevity penalty sacreBLEU returns for it (HF datasets' sacrebleu docs).
    QVERIFY(std::abs(s.score - 48.530827009929865) < 1e-12);
    QVERIFY(std::abs(s.bp - 0.9428731438548749) < 1e-15);
    QVERIFY(std::abs(s.precisions[0] - 82.3529411764706) < 1e-12);
    QCOMPARE(s.precisions[1], 50.0);
    QVERIFY(std::abs(s.precisions[2] - 45.45454545454545) < 1e-12);
    QCOMPARE(s.precisions[3], 37.5);
}

void TestBleu::variableNumberOfReferencesMatchesReadme() {
    Streams refs = kRefs;
    refs[0][0] = ""; // README "Variable Number of References": no first reference for sentence 1
    QCOMPARE(
        QString::fromStdString(corpusBleu(kHyps, refs).format()),
        QString("BLEU = 29.44 82.4/42.9/27.3/12.5 (BP = 0.889 ratio = 0.895 hyp_len = 17 ref_len = 19)"));
}

void TestBleu::maxNgramOrderMatchesSacreBleu_data() {
    QTest::addColumn<int>("order");
    QTest::addColumn<QString>("expected");
    // test_bleu.py test_bleu_max_order (compares the score printed with two decimals)
    QTest::newRow("1") << 1 << "77.65";
    QTest::newRow("2") << 2 << "60.50";
    QTest::newRow("3") << 3 << "53.93";
    QTest::newRow("4") << 4 << "48.53";
    QTest::newRow("5") << 5 << "46.14";
    QTest::newRow("6") << 6 << "43.28";
}

void TestBleu::maxNgramOrderMatchesSacreBleu() {
    QFETCH(int, order);
    QFETCH(QString, expected);
    BleuOptions o;
    o.maxNgramOrder = order;
    QCOMPARE(QString::number(corpusBleu(kHyps, kRefs, o).score, 'f', 2), expected);
}

void TestBleu::countsAndTotalsMatchSacreBleu() {
    // test_bleu.py test_case_statistics
    const BleuScore s =
        corpusBleu({"am I am a character sequence"}, {{"I am a symbol string sequence a a"}}, rawOpts(0.01));
    QCOMPARE(s.counts, (std::vector<std::int64_t>{4, 2, 1, 0}));
    QCOMPARE(s.totals, (std::vector<std::int64_t>{6, 5, 4, 3}));
    // README example (HF datasets' sacrebleu docs print these)
    const BleuScore r = corpusBleu(kHyps, kRefs);
    QCOMPARE(r.counts, (std::vector<std::int64_t>{14, 7, 5, 3}));
    QCOMPARE(r.totals, (std::vector<std::int64_t>{17, 14, 11, 8}));
    QCOMPARE(r.sysLen, std::int64_t(17));
    QCOMPARE(r.refLen, std::int64_t(18));
}

void TestBleu::computeBleuFromStatistics() {
    // test_bleu.py test_case_scoring: compute_bleu's own default smoothing is 'none'
    const BleuScore s = computeBleu({9, 7, 5, 3}, {10, 8, 6, 4}, 11, 11, opts("13a", "none"));
    QVERIFY(std::abs(s.score / 100 - 0.8375922397) < 1e-8);
}

void TestBleu::degenerateStatisticsScoreZero_data() {
    QTest::addColumn<std::vector<std::int64_t>>("counts");
    QTest::addColumn<std::vector<std::int64_t>>("totals");
    QTest::addColumn<int>("sysLen");
    QTest::addColumn<int>("refLen");
    QTest::addColumn<double>("floor");
    // test_bleu.py test_case_degenerate_stats (floor smoothing; expected exactly 0.0)
    using V = std::vector<std::int64_t>;
    QTest::newRow("1") << V{0, 0, 0, 0} << V{4, 4, 2, 1} << 0 << 1 << 0.0;
    QTest::newRow("2") << V{0, 0, 0, 0} << V{10, 11, 12, 0} << 14 << 10 << 0.0;
    QTest::newRow("3") << V{0, 0, 0, 0} << V{0, 0, 0, 0} << 0 << 0 << 0.0;
    QTest::newRow("4") << V{6, 5, 4, 0} << V{6, 5, 4, 3} << 6 << 6 << 0.0;
    QTest::newRow("5") << V{0, 0, 0, 0} << V{0, 0, 0, 0} << 0 << 0 << 0.1;
    QTest::newRow("6") << V{0, 0, 0, 0} << V{0, 0, 0, 0} << 1 << 5 << 0.01;
}

void TestBleu::degenerateStatisticsScoreZero() {
    QFETCH(std::vector<std::int64_t>, counts);
    QFETCH(std::vector<std::int64_t>, totals);
    QFETCH(int, sysLen);
    QFETCH(int, refLen);
    QFETCH(double, floor);
    QCOMPARE(computeBleu(counts, totals, sysLen, refLen, opts("13a", "floor", floor)).score, 0.0);
}

void TestBleu::emptyHypothesesGiveZeroWithZeroBrevityPenalty() {
    // bleu.py: sys_len 0 gives bp 0.0 and ratio sys_len / ref_len; closest ref length to 0 is the shortest.
    const BleuScore s = corpusBleu({"", "", ""}, kRefs);
    QCOMPARE(QString::fromStdString(s.format()),
             QString("BLEU = 0.00 0.0/0.0/0.0/0.0 (BP = 0.000 ratio = 0.000 hyp_len = 0 ref_len = 17)"));
}

void TestBleu::expSmoothingHalvesPerMissingOrder() {
    // bleu.py 'exp': the k-th order with no match gets precision 100 / (2^k * total).
    const BleuScore s = computeBleu({3, 0, 0, 0}, {4, 3, 2, 1}, 4, 4);
    QCOMPARE(s.precisions, (std::vector<double>{75.0, 100.0 / 6.0, 100.0 / 8.0, 100.0 / 8.0}));
    const double expected =
        std::exp((std::log(75.0) + std::log(100.0 / 6.0) + std::log(12.5) + std::log(12.5)) / 4);
    QVERIFY(std::abs(s.score - expected) < 1e-12);
    // With 'none' a missing order makes the score 0.
    QCOMPARE(computeBleu({3, 0, 0, 0}, {4, 3, 2, 1}, 4, 4, opts("13a", "none")).score, 0.0);
}

void TestBleu::rejectsBadInput() {
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, corpusBleu({"a", "b"}, {{"a"}}));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, corpusBleu({"a"}, {}));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, corpusBleu({"a"}, {{""}, {""}})); // sacreBLEU: empty refs
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, corpusBleu({"a"}, {{"a"}}, opts("zh")));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, corpusBleu({"a"}, {{"a"}}, opts("13a", "laplace")));
}

AUTOMOE_TEST_MAIN(TestBleu)
#include "tst_bleu.moc"
