#!/usr/bin/env python3
"""A proxy that checks every SigV4 signature projsync sends against botocore.

usage: sigv4-botocore-proxy.py UPSTREAM AKID SECRET [TOKEN]

Binds 127.0.0.1 on a free port and prints 'listening on http://127.0.0.1:PORT'.
Each request must carry an AWS4-HMAC-SHA256 Authorization header; the proxy
re-signs the request with botocore's SigV4Auth (AWS's own Python signer,
python3-botocore) from the headers projsync says it signed, and compares.
Checks: every signed header was really sent (curl issue 11664 signed an
`expect` header it never sent), service bedrock-mantle (ce for Cost
Explorer's `X-Amz-Target: AWSInsightsIndexService.*`), the access key and
session token, SignedHeaders equal to what botocore would sign for the same
headers, and the signature, with the query taken both raw and as parameters.

A good request is forwarded to UPSTREAM (the emulator) with a bearer key
(a Cost Explorer request as it came: the emulator checks its scope); a bad
one gets 403 with the reason.  Project ids are rewritten into
strings full of reserved characters ('/ + = & % : ü' and a space), so the
client must encode them in paths and in list cursors (`after`) the way AWS
canonicalises them.

GET /_check answers {"verified": N, "failures": [...], "regions": [...],
"ce_verified": N, "ce_regions": [...]} (regions: the Projects API's).
"""
import http.client
import http.server
import json
import re
import sys
import threading
import urllib.parse

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

UPSTREAM = urllib.parse.urlsplit(sys.argv[1])
AKID, SECRET = sys.argv[2], sys.argv[3]
TOKEN = sys.argv[4] if len(sys.argv) > 4 else None

LOCK = threading.Lock()
STATE = {"verified": 0, "failures": [], "regions": [], "cursors": 0,
         "ce_verified": 0, "ce_regions": []}
CE_TARGET = "AWSInsightsIndexService."
IDS = {}    # the id the client sees -> the emulator's

AUTH_RE = re.compile(
    r"^AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request, "
    r"SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$")


def check(method, target, headers, body):
    """None when botocore agrees, else the reason."""
    auth = headers.get("authorization")
    if not auth:
        return "no Authorization header"
    m = AUTH_RE.match(auth)
    if not m:
        return "malformed Authorization header: " + auth.split(" ")[0]
    akid, day, region, service, signed, sig = m.groups()
    ce = headers.get("x-amz-target", "").startswith(CE_TARGET)
    want = "ce" if ce else "bedrock-mantle"
    if akid != AKID:
        return "wrong access key id"
    if service != want:
        return "service is %r, not %s" % (service, want)
    if ce and "x-amz-target" not in signed.split(";"):
        return "x-amz-target is not signed"
    names = signed.split(";")
    for n in names:
        if n not in headers:
            return "header %r is signed but was not sent" % n
    for need in ["host", "x-amz-date"]:
        if need not in names:
            return "%s is not signed" % need
    if TOKEN is not None:
        if headers.get("x-amz-security-token") != TOKEN:
            return "wrong or missing x-amz-security-token"
        if "x-amz-security-token" not in names:
            return "x-amz-security-token is not signed"
    elif "x-amz-security-token" in headers:
        return "a session token was sent with long-term keys"
    if method == "POST" and "content-type" not in names:
        return "content-type is not signed"
    if not headers["x-amz-date"].startswith(day):
        return "x-amz-date and the credential scope disagree"

    creds = Credentials(AKID, SECRET, TOKEN)
    signer = SigV4Auth(creds, want, region)
    results = []
    split = urllib.parse.urlsplit(target)
    for as_params in (False, True):
        url = "http://" + headers["host"] + split.path
        params = {}
        if as_params:
            params = dict(urllib.parse.parse_qsl(split.query,
                                                 keep_blank_values=True))
        elif split.query:
            url += "?" + split.query
        req = AWSRequest(method=method, url=url, data=body, params=params,
                         headers={n: headers[n] for n in names})
        req.context["timestamp"] = headers["x-amz-date"]
        hts = signer.headers_to_sign(req)
        if signer.signed_headers(hts) != signed:
            return "SignedHeaders %s, botocore signs %s" % (
                signed, signer.signed_headers(hts))
        cr = signer.canonical_request(req)
        sts = signer.string_to_sign(req, cr)
        results.append(signer.signature(sts, req))
    if results[0] != sig:
        return "signature differs from botocore's (raw query)"
    if results[1] != sig:
        return "signature differs from botocore's (query as parameters)"
    with LOCK:
        seen = STATE["ce_regions" if ce else "regions"]
        if region not in seen:
            seen.append(region)
    return None


