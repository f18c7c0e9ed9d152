#include "eval/Chrf.h"

#include "eval/BleuText.h"

#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <unordered_map>

namespace automoe {
namespace {

template <typename Key> using Counter = std::unordered_map<Key, std::int64_t>;

// One counter per order: character orders (over code points) then word orders.
struct SentenceNgrams {
    std::vector<Counter<std::u32string>> chars;
    std::vector<Counter<std::string>> words;
};

// sacreBLEU's _remove_punctuation: split on whitespace, then peel one ASCII punctuation character off the
// end of a word, or else off its start ("(hi)" becomes "(hi" and ")").
std::vector<std::string> wordsWithoutPunctuation(const std::string& sentence) {
    auto isPunct = [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return (u >= 0x21 && u <= 0x2F) || (u >= 0x3A && u <= 0x40) || (u >= 0x5B && u <= 0x60) ||
               (u >= 0x7B && u <= 0x7E);
    };
    std::vector<std::string> out;
    for (std::string& w : splitWhitespace(sentence)) {
        // A word of one code point stays whole; a multi-byte one has no ASCII punctuation at either end.
        if (w.size() == 1) {
            out.push_back(std::move(w));
        } else if (isPunct(w.back())) {
            const char last = w.back();
            w.pop_back();
            out.push_back(std::move(w));
            out.emplace_back(1, last);
        } else if (isPunct(w.front())) {
            out.emplace_back(1, w.front());
            out.push_back(w.substr(1));
        } else {
            out.push_back(std::move(w));
        }
    }
    return out;
}

SentenceNgrams extract(const std::string& raw, const ChrfOptions& options) {
    const std::string sentence = options.lowercase ? pythonLower(raw) : raw;
    SentenceNgrams g;
    std::u32string chars;
    for (char32_t c : decodeUtf8(sentence))
        if (options.whitespace || !isPythonWhitespace(c)) chars += c;
    g.chars.resize(static_cast<std::size_t>(options.charOrder));
    for (std::size_t n = 1; n <= g.chars.size(); ++n)
        for (std::size_t i = 0; i + n <= chars.size(); ++i)
            ++g.chars[n - 1][chars.substr(i, n)];
    if (options.wordOrder > 0) {
        const std::vector<std::string> words = wordsWithoutPunctuation(sentence);
        g.words.resize(static_cast<std::size_t>(options.wordOrder));
        for (std::size_t n = 1; n <= g.words.size(); ++n) {
            for (std::size_t i = 0; i + n <= words.size(); ++i) {
                std::string key = words[i];
                for (std::size_t k = 1; k < n; ++k)
                    key += ' ' + words[i + k];
                ++g.words[n - 1][key];
            }
        }
    }
    return g;
}

// sacreBLEU's _get_match_statistics: [hyp, ref, match]; hypothesis n-grams count only if the reference
// has n-grams of that order.
template <typename Key>
void appendMatchStats(const Counter<Key>& hyp, const Counter<Key>& ref, std::vector<std::int64_t>& out) {
    std::int64_t match = 0, hypCount = 0, refCount = 0;
    for (const auto& [ngram, count] : hyp) {
        hypCount += count;
        const auto it = ref.find(ngram);
        if (it != ref.end()) match += std::min(count, it->second);
    }
    for (const auto& entry : ref)
        refCount += entry.second;
    out.push_back(ref.empty() ? 0 : hypCount);
    out.push_back(refCount);
    out.push_back(match);
}

} // namespace

std::string ChrfScore::format(int width) const {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", width, score);
    return "chrF" + std::to_string(beta) + std::string(static_cast<std::size_t>(wordOrder), '+') + " = " +
           buf;
}

double chrfFScore(const std::vector<std::int64_t>& stats, const ChrfOptions& options) {
    const std::size_t order = static_cast<std::size_t>(options.charOrder + options.wordOrder);
    if (stats.size() != 3 * order)
        throw std::invalid_argument("chrF statistics need three numbers per order");
    const double eps = 1e-16;
    const double factor = static_cast<double>(options.beta) * static_cast<double>(options.beta);
    double score = 0.0, avgPrec = 0.0, avgRec = 0.0;
    int effectiveOrder = 0;
    for (std::size_t i = 0; i < order; ++i) {
        const std::int64_t nHyp = stats[3 * i], nRef = stats[3 * i + 1], nMatch = stats[3 * i + 2];
        const double prec = nHyp > 0 ? static_cast<double>(nMatch) / static_cast<double>(nHyp) : eps;
        const double rec = nRef > 0 ? static_cast<double>(nMatch) / static_cast<double>(nRef) : eps;
        const double denom = factor * prec + rec;
        score += denom > 0 ? (1 + factor) * prec * rec / denom : eps;
        if (nHyp > 0 && nRef > 0) {
            avgPrec += prec;
            avgRec += rec;
            ++effectiveOrder;
        }
    }
    if (options.epsSmoothing) return 100 * score / static_cast<double>(order);
    if (effectiveOrder == 0) {
        avgPrec = avgRec = 0.0;
    } else {
        avgPrec /= effectiveOrder;
        avgRec /= effectiveOrder;
    }
    if (avgPrec + avgRec != 0.0) {
        score = (1 + factor) * avgPrec * avgRec;
        score /= (factor * avgPrec) + avgRec;
        return 100 * score;
    }
    return 0.0;
}

ChrfScore corpusChrf(const std::vector<std::string>& hyps, const std::vector<std::vector<std::string>>& refs,
                     const ChrfOptions& options) {
    if (options.charOrder < 0 || options.wordOrder < 0 || options.charOrder + options.wordOrder == 0)
        throw std::invalid_argument("chrF needs a positive character or word n-gram order");
    if (refs.empty()) throw std::invalid_argument("chrF needs at least one reference stream");
    for (std::size_t k = 0; k < refs.size(); ++k) {
        if (refs[k].size() != hyps.size())
            throw std::invalid_argument("reference stream " + std::to_string(k + 1) + " has " +
                                        std::to_string(refs[k].size()) + " sentences but there are " +
                                        std::to_string(hyps.size()) + " hypotheses");
    }
    const std::size_t order = static_cast<std::size_t>(options.charOrder + options.wordOrder);
    ChrfScore result;
    result.beta = options.beta;
    result.wordOrder = options.wordOrder;
    result.stats.assign(3 * order, 0);

    for (std::size_t i = 0; i < hyps.size(); ++i) {
        const SentenceNgrams h = extract(hyps[i], options);
        std::vector<std::int64_t> best;
        double bestF = -1.0;
        bool anyRef = false;
        for (const auto& stream : refs) {
            if (stream[i].empty()) continue;
            anyRef = true;
            const SentenceNgrams r = extract(stream[i], options);
            std::vector<std::int64_t> stats;
            stats.reserve(3 * order);
            for (std::size_t n = 0; n < h.chars.size(); ++n)
                appendMatchStats(h.chars[n], r.chars[n], stats);
            for (std::size_t n = 0; n < h.words.size(); ++n)
                appendMatchStats(h.words[n], r.words[n], stats);
            const double f = chrfFScore(stats, options);
            if (f > bestF) {
                bestF = f;
                best = std::move(stats);
            }
        }
        if (!anyRef)
            throw std::invalid_argument("sentence " + std::to_string(i + 1) + " has only empty references");
        for (std::size_t k = 0; k < best.size(); ++k)
            result.stats[k] += best[k];
    }
    result.score = chrfFScore(result.stats, options);
    return result;
}

} // namespace automoe
