#include "nn/WeightMixture.h"

#include <stdexcept>

namespace automoe {

SupernetKind supernetKind(const std::string& name) {
    if (name == "shared") return SupernetKind::Shared;
    if (name == "mos-layer") return SupernetKind::MoSLayer;
    if (name == "mos-neuron") return SupernetKind::MoSNeuron;
    throw std::invalid_argument("unknown supernet kind '" + name + "' (shared, mos-layer or mos-neuron)");
}

const char* toString(SupernetKind kind) {
    switch (kind) {
    case SupernetKind::MoSLayer:
        return "mos-layer";
    case SupernetKind::MoSNeuron:
        return "mos-neuron";
    case SupernetKind::Shared:
        break;
    }
    return "shared";
}

nlohmann::json MixtureOptions::toJson() const {
    return {
        {"kind", toString(kind)}, {"sets", sets}, {"attention", attention}, {"router_hidden", routerHidden}};
}

MixtureOptions MixtureOptions::fromJson(const nlohmann::json& j) {
    MixtureOptions o;
    if (!j.is_object()) throw std::invalid_argument("supernet: expected an object");
    try {
        if (j.contains("kind")) o.kind = supernetKind(j.at("kind").get<std::string>());
        o.sets = j.value("sets", o.sets);
        o.attention = j.value("attention", o.attention);
        o.routerHidden = j.value("router_hidden", o.routerHidden);
    } catch (const nlohmann::json::exception& e) {
        throw std::invalid_argument(std::string("supernet: ") + e.what());
    }
    if (o.sets < 1) throw std::invalid_argument("supernet.sets: " + std::to_string(o.sets) + " is not >= 1");
    if (o.routerHidden < 1)
        throw std::invalid_argument("supernet.router_hidden: " + std::to_string(o.routerHidden) +
                                    " is not >= 1");
    return o;
}

std::string MixtureOptions::label() const {
    if (!enabled()) return "shared";
    return std::string(toString(kind)) + " x" + std::to_string(sets) + (attention ? " +attn" : "");
}

WeightMixtureImpl::WeightMixtureImpl(const MixtureOptions& options, int64_t superOut, int64_t superIn,
                                     bool withBias, int64_t encodingSize)
    : options_(options)
    , superOut_(superOut) {
    if (!options.enabled() || options.sets < 1)
        throw std::invalid_argument("WeightMixture: needs a MoS kind and at least one weight set");
    const int64_t extra = options.sets - 1;
    weight = register_parameter("weight", torch::empty({extra, superOut, superIn}));
    if (withBias) bias = register_parameter("bias", torch::zeros({extra, superOut}));
    {
        // Each further set is initialised as the layer's own weight is (Xavier-uniform, zero bias), drawn
        // independently: identical sets would get identical router gradients and never separate.
        torch::NoGradGuard guard;
        for (int64_t k = 0; k < extra; ++k)
            torch::nn::init::xavier_uniform_(weight[k]);
    }
    routerHidden = register_module("router_hidden", torch::nn::Linear(encodingSize, options.routerHidden));
    const int64_t outputs = options.kind == SupernetKind::MoSNeuron ? options.sets * superOut : options.sets;
    routerOut = register_module("router_out", torch::nn::Linear(options.routerHidden, outputs));
}

torch::Tensor WeightMixtureImpl::coefficients(const torch::Tensor& encoding) {
    auto logits = routerOut->forward(torch::relu(routerHidden->forward(encoding)));
    if (options_.kind == SupernetKind::MoSNeuron) logits = logits.view({options_.sets, superOut_});
    return torch::softmax(logits, 0);
}

LinearWeights WeightMixtureImpl::mix(const torch::Tensor& firstWeight, const torch::Tensor& firstBias,
                                     int64_t out, int64_t in, const torch::Tensor& encoding) {
    // One set: the softmax over it is exactly 1, so the mixture is the layer's own block. Returning the
    // block itself (not 1 x block, a new contiguous tensor that the GEMM reads with other strides) keeps
    // a one-set MoS supernet plain weight sharing bit for bit.
    if (options_.sets == 1) return {firstWeight, firstBias};
    const auto alpha = coefficients(encoding);
    const bool neuron = options_.kind == SupernetKind::MoSNeuron;
    // Coefficient of set k, broadcastable against a weight block [out, in] and a bias block [out].
    auto forWeight = [&](int64_t k) { return neuron ? alpha[k].narrow(0, 0, out).unsqueeze(1) : alpha[k]; };
    auto forBias = [&](int64_t k) { return neuron ? alpha[k].narrow(0, 0, out) : alpha[k]; };
    LinearWeights w;
    w.weight = firstWeight * forWeight(0);
    if (firstBias.defined()) w.bias = firstBias * forBias(0);
    for (int64_t k = 1; k < options_.sets; ++k) {
        const auto block = weight[k - 1].narrow(0, 0, out).narrow(1, 0, in);
        w.weight = torch::addcmul(w.weight, block, forWeight(k));
        if (w.bias.defined()) w.bias = torch::addcmul(w.bias, bias[k - 1].narrow(0, 0, out), forBias(k));
    }
    return w;
}

int64_t WeightMixtureImpl::version() const {
    int64_t v = 0;
    for (const auto& p : parameters())
        v += int64_t(p._version());
    return v;
}

} // namespace automoe
