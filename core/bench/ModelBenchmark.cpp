#include "bench/ModelBenchmark.h"

#include "bench/DenseTransformerPeer.h"
#include "cost/CostModel.h"
#include "nn/SuperTransformer.h"
#include "nn/TorchRuntime.h"
#include "nn/WeightMixture.h"
#include "space/SpaceIO.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

namespace automoe {

namespace {

using Clock = std::chrono::steady_clock;
constexpr int64_t kPad = 1;
constexpr int kWarmup = 2;
constexpr int kMinRepeats = 3;

double seconds(Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double>(b - a).count();
}

double median(std::vector<double> v) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

struct Batch {
    torch::Tensor src, tgtIn, tgtOut; // [B, S], [B, T], [B, T]
    std::vector<int> srcLens, tgtLens;
};

// A batch shaped like a token-bucketed one: source lengths 18..28, targets within 3 tokens of their source,
// as many sentences as fit `batchTokens` padded tokens per side.
Batch makeBatch(int64_t batchTokens, int64_t vocab, std::mt19937_64& rng) {
    const int maxLen = 31;
    const int64_t B = std::max<int64_t>(1, batchTokens / maxLen);
    std::uniform_int_distribution<int> srcLen(18, 28), delta(-3, 3);
    std::uniform_int_distribution<int64_t> token(kPad + 3, vocab - 1);
    Batch b;
    for (int64_t i = 0; i < B; ++i) {
        b.srcLens.push_back(srcLen(rng));
        b.tgtLens.push_back(std::clamp(b.srcLens.back() + delta(rng), 2, maxLen));
    }
    const int S = *std::max_element(b.srcLens.begin(), b.srcLens.end());
    const int T = *std::max_element(b.tgtLens.begin(), b.tgtLens.end());
    b.src = torch::full({B, S}, kPad, torch::kLong);
    b.tgtIn = torch::full({B, T}, kPad, torch::kLong);
    b.tgtOut = torch::full({B, T}, kPad, torch::kLong);
    auto src = b.src.accessor<int64_t, 2>();
    auto tin = b.tgtIn.accessor<int64_t, 2>();
    auto tout = b.tgtOut.accessor<int64_t, 2>();
    for (int64_t i = 0; i < B; ++i) {
        for (int t = 0; t < b.srcLens[size_t(i)]; ++t)
            src[i][t] = token(rng);
        tin[i][0] = kPad + 1; // beginning of sentence
        for (int t = 0; t < b.tgtLens[size_t(i)]; ++t) {
            tout[i][t] = t + 1 < b.tgtLens[size_t(i)] ? token(rng) : kPad + 2; // ... then end of sentence
            if (t + 1 < b.tgtLens[size_t(i)]) tin[i][t + 1] = tout[i][t];
        }
    }
    return b;
}

// 3 x forward FLOPs of `arch` on the batch: the cost model at every sentence's real lengths (attention
// quadratic in its own length), with the measured routing, plus the output projection.
double stepFlops(const Architecture& arch, const Batch& b, int64_t vocab, const RoutingProfile* routing) {
    double total = 0;
    for (size_t i = 0; i < b.srcLens.size(); ++i) {
        CostOptions o;
        o.srcLen = b.srcLens[i];
        o.tgtLen = b.tgtLens[i];
        o.vocabSize = static_cast<int>(vocab);
        o.routing = routing;
        total += CostModel::evaluate(arch, o).flops;
    }
    return 3 * total;
}

GemmMeasurement timeGemm(const std::string& label, int64_t m, int64_t k, int64_t n, bool transposedB,
                         double budget) {
    auto a = torch::randn({m, k});
    // The model's linear layers multiply by a transposed weight (x W^T); time that layout for model shapes.
    auto b = transposedB ? torch::randn({n, k}).t() : torch::randn({k, n});
    std::vector<double> times;
    for (int i = 0; i < kWarmup; ++i)
        torch::mm(a, b);
    const auto start = Clock::now();
    while (times.size() < size_t(kMinRepeats) || seconds(start, Clock::now()) < budget) {
        const auto t0 = Clock::now();
        auto c = torch::mm(a, b);
        times.push_back(seconds(t0, Clock::now()));
        if (times.size() > 10000) break;
    }
    GemmMeasurement g;
    g.label = label;
    g.m = m;
    g.k = k;
    g.n = n;
    g.gflops = 2.0 * double(m) * double(k) * double(n) / median(times) / 1e9;
    return g;
}

void clearGrads(torch::nn::Module& m) {
    for (auto& p : m.parameters())
        p.mutable_grad() = torch::Tensor();
}

struct Runner {
    ModelMeasurement m;
    std::function<void()> step;
    std::vector<double> times;
};

Architecture withExperts(Architecture a, const SupernetDims& d, int experts) {
    for (Stack s : {Stack::Encoder, Stack::Decoder}) {
        const bool enc = s == Stack::Encoder;
        const int width = enc ? d.encoderFfnDim : d.decoderFfnDim;
        const int n = std::min(experts, enc ? d.encoderExperts : d.decoderExperts);
        for (auto& l : a.stack(s).layers) {
            l.expertWidths.assign(size_t(n), width);
            l.topK = 1;
            if (!enc) l.arbitraryEnde = -1; // the peer attends to the last encoder layer only
        }
    }
    return a;
}

std::string fmt(const char* format, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, format, v);
    return buf;
}

} // namespace

