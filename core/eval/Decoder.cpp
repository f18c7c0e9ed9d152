#include "eval/Decoder.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace automoe {

namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

void checkInput(const Seq2SeqModel& model, const torch::Tensor& src, const DecodeOptions& options) {
    if (!src.defined() || src.dim() != 2 || src.scalar_type() != torch::kLong)
        throw std::invalid_argument("decode: the source must be an int64 tensor [batch, length]");
    if (options.beamSize < 1)
        throw std::invalid_argument("decode: beam size " + std::to_string(options.beamSize) +
                                    " is not positive");
    const int64_t V = model.vocabSize();
    for (int64_t id : {options.bosId, options.eosId, model.padIndex()})
        if (id < 0 || id >= V)
            throw std::invalid_argument("decode: special id " + std::to_string(id) +
                                        " outside the vocabulary of " + std::to_string(V));
    if (options.bosId == options.eosId || options.eosId == model.padIndex())
        throw std::invalid_argument("decode: eos must differ from bos and pad");
}

// Per-sentence length limits of the padded batch, int64 [B].
torch::Tensor lengthLimits(const torch::Tensor& src, int64_t pad, const DecodeOptions& options) {
    auto lens = src.ne(pad).sum(1).to(torch::kLong).contiguous();
    auto limits = torch::empty_like(lens);
    auto in = lens.accessor<int64_t, 1>();
    auto out = limits.accessor<int64_t, 1>();
    for (int64_t b = 0; b < lens.size(0); ++b)
        out[b] = maxTargetLength(options, in[b]);
    return limits;
}

// What every step masks: pad and bos are never generated; rows at their length limit may only end.
struct StepMasks {
    torch::Tensor banned; // float [V]: -inf at pad and bos, 0 elsewhere
    torch::Tensor notEos; // bool [V]

    StepMasks(int64_t V, int64_t pad, const DecodeOptions& options) {
        banned = torch::zeros({V}, torch::kFloat);
        banned[pad] = kNegInf;
        banned[options.bosId] = kNegInf;
        notEos = torch::ones({V}, torch::kBool);
        notEos[options.eosId] = false;
    }
};

// The decoder's view of the model for one batch: the next-token logits of every active row, and keeping the
// model's per-row state (encoder output, cached keys and values) aligned with the rows when the search
// reorders or drops them.
class Steps {
public:
    // enc holds the batch's B sentences, one row each; rowsPerSentence rows (beams) decode each of them.
    Steps(Seq2SeqModel& model, const EncoderOutput& enc, int64_t B, int64_t rowsPerSentence, bool incremental)
        : model_(model)
        , incremental_(incremental) {
        const auto expand = torch::arange(B, torch::kLong).repeat_interleave(rowsPerSentence);
        if (incremental_) {
            state_ = model.startDecoding(enc); // once per sentence, then copied to its beams
            if (rowsPerSentence > 1) state_.selectRows(expand);
        } else {
            enc_ = rowsPerSentence > 1 ? enc.selectRows(expand) : enc;
        }
    }

    // Logits [R, V] of the token after every row of `prefix` [R, t + 1].
    torch::Tensor logits(const torch::Tensor& prefix) {
        if (!incremental_) return model_.nextTokenLogits(prefix, enc_);
        return model_.stepLogits(prefix.select(1, prefix.size(1) - 1).contiguous(), state_);
    }
    // Row r now continues row index[r] of the same sentence (beam re-ranking).
    void reorder(const torch::Tensor& index) {
        if (incremental_) state_.reorderWithinSentences(index);
    }
    // Keeps the rows `index` (finished rows leave).
    void keep(const torch::Tensor& index) {
        if (incremental_)
            state_.selectRows(index);
        else
            enc_ = enc_.selectRows(index);
    }

private:
    Seq2SeqModel& model_;
    bool incremental_;
    EncoderOutput enc_;
    DecoderState state_;
};

// Log-probabilities [R, V] of the next token after every row of `prefix` [R, t + 1].
torch::Tensor stepLogProbs(Steps& steps, const torch::Tensor& prefix, const StepMasks& masks,
                           const torch::Tensor& rowLimits, int64_t t) {
    auto lprobs = torch::log_softmax(steps.logits(prefix).to(torch::kFloat), -1);
    if (lprobs.size(1) != masks.banned.size(0))
        throw std::runtime_error("decode: the model returned " + std::to_string(lprobs.size(1)) +
                                 " logits for a vocabulary of " + std::to_string(masks.banned.size(0)));
    lprobs.add_(masks.banned);
    auto force = rowLimits.le(t);
    if (force.any().item<bool>())
        lprobs.masked_fill_(force.unsqueeze(1).logical_and(masks.notEos.unsqueeze(0)), kNegInf);
    return lprobs;
}

double normalised(double sumLogProb, int64_t length, double lengthPenalty) {
    return sumLogProb / std::pow(double(length), lengthPenalty);
}

