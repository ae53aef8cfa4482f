#!/usr/bin/env bash
# The CI files we ship: examples_check.py holds action.yml, the GitHub
# workflows, the GitLab pipeline and the pre-commit hooks against the real
# projsync (YAML, bash -n, every command, option and format value).  Then
# the parts that run outside projsync are run here: two CI jobs recording
# at once both land through scripts/push-history, and merge-to-main.yml's
# "Find the reviewed plan" step finds the plan a pull request recorded,
# which `apply --from-history` then applies.
. "$(dirname "$0")/lib.sh"

python3 "$SRC_DIR/tests/cli/examples_check.py" "$PROJSYNC_BIN" "$SRC_DIR" ||
	fail "the CI examples use something projsync does not have (above)"
ok "action.yml, examples/github-actions/*.yml, examples/gitlab-ci.yml, .pre-commit-hooks.yaml"

git_sandbox
git init -q --bare -b main "$T/remote.git"
git init -q -b main "$T/seed"
cp "$SRC_DIR/examples/projects.yaml" "$T/seed/projects.yaml"
git -C "$T/seed" add projects.yaml
git -C "$T/seed" commit -q -m inventory
git -C "$T/seed" push -q "$T/remote.git" main
git clone -q "$T/remote.git" "$T/a"
git clone -q "$T/remote.git" "$T/b"
start_emulator

# ---- two jobs record, both push: the second one's records follow the first's ----
(cd "$T/a" && "$PROJSYNC_BIN" plan --record >/dev/null 2>&1) || fail "plan --record in a"
sed -i 's/CustomerChatbot-Prod/CustomerChatbot-Production/' "$T/b/projects.yaml"
(cd "$T/b" && "$PROJSYNC_BIN" plan --record >/dev/null 2>&1) || fail "plan --record in b"
b_tree=$(git -C "$T/b" rev-parse 'projsync/history^{tree}')
b_msg=$(git -C "$T/b" log -1 --format=%B projsync/history)
(cd "$T/a" && "$SRC_DIR/scripts/push-history" origin) >"$T/pa" 2>&1 || { cat "$T/pa"; fail "push-history a"; }
(cd "$T/b" && "$SRC_DIR/scripts/push-history" origin) >"$T/pb" 2>&1 || { cat "$T/pb"; fail "push-history b"; }
assert_contains "$T/pb" "our records now follow theirs"
[ "$(git -C "$T/remote.git" rev-list --count projsync/history)" = 2 ] ||
	fail "the remote history should hold both records"
[ "$(git -C "$T/remote.git" rev-parse 'projsync/history^{tree}')" = "$b_tree" ] ||
	fail "b's record changed on the way"
[ "$(git -C "$T/remote.git" log -1 --format=%B projsync/history)" = "$b_msg" ] ||
	fail "b's record message (trailers) changed on the way"
[ "$(git -C "$T/remote.git" rev-parse projsync/history~1)" = "$(git -C "$T/a" rev-parse projsync/history)" ] ||
	fail "a's record is not under b's"
(cd "$T/a" && "$SRC_DIR/scripts/push-history" origin) >"$T/pa" 2>&1 || fail "push-history with nothing new"
ok "scripts/push-history: concurrent records both land, unchanged, in order"

# ---- merge-to-main.yml: find the reviewed plan, apply it from history ----
git clone -q "$T/remote.git" "$T/ci"
python3 - "$SRC_DIR/examples/github-actions/merge-to-main.yml" >"$T/find.sh" <<'PY'
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
step = next(s for s in doc["jobs"]["apply"]["steps"] if s.get("id") == "reviewed")
print(step["run"])
PY
export GITHUB_OUTPUT=$T/github-output
: >"$GITHUB_OUTPUT"
(cd "$T/ci" && bash -e "$T/find.sh") >"$T/find.out" 2>&1 || { cat "$T/find.out"; fail "the find step failed"; }
rev=$(sed -n 's/^rev=//p' "$GITHUB_OUTPUT")
[ "$rev" = "$(git -C "$T/remote.git" rev-parse projsync/history~1)" ] ||
	fail "found '$rev', expected a's record (the one made from main's projects.yaml)"
