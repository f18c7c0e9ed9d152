// FeedBatch is what a RunFeed hands to the UI thread at most ~30 times a second: the events of a run that
// arrived since the last batch, in log order, with the typed rows the views plot already decoded from their
// payloads (a typed event's payload is dropped: its row says it all), and the run's record when it changed
// (its status is the derived one: "interrupted" for a run whose process is gone).
#pragma once

#include "store/Event.h"
#include "store/RunRecords.h"

#include <QMetaType>
#include <cstdint>
#include <optional>
#include <vector>

namespace automoe::ui {

struct FeedBatch {
    quint64 epoch = 0;         // which (re)start of the feed produced it; stale epochs are dropped
    std::int64_t firstSeq = 0; // seq of the first and last event in the batch (0 when it has none)
    std::int64_t lastSeq = 0;
    std::int64_t lastTimeMs = 0; // time of the last event
    std::vector<Event> events;   // in seq order; `row` set for typed events
    std::optional<RunInfo> info; // the run's record, when it is new or changed

    bool empty() const { return events.empty() && !info; }
};

} // namespace automoe::ui

Q_DECLARE_METATYPE(automoe::ui::FeedBatch)
