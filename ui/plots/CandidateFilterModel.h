// CandidateFilterModel sorts the candidate table by any column (CandidateTableModel::SortRole: numbers as
// numbers) and shows only the rows a CandidateFilter accepts.
#pragma once

#include "ui/plots/CandidateFilter.h"

#include <QSortFilterProxyModel>

namespace automoe::ui {

class CandidateTableModel;

class CandidateFilterModel : public QSortFilterProxyModel {
    Q_OBJECT

public:
    explicit CandidateFilterModel(CandidateTableModel* source, QObject* parent = nullptr);

    // Parses and applies `text` (CandidateFilter); a bad text keeps the filter before it and returns false
    // with `error` naming the term.
    bool setFilterText(const QString& text, QString* error = nullptr);
    QString filterText() const { return text_; }
    CandidateTableModel* candidates() const { return source_; }
    // The source rows shown, in the order shown.
    std::vector<int> shownSourceRows() const;

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;
    bool lessThan(const QModelIndex& left, const QModelIndex& right) const override;

private:
    CandidateTableModel* source_;
    CandidateFilter filter_;
    QString text_;
};

} // namespace automoe::ui
