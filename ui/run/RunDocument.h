// RunDocument is the model of the run the workbench shows (the counterpart of Tiled's MapDocument): its
// record, its training steps, validations, routing and routing health, search candidates and generations, a
// gap study's points, a MoE-vs-dense study's stages and table, a DARTS search's architecture weights, its
// stages and progress, and which architecture is selected. A RunFeed fills it (RunPlayer::apply), live or in
// replay, through the same call; the training, Pareto and gap study views, the Run dock, the export dialog,
// the runs browser and the architecture figure observe it and hold no copies of their own. Rows are
// de-duplicated: a run that was killed and resumed logs the updates after its last checkpoint again, and each
// update is kept once (the later row wins).
#pragma once

#include "run/RunProgress.h"
#include "store/Event.h"
#include "store/RunRecords.h"
#include "ui/darts/DartsModel.h"
#include "ui/plots/CostMetric.h"
#include "ui/plots/MoeStudyModel.h"
#include "ui/plots/RoutingHealthModel.h"
#include "ui/plots/StudyModel.h"
#include "ui/run/FeedBatch.h"

#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>
#include <optional>
#include <vector>

namespace automoe::ui {

class RunDocument : public QObject {
    Q_OBJECT

public:
    explicit RunDocument(QObject* parent = nullptr);
    ~RunDocument() override;

    // Empties the document and makes it the model of run `runId` of `dbPath` (0: none).
    void reset(const QString& dbPath = QString(), qint64 runId = 0);
    // Adds what a feed delivered, in order; one change signal of each kind per batch.
    void apply(const FeedBatch& batch);

    // Following a run as it is written (true), or replaying it (false): a live run's clock is the wall
    // clock, a replayed run's is its last event shown.
    void setLive(bool live) { live_ = live; }
    bool isLive() const { return live_; }

    QString databasePath() const { return dbPath_; }
    qint64 runId() const { return runId_; }
    bool isOpen() const { return runId_ > 0; }
    // The run's record as last read (name, kind, config, derived status); empty until the feed read it.
    const std::optional<RunInfo>& info() const { return info_; }
    QString kind() const;
    QString name() const;
    // The derived status: the record's, else what the events said (created before either arrived).
    RunStatus status() const;
    // How many processes (ranks) run it: its configuration's trainer.world_size, a search's stage payload's
    // world_size, or its steps' per-rank shares; 1 for a one-process run and runs stored before them.
    int worldSize() const;

    const std::vector<TrainingStepRow>& steps() const { return steps_; }
    const std::vector<ValidationRow>& validations() const { return validations_; }
    const std::vector<CandidateRow>& candidates() const { return candidates_; }
    const std::vector<GenerationRow>& generations() const { return generations_; }
    const std::optional<RoutingSnapshot>& routing() const { return routing_; }
    // The routing health of every validation that had routing ("routing_health" events), by update.
    const RoutingHealthModel& routingHealth() const { return routingHealth_; }
    // A gap study run's architectures, points and per-run figures (its "study_*" events).
    const StudyModel& study() const { return study_; }
    // A MoE-vs-dense study run's setup, stages and table ("moe_study_*" events).
    const MoeStudyModel& moeStudy() const { return moeStudy_; }
    // A DARTS search run's setup, architecture weights per update and derived architecture ("darts_*").
    const DartsModel& darts() const { return darts_; }
    // Stages, progress and ETA (core's one definition, the same as the CLI's progress bar).
    const RunProgress& progress() const { return progress_; }
    // The run's story as log lines (stages, data, checkpoints, status, errors), for a run the app did not
    // start itself (replay) and alongside a child's own output.
    const QStringList& log() const { return log_; }
    // Seq of the last event applied.
    qint64 lastSeq() const { return lastSeq_; }
    qint64 latestUpdate() const { return steps_.empty() ? 0 : steps_.back().update; }

    // The search candidate of an architecture key (its newest row); nullptr when there is none.
    const CandidateRow* candidate(const QString& key) const { return candidate(0, key); }
    // The same in search `run`: 0 or runId() the shown one, else a compared search (nullptr when not one).
    const CandidateRow* candidate(qint64 run, const QString& key) const;
    // The Pareto front of the candidates on `metric` against fitness, sorted by cost (candidates without a
    // value of the metric left out; an architecture evaluated in several generations counts once); of the
    // shown search, or (`run`) of a compared one.
    std::vector<const CandidateRow*> front(CostMetric metric, qint64 run = 0) const;

