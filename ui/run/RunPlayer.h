// RunPlayer drives the run views from a RunFeed: every batch goes to TrainingView (steps, validations,
// the latest routing) and ParetoView (candidates), the same calls whether the run is live or replayed.
// It owns the replay timeline: play at a speed, pause, and seek to a seq (seeking back clears the views and
// feeds them again up to that point).
#pragma once

#include "ui/run/FeedBatch.h"

#include <QObject>
#include <QString>

namespace automoe::ui {

class ParetoView;
class RunFeed;
class TrainingView;

class RunPlayer : public QObject {
    Q_OBJECT

public:
    // Views are not owned and may be null.
    RunPlayer(TrainingView* training, ParetoView* pareto, QObject* parent = nullptr);
    ~RunPlayer() override;

    // Follows a run: clears the views and plays every event as soon as it is committed (live, or a whole
    // finished run at once).
    void follow(const QString& dbPath, qint64 runId);
    // Opens a run for replay from its start: nothing is shown until play() or seek().
    void openReplay(const QString& dbPath, qint64 runId);
    void close();

    RunFeed* feed() const { return feed_; }
    qint64 runId() const;
    QString databasePath() const;
    qint64 position() const;
    qint64 lastSeq() const;
    bool isPlaying() const { return playing_; }
    double speed() const { return speed_; }
    // The newest training update shown (0 before any).
    qint64 latestUpdate() const { return latestUpdate_; }

public slots:
    void play();
    void pause();
    // 1, 4, 16, ... × the logged pace; RunFeed::kMaxSpeed (0) for as fast as possible.
    void setSpeed(double speed);
    // Shows the run as it was at event `seq` (pauses).
    void seek(qint64 seq);

signals:
    // Every batch after it reached the views (for panels that track stages, status and progress).
    void batchApplied(const automoe::ui::FeedBatch& batch);
    // The views were cleared (a new run, or a seek back): panels that accumulate state reset too.
    void cleared();
    void positionChanged(qint64 position, qint64 lastSeq);
    void playingChanged(bool playing);
    void failed(const QString& message);

private:
    void apply(const FeedBatch& batch);
    void clearViews();
    void setPlaying(bool playing);

    TrainingView* training_;
    ParetoView* pareto_;
    RunFeed* feed_;
    bool playing_ = false;
    double speed_ = 1.0;
    qint64 latestUpdate_ = 0;
};

} // namespace automoe::ui
