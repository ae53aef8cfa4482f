#!/usr/bin/env bash
# The git record: `projsync diff REV1 REV2` on commits (renames, tags,
# taxonomy, includes, invalid sides), `log` and `show` on recorded plans
# and applies, `plan --record` into a repository with work in progress
# (untouched afterwards), two recorders at once, a repository owned by
# another user and one without any commit.  The git CLI only sets up and
# inspects; projsync itself never runs git.
. "$(dirname "$0")/lib.sh"

GOLD=$SRC_DIR/tests/fixtures/gitlog
# No user or system git configuration; fixed identities and dates make
# commit ids, and so the golden files, reproducible.
export HOME=$T/home XDG_CONFIG_HOME=$T/home GIT_CONFIG_NOSYSTEM=1
mkdir -p "$HOME"
export GIT_AUTHOR_NAME=Dev GIT_AUTHOR_EMAIL=dev@example.com
export GIT_COMMITTER_NAME=Dev GIT_COMMITTER_EMAIL=dev@example.com
export GIT_AUTHOR_DATE='2026-01-02T03:04:05+0100' GIT_COMMITTER_DATE='2026-01-02T03:04:05+0100'
unset PROJSYNC_GIT_AUTHOR_NAME PROJSYNC_GIT_AUTHOR_EMAIL GIT_DIR GIT_WORK_TREE

R=$T/repo
git init -q -b main "$R"
cd "$R"
[ "$(git rev-parse --show-toplevel)" = "$R" ] || fail "not in the test repository"

# ---- diff ----------------------------------------------------------------
cat >projects.yaml <<'EOF'
version: 1
settings: { region: us-east-1 }
taxonomy:
  required: [Application, Environment, Team, CostCenter]
  tags:
    Application: { allowed: [CustomerChatbot, Experiments, DataAnalytics] }
    Environment: { allowed: [Production, Development, Staging, Research] }
    Team:        { allowed: [CustomerExperience, PlatformEngineering, DataScience] }
    CostCenter:  { pattern: '^CC-[0-9]{4}$' }
    Owner:       {}
defaults:
  tags: { Team: CustomerExperience }
