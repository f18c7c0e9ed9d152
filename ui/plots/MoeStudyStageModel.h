// MoeStudyStageModel lists the stages of a MoE-vs-dense study (MoeStudyModel::stages()): each stage's name
// for people ("(b) dense search 0.5x"), the run that does it and its state, which for a stage begun and not
// finished is the study's status (running, or cancelled, failed, interrupted). RunIdRole gives a stage's run
// so that a view can open it.
#pragma once

#include "store/RunRecords.h"

#include <QAbstractTableModel>

namespace automoe::ui {

class MoeStudyModel;

class MoeStudyStageModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column { StageColumn, RunColumn, StateColumn, ColumnCount };
    enum Role { RunIdRole = Qt::UserRole + 1 };

    explicit MoeStudyStageModel(QObject* parent = nullptr);

    // The study shown (not owned; nullptr: none) and the study run's status. Call reload() after either
    // changed.
    void setStudy(const MoeStudyModel* study);
    void setStatus(RunStatus status) { status_ = status; }
    void reload();

    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    int columnCount(const QModelIndex& parent = QModelIndex()) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    const MoeStudyModel* study_ = nullptr;
    RunStatus status_ = RunStatus::Created;
    int rows_ = 0;
};

} // namespace automoe::ui
