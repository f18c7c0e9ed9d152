#include "ui/space/SpaceEditor.h"

#include "space/SpaceError.h"
#include "ui/figure/FigurePalette.h"
#include "ui/space/SpaceDocument.h"
#include "ui/space/SpaceEditCommand.h"
#include "ui/space/SpaceSummaryWidget.h"
#include "ui/widgets/ChoiceChips.h"
#include "ui/widgets/RangeSlider.h"

#include <QCheckBox>
#include <QFrame>
#include <QGridLayout>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QUndoStack>
#include <QVBoxLayout>
#include <algorithm>

namespace automoe::ui {

namespace {

const QString kDot = QStringLiteral(" \u00B7 ");
const QChar kTimes(0x00D7);
const QColor kErrorColor(0xc0, 0x39, 0x2b);

QList<int> toList(const std::vector<int>& values) {
    return QList<int>(values.begin(), values.end());
}

std::vector<int> toVector(const QList<int>& values) {
    return std::vector<int>(values.begin(), values.end());
}

QString fieldName(Stack stack, const char* key) {
    return QStringLiteral("%1.%2").arg(QString::fromLatin1(stackName(stack)), QString::fromLatin1(key));
}

QString arbitraryLabel(int gene) {
    const int layers = attendedLayersForGene(gene);
    return layers == 1 ? SpaceEditor::tr("last layer") : SpaceEditor::tr("last %1").arg(layers);
}

QString arbitraryToolTip(int gene) {
    const int layers = attendedLayersForGene(gene);
    return SpaceEditor::tr(
               "Gene %1: each decoder layer attends to the last %2 encoder layer(s), concatenated")
        .arg(gene)
        .arg(layers);
}

} // namespace

SpaceEditor::SpaceEditor(SpaceDocument* document, QWidget* parent)
    : QWidget(parent)
    , document_(document) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);

    summary_ = new SpaceSummaryWidget(document, this);
    summary_->setObjectName("spaceSummary");
    layout->addWidget(summary_);

    auto* rule = new QFrame(this);
    rule->setFrameShape(QFrame::HLine);
    rule->setForegroundRole(QPalette::Midlight);
    layout->addWidget(rule);

    auto* scroll = new QScrollArea(this);
    scroll->setObjectName("spaceEditorScroll");
    scroll->setWidget(buildForm());
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    layout->addWidget(scroll, 1);

    setBackgroundRole(QPalette::Base);
    setAutoFillBackground(true);
    scroll->setBackgroundRole(QPalette::Base);
    summary_->setBackgroundRole(QPalette::Base);

    connect(document_, &SpaceDocument::spaceChanged, this, [this] {
        // Any change that reached the document (an edit, undo, redo, open) was valid.
        clearErrors();
        sync();
    });
    sync();
}

// ------------------------------------------------------------------------------------------- the form

QWidget* SpaceEditor::buildForm() {
    auto* form = new QWidget;
    form->setObjectName("spaceEditorForm");
    form->setBackgroundRole(QPalette::Base);
    form->setAutoFillBackground(true);
    auto* grid = new QGridLayout(form);
    grid->setContentsMargins(10, 6, 10, 12);
    grid->setHorizontalSpacing(10);
    grid->setVerticalSpacing(4);
    grid->setColumnStretch(1, 1);
    grid->setColumnMinimumWidth(0, 120);

    addSupernetRow(grid);
    addQkvRow(grid);
    addSection(grid, Stack::Encoder);
    addSection(grid, Stack::Decoder);
    grid->setRowStretch(grid->rowCount(), 1);
    return form;
}

