# projsync-emulator authentication over real HTTP: bearer, x-api-key,
# SigV4 scope checks, read-only keys (403), redaction in the request log,
# and HTTPS with a self-signed certificate made here.
. "$(dirname "$0")/lib.sh"

emu_start() {
	rm -f "$T/emu.out"	# never read a previous instance's port
	start_emulator "$@"
}

# code [curl args...] METHOD PATH [BODY]: prints the HTTP status, body in $T/body
code() {
	local args=()
	while :; do
		case "$1" in GET|POST|PUT|PATCH|DELETE) break ;; esac
		args+=("$1")
		shift
	done
	local m=$1 p=$2
	[ -n "${3-}" ] && args+=(-H 'Content-Type: application/json' --data-binary "$3")
	curl -sS -X "$m" -o "$T/body" -w '%{http_code}' "${args[@]}" "$EMU_BASE$p" || true
}

err_code() {
	python3 -c 'import json,sys; e=json.load(open(sys.argv[1]))["error"]; print(e["type"], e["code"])' "$T/body"
}

want() {
	local got=$1 expect=$2 what=$3
	[ "$got" = "$expect" ] || fail "$what: expected $expect, got $got: $(cat "$T/body")"
}

P=/v1/organization/projects
emu_start --seed 1

# ---- bearer and x-api-key with the default key ----
want "$(code GET $P)" 401 "no credentials"
want "$(err_code)" "invalid_request_error invalid_api_key" "401 body"
want "$(code -H 'Authorization: Bearer nope' GET $P)" 401 "wrong bearer"
want "$(code -H 'Authorization: Basic dGVzdC1rZXk6' GET $P)" 401 "basic auth"
want "$(code -H 'Authorization: Bearer test-key' GET $P)" 200 "bearer test-key"
want "$(code -H 'Authorization: bearer test-key' GET $P)" 200 "scheme is case-insensitive"
want "$(code -H 'x-api-key: test-key' GET $P)" 200 "x-api-key"
want "$(code -H 'x-api-key: test-keyy' GET $P)" 401 "wrong x-api-key"
want "$(code -H 'X-Api-Key: test-key' POST $P '{"name":"via x-api-key"}')" 200 "x-api-key create"
ok "bearer and x-api-key; 401 invalid_api_key otherwise"

# ---- SigV4: scope must be bedrock-mantle in our region ----
sig() { code --aws-sigv4 "aws:amz:$1:$2" --user "$3:secret-$3" "${@:4}"; }
want "$(sig us-east-1 bedrock-mantle AKIDEXAMPLE GET $P)" 200 "sigv4 bedrock-mantle"
want "$(sig us-east-1 bedrock-mantle AKIDEXAMPLE POST $P '{"name":"signed"}')" 200 "sigv4 create"
want "$(sig us-east-1 bedrock AKIDEXAMPLE GET $P)" 401 "sigv4 with service bedrock"
want "$(err_code)" "invalid_request_error invalid_api_key" "sigv4 401 body"
want "$(sig eu-west-1 bedrock-mantle AKIDEXAMPLE GET $P)" 401 "sigv4 in another region"
want "$(code -H 'Authorization: AWS4-HMAC-SHA256 garbage' GET $P)" 401 "malformed sigv4"
want "$(code -H 'Authorization: AWS4-HMAC-SHA256 Credential=AK/2024/us-east-1/bedrock-mantle/aws4_request, SignedHeaders=host, Signature=00' GET $P)" 401 "bad scope date"
want "$(code -H 'Authorization: AWS4-HMAC-SHA256 Credential=AK/20240101/us-east-1/bedrock-mantle/aws4_request, SignedHeaders=host, Signature=00' GET $P)" 200 "hand-made sigv4 header"
ok "SigV4: service bedrock-mantle and region checked"

# ---- redaction ----
curl -sS "$EMU_BASE/_emulator/requests" >"$T/log"
assert_not_contains "$T/log" "test-key"
assert_not_contains "$T/log" "AKIDEXAMPLE"
assert_not_contains "$T/log" "secret-"
assert_contains "$T/log" '"authorization":"Bearer <redacted>"'
assert_contains "$T/log" '"x-api-key":"<redacted>"'
assert_contains "$T/log" 'scope=20'
python3 - "$T/log" <<'EOF' || fail "auth schemes in the log"
import json, sys
log = json.load(open(sys.argv[1]))
schemes = [e["auth"] for e in log]
assert schemes[:3] == [None, "bearer", None], schemes     # Basic is no scheme of ours
assert "x-api-key" in schemes and "sigv4" in schemes, schemes
assert all(not e["headers"].get("authorization", "").startswith("AWS4") or
           "<redacted>" in e["headers"]["authorization"] for e in log)
EOF
ok "the request log redacts every credential"

