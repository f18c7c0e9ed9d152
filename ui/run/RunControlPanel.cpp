#include "ui/run/RunControlPanel.h"

#include "ui/run/CorpusChoice.h"

#include "run/RunProgress.h"
#include "space/SpaceIO.h"
#include "ui/run/CliProcess.h"
#include "ui/run/DartsOptionsForm.h"
#include "ui/run/MoeStudyOptionsForm.h"
#include "ui/run/ProcessesBox.h"
#include "ui/run/RunDocument.h"
#include "ui/shell/Settings.h"
#include "ui/space/SpaceDocument.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QStyle>
#include <QTabBar>
#include <QTabWidget>
#include <QTimer>
#include <QVBoxLayout>
#include <exception>
#include <limits>

namespace automoe::ui {

namespace {

QString clockText(double seconds) {
    if (!(seconds >= 0) || seconds > 1e7) return QStringLiteral("--:--");
    const qint64 s = qint64(seconds + 0.5);
    if (s >= 3600)
        return QStringLiteral("%1:%2:%3")
            .arg(s / 3600)
            .arg((s / 60) % 60, 2, 10, QLatin1Char('0'))
            .arg(s % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
}

} // namespace

RunControlPanel::RunControlPanel(SpaceDocument* document, QWidget* parent)
    : QWidget(parent)
    , document_(document)
    , process_(new CliProcess(this))
    , corpusBox_(new QComboBox(this))
    , spaceLabel_(new QLabel(this))
    , budgetUnit_(new QComboBox(this))
    , budgetValue_(new QSpinBox(this))
    , start_(new QPushButton(style()->standardIcon(QStyle::SP_MediaPlay), tr("Start"), this))
    , pause_(new QPushButton(style()->standardIcon(QStyle::SP_MediaPause), tr("Pause"), this))
    , resume_(new QPushButton(style()->standardIcon(QStyle::SP_MediaSeekForward), tr("Resume"), this))
    , cancel_(new QPushButton(style()->standardIcon(QStyle::SP_MediaStop), tr("Cancel"), this))
    , progress_(new QProgressBar(this))
    , eta_(new QLabel(this))
    , status_(new QLabel(this))
    , log_(new QPlainTextEdit(this))
    , clock_(new QTimer(this)) {
    clock_->setInterval(1000);
    connect(clock_, &QTimer::timeout, this, &RunControlPanel::updateProgress);
    setObjectName("runControlPanel");

    corpusBox_->setObjectName("corpusBox");
    setUpCorpusBox(corpusBox_,
                   tr("Parallel corpus: Debian's trans-de-en (else the bundled sample), the bundled "
                      "sample, or a TSV / fairseq-style file of your own"));

    spaceLabel_->setObjectName("runSpaceLabel");
    spaceLabel_->setToolTip(tr("The run trains a supernet of the space in the editor, edits included"));
    auto showSpace = [this] {
        spaceLabel_->setText(document_->isLoaded()
                                 ? document_->name() + (document_->isModified() ? tr(" (edited)") : QString())
                                 : tr("none"));
    };
    connect(document_, &SpaceDocument::spaceChanged, this, showSpace);
    connect(document_, &SpaceDocument::modifiedChanged, this, showSpace);
    showSpace();

    budgetUnit_->setObjectName("budgetUnit");
    budgetUnit_->addItem(tr("minutes"), QStringLiteral("--minutes"));
    budgetUnit_->addItem(tr("updates"), QStringLiteral("--updates"));
    budgetValue_->setObjectName("budgetValue");
    budgetValue_->setRange(1, 10000000);
    budgetValue_->setValue(20);
    connect(budgetUnit_, qOverload<int>(&QComboBox::currentIndexChanged), this,
            [this](int i) { budgetValue_->setValue(i == 0 ? 20 : 2000); });
    auto* budget = new QHBoxLayout;
    budget->setContentsMargins(0, 0, 0, 0);
    budget->addWidget(budgetValue_, 1);
    budget->addWidget(budgetUnit_);

    modeTabs_ = new QTabWidget(this);
    modeTabs_->setObjectName("runModeTabs");
    modeTabs_->setDocumentMode(true);
    auto* trainTab = new QWidget(modeTabs_);
    auto* form = new QFormLayout(trainTab);
    form->setContentsMargins(4, 6, 4, 2);
    form->addRow(tr("Corpus"), corpusBox_);
    form->addRow(tr("Space"), spaceLabel_);
    form->addRow(tr("Budget"), budget);
    trainProcesses_ = new ProcessesBox(trainTab);
    trainProcesses_->setObjectName("trainProcesses");
    form->addRow(tr("Processes"), trainProcesses_);
    supernetOptions_ = new SupernetOptionsForm(trainTab, form);
    modeTabs_->addTab(trainTab, tr("Train supernet"));
    auto* searchTab = new QWidget(modeTabs_);
    buildSearchTab(searchTab);
    modeTabs_->addTab(searchTab, tr("Search"));
    dartsOptions_ = new DartsOptionsForm(modeTabs_);
    modeTabs_->addTab(dartsOptions_, tr("DARTS"));
    moeStudyOptions_ = new MoeStudyOptionsForm(modeTabs_);
    modeTabs_->addTab(moeStudyOptions_, tr("MoE vs dense"));
    modeTabs_->setTabToolTip(3,
                             tr("AutoMoE's comparison: a dense baseline, the best of a dense search and the "
                                "best of a MoE search at FLOPs budgets below the baseline's"));
    // The tabs take the height of the page shown, not of the tallest page.
    auto fitPage = [this](int current) {
        for (int p = 0; p < modeTabs_->count(); ++p)
            modeTabs_->widget(p)->setSizePolicy(QSizePolicy::Preferred,
                                                p == current ? QSizePolicy::Preferred : QSizePolicy::Ignored);
        modeTabs_->updateGeometry();
    };
    fitPage(0);
    modeTabs_->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Maximum);
    connect(modeTabs_, &QTabWidget::currentChanged, this, fitPage);
    connect(modeTabs_, &QTabWidget::currentChanged, this, [this](int i) {
        start_->setToolTip(
            i == 0   ? tr("Train a supernet of this space as a new run (AutoMoE stage 1)")
            : i == 1 ? tr("Search the supernet run under the budgets as a new run (AutoMoE stage 4)")
            : i == 2
                ? tr("Differentiable architecture search with reversible networks (DARTSformer) as a "
                     "new run")
                : tr("The MoE vs dense study as a new run: a dense baseline, a dense and a MoE supernet, "
                     "and a search and retrain of each at every FLOPs budget (every stage a run)"));
    });

