#include "ui/plots/StudyView.h"

#include "ui/plots/PlotTheme.h"
#include "ui/plots/StudyModel.h"
#include "ui/plots/StudyTableModel.h"
#include "ui/run/RunDocument.h"

#include <qcustomplot.h>

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QSignalBlocker>
#include <QSplitter>
#include <QTableView>
#include <QToolButton>
#include <QToolTip>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

namespace automoe::ui {

namespace {

constexpr double kPickRadiusPx = 10;

// A range that holds every finite value of `values`, padded; `fallback` when there is none.
QCPRange paddedRange(const std::vector<double>& values, QCPRange fallback, double padShare = 0.08) {
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (double v : values)
        if (std::isfinite(v)) {
            lo = std::min(lo, v);
            hi = std::max(hi, v);
        }
    if (!(lo <= hi)) return fallback;
    const double pad = std::max((hi - lo) * padShare, std::max(std::abs(hi) * 0.01, 1e-3));
    return QCPRange(lo - pad, hi + pad);
}

QString archName(int index, std::size_t count) {
    return count > 0 ? StudyView::tr("arch %1 of %2").arg(index + 1).arg(count)
                     : StudyView::tr("arch %1").arg(index + 1);
}

// The legend entry of a run: its kind and tau-b, and how far a live run is.
QString legendTextOf(const StudyModel& study, const StudyModel::Run& run) {
    const StudyModel::Summary& s = run.summary();
    QString text = StudyView::tr("run %1 %2 · τ-b %3")
                       .arg(run.id)
                       .arg(run.kind.isEmpty() ? StudyView::tr("(kind unknown)") : run.kind)
                       .arg(StudyTableModel::figure(s.kendallTau, 3));
    if (!run.isFinal())
        text += StudyView::tr(" · %1 of %2 archs").arg(run.points.size()).arg(study.archs().size());
    return text;
}

} // namespace

StudyView::StudyView(QWidget* parent)
    : QWidget(parent) {
    setAccessibleName(tr("Gap study"));
    status_ = new QLabel(this);
    status_->setObjectName("studyStatus");
    status_->setContentsMargins(8, 4, 8, 2);
    status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    buildPlot();

    tableModel_ = new StudyTableModel(this);
    table_ = new QTableView(this);
    table_->setObjectName("studyTable");
    table_->setModel(tableModel_);
    table_->verticalHeader()->hide();
    table_->horizontalHeader()->setStretchLastSection(true);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->setAlternatingRowColors(true);
    table_->setWordWrap(false);
    table_->setMinimumHeight(90);

    auto* splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(plot_);
    splitter->addWidget(table_);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 1);
    splitter->setChildrenCollapsible(false);
    followButton_ = new QToolButton(this);
    followButton_->setObjectName("studyFollow");
    followButton_->setText(tr("Follow"));
    followButton_->setCheckable(true);
    followButton_->setChecked(true);
    followButton_->setAutoRaise(true);
    followButton_->setToolTip(tr("Follow the study: the axes take in every new point. The wheel zooms and "
                                 "a drag pans either plot, which stops following until you press this."));
    connect(followButton_, &QToolButton::toggled, this, &StudyView::setFollow);
    auto* top = new QHBoxLayout;
    top->setContentsMargins(0, 0, 4, 0);
    top->addWidget(status_, 1);
    top->addWidget(followButton_);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addLayout(top);
    layout->addWidget(splitter, 1);
    clear();
}

StudyView::~StudyView() = default;

