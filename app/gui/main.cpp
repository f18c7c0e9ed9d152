// automoe-studio: opens a search space (the bundled "tiny" by default, or the file given on the command
// line) and shows its most expensive architecture in the workbench; --replay RUN [--db FILE] opens a stored
// run in the training and Pareto views.
#include "ui/figure/ArchitectureView.h"
#include "ui/plots/CandidateTableModel.h"
#include "ui/plots/CandidateTableView.h"
#include "ui/plots/GeneImportanceView.h"
#include "ui/plots/MoeStudyView.h"
#include "ui/plots/ParallelCoordinatesView.h"
#include "ui/plots/ParetoView.h"
#include "ui/routing/RoutingView.h"
#include "ui/run/CliProcess.h"
#include "ui/run/RunControlPanel.h"
#include "ui/run/RunDocument.h"
#include "ui/run/RunPlayer.h"
#include "ui/run/TrainingComparison.h"
#include "ui/shell/ExportDialog.h"
#include "ui/shell/MainWindow.h"
#include "ui/shell/ProfilingApplication.h"
#include "ui/shell/Settings.h"
#include "ui/shell/StallMonitor.h"
#include "ui/space/SpaceDocument.h"
#include "util/BuildInfo.h"
#include "util/Logging.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QMessageBox>
#include <QTimer>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <spdlog/spdlog.h>