    for (QPushButton* b : {start_, pause_, resume_, cancel_})
        b->setObjectName(QStringLiteral("run") + b->text());
    start_->setToolTip(tr("Train a supernet of this space as a new run (AutoMoE stage 1)"));
    pause_->setToolTip(tr("Pause the run after its current update"));
    resume_->setToolTip(
        tr("Continue the paused run, or the cancelled or interrupted run shown, from its last "
           "checkpoint"));
    cancel_->setToolTip(
        tr("Stop the run after its current update; it writes a checkpoint and can be resumed"));
    connect(start_, &QPushButton::clicked, this, [this] {
        switch (mode()) {
        case Mode::Search:
            startSearch();
            break;
        case Mode::Darts:
            startDarts();
            break;
        case Mode::MoeStudy:
            startMoeStudy();
            break;
        default:
            startRun();
        }
    });
    connect(pause_, &QPushButton::clicked, this, [this] {
        process_->pause();
        paused_ = true;
        updateButtons();
        updateStatus();
    });
    connect(resume_, &QPushButton::clicked, this, [this] {
        if (process_->isRunning()) {
            process_->resume();
            paused_ = false;
            updateButtons();
            updateStatus();
        } else if (run_ && canResumeShownRun()) {
            resumeRun(run_->runId(), run_->kind());
        }
    });
    connect(cancel_, &QPushButton::clicked, this, [this] {
        // Said at once: the child stops after its current update (or candidate) and writes its checkpoint,
        // which takes a while.
        process_->cancel();
        cancelling_ = true;
        updateButtons();
        updateStatus();
    });
    auto* buttons = new QGridLayout;
    buttons->setContentsMargins(0, 0, 0, 0);
    buttons->addWidget(start_, 0, 0);
    buttons->addWidget(pause_, 0, 1);
    buttons->addWidget(resume_, 1, 0);
    buttons->addWidget(cancel_, 1, 1);

    auto* stages = new QGroupBox(tr("AutoMoE pipeline"), this);
    auto* stageGrid = new QGridLayout(stages);
    stageGrid->setContentsMargins(8, 6, 8, 6);
    stageGrid->setVerticalSpacing(2);
    for (int i = 0; i < kPipelineStageCount; ++i) {
        stageIcons_[std::size_t(i)] = new QLabel(stages);
        stageIcons_[std::size_t(i)]->setFixedWidth(18);
        stageLabels_[std::size_t(i)] = new QLabel(
            QStringLiteral("%1. %2").arg(i + 1).arg(QString::fromUtf8(pipelineStageTitle(PipelineStage(i)))),
            stages);
        stageGrid->addWidget(stageIcons_[std::size_t(i)], i, 0);
        stageGrid->addWidget(stageLabels_[std::size_t(i)], i, 1);
        showStage(PipelineStage(i), StageState::Pending);
    }
    stageGrid->setColumnStretch(1, 1);

    progress_->setObjectName("runProgress");
    progress_->setRange(0, 100);
    progress_->setValue(0);
    progress_->setTextVisible(true);
    eta_->setObjectName("runEta");
    eta_->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    eta_->setMinimumWidth(eta_->fontMetrics().horizontalAdvance(QStringLiteral("ETA 00:00:00")));
    auto* progressRow = new QHBoxLayout;
    progressRow->addWidget(progress_, 1);
    progressRow->addWidget(eta_);
    status_->setObjectName("runStatusLabel");
    status_->setWordWrap(true);

    log_->setObjectName("runLog");
    log_->setReadOnly(true);
    log_->setMaximumBlockCount(5000);
    log_->setLineWrapMode(QPlainTextEdit::NoWrap);
    log_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    log_->setPlaceholderText(tr("The training or search process's messages appear here."));

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 8);
    layout->setSpacing(8);
    layout->addWidget(modeTabs_);
    layout->addLayout(buttons);
    layout->addWidget(stages);
    layout->addLayout(progressRow);
    layout->addWidget(status_);
    layout->addWidget(log_, 1);

