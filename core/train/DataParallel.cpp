#include "train/DataParallel.h"

#include "nn/ProfileScope.h"

#include <chrono>
#include <cmath>

namespace automoe {

namespace {

// The control tensor: one flag per parameter (it has a gradient on this rank), then the step's partial
// loss, nll and load-balancing figures, then 1 for a rank that steps (0 for rank 0's stop), then per rank
// its tokens and busy milliseconds (a rank writes its own pair, so the sum gathers them).
constexpr int64_t kFigures = 4;
constexpr int64_t kRankFigures = 2;

double elapsedMs(std::chrono::steady_clock::time_point since) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - since).count();
}

} // namespace

std::vector<std::size_t> shardRows(const Batch& batch, int rank, int world) {
    if (world <= 1) return batch.indices;
    const auto b = int64_t(batch.indices.size());
    const int64_t from = b * rank / world, to = b * (rank + 1) / world;
    return {batch.indices.begin() + from, batch.indices.begin() + to};
}

DataParallel::DataParallel(std::shared_ptr<Collective> collective)
    : collective_(std::move(collective)) {
    if (!collective_) throw std::invalid_argument("DataParallel: no collective");
}

void DataParallel::attach(const std::vector<torch::Tensor>& params) {
    torch::NoGradGuard noGrad;
    std::vector<torch::Tensor> data;
    for (const auto& p : params)
        data.push_back(p.detach());
    collective_->broadcast(data, 0);
    paramCount_ = int64_t(params.size());
}

torch::Tensor DataParallel::controlTensor(int64_t params) const {
    return torch::zeros({params + kFigures + kRankFigures * worldSize()}, torch::kFloat64);
}

void DataParallel::reduce(const std::vector<torch::Tensor>& params, Figures& figures) {
    if (int64_t(params.size()) != paramCount_)
        throw std::logic_error("DataParallel::reduce: " + std::to_string(params.size()) +
                               " parameters, attached " + std::to_string(paramCount_));
    ProfileScope scope("automoe::allreduce");
    const auto n = int64_t(params.size());
    torch::Tensor control = controlTensor(n);
    {
        auto c = control.accessor<double, 1>();
        for (int64_t i = 0; i < n; ++i)
            c[i] = params[size_t(i)].grad().defined() ? 1.0 : 0.0;
        c[n] = figures.loss;
        c[n + 1] = figures.nll;
        c[n + 2] = figures.lb;
        c[n + 3] = 1.0;
        const int64_t own = n + kFigures + kRankFigures * rank();
        c[own] = double(figures.share.tokens);
        c[own + 1] = figures.share.busyMs;
    }
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<torch::Tensor> first{control};
    allreduce(first);
    auto c = control.accessor<double, 1>();
    if (c[n + 3] < double(worldSize()) - 0.5) {
        times_.allreduceMs += elapsedMs(t0);
        throw PeersStopped("rank 0 stopped training");
    }
    figures.loss = c[n];
    figures.nll = c[n + 1];
    figures.lb = c[n + 2];
    figures.ranks.assign(size_t(worldSize()), RankStepRow{});
    for (int r = 0; r < worldSize(); ++r) {
        const int64_t at = n + kFigures + kRankFigures * r;
        figures.ranks[size_t(r)] = {int64_t(std::llround(c[at])), c[at + 1]};
    }

    // The gradients of the parameters flagged anywhere, in buckets of at most kBucketBytes of one dtype.
    torch::NoGradGuard noGrad;
    std::vector<std::vector<size_t>> members;
    std::vector<torch::Tensor> buckets;
    {
        std::vector<torch::Tensor> pieces;
        int64_t bytes = 0;
        caffe2::TypeMeta dtype;
        auto close = [&] {
            if (pieces.empty()) return;
            buckets.push_back(torch::cat(pieces));
            pieces.clear();
            bytes = 0;
        };
        members.emplace_back();
        for (int64_t i = 0; i < n; ++i) {
            if (c[i] < 0.5) continue;
            const torch::Tensor& p = params[size_t(i)];
            const int64_t b = p.numel() * int64_t(p.element_size());
            if (bytes > 0 && (bytes + b > kBucketBytes || p.dtype() != dtype)) {
                close();
                members.emplace_back();
            }
            const torch::Tensor& g = p.grad();
            pieces.push_back(g.defined() ? g.reshape(-1) : torch::zeros({p.numel()}, p.options()));
            members.back().push_back(size_t(i));
            bytes += b;
            dtype = p.dtype();
        }
        close();
        if (!members.empty() && members.back().empty()) members.pop_back();
    }
    allreduce(buckets);
    for (size_t k = 0; k < buckets.size(); ++k) {
        int64_t offset = 0;
        for (size_t i : members[k]) {
            torch::Tensor p = params[i];
            p.mutable_grad() = buckets[k].narrow(0, offset, p.numel()).view(p.sizes());
            offset += p.numel();
        }
    }
    times_.allreduceMs += elapsedMs(t0);
    ++times_.steps;
}

void DataParallel::allreduce(std::vector<torch::Tensor>& tensors) {
    try {
        collective_->allreduceSum(tensors);
    } catch (...) {
        failed_ = true;
        throw;
    }
}

void DataParallel::stop() {
    if (stopped_ || failed_ || worldSize() <= 1) return;
    if (rank() != 0) throw std::logic_error("DataParallel::stop: only rank 0 stops training");
    if (paramCount_ < 0) throw std::logic_error("DataParallel::stop: not attached to a trainer");
    stopped_ = true;
    std::vector<torch::Tensor> control{controlTensor(paramCount_)};
    allreduce(control);
}

} // namespace automoe
