// Pins the Run dock end to end with the real `automoe` CLI: Start writes the edited space to a file and
// launches `automoe train --control-stdin`, the run is followed through the store into TrainingView, the
// stage tracker and the progress bar follow its events, and the run ends finished. Also: a missing CLI is a
// clear message, not a crash.
#include "space/SearchSpace.h"
#include "space/SpaceIO.h"
#include "store/RunStore.h"
#include "ui/ParetoView.h"
#include "ui/RunControlPanel.h"
#include "ui/RunPlayer.h"
#include "ui/SpaceDocument.h"
#include "ui/TrainingProcess.h"
#include "ui/TrainingView.h"

#include <QPlainTextEdit>
#include <QPushButton>
#include <QtTest/QtTest>
#include <fstream>
#include <random>

using namespace automoe;
using namespace automoe::ui;

namespace {

// A tiny heterogeneous space (the nn tests' smallSpace, written here without LibTorch).
SearchSpace tinySpace() {
    SearchSpace s;
    s.name = "ui-run-test";
    s.qkvDim = 16;
    for (Stack st : {Stack::Encoder, Stack::Decoder}) {
        StackSpace& x = s.stack(st);
        x.embedDim = Dimension::of({8, 12, 16});
        x.layers = st == Stack::Encoder ? Dimension::range(1, 3) : Dimension::range(1, 2);
        x.ffnDim = Dimension::of({8, 16, 24});
        x.selfHeads = Dimension::of({2, 4});
        x.experts = Dimension::range(1, 3);
        x.topK = Dimension::of({1, 2});
        x.fractionalExperts = true;
        if (st == Stack::Decoder) {
            x.endeHeads = Dimension::of({2, 4});
            x.arbitraryEnde = Dimension::of({-1, 1, 2});
        }
    }
    s.validate();
    return s;
}

// German-looking / English-looking word pairs as a TSV corpus.
QString writeCorpus(const QString& dir, int pairs = 240) {
    const std::vector<std::pair<std::string, std::string>> words = {
        {"der", "the"},   {"hund", "dog"},  {"katze", "cat"}, {"haus", "house"},   {"klein", "small"},
        {"gross", "big"}, {"rot", "red"},   {"blau", "blue"}, {"und", "and"},      {"sieht", "sees"},
        {"einen", "a"},   {"baum", "tree"}, {"im", "in the"}, {"garten", "garden"}};
    std::mt19937_64 rng(42);
    const QString path = dir + "/corpus.tsv";
    std::ofstream out(path.toStdString());
    for (int i = 0; i < pairs; ++i) {
        const int n = 3 + int(rng() % 4);
        std::string de, en;
        for (int j = 0; j < n; ++j) {
            const auto& w = words[rng() % words.size()];
            de += (j ? " " : "") + w.first;
            en += (j ? " " : "") + w.second;
        }
        out << de << "\t" << en << "\n";
    }
    return path;
}

} // namespace

class TestRunControl : public QObject {
    Q_OBJECT

private slots:
    void shortRealRunEmitsProgressAndFinishes() {
        QTemporaryDir dir;
        const QString spacePath = dir.filePath("space.json");
        saveSpace(tinySpace(), spacePath.toStdString());
        SpaceDocument document;
        QString error;
        QVERIFY2(document.open(spacePath, &error), qPrintable(error));
        const QString db = dir.filePath("runs.sqlite");

        TrainingView training;
        ParetoView pareto;
        RunPlayer player(&training, &pareto);
        RunControlPanel panel(&document);
        panel.process()->setCliPath(AUTOMOE_CLI);
        panel.setDatabasePath(db);
        panel.setCorpus(writeCorpus(dir.path()));
        panel.setBudget(0, 6);
        panel.setExtraArguments(
            {"--vocab-size", "60", "--max-tokens", "200", "--threads", "1", "--validate-every", "3"});
        QObject::connect(&panel, &RunControlPanel::runStarted, &player,
                         [&](qint64 id) { player.follow(db, id); });
        QObject::connect(&player, &RunPlayer::batchApplied, &panel, &RunControlPanel::applyBatch);
        QSignalSpy started(&panel, &RunControlPanel::runStarted);
        QSignalSpy ended(&panel, &RunControlPanel::runEnded);
        QSignalSpy batches(&player, &RunPlayer::batchApplied);

        QVERIFY(panel.startRun());
        QVERIFY(!panel.startButton()->isEnabled());
        QVERIFY(panel.cancelButton()->isEnabled());
        const QStringList args = panel.process()->arguments();
        QVERIFY(args.contains("--control-stdin"));
        QCOMPARE(args.at(args.indexOf("--updates") + 1), QString("6"));
        QVERIFY(QFile::exists(args.at(args.indexOf("--space") + 1)));

        QTRY_COMPARE_WITH_TIMEOUT(started.count(), 1, 120000);
        const qint64 runId = started.at(0).at(0).toLongLong();
        QCOMPARE(runId, qint64(1));
        QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 1, 300000);
        QCOMPARE(ended.at(0).at(0).toInt(), 0);
        // The feed catches up with the last committed event.
        QTRY_VERIFY_WITH_TIMEOUT(player.lastSeq() > 0 && player.position() == player.lastSeq(), 10000);

        QVERIFY(batches.count() >= 1);
        QVERIFY(training.trainLoss().size() >= 1);
        QCOMPARE(training.trainLoss().size(), 6);
        QVERIFY(!training.validationLoss("largest").isEmpty());
        QCOMPARE(panel.stageState(RunControlPanel::Stage::Supernet), RunControlPanel::StageState::Done);
        QCOMPARE(panel.stageState(RunControlPanel::Stage::Test), RunControlPanel::StageState::Done);
        QCOMPARE(panel.stageState(RunControlPanel::Stage::Search), RunControlPanel::StageState::Pending);
        QCOMPARE(panel.progressPercent(), 100);
        QVERIFY(panel.log()->toPlainText().contains("run 1 in"));

        RunStore store(db.toStdString());
        QCOMPARE(store.getRun(runId)->status, RunStatus::Finished);
        QCOMPARE(store.trainingSteps(runId).size(), std::size_t(6));
        QVERIFY(panel.startButton()->isEnabled());
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

QTEST_MAIN(TestRunControl)
#include "tst_run_control.moc"
