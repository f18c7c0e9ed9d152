// GeneImportanceView draws gene importance (core/search/GeneImportance: the share of the fitness variance
// each gene group explains alone, bias-adjusted) for the shown search as horizontal bars, most important on
// top. It follows a RunDocument live and in replay; the computation runs on a worker thread (QThreadPool), at
// most about once a second while candidates stream in, on a copy of the candidates, and the newest result
// wins. Compared searches (Run > Compare with Selected Run) are drawn beside the shown one: grouped bars, one
// colour and legend entry per search, every search's bars in one gene order (core's compareGeneImportance:
// by the mean importance over the searches).
#pragma once

#include "search/GeneImportance.h"
#include "ui/figure/FigurePalette.h"

#include <QMap>
#include <QStringList>
#include <QTimer>
#include <QWidget>
#include <optional>
#include <vector>

class QCPBars;
class QCPBarsGroup;
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
    // Draws the shown search's report beside compared ones (`names`: the compared searches', in the order of
    // `compared`): grouped bars in the comparison's gene order.
    void showReports(const GeneImportanceReport& report, const QStringList& names,
                     const std::vector<GeneImportanceReport>& compared);
    void clear();
    // The shown search's report drawn; none before the first one arrived.
    const std::optional<GeneImportanceReport>& report() const { return report_; }
    // Bars of the shown search top to bottom (in the comparison's order when compared): (gene, importance).
    QVector<QPair<QString, double>> bars() const;

    // Compares another search: its candidates' importance is drawn beside the shown search's, as "name".
    // Empty `candidates` removes it. Kept across runs shown (as the Pareto view keeps its overlays).
    void setOverlay(const QString& name, const std::vector<CandidateRow>& candidates);
    void removeOverlay(const QString& name);
    QStringList overlayNames() const { return overlays_.keys(); }
    // What is drawn side by side (the shown search first, then the compared ones in overlayNames() order);
    // none while nothing is compared.
    const std::optional<GeneImportanceComparison>& comparison() const { return comparison_; }
    // The legend's names, in comparison() order.
    QStringList seriesNames() const { return seriesNames_; }
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
    void removeBars();
    QCPBars* addBars(const QColor& colour, const QString& name);

    RunDocument* document_ = nullptr;
    FigurePalette palette_;
    QCustomPlot* plot_ = nullptr;
    std::vector<QCPBars*> bars_; // one per search drawn
    QCPBarsGroup* group_ = nullptr;
    QLabel* status_ = nullptr;
    QTimer timer_;
    std::optional<GeneImportanceReport> report_;
    std::optional<GeneImportanceComparison> comparison_;
    QStringList seriesNames_;
    QMap<QString, std::vector<CandidateRow>> overlays_;
    quint64 epoch_ = 0; // bumped by clear(): results of before are dropped
    bool running_ = false;
    bool pending_ = false; // candidates arrived while a computation ran
};

} // namespace automoe::ui