// Row `row` of the contiguous prefix [R, t + 1] without its leading bos.
std::vector<int64_t> generatedTokens(const torch::Tensor& prefix, int64_t row) {
    const int64_t width = prefix.size(1);
    const int64_t* p = prefix.data_ptr<int64_t>() + row * width;
    return std::vector<int64_t>(p + 1, p + width);
}

} // namespace

int64_t maxTargetLength(const DecodeOptions& options, int64_t srcLen) {
    const double limit = std::floor(options.maxLenA * double(srcLen) + double(options.maxLenB));
    return std::max<int64_t>(0, static_cast<int64_t>(limit));
}

std::vector<Hypothesis> greedyDecode(Seq2SeqModel& model, const torch::Tensor& src,
                                     const DecodeOptions& options) {
    checkInput(model, src, options);
    torch::NoGradGuard noGrad;
    const int64_t B = src.size(0);
    std::vector<Hypothesis> out(size_t(B), Hypothesis{});
    if (B == 0) return out;
    const StepMasks masks(model.vocabSize(), model.padIndex(), options);
    Steps steps(model, model.encodeSource(src), B, 1, options.incremental);
    torch::Tensor limits = lengthLimits(src, model.padIndex(), options);
    torch::Tensor origin = torch::arange(B, torch::kLong); // input index of every active row
    torch::Tensor prefix = torch::full({B, 1}, options.bosId, torch::kLong);
    torch::Tensor scores = torch::zeros({B}, torch::kFloat);

    for (int64_t t = 0; prefix.size(0) > 0; ++t) {
        auto lprobs = stepLogProbs(steps, prefix, masks, limits, t);
        auto [best, next] = lprobs.max(1);
        scores.add_(best);
        auto done = next.eq(options.eosId);
        prefix = torch::cat({prefix, next.unsqueeze(1)}, 1);
        if (!done.any().item<bool>()) continue;

        // Finished rows: prefix is bos + t tokens + eos, scored over t + 1 tokens.
        auto doneRows = done.nonzero().view({-1});
        auto doneTokens = prefix.index_select(0, doneRows).narrow(1, 0, t + 1).contiguous();
        auto doneScores = scores.index_select(0, doneRows).contiguous();
        auto doneOrigin = origin.index_select(0, doneRows).contiguous();
        auto sAcc = doneScores.accessor<float, 1>();
        auto oAcc = doneOrigin.accessor<int64_t, 1>();
        for (int64_t k = 0; k < doneRows.size(0); ++k) {
            Hypothesis& h = out[size_t(oAcc[k])];
            h.tokens = generatedTokens(doneTokens, k);
            h.score = normalised(sAcc[k], t + 1, options.lengthPenalty);
        }

        auto keep = done.logical_not().nonzero().view({-1});
        if (keep.size(0) == 0) break;
        prefix = prefix.index_select(0, keep);
        scores = scores.index_select(0, keep);
        origin = origin.index_select(0, keep);
        limits = limits.index_select(0, keep);
        steps.keep(keep);
    }
    return out;
}

