#include "ui/routing/RoutingView.h"

#include "ui/plots/PlotTheme.h"
#include "ui/routing/RoutingCharts.h"
#include "ui/run/CliProcess.h"

#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QToolTip>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include <algorithm>
#include <cmath>
#include <utility>

namespace automoe::ui {

namespace {

constexpr int kMaxCellLabels = 28; // tokens up to which cells carry the expert's width as text

QColor readableOn(const QColor& fill) {
    // Perceived lightness of the fill blended on white paper.
    const double a = fill.alphaF();
    const double l = (0.299 * fill.redF() + 0.587 * fill.greenF() + 0.114 * fill.blueF()) * a + (1 - a);
    return l < 0.55 ? QColor(Qt::white) : QColor(0x1f, 0x29, 0x33);
}

} // namespace

RoutingView::RoutingView(QWidget* parent)
    : QWidget(parent) {
    buildUi();
    clearPlots();
}

RoutingView::~RoutingView() = default; // a CliProcess kills its child

void RoutingView::buildUi() {
    sentenceEdit_ = new QLineEdit(this);
    sentenceEdit_->setObjectName("routingSentence");
    sentenceEdit_->setPlaceholderText(tr("A source sentence, e.g. Das ist ein kleines Haus ."));
    sentenceEdit_->setClearButtonEnabled(true);
    connect(sentenceEdit_, &QLineEdit::returnPressed, this, &RoutingView::route);

    validCombo_ = new QComboBox(this);
    validCombo_->setObjectName("routingValidation");
    validCombo_->setMinimumContentsLength(16);
    validCombo_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    validCombo_->setToolTip(tr("Pick a sentence of the run's validation split"));
    connect(validCombo_, qOverload<int>(&QComboBox::activated), this, [this](int index) {
        if (index > 0) sentenceEdit_->setText(validCombo_->itemText(index));
    });

    archCombo_ = new QComboBox(this);
    archCombo_->addItem(tr("Largest subnet"), QStringLiteral("largest"));
    archCombo_->addItem(tr("Smallest subnet"), QStringLiteral("smallest"));
    archCombo_->addItem(tr("Architecture file…"), QString());
    archCombo_->setToolTip(tr("The subnet of the supernet whose routers are shown"));
    connect(archCombo_, qOverload<int>(&QComboBox::activated), this, [this](int index) {
        if (archCombo_->itemData(index).toString().isEmpty()) chooseArchitectureFile();
    });

    shadeCombo_ = new QComboBox(this);
    shadeCombo_->addItem(tr("Shade: gate probability"));
    shadeCombo_->addItem(tr("Shade: expert width"));
    connect(shadeCombo_, qOverload<int>(&QComboBox::currentIndexChanged), this,
            [this](int i) { setShade(i == 1 ? Shade::Width : Shade::Gate); });

    validCount_ = new QSpinBox(this);
    validCount_->setRange(0, 5000);
    validCount_->setValue(200);
    validCount_->setPrefix(tr("over "));
    validCount_->setToolTip(
        tr("The FLOPs by token type and the expert load cover this many validation sentences"));
    validCount_->setSuffix(tr(" validation sentences"));

    routeButton_ = new QPushButton(tr("Route"), this);
    routeButton_->setObjectName("routeButton");
    routeButton_->setDefault(true);
    connect(routeButton_, &QPushButton::clicked, this, &RoutingView::route);

    status_ = new QLabel(this);
    status_->setObjectName("routingStatus");
    status_->setSizePolicy(QSizePolicy::Ignored,
                           QSizePolicy::Preferred); // long messages never widen the dock
    error_ = new QLabel(this);
    error_->setObjectName("routingError");
    error_->setWordWrap(true);
    error_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    error_->setStyleSheet(QStringLiteral("QLabel { color: #b3261e; }"));
    error_->hide();
    translation_ = new QLabel(this);
    translation_->setWordWrap(true);
    translation_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    legend_ = new QLabel(this);

    auto* row1 = new QHBoxLayout;
    row1->addWidget(new QLabel(tr("Sentence"), this));
    row1->addWidget(sentenceEdit_, 3);
    row1->addWidget(validCombo_, 2);
    auto* row2 = new QHBoxLayout;
    row2->addWidget(archCombo_);
    row2->addWidget(shadeCombo_);
    row2->addWidget(validCount_);
    row2->addWidget(routeButton_);
    row2->addWidget(status_, 1);
    auto* row3 = new QHBoxLayout;
    row3->addWidget(translation_, 1);
    row3->addWidget(legend_);

    grid_ = new QCustomPlot(this);
    grid_->setObjectName("routingGrid");
    grid_->setMouseTracking(true);
    connect(grid_, &QCustomPlot::mouseMove, this, &RoutingView::handleGridMouseMove);
    flops_ = new QCustomPlot(this);
    flops_->setObjectName("routingFlops");
    load_ = new QCustomPlot(this);
    load_->setObjectName("routingLoad");
    for (QCustomPlot* p : {grid_, flops_, load_}) {
        PlotTheme::apply(*p, palette_, font());
        p->setMinimumSize(200, 150);
    }
    // The FLOPs chart's legend sits in a row above its bars, not over them.
    flops_->axisRect()->insetLayout()->take(flops_->legend);
    flops_->plotLayout()->insertRow(0);
    flops_->plotLayout()->addElement(0, 0, flops_->legend);
    flops_->plotLayout()->setRowStretchFactor(0, 0.001);
    flops_->legend->setFillOrder(QCPLegend::foColumnsFirst);
    flops_->legend->setBorderPen(Qt::NoPen);
    flops_->legend->setMargins(QMargins(4, 2, 4, 0));
    flops_->legend->setVisible(false);

    encoderRect_ = grid_->axisRect();
    decoderRect_ = new QCPAxisRect(grid_);
    grid_->plotLayout()->addElement(1, 0, decoderRect_);
    PlotTheme::styleAxisRect(*decoderRect_, palette_, font());
    auto* margins = new QCPMarginGroup(grid_);
    for (QCPAxisRect* rect : {encoderRect_, decoderRect_}) {
        rect->setMarginGroup(QCP::msLeft | QCP::msRight, margins);
        rect->setRangeDrag(Qt::Orientations());
        rect->setRangeZoom(Qt::Orientations());
        for (QCPAxis* axis : {rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft)}) {
            axis->setTicker(QSharedPointer<QCPAxisTickerText>(new QCPAxisTickerText));
            axis->grid()->setVisible(false);
            axis->setSubTicks(false);
            axis->setTickLength(0, 0);
        }
    }

