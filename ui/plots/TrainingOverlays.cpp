#include "ui/plots/TrainingOverlays.h"

#include "ui/run/RunDocument.h"
#include "ui/run/TrainingComparison.h"

#include <qcustomplot.h>

#include <algorithm>

namespace automoe::ui {

namespace {

QVector<QPointF> pointsOf(const QCPGraph* graph) {
    QVector<QPointF> out;
    if (!graph) return out;
    out.reserve(graph->dataCount());
    for (auto it = graph->data()->constBegin(); it != graph->data()->constEnd(); ++it)
        out.append(QPointF(it->key, it->value));
    return out;
}

QColor withAlpha(QColor c, int alpha) {
    c.setAlpha(alpha);
    return c;
}

} // namespace

TrainingOverlays::TrainingOverlays(QCustomPlot& plot, QCPAxisRect* lossRect, QCPAxisRect* lrRect,
                                   QColor paper)
    : plot_(plot)
    , lossRect_(lossRect)
    , lrRect_(lrRect)
    , paper_(paper) {}

TrainingOverlays::~TrainingOverlays() = default;

void TrainingOverlays::setComparison(TrainingComparison* comparison) {
    if (comparison_) disconnect(comparison_, nullptr, this, nullptr);
    for (const qint64 id : runs())
        remove(id);
    comparison_ = comparison;
    if (comparison_) {
        connect(comparison_, &TrainingComparison::runAdded, this, &TrainingOverlays::add);
        connect(comparison_, &TrainingComparison::runRemoved, this, &TrainingOverlays::remove);
        connect(comparison_, &QObject::destroyed, this, [this] {
            comparison_ = nullptr;
            for (const qint64 id : runs())
                remove(id);
        });
        for (const qint64 id : comparison_->runIds())
            add(id);
    }
    emit changed();
}

QList<qint64> TrainingOverlays::runs() const {
    QList<qint64> out;
    if (comparison_)
        for (const qint64 id : comparison_->runIds())
            if (overlays_.count(id)) out.append(id);
    for (const auto& [id, overlay] : overlays_)
        if (!out.contains(id)) out.append(id);
    return out;
}

const TrainingOverlays::Overlay* TrainingOverlays::find(qint64 runId) const {
    const auto it = overlays_.find(runId);
    return it == overlays_.end() ? nullptr : &it->second;
}

void TrainingOverlays::add(qint64 runId) {
    RunDocument* document = comparison_ ? comparison_->document(runId) : nullptr;
    if (!document || overlays_.count(runId)) return;
    const QColor colour = comparison_->colour(runId);
    auto graph = [this](QCPAxisRect* rect, const QPen& pen) {
        QCPGraph* g = plot_.addGraph(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
        g->setPen(pen);
        g->setAdaptiveSampling(true);
        g->setSelectable(QCP::stNone);
        return g;
    };
    Overlay o;
    o.raw = graph(lossRect_, QPen(withAlpha(colour, 45), 1.0));
    o.smooth = graph(lossRect_, QPen(colour, 2.0));
    QPen dashed(colour, 1.6, Qt::DashLine);
    o.largest = graph(lossRect_, dashed);
    o.largest->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(colour, 1.6), paper_, 7));
    o.smallest = graph(lossRect_, QPen(colour, 1.6, Qt::DotLine));
    o.smallest->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssSquare, QPen(colour, 1.6), paper_, 6.5));
    o.other = graph(lossRect_, QPen(colour));
    o.other->setLineStyle(QCPGraph::lsNone);
    o.other->setScatterStyle(
        QCPScatterStyle(QCPScatterStyle::ssDiamond, QPen(colour, 1.0), withAlpha(colour, 120), 5));
    o.lr = graph(lrRect_, QPen(colour, 1.4, Qt::DashLine));
    o.smooth->setName(comparison_->label(runId));
    o.smooth->addToLegend();
    overlays_.emplace(runId, o);

    connect(document, &RunDocument::cleared, this, [this, runId] {
        reloadSteps(runId);
        reloadValidations(runId);
    });
    connect(document, &RunDocument::stepsAdded, this, [this, runId](int first) { addSteps(runId, first); });
    connect(document, &RunDocument::stepsRewritten, this, [this, runId] { reloadSteps(runId); });
    connect(document, &RunDocument::validationsAdded, this,
            [this, runId](int first) { addValidations(runId, first); });
    connect(document, &RunDocument::validationsRewritten, this, [this, runId] { reloadValidations(runId); });
    connect(document, &RunDocument::infoChanged, this, [this, runId] {
        if (const Overlay* o = find(runId); o && comparison_) {
            o->smooth->setName(comparison_->label(runId));
            emit changed();
        }
    });
    reloadSteps(runId);
    reloadValidations(runId);
}

void TrainingOverlays::remove(qint64 runId) {
    const auto it = overlays_.find(runId);
    if (it == overlays_.end()) return;
    if (comparison_)
        if (RunDocument* document = comparison_->document(runId))
            disconnect(document, nullptr, this, nullptr);
    const Overlay& o = it->second;
    for (QCPGraph* g : {o.raw, o.smooth, o.largest, o.smallest, o.other, o.lr})
        plot_.removeGraph(g);
    overlays_.erase(it);
    emit changed();
}