void StudyView::buildPlot() {
    plot_ = new QCustomPlot(this);
    plot_->setObjectName("studyPlot");
    plot_->setMinimumSize(480, 260);
    plot_->setMouseTracking(true);
    plot_->setAutoAddPlottableToLegend(false);
    PlotTheme::apply(*plot_, palette_, font());
    connect(plot_, &QCustomPlot::mousePress, this, &StudyView::handleMousePress);
    // Wheel zoom and drag pan in both plots; a change of the axes the view did not make stops following.
    plot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    connect(plot_, &QCustomPlot::mouseMove, this, &StudyView::handleMouseMove);

    scatterRect_ = plot_->axisRect();
    finetuneRect_ = new QCPAxisRect(plot_);
    PlotTheme::styleAxisRect(*finetuneRect_, palette_, font());
    plot_->plotLayout()->addElement(0, 1, finetuneRect_);
    plot_->plotLayout()->setColumnStretchFactor(0, 1.7);
    plot_->plotLayout()->setColumnStretchFactor(1, 1.0);
    plot_->plotLayout()->setColumnSpacing(12);

    QCPAxis* x = scatterRect_->axis(QCPAxis::atBottom);
    QCPAxis* y = scatterRect_->axis(QCPAxis::atLeft);
    x->setLabel(tr("standalone validation NLL (nats/token)"));
    y->setLabel(tr("inherited validation NLL"));
    finetuneRect_->axis(QCPAxis::atBottom)->setLabel(tr("fine-tune updates"));
    finetuneRect_->axis(QCPAxis::atLeft)->setLabel(tr("validation NLL"));
    for (QCPAxisRect* rect : {scatterRect_, finetuneRect_})
        for (QCPAxis* axis : {rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft)})
            connect(axis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), this, [this] {
                if (!rescaling_) setFollow(false);
            });

    plot_->legend->setVisible(true);
    // Under the scatter, not inside it: real studies put points in every corner of the axis rect (the gaps
    // are small next to the spread of the standalone losses), and an inset legend hid some of them. Entries
    // side by side, two to a row.
    scatterRect_->insetLayout()->take(plot_->legend);
    plot_->plotLayout()->addElement(1, 0, plot_->legend);
    plot_->legend->setFillOrder(QCPLegend::foColumnsFirst);
    plot_->legend->setWrap(2);
    plot_->legend->setMargins(QMargins(4, 2, 4, 2));
    plot_->plotLayout()->setRowStretchFactor(1, 0.001);
    plot_->plotLayout()->setRowSpacing(2);

    // y = x: a point's height above the line is its gap.
    diagonal_ = new QCPItemStraightLine(plot_);
    diagonal_->setClipAxisRect(scatterRect_);
    diagonal_->point1->setAxes(x, y);
    diagonal_->point2->setAxes(x, y);
    diagonal_->point1->setCoords(0, 0);
    diagonal_->point2->setCoords(1, 1);
    diagonal_->setPen(QPen(palette_.muted, 1, Qt::DashLine));
    diagonalLabel_ = new QCPItemText(plot_);
    diagonalLabel_->setClipAxisRect(scatterRect_);
    diagonalLabel_->position->setAxes(x, y);
    diagonalLabel_->setText(tr("y = x (no gap)"));
    diagonalLabel_->setColor(palette_.muted);
    // Under the line's lower end, clear of the points (mostly above the line) and of the legend.
    diagonalLabel_->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
    diagonalLabel_->setPadding(QMargins(6, 2, 0, 0));

    selection_ = plot_->addGraph(x, y);
    selection_->setLineStyle(QCPGraph::lsNone);
    selection_->setScatterStyle(
        QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(palette_.text, 1.5), Qt::NoBrush, 14));
    selection_->setSelectable(QCP::stNone);

    QCPAxis* fx = finetuneRect_->axis(QCPAxis::atBottom);
    QCPAxis* fy = finetuneRect_->axis(QCPAxis::atLeft);
    standalone_ = plot_->addGraph(fx, fy);
    standalone_->setPen(QPen(palette_.text, 1.2, Qt::DashLine));
    standalone_->setSelectable(QCP::stNone);
    standaloneLabel_ = new QCPItemText(plot_);
    standaloneLabel_->setClipAxisRect(finetuneRect_);
    standaloneLabel_->position->setAxes(fx, fy);
    standaloneLabel_->setText(tr("standalone"));
    standaloneLabel_->setColor(palette_.text);
    standaloneLabel_->setPositionAlignment(Qt::AlignRight | Qt::AlignBottom);

    emptyLabel_ = new QCPItemText(plot_);
    emptyLabel_->setClipToAxisRect(false);
    emptyLabel_->position->setType(QCPItemPosition::ptAxisRectRatio);
    emptyLabel_->position->setAxisRect(scatterRect_);
    emptyLabel_->position->setCoords(0.5, 0.5);
    emptyLabel_->setBrush(palette_.paper);
    emptyLabel_->setPadding(QMargins(8, 6, 8, 6));
    emptyLabel_->setPositionAlignment(Qt::AlignCenter);
    emptyLabel_->setTextAlignment(Qt::AlignCenter);
    emptyLabel_->setColor(palette_.muted);
    QFont f = font();
    f.setPointSizeF(10);
    emptyLabel_->setFont(f);
}

