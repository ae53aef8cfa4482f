# projsync costs and projsync billing against the emulator's Cost
# Explorer: reports equal botocore's own sums of the same query to the
# digit, across pages and under throttling; a report sends its pages plus
# one request; every format; billing status and backfill; a member account.
# The emulator verifies every SigV4 signature (--sigv4: service ce,
# us-east-1); credentials come from the AWS chain, or --billing-profile /
# settings.billing.profile.
. "$(dirname "$0")/lib.sh"

python3 -c 'import botocore' 2>/dev/null || fail "python3-botocore is missing (scripts/deps.sh installs it)"

CLOCK=1796644800	# 2026-12-07T12:00:00Z
BOTO="env BOTO_SECRET=wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY python3 $SRC_DIR/tests/cli/ce-botocore.py"
export AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY
# every emulator below verifies signatures with these keys (the
# management account's are temporary: a session token)
SIGV4="--sigv4 AKIDEXAMPLE:wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY --sigv4 ASIAMGMT:mgmt-secret:mgmt-token"
export PROJSYNC_RETRY_SCALE=0.01
unset AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_PROFILE

cat >"$T/projects.yaml" <<'YAML'
version: 1
taxonomy:
  required: [Team, Environment]
  tags:
    Owner: {}
projects:
  - name: Chat-Prod
    tags: { Team: CX, Environment: Production }
YAML

projects() {
	local t
	for t in \
		'{"name":"Chat-Prod","tags":{"Application":"Chat","Environment":"Production","Team":"CX"}}' \
		'{"name":"Chat-Dev","tags":{"Application":"Chat","Environment":"Development","Team":"CX"}}' \
		'{"name":"Data","tags":{"Application":"Analytics","Environment":"Production","Team":"DataScience"}}' \
		'{"name":"Tools","tags":{"Application":"Tools"}}' \
		'{"name":"Platform","tags":{"Team":"Platform+Ops @1","Environment":"Staging"}}'; do
		emu_post /v1/organization/projects "$t" >/dev/null
	done
}

ce_requests() {
	emu_get /_emulator/stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["by_route"].get("cost_explorer",{}).get("total",0))'
}

start_emulator $SIGV4 --seed 7 --clock $CLOCK --ce-page-size 3 --ce-active-tag Team
export AWS_ENDPOINT_URL_COST_EXPLORER=$EMU_BASE
projects
cd "$T"

# ---- a monthly report: botocore's sums, pages + 1 requests ----
before=$(ce_requests)
run_ps 0 costs --month 2026-11 --format json -o "$T/nov.json"
after=$(ce_requests)
$BOTO "$EMU_BASE" check "$T/nov.json" >"$T/check"
pages=$(sed -n 's/^pages=//p' "$T/check")
[ "$pages" -gt 1 ] || fail "the report should span pages ($pages)"
[ $((after - before)) -eq $((pages + 1)) ] ||
	fail "a monthly report sent $((after - before)) requests for $pages pages (want pages + 1)"
ok "monthly by Team: equal to botocore's sums over $pages pages, $((after - before)) requests"
python3 - "$T/nov.json" <<'PY' || fail "json report shape"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["format_version"] == 1 and r["group_by"] == ["Team"], r
assert r["from"] == "2026-11-01" and r["to"] == "2026-11-30", r
assert r["granularity"] == "MONTHLY" and r["metric"] == "UnblendedCost"
assert "Amazon Simple Storage Service" not in r["services"]
assert all(x["start"] == "2026-11-01" and x["end"] == "2026-11-30" and
           x["estimated"] is False and x["unit"] == "USD" for x in r["rows"])
assert {x["tags"]["Team"] for x in r["rows"]} >= {"", "CX", "DataScience"}
assert float(r["unattributed"]["share"]) > 0
PY
ok "json: format_version, period, group_by, rows, unattributed"

