#include "nn/SuperTransformer.h"

#include "nn/ProfileScope.h"
#include "space/ArchitectureEncoding.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace automoe {

namespace {

std::string str(int v) {
    return std::to_string(v);
}

int largestDivisorAtMost(int qkv, int heads) {
    for (int h = std::max(1, heads); h > 1; --h)
        if (qkv % h == 0) return h;
    return 1;
}

} // namespace

SuperTransformerImpl::SuperTransformerImpl(const SuperTransformerConfig& config)
    : config_(config) {
    auto& d = config_.dims;
    if (d.embedDim <= 0) d.embedDim = std::max(d.encoderEmbedDim, d.decoderEmbedDim);
    if (d.encoderEmbedDim <= 0 || d.decoderEmbedDim <= 0 || d.encoderLayers <= 0 || d.decoderLayers <= 0 ||
        d.encoderFfnDim <= 0 || d.decoderFfnDim <= 0 || d.encoderExperts <= 0 || d.decoderExperts <= 0 ||
        d.maxHeads <= 0 || d.qkvDim <= 0)
        throw std::invalid_argument("SuperTransformer: every supernet dimension must be positive");
    if (d.embedDim < std::max(d.encoderEmbedDim, d.decoderEmbedDim))
        throw std::invalid_argument("SuperTransformer: embedding table width " + str(d.embedDim) +
                                    " is narrower than a stack");

    embedding =
        register_module("embed_tokens", SuperEmbedding(config_.vocabSize, d.embedDim, config_.padIndex));
    positions = register_module("embed_positions", SinusoidalPositions(config_.padIndex));
    // fairseq's parameter names (encoder.layers.0.self_attn.q_proj.weight, ...): torch does not allow dots
    // in a submodule name, so each stack is a plain module holding a ModuleList.
    auto encoder = register_module("encoder", std::make_shared<torch::nn::Module>());
    auto encList = encoder->register_module("layers", torch::nn::ModuleList());
    for (int i = 0; i < d.encoderLayers; ++i) {
        encoderLayers.push_back(SuperTransformerLayer(d, Stack::Encoder, config_.attentionDropout));
        encList->push_back(encoderLayers.back());
    }
    auto decoder = register_module("decoder", std::make_shared<torch::nn::Module>());
    auto decList = decoder->register_module("layers", torch::nn::ModuleList());
    for (int i = 0; i < d.decoderLayers; ++i) {
        decoderLayers.push_back(SuperTransformerLayer(d, Stack::Decoder, config_.attentionDropout));
        decList->push_back(decoderLayers.back());
    }

    // Start on the whole supernet so that a forward before setArchitecture is well defined.
    Architecture full;
    full.qkvDim = d.qkvDim;
    const int heads = largestDivisorAtMost(d.qkvDim, d.maxHeads);
    for (Stack s : {Stack::Encoder, Stack::Decoder}) {
        const bool enc = s == Stack::Encoder;
        StackGene& g = full.stack(s);
        g.embedDim = enc ? d.encoderEmbedDim : d.decoderEmbedDim;
        LayerGene layer;
        layer.selfHeads = heads;
        layer.endeHeads = heads;
        layer.arbitraryEnde = -1;
        layer.expertWidths.assign(size_t(enc ? d.encoderExperts : d.decoderExperts),
                                  enc ? d.encoderFfnDim : d.decoderFfnDim);
        layer.topK = 1;
        g.layers.assign(size_t(enc ? d.encoderLayers : d.decoderLayers), layer);
    }

    // Mixture-of-Supernets: the further weight sets and routers are created after every shared parameter,
    // so that the shared ones are initialised exactly as in a plain supernet of the same seed.
    if (config_.mixture.enabled()) {
        for (auto* stack : {&encoderLayers, &decoderLayers})
            for (auto& layer : *stack) {
                for (auto& slot : layer->ffn->expertSlots)
                    for (const auto& lin : {slot->fc1, slot->fc2})
                        mixed_.push_back(lin);
                if (config_.mixture.attention)
                    for (const SuperAttention& attn : {layer->selfAttn, layer->endeAttn})
                        if (attn)
                            for (const auto& lin : {attn->qProj, attn->kProj, attn->vProj, attn->outProj})
                                mixed_.push_back(lin);
            }
        const int64_t encodingSize = architectureEncodingSize(d);
        for (auto& lin : mixed_)
            lin->enableMixture(config_.mixture, encodingSize);
    }
    setArchitecture(full);
}

