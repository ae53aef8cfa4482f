# settings.billing.activate_tags: plan lists the taxonomy keys' statuses
# (ListCostAllocationTags) and activates the inactive, seen ones; apply
# sends UpdateCostAllocationTagsStatus for those only, 20 keys a call,
# skips a key activated meanwhile, and refuses a member account.  The
# emulator verifies every signature (--sigv4, service ce); goldens for the
# text, JSON and markdown plans.
. "$(dirname "$0")/lib.sh"

CLOCK=1796644800	# 2026-12-07T12:00:00Z
GOLDEN=$SRC_DIR/tests/fixtures/billing
export AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=activate-secret
export PROJSYNC_RETRY_SCALE=0.01
SIGV4="--sigv4 AKIDEXAMPLE:activate-secret"

# Chat and Data carry Team, Environment and Application: billing has seen
# those keys (their usage); no project carries Owner.
inventory() {	# inventory ACTIVATE_TAGS
	cat <<EOF
version: 1
settings:
  billing: { activate_tags: $1 }
taxonomy:
  required: [Team, Environment]
  tags:
    Application: {}
    Owner: {}
projects:
  - name: Chat
    tags: { Team: CX, Environment: Production, Application: Chat }
  - name: Data
    tags: { Team: DataScience, Environment: Production, Application: Analytics }
EOF
}

ce_requests() {	# ce_requests [OPERATION]
	emu_get /_emulator/requests | python3 -c '
import json, sys
op = sys.argv[1] if len(sys.argv) > 1 else ""
log = [e for e in json.load(sys.stdin) if e["route"] == "cost_explorer"]
print(len([e for e in log if e["headers"]["x-amz-target"].endswith(op)]))' "$@"
}

# the keys of every UpdateCostAllocationTagsStatus, one call a line
updates() {
	emu_get /_emulator/requests | python3 -c '
import json, sys
for e in json.load(sys.stdin):
    if e["route"] == "cost_explorer" and e["headers"]["x-amz-target"].endswith("UpdateCostAllocationTagsStatus"):
        print(" ".join(s["TagKey"] for s in json.loads(e["body"])["CostAllocationTagsStatus"]))'
}

normalize() {	# the emulator's port
	sed "s|127\.0\.0\.1:[0-9]*|127.0.0.1:PORT|g" "$1"
}

start_emulator $SIGV4 --seed 7 --clock $CLOCK --ce-active-tag Team
export AWS_ENDPOINT_URL_COST_EXPLORER=$EMU_BASE
cd "$T"
inventory false >projects.yaml
run_ps 0 apply --auto-approve
run_ps 0 plan --detailed-exitcode
[ "$(ce_requests)" = 0 ] || fail "a plan without activate_tags asked Cost Explorer"
ok "without settings.billing.activate_tags: no Cost Explorer request"

# ---- plan: the inactive seen keys, a warning for the unseen one ----
inventory true >projects.yaml
run_ps 2 plan --detailed-exitcode
[ "$(ce_requests)" = 1 ] || fail "plan sent $(ce_requests) Cost Explorer requests (want 1)"
assert_contains "$T/out" '~ cost allocation tag "Application" will be activated'
assert_contains "$T/out" '~ cost allocation tag "Environment" will be activated'
assert_not_contains "$T/out" '"Team" will be activated'
assert_not_contains "$T/out" '"Owner" will be activated'
assert_contains "$T/out" "Plan: 0 to create, 0 to update, 0 to archive, 2 cost allocation tags to activate."
assert_contains "$T/err" 'cost allocation tag "Owner" cannot be activated yet: billing has not seen it'
normalize "$T/out" >"$T/plan.txt"
assert_golden "$T/plan.txt" "$GOLDEN/plan.txt"
ok "plan: Application and Environment to activate (exit 2), Team active, a warning for unseen Owner; one request"

run_ps 2 plan --detailed-exitcode --format json
normalize "$T/out" >"$T/plan.json"
assert_golden "$T/plan.json" "$GOLDEN/plan.json"
python3 - "$T/out" "$SRC_DIR/schemas/plan.schema.json" <<'EOF' || fail "plan JSON"
import json, sys
import jsonschema
p = json.load(open(sys.argv[1]))
jsonschema.validate(p, json.load(open(sys.argv[2])))
assert p["billing"] == {"activate": ["Application", "Environment"],
                        "active": ["Team"], "unseen": ["Owner"]}, p["billing"]
