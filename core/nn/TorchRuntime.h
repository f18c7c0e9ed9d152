// Process-wide LibTorch runtime settings: intra-op threads (LibTorch here starts with one) and a heap
// policy for tensor memory. The CLI and the GUI call configureTorchThreads once at start-up (DESIGN §1).
#pragma once

namespace at {
class Tensor;
}

namespace automoe {

// The state of torch's default CPU generator (dropout, initialisation), for checkpoints: read and restored
// under the generator's lock.
at::Tensor cpuGeneratorState();
void setCpuGeneratorState(const at::Tensor& state);

// threads <= 0: one per hardware core. Sets the intra-op pool on every call; the inter-op pool can be
// sized only once per process (LibTorch throws afterwards), so later calls leave it alone. The first call
// also applies configureTorchAllocator().
void configureTorchThreads(int threads);

// Intra-op threads currently in use.
int torchThreads();

// Keeps freed tensor memory in the process heap instead of returning it to the kernel (glibc: no mmap for
// large blocks, one arena, trimming only above 1 GiB). glibc serves every block over 32 MB with a fresh
// mmap and unmaps it on free, so each training step page-faults its logits, gradients and activations
// again: measured on the tiny space, ~1 s of system time per 2-3 s step, gone with this policy. One arena
// because blocks allocated by a worker thread otherwise go to a per-thread arena that cannot hold them
// without mmap. Call before starting threads; idempotent; no effect on other C libraries.
void configureTorchAllocator();

// Intra-op threads pinned for a scope (threads <= 0: one per core), the previous count restored at its end:
// for work whose speed or reproducibility depends on the count (latency measurement, small MLPs). Leaves
// the inter-op pool alone; applies configureTorchAllocator().
class TorchThreadScope {
public:
    explicit TorchThreadScope(int threads);
    ~TorchThreadScope();
    TorchThreadScope(const TorchThreadScope&) = delete;
    TorchThreadScope& operator=(const TorchThreadScope&) = delete;

private:
    int previous_;
};

} // namespace automoe
