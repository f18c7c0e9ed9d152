#include "ui/shell/MainWindow.h"

#include "space/ArchitectureIO.h"
#include "space/DartsArchitecture.h"
#include "store/RunReader.h"
#include "store/RunStore.h"
#include "ui/darts/AlphaView.h"
#include "ui/figure/ArchitectureView.h"
#include "ui/figure/FigureExporter.h"
#include "ui/plots/CandidateTableModel.h"
#include "ui/plots/CandidateTableView.h"
#include "ui/plots/CostMetric.h"
#include "ui/plots/GeneImportanceView.h"
#include "ui/plots/HypervolumeView.h"
#include "ui/plots/MoeStudyModel.h"
#include "ui/plots/MoeStudyTableModel.h"
#include "ui/plots/MoeStudyView.h"
#include "ui/plots/ParallelCoordinatesView.h"
#include "ui/plots/ParetoView.h"
#include "ui/plots/PlotExporter.h"
#include "ui/plots/StudyModel.h"
#include "ui/plots/StudyView.h"
#include "ui/plots/TrainingView.h"
#include "ui/routing/RoutingView.h"
#include "ui/run/RunControlPanel.h"
#include "ui/run/RunDocument.h"
#include "ui/run/RunFeed.h"
#include "ui/run/RunListModel.h"
#include "ui/run/RunPlayer.h"
#include "ui/run/RunsBrowser.h"
#include "ui/run/TimelineBar.h"
#include "ui/run/TrainingComparison.h"
#include "ui/shell/AboutDialog.h"
#include "ui/shell/ExportDialog.h"
#include "ui/shell/GuideBrowser.h"
#include "ui/shell/RunKindDocks.h"
#include "ui/shell/Settings.h"
#include "ui/shell/StallMonitor.h"
#include "ui/space/SpaceDocument.h"
#include "ui/space/SpaceEditor.h"
#include "ui/space/SpaceSummaryWidget.h"
#include "util/Format.h"
#include "util/Resources.h"

#include <algorithm>

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QComboBox>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QPointer>
#include <QRandomGenerator>
#include <QScreen>
#include <QStatusBar>
#include <QToolBar>
#include <QToolButton>
#include <QUndoStack>
#include <exception>
#include <qcustomplot.h>
#include <random>
#include <spdlog/spdlog.h>
#include <variant>

// Q_INIT_RESOURCE must be called from the global namespace.
static void initAutoMoEResources() {
    Q_INIT_RESOURCE(automoe);
}

