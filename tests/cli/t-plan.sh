#!/usr/bin/env bash
# projsync plan against the real emulator: unchanged, tag drift, rename by
# id, archived same-name, duplicate live names, unmanaged modes, paging over
# 1,001 projects (request count from /_emulator/stats), the project limit,
# 401/403/404, malformed responses, --detailed-exitcode, -o plan files
# (mode 0600, no credential), formats, --record and usage errors.
. "$(dirname "$0")/lib.sh"

FAKE=$SRC_DIR/tests/cli/plan-fake-api.py
cd "$T"

# mkstate FILE SPEC...: an emulator state file; SPEC is
# "id|name|status|K=V,K=V" (status active or archived).
mkstate() {
	python3 - "$@" <<'EOF'
import json, sys
projects = []
for i, spec in enumerate(sys.argv[2:]):
    pid, name, status, tags = (spec.split("|") + ["", "", ""])[:4]
    t = dict(kv.split("=", 1) for kv in tags.split(",") if kv)
    projects.append({"id": pid, "name": name, "created_at": 1760000000 + i,
                     "status": status or "active", "tags": t})
json.dump({"epoch": 1750000000, "projects": projects}, open(sys.argv[1], "w"))
EOF
}

# emu STATEFILE [args]: restart the emulator on a copy of that state.
emu() {
	local st=$1
	shift
	stop_emulator		# it saves its state on exit: stop it first
	rm -f "$T/emu.out"
	cp "$st" "$T/live-state.json"
	start_emulator --state "$T/live-state.json" "$@"
}

# stats_check PYTHON-EXPR: assert on /_emulator/stats (as `s`).
stats_check() {
	emu_get /_emulator/stats >"$T/stats.json"
	python3 - "$T/stats.json" "$1" <<'EOF' || fail "stats: $1: $(cat "$T/stats.json")"
import json, sys
s = json.load(open(sys.argv[1]))
routes = s.get("by_route", {})
lists = routes.get("list", {}).get("total", 0)
writes = sum(routes.get(r, {}).get("total", 0) for r in ("create", "modify", "archive"))
sys.exit(0 if eval(sys.argv[2]) else 1)
EOF
}

cat >base.yaml <<'EOF'
version: 1
settings:
  ignore_tags: ["aws:*"]
taxonomy:
  required: [Team]
EOF

# ---- unchanged ----
cat base.yaml - >unchanged.yaml <<'EOF'
defaults:
  tags: { CostCenter: CC-1001 }
projects:
  - name: Chatbot
    tags: { Team: CX }
  - name: Research
    tags: { Team: DS, Owner: bob }
EOF
mkstate s-unchanged.json \
	"proj_a1|Chatbot|active|Team=CX,CostCenter=CC-1001,aws:cloudformation:stack=x" \
	"proj_a2|Research|active|Team=DS,Owner=bob,CostCenter=CC-1001" \
	"proj_a3|Chatbot|archived|Team=Old"
emu s-unchanged.json
run_ps 0 -f unchanged.yaml plan
[ "$(cat "$T/out")" = "No changes. The account at $EMU_URL matches the inventory." ] ||
	fail "unchanged: $(cat "$T/out")"
[ ! -s "$T/err" ] || fail "unchanged: stderr: $(cat "$T/err")"
run_ps 0 plan -f unchanged.yaml --detailed-exitcode
stats_check 'lists == 2 and writes == 0 and s["total"] == 2'
ok "unchanged account: no changes, exit 0 with --detailed-exitcode, 1 list request per plan"

# ---- tag drift ----
cat base.yaml - >drift.yaml <<'EOF'
projects:
  - name: Chatbot
    tags: { Team: CX, CostCenter: CC-2002, Owner: alice }
  - name: Research
    tags: { Team: DS }
EOF
mkstate s-drift.json \
	"proj_d1|Chatbot|active|Team=CX,CostCenter=CC-1001,Temp=yes,aws:x=1" \
	"proj_d2|Research|active|Team=DS"
emu s-drift.json
run_ps 0 -f drift.yaml plan
# the first line names the endpoint: a log never leaves the target to guess
cat >want <<EOF
projsync will perform the following actions on $EMU_URL:

  ~ "Chatbot" (proj_d1) will be updated in place
      ~ CostCenter = "CC-1001" -> "CC-2002"
      + Owner      = "alice"
      - Temp       = "yes"