namespace {

struct Options {
    QString space;
    QString screenshot;
    QSize screenshotSize{1440, 900};
    int selectFront = -1;
    int selectStudyRow = -1;
    QString studyMetric; // bleu, chrf or nll
    bool exportDialogShot = false;
    QString dock;         // with --screenshot: raise this dock (its object name, e.g. candidatesDock)
    QString filter;       // with --screenshot: the candidate table's filter
    qint64 compare = 0;   // with --screenshot: overlay this run (Run > Compare with Selected Run)
    QString brush;        // with --screenshot: brush COLUMN=LO..HI in the parallel coordinates
    QString diffFront;    // with --screenshot: "I,J": select front candidate I and diff J with it
    QString diffCompared; // with --screenshot and --compare: "I,J": front candidate I of the shown search
                          // diffed with front candidate J of the compared one
    QList<qint64> compareTraining; // with --screenshot: overlay these runs' training curves
    QString architecture = QStringLiteral("most-expensive");
    bool verbose = false;
    qint64 replay = 0;
    qint64 replaySeek = -1;
    int demoRunUpdates = 0;
    QString db;
    QString route;     // with --replay: route this sentence in the Routing dock (then --screenshot grabs it)
    QString routeArch; // the subnet to route (largest, smallest, a file, search:RUN:ARCH)
    int routeValid = -1;
};

Options parseOptions(const QApplication& app) {
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("AutoMoE Studio: neural architecture search over Mixture-of-Experts Transformers."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(
        QStringLiteral("space"),
        QStringLiteral(
            "Search space to open: a JSON file or a bundled name (tiny, automoe-ref-small, automoe-wmt)."),
        QStringLiteral("[space]"));
    QCommandLineOption spaceOption(QStringLiteral("space"), QStringLiteral("Search space to open."),
                                   QStringLiteral("FILE"));
    QCommandLineOption verboseOption(QStringLiteral("verbose"), QStringLiteral("Log debug messages."));
    // For documentation: grab the main window into an image and exit.
    QCommandLineOption screenshotOption(QStringLiteral("screenshot"),
                                        QStringLiteral("Save a screenshot of the main window and exit."),
                                        QStringLiteral("FILE"));
    screenshotOption.setFlags(QCommandLineOption::HiddenFromHelp);
    QCommandLineOption sizeOption(QStringLiteral("screenshot-size"),
                                  QStringLiteral("Window size for --screenshot."), QStringLiteral("WxH"));
    sizeOption.setFlags(QCommandLineOption::HiddenFromHelp);
    QCommandLineOption archOption(
        QStringLiteral("architecture"),
        QStringLiteral("Architecture to show first: cheapest, most-expensive or a seed."),
        QStringLiteral("WHICH"));
    archOption.setFlags(QCommandLineOption::HiddenFromHelp);
    QCommandLineOption replayOption(QStringLiteral("replay"),
                                    QStringLiteral("Open stored run RUN for replay."), QStringLiteral("RUN"));
    QCommandLineOption dbOption(QStringLiteral("db"),
                                QStringLiteral("Run database (default: the one used last, else "
                                               "~/.local/share/automoe-studio/runs.sqlite)."),
                                QStringLiteral("FILE"));
    // For documentation and measurement: show the replay at event SEQ; train a short run through the Run
    // dock (bundled sample corpus) and exit when it ends (with --screenshot: grab the window then).
    QCommandLineOption seekOption(QStringLiteral("replay-seek"),
                                  QStringLiteral("Show the replay at event SEQ."), QStringLiteral("SEQ"));
    seekOption.setFlags(QCommandLineOption::HiddenFromHelp);
    QCommandLineOption demoOption(QStringLiteral("demo-run"),
                                  QStringLiteral("Train UPDATES updates through the Run dock, then exit."),
                                  QStringLiteral("UPDATES"));
    demoOption.setFlags(QCommandLineOption::HiddenFromHelp);
    // For documentation: route a sentence of the replayed run in the Routing dock.
    QCommandLineOption routeOption(QStringLiteral("route"),
                                   QStringLiteral("Route SENTENCE in the Routing dock."),
                                   QStringLiteral("SENTENCE"));
    routeOption.setFlags(QCommandLineOption::HiddenFromHelp);
    QCommandLineOption routeArchOption(QStringLiteral("route-arch"), QStringLiteral("Subnet for --route."),
                                       QStringLiteral("ARCH"));
    routeArchOption.setFlags(QCommandLineOption::HiddenFromHelp);
    QCommandLineOption routeValidOption(QStringLiteral("route-valid"),
                                        QStringLiteral("Validation sentences the --route aggregates cover."),
                                        QStringLiteral("N"));
    routeValidOption.setFlags(QCommandLineOption::HiddenFromHelp);
    // For documentation: with --screenshot, show the Pareto view's front candidate K selected (0 = the
    // middle one), and/or grab the File > Export… dialog instead of the window.
    QCommandLineOption selectOption(QStringLiteral("select-front"),
                                    QStringLiteral("Select the front's candidate K of the replayed search."),
                                    QStringLiteral("K"));
    selectOption.setFlags(QCommandLineOption::HiddenFromHelp);
    // With --screenshot, a MoE-vs-dense study replayed: select its row K (its architecture in the figure) and
    // plot that metric.
    QCommandLineOption studyRowOption(QStringLiteral("select-study-row"),
                                      QStringLiteral("Select row K of the replayed MoE-vs-dense study."),
                                      QStringLiteral("K"));
    studyRowOption.setFlags(QCommandLineOption::HiddenFromHelp);
    QCommandLineOption studyMetricOption(QStringLiteral("study-metric"),
                                         QStringLiteral("The MoE-vs-dense plot's y: bleu, chrf or nll."),
                                         QStringLiteral("METRIC"));
    studyMetricOption.setFlags(QCommandLineOption::HiddenFromHelp);
    QCommandLineOption exportShotOption(QStringLiteral("screenshot-export-dialog"),
                                        QStringLiteral("With --screenshot, grab the export dialog."));
    exportShotOption.setFlags(QCommandLineOption::HiddenFromHelp);
    QCommandLineOption dockOption(QStringLiteral("screenshot-dock"),
                                  QStringLiteral("With --screenshot, raise the dock NAME (its object name)."),
                                  QStringLiteral("NAME"));
    dockOption.setFlags(QCommandLineOption::HiddenFromHelp);
    QCommandLineOption filterOption(QStringLiteral("candidate-filter"),
                                    QStringLiteral("With --screenshot, filter the candidate table."),
                                    QStringLiteral("TEXT"));
    filterOption.setFlags(QCommandLineOption::HiddenFromHelp);
    QCommandLineOption compareOption(QStringLiteral("compare"),
                                     QStringLiteral("With --screenshot, compare with run RUN."),
                                     QStringLiteral("RUN"));
    compareOption.setFlags(QCommandLineOption::HiddenFromHelp);
    QCommandLineOption brushOption(QStringLiteral("parallel-brush"),
                                   QStringLiteral("With --screenshot, brush COLUMN=LO..HI in the parallel "
                                                  "coordinates."),
                                   QStringLiteral("BRUSH"));
    brushOption.setFlags(QCommandLineOption::HiddenFromHelp);
    QCommandLineOption compareTrainingOption(
        QStringLiteral("compare-training"),
        QStringLiteral("With --screenshot, overlay the training curves of runs RUN,RUN,..."),
        QStringLiteral("RUNS"));
    compareTrainingOption.setFlags(QCommandLineOption::HiddenFromHelp);
    parser.addOptions({dockOption, filterOption, compareOption, brushOption, compareTrainingOption});
    QCommandLineOption diffFrontOption(
        QStringLiteral("diff-front"),
        QStringLiteral("With --screenshot, select front candidate I and diff front candidate J with it."),
        QStringLiteral("I,J"));
    diffFrontOption.setFlags(QCommandLineOption::HiddenFromHelp);
    parser.addOption(diffFrontOption);
    QCommandLineOption diffComparedOption(
        QStringLiteral("diff-compared"),
        QStringLiteral("With --screenshot and --compare, select front candidate I of the shown search and "
                       "diff front candidate J of the compared search with it."),
        QStringLiteral("I,J"));
    diffComparedOption.setFlags(QCommandLineOption::HiddenFromHelp);
    parser.addOption(diffComparedOption);
    parser.addOptions({spaceOption, verboseOption, screenshotOption, sizeOption, archOption, replayOption,
                       dbOption, seekOption, demoOption, routeOption, routeArchOption, routeValidOption,
                       selectOption, exportShotOption, studyRowOption, studyMetricOption});
    parser.process(app);

    Options o;
    o.verbose = parser.isSet(verboseOption);
    if (parser.isSet(spaceOption))
        o.space = parser.value(spaceOption);
    else if (!parser.positionalArguments().isEmpty())
        o.space = parser.positionalArguments().constFirst();
    if (parser.positionalArguments().size() > 1) parser.showHelp(2);
    o.screenshot = parser.value(screenshotOption);
    if (parser.isSet(sizeOption)) {
        const QStringList wh = parser.value(sizeOption).split(QLatin1Char('x'));
        if (wh.size() == 2 && wh[0].toInt() > 0 && wh[1].toInt() > 0)
            o.screenshotSize = QSize(wh[0].toInt(), wh[1].toInt());
    }
    if (parser.isSet(archOption)) o.architecture = parser.value(archOption);
    if (parser.isSet(replayOption)) {
        bool ok = false;
        o.replay = parser.value(replayOption).toLongLong(&ok);
        if (!ok || o.replay <= 0) {
            std::fprintf(stderr, "--replay: expected a run id, got \"%s\"\n",
                         qPrintable(parser.value(replayOption)));
            std::exit(2);
        }
    }
    o.db = parser.value(dbOption);
    if (parser.isSet(seekOption)) o.replaySeek = parser.value(seekOption).toLongLong();
    if (parser.isSet(demoOption)) o.demoRunUpdates = parser.value(demoOption).toInt();
    o.route = parser.value(routeOption);
    o.routeArch = parser.value(routeArchOption);
    if (parser.isSet(routeValidOption)) o.routeValid = parser.value(routeValidOption).toInt();
    if (parser.isSet(selectOption)) o.selectFront = parser.value(selectOption).toInt();
    if (parser.isSet(studyRowOption)) o.selectStudyRow = parser.value(studyRowOption).toInt();
    o.studyMetric = parser.value(studyMetricOption);
    o.exportDialogShot = parser.isSet(exportShotOption);
    o.dock = parser.value(dockOption);
    o.filter = parser.value(filterOption);
    o.compare = parser.value(compareOption).toLongLong();
    o.brush = parser.value(brushOption);
    o.diffFront = parser.value(diffFrontOption);
    o.diffCompared = parser.value(diffComparedOption);
    for (const QString& id : parser.value(compareTrainingOption).split(QLatin1Char(','), Qt::SkipEmptyParts))
        o.compareTraining.append(id.toLongLong());
    return o;
}

} // namespace

int main(int argc, char* argv[]) {
    automoe::ui::ProfilingApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("AutoMoE"));
    QApplication::setApplicationName(QStringLiteral("AutoMoE Studio"));
    // "0.1.0 (git 73f302a1b2)": --version, Help > About and support questions name the exact build.
    QApplication::setApplicationVersion(QStringLiteral("%1 (git %2)")
                                            .arg(QString::fromStdString(automoe::programVersion()),
                                                 QString::fromStdString(automoe::gitRevision())));
    QApplication::setDesktopFileName(QStringLiteral("automoe-studio"));
    const Options options = parseOptions(app);
    const bool screenshot = !options.screenshot.isEmpty();
    automoe::setupLogging(options.verbose);
    // AUTOMOE_PROFILE_UI=1: the UI thread's slowest event deliveries (what StallMonitor's "UI max stall"
    // was), logged at exit. The demo run (--demo-run) profiles itself and prints the same.
    if (qEnvironmentVariableIsSet("AUTOMOE_PROFILE_UI") && options.demoRunUpdates <= 0) {
        app.setProfiling(true);
        QObject::connect(&app, &QCoreApplication::aboutToQuit, &app, [&app] {
            spdlog::info("slowest UI event deliveries (AUTOMOE_PROFILE_UI):\n{}", app.report().toStdString());
        });
    }

