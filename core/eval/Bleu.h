// Corpus BLEU exactly as sacreBLEU 2.x computes it (metrics/bleu.py): same tokenizers, n-gram clipping
// against the per-n-gram maximum over references, closest reference length (ties to the shorter), the
// four smoothing methods and the same floating-point order of operations, so scores and the printed line
// agree with sacreBLEU to the last digit.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace automoe {

struct BleuOptions {
    std::string tokenize = "13a";      // "13a", "none", "intl" or "char" (see BleuTokenizer.h)
    bool lowercase = false;            // Python str.lower() before tokenizing
    std::string smoothing = "exp";     // "exp", "none", "floor" or "add-k"
    std::optional<double> smoothValue; // default 0.1 for floor, 1 for add-k; ignored by exp and none
    int maxNgramOrder = 4;
    bool effectiveOrder = false; // sacreBLEU's effective_order (meant for sentence BLEU)
};

struct BleuScore {
    double score = 0.0;               // 0..100
    std::vector<std::int64_t> counts; // clipped n-gram matches per order (before add-k)
    std::vector<std::int64_t> totals; // hypothesis n-grams per order (before add-k)
    std::vector<double> precisions;   // percent, after smoothing, per order
    double bp = 0.0;                  // brevity penalty
    std::int64_t sysLen = 0;          // hypothesis tokens
    std::int64_t refLen = 0;          // effective reference tokens

    double ratio() const {
        return refLen != 0 ? static_cast<double>(sysLen) / static_cast<double>(refLen) : 0.0;
    }

    // sacreBLEU's line without signature, e.g.
    // "BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944 hyp_len = 17 ref_len = 18)".
    std::string format(int width = 2) const;
};

// Corpus BLEU of `hyps` against reference streams: refs[k][i] is the k-th reference of sentence i. Every
// stream must have hyps.size() lines. An empty reference string means "no k-th reference for this
// sentence" (sacreBLEU's variable number of references); a sentence whose references are all empty is an
// error, as in sacreBLEU. Throws std::invalid_argument on bad input or options.
BleuScore corpusBleu(const std::vector<std::string>& hyps, const std::vector<std::vector<std::string>>& refs,
                     const BleuOptions& options = {});

// sacreBLEU's BLEU.compute_bleu on already aggregated statistics (counts and totals have
// options.maxNgramOrder entries). Tokenizer and lowercase options are ignored.
BleuScore computeBleu(const std::vector<std::int64_t>& counts, const std::vector<std::int64_t>& totals,
                      std::int64_t sysLen, std::int64_t refLen, const BleuOptions& options = {});

} // namespace automoe
