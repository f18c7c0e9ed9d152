// The DARTS space file (issue 13, in progress): operation names parse and print back, the bundled file is
// the standard candidate list and round-trips, and every kind of bad file is refused naming the file and the
// field.
#include "space/DartsArchitecture.h"
#include "space/DartsSpace.h"
#include "space/SpaceError.h"

#include "TestMain.h"
#include <QTemporaryDir>
#include <QtTest/QtTest>

using namespace automoe;

namespace {

QStringList names(const std::vector<DartsOpSpec>& ops) {
    QStringList out;
    for (const auto& op : ops)
        out << QString::fromStdString(op.name());
    return out;
}

} // namespace

class TestDartsSpace : public QObject {
    Q_OBJECT
private slots:
    void namesRoundTrip() {
        for (const auto& op : DartsSpace::standard().decoder)
            QVERIFY(DartsOpSpec::parse(op.name()) == op);
        QCOMPARE(DartsOpSpec::parse("lightconv15").kernel, 15);
        QVERIFY(DartsOpSpec::parse("dynconv7").kind == DartsOpKind::DynamicConv);
    }

    void badNamesAreRefused_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("message");
        QTest::newRow("even kernel") << "conv4"
                                     << "'conv4': the kernel width must be odd";
        QTest::newRow("no kernel") << "conv"
                                   << "unknown DARTS operation 'conv'";
        QTest::newRow("not a number") << "dynconvX"
                                      << "unknown DARTS operation 'dynconvX'";
        QTest::newRow("unknown") << "attention"
                                 << "unknown DARTS operation 'attention'";
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

    void bundledIsTheStandardList() {
        const DartsSpace bundled = loadDartsSpaceByNameOrPath("darts");
        const DartsSpace standard = DartsSpace::standard();
        QCOMPARE(names(bundled.encoder), names(standard.encoder));
        QCOMPARE(names(bundled.decoder), names(standard.decoder));
        QCOMPARE(bundled.encoder.size(),
                 size_t(17)); // 4 conv, 4 light, 4 dynamic, attention, glu, ffn, zero, id
        QVERIFY(names(bundled.decoder).contains("ende_attention"));
        QVERIFY(!names(bundled.encoder).contains("ende_attention"));
        const DartsSpace back = parseDartsSpace(dartsSpaceToJson(bundled), "round trip");
        QCOMPARE(names(back.decoder), names(bundled.decoder));
        QCOMPARE(QString::fromStdString(back.name), QString("darts"));
    }

