# projsync lint through the real binary: every fixture's golden output in
# every format (the same files tests/unit/test_lint.c checks), exit codes
# and --fail-on, --list-rules and the docs, usage errors, tag-policy file
# errors, SARIF validated against the vendored SARIF 2.1.0 schema, a file
# past the size limit, and --live against projsync-emulator.
. "$(dirname "$0")/lib.sh"

cd "$SRC_DIR"
FX=tests/fixtures/lint
VER=$("$PROJSYNC_BIN" --version | awk '{print $2}')
[ -n "$VER" ] || fail "no version"

# The goldens are rendered with version 0.0.0-test.
norm() {
	sed "s/\"$VER\"/\"0.0.0-test\"/" "$1" >"$1.norm"
}

# ---- every fixture, every format, through the binary ----
n=0
for d in "$FX"/*/; do
	d=${d%/}
	name=$(basename "$d")
	# live fixtures need a live state or Cost Explorer's answer (the
	# unit test feeds them; --live against the emulator is below and in
	# t-activate); a broken policy has no report
	[ -f "$d/live.json" ] && continue
	[ -f "$d/cost-tags.json" ] && continue
	[ "$name" = tag-policy-syntax ] && continue
	args=(-f "$d/projects.yaml" lint)
	[ -f "$d/policy.json" ] && args+=(--tag-policy "$d/policy.json")
	want=0
	grep -q '"errors": 0,' "$d/expect.json" || want=3
	for f in text:txt json:json sarif:sarif github:github codeclimate:codeclimate; do
		run_ps "$want" "${args[@]}" --format "${f%%:*}"
		norm "$T/out"
		assert_golden "$T/out.norm" "$d/expect.${f#*:}"
	done
	n=$((n + 1))
done
[ "$n" -gt 40 ] || fail "only $n fixtures ran"
ok "$n fixtures match their golden output in 5 formats"

# ---- exit codes ----
run_ps 0 -f "$FX/undeclared-tag-key/projects.yaml" lint
assert_contains "$T/out" "1 warning"
run_ps 3 -f "$FX/undeclared-tag-key/projects.yaml" lint --fail-on warning
run_ps 0 -f "$FX/unused-allowed-value/projects.yaml" lint --fail-on warning
run_ps 3 -f "$FX/value-case-mismatch/projects.yaml" lint
# global options after the command
run_ps 3 lint -f "$FX/value-case-mismatch/projects.yaml" --format json
ok "exit 0 with warnings, 3 with errors, --fail-on warning"

# suppressed findings are counted, and listed on request
run_ps 0 -f "$FX/expired-suppression/projects.yaml" lint
assert_contains "$T/out" "1 suppressed"
assert_not_contains "$T/out" "(suppressed:"
run_ps 0 -f "$FX/expired-suppression/projects.yaml" lint --show-suppressed
assert_contains "$T/out" "[empty-tag-value] (suppressed: filled in by the ticket bot)"
ok "suppressions"

# ---- --list-rules, --help, the docs ----
run_ps 0 lint --list-rules
cp "$T/out" "$T/rules.txt"
run_ps 0 lint --list-rules --format json
python3 -c 'import json,sys; print("\n".join(r["id"] for r in json.load(open(sys.argv[1]))))' \
	"$T/out" >"$T/ids"
[ "$(wc -l <"$T/ids")" -gt 50 ] || fail "too few rules"
while read -r id; do
	grep -q "^  $id " "$T/rules.txt" || fail "--list-rules text lacks $id"
	grep -q "| \`$id\` |" docs/lint-rules.md || fail "docs/lint-rules.md lacks $id"
	[ -d "$FX/$id" ] || [ "$id" = file-too-large ] || fail "no fixture for $id"
done <"$T/ids"
assert_contains "$T/rules.txt" "Production->Prod"
run_ps 0 lint --help
assert_contains "$T/out" "--tag-policy FILE"
assert_contains "$T/out" "usage: projsync lint"
run_ps 0 help lint
ok "--list-rules, --help and docs/lint-rules.md list every rule"

# ---- usage and I/O errors ----
run_ps 64 lint --format xml
assert_contains "$T/err" "unknown format 'xml'"
run_ps 64 lint --fail-on notes
run_ps 1 lint extra-arg
assert_contains "$T/err" "cannot open 'extra-arg'"
run_ps 64 lint --list-rules --format sarif
run_ps 64 lint --bogus
assert_contains "$T/err" "projsync: unknown option '--bogus'"
assert_not_contains "$T/err" "unrecognized"
run_ps 64 lint --format
assert_contains "$T/err" "projsync: option '--format' needs a value"
assert_not_contains "$T/err" "requires an argument"
run_ps 1 -f "$T/missing.yaml" lint
assert_contains "$T/err" "missing.yaml"
run_ps 1 -f "$FX/empty-tag-value/projects.yaml" lint --tag-policy "$T/nope.json"
assert_contains "$T/err" "nope.json"
ok "usage errors exit 64, unreadable files 1"

# a broken tag policy: positions, and nothing is linted
run_ps 1 -f "$FX/tag-policy-syntax/projects.yaml" lint \
	--tag-policy "$FX/tag-policy-syntax/policy.json" --format sarif
[ ! -s "$T/out" ] || fail "a report was printed for a broken policy"
grep -v '^projsync: ' "$T/err" >"$T/err.diags"
assert_golden "$T/err.diags" "$FX/tag-policy-syntax/expect.txt"
assert_contains "$T/err" "is not a valid tag policy: 6 errors"
ok "tag-policy file errors name file:line:col and exit 1"

# a YAML error is a finding (exit 3), in every format
run_ps 3 -f "$FX/yaml-syntax/projects.yaml" lint --format github
assert_contains "$T/out" "::error file=$FX/yaml-syntax/projects.yaml,line=10,col=1,title=yaml-syntax::"

# a file past the size limit (sparse: nothing is written)
truncate -s 65M "$T/huge.yaml"
run_ps 3 -f "$T/huge.yaml" lint --format json
assert_contains "$T/out" '"rule": "file-too-large"'
rm -f "$T/huge.yaml"
ok "syntax errors and oversized files are findings"

# ---- SARIF: every golden file and a real run validate ----
python3 -c 'import jsonschema' 2>/dev/null ||
	fail "python3-jsonschema is missing (scripts/deps.sh installs it)"
python3 tests/sarif/validate.py "$FX"/*/expect.sarif ||
	fail "a SARIF golden file is not valid SARIF 2.1.0"
