#include "nn/StandaloneTransformer.h"

#include "nn/TorchArchive.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>

namespace automoe {

namespace {

constexpr const char* kFormat = "automoe-standalone-model";
constexpr int kVersion = 1;

std::string str(int64_t v) {
    return std::to_string(v);
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

// dst <- src for weights of the same layout (the standalone's own parameters from the supernet's sampled
// views of the same architecture): one walk for every kind of layer.
void copyTensor(const torch::Tensor& dst, const torch::Tensor& src, const std::string& what) {
    if (dst.defined() != src.defined() || (dst.defined() && dst.sizes() != src.sizes()))
        throw std::logic_error("StandaloneTransformer: " + what + " does not match the supernet's");
    if (dst.defined()) dst.copy_(src);
}

void copyLinear(const LinearWeights& dst, const LinearWeights& src, const std::string& what) {
    copyTensor(dst.weight, src.weight, what + ".weight");
    copyTensor(dst.bias, src.bias, what + ".bias");
}

void copyNorm(const NormWeights& dst, const NormWeights& src, const std::string& what) {
    copyTensor(dst.weight, src.weight, what + ".weight");
    copyTensor(dst.bias, src.bias, what + ".bias");
}

void copyAttention(const AttentionWeights& dst, const AttentionWeights& src, const std::string& what) {
    copyLinear(dst.inProj, src.inProj, what + ".in_proj");
    copyLinear(dst.qProj, src.qProj, what + ".q_proj");
    copyLinear(dst.kvProj, src.kvProj, what + ".kv_proj");
    copyLinear(dst.outProj, src.outProj, what + ".out_proj");
}

void copyLayer(const TransformerLayerWeights& dst, const TransformerLayerWeights& src,
               const std::string& what) {
    copyAttention(dst.selfAttn, src.selfAttn, what + ".self_attn");
    copyNorm(dst.selfAttnNorm, src.selfAttnNorm, what + ".self_attn_layer_norm");
    if (dst.hasEncoderAttention() || src.hasEncoderAttention()) {
        copyAttention(dst.endeAttn, src.endeAttn, what + ".encoder_attn");
        copyNorm(dst.endeAttnNorm, src.endeAttnNorm, what + ".encoder_attn_layer_norm");
    }
    copyLinear(dst.ffn.router, src.ffn.router, what + ".moe.router");
    if (dst.ffn.experts.size() != src.ffn.experts.size())
        throw std::logic_error("StandaloneTransformer: " + what + ".moe has another expert count");
    for (size_t i = 0; i < dst.ffn.experts.size(); ++i) {
        const std::string e = what + ".moe.experts." + std::to_string(i);
        copyLinear(dst.ffn.experts[i].fc1, src.ffn.experts[i].fc1, e + ".fc1");
        copyLinear(dst.ffn.experts[i].fc2, src.ffn.experts[i].fc2, e + ".fc2");
    }
    copyNorm(dst.finalNorm, src.finalNorm, what + ".final_layer_norm");
}

// The stored tensor of parameter `key` ("encoder.layers.0.fc1.weight"): Module::save nests one archive per
// submodule. False when the archive has no such entry.
bool readStoredTensor(torch::serialize::InputArchive& root, const std::string& key, torch::Tensor& out) {
    std::vector<std::string> parts;
    for (size_t start = 0, dot; start <= key.size(); start = dot + 1) {
        dot = std::min(key.find('.', start), key.size());
        parts.push_back(key.substr(start, dot - start));
    }
    std::vector<torch::serialize::InputArchive> chain(parts.size());
    torch::serialize::InputArchive* current = &root;
    for (size_t i = 0; i + 1 < parts.size(); ++i) {
        if (!current->try_read(parts[i], chain[i])) return false;
        current = &chain[i];
    }
    return current->try_read(parts.back(), out);
}

} // namespace

StandaloneTransformerImpl::StandaloneTransformerImpl(const StandaloneTransformerConfig& config)
    : config_(config) {
    try {
        validateStandaloneConfig(config_);
    } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(std::string("StandaloneTransformer: ") + e.what());
    }
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
        encoderLayers.push_back(StandaloneTransformerLayer(g, a.encoder.embedDim, 0, a.qkvDim,
                                                           config_.encoderDropout, config_.attentionDropout,
                                                           config_.capacityFactor, config_.dropTokens));
        encList->push_back(encoderLayers.back());
    }
    auto decoder = register_module("decoder", std::make_shared<torch::nn::Module>());
    auto decList = decoder->register_module("layers", torch::nn::ModuleList());
    for (const LayerGene& g : a.decoder.layers) {
        decoderLayers.push_back(StandaloneTransformerLayer(
            g, a.decoder.embedDim, a.encoder.embedDim, a.qkvDim, config_.decoderDropout,
            config_.attentionDropout, config_.capacityFactor, config_.dropTokens));
        decList->push_back(decoderLayers.back());
    }
}

int64_t StandaloneTransformerImpl::parameterCount() const {
    int64_t n = 0;
    for (const auto& p : parameters())
        n += p.numel();
    return n;
}

