// Turns lines of the Ding German–English dictionary ("German :: English", Debian's trans-de-en) into
// sentence pairs: ' | ' separates aligned sub-entries, '; ' synonyms, {} [] () <> hold annotations.
//
// Choices (pinned by tests/corpus/tst_corpus.cpp):
//  - The k-th German sub-entry pairs with the k-th English one; a line whose sides have different numbers
//    of sub-entries yields nothing (its alignment is unknown).
//  - Only the FIRST synonym of each side is used. Synonym lists are not aligned position by position in
//    Ding (German and English lists are written independently and often differ in length), so pairing
//    the i-th with the i-th would invent translations; the first synonym is the headword on both sides.
//  - Annotations are stripped and whitespace collapsed before counting words; a pair is kept when both
//    sides have at least `minWords` words.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "data/Corpus.h"

namespace automoe {

struct DingOptions {
    std::size_t minWords = 3;
    bool reverse = false;       // false: German→English; true: English→German
    bool dropDuplicates = true; // identical pairs from different entries are kept once (readDingCorpus)
};

class CorpusDingParser {
public:
    explicit CorpusDingParser(DingOptions options = {})
        : options_(options) {}

    // The pairs one line yields, oriented per options().reverse. Comment ('#') and blank lines yield
    // nothing; a line without " :: " throws CorpusError(file, lineNumber, ...).
    std::vector<SentencePair> parseLine(const std::string& line, const std::string& file = std::string(),
                                        std::size_t lineNumber = 0) const;

    const DingOptions& options() const { return options_; }

private:
    DingOptions options_;
};

} // namespace automoe
