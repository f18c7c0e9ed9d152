#include "eval/BleuInputFiles.h"

#include "eval/BleuText.h"

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string_view>

namespace automoe {

std::vector<std::string> readSegmentLines(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open " + path);
    std::ostringstream buffer;
    buffer << in.rdbuf();
    if (in.bad()) throw std::runtime_error("cannot read " + path);
    return splitSegmentLines(buffer.str(), path);
}

std::vector<std::string> splitSegmentLines(const std::string& text, const std::string& path) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        const std::size_t next = end == std::string::npos ? text.size() : end + 1;
        if (end == std::string::npos) end = text.size();
        const std::string_view line(text.data() + start, end - start);
        if (const auto bad = firstInvalidUtf8(line)) {
            throw std::runtime_error(path + ":" + std::to_string(lines.size() + 1) +
                                     ": invalid UTF-8 at byte " + std::to_string(*bad + 1) + " of the line");
        }
        lines.push_back(rstripWhitespace(line));
        start = next;
    }
    return lines;
}

namespace {

// Line counts and empty references checked; hyps and refs already split.
void checkHypothesesAndReferences(const HypothesesAndReferences& data, const std::string& hypPath,
                                  const std::vector<std::string>& refPaths) {
    for (std::size_t k = 0; k < data.refs.size(); ++k) {
        if (data.refs[k].size() != data.hyps.size()) {
            throw std::runtime_error("reference file " + refPaths[k] + " has " +
                                     std::to_string(data.refs[k].size()) + " lines but hypothesis file " +
                                     hypPath + " has " + std::to_string(data.hyps.size()));
        }
    }
    for (std::size_t i = 0; i < data.hyps.size(); ++i) {
        bool any = false;
        for (const auto& ref : data.refs)
            any = any || !ref[i].empty();
        if (!any) {
            std::string files;
            for (const std::string& refPath : refPaths)
                files += (files.empty() ? "" : ", ") + refPath;
            throw std::runtime_error(
                files + ":" + std::to_string(i + 1) +
                ": empty reference line (sacreBLEU rejects sentences without a reference)");
        }
    }
}

} // namespace

HypothesesAndReferences readHypothesesAndReferences(const std::string& hypPath,
                                                    const std::vector<std::string>& refPaths) {
    if (refPaths.empty()) throw std::runtime_error("no reference file given");
    HypothesesAndReferences data;
    data.hyps = readSegmentLines(hypPath);
    for (const std::string& refPath : refPaths) {
        std::vector<std::string> ref = readSegmentLines(refPath);
        // Checked as each file is read, so that a long mismatched file is not read to the end of the list.
        if (ref.size() != data.hyps.size()) {
            throw std::runtime_error("reference file " + refPath + " has " + std::to_string(ref.size()) +
                                     " lines but hypothesis file " + hypPath + " has " +
                                     std::to_string(data.hyps.size()));
        }
        data.refs.push_back(std::move(ref));
    }
    checkHypothesesAndReferences(data, hypPath, refPaths);
    return data;
}

HypothesesAndReferences hypothesesAndReferencesFromTexts(const std::string& hypText,
                                                         const std::string& hypPath,
                                                         const std::vector<std::string>& refTexts,
                                                         const std::vector<std::string>& refPaths) {
    if (refTexts.size() != refPaths.size())
        throw std::invalid_argument("hypothesesAndReferencesFromTexts: " + std::to_string(refTexts.size()) +
                                    " reference texts but " + std::to_string(refPaths.size()) + " paths");
    if (refPaths.empty()) throw std::runtime_error("no reference file given");
    HypothesesAndReferences data;
    data.hyps = splitSegmentLines(hypText, hypPath);
    for (std::size_t k = 0; k < refTexts.size(); ++k)
        data.refs.push_back(splitSegmentLines(refTexts[k], refPaths[k]));
    checkHypothesesAndReferences(data, hypPath, refPaths);
    return data;
}

} // namespace automoe