    using namespace automoe::ui;
    // A screenshot is reproducible: it ignores (and never writes) the user's settings.
    const QString screenshotSettings = QDir::temp().filePath(QStringLiteral("automoe-studio-screenshot.ini"));
    if (screenshot) QFile::remove(screenshotSettings);
    Settings settings = screenshot ? Settings(screenshotSettings) : Settings();

    SpaceDocument document;
    QString error;
    if (!options.space.isEmpty()) {
        if (!document.open(options.space, &error)) {
            spdlog::error("{}", error.toStdString());
            if (screenshot) return 1;
        }
    } else if (!screenshot && !settings.lastSpace().isEmpty()) {
        // A remembered space that has gone away is not worth an error dialog at start-up.
        if (!document.open(settings.lastSpace(), &error))
            spdlog::warn("could not reopen the last space: {}", error.toStdString());
    }
    if (!document.isLoaded()) {
        QString fallbackError;
        if (!document.open(QStringLiteral("tiny"), &fallbackError)) {
            spdlog::critical("{}", fallbackError.toStdString());
            QMessageBox::critical(nullptr, QStringLiteral("AutoMoE Studio"), fallbackError);
            return 1;
        }
    }
    settings.setLastSpace(document.source());

    MainWindow window(&document, &settings);
    bool isSeed = false;
    const quint64 seed = options.architecture.toULongLong(&isSeed);
    if (options.architecture == QLatin1String("cheapest"))
        window.showCheapest();
    else if (isSeed)
        window.showRandomSampleWithSeed(seed);

