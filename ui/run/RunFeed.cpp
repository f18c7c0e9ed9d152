#include "ui/run/RunFeed.h"

#include "store/EventRows.h"
#include "store/RunReader.h"

#include <QFileInfo>
#include <QThread>
#include <QTimer>
#include <chrono>
#include <deque>
#include <exception>
#include <optional>
#include <unordered_map>
#include <variant>

namespace automoe::ui {

namespace {
using Clock = std::chrono::steady_clock;
constexpr int kIdlePollMs = 100;       // how often a caught-up feed looks for new events
constexpr int kBusyPollMs = 4;         // while there is more to read (catching up, paced play)
constexpr int kBatchIntervalMs = 33;   // at most ~30 batches a second reach the UI thread
constexpr std::int64_t kPage = 2000;   // events read per query (and per tick)
constexpr double kMaxGapWallMs = 1500; // paced play skips idle stretches longer than this
constexpr int kInfoPollMs = 1000;      // how often the run's record (status, liveness) is read again
} // namespace

// Runs in the feed's thread; every member is touched only there.
class RunFeedWorker : public QObject {
public:
    explicit RunFeedWorker(RunFeed* feed)
        : feed_(feed)
        , timer_(new QTimer(this)) {
        timer_->setSingleShot(true);
        timer_->setTimerType(Qt::PreciseTimer);
        connect(timer_, &QTimer::timeout, this, [this] { tick(); });
    }

    void open(const QString& path, qint64 runId, quint64 epoch, qint64 limit, double speed) {
        close();
        epoch_ = epoch;
        limit_ = limit;
        speed_ = speed;
        try {
            if (!QFileInfo::exists(path))
                throw std::runtime_error(QStringLiteral("%1: no such run database").arg(path).toStdString());
            store_ = std::make_unique<RunReader>(path.toStdString());
            if (!store_->getRun(runId))
                throw std::runtime_error(
                    QStringLiteral("%1 has no run %2").arg(path).arg(runId).toStdString());
        } catch (const std::exception& e) {
            store_.reset();
            const QString message = QString::fromStdString(e.what());
            QMetaObject::invokeMethod(feed_, [f = feed_, message] { emit f->failed(message); });
            return;
        }
        runId_ = runId;
        schedule(0);
    }

    void close() {
        timer_->stop();
        archIds_.clear();
        lastArchId_ = 0;
        store_.reset();
        runId_ = 0;
        resetCursor();
        knownLast_ = -1;
    }

    void restart(quint64 epoch) {
        epoch_ = epoch;
        resetCursor();
        schedule(0);
    }

    void setLimit(qint64 limit) {
        limit_ = limit;
        schedule(0);
    }
    void hold() { limit_ = cursor_; }
    void setSpeed(double speed) {
        speed_ = speed;
        anchored_ = false;
        schedule(0);
    }

private:
    void resetCursor() {
        cursor_ = 0;
        info_.reset();
        lookahead_.clear();
        pending_ = FeedBatch();
        anchored_ = false;
    }

    void schedule(int ms) {
        if (!store_) return;
        if (!timer_->isActive() || timer_->remainingTime() > ms) timer_->start(ms);
    }

    bool limited() const { return limit_ != RunFeed::kNoLimit && cursor_ >= limit_; }

    // Paced play: is `e` due at `now`? Long idle stretches (data loading, checkpoints) are skipped.
    bool due(const Event& e, Clock::time_point now) {
        if (speed_ <= 0) return true;
        if (!anchored_) {
            anchored_ = true;
            anchorEventMs_ = double(e.timeMs);
            anchorWall_ = now;
        }
        const double elapsed = std::chrono::duration<double, std::milli>(now - anchorWall_).count();
        const double virtualNow = anchorEventMs_ + elapsed * speed_;
        if (double(e.timeMs) <= virtualNow) return true;
        if ((double(e.timeMs) - virtualNow) / speed_ > kMaxGapWallMs) {
            anchorEventMs_ += double(e.timeMs) - virtualNow;
            return true;
        }
        return false;
    }

    void take(Event&& e) {
        FeedBatch& b = pending_;
        if (b.events.empty()) b.firstSeq = e.seq;
        b.lastSeq = e.seq;
        b.lastTimeMs = e.timeMs;
        try {
            e.row = rowFromEvent(e.type, e.payload);
            if (!std::holds_alternative<std::monostate>(e.row)) e.payload = nullptr; // the row says it all
        } catch (const std::exception& error) {
            // A malformed payload is reported and kept as a plain event: the rest of the run still plays.
            e.type = "error";
            e.payload = {{"message", "event " + std::to_string(e.seq) + ": " + error.what()}};
        }
        if (auto* c = std::get_if<CandidateRow>(&e.row); c && c->architecture.id == 0)
            c->architecture.id = architectureId(c->architecture.key);
        b.events.push_back(std::move(e));
    }

    // The store's id of an architecture of the run (the id exports and labels name it by), from the rows
    // written in the same transaction as its event; 0 when unknown.
    std::int64_t architectureId(const std::string& key) {
        auto it = archIds_.find(key);
        if (it == archIds_.end()) {
            for (auto& [id, k] : store_->architectureKeys(runId_, lastArchId_)) {
                lastArchId_ = std::max(lastArchId_, id);
                archIds_.emplace(std::move(k), id);
            }
            it = archIds_.find(key);
        }
        return it == archIds_.end() ? 0 : it->second;
    }

