#include "ui/plots/RankThroughput.h"

#include "ui/plots/PlotTheme.h"

#include <qcustomplot.h>

#include <QLocale>
#include <QObject>
#include <algorithm>
#include <cmath>
#include <iterator>

namespace automoe::ui {

namespace {

// Tableau 10 without its purple (the run's own throughput): one colour per rank, repeating past eight.
const QColor kRankColors[] = {QColor(0x4e, 0x79, 0xa7), QColor(0xf2, 0x8e, 0x2b), QColor(0x59, 0xa1, 0x4f),
                              QColor(0xe1, 0x57, 0x59), QColor(0x76, 0xb7, 0xb2), QColor(0xed, 0xc9, 0x48),
                              QColor(0xff, 0x9d, 0xa7), QColor(0x9c, 0x75, 0x5f)};

double rateOf(const RankStepRow& r) {
    return r.busyMs > 0 ? double(r.tokens) * 1000.0 / r.busyMs : 0.0;
}

} // namespace

RankThroughput::RankThroughput(QCustomPlot& plot, QCPAxisRect* rect, QCPGraph* total, const QFont& font,
                               QColor text, QColor paper, QColor border)
    : plot_(plot)
    , rect_(rect)
    , total_(total)
    , legend_(new QCPLegend)
    , totalName_(total->name()) {
    rect_->insetLayout()->addElement(legend_, Qt::AlignTop | Qt::AlignRight);
    legend_->setLayer(QStringLiteral("legend"));
    QFont small = font;
    small.setPointSizeF(8.5);
    legend_->setFont(small);
    legend_->setTextColor(text);
    paper.setAlpha(225);
    legend_->setBrush(paper);
    legend_->setBorderPen(QPen(border, 1));
    legend_->setIconSize(18, 10);
    legend_->setRowSpacing(0);
    legend_->setVisible(false);
}

void RankThroughput::ensureRanks(int count) {
    while (int(ranks_.size()) < count) {
        const int r = int(ranks_.size());
        Rank rank;
        rank.graph = plot_.addGraph(rect_->axis(QCPAxis::atBottom), rect_->axis(QCPAxis::atLeft));
        rank.graph->setName(QObject::tr("Rank %1, own time").arg(r));
        rank.graph->setPen(QPen(kRankColors[r % int(std::size(kRankColors))], 1.4));
        rank.graph->setAdaptiveSampling(true);
        rank.graph->setSelectable(QCP::stNone);
        ranks_.push_back(rank);
    }
    updateLegend();
}

void RankThroughput::updateLegend() {
    legend_->clearItems();
    const int world = rankCount();
    legend_->setVisible(world > 0);
    if (world == 0) return;
    legend_->addItem(new QCPPlottableLegendItem(legend_, total_));
    for (const Rank& r : ranks_)
        legend_->addItem(new QCPPlottableLegendItem(legend_, r.graph));
    // The run's own line is the update's tokens over its wall time (all-reduce and optimizer step
    // included), a rank's its shard's tokens over its own time: say which is which, and how many ranks.
    total_->setName(world == 1 ? QObject::tr("1 process, wall time")
                               : QObject::tr("%1 processes, wall time").arg(world));
}

void RankThroughput::addSteps(const std::vector<TrainingStepRow>& rows) {
    bool ordered = true;
    int most = rankCount();
    for (const TrainingStepRow& row : rows) {
        if (row.ranks.empty()) continue;
        most = std::max(most, int(row.ranks.size()));
    }
    if (most > rankCount()) ensureRanks(most);
    for (const TrainingStepRow& row : rows) {
        if (row.ranks.empty()) continue;
        ordered = ordered && row.update > lastUpdate_;
        lastUpdate_ = std::max(lastUpdate_, row.update);
        for (std::size_t r = 0; r < row.ranks.size(); ++r) {
            Rank& rank = ranks_[r];
            auto at = std::lower_bound(rank.updates.begin(), rank.updates.end(), row.update);
            const auto i = at - rank.updates.begin();
            if (at != rank.updates.end() && *at == row.update) {
                rank.rows[std::size_t(i)] = row.ranks[r]; // a resumed run logged the update again
            } else {
                rank.updates.insert(at, row.update);
                rank.rows.insert(rank.rows.begin() + i, row.ranks[r]);
            }
            if (!ordered || row.ranks[r].busyMs <= 0) continue;
            rank.value = smoothing_ * rank.value + (1 - smoothing_) * rateOf(row.ranks[r]);
            rank.weight = smoothing_ * rank.weight + (1 - smoothing_);
            rank.graph->addData(double(row.update), rank.value / rank.weight);
        }
    }
    if (!ordered) smoothAll();
}

void RankThroughput::smoothAll() {
    for (Rank& rank : ranks_) {
        rank.value = rank.weight = 0;
        QVector<double> keys, values;
        for (std::size_t i = 0; i < rank.rows.size(); ++i) {
            if (rank.rows[i].busyMs <= 0) continue;
            rank.value = smoothing_ * rank.value + (1 - smoothing_) * rateOf(rank.rows[i]);
            rank.weight = smoothing_ * rank.weight + (1 - smoothing_);
            keys.push_back(double(rank.updates[i]));
            values.push_back(rank.value / rank.weight);
        }
        rank.graph->setData(keys, values, true);
    }
}

void RankThroughput::clear() {
    legend_->clearItems(); // before the graphs its items name go
    for (Rank& rank : ranks_)
        plot_.removeGraph(rank.graph);
    ranks_.clear();
    lastUpdate_ = -1;
    total_->setName(totalName_);
    updateLegend();
}

void RankThroughput::setSmoothing(double weight) {
    if (weight == smoothing_) return;
    smoothing_ = weight;
    smoothAll();
}

QVector<QPointF> RankThroughput::tokensPerSecond(int rank) const {
    QVector<QPointF> out;
    if (rank < 0 || rank >= rankCount()) return out;
    const Rank& r = ranks_[std::size_t(rank)];
    for (std::size_t i = 0; i < r.rows.size(); ++i)
        if (r.rows[i].busyMs > 0) out.append(QPointF(double(r.updates[i]), rateOf(r.rows[i])));
    return out;
}

QVector<QPointF> RankThroughput::smoothedTokensPerSecond(int rank) const {
    QVector<QPointF> out;
    if (rank < 0 || rank >= rankCount()) return out;
    const QCPGraph* g = ranks_[std::size_t(rank)].graph;
    for (auto it = g->data()->constBegin(); it != g->data()->constEnd(); ++it)
        out.append(QPointF(it->key, it->value));
    return out;
}

QStringList RankThroughput::legendNames() const {
    QStringList names;
    if (!legend_->visible()) return names;
    for (int i = 0; i < legend_->itemCount(); ++i)
        if (auto* item = qobject_cast<QCPPlottableLegendItem*>(legend_->item(i)))
            names << item->plottable()->name();
    return names;
}

QStringList RankThroughput::toolTipLines(double update) const {
    QStringList lines;
    for (int r = 0; r < rankCount(); ++r) {
        const Rank& rank = ranks_[std::size_t(r)];
        if (rank.updates.empty()) continue;
        auto at = std::lower_bound(rank.updates.begin(), rank.updates.end(), std::int64_t(std::ceil(update)));
        if (at == rank.updates.end()) --at;
        const RankStepRow& row = rank.rows[std::size_t(at - rank.updates.begin())];
        lines << QObject::tr("Rank %1: %2 tokens/s (%3 tokens in %4 ms of its own)")
                     .arg(r)
                     .arg(PlotTheme::siNumber(rateOf(row)))
                     .arg(QLocale().toString(qint64(row.tokens)))
                     .arg(row.busyMs, 0, 'f', 0);
    }
    return lines;
}

} // namespace automoe::ui