std::vector<Hypothesis> beamDecode(Seq2SeqModel& model, const torch::Tensor& src,
                                   const DecodeOptions& options) {
    checkInput(model, src, options);
    torch::NoGradGuard noGrad;
    const int64_t B = src.size(0);
    const int64_t K = options.beamSize;
    const int64_t V = model.vocabSize();
    std::vector<Hypothesis> out(size_t(B), Hypothesis{});
    if (B == 0) return out;
    const StepMasks masks(V, model.padIndex(), options);
    const int64_t candidates = std::min(2 * K, K * V);
    const torch::Tensor candOffsets = torch::arange(candidates, torch::kLong);
    const torch::Tensor beamOffsets = torch::arange(K, torch::kLong);

    // Row i * K + j is beam j of active sentence i. All beams start as bos; only beam 0 is live at first
    // so that the first step does not fill the beam with copies of one continuation.
    Steps steps(model, model.encodeSource(src), B, K, options.incremental);
    torch::Tensor limits = lengthLimits(src, model.padIndex(), options);
    torch::Tensor origin = torch::arange(B, torch::kLong);
    torch::Tensor prefix = torch::full({B * K, 1}, options.bosId, torch::kLong);
    torch::Tensor scores = torch::zeros({B, K}, torch::kFloat);
    scores.narrow(1, 1, K - 1).fill_(kNegInf);
    scores = scores.view({-1});
    std::vector<std::vector<Hypothesis>> finished(static_cast<size_t>(B));

    for (int64_t t = 0; origin.size(0) > 0; ++t) {
        const int64_t Ba = origin.size(0);
        auto lprobs = stepLogProbs(steps, prefix, masks, limits.repeat_interleave(K), t);
        auto cand = lprobs.add_(scores.unsqueeze(1)).view({Ba, K * V});
        auto [candScores, candIndex] = cand.topk(candidates, 1);
        auto candBeam = candIndex.div(V, "floor");
        auto candToken = candIndex.remainder(V);
        auto eosMask = candToken.eq(options.eosId).logical_and(candScores.gt(kNegInf));

        // eos among the best K candidates finishes that beam's hypothesis (fairseq); a sentence keeps its K
        // best finished hypotheses by length-normalised score, best first.
        auto eosTop = eosMask.narrow(1, 0, K);
        if (eosTop.any().item<bool>()) {
            auto hits = eosTop.nonzero().contiguous();
            auto hAcc = hits.accessor<int64_t, 2>();
            auto beamAcc = candBeam.accessor<int64_t, 2>();
            auto scoreAcc = candScores.accessor<float, 2>();
            auto originAcc = origin.accessor<int64_t, 1>();
            const torch::Tensor prefixC = prefix.contiguous();
            for (int64_t k = 0; k < hits.size(0); ++k) {
                const int64_t i = hAcc[k][0], j = hAcc[k][1];
                auto& list = finished[size_t(originAcc[i])];
                const double score = normalised(scoreAcc[i][j], t + 1, options.lengthPenalty);
                if (int64_t(list.size()) >= K && score <= list.back().score) continue;
                auto at = std::upper_bound(list.begin(), list.end(), score,
                                           [](double v, const Hypothesis& h) { return v > h.score; });
                list.insert(at, {generatedTokens(prefixC, i * K + beamAcc[i][j]), score});
                if (int64_t(list.size()) > K) list.pop_back();
            }
        }

        // The first K candidates that are not eos continue (stable: in order of summed log-probability).
        auto order = eosMask.to(torch::kLong).mul_(candidates).add_(candOffsets);
        auto active = std::get<1>(order.topk(K, 1, /*largest=*/false, /*sorted=*/true));
        auto rows =
            (torch::arange(Ba, torch::kLong).mul_(K).unsqueeze(1) + candBeam.gather(1, active)).view({-1});
        prefix = torch::cat({prefix.index_select(0, rows), candToken.gather(1, active).view({-1, 1})}, 1);
        steps.reorder(rows);
        const torch::Tensor activeScores = candScores.gather(1, active); // [Ba, K], best first
        scores = activeScores.view({-1});

        // A sentence leaves the batch at its length limit, or once it holds K finished hypotheses that no
        // live one can beat: summed log-probabilities only fall, so the best live sum s can at most reach
        // s / L^lengthPenalty at the most favourable final length L (the limit + 1 when the penalty is
        // positive, the next step otherwise).
        auto done = torch::empty({Ba}, torch::kBool);
        {
            auto dAcc = done.accessor<bool, 1>();
            auto originAcc = origin.accessor<int64_t, 1>();
            auto limitAcc = limits.accessor<int64_t, 1>();
            auto bestAcc = activeScores.accessor<float, 2>();
            for (int64_t i = 0; i < Ba; ++i) {
                const auto& list = finished[size_t(originAcc[i])];
                bool stop = t >= limitAcc[i];
                if (!stop && int64_t(list.size()) >= K) {
                    const double best = bestAcc[i][0];
                    const int64_t length = options.lengthPenalty > 0 ? limitAcc[i] + 1 : t + 2;
                    stop = std::isinf(best) ||
                           normalised(best, length, options.lengthPenalty) <= list.back().score;
                }
                dAcc[i] = stop;
            }
        }
        if (!done.any().item<bool>()) continue;
        auto keep = done.logical_not().nonzero().view({-1});
        if (keep.size(0) == 0) break;
        auto keepRows = (keep.mul(K).unsqueeze(1) + beamOffsets).view({-1});
        prefix = prefix.index_select(0, keepRows);
        scores = scores.index_select(0, keepRows);
        origin = origin.index_select(0, keep);
        limits = limits.index_select(0, keep);
        steps.keep(keepRows);
    }

    for (int64_t b = 0; b < B; ++b) {
        auto& list = finished[size_t(b)];
        if (list.empty()) // unreachable: beam 0 is always live and eos is forced at the limit
            throw std::logic_error("beamDecode: sentence " + std::to_string(b) + " finished no hypothesis");
        out[size_t(b)] = std::move(list.front());
    }
    return out;
}

std::vector<Hypothesis> decodeHypotheses(Seq2SeqModel& model, const torch::Tensor& src,
                                         const DecodeOptions& options) {
    return options.beamSize == 1 ? greedyDecode(model, src, options) : beamDecode(model, src, options);
}

std::vector<std::vector<int64_t>> decode(Seq2SeqModel& model, const torch::Tensor& src,
                                         const DecodeOptions& options) {
    std::vector<Hypothesis> hyps = decodeHypotheses(model, src, options);
    std::vector<std::vector<int64_t>> tokens;
    tokens.reserve(hyps.size());
    for (auto& h : hyps)
        tokens.push_back(std::move(h.tokens));
    return tokens;
}

EvalModeScope::EvalModeScope(Seq2SeqModel& model)
    : module_(dynamic_cast<torch::nn::Module*>(&model)) {
    if (module_) {
        wasTraining_ = module_->is_training();
        module_->eval();
    }
}

EvalModeScope::~EvalModeScope() {
    if (module_) module_->train(wasTraining_);
}

} // namespace automoe
