#include "bench/DecodeBenchmark.h"

#include "bench/ModelBenchmark.h" // peakResidentKb
#include "cost/LatencyMeter.h"
#include "data/Vocabulary.h"
#include "nn/StandaloneTransformer.h"
#include "nn/TorchRuntime.h"
#include "space/ArchitectureIO.h"
#include "space/SpaceIO.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <stdexcept>

namespace automoe {

namespace {

double median(std::vector<double> v) {
    return LatencyStats::of(std::move(v)).median;
}

} // namespace

DecodeBenchmarkResult runDecodeBenchmark(const DecodeBenchmarkOptions& o,
                                         const std::function<void(const std::string&)>& progress) {
    if (o.targetLengths.empty()) throw std::invalid_argument("bench decode: no target length given");
    for (int t : o.targetLengths)
        if (t < 1)
            throw std::invalid_argument("bench decode: target length " + std::to_string(t) +
                                        " is not positive");
    const SearchSpace space = loadSpaceByNameOrPath(o.space);
    space.validate();
    TorchThreadScope threads(o.threads);

    DecodeBenchmarkResult r;
    r.space = o.space;
    r.threads = torchThreads();
    r.beam = o.beam;
    r.srcLen = o.srcLen;
    r.repeats = o.repeats;
    r.vocabSize = o.vocabSize;

    std::vector<std::pair<std::string, Architecture>> archs;
    for (const std::string& file : o.archFiles)
        archs.emplace_back(std::filesystem::path(file).filename().string(),
                           loadArchitecture(file, space.qkvDim));
    if (archs.empty()) archs = {{"largest", space.largest()}, {"smallest", space.smallest()}};
    for (const auto& [name, arch] : archs) {
        StandaloneTransformerConfig config;
        config.vocabSize = o.vocabSize;
        config.padIndex = Vocabulary::kPadId;
        config.arch = arch;
        torch::manual_seed(o.seed);
        StandaloneTransformer model(config);
        std::vector<double> perTokenInc, perTokenFull;
        for (int T : o.targetLengths) {
            if (progress) progress(name + " architecture, T = " + std::to_string(T));
            LatencyOptions lo;
            lo.srcLen = o.srcLen;
            lo.tgtLen = T;
            lo.beam = o.beam;
            lo.threads = o.threads;
            lo.seed = o.seed;
            lo.incremental = true;
            const LatencyMeter incremental(lo);
            lo.incremental = false;
            const LatencyMeter full(lo);
            for (int w = 0; w < o.warmup; ++w) {
                incremental.timeOnce(*model);
                full.timeOnce(*model);
            }
            std::vector<double> enc, incDec, fullDec;
            for (int i = 0; i < o.repeats; ++i) {
                const bool incFirst = i % 2 == 0; // alternate which way runs first
                for (int k = 0; k < 2; ++k) {
                    const bool inc = (k == 0) == incFirst;
                    const auto [e, d] = (inc ? incremental : full).timeOnce(*model);
                    enc.push_back(e);
                    (inc ? incDec : fullDec).push_back(d);
                }
            }
            DecodeMeasurement m;
            m.arch = name;
            m.key = arch.key();
            m.decoderLayers = arch.decoder.depth();
            m.tgtLen = T;
            m.encoderMs = median(enc);
            m.incrementalDecoderMs = median(incDec);
            m.fullDecoderMs = median(fullDec);
            m.incrementalPerTokenMs = m.incrementalDecoderMs / T;
            m.fullPerTokenMs = m.fullDecoderMs / T;
            m.incrementalSentencesPerSec = 1000.0 / (m.encoderMs + m.incrementalDecoderMs);
            m.fullSentencesPerSec = 1000.0 / (m.encoderMs + m.fullDecoderMs);
            m.decoderSpeedup = m.fullDecoderMs / m.incrementalDecoderMs;
            m.sentenceSpeedup = m.incrementalSentencesPerSec / m.fullSentencesPerSec;
            perTokenInc.push_back(m.incrementalPerTokenMs);
            perTokenFull.push_back(m.fullPerTokenMs);
            r.rows.push_back(m);
        }
        if (o.targetLengths.size() < 2) continue; // growth in T needs two lengths
        const auto shortest =
            std::min_element(o.targetLengths.begin(), o.targetLengths.end()) - o.targetLengths.begin();
        const auto longest =
            std::max_element(o.targetLengths.begin(), o.targetLengths.end()) - o.targetLengths.begin();
        r.incrementalGrowth.emplace_back(name, perTokenInc[size_t(longest)] / perTokenInc[size_t(shortest)]);
        r.fullGrowth.emplace_back(name, perTokenFull[size_t(longest)] / perTokenFull[size_t(shortest)]);
    }
    r.peakRssKb = peakResidentKb();
    return r;
}

std::string formatDecodeBenchmark(const DecodeBenchmarkResult& r) {
    std::string out;
    char line[512];
    std::snprintf(line, sizeof line,
                  "automoe bench decode: space %s, batch 1, source %d tokens, beam %d, vocabulary %lld, %d "
                  "thread(s), medians of %d runs per way (alternating)\n\n",
                  r.space.c_str(), r.srcLen, r.beam, (long long)r.vocabSize, r.threads, r.repeats);
    out += line;
    std::snprintf(line, sizeof line, "%-9s %4s %8s | %11s %9s %8s | %11s %9s %8s | %8s %8s\n", "arch", "T",
                  "enc ms", "full dec ms", "ms/token", "sent/s", "incr dec ms", "ms/token", "sent/s", "dec x",
                  "sent x");
    out += line;
    for (const DecodeMeasurement& m : r.rows) {
        std::snprintf(line, sizeof line,
                      "%-9s %4d %8.2f | %11.2f %9.3f %8.1f | %11.2f %9.3f %8.1f | %7.2fx %7.2fx\n",
                      m.arch.c_str(), m.tgtLen, m.encoderMs, m.fullDecoderMs, m.fullPerTokenMs,
                      m.fullSentencesPerSec, m.incrementalDecoderMs, m.incrementalPerTokenMs,
                      m.incrementalSentencesPerSec, m.decoderSpeedup, m.sentenceSpeedup);
        out += line;
    }
    if (!r.incrementalGrowth.empty())
        out += "\nper-token decoder time, longest T / shortest T (1.00 = flat):\n";
    for (size_t i = 0; i < r.incrementalGrowth.size(); ++i) {
        std::snprintf(line, sizeof line, "  %-9s incremental %.2f   full prefix %.2f\n",
                      r.incrementalGrowth[i].first.c_str(), r.incrementalGrowth[i].second,
                      r.fullGrowth[i].second);
        out += line;
    }
    for (const DecodeMeasurement& m : r.rows)
        if (m.tgtLen == r.rows.front().tgtLen) {
            std::snprintf(line, sizeof line, "%s: %s (%d decoder layers)\n", m.arch.c_str(), m.key.c_str(),
                          m.decoderLayers);
            out += line;
        }
    std::snprintf(line, sizeof line, "peak RSS %.0f MB\n", double(r.peakRssKb) / 1024.0);
    out += line;
    return out;
}

nlohmann::json decodeBenchmarkJson(const DecodeBenchmarkResult& r) {
    nlohmann::json rows = nlohmann::json::array();
    for (const DecodeMeasurement& m : r.rows)
        rows.push_back({{"arch", m.arch},
                        {"key", m.key},
                        {"decoder_layers", m.decoderLayers},
                        {"tgt_len", m.tgtLen},
                        {"encoder_ms", m.encoderMs},
                        {"full",
                         {{"decoder_ms", m.fullDecoderMs},
                          {"ms_per_token", m.fullPerTokenMs},
                          {"sentences_per_sec", m.fullSentencesPerSec}}},
                        {"incremental",
                         {{"decoder_ms", m.incrementalDecoderMs},
                          {"ms_per_token", m.incrementalPerTokenMs},
                          {"sentences_per_sec", m.incrementalSentencesPerSec}}},
                        {"decoder_speedup", m.decoderSpeedup},
                        {"sentence_speedup", m.sentenceSpeedup}});
    nlohmann::json growth = nlohmann::json::object();
    for (size_t i = 0; i < r.incrementalGrowth.size(); ++i)
        growth[r.incrementalGrowth[i].first] = {{"incremental", r.incrementalGrowth[i].second},
                                                {"full", r.fullGrowth[i].second}};
    return {{"space", r.space},    {"threads", r.threads},       {"beam", r.beam},
            {"src_len", r.srcLen}, {"repeats", r.repeats},       {"vocab_size", r.vocabSize},
            {"rows", rows},        {"per_token_growth", growth}, {"peak_rss_kb", r.peakRssKb}};
}

} // namespace automoe