void StudyView::setDocument(RunDocument* document) {
    if (document_) disconnect(document_, nullptr, this, nullptr);
    document_ = document;
    clear();
    if (!document_) return;
    connect(document_, &RunDocument::cleared, this, &StudyView::clear);
    connect(document_, &RunDocument::studyChanged, this, &StudyView::refresh);
    connect(document_, &RunDocument::infoChanged, this, [this] { refreshEmptyState(&document_->study()); });
    refresh();
}

void StudyView::clear() {
    for (const RunGraphs& g : std::as_const(graphs_)) {
        plot_->removeGraph(g.scatter);
        plot_->removeGraph(g.finetune);
    }
    graphs_.clear();
    selection_->data()->clear();
    standalone_->data()->clear();
    standaloneLabel_->setVisible(false);
    diagonal_->setVisible(false);
    diagonalLabel_->setVisible(false);
    selectedArch_ = -1;
    archPicked_ = false;
    tableModel_->setStudy(document_ ? &document_->study() : nullptr);
    rescaling_ = true;
    for (QCPAxisRect* rect : {scatterRect_, finetuneRect_}) {
        rect->axis(QCPAxis::atBottom)->setRange(0, 1);
        rect->axis(QCPAxis::atLeft)->setRange(0, 1);
    }
    rescaling_ = false;
    follow_ = false; // setFollow(true) below must not refresh a study that is not set up yet
    {
        const QSignalBlocker block(followButton_);
        followButton_->setChecked(true);
    }
    follow_ = true;
    finetuneRect_->axis(QCPAxis::atBottom)->setLabel(tr("fine-tune updates"));
    refreshEmptyState(document_ ? &document_->study() : nullptr);
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

StudyView::RunGraphs& StudyView::graphsOf(qint64 runId, int slot) {
    auto it = graphs_.find(runId);
    if (it != graphs_.end()) return *it;
    const QColor colour = palette_.expert(slot);
    QColor fill = colour;
    fill.setAlpha(170);
    RunGraphs g;
    g.scatter = plot_->addGraph(scatterRect_->axis(QCPAxis::atBottom), scatterRect_->axis(QCPAxis::atLeft));
    g.scatter->setLineStyle(QCPGraph::lsNone);
    g.scatter->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, QPen(colour, 1), fill, 8));
    g.scatter->setPen(QPen(colour));
    g.scatter->setSelectable(QCP::stNone);
    g.scatter->addToLegend();
    g.finetune =
        plot_->addGraph(finetuneRect_->axis(QCPAxis::atBottom), finetuneRect_->axis(QCPAxis::atLeft));
    g.finetune->setPen(QPen(colour, 1.6));
    g.finetune->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, colour, 5));
    g.finetune->setSelectable(QCP::stNone);
    return *graphs_.insert(runId, g);
}