assert p["summary"]["update"] == 0 and p["changes"] == [], p["summary"]
EOF
run_ps 2 plan --detailed-exitcode --format markdown
normalize "$T/out" >"$T/plan.md"
assert_golden "$T/plan.md" "$GOLDEN/plan.md"
assert_contains "$T/out" "#### Cost allocation tags"
ok "plan JSON (schema, billing block) and markdown (a section) match their goldens"

# ---- lint --live: the same statuses as findings ----
before=$(ce_requests)
run_ps 0 lint --live
assert_contains "$T/out" "projects.yaml:5:20: warning: tag key 'Environment' is not an active cost-allocation tag"
assert_contains "$T/out" "[cost-tag-inactive]"
assert_contains "$T/out" "tag key 'Application' is not an active cost-allocation tag"
assert_contains "$T/out" "projects.yaml:8:5: note: billing has not seen tag key 'Owner' yet"
assert_contains "$T/out" "[cost-tag-unseen]"
assert_not_contains "$T/out" "'Team' is not an active"
[ $(( $(ce_requests) - before )) = 1 ] || fail "lint --live sent $(( $(ce_requests) - before )) Cost Explorer requests (want 1)"
run_ps 0 lint --live --format sarif
python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["runs"][0]; ids={x["id"] for x in r["tool"]["driver"]["rules"]}; assert {"cost-tag-inactive","cost-tag-unseen"} <= ids, ids' "$T/out" ||
	fail "SARIF rule metadata"
inventory false | sed '/billing:/d; /^settings:/d' >nobilling.yaml
before=$(ce_requests)
run_ps 0 -f nobilling.yaml lint --live
assert_not_contains "$T/out" "cost-tag-"
[ "$(ce_requests)" = "$before" ] || fail "lint --live without settings.billing asked Cost Explorer"
ok "lint --live: cost-tag-inactive at the key, cost-tag-unseen; one request; none without settings.billing"

# ---- a saved plan; Environment activated meanwhile: skipped ----
run_ps 2 plan --detailed-exitcode -o plan.json
python3 - "$EMU_BASE" <<'EOF' || fail "botocore could not activate Environment"
import sys
import botocore.session
ce = botocore.session.get_session().create_client(
    "ce", region_name="us-east-1", endpoint_url=sys.argv[1],
    aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="activate-secret")
r = ce.update_cost_allocation_tags_status(
    CostAllocationTagsStatus=[{"TagKey": "Environment", "Status": "Active"}])
assert not r.get("Errors"), r
EOF
before=$(ce_requests)
run_ps 0 apply plan.json --format json
python3 - "$T/out" "$SRC_DIR/schemas/apply-result.schema.json" <<'EOF' || fail "apply result: $(cat "$T/out")"
import json, sys
import jsonschema
r = json.load(open(sys.argv[1]))
jsonschema.validate(r, json.load(open(sys.argv[2])))
assert r["cost_allocation_tags"] == {"activated": ["Application"],
                                     "skipped": ["Environment"],
                                     "failed": []}, r
EOF
[ "$(updates | tail -n1)" = "Application" ] || fail "the update sent: $(updates | tail -n1)"
[ $(( $(ce_requests) - before )) = 2 ] || fail "apply sent $(( $(ce_requests) - before )) requests (want a re-list and one update)"
ok "apply PLANFILE: re-lists, activates Application only (Environment was activated meanwhile), 2 requests; the JSON result says so"

run_ps 0 plan --detailed-exitcode
assert_contains "$T/out" "No changes."
assert_contains "$T/err" '"Owner" cannot be activated yet'
run_ps 0 apply plan.json
assert_contains "$T/err" "activated since; nothing to do"
assert_not_contains "$T/out" "activated cost allocation tag"

ok "then: no changes (Owner unseen is a warning, not a change); the plan applied again does nothing"

