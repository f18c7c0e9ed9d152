#include "ui/plots/StudyTableModel.h"

#include "ui/figure/FigurePalette.h"
#include "ui/plots/StudyModel.h"

#include <QFont>
#include <cmath>

namespace automoe::ui {

StudyTableModel::StudyTableModel(QObject* parent)
    : QAbstractTableModel(parent) {}

void StudyTableModel::setStudy(const StudyModel* study) {
    study_ = study;
    reload();
}

void StudyTableModel::reload() {
    // A handful of rows: a reset is cheap and keeps the model simple.
    beginResetModel();
    rows_ = study_ ? int(study_->runs().size()) : 0;
    endResetModel();
}

int StudyTableModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : rows_;
}

int StudyTableModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QString StudyTableModel::figure(double value, int decimals, bool sign) {
    if (!std::isfinite(value)) return QStringLiteral("—");
    const QString s = QString::number(value, 'f', decimals);
    return sign && value >= 0 ? QLatin1Char('+') + s : s;
}

QVariant StudyTableModel::data(const QModelIndex& index, int role) const {
    // The study may have been cleared (another run opened) before this model's reload(): a view that paints
    // in between gets nothing rather than a run that is gone.
    if (!study_ || !index.isValid() || index.row() >= rows_ || index.row() >= int(study_->runs().size()))
        return {};
    const StudyModel::Run& run = study_->runs()[std::size_t(index.row())];
    const StudyModel::Summary& s = run.summary();
    const int column = index.column();
    if (role == Qt::DisplayRole) {
        switch (column) {
        case RunColumn:
            return QString::number(run.id);
        case KindColumn:
            return run.kind;
        case TauColumn:
            return figure(s.kendallTau, 3);
        case MeanAbsGapColumn:
            return figure(s.meanAbsGap, 3);
        case MeanGapColumn:
            return figure(s.meanGap, 3, true);
        case ReachedColumn:
            return QStringLiteral("%1 / %2").arg(s.reached).arg(s.archs);
        case UpdatesToReachColumn:
            return figure(s.meanUpdatesToReach, 1);
        case SecondsPerUpdateColumn:
            return figure(run.secondsPerUpdate, 3);
        case UpdatesColumn:
            return QString::number(run.updates);
        case StatusColumn:
            if (run.isFinal()) return tr("final");
            return tr("partial %1/%2").arg(run.points.size()).arg(study_->archs().size());
        default:
            return {};
        }
    }
    if (role == Qt::DecorationRole && column == RunColumn) return FigurePalette().expert(index.row());
    if (role == Qt::FontRole && !run.isFinal()) {
        QFont f;
        f.setItalic(true);
        return f;
    }
    if (role == Qt::TextAlignmentRole && column != KindColumn && column != StatusColumn)
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::ToolTipRole) {
        QString tip =
            run.name.isEmpty() ? tr("Run %1").arg(run.id) : tr("Run %1: %2").arg(run.id).arg(run.name);
        if (!run.sampling.isEmpty()) tip += tr("\nsampling: %1").arg(run.sampling);
        if (run.isFinal())
            tip += tr("\nFigures stored by the study (live Kendall tau-b was %1).")
                       .arg(figure(run.live.kendallTau, 4));
        else
            tip +=
                tr("\nPartial: computed from the %1 architecture(s) studied so far.").arg(run.points.size());
        tip += tr("\nFine-tuned mean |gap|: %1 nats").arg(figure(s.finetunedMeanAbsGap, 3));
        return tip;
    }
    return {};
}

QVariant StudyTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal) return {};
    if (role == Qt::DisplayRole) {
        switch (section) {
        case RunColumn:
            return tr("Run");
        case KindColumn:
            return tr("Kind");
        case TauColumn:
            return tr("τ-b");
        case MeanAbsGapColumn:
            return tr("Mean |gap|");
        case MeanGapColumn:
            return tr("Mean gap");
        case ReachedColumn:
            return tr("Reached / archs");
        case UpdatesToReachColumn:
            return tr("FT to reach");
        case SecondsPerUpdateColumn:
            return tr("Train s/update");
        case UpdatesColumn:
            return tr("Updates");
        case StatusColumn:
            return tr("Status");
        default:
            return {};
        }
    }
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case TauColumn:
            return tr("Kendall tau-b (ties handled) of inherited vs standalone validation NLL over the "
                      "architectures");
        case MeanAbsGapColumn:
            return tr("Mean |inherited - standalone| validation NLL, nats per target token");
        case MeanGapColumn:
            return tr("Mean (inherited - standalone) validation NLL, nats per target token");
        case ReachedColumn:
            return tr("Architectures whose fine-tune from the inherited weights reached the standalone NLL");
        case UpdatesToReachColumn:
            return tr("Mean fine-tune updates to reach the standalone NLL, over those that reached it");
        case SecondsPerUpdateColumn:
            return tr("The supernet run's training seconds per update");
        case UpdatesColumn:
            return tr("The supernet run's training updates");
        default:
            return {};
        }
    }
    return {};
}

} // namespace automoe::ui
