#include "nn/TorchRuntime.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <algorithm>
#include <mutex>
#include <thread>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace automoe {

void configureTorchAllocator() {
    static std::once_flag once;
    std::call_once(once, [] {
#if defined(__GLIBC__)
        mallopt(M_ARENA_MAX, 1);
        mallopt(M_MMAP_MAX, 0);
        mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
    });
}

void configureTorchThreads(int threads) {
    configureTorchAllocator();
    if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    torch::set_num_threads(threads);
    static std::once_flag interop;
    std::call_once(interop, [threads] {
        try {
            torch::set_num_interop_threads(threads);
        } catch (const c10::Error&) {
            // Already started by an earlier parallel op; its size stays as it is.
        }
    });
}

int torchThreads() {
    return torch::get_num_threads();
}

TorchThreadScope::TorchThreadScope(int threads)
    : previous_(torchThreads()) {
    configureTorchAllocator();
    if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    // Intra-op only: the inter-op pool can be sized once per process, which is the start-up's call. Skipped
    // when nothing changes, as predictors open a scope per prediction.
    if (threads != previous_) torch::set_num_threads(threads);
}

TorchThreadScope::~TorchThreadScope() {
    if (torchThreads() != previous_) torch::set_num_threads(previous_);
}

torch::Tensor cpuGeneratorState() {
    auto gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    return gen.get_state();
}

void setCpuGeneratorState(const torch::Tensor& state) {
    auto gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_state(state);
}

} // namespace automoe
