#include "train/Trainer.h"

#include "nn/ProfileScope.h"
#include "nn/TorchArchive.h"
#include "nn/TorchRuntime.h"
#include "space/ArchitectureIO.h"
#include "train/FusedAdam.h"
#include "train/LabelSmoothedLoss.h"
#include "util/CheckpointHeader.h"

#include <array>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace automoe {

namespace {

constexpr int kCheckpointFormat = 1; // of the trainer state inside the archive

void fsyncPath(const std::string& path, bool directory) {
    const int fd = ::open(path.c_str(), directory ? O_RDONLY | O_DIRECTORY : O_RDONLY);
    if (fd < 0) return;
    ::fsync(fd);
    ::close(fd);
}

// An open descriptor closed on scope exit.
struct Fd {
    int fd = -1;
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};

bool writeAll(int fd, const void* data, size_t n, std::uint64_t offset) {
    const auto* p = static_cast<const char*>(data);
    while (n > 0) {
        const ssize_t w = ::pwrite(fd, p, n, off_t(offset));
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            if (w == 0) errno = EIO;
            return false;
        }
        p += w;
        n -= size_t(w);
        offset += std::uint64_t(w);
    }
    return true;
}

bool readAll(int fd, void* data, size_t n, std::uint64_t offset) {
    auto* p = static_cast<char*>(data);
    while (n > 0) {
        const ssize_t r = ::pread(fd, p, n, off_t(offset));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return false;
        p += r;
        n -= size_t(r);
        offset += std::uint64_t(r);
    }
    return true;
}

// Writes the header and `archive` to `tmp`, fsynced. Throws std::runtime_error naming `path` (the file it
// is written for) and the system's reason.
void writeCheckpointBytes(torch::serialize::OutputArchive& archive, const std::string& tmp,
                          const std::string& path) {
    auto fail = [&](int err) {
        throw std::runtime_error("checkpoint " + path + " could not be written: " + std::strerror(err));
    };
    Fd f;
    f.fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (f.fd < 0) fail(errno);
    std::uint32_t crc = 0;
    std::uint64_t size = 0;
    int writeErrno = 0;
    try {
        // A failed write is remembered and the rest skipped, but never reported to LibTorch: its stream
        // writer would throw again from its destructor, which terminates the process.
        archive.save_to([&](const void* data, size_t n) -> size_t {
            if (writeErrno != 0) return n;
            if (!writeAll(f.fd, data, n, kCheckpointHeaderSize + size)) {
                writeErrno = errno;
                return n;
            }
            crc = crc32Update(crc, data, n);
            size += n;
            return n;
        });
    } catch (const c10::Error& e) {
        if (writeErrno != 0) fail(writeErrno);
        throw std::runtime_error("checkpoint " + path +
                                 " could not be written: " + e.what_without_backtrace());
    }
    if (writeErrno != 0) fail(writeErrno);
    unsigned char header[kCheckpointHeaderSize];
    writeCheckpointHeader(header, crc, size);
    if (!writeAll(f.fd, header, kCheckpointHeaderSize, 0)) fail(errno);
    if (::fsync(f.fd) != 0) fail(errno);
    const int fd = f.fd;
    f.fd = -1;
    if (::close(fd) != 0) fail(errno);
}

// Checks the header and checksum of the checkpoint at `path`; returns the archive's offset and size (0 and
// the file size for a format-1 file). Throws CheckpointDamaged naming the file.
std::pair<std::uint64_t, std::uint64_t> checkedArchive(const std::string& path) {
    auto damaged = [&](const std::string& why) { throw CheckpointDamaged("checkpoint " + path + " " + why); };
    Fd f;
    f.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (f.fd < 0) {
        if (errno == ENOENT) damaged("does not exist");
        damaged(std::string("cannot be read: ") + std::strerror(errno));
    }
    struct stat st {};
    if (::fstat(f.fd, &st) != 0) damaged(std::string("cannot be read: ") + std::strerror(errno));
    const auto fileSize = std::uint64_t(st.st_size);
    // The header's checks are util/CheckpointHeader's (fuzzed there); the CRC is computed here, streaming.
    unsigned char head[kCheckpointHeaderSize] = {};
    const size_t headBytes = size_t(std::min<std::uint64_t>(fileSize, kCheckpointHeaderSize));
    if (!readAll(f.fd, head, headBytes, 0))
        damaged(std::string("cannot be read: ") + std::strerror(errno ? errno : EIO));
    CheckpointArchiveSpan span;
    try {
        span = checkpointArchiveSpan(head, headBytes, fileSize, path);
    } catch (const CheckpointHeaderError& e) {
        throw CheckpointDamaged(e.what());
    }
    if (!span.hasCrc) return {span.offset, span.size}; // format 1: the bare archive
    const std::uint64_t size = span.size;
    const std::uint32_t expectedCrc = span.crc;
    std::vector<char> buffer(size_t(1) << 20);
    std::uint32_t crc = 0;
    for (std::uint64_t done = 0; done < size;) {
        const size_t n = size_t(std::min<std::uint64_t>(buffer.size(), size - done));
        if (!readAll(f.fd, buffer.data(), n, kCheckpointHeaderSize + done))
            damaged(std::string("cannot be read: ") + std::strerror(errno ? errno : EIO));
        crc = crc32Update(crc, buffer.data(), n);
        done += n;
    }
    if (crc != expectedCrc) {
        char why[96];
        std::snprintf(why, sizeof why, "is damaged: CRC-32 %08x of its bytes, %08x in its header", crc,
                      expectedCrc);
        damaged(why);
    }
    return {span.offset, size};
}

} // namespace

