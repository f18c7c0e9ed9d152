#include "ui/SpaceTableModel.h"

#include "ui/SpaceDocument.h"

#include <QBrush>
#include <QColor>
#include <QFont>
#include <QStringList>

namespace automoe::ui {

namespace {

const QChar kEnDash(0x2013);
const QChar kMinus(0x2212);
const QString kDot = QStringLiteral(" \u00B7 ");

QString number(int v) {
    return v < 0 ? QString(kMinus) + QString::number(-v) : QString::number(v);
}

} // namespace

SpaceTableModel::SpaceTableModel(SpaceDocument* document, QObject* parent)
    : QAbstractTableModel(parent)
    , document_(document) {
    connect(document, &SpaceDocument::spaceChanged, this, [this] {
        // The shape never changes, only the values.
        emit dataChanged(index(0, 0), index(RowCount - 1, ColumnCount - 1));
    });
}

int SpaceTableModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : RowCount;
}

int SpaceTableModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QString SpaceTableModel::choicesText(const Dimension& d) {
    if (d.choices.empty()) return QString();
    if (d.size() == 1) return number(d.min());
    if (d.isRange) return number(d.min()) + kEnDash + number(d.max());
    QStringList parts;
    for (int v : d.choices)
        parts << number(v);
    return parts.join(kDot);
}

const Dimension* SpaceTableModel::dimensionAt(int row, Stack stack) const {
    if (!document_ || !document_->isLoaded()) return nullptr;
    const StackSpace& s = document_->space().stack(stack);
    switch (row) {
    case EmbedDimRow:
        return &s.embedDim;
    case LayersRow:
        return &s.layers;
    case SelfHeadsRow:
        return &s.selfHeads;
    case EndeHeadsRow:
        return stack == Stack::Decoder ? &s.endeHeads : nullptr;
    case ArbitraryEndeRow:
        return stack == Stack::Decoder ? &s.arbitraryEnde : nullptr;
    case ExpertsRow:
        return &s.experts;
    case ExpertWidthsRow:
        return &s.ffnDim;
    case TopKRow:
        return &s.topK;
    default:
        return nullptr;
    }
}

QString SpaceTableModel::cellText(int row, Stack stack) const {
    if (!document_ || !document_->isLoaded()) return QString();
    if (row == FractionalExpertsRow)
        return document_->space().stack(stack).fractionalExperts ? tr("yes") : tr("no");
    const Dimension* d = dimensionAt(row, stack);
    return d ? choicesText(*d) : QString(kEnDash);
}

QString SpaceTableModel::rowName(int row) {
    switch (row) {
    case EmbedDimRow:
        return tr("Embedding width");
    case LayersRow:
        return tr("Layers");
    case SelfHeadsRow:
        return tr("Self-attention heads");
    case EndeHeadsRow:
        return tr("Cross-attention heads");
    case ArbitraryEndeRow:
        return tr("Arbitrary attention");
    case ExpertsRow:
        return tr("Experts per layer");
    case ExpertWidthsRow:
        return tr("Expert widths");
    case TopKRow:
        return tr("Top-k");
    case FractionalExpertsRow:
        return tr("Fractional experts");
    default:
        return QString();
    }
}

QString SpaceTableModel::rowToolTip(int row) {
    switch (row) {
    case EmbedDimRow:
        return tr("Width of the token embeddings and of every layer's hidden state in this stack.");
    case LayersRow:
        return tr("Number of layers. Layers beyond the sampled depth are skipped in the supernet.");
    case SelfHeadsRow:
        return tr("Self-attention heads per layer. Q/K/V width is fixed at qkv_dim, so more heads means "
                  "smaller heads.");
    case EndeHeadsRow:
        return tr("Encoder–decoder (cross) attention heads per decoder layer.");
    case ArbitraryEndeRow:
        return tr(
            "Which encoder layers a decoder layer attends to: −1 = the last encoder layer, 1 = the last "
            "two, 2 = the last three (concatenated along the sequence).");
    case ExpertsRow:
        return tr("Experts in each layer's FFN. 1 is a dense layer, so where the MoE layers go is "
                  "searched per layer.");
    case ExpertWidthsRow:
        return tr("Hidden widths an expert's FFN can take. Expert i always uses the leading part of "
                  "supernet slot i.");
    case TopKRow:
        return tr("Experts each token is routed to (clamped to the layer's expert count).");
    case FractionalExpertsRow:
        return tr("Yes: each expert of a layer draws its own width (fractional experts). No: all experts "
                  "of a layer share one width.");
    default:
        return QString();
    }
}

QVariant SpaceTableModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= RowCount || index.column() >= ColumnCount) return {};
    const Stack stack = index.column() == EncoderColumn ? Stack::Encoder : Stack::Decoder;
    const int row = index.row();
    switch (role) {
    case Qt::DisplayRole:
        return cellText(row, stack);
    case Qt::ToolTipRole: {
        const bool applies = row == FractionalExpertsRow || dimensionAt(row, stack);
        if (!applies && document_ && document_->isLoaded())
            return tr("Encoder layers have no encoder–decoder attention.");
        return rowToolTip(row);
    }
    case Qt::TextAlignmentRole:
        return QVariant(Qt::AlignLeft | Qt::AlignVCenter);
    case Qt::ForegroundRole:
        if (row != FractionalExpertsRow && !dimensionAt(row, stack)) return QBrush(QColor(0x9a, 0xa0, 0xa6));
        return {};
    case ChoicesRole: {
        QVariantList list;
        if (const Dimension* d = dimensionAt(row, stack))
            for (int v : d->choices)
                list << v;
        return list;
    }
    default:
        return {};
    }
}

QVariant SpaceTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation == Qt::Horizontal) {
        if (role == Qt::DisplayRole) return section == EncoderColumn ? tr("Encoder") : tr("Decoder");
        if (role == Qt::TextAlignmentRole) return QVariant(Qt::AlignLeft | Qt::AlignVCenter);
        return {};
    }
    if (role == Qt::DisplayRole) return rowName(section);
    if (role == Qt::ToolTipRole) return rowToolTip(section);
    if (role == Qt::TextAlignmentRole) return QVariant(Qt::AlignLeft | Qt::AlignVCenter);
    return {};
}

} // namespace automoe::ui
