# Every SigV4 signature projsync sends agrees with botocore's (AWS's own
# Python signer): plan, apply with creates, tag changes and an archive,
# Cost Explorer (costs, billing status and backfill: service ce, us-east-1
# whatever the projects' region), long-term keys and a session token, two regions, names and tags
# with spaces and '+ / = ü', project ids (in paths and list cursors) full
# of reserved characters.
# tests/cli/sigv4-botocore-proxy.py re-signs each request and forwards the
# good ones to the emulator.
. "$(dirname "$0")/lib.sh"

python3 -c 'import botocore' 2>/dev/null ||
	fail "python3-botocore is missing (scripts/deps.sh installs it)"

PROXY=$SRC_DIR/tests/cli/sigv4-botocore-proxy.py
PROXY_PID=
AKID=AKIDBOTOCORETEST
SECRET='wJalrXUtnFEMI/K7MDENG+bPxRfiCYsecret'
TOKEN='IQoJb3JpZ2luX2VjEXAMPLE//token+with/slashes=='

stop_proxy() {
	if [ -n "$PROXY_PID" ]; then
		kill "$PROXY_PID" 2>/dev/null || true
		wait "$PROXY_PID" 2>/dev/null || true
		PROXY_PID=
	fi
}
trap 'stop_proxy; cleanup' EXIT

# start_proxy [TOKEN]: in front of the emulator; exports PROJSYNC_ENDPOINT
start_proxy() {
	stop_proxy
	rm -f "$T/proxy.out"
	python3 "$PROXY" "$EMU_BASE" "$AKID" "$SECRET" "$@" >"$T/proxy.out" \
		2>"$T/proxy.err" &
	PROXY_PID=$!
	local i line=
	for i in $(seq 1 100); do
		line=$(head -n1 "$T/proxy.out" 2>/dev/null || true)
		[ -n "$line" ] && break
		sleep 0.05
	done
	case "$line" in
	"listening on "*) PROXY_BASE=${line#listening on } ;;
	*) cat "$T/proxy.err" >&2; fail "the botocore proxy did not start" ;;
	esac
	export PROJSYNC_ENDPOINT=$PROXY_BASE/v1
}

check_proxy() {	# check_proxy MIN_VERIFIED REGION
	curl -sS "$PROXY_BASE/_check" >"$T/check"
	python3 - "$T/check" "$1" "$2" <<'EOF' || fail "botocore disagrees: $(cat "$T/check")"
import json, sys
c = json.load(open(sys.argv[1]))
assert not c["failures"], c["failures"]
assert c["verified"] >= int(sys.argv[2]), c
assert c["regions"] == [sys.argv[3]], c
assert c["cursors"] > 0, "no list cursor went through the proxy"
EOF
}

# 110 projects: two list pages, so a cursor goes out in the query
python3 "$SRC_DIR/bench/gen_inventory.py" 110 >"$T/p.yaml"
cat >>"$T/p.yaml" <<'EOF'
  - name: "Chat bot + Söhne / a=b"
    tags: { Application: CustomerChatbot, Environment: Production, Team: DataScience, CostCenter: CC-1001, Owner: "ü + / = x" }
  - name: "  spaced  out  "
    tags: { Application: Experiments, Environment: Research, Team: DataScience, CostCenter: CC-1002, Owner: "a b" }
EOF

start_emulator --seed 7
unset PROJSYNC_API_KEY AWS_PROFILE AWS_SESSION_TOKEN
export AWS_ACCESS_KEY_ID=$AKID AWS_SECRET_ACCESS_KEY=$SECRET

# ---- long-term keys, us-east-1: plan, apply (creates), plan again ----
start_proxy
run_ps 2 -f "$T/p.yaml" --auth sigv4 --region us-east-1 plan --detailed-exitcode
run_ps 0 -f "$T/p.yaml" --auth sigv4 --region us-east-1 apply --auto-approve
assert_contains "$T/out" "112 created"
run_ps 0 -f "$T/p.yaml" --auth sigv4 --region us-east-1 plan --detailed-exitcode
check_proxy 115 us-east-1
ok "long-term keys: plan, 112 creates, paged re-plan all agree with botocore"

