// MoeStudyView shows a MoE-vs-dense study (a run of kind "moe_study", AutoMoE Tables 2-3) as it goes: its
// table (MoeStudyTableModel: (a) the dense baseline, (b) the dense search's best and (c) the MoE search's
// best at each FLOPs budget, sortable, Ctrl+C copies rows as TSV), the rows as points of a quality-vs-FLOPs
// plot (test BLEU, chrF or validation NLL; one marker for the baseline, one series each for dense and MoE, a
// dashed line at each budget's FLOPs) and the study's stages with their runs and states. Double-clicking a
// stage or a row asks to open its run; selecting a row (or clicking its point) asks to show its architecture.
// It follows a RunDocument's moeStudy(), live and replayed alike, and computes nothing itself.
#pragma once

#include "ui/figure/FigurePalette.h"

#include <QPointF>
#include <QString>
#include <QStringList>
#include <QVector>
#include <QWidget>
#include <string>
#include <vector>

class QCPGraph;
class QCPItemStraightLine;
class QCPItemText;
class QComboBox;
class QCustomPlot;
class QLabel;
class QMouseEvent;
class QSortFilterProxyModel;
class QTableView;

namespace automoe::ui {

class MoeStudyModel;
class MoeStudyStageModel;
class MoeStudyTableModel;
class RunDocument;

class MoeStudyView : public QWidget {
    Q_OBJECT

public:
    // What the plot's y axis shows.
    enum class Metric { Bleu, Chrf, ValidNll };

    explicit MoeStudyView(QWidget* parent = nullptr);
    ~MoeStudyView() override;

    // Shows the study of `document` and follows it (nullptr: none). Not owned.
    void setDocument(RunDocument* document);
    RunDocument* document() const { return document_; }

    Metric metric() const { return metric_; }
    void setMetric(Metric metric);

    // What is drawn, for tests and the export dialog.
    QCustomPlot* plot() const { return plot_; }
    QTableView* table() const { return table_; }
    QTableView* stageView() const { return stages_; }
    MoeStudyTableModel* tableModel() const { return tableModel_; }
    QSortFilterProxyModel* sortedTable() const { return sorted_; }
    MoeStudyStageModel* stageModel() const { return stageModel_; }
    QComboBox* metricBox() const { return metricBox_; }
    QLabel* statusLabel() const { return status_; }
    // The points of "baseline", "dense" or "moe" (FLOPs, the metric), by FLOPs.
    QVector<QPointF> points(const std::string& method) const;
    // The legend entry of a method's series; empty when it has none.
    QString legendText(const std::string& method) const;
    // The budget lines: their FLOPs and their labels ("0.5x"), in the setup's order.
    QVector<double> budgetLines() const;
    QStringList budgetLabels() const;
    // The label beside each searched row's point: its budget ("0.5x"), in rows() order.
    QStringList pointLabels() const;
    // The text shown in place of the plot while it has no point; empty once it has one.
    QString emptyText() const;
    // The tooltip of the point of rows()[index].
    QString pointToolTip(int index) const;
    // The row of the study selected (an index into MoeStudyModel::rows(); -1: none).
    int selectedRow() const { return selectedRow_; }
    // Selects rows()[index] in the table and rings its point (as a click would), and says so.
    void selectRow(int index);
    // The pixel position of rows()[index]'s point in the plot (after a replot).
    QPointF pointPosition(int index) const;

    bool exportPlot(const QString& path, QString* error = nullptr);

public slots:
    void clear();

signals:
    // The user selected rows()[index] (a table row or a point): the main window shows its architecture.
    void architectureSelected(int index);
    // The user double-clicked a stage or a row: open run `runId`.
    void runActivated(qint64 runId);

private:
    void buildPlot();
    void refresh();
    void refreshPlot(const MoeStudyModel& study);
    void refreshBudgetLines(const MoeStudyModel& study);
    void refreshStatus();
    void syncTableSelection();
    void fitTableColumns();
    double valueOf(int index) const;
    int pointAt(const QPointF& pos) const;
    void handleMousePress(QMouseEvent* event);
    void handleMouseMove(QMouseEvent* event);
    void showContextMenu(const QPoint& pos);
    QCPGraph* graphOf(const std::string& method) const;

    RunDocument* document_ = nullptr;
    FigurePalette palette_;
    Metric metric_ = Metric::Bleu;
    QLabel* status_ = nullptr;
    QComboBox* metricBox_ = nullptr;
    QCustomPlot* plot_ = nullptr;
    QCPGraph* baseline_ = nullptr;
    QCPGraph* dense_ = nullptr;
    QCPGraph* moe_ = nullptr;
    QCPGraph* selection_ = nullptr;
    QCPItemText* emptyLabel_ = nullptr;
    struct BudgetLine {
        double flops = 0;
        QString label;
        QCPItemStraightLine* line = nullptr;
        QCPItemText* text = nullptr;
    };
    std::vector<BudgetLine> budgetLines_;
    std::vector<QCPItemText*> pointLabels_;
    QTableView* table_ = nullptr;
    MoeStudyTableModel* tableModel_ = nullptr;
    QSortFilterProxyModel* sorted_ = nullptr;
    QTableView* stages_ = nullptr;
    MoeStudyStageModel* stageModel_ = nullptr;
    int selectedRow_ = -1;
    bool syncing_ = false; // the view itself is selecting in the table
};

} // namespace automoe::ui
