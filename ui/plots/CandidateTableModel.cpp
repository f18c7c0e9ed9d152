#include "ui/plots/CandidateTableModel.h"

#include "search/GeneFeatures.h"
#include "search/Pareto.h"
#include "ui/plots/PlotTheme.h"
#include "ui/run/RunDocument.h"

#include <QFont>
#include <algorithm>
#include <cmath>
#include <limits>

namespace automoe::ui {

CandidateTableModel::CandidateTableModel(QObject* parent)
    : QAbstractTableModel(parent) {
    geneCount_ = int(geneFeatures().size());
    names_ = {QStringLiteral("id"),    QStringLiteral("gen"),    QStringLiteral("fitness"),
              QStringLiteral("flops"), QStringLiteral("params"), QStringLiteral("latency"),
              QStringLiteral("front")};
    for (const GeneFeature& f : geneFeatures())
        names_ << QString::fromLatin1(f.name);
    names_ << QStringLiteral("key") << QStringLiteral("run");
}

void CandidateTableModel::setDocument(RunDocument* document) {
    if (document_) disconnect(document_, nullptr, this, nullptr);
    document_ = document;
    clear();
    if (!document_) return;
    connect(document_, &RunDocument::cleared, this, &CandidateTableModel::clear);
    connect(document_, &RunDocument::candidatesAdded, this,
            [this](int first) { addCandidates(document_->candidates(), std::size_t(first)); });
    connect(document_, &RunDocument::diffChanged, this,
            [this](const QString& key) { setDiff(document_->diffRun(), key); });
    addCandidates(document_->candidates());
    setDiff(document_->diffRun(), document_->diffKey());
}

void CandidateTableModel::setDiff(qint64 run, const QString& key) {
    if (key == diffKey_ && run == diffRun_) return;
    diffKey_ = key;
    diffRun_ = key.isEmpty() ? 0 : run;
    const int before = diffRow_;
    diffRow_ = -2; // repaint the new row even when it is the old one's place
    updateDiffRow();
    if (before >= 0 && before != diffRow_)
        emit dataChanged(index(before, 0), index(before, columnCount() - 1),
                         {Qt::BackgroundRole, Qt::ToolTipRole});
    emit diffKeyChanged(diffKey_);
}

void CandidateTableModel::updateDiffRow() {
    const int row = diffKey_.isEmpty() ? -1 : rowOfRunKey(diffRun_, diffKey_);
    if (row == diffRow_) return;
    diffRow_ = row;
    if (row >= 0)
        emit dataChanged(index(row, 0), index(row, columnCount() - 1), {Qt::BackgroundRole, Qt::ToolTipRole});
}

int CandidateTableModel::rowOfRunKey(qint64 run, const QString& key) const {
    if (run == 0 || (document_ && run == document_->runId())) return rowOfKey(key);
    for (const Compared& c : compared_)
        if (c.runId == run) return c.byKey.value(key, -1);
    return -1;
}

void CandidateTableModel::setCostMetric(CostMetric metric) {
    if (metric == metric_) return;
    metric_ = metric;
    updateAllFronts();
}

void CandidateTableModel::updateAllFronts() {
    updateFront(0, -1);
    for (const Compared& c : compared_)
        updateFront(c.runId, -1);
}

void CandidateTableModel::clear() {
    if (rows_.empty()) return;
    if (!compared_.empty()) {
        // The compared searches stay (as the Pareto view keeps its overlays); only the shown one's rows go.
        removeSource(0);
        return;
    }
    beginResetModel();
    rows_.clear();
    source_.clear();
    byKey_.clear();
    front_.clear();
    diffRow_ = -1;
    endResetModel();
}

CandidateTableModel::Compared* CandidateTableModel::comparedOf(qint64 runId) {
    for (Compared& c : compared_)
        if (c.runId == runId) return &c;
    return nullptr;
}

const CandidateTableModel::Compared* CandidateTableModel::comparedNamed(const QString& name) const {
    for (const Compared& c : compared_)
        if (c.name == name) return &c;
    return nullptr;
}

void CandidateTableModel::setComparedRun(qint64 runId, const QString& name,
                                         const std::vector<CandidateRow>& rows) {
    if (runId <= 0) return;
    if (comparedOf(runId)) removeComparedRun(runId);
    if (rows.empty()) return;
    Compared c;
    c.runId = runId;
    c.name = name;
    std::vector<CandidateRecord> added;
    const int first = int(rows_.size());
    for (const CandidateRow& row : rows) {
        CandidateRecord r = candidateCosts(row, false);
        try {
            r.genes = geneFeatureValues(row.architecture.json);
        } catch (const std::exception&) {
        }
        if (r.genes.size() != std::size_t(geneCount_))
            r.genes.assign(std::size_t(geneCount_), std::numeric_limits<double>::quiet_NaN());
        const QString key = QString::fromStdString(r.key);
        const auto known = c.byKey.constFind(key);
        if (known != c.byKey.constEnd()) { // logged again: the later row wins
            added[std::size_t(*known - first)] = std::move(r);
            continue;
        }
        c.byKey.insert(key, first + int(added.size()));
        added.push_back(std::move(r));
    }
    beginInsertRows(QModelIndex(), first, first + int(added.size()) - 1);
    for (CandidateRecord& r : added) {
        rows_.push_back(std::move(r));
        source_.push_back(runId);
    }
    compared_.push_back(std::move(c));
    endInsertRows();
    updateFront(runId, -1);
    updateDiffRow();
    emit comparedRunsChanged();
}

void CandidateTableModel::removeComparedRun(qint64 runId) {
    if (!comparedOf(runId)) return;
    removeSource(runId);
    compared_.erase(std::remove_if(compared_.begin(), compared_.end(),
                                   [runId](const Compared& c) { return c.runId == runId; }),
                    compared_.end());
    emit comparedRunsChanged();
}

void CandidateTableModel::clearComparedRuns() {
    while (!compared_.empty())
        removeComparedRun(compared_.back().runId);
}

QList<qint64> CandidateTableModel::comparedRuns() const {
    QList<qint64> runs;
    for (const Compared& c : compared_)
        runs << c.runId;
    return runs;
}

void CandidateTableModel::removeSource(qint64 source) {
    // Rows arrive in batches, so a search's rows are a few blocks: one removal each, from the end.
    for (int i = int(rows_.size()) - 1; i >= 0; --i) {
        if (source_[std::size_t(i)] != source) continue;
        int j = i;
        while (j > 0 && source_[std::size_t(j - 1)] == source)
            --j;
        beginRemoveRows(QModelIndex(), j, i);
        rows_.erase(rows_.begin() + j, rows_.begin() + i + 1);
        source_.erase(source_.begin() + j, source_.begin() + i + 1);
        endRemoveRows();
        i = j;
    }
    reindex();
}

void CandidateTableModel::reindex() {
    byKey_.clear();
    front_.clear();
    for (Compared& c : compared_) {
        c.byKey.clear();
        c.front.clear();
    }
    for (int i = 0; i < int(rows_.size()); ++i) {
        const QString key = QString::fromStdString(rows_[std::size_t(i)].key);
        const bool on = rows_[std::size_t(i)].onFront;
        if (source_[std::size_t(i)] == 0) {
            byKey_.insert(key, i);
            if (on) front_.push_back(i);
        } else if (Compared* c = comparedOf(source_[std::size_t(i)])) {
            c->byKey.insert(key, i);
            if (on) c->front.push_back(i);
        }
    }
    diffRow_ = -2; // renumbered
    updateDiffRow();
}

bool CandidateTableModel::isCompared(int row) const {
    return row >= 0 && row < rowCount() && source_[std::size_t(row)] != 0;
}

qint64 CandidateTableModel::runAt(int row) const {
    if (row < 0 || row >= rowCount()) return 0;
    const qint64 source = source_[std::size_t(row)];
    return source != 0 ? source : document_ ? document_->runId() : 0;
}

QString CandidateTableModel::comparisonNameAt(int row) const {
    if (!isCompared(row)) return QString();
    for (const Compared& c : compared_)
        if (c.runId == source_[std::size_t(row)]) return c.name;
    return QString();
}

int CandidateTableModel::rowOfComparedKey(const QString& name, const QString& key) const {
    const Compared* c = comparedNamed(name);
    return c ? c->byKey.value(key, -1) : -1;
}

void CandidateTableModel::addCandidates(const std::vector<CandidateRow>& rows, std::size_t first) {
    std::vector<CandidateRecord> added;
    added.reserve(first < rows.size() ? rows.size() - first : 0);
    bool replaced = false;
    const int firstNew = int(rows_.size());
    for (std::size_t i = first; i < rows.size(); ++i) {
        const CandidateRow& row = rows[i];
        CandidateRecord r = candidateCosts(row, false); // on-front: the front update after the batch
        try {
            r.genes = geneFeatureValues(row.architecture.json);
        } catch (const std::exception&) {
            // An architecture without readable genes still lists its costs (its genes as "—").
        }
        if (r.genes.size() != std::size_t(geneCount_))
            r.genes.assign(std::size_t(geneCount_), std::numeric_limits<double>::quiet_NaN());
        const QString key = QString::fromStdString(r.key);
        const auto known = byKey_.constFind(key);
        if (known != byKey_.constEnd() && std::size_t(*known) >= rows_.size()) {
            added[std::size_t(*known) - rows_.size()] = std::move(r); // twice in this batch: the later wins
            continue;
        }
        if (known != byKey_.constEnd()) {
            rows_[std::size_t(*known)] = std::move(r);
            replaced = true;
            emit dataChanged(index(*known, 0), index(*known, columnCount() - 1));
            continue;
        }
        byKey_.insert(key, int(rows_.size() + added.size()));
        added.push_back(std::move(r));
    }
    if (!added.empty()) {
        beginInsertRows(QModelIndex(), int(rows_.size()), int(rows_.size() + added.size()) - 1);
        for (CandidateRecord& r : added) {
            rows_.push_back(std::move(r));
            source_.push_back(0);
        }
        endInsertRows();
    }
    updateFront(0, replaced ? -1 : firstNew);
    if (!diffKey_.isEmpty() && diffRow_ < 0) updateDiffRow(); // B arrived after the diff began
}

int CandidateTableModel::costColumn() const {
    return metric_ == CostMetric::Flops          ? FlopsColumn
           : metric_ == CostMetric::ActiveParams ? ParamsColumn
                                                 : LatencyColumn;
}

void CandidateTableModel::updateFront(qint64 source, int firstNew) {
    // Rows only appended: the new front is the front of the old front and the new rows, so a batch costs
    // O((front + new) log) instead of a sort of every row. A replaced row or a new metric recomputes it all.
    // Each search has its own front.
    Compared* compared = source != 0 ? comparedOf(source) : nullptr;
    if (source != 0 && !compared) return;
    std::vector<int>& kept = compared ? compared->front : front_;
    const bool incremental = firstNew >= 0;
    std::vector<ParetoPoint> points;
    std::vector<int> which;
    auto consider = [&](int i) {
        if (source_[std::size_t(i)] != source) return;
        const double cost = value(i, costColumn());
        if (!std::isfinite(cost) || !std::isfinite(rows_[std::size_t(i)].fitness)) return;
        points.push_back({cost, rows_[std::size_t(i)].fitness});
        which.push_back(i);
    };
    if (incremental) {
        for (int i : kept)
            consider(i);
        for (int i = firstNew; i < int(rows_.size()); ++i)
            consider(i);
    } else {
        for (int i = 0; i < int(rows_.size()); ++i)
            consider(i);
    }
    std::vector<int> front;
    for (std::size_t k : paretoFront(points))
        front.push_back(which[k]);
    std::sort(front.begin(), front.end());
    // Rows whose flag changes: the old front's and the new front's.
    std::vector<int> touched = kept;
    touched.insert(touched.end(), front.begin(), front.end());
    if (!incremental)
        for (int i = 0; i < int(rows_.size()); ++i)
            if (source_[std::size_t(i)] == source) touched.push_back(i);
    kept = front;
    for (int i : touched) {
        const bool on = std::binary_search(kept.begin(), kept.end(), i);
        CandidateRecord& r = rows_[std::size_t(i)];
        if (r.onFront == on) continue;
        r.onFront = on;
        emit dataChanged(index(i, FrontColumn), index(i, FrontColumn));
    }
}

int CandidateTableModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(rows_.size());
}

int CandidateTableModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(names_.size());
}

double CandidateTableModel::value(int row, int column) const {
    const CandidateRecord& r = rows_.at(std::size_t(row));
    const double inf = std::numeric_limits<double>::infinity();
    switch (column) {
    case IdColumn:
        return double(r.archId);
    case GenerationColumn:
        return double(r.generation);
    case FitnessColumn:
        return r.fitness;
    case FlopsColumn:
        return r.flops;
    case ParamsColumn:
        return double(r.paramsActive);
    case LatencyColumn:
        return r.latencyMs ? *r.latencyMs : r.predictedLatencyMs ? *r.predictedLatencyMs : inf;
    case FrontColumn:
        return r.onFront ? 1.0 : 0.0;
    default:
        break;
    }
    if (column == runColumn()) return double(runAt(row));
    const int gene = column - FirstGeneColumn;
    if (gene >= 0 && gene < geneCount_) return r.genes[std::size_t(gene)];
    return std::numeric_limits<double>::quiet_NaN();
}

QVariant CandidateTableModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rowCount()) return {};
    const CandidateRecord& r = rows_[std::size_t(index.row())];
    const int column = index.column();
    if (role == KeyRole) return QString::fromStdString(r.key);
    if (role == SortRole) {
        if (column == keyColumn()) return QString::fromStdString(r.key);
        return value(index.row(), column);
    }
    if (role == Qt::TextAlignmentRole)
        return column == keyColumn() ? QVariant(Qt::AlignLeft | Qt::AlignVCenter)
                                     : QVariant(Qt::AlignRight | Qt::AlignVCenter);
    const bool compared = source_[std::size_t(index.row())] != 0;
    const bool diffB = index.row() == diffRow_;
    if (role == Qt::BackgroundRole && diffB) return QColor(0xd6, 0x33, 0x6c, 48); // the diff's raspberry
    if (role == Qt::ToolTipRole && column == LatencyColumn && !r.latencyMs && r.predictedLatencyMs)
        return tr("Predicted by the latency predictor");
    if (role == Qt::ToolTipRole && diffB)
        return tr("B of the architecture diff (drawn beside the selected architecture)");
    if (role == Qt::ToolTipRole && column == runColumn())
        return compared ? tr("Candidate of the compared search %1").arg(comparisonNameAt(index.row()))
                        : tr("Candidate of the shown search");
    if (role == Qt::FontRole && column == runColumn() && !compared) {
        QFont bold;
        bold.setBold(true);
        return bold;
    }
    if (role != Qt::DisplayRole) return {};
    switch (column) {
    case IdColumn:
        return r.archId > 0 ? QString::number(r.archId) : QStringLiteral("—");
    case GenerationColumn:
        return QString::number(r.generation);
    case FitnessColumn:
        return QString::number(r.fitness, 'f', 4);
    case FlopsColumn:
        return PlotTheme::siNumber(r.flops, 4);
    case ParamsColumn:
        return PlotTheme::siNumber(double(r.paramsActive), 4);
    case LatencyColumn: {
        const double v = value(index.row(), column);
        return std::isfinite(v)
                   ? QString::number(v, 'f', 2) + (r.latencyMs ? QString() : QStringLiteral(" p"))
                   : QStringLiteral("—");
    }
    case FrontColumn:
        return r.onFront ? tr("yes") : QString();
    default:
        break;
    }
    if (column == keyColumn()) return QString::fromStdString(r.key);
    if (column == runColumn()) return QString::number(runAt(index.row()));
    const double v = value(index.row(), column);
    if (!std::isfinite(v)) return QStringLiteral("—");
    return v == std::round(v) ? QString::number(qint64(v)) : QString::number(v, 'f', 2);
}

