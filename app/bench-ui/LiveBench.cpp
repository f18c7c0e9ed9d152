#include "LiveBench.h"

#include "SyntheticRun.h"
#include "store/RunStore.h"
#include "ui/run/RunControlPanel.h"
#include "ui/run/RunPlayer.h"
#include "ui/shell/MainWindow.h"
#include "ui/shell/Settings.h"
#include "ui/shell/StallMonitor.h"
#include "ui/space/SpaceDocument.h"

#include <QDir>
#include <QElapsedTimer>
#include <QPlainTextEdit>
#include <QTemporaryDir>
#include <QTimer>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

namespace automoe::bench {

namespace {

using Clock = std::chrono::steady_clock;

// Sleeps until `t0 + seconds`, or returns false when told to stop.
bool sleepUntil(Clock::time_point t0, double seconds, const std::atomic<bool>& stop) {
    const auto until = t0 + std::chrono::microseconds(qint64(seconds * 1e6));
    while (Clock::now() < until) {
        if (stop) return false;
        std::this_thread::sleep_for(
            std::min<Clock::duration>(until - Clock::now(), std::chrono::milliseconds(20)));
    }
    return !stop;
}

} // namespace

int liveBenchmark(ui::ProfilingApplication& app, const LiveOptions& o) {
    using namespace automoe::ui;
    QTemporaryDir dir;
    const QString db = dir.filePath(QStringLiteral("runs.sqlite"));
    std::int64_t trainId = 0, searchId = 0;
    {
        RunStore store(db.toStdString());
        RunSpec spec;
        spec.name = "live training";
        spec.kind = "supernet";
        trainId = store.createRun(spec);
        spec.name = "live search";
        spec.kind = "search";
        searchId = store.createRun(spec);
    }
    const double half = o.seconds / 2;
    const int updates = std::max(1, int(half * o.updatesPerSecond));
    const int candidates = std::max(1, int(half * o.candidatesPerSecond));
    const int perGeneration = 12;

    // The writer: what `automoe train` and then `automoe search` append, at their pace.
    std::atomic<bool> stop{false};
    std::atomic<bool> searchStarted{false};
    std::thread writer([&] {
        RunStore store(db.toStdString());
        const auto steps = syntheticTrainingSteps(updates, 3);
        const auto t0 = Clock::now();
        store.append(Event::make(
            trainId, "stage",
            {{"stage", "supernet"}, {"state", "started"}, {"max_updates", updates}, {"max_minutes", 0}}));
        for (int i = 0; i < updates; ++i) {
            if (!sleepUntil(t0, (i + 1) / o.updatesPerSecond, stop)) return;
            store.append(Event::trainingStep(trainId, steps[std::size_t(i)]));
            const std::int64_t u = steps[std::size_t(i)].update;
            if (u % 20 == 0)
                for (const ValidationRow& v : syntheticValidations(int(u), int(u), 5))
                    if (v.update == u) store.append(Event::validation(trainId, v));
            if (u % 40 == 0) store.append(Event::routing(trainId, syntheticRouting(u, 9)));
        }
        store.append(Event::make(trainId, "stage", {{"stage", "supernet"}, {"state", "finished"}}));
        store.append(Event::make(trainId, "run_status", {{"status", "finished"}}));
        store.flush();
        searchStarted = true;
        const auto rows =
            syntheticCandidates((candidates + perGeneration - 1) / perGeneration, perGeneration, 7);
        const auto t1 = Clock::now();
        store.append(Event::make(
            searchId, "stage",
            {{"stage", "search"}, {"state", "started"}, {"iterations", int(rows.size()) / perGeneration}}));
        for (int i = 0; i < candidates; ++i) {
            if (!sleepUntil(t1, (i + 1) / o.candidatesPerSecond, stop)) return;
            store.append(Event::candidate(searchId, rows[std::size_t(i)]));
            if ((i + 1) % perGeneration == 0)
                store.append(Event::generation(
                    searchId, GenerationRow{(i + 1) / perGeneration - 1, 0.1 * i, nlohmann::json::array()}));
        }
        store.append(Event::make(searchId, "stage", {{"stage", "search"}, {"state", "finished"}}));
        store.append(Event::make(searchId, "run_status", {{"status", "finished"}}));
        store.flush();
    });

    const QString settingsPath = dir.filePath(QStringLiteral("settings.ini"));
    Settings settings(settingsPath);
    settings.setRunDatabase(db);
    SpaceDocument document;
    document.open(QStringLiteral("tiny"));
    MainWindow window(&document, &settings);
    window.resize(1600, 1000);
    window.show();
    // Settle the first layout and paint before measuring.
    QElapsedTimer settle;
    settle.start();
    while (settle.elapsed() < 1500)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);

