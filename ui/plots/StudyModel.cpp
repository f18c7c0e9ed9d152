#include "ui/plots/StudyModel.h"

#include "run/GapSummary.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace automoe::ui {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// A number the core writes as null when it is not finite (GapStudyRun's number()).
double number(const nlohmann::json& j, const char* key) {
    const nlohmann::json& v = j.at(key);
    return v.is_null() ? kNaN : v.get<double>();
}

// An optional field: NaN when absent or null.
double numberOr(const nlohmann::json& j, const char* key) {
    const auto it = j.find(key);
    return it == j.end() || it->is_null() ? kNaN : it->get<double>();
}

QString text(const nlohmann::json& j, const char* key) {
    const auto it = j.find(key);
    return it == j.end() || !it->is_string() ? QString() : QString::fromStdString(it->get<std::string>());
}

} // namespace

bool StudyModel::apply(const Event& event) {
    const std::string& type = event.type;
    if (type != "study_setup" && type != "study_standalone" && type != "study_inherited" &&
        type != "study_result")
        return false;
    try {
        if (!event.payload.is_object()) throw std::invalid_argument("the payload is not an object");
        // Every reader below takes what it needs before it changes anything, so a bad payload leaves the
        // study as it was.
        if (type == "study_setup")
            applySetup(event.payload);
        else if (type == "study_standalone")
            applyStandalone(event.payload);
        else if (type == "study_inherited")
            applyInherited(event.payload);
        else
            applyResult(event.payload);
    } catch (const std::exception& e) {
        errors_.append(QStringLiteral("event %1 (%2): %3")
                           .arg(event.seq)
                           .arg(QString::fromStdString(type), QString::fromUtf8(e.what())));
        return false;
    }
    ++events_;
    return true;
}

void StudyModel::clear() {
    *this = StudyModel();
}

const StudyModel::Run* StudyModel::run(std::int64_t id) const {
    for (const Run& r : runs_)
        if (r.id == id) return &r;
    return nullptr;
}

int StudyModel::pointCount() const {
    int n = 0;
    for (const Run& r : runs_)
        n += int(r.points.size());
    return n;
}

StudyModel::Run& StudyModel::runOf(std::int64_t id) {
    for (Run& r : runs_)
        if (r.id == id) return r;
    Run r;
    r.id = id;
    r.secondsPerUpdate = kNaN;
    r.live = summarize({});
    runs_.push_back(r);
    return runs_.back();
}

StudyModel::Arch& StudyModel::archOf(int index) {
    for (Arch& a : archs_)
        if (a.index == index) return a;
    Arch a;
    a.index = index;
    archs_.push_back(a);
    std::sort(archs_.begin(), archs_.end(), [](const Arch& x, const Arch& y) { return x.index < y.index; });
    for (Arch& b : archs_)
        if (b.index == index) return b;
    throw std::logic_error("StudyModel::archOf");
}

void StudyModel::applySetup(const nlohmann::json& p) {
    struct RunSetup {
        std::int64_t id;
        QString name, kind, sampling;
        std::int64_t updates;
        double secondsPerUpdate;
    };
    std::vector<RunSetup> runs;
    for (const nlohmann::json& r : p.at("runs"))
        runs.push_back({r.at("run").get<std::int64_t>(), text(r, "name"), text(r, "kind"),
                        text(r, "sampling"), r.value("updates", std::int64_t(0)),
                        numberOr(r, "seconds_per_update")});
    struct ArchSetup {
        int index;
        QString key;
        nlohmann::json arch;
    };
    std::vector<ArchSetup> archs;
    for (const nlohmann::json& a : p.at("archs"))
        archs.push_back({a.at("index").get<int>(), text(a, "arch_key"), a.value("arch", nlohmann::json())});
    const std::int64_t standalone = p.value("standalone_updates", std::int64_t(0));
    const std::int64_t finetune = p.value("finetune_updates", std::int64_t(0));

    hasSetup_ = true;
    standaloneUpdates_ = standalone;
    finetuneUpdates_ = finetune;
    for (const RunSetup& s : runs) {
        Run& r = runOf(s.id);
        r.name = s.name;
        r.kind = s.kind;
        r.sampling = s.sampling;
        r.updates = s.updates;
        r.secondsPerUpdate = s.secondsPerUpdate;
    }
    for (const ArchSetup& a : archs) {
        Arch& arch = archOf(a.index);
        arch.key = a.key;
        arch.arch = a.arch;
    }
}

