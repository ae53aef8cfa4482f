# projsync-emulator fault injection over real HTTP: dropped creates,
# resets, 429 with every Retry-After mode, 5xx, the token bucket, latency
# and jitter, reproducibility with --seed, and the request log and stats.
# Probabilities are 0 or 1 (or a fixed seed) so nothing here is flaky.
. "$(dirname "$0")/lib.sh"

AUTH=(-H "Authorization: Bearer test-key")

# start_emulator reads the first line of $T/emu.out; a restart must not
# read the previous instance's line before the new one truncates it.
emu_start() {
	rm -f "$T/emu.out"
	start_emulator "$@"
}

# api METHOD PATH [BODY]: $status and $rc (curl's exit code), $T/body, $T/hdr
api() {
	local args=(-sS -X "$1" -o "$T/body" -D "$T/hdr" -w '%{http_code}' "${AUTH[@]}")
	[ -n "${3-}" ] && args+=(-H 'Content-Type: application/json' --data-binary "$3")
	: >"$T/body"; : >"$T/hdr"
	rc=0
	status=$(curl "${args[@]}" "$EMU_BASE$2" 2>"$T/curl.err") || rc=$?
}

pyj() {
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); r=eval(sys.argv[2]); print(json.dumps(r) if not isinstance(r,str) else r)' "$T/body" "$1"
}

hdr() {
	grep -i "^$1:" "$T/hdr" | head -1 | cut -d: -f2- | tr -d '\r' | sed 's/^ //'
}

# stat EXPR: evaluate over s = GET /_emulator/stats
stat() {
	curl -sS "$EMU_BASE/_emulator/stats" >"$T/stats"
	python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print(json.dumps(eval(sys.argv[2])))' "$T/stats" "$1"
}

expect_429() {
	[ "$status" = 429 ] || fail "$1: expected 429, got $status"
	[ "$(pyj '(d["error"]["type"], d["error"]["code"], d["error"]["param"])')" = '["requests", "rate_limit_exceeded", null]' ] ||
		fail "$1: 429 body $(cat "$T/body")"
	[ "$(hdr content-type)" = application/json ] || fail "$1: content-type"
	[ -n "$(hdr x-request-id)" ] || fail "$1: x-request-id"
}

# ---- dropped create: committed, then the connection closes unanswered ----
emu_start --seed 1 --fault-drop-create 1.0
api POST /v1/organization/projects '{"name":"dropped"}'
[ "$rc" = 52 ] || fail "dropped create: curl should see an empty reply (52), got rc=$rc status=$status: $(cat "$T/curl.err")"
[ ! -s "$T/body" ] || fail "dropped create: no response bytes"
api GET /v1/organization/projects
[ "$status" = 200 ] || fail "other routes still answer"
[ "$(pyj '[p["name"] for p in d["data"]]')" = '["default", "dropped"]' ] || fail "the dropped create was committed: $(cat "$T/body")"
api POST /v1/organization/projects '{"name":""}'
[ "$status" = 400 ] || fail "a failing create is answered (nothing to drop)"
[ "$(stat 's["faults"]["drop_create"]')" = 1 ] || fail "stats count the dropped create"
curl -sS "$EMU_BASE/_emulator/requests" >"$T/log"
python3 - "$T/log" <<'EOF' || fail "request log of a dropped create"
import json, sys
log = json.load(open(sys.argv[1]))
assert [(e["route"], e["status"], e["fault"]) for e in log] == [
    ("create", 0, "drop_create"), ("list", 200, None), ("create", 400, None)], log
assert json.loads(log[0]["body"]) == {"name": "dropped"}
EOF
ok "--fault-drop-create 1.0: empty reply, project exists"

# ---- reset: before processing, no state change ----
emu_start --seed 1 --fault-reset 1.0
api POST /v1/organization/projects '{"name":"never"}'
[ "$rc" = 56 ] || fail "reset: curl should see a connection reset (56), got rc=$rc: $(cat "$T/curl.err")"
api GET /v1/organization/projects
[ "$rc" = 56 ] || fail "reset applies to every API route"
[ "$(stat 's["projects"], s["faults"]["reset"], s["by_status"]')" = '[0, 2, {"0": 2}]' ] || fail "reset: nothing created: $(cat "$T/stats")"
ok "--fault-reset 1.0: connection reset, nothing created"