include: [teams/*.yaml]
projects:
  - name: CustomerChatbot-Prod
    tags: { Application: CustomerChatbot, Environment: Production, CostCenter: CC-1001, Owner: alice }
  - name: Legacy-Bot
    id: proj_5d5ykleja6cwpirysbb7
    tags: { Application: CustomerChatbot, Environment: Production, CostCenter: CC-1002 }
  - name: Old-Experiment
    tags: { Application: Experiments, Environment: Research, CostCenter: CC-1003 }
EOF
mkdir teams
cat >teams/data.yaml <<'EOF'
projects:
  - name: DS-Analytics
    tags: { Application: DataAnalytics, Environment: Development, Team: DataScience, CostCenter: CC-2001 }
  - name: DS-Scratch
    tags: { Application: DataAnalytics, Environment: Development, Team: DataScience, CostCenter: CC-2009 }
EOF
git add . && git commit -qm base && git tag base

# A pull request: a rename (same id), tag changes, an archive, a project
# removed from an include file, a new allowed value, a new project in a new
# include file, settings.
sed -i 's/name: Legacy-Bot$/name: Legacy-Bot-v2/; s/CC-1002/CC-1009/; s/Owner: alice/Owner: bob/' projects.yaml
sed -i 's/  - name: Old-Experiment/&\n    archived: true/' projects.yaml
sed -i '/DS-Scratch/,$d' teams/data.yaml
sed -i 's/Research\] }/Research, QA] }/; s/region: us-east-1/region: eu-west-1, unmanaged: archive/' projects.yaml
cat >>projects.yaml <<'EOF'
  - name: Retired-Bot
    archived: true
    tags: { Application: CustomerChatbot, Environment: Staging, CostCenter: CC-1004 }
EOF
cat >teams/forecast.yaml <<'EOF'
projects:
  - name: DS-Forecast
    tags: { Application: DataAnalytics, Environment: QA, Team: DataScience, CostCenter: CC-2002 }
EOF
git add . && git commit -qm 'rename, retag, forecast' && git tag pr
# The work tree is not what diff reads: break it on purpose.
rm teams/data.yaml
printf 'version: [\n' >projects.yaml

run_ps 0 diff base pr
assert_golden "$T/out" "$GOLD/diff.txt"
run_ps 0 diff --format markdown base pr
assert_golden "$T/out" "$GOLD/diff.md"
run_ps 0 diff --format json base pr
assert_golden "$T/out" "$GOLD/diff.json"
python3 -m json.tool "$T/out" >/dev/null || fail "diff --format json is not JSON"
ok "diff: renames, tags, includes inside commits (text, markdown, json)"

run_ps 2 diff --detailed-exitcode base pr
run_ps 0 diff --detailed-exitcode pr pr
assert_contains "$T/out" "No changes. The inventories are equivalent."
run_ps 0 diff "$(git rev-parse base)" pr~0
assert_contains "$T/out" "Projects: 2 added, 1 removed, 3 changed (1 renamed)."
ok "diff: --detailed-exitcode, revision syntax"

# An include inside a commit that the work tree no longer has: only the
# commit's tree counts, and a file in the work tree does not leak in.
printf 'projects:\n  - name: Worktree-Only\n    tags: { Application: DataAnalytics, Environment: QA, CostCenter: CC-3000 }\n' >teams/zzz.yaml
run_ps 0 diff base pr
assert_not_contains "$T/out" "Worktree-Only"
git checkout -q -- . && rm teams/zzz.yaml
ok "diff: the work tree does not leak into the commits' inventories"

# Ranges as in git: A..B is A B; A...B starts where B left A.
git checkout -q -b side base
sed -i 's/CC-1003/CC-1008/' projects.yaml
git commit -qam 'side change'
git checkout -q main
run_ps 0 diff base..pr
cp "$T/out" "$T/range"
run_ps 0 diff base pr
cmp -s "$T/out" "$T/range" || fail "diff base..pr differs from diff base pr"
run_ps 0 diff --format json side...pr
assert_contains "$T/out" "\"commit\": \"$(git rev-parse base)\""
run_ps 0 diff side...pr
assert_contains "$T/out" "Comparing 'projects.yaml' at $(git rev-parse --short=7 base) and pr ("
assert_not_contains "$T/out" "CC-1008"
run_ps 0 diff side..pr
assert_contains "$T/out" '"CC-1008" -> "CC-1003"'
run_ps 0 diff pr..
assert_contains "$T/out" "No changes."
ok "diff: A..B and A...B ranges"

# -f names the inventory inside the commits; the repository is found from
# the current directory, also from a sub folder.
mkdir -p sub && cd sub
run_ps 0 -f teams/forecast.yaml diff base pr
assert_contains "$T/err" "'teams/forecast.yaml' does not exist in 'base'; comparing with an empty inventory"
assert_contains "$T/out" '+ "DS-Forecast" added'
cd "$R" && rmdir sub
run_ps 1 -f nope.yaml diff base pr
assert_contains "$T/err" "'nope.yaml' exists in neither 'base' nor 'pr'"
run_ps 1 diff base no-such-branch
assert_contains "$T/err" "unknown revision 'no-such-branch'"
run_ps 64 diff base
run_ps 64 diff base pr extra
run_ps 64 diff --format yaml base pr
run_ps 64 -f ../outside.yaml diff base pr
# options after the revisions, as git takes them; getopt's own message
# must not come on top of ours
run_ps 0 diff base pr --format markdown
assert_golden "$T/out" "$GOLD/diff.md"
run_ps 64 diff base pr --format
assert_contains "$T/err" "projsync: option '--format' needs a value"
assert_not_contains "$T/err" "requires an argument"
run_ps 64 diff --bogus base pr
assert_contains "$T/err" "projsync: unknown option '--bogus'"
assert_not_contains "$T/err" "unrecognized"
ok "diff: -f inside commits, missing files, bad revisions, usage errors"

# An invalid side: every problem, named REV:file:line:col, exit 3.
git checkout -q -b bad pr
sed -i 's/CC-2002/CC-20x/; s/Environment: QA/Environment: Qa/' teams/forecast.yaml
git commit -qam 'bad values'
run_ps 3 diff pr bad
assert_contains "$T/err" "bad:teams/forecast.yaml:3:54: error: 'Qa' is not an allowed value of 'Environment'; did you mean 'QA'?"
assert_contains "$T/err" "bad:teams/forecast.yaml:3:89: error: the value 'CC-20x'"
assert_contains "$T/err" "[pattern-mismatch]"
assert_contains "$T/err" "'projects.yaml' at 'bad' is invalid: 2 errors"
[ ! -s "$T/out" ] || fail "an invalid diff printed a result"
git checkout -q main
ok "diff: an invalid revision is reported as REV:file:line:col, exit 3"

# ---- log and show on records ---------------------------------------------
# Records as projsync writes them, made here with plumbing so the golden
# files do not depend on the API or the clock.
craft_record() {	# kind summary plan.md-text [result-json]
	local t pj pm rj parent c
	pj=$(printf '{"format_version": 1, "summary": "%s"}\n' "$2" | git hash-object -w --stdin)
	pm=$(printf '%s\n' "$3" | git hash-object -w --stdin)
	t=$(printf '100644 blob %s\tplan.json\n100644 blob %s\tplan.md\n' "$pj" "$pm")
	if [ -n "${4:-}" ]; then
		rj=$(printf '%s\n' "$4" | git hash-object -w --stdin)
		t=$(printf '%s\n100644 blob %s\tresult.json\n' "$t" "$rj")
	fi
	t=$(printf '%s\n' "$t" | git mktree)
	parent=$(git rev-parse -q --verify refs/heads/projsync/history || true)
	c=$(printf '%s\n\nProjsync-Kind: %s\nInventory-Commit: %s\nInventory-Path: projects.yaml\nInventory-SHA256: %s\nEndpoint: https://bedrock-mantle.us-east-1.api.aws/v1\nProjsync-Version: 0.1.0\n' \
		"$2" "$1" "$(git rev-parse main)" "$(git show main:projects.yaml | sha256sum | cut -d' ' -f1)" |
		GIT_AUTHOR_NAME=projsync GIT_AUTHOR_EMAIL=projsync@localhost git commit-tree "$t" ${parent:+-p "$parent"})
	git update-ref refs/heads/projsync/history "$c"
}

run_ps 0 log
[ ! -s "$T/out" ] || fail "log printed records before any"
assert_contains "$T/err" "nothing recorded yet"
run_ps 0 log --format json
[ "$(cat "$T/out")" = "[]" ] || fail "empty log is not []"
run_ps 1 show
assert_contains "$T/err" "nothing recorded yet"

craft_record plan "Plan: 1 to create, 0 to update, 0 to archive." "### projsync plan

- **DS-Forecast**: created"
GIT_COMMITTER_DATE='2026-01-02T04:00:00-0700' craft_record apply "Apply complete: 1 created, 0 updated, 0 archived, 1 failed." "### projsync plan (applied)" \
	'{"format_version": 1, "changes": [{"action": "create", "name": "DS-Forecast", "id": "proj_abc", "outcome": "done", "adopted": true, "error": null}, {"action": "update", "name": "Bot", "id": "proj_def", "outcome": "failed", "adopted": false, "error": "HTTP 400: bad tag"}]}'
craft_record plan "No changes. The account matches the inventory." "### projsync plan

No changes."

run_ps 0 log
assert_golden "$T/out" "$GOLD/log.txt"
run_ps 0 log -n 2 --format json
assert_golden "$T/out" "$GOLD/log.json"
run_ps 0 log -n 0
[ ! -s "$T/out" ] || fail "log -n 0 printed something"
run_ps 64 log -n x
run_ps 64 log extra
run_ps 64 log -n
assert_contains "$T/err" "projsync: option '-n' needs a value"
assert_not_contains "$T/err" "requires an argument"
ok "log: text, json, -n"

run_ps 0 show
assert_golden "$T/out" "$GOLD/show-latest.txt"
run_ps 0 show projsync/history~1
assert_golden "$T/out" "$GOLD/show-apply.txt"
run_ps 0 show --format json projsync/history~1
[ "$(head -c 22 "$T/out")" = '{"format_version": 1, ' ] || fail "show --format json of an apply is not result.json"
run_ps 0 show --format json projsync/history~2
assert_contains "$T/out" '"summary": "Plan: 1 to create'
run_ps 0 show --raw plan.md "$(git rev-parse projsync/history~2 | cut -c1-10)"
[ "$(head -n1 "$T/out")" = "### projsync plan" ] || fail "show --raw is not byte for byte"
run_ps 1 show --raw result.json projsync/history
assert_contains "$T/err" "has no file 'result.json'"
run_ps 1 show main
assert_contains "$T/err" "'main' ($(git rev-parse --short=7 main)) is not a projsync record"
run_ps 1 show no-such-rev
assert_contains "$T/err" "unknown revision 'no-such-rev'"
run_ps 64 show --raw ../x
run_ps 0 show projsync/history~2 --format json
assert_contains "$T/out" '"summary": "Plan: 1 to create'
run_ps 64 show --format
assert_contains "$T/err" "projsync: option '--format' needs a value"
assert_not_contains "$T/err" "requires an argument"
ok "show: text, json, --raw, errors"

# --record-repo: read another repository's records.
git clone -q --bare . "$T/records.git"
git -C "$T/records.git" update-ref refs/heads/projsync/history "$(git rev-parse projsync/history)"
cd "$T"
run_ps 0 log --record-repo "$T/records.git"
assert_golden "$T/out" "$GOLD/log.txt"
run_ps 1 log --record-repo "$T/not-there"
assert_contains "$T/err" "not a git repository"
cd "$R"
ok "log --record-repo"

# ---- a repository without any commit -------------------------------------
E=$T/empty
git init -q "$E"
printf 'version: 1\n' >"$E/projects.yaml"
run_ps 0 -f "$E/projects.yaml" log
assert_contains "$T/err" "nothing recorded yet"
run_ps 1 -f "$E/projects.yaml" show
assert_contains "$T/err" "nothing recorded yet"
(cd "$E" && run_ps 1 diff HEAD HEAD)
assert_contains "$T/err" "unknown revision 'HEAD'"
ok "a repository without commits: empty log, clear errors"

# ---- a repository owned by another user ----------------------------------
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	O=$T/owned
	git init -q "$O"
	printf 'version: 1\n' >"$O/projects.yaml"
	git -C "$O" add . && git -C "$O" commit -qm one
	chown -R nobody "$O"
	run_ps 1 -f "$O/projects.yaml" log
	assert_contains "$T/err" "the git repository '$O' (found from the inventory's folder) is owned by another user"
	assert_contains "$T/err" "git config --global --add safe.directory '$O'"
	(cd "$O" && run_ps 1 diff HEAD HEAD)
	assert_contains "$T/err" "is owned by another user"
	git config --global --add safe.directory "$O"
	run_ps 0 -f "$O/projects.yaml" log
	chown -R "$(id -u)" "$O"
	ok "a repository owned by another user is refused with the safe.directory hint"
else
	ok "# skip: owner test needs root"
fi

# ---- plan --record, for real ---------------------------------------------
unset GIT_AUTHOR_DATE GIT_COMMITTER_DATE
start_emulator
W=$T/work
git init -q -b main "$W"
cd "$W"
cat >projects.yaml <<'EOF'
version: 1
projects:
  - name: Bot
    tags: { Application: Bot, Environment: Production, Team: Core, CostCenter: CC-1000 }
EOF
printf 'a\n' >notes.txt
git add . && git commit -qm init
# Work in progress of every kind: stash, staged, unstaged, untracked.
printf 'b\n' >>notes.txt && git stash -q
printf 'staged\n' >staged.txt && git add staged.txt
printf 'c\n' >>notes.txt
printf 'u\n' >untracked.txt
git status --porcelain=v2 --branch --untracked-files=all >"$T/status.before"
git stash list >"$T/stash.before"
git rev-parse HEAD >"$T/head.before"
git symbolic-ref HEAD >>"$T/head.before"
cp .git/index "$T/index.before"

run_ps 0 plan --record
assert_contains "$T/err" "recorded the plan as"
cmp -s .git/index "$T/index.before" || fail "plan --record wrote the index"
git status --porcelain=v2 --branch --untracked-files=all >"$T/status.after"
git stash list >"$T/stash.after"
git rev-parse HEAD >"$T/head.after"
git symbolic-ref HEAD >>"$T/head.after"
diff -u "$T/status.before" "$T/status.after" >&2 || fail "git status changed"
diff -u "$T/stash.before" "$T/stash.after" >&2 || fail "git stash list changed"
diff -u "$T/head.before" "$T/head.after" >&2 || fail "HEAD changed"
[ "$(git ls-tree --name-only projsync/history | tr '\n' ' ')" = "plan.json plan.md " ] ||
	fail "the record's tree is not plan.json plan.md"
[ "$(git log -1 --format='%(trailers:key=Projsync-Kind,valueonly)' projsync/history)" = plan ] ||
	fail "no Projsync-Kind trailer"
[ "$(git log -1 --format='%(trailers:key=Inventory-Commit,valueonly)' projsync/history)" = "$(git rev-parse HEAD)" ] ||
	fail "Inventory-Commit is not HEAD"
[ "$(git log -1 --format='%(trailers:key=Endpoint,valueonly)' projsync/history)" = "$EMU_URL" ] ||
	fail "Endpoint trailer"
git cat-file -p projsync/history | grep -q "$PROJSYNC_API_KEY" && fail "the API key was committed"
run_ps 0 show
assert_contains "$T/out" "record $(git rev-parse projsync/history) (plan)"
assert_contains "$T/out" "### projsync plan"
run_ps 0 show --format json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["format_version"] == 1' "$T/out" ||
	fail "show --format json is not the plan document"
ok "plan --record leaves the work tree, index, HEAD and stash alone"

# Two recorders at once, 10 records each: all 20 land, in one line.
recorder() {
	local i
	for i in $(seq 1 10); do
		"$PROJSYNC_BIN" plan --record >/dev/null 2>"$T/rec$1.err" || { echo "recorder $1 failed" >"$T/rec$1.fail"; cat "$T/rec$1.err" >&2; return 1; }
	done
}
recorder 1 &
p1=$!
recorder 2 &
p2=$!
wait $p1 || fail "recorder 1 failed"
wait $p2 || fail "recorder 2 failed"
[ "$(git rev-list --count projsync/history)" = 21 ] || fail "expected 21 records, got $(git rev-list --count projsync/history)"
[ -z "$(git rev-list --min-parents=2 projsync/history)" ] || fail "the history has merges"
[ "$(git rev-list --max-parents=0 projsync/history | wc -l)" = 1 ] || fail "the history has several roots"
run_ps 0 log
[ "$(wc -l <"$T/out")" = 21 ] || fail "log does not list 21 records"
ok "two concurrent recorders: every record lands, history linear"


# --record-repo PATH creates a bare repository when missing.
run_ps 0 plan --record-repo "$T/audit.git"
[ "$(git -C "$T/audit.git" rev-parse --is-bare-repository)" = true ] || fail "--record-repo did not create a bare repository"
[ "$(git -C "$T/audit.git" rev-list --count projsync/history)" = 1 ] || fail "--record-repo did not record"
run_ps 0 log --record-repo "$T/audit.git"
[ "$(wc -l <"$T/out")" = 1 ] || fail "log --record-repo"
ok "--record-repo creates a bare repository"

# apply --from-history applies the newest recorded plan and records the
# apply; show lists what it did.
run_ps 0 apply --from-history --auto-approve --record
assert_contains "$T/err" "recorded the apply as"
[ "$(git log -1 --format='%(trailers:key=Projsync-Kind,valueonly)' projsync/history)" = apply ] ||
	fail "the apply was not recorded as an apply"
[ "$(git ls-tree --name-only projsync/history | tr '\n' ' ')" = "plan.json plan.md result.json " ] ||
	fail "the apply's tree is not plan.json plan.md result.json"
run_ps 0 show
assert_contains "$T/out" "(apply)"
assert_contains "$T/out" 'created  "Bot" (proj_'
run_ps 0 log -n 1
assert_contains "$T/out" "apply  $(git rev-parse --short=7 HEAD)"
# A recorded plan of another version of the inventory is refused.
run_ps 0 plan --record
printf '# edited\n' >>projects.yaml
run_ps 4 apply --from-history --auto-approve
assert_contains "$T/err" "another version"
git checkout -q -- projects.yaml
ok "apply --from-history applies the recorded plan, apply --record records the result"

git fsck --strict --no-dangling --no-progress >"$T/fsck" 2>&1 || { cat "$T/fsck" >&2; fail "git fsck"; }
[ ! -s "$T/fsck" ] || { cat "$T/fsck" >&2; fail "git fsck reported problems"; }
(cd "$R" && git fsck --strict --no-progress >"$T/fsck" 2>&1) || { cat "$T/fsck" >&2; fail "git fsck (diff repo)"; }
ok "git fsck --strict is clean"
