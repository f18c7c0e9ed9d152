// A parallel corpus in memory: the sentence pairs in file order plus a description of where they came
// from (CorpusInfo) that a run stores so that it can tell later whether the same data is in use.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace automoe {

struct SentencePair {
    std::string source;
    std::string target;

    bool operator==(const SentencePair& o) const { return source == o.source && target == o.target; }
};

enum class CorpusFormat { Ding, Parallel, Tsv };

std::string corpusFormatName(CorpusFormat format);

struct CorpusInfo {
    std::vector<std::string> paths; // Ding/TSV: one file; Parallel: source file, then target file
    CorpusFormat format = CorpusFormat::Tsv;
    std::string sourceLanguage; // e.g. "de"; empty when unknown
    std::string targetLanguage;
    bool reversed = false; // true when the file's second column/file became the source
    std::size_t pairCount = 0;
    std::size_t skipped = 0; // Ding: duplicate pairs dropped; TSV/parallel: pairs with an empty side
    std::string contentHash; // 16 hex digits, FNV-1a 64 over the pairs as loaded (see Corpus.cpp)

    // "de→en" style label, or "source→target" when the languages are unknown.
    std::string direction() const;
    nlohmann::json toJson() const;
};

struct Corpus {
    CorpusInfo info;
    std::vector<SentencePair> pairs;
};

// The content hash of `pairs` (order-sensitive): what CorpusInfo::contentHash holds.
std::string corpusContentHash(const std::vector<SentencePair>& pairs);

} // namespace automoe
