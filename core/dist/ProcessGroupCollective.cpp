#include "dist/ProcessGroupCollective.h"

#include "dist/RankWatch.h"

#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <stdexcept>
#include <thread>

namespace automoe {

namespace {

int envInt(const char* name, const char* fallback, int current, int min, int max) {
    const char* value = std::getenv(name);
    const char* used = name;
    if (!value && fallback) {
        value = std::getenv(fallback);
        used = fallback;
    }
    if (!value || !*value) return current;
    char* end = nullptr;
    const long v = std::strtol(value, &end, 10);
    if (*end != '\0' || v < min || v > max)
        throw std::invalid_argument(std::string(used) + "=" + value + ": expected a whole number from " +
                                    std::to_string(min) + " to " + std::to_string(max));
    return int(v);
}

std::vector<uint8_t> bytes(const std::string& s) {
    return {s.begin(), s.end()};
}

std::string text(const std::vector<uint8_t>& b) {
    return {b.begin(), b.end()};
}

bool isLoopback(const std::string& host) {
    return host == "localhost" || host.rfind("127.", 0) == 0 || host == "::1";
}

void differences(const nlohmann::json& a, const nlohmann::json& b, const std::string& path,
                 std::vector<std::string>& out, size_t limit) {
    if (out.size() >= limit || a == b) return;
    if (a.is_object() && b.is_object()) {
        for (const auto& [key, value] : a.items())
            differences(value, b.contains(key) ? b[key] : nlohmann::json(),
                        path.empty() ? key : path + "." + key, out, limit);
        for (const auto& [key, value] : b.items())
            if (!a.contains(key))
                differences(nlohmann::json(), value, path.empty() ? key : path + "." + key, out, limit);
        return;
    }
    auto shown = [](const nlohmann::json& j) {
        std::string s = j.is_null() ? "(missing)" : j.dump();
        return s.size() > 40 ? s.substr(0, 37) + "..." : s;
    };
    out.push_back((path.empty() ? "(configuration)" : path) + ": " + shown(a) + " vs " + shown(b));
}

} // namespace

LaunchEnv LaunchEnv::fromEnvironment() {
    LaunchEnv e;
    e.worldSize = envInt("WORLD_SIZE", "SLURM_NTASKS", e.worldSize, 1, 1 << 20);
    e.rank = envInt("RANK", "SLURM_PROCID", e.rank, 0, (1 << 20) - 1);
    e.localRank = envInt("LOCAL_RANK", "SLURM_LOCALID", e.localRank, 0, (1 << 20) - 1);
    if (const char* addr = std::getenv("MASTER_ADDR"); addr && *addr) e.masterAddr = addr;
    e.masterPort = envInt("MASTER_PORT", nullptr, e.masterPort, 1, 65535);
    e.localWorldSize = envInt("LOCAL_WORLD_SIZE", nullptr, e.localWorldSize, 0, 1 << 20);
    return e;
}

int LaunchEnv::defaultThreads() const {
    const int cores = int(std::max(1u, std::thread::hardware_concurrency()));
    return localWorldSize > 0 ? std::max(1, cores / localWorldSize) : cores;
}

void LaunchEnv::setMaster(const std::string& master) {
    const auto colon = master.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == master.size())
        throw std::invalid_argument("--master " + master + ": expected HOST:PORT");
    const std::string port = master.substr(colon + 1);
    char* end = nullptr;
    const long p = std::strtol(port.c_str(), &end, 10);
    if (*end != '\0' || p < 1 || p > 65535)
        throw std::invalid_argument("--master " + master + ": the port must be a number from 1 to 65535");
    masterAddr = master.substr(0, colon);
    masterPort = int(p);
}

