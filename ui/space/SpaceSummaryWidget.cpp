#include "ui/space/SpaceSummaryWidget.h"

#include "ui/space/SpaceDocument.h"
#include "util/Format.h"

#include <QDir>
#include <QFileInfo>
#include <QGridLayout>
#include <QLabel>
#include <QVBoxLayout>
#include <cmath>

namespace automoe::ui {

namespace {

const QString kDot = QStringLiteral(" \u00B7 ");
const QChar kTimes(0x00D7);

QString si(double v) {
    return QString::fromStdString(formatSI(v));
}

} // namespace

SpaceSummaryWidget::SpaceSummaryWidget(SpaceDocument* document, QWidget* parent)
    : QWidget(parent)
    , document_(document) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(10, 8, 10, 8);
    layout->setSpacing(4);

    title_ = new QLabel(this);
    title_->setObjectName("title");
    QFont titleFont = title_->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.25);
    titleFont.setBold(true);
    title_->setFont(titleFont);
    title_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(title_);

    description_ = new QLabel(this);
    description_->setObjectName("description");
    description_->setWordWrap(true);
    description_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    description_->setForegroundRole(QPalette::PlaceholderText);
    layout->addWidget(description_);
    layout->addSpacing(4);

    auto* grid = new QGridLayout;
    grid->setHorizontalSpacing(12);
    grid->setVerticalSpacing(3);
    grid->setColumnStretch(1, 1);
    addRow(grid, "size", tr("Size"),
           tr("Number of distinct architectures in the space (genes that build the same "
              "network count once)."));
    addRow(grid, "cheapest", tr("Cheapest"),
           tr("Every gene at its smallest choice. FLOPs for a 30-token source and target (HAT convention); "
              "params without embeddings."));
    addRow(grid, "mostExpensive", tr("Most expensive"),
           tr("Every gene at its largest choice; active params are those one token uses."));
    addRow(grid, "supernetEncoder", tr("Supernet encoder"),
           tr("The weight-sharing supernet: layers × experts per layer × the widest expert."));
    addRow(grid, "supernetDecoder", tr("Supernet decoder"), tr("The weight-sharing supernet's decoder."));
    addRow(grid, "embedding", tr("Embedding"), tr("Width of the shared embedding table (widest stack)."));
    addRow(grid, "qkvDim", tr("qkv_dim"),
           tr("Fixed Q/K/V width (HAT convention): the heads split it, so more heads means smaller heads."));
    addRow(grid, "file", tr("File"), QString());
    layout->addLayout(grid);

    connect(document, &SpaceDocument::spaceChanged, this, &SpaceSummaryWidget::refresh);
    refresh();
}

QLabel* SpaceSummaryWidget::addRow(QGridLayout* grid, const QString& key, const QString& caption,
                                   const QString& toolTip) {
    const int row = grid->rowCount();
    auto* name = new QLabel(caption, this);
    name->setForegroundRole(QPalette::PlaceholderText);
    name->setToolTip(toolTip);
    name->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    auto* value = new QLabel(this);
    value->setObjectName(key);
    value->setWordWrap(true);
    value->setTextInteractionFlags(Qt::TextSelectableByMouse);
    value->setToolTip(toolTip);
    grid->addWidget(name, row, 0);
    grid->addWidget(value, row, 1);
    return value;
}

QString SpaceSummaryWidget::sizeRichText(double log10Size) {
    return tr("10<sup>%1</sup> architectures").arg(log10Size, 0, 'f', 1);
}

QString SpaceSummaryWidget::sizePlainText(double log10Size) {
    return tr("10^%1 architectures").arg(log10Size, 0, 'f', 1);
}

QString SpaceSummaryWidget::flopsText(double flops) {
    // formatSI gives "1.53 G" (unit with its space) or a bare "530" below a thousand.
    const QString n = si(flops);
    return n.back().isDigit() ? tr("%1 FLOPs").arg(n) : tr("%1FLOPs").arg(n);
}

QString SpaceSummaryWidget::paramsText(double params) {
    return tr("%1 params").arg(si(params));
}

QString SpaceSummaryWidget::valueText(const QString& key) const {
    const auto* label = findChild<QLabel*>(key);
    return label ? label->text() : QString();
}

void SpaceSummaryWidget::refresh() {
    auto set = [this](const QString& key, const QString& text) {
        if (auto* label = findChild<QLabel*>(key)) label->setText(text);
    };
    if (!document_ || !document_->isLoaded()) {
        title_->setText(tr("No search space"));
        description_->clear();
        for (auto* label : findChildren<QLabel*>())
            if (!label->objectName().isEmpty() && label != title_ && label != description_) label->clear();
        return;
    }
    const SearchSpace& space = document_->space();
    const SpaceSummary& s = document_->summary();
    title_->setText(QString::fromStdString(space.name));
    description_->setText(QString::fromStdString(space.description));
    description_->setVisible(!space.description.empty());

    set("size", sizeRichText(s.log10Size));
    if (auto* label = findChild<QLabel*>("size"))
        label->setToolTip(
            tr("%1 (exactly 10^%2)").arg(sizePlainText(s.log10Size)).arg(s.log10Size, 0, 'f', 4));
    set("cheapest", flopsText(s.cheapestCost.flopsHat) + kDot +
                        paramsText(static_cast<double>(s.cheapestCost.paramsHat)));
    set("mostExpensive",
        flopsText(s.mostExpensiveCost.flopsHat) + kDot +
            paramsText(static_cast<double>(s.mostExpensiveCost.paramsHat)) + " " +
            tr("(%1 active)").arg(si(static_cast<double>(s.mostExpensiveCost.paramsActive))));
    const SupernetDims& n = s.supernet;
    auto stackText = [](int embed, int layers, int experts, int ffn) {
        return tr("d %1%2%3 layers %4 %5 experts %4 FFN %6")
            .arg(embed)
            .arg(kDot)
            .arg(layers)
            .arg(kTimes)
            .arg(experts)
            .arg(ffn);
    };
    set("supernetEncoder", stackText(n.encoderEmbedDim, n.encoderLayers, n.encoderExperts, n.encoderFfnDim));
    set("supernetDecoder", stackText(n.decoderEmbedDim, n.decoderLayers, n.decoderExperts, n.decoderFfnDim));
    set("embedding", QString::number(n.embedDim));
    set("qkvDim", QString::number(space.qkvDim));

    const QString path = document_->filePath();
    if (auto* label = findChild<QLabel*>("file")) {
        label->setText(QFileInfo(path).fileName());
        label->setToolTip(QDir::toNativeSeparators(path));
    }
}

} // namespace automoe::ui
