// FeedBatch is what a RunFeed hands to the UI thread at most ~30 times a second: the events of a run that
// arrived since the last batch, already decoded into the typed rows the views plot, plus every other event
// (stage changes, run status, data, test BLEU, errors) with its payload, for panels that track a run.
#pragma once

#include "store/Event.h"
#include "store/RunRecords.h"

#include <QMetaType>
#include <cstdint>
#include <vector>

namespace automoe::ui {

struct FeedBatch {
    quint64 epoch = 0;         // which (re)start of the feed produced it; stale epochs are dropped
    std::int64_t firstSeq = 0; // seq of the first and last event in the batch
    std::int64_t lastSeq = 0;
    std::int64_t lastTimeMs = 0; // time of the last event
    std::vector<TrainingStepRow> steps;
    std::vector<ValidationRow> validations;
    std::vector<CandidateRow> candidates;
    std::vector<GenerationRow> generations;
    std::vector<RoutingSnapshot> routing;
    std::vector<Event> other; // events without a plotted row, in order (row empty, payload set)
    std::size_t eventCount = 0;

    bool empty() const { return eventCount == 0; }
};

} // namespace automoe::ui

Q_DECLARE_METATYPE(automoe::ui::FeedBatch)
