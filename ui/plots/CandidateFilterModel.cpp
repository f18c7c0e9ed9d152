#include "ui/plots/CandidateFilterModel.h"

#include "ui/plots/CandidateTableModel.h"

#include <cmath>

namespace automoe::ui {

CandidateFilterModel::CandidateFilterModel(CandidateTableModel* source, QObject* parent)
    : QSortFilterProxyModel(parent)
    , source_(source) {
    setSourceModel(source);
    setSortRole(CandidateTableModel::SortRole);
    setDynamicSortFilter(true);
}

bool CandidateFilterModel::setFilterText(const QString& text, QString* error) {
    CandidateFilter parsed;
    if (!parsed.parse(
            text, [this](const QString& name) { return source_->columnOf(name); }, source_->keyColumn(),
            error))
        return false;
    filter_ = parsed;
    text_ = text;
    invalidateRowsFilter();
    return true;
}

std::vector<int> CandidateFilterModel::shownSourceRows() const {
    std::vector<int> rows;
    rows.reserve(std::size_t(rowCount()));
    for (int r = 0; r < rowCount(); ++r)
        rows.push_back(mapToSource(index(r, 0)).row());
    return rows;
}

bool CandidateFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex&) const {
    if (filter_.isEmpty()) return true;
    return filter_.accepts(
        [&](int column) { return source_->value(sourceRow, column); },
        [&](int column) {
            return source_->data(source_->index(sourceRow, column), Qt::DisplayRole).toString();
        });
}

bool CandidateFilterModel::lessThan(const QModelIndex& left, const QModelIndex& right) const {
    if (left.column() == source_->keyColumn())
        return left.data(CandidateTableModel::KeyRole).toString() <
               right.data(CandidateTableModel::KeyRole).toString();
    const double a = source_->value(left.row(), left.column());
    const double b = source_->value(right.row(), right.column());
    // NaN (no genes) last; ties by row, so the order is stable.
    if (std::isnan(a) != std::isnan(b)) return std::isnan(b);
    if (a != b && !std::isnan(a)) return a < b;
    return left.row() < right.row();
}

} // namespace automoe::ui
