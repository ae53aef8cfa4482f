#!/usr/bin/env bash
# Start-up cost: projsync must not have libcurl or libgit2 as DT_NEEDED
# (with their dependency trees they cost every process ~5 ms in ld.so);
# they are dlopen()ed the first time a command needs them (src/dynlib/).
# The offline commands therefore run with both libraries unloadable, and
# the commands that need one fail cleanly -- an error naming the library
# and the package, never an abort -- when it cannot be loaded.
. "$(dirname "$0")/lib.sh"

cd "$SRC_DIR"
EX=$SRC_DIR/examples/projects.yaml

# ---- no DT_NEEDED entry for either library ----
readelf -d "$PROJSYNC_BIN" >"$T/dyn" || fail "readelf -d failed"
grep -q '(NEEDED).*libc\.so' "$T/dyn" || fail "readelf shows no NEEDED entries"
if grep -E '\(NEEDED\).*lib(curl|git2)' "$T/dyn"; then
	fail "projsync links libcurl or libgit2 directly"
fi
ok "no DT_NEEDED for libcurl or libgit2"

# ---- a library path where both names are broken files: dlopen() of
# either fails, so a command that works never loaded them ----
BROKEN=$T/broken-libs
mkdir -p "$BROKEN"
echo 'not a shared object' >"$BROKEN/libcurl.so.4"
echo 'not a shared object' >"$BROKEN/libgit2.so.1.5"
# a libgit2 with another soname would not be shadowed: say so
GIT2_SO=$(sed -n 's/^#define LIBGIT2_SOVERSION *"\(.*\)"/libgit2.so.\1/p' \
	/usr/include/git2/version.h 2>/dev/null || true)
[ -z "$GIT2_SO" ] || echo 'not a shared object' >"$BROKEN/$GIT2_SO"

broken() {
	local want=$1 rc=0
	shift
	LD_LIBRARY_PATH=$BROKEN "$PROJSYNC_BIN" "$@" >"$T/out" 2>"$T/err" || rc=$?
	if [ "$rc" != "$want" ]; then
		echo "--- stdout" >&2; cat "$T/out" >&2
		echo "--- stderr" >&2; cat "$T/err" >&2
		fail "projsync $* (libraries broken) exited $rc, expected $want"
	fi
	assert_not_contains "$T/err" "internal error"
}

broken 0 version
assert_contains "$T/out" "projsync "
broken 0 validate -f "$EX"
assert_contains "$T/out" "4 projects, valid"
broken 0 lint -f "$EX"
assert_contains "$T/out" "4 projects: 0 errors"
python3 "$SRC_DIR/bench/gen_inventory.py" 300 >"$T/big.yaml"
broken 0 validate -f "$T/big.yaml"
assert_contains "$T/out" "300 projects, valid"
broken 0 validate -f "$EX" --format json
ok "version, validate and lint never load libcurl or libgit2"

# the network commands: a clean error naming the library and the package
export PROJSYNC_ENDPOINT=http://127.0.0.1:9/v1
for cmd in plan export output "lint --live" "apply --auto-approve"; do
	# shellcheck disable=SC2086
	broken 1 -f "$EX" $cmd
	assert_contains "$T/err" "cannot load libcurl.so.4: "
	assert_contains "$T/err" "install libcurl4"
done
ok "without libcurl: plan, export, output, lint --live and apply fail cleanly"

# the git commands: the same for libgit2
export HOME=$T/home XDG_CONFIG_HOME=$T/home GIT_CONFIG_NOSYSTEM=1
mkdir -p "$HOME"
export GIT_AUTHOR_NAME=Dev GIT_AUTHOR_EMAIL=dev@example.com
export GIT_COMMITTER_NAME=Dev GIT_COMMITTER_EMAIL=dev@example.com
unset GIT_DIR GIT_WORK_TREE
R=$T/repo
git init -q -b main "$R"
cp "$EX" "$R/projects.yaml"
git -C "$R" add projects.yaml
git -C "$R" commit -q -m inventory
cd "$R"
for cmd in log "diff HEAD HEAD" "show HEAD"; do
	# shellcheck disable=SC2086
	broken 1 $cmd
	assert_contains "$T/err" "cannot load libgit2.so."
	assert_contains "$T/err" "install libgit2"
done
ok "without libgit2: log, diff and show fail cleanly"

# ---- and with the real libraries, the same commands load and use them ----
run_ps 0 log
run_ps 0 diff HEAD HEAD
start_emulator
run_ps 0 plan
assert_contains "$T/out" "4 to create"
ok "with the libraries: log, diff and plan work"