Plan: 0 to create, 1 to update, 0 to archive.
EOF
diff -u want "$T/out" >&2 || fail "drift: text plan differs"
run_ps 2 -f drift.yaml plan --detailed-exitcode
run_ps 2 -f drift.yaml plan --detailed-exitcode --format json
python3 - "$T/out" <<'EOF' || fail "drift: JSON plan: $(cat "$T/out")"
import json, sys
p = json.load(open(sys.argv[1]))
assert p["format_version"] == 1
assert p["summary"] == {"create": 0, "update": 1, "archive": 0, "unmanaged": 0, "unchanged": 1}, p["summary"]
(c,) = p["changes"]
assert c["action"] == "update" and c["id"] == "proj_d1"
assert c["add_tags"] == {"CostCenter": "CC-2002", "Owner": "alice"}, c
assert c["remove_tag_keys"] == ["Temp"], c
assert c["before"]["tags"]["aws:x"] == "1" and c["after"]["tags"]["aws:x"] == "1"
assert list(p["fingerprints"]) == ["proj_d1"]
assert p["endpoint"].startswith("http://127.0.0.1:") and p["endpoint"].endswith("/v1")
assert len(p["inventory"]["sha256"]) == 64 and p["inventory"]["path"] == "drift.yaml"
EOF
stats_check 'writes == 0'
ok "tag drift: exact add_tags/remove_tag_keys, ignore_tags kept, exit 2 with --detailed-exitcode"

# ---- rename by id ----
cat base.yaml - >rename.yaml <<'EOF'
projects:
  - name: Data-Pipeline
    id: proj_r1
    tags: { Team: DS }
EOF
mkstate s-rename.json "proj_r1|data-pipeline|active|Team=DS"
emu s-rename.json
run_ps 2 -f rename.yaml plan --detailed-exitcode
assert_contains "$T/out" '~ "Data-Pipeline" (proj_r1) will be updated in place'
assert_contains "$T/out" '~ name = "data-pipeline" -> "Data-Pipeline"'
assert_contains "$T/out" "Plan: 0 to create, 1 to update, 0 to archive."
ok "rename by id pin"

# ---- pinned id missing, pinned id archived ----
cat base.yaml - >pins.yaml <<'EOF'
projects:
  - name: Ghost
    id: proj_nothere
    tags: { Team: DS }
  - name: Revive
    id: proj_r1
    tags: { Team: DS }
EOF
mkstate s-pins.json "proj_r1|Revive|archived|Team=DS"
emu s-pins.json
run_ps 4 -f pins.yaml plan
assert_contains "$T/err" "pins.yaml:8:9: project 'Ghost' is pinned to 'proj_nothere', which does not exist"
assert_contains "$T/err" "'proj_r1', which is archived; archiving is irreversible"
[ ! -s "$T/out" ] || fail "a refused plan printed a plan"
ok "pins to missing or archived projects refused (exit 4)"

# ---- archived same-name ----
cat base.yaml - >archived.yaml <<'EOF'
projects:
  - name: Legacy-Bot
    tags: { Team: CX }
EOF
mkstate s-archived.json "proj_old|Legacy-Bot|archived|Team=CX"
emu s-archived.json
run_ps 0 -f archived.yaml plan
assert_contains "$T/out" '+ "Legacy-Bot" will be created'
assert_contains "$T/err" "warning: project 'Legacy-Bot' exists only as archived (proj_old); archiving is irreversible"
run_ps 0 -q -f archived.yaml plan
[ ! -s "$T/err" ] || fail "-q still printed warnings: $(cat "$T/err")"
ok "archived same-name: create plus an irreversibility warning on stderr"

# ---- duplicate live names ----
cat base.yaml - >dup.yaml <<'EOF'
projects:
  - name: Twin
    tags: { Team: CX }
