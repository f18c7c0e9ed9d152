#include "store/EventWriter.h"

#include "store/Statement.h"
#include "store/StoreError.h"
#include "util/Clock.h"

#include <exception>
#include <future>
#include <set>
#include <spdlog/spdlog.h>
#include <unordered_map>
#include <utility>

namespace automoe {

// The prepared statements of the writer connection, prepared once and reused for every batch, and the
// next sequence number of every run seen (read from MAX(seq) on first use, so numbering continues after a
// reopen). Used only on the writer thread.
class EventWriter::Batch {
public:
    explicit Batch(Database& db)
        : begin(db, "BEGIN IMMEDIATE")
        , commit(db, "COMMIT")
        , savepoint(db, "SAVEPOINT event")
        , release(db, "RELEASE event")
        , rollbackTo(db, "ROLLBACK TO event")
        , maxSeq(db, "SELECT COALESCE(MAX(seq), 0) FROM events WHERE run_id = ?")
        , insertEvent(db, "INSERT INTO events(run_id, seq, time_ms, type, payload) VALUES (?, ?, ?, ?, ?)")
        , touchRun(db, "UPDATE runs SET updated = ? WHERE id = ?")
        , trainingStep(db, "INSERT OR REPLACE INTO training_steps(run_id, update_no, loss, nll, lb_loss, lr, "
                           "tokens, arch_key, wall_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
        , validation(db, "INSERT OR REPLACE INTO validations(run_id, update_no, subnet, loss, bleu) "
                         "VALUES (?, ?, ?, ?, ?)")
        , checkpoint(db, "INSERT OR REPLACE INTO checkpoints(run_id, update_no, path, bytes, created) "
                         "VALUES (?, ?, ?, ?, ?)")
        , upsertArchitecture(db, "INSERT INTO architectures(run_id, key, json) VALUES (?, ?, ?) "
                                 "ON CONFLICT(run_id, key) DO NOTHING")
        , architectureId(db, "SELECT id FROM architectures WHERE run_id = ? AND key = ?")
        , candidate(db,
                    "INSERT OR REPLACE INTO candidates(run_id, generation, architecture_id, fitness, flops, "
                    "params_active, latency_ms, predicted_latency_ms, feasible) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
        , generation(db, "INSERT OR REPLACE INTO generations(run_id, generation, hypervolume, front) "
                         "VALUES (?, ?, ?, ?)")
        , routing(db, "INSERT OR REPLACE INTO routing_stats(run_id, update_no, stack, layer, expert, "
                      "tokens_fraction) VALUES (?, ?, ?, ?, ?, ?)") {}

    // Writes one event and its typed row inside a savepoint: either both land or neither.
    void write(const Event& e) {
        const std::int64_t seq = nextSeq(e.runId);
        savepoint.run();
        try {
            insertEvent.bind(1, e.runId).bind(2, seq).bind(3, e.timeMs).bind(4, e.type);
            insertEvent.bind(
                5, e.storedPayload().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
            insertEvent.run();
            std::visit([&](const auto& row) { writeRow(e.runId, row); }, e.row);
            release.run();
        } catch (...) {
            rollbackTo.run();
            release.run();
            throw;
        }
        next[e.runId] = seq + 1;
        touched.insert(e.runId);
    }

    void touchRuns(std::int64_t timeMs) {
        for (std::int64_t run : touched)
            touchRun.bind(1, timeMs).bind(2, run).run();
        touched.clear();
    }

    // After a failed transaction the cached sequence numbers may be ahead of the database.
    void forget() {
        next.clear();
        touched.clear();
    }

    Statement begin, commit, savepoint, release, rollbackTo;

private:
    std::int64_t nextSeq(std::int64_t runId) {
        if (auto it = next.find(runId); it != next.end()) return it->second;
        maxSeq.bind(1, runId);
        const std::int64_t last = maxSeq.step() ? maxSeq.columnInt(0) : 0;
        maxSeq.reset();
        return next[runId] = last + 1;
    }

    std::int64_t architecture(std::int64_t runId, const ArchitectureRow& a) {
        upsertArchitecture.bind(1, runId).bind(2, a.key).bind(3, a.json.dump()).run();
        architectureId.bind(1, runId).bind(2, a.key);
        const bool found = architectureId.step();
        const std::int64_t id = found ? architectureId.columnInt(0) : 0;
        architectureId.reset();
        return id;
    }

    void writeRow(std::int64_t, const std::monostate&) {}
    void writeRow(std::int64_t run, const TrainingStepRow& r) {
        if (r.arch && !r.archKey.empty()) architecture(run, ArchitectureRow{0, r.archKey, *r.arch});
        trainingStep.bind(1, run).bind(2, r.update).bind(3, r.loss).bind(4, r.nll).bind(5, r.lbLoss);
        trainingStep.bind(6, r.lr).bind(7, r.tokens).bind(8, r.archKey).bind(9, r.wallMs).run();
    }
    void writeRow(std::int64_t run, const ValidationRow& r) {
        validation.bind(1, run).bind(2, r.update).bind(3, r.subnet).bind(4, r.loss).bind(5, r.bleu).run();
    }
    void writeRow(std::int64_t run, const CheckpointRow& r) {
        checkpoint.bind(1, run).bind(2, r.update).bind(3, r.path).bind(4, r.bytes);
        checkpoint.bind(5, r.createdMs ? r.createdMs : wallClockMs()).run();
    }
    void writeRow(std::int64_t run, const ArchitectureRow& r) { architecture(run, r); }
    void writeRow(std::int64_t run, const CandidateRow& r) {
        const std::int64_t arch = architecture(run, r.architecture);
        candidate.bind(1, run).bind(2, r.generation).bind(3, arch).bind(4, r.fitness).bind(5, r.flops);
        candidate.bind(6, r.paramsActive).bind(7, r.latencyMs).bind(8, r.predictedLatencyMs);
        candidate.bind(9, r.feasible).run();
    }
    void writeRow(std::int64_t run, const GenerationRow& r) {
        generation.bind(1, run).bind(2, r.generation).bind(3, r.hypervolume).bind(4, r.front.dump()).run();
    }
    void writeRow(std::int64_t run, const RoutingSnapshot& r) {
        for (const RoutingStatRow& s : r.rows) {
            routing.bind(1, run).bind(2, r.update).bind(3, s.stack).bind(4, s.layer).bind(5, s.expert);
            routing.bind(6, s.tokensFraction).run();
        }
    }

    Statement maxSeq, insertEvent, touchRun, trainingStep, validation, checkpoint, upsertArchitecture,
        architectureId, candidate, generation, routing;
    std::unordered_map<std::int64_t, std::int64_t> next;
    std::set<std::int64_t> touched;
};

EventWriter::EventWriter(Database db, Options options)
    : path_(db.path())
    , options_(options)
    , db_(std::move(db))
    , batch_(std::make_unique<Batch>(db_))
    , thread_([this] { loop(); }) {}

EventWriter::~EventWriter() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stop_ = true; // the loop drains the queue before it returns
    }
    wake_.notify_one();
    thread_.join();
}

void EventWriter::append(Event event) {
    if (event.timeMs == 0) event.timeMs = wallClockMs();
    std::unique_lock<std::mutex> lock(mutex_);
    queue_.push_back(Item{std::move(event), {}});
    ++queued_;
    ++stats_.appended;
    const bool full = queue_.size() == options_.batchSize;
    lock.unlock();
    if (full) // wake the writer once per batch, not per event
        wake_.notify_one();
}

void EventWriter::flush() {
    std::unique_lock<std::mutex> lock(mutex_);
    const std::uint64_t target = queued_;
    if (processed_ >= target) return;
    ++urgent_;
    wake_.notify_one();
    drained_.wait(lock, [&] { return processed_ >= target; });
    --urgent_;
}

void EventWriter::run(std::function<void(Database&)> job) {
    auto done = std::make_shared<std::promise<void>>();
    std::future<void> finished = done->get_future();
    {
        std::lock_guard<std::mutex> lock(mutex_);
        queue_.push_back(Item{Event{}, [job = std::move(job), done](Database& db) {
                                  try {
                                      job(db);
                                      done->set_value();
                                  } catch (...) {
                                      done->set_exception(std::current_exception());
                                  }
                              }});
        ++queued_;
        ++urgent_;
    }
    wake_.notify_one();
    finished.wait();
    {
        std::lock_guard<std::mutex> lock(mutex_);
        --urgent_;
    }
    finished.get();
}

void EventWriter::keepAlive(std::int64_t runId) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        ++keptAlive_[runId];
    }
    wake_.notify_one(); // the loop now wakes for heartbeats too
}

