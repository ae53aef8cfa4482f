#!/usr/bin/env bash
# The README and the guides in docs/ are run: every ```sh block of each, in order,
# in a fresh directory against a fresh emulator (PROJSYNC_ENDPOINT and a key
# set, so the "real account" steps run against it too), each expected to
# exit 0 or the code its fence names (```sh exit=3).  A projsync command
# outside an sh block fails the test (it would not be run), and every
# ```json block must parse.
. "$(dirname "$0")/lib.sh"

GUIDES="README.md docs/getting-started.md docs/inventory.md docs/gitops.md docs/adopting.md docs/iam.md docs/exit-codes.md docs/troubleshooting.md docs/json-output.md"
mkdir -p "$T/bin"
ln -s "$PROJSYNC_BIN" "$T/bin/projsync"
ln -s "$EMULATOR_BIN" "$T/bin/projsync-emulator"
export PATH=$T/bin:$PATH
git_sandbox
COMMANDS=$("$PROJSYNC_BIN" help | awk '/^Commands:/{f=1;next} f&&/^  [a-z]/{print $1} f&&/^$/{exit}' | paste -sd'|')

for g in $GUIDES; do
	md=$SRC_DIR/$g
	[ -f "$md" ] || fail "$g is missing"
	W=$T/${g//\//-}
	mkdir -p "$W/blocks"
	python3 - "$md" "$W/blocks" "$COMMANDS" <<'PY' || fail "$g: a block is malformed (above)"
import json, re, sys
md, out, commands = sys.argv[1], sys.argv[2], sys.argv[3]
text = open(md).read()
cmd_line = re.compile(rf"^\s*(\$\s+)?projsync\s+(-|({commands})\b)")
n = 0
bad = False
for m in re.finditer(r"^```([^\n]*)\n(.*?)^```\s*$", text, re.M | re.S):
    info, body = m.group(1).split(), m.group(2)
    lang = info[0] if info else ""
    line = text[:m.start()].count("\n") + 1
    if lang == "sh":
        want = 0
        for w in info[1:]:
            if w.startswith("exit="):
                want = int(w[5:])
        n += 1
        with open(f"{out}/{n:02d}.sh", "w") as f:
            f.write(f"# {md}:{line}\n{body}")
        with open(f"{out}/{n:02d}.want", "w") as f:
            f.write(str(want))
    else:
        for i, l in enumerate(body.splitlines()):
            if cmd_line.match(l):
                print(f"{md}:{line + 1 + i}: a projsync command outside an sh block is never run: {l.strip()}", file=sys.stderr)
                bad = True
        if lang == "json":
            try:
                json.loads(body)
            except ValueError as e:
                print(f"{md}:{line}: json block does not parse: {e}", file=sys.stderr)
                bad = True
sys.exit(1 if bad else 0)
PY
	mkdir -p "$W/work"
	mkdir -p "$W/work/scripts"
	cp -r "$SRC_DIR/examples" "$SRC_DIR/schemas" "$W/work/"
	cp "$SRC_DIR/scripts/push-history" "$W/work/scripts/"
	start_emulator
	blocks=0
	for b in "$W"/blocks/*.sh; do
		[ -e "$b" ] || break
		want=$(cat "${b%.sh}.want")
		rc=0
		(cd "$W/work" && bash -eo pipefail "$b") >"$T/out" 2>"$T/err" || rc=$?
		if [ "$rc" != "$want" ]; then
			echo "--- $(head -n1 "$b")" >&2
			sed 1d "$b" >&2
			echo "--- stdout" >&2; cat "$T/out" >&2
			echo "--- stderr" >&2; cat "$T/err" >&2
			fail "$g: a block exited $rc, expected $want"
		fi
		blocks=$((blocks + 1))
	done
	stop_emulator
	ok "$g: $blocks blocks run"
done
