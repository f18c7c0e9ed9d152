// StandaloneTransformer is one architecture built as a plain dense model with exactly-sized weights (no
// supernet slicing, no unused layers or expert slots): what latency is measured on (DESIGN §7), what a
// found subnet is fine-tuned or trained from scratch as, and what `automoe translate --model FILE` loads.
// A copy taken from the supernet computes the same outputs as the supernet running that architecture: both
// run EncoderDecoder's computation, the supernet on its slices, this model on its own weights.
#pragma once

#include "nn/EncoderDecoder.h"
#include "nn/Seq2SeqModel.h"
#include "nn/SinusoidalPositions.h"
#include "nn/StandaloneConfig.h"
#include "nn/StandaloneLayers.h"
#include "nn/SuperTransformer.h"
#include "space/Architecture.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <string>
#include <vector>

namespace automoe {

class StandaloneTransformer;
struct StandaloneModelFile;

class StandaloneTransformerImpl : public torch::nn::Module, public Seq2SeqModel {
public:
    // Freshly initialised weights (the supernet's initialisation). Throws std::invalid_argument naming the
    // field when the config cannot be built (validateStandaloneConfig: no layers, zero experts, heads not
    // dividing qkv, sizes beyond its limits, ...).
    explicit StandaloneTransformerImpl(const StandaloneTransformerConfig& config);

    // src [B, S], tgtIn [B, T] int64, padded with padIndex. logits [B, T, vocab] and the mean balance loss.
    TransformerOutput forward(const torch::Tensor& src, const torch::Tensor& tgtIn);
    EncoderOutput encode(const torch::Tensor& src);
    DecoderOutput decode(const torch::Tensor& tgtIn, const EncoderOutput& encoded);
    torch::Tensor outputLogits(const torch::Tensor& hidden);

    EncoderOutput encodeSource(const torch::Tensor& src) override { return encode(src); }
    torch::Tensor nextTokenLogits(const torch::Tensor& tgtIn, const EncoderOutput& encoded) override;
    DecoderState startDecoding(const EncoderOutput& encoded) override;
    torch::Tensor stepLogits(const torch::Tensor& tokens, DecoderState& state) override;
    int64_t padIndex() const override { return config_.padIndex; }
    int64_t vocabSize() const override { return config_.vocabSize; }

    const StandaloneTransformerConfig& config() const { return config_; }
    const Architecture& architecture() const { return config_.arch; }
    // Every parameter of the model, the embedding table (= tied output layer) included: equals
    // CostModel::evaluate(arch, {vocabSize}).paramsTotal.
    int64_t parameterCount() const;

    // Writes one self-contained file atomically (temporary file + rename): a LibTorch archive holding the
    // format tag, the config and architecture (JSON), `meta` (JSON, e.g. the run and the corpus), the
    // serialized SentencePiece model `vocabularyModel` (may be empty) and the weights.
    void save(const std::string& path, const nlohmann::json& meta = nlohmann::json::object(),
              const std::string& vocabularyModel = {});
    using torch::nn::Module::save; // the weights alone, into an archive

    torch::nn::Embedding embedding{nullptr}; // [vocab, max(e_enc, e_dec)], padding row zero
    SinusoidalPositions positions{nullptr};
    std::vector<StandaloneTransformerLayer> encoderLayers; // registered as encoder.layers.<i>
    std::vector<StandaloneTransformerLayer> decoderLayers; // registered as decoder.layers.<i>

private:
    StackWeights weights(Stack s);
    EmbeddingWeights embeddingWeights() const { return {embedding->weight, config_.padIndex}; }

    StandaloneTransformerConfig config_;
};

class StandaloneTransformer : public torch::nn::ModuleHolder<StandaloneTransformerImpl> {
public:
    using torch::nn::ModuleHolder<StandaloneTransformerImpl>::ModuleHolder;

    // A dense copy of `arch` as the supernet runs it: the leading rows/columns of every used weight, each
    // MoE layer's router rows and each expert slot at its own width, cloned into contiguous tensors. The
    // supernet's current architecture is restored afterwards (its routing trace is cleared). Throws
    // std::invalid_argument naming the gene when `arch` does not fit the supernet.
    static StandaloneTransformer fromSupernet(SuperTransformerImpl& supernet, const Architecture& arch);

    // Reads a file written by save(). Throws std::runtime_error naming the file when it is missing,
    // truncated, not a standalone model, of a newer format version, or inconsistent with its config. The
    // stored config is checked in full (parseStandaloneConfig, naming the field) and its parameter count
    // against the file's size before any tensor is allocated; the stored weights must then have exactly
    // the config's names, shapes and dtype (float32).
    static StandaloneModelFile load(const std::string& path);
};

struct StandaloneModelFile {
    StandaloneTransformer model{nullptr};
    nlohmann::json meta;
    std::string vocabularyModel; // serialized SentencePiece model; empty when none was stored
};

} // namespace automoe
