#include "data/CorpusSample.h"

#include <algorithm>

#include "data/CorpusText.h"
#include "util/Resources.h"

namespace automoe {

namespace {

// `take` indices spread evenly over `from` (all of them when there are no more than `take`).
std::vector<std::size_t> stride(const std::vector<std::size_t>& from, std::size_t take) {
    if (from.size() <= take) return from;
    std::vector<std::size_t> out;
    out.reserve(take);
    for (std::size_t k = 0; k < take; ++k)
        out.push_back(from[k * from.size() / take]);
    return out;
}

bool startsWithCapital(const std::string& text) {
    if (text.empty()) return false;
    if (text[0] >= 'A' && text[0] <= 'Z') return true;
    for (const char* umlaut : {"\u00C4", "\u00D6", "\u00DC"})
        if (text.compare(0, 2, umlaut) == 0) return true;
    return false;
}

} // namespace

bool isFullSentencePair(const SentencePair& pair) {
    return startsWithCapital(pair.source) && startsWithCapital(pair.target) &&
           endsWithSentencePunctuation(pair.source) && endsWithSentencePunctuation(pair.target);
}

std::vector<SentencePair> selectCorpusSample(const Corpus& corpus, std::size_t count, std::size_t maxWords) {
    std::vector<std::size_t> preferred, others;
    for (std::size_t i = 0; i < corpus.pairs.size(); ++i) {
        const auto& p = corpus.pairs[i];
        const bool shortEnough = wordCount(p.source) <= maxWords && wordCount(p.target) <= maxWords;
        (shortEnough && isFullSentencePair(p) ? preferred : others).push_back(i);
    }
    std::vector<std::size_t> chosen = stride(preferred, count);
    if (chosen.size() < count) {
        const auto rest = stride(others, count - chosen.size());
        chosen.insert(chosen.end(), rest.begin(), rest.end());
        std::sort(chosen.begin(), chosen.end());
    }
    std::vector<SentencePair> out;
    out.reserve(chosen.size());
    for (std::size_t i : chosen)
        out.push_back(corpus.pairs[i]);
    return out;
}

void writeTsvCorpus(const std::string& path, const std::vector<SentencePair>& pairs) {
    std::string text;
    for (const auto& p : pairs)
        text += p.source + '\t' + p.target + '\n';
    writeTextFileAtomic(path, text);
}

} // namespace automoe