    if (!options.db.isEmpty()) window.openRunDatabase(QFileInfo(options.db).absoluteFilePath());
    if (options.replay > 0) window.replayRun(options.replay);
    if (options.replay > 0 && options.replaySeek >= 0) window.player()->seek(options.replaySeek);

    auto grabAndExit = [&window, &options] {
        if (!options.screenshot.isEmpty()) {
            const bool saved = window.grab().save(options.screenshot);
            if (!saved)
                std::fprintf(stderr, "%s: could not write the screenshot\n", qPrintable(options.screenshot));
            if (!saved) QApplication::exit(1);
        }
        window.close();
    };
    if (options.demoRunUpdates > 0) {
        RunControlPanel* panel = window.runControl();
        panel->setCorpus(QStringLiteral("sample"));
        panel->setBudget(0, options.demoRunUpdates);
        panel->setExtraArguments({QStringLiteral("--vocab-size"), QStringLiteral("2000"),
                                  QStringLiteral("--threads"), QStringLiteral("1"),
                                  QStringLiteral("--validate-every"), QStringLiteral("20")});
        // The figures cover the run, not the final screenshot (grabbing and encoding the window takes ~100
        // ms).
        struct {
            double max = 0, p99 = 0, ownMax = 0, ownP99 = 0, maxWait = 0;
            int ticks = 0, long_ = 0;
            QString report;
        } measured;
        QObject::connect(panel, &RunControlPanel::runEnded, &window, [grabAndExit, &window, &app, &measured] {
            QTimer::singleShot(1500, &window, [grabAndExit, &window, &app, &measured] {
                const StallMonitor* stall = window.stallMonitor();
                measured = {stall->maxStallMs(),         stall->percentileMs(0.99),
                            stall->maxOwnStallMs(),      stall->ownPercentileMs(0.99),
                            stall->maxStallRunQueueMs(), stall->tickCount(),
                            stall->longStalls(),         app.report()};
                app.setProfiling(false);
                grabAndExit(); // the feed's last poll, then the final frame
            });
        });
        if (const QByteArray nice = qgetenv("AUTOMOE_CHILD_NICE"); !nice.isEmpty())
            panel->process()->setChildNice(nice.toInt()); // for before/after measurements
        window.resize(options.screenshotSize);
        window.show();
        QTimer::singleShot(500, panel, [panel, &app] {
            app.setProfiling(true);
            if (!panel->startRun()) QApplication::exit(1);
        });
        const int rc = app.exec();
        std::fprintf(
            stderr,
            "UI max stall %.1f ms (%.1f ms of it waiting for a core), p99 %.1f ms over %d ticks (%d ticks "
            "over "
            "50 ms); net of run-queue waits: max %.1f ms, p99 %.1f ms; slowest event deliveries:\n%s",
            measured.max, measured.maxWait, measured.p99, measured.ticks, measured.long_, measured.ownMax,
            measured.ownP99, qPrintable(measured.report));
        return rc;
    }

