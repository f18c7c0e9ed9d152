#include "ui/shell/ExportDialog.h"

#include "ui/figure/FigureExporter.h"
#include "ui/run/CliProcess.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QStandardPaths>
#include <QVBoxLayout>

namespace automoe::ui {

ExportDialog::ExportDialog(QWidget* parent)
    : QDialog(parent)
    , process_(new CliProcess(this))
    , dartsBox_(new QGroupBox(tr("DARTS architecture"), this))
    , dartsLabel_(new QLabel(this))
    , exportDartsButton_(new QPushButton(tr("Export DARTS Architecture (JSON)"), this))
    , runLabel_(new QLabel(this))
    , archList_(new QListWidget(this))
    , formatBox_(new QComboBox(this))
    , weights_(new QCheckBox(tr("Also write the weights (standalone model, .pt)"), this))
    , dirEdit_(new QLineEdit(this))
    , exportArchButton_(new QPushButton(tr("Export Architectures"), this))
    , plotBox_(new QComboBox(this))
    , plotFileEdit_(new QLineEdit(this))
    , exportPlotButton_(new QPushButton(tr("Export Plot"), this))
    , log_(new QPlainTextEdit(this)) {
    setObjectName("exportDialog");
    setWindowTitle(tr("Export"));
    setMinimumWidth(640);

    archList_->setObjectName("exportArchitectureList");
    archList_->setMinimumHeight(140);
    formatBox_->setObjectName("exportFormat");
    formatBox_->addItem(tr("HAT/AutoMoE SubTransformer (.yml)"), QStringLiteral("yml"));
    formatBox_->addItem(tr("JSON (.json)"), QStringLiteral("json"));
    weights_->setObjectName("exportWeights");
    weights_->setToolTip(tr("Inherit each architecture's weights from the supernet into a model file "
                            "that `automoe translate --model` reads"));
    dirEdit_->setObjectName("exportDirectory");
    dirEdit_->setText(QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation));
    auto* browseDir = new QPushButton(tr("Browse…"), this);
    connect(browseDir, &QPushButton::clicked, this, &ExportDialog::chooseDirectory);
    auto* dirRow = new QHBoxLayout;
    dirRow->addWidget(dirEdit_, 1);
    dirRow->addWidget(browseDir);
    exportArchButton_->setObjectName("exportArchitecturesButton");
    connect(exportArchButton_, &QPushButton::clicked, this, [this] {
        QString error;
        if (!exportArchitectures(&error)) appendLog(error);
    });
    connect(archList_, &QListWidget::itemChanged, this, &ExportDialog::updateButtons);

    auto* archBox = new QGroupBox(tr("Architectures"), this);
    auto* archForm = new QFormLayout(archBox);
    archForm->addRow(runLabel_);
    archForm->addRow(archList_);
    archForm->addRow(tr("Format"), formatBox_);
    archForm->addRow(weights_);
    archForm->addRow(tr("Folder"), dirRow);
    archForm->addRow(exportArchButton_);

    dartsBox_->setObjectName("exportDartsBox");
    dartsLabel_->setObjectName("exportDartsLabel");
    dartsLabel_->setWordWrap(true);
    exportDartsButton_->setObjectName("exportDartsButton");
    exportDartsButton_->setToolTip(
        tr("Write it as the DARTS architecture JSON that `automoe train --darts-arch` "
           "retrains, into the folder above"));
    connect(exportDartsButton_, &QPushButton::clicked, this, [this] {
        QString error;
        if (!exportDartsArchitecture(&error)) appendLog(error);
    });
    auto* dartsLayout = new QVBoxLayout(dartsBox_);
    dartsLayout->addWidget(dartsLabel_);
    dartsLayout->addWidget(exportDartsButton_);
    dartsBox_->setVisible(false);

    plotBox_->setObjectName("exportPlotBox");
    plotFileEdit_->setObjectName("exportPlotFile");
    plotFileEdit_->setPlaceholderText(tr("file.png, .svg or .pdf"));
    auto* browsePlot = new QPushButton(tr("Browse…"), this);
    connect(browsePlot, &QPushButton::clicked, this, &ExportDialog::choosePlotFile);
    auto* plotRow = new QHBoxLayout;
    plotRow->addWidget(plotFileEdit_, 1);
    plotRow->addWidget(browsePlot);
    exportPlotButton_->setObjectName("exportPlotButton");
    connect(exportPlotButton_, &QPushButton::clicked, this, [this] {
        QString error;
        if (!exportPlot(plotBox_->currentText(), plotFileEdit_->text().trimmed(), &error)) appendLog(error);
    });
    connect(plotFileEdit_, &QLineEdit::textChanged, this, &ExportDialog::updateButtons);
    connect(plotBox_, qOverload<int>(&QComboBox::currentIndexChanged), this, &ExportDialog::suggestPlotFile);
    auto* plotGroup = new QGroupBox(tr("Plot"), this);
    auto* plotForm = new QFormLayout(plotGroup);
    plotForm->addRow(tr("Plot"), plotBox_);
    plotForm->addRow(tr("File"), plotRow);
    plotForm->addRow(exportPlotButton_);

