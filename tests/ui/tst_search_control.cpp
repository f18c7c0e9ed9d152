// Pins searches launched from the Run dock end to end with the real `automoe` CLI, on a tiny supernet trained
// once for the suite: Start on the Search tab launches `automoe search --control-stdin` (on the editor's
// narrowed space), its candidates reach the Pareto view live through the store (RunFeed/RunPlayer, as replay)
// and the front is drawn; the stage tracker shows stage 4; pause, resume and cancel act on the child; a space
// outside the supernet's is refused with a message naming the gene. Also the run database's supernet runs
// become the search choices, and the Pareto view overlays another search run's front through MainWindow.
#include "../support/SmallRun.h"
#include "space/ArchitectureIO.h"
#include "space/SearchSpace.h"
#include "space/SpaceIO.h"
#include "store/RunReader.h"
#include "ui/plots/ParetoView.h"
#include "ui/plots/TrainingView.h"
#include "ui/run/CliProcess.h"
#include "ui/run/RunControlPanel.h"
#include "ui/run/RunDocument.h"
#include "ui/run/RunPlayer.h"
#include "ui/shell/ExportDialog.h"
#include "ui/shell/MainWindow.h"
#include "ui/shell/Settings.h"
#include "ui/space/SpaceDocument.h"

#include <qcustomplot.h>

#include "MainWindowRig.h"
#include "TestMain.h"
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QPlainTextEdit>
#include <QProcess>
#include <QPushButton>
#include <QtTest/QtTest>

using namespace automoe;
using namespace automoe::ui;

namespace {

// Inside the shared small space: fewer embedding and FFN choices, one or two encoder layers.
SearchSpace narrowedSpace() {
    SearchSpace s = testsupport::smallSpace();
    s.name = "ui-search-narrowed";
    for (Stack st : {Stack::Encoder, Stack::Decoder}) {
        s.stack(st).embedDim = Dimension::of({12, 16});
        s.stack(st).ffnDim = Dimension::of({16, 24});
    }
    s.encoder.layers = Dimension::range(1, 2);
    s.validate();
    return s;
}

// The JSON object a finished `automoe` command that made a run printed as its first stdout line.
QJsonObject runLine(QProcess& process) {
    return QJsonDocument::fromJson(process.readAllStandardOutput().split('\n').front()).object();
}

const QCPGraph* graphNamed(const ParetoView& view, const QString& prefix) {
    for (int i = 0; i < view.plot()->graphCount(); ++i)
        if (view.plot()->graph(i)->name().startsWith(prefix)) return view.plot()->graph(i);
    return nullptr;
}

struct Rig {
    SpaceDocument document;
    RunDocument run;
    TrainingView training;
    ParetoView pareto;
    RunPlayer player{&run};
    RunControlPanel panel{&document};
    QString db;

    explicit Rig(const QString& dbPath)
        : db(dbPath) {
        training.setDocument(&run);
        pareto.setDocument(&run);
        panel.setDocument(&run);
        panel.process()->setCliPath(AUTOMOE_CLI);
        panel.setDatabasePath(db);
        panel.setExtraSearchArguments({"--threads", "1"});
        QObject::connect(&panel, &RunControlPanel::runStarted, &player,
                         [this](qint64 id) { player.follow(db, id); });
    }
};

} // namespace

