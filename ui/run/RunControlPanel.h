// RunControlPanel is the "Run" dock: it starts a supernet training run of the space being edited (corpus,
// minutes or updates, kind of supernet and subnet sampling) as a child `automoe train` process, or an
// evolutionary search on a trained supernet run (budgets, evolution settings, seed, optionally only the
// editor's narrowed space) as a child `automoe search` process, or a DARTS search (DartsOptionsForm) as a
// child `automoe darts` process, or a MoE-vs-dense study (MoeStudyOptionsForm) as a child `automoe study
// moe-vs-dense` process, pauses, resumes and cancels it, and tracks
// the run shown in the views: the seven AutoMoE stages it has reached, progress with an ETA (from its
// training steps or generations and its budget) and the child's log.
#pragma once

#include "run/RunProgress.h"
#include "run/RunStages.h"
#include "store/RunRecords.h"
#include "ui/run/SupernetOptionsForm.h"

#include <QTemporaryDir>
#include <QWidget>
#include <array>
#include <optional>

class QButtonGroup;
class QCheckBox;
class QComboBox;
class QLineEdit;
class QTabWidget;
class QLabel;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTimer;

namespace automoe::ui {

class CliProcess;
class DartsOptionsForm;
class MoeStudyOptionsForm;
class ProcessesBox;
class RunDocument;
class Settings;
class SpaceDocument;

class RunControlPanel : public QWidget {
    Q_OBJECT

public:
    // What a search started from the panel does (the `automoe search` options).
    struct SearchSettings {
        qint64 supernetRun = 0;
        QString flops, params, latency; // budgets ("150M", "5M", "40"); empty = none
        bool predicted = false;         // the latency budget is predicted latency
        int population = 20, parents = 5, mutations = 10, crossovers = 10, iterations = 6;
        quint64 seed = 1;
        int fitnessSentences = 200;
        bool narrowedSpace =
            false;         // explore the editor's space (inside the supernet's) instead of the supernet's
        int processes = 1; // local ranks (automoe launch --nproc N -- search)
    };
    enum class Mode { Train, Search, Darts, MoeStudy };

    RunControlPanel(SpaceDocument* document, QWidget* parent = nullptr);
    ~RunControlPanel() override;

    void setDatabasePath(const QString& path) { dbPath_ = path; }
    CliProcess* process() const { return process_; }
    // The run shown; its stages, progress and log are what the panel shows. Not owned.
    void setDocument(RunDocument* document);
    // Where the panel remembers its settings (restored now, saved at every start). Not owned.
    void setSettings(Settings* settings);

    // "ding", "sample" or a corpus file.
    QString corpus() const;
    void setCorpus(const QString& corpus);
    // Exactly one of them is > 0.
    void setBudget(int minutes, int updates);
    int budgetMinutes() const;
    int budgetUpdates() const;
    // The kind of supernet (shared, or a Mixture-of-Supernets with its weight sets) and the subnet sampling
    // of a training run.
    using SupernetOptions = SupernetOptionsForm::Options;
    SupernetOptions supernetOptions() const;
    void setSupernetOptions(const SupernetOptions& options);
    // The Train tab's local ranks: a training run (and a supernet run resumed from the dock) is started as
    // `automoe launch --nproc N -- train …` when N > 1 (ProcessesBox).
    int trainProcesses() const;
    void setTrainProcesses(int processes);
    // More `automoe train` options (vocabulary size, threads, ...), appended to the ones the panel sets.
    void setExtraArguments(const QStringList& args) { extraArgs_ = args; }
    // The `automoe train` arguments for the current settings (after --control-stdin --db), the extra ones
    // included; writes the editor's space to a temporary file. Empty and an error when they are incomplete.
    QStringList trainArguments(QString* error);
    // More `automoe search` options (threads, max tokens, ...).
    void setExtraSearchArguments(const QStringList& args) { extraSearchArgs_ = args; }

    Mode mode() const;
    void setMode(Mode mode);
    SearchSettings searchSettings() const;
    void setSearchSettings(const SearchSettings& settings);
    // The `automoe search` arguments for the current settings (after --control-stdin --db); empty and an
    // error naming the field when they are incomplete.
    QStringList searchArguments(QString* error);
    // The DARTS tab, and the `automoe darts` arguments for its settings (after --control-stdin --db), the
    // extra ones included; empty and an error naming the field when they are incomplete.
    DartsOptionsForm* dartsForm() const { return dartsOptions_; }
    QStringList dartsArguments(QString* error) const;
    // More `automoe darts` options (threads, seed, ...).
    void setExtraDartsArguments(const QStringList& args) { extraDartsArgs_ = args; }
    // The MoE vs dense tab, and the `automoe study moe-vs-dense` arguments for its settings (after
    // --control-stdin --db), the extra ones included; the space in the editor is written to a temporary file
    // when the tab uses it. Empty and an error naming the field when they are incomplete.
    MoeStudyOptionsForm* moeStudyForm() const { return moeStudyOptions_; }
    QStringList moeStudyArguments(QString* error);
    // More `automoe study moe-vs-dense` options (threads, search sizes, ...).
    void setExtraMoeStudyArguments(const QStringList& args) { extraMoeStudyArgs_ = args; }
    // The `automoe` command line of a child: `args` with --control-stdin --db DB after the (sub)command
    // ("train --control-stdin --db DB ...", "study moe-vs-dense --control-stdin --db DB ...").
    static QStringList childArguments(const QStringList& args, const QString& dbPath);
    // Supernet runs offered to search on (id, "name (status)").
    QList<QPair<qint64, QString>> supernetChoices() const;

