#include "cost/LatencyPredictor.h"

#include "cost/LatencyMeterVersion.h"

#include "nn/TorchArchive.h"
#include "nn/TorchRuntime.h"

#include <ATen/CPUGeneratorImpl.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <stdexcept>

namespace automoe {

namespace {

constexpr const char* kFormat = "automoe-latency-predictor";
constexpr int kVersion = 1;

torch::nn::Sequential makeNet(int64_t in, int64_t hidden) {
    return torch::nn::Sequential(torch::nn::Linear(in, hidden), torch::nn::ReLU(),
                                 torch::nn::Linear(hidden, hidden), torch::nn::ReLU(),
                                 torch::nn::Linear(hidden, 1));
}

// LibTorch's default Linear initialisation (uniform in +-1/sqrt(fan_in)), drawn from a seeded generator so
// that training does not depend on (or disturb) the global random stream.
void initNet(torch::nn::Sequential& net, uint64_t seed) {
    torch::NoGradGuard guard;
    at::Generator gen = at::detail::createCPUGenerator(seed);
    for (const auto& m : net->modules(/*include_self=*/false))
        if (auto* l = m->as<torch::nn::Linear>()) {
            const double bound = 1.0 / std::sqrt(double(l->weight.size(1)));
            l->weight.uniform_(-bound, bound, gen);
            l->bias.uniform_(-bound, bound, gen);
        }
}

nlohmann::json dimsToJson(const SupernetDims& d) {
    return {{"embed_dim", d.embedDim},
            {"encoder_embed_dim", d.encoderEmbedDim},
            {"decoder_embed_dim", d.decoderEmbedDim},
            {"encoder_layers", d.encoderLayers},
            {"decoder_layers", d.decoderLayers},
            {"encoder_ffn_dim", d.encoderFfnDim},
            {"decoder_ffn_dim", d.decoderFfnDim},
            {"encoder_experts", d.encoderExperts},
            {"decoder_experts", d.decoderExperts},
            {"max_heads", d.maxHeads},
            {"qkv_dim", d.qkvDim}};
}

SupernetDims dimsFromJson(const nlohmann::json& j) {
    SupernetDims d;
    d.embedDim = j.at("embed_dim").get<int>();
    d.encoderEmbedDim = j.at("encoder_embed_dim").get<int>();
    d.decoderEmbedDim = j.at("decoder_embed_dim").get<int>();
    d.encoderLayers = j.at("encoder_layers").get<int>();
    d.decoderLayers = j.at("decoder_layers").get<int>();
    d.encoderFfnDim = j.at("encoder_ffn_dim").get<int>();
    d.decoderFfnDim = j.at("decoder_ffn_dim").get<int>();
    d.encoderExperts = j.at("encoder_experts").get<int>();
    d.decoderExperts = j.at("decoder_experts").get<int>();
    d.maxHeads = j.at("max_heads").get<int>();
    d.qkvDim = j.at("qkv_dim").get<int>();
    return d;
}

torch::Tensor readTensor(torch::serialize::InputArchive& archive, const std::string& key,
                         const std::string& path) {
    torch::Tensor t;
    bool found = false;
    try {
        found = archive.try_read(key, t);
    } catch (const std::exception&) {
        found = false;
    }
    if (!found || !t.defined()) throw std::runtime_error(path + ": missing or malformed entry '" + key + "'");
    return t;
}

} // namespace

LatencyMetrics latencyMetrics(const std::vector<double>& predicted, const std::vector<double>& measured) {
    if (predicted.size() != measured.size())
        throw std::invalid_argument("latencyMetrics: " + std::to_string(predicted.size()) +
                                    " predictions for " + std::to_string(measured.size()) + " measurements");
    LatencyMetrics m;
    m.count = static_cast<int>(measured.size());
    if (measured.empty()) {
        m.kendallTau = std::numeric_limits<double>::quiet_NaN();
        return m;
    }
    double se = 0, ape = 0;
    int apeCount = 0;
    for (size_t i = 0; i < measured.size(); ++i) {
        const double e = predicted[i] - measured[i];
        se += e * e;
        if (measured[i] != 0) {
            ape += std::abs(e) / std::abs(measured[i]);
            ++apeCount;
        }
    }
    m.rmse = std::sqrt(se / double(measured.size()));
    m.mape = apeCount > 0 ? ape / apeCount : std::numeric_limits<double>::quiet_NaN();
    m.kendallTau = kendallTauB(predicted, measured);
    return m;
}

LatencyPredictor::LatencyPredictor(const SupernetDims& dims, int hidden)
    : features_(dims)
    , hidden_(hidden)
    , meterVersion_(kLatencyMeterVersion) {
    if (hidden < 1) throw std::invalid_argument("LatencyPredictor: hidden width must be positive");
    net_ = makeNet(features_.size(), hidden_);
    inputMean_ = torch::zeros({features_.size()});
    inputStd_ = torch::ones({features_.size()});
}

torch::Tensor LatencyPredictor::featureMatrix(const std::vector<Architecture>& archs) const {
    const int64_t F = features_.size();
    auto x = torch::empty({static_cast<int64_t>(archs.size()), F});
    auto acc = x.accessor<float, 2>();
    for (size_t i = 0; i < archs.size(); ++i) {
        const std::vector<float> f = features_.of(archs[i]);
        for (int64_t j = 0; j < F; ++j)
            acc[int64_t(i)][j] = f[size_t(j)];
    }
    return x.sub_(inputMean_).div_(inputStd_);
}

torch::Tensor LatencyPredictor::forward(const torch::Tensor& x) const {
    return net_->forward(x).view({-1});
}

LatencyTrainingReport LatencyPredictor::train(const std::vector<LatencySample>& samples,
                                              const LatencyPredictorOptions& o) {
    if (samples.size() < 2)
        throw std::invalid_argument("LatencyPredictor: at least two samples are needed, got " +
                                    std::to_string(samples.size()));
    for (size_t i = 0; i < samples.size(); ++i)
        if (!(samples[i].ms > 0) || !std::isfinite(samples[i].ms))
            throw std::invalid_argument("LatencyPredictor: sample " + std::to_string(i) + " has latency " +
                                        std::to_string(samples[i].ms) + " ms");
    if (o.epochs < 1 || o.batchSize < 1 || !(o.lr > 0) || o.validationFraction < 0 ||
        o.validationFraction >= 1)
        throw std::invalid_argument(
            "LatencyPredictor: epochs, batch size and learning rate must be positive and "
            "the validation fraction in [0, 1)");

    std::mt19937_64 rng(o.seed);
    std::vector<size_t> order(samples.size());
    std::iota(order.begin(), order.end(), 0);
    std::shuffle(order.begin(), order.end(), rng);
    size_t held = static_cast<size_t>(std::floor(o.validationFraction * double(samples.size())));
    held = std::min(held, samples.size() - 2);
    std::vector<LatencySample> trainSet, validSet;
    for (size_t i = 0; i < order.size(); ++i)
        (i < held ? validSet : trainSet).push_back(samples[order[i]]);

    // Standardisation from the training part only.
    std::vector<Architecture> archs;
    std::vector<float> targets;
    for (const auto& s : trainSet) {
        archs.push_back(s.arch);
        targets.push_back(float(s.ms));
    }
    inputMean_ = torch::zeros({features_.size()});
    inputStd_ = torch::ones({features_.size()});
    auto raw = featureMatrix(archs);
    inputMean_ = raw.mean(0);
    inputStd_ = (raw - inputMean_).pow_(2).mean(0).sqrt_();
    inputStd_.masked_fill_(inputStd_.lt(1e-6), 1.0);
    auto x = raw.sub(inputMean_).div_(inputStd_);
    auto yRaw = torch::tensor(targets, torch::kFloat64);
    targetMean_ = yRaw.mean().item<double>();
    targetStd_ = std::max(yRaw.std(/*unbiased=*/false).item<double>(), 1e-9);
    auto y = yRaw.sub(targetMean_).div_(targetStd_).to(torch::kFloat);

    TorchThreadScope threads(o.threads);
    net_ = makeNet(features_.size(), hidden_);
    initNet(net_, o.seed);
    net_->train();
    torch::optim::Adam optimizer(net_->parameters(), torch::optim::AdamOptions(o.lr));
    const int64_t N = x.size(0);
    std::vector<int64_t> perm(static_cast<size_t>(N));
    std::iota(perm.begin(), perm.end(), 0);
    LatencyTrainingReport report;
    for (int epoch = 0; epoch < o.epochs; ++epoch) {
        std::shuffle(perm.begin(), perm.end(), rng);
        auto idx = torch::tensor(perm, torch::kLong);
        double lossSum = 0;
        for (int64_t b = 0; b < N; b += o.batchSize) {
            auto rows = idx.narrow(0, b, std::min<int64_t>(o.batchSize, N - b));
            optimizer.zero_grad();
            auto loss = torch::mse_loss(forward(x.index_select(0, rows)), y.index_select(0, rows));
            loss.backward();
            optimizer.step();
            lossSum += loss.item<double>() * double(rows.size(0));
        }
        report.finalLoss = lossSum / double(N);
    }
    net_->eval();
    trained_ = true;
    report.train = evaluate(trainSet);
    report.validation = evaluate(validSet);
    return report;
}

std::vector<double> LatencyPredictor::predictBatch(const std::vector<Architecture>& archs) const {
    if (!trained_) throw std::logic_error("LatencyPredictor: predict before train() or load()");
    if (archs.empty()) return {};
    torch::NoGradGuard guard;
    TorchThreadScope threads(1);
    auto out =
        forward(featureMatrix(archs)).to(torch::kFloat64).mul_(targetStd_).add_(targetMean_).contiguous();
    return std::vector<double>(out.data_ptr<double>(), out.data_ptr<double>() + out.numel());
}

double LatencyPredictor::predict(const Architecture& arch) const {
    return predictBatch({arch}).front();
}

LatencyMetrics LatencyPredictor::evaluate(const std::vector<LatencySample>& samples) const {
    std::vector<Architecture> archs;
    std::vector<double> measured;
    for (const auto& s : samples) {
        archs.push_back(s.arch);
        measured.push_back(s.ms);
    }
    return latencyMetrics(predictBatch(archs), measured);
}

void LatencyPredictor::save(const std::string& path) const {
    if (!trained_) throw std::logic_error("LatencyPredictor: nothing to save before train()");
    torch::serialize::OutputArchive archive;
    writeArchiveText(archive, "format", kFormat);
    writeArchiveText(archive, "version", std::to_string(kVersion));
    const nlohmann::json config = {{"dims", dimsToJson(features_.dims())},
                                   {"hidden", hidden_},
                                   {"feature_names", features_.names()},
                                   {"meter", meterVersion_}};
    writeArchiveText(archive, "config", config.dump());
    archive.write("input_mean", inputMean_);
    archive.write("input_std", inputStd_);
    archive.write("target", torch::tensor({targetMean_, targetStd_}, torch::kFloat64));
    torch::serialize::OutputArchive weights(archive.compilation_unit());
    net_->save(weights);
    archive.write("net", weights);
    saveArchiveAtomic(archive, path);
}

LatencyPredictor LatencyPredictor::load(const std::string& path) {
    torch::serialize::InputArchive archive;
    loadArchive(archive, path);
    const std::string format = readArchiveText(archive, "format", path);
    if (format != kFormat)
        throw std::runtime_error(path + ": not an AutoMoE latency predictor (format '" +
                                 format.substr(0, 64) + "')");
    const std::string version = readArchiveText(archive, "version", path);
    if (version != std::to_string(kVersion))
        throw std::runtime_error(path + ": latency predictor format version " + version.substr(0, 16) +
                                 " is not supported (this build reads version " + std::to_string(kVersion) +
                                 ")");
    SupernetDims dims;
    int hidden = 0;
    std::vector<std::string> names;
    int meter = 1;
    try {
        const auto config = nlohmann::json::parse(readArchiveText(archive, "config", path));
        dims = dimsFromJson(config.at("dims"));
        hidden = config.at("hidden").get<int>();
        names = config.at("feature_names").get<std::vector<std::string>>();
        meter = config.value("meter", 1);
    } catch (const nlohmann::json::exception& e) {
        throw std::runtime_error(path + ": config: " + e.what());
    }
    LatencyPredictor p = [&] {
        try {
            return LatencyPredictor(dims, hidden);
        } catch (const std::invalid_argument& e) {
            throw std::runtime_error(path + ": " + e.what());
        }
    }();
    p.meterVersion_ = meter;
    if (names != p.features_.names())
        throw std::runtime_error(path + ": its feature layout differs from this build's LatencyFeatures");
    p.inputMean_ = readTensor(archive, "input_mean", path).to(torch::kFloat).contiguous();
    p.inputStd_ = readTensor(archive, "input_std", path).to(torch::kFloat).contiguous();
    const auto target = readTensor(archive, "target", path).to(torch::kFloat64).contiguous();
    const int64_t F = p.features_.size();
    if (p.inputMean_.numel() != F || p.inputStd_.numel() != F || target.numel() != 2)
        throw std::runtime_error(path + ": standardisation does not match the feature layout");
    p.inputMean_ = p.inputMean_.view({F});
    p.inputStd_ = p.inputStd_.view({F});
    p.targetMean_ = target[0].item<double>();
    p.targetStd_ = target[1].item<double>();

    std::vector<std::vector<int64_t>> shapes;
    for (const auto& t : p.net_->parameters())
        shapes.push_back(t.sizes().vec());
    try {
        torch::serialize::InputArchive weights;
        if (!archive.try_read("net", weights)) throw std::runtime_error("missing entry 'net'");
        p.net_->load(weights);
    } catch (const std::exception& e) {
        std::string why = e.what();
        throw std::runtime_error(path + ": weights: " + why.substr(0, why.find('\n')));
    }
    size_t i = 0;
    for (const auto& t : p.net_->parameters())
        if (t.sizes().vec() != shapes[i++])
            throw std::runtime_error(path + ": weights do not match the stored hidden width");
    p.net_->eval();
    p.trained_ = true;
    return p;
}

} // namespace automoe