void SuperTransformerImpl::validate(const Architecture& a) const {
    const auto& d = config_.dims;
    auto fail = [](const std::string& what) { throw std::invalid_argument(what); };
    if (a.qkvDim <= 0 || a.qkvDim > d.qkvDim)
        fail("qkv width " + str(a.qkvDim) + " outside supernet range 1.." + str(d.qkvDim));
    for (Stack s : {Stack::Encoder, Stack::Decoder}) {
        const bool enc = s == Stack::Encoder;
        const std::string name = stackName(s);
        const StackGene& g = a.stack(s);
        const int superEmbed = enc ? d.encoderEmbedDim : d.decoderEmbedDim;
        const int superDepth = enc ? d.encoderLayers : d.decoderLayers;
        const int superFfn = enc ? d.encoderFfnDim : d.decoderFfnDim;
        const int superExperts = enc ? d.encoderExperts : d.decoderExperts;
        if (g.embedDim <= 0 || g.embedDim > superEmbed)
            fail(name + ": embedding width " + str(g.embedDim) + " outside supernet range 1.." +
                 str(superEmbed));
        if (g.depth() < 1 || g.depth() > superDepth)
            fail(name + ": " + str(g.depth()) + " layers outside supernet range 1.." + str(superDepth));
        for (int i = 0; i < g.depth(); ++i) {
            const LayerGene& l = g.layers[size_t(i)];
            const std::string where = name + " layer " + str(i) + ": ";
            auto heads = [&](int h, const char* what) {
                if (h <= 0 || h > d.maxHeads)
                    fail(where + what + " heads " + str(h) + " outside supernet range 1.." + str(d.maxHeads));
                if (a.qkvDim % h != 0)
                    fail(where + what + " heads " + str(h) + " do not divide qkv width " + str(a.qkvDim));
            };
            heads(l.selfHeads, "self-attention");
            if (!enc) {
                heads(l.endeHeads, "encoder-decoder attention");
                if (l.arbitraryEnde == 0 || l.arbitraryEnde < -1)
                    fail(where + "arbitrary encoder-decoder attention " + str(l.arbitraryEnde) +
                         " is not -1 or a positive number of extra layers");
            }
            if (l.experts() < 1 || l.experts() > superExperts)
                fail(where + str(l.experts()) + " experts outside supernet range 1.." + str(superExperts));
            for (int w : l.expertWidths) {
                if (w <= 0) fail(where + "expert width " + str(w) + " is not positive");
                if (w > superFfn)
                    fail(where + "expert width " + str(w) + " exceeds supernet FFN " + str(superFfn));
            }
            if (l.topK < 1) fail(where + "top-k " + str(l.topK) + " is not positive");
        }
    }
}

void SuperTransformerImpl::setArchitecture(const Architecture& arch) {
    ProfileScope scope("automoe::sampled weights");
    validate(arch);
    const auto& d = config_.dims;
    encoderDropout_ = config_.dropout * arch.encoder.embedDim / d.encoderEmbedDim;
    decoderDropout_ = config_.dropout * arch.decoder.embedDim / d.decoderEmbedDim;
    for (int i = 0; i < arch.encoder.depth(); ++i)
        encoderLayers[size_t(i)]->setSample(arch.encoder.layers[size_t(i)], arch.encoder.embedDim, 0,
                                            arch.qkvDim, encoderDropout_, config_.capacityFactor,
                                            config_.dropTokens);
    for (int i = 0; i < arch.decoder.depth(); ++i)
        decoderLayers[size_t(i)]->setSample(arch.decoder.layers[size_t(i)], arch.decoder.embedDim,
                                            arch.encoder.embedDim, arch.qkvDim, decoderDropout_,
                                            config_.capacityFactor, config_.dropTokens);
    if (!mixed_.empty()) {
        const std::vector<float> code = architectureEncoding(arch, config_.dims);
        const auto encoding = torch::tensor(code, torch::kFloat32);
        for (auto& lin : mixed_)
            lin->setEncoding(encoding);
    }
    arch_ = arch;
    trace_.clear();
}

void SuperTransformerImpl::setSkipPadding(bool on) {
    for (auto& l : encoderLayers)
        l->skipPadding = on;
    for (auto& l : decoderLayers)
        l->skipPadding = on;
}

