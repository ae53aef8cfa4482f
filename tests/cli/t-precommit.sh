#!/usr/bin/env bash
# validate and lint take inventories as operands (what pre-commit passes):
# each file is checked, every diagnostic names its file, exit 3 if any is
# invalid.  Then the hooks of .pre-commit-hooks.yaml run under the real
# pre-commit (`try-repo`, offline: language system) on a user's repository.
. "$(dirname "$0")/lib.sh"

EX=$SRC_DIR/examples/projects.yaml
cp "$EX" "$T/good.yaml"
cat >"$T/bad.yaml" <<'YAML'
version: 1
projects:
  - name: Chatbot
    tags: { Application: Chatbot, Environment: Production, Team: T, CostCenter: CC-1 }
  - name: Chatbot
    tags: { Application: Chatbot, Environment: Production, Team: T, CostCenter: CC-1 }
YAML

# ---- validate ----
run_ps 0 validate "$T/good.yaml" "$EX"
assert_contains "$T/out" "$T/good.yaml: 4 projects, valid"
assert_contains "$T/out" "$EX: 4 projects, valid"
run_ps 3 validate "$T/good.yaml" "$T/bad.yaml"
assert_contains "$T/out" "$T/good.yaml: 4 projects, valid"
assert_contains "$T/err" "$T/bad.yaml:5:"
assert_contains "$T/err" "'$T/bad.yaml' is invalid"
assert_not_contains "$T/err" "good.yaml:"
run_ps 3 validate "$T/bad.yaml" "$T/good.yaml"
run_ps 3 validate --format json "$T/good.yaml" "$T/bad.yaml"
python3 - "$T/out" "$T/bad.yaml" <<'PY' || fail "validate --format json of two files"
import json, sys
d = json.load(open(sys.argv[1]))
assert d and all(x["file"] == sys.argv[2] for x in d), d
PY
run_ps 1 validate "$T/good.yaml" "$T/missing.yaml"
assert_contains "$T/err" "missing.yaml"
assert_contains "$T/out" "good.yaml: 4 projects, valid"
# -f still names the one inventory when there are no operands
run_ps 3 -f "$T/bad.yaml" validate
ok "validate FILE...: each checked, diagnostics name their file, exit 3 if any invalid"

# ---- lint ----
run_ps 0 lint "$T/good.yaml" "$EX"
assert_contains "$T/out" "lint: 8 projects: 0 errors"
run_ps 3 lint "$T/good.yaml" "$T/bad.yaml"
assert_contains "$T/out" "$T/bad.yaml:5:"
assert_contains "$T/out" "lint: 6 projects:"
run_ps 3 lint --format json "$T/bad.yaml" "$T/good.yaml"
python3 - "$T/out" "$T/bad.yaml" "$T/good.yaml" <<'PY' || fail "lint --format json of two files"
import json, sys
d = json.load(open(sys.argv[1]))
files = {f["file"] for f in d["findings"]}
assert sys.argv[2] in files, files
assert d["summary"]["projects"] == 6 and d["summary"]["errors"] >= 1, d["summary"]
PY
run_ps 3 lint --format sarif "$T/bad.yaml" "$T/good.yaml"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["runs"][0]["results"]' "$T/out" ||
	fail "lint --format sarif of two files"
run_ps 64 lint --live "$T/good.yaml" "$EX"
assert_contains "$T/err" "--live"
ok "lint FILE...: one report for every file, exit 3 if any has errors"

# ---- the hooks under pre-commit ----
command -v pre-commit >/dev/null || fail "pre-commit is not installed (scripts/deps.sh installs it)"
git_sandbox
export PRE_COMMIT_HOME=$T/pre-commit-home
mkdir -p "$T/bin"
ln -s "$PROJSYNC_BIN" "$T/bin/projsync"
export PATH=$T/bin:$PATH
# the hooks repository: this tree's .pre-commit-hooks.yaml, committed
H=$T/hooks-repo
git init -q -b main "$H"
cp "$SRC_DIR/.pre-commit-hooks.yaml" "$H/"
git -C "$H" add -A
git -C "$H" commit -q -m hooks
R=$T/user-repo
git init -q -b main "$R"
mkdir -p "$R/team-a"
cp "$EX" "$R/projects.yaml"
cp "$EX" "$R/team-a/projects.yaml"
echo 'not: an inventory' >"$R/other.yaml"
git -C "$R" add -A
cd "$R"
for hook in projsync-validate projsync-lint; do
	rc=0
	pre-commit try-repo "$H" "$hook" --all-files >"$T/pc.out" 2>&1 || rc=$?
	[ "$rc" = 0 ] || { cat "$T/pc.out" >&2; fail "$hook on valid inventories: exit $rc"; }
	assert_contains "$T/pc.out" "Passed"
done
ok "pre-commit: projsync-validate and projsync-lint pass on valid inventories (other YAML skipped)"

cp "$T/bad.yaml" "$R/team-a/projects.yaml"
git -C "$R" add -A
for hook in projsync-validate projsync-lint; do
	rc=0
	pre-commit try-repo "$H" "$hook" --all-files >"$T/pc.out" 2>&1 || rc=$?
	[ "$rc" = 1 ] || { cat "$T/pc.out" >&2; fail "$hook on a bad inventory: exit $rc, expected 1"; }
	assert_contains "$T/pc.out" "Failed"
	assert_contains "$T/pc.out" "team-a/projects.yaml:5:"
	assert_not_contains "$T/pc.out" "other.yaml"
done
ok "pre-commit: both hooks fail on a bad inventory and name its file:line"