namespace automoe::ui {

namespace {

const QString kDot = QStringLiteral(" \u00B7 ");
constexpr int kStatusTimeoutMs = 8000;

QString si(double v) {
    return QString::fromStdString(formatSI(v));
}

} // namespace

MainWindow::MainWindow(SpaceDocument* document, Settings* settings, QWidget* parent, ErrorPresenter presenter)
    : QMainWindow(parent)
    , document_(document)
    , settings_(settings) {
    initAutoMoEResources();
    setObjectName("mainWindow");
    setWindowIcon(icon("automoe"));
    setDockOptions(AnimatedDocks | AllowTabbedDocks | AllowNestedDocks);
    presentError_ = [this](const QString& title, const QString& message) {
        QMessageBox box(QMessageBox::Critical, QStringLiteral("AutoMoE Studio"), title, QMessageBox::Ok,
                        this);
        box.setInformativeText(message);
        box.exec();
    };
    if (presenter) presentError_ = std::move(presenter);

    view_ = new ArchitectureView(this);
    view_->setObjectName("architectureView");
    setCentralWidget(view_);

    createActions();
    createMenus();
    createToolBar();
    createSpaceDock();
    createRunDocks();

    spaceStatus_ = new QLabel(this);
    spaceStatus_->setTextFormat(Qt::RichText);
    spaceStatus_->setContentsMargins(6, 0, 6, 0);
    statusBar()->addPermanentWidget(spaceStatus_);
    stallLabel_ = new QLabel(this);
    stallLabel_->setObjectName("stallLabel");
    stallLabel_->setContentsMargins(6, 0, 6, 0);
    stallLabel_->setToolTip(tr("The longest time the user interface was busy and could not respond "
                               "(measured every 10 ms)"));
    statusBar()->addPermanentWidget(stallLabel_);
    stall_ = new StallMonitor(this);
    connect(stall_, &StallMonitor::maxStallChanged, this,
            [this](double ms) { stallLabel_->setText(tr("UI max stall %1 ms").arg(qRound(ms))); });
    stallLabel_->setText(tr("UI max stall 0 ms"));
    stall_->start();

    connect(document_, &SpaceDocument::spaceChanged, this, &MainWindow::handleSpaceChanged);
    connect(document_, &SpaceDocument::modifiedChanged, this, &MainWindow::updateTitle);
    // A first start gets a generous window that still fits a small screen; later starts restore the last one.
    if (const QScreen* s = screen())
        resize(QSize(1440, 900).boundedTo(s->availableGeometry().size() * 0.92));
    else
        resize(1440, 900);
    restoreLayout();
    if (document_->isLoaded())
        handleSpaceChanged();
    else
        updateTitle();
}

MainWindow::~MainWindow() {
    spdlog::info("UI max stall {:.1f} ms ({} stalls over 50 ms)", stall_->maxStallMs(), stall_->longStalls());
}

void MainWindow::setErrorPresenter(ErrorPresenter presenter) {
    presentError_ = std::move(presenter);
}

QIcon MainWindow::icon(const QString& name) {
    return QIcon(QStringLiteral(":/icons/%1.svg").arg(name));
}

void MainWindow::createActions() {
    openAction_ = new QAction(icon("open"), tr("&Open Space…"), this);
    openAction_->setShortcut(QKeySequence::Open);
    openAction_->setStatusTip(tr("Open a search space from a JSON file"));
    connect(openAction_, &QAction::triggered, this, &MainWindow::chooseSpaceToOpen);

    saveAction_ = new QAction(icon("save"), tr("&Save Space"), this);
    saveAction_->setShortcut(QKeySequence::Save);
    saveAction_->setStatusTip(
        tr("Write the search space back to its file (a bundled space is saved as a new file)"));
    connect(saveAction_, &QAction::triggered, this, &MainWindow::saveSpace);

    saveAsAction_ = new QAction(icon("save"), tr("Save Space &As…"), this);
    saveAsAction_->setShortcut(QKeySequence::SaveAs);
    saveAsAction_->setStatusTip(tr("Write the current search space to a JSON file"));
    connect(saveAsAction_, &QAction::triggered, this, &MainWindow::chooseSpaceToSave);

    bundledGroup_ = new QActionGroup(this);
    // Optional: when a file is open, no bundled entry is checked.
    bundledGroup_->setExclusionPolicy(QActionGroup::ExclusionPolicy::ExclusiveOptional);
    for (const QString& name : SpaceDocument::bundledSpaceNames()) {
        auto* a = new QAction(name, bundledGroup_);
        a->setCheckable(true);
        a->setData(name);
        a->setStatusTip(tr("Open the bundled search space “%1”").arg(name));
        connect(a, &QAction::triggered, this, [this, name] {
            if (maybeKeepEdits())
                openSpace(name);
            else
                syncBundledActions();
        });
    }

    // Edits of the space are commands on the document's undo stack; these follow its state and text.
    undoAction_ = document_->undoStack()->createUndoAction(this, tr("&Undo"));
    undoAction_->setIcon(icon("undo"));
    undoAction_->setShortcut(QKeySequence::Undo);
    undoAction_->setStatusTip(tr("Undo the last change to the search space"));
    redoAction_ = document_->undoStack()->createRedoAction(this, tr("&Redo"));
    redoAction_->setIcon(icon("redo"));
    redoAction_->setShortcut(QKeySequence::Redo);
    redoAction_->setStatusTip(tr("Redo the change to the search space that was undone"));

    exportArchitectureAction_ = new QAction(icon("export-architecture"), tr("&Export Architecture…"), this);
    exportArchitectureAction_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    exportArchitectureAction_->setStatusTip(
        tr("Write the shown architecture as a HAT/AutoMoE yml or JSON file"));
    connect(exportArchitectureAction_, &QAction::triggered, this, &MainWindow::chooseArchitectureExport);

    exportViewAction_ = new QAction(icon("export-image"), tr("Export &Figure…"), this);
    exportViewAction_->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E));
    exportViewAction_->setStatusTip(tr("Save the architecture figure as PNG, SVG or PDF"));
    connect(exportViewAction_, &QAction::triggered, this, &MainWindow::chooseViewExport);

    exportDialogAction_ = new QAction(icon("export-image"), tr("E&xport…"), this);
    exportDialogAction_->setObjectName("exportDialogAction");
    exportDialogAction_->setStatusTip(
        tr("Export found architectures (yml, JSON, weights) and any plot (PNG, SVG, PDF)"));
    connect(exportDialogAction_, &QAction::triggered, this, [this] { openExportDialog(); });

    exportCandidatesAction_ = new QAction(tr("Export &Candidates CSV…"), this);
    exportCandidatesAction_->setObjectName("exportCandidatesAction");
    exportCandidatesAction_->setStatusTip(
        tr("Save every candidate of the search shown and of the compared ones (run, costs, front, genes) as "
           "CSV, as `automoe front --all --csv` writes it"));
    connect(exportCandidatesAction_, &QAction::triggered, this, &MainWindow::chooseCandidatesCsvExport);

    copyFigureAction_ = new QAction(icon("copy"), tr("&Copy Figure"), this);
    copyFigureAction_->setShortcut(QKeySequence::Copy);
    copyFigureAction_->setStatusTip(tr("Copy the architecture figure to the clipboard as an image"));
    connect(copyFigureAction_, &QAction::triggered, this, &MainWindow::copyFigure);

    diffFilesAction_ = new QAction(tr("&Diff Architecture Files…"), this);
    diffFilesAction_->setObjectName("diffFilesAction");
    diffFilesAction_->setStatusTip(
        tr("Draw two architecture files (yml or JSON) side by side with what differs highlighted; one file "
           "is diffed with the architecture shown"));
    connect(diffFilesAction_, &QAction::triggered, this, &MainWindow::chooseArchitectureDiff);

    openDatabaseAction_ = new QAction(icon("open"), tr("Open Run &Database…"), this);
    openDatabaseAction_->setStatusTip(tr("Choose the SQLite run database that the runs browser lists and new "
                                         "runs write to"));
    connect(openDatabaseAction_, &QAction::triggered, this, &MainWindow::chooseRunDatabase);

    compareAction_ = new QAction(tr("&Compare with Selected Run"), this);
    compareAction_->setStatusTip(tr("Overlay the Pareto front of the run selected in the runs browser"));
    connect(compareAction_, &QAction::triggered, this, [this] {
        if (const qint64 id = runsBrowser_->currentRunId()) compareWithRun(id);
    });
    clearCompareAction_ = new QAction(tr("C&lear Comparisons"), this);
    clearCompareAction_->setStatusTip(tr("Remove the Pareto fronts of other runs from the Pareto view"));
    connect(clearCompareAction_, &QAction::triggered, this, [this] {
        for (const QString& name : pareto_->overlayNames())
            pareto_->removeOverlay(name);
        for (const QString& name : hypervolume_->overlayNames())
            hypervolume_->removeOverlay(name);
        for (const QString& name : importance_->overlayNames())
            importance_->removeOverlay(name);
        candidates_->model()->clearComparedRuns();
        run_->clearComparedSearches();
    });
    compareTrainingAction_ = new QAction(tr("Compare &Training Curves of Selected Runs"), this);
    compareTrainingAction_->setObjectName("compareTrainingAction");
    compareTrainingAction_->setStatusTip(
        tr("Overlay the training and validation curves of the runs selected in the runs browser on the "
           "Training view"));
    connect(compareTrainingAction_, &QAction::triggered, this,
            [this] { compareTrainingOf(runsBrowser_->selectedRunIds()); });
    clearTrainingCompareAction_ = new QAction(tr("Clear Training C&omparison"), this);
    clearTrainingCompareAction_->setObjectName("clearTrainingCompareAction");
    clearTrainingCompareAction_->setStatusTip(tr("Remove the other runs' curves from the Training view"));
    connect(clearTrainingCompareAction_, &QAction::triggered, this, [this] { trainingComparison_->clear(); });

    quitAction_ = new QAction(tr("&Quit"), this);
    quitAction_->setShortcut(QKeySequence::Quit);
    quitAction_->setMenuRole(QAction::QuitRole);
    connect(quitAction_, &QAction::triggered, this, &QWidget::close);

    pickGroup_ = new QActionGroup(this);
    pickGroup_->setExclusive(true);
    cheapestAction_ = new QAction(icon("cheapest"), tr("&Cheapest"), pickGroup_);
    cheapestAction_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_1));
    cheapestAction_->setToolTip(tr("Show the cheapest architecture (every gene at its smallest choice)"));
    cheapestAction_->setStatusTip(cheapestAction_->toolTip());
    connect(cheapestAction_, &QAction::triggered, this, &MainWindow::showCheapest);

    mostExpensiveAction_ = new QAction(icon("most-expensive"), tr("&Most Expensive"), pickGroup_);
    mostExpensiveAction_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_2));
    mostExpensiveAction_->setToolTip(
        tr("Show the most expensive architecture (every gene at its largest choice)"));
    mostExpensiveAction_->setStatusTip(mostExpensiveAction_->toolTip());
    connect(mostExpensiveAction_, &QAction::triggered, this, &MainWindow::showMostExpensive);

    randomAction_ = new QAction(icon("random"), tr("&Random Sample"), pickGroup_);
    randomAction_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    randomAction_->setToolTip(tr("Draw an architecture uniformly from the space (again for another one)"));
    randomAction_->setStatusTip(randomAction_->toolTip());
    connect(randomAction_, &QAction::triggered, this, qOverload<>(&MainWindow::showRandomSample));
    for (QAction* a : {cheapestAction_, mostExpensiveAction_, randomAction_})
        a->setCheckable(true);

    guideAction_ = new QAction(tr("AutoMoE Studio &User Guide"), this);
    guideAction_->setShortcut(QKeySequence::HelpContents);
    guideAction_->setStatusTip(tr("The seven AutoMoE stages in the app and on the command line, your own "
                                  "corpus, reading the views, resume, compare and replay"));
    connect(guideAction_, &QAction::triggered, this, &MainWindow::showUserGuide);
    aboutAction_ = new QAction(tr("&About AutoMoE Studio"), this);
    aboutAction_->setMenuRole(QAction::AboutRole);
    connect(aboutAction_, &QAction::triggered, this, &MainWindow::showAbout);
}