void EventWriter::stopKeepingAlive(std::int64_t runId) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = keptAlive_.find(runId);
    if (it != keptAlive_.end() && --it->second <= 0) keptAlive_.erase(it);
}

void EventWriter::rollback() noexcept {
    if (!db_.inTransaction()) return;
    try {
        db_.exec("ROLLBACK");
    } catch (const std::exception&) {
    }
}

void EventWriter::touchKeptAlive(const std::map<std::int64_t, int>& runs) {
    try {
        Statement touch(db_, "UPDATE runs SET updated = ? WHERE id = ? AND status IN "
                             "('created', 'running', 'paused')");
        batch_->begin.run();
        const std::int64_t now = wallClockMs();
        for (const auto& [run, count] : runs)
            touch.bind(1, now).bind(2, run).run();
        batch_->commit.run();
    } catch (const std::exception& e) {
        rollback();
        recordError(std::string("the heartbeat of a run was not written: ") + e.what());
    }
}

EventWriter::Stats EventWriter::stats() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return stats_;
}

std::string EventWriter::lastError() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return lastError_;
}

void EventWriter::recordError(const std::string& message) {
    spdlog::error("run store: {}", message);
    std::lock_guard<std::mutex> lock(mutex_);
    lastError_ = message;
}

void EventWriter::loop() {
    using Clock = std::chrono::steady_clock;
    std::unique_lock<std::mutex> lock(mutex_);
    auto nextCommit = Clock::now() + options_.interval;
    auto nextHeartbeat = Clock::now();
    for (;;) {
        // Commit what is queued every `interval` (or at once when asked); touch kept-alive runs every
        // `heartbeat` in between, without committing events any earlier for it.
        const auto until =
            keptAlive_.empty() ? nextCommit : std::min(nextCommit, std::max(nextHeartbeat, Clock::now()));
        const size_t seenAlive = keptAlive_.size();
        const bool woken = wake_.wait_until(lock, until, [&] {
            return stop_ || keptAlive_.size() > seenAlive ||
                   (!queue_.empty() && (urgent_ > 0 || queue_.size() >= options_.batchSize));
        });
        const auto now = Clock::now();
        if (!keptAlive_.empty() && now >= nextHeartbeat) {
            const std::map<std::int64_t, int> runs = keptAlive_;
            nextHeartbeat = now + options_.heartbeat;
            lock.unlock();
            touchKeptAlive(runs);
            lock.lock();
        }
        const bool commitNow =
            stop_ || now >= nextCommit ||
            (woken && !queue_.empty() && (urgent_ > 0 || queue_.size() >= options_.batchSize));
        if (!commitNow) continue;
        nextCommit = now + options_.interval;
        if (queue_.empty()) {
            if (stop_) return;
            continue;
        }
        std::deque<Item> items;
        items.swap(queue_);
        lock.unlock();
        process(items);
        lock.lock();
        processed_ += items.size();
        drained_.notify_all();
    }
}

