#!/usr/bin/env bash
# Applies that race or meet a slow server never leave a duplicate
# (docs/apply-safety.md): racing applies converge on one project per name,
# a create whose outcome is unknown is not resent blindly, and 5xx on
# creates converge in one run.
. "$(dirname "$0")/lib.sh"

export PROJSYNC_RETRY_SCALE=0.01

gen() {	# gen N > file: N valid projects
	python3 "$SRC_DIR/bench/gen_inventory.py" "$1"
}

live() {	# the live projects (all pages, archived too) into $T/live
	python3 - "$EMU_BASE" >"$T/live" <<'PY'
import json, sys, time, urllib.error, urllib.request
base, out, after = sys.argv[1], [], None

def get(url):	# the emulator may be injecting 5xx: retry, this only reads
    for _ in range(200):
        try:
            req = urllib.request.Request(url, headers={"Authorization": "Bearer test-key"})
            return json.load(urllib.request.urlopen(req))
        except urllib.error.HTTPError as e:
            if e.code < 500:
                raise
            time.sleep(0.01)
    raise SystemExit("cannot list the emulator's projects")

while True:
    q = "limit=100&include_archived=true" + (("&after=" + after) if after else "")
    page = get(base + "/v1/organization/projects?" + q)
    out += page["data"]
    if not page["has_more"]:
        break
    after = page["data"][-1]["id"]
print(json.dumps(out))
PY
}

# one_per_name N: exactly one active project for each of the N names
one_per_name() {
	live
	python3 - "$T/live" "$1" <<'PY' || fail "not one active project per name"
import json, sys, collections
d = [p for p in json.load(open(sys.argv[1])) if p["id"] != "default"]
act = collections.Counter(p["name"] for p in d if p["status"] == "active")
dups = {k: v for k, v in act.items() if v > 1}
assert not dups, ("duplicates", dups)
assert len(act) == int(sys.argv[2]), ("names", len(act))
PY
}

# ---- 4 applies of 120 creates started at once, sharing nothing ----
start_emulator --seed 21 --latency-ms 20
gen 120 >"$T/g120.yaml"
pids=
for k in 1 2 3 4; do
	mkdir -p "$T/run$k/home" "$T/run$k/tmp" "$T/run$k/wc"
	cp "$T/g120.yaml" "$T/run$k/wc/projects.yaml"
	( cd "$T/run$k/wc"; rc=0; HOME=$T/run$k/home TMPDIR=$T/run$k/tmp \
		"$PROJSYNC_BIN" apply --auto-approve --parallelism 8 --format json \
		>"$T/run$k/out" 2>"$T/run$k/err" || rc=$?; echo $rc >"$T/run$k/rc" ) &
	pids="$pids $!"
done
wait $pids
for k in 1 2 3 4; do
	[ "$(cat "$T/run$k/rc")" = 0 ] || { cat "$T/run$k/err"; fail "racing apply $k exited $(cat "$T/run$k/rc")"; }
done
one_per_name 120
run_ps 0 -f "$T/g120.yaml" plan --detailed-exitcode
# every run names the survivor for every name, and they agree
python3 - "$T/live" "$T"/run{1,2,3,4}/out <<'PY' || fail "the runs do not name the survivor"
import json, sys
live = {p["id"]: p for p in json.load(open(sys.argv[1]))}
runs = [json.load(open(f)) for f in sys.argv[2:]]
dup = sum(r["summary"]["duplicates_archived"] for r in runs)
survivor = {}
for r in runs:
    for c in r["changes"]:
        if c["action"] != "create":
            continue
        p = live[c["id"]]
        assert p["status"] == "active" and p["name"] == c["name"], c
        assert survivor.setdefault(c["name"], c["id"]) == c["id"], c
        if c["archived_duplicate"]:
            assert live[c["archived_duplicate"]]["status"] == "archived", c
