// A search resumed from the store ends exactly where the uninterrupted search with the same seed ends: the
// same candidates (none evaluated twice) and the same front, whether it was cancelled between generations,
// cancelled in the middle of one, or the real `automoe search` was killed with SIGKILL.
#include "../support/SmallRun.h"
#include "SmallSearch.h"
#include "cost/CostModel.h"
#include "nn/TorchRuntime.h"
#include "run/SearchExport.h"
#include "run/SearchRun.h"
#include "run/TrainingRun.h"

#include "TestMain.h"
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <csignal>
#include <functional>
#include <set>
#include <tuple>

using namespace automoe;

namespace {

struct Hook : RunObserver {
    void onEvent(const Event& e) override {
        ++counts[e.type];
        if (onEach) onEach(e);
    }
    std::map<std::string, int> counts;
    std::function<void(const Event&)> onEach;
};

using CandidateSet = std::set<std::tuple<int64_t, std::string, double>>;

CandidateSet candidateSet(RunStore& store, int64_t run) {
    CandidateSet out;
    for (const CandidateRow& c : store.candidates(run))
        out.emplace(c.generation, c.architecture.key, c.fitness);
    return out;
}

std::vector<std::pair<std::string, double>> frontOf(RunStore& store, int64_t run) {
    std::vector<std::pair<std::string, double>> out;
    for (const auto& p : searchFront(store, run))
        out.emplace_back(p["arch_key"].get<std::string>(), p["fitness"].get<double>());
    return out;
}

std::vector<double> hypervolumes(RunStore& store, int64_t run) {
    std::vector<double> out;
    for (const GenerationRow& g : store.generations(run))
        out.push_back(g.hypervolume);
    return out;
}

// Every stored candidate is a distinct architecture: nothing was evaluated (and stored) twice.
bool distinct(RunStore& store, int64_t run) {
    std::set<std::string> keys;
    for (const CandidateRow& c : store.candidates(run))
        if (!keys.insert(c.architecture.key).second) return false;
    return true;
}

} // namespace

class TestSearchResume : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    std::unique_ptr<RunStore> store_;
    int64_t supernet_ = 0;
    double budget_ = 0;

    SearchRunConfig searchConfig(int iterations = 4) const {
        return testsupport::smallSearchConfig(supernet_, iterations, 7, {testsupport::flopsBudget(budget_)});
    }

    void checkSame(int64_t resumed, int64_t reference) {
        QVERIFY(distinct(*store_, resumed));
        QVERIFY(candidateSet(*store_, resumed) == candidateSet(*store_, reference));
        QVERIFY(frontOf(*store_, resumed) == frontOf(*store_, reference));
        QVERIFY(hypervolumes(*store_, resumed) == hypervolumes(*store_, reference));
        QCOMPARE(store_->getRun(resumed)->status, RunStatus::Finished);
    }