    log_->setObjectName("exportLog");
    log_->setReadOnly(true);
    log_->setMaximumBlockCount(500);
    log_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    log_->setPlaceholderText(tr("What was written appears here."));
    log_->setMaximumHeight(110);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(archBox, 1);
    layout->addWidget(dartsBox_);
    layout->addWidget(plotGroup);
    layout->addWidget(log_);
    layout->addWidget(buttons);

    connect(process_, &CliProcess::stdoutLine, this, &ExportDialog::appendLog);
    connect(process_, &CliProcess::stderrLine, this, &ExportDialog::appendLog);
    connect(process_, &CliProcess::finished, this, [this](int code, bool crashed) {
        if (code != 0 || crashed) {
            queue_.clear();
            const QString message = tr("automoe export failed: %1").arg(process_->errorMessage(code));
            appendLog(message);
            updateButtons();
            emit architectureExportFailed(message);
            return;
        }
        startNext();
    });
    updateButtons();
}

ExportDialog::~ExportDialog() = default; // the CliProcess kills an export still running

void ExportDialog::setRun(const QString& dbPath, qint64 runId,
                          const std::vector<Architecture>& architectures) {
    dbPath_ = dbPath;
    runId_ = runId;
    archs_ = architectures;
    archList_->clear();
    for (const Architecture& a : archs_) {
        auto* item = new QListWidgetItem(a.label.isEmpty() ? a.key : a.label, archList_);
        item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable | Qt::ItemIsSelectable);
        item->setCheckState(a.selected ? Qt::Checked : Qt::Unchecked);
        item->setToolTip(a.key);
    }
    runLabel_->setText(runId > 0 && !archs_.empty()
                           ? tr("From search run %1: its Pareto front and the selected candidate").arg(runId)
                           : tr("Show a search run (runs browser) to export the architectures it found."));
    updateButtons();
}

void ExportDialog::setDartsArchitecture(const std::optional<DartsArchitecture>& arch, const QString& label) {
    darts_ = arch;
    dartsLabel_->setText(label);
    dartsBox_->setVisible(arch.has_value());
    updateButtons();
}

QString ExportDialog::dartsArchitectureFile() const {
    return QDir(outputDirectory())
        .filePath(QStringLiteral("run%1-darts-arch.json").arg(darts_ ? darts_->searchRun : 0));
}

bool ExportDialog::exportDartsArchitecture(QString* error) {
    auto fail = [error](const QString& message) {
        if (error) *error = message;
        return false;
    };
    if (!darts_) return fail(tr("No DARTS run is shown: no DARTS architecture to export."));
    const QString dir = outputDirectory();
    if (dir.isEmpty() || !QFileInfo(dir).isDir()) return fail(tr("The folder %1 does not exist.").arg(dir));
    const QString path = dartsArchitectureFile();
    try {
        saveDartsArchitecture(*darts_, path.toStdString());
    } catch (const std::exception& e) {
        return fail(
            tr("Could not write %1: %2").arg(QDir::toNativeSeparators(path), QString::fromUtf8(e.what())));
    }
    appendLog(tr("DARTS architecture written to %1").arg(QDir::toNativeSeparators(path)));
    return true;
}

void ExportDialog::addPlot(const QString& name, PlotWriter writer) {
    plots_.emplace_back(name, std::move(writer));
    plotBox_->addItem(name);
    if (plotFileEdit_->text().isEmpty()) suggestPlotFile();
    updateButtons();
}

QStringList ExportDialog::plotNames() const {
    QStringList out;
    for (const auto& p : plots_)
        out << p.first;
    return out;
}

void ExportDialog::setOutputDirectory(const QString& dir) {
    dirEdit_->setText(dir);
    suggestPlotFile();
}

void ExportDialog::suggestPlotFile() {
    if (plotBox_->count() == 0) return;
    const QString suffix =
        plotFileEdit_->text().isEmpty() ? QStringLiteral("png") : QFileInfo(plotFileEdit_->text()).suffix();
    plotFileEdit_->setText(
        QDir(outputDirectory())
            .filePath(plotBox_->currentText().toLower().replace(QLatin1Char(' '), QLatin1Char('-')) +
                      QLatin1Char('.') + suffix));
}

QString ExportDialog::outputDirectory() const {
    return dirEdit_->text().trimmed();
}

void ExportDialog::setArchitectureFormat(const QString& format) {
    const int i = formatBox_->findData(format == QLatin1String("yaml") ? QStringLiteral("yml") : format);
    if (i >= 0) formatBox_->setCurrentIndex(i);
}

void ExportDialog::setWithWeights(bool weights) {
    weights_->setChecked(weights);
}

QStringList ExportDialog::architectureFiles() const {
    QStringList out;
    const QDir dir(outputDirectory());
    const QString ext = formatBox_->currentData().toString();
    for (int i = 0; i < archList_->count() && i < int(archs_.size()); ++i) {
        if (archList_->item(i)->checkState() != Qt::Checked) continue;
        const Architecture& a = archs_[std::size_t(i)];
        const QString stem = QStringLiteral("run%1-arch%2")
                                 .arg(runId_)
                                 .arg(a.id > 0 ? QString::number(a.id) : QString::number(i));
        out << dir.filePath(stem + QLatin1Char('.') + ext);
        if (weights_->isChecked()) out << dir.filePath(stem + QStringLiteral(".pt"));
    }
    return out;
}

