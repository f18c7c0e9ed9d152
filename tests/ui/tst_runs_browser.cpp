// Pins the runs browser: RunListModel shows the runs of a store (id, name, kind, status, created, latest
// update) newest first, refreshes off the UI thread in place (a status change repaints a row and keeps the
// selection), the filter box narrows the list, and activating a row asks for that run.
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

std::int64_t addRun(RunStore& store, const std::string& name, const std::string& kind, int updates) {
    RunSpec spec;
    spec.name = name;
    spec.kind = kind;
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