# ---- 429 with each Retry-After mode, never a side effect ----
ra_case() {
	local mode=$1 want_ra=$2 want_ms=$3
	if [ -n "$mode" ]; then
		emu_start --seed 2 --fault-429 1 --retry-after "$mode"
	else
		emu_start --seed 2 --fault-429 1
	fi
	api POST /v1/organization/projects '{"name":"x"}'
	expect_429 "retry-after '$mode'"
	[ "$(hdr retry-after)" = "$want_ra" ] || fail "Retry-After for '$mode': '$(hdr retry-after)' want '$want_ra'"
	[ "$(hdr retry-after-ms)" = "$want_ms" ] || fail "retry-after-ms for '$mode': '$(hdr retry-after-ms)' want '$want_ms'"
	[ "$(stat 's["projects"]')" = 0 ] || fail "a 429 must not create"
}
ra_case "" 1 ""
ra_case 7 7 ""
ra_case 300 300 ""
ra_case ms "" 100
ra_case ms:250 "" 250
ra_case omit "" ""
# authentication comes first: a bad key is a 401 even under faults
AUTH=(-H "Authorization: Bearer wrong")
api GET /v1/organization/projects
[ "$status" = 401 ] || fail "401 before faults, got $status"
AUTH=(-H "Authorization: Bearer test-key")
ok "--fault-429 1: Retry-After seconds, retry-after-ms, omitted; no side effects"

# ---- 5xx ----
emu_start --seed 3 --fault-5xx 1
seen=
for i in $(seq 1 30); do
	api POST /v1/organization/projects '{"name":"x"}'
	case "$status" in 500|502|503) ;; *) fail "5xx fault answered $status" ;; esac
	[ "$(pyj 'd["error"]["type"]')" = server_error ] || fail "5xx type"
	seen="$seen $status"
done
for s in 500 502 503; do
	case "$seen" in *$s*) ;; *) fail "5xx mix lacks $s:$seen" ;; esac
done
[ "$(stat '(s["projects"], s["faults"]["5xx"])')" = '[0, 30]' ] || fail "5xx must not create"
ok "--fault-5xx 1: 500/502/503, server_error, no side effects"

# ---- --seed makes random faults reproducible ----
# sequence FILE: 40 statuses under random faults (not in a subshell: the
# emulator must stay this shell's child so cleanup stops it)
sequence() {
	emu_start --seed 99 --fault-429 0.3 --fault-5xx 0.2
	local out= i
	for i in $(seq 1 40); do
		api GET /v1/organization/projects
		out="$out$status "
	done
	echo "$out" >"$1"
}
sequence "$T/seq1"
sequence "$T/seq2"
SEQ1=$(cat "$T/seq1")
SEQ2=$(cat "$T/seq2")
[ "$SEQ1" = "$SEQ2" ] || fail "same seed, different faults: $SEQ1 / $SEQ2"
case "$SEQ1" in *200*) ;; *) fail "no success at P=0.3+0.2: $SEQ1" ;; esac
case "$SEQ1" in *429*) ;; *) fail "no 429 at P=0.3: $SEQ1" ;; esac
ok "--seed: the same fault sequence twice ($SEQ1)"

# ---- token bucket ----
emu_start --seed 4 --rate-limit 5
python3 - "$EMU_BASE" <<'EOF' || fail "token bucket"
import http.client, sys, time, urllib.parse
u = urllib.parse.urlparse(sys.argv[1])
c = http.client.HTTPConnection(u.hostname, u.port)
def get():
    c.request("GET", "/v1/organization/projects", headers={"Authorization": "Bearer test-key"})
    r = c.getresponse(); r.read()
    return r.status, r.getheader("Retry-After")