ok "SARIF golden files validate against the SARIF 2.1.0 schema"

# ---- --live against the emulator ----
start_emulator --seed 3 --clock 1760000000
mk() {
	curl -sS -X POST -H "Authorization: Bearer $PROJSYNC_API_KEY" \
		-H 'Content-Type: application/json' --data "$1" \
		"$EMU_URL/organization/projects" >"$T/created"
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$T/created"
}
id_bot=$(mk '{"name":"chatbot","tags":{"Application":"Chatbot","Team":"CX"}}')
id_ana=$(mk '{"name":"analytics","tags":{"Application":"Analytics","Team":"data"}}')
id_shadow=$(mk '{"name":"shadow-it"}')
id_old=$(mk '{"name":"old","tags":{"Application":"Old","Team":"CX"}}')
emu_post "/v1/organization/projects/$id_old/archive" >/dev/null
cat >"$T/live.yaml" <<EOF
version: 1
taxonomy:
  required: [Application, Team]
  tags:
    Application: {}
    Team: { allowed: [CX, Data] }
projects:
  - name: chatbot
    tags: { Application: Chatbot, Team: CX }
  - name: analytics
    tags: { Application: Analytics, Team: Data }
EOF
run_ps 3 -f "$T/live.yaml" lint --live
assert_contains "$T/out" "project/$id_shadow: error: project 'shadow-it' ($id_shadow) has no tags"
assert_contains "$T/out" "project/$id_shadow: warning: project 'shadow-it' ($id_shadow) is not in the inventory [live-unmanaged]"
assert_contains "$T/out" "'data' is not an allowed value of 'Team'; did you mean 'Data'?"
assert_contains "$T/out" "(managed in the inventory as 'analytics') [live-off-taxonomy]"
assert_contains "$T/out" "live: 1 of 3 active projects tagged per the taxonomy (33.3% coverage), 1 unmanaged"
assert_not_contains "$T/out" "$id_old"
assert_not_contains "$T/out" "default"
run_ps 3 -f "$T/live.yaml" lint --live --format sarif
python3 tests/sarif/validate.py "$T/out" || fail "live SARIF is not valid"
assert_contains "$T/out" '"fullyQualifiedName": "arn:aws:bedrock-mantle:'
run_ps 3 -f "$T/live.yaml" lint --live --format json
python3 - "$T/out" <<'EOF' || fail "live JSON"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["live"] == {"projects": 5, "active": 3, "compliant": 1,
                     "unmanaged": 1, "coverage_percent": 33.33}, d["live"]
