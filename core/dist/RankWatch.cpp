#include "dist/RankWatch.h"

#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <vector>

namespace automoe {

namespace {

using Clock = std::chrono::steady_clock;

std::string key(const char* what, int rank) {
    return std::string("watch/") + what + "/" + std::to_string(rank);
}

std::string firstLine(const std::string& s) {
    const auto nl = s.find('\n');
    return nl == std::string::npos ? s : s.substr(0, nl);
}

std::string seconds(Clock::duration d) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f", std::chrono::duration<double>(d).count());
    return buf;
}

} // namespace

struct RankWatch::State {
    std::string host;
    int port = 0, rank = 0, world = 1;
    Options options;

    std::mutex mutex;
    std::condition_variable wake;     // the beating thread: stop
    std::condition_variable observed; // culprit(): a round of beats was read; ~RankWatch: the thread ended
    struct Peer {
        int64_t beats = -1;
        Clock::time_point changed; // when this rank saw the counter move (its own clock)
        std::string at;            // what the rank last said it was doing
    };
    std::vector<Peer> peers;
    Clock::time_point lastContact; // the last round that reached the store
    std::string storeError;        // the store connection failed (rank 0, its host, is gone)
    std::string progress;
    bool stop = false, finished = false;

    // The message naming rank r, or nullopt (call with the mutex held).
    std::optional<std::string> silent(Clock::duration threshold, Clock::time_point now,
                                      const std::string& at) const {
        if (rank != 0 && (!storeError.empty() || now - lastContact > options.timeout)) {
            std::string m = "rank 0 stopped responding";
            if (const std::string& where = at.empty() ? peers[0].at : at; !where.empty()) m += " at " + where;
            m += storeError.empty() ? " (its store has not answered for " + seconds(now - lastContact) + " s)"
                                    : " (its store is gone: " + storeError + ")";
            return m;
        }
        for (int r = 0; r < world; ++r) {
            if (r == rank || lastContact - peers[size_t(r)].changed < threshold) continue;
            const Peer& p = peers[size_t(r)];
            std::string m = "rank " + std::to_string(r) + " stopped responding";
            if (const std::string& where = at.empty() ? p.at : at; !where.empty()) m += " at " + where;
            m += p.beats < 0 ? " (no heartbeat in " + seconds(now - p.changed) + " s)"
                             : " (last heartbeat " + seconds(now - p.changed) + " s ago)";
            return m;
        }
        return std::nullopt;
    }
};

// The beating thread: its own store connection, so that a store that stops answering blocks it and not
// the rank's collective operations (which then see lastContact grow old).
void RankWatch::beat(const std::shared_ptr<State>& s) {
    try {
        c10d::TCPStoreOptions o;
        o.port = std::uint16_t(s->port);
        o.isServer = false;
        o.waitWorkers = false;
        o.timeout = s->options.timeout;
        c10d::TCPStore store(s->host, o);
        std::string published;
        std::vector<int64_t> beats(size_t(s->world), -1);
        std::vector<std::string> at(size_t(s->world));
        while (true) {
            std::string progress;
            {
                std::lock_guard<std::mutex> lock(s->mutex);
                if (s->stop) break;
                progress = s->progress;
            }
            if (progress != published) {
                store.set(key("at", s->rank), std::vector<uint8_t>(progress.begin(), progress.end()));
                published = progress;
            }
            store.add(key("beat", s->rank), 1);
            for (int r = 0; r < s->world; ++r) {
                if (r == s->rank) continue;
                const int64_t b = store.add(key("beat", r), 0);
                if (b != beats[size_t(r)] && store.check({key("at", r)})) {
                    const auto v = store.get(key("at", r));
                    at[size_t(r)].assign(v.begin(), v.end());
                }
                beats[size_t(r)] = b;
            }
            std::unique_lock<std::mutex> lock(s->mutex);
            const auto now = Clock::now();
            for (int r = 0; r < s->world; ++r) {
                auto& p = s->peers[size_t(r)];
                if (r == s->rank || beats[size_t(r)] == p.beats || beats[size_t(r)] == 0) continue;
                p.beats = beats[size_t(r)];
                p.changed = now;
                p.at = at[size_t(r)];
            }
            s->lastContact = now;
            s->observed.notify_all();
            s->wake.wait_for(lock, s->options.interval, [&] { return s->stop; });
        }
    } catch (const std::exception& e) {
        std::lock_guard<std::mutex> lock(s->mutex);
        s->storeError = firstLine(e.what());
    }
    std::lock_guard<std::mutex> lock(s->mutex);
    s->finished = true;
    s->observed.notify_all();
}

RankWatch::RankWatch(const std::string& host, int port, int rank, int worldSize, Options options)
    : state_(std::make_shared<State>())
    , options_(options) {
    state_->host = host;
    state_->port = port;
    state_->rank = rank;
    state_->world = worldSize;
    state_->options = options;
    state_->peers.resize(size_t(worldSize));
    const auto now = Clock::now();
    for (auto& p : state_->peers)
        p.changed = now;
    state_->lastContact = now;
    thread_ = std::thread([s = state_] { beat(s); });
}

RankWatch::~RankWatch() {
    std::unique_lock<std::mutex> lock(state_->mutex);
    state_->stop = true;
    state_->wake.notify_all();
    // A thread blocked on a store that stopped answering is left behind (it holds its own state).
    if (state_->observed.wait_for(lock, 2 * options_.interval, [&] { return state_->finished; })) {
        lock.unlock();
        thread_.join();
    } else {
        thread_.detach();
    }
}

void RankWatch::setProgress(const std::string& what) {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->progress = what;
}

std::optional<std::string> RankWatch::unresponsive(const std::string& at) const {
    std::lock_guard<std::mutex> lock(state_->mutex);
    return state_->silent(options_.timeout, Clock::now(), at);
}

std::optional<std::string> RankWatch::culprit(std::chrono::milliseconds grace, const std::string& at) const {
    const auto deadline = Clock::now() + grace;
    std::unique_lock<std::mutex> lock(state_->mutex);
    while (true) {
        if (auto m = state_->silent(3 * options_.interval, Clock::now(), at)) return m;
        if (Clock::now() >= deadline || state_->finished) return std::nullopt;
        state_->observed.wait_until(lock, std::min(deadline, Clock::now() + options_.interval));
    }
}

} // namespace automoe
