// The search pipeline end to end on a supernet trained for a few updates on a generated corpus: a budgeted
// search stores only feasible, distinct candidates and a rising hypervolume, and repeats itself for a seed;
// its front, yml / json exports and standalone weights (translating exactly like the supernet); a latency
// dataset run with its predictor feeding a --predicted search; clear errors for bad runs and budgets.
#include "../support/SmallRun.h"
#include "RunTestSupport.h"
#include "SmallSearch.h"
#include "cost/CostModel.h"
#include "cost/LatencyMeterVersion.h"
#include "cost/LatencyPredictor.h"
#include "eval/Translation.h"
#include "nn/StandaloneTransformer.h"
#include "nn/TorchRuntime.h"
#include "run/LatencyDatasetRun.h"
#include "run/SearchExport.h"
#include "run/SearchRun.h"
#include "run/SupernetSource.h"
#include "run/TrainingRun.h"
#include "search/SearchError.h"
#include "space/ArchitectureIO.h"
#include "space/SpaceIO.h"
#include "util/Resources.h"

#include "TestMain.h"
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <random>
#include <set>

using namespace automoe;
using testsupport::errorOf;

namespace {

std::string writeCorpus(const QString& dir) {
    return testsupport::writeSmallCorpus(dir.toStdString());
}

TrainingRunConfig supernetConfig(const std::string& corpus) {
    TrainingRunConfig c = TrainingRunConfig::fromJson(testsupport::smallSupernetConfigJson(corpus, 10));
    c.name = "tiny supernet";
    return c;
}

double flopsOf(const Architecture& a) {
    return costModelCosts(a).flops;
}

struct Counter : RunObserver {
    void onEvent(const Event& e) override { ++counts[e.type]; }
    std::map<std::string, int> counts;
};

// Throws on events of type `on` ("" = on every event): a UI bridge that breaks, a full queue.
struct ThrowingObserver : RunObserver {
    explicit ThrowingObserver(std::string on)
        : on(std::move(on)) {}
    void onEvent(const Event& e) override {
        if (on.empty() || e.type == on) throw std::runtime_error("observer broke on " + e.type);
    }
    std::string on;
};

std::string storedError(RunStore& store, int64_t run) {
    store.flush();
    for (const Event& e : store.events(run))
        if (e.type == "error") return e.payload.value("message", std::string());
    return {};
}

} // namespace

class TestSearchRun : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    std::unique_ptr<RunStore> store_;
    int64_t supernet_ = 0;
    int64_t search_ = 0;
    double budget_ = 0;

    SearchRunConfig searchConfig(uint64_t seed = 7) const {
        return testsupport::smallSearchConfig(supernet_, 3, seed, {testsupport::flopsBudget(budget_)});
    }

