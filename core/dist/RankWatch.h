// Which rank of a group stopped responding. Every rank beats in the group's TCPStore (a counter per rank,
// and what it is doing: "update 5") from its own thread and its own store connection, once per interval,
// and reads the other ranks' beats; a counter that has not moved for the timeout, on this rank's own clock,
// belongs to a rank that is gone or hung (killed, stopped by SIGSTOP, its machine lost). The collective
// operations (ProcessGroupCollective) wait in slices and ask between them, so a waiting rank fails naming
// the rank and the step instead of waiting out the transport's timeout; after a transport error (a rank
// that died closes its connections at once) they ask which rank's beats stopped.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>

namespace automoe {

class RankWatch {
public:
    struct Options {
        std::chrono::milliseconds interval{1000}; // between beats (and reads of the others' beats)
        std::chrono::milliseconds timeout{60000}; // a rank silent this long stopped responding
    };

    // Connects to the store rank 0 serves at host:port (a connection of its own) and starts beating.
    RankWatch(const std::string& host, int port, int rank, int worldSize, Options options);
    ~RankWatch();
    RankWatch(const RankWatch&) = delete;
    RankWatch& operator=(const RankWatch&) = delete;

    // What this rank is doing, as the others name it ("update 5"); published with the next beat.
    void setProgress(const std::string& what);

    // "rank R stopped responding at update S (last heartbeat N s ago)" for a rank silent longer than the
    // timeout (rank 0 also when its store stops answering); nullopt while every rank beats. S is `at` (the
    // step the caller waits in: ranks in lockstep stop in the same one), else what rank R last published
    // (up to an interval old).
    std::optional<std::string> unresponsive(const std::string& at = {}) const;

    // After a transport failure: waits at most `grace` for a rank whose beats have stopped for three
    // intervals (a rank that died fails the transport before it is silent for the timeout) and names it.
    std::optional<std::string> culprit(std::chrono::milliseconds grace, const std::string& at = {}) const;

    const Options& options() const { return options_; }

private:
    struct State;
    static void beat(const std::shared_ptr<State>& s);
    std::shared_ptr<State> state_; // shared with the beating thread, which may outlive this (see ~RankWatch)
    Options options_;
    std::thread thread_;
};

} // namespace automoe