    StageState stageState(PipelineStage stage) const;
    int progressPercent() const;
    // The progress bar's text ("update 3 / 4", "generation 2 / 5", "40%").
    QString progressText() const;
    QString etaText() const;
    QPlainTextEdit* log() const { return log_; }
    QPushButton* startButton() const { return start_; }
    QPushButton* pauseButton() const { return pause_; }
    QPushButton* resumeButton() const { return resume_; }
    QPushButton* cancelButton() const { return cancel_; }

public slots:
    // Starts a run; false (with the reason in the log and failed()) when it could not start.
    bool startRun();
    // Starts a search with searchSettings(); false (reason in the log and failed()) when it could not start.
    bool startSearch();
    // Starts a DARTS search with the DARTS tab's settings; false (reason in the log and failed()) when it
    // could not start.
    bool startDarts();
    // Starts a MoE-vs-dense study with the MoE vs dense tab's settings; false (reason in the log and
    // failed()) when it could not start.
    bool startMoeStudy();
    // Continues run `runId` of the database (cancelled, or interrupted: its process gone) from its last
    // checkpoint or stored state in a child process (given the --threads of the kind's extra arguments, if
    // any); false (reason in the log and failed()) when it cannot.
    bool resumeRun(qint64 runId, const QString& kind);
    // The runs of the database (the runs browser's list): the finished supernet runs become search choices.
    void setRuns(const std::vector<automoe::RunSummary>& runs);

signals:
    void runStarted(qint64 runId);
    void runEnded(int exitCode);
    void failed(const QString& title, const QString& message);

private:
    void showStage(PipelineStage stage, StageState state);
    void updateButtons();
    void updateProgress();
    void updateStatus();
    void appendLog(const QString& line);
    void documentCleared();
    // Starts `automoe ARGS` with the control options, on `processes` local ranks (ProcessesBox).
    bool startChild(const QStringList& args, const QString& what, int processes = 1);
    // The shown run can be continued by a new child (it is cancelled or interrupted, of a resumable kind,
    // and no child is running).
    bool canResumeShownRun() const;
    // `automoe` arguments that resume the shown run (RunStages), empty when it cannot be resumed.
    QStringList resumeArguments() const;
    static QStringList resumeArguments(const QString& kind, qint64 runId);
    // The shown run is under way (its clock is the wall clock).
    bool isLive() const;
    // The run that did `stage` for the shown run, when the shown run builds on it rather than doing it.
    std::optional<qint64> doneBy(PipelineStage stage) const;
    void saveSettings() const;
    void restoreSettings();
    QString writeSpaceFile(QString* error);

    SpaceDocument* document_;
    RunDocument* run_ = nullptr;
    Settings* settings_ = nullptr;
    CliProcess* process_;
    QString dbPath_;
    QStringList extraArgs_;
    QStringList extraSearchArgs_;
    QStringList extraDartsArgs_;
    QStringList extraMoeStudyArgs_;
    QTemporaryDir tempDir_;
    bool paused_ = false;
    bool cancelling_ = false;
    qint64 childRun_ = 0; // the run of the child process (0 before it said)

    void buildSearchTab(QWidget* tab);

    QTabWidget* modeTabs_ = nullptr;
    QComboBox* supernetBox_ = nullptr;
    QLineEdit* flopsBudget_ = nullptr;
    QLineEdit* paramsBudget_ = nullptr;
    QLineEdit* latencyBudget_ = nullptr;
    QCheckBox* predicted_ = nullptr;
    QSpinBox* population_ = nullptr;
    QSpinBox* parents_ = nullptr;
    QSpinBox* mutations_ = nullptr;
    QSpinBox* crossovers_ = nullptr;
    QSpinBox* iterations_ = nullptr;
    QSpinBox* seed_ = nullptr;
    QSpinBox* fitnessSentences_ = nullptr;
    QCheckBox* narrowed_ = nullptr;
    ProcessesBox* searchProcesses_ = nullptr;
    ProcessesBox* trainProcesses_ = nullptr;

    QComboBox* corpusBox_;
    QLabel* spaceLabel_;
    QComboBox* budgetUnit_;
    QSpinBox* budgetValue_;
    SupernetOptionsForm* supernetOptions_ = nullptr;
    DartsOptionsForm* dartsOptions_ = nullptr;
    MoeStudyOptionsForm* moeStudyOptions_ = nullptr;
    QPushButton* start_;
    QPushButton* pause_;
    QPushButton* resume_;
    QPushButton* cancel_;
    std::array<QLabel*, kPipelineStageCount> stageIcons_{};
    std::array<QLabel*, kPipelineStageCount> stageLabels_{};
    QProgressBar* progress_;
    QLabel* eta_;
    QLabel* status_;
    QPlainTextEdit* log_;
    QTimer* clock_; // redraws the progress of a live run every second
};

} // namespace automoe::ui
