#include "ui/StallMonitor.h"

#include <QTimer>

namespace automoe::ui {

namespace {
constexpr int kTickMs = 10;
constexpr double kLongStallMs = 50;
} // namespace

StallMonitor::StallMonitor(QObject* parent)
    : QObject(parent)
    , timer_(new QTimer(this)) {
    timer_->setTimerType(Qt::PreciseTimer);
    timer_->setInterval(kTickMs);
    connect(timer_, &QTimer::timeout, this, &StallMonitor::tick);
}

void StallMonitor::start() {
    clock_.start();
    lastNs_ = 0;
    timer_->start();
}

void StallMonitor::stop() {
    timer_->stop();
}

void StallMonitor::reset() {
    maxStallMs_ = 0;
    longStalls_ = 0;
    lastNs_ = clock_.isValid() ? clock_.nsecsElapsed() : 0;
    emit maxStallChanged(0);
}

void StallMonitor::tick() {
    const qint64 now = clock_.nsecsElapsed();
    const double late = double(now - lastNs_) / 1e6 - kTickMs;
    lastNs_ = now;
    if (late >= kLongStallMs) ++longStalls_;
    if (late > maxStallMs_) {
        maxStallMs_ = late;
        emit maxStallChanged(late);
    }
}

} // namespace automoe::ui
