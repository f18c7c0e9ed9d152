#include "run/TrainingRun.h"

#include "cost/LatencyMeter.h"
#include "data/CorpusError.h"
#include "data/CorpusReader.h"
#include "eval/RoutingHealth.h"
#include "eval/Translation.h"
#include "run/CheckpointFallback.h"
#include "run/RunStages.h"
#include "search/CandidateEvaluator.h"
#include "space/SpaceIO.h"
#include "util/JsonField.h"
#include "util/Resources.h"

#include <chrono>
#include <filesystem>
#include <spdlog/spdlog.h>

namespace automoe {

namespace fs = std::filesystem;

void writeDataSettings(nlohmann::json& j, const std::string& corpus, bool reverse,
                       const CorpusSplitOptions& split, const VocabularyOptions& vocabulary,
                       const TokenizeOptions& tokenize) {
    j["corpus"] = corpus;
    j["reverse"] = reverse;
    j["split"] = {{"valid", split.validSize},
                  {"test", split.testSize},
                  {"max_fraction", split.maxFraction},
                  {"seed", split.seed}};
    j["vocabulary"] = {
        {"size", vocabulary.size},
        {"model_type", vocabulary.modelType == VocabularyOptions::ModelType::Bpe ? "bpe" : "unigram"},
        {"max_sentences", vocabulary.maxSentences},
        {"threads", vocabulary.numThreads},
        {"seed", vocabulary.seed}};
    j["tokenize"] = {{"max_source", tokenize.maxSourceTokens}, {"max_target", tokenize.maxTargetTokens}};
}

void readDataSettings(const nlohmann::json& j, std::string& corpus, bool& reverse, CorpusSplitOptions& split,
                      VocabularyOptions& vocabulary, TokenizeOptions& tokenize) {
    const JsonFields f = JsonFields::at("config");
    corpus = f.get(j, "corpus", corpus);
    reverse = f.get(j, "reverse", reverse);
    if (j.contains("split")) {
        const auto& s = j["split"];
        const JsonFields fsplit = JsonFields::at("config.split");
        split.validSize = fsplit.get(s, "valid", split.validSize);
        split.testSize = fsplit.get(s, "test", split.testSize);
        split.maxFraction = fsplit.get(s, "max_fraction", split.maxFraction);
        split.seed = fsplit.get(s, "seed", split.seed);
    }
    if (j.contains("vocabulary")) {
        const auto& v = j["vocabulary"];
        const JsonFields fvocab = JsonFields::at("config.vocabulary");
        vocabulary.size = fvocab.get(v, "size", vocabulary.size);
        const std::string type = fvocab.get(v, "model_type", std::string("unigram"));
        if (type != "unigram" && type != "bpe")
            throw std::invalid_argument("config.vocabulary.model_type: expected unigram or bpe, got " + type);
        vocabulary.modelType =
            type == "bpe" ? VocabularyOptions::ModelType::Bpe : VocabularyOptions::ModelType::Unigram;
        vocabulary.maxSentences = fvocab.get(v, "max_sentences", vocabulary.maxSentences);
        vocabulary.numThreads = fvocab.get(v, "threads", vocabulary.numThreads);
        vocabulary.seed = fvocab.get(v, "seed", vocabulary.seed);
    }
    if (j.contains("tokenize")) {
        tokenize.maxSourceTokens =
            JsonFields::at("config.tokenize").get(j["tokenize"], "max_source", tokenize.maxSourceTokens);
        tokenize.maxTargetTokens =
            JsonFields::at("config.tokenize").get(j["tokenize"], "max_target", tokenize.maxTargetTokens);
    }
}

nlohmann::json TrainingRunConfig::toJson() const {
    nlohmann::json j = {{"name", name},
                        {"kind", kind},
                        {"space_source", spaceSource},
                        {"space", spaceToJson(space)},
                        {"trainer", trainer.toJson()},
                        {"model",
                         {{"dropout", dropout},
                          {"attention_dropout", attentionDropout},
                          {"capacity_factor", capacityFactor}}},
                        {"supernet", supernet.toJson()},
                        {"max_updates", maxUpdates},
                        {"max_minutes", maxMinutes},
                        {"validate_every", validateEvery},
                        {"checkpoint_every", checkpointEvery},
                        {"keep_checkpoints", keepCheckpoints},
                        {"routing_every", routingEvery},
                        {"test_sentences", testSentences},
                        {"parent_run", parentRun},
                        {"inherit_checkpoint", inheritCheckpoint},
                        {"search_run", searchRun},
                        {"search_arch_id", searchArchId},
                        {"cost_repeats", costRepeats}};
    writeDataSettings(j, corpus, reverse, split, vocabulary, tokenize);
    return j;
}

TrainingRunConfig TrainingRunConfig::fromJson(const nlohmann::json& j) {
    TrainingRunConfig c;
    const JsonFields f = JsonFields::at("config");
    c.name = f.get(j, "name", c.name);
    c.kind = f.get(j, "kind", c.kind);
    c.spaceSource = f.get(j, "space_source", c.spaceSource);
    if (!j.contains("space")) throw std::invalid_argument("config.space: missing");
    c.space = spaceFromJson(j.at("space"));
    readDataSettings(j, c.corpus, c.reverse, c.split, c.vocabulary, c.tokenize);
    if (j.contains("trainer")) c.trainer = TrainerOptions::fromJson(j["trainer"]);
    if (j.contains("model")) {
        const auto& m = j["model"];
        const JsonFields fmodel = JsonFields::at("config.model");
        c.dropout = fmodel.get(m, "dropout", c.dropout);
        c.attentionDropout = fmodel.get(m, "attention_dropout", c.attentionDropout);
        c.capacityFactor = fmodel.get(m, "capacity_factor", c.capacityFactor);
    }
    // Runs stored before Mixture-of-Supernets have no "supernet": plain weight sharing.
    if (j.contains("supernet")) c.supernet = MixtureOptions::fromJson(j["supernet"]);
    c.maxUpdates = f.get(j, "max_updates", c.maxUpdates);
    c.maxMinutes = f.get(j, "max_minutes", c.maxMinutes);
    c.validateEvery = f.get(j, "validate_every", c.validateEvery);
    c.checkpointEvery = f.get(j, "checkpoint_every", c.checkpointEvery);
    c.keepCheckpoints = f.get(j, "keep_checkpoints", c.keepCheckpoints);
    c.routingEvery = f.get(j, "routing_every", c.routingEvery);
    c.testSentences = f.get(j, "test_sentences", c.testSentences);
    c.parentRun = f.get(j, "parent_run", c.parentRun);
    c.inheritCheckpoint = f.get(j, "inherit_checkpoint", c.inheritCheckpoint);
    c.searchRun = f.get(j, "search_run", c.searchRun);
    c.searchArchId = f.get(j, "search_arch_id", c.searchArchId);
    c.costRepeats = f.get(j, "cost_repeats", c.costRepeats);
    if (c.trainer.sampling == SubnetSampling::Fixed && !c.trainer.fixedArchitecture)
        throw std::invalid_argument("config.trainer.fixed_architecture: missing for fixed sampling");
    return c;
}

TrainingRunConfig TrainingRunConfig::ofRun(RunReader& store, int64_t runId) {
    const RunInfo run = store.requireRun(runId);
    try {
        return fromJson(run.spec.config);
    } catch (const std::exception& e) {
        throw std::runtime_error("run " + std::to_string(runId) +
                                 " has no usable training configuration: " + e.what());
    }
}

Corpus loadRunCorpus(const std::string& corpus, bool reverse) {
    CorpusReadOptions tsv;
    tsv.sourceLanguage = "de";
    tsv.targetLanguage = "en";
    tsv.reverse = reverse;
    std::error_code ec;
    if (corpus == "ding") {
        if (fs::is_regular_file(kDebianDingPath, ec)) {
            DingOptions o;
            o.reverse = reverse;
            return readDingCorpus(kDebianDingPath, o);
        }
        spdlog::warn("{} not found (Debian package trans-de-en): using the bundled {}-pair sample",
                     kDebianDingPath, 3000);
        return readTsvCorpus(resourcePath(kBundledCorpusSample), tsv);
    }
    if (corpus == "sample") return readTsvCorpus(resourcePath(kBundledCorpusSample), tsv);
    if (fs::is_regular_file(corpus, ec)) {
        if (fs::path(corpus).extension() == ".tsv") return readTsvCorpus(corpus, tsv);
        DingOptions o;
        o.reverse = reverse;
        return readDingCorpus(corpus, o);
    }
    if (fs::is_regular_file(corpus + ".de", ec) && fs::is_regular_file(corpus + ".en", ec)) {
        CorpusReadOptions p;
        p.sourceLanguage = "de";
        p.targetLanguage = "en";
        p.reverse = reverse;
        return readParallelCorpus(corpus + ".de", corpus + ".en", p);
    }
    throw CorpusError(
        corpus, 0,
        "not a corpus: expected 'ding', 'sample', a .tsv file, a Ding-format file, or a prefix P "
        "with files P.de and P.en");
}

TrainingRunConfig retrainConfig(RunReader& store, int64_t supernetRun, const Architecture& arch,
                                bool inherit) {
    TrainingRunConfig c = TrainingRunConfig::ofRun(store, supernetRun);
    std::string why;
    if (!c.space.contains(arch, &why))
        throw std::runtime_error("architecture " + arch.key() + " is not in run " +
                                 std::to_string(supernetRun) + "'s space: " + why);
    c.kind = "retrain";
    c.name = "retrain " + arch.key().substr(0, 40) + (inherit ? " (inherited)" : " (scratch)");
    c.parentRun = supernetRun;
    c.trainer.sampling = SubnetSampling::Fixed;
    c.trainer.fixedArchitecture = arch;
    c.inheritCheckpoint.clear();
    if (inherit) {
        const auto ck = store.lastCheckpoint(supernetRun);
        if (!ck)
            throw std::runtime_error("run " + std::to_string(supernetRun) +
                                     " has no checkpoint to inherit from");
        c.inheritCheckpoint = ck->path;
    } else {
        // From scratch there is nothing to mix: one architecture trains as a plain model (a MoS parent's
        // mixture only matters for the weights it hands over).
        c.supernet = MixtureOptions{};
    }
    return c;
}

nlohmann::json dataEventPayload(const RunData& data) {
    return {{"corpus", data.corpus.info.toJson()},
            {"split", data.split.toJson()},
            {"vocabulary",
             {{"size", data.vocabulary.size()},
              {"path", data.vocabulary.modelPath()},
              {"from_cache", data.vocabulary.fromCache()}}},
            {"train",
             {{"sentences", data.train.size()},
              {"source_tokens", data.train.sourceTokens()},
              {"target_tokens", data.train.targetTokens()}}},
            {"valid", {{"sentences", data.valid.size()}}}};
}

void removeOldCheckpoints(const std::string& dir, int keep) {
    std::vector<std::pair<int64_t, fs::path>> existing;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        const std::string name = entry.path().filename().string();
        // A temporary file left by a process that ended while writing (a second signal, a kill, a full
        // disk): nothing is writing one now, and it is never read.
        if (name.rfind("checkpoint-", 0) == 0 && entry.path().extension() == ".tmp") {
            fs::remove(entry.path(), ec);
            continue;
        }
        if (name.rfind("checkpoint-", 0) == 0 && entry.path().extension() == ".pt") {
            try {
                existing.emplace_back(std::stoll(name.substr(11)), entry.path());
            } catch (const std::exception&) {
            }
        }
    }
    std::sort(existing.begin(), existing.end());
    const size_t kept = size_t(std::max(1, keep));
    for (size_t i = 0; i + kept < existing.size(); ++i)
        fs::remove(existing[i].second, ec);
}

