#!/usr/bin/env bash
# Checks an AutoMoE Studio .deb without installing it (the machine's packages are not touched): unpacks it
# with dpkg-deb -x into a temporary root and runs the programs from there as a user would, then asks
# lintian, desktop-file-validate and appstreamcli. Exits non-zero on the first class of failure it finds
# after running every check; lintian, desktop-file-validate and appstreamcli warnings are printed, not fatal.
#   check-deb.sh [--out DIR] [--no-build-paths DIR]... PACKAGE.deb
#     --out DIR             keep the screenshot, the lintian report and the rendered man page there
#     --no-build-paths DIR  fail if DIR (a source or build directory) is named inside the programs
set -uo pipefail
out=""
forbidden=()
while [ $# -gt 1 ]; do
    case $1 in
    --out) out=$2; shift 2 ;;
    --no-build-paths) forbidden+=("$2"); shift 2 ;;
    *) break ;;
    esac
done
deb=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
root=$(mktemp -d /tmp/automoe-deb-check.XXXXXX)
trap 'rm -rf "$root"' EXIT
[ -n "$out" ] || out=$root/out
mkdir -p "$out"
failures=()
fail() { echo "check-deb: FAIL: $*" >&2; failures+=("$*"); }
ok() { echo "check-deb: ok: $*"; }
step() { echo; echo "== $* (at ${SECONDS} s)"; }

step "package $(basename "$deb")"
dpkg-deb -I "$deb" 
dpkg-deb -x "$deb" "$root/pkg" || { fail "dpkg-deb -x"; exit 1; }
pkg=$root/pkg
usr=$pkg/usr
export HOME=$root/home # a fresh user: the default run database goes here
mkdir -p "$HOME"
unset AUTOMOE_RESOURCES AUTOMOE_SPM_LIBRARY
export LC_ALL=C.UTF-8

step "layout"
for f in bin/automoe bin/automoe-studio share/automoe-studio/spaces/tiny.json \
    share/automoe-studio/corpus/ding-sample.tsv share/automoe-studio/darts/darts.json \
    share/automoe-studio/doc/guide.md share/applications/automoe-studio.desktop \
    share/metainfo/io.github.automoe.Studio.metainfo.xml share/icons/hicolor/scalable/apps/automoe-studio.svg \
    share/bash-completion/completions/automoe share/doc/automoe-studio/copyright \
    share/doc/automoe-studio/changelog.gz share/man/man1/automoe.1.gz share/man/man1/automoe-studio.1.gz; do
    [ -e "$usr/$f" ] || fail "missing /usr/$f"
done
spm=$(find "$usr/lib" -name libautomoe_spm.so | head -n 1)
[ -n "$spm" ] || fail "missing libautomoe_spm.so under /usr/lib"
for exe in "$usr/bin/automoe" "$usr/bin/automoe-studio" $spm; do
    file "$exe" | grep -q "not stripped" && fail "$(basename "$exe") is not stripped"
    readelf -d "$exe" | grep -qE 'RPATH|RUNPATH' && fail "$(basename "$exe") has an RPATH/RUNPATH"
done
for dir in "${forbidden[@]}"; do
    if grep -rlF "$dir" "$usr/bin" "$usr/lib" >/dev/null 2>&1; then
        fail "the programs name the build-time path $dir"
    else
        ok "no program names $dir"
    fi
done
ok "layout checked"

step "automoe --version"
version=$("$usr/bin/automoe" --version) || fail "automoe --version exits non-zero"
echo "$version"
echo "$version" | head -n 1 | grep -qE '^automoe [0-9]+\.[0-9]+\.[0-9]+ \(git [^)]+\)$' || fail "--version first line"
for key in "LibTorch " "SQLite " "BLAS: /" "threads: "; do
    echo "$version" | grep -q "^$key" || fail "--version lacks $key"
done
# Its data is its own (relative to the program), not the source tree's.
echo "$version" | grep -qxF "data: $usr/share/automoe-studio" || fail "--version: data is not $usr/share/automoe-studio"

step "automoe space show tiny"
"$usr/bin/automoe" space show tiny > "$root/space.txt" || fail "automoe space show tiny exits non-zero"
head -n 3 "$root/space.txt"
grep -q "^Size: 10^17.57 distinct architectures" "$root/space.txt" || fail "space show tiny: size"

step "automoe train --corpus sample --updates 3"
# LD_DEBUG shows which SentencePiece shim the vocabulary training loads: the package's own.
LD_DEBUG=files "$usr/bin/automoe" train --corpus sample --updates 3 --threads 1 --vocab-size 2000 \
    > "$root/train.out" 2> "$root/train.err" || { tail -n 20 "$root/train.err"; fail "automoe train exits non-zero"; }
