// Pins the runs browser: RunListModel shows the runs of a store (id, name, kind, status, created, latest
// update) newest first, refreshes off the UI thread in place (a status change repaints a row and keeps the
// selection), the filter box narrows the list, and activating a row asks for that run. The Supernet column
// says which supernet a training run trains, read from its stored config (shared when the config predates
// Mixture-of-Supernets), and waits for a dock wide enough to keep the names readable.
#include "store/RunStore.h"
#include "ui/run/RunListModel.h"
#include "ui/run/RunsBrowser.h"

#include "TestMain.h"
#include <QLineEdit>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QtTest/QtTest>

using namespace automoe;
using namespace automoe::ui;

namespace {

std::int64_t addRun(RunStore& store, const std::string& name, const std::string& kind, int updates,
                    nlohmann::json config = nlohmann::json::object()) {
    RunSpec spec;
    spec.name = name;
    spec.kind = kind;
    spec.config = std::move(config);
    const std::int64_t id = store.createRun(spec);
    for (int u = 1; u <= updates; ++u) {
        TrainingStepRow r;
        r.update = u;
        r.loss = 5;
        store.append(Event::trainingStep(id, r));
    }
    store.flush();
    return id;
}

} // namespace

class TestRunsBrowser : public QObject {
    Q_OBJECT

private slots:
    void createdTextIsShortForTheDock_data() {
        QTest::addColumn<QDateTime>("created");
        QTest::addColumn<QString>("expected");
        QTest::newRow("today") << QDateTime(QDate(2026, 12, 5), QTime(9, 7)) << "09:07";
        QTest::newRow("this year") << QDateTime(QDate(2026, 3, 14), QTime(23, 59)) << "Mar 14 23:59";
        QTest::newRow("last year") << QDateTime(QDate(2025, 12, 5), QTime(9, 7)) << "2025-12-05";
    }

    void createdTextIsShortForTheDock() {
        QFETCH(QDateTime, created);
        QFETCH(QString, expected);
        const QDateTime now(QDate(2026, 12, 5), QTime(18, 30));
        QCOMPARE(RunListModel::createdText(created, now), expected);
    }

    void modelListsTheStoredRuns() {
        QTemporaryDir dir;
        const QString db = dir.filePath("runs.sqlite");
        RunStore store(db.toStdString());
        addRun(store, "first", "supernet", 12);
        addRun(store, "second search", "search", 0);
        const std::int64_t third = addRun(store, "third", "supernet", 3);
        store.setRunStatus(third, RunStatus::Running);

        RunListModel model;
        QSignalSpy refreshed(&model, &RunListModel::refreshed);
        model.setDatabasePath(db);
        QTRY_COMPARE(refreshed.count(), 1);
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.columnCount(), int(RunListModel::ColumnCount));
        // Newest first.
        QCOMPARE(model.index(0, RunListModel::IdColumn).data().toLongLong(), qint64(third));
        QCOMPARE(model.index(0, RunListModel::NameColumn).data().toString(), QString("third"));
        QCOMPARE(model.index(0, RunListModel::StatusColumn).data().toString(), QString("running"));
        QCOMPARE(model.index(0, RunListModel::UpdateColumn).data().toLongLong(), qint64(3));
        QCOMPARE(model.index(1, RunListModel::KindColumn).data().toString(), QString("search"));
        QVERIFY(!model.index(1, RunListModel::UpdateColumn).data().isValid()); // no training steps
        QCOMPARE(model.index(2, RunListModel::UpdateColumn).data().toLongLong(), qint64(12));
        QCOMPARE(model.index(2, RunListModel::NameColumn).data(RunListModel::RunIdRole).toLongLong(),
                 qint64(1));
        QVERIFY(!model.index(2, RunListModel::CreatedColumn).data().toString().isEmpty());
        QCOMPARE(model.headerData(RunListModel::UpdateColumn, Qt::Horizontal).toString(), QString("Update"));
        qInfo("listRuns on the worker: %.2f ms; applying on the UI thread: %.3f ms", model.lastQueryMs(),
              model.lastApplyMs());

        // The run goes on: the row updates in place, without a reset.
        TrainingStepRow r;
        r.update = 4;
        store.append(Event::trainingStep(third, r));
        store.flush();
        store.setRunStatus(third, RunStatus::Finished);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        model.refresh();
        QTRY_COMPARE(refreshed.count(), 2);
        QCOMPARE(reset.count(), 0);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(model.index(0, RunListModel::StatusColumn).data().toString(), QString("finished"));
        QCOMPARE(model.index(0, RunListModel::UpdateColumn).data().toLongLong(), qint64(4));

