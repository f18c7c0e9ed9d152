// CandidateCsv writes every evaluated candidate of a search as CSV — its store id and key, generation,
// fitness, costs, whether it is on the Pareto front, and its GeneFeatures — and reads such a file back. One
// format for File > Export > Candidates CSV and `automoe front --all --csv`. Numbers are written with 17
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

// A record of `row` (genes from its architecture JSON; throws naming the key when that is malformed).
CandidateRecord candidateRecord(const CandidateRow& row, bool onFront);
// The same without the genes (left empty): for callers that read them their own way.
CandidateRecord candidateCosts(const CandidateRow& row, bool onFront);

// The header: arch_id, arch_key, generation, fitness, flops, params_active, latency_ms,
// predicted_latency_ms, on_front, then the GeneFeatures names.
std::vector<std::string> candidateCsvColumns();
void writeCandidatesCsv(std::ostream& out, const std::vector<CandidateRecord>& records);
// Throws std::runtime_error naming the line and column of the first bad field, or a wrong header.
std::vector<CandidateRecord> readCandidatesCsv(std::istream& in);

} // namespace automoe
