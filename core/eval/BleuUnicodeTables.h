// Unicode data that sacreBLEU gets from Python and its `regex` module: the general categories N, P and S
// (for the 'intl' tokenizer) and the mapping of str.lower(). Generated into BleuUnicodeTables.cpp.
#pragma once

#include <cstddef>
#include <cstdint>

namespace automoe::unicode_tables {

struct CodePointRange {
    char32_t first;
    char32_t last;
};

// Python's str.lower() of one code point; unused slots are 0 (only U+0130 maps to two code points).
struct LowerMapping {
    char32_t from;
    char32_t to[3];
};

extern const CodePointRange kNumberRanges[];
extern const std::size_t kNumberRangeCount;
extern const CodePointRange kPunctuationRanges[];
extern const std::size_t kPunctuationRangeCount;
extern const CodePointRange kSymbolRanges[];
extern const std::size_t kSymbolRangeCount;
extern const LowerMapping kLowerMappings[];
extern const std::size_t kLowerMappingCount;

} // namespace automoe::unicode_tables
