#include "bench/DartsBenchmark.h"

#include "bench/ModelBenchmark.h"
#include "data/Batches.h"
#include "train/DartsStep.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <malloc.h>
#include <nlohmann/json.hpp>

namespace automoe {

namespace {

long residentKb() {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
    return 0;
}

// Resets VmHWM to the current resident size (Linux >= 4.0); false when the kernel refuses.
bool resetPeak() {
    std::ofstream out("/proc/self/clear_refs");
    out << "5";
    return bool(out.flush());
}

Batch randomBatch(const DartsBenchOptions& o) {
    Batch b;
    const int64_t first = 4; // above pad, bos, eos, unk
    b.src = torch::randint(first, o.vocab, {o.sentences, o.length}, torch::kLong);
    b.tgtIn = torch::randint(first, o.vocab, {o.sentences, o.length}, torch::kLong);
    b.tgtOut = torch::randint(first, o.vocab, {o.sentences, o.length}, torch::kLong);
    b.sourceTokens = b.targetTokens = o.sentences * o.length;
    return b;
}

} // namespace

DartsBenchPoint measureDartsStep(const DartsBenchOptions& o, int64_t depth, int64_t hidden, bool reversible) {
    torch::manual_seed(o.seed);
    DartsSearchConfig c;
    c.vocabSize = o.vocab;
    c.padIndex = 0;
    c.hidden = hidden;
    c.heads = o.heads;
    c.splits = o.splits;
    c.encoderLayers = depth;
    c.decoderLayers = depth;
    c.reversible = reversible;
    DartsSearchNetwork net(c);
    net->train();
    DartsOptimizers optimizers(*net, 5e-4, 3e-4, 1e-3);
    const Batch alphaBatch = randomBatch(o), weightBatch = randomBatch(o);
    dartsSearchStep(*net, optimizers, alphaBatch, weightBatch, 5e-4, 1.0, 0.1, 0); // allocates every state
    DartsBenchPoint p;
    p.depth = depth;
    p.hidden = hidden;
    p.reversible = reversible;
    p.weights = net->weightCount();
    // The first step's activations are freed, but glibc keeps freed memory in the heap (and raises its mmap
    // threshold after large frees): hand it back so the resident size is weights and state alone.
    ::malloc_trim(0);
    p.steadyKb = resetPeak() ? residentKb() : 0;
    std::vector<double> seconds;
    for (int s = 0; s < std::max(1, o.steps); ++s) {
        const auto t0 = std::chrono::steady_clock::now();
        dartsSearchStep(*net, optimizers, alphaBatch, weightBatch, 5e-4, 1.0, 0.1, 0);
        seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    std::sort(seconds.begin(), seconds.end());
    p.secondsPerStep = seconds[seconds.size() / 2];
    p.peakKb = peakResidentKb();
    return p;
}

nlohmann::json dartsBenchPointJson(const DartsBenchPoint& p) {
    return {{"depth", p.depth},
            {"hidden", p.hidden},
            {"reversible", p.reversible},
            {"seconds_per_step", p.secondsPerStep},
            {"peak_kb", p.peakKb},
            {"steady_kb", p.steadyKb},
            {"activation_kb", p.activationKb()},
            {"weights", p.weights}};
}

DartsBenchPoint dartsBenchPointFromJson(const nlohmann::json& j) {
    DartsBenchPoint p;
    p.depth = j.at("depth").get<int64_t>();
    p.hidden = j.at("hidden").get<int64_t>();
    p.reversible = j.at("reversible").get<bool>();
    p.secondsPerStep = j.at("seconds_per_step").get<double>();
    p.peakKb = j.at("peak_kb").get<int64_t>();
    p.steadyKb = j.at("steady_kb").get<int64_t>();
    p.weights = j.at("weights").get<int64_t>();
    return p;
}

namespace {

const DartsBenchPoint* find(const std::vector<DartsBenchPoint>& points, int64_t depth, int64_t hidden,
                            bool reversible) {
    for (const auto& p : points)
        if (p.depth == depth && p.hidden == hidden && p.reversible == reversible) return &p;
    return nullptr;
}

struct Ratios {
    double reversibleGrowth = 0, ordinaryGrowth = 0, reversiblePeakGrowth = 0, ordinaryPeakGrowth = 0;
    double worstTime = 0;
};

Ratios ratiosOf(const DartsBenchOptions& o, const std::vector<DartsBenchPoint>& points, int64_t hidden) {
    Ratios r;
    const int64_t lo = *std::min_element(o.depths.begin(), o.depths.end());
    const int64_t hi = *std::max_element(o.depths.begin(), o.depths.end());
    const auto *rl = find(points, lo, hidden, true), *rh = find(points, hi, hidden, true);
    const auto *ol = find(points, lo, hidden, false), *oh = find(points, hi, hidden, false);
    auto ratio = [](double a, double b) { return b > 0 ? a / b : 0.0; };
    if (rl && rh) {
        r.reversibleGrowth = ratio(double(rh->activationKb()), double(rl->activationKb()));
        r.reversiblePeakGrowth = ratio(double(rh->peakKb), double(rl->peakKb));
    }
    if (ol && oh) {
        r.ordinaryGrowth = ratio(double(oh->activationKb()), double(ol->activationKb()));
        r.ordinaryPeakGrowth = ratio(double(oh->peakKb), double(ol->peakKb));
    }
    for (int64_t d : o.depths)
        if (const auto* a = find(points, d, hidden, true), *b = find(points, d, hidden, false); a && b)
            r.worstTime = std::max(r.worstTime, ratio(a->secondsPerStep, b->secondsPerStep));
    return r;
}

} // namespace

std::string formatDartsBench(const DartsBenchOptions& o, const std::vector<DartsBenchPoint>& points) {
    std::string out;
    char line[256];
    std::snprintf(
        line, sizeof line,
        "DARTS search step (alpha step + weight step), batch %lld x %lld tokens a side, %lld splits; "
        "each configuration in its own process\n",
        (long long)o.sentences, (long long)o.length, (long long)o.splits);
    out += line;
    std::snprintf(line, sizeof line, "%6s %5s %8s | %9s %9s %9s | %9s %9s %9s | %6s\n", "hidden", "depth",
                  "weights", "rev s", "rev peak", "rev act", "ord s", "ord peak", "ord act", "time x");
    out += line;
    for (int64_t h : o.hiddens) {
        for (int64_t d : o.depths) {
            const auto *r = find(points, d, h, true), *n = find(points, d, h, false);
            auto mb = [](int64_t kb) { return double(kb) / 1024.0; };
            std::snprintf(line, sizeof line,
                          "%6lld %5lld %7.1fM | %9.3f %7.0fMB %7.0fMB | %9.3f %7.0fMB %7.0fMB | %6.2f\n",
                          (long long)h, (long long)d,
                          double(r   ? r->weights
                                 : n ? n->weights
                                     : 0) /
                              1e6,
                          r ? r->secondsPerStep : 0.0, r ? mb(r->peakKb) : 0.0,
                          r ? mb(r->activationKb()) : 0.0, n ? n->secondsPerStep : 0.0,
                          n ? mb(n->peakKb) : 0.0, n ? mb(n->activationKb()) : 0.0,
                          r && n && n->secondsPerStep > 0 ? r->secondsPerStep / n->secondsPerStep : 0.0);
            out += line;
        }
        const Ratios q = ratiosOf(o, points, h);
        const int64_t lo = *std::min_element(o.depths.begin(), o.depths.end());
        const int64_t hi = *std::max_element(o.depths.begin(), o.depths.end());
        std::snprintf(
            line, sizeof line,
            "hidden %lld, depth %lld -> %lld: activation memory x%.2f reversible (target <= 1.2), x%.2f "
            "ordinary; process peak x%.2f reversible, x%.2f ordinary; reversible / ordinary time at most "
            "x%.2f (target <= 1.5)\n",
            (long long)h, (long long)lo, (long long)hi, q.reversibleGrowth, q.ordinaryGrowth,
            q.reversiblePeakGrowth, q.ordinaryPeakGrowth, q.worstTime);
        out += line;
    }
    return out;
}

nlohmann::json dartsBenchJson(const DartsBenchOptions& o, const std::vector<DartsBenchPoint>& points) {
    nlohmann::json j = {{"sentences", o.sentences}, {"length", o.length}, {"splits", o.splits},
                        {"heads", o.heads},         {"steps", o.steps},   {"vocab", o.vocab}};
    j["points"] = nlohmann::json::array();
    for (const auto& p : points)
        j["points"].push_back(dartsBenchPointJson(p));
    j["ratios"] = nlohmann::json::array();
    for (int64_t h : o.hiddens) {
        const Ratios q = ratiosOf(o, points, h);
        j["ratios"].push_back({{"hidden", h},
                               {"reversible_activation_growth", q.reversibleGrowth},
                               {"ordinary_activation_growth", q.ordinaryGrowth},
                               {"reversible_peak_growth", q.reversiblePeakGrowth},
                               {"ordinary_peak_growth", q.ordinaryPeakGrowth},
                               {"worst_time_ratio", q.worstTime}});
    }
    return j;
}

} // namespace automoe
