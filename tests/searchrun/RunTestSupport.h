// Small helpers the run suites share: the message of what a call throws, and a run's stored events of one
// type.
#pragma once

#include "store/Event.h"
#include "store/RunStore.h"

#include <QString>
#include <cstdint>
#include <exception>
#include <string>
#include <utility>
#include <vector>

namespace automoe::testsupport {

// What `f` throws (std::exception::what), or an empty string when it returns.
template <class F> QString errorOf(F&& f) {
    try {
        f();
    } catch (const std::exception& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

// The stored events of run `run` whose type is `type`, in log order.
inline std::vector<Event> eventsOf(RunStore& store, std::int64_t run, const std::string& type) {
    std::vector<Event> out;
    for (Event& e : store.events(run))
        if (e.type == type) out.push_back(std::move(e));
    return out;
}

} // namespace automoe::testsupport