nlohmann::json storedSplit(RunReader& store, int64_t runId) {
    for (const Event& e : store.events(runId, 1, 200))
        if (e.type == "data" && e.payload.contains("split")) return e.payload["split"];
    return nullptr;
}

TrainingRun::TrainingRun(RunStore& store, TrainingRunConfig config)
    : RunBase(store)
    , config_(std::move(config)) {
    config_.space.validate();
    if (config_.name.empty()) config_.name = config_.kind + " " + config_.space.name + " " + config_.corpus;
    create({config_.name,
            config_.kind,
            config_.toJson(),
            spaceToJson(config_.space),
            {{"source", config_.corpus}, {"reverse", config_.reverse}},
            config_.trainer.seed});
}

TrainingRun::TrainingRun(RunStore& store, int64_t runId, TrainingRunConfig config)
    : RunBase(store)
    , config_(std::move(config))
    , resuming_(true) {
    claim(runId);
}

std::unique_ptr<TrainingRun> TrainingRun::resume(RunStore& store, int64_t runId, int64_t maxUpdates,
                                                 double maxMinutes,
                                                 std::shared_ptr<DataParallel> dataParallel) {
    const RunInfo info = store.requireRun(runId);
    if (info.spec.kind != "supernet" && info.spec.kind != "retrain")
        throw std::runtime_error(wrongKindToResume(runId, info.spec.kind, "training"));
    TrainingRunConfig config = TrainingRunConfig::ofRun(store, runId);
    if (maxUpdates >= 0) config.maxUpdates = maxUpdates;
    if (maxMinutes >= 0) config.maxMinutes = maxMinutes;
    config.trainer.dataParallel = std::move(dataParallel);
    return std::unique_ptr<TrainingRun>(new TrainingRun(store, runId, std::move(config)));
}

