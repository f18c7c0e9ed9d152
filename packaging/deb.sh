#!/usr/bin/env bash
# Builds the AutoMoE Studio .deb for shipping, then checks it (packaging/check-deb.sh: unpacked into a
# temporary root, run, lintian, desktop-file-validate, appstreamcli; the machine's packages are untouched).
#   bash packaging/deb.sh            -> build-deb/automoe-studio_<version>_<arch>.deb
# Release, Debian's build flags with full hardening (dpkg-buildflags), installed under /usr, stripped by
# CPack, dependencies from dpkg-shlibdeps plus OpenBLAS (Depends) and trans-de-en (Recommends), and no
# build-tree path compiled in (AUTOMOE_SOURCE_TREE_RESOURCES=OFF; -ffile-prefix-map). Its own build
# directory (AUTOMOE_DEB_BUILD_DIR, default build-deb), so the development build is left alone; only the
# shipped programs are built (no tests). Incremental when run again.
set -euo pipefail
cd "$(dirname "$0")/.."
src=$PWD
build=${AUTOMOE_DEB_BUILD_DIR:-$src/build-deb}
jobs=${AUTOMOE_JOBS:-$(nproc)}
start=$(date +%s)
bash packaging/install-deps.sh

export DEB_BUILD_MAINT_OPTIONS=hardening=+all
# dpkg-buildflags' -g is dropped: CPack strips the programs anyway, and debug info of LibTorch-heavy
# objects makes the link several times slower.
cxxflags=$(dpkg-buildflags --get CXXFLAGS | sed -E 's/(^| )-g( |$)/ /')
cxxflags="$cxxflags $(dpkg-buildflags --get CPPFLAGS)"
ldflags=$(dpkg-buildflags --get LDFLAGS)
if [ -n "${AUTOMOE_GIT_REVISION:-}" ] || git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then :; else
    echo "deb.sh: not a git checkout: the programs will report git revision 'unknown'" \
         "(set AUTOMOE_GIT_REVISION to name it)" >&2
fi
cmake -S "$src" -B "$build" -G Ninja \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_INSTALL_PREFIX=/usr \
    -DAUTOMOE_BUILD_TESTS=OFF \
    -DAUTOMOE_SOURCE_TREE_RESOURCES=OFF \
    -DCMAKE_CXX_FLAGS="$cxxflags" \
    -DCMAKE_EXE_LINKER_FLAGS="$ldflags" \
    -DCMAKE_SHARED_LINKER_FLAGS="$ldflags" \
    -DCMAKE_MODULE_LINKER_FLAGS="$ldflags"
cmake --build "$build" --parallel "$jobs" \
    --target automoe automoe-studio automoe_spm manpages automoe_changelog
built=$(date +%s)
rm -f "$build"/automoe-studio_*.deb
(cd "$build" && cpack -G DEB)
deb=$(ls "$build"/automoe-studio_*.deb)
packed=$(date +%s)
echo "deb.sh: $deb ($(stat -c %s "$deb") bytes)"
status=0
bash packaging/check-deb.sh --out "$build/check" --no-build-paths "$src" --no-build-paths "$build" "$deb" ||
    status=$?
echo "deb.sh: build $((built - start)) s, cpack $((packed - built)) s, checks $(($(date +%s) - packed)) s"
exit $status
