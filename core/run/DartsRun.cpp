#include "run/DartsRun.h"

#include "eval/Translation.h"
#include "nn/DartsSearchNetwork.h"
#include "nn/DartsTransformer.h"
#include "nn/TorchArchive.h"
#include "nn/TorchRuntime.h"
#include "run/CheckpointFallback.h"
#include "run/RunStages.h"
#include "run/TrainingRun.h"
#include "store/RunFiles.h"
#include "train/DartsStep.h"
#include "train/FusedAdam.h"
#include "train/LabelSmoothedLoss.h"
#include "train/Trainer.h"
#include "util/JsonField.h"

#include <chrono>
#include <filesystem>
#include <spdlog/spdlog.h>

namespace automoe {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

constexpr int kCheckpointFormat = 1;

json lrJson(const LrScheduleOptions& lr) {
    return {{"schedule", toString(lr.kind)},      {"peak", lr.peak}, {"warmup_init", lr.warmupInitLr},
            {"warmup_updates", lr.warmupUpdates}, {"min", lr.minLr}, {"total_updates", lr.totalUpdates}};
}

LrScheduleOptions lrFromJson(const json& l, LrScheduleOptions o) {
    const JsonFields f = JsonFields::at("config.lr");
    o.kind = lrScheduleKind(f.get(l, "schedule", std::string(toString(o.kind))));
    o.peak = f.get(l, "peak", o.peak);
    o.warmupInitLr = f.get(l, "warmup_init", o.warmupInitLr);
    o.warmupUpdates = f.get(l, "warmup_updates", o.warmupUpdates);
    o.minLr = f.get(l, "min", o.minLr);
    o.totalUpdates = f.get(l, "total_updates", o.totalUpdates);
    return o;
}

// Sentences of `set` at even (half 0) or odd (half 1) positions.
TokenizedSet half(const TokenizedSet& set, int which) {
    TokenizedSet out;
    for (size_t i = size_t(which); i < set.size(); i += 2) {
        out.source.push_back(set.source[i]);
        out.target.push_back(set.target[i]);
    }
    return out;
}

TokenizedSet firstSentences(const TokenizedSet& set, int64_t n) {
    if (n <= 0 || size_t(n) >= set.size()) return set;
    TokenizedSet out;
    out.source.assign(set.source.begin(), set.source.begin() + n);
    out.target.assign(set.target.begin(), set.target.begin() + n);
    return out;
}

// The label-smoothed loss of a batch, divided by its target tokens.
template <class Model> SmoothedLoss batchLoss(Model& model, const Batch& b, double epsilon, int64_t pad) {
    const auto hidden = model->forwardHidden(b.src, b.tgtIn);
    return labelSmoothedCrossEntropyOfHidden(
        hidden, [&](const torch::Tensor& h) { return model->outputLogits(h); }, b.tgtOut, epsilon, pad);
}

// Validation NLL per target token over `valid`.
template <class Model> double validationNll(Model& model, const TokenizedSet& valid, int64_t maxTokens) {
    if (valid.size() == 0) return 0;
    const bool wasTraining = model->is_training();
    model->eval();
    torch::NoGradGuard noGrad;
    double nll = 0;
    int64_t tokens = 0;
    for (const auto& rows : planBatches(valid, maxTokens, 0, false)) {
        const Batch b = makeBatch(valid, rows);
        const SmoothedLoss l = batchLoss(model, b, 0.0, Vocabulary::kPadId);
        nll += l.nll.item<double>();
        tokens += l.tokens;
    }
    model->train(wasTraining);
    return nll / double(std::max<int64_t>(tokens, 1));
}

} // namespace

