#include "ui/run/RunFeed.h"

#include "store/EventRows.h"
#include "store/RunStore.h"

#include <QFileInfo>
#include <QThread>
#include <QTimer>
#include <chrono>
#include <deque>
#include <exception>
#include <variant>

namespace automoe::ui {

namespace {
using Clock = std::chrono::steady_clock;
constexpr int kIdlePollMs = 100;       // how often a caught-up feed looks for new events
constexpr int kBusyPollMs = 4;         // while there is more to read (catching up, paced play)
constexpr int kBatchIntervalMs = 33;   // at most ~30 batches a second reach the UI thread
constexpr std::int64_t kPage = 2000;   // events read per query (and per tick)
constexpr double kMaxGapWallMs = 1500; // paced play skips idle stretches longer than this
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
            store_ = std::make_unique<RunStore>(path.toStdString());
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
        if (b.eventCount == 0) b.firstSeq = e.seq;
        b.lastSeq = e.seq;
        b.lastTimeMs = e.timeMs;
        ++b.eventCount;
        EventRow row;
        try {
            row = rowFromEvent(e.type, e.payload);
        } catch (const std::exception& error) {
            // A malformed payload is reported and kept as a plain event: the rest of the run still plays.
            e.type = "error";
            e.payload = {{"message", "event " + std::to_string(e.seq) + ": " + error.what()}};
        }
        std::visit(
            [&](auto&& r) {
                using T = std::decay_t<decltype(r)>;
                if constexpr (std::is_same_v<T, TrainingStepRow>)
                    b.steps.push_back(std::move(r));
                else if constexpr (std::is_same_v<T, ValidationRow>)
                    b.validations.push_back(std::move(r));
                else if constexpr (std::is_same_v<T, CandidateRow>)
                    b.candidates.push_back(std::move(r));
                else if constexpr (std::is_same_v<T, GenerationRow>)
                    b.generations.push_back(std::move(r));
                else if constexpr (std::is_same_v<T, RoutingSnapshot>)
                    b.routing.push_back(std::move(r));
                else
                    b.other.push_back(std::move(e));
            },
            std::move(row));
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
    std::unique_ptr<RunStore> store_;
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
    position_ = batch.lastSeq;
    ++batches_;
    emit batchReady(batch);
}

} // namespace automoe::ui
