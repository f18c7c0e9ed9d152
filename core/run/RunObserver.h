// Observers of a run: the live UI bridge, the CLI's progress bar, tests. They receive every event the run
// emits, on the run's worker thread, in order, and must return quickly (queue, do not compute).
#pragma once
#include "store/Event.h"

namespace automoe {

class RunObserver {
public:
    virtual ~RunObserver() = default;
    virtual void onEvent(const Event& event) = 0;
};

} // namespace automoe
