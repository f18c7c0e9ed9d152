// Fuzz target: the files `automoe bleu` scores. The input is the hypothesis file, then up to four reference
// files, each after a NUL byte. Accepted files are scored as the command does — BLEU with options picked
// from the input's size (tokenizer, lowercase, smoothing; size 0 mod 16 is the default), chrF — and the
// scores must be numbers in [0, 100].
#include "FuzzSupport.h"

#include "eval/Bleu.h"
#include "eval/BleuInputFiles.h"
#include "eval/Chrf.h"

#include <cmath>
#include <stdexcept>
#include <vector>

using namespace automoe;

namespace {

void checkScore(const char* what, double score) {
    // 100 may come out a rounding error above (exp of a sum of logs), as in sacreBLEU.
    if (!(score >= 0.0 && score <= 100.0 + 1e-9))
        fuzz::fuzzFail("fuzz_bleu_input", std::string(what) + " score " + std::to_string(score));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string input = fuzz::text(data, size);
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (parts.size() < 4) {
        const std::size_t nul = input.find('\0', start);
        if (nul == std::string::npos) break;
        parts.push_back(input.substr(start, nul - start));
        start = nul + 1;
    }
    parts.push_back(input.substr(start));
    if (parts.size() < 2) parts.push_back(parts.front()); // a file scored against itself
    const std::string hypText = parts.front();
    const std::vector<std::string> refTexts(parts.begin() + 1, parts.end());
    std::vector<std::string> refPaths;
    for (std::size_t k = 0; k < refTexts.size(); ++k)
        refPaths.push_back("ref" + std::to_string(k) + ".txt");

    HypothesesAndReferences files;
    try {
        files = hypothesesAndReferencesFromTexts(hypText, "hyp.txt", refTexts, refPaths);
    } catch (const std::runtime_error&) {
        return 0; // the documented errors: invalid UTF-8, line counts, empty references
    } catch (const std::exception& e) {
        fuzz::fuzzFail("fuzz_bleu_input", std::string("reading threw a non-runtime_error: ") + e.what());
    }
    static const char* const kTokenizers[] = {"13a", "none", "intl", "char"};
    static const char* const kSmoothing[] = {"exp", "none", "floor", "add-k"};
    BleuOptions picked;
    picked.tokenize = kTokenizers[size % 4];
    picked.lowercase = (size / 4) % 2 == 1;
    picked.smoothing = kSmoothing[(size / 8) % 4];
    try {
        const BleuScore bleu = corpusBleu(files.hyps, files.refs, picked);
        checkScore("BLEU", bleu.score);
        if (bleu.format().rfind("BLEU = ", 0) != 0)
            fuzz::fuzzFail("fuzz_bleu_input", "format: " + bleu.format());
        ChrfOptions chrfOptions;
        chrfOptions.lowercase = picked.lowercase;
        checkScore("chrF", corpusChrf(files.hyps, files.refs, chrfOptions).score);
    } catch (const std::exception& e) {
        fuzz::fuzzFail("fuzz_bleu_input", std::string("scoring files that were read threw: ") + e.what());
    }
    return 0;
}
