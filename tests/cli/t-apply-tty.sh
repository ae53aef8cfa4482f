#!/usr/bin/env bash
# projsync apply on a terminal, the way a person runs it: the plan, the
# `yes` prompt (anything else cancels and sends nothing), Ctrl-C at the
# prompt and mid-apply (twice aborts), the progress line and when colour
# is used.  projsync gets a real pty (python3's pty module; `script` for
# the piped case) in front of the emulator.
. "$(dirname "$0")/lib.sh"

export PROJSYNC_RETRY_SCALE=0.01
EX=$SRC_DIR/examples/projects.yaml

# ptyrun TRANSCRIPT STEP... -- CMD...: run CMD on a fresh pty (stdin,
# stdout and stderr), record everything it writes to TRANSCRIPT (raw) and
# exit with its status (128+N when killed by signal N).  Steps, in order:
# expect:TEXT (wait for TEXT after the last match, 30 s at most),
# send:TEXT (type TEXT; \n, \x03 escapes), sleep:SECONDS.
cat >"$T/ptyrun.py" <<'PY'
import os, pty, select, sys, time
out, args = sys.argv[1], sys.argv[2:]
i = args.index("--")
steps, cmd = args[:i], args[i + 1:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(cmd[0], cmd)
buf, pos = b"", 0

def pump(timeout):
    global buf
    r, _, _ = select.select([fd], [], [], timeout)
    if not r:
        return True
    try:
        d = os.read(fd, 65536)
    except OSError:
        d = b""
    if not d:
        return False
    buf += d
    return True

for st in steps:
    kind, _, arg = st.partition(":")
    if kind == "expect":
        want, end = arg.encode(), time.time() + 30
        while buf.find(want, pos) < 0:
            if time.time() > end or not pump(0.1) and buf.find(want, pos) < 0:
                open(out, "wb").write(buf)
                sys.exit("ptyrun: never saw %r" % arg)
        pos = buf.find(want, pos) + len(want)
    elif kind == "send":
        os.write(fd, arg.encode().decode("unicode_escape").encode())
    elif kind == "sleep":
        end = time.time() + float(arg)
        while time.time() < end and pump(0.05):
            pass
end = time.time() + 120
while time.time() < end and pump(0.2):
    pass
_, status = os.waitpid(pid, 0)
open(out, "wb").write(buf)
sys.exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status))
PY

# ptyrun EXPECTED_RC STEP... -- ARGS...: projsync ARGS on a pty; the
# transcript goes to $T/tty.
ptyrun() {
	local want=$1 rc=0
	shift
	python3 "$T/ptyrun.py" "$T/tty" "$@" || rc=$?
	if [ "$rc" != "$want" ]; then
		cat -v "$T/tty" >&2 || true
		fail "projsync on a pty exited $rc, expected $want"
	fi
}

# writes: how many POSTs the emulator has seen
writes() {
	curl -sS "$EMU_BASE/_emulator/requests" |
		python3 -c 'import json,sys; print(sum(r["method"] == "POST" for r in json.load(sys.stdin)))'
}

projects() {	# non-default projects, archived included (every page)
	python3 - "$EMU_BASE" <<'PY'
import json, sys, urllib.request
n, after = 0, None
while True:
    q = "limit=100&include_archived=true" + ("&after=" + after if after else "")
    req = urllib.request.Request(sys.argv[1] + "/v1/organization/projects?" + q,
                                 headers={"Authorization": "Bearer test-key"})
    page = json.load(urllib.request.urlopen(req))
    n += sum(p["id"] != "default" for p in page["data"])
    if not page["has_more"]:
        break
    after = page["last_id"]
print(n)
PY
}

start_emulator --seed 21

# ---- anything but `yes` cancels, and nothing is sent ----
for answer in no YES "yes please" ""; do
	ptyrun 1 "expect:Enter a value:" "send:$answer\n" -- \
		"$PROJSYNC_BIN" -f "$EX" apply
	assert_contains "$T/tty" "Plan: 4 to create, 0 to update, 0 to archive."
	assert_contains "$T/tty" "Only 'yes' will be accepted"
	assert_contains "$T/tty" "Apply cancelled."
	[ "$(writes)" = 0 ] || fail "answer '$answer' sent a write"
done
ok "on a terminal: the plan and the prompt; no, YES, 'yes please', empty: cancelled (1), nothing sent"

# ---- Ctrl-C (typed) at the prompt: exit 1, nothing sent, no talk of
# requests in flight ----
ptyrun 1 "expect:Enter a value:" "send:\x03" -- "$PROJSYNC_BIN" -f "$EX" apply
assert_contains "$T/tty" "nothing was changed"
assert_not_contains "$T/tty" "in flight"
[ "$(writes)" = 0 ] || fail "Ctrl-C at the prompt sent a write"
ok "Ctrl-C at the prompt: exit 1, nothing sent"

