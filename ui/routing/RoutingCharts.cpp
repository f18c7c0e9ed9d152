#include "ui/routing/RoutingCharts.h"

#include "ui/plots/PlotTheme.h"

#include <qcustomplot.h>

#include <algorithm>

namespace automoe::ui {

namespace {
const QStringList kTypeOrder = {"function", "word", "continuation", "punctuation", "number", "special"};
} // namespace

void RoutingCharts::drawFlopsByType(QCustomPlot& plot, const RoutingResult& result,
                                    const FigurePalette& palette, const QFont& font) {
    plot.clearPlottables();
    qDeleteAll(plot.findChildren<QCPBarsGroup*>(QString(), Qt::FindDirectChildrenOnly)); // of the last draw
    // Horizontal bars: the type names sit on the left axis and never collide, however narrow the dock.
    QCPAxis* types = plot.yAxis;
    QCPAxis* value = plot.xAxis;
    auto ticker = QSharedPointer<QCPAxisTickerText>(new QCPAxisTickerText);
    QStringList shown;
    for (const QString& t : kTypeOrder)
        for (const RoutingTypeFlops& f : result.flopsByType)
            if (f.type == t && f.tokens > 0 && !shown.contains(t)) shown << t;
    for (int i = 0; i < shown.size(); ++i)
        ticker->addTick(i, shown[i]);
    types->setTicker(ticker);
    types->setRangeReversed(true);
    types->setSubTicks(false);
    types->setTickLength(0, 0);
    types->grid()->setVisible(false);
    types->setRange(-0.6, std::max(1, int(shown.size())) - 0.4);
    value->setLabel(QObject::tr("Mean FFN FLOPs per token\nover %1 %2 sentences")
                        .arg(result.aggregateSentences)
                        .arg(result.aggregateOver == QLatin1String("valid") ? QObject::tr("validation")
                                                                            : QObject::tr("input")));
    PlotTheme::useSiTicks(*value);
    value->ticker()->setTickCount(4);
    auto* group = new QCPBarsGroup(&plot);
    double top = 0;
    for (int stack = 0; stack < 2; ++stack) {
        auto* bars = new QCPBars(types, value);
        bars->setName(stack == 0 ? QObject::tr("Encoder (source tokens)")
                                 : QObject::tr("Decoder (its inputs)"));
        bars->setBrush(stack == 0 ? palette.encoderAccent : palette.decoderAccent);
        bars->setPen(Qt::NoPen);
        bars->setWidth(0.38);
        bars->setBarsGroup(group);
        QVector<double> keys, values;
        for (const RoutingTypeFlops& f : result.flopsByType) {
            const int i = int(shown.indexOf(f.type));
            if (i < 0 || f.encoder != (stack == 0) || f.tokens == 0) continue;
            keys << i;
            values << f.meanFlops;
            top = std::max(top, f.meanFlops);
        }
        bars->setData(keys, values);
    }
    value->setRange(0, top > 0 ? top * 1.08 : 1);
    PlotTheme::styleLegend(*plot.legend, palette, font);
    plot.legend->setBorderPen(Qt::NoPen);
    plot.legend->setVisible(true);
    plot.replot(QCustomPlot::rpQueuedReplot);
}

void RoutingCharts::drawExpertLoad(QCustomPlot& plot, const RoutingResult& result,
                                   const FigurePalette& palette, const QFont& font) {
    plot.clearPlottables();
    plot.clearItems();
    QCPAxis* share = plot.xAxis;
    QCPAxis* layers = plot.yAxis;
    auto ticker = QSharedPointer<QCPAxisTickerText>(new QCPAxisTickerText);
    int slotCount = 0;
    for (int i = 0; i < result.loads.size(); ++i) {
        const RoutingLoad& l = result.loads[i];
        ticker->addTick(i, l.widths.size() > 1 ? l.shortName() : QObject::tr("%1 dense").arg(l.shortName()));
        slotCount = std::max(slotCount, int(l.widths.size()));
    }
    layers->setTicker(ticker);
    layers->setRangeReversed(true);
    layers->setSubTicks(false);
    layers->setTickLength(0, 0);
    layers->grid()->setVisible(false);
    layers->setRange(-0.6, std::max(1, int(result.loads.size())) - 0.4);
    share->setRange(0, 100);
    share->setLabel(QObject::tr("Expert load, % of the layer's assignments"));
    QCPBars* below = nullptr;
    QFont labelFont = font;
    labelFont.setPointSizeF(7.5);
    for (int slot = 0; slot < slotCount; ++slot) {
        auto* bars = new QCPBars(layers, share);
        bars->setName(QObject::tr("Expert %1").arg(slot));
        bars->setBrush(palette.expert(slot));
        bars->setPen(QPen(palette.paper, 1.0));
        bars->setWidth(0.68);
        if (below) bars->moveAbove(below);
        below = bars;
        QVector<double> keys, values;
        for (int i = 0; i < result.loads.size(); ++i) {
            const RoutingLoad& l = result.loads[i];
            const qint64 total = l.tokens * l.topK;
            keys << i;
            values << (slot < l.load.size() && total > 0 ? 100.0 * double(l.load[slot]) / double(total)
                                                         : 0.0);
        }
        bars->setData(keys, values, true);
    }
    // Percentages on segments wide enough to hold them.
    for (int i = 0; i < result.loads.size(); ++i) {
        const RoutingLoad& l = result.loads[i];
        const qint64 total = l.tokens * l.topK;
        double start = 0;
        for (int slot = 0; slot < l.load.size() && total > 0; ++slot) {
            const double v = 100.0 * double(l.load[slot]) / double(total);
            if (v >= 9 && l.load.size() > 1) {
                auto* text = new QCPItemText(&plot);
                text->position->setAxes(share, layers);
                text->position->setCoords(start + v / 2, i);
                text->setText(QString::number(v, 'f', 0));
                text->setFont(labelFont);
                text->setColor(Qt::white);
            }
            start += v;
        }
    }
    plot.replot(QCustomPlot::rpQueuedReplot);
}

} // namespace automoe::ui
