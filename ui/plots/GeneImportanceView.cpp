#include "ui/plots/GeneImportanceView.h"

#include "ui/plots/PlotExporter.h"
#include "ui/plots/PlotTheme.h"
#include "ui/run/RunDocument.h"

#include <qcustomplot.h>

#include <QLabel>
#include <QPointer>
#include <QThreadPool>
#include <QVBoxLayout>
#include <memory>

namespace automoe::ui {

namespace {
constexpr int kCoalesceMs = 1000;
const QColor kBarColour(0x1d, 0x91, 0xc0);
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
    // Horizontal bars: genes on the left axis, importance along the bottom.
    bars_ = new QCPBars(plot_->yAxis, plot_->xAxis);
    bars_->setWidth(0.7);
    bars_->setPen(QPen(kBarColour.darker(120), 1.0));
    bars_->setBrush(kBarColour);
    plot_->xAxis->setLabel(tr("Share of the fitness variance the gene explains alone (bias-adjusted)"));
    plot_->xAxis->setRange(0, 1);
    plot_->yAxis->setTickLength(0, 0);
    plot_->yAxis->grid()->setVisible(false);
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
    bars_->data()->clear();
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
    auto rows = std::make_shared<std::vector<CandidateRow>>(document_->candidates());
    QPointer<GeneImportanceView> self(this);
    const quint64 epoch = epoch_;
    QThreadPool::globalInstance()->start([self, rows, epoch] {
        auto report = std::make_shared<GeneImportanceReport>();
        try {
            *report = geneImportance(*rows);
        } catch (const std::exception&) {
            report.reset();
        }
        QMetaObject::invokeMethod(
            qApp,
            [self, report, epoch] {
                if (!self) return;
                self->running_ = false;
                if (epoch == self->epoch_ && report) self->showReport(*report);
                if (self->pending_) self->schedule();
            },
            Qt::QueuedConnection);
    });
}

void GeneImportanceView::showReport(const GeneImportanceReport& report) {
    report_ = report;
    auto ticker = QSharedPointer<QCPAxisTickerText>(new QCPAxisTickerText);
    QVector<double> keys, values;
    const int n = int(report.genes.size());
    for (int i = 0; i < n; ++i) {
        const GeneImportance& g = report.genes[std::size_t(i)];
        const double key = double(n - i); // the most important on top
        keys.push_back(key);
        values.push_back(g.importance);
        ticker->addTick(key, QString::fromStdString(g.label));
    }
    bars_->setData(keys, values, true);
    plot_->yAxis->setTicker(ticker);
    plot_->yAxis->setRange(0.3, n + 0.7);
    double top = 0.05;
    for (double v : values)
        top = std::max(top, v);
    plot_->xAxis->setRange(0, std::min(1.0, top * 1.15 + 0.02));
    status_->setText(
        tr("%n candidate(s) · fitness variance %1 · first-order variance decomposition (fANOVA main "
           "effects over the evaluated candidates, ε²); genes the search made co-vary share credit",
           nullptr, report.candidates)
            .arg(report.fitnessVariance, 0, 'g', 3));
    plot_->replot(QCustomPlot::rpQueuedReplot);
    emit reportShown();
}

QVector<QPair<QString, double>> GeneImportanceView::bars() const {
    QVector<QPair<QString, double>> out;
    if (!report_) return out;
    for (const GeneImportance& g : report_->genes)
        out.push_back({QString::fromStdString(g.gene), g.importance});
    return out;
}

bool GeneImportanceView::exportPlot(const QString& path, QString* error) {
    return PlotExporter::exportPlot(*plot_, path, error);
}

} // namespace automoe::ui