# a plan file's billing block is read strictly
python3 - plan.json <<'EOF'
import json, sys
p = json.load(open(sys.argv[1]))
p["billing"]["activate"] = ["Environment", "Application"]
json.dump(p, open("unsorted.json", "w"))
p["billing"]["activate"] = ["Team"]
json.dump(p, open("twice.json", "w"))
EOF
run_ps 3 apply unsorted.json
assert_contains "$T/err" "billing: 'activate' must be sorted"
run_ps 3 apply twice.json
assert_contains "$T/err" "billing: 'Team' is in two lists"
ok "a plan file with an unsorted or contradictory billing block is refused"

# ---- more than 20 keys: calls of at most 20 ----
many() {	# many ACTIVATE_TAGS: one project carrying 25 declared keys
	python3 - "$1" <<'EOF'
import sys
keys = ["K%02d" % i for i in range(1, 26)]
print("version: 1\nsettings:\n  billing: { activate_tags: %s }" % sys.argv[1])
print("taxonomy:\n  required: [Team]\n  tags:")
for k in keys:
    print("    %s: {}" % k)
print("projects:\n  - name: Many\n    tags: { Team: CX, %s }" %
      ", ".join("%s: v" % k for k in keys))
EOF
}
# the project first (billing sees its keys once it has usage)
many false >projects.yaml
run_ps 0 apply --auto-approve
many true >projects.yaml
run_ps 2 plan --detailed-exitcode
assert_contains "$T/out" '~ cost allocation tag "K25" will be activated'
before=$(updates | wc -l)
run_ps 0 apply --auto-approve
assert_contains "$T/out" 'activated cost allocation tag "K25"'
assert_contains "$T/out" "Apply complete: 0 created, 0 updated, 0 archived, 0 failed. 25 cost allocation tags activated."
updates | tail -n +$((before + 1)) >"$T/calls"
[ "$(wc -l <"$T/calls")" = 2 ] || fail "$(cat "$T/calls")"
[ "$(head -n1 "$T/calls" | wc -w)" = 20 ] && [ "$(tail -n1 "$T/calls" | wc -w)" = 5 ] ||
	fail "calls: $(cat "$T/calls")"
ok "25 keys: two calls (20 + 5)"

# a taxonomy without keys: nothing to ask, no credentials needed
printf 'version: 1\nsettings:\n  billing: { activate_tags: true }\ntaxonomy: { required: [] }\nprojects: []\n' >nokeys.yaml
before=$(ce_requests)
env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY "$PROJSYNC_BIN" -f nokeys.yaml plan --format json >"$T/out" ||
	fail "plan without taxonomy keys needed credentials"
python3 -c 'import json,sys; b=json.load(open(sys.argv[1]))["billing"]; assert b == {"activate": [], "active": [], "unseen": []}, b' "$T/out" ||
	fail "billing block: $(cat "$T/out")"
[ "$(ce_requests)" = "$before" ] || fail "a taxonomy without keys asked Cost Explorer"
ok "a taxonomy without keys: an empty billing block, no request, no credentials"

# ---- a member account: a clear refusal, nothing reported as done ----
start_emulator $SIGV4 --seed 7 --clock $CLOCK --ce-member-account
export AWS_ENDPOINT_URL_COST_EXPLORER=$EMU_BASE
inventory true >projects.yaml
run_ps 4 plan
assert_contains "$T/err" "member account (AccessDeniedException)"
assert_contains "$T/err" "management account"
assert_contains "$T/err" "settings.billing.profile"
run_ps 4 plan --format markdown
assert_contains "$T/out" "projsync refused to plan (exit 4)"
run_ps 4 apply --auto-approve
assert_not_contains "$T/out" "activated cost allocation tag"

assert_not_contains "$T/out" "created"
[ "$(emu_get /v1/organization/projects | python3 -c 'import json,sys; print(len([p for p in json.load(sys.stdin)["data"] if p["id"] != "default"]))')" = 0 ] ||
	fail "apply changed projects before the refusal"
[ "$(ce_requests UpdateCostAllocationTagsStatus)" = 0 ] || fail "an update was sent"
ok "member account: plan and apply refused (exit 4) naming the management account and settings.billing.profile; nothing changed or reported done"
