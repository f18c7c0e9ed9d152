#include "SyntheticRun.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace automoe::bench {

std::vector<CandidateRow> syntheticCandidates(int generations, int perGeneration, std::uint64_t seed,
                                              std::int64_t firstId, double quality) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> logFlops(std::log(0.35e9), std::log(3.4e9));
    std::normal_distribution<double> noise(0.0, 1.0);
    std::vector<CandidateRow> rows;
    rows.reserve(std::size_t(generations) * std::size_t(perGeneration));
    std::int64_t id = firstId;
    for (int g = 0; g < generations; ++g) {
        const double t = generations > 1 ? double(g) / (generations - 1) : 1.0;
        for (int i = 0; i < perGeneration; ++i) {
            CandidateRow r;
            r.generation = g;
            // Later generations concentrate on cheaper subnets near the front.
            double lf = logFlops(rng);
            lf -= 0.35 * t * (lf - std::log(0.35e9)) * std::abs(noise(rng)) * 0.6;
            r.flops = std::exp(lf);
            r.paramsActive = std::int64_t(r.flops / 31.0 * std::exp(0.12 * noise(rng)));
            const double frontLoss = 3.55 + 1.45 * std::pow(r.flops / 0.35e9, -0.6);
            const double spread = 0.85 * (1.0 - 0.8 * t) / quality;
            r.fitness = frontLoss + 0.015 + 0.4 * (1.0 - std::min(quality, 1.0)) +
                        spread * std::abs(noise(rng)) * (0.4 + 0.6 * std::abs(noise(rng)));
            const double latency = 18.0 + 42.0 * r.flops / 1e9 * std::exp(0.15 * noise(rng));
            if (i % 5 == 0)
                r.latencyMs = latency;
            else
                r.predictedLatencyMs = latency * std::exp(0.05 * noise(rng));
            r.architecture.id = id++;
            r.architecture.key =
                "g" + std::to_string(g) + "-e512-L" + std::to_string(4 + (i % 3)) + "-x" + std::to_string(id);
            rows.push_back(std::move(r));
        }
    }
    return rows;
}

std::vector<TrainingStepRow> syntheticTrainingSteps(int updates, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> noise(0.0, 1.0);
    std::uniform_real_distribution<double> subnet(0.0, 1.0);
    std::vector<TrainingStepRow> rows;
    rows.reserve(std::size_t(updates));
    const double warmup = 1000, peak = 7e-4;
    for (int u = 1; u <= updates; ++u) {
        TrainingStepRow r;
        r.update = u;
        // The random subnet of this update: its size moves both loss and speed.
        const double size = subnet(rng);
        r.loss = 3.9 + 6.2 * std::exp(-u / 900.0) + 1.1 * std::exp(-u / 9000.0) + 0.35 * (1 - size) +
                 0.12 * noise(rng);
        r.nll = r.loss - 0.3;
        r.lbLoss = 0.01 + 0.004 * std::abs(noise(rng));
        r.lr = u < warmup ? peak * u / warmup : peak * std::sqrt(warmup / u);
        r.tokens = 4096 + std::int64_t(300 * noise(rng));
        r.wallMs = (520.0 + 900.0 * size) * std::exp(0.06 * noise(rng));
        rows.push_back(std::move(r));
    }
    return rows;
}

std::vector<ValidationRow> syntheticValidations(int updates, int every, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> noise(0.0, 1.0);
    std::vector<ValidationRow> rows;
    for (int u = every; u <= updates; u += every) {
        const double base = 3.7 + 6.0 * std::exp(-u / 900.0) + 1.2 * std::exp(-u / 9000.0);
        rows.push_back({u, "largest", base - 0.05 + 0.02 * noise(rng), std::nullopt});
        rows.push_back({u, "smallest", base + 0.42 + 0.02 * noise(rng), std::nullopt});
    }
    return rows;
}

RoutingSnapshot syntheticRouting(std::int64_t update, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::gamma_distribution<double> share(2.5, 1.0);
    RoutingSnapshot snap;
    snap.update = update;
    // Heterogeneous expert counts, as AutoMoE finds them (dense layers do not route).
    const int encoder[] = {2, 4, 1, 3, 4, 2};
    const int decoder[] = {4, 2, 2, 1, 3, 4};
    for (int stack = 0; stack < 2; ++stack) {
        const int* counts = stack == 0 ? encoder : decoder;
        for (int layer = 0; layer < 6; ++layer) {
            const int n = counts[layer];
            if (n < 2) continue;
            std::vector<double> w(static_cast<std::size_t>(n));
            for (double& x : w)
                x = share(rng);
            double sum = 0;
            for (double x : w)
                sum += x;
            for (int e = 0; e < n; ++e)
                snap.rows.push_back({stack == 0 ? "encoder" : "decoder", layer, e, w[std::size_t(e)] / sum});
        }
    }
    return snap;
}

} // namespace automoe::bench
