// The rank check (RankRun, `automoe rank`) and `automoe bench search` on a supernet trained for a few
// updates on a generated corpus and a small search over it: which candidates get ranked, Kendall tau-b by
// hand, a rank run storing every architecture's inherited and fine-tuned NLL (the inherited one equal to the
// search's fitness, the fine-tuned one reproducible for a seed) and the tau of exactly those numbers, clear
// errors, and the search benchmark's figures being consistent with each other.
#include "../nn/NnTestSupport.h"
#include "../support/SmallRun.h"
#include "RunTestSupport.h"
#include "SmallSearch.h"
#include "bench/SearchBenchmark.h"
#include "nn/TorchRuntime.h"
#include "run/LatencyDatasetRun.h"
#include "run/RankRun.h"
#include "run/SearchRun.h"
#include "run/SubnetFitness.h"
#include "run/SupernetSource.h"
#include "run/TrainingRun.h"
#include "search/CandidateEvaluator.h"
#include "train/LabelSmoothedLoss.h"
#include "util/RankCorrelation.h"

#include "TestMain.h"
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <cmath>
#include <set>

using namespace automoe;
using testsupport::errorOf;
using testsupport::eventsOf;

class TestRankRun : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    std::string db_;
    std::unique_ptr<RunStore> store_;
    int64_t supernet_ = 0;
    int64_t search_ = 0;

    RankRunConfig rankConfig() const {
        RankRunConfig c;
        c.searchRun = search_;
        c.archs = 4;
        c.finetuneUpdates = 3;
        c.lr = 2e-3;
        c.seed = 5;
        return c;
    }

