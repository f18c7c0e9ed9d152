// The architecture encoding of Mixture-of-Supernets (Jawahar et al., arXiv 2306.04845): a fixed-length
// vector in [0, 1] describing an architecture relative to the supernet it runs in. The MoS routers read it
// to mix their weight sets; it is the one encoding of the workbench (the supernet computes it in
// setArchitecture, so training, validation, search, ranking and export all see the same vector — the
// AutoMoE code's predictor fed different features in training and in search).
//
// Layout (every entry is a value divided by the supernet's maximum of it, so 1 = the supernet's own):
//   0  encoder embedding width            / encoder super width
//   1  decoder embedding width            / decoder super width
//   2  encoder depth                      / encoder super depth
//   3  decoder depth                      / decoder super depth
//   4  encoder mean FFN width             / encoder super FFN width    (a layer's FFN width is the sum of
//   5  decoder mean FFN width             / decoder super FFN width     its experts' widths divided by its
//                                                                        number of experts: the mean expert)
//   6  encoder mean self-attention heads  / maximum heads
//   7  decoder mean self-attention heads  / maximum heads
//   8  decoder mean enc-dec heads         / maximum heads
//   9  decoder mean attended encoder layers (arbitrary encoder-decoder attention) / encoder super depth
//  10  qkv width                          / super qkv width
// and, when the supernet has more than one expert slot in either stack (an MoE space):
//  11  encoder mean experts per layer     / encoder expert slots
//  12  decoder mean experts per layer     / decoder expert slots
//  13  encoder mean total FFN width per layer (sum of expert widths) / (slots x super FFN width)
//  14  decoder mean total FFN width per layer                         / (slots x super FFN width)
// Means are over the active layers. Entries 11-14 separate "one wide expert" from "many narrow ones",
// which entries 4-5 alone cannot.
#pragma once

#include "space/Architecture.h"
#include "space/SearchSpace.h"

#include <string>
#include <vector>

namespace automoe {

// 11 for a dense supernet, 15 for an MoE one.
int architectureEncodingSize(const SupernetDims& dims);

// The encoding of `arch` in a supernet of `dims` (architectureEncodingSize(dims) entries). The
// architecture is expected to fit the supernet (SuperTransformer::setArchitecture checks that first).
std::vector<float> architectureEncoding(const Architecture& arch, const SupernetDims& dims);

// Names of the entries, for display and the README ("encoder embed", ...).
std::vector<std::string> architectureEncodingNames(const SupernetDims& dims);

} // namespace automoe
