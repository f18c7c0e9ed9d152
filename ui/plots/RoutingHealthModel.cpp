#include "ui/plots/RoutingHealthModel.h"

#include <algorithm>
#include <set>

namespace automoe::ui {

namespace {

RoutingHealthModel::Layer keyOf(const LayerRoutingHealth& l) {
    return {l.stack == "decoder", l.layer};
}

} // namespace

bool RoutingHealthModel::apply(const Event& event) {
    if (event.type != "routing_health") return false;
    RoutingHealth health;
    try {
        health = routingHealthFromJson(event.payload);
    } catch (const std::exception& e) {
        errors_.append(QStringLiteral("event %1 (%2): %3")
                           .arg(event.seq)
                           .arg(QString::fromStdString(event.type), QString::fromUtf8(e.what())));
        return false;
    }
    auto it = std::lower_bound(history_.begin(), history_.end(), health.update,
                               [](const RoutingHealth& h, std::int64_t update) { return h.update < update; });
    if (it != history_.end() && it->update == health.update)
        *it = std::move(health);
    else
        history_.insert(it, std::move(health));
    ++events_;
    return true;
}

void RoutingHealthModel::clear() {
    *this = RoutingHealthModel();
}

std::vector<RoutingHealthModel::Layer> RoutingHealthModel::layers() const {
    std::set<Layer> all;
    for (const RoutingHealth& h : history_)
        for (const LayerRoutingHealth& l : h.layers)
            all.insert(keyOf(l));
    return {all.begin(), all.end()};
}

const LayerRoutingHealth* RoutingHealthModel::at(int index, const Layer& layer) const {
    if (index < 0 || index >= int(history_.size())) return nullptr;
    for (const LayerRoutingHealth& l : history_[std::size_t(index)].layers)
        if (keyOf(l) == layer) return &l;
    return nullptr;
}

QVector<QPointF> RoutingHealthModel::busiestShare(const Layer& layer) const {
    QVector<QPointF> out;
    for (int i = 0; i < int(history_.size()); ++i)
        if (const LayerRoutingHealth* l = at(i, layer))
            out.append(QPointF(double(history_[std::size_t(i)].update), l->busiestShare));
    return out;
}

QVector<QPointF> RoutingHealthModel::normalizedEntropy(const Layer& layer) const {
    QVector<QPointF> out;
    for (int i = 0; i < int(history_.size()); ++i)
        if (const LayerRoutingHealth* l = at(i, layer))
            out.append(QPointF(double(history_[std::size_t(i)].update), l->normalizedEntropy));
    return out;
}

} // namespace automoe::ui
