// Pins "live and replay are one path": a RunPlayer following a run while its rows are committed, a RunPlayer
// replaying the finished run, and the same rows fed straight into the views all plot the same points in
// TrainingView and ParetoView; seeking the timeline back and forth (the player, and the TimelineBar's slider)
// shows exactly the run as it was at that event.
#include "RunTestSupport.h"
#include "ui/run/RunDocument.h"
#include "ui/run/RunFeed.h"
#include "ui/run/RunPlayer.h"
#include "ui/run/TimelineBar.h"

#include "TestMain.h"
#include <QElapsedTimer>
#include <QSlider>
#include <QtTest/QtTest>
#include <thread>

using namespace automoe;
using namespace automoe::ui;

namespace {

// The views of a player: both follow the player's document.
struct Views {
    RunDocument document;
    TrainingView training;
    ParetoView pareto;
    Views() {
        training.setDocument(&document);
        pareto.setDocument(&document);
    }
};

// The views fed directly with events[0, count): the reference.
std::unique_ptr<Views> reference(const std::vector<Event>& events, std::size_t count) {
    auto v = std::make_unique<Views>();
    v->training.setDocument(nullptr);
    v->pareto.setDocument(nullptr);
    runtest::feedDirect(events, count, v->training, v->pareto);
    return v;
}

} // namespace

class TestReplay : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;
    QString db_;
    std::vector<Event> events_;

private slots:
    void initTestCase() {
        // Run 1 is written while a player follows it; the other tests replay it, finished.
        db_ = dir_.filePath("runs.sqlite");
        RunStore store(db_.toStdString());
        const std::int64_t run = runtest::createRun(store, "replay");
        events_ = runtest::syntheticRun(run, 400, 4, 11);
    }

    void liveEqualsDirectFeed() {
        RunStore store(db_.toStdString());
        Views live;
        RunPlayer player(&live.document);
        player.follow(db_, 1);
        std::thread writer([&] {
            for (std::size_t i = 0; i < events_.size(); ++i) {
                store.append(events_[i]);
                if (i % 30 == 29) {
                    store.flush();
                    std::this_thread::sleep_for(std::chrono::milliseconds(10));
                }
            }
            store.flush();
        });
        QTRY_COMPARE_WITH_TIMEOUT(player.position(), qint64(events_.size()), 20000);
        writer.join();
        QVERIFY(player.feed()->batchesDelivered() > 1);
        const auto ref = reference(events_, events_.size());
        runtest::compareViews(live.training, live.pareto, ref->training, ref->pareto);
        QCOMPARE(live.training.trainLoss().size(), 400);
        QCOMPARE(live.pareto.pointCount(), 48);
    }

    void replayEqualsLive() {
        Views replay;
        RunPlayer player(&replay.document);
        player.openReplay(db_, 1);
        QTRY_COMPARE_WITH_TIMEOUT(player.lastSeq(), qint64(events_.size()), 10000);
        QCOMPARE(player.position(), qint64(0)); // nothing until played or sought
        QCOMPARE(replay.training.trainLoss().size(), 0);
        player.seek(player.lastSeq());
        QTRY_COMPARE_WITH_TIMEOUT(player.position(), qint64(events_.size()), 10000);
        const auto ref = reference(events_, events_.size());
        runtest::compareViews(replay.training, replay.pareto, ref->training, ref->pareto);
    }

    void seekingBackAndForthShowsTheRunAtThatEvent() {
        Views v;
        RunPlayer player(&v.document);
        QSignalSpy cleared(&v.document, &RunDocument::cleared);
        player.openReplay(db_, 1);
        const qint64 end = qint64(events_.size());
        for (qint64 seq : {end, qint64(120), qint64(300), qint64(5), end, qint64(120)}) {
            player.seek(seq);
            QTRY_COMPARE_WITH_TIMEOUT(player.position(), seq, 10000);
            QTest::qWait(150); // nothing past the point arrives
            QCOMPARE(player.position(), seq);
            const auto ref = reference(events_, std::size_t(seq));
            runtest::compareViews(v.training, v.pareto, ref->training, ref->pareto);
        }
        QVERIFY(cleared.count() >= 3); // every seek back cleared the views
    }

    void timelineSliderDrivesThePlayer() {
        Views v;
        RunPlayer player(&v.document);
        TimelineBar bar(&player);
        player.openReplay(db_, 1);
        QTRY_COMPARE_WITH_TIMEOUT(bar.slider()->maximum(), int(events_.size()), 10000);
        QVERIFY(bar.isEnabled());
        // Drag: press, move, release.
        bar.slider()->setSliderDown(true);
        bar.slider()->setSliderPosition(250);
        bar.slider()->setSliderDown(false);
        QTRY_COMPARE_WITH_TIMEOUT(player.position(), qint64(250), 10000);
        runtest::compareViews(v.training, v.pareto, reference(events_, 250)->training,
                              reference(events_, 250)->pareto);
        // A page step back (a click in the groove) goes back by a twentieth of the run.
        bar.slider()->triggerAction(QAbstractSlider::SliderPageStepSub);
        const qint64 back = 250 - bar.slider()->pageStep();
        QTRY_COMPARE_WITH_TIMEOUT(player.position(), back, 10000);
        QCOMPARE(bar.slider()->value(), int(back));
        runtest::compareViews(v.training, v.pareto, reference(events_, std::size_t(back))->training,
                              reference(events_, std::size_t(back))->pareto);

        // Play at max speed from there reaches the end with the full picture.
        bar.speedBox()->setCurrentIndex(bar.speedBox()->count() - 1);
        QCOMPARE(player.speed(), RunFeed::kMaxSpeed);
        bar.playButton()->click();
        QVERIFY(player.isPlaying());
        QTRY_COMPARE_WITH_TIMEOUT(player.position(), qint64(events_.size()), 10000);
        QCOMPARE(bar.slider()->value(), int(events_.size()));
        runtest::compareViews(v.training, v.pareto, reference(events_, events_.size())->training,
                              reference(events_, events_.size())->pareto);
    }

    void playAtFourTimesKeepsTheSamePoints() {
        const QString db = dir_.filePath("short.sqlite");
        std::vector<Event> events;
        {
            RunStore store(db.toStdString());
            events = runtest::syntheticRun(runtest::createRun(store, "short"), 40, 1, 5);
            for (const Event& e : events)
                store.append(e);
        }
        Views v;
        RunPlayer player(&v.document);
        player.openReplay(db, 1);
        QTRY_COMPARE_WITH_TIMEOUT(player.lastSeq(), qint64(events.size()), 10000);
        player.setSpeed(4);
        QElapsedTimer clock;
        clock.start();
        player.play();
        QTRY_COMPARE_WITH_TIMEOUT(player.position(), qint64(events.size()), 15000);
        // Paced at 4x the logged pace: the run spans 40 ms per event, so the replay cannot end sooner than a
        // quarter of that (a busy machine only makes it slower; as fast as possible would take a few ms).
        const double spanMs = double(events.back().timeMs - events.front().timeMs);
        QVERIFY2(double(clock.elapsed()) >= 0.9 * spanMs / 4,
                 qPrintable(QStringLiteral("%1 ms for a %2 ms run at 4x").arg(clock.elapsed()).arg(spanMs)));
        QVERIFY2(player.feed()->batchesDelivered() > 1,
                 qPrintable(QString::number(player.feed()->batchesDelivered())));
        runtest::compareViews(v.training, v.pareto, reference(events, events.size())->training,
                              reference(events, events.size())->pareto);
    }
};

AUTOMOE_TEST_MAIN(TestReplay)
#include "tst_replay.moc"
