#include "nn/BlasInfo.h"

#include <torch/version.h>

#include <dlfcn.h>
#include <filesystem>
#include <link.h>
#include <string>

namespace automoe {

std::string torchVersion() {
    return TORCH_VERSION;
}

BlasInfo loadedBlas() {
    BlasInfo info;
    // The first loaded object whose file name says BLAS: libblas.so.3 (Debian's alternative, which may be
    // OpenBLAS, BLIS or the reference implementation) or an OpenBLAS linked directly.
    dl_iterate_phdr(
        [](dl_phdr_info* object, size_t, void* data) {
            auto* found = static_cast<std::string*>(data);
            const std::string name = object->dlpi_name ? object->dlpi_name : "";
            const std::string file = std::filesystem::path(name).filename().string();
            if (found->empty() && (file.rfind("libblas", 0) == 0 || file.rfind("libopenblas", 0) == 0)) {
                std::error_code ec;
                const auto real = std::filesystem::canonical(name, ec);
                *found = ec ? name : real.string();
            }
            return 0;
        },
        &info.library);
    using ConfigFn = char* (*)();
    using ThreadsFn = int (*)();
    if (auto config = reinterpret_cast<ConfigFn>(::dlsym(RTLD_DEFAULT, "openblas_get_config")))
        info.config = config();
    if (auto threads = reinterpret_cast<ThreadsFn>(::dlsym(RTLD_DEFAULT, "openblas_get_num_threads")))
        info.threads = threads();
    return info;
}

} // namespace automoe
