#!/usr/bin/env bash
# The whole test suite under AddressSanitizer + UndefinedBehaviorSanitizer: configures the `asan` preset
# (build-asan: every library, program and suite, LibTorch users included, built with
# -fsanitize=address,undefined at -O1), builds it and runs every CTest test with halt_on_error, leak
# detection and tests/sanitizer-suppressions.txt (the asan test preset in CMakePresets.json). Any report
# fails its test. Arguments go to ctest (e.g. -R tst_runstore, -L base).
#
# A fresh build-asan takes about as long as the ordinary build (LibTorch's headers dominate). The torch-free
# suites run sanitized in every ordinary build too: CTest's asan_base_* tests.
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS="${AUTOMOE_JOBS:-$(nproc)}"
start=$(date +%s)
if [ ! -f build-asan/build.ninja ]; then
  cmake --preset asan
fi
cmake --build build-asan --parallel "$JOBS"
built=$(date +%s)
status=0
ctest --preset asan --output-on-failure -j "${AUTOMOE_TEST_JOBS:-1}" "$@" || status=$?
done=$(date +%s)
echo "sanitize: build $((built - start)) s, tests $((done - built)) s"
exit $status
