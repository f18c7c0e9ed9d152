#include "cost/LatencyMeter.h"

#include "data/Vocabulary.h"
#include "nn/TorchRuntime.h"
#include "space/ArchitectureIO.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <random>
#include <set>
#include <stdexcept>

namespace automoe {

namespace {

using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

// Linear interpolation between the order statistics of sorted values (numpy's default).
double percentile(const std::vector<double>& sorted, double p) {
    const double pos = p * double(sorted.size() - 1);
    const size_t lo = static_cast<size_t>(std::floor(pos));
    const size_t hi = std::min(lo + 1, sorted.size() - 1);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - double(lo));
}

// Seeds LibTorch's default generator for a scope (weight initialisation draws from it) and puts its
// previous state back afterwards, so that measuring leaves no trace in the caller's random stream.
class SeedScope {
public:
    explicit SeedScope(uint64_t seed)
        : gen_(at::detail::getDefaultCPUGenerator()) {
        std::lock_guard<std::mutex> lock(gen_.mutex());
        state_ = gen_.get_state();
        gen_.set_current_seed(seed);
    }
    ~SeedScope() {
        std::lock_guard<std::mutex> lock(gen_.mutex());
        gen_.set_state(state_);
    }
    SeedScope(const SeedScope&) = delete;
    SeedScope& operator=(const SeedScope&) = delete;

private:
    at::Generator gen_;
    torch::Tensor state_;
};

// A source sentence of `len` ids that are neither pad nor one of the Vocabulary's special ids, [1, len].
torch::Tensor randomSource(int len, int64_t vocab, int64_t pad, uint64_t seed) {
    const int64_t firstNormal = vocab > Vocabulary::kEosId + 2 ? Vocabulary::kEosId + 1 : 0;
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<int64_t> pick(firstNormal, vocab - 1);
    std::vector<int64_t> ids;
    while (static_cast<int>(ids.size()) < len) {
        const int64_t id = pick(rng);
        if (id != pad) ids.push_back(id);
    }
    return torch::tensor(ids, torch::kLong).view({1, len});
}

} // namespace

LatencyStats LatencyStats::of(std::vector<double> ms) {
    if (ms.empty()) throw std::invalid_argument("LatencyStats: no measurements");
    std::sort(ms.begin(), ms.end());
    LatencyStats s;
    s.min = ms.front();
    s.max = ms.back();
    s.median = percentile(ms, 0.5);
    s.q1 = percentile(ms, 0.25);
    s.q3 = percentile(ms, 0.75);
    return s;
}

nlohmann::json latencyRecordToJson(const LatencyRecord& r) {
    auto stats = [](const LatencyStats& s) {
        return nlohmann::json{
            {"median", s.median}, {"min", s.min}, {"max", s.max}, {"q1", s.q1}, {"q3", s.q3}};
    };
    const LatencyMeasurement& m = r.measurement;
    return {{"arch", architectureToJson(r.arch)},
            {"key", r.arch.key()},
            {"encoder_ms", stats(m.encoder)},
            {"decoder_ms", stats(m.decoder)},
            {"total_ms", stats(m.total)},
            {"src_len", m.srcLen},
            {"tgt_len", m.tgtLen},
            {"beam", m.beam},
            {"repeats", m.repeats},
            {"threads", m.threads},
            {"meter", kLatencyMeterVersion}};
}

LatencyMeter::LatencyMeter(const LatencyOptions& options)
    : options_(options) {
    if (options_.srcLen < 1 || options_.tgtLen < 1)
        throw std::invalid_argument("LatencyMeter: source and target lengths must be positive");
    if (options_.beam < 1) throw std::invalid_argument("LatencyMeter: beam size must be positive");
    if (options_.repeats < 1 || options_.warmup < 0)
        throw std::invalid_argument("LatencyMeter: repeats must be positive and warm-up runs not negative");
}

