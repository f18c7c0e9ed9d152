// GeneImportanceView draws gene importance (core/search/GeneImportance: the share of the fitness variance
// each gene group explains alone, bias-adjusted) for the shown search as horizontal bars, most important on
// top. It follows a RunDocument live and in replay; the computation runs on a worker thread (QThreadPool), at
// most about once a second while candidates stream in, on a copy of the candidates, and the newest result
// wins.
#pragma once

#include "search/GeneImportance.h"
#include "ui/figure/FigurePalette.h"

#include <QTimer>
#include <QWidget>
#include <optional>

class QCPBars;
class QCustomPlot;
class QLabel;

namespace automoe::ui {

class RunDocument;

class GeneImportanceView : public QWidget {
    Q_OBJECT

public:
    explicit GeneImportanceView(QWidget* parent = nullptr);
    ~GeneImportanceView() override;

    // Follows `document` (nullptr: none). Not owned.
    void setDocument(RunDocument* document);

    // Draws `report` (what the worker hands back; tests may call it directly).
    void showReport(const GeneImportanceReport& report);
    void clear();
    // The report drawn; none before the first one arrived.
    const std::optional<GeneImportanceReport>& report() const { return report_; }
    // Bars top to bottom: (gene name, importance).
    QVector<QPair<QString, double>> bars() const;
    bool computing() const { return running_; }

    QCustomPlot* plot() const { return plot_; }
    bool exportPlot(const QString& path, QString* error = nullptr);

signals:
    // A new report is drawn.
    void reportShown();

private:
    void buildPlot();
    void schedule();
    void compute();

    RunDocument* document_ = nullptr;
    FigurePalette palette_;
    QCustomPlot* plot_ = nullptr;
    QCPBars* bars_ = nullptr;
    QLabel* status_ = nullptr;
    QTimer timer_;
    std::optional<GeneImportanceReport> report_;
    quint64 epoch_ = 0; // bumped by clear(): results of before are dropped
    bool running_ = false;
    bool pending_ = false; // candidates arrived while a computation ran
};

} // namespace automoe::ui
