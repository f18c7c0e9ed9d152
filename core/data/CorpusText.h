// Text helpers shared by the corpus readers: UTF-8 validation with positions, line splitting that names
// the file and line on error, whitespace normalisation and Ding-style annotation stripping.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace automoe {

// The byte offset of the first byte that does not start a well-formed UTF-8 sequence (overlong forms,
// surrogates and code points above U+10FFFF are rejected), or std::string_view::npos when all is valid.
std::size_t findInvalidUtf8(std::string_view text);

// Splits a whole file's text into lines: a leading UTF-8 BOM and each line's trailing '\r' are dropped and
// every line is checked to be UTF-8. Throws CorpusError("path:line: invalid UTF-8 at byte ...") otherwise.
// A final newline does not produce an extra empty line. The views point into `text`.
std::vector<std::string_view> splitCorpusLines(const std::string& path, const std::string& text);

// Trims and collapses runs of ASCII whitespace (space, tab, ...) to one space.
std::string collapseWhitespace(std::string_view text);

// Removes {...} [...] (...) and <...> groups (nested groups included); an opening bracket without its
// closing partner is kept as text. Whitespace left behind is collapsed and a space before , . ; : ! ? is
// removed ("Er kommt (morgen) ." -> "Er kommt.").
std::string stripAnnotations(std::string_view text);

// Number of space-separated words in already collapsed text.
std::size_t wordCount(std::string_view text);

// True when `text` ends with sentence punctuation (. ! ? or …), optionally followed by closing quotes or
// a closing bracket.
bool endsWithSentencePunctuation(std::string_view text);

} // namespace automoe