void MainWindow::createMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(openAction_);
    bundledMenu_ = file->addMenu(icon("space"), tr("&Bundled Spaces"));
    bundledMenu_->addActions(bundledGroup_->actions());
    file->addAction(saveAction_);
    file->addAction(saveAsAction_);
    file->addSeparator();
    file->addAction(exportArchitectureAction_);
    file->addAction(exportViewAction_);
    file->addAction(exportDialogAction_);
    file->addAction(exportCandidatesAction_);
    file->addSeparator();
    file->addAction(diffFilesAction_);
    file->addSeparator();
    file->addAction(openDatabaseAction_);
    file->addSeparator();
    file->addAction(quitAction_);

    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    edit->addAction(undoAction_);
    edit->addAction(redoAction_);
    edit->addSeparator();
    edit->addAction(copyFigureAction_);

    QMenu* arch = menuBar()->addMenu(tr("&Architecture"));
    arch->addAction(cheapestAction_);
    arch->addAction(mostExpensiveAction_);
    arch->addAction(randomAction_);

    QMenu* run = menuBar()->addMenu(tr("&Run"));
    run->addAction(openDatabaseAction_);
    run->addSeparator();
    run->addAction(compareAction_);
    run->addAction(clearCompareAction_);
    run->addSeparator();
    run->addAction(compareTrainingAction_);
    run->addAction(clearTrainingCompareAction_);

    viewMenu_ = menuBar()->addMenu(tr("&View"));

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(guideAction_);
    help->addAction(aboutAction_);
}

void MainWindow::createToolBar() {
    QToolBar* bar = addToolBar(tr("Main"));
    bar->setObjectName("mainToolBar");
    bar->setMovable(false);
    bar->setIconSize(QSize(20, 20));
    bar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    bar->addAction(openAction_);

    auto* bundled = new QToolButton(bar);
    bundled->setIcon(icon("space"));
    bundled->setText(tr("Bundled"));
    bundled->setToolTip(tr("Open a search space shipped with AutoMoE Studio"));
    bundled->setMenu(bundledMenu_);
    bundled->setPopupMode(QToolButton::InstantPopup);
    bundled->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    bar->addWidget(bundled);
    bar->addAction(saveAsAction_);
    bar->addSeparator();
    bar->addAction(undoAction_);
    bar->addAction(redoAction_);
    bar->addSeparator();
    bar->addAction(cheapestAction_);
    bar->addAction(mostExpensiveAction_);
    bar->addAction(randomAction_);
    bar->addSeparator();
    bar->addAction(exportArchitectureAction_);
    bar->addAction(exportViewAction_);
    viewMenu_->addAction(bar->toggleViewAction());
    viewMenu_->addSeparator();
}

QDockWidget* MainWindow::addToolDock(const QString& title, const QString& objectName, QWidget* widget,
                                     Qt::DockWidgetArea area) {
    auto* dock = new QDockWidget(title, this);
    dock->setObjectName(objectName);
    dock->setWidget(widget);
    dock->setFeatures(QDockWidget::DockWidgetClosable | QDockWidget::DockWidgetMovable |
                      QDockWidget::DockWidgetFloatable);
    addDockWidget(area, dock);
    viewMenu_->addAction(dock->toggleViewAction());
    return dock;
}

void MainWindow::createSpaceDock() {
    // The space's summary on top, its bounds below it as an editor: what the user drags is next to what
    // it costs.
    editor_ = new SpaceEditor(document_, this);
    editor_->setObjectName("searchSpacePanel");
    summary_ = editor_->summaryWidget();
    spaceDock_ = addToolDock(tr("Search space"), "searchSpaceDock", editor_, Qt::LeftDockWidgetArea);
}

