#include "ui/plots/MoeStudyView.h"

#include "ui/figure/FigureExporter.h"
#include "ui/plots/MoeStudyModel.h"
#include "ui/plots/MoeStudyStageModel.h"
#include "ui/plots/MoeStudyTableModel.h"
#include "ui/plots/PlotExporter.h"
#include "ui/plots/PlotTheme.h"
#include "ui/run/RunDocument.h"
#include "ui/widgets/TableCopy.h"
#include "util/Format.h"

#include <qcustomplot.h>

#include <QComboBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QToolTip>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <limits>

namespace automoe::ui {

namespace {

constexpr double kPickRadiusPx = 10;
const QString kDot = QStringLiteral(" \u00B7 ");

QString si(double v) {
    return QString::fromStdString(formatSI(v));
}

// "0.5x": a budget's label, as the stage names write the fraction.
QString fractionLabel(double fraction) {
    return QString::number(fraction, 'g', 4) + QLatin1Char('x');
}

QTableView* makeTable(QWidget* parent, const char* name) {
    auto* t = new QTableView(parent);
    t->setObjectName(QString::fromLatin1(name));
    t->verticalHeader()->hide();
    t->verticalHeader()->setDefaultSectionSize(t->fontMetrics().height() + 8);
    t->horizontalHeader()->setHighlightSections(false);
    t->setSelectionBehavior(QAbstractItemView::SelectRows);
    t->setSelectionMode(QAbstractItemView::SingleSelection);
    t->setEditTriggers(QAbstractItemView::NoEditTriggers);
    t->setAlternatingRowColors(true);
    t->setShowGrid(false);
    t->setWordWrap(false);
    return t;
}

} // namespace

MoeStudyView::MoeStudyView(QWidget* parent)
    : QWidget(parent) {
    setAccessibleName(tr("MoE vs dense study"));
    status_ = new QLabel(this);
    status_->setObjectName("moeStudyStatus");
    status_->setContentsMargins(8, 4, 8, 2);
    status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    status_->setMinimumWidth(100);

    metricBox_ = new QComboBox(this);
    metricBox_->setObjectName("moeStudyMetric");
    metricBox_->addItem(tr("test BLEU"), int(Metric::Bleu));
    metricBox_->addItem(tr("test chrF"), int(Metric::Chrf));
    metricBox_->addItem(tr("valid NLL"), int(Metric::ValidNll));
    metricBox_->setToolTip(tr("What the plot's y axis shows"));
    connect(metricBox_, qOverload<int>(&QComboBox::activated), this,
            [this](int i) { setMetric(Metric(metricBox_->itemData(i).toInt())); });

    buildPlot();

    tableModel_ = new MoeStudyTableModel(this);
    sorted_ = new QSortFilterProxyModel(this);
    sorted_->setSourceModel(tableModel_);
    sorted_->setSortRole(MoeStudyTableModel::SortRole);
    table_ = makeTable(this, "moeStudyTable");
    table_->setModel(sorted_);
    table_->setSortingEnabled(true);
    table_->sortByColumn(MoeStudyTableModel::MethodColumn, Qt::AscendingOrder);
    connect(table_->horizontalHeader(), &QHeaderView::sortIndicatorChanged, this,
            [this] { fitTableColumns(); });
    table_->horizontalHeader()->setStretchLastSection(true);
    table_->setMinimumHeight(90);
    table_->setToolTip(QString());
    TableCopy::install(table_);
    connect(table_->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex& current) {
                if (syncing_ || !current.isValid()) return;
                const int index = current.data(MoeStudyTableModel::RowIndexRole).toInt();
                if (index == selectedRow_) return;
                selectedRow_ = index;
                if (document_) refreshPlot(document_->moeStudy());
                emit architectureSelected(index);
            });
    connect(table_, &QTableView::doubleClicked, this, [this](const QModelIndex& i) {
        if (!document_) return;
        const int index = i.data(MoeStudyTableModel::RowIndexRole).toInt();
        const auto& rows = document_->moeStudy().rows();
        if (index >= 0 && index < int(rows.size()) && rows[std::size_t(index)].run > 0)
            emit runActivated(rows[std::size_t(index)].run);
    });

