#include "data/CorpusSplit.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>
#include <random>

#include "data/CorpusError.h"

namespace automoe {

namespace {

// Unbiased integer in [0, bound) from raw mt19937_64 output (std::uniform_int_distribution is not
// specified bit for bit, so it would break reproducibility across standard libraries).
std::uint64_t below(std::mt19937_64& rng, std::uint64_t bound) {
    const std::uint64_t limit =
        std::numeric_limits<std::uint64_t>::max() - std::numeric_limits<std::uint64_t>::max() % bound;
    std::uint64_t x;
    do {
        x = rng();
    } while (x >= limit);
    return x % bound;
}

std::size_t capped(std::size_t wanted, std::size_t n, double fraction) {
    const auto cap = static_cast<std::size_t>(std::floor(std::max(0.0, fraction) * static_cast<double>(n)));
    return std::min(wanted, cap);
}

std::string hex(std::uint64_t h) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
}

} // namespace

CorpusSplit CorpusSplit::make(std::size_t pairCount, const std::string& corpusHash,
                              const CorpusSplitOptions& options) {
    std::vector<std::size_t> order(pairCount);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::mt19937_64 rng(options.seed);
    for (std::size_t i = pairCount; i > 1; --i)
        std::swap(order[i - 1], order[below(rng, i)]);

    const std::size_t nTest = capped(options.testSize, pairCount, options.maxFraction);
    const std::size_t nValid = capped(options.validSize, pairCount, options.maxFraction);
    CorpusSplit split;
    split.options_ = options;
    split.corpusHash_ = corpusHash;
    split.test_.assign(order.begin(), order.begin() + nTest);
    split.valid_.assign(order.begin() + nTest, order.begin() + nTest + nValid);
    split.train_.assign(order.begin() + nTest + nValid, order.end());
    for (auto* part : {&split.train_, &split.valid_, &split.test_})
        std::sort(part->begin(), part->end());
    return split;
}

std::string CorpusSplit::hash() const {
    std::uint64_t h = 1469598103934665603ULL;
    auto mix = [&h](std::uint64_t v) {
        for (int b = 0; b < 8; ++b) {
            h ^= (v >> (8 * b)) & 0xFF;
            h *= 1099511628211ULL;
        }
    };
    for (const auto* part : {&train_, &valid_, &test_}) {
        mix(part->size());
        for (std::size_t i : *part)
            mix(i);
    }
    return hex(h);
}

nlohmann::json CorpusSplit::toJson() const {
    return nlohmann::json{
        {"version", 1},
        {"seed", options_.seed},
        {"validSize", options_.validSize},
        {"testSize", options_.testSize},
        {"maxFraction", options_.maxFraction},
        {"pairCount", pairCount()},
        {"counts", {{"train", train_.size()}, {"valid", valid_.size()}, {"test", test_.size()}}},
        {"corpusHash", corpusHash_},
        {"indexHash", hash()}};
}

CorpusSplit CorpusSplit::fromJson(const nlohmann::json& json, const Corpus& corpus) {
    auto field = [&json](const char* name) -> const nlohmann::json& {
        if (!json.is_object() || !json.contains(name))
            throw CorpusError("", 0, std::string("split: missing field '") + name + "'");
        return json.at(name);
    };
    CorpusSplitOptions options;
    std::size_t pairCount = 0;
    std::string corpusHash, indexHash;
    const char* current = "version";
    try {
        if (field("version").get<int>() != 1)
            throw CorpusError("", 0, "split: unsupported version " + field("version").dump());
        current = "seed";
        options.seed = field("seed").get<std::uint64_t>();
        current = "validSize";
        options.validSize = field("validSize").get<std::size_t>();
        current = "testSize";
        options.testSize = field("testSize").get<std::size_t>();
        current = "maxFraction";
        options.maxFraction = field("maxFraction").get<double>();
        current = "pairCount";
        pairCount = field("pairCount").get<std::size_t>();
        current = "corpusHash";
        corpusHash = field("corpusHash").get<std::string>();
        current = "indexHash";
        indexHash = field("indexHash").get<std::string>();
    } catch (const nlohmann::json::exception& e) {
        throw CorpusError("", 0, std::string("split: field '") + current + "': " + e.what());
    }
    if (pairCount != corpus.pairs.size() || corpusHash != corpus.info.contentHash) {
        throw CorpusError("", 0,
                          "split was made for corpus " + corpusHash + " (" + std::to_string(pairCount) +
                              " pairs), not " + corpus.info.contentHash + " (" +
                              std::to_string(corpus.pairs.size()) + " pairs)");
    }
    CorpusSplit split = make(pairCount, corpusHash, options);
    if (split.hash() != indexHash)
        throw CorpusError("", 0, "split: rebuilt indices hash to " + split.hash() + ", stored " + indexHash);
    return split;
}

std::vector<SentencePair> CorpusSplit::select(const Corpus& corpus, const std::vector<std::size_t>& indices) {
    std::vector<SentencePair> out;
    out.reserve(indices.size());
    for (std::size_t i : indices)
        out.push_back(corpus.pairs.at(i));
    return out;
}

} // namespace automoe
