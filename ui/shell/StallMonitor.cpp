#include "ui/shell/StallMonitor.h"

#include <QTimer>
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fcntl.h>
#include <unistd.h>

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

StallMonitor::~StallMonitor() {
    if (statFd_ >= 0) ::close(statFd_);
}

bool StallMonitor::readSchedStat(qint64* waitNs) const {
    // "<ns on cpu> <ns waiting on a run queue> <timeslices>"
    char buf[96];
    const ssize_t n = ::pread(statFd_, buf, sizeof buf - 1, 0);
    if (n <= 0) return false;
    buf[n] = 0;
    char* end = nullptr;
    std::strtoll(buf, &end, 10);
    *waitNs = std::strtoll(end, nullptr, 10);
    return true;
}

void StallMonitor::start() {
    // Opened on the thread that runs the timer (the UI thread): thread-self resolves to it.
    if (statFd_ < 0) statFd_ = ::open("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);
    if (statFd_ >= 0 && !readSchedStat(&lastWaitNs_)) {
        ::close(statFd_);
        statFd_ = -1;
    }
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
    own_.clear();
    maxOwnStallMs_ = 0;
    maxStallWaitMs_ = 0;
    if (statFd_ >= 0) readSchedStat(&lastWaitNs_);
    lastNs_ = clock_.isValid() ? clock_.nsecsElapsed() : 0;
    emit maxStallChanged(0);
}

void StallMonitor::tick() {
    const qint64 now = clock_.nsecsElapsed();
    const double late = double(now - lastNs_) / 1e6 - kTickMs;
    lastNs_ = now;
    double waitMs = 0;
    qint64 waitNs = 0;
    if (statFd_ >= 0 && readSchedStat(&waitNs)) {
        waitMs = double(waitNs - lastWaitNs_) / 1e6;
        lastWaitNs_ = waitNs;
    }
    const double own = std::max(0.0, late - waitMs);
    if (lateness_.size() < 10'000'000) {
        lateness_.push_back(float(std::max(0.0, late)));
        own_.push_back(float(own));
    }
    maxOwnStallMs_ = std::max(maxOwnStallMs_, own);
    if (late > maxStallMs_) maxStallWaitMs_ = waitMs;
    if (late >= kLongStallMs) ++longStalls_;
    if (late > maxStallMs_) {
        maxStallMs_ = late;
        emit maxStallChanged(late);
    }
}

namespace {
double quantile(std::vector<float> sorted, double p) {
    if (sorted.empty()) return 0;
    const std::size_t k = std::size_t(std::clamp(p, 0.0, 1.0) * double(sorted.size() - 1) + 0.5);
    std::nth_element(sorted.begin(), sorted.begin() + std::ptrdiff_t(k), sorted.end());
    return sorted[k];
}
} // namespace

double StallMonitor::percentileMs(double p) const {
    return quantile(lateness_, p);
}

double StallMonitor::ownPercentileMs(double p) const {
    return quantile(own_, p);
}

} // namespace automoe::ui
