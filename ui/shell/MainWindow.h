// MainWindow is the workbench's frame: the architecture figure in the centre, tool views in docks ("Search
// space": its summary and bounds editor; "Runs": the run database; "Run": start and control a training run;
// "Training" and "Pareto front": the run shown, live or replayed, with a timeline below), and the actions
// that open, edit (undo/redo), save spaces, pick architectures and export them. Errors go through an
// injectable presenter so tests need no dialogs.
#pragma once

#include "space/Architecture.h"
#include "store/RunRecords.h"

#include <QHash>
#include <QMainWindow>
#include <functional>

class QAction;
class QActionGroup;
class QDockWidget;
class QLabel;
class QMenu;

namespace automoe::ui {

class AlphaView;
class ArchitectureView;
class CandidateTableView;
class GeneImportanceView;
class HypervolumeView;
class ExportDialog;
class GuideBrowser;
class Settings;
class SpaceDocument;
class SpaceEditor;
class SpaceSummaryWidget;
class ParetoView;
class RunControlPanel;
class RunDocument;
class RunFeed;
class RunPlayer;
class RunKindDocks;
class RunsBrowser;
class StallMonitor;
class TimelineBar;
class TrainingComparison;
class TrainingView;

class MainWindow : public QMainWindow {
    Q_OBJECT

public:
    // Shows `title` and `message` (which names the file and field) to the user; a QMessageBox by default.
    using ErrorPresenter = std::function<void(const QString& title, const QString& message)>;
    // Which architecture of the space the view shows.
    enum class Pick { Cheapest, MostExpensive, RandomSample };

    // Neither `document` nor `settings` is owned; both must outlive the window. `presenter` replaces the
    // message box from the start (errors found while the window is built, e.g. a remembered run database
    // that is no longer one, go to it too).
    MainWindow(SpaceDocument* document, Settings* settings, QWidget* parent = nullptr,
               ErrorPresenter presenter = {});
    ~MainWindow() override;

    void setErrorPresenter(ErrorPresenter presenter);

    ArchitectureView* architectureView() const { return view_; }
    SpaceEditor* spaceEditor() const { return editor_; }
    SpaceSummaryWidget* summaryWidget() const { return summary_; }
    QDockWidget* spaceDock() const { return spaceDock_; }
    Pick pick() const { return pick_; }
    TrainingView* trainingView() const { return training_; }
    ParetoView* paretoView() const { return pareto_; }
    // The search analysis docks: hypervolume per generation, every candidate in a table, gene importance.
    HypervolumeView* hypervolumeView() const { return hypervolume_; }
    CandidateTableView* candidateTable() const { return candidates_; }
    GeneImportanceView* importanceView() const { return importance_; }
    RunsBrowser* runsBrowser() const { return runsBrowser_; }
    // The architecture weights of a DARTS search run (heat map and timeline).
    AlphaView* alphaView() const { return alpha_; }
    RunControlPanel* runControl() const { return runControl_; }
    RunPlayer* player() const { return player_; }
    // The model of the run shown (live or replayed) that every run view observes.
    RunDocument* runDocument() const { return run_; }
    TimelineBar* timeline() const { return timeline_; }
    StallMonitor* stallMonitor() const { return stall_; }
    QString runDatabase() const { return runDatabase_; }
    // The supernet runs whose training curves the Training view overlays on the shown run's.
    TrainingComparison* trainingComparison() const { return trainingComparison_; }
    // Shows the bottom docks that fit the shown run's kind and hides the others.
    RunKindDocks* runKindDocks() const { return kindDocks_; }

    // Adds a tool view as a dock and lists it in the View menu; later views (runs, Pareto, routing) use this.
    QDockWidget* addToolDock(const QString& title, const QString& objectName, QWidget* widget,
                             Qt::DockWidgetArea area);

public slots:
    // Each returns false (after reporting the error) when it fails; the state is then unchanged.
    bool openSpace(const QString& nameOrPath);
    bool saveSpaceAs(const QString& path);
    // Saves to the open file; a bundled or new space asks for a file name.
    void saveSpace();
    bool exportArchitecture(const QString& path);
    bool exportView(const QString& path);
    // File > Export Candidates CSV…: every candidate of the search shown and of the compared searches, each
    // with its run (CandidateCsv).
    bool exportCandidatesCsv(const QString& path);
    // File > Diff Architecture Files…: two architecture files (yml or JSON) side by side in the figure with
    // what differs highlighted; an empty `pathA` diffs the architecture shown with `pathB`. Returns false
    // after reporting an error that names the file.
    bool diffArchitectureFiles(const QString& pathA, const QString& pathB);
    // File > Export…: opens (non-modal) the export dialog on the run shown and the plots.
    ExportDialog* openExportDialog();

    // The run database the runs browser lists and new runs write to (remembered in Settings). A file that
    // is not a run database (not SQLite, damaged header, newer schema) is refused with a message naming it,
    // and the current database stays; returns whether it was opened. A path that does not exist yet is
    // accepted: the first run creates it.
    bool openRunDatabase(const QString& path);
    // Shows a stored run in the training and Pareto views: replayRun() plays it from its start (the timeline
    // then at its end: the whole run), followRun() follows a run that is being written.
    void replayRun(qint64 runId);
    void followRun(qint64 runId);
    // Overlays the Pareto front of another run of the database on the Pareto view.
    void compareWithRun(qint64 runId);
    // Shows search `runId`'s candidates beside the shown search's (what compareWithRun does once it read
    // them): its front in the Pareto view, its hypervolume, its gene importance side by side and its rows in
    // the candidate table, all named "run N".
    void showComparison(qint64 runId, const std::vector<CandidateRow>& rows);
    // Overlays the training curves of these runs of the database on the Training view (the shown run and
    // runs already overlaid are skipped; runs that logged no training step are reported and skipped).
    void compareTrainingOf(const QList<qint64>& runIds);