void TrainingOverlays::reloadSteps(qint64 runId) {
    const auto it = overlays_.find(runId);
    if (it == overlays_.end()) return;
    for (QCPGraph* g : {it->second.raw, it->second.smooth, it->second.lr})
        g->data()->clear();
    it->second.emaValue = it->second.emaWeight = 0;
    addSteps(runId, 0);
}

void TrainingOverlays::addSteps(qint64 runId, int first) {
    const auto it = overlays_.find(runId);
    RunDocument* document = comparison_ ? comparison_->document(runId) : nullptr;
    if (it == overlays_.end() || !document) return;
    Overlay& o = it->second;
    const auto& steps = document->steps();
    QVector<double> updates, losses, rates, smooth;
    for (std::size_t i = std::size_t(std::max(0, first)); i < steps.size(); ++i) {
        updates.push_back(double(steps[i].update));
        losses.push_back(steps[i].loss);
        rates.push_back(steps[i].lr);
        o.emaValue = smoothing_ * o.emaValue + (1 - smoothing_) * steps[i].loss;
        o.emaWeight = smoothing_ * o.emaWeight + (1 - smoothing_);
        smooth.push_back(o.emaWeight > 0 ? o.emaValue / o.emaWeight : steps[i].loss);
    }
    if (updates.isEmpty()) return;
    // The document's steps()[first..] lie beyond every update before them, in order.
    o.raw->addData(updates, losses, true);
    o.smooth->addData(updates, smooth, true);
    o.lr->addData(updates, rates, true);
    emit changed();
}

void TrainingOverlays::reloadValidations(qint64 runId) {
    const auto it = overlays_.find(runId);
    if (it == overlays_.end()) return;
    for (QCPGraph* g : {it->second.largest, it->second.smallest, it->second.other})
        g->data()->clear();
    addValidations(runId, 0);
}

void TrainingOverlays::addValidations(qint64 runId, int first) {
    const auto it = overlays_.find(runId);
    RunDocument* document = comparison_ ? comparison_->document(runId) : nullptr;
    if (it == overlays_.end() || !document) return;
    const auto& rows = document->validations();
    if (std::size_t(std::max(0, first)) >= rows.size()) return;
    for (std::size_t i = std::size_t(std::max(0, first)); i < rows.size(); ++i) {
        const ValidationRow& r = rows[i];
        QCPGraph* g = r.subnet == "largest"    ? it->second.largest
                      : r.subnet == "smallest" ? it->second.smallest
                                               : it->second.other;
        g->addData(double(r.update), r.loss);
    }
    emit changed();
}

void TrainingOverlays::resmooth(Overlay& o) {
    o.emaValue = o.emaWeight = 0;
    QVector<double> keys, smooth;
    for (auto it = o.raw->data()->constBegin(); it != o.raw->data()->constEnd(); ++it) {
        o.emaValue = smoothing_ * o.emaValue + (1 - smoothing_) * it->value;
        o.emaWeight = smoothing_ * o.emaWeight + (1 - smoothing_);
        keys.push_back(it->key);
        smooth.push_back(o.emaWeight > 0 ? o.emaValue / o.emaWeight : it->value);
    }
    o.smooth->setData(keys, smooth, true);
}

void TrainingOverlays::setSmoothing(double weight) {
    if (weight == smoothing_) return;
    smoothing_ = weight;
    for (auto& [id, o] : overlays_)
        resmooth(o);
    if (!overlays_.empty()) emit changed();
}

QVector<QPointF> TrainingOverlays::trainLoss(qint64 runId) const {
    const Overlay* o = find(runId);
    return o ? pointsOf(o->raw) : QVector<QPointF>();
}
QVector<QPointF> TrainingOverlays::smoothedTrainLoss(qint64 runId) const {
    const Overlay* o = find(runId);
    return o ? pointsOf(o->smooth) : QVector<QPointF>();
}
QVector<QPointF> TrainingOverlays::learningRate(qint64 runId) const {
    const Overlay* o = find(runId);
    return o ? pointsOf(o->lr) : QVector<QPointF>();
}
QVector<QPointF> TrainingOverlays::validationLoss(qint64 runId, const QString& subnet) const {
    const Overlay* o = find(runId);
    if (!o) return {};
    if (subnet == QLatin1String("largest")) return pointsOf(o->largest);
    if (subnet == QLatin1String("smallest")) return pointsOf(o->smallest);
    return pointsOf(o->other);
}

std::optional<QPointF> TrainingOverlays::smoothedLossAt(qint64 runId, double update) const {
    const Overlay* o = find(runId);
    if (!o || o->smooth->data()->isEmpty()) return std::nullopt;
    auto it = o->smooth->data()->findBegin(update, false);
    if (it == o->smooth->data()->constEnd()) --it;
    return QPointF(it->key, it->value);
}

QString TrainingOverlays::legendName(qint64 runId) const {
    const Overlay* o = find(runId);
    return o ? o->smooth->name() : QString();
}

void TrainingOverlays::takeUpdateRange(QCPRange& range, bool& found) const {
    for (const auto& [id, o] : overlays_)
        for (QCPGraph* g : {o.raw, o.largest, o.smallest, o.other}) {
            bool has = false;
            const QCPRange r = g->getKeyRange(has);
            if (!has) continue;
            range = found ? QCPRange(std::min(range.lower, r.lower), std::max(range.upper, r.upper)) : r;
            found = true;
        }
}

} // namespace automoe::ui
