#!/usr/bin/env bash
# Configures and builds AutoMoE Studio in ./build (Ninja, RelWithDebInfo). Incremental when run again.
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS="${AUTOMOE_JOBS:-$(nproc)}"
if [ ! -f build/build.ninja ]; then
  cmake --preset default
fi
cmake --build build --parallel "$JOBS" "$@"