SpaceEditor::Row& SpaceEditor::addRow(QGridLayout* grid, const QString& field, const QString& caption,
                                      const QString& toolTip) {
    Row& row = rows_[field];
    row.field = field;
    row.caption = caption;
    const int r = grid->rowCount();
    // The caption, and under it (for a slider) the chosen span as text.
    auto* captionBox = new QWidget;
    auto* captionLayout = new QVBoxLayout(captionBox);
    captionLayout->setContentsMargins(0, 2, 0, 0);
    captionLayout->setSpacing(1);
    auto* label = new QLabel(caption);
    label->setToolTip(toolTip);
    captionLayout->addWidget(label);
    row.value = new QLabel;
    row.value->setObjectName(QStringLiteral("value:%1").arg(field));
    row.value->setForegroundRole(QPalette::PlaceholderText);
    row.value->hide();
    captionLayout->addWidget(row.value);
    captionLayout->addStretch(1);
    grid->addWidget(captionBox, r, 0, Qt::AlignTop);

    row.error = new QLabel;
    row.error->setObjectName(QStringLiteral("error:%1").arg(field));
    row.error->setWordWrap(true);
    row.error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    row.error->setStyleSheet(QStringLiteral("color: %1;").arg(kErrorColor.name()));
    row.error->hide();
    grid->addWidget(row.error, r + 1, 1, 1, 2);
    return row;
}

void SpaceEditor::addSection(QGridLayout* grid, Stack stack) {
    const FigurePalette palette;
    const bool encoder = stack == Stack::Encoder;
    auto* title = new QLabel(encoder ? tr("Encoder") : tr("Decoder"));
    QFont font = title->font();
    font.setBold(true);
    font.setPointSizeF(font.pointSizeF() * 1.1);
    title->setFont(font);
    title->setStyleSheet(
        QStringLiteral("color: %1;").arg((encoder ? palette.encoderAccent : palette.decoderAccent).name()));
    title->setContentsMargins(0, 10, 0, 0);
    const int r = grid->rowCount();
    grid->addWidget(title, r, 0, 1, 3);
    auto* line = new QFrame;
    line->setFrameShape(QFrame::HLine);
    line->setFixedHeight(2);
    line->setStyleSheet(QStringLiteral("background: %1; border: none;")
                            .arg((encoder ? palette.encoderBorder : palette.decoderBorder).name()));
    grid->addWidget(line, r + 1, 0, 1, 3);

    addDimensionRow(grid, stack, Dim::EmbedDim, tr("Embedding width"), QString(),
                    tr("Width of the stack's token embeddings and hidden state (d_model)."));
    addDimensionRow(grid, stack, Dim::Layers, tr("Layers"), tr("layers"),
                    tr("Depth choices; layers beyond a subnet's depth are skipped."));
    addDimensionRow(grid, stack, Dim::SelfHeads, tr("Self-attention heads"), tr("heads"),
                    tr("Heads split qkv_dim (more heads, smaller heads), so each count must divide it."));
    if (!encoder) {
        addDimensionRow(grid, stack, Dim::EndeHeads, tr("Cross-attention heads"), tr("heads"),
                        tr("Encoder-decoder attention heads; each count must divide qkv_dim."));
        addDimensionRow(grid, stack, Dim::ArbitraryEnde, tr("Attends to encoder"), QString(),
                        tr("Arbitrary encoder-decoder attention: which encoder layers each decoder layer "
                           "reads (-1 the last, 1 the last two, 2 the last three)."));
    }
    addDimensionRow(grid, stack, Dim::Experts, tr("Experts per layer"), tr("experts"),
                    tr("1 is a dense layer, so where the MoE layers go is searched too."));
    addDimensionRow(grid, stack, Dim::FfnDim, tr("Expert widths"), QString(),
                    tr("Hidden widths an expert's FFN may take."));
    addFractionalRow(grid, stack);
    addDimensionRow(grid, stack, Dim::TopK, tr("Top-k routing"), tr("experts"),
                    tr("Experts each token is routed to; clamped to the layer's expert count."));
}

void SpaceEditor::addDimensionRow(QGridLayout* grid, Stack stack, Dim dim, const QString& caption,
                                  const QString& unit, const QString& toolTip) {
    static const char* const keys[] = {"embed_dim",  "layers",         "ffn_dim", "heads",
                                       "ende_heads", "arbitrary_ende", "experts", "top_k"};
    const QString field = fieldName(stack, keys[static_cast<int>(dim)]);
    const int r = grid->rowCount();
    Row& row = addRow(grid, field, caption, toolTip);
    row.stack = stack;
    row.dim = dim;
    row.grid = grid;
    row.gridRow = r;
    row.unit = unit;
    row.toolTip = toolTip;
    buildControl(field, row, dimension(document_->space().stack(stack), dim).isRange);
}

