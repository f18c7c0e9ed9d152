#include "ui/run/RunListModel.h"

#include "store/RunReader.h"

#include <QBrush>
#include <QColor>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QFont>
#include <QHash>
#include <QLocale>
#include <QThread>
#include <exception>
#include <memory>
#include <optional>
#include <utility>

namespace automoe::ui {

namespace {

// Runs of these kinds train weights: their config says which supernet (TrainingRunConfig).
bool trainsWeights(const std::string& kind) {
    return kind == "supernet" || kind == "retrain";
}

// The worker's read-only connection, reopened when the database changes.
class RunListWorker : public QObject {
public:
    std::vector<RunSummary> list(const QString& path) {
        if (!reader_ || path_ != path) {
            reset();
            path_ = path;
            reader_ = std::make_unique<RunReader>(path.toStdString());
        }
        return reader_->listRuns();
    }

    // The supernet labels of the training runs among `runs`. A run's config is written once, when it is
    // created: each run's is read once (a run is known by its id and creation time).
    QHash<qint64, RunListModel::SupernetLabel> supernets(const std::vector<RunSummary>& runs) {
        QHash<qint64, RunListModel::SupernetLabel> out;
        for (const RunSummary& r : runs) {
            if (!trainsWeights(r.kind)) continue;
            auto it = supernets_.find(r.id);
            if (it == supernets_.end() || it->first != r.createdMs) {
                try {
                    const std::optional<RunInfo> info = reader_->getRun(r.id);
                    if (!info) continue;
                    it = supernets_.insert(
                        r.id, {r.createdMs, RunListModel::supernetLabel(info->spec.kind, info->spec.config)});
                } catch (const std::exception& e) {
                    // One unreadable config does not hide the list; it is read again at the next refresh.
                    out.insert(r.id, {QStringLiteral("?"), RunListModel::tr("The run's config could not be "
                                                                            "read: %1")
                                                               .arg(QString::fromUtf8(e.what()))});
                    continue;
                }
            }
            out.insert(r.id, it->second);
        }
        return out;
    }

    void reset() {
        reader_.reset();
        supernets_.clear();
    }

private:
    QString path_;
    std::unique_ptr<RunReader> reader_;
    QHash<qint64, std::pair<std::int64_t, RunListModel::SupernetLabel>> supernets_; // by id: created, label
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

RunListModel::SupernetLabel sharedLabel() {
    return {QStringLiteral("shared"),
            RunListModel::tr("Supernet: shared weights (HAT / AutoMoE weight sharing): every subnet uses the "
                             "leading rows and columns of one set of weights")};
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
        QHash<qint64, SupernetLabel> supernets;
        QString error;
        try {
            // A database that does not exist yet is an empty list, not a new file.
            if (QFileInfo::exists(path)) {
                runs = worker->list(path);
                supernets = worker->supernets(runs);
            }
        } catch (const std::exception& e) {
            worker->reset();
            error = QString::fromStdString(e.what());
        }
        const double ms = double(t.nsecsElapsed()) / 1e6;
        QMetaObject::invokeMethod(
            this, [this, path, runs = std::move(runs), supernets = std::move(supernets), error,
                   ms]() mutable { applyResult(path, std::move(runs), std::move(supernets), error, ms); });
    });
}

void RunListModel::applyResult(const QString& path, std::vector<RunSummary> runs,
                               QHash<qint64, SupernetLabel> supernets, const QString& error, double queryMs) {
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
            setRuns(std::move(runs), std::move(supernets));
            applyMs_ = double(t.nsecsElapsed()) / 1e6;
            emit refreshed();
        }
    }
    if (again_) {
        again_ = false;
        refresh();
    }
}

