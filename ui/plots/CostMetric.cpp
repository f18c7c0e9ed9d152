#include "ui/plots/CostMetric.h"

#include "ui/plots/PlotTheme.h"

#include <QCoreApplication>

namespace automoe::ui {

namespace {
QString tr(const char* text) {
    return QCoreApplication::translate("CostMetric", text);
}
} // namespace

std::optional<double> costOf(const CandidateRow& row, CostMetric metric) {
    switch (metric) {
    case CostMetric::Flops:
        return row.flops;
    case CostMetric::ActiveParams:
        return double(row.paramsActive);
    case CostMetric::Latency:
        if (row.latencyMs) return *row.latencyMs;
        if (row.predictedLatencyMs) return *row.predictedLatencyMs;
        return std::nullopt;
    }
    return std::nullopt;
}

QString costAxisLabel(CostMetric metric) {
    switch (metric) {
    case CostMetric::Flops:
        return tr("FLOPs");
    case CostMetric::Latency:
        return tr("Latency (ms)");
    case CostMetric::ActiveParams:
        return tr("Active parameters");
    }
    return QString();
}

QString formatCost(double cost, CostMetric metric) {
    switch (metric) {
    case CostMetric::Flops:
        return PlotTheme::siNumber(cost) + tr("FLOPs");
    case CostMetric::Latency:
        return QString::number(cost, 'f', cost < 10 ? 2 : 1) + tr(" ms");
    case CostMetric::ActiveParams:
        return PlotTheme::siNumber(cost) + tr(" params");
    }
    return QString();
}

} // namespace automoe::ui