TrainingRun::~TrainingRun() {
    stopWorker();
}

SuperTransformerConfig TrainingRun::modelConfig(const TrainingRunConfig& config, int64_t vocabSize) {
    SuperTransformerConfig m;
    m.vocabSize = vocabSize;
    m.padIndex = Vocabulary::kPadId;
    m.dims = config.space.pinnedSupernet ? *config.space.pinnedSupernet : config.space.supernet();
    m.dropout = config.dropout;
    m.attentionDropout = config.attentionDropout;
    m.capacityFactor = config.capacityFactor;
    m.dropTokens = config.capacityFactor > 0;
    m.mixture = config.supernet;
    return m;
}

std::unique_ptr<RunData> TrainingRun::loadData(const TrainingRunConfig& config, const std::string& cacheDir,
                                               const nlohmann::json* storedSplit) {
    auto d = std::make_unique<RunData>();
    d->corpus = loadRunCorpus(config.corpus, config.reverse);
    d->split = storedSplit ? CorpusSplit::fromJson(*storedSplit, d->corpus)
                           : CorpusSplit::make(d->corpus, config.split);
    fs::create_directories(cacheDir);
    d->vocabulary = Vocabulary::trainOrLoad(d->corpus, d->split, config.vocabulary, cacheDir);
    d->train = tokenize(d->vocabulary, CorpusSplit::select(d->corpus, d->split.train()), config.tokenize);
    d->valid = tokenize(d->vocabulary, CorpusSplit::select(d->corpus, d->split.valid()), config.tokenize);
    return d;
}

