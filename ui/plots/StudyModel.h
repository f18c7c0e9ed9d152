// StudyModel is what the events of a gap study run (kind "study", core/run/GapStudyRun.h) have said so far:
// its supernet runs, the architectures, one point (standalone NLL, inherited NLL, fine-tune curve) per
// architecture and run, and per run a summary computed live from the points seen (Kendall tau-b from the
// core's kendallTauB, mean gaps, fine-tunes that reached the standalone NLL) until the run's "study_result"
// replaces it with the stored one. Events are applied one at a time in log order, live or replayed; it holds
// no widgets and draws nothing.
#pragma once

#include "store/Event.h"

#include <QString>
#include <QStringList>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace automoe::ui {

class StudyModel {
public:
    // One architecture of the study, from "study_setup" (its standalone NLL once "study_standalone" came).
    struct Arch {
        int index = 0;
        QString key;
        nlohmann::json arch; // the architecture (architectureToJson), null when the setup had none
        std::optional<double> standaloneNll;
    };

    // One (architecture, supernet run) pair, from "study_inherited".
    struct Point {
        int index = 0; // the architecture's
        QString archKey;
        double standaloneNll = 0; // x
        double inheritedNll = 0;  // y
        std::vector<std::pair<std::int64_t, double>>
            finetune;                                    // (fine-tune updates, NLL), from (0, inherited)
        std::optional<std::int64_t> updatesToStandalone; // first curve point at or below standaloneNll
    };

    // A run's row of the study. NaN where a figure is undefined (every mean of no points, tau-b of fewer
    // than two points or of a constant series, mean updates to reach when no fine-tune reached the
    // standalone NLL).
    struct Summary {
        double kendallTau = 0;
        double meanAbsGap = 0; // mean |inherited - standalone|, nats per target token
        double meanGap = 0;    // mean (inherited - standalone)
        int reached = 0;
        int archs = 0; // architectures the figures are over
        double meanUpdatesToReach = 0;
        double finetunedMeanAbsGap = 0; // mean |last fine-tune NLL - standalone|
    };

    struct Run {
        std::int64_t id = 0;
        QString name;
        QString kind; // "shared", "mos-layer x2", ...
        QString sampling;
        std::int64_t updates = 0;      // the supernet's training updates
        double secondsPerUpdate = 0;   // its training time per update (NaN when unknown)
        std::vector<Point> points;     // in arrival order
        Summary live;                  // from `points`
        std::optional<Summary> stored; // from "study_result"
        // The stored summary once it arrived, else the live one.
        const Summary& summary() const { return stored ? *stored : live; }
        bool isFinal() const { return stored.has_value(); }
    };

    // Applies one event; returns whether the study changed. Events that are not the study's are ignored; a
    // study event whose payload lacks a field it needs changes nothing and is listed in errors().
    bool apply(const Event& event);
    void clear();

    // The figures of `points` (pure; what the live summary is).
    static Summary summarize(const std::vector<Point>& points);

    bool hasSetup() const { return hasSetup_; }
    bool hasResult() const { return hasResult_; }
    const std::vector<Run>& runs() const { return runs_; }
    const Run* run(std::int64_t id) const;
    const std::vector<Arch>& archs() const { return archs_; }
    int pointCount() const;
    // Study events applied so far (ignored ones not counted).
    int eventCount() const { return events_; }
    std::int64_t finetuneUpdates() const { return finetuneUpdates_; }
    std::int64_t standaloneUpdates() const { return standaloneUpdates_; }
    // "event 12 (study_inherited): ..." for every study event that could not be read.
    const QStringList& errors() const { return errors_; }

private:
    Run& runOf(std::int64_t id);
    Arch& archOf(int index);
    void applySetup(const nlohmann::json& p);
    void applyStandalone(const nlohmann::json& p);
    void applyInherited(const nlohmann::json& p);
    void applyResult(const nlohmann::json& p);

    bool hasSetup_ = false;
    bool hasResult_ = false;
    std::vector<Run> runs_;
    std::vector<Arch> archs_;
    std::int64_t standaloneUpdates_ = 0;
    std::int64_t finetuneUpdates_ = 0;
    int events_ = 0;
    QStringList errors_;
};

} // namespace automoe::ui