emu_get /_emulator/requests >"$T/log"
python3 - "$T/log" <<'PY' || fail "request bodies"
import json, sys
log = [e for e in json.load(open(sys.argv[1])) if e["route"] == "cost_explorer"]
dv = [e for e in log if e["headers"]["x-amz-target"].endswith("GetDimensionValues")]
cu = [json.loads(e["body"]) for e in log if e["headers"]["x-amz-target"].endswith("GetCostAndUsage")]
d = json.loads(dv[0]["body"])
assert d["Dimension"] == "SERVICE" and d["SearchString"] == "Bedrock", d
assert cu[0]["TimePeriod"] == {"Start": "2026-11-01", "End": "2026-12-01"}, cu[0]
f = cu[0]["Filter"]["Dimensions"]
assert f["Key"] == "SERVICE" and "Amazon Bedrock" in f["Values"] and len(f["Values"]) == 3, f
assert all(c == {**cu[0], **({"NextPageToken": c["NextPageToken"]} if "NextPageToken" in c else {})} for c in cu), "parameters changed between pages"
for e in log:
    h = e["headers"]
    assert h["content-type"] == "application/x-amz-json-1.1", h
    assert "/us-east-1/ce/aws4_request" in h["authorization"], h
    assert "wJalrXUt" not in json.dumps(e)
PY
ok "requests: SERVICE discovery, End exclusive, the same parameters on every page, signed for ce/us-east-1"

# ---- two keys, daily, inclusive days; other metrics ----
run_ps 0 costs --from 2026-11-10 --to 2026-11-16 --granularity daily \
	--group-by Team,Environment --format json -o "$T/daily.json"
$BOTO "$EMU_BASE" check "$T/daily.json" >/dev/null
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert len({x["start"] for x in r["rows"]}) == 7 and r["to"] == "2026-11-16", r' "$T/daily.json" ||
	fail "seven daily buckets"
ok "daily by Team and Environment, --from/--to inclusive: equal to botocore's sums"
run_ps 0 costs --month 2026-11 --metric NetUnblendedCost --format json -o "$T/net.json"
$BOTO "$EMU_BASE" check "$T/net.json" >/dev/null
ok "--metric NetUnblendedCost"

# ---- throttled: retried, same numbers ----
start_emulator $SIGV4 --seed 7 --clock $CLOCK --ce-page-size 3 --ce-throttle-every 2
export AWS_ENDPOINT_URL_COST_EXPLORER=$EMU_BASE
projects
run_ps 0 costs --month 2026-11 --format json -o "$T/thr.json"
$BOTO "$EMU_BASE" check "$T/thr.json" >/dev/null
python3 -c 'import json,sys; a,b=(json.load(open(f)) for f in sys.argv[1:]); assert a["rows"]==b["rows"] and a["total"]==b["total"]' "$T/nov.json" "$T/thr.json" ||
	fail "throttling changed the report"
emu_get /_emulator/stats | python3 -c 'import json,sys; assert json.load(sys.stdin)["by_route"]["cost_explorer"].get("400",0) > 0' ||
	fail "no request was throttled"
ok "every 2nd request throttled (LimitExceededException): retried, the same report"

start_emulator $SIGV4 --seed 7 --clock $CLOCK --ce-page-size 3 --ce-active-tag Team
export AWS_ENDPOINT_URL_COST_EXPLORER=$EMU_BASE
projects

# ---- text, markdown, csv, html ----
run_ps 0 costs --month 2026-11
assert_contains "$T/out" "Bedrock spend by Team, 2026-11-01..2026-11-30 (UnblendedCost, monthly, USD)"
assert_contains "$T/out" "(not attributed)"
assert_contains "$T/out" "Not attributed: "
assert_contains "$T/out" "Cost Explorer requests: "
assert_not_contains "$T/out" "Amazon Simple Storage Service"
total=$(python3 -c 'import json,sys; from decimal import Decimal; print(Decimal(json.load(open(sys.argv[1]))["total"]).quantize(Decimal("0.01")))' "$T/nov.json")
grep -E "^TOTAL +$total +100.0%$" "$T/out" >/dev/null || { cat "$T/out" >&2; fail "text total $total"; }
ok "text: table, total to the cent ($total), not attributed"

run_ps 0 costs --month 2026-11 --format markdown
assert_contains "$T/out" "### Bedrock spend by Team"
assert_contains "$T/out" "| Period | Team | Amount | Share |"
assert_contains "$T/out" "*(not attributed)*"
assert_contains "$T/out" "| **Total** |"
assert_contains "$T/out" '| Platform+Ops @'
ok "markdown"

