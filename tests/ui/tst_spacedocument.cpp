// Pins SpaceDocument and the summary beside it: bundled spaces open with their summary from the core, an
// invalid file is refused with a message naming the file and the field and leaves the open space as it
// was, saving round-trips, and edits are undo commands that make the document modified until it is saved.
#include "space/SpaceError.h"
#include "space/SpaceIO.h"
#include "ui/space/SpaceDocument.h"
#include "ui/space/SpaceEditCommand.h"
#include "ui/space/SpaceSummaryWidget.h"
#include "util/Format.h"

#include "TestMain.h"
#include <QApplication>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest/QtTest>

using namespace automoe;
using namespace automoe::ui;

class TestSpaceDocument : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;

    QString writeFile(const QString& name, const QByteArray& text) {
        const QString path = dir_.filePath(name);
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly)) qFatal("cannot write %s", qPrintable(path));
        f.write(text);
        return path;
    }

    // tiny.json with the first occurrence of `from` replaced, so that exactly one field is at fault.
    static QByteArray tinyWith(const QByteArray& from, const QByteArray& to) {
        SpaceDocument d;
        if (!d.open("tiny")) qFatal("cannot open tiny");
        QFile tiny(d.filePath());
        if (!tiny.open(QIODevice::ReadOnly)) qFatal("cannot read tiny.json");
        QByteArray text = tiny.readAll();
        const int at = text.indexOf(from);
        if (at < 0) qFatal("tiny.json has no %s", from.constData());
        return text.replace(at, from.size(), to);
    }