void LaunchEnv::validate() const {
    if (worldSize < 1)
        throw std::invalid_argument("world size " + std::to_string(worldSize) + ": at least 1");
    if (rank < 0 || rank >= worldSize)
        throw std::invalid_argument("rank " + std::to_string(rank) + " is outside 0.." +
                                    std::to_string(worldSize - 1) + " (world size " +
                                    std::to_string(worldSize) + ")");
    if (masterPort < 1 || masterPort > 65535)
        throw std::invalid_argument("master port " + std::to_string(masterPort) + ": expected 1..65535");
    if (backend != "gloo")
        throw std::invalid_argument("backend " + backend +
                                    ": this build has gloo only (nccl needs a CUDA build of LibTorch)");
}

std::vector<std::string> configDifferences(const nlohmann::json& mine, const nlohmann::json& rank0,
                                           size_t limit) {
    std::vector<std::string> out;
    differences(mine, rank0, "", out, limit);
    return out;
}

struct ProcessGroupCollective::Impl {
    c10::intrusive_ptr<c10d::TCPStore> store;
    c10::intrusive_ptr<c10d::ProcessGroupGloo> group;
    std::unique_ptr<RankWatch> watch;
    std::string progress; // what this rank is doing, for a failure's message
    bool failed = false;
};

ProcessGroupCollective::ProcessGroupCollective(std::unique_ptr<Impl> impl, int rank, int worldSize)
    : impl_(std::move(impl))
    , rank_(rank)
    , worldSize_(worldSize) {}

std::shared_ptr<ProcessGroupCollective> ProcessGroupCollective::join(const LaunchEnv& env,
                                                                     const nlohmann::json& config,
                                                                     std::chrono::milliseconds timeout,
                                                                     std::chrono::milliseconds peerTimeout) {
    env.validate();
    // A peer that died must fail this rank's next write to it with EPIPE, not end this process with
    // SIGPIPE (Gloo writes to its sockets without MSG_NOSIGNAL; Python, c10d's usual host, ignores it too).
    std::signal(SIGPIPE, SIG_IGN);
    auto impl = std::make_unique<Impl>();
    c10d::TCPStoreOptions so;
    so.port = std::uint16_t(env.masterPort);
    so.isServer = env.rank == 0;
    so.numWorkers = std::size_t(env.worldSize);
    so.waitWorkers = false;
    so.timeout = timeout;
    try {
        impl->store = c10::make_intrusive<c10d::TCPStore>(env.masterAddr, so);
    } catch (const std::exception& e) {
        throw std::runtime_error("rank " + std::to_string(env.rank) + ": no rendezvous with " +
                                 env.masterAddr + ":" + std::to_string(env.masterPort) + ": " + e.what());
    }
    auto& store = *impl->store;

    // The configuration check: every rank other than 0 compares its configuration with rank 0's and
    // leaves its verdict, which rank 0 reads; a refused rank and rank 0 both fail with the same message.
    const std::string mine = config.dump();
    store.set("config/" + std::to_string(env.rank), bytes(mine));
    auto refusal = [&](int rank, const std::vector<std::string>& diffs) {
        std::string m = "rank " + std::to_string(rank) +
                        " refused at rendezvous: its configuration differs from rank 0's:";
        for (size_t i = 0; i < diffs.size(); ++i)
            m += (i ? "; " : " ") + diffs[i];
        return m;
    };
    if (env.rank != 0) {
        const nlohmann::json rank0 = nlohmann::json::parse(text(store.get("config/0")));
        const auto diffs = configDifferences(config, rank0);
        const std::string verdict = diffs.empty() ? "ok" : refusal(env.rank, diffs);
        store.set("verdict/" + std::to_string(env.rank), bytes(verdict));
        if (!diffs.empty()) throw std::runtime_error(verdict);
    } else {
        for (int r = 1; r < env.worldSize; ++r) {
            const std::string verdict = text(store.get("verdict/" + std::to_string(r)));
            if (verdict != "ok") throw std::runtime_error(verdict);
        }
    }

    auto options = c10d::ProcessGroupGloo::Options::create(timeout);
    if (const char* ifname = std::getenv("GLOO_SOCKET_IFNAME"); ifname && *ifname)
        options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(ifname));
    else if (isLoopback(env.masterAddr))
        options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
    else
        options->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
    options->threads = 2;
    auto prefixed = c10::make_intrusive<c10d::PrefixStore>("gloo", impl->store);
    impl->group = c10::make_intrusive<c10d::ProcessGroupGloo>(prefixed, env.rank, env.worldSize, options);
    // Beats every second (more often for a timeout under 5 s), from the rendezvous on.
    RankWatch::Options watch;
    watch.timeout = peerTimeout;
    watch.interval =
        std::clamp(peerTimeout / 5, std::chrono::milliseconds(100), std::chrono::milliseconds(1000));
    impl->watch = std::make_unique<RankWatch>(env.masterAddr, env.masterPort, env.rank, env.worldSize, watch);
    return std::shared_ptr<ProcessGroupCollective>(
        new ProcessGroupCollective(std::move(impl), env.rank, env.worldSize));
}

