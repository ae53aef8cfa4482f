#!/usr/bin/env bash
# projsync export against the real emulator: the export validates and plans
# to no changes (also with archived projects and names and values that need
# YAML quoting), duplicate names keep the oldest, the default project never
# appears, -o writes a file, a golden of the rendering, the request count,
# and errors.
. "$(dirname "$0")/lib.sh"

export PROJSYNC_RETRY_SCALE=0.01
EX=$SRC_DIR/examples/projects.yaml
GOLD=$SRC_DIR/tests/fixtures/export

create() {	# create NAME_JSON TAGS_JSON: print the new id
	emu_post /v1/organization/projects "{\"name\":$1,\"tags\":$2}" |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'
}

stat_list() {	# list requests served so far
	emu_get /_emulator/stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["by_route"].get("list",{}).get("total",0))'
}

# ---- an empty account: a valid, empty inventory ----
start_emulator --seed 3 --clock 1700000000
run_ps 0 export
assert_contains "$T/out" "projects: []"
assert_contains "$T/out" "required: []"
assert_not_contains "$T/out" "default"
cp "$T/out" "$T/empty.yaml"
run_ps 0 -f "$T/empty.yaml" validate
run_ps 0 -f "$T/empty.yaml" plan --detailed-exitcode
ok "empty account: exports an empty inventory that validates and plans to nothing"

# ---- an account with awkward names and values ----
run_ps 0 -f "$EX" apply --auto-approve
create '"yes"' '{"Team":"on","CostCenter":"0123"}' >/dev/null
create '"007"' '{"Team":"x","Note":"","Other":"a: b"}' >/dev/null
create '"Ünïcode — naïve \"quoted\" \\\\ back #1 [x] {y}: z"' '{"Team":"Ä","Note":"@at"}' >/dev/null
TAB=$(create '"tab\there"' '{"Team":"x"}')	# the inventory cannot hold it
create '"  padded  "' '{"Team":"- dash","Note":"1.5"}' >/dev/null
DUP1=$(create '"Dup"' '{"Team":"first"}')
DUP2=$(create '"Dup"' '{"Team":"second"}')
OLD=$(create '"Old"' '{"Team":"gone"}')
# --clock: equal created_at, so the oldest is the one listed first (lower id)
KEEP=$(printf '%s\n' "$DUP1" "$DUP2" | sort | head -n1)
DROP=$(printf '%s\n' "$DUP1" "$DUP2" | sort | tail -n1)
emu_post "/v1/organization/projects/$OLD/archive" >/dev/null

lists0=$(stat_list)
run_ps 0 export -o "$T/exp.yaml"
[ "$(stat_list)" = $((lists0 + 1)) ] || fail "export of 12 projects made more than one list request"
[ ! -s "$T/out" ] || fail "export -o wrote to stdout"
assert_contains "$T/err" "both named 'Dup'; only $KEEP is exported"
assert_contains "$T/err" "$TAB is not exported: project name 'tab\there' has a control character (U+0009)"

ls "$T" | grep -q 'exp.yaml.tmp' && fail "a temporary file was left behind"
ok "export -o writes a file with one list request; duplicate names keep the oldest"

assert_contains "$T/exp.yaml" "id: $KEEP"
assert_not_contains "$T/exp.yaml" "$DROP"
assert_not_contains "$T/exp.yaml" "$OLD"
assert_not_contains "$T/exp.yaml" "id: default"
assert_contains "$T/exp.yaml" 'name: "yes"'
assert_contains "$T/exp.yaml" 'Team: "on"'
assert_contains "$T/exp.yaml" 'CostCenter: "0123"'
assert_contains "$T/exp.yaml" 'name: "007"'
assert_contains "$T/exp.yaml" "region: us-east-1"
n=$(grep -c '^    id: proj_' "$T/exp.yaml")
[ "$n" = 9 ] || fail "expected 9 pinned projects, got $n"
ok "every exported project is pinned; default, archived and the duplicate are left out"

run_ps 0 -f "$T/exp.yaml" validate
run_ps 0 -f "$T/exp.yaml" plan --detailed-exitcode
assert_contains "$T/out" "No changes"
assert_contains "$T/out" "$DROP"		# reported as unmanaged, not changed
ok "the export validates and plans to no changes (quoting round-trips)"

# the taxonomy: required = keys on 80% of the active projects or more;
# allowed lists where repeated values cover 80% of a key's uses
assert_contains "$T/exp.yaml" "required: [Team]"
assert_contains "$T/exp.yaml" "Environment: {}"	# Production 3 of 4: 75%
assert_contains "$T/exp.yaml" "Owner: { allowed: [alice] }"
assert_contains "$T/exp.yaml" "Application: {}"
assert_contains "$T/exp.yaml" "Note: {}"
assert_not_contains "$T/exp.yaml" "# to fix:"
ok "taxonomy inferred from the tags in use"

