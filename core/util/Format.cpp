#include "util/Format.h"

#include <cmath>
#include <cstdio>
#include <ctime>

namespace automoe {

std::string formatFixed(double value, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
    return buf;
}

std::string formatClock(double seconds) {
    if (!(seconds >= 0) || seconds > 1e7) return "--:--";
    const long s = long(seconds + 0.5);
    char buf[32];
    if (s >= 3600)
        std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
    else
        std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
    return buf;
}

std::string formatIsoTime(std::int64_t msSinceEpoch) {
    const std::time_t t = std::time_t(msSinceEpoch / 1000);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string formatSI(double value, int decimals) {
    static const char* units[] = {"", " K", " M", " G", " T", " P"};
    int u = 0;
    double v = value;
    while (std::fabs(v) >= 1000.0 && u < 5) {
        v /= 1000.0;
        ++u;
    }
    return formatFixed(v, u == 0 ? 0 : decimals) + units[u];
}

} // namespace automoe
