// CandidateTableView is the candidate table dock: every evaluated candidate of the shown search
// (CandidateTableModel), sortable by any column (click a header) and filtered by a line of terms
// (CandidateFilter: "fitness<4.9 dec_layers=2..3 front=yes"). Its selection is the RunDocument's: selecting a
// row selects that architecture in the Pareto view and the architecture figure, and a candidate selected
// there is selected (and scrolled to) here. Its context menu diffs the row under the mouse with the selected
// architecture. Ctrl+C copies the selected rows as TSV (TableCopy); exportCsv()
// writes the candidates as CandidateCsv. Rows of compared searches (CandidateTableModel::setComparedRun) are
// listed too, with a "run" column first; selecting one selects that search's candidate in the document
// (RunDocument::selectCandidate), so the figure draws it and the Pareto view rings it on its overlay, and
// its context menu diffs it with the selected candidate of any search.
#pragma once

#include "ui/plots/CostMetric.h"

#include <QWidget>

class QLabel;
class QLineEdit;
class QTableView;

namespace automoe::ui {

class CandidateFilterModel;
class CandidateTableModel;
class RunDocument;

class CandidateTableView : public QWidget {
    Q_OBJECT

public:
    explicit CandidateTableView(QWidget* parent = nullptr);

    // Follows `document`: its candidates and its selection (nullptr: none). Not owned.
    void setDocument(RunDocument* document);
    void setCostMetric(CostMetric metric);

    // Applies a filter text as if typed; false (the error shown and returned) when it does not parse.
    bool setFilterText(const QString& text, QString* error = nullptr);
    QString filterError() const;

    // Writes every candidate, the compared searches' too, each with its run (shownOnly: the rows the filter
    // shows, in the order shown) to `path`; on failure returns false and sets `error` naming the file.
    bool exportCsv(const QString& path, bool shownOnly = false, QString* error = nullptr) const;

    QTableView* table() const { return table_; }
    CandidateTableModel* model() const { return model_; }
    CandidateFilterModel* proxy() const { return proxy_; }
    QLineEdit* filterEdit() const { return filterEdit_; }
    // The architecture key of the selected row; empty when none.
    QString selectedKey() const;
    // The architecture key of the row at a point of the table's viewport; empty when none.
    QString keyAt(const QPoint& viewportPos) const;
    // Selects (and scrolls to) the row of `key` in compared search `name`; false when there is none.
    bool selectComparedCandidate(const QString& name, const QString& key);

signals:
    // A compared search's row became the current one (`name`: its overlay name), or (empty) a row of the
    // shown search did. (The document's selection says the same: selectedRun().)
    void comparedCandidateSelected(const QString& name, const QString& key);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    // "Diff with the Selected Architecture" (the row under the mouse, RunDocument::diffWithSelected),
    // "Select".
    void showContextMenu(const QPoint& viewportPos);
    void updateCount();
    void updateRunColumn();
    // The model row of the current (selected) row; -1 when none.
    int currentModelRow() const;
    // Makes the document's selected candidate (of its search) the current row.
    void showDocumentSelection();
    // The search of a model row as the document names it: 0 the shown one, else the compared run's id.
    qint64 searchOf(int row) const;

    RunDocument* document_ = nullptr;
    CandidateTableModel* model_ = nullptr;
    CandidateFilterModel* proxy_ = nullptr;
    QTableView* table_ = nullptr;
    QLineEdit* filterEdit_ = nullptr;
    QLabel* countLabel_ = nullptr;
    QLabel* errorLabel_ = nullptr;
    QString filterError_;
    bool syncing_ = false;
};

} // namespace automoe::ui
