#include "ui/StallMonitor.h"

#include <QTimer>
#include <algorithm>
#include <cmath>

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
    lateness_.clear();
    lastNs_ = clock_.isValid() ? clock_.nsecsElapsed() : 0;
    emit maxStallChanged(0);
}

void StallMonitor::tick() {
    const qint64 now = clock_.nsecsElapsed();
    const double late = double(now - lastNs_) / 1e6 - kTickMs;
    lastNs_ = now;
    if (lateness_.size() < 10'000'000) lateness_.push_back(float(std::max(0.0, late)));
    if (late >= kLongStallMs) ++longStalls_;
    if (late > maxStallMs_) {
        maxStallMs_ = late;
        emit maxStallChanged(late);
    }
}

double StallMonitor::percentileMs(double p) const {
    if (lateness_.empty()) return 0;
    std::vector<float> sorted = lateness_;
    const std::size_t k = std::size_t(std::clamp(p, 0.0, 1.0) * double(sorted.size() - 1) + 0.5);
    std::nth_element(sorted.begin(), sorted.begin() + std::ptrdiff_t(k), sorted.end());
    return sorted[k];
}

} // namespace automoe::ui
