#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Man pages: one for every binary the build makes, rendered by man(1)
# without a warning, and describing every option the binary's --help lists.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

# binary -> man page section
declare -A SECTION=([containai-init]=8 [containai]=1)

# help_options BIN: every -x / --long option its --help mentions.
help_options() {
	"$1" --help 2>&1 | grep -oE '(^|[][ |,])--?[A-Za-z][A-Za-z0-9-]*' | sed 's/^[][ |,]//' | sort -u
}

# render PAGE: the page as plain text, one line per paragraph so that no
# option is split by line breaking or hyphenation.
render() {
	LC_ALL=C MANWIDTH=2000 man --nh --nj -l "$1" 2>/dev/null | col -b
}

for bin in "${!SECTION[@]}"; do
	[ -x "$CAI_BUILD/$bin" ] || continue
	sec=${SECTION[$bin]}
	src=$CAI_ROOT/docs/$bin.$sec.scd
	page=$CAI_BUILD/man/$bin.$sec
	if [ ! -f "$src" ]; then
		fail "$bin($sec) has a man page" "docs/$bin.$sec.scd is missing"
		continue
	fi
	if [ ! -f "$page" ] || [ "$src" -nt "$page" ]; then
		fail "$bin($sec) man page is built by make" "$page is missing or older than its source"
		continue
	fi
	pass "$bin($sec) has a man page"
	warnings=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
	expect_eq "$bin($sec) renders without warnings" "$warnings" ""
	text=$(render "$page")
	headings=$(printf '%s\n' "$text" | grep -xE 'NAME|SYNOPSIS|DESCRIPTION' | tr '\n' ' ')
	expect_eq "$bin($sec) has NAME, SYNOPSIS and DESCRIPTION" "$headings" "NAME SYNOPSIS DESCRIPTION "
	opts=$(help_options "$CAI_BUILD/$bin")
	if [ -z "$opts" ]; then
		fail "$bin --help lists options" "no option found in its --help output"
		continue
	fi
	missing=
	for o in $opts; do
		# Described, not just named in the synopsis: the option starts an
		# entry of a definition list ("  -c FILE", "  --help, -h").
		printf '%s\n' "$text" | grep -qE -- "^[[:space:]]+([^[:space:]]+, )*$o([ ,=]|$)" || missing="$missing $o"
	done
	expect_eq "$bin($sec) documents every option of --help" "${missing# }" ""
done

# docs/security.md claims a guarantee ("kept") only with the code and the
# test that back it: every file it cites exists, every function it names is
# in that file, every quoted test case is in that test file.  Cases are
# cited as the suites print them, so a case the suite names with variables
# ("$f is zero") is found by any value of them ("CapEff is zero").
sec_problems=$(python3 - "$CAI_ROOT" <<'PY'
import re, sys, os
root = sys.argv[1]
problems, rows = [], 0
# A case is named by the first argument of a reporting helper.
REPORT = r"\b(?:pass|fail|check\w*|expect\w*)[ \t]+"
VAR = re.compile(r"\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*")

def case_in(case, text):
    """The case as a quoted literal, as a bare word after a reporting
    helper (expect_ok name ...), or as a value of a name the helper gets
    built from variables, one word each, maybe empty ("$f is zero",
    "env_symlink_skipped$sfx")."""
    if f'"{case}"' in text:
        return True
    if re.search(r"%s%s(\s|$)" % (REPORT, re.escape(case)), text):
        return True
    for lit in re.findall(r'%s"([^"\n]*\$[^"\n]*)"' % REPORT, text):
        parts = VAR.split(lit)
        # "$name" alone would match anything: some of the name is text.
        if len(parts) > 1 and re.search(r"[A-Za-z]", "".join(parts)) and re.fullmatch(r"\S*".join(map(re.escape, parts)), case):
            return True
    return False

def cited_files(ident, cell, path_re):
    """Each `FILE` a cell's ;-separated parts start with, with the rest of
    that part and the file's text; a missing file is a problem."""
    for seg in cell.split(";"):
        m = re.match(r"\s*`(%s)`(.*)" % path_re, seg)
        if not m:
            continue
        full = os.path.join(root, m.group(1))
        if not os.path.isfile(full):
            problems.append(f"{ident}: {m.group(1)} does not exist")
            continue
        yield m.group(1), m.group(2), open(full).read()

for line in open(os.path.join(root, "docs/security.md")):
    cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
    if len(cells) != 5 or not cells[4].startswith("kept"):
        continue
    rows += 1
    ident, _, code, proof, _ = cells
    for path, rest, text in cited_files(ident, code, r"[\w./-]+"):
        for fn in re.findall(r"`([A-Za-z_][A-Za-z0-9_]*)`", rest):
            if not re.search(r"\b%s\b" % fn, text):
                problems.append(f"{ident}: {fn} not in {path}")
    for path, rest, text in cited_files(ident, proof, r"tests/[\w./-]+"):
        for case in re.findall(r'"([^"]+)"', rest):
            if not case_in(case, text):
                problems.append(f"{ident}: case '{case}' not in {path}")
        # unit tests are named `like_this`: TEST(like_this) or BOTH(like_this)
        for case in re.findall(r"`([a-z_][a-z0-9_]*)`", rest):
            if not re.search(r"\b(TEST|BOTH)\(%s\)" % case, text):
                problems.append(f"{ident}: unit test {case} not in {path}")
if rows == 0:
    problems.append("no kept row found (table format changed?)")
print("\n".join(problems))
PY
)
expect_eq "security.md cites only code and tests that exist" "$sec_problems" ""
