#include "ui/plots/MoeStudyTableModel.h"

#include "ui/figure/FigurePalette.h"
#include "ui/plots/MoeStudyModel.h"
#include "util/Format.h"

namespace automoe::ui {

namespace {

QString si(double v) {
    return QString::fromStdString(formatSI(v));
}

QString fixed(double v, int decimals) {
    return QString::number(v, 'f', decimals);
}

QString shortMethod(const std::string& method) {
    if (method == "baseline") return MoeStudyTableModel::tr("(a) baseline");
    if (method == "dense") return MoeStudyTableModel::tr("(b) dense");
    if (method == "moe") return MoeStudyTableModel::tr("(c) MoE");
    return QString::fromStdString(method);
}

} // namespace

MoeStudyTableModel::MoeStudyTableModel(QObject* parent)
    : QAbstractTableModel(parent) {}

void MoeStudyTableModel::setStudy(const MoeStudyModel* study) {
    study_ = study;
    reload();
}

void MoeStudyTableModel::reload() {
    // A handful of rows: a reset is cheap. A sorting proxy above keeps its sort column across it.
    beginResetModel();
    rows_ = study_ ? int(study_->rows().size()) : 0;
    endResetModel();
}

int MoeStudyTableModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : rows_;
}

int MoeStudyTableModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QString MoeStudyTableModel::budgetText(const MoeDenseStudyRow& row) {
    return row.budget ? QString::fromStdString(formatFixed(*row.budget, 2)) + QLatin1Char('x')
                      : QStringLiteral("—");
}

QColor MoeStudyTableModel::methodColour(const std::string& method) {
    const FigurePalette palette;
    if (method == "baseline") return palette.text;
    return palette.expert(method == "dense" ? 0 : 1);
}

QVariant MoeStudyTableModel::data(const QModelIndex& index, int role) const {
    // The study may have been cleared (another run opened) before this model's reload(): a view that paints
    // in between gets nothing rather than a row that is gone.
    if (!study_ || !index.isValid() || index.row() >= rows_ || index.row() >= int(study_->rows().size()))
        return {};
    const MoeDenseStudyRow& r = study_->rows()[std::size_t(index.row())];
    const int column = index.column();
    if (role == RowIndexRole) return index.row();
    if (role == Qt::DisplayRole) {
        switch (column) {
        case MethodColumn:
            return shortMethod(r.method);
        case BudgetColumn:
            return budgetText(r);
        case FlopsColumn:
            return si(r.flops);
        case ActiveParamsColumn:
            return si(double(r.paramsActive));
        case TotalParamsColumn:
            return si(double(r.paramsTotal));
        case ExpertsColumn:
            return QString::number(r.experts);
        case LatencyColumn:
            return fixed(r.latencyMs, 2);
        case ValidNllColumn:
            return fixed(r.validNll, 3);
        case BleuColumn:
            return fixed(r.bleu, 2);
        case ChrfColumn:
            return fixed(r.chrf, 2);
        case RunColumn:
            return QString::number(r.run);
        default:
            return {};
        }
    }
    if (role == SortRole) {
        switch (column) {
        case MethodColumn:
            // By method, then budget: the table's own order.
            return MoeStudyModel::methodRank(r.method) * 10.0 + r.budget.value_or(0.0);
        case BudgetColumn:
            // The baseline is the 1x every budget is a fraction of.
            return r.budget.value_or(1.0) * 10.0 + MoeStudyModel::methodRank(r.method) * 0.1;
        case FlopsColumn:
            return r.flops;
        case ActiveParamsColumn:
            return double(r.paramsActive);
        case TotalParamsColumn:
            return double(r.paramsTotal);
        case ExpertsColumn:
            return r.experts;
        case LatencyColumn:
            return r.latencyMs;
        case ValidNllColumn:
            return r.validNll;
        case BleuColumn:
            return r.bleu;
        case ChrfColumn:
            return r.chrf;
        case RunColumn:
            return qint64(r.run);
        default:
            return {};
        }
    }
    if (role == Qt::DecorationRole && column == MethodColumn) return methodColour(r.method);
    if (role == Qt::TextAlignmentRole && column != MethodColumn)
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::ToolTipRole) {
        if (column == BudgetColumn && r.budget && study_->setup())
            return tr("FLOPs budget %1 of the baseline's %2 = %3")
                .arg(budgetText(r), si(study_->setup()->baselineFlops),
                     si(*r.budget * study_->setup()->baselineFlops));
        if (column == LatencyColumn)
            return tr("Measured latency %1 ms: encoder %2 ms, decoder %3 ms (batch 1, 30 source tokens, 30 "
                      "incremental decoder steps)")
                .arg(fixed(r.latencyMs, 2), fixed(r.encoderMs, 2), fixed(r.decoderMs, 2));
        QString tip = tr("%1%2 · trained by run %3 for %4 updates")
                          .arg(MoeStudyModel::methodLabel(r.method))
                          .arg(r.budget ? tr(" at %1 of the baseline's FLOPs").arg(budgetText(r)) : QString())
                          .arg(r.run)
                          .arg(r.updates);
        tip += QLatin1Char('\n') + QString::fromStdString(r.archKey);
        if (r.searchRun > 0)
            tip += tr("\nfound by search run %1 on supernet run %2 (supernet validation NLL %3)")
                       .arg(r.searchRun)
                       .arg(r.supernetRun)
                       .arg(fixed(r.searchFitness, 3));
        tip += tr("\nFLOPs %1 · params %2 active, %3 total (non-embedding) · %4 experts")
                   .arg(si(r.flops), si(double(r.paramsActive)), si(double(r.paramsTotal)))
                   .arg(r.experts);
        tip += tr("\nlatency %1 ms (encoder %2, decoder %3) · valid NLL %4 · BLEU %5 · chrF %6 on %7 test "
                  "sentences")
                   .arg(fixed(r.latencyMs, 2), fixed(r.encoderMs, 2), fixed(r.decoderMs, 2),
                        fixed(r.validNll, 3), fixed(r.bleu, 2), fixed(r.chrf, 2))
                   .arg(r.testSentences);
        tip += tr("\nDouble-click to open run %1.").arg(r.run);
        return tip;
    }
    return {};
}

