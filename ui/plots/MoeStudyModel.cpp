#include "ui/plots/MoeStudyModel.h"

#include "util/JsonField.h"

#include <QObject>
#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace automoe::ui {

namespace {

constexpr const char* kSetup = "moe_study_setup";
constexpr const char* kStage = "moe_study_stage";
constexpr const char* kRow = "moe_study_row";
constexpr const char* kResult = "moe_study_result";

bool sameBudget(const std::optional<double>& a, const std::optional<double>& b) {
    if (a.has_value() != b.has_value()) return false;
    return !a || std::abs(*a - *b) < 1e-12;
}

QString qstr(const std::string& s) {
    return QString::fromStdString(s);
}

} // namespace

bool MoeStudyModel::apply(const Event& event) {
    const std::string& type = event.type;
    // "resumed" is every resumable kind's; it is the study's once the study's setup is known.
    const bool resumed = type == "resumed" && setup_;
    if (type != kSetup && type != kStage && type != kRow && type != kResult && !resumed) return false;
    try {
        if (!event.payload.is_object()) throw std::invalid_argument(type + ": the payload is not an object");
        // Every reader below takes what it needs before it changes anything, so a bad payload leaves the
        // study as it was.
        if (type == kSetup)
            applySetup(event.payload);
        else if (type == kStage)
            applyStage(event.payload);
        else if (type == kRow)
            addRow(MoeDenseStudyRow::fromJson(event.payload));
        else if (type == kResult)
            applyResult(event.payload);
        else
            ++resumes_;
    } catch (const std::exception& e) {
        errors_.append(
            QStringLiteral("event %1 (%2): %3").arg(event.seq).arg(qstr(type), QString::fromUtf8(e.what())));
        return false;
    }
    ++events_;
    return true;
}

void MoeStudyModel::clear() {
    *this = MoeStudyModel();
}

const MoeStudyModel::Stage* MoeStudyModel::stage(const QString& name) const {
    for (const Stage& s : stages_)
        if (s.name == name) return &s;
    return nullptr;
}

MoeStudyModel::Stage& MoeStudyModel::stageOf(const QString& name) {
    for (Stage& s : stages_)
        if (s.name == name) return s;
    Stage s;
    s.name = name;
    stages_.push_back(s);
    return stages_.back();
}

MoeStudyModel::StageState MoeStudyModel::stateOf(const Stage& stage, RunStatus status) {
    if (stage.finished) return StageState::Finished;
    if (!stage.started) return StageState::Pending;
    switch (status) {
    case RunStatus::Cancelled:
        return StageState::Cancelled;
    case RunStatus::Failed:
        return StageState::Failed;
    case RunStatus::Interrupted:
        return StageState::Interrupted;
    default:
        // A finished study finished every stage it began; created, running or paused: under way.
        return StageState::Running;
    }
}

QString MoeStudyModel::stateText(StageState state) {
    switch (state) {
    case StageState::Pending:
        return QObject::tr("not begun");
    case StageState::Running:
        return QObject::tr("running");
    case StageState::Finished:
        return QObject::tr("finished");
    case StageState::Cancelled:
        return QObject::tr("cancelled");
    case StageState::Failed:
        return QObject::tr("failed");
    case StageState::Interrupted:
        return QObject::tr("interrupted");
    }
    return {};
}

QString MoeStudyModel::stageLabel(const QString& name) {
    const int at = name.indexOf(QLatin1Char('@'));
    const QString what = at < 0 ? name : name.left(at);
    const QString budget = at < 0 ? QString() : QLatin1Char(' ') + name.mid(at + 1) + QLatin1Char('x');
    if (what == QLatin1String("baseline")) return QObject::tr("(a) baseline") + budget;
    const bool dense = what.startsWith(QLatin1String("dense_"));
    const bool moe = what.startsWith(QLatin1String("moe_"));
    if (!dense && !moe) return name;
    const QString step = what.mid(what.indexOf(QLatin1Char('_')) + 1); // supernet, search, retrain
    return (dense ? QObject::tr("(b) dense %1") : QObject::tr("(c) MoE %1")).arg(step) + budget;
}