void verifyCheckpointFile(const std::string& path) {
    checkedArchive(path);
}

SubnetSampling subnetSampling(const std::string& name) {
    if (name == "random") return SubnetSampling::Random;
    if (name == "sandwich") return SubnetSampling::Sandwich;
    if (name == "fixed") return SubnetSampling::Fixed;
    throw std::invalid_argument("unknown subnet sampling '" + name +
                                "' (expected random, sandwich or fixed)");
}

const char* toString(SubnetSampling s) {
    switch (s) {
    case SubnetSampling::Random:
        return "random";
    case SubnetSampling::Sandwich:
        return "sandwich";
    case SubnetSampling::Fixed:
        return "fixed";
    }
    return "?";
}

LrScheduleOptions supernetLr() {
    LrScheduleOptions o;
    o.kind = LrScheduleOptions::Kind::InverseSqrt;
    o.peak = 1e-3;
    o.warmupUpdates = 400;
    return o;
}

nlohmann::json TrainerOptions::toJson() const {
    nlohmann::json j = {
        {"max_tokens", maxTokens},
        {"lr",
         {{"schedule", toString(lr.kind)},
          {"peak", lr.peak},
          {"warmup_init", lr.warmupInitLr},
          {"warmup_updates", lr.warmupUpdates},
          {"min", lr.minLr},
          {"total_updates", lr.totalUpdates}}},
        {"adam", {{"beta1", beta1}, {"beta2", beta2}, {"eps", adamEps}, {"weight_decay", weightDecay}}},
        {"clip_norm", clipNorm},
        {"label_smoothing", labelSmoothing},
        {"balance_loss_weight", balanceLossWeight},
        {"sampling", toString(sampling)},
        {"sandwich_random", sandwichRandom},
        {"seed", seed},
        {"validation_sentences", validationSentences}};
    if (fixedArchitecture) j["fixed_architecture"] = architectureToJson(*fixedArchitecture);
    if (dataParallel && dataParallel->worldSize() > 1) j["world_size"] = dataParallel->worldSize();
    return j;
}

TrainingStepRow toStepRow(const UpdateResult& u) {
    TrainingStepRow row;
    row.update = u.update;
    row.loss = u.loss;
    row.nll = u.nll;
    row.lbLoss = u.lbLoss;
    row.lr = u.lr;
    row.tokens = u.tokens;
    row.archKey = u.arch.key();
    row.wallMs = u.wallMs;
    row.ranks = u.ranks;
    return row;
}

