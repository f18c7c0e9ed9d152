// Python `str` semantics on UTF-8 bytes, as sacreBLEU relies on them: which code points are whitespace for
// str.split()/str.rstrip(), str.lower(), and strict UTF-8 validation for reading corpora. Bytes that are
// not valid UTF-8 are carried through unchanged (decoded to lone surrogates U+DC80..U+DCFF, like Python's
// "surrogateescape"), so the helpers never lose data.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace automoe {

// Python's str.isspace() set: \t\n\v\f\r, U+001C..U+001F, space, U+0085, U+00A0, U+1680, U+2000..U+200A,
// U+2028, U+2029, U+202F, U+205F, U+3000.
bool isPythonWhitespace(char32_t c);

std::u32string decodeUtf8(std::string_view text);
std::string encodeUtf8(std::u32string_view text);

// Byte offset of the first byte that does not start a valid UTF-8 sequence (overlong forms, surrogates and
// code points above U+10FFFF are invalid, as for Python's strict decoder), or nullopt.
std::optional<std::size_t> firstInvalidUtf8(std::string_view text);

// str.split() with no argument: splits on runs of Unicode whitespace, drops empty pieces.
std::vector<std::string> splitWhitespace(std::string_view text);

// str.rstrip() with no argument.
std::string rstripWhitespace(std::string_view text);

// str.lower(), without the context-dependent final-sigma rule (a capital sigma always becomes U+03C3).
std::string pythonLower(std::string_view text);

} // namespace automoe
