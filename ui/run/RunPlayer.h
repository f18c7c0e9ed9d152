// RunPlayer fills the RunDocument from a RunFeed: every batch goes to RunDocument::apply(), the same call
// whether the run is live or replayed, and the views follow the document. It owns the replay timeline: play
// at a speed, pause, and seek to a seq (seeking back empties the document and feeds it again up to that
// point).
#pragma once

#include "ui/run/FeedBatch.h"

#include <QObject>
#include <QString>

namespace automoe::ui {

class RunDocument;
class RunFeed;

class RunPlayer : public QObject {
    Q_OBJECT

public:
    // The document is not owned.
    explicit RunPlayer(RunDocument* document, QObject* parent = nullptr);
    ~RunPlayer() override;

    // Follows a run: empties the document and plays every event as soon as it is committed (live, or a whole
    // finished run at once).
    void follow(const QString& dbPath, qint64 runId);
    // Opens a run for replay from its start: nothing is shown until play() or seek().
    void openReplay(const QString& dbPath, qint64 runId);
    void close();

    RunFeed* feed() const { return feed_; }
    RunDocument* document() const { return document_; }
    qint64 runId() const;
    QString databasePath() const;
    qint64 position() const;
    qint64 lastSeq() const;
    bool isPlaying() const { return playing_; }
    double speed() const { return speed_; }

public slots:
    void play();
    void pause();
    // 1, 4, 16, ... × the logged pace; RunFeed::kMaxSpeed (0) for as fast as possible.
    void setSpeed(double speed);
    // Shows the run as it was at event `seq` (pauses).
    void seek(qint64 seq);

signals:
    void positionChanged(qint64 position, qint64 lastSeq);
    void playingChanged(bool playing);
    void failed(const QString& message);

private:
    void apply(const FeedBatch& batch);
    void resetDocument();
    void setPlaying(bool playing);

    RunDocument* document_;
    RunFeed* feed_;
    bool playing_ = false;
    double speed_ = 1.0;
};

} // namespace automoe::ui
