// StallMonitor measures how responsive the UI thread is: a 10 ms timer on that thread notes how late each
// tick fires; the longest lateness is the longest time the thread was busy (painting, applying a batch,
// anything) before it could look at its event queue again. On Linux it also reads the thread's scheduler
// statistics (/proc/thread-self/schedstat) at every tick, which splits a stall into the time the thread
// waited for a core (the machine was busy with other processes) and the time it ran or slept: the "own"
// stall is the lateness minus that run-queue wait, what the application itself is responsible for.
#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <vector>

class QTimer;

namespace automoe::ui {

class StallMonitor : public QObject {
    Q_OBJECT

public:
    explicit StallMonitor(QObject* parent = nullptr);
    ~StallMonitor() override;

    // The longest stall since start() or reset(), in milliseconds.
    double maxStallMs() const { return maxStallMs_; }
    // Ticks that came more than 50 ms late.
    int longStalls() const { return longStalls_; }
    // The p-quantile (0..1) of every tick's lateness since start() or reset(), in milliseconds.
    double percentileMs(double p) const;
    int tickCount() const { return int(lateness_.size()); }
    // Whether run-queue waits are known (Linux with schedstats), and the longest stall net of them, its
    // 99th percentile, and how much of the longest (gross) stall was spent waiting for a core.
    bool hasSchedulerStats() const { return statFd_ >= 0; }
    double maxOwnStallMs() const { return maxOwnStallMs_; }
    double ownPercentileMs(double p) const;
    double maxStallRunQueueMs() const { return maxStallWaitMs_; }

public slots:
    void start();
    void stop();
    void reset();

signals:
    void maxStallChanged(double ms);

private:
    void tick();

    QTimer* timer_;
    QElapsedTimer clock_;
    qint64 lastNs_ = 0;
    double maxStallMs_ = 0;
    int longStalls_ = 0;
    std::vector<float> lateness_; // 100 a second: 1.4 MB a hour
    std::vector<float> own_;
    bool readSchedStat(qint64* waitNs) const;
    int statFd_ = -1;
    qint64 lastWaitNs_ = 0;
    double maxOwnStallMs_ = 0, maxStallWaitMs_ = 0;
};

} // namespace automoe::ui
