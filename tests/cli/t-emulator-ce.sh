# The emulator's Cost Explorer, driven by botocore's own `ce` client (AWS's
# service model, serialiser and SigV4 signer), so the wire format is AWS's
# and not only what our client expects.
. "$(dirname "$0")/lib.sh"

python3 -c 'import botocore' 2>/dev/null || fail "python3-botocore is missing (scripts/deps.sh installs it)"

CLOCK=1796644800	# 2026-12-07T12:00:00Z
BOTO="python3 $SRC_DIR/tests/cli/ce-botocore.py"

projects() {
	local t
	for t in \
		'{"name":"Chat-Prod","tags":{"Application":"Chat","Environment":"Production","Team":"CX","CostCenter":"CC-1001"}}' \
		'{"name":"Chat-Dev","tags":{"Application":"Chat","Environment":"Development","Team":"CX","CostCenter":"CC-1001"}}' \
		'{"name":"Data","tags":{"Application":"Analytics","Environment":"Production","Team":"DataScience","CostCenter":"CC-2002"}}' \
		'{"name":"Untagged","tags":{"Application":"Tools"}}' \
		'{"name":"Platform","tags":{"Team":"Platform","Environment":"Staging"}}'; do
		emu_post /v1/organization/projects "$t" >/dev/null
	done
}

# every signature botocore sends is verified for real (service ce)
start_emulator --seed 7 --clock $CLOCK --ce-page-size 3 --ce-active-tag Team \
	--sigv4 AKIDEXAMPLE:secret --sigv4 ASIATEMP:temp-secret:temp-token
projects
$BOTO "$EMU_BASE" sigv4
$BOTO "$EMU_BASE" tags
$BOTO "$EMU_BASE" costs
emu_get /_emulator/stats >"$T/stats"
assert_contains "$T/stats" '"cost_explorer":'
emu_get /_emulator/requests >"$T/log"
assert_contains "$T/log" '"x-amz-target":"AWSInsightsIndexService.GetCostAndUsage"'
assert_contains "$T/log" 'scope=20261207/us-east-1/ce/aws4_request'
assert_not_contains "$T/log" 'secret'
ok "request log: the CE target and scope, never the key"

# the same seed and clock give the same usage, to the digit
$BOTO "$EMU_BASE" costs >"$T/a"
start_emulator --seed 7 --clock $CLOCK --ce-page-size 3 --sigv4 AKIDEXAMPLE:secret
projects
$BOTO "$EMU_BASE" costs >"$T/b"
diff "$T/a" "$T/b" >&2 || fail "usage is not deterministic"
ok "usage is a function of the seed, the clock and the projects"

start_emulator --seed 7 --clock $CLOCK --ce-throttle-every 2
projects
$BOTO "$EMU_BASE" throttled

start_emulator --seed 7 --clock $CLOCK --ce-member-account
projects
$BOTO "$EMU_BASE" member