TrainerOptions TrainerOptions::fromJson(const nlohmann::json& j) {
    TrainerOptions o;
    o.maxTokens = j.value("max_tokens", o.maxTokens);
    if (j.contains("lr")) {
        const auto& l = j["lr"];
        o.lr.kind = lrScheduleKind(l.value("schedule", std::string(toString(o.lr.kind))));
        o.lr.peak = l.value("peak", o.lr.peak);
        o.lr.warmupInitLr = l.value("warmup_init", o.lr.warmupInitLr);
        o.lr.warmupUpdates = l.value("warmup_updates", o.lr.warmupUpdates);
        o.lr.minLr = l.value("min", o.lr.minLr);
        o.lr.totalUpdates = l.value("total_updates", o.lr.totalUpdates);
    }
    if (j.contains("adam")) {
        const auto& a = j["adam"];
        o.beta1 = a.value("beta1", o.beta1);
        o.beta2 = a.value("beta2", o.beta2);
        o.adamEps = a.value("eps", o.adamEps);
        o.weightDecay = a.value("weight_decay", o.weightDecay);
    }
    o.clipNorm = j.value("clip_norm", o.clipNorm);
    o.labelSmoothing = j.value("label_smoothing", o.labelSmoothing);
    o.balanceLossWeight = j.value("balance_loss_weight", o.balanceLossWeight);
    o.sampling = subnetSampling(j.value("sampling", std::string("random")));
    o.sandwichRandom = j.value("sandwich_random", o.sandwichRandom);
    if (o.sandwichRandom < 0)
        throw std::invalid_argument("trainer.sandwich_random: " + std::to_string(o.sandwichRandom) +
                                    " is negative");
    o.seed = j.value("seed", o.seed);
    o.validationSentences = j.value("validation_sentences", o.validationSentences);
    if (j.contains("fixed_architecture")) o.fixedArchitecture = architectureFromJson(j["fixed_architecture"]);
    return o;
}

Trainer::Trainer(SuperTransformer model, SearchSpace space, const TokenizedSet& train,
                 const TokenizedSet& valid, TrainerOptions options)
    : model_(std::move(model))
    , space_(std::move(space))
    , train_(train)
    , valid_(valid)
    , options_(std::move(options))
    , stream_(train_, options_.maxTokens, options_.seed, options_.ids)
    , rng_(options_.seed) {
    if (options_.ids.pad != model_->config().padIndex)
        throw std::invalid_argument("Trainer: batches are padded with " + std::to_string(options_.ids.pad) +
                                    " but the model's pad index is " +
                                    std::to_string(model_->config().padIndex));
    if (options_.sampling == SubnetSampling::Fixed && !options_.fixedArchitecture)
        throw std::invalid_argument("Trainer: fixed sampling needs an architecture");
    smallest_ = space_.smallest();
    largest_ = space_.largest();
    torch::optim::AdamOptions adam(options_.lr.peak);
    adam.betas({options_.beta1, options_.beta2}).eps(options_.adamEps).weight_decay(options_.weightDecay);
    optimizer_ = std::make_unique<torch::optim::Adam>(model_->parameters(), adam);
    model_->train();
    if (options_.dataParallel) options_.dataParallel->attach(model_->parameters()); // rank 0's weights
}

Architecture Trainer::sampleArchitecture() {
    if (options_.sampling == SubnetSampling::Fixed) return *options_.fixedArchitecture;
    return space_.sampleGenes(rng_);
}

double Trainer::forwardBackward(const Batch& batch, const Architecture& arch, double scale, double& nll,
                                double& lb, int64_t totalTokens) {
    model_->setArchitecture(arch);
    const TransformerOutput out = model_->forwardHidden(batch.src, batch.tgtIn);
    // The output layer runs on the real target positions only.
    auto ls = labelSmoothedCrossEntropyOfHidden(
        out.hidden, [&](const torch::Tensor& h) { return model_->outputLogits(h); }, batch.tgtOut,
        options_.labelSmoothing, model_->config().padIndex);
    const torch::Tensor& balance = out.loadBalancingLoss;
    const double n = double(std::max<int64_t>(totalTokens > 0 ? totalTokens : ls.tokens, 1));
    const double share = totalTokens > 0 ? double(ls.tokens) / n : 1.0; // of a data-parallel update
    auto loss = ls.loss / n + options_.balanceLossWeight * share * balance;
    ProfileScope scope("automoe::backward");
    (loss * scale).backward();
    nll = ls.nll.item<double>() / n;
    lb = share * balance.item<double>();
    return ls.loss.item<double>() / n;
}

