// RunsBrowser is the "Runs" dock: the runs of the open run database in a sortable table with a filter box,
// refreshed every two seconds off the UI thread. Double-click (or Enter) opens a run for replay; the context
// menu also overlays a run's Pareto front on the current one, overlays the training curves of the selected
// runs (several rows may be selected) on the shown run's, and resumes a cancelled or interrupted run (one
// whose process is gone). The run shown in the views (the RunDocument's) is selected and drawn in bold. The
// Supernet column (shared, or a Mixture-of-Supernets) is shown only when the table is wide enough for it
// beside a readable name; every row's tooltip says which supernet a training run has in any case.
#pragma once

#include <QWidget>

class QLabel;
class QLineEdit;
class QSortFilterProxyModel;
class QTableView;
class QTimer;

namespace automoe::ui {

class RunDocument;
class RunListModel;

class RunsBrowser : public QWidget {
    Q_OBJECT

public:
    explicit RunsBrowser(QWidget* parent = nullptr);

    void setDatabasePath(const QString& path);
    // The run shown; its row is selected and bold. Not owned.
    void setDocument(RunDocument* document);
    QString databasePath() const;

    RunListModel* model() const { return model_; }
    QTableView* table() const { return table_; }
    QLineEdit* filterEdit() const { return filter_; }
    // The run of the current row; 0 when none.
    qint64 currentRunId() const;
    // The runs of the selected rows, top to bottom (the current one when none is selected).
    QList<qint64> selectedRunIds() const;
    void selectRun(qint64 runId);

signals:
    void runActivated(qint64 runId);
    void compareRequested(qint64 runId);
    // Overlay the training curves of these runs in the Training view.
    void compareTrainingRequested(const QList<qint64>& runIds);
    void resumeRequested(qint64 runId, const QString& kind);

private:
    void showContextMenu(const QPoint& pos);
    void followDocument();
    qint64 runAt(const QModelIndex& proxyIndex) const;
    // Shows the Supernet column when the names keep their room beside it, hides it otherwise.
    void fitColumns();
    bool eventFilter(QObject* watched, QEvent* event) override;

    RunListModel* model_;
    QSortFilterProxyModel* proxy_;
    QLineEdit* filter_;
    QTableView* table_;
    QLabel* pathLabel_;
    QTimer* timer_;
    RunDocument* document_ = nullptr;
};

} // namespace automoe::ui
