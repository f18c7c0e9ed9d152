#include "ui/RunControlPanel.h"

#include "space/SpaceIO.h"
#include "ui/SpaceDocument.h"
#include "ui/TrainingProcess.h"

#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QStyle>
#include <QVBoxLayout>
#include <exception>

namespace automoe::ui {

namespace {

const char* const kStageTitles[RunControlPanel::kStageCount] = {
    QT_TRANSLATE_NOOP("RunControlPanel", "Supernet training"),
    QT_TRANSLATE_NOOP("RunControlPanel", "Latency dataset"),
    QT_TRANSLATE_NOOP("RunControlPanel", "Latency predictor"),
    QT_TRANSLATE_NOOP("RunControlPanel", "Evolutionary search"),
    QT_TRANSLATE_NOOP("RunControlPanel", "Measure latency, FLOPs, params"),
    QT_TRANSLATE_NOOP("RunControlPanel", "Retrain the found subnet"),
    QT_TRANSLATE_NOOP("RunControlPanel", "Test BLEU")};

// The stage a "stage" event's name belongs to ("data" is the start of supernet training).
std::optional<RunControlPanel::Stage> stageOf(const std::string& name) {
    using S = RunControlPanel::Stage;
    if (name == "data" || name == "supernet") return S::Supernet;
    if (name == "latency_dataset" || name == "latency-dataset") return S::LatencyData;
    if (name == "latency_predictor" || name == "latency-predictor") return S::LatencyPredictor;
    if (name == "search" || name == "evolution") return S::Search;
    if (name == "measure") return S::Measure;
    if (name == "retrain" || name == "finetune") return S::Retrain;
    if (name == "test") return S::Test;
    return std::nullopt;
}

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
    , process_(new TrainingProcess(this))
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
    , log_(new QPlainTextEdit(this)) {
    setObjectName("runControlPanel");

    corpusBox_->setObjectName("corpusBox");
    corpusBox_->addItem(tr("Ding de→en dictionary"), QStringLiteral("ding"));
    corpusBox_->addItem(tr("Bundled sample"), QStringLiteral("sample"));
    corpusBox_->addItem(tr("File…"), QString());
    corpusBox_->setToolTip(tr("Parallel corpus: Debian's trans-de-en (else the bundled sample), the bundled "
                              "sample, or a TSV / fairseq-style file of your own"));
    connect(corpusBox_, qOverload<int>(&QComboBox::activated), this, [this](int i) {
        if (corpusBox_->itemData(i).toString().isEmpty()) chooseCorpusFile();
    });

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

    auto* form = new QFormLayout;
    form->setContentsMargins(0, 0, 0, 0);
    form->addRow(tr("Corpus"), corpusBox_);
    form->addRow(tr("Space"), spaceLabel_);
    form->addRow(tr("Budget"), budget);

    for (QPushButton* b : {start_, pause_, resume_, cancel_})
        b->setObjectName(QStringLiteral("run") + b->text());
    start_->setToolTip(tr("Train a supernet of this space as a new run (AutoMoE stage 1)"));
    pause_->setToolTip(tr("Pause the run after its current update"));
    resume_->setToolTip(tr("Continue the paused run"));
    cancel_->setToolTip(
        tr("Stop the run after its current update; it writes a checkpoint and can be resumed"));
    connect(start_, &QPushButton::clicked, this, &RunControlPanel::startRun);
    connect(pause_, &QPushButton::clicked, this, [this] {
        process_->pause();
        paused_ = true;
        updateButtons();
    });
    connect(resume_, &QPushButton::clicked, this, [this] {
        process_->resume();
        paused_ = false;
        updateButtons();
    });
    connect(cancel_, &QPushButton::clicked, process_, &TrainingProcess::cancel);
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
    for (int i = 0; i < kStageCount; ++i) {
        stageIcons_[std::size_t(i)] = new QLabel(stages);
        stageIcons_[std::size_t(i)]->setFixedWidth(18);
        stageLabels_[std::size_t(i)] =
            new QLabel(QStringLiteral("%1. %2").arg(i + 1).arg(tr(kStageTitles[i])), stages);
        stageGrid->addWidget(stageIcons_[std::size_t(i)], i, 0);
        stageGrid->addWidget(stageLabels_[std::size_t(i)], i, 1);
        setStage(Stage(i), StageState::Pending);
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
    log_->setPlaceholderText(tr("The training process's messages appear here."));

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 8);
    layout->setSpacing(8);
    layout->addLayout(form);
    layout->addLayout(buttons);
    layout->addWidget(stages);
    layout->addLayout(progressRow);
    layout->addWidget(status_);
    layout->addWidget(log_, 1);

    connect(process_, &TrainingProcess::logLine, this, &RunControlPanel::appendLog);
    connect(process_, &TrainingProcess::runCreated, this, &RunControlPanel::runStarted);
    connect(process_, &TrainingProcess::started, this, &RunControlPanel::updateButtons);
    connect(process_, &TrainingProcess::finished, this, [this](int code, bool crashed) {
        paused_ = false;
        appendLog(crashed ? tr("automoe crashed") : tr("automoe exited with code %1").arg(code));
        if (crashed || code != 0) status_->setText(tr("The run stopped with an error: see the log below."));
        updateButtons();
        emit runEnded(crashed ? -1 : code);
    });
    updateButtons();
    updateProgress();
}

RunControlPanel::~RunControlPanel() = default;

QString RunControlPanel::corpus() const {
    return corpusBox_->currentData().toString();
}

void RunControlPanel::setCorpus(const QString& corpus) {
    int i = corpusBox_->findData(corpus);
    if (i < 0) {
        corpusBox_->insertItem(2, QFileInfo(corpus).fileName(), corpus);
        corpusBox_->setItemData(2, QDir::toNativeSeparators(corpus), Qt::ToolTipRole);
        i = 2;
    }
    corpusBox_->setCurrentIndex(i);
}

void RunControlPanel::setBudget(int minutes, int updates) {
    budgetUnit_->setCurrentIndex(updates > 0 ? 1 : 0);
    budgetValue_->setValue(updates > 0 ? updates : minutes);
}

void RunControlPanel::chooseCorpusFile() {
    const QString path =
        QFileDialog::getOpenFileName(this, tr("Choose a Parallel Corpus"), QDir::homePath(),
                                     tr("Parallel corpora (*.tsv *.de *.en);;All files (*)"));
    if (path.isEmpty()) {
        corpusBox_->setCurrentIndex(0);
        return;
    }
    // A fairseq-style pair P.de + P.en is given to the CLI as its prefix P.
    const QFileInfo info(path);
    const QString suffix = info.suffix();
    setCorpus(suffix == QLatin1String("de") || suffix == QLatin1String("en")
                  ? info.absolutePath() + QLatin1Char('/') + info.completeBaseName()
                  : path);
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
        saveSpace(document_->space(), path.toStdString());
    } catch (const std::exception& e) {
        *error = QString::fromStdString(e.what());
        return {};
    }
    return path;
}

bool RunControlPanel::startRun() {
    QString error;
    const QString space = writeSpaceFile(&error);
    QStringList args;
    if (!space.isEmpty()) {
        args << QStringLiteral("--space") << space << QStringLiteral("--corpus") << corpus()
             << budgetUnit_->currentData().toString() << QString::number(budgetValue_->value())
             << QStringLiteral("--name") << document_->name() << extraArgs_;
        if (corpus().isEmpty()) error = tr("Choose a corpus file first.");
    }
    if (error.isEmpty() && dbPath_.isEmpty()) error = tr("No run database is open.");
    if (error.isEmpty() && process_->start(dbPath_, args, &error)) {
        resetTracking();
        status_->setText(tr("Starting…"));
        updateButtons();
        return true;
    }
    appendLog(error);
    emit failed(tr("Could not start the run"), error);
    return false;
}

void RunControlPanel::updateButtons() {
    const bool running = process_->isRunning();
    start_->setEnabled(!running);
    corpusBox_->setEnabled(!running);
    budgetUnit_->setEnabled(!running);
    budgetValue_->setEnabled(!running);
    pause_->setEnabled(running && !paused_);
    resume_->setEnabled(running && paused_);
    cancel_->setEnabled(running);
}

void RunControlPanel::appendLog(const QString& line) {
    log_->appendPlainText(line);
}

void RunControlPanel::setStage(Stage stage, StageState state) {
    const std::size_t i = std::size_t(stage);
    states_[i] = state;
    static const QString glyph[] = {QStringLiteral("\u25CB"), QStringLiteral("\u25D0"),
                                    QStringLiteral("\u25CF")};
    static const QString color[] = {QStringLiteral("#9aa0a6"), QStringLiteral("#1a73e8"),
                                    QStringLiteral("#1b7f3b")};
    stageIcons_[i]->setText(
        QStringLiteral("<span style='color:%1'>%2</span>").arg(color[int(state)], glyph[int(state)]));
    QFont f = stageLabels_[i]->font();
    f.setBold(state == StageState::Active);
    stageLabels_[i]->setFont(f);
    stageLabels_[i]->setEnabled(state != StageState::Pending);
}

void RunControlPanel::handleStage(const std::string& name, const std::string& state) {
    const auto stage = stageOf(name);
    if (!stage) return;
    // "data" finishing is not the end of supernet training.
    if (name == "data" && state == "finished") return;
    setStage(*stage, state == "finished" ? StageState::Done : StageState::Active);
    // Reaching a stage means the ones before it that this run performed are done.
    for (int i = 0; i < int(*stage); ++i)
        if (states_[std::size_t(i)] == StageState::Active) setStage(Stage(i), StageState::Done);
}

void RunControlPanel::resetTracking() {
    for (int i = 0; i < kStageCount; ++i)
        setStage(Stage(i), StageState::Pending);
    maxUpdates_ = 0;
    maxMinutes_ = 0;
    trainingStartMs_ = 0;
    firstUpdate_ = -1;
    lastUpdate_ = 0;
    lastEventMs_ = 0;
    finished_ = false;
    status_->clear();
    updateProgress();
}

void RunControlPanel::applyBatch(const FeedBatch& batch) {
    for (const Event& e : batch.other) {
        if (e.type == "stage") {
            const std::string name = e.payload.value("stage", std::string());
            const std::string state = e.payload.value("state", std::string());
            handleStage(name, state);
            if (name != "data" && name != "test" && state == "started") {
                maxUpdates_ = e.payload.value("max_updates", qint64(0));
                maxMinutes_ = e.payload.value("max_minutes", 0.0);
                trainingStartMs_ = e.timeMs;
            }
            status_->setText(
                tr("Stage %1 %2").arg(QString::fromStdString(name), QString::fromStdString(state)));
        } else if (e.type == "run_status") {
            const std::string s = e.payload.value("status", std::string());
            finished_ = s == "finished";
            status_->setText(tr("Run %1").arg(QString::fromStdString(s)));
        } else if (e.type == "error") {
            status_->setText(
                tr("Error: %1").arg(QString::fromStdString(e.payload.value("message", std::string()))));
        }
    }
    if (!batch.steps.empty()) {
        if (firstUpdate_ < 0) firstUpdate_ = batch.steps.front().update - 1;
        lastUpdate_ = batch.steps.back().update;
    }
    if (batch.lastTimeMs > 0) lastEventMs_ = batch.lastTimeMs;
    updateProgress();
}

int RunControlPanel::progressPercent() const {
    return progress_->value();
}

QString RunControlPanel::etaText() const {
    return eta_->text();
}

void RunControlPanel::updateProgress() {
    double fraction = -1, eta = -1;
    const double elapsed = trainingStartMs_ > 0 ? double(lastEventMs_ - trainingStartMs_) / 1000.0 : 0;
    if (maxUpdates_ > 0 && lastUpdate_ > 0) {
        fraction = double(lastUpdate_) / double(maxUpdates_);
        const qint64 done = lastUpdate_ - std::max<qint64>(firstUpdate_, 0);
        if (done > 0 && elapsed > 0) eta = elapsed / double(done) * double(maxUpdates_ - lastUpdate_);
    }
    if (maxMinutes_ > 0 && trainingStartMs_ > 0) {
        const double left = maxMinutes_ * 60 - elapsed;
        eta = eta < 0 ? left : std::min(eta, left);
        fraction = std::max(fraction, elapsed / (maxMinutes_ * 60));
    }
    if (finished_) fraction = 1, eta = 0;
    progress_->setValue(fraction < 0 ? 0 : int(std::min(1.0, fraction) * 100 + 0.5));
    progress_->setFormat(lastUpdate_ > 0
                             ? (maxUpdates_ > 0 ? tr("update %1 / %2").arg(lastUpdate_).arg(maxUpdates_)
                                                : tr("update %1 · %p%").arg(lastUpdate_))
                             : tr("%p%"));
    eta_->setText(finished_ ? tr("done") : eta >= 0 ? tr("ETA %1").arg(clockText(eta)) : QString());
}

} // namespace automoe::ui
