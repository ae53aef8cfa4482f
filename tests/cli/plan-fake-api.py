#!/usr/bin/env python3
"""A deliberately broken Projects API for tests/cli/t-plan.sh.

usage: plan-fake-api.py MODE

Binds 127.0.0.1 on a free port, prints 'listening on http://127.0.0.1:PORT'
and answers every GET with the response MODE names, so the client's
handling of malformed or refused responses can be tested without the
emulator (which only ever answers well-formed JSON).
"""
import http.server
import sys

GOOD = (b'{"object":"organization.project","id":"proj_a","name":"A",'
        b'"status":"active","created_at":1,"tags":{}}')

MODES = {
    # status, body, extra headers
    "truncated": (200, b'{"object":"list","data":[' + GOOD[:40], {}),
    "notjson": (200, b"<html><body>502 Bad Gateway</body></html>", {}),
    "wrongtype": (200, b'{"object":"list","data":{"id":"proj_a"},'
                       b'"has_more":false}', {}),
    "badtags": (200, b'{"object":"list","data":[{"id":"proj_a","name":"A",'
                     b'"status":"active","tags":["Team"]}],"has_more":false}',
                {}),
    "noid": (200, b'{"object":"list","data":[{"name":"A"}],"has_more":false}',
             {}),
    "forbidden": (403, b'{"error":{"message":"User is not authorized to '
                       b'perform bedrock-mantle:ListProjects","type":'
                       b'"permission_error","param":null,'
                       b'"code":"access_denied"}}', {}),
    # a message with a CSI (ESC [ and the C1 U+009B), an OSC title and a
    # line break that would fake a second error line
    "escapes": (400, b'{"error":{"message":"bad \\u001b[2J\\u009b31m\\u001b]0;'
                     b'owned\\u0007\\nprojsync: error: fake","type":'
                     b'"invalid_request_error"}}', {}),
    "empty": (200, b"", {}),
    # has_more with no cursor at all
    "nocursor": (200, b'{"object":"list","data":[],"has_more":true}', {}),
}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        status, body, headers = MODES[sys.argv[1]]
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET

    def log_message(self, *args):
        pass


def main():
    if len(sys.argv) != 2 or sys.argv[1] not in MODES:
        sys.exit("usage: plan-fake-api.py " + "|".join(sorted(MODES)))
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print("listening on http://127.0.0.1:%d" % srv.server_address[1],
          flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