grep -v '^ *[0-9]*:' "$root/train.err" | tail -n 4
head -n 1 "$root/train.out" | grep -q '^{"run_id":1,' || fail "train: first stdout line is not run 1"
grep -q "calling init: $spm" "$root/train.err" || fail "train did not load the package's $spm"
"$usr/bin/automoe" runs list | tee "$root/runs.txt"
grep -qE '^ +1 +supernet +finished' "$root/runs.txt" || fail "runs list: run 1 is not a finished supernet"

step "automoe-studio --version and --screenshot (xvfb-run)"
QT_QPA_PLATFORM=offscreen "$usr/bin/automoe-studio" --version || fail "automoe-studio --version"
xvfb-run -a -s "-screen 0 1600x1000x24" "$usr/bin/automoe-studio" --screenshot "$out/screenshot.png" \
    > "$root/studio.log" 2>&1 || { cat "$root/studio.log"; fail "automoe-studio --screenshot exits non-zero"; }
# 1440 wide as asked; the height is at least 900 (the docks' minimum sizes may make it taller).
if file "$out/screenshot.png" 2>/dev/null | grep -qE "PNG image data, 1440 x ([0-9]{4}|9[0-9]{2}),"; then
    ok "screenshot $out/screenshot.png ($(stat -c %s "$out/screenshot.png") bytes)"
else
    fail "no 1440-pixel-wide screenshot: $(file "$out/screenshot.png")"
fi

step "man pages"
subs=$("$usr/bin/automoe" --help | awk '/^Subcommands:/ {on = 1; next} on && /^  [a-z]/ {print $1}')
for page in automoe automoe-studio $(for s in $subs; do echo "automoe-$s"; done); do
    f=$usr/share/man/man1/$page.1.gz
    [ -f "$f" ] || { fail "no man page $page(1)"; continue; }
    warnings=$(MANWIDTH=100 man --warnings -l "$f" 2>&1 >"$root/$page.txt")
    [ -z "$warnings" ] || fail "man $page: $warnings"
    grep -q "^NAME" "$root/$page.txt" || fail "man $page has no NAME"
    # Only the --help text: no run-time chatter of the program (Qt's, a log line) in the page.
    grep -qE "QStandardPaths|XDG_RUNTIME_DIR|\[(info|warning)\]" "$root/$page.txt" &&
        fail "man $page contains a message the program printed besides its help"
done
cp "$root/automoe-train.txt" "$out/automoe-train.man.txt" 2>/dev/null
grep -q -- "--corpus" "$root/automoe-train.txt" || fail "man automoe-train lacks --corpus"
ok "$(ls "$usr/share/man/man1" | wc -l) man pages render"

step "bash completion"
complete_words() { # WORDS...: the completions of the last word, one per line
    bash -c 'source /usr/share/bash-completion/bash_completion
        source "$1"; shift
        COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
        COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}
        _automoe; printf "%s\n" "${COMPREPLY[@]}"' _ "$usr/share/bash-completion/completions/automoe" \
        "$usr/bin/automoe" "$@"
}
expect_completion() { # EXPECTED WORDS...
    local expected=$1
    shift
    local got
    got=$(complete_words "$@" | tr '\n' ' ')
    if [[ " $got " == *" $expected "* ]]; then
        ok "automoe $* -> $expected"
    else
        fail "automoe $* does not complete to $expected (got: $got)"
    fi
}
expect_completion space sp
expect_completion train tr
expect_completion tiny space show ""
expect_completion automoe-wmt train --space auto
expect_completion --corpus train --cor
expect_completion yml space sample tiny --format ""
expect_completion 1 runs show ""
expect_completion 1 search --run ""

step "desktop-file-validate"
desktop-file-validate "$usr/share/applications/automoe-studio.desktop" || fail "desktop-file-validate"

step "appstreamcli validate --no-net"
appstreamcli validate --no-net --pedantic "$usr/share/metainfo/io.github.automoe.Studio.metainfo.xml" ||
    fail "appstreamcli validate"

step "lintian"
lintian --display-info --pedantic --tag-display-limit 0 "$deb" > "$out/lintian.txt" 2>&1
cat "$out/lintian.txt"
errors=$(grep -c '^E: ' "$out/lintian.txt")
echo "lintian: $errors errors, $(grep -c '^W: ' "$out/lintian.txt") warnings, $(grep -c '^[IPX]: ' "$out/lintian.txt") info/pedantic"
[ "$errors" -eq 0 ] || fail "lintian reports $errors errors"

echo
if [ ${#failures[@]} -gt 0 ]; then
    echo "check-deb: ${#failures[@]} failure(s):" >&2
    printf '  %s\n' "${failures[@]}" >&2
    exit 1
fi
echo "check-deb: $(basename "$deb") passes"
