#!/usr/bin/env python3
"""Local fakes of the AWS endpoints the credential chain calls.

usage: aws-fake-endpoints.py

Binds 127.0.0.1 on a free port and prints 'listening on http://127.0.0.1:PORT'.
  POST /sts/   STS: AssumeRole (its SigV4 signature, service sts, checked
               with botocore against the base keys AKIDBASE/base-secret) and
               AssumeRoleWithWebIdentity (token 'web-identity-jwt'); XML
               answers like STS's, errors as <ErrorResponse>.
  GET  /container/creds   the ECS/EKS container endpoint; needs the
               Authorization header 'container-auth-token'.
  PUT  /latest/api/token  IMDSv2 token (needs the TTL header), then
  GET  /latest/meta-data/iam/security-credentials/[ROLE] with it; an
               IMDSv1 request (no token) gets 401.
  GET  /_log   the calls so far, e.g. ["PUT /latest/api/token", "sts AssumeRole"]
  POST /_expiry?seconds=N   the lifetime of the credentials handed out next
"""
import datetime
import http.server
import json
import re
import sys
import threading
import urllib.parse

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

LOCK = threading.Lock()
LOG = []
EXPIRY = [3600]

CREDS = {
    "AssumeRole": ("ASIAASSUMED", "assumed-secret", "assumed-token"),
    "AssumeRoleWithWebIdentity": ("ASIAWEBID", "webid-secret", "webid-token"),
    "container": ("ASIACONTAINER", "container-secret", "container-token"),
    "imds": ("ASIAIMDS", "imds-secret", "imds-token"),
}
AUTH_RE = re.compile(
    r"^AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request, "
    r"SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$")


def expiration():
    t = datetime.datetime.utcnow() + datetime.timedelta(seconds=EXPIRY[0])
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def sts_xml(action, creds, role):
    return ("""<%sResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <%sResult>
    <Credentials>
      <AccessKeyId>%s</AccessKeyId>
      <SecretAccessKey>%s</SecretAccessKey>
      <SessionToken>%s</SessionToken>
      <Expiration>%s</Expiration>
    </Credentials>
    <AssumedRoleUser>
      <Arn>%s/projsync</Arn>
      <AssumedRoleId>AROAEXAMPLE:projsync</AssumedRoleId>
    </AssumedRoleUser>
  </%sResult>
  <ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata>
</%sResponse>
""" % (action, action, creds[0], creds[1], creds[2], expiration(),
       role.replace("&", "&amp;"), action, action)).encode()


def sts_error(code, message):
    return ("""<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error>
  <RequestId>r-2</RequestId>
</ErrorResponse>
""" % (code, message)).encode()


def check_sigv4(handler, body):
    h = {k.lower(): v for k, v in handler.headers.items()}
    m = AUTH_RE.match(h.get("authorization", ""))
    if not m:
        return "no SigV4 Authorization header"
    akid, day, region, service, signed, sig = m.groups()
    if akid != "AKIDBASE":
        return "signed with %s, not the source profile's AKIDBASE" % akid
    if service != "sts":
        return "service %s, not sts" % service
    names = signed.split(";")
    for n in names:
        if n not in h:
            return "header %s signed but not sent" % n
    req = AWSRequest(method="POST", url="http://" + h["host"] + handler.path,
                     data=body, headers={n: h[n] for n in names})
    req.context["timestamp"] = h["x-amz-date"]
    signer = SigV4Auth(Credentials("AKIDBASE", "base-secret"), "sts", region)
    cr = signer.canonical_request(req)
    if signer.signature(signer.string_to_sign(req, cr), req) != sig:
        return "the signature differs from botocore's"
    return None


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def reply(self, status, body, ctype="application/json"):
        if isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log(self, what):
        with LOCK:
            LOG.append(what)

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/_expiry":
            EXPIRY[0] = int(urllib.parse.parse_qs(url.query)["seconds"][0])
            return self.reply(200, "{}")
        if url.path != "/sts/":
            return self.reply(404, "{}")
        form = dict(urllib.parse.parse_qsl(body.decode()))
        action = form.get("Action")
        self.log("sts " + str(action))
        if form.get("Version") != "2011-06-15" or "RoleSessionName" not in form:
            return self.reply(400, sts_error("MissingParameter", "bad form"),
                              "text/xml")
        if action == "AssumeRole":
            why = check_sigv4(self, body)
            if why:
                return self.reply(403, sts_error("SignatureDoesNotMatch", why),
                                  "text/xml")
        elif action == "AssumeRoleWithWebIdentity":
            if "authorization" in {k.lower() for k in self.headers.keys()}:
                return self.reply(400, sts_error("InvalidAction",
                                                 "must be unsigned"), "text/xml")
            if form.get("WebIdentityToken") != "web-identity-jwt":
                return self.reply(400, sts_error(
                    "InvalidIdentityToken", "Couldn't retrieve verification "
                    "key from your identity provider"), "text/xml")
        else:
            return self.reply(400, sts_error("InvalidAction", str(action)),
                              "text/xml")
        if form.get("RoleArn", "").endswith("/denied"):
            return self.reply(403, sts_error(
                "AccessDenied", "User is not authorized to perform: "
                "sts:AssumeRole on resource: " + form["RoleArn"]), "text/xml")
        return self.reply(200, sts_xml(action, CREDS[action], form["RoleArn"]),
                          "text/xml")

    def do_PUT(self):
        if self.path != "/latest/api/token":
            return self.reply(404, "")
        self.log("PUT /latest/api/token")
        if not self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
            return self.reply(400, "")
        return self.reply(200, "imds-session-token", "text/plain")

    def do_GET(self):
        if self.path == "/_log":
            with LOCK:
                return self.reply(200, json.dumps(LOG))
        if self.path == "/container/creds":
            self.log("GET /container/creds")
            if self.headers.get("Authorization") != "container-auth-token":
                return self.reply(401, '{"message":"bad token"}')
            c = CREDS["container"]
            return self.reply(200, json.dumps({
                "AccessKeyId": c[0], "SecretAccessKey": c[1], "Token": c[2],
                "Expiration": expiration(), "RoleArn": "arn:aws:iam::1:role/c"}))
        prefix = "/latest/meta-data/iam/security-credentials/"
        if self.path.startswith(prefix):
            self.log("GET " + self.path)
            if self.headers.get("X-aws-ec2-metadata-token") != \
                    "imds-session-token":
                return self.reply(401, "", "text/plain")
            role = self.path[len(prefix):]
            if not role:
                return self.reply(200, "projsync-role\n", "text/plain")
            if role != "projsync-role":
                return self.reply(404, "", "text/plain")
            c = CREDS["imds"]
            return self.reply(200, json.dumps({
                "Code": "Success", "Type": "AWS-HMAC", "AccessKeyId": c[0],
                "SecretAccessKey": c[1], "Token": c[2],
                "Expiration": expiration()}))
        return self.reply(404, "")

    def log_message(self, *args):
        pass


def main():
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print("listening on http://127.0.0.1:%d" % srv.server_address[1],
          flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