void RunListModel::setRuns(std::vector<RunSummary> runs, QHash<qint64, SupernetLabel> supernets) {
    bool sameIds = runs.size() == runs_.size();
    for (std::size_t i = 0; sameIds && i < runs.size(); ++i)
        sameIds = runs[i].id == runs_[i].id;
    if (!sameIds) {
        beginResetModel();
        runs_ = std::move(runs);
        supernets_ = std::move(supernets);
        endResetModel();
        return;
    }
    // Same runs in the same order: only changed rows are repainted and the selection stays.
    std::swap(supernets_, supernets); // `supernets` holds the previous labels now
    for (std::size_t i = 0; i < runs.size(); ++i) {
        const qint64 id = runs[i].id;
        if (sameRow(runs[i], runs_[i]) && supernets_.value(id) == supernets.value(id)) continue;
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

RunListModel::SupernetLabel RunListModel::supernetLabel(const std::string& kind,
                                                        const nlohmann::json& config) {
    if (!trainsWeights(kind)) return {};
    const auto it = config.find("supernet");
    if (it == config.end()) return sharedLabel(); // stored before Mixture-of-Supernets
    const nlohmann::json& s = *it;
    const SupernetLabel notUnderstood{
        QStringLiteral("?"), tr("Supernet not understood: %1").arg(QString::fromStdString(s.dump()))};
    if (!s.is_object()) return notUnderstood;
    // Missing keys have the defaults of the core's MixtureOptions (2 weight sets, FFN / experts only).
    std::string mixture = "shared";
    int sets = 2;
    bool attention = false;
    if (s.contains("kind")) {
        if (!s.at("kind").is_string()) return notUnderstood;
        mixture = s.at("kind").get<std::string>();
    }
    if (s.contains("sets")) {
        if (!s.at("sets").is_number_integer()) return notUnderstood;
        sets = s.at("sets").get<int>();
    }
    if (s.contains("attention")) {
        if (!s.at("attention").is_boolean()) return notUnderstood;
        attention = s.at("attention").get<bool>();
    }
    if (mixture == "shared") return sharedLabel();
    if ((mixture != "mos-layer" && mixture != "mos-neuron") || sets < 1) return notUnderstood;
    SupernetLabel label;
    label.text = QStringLiteral("%1 \u00D7%2").arg(QString::fromStdString(mixture)).arg(sets);
    if (attention) label.text += QStringLiteral(" +attn");
    label.description =
        tr("Supernet: Mixture-of-Supernets, %1 weight sets per layer mixed by a router with %2; %3")
            .arg(sets)
            .arg(mixture == "mos-layer" ? tr("one mixture per layer") : tr("one mixture per output neuron"))
            .arg(attention ? tr("in the attention projections too")
                           : tr("in the feed-forward / expert "
                                "matrices only"));
    return label;
}

QString RunListModel::kindLabel(const std::string& kind) {
    if (kind == "moe_study") return tr("MoE vs dense");
    return QString::fromStdString(kind);
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
            return kindLabel(r.kind);
        case SupernetColumn:
            return supernets_.value(r.id).text;
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
    if (role == Qt::ToolTipRole) {
        QString tip =
            r.status == RunStatus::Interrupted
                ? tr("Run %1 “%2”: its process is gone (killed or crashed) while it was running; everything "
                     "up to its last committed event is kept. Resume it from the context menu.")
                      .arg(r.id)
                      .arg(QString::fromStdString(r.name))
                : tr("Run %1 “%2”: %3 %4, created %5")
                      .arg(r.id)
                      .arg(QString::fromStdString(r.name),
                           r.kind == "moe_study" ? tr("MoE vs dense study (moe_study)")
                                                 : QString::fromStdString(r.kind),
                           statusText(r.status),
                           QDateTime::fromMSecsSinceEpoch(r.createdMs).toString(Qt::ISODate));
        const QString supernet = supernets_.value(r.id).description;
        if (!supernet.isEmpty()) tip += QLatin1Char('\n') + supernet;
        return tip;
    }
    return {};
}

QVariant RunListModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal) return {};
    if (role == Qt::ToolTipRole && section == SupernetColumn)
        return tr("The supernet of a training run: shared (weight sharing), or a Mixture-of-Supernets "
                  "(mos-layer / mos-neuron ×m weight sets, +attn: attention mixed too)");
    if (role != Qt::DisplayRole) return {};
    switch (section) {
    case IdColumn:
        return tr("ID");
    case NameColumn:
        return tr("Name");
    case KindColumn:
        return tr("Kind");
    case SupernetColumn:
        return tr("Supernet");
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
