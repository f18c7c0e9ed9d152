// `automoe bench darts` (issue 13): what back-propagation with reconstruction buys and costs. For every depth
// and width, one DARTS search step (nn/DartsSearchNetwork + train/DartsStep: alpha's step and the weights'
// step, as the run takes it) is timed with the reversible network and with ordinary autograd, each
// configuration in a child process of its own so that its peak memory (VmHWM) is its alone.
//
// Memory is reported twice: the process's peak, and the activation peak — the peak above the resident size
// after a first step, when weights, gradients and both optimizers' moments exist (freed heap memory is
// returned with malloc_trim and VmHWM is reset through /proc/self/clear_refs at that point). The weights of a
// search network grow with depth whatever the backward does (every candidate of every edge has its own, with
// Adam's two moments), so the depth claim of the method is about the second figure.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace automoe {

struct DartsBenchOptions {
    std::vector<int64_t> depths{2, 4, 8}; // encoder layers = decoder layers
    std::vector<int64_t> hiddens{128, 256};
    int64_t splits = 2;
    int64_t heads = 4;
    int steps = 3;          // timed steps after the first
    int64_t sentences = 32; // per batch
    int64_t length = 32;    // source and target tokens per sentence
    int64_t vocab = 1000;   // random tokens (the output layer is not what is measured)
    uint64_t seed = 1;
};

struct DartsBenchPoint {
    int64_t depth = 0, hidden = 0;
    bool reversible = true;
    double secondsPerStep = 0; // median of the timed steps
    int64_t peakKb = 0;        // VmHWM over the timed steps
    int64_t steadyKb = 0;      // resident after the first step (weights, gradients, optimizer state)
    int64_t weights = 0;       // parameters of the search network
    int64_t activationKb() const { return peakKb - steadyKb; }
};

// One configuration, in this process (what a child runs).
DartsBenchPoint measureDartsStep(const DartsBenchOptions& options, int64_t depth, int64_t hidden,
                                 bool reversible);

nlohmann::json dartsBenchPointJson(const DartsBenchPoint& p);
DartsBenchPoint dartsBenchPointFromJson(const nlohmann::json& j);

// The table: per hidden and depth, both modes' seconds per step, peak and activation memory, and the ratios
// the issue sets targets for (reversible activation growth from the smallest to the largest depth,
// ordinary's, and reversible / ordinary time).
std::string formatDartsBench(const DartsBenchOptions& options, const std::vector<DartsBenchPoint>& points);
nlohmann::json dartsBenchJson(const DartsBenchOptions& options, const std::vector<DartsBenchPoint>& points);

} // namespace automoe
