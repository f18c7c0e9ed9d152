// DartsModel is what the events of a DARTS search run (kind "darts", issue 13) have said so far: its setup
// (the candidate operations of the encoder's and the decoder's mixed edges, the network's shape), the
// history of its architecture weights (the softmax weights of every edge after every update, from
// "darts_alpha"), and the architecture it derived at the end ("darts_derived"). Events are applied one at a
// time in log order, live or replayed, through RunDocument::apply; it holds no widgets and draws nothing.
// A resumed run logs the updates after its last checkpoint again: each update is kept once (the later row
// wins), as RunDocument does for training steps.
#pragma once

#include "space/DartsArchitecture.h"
#include "store/Event.h"

#include <QString>
#include <QStringList>
#include <cstdint>
#include <optional>
#include <vector>

namespace automoe::ui {

class DartsModel {
public:
    // weights[layer][edge][candidate]: softmax weights over the stack's candidates.
    using StackWeights = std::vector<std::vector<std::vector<double>>>;

    struct Setup {
        QStringList encoderCandidates, decoderCandidates;
        int hidden = 0, heads = 0, splits = 0;
        int encoderLayers = 0, decoderLayers = 0;
        bool reversible = true;
        std::int64_t weightParams = 0, alphaParams = 0;
    };

    // The architecture weights after one update.
    struct AlphaStep {
        std::int64_t update = 0;
        double alphaLoss = 0;
        StackWeights encoder, decoder;
        QString derived; // the argmax architecture's key, as the core wrote it
    };

    struct Derived {
        std::int64_t update = 0;
        DartsArchitecture architecture;
        QString key;
        std::int64_t params = 0;
    };

    // One row of the heat map: a mixed edge of a layer.
    struct Edge {
        bool decoder = false;
        int layer = 0; // 0-based
        int edge = 0;  // 0-based split
        QString label; // "enc L1 e1"
    };

    // Applies one event; returns whether the model changed. Events that are not DARTS events are ignored; a
    // DARTS event whose payload lacks a field it needs changes nothing and is listed in errors().
    bool apply(const Event& event);
    void clear();

    const std::optional<Setup>& setup() const { return setup_; }
    // One step per update, sorted by update.
    const std::vector<AlphaStep>& history() const { return history_; }
    // The index in history() of `update`, or -1.
    int indexOfUpdate(std::int64_t update) const;
    const std::optional<Derived>& derived() const { return derived_; }
    bool isEmpty() const { return !setup_ && history_.empty() && !derived_; }
    // The smallest and largest weight of every step applied (rewritten ones included), for a colour scale
    // that stays put while the timeline is scrubbed; (0, 0) before the first step.
    double minWeight() const { return minWeight_; }
    double maxWeight() const { return maxWeight_; }
    // The same for weight x candidates of its stack (1: the uniform weight), which compares stacks with
    // different numbers of candidates.
    double minRelative() const { return minRelative_; }
    double maxRelative() const { return maxRelative_; }
    // DARTS events applied so far (ignored ones not counted).
    int eventCount() const { return events_; }
    // "event 12 (darts_alpha): ..." for every DARTS event that could not be read.
    const QStringList& errors() const { return errors_; }

    // The heat map's rows: the encoder's edges layer by layer, then the decoder's (from the setup, else
    // from the newest step's shape).
    std::vector<Edge> edges() const;
    // The heat map's columns: the decoder's candidates, then any candidate only the encoder has.
    QStringList columns() const;
    // The column of candidate `c` of the encoder (decoder: false) or the decoder, or -1.
    int columnOf(bool decoder, int candidate) const;
    // The weights of edge `edge` at history()[index] (empty when out of range).
    const std::vector<double>& weights(int index, const Edge& edge) const;
    // DARTS' derivation at history()[index]: the core's deriveEdges (argmax per edge, zero excluded) in the
    // setup's shape; nullopt without a setup or when a candidate name is unknown to this program.
    std::optional<DartsArchitecture> architectureAt(int index) const;
    // The candidate index deriveEdges picks for `edge` at history()[index], or -1.
    int derivedCandidate(int index, const Edge& edge) const;

private:
    void applySetup(const nlohmann::json& p);
    void applyAlpha(const nlohmann::json& p);
    void applyDerived(const nlohmann::json& p);
    const QStringList& candidates(bool decoder) const;

    std::optional<Setup> setup_;
    std::vector<AlphaStep> history_;
    std::optional<Derived> derived_;
    double minWeight_ = 0, maxWeight_ = 0, minRelative_ = 0, maxRelative_ = 0;
    bool hasWeights_ = false;
    int events_ = 0;
    QStringList errors_;
};

} // namespace automoe::ui
