// RankThroughput draws, in the Training view's throughput panel, the tokens per second of each rank
// (process) of a multi-process run: a rank's shard tokens over its own busy time of the update (the
// "ranks" of the step rows; the wait in the all-reduce left out), smoothed with the run's throughput
// average, one line per rank. A legend of its own in the panel's corner names the ranks and the world size;
// a one-process run (or one stored before steps carried per-rank figures) draws nothing and hides it.
#pragma once

#include "store/RunRecords.h"

#include <QColor>
#include <QFont>
#include <QPointF>
#include <QString>
#include <QStringList>
#include <QVector>
#include <vector>

class QCustomPlot;
class QCPAxisRect;
class QCPGraph;
class QCPLegend;

namespace automoe::ui {

class RankThroughput {
public:
    // Draws into `rect` of `plot`; `total` is the run's own smoothed throughput graph, listed first in the
    // legend ("All 2 processes") while ranks are drawn.
    RankThroughput(QCustomPlot& plot, QCPAxisRect* rect, QCPGraph* total, const QFont& font, QColor text,
                   QColor paper, QColor border);

    // Steps of the run in update order (a step without ranks adds nothing); a step at or before the last
    // one added makes the averages be taken again from the start.
    void addSteps(const std::vector<TrainingStepRow>& rows);
    void clear();
    void setSmoothing(double weight);

    // How many ranks the steps had (0: none, a one-process run).
    int rankCount() const { return int(ranks_.size()); }
    // Rank `rank`'s tokens per second at each update (raw, and as drawn: smoothed).
    QVector<QPointF> tokensPerSecond(int rank) const;
    QVector<QPointF> smoothedTokensPerSecond(int rank) const;
    // The legend's entries, top to bottom (empty while hidden).
    QStringList legendNames() const;
    // "Rank 1: 4.1k tokens/s (512 tokens in 125 ms of its own)" at the first update >= `update`, per rank.
    QStringList toolTipLines(double update) const;

private:
    struct Rank {
        std::vector<std::int64_t> updates;
        std::vector<RankStepRow> rows;
        QCPGraph* graph = nullptr;
        double value = 0, weight = 0; // the debiased average's running state
    };
    void ensureRanks(int count);
    void smoothAll();
    void updateLegend();

    QCustomPlot& plot_;
    QCPAxisRect* rect_;
    QCPGraph* total_;
    QCPLegend* legend_;
    QString totalName_;
    std::vector<Rank> ranks_;
    double smoothing_ = 0.98;
    std::int64_t lastUpdate_ = -1;
};

} // namespace automoe::ui
