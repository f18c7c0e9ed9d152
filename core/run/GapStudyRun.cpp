#include "run/GapStudyRun.h"

#include "data/CorpusSplit.h"
#include "nn/SuperTransformer.h"
#include "run/RunStages.h"
#include "run/SubnetFitness.h"
#include "run/SupernetSource.h"
#include "run/TrainingRun.h"
#include "space/ArchitectureEncoding.h"
#include "space/ArchitectureIO.h"
#include "space/SpaceIO.h"
#include "store/Event.h"
#include "train/Trainer.h"
#include "util/JsonField.h"
#include "util/RankCorrelation.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <random>
#include <set>
#include <spdlog/spdlog.h>
#include <stdexcept>

namespace automoe {

namespace {

nlohmann::json number(double v) {
    return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
}

// What two runs must share to be compared: space (the supernet's dimensions), corpus, direction, split,
// vocabulary and tokenization.
nlohmann::json dataIdentity(const TrainingRunConfig& c) {
    const nlohmann::json j = c.toJson();
    const SupernetDims d = TrainingRun::modelConfig(c, 1).dims;
    return {{"dims",
             {d.embedDim, d.encoderEmbedDim, d.decoderEmbedDim, d.encoderLayers, d.decoderLayers,
              d.encoderFfnDim, d.decoderFfnDim, d.encoderExperts, d.decoderExperts, d.maxHeads, d.qkvDim}},
            {"corpus", j["corpus"]},
            {"reverse", j["reverse"]},
            {"split", j["split"]},
            {"vocabulary", j["vocabulary"]},
            {"tokenize", j["tokenize"]}};
}

} // namespace

nlohmann::json GapStudyConfig::toJson() const {
    return {{"name", name},
            {"runs", runs},
            {"archs", archs},
            {"standalone_updates", standaloneUpdates},
            {"finetune_updates", finetuneUpdates},
            {"finetune_every", finetuneEvery},
            {"finetune_lr", finetuneLr},
            {"sentences", sentences},
            {"max_tokens", maxTokens},
            {"seed", seed}};
}

GapStudyConfig GapStudyConfig::fromJson(const nlohmann::json& j) {
    GapStudyConfig c;
    const JsonFields f = JsonFields::at("study");
    c.name = f.get(j, "name", c.name);
    c.runs = f.get(j, "runs", c.runs);
    c.archs = f.get(j, "archs", c.archs);
    c.standaloneUpdates = f.get(j, "standalone_updates", c.standaloneUpdates);
    c.finetuneUpdates = f.get(j, "finetune_updates", c.finetuneUpdates);
    c.finetuneEvery = f.get(j, "finetune_every", c.finetuneEvery);
    c.finetuneLr = f.get(j, "finetune_lr", c.finetuneLr);
    c.sentences = f.get(j, "sentences", c.sentences);
    c.maxTokens = f.get(j, "max_tokens", c.maxTokens);
    c.seed = f.get(j, "seed", c.seed);
    return c;
}

std::vector<Architecture> spreadArchitectures(const SearchSpace& space, const SupernetDims& dims, int count,
                                              uint64_t seed, int pool) {
    if (count < 1) return {};
    std::mt19937_64 rng(seed);
    std::vector<Architecture> candidates{space.largest(), space.smallest()};
    std::set<std::string> keys{candidates[0].key(), candidates[1].key()};
    if (keys.size() == 1) candidates.pop_back();
    const int wanted = pool > 0 ? pool : std::max(40 * count, 200);
    for (int i = 0; i < wanted * 4 && int(candidates.size()) < wanted + 2; ++i) {
        Architecture a = space.sampleGenes(rng);
        if (keys.insert(a.key()).second) candidates.push_back(std::move(a));
    }
    std::vector<std::vector<float>> code;
    for (const Architecture& a : candidates)
        code.push_back(architectureEncoding(a, dims));
    auto distance = [&](size_t i, size_t j) {
        double s = 0;
        for (size_t k = 0; k < code[i].size(); ++k)
            s += double(code[i][k] - code[j][k]) * double(code[i][k] - code[j][k]);
        return s;
    };
    // Farthest-point sampling: each next pick is the candidate farthest from everything picked so far
    // (ties: the earlier candidate).
    std::vector<size_t> picked;
    std::vector<double> nearest(candidates.size(), std::numeric_limits<double>::infinity());
    for (size_t next = 0; int(picked.size()) < std::min<int>(count, int(candidates.size()));) {
        picked.push_back(next);
        double best = -1;
        size_t bestIndex = 0;
        for (size_t i = 0; i < candidates.size(); ++i) {
            nearest[i] = std::min(nearest[i], distance(i, next));
            if (nearest[i] > best) {
                best = nearest[i];
                bestIndex = i;
            }
        }
        // The smallest comes second whatever the distances say: the two ends of the space anchor the study.
        next = picked.size() == 1 && candidates.size() > 1 ? 1 : bestIndex;
    }
    std::vector<Architecture> out;
    for (size_t i : picked)
        out.push_back(candidates[i]);
    return out;
}

GapStudyRun::GapStudyRun(RunStore& store, GapStudyConfig config)
    : RunBase(store)
    , config_(std::move(config)) {
    if (config_.runs.empty()) throw std::invalid_argument("runs: at least one supernet run is needed");
    if (config_.archs < 2) throw std::invalid_argument("archs: " + std::to_string(config_.archs) + " is < 2");
    if (config_.standaloneUpdates < 1)
        throw std::invalid_argument("standalone_updates: " + std::to_string(config_.standaloneUpdates) +
                                    " is < 1");
    if (config_.finetuneUpdates < 0)
        throw std::invalid_argument("finetune_updates: " + std::to_string(config_.finetuneUpdates) +
                                    " is negative");
    if (config_.finetuneEvery < 0)
        throw std::invalid_argument("finetune_every: " + std::to_string(config_.finetuneEvery) +
                                    " is negative");
    if (config_.sentences < 0)
        throw std::invalid_argument("sentences: " + std::to_string(config_.sentences) + " is negative");
    std::set<int64_t> seen;
    std::optional<nlohmann::json> identity;
    std::optional<RunInfo> first;
    for (int64_t id : config_.runs) {
        if (!seen.insert(id).second)
            throw std::invalid_argument("runs: run " + std::to_string(id) + " is given twice");
        const RunInfo info = store_.requireRun(id, "supernet");
        supernetCheckpoint(store_, id); // throws naming the run when it has none
        const nlohmann::json mine = dataIdentity(TrainingRunConfig::ofRun(store_, id));
        if (!identity) {
            identity = mine;
            first = info;
        } else {
            for (const auto& [key, value] : identity->items())
                if (mine[key] != value)
                    throw std::runtime_error("run " + std::to_string(id) + " differs from run " +
                                             std::to_string(config_.runs.front()) + " in its " +
                                             (key == "dims" ? std::string("supernet dimensions") : key) +
                                             ": the gap study compares runs of one space and one corpus");
        }
    }
    if (config_.name.empty()) {
        std::string ids;
        for (int64_t id : config_.runs)
            ids += (ids.empty() ? "" : ",") + std::to_string(id);
        config_.name = "gap study runs " + ids + " x" + std::to_string(config_.archs);
    }
    create({config_.name, "study", config_.toJson(), {}, {}, config_.seed}, &*first);
}

GapStudyRun::~GapStudyRun() {
    stopWorker();
}

void GapStudyRun::run() {
    using Clock = std::chrono::steady_clock;
    std::vector<SupernetSource> sources;
    for (int64_t id : config_.runs)
        sources.push_back(loadSupernet(store_, id));
    const SupernetSource& first = sources.front();
    for (const SupernetSource& s : sources)
        if (s.valid.source != first.valid.source || s.valid.target != first.valid.target)
            throw std::runtime_error("run " + std::to_string(s.runId) +
                                     " tokenizes the validation split differently from run " +
                                     std::to_string(first.runId) + " (another vocabulary)");
    const SearchSpace& space = first.config.space;
    const SupernetDims dims = first.model->config().dims;
    const std::vector<Architecture> archs = spreadArchitectures(space, dims, config_.archs, config_.seed);
    const int64_t maxTokens = config_.maxTokens > 0 ? config_.maxTokens : first.config.trainer.maxTokens;
    const int64_t every =
        config_.finetuneEvery > 0 ? config_.finetuneEvery : std::max<int64_t>(1, config_.finetuneUpdates / 5);
    const TokenizedSet train = tokenize(
        first.vocabulary, CorpusSplit::select(first.corpus, first.split.train()), first.config.tokenize);
    if (train.size() == 0)
        throw std::runtime_error("run " + std::to_string(first.runId) + " has no training pairs");

    // Standalone: the first run's recipe, one fixed architecture, the same seed for every architecture.
    TrainerOptions scratchOptions = first.config.trainer;
    scratchOptions.sampling = SubnetSampling::Fixed;
    scratchOptions.seed = config_.seed;
    scratchOptions.maxTokens = maxTokens;
    // The run's peak learning rate, on a schedule that fits the budget: the run's own warm-up (400 updates
    // by default) would keep a 200-update standalone below its peak throughout, so the baseline would be
    // undertrained and the gap understated. Warm-up over a tenth of the budget, then cosine to 1e-6.
    scratchOptions.lr.kind = LrScheduleOptions::Kind::Cosine;
    scratchOptions.lr.warmupUpdates = std::max<int64_t>(1, config_.standaloneUpdates / 10);
    scratchOptions.lr.totalUpdates = config_.standaloneUpdates;
    scratchOptions.lr.minLr = 1e-6;
    TrainerOptions finetuneOptions = first.config.trainer;
    finetuneOptions.sampling = SubnetSampling::Fixed;
    finetuneOptions.seed = config_.seed;
    finetuneOptions.maxTokens = maxTokens;
    finetuneOptions.lr.kind = LrScheduleOptions::Kind::Cosine;
    finetuneOptions.lr.peak = config_.finetuneLr;
    finetuneOptions.lr.warmupUpdates = std::max<int64_t>(1, config_.finetuneUpdates / 10);
    finetuneOptions.lr.totalUpdates = std::max<int64_t>(1, config_.finetuneUpdates);
    finetuneOptions.lr.minLr = 1e-6;

    std::vector<GapStudyRunResult> rows(sources.size());
    nlohmann::json runs = nlohmann::json::array();
    for (size_t r = 0; r < sources.size(); ++r) {
        const auto steps = store_.trainingSteps(sources[r].runId);
        double ms = 0;
        for (const auto& s : steps)
            ms += s.wallMs;
        rows[r].run = sources[r].runId;
        rows[r].kind = sources[r].config.supernet.label();
        rows[r].updates = int64_t(steps.size());
        rows[r].secondsPerUpdate = steps.empty() ? 0.0 : ms / 1000.0 / double(steps.size());
        const RunInfo info = store_.requireRun(sources[r].runId);
        runs.push_back({{"run", rows[r].run},
                        {"name", info.spec.name},
                        {"kind", rows[r].kind},
                        {"supernet", sources[r].config.supernet.toJson()},
                        {"sampling", toString(sources[r].config.trainer.sampling)},
                        {"updates", rows[r].updates},
                        {"seconds_per_update", number(rows[r].secondsPerUpdate)},
                        {"checkpoint", sources[r].checkpoint.path},
                        {"checkpoint_update", sources[r].checkpoint.update}});
    }
    nlohmann::json picked = nlohmann::json::array();
    for (size_t i = 0; i < archs.size(); ++i)
        picked.push_back({{"index", i},
                          {"arch_key", archs[i].key()},
                          {"arch", architectureToJson(archs[i])},
                          {"encoding", architectureEncoding(archs[i], dims)}});
    publish(Event::make(runId_, "study_setup",
                        {{"runs", runs},
                         {"archs", picked},
                         {"standalone_updates", config_.standaloneUpdates},
                         {"finetune_updates", config_.finetuneUpdates},
                         {"finetune_every", every},
                         {"sentences", config_.sentences},
                         {"train_pairs", train.size()},
                         {"standalone", scratchOptions.toJson()},
                         {"finetune", finetuneOptions.toJson()}}));

    stage(stage::kStudy, stage::kStarted, {{stage::kArchs, archs.size()}});
    auto cancelled = [&](size_t done) {
        stage(stage::kStudy, stage::kFinished, {{"cancelled", true}, {"studied", done}});
        setStatus(RunStatus::Cancelled);
    };
    std::vector<SubnetFitness> inherited;
    for (const SupernetSource& s : sources)
        inherited.emplace_back(s.model, first.valid, config_.sentences, maxTokens);
    std::vector<double> standalone;
    std::vector<std::vector<double>> inheritedNll(sources.size());
    std::vector<std::vector<std::vector<std::pair<int64_t, double>>>> curves(sources.size());

    for (size_t i = 0; i < archs.size(); ++i) {
        const Architecture& arch = archs[i];
        // From scratch.
        auto t0 = Clock::now();
        SuperTransformerConfig mc = TrainingRun::modelConfig(first.config, first.vocabulary.size());
        mc.mixture = MixtureOptions{};
        torch::manual_seed(config_.seed); // the same initialisation and dropout stream for every arch
        SuperTransformer scratch(mc);
        scratchOptions.fixedArchitecture = arch;
        {
            Trainer trainer(scratch, space, train, first.valid, scratchOptions);
            for (int64_t u = 0; u < config_.standaloneUpdates; ++u) {
                if (!proceed()) return cancelled(i);
                trainer.step();
            }
        }
        const double alone = SubnetFitness(scratch, first.valid, config_.sentences, maxTokens)(arch);
        standalone.push_back(alone);
        publish(Event::make(runId_, "study_standalone",
                            {{"index", i},
                             {"count", archs.size()},
                             {"arch_key", arch.key()},
                             {"standalone_nll", alone},
                             {"updates", config_.standaloneUpdates},
                             {"seconds", std::chrono::duration<double>(Clock::now() - t0).count()}}));
        spdlog::info("run {}: {}/{} standalone {:.4f}", runId_, i + 1, archs.size(), alone);

        // Inherited, then fine-tuned, from every supernet.
        for (size_t r = 0; r < sources.size(); ++r) {
            if (!proceed()) return cancelled(i);
            t0 = Clock::now();
            const double nll = inherited[r](arch);
            std::vector<std::pair<int64_t, double>> curve{{0, nll}};
            if (config_.finetuneUpdates > 0) {
                SuperTransformer tuned = collapsedSupernet(*sources[r].model, arch);
                finetuneOptions.fixedArchitecture = arch;
                torch::manual_seed(config_.seed);
                Trainer trainer(tuned, space, train, first.valid, finetuneOptions);
                SubnetFitness fitness(tuned, first.valid, config_.sentences, maxTokens);
                for (int64_t u = 1; u <= config_.finetuneUpdates; ++u) {
                    if (!proceed()) return cancelled(i);
                    trainer.step();
                    if (u % every == 0 || u == config_.finetuneUpdates) curve.emplace_back(u, fitness(arch));
                }
            }
            inheritedNll[r].push_back(nll);
            curves[r].push_back(curve);
            const auto reach = updatesToReach(curve, alone);
            nlohmann::json points = nlohmann::json::array();
            for (const auto& [u, v] : curve)
                points.push_back({u, v});
            publish(Event::make(runId_, "study_inherited",
                                {{"index", i},
                                 {"run", sources[r].runId},
                                 {"kind", rows[r].kind},
                                 {"arch_key", arch.key()},
                                 {"inherited_nll", nll},
                                 {"standalone_nll", alone},
                                 {"finetune", points},
                                 {"updates_to_standalone", reach ? nlohmann::json(*reach) : nlohmann::json()},
                                 {"seconds", std::chrono::duration<double>(Clock::now() - t0).count()}}));
            spdlog::info("run {}: arch {} run {}: inherited {:.4f}, fine-tuned {:.4f}", runId_, i + 1,
                         sources[r].runId, nll, curve.back().second);
        }
    }
    stage(stage::kStudy, stage::kFinished, {{"studied", archs.size()}});
    nlohmann::json result = nlohmann::json::array();
    for (size_t r = 0; r < sources.size(); ++r) {
        GapStudyRunResult g = summarizeGap(inheritedNll[r], standalone, curves[r]);
        g.run = rows[r].run;
        g.kind = rows[r].kind;
        g.updates = rows[r].updates;
        g.secondsPerUpdate = rows[r].secondsPerUpdate;
        results_.push_back(g);
        result.push_back(g.toJson());
    }
    publish(Event::make(runId_, "study_result",
                        {{"runs", result}, {"standalone_nll", standalone}, {"archs", archs.size()}}));
    setStatus(RunStatus::Finished);
}

} // namespace automoe
