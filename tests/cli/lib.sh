# Shared helpers for tests/cli/t-*.sh (sourced).  Each test runs the real
# binaries: $PROJSYNC_BIN and $EMULATOR_BIN, set by ctest (see
# cmake/tests.cmake); when run by hand they default to ./build.
set -euo pipefail

# Debian's python3 before any version manager's shim: scripts/deps.sh installs
# the test modules (yaml, jsonschema, h2, botocore) for it, and a shim such as
# pyenv's costs seconds per start on a loaded machine.
[ -x /usr/bin/python3 ] && PATH=/usr/bin:$PATH

SRC_DIR=${SRC_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
BUILD_DIR=${BUILD_DIR:-$SRC_DIR/build}
PROJSYNC_BIN=${PROJSYNC_BIN:-$BUILD_DIR/projsync}
EMULATOR_BIN=${EMULATOR_BIN:-$BUILD_DIR/projsync-emulator}
TEST_NAME=$(basename "$0" .sh)
T=$(mktemp -d "${TMPDIR:-/tmp}/projsync-$TEST_NAME.XXXXXX")
EMU_PID=
EMU_URL=
export NO_COLOR=1
export PROJSYNC_API_KEY=test-key
unset PROJSYNC_ENDPOINT OPENAI_BASE_URL AWS_BEARER_TOKEN_BEDROCK OPENAI_API_KEY PROJSYNC_FILE
# the AWS credential chain sees nothing of this machine: no keys, profiles,
# web identity, container or instance metadata (which would cost a timeout)
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE \
	AWS_ROLE_ARN AWS_WEB_IDENTITY_TOKEN_FILE AWS_ROLE_SESSION_NAME \
	AWS_CONTAINER_CREDENTIALS_FULL_URI AWS_CONTAINER_CREDENTIALS_RELATIVE_URI \
	AWS_CONTAINER_AUTHORIZATION_TOKEN AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE \
	AWS_ENDPOINT_URL AWS_ENDPOINT_URL_STS AWS_EC2_METADATA_SERVICE_ENDPOINT
export AWS_CONFIG_FILE=$T/aws-config AWS_SHARED_CREDENTIALS_FILE=$T/aws-credentials
export AWS_EC2_METADATA_DISABLED=true

cleanup() {
	stop_emulator
	rm -rf "$T"
}
trap cleanup EXIT

fail() {
	echo "FAIL: $TEST_NAME: $*" >&2
	exit 1
}

ok() {
	echo "ok - $*"
}

# start_emulator [emulator args...]: start on a free port; sets EMU_URL
# (ending in /v1) and EMU_BASE (without it), and exports PROJSYNC_ENDPOINT.
start_emulator() {
	stop_emulator
	local fifo="$T/emu.out"
	rm -f "$fifo"	# a restart must not read the last instance's line
	"$EMULATOR_BIN" --port 0 "$@" >"$fifo" 2>"$T/emu.err" &
	EMU_PID=$!
	local i line=
	for i in $(seq 1 100); do
		line=$(head -n1 "$fifo" 2>/dev/null || true)
		[ -n "$line" ] && break
		kill -0 "$EMU_PID" 2>/dev/null || break
		sleep 0.05
	done
	case "$line" in
	"listening on "*) EMU_BASE=${line#listening on } ;;
	*) cat "$T/emu.err" >&2; fail "emulator did not start: '$line'" ;;
	esac
	EMU_URL=$EMU_BASE/v1
	export PROJSYNC_ENDPOINT=$EMU_URL
}

stop_emulator() {
	if [ -n "${EMU_PID:-}" ]; then
		kill -TERM "$EMU_PID" 2>/dev/null || true
		wait "$EMU_PID" 2>/dev/null || true
		EMU_PID=
	fi
}

# git_sandbox: git (and projsync's records) with a private HOME and a fixed
# identity, untouched by the user's or the system's git configuration.
git_sandbox() {
	export HOME=$T/home XDG_CONFIG_HOME=$T/home GIT_CONFIG_NOSYSTEM=1
	export GIT_AUTHOR_NAME=Dev GIT_AUTHOR_EMAIL=dev@example.com
	export GIT_COMMITTER_NAME=Dev GIT_COMMITTER_EMAIL=dev@example.com
	unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE
	mkdir -p "$HOME"
}

# emu_get PATH: GET an emulator route (e.g. /_emulator/stats) with the test key.
emu_get() {
	curl -sS -H "Authorization: Bearer $PROJSYNC_API_KEY" "$EMU_BASE$1"
}

emu_post() {
	curl -sS -X POST -H "Authorization: Bearer $PROJSYNC_API_KEY" \
		-H 'Content-Type: application/json' --data "${2:-{\}}" "$EMU_BASE$1"
}

# run_ps EXPECTED_RC ARGS...: run projsync, capture $T/out and $T/err,
# fail unless it exits with EXPECTED_RC.
run_ps() {
	local want=$1 rc=0
	shift
	"$PROJSYNC_BIN" "$@" >"$T/out" 2>"$T/err" || rc=$?
	if [ "$rc" != "$want" ]; then
		echo "--- stdout" >&2; cat "$T/out" >&2
		echo "--- stderr" >&2; cat "$T/err" >&2
		fail "projsync $* exited $rc, expected $want"
	fi
}

# assert_golden ACTUAL_FILE GOLDEN_FILE: byte-for-byte; UPDATE_GOLDEN=1 rewrites.
assert_golden() {
	if [ "${UPDATE_GOLDEN:-}" = 1 ]; then
		mkdir -p "$(dirname "$2")"
		cp "$1" "$2"
		return 0
	fi
	diff -u "$2" "$1" >&2 || fail "output differs from golden file $2"
}

assert_contains() {
	grep -qF -- "$2" "$1" || { cat "$1" >&2; fail "'$1' does not contain '$2'"; }
}

assert_not_contains() {
	! grep -qF -- "$2" "$1" || { cat "$1" >&2; fail "'$1' contains '$2'"; }
}

# assert_raw_free FILE: no C0 control but newline, no DEL and no C1 control
# (U+0080-U+009F) in FILE: text from the API or a file went through the
# escaper before reaching it.
assert_raw_free() {
	python3 - "$1" <<'EOF' || fail "raw control characters in $1: $(od -c "$1" | head -20)"
import re, sys
t = open(sys.argv[1], "rb").read().decode("utf-8", "replace")
sys.exit(1 if re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f]", t) else 0)
EOF
}