GemmMeasurement measureGemm(const std::string& label, int64_t m, int64_t k, int64_t n, bool transposedB,
                            double seconds) {
    return timeGemm(label, m, k, n, transposedB, seconds);
}

long peakResidentKb() {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("VmHWM:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
    return 0;
}

ModelBenchmarkResult runModelBenchmark(const ModelBenchmarkOptions& opt,
                                       const std::function<void(const std::string&)>& progress) {
    auto say = [&](const std::string& s) {
        if (progress) progress(s);
    };
    if (opt.batchTokens < 31)
        throw std::runtime_error("bench model: --batch-tokens must be at least 31, got " +
                                 std::to_string(opt.batchTokens));
    if (opt.seconds <= 0) throw std::runtime_error("bench model: --seconds must be positive");
    if (opt.vocabSize < 16) throw std::runtime_error("bench model: vocabulary too small");

    configureTorchThreads(opt.threads);
    torch::manual_seed(opt.seed);
    std::mt19937_64 rng(opt.seed);

    const SearchSpace space = loadSpace(opt.spacePath);
    const SupernetDims dims = space.supernet();

    ModelBenchmarkResult r;
    r.space = space.name;
    r.threads = torchThreads();
    r.vocabSize = opt.vocabSize;
    const Batch batch = makeBatch(opt.batchTokens, opt.vocabSize, rng);
    r.sentences = batch.src.size(0);
    for (size_t i = 0; i < batch.srcLens.size(); ++i) {
        r.srcTokens += batch.srcLens[i];
        r.tgtTokens += batch.tgtLens[i];
    }
    r.srcPadded = batch.src.numel();
    r.tgtPadded = batch.tgtIn.numel();
    const double realTokens = double(r.srcTokens + r.tgtTokens);
    r.flopsNote =
        "FLOPs per step = 3 x forward FLOPs from CostModel::evaluate (HAT convention: linear layers and "
        "attention products, no bias/softmax/LayerNorm) summed over the batch at each sentence's real "
        "lengths, with the routing measured on this batch, plus the output projection; padding work "
        "is not counted as useful";

    // GEMM peak, measured now so that it shares the machine state with the models.
    say("timing GEMMs");
    const double gemmBudget = std::max(0.3, opt.seconds / 3);
    r.gemm.push_back(timeGemm("1024^3", 1024, 1024, 1024, false, gemmBudget));
    r.gemm.push_back(timeGemm("FFN in  (src tokens x e) W^T", r.srcPadded, dims.encoderEmbedDim,
                              dims.encoderFfnDim, true, gemmBudget));
    r.gemm.push_back(timeGemm("FFN out (src tokens x f) W^T", r.srcPadded, dims.encoderFfnDim,
                              dims.encoderEmbedDim, true, gemmBudget));
    r.gemm.push_back(timeGemm("attn q  (src tokens x e) W^T", r.srcPadded, dims.encoderEmbedDim, dims.qkvDim,
                              true, gemmBudget));
    r.gemm.push_back(timeGemm("output  (tgt tokens x e) E^T", r.tgtPadded, dims.decoderEmbedDim,
                              opt.vocabSize, true, gemmBudget));
    for (const auto& g : r.gemm)
        r.gemmPeak = std::max(r.gemmPeak, g.gflops);

    // The supernet and its architectures.
    say("building the supernet");
    SuperTransformerConfig config;
    config.vocabSize = opt.vocabSize;
    config.padIndex = kPad;
    config.dims = dims;
    SuperTransformer model(config);
    model->train();

    const Architecture largest = space.largest();
    const Architecture dense = withExperts(largest, dims, 1);
    r.moeExperts = std::min({4, dims.encoderExperts, dims.decoderExperts});
    const Architecture moe = withExperts(largest, dims, r.moeExperts);
    struct Named {
        std::string name;
        Architecture arch;
        bool skipPadding;
    };
    // Rows kDense and kMoE are compared with the peer.
    constexpr size_t kDense = 3, kMoE = 5;
    std::vector<Named> archs{
        {"supernet largest", largest, true},
        {"supernet smallest", space.smallest(), true},
        {"supernet random", space.sample(rng), true},
        {"supernet largest-dense", dense, true},
        {"supernet largest-dense, FFN on pad rows", dense, false},
        {"supernet largest " + std::to_string(r.moeExperts) + " experts top-1", moe, true}};

    auto lossOf = [&](const torch::Tensor& logits, const torch::Tensor& target) {
        return torch::nn::functional::cross_entropy(
            logits.reshape({-1, opt.vocabSize}), target.reshape({-1}),
            torch::nn::functional::CrossEntropyFuncOptions().ignore_index(kPad));
    };

    // Mixture-of-Supernets beside it: the same seed, so its first weight set equals the shared supernet's
    // weights; timed on the rows that differ in what the mixture covers.
    const MixtureOptions mixture = [&] {
        MixtureOptions m;
        m.kind = supernetKind(opt.supernet);
        m.sets = opt.mosSets;
        m.attention = opt.mosAttention;
        if (m.enabled() && m.sets < 1)
            throw std::runtime_error("bench model: --mos-experts must be at least 1, got " +
                                     std::to_string(m.sets));
        return m;
    }();
    SuperTransformer mosModel{nullptr};
    const std::vector<size_t> mosRows{0, 1, 2, kMoE};
    if (mixture.enabled()) {
        say("building the " + mixture.label() + " supernet");
        r.hasMixture = true;
        MixtureBenchmark& x = r.mixture;
        x.label = mixture.label();
        for (const auto& p : model->parameters())
            x.supernetParams += p.numel();
        SuperTransformerConfig mosConfig = config;
        mosConfig.mixture = mixture;
        torch::manual_seed(opt.seed);
        mosModel = SuperTransformer(mosConfig);
        mosModel->train();
        for (const SuperLinear& lin : mosModel->mixedLinears()) {
            x.coveredParams += lin->weight.numel() + (lin->bias.defined() ? lin->bias.numel() : 0);
            x.extraSetParams += lin->mixture->weight.numel() +
                                (lin->mixture->bias.defined() ? lin->mixture->bias.numel() : 0);
            for (const auto& p : lin->mixture->routerHidden->parameters())
                x.routerParams += p.numel();
            for (const auto& p : lin->mixture->routerOut->parameters())
                x.routerParams += p.numel();
        }
        x.trainingExtraMb = double(x.extraSetParams + x.routerParams) * 4.0 * 4.0 / (1024.0 * 1024.0);
    }

    // One timed training step of `m` on `arch`: forward, cross-entropy + balance loss, backward; the same
    // for the shared and the MoS supernet.
    auto trainingStep = [&](SuperTransformer m, const Architecture& arch, bool skipPadding) {
        return [&, m, arch, skipPadding]() mutable {
            m->setArchitecture(arch);
            m->setSkipPadding(skipPadding);
            clearGrads(*m);
            auto out = m->forward(batch.src, batch.tgtIn);
            auto loss = lossOf(out.logits, batch.tgtOut) + 0.01 * out.loadBalancingLoss;
            loss.backward();
        };
    };

    std::vector<Runner> runners;
    for (const auto& a : archs) {
        model->setArchitecture(a.arch);
        // The routing this batch actually takes, for the FLOP count (tracing is off while timing).
        RoutingProfile profile;
        {
            torch::NoGradGuard g;
            model->eval();
            model->setTracing(true);
            model->forward(batch.src, batch.tgtIn);
            profile = model->trace().profile(a.arch);
            model->setTracing(false);
            model->clearTrace();
            model->train();
        }
        Runner run;
        run.m.name = a.name;
        run.m.arch = a.arch.key();
        run.m.params = model->sampledParameterCount();
        run.m.flopsPerStep = stepFlops(a.arch, batch, opt.vocabSize, &profile);
        run.step = trainingStep(model, a.arch, a.skipPadding);
        runners.push_back(std::move(run));
    }

    // The dense peer with the largest dense architecture's dimensions.
    DenseTransformerPeer peer{nullptr};
    const int heads = largest.encoder.layers.empty() ? 1 : largest.encoder.layers[0].selfHeads;
    if (opt.includePeer) {
        if (dense.encoder.embedDim != dense.decoder.embedDim)
            r.notes.push_back("no peer: torch::nn::Transformer needs equal encoder and decoder widths");
        else if (dense.encoder.embedDim % heads != 0)
            r.notes.push_back("no peer: d_model is not a multiple of the head count");
    }
    if (opt.includePeer && r.notes.empty()) {
        DenseTransformerPeerConfig pc;
        pc.vocabSize = opt.vocabSize;
        pc.padIndex = kPad;
        pc.dModel = dense.encoder.embedDim;
        pc.heads = heads;
        pc.ffnDim = dims.encoderFfnDim;
        pc.encoderLayers = dense.encoder.depth();
        pc.decoderLayers = dense.decoder.depth();
        if (dims.decoderFfnDim != dims.encoderFfnDim)
            r.notes.push_back("peer uses the encoder FFN width in both stacks");
        peer = DenseTransformerPeer(pc);
        peer->train();
        // Its FLOPs: the same architecture with Q/K/V as wide as d_model (torch's attention has no qkv_dim).
        Architecture peerArch = dense;
        peerArch.qkvDim = int(pc.dModel);
        for (Stack s : {Stack::Encoder, Stack::Decoder})
            for (auto& l : peerArch.stack(s).layers) {
                l.selfHeads = heads;
                l.endeHeads = heads;
            }
        if (peerArch.qkvDim != dense.qkvDim)
            r.notes.push_back(
                "the space's qkv_dim is " + std::to_string(dense.qkvDim) + " but the peer's Q/K/V are " +
                std::to_string(peerArch.qkvDim) +
                " wide (d_model): the peer does more attention work per token, so compare GFLOP/s too");
        Runner run;
        run.m.name = "peer torch::nn::Transformer";
        run.m.arch = "d_model " + std::to_string(pc.dModel) + ", heads " + std::to_string(pc.heads) +
                     ", ffn " + std::to_string(pc.ffnDim) + ", layers " + std::to_string(pc.encoderLayers) +
                     "+" + std::to_string(pc.decoderLayers) + ", post-norm";
        run.m.params = CostModel::evaluate(peerArch).paramsHat;
        run.m.flopsPerStep = stepFlops(peerArch, batch, opt.vocabSize, nullptr);
        const auto tgtOutSeqFirst = batch.tgtOut.t().contiguous();
        run.step = [&, tgtOutSeqFirst] {
            clearGrads(*peer);
            auto logits = peer->forward(batch.src, batch.tgtIn);
            lossOf(logits, tgtOutSeqFirst).backward();
        };
        runners.push_back(std::move(run));
    }

    const size_t firstMosRunner = runners.size();
    if (mosModel)
        for (size_t row : mosRows) {
            Runner run;
            run.m = runners[row].m;
            run.m.name = r.mixture.label + " " + archs[row].name.substr(std::string("supernet ").size());
            mosModel->setArchitecture(archs[row].arch);
            run.m.params = mosModel->sampledParameterCount();
            run.step = trainingStep(mosModel, archs[row].arch, archs[row].skipPadding);
            runners.push_back(std::move(run));
        }

    // Warm-up, then round-robin: one step of each model per round, so that load changes on a shared
    // machine hit every model alike; the median of each model's steps is reported.
    say("warming up");
    for (auto& run : runners)
        for (int i = 0; i < kWarmup; ++i)
            run.step();
    say("measuring (" + std::to_string(runners.size()) + " models, ~" +
        fmt("%.0f", opt.seconds * runners.size()) + " s)");
    const auto start = Clock::now();
    const double budget = opt.seconds * double(runners.size());
    while (runners.front().times.size() < size_t(kMinRepeats) || seconds(start, Clock::now()) < budget) {
        for (auto& run : runners) {
            const auto t0 = Clock::now();
            run.step();
            run.times.push_back(seconds(t0, Clock::now()));
        }
    }
    model->setSkipPadding(true);

    for (auto& run : runners) {
        auto& m = run.m;
        const double t = median(run.times);
        m.repeats = int(run.times.size());
        m.stepMs = 1000 * t;
        m.tokensPerSec = realTokens / t;
        m.gflops = m.flopsPerStep / t / 1e9;
        m.fractionOfPeak = r.gemmPeak > 0 ? m.gflops / r.gemmPeak : 0;
        r.models.push_back(m);
    }
    if (mosModel)
        for (size_t i = 0; i < mosRows.size(); ++i) {
            const ModelMeasurement& shared = r.models[mosRows[i]];
            const ModelMeasurement& mos = r.models[firstMosRunner + i];
            r.mixture.rows.push_back(shared.name);
            r.mixture.stepRatios.push_back(mos.stepMs / shared.stepMs);
            r.mixture.maxStepRatio = std::max(r.mixture.maxStepRatio, r.mixture.stepRatios.back());
        }
    if (opt.includePeer && runners.size() > archs.size() &&
        runners[archs.size()].m.name.rfind("peer", 0) == 0) {
        const auto& p = r.models[archs.size()];
        const auto& d = r.models[kDense];
        const auto& e = r.models[kMoE];
        r.denseRatio = d.tokensPerSec / p.tokensPerSec;
        r.moeRatio = e.tokensPerSec / p.tokensPerSec;
        r.denseFlopRatio = d.gflops / p.gflops;
        r.moeFlopRatio = e.gflops / p.gflops;
    }
    r.peakRssKb = peakResidentKb();
    return r;
}

std::string formatModelBenchmark(const ModelBenchmarkResult& r) {
    std::ostringstream o;
    char line[512];
    std::snprintf(line, sizeof line, "automoe bench model: space '%s', %d threads\n", r.space.c_str(),
                  r.threads);
    o << line;
    std::snprintf(line, sizeof line,
                  "batch: %lld sentences, %lld + %lld real tokens (source + target), padded %lld + %lld, "
                  "vocab %lld\n\n",
                  (long long)r.sentences, (long long)r.srcTokens, (long long)r.tgtTokens,
                  (long long)r.srcPadded, (long long)r.tgtPadded, (long long)r.vocabSize);
    o << line;
    o << "GEMM, torch::mm fp32                       M x K x N           GFLOP/s\n";
    for (const auto& g : r.gemm) {
        std::snprintf(line, sizeof line, "  %-38s %5lld x %4lld x %5lld %9.1f\n", g.label.c_str(),
                      (long long)g.m, (long long)g.k, (long long)g.n, g.gflops);
        o << line;
    }
    std::snprintf(line, sizeof line, "  %-57s %9.1f\n\n", "peak", r.gemmPeak);
    o << line;
    o << "forward + backward, median of repeats      step ms   tokens/s   GFLOP/s  % of peak  params   "
         "runs\n";
    for (const auto& m : r.models) {
        std::snprintf(line, sizeof line, "  %-40s %7.1f %10.0f %9.1f %9.1f%% %7.2fM %5d\n", m.name.c_str(),
                      m.stepMs, m.tokensPerSec, m.gflops, 100 * m.fractionOfPeak, double(m.params) / 1e6,
                      m.repeats);
        o << line;
    }
    o << "\n";
    if (r.denseRatio > 0) {
        std::snprintf(line, sizeof line,
                      "supernet / peer tokens/s:  largest-dense %.2f (target >= 0.80), %d experts top-1 %.2f "
                      "(target >= 0.60)\n",
                      r.denseRatio, r.moeExperts, r.moeRatio);
        o << line;
        std::snprintf(
            line, sizeof line,
            "supernet / peer GFLOP/s:   largest-dense %.2f, %d experts top-1 %.2f (same work measure)\n",
            r.denseFlopRatio, r.moeExperts, r.moeFlopRatio);
        o << line;
    }
    if (r.hasMixture) {
        const MixtureBenchmark& x = r.mixture;
        o << "Mixture-of-Supernets " << x.label << " beside the shared supernet (same seed, same batch):\n";
        for (size_t i = 0; i < x.rows.size(); ++i) {
            std::snprintf(line, sizeof line, "  step time / shared  %-36s %.3f\n", x.rows[i].c_str(),
                          x.stepRatios[i]);
            o << line;
        }
        std::snprintf(line, sizeof line, "  worst %.3f (target <= 1.25)\n", x.maxStepRatio);
        o << line;
        std::snprintf(line, sizeof line,
                      "  parameters: supernet %.2fM; covered by the mixture %.2fM; further sets %.2fM; "
                      "routers %.3fM (+%.1f%% of the supernet)\n",
                      double(x.supernetParams) / 1e6, double(x.coveredParams) / 1e6,
                      double(x.extraSetParams) / 1e6, double(x.routerParams) / 1e6,
                      100.0 * double(x.extraSetParams + x.routerParams) /
                          double(std::max<int64_t>(1, x.supernetParams)));
        o << line;
        std::snprintf(line, sizeof line,
                      "  memory: +%.1f MB in training (further sets and routers: weights, gradients, 2 Adam "
                      "moments at fp32)\n",
                      x.trainingExtraMb);
        o << line;
    }
    std::snprintf(line, sizeof line, "peak memory (VmHWM): %.1f MB\n", double(r.peakRssKb) / 1024.0);
    o << line;
    o << "\narchitectures:\n";
    for (const auto& m : r.models)
        o << "  " << m.name << ": " << m.arch << "\n";
    o << "\n" << r.flopsNote << ".\n";
    for (const auto& n : r.notes)
        o << "note: " << n << ".\n";
    return o.str();
}

nlohmann::json modelBenchmarkJson(const ModelBenchmarkResult& r) {
    nlohmann::json j;
    j["space"] = r.space;
    j["threads"] = r.threads;
    j["batch"] = {{"sentences", r.sentences},  {"src_tokens", r.srcTokens}, {"tgt_tokens", r.tgtTokens},
                  {"src_padded", r.srcPadded}, {"tgt_padded", r.tgtPadded}, {"vocab", r.vocabSize}};
    j["gemm"] = nlohmann::json::array();
    for (const auto& g : r.gemm)
        j["gemm"].push_back({{"label", g.label}, {"m", g.m}, {"k", g.k}, {"n", g.n}, {"gflops", g.gflops}});
    j["gemm_peak_gflops"] = r.gemmPeak;
    j["models"] = nlohmann::json::array();
    for (const auto& m : r.models)
        j["models"].push_back({{"name", m.name},
                               {"arch", m.arch},
                               {"repeats", m.repeats},
                               {"step_ms", m.stepMs},
                               {"tokens_per_sec", m.tokensPerSec},
                               {"flops_per_step", m.flopsPerStep},
                               {"gflops", m.gflops},
                               {"fraction_of_peak", m.fractionOfPeak},
                               {"params", m.params}});
    j["ratio_tokens_dense"] = r.denseRatio;
    j["ratio_tokens_moe"] = r.moeRatio;
    j["ratio_gflops_dense"] = r.denseFlopRatio;
    j["ratio_gflops_moe"] = r.moeFlopRatio;
    j["moe_experts"] = r.moeExperts;
    j["peak_rss_kb"] = r.peakRssKb;
    j["flops_note"] = r.flopsNote;
    j["notes"] = r.notes;
    if (r.hasMixture) {
        const MixtureBenchmark& x = r.mixture;
        j["mixture"] = {{"label", x.label},
                        {"supernet_params", x.supernetParams},
                        {"covered_params", x.coveredParams},
                        {"extra_set_params", x.extraSetParams},
                        {"router_params", x.routerParams},
                        {"training_extra_mb", x.trainingExtraMb},
                        {"rows", x.rows},
                        {"step_ratios", x.stepRatios},
                        {"max_step_ratio", x.maxStepRatio}};
    }
    return j;
}

} // namespace automoe
