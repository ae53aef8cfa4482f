#!/usr/bin/env bash
# Shell completions: `projsync completion SHELL` prints them, the build
# writes the installed copies with it, and completion_check.py holds them
# against `projsync help` and every command's --help with a parser of its
# own, asking bash and fish for real completions.
. "$(dirname "$0")/lib.sh"

for sh in bash zsh fish; do
	run_ps 0 completion "$sh"
	case $sh in
	bash) built=$BUILD_DIR/completions/projsync ;;
	zsh) built=$BUILD_DIR/completions/_projsync ;;
	fish) built=$BUILD_DIR/completions/projsync.fish ;;
	esac
	[ -f "$built" ] || fail "the build did not write $built"
	cmp -s "$T/out" "$built" || fail "$built is stale: rebuild"
	cp "$T/out" "$T/completion.$sh"
done
ok "the built completion scripts are what 'projsync completion' prints"

run_ps 64 completion
run_ps 64 completion tcsh
assert_contains "$T/err" "unknown shell 'tcsh'"
ok "completion: usage errors"

mkdir -p "$T/work"
touch "$T/work/completion-probe.yaml"
python3 "$SRC_DIR/tests/cli/completion_check.py" "$PROJSYNC_BIN" \
	"$T/completion.bash" "$T/completion.zsh" "$T/completion.fish" "$T/work" ||
	fail "completions and --help disagree (above)"
ok "completions cover every command, option, listed value and FILE of --help"
