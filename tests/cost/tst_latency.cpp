// Latency (DESIGN §7): Kendall's tau-b and the error metrics against hand-computed values, the fixed
// feature layout, a predictor that learns a known function of the architecture and round-trips through its
// file, and a meter that returns ordered, positive statistics (no timing ratios: they flake on a busy
// machine). tinySpaceCornerLatencies prints real figures for the bundled tiny space.
#include "cost/CostModel.h"
#include "cost/LatencyFeatures.h"
#include "cost/LatencyMeter.h"
#include "cost/LatencyPredictor.h"
#include "nn/StandaloneTransformer.h"
#include "nn/SuperTransformer.h"
#include "space/SpaceIO.h"

#include "TestMain.h"
#include <QtTest/QtTest>
#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <random>
#include <set>

using namespace automoe;

namespace {

bool ordered(const LatencyStats& s) {
    return std::isfinite(s.min) && std::isfinite(s.max) && s.min > 0 && s.min <= s.q1 && s.q1 <= s.median &&
           s.median <= s.q3 && s.q3 <= s.max;
}

// Distinct architectures of the tiny space with a known synthetic latency: affine in the cost model's
// encoder and decoder FLOPs, times up to +-1 % noise.
std::vector<LatencySample> syntheticSamples(int count, uint64_t seed) {
    const SearchSpace space = loadSpaceByNameOrPath("tiny");
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> noise(-0.01, 0.01);
    std::set<std::string> keys;
    std::vector<LatencySample> samples;
    while (static_cast<int>(samples.size()) < count) {
        Architecture a = space.sample(rng);
        if (!keys.insert(a.key()).second) continue;
        const ArchitectureCost c = CostModel::evaluate(a);
        const double ms = (1.0 + c.flopsEncoder / 4e7 + c.flopsDecoder / 1.5e7) * (1.0 + noise(rng));
        samples.push_back({a, ms});
    }
    return samples;
}

} // namespace

