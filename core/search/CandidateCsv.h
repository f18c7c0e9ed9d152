// CandidateCsv writes every evaluated candidate of one or more searches as CSV — the search's run id, its
// store id and key, generation, fitness, costs, whether it is on its search's Pareto front, and its
// GeneFeatures — and reads such a file back. One format for File > Export > Candidates CSV (the shown search
// and any compared ones) and `automoe front --all --csv`: the run column is always there, so a file of one
// search and a file of several have the same columns. Numbers are written with 17
// significant digits, so a file read back gives the same doubles; fields holding a comma or a quote are
// quoted (RFC 4180); a missing latency is an empty field.
#pragma once

#include "store/RunRecords.h"

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace automoe {

struct CandidateRecord {
    std::int64_t run = 0;    // the search run the candidate came from (0: not known)
    std::int64_t archId = 0; // 0: not known (a candidate followed live before the store gave it an id)
    std::string key;
    std::int64_t generation = 0;
    double fitness = 0;
    double flops = 0;
    std::int64_t paramsActive = 0;
    std::optional<double> latencyMs;
    std::optional<double> predictedLatencyMs;
    bool onFront = false;
    std::vector<double> genes; // GeneFeatures values, in geneFeatures() order

    bool operator==(const CandidateRecord& o) const;
};

// A record of `row` of search `run` (genes from its architecture JSON; throws naming the key when that is
// malformed).
CandidateRecord candidateRecord(const CandidateRow& row, bool onFront, std::int64_t run = 0);
// The same without the genes (left empty): for callers that read them their own way.
CandidateRecord candidateCosts(const CandidateRow& row, bool onFront, std::int64_t run = 0);

// The header: run, arch_id, arch_key, generation, fitness, flops, params_active, latency_ms,
// predicted_latency_ms, on_front, then the GeneFeatures names.
std::vector<std::string> candidateCsvColumns();
void writeCandidatesCsv(std::ostream& out, const std::vector<CandidateRecord>& records);
// Throws std::runtime_error naming the line and column of the first bad field, or a wrong header. A file
// written before the run column (its header without "run") still reads, every record's run 0.
std::vector<CandidateRecord> readCandidatesCsv(std::istream& in);

} // namespace automoe