def opaque(upstream_id):
    """The id the client sees: reserved characters in paths and cursors."""
    if upstream_id == "default":
        return upstream_id
    c = "%s/+= ü&%%:x" % upstream_id
    IDS[c] = upstream_id
    return c


def upstream(client_id):
    if client_id == "default":
        return client_id
    if client_id not in IDS:
        raise KeyError(client_id)
    return IDS[client_id]


def rewrite_ids(doc):
    if isinstance(doc, dict):
        if doc.get("object") == "organization.project" and \
                isinstance(doc.get("id"), str):
            doc["id"] = opaque(doc["id"])
        for v in doc.values():
            rewrite_ids(v)
    elif isinstance(doc, list):
        for v in doc:
            rewrite_ids(v)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def reply(self, status, obj):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def handle_any(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        if self.path == "/_check":
            with LOCK:
                return self.reply(200, STATE)
        headers = {k.lower(): v for k, v in self.headers.items()}
        why = check(self.command, self.path, headers, body)
        ce = headers.get("x-amz-target", "").startswith(CE_TARGET)
        with LOCK:
            if why:
                STATE["failures"].append("%s %s: %s" % (self.command,
                                                        self.path, why))
            else:
                STATE["ce_verified" if ce else "verified"] += 1
        if ce and why:
            return self.reply(403, {"__type": "InvalidSignatureException",
                                    "Message": "botocore disagrees: " + why})
        if ce:
            return self.forward_ce(headers, body)
        if why:
            return self.reply(403, {"error": {
                "message": "botocore disagrees: " + why,
                "type": "permission_error", "param": None,
                "code": "signature_mismatch"}})
        split = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qsl(split.query, keep_blank_values=True)
        prefix = "/v1/organization/projects/"
        try:
            path = split.path
            if path.startswith(prefix):
                seg, _, rest = path[len(prefix):].partition("/")
                path = prefix + urllib.parse.quote(
                    upstream(urllib.parse.unquote(seg)), safe="") + \
                    ("/" + rest if rest else "")
            fwd = []
            for k, v in query:
                if k == "after":
                    with LOCK:
                        v = upstream(v)
                        STATE["cursors"] += 1
                fwd.append((k, v))
        except KeyError as e:
            return self.reply(404, {"error": {
                "message": "unknown id %r" % e.args[0],
                "type": "not_found_error", "param": None, "code": None}})
        if fwd:
            path += "?" + urllib.parse.urlencode(fwd)
        conn = http.client.HTTPConnection(UPSTREAM.hostname, UPSTREAM.port,
                                          timeout=30)
        up_headers = {"Authorization": "Bearer test-key"}
        if body or self.command == "POST":
            up_headers["Content-Type"] = "application/json"
        conn.request(self.command, path, body=body or None,
                     headers=up_headers)
        resp = conn.getresponse()
        data = resp.read()
        conn.close()
        try:
            doc = json.loads(data)
            with LOCK:
                rewrite_ids(doc)
            data = json.dumps(doc).encode()
        except ValueError:
            pass
        self.send_response(resp.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def forward_ce(self, headers, body):
        conn = http.client.HTTPConnection(UPSTREAM.hostname, UPSTREAM.port,
                                          timeout=30)
        conn.request("POST", "/", body=body, headers={
            n: headers[n] for n in ("content-type", "x-amz-target",
                                    "authorization", "x-amz-date")
            if n in headers})
        resp = conn.getresponse()
        data = resp.read()
        conn.close()
        self.send_response(resp.status)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = handle_any

    def log_message(self, *args):
        pass


def main():
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print("listening on http://127.0.0.1:%d" % srv.server_address[1],
          flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
