// CandidateTableModel is the candidate table over a RunDocument: one row per evaluated architecture of the
// shown search, with its store id, generation, fitness, costs, whether it is on the Pareto front (on the cost
// the Pareto view plots) and one column per gene group (GeneFeatures), then its key. It follows the document
// live and in replay (rows are appended as candidates arrive; an architecture logged again replaces its row).
// SortRole gives every column a number to sort and filter by (a missing latency is +infinity: last).
#pragma once

#include "search/CandidateCsv.h"
#include "ui/plots/CostMetric.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QStringList>
#include <vector>

namespace automoe::ui {

class RunDocument;

class CandidateTableModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column {
        IdColumn,
        GenerationColumn,
        FitnessColumn,
        FlopsColumn,
        ParamsColumn,
        LatencyColumn,
        FrontColumn,
        FirstGeneColumn
    };
    enum Role {
        SortRole = Qt::UserRole + 1, // a double for every column but the key (its text)
        KeyRole,                     // the architecture key of the row
    };

    explicit CandidateTableModel(QObject* parent = nullptr);

    // Follows `document` (nullptr: none). Not owned.
    void setDocument(RunDocument* document);
    // The cost axis "on front" is computed on.
    void setCostMetric(CostMetric metric);
    CostMetric costMetric() const { return metric_; }

    // Appends candidates (a key already shown replaces its row) and recomputes the front.
    void addCandidates(const std::vector<CandidateRow>& rows) { addCandidates(rows, 0); }
    // rows[first..] only (what a document's candidatesAdded(first) names), without copying them.
    void addCandidates(const std::vector<CandidateRow>& rows, std::size_t first);
    void clear();

    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    int columnCount(const QModelIndex& parent = QModelIndex()) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    int keyColumn() const { return FirstGeneColumn + geneCount_; }
    // The name a filter uses for a column ("gen", "fitness", "dec_layers", "key"): the header's text.
    QString columnName(int column) const;
    // The column of a name (case-insensitive), -1 when none.
    int columnOf(const QString& name) const;
    // The number a column sorts and filters by.
    double value(int row, int column) const;
    QString keyAt(int row) const;
    int rowOfKey(const QString& key) const; // -1 when none
    // B of the document's architecture diff (empty: none): its row is tinted in the diff colour and its
    // tooltip says so, as the Pareto view rings it.
    QString diffKey() const { return diffKey_; }
    // The rows as CandidateCsv records, in model order.
    std::vector<CandidateRecord> records() const;
    // Of the rows `rows` (model order) only.
    std::vector<CandidateRecord> records(const std::vector<int>& rows) const;

private:
    // The on-front flags; firstNew >= 0: only rows from firstNew on are new (appended), -1: recompute all.
    void updateFront(int firstNew);
    void setDiffKey(const QString& key);
    int costColumn() const;

    RunDocument* document_ = nullptr;
    CostMetric metric_ = CostMetric::Flops;
    int geneCount_ = 0;
    QStringList names_;
    std::vector<CandidateRecord> rows_;
    QHash<QString, int> byKey_;
    std::vector<int> front_; // rows on the front, ascending
    QString diffKey_;
};

} // namespace automoe::ui