    // Reads the run's record (its derived status says whether its process is gone) and queues it when it
    // changed.
    void pollInfo(Clock::time_point now) {
        if (now - lastInfoPoll_ < std::chrono::milliseconds(kInfoPollMs) && info_) return;
        lastInfoPoll_ = now;
        std::optional<RunInfo> info = store_->getRun(runId_);
        if (!info) return;
        if (info_ && info_->status == info->status && info_->spec.name == info->spec.name) return;
        info_ = info;
        pending_.info = std::move(info);
    }

    void emitPending() {
        if (pending_.empty()) return;
        pending_.epoch = epoch_;
        QMetaObject::invokeMethod(feed_, [f = feed_, b = std::move(pending_)] { f->deliver(b); });
        pending_ = FeedBatch();
        lastEmit_ = Clock::now();
    }

    void tick() {
        if (!store_) return;
        bool more = false;
        try {
            const qint64 last = store_->lastSeq(runId_);
            if (last != knownLast_) {
                knownLast_ = last;
                QMetaObject::invokeMethod(feed_, [f = feed_, last, epoch = epoch_] {
                    if (epoch != f->epoch_) return;
                    f->lastSeq_ = last;
                    emit f->lastSeqChanged(last);
                });
            }
            const Clock::time_point now = Clock::now();
            pollInfo(now);
            std::int64_t read = 0;
            while (!limited()) {
                if (lookahead_.empty()) {
                    if (cursor_ >= knownLast_ || read >= kPage) {
                        more = cursor_ < knownLast_;
                        break;
                    }
                    std::vector<Event> page = store_->events(runId_, cursor_ + 1, kPage);
                    if (page.empty()) break;
                    read += std::int64_t(page.size());
                    for (Event& e : page)
                        lookahead_.push_back(std::move(e));
                }
                Event& next = lookahead_.front();
                if (limit_ != RunFeed::kNoLimit && next.seq > limit_) break;
                if (!due(next, now)) {
                    more = true;
                    break;
                }
                cursor_ = next.seq;
                take(std::move(next));
                lookahead_.pop_front();
            }
        } catch (const std::exception& e) {
            const QString message = QString::fromStdString(e.what());
            QMetaObject::invokeMethod(feed_, [f = feed_, message] { emit f->failed(message); });
        }
        const auto sinceEmit = std::chrono::duration<double, std::milli>(Clock::now() - lastEmit_).count();
        if (!pending_.empty() && sinceEmit >= kBatchIntervalMs) emitPending();
        if (!pending_.empty())
            schedule(std::max(1, kBatchIntervalMs - int(sinceEmit)));
        else
            schedule(more ? kBusyPollMs : kIdlePollMs);
    }

    RunFeed* feed_;
    QTimer* timer_;
    std::unique_ptr<RunReader> store_; // read-only: a viewer never writes
    qint64 runId_ = 0;
    quint64 epoch_ = 0;
    qint64 limit_ = RunFeed::kNoLimit;
    double speed_ = RunFeed::kMaxSpeed;
    qint64 cursor_ = 0;     // seq of the last event taken into a batch
    qint64 knownLast_ = -1; // the run's newest committed seq, as last read
    std::deque<Event> lookahead_;
    FeedBatch pending_;
    Clock::time_point lastEmit_{};
    bool anchored_ = false;
    std::optional<RunInfo> info_;                           // as last delivered
    std::unordered_map<std::string, std::int64_t> archIds_; // architecture key -> store id, of the run
    std::int64_t lastArchId_ = 0;
    Clock::time_point lastInfoPoll_{};
    double anchorEventMs_ = 0;
    Clock::time_point anchorWall_{};
};

RunFeed::RunFeed(QObject* parent)
    : QObject(parent) {
    qRegisterMetaType<FeedBatch>();
    thread_ = new QThread(this);
    thread_->setObjectName(QStringLiteral("RunFeed"));
    worker_ = new RunFeedWorker(this);
    worker_->moveToThread(thread_);
    connect(thread_, &QThread::finished, worker_, &QObject::deleteLater);
    thread_->start(QThread::LowPriority);
}

RunFeed::~RunFeed() {
    post([](RunFeedWorker& w) { w.close(); });
    thread_->quit();
    thread_->wait();
}

void RunFeed::post(std::function<void(RunFeedWorker&)> job) {
    RunFeedWorker* w = worker_;
    QMetaObject::invokeMethod(w, [w, job = std::move(job)] { job(*w); });
}

void RunFeed::open(const QString& dbPath, qint64 runId) {
    dbPath_ = dbPath;
    runId_ = runId;
    ++epoch_;
    position_ = 0;
    lastSeq_ = 0;
    post([dbPath, runId, epoch = epoch_, limit = limit_, speed = speed_](RunFeedWorker& w) {
        w.open(dbPath, runId, epoch, limit, speed);
    });
}

void RunFeed::close() {
    dbPath_.clear();
    runId_ = 0;
    ++epoch_;
    position_ = 0;
    lastSeq_ = 0;
    post([](RunFeedWorker& w) { w.close(); });
}

void RunFeed::setLimit(qint64 seq) {
    limit_ = seq;
    post([seq](RunFeedWorker& w) { w.setLimit(seq); });
}

void RunFeed::hold() {
    post([](RunFeedWorker& w) { w.hold(); });
}

void RunFeed::setSpeed(double speed) {
    speed_ = speed;
    post([speed](RunFeedWorker& w) { w.setSpeed(speed); });
}

void RunFeed::restart() {
    ++epoch_;
    position_ = 0;
    post([epoch = epoch_](RunFeedWorker& w) { w.restart(epoch); });
}

void RunFeed::deliver(const FeedBatch& batch) {
    if (batch.epoch != epoch_) return; // from before a restart
    if (!batch.events.empty()) position_ = batch.lastSeq;
    ++batches_;
    emit batchReady(batch);
}

} // namespace automoe::ui