archived = [p for p in live.values() if p["status"] == "archived"]
assert len(archived) == dup, (len(archived), dup)
print(dup)
PY
ndup=$(python3 -c 'import json,sys; print(sum(json.load(open(f))["summary"]["duplicates_archived"] for f in sys.argv[1:]))' "$T"/run{1,2,3,4}/out)
[ "$ndup" -gt 0 ] || fail "the applies did not race (no duplicate was made): the test proves nothing"
run_ps 0 -f "$T/g120.yaml" output --format json
python3 - "$T/out" "$T/live" <<'PY' || fail "output does not name the survivors"
import json, sys
out, live = json.load(open(sys.argv[1])), {p["id"]: p for p in json.load(open(sys.argv[2]))}
assert len(out) == 120, len(out)
for name, v in out.items():
    pid = v if isinstance(v, str) else v["id"]
    assert live[pid]["status"] == "active" and live[pid]["name"] == name, (name, v)
PY
ok "4 racing applies of 120 creates: one active project per name ($ndup duplicates archived by their makers), clean plan, output names the survivors"

# ---- a create committed after the client's timeout ----
# The first create takes 1.5 s and the client gives up after 1 s: the
# outcome is unknown; it is not resent, and the re-list after the grace
# period (2 s) finds it and adopts it.
stop_emulator
start_emulator --seed 22 --slow-creates 1 --slow-create-ms 1500
gen 5 >"$T/g5.yaml"
PROJSYNC_RETRY_SCALE=0.1 run_ps 0 -f "$T/g5.yaml" --timeout 1 apply --auto-approve
assert_contains "$T/out" "adopted after a lost response"
one_per_name 5
run_ps 0 -f "$T/g5.yaml" plan --detailed-exitcode
ok "create committed after the timeout, within the grace period: adopted, no duplicate, exit 0"

# The commit takes 4 s and the recovery time (120 s x 0.01) runs out first:
# exit 5 "outcome unknown, may have been created", nothing sent twice;
# once it has committed, the rerun adopts it.
stop_emulator
start_emulator --seed 23 --slow-creates 1 --slow-create-ms 4000
run_ps 5 -f "$T/g5.yaml" --timeout 1 apply --auto-approve
assert_contains "$T/out" "outcome unknown, may have been created"
assert_contains "$T/out" "4 created"
# wait for the slow create to commit (the emulator logs it then)
for i in $(seq 1 100); do live; python3 -c 'import json,sys; sys.exit(0 if len(json.load(open(sys.argv[1]))) == 6 else 1)' "$T/live" && break; sleep 0.1; done
curl -sS "$EMU_BASE/_emulator/requests" >"$T/reqs"
[ "$(python3 -c 'import json,sys; print(sum(1 for r in json.load(open(sys.argv[1])) if r["method"] == "POST"))' "$T/reqs")" = 5 ] ||
	fail "a create was sent twice"
run_ps 0 -f "$T/g5.yaml" apply --auto-approve
assert_contains "$T/out" "No changes"
one_per_name 5
ok "create committed after the recovery time: exit 5 (outcome unknown), never resent, the rerun converges"

# ---- 200 creates under 30% 5xx converge in one run ----
stop_emulator
start_emulator --seed 24 --fault-5xx 0.3
gen 200 >"$T/g200.yaml"
# recovery time 12 s (120 s x 0.1): enough rounds under a loaded ASan build
PROJSYNC_RETRY_SCALE=0.1 run_ps 0 -f "$T/g200.yaml" apply --auto-approve
assert_contains "$T/out" "200 created"
one_per_name 200
run_ps 0 -f "$T/g200.yaml" plan --detailed-exitcode
ok "200 creates under 30% 5xx: converged in one run, no duplicate"