    // The searches compared with the shown one (Run > Compare with Selected Run, issue 17): each one's
    // candidates as read to its last event and the name the views' overlays give it ("run 3"). Their
    // candidates can be selected and diffed like the shown search's (selectCandidate, diffWithSelected with
    // a run), so the figure draws them through the same path. Kept when the document is reset, as the views
    // keep their overlays; a search compared again replaces its candidates.
    void setComparedSearch(qint64 runId, const QString& name, const std::vector<CandidateRow>& rows);
    void removeComparedSearch(qint64 runId);
    void clearComparedSearches();
    QList<qint64> comparedSearches() const;
    // The name of compared search `runId` (empty when it is not compared) and the run of a name (0: none).
    QString comparedSearchName(qint64 runId) const;
    qint64 comparedSearchNamed(const QString& name) const;
    // A compared search's candidates; nullptr when `runId` is not compared.
    const std::vector<CandidateRow>* comparedCandidates(qint64 runId) const;
    // The tightest budget of the search on `metric`, from the run's config; none when it has none.
    std::optional<double> budget(CostMetric metric) const;

    // The architecture selected in any view: a candidate's key (empty when none) and the search it is a
    // candidate of (selectedRun(): 0 the shown search, else a compared search's run id).
    QString selectedKey() const { return selected_; }
    qint64 selectedRun() const { return selectedRun_; }
    // Selects candidate `key` of the shown search.
    void select(const QString& key) { selectCandidate(0, key); }
    // Selects candidate `key` of search `run` (0 or runId(): the shown one, else a compared one); ignored for
    // a run that is neither.
    void selectCandidate(qint64 run, const QString& key);
    // The selected candidate's row (of its search); nullptr when none.
    const CandidateRow* selectedCandidate() const { return candidate(selectedRun_, selected_); }
    // The architecture diffed with the selected one (issue 17): the figure draws the selected architecture
    // (A) and this one (B) side by side, each of its own search. Selecting another architecture ends the
    // diff; empty: none.
    QString diffKey() const { return diffKey_; }
    qint64 diffRun() const { return diffRun_; } // 0: the shown search, else a compared one
    const CandidateRow* diffCandidate() const { return candidate(diffRun_, diffKey_); }
    // Diffs `key` (of the shown search, or of search `run` as selectCandidate takes it) with the selected
    // architecture; ignored (false) without a selection, for the selected candidate itself or a run that is
    // not compared. An empty key ends the diff.
    bool diffWithSelected(const QString& key) { return diffWithSelected(0, key); }
    bool diffWithSelected(qint64 run, const QString& key);

signals:
    // reset(): every view drops what it shows.
    void cleared();
    void infoChanged();
    // steps()[first..] are new (updates beyond every one before).
    void stepsAdded(int first);
    // An update arrived again (a resumed run) and replaced its row: read steps() anew.
    void stepsRewritten();
    void validationsAdded(int first);
    void validationsRewritten();
    void candidatesAdded(int first);
    void generationsAdded(int first);
    void routingChanged();
    // routing_health events arrived (read routingHealth() anew: an update may have been replaced), or one
    // could not be read (listed in routingHealth().errors()).
    void routingHealthChanged();
    // Study events arrived; `firstEvent` is how many the study held before them (0: the study's first).
    void studyChanged(int firstEvent);
    // MoE-vs-dense study events arrived (or one could not be read: listed in moeStudy().errors());
    // `firstEvent` is how many the study held before them (0: the study's first).
    void moeStudyChanged(int firstEvent);
    // DARTS events arrived; `firstEvent` is how many the model held before them (0: the run's first).
    void dartsChanged(int firstEvent);
    void progressChanged();
    // log()[first..] are new.
    void logAdded(int first);
    // The selection changed (selectedKey(), selectedRun()); `key` is the selected key.
    void selectionChanged(const QString& key);
    // A search was compared, compared again or removed (comparedSearches()).
    void comparedSearchesChanged();
    // The diff with the selected architecture began (`key`: B) or ended (empty).
    void diffChanged(const QString& key);
    // After every apply(), once the signals above went out.
    void batchApplied();

private:
    bool addStep(const TrainingStepRow& row);     // false: replaced an earlier row
    bool addValidation(const ValidationRow& row); // false: replaced an earlier row
    void addLogLine(const Event& e);

    QString dbPath_;
    qint64 runId_ = 0;
    bool live_ = false;
    std::optional<RunInfo> info_;
    std::vector<TrainingStepRow> steps_;
    std::vector<ValidationRow> validations_;
    std::vector<CandidateRow> candidates_;
    std::vector<GenerationRow> generations_;
    std::optional<RoutingSnapshot> routing_;
    RoutingHealthModel routingHealth_;
    StudyModel study_;
    MoeStudyModel moeStudy_;
    DartsModel darts_;
    RunProgress progress_;
    QStringList log_;
    qint64 lastSeq_ = 0;
    int worldSize_ = 0; // from the events
    // A run as the selection stores it: 0 for the shown search; -1 when `run` is neither it nor compared.
    qint64 searchOf(qint64 run) const;

    QString selected_;
    qint64 selectedRun_ = 0;
    QString diffKey_;
    qint64 diffRun_ = 0;
    struct ComparedSearch {
        qint64 runId = 0;
        QString name;
        std::vector<CandidateRow> rows;
    };
    std::vector<ComparedSearch> compared_;
};

} // namespace automoe::ui
