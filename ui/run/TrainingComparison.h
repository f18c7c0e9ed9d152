// TrainingComparison holds the supernet runs whose training curves the Training view overlays on the run it
// shows: each compared run has a RunDocument of its own, filled by a RunPlayer that follows it (a RunFeed
// reading the database off the UI thread: the same path as the shown run, live or finished), so a run still
// training keeps growing in the overlay. Runs are listed in the order they were added; each keeps its colour.
#pragma once

#include <QColor>
#include <QList>
#include <QObject>
#include <QString>
#include <map>
#include <memory>

namespace automoe::ui {

class RunDocument;
class RunPlayer;

class TrainingComparison : public QObject {
    Q_OBJECT

public:
    explicit TrainingComparison(QObject* parent = nullptr);
    ~TrainingComparison() override;

    // Starts following run `runId` of `dbPath` (nothing when it is compared already). Unreadable runs are
    // reported through failed() and dropped.
    void add(const QString& dbPath, qint64 runId);
    void remove(qint64 runId);
    void clear();

    QList<qint64> runIds() const { return order_; }
    bool contains(qint64 runId) const { return runs_.count(runId) > 0; }
    bool isEmpty() const { return order_.isEmpty(); }
    // The document of a compared run (nullptr when it is not compared).
    RunDocument* document(qint64 runId) const;
    // Whether the run's feed still polls the database for new events (false once a finished or failed run
    // was read to its end).
    bool isFollowing(qint64 runId) const;
    // The colour of a compared run's curves: the first unused of a fixed list, so a run keeps its colour
    // while others come and go.
    QColor colour(qint64 runId) const;
    // "Run 7 · name" once the run's record was read, "Run 7" before.
    QString label(qint64 runId) const;

signals:
    void runAdded(qint64 runId);
    // Emitted before the run's document is deleted.
    void runRemoved(qint64 runId);
    void failed(qint64 runId, const QString& message);

private:
    void stopIfDone(qint64 runId);

    struct Compared {
        std::unique_ptr<RunDocument> document;
        std::unique_ptr<RunPlayer> player;
        int colourIndex = 0;
    };
    std::map<qint64, Compared> runs_;
    QList<qint64> order_;
};

} // namespace automoe::ui
