#include "eval/BleuText.h"

#include "eval/BleuUnicodeTables.h"

#include <algorithm>

namespace automoe {
namespace {

constexpr char32_t kEscapeBase = 0xDC00; // invalid byte b is carried as U+DC00 + b (b >= 0x80)

// Length of the valid UTF-8 sequence at text[i] and its code point, or 0 if the byte does not start one.
std::size_t validSequence(std::string_view text, std::size_t i, char32_t& cp) {
    const auto b0 = static_cast<unsigned char>(text[i]);
    if (b0 < 0x80) {
        cp = b0;
        return 1;
    }
    std::size_t len = 0;
    char32_t min = 0;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        len = 2;
        cp = b0 & 0x1F;
        min = 0x80;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        len = 3;
        cp = b0 & 0x0F;
        min = 0x800;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        len = 4;
        cp = b0 & 0x07;
        min = 0x10000;
    } else {
        return 0;
    }
    if (i + len > text.size()) return 0;
    for (std::size_t k = 1; k < len; ++k) {
        const auto b = static_cast<unsigned char>(text[i + k]);
        if ((b & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (b & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return len;
}

void appendUtf8(std::string& out, char32_t cp) {
    if (cp >= kEscapeBase + 0x80 && cp <= kEscapeBase + 0xFF) {
        out += static_cast<char>(cp - kEscapeBase);
    } else if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

} // namespace

bool isPythonWhitespace(char32_t c) {
    if (c <= 0x20) return c == 0x20 || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F);
    if (c < 0x85) return false;
    return c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 ||
           c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

std::u32string decodeUtf8(std::string_view text) {
    std::u32string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        char32_t cp = 0;
        const std::size_t len = validSequence(text, i, cp);
        if (len == 0) {
            out += static_cast<char32_t>(kEscapeBase + static_cast<unsigned char>(text[i]));
            ++i;
        } else {
            out += cp;
            i += len;
        }
    }
    return out;
}

std::string encodeUtf8(std::u32string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char32_t cp : text)
        appendUtf8(out, cp);
    return out;
}

std::optional<std::size_t> firstInvalidUtf8(std::string_view text) {
    for (std::size_t i = 0; i < text.size();) {
        char32_t cp = 0;
        const std::size_t len = validSequence(text, i, cp);
        if (len == 0) return i;
        i += len;
    }
    return std::nullopt;
}

std::vector<std::string> splitWhitespace(std::string_view text) {
    std::vector<std::string> tokens;
    std::string current;
    bool inToken = false;
    for (std::size_t i = 0; i < text.size();) {
        char32_t cp = 0;
        std::size_t len = validSequence(text, i, cp);
        const bool space = len != 0 && isPythonWhitespace(cp);
        if (len == 0) len = 1;
        if (space) {
            if (inToken) tokens.push_back(std::move(current));
            current.clear();
            inToken = false;
        } else {
            current.append(text.substr(i, len));
            inToken = true;
        }
        i += len;
    }
    if (inToken) tokens.push_back(std::move(current));
    return tokens;
}

std::string rstripWhitespace(std::string_view text) {
    std::size_t end = 0; // end of the last non-whitespace code point
    for (std::size_t i = 0; i < text.size();) {
        char32_t cp = 0;
        std::size_t len = validSequence(text, i, cp);
        const bool space = len != 0 && isPythonWhitespace(cp);
        if (len == 0) len = 1;
        i += len;
        if (!space) end = i;
    }
    return std::string(text.substr(0, end));
}

std::string pythonLower(std::string_view text) {
    using unicode_tables::kLowerMappingCount;
    using unicode_tables::kLowerMappings;
    using unicode_tables::LowerMapping;
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        char32_t cp = 0;
        const std::size_t len = validSequence(text, i, cp);
        if (len == 0) {
            out += text[i++];
            continue;
        }
        i += len;
        if (cp < 0x80) {
            out += static_cast<char>(cp >= 'A' && cp <= 'Z' ? cp + ('a' - 'A') : cp);
            continue;
        }
        const LowerMapping* end = kLowerMappings + kLowerMappingCount;
        const LowerMapping* it = std::lower_bound(
            kLowerMappings, end, cp, [](const LowerMapping& m, char32_t c) { return m.from < c; });
        if (it != end && it->from == cp) {
            for (char32_t t : it->to)
                if (t != 0) appendUtf8(out, t);
        } else {
            appendUtf8(out, cp);
        }
    }
    return out;
}

} // namespace automoe
