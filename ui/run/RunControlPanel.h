// RunControlPanel is the "Run" dock: it starts a supernet training run of the space being edited (corpus,
// minutes or updates) as a child `automoe train` process, or an evolutionary search on a trained supernet run
// (budgets, evolution settings, seed, optionally only the editor's narrowed space) as a child `automoe
// search` process, pauses, resumes and cancels it, and tracks the run shown in the views: the seven AutoMoE
// stages it has reached, progress with an ETA (from its training steps or generations and its budget) and the
// child's log.
#pragma once

#include "store/RunRecords.h"
#include "ui/run/FeedBatch.h"

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

namespace automoe::ui {

class SpaceDocument;
class TrainingProcess;

class RunControlPanel : public QWidget {
    Q_OBJECT

public:
    // The seven stages of the AutoMoE pipeline, in order.
    enum class Stage { Supernet, LatencyData, LatencyPredictor, Search, Measure, Retrain, Test };
    enum class StageState { Pending, Active, Done };
    static constexpr int kStageCount = 7;

    // What a search started from the panel does (the `automoe search` options).
    struct SearchSettings {
        qint64 supernetRun = 0;
        QString flops, params, latency; // budgets ("150M", "5M", "40"); empty = none
        bool predicted = false;         // the latency budget is predicted latency
        int population = 20, parents = 5, mutations = 10, crossovers = 10, iterations = 6;
        quint64 seed = 1;
        int fitnessSentences = 200;
        bool narrowedSpace =
            false; // explore the editor's space (inside the supernet's) instead of the supernet's
    };
    enum class Mode { Train, Search };

    RunControlPanel(SpaceDocument* document, QWidget* parent = nullptr);
    ~RunControlPanel() override;

    void setDatabasePath(const QString& path) { dbPath_ = path; }
    TrainingProcess* process() const { return process_; }

    // "ding", "sample" or a corpus file.
    QString corpus() const;
    void setCorpus(const QString& corpus);
    // Exactly one of them is > 0.
    void setBudget(int minutes, int updates);
    // More `automoe train` options (vocabulary size, threads, ...), appended to the ones the panel sets.
    void setExtraArguments(const QStringList& args) { extraArgs_ = args; }
    // More `automoe search` options (threads, max tokens, ...).
    void setExtraSearchArguments(const QStringList& args) { extraSearchArgs_ = args; }

    Mode mode() const;
    void setMode(Mode mode);
    SearchSettings searchSettings() const;
    void setSearchSettings(const SearchSettings& settings);
    // The `automoe search` arguments for the current settings (after --control-stdin --db); empty and an
    // error naming the field when they are incomplete.
    QStringList searchArguments(QString* error);
    // Supernet runs offered to search on (id, "name (status)").
    QList<QPair<qint64, QString>> supernetChoices() const;

    StageState stageState(Stage stage) const { return states_[std::size_t(stage)]; }
    int progressPercent() const;
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
    // The runs of the database (the runs browser's list): the finished supernet runs become search choices.
    void setRuns(const std::vector<automoe::RunSummary>& runs);
    // Tracks the run shown in the views (live or replayed).
    void applyBatch(const automoe::ui::FeedBatch& batch);
    void resetTracking();

signals:
    void runStarted(qint64 runId);
    void runEnded(int exitCode);
    void failed(const QString& title, const QString& message);

private:
    void chooseCorpusFile();
    void setStage(Stage stage, StageState state);
    void handleStage(const std::string& name, const std::string& state);
    void updateButtons();
    void updateProgress();
    void appendLog(const QString& line);
    QString writeSpaceFile(QString* error);

    SpaceDocument* document_;
    TrainingProcess* process_;
    QString dbPath_;
    QStringList extraArgs_;
    QStringList extraSearchArgs_;
    QTemporaryDir tempDir_;
    bool paused_ = false;

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

    QComboBox* corpusBox_;
    QLabel* spaceLabel_;
    QComboBox* budgetUnit_;
    QSpinBox* budgetValue_;
    QPushButton* start_;
    QPushButton* pause_;
    QPushButton* resume_;
    QPushButton* cancel_;
    std::array<QLabel*, kStageCount> stageIcons_{};
    std::array<QLabel*, kStageCount> stageLabels_{};
    std::array<StageState, kStageCount> states_{};
    QProgressBar* progress_;
    QLabel* eta_;
    QLabel* status_;
    QPlainTextEdit* log_;

    // Progress of the tracked run, from its events.
    qint64 maxUpdates_ = 0;
    double maxMinutes_ = 0;
    qint64 trainingStartMs_ = 0;
    qint64 firstUpdate_ = -1; // the update before the first one this run logged (a resumed run starts later)
    qint64 lastUpdate_ = 0, lastEventMs_ = 0;
    int searchIterations_ = 0, lastGeneration_ = -1; // a search's progress
    bool finished_ = false;
};

} // namespace automoe::ui