UpdateResult Trainer::step() {
    const auto t0 = std::chrono::steady_clock::now();
    UpdateResult r;
    r.update = update_ + 1;
    r.lr = lrAt(options_.lr, r.update);

    std::optional<ProfileScope> dataScope(std::in_place, "automoe::data");
    Batch batch = stream_.next();
    dataScope.reset();
    r.tokens = batch.sourceTokens + batch.targetTokens;
    r.targetTokens = batch.targetTokens;
    r.arch = sampleArchitecture();

    // The sandwich rule (as in the MoS and BigNAS training): largest, smallest and n random subnets.
    std::vector<Architecture> subnets;
    if (options_.sampling == SubnetSampling::Sandwich) {
        subnets = {largest_, smallest_};
        if (options_.sandwichRandom > 0)
            subnets.push_back(r.arch);
        else
            r.arch = largest_; // the step's recorded subnet is one that was trained
        for (int i = 1; i < options_.sandwichRandom; ++i)
            subnets.push_back(sampleArchitecture());
    } else {
        subnets = {r.arch};
    }

    model_->train();
    {
        ProfileScope scope("automoe::optimizer");
        for (auto& p : model_->parameters())
            p.mutable_grad().reset();
    }
    // Data-parallel: this rank's shard of the batch (train/DataParallel.h), none when B < W leaves it empty.
    const auto& dp = options_.dataParallel;
    std::optional<Batch> shard;
    if (dp) {
        dp->setUpdate(r.update); // named if a rank stops responding (dist/RankWatch.h)
        const auto rows = shardRows(batch, dp->rank(), dp->worldSize());
        if (!rows.empty()) shard = makeBatch(train_, rows, options_.ids);
    }
    const double scale = 1.0 / double(subnets.size());
    for (const auto& arch : subnets) {
        if (dp && !shard) break;
        double nll = 0, lb = 0;
        r.loss +=
            scale * forwardBackward(dp ? *shard : batch, arch, scale, nll, lb, dp ? batch.targetTokens : 0);
        r.nll += scale * nll;
        r.lbLoss += scale * lb;
    }
    if (dp) {
        DataParallel::Figures f{r.loss, r.nll, r.lbLoss};
        f.share.tokens = shard ? shard->sourceTokens + shard->targetTokens : 0;
        f.share.busyMs =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        dp->reduce(model_->parameters(), f); // throws PeersStopped when rank 0 has stopped
        r.loss = f.loss;
        r.nll = f.nll;
        r.lbLoss = f.lb;
        r.ranks = std::move(f.ranks);
    }
    ProfileScope optimizerScope("automoe::optimizer");
    std::vector<torch::Tensor> withGrad;
    for (auto& p : model_->parameters())
        if (p.grad().defined()) withGrad.push_back(p);
    // Clipping's coefficient is applied as Adam reads the gradients (one pass instead of a rewrite).
    r.gradNorm = clippedAdamStep(*optimizer_, withGrad, r.lr, options_.clipNorm);
    update_ = r.update;
    r.position = stream_.position();
    r.wallMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    return r;
}

ValidationResult Trainer::validate(const Architecture& arch, bool withRouting) {
    ValidationResult v;
    if (valid_.size() == 0) return v;
    const bool wasTraining = model_->is_training();
    model_->eval();
    torch::NoGradGuard noGrad;
    model_->setArchitecture(arch);
    model_->setTracing(withRouting);
    TokenizedSet subset;
    const size_t n = options_.validationSentences > 0
                         ? std::min(valid_.size(), size_t(options_.validationSentences))
                         : valid_.size();
    subset.source.assign(valid_.source.begin(), valid_.source.begin() + int64_t(n));
    subset.target.assign(valid_.target.begin(), valid_.target.begin() + int64_t(n));
    double nllSum = 0;
    for (const auto& rows : planBatches(subset, options_.maxTokens, 0, false)) {
        Batch b = makeBatch(subset, rows, options_.ids);
        const TransformerOutput out = model_->forwardHidden(b.src, b.tgtIn);
        auto ls = labelSmoothedCrossEntropyOfHidden(
            out.hidden, [&](const torch::Tensor& h) { return model_->outputLogits(h); }, b.tgtOut, 0.0,
            model_->config().padIndex);
        nllSum += ls.nll.item<double>();
        v.targetTokens += ls.tokens;
        v.sentences += b.size();
    }
    v.nll = nllSum / double(std::max<int64_t>(v.targetTokens, 1));
    if (withRouting) {
        const RoutingProfile profile = model_->trace().profile(arch);
        RoutingSnapshot snap;
        snap.update = update_;
        auto add = [&](const char* stack, const std::vector<std::vector<double>>& layers,
                       const StackGene& g) {
            for (size_t l = 0; l < layers.size(); ++l) {
                if (layers[l].size() < 2) continue; // dense layer: nothing to balance
                const double k = std::max(1, g.layers[l].topK);
                for (size_t e = 0; e < layers[l].size(); ++e)
                    snap.rows.push_back({stack, int(l), int(e), layers[l][e] / k});
            }
        };
        add("encoder", profile.encoder, arch.encoder);
        add("decoder", profile.decoder, arch.decoder);
        v.routing = std::move(snap);
        model_->setTracing(false);
        model_->clearTrace();
    }
    if (wasTraining) model_->train();
    return v;
}

