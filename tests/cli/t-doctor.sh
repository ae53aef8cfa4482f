# projsync doctor: endpoint, region, auth and credential source (never a
# secret), reachability, permission to list, the account ID, quota use and
# clock skew; exit 0 when all is well, 1 otherwise; --format json.
. "$(dirname "$0")/lib.sh"

run_ps 0 doctor --help
assert_contains "$T/out" "usage: projsync doctor"
run_ps 64 doctor --format yaml

# ---- all well: SigV4 from a profile's credential_process ----
start_emulator --seed 1 --region eu-west-1 --sigv4 ASIAPROC:proc-secret:proc-token
unset PROJSYNC_API_KEY
cat >"$AWS_CONFIG_FILE" <<'EOF'
[profile ci]
region = eu-west-1
credential_process = printf '{"Version":1,"AccessKeyId":"ASIAPROC","SecretAccessKey":"proc-secret","SessionToken":"proc-token"}'
EOF
cat >"$T/p.yaml" <<'EOF'
version: 1
settings: { project_limit: 4 }
taxonomy: { required: [] }
projects:
  - name: one
  - name: two
EOF
run_ps 0 -f "$T/p.yaml" --profile ci apply --auto-approve
run_ps 0 -f "$T/p.yaml" --profile ci doctor
for w in "endpoint   $EMU_URL" "region     eu-west-1" \
	"auth       SigV4 (bedrock-mantle), credentials from profile ci (credential_process)" \
	"reachable  HTTP 200" "list       allowed to list projects" \
	"account    123456789012 (from a project ARN)" \
	"quota      2 of 4 projects (archived included)" \
	"clock      +0 s from the server's Date" "All checks passed."; do
	assert_contains "$T/out" "$w"
done
for s in proc-secret proc-token ASIAPROC; do
	assert_not_contains "$T/out" "$s"
	assert_not_contains "$T/err" "$s"
done
run_ps 0 -f "$T/p.yaml" --profile ci -v doctor --format json
python3 - "$T/out" <<'EOF' || fail "doctor json: $(cat "$T/out")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["ok"] is True
names = [c["name"] for c in d["checks"]]
assert names == ["inventory", "endpoint", "region", "auth", "reachable",
                 "clock", "list", "account", "quota"], names
assert all(c["status"] == "ok" for c in d["checks"]), d
EOF
for s in proc-secret proc-token; do assert_not_contains "$T/err" "$s"; done
ok "all well: source named, account and quota shown, no secret (also -v), json"

# ---- quota at 90% is a warning, full is an error ----
sed -i 's/project_limit: 4/project_limit: 2/' "$T/p.yaml"
run_ps 1 -f "$T/p.yaml" --profile ci doctor
assert_contains "$T/out" "error    quota      2 of 2 projects"
ok "a full quota fails"

# ---- not allowed to list: wrong credentials ----
cat >"$AWS_CONFIG_FILE" <<'EOF'
[profile ci]
region = eu-west-1
aws_access_key_id = ASIAPROC
aws_secret_access_key = wrong-secret
aws_session_token = proc-token
EOF
run_ps 1 -f "$T/p.yaml" --profile ci doctor
assert_contains "$T/out" "reachable  HTTP 403"
assert_contains "$T/out" "error    list       HTTP 403: The request signature we calculated does not match"
assert_contains "$T/out" "Some checks failed."
assert_not_contains "$T/out" "wrong-secret"
ok "a refused signature: reachable, but no permission to list"

# ---- no credentials at all ----
run_ps 1 -f "$T/p.yaml" doctor
assert_contains "$T/out" "error    auth       no credentials: no API key in \$PROJSYNC_API_KEY"
ok "no credentials: where it looked"

# ---- unreachable ----
stop_emulator
export PROJSYNC_API_KEY=test-key
run_ps 1 -f "$T/p.yaml" doctor
assert_contains "$T/out" "error    reachable"
assert_contains "$T/out" "nothing answers there"
ok "unreachable endpoint"

# ---- the server's clock is 10 minutes behind ----
python3 - >"$T/skew.out" 2>"$T/skew.err" <<'EOF' &
import email.utils, http.server, time
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def date_time_string(self, timestamp=None):
        return email.utils.formatdate(time.time() - 600, usegmt=True)
    def do_GET(self):
        body = b'{"object":"list","data":[],"has_more":false}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
print("listening on http://127.0.0.1:%d" % s.server_address[1], flush=True)
s.serve_forever()
EOF
SKEW_PID=$!
trap 'kill $SKEW_PID 2>/dev/null; cleanup' EXIT
for i in $(seq 1 100); do
	url=$(sed -n 's/^listening on //p' "$T/skew.out" 2>/dev/null || true)
	[ -n "$url" ] && break
	sleep 0.05
done
PROJSYNC_ENDPOINT=$url/v1 run_ps 1 -f "$T/p.yaml" doctor
assert_contains "$T/out" "error    clock      +600 s from the server's Date (SigV4 requests are refused beyond 5 minutes"
ok "clock skew over 5 minutes fails"
