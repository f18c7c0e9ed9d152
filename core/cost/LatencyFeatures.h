// The feature vector the latency predictor sees: ONE function maps an Architecture to it, used to build
// the training set and at search time alike (the AutoMoE reference computed them differently; DESIGN §7).
//
// Layout for a supernet with L_e encoder and L_d decoder layer slots (length 5 + 6 L_e + 8 L_d + 3), every
// value scaled by the supernet's maximum so that it lies in [0, 1] (FLOPs: see below):
//   0  enc.embed        encoder embedding width / supernet encoder embedding width
//   1  enc.depth        encoder layers / L_e
//   2  dec.embed        decoder embedding width / supernet decoder embedding width
//   3  dec.depth        decoder layers / L_d
//   4  qkv              qkv width / supernet qkv width
//   then per encoder slot i = 0 .. L_e-1 (all zero when the architecture has no layer i):
//      enc.<i>.present, enc.<i>.experts (/ max experts), enc.<i>.width_mean, enc.<i>.width_max (/ max FFN
//      width), enc.<i>.topk (/ max experts), enc.<i>.self_heads (/ max heads)
//   then per decoder slot i = 0 .. L_d-1: the same six as dec.<i>.*, then dec.<i>.ende_heads (/ max heads)
//      and dec.<i>.ende_layers (encoder layers attended, / min(3, L_e))
//   last three: flops.encoder, flops.decoder, flops.total = CostModel FLOPs (HAT convention, source and
//      target 30, uniform routing) / the same FLOPs of the costliest top-1 architecture of the supernet
//      (every layer and expert slot, every width at its maximum, decoder layers attending to min(3, L_e)
//      encoder layers); above 1 only with top-k > 1 layers.
#pragma once

#include "space/Architecture.h"
#include "space/SearchSpace.h"

#include <string>
#include <vector>

namespace automoe {

class LatencyFeatures {
public:
    // Throws std::invalid_argument when a supernet dimension is not positive.
    explicit LatencyFeatures(const SupernetDims& dims);

    const SupernetDims& dims() const { return dims_; }
    int size() const { return static_cast<int>(names_.size()); }
    // One name per feature, in layout order (for debugging and export).
    const std::vector<std::string>& names() const { return names_; }

    // The feature vector of `arch`. Throws std::invalid_argument when the architecture has more layers
    // than the supernet has slots.
    std::vector<float> of(const Architecture& arch) const;

private:
    SupernetDims dims_;
    std::vector<std::string> names_;
    double referenceFlops_[3] = {1, 1, 1}; // encoder, decoder, total
};

} // namespace automoe
