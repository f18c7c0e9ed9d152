#include "bench/StepProfiler.h"

#include <ATen/SequenceNumber.h>

#include <chrono>
#include <cstring>
#include <stdexcept>

namespace automoe {

namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kRegionPrefix = "automoe::";
thread_local StepProfiler* active = nullptr;

} // namespace

struct StepProfiler::Frame : at::ObserverContext {
    Clock::time_point start;
    std::string region;
    std::string op; // the op's or node's name (not kept for regions)
    bool backward = false;
    bool userScope = false;
    double childMs = 0;
    Frame* parent = nullptr;
};

namespace {

std::unique_ptr<at::ObserverContext> onEnter(const at::RecordFunction& fn) {
    if (!active) return nullptr;
    auto frame = std::make_unique<StepProfiler::Frame>();
    active->enter(*frame, fn);
    return frame;
}

void onLeave(const at::RecordFunction&, at::ObserverContext* ctx) {
    if (active && ctx) active->leave(*static_cast<StepProfiler::Frame*>(ctx));
}

} // namespace

StepProfiler::StepProfiler() {
    if (active) throw std::logic_error("StepProfiler: a profiler is already active on this thread");
    active = this;
    handle_ = at::addThreadLocalCallback(at::RecordFunctionCallback(&onEnter, &onLeave));
}

StepProfiler::~StepProfiler() {
    at::removeCallback(handle_);
    active = nullptr;
}

std::string StepProfiler::regionOfSequence(int64_t sequenceNr) const {
    if (sequenceNr < 0) return "other";
    auto it = sequenceRegions_.upper_bound(sequenceNr);
    if (it == sequenceRegions_.begin()) return "other";
    return std::prev(it)->second;
}

void StepProfiler::enter(Frame& frame, const at::RecordFunction& fn) {
    frame.parent = top_;
    const char* name = fn.name();
    if (fn.scope() == at::RecordScope::USER_SCOPE &&
        std::strncmp(name, kRegionPrefix, std::strlen(kRegionPrefix)) == 0) {
        frame.userScope = true;
        frame.region = name + std::strlen(kRegionPrefix);
        frame.backward = top_ && top_->backward;
        // The region around loss.backward(): what runs in it outside an autograd node (the engine summing
        // incoming gradients) is backward time of no region.
        if (frame.region == "backward") {
            frame.backward = true;
            frame.region = "other";
        }
        // Autograd nodes created from here on belong to this region (until it or a nested one closes).
        if (!frame.backward) sequenceRegions_[at::sequence_number::peek()] = frame.region;
    } else if (fn.scope() == at::RecordScope::BACKWARD_FUNCTION) {
        frame.backward = true;
        frame.region = regionOfSequence(fn.seqNr());
    } else if (top_) {
        frame.region = top_->region;
        frame.backward = top_->backward;
    } else {
        frame.region = "other";
    }
    if (!frame.userScope) frame.op = name;
    top_ = &frame;
    frame.start = Clock::now();
}

void StepProfiler::leave(Frame& frame) {
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - frame.start).count();
    RegionTime& t = regions_[frame.region];
    (frame.backward ? t.backwardMs : t.forwardMs) += ms - frame.childMs;
    if (!frame.userScope) {
        OpTime& op = ops_[frame.op];
        ++op.calls;
        op.ms += ms - frame.childMs;
    }
    top_ = frame.parent;
    if (top_) top_->childMs += ms;
    if (frame.userScope && !frame.backward)
        sequenceRegions_[at::sequence_number::peek()] = top_ && !top_->backward ? top_->region : "other";
}

} // namespace automoe
