#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# containai-init --import, the confined writer of `containai import`, on
# the real binary as root: files land beneath the volume with their mode
# and the volume's owner, and nothing planted in the volume (a symlink, a
# hard link, a directory, a symlinked parent) is written through.
. "$(dirname "$0")/../lib.sh"

D=$(scratch_dir)
VOL=$D/vol
SRC=$D/src
OUT=$D/outside
mkdir -p "$VOL" "$SRC" "$OUT"
printf '[dir a]\n' >"$D/volume.ini"
cat >"$D/init.ini" <<INI
[volume]
root = $VOL
manifest = $D/volume.ini
owner = 1000:1000
require_mount = false
INI
echo "from the host" >"$SRC/settings"
echo "token" >"$SRC/secret"

# import LINES: the list holds LINES; status in RC, stderr in ERR.
import() {
	printf '%b' "$1" >"$D/list"
	"$INIT" -c "$D/init.ini" --import "$D/list" 2>"$D/err"
	RC=$?
	ERR=$(cat "$D/err")
}

import "$SRC/settings\ta/settings.json\t0644\n$SRC/secret\tb/deep/auth.json\t0600\n"
expect_eq "import: exit 0" "$RC" 0
expect_eq "import: the file's content" "$(cat "$VOL/a/settings.json")" "from the host"
expect_eq "import: mode and the volume's owner" "$(stat -c '%a %u:%g' "$VOL/a/settings.json" "$VOL/b/deep/auth.json" | tr '\n' ' ')" \
	"644 1000:1000 600 1000:1000 "
expect_eq "import: missing parents made, the volume's owner's" "$(stat -c '%a %u:%g' "$VOL/b" "$VOL/b/deep" | tr '\n' ' ')" \
	"755 1000:1000 755 1000:1000 "
expect_match "import: says what it wrote" "$ERR" 'import: a/settings.json'

# What is at the destination is replaced, never written through.
echo "keep" >"$OUT/target"
ln -s "$OUT/target" "$VOL/a/link"
import "$SRC/settings\ta/link\t0644\n"
expect_eq "import: a symlink at the destination is replaced" "$RC:$(stat -c %F "$VOL/a/link")" "0:regular file"
expect_eq "import: the symlink's target is untouched" "$(cat "$OUT/target")" keep
echo "keep" >"$OUT/linked"
ln "$OUT/linked" "$VOL/a/hard"
import "$SRC/settings\ta/hard\t0644\n"
expect_eq "import: a hard link at the destination is replaced" "$RC:$(cat "$VOL/a/hard")" "0:from the host"
expect_eq "import: the other link is untouched" "$(cat "$OUT/linked"):$(stat -c %h "$OUT/linked")" "keep:1"

ln -s "$OUT" "$VOL/c"
import "$SRC/settings\tc/x\t0644\n"
expect_eq "import: a symlinked parent is refused" "$RC" 125
expect_eq "import: nothing written through it" "$(ls "$OUT" | tr '\n' ' ')" "linked target "
mkdir "$VOL/a/dir"
import "$SRC/settings\ta/dir\t0644\n"
expect_eq "import: a directory at the destination is refused" "$RC" 125
import "$SRC/settings\ta/../../escape\t0644\n"
expect_eq "import: a destination with .. is refused" "$RC" 125
expect_match "import: says which line" "$ERR" "$D/list:1: .*'\\.\\.' component not allowed"
check "import: nothing escaped" test ! -e "$D/escape"

mkfifo "$SRC/fifo"
printf '%s\ta/f\t0644\n' "$SRC/fifo" >"$D/list"
timeout 10 "$INIT" -c "$D/init.ini" --import "$D/list" 2>"$D/err"
expect_eq "import: a FIFO source is refused without hanging" "$?" 125
expect_match "import: the FIFO is named as not a regular file" "$(cat "$D/err")" 'not a regular file'
ln -s "$SRC/secret" "$SRC/link"
import "$SRC/link\ta/l\t0644\n"
expect_eq "import: a symlinked source is refused" "$RC:$(test -e "$VOL/a/l" && echo there)" "125:"
import "$SRC/settings a/x 0644\n"
expect_eq "import: a malformed line is refused" "$RC" 125
expect_match "import: the malformed line is named" "$ERR" "$D/list:1: expected SRC<TAB>DEST<TAB>MODE"
import "$SRC/settings\ta/x\t4755\n"
expect_eq "import: a mode with special bits is refused" "$RC" 125
printf '[init]\ngrace = 1\n' >"$D/novol.ini"
"$INIT" -c "$D/novol.ini" --import "$D/list" 2>"$D/err"
expect_match "import: refused without a volume" "$?:$(cat "$D/err")" '^125:.*no \[volume\]'