EOF
mkstate s-dup.json "proj_t1|Twin|active|Team=CX" "proj_t2|Twin|active|Team=DS"
emu s-dup.json
run_ps 4 -f dup.yaml plan
assert_contains "$T/err" "dup.yaml:7:11: project 'Twin' matches 2 active projects with that name (proj_t1, proj_t2); add an 'id:' pin"
run_ps 4 -f dup.yaml plan --detailed-exitcode
stats_check 'writes == 0'
# pinning one resolves it; the other twin is unmanaged
sed 's/  - name: Twin/  - name: Twin\n    id: proj_t2/' dup.yaml >dup-pinned.yaml
run_ps 0 -f dup-pinned.yaml plan
assert_contains "$T/out" '? "Twin" (proj_t1)'
ok "duplicate live names with different tags refused with both IDs (exit 4); an id pin resolves it"

# ---- unmanaged modes ----
mkstate s-unmanaged.json "proj_m1|Managed|active|Team=CX" \
	"proj_u1|shadow-it|active|Team=X" "proj_u2|gone|archived|"
for mode in report ignore archive; do
	sed "s/^settings:/settings:\n  unmanaged: $mode/" base.yaml >um-$mode.yaml
	printf 'projects:\n  - name: Managed\n    tags: { Team: CX }\n' >>um-$mode.yaml
done
emu s-unmanaged.json
run_ps 0 -f um-report.yaml plan --detailed-exitcode
assert_contains "$T/out" "1 project in the account is not in the inventory (settings.unmanaged: report):"
assert_contains "$T/out" '? "shadow-it" (proj_u1)'
assert_not_contains "$T/out" "gone"
assert_not_contains "$T/out" "default"
assert_contains "$T/out" "No changes."
run_ps 0 -f um-ignore.yaml plan --detailed-exitcode
[ "$(cat "$T/out")" = "No changes. The account at $EMU_URL matches the inventory." ] ||
	fail "unmanaged: ignore: $(cat "$T/out")"
run_ps 2 -f um-archive.yaml plan --detailed-exitcode
assert_contains "$T/out" '! "shadow-it" (proj_u1) will be archived (not in the inventory, settings.unmanaged: archive'
assert_contains "$T/out" "Plan: 0 to create, 0 to update, 1 to archive."
assert_not_contains "$T/out" "default"
stats_check 'writes == 0'
ok "unmanaged: report lists, ignore omits, archive plans archives; default never touched"

# ---- 1,001 projects: paging and the request count ----
python3 - <<'EOF'
import json
projects, lines = [], []
for i in range(1000):
    projects.append({"id": "proj_%05d" % i, "name": "P-%04d" % i,
                     "created_at": 1760000000 + i, "status": "active",
                     "tags": {"Team": "T%d" % (i % 7), "CostCenter": "CC-%04d" % i}})
    lines.append("  - name: P-%04d\n    tags: { Team: T%d, CostCenter: CC-%04d }\n" % (i, i % 7, i))
json.dump({"epoch": 1750000000, "projects": projects}, open("s-1000.json", "w"))
head = open("base.yaml").read()
open("p1000.yaml", "w").write(head + "projects:\n" + "".join(lines))
# 998 of them kept, 2 new: 1,000 in the inventory but 1,002 active after
open("p1002.yaml", "w").write(head.replace("settings:\n", "settings:\n  unmanaged: ignore\n") +
    "projects:\n" + "".join(lines[:998]) +
    "  - name: New-A\n    tags: { Team: T1 }\n  - name: New-B\n    tags: { Team: T1 }\n")
EOF
emu s-1000.json
run_ps 0 -f p1000.yaml plan --detailed-exitcode
[ "$(cat "$T/out")" = "No changes. The account at $EMU_URL matches the inventory." ] ||
	fail "1000 unchanged: $(head -5 "$T/out")"
stats_check 'lists == 11 and writes == 0 and s["total"] == 11'
emu_get /_emulator/requests >"$T/reqs.json"
python3 - "$T/reqs.json" <<'EOF' || fail "list requests: $(head -c 2000 "$T/reqs.json")"
import json, sys
reqs = json.load(open(sys.argv[1]))
assert len(reqs) == 11, len(reqs)
for r in reqs:
    assert r["method"] == "GET" and r["path"] == "/v1/organization/projects", r
    q = r["query"]
    assert q.get("limit") == "100" and q.get("include_archived") == "true", q
