// Pins how `automoe bleu` reads its files: line splitting, and errors that name the file, the line or the
// two line counts.
#include "eval/BleuInputFiles.h"

#include "TestMain.h"
#include <QtTest/QtTest>
#include <fstream>
#include <stdexcept>

using namespace automoe;

namespace {

std::string writeFile(const QTemporaryDir& dir, const char* name, const std::string& content) {
    const std::string path = dir.filePath(name).toStdString();
    std::ofstream(path, std::ios::binary) << content;
    return path;
}

QString errorOf(const std::function<void()>& f) {
    try {
        f();
    } catch (const std::runtime_error& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

} // namespace

class TestBleuInputFiles : public QObject {
    Q_OBJECT
private slots:
    void splitsLines();
    void readsHypothesesAndReferences();
    void lineCountMismatchNamesFileAndCounts();
    void invalidUtf8NamesFileAndLine();
    void missingFileIsNamed();
    void emptyReferenceLineIsNamed();
};

void TestBleuInputFiles::splitsLines() {
    QTemporaryDir dir;
    QCOMPARE(readSegmentLines(writeFile(dir, "a", "x\ny\r\n\nz")),
             (std::vector<std::string>{"x", "y", "", "z"}));
    QCOMPARE(readSegmentLines(writeFile(dir, "b", "x\n")), (std::vector<std::string>{"x"}));
    QVERIFY(readSegmentLines(writeFile(dir, "c", "")).empty());
}

void TestBleuInputFiles::readsHypothesesAndReferences() {
    QTemporaryDir dir;
    const auto hyp = writeFile(dir, "hyp", "a\nb\n");
    const auto r1 = writeFile(dir, "r1", "a\nc\n");
    const auto r2 = writeFile(dir, "r2", "d\nb\n");
    const HypothesesAndReferences d = readHypothesesAndReferences(hyp, {r1, r2});
    QCOMPARE(d.hyps, (std::vector<std::string>{"a", "b"}));
    QCOMPARE(d.refs.size(), std::size_t(2));
    QCOMPARE(d.refs[1], (std::vector<std::string>{"d", "b"}));
}

void TestBleuInputFiles::lineCountMismatchNamesFileAndCounts() {
    QTemporaryDir dir;
    const auto hyp = writeFile(dir, "hyp.txt", "a\nb\nc\n");
    const auto good = writeFile(dir, "good.txt", "a\nb\nc\n");
    const auto bad = writeFile(dir, "short.txt", "a\nb\n");
    const QString msg = errorOf([&] { readHypothesesAndReferences(hyp, {good, bad}); });
    QVERIFY2(msg.contains(QString::fromStdString(bad)), qPrintable(msg));
    QVERIFY2(msg.contains("has 2 lines"), qPrintable(msg));
    QVERIFY2(msg.contains("has 3"), qPrintable(msg));
    QVERIFY2(!msg.contains("good.txt"), qPrintable(msg));
}

void TestBleuInputFiles::invalidUtf8NamesFileAndLine() {
    QTemporaryDir dir;
    const auto hyp = writeFile(dir, "hyp.txt", "fine\nbro\xc3ken\n");
    const QString msg = errorOf([&] { readSegmentLines(hyp); });
    QVERIFY2(msg.startsWith(QString::fromStdString(hyp) + ":2: invalid UTF-8"), qPrintable(msg));
    QVERIFY2(msg.contains("byte 4"), qPrintable(msg));
}

void TestBleuInputFiles::missingFileIsNamed() {
    const QString msg = errorOf([] { readSegmentLines("/nonexistent/hyp.txt"); });
    QCOMPARE(msg, QString("cannot open /nonexistent/hyp.txt"));
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, readHypothesesAndReferences("/nonexistent/h", {}));
}

void TestBleuInputFiles::emptyReferenceLineIsNamed() {
    QTemporaryDir dir;
    const auto hyp = writeFile(dir, "hyp.txt", "a\nb\n");
    const auto r1 = writeFile(dir, "r1.txt", "a\n \n");
    const auto r2 = writeFile(dir, "r2.txt", "a\nb\n");
    QCOMPARE(readHypothesesAndReferences(hyp, {r1, r2}).refs[0][1], std::string()); // variable references
    const QString msg = errorOf([&] { readHypothesesAndReferences(hyp, {r1}); });
    QVERIFY2(msg.startsWith(QString::fromStdString(r1) + ":2: empty reference line"), qPrintable(msg));
}

AUTOMOE_TEST_MAIN(TestBleuInputFiles)
#include "tst_bleuinputfiles.moc"
