#!/usr/bin/env bash
# One command: install what is missing, build everything, and run the whole test suite headless.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
bash packaging/install-deps.sh
deps=$(date +%s)
bash packaging/build.sh
built=$(date +%s)
export QT_QPA_PLATFORM=offscreen
status=0
ctest --test-dir build --output-on-failure --no-tests=error -j "${AUTOMOE_TEST_JOBS:-1}" || status=$?
done=$(date +%s)
echo "test: dependencies $((deps - start)) s, build $((built - deps)) s, tests $((done - built)) s," \
     "total $((done - start)) s"
exit $status