run_ps 0 costs --month 2026-11 --group-by Team,Environment --format csv
head -1 "$T/out" | grep -qx 'start,end,Team,Environment,amount,unit,estimated' || fail "csv header: $(head -1 "$T/out")"
python3 - "$T/out" <<'PY' || fail "csv rows"
import csv, sys
from decimal import Decimal
rows = list(csv.DictReader(open(sys.argv[1])))
assert rows and all(r["start"] == "2026-11-01" and r["end"] == "2026-11-30" and r["unit"] == "USD" and r["estimated"] == "false" for r in rows)
assert any(r["Team"] == "" for r in rows), "unattributed rows have an empty key value"
assert any(r["Team"] == "Platform+Ops @1" for r in rows), rows
assert all(len(r["amount"].split(".")[1]) >= 2 for r in rows)
Decimal(rows[0]["amount"])
PY
ok "csv: header, exact amounts, empty value for not attributed"

run_ps 0 costs --month 2026-11 --granularity daily --format html -o "$T/r.html"
grep -q '<svg id="chart"' "$T/r.html" || fail "html has no chart"
grep -q '<rect class="bar"' "$T/r.html" || fail "html chart has no bars"
! grep -qiE '<script|<link|@import|src=|url\(' "$T/r.html" || fail "html is not self-contained"
! grep -qE 'https?://' <(grep -v 'xmlns="http://www.w3.org/2000/svg"' "$T/r.html") || fail "html refers to another site"
ok "html: inline SVG stacked bars, nothing external"
# a real browser (scripts/test installs Debian's chromium); a control page
# first, so that a browser that cannot start here is told from a report it
# cannot open
BROWSER=$(command -v chromium || command -v chromium-browser || true)
headless() {
	timeout 60 "$BROWSER" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
		--user-data-dir="$T/chromium" --dump-dom "$1" 2>/dev/null
}
printf '<!doctype html><p id="control">ok</p>\n' >"$T/control.html"
if [ -z "$BROWSER" ]; then
	echo "skip - no chromium: the HTML report is not opened in a browser"
elif ! headless "file://$T/control.html" | grep -q 'id="control"'; then
	echo "skip - chromium does not run here (a control page failed): the HTML report is not opened in a browser"
else
	headless "file://$T/r.html" >"$T/dom" || fail "headless chromium could not open the report"
	grep -q '<svg id="chart"' "$T/dom" || fail "chromium's DOM has no chart"
	[ "$(grep -o '<rect class="bar"' "$T/dom" | wc -l)" = "$(grep -o '<rect class="bar"' "$T/r.html" | wc -l)" ] ||
		fail "chromium's DOM lost bars of the chart"
	ok "html opens in headless chromium with its chart ($(grep -o '<rect class="bar"' "$T/dom" | wc -l) bars)"
fi

# ---- --compare ----
run_ps 0 costs --month 2026-11 --compare --format json -o "$T/cmp.json"
run_ps 0 costs --month 2026-10 --format json -o "$T/oct.json"
python3 - "$T/cmp.json" "$T/oct.json" <<'PY' || fail "compare"
import json, sys
from decimal import Decimal
c, o = (json.load(open(f)) for f in sys.argv[1:])
cmp = c["compare"]
assert cmp["from"] == "2026-10-01" and cmp["to"] == "2026-10-31", cmp
assert Decimal(cmp["total"]) == Decimal(o["total"]), (cmp["total"], o["total"])
prev = {r["tags"]["Team"]: Decimal(r["amount"]) for r in o["rows"]}
for g in cmp["groups"]:
    t = g["tags"]["Team"]
    assert Decimal(g["previous"]) == prev.get(t, 0), g
    assert Decimal(g["change"]) == Decimal(g["amount"]) - Decimal(g["previous"]), g
PY
run_ps 0 costs --month 2026-11 --compare
assert_contains "$T/out" "Compared with 2026-10-01..2026-10-31:"
assert_contains "$T/out" "PREVIOUS"
ok "--compare: the previous month beside each group, with the change"

