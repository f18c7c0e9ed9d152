#include "run/SubnetFitness.h"

#include <stdexcept>

namespace automoe {

SubnetFitness::SubnetFitness(SuperTransformer model, const TokenizedSet& valid, int64_t sentences,
                             int64_t maxTokens)
    : model_(std::move(model)) {
    if (maxTokens <= 0)
        throw std::invalid_argument("fitness max_tokens: must be positive, got " + std::to_string(maxTokens));
    const size_t n = sentences > 0 ? std::min(valid.size(), size_t(sentences)) : valid.size();
    if (n == 0) throw std::invalid_argument("no validation sentences to compute fitness on");
    TokenizedSet subset;
    subset.source.assign(valid.source.begin(), valid.source.begin() + int64_t(n));
    subset.target.assign(valid.target.begin(), valid.target.begin() + int64_t(n));
    SpecialIds ids;
    ids.pad = model_->config().padIndex;
    for (const auto& rows : planBatches(subset, maxTokens, 0, false)) {
        batches_.push_back(makeBatch(subset, rows, ids));
        const auto flat = batches_.back().tgtOut.reshape({-1});
        keep_.push_back(flat.ne(ids.pad).nonzero().squeeze(1));
        targets_.push_back(flat.index_select(0, keep_.back()).unsqueeze(1));
        targetTokens_ += batches_.back().targetTokens;
        sourceTokens_ += batches_.back().sourceTokens;
    }
    sentences_ = int64_t(n);
}

double SubnetFitness::operator()(const Architecture& arch) {
    torch::NoGradGuard noGrad;
    const bool wasTraining = model_->is_training();
    const bool wasTracing = model_->tracing();
    model_->eval();
    model_->setTracing(false);
    model_->setArchitecture(arch);
    double nll = 0;
    int64_t tokens = 0;
    for (size_t i = 0; i < batches_.size(); ++i) {
        const Batch& b = batches_[i];
        const EncoderOutput enc = model_->encode(b.src);
        const DecoderOutput dec = model_->decode(b.tgtIn, enc);
        const auto hidden = dec.hidden.reshape({-1, dec.hidden.size(-1)}).index_select(0, keep_[i]);
        const auto logits = model_->outputLogits(hidden); // [real target positions, vocab]
        nll += (logits.logsumexp(-1).sum() - logits.gather(1, targets_[i]).sum()).item<double>();
        tokens += keep_[i].size(0);
    }
    model_->setTracing(wasTracing);
    model_->train(wasTraining);
    return nll / double(std::max<int64_t>(tokens, 1));
}

std::vector<double> SubnetFitness::evaluate(const std::vector<Architecture>& archs) {
    std::vector<double> out;
    out.reserve(archs.size());
    for (const Architecture& a : archs)
        out.push_back((*this)(a));
    return out;
}

} // namespace automoe