# ---- 2 applies of one saved plan file at once ----
stop_emulator
start_emulator --seed 25 --latency-ms 20
gen 60 >"$T/g60.yaml"
run_ps 0 -f "$T/g60.yaml" plan -o "$T/plan60.json"
pids=
for k in 1 2; do
	( rc=0; "$PROJSYNC_BIN" apply "$T/plan60.json" --format json >"$T/saved$k.out" 2>"$T/saved$k.err" || rc=$?
	  echo $rc >"$T/saved$k.rc" ) &
	pids="$pids $!"
done
wait $pids
for k in 1 2; do
	[ "$(cat "$T/saved$k.rc")" = 0 ] || { cat "$T/saved$k.err"; fail "saved-plan apply $k exited $(cat "$T/saved$k.rc")"; }
done
one_per_name 60
run_ps 0 -f "$T/g60.yaml" plan --detailed-exitcode
ok "2 applies of one saved plan at once: one active project per name, clean plan"

# ---- re-applying an applied plan; a partly applied one applies the rest ----
run_ps 0 apply "$T/plan60.json"
assert_contains "$T/out" "already applied: the account matches this plan"
assert_not_contains "$T/err" "stale"
gen 62 >"$T/g62.yaml"
run_ps 0 -f "$T/g62.yaml" plan -o "$T/plan62.json"
emu_post /v1/organization/projects "$(python3 -c 'import json,sys
p = json.load(open(sys.argv[1]))
c = [c for c in p["changes"] if c["action"] == "create"][0]
print(json.dumps({"name": c["name"], "tags": c["tags"]}))' "$T/plan62.json")" >/dev/null
run_ps 0 apply "$T/plan62.json"
assert_contains "$T/err" "1 of 2 changes already applied; applying the rest"
assert_contains "$T/out" "Apply complete: 1 created"
one_per_name 62
ok "re-apply of an applied plan: 'already applied', exit 0; a partly applied plan applies the rest"

# ---- a stale plan says per project what changed ----
sed 's/CostCenter: CC-10[0-9][0-9]/CostCenter: CC-7777/' "$T/g62.yaml" >"$T/g62b.yaml"
run_ps 0 -f "$T/g62b.yaml" plan -o "$T/plan62b.json"
live
id=$(python3 -c 'import json,sys; print([p["id"] for p in json.load(open(sys.argv[1])) if p["name"] == "Bench-00001"][0])' "$T/live")
emu_post "/v1/organization/projects/$id" '{"add_tags":{"Owner":"mallory"}}' >/dev/null
run_ps 4 apply "$T/plan62b.json"
assert_contains "$T/err" "project \"Bench-00001\" ($id) changed in the account since the plan was made; tag \"Owner\" \"owner1\" -> \"mallory\""
assert_contains "$T/err" "refusing to apply a stale plan"
ok "stale plan refused (4), saying per project what changed (tag, old and new value)"


# ---- output names the survivor while a racing apply's duplicates live ----
stop_emulator
start_emulator --seed 27
gen 1 >"$T/g1.yaml"
body=$(python3 -c 'import json,sys,yaml; p=yaml.safe_load(open(sys.argv[1]))["projects"][0]; print(json.dumps({"name": p["name"], "tags": p["tags"]}))' "$T/g1.yaml")
emu_post /v1/organization/projects "$body" >/dev/null
emu_post /v1/organization/projects "$body" >/dev/null
live
want=$(python3 -c 'import json,sys; d=[p for p in json.load(open(sys.argv[1])) if p["id"] != "default"]; print(min(d, key=lambda p: (p["created_at"], p["id"]))["id"])' "$T/live")
run_ps 0 -f "$T/g1.yaml" output --format json
assert_contains "$T/out" "$want"
run_ps 0 -f "$T/g1.yaml" plan --detailed-exitcode
assert_contains "$T/err" "using the oldest, $want"
emu_post "/v1/organization/projects/$want" '{"add_tags":{"Other":"x"}}' >/dev/null
run_ps 4 -f "$T/g1.yaml" output --format json
ok "same name and tags: output and plan name the survivor ($want); other tags: refused (4)"