assert sum("after" in r["query"] for r in reqs) == 10
EOF
ok "1,000 projects + default: exactly 11 list requests (limit=100, include_archived=true), no writes"

run_ps 0 -f p1002.yaml plan
assert_contains "$T/out" "Safety checks failed: apply will refuse this plan (the project limit cannot be overridden)."
assert_contains "$T/out" "creating 2 projects would bring the account to 1002 active projects (1000 now, 0 archived by this plan), more than settings.project_limit (1000) [project-limit]"
run_ps 0 -f p1002.yaml plan --format json
python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["safety"]; assert not s["ok"] and s["violations"][0]["kind"]=="project-limit" and not s["violations"][0]["overridable"]' "$T/out" ||
	fail "project-limit violation not in the JSON plan"
ok "the 1,000-project limit: creates past it are a non-overridable violation"

# ---- credentials: 401, and never in a plan file ----
emu s-drift.json --key sk-projsync-SECRET-4242
PROJSYNC_API_KEY=wrong-key run_ps 1 -f drift.yaml plan
assert_contains "$T/err" "401"
assert_not_contains "$T/err" "wrong-key"
[ ! -s "$T/out" ] || fail "401: output on stdout"
export PROJSYNC_API_KEY=sk-projsync-SECRET-4242
umask 022
run_ps 0 -v -f drift.yaml plan -o plan.json
[ "$(stat -c %a plan.json)" = 600 ] || fail "plan file mode is $(stat -c %a plan.json)"
assert_contains "$T/err" "saved the plan to 'plan.json'"
for f in plan.json "$T/out" "$T/err"; do
	assert_not_contains "$f" "SECRET-4242"
done
# -o overwrites a wider file with 0600 too, and the file equals --format json
chmod 644 plan.json
run_ps 0 -f drift.yaml plan -o plan.json --format json
[ "$(stat -c %a plan.json)" = 600 ] || fail "rewritten plan file mode is $(stat -c %a plan.json)"
cmp -s plan.json "$T/out" || fail "-o file differs from --format json"
ls | grep -q 'plan.json.tmp' && fail "temp file left behind"
export PROJSYNC_API_KEY=test-key
ok "401 is exit 1; -o writes mode 0600 atomically; no key in plan file, stdout or -v trace"

# ---- 404: the wrong base path ----
emu s-drift.json
run_ps 1 -f drift.yaml --endpoint "$EMU_BASE/openai/v1" plan
assert_contains "$T/err" "404"
ok "404 from a wrong endpoint path is exit 1"

# ---- 403 and malformed responses (a deliberately broken server) ----
stop_emulator
fake() {
	local i out=$T/fake-$1.out	# a fresh file: never read the last one's port
	[ -n "${FAKE_PID:-}" ] && { kill "$FAKE_PID" 2>/dev/null || true; wait "$FAKE_PID" 2>/dev/null || true; }
	python3 "$FAKE" "$1" >"$out" 2>"$T/fake.err" &
	FAKE_PID=$!
	for i in $(seq 1 400); do	# up to 20 s on a loaded machine
		grep -q '^listening on ' "$out" 2>/dev/null && break
		sleep 0.05
	done
	FAKE_URL=$(sed -n 's/^listening on //p' "$out")
	[ -n "$FAKE_URL" ] || fail "fake API ($1) did not start: $(cat "$T/fake.err")"
}
trap 'kill "${FAKE_PID:-}" 2>/dev/null || true; cleanup' EXIT
fake forbidden
run_ps 1 -f drift.yaml --endpoint "$FAKE_URL/v1" plan
assert_contains "$T/err" "403"
assert_contains "$T/err" "not authorized to perform bedrock-mantle:ListProjects"
for mode in truncated notjson wrongtype badtags noid empty nocursor; do
	fake $mode
	run_ps 1 -f drift.yaml --endpoint "$FAKE_URL/v1" plan
	assert_contains "$T/err" "projsync: error:"
	grep -qiE "malformed|invalid|JSON|empty|cursor" "$T/err" ||
		fail "$mode: unclear error: $(cat "$T/err")"
	[ ! -s "$T/out" ] || fail "$mode: a plan was printed from a broken response"