    auto* side = new QSplitter(Qt::Vertical, this);
    side->addWidget(flops_);
    side->addWidget(load_);
    auto* split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(grid_);
    split->addWidget(side);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(row1);
    layout->addLayout(row2);
    layout->addWidget(error_);
    layout->addLayout(row3);
    layout->addWidget(split, 1);
    setBusy(false);
}

QString RoutingView::cliPath() const {
    return cliPath_.isEmpty() ? CliProcess::findCli() : cliPath_;
}

void RoutingView::setRun(const QString& dbPath, qint64 runId) {
    if (dbPath == dbPath_ && runId == runId_) return;
    dbPath_ = dbPath;
    runId_ = runId;
    for (CliProcess** slot : {&routeProcess_, &listProcess_})
        delete std::exchange(*slot, nullptr); // kills a child still computing for the previous run
    validCombo_->clear();
    hasResult_ = false;
    result_ = {};
    clearPlots();
    error_->hide();
    setBusy(false, runId > 0 ? tr("Run %1").arg(runId) : tr("No run open"));
    if (isVisible()) loadValidationList();
}

void RoutingView::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    loadValidationList();
}

void RoutingView::setValidationCount(int n) {
    validCount_->setValue(n);
}

QString RoutingView::sentence() const {
    return sentenceEdit_->text();
}

void RoutingView::setSentence(const QString& text) {
    sentenceEdit_->setText(text);
}

