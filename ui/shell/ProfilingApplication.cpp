#include "ui/shell/ProfilingApplication.h"

#include <QElapsedTimer>
#include <QMetaEnum>
#include <algorithm>
#include <ctime>

namespace automoe::ui {

namespace {
constexpr std::size_t kSlowest = 8;

double threadCpuMs() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) / 1e6;
}
} // namespace

ProfilingApplication::ProfilingApplication(int& argc, char** argv)
    : QApplication(argc, argv) {}

bool ProfilingApplication::notify(QObject* receiver, QEvent* event) {
    if (!profiling_ || depth_ > 0) {
        ++depth_;
        const bool r = QApplication::notify(receiver, event);
        --depth_;
        return r;
    }
    QElapsedTimer t;
    t.start();
    const double cpu0 = threadCpuMs();
    ++depth_;
    const QEvent::Type type = event->type();
    const QString cls = QString::fromLatin1(receiver->metaObject()->className());
    const QString name = receiver->objectName();
    const bool r = QApplication::notify(receiver, event);
    --depth_;
    const double ms = double(t.nsecsElapsed()) / 1e6;
    const double cpuMs = threadCpuMs() - cpu0;
    if (slowest_.size() < kSlowest || ms > slowest_.back().ms) {
        const char* typeName = QMetaEnum::fromType<QEvent::Type>().valueToKey(type);
        slowest_.push_back({ms, cpuMs,
                            QStringLiteral("%1 to %2%3")
                                .arg(QString::fromLatin1(typeName ? typeName : "?"), cls,
                                     name.isEmpty() ? QString() : " \"" + name + "\"")});
        std::sort(slowest_.begin(), slowest_.end(), [](const Slow& a, const Slow& b) { return a.ms > b.ms; });
        if (slowest_.size() > kSlowest) slowest_.pop_back();
    }
    return r;
}

QString ProfilingApplication::report() const {
    QString out;
    for (const Slow& s : slowest_)
        out += QStringLiteral("    %1 ms (%2 ms CPU)  %3\n")
                   .arg(s.ms, 7, 'f', 1)
                   .arg(s.cpuMs, 5, 'f', 1)
                   .arg(s.what);
    return out;
}

} // namespace automoe::ui
