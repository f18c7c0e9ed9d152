#!/usr/bin/env bash
# CTest deb_package: cpack -G DEB on the already-built tree, then packaging/check-deb.sh on the result.
#   test_deb_package.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1
source=$2
work=$build/packaging-check
rm -rf "$work"
mkdir -p "$work"
start=$(date +%s)
cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work/cpack" > "$work/cpack.log" 2>&1 ||
    { cat "$work/cpack.log"; exit 1; }
deb=$(ls "$work"/cpack/automoe-studio_*.deb)
packed=$(date +%s)
echo "deb_package: $(basename "$deb"), $(stat -c %s "$deb") bytes, cpack $((packed - start)) s"
rm -rf "$work/cpack/_CPack_Packages"
status=0
bash "$source/packaging/check-deb.sh" --out "$work" "$deb" || status=$?
echo "deb_package: cpack $((packed - start)) s, checks $(($(date +%s) - packed)) s"
exit $status
