#!/usr/bin/env bash
# Proxies never see a credential in clear: a plain-http (loopback) endpoint
# ignores the proxy variables, and over https a proxy only carries a
# CONNECT tunnel.  A tiny Python proxy records every byte it receives.
. "$(dirname "$0")/lib.sh"

EX=$SRC_DIR/examples/projects.yaml
export PROJSYNC_API_KEY=secret-key-1234

cat >"$T/proxy.py" <<'PY'
import select, socket, sys, threading
log, portfile = sys.argv[1], sys.argv[2]
lock = threading.Lock()

def record(data):
    with lock, open(log, "ab") as f:
        f.write(data)

def pump(a, b):
    try:
        while True:
            r, _, _ = select.select([a, b], [], [], 5)
            if not r:
                return
            for s in r:
                d = s.recv(65536)
                if not d:
                    return
                if s is a:
                    record(d)	# every byte the client sent us
                (b if s is a else a).sendall(d)
    except OSError:
        return

def serve(c):
    head = b""
    while b"\r\n\r\n" not in head:
        d = c.recv(65536)
        if not d:
            return
        head += d
    record(head)
    line = head.split(b"\r\n", 1)[0].split()
    if line[0] != b"CONNECT":	# plain proxying would see the request
        c.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
        c.close()
        return
    host, port = line[1].rsplit(b":", 1)
    u = socket.create_connection((host.decode(), int(port)))
    c.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
    pump(c, u)
    c.close()
    u.close()

ls = socket.socket()
ls.bind(("127.0.0.1", 0))
ls.listen(16)
open(portfile + ".tmp", "w").write(str(ls.getsockname()[1]))
import os; os.rename(portfile + ".tmp", portfile)
while True:
    c, _ = ls.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
PY
python3 "$T/proxy.py" "$T/proxy.log" "$T/proxy.port" 2>"$T/proxy.err" &
ppid=$!
trap 'kill "$ppid" 2>/dev/null || true; cleanup' EXIT
for i in $(seq 1 100); do [ -s "$T/proxy.port" ] && break; sleep 0.05; done
[ -s "$T/proxy.port" ] || { cat "$T/proxy.err"; fail "the proxy did not start"; }
proxy=http://127.0.0.1:$(cat "$T/proxy.port")
: >"$T/proxy.log"

# ---- plain http to the loopback emulator: straight past the proxy ----
start_emulator --key "$PROJSYNC_API_KEY"
http_proxy=$proxy HTTPS_PROXY=$proxy ALL_PROXY=$proxy run_ps 0 -f "$EX" apply --auto-approve
assert_contains "$T/out" "4 created"
[ ! -s "$T/proxy.log" ] || fail "the proxy saw the plain-http requests: $(head -c 300 "$T/proxy.log")"
ok "http:// loopback endpoint: proxy variables ignored, the proxy saw nothing"

# ---- https: only a CONNECT tunnel, the key never in clear ----
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 \
	-addext subjectAltName=IP:127.0.0.1 -days 2 \
	-keyout "$T/key.pem" -out "$T/cert.pem" 2>"$T/openssl.err" || fail "openssl: $(cat "$T/openssl.err")"
start_emulator --key "$PROJSYNC_API_KEY" --tls-cert "$T/cert.pem" --tls-key "$T/key.pem"
case "$EMU_BASE" in https://*) ;; *) fail "no TLS: $EMU_BASE" ;; esac
https_proxy=$proxy NO_PROXY= no_proxy= run_ps 0 --cacert "$T/cert.pem" -f "$EX" plan
assert_contains "$T/out" "Plan: 4 to create"
grep -qa '^CONNECT 127.0.0.1:' "$T/proxy.log" || fail "https did not go through the proxy's CONNECT: $(head -c 300 "$T/proxy.log")"
! grep -qa "$PROJSYNC_API_KEY" "$T/proxy.log" || fail "the proxy saw the key in clear"
! grep -qai 'authorization' "$T/proxy.log" || fail "the proxy saw an Authorization header"
ok "https through a proxy: one CONNECT tunnel, no credential in clear"
