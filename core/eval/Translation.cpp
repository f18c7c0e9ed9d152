#include "eval/Translation.h"

#include <algorithm>
#include <chrono>
#include <numeric>
#include <stdexcept>

namespace automoe {

namespace {

struct Translated {
    std::vector<std::string> text;
    int64_t sourceTokens = 0;
    int64_t targetTokens = 0;
};

Translated translateAll(Seq2SeqModel& model, const Vocabulary& vocab, const std::vector<std::string>& sources,
                        const TranslateOptions& options) {
    if (model.padIndex() != vocab.padId())
        throw std::invalid_argument("translate: the model pads with id " + std::to_string(model.padIndex()) +
                                    ", the vocabulary with " + std::to_string(vocab.padId()));
    if (model.vocabSize() < vocab.size())
        throw std::invalid_argument("translate: the model's " + std::to_string(model.vocabSize()) +
                                    " output ids do not cover the vocabulary's " +
                                    std::to_string(vocab.size()));
    std::vector<std::vector<int64_t>> ids;
    ids.reserve(sources.size());
    Translated out;
    for (const auto& s : sources) {
        ids.push_back(sourceIds(vocab, s, options.maxSourceTokens));
        out.sourceTokens += int64_t(ids.back().size());
    }
    const std::vector<Hypothesis> hyps = translateIds(model, ids, options);
    out.text.reserve(hyps.size());
    for (const auto& h : hyps) {
        out.targetTokens += int64_t(h.tokens.size());
        out.text.push_back(vocab.decode(std::vector<int>(h.tokens.begin(), h.tokens.end())));
    }
    return out;
}

} // namespace

std::vector<int64_t> sourceIds(const Vocabulary& vocab, const std::string& text, int maxSourceTokens) {
    if (maxSourceTokens < 1)
        throw std::invalid_argument("maxSourceTokens " + std::to_string(maxSourceTokens) +
                                    " is not positive");
    const std::vector<int> pieces = vocab.encode(text);
    const size_t kept = std::min(pieces.size(), size_t(maxSourceTokens - 1));
    std::vector<int64_t> ids(pieces.begin(), pieces.begin() + std::ptrdiff_t(kept));
    ids.push_back(vocab.eosId());
    return ids;
}

std::vector<std::vector<size_t>> lengthBatches(const std::vector<std::vector<int64_t>>& ids,
                                               int64_t maxTokens) {
    if (maxTokens < 1)
        throw std::invalid_argument("maxTokens " + std::to_string(maxTokens) + " is not positive");
    std::vector<size_t> order(ids.size());
    std::iota(order.begin(), order.end(), size_t(0));
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return ids[a].size() > ids[b].size(); });
    std::vector<std::vector<size_t>> batches;
    for (size_t i : order) {
        if (!batches.empty()) {
            auto& last = batches.back();
            const int64_t width = int64_t(ids[last.front()].size());
            if (int64_t(last.size() + 1) * width <= maxTokens) {
                last.push_back(i);
                continue;
            }
        }
        batches.push_back({i});
    }
    return batches;
}

std::vector<Hypothesis> translateIds(Seq2SeqModel& model, const std::vector<std::vector<int64_t>>& sources,
                                     const TranslateOptions& options) {
    for (size_t i = 0; i < sources.size(); ++i)
        if (sources[i].empty())
            throw std::invalid_argument("translate: source " + std::to_string(i) +
                                        " has no ids (not even eos)");
    const auto batches = lengthBatches(sources, options.maxTokens);

    EvalModeScope evalMode(model);
    std::vector<Hypothesis> out(sources.size());
    for (const auto& batch : batches) {
        const int64_t width = int64_t(sources[batch.front()].size()); // longest first
        auto src = torch::full({int64_t(batch.size()), width}, model.padIndex(), torch::kLong);
        int64_t* rows = src.data_ptr<int64_t>();
        for (size_t k = 0; k < batch.size(); ++k)
            std::copy(sources[batch[k]].begin(), sources[batch[k]].end(), rows + int64_t(k) * width);
        std::vector<Hypothesis> hyps = decodeHypotheses(model, src, options.decode);
        for (size_t k = 0; k < batch.size(); ++k)
            out[batch[k]] = std::move(hyps[k]);
    }
    return out;
}

std::vector<std::string> translate(Seq2SeqModel& model, const Vocabulary& vocab,
                                   const std::vector<std::string>& sources, const TranslateOptions& options) {
    return translateAll(model, vocab, sources, options).text;
}

EvaluationResult evaluate(Seq2SeqModel& model, const Vocabulary& vocab,
                          const std::vector<SentencePair>& pairs, const TranslateOptions& options,
                          const BleuOptions& bleu, const ChrfOptions& chrf) {
    if (pairs.empty()) throw std::invalid_argument("evaluate: no sentence pairs");
    std::vector<std::string> sources, targets;
    sources.reserve(pairs.size());
    targets.reserve(pairs.size());
    for (const auto& p : pairs) {
        sources.push_back(p.source);
        targets.push_back(p.target);
    }
    const auto start = std::chrono::steady_clock::now();
    Translated t = translateAll(model, vocab, sources, options);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    EvaluationResult r;
    r.bleu = corpusBleu(t.text, {targets}, bleu);
    r.chrf = corpusChrf(t.text, {targets}, chrf);
    r.hypotheses = std::move(t.text);
    r.sentences = pairs.size();
    r.sourceTokens = t.sourceTokens;
    r.targetTokens = t.targetTokens;
    r.seconds = seconds;
    r.sentencesPerSecond = seconds > 0 ? double(pairs.size()) / seconds : 0.0;
    return r;
}

} // namespace automoe
