// Pins RunFeed: it delivers exactly the stored events of a run, in order, decoded into the same typed rows,
// coalesced into few batches; it stops at a seq limit and goes on when the limit is lifted; it follows rows
// committed while it runs (another writer, as the CLI is); a restart drops what was in flight; a paced replay
// keeps the order; and a missing database or run is reported, not thrown.
#include "RunTestSupport.h"
#include "ui/run/RunFeed.h"

#include "TestMain.h"
#include "store/RunReader.h"
#include <QtTest/QtTest>
#include <map>
#include <thread>

using namespace automoe;
using namespace automoe::ui;

namespace {

// Everything a feed delivered, concatenated.
struct Collected {
    std::vector<FeedBatch> batches;
    std::vector<TrainingStepRow> steps;
    std::vector<ValidationRow> validations;
    std::vector<CandidateRow> candidates;
    std::vector<RoutingSnapshot> routing;
    std::vector<Event> other;
    std::vector<RunInfo> infos;
    std::size_t events = 0;

    void connectTo(RunFeed& feed) {
        QObject::connect(&feed, &RunFeed::batchReady, &feed, [this](const FeedBatch& b) {
            batches.push_back(b);
            if (b.info) infos.push_back(*b.info);
            for (const Event& e : b.events) {
                if (auto* r = std::get_if<TrainingStepRow>(&e.row))
                    steps.push_back(*r);
                else if (auto* v = std::get_if<ValidationRow>(&e.row))
                    validations.push_back(*v);
                else if (auto* c = std::get_if<CandidateRow>(&e.row))
                    candidates.push_back(*c);
                else if (auto* s = std::get_if<RoutingSnapshot>(&e.row))
                    routing.push_back(*s);
                else if (std::holds_alternative<std::monostate>(e.row))
                    other.push_back(e);
            }
            events += b.events.size();
        });
    }
};

template <typename Row>
std::vector<Row> rowsOf(const std::vector<Event>& events, std::size_t count = SIZE_MAX) {
    std::vector<Row> out;
    for (std::size_t i = 0; i < events.size() && i < count; ++i)
        if (auto* r = std::get_if<Row>(&events[i].row)) out.push_back(*r);
    return out;
}

void compareSteps(const std::vector<TrainingStepRow>& got, const std::vector<TrainingStepRow>& want) {
    QCOMPARE(got.size(), want.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
        QCOMPARE(got[i].update, want[i].update);
        QCOMPARE(got[i].loss, want[i].loss);
        QCOMPARE(got[i].lr, want[i].lr);
        QCOMPARE(got[i].tokens, want[i].tokens);
        QCOMPARE(got[i].wallMs, want[i].wallMs);
        QCOMPARE(got[i].archKey, want[i].archKey);
    }
}

} // namespace

class TestRunFeed : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;

