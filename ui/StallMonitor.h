// StallMonitor measures how responsive the UI thread is: a 10 ms timer on that thread notes how late each
// tick fires; the longest lateness is the longest time the thread was busy (painting, applying a batch,
// anything) before it could look at its event queue again.
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

    // The longest stall since start() or reset(), in milliseconds.
    double maxStallMs() const { return maxStallMs_; }
    // Ticks that came more than 50 ms late.
    int longStalls() const { return longStalls_; }
    // The p-quantile (0..1) of every tick's lateness since start() or reset(), in milliseconds.
    double percentileMs(double p) const;
    int tickCount() const { return int(lateness_.size()); }

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
};

} // namespace automoe::ui
