#include "data/CorpusDingParser.h"

#include <string_view>

#include "data/CorpusError.h"
#include "data/CorpusText.h"

namespace automoe {

namespace {

std::vector<std::string_view> split(std::string_view text, std::string_view sep) {
    std::vector<std::string_view> parts;
    std::size_t pos = 0;
    for (;;) {
        const std::size_t at = text.find(sep, pos);
        if (at == std::string_view::npos) {
            parts.push_back(text.substr(pos));
            return parts;
        }
        parts.push_back(text.substr(pos, at - pos));
        pos = at + sep.size();
    }
}

std::string firstSynonym(std::string_view subEntry) {
    return stripAnnotations(split(subEntry, "; ").front());
}

} // namespace

std::vector<SentencePair> CorpusDingParser::parseLine(const std::string& line, const std::string& file,
                                                      std::size_t lineNumber) const {
    std::vector<SentencePair> pairs;
    std::string_view text(line);
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    if (text.empty() || text.front() == '#' || collapseWhitespace(text).empty()) return pairs;

    const std::size_t sep = text.find(" :: ");
    if (sep == std::string_view::npos)
        throw CorpusError(file, lineNumber, "expected 'German :: English' (no ' :: ' on the line)");
    const auto german = split(text.substr(0, sep), " | ");
    const auto english = split(text.substr(sep + 4), " | ");
    if (german.size() != english.size()) return pairs;

    for (std::size_t k = 0; k < german.size(); ++k) {
        std::string de = firstSynonym(german[k]);
        std::string en = firstSynonym(english[k]);
        if (wordCount(de) < options_.minWords || wordCount(en) < options_.minWords) continue;
        if (de.empty() || en.empty()) continue;
        if (options_.reverse)
            pairs.push_back({std::move(en), std::move(de)});
        else
            pairs.push_back({std::move(de), std::move(en)});
    }
    return pairs;
}

} // namespace automoe
