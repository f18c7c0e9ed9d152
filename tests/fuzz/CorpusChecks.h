// What every corpus the readers return must satisfy (the fuzz_corpus_* targets): pairs with two non-empty,
// valid UTF-8 sides of collapsed whitespace (no tab, no line break), info consistent with the pairs, and a
// reversed read giving the same pairs with their sides swapped.
#pragma once

#include "FuzzSupport.h"

#include "data/Corpus.h"
#include "data/CorpusText.h"

namespace automoe::fuzz {

inline void checkSide(const char* target, const std::string& side) {
    if (side.empty()) fuzzFail(target, "a pair has an empty side");
    if (findInvalidUtf8(side) != std::string_view::npos)
        fuzzFail(target, "a pair has invalid UTF-8: " + side);
    if (side.find_first_of("\t\n\r") != std::string::npos || side.front() == ' ' || side.back() == ' ')
        fuzzFail(target, "a pair's side is not collapsed: [" + side + "]");
}

inline void checkCorpus(const char* target, const Corpus& corpus) {
    if (corpus.pairs.empty()) fuzzFail(target, "an empty corpus was returned");
    if (corpus.info.pairCount != corpus.pairs.size())
        fuzzFail(target, "info.pairCount is not the pair count");
    if (corpus.info.contentHash != corpusContentHash(corpus.pairs))
        fuzzFail(target, "info.contentHash is stale");
    for (const SentencePair& p : corpus.pairs) {
        checkSide(target, p.source);
        checkSide(target, p.target);
    }
}

inline void checkReversed(const char* target, const Corpus& forward, const Corpus& reversed) {
    checkCorpus(target, reversed);
    if (forward.pairs.size() != reversed.pairs.size())
        fuzzFail(target, "the reversed read has " + std::to_string(reversed.pairs.size()) +
                             " pairs, the forward " + std::to_string(forward.pairs.size()));
    for (std::size_t i = 0; i < forward.pairs.size(); ++i)
        if (forward.pairs[i].source != reversed.pairs[i].target ||
            forward.pairs[i].target != reversed.pairs[i].source)
            fuzzFail(target, "pair " + std::to_string(i) + " is not swapped by reverse");
    if (forward.info.sourceLanguage != reversed.info.targetLanguage || !reversed.info.reversed)
        fuzzFail(target, "the reversed read's info is not reversed");
}

} // namespace automoe::fuzz