# ---- usage errors, endpoint, credentials ----
run_ps 64 costs --month 2026-13
run_ps 64 costs --from 2026-11-10
run_ps 64 costs --group-by A,B,C
run_ps 64 costs --format pdf
run_ps 64 costs --metric BlendedCosts
AWS_ENDPOINT_URL_COST_EXPLORER=http://example.com run_ps 64 costs --month 2026-11
assert_contains "$T/err" "plain http is only allowed to a loopback address"
env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY "$PROJSYNC_BIN" costs --month 2026-11 >"$T/out" 2>"$T/err" && fail "no credentials accepted"
assert_contains "$T/err" "AWS credentials for Cost Explorer: "
assert_contains "$T/err" "AWS_ACCESS_KEY_ID"
run_ps 0 -v costs --month 2026-11
assert_not_contains "$T/err" "wJalrXUt"
assert_contains "$T/err" "X-Amz-Target: AWSInsightsIndexService.GetCostAndUsage"
assert_contains "$T/err" "Cost Explorer: SigV4 (ce, us-east-1), credentials from environment"
AWS_SECRET_ACCESS_KEY=not-the-secret run_ps 1 costs --month 2026-11
assert_contains "$T/err" "InvalidSignatureException"
ok "usage errors (exit 64), http only to loopback, credentials never printed, a wrong secret refused by the verifier"

# ---- the management account's profile ----
cat >"$AWS_SHARED_CREDENTIALS_FILE" <<'EOF'
[mgmt]
aws_access_key_id = ASIAMGMT
aws_secret_access_key = mgmt-secret
aws_session_token = mgmt-token
EOF
run_ps 0 -v costs --month 2026-11 --billing-profile mgmt --region eu-west-1 --format json -o "$T/mgmt.json"
assert_contains "$T/err" "Cost Explorer: SigV4 (ce, us-east-1), credentials from profile mgmt"
python3 -c 'import json,sys; a,b=(json.load(open(f)) for f in sys.argv[1:]); assert a["rows"]==b["rows"] and a["total"]==b["total"]' "$T/nov.json" "$T/mgmt.json" ||
	fail "the profile's report differs"
sed 's/^taxonomy:/settings:\n  billing: { profile: mgmt }\ntaxonomy:/' "$T/projects.yaml" >"$T/mgmt.yaml"
run_ps 0 -v -f "$T/mgmt.yaml" billing status
assert_contains "$T/err" "credentials from profile mgmt"
for s in mgmt-secret mgmt-token wJalrXUt; do
	assert_not_contains "$T/out" "$s"
	assert_not_contains "$T/err" "$s"
done
emu_get /_emulator/requests >"$T/log"
assert_not_contains "$T/log" "mgmt-token"
run_ps 64 costs --month 2026-11 --billing-profile nosuch
assert_contains "$T/err" "AWS credentials for Cost Explorer: profile 'nosuch' (from --billing-profile) is in neither"
ok "--billing-profile and settings.billing.profile: the profile's temporary keys, signed for us-east-1 whatever the region"

# ---- billing status and backfill ----
run_ps 0 -f "$T/projects.yaml" billing status
grep -Eq '^Team +active ' "$T/out" || fail "Team active: $(cat "$T/out")"
grep -Eq '^Environment +inactive ' "$T/out" || fail "Environment inactive"
grep -Eq '^Owner +unseen ' "$T/out" || fail "Owner unseen"
assert_contains "$T/out" "Backfills: none"
run_ps 0 -f "$T/projects.yaml" billing status --format json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert [t["status"] for t in d["tags"]]==["active","inactive","unseen"], d' "$T/out" || fail "status json"
ok "billing status: active, inactive, unseen"
run_ps 64 billing backfill --from 2026-13
run_ps 64 billing backfill --from 2020-01
run_ps 0 billing backfill --from 2026-06
assert_contains "$T/out" "Backfill from 2026-06-01 requested: PROCESSING"
assert_contains "$T/err" "disappears from the past months"
run_ps 4 billing backfill --from 2026-07
assert_contains "$T/err" "still running"
run_ps 0 -f "$T/projects.yaml" billing status
assert_contains "$T/out" "from 2026-06-01, requested 2026-12-07: PROCESSING"
ok "billing backfill: started, refused while one runs, listed"

# ---- a member account ----
start_emulator $SIGV4 --seed 7 --clock $CLOCK --ce-member-account
export AWS_ENDPOINT_URL_COST_EXPLORER=$EMU_BASE
projects
run_ps 1 -f "$T/projects.yaml" billing status
assert_contains "$T/err" "AccessDeniedException"
assert_contains "$T/err" "management account"
assert_contains "$T/err" "settings.billing.profile"
run_ps 0 costs --month 2026-11 --group-by Team
ok "member account: billing refused with the management-account hint; costs works"