json DartsRunConfig::toJson() const {
    json j = {{"name", name},
              {"kind", kind},
              {"space_source", spaceSource},
              {"darts_space", json::parse(dartsSpaceToJson(space))},
              {"hidden", hidden},
              {"heads", heads},
              {"splits", splits},
              {"encoder_layers", encoderLayers},
              {"decoder_layers", decoderLayers},
              {"reversible", reversible},
              {"alpha_lr", alphaLr},
              {"alpha_weight_decay", alphaWeightDecay},
              {"alpha_warmup", alphaWarmup},
              {"dropout", dropout},
              {"max_tokens", maxTokens},
              {"lr", lrJson(lr)},
              {"clip_norm", clipNorm},
              {"label_smoothing", labelSmoothing},
              {"seed", seed},
              {"max_updates", maxUpdates},
              {"max_minutes", maxMinutes},
              {"validate_every", validateEvery},
              {"validation_sentences", validationSentences},
              {"checkpoint_every", checkpointEvery},
              {"keep_checkpoints", keepCheckpoints},
              {"test_sentences", testSentences},
              {"parent_run", parentRun}};
    if (architecture) j["architecture"] = dartsArchitectureToJson(*architecture);
    writeDataSettings(j, corpus, reverse, split, vocabulary, tokenize);
    return j;
}

DartsRunConfig DartsRunConfig::fromJson(const json& j) {
    DartsRunConfig c;
    const JsonFields f = JsonFields::at("config");
    c.name = f.get(j, "name", c.name);
    c.kind = f.get(j, "kind", c.kind);
    if (c.kind != "darts" && c.kind != "darts_retrain")
        throw std::invalid_argument("config.kind: expected darts or darts_retrain, got " + c.kind);
    c.spaceSource = f.get(j, "space_source", c.spaceSource);
    if (j.contains("darts_space")) c.space = parseDartsSpace(j["darts_space"].dump(), "config.darts_space");
    c.hidden = f.get(j, "hidden", c.hidden);
    c.heads = f.get(j, "heads", c.heads);
    c.splits = f.get(j, "splits", c.splits);
    c.encoderLayers = f.get(j, "encoder_layers", c.encoderLayers);
    c.decoderLayers = f.get(j, "decoder_layers", c.decoderLayers);
    c.reversible = f.get(j, "reversible", c.reversible);
    c.alphaLr = f.get(j, "alpha_lr", c.alphaLr);
    c.alphaWeightDecay = f.get(j, "alpha_weight_decay", c.alphaWeightDecay);
    c.alphaWarmup = f.get(j, "alpha_warmup", c.alphaWarmup);
    c.dropout = f.get(j, "dropout", c.dropout);
    c.maxTokens = f.get(j, "max_tokens", c.maxTokens);
    if (j.contains("lr")) c.lr = lrFromJson(j["lr"], c.lr);
    c.clipNorm = f.get(j, "clip_norm", c.clipNorm);
    c.labelSmoothing = f.get(j, "label_smoothing", c.labelSmoothing);
    c.seed = f.get(j, "seed", c.seed);
    c.maxUpdates = f.get(j, "max_updates", c.maxUpdates);
    c.maxMinutes = f.get(j, "max_minutes", c.maxMinutes);
    c.validateEvery = f.get(j, "validate_every", c.validateEvery);
    c.validationSentences = f.get(j, "validation_sentences", c.validationSentences);
    c.checkpointEvery = f.get(j, "checkpoint_every", c.checkpointEvery);
    c.keepCheckpoints = f.get(j, "keep_checkpoints", c.keepCheckpoints);
    c.testSentences = f.get(j, "test_sentences", c.testSentences);
    c.parentRun = f.get(j, "parent_run", c.parentRun);
    if (j.contains("architecture"))
        c.architecture = dartsArchitectureFromJson(j["architecture"], "config.architecture");
    if (c.kind == "darts_retrain" && !c.architecture)
        throw std::invalid_argument("config.architecture: missing");
    readDataSettings(j, c.corpus, c.reverse, c.split, c.vocabulary, c.tokenize);
    return c;
}

