#!/usr/bin/env bash
# projsync output against the real emulator: the name -> project ID map as
# JSON and env lines, projects not created yet (warning, exit 0), id pins,
# archived inventory projects, ambiguous names and pins to archived or
# missing projects (exit 4, plan's message), --arn, env-name clashes.
. "$(dirname "$0")/lib.sh"

export PROJSYNC_RETRY_SCALE=0.01
EX=$SRC_DIR/examples/projects.yaml

live_id() {	# live_id NAME: the id of the active live project with that name
	emu_get "/v1/organization/projects?limit=100" | python3 -c '
import json, sys
ids = [p["id"] for p in json.load(sys.stdin)["data"] if p["name"] == sys.argv[1]]
print(" ".join(ids))' "$1"
}

create() {
	emu_post /v1/organization/projects "{\"name\":\"$1\",\"tags\":{}}" |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'
}

start_emulator --seed 11
run_ps 0 -f "$EX" apply --auto-approve

# ---- JSON: every active inventory project, sorted by name ----
run_ps 0 -f "$EX" output
python3 - "$T/out" <<'PY' || fail "output is not the expected JSON object"
import json, sys
d = json.load(open(sys.argv[1]))
assert list(d) == sorted(["CustomerChatbot-Prod", "CustomerChatbot-Dev",
    "Experiments-Research", "DataAnalytics-Prod"]), list(d)
assert all(v.startswith("proj_") for v in d.values())
PY
for n in CustomerChatbot-Prod CustomerChatbot-Dev Experiments-Research DataAnalytics-Prod; do
	assert_contains "$T/out" "\"$n\": \"$(live_id "$n")\""
done
[ ! -s "$T/err" ] || { cat "$T/err"; fail "unexpected stderr"; }
ok "--format json (default): the live IDs, sorted by name"

# ---- env lines that a shell can eval ----
run_ps 0 -f "$EX" output --format env
assert_contains "$T/out" "PROJSYNC_PROJECT_CUSTOMERCHATBOT_PROD=$(live_id CustomerChatbot-Prod)"
assert_contains "$T/out" "PROJSYNC_PROJECT_EXPERIMENTS_RESEARCH=$(live_id Experiments-Research)"
[ "$(wc -l <"$T/out")" = 4 ] || fail "expected 4 env lines"
( eval "$(cat "$T/out")"; [ "$PROJSYNC_PROJECT_DATAANALYTICS_PROD" = "$(live_id DataAnalytics-Prod)" ] ) ||
	fail "the env lines do not eval"
ok "--format env: PROJSYNC_PROJECT_<NAME>=id lines that eval"

# ---- not created yet, archived in the inventory, id pins ----
PIN=$(create "Pinned Thing")
OTHER=$(create "Pinned Thing")	# same name: the pin decides, no ambiguity
cat >"$T/inv.yaml" <<EOF
version: 1
taxonomy: { required: [] }
projects:
  - name: CustomerChatbot-Prod
  - name: Not-Yet-Created
  - name: Also missing
  - name: DataAnalytics-Prod
    archived: true
  - name: Pinned Thing
    id: $PIN
EOF
run_ps 0 -f "$T/inv.yaml" output
assert_contains "$T/out" "\"Pinned Thing\": \"$PIN\""
assert_not_contains "$T/out" "$OTHER"
assert_contains "$T/out" "\"CustomerChatbot-Prod\""
assert_not_contains "$T/out" "DataAnalytics-Prod"
assert_not_contains "$T/out" "Not-Yet-Created"
assert_contains "$T/err" "2 projects of the inventory do not exist yet"
assert_contains "$T/err" "'Not-Yet-Created'"
assert_contains "$T/err" "'Also missing'"
run_ps 0 -f "$T/inv.yaml" output --format env
assert_contains "$T/out" "PROJSYNC_PROJECT_PINNED_THING=$PIN"
ok "missing projects: a warning and exit 0; archived ones left out; the id pin wins"

# ---- ambiguous names refuse like plan, with plan's message ----
DUP=$(create CustomerChatbot-Prod)
emu_post "/v1/organization/projects/$DUP" '{"add_tags":{"Other":"x"}}' >/dev/null
run_ps 4 -f "$EX" output
assert_contains "$T/err" "project 'CustomerChatbot-Prod' matches 2 active projects"
assert_contains "$T/err" "$(live_id CustomerChatbot-Prod | cut -d' ' -f1)"
assert_contains "$T/err" "$DUP"
assert_contains "$T/err" "id:"
[ ! -s "$T/out" ] || fail "nothing may be printed when refusing"
cp "$T/err" "$T/output.err"
run_ps 4 -f "$EX" plan
[ "$(cat "$T/err")" = "$(cat "$T/output.err")" ] ||
	fail "output and plan refuse differently: $(cat "$T/output.err") / $(cat "$T/err")"
ok "two active projects with one name: exit 4 naming both IDs, the same message as plan"

