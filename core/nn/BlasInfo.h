// Which LibTorch and which BLAS this process runs with, and how many threads: the two facts that decide
// training speed here (DESIGN §1: reference BLAS is ~11x slower than OpenBLAS) and a common support question.
#pragma once

#include <string>

namespace automoe {

struct BlasInfo {
    std::string library; // the BLAS shared object loaded, symlinks resolved (Debian picks it by alternatives)
    std::string config;  // openblas_get_config() when the BLAS is OpenBLAS, else ""
    int threads = 0;     // openblas_get_num_threads(), 0 when unknown
};

// LibTorch's version (TORCH_VERSION of the headers built against, e.g. "1.13.0").
std::string torchVersion();

// The BLAS loaded in this process (looked up among its shared objects, not assumed from the build).
BlasInfo loadedBlas();

} // namespace automoe
