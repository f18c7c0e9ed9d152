// The cost model of DESIGN §4: parameter counts and FLOPs of an architecture, analytically, in the HAT
// convention (Q/K/V width fixed at qkv_dim; FLOPs = 2 x multiply-accumulates of linear layers and of the
// attention score / value products; no bias adds, softmax or LayerNorm arithmetic).
#pragma once

#include "space/Architecture.h"

#include <cstdint>
#include <vector>

namespace automoe {

// Measured routing: for each layer of a stack, the expected number of tokens-assignments per token that
// went to each expert (sums to top-k). Empty = uniform routing.
struct RoutingProfile {
    std::vector<std::vector<double>> encoder;
    std::vector<std::vector<double>> decoder;
    bool empty() const { return encoder.empty() && decoder.empty(); }
};

struct CostOptions {
    int srcLen = 30;                         // source tokens of the sentence pair the FLOPs are counted for
    int tgtLen = 30;                         // target tokens (teacher forcing)
    int vocabSize = 0;                       // 0 = unknown: embedding and output layer counted as 0
    const RoutingProfile* routing = nullptr; // nullptr or empty = uniform routing
};

struct ArchitectureCost {
    // Parameters. "Non-embedding" = HAT's convention: no embedding table, no output projection.
    std::int64_t paramsHat = 0;       // non-embedding, all experts of the subnet
    std::int64_t paramsActive = 0;    // non-embedding, used by one token: router + its top-k widest experts
    double paramsActiveExpected = 0;  // non-embedding, expected per token under the routing
    std::int64_t paramsEmbedding = 0; // vocab x max(encoder, decoder embed) (tied with the output layer)
    std::int64_t paramsTotal = 0;     // paramsHat + paramsEmbedding

    // FLOPs for one sentence pair of (srcLen, tgtLen) tokens, batch 1.
    double flopsEncoder = 0;  // encoder, no embedding
    double flopsDecoder = 0;  // decoder, no embedding, no output projection
    double flopsHat = 0;      // flopsEncoder + flopsDecoder (HAT convention at the given lengths)
    double flopsOutput = 0;   // output projection: 2 x tgtLen x decoder embed x vocab
    double flops = 0;         // flopsHat + flopsOutput
    double flopsPerToken = 0; // flopsHat / (srcLen + tgtLen)
    double flopsMoE = 0;      // part of flopsHat spent in routers and experts of MoE layers
};

class CostModel {
public:
    static ArchitectureCost evaluate(const Architecture& arch, const CostOptions& options = {});

    // Pieces, exposed so that tests and the UI can show where the cost goes.
    static std::int64_t layerParams(const Architecture& arch, Stack stack, int layer); // all experts
    static std::int64_t ffnParams(int embedDim, int width);                            // one expert
    static std::int64_t routerParams(int embedDim, int experts);                       // 0 for one expert
};

} // namespace automoe
