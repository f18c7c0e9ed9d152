#include "util/BuildInfo.h"

#include <sqlite3.h>

namespace automoe {

std::string programVersion() {
    return AUTOMOE_VERSION;
}

std::string sqliteVersion() {
    return sqlite3_libversion();
}

} // namespace automoe