void TrainingRun::run() {
    // Data.
    const std::string trainStage = config_.kind == "retrain" ? stage::kRetrain : stage::kSupernet;
    stage(stage::kData, stage::kStarted, {{"corpus", config_.corpus}});
    nlohmann::json splitJson = resuming_ ? storedSplit(store_, runId_) : nlohmann::json();
    if (splitJson.is_null() && config_.parentRun > 0) {
        splitJson = storedSplit(store_, config_.parentRun);
        if (splitJson.is_null())
            throw std::runtime_error("parent run " + std::to_string(config_.parentRun) +
                                     " has no stored split");
    }
    data_ = loadData(config_, runFilesDir(store_) + "/vocab", splitJson.is_null() ? nullptr : &splitJson);
    publish(Event::make(runId_, "data", dataEventPayload(*data_)));
    stage(stage::kData, stage::kFinished);

    // Model and trainer. A `close` run measures the architecture's costs (stage 5) before it trains it
    // (stage 6).
    torch::manual_seed(config_.trainer.seed);
    SuperTransformer model(modelConfig(config_, data_->vocabulary.size()));
    if (!resuming_ && !config_.inheritCheckpoint.empty()) {
        Trainer::loadWeights(config_.inheritCheckpoint, model);
        publish(Event::make(runId_, "inherited",
                            {{"checkpoint", config_.inheritCheckpoint}, {"parent_run", config_.parentRun}}));
    }
    if (!resuming_ && config_.costRepeats > 0) measureCosts(*model);
    stage(trainStage, stage::kStarted,
          {{stage::kMaxUpdates, config_.maxUpdates}, {stage::kMaxMinutes, config_.maxMinutes}});
    TrainerOptions options = config_.trainer;
    options.ids = SpecialIds{};
    if (config_.maxUpdates > 0 && options.lr.kind == LrScheduleOptions::Kind::Cosine)
        options.lr.totalUpdates = config_.maxUpdates;
    Trainer trainer(model, config_.space, data_->train, data_->valid, options);
    if (resuming_) {
        // The newest stored checkpoint whose file is whole; a damaged newer one is set aside (renamed
        // "<file>.damaged", its row dropped) with a warning that names both files, and the updates after
        // the one resumed from are trained again. loadCheckpoint checks the whole file before it changes
        // the trainer.
        const CheckpointFallback fallback = openNewestCheckpoint(
            store_, runId_, [&](const std::string& path) { trainer.loadCheckpoint(path); });
        const std::optional<CheckpointRow>& last = fallback.opened;
        const nlohmann::json& damaged = fallback.damaged;
        const int64_t from = last ? trainer.update() : 0;
        nlohmann::json payload = {{"from_update", from}, {"checkpoint", last ? last->path : ""}};
        if (!damaged.empty()) payload["damaged"] = damaged;
        publish(Event::make(runId_, "resumed", std::move(payload)));
        spdlog::info("run {}: resumed at update {}", runId_, from);
    }

    // The time budget counts training time: paused time is taken off.
    const auto started = std::chrono::steady_clock::now();
    const auto pausedBefore = pausedTime();
    int64_t lastValidated = -1, lastCheckpointed = resuming_ ? trainer.update() : -1;
    bool cancelled = false;
    while (true) {
        if (!proceed()) {
            cancelled = true;
            break;
        }
        if (config_.maxUpdates > 0 && trainer.update() >= config_.maxUpdates) break;
        const auto training = std::chrono::steady_clock::now() - started - (pausedTime() - pausedBefore);
        const double minutes = std::chrono::duration<double>(training).count() / 60.0;
        if (config_.maxMinutes > 0 && minutes >= config_.maxMinutes) break;

        const UpdateResult r = trainer.step();
        publish(Event::trainingStep(runId_, toStepRow(r)));

        if (config_.validateEvery > 0 && r.update % config_.validateEvery == 0) {
            validateAndLog(trainer, config_.routingEvery > 0 && r.update % config_.routingEvery == 0);
            lastValidated = r.update;
        }
        if (config_.checkpointEvery > 0 && r.update % config_.checkpointEvery == 0) {
            writeCheckpoint(trainer);
            lastCheckpointed = r.update;
        }
    }
    // Leave the run resumable and its curve complete however it stopped.
    if (trainer.update() > 0 && lastValidated != trainer.update() && !cancelled)
        validateAndLog(trainer, true);
    if (trainer.update() > 0 && lastCheckpointed != trainer.update()) writeCheckpoint(trainer);
    stage(trainStage, stage::kFinished, {{"update", trainer.update()}, {"cancelled", cancelled}});
    if (!cancelled && config_.testSentences > 0 && trainer.update() > 0) testBleu(trainer);
    setStatus(cancelled ? RunStatus::Cancelled : RunStatus::Finished);
}

