// The human-readable line of a run event, as the CLI prints it on stderr and the workbench's Run dock lists
// it: stage changes, data, checkpoints, resumption, validations, routing health (per MoE layer "H" = the
// normalized entropy of the expert load, 1 = balanced, and the busiest expert's share), costs, test BLEU,
// generation summaries, the run's status and errors. Per-update and per-candidate events (training steps,
// candidates, search state) have no line: they are drawn, not listed.
#pragma once

#include "store/Event.h"

#include <string>

namespace automoe {

// "" for events that are not listed. Works on live events (typed row set) and on events read back from the
// store (payload only).
std::string eventText(const Event& event);

} // namespace automoe
