// Multi-head attention on given weights (LayerWeights.h), the one implementation behind the supernet's
// SuperAttention (sliced weights) and a StandaloneTransformer's attention (exact weights). HAT convention:
// Q/K/V project to a fixed qkv width and the head count only changes the head size (qkv / heads).
#pragma once

#include "nn/LayerWeights.h"

#include <torch/torch.h>

#include <utility>

namespace automoe {

// Additive key mask [B, 1, 1, S] from a bool padding mask [B, S] (true at padding): -1e9 at padding, large
// enough to zero a softmax weight and finite so that a fully masked row yields no NaN.
torch::Tensor additivePaddingMask(const torch::Tensor& padMask, const torch::TensorOptions& options);

// x [B, T, e] attends to itself through the fused [q; k; v] projection w.inProj. mask: additive float mask
// broadcastable to [B, heads, T, T] (0 = attend, a large negative number = blocked) or undefined.
// Returns [B, T, e].
torch::Tensor selfAttention(const AttentionWeights& w, const torch::Tensor& x, const torch::Tensor& mask,
                            bool training);

// query [B, T, e] attends to memory [B, S, e_kv] through w.qProj and the fused [k; v] projection w.kvProj.
// mask broadcastable to [B, heads, T, S] or undefined. Returns [B, T, e].
torch::Tensor encoderDecoderAttention(const AttentionWeights& w, const torch::Tensor& query,
                                      const torch::Tensor& memory, const torch::Tensor& mask, bool training);

// Incremental self-attention: the new positions x [R, t', e] append their keys and values to the cache
// (keys / values [R, t, qkv], undefined before the first step) and attend to every cached position, their
// own included; no mask, since nothing after them is cached. Returns [R, t', e].
torch::Tensor selfAttentionStep(const AttentionWeights& w, const torch::Tensor& x, torch::Tensor& keys,
                                torch::Tensor& values, bool training);

// The encoder-decoder keys and values of memory [R, S, e_kv], [R, S, qkv] each: what an incremental decoder
// computes once per sentence.
std::pair<torch::Tensor, torch::Tensor> memoryKeysValues(const AttentionWeights& w,
                                                         const torch::Tensor& memory);

// The attention proper on projected queries q [B, T, qkv] and keys / values k, v [B, S, qkv] (views of a
// fused projection are fine): heads, scaled scores, mask, softmax, dropout, context, w.outProj. The piece
// an incremental decoder runs on cached keys and values.
torch::Tensor attendHeads(const AttentionWeights& w, const torch::Tensor& q, const torch::Tensor& k,
                          const torch::Tensor& v, const torch::Tensor& mask, bool training);

} // namespace automoe
