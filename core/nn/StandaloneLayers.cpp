#include "nn/StandaloneLayers.h"

#include "nn/BatchedMatmul.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace automoe {

namespace {

// fairseq/HAT initialisation, as the supernet's SuperLinear: Xavier-uniform per logical projection (a fused
// weight is initialised block by block, each block with its own fan) and zero bias.
void initLinear(torch::nn::Linear& l, int64_t blocks = 1) {
    torch::NoGradGuard guard;
    const int64_t rows = l->weight.size(0) / blocks;
    for (int64_t b = 0; b < blocks; ++b) {
        auto w = l->weight.narrow(0, b * rows, rows);
        torch::nn::init::xavier_uniform_(w);
    }
    if (l->bias.defined()) l->bias.zero_();
}

torch::nn::Linear linear(int64_t in, int64_t out, int64_t blocks = 1) {
    torch::nn::Linear l(torch::nn::LinearOptions(in, out).bias(true));
    initLinear(l, blocks);
    return l;
}

torch::nn::LayerNorm layerNorm(int64_t dim) {
    return torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim}).eps(1e-5));
}

} // namespace

StandaloneAttentionImpl::StandaloneAttentionImpl(int64_t qIn, int64_t kvIn, int64_t qkvDim, int64_t heads,
                                                 double attentionDropout)
    : qkv_(qkvDim)
    , heads_(heads)
    , attentionDropout_(attentionDropout) {
    if (qIn <= 0 || kvIn < 0 || qkvDim <= 0 || heads <= 0 || qkvDim % heads != 0)
        throw std::invalid_argument("StandaloneAttention: " + std::to_string(heads) +
                                    " heads do not divide qkv width " + std::to_string(qkvDim));
    if (kvIn == 0) {
        inProj = register_module("in_proj", linear(qIn, 3 * qkvDim, 3));
    } else {
        qProj = register_module("q_proj", linear(qIn, qkvDim));
        kvProj = register_module("kv_proj", linear(kvIn, 2 * qkvDim, 2));
    }
    outProj = register_module("out_proj", linear(qkvDim, qIn));
}

torch::Tensor StandaloneAttentionImpl::forward(const torch::Tensor& query, const torch::Tensor& keyValue,
                                               const torch::Tensor& mask) {
    namespace F = torch::nn::functional;
    const torch::Tensor& kvIn = isSelfAttention() ? query : keyValue;
    const int64_t B = query.size(0), T = query.size(1), S = kvIn.size(1);
    const int64_t D = qkv_ / heads_;
    torch::Tensor q, k, v;
    if (isSelfAttention()) {
        auto parts = inProj->forward(query).split(qkv_, -1);
        q = parts[0], k = parts[1], v = parts[2];
    } else {
        q = qProj->forward(query);
        auto parts = kvProj->forward(keyValue).split(qkv_, -1);
        k = parts[0], v = parts[1];
    }
    // As SuperAttention: heads as strided views, scaling folded into the score product, the context written
    // head-interleaved so that out_proj reads it without a transpose.
    q = q.view({B, T, heads_, D}).permute({0, 2, 1, 3});
    k = k.view({B, S, heads_, D}).permute({0, 2, 3, 1});
    v = v.view({B, S, heads_, D}).permute({0, 2, 1, 3});
    auto scores = batchedMatmul(q, k, 1.0 / std::sqrt(double(D)));
    if (mask.defined()) scores.add_(mask);
    auto probs = torch::softmax(scores, -1);
    if (attentionDropout_ > 0 && is_training()) probs = torch::dropout(probs, attentionDropout_, true);
    auto ctx = batchedMatmul(probs, v, 1.0, /*interleaveHeads=*/true);
    return outProj->forward(ctx.permute({0, 2, 1, 3}).reshape({B, T, qkv_}));
}

StandaloneExpertImpl::StandaloneExpertImpl(int64_t embedDim, int64_t width) {
    fc1 = register_module("fc1", linear(embedDim, width));
    fc2 = register_module("fc2", linear(width, embedDim));
}