void RoutingView::setArchitecture(const QString& spec) {
    int index = archCombo_->findData(spec);
    if (index < 0) {
        const QString label = QFileInfo(spec).isFile() ? QFileInfo(spec).fileName() : spec;
        archCombo_->insertItem(archCombo_->count() - 1, label, spec);
        index = archCombo_->count() - 2;
    }
    archCombo_->setCurrentIndex(index);
}

QString RoutingView::architecture() const {
    return archCombo_->currentData().toString();
}

void RoutingView::chooseArchitectureFile() {
    const QString path =
        QFileDialog::getOpenFileName(this, tr("Architecture to Route"), QString(),
                                     tr("Architectures (*.yml *.yaml *.json);;All files (*)"));
    if (path.isEmpty()) {
        archCombo_->setCurrentIndex(0);
        return;
    }
    setArchitecture(path);
}

QStringList RoutingView::routeArguments() const {
    QStringList args = {QStringLiteral("route"), QStringLiteral("--run"), QString::number(runId_)};
    if (!dbPath_.isEmpty()) args << QStringLiteral("--db") << dbPath_;
    const QString arch = archCombo_->currentData().toString();
    args << QStringLiteral("--arch") << (arch.isEmpty() ? QStringLiteral("largest") : arch);
    const QString text = sentenceEdit_->text().trimmed();
    if (!text.isEmpty()) args << QStringLiteral("--sentence") << text;
    if (validCount_->value() > 0) args << QStringLiteral("--valid") << QString::number(validCount_->value());
    args << QStringLiteral("--json");
    return args;
}

CliProcess* RoutingView::spawn(CliProcess*& slot, const QStringList& args,
                               void (RoutingView::*done)(CliProcess*, int)) {
    delete std::exchange(slot, nullptr); // kills an older child of the same kind
    auto* p = new CliProcess(this);
    slot = p;
    p->setCliPath(cliPath());
    connect(p, &CliProcess::finished, this,
            [this, p, done](int code, bool crashed) { (this->*done)(p, crashed && code != -1 ? -2 : code); });
    p->start(args);
    return p;
}

void RoutingView::loadValidationList() {
    if (runId_ <= 0 || (listedRun_ == runId_ && listedDb_ == dbPath_) || listProcess_) return;
    if (cliPath().isEmpty()) return; // route() reports the missing CLI
    QStringList args = {QStringLiteral("route"), QStringLiteral("--run"), QString::number(runId_)};
    if (!dbPath_.isEmpty()) args << QStringLiteral("--db") << dbPath_;
    args << QStringLiteral("--list-valid") << QStringLiteral("200") << QStringLiteral("--json");
    validCombo_->clear();
    validCombo_->addItem(tr("Loading validation sentences…"));
    spawn(listProcess_, args, &RoutingView::listFinished);
}

void RoutingView::listFinished(CliProcess* p, int exitCode) {
    if (p != listProcess_) return;
    listProcess_ = nullptr;
    p->deleteLater();
    listedRun_ = runId_;
    listedDb_ = dbPath_;
    validCombo_->clear();
    if (exitCode != 0) {
        validCombo_->addItem(tr("No validation sentences: %1").arg(p->errorMessage(exitCode)));
        return;
    }
    try {
        const QStringList sources = parseValidationSources(p->output().join(QLatin1Char('\n')).toUtf8());
        validCombo_->addItem(tr("Validation sentences (%1)…").arg(sources.size()));
        validCombo_->addItems(sources);
        emit validationListLoaded(int(sources.size()));
    } catch (const std::exception& e) {
        validCombo_->addItem(tr("No validation sentences: %1").arg(QString::fromUtf8(e.what())));
    }
}

void RoutingView::route() {
    if (runId_ <= 0) {
        showError(tr("Open a supernet run first (Runs dock) to see how its routers send tokens to experts."));
        return;
    }
    if (sentenceEdit_->text().trimmed().isEmpty() && validCount_->value() == 0) {
        showError(tr(
            "Type a sentence, pick one from the validation split, or aggregate over validation sentences."));
        return;
    }
    const QString cli = cliPath();
    if (cli.isEmpty() || !QFileInfo(cli).isExecutable()) {
        showError(
            tr("The automoe command-line tool was not found next to the app nor on PATH; it computes the "
               "routing. Build the `automoe` target or install the package."));
        return;
    }
    error_->hide();
    spawn(routeProcess_, routeArguments(), &RoutingView::routeFinished);
    setBusy(true, validCount_->value() > 0
                      ? tr("Routing… (loading run %1, translating %2 validation sentences)")
                            .arg(runId_)
                            .arg(validCount_->value())
                      : tr("Routing… (loading run %1)").arg(runId_));
}

