#!/usr/bin/env bash
# Every inventory shown in README.md, docs/*.md and the man pages works as
# shown on a fresh account: validate, plan, apply, and plan again with no
# changes.  New guides are picked up automatically; blocks that are not meant
# to run as they stand say so with a marker (see doc-inventories.py).
. "$(dirname "$0")/lib.sh"

python3 "$SRC_DIR/tests/cli/doc-inventories.py" "$SRC_DIR" "$T/inv" ||
	fail "could not extract the documentation's inventories"
start_emulator

# in_doc WHERE RC ARGS...: run_ps, naming the documentation block on failure.
in_doc() {
	local where=$1 want=$2 rc=0
	shift 2
	"$PROJSYNC_BIN" "$@" >"$T/out" 2>"$T/err" || rc=$?
	if [ "$rc" != "$want" ]; then
		echo "--- stdout" >&2; cat "$T/out" >&2
		echo "--- stderr" >&2; cat "$T/err" >&2
		fail "$where: the inventory shown there: 'projsync $*' exited $rc, expected $want" \
			"(fix the example, or mark it as described in tests/cli/doc-inventories.py)"
	fi
}

cd "$T/inv"
planned=0 total=0
while IFS=$'\t' read -r name kind where; do
	total=$((total + 1))
	f=$name.yaml
	case $kind in
	invalid)
		in_doc "$where" 3 validate -f "$f"
		continue ;;
	validate-only)
		in_doc "$where" 0 validate -f "$f"
		continue ;;
	esac
	emu_post /_emulator/reset >/dev/null
	in_doc "$where" 0 validate -f "$f"
	in_doc "$where" 0 plan -f "$f"
	in_doc "$where" 0 apply -f "$f" --auto-approve --allow-archive
	in_doc "$where" 0 plan -f "$f" --detailed-exitcode
	planned=$((planned + 1))
done <index

# README.md shows an inventory; if none was found the extractor is broken.
[ -s index ] || fail "no inventory found in README.md or docs/"
ok "$total inventories in README.md and docs/ checked, $planned planned and applied on a fresh account"
