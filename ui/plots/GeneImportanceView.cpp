#include "ui/plots/GeneImportanceView.h"

#include "ui/plots/PlotExporter.h"
#include "ui/plots/PlotTheme.h"
#include "ui/run/RunDocument.h"

#include <qcustomplot.h>

#include <QLabel>
#include <QPointer>
#include <QThreadPool>
#include <QVBoxLayout>
#include <iterator>
#include <memory>
#include <utility>

namespace automoe::ui {

namespace {
constexpr int kCoalesceMs = 1000;
const QColor kBarColour(0x1d, 0x91, 0xc0);
// Compared searches, in the order compared (the shown search is kBarColour).
const QColor kOverlayColours[] = {QColor(0xe0, 0x8e, 0x0b), QColor(0x8c, 0x6b, 0xb1),
                                  QColor(0x2a, 0x9d, 0x8f), QColor(0x6b, 0x75, 0x80)};
constexpr double kGroupWidth = 0.76; // of the distance between two genes
} // namespace

GeneImportanceView::GeneImportanceView(QWidget* parent)
    : QWidget(parent) {
    setAccessibleName(tr("Gene importance"));
    status_ = new QLabel(this);
    status_->setWordWrap(true);
    status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    buildPlot();
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    auto* top = new QVBoxLayout;
    top->setContentsMargins(8, 6, 8, 0);
    top->addWidget(status_);
    layout->addLayout(top);
    layout->addWidget(plot_, 1);
    timer_.setSingleShot(true);
    timer_.setInterval(kCoalesceMs);
    connect(&timer_, &QTimer::timeout, this, &GeneImportanceView::compute);
    clear();
}

GeneImportanceView::~GeneImportanceView() = default;

void GeneImportanceView::buildPlot() {
    plot_ = new QCustomPlot(this);
    plot_->setMinimumSize(360, 260);
    PlotTheme::apply(*plot_, palette_, font());
    QCPAxisRect* rect = plot_->axisRect();
    PlotTheme::styleAxisRect(*rect, palette_, font());
    // Horizontal bars: genes on the left axis, importance along the bottom; compared searches side by side
    // within a gene's group.
    group_ = new QCPBarsGroup(plot_);
    group_->setSpacingType(QCPBarsGroup::stAbsolute);
    group_->setSpacing(1);
    PlotTheme::styleLegend(*plot_->legend, palette_, font());
    // The least important genes (short bars) are at the bottom: room there for the legend.
    plot_->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignBottom | Qt::AlignRight);
    plot_->legend->setVisible(false);
    plot_->xAxis->setLabel(tr("Share of the fitness variance the gene explains alone (bias-adjusted)"));
    plot_->xAxis->setRange(0, 1);
    plot_->yAxis->setTickLength(0, 0);
    plot_->yAxis->grid()->setVisible(false);
}

QCPBars* GeneImportanceView::addBars(const QColor& colour, const QString& name) {
    auto* bars = new QCPBars(plot_->yAxis, plot_->xAxis);
    bars->setPen(QPen(colour.darker(120), 1.0));
    bars->setBrush(colour);
    bars->setName(name);
    bars_.push_back(bars);
    return bars;
}

void GeneImportanceView::removeBars() {
    for (QCPBars* bars : bars_)
        plot_->removePlottable(bars); // leaves its group as it is deleted
    bars_.clear();
}

void GeneImportanceView::setOverlay(const QString& name, const std::vector<CandidateRow>& candidates) {
    if (candidates.empty()) {
        removeOverlay(name);
        return;
    }
    overlays_[name] = candidates;
    schedule();
}

void GeneImportanceView::removeOverlay(const QString& name) {
    if (!overlays_.remove(name)) return;
    if (!report_) return;
    if (overlays_.isEmpty())
        showReport(*report_); // nothing left to compute for
    else
        schedule();
}

void GeneImportanceView::setDocument(RunDocument* document) {
    if (document_) disconnect(document_, nullptr, this, nullptr);
    document_ = document;
    clear();
    if (!document_) return;
    connect(document_, &RunDocument::cleared, this, &GeneImportanceView::clear);
    connect(document_, &RunDocument::candidatesAdded, this, &GeneImportanceView::schedule);
    if (!document_->candidates().empty()) schedule();
}

