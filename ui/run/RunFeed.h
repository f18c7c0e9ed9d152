// RunFeed follows one run of a run database: a worker thread with its own read-only RunReader polls the event
// log (every ~100 ms) for events past the last one it delivered, decodes their payloads into typed rows and
// hands them to the UI thread as FeedBatches, coalesced to at most ~30 batches a second. The same feed
// serves a live run (another process writing the database) and the replay of a finished one: a seq limit
// stops it at a point of the timeline, and a speed plays events at (a multiple of) the pace they were
// logged. The UI thread never touches SQLite.
#pragma once

#include "ui/run/FeedBatch.h"

#include <QObject>
#include <QString>
#include <memory>

class QThread;

namespace automoe::ui {

class RunFeedWorker;

class RunFeed : public QObject {
    Q_OBJECT

public:
    // No limit: deliver every event as soon as it is committed.
    static constexpr qint64 kNoLimit = -1;
    // Speed 0: as fast as the events can be read.
    static constexpr double kMaxSpeed = 0.0;

    explicit RunFeed(QObject* parent = nullptr);
    // Stops and joins the worker thread; batches not yet delivered are dropped.
    ~RunFeed() override;

    // Follows run `runId` of the database at `dbPath` from its first event. Errors (an unreadable database,
    // an unknown run) arrive through failed().
    void open(const QString& dbPath, qint64 runId);
    void close();
    bool isOpen() const { return runId_ > 0; }
    QString databasePath() const { return dbPath_; }
    qint64 runId() const { return runId_; }

    // Delivers no event with seq > `seq` (kNoLimit: no limit). Lowering it below position() does not take
    // back what was delivered: restart() for that.
    void setLimit(qint64 seq);
    // Stops delivering after the events already read by the worker (pause).
    void hold();
    // Plays events at `speed` × the pace they were logged (long idle gaps shortened); kMaxSpeed: at once.
    void setSpeed(double speed);
    double speed() const { return speed_; }
    // Starts again from the first event (the caller clears its views first); batches of before are dropped.
    void restart();

    // The seq of the last event delivered to this thread, and the newest committed seq of the run.
    qint64 position() const { return position_; }
    qint64 lastSeq() const { return lastSeq_; }
    quint64 batchesDelivered() const { return batches_; }

signals:
    void batchReady(const automoe::ui::FeedBatch& batch);
    // The run's newest committed seq changed (the timeline's range).
    void lastSeqChanged(qint64 lastSeq);
    void failed(const QString& message);

private:
    void deliver(const FeedBatch& batch);
    void post(std::function<void(RunFeedWorker&)> job);

    QThread* thread_ = nullptr;
    RunFeedWorker* worker_ = nullptr; // lives in thread_
    QString dbPath_;
    qint64 runId_ = 0;
    double speed_ = kMaxSpeed;
    qint64 limit_ = kNoLimit;
    quint64 epoch_ = 0;
    qint64 position_ = 0;
    qint64 lastSeq_ = 0;
    quint64 batches_ = 0;

    friend class RunFeedWorker;
};

} // namespace automoe::ui
