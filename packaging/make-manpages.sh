#!/usr/bin/env bash
# Generates the man pages from the programs' real --help, so that they cannot drift from the code:
#   automoe.1                the command and its list of subcommands
#   automoe-<sub>.1          one page per subcommand (train, search, ...), with the --help of each of its own
#                            subcommands (space show, runs list, ...) as subsections
#   automoe-studio.1         the desktop app
# Usage: make-manpages.sh AUTOMOE AUTOMOE_STUDIO OUTDIR VERSION
# Writes OUTDIR/*.1.gz (gzip -9n: no timestamp, as Debian wants). Needs help2man.
set -euo pipefail
automoe=$(realpath "$1")
studio=$(realpath "$2")
out=$3
version=$4
command -v help2man >/dev/null || { echo "make-manpages: help2man is not installed" >&2; exit 1; }
mkdir -p "$out"
rm -f "$out"/*.1.gz
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export QT_QPA_PLATFORM=offscreen LC_ALL=C.UTF-8 COLUMNS=100

# The names listed under "Subcommands:" in a --help text.
subcommands() {
    awk '/^Subcommands:/ {on = 1; next} on && /^[^ ]/ {on = 0} on && /^  [a-z]/ {print $1}'
}

# Text as roff that shows verbatim: backslashes doubled, lines starting with . or ' protected.
verbatim() {
    sed -e 's/\\/\\e/g' -e "s/^\\([.']\\)/\\\\\\&\\1/"
}

# help2man on a wrapper named like the page, so the page's title and NAME are right.
page() { # NAME DESCRIPTION INCLUDE COMMAND...
    local name=$1 description=$2 include=$3
    shift 3
    printf '#!/bin/sh\nexec %s "$@"\n' "$*" > "$work/$name"
    chmod +x "$work/$name"
    help2man --no-info --section=1 --version-string="$version" \
        --name="$description" --include="$include" --output="$work/$name.1" "$work/$name"
    gzip -9n < "$work/$name.1" > "$out/$name.1.gz"
}

top_help=$("$automoe" --help)
see_also=""
for sub in $(printf '%s\n' "$top_help" | subcommands); do
    help=$("$automoe" "$sub" --help)
    description=$(printf '%s\n' "$help" | head -n 1)
    include="$work/automoe-$sub.h2m"
    : > "$include"
    nested=$(printf '%s\n' "$help" | subcommands)
    if [ -n "$nested" ]; then
        printf '[COMMANDS]\n' >> "$include"
        for n in $nested; do
            printf '.SS "automoe %s %s"\n.nf\n' "$sub" "$n" >> "$include"
            "$automoe" "$sub" "$n" --help | verbatim >> "$include"
            printf '.fi\n' >> "$include"
        done
    fi
    printf '[SEE ALSO]\n.BR automoe (1),\n.BR automoe-studio (1)\n' >> "$include"
    page "automoe-$sub" "$description" "$include" "$automoe" "$sub"
    see_also+=".BR automoe-$sub (1),"$'\n'
done

cat > "$work/automoe.h2m" <<H2M
[FILES]
.TP
.I ~/.local/share/automoe-studio/runs.sqlite
The run database, unless \\fB\\-\\-db\\fR says otherwise; checkpoints and the vocabulary cache live beside it in
.IR runs.sqlite-files/ .
.TP
.I /usr/share/automoe-studio
Bundled search spaces, the DARTS space, the corpus sample and the user guide
.RI ( doc/guide.md ).
[SEE ALSO]
${see_also}.BR automoe-studio (1)
H2M
page automoe "AutoMoE Studio command line: search spaces, training, search and runs" "$work/automoe.h2m" \
    "$automoe"

cat > "$work/automoe-studio.h2m" <<'H2M'
[SEE ALSO]
.BR automoe (1)
.PP
The user guide, also under Help > User Guide in the app:
.I /usr/share/automoe-studio/doc/guide.md
H2M
page automoe-studio "AutoMoE Studio, the desktop workbench for MoE architecture search" \
    "$work/automoe-studio.h2m" "$studio"
echo "make-manpages: $(ls "$out" | wc -l) pages in $out"
