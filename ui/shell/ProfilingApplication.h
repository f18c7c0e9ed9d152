// ProfilingApplication is the QApplication of the desktop app and its benchmark: with profiling on, it times
// every top-level event delivery on the UI thread and keeps the slowest ones (receiver class and name, event
// type), which says what the thread was doing when StallMonitor saw it stall.
#pragma once

#include <QApplication>
#include <vector>

namespace automoe::ui {

class ProfilingApplication : public QApplication {
public:
    ProfilingApplication(int& argc, char** argv);
    bool notify(QObject* receiver, QEvent* event) override;
    void setProfiling(bool on) { profiling_ = on; }
    bool isProfiling() const { return profiling_; }
    struct Slow {
        double ms = 0;    // wall time
        double cpuMs = 0; // the UI thread's CPU time (less than ms: the thread waited for a core or I/O)
        QString what;
    };
    // The slowest deliveries since resetProfile(), slowest first.
    const std::vector<Slow>& slowest() const { return slowest_; }
    void resetProfile() { slowest_.clear(); }
    // One line per slow delivery, for logs.
    QString report() const;

private:
    bool profiling_ = false;
    int depth_ = 0;
    std::vector<Slow> slowest_;
};

} // namespace automoe::ui
