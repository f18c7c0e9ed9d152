// Named regions of a training step for `automoe bench train --profile` (bench/StepProfiler). A region is a
// torch RecordFunction of user scope: with no profiler attached it costs one thread-local check; with one,
// the time of the ops inside it, and of their backward nodes, is charged to the region's name.
#pragma once

#include <ATen/record_function.h>

namespace automoe {

class ProfileScope {
public:
    // name: a string literal (kept by pointer).
    explicit ProfileScope(const char* name)
        : guard_(at::RecordScope::USER_SCOPE) {
        if (guard_.isActive()) guard_.before(name);
    }
    ProfileScope(const ProfileScope&) = delete;
    ProfileScope& operator=(const ProfileScope&) = delete;

private:
    at::RecordFunction guard_;
};

} // namespace automoe
