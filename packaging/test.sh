#!/usr/bin/env bash
# One command: install what is missing, build everything, and run the whole test suite headless.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
bash packaging/install-deps.sh
bash packaging/build.sh
export QT_QPA_PLATFORM=offscreen
ctest --test-dir build --output-on-failure --no-tests=error -j "${AUTOMOE_TEST_JOBS:-1}"
echo "test: build and tests took $(( $(date +%s) - start )) s"