QString MoeStudyModel::methodLabel(const std::string& method) {
    if (method == "baseline") return QObject::tr("(a) dense baseline");
    if (method == "dense") return QObject::tr("(b) dense search");
    if (method == "moe") return QObject::tr("(c) MoE search");
    return qstr(method);
}

int MoeStudyModel::methodRank(const std::string& method) {
    return method == "baseline" ? 0 : method == "dense" ? 1 : method == "moe" ? 2 : 3;
}

const MoeDenseStudyRow* MoeStudyModel::row(const std::string& method, std::optional<double> budget) const {
    for (const MoeDenseStudyRow& r : rows_)
        if (r.method == method && sameBudget(r.budget, budget)) return &r;
    return nullptr;
}

void MoeStudyModel::applySetup(const nlohmann::json& p) {
    const JsonFields f = JsonFields::at(kSetup);
    Setup s;
    s.baseline = p.contains("baseline") ? p.at("baseline") : nlohmann::json();
    s.baselineKey = qstr(f.get(p, "baseline_key", std::string()));
    s.baselineFlops = f.required<double>(p, "baseline_flops");
    const auto budgets = f.get(p, "budgets", std::vector<nlohmann::json>());
    for (std::size_t i = 0; i < budgets.size(); ++i) {
        const JsonFields fb = JsonFields::at(std::string(kSetup) + ".budgets[" + std::to_string(i) + "]");
        s.budgets.push_back(
            {fb.required<double>(budgets[i], "fraction"), fb.required<double>(budgets[i], "flops")});
    }
    for (const std::string& name : f.get(p, "stages", std::vector<std::string>()))
        s.stages << qstr(name);
    s.minutes = f.get(p, "minutes", 0.0);
    s.updates = f.get(p, "updates", std::int64_t(0));
    s.space = qstr(f.get(p, "space", std::string()));
    s.corpus = qstr(f.get(p, "corpus", std::string()));

    // The setup's order first; stages the events named before it keep their state.
    std::vector<Stage> ordered;
    for (const QString& name : s.stages) {
        const Stage* known = stage(name);
        ordered.push_back(known ? *known : Stage{name});
    }
    for (const Stage& st : stages_)
        if (!s.stages.contains(st.name)) ordered.push_back(st);
    stages_ = std::move(ordered);
    setup_ = std::move(s);
}

void MoeStudyModel::applyStage(const nlohmann::json& p) {
    const JsonFields f = JsonFields::at(kStage);
    const QString name = qstr(f.required<std::string>(p, "stage"));
    const std::int64_t run = f.required<std::int64_t>(p, "run");
    const std::string state = f.required<std::string>(p, "state");
    if (state != "started" && state != "finished")
        throw std::invalid_argument(std::string(kStage) + ".state: expected started or finished, got \"" +
                                    state + "\"");
    Stage& s = stageOf(name);
    s.run = run;
    if (state == "started") {
        s.started = true;
        s.finished = false; // a stage is only begun again by a study that resumes it
        ++s.starts;
    } else {
        s.started = true;
        s.finished = true;
    }
}

void MoeStudyModel::addRow(const MoeDenseStudyRow& row) {
    for (MoeDenseStudyRow& r : rows_)
        if (r.method == row.method && sameBudget(r.budget, row.budget)) {
            r = row;
            return;
        }
    rows_.push_back(row);
}

void MoeStudyModel::applyResult(const nlohmann::json& p) {
    const JsonFields f = JsonFields::at(kResult);
    std::vector<MoeDenseStudyRow> rows;
    const auto stored = f.get(p, "rows", std::vector<nlohmann::json>());
    for (std::size_t i = 0; i < stored.size(); ++i) {
        try {
            rows.push_back(MoeDenseStudyRow::fromJson(stored[i]));
        } catch (const std::invalid_argument& e) {
            throw std::invalid_argument(std::string(kResult) + ".rows[" + std::to_string(i) +
                                        "]: " + e.what());
        }
    }
    const std::int64_t updates = f.get(p, "retrain_updates", std::int64_t(0));
    const double seconds = f.get(p, "seconds", 0.0);
    for (const MoeDenseStudyRow& r : rows)
        addRow(r);
    hasResult_ = true;
    retrainUpdates_ = updates;
    seconds_ = seconds;
}

} // namespace automoe::ui
