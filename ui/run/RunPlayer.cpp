#include "ui/run/RunPlayer.h"

#include "ui/plots/ParetoView.h"
#include "ui/plots/TrainingView.h"
#include "ui/run/RunDocument.h"
#include "ui/run/RunFeed.h"

namespace automoe::ui {

RunPlayer::RunPlayer(RunDocument* document, QObject* parent)
    : QObject(parent)
    , document_(document)
    , feed_(new RunFeed(this)) {
    connect(feed_, &RunFeed::batchReady, this, &RunPlayer::apply);
    connect(feed_, &RunFeed::lastSeqChanged, this,
            [this](qint64 last) { emit positionChanged(feed_->position(), last); });
    connect(feed_, &RunFeed::failed, this, &RunPlayer::failed);
}

RunPlayer::~RunPlayer() = default;

qint64 RunPlayer::runId() const {
    return feed_->runId();
}
QString RunPlayer::databasePath() const {
    return feed_->databasePath();
}
qint64 RunPlayer::position() const {
    return feed_->position();
}
qint64 RunPlayer::lastSeq() const {
    return feed_->lastSeq();
}

void RunPlayer::resetDocument() {
    document_->reset(feed_->databasePath(), feed_->runId());
}

void RunPlayer::follow(const QString& dbPath, qint64 runId) {
    feed_->setLimit(RunFeed::kNoLimit);
    feed_->setSpeed(RunFeed::kMaxSpeed);
    feed_->open(dbPath, runId);
    resetDocument();
    document_->setLive(true);
    setPlaying(true);
    emit positionChanged(0, 0);
}

void RunPlayer::openReplay(const QString& dbPath, qint64 runId) {
    feed_->setLimit(0);
    feed_->setSpeed(speed_);
    feed_->open(dbPath, runId);
    resetDocument();
    document_->setLive(false);
    setPlaying(false);
    emit positionChanged(0, 0);
}

void RunPlayer::close() {
    feed_->close();
    resetDocument();
    setPlaying(false);
    emit positionChanged(0, 0);
}

void RunPlayer::play() {
    if (!feed_->isOpen()) return;
    // At the end of a finished run, play starts over.
    if (feed_->lastSeq() > 0 && feed_->position() >= feed_->lastSeq()) {
        resetDocument();
        feed_->restart();
    }
    feed_->setSpeed(speed_);
    feed_->setLimit(RunFeed::kNoLimit);
    setPlaying(true);
}

void RunPlayer::pause() {
    feed_->hold();
    setPlaying(false);
}

void RunPlayer::setSpeed(double speed) {
    speed_ = speed;
    if (playing_) feed_->setSpeed(speed);
}

void RunPlayer::seek(qint64 seq) {
    if (!feed_->isOpen()) return;
    setPlaying(false);
    feed_->setSpeed(RunFeed::kMaxSpeed);
    feed_->setLimit(seq);
    if (seq < feed_->position()) {
        resetDocument();
        feed_->restart();
    }
    emit positionChanged(feed_->position(), feed_->lastSeq());
}

void RunPlayer::setPlaying(bool playing) {
    if (playing_ == playing) return;
    playing_ = playing;
    emit playingChanged(playing);
}

void RunPlayer::apply(const FeedBatch& batch) {
    document_->apply(batch);
    emit positionChanged(feed_->position(), feed_->lastSeq());
}

} // namespace automoe::ui
