// Pins the run store (DESIGN §2, §8): every table survives a reopen, WAL mode, migrations keep data, newer,
// foreign and damaged files are refused untouched, the event writer batches without blocking, and a run
// killed with SIGKILL mid-batch reopens intact with every flushed event. The read-only RunReader: it never
// creates, migrates or writes a database, refuses what RunStore refuses with the same messages, reads beside
// a writer without blocking it, and sees what later writer processes commit; and the derived status
// "interrupted" from the run lock and the heartbeat.
#include "store/Database.h"
#include "store/RunLiveness.h"
#include "store/RunLock.h"
#include "store/RunReader.h"
#include "store/RunStore.h"
#include "store/Schema.h"
#include "store/StoreError.h"

#include "TestMain.h"
#include <QProcess>
#include <QtTest/QtTest>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace automoe;
namespace fs = std::filesystem;

namespace {

struct FileSnapshot {
    std::string bytes;
    fs::file_time_type mtime;
    bool operator==(const FileSnapshot& o) const { return bytes == o.bytes && mtime == o.mtime; }
};

FileSnapshot snapshot(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::string(std::istreambuf_iterator<char>(in), {}), fs::last_write_time(path)};
}

// The message of the StoreError thrown by opening `path`, or "" if it opened.
QString openError(const std::string& path) {
    try {
        RunStore store(path);
    } catch (const StoreError& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

QString readerError(const std::string& path) {
    try {
        RunReader reader(path);
    } catch (const StoreError& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

// The SHA-256 of a file, computed by another process: opening and closing a database file in this process
// would drop the POSIX locks SQLite holds on it for every connection here (see RunReader.h).
QString checksum(const std::string& path) {
    QProcess p;
    p.start("sha256sum", {QString::fromStdString(path)});
    if (!p.waitForFinished(30000) || p.exitCode() != 0) return "sha256sum failed";
    return QString::fromUtf8(p.readAllStandardOutput()).section(' ', 0, 0);
}

// `db` written by another process: this test executable started afresh with --create-run (a forked child
// would inherit this process's SQLite state, and with it its locks' bookkeeping). See main(). The process
// creates a run named `name` and exits, or with `hold` says "created" and stays until its stdin closes.
bool createRunInAnotherProcess(QProcess& p, const std::string& db, const std::string& name, bool hold) {
    QStringList args = {"--create-run", QString::fromStdString(db), QString::fromStdString(name)};
    if (hold) args << "--hold";
    p.start(QCoreApplication::applicationFilePath(), args);
    if (hold) return p.waitForReadyRead(60000) && p.readLine().trimmed() == "created";
    return p.waitForFinished(60000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
}

std::int64_t nowMs() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

RunSpec spec(const std::string& name) {
    RunSpec s;
    s.name = name;
    s.kind = "supernet";
    s.config = {{"lr", 5e-4}, {"max_updates", 1000}};
    s.space = {{"encoder", {{"layers", 6}}}};
    s.corpus = {{"name", "sample"}, {"pairs", 200}};
    s.seed = 0xfedcba9876543210ull; // above INT64_MAX: stored bit-for-bit
    return s;
}

} // namespace

class TestRunStore : public QObject {
    Q_OBJECT
private:
    QTemporaryDir dir_;
    std::string path(const char* name) const { return (dir_.path() + "/" + name).toStdString(); }

private slots:
    void roundTripsEveryTableAcrossReopen() {
        const std::string file = path("roundtrip.sqlite");
        std::int64_t id = 0;
        {
            RunStore store(file);
            id = store.createRun(spec("first"));
            QVERIFY(id > 0);
            store.setRunStatus(id, RunStatus::Running);
            const nlohmann::json arch = {{"encoder", {{"embed", 512}}}};
            for (int u = 1; u <= 3; ++u)
                store.append(
                    Event::trainingStep(id, {u,
                                             5.0 - u,
                                             4.5 - u,
                                             0.01 * u,
                                             1e-4 * u,
                                             4096 * u,
                                             u == 2 ? "a2" : "",
                                             u == 2 ? std::optional<nlohmann::json>(arch) : std::nullopt,
                                             12.5 * u,
                                             {}}));
            store.append(Event::validation(id, {2, "largest", 3.25, 21.5}));
            store.append(Event::validation(id, {2, "smallest", 3.75, std::nullopt}));
            store.append(Event::checkpoint(id, {1, "/tmp/ckpt1.pt", 1000, 111}));
            store.append(Event::checkpoint(id, {3, "/tmp/ckpt3.pt", 3000, 333}));
            store.append(Event::architecture(id, {0, "b", {{"genes", 1}}}));
            store.append(
                Event::candidate(id, {0, {0, "b", {{"genes", 1}}}, 4.1, 2e9, 40000000, 12.0, 11.5, true}));
            store.append(Event::candidate(
                id, {0, {0, "c", {{"genes", 2}}}, 3.9, 3e9, 50000000, std::nullopt, std::nullopt, false}));
            store.append(Event::generation(id, {0, 0.75, nlohmann::json::array({"b"})}));
            store.append(Event::routing(
                id, {3, {{"decoder", 0, 0, 0.25}, {"decoder", 0, 1, 0.75}, {"encoder", 1, 0, 1.0}}}));
            store.append(Event::make(id, "stage", {{"stage", "search"}}));
        } // the destructor flushes

        RunStore store(file);
        const auto runs = store.listRuns();
        QCOMPARE(runs.size(), std::size_t(1));
        QCOMPARE(runs[0].id, id);
        QCOMPARE(runs[0].name, std::string("first"));
        QCOMPARE(runs[0].kind, std::string("supernet"));
        QCOMPARE(runs[0].status, RunStatus::Running);
        QCOMPARE(runs[0].latestUpdate.value_or(-1), std::int64_t(3));

        const auto run = store.getRun(id);
        QVERIFY(run);
        QCOMPARE(run->spec.config, spec("first").config);
        QCOMPARE(run->spec.space, spec("first").space);
        QCOMPARE(run->spec.corpus, spec("first").corpus);
        QCOMPARE(run->spec.seed, spec("first").seed);
        QVERIFY(run->createdMs > 0 && run->updatedMs >= run->createdMs);
        QVERIFY(!store.getRun(id + 100));

        const auto steps = store.trainingSteps(id);
        QCOMPARE(steps.size(), std::size_t(3));
        QCOMPARE(steps[1].update, std::int64_t(2));
        QCOMPARE(steps[1].loss, 3.0);
        QCOMPARE(steps[1].lbLoss, 0.02);
        QCOMPARE(steps[1].tokens, std::int64_t(8192));
        QCOMPARE(steps[1].archKey, std::string("a2"));
        QCOMPARE(steps[1].arch.value_or(nullptr), (nlohmann::json{{"encoder", {{"embed", 512}}}}));
        QCOMPARE(steps[2].wallMs, 37.5);

        const auto vals = store.validations(id);
        QCOMPARE(vals.size(), std::size_t(2));
        QCOMPARE(vals[0].subnet, std::string("largest"));
        QCOMPARE(vals[0].bleu.value_or(-1), 21.5);
        QVERIFY(!vals[1].bleu);

        QCOMPARE(store.checkpoints(id).size(), std::size_t(2));
        const auto last = store.lastCheckpoint(id);
        QVERIFY(last);
        QCOMPARE(last->update, std::int64_t(3));
        QCOMPARE(last->path, std::string("/tmp/ckpt3.pt"));
        QCOMPARE(last->bytes, std::int64_t(3000));
        QCOMPARE(last->createdMs, std::int64_t(333));

        const auto archs = store.architectures(id);
        QCOMPARE(archs.size(), std::size_t(3)); // a2, b (once, though logged twice), c
        QCOMPARE(archs[1].key, std::string("b"));
        // Their ids and keys alone, all or past an id.
        const auto keys = store.architectureKeys(id);
        QCOMPARE(keys.size(), archs.size());
        for (std::size_t i = 0; i < keys.size(); ++i) {
            QCOMPARE(keys[i].first, archs[i].id);
            QCOMPARE(keys[i].second, archs[i].key);
        }
        const auto later = store.architectureKeys(id, archs[0].id);
        QCOMPARE(later.size(), std::size_t(2));
        QCOMPARE(later.front().second, std::string("b"));
        QVERIFY(store.architectureKeys(id, archs[2].id).empty());

        const auto cands = store.candidates(id);
        QCOMPARE(cands.size(), std::size_t(2));
        QCOMPARE(cands[0].architecture.key, std::string("c")); // ordered by fitness
        QVERIFY(!cands[0].latencyMs && !cands[0].predictedLatencyMs && !cands[0].feasible);
        QCOMPARE(cands[1].architecture.id, archs[1].id);
        QCOMPARE(cands[1].architecture.json, (nlohmann::json{{"genes", 1}}));
        QCOMPARE(cands[1].latencyMs.value_or(-1), 12.0);
        QCOMPARE(cands[1].predictedLatencyMs.value_or(-1), 11.5);
        QCOMPARE(cands[1].paramsActive, std::int64_t(40000000));
        QCOMPARE(cands[1].flops, 2e9);

        const auto gens = store.generations(id);
        QCOMPARE(gens.size(), std::size_t(1));
        QCOMPARE(gens[0].hypervolume, 0.75);
        QCOMPARE(gens[0].front, nlohmann::json::array({"b"}));

        const auto routing = store.routingStats(id);
        QCOMPARE(routing.size(), std::size_t(1));
        QCOMPARE(routing[0].rows.size(), std::size_t(3));
        QCOMPARE(routing[0].rows[0].stack, std::string("encoder"));
        QCOMPARE(routing[0].rows[2].tokensFraction, 0.75);

        const auto events = store.events(id);
        const std::vector<std::string> types = {
            "run_status", "training_step", "training_step", "training_step", "validation",
            "validation", "checkpoint",    "checkpoint",    "architecture",  "candidate",
            "candidate",  "generation",    "routing",       "stage"};
        QCOMPARE(events.size(), types.size());
        for (std::size_t i = 0; i < events.size(); ++i) {
            QCOMPARE(events[i].seq, std::int64_t(i + 1));
            QCOMPARE(events[i].type, types[i]);
            QVERIFY(events[i].timeMs > 0);
        }
        QCOMPARE(events[0].payload["status"], nlohmann::json("running"));
        QCOMPARE(events[2].payload["arch_key"], nlohmann::json("a2"));
        QCOMPARE(events[13].payload["stage"], nlohmann::json("search"));
        QCOMPARE(store.events(id, 5, 2).size(), std::size_t(2));
        QCOMPARE(store.events(id, 5, 2)[0].type, std::string("validation"));
        QCOMPARE(store.integrityCheck(), std::string("ok"));
    }

    void setRunStatusRejectsAnUnknownRun() {
        RunStore store(path("status.sqlite"));
        QVERIFY_THROWS_EXCEPTION(StoreError, store.setRunStatus(42, RunStatus::Failed));
    }

    void opensInWalModeAtTheCurrentVersion() {
        const std::string file = path("wal.sqlite");
        RunStore store(file);
        QCOMPARE(store.schemaVersion(), Schema::currentVersion());
        Database raw(file, Database::Mode::ReadOnly);
        QCOMPARE(raw.queryText("PRAGMA journal_mode"), std::string("wal"));
        QCOMPARE(raw.queryInt("PRAGMA user_version"), std::int64_t(Schema::currentVersion()));
    }

    void migratesAVersion1DatabaseKeepingItsData() {
        const std::string file = path("v1.sqlite");
        {
            // Version 1 as it shipped, written by hand (not from Schema) so that the test pins the upgrade
            // path.
            Database raw(file, Database::Mode::ReadWrite);
            raw.exec(R"sql(
                CREATE TABLE runs (id INTEGER PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL,
                    status TEXT NOT NULL DEFAULT 'created'
                        CHECK (status IN ('created','running','paused','finished','failed','cancelled')),
                    created INTEGER NOT NULL, config TEXT NOT NULL DEFAULT '{}', space TEXT NOT NULL DEFAULT '{}',
                    corpus TEXT NOT NULL DEFAULT '{}', seed INTEGER NOT NULL DEFAULT 0);
                CREATE TABLE events (run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                    seq INTEGER NOT NULL, time_ms INTEGER NOT NULL, type TEXT NOT NULL,
                    payload TEXT NOT NULL DEFAULT '{}', PRIMARY KEY (run_id, seq));
                CREATE TABLE training_steps (run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                    update_no INTEGER NOT NULL, loss REAL, nll REAL, lb_loss REAL, lr REAL,
                    tokens INTEGER NOT NULL DEFAULT 0, arch_key TEXT, wall_ms REAL, PRIMARY KEY (run_id, update_no));
                CREATE TABLE validations (run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                    update_no INTEGER NOT NULL, subnet TEXT NOT NULL, loss REAL, bleu REAL,
                    PRIMARY KEY (run_id, update_no, subnet));
                CREATE TABLE checkpoints (run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                    update_no INTEGER NOT NULL, path TEXT NOT NULL, bytes INTEGER NOT NULL DEFAULT 0,
                    created INTEGER NOT NULL, PRIMARY KEY (run_id, update_no));
                INSERT INTO runs(id, name, kind, status, created, seed) VALUES (7, 'old', 'supernet', 'finished', 1234, 9);
                INSERT INTO events VALUES (7, 1, 1300, 'training_step', '{"update":1}');
                INSERT INTO events VALUES (7, 2, 1400, 'checkpoint', '{"update":1}');
                INSERT INTO training_steps VALUES (7, 1, 2.5, 2.4, 0.1, 0.001, 100, '', 5.0);
                INSERT INTO validations VALUES (7, 1, 'largest', 2.75, NULL);
                INSERT INTO checkpoints VALUES (7, 1, 'old.pt', 10, 1400);
                PRAGMA user_version = 1;
            )sql");
        }
        RunStore store(file);
        QCOMPARE(store.schemaVersion(), Schema::currentVersion());
        const auto run = store.getRun(7);
        QVERIFY(run);
        QCOMPARE(run->spec.name, std::string("old"));
        QCOMPARE(run->status, RunStatus::Finished);
        QCOMPARE(run->updatedMs, std::int64_t(1234)); // back-filled from created
        QCOMPARE(store.trainingSteps(7).size(), std::size_t(1));
        QCOMPARE(store.trainingSteps(7)[0].loss, 2.5);
        QCOMPARE(store.validations(7).size(), std::size_t(1));
        QCOMPARE(store.lastCheckpoint(7)->path, std::string("old.pt"));
        QCOMPARE(store.events(7).size(), std::size_t(2));
        // The version-2 tables work, and the event log continues after the old events.
        store.append(
            Event::candidate(7, {0, {0, "x", {{"g", 1}}}, 1.0, 1.0, 1, std::nullopt, std::nullopt, true}));
        store.flush();
        QCOMPARE(store.candidates(7).size(), std::size_t(1));
        QCOMPARE(store.lastSeq(7), std::int64_t(3));
        QCOMPARE(store.integrityCheck(), std::string("ok"));
    }

    void refusesANewerSchemaWithoutTouchingTheFile() {
        const std::string file = path("newer.sqlite");
        {
            Database raw(file, Database::Mode::ReadWrite);
            raw.exec("CREATE TABLE future (x); INSERT INTO future VALUES (1); PRAGMA user_version = 99;");
        }
        const FileSnapshot before = snapshot(file);
        const QString message = openError(file);
        QVERIFY2(message.contains(QString::fromStdString(file)), qPrintable(message));
        QVERIFY2(message.contains("version 99"), qPrintable(message));
        QVERIFY2(message.contains(QString("version %1").arg(Schema::currentVersion())), qPrintable(message));
        QVERIFY(snapshot(file) == before);
        QVERIFY(!fs::exists(file + "-wal"));
    }

    void refusesAGarbageFileWithoutTouchingIt() {
        const std::string file = path("garbage.sqlite");
        {
            std::ofstream out(file, std::ios::binary);
            for (int i = 0; i < 8192; ++i)
                out.put(char((i * 7919) & 0xff));
        }
        const FileSnapshot before = snapshot(file);
        const QString message = openError(file);
        QVERIFY2(message.contains(QString::fromStdString(file)), qPrintable(message));
        QVERIFY2(message.contains("not an SQLite database"), qPrintable(message));
        QVERIFY(snapshot(file) == before);
    }

    void refusesADamagedDatabaseWithoutTouchingIt() {
        const std::string file = path("damaged.sqlite");
        {
            RunStore store(file);
            const std::int64_t id = store.createRun(spec("doomed"));
            for (int i = 0; i < 2000; ++i)
                store.append(Event::make(id, "tick", {{"i", i}, {"pad", std::string(100, 'x')}}));
        }
        {
            // Fold the WAL into the file so that the damage below hits real pages.
            Database raw(file, Database::Mode::ReadWrite);
            raw.exec("PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode=DELETE;");
        }
        const auto size = fs::file_size(file);
        QVERIFY(size > 16 * 4096);
        {
            std::fstream io(file, std::ios::binary | std::ios::in | std::ios::out);
            io.seekp(std::streamoff(4096 * 3));
            for (int i = 0; i < 4096 * 8; ++i)
                io.put(char(0xA5));
        }
        const FileSnapshot before = snapshot(file);
        const QString message = openError(file);
        QVERIFY2(message.contains(QString::fromStdString(file)), qPrintable(message));
        QVERIFY2(message.contains("damaged") || message.contains("not an SQLite"), qPrintable(message));
        QVERIFY(snapshot(file) == before);
    }

    void commitsTenThousandEventsInOrderAndContinuesAfterReopen() {
        const std::string file = path("events.sqlite");
        std::int64_t id = 0;
        {
            RunStore store(file);
            id = store.createRun(spec("events"));
            for (int i = 0; i < 10000; ++i)
                store.append(Event::make(id, "tick", {{"i", i}}));
            store.flush();
            const auto stats = store.writer().stats();
            QCOMPARE(stats.appended, std::uint64_t(10000));
            QCOMPARE(stats.committed, std::uint64_t(10000));
            QCOMPARE(stats.failed, std::uint64_t(0));
            QVERIFY2(stats.transactions < 10000 / 10, qPrintable(QString::number(stats.transactions)));
            const auto events = store.events(id);
            QCOMPARE(events.size(), std::size_t(10000));
            for (int i = 0; i < 10000; ++i) {
                QCOMPARE(events[i].seq, std::int64_t(i + 1));
                QCOMPARE(events[i].payload["i"].get<int>(), i);
            }
        }
        RunStore store(file);
        for (int i = 0; i < 5; ++i)
            store.append(Event::make(id, "tock", {{"i", i}}));
        store.flush();
        const auto tail = store.events(id, 10000);
        QCOMPARE(tail.size(), std::size_t(6));
        QCOMPARE(tail[0].type, std::string("tick"));
        QCOMPARE(tail[5].seq, std::int64_t(10005));
        QCOMPARE(tail[5].type, std::string("tock"));
    }

    void appendDoesNoIoUntilTheWriterCommits() {
        // With a timer longer than the test and an unreachable batch size, only flush() wakes the writer: if
        // append() wrote anything, the counts below would show it.
        RunStore store(path("noio.sqlite"), {std::chrono::milliseconds(600000), std::size_t(1) << 40});
        const std::int64_t id = store.createRun(spec("noio"));
        for (int i = 0; i < 10000; ++i)
            store.append(Event::trainingStep(id, {i, 1.0, 1.0, 0.0, 1e-3, 10, "", std::nullopt, 1.0, {}}));
        auto stats = store.writer().stats();
        QCOMPARE(stats.appended, std::uint64_t(10000));
        QCOMPARE(stats.committed, std::uint64_t(0));
        QCOMPARE(store.lastSeq(id), std::int64_t(0));
        store.flush();
        stats = store.writer().stats();
        QCOMPARE(stats.committed, std::uint64_t(10000));
        QCOMPARE(stats.transactions, std::uint64_t(1));
        QCOMPARE(store.trainingSteps(id).size(), std::size_t(10000));
    }

    void aRefusedEventDoesNotLoseItsBatch() {
        RunStore store(path("refused.sqlite"));
        const std::int64_t id = store.createRun(spec("ok"));
        store.append(Event::make(id, "a"));
        store.append(Event::make(id + 1000, "orphan")); // no such run: the foreign key refuses it
        store.append(Event::make(id, "b"));
        store.flush();
        const auto stats = store.writer().stats();
        QCOMPARE(stats.committed, std::uint64_t(2));
        QCOMPARE(stats.failed, std::uint64_t(1));
        QVERIFY2(QString::fromStdString(store.writer().lastError()).contains("orphan"),
                 store.writer().lastError().c_str());
        const auto events = store.events(id);
        QCOMPARE(events.size(), std::size_t(2));
        QCOMPARE(events[1].seq, std::int64_t(2));
        QCOMPARE(events[1].type, std::string("b"));
    }

    void survivesSigkillMidBatch() {
        const std::string file = path("killed.sqlite");
        constexpr int kFlushed = 3000;
        int fds[2];
        QCOMPARE(::pipe(fds), 0);
        const pid_t child = ::fork();
        QVERIFY(child >= 0);
        if (child == 0) {
            ::close(fds[0]);
            try {
                RunStore store(file, {std::chrono::milliseconds(2), 64});
                std::int64_t id = store.createRun(spec("killed"));
                for (int i = 0; i < kFlushed; ++i)
                    store.append(Event::make(id, "tick", {{"i", i}, {"pad", std::string(200, 'p')}}));
                store.flush();
                if (::write(fds[1], &id, sizeof id) != sizeof id) ::_exit(2);
                const std::uint64_t before = store.writer().stats().transactions;
                // Keep the writer busy with many small batches and die with events queued and a batch
                // likely in flight (paced, so that the queue stays small).
                for (int i = kFlushed;; ++i) {
                    store.append(Event::make(id, "tick", {{"i", i}, {"pad", std::string(200, 'p')}}));
                    if (i % 32 == 0) {
                        if (store.writer().stats().transactions > before + 20 || i > 200000) ::raise(SIGKILL);
                        ::usleep(500);
                    }
                }
            } catch (...) {
                ::_exit(3);
            }
        }
        ::close(fds[1]);
        std::int64_t id = 0;
        const bool gotId = ::read(fds[0], &id, sizeof id) == sizeof id;
        ::close(fds[0]);
        int status = 0;
        QCOMPARE(::waitpid(child, &status, 0), child);
        QVERIFY2(gotId, "the child did not report its run");
        QVERIFY2(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, qPrintable(QString::number(status)));

        RunStore store(file);
        QCOMPARE(store.integrityCheck(), std::string("ok"));
        const auto events = store.events(id);
        QVERIFY(events.size() >= std::size_t(kFlushed));
        qInfo("%zu events survived the kill (%d flushed)", events.size(), kFlushed);
        // Every flushed event, and after them a gap-free prefix of the rest, in order.
        for (std::size_t i = 0; i < events.size(); ++i) {
            QCOMPARE(events[i].seq, std::int64_t(i + 1));
            QCOMPARE(events[i].payload["i"].get<std::size_t>(), i);
        }
        // Stored "created", shown "interrupted" once its heartbeat is stale: at once when read with no grace
        // (comparing with the default grace made the result depend on how long the child ran: 30 s under
        // AddressSanitizer made it "interrupted").
        {
            RunReader::Options noGrace;
            noGrace.staleAfterMs = 0;
            RunReader reader(file, noGrace);
            QCOMPARE(std::string(runStatusName(reader.getRun(id)->status)), std::string("interrupted"));
        }
        // The killed run's log continues where it stopped.
        store.append(Event::make(id, "resumed"));
        store.flush();
        QCOMPARE(store.lastSeq(id), std::int64_t(events.size() + 1));
    }

    void readerNeverCreatesAMissingDatabase() {
        const std::string file = path("missing/runs.sqlite");
        const QString message = readerError(file);
        QCOMPARE(message, QString::fromStdString(file) +
                              ": does not exist: no run has been stored there yet (a reader never creates a "
                              "run database)");
        QVERIFY(!fs::exists(file));
        QVERIFY(!fs::exists(path("missing")));
    }

    // A file a writer has just created (or an empty one) holds no run yet: the reader says so instead of
    // calling it a database of something else (seen while the CLI was creating the database a window polls).
    void readerCallsAnEmptyDatabaseEmpty() {
        const std::string empty = path("reader-empty.sqlite");
        { std::ofstream out(empty, std::ios::binary); }
        const std::string noTables = path("reader-no-tables.sqlite");
        {
            Database raw(noTables, Database::Mode::ReadWrite);
            raw.exec("CREATE TABLE t (x); DROP TABLE t;");
        }
        for (const std::string& file : {empty, noTables}) {
            const FileSnapshot before = snapshot(file);
            QCOMPARE(readerError(file), QString::fromStdString(file) +
                                            ": is an empty SQLite database: no run has been stored there yet "
                                            "(a writer may be creating it)");
            QVERIFY(snapshot(file) == before);
        }
        QCOMPARE(fs::file_size(empty), std::uintmax_t(0));
    }

    void readerRefusesWhatTheStoreRefusesWithTheSameMessages() {
        const std::string newer = path("reader-newer.sqlite");
        {
            Database raw(newer, Database::Mode::ReadWrite);
            raw.exec("CREATE TABLE future (x); PRAGMA user_version = 99;");
        }
        const std::string garbage = path("reader-garbage.sqlite");
        {
            std::ofstream out(garbage, std::ios::binary);
            out << std::string(4096, 'g');
        }
        for (const std::string& file : {newer, garbage}) {
            const FileSnapshot before = snapshot(file);
            const QString message = readerError(file);
            QVERIFY2(message.startsWith(QString::fromStdString(file) + ": "), qPrintable(message));
            QCOMPARE(message, openError(file));
            QVERIFY(snapshot(file) == before);
            QVERIFY(!fs::exists(file + "-wal"));
        }
        QVERIFY(readerError(newer).contains("version 99"));
        QVERIFY(readerError(garbage).contains("is not an SQLite database (wrong header)"));

        // An SQLite database of something else, and an older run database (RunStore would migrate it).
        const std::string foreign = path("reader-foreign.sqlite");
        {
            Database raw(foreign, Database::Mode::ReadWrite);
            raw.exec("CREATE TABLE moz_places (url TEXT);");
        }
        QCOMPARE(readerError(foreign), QString::fromStdString(foreign) +
                                           ": is an SQLite database but not an AutoMoE Studio run database "
                                           "(schema version 0); choose another file for the run store");
        const std::string older = path("reader-older.sqlite");
        {
            Database raw(older, Database::Mode::ReadWrite);
            raw.exec(Schema::migrations().front().sql);
            raw.exec("PRAGMA user_version = 1;");
        }
        const FileSnapshot before = snapshot(older);
        QVERIFY2(
            readerError(older).contains("has schema version 1, older than version") &&
                readerError(older).contains("automoe runs migrate --db " + QString::fromStdString(older)),
            qPrintable(readerError(older)));
        QVERIFY(snapshot(older) == before);
    }

    // A writer appends in a thread while a reader reads: the writer is never refused or held up, the reader
    // only ever sees committed, growing data, and the main database file does not change over the reader's
    // whole life (the writer's own checkpoints are off, so any change would be the reader's).
    void readerBesideAWriterNeitherBlocksNorWrites() {
        const std::string file = path("beside.sqlite");
        RunStore writer(file, {std::chrono::milliseconds(5), 64});
        writer.writer().run([](Database& db) { db.exec("PRAGMA wal_autocheckpoint=0"); });
        const std::int64_t id = writer.createRun(spec("busy"));
        writer.flush();
        const QString mainBefore = checksum(file);

        std::atomic<bool> writing{true};
        std::thread appender([&] {
            for (int i = 0; i < 3000; ++i) {
                writer.append(
                    Event::trainingStep(id, {i + 1, 1.0, 1.0, 0.0, 1e-3, 10, "", std::nullopt, 1.0, {}}));
                if (i % 100 == 99) writer.flush();
            }
            writer.flush();
            writing = false;
        });
        std::size_t seen = 0, reads = 0;
        bool monotonic = true;
        {
            RunReader reader(file);
            while (writing || reads == 0) {
                const std::size_t steps = reader.trainingSteps(id).size();
                monotonic = monotonic && steps >= seen;
                seen = steps;
                QCOMPARE(reader.listRuns().size(), std::size_t(1));
                ++reads;
            }
            appender.join();
            QCOMPARE(reader.trainingSteps(id).size(), std::size_t(3000));
            QCOMPARE(reader.lastSeq(id), std::int64_t(3000));
            QCOMPARE(reader.integrityCheck(), std::string("ok"));

            // The writer holds a write transaction open: the reader still answers, from the last commit.
            std::mutex m;
            std::condition_variable cv;
            bool inside = false, release = false;
            std::thread holder([&] {
                writer.writer().run([&](Database& db) {
                    db.exec("BEGIN IMMEDIATE; UPDATE runs SET name = 'uncommitted';");
                    std::unique_lock<std::mutex> lock(m);
                    inside = true;
                    cv.notify_all();
                    cv.wait(lock, [&] { return release; });
                    db.exec("ROLLBACK");
                });
            });
            {
                std::unique_lock<std::mutex> lock(m);
                cv.wait(lock, [&] { return inside; });
            }
            QCOMPARE(reader.getRun(id)->spec.name, std::string("busy"));
            {
                std::lock_guard<std::mutex> lock(m);
                release = true;
            }
            cv.notify_all();
            holder.join();
        }
        QVERIFY(monotonic);
        QVERIFY(reads > 0);
        const auto stats = writer.writer().stats();
        QCOMPARE(stats.committed, std::uint64_t(3000));
        QCOMPARE(stats.failed, std::uint64_t(0));
        QCOMPARE(checksum(file), mainBefore);
    }

    // A closed writer folds its WAL into the file; a reader opened then must leave the file as it is.
    void readerLeavesAQuietDatabaseUnchanged() {
        const std::string file = path("quiet.sqlite");
        {
            RunStore store(file);
            const std::int64_t id = store.createRun(spec("quiet"));
            store.append(Event::make(id, "tick"));
        }
        const QString before = checksum(file);
        {
            RunReader reader(file);
            QCOMPARE(reader.listRuns().size(), std::size_t(1));
            QCOMPARE(reader.events(1).size(), std::size_t(1));
            QCOMPARE(reader.integrityCheck(), std::string("ok"));
            QCOMPARE(reader.schemaVersion(), Schema::currentVersion());
        }
        QCOMPARE(checksum(file), before);
    }

    // The workbench keeps a reader open while child processes write one run after the other. Opening a
    // store in this process once read the file's header through a descriptor of its own; closing it dropped
    // the POSIX locks of the open reader, the next writer process then deleted the WAL and the -shm on exit,
    // and the reader kept following the deleted ones: the run a later child wrote stayed invisible.
    void aReaderSeesRunsThatLaterWriterProcessesCommit() {
        const std::string file = path("children.sqlite");
        {
            RunStore store(file);
            store.createRun(spec("first"));
        }
        RunReader reader(file);
        QCOMPARE(reader.listRuns().size(), std::size_t(1));
        { RunStore again(file); } // what a runs-browser refresh did
        QProcess second, third;
        QVERIFY(createRunInAnotherProcess(second, file, "second", false));
        QVERIFY(createRunInAnotherProcess(third, file, "third", true)); // still writing
        const auto runs = reader.listRuns();
        third.closeWriteChannel();
        QVERIFY(third.waitForFinished(60000));
        QCOMPARE(runs.size(), std::size_t(3));
        QCOMPARE(runs.front().name, std::string("third"));
    }

    void integrityCheckIsExplicitAndReportsDamage() {
        const std::string file = path("damaged-read.sqlite");
        {
            RunStore store(file);
            const std::int64_t id = store.createRun(spec("doomed"));
            for (int i = 0; i < 2000; ++i)
                store.append(Event::make(id, "tick", {{"i", i}, {"pad", std::string(100, 'x')}}));
        }
        {
            Database raw(file, Database::Mode::ReadWrite);
            raw.exec("PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode=DELETE;");
        }
        {
            std::fstream io(file, std::ios::binary | std::ios::in | std::ios::out);
            io.seekp(std::streamoff(4096 * 3));
            for (int i = 0; i < 4096 * 8; ++i)
                io.put(char(0xA5));
        }
        const FileSnapshot before = snapshot(file);
        {
            RunReader reader(file); // opening does not read the whole file: it opens
            const std::string result = reader.integrityCheck();
            QVERIFY2(result != "ok" && !result.empty(), result.c_str());
        }
        QVERIFY(snapshot(file) == before);
    }

    // A failed QCOMPARE of a RunStatus or a StageState prints its name (tests/support/TestMain.h). Qt Test
    // calls toString unqualified from namespace QTest, as here, and delete[]s the result: when core's names
    // were toString overloads returning static strings, ADL picked them and a failing comparison crashed.
    void qtestPrintsStatusesByName() {
        using QTest::toString;
        std::unique_ptr<char[]> status(toString(RunStatus::Interrupted));
        QCOMPARE(QByteArray(status.get()), QByteArray("interrupted"));
        std::unique_ptr<char[]> state(toString(StageState::Cancelled));
        QCOMPARE(QByteArray(state.get()), QByteArray("cancelled"));
    }

    void interruptedIsDerivedFromTheLockAndTheHeartbeat() {
        using S = RunStatus;
        QCOMPARE(derivedRunStatus(S::Running, false, 1000, 12000, 10000), S::Interrupted);
        QCOMPARE(derivedRunStatus(S::Running, false, 1000, 11000, 10000), S::Interrupted);
        QCOMPARE(derivedRunStatus(S::Running, false, 1001, 11000, 10000), S::Running); // fresh heartbeat
        QCOMPARE(derivedRunStatus(S::Paused, true, 0, 99000, 10000), S::Paused);       // lock held
        QCOMPARE(derivedRunStatus(S::Created, false, 0, 99000, 10000), S::Interrupted);
        QCOMPARE(derivedRunStatus(S::Finished, false, 0, 99000, 10000), S::Finished);
        QCOMPARE(derivedRunStatus(S::Cancelled, false, 0, 99000, 0), S::Cancelled);
        QCOMPARE(std::string(runStatusName(S::Interrupted)), std::string("interrupted"));
        QCOMPARE(runStatusFromString("interrupted"), S::Interrupted);

        const std::string file = path("liveness.sqlite");
        RunStore store(file);
        const std::int64_t running = store.createRun(spec("running"));
        const std::int64_t paused = store.createRun(spec("paused"));
        const std::int64_t finished = store.createRun(spec("finished"));
        store.setRunStatus(running, S::Running);
        store.setRunStatus(paused, S::Paused);
        store.setRunStatus(finished, S::Finished);

        RunReader::Options lockOnly;
        lockOnly.staleAfterMs = 0;
        RunReader reader(file, lockOnly);
        QVERIFY(!RunLock::isHeld(file, running)); // no lock file at all: nobody executes it
        QCOMPARE(reader.getRun(running)->status, S::Interrupted);
        QCOMPARE(reader.getRun(paused)->status, S::Interrupted);
        QCOMPARE(reader.getRun(finished)->status, S::Finished);
        // A live paused run: its process holds the lock, however old its heartbeat.
        RunLock lock = RunLock::acquire(file, paused);
        QVERIFY(RunLock::isHeld(file, paused));
        QCOMPARE(reader.getRun(paused)->status, S::Paused);
        for (const RunSummary& r : reader.listRuns())
            QCOMPARE(r.status, r.id == running ? S::Interrupted : r.id == paused ? S::Paused : S::Finished);
        // With the default bound a run with a fresh heartbeat is not called interrupted yet.
        RunReader patient(file);
        QCOMPARE(patient.getRun(running)->status, S::Running);

        // One executor per run: a second lock is refused, naming the lock file and the holder.
        try {
            RunLock::acquire(file, paused);
            QFAIL("a second lock was granted");
        } catch (const StoreError& e) {
            QCOMPARE(QString::fromStdString(e.what()),
                     QString::fromStdString(lock.path()) +
                         QString(": run %1 is already being executed by process %2; wait for it to end or "
                                 "stop it first")
                             .arg(paused)
                             .arg(::getpid()));
        }
        lock.release();
        QVERIFY(!RunLock::isHeld(file, paused));
        QCOMPARE(reader.getRun(paused)->status, S::Interrupted);
        QVERIFY(RunLock::acquire(file, paused).held());

        // Interrupted is never stored.
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, store.setRunStatus(running, S::Interrupted));
        QVERIFY_THROWS_EXCEPTION(StoreError, store.writer().run([&](Database& db) {
            db.exec("UPDATE runs SET status = 'interrupted' WHERE id = " + std::to_string(running));
        }));
        QCOMPARE(patient.getRun(running)->status, S::Running);
    }

    // The executing process touches runs.updated while a run is live, even without events (a paused run),
    // and only then: it commits no queued event early for it, and leaves a finished run's time alone.
    void theHeartbeatKeepsALiveRunFresh() {
        const std::string file = path("heartbeat.sqlite");
        EventWriter::Options options;
        options.interval = std::chrono::milliseconds(600000);
        options.batchSize = std::size_t(1) << 40;
        options.heartbeat = std::chrono::milliseconds(20);
        RunStore store(file, options);
        const std::int64_t live = store.createRun(spec("live"));
        const std::int64_t done = store.createRun(spec("done"));
        store.setRunStatus(live, RunStatus::Paused);
        store.setRunStatus(done, RunStatus::Finished);
        store.writer().run([&](Database& db) { db.exec("UPDATE runs SET updated = 1000"); });
        for (int i = 0; i < 10; ++i)
            store.append(Event::make(live, "queued"));
        store.writer().keepAlive(live);
        store.writer().keepAlive(done);
        QTRY_VERIFY_WITH_TIMEOUT(store.getRun(live)->updatedMs > 1000, 10000);
        QCOMPARE(store.getRun(done)->updatedMs, std::int64_t(1000));  // touched in the same transaction
        QCOMPARE(store.writer().stats().committed, std::uint64_t(2)); // the two run_status events only
        QVERIFY(store.getRun(live)->updatedMs <= nowMs());
        store.writer().stopKeepingAlive(live);
        store.writer().stopKeepingAlive(done);
        store.flush();
        QCOMPARE(store.events(live).size(), std::size_t(11));
    }
};

AUTOMOE_TEST_MAIN(TestRunStore)
// The writer process of createRunInAnotherProcess(): `--create-run DB NAME [--hold]`.
static const int createRunHelper = automoe::test::registerHelper("--create-run", [](int argc, char** argv) {
    if (argc < 2) return 2;
    RunStore store(argv[0]);
    store.createRun(spec(argv[1]));
    if (argc == 3) { // --hold
        std::printf("created\n");
        std::fflush(stdout);
        std::string line;
        std::getline(std::cin, line);
    }
    return 0;
});

#include "tst_runstore.moc"