void MainWindow::createRunDocks() {
    run_ = new RunDocument(this);
    training_ = new TrainingView(this);
    training_->setObjectName("trainingView");
    training_->setDocument(run_);
    pareto_ = new ParetoView(this);
    pareto_->setObjectName("paretoView");
    pareto_->setDocument(run_);
    player_ = new RunPlayer(run_, this);

    runsBrowser_ = new RunsBrowser(this);
    runsBrowser_->setObjectName("runsBrowser");
    runsBrowser_->setDocument(run_);
    runsDock_ = addToolDock(tr("Runs"), "runsDock", runsBrowser_, Qt::LeftDockWidgetArea);
    tabifyDockWidget(spaceDock_, runsDock_);
    spaceDock_->raise();
    connect(runsBrowser_, &RunsBrowser::runActivated, this, &MainWindow::replayRun);
    connect(runsBrowser_, &RunsBrowser::compareRequested, this, &MainWindow::compareWithRun);
    // Other supernet runs' training curves over the shown run's, each followed as the shown run is.
    trainingComparison_ = new TrainingComparison(this);
    training_->setComparison(trainingComparison_);
    connect(runsBrowser_, &RunsBrowser::compareTrainingRequested, this, &MainWindow::compareTrainingOf);
    connect(trainingComparison_, &TrainingComparison::failed, this,
            [this](qint64 id, const QString& message) {
                reportError(tr("Could not read run %1 to compare its training with").arg(id), message);
            });
    connect(runsBrowser_->model(), &RunListModel::failed, this,
            [this](const QString& message) { statusBar()->showMessage(message, kStatusTimeoutMs); });

    runControl_ = new RunControlPanel(document_, this);
    runControl_->setSettings(settings_);
    runControl_->setDocument(run_);
    runDock_ = addToolDock(tr("Run"), "runDock", runControl_, Qt::RightDockWidgetArea);
    connect(runsBrowser_, &RunsBrowser::resumeRequested, runControl_, &RunControlPanel::resumeRun);
    connect(runControl_, &RunControlPanel::runStarted, this, [this](qint64 id) {
        followRun(id);
        runsBrowser_->model()->refresh();
    });
    connect(runControl_, &RunControlPanel::runEnded, runsBrowser_->model(), &RunListModel::refresh);
    // Trained supernet runs become the Run dock's search choices.
    connect(runsBrowser_->model(), &RunListModel::refreshed, runControl_,
            [this] { runControl_->setRuns(runsBrowser_->model()->runs()); });
    connect(runControl_, &RunControlPanel::failed, this, &MainWindow::reportError);
    // A run with candidates (a search) brings its Pareto front forward; a selected one is drawn.
    connect(run_, &RunDocument::candidatesAdded, this, [this](int first) {
        if (first == 0) paretoDock_->raise();
    });
    // The selection may be a compared search's candidate: the document finds it in that search.
    connect(run_, &RunDocument::selectionChanged, this, &MainWindow::showCandidate);
    // A candidate diffed with the selected one (Ctrl+click or the context menu of the Pareto view or table).
    connect(run_, &RunDocument::diffChanged, this, &MainWindow::showCandidateDiff);
    connect(player_, &RunPlayer::failed, this,
            [this](const QString& message) { reportError(tr("Could not read the run"), message); });

    trainingDock_ = addToolDock(tr("Training"), "trainingDock", training_, Qt::BottomDockWidgetArea);
    paretoDock_ = addToolDock(tr("Pareto front"), "paretoDock", pareto_, Qt::BottomDockWidgetArea);
    // Tabs: a training run fills the bottom with its curves; a search brings its Pareto front forward.
    tabifyDockWidget(trainingDock_, paretoDock_);
    // The search analysis beside the front: hypervolume per generation, the candidate table (its selection is
    // the document's, so it, the front and the figure select together) and gene importance.
    hypervolume_ = new HypervolumeView(this);
    hypervolume_->setObjectName("hypervolumeView");
    hypervolume_->setDocument(run_);
    QDockWidget* hypervolumeDock =
        addToolDock(tr("Hypervolume"), "hypervolumeDock", hypervolume_, Qt::BottomDockWidgetArea);
    tabifyDockWidget(paretoDock_, hypervolumeDock);
    candidates_ = new CandidateTableView(this);
    candidates_->setObjectName("candidateTableView");
    candidates_->setDocument(run_);
    candidates_->setCostMetric(pareto_->costMetric());
    connect(pareto_->metricBox(), qOverload<int>(&QComboBox::currentIndexChanged), candidates_,
            [this] { candidates_->setCostMetric(pareto_->costMetric()); });
    QDockWidget* candidatesDock =
        addToolDock(tr("Candidates"), "candidatesDock", candidates_, Qt::BottomDockWidgetArea);
    tabifyDockWidget(hypervolumeDock, candidatesDock);
    // A compared search's row selected in the table and a point of a compared front clicked in the Pareto
    // view select that search's candidate in the document (RunDocument::selectCandidate): the Pareto view
    // rings it on its overlay, the table selects its row and the figure draws it.
    importance_ = new GeneImportanceView(this);
    importance_->setObjectName("geneImportanceView");
    importance_->setDocument(run_);
    QDockWidget* importanceDock =
        addToolDock(tr("Gene importance"), "importanceDock", importance_, Qt::BottomDockWidgetArea);
    tabifyDockWidget(candidatesDock, importanceDock);
    // Parallel coordinates over the table's rows; its brushes are the table's filter.
    auto* parallel = new ParallelCoordinatesView(this);
    parallel->setObjectName("parallelCoordinatesView");
    parallel->setTable(candidates_);
    tabifyDockWidget(importanceDock, addToolDock(tr("Parallel coordinates"), "parallelDock", parallel,
                                                 Qt::BottomDockWidgetArea));
    // Routing (adaptive compute) of the run shown: `automoe route` on its supernet, in a child process.
    auto* routing = new RoutingView(this);
    routing->setObjectName("routingView");
    tabifyDockWidget(paretoDock_,
                     addToolDock(tr("Routing"), "routingDock", routing, Qt::BottomDockWidgetArea));
    connect(run_, &RunDocument::cleared, routing,
            [this, routing] { routing->setRun(run_->databasePath(), run_->runId()); });
    // A gap study run (kind "study"): its scatter and table, brought forward when its first events arrive.
    auto* study = new StudyView(this);
    study->setObjectName("studyView");
    study->setDocument(run_);
    QDockWidget* studyDock = addToolDock(tr("Gap study"), "studyDock", study, Qt::BottomDockWidgetArea);
    tabifyDockWidget(paretoDock_, studyDock);
    connect(run_, &RunDocument::studyChanged, studyDock, [studyDock](int first) {
        if (first == 0) studyDock->raise();
    });
    connect(study, &StudyView::architectureClicked, this, &MainWindow::showStudyArchitecture);
    // A MoE-vs-dense study run (kind "moe_study"): its table, plot and stages, brought forward with its first
    // events; a stage or row double-clicked opens that run as the runs browser does.
    auto* moeStudy = new MoeStudyView(this);
    moeStudy->setObjectName("moeStudyView");
    moeStudy->setDocument(run_);
    QDockWidget* moeStudyDock =
        addToolDock(tr("MoE vs dense"), "moeStudyDock", moeStudy, Qt::BottomDockWidgetArea);
    tabifyDockWidget(studyDock, moeStudyDock);
    connect(run_, &RunDocument::moeStudyChanged, moeStudyDock, [moeStudyDock](int first) {
        if (first == 0) moeStudyDock->raise();
    });
    connect(moeStudy, &MoeStudyView::architectureSelected, this, &MainWindow::showMoeStudyArchitecture);
    connect(moeStudy, &MoeStudyView::runActivated, this, &MainWindow::replayRun);
    // A DARTS search run (kind "darts"): its architecture weights, brought forward with its first events;
    // the update it shows is the architecture in the central figure.
    alpha_ = new AlphaView(this);
    alpha_->setObjectName("alphaView");
    alpha_->setDocument(run_);
    QDockWidget* alphaDock =
        addToolDock(tr("Architecture weights (DARTS)"), "alphaDock", alpha_, Qt::BottomDockWidgetArea);
    tabifyDockWidget(moeStudyDock, alphaDock);
    connect(run_, &RunDocument::dartsChanged, alphaDock, [alphaDock](int first) {
        if (first == 0) alphaDock->raise();
    });
    connect(alpha_, &AlphaView::shownStepChanged, this, &MainWindow::showDartsArchitecture);
    trainingDock_->raise();
    // Only the bottom tabs that fit the kind of the run shown (the View menu still lists the others).
    kindDocks_ = new RunKindDocks(run_, this);
    const QStringList trained{"supernet", "retrain", "darts", "darts_retrain"};
    for (const auto& [name, kinds] :
         std::vector<std::pair<const char*, QStringList>>{{"alphaDock", {"darts"}},
                                                          {"trainingDock", trained},
                                                          {"routingDock", {"supernet", "retrain"}},
                                                          {"paretoDock", {"search"}},
                                                          {"hypervolumeDock", {"search"}},
                                                          {"candidatesDock", {"search"}},
                                                          {"importanceDock", {"search"}},
                                                          {"parallelDock", {"search"}},
                                                          {"studyDock", {"study"}},
                                                          {"moeStudyDock", {"moe_study"}}})
        if (auto* dock = findChild<QDockWidget*>(QLatin1String(name))) kindDocks_->add(dock, kinds);

    timeline_ = new TimelineBar(player_, this);
    QToolBar* timelineBar = new QToolBar(tr("Timeline"), this);
    timelineBar->setObjectName("timelineToolBar");
    timelineBar->setMovable(false);
    timelineBar->addWidget(timeline_);
    addToolBar(Qt::BottomToolBarArea, timelineBar);
    viewMenu_->addAction(timelineBar->toggleViewAction());

    runLabel_ = new QLabel(this);
    runLabel_->setObjectName("runLabel");
    runLabel_->setContentsMargins(6, 0, 6, 0);
    statusBar()->addPermanentWidget(runLabel_);

    // The side docks take the full height; the run's curves sit under the architecture figure.
    setCorner(Qt::BottomLeftCorner, Qt::LeftDockWidgetArea);
    setCorner(Qt::BottomRightCorner, Qt::RightDockWidgetArea);
    resizeDocks({spaceDock_, runDock_}, {470, 300}, Qt::Horizontal);
    resizeDocks({trainingDock_}, {380}, Qt::Vertical);

    // A remembered database that is no longer a run database is reported, and the default one is used.
    if (!openRunDatabase(settings_->runDatabase()))
        openRunDatabase(QString::fromStdString(RunStore::defaultPath()));
}

bool MainWindow::openRunDatabase(const QString& path) {
    if (path == runDatabase_) return true;
    // Checked before it becomes the database: a file of something else is refused, not remembered. A
    // missing file is fine (the first run creates it). The check reads the header and the schema version.
    if (QFileInfo::exists(path)) {
        try {
            RunReader probe(path.toStdString());
        } catch (const std::exception& e) {
            reportError(tr("Could not open the run database"), QString::fromStdString(e.what()));
            return false;
        }
    }
    runDatabase_ = path;
    settings_->setRunDatabase(path);
    runsBrowser_->setDatabasePath(path);
    runControl_->setDatabasePath(path);
    return true;
}

void MainWindow::chooseRunDatabase() {
    const QString path = QFileDialog::getSaveFileName(this, tr("Open Run Database"), runDatabase_,
                                                      tr("Run databases (*.sqlite *.db);;All files (*)"),
                                                      nullptr, QFileDialog::DontConfirmOverwrite);
    if (path.isEmpty()) return;
    if (openRunDatabase(path))
        statusBar()->showMessage(tr("Run database: %1").arg(QDir::toNativeSeparators(path)),
                                 kStatusTimeoutMs);
}