// A range ({"min", "max"} in the file) gets a slider, a list of choices gets chips; opening another space
// may switch one for the other.
void SpaceEditor::buildControl(const QString& field, Row& row, bool range) {
    if (row.control) {
        // Deleted later: this can run inside a signal of the old control.
        row.control->hide();
        row.control->deleteLater();
        row.control = nullptr;
        row.slider = nullptr;
        row.chips = nullptr;
    }
    const QString accessible = QStringLiteral("%1 %2").arg(
        *row.stack == Stack::Encoder ? tr("Encoder") : tr("Decoder"), row.caption.toLower());
    if (range) {
        row.slider = new RangeSlider;
        row.slider->setObjectName(field);
        row.slider->setUnit(row.unit);
        row.slider->setToolTip(row.toolTip);
        row.slider->setAccessibleName(accessible);
        row.control = row.slider;
        connect(row.slider, &RangeSlider::dragStarted, this, [this] { currentDrag_ = ++dragCounter_; });
        connect(row.slider, &RangeSlider::dragFinished, this, [this, field] {
            currentDrag_ = 0;
            syncRow(rows_[field]);
        });
        connect(row.slider, &RangeSlider::spanEdited, this,
                [this, field](int lo, int hi) { editRange(field, lo, hi); });
    } else {
        row.chips = new ChoiceChips;
        row.chips->setObjectName(field);
        row.chips->setUnit(row.unit);
        row.chips->setAccessibleName(accessible);
        row.chips->setToolTip(row.toolTip);
        if (row.dim == Dim::ArbitraryEnde) row.chips->setLabels(arbitraryLabel, arbitraryToolTip);
        // The ladders of heads and top-k cover what is useful; widths and counts take any value.
        const bool custom = row.dim == Dim::EmbedDim || row.dim == Dim::FfnDim || row.dim == Dim::Layers ||
                            row.dim == Dim::Experts;
        row.chips->setCustomValues(custom, 1,
                                   row.dim == Dim::EmbedDim || row.dim == Dim::FfnDim ? 65536 : 256);
        row.control = row.chips;
        connect(row.chips, &ChoiceChips::selectionEdited, this,
                [this, field](const QList<int>& values) { editChoices(field, values); });
    }
    row.value->setVisible(range);
    row.grid->addWidget(row.control, row.gridRow, 1, 1, 2);
}

void SpaceEditor::addFractionalRow(QGridLayout* grid, Stack stack) {
    const QString field = fieldName(stack, "fractional_experts");
    const int r = grid->rowCount();
    Row& row = addRow(grid, field, tr("Fractional experts"),
                      tr("Whether the experts of one layer may have different widths."));
    row.stack = stack;
    row.check = new QCheckBox(tr("Experts of a layer may differ in width"));
    row.check->setObjectName(field);
    row.check->setAccessibleName(QStringLiteral("%1 %2").arg(
        stack == Stack::Encoder ? tr("Encoder") : tr("Decoder"), tr("fractional experts")));
    grid->addWidget(row.check, r, 1, 1, 2);
    row.control = row.check;
    connect(row.check, &QCheckBox::clicked, this, [this, field](bool on) { editFractional(field, on); });
}

void SpaceEditor::addQkvRow(QGridLayout* grid) {
    const QString field = QStringLiteral("qkv_dim");
    const int r = grid->rowCount();
    Row& row = addRow(grid, field, tr("qkv_dim"),
                      tr("Fixed Q/K/V width (HAT convention): every head count must divide it."));
    row.chips = new ChoiceChips;
    row.chips->setObjectName(field);
    row.chips->setExclusive(true);
    row.chips->setCustomValues(true, 1, 65536);
    row.chips->setAccessibleName(tr("qkv_dim"));
    grid->addWidget(row.chips, r, 1, 1, 2);
    row.control = row.chips;
    connect(row.chips, &ChoiceChips::selectionEdited, this, [this](const QList<int>& v) { editQkv(v); });
}