void RoutingView::routeFinished(CliProcess* p, int exitCode) {
    if (p != routeProcess_) return;
    routeProcess_ = nullptr;
    p->deleteLater();
    setBusy(false);
    if (exitCode == -1) {
        showError(p->errorMessage(exitCode));
        return;
    }
    if (exitCode != 0) {
        showError(exitCode == -2 ? tr("automoe route crashed") : p->errorMessage(exitCode));
        return;
    }
    try {
        setResult(RoutingResult::fromJson(p->output().join(QLatin1Char('\n')).toUtf8()));
    } catch (const std::exception& e) {
        showError(QString::fromUtf8(e.what()));
        return;
    }
    emit routed();
}

bool RoutingView::isBusy() const {
    return routeProcess_ != nullptr;
}

void RoutingView::setBusy(bool busy, const QString& message) {
    routeButton_->setEnabled(!busy);
    routeButton_->setText(busy ? tr("Routing…") : tr("Route"));
    if (busy)
        setCursor(Qt::BusyCursor);
    else
        unsetCursor();
    if (!message.isEmpty() || busy)
        status_->setText(message);
    else if (hasResult_)
        status_->setText(tr("Run %1 at update %2, %3")
                             .arg(result_.run)
                             .arg(result_.checkpointUpdate)
                             .arg(QFileInfo(result_.arch).fileName() == result_.arch
                                      ? tr("%1 subnet").arg(result_.arch)
                                      : QFileInfo(result_.arch).fileName()));
}

void RoutingView::showError(const QString& message) {
    error_->setText(message);
    error_->show();
    emit failed(message);
}

QString RoutingView::errorText() const {
    return error_->isVisible() || !error_->isHidden() ? error_->text() : QString();
}

void RoutingView::setShade(Shade shade) {
    if (shade == shade_) return;
    shade_ = shade;
    shadeCombo_->setCurrentIndex(shade == Shade::Width ? 1 : 0);
    if (hasResult_) drawGrid();
}

void RoutingView::setResult(const RoutingResult& result) {
    result_ = result;
    hasResult_ = true;
    error_->hide();
    setBusy(false);
    if (!result_.sentences.isEmpty()) {
        const RoutingSentence& s = result_.sentences.front();
        translation_->setText(QStringLiteral("<b>%1</b> &rarr; %2")
                                  .arg(s.source.toHtmlEscaped(), s.translation.toHtmlEscaped()));
    } else {
        translation_->clear();
    }
    int slotCount = 0;
    for (const RoutingLoad& l : result_.loads)
        slotCount = std::max(slotCount, int(l.widths.size()));
    QString legend = tr("Expert slot:");
    for (int i = 0; i < slotCount; ++i)
        legend +=
            QStringLiteral(" <span style='color:%1'>&#9632;</span> %2").arg(palette_.expert(i).name()).arg(i);
    legend_->setText(legend);
    drawGrid();
    drawFlops();
    drawLoad();
}

void RoutingView::clearPlots() {
    cells_.clear();
    translation_->clear();
    legend_->clear();
    grid_->clearItems();
    grid_->clearPlottables();
    flops_->clearPlottables();
    flops_->clearItems();
    load_->clearPlottables();
    load_->clearItems();
    for (QCPAxisRect* rect : {encoderRect_, decoderRect_}) {
        rect->axis(QCPAxis::atBottom)->setLabel(QString());
        rect->axis(QCPAxis::atLeft)->setLabel(QString());
        qSharedPointerCast<QCPAxisTickerText>(rect->axis(QCPAxis::atBottom)->ticker())->clear();
        qSharedPointerCast<QCPAxisTickerText>(rect->axis(QCPAxis::atLeft)->ticker())->clear();
    }
    encoderRect_->axis(QCPAxis::atBottom)->setLabel(tr("Route a sentence to see its tokens' experts"));
    for (QCustomPlot* p : {grid_, flops_, load_})
        p->replot(QCustomPlot::rpQueuedReplot);
}

