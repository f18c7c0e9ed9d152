#include "search/GeneImportance.h"

#include "search/GeneFeatures.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>
#include <unordered_map>

namespace automoe {

namespace {

// The group of every candidate by column value: distinct values when there are at most maxLevels of them,
// else equal-count bins over the sorted values that never split equal values. Returns the group count.
int groupBy(const std::vector<double>& x, int maxLevels, std::vector<int>& group) {
    const std::size_t n = x.size();
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return x[a] < x[b]; });
    std::size_t distinct = 0;
    for (std::size_t r = 0; r < n; ++r)
        if (r == 0 || x[order[r]] != x[order[r - 1]]) ++distinct;
    group.assign(n, 0);
    int current = -1;
    int lastBin = -1;
    for (std::size_t r = 0; r < n; ++r) {
        const bool newValue = r == 0 || x[order[r]] != x[order[r - 1]];
        if (newValue) {
            if (distinct <= std::size_t(maxLevels)) {
                ++current;
            } else {
                const int bin = int(r * std::size_t(maxLevels) / n);
                if (bin != lastBin) {
                    ++current;
                    lastBin = bin;
                }
            }
        }
        group[order[r]] = current;
    }
    return current + 1;
}

} // namespace

GeneImportanceReport geneImportance(const std::vector<std::vector<double>>& features,
                                    const std::vector<double>& fitness, const std::vector<std::string>& names,
                                    const std::vector<std::string>& labels, int maxLevels) {
    if (maxLevels < 2) throw std::invalid_argument("gene importance: maxLevels must be at least 2");
    if (features.size() != fitness.size())
        throw std::invalid_argument("gene importance: " + std::to_string(features.size()) +
                                    " feature rows for " + std::to_string(fitness.size()) +
                                    " fitness values");
    if (names.size() != labels.size())
        throw std::invalid_argument("gene importance: as many labels as names are needed");
    for (std::size_t i = 0; i < features.size(); ++i)
        if (features[i].size() != names.size())
            throw std::invalid_argument("gene importance: row " + std::to_string(i) + " has " +
                                        std::to_string(features[i].size()) + " values for " +
                                        std::to_string(names.size()) + " genes");

    GeneImportanceReport report;
    const std::size_t n = fitness.size();
    report.candidates = int(n);
    const double mean = n ? std::accumulate(fitness.begin(), fitness.end(), 0.0) / double(n) : 0.0;
    double total = 0;
    for (double y : fitness)
        total += (y - mean) * (y - mean);
    report.fitnessVariance = n ? total / double(n) : 0.0;

    std::vector<double> x(n);
    std::vector<int> group;
    for (std::size_t j = 0; j < names.size(); ++j) {
        GeneImportance g;
        g.gene = names[j];
        g.label = labels[j];
        for (std::size_t i = 0; i < n; ++i)
            x[i] = features[i][j];
        const int k = n ? groupBy(x, maxLevels, group) : 0;
        g.levels = k;
        if (n >= 3 && total > 0 && k >= 2) {
            std::vector<double> sum(std::size_t(k), 0.0);
            std::vector<std::size_t> count(std::size_t(k), 0);
            for (std::size_t i = 0; i < n; ++i) {
                sum[std::size_t(group[i])] += fitness[i];
                ++count[std::size_t(group[i])];
            }
            double between = 0;
            for (int c = 0; c < k; ++c) {
                const double m = sum[std::size_t(c)] / double(count[std::size_t(c)]);
                between += double(count[std::size_t(c)]) * (m - mean) * (m - mean);
            }
            between = std::min(between, total); // rounding
            const double within = total - between;
            g.etaSquared = between / total;
            const double adjusted =
                n > std::size_t(k) ? (between - double(k - 1) * within / double(n - std::size_t(k))) / total
                                   : 0.0;
            g.importance = std::clamp(adjusted, 0.0, 1.0);
        }
        report.genes.push_back(std::move(g));
    }
    std::stable_sort(
        report.genes.begin(), report.genes.end(),
        [](const GeneImportance& a, const GeneImportance& b) { return a.importance > b.importance; });
    return report;
}

GeneImportanceReport geneImportance(const std::vector<CandidateRow>& candidates, int maxLevels) {
    std::unordered_map<std::string, std::size_t> byKey;
    std::vector<const CandidateRow*> unique;
    for (const CandidateRow& c : candidates) {
        auto [it, added] = byKey.emplace(c.architecture.key, unique.size());
        if (added)
            unique.push_back(&c);
        else
            unique[it->second] = &c;
    }
    std::vector<std::vector<double>> features;
    std::vector<double> fitness;
    features.reserve(unique.size());
    for (const CandidateRow* c : unique) {
        try {
            features.push_back(geneFeatureValues(c->architecture.json));
        } catch (const std::exception& e) {
            throw std::invalid_argument("gene importance: architecture " + c->architecture.key + ": " +
                                        e.what());
        }
        fitness.push_back(c->fitness);
    }
    std::vector<std::string> names, labels;
    for (const GeneFeature& f : geneFeatures()) {
        names.push_back(f.name);
        labels.push_back(f.label);
    }
    return geneImportance(features, fitness, names, labels, maxLevels);
}

GeneImportanceComparison compareGeneImportance(const std::vector<GeneImportanceReport>& reports) {
    GeneImportanceComparison out;
    // Every gene any report names, in first-seen order (the first report's ranking, then the others').
    std::unordered_map<std::string, std::size_t> index;
    for (const GeneImportanceReport& r : reports)
        for (const GeneImportance& g : r.genes)
            if (index.emplace(g.gene, out.genes.size()).second) {
                out.genes.push_back(g.gene);
                out.labels.push_back(g.label);
            }
    const std::size_t genes = out.genes.size();
    std::vector<std::vector<double>> values(reports.size(), std::vector<double>(genes, 0.0));
    std::vector<double> mean(genes, 0.0);
    for (std::size_t s = 0; s < reports.size(); ++s) {
        for (const GeneImportance& g : reports[s].genes) {
            values[s][index.at(g.gene)] = g.importance;
            mean[index.at(g.gene)] += g.importance / double(reports.size());
        }
        out.candidates.push_back(reports[s].candidates);
    }
    std::vector<std::size_t> order(genes);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return mean[a] > mean[b]; });
    GeneImportanceComparison sorted;
    sorted.candidates = out.candidates;
    sorted.importance.assign(reports.size(), {});
    for (std::size_t k : order) {
        sorted.genes.push_back(out.genes[k]);
        sorted.labels.push_back(out.labels[k]);
        for (std::size_t s = 0; s < reports.size(); ++s)
            sorted.importance[s].push_back(values[s][k]);
    }
    return sorted;
}

} // namespace automoe