        // A new run resets the list.
        addRun(store, "fourth", "supernet", 0);
        model.refresh();
        QTRY_COMPARE(model.rowCount(), 4);
        QCOMPARE(model.rowOfRun(1), 3);
    }

    void supernetLabelOfAStoredConfig_data() {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("config");
        QTest::addColumn<QString>("expected");
        QTest::newRow("stored before MoS") << "supernet"
                                           << R"({"max_updates": 10})"
                                           << "shared";
        QTest::newRow("shared") << "supernet"
                                << R"({"supernet": {"kind": "shared", "sets": 2}})"
                                << "shared";
        QTest::newRow("mos-layer, attention")
            << "supernet"
            << R"({"supernet": {"kind": "mos-layer", "sets": 4, "attention": true}})"
            << "mos-layer \u00D74 +attn";
        QTest::newRow("mos-neuron")
            << "supernet"
            << R"({"supernet": {"kind": "mos-neuron", "sets": 2, "attention": false, "router_hidden": 128}})"
            << "mos-neuron \u00D72";
        QTest::newRow("sets missing: the default 2") << "supernet"
                                                     << R"({"supernet": {"kind": "mos-neuron"}})"
                                                     << "mos-neuron \u00D72";
        QTest::newRow("retrain inheriting MoS weights") << "retrain"
                                                        << R"({"supernet": {"kind": "mos-layer", "sets": 3}})"
                                                        << "mos-layer \u00D73";
        QTest::newRow("retrain from scratch") << "retrain"
                                              << R"({})"
                                              << "shared";
        QTest::newRow("search") << "search"
                                << R"({"supernet_run": 3})"
                                << "";
        QTest::newRow("rank names a supernet run") << "rank"
                                                   << R"({"supernet": {"kind": "mos-layer", "sets": 4}})"
                                                   << "";
        QTest::newRow("latency") << "latency"
                                 << R"({})"
                                 << "";
        QTest::newRow("unknown kind") << "supernet"
                                      << R"({"supernet": {"kind": "mos-expert"}})"
                                      << "?";
        QTest::newRow("kind not a string") << "supernet"
                                           << R"({"supernet": {"kind": 3}})"
                                           << "?";
        QTest::newRow("not an object") << "supernet"
                                       << R"({"supernet": "mos-layer"})"
                                       << "?";
        QTest::newRow("no sets") << "supernet"
                                 << R"({"supernet": {"kind": "mos-layer", "sets": 0}})"
                                 << "?";
    }

    void supernetLabelOfAStoredConfig() {
        QFETCH(QString, kind);
        QFETCH(QString, config);
        QFETCH(QString, expected);
        const RunListModel::SupernetLabel label =
            RunListModel::supernetLabel(kind.toStdString(), nlohmann::json::parse(config.toStdString()));
        QCOMPARE(label.text, expected);
        // A label comes with a sentence for the tooltip; no label, no sentence.
        QCOMPARE(label.description.isEmpty(), expected.isEmpty());
        if (expected.startsWith("mos-"))
            QVERIFY2(label.description.contains("Mixture-of-Supernets"), qPrintable(label.description));
    }

    void modelShowsTheSupernetOfTrainingRuns() {
        QTemporaryDir dir;
        const QString db = dir.filePath("runs.sqlite");
        RunStore store(db.toStdString());
        const std::int64_t mos =
            addRun(store, "mos", "supernet", 2,
                   {{"supernet", {{"kind", "mos-layer"}, {"sets", 4}, {"attention", true}}}});
        const std::int64_t old = addRun(store, "old", "supernet", 2, {{"max_updates", 2}});
        const std::int64_t search = addRun(store, "search on mos", "search", 0, {{"supernet_run", mos}});

        RunListModel model;
        QSignalSpy refreshed(&model, &RunListModel::refreshed);
        model.setDatabasePath(db);
        QTRY_COMPARE(refreshed.count(), 1);
        auto cell = [&model](std::int64_t run, int role = Qt::DisplayRole) {
            return model.index(model.rowOfRun(run), RunListModel::SupernetColumn).data(role).toString();
        };
        QCOMPARE(model.headerData(RunListModel::SupernetColumn, Qt::Horizontal).toString(),
                 QString("Supernet"));
        QCOMPARE(cell(mos), QString("mos-layer \u00D74 +attn"));
        QCOMPARE(cell(old), QString("shared"));
        QCOMPARE(cell(search), QString());
        // Every cell's tooltip says it in words.
        QVERIFY2(cell(mos, Qt::ToolTipRole).contains("Mixture-of-Supernets, 4 weight sets per layer"),
                 qPrintable(cell(mos, Qt::ToolTipRole)));
        QVERIFY(cell(mos, Qt::ToolTipRole).contains("attention"));
        QVERIFY(model.index(model.rowOfRun(old), RunListModel::NameColumn)
                    .data(Qt::ToolTipRole)
                    .toString()
                    .contains("shared weights"));
        QVERIFY(!cell(search, Qt::ToolTipRole).contains("Supernet:"));

        // A refresh keeps the labels; a new MoS run gets its own.
        const std::int64_t neuron =
            addRun(store, "neuron", "supernet", 0, {{"supernet", {{"kind", "mos-neuron"}, {"sets", 2}}}});
        model.refresh();
        QTRY_COMPARE(model.rowCount(), 4);
        QCOMPARE(cell(neuron), QString("mos-neuron \u00D72"));
        QCOMPARE(cell(mos), QString("mos-layer \u00D74 +attn"));
        QCOMPARE(cell(old), QString("shared"));

        // The filter box finds runs by their supernet.
        RunsBrowser browser;
        browser.setDatabasePath(db);
        QTableView* table = browser.table();
        QTRY_COMPARE(table->model()->rowCount(), 4);
        browser.filterEdit()->setText("mos-layer");
        QCOMPARE(table->model()->rowCount(), 1);
        QCOMPARE(table->model()->index(0, RunListModel::IdColumn).data().toLongLong(), qint64(mos));
    }

    void supernetColumnWaitsForRoomBesideTheNames() {
        QTemporaryDir dir;
        const QString db = dir.filePath("runs.sqlite");
        {
            RunStore store(db.toStdString());
            addRun(store, "tiny", "supernet", 3,
                   {{"supernet", {{"kind", "mos-neuron"}, {"sets", 2}, {"attention", true}}}});
            addRun(store, "tiny (edited)", "supernet", 3);
        }
        RunsBrowser browser;
        browser.setDatabasePath(db);
        QTableView* table = browser.table();
        QTRY_COMPARE(table->model()->rowCount(), 2);
        // The width of the Runs dock in the main window: the names keep their room, the column waits.
        browser.resize(420, 300);
        browser.show();
        QVERIFY(QTest::qWaitForWindowExposed(&browser));
        QTRY_VERIFY(table->isColumnHidden(RunListModel::SupernetColumn));
        QVERIFY(table->horizontalHeader()->sectionSize(RunListModel::NameColumn) >=
                table->fontMetrics().horizontalAdvance("tiny (ed"));
        // A wider dock shows it, beside names as wide as before.
        browser.resize(900, 300);
        QTRY_VERIFY(!table->isColumnHidden(RunListModel::SupernetColumn));
        QVERIFY(table->horizontalHeader()->sectionSize(RunListModel::SupernetColumn) >=
                table->fontMetrics().horizontalAdvance(QString("mos-neuron \u00D72 +attn")));
        QVERIFY(table->horizontalHeader()->sectionSize(RunListModel::NameColumn) >=
                table->fontMetrics().horizontalAdvance("tiny (edited)"));
        browser.resize(420, 300);
        QTRY_VERIFY(table->isColumnHidden(RunListModel::SupernetColumn));
    }

    void missingDatabaseIsAnEmptyListAndIsNotCreated() {
        QTemporaryDir dir;
        RunListModel model;
        QSignalSpy refreshed(&model, &RunListModel::refreshed);
        model.setDatabasePath(dir.filePath("none.sqlite"));
        QTRY_COMPARE(refreshed.count(), 1);
        QCOMPARE(model.rowCount(), 0);
        QVERIFY(!QFile::exists(dir.filePath("none.sqlite")));
    }

    void foreignFileIsReported() {
        QTemporaryDir dir;
        const QString path = dir.filePath("notes.sqlite");
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray(200, 'x'));
        f.close();
        RunListModel model;
        QSignalSpy failed(&model, &RunListModel::failed);
        model.setDatabasePath(path);
        QTRY_COMPARE(failed.count(), 1);
        QVERIFY(failed.at(0).at(0).toString().contains("notes.sqlite"));
    }

    void filterAndActivate() {
        QTemporaryDir dir;
        const QString db = dir.filePath("runs.sqlite");
        {
            RunStore store(db.toStdString());
            addRun(store, "wmt supernet", "supernet", 5);
            addRun(store, "budget search", "search", 0);
            addRun(store, "ding supernet", "supernet", 2);
        }
        RunsBrowser browser;
        browser.resize(600, 400);
        browser.show();
        browser.setDatabasePath(db);
        QTableView* table = browser.table();
        QTRY_COMPARE(table->model()->rowCount(), 3);
        browser.filterEdit()->setText("SEARCH");
        QCOMPARE(table->model()->rowCount(), 1);
        QCOMPARE(table->model()->index(0, RunListModel::IdColumn).data().toLongLong(), qint64(2));
        browser.filterEdit()->setText("supernet");
        QCOMPARE(table->model()->rowCount(), 2);
        browser.filterEdit()->clear();

        QSignalSpy activated(&browser, &RunsBrowser::runActivated);
        browser.selectRun(1);
        QCOMPARE(browser.currentRunId(), qint64(1));
        const QModelIndex index = table->currentIndex();
        QVERIFY(QTest::qWaitForWindowExposed(&browser));
        const QPoint center = table->visualRect(index).center();
        QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, center);
        QTest::mouseDClick(table->viewport(), Qt::LeftButton, {}, center);
        QTRY_VERIFY(activated.count() >= 1);
        QCOMPARE(activated.at(0).at(0).toLongLong(), qint64(1));
    }
};

AUTOMOE_TEST_MAIN(TestRunsBrowser)
#include "tst_runs_browser.moc"
