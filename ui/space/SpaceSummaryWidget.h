// SpaceSummaryWidget shows the facts of the document's search space at a glance: name, description,
// size, the cost range from the cheapest to the most expensive architecture, and the supernet it implies.
#pragma once

#include <QPointer>
#include <QWidget>

class QLabel;
class QGridLayout;

namespace automoe::ui {

class SpaceDocument;

class SpaceSummaryWidget : public QWidget {
    Q_OBJECT

public:
    explicit SpaceSummaryWidget(SpaceDocument* document, QWidget* parent = nullptr);

    // "10^23.4 architectures" as rich text (the exponent as a superscript) and as plain text.
    static QString sizeRichText(double log10Size);
    static QString sizePlainText(double log10Size);
    // "1.53 GFLOPs", "25.22 M params": formatSI from the core with a unit.
    static QString flopsText(double flops);
    static QString paramsText(double params);

    // The text of a value label, by its objectName ("size", "cheapest", "mostExpensive", ...); for tests.
    QString valueText(const QString& key) const;

private:
    void refresh();
    QLabel* addRow(QGridLayout* grid, const QString& key, const QString& caption, const QString& toolTip);

    QPointer<SpaceDocument> document_;
    QLabel* title_ = nullptr;
    QLabel* description_ = nullptr;
};

} // namespace automoe::ui
