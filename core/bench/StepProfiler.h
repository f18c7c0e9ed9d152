// Where a training step's time goes, by named region (nn/ProfileScope) and by forward vs backward.
//
// While a StepProfiler is alive on a thread, every torch op and autograd node run on that thread is timed
// through RecordFunction callbacks. An op's exclusive time (its own time minus that of ops nested in it) is
// charged to the innermost region open when it ran. A backward node is charged to the region that was open
// when its forward op created it: regions mark ranges of autograd sequence numbers as they open and close
// (the same correlation torch's own profiler uses), so custom autograd functions are attributed as well.
// Time outside every region falls under "other".
#pragma once

#include <ATen/record_function.h>

#include <map>
#include <string>

namespace automoe {

struct RegionTime {
    double forwardMs = 0;
    double backwardMs = 0;
};

// An op's exclusive time (a torch operator, or an autograd node of the backward pass), summed over calls.
struct OpTime {
    int64_t calls = 0;
    double ms = 0;
};

class StepProfiler {
public:
    StepProfiler();
    ~StepProfiler();
    StepProfiler(const StepProfiler&) = delete;
    StepProfiler& operator=(const StepProfiler&) = delete;

    // Exclusive milliseconds per region since construction or reset().
    const std::map<std::string, RegionTime>& regions() const { return regions_; }
    // Exclusive milliseconds per op name ("aten::mm", "MmBackward0", ...), regions left out.
    const std::map<std::string, OpTime>& ops() const { return ops_; }
    void reset() {
        regions_.clear();
        ops_.clear();
    }

    // Internal (the callbacks' state).
    struct Frame;
    void enter(Frame& frame, const at::RecordFunction& fn);
    void leave(Frame& frame);

private:
    std::string regionOfSequence(int64_t sequenceNr) const;

    at::CallbackHandle handle_ = 0;
    Frame* top_ = nullptr;
    // Autograd sequence number -> the region open from that number on (forward regions only).
    std::map<int64_t, std::string> sequenceRegions_;
    std::map<std::string, RegionTime> regions_;
    std::map<std::string, OpTime> ops_;
};

} // namespace automoe
