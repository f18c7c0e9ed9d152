// RoutingResult is what `automoe route --json` printed, as plain values the routing view draws: per
// sentence its source and target tokens and, per FFN/MoE layer, each token's experts, widths, gates and
// drops; and the aggregates (expert load per layer, mean FLOPs per token type). Parsing needs no process,
// so it is tested on recorded output.
#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>
#include <QVector>

namespace automoe::ui {

struct RoutingAssignment {
    int expert = 0;
    int width = 0;
    double gate = 1.0;
    bool dropped = false;
};

struct RoutingToken {
    QString piece;    // SentencePiece piece, with U+2581 marking a word start
    QString type;     // special, punctuation, number, function, word, continuation
    double flops = 0; // FFN/MoE FLOPs over the token's stack
    // The piece as shown: the word marker removed, a continuation piece prefixed with "·".
    QString label() const;
};

struct RoutingLayer {
    bool encoder = true;
    int layer = 0;
    int topK = 1;
    int embedDim = 0;
    double routerFlops = 0;
    QVector<int> widths;
    QVector<QVector<RoutingAssignment>> tokens; // [token][k], best first
    bool dense() const { return widths.size() <= 1; }
    // "E0" / "D2"
    QString shortName() const;
};

struct RoutingSentence {
    QString source;
    QString translation;
    QVector<RoutingToken> sourceTokens;
    QVector<RoutingToken> targetTokens;
    QVector<RoutingLayer> layers; // encoder layers, then decoder layers
    const QVector<RoutingToken>& tokensOf(const RoutingLayer& l) const {
        return l.encoder ? sourceTokens : targetTokens;
    }
};

struct RoutingLoad {
    bool encoder = true;
    int layer = 0;
    int topK = 1;
    qint64 tokens = 0;
    QVector<int> widths;
    QVector<qint64> load;    // assignments per expert slot
    QVector<qint64> dropped; // of those, dropped
    QString shortName() const;
};

struct RoutingTypeFlops {
    bool encoder = true;
    QString type;
    qint64 tokens = 0;
    double meanFlops = 0;
};

struct RoutingResult {
    qint64 run = 0;
    qint64 checkpointUpdate = 0;
    QString arch;
    QString archKey;
    QString flopsCounted;
    QStringList tokenTypes;
    QVector<RoutingSentence> sentences;
    QString aggregateOver; // "valid" or "input"
    qint64 aggregateSentences = 0;
    QVector<RoutingLoad> loads;
    QVector<RoutingTypeFlops> flopsByType;

    // Throws std::runtime_error naming the field (e.g. "sentences[0].layers[1].gate: ...") on bad input.
    static RoutingResult fromJson(const QByteArray& json);
};

// The sources of `automoe route --list-valid N --json` ({"valid": [{"index", "source", "target"}]}). Throws
// std::runtime_error naming the field.
QStringList parseValidationSources(const QByteArray& json);

} // namespace automoe::ui
