// StudyView shows a supernet-standalone gap study (a run of kind "study", Mixture-of-Supernets §5) as it
// goes: a scatter of inherited against standalone validation NLL, one point per (architecture, supernet run)
// and one colour per run, with the y = x diagonal (a point's height above it is its gap) and a legend entry
// per run naming its kind and Kendall tau-b; beside it the fine-tune curves of the selected architecture
// (click a point) against its standalone NLL; below, the per-run table (StudyTableModel). It follows a
// RunDocument's study (RunDocument::study()), live and replayed alike, and computes nothing itself.
#pragma once

#include "ui/figure/FigurePalette.h"

#include <QHash>
#include <QPointF>
#include <QVector>
#include <QWidget>

class QCPAxisRect;
class QCPGraph;
class QCPItemStraightLine;
class QCPItemText;
class QCustomPlot;
class QLabel;
class QMouseEvent;
class QTableView;
class QToolButton;

namespace automoe::ui {

class RunDocument;
class StudyModel;
class StudyTableModel;

class StudyView : public QWidget {
    Q_OBJECT

public:
    explicit StudyView(QWidget* parent = nullptr);
    ~StudyView() override;

    // Shows the study of `document` and follows it (nullptr: none). Not owned.
    void setDocument(RunDocument* document);
    RunDocument* document() const { return document_; }

    // What is drawn, for tests and the export dialog.
    QCustomPlot* plot() const { return plot_; }
    QTableView* table() const { return table_; }
    StudyTableModel* tableModel() const { return tableModel_; }
    // Points of supernet run `runId` in the scatter (standalone, inherited), in arrival order.
    QVector<QPointF> scatterPoints(qint64 runId) const;
    // The legend entry of run `runId` ("run 3 shared · τ-b 0.548"); empty when it has none.
    QString legendText(qint64 runId) const;
    // The text shown in place of the scatter while it has no point; empty once it has one.
    QString emptyText() const;
    // The architecture whose fine-tune curves are shown (-1: none yet); it follows the newest point until
    // one is clicked or selected.
    int selectedArch() const { return selectedArch_; }
    void selectArch(int index);
    // The fine-tune curve (updates, NLL) of run `runId` for the selected architecture.
    QVector<QPointF> finetuneCurve(qint64 runId) const;
    // As in the Training and Pareto views: while on, the axes take in every new point; a wheel zoom or a
    // drag in either plot turns it off until Follow is pressed again (or another run is opened).
    bool follow() const { return follow_; }
    void setFollow(bool follow);
    QToolButton* followButton() const { return followButton_; }

public slots:
    void clear();

signals:
    // The user clicked a point of architecture `index` (of the study's setup): the main window shows it.
    void architectureClicked(int index);
    void followChanged(bool follow);

private:
    struct RunGraphs {
        QCPGraph* scatter = nullptr;
        QCPGraph* finetune = nullptr;
    };

    void buildPlot();
    void refresh();
    void refreshScatter(const StudyModel& study);
    void refreshFinetune(const StudyModel& study);
    void refreshEmptyState(const StudyModel* study);
    RunGraphs& graphsOf(qint64 runId, int slot);
    void handleMousePress(QMouseEvent* event);
    void handleMouseMove(QMouseEvent* event);
    // The nearest point within a few pixels of `pos` in the scatter: (run id, point index), or run id 0.
    std::pair<qint64, int> pointAt(const QPointF& pos) const;

    RunDocument* document_ = nullptr;
    FigurePalette palette_;
    QLabel* status_ = nullptr;
    QCustomPlot* plot_ = nullptr;
    QCPAxisRect* scatterRect_ = nullptr;
    QCPAxisRect* finetuneRect_ = nullptr;
    QCPItemStraightLine* diagonal_ = nullptr;
    QCPItemText* diagonalLabel_ = nullptr;
    QCPItemText* emptyLabel_ = nullptr;
    QCPGraph* selection_ = nullptr;  // rings around the selected architecture's points
    QCPGraph* standalone_ = nullptr; // the selected architecture's standalone NLL, across the fine-tune
    QCPItemText* standaloneLabel_ = nullptr;
    QHash<qint64, RunGraphs> graphs_;
    QTableView* table_ = nullptr;
    StudyTableModel* tableModel_ = nullptr;
    QToolButton* followButton_ = nullptr;
    bool follow_ = true;
    bool rescaling_ = false; // the view itself is setting the axes: not the user's zoom
    int selectedArch_ = -1;
    bool archPicked_ = false; // the user picked selectedArch_: new points no longer move it
};

} // namespace automoe::ui