    connect(process_, &CliProcess::stderrLine, this, &RunControlPanel::appendLog);
    connect(process_, &CliProcess::stdoutLine, this, &RunControlPanel::appendLog);
    connect(process_, &CliProcess::runCreated, this, [this](qint64 runId) {
        childRun_ = runId;
        emit runStarted(runId);
    });
    connect(process_, &CliProcess::started, this, &RunControlPanel::updateButtons);
    connect(process_, &CliProcess::finished, this, [this](int code, bool crashed) {
        paused_ = false;
        cancelling_ = false;
        appendLog(crashed ? tr("automoe crashed") : tr("automoe exited with code %1").arg(code));
        if (crashed || code != 0)
            status_->setText(tr("The run stopped with an error: %1").arg(process_->errorMessage(code)));
        updateButtons();
        emit runEnded(crashed ? -1 : code);
    });
    updateButtons();
    updateProgress();
}

RunControlPanel::~RunControlPanel() {
    saveSettings();
}

QString RunControlPanel::corpus() const {
    return corpusBox_->currentData().toString();
}

void RunControlPanel::setCorpus(const QString& corpus) {
    selectCorpus(corpusBox_, corpus);
}

void RunControlPanel::setBudget(int minutes, int updates) {
    budgetUnit_->setCurrentIndex(updates > 0 ? 1 : 0);
    budgetValue_->setValue(updates > 0 ? updates : minutes);
}

int RunControlPanel::budgetMinutes() const {
    return budgetUnit_->currentIndex() == 0 ? budgetValue_->value() : 0;
}

int RunControlPanel::budgetUpdates() const {
    return budgetUnit_->currentIndex() == 1 ? budgetValue_->value() : 0;
}

QString RunControlPanel::writeSpaceFile(QString* error) {
    if (!document_->isLoaded()) {
        *error = tr("Open a search space first.");
        return {};
    }
    if (!tempDir_.isValid()) {
        *error =
            tr("Could not create a temporary folder for the search space: %1").arg(tempDir_.errorString());
        return {};
    }
    const QString path = tempDir_.filePath(QStringLiteral("space.json"));
    try {
        // Edits not yet saved make another space than the one of that name: say so in its name.
        SearchSpace space = document_->space();
        if (document_->isModified()) space.name += " (edited)";
        saveSpace(space, path.toStdString());
    } catch (const std::exception& e) {
        *error = QString::fromStdString(e.what());
        return {};
    }
    return path;
}

RunControlPanel::SupernetOptions RunControlPanel::supernetOptions() const {
    return supernetOptions_->options();
}

void RunControlPanel::setSupernetOptions(const SupernetOptions& options) {
    supernetOptions_->setOptions(options);
}

int RunControlPanel::trainProcesses() const {
    return trainProcesses_->value();
}

void RunControlPanel::setTrainProcesses(int processes) {
    trainProcesses_->setValue(processes);
}

QStringList RunControlPanel::trainArguments(QString* error) {
    const QString space = writeSpaceFile(error);
    if (space.isEmpty()) return {};
    if (corpus().isEmpty()) {
        *error = tr("Choose a corpus file first.");
        return {};
    }
    return QStringList{QStringLiteral("--space"),
                       space,
                       QStringLiteral("--corpus"),
                       corpus(),
                       budgetUnit_->currentData().toString(),
                       QString::number(budgetValue_->value()),
                       QStringLiteral("--name"),
                       document_->name()} +
           supernetOptions_->arguments() + extraArgs_;
}

bool RunControlPanel::startRun() {
    QString error;
    const QStringList args = trainArguments(&error);
    if (!error.isEmpty()) {
        appendLog(error);
        emit failed(tr("Could not start the run"), error);
        return false;
    }
    return startChild(QStringList{QStringLiteral("train")} + args, tr("the training"), trainProcesses());
}

QStringList RunControlPanel::childArguments(const QStringList& args, const QString& dbPath) {
    // The options belong to the command that runs: `study` only groups its subcommands.
    const int at = args.value(0) == QLatin1String("study") && args.size() > 1 ? 2 : 1;
    QStringList full = args;
    full.insert(at, QStringLiteral("--control-stdin"));
    full.insert(at + 1, QStringLiteral("--db"));
    full.insert(at + 2, dbPath);
    return full;
}

bool RunControlPanel::startChild(const QStringList& args, const QString& what, int processes) {
    QString error;
    if (dbPath_.isEmpty()) error = tr("No run database is open.");
    // Several ranks: `launch` starts them; rank 0 reads the control lines (they share its stdin).
    const QStringList full = ProcessesBox::launchArguments(childArguments(args, dbPath_), processes);
    if (error.isEmpty() && process_->start(full, &error)) {
        childRun_ = 0;
        paused_ = false;
        cancelling_ = false;
        log_->clear();
        appendLog(QStringLiteral("$ automoe %1").arg(full.join(QLatin1Char(' '))));
        status_->setText(tr("Starting %1…").arg(what));
        saveSettings();
        updateButtons();
        return true;
    }
    appendLog(error);
    emit failed(tr("Could not start %1").arg(what), error);
    return false;
}

bool RunControlPanel::canResumeShownRun() const {
    if (!run_ || run_->runId() <= 0 || process_->isRunning() || run_->databasePath() != dbPath_) return false;
    const RunStatus status = run_->status();
    return (status == RunStatus::Cancelled || status == RunStatus::Interrupted) &&
           !resumeArguments().isEmpty();
}

