#include "ui/plots/BudgetMarker.h"

#include <qcustomplot.h>

namespace automoe::ui {

BudgetMarker::BudgetMarker(QCPAxisRect& rect, QCPLayer& layer, const FigurePalette& palette,
                           const QFont& font)
    : palette_(palette)
    , layer_(&layer) {
    QCustomPlot* plot = rect.parentPlot();
    layer.setMode(QCPLayer::lmBuffered);

    veil_ = new QCPItemRect(plot);
    veil_->setLayer(&layer);
    veil_->setPen(Qt::NoPen);
    veil_->setBrush(QColor(0xff, 0xff, 0xff, 185));
    veil_->setSelectable(false);
    veil_->topLeft->setTypeX(QCPItemPosition::ptPlotCoords);
    veil_->topLeft->setTypeY(QCPItemPosition::ptAxisRectRatio);
    veil_->bottomRight->setType(QCPItemPosition::ptAxisRectRatio);
    veil_->bottomRight->setCoords(1.0, 1.0);
    for (QCPItemPosition* p : {veil_->topLeft, veil_->bottomRight})
        p->setAxisRect(&rect);

    line_ = new QCPItemStraightLine(plot);
    line_->setLayer(&layer);
    line_->setSelectable(false);
    for (QCPItemPosition* p : {line_->point1, line_->point2}) {
        p->setTypeX(QCPItemPosition::ptPlotCoords);
        p->setTypeY(QCPItemPosition::ptAxisRectRatio);
        p->setAxisRect(&rect);
    }

    label_ = new QCPItemText(plot);
    label_->setLayer(&layer);
    label_->setSelectable(false);
    label_->position->setTypeX(QCPItemPosition::ptPlotCoords);
    label_->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
    label_->position->setAxisRect(&rect);
    label_->setPositionAlignment(Qt::AlignTop | Qt::AlignRight);
    label_->setTextAlignment(Qt::AlignRight);
    // No border: the right padding leaves a gap between the text and the line it labels.
    label_->setPadding(QMargins(6, 3, 9, 3));
    label_->setColor(palette.text);
    label_->setBrush(QColor(0xff, 0xff, 0xff, 215));
    label_->setPen(Qt::NoPen);
    QFont labelFont = font;
    labelFont.setPointSizeF(8.5);
    label_->setFont(labelFont);
}

void BudgetMarker::place(double x, bool active, const QString& label) {
    line_->point1->setCoords(x, 0.0);
    line_->point2->setCoords(x, 1.0);
    line_->setPen(QPen(active ? palette_.text : palette_.muted, active ? 1.6 : 1.2, Qt::DashLine));
    veil_->setVisible(active);
    veil_->topLeft->setCoords(x, 0.0);
    label_->position->setCoords(x, 0.012);
    label_->setText(label);
}

double BudgetMarker::pixel() const {
    return line_->point1->pixelPosition().x();
}

void BudgetMarker::replotLayer() {
    layer_->replot();
}

} // namespace automoe::ui
