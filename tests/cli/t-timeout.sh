#!/usr/bin/env bash
# --timeout SECONDS and $PROJSYNC_TIMEOUT: the per-request timeout, so a
# slow server is met in seconds, and bad values are usage errors.
. "$(dirname "$0")/lib.sh"

export PROJSYNC_RETRY_SCALE=0.01
EX=$SRC_DIR/examples/projects.yaml

run_ps 64 -f "$EX" plan --timeout abc
assert_contains "$T/err" "--timeout must be a number of seconds"
run_ps 64 -f "$EX" --timeout 0 plan
PROJSYNC_TIMEOUT=-3 run_ps 64 -f "$EX" plan
assert_contains "$T/err" "\$PROJSYNC_TIMEOUT must be a number of seconds"
ok "bad --timeout and \$PROJSYNC_TIMEOUT values: usage error (64)"

# every request takes 3 s; a 1 s timeout gives up after two timed-out
# attempts of the list (about 2 s), not 2 x 30 s
start_emulator --latency-ms 3000
s=$(date +%s%N)
run_ps 1 -f "$EX" plan --timeout 1
ms=$(( ($(date +%s%N) - s) / 1000000 ))
assert_contains "$T/err" "imed out"
[ "$ms" -lt 15000 ] || fail "--timeout 1 took $ms ms"
ok "--timeout 1 against a 3 s server: timed out (exit 1)"

s=$(date +%s%N)
PROJSYNC_TIMEOUT=0.5 run_ps 1 -f "$EX" plan
ms=$(( ($(date +%s%N) - s) / 1000000 ))
assert_contains "$T/err" "imed out"
[ "$ms" -lt 15000 ] || fail "PROJSYNC_TIMEOUT=0.5 took $ms ms"
ok "\$PROJSYNC_TIMEOUT=0.5: timed out"

# the option wins over the environment, and a long enough timeout works
PROJSYNC_TIMEOUT=0.5 run_ps 0 -f "$EX" plan --timeout 10
assert_contains "$T/out" "Plan: 4 to create"
ok "--timeout 10 overrides \$PROJSYNC_TIMEOUT and lets the slow server answer"