QStringList RunControlPanel::resumeArguments(const QString& kind, qint64 runId) {
    // "automoe train --resume 7": the arguments after the program.
    QStringList args = QString::fromStdString(resumeCommand(kind.toStdString(), runId))
                           .split(QLatin1Char(' '), Qt::SkipEmptyParts);
    if (!args.isEmpty()) args.removeFirst();
    return args;
}

QStringList RunControlPanel::resumeArguments() const {
    return run_ && run_->runId() > 0 ? resumeArguments(run_->kind(), run_->runId()) : QStringList();
}

bool RunControlPanel::resumeRun(qint64 runId, const QString& kind) {
    QStringList args = resumeArguments(kind, runId);
    // A run resumes with the settings it was created with; of the extra options its kind's runs are given,
    // the thread count is the one that is not a setting of the run but of this machine.
    const QStringList& extra = kind == QLatin1String("search") ? extraSearchArgs_
                               : kind == QLatin1String("darts") || kind == QLatin1String("darts_retrain")
                                   ? extraDartsArgs_
                               : kind == QLatin1String("moe_study") ? extraMoeStudyArgs_
                                                                    : extraArgs_;
    if (const int at = extra.indexOf(QStringLiteral("--threads"));
        !args.isEmpty() && at >= 0 && at + 1 < extra.size())
        args << extra.mid(at, 2);
    if (args.isEmpty()) {
        const QString error = tr("Runs of kind “%1” cannot be resumed.").arg(kind);
        appendLog(error);
        emit failed(tr("Could not resume run %1").arg(runId), error);
        return false;
    }
    // A supernet run resumes on the Train tab's ranks (any world size continues it, README "Multi-process
    // training"); a search resumes in one process.
    return startChild(args, tr("run %1").arg(runId),
                      kind == QLatin1String("supernet") ? trainProcesses() : 1);
}

void RunControlPanel::updateButtons() {
    const bool running = process_->isRunning();
    start_->setEnabled(!running);
    corpusBox_->setEnabled(!running);
    budgetUnit_->setEnabled(!running);
    budgetValue_->setEnabled(!running);
    trainProcesses_->setEnabled(!running);
    supernetOptions_->setEditable(!running);
    modeTabs_->tabBar()->setEnabled(!running);
    modeTabs_->widget(1)->setEnabled(!running);
    dartsOptions_->setEditable(!running);
    moeStudyOptions_->setEditable(!running);
    pause_->setEnabled(running && !paused_ && !cancelling_);
    resume_->setEnabled((running && paused_ && !cancelling_) || canResumeShownRun());
    cancel_->setEnabled(running && !cancelling_);
}

void RunControlPanel::appendLog(const QString& line) {
    log_->appendPlainText(line);
}

void RunControlPanel::showStage(PipelineStage stage, StageState state) {
    const std::size_t i = std::size_t(stage);
    // Pending, active, done, cancelled, failed.
    static const QString glyph[] = {QStringLiteral("\u25CB"), QStringLiteral("\u25D0"),
                                    QStringLiteral("\u25CF"), QStringLiteral("\u25A0"),
                                    QStringLiteral("\u2716")};
    static const QString color[] = {QStringLiteral("#9aa0a6"), QStringLiteral("#1a73e8"),
                                    QStringLiteral("#1b7f3b"), QStringLiteral("#b26b00"),
                                    QStringLiteral("#c01c28")};
    static const char* const what[] = {QT_TR_NOOP("not reached"), QT_TR_NOOP("running"), QT_TR_NOOP("done"),
                                       QT_TR_NOOP("cancelled"), QT_TR_NOOP("failed")};
    stageIcons_[i]->setText(
        QStringLiteral("<span style='color:%1'>%2</span>").arg(color[int(state)], glyph[int(state)]));
    const std::optional<qint64> by = doneBy(stage);
    stageIcons_[i]->setToolTip(by ? tr("done by run %1").arg(*by) : tr(what[int(state)]));
    QFont f = stageLabels_[i]->font();
    f.setBold(state == StageState::Active);
    stageLabels_[i]->setFont(f);
    stageLabels_[i]->setEnabled(state != StageState::Pending);
}

std::optional<qint64> RunControlPanel::doneBy(PipelineStage stage) const {
    if (!run_ || !run_->info() || run_->progress().inRun(stage)) return std::nullopt;
    // Stages this run builds on were done by the runs its config names: the supernet training of a search
    // or retrain, the search a `close` retrain took its architecture from, the latency predictor of a search
    // on predicted latency.
    const nlohmann::json& c = run_->info()->spec.config;
    auto run = [&c](const char* key) -> std::optional<qint64> {
        const auto it = c.find(key);
        if (it == c.end() || !it->is_number_integer() || it->get<qint64>() <= 0) return std::nullopt;
        return it->get<qint64>();
    };
    switch (stage) {
    case PipelineStage::Supernet:
        if (auto r = run("supernet_run")) return r;
        return run("parent_run");
    case PipelineStage::Search:
        return run("search_run");
    case PipelineStage::LatencyDataset:
    case PipelineStage::LatencyPredictor:
        if (c.value("predictor", std::string()).empty()) return std::nullopt;
        return run("supernet_run");
    default:
        return std::nullopt;
    }
}

