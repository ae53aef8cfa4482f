#!/usr/bin/env bash
# projsync validate: the example, every fixture against its golden
# diagnostics (text and JSON), hostile input, the project limit, usage and
# exit codes.  UPDATE_GOLDEN=1 rewrites the goldens (review the diff!).
. "$(dirname "$0")/lib.sh"

FIX=$SRC_DIR/tests/fixtures/inventory

# ---- the example ----
cd "$SRC_DIR"
run_ps 0 validate -f examples/projects.yaml
[ "$(cat "$T/out")" = "examples/projects.yaml: 4 projects, valid" ] ||
	fail "unexpected summary: $(cat "$T/out")"
[ ! -s "$T/err" ] || fail "diagnostics for the example: $(cat "$T/err")"
ok "examples/projects.yaml is valid"

# ---- fixtures: ok/ must pass, bad/ must fail with exactly their .diag ----
cd "$FIX/ok"
for f in *.yaml; do
	name=${f%.yaml}
	run_ps 0 validate -f "$f"
	assert_contains "$T/out" "$f: "
	assert_contains "$T/out" ", valid"
	if [ -e "$name.diag" ] || [ -s "$T/err" ]; then
		assert_golden "$T/err" "$FIX/ok/$name.diag"
	fi
done
ok "every ok/ fixture validates"

cd "$FIX/bad"
count=0
for f in *.yaml; do
	name=${f%.yaml}
	run_ps 3 validate -f "$f"
	assert_golden "$T/err" "$FIX/bad/$name.diag"
	[ ! -s "$T/out" ] || fail "$f: output on stdout for an invalid inventory"
	# the JSON rendering holds the same findings, in the same order
	run_ps 3 validate -f "$f" --format json
	grep -v '^projsync: ' "$FIX/bad/$name.diag" >"$T/want" || true
	python3 - "$T/out" "$T/want" "$f" <<'EOF' || fail "$f: JSON differs from text"
import json, re, sys
got = json.load(open(sys.argv[1]))
want = [l.rstrip("\n") for l in open(sys.argv[2]) if re.match(r"^\S+:(\d+:\d+:)? (error|warning|note): ", l)]
assert len(got) == len(want), (len(got), len(want))
for d, line in zip(got, want):
    # lint's vocabulary: the same field names as lint --format json
    assert list(d) == ["rule", "severity", "message", "file", "line", "column"], d
    pos = "%s:%d:%d: " % (d["file"], d["line"], d["column"]) if d["line"] else d["file"] + ": "
    text = "%s%s: %s [%s]" % (pos, d["severity"], d["message"], d["rule"])
    assert text == line, (text, line)
EOF
	count=$((count + 1))
done
[ "$count" -ge 20 ] || fail "only $count bad fixtures"
ok "$count bad fixtures fail with their golden diagnostics (text and JSON)"

# goldens name the rule at the line the fixture is about
assert_contains "$FIX/bad/duplicate-key.diag" "duplicate-key.yaml:6:3: error: duplicate key 'region'"
assert_contains "$FIX/bad/duplicate-name.diag" "include.d/dup.yaml:2:11: error: duplicate project name 'Chatbot'"
assert_contains "$FIX/bad/include-errors.diag" "include.d/misplaced.yaml:1:1: error:"
ok "diagnostics name the right file, line and column"

cd "$SRC_DIR"

# ---- hostile input: each ends, exit 3, a clear message ----
# MAX_MS only catches a runaway (an unbounded alias expansion runs for hours):
# it is far above the real figures, which bench/ measures, so that a loaded
# machine or a sanitizer build does not fail the test.
hostile() {	# hostile FILE RULE TEXT [MAX_MS]
	local start end ms max=${4:-60000}
	start=$(date +%s%N)
	run_ps 3 validate -f "$1"
	end=$(date +%s%N)
	ms=$(((end - start) / 1000000))
	assert_contains "$T/err" "[$2]"
	assert_contains "$T/err" "$3"
	[ "$ms" -lt "$max" ] || fail "$1 took $ms ms"
	ok "$(basename "$1"): [$2] in $ms ms"
}