void StudyModel::applyStandalone(const nlohmann::json& p) {
    const int index = p.at("index").get<int>();
    const double nll = number(p, "standalone_nll");
    const QString key = text(p, "arch_key");
    Arch& a = archOf(index);
    if (!key.isEmpty()) a.key = key;
    a.standaloneNll = nll;
}

void StudyModel::applyInherited(const nlohmann::json& p) {
    Point point;
    point.index = p.at("index").get<int>();
    point.archKey = text(p, "arch_key");
    point.standaloneNll = number(p, "standalone_nll");
    point.inheritedNll = number(p, "inherited_nll");
    if (const auto it = p.find("finetune"); it != p.end() && it->is_array())
        for (const nlohmann::json& uv : *it)
            point.finetune.emplace_back(uv.at(0).get<std::int64_t>(),
                                        uv.at(1).is_null() ? kNaN : uv.at(1).get<double>());
    if (const auto it = p.find("updates_to_standalone"); it != p.end() && !it->is_null())
        point.updatesToStandalone = it->get<std::int64_t>();
    const std::int64_t id = p.at("run").get<std::int64_t>();
    const QString kind = text(p, "kind");

    Run& r = runOf(id);
    if (r.kind.isEmpty()) r.kind = kind;
    // An architecture studied again (the later event wins) replaces its point.
    auto same = std::find_if(r.points.begin(), r.points.end(),
                             [&](const Point& q) { return q.index == point.index; });
    if (same != r.points.end())
        *same = point;
    else
        r.points.push_back(point);
    r.live = summarize(r.points);
    Arch& a = archOf(point.index);
    if (a.key.isEmpty()) a.key = point.archKey;
    if (!a.standaloneNll) a.standaloneNll = point.standaloneNll;
}

void StudyModel::applyResult(const nlohmann::json& p) {
    const int archs = p.value("archs", 0);
    std::vector<std::pair<std::int64_t, Summary>> rows;
    std::vector<std::tuple<QString, double, std::int64_t>> runFacts;
    for (const nlohmann::json& r : p.at("runs")) {
        Summary s;
        s.kendallTau = number(r, "kendall_tau");
        s.meanAbsGap = number(r, "mean_abs_gap");
        s.meanGap = number(r, "mean_gap");
        s.reached = r.at("reached").get<int>();
        s.archs = archs;
        s.meanUpdatesToReach = number(r, "mean_updates_to_reach");
        s.finetunedMeanAbsGap = numberOr(r, "finetuned_mean_abs_gap");
        rows.emplace_back(r.at("run").get<std::int64_t>(), s);
        runFacts.emplace_back(text(r, "kind"), numberOr(r, "seconds_per_update"),
                              r.value("updates", std::int64_t(-1)));
    }
    hasResult_ = true;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        Run& run = runOf(rows[i].first);
        run.stored = rows[i].second;
        const auto& [kind, spu, updates] = runFacts[i];
        if (!kind.isEmpty()) run.kind = kind;
        if (!std::isnan(spu)) run.secondsPerUpdate = spu;
        if (updates >= 0) run.updates = updates;
    }
}

StudyModel::Summary StudyModel::summarize(const std::vector<Point>& points) {
    // The core's summary, the one GapStudyRun stores: live and stored figures agree by construction.
    std::vector<double> inherited, standalone;
    std::vector<std::vector<std::pair<std::int64_t, double>>> curves;
    for (const Point& p : points) {
        inherited.push_back(p.inheritedNll);
        standalone.push_back(p.standaloneNll);
        curves.push_back(p.finetune);
    }
    const GapStudyRunResult r = summarizeGap(inherited, standalone, curves);
    Summary s;
    s.archs = int(points.size());
    s.kendallTau = r.kendallTau;
    s.meanAbsGap = r.meanAbsGap;
    s.meanGap = r.meanGap;
    s.reached = r.reached;
    s.meanUpdatesToReach = r.meanUpdatesToReach;
    s.finetunedMeanAbsGap = r.finetunedMeanAbsGap;
    return s;
}

} // namespace automoe::ui
