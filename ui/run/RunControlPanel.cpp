#include "ui/run/RunControlPanel.h"

#include "space/SpaceIO.h"
#include "ui/run/TrainingProcess.h"
#include "ui/space/SpaceDocument.h"

#include <QCheckBox>
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
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QStyle>
#include <QTabBar>
#include <QTabWidget>
#include <QVBoxLayout>
#include <exception>
#include <limits>

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

    modeTabs_ = new QTabWidget(this);
    modeTabs_->setObjectName("runModeTabs");
    modeTabs_->setDocumentMode(true);
    auto* trainTab = new QWidget(modeTabs_);
    auto* form = new QFormLayout(trainTab);
    form->setContentsMargins(4, 6, 4, 2);
    form->addRow(tr("Corpus"), corpusBox_);
    form->addRow(tr("Space"), spaceLabel_);
    form->addRow(tr("Budget"), budget);
    modeTabs_->addTab(trainTab, tr("Train supernet"));
    auto* searchTab = new QWidget(modeTabs_);
    buildSearchTab(searchTab);
    modeTabs_->addTab(searchTab, tr("Search"));
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
            i == 0 ? tr("Train a supernet of this space as a new run (AutoMoE stage 1)")
                   : tr("Search the supernet run under the budgets as a new run (AutoMoE stage 4)"));
    });

    for (QPushButton* b : {start_, pause_, resume_, cancel_})
        b->setObjectName(QStringLiteral("run") + b->text());
    start_->setToolTip(tr("Train a supernet of this space as a new run (AutoMoE stage 1)"));
    pause_->setToolTip(tr("Pause the run after its current update"));
    resume_->setToolTip(tr("Continue the paused run"));
    cancel_->setToolTip(
        tr("Stop the run after its current update; it writes a checkpoint and can be resumed"));
    connect(start_, &QPushButton::clicked, this,
            [this] { mode() == Mode::Search ? startSearch() : startRun(); });
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
    modeTabs_->tabBar()->setEnabled(!running);
    modeTabs_->widget(1)->setEnabled(!running);
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
    searchIterations_ = 0;
    lastGeneration_ = -1;
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
            // The tab of the kind of run shown (a search brings up its settings, a training its corpus).
            if (state == "started" && (name == "search" || name == "supernet"))
                setMode(name == "search" ? Mode::Search : Mode::Train);
            if (name == "search" && state == "started") {
                searchIterations_ = e.payload.value("iterations", 0);
                trainingStartMs_ = e.timeMs;
            } else if (name != "data" && name != "test" && state == "started") {
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
    for (const GenerationRow& g : batch.generations)
        lastGeneration_ = std::max(lastGeneration_, int(g.generation));
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
    if (searchIterations_ > 0 && lastGeneration_ >= 0) {
        const int done = lastGeneration_ + 1;
        fraction = double(done) / double(searchIterations_);
        if (elapsed > 0) eta = elapsed / double(done) * double(searchIterations_ - done);
    }
    if (finished_) fraction = 1, eta = 0;
    progress_->setValue(fraction < 0 ? 0 : int(std::min(1.0, fraction) * 100 + 0.5));
    if (searchIterations_ > 0) {
        progress_->setFormat(tr("generation %1 / %2").arg(lastGeneration_ + 1).arg(searchIterations_));
    } else
        progress_->setFormat(lastUpdate_ > 0
                                 ? (maxUpdates_ > 0 ? tr("update %1 / %2").arg(lastUpdate_).arg(maxUpdates_)
                                                    : tr("update %1 · %p%").arg(lastUpdate_))
                                 : tr("%p%"));
    eta_->setText(finished_ ? tr("done") : eta >= 0 ? tr("ETA %1").arg(clockText(eta)) : QString());
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

    auto* form = new QFormLayout(tab);
    form->setContentsMargins(4, 6, 4, 2);
    form->addRow(tr("Supernet"), supernetBox_);
    form->addRow(tr("FLOPs ≤"), flopsBudget_);
    form->addRow(tr("Params ≤"), paramsBudget_);
    form->addRow(tr("Latency ≤"), latencyRow);
    form->addRow(evolution);
    form->addRow(tr("Fitness on"), fitnessSentences_);
    form->addRow(narrowed_);
}

RunControlPanel::Mode RunControlPanel::mode() const {
    return modeTabs_->currentIndex() == 1 ? Mode::Search : Mode::Train;
}

void RunControlPanel::setMode(Mode mode) {
    modeTabs_->setCurrentIndex(mode == Mode::Search ? 1 : 0);
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
    if (error.isEmpty() && dbPath_.isEmpty()) error = tr("No run database is open.");
    if (error.isEmpty() &&
        process_->start(QStringLiteral("search"), dbPath_, args + extraSearchArgs_, &error)) {
        resetTracking();
        status_->setText(tr("Starting the search…"));
        updateButtons();
        return true;
    }
    appendLog(error);
    emit failed(tr("Could not start the search"), error);
    return false;
}

} // namespace automoe::ui