QColor RoutingView::cellColour(const RoutingLayer& layer, const RoutingAssignment& a, int maxWidth) const {
    QColor c = palette_.expert(a.expert);
    double strength = 1.0;
    if (shade_ == Shade::Gate)
        strength = std::clamp(a.gate, 0.0, 1.0);
    else
        strength = maxWidth > 0 ? double(a.width) / double(maxWidth) : 1.0;
    Q_UNUSED(layer);
    c.setAlphaF(float(0.15 + 0.85 * strength));
    return c;
}

void RoutingView::drawGrid() {
    cells_.clear();
    grid_->clearItems();
    if (result_.sentences.isEmpty()) {
        grid_->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    const RoutingSentence& s = result_.sentences.front();
    int maxWidth = 0;
    for (const RoutingLayer& l : s.layers)
        for (int w : l.widths)
            maxWidth = std::max(maxWidth, w);
    QFont cellFont = font();
    cellFont.setPointSizeF(7.5);
    int layersOf[2] = {0, 0};
    for (const RoutingLayer& l : s.layers)
        ++layersOf[l.encoder ? 0 : 1];

    for (int stack = 0; stack < 2; ++stack) {
        QCPAxisRect* rect = stack == 0 ? encoderRect_ : decoderRect_;
        const QVector<RoutingToken>& tokens = stack == 0 ? s.sourceTokens : s.targetTokens;
        QCPAxis* x = rect->axis(QCPAxis::atBottom);
        QCPAxis* y = rect->axis(QCPAxis::atLeft);
        auto xt = qSharedPointerCast<QCPAxisTickerText>(x->ticker());
        auto yt = qSharedPointerCast<QCPAxisTickerText>(y->ticker());
        xt->clear();
        yt->clear();
        for (int t = 0; t < tokens.size(); ++t)
            xt->addTick(t, tokens[t].label());
        x->setTickLabelRotation(tokens.size() > 12 ? -50 : 0);
        x->setRange(-0.5, std::max(1, int(tokens.size())) - 0.5);
        x->setLabel(stack == 0 ? tr("Source tokens (encoder)")
                               : tr("Decoder inputs: <s> and the greedy translation"));
        y->setRange(-0.5, std::max(1, layersOf[stack]) - 0.5);
        y->setLabel(stack == 0 ? tr("Encoder layer") : tr("Decoder layer"));
        for (int li = 0; li < s.layers.size(); ++li) {
            const RoutingLayer& l = s.layers[li];
            if (l.encoder != (stack == 0)) continue;
            yt->addTick(l.layer, l.dense() ? tr("%1 dense").arg(l.shortName())
                                           : tr("%1 · %2 experts").arg(l.shortName()).arg(l.widths.size()));
            for (int t = 0; t < l.tokens.size(); ++t) {
                const RoutingAssignment& a = l.tokens[t].front();
                auto* item = new QCPItemRect(grid_);
                item->setClipAxisRect(rect);
                for (QCPItemPosition* pos : {item->topLeft, item->bottomRight}) {
                    pos->setAxisRect(rect);
                    pos->setAxes(x, y);
                }
                constexpr double gap = 0.04;
                item->topLeft->setCoords(t - 0.5 + gap, l.layer + 0.5 - gap);
                item->bottomRight->setCoords(t + 0.5 - gap, l.layer - 0.5 + gap);
                const QColor colour = cellColour(l, a, maxWidth);
                QBrush brush(colour, a.dropped ? Qt::BDiagPattern : Qt::SolidPattern);
                item->setBrush(brush);
                item->setPen(a.dropped ? QPen(QColor(0xb3, 0x26, 0x1e), 1.2) : QPen(Qt::NoPen));
                item->setSelectable(false);
                cells_.push_back({li, t, colour, item});
                if (tokens.size() <= kMaxCellLabels) {
                    auto* text = new QCPItemText(grid_);
                    text->setClipAxisRect(rect);
                    text->position->setAxisRect(rect);
                    text->position->setAxes(x, y);
                    text->position->setCoords(t, l.layer);
                    text->setText(QString::number(a.width));
                    text->setFont(cellFont);
                    text->setColor(readableOn(colour));
                    text->setSelectable(false);
                }
            }
        }
    }
    // Rows in proportion to the layers each stack has.
    grid_->plotLayout()->setRowStretchFactors(
        {double(std::max(1, layersOf[0])) + 1.0, double(std::max(1, layersOf[1])) + 1.0});
    grid_->replot(QCustomPlot::rpQueuedReplot);
}

void RoutingView::drawFlops() {
    RoutingCharts::drawFlopsByType(*flops_, result_, palette_, font());
}

void RoutingView::drawLoad() {
    RoutingCharts::drawExpertLoad(*load_, result_, palette_, font());
}

QString RoutingView::cellToolTip(int cellIndex) const {
    if (cellIndex < 0 || cellIndex >= cells_.size() || result_.sentences.isEmpty()) return {};
    const Cell& c = cells_[cellIndex];
    const RoutingSentence& s = result_.sentences.front();
    const RoutingLayer& l = s.layers[c.layerIndex];
    const RoutingToken& token = s.tokensOf(l)[c.token];
    QStringList lines;
    lines << tr("Token %1: %2 (%3)").arg(c.token).arg(token.label(), token.type);
    lines << tr("%1 layer %2: %3")
                 .arg(l.encoder ? tr("Encoder") : tr("Decoder"))
                 .arg(l.layer)
                 .arg(l.dense() ? tr("dense FFN, width %1").arg(l.widths.front())
                                : tr("%1 experts, widths %2, top-%3")
                                      .arg(l.widths.size())
                                      .arg([&] {
                                          QStringList w;
                                          for (int v : l.widths)
                                              w << QString::number(v);
                                          return w.join(QLatin1Char('/'));
                                      }())
                                      .arg(l.topK));
    double layerFlops = l.routerFlops;
    for (const RoutingAssignment& a : l.tokens[c.token]) {
        lines << tr("Expert %1, width %2, gate %3%4")
                     .arg(a.expert)
                     .arg(a.width)
                     .arg(a.gate, 0, 'f', 3)
                     .arg(a.dropped ? tr(" — dropped (capacity)") : QString());
        if (!a.dropped) layerFlops += 4.0 * l.embedDim * a.width;
    }
    lines << tr("FLOPs in this layer: %1 (router %2)")
                 .arg(PlotTheme::siNumber(layerFlops), PlotTheme::siNumber(l.routerFlops));
    lines << tr("FFN FLOPs of the token over the %1: %2")
                 .arg(l.encoder ? tr("encoder") : tr("decoder"), PlotTheme::siNumber(token.flops));
    return lines.join(QLatin1Char('\n'));
}

void RoutingView::handleGridMouseMove(QMouseEvent* event) {
    const QPointF pos = event->position();
    for (QCPAxisRect* rect : {encoderRect_, decoderRect_}) {
        if (!rect->rect().contains(pos.toPoint())) continue;
        const int t = int(std::lround(rect->axis(QCPAxis::atBottom)->pixelToCoord(pos.x())));
        const int layer = int(std::lround(rect->axis(QCPAxis::atLeft)->pixelToCoord(pos.y())));
        const bool encoder = rect == encoderRect_;
        for (int i = 0; i < cells_.size(); ++i) {
            const Cell& c = cells_[i];
            const RoutingLayer& l = result_.sentences.front().layers[c.layerIndex];
            if (l.encoder == encoder && l.layer == layer && c.token == t) {
                QToolTip::showText(event->globalPosition().toPoint(), cellToolTip(i), grid_);
                return;
            }
        }
    }
    QToolTip::hideText();
}

} // namespace automoe::ui