# ---- session token, eu-west-1: tag changes, a rename, an archive ----
start_proxy "$TOKEN"
export AWS_SESSION_TOKEN=$TOKEN
python3 - "$T/p.yaml" <<'EOF'
import sys
p = sys.argv[1]
s = open(p).read()
s = s.replace('Owner: "ü + / = x"', 'Owner: "ü + / = y", Extra: "k=v / +"')
s = s.replace("name: Bench-00000\n", "name: Bench-00000\n    archived: true\n")
s = s.replace("Owner: owner1 }", "Owner: \"changed owner\" }")
open(p, "w").write(s)
EOF
run_ps 2 -f "$T/p.yaml" --auth sigv4 --region eu-west-1 plan --detailed-exitcode
run_ps 0 -f "$T/p.yaml" --auth sigv4 --region eu-west-1 -v apply --auto-approve --allow-archive
assert_contains "$T/out" "1 archived"
for s in "$SECRET" "$TOKEN" "$AKID"; do
	assert_not_contains "$T/out" "$s"
	assert_not_contains "$T/err" "$s"
done
assert_contains "$T/err" "X-Amz-Security-Token: <redacted>"
run_ps 0 -f "$T/p.yaml" --auth sigv4 --region eu-west-1 plan --detailed-exitcode
check_proxy 8 eu-west-1
ok "session token, eu-west-1: tag changes and archive agree with botocore; -v shows no secret"

# ---- Cost Explorer: service ce, signed for us-east-1 from eu-west-1 ----
start_emulator --seed 7 --clock 1796644800 --ce-page-size 3
PROJSYNC_API_KEY=test-key emu_post /v1/organization/projects '{"name":"Chat","tags":{"Team":"CX + ü/=","Environment":"Production"}}' >/dev/null
PROJSYNC_API_KEY=test-key emu_post /v1/organization/projects '{"name":"Data","tags":{"Team":"Data Science"}}' >/dev/null
start_proxy "$TOKEN"
export AWS_ENDPOINT_URL_COST_EXPLORER=$PROXY_BASE
cat >"$T/ce.yaml" <<'EOF'
version: 1
taxonomy: { required: [Team, Environment] }
projects: []
EOF
run_ps 0 --region eu-west-1 costs --month 2026-11 --group-by Team,Environment --format json -o "$T/costs.json"
run_ps 0 -f "$T/ce.yaml" --region eu-west-1 billing status
run_ps 0 --region eu-west-1 billing backfill --from 2026-06
curl -sS "$PROXY_BASE/_check" >"$T/check"
python3 - "$T/check" "$T/costs.json" <<'EOF' || fail "botocore disagrees on Cost Explorer: $(cat "$T/check")"
import json, sys
c = json.load(open(sys.argv[1]))
assert not c["failures"], c["failures"]
assert c["ce_verified"] >= 6, c
assert c["ce_regions"] == ["us-east-1"], c
r = json.load(open(sys.argv[2]))
assert any(x["tags"]["Team"] == "CX + ü/=" for x in r["rows"]), r["rows"]
EOF
ok "Cost Explorer (costs, billing status, backfill, session token): every signature agrees with botocore, for ce/us-east-1"
unset AWS_ENDPOINT_URL_COST_EXPLORER

# ---- the proxy does catch a bad signature ----
export AWS_SECRET_ACCESS_KEY=not-the-secret
run_ps 1 -f "$T/p.yaml" --auth sigv4 --region eu-west-1 plan
assert_contains "$T/err" "signature differs from botocore"
ok "a wrong secret is caught by botocore"
AWS_ENDPOINT_URL_COST_EXPLORER=$PROXY_BASE run_ps 1 costs --month 2026-11 --group-by Team
assert_contains "$T/err" "botocore disagrees: signature differs"
ok "a wrong secret is caught by botocore for Cost Explorer too"