done
# a live project named with U+009B (a CSI on many terminals), ESC and BEL
mkstate s-c1.json "proj_c1aaaaaaaaaaaaaaaaaa|$(printf 'evil\302\2332J\033]0;t\007')|active|Team=X" \
	"proj_c1bbbbbbbbbbbbbbbbbb|B|active|$(printf 'K\302\233=v\302\205')"
cat base.yaml - >c1.yaml <<'EOF'
projects:
  - { name: B, id: proj_c1bbbbbbbbbbbbbbbbbb, tags: { Team: X } }
EOF
emu s-c1.json
run_ps 0 -f c1.yaml plan
assert_raw_free "$T/out"
assert_raw_free "$T/err"
assert_contains "$T/out" '"evil\u009b2J\x1b]0;t\x07" (proj_c1aaaaaaaaaaaaaaaaaa)'
assert_contains "$T/out" '"K\u009b" = "v\u0085"'
ok "a live name and tag with C1 controls (U+009B) reach the plan escaped"

fake escapes
run_ps 1 -f drift.yaml --endpoint "$FAKE_URL/v1" plan
assert_raw_free "$T/err"
assert_contains "$T/err" 'bad \x1b[2J\u009b31m\x1b]0;owned\x07\nprojsync: error: fake'
[ "$(wc -l <"$T/err")" -eq 1 ] || fail "the API's message spans lines: $(cat "$T/err")"
kill "$FAKE_PID" 2>/dev/null || true
wait "$FAKE_PID" 2>/dev/null || true
FAKE_PID=
ok "the API's error.message reaches the terminal escaped, on one line"
ok "403 and malformed responses (truncated, not JSON, wrong types, no id, empty, no cursor) are clear errors, exit 1"

# ---- formats, help, usage ----
emu s-drift.json
run_ps 0 -f drift.yaml plan --format markdown
head -1 "$T/out" | grep -qx '<!-- projsync:plan:drift.yaml -->' || fail "markdown marker: $(head -1 "$T/out")"
sed -n 2p "$T/out" | grep -qx '### projsync plan: `drift.yaml`' || fail "markdown heading: $(sed -n 2p "$T/out")"
assert_contains "$T/out" "**Plan: 0 to create, 1 to update, 0 to archive.** 1 unchanged."
assert_contains "$T/out" '- **Chatbot** (`proj_d1`): CostCenter `CC-1001` → `CC-2002`; Owner added `alice`; Temp removed (was `yes`)'
run_ps 0 plan --help
assert_contains "$T/out" "usage: projsync plan [-o PLANFILE]"
assert_contains "$T/out" "--detailed-exitcode"
run_ps 64 -f drift.yaml plan --format yaml
assert_contains "$T/err" "unknown format 'yaml'"
run_ps 64 -f drift.yaml plan extra-arg
run_ps 64 -f drift.yaml plan --bogus
printf 'version: 1\nprojects:\n  - name: ""\n' >invalid.yaml
run_ps 3 -f invalid.yaml plan
stats_check 'writes == 0'
ok "markdown, --help, usage errors (64), invalid inventory (3)"