QVariant MoeStudyTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal) return {};
    if (role == Qt::DisplayRole) {
        switch (section) {
        case MethodColumn:
            return tr("Method");
        case BudgetColumn:
            return tr("Budget");
        case FlopsColumn:
            return tr("FLOPs");
        case ActiveParamsColumn:
            return tr("Active");
        case TotalParamsColumn:
            return tr("Total");
        case ExpertsColumn:
            return tr("Experts");
        case LatencyColumn:
            return tr("Latency ms");
        case ValidNllColumn:
            return tr("Valid NLL");
        case BleuColumn:
            return tr("BLEU");
        case ChrfColumn:
            return tr("chrF");
        case RunColumn:
            return tr("Run");
        default:
            return {};
        }
    }
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case MethodColumn:
            return tr(
                "(a) the hand-designed dense baseline, (b) the best of the dense search (one expert per "
                "layer), (c) the best of the heterogeneous MoE search");
        case BudgetColumn:
            return tr("The FLOPs budget of the search, a fraction of the baseline's FLOPs");
        case FlopsColumn:
            return tr("FLOPs of the architecture (HAT convention: 30 source and 30 target tokens, no "
                      "embedding or output projection)");
        case ActiveParamsColumn:
            return tr("Non-embedding parameters one token uses");
        case TotalParamsColumn:
            return tr("Non-embedding parameters, every expert");
        case ExpertsColumn:
            return tr("Experts over all layers (a dense layer counts one)");
        case LatencyColumn:
            return tr("Measured latency, median (the encoder and decoder split is in each cell's tooltip)");
        case ValidNllColumn:
            return tr("Validation NLL per target token at the end of training");
        case BleuColumn:
            return tr("Test BLEU, greedy decoding (sacreBLEU 13a)");
        case ChrfColumn:
            return tr("Test chrF, greedy decoding");
        case RunColumn:
            return tr("The run that trained the architecture (double-click a row to open it)");
        default:
            return {};
        }
    }
    return {};
}

} // namespace automoe::ui