    if (!options.route.isEmpty() && options.replay > 0) {
        auto* routing = window.findChild<RoutingView*>(QStringLiteral("routingView"));
        auto* dock = window.findChild<QDockWidget*>(QStringLiteral("routingDock"));
        if (!routing || !dock) return 1;
        window.resize(options.screenshotSize);
        window.show();
        dock->raise();
        QTimer::singleShot(100, &window, [&window, dock, &options] {
            window.resizeDocks({dock}, {options.screenshotSize.height() * 58 / 100}, Qt::Vertical);
        });
        routing->setRun(window.runDatabase(), options.replay);
        routing->setSentence(options.route);
        if (!options.routeArch.isEmpty()) routing->setArchitecture(options.routeArch);
        if (options.routeValid >= 0) routing->setValidationCount(options.routeValid);
        auto grab = [&window, &options] {
            QTimer::singleShot(1500, &window, [&window, &options] {
                const bool saved = options.screenshot.isEmpty() || window.grab().save(options.screenshot);
                if (!saved)
                    std::fprintf(stderr, "%s: could not write the screenshot\n",
                                 qPrintable(options.screenshot));
                QApplication::exit(saved ? 0 : 1);
            });
        };
        QObject::connect(routing, &RoutingView::routed, &window, grab);
        QObject::connect(routing, &RoutingView::failed, &window, [grab](const QString& message) {
            std::fprintf(stderr, "route failed: %s\n", qPrintable(message));
            grab();
        });
        QTimer::singleShot(300, routing, &RoutingView::route);
        const int rc = app.exec();
        QFile::remove(screenshotSettings);
        return rc;
    }