private slots:
    void opensBundledSpacesWithTheirSummary_data() {
        QTest::addColumn<QString>("name");
        QTest::newRow("tiny") << "tiny";
        QTest::newRow("automoe-wmt") << "automoe-wmt";
    }

    void opensBundledSpacesWithTheirSummary() {
        QFETCH(QString, name);
        SpaceDocument doc;
        QSignalSpy changed(&doc, &SpaceDocument::spaceChanged);
        QString error;
        QVERIFY2(doc.open(name, &error), qPrintable(error));
        QCOMPARE(changed.count(), 1);
        QVERIFY(doc.isLoaded());
        QCOMPARE(doc.name(), name);
        QCOMPARE(doc.source(), name);
        QVERIFY(QFile::exists(doc.filePath()));

        const SearchSpace expected = loadSpaceByNameOrPath(name.toStdString());
        QCOMPARE(doc.summary().log10Size, expected.log10Size());
        QVERIFY(doc.summary().mostExpensive == expected.largest());
        QVERIFY(doc.summary().cheapest == expected.smallest());
        QCOMPARE(doc.summary().mostExpensiveCost.flopsHat, CostModel::evaluate(expected.largest()).flopsHat);
        QCOMPARE(doc.summary().cheapestCost.paramsHat, CostModel::evaluate(expected.smallest()).paramsHat);
        QVERIFY(doc.summary().supernet == expected.supernet());
    }

    void refusesAnInvalidFileNamingFileAndFieldAndKeepsTheOpenSpace_data() {
        QTest::addColumn<QByteArray>("from");
        QTest::addColumn<QByteArray>("to");
        QTest::addColumn<QString>("field");
        QTest::newRow("inverted layers")
            << QByteArray(R"("layers": {"min": 2, "max": 3})")
            << QByteArray(R"("layers": {"min": 4, "max": 2})") << "encoder.layers";
        QTest::newRow("zero experts") << QByteArray(R"("experts": {"min": 1, "max": 4})")
                                      << QByteArray(R"("experts": [0])") << "encoder.experts";
        QTest::newRow("heads not dividing qkv_dim")
            << QByteArray(R"("ende_heads": [2, 4])") << QByteArray(R"("ende_heads": [5])")
            << "decoder.ende_heads";
    }

    void refusesAnInvalidFileNamingFileAndFieldAndKeepsTheOpenSpace() {
        QFETCH(QByteArray, from);
        QFETCH(QByteArray, to);
        QFETCH(QString, field);
        SpaceDocument doc;
        QVERIFY(doc.open("tiny"));
        const SearchSpace before = doc.space();
        const QString pathBefore = doc.filePath();
        const double sizeBefore = doc.summary().log10Size;
        QSignalSpy changed(&doc, &SpaceDocument::spaceChanged);

        const QString bad = writeFile("broken.json", tinyWith(from, to));
        QString error;
        QVERIFY(!doc.open(bad, &error));
        QVERIFY2(error.contains("broken.json"), qPrintable(error));
        QVERIFY2(error.contains(field), qPrintable(error));

        QCOMPARE(changed.count(), 0);
        QVERIFY(doc.space() == before);
        QCOMPARE(doc.filePath(), pathBefore);
        QCOMPARE(doc.summary().log10Size, sizeBefore);
    }

    void refusesAMissingFileNamingIt() {
        SpaceDocument doc;
        QVERIFY(doc.open("tiny"));
        QString error;
        QVERIFY(!doc.open(dir_.filePath("no-such-space.json"), &error));
        QVERIFY2(error.contains("no-such-space.json"), qPrintable(error));
        QCOMPARE(doc.name(), QString("tiny"));
    }

    void setSpaceThrowsOnAnInvalidSpaceAndKeepsTheOpenSpace() {
        SpaceDocument doc;
        QVERIFY(doc.open("tiny"));
        SearchSpace bad = doc.space();
        bad.name = "bad";
        bad.decoder.experts = Dimension::of({0});
        QSignalSpy changed(&doc, &SpaceDocument::spaceChanged);
        try {
            doc.setSpace(bad);
            QFAIL("setSpace accepted zero experts");
        } catch (const SpaceError& e) {
            QCOMPARE(QString::fromStdString(e.field()), QString("decoder.experts"));
        }
        QCOMPARE(changed.count(), 0);
        QCOMPARE(doc.name(), QString("tiny"));
    }

    void savesAndReopensTheSameSpace() {
        SpaceDocument doc;
        QVERIFY(doc.open("automoe-wmt"));
        const QString path = dir_.filePath("copy.json");
        QString error;
        QVERIFY2(doc.saveAs(path, &error), qPrintable(error));
        QCOMPARE(doc.filePath(), path);
        SpaceDocument other;
        QVERIFY(other.open(path));
        QVERIFY(other.space() == doc.space());
        QCOMPARE(other.source(), path);
    }

    // The newcomer's report: an edited "tiny" saved under another file kept the name "tiny", so a search on
    // it was refused with 'space "tiny" is not inside the space of supernet run 2 ("tiny")'.
    void savingUnderAnotherFileTakesItsName() {
        QTemporaryDir dir;
        SpaceDocument doc;
        QVERIFY(doc.open("tiny"));
        QSignalSpy changed(&doc, &SpaceDocument::spaceChanged);
        const QString narrow = dir.filePath("narrow.json");
        QString error;
        QVERIFY2(doc.saveAs(narrow, &error), qPrintable(error));
        QCOMPARE(doc.name(), QString("narrow"));
        QCOMPARE(changed.count(), 1);
        QCOMPARE(loadSpace(narrow.toStdString()).name, std::string("narrow"));
        // Saved again, and under a third file: it follows its file while it is named after it.
        QVERIFY(doc.saveAs(narrow));
        QCOMPARE(doc.name(), QString("narrow"));
        QVERIFY(doc.saveAs(dir.filePath("narrower.json")));
        QCOMPARE(doc.name(), QString("narrower"));
        // A name of its own is kept.
        SearchSpace named = doc.space();
        named.name = "my search space";
        doc.setSpace(named, dir.filePath("narrower.json"));
        QVERIFY(doc.saveAs(dir.filePath("copy.json")));
        QCOMPARE(doc.name(), QString("my search space"));
    }

    void editsAreUndoableAndSavingOrOpeningMakesTheDocumentUnmodified() {
        SpaceDocument doc;
        QVERIFY(doc.open("tiny"));
        const QString file = doc.filePath();
        const SearchSpace before = doc.space();
        QSignalSpy modified(&doc, &SpaceDocument::modifiedChanged);
        QVERIFY(!doc.isModified());

        SearchSpace wider = before;
        wider.encoder.layers = Dimension::range(2, 6);
        doc.undoStack()->push(new SpaceEditCommand(&doc, before, wider, "encoder.layers", "Change layers"));
        QVERIFY(doc.space() == wider);
        QCOMPARE(doc.summary().log10Size, wider.log10Size());
        QCOMPARE(doc.filePath(), file); // an edit keeps the file
        QVERIFY(doc.isModified());
        QCOMPARE(modified.count(), 1);

        // An invalid edit is refused by the document too, and changes nothing.
        SearchSpace bad = wider;
        bad.encoder.selfHeads = Dimension::of({5});
        QVERIFY_THROWS_EXCEPTION(SpaceError, doc.replaceSpace(bad));
        QVERIFY(doc.space() == wider);

        doc.undoStack()->undo();
        QVERIFY(doc.space() == before);
        QVERIFY(!doc.isModified());
        doc.undoStack()->redo();
        QVERIFY(doc.space() == wider);

        QVERIFY(doc.saveAs(dir_.filePath("wider.json")));
        QVERIFY(!doc.isModified());
        QCOMPARE(doc.undoStack()->count(), 1); // saving keeps the history
        QVERIFY(doc.open("automoe-wmt"));
        QCOMPARE(doc.undoStack()->count(), 0); // a new document starts a new one
        QVERIFY(!doc.isModified());
    }

    void summaryWidgetShowsTheCoreFigures() {
        SpaceDocument doc;
        QVERIFY(doc.open("tiny"));
        SpaceSummaryWidget widget(&doc);
        const SearchSpace& space = doc.space();
        const QString size = widget.valueText("size");
        QVERIFY2(size.contains(QString::number(space.log10Size(), 'f', 1)), qPrintable(size));
        QVERIFY(size.contains("architectures"));
        const ArchitectureCost cheap = CostModel::evaluate(space.smallest());
        const ArchitectureCost dear = CostModel::evaluate(space.largest());
        QVERIFY(widget.valueText("cheapest").contains(QString::fromStdString(formatSI(cheap.flopsHat))));
        QVERIFY(
            widget.valueText("cheapest").contains(QString::fromStdString(formatSI(double(cheap.paramsHat)))));
        QVERIFY(widget.valueText("mostExpensive").contains(QString::fromStdString(formatSI(dear.flopsHat))));
        QCOMPARE(widget.valueText("qkvDim"), QString::number(space.qkvDim));
        QVERIFY(
            widget.valueText("supernetEncoder").contains(QString::number(space.supernet().encoderFfnDim)));

        // It follows the document.
        QVERIFY(doc.open("automoe-wmt"));
        QVERIFY(widget.valueText("size").contains(QString::number(doc.space().log10Size(), 'f', 1)));
        QCOMPARE(widget.valueText("qkvDim"), QString("512"));
    }
};

AUTOMOE_TEST_MAIN(TestSpaceDocument)
#include "tst_spacedocument.moc"
