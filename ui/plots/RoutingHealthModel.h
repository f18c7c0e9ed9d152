// RoutingHealthModel is what a training run's "routing_health" events (core/eval/RoutingHealth.h, one per
// routing snapshot) have said so far: the expert-load entropy and the busiest expert's share of every MoE
// layer, per update, as the core computed them. Events are applied one at a time in log order, live or
// replayed, through RunDocument::apply; it holds no widgets and draws nothing. A resumed run validates the
// updates after its last checkpoint again: each update is kept once (the later event wins), as RunDocument
// does for training steps.
#pragma once

#include "eval/RoutingHealth.h"
#include "store/Event.h"

#include <QPointF>
#include <QString>
#include <QStringList>
#include <QVector>
#include <cstdint>
#include <vector>

namespace automoe::ui {

class RoutingHealthModel {
public:
    // An MoE layer: encoder layers sort before decoder layers, each by index.
    struct Layer {
        bool decoder = false;
        int layer = 0; // 0-based
        bool operator<(const Layer& o) const { return decoder != o.decoder ? !decoder : layer < o.layer; }
        bool operator==(const Layer& o) const { return decoder == o.decoder && layer == o.layer; }
    };

    // Applies one event; returns whether the model changed. Events of other types are ignored; a
    // "routing_health" event whose payload cannot be read changes nothing and is listed in errors().
    bool apply(const Event& event);
    void clear();

    // One entry per update, sorted by update.
    const std::vector<RoutingHealth>& history() const { return history_; }
    bool isEmpty() const { return history_.empty(); }
    // Every MoE layer of any entry, in order (a layer may be missing from some entries: a fixed subnet's
    // layers never change, but a run resumed with another space could).
    std::vector<Layer> layers() const;
    // (update, busiest share) and (update, normalized entropy) of `layer` over the history, by update.
    QVector<QPointF> busiestShare(const Layer& layer) const;
    QVector<QPointF> normalizedEntropy(const Layer& layer) const;
    // The layer's entry at history()[index], or nullptr.
    const LayerRoutingHealth* at(int index, const Layer& layer) const;

    // routing_health events applied so far (ignored and unreadable ones not counted).
    int eventCount() const { return events_; }
    // "event 12 (routing_health): ..." for every routing_health event that could not be read.
    const QStringList& errors() const { return errors_; }

private:
    std::vector<RoutingHealth> history_;
    int events_ = 0;
    QStringList errors_;
};

} // namespace automoe::ui