void SpaceEditor::addSupernetRow(QGridLayout* grid) {
    const int r = grid->rowCount();
    auto* caption = new QLabel(tr("Supernet"));
    caption->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    caption->setContentsMargins(0, 4, 0, 0);
    grid->addWidget(caption, r, 0);
    supernetText_ = new QLabel;
    supernetText_->setObjectName("supernetState");
    supernetText_->setWordWrap(true);
    supernetText_->setForegroundRole(QPalette::PlaceholderText);
    supernetText_->setContentsMargins(0, 4, 0, 0);
    grid->addWidget(supernetText_, r, 1);
    pinButton_ = new QPushButton(tr("Pin"));
    pinButton_->setObjectName("pinSupernet");
    pinButton_->setCheckable(true);
    pinButton_->setToolTip(tr("Pin the supernet at the current maxima: the bounds may then only narrow "
                              "inside it, as after training"));
    grid->addWidget(pinButton_, r, 2, Qt::AlignTop);
    connect(pinButton_, &QPushButton::clicked, this, &SpaceEditor::setSupernetPinned);
}

// ------------------------------------------------------------------------------------------- dimensions

Dimension& SpaceEditor::dimension(StackSpace& s, Dim dim) {
    switch (dim) {
    case Dim::EmbedDim:
        return s.embedDim;
    case Dim::Layers:
        return s.layers;
    case Dim::FfnDim:
        return s.ffnDim;
    case Dim::SelfHeads:
        return s.selfHeads;
    case Dim::EndeHeads:
        return s.endeHeads;
    case Dim::ArbitraryEnde:
        return s.arbitraryEnde;
    case Dim::Experts:
        return s.experts;
    case Dim::TopK:
        break;
    }
    return s.topK;
}

const Dimension& SpaceEditor::dimension(const StackSpace& s, Dim dim) {
    return dimension(const_cast<StackSpace&>(s), dim);
}