(cd "$T/ci" && "$PROJSYNC_BIN" apply --from-history="$rev" --auto-approve --record) >"$T/apply.out" 2>&1 ||
	{ cat "$T/apply.out"; fail "apply --from-history=$rev"; }
assert_contains "$T/apply.out" "4 created"
ok "merge-to-main.yml finds the reviewed plan by its Inventory-SHA256; apply --from-history applies it"

# ---- action.yml's sticky comment: one marker, found again on the next push ----
python3 - "$SRC_DIR/action.yml" >"$T/sticky.sh" <<'PY'
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
step = next(s for s in doc["runs"]["steps"] if s.get("name") == "Sticky pull-request comment")
print(step["run"])
PY
mkdir -p "$T/fakebin" "$T/runner"
# a fake gh: lists the comments stored under $T/comments, records PATCH/POST
cat >"$T/fakebin/gh" <<'SH'
#!/bin/bash
set -eu
if [ "$2" = -X ]; then	# api -X PATCH|POST PATH -F body=@FILE
	echo "$4" >>"$GH_LOG"
	last=${*: -1}
	cp "${last#body=@}" "$GH_DIR/last.md"
	exit 0
fi
prev=
for a; do [ "$prev" = --jq ] && q=$a; prev=$a; done
marker=${q#*startswith(\"}
marker=${marker%%\")*}
[ -s "$GH_DIR/last.md" ] && head -n1 "$GH_DIR/last.md" | grep -qxF "$marker" && echo 4242
exit 0
SH
chmod +x "$T/fakebin/gh"
export GH_LOG=$T/gh.log GH_DIR=$T/runner RUNNER_TEMP=$T/runner COMMAND=plan INVENTORY=projects.yaml PR=7 REPO=acme/inv
sticky() {	# sticky RC: runs the step on $T/report
	(cd "$T/ci" && PATH="$T/fakebin:$PATH" REPORT=$T/report RC=$1 bash -e "$T/sticky.sh") ||
		fail "the sticky-comment step failed"
}
(cd "$T/ci" && "$PROJSYNC_BIN" plan --format markdown >"$T/report" 2>/dev/null) || fail "plan --format markdown"
sticky 0
[ "$(grep -c '<!-- projsync:' "$T/runner/last.md")" = 1 ] ||
	fail "the comment should carry one marker: $(head -3 "$T/runner/last.md")"
cmp -s "$T/report" "$T/runner/last.md" || fail "the comment is not projsync's markdown plan"
grep -q 'issues/7/comments$' "$GH_LOG" || fail "the first push should create the comment: $(cat "$GH_LOG")"
# a failing plan (no account) updates the same comment with the error
(cd "$T/ci" && PROJSYNC_ENDPOINT=http://127.0.0.1:9 "$PROJSYNC_BIN" plan --format markdown >"$T/report" 2>"$T/runner/projsync-err") && fail "plan against a closed port passed"
sticky 1
assert_contains "$T/runner/last.md" "could not be computed"
[ "$(grep -c '<!-- projsync:' "$T/runner/last.md")" = 1 ] || fail "the failure comment should carry one marker"
[ "$(tail -n1 "$GH_LOG")" = "repos/acme/inv/issues/comments/4242" ] ||
	fail "the failure should update the same comment: $(cat "$GH_LOG")"
# projsync did not run at all: the action says so, under a marker of its own
rm -f "$T/report" "$T/runner/projsync-err"
: >"$T/runner/last.md"
sticky 1
assert_contains "$T/runner/last.md" "projsync did not run"
[ "$(head -n1 "$T/runner/last.md")" = "<!-- projsync:plan:projects.yaml -->" ] || fail "no marker on the action's own failure comment"
ok "action.yml: the plan's own marker finds the sticky comment again (one marker, updated on failure)"