    stageModel_ = new MoeStudyStageModel(this);
    stages_ = makeTable(this, "moeStudyStages");
    stages_->setModel(stageModel_);
    stages_->horizontalHeader()->setSectionResizeMode(MoeStudyStageModel::StageColumn, QHeaderView::Stretch);
    stages_->horizontalHeader()->setSectionResizeMode(MoeStudyStageModel::RunColumn,
                                                      QHeaderView::ResizeToContents);
    stages_->horizontalHeader()->setSectionResizeMode(MoeStudyStageModel::StateColumn,
                                                      QHeaderView::ResizeToContents);
    // Room for "(c) MoE retrain 0.75x", its run and "interrupted".
    // Eleven stages fit the default dock without a scroll bar.
    stages_->verticalHeader()->setDefaultSectionSize(stages_->fontMetrics().height() + 4);
    stages_->setMinimumWidth(
        stages_->fontMetrics().horizontalAdvance(QStringLiteral("(c) MoE retrain 0.75x 12345 "
                                                                "interrupted")) +
        40);
    connect(stages_, &QTableView::doubleClicked, this, [this](const QModelIndex& i) {
        const qint64 run = i.data(MoeStudyStageModel::RunIdRole).toLongLong();
        if (run > 0) emit runActivated(run);
    });

    auto* top = new QSplitter(Qt::Horizontal, this);
    top->addWidget(plot_);
    top->addWidget(stages_);
    top->setStretchFactor(0, 3);
    top->setStretchFactor(1, 1);
    top->setChildrenCollapsible(false);
    auto* splitter = new QSplitter(Qt::Vertical, this);
    splitter->setObjectName("moeStudySplitter");
    splitter->addWidget(top);
    splitter->addWidget(table_);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    splitter->setChildrenCollapsible(false);

    auto* header = new QHBoxLayout;
    header->setContentsMargins(0, 0, 4, 0);
    header->addWidget(status_, 1);
    header->addWidget(new QLabel(tr("y:"), this));
    header->addWidget(metricBox_);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addLayout(header);
    layout->addWidget(splitter, 1);
    clear();
}

MoeStudyView::~MoeStudyView() = default;

void MoeStudyView::buildPlot() {
    plot_ = new QCustomPlot(this);
    plot_->setObjectName("moeStudyPlot");
    plot_->setMinimumSize(320, 160);
    plot_->setMouseTracking(true);
    plot_->setAutoAddPlottableToLegend(false);
    plot_->setContextMenuPolicy(Qt::CustomContextMenu);
    PlotTheme::apply(*plot_, palette_, font());
    connect(plot_, &QCustomPlot::mousePress, this, &MoeStudyView::handleMousePress);
    connect(plot_, &QCustomPlot::mouseMove, this, &MoeStudyView::handleMouseMove);
    connect(plot_, &QWidget::customContextMenuRequested, this, &MoeStudyView::showContextMenu);

    QCPAxis* x = plot_->xAxis;
    QCPAxis* y = plot_->yAxis;
    x->setLabel(tr("FLOPs (30 / 30 tokens, non-embedding)"));
    PlotTheme::useSiTicks(*x);

    // Under the plot, not inside it: with a few points anywhere in the axis rect an inset legend would hide
    // one of them. The three entries side by side.
    plot_->legend->setVisible(true);
    plot_->axisRect()->insetLayout()->take(plot_->legend);
    plot_->plotLayout()->addElement(1, 0, plot_->legend);
    plot_->legend->setFillOrder(QCPLegend::foColumnsFirst);
    plot_->legend->setWrap(3);
    plot_->legend->setMargins(QMargins(4, 2, 4, 2));
    plot_->plotLayout()->setRowStretchFactor(1, 0.001);
    plot_->plotLayout()->setRowSpacing(2);

    auto series = [&](const std::string& method, QCPScatterStyle::ScatterShape shape, double size,
                      bool line) {
        const QColor colour = MoeStudyTableModel::methodColour(method);
        QColor fill = colour;
        fill.setAlpha(200);
        QCPGraph* g = plot_->addGraph(x, y);
        QColor lineColour = colour;
        lineColour.setAlpha(110);
        g->setPen(QPen(lineColour, 1.3));
        g->setLineStyle(line ? QCPGraph::lsLine : QCPGraph::lsNone);
        g->setScatterStyle(QCPScatterStyle(shape, QPen(colour, 1.2), fill, size));
        g->setSelectable(QCP::stNone);
        g->setName(MoeStudyModel::methodLabel(method));
        g->addToLegend();
        return g;
    };
    baseline_ = series("baseline", QCPScatterStyle::ssSquare, 9, false);
    dense_ = series("dense", QCPScatterStyle::ssDisc, 9, true);
    moe_ = series("moe", QCPScatterStyle::ssDiamond, 11, true);

    selection_ = plot_->addGraph(x, y);
    selection_->setLineStyle(QCPGraph::lsNone);
    selection_->setScatterStyle(
        QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(palette_.text, 1.5), Qt::NoBrush, 18));
    selection_->setSelectable(QCP::stNone);

    emptyLabel_ = new QCPItemText(plot_);
    emptyLabel_->setClipToAxisRect(false);
    emptyLabel_->position->setType(QCPItemPosition::ptAxisRectRatio);
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