private slots:
    void initTestCase() {
        configureTorchThreads(1);
        QVERIFY(dir_.isValid());
        const std::string corpus = testsupport::writeSmallCorpus(dir_.path().toStdString());
        store_ = std::make_unique<RunStore>((dir_.path() + "/runs.sqlite").toStdString());
        TrainingRunConfig c = TrainingRunConfig::fromJson(testsupport::smallSupernetConfigJson(corpus, 10));
        TrainingRun run(*store_, c);
        QCOMPARE(run.execute(), RunStatus::Finished);
        supernet_ = run.id();
        const SearchSpace space = testsupport::smallSpace();
        const double lo = costModelCosts(space.smallest()).flops, hi = costModelCosts(space.largest()).flops;
        budget_ = lo + 0.35 * (hi - lo);
    }

    void cancelledThenResumedEqualsUninterrupted_data() {
        QTest::addColumn<QString>("where");
        QTest::newRow("after generation 1") << "generation";
        QTest::newRow("inside generation 2") << "candidate";
        QTest::newRow("inside generation 0") << "candidate0";
    }

    void cancelledThenResumedEqualsUninterrupted() {
        QFETCH(QString, where);
        SearchRun reference(*store_, searchConfig());
        QCOMPARE(reference.execute(), RunStatus::Finished);

        SearchRun cut(*store_, searchConfig());
        Hook hook;
        int seenInGeneration = 0;
        hook.onEach = [&](const Event& e) {
            if (where == "generation" && e.type == "generation" &&
                std::get<GenerationRow>(e.row).generation == 1)
                cut.control().cancel();
            const int g = where == "candidate0" ? 0 : 2;
            if (where.startsWith("candidate") && e.type == "candidate" &&
                std::get<CandidateRow>(e.row).generation == g && ++seenInGeneration == 2)
                cut.control().cancel();
        };
        cut.addObserver(&hook);
        QCOMPARE(cut.execute(), RunStatus::Cancelled);
        const size_t before = store_->candidates(cut.id()).size();
        const size_t total = store_->candidates(reference.id()).size();
        QVERIFY(before > 0 && before < total);

        auto resumed = SearchRun::resume(*store_, cut.id());
        Hook after;
        resumed->addObserver(&after);
        QCOMPARE(resumed->execute(), RunStatus::Finished);
        // Only the candidates the cut run had not evaluated are evaluated (and reported) now.
        QCOMPARE(size_t(after.counts["candidate"]), total - before);
        QCOMPARE(after.counts["resumed"], 1);
        checkSame(cut.id(), reference.id());
    }

    void finishedOrForeignRunsAreNotResumed() {
        SearchRun done(*store_, searchConfig(1));
        QCOMPARE(done.execute(), RunStatus::Finished);
        auto errorOf = [&](int64_t id) {
            try {
                SearchRun::resume(*store_, id);
            } catch (const std::exception& e) {
                return QString(e.what());
            }
            return QString();
        };
        QVERIFY(errorOf(done.id()).contains("has finished"));
        QVERIFY(errorOf(supernet_).contains("not a search run"));
        QVERIFY(errorOf(999).contains("no run 999"));
    }

    // The real CLI killed with SIGKILL mid-search: the database is sound, and `search --resume` (here the
    // same code in process) finishes it with the candidates and front of an uninterrupted run.
    void sigkillThenResume() {
        const QString db = dir_.path() + "/runs.sqlite";
        store_->flush();
        const int iterations = 60; // this seed and budget run out of new architectures after ~100
        QProcess p;
        p.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        p.start(AUTOMOE_CLI, {"search",
                              "--run",
                              QString::number(supernet_),
                              "--db",
                              db,
                              "--budget",
                              QString::fromStdString("flops<=" + std::to_string(budget_)),
                              "--population",
                              "8",
                              "--parents",
                              "3",
                              "--mutation",
                              "4",
                              "--crossover",
                              "4",
                              "--iterations",
                              QString::number(iterations),
                              "--seed",
                              "7",
                              "--fitness-sentences",
                              "12",
                              "--threads",
                              "1",
                              "--name",
                              "to be killed"});
        QVERIFY(p.waitForStarted());
        int64_t id = 0;
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                for (const RunSummary& r : store_->listRuns())
                    if (r.name == "to be killed") id = r.id;
                return id > 0 && store_->generations(id).size() >= 2;
            }(),
            60000);
        ::kill(pid_t(p.processId()), SIGKILL);
        QVERIFY(p.waitForFinished());
        QCOMPARE(p.exitStatus(), QProcess::CrashExit);
        QCOMPARE(store_->integrityCheck(), std::string("ok"));
        QCOMPARE(store_->getRun(id)->status, RunStatus::Running); // it never got to say otherwise
        RunReader::Options lockOnly;
        lockOnly.staleAfterMs = 0;
        QCOMPARE(RunReader(db.toStdString(), lockOnly).getRun(id)->status, RunStatus::Interrupted);
        const nlohmann::json first = nlohmann::json::parse(
            QString::fromUtf8(p.readAllStandardOutput()).section('\n', 0, 0).toStdString());
        QCOMPARE(first, (nlohmann::json{{"run_id", id}, {"kind", "search"}, {"db", db.toStdString()}}));
        const size_t before = store_->generations(id).size();
        QVERIFY2(before < size_t(iterations), "the search finished before it was killed");

        auto resumed = SearchRun::resume(*store_, id);
        QCOMPARE(RunReader(db.toStdString(), lockOnly).getRun(id)->status, RunStatus::Running); // claimed
        QVERIFY2(resumed->execute() == RunStatus::Finished, resumed->error().c_str());
        QCOMPARE(store_->generations(id).size(), size_t(iterations));

        SearchRunConfig c = SearchRunConfig::fromJson(store_->getRun(id)->spec.config);
        c.name = "uninterrupted";
        SearchRun reference(*store_, c);
        QCOMPARE(reference.execute(), RunStatus::Finished);
        checkSame(id, reference.id());
    }
};

AUTOMOE_TEST_MAIN(TestSearchResume)
#include "tst_search_resume.moc"