private slots:
    void initTestCase() {
        configureTorchThreads(1);
        QVERIFY(dir_.isValid());
        const std::string corpus = testsupport::writeSmallCorpus(dir_.path().toStdString());
        db_ = (dir_.path() + "/runs.sqlite").toStdString();
        store_ = std::make_unique<RunStore>(db_);
        TrainingRun run(*store_,
                        TrainingRunConfig::fromJson(testsupport::smallSupernetConfigJson(corpus, 10)));
        QCOMPARE(run.execute(), RunStatus::Finished);
        supernet_ = run.id();
        const SearchRunConfig c = testsupport::smallSearchConfig(supernet_, 2);
        SearchRun search(*store_, c);
        QCOMPARE(search.execute(), RunStatus::Finished);
        search_ = search.id();
        QVERIFY(store_->candidates(search_).size() >= 8);
    }

    void subnetFitnessEqualsTheFullForward() {
        // Only the real target positions go through the output projection: the NLL must be the full
        // forward's, as the loss function computes it over every position and drops padding.
        SupernetSource s = loadSupernet(*store_, supernet_);
        SubnetFitness fitness(s.model, s.valid, 12, 60); // small batches: several, padded
        QVERIFY(fitness.batches().size() > 1);
        QCOMPARE(fitness.sentences(), int64_t(12));
        for (const Architecture& arch : {nntest::smallSpace().largest(), nntest::smallSpace().smallest()}) {
            const double f = fitness(arch);
            torch::NoGradGuard noGrad;
            s.model->eval();
            s.model->setArchitecture(arch);
            double nll = 0;
            int64_t tokens = 0;
            for (const Batch& b : fitness.batches()) {
                auto out = s.model->forward(b.src, b.tgtIn);
                auto ls = labelSmoothedCrossEntropy(out.logits, b.tgtOut, 0.0, s.model->config().padIndex);
                nll += ls.nll.item<double>();
                tokens += ls.tokens;
            }
            QCOMPARE(tokens, fitness.targetTokens());
            QVERIFY2(std::abs(f - nll / double(tokens)) < 1e-5 * f,
                     qPrintable(QString("%1 vs %2").arg(f).arg(nll / double(tokens))));
        }
        QVERIFY(!s.model->is_training());
        QVERIFY(errorOf([&] { SubnetFitness bad(s.model, s.valid, 12, 0); }).contains("max_tokens"));
    }

    void kendallTauBByHand() {
        // One discordant pair of six.
        QCOMPARE(kendallTauB({1, 2, 3, 4}, {1, 3, 2, 4}), 4.0 / 6.0);
        // A tie in x: 2 concordant, n0 = 3, ties_x = 1 -> 2 / sqrt(2 * 3).
        QVERIFY(std::abs(kendallTauB({1, 1, 2}, {1, 2, 3}) - 2.0 / std::sqrt(6.0)) < 1e-12);
        QCOMPARE(kendallTauB({1, 2, 3}, {3, 2, 1}), -1.0);
        QVERIFY(std::isnan(kendallTauB({1, 1}, {1, 2})));
        QVERIFY(errorOf([] { kendallTauB({1, 2}, {1}); }).contains("different lengths"));
    }

    void selectionSpreadsAlongTheFrontThenByFitness() {
        const std::vector<double> fitness = {5, 1, 4, 2, 3, 6};
        // The whole (short) front, then the best-to-worst spread of the rest: {4 (3), 2 (4), 5 (6)} -> 4.
        QCOMPARE(selectRankCandidates(fitness, {1, 3, 0}, 4, true), (std::vector<size_t>{1, 3, 0, 4}));
        // A long front is thinned evenly, ends included.
        QCOMPARE(selectRankCandidates(fitness, {1, 3, 4, 2, 0}, 3, true), (std::vector<size_t>{1, 4, 0}));
        // Spread: by fitness 1, 3, 4, 2, 0, 5 -> positions 0, 3 (2.5 rounded up), 5.
        QCOMPARE(selectRankCandidates(fitness, {1, 3}, 3, false), (std::vector<size_t>{1, 2, 5}));
        QCOMPARE(selectRankCandidates(fitness, {}, 10, true).size(), size_t(6));
    }

    void rankRunStoresEveryArchitectureAndTheTau() {
        RankRun run(*store_, rankConfig());
        QCOMPARE(run.execute(), RunStatus::Finished);
        QCOMPARE(store_->getRun(run.id())->spec.kind, std::string("rank"));
        QCOMPARE(store_->getRun(run.id())->status, RunStatus::Finished);
        const auto archs = eventsOf(*store_, run.id(), "rank_arch");
        QCOMPARE(archs.size(), size_t(4));
        QCOMPARE(run.ranked().size(), size_t(4));
        std::vector<double> inherited, finetuned;
        std::set<int64_t> ids;
        for (const Event& e : archs) {
            const double inh = e.payload["inherited_nll"].get<double>();
            const double fin = e.payload["finetuned_nll"].get<double>();
            // Recomputed with the search's subset and batches: the search's own fitness.
            QVERIFY2(std::abs(inh - e.payload["search_fitness"].get<double>()) < 1e-6,
                     qPrintable(QString("%1 vs %2").arg(inh).arg(e.payload["search_fitness"].get<double>())));
            QVERIFY(std::isfinite(fin) && fin > 0);
            QVERIFY(fin != inh); // the fine-tune changed the weights
            QVERIFY(ids.insert(e.payload["arch_id"].get<int64_t>()).second);
            inherited.push_back(inh);
            finetuned.push_back(fin);
        }
        // One "rank" stage around them, its budget the architectures ranked.
        const auto stages = eventsOf(*store_, run.id(), "stage");
        QCOMPARE(stages.size(), size_t(2));
        QCOMPARE(stages[0].payload, (nlohmann::json{{"stage", "rank"}, {"state", "started"}, {"archs", 4}}));
        QCOMPARE(stages[1].payload,
                 (nlohmann::json{{"stage", "rank"}, {"state", "finished"}, {"ranked", 4}}));
        const auto result = eventsOf(*store_, run.id(), "rank_result");
        QCOMPARE(result.size(), size_t(1));
        QCOMPARE(result[0].payload["count"].get<int>(), 4);
        const double tau = kendallTauB(inherited, finetuned);
        QCOMPARE(result[0].payload["kendall_tau"].get<double>(), tau);
        QCOMPARE(run.kendallTau(), tau);

        // Same settings, same fine-tuned losses.
        RankRun again(*store_, rankConfig());
        QCOMPARE(again.execute(), RunStatus::Finished);
        for (size_t i = 0; i < 4; ++i) {
            QCOMPARE(again.ranked()[i].archId, run.ranked()[i].archId);
            QCOMPARE(again.ranked()[i].finetuned, run.ranked()[i].finetuned);
        }
    }

    void badInputsNameTheThing() {
        RankRunConfig c = rankConfig();
        c.searchRun = supernet_;
        QVERIFY(errorOf([&] { RankRun r(*store_, c); }).contains("is a supernet run, not a search run"));
        c.searchRun = 999;
        QVERIFY(errorOf([&] { RankRun r(*store_, c); }).contains("no run 999"));
        c = rankConfig();
        c.archs = 1;
        QVERIFY(errorOf([&] { RankRun r(*store_, c); }).startsWith("archs:"));
        c = rankConfig();
        c.finetuneUpdates = 0;
        QVERIFY(errorOf([&] { RankRun r(*store_, c); }).startsWith("finetune_updates:"));
        c = rankConfig();
        c.select = "best";
        QVERIFY(errorOf([&] { RankRun r(*store_, c); }).contains("select: expected front or spread"));

        QProcess p;
        p.start(AUTOMOE_CLI,
                {"rank", "--run", QString::number(supernet_), "--db", QString::fromStdString(db_)});
        QVERIFY(p.waitForFinished(60000));
        QVERIFY(p.exitCode() != 0);
        QVERIFY2(p.readAllStandardError().contains("not a search run"), "stderr names the run kind");
    }

    void latencyDatasetInterleavesAndNormalisesByTheReference() {
        LatencyDatasetConfig c;
        c.supernetRun = supernet_;
        c.samples = 5;
        c.interleave = 2; // chunks of 2, 2 and 1
        c.latency.srcLen = 6;
        c.latency.tgtLen = 4;
        c.latency.warmup = 1;
        c.latency.repeats = 3;
        c.predictor.epochs = 20;
        c.predictor.validationFraction = 0.4;
        LatencyDatasetRun run(*store_, c);
        QCOMPARE(run.execute(), RunStatus::Finished);
        const auto samples = eventsOf(*store_, run.id(), "latency_sample");
        QCOMPARE(samples.size(), size_t(5));
        QCOMPARE(eventsOf(*store_, run.id(), "stage")[0].payload,
                 (nlohmann::json{{"stage", "latency_dataset"}, {"state", "started"}, {"samples", 5}}));
        const auto predictor = eventsOf(*store_, run.id(), "latency_predictor");
        QCOMPARE(predictor.size(), size_t(1));
        QCOMPARE(predictor[0].payload["target"].get<std::string>(), std::string("normalized"));
        QCOMPARE(predictor[0].payload["reference_arch_key"].get<std::string>(),
                 nntest::smallSpace().smallest().key());
        QVERIFY(predictor[0].payload["reference_ms"].get<double>() > 0);
        for (size_t i = 0; i < samples.size(); ++i) {
            const auto& p = samples[i].payload;
            QCOMPARE(p["index"].get<size_t>(), i);
            QCOMPARE(p["repeats"].get<int>(), 3);
            QVERIFY(p["ratio_to_reference"].get<double>() > 0);
            QVERIFY(p["reference_ms"].get<double>() > 0);
            QVERIFY(p["total_ms"].get<double>() >= p["total"]["min"].get<double>());
        }
        QCOMPARE(predictor[0].payload["validation"]["count"].get<int>(), 2);
        QCOMPARE(predictor[0].payload["raw_validation"]["count"].get<int>(), 2);

        // Without normalisation: raw medians, no reference, and the raw report is the report.
        c.normalize = false;
        c.interleave = 1;
        LatencyDatasetRun plain(*store_, c);
        QCOMPARE(plain.execute(), RunStatus::Finished);
        const auto plainPredictor = eventsOf(*store_, plain.id(), "latency_predictor");
        QCOMPARE(plainPredictor[0].payload["target"].get<std::string>(), std::string("median"));
        for (const Event& e : eventsOf(*store_, plain.id(), "latency_sample"))
            QVERIFY(!e.payload.contains("ratio_to_reference"));
        QCOMPARE(plain.rawReport().validation.rmse, plain.report().validation.rmse);
    }

    void searchBenchmarkFiguresAreConsistent() {
        SearchBenchmarkOptions o;
        o.run = supernet_;
        o.db = db_;
        o.population = 4;
        o.parents = 2;
        o.mutations = 2;
        o.crossovers = 2;
        o.iterations = 2;
        o.fitnessSentences = 12;
        o.threads = 1;
        const SearchBenchmarkResult r = runSearchBenchmark(o, [](const std::string&) {});
        QVERIFY(r.candidates >= 4);
        QCOMPARE(r.generationMs.size(), size_t(2));
        QCOMPARE(r.compared, r.candidates);
        QCOMPARE(r.sentences, int64_t(12));
        // The fitness subset: the first 12 validation pairs of the supernet, eos included, in batches under
        // the supernet's max_tokens.
        SupernetSource s = loadSupernet(*store_, supernet_);
        int64_t tokens = 0;
        for (size_t i = 0; i < 12; ++i)
            tokens += int64_t(s.valid.target[i].size()) + 1;
        QCOMPARE(r.targetTokens, tokens);
        QCOMPARE(r.maxTokens, int64_t(200));
        QVERIFY(r.maxFitnessDiff < 1e-6); // the re-evaluation reproduces the search's fitness
        QVERIFY(r.evalTokensPerSec > 0 && r.trainForwardTokensPerSec > 0);
        QVERIFY(std::abs(r.ratio - r.evalPassTokensPerSec / r.trainForwardTokensPerSec) < 1e-12);
        QVERIFY(formatSearchBenchmark(r).find("evaluation / training forward") != std::string::npos);
        QCOMPARE(searchBenchmarkJson(r)["candidates"].get<int64_t>(), r.candidates);
    }
};

AUTOMOE_TEST_MAIN(TestRankRun)
#include "tst_rankrun.moc"