// What a user is offered: the usual values of a dimension (the choices of the space are added to these).
QList<int> SpaceEditor::ladder(Dim dim) {
    switch (dim) {
    case Dim::EmbedDim:
        return {128, 192, 256, 320, 384, 512, 640, 768, 1024};
    case Dim::Layers:
        return {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    case Dim::FfnDim:
        return {128, 256, 512, 768, 1024, 1536, 2048, 3072, 4096};
    case Dim::SelfHeads:
    case Dim::EndeHeads:
        return {1, 2, 3, 4, 6, 8, 12, 16};
    case Dim::ArbitraryEnde:
        return {-1, 1, 2};
    case Dim::Experts:
        return {1, 2, 3, 4, 5, 6, 7, 8, 12, 16};
    case Dim::TopK:
        break;
    }
    return {1, 2, 3, 4};
}

QList<int> SpaceEditor::sliderAxis(Dim dim, const Dimension& current, std::optional<int> limit) {
    const QList<int> l = ladder(dim);
    int lo = std::min(l.front(), current.min());
    int hi = std::max(l.back(), current.max());
    if (limit) hi = std::max(hi, *limit);
    QList<int> axis;
    for (int v = lo; v <= hi; ++v)
        axis.append(v);
    return axis;
}

std::optional<int> SpaceEditor::pinnedLimit(Stack stack, Dim dim) const {
    const auto& pinned = document_->space().pinnedSupernet;
    if (!pinned) return std::nullopt;
    const bool enc = stack == Stack::Encoder;
    switch (dim) {
    case Dim::EmbedDim:
        return enc ? pinned->encoderEmbedDim : pinned->decoderEmbedDim;
    case Dim::Layers:
        return enc ? pinned->encoderLayers : pinned->decoderLayers;
    case Dim::FfnDim:
        return enc ? pinned->encoderFfnDim : pinned->decoderFfnDim;
    case Dim::Experts:
        return enc ? pinned->encoderExperts : pinned->decoderExperts;
    default:
        return std::nullopt;
    }
}

// ------------------------------------------------------------------------------------------- editing

bool SpaceEditor::tryEdit(const QString& field, const SearchSpace& candidate, const QString& what, int drag) {
    if (!document_) return false;
    const SearchSpace& current = document_->space();
    if (candidate == current) {
        // Back where the document is (a refused value was left): nothing to apply, nothing wrong.
        clearErrors();
        return true;
    }
    try {
        // With a pinned supernet this also refuses anything that leaves it (SearchSpace::validate).
        candidate.validate();
    } catch (const SpaceError& e) {
        showError(field, QString::fromStdString(e.what()));
        return false;
    }
    document_->undoStack()->push(new SpaceEditCommand(document_, current, candidate, field, what, drag));
    return true;
}

void SpaceEditor::editRange(const QString& field, int lower, int upper) {
    Row& row = rows_[field];
    SearchSpace candidate = document_->space();
    dimension(candidate.stack(*row.stack), row.dim) = Dimension::range(lower, upper);
    const bool dragging = row.slider->isDragging();
    const QString what =
        tr("Change %1 %2").arg(QString::fromLatin1(stackName(*row.stack)), row.caption.toLower());
    if (!tryEdit(field, candidate, what, dragging ? currentDrag_ : 0)) syncRow(row);
}

void SpaceEditor::editChoices(const QString& field, const QList<int>& values) {
    Row& row = rows_[field];
    SearchSpace candidate = document_->space();
    dimension(candidate.stack(*row.stack), row.dim) = Dimension::of(toVector(values));
    const QString what =
        tr("Change %1 %2").arg(QString::fromLatin1(stackName(*row.stack)), row.caption.toLower());
    if (!tryEdit(field, candidate, what)) syncRow(row);
}

void SpaceEditor::editFractional(const QString& field, bool on) {
    Row& row = rows_[field];
    SearchSpace candidate = document_->space();
    candidate.stack(*row.stack).fractionalExperts = on;
    const QString what =
        on ? tr("Allow fractional %1 experts").arg(QString::fromLatin1(stackName(*row.stack)))
           : tr("Give %1 experts one width").arg(QString::fromLatin1(stackName(*row.stack)));
    if (!tryEdit(field, candidate, what)) syncRow(row);
}

void SpaceEditor::editQkv(const QList<int>& values) {
    const QString field = QStringLiteral("qkv_dim");
    if (values.isEmpty()) return;
    SearchSpace candidate = document_->space();
    candidate.qkvDim = values.front();
    if (!tryEdit(field, candidate, tr("Change qkv_dim to %1").arg(values.front()))) syncRow(rows_[field]);
}

void SpaceEditor::setSupernetPinned(bool pinned) {
    if (!document_ || !document_->isLoaded()) return;
    SearchSpace candidate = document_->space();
    if (pinned == candidate.pinnedSupernet.has_value()) return;
    if (pinned)
        candidate.pinnedSupernet = candidate.supernet();
    else
        candidate.pinnedSupernet.reset();
    tryEdit(QStringLiteral("qkv_dim"), candidate,
            pinned ? tr("Pin the supernet") : tr("Release the supernet"));
    sync();
}

void SpaceEditor::showError(const QString& field, const QString& message) {
    for (auto it = rows_.begin(); it != rows_.end(); ++it)
        if (it.key() != field) it.value().error->hide();
    Row& row = rows_[field];
    row.error->setText(message);
    row.error->show();
}

void SpaceEditor::clearErrors() {
    for (Row& row : rows_) {
        row.error->clear();
        row.error->hide();
    }
}

QString SpaceEditor::errorText(const QString& field) const {
    const auto it = rows_.find(field);
    return it != rows_.end() && it->error->isVisibleTo(const_cast<SpaceEditor*>(this)) ? it->error->text()
                                                                                       : QString();
}

QWidget* SpaceEditor::control(const QString& field) const {
    const auto it = rows_.find(field);
    return it != rows_.end() ? it->control : nullptr;
}

RangeSlider* SpaceEditor::rangeSlider(const QString& field) const {
    const auto it = rows_.find(field);
    return it != rows_.end() ? it->slider : nullptr;
}

ChoiceChips* SpaceEditor::choiceChips(const QString& field) const {
    const auto it = rows_.find(field);
    return it != rows_.end() ? it->chips : nullptr;
}

QCheckBox* SpaceEditor::checkBox(const QString& field) const {
    const auto it = rows_.find(field);
    return it != rows_.end() ? it->check : nullptr;
}

// ------------------------------------------------------------------------------------------- syncing

void SpaceEditor::sync() {
    const bool loaded = document_ && document_->isLoaded();
    setEnabled(loaded);
    if (!loaded) return;
    for (Row& row : rows_)
        syncRow(row);

    const SearchSpace& space = document_->space();
    const SupernetDims n = space.supernet();
    const QString dims = tr("encoder d %1%2%3 %4 %5 %4 FFN %6; decoder d %7%2%8 %4 %9 %4 FFN %10")
                             .arg(n.encoderEmbedDim)
                             .arg(kDot)
                             .arg(n.encoderLayers)
                             .arg(kTimes)
                             .arg(n.encoderExperts)
                             .arg(n.encoderFfnDim)
                             .arg(n.decoderEmbedDim)
                             .arg(n.decoderLayers)
                             .arg(n.decoderExperts)
                             .arg(n.decoderFfnDim);
    const bool pinned = space.pinnedSupernet.has_value();
    supernetText_->setText(pinned ? tr("Pinned: the bounds can only narrow.")
                                  : tr("Set by the largest value of each bound."));
    supernetText_->setToolTip(tr("Supernet: %1").arg(dims));
    pinButton_->setChecked(pinned);
    pinButton_->setText(pinned ? tr("Release") : tr("Pin"));
}

void SpaceEditor::syncRow(Row& row) {
    const SearchSpace& space = document_->space();
    if (!row.stack) { // qkv_dim
        QMap<int, QString> discouraged;
        QList<int> offered = {64, 128, 192, 256, 384, 512, 768, 1024};
        for (int q : offered) {
            if (space.pinnedSupernet && q != space.pinnedSupernet->qkvDim) {
                discouraged.insert(
                    q, tr("The pinned supernet has qkv_dim %1").arg(space.pinnedSupernet->qkvDim));
                continue;
            }
            for (const Dimension* heads :
                 {&space.encoder.selfHeads, &space.decoder.selfHeads, &space.decoder.endeHeads})
                for (int h : heads->choices)
                    if (q % h != 0 && !discouraged.contains(q))
                        discouraged.insert(q, tr("Not divisible into %1 heads").arg(h));
        }
        row.chips->setDiscouraged(discouraged);
        row.chips->setChoices(offered, {space.qkvDim});
        return;
    }
    const Stack stack = *row.stack;
    const StackSpace& s = space.stack(stack);
    if (row.check) {
        row.check->setChecked(s.fractionalExperts);
        return;
    }
    const Dimension& d = dimension(s, row.dim);
    const std::optional<int> limit = pinnedLimit(stack, row.dim);
    if ((row.slider != nullptr) != d.isRange) buildControl(row.field, row, d.isRange);
    if (row.slider) {
        const QList<int> axis = sliderAxis(row.dim, d, limit);
        if (axis != row.slider->axis()) row.slider->setAxis(axis);
        row.slider->setLimit(limit);
        row.slider->setSpan(d.min(), d.max());
        row.value->setText(row.slider->spanText());
        return;
    }
    QMap<int, QString> discouraged;
    for (int v : ladder(row.dim)) {
        if (limit && v > *limit)
            discouraged.insert(v, tr("Beyond the pinned supernet (at most %1)").arg(*limit));
        if ((row.dim == Dim::SelfHeads || row.dim == Dim::EndeHeads) && space.qkvDim % v != 0)
            discouraged.insert(v, tr("Does not divide qkv_dim %1").arg(space.qkvDim));
    }
    row.chips->setDiscouraged(discouraged);
    row.chips->setChoices(ladder(row.dim), toList(d.choices));
}

} // namespace automoe::ui
