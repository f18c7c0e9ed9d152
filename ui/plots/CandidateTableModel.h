// CandidateTableModel is the candidate table over a RunDocument: one row per evaluated architecture of the
// shown search, with its store id, generation, fitness, costs, whether it is on the Pareto front (on the cost
// the Pareto view plots) and one column per gene group (GeneFeatures), then its key. It follows the document
// live and in replay (rows are appended as candidates arrive; an architecture logged again replaces its row).
// SortRole gives every column a number to sort and filter by (a missing latency is +infinity: last).
// Compared searches (Run > Compare with Selected Run) add their candidates as rows of their own: the "run"
// column (after the key; shown only while something is compared) says which search a row came from, and
// each search's rows are on or off its own front. A row is found by its run and key (rowOfRunKey), as the
// document's selection and diff name a candidate of any compared search.
#pragma once

#include "search/CandidateCsv.h"
#include "ui/plots/CostMetric.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QStringList>
#include <deque>
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
    // The search a row came from: its run id (the shown search's rows: the document's run, 0 without one).
    int runColumn() const { return keyColumn() + 1; }

    // Adds the candidates of another search (run `runId`; `name` as the Pareto view's overlay calls it) as
    // rows of their own; a search compared again has its rows replaced. Kept when the shown run changes.
    void setComparedRun(qint64 runId, const QString& name, const std::vector<CandidateRow>& rows);
    void removeComparedRun(qint64 runId);
    void clearComparedRuns();
    QList<qint64> comparedRuns() const;
    // Whether a row is a compared search's (not the shown one's).
    bool isCompared(int row) const;
    // The run id of a row's search (runColumn's value).
    qint64 runAt(int row) const;
    // The overlay name of a compared row's search; empty for the shown search's rows.
    QString comparisonNameAt(int row) const;
    // The row of `key` in compared search `name` (-1 when none).
    int rowOfComparedKey(const QString& name, const QString& key) const;
    // The name a filter uses for a column ("gen", "fitness", "dec_layers", "key"): the header's text.
    QString columnName(int column) const;
    // The column of a name (case-insensitive), -1 when none.
    int columnOf(const QString& name) const;
    // The number a column sorts and filters by.
    double value(int row, int column) const;
    QString keyAt(int row) const;
    // The same without a copy (row in range).
    const std::string& keyText(int row) const { return rows_[std::size_t(row)].key; }
    int rowOfKey(const QString& key) const; // the shown search's row of a key; -1 when none
    // The row of `key` in search `run` (0: the shown one, else a compared run id); -1 when none.
    int rowOfRunKey(qint64 run, const QString& key) const;
    // B of the document's architecture diff (empty: none) and its search (RunDocument::diffRun): its row is
    // tinted in the diff colour and its tooltip says so, as the Pareto view rings it.
    QString diffKey() const { return diffKey_; }
    qint64 diffRun() const { return diffRun_; }
    // B's row; -1 when there is no diff or B has no row.
    int diffRow() const { return diffRow_; }
    // Every row as a CandidateCsv record, in model order, its run set (runAt): the shown search's and the
    // compared ones', each marked on or off its own front.
    std::vector<CandidateRecord> records() const;
    // Of the rows `rows` (model order) only.
    std::vector<CandidateRecord> records(const std::vector<int>& rows) const;

signals:
    // The diff's B changed (diffKey(), diffRun(), diffRow()).
    void diffKeyChanged(const QString& key);
    // A compared search was added, replaced or removed.
    void comparedRunsChanged();

private:
    struct Compared {
        qint64 runId = 0;
        QString name;
        QHash<QString, int> byKey;
        std::vector<int> front;
    };
    // The on-front flags of one search's rows (0: the shown one, else a compared run id); firstNew >= 0:
    // only rows from firstNew on are new (appended), -1: recompute all.
    void updateFront(qint64 source, int firstNew);
    void updateAllFronts();
    // B of the diff is candidate `key` of search `run`.
    void setDiff(qint64 run, const QString& key);
    // diffRow_ found again (rows arrived or were renumbered); repaints it when it moved.
    void updateDiffRow();
    int costColumn() const;
    // Removes the rows of `source` (0: the shown search's), block by block, and renumbers the others.
    void removeSource(qint64 source);
    void reindex();
    Compared* comparedOf(qint64 runId);
    const Compared* comparedNamed(const QString& name) const;

    RunDocument* document_ = nullptr;
    CostMetric metric_ = CostMetric::Flops;
    int geneCount_ = 0;
    QStringList names_;
    // A deque, not a vector: appending a generation never moves (and page-faults in again) the rows before
    // it. A vector's doubling at 65,536 rows moved ~9 MB into ~19 MB of fresh pages in one batch, the
    // worst case of adding a generation at 100k candidates.
    std::deque<CandidateRecord> rows_;
    std::vector<qint64> source_; // per row: 0 the shown search, else the compared run's id
    QHash<QString, int> byKey_;  // the shown search's rows
    std::vector<int> front_;     // the shown search's rows on its front, ascending
    std::vector<Compared> compared_;
    QString diffKey_;
    qint64 diffRun_ = 0;
    int diffRow_ = -1;
};

} // namespace automoe::ui