StackWeights StandaloneTransformerImpl::weights(Stack s) {
    const bool enc = s == Stack::Encoder;
    const auto& layers = enc ? encoderLayers : decoderLayers;
    return stackWeights(config_.arch, s, embeddingWeights(), *positions,
                        enc ? config_.encoderDropout : config_.decoderDropout,
                        [&](size_t i) { return layers[i]->weights(); });
}

torch::Tensor StandaloneTransformerImpl::outputLogits(const torch::Tensor& hidden) {
    return embeddingWeights().project(hidden);
}

EncoderOutput StandaloneTransformerImpl::encode(const torch::Tensor& src) {
    return runEncoder(weights(Stack::Encoder), src, is_training());
}

DecoderOutput StandaloneTransformerImpl::decode(const torch::Tensor& tgtIn, const EncoderOutput& enc) {
    return runDecoder(weights(Stack::Decoder), tgtIn, enc, is_training());
}

TransformerOutput StandaloneTransformerImpl::forward(const torch::Tensor& src, const torch::Tensor& tgtIn) {
    EncoderOutput enc = encode(src);
    return transformerOutput(embeddingWeights(), enc, decode(tgtIn, enc));
}

torch::Tensor StandaloneTransformerImpl::nextTokenLogits(const torch::Tensor& tgtIn,
                                                         const EncoderOutput& encoded) {
    return decodeNextToken(weights(Stack::Decoder), tgtIn, encoded, is_training());
}

DecoderState StandaloneTransformerImpl::startDecoding(const EncoderOutput& encoded) {
    return startDecoder(weights(Stack::Decoder), encoded);
}

torch::Tensor StandaloneTransformerImpl::stepLogits(const torch::Tensor& tokens, DecoderState& state) {
    return decodeStep(weights(Stack::Decoder), tokens, state, is_training());
}

StandaloneTransformer StandaloneTransformer::fromSupernet(SuperTransformerImpl& supernet,
                                                          const Architecture& arch) {
    // setArchitecture validates the fit with messages naming the gene; the previous choice is restored
    // after the copy.
    const Architecture previous = supernet.architecture();
    supernet.setArchitecture(arch);

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

    try {
        torch::NoGradGuard guard;
        copyLeading(model->embedding->weight, supernet.embedding->weight, "embed_tokens.weight");
        // The supernet's sampled views have the standalone layout (its q/k/v slices come fused, as the
        // standalone stores them).
        for (Stack s : {Stack::Encoder, Stack::Decoder}) {
            const bool enc = s == Stack::Encoder;
            const auto& dst = enc ? model->encoderLayers : model->decoderLayers;
            const auto& src = enc ? supernet.encoderLayers : supernet.decoderLayers;
            for (size_t i = 0; i < dst.size(); ++i)
                copyLayer(dst[i]->weights(), src[i]->sampled(),
                          std::string(enc ? "encoder" : "decoder") + ".layers." + std::to_string(i));
        }
    } catch (...) {
        supernet.setArchitecture(previous);
        throw;
    }
    supernet.setArchitecture(previous);
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
    StandaloneTransformerConfig config;
    try {
        config = parseStandaloneConfig(readArchiveText(archive, "config", path));
        file.meta = nlohmann::json::parse(readArchiveText(archive, "meta", path));
    } catch (const std::exception& e) {
        const std::string why = e.what();
        throw std::runtime_error(why.rfind(path + ":", 0) == 0 ? why : path + ": " + why);
    }
    // The weights are stored in this file as float32: a config declaring more than the file can hold
    // belongs to another model (or the file was cut short) and is refused before anything is allocated.
    const int64_t params = standaloneParameterCount(config);
    std::error_code ec;
    const auto fileBytes = std::filesystem::file_size(path, ec);
    if (!ec && uint64_t(params) * sizeof(float) > fileBytes)
        throw std::runtime_error(path + ": the config declares " + str(params) + " parameters (" +
                                 str(params * int64_t(sizeof(float))) + " bytes of float32 weights), more " +
                                 "than the file's " + std::to_string(fileBytes) +
                                 " bytes hold: a truncated file, or the config of another model");
    file.model = StandaloneTransformer(config);
    file.vocabularyModel = readArchiveText(archive, "vocabulary", path);

    // Module::load replaces each tensor with the stored one whatever its shape, and puts a tensor of
    // another dtype into the float32 one as it is (its bytes reinterpreted): check each stored dtype
    // before, the shapes after.
    torch::serialize::InputArchive weights;
    if (!archive.try_read("model", weights))
        throw std::runtime_error(path + ": weights do not match the stored config: missing entry 'model'");
    std::map<std::string, std::vector<int64_t>> shapes;
    for (const auto& p : file.model->named_parameters()) {
        shapes[p.key()] = p.value().sizes().vec();
        torch::Tensor stored;
        if (readStoredTensor(weights, p.key(), stored) && stored.scalar_type() != torch::kFloat)
            throw std::runtime_error(path + ": weight " + p.key() + " is stored as " +
                                     std::string(c10::toString(stored.scalar_type())) +
                                     ", not as Float (float32)");
    }
    try {
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
