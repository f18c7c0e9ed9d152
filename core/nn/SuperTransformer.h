// SuperTransformer is the weight-sharing encoder-decoder supernet of AutoMoE: every architecture that fits
// its SupernetDims runs as a slice of its weights, with heterogeneous Switch-MoE FFNs, arbitrary
// encoder-decoder attention and a tied embedding / output table. It runs EncoderDecoder's computation on the
// slices of the current architecture.
#pragma once

#include "nn/EncoderDecoder.h"
#include "nn/RoutingTrace.h"
#include "nn/Seq2SeqModel.h"
#include "nn/SinusoidalPositions.h"
#include "nn/SuperEmbedding.h"
#include "nn/SuperTransformerLayer.h"
#include "nn/WeightMixture.h"
#include "space/Architecture.h"
#include "space/SearchSpace.h"

#include <torch/torch.h>

#include <vector>

namespace automoe {

struct SuperTransformerConfig {
    int64_t vocabSize = 0;
    int64_t padIndex = 1;
    SupernetDims dims;
    double dropout = 0.1; // at the super width; scaled by sampled / super embedding width (HAT)
    double attentionDropout = 0.1;
    double capacityFactor = 1.0; // 0 = no capacity limit
    bool dropTokens = false;     // drop assignments beyond capacity (the residual carries the token)
    // Plain weight sharing, or Mixture-of-Supernets over the FFN / expert matrices (and optionally the
    // attention projections): see WeightMixture.
    MixtureOptions mixture;
};

class SuperTransformerImpl : public torch::nn::Module, public Seq2SeqModel {
public:
    explicit SuperTransformerImpl(const SuperTransformerConfig& config);

    // Selects the sub-network. Throws std::invalid_argument naming the gene when `arch` does not fit the
    // supernet. Clears the routing trace. A MoS supernet hands the architecture's encoding
    // (architectureEncoding) to its routers.
    void setArchitecture(const Architecture& arch);
    const Architecture& architecture() const { return arch_; }

    // src [B, S], tgtIn [B, T] int64, padded with padIndex.
    TransformerOutput forward(const torch::Tensor& src, const torch::Tensor& tgtIn);
    // forward without the output layer (logits undefined): for a loss that projects only the rows it needs.
    TransformerOutput forwardHidden(const torch::Tensor& src, const torch::Tensor& tgtIn);

    EncoderOutput encode(const torch::Tensor& src);
    DecoderOutput decode(const torch::Tensor& tgtIn, const EncoderOutput& encoded);
    torch::Tensor outputLogits(const torch::Tensor& hidden) { return embedding->project(hidden); }

    // Seq2SeqModel, for the decoders: encode() and the output projection of the last position only.
    EncoderOutput encodeSource(const torch::Tensor& src) override { return encode(src); }
    torch::Tensor nextTokenLogits(const torch::Tensor& tgtIn, const EncoderOutput& encoded) override;
    DecoderState startDecoding(const EncoderOutput& encoded) override;
    torch::Tensor stepLogits(const torch::Tensor& tokens, DecoderState& state) override;
    int64_t padIndex() const override { return config_.padIndex; }
    int64_t vocabSize() const override { return config_.vocabSize; }

    // Parameters of the sliced views the current architecture uses (every attention, LayerNorm, expert and
    // router), excluding the embedding table and so the tied output projection. Equals CostModel paramsHat.
    int64_t sampledParameterCount() const;
    // Parameters of the Mixture-of-Supernets weight sets E2..Em and routers (0 for a shared supernet).
    int64_t mixtureParameterCount() const;
    // The super linear layers whose weights are mixtures (empty for a shared supernet).
    const std::vector<SuperLinear>& mixedLinears() const { return mixed_; }

    // Routing trace: off by default, and then forward records nothing and allocates nothing for it.
    void setTracing(bool on) { tracing_ = on; }
    bool tracing() const { return tracing_; }
    const RoutingTrace& trace() const { return trace_; }
    void clearTrace() { trace_.clear(); }

    // Dense FFN layers skip pad rows (gather real tokens, scatter back). On by default; see ModelBenchmark.
    void setSkipPadding(bool on);

    const SuperTransformerConfig& config() const { return config_; }

    SuperEmbedding embedding{nullptr};
    SinusoidalPositions positions{nullptr};
    std::vector<SuperTransformerLayer> encoderLayers; // registered as encoder.layers.<i>
    std::vector<SuperTransformerLayer> decoderLayers; // registered as decoder.layers.<i>

private:
    TransformerOutput run(const torch::Tensor& src, const torch::Tensor& tgtIn, bool logits);
    void validate(const Architecture& arch) const;
    // Views of the current architecture's weights of one stack.
    StackWeights sampledStack(Stack s);
    RoutingTrace* traceOrNull() { return tracing_ ? &trace_ : nullptr; }

    SuperTransformerConfig config_;
    std::vector<SuperLinear> mixed_;
    Architecture arch_;
    double encoderDropout_ = 0;
    double decoderDropout_ = 0;
    bool tracing_ = false;
    RoutingTrace trace_;
};
TORCH_MODULE(SuperTransformer);

// A plain weight-sharing supernet of `model`'s dimensions whose `arch` slices hold what `model` computes for
// `arch`: its own parameters, and for a MoS supernet the collapsed mixtures of the covered layers. Training
// it with `arch` fixed fine-tunes the deployed dense weights, whatever kind `model` is. `model`'s
// architecture is left as it was.
SuperTransformer collapsedSupernet(SuperTransformerImpl& model, const Architecture& arch);

} // namespace automoe
