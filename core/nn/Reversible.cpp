#include "nn/Reversible.h"

#include <numeric>
#include <stdexcept>
#include <string>

namespace automoe {

ReversibleLayer::ReversibleLayer(std::vector<int64_t> splitSizes, std::vector<Branch> branches)
    : splitSizes_(std::move(splitSizes))
    , branches_(std::move(branches)) {
    if (splitSizes_.size() < 2)
        throw std::invalid_argument("ReversibleLayer: needs at least 2 parts, got " +
                                    std::to_string(splitSizes_.size()));
    for (int64_t s : splitSizes_)
        if (s <= 0)
            throw std::invalid_argument("ReversibleLayer: part width " + std::to_string(s) +
                                        " is not positive");
    if (branches_.size() != splitSizes_.size())
        throw std::invalid_argument("ReversibleLayer: " + std::to_string(branches_.size()) +
                                    " branches for " + std::to_string(splitSizes_.size()) + " parts");
}

int64_t ReversibleLayer::width() const {
    return std::accumulate(splitSizes_.begin(), splitSizes_.end(), int64_t(0));
}

std::vector<torch::Tensor> ReversibleLayer::split(const torch::Tensor& t) const {
    if (t.size(-1) != width())
        throw std::invalid_argument("ReversibleLayer: input width " + std::to_string(t.size(-1)) +
                                    ", layer width " + std::to_string(width()));
    return t.split_with_sizes(splitSizes_, -1);
}

torch::Tensor ReversibleLayer::forward(const torch::Tensor& x) const {
    std::vector<torch::Tensor> parts = split(x); // becomes Y part by part
    const size_t n = parts.size();
    for (size_t k = 0; k < n; ++k) {
        std::vector<torch::Tensor> others;
        others.reserve(n - 1);
        for (size_t j = 0; j < n; ++j)
            if (j != k) others.push_back(parts[j]); // Y_j for j < k, X_j for j > k
        parts[k] = parts[k] + branches_[k](others);
    }
    return torch::cat(parts, -1);
}

torch::Tensor ReversibleLayer::inverse(const torch::Tensor& y) const {
    std::vector<torch::Tensor> parts = split(y); // becomes X part by part, from the last
    const size_t n = parts.size();
    for (size_t k = n; k-- > 0;) {
        std::vector<torch::Tensor> others;
        others.reserve(n - 1);
        for (size_t j = 0; j < n; ++j)
            if (j != k) others.push_back(parts[j]); // Y_j for j < k, X_j (reconstructed) for j > k
        parts[k] = parts[k] - branches_[k](others);
    }
    return torch::cat(parts, -1);
}

std::pair<torch::Tensor, torch::Tensor> ReversibleLayer::backward(const torch::Tensor& y,
                                                                  const torch::Tensor& dy,
                                                                  const std::vector<torch::Tensor>& captured,
                                                                  std::vector<torch::Tensor>& capturedGrads,
                                                                  bool intoLeafGrads) const {
    std::vector<torch::Tensor> parts = split(y.detach()); // becomes X part by part, from the last
    std::vector<torch::Tensor> grads = split(dy);         // dY_j, becoming dX_j
    for (auto& g : grads)
        g = g.contiguous();
    const size_t n = parts.size();
    std::vector<torch::Tensor> wanted;
    std::vector<size_t> wantedIndex;
    for (size_t i = 0; i < captured.size(); ++i)
        if (captured[i].requires_grad()) {
            wanted.push_back(captured[i]);
            wantedIndex.push_back(i);
        }
    for (size_t k = n; k-- > 0;) {
        // G_k's inputs: Y_j (j < k, final) and X_j (j > k, reconstructed); leaves of this evaluation.
        std::vector<torch::Tensor> others;
        std::vector<size_t> otherIndex;
        for (size_t j = 0; j < n; ++j)
            if (j != k) {
                others.push_back(parts[j].detach().requires_grad_(true));
                otherIndex.push_back(j);
            }
        torch::Tensor g;
        {
            torch::AutoGradMode gradMode(true);
            g = branches_[k](others);
        }
        // Y_k = X_k + G_k: dX_k = dY_k (G_j for j < k add to it later); the inputs of G_k get dY_k through
        // it.
        std::vector<torch::Tensor> inputs(others);
        inputs.insert(inputs.end(), wanted.begin(), wanted.end());
        const auto d = torch::autograd::grad({g}, inputs, {grads[k]}, /*retain_graph=*/false,
                                             /*create_graph=*/false, /*allow_unused=*/true);
        for (size_t i = 0; i < others.size(); ++i)
            if (d[i].defined()) grads[otherIndex[i]] = grads[otherIndex[i]] + d[i];
        for (size_t i = 0; i < wanted.size(); ++i) {
            const torch::Tensor& gi = d[others.size() + i];
            if (!gi.defined()) continue;
            if (intoLeafGrads && wanted[i].is_leaf()) {
                torch::NoGradGuard noGrad;
                auto& grad = wanted[i].mutable_grad();
                if (grad.defined())
                    grad.add_(gi);
                else // a copy, as AccumulateGrad makes of a gradient that may be a view or shared
                    grad = gi.clone(at::MemoryFormat::Contiguous);
                continue;
            }
            auto& acc = capturedGrads[wantedIndex[i]];
            acc = acc.defined() ? acc + gi : gi;
        }
        parts[k] = parts[k] - g.detach();
    }
    return {torch::cat(parts, -1), torch::cat(grads, -1)};
}

torch::Tensor fuseBySum(const std::vector<torch::Tensor>& others) {
    if (others.empty()) throw std::invalid_argument("fuseBySum: no inputs");
    torch::Tensor sum = others[0];
    for (size_t i = 1; i < others.size(); ++i)
        sum = sum + others[i];
    return sum;
}

namespace {

// The layers, kept with the graph node (the caller's vector need not outlive the call).
struct LayersHolder : torch::CustomClassHolder {
    std::vector<const ReversibleLayer*> layers;
    bool intoLeafGrads = false;
};

class ReversibleSequenceFunction : public torch::autograd::Function<ReversibleSequenceFunction> {
public:
    static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x,
                                 torch::TensorList captured, std::vector<const ReversibleLayer*> layers,
                                 bool intoLeafGrads) {
        // Runs without autograd (as every custom function's forward): nothing but the output is kept.
        torch::Tensor h = x;
        for (const ReversibleLayer* layer : layers)
            h = layer->forward(h);
        auto holder = c10::make_intrusive<LayersHolder>();
        holder->layers = std::move(layers);
        holder->intoLeafGrads = intoLeafGrads;
        ctx->saved_data["layers"] = c10::IValue::make_capsule(holder);
        // The top output (the only activation kept) and the captured tensors; saved as an output, the result
        // holds no reference cycle with this node, and an in-place change to it is detected.
        std::vector<torch::Tensor> saved{h};
        saved.insert(saved.end(), captured.begin(), captured.end());
        ctx->save_for_backward(saved);
        return h;
    }

    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                   torch::autograd::variable_list grads) {
        const auto holder =
            c10::static_intrusive_pointer_cast<LayersHolder>(ctx->saved_data["layers"].toCapsule());
        const auto& layers = holder->layers;
        auto saved = ctx->get_saved_variables();
        torch::Tensor y = saved[0].detach();
        const std::vector<torch::Tensor> captured(saved.begin() + 1, saved.end());
        torch::Tensor gy = grads[0];
        std::vector<torch::Tensor> gCaptured(captured.size());
        for (size_t l = layers.size(); l-- > 0;) {
            auto [x, gx] = layers[l]->backward(y, gy, captured, gCaptured, holder->intoLeafGrads);
            y = std::move(x);
            gy = std::move(gx);
        }
        torch::autograd::variable_list out{gy};
        for (auto& g : gCaptured)
            out.push_back(g);
        out.push_back(torch::Tensor()); // the layers
        out.push_back(torch::Tensor()); // the flag
        return out;
    }
};

} // namespace

torch::Tensor reversibleSequence(const std::vector<const ReversibleLayer*>& layers, const torch::Tensor& x,
                                 const std::vector<torch::Tensor>& captured, CapturedGradients gradients) {
    if (layers.empty()) return x;
    return ReversibleSequenceFunction::apply(x, torch::TensorList(captured), layers,
                                             gradients == CapturedGradients::IntoLeafGrads);
}

} // namespace automoe