torch::Tensor StandaloneExpertImpl::forward(const torch::Tensor& x) {
    auto h = fc1->forward(x);
    return fc2->forward(torch::relu_(h));
}

StandaloneMoEImpl::StandaloneMoEImpl(int64_t embedDim, const std::vector<int>& widths, int topK,
                                     double capacityFactor, bool dropTokens)
    : embed_(embedDim)
    , topK_(topK)
    , capacityFactor_(capacityFactor)
    , dropTokens_(dropTokens) {
    const int64_t n = static_cast<int64_t>(widths.size());
    if (n < 1) throw std::invalid_argument("StandaloneMoE: at least one expert is needed");
    if (topK < 1 || topK > n)
        throw std::invalid_argument("StandaloneMoE: top-k " + std::to_string(topK) + " outside 1.." +
                                    std::to_string(n));
    if (n > 1) router = register_module("router", linear(embedDim, n));
    auto list = register_module("experts", torch::nn::ModuleList());
    for (int w : widths) {
        if (w <= 0)
            throw std::invalid_argument("StandaloneMoE: expert width " + std::to_string(w) +
                                        " is not positive");
        experts.push_back(StandaloneExpert(embedDim, w));
        list->push_back(experts.back());
    }
}

torch::Tensor StandaloneMoEImpl::forward(const torch::Tensor& x, const TokenRows& rows,
                                         torch::Tensor& balanceLoss) {
    const int64_t B = x.size(0), T = x.size(1), E = x.size(2);
    auto flat = x.reshape({B * T, E});
    const bool select = !rows.full;
    auto in = select ? flat.index_select(0, rows.index) : flat;
    auto out = experts.size() > 1 ? routed(in, balanceLoss) : experts[0]->forward(in);
    if (select) out = torch::zeros_like(flat).index_copy_(0, rows.index, out);
    return out.view({B, T, E});
}

torch::Tensor StandaloneMoEImpl::routed(const torch::Tensor& x, torch::Tensor& balanceLoss) {
    // The same algorithm as SwitchMoEImpl::routed (see there for the reasons), without the trace.
    const int64_t N = x.size(0);
    const int64_t n = static_cast<int64_t>(experts.size());
    const int64_t k = topK_;
    if (N == 0) {
        balanceLoss = torch::zeros({}, x.options());
        return torch::zeros({0, embed_}, x.options());
    }
    auto probs = torch::softmax(router->forward(x), -1);
    torch::Tensor gate, idx;
    if (k == 1)
        std::tie(gate, idx) = probs.max(-1, /*keepdim=*/true);
    else
        std::tie(gate, idx) = probs.topk(k, -1);
    auto idxFlat = k == 1 ? idx.view({N}) : idx.t().reshape({N * k});
    auto gateFlat = k == 1 ? gate.view({N}) : gate.t().reshape({N * k});
    auto counts = torch::bincount(idxFlat, {}, n);
    auto order = std::get<1>(idxFlat.sort(/*stable=*/true, 0, /*descending=*/false));
    auto tokenSorted = k == 1 ? order : order.remainder(N);
    auto gateSorted = gateFlat.index_select(0, order);
    auto xs = x.index_select(0, tokenSorted);

    const int64_t cap = !dropTokens_ || capacityFactor_ <= 0
                            ? std::numeric_limits<int64_t>::max()
                            : static_cast<int64_t>(std::floor(capacityFactor_ * double(N) * k / double(n)));
    const int64_t* c = counts.data_ptr<int64_t>();
    std::vector<int64_t> sizes(c, c + n);
    const auto xParts = xs.split_with_sizes(sizes);
    const auto gateParts = gateSorted.split_with_sizes(sizes);
    const auto tokenParts = tokenSorted.split_with_sizes(sizes);
    auto out = torch::zeros({N, x.size(1)}, x.options());
    for (int64_t i = 0; i < n; ++i) {
        const int64_t keep = std::min(c[i], cap);
        if (keep == 0) continue;
        const bool cut = keep < c[i];
        auto y = experts[size_t(i)]->forward(cut ? xParts[i].narrow(0, 0, keep) : xParts[i]);
        auto g = cut ? gateParts[i].narrow(0, 0, keep) : gateParts[i];
        out.index_add_(0, cut ? tokenParts[i].narrow(0, 0, keep) : tokenParts[i], y.mul(g.unsqueeze(1)));
    }
    auto f = counts.to(x.scalar_type()).div_(double(N * k));
    balanceLoss = (f * probs.mean(0)).sum().mul_(double(n));
    return out;
}

