// One update of first-order DARTS on the search network (issue 13), the unit the DARTS run repeats and
// `automoe bench darts` times: an Adam step of the architecture weights alpha on one batch (the operations'
// weights held constant), then an Adam step of the weights on another batch (alpha constant), both on the
// label-smoothed loss per target token; the weights' gradient is clipped to a global norm.
#pragma once

#include "data/Batches.h"
#include "nn/DartsSearchNetwork.h"

#include <torch/torch.h>

namespace automoe {

struct DartsOptimizers {
    // Weights: Adam (0.9, 0.98), the rate set per update; alpha: Adam (0.5, 0.999) with weight decay, as
    // DARTS.
    DartsOptimizers(DartsSearchNetworkImpl& net, double weightLr, double alphaLr, double alphaWeightDecay);
    torch::optim::Adam weights, alpha;
};

struct DartsStepResult {
    double alphaLoss = 0;  // per target token, before alpha's step
    double weightLoss = 0; // per target token, before the weights' step
    double weightNll = 0;
    int64_t alphaTargetTokens = 0, weightTargetTokens = 0;
};

// With !stepAlpha the update trains the weights only (a warm-up before alpha moves; alphaLoss stays 0).
DartsStepResult dartsSearchStep(DartsSearchNetworkImpl& net, DartsOptimizers& optimizers,
                                const Batch& alphaBatch, const Batch& weightBatch, double weightLr,
                                double clipNorm, double labelSmoothing, int64_t padIndex,
                                bool stepAlpha = true);

} // namespace automoe