    void showCheapest();
    void showMostExpensive();
    void showRandomSample();
    void showRandomSampleWithSeed(quint64 seed);

    // Restores geometry and dock layout from Settings (called by the constructor).
    void restoreLayout();
    void saveLayout();

protected:
    void closeEvent(QCloseEvent* event) override;

private slots:
    void chooseSpaceToOpen();
    void chooseSpaceToSave();
    void chooseArchitectureExport();
    void chooseViewExport();
    void chooseCandidatesCsvExport();
    void copyFigure();
    void showAbout();
    // Help > User Guide (F1): docs/guide.md in a browser window.
    void showUserGuide();
    void handleSpaceChanged();
    void chooseRunDatabase();
    // Draws the document's selected candidate (of the shown search or a compared one).
    void showCandidate();
    // The selected candidate (A) and `key` (B) side by side; empty: the diff ended.
    void showCandidateDiff(const QString& key);
    void chooseArchitectureDiff();
    // Architecture `index` of the gap study shown (a point of its scatter was clicked).
    void showStudyArchitecture(int index);
    // Row `index` of the MoE-vs-dense study shown (a table row or a point of its plot was selected).
    void showMoeStudyArchitecture(int index);
    // A DARTS run's architecture in the central figure: the derived one at the newest update, else the
    // argmax of the weights at the update the alpha view shows.
    void showDartsArchitecture();

private:
    void createActions();
    void createMenus();
    void createToolBar();
    void createSpaceDock();
    void createRunDocks();
    void showArchitecture(const Architecture& arch, Pick pick, const QString& title);
    void updateTitle();
    void syncBundledActions();
    void reportError(const QString& title, const QString& message);
    // Asks whether to save unsaved edits of the space before they are dropped; false means "cancel".
    bool maybeKeepEdits();
    QString suggestedFileName(const QString& suffix) const;
    static QIcon icon(const QString& name);

    SpaceDocument* document_;
    Settings* settings_;
    ErrorPresenter presentError_;
    Pick pick_ = Pick::MostExpensive;

    ArchitectureView* view_ = nullptr;
    SpaceEditor* editor_ = nullptr;
    SpaceSummaryWidget* summary_ = nullptr;
    QDockWidget* spaceDock_ = nullptr;
    QLabel* spaceStatus_ = nullptr;
    QMenu* viewMenu_ = nullptr;
    QMenu* bundledMenu_ = nullptr;

    QString runDatabase_;
    TrainingView* training_ = nullptr;
    ParetoView* pareto_ = nullptr;
    HypervolumeView* hypervolume_ = nullptr;
    CandidateTableView* candidates_ = nullptr;
    GeneImportanceView* importance_ = nullptr;
    RunsBrowser* runsBrowser_ = nullptr;
    RunControlPanel* runControl_ = nullptr;
    RunPlayer* player_ = nullptr;
    TimelineBar* timeline_ = nullptr;
    StallMonitor* stall_ = nullptr;
    QLabel* stallLabel_ = nullptr;
    QLabel* runLabel_ = nullptr;
    QDockWidget* runsDock_ = nullptr;
    QDockWidget* runDock_ = nullptr;
    QDockWidget* trainingDock_ = nullptr;
    QDockWidget* paretoDock_ = nullptr;
    AlphaView* alpha_ = nullptr;
    RunDocument* run_ = nullptr;
    RunFeed* compareFeed_ = nullptr;
    QAction* openDatabaseAction_ = nullptr;
    QAction* compareAction_ = nullptr;
    QAction* clearCompareAction_ = nullptr;
    TrainingComparison* trainingComparison_ = nullptr;
    RunKindDocks* kindDocks_ = nullptr;
    QAction* compareTrainingAction_ = nullptr;
    QAction* clearTrainingCompareAction_ = nullptr;

    QAction* openAction_ = nullptr;
    QAction* saveAction_ = nullptr;
    QAction* saveAsAction_ = nullptr;
    QAction* undoAction_ = nullptr;
    QAction* redoAction_ = nullptr;
    QAction* exportArchitectureAction_ = nullptr;
    QAction* exportViewAction_ = nullptr;
    QAction* copyFigureAction_ = nullptr;
    QAction* diffFilesAction_ = nullptr;
    QAction* exportDialogAction_ = nullptr;
    QAction* exportCandidatesAction_ = nullptr;
    QAction* quitAction_ = nullptr;
    QAction* cheapestAction_ = nullptr;
    QAction* mostExpensiveAction_ = nullptr;
    QAction* randomAction_ = nullptr;
    QAction* aboutAction_ = nullptr;
    QAction* guideAction_ = nullptr;
    GuideBrowser* guide_ = nullptr;
    QActionGroup* pickGroup_ = nullptr;
    QActionGroup* bundledGroup_ = nullptr;
};

} // namespace automoe::ui
