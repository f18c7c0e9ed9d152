#include "cli/VersionReport.h"

#include "nn/BlasInfo.h"
#include "util/BuildInfo.h"
#include "util/Resources.h"

#include <algorithm>
#include <sstream>
#include <thread>

namespace automoe::cli {

std::string versionReport() {
    std::ostringstream out;
    out << "automoe " << programVersion() << " (git " << gitRevision() << ")\n";
    out << "LibTorch " << torchVersion() << " (CPU)\n";
    out << "SQLite " << sqliteVersion() << "\n";
    out << "Qt: not used by the command line (see automoe-studio --version)\n";
    const BlasInfo blas = loadedBlas();
    out << "BLAS: " << (blas.library.empty() ? "none found among the loaded libraries" : blas.library);
    if (!blas.config.empty()) out << " (" << blas.config << ")";
    out << "\n";
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    out << "threads: " << cores << " (one per core; train, eval and darts take --threads N)";
    if (blas.threads > 0) out << ", OpenBLAS " << blas.threads;
    out << "\n";
    const std::string data = dataDirectory();
    out << "data: " << (data.empty() ? "not found" : data);
    return out.str();
}

} // namespace automoe::cli
