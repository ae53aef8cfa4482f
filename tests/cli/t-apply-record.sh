#!/usr/bin/env bash
# apply --record checks the repository before the first write: when the
# apply could not be recorded, the account is not touched.
. "$(dirname "$0")/lib.sh"

export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.com GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.com
start_emulator
mkdir "$T/repo"
cp "$SRC_DIR/examples/projects.yaml" "$T/repo/projects.yaml"
git -C "$T/repo" init -q -b main
git -C "$T/repo" add projects.yaml
git -C "$T/repo" commit -q -m inventory
# recording would move the checked-out branch: refused by gitlog
git -C "$T/repo" checkout -q -b projsync/history

run_ps 1 -f "$T/repo/projects.yaml" apply --auto-approve --record
assert_contains "$T/err" "refusing to apply: it could not be recorded"
assert_contains "$T/err" "checked-out branch"
emu_get /v1/organization/projects >"$T/live"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))["data"]; sys.exit(0 if [p["id"] for p in d] == ["default"] else 1)' "$T/live" ||
	fail "the account changed although the apply could not be recorded"
ok "apply --record refused before any change when git cannot record it (exit 1)"

git -C "$T/repo" checkout -q main
run_ps 0 -f "$T/repo/projects.yaml" apply --auto-approve --record
assert_contains "$T/err" "recorded the apply"
ok "and applies and records once it can"