StageState RunControlPanel::stageState(PipelineStage stage) const {
    if (!run_) return StageState::Pending;
    return doneBy(stage) ? StageState::Done : run_->progress().state(stage);
}

void RunControlPanel::setDocument(RunDocument* document) {
    if (run_) disconnect(run_, nullptr, this, nullptr);
    run_ = document;
    if (!run_) return;
    connect(run_, &RunDocument::cleared, this, &RunControlPanel::documentCleared);
    connect(run_, &RunDocument::progressChanged, this, &RunControlPanel::updateProgress);
    connect(run_, &RunDocument::infoChanged, this, [this] {
        updateProgress(); // the status decides the ETA and the clock (and updateStatus() follows)
        updateButtons();
    });
    connect(run_, &RunDocument::logAdded, this, [this](int first) {
        // The child's own output says more; the run's events are the log of a run started elsewhere.
        if (process_->isRunning() && run_->runId() == childRun_) return;
        for (int i = first; i < run_->log().size(); ++i)
            appendLog(run_->log().at(i));
    });
    documentCleared();
}

void RunControlPanel::documentCleared() {
    // Another run is shown: its own log, not the previous run's.
    if (!(process_->isRunning() && run_->runId() == childRun_)) {
        log_->clear();
        for (const QString& line : run_->log())
            appendLog(line);
    }
    updateProgress();
    updateButtons();
}

int RunControlPanel::progressPercent() const {
    return progress_->value();
}

QString RunControlPanel::etaText() const {
    return eta_->text();
}

bool RunControlPanel::isLive() const {
    if (!run_ || !run_->isLive()) return false;
    const RunStatus status = run_->status();
    return status == RunStatus::Running || status == RunStatus::Paused || status == RunStatus::Created;
}

QString RunControlPanel::progressText() const {
    return progress_->text();
}

void RunControlPanel::updateProgress() {
    const RunProgress empty;
    const RunProgress& p = run_ ? run_->progress() : empty;
    for (int i = 0; i < kPipelineStageCount; ++i)
        showStage(PipelineStage(i), stageState(PipelineStage(i)));
    // A live run's clock is the wall clock (the ETA counts down between events); a replayed or ended run's
    // is its last event.
    const qint64 now = isLive() ? QDateTime::currentMSecsSinceEpoch() : p.lastEventMs();
    const double fraction = p.fraction(now);
    progress_->setValue(fraction < 0 ? 0 : int(std::min(1.0, fraction) * 100 + 0.5));
    const QString unit = QString::fromUtf8(progressUnitName(p.unit()));
    if (p.done() > 0 && !unit.isEmpty())
        progress_->setFormat(p.total() > 0 ? tr("%1 %2 / %3").arg(unit).arg(p.done()).arg(p.total())
                                           : tr("%1 %2 · %p%").arg(unit).arg(p.done()));
    else
        progress_->setFormat(tr("%p%"));
    const std::optional<double> eta = p.etaSeconds(now);
    const RunStatus status = run_ ? run_->status() : RunStatus::Created;
    // A run that stopped short (cancelled, failed, interrupted) has no ETA: nothing is going to finish.
    eta_->setText(status == RunStatus::Finished ? tr("done")
                  : eta && isLive()             ? tr("ETA %1").arg(clockText(*eta))
                                                : QString());
    if (isLive() && !clock_->isActive())
        clock_->start();
    else if (!isLive())
        clock_->stop();
    updateStatus();
}

void RunControlPanel::updateStatus() {
    if (cancelling_ && process_->isRunning()) {
        status_->setText(tr("Cancelling: the run stops after its current step and writes a checkpoint…"));
        return;
    }
    if (paused_ && process_->isRunning()) {
        status_->setText(tr("Paused after the current step (Resume continues it)."));
        return;
    }
    if (!run_ || run_->runId() <= 0) {
        status_->clear();
        return;
    }
    const int world = run_->worldSize();
    const QString runText = world > 1 ? tr("Run %1 (%2 processes)").arg(run_->runId()).arg(world)
                                      : tr("Run %1").arg(run_->runId());
    switch (run_->status()) {
    case RunStatus::Interrupted:
        status_->setText(
            tr("%1 was interrupted: its process is gone. Everything up to its last commit is kept; "
               "Resume continues it from its last checkpoint.")
                .arg(runText));
        break;
    case RunStatus::Cancelled:
        status_->setText(
            !resumeArguments().isEmpty()
                ? tr("%1 was cancelled; Resume continues it from its last checkpoint.").arg(runText)
                : tr("%1 was cancelled.").arg(runText));
        break;
    case RunStatus::Failed:
        status_->setText(tr("%1 failed: see the log below.").arg(runText));
        break;
    case RunStatus::Finished:
        status_->setText(tr("%1 finished.").arg(runText));
        break;
    default: {
        const std::optional<PipelineStage> stage = run_->progress().activeStage();
        // A DARTS search is no stage of the AutoMoE pipeline: say what it is and where its weights show.
        const bool darts = run_->kind() == QLatin1String("darts") && !run_->darts().history().empty();
        // Nor is a MoE-vs-dense study: its stages are runs of their own, listed in its dock.
        const bool moeStudy = run_->kind() == QLatin1String("moe_study");
        status_->setText(
            stage   ? tr("%1: %2").arg(runText, QString::fromUtf8(pipelineStageTitle(*stage)))
            : darts ? tr("%1: DARTS search (its architecture weights: the Architecture weights dock)")
                          .arg(runText)
            : moeStudy ? tr("%1: MoE vs dense study (its stages, table and plot: the MoE vs dense dock)")
                             .arg(runText)
                       : runText);
    }
    }
}

