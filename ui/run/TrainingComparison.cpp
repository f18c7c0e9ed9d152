#include "ui/run/TrainingComparison.h"

#include "ui/run/RunDocument.h"
#include "ui/run/RunFeed.h"
#include "ui/run/RunPlayer.h"

#include <QTimer>
#include <array>
#include <set>

namespace automoe::ui {

namespace {
// Apart from the shown run's blue, orange and green: purple, red, brown, pink, olive, slate, teal, gold.
const std::array<QColor, 8> kColours = {
    QColor(0x7b, 0x3f, 0xa8), QColor(0xc2, 0x2f, 0x3a), QColor(0x8c, 0x56, 0x4b), QColor(0xd9, 0x5f, 0xb0),
    QColor(0x9a, 0x9a, 0x1e), QColor(0x3b, 0x4a, 0x5e), QColor(0x17, 0xa2, 0xb8), QColor(0xc9, 0x8c, 0x0a)};
} // namespace

TrainingComparison::TrainingComparison(QObject* parent)
    : QObject(parent) {}

TrainingComparison::~TrainingComparison() = default;

void TrainingComparison::add(const QString& dbPath, qint64 runId) {
    if (runId <= 0 || contains(runId)) return;
    std::set<int> used;
    for (const auto& [id, run] : runs_)
        used.insert(run.colourIndex);
    int colour = 0;
    while (used.count(colour) && colour < int(kColours.size()))
        ++colour;
    Compared run;
    run.colourIndex = colour % int(kColours.size());
    run.document = std::make_unique<RunDocument>();
    run.player = std::make_unique<RunPlayer>(run.document.get());
    connect(run.player.get(), &RunPlayer::failed, this, [this, runId](const QString& message) {
        emit failed(runId, message);
        // Not from inside the player's own signal: it is deleted with the run.
        QTimer::singleShot(0, this, [this, runId] { remove(runId); });
    });
    RunPlayer* player = run.player.get();
    connect(run.document.get(), &RunDocument::batchApplied, this, [this, runId] { stopIfDone(runId); });
    runs_.emplace(runId, std::move(run));
    order_.append(runId);
    player->follow(dbPath, runId);
    emit runAdded(runId);
}

void TrainingComparison::remove(qint64 runId) {
    auto it = runs_.find(runId);
    if (it == runs_.end()) return;
    emit runRemoved(runId);
    order_.removeAll(runId);
    runs_.erase(it);
}

void TrainingComparison::clear() {
    for (const qint64 id : QList<qint64>(order_))
        remove(id);
}

void TrainingComparison::stopIfDone(qint64 runId) {
    const auto it = runs_.find(runId);
    if (it == runs_.end()) return;
    RunFeed* feed = it->second.player->feed();
    const RunStatus status = it->second.document->status();
    // A cancelled or interrupted run may be resumed: it is followed on.
    if (feed->isOpen() && (status == RunStatus::Finished || status == RunStatus::Failed) &&
        feed->lastSeq() > 0 && feed->position() >= feed->lastSeq())
        feed->close();
}

bool TrainingComparison::isFollowing(qint64 runId) const {
    const auto it = runs_.find(runId);
    return it != runs_.end() && it->second.player->feed()->isOpen();
}

RunDocument* TrainingComparison::document(qint64 runId) const {
    const auto it = runs_.find(runId);
    return it == runs_.end() ? nullptr : it->second.document.get();
}

QColor TrainingComparison::colour(qint64 runId) const {
    const auto it = runs_.find(runId);
    return it == runs_.end() ? QColor() : kColours[std::size_t(it->second.colourIndex)];
}

QString TrainingComparison::label(qint64 runId) const {
    const RunDocument* document = this->document(runId);
    const QString name = document ? document->name() : QString();
    return name.isEmpty() ? tr("Run %1").arg(runId) : tr("Run %1 \u00B7 %2").arg(runId).arg(name);
}

} // namespace automoe::ui
