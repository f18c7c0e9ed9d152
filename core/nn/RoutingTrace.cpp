#include "nn/RoutingTrace.h"

namespace automoe {

void RoutingTrace::clear() {
    entries_.clear();
    batchOffset_ = 0;
}

std::vector<RoutingRecord> RoutingTrace::records() const {
    std::vector<RoutingRecord> out;
    size_t total = 0;
    for (const auto& e : entries_)
        total += static_cast<size_t>(e.expert.numel());
    out.reserve(total);
    for (const auto& e : entries_) {
        auto rows = e.rows.to(torch::kLong).contiguous();
        auto expert = e.expert.to(torch::kLong).contiguous();
        auto gate = e.gate.to(torch::kFloat).contiguous();
        auto kept = e.kept.to(torch::kBool).contiguous();
        const int64_t N = expert.size(0), k = expert.size(1);
        const int64_t* r = rows.data_ptr<int64_t>();
        const int64_t* x = expert.data_ptr<int64_t>();
        const float* g = gate.data_ptr<float>();
        const bool* kp = kept.data_ptr<bool>();
        for (int64_t t = 0; t < N; ++t) {
            for (int64_t j = 0; j < k; ++j) {
                RoutingRecord rec;
                rec.stack = e.stack;
                rec.layer = e.layer;
                rec.batch = static_cast<int>(e.batchOffset + r[t] / e.seqLen);
                rec.position = static_cast<int>(r[t] % e.seqLen);
                rec.expert = static_cast<int>(x[t * k + j]);
                rec.expertWidth = e.widths.at(static_cast<size_t>(rec.expert));
                rec.gate = g[t * k + j];
                rec.dropped = !kp[t * k + j];
                out.push_back(rec);
            }
        }
    }
    return out;
}

RoutingProfile RoutingTrace::profile(const Architecture& arch) const {
    RoutingProfile p;
    std::vector<double> tokens[2]; // tokens recorded per layer
    for (int s = 0; s < 2; ++s) {
        const auto& stack = arch.stack(s == 0 ? Stack::Encoder : Stack::Decoder);
        auto& dst = s == 0 ? p.encoder : p.decoder;
        dst.assign(static_cast<size_t>(stack.depth()), {});
        tokens[s].assign(static_cast<size_t>(stack.depth()), 0.0);
    }
    for (const auto& e : entries_) {
        const int s = e.stack == Stack::Encoder ? 0 : 1;
        auto& dst = s == 0 ? p.encoder : p.decoder;
        if (e.layer < 0 || e.layer >= static_cast<int>(dst.size())) continue;
        auto& layer = dst[static_cast<size_t>(e.layer)];
        auto counts = e.counts.to(torch::kLong).contiguous();
        if (layer.size() < static_cast<size_t>(counts.numel()))
            layer.resize(static_cast<size_t>(counts.numel()), 0.0);
        const int64_t* c = counts.data_ptr<int64_t>();
        for (int64_t i = 0; i < counts.numel(); ++i)
            layer[static_cast<size_t>(i)] += double(c[i]);
        tokens[s][static_cast<size_t>(e.layer)] += double(e.rows.numel());
    }
    for (int s = 0; s < 2; ++s) {
        auto& dst = s == 0 ? p.encoder : p.decoder;
        for (size_t l = 0; l < dst.size(); ++l)
            if (tokens[s][l] > 0)
                for (double& v : dst[l])
                    v /= tokens[s][l];
    }
    return p;
}

} // namespace automoe
