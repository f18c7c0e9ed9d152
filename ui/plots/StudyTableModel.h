// StudyTableModel is a gap study's per-run table (one row per supernet run: id, kind, Kendall tau-b, mean
// |gap| and mean gap in nats, fine-tunes that reached the standalone NLL, mean fine-tune updates to reach it,
// the supernet's training seconds per update and updates, and whether the row is final) over a StudyModel.
// A row is partial (italic, "partial K/N": K of N architectures studied) until the study's result arrives;
// its figures are then the stored ones.
#pragma once

#include <QAbstractTableModel>

namespace automoe::ui {

class StudyModel;

class StudyTableModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column {
        RunColumn,
        KindColumn,
        TauColumn,
        MeanAbsGapColumn,
        MeanGapColumn,
        ReachedColumn,
        UpdatesToReachColumn,
        SecondsPerUpdateColumn,
        UpdatesColumn,
        StatusColumn,
        ColumnCount
    };

    explicit StudyTableModel(QObject* parent = nullptr);

    // The study shown (not owned; nullptr: none). Call reload() after it changed.
    void setStudy(const StudyModel* study);
    void reload();

    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    int columnCount(const QModelIndex& parent = QModelIndex()) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // "0.548", "-0.125", "—" for NaN: how the table writes a figure with `decimals` decimals.
    static QString figure(double value, int decimals, bool sign = false);

private:
    const StudyModel* study_ = nullptr;
    int rows_ = 0;
};

} // namespace automoe::ui
