#!/usr/bin/env bash
# Shipping: `cmake --install` into a DESTDIR and the Debian package from
# `cpack -G DEB` each give a projsync that runs from any directory, with
# man pages, completions, schemas and examples; the package's Depends are
# computed from the binaries.  And -DBUILD_TESTING=OFF configures without
# cmocka or python.
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/elsewhere"
EXPECTED_SHARE="man/man1/projsync.1.gz man/man1/projsync-emulator.1.gz
	man/man5/projsync-inventory.5.gz bash-completion/completions/projsync
	fish/vendor_completions.d/projsync.fish projsync/schemas/projsync.schema.json
	projsync/examples/projects.yaml projsync/scripts/push-history doc/projsync/LICENSE
	doc/projsync/copyright doc/projsync/changelog.gz"

# check_tree PREFIX ZSH_DIR: the installed files, and the binaries working
# from another directory
check_tree() {
	local prefix=$1 zsh_dir=$2 f
	for f in bin/projsync bin/projsync-emulator; do
		[ -x "$prefix/$f" ] || fail "$prefix/$f not installed"
	done
	for f in $EXPECTED_SHARE "zsh/$zsh_dir/_projsync"; do
		[ -f "$prefix/share/$f" ] || fail "$prefix/share/$f not installed"
	done
	for sh in bash zsh fish; do
		"$prefix/bin/projsync" completion "$sh" >"$T/c.$sh"
	done
	cmp -s "$T/c.bash" "$prefix/share/bash-completion/completions/projsync" &&
		cmp -s "$T/c.zsh" "$prefix/share/zsh/$zsh_dir/_projsync" &&
		cmp -s "$T/c.fish" "$prefix/share/fish/vendor_completions.d/projsync.fish" ||
		fail "installed completions differ from 'projsync completion'"
	man -l "$prefix/share/man/man1/projsync.1.gz" >/dev/null 2>&1 || fail "installed projsync.1.gz does not render"
	# the installed pair, from another directory
	local ps=$PROJSYNC_BIN emu=$EMULATOR_BIN
	cd "$T/elsewhere"
	EMULATOR_BIN=$prefix/bin/projsync-emulator PROJSYNC_BIN=$prefix/bin/projsync
	run_ps 0 version
	assert_contains "$T/out" "libgit2 "
	run_ps 0 validate "$prefix/share/projsync/examples/projects.yaml"
	assert_contains "$T/out" "4 projects, valid"
	start_emulator
	run_ps 0 -f "$prefix/share/projsync/examples/projects.yaml" plan
	assert_contains "$T/out" "4 to create"
	stop_emulator
	PROJSYNC_BIN=$ps EMULATOR_BIN=$emu
	cd "$SRC_DIR"
}

# ---- cmake --install into a DESTDIR ----
DESTDIR=$T/root cmake --install "$BUILD_DIR" --prefix /usr/local >"$T/install.log" 2>&1 ||
	{ cat "$T/install.log" >&2; fail "cmake --install failed"; }
check_tree "$T/root/usr/local" site-functions
ok "cmake --install: binaries, man pages, completions, schemas, examples; runs from elsewhere"

# ---- the Debian package ----
cpack -G DEB --config "$BUILD_DIR/CPackConfig.cmake" -B "$T/pkg" >"$T/cpack.log" 2>&1 ||
	{ cat "$T/cpack.log" >&2; fail "cpack -G DEB failed"; }
deb=$(ls "$T"/pkg/projsync_*.deb)
dpkg-deb -f "$deb" Depends >"$T/depends"
for lib in libcurl4 libgit2 libyaml libcjson libc6; do
	grep -q "$lib" "$T/depends" || fail "Depends lacks $lib: $(cat "$T/depends")"
done
[ "$(dpkg-deb -f "$deb" Version)" = "$("$PROJSYNC_BIN" --version | awk '{print $2}')" ] ||
	fail "package version differs from projsync --version"
# Debian policy, as lintian checks it: no error (man pages gzipped, a
# machine-readable copyright, a changelog, Depends from the binaries)
if command -v lintian >/dev/null; then
	lintian --fail-on error \
		"$deb" >"$T/lintian" 2>&1 || { cat "$T/lintian" >&2; fail "lintian reports errors"; }
	lintian_note=", lintian: no error"
else
	lintian_note=" (lintian not installed: not checked)"
fi
dpkg-deb -x "$deb" "$T/deb"
check_tree "$T/deb/usr" vendor-completions
ok "cpack -G DEB: Depends from dpkg-shlibdeps ($(cat "$T/depends")); the unpacked binary runs$lintian_note"

# ---- -DBUILD_TESTING=OFF: no cmocka, no python; the emulator optional ----
cmake -S "$SRC_DIR" -B "$T/notest" -DBUILD_TESTING=OFF -DPROJSYNC_EMULATOR=OFF \
	-DCMAKE_DISABLE_FIND_PACKAGE_Python3=ON >"$T/cfg.log" 2>&1 ||
	{ cat "$T/cfg.log" >&2; fail "configure with BUILD_TESTING=OFF failed"; }
if grep -qiE '^(CMOCKA|MHD)_|Python3_EXECUTABLE' "$T/notest/CMakeCache.txt"; then
	fail "BUILD_TESTING=OFF still looked for cmocka, libmicrohttpd or python"
fi
grep -q 'projsync-emulator' "$T/notest/Makefile" && fail "PROJSYNC_EMULATOR=OFF still builds the emulator"
ok "BUILD_TESTING=OFF and PROJSYNC_EMULATOR=OFF configure without cmocka, python or libmicrohttpd"