class TestLatency : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void kendallTauMatchesHandComputedValues() {
        QCOMPARE(kendallTauB({1, 2, 3, 4}, {10, 20, 30, 40}), 1.0);
        QCOMPARE(kendallTauB({1, 2, 3, 4}, {4, 3, 2, 1}), -1.0);
        // Pairs (0,1) and (0,2) concordant, (1,2) discordant: (2 - 1) / 3.
        QVERIFY(std::abs(kendallTauB({1, 2, 3}, {1, 3, 2}) - 1.0 / 3.0) < 1e-12);
        // One pair tied in x only, one in y only, four concordant: 4 / sqrt(5 * 5) (scipy: 0.8).
        QVERIFY(std::abs(kendallTauB({1, 2, 2, 3}, {1, 2, 3, 3}) - 0.8) < 1e-12);
        // A pair tied in both counts in both tie totals: 2 / sqrt(2 * 2).
        QVERIFY(std::abs(kendallTauB({1, 1, 2}, {5, 5, 7}) - 1.0) < 1e-12);
        // Of the 10 pairs: 8 concordant, 1 discordant (3,4), 1 tied in x only (1,2) -> 7 / sqrt(9 * 10)
        // (scipy.stats.kendalltau: 0.7379).
        QVERIFY(std::abs(kendallTauB({1, 2, 2, 4, 5}, {1, 3, 2, 5, 4}) - 7.0 / std::sqrt(90.0)) < 1e-12);
        QVERIFY(std::isnan(kendallTauB({3, 3, 3}, {1, 2, 3})));
        QVERIFY(std::isnan(kendallTauB({1}, {1})));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, kendallTauB({1, 2}, {1, 2, 3}));
    }

    void metricsMatchHandComputedValues() {
        const LatencyMetrics m = latencyMetrics({1, 2, 3}, {1, 2, 4});
        QCOMPARE(m.count, 3);
        QVERIFY(std::abs(m.rmse - std::sqrt(1.0 / 3.0)) < 1e-12);
        QVERIFY(std::abs(m.mape - 0.25 / 3.0) < 1e-12);
        QCOMPARE(m.kendallTau, 1.0);
    }

    void featureLayoutIsFixedAndDocumented() {
        const SearchSpace space = loadSpaceByNameOrPath("tiny");
        const LatencyFeatures features(space.supernet());
        const SupernetDims d = space.supernet();
        const int expected = 5 + 6 * d.encoderLayers + 8 * d.decoderLayers + 3;
        QCOMPARE(features.size(), expected);
        QCOMPARE(int(features.names().size()), expected);
        QCOMPARE(features.names().front(), std::string("enc.embed"));
        QCOMPARE(features.names()[5], std::string("enc.0.present"));
        QCOMPARE(features.names()[5 + 6 * d.encoderLayers + 7], std::string("dec.0.ende_layers"));
        QCOMPARE(features.names().back(), std::string("flops.total"));

        const Architecture small = space.smallest(), large = space.largest();
        QCOMPARE(int(features.of(small).size()), expected);
        QCOMPARE(features.of(small), features.of(Architecture(small)));
        QVERIFY(features.of(small) != features.of(large));
        for (float v : features.of(large))
            QVERIFY(v >= 0.0f && v <= 1.0f); // the tiny space is top-1
        QCOMPARE(features.of(large)[0], 1.0f);

        // One gene changed -> a different vector; a slot beyond the depth is all zeros.
        Architecture a = small;
        a.decoder.layers[0].expertWidths.push_back(a.decoder.layers[0].expertWidths[0]);
        QVERIFY(features.of(a) != features.of(small));
        const auto f = features.of(small);
        const int lastEncoderSlot = 5 + 6 * (d.encoderLayers - 1);
        QVERIFY(small.encoder.depth() < d.encoderLayers);
        for (int i = 0; i < 6; ++i)
            QCOMPARE(f[size_t(lastEncoderSlot + i)], 0.0f);

        Architecture deep = large;
        deep.encoder.layers.push_back(deep.encoder.layers[0]);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, features.of(deep));
    }

    void predictorLearnsKnownFunctionAndRoundTrips() {
        const SearchSpace space = loadSpaceByNameOrPath("tiny");
        const auto samples = syntheticSamples(240, 5);
        LatencyPredictor predictor(space.supernet());
        QVERIFY(!predictor.trained());
        QVERIFY_THROWS_EXCEPTION(std::logic_error, predictor.predict(samples[0].arch));
        LatencyPredictorOptions o;
        o.epochs = 120;
        o.batchSize = 32;
        o.validationFraction = 0.25;
        o.seed = 3;
        const LatencyTrainingReport report = predictor.train(samples, o);
        qInfo("synthetic: held-out %d: RMSE %.4f ms, MAPE %.2f %%, tau %.3f (train MAPE %.2f %%)",
              report.validation.count, report.validation.rmse, 100 * report.validation.mape,
              report.validation.kendallTau, 100 * report.train.mape);
        QCOMPARE(report.validation.count, 60);
        QVERIFY(report.validation.mape < 0.05);
        QVERIFY(report.validation.kendallTau > 0.8);

        const auto fresh = syntheticSamples(20, 99);
        std::vector<Architecture> archs;
        for (const auto& s : fresh)
            archs.push_back(s.arch);
        const std::vector<double> before = predictor.predictBatch(archs);
        // One row or a batch: the same prediction up to float rounding of the GEMM path.
        QVERIFY(std::abs(predictor.predict(archs[3]) - before[3]) < 1e-4 * std::abs(before[3]));

        QTemporaryDir dir;
        const std::string path = dir.filePath("latency.pt").toStdString();
        predictor.save(path);
        const LatencyPredictor loaded = LatencyPredictor::load(path);
        QVERIFY(loaded.trained());
        QCOMPARE(loaded.predictBatch(archs), before);

        std::filesystem::resize_file(path, std::filesystem::file_size(path) / 3);
        try {
            LatencyPredictor::load(path);
            QFAIL("a truncated predictor loaded");
        } catch (const std::runtime_error& e) {
            QVERIFY2(std::string(e.what()).find(path) != std::string::npos, e.what());
        }
    }

    void predictorTrainingIsDeterministicForASeed() {
        const SearchSpace space = loadSpaceByNameOrPath("tiny");
        const auto samples = syntheticSamples(40, 8);
        LatencyPredictorOptions o;
        o.epochs = 10;
        o.seed = 21;
        LatencyPredictor a(space.supernet(), 32), b(space.supernet(), 32);
        a.train(samples, o);
        torch::manual_seed(1234); // the global stream plays no part
        b.train(samples, o);
        QCOMPARE(a.predict(samples[0].arch), b.predict(samples[0].arch));
        QCOMPARE(a.predict(samples[7].arch), b.predict(samples[7].arch));
    }

    void meterReturnsOrderedPositiveStatistics() {
        const SearchSpace space = loadSpaceByNameOrPath("tiny");
        const int threadsBefore = torch::get_num_threads();
        LatencyOptions o;
        o.srcLen = 6;
        o.tgtLen = 4;
        o.warmup = 1;
        o.repeats = 3;
        const auto records = LatencyMeter::measureSpace(space, 3, 64, o, 2);
        QCOMPARE(int(records.size()), 3);
        QCOMPARE(records[0].arch, space.smallest());
        QCOMPARE(records[1].arch, space.largest());
        QVERIFY(records[2].arch != records[0].arch && records[2].arch != records[1].arch);
        for (const auto& r : records) {
            QVERIFY(ordered(r.measurement.encoder));
            QVERIFY(ordered(r.measurement.decoder));
            QVERIFY(ordered(r.measurement.total));
            QCOMPARE(r.measurement.repeats, 3);
            QCOMPARE(r.measurement.threads, 1);
        }
        QCOMPARE(torch::get_num_threads(), threadsBefore);
        const nlohmann::json j = latencyRecordToJson(records[1]);
        QCOMPARE(j.at("key").get<std::string>(), space.largest().key());
        QCOMPARE(j.at("total_ms").at("median").get<double>(), records[1].measurement.total.median);

        // Beam rows, and the overload that copies the architecture out of a supernet.
        SuperTransformerConfig config;
        config.vocabSize = 64;
        config.padIndex = 0;
        config.dims = space.supernet();
        SuperTransformer supernet(config);
        supernet->train();
        o.beam = 3;
        std::mt19937_64 rng(4);
        const LatencyMeasurement m = LatencyMeter(o).measure(*supernet, space.sample(rng));
        QVERIFY(ordered(m.total));
        QCOMPARE(m.beam, 3);
        QVERIFY(supernet->is_training()); // the supernet itself is not touched

        o.repeats = 0;
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, LatencyMeter{o});
    }

    void tinySpaceCornerLatencies() {
        // Real figures (printed, never asserted): the tiny space's corners at an 8000-piece vocabulary, HAT's
        // 30 source tokens and 30 greedy steps, one thread.
        const SearchSpace space = loadSpaceByNameOrPath("tiny");
        LatencyOptions o;
        o.warmup = 1;
        o.repeats = 5;
        for (const auto& r : LatencyMeter::measureSpace(space, 2, 8000, o)) {
            const auto& m = r.measurement;
            qInfo("%s: encoder %.2f ms, decoder %.2f ms, total %.2f ms (min %.2f, max %.2f, IQR %.2f), %.1f "
                  "MFLOPs",
                  r.arch.key().c_str(), m.encoder.median, m.decoder.median, m.total.median, m.total.min,
                  m.total.max, m.total.iqr(), CostModel::evaluate(r.arch).flopsHat / 1e6);
            QVERIFY(ordered(m.total));
        }
    }
};

AUTOMOE_TEST_MAIN(TestLatency)
#include "tst_latency.moc"