bool ExportDialog::isExporting() const {
    return process_->isRunning() || !queue_.empty();
}

bool ExportDialog::exportArchitectures(QString* error) {
    auto fail = [error](const QString& message) {
        if (error) *error = message;
        return false;
    };
    if (isExporting()) return fail(tr("An export is still running."));
    if (runId_ <= 0 || dbPath_.isEmpty()) return fail(tr("No search run is shown: nothing to export."));
    const QString dir = outputDirectory();
    if (dir.isEmpty() || !QFileInfo(dir).isDir()) return fail(tr("The folder %1 does not exist.").arg(dir));
    const QString cli = cliPath_.isEmpty() ? CliProcess::findCli() : cliPath_;
    if (cli.isEmpty() || !QFileInfo(cli).isExecutable())
        return fail(tr("The automoe command-line tool was not found; it writes the architectures."));
    const QString format = formatBox_->currentData().toString();
    const QStringList files = architectureFiles();
    int f = 0;
    for (int i = 0; i < archList_->count() && i < int(archs_.size()); ++i) {
        if (archList_->item(i)->checkState() != Qt::Checked) continue;
        const Architecture& a = archs_[std::size_t(i)];
        Job job;
        job.args = {QStringLiteral("export"),
                    QStringLiteral("--db"),
                    dbPath_,
                    QStringLiteral("--run"),
                    QString::number(runId_),
                    QStringLiteral("--arch"),
                    a.id > 0 ? QString::number(a.id) : a.key,
                    QStringLiteral("--format"),
                    format,
                    QStringLiteral("-o"),
                    files.at(f)};
        job.files << files.at(f++);
        if (weights_->isChecked()) {
            job.args << QStringLiteral("--weights") << files.at(f);
            job.files << files.at(f++);
        }
        queue_.push_back(job);
    }
    if (queue_.empty()) return fail(tr("Check the architectures to export."));
    cliPath_ = cli;
    written_.clear();
    startNext();
    return true;
}

void ExportDialog::startNext() {
    if (queue_.empty()) {
        updateButtons();
        if (!written_.isEmpty()) {
            appendLog(tr("Wrote %n file(s).", nullptr, int(written_.size())));
            emit architecturesExported(written_);
        }
        return;
    }
    const Job job = queue_.front();
    queue_.erase(queue_.begin());
    written_ += job.files; // reported only when every job succeeded; a failure stops the queue
    appendLog(QStringLiteral("$ automoe %1").arg(job.args.join(QLatin1Char(' '))));
    process_->setCliPath(cliPath_);
    QString error;
    if (!process_->start(job.args, &error)) {
        queue_.clear();
        appendLog(error);
        updateButtons();
        emit architectureExportFailed(error);
        return;
    }
    updateButtons();
}

bool ExportDialog::exportPlot(const QString& name, const QString& path, QString* error) {
    for (const auto& p : plots_) {
        if (p.first != name) continue;
        if (path.isEmpty()) {
            if (error) *error = tr("Choose a file to export the plot to.");
            return false;
        }
        QString why;
        if (!p.second(path, &why)) {
            if (error) *error = why;
            return false;
        }
        appendLog(tr("%1 written to %2").arg(name, QDir::toNativeSeparators(path)));
        return true;
    }
    if (error) *error = tr("No plot named \"%1\".").arg(name);
    return false;
}

void ExportDialog::chooseDirectory() {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Export to Folder"), outputDirectory());
    if (!dir.isEmpty()) dirEdit_->setText(dir);
}

void ExportDialog::choosePlotFile() {
    QString start = plotFileEdit_->text();
    if (start.isEmpty())
        start = QDir(outputDirectory())
                    .filePath(plotBox_->currentText().toLower().replace(QLatin1Char(' '), QLatin1Char('-')) +
                              QStringLiteral(".png"));
    const QString path =
        QFileDialog::getSaveFileName(this, tr("Export Plot"), start, FigureExporter::fileDialogFilter());
    if (path.isEmpty()) return;
    plotFileEdit_->setText(path);
    QString error;
    if (!exportPlot(plotBox_->currentText(), path, &error)) appendLog(error);
}

void ExportDialog::updateButtons() {
    bool anyChecked = false;
    for (int i = 0; i < archList_->count(); ++i)
        anyChecked = anyChecked || archList_->item(i)->checkState() == Qt::Checked;
    const bool busy = process_->isRunning();
    exportArchButton_->setEnabled(!busy && runId_ > 0 && anyChecked);
    exportArchButton_->setText(busy ? tr("Exporting…") : tr("Export Architectures"));
    exportPlotButton_->setEnabled(!plots_.empty() && !plotFileEdit_->text().trimmed().isEmpty());
    exportDartsButton_->setEnabled(darts_.has_value());
}

void ExportDialog::appendLog(const QString& line) {
    log_->appendPlainText(line);
}

} // namespace automoe::ui