void TrainingRun::validateAndLog(Trainer& trainer, bool routing) {
    if (config_.trainer.sampling == SubnetSampling::Fixed) {
        const ValidationResult v = trainer.validate(*config_.trainer.fixedArchitecture, routing);
        publish(Event::validation(runId_, ValidationRow{trainer.update(), "fixed", v.nll, std::nullopt}));
        if (v.routing && !v.routing->rows.empty()) publishRouting(*v.routing, "fixed");
        return;
    }
    const Architecture largest = config_.space.largest(), smallest = config_.space.smallest();
    const ValidationResult big = trainer.validate(largest, routing);
    publish(Event::validation(runId_, ValidationRow{trainer.update(), "largest", big.nll, std::nullopt}));
    const ValidationResult small = trainer.validate(smallest);
    publish(Event::validation(runId_, ValidationRow{trainer.update(), "smallest", small.nll, std::nullopt}));
    if (big.routing && !big.routing->rows.empty()) publishRouting(*big.routing, "largest");
    spdlog::info("run {} update {}: valid nll largest {:.3f}, smallest {:.3f}", runId_, trainer.update(),
                 big.nll, small.nll);
}

void TrainingRun::publishRouting(const RoutingSnapshot& snapshot, const std::string& subnet) {
    publish(Event::routing(runId_, snapshot));
    publish(Event::make(runId_, "routing_health", toJson(routingHealth(snapshot, subnet))));
}