int64_t SuperTransformerImpl::sampledParameterCount() const {
    int64_t total = 0;
    for (int i = 0; i < arch_.encoder.depth(); ++i)
        total += encoderLayers[size_t(i)]->sampledParameterCount();
    for (int i = 0; i < arch_.decoder.depth(); ++i)
        total += decoderLayers[size_t(i)]->sampledParameterCount();
    return total;
}

int64_t SuperTransformerImpl::mixtureParameterCount() const {
    int64_t total = 0;
    for (const auto& lin : mixed_)
        for (const auto& p : lin->mixture->parameters())
            total += p.numel();
    return total;
}

StackWeights SuperTransformerImpl::sampledStack(Stack s) {
    ProfileScope scope("automoe::sampled weights");
    const bool enc = s == Stack::Encoder;
    const auto& layers = enc ? encoderLayers : decoderLayers;
    return stackWeights(arch_, s, embedding->weights(), *positions, enc ? encoderDropout_ : decoderDropout_,
                        [&](size_t i) { return layers[i]->sampled(); });
}

EncoderOutput SuperTransformerImpl::encode(const torch::Tensor& src) {
    return runEncoder(sampledStack(Stack::Encoder), src, is_training(), traceOrNull());
}

DecoderOutput SuperTransformerImpl::decode(const torch::Tensor& tgtIn, const EncoderOutput& enc) {
    return runDecoder(sampledStack(Stack::Decoder), tgtIn, enc, is_training(), traceOrNull());
}

TransformerOutput SuperTransformerImpl::run(const torch::Tensor& src, const torch::Tensor& tgtIn,
                                            bool logits) {
    EncoderOutput enc = encode(src);
    DecoderOutput dec = decode(tgtIn, enc);
    TransformerOutput out = transformerOutput(embedding->weights(), enc, dec, logits);
    if (tracing_) trace_.finishBatch(src.size(0));
    return out;
}

TransformerOutput SuperTransformerImpl::forwardHidden(const torch::Tensor& src, const torch::Tensor& tgtIn) {
    return run(src, tgtIn, /*logits=*/false);
}

TransformerOutput SuperTransformerImpl::forward(const torch::Tensor& src, const torch::Tensor& tgtIn) {
    return run(src, tgtIn, /*logits=*/true);
}

torch::Tensor SuperTransformerImpl::nextTokenLogits(const torch::Tensor& tgtIn,
                                                    const EncoderOutput& encoded) {
    return decodeNextToken(sampledStack(Stack::Decoder), tgtIn, encoded, is_training(), traceOrNull());
}

DecoderState SuperTransformerImpl::startDecoding(const EncoderOutput& encoded) {
    return startDecoder(sampledStack(Stack::Decoder), encoded);
}

torch::Tensor SuperTransformerImpl::stepLogits(const torch::Tensor& tokens, DecoderState& state) {
    return decodeStep(sampledStack(Stack::Decoder), tokens, state, is_training());
}

SuperTransformer collapsedSupernet(SuperTransformerImpl& model, const Architecture& arch) {
    SuperTransformerConfig config = model.config();
    config.mixture = MixtureOptions{};
    SuperTransformer out(config);
    const Architecture previous = model.architecture();
    model.setArchitecture(arch);
    try {
        torch::NoGradGuard guard;
        auto target = out->named_parameters();
        for (const auto& p : model.named_parameters())
            if (auto* t = target.find(p.key())) t->copy_(p.value());
        auto modules = out->named_modules();
        for (const auto& m : model.named_modules()) {
            const auto* lin = m.value()->as<SuperLinearImpl>();
            if (!lin || !lin->mixed()) continue;
            auto* dst = modules[m.key()]->as<SuperLinearImpl>();
            const LinearWeights w = lin->sampled();
            dst->weight.narrow(0, 0, w.weight.size(0)).narrow(1, 0, w.weight.size(1)).copy_(w.weight);
            if (w.bias.defined()) dst->bias.narrow(0, 0, w.bias.size(0)).copy_(w.bias);
        }
    } catch (...) {
        model.setArchitecture(previous);
        throw;
    }
    model.setArchitecture(previous);
    out->setArchitecture(arch);
    out->train(model.is_training());
    return out;
}

} // namespace automoe
