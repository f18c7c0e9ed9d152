#include "ui/plots/MoeStudyStageModel.h"

#include "ui/plots/MoeStudyModel.h"

#include <QColor>
#include <QFont>

namespace automoe::ui {

namespace {

// The Run dock's stage colours: pending grey, running blue, done green, cancelled amber, failed red.
QColor stateColour(MoeStudyModel::StageState state) {
    switch (state) {
    case MoeStudyModel::StageState::Pending:
        return QColor(0x9a, 0xa0, 0xa6);
    case MoeStudyModel::StageState::Running:
        return QColor(0x1a, 0x73, 0xe8);
    case MoeStudyModel::StageState::Finished:
        return QColor(0x1b, 0x7f, 0x3b);
    case MoeStudyModel::StageState::Cancelled:
    case MoeStudyModel::StageState::Interrupted:
        return QColor(0xb2, 0x6b, 0x00);
    case MoeStudyModel::StageState::Failed:
        return QColor(0xc0, 0x1c, 0x28);
    }
    return {};
}

} // namespace

MoeStudyStageModel::MoeStudyStageModel(QObject* parent)
    : QAbstractTableModel(parent) {}

void MoeStudyStageModel::setStudy(const MoeStudyModel* study) {
    study_ = study;
    reload();
}

void MoeStudyStageModel::reload() {
    beginResetModel();
    rows_ = study_ ? int(study_->stages().size()) : 0;
    endResetModel();
}

int MoeStudyStageModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : rows_;
}

int MoeStudyStageModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant MoeStudyStageModel::data(const QModelIndex& index, int role) const {
    // The study may have been cleared (another run opened) before this model's reload(): a view that paints
    // in between gets nothing rather than a stage that is gone.
    if (!study_ || !index.isValid() || index.row() >= rows_ || index.row() >= int(study_->stages().size()))
        return {};
    const MoeStudyModel::Stage& s = study_->stages()[std::size_t(index.row())];
    const MoeStudyModel::StageState state = MoeStudyModel::stateOf(s, status_);
    if (role == RunIdRole) return qint64(s.run);
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case StageColumn:
            return MoeStudyModel::stageLabel(s.name);
        case RunColumn:
            return s.run > 0 ? QVariant(QString::number(s.run)) : QVariant(QStringLiteral("—"));
        case StateColumn:
            return MoeStudyModel::stateText(state);
        default:
            return {};
        }
    }
    if (role == Qt::ForegroundRole && index.column() == StateColumn) return stateColour(state);
    if (role == Qt::FontRole && state == MoeStudyModel::StageState::Running) {
        QFont bold;
        bold.setBold(true);
        return bold;
    }
    if (role == Qt::TextAlignmentRole && index.column() == RunColumn)
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::ToolTipRole) {
        QString tip = tr("Stage %1").arg(s.name);
        if (s.run > 0)
            tip += tr(" · run %1 (double-click to open it)").arg(s.run);
        else
            tip += tr(" · not begun");
        if (s.starts > 1) tip += tr("\nbegun %1 times: the study was resumed").arg(s.starts);
        return tip;
    }
    return {};
}

QVariant MoeStudyStageModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    switch (section) {
    case StageColumn:
        return tr("Stage");
    case RunColumn:
        return tr("Run");
    case StateColumn:
        return tr("State");
    default:
        return {};
    }
}

} // namespace automoe::ui