private slots:
    void deliversExactlyTheStoredRowsInOrderCoalesced() {
        const std::string db = dir_.filePath("all.sqlite").toStdString();
        std::vector<Event> events;
        {
            RunStore store(db);
            const std::int64_t run = runtest::createRun(store, "all");
            events = runtest::syntheticRun(run, 600, 3, 1);
            for (const Event& e : events)
                store.append(e);
        }
        RunFeed feed;
        Collected got;
        got.connectTo(feed);
        feed.open(QString::fromStdString(db), 1);
        QTRY_COMPARE_WITH_TIMEOUT(got.events, events.size(), 10000);
        QCOMPARE(feed.position(), qint64(events.size()));
        QCOMPARE(feed.lastSeq(), qint64(events.size()));

        compareSteps(got.steps, rowsOf<TrainingStepRow>(events));
        const auto validations = rowsOf<ValidationRow>(events);
        QCOMPARE(got.validations.size(), validations.size());
        for (std::size_t i = 0; i < validations.size(); ++i) {
            QCOMPARE(got.validations[i].subnet, validations[i].subnet);
            QCOMPARE(got.validations[i].loss, validations[i].loss);
        }
        const auto candidates = rowsOf<CandidateRow>(events);
        QCOMPARE(got.candidates.size(), candidates.size());
        // Each carries the id the store gave its architecture (exports and labels name it by that id).
        {
            std::map<std::string, std::int64_t> ids;
            for (const auto& [id, key] : RunReader(db).architectureKeys(1))
                ids[key] = id;
            for (const CandidateRow& c : got.candidates) {
                QVERIFY(c.architecture.id > 0);
                QCOMPARE(c.architecture.id, ids.at(c.architecture.key));
            }
        }
        for (std::size_t i = 0; i < candidates.size(); ++i) {
            QCOMPARE(got.candidates[i].architecture.key, candidates[i].architecture.key);
            QCOMPARE(got.candidates[i].flops, candidates[i].flops);
            QCOMPARE(got.candidates[i].fitness, candidates[i].fitness);
        }
        QCOMPARE(got.routing.size(), rowsOf<RoutingSnapshot>(events).size());
        // Other events keep their type and payload, in order.
        std::vector<std::string> types;
        for (const Event& e : events)
            if (std::holds_alternative<std::monostate>(e.row)) types.push_back(e.type);
        QCOMPARE(got.other.size(), types.size());
        for (std::size_t i = 0; i < types.size(); ++i)
            QCOMPARE(got.other[i].type, types[i]);
        QCOMPARE(got.other.front().payload.value("stage", std::string()), std::string("data"));

        // Batches are contiguous, in seq order, and coalesced (far fewer than events).
        qint64 next = 1;
        for (const FeedBatch& b : got.batches) {
            if (b.events.empty()) continue; // the run's record alone (its status changed)
            QCOMPARE(b.firstSeq, next);
            QVERIFY(b.lastSeq >= b.firstSeq);
            QCOMPARE(std::size_t(b.lastSeq - b.firstSeq + 1), b.events.size());
            next = b.lastSeq + 1;
        }
        // The run's record came with the first batch.
        QVERIFY(!got.infos.empty());
        QCOMPARE(got.infos.front().id, qint64(1));
        QVERIFY(got.batches.front().info.has_value());
        QVERIFY2(got.batches.size() * 20 < events.size(), qPrintable(QString::number(got.batches.size())));
    }

    void stopsAtTheSeqLimitAndGoesOnWhenLifted() {
        const std::string db = dir_.filePath("limit.sqlite").toStdString();
        std::vector<Event> events;
        {
            RunStore store(db);
            const std::int64_t run = runtest::createRun(store, "limit");
            events = runtest::syntheticRun(run, 200, 1, 2);
            for (const Event& e : events)
                store.append(e);
        }
        RunFeed feed;
        Collected got;
        got.connectTo(feed);
        feed.setLimit(57);
        feed.open(QString::fromStdString(db), 1);
        QTRY_COMPARE_WITH_TIMEOUT(feed.position(), qint64(57), 10000);
        QTest::qWait(300); // several polls: nothing beyond the limit arrives
        QCOMPARE(feed.position(), qint64(57));
        QCOMPARE(got.events, std::size_t(57));
        QCOMPARE(feed.lastSeq(), qint64(events.size()));
        compareSteps(got.steps, rowsOf<TrainingStepRow>(events, 57));

        feed.setLimit(RunFeed::kNoLimit);
        QTRY_COMPARE_WITH_TIMEOUT(got.events, events.size(), 10000);
        compareSteps(got.steps, rowsOf<TrainingStepRow>(events));

        // A restart from the first event delivers the run again, from seq 1.
        Collected again;
        again.connectTo(feed);
        feed.setLimit(30);
        feed.restart();
        QTRY_COMPARE_WITH_TIMEOUT(again.events, std::size_t(30), 10000);
        QCOMPARE(again.batches.front().firstSeq, qint64(1));
        compareSteps(again.steps, rowsOf<TrainingStepRow>(events, 30));
    }

    // A writer appends while the feed runs (as the `automoe train` child does): every row arrives, in order.
    void followsRowsCommittedWhileItRuns() {
        const std::string db = dir_.filePath("live.sqlite").toStdString();
        RunStore store(db);
        const std::int64_t run = runtest::createRun(store, "live");
        const std::vector<Event> events = runtest::syntheticRun(run, 300, 2, 3);
        RunFeed feed;
        Collected got;
        got.connectTo(feed);
        feed.open(QString::fromStdString(db), run);
        std::thread writer([&] {
            for (std::size_t i = 0; i < events.size(); ++i) {
                store.append(events[i]);
                if (i % 25 == 24) {
                    store.flush();
                    std::this_thread::sleep_for(std::chrono::milliseconds(15));
                }
            }
            store.flush();
        });
        QTRY_COMPARE_WITH_TIMEOUT(got.events, events.size(), 20000);
        writer.join();
        compareSteps(got.steps, rowsOf<TrainingStepRow>(events));
        QCOMPARE(got.candidates.size(), rowsOf<CandidateRow>(events).size());
        QVERIFY(got.batches.size() > 1); // it really followed, batch after batch
    }

    void pacedReplayKeepsOrderAndTakesTime() {
        const std::string db = dir_.filePath("paced.sqlite").toStdString();
        std::vector<Event> events;
        {
            RunStore store(db);
            const std::int64_t run = runtest::createRun(store, "paced");
            events = runtest::syntheticRun(run, 30, 0, 4); // ~37 events, 40 ms apart: ~1.5 s of log
            for (const Event& e : events)
                store.append(e);
        }
        RunFeed feed;
        Collected got;
        got.connectTo(feed);
        feed.setSpeed(4);
        QElapsedTimer t;
        t.start();
        feed.open(QString::fromStdString(db), 1);
        QTRY_COMPARE_WITH_TIMEOUT(got.events, events.size(), 10000);
        const qint64 logMs = events.back().timeMs - events.front().timeMs;
        QVERIFY2(t.elapsed() >= logMs / 4 * 0.8, qPrintable(QString::number(t.elapsed())));
        compareSteps(got.steps, rowsOf<TrainingStepRow>(events));
        QVERIFY(got.batches.size() > 3);
    }

    void reportsAMissingDatabaseOrRun() {
        RunFeed feed;
        QSignalSpy failed(&feed, &RunFeed::failed);
        feed.open(dir_.filePath("nope.sqlite"), 1);
        QTRY_COMPARE(failed.count(), 1);
        QVERIFY(failed.at(0).at(0).toString().contains("nope.sqlite"));
        QVERIFY(!QFile::exists(dir_.filePath("nope.sqlite")));

        const std::string db = dir_.filePath("empty.sqlite").toStdString();
        { RunStore store(db); }
        feed.open(QString::fromStdString(db), 42);
        QTRY_COMPARE(failed.count(), 2);
        QVERIFY(failed.at(1).at(0).toString().contains("no run 42"));
    }
};

AUTOMOE_TEST_MAIN(TestRunFeed)
#include "tst_run_feed.moc"
