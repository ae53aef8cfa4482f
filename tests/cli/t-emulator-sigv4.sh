# projsync-emulator --sigv4 verifies signatures for real: requests signed by
# botocore (an independent signer) are accepted, and a wrong secret,
# service, region, date, access key or session token is refused with 403
# and an error code saying which.  Then projsync's own signer against it.
. "$(dirname "$0")/lib.sh"

python3 -c 'import botocore' 2>/dev/null ||
	fail "python3-botocore is missing (scripts/deps.sh installs it)"

# usage errors never echo the secret
rc=0
"$EMULATOR_BIN" --sigv4 'AKID:s3cr3t:tok:ro:x' >"$T/o" 2>"$T/e" || rc=$?
[ "$rc" = 64 ] || fail "a bad --sigv4 exited $rc"
assert_contains "$T/e" "--sigv4: expected ACCESS_KEY_ID:SECRET"
assert_not_contains "$T/e" "s3cr3t"

start_emulator --seed 3 --region eu-central-1 \
	--sigv4 'AKIDRW:rw/secret+key' --sigv4 'AKIDRO:ro-secret:ro' \
	--sigv4 'ASIATEMP:temp-secret:IQoJtoken/with+chars=='

python3 - "$EMU_BASE" <<'EOF' || fail "botocore cases"
import datetime, json, sys, urllib.error, urllib.request
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

BASE = sys.argv[1]

def send(method, path, body=None, akid="AKIDRW", secret="rw/secret+key",
         token=None, service="bedrock-mantle", region="eu-central-1",
         skew=0, send_token=True, tamper=None):
    headers = {}
    if body is not None:
        headers["Content-Type"] = "application/json"
    req = AWSRequest(method=method, url=BASE + path, data=body,
                     headers=headers)
    when = datetime.datetime.utcnow() + datetime.timedelta(seconds=skew)
    req.context["timestamp"] = when.strftime("%Y%m%dT%H%M%SZ")
    req.headers["X-Amz-Date"] = req.context["timestamp"]
    if token:
        req.headers["X-Amz-Security-Token"] = token
    signer = SigV4Auth(Credentials(akid, secret, token), service, region)
    cr = signer.canonical_request(req)
    sig = signer.signature(signer.string_to_sign(req, cr), req)
    req.headers["Authorization"] = (
        "AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s"
        % (akid, signer.credential_scope(req),
           signer.signed_headers(signer.headers_to_sign(req)), sig))
    if not send_token:
        del req.headers["X-Amz-Security-Token"]
    if tamper:
        tamper(req.headers)
    r = urllib.request.Request(BASE + path, data=body, method=method,
                               headers=dict(req.headers.items()))
    try:
        resp = urllib.request.urlopen(r)
        return resp.status, json.load(resp)
    except urllib.error.HTTPError as e:
        doc = json.load(e)
        return e.code, doc

def want(case, got, status, code=None):
    st, doc = got
    assert st == status, (case, st, doc)
    if code:
        assert doc["error"]["code"] == code, (case, doc)
        assert doc["error"]["type"] == "permission_error", (case, doc)
    print("ok -", case, st, code or "")

P = "/v1/organization/projects"
want("botocore GET list", send("GET", P + "?limit=2&include_archived=true"), 200)
st, doc = send("POST", P, b'{"name":"Signed + / = \xc3\xbc","tags":{"Team":"a b"}}')
assert st == 200, doc
pid = doc["id"]
print("ok - botocore POST create", pid)
want("botocore modify", send("POST", P + "/" + pid,
     b'{"add_tags":{"Owner":"x=y"}}'), 200)
want("a cursor in the query",
     send("GET", P + "?after=" + pid + "&limit=1&include_archived=true"), 200)
st, doc = send("GET", P + "?limit=1&after=proj_a%2Fb%20c%2B%3D%C3%BC")
assert st != 403, ("reserved characters in the query", doc)
print("ok - reserved characters in the query verify", st)
want("an escaped path segment still verifies (404 after auth)",
     send("GET", P + "/proj_no%20such"), 404)
want("read-only access key reads", send("GET", P, akid="AKIDRO",
     secret="ro-secret"), 200)
want("read-only access key cannot write", send("POST", P, b'{"name":"x"}',
     akid="AKIDRO", secret="ro-secret"), 403)
want("session token", send("GET", P, akid="ASIATEMP", secret="temp-secret",
     token="IQoJtoken/with+chars=="), 200)

want("wrong secret", send("GET", P, secret="not-it"), 403, "signature_mismatch")
want("wrong service", send("GET", P, service="bedrock"), 403, "invalid_service")
want("wrong region", send("GET", P, region="us-east-1"), 403, "invalid_region")
want("date 10 minutes old", send("GET", P, skew=-600), 403, "request_expired")
want("date 10 minutes ahead", send("GET", P, skew=600), 403, "request_expired")
want("date 2 minutes off is fine", send("GET", P, skew=-120), 200)
want("unknown access key", send("GET", P, akid="AKIDNOPE"), 403,
     "invalid_access_key")
want("missing session token", send("GET", P, akid="ASIATEMP",
     secret="temp-secret", token="IQoJtoken/with+chars==", send_token=False),
     403, "missing_token")
want("wrong session token", send("GET", P, akid="ASIATEMP",
     secret="temp-secret", token="IQoJother"), 403, "invalid_token")
want("a token with long-term keys", send("GET", P, token="IQoJx"), 403,
     "invalid_token")
want("signed header not sent (the curl 11664 shape)", send("GET", P,
     tamper=lambda h: h.__setitem__("Authorization",
         h["Authorization"].replace("SignedHeaders=host;x-amz-date",
                                    "SignedHeaders=expect;host;x-amz-date"))),
     403, "signature_mismatch")
want("a signed header changed after signing", send("POST", P + "/" + pid,
     b'{"add_tags":{"Owner":"z"}}',
     tamper=lambda h: h.__setitem__("Content-Type", "application/json; x=1")),
     403, "signature_mismatch")
st, doc = send("GET", P, secret="not-it")
assert "Secret Access Key" in doc["error"]["message"], doc
EOF
ok "botocore-signed requests verified; each bad part refused with its code"

# the request log keeps no secret, token or signature
curl -sS "$EMU_BASE/_emulator/requests" >"$T/log"
for s in rw/secret+key ro-secret temp-secret IQoJtoken; do
	assert_not_contains "$T/log" "$s"
done
ok "the request log holds no secret or token"

# ---- projsync's signer against the verifier ----
unset PROJSYNC_API_KEY AWS_PROFILE
export AWS_ACCESS_KEY_ID=ASIATEMP AWS_SECRET_ACCESS_KEY=temp-secret
export AWS_SESSION_TOKEN='IQoJtoken/with+chars=='
cat >"$T/p.yaml" <<'EOF'
version: 1
taxonomy: { required: [Team] }
projects:
  - name: "From projsync + / = ü"
    tags: { Team: "a b" }
EOF
run_ps 0 -f "$T/p.yaml" --auth sigv4 --region eu-central-1 apply --auto-approve
assert_contains "$T/out" "1 created"
run_ps 0 -f "$T/p.yaml" --auth sigv4 --region eu-central-1 plan --detailed-exitcode
export AWS_SECRET_ACCESS_KEY=wrong-secret
run_ps 1 -f "$T/p.yaml" --auth sigv4 --region eu-central-1 plan
assert_contains "$T/err" "HTTP 403"
assert_contains "$T/err" "does not match the signature"
assert_not_contains "$T/err" "wrong-secret"
ok "projsync's signatures verify; a wrong secret is a clear 403"
