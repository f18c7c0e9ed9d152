// Text in, text out: translate() frames sentences as the trainer does (vocabulary ids + eos, truncated),
// batches them by length under a token budget, decodes and detokenises; evaluate() translates the source
// side of a test set and scores it against the target side with corpus BLEU and chrF (sacreBLEU).
#pragma once

#include "data/Corpus.h"
#include "data/Vocabulary.h"
#include "eval/Bleu.h"
#include "eval/Chrf.h"
#include "eval/Decoder.h"
#include "nn/Seq2SeqModel.h"

#include <cstdint>
#include <string>
#include <vector>

namespace automoe {

struct TranslateOptions {
    DecodeOptions decode;
    int64_t maxTokens = 4000;  // per batch, in source tokens including padding (one sentence at least)
    int maxSourceTokens = 128; // source ids per sentence, eos included
};

// vocab.encode(text) followed by eos, truncated to maxSourceTokens ids with eos kept as the last one.
std::vector<int64_t> sourceIds(const Vocabulary& vocab, const std::string& text, int maxSourceTokens);

// Sentence indices grouped into batches: sorted by id count (longest first, ties in input order), each
// batch's count x longest length within maxTokens.
std::vector<std::vector<size_t>> lengthBatches(const std::vector<std::vector<int64_t>>& ids,
                                               int64_t maxTokens);

// Decodes already framed source ids (e.g. from sourceIds; none may be empty) in length-sorted batches
// under options.maxTokens and returns the hypotheses in input order. The model runs in eval mode for the
// call (EvalModeScope: its training flag is restored afterwards).
std::vector<Hypothesis> translateIds(Seq2SeqModel& model, const std::vector<std::vector<int64_t>>& sources,
                                     const TranslateOptions& options = {});

// The translations of `sources`, in input order. The model runs in eval mode for the call (EvalModeScope:
// its training flag is restored afterwards). Ids the model generates are detokenised with vocab.decode.
std::vector<std::string> translate(Seq2SeqModel& model, const Vocabulary& vocab,
                                   const std::vector<std::string>& sources,
                                   const TranslateOptions& options = {});

struct EvaluationResult {
    std::vector<std::string> hypotheses; // in pair order
    BleuScore bleu;
    ChrfScore chrf;
    size_t sentences = 0;
    int64_t sourceTokens = 0; // ids fed to the encoder (eos included, after truncation)
    int64_t targetTokens = 0; // ids generated (eos excluded)
    double seconds = 0.0;     // translation only, scoring excluded
    double sentencesPerSecond = 0.0;
};

// Translates the sources of `pairs` and scores the hypotheses against their targets. Throws
// std::invalid_argument (from the scorers) when a target is empty.
EvaluationResult evaluate(Seq2SeqModel& model, const Vocabulary& vocab,
                          const std::vector<SentencePair>& pairs, const TranslateOptions& options = {},
                          const BleuOptions& bleu = {}, const ChrfOptions& chrf = {});

} // namespace automoe
