// The human-readable line of a run event, as the CLI prints it on stderr and the workbench's Run dock lists
// it: stage changes, data, checkpoints, resumption, validations, costs, test BLEU, generation summaries, the
// run's status and errors. Per-update and per-candidate events (training steps, candidates, search state)
// have no line: they are drawn, not listed.
#pragma once

#include "store/Event.h"

#include <string>

namespace automoe {

// "" for events that are not listed. Works on live events (typed row set) and on events read back from the
// store (payload only).
std::string eventText(const Event& event);

} // namespace automoe
