// Pins the Run dock end to end with the real `automoe` CLI: Start writes the edited space to a file and
// launches `automoe train --control-stdin`, the run is followed through the store into the RunDocument and
// TrainingView, the stage tracker and the progress bar follow its events (core's RunProgress), and the run
// ends finished. Cancel says so at once, marks the stage cancelled (not done), and Resume continues the run
// from the dock; a run whose process was SIGKILLed shows as interrupted and resumes from the runs browser,
// its curve with each update once. The Train tab's supernet rows (shared or Mixture-of-Supernets, m,
// attention, random or sandwich sampling) make exactly the `automoe train` options, grey out what the choice
// does not use, and a Mixture-of-Supernets run started from the dock stores them. Also: a missing CLI is a
// clear message, not a crash.
#include "../support/SmallRun.h"
#include "space/SearchSpace.h"
#include "space/SpaceIO.h"
#include "store/RunReader.h"
#include "ui/plots/ParetoView.h"
#include "ui/plots/TrainingView.h"
#include "ui/run/CliProcess.h"
#include "ui/run/RunControlPanel.h"
#include "ui/run/RunDocument.h"
#include "ui/run/RunListModel.h"
#include "ui/run/RunPlayer.h"
#include "ui/run/RunsBrowser.h"
#include "ui/shell/Settings.h"
#include "ui/space/SpaceDocument.h"

#include "TestMain.h"
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QFileInfo>
#include <QLabel>
#include <QMenu>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTableView>
#include <QTimer>
#include <QtTest/QtTest>
#include <csignal>

using namespace automoe;
using namespace automoe::ui;

namespace {

// A Run dock with the document, views and player of the main window, on a fresh database.
struct Rig {
    QTemporaryDir dir;
    QString db;
    SpaceDocument space;
    RunDocument run;
    TrainingView training;
    ParetoView pareto;
    RunPlayer player{&run};
    RunControlPanel panel{&space};

    explicit Rig(int updates, QStringList extra = {}, int maxTokens = 200) {
        db = dir.filePath("runs.sqlite");
        const QString spacePath = dir.filePath("space.json");
        saveSpace(testsupport::smallSpace(), spacePath.toStdString());
        QString error;
        if (!space.open(spacePath, &error)) qFatal("%s", qPrintable(error));
        training.setDocument(&run);
        pareto.setDocument(&run);
        panel.setDocument(&run);
        panel.process()->setCliPath(AUTOMOE_CLI);
        panel.setDatabasePath(db);
        panel.setCorpus(QString::fromStdString(testsupport::writeSmallCorpus(dir.path().toStdString())));
        panel.setBudget(0, updates);
        panel.setExtraArguments(
            QStringList{"--vocab-size", "60", "--max-tokens", QString::number(maxTokens), "--threads", "1"} +
            extra);
        QObject::connect(&panel, &RunControlPanel::runStarted, &player,
                         [this](qint64 id) { player.follow(db, id); });
    }

    // Waits until the feed has delivered everything committed.
    bool caughtUp(int timeoutMs = 15000) {
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < timeoutMs) {
            if (player.lastSeq() > 0 && player.position() == player.lastSeq()) return true;
            QTest::qWait(50);
        }
        return false;
    }
};

// The Train tab's supernet rows, as a user finds them.
struct SupernetRows {
    QComboBox* kind;
    QSpinBox* sets;
    QCheckBox* attention;
    QComboBox* sampling;
    QSpinBox* sandwichRandom;

    explicit SupernetRows(const RunControlPanel& panel)
        : kind(panel.findChild<QComboBox*>("supernetKind"))
        , sets(panel.findChild<QSpinBox*>("supernetSets"))
        , attention(panel.findChild<QCheckBox*>("supernetAttention"))
        , sampling(panel.findChild<QComboBox*>("subnetSampling"))
        , sandwichRandom(panel.findChild<QSpinBox*>("sandwichRandom")) {}
    bool found() const { return kind && sets && attention && sampling && sandwichRandom; }
    // Mixture-of-Supernets, one mixture per output neuron, m = 3, attention too, sandwich with 2 random.
    void chooseMosNeuronSandwich() const {
        kind->setCurrentIndex(kind->findData("mos-neuron"));
        sets->setValue(3);
        attention->setChecked(true);
        sampling->setCurrentIndex(sampling->findData("sandwich"));
        sandwichRandom->setValue(2);
    }
};

