// The deterministic train/valid/test partition of a corpus: a seeded shuffle of the pair indices, written
// to a run as JSON (seed, sizes, corpus hash and a hash of the indices) and rebuilt from it exactly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "data/Corpus.h"

namespace automoe {

struct CorpusSplitOptions {
    std::size_t validSize = 1000;
    std::size_t testSize = 1000;
    double maxFraction = 0.05; // each of valid and test is capped at this share of the corpus (rounded down)
    std::uint64_t seed = 1;
};

class CorpusSplit {
public:
    CorpusSplit() = default;

    // Shuffles 0..pairCount-1 with a Fisher–Yates shuffle driven by std::mt19937_64 (whose output the C++
    // standard fixes, unlike std::shuffle), takes test first, then valid, the rest is train. Each part is
    // returned in ascending index order.
    static CorpusSplit make(std::size_t pairCount, const std::string& corpusHash,
                            const CorpusSplitOptions& options);
    static CorpusSplit make(const Corpus& corpus, const CorpusSplitOptions& options) {
        return make(corpus.pairs.size(), corpus.info.contentHash, options);
    }

    const std::vector<std::size_t>& train() const { return train_; }
    const std::vector<std::size_t>& valid() const { return valid_; }
    const std::vector<std::size_t>& test() const { return test_; }
    std::size_t pairCount() const { return train_.size() + valid_.size() + test_.size(); }
    const CorpusSplitOptions& options() const { return options_; }
    const std::string& corpusHash() const { return corpusHash_; }

    // 16 hex digits over the three index lists: equal hashes mean the same partition.
    std::string hash() const;

    // {"version":1,"seed":..,"validSize":..,"testSize":..,"maxFraction":..,"pairCount":..,"counts":{..},
    //  "corpusHash":"..","indexHash":".."}
    nlohmann::json toJson() const;
    // Rebuilds the split a run stored. Throws CorpusError (field named) when the JSON is malformed, when
    // `corpus` is not the corpus the split was made for (hash or size differs), or when the rebuilt indices
    // do not hash to the stored value.
    static CorpusSplit fromJson(const nlohmann::json& json, const Corpus& corpus);

    // The pairs of one part, in index order.
    static std::vector<SentencePair> select(const Corpus& corpus, const std::vector<std::size_t>& indices);

private:
    std::vector<std::size_t> train_, valid_, test_;
    CorpusSplitOptions options_;
    std::string corpusHash_;
};

} // namespace automoe
