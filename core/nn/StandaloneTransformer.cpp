#include "nn/StandaloneTransformer.h"

#include "nn/TorchArchive.h"
#include "space/ArchitectureIO.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>
#include <string>

namespace automoe {

namespace {

constexpr const char* kFormat = "automoe-standalone-model";
constexpr int kVersion = 1;
// Large enough to zero a softmax weight, finite so that a fully masked row yields no NaN (as the supernet).
constexpr double kBlocked = -1e9;

std::string str(int64_t v) {
    return std::to_string(v);
}

void validate(const StandaloneTransformerConfig& c) {
    auto fail = [](const std::string& what) {
        throw std::invalid_argument("StandaloneTransformer: " + what);
    };
    if (c.vocabSize <= 0) fail("vocabulary size " + str(c.vocabSize) + " is not positive");
    if (c.padIndex < 0 || c.padIndex >= c.vocabSize)
        fail("pad index " + str(c.padIndex) + " outside the vocabulary of " + str(c.vocabSize));
    const Architecture& a = c.arch;
    if (a.qkvDim <= 0) fail("qkv width " + str(a.qkvDim) + " is not positive");
    for (Stack s : {Stack::Encoder, Stack::Decoder}) {
        const bool enc = s == Stack::Encoder;
        const StackGene& g = a.stack(s);
        const std::string name = stackName(s);
        if (g.embedDim <= 0) fail(name + ": embedding width " + str(g.embedDim) + " is not positive");
        if (g.depth() < 1) fail(name + ": no layers");
        for (int i = 0; i < g.depth(); ++i) {
            const LayerGene& l = g.layers[size_t(i)];
            const std::string where = name + " layer " + str(i) + ": ";
            auto heads = [&](int h, const char* what) {
                if (h <= 0 || a.qkvDim % h != 0)
                    fail(where + what + " heads " + str(h) + " do not divide qkv width " + str(a.qkvDim));
            };
            heads(l.selfHeads, "self-attention");
            if (!enc) heads(l.endeHeads, "encoder-decoder attention");
            if (l.experts() < 1) fail(where + "0 experts");
            for (int w : l.expertWidths)
                if (w <= 0) fail(where + "expert width " + str(w) + " is not positive");
            if (l.topK < 1) fail(where + "top-k " + str(l.topK) + " is not positive");
        }
    }
}

// dst <- the leading block of src of dst's shape (the supernet's slicing), as a contiguous copy.
void copyLeading(const torch::Tensor& dst, torch::Tensor src, const std::string& what) {
    if (dst.dim() != src.dim())
        throw std::logic_error("StandaloneTransformer: rank mismatch copying " + what);
    for (int64_t d = 0; d < dst.dim(); ++d) {
        if (dst.size(d) > src.size(d))
            throw std::logic_error("StandaloneTransformer: " + what + " is larger than the supernet's");
        src = src.narrow(d, 0, dst.size(d));
    }
    dst.copy_(src);
}

void copyLinear(torch::nn::Linear& dst, const SuperLinear& src, const std::string& what) {
    copyLeading(dst->weight, src->weight, what + ".weight");
    copyLeading(dst->bias, src->bias, what + ".bias");
}

void copyNorm(torch::nn::LayerNorm& dst, const SuperLayerNorm& src, const std::string& what) {
    copyLeading(dst->weight, src->weight, what + ".weight");
    copyLeading(dst->bias, src->bias, what + ".bias");
}

// Self-attention: the fused [q; k; v] projection from the three super projections.
void copySelfAttention(StandaloneAttention& dst, const SuperAttention& src, const std::string& what) {
    const int64_t q = dst->outProj->weight.size(1);
    const SuperLinear* parts[] = {&src->qProj, &src->kProj, &src->vProj};
    for (int64_t i = 0; i < 3; ++i) {
        copyLeading(dst->inProj->weight.narrow(0, i * q, q), (*parts[i])->weight, what + ".in_proj.weight");
        copyLeading(dst->inProj->bias.narrow(0, i * q, q), (*parts[i])->bias, what + ".in_proj.bias");
    }
    copyLinear(dst->outProj, src->outProj, what + ".out_proj");
}

void copyEndeAttention(StandaloneAttention& dst, const SuperAttention& src, const std::string& what) {
    const int64_t q = dst->outProj->weight.size(1);
    copyLinear(dst->qProj, src->qProj, what + ".q_proj");
    const SuperLinear* parts[] = {&src->kProj, &src->vProj};
    for (int64_t i = 0; i < 2; ++i) {
        copyLeading(dst->kvProj->weight.narrow(0, i * q, q), (*parts[i])->weight, what + ".kv_proj.weight");
        copyLeading(dst->kvProj->bias.narrow(0, i * q, q), (*parts[i])->bias, what + ".kv_proj.bias");
    }
    copyLinear(dst->outProj, src->outProj, what + ".out_proj");
}

void copyMoE(StandaloneMoE& dst, const SwitchMoE& src, const std::string& what) {
    if (dst->router) copyLinear(dst->router, src->router, what + ".router");
    for (size_t i = 0; i < dst->experts.size(); ++i) {
        const std::string e = what + ".experts." + std::to_string(i);
        copyLinear(dst->experts[i]->fc1, src->expertSlots[i]->fc1, e + ".fc1");
        copyLinear(dst->experts[i]->fc2, src->expertSlots[i]->fc2, e + ".fc2");
    }
}

} // namespace

nlohmann::json standaloneConfigToJson(const StandaloneTransformerConfig& c) {
    return {{"vocab_size", c.vocabSize},
            {"pad_index", c.padIndex},
            {"architecture", architectureToJson(c.arch)},
            {"encoder_dropout", c.encoderDropout},
            {"decoder_dropout", c.decoderDropout},
            {"attention_dropout", c.attentionDropout},
            {"capacity_factor", c.capacityFactor},
            {"drop_tokens", c.dropTokens}};
}

StandaloneTransformerConfig standaloneConfigFromJson(const nlohmann::json& j) {
    auto field = [&](const char* key) -> const nlohmann::json& {
        if (!j.is_object() || !j.contains(key))
            throw std::invalid_argument(std::string("config: missing field '") + key + "'");
        return j.at(key);
    };
    StandaloneTransformerConfig c;
    try {
        c.vocabSize = field("vocab_size").get<int64_t>();
        c.padIndex = field("pad_index").get<int64_t>();
        c.encoderDropout = field("encoder_dropout").get<double>();
        c.decoderDropout = field("decoder_dropout").get<double>();
        c.attentionDropout = field("attention_dropout").get<double>();
        c.capacityFactor = field("capacity_factor").get<double>();
        c.dropTokens = field("drop_tokens").get<bool>();
    } catch (const nlohmann::json::exception& e) {
        throw std::invalid_argument(std::string("config: ") + e.what());
    }
    c.arch = architectureFromJson(field("architecture"));
    return c;
}

StandaloneTransformerImpl::StandaloneTransformerImpl(const StandaloneTransformerConfig& config)
    : config_(config) {
    validate(config_);
    config_.arch = config_.arch.canonical();
    const Architecture& a = config_.arch;
    const int64_t width = std::max(a.encoder.embedDim, a.decoder.embedDim);
    embedding = register_module(
        "embed_tokens",
        torch::nn::Embedding(
            torch::nn::EmbeddingOptions(config_.vocabSize, width).padding_idx(config_.padIndex)));
    {
        // fairseq: N(0, d^-1/2) with a zero padding row (as SuperEmbedding).
        torch::NoGradGuard guard;
        embedding->weight.normal_(0.0, std::pow(double(width), -0.5));
        embedding->weight[config_.padIndex].zero_();
    }
    positions = register_module("embed_positions", SinusoidalPositions(config_.padIndex));
    auto encoder = register_module("encoder", std::make_shared<torch::nn::Module>());
    auto encList = encoder->register_module("layers", torch::nn::ModuleList());
    for (const LayerGene& g : a.encoder.layers) {
        encoderLayers.push_back(StandaloneEncoderLayer(g, a.encoder.embedDim, a.qkvDim,
                                                       config_.encoderDropout, config_.attentionDropout,
                                                       config_.capacityFactor, config_.dropTokens));
        encList->push_back(encoderLayers.back());
    }
    auto decoder = register_module("decoder", std::make_shared<torch::nn::Module>());
    auto decList = decoder->register_module("layers", torch::nn::ModuleList());
    for (const LayerGene& g : a.decoder.layers) {
        decoderLayers.push_back(StandaloneDecoderLayer(g, a.decoder.embedDim, a.encoder.embedDim, a.qkvDim,
                                                       config_.decoderDropout, config_.attentionDropout,
                                                       config_.capacityFactor, config_.dropTokens));
        decList->push_back(decoderLayers.back());
    }
}

int64_t StandaloneTransformerImpl::parameterCount() const {
    int64_t n = 0;
    for (const auto& p : parameters())
        n += p.numel();
    return n;
}

torch::Tensor StandaloneTransformerImpl::table(int64_t dim) const {
    const auto& w = embedding->weight;
    return dim == w.size(1) ? w : w.narrow(1, 0, dim);
}

torch::Tensor StandaloneTransformerImpl::embed(const torch::Tensor& tokens, int64_t dim, double dropout) {
    auto x = torch::embedding(table(dim), tokens, config_.padIndex).mul_(std::sqrt(double(dim)));
    x.add_(positions->forward(tokens, dim));
    if (dropout > 0 && is_training()) x = torch::dropout(x, dropout, true);
    return x;
}

torch::Tensor StandaloneTransformerImpl::outputLogits(const torch::Tensor& hidden) {
    return torch::nn::functional::linear(hidden, table(hidden.size(-1)));
}

EncoderOutput StandaloneTransformerImpl::encode(const torch::Tensor& src) {
    const auto& g = config_.arch.encoder;
    EncoderOutput out;
    auto x = embed(src, g.embedDim, config_.encoderDropout);
    const TokenRows rows = TokenRows::of(src, config_.padIndex);
    out.padMask = src.eq(config_.padIndex);
    out.hasPadding = !rows.full;
    torch::Tensor mask;
    if (out.hasPadding)
        mask = torch::zeros(src.sizes(), x.options())
                   .masked_fill_(out.padMask, kBlocked)
                   .view({src.size(0), 1, 1, src.size(1)});
    out.layers.reserve(encoderLayers.size());
    for (auto& layer : encoderLayers) {
        x = layer->forward(x, mask, rows, out.balanceLosses);
        out.layers.push_back(x);
    }
    return out;
}

DecoderOutput StandaloneTransformerImpl::decode(const torch::Tensor& tgtIn, const EncoderOutput& enc) {
    const auto& arch = config_.arch;
    DecoderOutput out;
    const int64_t B = tgtIn.size(0), T = tgtIn.size(1);
    auto x = embed(tgtIn, arch.decoder.embedDim, config_.decoderDropout);
    const TokenRows rows = TokenRows::of(tgtIn, config_.padIndex);
    auto selfMask = torch::full({T, T}, kBlocked, x.options()).triu_(1).view({1, 1, T, T});
    if (!rows.full)
        selfMask = selfMask + torch::zeros({B, T}, x.options())
                                  .masked_fill_(tgtIn.eq(config_.padIndex), kBlocked)
                                  .view({B, 1, 1, T});

    // Arbitrary encoder-decoder attention: the last m encoder outputs, last first, concatenated along the
    // sequence (as the supernet and HAT), built once per distinct m.
    const int encDepth = static_cast<int>(enc.layers.size());
    std::vector<torch::Tensor> memory(size_t(encDepth) + 1), memoryMask(size_t(encDepth) + 1);
    torch::Tensor baseMask;
    if (enc.hasPadding)
        baseMask = torch::zeros(enc.padMask.sizes(), x.options())
                       .masked_fill_(enc.padMask, kBlocked)
                       .view({B, 1, 1, enc.padMask.size(1)});
    for (size_t i = 0; i < decoderLayers.size(); ++i) {
        const int m = std::clamp(arch.attendedEncoderLayers(arch.decoder.layers[i]), 1, encDepth);
        if (!memory[size_t(m)].defined()) {
            if (m == 1) {
                memory[1] = enc.layers.back();
            } else {
                std::vector<torch::Tensor> parts;
                for (int j = 1; j <= m; ++j)
                    parts.push_back(enc.layers[size_t(encDepth - j)]);
                memory[size_t(m)] = torch::cat(parts, 1);
            }
            if (baseMask.defined()) memoryMask[size_t(m)] = m == 1 ? baseMask : baseMask.repeat({1, 1, 1, m});
        }
        x = decoderLayers[i]->forward(x, selfMask, memory[size_t(m)], memoryMask[size_t(m)], rows,
                                      out.balanceLosses);
    }
    out.hidden = x;
    return out;
}

TransformerOutput StandaloneTransformerImpl::forward(const torch::Tensor& src, const torch::Tensor& tgtIn) {
    EncoderOutput enc = encode(src);
    DecoderOutput dec = decode(tgtIn, enc);
    TransformerOutput out;
    out.logits = outputLogits(dec.hidden);
    out.loadBalancingLoss = SuperTransformerImpl::meanBalanceLoss(enc, dec);
    return out;
}

torch::Tensor StandaloneTransformerImpl::nextTokenLogits(const torch::Tensor& tgtIn,
                                                         const EncoderOutput& encoded) {
    DecoderOutput dec = decode(tgtIn, encoded);
    return outputLogits(dec.hidden.select(1, dec.hidden.size(1) - 1));
}

StandaloneTransformer StandaloneTransformer::fromSupernet(SuperTransformerImpl& supernet,
                                                          const Architecture& arch) {
    // setArchitecture validates the fit with messages naming the gene; the previous choice is restored.
    const Architecture previous = supernet.architecture();
    supernet.setArchitecture(arch);
    supernet.setArchitecture(previous);

    const SuperTransformerConfig& sc = supernet.config();
    StandaloneTransformerConfig c;
    c.vocabSize = sc.vocabSize;
    c.padIndex = sc.padIndex;
    c.arch = arch.canonical();
    c.encoderDropout = sc.dropout * arch.encoder.embedDim / sc.dims.encoderEmbedDim;
    c.decoderDropout = sc.dropout * arch.decoder.embedDim / sc.dims.decoderEmbedDim;
    c.attentionDropout = sc.attentionDropout;
    c.capacityFactor = sc.capacityFactor;
    c.dropTokens = sc.dropTokens;
    StandaloneTransformer model(c);

    torch::NoGradGuard guard;
    copyLeading(model->embedding->weight, supernet.embedding->weight, "embed_tokens.weight");
    for (size_t i = 0; i < model->encoderLayers.size(); ++i) {
        auto& dst = model->encoderLayers[i];
        const auto& src = supernet.encoderLayers[i];
        const std::string p = "encoder.layers." + std::to_string(i);
        copySelfAttention(dst->selfAttn, src->selfAttn, p + ".self_attn");
        copyNorm(dst->selfAttnNorm, src->selfAttnNorm, p + ".self_attn_layer_norm");
        copyMoE(dst->ffn, src->ffn, p + ".moe");
        copyNorm(dst->finalNorm, src->finalNorm, p + ".final_layer_norm");
    }
    for (size_t i = 0; i < model->decoderLayers.size(); ++i) {
        auto& dst = model->decoderLayers[i];
        const auto& src = supernet.decoderLayers[i];
        const std::string p = "decoder.layers." + std::to_string(i);
        copySelfAttention(dst->selfAttn, src->selfAttn, p + ".self_attn");
        copyNorm(dst->selfAttnNorm, src->selfAttnNorm, p + ".self_attn_layer_norm");
        copyEndeAttention(dst->endeAttn, src->endeAttn, p + ".encoder_attn");
        copyNorm(dst->endeAttnNorm, src->endeAttnNorm, p + ".encoder_attn_layer_norm");
        copyMoE(dst->ffn, src->ffn, p + ".moe");
        copyNorm(dst->finalNorm, src->finalNorm, p + ".final_layer_norm");
    }
    model->train(supernet.is_training());
    return model;
}

void StandaloneTransformerImpl::save(const std::string& path, const nlohmann::json& meta,
                                     const std::string& vocabularyModel) {
    torch::serialize::OutputArchive archive;
    writeArchiveText(archive, "format", kFormat);
    writeArchiveText(archive, "version", std::to_string(kVersion));
    writeArchiveText(archive, "config", standaloneConfigToJson(config_).dump());
    writeArchiveText(archive, "meta", meta.dump());
    writeArchiveText(archive, "vocabulary", vocabularyModel);
    torch::serialize::OutputArchive weights(archive.compilation_unit());
    torch::nn::Module::save(weights);
    archive.write("model", weights);
    saveArchiveAtomic(archive, path);
}

StandaloneModelFile StandaloneTransformer::load(const std::string& path) {
    torch::serialize::InputArchive archive;
    loadArchive(archive, path);
    const std::string format = readArchiveText(archive, "format", path);
    if (format != kFormat)
        throw std::runtime_error(path + ": not an AutoMoE standalone model (format '" + format.substr(0, 64) +
                                 "')");
    const std::string version = readArchiveText(archive, "version", path);
    if (version != std::to_string(kVersion))
        throw std::runtime_error(path + ": standalone model format version " + version.substr(0, 16) +
                                 " is not supported (this build reads version " + std::to_string(kVersion) +
                                 ")");
    StandaloneModelFile file;
    try {
        const auto config =
            standaloneConfigFromJson(nlohmann::json::parse(readArchiveText(archive, "config", path)));
        file.meta = nlohmann::json::parse(readArchiveText(archive, "meta", path));
        file.model = StandaloneTransformer(config);
    } catch (const std::exception& e) {
        const std::string why = e.what();
        throw std::runtime_error(why.rfind(path + ":", 0) == 0 ? why : path + ": " + why);
    }
    file.vocabularyModel = readArchiveText(archive, "vocabulary", path);

    // Module::load replaces each tensor with the stored one whatever its shape: check the shapes after.
    std::map<std::string, std::vector<int64_t>> shapes;
    for (const auto& p : file.model->named_parameters())
        shapes[p.key()] = p.value().sizes().vec();
    try {
        torch::serialize::InputArchive weights;
        if (!archive.try_read("model", weights)) throw std::runtime_error("missing entry 'model'");
        file.model->load(weights);
    } catch (const std::exception& e) {
        std::string why = e.what();
        throw std::runtime_error(
            path + ": weights do not match the stored config: " + why.substr(0, why.find('\n')));
    }
    for (const auto& p : file.model->named_parameters())
        if (p.value().sizes().vec() != shapes[p.key()])
            throw std::runtime_error(path + ": weight " + p.key() +
                                     " has the wrong shape for the stored config");
    file.model->eval();
    return file;
}

} // namespace automoe
