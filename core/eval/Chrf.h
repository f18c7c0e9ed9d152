// chrF and chrF++ exactly as sacreBLEU 2.x computes them (metrics/chrf.py): character n-grams over code
// points with whitespace removed, optional word n-grams, per-sentence choice of the best-matching
// reference, statistics summed over the corpus and one F-beta score at the end.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace automoe {

struct ChrfOptions {
    int charOrder = 6;
    int wordOrder = 0; // 2 gives chrF++
    int beta = 2;
    bool lowercase = false;
    bool whitespace = false;   // keep whitespace inside character n-grams
    bool epsSmoothing = false; // false: sacreBLEU 2.x default (average over orders that have n-grams)
};

struct ChrfScore {
    double score = 0.0;              // 0..100
    std::vector<std::int64_t> stats; // [hyp, ref, match] per order: char orders first, then word orders
    int beta = 2;
    int wordOrder = 0;

    // "chrF2 = 59.73" (chrF2++ with two word orders), like sacreBLEU without signature.
    std::string format(int width = 2) const;
};

// Corpus chrF; refs[k][i] is the k-th reference of sentence i (empty string: no k-th reference for that
// sentence; a sentence with no non-empty reference is an error, as in sacreBLEU). Throws
// std::invalid_argument on bad input.
ChrfScore corpusChrf(const std::vector<std::string>& hyps, const std::vector<std::vector<std::string>>& refs,
                     const ChrfOptions& options = {});

// sacreBLEU's CHRF._compute_f_score on [hyp, ref, match] triples, 0..100.
double chrfFScore(const std::vector<std::int64_t>& stats, const ChrfOptions& options = {});

} // namespace automoe
