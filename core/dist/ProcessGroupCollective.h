// The ranks of a multi-process run find each other here: the launch convention (torchrun's and Slurm's
// environment variables, or the same as flags), the rendezvous through c10d's TCPStore on the master, the
// check that every rank was started with rank 0's configuration, and the Collective data parallelism uses,
// on c10d's ProcessGroupGloo (CPU). The backend is a name so that a CUDA build of LibTorch can add NCCL
// behind the same interface; this build has Gloo only.
#pragma once

#include "train/DataParallel.h"

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace automoe {

struct LaunchEnv {
    int worldSize = 1;
    int rank = 0;
    int localRank = 0;
    int localWorldSize = 0; // ranks on this machine (LOCAL_WORLD_SIZE, set by `automoe launch`); 0 = unknown
    std::string masterAddr = "127.0.0.1";
    int masterPort = 29500;
    std::string backend = "gloo";

    // WORLD_SIZE, RANK, LOCAL_RANK, MASTER_ADDR and MASTER_PORT, each when set (Slurm's SLURM_NTASKS,
    // SLURM_PROCID and SLURM_LOCALID when the former are not). Throws std::invalid_argument naming the
    // variable and its value when one is not a number in range.
    static LaunchEnv fromEnvironment();
    // "HOST:PORT" into masterAddr and masterPort; throws std::invalid_argument quoting `master`.
    void setMaster(const std::string& master);
    // Intra-op threads for a rank that was given none: the machine's cores shared by its local ranks (all of
    // them when localWorldSize is unknown), at least 1.
    int defaultThreads() const;
    // Throws std::invalid_argument naming the field (world size < 1, rank outside [0, world size), a port
    // outside 1..65535, a backend other than gloo).
    void validate() const;
};

// Which leaves of two configurations differ, as "path: A vs B" (the first `limit` of them).
std::vector<std::string> configDifferences(const nlohmann::json& mine, const nlohmann::json& rank0,
                                           size_t limit = 4);

class ProcessGroupCollective : public Collective {
public:
    // Joins the group of env.worldSize ranks: rank 0 serves the TCPStore on env.masterPort (and must be
    // reachable at env.masterAddr), every rank publishes `config` there and ranks other than 0 compare
    // theirs with rank 0's. A rank whose configuration differs is refused: it, and rank 0, throw
    // std::runtime_error "rank R refused at rendezvous: its configuration differs from rank 0's: ..."
    // naming the differing fields. `timeout` bounds the rendezvous and every later collective operation.
    // Every rank then beats in the store (dist/RankWatch.h): a collective operation waiting for a rank that
    // has been silent for `peerTimeout` (hung, stopped) or that died fails with std::runtime_error "rank R
    // stopped responding at update S (last heartbeat N s ago)", and the group is unusable after it.
    static constexpr std::chrono::seconds kDefaultPeerTimeout{60};
    static std::shared_ptr<ProcessGroupCollective>
    join(const LaunchEnv& env, const nlohmann::json& config, std::chrono::milliseconds timeout,
         std::chrono::milliseconds peerTimeout = kDefaultPeerTimeout);
    ~ProcessGroupCollective() override;

    int rank() const override { return rank_; }
    int worldSize() const override { return worldSize_; }
    void allreduceSum(std::vector<torch::Tensor>& tensors) override;
    void broadcast(std::vector<torch::Tensor>& tensors, int root) override;
    void setProgress(const std::string& what) override;

    // A value every rank can read from the store (e.g. rank 0's "data" once its vocabulary is written).
    void publish(const std::string& key, const std::string& value);
    // Waits for `key` (at most `timeout`) and returns its value.
    std::string awaitValue(const std::string& key, std::chrono::milliseconds timeout);

private:
    struct Impl;
    explicit ProcessGroupCollective(std::unique_ptr<Impl> impl, int rank, int worldSize);
    // Waits for the operations, checking between slices that every rank still beats; on a failure names
    // the rank that stopped responding when the watch knows it, and gives the group up.
    template <class Works> void waitAll(Works& works);
    [[noreturn]] void fail(const std::string& message);
    std::unique_ptr<Impl> impl_;
    int rank_ = 0, worldSize_ = 1;
};

} // namespace automoe