    if (screenshot) {
        window.resize(options.screenshotSize);
        window.show();
        // A replay is read on a worker thread: wait until it is all shown (at most 10 s).
        QElapsedTimer waited;
        waited.start();
        const qint64 target = options.replaySeek;
        while (options.replay > 0 && waited.elapsed() < 10000 &&
               (window.player()->lastSeq() == 0 ||
                window.player()->position() < (target >= 0 ? std::min(target, window.player()->lastSeq())
                                                           : window.player()->lastSeq())))
            QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
        if (options.selectFront >= 0) {
            const auto front = window.paretoView()->front();
            if (!front.empty()) {
                const auto& p = front[options.selectFront > 0
                                          ? std::min<std::size_t>(front.size() - 1, options.selectFront)
                                          : front.size() / 2];
                window.paretoView()->selectKey(p.key);
                emit window.paretoView()->candidateSelected(p.architectureId, p.key);
                window.runDocument()->select(p.key); // the table and the figure follow the selection
            }
        }
        if (auto* study = window.findChild<MoeStudyView*>(QStringLiteral("moeStudyView"))) {
            if (options.studyMetric == QLatin1String("chrf"))
                study->setMetric(MoeStudyView::Metric::Chrf);
            else if (options.studyMetric == QLatin1String("nll"))
                study->setMetric(MoeStudyView::Metric::ValidNll);
            if (options.selectStudyRow >= 0) {
                study->selectRow(options.selectStudyRow);
                window.runControl()->setMode(RunControlPanel::Mode::MoeStudy); // the tab that starts one
            }
        }
        if (const QStringList ij = options.diffFront.split(QLatin1Char(',')); ij.size() == 2) {
            const auto front = window.paretoView()->front();
            auto key = [&front](const QString& k) {
                return front[std::min<std::size_t>(front.size() - 1, std::size_t(std::max(0, k.toInt())))]
                    .key;
            };
            if (!front.empty()) {
                window.runDocument()->select(key(ij[0]));
                window.runDocument()->diffWithSelected(key(ij[1]));
            }
            // Two architectures side by side need the width: the side docks close, the bottom ones shrink.
            QTimer::singleShot(100, &window, [&window, &options] {
                for (const char* name : {"searchSpaceDock", "runsDock", "runDock"})
                    if (auto* dock = window.findChild<QDockWidget*>(QLatin1String(name))) dock->hide();
                if (auto* dock = window.findChild<QDockWidget*>(QStringLiteral("paretoDock")))
                    window.resizeDocks({dock}, {options.screenshotSize.height() * 24 / 100}, Qt::Vertical);
            });
        }
        if (!options.filter.isEmpty()) window.candidateTable()->setFilterText(options.filter);
        if (options.compare > 0) {
            window.compareWithRun(options.compare);
            // Read on a worker thread; then the importance of both searches, also on a worker thread.
            waited.restart();
            while (window.paretoView()->overlayNames().isEmpty() && waited.elapsed() < 10000)
                QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
            while (!window.importanceView()->comparison() && !window.runDocument()->candidates().empty() &&
                   waited.elapsed() < 15000)
                QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
            if (const QStringList ij = options.diffCompared.split(QLatin1Char(',')); ij.size() == 2) {
                RunDocument* doc = window.runDocument();
                const auto metric = window.paretoView()->costMetric();
                const auto a = doc->front(metric), b = doc->front(metric, options.compare);
                auto pick = [](const std::vector<const automoe::CandidateRow*>& front, const QString& i) {
                    return QString::fromStdString(
                        front[std::min<std::size_t>(front.size() - 1, std::size_t(std::max(0, i.toInt())))]
                            ->architecture.key);
                };
                if (!a.empty() && !b.empty()) {
                    doc->select(pick(a, ij[0]));
                    doc->diffWithSelected(options.compare, pick(b, ij[1]));
                }
                QTimer::singleShot(100, &window, [&window, &options] {
                    for (const char* name : {"searchSpaceDock", "runsDock", "runDock"})
                        if (auto* dock = window.findChild<QDockWidget*>(QLatin1String(name))) dock->hide();
                    if (auto* dock = window.findChild<QDockWidget*>(QStringLiteral("paretoDock")))
                        window.resizeDocks({dock}, {options.screenshotSize.height() * 24 / 100},
                                           Qt::Vertical);
                });
            }
        }
        if (!options.compareTraining.isEmpty()) {
            window.compareTrainingOf(options.compareTraining);
            // Each overlaid run is read on a worker thread of its own: wait until every one has arrived.
            auto pending = [&] {
                const auto runs = window.trainingComparison()->runIds();
                for (const qint64 id : runs) {
                    const RunDocument* doc = window.trainingComparison()->document(id);
                    if (!doc || doc->lastSeq() == 0 || doc->steps().empty()) return true;
                }
                return false;
            };
            waited.restart();
            while (pending() && waited.elapsed() < 10000)
                QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
        }
        if (auto* parallel =
                window.findChild<ParallelCoordinatesView*>(QStringLiteral("parallelCoordinatesView"));
            parallel && !options.brush.isEmpty()) {
            for (const QString& term : options.brush.split(QLatin1Char(' '), Qt::SkipEmptyParts)) {
                const QString column = term.section(QLatin1Char('='), 0, 0);
                const QStringList range = term.section(QLatin1Char('='), 1).split(QStringLiteral(".."));
                const int c = window.candidateTable()->model()->columnOf(column);
                const auto& axes = parallel->axisColumns();
                const auto at = std::find(axes.begin(), axes.end(), c);
                if (at != axes.end() && range.size() == 2)
                    parallel->setBrush(int(at - axes.begin()),
                                       QPair<double, double>(range[0].toDouble(), range[1].toDouble()));
            }
        }
        if (!options.dock.isEmpty()) {
            if (auto* dock = window.findChild<QDockWidget*>(options.dock)) {
                dock->raise();
                window.resizeDocks({dock}, {options.screenshotSize.height() * 55 / 100}, Qt::Vertical);
            } else {
                std::fprintf(stderr, "no dock named %s\n", qPrintable(options.dock));
            }
        }
        QWidget* shotTarget = &window;
        if (options.exportDialogShot) shotTarget = window.openExportDialog();
        QTimer::singleShot(600, &window, [shotTarget, &options] {
            const QPixmap shot = shotTarget->grab();
            const bool saved = shot.save(options.screenshot);
            if (!saved)
                std::fprintf(stderr, "%s: could not write the screenshot\n", qPrintable(options.screenshot));
            QApplication::exit(saved ? 0 : 1);
        });
        const int rc = app.exec();
        QFile::remove(screenshotSettings);
        return rc;
    }
    window.show();
    if (!error.isEmpty() && !options.space.isEmpty())
        QMessageBox::critical(&window, QStringLiteral("Could not open the search space"), error);
    return app.exec();
}