# ---- `yes` applies; converged after ----
ptyrun 0 "expect:Enter a value:" "send:yes\n" -- "$PROJSYNC_BIN" -f "$EX" apply
assert_contains "$T/tty" "Apply complete: 4 created, 0 updated, 0 archived, 0 failed."
[ "$(projects)" = 4 ] || fail "yes: $(projects) projects, expected 4"
run_ps 0 -f "$EX" plan --detailed-exitcode
ok "'yes' on the terminal applies; plan shows no changes after"

# ---- piped through script(1): the same prompt, answered from a pipe ----
emu_post /_emulator/reset >/dev/null
rc=0
printf 'no\n' | script -qfec "'$PROJSYNC_BIN' -f '$EX' apply" /dev/null >"$T/script.out" 2>&1 || rc=$?
[ "$rc" = 1 ] || { cat -v "$T/script.out" >&2; fail "script(1) 'no': exit $rc"; }
assert_contains "$T/script.out" "Apply cancelled."
[ "$(writes)" = 0 ] || fail "script(1) 'no' sent a write"
ok "script(1) pty, answer from a pipe: 'no' cancels"

# ---- the progress line: shown on a terminal for a long apply, then
# cleared; colour on a terminal unless NO_COLOR ----
stop_emulator
start_emulator --seed 22 --latency-ms 50
python3 "$SRC_DIR/bench/gen_inventory.py" 150 >"$T/g150.yaml"
NO_COLOR= ptyrun 0 "expect:Enter a value:" "send:yes\n" -- \
	"$PROJSYNC_BIN" -f "$T/g150.yaml" apply --parallelism 4
python3 - "$T/tty" <<'PY' || fail "progress line"
import sys
t = open(sys.argv[1], "rb").read()
p = t.find(b"Applying: ")
assert p >= 0, "no progress line"
assert b"/150 done, " in t, "progress counts"
last = t.rfind(b"Applying: ")
clear = t.find(b"\r\x1b[K", last)
done = t.find(b"Apply complete: 150 created")
assert 0 <= clear < done, "the progress line is not cleared before the result"
assert b"\x1b[32m" in t, "no colour on a terminal"
PY
ok "progress line on a terminal for an apply over a second, cleared before the result; colour"

emu_post /_emulator/reset >/dev/null
NO_COLOR=1 ptyrun 0 "expect:Enter a value:" "send:yes\n" -- \
	"$PROJSYNC_BIN" -f "$T/g150.yaml" apply --parallelism 4
assert_contains "$T/tty" "Apply complete: 150 created"
python3 - "$T/tty" <<'PY' || fail "NO_COLOR"
import re, sys
t = open(sys.argv[1], "rb").read()
# cursor control for the progress line is fine; colour is not
assert not re.search(rb"\x1b\[[0-9;]*m", t), "colour with NO_COLOR"
PY
emu_post /_emulator/reset >/dev/null
NO_COLOR= run_ps 0 -f "$T/g150.yaml" apply --auto-approve --parallelism 8
python3 - "$T/out" "$T/err" <<'PY' || fail "not a terminal"
import sys
for f in sys.argv[1:]:
    t = open(f, "rb").read()
    assert b"\x1b[" not in t, f + ": escape sequences without a terminal"
PY
ok "no colour with NO_COLOR on a terminal, nor without a terminal (and no progress line)"

# ---- Ctrl-C mid-apply on the terminal: result, exit 5; twice: abort ----
emu_post /_emulator/reset >/dev/null
NO_COLOR=1 ptyrun 5 "expect:Enter a value:" "send:yes\n" "expect:Applying: " \
	"send:\x03" -- "$PROJSYNC_BIN" -f "$T/g150.yaml" apply --parallelism 2
assert_contains "$T/tty" "waiting for those in flight"
assert_contains "$T/tty" "Apply interrupted: "
n=$(projects)
[ "$n" -gt 0 ] && [ "$n" -lt 150 ] || fail "Ctrl-C mid-apply: $n projects"
grep -q "Apply interrupted: $n created" "$T/tty" || fail "Ctrl-C: live has $n, the result says otherwise"
ok "Ctrl-C mid-apply: in-flight requests finish, the partial result ($n created), exit 5"

stop_emulator
start_emulator --seed 23 --latency-ms 4000
emu_post /_emulator/reset >/dev/null
ptyrun 130 "expect:Applying: " "send:\x03" "expect:again to abort" "send:\x03" -- \
	"$PROJSYNC_BIN" -f "$T/g150.yaml" apply --auto-approve --parallelism 2
assert_not_contains "$T/tty" "Apply interrupted"
ok "a second Ctrl-C aborts at once"