void MainWindow::replayRun(qint64 runId) {
    player_->openReplay(runDatabase_, runId);
    // The whole run at once; the timeline then plays it again or goes back to any point.
    player_->seek(std::numeric_limits<qint64>::max());
    runLabel_->setText(tr("Replaying run %1").arg(runId));
    runsBrowser_->selectRun(runId);
    runsDock_->raise();
    trainingDock_->raise();
}

void MainWindow::followRun(qint64 runId) {
    player_->follow(runDatabase_, runId);
    // The stall figure that matters is the one while the run's events stream in.
    stall_->reset();
    runLabel_->setText(tr("Following run %1").arg(runId));
    runsBrowser_->selectRun(runId);
}

void MainWindow::compareWithRun(qint64 runId) {
    // The other run is read through a RunFeed of its own, off the UI thread, to its last event.
    delete compareFeed_;
    compareFeed_ = new RunFeed(this);
    auto rows = std::make_shared<std::vector<CandidateRow>>();
    RunFeed* feed = compareFeed_;
    auto finish = [this, feed, rows, runId] {
        if (compareFeed_ != feed) return;
        compareFeed_ = nullptr;
        feed->deleteLater();
        if (rows->empty()) {
            statusBar()->showMessage(tr("Run %1 has no search candidates to compare with").arg(runId),
                                     kStatusTimeoutMs);
            return;
        }
        showComparison(runId, *rows);
        statusBar()->showMessage(tr("Overlaid the Pareto front of run %1").arg(runId), kStatusTimeoutMs);
    };
    connect(feed, &RunFeed::batchReady, this, [feed, rows, finish](const FeedBatch& b) {
        for (const Event& e : b.events)
            if (const auto* c = std::get_if<CandidateRow>(&e.row)) rows->push_back(*c);
        if (feed->position() >= feed->lastSeq()) finish();
    });
    connect(feed, &RunFeed::lastSeqChanged, this, [finish](qint64 last) {
        if (last == 0) finish();
    });
    connect(feed, &RunFeed::failed, this, [this, feed](const QString& message) {
        if (compareFeed_ == feed) compareFeed_ = nullptr;
        feed->deleteLater();
        reportError(tr("Could not read the run to compare with"), message);
    });
    feed->open(runDatabase_, runId);
}

void MainWindow::showComparison(qint64 runId, const std::vector<CandidateRow>& rows) {
    const QString name = tr("run %1").arg(runId);
    pareto_->setOverlay(name, rows);
    hypervolume_->setOverlay(name, rows);
    importance_->setOverlay(name, rows);
    candidates_->model()->setComparedRun(runId, name, rows);
    run_->setComparedSearch(runId, name, rows);
}

void MainWindow::compareTrainingOf(const QList<qint64>& runIds) {
    QStringList added, skipped;
    for (const qint64 id : runIds) {
        if (id <= 0 || id == run_->runId() || trainingComparison_->contains(id)) continue;
        // A run that logged no update and is not running (a search, a study) has no curve to overlay.
        const int row = runsBrowser_->model()->rowOfRun(id);
        if (row >= 0) {
            const RunSummary& run = runsBrowser_->model()->runs()[std::size_t(row)];
            if (!run.latestUpdate && run.status != RunStatus::Running && run.status != RunStatus::Created) {
                skipped << QString::number(id);
                continue;
            }
        }
        trainingComparison_->add(runDatabase_, id);
        added << QString::number(id);
    }
    if (!added.isEmpty()) {
        trainingDock_->show(); // hidden while a search is shown
        trainingDock_->raise();
    }
    QString message;
    if (!added.isEmpty())
        message = tr("Overlaid the training curves of run(s) %1").arg(added.join(QStringLiteral(", ")));
    if (!skipped.isEmpty())
        message += (message.isEmpty() ? QString() : QStringLiteral("; ")) +
                   tr("run(s) %1 logged no training step").arg(skipped.join(QStringLiteral(", ")));
    if (!message.isEmpty()) statusBar()->showMessage(message, kStatusTimeoutMs);
}

namespace {

// The figure's subtitle of a search candidate.
QString candidateSubtitle(const CandidateRow& c) {
    return QCoreApplication::translate("MainWindow", "Generation %1 · validation loss %2 · %3")
        .arg(c.generation)
        .arg(c.fitness, 0, 'f', 4)
        .arg(formatCost(c.flops, CostMetric::Flops));
}

} // namespace

void MainWindow::showCandidate() {
    // The selected candidate of its own search: the shown one's or a compared one's.
    const CandidateRow* candidate = run_->selectedCandidate();
    if (!candidate) return;
    const qint64 runId = run_->selectedRun() ? run_->selectedRun() : run_->runId();
    try {
        const Architecture arch = architectureFromJson(candidate->architecture.json);
        const QString title =
            candidate->architecture.id > 0
                ? tr("Architecture #%1 of run %2").arg(candidate->architecture.id).arg(runId)
                : tr("An architecture of run %1").arg(runId);
        view_->setArchitecture(arch, title, candidateSubtitle(*candidate));
        updateTitle();
    } catch (const std::exception& e) {
        reportError(tr("Could not show the candidate"), QString::fromStdString(e.what()));
    }
}

void MainWindow::showCandidateDiff(const QString& key) {
    if (key.isEmpty()) {
        // The diff ended: the selected candidate alone (already drawn when a new selection ended it).
        if (view_->isDiff()) showCandidate();
        return;
    }
    // A and B each of its own search (the shown one or a compared one), as the document finds them.
    const CandidateRow* a = run_->selectedCandidate();
    const CandidateRow* b = run_->diffCandidate();
    if (!a || !b) return;
    const qint64 runA = run_->selectedRun() ? run_->selectedRun() : run_->runId();
    const qint64 runB = run_->diffRun() ? run_->diffRun() : run_->runId();
    try {
        auto side = [this, runA, runB](const char* letter, const CandidateRow& c, qint64 run) {
            ArchitectureFigure::DiffSide s;
            s.title = c.architecture.id > 0
                          ? tr("%1 · Architecture #%2").arg(QLatin1String(letter)).arg(c.architecture.id)
                          : tr("%1 · An architecture").arg(QLatin1String(letter));
            if (runA != runB) s.title += tr(" of run %1").arg(run);
            s.subtitle = candidateSubtitle(c);
            // Measured latency where there is one, else the predictor's.
            s.latencyMs = c.latencyMs ? c.latencyMs : c.predictedLatencyMs;
            return s;
        };
        const QString title = runA == runB
                                  ? tr("Architecture diff · run %1").arg(runA)
                                  : tr("Architecture diff · run %1 against run %2").arg(runA).arg(runB);
        view_->setDiff(architectureFromJson(a->architecture.json), architectureFromJson(b->architecture.json),
                       title, side("A", *a, runA), side("B", *b, runB));
        updateTitle();
    } catch (const std::exception& e) {
        reportError(tr("Could not diff the candidates"), QString::fromStdString(e.what()));
    }
}

bool MainWindow::diffArchitectureFiles(const QString& pathA, const QString& pathB) {
    const int qkv = document_->isLoaded() ? document_->space().qkvDim : 512;
    try {
        ArchitectureFigure::DiffSide sideA, sideB;
        Architecture a;
        if (pathA.isEmpty()) {
            if (!view_->hasArchitecture() || view_->isDarts() || view_->isDiff())
                throw std::runtime_error(tr("show one architecture to diff %1 with, or choose two files")
                                             .arg(pathB)
                                             .toStdString());
            a = view_->architecture();
            sideA.title = tr("A · %1").arg(view_->figure().title());
            sideA.subtitle = view_->figure().subtitle();
        } else {
            a = loadArchitecture(pathA.toStdString(), qkv);
            sideA.title = tr("A · %1").arg(QFileInfo(pathA).fileName());
            sideA.subtitle = QDir::toNativeSeparators(QFileInfo(pathA).absolutePath());
        }
        const Architecture b = loadArchitecture(pathB.toStdString(), qkv);
        sideB.title = tr("B · %1").arg(QFileInfo(pathB).fileName());
        sideB.subtitle = QDir::toNativeSeparators(QFileInfo(pathB).absolutePath());
        view_->setDiff(a, b, tr("Architecture diff"), sideA, sideB);
        updateTitle();
        return true;
    } catch (const std::exception& e) {
        reportError(tr("Could not diff the architectures"), QString::fromStdString(e.what()));
        return false;
    }
}

