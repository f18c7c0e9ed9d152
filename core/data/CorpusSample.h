// Picking a small, deterministic, spread-out sample of a corpus that prefers full sentences; this is how
// resources/corpus/ding-sample.tsv was made from the Ding dictionary (see resources/corpus/README.md).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "data/Corpus.h"

namespace automoe {

// A pair counts as a full sentence when both sides start with a capital letter (A-Z, Ä, Ö, Ü) and end with
// sentence punctuation (. ! ? …), which rules out phrases like "eine Absage an etw.".
bool isFullSentencePair(const SentencePair& pair);

// Up to `count` pairs in corpus order: full-sentence pairs with at most `maxWords` words a side are taken
// at an even stride over the whole corpus (so every letter of a dictionary is represented); if there are
// fewer than `count` of them, the remainder is filled the same way from the other pairs.
std::vector<SentencePair> selectCorpusSample(const Corpus& corpus, std::size_t count,
                                             std::size_t maxWords = 25);

// Writes pairs as "source<TAB>target" lines (atomically).
void writeTsvCorpus(const std::string& path, const std::vector<SentencePair>& pairs);

} // namespace automoe