// A stand-in `automoe` that writes its arguments, one per line, to ARGS_FILE and exits 0.
QString writeRecordingCli(const QTemporaryDir& dir) {
    const QString path = dir.filePath("automoe");
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly)) qFatal("cannot write %s", qPrintable(path));
    f.write(QStringLiteral("#!/bin/sh\nprintf '%s\\n' \"$@\" > '%1'\n").arg(dir.filePath("args")).toUtf8());
    f.close();
    f.setPermissions(f.permissions() | QFileDevice::ExeOwner);
    return path;
}

// The run's status as stored; Created while the child has not created the database or the run yet.
RunStatus storedStatus(const QString& db, qint64 runId) {
    try {
        const auto run = RunReader(db.toStdString()).getRun(runId);
        return run ? run->status : RunStatus::Created;
    } catch (const std::exception&) {
        return RunStatus::Created;
    }
}

// Each update once, in order, from 1 to `last`.
void verifyUpdatesOnce(const RunDocument& run, qint64 last) {
    QCOMPARE(qint64(run.steps().size()), last);
    for (std::size_t i = 0; i < run.steps().size(); ++i)
        QCOMPARE(run.steps()[i].update, qint64(i + 1));
}

} // namespace

class TestRunControl : public QObject {
    Q_OBJECT

private slots:
    void shortRealRunEmitsProgressAndFinishes() {
        Rig rig(6, {"--validate-every", "3"});
        QSignalSpy started(&rig.panel, &RunControlPanel::runStarted);
        QSignalSpy ended(&rig.panel, &RunControlPanel::runEnded);
        QSignalSpy batches(&rig.run, &RunDocument::batchApplied);

        QVERIFY(rig.panel.startRun());
        QVERIFY(!rig.panel.startButton()->isEnabled());
        QVERIFY(rig.panel.cancelButton()->isEnabled());
        const QStringList args = rig.panel.process()->arguments();
        QCOMPARE(args.at(0), QString("train"));
        QVERIFY(args.contains("--control-stdin"));
        QCOMPARE(args.at(args.indexOf("--updates") + 1), QString("6"));
        QVERIFY(QFile::exists(args.at(args.indexOf("--space") + 1)));

        QTRY_COMPARE_WITH_TIMEOUT(started.count(), 1, 120000);
        const qint64 runId = started.at(0).at(0).toLongLong();
        QCOMPARE(runId, qint64(1));
        QCOMPARE(rig.panel.process()->runId(), qint64(1)); // from the child's first stdout line
        QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 1, 300000);
        QCOMPARE(ended.at(0).at(0).toInt(), 0);
        QVERIFY(rig.caughtUp());

        QVERIFY(batches.count() >= 1);
        QCOMPARE(rig.training.trainLoss().size(), 6);
        QVERIFY(!rig.training.validationLoss("largest").isEmpty());
        QCOMPARE(rig.panel.stageState(PipelineStage::Supernet), StageState::Done);
        QCOMPARE(rig.panel.stageState(PipelineStage::Test), StageState::Done);
        QCOMPARE(rig.panel.stageState(PipelineStage::Search), StageState::Pending);
        QCOMPARE(rig.panel.progressPercent(), 100);
        QCOMPARE(rig.run.status(), RunStatus::Finished);
        QVERIFY(rig.panel.log()->toPlainText().contains("run 1 in"));

