#include "eval/BleuTokenizer.h"

#include "eval/BleuText.h"
#include "eval/BleuUnicodeTables.h"

#include <algorithm>
#include <stdexcept>

namespace automoe {
namespace {

std::string replaceAll(std::string text, std::string_view from, std::string_view to) {
    // Left-to-right, non-overlapping, like Python's str.replace.
    std::string out;
    std::size_t pos = 0;
    for (std::size_t hit; (hit = text.find(from, pos)) != std::string::npos; pos = hit + from.size()) {
        out.append(text, pos, hit - pos);
        out.append(to);
    }
    out.append(text, pos, std::string::npos);
    return out;
}

std::string joinTokens(std::string_view text) {
    std::string out;
    for (const std::string& t : splitWhitespace(text)) {
        if (!out.empty()) out += ' ';
        out += t;
    }
    return out;
}

bool isDigit(char c) {
    return c >= '0' && c <= '9';
}
bool isPeriodOrComma(char c) {
    return c == '.' || c == ',';
}

// The character class of the first mteval-v13a regex: [\{-\~\[-\` -\&\(-\+\:-\@\/]
bool isSplitPunctuation(char c) {
    const auto u = static_cast<unsigned char>(c);
    return (u >= 0x7B && u <= 0x7E) || (u >= 0x5B && u <= 0x60) || (u >= 0x20 && u <= 0x26) ||
           (u >= 0x28 && u <= 0x2B) || (u >= 0x3A && u <= 0x40) || u == 0x2F;
}

// Emulates Python's re.sub for a two-character pattern (first, second) -> first-with-padding: scans left to
// right, and after a match resumes behind it. All classes involved are ASCII or ASCII complements, and a
// multi-byte UTF-8 character never contains ASCII bytes, so working on bytes gives the same result as
// working on code points.
template <typename First, typename Second, typename Emit>
std::string substitutePairs(const std::string& in, First first, Second second, Emit emit) {
    std::string out;
    out.reserve(in.size() + in.size() / 4);
    std::size_t i = 0;
    while (i < in.size()) {
        if (i + 1 < in.size() && first(in[i]) && second(in[i + 1])) {
            emit(out, in[i], in[i + 1]);
            i += 2;
        } else {
            out += in[i++];
        }
    }
    return out;
}

bool inRanges(char32_t c, const unicode_tables::CodePointRange* ranges, std::size_t count) {
    const auto* end = ranges + count;
    const auto* it = std::upper_bound(
        ranges, end, c, [](char32_t v, const unicode_tables::CodePointRange& r) { return v < r.first; });
    return it != ranges && c <= (it - 1)->last;
}

bool isNumber(char32_t c) {
    return inRanges(c, unicode_tables::kNumberRanges, unicode_tables::kNumberRangeCount);
}
bool isPunctuation(char32_t c) {
    return inRanges(c, unicode_tables::kPunctuationRanges, unicode_tables::kPunctuationRangeCount);
}
bool isSymbol(char32_t c) {
    return inRanges(c, unicode_tables::kSymbolRanges, unicode_tables::kSymbolRangeCount);
}

} // namespace

std::string tokenize13a(std::string_view line) {
    std::string s(line);
    s = replaceAll(std::move(s), "<skipped>", "");
    s = replaceAll(std::move(s), "-\n", "");
    s = replaceAll(std::move(s), "\n", " ");
    if (s.find('&') != std::string::npos) {
        s = replaceAll(std::move(s), "&quot;", "\"");
        s = replaceAll(std::move(s), "&amp;", "&");
        s = replaceAll(std::move(s), "&lt;", "<");
        s = replaceAll(std::move(s), "&gt;", ">");
    }
    s = " " + s + " ";

    // ([\{-\~\[-\` -\&\(-\+\:-\@\/]) -> " \1 "
    std::string a;
    a.reserve(s.size() * 2);
    for (char c : s) {
        if (isSplitPunctuation(c)) {
            a += ' ';
            a += c;
            a += ' ';
        } else {
            a += c;
        }
    }
    // ([^0-9])([\.,]) -> "\1 \2 "
    a = substitutePairs(
        a, [](char c) { return !isDigit(c); }, isPeriodOrComma,
        [](std::string& out, char x, char y) {
            out += x;
            out += ' ';
            out += y;
            out += ' ';
        });
    // ([\.,])([^0-9]) -> " \1 \2"
    a = substitutePairs(
        a, isPeriodOrComma, [](char c) { return !isDigit(c); },
        [](std::string& out, char x, char y) {
            out += ' ';
            out += x;
            out += ' ';
            out += y;
        });
    // ([0-9])(-) -> "\1 \2 "
    a = substitutePairs(
        a, isDigit, [](char c) { return c == '-'; },
        [](std::string& out, char x, char y) {
            out += x;
            out += ' ';
            out += y;
            out += ' ';
        });
    return joinTokens(a);
}

std::string tokenizeIntl(std::string_view line) {
    const std::u32string s = decodeUtf8(line);
    auto pairs = [](const std::u32string& in, auto first, auto second, bool padBefore) {
        std::u32string out;
        out.reserve(in.size() + in.size() / 4);
        std::size_t i = 0;
        while (i < in.size()) {
            if (i + 1 < in.size() && first(in[i]) && second(in[i + 1])) {
                if (padBefore) out += U' ';
                out += in[i];
                out += U' ';
                out += in[i + 1];
                if (!padBefore) out += U' ';
                i += 2;
            } else {
                out += in[i++];
            }
        }
        return out;
    };
    // (\P{N})(\p{P}) -> "\1 \2 "
    std::u32string a = pairs(
        s, [](char32_t c) { return !isNumber(c); }, isPunctuation, false);
    // (\p{P})(\P{N}) -> " \1 \2"
    a = pairs(
        a, isPunctuation, [](char32_t c) { return !isNumber(c); }, true);
    // (\p{S}) -> " \1 "
    std::u32string b;
    b.reserve(a.size() + a.size() / 4);
    for (char32_t c : a) {
        if (isSymbol(c)) {
            b += U' ';
            b += c;
            b += U' ';
        } else {
            b += c;
        }
    }
    return joinTokens(encodeUtf8(b));
}

std::string tokenizeChar(std::string_view line) {
    std::string out;
    for (char32_t c : decodeUtf8(line)) {
        if (isPythonWhitespace(c)) continue;
        if (!out.empty()) out += ' ';
        out += encodeUtf8(std::u32string(1, c));
    }
    return out;
}

const std::vector<std::string>& bleuTokenizerNames() {
    static const std::vector<std::string> names{"13a", "none", "intl", "char"};
    return names;
}

std::string tokenizeForBleu(std::string_view line, std::string_view name) {
    if (name == "13a") return tokenize13a(line);
    if (name == "none") return std::string(line);
    if (name == "intl") return tokenizeIntl(line);
    if (name == "char") return tokenizeChar(line);
    throw std::invalid_argument("unknown BLEU tokenizer '" + std::string(name) +
                                "' (expected 13a, none, intl or char)");
}

} // namespace automoe
