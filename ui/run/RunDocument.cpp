#include "ui/run/RunDocument.h"

#include "run/EventText.h"
#include "search/Constraint.h"
#include "search/Pareto.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <variant>

namespace automoe::ui {

RunDocument::RunDocument(QObject* parent)
    : QObject(parent) {}

RunDocument::~RunDocument() = default;

void RunDocument::reset(const QString& dbPath, qint64 runId) {
    dbPath_ = dbPath;
    runId_ = runId;
    info_.reset();
    steps_.clear();
    validations_.clear();
    candidates_.clear();
    generations_.clear();
    routing_.reset();
    routingHealth_.clear();
    study_.clear();
    moeStudy_.clear();
    darts_.clear();
    progress_ = RunProgress();
    log_.clear();
    lastSeq_ = 0;
    worldSize_ = 0;
    const bool hadSelection = !selected_.isEmpty(), hadDiff = !diffKey_.isEmpty();
    selected_.clear();
    selectedRun_ = 0;
    diffKey_.clear();
    diffRun_ = 0;
    emit cleared();
    if (hadDiff) emit diffChanged(QString());
    if (hadSelection) emit selectionChanged(QString());
}

QString RunDocument::kind() const {
    return info_ ? QString::fromStdString(info_->spec.kind) : QString();
}

QString RunDocument::name() const {
    return info_ ? QString::fromStdString(info_->spec.name) : QString();
}

RunStatus RunDocument::status() const {
    if (info_) return info_->status;
    return progress_.status();
}

int RunDocument::worldSize() const {
    int world = worldSize_;
    if (info_) {
        const nlohmann::json& c = info_->spec.config;
        if (const auto t = c.find("trainer"); t != c.end() && t->is_object())
            if (const auto w = t->find("world_size"); w != t->end() && w->is_number_integer())
                world = std::max(world, w->get<int>());
    }
    return std::max(world, 1);
}

bool RunDocument::addStep(const TrainingStepRow& row) {
    if (steps_.empty() || row.update > steps_.back().update) {
        steps_.push_back(row);
        return true;
    }
    auto it =
        std::lower_bound(steps_.begin(), steps_.end(), row.update,
                         [](const TrainingStepRow& r, std::int64_t update) { return r.update < update; });
    if (it != steps_.end() && it->update == row.update)
        *it = row;
    else
        steps_.insert(it, row);
    return false;
}

bool RunDocument::addValidation(const ValidationRow& row) {
    auto later = [](const ValidationRow& a, const ValidationRow& b) {
        return a.update != b.update ? a.update < b.update : a.subnet < b.subnet;
    };
    if (validations_.empty() || later(validations_.back(), row)) {
        validations_.push_back(row);
        return true;
    }
    auto it = std::lower_bound(validations_.begin(), validations_.end(), row, later);
    if (it != validations_.end() && it->update == row.update && it->subnet == row.subnet)
        *it = row;
    else
        validations_.insert(it, row);
    return false;
}

void RunDocument::addLogLine(const Event& e) {
    const std::string text = eventText(e);
    if (!text.empty()) log_.append(QString::fromStdString(text));
}

void RunDocument::apply(const FeedBatch& batch) {
    const int firstStep = int(steps_.size()), firstValidation = int(validations_.size());
    const int firstCandidate = int(candidates_.size()), firstGeneration = int(generations_.size());
    const int firstLog = int(log_.size()), firstStudyEvent = study_.eventCount();
    const int firstDartsEvent = darts_.eventCount();
    const int firstMoeStudyEvent = moeStudy_.eventCount(),
              firstMoeStudyError = int(moeStudy_.errors().size());
    const int firstHealthEvent = routingHealth_.eventCount(),
              firstHealthError = int(routingHealth_.errors().size());
    bool stepsRewritten = false, validationsRewritten = false, routingChanged = false;
    bool infoChanged = false;
    if (batch.info) {
        if (!info_) progress_.setRun(batch.info->spec.kind, batch.info->spec.config);
        info_ = batch.info;
        infoChanged = true;
    }
    for (const Event& e : batch.events) {
        progress_.apply(e);
        std::visit(
            [&](const auto& row) {
                using T = std::decay_t<decltype(row)>;
                if constexpr (std::is_same_v<T, TrainingStepRow>) {
                    stepsRewritten |= !addStep(row);
                    worldSize_ = std::max(worldSize_, int(row.ranks.size()));
                } else if constexpr (std::is_same_v<T, ValidationRow>)
                    validationsRewritten |= !addValidation(row);
                else if constexpr (std::is_same_v<T, CandidateRow>)
                    candidates_.push_back(row);
                else if constexpr (std::is_same_v<T, GenerationRow>)
                    generations_.push_back(row);
                else if constexpr (std::is_same_v<T, RoutingSnapshot>) {
                    if (!routing_ || row.update >= routing_->update) {
                        routing_ = row;
                        routingChanged = true;
                    }
                }
            },
            e.row);
        if (std::holds_alternative<std::monostate>(e.row)) {
            if (e.type == "stage" && e.payload.is_object())
                if (const auto w = e.payload.find("world_size");
                    w != e.payload.end() && w->is_number_integer())
                    worldSize_ = std::max(worldSize_, w->get<int>());
            study_.apply(e);
            moeStudy_.apply(e);
            darts_.apply(e);
            routingHealth_.apply(e);
        }
        addLogLine(e);
        lastSeq_ = std::max<qint64>(lastSeq_, e.seq);
    }
    // A live status from the events is newer than a record read before them.
    if (info_ && !batch.events.empty() && progress_.status() != info_->status &&
        progress_.status() != RunStatus::Created && info_->status != RunStatus::Interrupted) {
        info_->status = progress_.status();
        infoChanged = true;
    }

    if (infoChanged) emit this->infoChanged();
    if (stepsRewritten)
        emit this->stepsRewritten();
    else if (int(steps_.size()) > firstStep)
        emit stepsAdded(firstStep);
    if (validationsRewritten)
        emit this->validationsRewritten();
    else if (int(validations_.size()) > firstValidation)
        emit validationsAdded(firstValidation);
    if (int(candidates_.size()) > firstCandidate) emit candidatesAdded(firstCandidate);
    if (int(generations_.size()) > firstGeneration) emit generationsAdded(firstGeneration);
    if (routingChanged) emit this->routingChanged();
    if (routingHealth_.eventCount() > firstHealthEvent ||
        int(routingHealth_.errors().size()) > firstHealthError)
        emit routingHealthChanged();
    if (study_.eventCount() > firstStudyEvent) emit studyChanged(firstStudyEvent);
    if (moeStudy_.eventCount() > firstMoeStudyEvent || int(moeStudy_.errors().size()) > firstMoeStudyError)
        emit moeStudyChanged(firstMoeStudyEvent);
    if (darts_.eventCount() > firstDartsEvent) emit dartsChanged(firstDartsEvent);
    if (!batch.events.empty()) emit progressChanged();
    if (int(log_.size()) > firstLog) emit logAdded(firstLog);
    emit batchApplied();
}

qint64 RunDocument::searchOf(qint64 run) const {
    if (run == 0 || run == runId_) return 0;
    for (const ComparedSearch& c : compared_)
        if (c.runId == run) return run;
    return -1;
}

const std::vector<CandidateRow>* RunDocument::comparedCandidates(qint64 runId) const {
    for (const ComparedSearch& c : compared_)
        if (c.runId == runId) return &c.rows;
    return nullptr;
}

const CandidateRow* RunDocument::candidate(qint64 run, const QString& key) const {
    const qint64 search = searchOf(run);
    if (search < 0 || key.isEmpty()) return nullptr;
    const std::vector<CandidateRow>& rows = search == 0 ? candidates_ : *comparedCandidates(search);
    const std::string k = key.toStdString();
    for (auto it = rows.rbegin(); it != rows.rend(); ++it)
        if (it->architecture.key == k) return &*it;
    return nullptr;
}

std::vector<const CandidateRow*> RunDocument::front(CostMetric metric, qint64 run) const {
    const qint64 search = searchOf(run);
    if (search < 0) return {};
    const std::vector<CandidateRow>& candidates = search == 0 ? candidates_ : *comparedCandidates(search);
    std::vector<const CandidateRow*> rows;
    std::vector<ParetoPoint> points;
    std::set<std::string> seen;
    for (auto it = candidates.rbegin(); it != candidates.rend(); ++it) { // newest row of each architecture
        const std::optional<double> cost = costOf(*it, metric);
        if (!cost || !std::isfinite(*cost) || !std::isfinite(it->fitness)) continue;
        if (!seen.insert(it->architecture.key).second) continue;
        rows.push_back(&*it);
        points.push_back({*cost, it->fitness});
    }
    std::vector<const CandidateRow*> out;
    for (std::size_t i : paretoFront(points))
        out.push_back(rows[i]);
    return out;
}

void RunDocument::setComparedSearch(qint64 runId, const QString& name,
                                    const std::vector<CandidateRow>& rows) {
    if (runId <= 0) return;
    auto it = std::find_if(compared_.begin(), compared_.end(),
                           [runId](const ComparedSearch& c) { return c.runId == runId; });
    if (it == compared_.end()) it = compared_.insert(compared_.end(), ComparedSearch{runId, name, {}});
    it->name = name;
    it->rows = rows;
    emit comparedSearchesChanged();
}

void RunDocument::removeComparedSearch(qint64 runId) {
    const auto it = std::find_if(compared_.begin(), compared_.end(),
                                 [runId](const ComparedSearch& c) { return c.runId == runId; });
    if (it == compared_.end()) return;
    // A selection or a diff's B of that search goes with it.
    if (diffRun_ == runId) diffWithSelected(QString());
    if (selectedRun_ == runId) select(QString());
    compared_.erase(it);
    emit comparedSearchesChanged();
}

void RunDocument::clearComparedSearches() {
    while (!compared_.empty())
        removeComparedSearch(compared_.back().runId);
}

QList<qint64> RunDocument::comparedSearches() const {
    QList<qint64> runs;
    for (const ComparedSearch& c : compared_)
        runs << c.runId;
    return runs;
}

QString RunDocument::comparedSearchName(qint64 runId) const {
    for (const ComparedSearch& c : compared_)
        if (c.runId == runId) return c.name;
    return QString();
}

qint64 RunDocument::comparedSearchNamed(const QString& name) const {
    for (const ComparedSearch& c : compared_)
        if (c.name == name) return c.runId;
    return 0;
}

std::optional<double> RunDocument::budget(CostMetric metric) const {
    if (!info_) return std::nullopt;
    // A search run stores its budgets as canonical constraint texts ("flops<=1.5e+08").
    const nlohmann::json& config = info_->spec.config;
    const auto constraints = config.find("constraints");
    if (constraints == config.end() || !constraints->is_array()) return std::nullopt;
    std::optional<double> limit;
    for (const nlohmann::json& text : *constraints) {
        if (!text.is_string()) continue;
        try {
            for (const Constraint& c :
                 parseConstraints(text.get<std::string>(), config.value("predicted", false))) {
                const bool match = metric == CostMetric::Flops ? c.metric == automoe::CostMetric::Flops
                                   : metric == CostMetric::ActiveParams
                                       ? c.metric == automoe::CostMetric::ParamsActive
                                       : c.metric == automoe::CostMetric::LatencyMeasured ||
                                             c.metric == automoe::CostMetric::LatencyPredicted;
                if (match) limit = limit ? std::min(*limit, c.limit) : c.limit;
            }
        } catch (const std::exception&) {
            // A budget this program cannot read draws no line.
        }
    }
    return limit;
}

void RunDocument::selectCandidate(qint64 run, const QString& key) {
    const qint64 search = key.isEmpty() ? 0 : searchOf(run);
    if (search < 0) return;
    if (key == selected_ && search == selectedRun_) return;
    selected_ = key;
    selectedRun_ = search;
    // The diff was with the architecture selected before: it ends.
    const bool hadDiff = !diffKey_.isEmpty();
    diffKey_.clear();
    diffRun_ = 0;
    emit selectionChanged(key);
    if (hadDiff) emit diffChanged(QString());
}

bool RunDocument::diffWithSelected(qint64 run, const QString& key) {
    const qint64 search = key.isEmpty() ? 0 : searchOf(run);
    if (search < 0) return false;
    if (!key.isEmpty() && (selected_.isEmpty() || (key == selected_ && search == selectedRun_))) return false;
    if (key == diffKey_ && search == diffRun_) return true;
    diffKey_ = key;
    diffRun_ = search;
    emit diffChanged(key);
    return true;
}

} // namespace automoe::ui
