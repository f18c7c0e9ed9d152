// Reading the plain-text files that `automoe bleu` scores: one segment per line, UTF-8, hypothesis and
// reference files with the same number of lines. Errors name the file (and line or counts).
#pragma once

#include <string>
#include <vector>

namespace automoe {

// The lines of a UTF-8 text file, split at "\n" and right-stripped of whitespace (Python's str.rstrip(), as
// sacreBLEU's command line does); a final line without "\n" counts, a trailing "\n" does not start an
// empty line. Throws std::runtime_error when
// the file cannot be read ("cannot open FILE") or has invalid UTF-8 ("FILE:LINE: invalid UTF-8 ...").
std::vector<std::string> readSegmentLines(const std::string& path);

// The lines of a file's text already read (what readSegmentLines does once the file is in memory); `path`
// names the file in errors.
std::vector<std::string> splitSegmentLines(const std::string& text, const std::string& path);

struct HypothesesAndReferences {
    std::vector<std::string> hyps;
    std::vector<std::vector<std::string>> refs; // refs[k][i]: line i of the k-th reference file
};

// Reads one hypothesis file and the reference files; throws std::runtime_error naming the reference file
// and both line counts when a reference file's line count differs from the hypotheses', and naming the
// files and line when a sentence has only empty references (which sacreBLEU rejects).
HypothesesAndReferences readHypothesesAndReferences(const std::string& hypPath,
                                                    const std::vector<std::string>& refPaths);

// The same checks on the files' texts (refTexts[k] is the text of refPaths[k]; the sizes must agree).
HypothesesAndReferences hypothesesAndReferencesFromTexts(const std::string& hypText,
                                                         const std::string& hypPath,
                                                         const std::vector<std::string>& refTexts,
                                                         const std::vector<std::string>& refPaths);

} // namespace automoe
