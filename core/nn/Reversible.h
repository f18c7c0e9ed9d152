// Multi-split reversible layers (DARTSformer, Zhao et al. 2021, §3): the building block of issue 13's
// memory-efficient differentiable search. Only this block exists so far; mixed operations, the DARTS space
// file, the bi-level search, the CLI and the GUI are still to come.
//
// A layer splits the hidden state [..., d] along channels into n parts X_1..X_n and computes, for k = 1..n,
//     Y_k = X_k + G_k(Y_1, ..., Y_{k-1}, X_{k+1}, ..., X_n),
// so each part is updated from the newest value of every other part. It inverts exactly, in reverse order:
//     X_k = Y_k - G_k(Y_1, ..., Y_{k-1}, X_{k+1}, ..., X_n)   for k = n..1
// (X_{k+1..n} are already known when X_k is reconstructed). A decoder layer has n + 1 parts whose last G is
// encoder-decoder attention: the branch reads the encoder output as a captured tensor.
//
// How the n - 1 inputs of a G_k are fused is the branch's business; `fuseBySum` is the choice used here (a
// stated alternative to concatenation: it keeps every G_k at width d / n and costs nothing).
//
// reversibleSequence runs layers keeping only the last output; its backward walks the layers downward and,
// in each, evaluates every G_k once under autograd: its value reconstructs the layer's input part, its graph
// gives the gradients (ReversibleLayer::backward). Activation memory does not grow with depth, and a step
// costs one extra forward evaluation of the layers over ordinary back-propagation (about 4/3 of its time).
// The branches must compute the same thing when called again: a branch with dropout needs its random state
// replayed in the backward pass, which is not done yet (the search will need it).
#pragma once

#include <torch/torch.h>

#include <functional>
#include <utility>
#include <vector>

namespace automoe {

class ReversibleLayer {
public:
    // others: (Y_1..Y_{k-1}, X_{k+1}..X_n), n - 1 tensors in that order. Returns a tensor of part k's shape.
    using Branch = std::function<torch::Tensor(const std::vector<torch::Tensor>& others)>;

    // splitSizes: the parts' widths (summing to d); one branch per part. Throws std::invalid_argument for
    // fewer than 2 parts, a non-positive width or a branch count that differs.
    ReversibleLayer(std::vector<int64_t> splitSizes, std::vector<Branch> branches);

    int64_t parts() const { return int64_t(splitSizes_.size()); }
    int64_t width() const;

    // x [..., d] -> y [..., d]; differentiable by ordinary autograd (which keeps every intermediate).
    torch::Tensor forward(const torch::Tensor& x) const;
    // y -> x, the exact inverse up to float rounding.
    torch::Tensor inverse(const torch::Tensor& y) const;

    // One layer of back-propagation with reconstruction, each G_k evaluated once (RevNet's backward, Gomez et
    // al. 2017, generalised to n parts): for k = n..1, G_k runs under autograd on (Y_<k, X_>k); its value
    // gives X_k = Y_k - G_k and its graph the gradients of its inputs and of `captured`, accumulated into
    // `capturedGrads` (one slot per captured tensor; undefined until a gradient arrives). Returns the layer's
    // input x and the gradient of the loss with respect to it, given its output y and that gradient dy. With
    // `intoLeafGrads`, the gradient of a captured leaf (a weight, alpha) is added to its .grad at once
    // instead.
    std::pair<torch::Tensor, torch::Tensor> backward(const torch::Tensor& y, const torch::Tensor& dy,
                                                     const std::vector<torch::Tensor>& captured,
                                                     std::vector<torch::Tensor>& capturedGrads,
                                                     bool intoLeafGrads = false) const;

private:
    std::vector<torch::Tensor> split(const torch::Tensor& t) const;

    std::vector<int64_t> splitSizes_;
    std::vector<Branch> branches_;
};

// The sum of the other parts (all of one width): the fusion of a branch's inputs used here.
torch::Tensor fuseBySum(const std::vector<torch::Tensor>& others);

// layers applied in order to x, keeping only the output. `captured`: every tensor the branches read besides
// the hidden state that needs a gradient (weights, architecture weights alpha, encoder memory); their
// gradients are accumulated as for any autograd input. The layers (not the vector) must outlive the backward
// pass.
//
// Where the captured tensors' gradients go: Returned hands them back through the autograd graph (so that
// torch::autograd::grad sees them; every weight's gradient of the whole stack is held until the function
// returns, which grows with depth), IntoLeafGrads adds a leaf's gradient to its .grad as soon as each G_k
// has it (what a search with .backward() wants: only one branch's weight gradients exist at a time). Non-leaf
// captured tensors (an encoder output) are returned either way.
enum class CapturedGradients { Returned, IntoLeafGrads };
torch::Tensor reversibleSequence(const std::vector<const ReversibleLayer*>& layers, const torch::Tensor& x,
                                 const std::vector<torch::Tensor>& captured,
                                 CapturedGradients gradients = CapturedGradients::Returned);

} // namespace automoe
