// What a support question needs first: the program's version and git revision and the versions of the
// libraries it runs with. Torch-free (the GUI links it); LibTorch and BLAS are in nn/BlasInfo.h.
#pragma once

#include <string>

namespace automoe {

// The project version (CMake's PROJECT_VERSION), e.g. "0.1.0".
std::string programVersion();

// `git describe --always --dirty` of the source tree at build time, or "unknown" for a build from a tarball.
// Defined in a file generated at every build (build/generated/GitRevision.cpp) that only the programs
// (automoe, automoe-studio) link, so a commit relinks two programs and not the test executables.
std::string gitRevision();

// The SQLite library in use (sqlite3_libversion(), the run-time one, not the header's).
std::string sqliteVersion();

} // namespace automoe