# ---- markdown: a pull-request comment, also when there is no plan ----
# the target in the header: host, and region and account from the ARNs
emu s-drift.json --region eu-west-3 --account 210987654321
run_ps 0 -f drift.yaml plan --format markdown
assert_contains "$T/out" "**Target:** \`${EMU_BASE#http://}\` · region \`eu-west-3\` · account \`210987654321\` · inventory commit *unknown* (not in a git work tree)"
tail -2 "$T/out" | head -1 | grep -qx -- '---' || fail "markdown: no footer rule"
assert_contains "$T/out" "<sub>Applied by \`projsync apply\`"
# failure: a comment body with the marker explaining it; the exit code stays
run_ps 3 -f invalid.yaml plan --format markdown
head -1 "$T/out" | grep -qx '<!-- projsync:plan:invalid.yaml -->' || fail "invalid: marker: $(head -1 "$T/out")"
assert_contains "$T/out" "> **No plan:** the inventory is invalid; fix the errors below."
assert_contains "$T/out" 'invalid.yaml:3:11: error: '
assert_contains "$T/out" "'invalid.yaml' is invalid: 5 errors"
assert_contains "$T/err" 'invalid.yaml:3:11: error: '
run_ps 1 -f drift.yaml plan --format markdown --endpoint http://127.0.0.1:1/v1
head -1 "$T/out" | grep -qx '<!-- projsync:plan:drift.yaml -->' || fail "unreachable: marker"
assert_contains "$T/out" "**Target:** \`127.0.0.1:1\`"
assert_contains "$T/out" "> **No plan:** the plan could not be computed (exit 1)."
assert_contains "$T/out" "127.0.0.1:1"
PROJSYNC_API_KEY=wrong-key run_ps 1 -f drift.yaml plan --format markdown
assert_contains "$T/out" "HTTP 401"
assert_not_contains "$T/out" "wrong-key"
mkstate s-amb.json "proj_x1|Chatbot|active|Team=CX" "proj_x2|Chatbot|active|Team=DS"
emu s-amb.json
run_ps 4 -f drift.yaml plan --format markdown
assert_contains "$T/out" "> **No plan:** projsync refused to plan (exit 4)."
assert_contains "$T/out" "proj_x1"
assert_contains "$T/out" "Nothing can be applied until \`projsync plan\` succeeds."
# the marker names the inventory from the repository's top, wherever
# projsync runs and however -f is written; the header names the commit
mkdir -p mrepo/infra mrepo/ci ws/sub
cp drift.yaml mrepo/infra/projects.yaml
git -C mrepo init -q
git -C mrepo -c user.name=t -c user.email=t@e add infra/projects.yaml
git -C mrepo -c user.name=t -c user.email=t@e commit -qm inventory
mcommit=$(git -C mrepo rev-parse HEAD | cut -c1-12)
emu s-drift.json
for spec in "mrepo/infra:projects.yaml" "mrepo:infra/projects.yaml" \
	"mrepo/ci:../infra/./projects.yaml" ".:$T/mrepo/infra/../infra/projects.yaml"; do
	(cd "${spec%%:*}" && "$PROJSYNC_BIN" -f "${spec#*:}" plan --format markdown >"$T/out" 2>"$T/err") ||
		fail "marker from ${spec%%:*}: $(cat "$T/err")"
	head -1 "$T/out" | grep -qx '<!-- projsync:plan:infra/projects.yaml -->' ||
		fail "marker from $spec: $(head -1 "$T/out")"
	assert_contains "$T/out" "inventory commit \`$mcommit\`"
done
cp drift.yaml ws/sub/p.yaml
GITHUB_WORKSPACE=$T/ws run_ps 0 -f ws/sub/p.yaml plan --format markdown
head -1 "$T/out" | grep -qx '<!-- projsync:plan:sub/p.yaml -->' || fail "GITHUB_WORKSPACE marker: $(head -1 "$T/out")"
ok "markdown: marker from the repository top, target header, footer; a comment body on invalid inventory (3), API error (1), refusal (4)"

# ---- --record ----
mkdir repo
cp drift.yaml repo/projects.yaml
git -C repo init -q
git -C repo -c user.name=t -c user.email=t@e add projects.yaml
git -C repo -c user.name=t -c user.email=t@e commit -qm inventory
run_ps 0 -f repo/projects.yaml plan --record -o repo-plan.json
assert_contains "$T/err" "recorded the plan as"
git -C repo log --format=%s projsync/history >"$T/log"
[ "$(cat "$T/log")" = "Plan: 0 to create, 1 to update, 0 to archive." ] ||
	fail "record: $(cat "$T/log")"
git -C repo show projsync/history:plan.json >"$T/recorded.json"
cmp -s "$T/recorded.json" repo-plan.json || fail "recorded plan.json differs from -o"
head_commit=$(git -C repo rev-parse HEAD)
python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["inventory"]["git_commit"] == sys.argv[2]' repo-plan.json "$head_commit" ||
	fail "plan file does not carry the inventory commit"
git -C repo status --porcelain >"$T/status"
[ ! -s "$T/status" ] || fail "recording touched the work tree: $(cat "$T/status")"
ok "--record commits plan.json and plan.md on projsync/history; the plan carries the inventory commit"