void GeneImportanceView::clear() {
    ++epoch_;
    timer_.stop();
    pending_ = false;
    report_.reset();
    comparison_.reset();
    seriesNames_.clear();
    removeBars();
    plot_->legend->setVisible(false);
    plot_->yAxis->setTicker(QSharedPointer<QCPAxisTickerText>(new QCPAxisTickerText));
    status_->setText(tr("Gene importance appears here once a search has evaluated candidates: how much of "
                        "the fitness variance each gene group explains on its own."));
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

void GeneImportanceView::schedule() {
    if (running_) {
        pending_ = true;
        return;
    }
    // The first candidates are shown at once; later ones at most once a second.
    if (!timer_.isActive()) timer_.start(report_ ? kCoalesceMs : 0);
}

void GeneImportanceView::compute() {
    if (!document_ || document_->candidates().empty()) return;
    running_ = true;
    pending_ = false;
    // Copies: the worker reads them while the document and the comparisons go on changing.
    auto rows = std::make_shared<std::vector<CandidateRow>>(document_->candidates());
    auto compared = std::make_shared<std::vector<std::vector<CandidateRow>>>();
    for (const auto& candidates : std::as_const(overlays_))
        compared->push_back(candidates);
    const QStringList names = overlays_.keys();
    QPointer<GeneImportanceView> self(this);
    const quint64 epoch = epoch_;
    QThreadPool::globalInstance()->start([self, rows, compared, names, epoch] {
        auto report = std::make_shared<GeneImportanceReport>();
        auto others = std::make_shared<std::vector<GeneImportanceReport>>();
        try {
            *report = geneImportance(*rows);
            for (const auto& candidates : *compared)
                others->push_back(geneImportance(candidates));
        } catch (const std::exception&) {
            report.reset();
        }
        QMetaObject::invokeMethod(
            qApp,
            [self, report, others, names, epoch] {
                if (!self) return;
                self->running_ = false;
                if (epoch == self->epoch_ && report) {
                    if (others->empty())
                        self->showReport(*report);
                    else
                        self->showReports(*report, names, *others);
                }
                if (self->pending_) self->schedule();
            },
            Qt::QueuedConnection);
    });
}

void GeneImportanceView::showReport(const GeneImportanceReport& report) {
    showReports(report, {}, {});
}

void GeneImportanceView::showReports(const GeneImportanceReport& report, const QStringList& names,
                                     const std::vector<GeneImportanceReport>& compared) {
    report_ = report;
    std::vector<GeneImportanceReport> all{report};
    all.insert(all.end(), compared.begin(), compared.end());
    const GeneImportanceComparison c = compareGeneImportance(all);
    const bool comparing = !compared.empty();
    if (comparing) {
        comparison_ = c;
        seriesNames_ = QStringList{document_ ? tr("run %1 (shown)").arg(document_->runId()) : tr("shown")};
        seriesNames_ += names.mid(0, int(compared.size()));
    } else {
        comparison_.reset();
        seriesNames_.clear();
    }
    // One gene order for every search: the shown search's own ranking alone, the mean over the searches
    // when compared.
    removeBars();
    auto ticker = QSharedPointer<QCPAxisTickerText>(new QCPAxisTickerText);
    const int n = int(c.genes.size());
    QVector<double> keys;
    for (int i = 0; i < n; ++i) {
        keys.push_back(double(n - i)); // the most important on top
        ticker->addTick(keys.back(), QString::fromStdString(c.labels[std::size_t(i)]));
    }
    const int series = int(all.size());
    double top = 0.05;
    // Within a group the first bars added are lowest: add the last compared search first, so the shown
    // search's bar is the top one of every group.
    for (int s = series - 1; s >= 0; --s) {
        const QColor colour =
            s == 0 ? kBarColour : kOverlayColours[std::size_t(s - 1) % std::size(kOverlayColours)];
        QCPBars* bars = addBars(colour, comparing ? seriesNames_.value(s) : QString());
        bars->setWidth(kGroupWidth / series);
        if (comparing) bars->setBarsGroup(group_);
        QVector<double> values;
        for (int i = 0; i < n; ++i) {
            values.push_back(c.importance[std::size_t(s)][std::size_t(i)]);
            top = std::max(top, values.back());
        }
        bars->setData(keys, values, true);
        if (!comparing) bars->removeFromLegend();
    }
    // The legend lists the shown search first.
    if (comparing) {
        plot_->legend->clearItems();
        for (auto it = bars_.rbegin(); it != bars_.rend(); ++it)
            (*it)->addToLegend();
    }
    plot_->legend->setVisible(comparing);
    plot_->yAxis->setTicker(ticker);
    plot_->yAxis->setRange(0.3, n + 0.7);
    plot_->xAxis->setRange(0, std::min(1.0, top * 1.15 + 0.02));
    if (comparing) {
        QStringList counts;
        for (int s = 0; s < series; ++s)
            counts << tr("%1: %2").arg(seriesNames_.value(s)).arg(c.candidates[std::size_t(s)]);
        status_->setText(tr("%n searches side by side (candidates: %1), genes by the mean importance over "
                            "them · first-order variance decomposition (fANOVA main effects, ε²)",
                            nullptr, series)
                             .arg(counts.join(QStringLiteral(", "))));
    } else {
        status_->setText(
            tr("%n candidate(s) · fitness variance %1 · first-order variance decomposition (fANOVA main "
               "effects over the evaluated candidates, ε²); genes the search made co-vary share credit",
               nullptr, report.candidates)
                .arg(report.fitnessVariance, 0, 'g', 3));
    }
    plot_->replot(QCustomPlot::rpQueuedReplot);
    emit reportShown();
}

QVector<QPair<QString, double>> GeneImportanceView::bars() const {
    QVector<QPair<QString, double>> out;
    if (!report_) return out;
    if (comparison_) {
        for (std::size_t k = 0; k < comparison_->genes.size(); ++k)
            out.push_back({QString::fromStdString(comparison_->genes[k]), comparison_->importance[0][k]});
        return out;
    }
    for (const GeneImportance& g : report_->genes)
        out.push_back({QString::fromStdString(g.gene), g.importance});
    return out;
}

bool GeneImportanceView::exportPlot(const QString& path, QString* error) {
    return PlotExporter::exportPlot(*plot_, path, error);
}

} // namespace automoe::ui
