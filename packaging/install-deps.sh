#!/usr/bin/env bash
# Installs, from Debian 12's archive, everything AutoMoE Studio needs to build, test and run.
# Idempotent: packages already present are skipped, so a second run costs a dpkg query.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  qt6-base-dev qt6-base-dev-tools libqt6svg6-dev libgl-dev
  libqcustomplot-dev
  libtorch-dev libopenblas0-openmp
  # Gloo's headers: c10d's ProcessGroupGloo.hpp includes them (multi-process training, core/dist); the
  # library itself comes with LibTorch (libgloo0), so the package needs nothing more at run time.
  libgloo-dev
  libsqlite3-dev sqlite3
  libspdlog-dev libfmt-dev
  nlohmann-json3-dev libyaml-cpp-dev libcli11-dev
  libsentencepiece-dev
  trans-de-en
  xvfb xauth x11-utils fonts-dejavu-core
  clang-format
  # Fuzzing (packaging/fuzz.sh): clang with libFuzzer and the sanitizer runtimes. The regular build and CI's
  # replay of the fuzz corpus (fuzz_replay_*) need neither.
  clang-14 libclang-rt-14-dev
  # Packaging and its checks (packaging/deb.sh, tests/packaging): CPack's dpkg-shlibdeps, man pages from
  # --help, the validators, and what the checks run (man, bash completion, file, readelf).
  dpkg-dev help2man lintian desktop-file-utils appstream man-db bash-completion file binutils
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