# ---- configured keys, read-only keys ----
emu_start --seed 2 --key admin-key --key viewer-key:ro --key AKIDRO:ro
want "$(code -H 'Authorization: Bearer test-key' GET $P)" 401 "test-key is only the default"
want "$(code -H 'Authorization: Bearer admin-key' POST $P '{"name":"a"}')" 200 "admin creates"
ID=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$T/body")
want "$(code -H 'Authorization: Bearer viewer-key' GET $P)" 200 "ro key lists"
want "$(code -H 'Authorization: Bearer viewer-key' GET "$P/$ID")" 200 "ro key retrieves"
want "$(code -H 'Authorization: Bearer viewer-key' GET /v1/data_retention)" 200 "ro key reads retention"
want "$(code -H 'Authorization: Bearer viewer-key' POST $P '{"name":"b"}')" 403 "ro create"
want "$(err_code)" "permission_error access_denied" "403 body"
want "$(code -H 'x-api-key: viewer-key' POST "$P/$ID" '{"name":"b"}')" 403 "ro modify"
want "$(code -H 'Authorization: Bearer viewer-key' POST "$P/$ID/archive")" 403 "ro archive"
want "$(code -H 'Authorization: Bearer viewer-key' PUT /v1/data_retention '{"mode":"none"}')" 403 "ro retention"
want "$(code -H 'Authorization: Bearer viewer-key' POST $P 'not even json')" 403 "403 comes before validation"
want "$(sig us-east-1 bedrock-mantle AKIDRO POST $P '{"name":"c"}')" 403 "sigv4 ro access key"
want "$(sig us-east-1 bedrock-mantle AKIDRW POST $P '{"name":"c"}')" 200 "sigv4 other access key"
want "$(code -H 'Authorization: Bearer admin-key' GET "$P?include_archived=true&limit=100")" 200 "admin lists"
python3 - "$T/body" <<'EOF' || fail "read-only keys changed nothing"
import json, sys
d = json.load(open(sys.argv[1]))
assert sorted(p["name"] for p in d["data"]) == ["a", "c", "default"], d
assert all(p["status"] == "active" for p in d["data"])
EOF
ok "--key KEY and KEY:ro: 403 permission_error for writes, reads allowed"

# ---- openai flavour: bearer only ----
emu_start --seed 3 --openai
want "$(code -H 'Authorization: Bearer test-key' GET $P)" 200 "openai bearer"
want "$(code -H 'x-api-key: test-key' GET $P)" 401 "openai x-api-key"
want "$(sig us-east-1 bedrock-mantle AKIDEXAMPLE GET $P)" 401 "openai sigv4"
ok "--openai accepts bearer only"

# ---- TLS ----
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 \
	-addext subjectAltName=IP:127.0.0.1 -days 2 \
	-keyout "$T/key.pem" -out "$T/cert.pem" 2>"$T/openssl.err" || fail "openssl: $(cat "$T/openssl.err")"
emu_start --seed 4 --tls-cert "$T/cert.pem" --tls-key "$T/key.pem"
case "$EMU_BASE" in https://127.0.0.1:*) ;; *) fail "TLS listening line: $EMU_BASE" ;; esac
want "$(code --cacert "$T/cert.pem" -H 'Authorization: Bearer test-key' POST $P '{"name":"tls"}')" 200 "create over TLS"
want "$(code --cacert "$T/cert.pem" --aws-sigv4 aws:amz:us-east-1:bedrock-mantle --user AK:SK GET $P)" 200 "sigv4 over TLS"
want "$(code --cacert "$T/cert.pem" GET $P)" 401 "TLS still needs a key"
rc=0; curl -sS -o /dev/null -H 'Authorization: Bearer test-key' "$EMU_BASE$P" 2>/dev/null || rc=$?
[ "$rc" = 60 ] || fail "an unknown CA must fail verification (curl 60), got $rc"
rc=0; curl -sS -o /dev/null "http://${EMU_BASE#https://}$P" 2>/dev/null || rc=$?
[ "$rc" != 0 ] || fail "plain HTTP on the TLS port must fail"
# the fault modes still work under TLS
emu_start --seed 4 --tls-cert "$T/cert.pem" --tls-key "$T/key.pem" --fault-drop-create 1
rc=0; curl -sS -o /dev/null --cacert "$T/cert.pem" -H 'Authorization: Bearer test-key' -d '{"name":"d"}' "$EMU_BASE$P" 2>/dev/null || rc=$?
[ "$rc" = 52 ] || [ "$rc" = 56 ] || fail "dropped create over TLS: curl rc $rc"
want "$(code --cacert "$T/cert.pem" -H 'Authorization: Bearer test-key' GET $P)" 200 "list over TLS"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert [p["name"] for p in d["data"]]==["default","d"], d' "$T/body" ||
	fail "dropped create over TLS is committed"
stop_emulator
echo "not a certificate" >"$T/bad.pem"
rc=0; "$EMULATOR_BIN" --port 0 --tls-cert "$T/bad.pem" --tls-key "$T/key.pem" >"$T/o" 2>"$T/e" || rc=$?
[ "$rc" = 1 ] || fail "bad certificate exits 1, got $rc"
[ ! -s "$T/o" ] || fail "no listening line without a server"
assert_contains "$T/e" "TLS certificate"
rc=0; "$EMULATOR_BIN" --port 0 --tls-cert "$T/missing.pem" --tls-key "$T/key.pem" >"$T/o" 2>"$T/e" || rc=$?
[ "$rc" = 1 ] || fail "missing certificate exits 1"
assert_contains "$T/e" "missing.pem"
ok "HTTPS with a self-signed certificate (--tls-cert/--tls-key)"
