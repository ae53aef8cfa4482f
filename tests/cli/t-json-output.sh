#!/usr/bin/env bash
# Every machine-readable output validates against its JSON Schema in
# schemas/ (draft 2020-12, python3-jsonschema): plans (create, update with a
# rename and tag changes, archive, unmanaged, a safety violation), the plan
# file and plan.json/result.json on projsync/history, apply results, lint
# reports (findings with and without a file, suppressed, --live), validate's
# findings, the inventory diff, cost reports and the project map (output).
# The schemas are strict (no unknown fields), so a new field in an output
# needs its schema and docs/json-output.md updated.
. "$(dirname "$0")/lib.sh"

S=$SRC_DIR/schemas
validate() {	# validate SCHEMA FILE...
	local schema=$1
	shift
	python3 - "$S/$schema.schema.json" "$@" <<'PY' || fail "$* does not match schemas/$schema.schema.json"
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
v = jsonschema.Draft202012Validator(schema)
for path in sys.argv[2:]:
    errors = sorted(v.iter_errors(json.load(open(path))), key=lambda e: list(e.path))
    for e in errors[:5]:
        print(f"{path}: {'/'.join(map(str, e.path))}: {e.message}", file=sys.stderr)
    if errors:
        sys.exit(1)
PY
}
# has FILE PYTHON-EXPR: the document (d) shows what the test made it show
has() {
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert eval(sys.argv[2]), sys.argv[2]' "$1" "$2" ||
		fail "$1: expected $2"
}

git_sandbox
R=$T/repo
git init -q -b main "$R"
cp "$SRC_DIR/examples/projects.yaml" "$R/projects.yaml"
git -C "$R" add projects.yaml
git -C "$R" commit -q -m "four projects"
cd "$R"
start_emulator

# ---- create: plan, plan file, apply result, history ----
run_ps 0 plan --format json -o "$T/create.planfile"
cp "$T/out" "$T/plan-create.json"
has "$T/plan-create.json" 'd["summary"]["create"] == 4'
run_ps 0 apply --auto-approve --format json --record
cp "$T/out" "$T/apply-create.json"
has "$T/apply-create.json" 'd["summary"]["created"] == 4'
run_ps 0 show --raw plan.json
cp "$T/out" "$T/history-plan.json"
run_ps 0 show --raw result.json
cp "$T/out" "$T/history-result.json"
validate plan "$T/plan-create.json" "$T/create.planfile" "$T/history-plan.json"
validate apply-result "$T/apply-create.json" "$T/history-result.json"
ok "create: plan, plan file, apply result, plan.json and result.json on history"

# ---- the project map, with and without --arn ----
run_ps 0 output --arn
cp "$T/out" "$T/output-arn.json"
has "$T/output-arn.json" 'len(d) == 4 and all(v["arn"].startswith("arn:") for v in d.values())'
run_ps 0 output
cp "$T/out" "$T/output.json"
validate output "$T/output.json" "$T/output-arn.json"
ok "output: the project map, with and without --arn"

# ---- update (rename + tags), archive, unmanaged ----
run_ps 0 output
dev=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["CustomerChatbot-Dev"])' "$T/out")
ana=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["DataAnalytics-Prod"])' "$T/out")
emu_post /v1/organization/projects '{"name":"Console-Made","tags":{"Team":"DataScience"}}' >/dev/null
python3 - "$R/projects.yaml" "$dev" "$ana" <<'PY'
import sys
p, dev, ana = sys.argv[1:]
s = open(p).read()
s = s.replace("  - name: CustomerChatbot-Dev\n", f"  - name: CustomerChatbot-Development\n    id: {dev}\n")
s = s.replace("  - name: DataAnalytics-Prod\n", f"  - name: DataAnalytics-Prod\n    id: {ana}\n    archived: true\n")
s = s.replace("Owner: alice", "Owner: bob", 1)
open(p, "w").write(s)
PY
run_ps 0 validate
run_ps 0 plan --format json
cp "$T/out" "$T/plan-update.json"
has "$T/plan-update.json" '{c["action"] for c in d["changes"]} == {"update", "archive", "unmanaged"}'
has "$T/plan-update.json" 'any(c.get("rename") for c in d["changes"])'
# a safety violation: at most one change
sed 's/max_changes: 50/max_changes: 1/' "$R/projects.yaml" >"$T/strict.yaml"
run_ps 0 -f "$T/strict.yaml" plan --format json
cp "$T/out" "$T/plan-violation.json"
has "$T/plan-violation.json" 'd["safety"]["violations"][0]["kind"] == "max-changes"'
validate plan "$T/plan-update.json" "$T/plan-violation.json"
run_ps 0 apply --auto-approve --allow-archive --format json
cp "$T/out" "$T/apply-update.json"
has "$T/apply-update.json" 'd["summary"]["updated"] == 2 and d["summary"]["archived"] == 1'
validate apply-result "$T/apply-update.json"
ok "update with rename, archive, unmanaged, safety violation: plan and apply result"

