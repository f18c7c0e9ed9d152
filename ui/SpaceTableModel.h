// SpaceTableModel presents the dimensions of the document's search space as a table: one row per
// dimension (embedding width, layers, heads, ...), one column per stack (encoder, decoder).
#pragma once

#include "space/SearchSpace.h"

#include <QAbstractTableModel>
#include <QPointer>

namespace automoe::ui {

class SpaceDocument;

class SpaceTableModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Row {
        EmbedDimRow,
        LayersRow,
        SelfHeadsRow,
        EndeHeadsRow,
        ArbitraryEndeRow,
        ExpertsRow,
        ExpertWidthsRow,
        TopKRow,
        FractionalExpertsRow,
        RowCount
    };
    enum Column { EncoderColumn, DecoderColumn, ColumnCount };
    // Qt::UserRole + this: the raw choices of the cell as a QVariantList of ints (empty when not applicable).
    static constexpr int ChoicesRole = Qt::UserRole + 1;

    explicit SpaceTableModel(SpaceDocument* document, QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    int columnCount(const QModelIndex& parent = QModelIndex()) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // "2–3" for a range, "128 · 192 · 256" for a list (a single choice is just "6").
    static QString choicesText(const Dimension& dimension);

private:
    // The dimension behind a cell, or nullptr where it does not apply (encoder-decoder genes of the encoder).
    const Dimension* dimensionAt(int row, Stack stack) const;
    QString cellText(int row, Stack stack) const;
    static QString rowName(int row);
    static QString rowToolTip(int row);

    QPointer<SpaceDocument> document_;
};

} // namespace automoe::ui
