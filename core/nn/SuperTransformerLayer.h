// SuperTransformerLayer is one post-norm layer of the supernet (HAT): self-attention, attention over the
// (concatenated) encoder outputs in a decoder layer, then the MoE FFN, each as x = LN(x + sublayer(x)), at
// the sampled embedding width, head counts and expert widths. Its computation is EncoderDecoder's
// transformerLayer, on the sampled slices.
#pragma once

#include "nn/LayerWeights.h"
#include "nn/SuperAttention.h"
#include "nn/SuperLayerNorm.h"
#include "nn/SwitchMoE.h"
#include "space/Architecture.h"
#include "space/SearchSpace.h"

#include <torch/torch.h>

namespace automoe {

class SuperTransformerLayerImpl : public torch::nn::Module {
public:
    // A decoder layer has the encoder-decoder attention (keys and values at the encoder's width).
    SuperTransformerLayerImpl(const SupernetDims& dims, Stack stack, double attentionDropout);

    // encoderEmbedDim: read by a decoder layer only. dropout: already scaled to the sampled width.
    void setSample(const LayerGene& gene, int embedDim, int encoderEmbedDim, int qkvDim, double dropout,
                   double capacityFactor, bool dropTokens);

    // Views of the sampled sub-layer's weights, with its head counts, routing settings and dropout.
    TransformerLayerWeights sampled() const;

    int64_t sampledParameterCount() const;

    bool skipPadding = true; // see SwitchMoE::forwardSequence

    SuperAttention selfAttn{nullptr};
    SuperLayerNorm selfAttnNorm{nullptr};
    SuperAttention endeAttn{nullptr}; // decoder layers only
    SuperLayerNorm endeAttnNorm{nullptr};
    SwitchMoE ffn{nullptr};
    SuperLayerNorm finalNorm{nullptr};

private:
    double dropout_ = 0;
};
TORCH_MODULE(SuperTransformerLayer);

} // namespace automoe