void StudyView::refresh() {
    if (!document_) return;
    const StudyModel& study = document_->study();
    tableModel_->reload();
    table_->resizeColumnsToContents();
    refreshScatter(study);
    refreshFinetune(study);
    refreshEmptyState(&study);
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

void StudyView::refreshScatter(const StudyModel& study) {
    std::vector<double> values;
    int newest = -1;
    for (std::size_t slot = 0; slot < study.runs().size(); ++slot) {
        const StudyModel::Run& run = study.runs()[slot];
        RunGraphs& g = graphsOf(run.id, int(slot));
        QVector<double> xs, ys;
        for (const StudyModel::Point& p : run.points) {
            xs.append(p.standaloneNll);
            ys.append(p.inheritedNll);
            values.push_back(p.standaloneNll);
            values.push_back(p.inheritedNll);
            newest = std::max(newest, p.index);
        }
        g.scatter->setData(xs, ys);
        g.scatter->setName(legendTextOf(study, run));
    }
    if (!archPicked_ && newest >= 0) selectedArch_ = newest;

    // One range on both axes: the vertical distance to the diagonal reads as the gap at the same scale as
    // the spread of the standalone NLLs.
    const QCPRange range = paddedRange(values, QCPRange(0, 1));
    if (follow_) {
        rescaling_ = true;
        scatterRect_->axis(QCPAxis::atBottom)->setRange(range);
        scatterRect_->axis(QCPAxis::atLeft)->setRange(range);
        rescaling_ = false;
    }
    diagonalLabel_->position->setCoords(range.lower + 0.12 * range.size(), range.lower + 0.12 * range.size());
    const bool any = !values.empty();
    diagonal_->setVisible(any);
    diagonalLabel_->setVisible(any);

    selection_->data()->clear();
    for (const StudyModel::Run& run : study.runs())
        for (const StudyModel::Point& p : run.points)
            if (p.index == selectedArch_) selection_->addData(p.standaloneNll, p.inheritedNll);
}

void StudyView::refreshFinetune(const StudyModel& study) {
    std::vector<double> ys;
    double last = double(study.finetuneUpdates());
    for (const StudyModel::Run& run : study.runs()) {
        RunGraphs& g = graphs_[run.id];
        QVector<double> ux, uy;
        for (const StudyModel::Point& p : run.points)
            if (p.index == selectedArch_)
                for (const auto& [u, nll] : p.finetune) {
                    ux.append(double(u));
                    uy.append(nll);
                    ys.push_back(nll);
                    last = std::max(last, double(u));
                }
        g.finetune->setData(ux, uy);
    }
    last = std::max(last, 1.0);
    standalone_->data()->clear();
    std::optional<double> alone;
    for (const StudyModel::Arch& a : study.archs())
        if (a.index == selectedArch_) alone = a.standaloneNll;
    const bool hasAlone = alone && std::isfinite(*alone);
    if (hasAlone) {
        standalone_->addData(0, *alone);
        standalone_->addData(last, *alone);
        ys.push_back(*alone);
        standaloneLabel_->position->setCoords(last, *alone);
    }
    standaloneLabel_->setVisible(hasAlone);
    if (follow_) {
        rescaling_ = true;
        finetuneRect_->axis(QCPAxis::atBottom)->setRange(-0.03 * last, 1.03 * last);
        finetuneRect_->axis(QCPAxis::atLeft)->setRange(paddedRange(ys, QCPRange(0, 1)));
        rescaling_ = false;
    }
    finetuneRect_->axis(QCPAxis::atBottom)
        ->setLabel(selectedArch_ >= 0
                       ? tr("fine-tune updates · %1").arg(archName(selectedArch_, study.archs().size()))
                       : tr("fine-tune updates"));
}

void StudyView::refreshEmptyState(const StudyModel* study) {
    const QString empty = emptyText();
    emptyLabel_->setText(empty);
    emptyLabel_->setVisible(!empty.isEmpty());
    plot_->legend->setVisible(empty.isEmpty());
    if (!study || study->runs().empty()) {
        status_->setText(document_ && document_->isOpen() && document_->kind() == QLatin1String("study")
                             ? tr("Gap study run %1: waiting for its setup").arg(document_->runId())
                             : QString());
        status_->setToolTip(QString());
        return;
    }
    int standaloneDone = 0;
    for (const StudyModel::Arch& a : study->archs())
        standaloneDone += a.standaloneNll ? 1 : 0;
    QString text = tr("Gap study run %1 · %2 supernet runs · %3 of %4 architectures trained standalone (%5 "
                      "updates) · %6 points · %7")
                       .arg(document_ ? document_->runId() : 0)
                       .arg(study->runs().size())
                       .arg(standaloneDone)
                       .arg(study->archs().size())
                       .arg(study->standaloneUpdates())
                       .arg(study->pointCount())
                       .arg(study->hasResult() ? tr("final (stored result)") : tr("partial"));
    if (!study->errors().isEmpty()) text += tr(" · %1 event(s) not read").arg(study->errors().size());
    status_->setText(text);
    status_->setToolTip(study->errors().join(QLatin1Char('\n')));
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

QString StudyView::emptyText() const {
    if (!document_ || !document_->isOpen())
        return tr("No run shown.\nOpen a gap study run\n(kind \"study\", from `automoe study gap`)\nin the "
                  "Runs dock.");
    const StudyModel& study = document_->study();
    if (study.pointCount() > 0) return QString();
    const QString kind = document_->kind();
    if (!kind.isEmpty() && kind != QLatin1String("study") && study.runs().empty())
        return tr("Run %1 is a %2 run.\nThis view shows gap study runs\n(kind \"study\", from `automoe study "
                  "gap`).")
            .arg(document_->runId())
            .arg(kind);
    if (study.hasSetup())
        return tr("No architecture studied yet.\nA point appears once an architecture\nhas been trained "
                  "standalone "
                  "(%1 updates)\nand evaluated with a supernet's weights.")
            .arg(study.standaloneUpdates());
    return tr("No architecture studied yet.");
}

QVector<QPointF> StudyView::scatterPoints(qint64 runId) const {
    QVector<QPointF> out;
    const auto it = graphs_.find(runId);
    if (it == graphs_.end()) return out;
    for (auto d = it->scatter->data()->constBegin(); d != it->scatter->data()->constEnd(); ++d)
        out.append(QPointF(d->key, d->value));
    return out;
}

QString StudyView::legendText(qint64 runId) const {
    const auto it = graphs_.find(runId);
    return it == graphs_.end() ? QString() : it->scatter->name();
}

QVector<QPointF> StudyView::finetuneCurve(qint64 runId) const {
    QVector<QPointF> out;
    const auto it = graphs_.find(runId);
    if (it == graphs_.end()) return out;
    for (auto d = it->finetune->data()->constBegin(); d != it->finetune->data()->constEnd(); ++d)
        out.append(QPointF(d->key, d->value));
    return out;
}

void StudyView::setFollow(bool follow) {
    if (follow == follow_) return;
    follow_ = follow;
    if (followButton_) {
        const QSignalBlocker block(followButton_);
        followButton_->setChecked(follow);
    }
    if (follow && document_) refresh(); // back to the whole study
    emit followChanged(follow);
}

void StudyView::selectArch(int index) {
    archPicked_ = true;
    selectedArch_ = index;
    if (document_) refresh();
}

std::pair<qint64, int> StudyView::pointAt(const QPointF& pos) const {
    if (!document_ || !scatterRect_->rect().contains(pos.toPoint())) return {0, -1};
    const QCPAxis* x = scatterRect_->axis(QCPAxis::atBottom);
    const QCPAxis* y = scatterRect_->axis(QCPAxis::atLeft);
    double best = kPickRadiusPx * kPickRadiusPx;
    std::pair<qint64, int> found{0, -1};
    for (const StudyModel::Run& run : document_->study().runs())
        for (std::size_t i = 0; i < run.points.size(); ++i) {
            const double dx = x->coordToPixel(run.points[i].standaloneNll) - pos.x();
            const double dy = y->coordToPixel(run.points[i].inheritedNll) - pos.y();
            if (dx * dx + dy * dy <= best) {
                best = dx * dx + dy * dy;
                found = {run.id, int(i)};
            }
        }
    return found;
}

void StudyView::handleMousePress(QMouseEvent* event) {
    const auto [runId, i] = pointAt(event->position());
    if (runId == 0) return;
    const int index = document_->study().run(runId)->points[std::size_t(i)].index;
    selectArch(index);
    emit architectureClicked(index);
}

void StudyView::handleMouseMove(QMouseEvent* event) {
    const auto [runId, i] = pointAt(event->position());
    if (runId == 0) {
        QToolTip::hideText();
        plot_->setCursor(Qt::ArrowCursor);
        return;
    }
    const StudyModel& study = document_->study();
    const StudyModel::Run& run = *study.run(runId);
    const StudyModel::Point& p = run.points[std::size_t(i)];
    QString tip = tr("%1\n%2\nrun %3 %4\nstandalone %5 · inherited %6 · gap %7")
                      .arg(archName(p.index, study.archs().size()))
                      .arg(p.archKey)
                      .arg(run.id)
                      .arg(run.kind)
                      .arg(p.standaloneNll, 0, 'f', 4)
                      .arg(p.inheritedNll, 0, 'f', 4)
                      .arg(StudyTableModel::figure(p.inheritedNll - p.standaloneNll, 4, true));
    if (!p.finetune.empty())
        tip += p.updatesToStandalone
                   ? tr("\nfine-tune reached the standalone NLL after %1 updates").arg(*p.updatesToStandalone)
                   : tr("\nfine-tune: %1 after %2 updates (standalone not reached)")
                         .arg(p.finetune.back().second, 0, 'f', 4)
                         .arg(p.finetune.back().first);
    plot_->setCursor(Qt::PointingHandCursor);
    QToolTip::showText(event->globalPosition().toPoint(), tip, plot_);
}

} // namespace automoe::ui
