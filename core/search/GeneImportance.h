// Gene importance: how much of the variance of fitness over a search's evaluated candidates each gene group
// (GeneFeatures) explains on its own.
//
// Method: a first-order variance decomposition (the main-effect part of fANOVA, Hutter et al. 2014),
// estimated directly on the evaluated candidates instead of through a fitted random forest. For gene j the
// candidates are grouped by its value (a gene with more than `maxLevels` distinct values is cut into
// `maxLevels` equal-count bins, equal values never split), and
//     importance_j = (SS_between - (k - 1) * SS_within / (n - k)) / SS_total,   clamped to [0, 1]
// with k groups and n candidates: the share of the fitness variance explained by gene j's main effect,
// bias-adjusted (epsilon squared) so that a gene with many levels gains nothing from noise alone. The raw
// correlation ratio eta^2 = SS_between / SS_total is reported too. Main effects only: genes that matter
// through interactions with others score low, and genes that the search made co-vary (the evolution's
// samples are not independent) share credit. The layer-wise GeneFeatures (mean heads, mean FFN width, ...)
// carry part of a stack's depth (a mean of 5.33 heads needs three layers), so when fitness follows a depth,
// those means score too, below the depth. Deterministic; O(n log n) per gene; no LibTorch.
#pragma once

#include "store/RunRecords.h"

#include <string>
#include <vector>

namespace automoe {

struct GeneImportance {
    std::string gene;      // GeneFeatures name, e.g. "dec_layers"
    std::string label;     // e.g. "Decoder layers"
    double importance = 0; // epsilon^2, in [0, 1]
    double etaSquared = 0; // SS_between / SS_total, in [0, 1]
    int levels = 0;        // groups the candidates fell into
};

struct GeneImportanceReport {
    std::vector<GeneImportance> genes; // by importance descending (ties: GeneFeatures order)
    int candidates = 0;
    double fitnessVariance = 0; // population variance of fitness
};

// The importance of each column of `features` (one row per candidate, names[j] / labels[j] naming column j)
// for `fitness`. Throws std::invalid_argument when the sizes disagree or maxLevels < 2. Fewer than three
// candidates, or a constant fitness, gives every gene 0.
GeneImportanceReport geneImportance(const std::vector<std::vector<double>>& features,
                                    const std::vector<double>& fitness, const std::vector<std::string>& names,
                                    const std::vector<std::string>& labels, int maxLevels = 10);

// The same over a search's candidates and the GeneFeatures of their architectures (each architecture once:
// the newest row of a key wins). Throws naming the architecture when its JSON is malformed.
GeneImportanceReport geneImportance(const std::vector<CandidateRow>& candidates, int maxLevels = 10);

// The importance of several searches side by side (the workbench's compared searches, `automoe search
// importance --run A --run B`): one gene order for all, by the mean importance over the searches descending
// (ties: the order of the first report), and each search's importance in that order (0 for a gene a report
// lacks).
struct GeneImportanceComparison {
    std::vector<std::string> genes;              // GeneFeatures names, in the shared order
    std::vector<std::string> labels;             // the same genes' labels
    std::vector<std::vector<double>> importance; // [search][gene], in `genes` order
    std::vector<int> candidates;                 // per search
};
GeneImportanceComparison compareGeneImportance(const std::vector<GeneImportanceReport>& reports);

} // namespace automoe
