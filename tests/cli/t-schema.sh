#!/usr/bin/env bash
# schemas/projsync.schema.json agrees with the loader: the schema is valid
# JSON Schema 2020-12, the example and every ok/ fixture pass it, and each
# bad/ fixture does what its "# schema:" header says (accept: structurally
# fine, only projsync's own checks catch it; reject: the schema catches it;
# skip: not loadable YAML at all).  Needs python3 with jsonschema and yaml.
. "$(dirname "$0")/lib.sh"

if ! python3 -c 'import jsonschema, yaml' 2>/dev/null; then
	echo "SKIP: $TEST_NAME needs python3-jsonschema and python3-yaml" \
		"(apt-get install python3-jsonschema python3-yaml)"
	exit 0
fi

cd "$SRC_DIR"
head -n1 examples/projects.yaml | grep -qxF \
	'# yaml-language-server: $schema=../schemas/projsync.schema.json' ||
	fail "examples/projects.yaml lacks the yaml-language-server modeline"

python3 - <<'PY' || fail "schema check failed"
import glob, json, os, sys
import jsonschema, yaml

# YAML 1.1 as projsync reads it, except that dates stay strings (the
# loader does not resolve timestamps; `until: 2027-03-31` is text).
class Loader(yaml.SafeLoader):
    pass
Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

schema = json.load(open("schemas/projsync.schema.json"))
jsonschema.Draft202012Validator.check_schema(schema)
v = jsonschema.Draft202012Validator(schema)
bad = []

def errors(path):
    with open(path, encoding="utf-8") as f:
        doc = yaml.load(f, Loader=Loader)
    return sorted(v.iter_errors(doc), key=lambda e: list(e.path))

fix = "tests/fixtures/inventory"
accepted = ["examples/projects.yaml"] + sorted(
    glob.glob(fix + "/ok/**/*.yaml", recursive=True))
for path in accepted:
    for e in errors(path):
        bad.append("%s: %s at %s" % (path, e.message, list(e.path)))
print("ok - schema accepts the example and %d ok/ files" % (len(accepted) - 1))

counts = {"accept": 0, "reject": 0, "skip": 0}
for path in sorted(glob.glob(fix + "/bad/*.yaml")):
    first = open(path, encoding="utf-8").readline().strip()
    if not first.startswith("# schema: "):
        bad.append("%s: no '# schema: accept|reject|skip' header" % path)
        continue
    want = first[len("# schema: "):]
    counts[want] = counts.get(want, 0) + 1
    if want == "skip":
        try:
            yaml.load(open(path, encoding="utf-8"), Loader=Loader)
            bad.append("%s: marked skip but loads as YAML" % path)
        except yaml.YAMLError:
            pass
        continue
    errs = errors(path)
    if want == "accept" and errs:
        bad.append("%s: schema rejects it: %s" % (path, errs[0].message))
    elif want == "reject" and not errs:
        bad.append("%s: schema accepts a structurally broken file" % path)
    elif want not in ("accept", "reject"):
        bad.append("%s: unknown header %r" % (path, want))
print("ok - bad/ fixtures: %(accept)d accepted, %(reject)d rejected, %(skip)d not YAML" % counts)
if counts["reject"] < 5:
    bad.append("fewer than 5 fixtures exercise a schema rejection")
for b in bad:
    print("FAIL:", b, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
ok "schema agrees with the fixtures"