# ---- archived projects on request ----
run_ps 0 export --include-archived
cp "$T/out" "$T/exp-arch.yaml"
assert_contains "$T/exp-arch.yaml" "id: $OLD"
grep -A1 "id: $OLD" "$T/exp-arch.yaml" | grep -q "archived: true" ||
	fail "the archived project is not marked archived: true"
run_ps 0 -f "$T/exp-arch.yaml" validate
run_ps 0 -f "$T/exp-arch.yaml" plan --detailed-exitcode
ok "--include-archived: archived: true, still no changes"

# ---- golden rendering (ids and the port normalised) ----
sed -e 's/proj_[a-z0-9]*/proj_ID/g' -e 's|http://127.0.0.1:[0-9]*|http://127.0.0.1:PORT|' \
	"$T/exp-arch.yaml" >"$T/exp-norm.yaml"
assert_golden "$T/exp-norm.yaml" "$GOLD/export.yaml"
ok "export rendering matches the golden file"

# an archived project sharing a live one's name: no advice to rename it
emu_post "/v1/organization/projects/$DROP/archive" >/dev/null
run_ps 0 export --include-archived
assert_contains "$T/err" "$DROP (archived) is also named 'Dup'; only $KEEP is exported"
assert_not_contains "$T/err" "rename one"
ok "--include-archived: an archived namesake is left out without a rename hint"

# ---- the taxonomy most projects follow; the few that break it are marked ----
stop_emulator
start_emulator --seed 4
for i in 1 2 3 4; do
	create "\"Svc-$i\"" "{\"Team\":\"T$((i % 2))\",\"CostCenter\":\"CC-100$i\",\"Environment\":\"Production\"}" >/dev/null
done
create '"Svc-5"' '{"Team":"T1","Environment":"Prod"}' >/dev/null
run_ps 0 export -o "$T/most.yaml"
assert_contains "$T/most.yaml" "required: [CostCenter, Environment, Team]"
assert_contains "$T/most.yaml" "Environment: { allowed: [Production] }"
assert_contains "$T/most.yaml" "Team: { allowed: [T0, T1] }"
assert_contains "$T/most.yaml" "CostCenter: {}"
assert_contains "$T/most.yaml" "# to fix: no CostCenter tag; Environment value not in its allowed list"
assert_contains "$T/err" "1 project lacks the required tag 'CostCenter' (marked \"to fix\")"
assert_contains "$T/err" "1 project uses a 'Environment' value outside its inferred allowed list"
run_ps 3 -f "$T/most.yaml" validate
assert_contains "$T/err" "'Svc-5' is missing required tag 'CostCenter'"
assert_contains "$T/err" "'Prod' is not an allowed value of 'Environment'"
ok "export proposes what 80% follow: required keys and allowed values; the rest are marked and fail validate"

run_ps 0 export --required Team
assert_contains "$T/out" "required: [Team]"
assert_not_contains "$T/out" "no CostCenter tag"
run_ps 0 export --required Team,Owner
assert_contains "$T/out" "required: [Owner, Team]"
assert_contains "$T/out" "    Owner: {}"
assert_contains "$T/err" "5 projects lack the required tag 'Owner'"
run_ps 0 export --no-infer -o "$T/raw.yaml"
assert_contains "$T/raw.yaml" "required: []"
assert_contains "$T/raw.yaml" "Environment: {}"
assert_not_contains "$T/raw.yaml" "allowed"
assert_not_contains "$T/raw.yaml" "# to fix:"
run_ps 0 -f "$T/raw.yaml" plan --detailed-exitcode
run_ps 64 export --required 'aws:x'
assert_contains "$T/err" "--required"
ok "--required KEYS sets taxonomy.required; --no-infer proposes none (and plans to no changes)"

# ---- errors ----
run_ps 64 export --format json
run_ps 64 export extra
run_ps 0 export --help
assert_contains "$T/out" "--include-archived"
( unset PROJSYNC_API_KEY; run_ps 64 export; assert_contains "$T/err" "PROJSYNC_API_KEY" )
run_ps 1 --endpoint http://127.0.0.1:1/v1 export
assert_contains "$T/err" "GET http://127.0.0.1:1/v1/organization/projects"
run_ps 64 --endpoint http://example.com/v1 export
assert_contains "$T/err" "loopback"
run_ps 1 export -o "$T/no/such/dir/x.yaml"
ok "usage errors (64), missing key (64), unreachable endpoint (1), unwritable file (1)"

start_emulator --key other-key
run_ps 1 export
assert_contains "$T/err" "HTTP 401"
assert_not_contains "$T/err" "test-key"
ok "a rejected key: exit 1 with the API's message, the key never printed"
