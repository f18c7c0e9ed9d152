// MoeStudyModel is what the events of a MoE-vs-dense study run (kind "moe_study", core/run/MoeDenseStudy.h)
// have said so far: its setup (baseline, FLOPs budgets, stage names), the run behind every stage and whether
// it started or finished, and the table's rows, one per (method, budget), a row emitted again replacing the
// earlier one. Events are applied one at a time in log order, live or replayed, through RunDocument::apply;
// it holds no widgets, draws nothing and computes no figure (every number is the core's row).
#pragma once

#include "run/MoeStudyRow.h"
#include "store/Event.h"

#include <QString>
#include <QStringList>
#include <cstdint>
#include <optional>
#include <vector>

namespace automoe::ui {

class MoeStudyModel {
public:
    struct Budget {
        double fraction = 0; // of the baseline's FLOPs
        double flops = 0;
    };

    // From "moe_study_setup".
    struct Setup {
        nlohmann::json baseline; // the baseline architecture (architectureToJson)
        QString baselineKey;
        double baselineFlops = 0;
        std::vector<Budget> budgets;
        QStringList stages; // in the order the study runs them
        double minutes = 0; // per training stage, or
        std::int64_t updates = 0;
        QString space, corpus;
    };

    // What a stage is, as its events and the study's status say.
    enum class StageState { Pending, Running, Finished, Cancelled, Failed, Interrupted };

    struct Stage {
        QString name;         // "baseline", "dense_supernet", "moe_search@0.5", ...
        std::int64_t run = 0; // 0 until it started
        bool started = false;
        bool finished = false;
        int starts = 0; // "started" events: more than one when a resumed study continued it
    };

    // Applies one event; returns whether the study changed. Events that are not the study's are ignored; a
    // study event whose payload cannot be read changes nothing and is listed in errors().
    bool apply(const Event& event);
    void clear();

    const std::optional<Setup>& setup() const { return setup_; }
    bool hasSetup() const { return setup_.has_value(); }
    // The setup's stages in its order, then any other stage the events named, in arrival order.
    const std::vector<Stage>& stages() const { return stages_; }
    const Stage* stage(const QString& name) const;
    // What `stage` is when the study run's status is `status`: a stage begun and not finished is running
    // while the study runs, else cancelled, failed or interrupted as the study was.
    static StageState stateOf(const Stage& stage, RunStatus status);
    static QString stateText(StageState state);
    // "(a) baseline", "(b) dense supernet", "(c) MoE search 0.5x": a stage's name for people.
    static QString stageLabel(const QString& name);

    // One row per (method, budget) in the order they first arrived (baseline, then per budget dense and
    // MoE); a row emitted again (a resumed study, the stored result) replaces the earlier one in place.
    const std::vector<MoeDenseStudyRow>& rows() const { return rows_; }
    // The row of `method` at `budget` (unset for the baseline), or nullptr.
    const MoeDenseStudyRow* row(const std::string& method, std::optional<double> budget) const;
    // "(a) baseline", "(b) dense search", "(c) MoE search".
    static QString methodLabel(const std::string& method);
    // 0, 1, 2 for baseline, dense, moe (the table's and the plot's order).
    static int methodRank(const std::string& method);

    // "moe_study_result" arrived: the table is the stored one.
    bool hasResult() const { return hasResult_; }
    std::int64_t retrainUpdates() const { return retrainUpdates_; }
    double seconds() const { return seconds_; }
    // "resumed" events of the study: sessions after the first.
    int resumes() const { return resumes_; }

    // Study events applied so far (ignored and unreadable ones not counted).
    int eventCount() const { return events_; }
    // "event 12 (moe_study_row): moe_study_row.bleu: expected a number, got "high"" for every study event
    // that could not be read.
    const QStringList& errors() const { return errors_; }

private:
    Stage& stageOf(const QString& name);
    void applySetup(const nlohmann::json& p);
    void applyStage(const nlohmann::json& p);
    void addRow(const MoeDenseStudyRow& row);
    void applyResult(const nlohmann::json& p);

    std::optional<Setup> setup_;
    std::vector<Stage> stages_;
    std::vector<MoeDenseStudyRow> rows_;
    bool hasResult_ = false;
    std::int64_t retrainUpdates_ = 0;
    double seconds_ = 0;
    int resumes_ = 0;
    int events_ = 0;
    QStringList errors_;
};

} // namespace automoe::ui
