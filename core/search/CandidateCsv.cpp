#include "search/CandidateCsv.h"

#include "search/GeneFeatures.h"

#include <cstdio>
#include <istream>
#include <ostream>
#include <stdexcept>

namespace automoe {

namespace {

std::string number(double v) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}

std::string quoted(const std::string& s) {
    if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

// Splits one CSV record; false when a quote is not closed.
bool splitFields(const std::string& line, std::vector<std::string>& fields) {
    fields.clear();
    std::string field;
    bool inQuotes = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (inQuotes) {
            if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
                field += '"';
                ++i;
            } else if (c == '"') {
                inQuotes = false;
            } else {
                field += c;
            }
        } else if (c == '"') {
            inQuotes = true;
        } else if (c == ',') {
            fields.push_back(std::move(field));
            field.clear();
        } else {
            field += c;
        }
    }
    fields.push_back(std::move(field));
    return !inQuotes;
}

} // namespace

bool CandidateRecord::operator==(const CandidateRecord& o) const {
    return run == o.run && archId == o.archId && key == o.key && generation == o.generation &&
           fitness == o.fitness && flops == o.flops && paramsActive == o.paramsActive &&
           latencyMs == o.latencyMs && predictedLatencyMs == o.predictedLatencyMs && onFront == o.onFront &&
           genes == o.genes;
}

CandidateRecord candidateCosts(const CandidateRow& row, bool onFront, std::int64_t run) {
    CandidateRecord r;
    r.run = run;
    r.archId = row.architecture.id;
    r.key = row.architecture.key;
    r.generation = row.generation;
    r.fitness = row.fitness;
    r.flops = row.flops;
    r.paramsActive = row.paramsActive;
    r.latencyMs = row.latencyMs;
    r.predictedLatencyMs = row.predictedLatencyMs;
    r.onFront = onFront;
    return r;
}

CandidateRecord candidateRecord(const CandidateRow& row, bool onFront, std::int64_t run) {
    CandidateRecord r = candidateCosts(row, onFront, run);
    try {
        r.genes = geneFeatureValues(row.architecture.json);
    } catch (const std::exception& e) {
        throw std::runtime_error("candidate " + row.architecture.key + ": " + e.what());
    }
    return r;
}

std::vector<std::string> candidateCsvColumns() {
    std::vector<std::string> columns = {
        "run",   "arch_id",       "arch_key",   "generation",           "fitness",
        "flops", "params_active", "latency_ms", "predicted_latency_ms", "on_front"};
    for (const GeneFeature& f : geneFeatures())
        columns.push_back(f.name);
    return columns;
}

void writeCandidatesCsv(std::ostream& out, const std::vector<CandidateRecord>& records) {
    const std::vector<std::string> columns = candidateCsvColumns();
    for (std::size_t i = 0; i < columns.size(); ++i)
        out << (i ? "," : "") << columns[i];
    out << "\n";
    auto optional = [](const std::optional<double>& v) { return v ? number(*v) : std::string(); };
    for (const CandidateRecord& r : records) {
        out << r.run << ',' << r.archId << ',' << quoted(r.key) << ',' << r.generation << ','
            << number(r.fitness) << ',' << number(r.flops) << ',' << r.paramsActive << ','
            << optional(r.latencyMs) << ',' << optional(r.predictedLatencyMs) << ',' << (r.onFront ? 1 : 0);
        for (double g : r.genes)
            out << ',' << number(g);
        out << "\n";
    }
}

std::vector<CandidateRecord> readCandidatesCsv(std::istream& in) {
    std::vector<std::string> columns = candidateCsvColumns();
    std::vector<std::string> fields;
    std::string line;
    if (!std::getline(in, line)) throw std::runtime_error("candidates CSV: empty file (no header)");
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const bool split = splitFields(line, fields);
    // A file of the format before the run column: the same columns without the first.
    const bool withRun = split && fields == columns;
    if (!withRun) columns.erase(columns.begin());
    if (!split || fields != columns)
        throw std::runtime_error("candidates CSV line 1: unexpected header \"" + line + "\"");
    std::vector<CandidateRecord> records;
    int lineNo = 1;
    while (std::getline(in, line)) {
        ++lineNo;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty()) continue;
        const std::string where = "candidates CSV line " + std::to_string(lineNo);
        if (!splitFields(line, fields)) throw std::runtime_error(where + ": unclosed quote");
        if (fields.size() != columns.size())
            throw std::runtime_error(where + ": " + std::to_string(fields.size()) + " fields, expected " +
                                     std::to_string(columns.size()));
        std::size_t col = 0;
        auto fail = [&](const char* what) {
            throw std::runtime_error(where + ", column " + columns[col] + ": " + what + " \"" + fields[col] +
                                     "\"");
        };
        auto real = [&]() {
            try {
                std::size_t used = 0;
                const double v = std::stod(fields[col], &used);
                if (used != fields[col].size()) fail("not a number");
                return v;
            } catch (const std::logic_error&) {
                fail("not a number");
            }
            return 0.0;
        };
        auto integer = [&]() {
            try {
                std::size_t used = 0;
                const long long v = std::stoll(fields[col], &used);
                if (used != fields[col].size()) fail("not an integer");
                return std::int64_t(v);
            } catch (const std::logic_error&) {
                fail("not an integer");
            }
            return std::int64_t(0);
        };
        CandidateRecord r;
        if (withRun) r.run = integer(), ++col;
        r.archId = integer(), ++col;
        r.key = fields[col++];
        r.generation = integer(), ++col;
        r.fitness = real(), ++col;
        r.flops = real(), ++col;
        r.paramsActive = integer(), ++col;
        if (!fields[col].empty()) r.latencyMs = real();
        ++col;
        if (!fields[col].empty()) r.predictedLatencyMs = real();
        ++col;
        if (fields[col] != "0" && fields[col] != "1") fail("not 0 or 1");
        r.onFront = fields[col++] == "1";
        for (; col < fields.size(); ++col)
            r.genes.push_back(real());
        records.push_back(std::move(r));
    }
    return records;
}

} // namespace automoe