DartsRun::DartsRun(RunStore& store, DartsRunConfig config)
    : RunBase(store)
    , config_(std::move(config)) {
    if (config_.kind != "darts" && config_.kind != "darts_retrain")
        throw std::invalid_argument("kind: expected darts or darts_retrain, got " + config_.kind);
    if (config_.kind == "darts") {
        DartsSearchConfig probe;
        probe.vocabSize = 1;
        probe.hidden = config_.hidden;
        probe.heads = config_.heads;
        probe.splits = config_.splits;
        probe.encoderLayers = config_.encoderLayers;
        probe.decoderLayers = config_.decoderLayers;
        probe.space = config_.space;
        probe.validate();
    } else if (!config_.architecture) {
        throw std::invalid_argument("architecture: a darts_retrain run needs one");
    }
    if (config_.maxTokens <= 0)
        throw std::invalid_argument("max_tokens: must be positive, got " + std::to_string(config_.maxTokens));
    if (!(config_.alphaLr > 0)) throw std::invalid_argument("alpha_lr: must be positive");
    if (config_.alphaWarmup < 0)
        throw std::invalid_argument("alpha_warmup: must be >= 0, got " + std::to_string(config_.alphaWarmup));
    if (config_.dropout < 0 || config_.dropout >= 1)
        throw std::invalid_argument("dropout: must be in [0, 1)");
    if (config_.name.empty())
        config_.name = config_.kind == "darts"
                           ? "darts " + config_.space.name + " " + config_.corpus + " d" +
                                 std::to_string(config_.hidden) + " L" + std::to_string(config_.encoderLayers)
                           : "darts retrain " + config_.architecture->key().substr(0, 48);
    RunInfo parent;
    const RunInfo* parentPtr = nullptr;
    if (config_.parentRun > 0) {
        parent = store.requireRun(config_.parentRun, "darts");
        parentPtr = &parent;
    }
    create({config_.name,
            config_.kind,
            config_.toJson(),
            json::parse(dartsSpaceToJson(config_.space)),
            {{"source", config_.corpus}, {"reverse", config_.reverse}},
            config_.seed},
           parentPtr);
}

DartsRun::DartsRun(RunStore& store, int64_t runId, DartsRunConfig config)
    : RunBase(store)
    , config_(std::move(config))
    , resuming_(true) {
    claim(runId);
}

std::unique_ptr<DartsRun> DartsRun::resume(RunStore& store, int64_t runId, int64_t maxUpdates,
                                           double maxMinutes) {
    const RunInfo info = store.requireRun(runId);
    if (info.spec.kind != "darts" && info.spec.kind != "darts_retrain")
        throw std::runtime_error(wrongKindToResume(runId, info.spec.kind, "DARTS"));
    DartsRunConfig config;
    try {
        config = DartsRunConfig::fromJson(info.spec.config);
    } catch (const std::exception& e) {
        throw std::runtime_error("run " + std::to_string(runId) +
                                 " has no usable DARTS configuration: " + e.what());
    }
    if (maxUpdates >= 0) config.maxUpdates = maxUpdates;
    if (maxMinutes >= 0) config.maxMinutes = maxMinutes;
    return std::unique_ptr<DartsRun>(new DartsRun(store, runId, std::move(config)));
}

DartsRun::~DartsRun() {
    stopWorker();
}

std::string DartsRun::checkpointPath(int64_t update) const {
    return (fs::path(runFilesDir(store_)) / ("run-" + std::to_string(runId_)) /
            ("checkpoint-" + std::to_string(update) + ".pt"))
        .string();
}

void DartsRun::run() {
    stage(stage::kData, stage::kStarted, {{"corpus", config_.corpus}});
    TrainingRunConfig dataSettings;
    dataSettings.corpus = config_.corpus;
    dataSettings.reverse = config_.reverse;
    dataSettings.split = config_.split;
    dataSettings.vocabulary = config_.vocabulary;
    dataSettings.tokenize = config_.tokenize;
    json splitJson = resuming_ ? storedSplit(store_, runId_) : json();
    if (splitJson.is_null() && config_.parentRun > 0) {
        splitJson = storedSplit(store_, config_.parentRun);
        if (splitJson.is_null())
            throw std::runtime_error("parent run " + std::to_string(config_.parentRun) +
                                     " has no stored split");
    }
    const auto data = TrainingRun::loadData(dataSettings, runFilesDir(store_) + "/vocab",
                                            splitJson.is_null() ? nullptr : &splitJson);
    publish(Event::make(runId_, "data", dataEventPayload(*data)));
    stage(stage::kData, stage::kFinished);
    if (data->train.size() < 2)
        throw std::runtime_error("corpus " + config_.corpus + " has fewer than 2 training pairs");
    if (config_.kind == "darts")
        search(*data);
    else
        retrain(*data);
}

