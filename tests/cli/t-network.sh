# Network failures are fast and clear: connection refused, a name that does
# not resolve and an untrusted TLS certificate cost at most two attempts,
# end in one line naming the endpoint, the cause and the fix; a 404 on the
# list route points at the base URL (.../v1).
. "$(dirname "$0")/lib.sh"

cat >"$T/p.yaml" <<'EOF'
version: 1
taxonomy: { required: [] }
projects:
  - name: net
EOF

# one_line_in SECONDS ARGS...: exit 1 within SECONDS, one line on stderr
one_line_in() {
	local limit=$1 t0 t1
	shift
	t0=$(date +%s%N)
	run_ps 1 "$@"
	t1=$(date +%s%N)
	[ $(( (t1 - t0) / 1000000 )) -lt $(( limit * 1000 )) ] ||
		fail "took $(( (t1 - t0) / 1000000 )) ms (limit $limit s): $(cat "$T/err")"
	[ "$(grep -c . "$T/err")" = 1 ] || { cat "$T/err"; fail "not one line"; }
}

# ---- connection refused: a port nothing listens on ----
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export PROJSYNC_ENDPOINT=http://127.0.0.1:$port/v1
one_line_in 5 -f "$T/p.yaml" plan
assert_contains "$T/err" "127.0.0.1:$port"
assert_contains "$T/err" "nothing answers there: check --endpoint and the region, and whether a proxy is needed"
assert_contains "$T/err" "gave up after 2 attempts"
run_ps 1 -f "$T/p.yaml" -v plan
[ "$(grep -c -- '-> error:' "$T/err")" = 2 ] || { cat "$T/err"; fail "not exactly two attempts"; }
ok "connection refused: 2 attempts, one line with the endpoint, cause and fix"

# ---- a host name that does not resolve (.invalid never does) ----
export PROJSYNC_ENDPOINT=https://bedrock-mantle.projsync.invalid/v1
one_line_in 10 -f "$T/p.yaml" plan
assert_contains "$T/err" "bedrock-mantle.projsync.invalid"
assert_contains "$T/err" "the host name does not resolve: check --endpoint"
unset PROJSYNC_ENDPOINT
ok "DNS failure: fast, one line with the host and the fix"

# ---- TLS: a certificate from an unknown CA ----
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 \
	-addext subjectAltName=IP:127.0.0.1 -days 2 \
	-keyout "$T/key.pem" -out "$T/cert.pem" 2>"$T/openssl.err" || fail "openssl: $(cat "$T/openssl.err")"
start_emulator --seed 1 --tls-cert "$T/cert.pem" --tls-key "$T/key.pem"
one_line_in 5 -f "$T/p.yaml" plan
assert_contains "$T/err" "$EMU_URL"
assert_contains "$T/err" "TLS certificate is not trusted: give its CA with --cacert FILE"
run_ps 1 -f "$T/p.yaml" -v plan
[ "$(grep -c -- '-> error:' "$T/err")" = 1 ] || { cat "$T/err"; fail "an untrusted certificate was retried"; }
run_ps 0 -f "$T/p.yaml" --cacert "$T/cert.pem" plan
ok "TLS verification failure: one attempt, the fix is --cacert (which works)"

# ---- 404 on the list route: the base URL lacks /v1 ----
stop_emulator
start_emulator --seed 2
export PROJSYNC_ENDPOINT=$EMU_BASE
run_ps 1 -f "$T/p.yaml" plan
assert_contains "$T/err" "HTTP 404"
assert_contains "$T/err" "the base URL must end in /v1"
ok "404 on the list route: hint at .../v1"