QVariant CandidateTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || section < 0 || section >= names_.size()) return {};
    if (role == Qt::DisplayRole) return names_[section];
    if (role == Qt::ToolTipRole) {
        const int gene = section - FirstGeneColumn;
        QString what;
        if (gene >= 0 && gene < geneCount_)
            what = QString::fromLatin1(geneFeatures()[std::size_t(gene)].label);
        else if (section == IdColumn)
            what = tr("The architecture's id in the run database");
        else if (section == FitnessColumn)
            what = tr("Validation loss with inherited weights (lower is better)");
        else if (section == LatencyColumn)
            what = tr("Latency in ms: measured, else predicted (p)");
        else if (section == FrontColumn)
            what = tr("On the Pareto front of fitness against the Pareto view's cost");
        else if (section == keyColumn())
            what = tr("The architecture's canonical key");
        else if (section == runColumn())
            what = tr("The search the candidate came from (the shown one in bold, else a compared one)");
        return tr("%1 — filter with e.g. \"%2<4.5\"")
            .arg(what.isEmpty() ? names_[section] : what, names_[section]);
    }
    return {};
}

QString CandidateTableModel::columnName(int column) const {
    return column >= 0 && column < names_.size() ? names_[column] : QString();
}

int CandidateTableModel::columnOf(const QString& name) const {
    for (int i = 0; i < names_.size(); ++i)
        if (names_[i].compare(name, Qt::CaseInsensitive) == 0) return i;
    if (name.compare(QLatin1String("generation"), Qt::CaseInsensitive) == 0) return GenerationColumn;
    if (name.compare(QLatin1String("on_front"), Qt::CaseInsensitive) == 0) return FrontColumn;
    return -1;
}

QString CandidateTableModel::keyAt(int row) const {
    return row >= 0 && row < rowCount() ? QString::fromStdString(rows_[std::size_t(row)].key) : QString();
}

int CandidateTableModel::rowOfKey(const QString& key) const {
    return byKey_.value(key, -1);
}

std::vector<CandidateRecord> CandidateTableModel::records() const {
    std::vector<CandidateRecord> out;
    out.reserve(rows_.size());
    for (int r = 0; r < rowCount(); ++r) {
        out.push_back(rows_[std::size_t(r)]);
        out.back().run = runAt(r);
    }
    return out;
}

std::vector<CandidateRecord> CandidateTableModel::records(const std::vector<int>& rows) const {
    std::vector<CandidateRecord> out;
    out.reserve(rows.size());
    for (int r : rows)
        if (r >= 0 && r < rowCount()) {
            out.push_back(rows_[std::size_t(r)]);
            out.back().run = runAt(r);
        }
    return out;
}

} // namespace automoe::ui