t0 = time.time()
burst = [get() for _ in range(20)]
refill = int((time.time() - t0) * 5) + 1
ok = sum(1 for s, _ in burst if s == 200)
limited = [ra for s, ra in burst if s == 429]
assert 5 <= ok <= 5 + refill, (refill, burst)   # capacity 5 + what refilled
assert len(limited) == 20 - ok and all(ra and int(ra) >= 1 for ra in limited), burst
assert burst[0][0] == 200 and burst[4][0] == 200
time.sleep(1.3)
assert get()[0] == 200, "tokens come back"
EOF
[ "$(stat 's["faults"]["rate_limit"] >= 10')" = true ] || fail "stats count rate limiting"
ok "--rate-limit 5: a burst of 5 then 429 with Retry-After, refills"

# ---- latency and jitter ----
emu_start --seed 5 --latency-ms 300 --threads 1
t=$(curl -sS -o /dev/null -w '%{time_total}' "${AUTH[@]}" "$EMU_BASE/v1/organization/projects")
python3 -c "import sys; sys.exit(0 if float('$t') >= 0.29 else 1)" || fail "latency: took $t s"
t=$(curl -sS -o /dev/null -w '%{time_total}' "$EMU_BASE/_emulator/stats")
python3 -c "import sys; sys.exit(0 if float('$t') < 0.25 else 1)" || fail "/_emulator is not delayed: $t s"
# 8 delayed requests at once on one worker thread: suspended, not slept
python3 - "$EMU_BASE" <<'EOF' || fail "latency must not hold worker threads"
import http.client, sys, threading, time, urllib.parse
u = urllib.parse.urlparse(sys.argv[1])
def one():
    c = http.client.HTTPConnection(u.hostname, u.port)
    c.request("GET", "/v1/organization/projects", headers={"Authorization": "Bearer test-key"})
    assert c.getresponse().status == 200
t0 = time.time()
th = [threading.Thread(target=one) for _ in range(8)]
[t.start() for t in th]; [t.join() for t in th]
dt = time.time() - t0
assert 0.29 <= dt < 1.5, dt          # serially it would be 2.4 s
EOF
emu_start --seed 5 --latency-ms 150 --jitter-ms 100
for i in 1 2 3 4 5 6; do
	t=$(curl -sS -o /dev/null -w '%{time_total}' "${AUTH[@]}" "$EMU_BASE/v1/organization/projects")
	python3 -c "import sys; sys.exit(0 if 0.045 <= float('$t') < 0.6 else 1)" || fail "jitter: $t s"
done
ok "--latency-ms/--jitter-ms: delayed by suspension, /_emulator exempt"

# ---- stats and log shapes; reset clears them ----
emu_start --seed 6
api GET /v1/organization/projects
api POST /v1/organization/projects '{"name":"s"}'
api GET /v1/organization/nope
[ "$(stat '(s["total"], s["by_route"]["list"], s["by_route"]["create"], s["by_route"]["not_found"], s["by_status"])')" = \
	'[3, {"total": 1, "200": 1}, {"total": 1, "200": 1}, {"total": 1, "404": 1}, {"200": 2, "404": 1}]' ] || fail "stats: $(cat "$T/stats")"
curl -sS -X POST "$EMU_BASE/_emulator/reset" >"$T/body"
[ "$(stat '(s["total"], s["projects"])')" = '[0, 0]' ] || fail "reset clears stats and projects"
[ "$(curl -sS "$EMU_BASE/_emulator/requests")" = '[
]' ] || fail "reset clears the log"
api GET /v1/organization/projects
[ "$(pyj '[p["id"] for p in d["data"]]')" = '["default"]' ] || fail "reset leaves only default"
code=$(curl -sS -o /dev/null -w '%{http_code}' "$EMU_BASE/_emulator/reset")
[ "$code" = 405 ] || fail "GET /_emulator/reset is 405"
code=$(curl -sS -o /dev/null -w '%{http_code}' "$EMU_BASE/_emulator/nope")
[ "$code" = 404 ] || fail "unknown /_emulator route is 404"
ok "/_emulator/stats, /_emulator/requests, /_emulator/reset"

# ---- every N-th request throttled ----
emu_start --seed 7 --fault-429-every 3
out=
for i in $(seq 1 7); do
	api GET /v1/organization/projects
	out="$out$status "
done
[ "$out" = "200 200 429 200 200 429 200 " ] || fail "--fault-429-every 3: $out"
ok "--fault-429-every 3: requests 3 and 6 throttled"
