// Process-wide LibTorch threading. LibTorch here starts with one intra-op thread, so the CLI and the GUI
// call configureTorchThreads once at start-up (DESIGN §1).
#pragma once

namespace automoe {

// threads <= 0: one per hardware core. Sets the intra-op pool on every call; the inter-op pool can be
// sized only once per process (LibTorch throws afterwards), so later calls leave it alone.
void configureTorchThreads(int threads);

// Intra-op threads currently in use.
int torchThreads();

} // namespace automoe
