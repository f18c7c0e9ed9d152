// ExportDialog (File > Export…) writes what the workbench shows to files: architectures of a search run (the
// Pareto front and the selected candidate; a DARTS run's derived architecture as DARTS JSON) as HAT/AutoMoE
// SubTransformer yml or JSON, optionally with their inherited weights as standalone model files, and any plot
// (Pareto front, training curves, routing, the architecture figure) as PNG, SVG or PDF. Architectures are
// written by child `automoe export` processes, one after the other (weights need LibTorch, which the GUI
// never loads): the UI thread never waits on them.
#pragma once

#include "space/DartsArchitecture.h"

#include <QDialog>
#include <QStringList>
#include <functional>
#include <optional>
#include <vector>

class QCheckBox;
class QGroupBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QPushButton;

namespace automoe::ui {

class CliProcess;

class ExportDialog : public QDialog {
    Q_OBJECT

public:
    // One architecture offered for export.
    struct Architecture {
        qint64 id = 0; // the store's architecture id; 0 = use the key
        QString key;
        QString label;         // what the list shows
        bool selected = false; // checked initially
    };
    // Writes the plot to `path` (format by extension); false and a message naming the file on failure.
    using PlotWriter = std::function<bool(const QString& path, QString* error)>;

    explicit ExportDialog(QWidget* parent = nullptr);
    ~ExportDialog() override;

    // The search run the architectures come from; an empty list (or no run) disables that part.
    void setRun(const QString& dbPath, qint64 runId, const std::vector<Architecture>& architectures);
    // The architecture of the DARTS search run shown (the derived one, else the argmax of its newest
    // weights), written as DARTS JSON by this process (no LibTorch needed); nullopt hides that part.
    void setDartsArchitecture(const std::optional<DartsArchitecture>& arch, const QString& label);
    // Where it goes: run<ID>-darts-arch.json in the output folder.
    QString dartsArchitectureFile() const;
    bool exportDartsArchitecture(QString* error = nullptr);
    QPushButton* dartsExportButton() const { return exportDartsButton_; }
    void addPlot(const QString& name, PlotWriter writer);
    QStringList plotNames() const;

    // The `automoe` CLI (default: CliProcess::findCli()).
    void setCliPath(const QString& path) { cliPath_ = path; }

    QListWidget* architectureList() const { return archList_; }
    void setOutputDirectory(const QString& dir);
    QString outputDirectory() const;
    // "yml" or "json".
    void setArchitectureFormat(const QString& format);
    void setWithWeights(bool weights);
    // The files the checked architectures go to (and their weights' files), in list order.
    QStringList architectureFiles() const;

    // Starts writing the checked architectures; false (and a message) when nothing can start. Progress and
    // the outcome arrive through architecturesExported() / architectureExportFailed().
    bool exportArchitectures(QString* error = nullptr);
    bool isExporting() const;
    // Writes plot `name` to `path` now (plots render in milliseconds).
    bool exportPlot(const QString& name, const QString& path, QString* error = nullptr);

    QPlainTextEdit* log() const { return log_; }

signals:
    void architecturesExported(const QStringList& files);
    void architectureExportFailed(const QString& message);

private:
    struct Job {
        QStringList args;
        QStringList files;
    };
    void startNext();
    void chooseDirectory();
    void choosePlotFile();
    void suggestPlotFile();
    void updateButtons();
    void appendLog(const QString& line);

    QString dbPath_;
    qint64 runId_ = 0;
    std::vector<Architecture> archs_;
    std::vector<std::pair<QString, PlotWriter>> plots_;
    QString cliPath_;
    CliProcess* process_ = nullptr;
    std::vector<Job> queue_;
    QStringList written_;

    std::optional<DartsArchitecture> darts_;
    QGroupBox* dartsBox_;
    QLabel* dartsLabel_;
    QPushButton* exportDartsButton_;
    QLabel* runLabel_;
    QListWidget* archList_;
    QComboBox* formatBox_;
    QCheckBox* weights_;
    QLineEdit* dirEdit_;
    QPushButton* exportArchButton_;
    QComboBox* plotBox_;
    QLineEdit* plotFileEdit_;
    QPushButton* exportPlotButton_;
    QPlainTextEdit* log_;
};

} // namespace automoe::ui