namespace {

// One translation as a deployed model runs it (HAT's measurement), timed: the encoder once, then tgtLen
// incremental decoder steps on cached keys and values, the encoder-decoder keys and values computed at the
// start of decoding (counted as decoder time, as fairseq computes them at its first step). With
// o.incremental false, each step re-runs the decoder on the whole prefix (meter version 1).
std::pair<double, double> timedRun(StandaloneTransformerImpl& model, const LatencyOptions& o) {
    const int64_t vocab = model.vocabSize(), pad = model.padIndex();
    if (vocab < 2) throw std::invalid_argument("LatencyMeter: the model's vocabulary is too small to decode");
    const auto src = randomSource(o.srcLen, vocab, pad, o.seed);
    // The Vocabulary's bos id starts the target (any non-pad id costs the same).
    const int64_t start = pad == Vocabulary::kBosId ? Vocabulary::kEosId : Vocabulary::kBosId;
    const int64_t k = o.beam;
    const auto t0 = Clock::now();
    EncoderOutput enc = model.encodeSource(src);
    const double encoderMs = msSince(t0);
    const auto t1 = Clock::now();
    DecoderState state;
    if (o.incremental) {
        state = model.startDecoding(enc);
        if (k > 1) state.selectRows(torch::zeros({k}, torch::kLong));
    } else if (k > 1) {
        enc = enc.selectRows(torch::zeros({k}, torch::kLong));
    }
    auto prefix = torch::full({k, 1}, start, torch::kLong); // the full-prefix decoder's input
    auto tokens = torch::full({k}, start, torch::kLong);    // the incremental decoder's
    auto scores = torch::zeros({k});
    for (int step = 0; step < o.tgtLen; ++step) {
        auto logits = o.incremental ? model.stepLogits(tokens, state) : model.nextTokenLogits(prefix, enc);
        logits.select(1, pad).fill_(-std::numeric_limits<float>::infinity()); // never emit padding
        torch::Tensor rows;
        if (k == 1) {
            tokens = logits.argmax(-1);
        } else {
            auto total = torch::log_softmax(logits, -1).add_(scores.unsqueeze(1)).view({-1});
            auto best = total.topk(k);
            rows = std::get<1>(best).div(vocab, "floor");
            tokens = std::get<1>(best).remainder(vocab);
            scores = std::get<0>(best);
        }
        if (o.incremental) {
            if (rows.defined()) state.reorderWithinSentences(rows);
        } else {
            prefix =
                torch::cat({rows.defined() ? prefix.index_select(0, rows) : prefix, tokens.unsqueeze(1)}, 1);
        }
    }
    return {encoderMs, msSince(t1)};
}

} // namespace

std::pair<double, double> LatencyMeter::timeOnce(StandaloneTransformerImpl& model) const {
    TorchThreadScope threads(options_.threads);
    model.eval();
    torch::NoGradGuard noGrad;
    return timedRun(model, options_);
}

LatencyMeasurement LatencyMeter::measure(StandaloneTransformerImpl& model) const {
    const LatencyOptions& o = options_;
    TorchThreadScope threads(o.threads);
    const bool wasTraining = model.is_training();
    model.eval();
    torch::NoGradGuard noGrad;
    for (int i = 0; i < o.warmup; ++i)
        timedRun(model, o);
    std::vector<double> enc, dec, total;
    for (int i = 0; i < o.repeats; ++i) {
        const auto [e, d] = timedRun(model, o);
        enc.push_back(e);
        dec.push_back(d);
        total.push_back(e + d);
    }
    model.train(wasTraining);

    LatencyMeasurement m;
    m.encoder = LatencyStats::of(enc);
    m.decoder = LatencyStats::of(dec);
    m.total = LatencyStats::of(total);
    m.srcLen = o.srcLen;
    m.tgtLen = o.tgtLen;
    m.beam = o.beam;
    m.repeats = o.repeats;
    m.threads = torchThreads();
    return m;
}

LatencyMeasurement LatencyMeter::measure(SuperTransformerImpl& supernet, const Architecture& arch) const {
    StandaloneTransformer model = StandaloneTransformer::fromSupernet(supernet, arch);
    return measure(*model);
}

std::vector<LatencyRecord>
LatencyMeter::measureSpace(const SearchSpace& space, int count, int64_t vocabSize,
                           const LatencyOptions& options, uint64_t seed,
                           const std::function<void(int, int, const LatencyRecord&)>& progress) {
    if (count < 1) return {};
    space.validate();
    const LatencyMeter meter(options);
    std::vector<Architecture> archs{space.smallest(), space.largest()};
    std::set<std::string> keys{archs[0].key(), archs[1].key()};
    if (keys.size() == 1) archs.pop_back();
    std::mt19937_64 rng(seed);
    for (int attempts = 0; static_cast<int>(archs.size()) < count && attempts < 100 * count; ++attempts) {
        Architecture a = space.sample(rng);
        if (keys.insert(a.key()).second) archs.push_back(std::move(a));
    }
    if (static_cast<int>(archs.size()) > count) archs.resize(size_t(count));

    std::vector<LatencyRecord> records;
    records.reserve(archs.size());
    for (size_t i = 0; i < archs.size(); ++i) {
        StandaloneTransformerConfig config;
        config.vocabSize = vocabSize;
        config.padIndex = Vocabulary::kPadId;
        config.arch = archs[i];
        LatencyRecord r;
        {
            SeedScope seeded(seed + i);
            StandaloneTransformer model(config);
            r.arch = model->architecture();
            r.measurement = meter.measure(*model);
        }
        records.push_back(std::move(r));
        if (progress) progress(static_cast<int>(i) + 1, static_cast<int>(archs.size()), records.back());
    }
    return records;
}

} // namespace automoe