bool DartsRun::updateLoop(const char* stageName, int64_t& update, const std::function<void()>& step,
                          const std::function<void()>& validate, const std::function<void()>& checkpoint) {
    using Clock = std::chrono::steady_clock;
    stage(stageName, stage::kStarted,
          {{stage::kMaxUpdates, config_.maxUpdates}, {stage::kMaxMinutes, config_.maxMinutes}});
    // The time budget counts working time: paused time is taken off.
    const auto started = Clock::now();
    const auto pausedBefore = pausedTime();
    int64_t lastValidated = -1, lastCheckpointed = resuming_ ? update : -1;
    bool cancelled = false;
    while (true) {
        if (!proceed()) {
            cancelled = true;
            break;
        }
        if (config_.maxUpdates > 0 && update >= config_.maxUpdates) break;
        const double minutes =
            std::chrono::duration<double>(Clock::now() - started - (pausedTime() - pausedBefore)).count() /
            60.0;
        if (config_.maxMinutes > 0 && minutes >= config_.maxMinutes) break;
        step(); // advances update
        if (config_.validateEvery > 0 && update % config_.validateEvery == 0) {
            validate();
            lastValidated = update;
        }
        if (config_.checkpointEvery > 0 && update % config_.checkpointEvery == 0) {
            checkpoint();
            lastCheckpointed = update;
        }
    }
    // Leave the run resumable and its curve complete however it stopped.
    if (update > 0 && lastValidated != update && !cancelled) validate();
    if (update > 0 && lastCheckpointed != update) checkpoint();
    stage(stageName, stage::kFinished, {{"update", update}, {"cancelled", cancelled}});
    return !cancelled;
}

void DartsRun::saveCheckpoint(torch::serialize::OutputArchive& archive, json state, int64_t update) {
    archive.write("torch_rng", cpuGeneratorState());
    state["format"] = kCheckpointFormat;
    state["update"] = update;
    state["run"] = runId_;
    writeArchiveText(archive, "darts_state", state.dump());
    const std::string path = checkpointPath(update);
    const int64_t bytes = writeCheckpointFile(archive, path); // header with CRC-32, as the supernet's
    publish(Event::checkpoint(runId_, CheckpointRow{update, path, bytes, 0}));
    store_.flush(); // the row is committed before older files go
    removeOldCheckpoints(fs::path(path).parent_path().string(), config_.keepCheckpoints);
}

std::optional<json> DartsRun::restoreCheckpoint(torch::serialize::InputArchive& archive) {
    // The newest stored checkpoint whose file is whole, as a supernet run resumes (TrainingRun): a damaged
    // or truncated newer one is set aside ("<file>.damaged", its row dropped) with a warning naming both
    // files, and the updates after the one resumed from are trained again. Files written before the
    // checkpoint header (bare archives) still load.
    const CheckpointFallback fallback = openNewestCheckpoint(
        store_, runId_, [&](const std::string& path) { archive = openCheckpointFile(path); });
    const std::optional<CheckpointRow>& last = fallback.opened;
    const json& damaged = fallback.damaged;
    std::optional<json> state;
    if (last) {
        state = json::parse(readArchiveText(archive, "darts_state", last->path));
        if (state->value("format", 0) != kCheckpointFormat)
            throw std::runtime_error(last->path + ": unsupported DARTS checkpoint format");
        torch::Tensor gen;
        archive.read("torch_rng", gen);
        setCpuGeneratorState(gen);
    }
    const int64_t from = state ? state->at("update").get<int64_t>() : 0;
    json payload = {{"from_update", from}, {"checkpoint", last ? last->path : ""}};
    if (!damaged.empty()) payload["damaged"] = damaged;
    publish(Event::make(runId_, "resumed", std::move(payload)));
    spdlog::info("run {}: resumed at update {}", runId_, from);
    return state;
}

