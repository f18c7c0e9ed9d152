#include "data/Corpus.h"

#include <cstdint>
#include <cstdio>

namespace automoe {

namespace {

constexpr std::uint64_t kFnvOffset = 1469598103934665603ULL;
constexpr std::uint64_t kFnvPrime = 1099511628211ULL;

void fnv(std::uint64_t& h, const std::string& s) {
    for (unsigned char c : s) {
        h ^= c;
        h *= kFnvPrime;
    }
}

} // namespace

std::string corpusFormatName(CorpusFormat format) {
    switch (format) {
    case CorpusFormat::Ding:
        return "ding";
    case CorpusFormat::Parallel:
        return "parallel";
    case CorpusFormat::Tsv:
        return "tsv";
    }
    return "unknown";
}

std::string CorpusInfo::direction() const {
    const std::string s = sourceLanguage.empty() ? "source" : sourceLanguage;
    const std::string t = targetLanguage.empty() ? "target" : targetLanguage;
    return s + "\u2192" + t;
}

nlohmann::json CorpusInfo::toJson() const {
    return nlohmann::json{{"paths", paths},
                          {"format", corpusFormatName(format)},
                          {"sourceLanguage", sourceLanguage},
                          {"targetLanguage", targetLanguage},
                          {"reversed", reversed},
                          {"pairCount", pairCount},
                          {"skipped", skipped},
                          {"contentHash", contentHash}};
}

std::string corpusContentHash(const std::vector<SentencePair>& pairs) {
    // Tab and newline cannot occur inside a pair's sides, so the framing is unambiguous.
    std::uint64_t h = kFnvOffset;
    for (const auto& p : pairs) {
        fnv(h, p.source);
        fnv(h, "\t");
        fnv(h, p.target);
        fnv(h, "\n");
    }
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
}

} // namespace automoe
