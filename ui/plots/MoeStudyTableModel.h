// MoeStudyTableModel is the MoE-vs-dense study's table over a MoeStudyModel: one row per (method, budget) —
// (a) the hand-designed dense baseline, (b) the best of the dense search and (c) the best of the MoE search
// at each FLOPs budget — with its FLOPs, active and total (non-embedding) parameters, experts, measured
// latency, validation NLL, test BLEU and chrF and the run that trained it, written as `automoe study
// moe-vs-dense` prints them (app/cli/StudyTable.cpp). SortRole gives every column's value to sort by.
#pragma once

#include <QAbstractTableModel>
#include <QColor>
#include <string>

namespace automoe {
struct MoeDenseStudyRow;
}

namespace automoe::ui {

class MoeStudyModel;

class MoeStudyTableModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column {
        MethodColumn,
        BudgetColumn,
        FlopsColumn,
        ActiveParamsColumn,
        TotalParamsColumn,
        ExpertsColumn,
        LatencyColumn,
        ValidNllColumn,
        BleuColumn,
        ChrfColumn,
        RunColumn,
        ColumnCount
    };
    enum Role {
        SortRole = Qt::UserRole + 1, // a number (or the method's order) to sort the column by
        RowIndexRole,                // the row's index in MoeStudyModel::rows()
    };

    explicit MoeStudyTableModel(QObject* parent = nullptr);

    // The study shown (not owned; nullptr: none). Call reload() after it changed.
    void setStudy(const MoeStudyModel* study);
    void reload();

    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    int columnCount(const QModelIndex& parent = QModelIndex()) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // "0.50x", as the CLI writes a budget; "—" for the baseline.
    static QString budgetText(const MoeDenseStudyRow& row);
    // The colour of a method in the table and in the plot (FigurePalette: the baseline dark, dense the first
    // expert colour, MoE the second).
    static QColor methodColour(const std::string& method);

private:
    const MoeStudyModel* study_ = nullptr;
    int rows_ = 0;
};

} // namespace automoe::ui
