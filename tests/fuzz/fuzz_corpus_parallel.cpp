// Fuzz target: the aligned-files reader (parseParallelCorpus = readParallelCorpus on the two files' texts).
// The input is the source file, a NUL byte, then the target file; without a NUL, the file is aligned with
// itself.
#include "CorpusChecks.h"

#include "data/CorpusError.h"
#include "data/CorpusReader.h"

using namespace automoe;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string input = fuzz::text(data, size);
    const std::size_t nul = input.find('\0');
    const std::string source = nul == std::string::npos ? input : input.substr(0, nul);
    const std::string target = nul == std::string::npos ? input : input.substr(nul + 1);
    Corpus forward;
    try {
        forward = parseParallelCorpus(source, "train.de", target, "train.en");
    } catch (const CorpusError&) {
        return 0;
    } catch (const std::exception& e) {
        fuzz::fuzzFail("fuzz_corpus_parallel",
                       std::string("parseParallelCorpus threw a non-CorpusError: ") + e.what());
    }
    fuzz::checkCorpus("fuzz_corpus_parallel", forward);
    if (forward.info.sourceLanguage != "de" || forward.info.targetLanguage != "en")
        fuzz::fuzzFail("fuzz_corpus_parallel", "languages are not the files' extensions");
    CorpusReadOptions reverse;
    reverse.reverse = true;
    try {
        fuzz::checkReversed("fuzz_corpus_parallel", forward,
                            parseParallelCorpus(source, "train.de", target, "train.en", reverse));
    } catch (const CorpusError& e) {
        fuzz::fuzzFail("fuzz_corpus_parallel", std::string("the reversed read failed: ") + e.what());
    }
    return 0;
}