# ---- a failed apply: a read-only key ----
stop_emulator
start_emulator --key ro-key:ro --key test-key
PROJSYNC_API_KEY=ro-key run_ps 1 -f "$SRC_DIR/examples/projects.yaml" apply --auto-approve --format json
cp "$T/out" "$T/apply-failed.json"
has "$T/apply-failed.json" 'd["summary"]["failed"] > 0 and d["changes"][0]["error"]'
validate apply-result "$T/apply-failed.json"
ok "failed apply result"

# ---- lint: file findings, suppressed, live ----
cat >"$T/lint.yaml" <<'YAML'
version: 1
taxonomy:
  required: [Team]
  tags:
    Team: { allowed: [Data, Web] }
projects:
  - name: A
    tags: { Team: data }
  - name: B
    tags: { Team: Dat }
    lint_ignore: [{ rule: value-not-allowed, reason: "migrating" }]
YAML
emu_post /v1/organization/projects '{"name":"Live-Only","tags":{"Team":"web"}}' >/dev/null
run_ps 3 -f "$T/lint.yaml" lint --format json --live
cp "$T/out" "$T/lint.json"
has "$T/lint.json" '"live" in d and any(f.get("project") for f in d["findings"]) and any(f.get("file") for f in d["findings"])'
has "$T/lint.json" 'any(f["suppressed"] for f in d["findings"])'
run_ps 0 -f "$SRC_DIR/examples/projects.yaml" lint --format json
cp "$T/out" "$T/lint-clean.json"
validate lint "$T/lint.json" "$T/lint-clean.json"
ok "lint: file, live and suppressed findings"

# ---- validate: lint's finding fields, with and without a position ----
printf 'version: 1\ntaxonomy: { required: [Team] }\nprojects:\n  - name: A\n    tags: { Team: "" }\n  - { name: B, bogus: 1 }\n' >"$T/invalid.yaml"
run_ps 3 validate --format json "$T/invalid.yaml"
cp "$T/out" "$T/validate.json"
has "$T/validate.json" 'len(d) >= 2 and all(f["line"] > 0 for f in d)'
: >"$T/empty.yaml"
run_ps 3 validate --format json "$T/empty.yaml"
cp "$T/out" "$T/validate-empty.json"
run_ps 0 validate --format json "$SRC_DIR/examples/projects.yaml"
cp "$T/out" "$T/validate-clean.json"
has "$T/validate-clean.json" 'd == []'
validate validate "$T/validate.json" "$T/validate-empty.json" "$T/validate-clean.json"
ok "validate: findings in lint's vocabulary"

# ---- diff: added, removed, changed; taxonomy, settings, defaults ----
git -C "$R" checkout -q -- projects.yaml
python3 - "$R/projects.yaml" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
s = s.replace("unmanaged: report", "unmanaged: ignore")
s = s.replace("      allowed: [Production, Development, Staging, Research]",
              "      allowed: [Production, Development, Staging]")
s = s.replace("  - name: CustomerChatbot-Dev\n", "  - name: CustomerChatbot-Development\n")
s = s.replace("Owner: alice", "Owner: bob", 1)
s += "  - name: NewOne\n    tags: { Application: Experiments, Environment: Staging, Team: DataScience, CostCenter: CC-4004 }\n"
s += "defaults:\n  tags: { Owner: nobody }\n"
open(p, "w").write(s)
PY
git -C "$R" commit -q -am "changes"
run_ps 2 diff --format json --detailed-exitcode HEAD~1 HEAD
cp "$T/out" "$T/diff.json"
has "$T/diff.json" '{p["change"] for p in d["projects"]} >= {"add", "change"} and d["taxonomy"] and d["settings"] and d["defaults"]'
run_ps 0 diff --format json HEAD HEAD
cp "$T/out" "$T/diff-empty.json"
validate diff "$T/diff.json" "$T/diff-empty.json"
ok "diff: added, changed, taxonomy, settings and defaults; no changes"

# ---- costs: monthly, and daily by two keys with --compare ----
last_month=$(date -u -d "$(date -u +%Y-%m-01) -1 day" +%Y-%m)
export AWS_ENDPOINT_URL_COST_EXPLORER=$EMU_BASE AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=not-a-real-secret
unset AWS_SESSION_TOKEN AWS_PROFILE
run_ps 0 costs --month "$last_month" --format json
cp "$T/out" "$T/costs.json"
has "$T/costs.json" 'd["rows"] and d["services"] and "compare" not in d'
run_ps 0 costs --month "$last_month" --granularity daily --group-by Team,Environment --compare --format json
cp "$T/out" "$T/costs-daily.json"
has "$T/costs-daily.json" 'd["granularity"] == "DAILY" and len(d["group_by"]) == 2 and d["compare"]["groups"]'
validate costs "$T/costs.json" "$T/costs-daily.json"
ok "costs: monthly, and daily by two keys with --compare"
