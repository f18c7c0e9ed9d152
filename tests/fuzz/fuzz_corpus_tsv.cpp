// Fuzz target: the TSV corpus reader (parseTsvCorpus = readTsvCorpus on a file's text), forward and reversed.
#include "CorpusChecks.h"

#include "data/CorpusError.h"
#include "data/CorpusReader.h"

using namespace automoe;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text = fuzz::text(data, size);
    CorpusReadOptions options;
    options.sourceLanguage = "de";
    options.targetLanguage = "en";
    Corpus forward;
    try {
        forward = parseTsvCorpus(text, "fuzz.tsv", options);
    } catch (const CorpusError&) {
        return 0;
    } catch (const std::exception& e) {
        fuzz::fuzzFail("fuzz_corpus_tsv", std::string("parseTsvCorpus threw a non-CorpusError: ") + e.what());
    }
    fuzz::checkCorpus("fuzz_corpus_tsv", forward);
    options.reverse = true;
    try {
        fuzz::checkReversed("fuzz_corpus_tsv", forward, parseTsvCorpus(text, "fuzz.tsv", options));
    } catch (const CorpusError& e) {
        fuzz::fuzzFail("fuzz_corpus_tsv", std::string("the reversed read failed: ") + e.what());
    }
    return 0;
}