void EventWriter::process(std::deque<Item>& items) {
    std::size_t i = 0;
    while (i < items.size()) {
        if (items[i].job) {
            items[i].job(db_);
            ++i;
            continue;
        }
        std::size_t end = i;
        while (end < items.size() && !items[end].job)
            ++end;
        commitEvents(items, i, end);
        i = end;
    }
}

void EventWriter::commitEvents(std::deque<Item>& items, std::size_t begin, std::size_t end) {
    std::uint64_t written = 0, refused = 0;
    std::string error;
    try {
        batch_->begin.run();
        for (std::size_t i = begin; i < end; ++i) {
            try {
                batch_->write(items[i].event);
                ++written;
            } catch (const std::exception& e) {
                // One bad event (say, for a run that does not exist) must not lose the others.
                ++refused;
                error = "event \"" + items[i].event.type + "\" of run " +
                        std::to_string(items[i].event.runId) + " refused: " + e.what();
            }
        }
        batch_->touchRuns(wallClockMs());
        batch_->commit.run();
    } catch (const std::exception& e) {
        // The whole batch is lost (disk full, I/O error): roll back and report, keep serving.
        rollback();
        batch_->forget();
        refused = end - begin;
        written = 0;
        error = "a batch of " + std::to_string(end - begin) + " events was not committed: " + e.what();
    }
    if (!error.empty()) recordError(error);
    std::lock_guard<std::mutex> lock(mutex_);
    stats_.committed += written;
    stats_.failed += refused;
    if (written > 0) ++stats_.transactions;
}

} // namespace automoe
