#include "data/Batches.h"

#include <algorithm>
#include <numeric>
#include <random>
#include <stdexcept>

namespace automoe {

int64_t TokenizedSet::sourceTokens() const {
    int64_t n = 0;
    for (const auto& s : source)
        n += static_cast<int64_t>(s.size());
    return n;
}

int64_t TokenizedSet::targetTokens() const {
    int64_t n = 0;
    for (const auto& t : target)
        n += static_cast<int64_t>(t.size()) + 1;
    return n;
}

TokenizedSet tokenize(const Vocabulary& vocab, const std::vector<SentencePair>& pairs,
                      const TokenizeOptions& options) {
    if (options.maxSourceTokens < 2 || options.maxTargetTokens < 2)
        throw std::invalid_argument("tokenize: maxSourceTokens and maxTargetTokens must be at least 2");
    TokenizedSet set;
    set.source.reserve(pairs.size());
    set.target.reserve(pairs.size());
    for (const auto& p : pairs) {
        std::vector<int> s = vocab.encode(p.source);
        std::vector<int> t = vocab.encode(p.target);
        if (s.size() > size_t(options.maxSourceTokens - 1)) s.resize(size_t(options.maxSourceTokens - 1));
        if (t.size() > size_t(options.maxTargetTokens - 1)) t.resize(size_t(options.maxTargetTokens - 1));
        std::vector<int32_t> src(s.begin(), s.end());
        src.push_back(Vocabulary::kEosId);
        set.source.push_back(std::move(src));
        set.target.emplace_back(t.begin(), t.end());
    }
    return set;
}

Batch makeBatch(const TokenizedSet& set, const std::vector<std::size_t>& indices, const SpecialIds& ids) {
    const int64_t padId = ids.pad, bosId = ids.bos, eosId = ids.eos;
    if (indices.empty()) throw std::invalid_argument("makeBatch: no rows");
    size_t S = 0, T = 0;
    for (size_t i : indices) {
        S = std::max(S, set.source.at(i).size());
        T = std::max(T, set.target.at(i).size() + 1);
    }
    const auto B = static_cast<int64_t>(indices.size());
    Batch b;
    b.indices = indices;
    b.src = torch::full({B, int64_t(S)}, padId, torch::kLong);
    b.tgtIn = torch::full({B, int64_t(T)}, padId, torch::kLong);
    b.tgtOut = torch::full({B, int64_t(T)}, padId, torch::kLong);
    auto src = b.src.accessor<int64_t, 2>();
    auto tin = b.tgtIn.accessor<int64_t, 2>();
    auto tout = b.tgtOut.accessor<int64_t, 2>();
    for (int64_t r = 0; r < B; ++r) {
        const auto& s = set.source[indices[size_t(r)]];
        const auto& t = set.target[indices[size_t(r)]];
        for (size_t j = 0; j < s.size(); ++j)
            src[r][int64_t(j)] = s[j];
        tin[r][0] = bosId;
        for (size_t j = 0; j < t.size(); ++j) {
            tin[r][int64_t(j) + 1] = t[j];
            tout[r][int64_t(j)] = t[j];
        }
        tout[r][int64_t(t.size())] = eosId;
        b.sourceTokens += int64_t(s.size());
        b.targetTokens += int64_t(t.size()) + 1;
    }
    return b;
}

std::vector<std::vector<std::size_t>> planBatches(const TokenizedSet& set, int64_t maxTokens, uint64_t seed,
                                                  bool shuffleBatches) {
    if (maxTokens <= 0) throw std::invalid_argument("planBatches: max_tokens must be positive");
    std::vector<std::size_t> order(set.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::mt19937_64 rng(seed);
    // Fisher-Yates with the standard-fixed engine output (std::shuffle's use of it is unspecified).
    for (size_t i = order.size(); i > 1; --i) {
        const size_t j = size_t(rng() % i);
        std::swap(order[i - 1], order[j]);
    }
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        const size_t sa = set.source[a].size(), sb = set.source[b].size();
        if (sa != sb) return sa < sb;
        return set.target[a].size() < set.target[b].size();
    });

    std::vector<std::vector<std::size_t>> batches;
    std::vector<std::size_t> current;
    size_t maxLen = 0;
    for (size_t i : order) {
        const size_t len = std::max(set.source[i].size(), set.target[i].size() + 1);
        const size_t newMax = std::max(maxLen, len);
        if (!current.empty() && int64_t(newMax * (current.size() + 1)) > maxTokens) {
            batches.push_back(std::move(current));
            current.clear();
            maxLen = 0;
        }
        current.push_back(i);
        maxLen = std::max(maxLen, len);
    }
    if (!current.empty()) batches.push_back(std::move(current));

    if (shuffleBatches)
        for (size_t i = batches.size(); i > 1; --i) {
            const size_t j = size_t(rng() % i);
            std::swap(batches[i - 1], batches[j]);
        }
    return batches;
}

BatchStream::BatchStream(const TokenizedSet& set, int64_t maxTokens, uint64_t seed, SpecialIds ids)
    : set_(set)
    , maxTokens_(maxTokens)
    , seed_(seed)
    , ids_(ids) {
    if (set.size() == 0) throw std::invalid_argument("BatchStream: the training set is empty");
    planEpoch(0);
}

void BatchStream::planEpoch(int64_t epoch) {
    if (epoch == plannedEpoch_) return;
    // splitmix-style mixing so that neighbouring epochs get unrelated streams.
    uint64_t z = seed_ + 0x9E3779B97F4A7C15ULL * uint64_t(epoch + 1);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    plan_ = planBatches(set_, maxTokens_, z ^ (z >> 31), true);
    plannedEpoch_ = epoch;
}

Batch BatchStream::next() {
    planEpoch(position_.epoch);
    if (position_.batch >= int64_t(plan_.size())) {
        position_ = {position_.epoch + 1, 0};
        planEpoch(position_.epoch);
    }
    Batch b = makeBatch(set_, plan_[size_t(position_.batch)], ids_);
    ++position_.batch;
    return b;
}

void BatchStream::seek(DataPosition position) {
    if (position.epoch < 0 || position.batch < 0)
        throw std::invalid_argument("BatchStream::seek: negative position");
    planEpoch(position.epoch);
    if (position.batch > int64_t(plan_.size()))
        throw std::invalid_argument("BatchStream::seek: batch " + std::to_string(position.batch) +
                                    " beyond the epoch's " + std::to_string(plan_.size()) + " batches");
    position_ = position;
}

} // namespace automoe