rules = sorted(f["rule"] for f in d["findings"])
assert rules == ["live-off-taxonomy", "live-unmanaged", "live-untagged"], rules
EOF
# the unmanaged one suppressed at the top level, the rest fixed: clean
cat >>"$T/live.yaml" <<EOF
lint_ignore:
  - { rule: "live-un*", reason: "shadow-it is being adopted", until: 2999-12-31 }
EOF
curl -sS -X POST -H "Authorization: Bearer $PROJSYNC_API_KEY" \
	-H 'Content-Type: application/json' --data '{"add_tags":{"Team":"Data"}}' \
	"$EMU_URL/organization/projects/$id_ana" >/dev/null
run_ps 0 -f "$T/live.yaml" lint --live
assert_contains "$T/out" "0 errors, 0 warnings, 0 notes, 2 suppressed"
assert_contains "$T/out" "2 of 3 active projects"
ok "--live against the emulator: untagged, unmanaged, off-taxonomy, coverage"

# API errors exit 1 (a refused key is not retried); no network without --live
start_emulator --key another-key
run_ps 1 -f "$T/live.yaml" lint --live
assert_contains "$T/err" "401"
[ ! -s "$T/out" ] || fail "a report was printed after an API error"
stop_emulator
run_ps 0 -f "$T/live.yaml" lint
ok "--live: an API error exits 1"

# ---- CI paths: relative to the repository's top, however lint is run ----
mkdir -p "$T/repo/infra" "$T/repo/ci" "$T/ws/sub"
cp "$FX/value-not-allowed/projects.yaml" "$T/repo/infra/projects.yaml"
git -C "$T/repo" init -q
for spec in "$T/repo/infra:projects.yaml" "$T/repo:infra/projects.yaml" \
	"$T/repo/ci:../infra/./projects.yaml" "$T:$T/repo/infra/../infra/projects.yaml"; do
	for fmt in github sarif codeclimate; do
		(cd "${spec%%:*}" && "$PROJSYNC_BIN" -f "${spec#*:}" lint --format $fmt >"$T/out" 2>"$T/err") &&
			fail "$spec: lint passed"
		case $fmt in
		github) assert_contains "$T/out" "::error file=infra/projects.yaml,line=9," ;;
		sarif) python3 - "$T/out" <<'PY' || fail "$spec: SARIF uri: $(grep '"uri"' "$T/out" | head -1)" ;;
import json, sys
r = json.load(open(sys.argv[1]))["runs"][0]
uris = {res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for res in r["results"]}
assert uris == {"infra/projects.yaml"}, uris
assert "informationUri" not in r["tool"]["driver"], "informationUri"
PY
		codeclimate) python3 - "$T/out" <<'PY' || fail "$spec: codeclimate: $(head -c 600 "$T/out")" ;;
import json, sys
issues = json.load(open(sys.argv[1]))
assert issues and {i["location"]["path"] for i in issues} == {"infra/projects.yaml"}
PY
		esac
	done
done
# several inventories in one report: each issue names its own file
cp "$FX/whitespace-in-value/projects.yaml" "$T/repo/ci/other.yaml"
(cd "$T/repo" && "$PROJSYNC_BIN" lint --format codeclimate infra/projects.yaml ci/other.yaml >"$T/out" 2>"$T/err") &&
	fail "two files: lint passed"