void RunControlPanel::buildSearchTab(QWidget* tab) {
    supernetBox_ = new QComboBox(tab);
    supernetBox_->setObjectName("searchSupernetBox");
    supernetBox_->setToolTip(tr("The trained supernet run whose weights every candidate inherits"));
    supernetBox_->setPlaceholderText(tr("no trained supernet run"));
    auto budgetEdit = [tab](const char* name, const QString& placeholder, const QString& tip) {
        auto* e = new QLineEdit(tab);
        e->setObjectName(QString::fromLatin1(name));
        e->setPlaceholderText(placeholder);
        e->setToolTip(tip);
        e->setClearButtonEnabled(true);
        return e;
    };
    flopsBudget_ = budgetEdit("searchFlopsBudget", tr("none, e.g. 150M"), tr("Largest FLOPs (30/30 tokens)"));
    paramsBudget_ = budgetEdit("searchParamsBudget", tr("none, e.g. 5M"), tr("Most active parameters"));
    latencyBudget_ =
        budgetEdit("searchLatencyBudget", tr("none, in ms"), tr("Largest latency in milliseconds"));
    predicted_ = new QCheckBox(tr("predicted"), tab);
    predicted_->setObjectName("searchPredicted");
    predicted_->setToolTip(tr("Use the latency predictor of `automoe latency build` instead of measuring"));
    auto* latencyRow = new QHBoxLayout;
    latencyRow->setContentsMargins(0, 0, 0, 0);
    latencyRow->addWidget(latencyBudget_, 1);
    latencyRow->addWidget(predicted_);

    auto spin = [tab](const char* name, int lo, int hi, int value, const QString& tip) {
        auto* b = new QSpinBox(tab);
        b->setObjectName(QString::fromLatin1(name));
        b->setRange(lo, hi);
        b->setValue(value);
        b->setToolTip(tip);
        return b;
    };
    population_ = spin("searchPopulation", 1, 100000, 20, tr("P: random architectures of generation 0"));
    parents_ = spin("searchParents", 1, 100000, 5, tr("K: survivors of each generation"));
    mutations_ = spin("searchMutations", 0, 100000, 10, tr("M: mutated children per generation"));
    crossovers_ = spin("searchCrossovers", 0, 100000, 10, tr("C: crossed children per generation"));
    iterations_ = spin("searchIterations", 1, 10000, 6, tr("I: generations, generation 0 included"));
    seed_ = spin("searchSeed", 0, std::numeric_limits<int>::max(), 1, tr("Seed of the search"));
    fitnessSentences_ = spin("searchFitnessSentences", 0, 10000000, 200,
                             tr("Validation pairs the fitness is computed on (0 = all)"));
    auto* evolution = new QGridLayout;
    evolution->setContentsMargins(0, 0, 0, 0);
    evolution->setHorizontalSpacing(6);
    const std::pair<QString, QSpinBox*> cells[] = {{tr("P"), population_}, {tr("K"), parents_},
                                                   {tr("M"), mutations_},  {tr("C"), crossovers_},
                                                   {tr("I"), iterations_}, {tr("seed"), seed_}};
    for (int i = 0; i < 6; ++i) {
        auto* label = new QLabel(cells[i].first, tab);
        label->setToolTip(cells[i].second->toolTip());
        evolution->addWidget(label, i / 3, (i % 3) * 2);
        evolution->addWidget(cells[i].second, i / 3, (i % 3) * 2 + 1);
        evolution->setColumnStretch((i % 3) * 2 + 1, 1);
    }
    narrowed_ = new QCheckBox(tr("Only the editor's space"), tab);
    narrowed_->setObjectName("searchNarrowed");
    narrowed_->setToolTip(tr("Search the space being edited (narrowed inside the supernet's) instead of the "
                             "supernet's whole space"));
    searchProcesses_ = new ProcessesBox(tab);
    searchProcesses_->setObjectName("searchProcesses");

    auto* form = new QFormLayout(tab);
    form->setContentsMargins(4, 6, 4, 2);
    form->addRow(tr("Supernet"), supernetBox_);
    form->addRow(tr("FLOPs ≤"), flopsBudget_);
    form->addRow(tr("Params ≤"), paramsBudget_);
    form->addRow(tr("Latency ≤"), latencyRow);
    form->addRow(evolution);
    form->addRow(tr("Fitness on"), fitnessSentences_);
    form->addRow(tr("Processes"), searchProcesses_);
    form->addRow(narrowed_);
}

RunControlPanel::Mode RunControlPanel::mode() const {
    const int i = modeTabs_->currentIndex();
    return i == 1 ? Mode::Search : i == 2 ? Mode::Darts : i == 3 ? Mode::MoeStudy : Mode::Train;
}

void RunControlPanel::setMode(Mode mode) {
    modeTabs_->setCurrentIndex(mode == Mode::Search     ? 1
                               : mode == Mode::Darts    ? 2
                               : mode == Mode::MoeStudy ? 3
                                                        : 0);
}

