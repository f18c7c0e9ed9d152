// Trainer test fixtures shared by the training suites: a reversal task a small model learns, its special
// ids and trainer options sized for it.
#pragma once

#include "../nn/NnTestSupport.h"
#include "data/Batches.h"
#include "train/Trainer.h"

#include <random>

namespace automoe::traintest {

using namespace automoe::nntest;

// Random sequences of tokens in [kPad + 2, kVocab): target = source reversed (a task a small model learns).
inline TokenizedSet reversalSet(int n, uint64_t seed, int minLen = 2, int maxLen = 9) {
    std::mt19937_64 rng(seed);
    TokenizedSet set;
    for (int i = 0; i < n; ++i) {
        const int len = minLen + int(rng() % uint64_t(maxLen - minLen + 1));
        std::vector<int32_t> src;
        for (int j = 0; j < len; ++j)
            src.push_back(int32_t(kPad + 3 + int(rng() % uint64_t(kVocab - kPad - 3))));
        std::vector<int32_t> tgt(src.rbegin(), src.rend());
        src.push_back(int32_t(kPad + 2)); // eos
        set.source.push_back(src);
        set.target.push_back(tgt);
    }
    return set;
}

inline SpecialIds testIds() {
    return SpecialIds{kPad, kPad + 1, kPad + 2};
}

inline TrainerOptions testOptions(SubnetSampling sampling = SubnetSampling::Random) {
    TrainerOptions o;
    o.maxTokens = 120;
    o.lr.peak = 3e-3;
    o.lr.warmupUpdates = 10;
    o.sampling = sampling;
    o.seed = 7;
    o.ids = testIds();
    return o;
}

} // namespace automoe::traintest
