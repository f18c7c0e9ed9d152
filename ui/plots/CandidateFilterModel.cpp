#include "ui/plots/CandidateFilterModel.h"

#include "ui/plots/CandidateTableModel.h"

#include <algorithm>
#include <cmath>
#include <iterator>

namespace automoe::ui {

namespace {
// Up to this many rows of a batch are inserted one by one (rowsInserted); more are merged in one pass.
constexpr std::size_t kSingleInserts = 16;
} // namespace

CandidateFilterModel::CandidateFilterModel(CandidateTableModel* source, QObject* parent)
    : QAbstractProxyModel(parent)
    , source_(source) {
    QAbstractProxyModel::setSourceModel(source);
    connect(source_, &QAbstractItemModel::modelAboutToBeReset, this, [this] { beginResetModel(); });
    connect(source_, &QAbstractItemModel::modelReset, this, [this] {
        refill();
        endResetModel();
    });
    connect(source_, &QAbstractItemModel::rowsInserted, this,
            [this](const QModelIndex&, int first, int last) { sourceRowsInserted(first, last); });
    // Rows removed (a compared search's): rare, so the shown rows are rebuilt from scratch.
    connect(source_, &QAbstractItemModel::rowsAboutToBeRemoved, this, [this] { beginResetModel(); });
    connect(source_, &QAbstractItemModel::rowsRemoved, this, [this] {
        refill();
        endResetModel();
    });
    connect(source_, &QAbstractItemModel::dataChanged, this, &CandidateFilterModel::sourceDataChanged);
    connect(source_, &QAbstractItemModel::headerDataChanged, this, &QAbstractItemModel::headerDataChanged);
    sourceRowsInserted(0, source_->rowCount() - 1);
}

bool CandidateFilterModel::setFilterText(const QString& text, QString* error) {
    CandidateFilter parsed;
    if (!parsed.parse(
            text, [this](const QString& name) { return source_->columnOf(name); }, source_->keyColumn(),
            error))
        return false;
    filter_ = parsed;
    text_ = text;
    rebuild();
    return true;
}

bool CandidateFilterModel::accepts(int sourceRow) const {
    if (filter_.isEmpty()) return true;
    return filter_.accepts(
        [&](int column) { return source_->value(sourceRow, column); },
        [&](int column) {
            return source_->data(source_->index(sourceRow, column), Qt::DisplayRole).toString();
        });
}

void CandidateFilterModel::computeKeys(int first, int last) {
    keys_.resize(std::size_t(source_->rowCount()));
    if (sortColumn_ < 0 || sortColumn_ == source_->keyColumn()) return;
    for (int r = first; r <= last; ++r)
        keys_[std::size_t(r)] = source_->value(r, sortColumn_);
}

bool CandidateFilterModel::before(int a, int b) const {
    if (sortOrder_ == Qt::DescendingOrder) std::swap(a, b);
    if (sortColumn_ == source_->keyColumn()) {
        const int c = source_->keyText(a).compare(source_->keyText(b));
        return c != 0 ? c < 0 : a < b;
    }
    const double x = keys_[std::size_t(a)], y = keys_[std::size_t(b)];
    // NaN (no genes) last; ties by row, so the order is stable.
    if (std::isnan(x) != std::isnan(y)) return std::isnan(y);
    if (x != y && !std::isnan(x)) return x < y;
    return a < b;
}

void CandidateFilterModel::sortRows(std::vector<int>& rows) const {
    if (sortColumn_ < 0) return;
    if (sortColumn_ == source_->keyColumn()) {
        std::stable_sort(rows.begin(), rows.end(), [this](int a, int b) { return before(a, b); });
        return;
    }
    // The keys beside the rows in one array and the comparison inlined: the order before() gives (ties by
    // row make it total, so std::sort suffices), several times faster than calling it per comparison.
    struct Item {
        double value;
        int row;
        bool nan;
    };
    std::vector<Item> items;
    items.reserve(rows.size());
    for (int r : rows) {
        const double v = keys_[std::size_t(r)];
        items.push_back({std::isnan(v) ? 0.0 : v, r, std::isnan(v)});
    }
    const auto less = [](const Item& a, const Item& b) {
        if (a.nan != b.nan) return b.nan;
        if (a.value != b.value) return a.value < b.value;
        return a.row < b.row;
    };
    if (sortOrder_ == Qt::DescendingOrder)
        std::sort(items.begin(), items.end(), [&less](const Item& a, const Item& b) { return less(b, a); });
    else
        std::sort(items.begin(), items.end(), less);
    for (std::size_t i = 0; i < items.size(); ++i)
        rows[i] = items[i].row;
}

void CandidateFilterModel::positionsFrom(std::size_t first) {
    position_.resize(std::size_t(source_->rowCount()), -1);
    for (std::size_t p = first; p < order_.size(); ++p)
        position_[std::size_t(order_[p])] = int(p);
}

template <class Change> void CandidateFilterModel::changeLayout(Change change) {
    emit layoutAboutToBeChanged({}, QAbstractItemModel::VerticalSortHint);
    const QModelIndexList before = persistentIndexList();
    std::vector<int> rows;
    rows.reserve(std::size_t(before.size()));
    for (const QModelIndex& i : before)
        rows.push_back(i.row() >= 0 && i.row() < int(order_.size()) ? order_[std::size_t(i.row())] : -1);
    change();
    QModelIndexList after;
    after.reserve(before.size());
    for (int i = 0; i < before.size(); ++i) {
        const int p = rows[std::size_t(i)] >= 0 ? position_[std::size_t(rows[std::size_t(i)])] : -1;
        after << (p >= 0 ? createIndex(p, before[i].column()) : QModelIndex());
    }
    changePersistentIndexList(before, after);
    emit layoutChanged({}, QAbstractItemModel::VerticalSortHint);
}

void CandidateFilterModel::refill(bool keys) {
    if (keys) {
        keys_.clear();
        computeKeys(0, source_->rowCount() - 1);
    }
    order_.clear();
    position_.assign(std::size_t(source_->rowCount()), -1);
    for (int r = 0; r < source_->rowCount(); ++r)
        if (accepts(r)) order_.push_back(r);
    sortRows(order_);
    positionsFrom(0);
}

void CandidateFilterModel::rebuild() {
    changeLayout([this] { refill(false); });
}

void CandidateFilterModel::sort(int column, Qt::SortOrder order) {
    if (column == sortColumn_ && order == sortOrder_) return;
    const bool sameKeys = column == sortColumn_;
    sortColumn_ = column < 0 || column >= source_->columnCount() ? -1 : column;
    sortOrder_ = order;
    if (!sameKeys) computeKeys(0, source_->rowCount() - 1);
    changeLayout([this] {
        if (sortColumn_ >= 0)
            sortRows(order_);
        else
            std::sort(order_.begin(), order_.end());
        positionsFrom(0);
    });
}

void CandidateFilterModel::sourceRowsInserted(int first, int last) {
    if (last < first) return;
    if (first != int(position_.size())) { // not appended: start again
        beginResetModel();
        refill();
        endResetModel();
        return;
    }
    computeKeys(first, last);
    position_.resize(std::size_t(last) + 1, -1);
    std::vector<int> added;
    for (int r = first; r <= last; ++r)
        if (accepts(r)) added.push_back(r);
    if (added.empty()) return;
    const auto less = [this](int a, int b) { return before(a, b); };
    if (sortColumn_ < 0) { // unsorted: source order, so at the end
        const int at = int(order_.size());
        beginInsertRows(QModelIndex(), at, at + int(added.size()) - 1);
        order_.insert(order_.end(), added.begin(), added.end());
        positionsFrom(std::size_t(at));
        endInsertRows();
        return;
    }
    sortRows(added);
    if (added.size() <= kSingleInserts) {
        // A live search's few new candidates: inserted where they belong, the views keep their place.
        for (int r : added) {
            const int at = int(std::upper_bound(order_.begin(), order_.end(), r, less) - order_.begin());
            beginInsertRows(QModelIndex(), at, at);
            order_.insert(order_.begin() + at, r);
            positionsFrom(std::size_t(at));
            endInsertRows();
        }
        return;
    }
    // A batch (a replayed generation, a compared search): one merge, one layout change.
    changeLayout([&] {
        // Merged into the buffer of the order before the last merge, grown with headroom: not a fresh
        // allocation (fresh pages) for every batch.
        std::vector<int> merged = std::move(mergeBuffer_);
        merged.clear();
        const std::size_t need = order_.size() + added.size();
        if (merged.capacity() < need) merged.reserve(need + need / 2);
        std::merge(order_.begin(), order_.end(), added.begin(), added.end(), std::back_inserter(merged),
                   less);
        order_.swap(merged);
        mergeBuffer_ = std::move(merged);
        positionsFrom(0);
    });
}

void CandidateFilterModel::sourceDataChanged(const QModelIndex& topLeft, const QModelIndex& bottomRight,
                                             const QList<int>& roles) {
    if (!topLeft.isValid() || !bottomRight.isValid()) return;
    const int first = topLeft.row(), last = bottomRight.row();
    const bool displayOnly = !roles.isEmpty() && std::all_of(roles.begin(), roles.end(), [](int role) {
        return role == Qt::BackgroundRole || role == Qt::ToolTipRole || role == Qt::FontRole;
    });
    auto touches = [&](int column) { return column >= topLeft.column() && column <= bottomRight.column(); };
    bool reorder = !displayOnly && sortColumn_ >= 0 && touches(sortColumn_);
    if (!displayOnly)
        for (int c : filter_.columns())
            reorder = reorder || touches(c);
    if (!reorder) {
        // Only what the rows show: repaint them where they are.
        int lo = -1, hi = -1;
        for (int r = first; r <= last; ++r) {
            const int p = r < int(position_.size()) ? position_[std::size_t(r)] : -1;
            if (p < 0) continue;
            lo = lo < 0 ? p : std::min(lo, p);
            hi = std::max(hi, p);
        }
        if (lo >= 0) emit dataChanged(index(lo, topLeft.column()), index(hi, bottomRight.column()), roles);
        return;
    }
    // The changed rows leave the order and come back where their new values put them, if accepted.
    computeKeys(first, last);
    changeLayout([&] {
        std::vector<int> changed;
        for (int r = first; r <= last; ++r)
            if (accepts(r)) changed.push_back(r);
        for (int r = first; r <= last; ++r)
            position_[std::size_t(r)] = -1;
        order_.erase(
            std::remove_if(order_.begin(), order_.end(), [&](int r) { return r >= first && r <= last; }),
            order_.end());
        const auto less = [this](int a, int b) { return before(a, b); };
        if (sortColumn_ >= 0) {
            sortRows(changed);
            std::vector<int> merged;
            merged.reserve(order_.size() + changed.size());
            std::merge(order_.begin(), order_.end(), changed.begin(), changed.end(),
                       std::back_inserter(merged), less);
            order_.swap(merged);
        } else {
            order_.insert(std::upper_bound(order_.begin(), order_.end(), first), changed.begin(),
                          changed.end());
        }
        positionsFrom(0);
    });
}

QModelIndex CandidateFilterModel::index(int row, int column, const QModelIndex& parent) const {
    if (parent.isValid() || row < 0 || column < 0 || row >= rowCount() || column >= columnCount()) return {};
    return createIndex(row, column);
}

QModelIndex CandidateFilterModel::parent(const QModelIndex&) const {
    return {};
}

QModelIndex CandidateFilterModel::sibling(int row, int column, const QModelIndex&) const {
    return index(row, column);
}

int CandidateFilterModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(order_.size());
}

int CandidateFilterModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : source_->columnCount();
}

bool CandidateFilterModel::hasChildren(const QModelIndex& parent) const {
    return !parent.isValid() && !order_.empty();
}

QModelIndex CandidateFilterModel::mapToSource(const QModelIndex& proxyIndex) const {
    if (!proxyIndex.isValid() || proxyIndex.model() != this || proxyIndex.row() >= int(order_.size()))
        return {};
    return source_->index(order_[std::size_t(proxyIndex.row())], proxyIndex.column());
}

QModelIndex CandidateFilterModel::mapFromSource(const QModelIndex& sourceIndex) const {
    if (!sourceIndex.isValid() || sourceIndex.row() >= int(position_.size())) return {};
    const int p = position_[std::size_t(sourceIndex.row())];
    return p >= 0 ? createIndex(p, sourceIndex.column()) : QModelIndex();
}

QVariant CandidateFilterModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation == Qt::Horizontal) return source_->headerData(section, orientation, role);
    return QAbstractProxyModel::headerData(section, orientation, role);
}

} // namespace automoe::ui