    StallMonitor* stall = window.stallMonitor();
    app.setProfiling(true);
    window.followRun(trainId);
    app.resetProfile();
    stall->reset();
    // The child's log, as the Run dock shows it.
    QTimer logTimer;
    int logLine = 0;
    QObject::connect(&logTimer, &QTimer::timeout, &window, [&] {
        ++logLine;
        window.runControl()->log()->appendPlainText(
            QStringLiteral("update %1: loss 4.%2  lr 5e-4  1234 tok/s  ETA 0:42")
                .arg(logLine)
                .arg(logLine % 97));
    });
    logTimer.start(1000 / std::max(1, o.logLinesPerSecond));

    struct Phase {
        double maxMs = 0, p99Ms = 0, p50Ms = 0, ownMaxMs = 0, ownP99Ms = 0, maxWaitMs = 0;
        int longStalls = 0, ticks = 0;
        std::vector<ui::ProfilingApplication::Slow> slowest;
    } phases[2];
    auto record = [&](Phase& p) {
        p.maxMs = stall->maxStallMs();
        p.p99Ms = stall->percentileMs(0.99);
        p.p50Ms = stall->percentileMs(0.50);
        p.ownMaxMs = stall->maxOwnStallMs();
        p.ownP99Ms = stall->ownPercentileMs(0.99);
        p.maxWaitMs = stall->maxStallRunQueueMs();
        p.longStalls = stall->longStalls();
        p.ticks = stall->tickCount();
        p.slowest = app.slowest();
    };
    bool following = false;
    QTimer poll;
    QObject::connect(&poll, &QTimer::timeout, &window, [&] {
        if (!following && searchStarted) {
            following = true;
            record(phases[0]);
            window.followRun(searchId);
            app.resetProfile();
            stall->reset();
        }
    });
    poll.start(50);
    QTimer::singleShot(int(o.seconds * 1000) + 2000, &app, [&] {
        record(phases[1]);
        QApplication::quit();
    });
    app.exec();
    app.setProfiling(false);
    stop = true;
    writer.join();

    const char* names[] = {"training", "search"};
    for (int i = 0; i < 2; ++i) {
        const Phase& p = phases[i];
        std::printf(
            "live %-8s run: UI stall max %.1f ms (%.1f ms of it waiting for a core), p99 %.1f ms, median "
            "%.1f ms over %d ticks of 10 ms; %d ticks over 50 ms; net of run-queue waits: max %.1f ms, p99 "
            "%.1f ms\n",
            names[i], p.maxMs, p.maxWaitMs, p.p99Ms, p.p50Ms, p.ticks, p.longStalls, p.ownMaxMs, p.ownP99Ms);
        for (const auto& s : p.slowest)
            std::printf("    %7.1f ms (%5.1f ms CPU)  %s\n", s.ms, s.cpuMs, qPrintable(s.what));
    }
    std::printf("(%d updates at %.0f/s, then %d candidates at %.0f/s, %d log lines/s, window 1600x1000)\n",
                updates, o.updatesPerSecond, candidates, o.candidatesPerSecond, o.logLinesPerSecond);
    std::fflush(stdout);
    return 0;
}

} // namespace automoe::bench
