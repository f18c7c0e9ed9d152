#include "train/DartsStep.h"

#include "train/FusedAdam.h"
#include "train/LabelSmoothedLoss.h"

namespace automoe {

DartsOptimizers::DartsOptimizers(DartsSearchNetworkImpl& net, double weightLr, double alphaLr,
                                 double alphaWeightDecay)
    : weights(net.weightParameters(), torch::optim::AdamOptions(weightLr).betas({0.9, 0.98}).eps(1e-8))
    , alpha(net.architectureParameters(),
            torch::optim::AdamOptions(alphaLr).betas({0.5, 0.999}).weight_decay(alphaWeightDecay)) {}

namespace {

SmoothedLoss lossOf(DartsSearchNetworkImpl& net, const Batch& b, double epsilon, int64_t pad) {
    const auto hidden = net.forwardHidden(b.src, b.tgtIn);
    return labelSmoothedCrossEntropyOfHidden(
        hidden, [&](const torch::Tensor& h) { return net.outputLogits(h); }, b.tgtOut, epsilon, pad);
}

} // namespace

DartsStepResult dartsSearchStep(DartsSearchNetworkImpl& net, DartsOptimizers& optimizers,
                                const Batch& alphaBatch, const Batch& weightBatch, double weightLr,
                                double clipNorm, double labelSmoothing, int64_t padIndex, bool stepAlpha) {
    DartsStepResult r;
    if (stepAlpha) {
        // Alpha on its batch, the weights constant (no gradient computed for them).
        net.setTrainable(false, true);
        optimizers.alpha.zero_grad();
        const SmoothedLoss a = lossOf(net, alphaBatch, labelSmoothing, padIndex);
        r.alphaTargetTokens = a.tokens;
        (a.loss / double(std::max<int64_t>(a.tokens, 1))).backward();
        r.alphaLoss = a.loss.item<double>() / double(std::max<int64_t>(a.tokens, 1));
        optimizers.alpha.step();
    }
    // The weights on theirs, alpha constant.
    net.setTrainable(true, false);
    optimizers.weights.zero_grad();
    const SmoothedLoss w = lossOf(net, weightBatch, labelSmoothing, padIndex);
    r.weightTargetTokens = w.tokens;
    const double tokens = double(std::max<int64_t>(w.tokens, 1));
    (w.loss / tokens).backward();
    r.weightLoss = w.loss.item<double>() / tokens;
    r.weightNll = w.nll.item<double>() / tokens;
    clippedAdamStep(optimizers.weights, net.weightParameters(), weightLr, clipNorm);
    net.setTrainable(true, true);
    return r;
}

} // namespace automoe