        RunReader reader(rig.db.toStdString());
        QCOMPARE(reader.getRun(runId)->status, RunStatus::Finished);
        QCOMPARE(reader.trainingSteps(runId).size(), std::size_t(6));
        QVERIFY(rig.panel.startButton()->isEnabled());
        QVERIFY(!rig.panel.resumeButton()->isEnabled()); // a finished run has nothing to resume
    }

    void cancelledRunResumesFromTheDock() {
        Rig rig(40, {"--validate-every", "1000", "--checkpoint-every", "1000"});
        QSignalSpy ended(&rig.panel, &RunControlPanel::runEnded);
        QVERIFY(rig.panel.startRun());
        // Paused before it can finish: on a busy machine the document may see its first updates only after
        // the child has run all 40 tiny updates, so a cancel sent then comes too late (CI saw exactly
        // that). Pause is clicked while the child is still starting (it used to be dropped then): "pause"
        // is read from stdin before the first update ends, and cancel is sent to the paused run.
        rig.panel.pauseButton()->click();
        QTRY_COMPARE_WITH_TIMEOUT(storedStatus(rig.db, 1), RunStatus::Paused, 120000);
        QVERIFY(rig.panel.cancelButton()->isEnabled());
        rig.panel.cancelButton()->click();
        // Said at once, long before the child has written its checkpoint.
        QVERIFY2(rig.panel.findChild<QLabel*>("runStatusLabel")->text().contains("Cancelling"),
                 qPrintable(rig.panel.findChild<QLabel*>("runStatusLabel")->text()));
        QVERIFY(!rig.panel.cancelButton()->isEnabled());
        QVERIFY(!rig.panel.pauseButton()->isEnabled());
        QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 1, 60000);
        QCOMPARE(ended.at(0).at(0).toInt(), 0);
        QTRY_COMPARE_WITH_TIMEOUT(rig.run.status(), RunStatus::Cancelled, 10000);
        QVERIFY(rig.caughtUp());
        const qint64 stoppedAt = rig.run.latestUpdate();
        QVERIFY(stoppedAt < 40);
        // The cancelled stage is not painted as done.
        QCOMPARE(rig.panel.stageState(PipelineStage::Supernet), StageState::Cancelled);
        QCOMPARE(rig.panel.etaText(), QString());

        // Resume from the dock: `automoe train --resume 1` continues to the budget.
        QTRY_VERIFY_WITH_TIMEOUT(rig.panel.resumeButton()->isEnabled(), 5000);
        rig.panel.resumeButton()->click();
        QVERIFY(rig.panel.process()->isRunning());
        const QStringList args = rig.panel.process()->arguments();
        QCOMPARE(args.at(0), QString("train"));
        QCOMPARE(args.at(args.indexOf("--resume") + 1), QString("1"));
        QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 2, 300000);
        QCOMPARE(ended.at(1).at(0).toInt(), 0);
        QTRY_COMPARE_WITH_TIMEOUT(rig.run.status(), RunStatus::Finished, 10000);
        QVERIFY(rig.caughtUp());
        verifyUpdatesOnce(rig.run, 40);
        QCOMPARE(rig.training.trainLoss().size(), 40);
        QCOMPARE(rig.panel.stageState(PipelineStage::Supernet), StageState::Done);
    }

    void killedRunIsInterruptedAndResumesFromTheRunsBrowser() {
        Rig rig(60, {"--validate-every", "1000", "--checkpoint-every", "20"});
        RunsBrowser browser;
        browser.setDatabasePath(rig.db);
        browser.setDocument(&rig.run);
        QObject::connect(&browser, &RunsBrowser::resumeRequested, &rig.panel, &RunControlPanel::resumeRun);
        QSignalSpy ended(&rig.panel, &RunControlPanel::runEnded);
        QVERIFY(rig.panel.startRun());
        // Past a checkpoint and then some: the updates after it are logged again by the resumed run. The run
        // is paused past a checkpoint (not on one), so that its last committed update and last checkpoint
        // stand still while they are read, and killed there. The pause is clicked as soon as a new checkpoint
        // is committed: the child flushes the store before it writes a checkpoint, so pausing on the first
        // committed update of a step lands on the checkpoint being written nearly every time (with a
        // checkpoint every 5 updates that walked a loaded CI machine to the end of the budget, where a
        // resume has no update left to make). After the checkpoint's own commit the child is 20 updates away
        // from the next one.
        auto latestUpdate = [&rig] {
            const auto steps = RunReader(rig.db.toStdString()).trainingSteps(1);
            return steps.empty() ? std::int64_t(0) : steps.back().update;
        };
        auto latestCheckpoint = [&rig] {
            if (!QFileInfo::exists(rig.db)) return std::int64_t(0); // the child has not created it yet
            try {
                const auto checkpoint = RunReader(rig.db.toStdString()).lastCheckpoint(1);
                return checkpoint ? checkpoint->update : std::int64_t(0);
            } catch (const std::exception& e) { // its schema is being created
                qDebug("waiting for the run database: %s", e.what());
                return std::int64_t(0);
            }
        };
        auto status = [&rig] { return storedStatus(rig.db, 1); };
        QTRY_VERIFY_WITH_TIMEOUT(latestCheckpoint() >= 20, 120000);
        rig.panel.pauseButton()->click();
        QTRY_COMPARE_WITH_TIMEOUT(status(), RunStatus::Paused, 120000);
        QTest::qWait(300); // the writer commits what it holds within 100 ms
        const std::int64_t killedAt = latestUpdate(), checkpointAt = latestCheckpoint();
        QVERIFY2(killedAt > checkpointAt && checkpointAt >= 20,
                 qPrintable(QString("update %1, checkpoint %2").arg(killedAt).arg(checkpointAt)));
        const qint64 pid = rig.panel.process()->processId();
        QVERIFY(pid > 0);
        ::kill(pid_t(pid), SIGKILL);
        QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 1, 30000);

        // The process is gone: once its heartbeat is stale the run is interrupted, in the Run dock and in
        // the runs browser.
        QTRY_COMPARE_WITH_TIMEOUT(rig.run.status(), RunStatus::Interrupted, 60000);
        QVERIFY(rig.panel.resumeButton()->isEnabled());
        QVERIFY(rig.panel.findChild<QLabel*>("runStatusLabel")->text().contains("interrupted"));
        QCOMPARE(rig.panel.etaText(), QString()); // nothing is going to finish: no ETA
        browser.model()->refresh();
        QTRY_VERIFY_WITH_TIMEOUT(
            browser.model()->rowOfRun(1) >= 0 &&
                browser.model()->runs()[std::size_t(browser.model()->rowOfRun(1))].status ==
                    RunStatus::Interrupted,
            10000);
        QCOMPARE(browser.model()
                     ->data(browser.model()->index(browser.model()->rowOfRun(1), RunListModel::StatusColumn))
                     .toString(),
                 QString("interrupted"));

        // Resume from the browser's context menu.
        bool triggered = false;
        QTimer::singleShot(200, [&] {
            auto* menu = qobject_cast<QMenu*>(QApplication::activePopupWidget());
            if (!menu) return;
            for (QAction* a : menu->actions())
                if (a->text().remove('&').startsWith("Resume Run 1")) {
                    triggered = true;
                    a->trigger();
                }
            menu->close();
        });
        QTableView* table = browser.table();
        const QModelIndex cell = table->model()->index(0, 0);
        emit table->customContextMenuRequested(table->visualRect(cell).center());
        QVERIFY(triggered);
        QVERIFY(rig.panel.process()->isRunning());
        QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 2, 300000);
        QCOMPARE(ended.at(1).at(0).toInt(), 0);
        QTRY_COMPARE_WITH_TIMEOUT(rig.run.status(), RunStatus::Finished, 10000);
        QVERIFY(rig.caughtUp());
        // The resumed run logged the updates after its last checkpoint again (the event log has them
        // twice); the document and the curve have each once.
        verifyUpdatesOnce(rig.run, 60);
        QCOMPARE(rig.training.trainLoss().size(), 60);
        RunReader reader(rig.db.toStdString());
        std::int64_t stepEvents = 0;
        for (const Event& e : reader.events(1))
            stepEvents += e.type == "training_step";
        QCOMPARE(stepEvents, 60 + (killedAt - checkpointAt));
    }

    void mixtureOfSupernetsChoicesMakeTheTrainCommand() {
        QTemporaryDir dir;
        SpaceDocument document;
        QVERIFY(document.open("tiny"));
        RunControlPanel panel(&document);
        const QString db = dir.filePath("runs.sqlite");
        panel.setDatabasePath(db);
        panel.setCorpus("sample");
        panel.setBudget(0, 5);
        const SupernetRows rows(panel);
        QVERIFY(rows.found());
        rows.chooseMosNeuronSandwich();

        QString error;
        const QStringList args = panel.trainArguments(&error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(args.size(), 17);
        const QString space = args.at(1); // the editor's space, written to a temporary file
        QVERIFY(QFile::exists(space));
        const QStringList expected{"--space",
                                   space,
                                   "--corpus",
                                   "sample",
                                   "--updates",
                                   "5",
                                   "--name",
                                   "tiny",
                                   "--supernet",
                                   "mos-neuron",
                                   "--mos-experts",
                                   "3",
                                   "--mos-attention",
                                   "--sampling",
                                   "sandwich",
                                   "--sandwich-random",
                                   "2"};
        QCOMPARE(args, expected);

        // Start launches exactly that command (after the control options), and the child gets it.
        panel.process()->setCliPath(writeRecordingCli(dir));
        QSignalSpy ended(&panel, &RunControlPanel::runEnded);
        QVERIFY(panel.startRun());
        const QStringList launched = QStringList{"train", "--control-stdin", "--db", db} + expected;
        QCOMPARE(panel.process()->arguments(), launched);
        QTRY_COMPARE(ended.count(), 1);
        QFile received(dir.filePath("args"));
        QVERIFY(received.open(QIODevice::ReadOnly));
        QCOMPARE(QString::fromUtf8(received.readAll()).split('\n', Qt::SkipEmptyParts), launched);

        // Shared weights with random sampling, the defaults, say so and nothing more.
        rows.kind->setCurrentIndex(rows.kind->findData("shared"));
        rows.sampling->setCurrentIndex(rows.sampling->findData("random"));
        QCOMPARE(panel.trainArguments(&error).mid(8),
                 (QStringList{"--supernet", "shared", "--sampling", "random"}));
        // Layer-wise MoS without attention: no --mos-attention.
        rows.kind->setCurrentIndex(rows.kind->findData("mos-layer"));
        rows.attention->setChecked(false);
        rows.sets->setValue(16);
        QCOMPARE(panel.trainArguments(&error).mid(8),
                 (QStringList{"--supernet", "mos-layer", "--mos-experts", "16", "--sampling", "random"}));
    }

    void supernetRowsGreyOutWhatTheChoiceDoesNotUse() {
        SpaceDocument document;
        QVERIFY(document.open("tiny"));
        RunControlPanel panel(&document);
        const SupernetRows rows(panel);
        QVERIFY(rows.found());
        // Defaults: shared weights, one random subnet per update.
        QCOMPARE(rows.kind->currentData().toString(), QString("shared"));
        QCOMPARE(rows.sampling->currentData().toString(), QString("random"));
        QCOMPARE(rows.sets->value(), 2);
        QCOMPARE(rows.sandwichRandom->value(), 1);
        QCOMPARE(rows.sets->minimum(), 1);
        QCOMPARE(rows.sets->maximum(), 16);
        QCOMPARE(rows.sandwichRandom->minimum(), 0);
        QCOMPARE(rows.sandwichRandom->maximum(), 8);
        QVERIFY(rows.kind->isEnabled());
        QVERIFY(rows.sampling->isEnabled());
        QVERIFY(!rows.sets->isEnabled());
        QVERIFY(!rows.attention->isEnabled());
        QVERIFY(!rows.sandwichRandom->isEnabled());
        // Every kind explains itself.
        for (int i = 0; i < rows.kind->count(); ++i)
            QVERIFY(!rows.kind->itemData(i, Qt::ToolTipRole).toString().isEmpty());
        QVERIFY(rows.kind->itemData(rows.kind->findData("mos-neuron"), Qt::ToolTipRole)
                    .toString()
                    .contains("per output neuron"));

        for (const char* kind : {"mos-layer", "mos-neuron"}) {
            rows.kind->setCurrentIndex(rows.kind->findData(kind));
            QVERIFY(rows.sets->isEnabled());
            QVERIFY(rows.attention->isEnabled());
            QVERIFY(!rows.sandwichRandom->isEnabled()); // sampling is still random
        }
        rows.sampling->setCurrentIndex(rows.sampling->findData("sandwich"));
        QVERIFY(rows.sandwichRandom->isEnabled());
        rows.kind->setCurrentIndex(rows.kind->findData("shared"));
        QVERIFY(!rows.sets->isEnabled());
        QVERIFY(!rows.attention->isEnabled());
        QVERIFY(rows.sandwichRandom->isEnabled());
        rows.sampling->setCurrentIndex(rows.sampling->findData("random"));
        QVERIFY(!rows.sandwichRandom->isEnabled());

        // Nothing can be changed while a run is going.
        QTemporaryDir dir;
        QFile sleeper(dir.filePath("automoe"));
        QVERIFY(sleeper.open(QIODevice::WriteOnly));
        sleeper.write("#!/bin/sh\nexec sleep 30\n");
        sleeper.close();
        sleeper.setPermissions(sleeper.permissions() | QFileDevice::ExeOwner);
        panel.process()->setCliPath(sleeper.fileName());
        panel.setDatabasePath(dir.filePath("runs.sqlite"));
        panel.setCorpus("sample");
        rows.chooseMosNeuronSandwich();
        QVERIFY(panel.startRun());
        QTRY_VERIFY(panel.process()->isRunning());
        QVERIFY(!rows.kind->isEnabled());
        QVERIFY(!rows.sets->isEnabled());
        QVERIFY(!rows.attention->isEnabled());
        QVERIFY(!rows.sampling->isEnabled());
        QVERIFY(!rows.sandwichRandom->isEnabled());
        panel.process()->kill();
        QTRY_VERIFY(!panel.process()->isRunning());
        QVERIFY(rows.kind->isEnabled());
        QVERIFY(rows.sets->isEnabled());
        QVERIFY(rows.sandwichRandom->isEnabled());
    }

    void mixtureOfSupernetsRunStartedFromTheDockStoresItsSupernet() {
        Rig rig(2, {"--validate-every", "1000"});
        const SupernetRows rows(rig.panel);
        QVERIFY(rows.found());
        rows.chooseMosNeuronSandwich();
        QSignalSpy ended(&rig.panel, &RunControlPanel::runEnded);
        QVERIFY(rig.panel.startRun());
        QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 1, 300000);
        QVERIFY2(ended.at(0).at(0).toInt() == 0, qPrintable(rig.panel.log()->toPlainText()));

        RunReader reader(rig.db.toStdString());
        const RunInfo run = reader.requireRun(1, "supernet");
        QCOMPARE(run.status, RunStatus::Finished);
        const nlohmann::json& supernet = run.spec.config.at("supernet");
        QCOMPARE(supernet.at("kind").get<std::string>(), std::string("mos-neuron"));
        QCOMPARE(supernet.at("sets").get<int>(), 3);
        QCOMPARE(supernet.at("attention").get<bool>(), true);
        QCOMPARE(run.spec.config.at("trainer").at("sampling").get<std::string>(), std::string("sandwich"));
        QCOMPARE(run.spec.config.at("trainer").at("sandwich_random").get<int>(), 2);

        // The runs browser says which supernet it is.
        RunListModel model;
        QSignalSpy refreshed(&model, &RunListModel::refreshed);
        model.setDatabasePath(rig.db);
        QTRY_COMPARE(refreshed.count(), 1);
        QCOMPARE(model.index(model.rowOfRun(1), RunListModel::SupernetColumn).data().toString(),
                 QString("mos-neuron \u00D73 +attn"));
    }

    void settingsAreRememberedAcrossRestarts() {
        QTemporaryDir dir;
        const QString ini = dir.filePath("settings.ini");
        SpaceDocument document;
        QVERIFY(document.open("tiny"));
        RunControlPanel::SearchSettings chosen;
        chosen.supernetRun = 7;
        chosen.flops = "150M";
        chosen.latency = "40";
        chosen.predicted = true;
        chosen.population = 12;
        chosen.parents = 3;
        chosen.mutations = 4;
        chosen.crossovers = 5;
        chosen.iterations = 9;
        chosen.seed = 42;
        chosen.fitnessSentences = 64;
        chosen.narrowedSpace = true;
        {
            Settings settings(ini);
            RunControlPanel panel(&document);
            panel.setSettings(&settings);
            panel.setCorpus("sample");
            panel.setBudget(0, 1234);
            panel.setSearchSettings(chosen);
            panel.setSupernetOptions({"mos-layer", 5, true, "sandwich", 3});
        } // the app closes
        Settings settings(ini);
        RunControlPanel panel(&document);
        panel.setSettings(&settings);
        QCOMPARE(panel.corpus(), QString("sample"));
        const RunControlPanel::SearchSettings s = panel.searchSettings();
        QCOMPARE(s.supernetRun, chosen.supernetRun);
        QCOMPARE(s.flops, chosen.flops);
        QCOMPARE(s.latency, chosen.latency);
        QCOMPARE(s.predicted, true);
        QCOMPARE(s.population, 12);
        QCOMPARE(s.parents, 3);
        QCOMPARE(s.mutations, 4);
        QCOMPARE(s.crossovers, 5);
        QCOMPARE(s.iterations, 9);
        QCOMPARE(s.seed, quint64(42));
        QCOMPARE(s.fitnessSentences, 64);
        QCOMPARE(s.narrowedSpace, true);
        QString error;
        panel.setDatabasePath(dir.filePath("runs.sqlite"));
        const QStringList args = panel.searchArguments(&error);
        QVERIFY(args.contains("flops<=150M"));
        QCOMPARE(panel.budgetMinutes(), 0);
        QCOMPARE(panel.budgetUpdates(), 1234);
        const RunControlPanel::SupernetOptions o = panel.supernetOptions();
        QCOMPARE(o.kind, QString("mos-layer"));
        QCOMPARE(o.sets, 5);
        QCOMPARE(o.attention, true);
        QCOMPARE(o.sampling, QString("sandwich"));
        QCOMPARE(o.sandwichRandom, 3);
        const SupernetRows rows(panel);
        QCOMPARE(rows.kind->currentData().toString(), QString("mos-layer"));
        QVERIFY(rows.sets->isEnabled());
        QVERIFY(rows.sandwichRandom->isEnabled());
    }

    void missingCliIsAClearMessage() {
        SpaceDocument document;
        QVERIFY(document.open("tiny"));
        RunControlPanel panel(&document);
        QTemporaryDir dir;
        panel.setDatabasePath(dir.filePath("runs.sqlite"));
        panel.process()->setCliPath(dir.filePath("automoe"));
        QSignalSpy failed(&panel, &RunControlPanel::failed);
        QVERIFY(!panel.startRun());
        QCOMPARE(failed.count(), 1);
        const QString message = failed.at(0).at(1).toString();
        QVERIFY2(message.contains("automoe") && message.contains("missing"), qPrintable(message));
        QVERIFY(panel.log()->toPlainText().contains(message));
        QVERIFY(panel.startButton()->isEnabled());
    }
};

AUTOMOE_TEST_MAIN(TestRunControl)
#include "tst_run_control.moc"