private slots:
    void initTestCase() {
        configureTorchThreads(1);
        QVERIFY(dir_.isValid());
        const std::string corpus = writeCorpus(dir_.path());
        store_ = std::make_unique<RunStore>((dir_.path() + "/runs.sqlite").toStdString());
        TrainingRun run(*store_, supernetConfig(corpus));
        QCOMPARE(run.execute(), RunStatus::Finished);
        supernet_ = run.id();
        const SearchSpace space = testsupport::smallSpace();
        const double lo = flopsOf(space.smallest()), hi = flopsOf(space.largest());
        budget_ = lo + 0.35 * (hi - lo);
    }

    void flopsBudgetedSearchStoresFeasibleDistinctCandidates() {
        SearchRun run(*store_, searchConfig());
        Counter seen;
        run.addObserver(&seen);
        QCOMPARE(run.execute(), RunStatus::Finished);
        search_ = run.id();
        QCOMPARE(store_->getRun(search_)->spec.kind, std::string("search"));

        const auto candidates = store_->candidates(search_);
        QVERIFY(candidates.size() >= 8);
        QCOMPARE(int(candidates.size()), seen.counts["candidate"]);
        std::set<std::string> keys;
        for (const CandidateRow& c : candidates) {
            QVERIFY2(c.flops <= budget_, qPrintable(QString("%1 > %2").arg(c.flops).arg(budget_)));
            QCOMPARE(c.flops, flopsOf(architectureFromJson(c.architecture.json)));
            QVERIFY(std::isfinite(c.fitness) && c.fitness > 0);
            QVERIFY(!c.latencyMs);
            QVERIFY2(keys.insert(c.architecture.key).second, c.architecture.key.c_str());
        }
        const auto generations = store_->generations(search_);
        QCOMPARE(generations.size(), size_t(3));
        QCOMPARE(seen.counts["generation_summary"], 3);
        for (size_t g = 0; g < generations.size(); ++g) {
            QCOMPARE(generations[g].generation, int64_t(g));
            QVERIFY(!generations[g].front.empty());
            if (g > 0) QVERIFY(generations[g].hypervolume >= generations[g - 1].hypervolume);
        }
        QVERIFY(generations.back().hypervolume > 0);
        QCOMPARE(store_->integrityCheck(), std::string("ok"));
    }

    void sameSeedGivesSameCandidates() {
        auto list = [&](int64_t id) {
            std::vector<std::tuple<int64_t, std::string, double>> out;
            for (const CandidateRow& c : store_->candidates(id))
                out.emplace_back(c.generation, c.architecture.key, c.fitness);
            return out;
        };
        SearchRun again(*store_, searchConfig());
        QCOMPARE(again.execute(), RunStatus::Finished);
        QVERIFY(list(again.id()) == list(search_));
        SearchRun other(*store_, searchConfig(8));
        QCOMPARE(other.execute(), RunStatus::Finished);
        QVERIFY(list(other.id()) != list(search_));
    }

    void frontJsonNamesEveryField() {
        const nlohmann::json front = searchFront(*store_, search_);
        QVERIFY(front.is_array() && !front.empty());
        double lastFlops = -1, lastFitness = 1e300;
        for (const auto& p : front) {
            for (const char* key :
                 {"arch_id", "arch_key", "fitness", "flops", "params_active", "latency_ms", "generation"})
                QVERIFY2(p.contains(key), key);
            QVERIFY(p["arch_id"].is_number_integer());
            QVERIFY(p["latency_ms"].is_null());
            QVERIFY(p["flops"].get<double>() >= lastFlops);
            QVERIFY(p["fitness"].get<double>() < lastFitness); // non-dominated: cheaper is worse
            lastFlops = p["flops"].get<double>();
            lastFitness = p["fitness"].get<double>();
            const ArchitectureRow row =
                searchArchitecture(*store_, search_, std::to_string(p["arch_id"].get<int64_t>()));
            QCOMPARE(row.key, p["arch_key"].get<std::string>());
        }
    }

    void exportedYmlAndJsonRoundTrip() {
        const nlohmann::json front = searchFront(*store_, search_);
        const std::string key = front.back()["arch_key"];
        const Architecture arch = architectureFromJson(searchArchitecture(*store_, search_, key).json);
        const std::string yml = (dir_.path() + "/arch.yml").toStdString();
        writeArchitecture(arch, "yml", yml);
        const Architecture back = parseHatYaml(readTextFile(yml), yml, arch.qkvDim);
        QVERIFY(back == arch);
        QCOMPARE(back.key(), key);
        const ArchitectureCost a = CostModel::evaluate(arch), b = CostModel::evaluate(back);
        QCOMPARE(b.flopsHat, a.flopsHat);
        QCOMPARE(b.paramsActive, a.paramsActive);
        QCOMPARE(b.paramsHat, a.paramsHat);
        const std::string json = (dir_.path() + "/arch.json").toStdString();
        writeArchitecture(arch, "json", json);
        QVERIFY(loadArchitecture(json) == arch);
        QVERIFY(errorOf([&] { writeArchitecture(arch, "xml", json); }).contains("xml"));
    }

    void exportedWeightsTranslateLikeTheSupernet() {
        const nlohmann::json front = searchFront(*store_, search_);
        const int64_t archId = front.front()["arch_id"];
        const std::string path = (dir_.path() + "/model.pt").toStdString();
        const nlohmann::json meta = exportStandaloneModel(*store_, search_, std::to_string(archId), path);
        QCOMPARE(meta["search_run"].get<int64_t>(), search_);
        QCOMPARE(meta["supernet_run"].get<int64_t>(), supernet_);

        StandaloneModelFile file = StandaloneTransformer::load(path);
        QCOMPARE(file.meta["arch_key"].get<std::string>(), front.front()["arch_key"].get<std::string>());
        QVERIFY(file.meta.contains("direction"));
        const Vocabulary vocab = Vocabulary::fromSerialized(file.vocabularyModel, path);
        const std::vector<std::string> sentences = {"der kleine hund", "die katze sieht einen baum im garten",
                                                    "rot und blau", "haus"};
        const auto standalone = translate(*file.model, vocab, sentences);

        SupernetSource source = loadSupernet(*store_, supernet_);
        source.model->setArchitecture(
            architectureFromJson(searchArchitecture(*store_, search_, std::to_string(archId)).json));
        const auto sliced = translate(*source.model, source.vocabulary, sentences);
        QCOMPARE(standalone, sliced);

        // The CLI reads stdin whole and prints in input order.
        QProcess p;
        p.start(AUTOMOE_CLI, {"translate", "--model", QString::fromStdString(path), "--threads", "1"});
        QVERIFY(p.waitForStarted());
        for (const auto& s : sentences)
            p.write((s + "\n").c_str());
        p.closeWriteChannel();
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 0);
        const QStringList lines =
            QString::fromUtf8(p.readAllStandardOutput()).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), int(sentences.size()));
        for (size_t i = 0; i < sentences.size(); ++i)
            QCOMPARE(lines[int(i)].toStdString(), standalone[i]);
    }

    void latencyDatasetStoresSamplesAndAPredictor() {
        LatencyDatasetConfig c;
        c.supernetRun = supernet_;
        c.samples = 5;
        c.latency.srcLen = 6;
        c.latency.tgtLen = 4;
        c.latency.warmup = 0;
        c.latency.repeats = 1;
        c.predictor.epochs = 30;
        c.predictor.validationFraction = 0.4;
        LatencyDatasetRun run(*store_, c);
        QCOMPARE(run.execute(), RunStatus::Finished);
        int samples = 0;
        std::string path;
        std::set<std::string> keys;
        for (const Event& e : store_->events(run.id())) {
            if (e.type == "latency_sample") {
                ++samples;
                QVERIFY(e.payload["total_ms"].get<double>() > 0);
                QVERIFY(keys.insert(e.payload["arch_key"].get<std::string>()).second);
                QVERIFY(e.payload["features"].is_array());
                QCOMPARE(e.payload["meter"].get<int>(), kLatencyMeterVersion);
            }
            if (e.type == "latency_predictor") {
                path = e.payload["path"];
                QCOMPARE(e.payload["validation"]["count"].get<int>(), run.report().validation.count);
            }
        }
        QCOMPARE(samples, 5);
        QVERIFY(QFile::exists(QString::fromStdString(path)));
        QVERIFY(QString::fromStdString(path).endsWith(QString("run-%1/latency-predictor.pt").arg(run.id())));
        QCOMPARE(findLatencyPredictor(*store_, supernet_), path);

        // A search under a predicted-latency budget finds and uses it.
        SearchRunConfig s = searchConfig();
        s.constraints = {"latency<=10s"};
        s.predicted = true;
        s.evolution.population = 4;
        s.evolution.iterations = 1;
        s.evolution.frontCost = defaultFrontCost(s.parsedConstraints());
        SearchRun search(*store_, s);
        QCOMPARE(search.config().predictor, path);
        QCOMPARE(search.execute(), RunStatus::Finished);
        for (const CandidateRow& r : store_->candidates(search.id()))
            QVERIFY(r.predictedLatencyMs && !r.latencyMs);
        QVERIFY(searchFront(*store_, search.id()).front()["latency_ms"].is_number());
    }

    // A predictor fitted to the full-prefix meter (version 1) predicts a latency no deployed model has: a
    // predicted-latency search refuses it and says how to rebuild it; the current meter's is accepted.
    void predictorOfAnOldMeterIsRefused() {
        const SupernetDims dims = loadSupernet(*store_, supernet_).model->config().dims;
        const SearchSpace space = testsupport::smallSpace();
        std::mt19937_64 rng(3);
        std::vector<LatencySample> samples;
        for (int i = 0; i < 6; ++i)
            samples.push_back({space.sample(rng), 10.0 + i});
        LatencyPredictorOptions o;
        o.epochs = 5;
        o.validationFraction = 0;
        LatencyPredictor predictor(dims);
        predictor.train(samples, o);
        QCOMPARE(predictor.meterVersion(), kLatencyMeterVersion);

        SearchRunConfig s = searchConfig();
        s.constraints = {"latency<=10s"};
        s.predicted = true;
        s.evolution.frontCost = defaultFrontCost(s.parsedConstraints());
        s.predictor = (dir_.path() + "/current-meter.pt").toStdString();
        predictor.save(s.predictor);
        QCOMPARE(LatencyPredictor::load(s.predictor).meterVersion(), kLatencyMeterVersion);
        SearchRun accepted(*store_, s);
        QCOMPARE(accepted.config().predictor, s.predictor);

        predictor.setMeterVersion(1);
        s.predictor = (dir_.path() + "/old-meter.pt").toStdString();
        predictor.save(s.predictor);
        QCOMPARE(LatencyPredictor::load(s.predictor).meterVersion(), 1);
        const QString error = errorOf([&] { SearchRun r(*store_, s); });
        QVERIFY2(
            error.contains("old-meter.pt") && error.contains("version 1 (full-prefix decoding)") &&
                error.contains(QString("rebuild it with `automoe latency build --run %1`").arg(supernet_)),
            qPrintable(error));
    }

    void measuredLatencyBudgetMeasuresEveryCandidate() {
        SearchRunConfig s = searchConfig();
        s.constraints = {"latency<=10s"};
        s.latency.srcLen = 6;
        s.latency.tgtLen = 4;
        s.latency.warmup = 0;
        s.latency.repeats = 1;
        s.evolution.population = 3;
        s.evolution.iterations = 1;
        s.evolution.frontCost = defaultFrontCost(s.parsedConstraints());
        SearchRun search(*store_, s);
        QCOMPARE(search.execute(), RunStatus::Finished);
        const auto candidates = store_->candidates(search.id());
        QCOMPARE(candidates.size(), size_t(3));
        for (const CandidateRow& r : candidates)
            QVERIFY(r.latencyMs && *r.latencyMs > 0);
    }

    // A narrowed space: only its architectures are evaluated, the run records it, its config round-trips,
    // and a space reaching outside the supernet's is refused naming the gene (nothing stored).
    void narrowedSpaceIsSearchedAndRecorded() {
        SearchSpace narrowed = testsupport::smallSpace();
        narrowed.name = "narrowed";
        narrowed.encoder.layers = Dimension::of({narrowed.encoder.layers.choices.front()});
        narrowed.decoder.layers = Dimension::of({narrowed.decoder.layers.choices.back()});
        SearchRunConfig c = searchConfig();
        c.constraints.clear();
        c.evolution.population = 4;
        c.evolution.iterations = 1;
        c.space = narrowed;
        SearchRun run(*store_, c);
        QCOMPARE(run.execute(), RunStatus::Finished);
        const auto candidates = store_->candidates(run.id());
        QVERIFY(!candidates.empty());
        for (const CandidateRow& row : candidates) {
            std::string why;
            QVERIFY2(narrowed.contains(architectureFromJson(row.architecture.json), &why), why.c_str());
        }
        const RunInfo info = *store_->getRun(run.id());
        QCOMPARE(info.spec.space.at("name").get<std::string>(), std::string("narrowed"));
        const SearchRunConfig back = SearchRunConfig::fromJson(info.spec.config);
        QVERIFY(back.space.has_value());
        QCOMPARE(spaceToJson(*back.space), spaceToJson(narrowed));
        QVERIFY(!searchConfig().toJson().contains("space")); // unset: configs of before stay as they were

        SearchSpace wide = testsupport::smallSpace();
        wide.name = "wide";
        wide.encoder.layers = Dimension::range(1, wide.encoder.layers.choices.back() + 1);
        c.space = wide;
        const std::size_t before = store_->listRuns().size();
        const QString error = errorOf([&] { SearchRun r(*store_, c); });
        QVERIFY2(error.contains("not inside the space of supernet run") && error.contains("encoder.layers"),
                 qPrintable(error));
        QCOMPARE(store_->listRuns().size(), before);
    }

    void cancelledSearchStopsBeforeEvaluating() {
        SearchRun run(*store_, searchConfig());
        run.control().cancel();
        QCOMPARE(run.execute(), RunStatus::Cancelled);
        QVERIFY(store_->candidates(run.id()).empty());
        QCOMPARE(store_->getRun(run.id())->status, RunStatus::Cancelled);
    }

    // RunBase's failure path, for the runs other than TrainingRun: an observer that throws fails the run
    // with the error recorded, and one that throws on every event (the failure itself included) still
    // cannot make execute() or the worker thread throw.
    void failingObserverFailsSearchAndLatencyRunsSafely() {
        {
            SearchRun run(*store_, searchConfig());
            ThrowingObserver thrower("candidate");
            run.addObserver(&thrower);
            QCOMPARE(run.execute(), RunStatus::Failed);
            QCOMPARE(run.error(), std::string("observer broke on candidate"));
            QCOMPARE(storedError(*store_, run.id()), run.error());
            QCOMPARE(store_->getRun(run.id())->status, RunStatus::Failed);
        }
        {
            SearchRun run(*store_, searchConfig());
            ThrowingObserver thrower("");
            run.addObserver(&thrower);
            run.start(); // an escaping exception here would terminate the test
            run.wait();
            QCOMPARE(run.status(), RunStatus::Failed);
            QCOMPARE(run.error(), std::string("observer broke on run_status"));
            QCOMPARE(storedError(*store_, run.id()), run.error());
            QCOMPARE(store_->getRun(run.id())->status, RunStatus::Failed);
        }
        LatencyDatasetConfig c;
        c.supernetRun = supernet_;
        c.samples = 3;
        c.latency.srcLen = 4;
        c.latency.tgtLen = 3;
        c.latency.warmup = 0;
        c.latency.repeats = 1;
        {
            LatencyDatasetRun run(*store_, c);
            ThrowingObserver thrower("latency_sample");
            run.addObserver(&thrower);
            QCOMPARE(run.execute(), RunStatus::Failed);
            QCOMPARE(run.error(), std::string("observer broke on latency_sample"));
            QCOMPARE(storedError(*store_, run.id()), run.error());
            QCOMPARE(store_->getRun(run.id())->status, RunStatus::Failed);
        }
        {
            LatencyDatasetRun run(*store_, c);
            ThrowingObserver thrower("");
            run.addObserver(&thrower);
            run.start();
            run.wait();
            QCOMPARE(run.status(), RunStatus::Failed);
            QCOMPARE(storedError(*store_, run.id()), std::string("observer broke on run_status"));
            QCOMPARE(store_->getRun(run.id())->status, RunStatus::Failed);
        }
    }

    void badInputsNameTheThing() {
        SearchRunConfig c = searchConfig();
        c.supernetRun = 999;
        QVERIFY(errorOf([&] { SearchRun r(*store_, c); }).contains("no run 999"));

        c = searchConfig();
        c.supernetRun = search_;
        const QString notSupernet = errorOf([&] { SearchRun r(*store_, c); });
        QVERIFY2(notSupernet.contains("not a supernet run"), qPrintable(notSupernet));

        TrainingRun untrained(*store_, supernetConfig("unused.tsv"));
        c.supernetRun = untrained.id();
        const QString noCheckpoint = errorOf([&] { SearchRun r(*store_, c); });
        QVERIFY2(noCheckpoint.contains("no checkpoint") &&
                     noCheckpoint.contains(QString::number(untrained.id())),
                 qPrintable(noCheckpoint));

        c = searchConfig();
        c.constraints = {"flops<=lots"};
        const QString badBudget = errorOf([&] { SearchRun r(*store_, c); });
        QVERIFY2(badBudget.contains("flops<=lots"), qPrintable(badBudget));

        c = searchConfig();
        c.evolution.parents = 0;
        QVERIFY(errorOf([&] { SearchRun r(*store_, c); }).contains("parents"));

        QVERIFY(errorOf([&] { searchFront(*store_, supernet_); }).contains("not a search run"));
        QVERIFY(errorOf([&] { searchArchitecture(*store_, search_, "123456"); }).contains("123456"));

        // The CLI turns them into one line and exit status 1.
        const QString db = dir_.path() + "/runs.sqlite";
        store_->flush();
        for (const auto& [args, expected] : std::vector<std::pair<QStringList, QString>>{
                 {{"search", "--run", "999", "--db", db, "--budget", "flops<=1M"}, "no run 999"},
                 {{"search", "--run", QString::number(supernet_), "--db", db, "--budget", "flops<=abc"},
                  "flops<=abc"},
                 {{"front", "--run", "999", "--db", db}, "no run 999"},
                 {{"translate", "--model", dir_.path() + "/missing.pt"}, "missing.pt"}}) {
            QProcess p;
            p.start(AUTOMOE_CLI, args);
            QVERIFY(p.waitForFinished(60000));
            QCOMPARE(p.exitCode(), 1);
            const QString err = QString::fromUtf8(p.readAllStandardError());
            QVERIFY2(err.contains("automoe: error:") && err.contains(expected), qPrintable(err));
        }
    }
};

AUTOMOE_TEST_MAIN(TestSearchRun)
#include "tst_searchrun.moc"