void MainWindow::chooseArchitectureDiff() {
    const QStringList paths = QFileDialog::getOpenFileNames(
        this, tr("Diff Architecture Files (choose two, or one to diff with the shown architecture)"),
        settings_->lastDirectory("architecture"), tr("Architectures (*.yml *.yaml *.json);;All files (*)"));
    if (paths.isEmpty()) return;
    settings_->setLastDirectory("architecture", QFileInfo(paths.front()).absolutePath());
    if (paths.size() == 1)
        diffArchitectureFiles(QString(), paths.front());
    else if (paths.size() == 2)
        diffArchitectureFiles(paths[0], paths[1]);
    else
        reportError(tr("Could not diff the architectures"),
                    tr("Choose two architecture files (or one, to diff with the shown architecture); %1 were "
                       "chosen.")
                        .arg(paths.size()));
}

void MainWindow::showStudyArchitecture(int index) {
    const StudyModel& study = run_->study();
    const auto arch = std::find_if(study.archs().begin(), study.archs().end(),
                                   [index](const StudyModel::Arch& a) { return a.index == index; });
    if (arch == study.archs().end() || !arch->arch.is_object() || arch->arch.empty()) return;
    try {
        QStringList losses;
        if (arch->standaloneNll) losses << tr("standalone NLL %1").arg(*arch->standaloneNll, 0, 'f', 4);
        for (const StudyModel::Run& r : study.runs())
            for (const StudyModel::Point& p : r.points)
                if (p.index == index)
                    losses
                        << tr("run %1 %2 inherited %3").arg(r.id).arg(r.kind).arg(p.inheritedNll, 0, 'f', 4);
        view_->setArchitecture(architectureFromJson(arch->arch),
                               tr("Architecture %1 of gap study run %2").arg(index + 1).arg(run_->runId()),
                               losses.join(QStringLiteral(" · ")));
        updateTitle();
    } catch (const std::exception& e) {
        reportError(tr("Could not show the architecture"), QString::fromStdString(e.what()));
    }
}

void MainWindow::showMoeStudyArchitecture(int index) {
    const MoeStudyModel& study = run_->moeStudy();
    if (index < 0 || index >= int(study.rows().size())) return;
    const MoeDenseStudyRow& r = study.rows()[std::size_t(index)];
    if (!r.arch.is_object() || r.arch.empty()) return;
    try {
        const QString title =
            r.budget ? tr("%1 at %2 of the baseline's FLOPs · study run %3")
                           .arg(MoeStudyModel::methodLabel(r.method), MoeStudyTableModel::budgetText(r))
                           .arg(run_->runId())
                     : tr("%1 · study run %2").arg(MoeStudyModel::methodLabel(r.method)).arg(run_->runId());
        const QString subtitle = tr("Trained by run %1 for %2 updates%3test BLEU %4%3chrF %5%3valid NLL %6%3"
                                    "latency %7 ms")
                                     .arg(r.run)
                                     .arg(r.updates)
                                     .arg(kDot)
                                     .arg(r.bleu, 0, 'f', 2)
                                     .arg(r.chrf, 0, 'f', 2)
                                     .arg(r.validNll, 0, 'f', 3)
                                     .arg(r.latencyMs, 0, 'f', 2);
        view_->setArchitecture(architectureFromJson(r.arch), title, subtitle);
        // The status bar said what the figure showed before (e.g. the most expensive architecture).
        const ArchitectureCost& c = view_->figure().cost();
        statusBar()->showMessage(tr("%1: %2 params (%3 active per token), %4")
                                     .arg(title, si(static_cast<double>(c.paramsHat)),
                                          si(static_cast<double>(c.paramsActive)),
                                          SpaceSummaryWidget::flopsText(c.flopsHat)),
                                 kStatusTimeoutMs);
        updateTitle();
    } catch (const std::exception& e) {
        reportError(tr("Could not show the architecture"), QString::fromStdString(e.what()));
    }
}

void MainWindow::showDartsArchitecture() {
    const DartsModel& darts = run_->darts();
    if (darts.isEmpty()) return;
    const int index = alpha_->shownIndex();
    const bool newest = index < 0 || index + 1 == int(darts.history().size());
    DartsArchitecture arch;
    QString title, subtitle;
    if (darts.derived() && newest) {
        const DartsModel::Derived& d = *darts.derived();
        arch = d.architecture;
        title = tr("DARTS architecture derived by run %1").arg(run_->runId());
        subtitle = tr("After %1 updates%2%3 parameters (retrained as an ordinary Transformer)")
                       .arg(d.update)
                       .arg(kDot, si(double(d.params)));
    } else if (const std::optional<DartsArchitecture> current = darts.architectureAt(index)) {
        arch = *current;
        arch.searchRun = run_->runId();
        const DartsModel::AlphaStep& step = darts.history()[std::size_t(index)];
        title = tr("DARTS run %1 at update %2").arg(run_->runId()).arg(step.update);
        subtitle =
            tr("The operation of largest weight on every edge (zero excluded)%1α loss %2%3%4")
                .arg(kDot)
                .arg(step.alphaLoss, 0, 'f', 4)
                .arg(kDot, darts.derived()
                               ? tr("the derived architecture is at update %1").arg(darts.derived()->update)
                               : tr("not derived yet"));
    } else {
        return;
    }
    if (view_->isDarts() && view_->dartsArchitecture() == arch && view_->figure().title() == title &&
        view_->figure().subtitle() == subtitle)
        return;
    view_->setDartsArchitecture(arch, title, subtitle);
    updateTitle();
}

void MainWindow::restoreLayout() {
    const QByteArray geometry = settings_->windowGeometry();
    if (!geometry.isEmpty()) restoreGeometry(geometry);
    const QByteArray state = settings_->windowState();
    if (!state.isEmpty()) restoreState(state);
}

void MainWindow::saveLayout() {
    settings_->setWindowGeometry(saveGeometry());
    settings_->setWindowState(saveState());
    settings_->sync();
}

void MainWindow::closeEvent(QCloseEvent* event) {
    if (!maybeKeepEdits()) {
        event->ignore();
        return;
    }
    saveLayout();
    event->accept();
}

