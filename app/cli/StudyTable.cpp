#include "cli/StudyTable.h"

#include "util/Format.h"

#include <cstdio>

namespace automoe::cli {

void printMoeDenseTable(const std::vector<MoeDenseStudyRow>& rows) {
    std::printf("%-9s  %6s  %8s  %9s  %9s  %7s  %10s  %9s  %6s  %6s  %5s\n", "METHOD", "BUDGET", "FLOPS",
                "ACTIVE", "TOTAL", "EXPERTS", "LATENCY MS", "VALID NLL", "BLEU", "CHRF", "RUN");
    for (const MoeDenseStudyRow& r : rows)
        std::printf("%-9s  %6s  %8s  %9s  %9s  %7d  %10.2f  %9.3f  %6.2f  %6.2f  %5lld\n", r.method.c_str(),
                    r.budget ? (formatFixed(*r.budget, 2) + "x").c_str() : "-", formatSI(r.flops).c_str(),
                    formatSI(double(r.paramsActive)).c_str(), formatSI(double(r.paramsTotal)).c_str(),
                    r.experts, r.latencyMs, r.validNll, r.bleu, r.chrf, (long long)r.run);
}

} // namespace automoe::cli