void TrainingRun::writeCheckpoint(Trainer& trainer) {
    const fs::path dir = fs::path(runFilesDir(store_)) / ("run-" + std::to_string(runId_));
    const fs::path path = dir / ("checkpoint-" + std::to_string(trainer.update()) + ".pt");
    // No checkpoint past events the store lost: the run stops naming the database instead.
    store_.flush();
    requireStoreWrites();
    const int64_t bytes = trainer.saveCheckpoint(path.string(), {{"run", runId_}});
    publish(Event::checkpoint(runId_, CheckpointRow{trainer.update(), path.string(), bytes, 0}));
    // The row must be committed before older files go: the store always names a checkpoint that exists.
    store_.flush();
    requireStoreWrites();
    removeOldCheckpoints(dir.string(), config_.keepCheckpoints);
}

void TrainingRun::measureCosts(SuperTransformerImpl& model) {
    if (!config_.trainer.fixedArchitecture)
        throw std::runtime_error("cost_repeats: the costs stage needs a fixed architecture");
    const Architecture& arch = *config_.trainer.fixedArchitecture;
    stage(stage::kCosts, stage::kStarted, {{"repeats", config_.costRepeats}});
    LatencyOptions options;
    options.repeats = config_.costRepeats;
    options.warmup = 1;
    const LatencyMeasurement m = LatencyMeter(options).measure(model, arch);
    const CandidateCosts costs = costModelCosts(arch);
    auto stats = [](const LatencyStats& s) {
        return nlohmann::json{
            {"median", s.median}, {"min", s.min}, {"max", s.max}, {"q1", s.q1}, {"q3", s.q3}};
    };
    publish(Event::make(runId_, "arch_costs",
                        {{"arch_key", arch.key()},
                         {"search_run", config_.searchRun},
                         {"search_arch_id", config_.searchArchId},
                         {"encoder_ms", m.encoder.median},
                         {"decoder_ms", m.decoder.median},
                         {"latency_ms", m.total.median},
                         {"latency", stats(m.total)},
                         {"src_len", m.srcLen},
                         {"tgt_len", m.tgtLen},
                         {"beam", m.beam},
                         {"repeats", m.repeats},
                         {"threads", m.threads},
                         {"flops", costs.flops},
                         {"params_active", costs.paramsActive}}));
    spdlog::info("run {}: latency {:.2f} ms (encoder {:.2f}, decoder {:.2f}), {:.4g} FLOPs, {} active params",
                 runId_, m.total.median, m.encoder.median, m.decoder.median, costs.flops, costs.paramsActive);
    stage(stage::kCosts, stage::kFinished);
}

void TrainingRun::testBleu(Trainer& trainer) {
    stage(stage::kTest, stage::kStarted, {{"sentences", config_.testSentences}});
    auto pairs = CorpusSplit::select(data_->corpus, data_->split.test());
    if (pairs.size() > size_t(config_.testSentences)) pairs.resize(size_t(config_.testSentences));
    SuperTransformer model = trainer.model();
    std::vector<std::pair<std::string, Architecture>> subnets;
    if (config_.trainer.sampling == SubnetSampling::Fixed)
        subnets = {{"fixed", *config_.trainer.fixedArchitecture}};
    else
        subnets = {{"largest", config_.space.largest()}, {"smallest", config_.space.smallest()}};
    for (const auto& [name, arch] : subnets) {
        if (!proceed()) break;
        model->setArchitecture(arch);
        TranslateOptions options;
        options.maxSourceTokens = config_.tokenize.maxSourceTokens;
        const EvaluationResult r = evaluate(*model, data_->vocabulary, pairs, options);
        publish(Event::make(runId_, "test_bleu",
                            {{"update", trainer.update()},
                             {"subnet", name},
                             {"arch_key", arch.key()},
                             {"split", "test"},
                             {"sentences", r.sentences},
                             {"beam", 1},
                             {"bleu", r.bleu.score},
                             {"bleu_text", r.bleu.format()},
                             {"chrf", r.chrf.score},
                             {"seconds", r.seconds}}));
        spdlog::info("run {}: test {} ({} sentences, greedy): {}", runId_, name, r.sentences,
                     r.bleu.format());
    }
    stage(stage::kTest, stage::kFinished);
}

} // namespace automoe
