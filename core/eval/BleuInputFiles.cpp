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
    const std::string text = buffer.str();

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

HypothesesAndReferences readHypothesesAndReferences(const std::string& hypPath,
                                                    const std::vector<std::string>& refPaths) {
    if (refPaths.empty()) throw std::runtime_error("no reference file given");
    HypothesesAndReferences data;
    data.hyps = readSegmentLines(hypPath);
    for (const std::string& refPath : refPaths) {
        std::vector<std::string> ref = readSegmentLines(refPath);
        if (ref.size() != data.hyps.size()) {
            throw std::runtime_error("reference file " + refPath + " has " + std::to_string(ref.size()) +
                                     " lines but hypothesis file " + hypPath + " has " +
                                     std::to_string(data.hyps.size()));
        }
        data.refs.push_back(std::move(ref));
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
    return data;
}

} // namespace automoe
