#!/usr/bin/env bash
# The README's quick start: scripts/demo runs end to end on the binaries
# under test (it starts its own emulator with its own key) and ends with an
# account that matches the example.
. "$(dirname "$0")/lib.sh"

unset PROJSYNC_API_KEY	# the demo must bring the key its emulator accepts
rc=0
PROJSYNC_BIN=$PROJSYNC_BIN EMULATOR_BIN=$EMULATOR_BIN \
	"$SRC_DIR/scripts/demo" >"$T/out" 2>"$T/err" || rc=$?
[ "$rc" = 0 ] || { cat "$T/out" "$T/err" >&2; fail "scripts/demo exited $rc"; }
assert_contains "$T/out" "examples/projects.yaml: 4 projects, valid"
assert_contains "$T/out" "Apply complete: 4 created, 0 updated, 0 archived, 0 failed."
assert_contains "$T/out" "No changes. The account at http://127.0.0.1:"
assert_contains "$T/out" '"DataAnalytics-Prod": "proj_'
assert_not_contains "$T/err" "error"
ok "scripts/demo: validate, plan, apply, plan (no changes), output"