# ---- a pin to an archived or missing project: refused as plan refuses it ----
ARCH=$(create "Old Thing")
emu_post "/v1/organization/projects/$ARCH/archive" >/dev/null
arch_inv() {	# arch_inv PIN ARCHIVED: Pinned Thing pinned to PIN, Old Thing to $ARCH
	cat >"$T/arch.yaml" <<EOF
version: 1
taxonomy: { required: [] }
projects:
  - name: Pinned Thing
    id: $1
  - name: Old Thing
    id: $ARCH
    archived: $2
EOF
}
arch_inv "$PIN" false
run_ps 4 -f "$T/arch.yaml" output
assert_contains "$T/err" "pinned to '$ARCH', which is archived"
[ ! -s "$T/out" ] || fail "output printed a map for an inventory plan refuses"
cp "$T/err" "$T/output.err"
run_ps 4 -f "$T/arch.yaml" plan
[ "$(cat "$T/err")" = "$(cat "$T/output.err")" ] || fail "plan: $(cat "$T/err")"
arch_inv proj_doesnotexist true
run_ps 4 -f "$T/arch.yaml" output
assert_contains "$T/err" "pinned to 'proj_doesnotexist', which does not exist in the account"
arch_inv "$PIN" true
run_ps 0 -f "$T/arch.yaml" output
assert_not_contains "$T/out" "Old Thing"
[ ! -s "$T/err" ] || fail "an archived pin is not missing: $(cat "$T/err")"
ok "a pin to an archived or missing project: exit 4 with plan's message; archived: true leaves it out"

# ---- several refusals: one line each, as plan prints them ----
cat >"$T/two.yaml" <<EOF
version: 1
taxonomy: { required: [] }
projects:
  - name: One
    id: proj_nope1
  - name: Two
    id: proj_nope2
EOF
run_ps 4 -f "$T/two.yaml" output
[ "$(grep -c "which does not exist in the account" "$T/err")" = 2 ] ||
	fail "two refusals, not two lines: $(cat "$T/err")"
grep -q '^projsync: error: .*two.yaml:5:9: ' "$T/err" && grep -q "^$T/two.yaml:7:9: project 'Two' is pinned" "$T/err" ||
	fail "each refusal on its own line with its position: $(cat "$T/err")"
assert_raw_free "$T/err"
cp "$T/err" "$T/output.err"
run_ps 4 -f "$T/two.yaml" plan
[ "$(cat "$T/err")" = "$(cat "$T/output.err")" ] || fail "plan: $(cat "$T/err")"
ok "several refusals: one line each with its position, the same for output and plan"

# ---- --arn: ids and ARNs ----
run_ps 0 -f "$T/arch.yaml" output --arn
python3 - "$T/out" "$PIN" <<'PY' || fail "--arn JSON: $(cat "$T/out")"
import json, sys
d = json.load(open(sys.argv[1]))
assert list(d) == ["Pinned Thing"], d
e = d["Pinned Thing"]
assert list(e) == ["id", "arn"], e
assert e["id"] == sys.argv[2], e
assert e["arn"].startswith("arn:aws:bedrock-mantle:"), e
assert e["arn"].endswith(":project/" + sys.argv[2]), e
PY
run_ps 0 -f "$T/arch.yaml" output --arn --format env
assert_contains "$T/out" "PROJSYNC_PROJECT_PINNED_THING=$PIN"
grep -q "^PROJSYNC_PROJECT_PINNED_THING_ARN=arn:aws:bedrock-mantle:.*:project/$PIN\$" "$T/out" ||
	fail "--arn env: $(cat "$T/out")"
[ "$(wc -l <"$T/out")" = 2 ] || fail "expected an id and an ARN line: $(cat "$T/out")"
( eval "$(cat "$T/out")"; [ "$PROJSYNC_PROJECT_PINNED_THING_ARN" = "$(sed -n 's/^PROJSYNC_PROJECT_PINNED_THING_ARN=//p' "$T/out")" ] ) ||
	fail "--arn env lines do not eval"
run_ps 0 -f "$T/arch.yaml" output --format env
assert_not_contains "$T/out" "_ARN="
ok "--arn: {NAME: {id, arn}} in JSON, PROJSYNC_PROJECT_<NAME>_ARN lines in env"

# ---- names that collide as variables ----
cat >"$T/clash.yaml" <<EOF
version: 1
taxonomy: { required: [] }
projects:
  - name: Pinned Thing
    id: $PIN
  - name: pinned-thing
    id: $OTHER
EOF
run_ps 0 -f "$T/clash.yaml" output
run_ps 1 -f "$T/clash.yaml" output --format env
assert_contains "$T/err" "PROJSYNC_PROJECT_PINNED_THING"
ok "two names that make the same variable: env refuses (1), json works"

# a name without an ASCII letter or digit makes no variable (it made a
# bare PROJSYNC_PROJECT= line)
cat >"$T/cjk.yaml" <<EOF
version: 1
taxonomy: { required: [] }
projects:
  - name: 日本語
    id: $PIN
EOF
run_ps 0 -f "$T/cjk.yaml" output
assert_contains "$T/out" "\"日本語\": \"$PIN\""
run_ps 1 -f "$T/cjk.yaml" output --format env
assert_contains "$T/err" "'日本語' has no ASCII letter or digit"
[ ! -s "$T/out" ] || fail "a partial env file was printed"
ok "a name with no ASCII letter or digit: env refuses (1), json works"

# ---- usage and errors ----
run_ps 64 -f "$EX" output --format yaml
run_ps 64 -f "$EX" output extra
run_ps 0 output --help
assert_contains "$T/out" "exit status stays 0"
run_ps 1 -f "$T/nope.yaml" output
run_ps 1 -f "$EX" --endpoint http://127.0.0.1:1/v1 output
ok "usage errors (64), missing inventory (1), unreachable endpoint (1)"
