// Pins the BLEU tokenizers and the Python-string helpers they rest on. The 13a cases are worked out by
// hand from sacreBLEU's tokenizer_13a.py / tokenizer_re.py (mteval-v13a) regexes; the comments say which
// rule produces each split.
#include "eval/BleuText.h"
#include "eval/BleuTokenizer.h"

#include "TestMain.h"
#include <QtTest/QtTest>
#include <stdexcept>

using namespace automoe;

class TestBleuTokenizer : public QObject {
    Q_OBJECT
private slots:
    void tokenize13a_data();
    void tokenize13a();
    void tokenizeIntl_data();
    void tokenizeIntl();
    void tokenizeCharSplitsCodePoints();
    void unknownTokenizerThrows();
    void splitUsesPythonWhitespace();
    void rstripUsesPythonWhitespace();
    void lowerFollowsPython();
    void utf8Validation();
    void invalidBytesPassThrough();
};

void TestBleuTokenizer::tokenize13a_data() {
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("expected");
    QTest::newRow("comma and bang") << "Hello, world!"
                                    << "Hello , world !";
    QTest::newRow("sentence period") << "The dog bit the man."
                                     << "The dog bit the man .";
    QTest::newRow("apostrophe kept") << "It wasn't surprising."
                                     << "It wasn't surprising .";
    QTest::newRow("decimal kept, final period split") << "The price is $3.50."
                                                      << "The price is $ 3.50 .";
    QTest::newRow("thousands kept") << "1,000,000 people"
                                    << "1,000,000 people";
    QTest::newRow("number then period") << "in 1990."
                                        << "in 1990 .";
    QTest::newRow("dash after digit") << "1990-2000"
                                      << "1990 - 2000";
    QTest::newRow("hyphen in word kept") << "e-mail well-known"
                                         << "e-mail well-known";
    QTest::newRow("period between letters") << "a.b"
                                            << "a . b";
    QTest::newRow("brackets") << "(a) [b] {c}"
                              << "( a ) [ b ] { c }";
    QTest::newRow("symbols") << "x/y=z@w#1%2^3"
                             << "x / y = z @ w # 1 % 2 ^ 3";
    QTest::newRow("unescape") << "&quot;Hi&quot; &amp; bye &lt;b&gt;"
                              << "\" Hi \" & bye < b >";
    QTest::newRow("unescape order") << "&amp;lt;"
                                    << "<";
    QTest::newRow("skipped tag") << "a <skipped> b"
                                 << "a b";
    QTest::newRow("continuation") << "hyphen-\nated line\nbreak"
                                  << "hyphenated line break";
    QTest::newRow("whitespace runs") << "  a \t b  "
                                     << "a b";
    QTest::newRow("utf8 passthrough") << "Grüße, Zoë. Straße"
                                      << "Grüße , Zoë . Straße";
    QTest::newRow("nbsp splits like python") << QString("x") + QChar(0x00A0) + "y"
                                             << "x y";
    QTest::newRow("ideographic space splits") << QString("x") + QChar(0x3000) + "y"
                                              << "x y";
    QTest::newRow("non-ascii before period") << QString::fromUtf8("€.") << QString::fromUtf8("€ .");
    QTest::newRow("empty") << ""
                           << "";
}

void TestBleuTokenizer::tokenize13a() {
    QFETCH(QString, input);
    QFETCH(QString, expected);
    QCOMPARE(QString::fromStdString(automoe::tokenize13a(input.toStdString())), expected);
}

void TestBleuTokenizer::tokenizeIntl_data() {
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("expected");
    // tokenizer_intl.py: (\P{N})(\p{P}) -> "\1 \2 ", (\p{P})(\P{N}) -> " \1 \2", (\p{S}) -> " \1 "
    QTest::newRow("comma and bang") << "Hello, world!"
                                    << "Hello , world !";
    QTest::newRow("apostrophe is punctuation") << "It wasn't"
                                               << "It wasn ' t";
    QTest::newRow("decimal kept") << "3.50 and 3,000"
                                  << "3.50 and 3,000";
    QTest::newRow("number then period stays (mteval-v14 quirk)") << "in 1990."
                                                                 << "in 1990.";
    QTest::newRow("currency symbol") << "€5 and $5"
                                     << "€ 5 and $ 5";
    QTest::newRow("unicode quotes") << "«Hallo»"
                                    << "« Hallo »";
}

void TestBleuTokenizer::tokenizeIntl() {
    QFETCH(QString, input);
    QFETCH(QString, expected);
    QCOMPARE(QString::fromStdString(automoe::tokenizeIntl(input.toStdString())), expected);
}

void TestBleuTokenizer::tokenizeCharSplitsCodePoints() {
    QCOMPARE(QString::fromStdString(tokenizeChar("Zoë a")), QString::fromUtf8("Z o ë a"));
    QCOMPARE(tokenizeForBleu("a  b ", "none"), std::string("a  b "));
}

void TestBleuTokenizer::unknownTokenizerThrows() {
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, tokenizeForBleu("a", "ja-mecab"));
}

void TestBleuTokenizer::splitUsesPythonWhitespace() {
    QCOMPARE(splitWhitespace("  a\tb\x1f"
                             "c\xc2\x85"
                             "d\xe2\x80\xa8"
                             "e  "),
             (std::vector<std::string>{"a", "b", "c", "d", "e"}));
    // U+200B ZERO WIDTH SPACE is not whitespace for Python.
    QCOMPARE(splitWhitespace("a\xe2\x80\x8b"
                             "b"),
             (std::vector<std::string>{"a\xe2\x80\x8b"
                                       "b"}));
    QVERIFY(splitWhitespace(" \t\n").empty());
}

void TestBleuTokenizer::rstripUsesPythonWhitespace() {
    QCOMPARE(rstripWhitespace("a b \xc2\xa0\r\n"), std::string("a b"));
    QCOMPARE(rstripWhitespace("  "), std::string());
}

void TestBleuTokenizer::lowerFollowsPython() {
    QCOMPARE(QString::fromStdString(pythonLower("ÄÖÜ Straße ΑΒΓ")), QString::fromUtf8("äöü straße αβγ"));
    // Python maps U+0130 to "i" + U+0307.
    QCOMPARE(pythonLower("\xc4\xb0"), std::string("i\xcc\x87"));
}

void TestBleuTokenizer::utf8Validation() {
    QVERIFY(!firstInvalidUtf8("plain Grüße €𝄞").has_value());
    QCOMPARE(firstInvalidUtf8("ab\xc3").value(), std::size_t(2));           // truncated
    QCOMPARE(firstInvalidUtf8("\xc0\xaf").value(), std::size_t(0));         // overlong
    QCOMPARE(firstInvalidUtf8("x\xed\xa0\x80").value(), std::size_t(1));    // surrogate
    QCOMPARE(firstInvalidUtf8("\xf4\x90\x80\x80").value(), std::size_t(0)); // above U+10FFFF
}

void TestBleuTokenizer::invalidBytesPassThrough() {
    QCOMPARE(encodeUtf8(decodeUtf8("a\xff"
                                   "b")),
             std::string("a\xff"
                         "b"));
    QCOMPARE(automoe::tokenize13a("a\xff."), std::string("a\xff ."));
    QCOMPARE(automoe::tokenizeIntl("a\xff."), std::string("a\xff ."));
}

AUTOMOE_TEST_MAIN(TestBleuTokenizer)
#include "tst_bleutokenizer.moc"
