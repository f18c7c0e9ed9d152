// The DARTS space file (issue 13, in progress): operation names parse and print back, the bundled file is
// the standard candidate list and round-trips, and every kind of bad file is refused naming the file and the
// field.
#include "space/DartsSpace.h"
#include "space/SpaceError.h"

#include "TestMain.h"
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
};

AUTOMOE_TEST_MAIN(TestDartsSpace)
#include "tst_dartsspace.moc"