QStringList RunControlPanel::dartsArguments(QString* error) const {
    const QStringList args = DartsOptionsForm::arguments(dartsOptions_->options(), error);
    return args.isEmpty() ? args : args + extraDartsArgs_;
}

bool RunControlPanel::startDarts() {
    QString error;
    const QStringList args = dartsArguments(&error);
    if (!error.isEmpty()) {
        appendLog(error);
        emit failed(tr("Could not start the DARTS search"), error);
        return false;
    }
    return startChild(QStringList{QStringLiteral("darts")} + args, tr("the DARTS search"));
}

QStringList RunControlPanel::moeStudyArguments(QString* error) {
    MoeStudyOptionsForm::Options o = moeStudyOptions_->options();
    if (o.editorSpace) {
        o.space = writeSpaceFile(error);
        if (o.space.isEmpty()) return {};
    }
    const QStringList args = MoeStudyOptionsForm::arguments(o, error);
    return args.isEmpty() ? args : args + extraMoeStudyArgs_;
}

bool RunControlPanel::startMoeStudy() {
    QString error;
    const QStringList args = moeStudyArguments(&error);
    if (!error.isEmpty()) {
        appendLog(error);
        emit failed(tr("Could not start the MoE vs dense study"), error);
        return false;
    }
    return startChild(QStringList{QStringLiteral("study"), QStringLiteral("moe-vs-dense")} + args,
                      tr("the MoE vs dense study"));
}

RunControlPanel::SearchSettings RunControlPanel::searchSettings() const {
    SearchSettings s;
    s.supernetRun = supernetBox_->currentData().toLongLong();
    s.flops = flopsBudget_->text().trimmed();
    s.params = paramsBudget_->text().trimmed();
    s.latency = latencyBudget_->text().trimmed();
    s.predicted = predicted_->isChecked();
    s.population = population_->value();
    s.parents = parents_->value();
    s.mutations = mutations_->value();
    s.crossovers = crossovers_->value();
    s.iterations = iterations_->value();
    s.seed = quint64(seed_->value());
    s.fitnessSentences = fitnessSentences_->value();
    s.narrowedSpace = narrowed_->isChecked();
    s.processes = searchProcesses_->value();
    return s;
}

void RunControlPanel::setSearchSettings(const SearchSettings& s) {
    int i = supernetBox_->findData(s.supernetRun);
    if (i < 0 && s.supernetRun > 0) {
        supernetBox_->addItem(tr("run %1").arg(s.supernetRun), s.supernetRun);
        i = supernetBox_->count() - 1;
    }
    supernetBox_->setCurrentIndex(i);
    flopsBudget_->setText(s.flops);
    paramsBudget_->setText(s.params);
    latencyBudget_->setText(s.latency);
    predicted_->setChecked(s.predicted);
    population_->setValue(s.population);
    parents_->setValue(s.parents);
    mutations_->setValue(s.mutations);
    crossovers_->setValue(s.crossovers);
    iterations_->setValue(s.iterations);
    seed_->setValue(int(std::min<quint64>(s.seed, quint64(std::numeric_limits<int>::max()))));
    fitnessSentences_->setValue(s.fitnessSentences);
    narrowed_->setChecked(s.narrowedSpace);
    searchProcesses_->setValue(s.processes);
}

QList<QPair<qint64, QString>> RunControlPanel::supernetChoices() const {
    QList<QPair<qint64, QString>> out;
    for (int i = 0; i < supernetBox_->count(); ++i)
        out.append({supernetBox_->itemData(i).toLongLong(), supernetBox_->itemText(i)});
    return out;
}

void RunControlPanel::setRuns(const std::vector<RunSummary>& runs) {
    const qint64 current = supernetBox_->currentData().toLongLong();
    QSignalBlocker block(supernetBox_);
    supernetBox_->clear();
    for (const RunSummary& r : runs) {
        // A supernet run with a checkpoint: finished, or cancelled (it checkpointed when it stopped).
        if (r.kind != "supernet" || (r.status != RunStatus::Finished && r.status != RunStatus::Cancelled))
            continue;
        supernetBox_->addItem(tr("%1 · %2").arg(r.id).arg(QString::fromStdString(r.name)), qint64(r.id));
        if (r.status == RunStatus::Cancelled)
            supernetBox_->setItemData(supernetBox_->count() - 1,
                                      tr("cancelled: searched at its last checkpoint"), Qt::ToolTipRole);
    }
    const int i = supernetBox_->findData(current);
    supernetBox_->setCurrentIndex(i >= 0 ? i : (supernetBox_->count() > 0 ? 0 : -1));
}