void DartsRun::search(const RunData& data) {
    torch::manual_seed(config_.seed);
    DartsSearchConfig mc;
    mc.vocabSize = data.vocabulary.size();
    mc.padIndex = Vocabulary::kPadId;
    mc.hidden = config_.hidden;
    mc.heads = config_.heads;
    mc.splits = config_.splits;
    mc.encoderLayers = config_.encoderLayers;
    mc.decoderLayers = config_.decoderLayers;
    mc.reversible = config_.reversible;
    mc.space = config_.space;
    DartsSearchNetwork net(mc);
    net->train();

    const TokenizedSet weightHalf = half(data.train, 0), alphaHalf = half(data.train, 1);
    const TokenizedSet valid = firstSentences(data.valid, config_.validationSentences);
    BatchStream weightStream(weightHalf, config_.maxTokens, config_.seed);
    BatchStream alphaStream(alphaHalf, config_.maxTokens, config_.seed + 1);
    DartsOptimizers optimizers(*net, config_.lr.peak, config_.alphaLr, config_.alphaWeightDecay);
    int64_t update = 0;

    if (resuming_) {
        torch::serialize::InputArchive archive;
        if (const auto state = restoreCheckpoint(archive)) {
            torch::serialize::InputArchive weights, wopt, aopt;
            archive.read("weights", weights);
            net->load(weights);
            torch::Tensor ae, ad;
            archive.read("alpha_encoder", ae);
            archive.read("alpha_decoder", ad);
            {
                torch::NoGradGuard noGrad;
                net->alphaEncoder().copy_(ae);
                net->alphaDecoder().copy_(ad);
            }
            archive.read("weight_optimizer", wopt);
            optimizers.weights.load(wopt);
            archive.read("alpha_optimizer", aopt);
            optimizers.alpha.load(aopt);
            update = state->at("update").get<int64_t>();
            weightStream.seek(
                {state->at("weight_epoch").get<int64_t>(), state->at("weight_batch").get<int64_t>()});
            alphaStream.seek(
                {state->at("alpha_epoch").get<int64_t>(), state->at("alpha_batch").get<int64_t>()});
        }
    }

    auto names = [](const std::vector<DartsOpSpec>& ops) {
        json list = json::array();
        for (const auto& op : ops)
            list.push_back(op.name());
        return list;
    };
    int64_t alphaCount = 0;
    for (const auto& a : net->architectureParameters())
        alphaCount += a.numel();
    publish(Event::make(runId_, "darts_setup",
                        {{"encoder_candidates", names(config_.space.encoder)},
                         {"decoder_candidates", names(config_.space.decoder)},
                         {"hidden", config_.hidden},
                         {"heads", config_.heads},
                         {"splits", config_.splits},
                         {"encoder_layers", config_.encoderLayers},
                         {"decoder_layers", config_.decoderLayers},
                         {"reversible", config_.reversible},
                         {"weight_params", net->weightCount()},
                         {"alpha_params", alphaCount},
                         {"weight_pairs", weightHalf.size()},
                         {"alpha_pairs", alphaHalf.size()}}));

    auto step = [&] {
        const auto t0 = std::chrono::steady_clock::now();
        const Batch ab = alphaStream.next();
        const Batch wb = weightStream.next();
        ++update;
        const double lr = lrAt(config_.lr, update);
        const DartsStepResult r =
            dartsSearchStep(*net, optimizers, ab, wb, lr, config_.clipNorm, config_.labelSmoothing,
                            Vocabulary::kPadId, update > config_.alphaWarmup);
        TrainingStepRow row;
        row.update = update;
        row.loss = r.weightLoss;
        row.nll = r.weightNll;
        row.lr = lr;
        row.tokens = wb.sourceTokens + wb.targetTokens;
        row.wallMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        publish(Event::trainingStep(runId_, row));
        publish(Event::make(runId_, "darts_alpha",
                            {{"update", update},
                             {"alpha_loss", r.alphaLoss},
                             {"encoder", edgeWeightsToJson(net->encoderWeights())},
                             {"decoder", edgeWeightsToJson(net->decoderWeights())},
                             {"derived", net->derive().key()}}));
    };
    auto validate = [&] {
        const double nll = validationNll(net, valid, config_.maxTokens);
        publish(Event::validation(runId_, ValidationRow{update, "supernet", nll, std::nullopt}));
        spdlog::info("run {} update {}: valid nll {:.3f}, derived {}", runId_, update, nll,
                     net->derive().key());
    };
    auto checkpoint = [&] {
        torch::serialize::OutputArchive archive, weights, wopt, aopt;
        net->save(weights);
        archive.write("weights", weights);
        archive.write("alpha_encoder", net->alphaEncoder().detach());
        archive.write("alpha_decoder", net->alphaDecoder().detach());
        optimizers.weights.save(wopt);
        archive.write("weight_optimizer", wopt);
        optimizers.alpha.save(aopt);
        archive.write("alpha_optimizer", aopt);
        saveCheckpoint(archive,
                       {{"weight_epoch", weightStream.position().epoch},
                        {"weight_batch", weightStream.position().batch},
                        {"alpha_epoch", alphaStream.position().epoch},
                        {"alpha_batch", alphaStream.position().batch}},
                       update);
    };
    const bool completed = updateLoop(stage::kDarts, update, step, validate, checkpoint);
    if (update > 0) {
        DartsArchitecture arch = net->derive();
        arch.searchRun = runId_;
        arch.searchStep = update;
        DartsModelConfig dm;
        dm.vocabSize = data.vocabulary.size();
        dm.padIndex = Vocabulary::kPadId;
        dm.arch = arch;
        if (completed)
            publish(Event::make(runId_, "darts_derived",
                                {{"update", update},
                                 {"architecture", dartsArchitectureToJson(arch)},
                                 {"key", arch.key()},
                                 {"params", DartsTransformer(dm)->parameterCount()}}));
        derived_ = arch;
    }
    setStatus(completed ? RunStatus::Finished : RunStatus::Cancelled);
}