ProcessGroupCollective::~ProcessGroupCollective() {
    // A failed group's Gloo threads may still wait on a hung rank until the transport's timeout, and
    // ProcessGroupGloo's destructor joins them: it is left to the end of the process instead.
    if (impl_ && impl_->failed && impl_->group) (void)impl_->group.release();
}

void ProcessGroupCollective::fail(const std::string& message) {
    impl_->failed = true;
    throw std::runtime_error(message);
}

template <class Works> void ProcessGroupCollective::waitAll(Works& works) {
    const auto slice = std::min(std::chrono::milliseconds(500), impl_->watch->options().interval);
    for (auto& w : works) {
        while (true) {
            const bool completed = w->isCompleted();
            try {
                if (!w->wait(completed ? ::kNoTimeout : slice))
                    fail("rank " + std::to_string(rank_) + ": a collective operation was aborted");
                break;
            } catch (const std::exception& e) {
                if (impl_->failed) throw;
                if (!completed) { // the slice ran out (or it ended just now: the next round tells)
                    if (auto m = impl_->watch->unresponsive(impl_->progress)) fail(*m);
                    continue;
                }
                // The operation failed: a rank that died closed its connections, so ask whose beats stopped.
                std::string cause = e.what();
                cause = cause.substr(0, cause.find('\n'));
                if (auto m = impl_->watch->culprit(5 * impl_->watch->options().interval, impl_->progress))
                    fail(*m);
                fail("rank " + std::to_string(rank_) + ": a collective operation failed" +
                     (impl_->progress.empty() ? "" : " at " + impl_->progress) + ": " + cause);
            }
        }
    }
}

void ProcessGroupCollective::setProgress(const std::string& what) {
    impl_->progress = what;
    impl_->watch->setProgress(what);
}

void ProcessGroupCollective::allreduceSum(std::vector<torch::Tensor>& tensors) {
    if (impl_->failed) throw std::runtime_error("rank " + std::to_string(rank_) + ": the group has failed");
    std::vector<c10::intrusive_ptr<c10d::Work>> works;
    works.reserve(tensors.size());
    for (auto& t : tensors) {
        std::vector<at::Tensor> one{t};
        works.push_back(impl_->group->allreduce(one));
    }
    waitAll(works);
}

void ProcessGroupCollective::broadcast(std::vector<torch::Tensor>& tensors, int root) {
    if (impl_->failed) throw std::runtime_error("rank " + std::to_string(rank_) + ": the group has failed");
    c10d::BroadcastOptions o;
    o.rootRank = root;
    std::vector<c10::intrusive_ptr<c10d::Work>> works;
    for (auto& t : tensors) {
        std::vector<at::Tensor> one{t};
        works.push_back(impl_->group->broadcast(one, o));
    }
    waitAll(works);
}

void ProcessGroupCollective::publish(const std::string& key, const std::string& value) {
    impl_->store->set("app/" + key, bytes(value));
}

std::string ProcessGroupCollective::awaitValue(const std::string& key, std::chrono::milliseconds timeout) {
    impl_->store->wait({"app/" + key}, timeout);
    return text(impl_->store->get("app/" + key));
}

} // namespace automoe
