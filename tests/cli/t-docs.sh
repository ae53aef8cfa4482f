#!/usr/bin/env bash
# The man page and --help stay in step: every command in `projsync help`
# is documented in projsync(1) with the same options, every command has
# --help, and the exit codes table matches cli.h.
. "$(dirname "$0")/lib.sh"

man1=$SRC_DIR/docs/projsync.1
run_ps 0 help
cmds=$(awk '/^Commands:/{f=1;next} f&&/^  [a-z]/{print $1} f&&/^$/{exit}' "$T/out")
[ -n "$cmds" ] || fail "no commands listed by 'projsync help'"
for c in $cmds; do
	grep -qE "^\.It (Xo )?Cm $c( |$)" "$man1" || fail "command '$c' missing from docs/projsync.1"
	run_ps 0 "$c" --help
	assert_contains "$T/out" "usage: projsync $c"
	# every long option in the usage line appears in the man page
	for opt in $(head -n1 "$T/out" | grep -oE -- '--[a-z-]+' | sort -u); do
		grep -qF -- "Fl ${opt#-}" "$man1" || fail "option '$opt' of '$c' missing from docs/projsync.1"
	done
done
ok "every command documented and has --help"

# global options before or after the command are the same
run_ps 0 --no-color version
cp "$T/out" "$T/v1"
run_ps 0 version --no-color
diff -u "$T/v1" "$T/out" || fail "global option position changes output"
ok "global options accepted before and after the command"

for code in 0 1 2 3 4 5 64; do
	grep -qE "^\.It $code$" "$man1" || fail "exit code $code not documented"
done
ok "exit codes documented"

run_ps 64 no-such-command
assert_contains "$T/err" "unknown command 'no-such-command'"
run_ps 64 --bogus-global
ok "usage errors exit 64"

[ -n "$(command -v mandoc || true)" ] && { mandoc -Tlint "$man1" || fail "mandoc lint"; }
man -l "$man1" >/dev/null 2>&1 || fail "projsync.1 does not render"
ok "man page renders"
