#include "ui/run/RunListModel.h"

#include "store/RunReader.h"

#include <QBrush>
#include <QColor>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QFont>
#include <QLocale>
#include <QThread>
#include <exception>
#include <memory>

namespace automoe::ui {

namespace {

// The worker's read-only connection, reopened when the database changes.
class RunListWorker : public QObject {
public:
    std::vector<RunSummary> list(const QString& path) {
        if (!reader_ || path_ != path) {
            reader_.reset();
            path_ = path;
            reader_ = std::make_unique<RunReader>(path.toStdString());
        }
        return reader_->listRuns();
    }
    void reset() { reader_.reset(); }

private:
    QString path_;
    std::unique_ptr<RunReader> reader_;
};

QString statusText(RunStatus s) {
    switch (s) {
    case RunStatus::Created:
        return RunListModel::tr("created");
    case RunStatus::Running:
        return RunListModel::tr("running");
    case RunStatus::Paused:
        return RunListModel::tr("paused");
    case RunStatus::Finished:
        return RunListModel::tr("finished");
    case RunStatus::Failed:
        return RunListModel::tr("failed");
    case RunStatus::Cancelled:
        return RunListModel::tr("cancelled");
    case RunStatus::Interrupted:
        return RunListModel::tr("interrupted");
    }
    return {};
}

QColor statusColor(RunStatus s) {
    switch (s) {
    case RunStatus::Running:
        return QColor(0x1b, 0x7f, 0x3b);
    case RunStatus::Paused:
        return QColor(0xb2, 0x6b, 0x00);
    case RunStatus::Failed:
        return QColor(0xc0, 0x1c, 0x28);
    case RunStatus::Cancelled:
        return QColor(0x77, 0x77, 0x77);
    case RunStatus::Interrupted:
        return QColor(0xb2, 0x3c, 0x00);
    default:
        return {};
    }
}

bool sameRow(const RunSummary& a, const RunSummary& b) {
    return a.id == b.id && a.name == b.name && a.kind == b.kind && a.status == b.status &&
           a.createdMs == b.createdMs && a.latestUpdate == b.latestUpdate;
}

} // namespace

RunListModel::RunListModel(QObject* parent)
    : QAbstractTableModel(parent) {
    thread_ = new QThread(this);
    thread_->setObjectName(QStringLiteral("RunList"));
    worker_ = new RunListWorker;
    worker_->moveToThread(thread_);
    connect(thread_, &QThread::finished, worker_, &QObject::deleteLater);
    thread_->start(QThread::LowPriority);
}

RunListModel::~RunListModel() {
    thread_->quit();
    thread_->wait();
}

void RunListModel::setDatabasePath(const QString& path) {
    if (path == path_) return;
    path_ = path;
    lastError_.clear();
    setRuns({});
    refresh();
}

void RunListModel::refresh() {
    if (path_.isEmpty()) return;
    if (busy_) {
        again_ = true;
        return;
    }
    busy_ = true;
    auto* worker = static_cast<RunListWorker*>(worker_);
    QMetaObject::invokeMethod(worker, [this, worker, path = path_] {
        QElapsedTimer t;
        t.start();
        std::vector<RunSummary> runs;
        QString error;
        try {
            // A database that does not exist yet is an empty list, not a new file.
            if (QFileInfo::exists(path)) runs = worker->list(path);
        } catch (const std::exception& e) {
            worker->reset();
            error = QString::fromStdString(e.what());
        }
        const double ms = double(t.nsecsElapsed()) / 1e6;
        QMetaObject::invokeMethod(this, [this, path, runs = std::move(runs), error, ms]() mutable {
            applyResult(path, std::move(runs), error, ms);
        });
    });
}

void RunListModel::applyResult(const QString& path, std::vector<RunSummary> runs, const QString& error,
                               double queryMs) {
    busy_ = false;
    if (path == path_) {
        queryMs_ = queryMs;
        if (!error.isEmpty()) {
            if (error != lastError_) emit failed(error);
            lastError_ = error;
        } else {
            lastError_.clear();
            QElapsedTimer t;
            t.start();
            setRuns(std::move(runs));
            applyMs_ = double(t.nsecsElapsed()) / 1e6;
            emit refreshed();
        }
    }
    if (again_) {
        again_ = false;
        refresh();
    }
}

void RunListModel::setRuns(std::vector<RunSummary> runs) {
    bool sameIds = runs.size() == runs_.size();
    for (std::size_t i = 0; sameIds && i < runs.size(); ++i)
        sameIds = runs[i].id == runs_[i].id;
    if (!sameIds) {
        beginResetModel();
        runs_ = std::move(runs);
        endResetModel();
        return;
    }
    // Same runs in the same order: only changed rows are repainted and the selection stays.
    for (std::size_t i = 0; i < runs.size(); ++i) {
        if (sameRow(runs[i], runs_[i])) continue;
        runs_[i] = std::move(runs[i]);
        emit dataChanged(index(int(i), 0), index(int(i), ColumnCount - 1));
    }
}

void RunListModel::setShownRun(qint64 runId) {
    if (runId == shownRun_) return;
    const int before = rowOfRun(shownRun_);
    shownRun_ = runId;
    for (int row : {before, rowOfRun(runId)})
        if (row >= 0) emit dataChanged(index(row, 0), index(row, ColumnCount - 1), {Qt::FontRole});
}

int RunListModel::rowOfRun(qint64 runId) const {
    for (std::size_t i = 0; i < runs_.size(); ++i)
        if (runs_[i].id == runId) return int(i);
    return -1;
}

QString RunListModel::createdText(const QDateTime& created, const QDateTime& now) {
    if (created.date() == now.date()) return created.toString(QStringLiteral("HH:mm"));
    if (created.date().year() == now.date().year())
        return QLocale::c().toString(created, QStringLiteral("MMM d HH:mm"));
    return created.toString(QStringLiteral("yyyy-MM-dd"));
}

int RunListModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(runs_.size());
}

int RunListModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RunListModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= int(runs_.size())) return {};
    const RunSummary& r = runs_[std::size_t(index.row())];
    if (role == RunIdRole) return qint64(r.id);
    if (role == StatusRole) return int(r.status);
    if (role == Qt::DisplayRole || role == Qt::EditRole) {
        switch (index.column()) {
        case IdColumn:
            return qint64(r.id);
        case NameColumn:
            return QString::fromStdString(r.name);
        case KindColumn:
            return QString::fromStdString(r.kind);
        case StatusColumn:
            return statusText(r.status);
        case CreatedColumn:
            return role == Qt::EditRole ? QVariant(QDateTime::fromMSecsSinceEpoch(r.createdMs))
                                        : QVariant(createdText(QDateTime::fromMSecsSinceEpoch(r.createdMs),
                                                               QDateTime::currentDateTime()));
        case UpdateColumn:
            return r.latestUpdate ? QVariant(qint64(*r.latestUpdate)) : QVariant();
        }
    }
    if (role == Qt::ForegroundRole && index.column() == StatusColumn) {
        const QColor c = statusColor(r.status);
        if (c.isValid()) return QBrush(c);
    }
    if (role == Qt::FontRole && r.id == shownRun_) {
        QFont bold;
        bold.setBold(true);
        return bold;
    }
    if (role == Qt::TextAlignmentRole && (index.column() == IdColumn || index.column() == UpdateColumn))
        return int(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::ToolTipRole && r.status == RunStatus::Interrupted)
        return tr("Run %1 “%2”: its process is gone (killed or crashed) while it was running; everything up "
                  "to its last committed event is kept. Resume it from the context menu.")
            .arg(r.id)
            .arg(QString::fromStdString(r.name));
    if (role == Qt::ToolTipRole)
        return tr("Run %1 “%2”: %3 %4, created %5")
            .arg(r.id)
            .arg(QString::fromStdString(r.name), QString::fromStdString(r.kind), statusText(r.status),
                 QDateTime::fromMSecsSinceEpoch(r.createdMs).toString(Qt::ISODate));
    return {};
}

QVariant RunListModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    switch (section) {
    case IdColumn:
        return tr("ID");
    case NameColumn:
        return tr("Name");
    case KindColumn:
        return tr("Kind");
    case StatusColumn:
        return tr("Status");
    case CreatedColumn:
        return tr("Created");
    case UpdateColumn:
        return tr("Update");
    }
    return {};
}

} // namespace automoe::ui