void DartsRun::retrain(const RunData& data) {
    torch::manual_seed(config_.seed);
    DartsModelConfig mc;
    mc.vocabSize = data.vocabulary.size();
    mc.padIndex = Vocabulary::kPadId;
    mc.arch = *config_.architecture;
    mc.dropout = config_.dropout;
    DartsTransformer model(mc);
    model->train();
    const TokenizedSet valid = firstSentences(data.valid, config_.validationSentences);
    BatchStream stream(data.train, config_.maxTokens, config_.seed);
    torch::optim::Adam adam(model->parameters(),
                            torch::optim::AdamOptions(config_.lr.peak).betas({0.9, 0.98}).eps(1e-8));
    int64_t update = 0;
    if (resuming_) {
        torch::serialize::InputArchive archive;
        if (const auto state = restoreCheckpoint(archive)) {
            torch::serialize::InputArchive weights, opt;
            archive.read("weights", weights);
            model->load(weights);
            archive.read("optimizer", opt);
            adam.load(opt);
            update = state->at("update").get<int64_t>();
            stream.seek({state->at("epoch").get<int64_t>(), state->at("batch").get<int64_t>()});
        }
    }
    publish(Event::make(runId_, "darts_model",
                        {{"architecture", dartsArchitectureToJson(mc.arch)},
                         {"key", mc.arch.key()},
                         {"params", model->parameterCount()},
                         {"dropout", config_.dropout}}));
    auto step = [&] {
        const auto t0 = std::chrono::steady_clock::now();
        const Batch b = stream.next();
        adam.zero_grad();
        const SmoothedLoss l = batchLoss(model, b, config_.labelSmoothing, Vocabulary::kPadId);
        const double targetTokens = double(std::max<int64_t>(l.tokens, 1));
        (l.loss / targetTokens).backward();
        ++update;
        const double lr = lrAt(config_.lr, update);
        clippedAdamStep(adam, model->parameters(), lr, config_.clipNorm);
        TrainingStepRow row;
        row.update = update;
        row.loss = l.loss.item<double>() / targetTokens;
        row.nll = l.nll.item<double>() / targetTokens;
        row.lr = lr;
        row.tokens = b.sourceTokens + b.targetTokens;
        row.wallMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        publish(Event::trainingStep(runId_, row));
    };
    auto validate = [&] {
        const double nll = validationNll(model, valid, config_.maxTokens);
        publish(Event::validation(runId_, ValidationRow{update, "derived", nll, std::nullopt}));
        spdlog::info("run {} update {}: valid nll {:.3f}", runId_, update, nll);
    };
    auto checkpoint = [&] {
        torch::serialize::OutputArchive archive, weights, opt;
        model->save(weights);
        archive.write("weights", weights);
        adam.save(opt);
        archive.write("optimizer", opt);
        saveCheckpoint(archive, {{"epoch", stream.position().epoch}, {"batch", stream.position().batch}},
                       update);
    };
    const bool completed = updateLoop(stage::kRetrain, update, step, validate, checkpoint);
    if (completed && config_.testSentences > 0 && update > 0) {
        stage(stage::kTest, stage::kStarted, {{"sentences", config_.testSentences}});
        auto pairs = CorpusSplit::select(data.corpus, data.split.test());
        if (pairs.size() > size_t(config_.testSentences)) pairs.resize(size_t(config_.testSentences));
        TranslateOptions options;
        options.maxSourceTokens = config_.tokenize.maxSourceTokens;
        const EvaluationResult r = evaluate(*model, data.vocabulary, pairs, options);
        publish(Event::make(runId_, "test_bleu",
                            {{"update", update},
                             {"subnet", "derived"},
                             {"arch_key", mc.arch.key()},
                             {"split", "test"},
                             {"sentences", r.sentences},
                             {"beam", 1},
                             {"bleu", r.bleu.score},
                             {"bleu_text", r.bleu.format()},
                             {"chrf", r.chrf.score},
                             {"seconds", r.seconds}}));
        spdlog::info("run {}: test ({} sentences, greedy): {}, chrF {:.2f}", runId_, r.sentences,
                     r.bleu.format(), r.chrf.score);
        stage(stage::kTest, stage::kFinished);
    }
    setStatus(completed ? RunStatus::Finished : RunStatus::Cancelled);
}