class TestSearchControl : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    QString db_;
    QString narrowedPath_, widePath_;

    RunControlPanel::SearchSettings settings(int iterations) const {
        RunControlPanel::SearchSettings s;
        s.supernetRun = 1;
        s.flops = "";
        s.population = 6;
        s.parents = 2;
        s.mutations = 2;
        s.crossovers = 2;
        s.iterations = iterations;
        s.seed = 3;
        s.fitnessSentences = 16;
        s.narrowedSpace = true;
        return s;
    }

    // A finished search run of the database: run 2 when the searches of this suite ran before, else a small
    // one made now (the suite's tests do not depend on their order).
    qint64 finishedSearch() {
        for (const RunSummary& r : RunReader(db_.toStdString()).listRuns())
            if (r.kind == "search" && r.status == RunStatus::Finished) return r.id;
        QProcess search;
        search.start(AUTOMOE_CLI, {"search", "--db", db_, "--run", "1", "--population", "6", "--parents", "2",
                                   "--mutation", "2", "--crossover", "2", "--iterations", "1",
                                   "--fitness-sentences", "8", "--threads", "1"});
        if (!search.waitForFinished(600000) || search.exitCode() != 0) return 0;
        return runLine(search).value("run_id").toInteger();
    }

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        db_ = dir_.filePath("runs.sqlite");
        const QString space = dir_.filePath("space.json");
        saveSpace(testsupport::smallSpace(), space.toStdString());
        narrowedPath_ = dir_.filePath("narrowed.json");
        saveSpace(narrowedSpace(), narrowedPath_.toStdString());
        SearchSpace wide = testsupport::smallSpace();
        wide.name = "ui-search-wide";
        wide.encoder.layers = Dimension::range(1, 4);
        widePath_ = dir_.filePath("wide.json");
        saveSpace(wide, widePath_.toStdString());
        // The fixture supernet: 4 updates of the tiny space (a few seconds).
        QProcess train;
        train.setProcessChannelMode(QProcess::MergedChannels);
        train.start(AUTOMOE_CLI,
                    {"train", "--db", db_, "--space", space, "--corpus",
                     QString::fromStdString(testsupport::writeSmallCorpus(dir_.path().toStdString())),
                     "--updates", "4", "--vocab-size", "60", "--max-tokens", "200", "--threads", "1",
                     "--validate-every", "4", "--name", "fixture"});
        QVERIFY(train.waitForFinished(600000));
        QVERIFY2(train.exitCode() == 0, train.readAll().constData());
    }

    void supernetRunsAreTheSearchChoices() {
        SpaceDocument document;
        RunControlPanel panel(&document);
        RunReader store(db_.toStdString());
        std::vector<RunSummary> runs = store.listRuns();
        RunSummary failed;
        failed.id = 99;
        failed.kind = "supernet";
        failed.status = RunStatus::Failed;
        runs.push_back(failed);
        RunSummary search;
        search.id = 98;
        search.kind = "search";
        search.status = RunStatus::Finished;
        runs.push_back(search);
        panel.setRuns(runs);
        const auto choices = panel.supernetChoices();
        QCOMPARE(choices.size(), 1); // neither the failed supernet nor the search run
        QCOMPARE(choices.at(0).first, qint64(1));
        QVERIFY(choices.at(0).second.contains("fixture"));
        QCOMPARE(panel.searchSettings().supernetRun, qint64(1));

        // The arguments the CLI gets, budgets included.
        RunControlPanel::SearchSettings s = settings(3);
        s.flops = "150M";
        s.params = "5M";
        s.latency = "40";
        s.narrowedSpace = false;
        panel.setSearchSettings(s);
        QString error;
        const QStringList args = panel.searchArguments(&error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(args.mid(0, 8), (QStringList{"--run", "1", "--budget", "flops<=150M", "--budget",
                                              "params<=5M", "--budget", "latency<=40ms"}));
        QCOMPARE(args.at(args.indexOf("--iterations") + 1), QString("3"));
        QVERIFY(!args.contains("--space"));

        s.supernetRun = 0;
        panel.setSearchSettings(s);
        panel.setRuns({});
        panel.searchArguments(&error);
        QVERIFY2(error.contains("Supernet"), qPrintable(error));
    }

    void searchFromThePanelFeedsTheParetoViewLive() {
        Rig rig(db_);
        QString error;
        QVERIFY2(rig.document.open(narrowedPath_, &error), qPrintable(error));
        rig.panel.setMode(RunControlPanel::Mode::Search);
        rig.panel.setSearchSettings(settings(3));
        QSignalSpy started(&rig.panel, &RunControlPanel::runStarted);
        QSignalSpy ended(&rig.panel, &RunControlPanel::runEnded);
        // Candidates arrive over several batches while the child runs, not only at its end.
        int batchesWithCandidatesWhileRunning = 0;
        QObject::connect(&rig.run, &RunDocument::candidatesAdded, &rig.panel, [&] {
            if (rig.panel.process()->isRunning()) ++batchesWithCandidatesWhileRunning;
        });

        QTest::mouseClick(rig.panel.startButton(), Qt::LeftButton);
        const QStringList args = rig.panel.process()->arguments();
        QCOMPARE(args.mid(0, 2), (QStringList{"search", "--control-stdin"}));
        QVERIFY(QFile::exists(args.at(args.indexOf("--space") + 1)));
        QVERIFY(!rig.panel.startButton()->isEnabled());

        QTRY_COMPARE_WITH_TIMEOUT(started.count(), 1, 120000);
        const qint64 runId = started.at(0).at(0).toLongLong();
        QCOMPARE(runId, qint64(2));
        QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 1, 300000);
        QVERIFY2(ended.at(0).at(0).toInt() == 0, qPrintable(rig.panel.log()->toPlainText()));
        QTRY_VERIFY_WITH_TIMEOUT(rig.player.lastSeq() > 0 && rig.player.position() == rig.player.lastSeq(),
                                 10000);

        RunReader store(db_.toStdString());
        QCOMPARE(store.getRun(runId)->status, RunStatus::Finished);
        const auto candidates = store.candidates(runId);
        QVERIFY(candidates.size() >= 6);
        QCOMPARE(rig.pareto.pointCount(), int(candidates.size()));
        QVERIFY(batchesWithCandidatesWhileRunning >= 1);
        // Every candidate lies in the narrowed space, and the run records that space.
        const SearchSpace narrowed = narrowedSpace();
        for (const CandidateRow& c : candidates) {
            std::string why;
            QVERIFY2(narrowed.contains(architectureFromJson(c.architecture.json), &why), why.c_str());
        }
        QCOMPARE(store.getRun(runId)->spec.config.at("space").at("name").get<std::string>(),
                 std::string("ui-search-narrowed"));

        // The front: computed and drawn as the step line.
        const auto front = rig.pareto.front();
        QVERIFY(!front.empty());
        const QCPGraph* frontGraph = graphNamed(rig.pareto, "Pareto front");
        QVERIFY(frontGraph);
        QCOMPARE(frontGraph->data()->size(), int(front.size()));
        QCOMPARE(frontGraph->data()->constBegin()->key, front.front().cost);

        QCOMPARE(rig.panel.stageState(PipelineStage::Search), StageState::Done);
        // A search loads a trained supernet: stage 1 is done, stage 4 ran.
        QCOMPARE(rig.panel.stageState(PipelineStage::Supernet), StageState::Done);
        QCOMPARE(rig.panel.stageState(PipelineStage::Retrain), StageState::Pending);
        QCOMPARE(rig.panel.progressPercent(), 100);
        QVERIFY(rig.panel.log()->toPlainText().contains("search run 2 in"));
        QVERIFY(rig.panel.startButton()->isEnabled());
    }

    void pauseResumeAndCancelActOnTheSearch() {
        Rig rig(db_);
        QVERIFY(rig.document.open(narrowedPath_));
        rig.panel.setMode(RunControlPanel::Mode::Search);
        rig.panel.setSearchSettings(settings(200)); // far more generations than the test waits for
        QSignalSpy started(&rig.panel, &RunControlPanel::runStarted);
        QSignalSpy ended(&rig.panel, &RunControlPanel::runEnded);
        QVERIFY(rig.panel.startSearch());
        QTRY_COMPARE_WITH_TIMEOUT(started.count(), 1, 120000);
        const qint64 runId = started.at(0).at(0).toLongLong();
        QTRY_VERIFY_WITH_TIMEOUT(rig.pareto.pointCount() > 0, 120000);
        QCOMPARE(rig.panel.stageState(PipelineStage::Search), StageState::Active);

        auto status = [&] { return RunReader(db_.toStdString()).getRun(runId)->status; };
        QTest::mouseClick(rig.panel.pauseButton(), Qt::LeftButton);
        QVERIFY(rig.panel.resumeButton()->isEnabled());
        QTRY_COMPARE_WITH_TIMEOUT(status(), RunStatus::Paused, 60000);
        // Paused: no candidate is added for a while (the child waits between two evaluations).
        const std::size_t held = RunReader(db_.toStdString()).candidates(runId).size();
        QTest::qWait(1500);
        QCOMPARE(RunReader(db_.toStdString()).candidates(runId).size(), held);

        QTest::mouseClick(rig.panel.resumeButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(status(), RunStatus::Running, 60000);
        QTRY_VERIFY_WITH_TIMEOUT(RunReader(db_.toStdString()).candidates(runId).size() > held, 120000);

        QTest::mouseClick(rig.panel.cancelButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 1, 120000);
        QCOMPARE(ended.at(0).at(0).toInt(), 0);
        QCOMPARE(status(), RunStatus::Cancelled);
        QTRY_VERIFY_WITH_TIMEOUT(rig.player.position() == rig.player.lastSeq(), 10000);
        QCOMPARE(rig.pareto.pointCount(), int(RunReader(db_.toStdString()).candidates(runId).size()));
    }

    void exportDialogWritesArchitecturesThatRoundTripAndPlots() {
        const qint64 search = finishedSearch();
        QVERIFY(search > 0);
        RunReader store(db_.toStdString());
        const auto candidates = store.candidates(search);
        QVERIFY(candidates.size() >= 2);
        const ArchitectureRow& first = candidates.front().architecture;
        const ArchitectureRow& second = candidates.back().architecture;
        QTemporaryDir out;

        ExportDialog dialog;
        dialog.setCliPath(AUTOMOE_CLI);
        dialog.setRun(db_, search,
                      {{first.id, QString::fromStdString(first.key), "first", true},
                       {second.id, QString::fromStdString(second.key), "second", false}});
        dialog.setOutputDirectory(out.path());
        for (const QString format : {"yml", "json"}) {
            dialog.setArchitectureFormat(format);
            const QStringList files = dialog.architectureFiles();
            QCOMPARE(files.size(), 1); // only the checked one
            QVERIFY(files.at(0).endsWith("." + format));
            QSignalSpy done(&dialog, &ExportDialog::architecturesExported);
            QSignalSpy failed(&dialog, &ExportDialog::architectureExportFailed);
            QString error;
            QVERIFY2(dialog.exportArchitectures(&error), qPrintable(error));
            QVERIFY(dialog.isExporting()); // a child process: the call does not wait for it
            QTRY_VERIFY_WITH_TIMEOUT(done.count() + failed.count() == 1, 120000);
            QVERIFY2(done.count() == 1, qPrintable(dialog.log()->toPlainText()));
            QCOMPARE(done.at(0).at(0).toStringList(), files);
            // The torch-free reader gives back the very architecture the search stored.
            const Architecture read = loadArchitecture(files.at(0).toStdString(), 16);
            const Architecture stored = architectureFromJson(first.json);
            QVERIFY(read == stored);
            QCOMPARE(read.key(), first.key);
        }
        // Both checked: two files, in list order.
        dialog.architectureList()->item(1)->setCheckState(Qt::Checked);
        dialog.setArchitectureFormat("yml");
        QCOMPARE(dialog.architectureFiles().size(), 2);
        QSignalSpy both(&dialog, &ExportDialog::architecturesExported);
        QVERIFY(dialog.exportArchitectures());
        QTRY_COMPARE_WITH_TIMEOUT(both.count(), 1, 120000);
        QVERIFY(loadArchitecture(dialog.architectureFiles().at(1).toStdString(), 16) ==
                architectureFromJson(second.json));

        // Plots: PNG and SVG of the Pareto view showing the run.
        ParetoView pareto;
        pareto.resize(800, 500);
        pareto.addCandidates(candidates);
        dialog.addPlot("Pareto front", [&pareto](const QString& path, QString* error) {
            return pareto.exportPlot(path, error);
        });
        QCOMPARE(dialog.plotNames(), QStringList{"Pareto front"});
        QString error;
        const QString png = out.filePath("pareto.png"), svg = out.filePath("pareto.svg");
        QVERIFY2(dialog.exportPlot("Pareto front", png, &error), qPrintable(error));
        QVERIFY2(dialog.exportPlot("Pareto front", svg, &error), qPrintable(error));
        QImage image(png);
        QVERIFY(!image.isNull() && image.width() >= 800);
        QFile svgFile(svg);
        QVERIFY(svgFile.open(QIODevice::ReadOnly));
        const QByteArray svgText = svgFile.readAll();
        QVERIFY(svgText.size() > 1000 && svgText.contains("<svg"));
        QVERIFY(!dialog.exportPlot("Routing", out.filePath("r.png"), &error));
        QVERIFY2(error.contains("Routing"), qPrintable(error));
        QVERIFY(!dialog.exportPlot("Pareto front", out.filePath("pareto.bmp"), &error));
        QVERIFY2(error.contains("pareto.bmp"), qPrintable(error));
    }

    // `automoe close` on a found architecture, followed in the Run dock as any run is: the retrain run's
    // stages 5-7 light (measure, retrain, test), the search and supernet it builds on count as done, and its
    // progress keeps its "/N" when the costs stage starts after retraining.
    void aCloseRunLightsStagesFiveToSeven() {
        const qint64 search = finishedSearch();
        QVERIFY(search > 0);
        const auto candidates = RunReader(db_.toStdString()).candidates(search);
        QVERIFY(!candidates.empty());
        QProcess close;
        close.start(AUTOMOE_CLI, {"close", "--db", db_, "--run", QString::number(search), "--arch",
                                  QString::number(candidates.front().architecture.id), "--updates", "4",
                                  "--validate-every", "4", "--test-sentences", "4", "--latency-repeats", "1",
                                  "--threads", "1"});
        QVERIFY(close.waitForFinished(600000));
        QVERIFY2(close.exitCode() == 0, close.readAllStandardError().constData());
        // The first stdout line names the run it created.
        const QJsonObject line = runLine(close);
        const qint64 retrain = line.value("run_id").toInteger();
        QVERIFY(retrain > 0);
        QCOMPARE(line.value("kind").toString(), QString("retrain"));

        Rig rig(db_);
        rig.player.follow(db_, retrain);
        QTRY_VERIFY_WITH_TIMEOUT(rig.player.lastSeq() > 0 && rig.player.position() == rig.player.lastSeq(),
                                 20000);
        QTRY_COMPARE_WITH_TIMEOUT(rig.run.status(), RunStatus::Finished, 5000);
        for (PipelineStage stage : {PipelineStage::Supernet, PipelineStage::Search, PipelineStage::Measure,
                                    PipelineStage::Retrain, PipelineStage::Test})
            QVERIFY2(rig.panel.stageState(stage) == StageState::Done, pipelineStageTitle(stage));
        QCOMPARE(rig.panel.progressPercent(), 100);
        QVERIFY2(rig.panel.progressText().endsWith("/ 4"), qPrintable(rig.panel.progressText()));
        QCOMPARE(rig.panel.etaText(), QString("done"));
    }

    void comparingOverlaysAnotherSearchsFront() {
        testsupport::MainWindowRig rig;
        QVERIFY(rig.create());
        MainWindow& window = *rig.window;
        QStringList& errors = rig.errors;
        window.openRunDatabase(db_);
        RunReader store(db_.toStdString());
        const auto shown = store.candidates(2), other = store.candidates(3);
        QVERIFY(!other.empty());
        window.replayRun(2);
        ParetoView* pareto = window.paretoView();
        QTRY_COMPARE_WITH_TIMEOUT(pareto->pointCount(), int(shown.size()), 20000);
        window.compareWithRun(3);
        QTRY_COMPARE_WITH_TIMEOUT(pareto->overlayNames(), QStringList{"run 3"}, 20000);
        QVERIFY2(errors.isEmpty(), qPrintable(errors.join('\n')));

        // The overlay is run 3's front (FLOPs vs fitness), computed by hand: cheapest first, each strictly
        // fitter.
        std::vector<std::pair<double, double>> pts;
        for (const CandidateRow& c : other)
            pts.emplace_back(c.flops, c.fitness);
        std::sort(pts.begin(), pts.end());
        std::vector<QPointF> expected;
        for (const auto& [x, y] : pts)
            if (expected.empty() || y < expected.back().y()) {
                if (!expected.empty() && expected.back().x() == x) continue;
                expected.emplace_back(x, y);
            }
        QCOMPARE(pareto->overlayFront("run 3"), expected);

        // Drawn as a second step line, styled apart from the shown run's front, and in the legend.
        const QCPGraph* front = graphNamed(*pareto, "Pareto front");
        const QCPGraph* overlay = graphNamed(*pareto, "run 3");
        QVERIFY(front && overlay);
        QCOMPARE(overlay->data()->size(), int(expected.size()));
        QCOMPARE(overlay->lineStyle(), QCPGraph::lsStepLeft);
        QVERIFY(overlay->pen().style() != front->pen().style() ||
                overlay->pen().color() != front->pen().color());
        QVERIFY(pareto->plot()->legend->visible());
        QVERIFY(pareto->plot()->legend->hasItemWithPlottable(overlay));
        QVERIFY(pareto->plot()->legend->hasItemWithPlottable(front));
    }

    void aSpaceOutsideTheSupernetsIsRefused() {
        Rig rig(db_);
        QVERIFY(rig.document.open(widePath_));
        rig.panel.setMode(RunControlPanel::Mode::Search);
        rig.panel.setSearchSettings(settings(2));
        const std::size_t runsBefore = RunReader(db_.toStdString()).listRuns().size();
        QSignalSpy ended(&rig.panel, &RunControlPanel::runEnded);
        QVERIFY(rig.panel.startSearch());
        QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 1, 120000);
        QVERIFY(ended.at(0).at(0).toInt() != 0);
        const QString log = rig.panel.log()->toPlainText();
        QVERIFY2(log.contains("not inside the space of supernet run 1") && log.contains("encoder.layers: 4"),
                 qPrintable(log));
        // Nothing was stored for the refused search.
        QCOMPARE(RunReader(db_.toStdString()).listRuns().size(), runsBefore);
    }
};

AUTOMOE_TEST_MAIN(TestSearchControl)
#include "tst_search_control.moc"
