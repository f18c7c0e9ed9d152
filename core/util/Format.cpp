#include "util/Format.h"

#include <cmath>
#include <cstdio>

namespace automoe {

std::string formatFixed(double value, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
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