StandaloneEncoderLayerImpl::StandaloneEncoderLayerImpl(const LayerGene& gene, int embedDim, int qkvDim,
                                                       double dropout, double attentionDropout,
                                                       double capacityFactor, bool dropTokens)
    : dropout_(dropout) {
    selfAttn = register_module("self_attn",
                               StandaloneAttention(embedDim, 0, qkvDim, gene.selfHeads, attentionDropout));
    selfAttnNorm = register_module("self_attn_layer_norm", layerNorm(embedDim));
    ffn =
        register_module("moe", StandaloneMoE(embedDim, gene.expertWidths, std::min(gene.topK, gene.experts()),
                                             capacityFactor, dropTokens));
    finalNorm = register_module("final_layer_norm", layerNorm(embedDim));
}

torch::Tensor StandaloneEncoderLayerImpl::forward(const torch::Tensor& x, const torch::Tensor& selfMask,
                                                  const TokenRows& rows,
                                                  std::vector<torch::Tensor>& balanceLosses) {
    const bool drop = dropout_ > 0 && is_training();
    auto h = selfAttn->forward(x, x, selfMask);
    if (drop) h = torch::dropout(h, dropout_, true);
    auto y = selfAttnNorm->forward(x + h);
    torch::Tensor loss;
    h = ffn->forward(y, rows, loss);
    if (loss.defined()) balanceLosses.push_back(loss);
    if (drop) h = torch::dropout(h, dropout_, true);
    return finalNorm->forward(y + h);
}

StandaloneDecoderLayerImpl::StandaloneDecoderLayerImpl(const LayerGene& gene, int embedDim,
                                                       int encoderEmbedDim, int qkvDim, double dropout,
                                                       double attentionDropout, double capacityFactor,
                                                       bool dropTokens)
    : dropout_(dropout) {
    selfAttn = register_module("self_attn",
                               StandaloneAttention(embedDim, 0, qkvDim, gene.selfHeads, attentionDropout));
    selfAttnNorm = register_module("self_attn_layer_norm", layerNorm(embedDim));
    endeAttn = register_module("encoder_attn", StandaloneAttention(embedDim, encoderEmbedDim, qkvDim,
                                                                   gene.endeHeads, attentionDropout));
    endeAttnNorm = register_module("encoder_attn_layer_norm", layerNorm(embedDim));
    ffn =
        register_module("moe", StandaloneMoE(embedDim, gene.expertWidths, std::min(gene.topK, gene.experts()),
                                             capacityFactor, dropTokens));
    finalNorm = register_module("final_layer_norm", layerNorm(embedDim));
}

torch::Tensor StandaloneDecoderLayerImpl::forward(const torch::Tensor& x, const torch::Tensor& selfMask,
                                                  const torch::Tensor& memory,
                                                  const torch::Tensor& memoryMask, const TokenRows& rows,
                                                  std::vector<torch::Tensor>& balanceLosses) {
    const bool drop = dropout_ > 0 && is_training();
    auto h = selfAttn->forward(x, x, selfMask);
    if (drop) h = torch::dropout(h, dropout_, true);
    auto y = selfAttnNorm->forward(x + h);
    h = endeAttn->forward(y, memory, memoryMask);
    if (drop) h = torch::dropout(h, dropout_, true);
    y = endeAttnNorm->forward(y + h);
    torch::Tensor loss;
    h = ffn->forward(y, rows, loss);
    if (loss.defined()) balanceLosses.push_back(loss);
    if (drop) h = torch::dropout(h, dropout_, true);
    return finalNorm->forward(y + h);
}

} // namespace automoe