    void badFilesNameFileAndField_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("message");
        const QString dec = R"("decoder": {"candidates": ["conv3"]})";
        QTest::newRow("unknown op") << R"({"encoder": {"candidates": ["conv3", "ffn", "conv4x"]}, )" + dec +
                                           "}"
                                    << "bad.json: encoder.candidates[2]: unknown DARTS operation 'conv4x'";
        QTest::newRow("even kernel") << R"({"encoder": {"candidates": ["conv4"]}, )" + dec + "}"
                                     << "bad.json: encoder.candidates[0]: DARTS operation 'conv4'";
        QTest::newRow("ende in encoder")
            << R"({"encoder": {"candidates": ["ende_attention"]}, )" + dec + "}"
            << "bad.json: encoder.candidates[0]: ende_attention is a decoder operation";
        QTest::newRow("twice") << R"({"encoder": {"candidates": ["glu", "glu"]}, )" + dec + "}"
                               << "bad.json: encoder.candidates[1]: 'glu' is listed twice";
        QTest::newRow("empty") << R"({"encoder": {"candidates": []}, )" + dec + "}"
                               << "bad.json: encoder.candidates: expected a non-empty list";
        QTest::newRow("only zero") << R"({"encoder": {"candidates": ["zero"]}, )" + dec + "}"
                                   << "bad.json: encoder.candidates: needs an operation other than zero";
        QTest::newRow("not a name") << R"({"encoder": {"candidates": [3]}, )" + dec + "}"
                                    << "bad.json: encoder.candidates[0]: expected an operation name";
        QTest::newRow("unknown key") << R"({"encoder": {"candidates": ["glu"]}, "layers": 3, )" + dec + "}"
                                     << "bad.json: layers: unknown key";
        QTest::newRow("unknown stack key") << R"({"encoder": {"candidates": ["glu"], "ops": 1}, )" + dec + "}"
                                           << "bad.json: encoder.ops: unknown key";
        QTest::newRow("no decoder") << R"({"encoder": {"candidates": ["glu"]}})"
                                    << "bad.json: decoder: missing";
        QTest::newRow("newer") << R"({"version": 2, "encoder": {"candidates": ["glu"]}, )" + dec + "}"
                               << "bad.json: version: version 2 is newer than this program's 1";
        QTest::newRow("format") << R"({"format": "automoe-space", "encoder": {"candidates": ["glu"]}, )" +
                                       dec + "}"
                                << "bad.json: format: expected \"automoe-darts-space\"";
        QTest::newRow("json") << R"({"encoder": )"
                              << "bad.json: invalid JSON";
    }

    void badFilesNameFileAndField() {
        QFETCH(QString, text);
        QFETCH(QString, message);
        try {
            parseDartsSpace(text.toStdString(), "bad.json");
            QFAIL("no error");
        } catch (const SpaceError& e) {
            QVERIFY2(QString(e.what()).startsWith(message), e.what());
        }
    }

    void architectureRoundTrips() {
        DartsArchitecture a = DartsArchitecture::standardTransformer(64, 4, 2, 1);
        a.decoder[0][0] = DartsOpSpec::parse("dynconv7");
        a.encoder[1][1] = DartsOpSpec::parse("identity");
        a.searchRun = 12;
        a.searchStep = 400;
        const DartsArchitecture back = parseDartsArchitecture(dartsArchitectureToJson(a).dump(), "a.json");
        QVERIFY(back == a);
        QCOMPARE(back.key(),
                 std::string("enc[self_attention,ffn|self_attention,identity] dec[dynconv7,ffn]"));
        QTemporaryDir dir;
        const std::string path = dir.filePath("arch.json").toStdString();
        saveDartsArchitecture(a, path);
        QVERIFY(loadDartsArchitecture(path) == a);
    }

    void badArchitecturesNameFileAndField_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("message");
        QTest::newRow("unknown op")
            << R"({"splits": 2, "encoder": [["ffn", "conv4x"]], "decoder": [["ffn", "glu"]]})"
            << "arch.json: encoder[0][1]: unknown DARTS operation 'conv4x'";
        QTest::newRow("zero") << R"({"encoder": [["ffn", "glu"]], "decoder": [["zero", "glu"]]})"
                              << "arch.json: decoder[0][0]: zero is never part of an architecture";
        QTest::newRow("ende in encoder")
            << R"({"encoder": [["ende_attention", "glu"]], "decoder": [["ffn", "glu"]]})"
            << "arch.json: encoder[0][0]: ende_attention is a decoder operation";
        QTest::newRow("split count")
            << R"({"splits": 3, "encoder": [["ffn", "glu"]], "decoder": [["ffn", "glu"]]})"
            << "arch.json: encoder[0]: expected a list of 3 operation names";
        QTest::newRow("no decoder") << R"({"encoder": [["ffn", "glu"]]})"
                                    << "arch.json: decoder: missing";
        QTest::newRow("heads")
            << R"({"hidden": 10, "heads": 4, "encoder": [["ffn", "glu"]], "decoder": [["ffn", "glu"]]})"
            << "arch.json: heads: 4 heads do not divide hidden 10";
        QTest::newRow("unknown key")
            << R"({"layers": 3, "encoder": [["ffn", "glu"]], "decoder": [["ffn", "glu"]]})"
            << "arch.json: layers: unknown key";
        QTest::newRow("format") << R"({"format": "automoe-space", "encoder": [], "decoder": []})"
                                << "arch.json: format: expected \"automoe-darts-arch\"";
    }
    void badArchitecturesNameFileAndField() {
        QFETCH(QString, text);
        QFETCH(QString, message);
        try {
            parseDartsArchitecture(text.toStdString(), "arch.json");
            QFAIL("no error");
        } catch (const SpaceError& e) {
            QVERIFY2(QString(e.what()).startsWith(message), e.what());
        }
    }

    void derivationSkipsZeroAndChecksSizes() {
        const std::vector<DartsOpSpec> c{DartsOpSpec::parse("zero"), DartsOpSpec::parse("conv3"),
                                         DartsOpSpec::parse("ffn")};
        const auto d = deriveEdges(c, {{{0.7, 0.1, 0.2}, {0.2, 0.5, 0.3}}});
        QCOMPARE(d[0][0].name(), std::string("ffn"));
        QCOMPARE(d[0][1].name(), std::string("conv3"));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, deriveEdges(c, {{{0.5, 0.5}}}));
    }
};

AUTOMOE_TEST_MAIN(TestDartsSpace)
#include "tst_dartsspace.moc"