python3 - "$T" <<'EOF'
import sys
t = sys.argv[1]
lines = ["version: 1", 'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
for i in range(1, 12):
    lines.append("a%d: &a%d [%s]" % (i, i, ",".join(["*a%d" % (i - 1)] * 9)))
open(t + "/bomb.yaml", "w").write("\n".join(lines) + "\n")
open(t + "/deep-flow.yaml", "w").write("version: 1\nprojects: " + "[" * 10000 + "]" * 10000 + "\n")
open(t + "/deep-map.yaml", "w").write("version: 1\nx-deep: " + "{a: " * 10000 + "b" + "}" * 10000 + "\n")
open(t + "/deep-block.yaml", "w").write("version: 1\nx-deep:\n" + "".join(" " * i + "- \n" for i in range(1, 200)))
open(t + "/utf8.yaml", "wb").write(b"version: 1\nprojects:\n  - name: caf\xe9\n")
open(t + "/utf16.yaml", "wb").write("version: 1\n".encode("utf-16"))
open(t + "/nul.yaml", "wb").write(b"version: 1\nprojects:\n  - name: a\x00b\n")
open(t + "/ctrl.yaml", "wb").write(b"version: 1\nprojects:\n  - name: a\x07b\n")
open(t + "/empty.yaml", "w").write("")
open(t + "/comments.yaml", "w").write("# nothing but a comment\n\n")
open(t + "/list.yaml", "w").write("- name: A\n- name: B\n")
open(t + "/scalar.yaml", "w").write("just a string\n")
# thousands of long allowed values, and as many projects with wrong ones:
# "did you mean" must not turn this into hours of edit distances
import random
random.seed(1)
rs = lambda: "".join(random.choice("abcdefghij") for _ in range(200))
with open(t + "/suggest.yaml", "w") as f:
    f.write("version: 1\ntaxonomy:\n  required: []\n  tags:\n    K:\n      allowed:\n")
    f.write("".join("        - %s\n" % rs() for _ in range(2000)))
    f.write("projects:\n")
    f.write("".join("  - { name: P%d, tags: { K: %s } }\n" % (i, rs()) for i in range(10000)))
# many nodes within the size limit: one long flow list
with open(t + "/nodes.yaml", "w") as f:
    f.write("version: 1\nx-many: [")
    f.write("a," * 5000000)
    f.write("a]\n")
EOF
hostile "$T/bomb.yaml" alias-limit "billion laughs"
hostile "$T/deep-flow.yaml" nesting-limit "nesting deeper than 64 levels"
hostile "$T/deep-map.yaml" nesting-limit "nesting deeper than 64 levels"
hostile "$T/deep-block.yaml" nesting-limit "nesting deeper than 64 levels"
hostile "$T/utf8.yaml" invalid-encoding "utf8.yaml:3:14: error: invalid UTF-8 (byte 0xE9)"
hostile "$T/utf16.yaml" invalid-encoding "the file is UTF-16"
hostile "$T/nul.yaml" invalid-encoding "nul.yaml:3:12: error: NUL byte"
hostile "$T/ctrl.yaml" invalid-encoding "control characters are not allowed"
hostile "$T/empty.yaml" empty-file "holds no YAML document"
hostile "$T/comments.yaml" empty-file "holds no YAML document"
hostile "$T/list.yaml" invalid-type "top level of an inventory must be a mapping"
hostile "$T/suggest.yaml" value-not-allowed "is not an allowed value of 'K'"
hostile "$T/scalar.yaml" invalid-type "top level of an inventory must be a mapping"
# (parsing 4 million nodes is the slow part, the more so under ASan)
hostile "$T/nodes.yaml" file-too-large "YAML nodes" 120000
# 100 MB: refused from its size, before it is read
head -c 100000000 /dev/zero | tr '\0' '#' >"$T/big.yaml"
hostile "$T/big.yaml" file-too-large "the limit is 64 MiB"
# the same bytes through a pipe, where the size is unknown in advance
start=$(date +%s%N)
rc=0
head -c 100000000 /dev/zero | tr '\0' '#' |
	"$PROJSYNC_BIN" validate -f /dev/stdin >"$T/out" 2>"$T/err" || rc=$?
[ "$rc" = 3 ] || fail "100 MB on a pipe exited $rc"
assert_contains "$T/err" "[file-too-large]"
ok "100 MB on a pipe: [file-too-large] in $((($(date +%s%N) - start) / 1000000)) ms"
rm -f "$T/big.yaml" "$T/nodes.yaml"

# ---- the project limit: 90% warns, past the limit fails ----
gen() {	# gen N ARCHIVED > file: N projects, the first ARCHIVED archived
	python3 - "$1" "$2" <<'EOF'
import sys
n, archived = int(sys.argv[1]), int(sys.argv[2])
print("version: 1\nprojects:")
for i in range(n):
    print("  - name: P-%05d" % i)
    if i < archived:
        print("    archived: true")
    print("    tags: { Application: A, Environment: E, Team: T, CostCenter: C }")
EOF
}
gen 899 0 >"$T/p899.yaml"
run_ps 0 validate -f "$T/p899.yaml"
[ ! -s "$T/err" ] || fail "899 projects warned: $(cat "$T/err")"
gen 900 0 >"$T/p900.yaml"
run_ps 0 validate -f "$T/p900.yaml"
assert_contains "$T/err" "p900.yaml:2:1: warning: 900 non-archived projects, 90% of the limit of 1000 (settings.project_limit) [project-limit]"
assert_contains "$T/out" "900 projects, valid (1 warning)"
gen 1000 0 >"$T/p1000.yaml"
run_ps 0 validate -f "$T/p1000.yaml"
assert_contains "$T/err" "[project-limit]"
gen 1001 0 >"$T/p1001.yaml"
run_ps 3 validate -f "$T/p1001.yaml"
# the 1,001st project starts on line 3 + 1000 * 2
assert_contains "$T/err" "p1001.yaml:2003:5: error: 1001 non-archived projects, more than the limit of 1000"
gen 1001 1 >"$T/p1001a.yaml"
run_ps 0 validate -f "$T/p1001a.yaml"
ok "project limit: warning from 90%, error past 1000, archived projects not counted"

# a 1,000-project inventory validates (its speed is measured by bench/run,
# docs/benchmarks.md, not asserted here)
run_ps 0 validate -f "$T/p1000.yaml"
ok "1,000 projects validate"

# ---- options, environment and exit codes ----
run_ps 0 validate --help
assert_contains "$T/out" "usage: projsync validate [--format text|json]"
assert_contains "$T/out" "--format FORMAT"
run_ps 0 help validate
assert_contains "$T/out" "usage: projsync validate"
run_ps 64 validate --format xml
assert_contains "$T/err" "unknown format 'xml'"
run_ps 64 validate --format
run_ps 64 validate --bogus
run_ps 0 validate examples/projects.yaml
assert_contains "$T/out" "examples/projects.yaml: 4 projects, valid"
run_ps 0 validate --format=json -f examples/projects.yaml
[ "$(cat "$T/out")" = "[]" ] || fail "JSON for a valid file: $(cat "$T/out")"
run_ps 0 -q validate -f examples/projects.yaml
[ ! -s "$T/out" ] || fail "-q printed a summary"
PROJSYNC_FILE=examples/projects.yaml run_ps 0 validate
assert_contains "$T/out" "examples/projects.yaml: 4 projects, valid"
run_ps 0 validate -f "$FIX/ok/include.yaml"
assert_contains "$T/out" "include.yaml: 4 projects in 4 files, valid"
ok "options and environment"

cd "$T"
run_ps 1 validate
assert_contains "$T/err" "cannot open 'projects.yaml'"
assert_contains "$T/err" "-f FILE, \$PROJSYNC_FILE or as an operand"
run_ps 1 validate -f missing.yaml
assert_contains "$T/err" "cannot open 'missing.yaml': No such file or directory"
run_ps 1 validate --format json -f missing.yaml
run_ps 1 validate -f "$T"
assert_contains "$T/err" "Is a directory"
cp "$SRC_DIR/examples/projects.yaml" projects.yaml
run_ps 0 validate
ok "exit 1 when the file cannot be read; projects.yaml is the default"

# ---- the format's man page documents every rule the goldens show ----
man5=$SRC_DIR/docs/projsync-inventory.5
for rule in $(cat "$FIX"/bad/*.diag "$FIX"/ok/*.diag | grep -oE '\[[a-z-]+\]$' | tr -d '[]' | sort -u); do
	grep -qE "^\.It Cm .*\b$rule\b" "$man5" || fail "rule '$rule' missing from docs/projsync-inventory.5"
done
if command -v mandoc >/dev/null; then mandoc -Tlint "$man5" || fail "mandoc lint"; fi
man -l "$man5" >/dev/null 2>&1 || fail "projsync-inventory.5 does not render"
ok "projsync-inventory(5) documents every rule id"
