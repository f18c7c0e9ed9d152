#include "eval/Bleu.h"

#include "eval/BleuText.h"
#include "eval/BleuTokenizer.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <unordered_map>

namespace automoe {
namespace {

// N-grams are keyed by their tokens joined with a space: tokens never contain whitespace, so the key is
// unambiguous, and its token count gives the order.
using NgramCounts = std::unordered_map<std::string, std::int64_t>;

struct NgramStats {
    NgramCounts ngrams;
    std::int64_t length = 0;
};

NgramStats extractNgrams(const std::string& tokenized, int maxOrder) {
    const std::vector<std::string> tokens = splitWhitespace(tokenized);
    NgramStats stats;
    stats.length = static_cast<std::int64_t>(tokens.size());
    for (int n = 1; n <= maxOrder; ++n) {
        for (std::size_t i = 0; i + static_cast<std::size_t>(n) <= tokens.size(); ++i) {
            std::string key = tokens[i];
            for (int k = 1; k < n; ++k)
                key += ' ' + tokens[i + static_cast<std::size_t>(k)];
            ++stats.ngrams[key];
        }
    }
    return stats;
}

int orderOf(const std::string& key) {
    int n = 1;
    for (char c : key)
        n += c == ' ';
    return n;
}

// sacreBLEU's my_log: log(0) is a huge negative number rather than -inf.
double mylog(double x) {
    return x == 0.0 ? -9999999999.0 : std::log(x);
}

std::string preprocess(const std::string& sentence, const BleuOptions& options) {
    const std::string text = options.lowercase ? pythonLower(sentence) : sentence;
    return tokenizeForBleu(rstripWhitespace(text), options.tokenize);
}

void checkOptions(const BleuOptions& options) {
    if (options.smoothing != "exp" && options.smoothing != "none" && options.smoothing != "floor" &&
        options.smoothing != "add-k")
        throw std::invalid_argument("unknown BLEU smoothing '" + options.smoothing +
                                    "' (expected exp, none, floor or add-k)");
    if (options.maxNgramOrder < 1) throw std::invalid_argument("BLEU max n-gram order must be at least 1");
}

std::string formatFixed(double value, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
    return buf;
}

} // namespace

std::string BleuScore::format(int width) const {
    std::string precs;
    for (std::size_t i = 0; i < precisions.size(); ++i)
        precs += (i ? "/" : "") + formatFixed(precisions[i], 1);
    return "BLEU = " + formatFixed(score, width) + " " + precs + " (BP = " + formatFixed(bp, 3) +
           " ratio = " + formatFixed(ratio(), 3) + " hyp_len = " + std::to_string(sysLen) +
           " ref_len = " + std::to_string(refLen) + ")";
}

BleuScore computeBleu(const std::vector<std::int64_t>& counts, const std::vector<std::int64_t>& totals,
                      std::int64_t sysLen, std::int64_t refLen, const BleuOptions& options) {
    checkOptions(options);
    const auto order = static_cast<std::size_t>(options.maxNgramOrder);
    if (counts.size() != order || totals.size() != order)
        throw std::invalid_argument("BLEU statistics need one count and one total per n-gram order");

    double smoothValue = 0.0;
    if (options.smoothing == "floor") smoothValue = options.smoothValue.value_or(0.1);
    if (options.smoothing == "add-k") smoothValue = options.smoothValue.value_or(1.0);

    BleuScore s;
    s.counts = counts;
    s.totals = totals;
    s.sysLen = sysLen;
    s.refLen = refLen;
    s.precisions.assign(order, 0.0);
    if (sysLen < refLen)
        s.bp = sysLen > 0 ? std::exp(1.0 - static_cast<double>(refLen) / static_cast<double>(sysLen)) : 0.0;
    else
        s.bp = 1.0;

    bool anyMatch = false;
    for (std::int64_t c : counts)
        anyMatch = anyMatch || c != 0;
    if (!anyMatch) return s; // sacreBLEU's early stop (#141): score 0 whatever the smoothing

    double smoothMteval = 1.0;
    std::size_t effOrder = order;
    for (std::size_t n = 1; n <= order; ++n) {
        double correct = static_cast<double>(counts[n - 1]);
        double total = static_cast<double>(totals[n - 1]);
        if (options.smoothing == "add-k" && n > 1) {
            correct += smoothValue;
            total += smoothValue;
        }
        if (total == 0.0) break;
        if (options.effectiveOrder) effOrder = n;
        if (correct == 0.0) {
            if (options.smoothing == "exp") {
                smoothMteval *= 2.0;
                s.precisions[n - 1] = 100.0 / (smoothMteval * total);
            } else if (options.smoothing == "floor") {
                s.precisions[n - 1] = 100.0 * smoothValue / total;
            }
        } else {
            s.precisions[n - 1] = 100.0 * correct / total;
        }
    }

    double logSum = 0.0;
    for (std::size_t n = 0; n < effOrder; ++n)
        logSum += mylog(s.precisions[n]);
    s.score = s.bp * std::exp(logSum / static_cast<double>(effOrder));
    return s;
}

BleuScore corpusBleu(const std::vector<std::string>& hyps, const std::vector<std::vector<std::string>>& refs,
                     const BleuOptions& options) {
    checkOptions(options);
    tokenizeForBleu("", options.tokenize); // validates the tokenizer name
    if (refs.empty()) throw std::invalid_argument("BLEU needs at least one reference stream");
    for (std::size_t k = 0; k < refs.size(); ++k) {
        if (refs[k].size() != hyps.size())
            throw std::invalid_argument("reference stream " + std::to_string(k + 1) + " has " +
                                        std::to_string(refs[k].size()) + " sentences but there are " +
                                        std::to_string(hyps.size()) + " hypotheses");
    }

    const auto order = static_cast<std::size_t>(options.maxNgramOrder);
    std::vector<std::int64_t> correct(order, 0), total(order, 0);
    std::int64_t sysLen = 0, refLen = 0;

    for (std::size_t i = 0; i < hyps.size(); ++i) {
        NgramCounts refMax;
        std::vector<std::int64_t> refLens;
        for (const auto& stream : refs) {
            const std::string& ref = stream[i];
            if (ref.empty()) continue; // fewer references for this sentence
            NgramStats rs = extractNgrams(preprocess(ref, options), options.maxNgramOrder);
            refLens.push_back(rs.length);
            for (auto& [ngram, count] : rs.ngrams) {
                std::int64_t& m = refMax[ngram];
                if (count > m) m = count;
            }
        }
        if (refLens.empty())
            throw std::invalid_argument("sentence " + std::to_string(i + 1) + " has only empty references");

        const NgramStats hs = extractNgrams(preprocess(hyps[i], options), options.maxNgramOrder);

        // Closest reference length; ties go to the shorter reference.
        std::int64_t closestDiff = -1, closestLen = -1;
        for (std::int64_t len : refLens) {
            const std::int64_t diff = std::llabs(hs.length - len);
            if (closestDiff == -1 || diff < closestDiff) {
                closestDiff = diff;
                closestLen = len;
            } else if (diff == closestDiff && len < closestLen) {
                closestLen = len;
            }
        }
        sysLen += hs.length;
        refLen += closestLen;

        for (const auto& [ngram, count] : hs.ngrams) {
            const auto n = static_cast<std::size_t>(orderOf(ngram)) - 1;
            total[n] += count;
            const auto it = refMax.find(ngram);
            if (it != refMax.end()) correct[n] += std::min(count, it->second);
        }
    }
    return computeBleu(correct, total, sysLen, refLen, options);
}

} // namespace automoe
