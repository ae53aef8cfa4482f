#!/usr/bin/env bash
# How the binaries are linked.  projsync links libcurl, libgit2, libyaml
# and cJSON normally, so ldd, dpkg-shlibdeps and rpm see them.  The
# emulator links util and nothing of the client core: it must never share
# the client's logic, or the two could be wrong together.
. "$(dirname "$0")/lib.sh"

CORE=$BUILD_DIR/libprojsync_core.a
UTIL=$BUILD_DIR/libprojsync_util.a
[ -f "$CORE" ] && [ -f "$UTIL" ] || fail "no $CORE or $UTIL"

# ---- projsync: every library a normal DT_NEEDED entry ----
readelf -d "$PROJSYNC_BIN" >"$T/dyn" || fail "readelf -d projsync failed"
for lib in libcurl libgit2 libyaml libcjson; do
	grep -q "(NEEDED).*\[$lib[-.]" "$T/dyn" || { cat "$T/dyn" >&2; fail "projsync does not link $lib"; }
done
ok "projsync links libcurl, libgit2, libyaml and cJSON (DT_NEEDED)"

# ---- the emulator: no client library, no client symbol ----
readelf -d "$EMULATOR_BIN" >"$T/emu-dyn" || fail "readelf -d projsync-emulator failed"
if grep -E '\(NEEDED\).*\[lib(curl|git2|yaml)' "$T/emu-dyn"; then
	fail "projsync-emulator links a client library"
fi
nm -g --defined-only "$CORE" | awk 'NF == 3 { print $3 }' | sort -u >"$T/core-syms"
nm -g --defined-only "$UTIL" | awk 'NF == 3 { print $3 }' | sort -u >"$T/util-syms"
nm "$EMULATOR_BIN" | awk '{ print $NF }' | sort -u >"$T/emu-syms"
[ "$(wc -l <"$T/core-syms")" -gt 50 ] || fail "nm found almost no symbols in $CORE"
# the check can see a linked library: util is there
[ -n "$(comm -12 "$T/util-syms" "$T/emu-syms")" ] ||
	fail "nm finds no util symbol in projsync-emulator: the check is blind"
comm -12 "$T/core-syms" "$T/emu-syms" >"$T/shared"
if [ -s "$T/shared" ]; then
	cat "$T/shared" >&2
	fail "projsync-emulator holds client-core symbols (listed above)"
fi
ok "projsync-emulator holds util symbols and none of the client core's"

# ---- `projsync version` names the libraries it runs with ----
run_ps 0 version
head -n1 "$T/out" | grep -qE '^projsync [0-9]+\.[0-9]+\.[0-9]+( \(git [^)]+\))?$' ||
	fail "version line: $(head -n1 "$T/out")"
for pair in "libyaml:yaml-0.1" "libcurl:libcurl" "cJSON:libcjson" "libgit2:libgit2"; do
	name=${pair%%:*} pc=${pair#*:}
	want=$(pkg-config --modversion "$pc")
	grep -q "^$name $want\\b" "$T/out" || fail "version: no '$name $want' in: $(cat "$T/out")"
done
grep -qE '^libcurl [0-9.]+ \((OpenSSL|GnuTLS|mbedTLS|NSS|wolfSSL|rustls)/[0-9]' "$T/out" ||
	fail "version: no TLS backend for libcurl: $(cat "$T/out")"
run_ps 0 --version
[ "$(cat "$T/out")" = "$("$PROJSYNC_BIN" version | head -n1)" ] || fail "--version differs from version's first line"
ok "version: projsync, libyaml, libcurl with its TLS backend, cJSON and libgit2"