DartsArchitecture derivedArchitecture(RunReader& store, int64_t searchRun) {
    const RunInfo info = store.requireRun(searchRun, "darts");
    const DartsRunConfig config = DartsRunConfig::fromJson(info.spec.config);
    // The last of each: a search that ended and was resumed for more updates derived again.
    std::optional<Event> lastAlpha, lastDerived;
    for (const Event& e : store.events(searchRun)) {
        if (e.type == "darts_derived") lastDerived = e;
        if (e.type == "darts_alpha") lastAlpha = e;
    }
    if (lastDerived && (!lastAlpha || lastDerived->payload.value("update", int64_t(0)) >=
                                          lastAlpha->payload.value("update", int64_t(0))))
        return dartsArchitectureFromJson(lastDerived->payload.at("architecture"),
                                         "run " + std::to_string(searchRun));
    if (!lastAlpha)
        throw std::runtime_error("run " + std::to_string(searchRun) +
                                 " has no architecture weights yet (no update)");
    auto weights = [](const json& j) { return j.get<EdgeWeights>(); };
    DartsArchitecture a;
    a.hidden = config.hidden;
    a.heads = config.heads;
    a.splits = config.splits;
    a.encoder = deriveEdges(config.space.encoder, weights(lastAlpha->payload.at("encoder")));
    a.decoder = deriveEdges(config.space.decoder, weights(lastAlpha->payload.at("decoder")));
    a.searchRun = searchRun;
    a.searchStep = lastAlpha->payload.value("update", int64_t(0));
    return a;
}

DartsRunConfig dartsRetrainConfig(RunReader& store, int64_t searchRun, const DartsArchitecture& arch) {
    const RunInfo info = store.requireRun(searchRun, "darts");
    DartsRunConfig c = DartsRunConfig::fromJson(info.spec.config);
    c.kind = "darts_retrain";
    c.name.clear();
    c.architecture = arch;
    c.parentRun = searchRun;
    return c;
}

} // namespace automoe