QStringList RunControlPanel::searchArguments(QString* error) {
    const SearchSettings s = searchSettings();
    QStringList args;
    if (s.supernetRun <= 0) {
        *error = tr("Choose a trained supernet run to search on (Supernet).");
        return {};
    }
    args << QStringLiteral("--run") << QString::number(s.supernetRun);
    // Budgets are checked by the CLI, which names the bad text; the field is named here.
    auto budget = [&](const QString& text, const char* metric, const char* unit) {
        if (text.isEmpty()) return;
        QString value = text;
        value.remove(QLatin1Char(' '));
        if (unit && !value.endsWith(QLatin1String(unit))) value += QLatin1String(unit);
        args << QStringLiteral("--budget") << QStringLiteral("%1<=%2").arg(QLatin1String(metric), value);
    };
    budget(s.flops, "flops", nullptr);
    budget(s.params, "params", nullptr);
    budget(s.latency, "latency", "ms");
    if (s.predicted) args << QStringLiteral("--predicted");
    args << QStringLiteral("--population") << QString::number(s.population) << QStringLiteral("--parents")
         << QString::number(s.parents) << QStringLiteral("--mutation") << QString::number(s.mutations)
         << QStringLiteral("--crossover") << QString::number(s.crossovers) << QStringLiteral("--iterations")
         << QString::number(s.iterations) << QStringLiteral("--seed") << QString::number(s.seed)
         << QStringLiteral("--fitness-sentences") << QString::number(s.fitnessSentences);
    if (s.narrowedSpace) {
        const QString space = writeSpaceFile(error);
        if (space.isEmpty()) return {};
        args << QStringLiteral("--space") << space;
    }
    return args;
}

bool RunControlPanel::startSearch() {
    QString error;
    QStringList args = searchArguments(&error);
    if (!error.isEmpty()) {
        appendLog(error);
        emit failed(tr("Could not start the search"), error);
        return false;
    }
    return startChild(QStringList{QStringLiteral("search")} + args + extraSearchArgs_, tr("the search"),
                      searchSettings().processes);
}

void RunControlPanel::setSettings(Settings* settings) {
    settings_ = settings;
    restoreSettings();
}

void RunControlPanel::saveSettings() const {
    if (!settings_) return;
    QVariantMap train = SupernetOptionsForm::toMap(supernetOptions());
    train.insert(QStringLiteral("corpus"), corpus());
    train.insert(QStringLiteral("unit"), budgetUnit_->currentData().toString());
    train.insert(QStringLiteral("value"), budgetValue_->value());
    train.insert(QStringLiteral("processes"), trainProcesses());
    settings_->setTrainSettings(train);
    const SearchSettings s = searchSettings();
    settings_->setSearchSettings({{QStringLiteral("supernet"), s.supernetRun},
                                  {QStringLiteral("flops"), s.flops},
                                  {QStringLiteral("params"), s.params},
                                  {QStringLiteral("latency"), s.latency},
                                  {QStringLiteral("predicted"), s.predicted},
                                  {QStringLiteral("population"), s.population},
                                  {QStringLiteral("parents"), s.parents},
                                  {QStringLiteral("mutations"), s.mutations},
                                  {QStringLiteral("crossovers"), s.crossovers},
                                  {QStringLiteral("iterations"), s.iterations},
                                  {QStringLiteral("seed"), s.seed},
                                  {QStringLiteral("fitnessSentences"), s.fitnessSentences},
                                  {QStringLiteral("narrowed"), s.narrowedSpace},
                                  {QStringLiteral("processes"), s.processes}});
    settings_->setDartsSettings(DartsOptionsForm::toMap(dartsOptions_->options()));
    settings_->setMoeStudySettings(MoeStudyOptionsForm::toMap(moeStudyOptions_->options()));
    settings_->sync();
}

void RunControlPanel::restoreSettings() {
    if (!settings_) return;
    const QVariantMap t = settings_->trainSettings();
    if (!t.isEmpty()) {
        const QString corpus = t.value(QStringLiteral("corpus")).toString();
        if (!corpus.isEmpty()) setCorpus(corpus);
        const bool updates = t.value(QStringLiteral("unit")).toString() == QLatin1String("--updates");
        const int value = t.value(QStringLiteral("value")).toInt();
        if (value > 0) setBudget(updates ? 0 : value, updates ? value : 0);
        setSupernetOptions(SupernetOptionsForm::fromMap(t));
        setTrainProcesses(t.value(QStringLiteral("processes"), 1).toInt());
    }
    const QVariantMap d = settings_->dartsSettings();
    if (!d.isEmpty()) dartsOptions_->setOptions(DartsOptionsForm::fromMap(d));
    const QVariantMap study = settings_->moeStudySettings();
    if (!study.isEmpty()) moeStudyOptions_->setOptions(MoeStudyOptionsForm::fromMap(study));
    const QVariantMap m = settings_->searchSettings();
    if (m.isEmpty()) return;
    SearchSettings s;
    s.supernetRun = m.value(QStringLiteral("supernet"), s.supernetRun).toLongLong();
    s.flops = m.value(QStringLiteral("flops")).toString();
    s.params = m.value(QStringLiteral("params")).toString();
    s.latency = m.value(QStringLiteral("latency")).toString();
    s.predicted = m.value(QStringLiteral("predicted")).toBool();
    s.population = m.value(QStringLiteral("population"), s.population).toInt();
    s.parents = m.value(QStringLiteral("parents"), s.parents).toInt();
    s.mutations = m.value(QStringLiteral("mutations"), s.mutations).toInt();
    s.crossovers = m.value(QStringLiteral("crossovers"), s.crossovers).toInt();
    s.iterations = m.value(QStringLiteral("iterations"), s.iterations).toInt();
    s.seed = m.value(QStringLiteral("seed"), s.seed).toULongLong();
    s.fitnessSentences = m.value(QStringLiteral("fitnessSentences"), s.fitnessSentences).toInt();
    s.narrowedSpace = m.value(QStringLiteral("narrowed")).toBool();
    s.processes = m.value(QStringLiteral("processes"), s.processes).toInt();
    setSearchSettings(s);
}

} // namespace automoe::ui
