#include "nn/TorchRuntime.h"

#include <torch/torch.h>

#include <mutex>
#include <thread>

namespace automoe {

void configureTorchThreads(int threads) {
    if (threads <= 0)
        threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
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

int torchThreads() { return torch::get_num_threads(); }

} // namespace automoe
