// Greedy and beam-search decoding through the Seq2SeqModel interface, so that the supernet, a standalone
// subnet and the latency meter share one decoder. Conventions shared with the trainer: the decoder input
// starts with bos, a hypothesis ends at eos, and returned hypotheses hold neither bos nor eos.
//
// Decoding is incremental by default: each step feeds only the newest token and attends to cached keys and
// values (Seq2SeqModel::stepLogits); beam search reorders the cache when it re-ranks beams, and finished
// sentences leave the batch and the cache. DecodeOptions::incremental = false re-runs the decoder on the
// whole prefix at every step instead (the reference the incremental path is tested and benchmarked
// against); both give the same hypotheses. Decoding does not
// change the model's training flag: callers put the model into eval mode (see EvalModeScope).
#pragma once

#include "nn/Seq2SeqModel.h"

#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace automoe {

struct DecodeOptions {
    int beamSize = 1;           // 1 = greedy
    double lengthPenalty = 1.0; // score = sum of log-probabilities / length^lengthPenalty
    // A hypothesis has at most floor(maxLenA * srcLen + maxLenB) tokens before its eos, srcLen counted
    // without padding; at that length eos is forced (and scored), as in fairseq.
    double maxLenA = 1.5;
    int maxLenB = 10;
    int64_t bosId = 2;
    int64_t eosId = 3;
    bool incremental = true; // cached keys and values; false = the whole prefix at every step
};

struct Hypothesis {
    std::vector<int64_t> tokens; // neither bos nor eos
    // Sum of the log-probabilities of tokens and the final eos, divided by (tokens + 1)^lengthPenalty.
    double score = 0.0;
};

// The length limit of DecodeOptions for a source of `srcLen` real tokens.
int64_t maxTargetLength(const DecodeOptions& options, int64_t srcLen);

// Greedy decoding of the padded batch src [B, S] (int64, padded with model.padIndex()); one hypothesis
// per sentence, in input order. pad and bos are never generated.
std::vector<Hypothesis> greedyDecode(Seq2SeqModel& model, const torch::Tensor& src,
                                     const DecodeOptions& options);

// Beam search over B x beamSize rows, fairseq's SequenceGenerator scheme: the 2 x beam best continuations
// of each sentence are ranked by summed log-probability; eos among the best `beam` of them finishes a
// hypothesis, the best `beam` others continue. A sentence stops at its length limit (eos forced) or once it
// holds beamSize finished hypotheses that no live hypothesis can beat any more, bounding a live one by its
// summed log-probability at the most favourable final length (exact, unlike fairseq's stop at beamSize
// finished hypotheses, so longer hypotheses are not cut off when lengthPenalty > 0). The best finished
// hypothesis by length-normalised score is returned. With lengthPenalty 0 and beamSize 1 this is exactly
// greedyDecode; with a positive penalty, beam 1 may continue past greedy's eos and find a better score.
std::vector<Hypothesis> beamDecode(Seq2SeqModel& model, const torch::Tensor& src,
                                   const DecodeOptions& options);

// greedyDecode when options.beamSize == 1, beamDecode otherwise.
std::vector<Hypothesis> decodeHypotheses(Seq2SeqModel& model, const torch::Tensor& src,
                                         const DecodeOptions& options);
// The tokens of decodeHypotheses, in input order.
std::vector<std::vector<int64_t>> decode(Seq2SeqModel& model, const torch::Tensor& src,
                                         const DecodeOptions& options = {});

// Puts the model into eval mode for the scope and restores its previous training flag (of the root
// module, applied recursively as torch::nn::Module::train does). A model that is not a torch::nn::Module
// is left alone.
class EvalModeScope {
public:
    explicit EvalModeScope(Seq2SeqModel& model);
    ~EvalModeScope();
    EvalModeScope(const EvalModeScope&) = delete;
    EvalModeScope& operator=(const EvalModeScope&) = delete;

private:
    torch::nn::Module* module_ = nullptr;
    bool wasTraining_ = false;
};

} // namespace automoe
