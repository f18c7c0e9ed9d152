// The MoE-vs-dense study's table as `automoe study moe-vs-dense` prints it at the end and `automoe runs show`
// prints it for a stored study.
#pragma once

#include "run/MoeStudyRow.h"

#include <vector>

namespace automoe::cli {

// One line per row (method, budget, FLOPs, active and total params, experts, latency, valid NLL, BLEU, chrF,
// the row's training run), on stdout.
void printMoeDenseTable(const std::vector<MoeDenseStudyRow>& rows);

} // namespace automoe::cli
