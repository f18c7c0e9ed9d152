// CandidateFilterModel sorts the candidate table by any column (CandidateTableModel::value: numbers as
// numbers, the key as text) and shows only the rows a CandidateFilter accepts. It is a proxy of its own
// rather than a QSortFilterProxyModel because of 100k-row searches: it keeps each source row's number of the
// sort column in a plain array, sorts a permutation of row numbers with std::stable_sort on it (no
// QModelIndex or data() call per comparison), and merges a batch of appended rows into the sorted order in
// one pass and one layout change (QSortFilterProxyModel inserted them one interval at a time). Ties keep the
// source order (descending: reversed), rows without a value (NaN) sort last ascending, as before.
// Persistent indexes (the selection) follow their rows through every sort, filter and merge.
#pragma once

#include "ui/plots/CandidateFilter.h"

#include <QAbstractProxyModel>
#include <vector>

namespace automoe::ui {

class CandidateTableModel;

class CandidateFilterModel : public QAbstractProxyModel {
    Q_OBJECT

public:
    explicit CandidateFilterModel(CandidateTableModel* source, QObject* parent = nullptr);

    // Parses and applies `text` (CandidateFilter); a bad text keeps the filter before it and returns false
    // with `error` naming the term.
    bool setFilterText(const QString& text, QString* error = nullptr);
    QString filterText() const { return text_; }
    CandidateTableModel* candidates() const { return source_; }
    // The source rows shown, in the order shown.
    const std::vector<int>& shownSourceRows() const { return order_; }
    int sortColumn() const { return sortColumn_; }
    Qt::SortOrder sortOrder() const { return sortOrder_; }

    QModelIndex index(int row, int column, const QModelIndex& parent = QModelIndex()) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    QModelIndex sibling(int row, int column, const QModelIndex& idx) const override;
    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    int columnCount(const QModelIndex& parent = QModelIndex()) const override;
    bool hasChildren(const QModelIndex& parent = QModelIndex()) const override;
    QModelIndex mapToSource(const QModelIndex& proxyIndex) const override;
    QModelIndex mapFromSource(const QModelIndex& sourceIndex) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;

private:
    bool accepts(int sourceRow) const;
    // a before b in the shown order (keys_ of the sort column; ties by source row; descending reversed).
    bool before(int a, int b) const;
    void computeKeys(int first, int last);
    // Sorts source rows into the shown order (the sort column's keys_, as before() orders them).
    void sortRows(std::vector<int>& rows) const;
    // Filters and sorts every row again (keys: reading the sort column's values again first).
    void refill(bool keys = true);
    // refill() as one layout change.
    void rebuild();
    // Runs `change` (which rewrites order_ and position_) inside a layout change that carries the
    // persistent indexes to their rows' new places (or drops them when their row is filtered out).
    template <class Change> void changeLayout(Change change);
    void positionsFrom(std::size_t first);
    void sourceRowsInserted(int first, int last);
    void sourceDataChanged(const QModelIndex& topLeft, const QModelIndex& bottomRight,
                           const QList<int>& roles);

    CandidateTableModel* source_;
    CandidateFilter filter_;
    QString text_;
    int sortColumn_ = -1;
    Qt::SortOrder sortOrder_ = Qt::AscendingOrder;
    std::vector<int> order_;       // shown row -> source row
    std::vector<int> position_;    // source row -> shown row, -1 when filtered out
    std::vector<double> keys_;     // source row -> the sort column's number (unused for the key column)
    std::vector<int> mergeBuffer_; // the order before the last merge, kept for its capacity
};

} // namespace automoe::ui