void MoeStudyView::setDocument(RunDocument* document) {
    if (document_) disconnect(document_, nullptr, this, nullptr);
    document_ = document;
    clear();
    if (!document_) return;
    connect(document_, &RunDocument::cleared, this, &MoeStudyView::clear);
    connect(document_, &RunDocument::moeStudyChanged, this, &MoeStudyView::refresh);
    // The study's status decides what a stage begun and not finished is (running, cancelled, ...).
    connect(document_, &RunDocument::infoChanged, this, &MoeStudyView::refresh);
    refresh();
}

void MoeStudyView::clear() {
    selectedRow_ = -1;
    tableModel_->setStudy(document_ ? &document_->moeStudy() : nullptr);
    stageModel_->setStudy(document_ ? &document_->moeStudy() : nullptr);
    for (BudgetLine& b : budgetLines_) {
        plot_->removeItem(b.line);
        plot_->removeItem(b.text);
    }
    budgetLines_.clear();
    for (QCPGraph* g : {baseline_, dense_, moe_, selection_})
        g->data()->clear();
    for (QCPItemText* t : pointLabels_)
        plot_->removeItem(t);
    pointLabels_.clear();
    plot_->xAxis->setRange(0, 1);
    plot_->yAxis->setRange(0, 1);
    refreshStatus();
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

void MoeStudyView::setMetric(Metric metric) {
    metric_ = metric;
    const int i = metricBox_->findData(int(metric));
    if (i >= 0 && metricBox_->currentIndex() != i) metricBox_->setCurrentIndex(i);
    if (document_) refreshPlot(document_->moeStudy());
}

void MoeStudyView::refresh() {
    if (!document_) return;
    const MoeStudyModel& study = document_->moeStudy();
    stageModel_->setStatus(document_->status());
    stageModel_->reload();
    stages_->resizeColumnsToContents();
    tableModel_->reload();
    fitTableColumns();
    if (selectedRow_ >= int(study.rows().size())) selectedRow_ = -1;
    syncTableSelection();
    refreshBudgetLines(study);
    refreshPlot(study);
    refreshStatus();
}

double MoeStudyView::valueOf(int index) const {
    const MoeDenseStudyRow& r = document_->moeStudy().rows()[std::size_t(index)];
    switch (metric_) {
    case Metric::Bleu:
        return r.bleu;
    case Metric::Chrf:
        return r.chrf;
    case Metric::ValidNll:
        return r.validNll;
    }
    return r.bleu;
}

QCPGraph* MoeStudyView::graphOf(const std::string& method) const {
    if (method == "baseline") return baseline_;
    if (method == "dense") return dense_;
    if (method == "moe") return moe_;
    return nullptr;
}

void MoeStudyView::refreshBudgetLines(const MoeStudyModel& study) {
    std::vector<MoeStudyModel::Budget> budgets;
    if (study.setup()) budgets = study.setup()->budgets;
    // The setup comes once: the lines are built when it arrives and kept.
    if (budgets.size() == budgetLines_.size()) return;
    for (BudgetLine& b : budgetLines_) {
        plot_->removeItem(b.line);
        plot_->removeItem(b.text);
    }
    budgetLines_.clear();
    for (const MoeStudyModel::Budget& budget : budgets) {
        BudgetLine b;
        b.flops = budget.flops;
        b.label = fractionLabel(budget.fraction);
        b.line = new QCPItemStraightLine(plot_);
        b.line->point1->setCoords(budget.flops, 0);
        b.line->point2->setCoords(budget.flops, 1);
        b.line->setPen(QPen(palette_.muted, 1, Qt::DashLine));
        b.line->setSelectable(false);
        b.text = new QCPItemText(plot_);
        b.text->position->setTypeX(QCPItemPosition::ptPlotCoords);
        b.text->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
        b.text->position->setCoords(budget.flops, 0.0);
        b.text->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
        b.text->setPadding(QMargins(4, 3, 2, 0));
        b.text->setColor(palette_.muted);
        b.text->setText(b.label);
        b.text->setSelectable(false);
        budgetLines_.push_back(b);
    }
}

void MoeStudyView::refreshPlot(const MoeStudyModel& study) {
    QVector<double> bx, by, dx, dy, mx, my;
    std::vector<double> xs, ys;
    for (int i = 0; i < int(study.rows().size()); ++i) {
        const MoeDenseStudyRow& r = study.rows()[std::size_t(i)];
        const double y = valueOf(i);
        QVector<double>& keys = r.method == "baseline" ? bx : r.method == "dense" ? dx : mx;
        QVector<double>& values = r.method == "baseline" ? by : r.method == "dense" ? dy : my;
        if (r.method != "baseline" && r.method != "dense" && r.method != "moe") continue;
        keys.append(r.flops);
        values.append(y);
        xs.push_back(r.flops);
        ys.push_back(y);
    }
    // Each searched row's budget beside its point: the series join their points by FLOPs, and a search's
    // best may sit far below its budget's line.
    for (QCPItemText* t : pointLabels_)
        plot_->removeItem(t);
    pointLabels_.clear();
    for (int i = 0; i < int(study.rows().size()); ++i) {
        const MoeDenseStudyRow& r = study.rows()[std::size_t(i)];
        if (!r.budget || (r.method != "dense" && r.method != "moe")) continue;
        auto* label = new QCPItemText(plot_);
        label->position->setCoords(r.flops, valueOf(i));
        label->setPositionAlignment(Qt::AlignLeft | Qt::AlignVCenter);
        label->setPadding(QMargins(9, 0, 0, 0));
        label->setText(fractionLabel(*r.budget));
        label->setColor(MoeStudyTableModel::methodColour(r.method).darker(130));
        QFont f = font();
        f.setPointSizeF(8);
        label->setFont(f);
        label->setSelectable(false);
        pointLabels_.push_back(label);
    }
    baseline_->setData(bx, by);
    dense_->setData(dx, dy);
    moe_->setData(mx, my);
    selection_->data()->clear();
    if (selectedRow_ >= 0 && selectedRow_ < int(study.rows().size()))
        selection_->addData(study.rows()[std::size_t(selectedRow_)].flops, valueOf(selectedRow_));

    // x: the rows and the budget lines (and the baseline's FLOPs, the 1x every budget is a share of).
    for (const BudgetLine& b : budgetLines_)
        xs.push_back(b.flops);
    if (study.setup()) xs.push_back(study.setup()->baselineFlops);
    auto extent = [](const std::vector<double>& v) {
        double lo = std::numeric_limits<double>::infinity(), hi = -lo;
        for (double d : v)
            if (std::isfinite(d)) {
                lo = std::min(lo, d);
                hi = std::max(hi, d);
            }
        return std::pair{lo, hi};
    };
    if (const auto [lo, hi] = extent(xs); lo <= hi) {
        const double pad = std::max((hi - lo) * 0.08, std::abs(hi) * 0.02);
        plot_->xAxis->setRange(lo - pad, hi + pad);
    } else {
        plot_->xAxis->setRange(0, 1);
    }
    if (const auto [lo, hi] = extent(ys); lo <= hi) {
        // BLEU and chrF are scores from 0: their axis starts at 0 unless the points sit far above it; a
        // study of barely trained models (every BLEU 0) still gets an axis to read.
        const bool score = metric_ != Metric::ValidNll;
        double pad = std::max((hi - lo) * 0.12, std::max(std::abs(hi) * 0.02, score ? 0.5 : 0.01));
        double lower = lo - pad, upper = hi + pad * 1.6; // room above for the budget labels
        // A score of 0 (a barely trained model's BLEU) sits just above the x axis, its marker whole.
        if (score && (lower < 0 || lo < 0.5 * hi)) lower = -0.04 * upper;
        plot_->yAxis->setRange(lower, upper);
    } else {
        plot_->yAxis->setRange(0, 1);
    }
    plot_->yAxis->setLabel(metric_ == Metric::Bleu   ? tr("test BLEU")
                           : metric_ == Metric::Chrf ? tr("test chrF")
                                                     : tr("validation NLL (nats/token)"));
    // The legend says how many points each series has when a budget's row is still missing.
    const std::size_t budgets = study.setup() ? study.setup()->budgets.size() : 0;
    for (const auto& [method, graph] :
         {std::pair{std::string("dense"), dense_}, std::pair{std::string("moe"), moe_}}) {
        QString name = MoeStudyModel::methodLabel(method);
        const int n = graph->dataCount();
        if (budgets > 0 && std::size_t(n) < budgets) name += tr(" (%1 of %2 budgets)").arg(n).arg(budgets);
        graph->setName(name);
    }
    const QString empty = emptyText();
    emptyLabel_->setText(empty);
    emptyLabel_->setVisible(!empty.isEmpty());
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

void MoeStudyView::refreshStatus() {
    const MoeStudyModel* study = document_ ? &document_->moeStudy() : nullptr;
    if (!study || (!study->hasSetup() && study->stages().empty() && study->rows().empty())) {
        status_->setText(document_ && document_->isOpen() && document_->kind() == QLatin1String("moe_study")
                             ? tr("MoE vs dense study run %1: waiting for its setup").arg(document_->runId())
                             : QString());
        status_->setToolTip(QString());
        const QString empty = emptyText();
        emptyLabel_->setText(empty);
        emptyLabel_->setVisible(!empty.isEmpty());
        return;
    }
    // Short: the dock is narrow. The rest is in the tooltip.
    QStringList parts, more;
    parts << tr("Study run %1").arg(document_->runId());
    if (const auto& s = study->setup()) {
        if (!s->space.isEmpty() || !s->corpus.isEmpty()) parts << tr("%1 on %2").arg(s->space, s->corpus);
        parts << (s->minutes > 0 ? tr("%1 min/stage").arg(s->minutes)
                                 : tr("%1 updates/stage").arg(s->updates));
        more << tr("baseline %1: %2 FLOPs").arg(s->baselineKey, si(s->baselineFlops));
        QStringList budgets;
        for (const MoeStudyModel::Budget& b : s->budgets)
            budgets << tr("%1 = %2").arg(fractionLabel(b.fraction), si(b.flops));
        more << tr("FLOPs budgets %1").arg(budgets.join(QStringLiteral(", ")));
    }
    int finished = 0;
    for (const MoeStudyModel::Stage& st : study->stages())
        finished += st.finished ? 1 : 0;
    parts << tr("%1/%2 stages").arg(finished).arg(study->stages().size());
    if (study->hasResult())
        more << tr("every retrain %1 updates (the baseline's); the study took %2 s")
                    .arg(study->retrainUpdates())
                    .arg(study->seconds(), 0, 'f', 0);
    if (study->resumes() > 0) parts << tr("resumed %n time(s)", nullptr, study->resumes());
    parts << (study->hasResult() ? tr("final") : tr("partial"));
    if (!study->errors().isEmpty()) parts << tr("%1 event(s) not read").arg(study->errors().size());
    status_->setText(parts.join(kDot));
    QString tip = more.join(QLatin1Char('\n'));
    if (!study->errors().isEmpty())
        tip += (tip.isEmpty() ? QString() : QStringLiteral("\n")) + study->errors().join(QLatin1Char('\n'));
    status_->setToolTip(tip);
}

QString MoeStudyView::emptyText() const {
    if (!document_ || !document_->isOpen())
        return tr("No run shown.\nOpen a MoE vs dense study run\n(kind \"moe_study\", from `automoe study "
                  "moe-vs-dense`\nor the Run dock's MoE vs dense tab)\nin the Runs dock.");
    const MoeStudyModel& study = document_->moeStudy();
    if (!study.rows().empty()) return QString();
    const QString kind = document_->kind();
    if (!kind.isEmpty() && kind != QLatin1String("moe_study") && !study.hasSetup())
        return tr("Run %1 is a %2 run.\nThis view shows MoE vs dense study runs\n(kind \"moe_study\").")
            .arg(document_->runId())
            .arg(kind);
    if (study.hasSetup())
        return tr("No row yet.\nThe table fills in once the baseline and both supernets\nhave trained, then "
                  "one search and retrain at a time.");
    return tr("No row yet.");
}

QVector<QPointF> MoeStudyView::points(const std::string& method) const {
    QVector<QPointF> out;
    const QCPGraph* g = graphOf(method);
    if (!g) return out;
    for (auto d = g->data()->constBegin(); d != g->data()->constEnd(); ++d)
        out.append(QPointF(d->key, d->value));
    return out;
}

QString MoeStudyView::legendText(const std::string& method) const {
    const QCPGraph* g = graphOf(method);
    return g ? g->name() : QString();
}

QVector<double> MoeStudyView::budgetLines() const {
    QVector<double> out;
    for (const BudgetLine& b : budgetLines_)
        out.append(b.line->point1->coords().x());
    return out;
}

QStringList MoeStudyView::budgetLabels() const {
    QStringList out;
    for (const BudgetLine& b : budgetLines_)
        out << b.text->text();
    return out;
}

QStringList MoeStudyView::pointLabels() const {
    QStringList out;
    for (const QCPItemText* t : pointLabels_)
        out << t->text();
    return out;
}

QString MoeStudyView::pointToolTip(int index) const {
    if (!document_ || index < 0 || index >= int(document_->moeStudy().rows().size())) return {};
    const MoeDenseStudyRow& r = document_->moeStudy().rows()[std::size_t(index)];
    QString tip = MoeStudyModel::methodLabel(r.method);
    if (r.budget) tip += tr(" at %1 of the baseline's FLOPs").arg(MoeStudyTableModel::budgetText(r));
    tip += tr("\nrun %1 · %2 experts\nFLOPs %3 · params %4 active, %5 total\nlatency %6 ms (encoder %7, "
              "decoder %8)\nvalid NLL %9")
               .arg(r.run)
               .arg(r.experts)
               .arg(si(r.flops), si(double(r.paramsActive)), si(double(r.paramsTotal)))
               .arg(r.latencyMs, 0, 'f', 2)
               .arg(r.encoderMs, 0, 'f', 2)
               .arg(r.decoderMs, 0, 'f', 2)
               .arg(r.validNll, 0, 'f', 3);
    tip += tr(" · BLEU %1 · chrF %2").arg(r.bleu, 0, 'f', 2).arg(r.chrf, 0, 'f', 2);
    return tip;
}

void MoeStudyView::fitTableColumns() {
    // The cells' widths, and the header's text but not the room a header keeps for a sort indicator in every
    // section (about 20 px each, 220 px over the table: the eleven columns then fit the default dock). The
    // sorted column keeps its indicator's room.
    const QHeaderView* header = table_->horizontalHeader();
    const QFontMetrics fm = header->fontMetrics();
    const QAbstractItemView* view = table_; // QTableView makes sizeHintForColumn() protected
    for (int c = 0; c < MoeStudyTableModel::ColumnCount; ++c) {
        const QString text = sorted_->headerData(c, Qt::Horizontal).toString();
        int w = std::max(view->sizeHintForColumn(c), fm.horizontalAdvance(text) + 14);
        if (header->sortIndicatorSection() == c) w = std::max(w, fm.horizontalAdvance(text) + 30);
        table_->setColumnWidth(c, w);
    }
}

void MoeStudyView::syncTableSelection() {
    syncing_ = true;
    table_->clearSelection();
    if (selectedRow_ >= 0)
        for (int r = 0; r < sorted_->rowCount(); ++r) {
            const QModelIndex i = sorted_->index(r, 0);
            if (i.data(MoeStudyTableModel::RowIndexRole).toInt() == selectedRow_) {
                table_->selectionModel()->setCurrentIndex(i, QItemSelectionModel::ClearAndSelect |
                                                                 QItemSelectionModel::Rows);
                break;
            }
        }
    syncing_ = false;
}

void MoeStudyView::selectRow(int index) {
    if (!document_ || index < 0 || index >= int(document_->moeStudy().rows().size())) return;
    selectedRow_ = index;
    syncTableSelection();
    refreshPlot(document_->moeStudy());
    emit architectureSelected(index);
}

QPointF MoeStudyView::pointPosition(int index) const {
    if (!document_ || index < 0 || index >= int(document_->moeStudy().rows().size())) return {};
    const MoeDenseStudyRow& r = document_->moeStudy().rows()[std::size_t(index)];
    return QPointF(plot_->xAxis->coordToPixel(r.flops), plot_->yAxis->coordToPixel(valueOf(index)));
}

int MoeStudyView::pointAt(const QPointF& pos) const {
    if (!document_ || !plot_->axisRect()->rect().contains(pos.toPoint())) return -1;
    double best = kPickRadiusPx * kPickRadiusPx;
    int found = -1;
    for (int i = 0; i < int(document_->moeStudy().rows().size()); ++i) {
        const QPointF p = pointPosition(i);
        const double d = (p.x() - pos.x()) * (p.x() - pos.x()) + (p.y() - pos.y()) * (p.y() - pos.y());
        if (d <= best) {
            best = d;
            found = i;
        }
    }
    return found;
}

void MoeStudyView::handleMousePress(QMouseEvent* event) {
    if (event->button() != Qt::LeftButton) return;
    const int i = pointAt(event->position());
    if (i >= 0) selectRow(i);
}

void MoeStudyView::handleMouseMove(QMouseEvent* event) {
    const int i = pointAt(event->position());
    if (i < 0) {
        QToolTip::hideText();
        plot_->setCursor(Qt::ArrowCursor);
        return;
    }
    plot_->setCursor(Qt::PointingHandCursor);
    QToolTip::showText(event->globalPosition().toPoint(), pointToolTip(i), plot_);
}

void MoeStudyView::showContextMenu(const QPoint& pos) {
    QMenu menu(this);
    QAction* exportAction = menu.addAction(tr("Export plot…"));
    if (menu.exec(plot_->mapToGlobal(pos)) != exportAction) return;
    const QString path =
        QFileDialog::getSaveFileName(this, tr("Export MoE vs dense plot"), QStringLiteral("moe-vs-dense.png"),
                                     FigureExporter::fileDialogFilter());
    if (path.isEmpty()) return;
    QString error;
    if (!exportPlot(path, &error)) QMessageBox::warning(this, tr("Export failed"), error);
}

bool MoeStudyView::exportPlot(const QString& path, QString* error) {
    return PlotExporter::exportPlot(*plot_, path, error);
}

} // namespace automoe::ui
