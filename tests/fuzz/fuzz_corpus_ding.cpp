// Fuzz target: the Ding dictionary reader (parseDingCorpus = readDingCorpus on a file's text), German→English
// and reversed.
#include "CorpusChecks.h"

#include "data/CorpusError.h"
#include "data/CorpusReader.h"

using namespace automoe;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text = fuzz::text(data, size);
    Corpus forward;
    try {
        forward = parseDingCorpus(text, "fuzz.ding");
    } catch (const CorpusError&) {
        return 0;
    } catch (const std::exception& e) {
        fuzz::fuzzFail("fuzz_corpus_ding",
                       std::string("parseDingCorpus threw a non-CorpusError: ") + e.what());
    }
    fuzz::checkCorpus("fuzz_corpus_ding", forward);
    DingOptions reverse;
    reverse.reverse = true;
    try {
        fuzz::checkReversed("fuzz_corpus_ding", forward, parseDingCorpus(text, "fuzz.ding", reverse));
    } catch (const CorpusError& e) {
        fuzz::fuzzFail("fuzz_corpus_ding", std::string("the reversed read failed: ") + e.what());
    }
    return 0;
}
