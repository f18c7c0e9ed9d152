// Pins SpaceTableModel: one row per dimension, encoder and decoder columns, choices written as ranges
// ("1–4") or lists ("128 · 192 · 256"), tooltips on every cell, and updates when the space changes.
#include "ui/SpaceDocument.h"
#include "ui/SpaceTableModel.h"

#include <QSignalSpy>
#include <QtTest/QtTest>

using namespace automoe;
using namespace automoe::ui;

namespace {
const QString kDash = QString(QChar(0x2013));
QString dots(const QStringList& parts) {
    return parts.join(QStringLiteral(" \u00B7 "));
}
} // namespace

class TestSpaceTableModel : public QObject {
    Q_OBJECT

private slots:
    void hasOneRowPerDimensionAndAColumnPerStack() {
        SpaceDocument doc;
        QVERIFY(doc.open("tiny"));
        SpaceTableModel model(&doc);
        QCOMPARE(model.rowCount(), 9);
        QCOMPARE(model.columnCount(), 2);
        QCOMPARE(model.headerData(0, Qt::Horizontal).toString(), QString("Encoder"));
        QCOMPARE(model.headerData(1, Qt::Horizontal).toString(), QString("Decoder"));
        QCOMPARE(model.headerData(SpaceTableModel::ExpertsRow, Qt::Vertical).toString(),
                 QString("Experts per layer"));
        QCOMPARE(model.rowCount(model.index(0, 0)), 0); // a table, not a tree
    }

    void showsTheChoicesOfTiny_data() {
        QTest::addColumn<int>("row");
        QTest::addColumn<QString>("encoder");
        QTest::addColumn<QString>("decoder");
        QTest::newRow("embed dim") << int(SpaceTableModel::EmbedDimRow) << dots({"128", "192", "256"})
                                   << dots({"128", "192", "256"});
        QTest::newRow("layers") << int(SpaceTableModel::LayersRow) << "2" + kDash + "3"
                                << "1" + kDash + "3";
        QTest::newRow("heads") << int(SpaceTableModel::SelfHeadsRow) << dots({"2", "4"}) << dots({"2", "4"});
        QTest::newRow("ende heads") << int(SpaceTableModel::EndeHeadsRow) << kDash << dots({"2", "4"});
        QTest::newRow("arbitrary ende") << int(SpaceTableModel::ArbitraryEndeRow) << kDash
                                        << dots({QString(QChar(0x2212)) + "1", "1", "2"});
        QTest::newRow("experts") << int(SpaceTableModel::ExpertsRow) << "1" + kDash + "4"
                                 << "1" + kDash + "4";
        QTest::newRow("expert widths") << int(SpaceTableModel::ExpertWidthsRow) << dots({"256", "512", "768"})
                                       << dots({"256", "512", "768"});
        QTest::newRow("top-k") << int(SpaceTableModel::TopKRow) << "1"
                               << "1";
        QTest::newRow("fractional") << int(SpaceTableModel::FractionalExpertsRow) << "yes"
                                    << "yes";
    }

    void showsTheChoicesOfTiny() {
        QFETCH(int, row);
        QFETCH(QString, encoder);
        QFETCH(QString, decoder);
        SpaceDocument doc;
        QVERIFY(doc.open("tiny"));
        SpaceTableModel model(&doc);
        QCOMPARE(model.index(row, SpaceTableModel::EncoderColumn).data().toString(), encoder);
        QCOMPARE(model.index(row, SpaceTableModel::DecoderColumn).data().toString(), decoder);
        QVERIFY(!model.index(row, 0).data(Qt::ToolTipRole).toString().isEmpty());
        QVERIFY(!model.index(row, 1).data(Qt::ToolTipRole).toString().isEmpty());
        QVERIFY(!model.headerData(row, Qt::Vertical, Qt::ToolTipRole).toString().isEmpty());
    }

    void exposesTheRawChoices() {
        SpaceDocument doc;
        QVERIFY(doc.open("tiny"));
        SpaceTableModel model(&doc);
        const QVariantList experts =
            model.index(SpaceTableModel::ExpertsRow, 0).data(SpaceTableModel::ChoicesRole).toList();
        QCOMPARE(experts, (QVariantList{1, 2, 3, 4}));
        QVERIFY(model.index(SpaceTableModel::EndeHeadsRow, 0)
                    .data(SpaceTableModel::ChoicesRole)
                    .toList()
                    .isEmpty());
    }

    void followsTheDocument() {
        SpaceDocument doc;
        QVERIFY(doc.open("tiny"));
        SpaceTableModel model(&doc);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QVERIFY(doc.open("automoe-wmt"));
        QCOMPARE(changed.count(), 1);
        QCOMPARE(model.index(SpaceTableModel::LayersRow, 0).data().toString(), QString("6"));
        QCOMPARE(model.index(SpaceTableModel::ExpertsRow, 1).data().toString(), "1" + kDash + "6");
        QCOMPARE(model.index(SpaceTableModel::ExpertWidthsRow, 0).data().toString(),
                 dots({"1024", "2048", "3072"}));
    }

    void writesChoices_data() {
        QTest::addColumn<QVector<int>>("values");
        QTest::addColumn<bool>("range");
        QTest::addColumn<QString>("text");
        QTest::newRow("range") << QVector<int>{2, 3, 4} << true << "2" + kDash + "4";
        QTest::newRow("list") << QVector<int>{128, 256} << false << dots({"128", "256"});
        QTest::newRow("single") << QVector<int>{6} << true << "6";
        QTest::newRow("negative") << QVector<int>{-1, 2} << false
                                  << dots({QString(QChar(0x2212)) + "1", "2"});
    }

    void writesChoices() {
        QFETCH(QVector<int>, values);
        QFETCH(bool, range);
        QFETCH(QString, text);
        Dimension d = range ? Dimension::range(values.front(), values.back())
                            : Dimension::of(std::vector<int>(values.begin(), values.end()));
        QCOMPARE(SpaceTableModel::choicesText(d), text);
    }
};

QTEST_MAIN(TestSpaceTableModel)
#include "tst_spacetablemodel.moc"