python3 - "$T/out" <<'PY' || fail "two files: codeclimate paths: $(head -c 600 "$T/out")"
import json, sys
issues = json.load(open(sys.argv[1]))
assert {i["location"]["path"] for i in issues} == {"infra/projects.yaml", "ci/other.yaml"}
PY
# outside git, GITHUB_WORKSPACE is the top
cp "$FX/value-not-allowed/projects.yaml" "$T/ws/sub/p.yaml"
(cd "$T/ws/sub" && GITHUB_WORKSPACE=$T/ws "$PROJSYNC_BIN" -f p.yaml lint --format github >"$T/out" 2>&1) || true
assert_contains "$T/out" "::error file=sub/p.yaml,line=9,"
# the text report keeps the path as written (editors jump from the cwd)
(cd "$T/repo/ci" && "$PROJSYNC_BIN" -f ../infra/projects.yaml lint >"$T/out" 2>&1) || true
assert_contains "$T/out" "../infra/projects.yaml:9:"
ok "github annotations, SARIF URIs and Code Quality paths name files from the repository top (or GITHUB_WORKSPACE)"

# ---- GitLab Code Quality: every golden is a valid report ----
python3 - "$FX"/*/expect.codeclimate <<'PY' || fail "a codeclimate golden is not a valid Code Quality report"
import json, sys
for path in sys.argv[1:]:
    issues = json.load(open(path))
    assert isinstance(issues, list), path
    prints = [i["fingerprint"] for i in issues]
    assert len(prints) == len(set(prints)), (path, "fingerprints not unique")
    for i in issues:
        assert set(i) >= {"description", "check_name", "fingerprint", "severity", "location"}, (path, i)
        assert i["severity"] in ("info", "minor", "major", "critical", "blocker"), (path, i)
        assert isinstance(i["location"]["lines"]["begin"], int) and i["location"]["lines"]["begin"] >= 1, (path, i)
        assert not i["location"]["path"].startswith("/"), (path, i)
PY
run_ps 0 -f "$FX/undeclared-tag-key/projects.yaml" lint --format codeclimate
python3 -c 'import json,sys; i = json.load(open(sys.argv[1])); assert len(i) == 1 and i[0]["severity"] == "minor"' "$T/out" ||
	fail "codeclimate: a warning: $(cat "$T/out")"
ok "lint --format codeclimate: GitLab Code Quality reports (unique fingerprints, relative paths)"

# ---- colour for CI logs: forced by flag or environment, NO_COLOR wins ----
esc=$(printf '\033[')
color_run() {	# color_run WANT(yes|no) ENV... -- ARGS...
	local want=$1
	shift
	local envs=()
	while [ "$1" != -- ]; do envs+=("$1"); shift; done
	shift
	env -u NO_COLOR -u FORCE_COLOR -u CLICOLOR_FORCE "${envs[@]}" "$PROJSYNC_BIN" "$@" >"$T/out" 2>"$T/err" || true
	if [ "$want" = yes ]; then
		grep -qF "$esc" "$T/out" || fail "no colour: ${envs[*]} $*"
	else
		! grep -qF "$esc" "$T/out" "$T/err" || fail "colour: ${envs[*]} $*"
	fi
}
L=(-f "$FX/value-not-allowed/projects.yaml" lint)
color_run no -- "${L[@]}"
color_run yes -- "${L[@]}" --color always
color_run yes -- --color=always "${L[@]}"
color_run yes FORCE_COLOR=1 -- "${L[@]}"
color_run yes CLICOLOR_FORCE=1 -- "${L[@]}"
color_run no CLICOLOR_FORCE=0 FORCE_COLOR=0 -- "${L[@]}"
color_run no FORCE_COLOR=1 NO_COLOR=1 -- "${L[@]}"
color_run yes NO_COLOR=1 -- "${L[@]}" --color always
color_run no FORCE_COLOR=1 -- "${L[@]}" --color never
color_run no FORCE_COLOR=1 -- "${L[@]}" --no-color
run_ps 64 "${L[@]}" --color sometimes
assert_contains "$T/err" "--color takes always, never or auto"
ok "--color always|never|auto, CLICOLOR_FORCE and FORCE_COLOR force colour; NO_COLOR beats them"
