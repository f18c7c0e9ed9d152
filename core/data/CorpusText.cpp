#include "data/CorpusText.h"

#include "data/CorpusError.h"

namespace automoe {

std::size_t findInvalidUtf8(std::string_view text) {
    const auto* s = reinterpret_cast<const unsigned char*>(text.data());
    const std::size_t n = text.size();
    std::size_t i = 0;
    while (i < n) {
        const unsigned char c = s[i];
        if (c < 0x80) {
            ++i;
            continue;
        }
        std::size_t len = 0;
        unsigned char lo = 0x80, hi = 0xBF; // allowed range of the second byte
        if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            if (c == 0xE0)
                lo = 0xA0; // overlong
            else if (c == 0xED)
                hi = 0x9F; // surrogates
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            if (c == 0xF0)
                lo = 0x90; // overlong
            else if (c == 0xF4)
                hi = 0x8F; // above U+10FFFF
        } else {
            return i;
        }
        if (i + len > n) return i;
        if (s[i + 1] < lo || s[i + 1] > hi) return i;
        for (std::size_t k = 2; k < len; ++k)
            if (s[i + k] < 0x80 || s[i + k] > 0xBF) return i;
        i += len;
    }
    return std::string_view::npos;
}

std::vector<std::string_view> splitCorpusLines(const std::string& path, const std::string& text) {
    std::string_view all(text);
    std::size_t fileOffset = 0;
    if (all.substr(0, 3) == "\xEF\xBB\xBF") {
        all.remove_prefix(3);
        fileOffset = 3;
    }
    std::vector<std::string_view> lines;
    std::size_t pos = 0;
    while (pos < all.size()) {
        std::size_t end = all.find('\n', pos);
        if (end == std::string_view::npos) end = all.size();
        std::string_view line = all.substr(pos, end - pos);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        const std::size_t bad = findInvalidUtf8(line);
        if (bad != std::string_view::npos) {
            throw CorpusError(path, lines.size() + 1,
                              "invalid UTF-8 at byte " + std::to_string(bad + 1) +
                                  " of the line (file offset " + std::to_string(fileOffset + pos + bad) +
                                  ")");
        }
        lines.push_back(line);
        pos = end + 1;
    }
    return lines;
}

namespace {

bool isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

char closerOf(char c) {
    switch (c) {
    case '{':
        return '}';
    case '[':
        return ']';
    case '(':
        return ')';
    case '<':
        return '>';
    default:
        return 0;
    }
}

// The index one past the group opened at `open`, or npos when the group never closes.
std::size_t groupEnd(std::string_view text, std::size_t open) {
    std::string stack(1, closerOf(text[open]));
    for (std::size_t i = open + 1; i < text.size(); ++i) {
        const char c = text[i];
        if (closerOf(c)) {
            stack.push_back(closerOf(c));
        } else if (c == stack.back()) {
            stack.pop_back();
            if (stack.empty()) return i + 1;
        }
    }
    return std::string_view::npos;
}

} // namespace

std::string collapseWhitespace(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    bool pendingSpace = false;
    for (char c : text) {
        if (isSpace(c)) {
            pendingSpace = !out.empty();
            continue;
        }
        if (pendingSpace) out.push_back(' ');
        pendingSpace = false;
        out.push_back(c);
    }
    return out;
}

std::string stripAnnotations(std::string_view text) {
    std::string kept;
    kept.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        if (closerOf(text[i])) {
            const std::size_t end = groupEnd(text, i);
            if (end != std::string_view::npos) {
                kept.push_back(' ');
                i = end;
                continue;
            }
        }
        kept.push_back(text[i++]);
    }
    const std::string collapsed = collapseWhitespace(kept);
    std::string out;
    out.reserve(collapsed.size());
    for (std::size_t i = 0; i < collapsed.size(); ++i) {
        const char c = collapsed[i];
        const bool punctNext = i + 1 < collapsed.size() &&
                               std::string_view(",.;:!?").find(collapsed[i + 1]) != std::string_view::npos;
        if (c == ' ' && punctNext) continue;
        out.push_back(c);
    }
    return out;
}

std::size_t wordCount(std::string_view text) {
    std::size_t n = 0;
    bool inWord = false;
    for (char c : text) {
        if (isSpace(c)) {
            inWord = false;
        } else if (!inWord) {
            inWord = true;
            ++n;
        }
    }
    return n;
}

bool endsWithSentencePunctuation(std::string_view text) {
    // Strip closing quotes/brackets: ASCII ' " ) and the UTF-8 forms of ’ ” « » “.
    static const std::string_view closers[] = {"\"",     "'",      ")",      "\u2019",
                                               "\u201D", "\u00BB", "\u00AB", "\u201C"};
    bool stripped = true;
    while (stripped && !text.empty()) {
        stripped = false;
        for (auto q : closers) {
            if (text.size() >= q.size() && text.substr(text.size() - q.size()) == q) {
                text.remove_suffix(q.size());
                stripped = true;
            }
        }
    }
    if (text.empty()) return false;
    const char last = text.back();
    if (last == '.' || last == '!' || last == '?') return true;
    return text.size() >= 3 && text.substr(text.size() - 3) == "\u2026";
}

} // namespace automoe
