#!/usr/bin/env bash
# One command: install what is missing, build, and start AutoMoE Studio on its bundled default space.
# Extra arguments go to automoe-studio (e.g. --space FILE).
set -euo pipefail
cd "$(dirname "$0")/.."
bash packaging/install-deps.sh
bash packaging/build.sh automoe-studio automoe
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "run: no display found; starting AutoMoE Studio on a virtual X server (xvfb-run)" >&2
  exec xvfb-run -a -s "-screen 0 1600x1000x24" ./build/app/gui/automoe-studio "$@"
fi
exec ./build/app/gui/automoe-studio "$@"