bool MainWindow::maybeKeepEdits() {
    if (!document_->isLoaded() || !document_->isModified()) return true;
    const auto answer = QMessageBox::warning(
        this, tr("AutoMoE Studio"),
        tr("The search space “%1” has changes that are not saved.").arg(document_->name()),
        QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
    if (answer == QMessageBox::Cancel) return false;
    if (answer == QMessageBox::Discard) return true;
    saveSpace();
    return !document_->isModified();
}

void MainWindow::reportError(const QString& title, const QString& message) {
    statusBar()->showMessage(message, kStatusTimeoutMs);
    if (presentError_) presentError_(title, message);
}

bool MainWindow::openSpace(const QString& nameOrPath) {
    QString error;
    if (!document_->open(nameOrPath, &error)) {
        reportError(tr("Could not open the search space"), error);
        // The checked bundled entry must keep showing the space that is still open.
        syncBundledActions();
        return false;
    }
    settings_->setLastSpace(document_->source());
    statusBar()->showMessage(
        tr("Opened %1 (%2)")
            .arg(document_->name(), SpaceSummaryWidget::sizePlainText(document_->summary().log10Size)),
        kStatusTimeoutMs);
    return true;
}

bool MainWindow::saveSpaceAs(const QString& path) {
    QString error;
    if (!document_->saveAs(path, &error)) {
        reportError(tr("Could not save the search space"), error);
        return false;
    }
    settings_->setLastSpace(document_->source());
    statusBar()->showMessage(tr("Saved %1 to %2").arg(document_->name(), QDir::toNativeSeparators(path)),
                             kStatusTimeoutMs);
    updateTitle();
    return true;
}

bool MainWindow::exportArchitecture(const QString& path) {
    if (!view_->hasArchitecture()) return false;
    try {
        // A DARTS architecture has one file format, its JSON (`automoe train --darts-arch` reads it).
        if (view_->isDarts() && QFileInfo(path).suffix().compare(QLatin1String("json"), Qt::CaseInsensitive))
            throw std::runtime_error(path.toStdString() +
                                     ": a DARTS architecture is written as JSON (.json)");
        if (view_->isDarts())
            saveDartsArchitecture(view_->dartsArchitecture(), path.toStdString());
        else
            saveArchitecture(view_->architecture(), path.toStdString());
    } catch (const std::exception& e) {
        reportError(tr("Could not export the architecture"), QString::fromStdString(e.what()));
        return false;
    }
    statusBar()->showMessage(tr("Exported the architecture to %1").arg(QDir::toNativeSeparators(path)),
                             kStatusTimeoutMs);
    return true;
}

bool MainWindow::exportView(const QString& path) {
    QString error;
    if (!FigureExporter::exportFigure(view_->figure(), path, &error)) {
        reportError(tr("Could not export the figure"), error);
        return false;
    }
    statusBar()->showMessage(tr("Exported the figure to %1").arg(QDir::toNativeSeparators(path)),
                             kStatusTimeoutMs);
    return true;
}

bool MainWindow::exportCandidatesCsv(const QString& path) {
    if (candidates_->model()->rowCount() == 0) {
        reportError(tr("Could not export the candidates"), tr("The run shown has no search candidates."));
        return false;
    }
    QString error;
    if (!candidates_->exportCsv(path, false, &error)) {
        reportError(tr("Could not export the candidates"), error);
        return false;
    }
    statusBar()->showMessage(tr("Exported %n candidate(s) to %1", nullptr, candidates_->model()->rowCount())
                                 .arg(QDir::toNativeSeparators(path)),
                             kStatusTimeoutMs);
    return true;
}

void MainWindow::showArchitecture(const Architecture& arch, Pick pick, const QString& title) {
    pick_ = pick;
    QAction* action = pick == Pick::Cheapest        ? cheapestAction_
                      : pick == Pick::MostExpensive ? mostExpensiveAction_
                                                    : randomAction_;
    action->setChecked(true);
    const SpaceSummary& s = document_->summary();
    const QString subtitle =
        tr("Search space “%1”%2%3%4supernet d %5, %6 + %7 layers, up to %8 experts per layer")
            .arg(document_->name().toHtmlEscaped(), kDot, SpaceSummaryWidget::sizeRichText(s.log10Size), kDot)
            .arg(s.supernet.embedDim)
            .arg(s.supernet.encoderLayers)
            .arg(s.supernet.decoderLayers)
            .arg(std::max(s.supernet.encoderExperts, s.supernet.decoderExperts));
    view_->setArchitecture(arch, title, subtitle);
    const ArchitectureCost& c = view_->figure().cost();
    statusBar()->showMessage(tr("%1: %2 params (%3 active per token), %4")
                                 .arg(title, si(static_cast<double>(c.paramsHat)),
                                      si(static_cast<double>(c.paramsActive)),
                                      SpaceSummaryWidget::flopsText(c.flopsHat)),
                             kStatusTimeoutMs);
}

void MainWindow::showCheapest() {
    if (!document_->isLoaded()) return;
    showArchitecture(document_->summary().cheapest, Pick::Cheapest, tr("Cheapest architecture"));
}

void MainWindow::showMostExpensive() {
    if (!document_->isLoaded()) return;
    showArchitecture(document_->summary().mostExpensive, Pick::MostExpensive,
                     tr("Most expensive architecture"));
}

void MainWindow::showRandomSample() {
    // A fresh seed per draw, shown in the title so that the draw can be reproduced.
    showRandomSampleWithSeed(QRandomGenerator::global()->bounded(1u, 1000000000u));
}

void MainWindow::showRandomSampleWithSeed(quint64 seed) {
    if (!document_->isLoaded()) return;
    std::mt19937_64 rng(seed);
    showArchitecture(document_->space().sample(rng), Pick::RandomSample,
                     tr("Random sample (seed %1)").arg(seed));
}

void MainWindow::handleSpaceChanged() {
    if (document_->isLoaded()) {
        view_->setSupernet(document_->summary().supernet);
        syncBundledActions();
        spaceStatus_->setText(document_->name().toHtmlEscaped() + kDot +
                              SpaceSummaryWidget::sizeRichText(document_->summary().log10Size));
        // Keep showing the same kind of architecture, now from the new space.
        switch (pick_) {
        case Pick::Cheapest:
            showCheapest();
            break;
        case Pick::MostExpensive:
            showMostExpensive();
            break;
        case Pick::RandomSample:
            // An edit that keeps the shown sample inside the space keeps showing it (no redraw per drag
            // step).
            if (!view_->hasArchitecture() || !document_->space().contains(view_->architecture()))
                showRandomSample();
            break;
        }
    }
    for (QAction* a : {saveAction_, saveAsAction_, cheapestAction_, mostExpensiveAction_, randomAction_})
        a->setEnabled(document_->isLoaded());
    updateTitle();
}

void MainWindow::syncBundledActions() {
    for (QAction* a : bundledGroup_->actions())
        a->setChecked(a->data().toString() == document_->source());
}

void MainWindow::updateTitle() {
    const QString app = QStringLiteral("AutoMoE Studio");
    // "[*]" is where Qt shows the modified marker.
    setWindowTitle(document_->isLoaded() ? QStringLiteral("%1[*] \u2014 %2").arg(document_->name(), app)
                                         : app);
    setWindowModified(document_->isModified());
    setWindowFilePath(document_->filePath());
    const bool hasArch = view_->hasArchitecture();
    for (QAction* a : {exportArchitectureAction_, exportViewAction_, copyFigureAction_})
        a->setEnabled(hasArch);
    // A diff is two architectures: the figure exports, neither architecture alone.
    exportArchitectureAction_->setEnabled(hasArch && !view_->isDiff());
}

QString MainWindow::suggestedFileName(const QString& suffix) const {
    QString what = pick_ == Pick::Cheapest        ? QStringLiteral("cheapest")
                   : pick_ == Pick::MostExpensive ? QStringLiteral("most-expensive")
                                                  : QStringLiteral("sample");
    return QStringLiteral("%1-%2.%3").arg(document_->name(), what, suffix);
}

void MainWindow::chooseSpaceToOpen() {
    if (!maybeKeepEdits()) return;
    const QString path =
        QFileDialog::getOpenFileName(this, tr("Open Search Space"), settings_->lastDirectory("space"),
                                     tr("Search spaces (*.json);;All files (*)"));
    if (path.isEmpty()) return;
    settings_->setLastDirectory("space", QFileInfo(path).absolutePath());
    openSpace(path);
}

void MainWindow::saveSpace() {
    // A bundled space lives with the application; its edits go to a file of the user's.
    const bool bundled = SpaceDocument::bundledSpaceNames().contains(document_->source());
    if (bundled || document_->filePath().isEmpty()) {
        chooseSpaceToSave();
        return;
    }
    saveSpaceAs(document_->filePath());
}

void MainWindow::chooseSpaceToSave() {
    const QString start = QDir(settings_->lastDirectory("space")).filePath(document_->name() + ".json");
    QString path =
        QFileDialog::getSaveFileName(this, tr("Save Search Space As"), start, tr("Search spaces (*.json)"));
    if (path.isEmpty()) return;
    if (QFileInfo(path).suffix().isEmpty()) path += QStringLiteral(".json");
    settings_->setLastDirectory("space", QFileInfo(path).absolutePath());
    saveSpaceAs(path);
}

void MainWindow::chooseArchitectureExport() {
    const QString yml = tr("HAT/AutoMoE SubTransformer (*.yml *.yaml)");
    const QString json = view_->isDarts() ? tr("DARTS architecture JSON (*.json)") : tr("JSON (*.json)");
    QString filter = view_->isDarts() ? json : yml;
    const QString start =
        QDir(settings_->lastDirectory("architecture"))
            .filePath(view_->isDarts()
                          ? QStringLiteral("run%1-darts-arch.json").arg(view_->dartsArchitecture().searchRun)
                          : suggestedFileName("yml"));
    QString path = QFileDialog::getSaveFileName(this, tr("Export Architecture"), start,
                                                view_->isDarts() ? json : yml + ";;" + json, &filter);
    if (path.isEmpty()) return;
    if (QFileInfo(path).suffix().isEmpty())
        path += filter == json ? QStringLiteral(".json") : QStringLiteral(".yml");
    settings_->setLastDirectory("architecture", QFileInfo(path).absolutePath());
    exportArchitecture(path);
}

void MainWindow::chooseViewExport() {
    const QStringList filters = FigureExporter::fileDialogFilter().split(QStringLiteral(";;"));
    QString filter = filters.value(0);
    const QString start = QDir(settings_->lastDirectory("figure")).filePath(suggestedFileName("png"));
    QString path = QFileDialog::getSaveFileName(this, tr("Export Figure"), start,
                                                FigureExporter::fileDialogFilter(), &filter);
    if (path.isEmpty()) return;
    if (QFileInfo(path).suffix().isEmpty()) {
        const int i = filters.indexOf(filter);
        path += i == 1 ? QStringLiteral(".svg") : i == 2 ? QStringLiteral(".pdf") : QStringLiteral(".png");
    }
    settings_->setLastDirectory("figure", QFileInfo(path).absolutePath());
    exportView(path);
}

void MainWindow::chooseCandidatesCsvExport() {
    const QString start =
        QDir(settings_->lastDirectory("candidates"))
            .filePath(run_->isOpen() ? QStringLiteral("run-%1-candidates.csv").arg(run_->runId())
                                     : QStringLiteral("candidates.csv"));
    QString path = QFileDialog::getSaveFileName(this, tr("Export Candidates CSV"), start,
                                                tr("CSV files (*.csv);;All files (*)"));
    if (path.isEmpty()) return;
    if (QFileInfo(path).suffix().isEmpty()) path += QStringLiteral(".csv");
    settings_->setLastDirectory("candidates", QFileInfo(path).absolutePath());
    exportCandidatesCsv(path);
}

void MainWindow::copyFigure() {
    if (!view_->hasArchitecture()) return;
    QApplication::clipboard()->setImage(FigureExporter::renderImage(view_->figure()));
    statusBar()->showMessage(tr("Copied the figure to the clipboard"), kStatusTimeoutMs);
}

void MainWindow::showAbout() {
    auto* dialog = new AboutDialog(QString(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->show();
}

void MainWindow::showUserGuide() {
    if (!guide_) {
        guide_ = new GuideBrowser(this);
        guide_->open(QString::fromStdString(userGuidePath()));
    }
    guide_->show();
    guide_->raise();
}

ExportDialog* MainWindow::openExportDialog() {
    auto* dialog = new ExportDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    // The architectures of the run shown: the selected candidate first, then the Pareto front on the cost the
    // Pareto view plots.
    const CostMetric metric = pareto_->costMetric();
    std::vector<ExportDialog::Architecture> archs;
    auto label = [&](const CandidateRow& c, const QString& role) {
        const std::optional<double> cost = costOf(c, metric);
        return tr("%1fitness %2 · %3 · generation %4 · %5")
            .arg(c.architecture.id > 0 ? QStringLiteral("#%1 · ").arg(c.architecture.id) : QString())
            .arg(c.fitness, 0, 'f', 4)
            .arg(cost ? formatCost(*cost, metric) : tr("no %1").arg(costAxisLabel(metric).toLower()))
            .arg(c.generation)
            .arg(role);
    };
    // (A compared search's selected candidate is not this run's to export.)
    const QString selected = run_->selectedRun() == 0 ? run_->selectedKey() : QString();
    if (const CandidateRow* c = run_->candidate(selected))
        archs.push_back({c->architecture.id, selected, label(*c, tr("selected")), true});
    for (const CandidateRow* c : run_->front(metric))
        if (QString::fromStdString(c->architecture.key) != selected)
            archs.push_back({c->architecture.id, QString::fromStdString(c->architecture.key),
                             label(*c, tr("front")), archs.empty()});
    dialog->setRun(runDatabase_, archs.empty() ? 0 : run_->runId(), archs);
    dialog->setOutputDirectory(QFileInfo(runDatabase_).absolutePath());
    // A DARTS run: its derived architecture, else the argmax of its newest weights.
    const DartsModel& darts = run_->darts();
    if (darts.derived()) {
        DartsArchitecture arch = darts.derived()->architecture;
        if (arch.searchRun <= 0) arch.searchRun = run_->runId();
        dialog->setDartsArchitecture(arch, tr("Derived by run %1 after %2 updates: %3")
                                               .arg(run_->runId())
                                               .arg(darts.derived()->update)
                                               .arg(darts.derived()->key));
    } else if (auto current = darts.architectureAt(int(darts.history().size()) - 1)) {
        current->searchRun = run_->runId();
        dialog->setDartsArchitecture(
            *current, tr("Run %1 has not derived its architecture yet: the argmax of its weights "
                         "after update %2: %3")
                          .arg(run_->runId())
                          .arg(current->searchStep)
                          .arg(QString::fromStdString(current->key())));
    }
    // Plots: the Pareto and training views, every other dock that holds a QCustomPlot, the figure.
    dialog->addPlot(tr("Pareto front"),
                    [this](const QString& path, QString* error) { return pareto_->exportPlot(path, error); });
    dialog->addPlot(tr("Training curves"), [this](const QString& path, QString* error) {
        return training_->exportPlot(path, error);
    });
    for (QDockWidget* dock : findChildren<QDockWidget*>()) {
        if (!dock->widget() || dock == trainingDock_ || dock == paretoDock_) continue;
        QCustomPlot* plot = dock->widget()->findChild<QCustomPlot*>();
        if (!plot) continue;
        QPointer<QCustomPlot> guard(plot);
        dialog->addPlot(dock->windowTitle(), [guard](const QString& path, QString* error) {
            if (!guard) {
                if (error) *error = QObject::tr("The plot was closed.");
                return false;
            }
            return PlotExporter::exportPlot(*guard, path, error);
        });
    }
    dialog->addPlot(tr("Architecture figure"), [this](const QString& path, QString* error) {
        return FigureExporter::exportFigure(view_->figure(), path, error);
    });
    dialog->show();
    return dialog;
}

} // namespace automoe::ui