int64_t Trainer::saveCheckpoint(const std::string& path, const nlohmann::json& meta) const {
    torch::serialize::OutputArchive archive;
    model_->save(archive);
    torch::serialize::OutputArchive opt;
    optimizer_->save(opt);
    archive.write("optimizer", opt);
    std::ostringstream rng;
    rng << rng_;
    nlohmann::json state = {{"format", kCheckpointFormat},
                            {"update", update_},
                            {"epoch", stream_.position().epoch},
                            {"batch", stream_.position().batch},
                            {"sampler_rng", rng.str()},
                            {"options", options_.toJson()},
                            {"meta", meta}};
    writeArchiveText(archive, "trainer_state", state.dump());
    archive.write("torch_rng", cpuGeneratorState());
    return writeCheckpointFile(archive, path);
}

int64_t writeCheckpointFile(torch::serialize::OutputArchive& archive, const std::string& path) {
    namespace fs = std::filesystem;
    const fs::path target(path);
    if (target.has_parent_path()) fs::create_directories(target.parent_path());
    const std::string tmp = path + ".tmp";
    try {
        writeCheckpointBytes(archive, tmp, path);
    } catch (...) {
        std::error_code ec;
        fs::remove(tmp, ec); // what a full disk let through is of no use, and takes space
        throw;
    }
    std::error_code renamed;
    fs::rename(tmp, target, renamed);
    if (renamed)
        throw std::runtime_error("checkpoint " + path + " could not be written: " + renamed.message());
    if (target.has_parent_path()) fsyncPath(target.parent_path().string(), true);
    return int64_t(fs::file_size(target));
}

namespace {

nlohmann::json readState(torch::serialize::InputArchive& archive, const std::string& path) {
    nlohmann::json state =
        nlohmann::json::parse(readArchiveText(archive, "trainer_state", "checkpoint " + path));
    if (state.value("format", 0) != kCheckpointFormat)
        throw std::runtime_error("checkpoint " + path + ": unsupported format " +
                                 state.value("format", nlohmann::json()).dump());
    return state;
}

torch::serialize::InputArchive openArchive(const std::string& path) {
    const auto [offset, size] = checkedArchive(path);
    auto file = std::make_shared<Fd>();
    file->fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (file->fd < 0)
        throw CheckpointDamaged("checkpoint " + path + " cannot be read: " + std::strerror(errno));
    torch::serialize::InputArchive archive;
    try {
        archive.load_from(
            [file, offset = offset, size = size](std::uint64_t pos, void* buf, size_t n) -> size_t {
                if (pos >= size) return 0;
                n = size_t(std::min<std::uint64_t>(n, size - pos));
                return readAll(file->fd, buf, n, offset + pos) ? n : 0;
            },
            [size = size] { return size_t(size); });
    } catch (const c10::Error& e) {
        throw CheckpointDamaged("checkpoint " + path +
                                " is truncated or not a checkpoint: " + e.what_without_backtrace());
    }
    return archive;
}

template <class F> auto rethrowNamed(const std::string& path, F&& f) -> decltype(f()) {
    try {
        return f();
    } catch (const c10::Error& e) {
        throw std::runtime_error("checkpoint " + path +
                                 " does not fit this model: " + e.what_without_backtrace());
    } catch (const nlohmann::json::exception& e) {
        throw std::runtime_error("checkpoint " + path + ": bad trainer state: " + e.what());
    }
}

} // namespace

torch::serialize::InputArchive openCheckpointFile(const std::string& path) {
    return openArchive(path);
}

nlohmann::json Trainer::loadCheckpoint(const std::string& path) {
    auto archive = openArchive(path);
    return rethrowNamed(path, [&] {
        nlohmann::json state = readState(archive, path);
        model_->load(archive);
        torch::serialize::InputArchive opt;
        archive.read("optimizer", opt);
        optimizer_->load(opt);
        std::istringstream rng(state.at("sampler_rng").get<std::string>());
        rng >> rng_;
        torch::Tensor genState;
        archive.read("torch_rng", genState);
        setCpuGeneratorState(genState);
        update_ = state.at("update").get<int64_t>();
        stream_.seek({state.at("epoch").get<int64_t>(), state.at("batch").get<int64_t>()});
        return state.value("meta", nlohmann::json::object());
    });
}

nlohmann::json Trainer::loadWeights(const std::string& path, SuperTransformer& model) {
    auto archive = openArchive(path);
    return rethrowNamed(path, [&] {
        nlohmann::json state = readState(archive, path);
        model->load(archive);
        return state.value("meta", nlohmann::json::object());
    });
}

} // namespace automoe
