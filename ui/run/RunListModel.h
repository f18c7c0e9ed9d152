// RunListModel is the run database as a table (id, name, kind, supernet, status, created, latest update) for
// the runs browser. refresh() reads RunReader::listRuns() on a worker thread with its own read-only
// connection (a viewer never writes, migrates or checks the file) and applies the result on the UI thread,
// updating rows in place so that the selection and scroll position survive a refresh while a run is writing.
// A run whose process is gone is listed as "interrupted". The supernet of a training run (weight sharing or a
// Mixture-of-Supernets) is read once from its stored config, on the worker thread.
#pragma once

#include "store/RunRecords.h"

#include <QAbstractTableModel>
#include <QDateTime>
#include <QHash>
#include <QString>
#include <vector>

class QThread;

namespace automoe::ui {

class RunListModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column {
        IdColumn,
        NameColumn,
        KindColumn,
        SupernetColumn,
        StatusColumn,
        CreatedColumn,
        UpdateColumn,
        ColumnCount
    };
    // The run id of a row (any column), as a qint64.
    static constexpr int RunIdRole = Qt::UserRole + 1;
    // RunStatus as an int.
    static constexpr int StatusRole = Qt::UserRole + 2;

    // The Created column's text, short enough for a dock: "14:05" today, "Dec 6 14:05" this year, else
    // "2025-12-06" (the tooltip has the full time).
    static QString createdText(const QDateTime& created, const QDateTime& now);

    // The supernet of a training run: the Supernet column's text ("shared", "mos-neuron ×2",
    // "mos-layer ×4 +attn") and a sentence for the tooltip.
    struct SupernetLabel {
        QString text, description;
        bool operator==(const SupernetLabel& o) const {
            return text == o.text && description == o.description;
        }
    };
    // The Kind column's text for a run of `kind`: the kind itself, or a label for people where the stored
    // name reads badly ("moe_study": "MoE vs dense", short for the narrow dock). The tooltip names both.
    static QString kindLabel(const std::string& kind);

    // The label of a run of `kind` stored with `config` (its RunSpec's): empty for runs that train no
    // supernet weights (search, latency, rank, ...); "shared" for a training run stored without a "supernet"
    // key (before Mixture-of-Supernets); "?" and a description saying so for a key that is not understood.
    static SupernetLabel supernetLabel(const std::string& kind, const nlohmann::json& config);

    explicit RunListModel(QObject* parent = nullptr);
    ~RunListModel() override;

    // The database to list; refreshes. An empty path lists nothing.
    void setDatabasePath(const QString& path);
    QString databasePath() const { return path_; }

    // Shows `runs` (newest first, as listRuns() returns them) with the supernet labels of the training runs
    // among them (by run id; a run without one shows none).
    void setRuns(std::vector<RunSummary> runs, QHash<qint64, SupernetLabel> supernets = {});
    const std::vector<RunSummary>& runs() const { return runs_; }
    int rowOfRun(qint64 runId) const;
    // The run shown in the views: its row is bold.
    void setShownRun(qint64 runId);
    qint64 shownRun() const { return shownRun_; }

    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    int columnCount(const QModelIndex& parent = QModelIndex()) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // Milliseconds the last refresh took on the worker thread, and on the UI thread (applying it).
    double lastQueryMs() const { return queryMs_; }
    double lastApplyMs() const { return applyMs_; }

public slots:
    // Re-reads the list off the UI thread; a refresh already under way makes this a no-op.
    void refresh();

signals:
    void refreshed();
    void failed(const QString& message);

private:
    void applyResult(const QString& path, std::vector<RunSummary> runs,
                     QHash<qint64, SupernetLabel> supernets, const QString& error, double queryMs);

    QThread* thread_ = nullptr;
    QObject* worker_ = nullptr; // lives in thread_, owns the reader's RunStore
    QString path_;
    std::vector<RunSummary> runs_;
    QHash<qint64, SupernetLabel> supernets_;
    bool busy_ = false;
    bool again_ = false;
    double queryMs_ = 0, applyMs_ = 0;
    QString lastError_;
    qint64 shownRun_ = 0;
};

} // namespace automoe::ui
