# projsync-emulator over real HTTP: every route, every validation error in
# the order of reference §7, the default project, ids and ARNs, the
# OpenAI flavour and the command line.  Faults, auth, TLS and persistence
# live in t-emulator-faults.sh, t-emulator-auth.sh and t-emulator-state.sh.
. "$(dirname "$0")/lib.sh"

AUTH=(-H "Authorization: Bearer test-key")

# start_emulator reads the first line of $T/emu.out; a restart must not
# read the previous instance's line before the new one truncates it.
emu_start() {
	rm -f "$T/emu.out"
	start_emulator "$@"
}

# api METHOD PATH [BODY [curl args...]]: $status, $T/body, $T/hdr
api() {
	local m=$1 p=$2 body=${3-}
	shift 2
	[ $# -gt 0 ] && shift
	local args=(-sS -X "$m" -o "$T/body" -D "$T/hdr" -w '%{http_code}' "${AUTH[@]}")
	[ -n "$body" ] && args+=(-H 'Content-Type: application/json' --data-binary "$body")
	status=$(curl "${args[@]}" "$@" "$EMU_BASE$p") || status=000
}

# pyj EXPR: evaluate a Python expression over d = the last JSON body
pyj() {
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); r=eval(sys.argv[2]); print(json.dumps(r) if not isinstance(r,str) else r)' "$T/body" "$1"
}

expect_status() {
	[ "$status" = "$1" ] || fail "${2:-request}: expected HTTP $1, got $status: $(cat "$T/body")"
}

# expect_error STATUS CODE PARAM [WHAT]: the §2.1 envelope, all four keys
expect_error() {
	expect_status "$1" "${4:-}"
	python3 - "$T/body" "$1" "$2" "$3" <<'EOF' || fail "${4:-request}: bad error body: $(cat "$T/body")"
import json, sys
body, status, code, param = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
e = json.load(open(body))["error"]
assert sorted(e) == ["code", "message", "param", "type"], e
types = {400: "invalid_request_error", 401: "invalid_request_error",
         403: "permission_error", 404: "not_found_error",
         405: "invalid_request_error", 413: "invalid_request_error",
         429: "requests"}
assert e["type"] == types.get(status, "server_error"), e
assert e["code"] == (None if code == "null" else code), e
assert e["param"] == (None if param == "null" else param), e
assert isinstance(e["message"], str) and e["message"], e
EOF
}

hdr() {
	grep -i "^$1:" "$T/hdr" | head -1 | cut -d: -f2- | tr -d '\r' | sed 's/^ //'
}

emu_start --seed 7 --clock 1700000000 --region eu-west-1 --account 111122223333

# ---- default project, create, retrieve ----
api GET /v1/organization/projects
expect_status 200 list
[ "$(pyj 'd["object"]')" = list ] || fail "list object"
[ "$(pyj '[p["id"] for p in d["data"]]')" = '["default"]' ] || fail "only default at start"
[ "$(pyj 'd["data"][0]["arn"]')" = "arn:aws:bedrock-mantle:eu-west-1:111122223333:project/default" ] || fail "default arn"
[ "$(pyj 'd["data"][0]["created_at"]')" = 1700000000 ] || fail "default created_at is the state epoch"
[ "$(pyj '(d["first_id"], d["last_id"], d["has_more"])')" = '["default", "default", false]' ] || fail "envelope ids"
[ "$(hdr content-type)" = application/json ] || fail "content-type"
case "$(hdr x-request-id)" in req_????????????????????????????????) ;; *) fail "x-request-id: $(hdr x-request-id)" ;; esac
ok "default project listed first with ARN and envelope"

api POST /v1/organization/projects '{"name":"Project ABC","tags":{"CostCenter":"21524","Owner":"TeamAlpha"},"data_retention":{"mode":"none"},"residency":"US","geography":"us","external_key_id":null}'
expect_status 200 create
P1=$(pyj 'd["id"]')
[[ "$P1" =~ ^proj_[a-z0-9]{20}$ ]] || fail "id shape: $P1"
python3 - "$T/body" "$P1" <<'EOF' || fail "create response: $(cat "$T/body")"
import json, sys
d = json.load(open(sys.argv[1]))
assert sorted(d) == ["arn", "created_at", "data_retention", "id", "name", "object", "status", "tags"], d
assert d["arn"] == "arn:aws:bedrock-mantle:eu-west-1:111122223333:project/" + sys.argv[2]
assert d["object"] == "organization.project" and d["status"] == "active"
assert d["name"] == "Project ABC" and d["created_at"] == 1700000000
assert d["tags"] == {"CostCenter": "21524", "Owner": "TeamAlpha"}
assert d["data_retention"] == {"mode": "none"}
EOF
api GET "/v1/organization/projects/$P1"
expect_status 200 retrieve
[ "$(pyj 'd["name"]')" = "Project ABC" ] || fail "retrieve name"
api POST /v1/organization/projects '{"name":"Project ABC"}'
expect_status 200 "duplicate name"
P2=$(pyj 'd["id"]')
[ "$P2" != "$P1" ] || fail "duplicate names get distinct ids"
[ "$(pyj 'd["data_retention"]["mode"]')" = inherit ] || fail "retention defaults to inherit"
[ "$(pyj 'd["tags"]')" = '{}' ] || fail "tags default to {}"
ok "create (200, full project, proj_ + 20), retrieve, duplicate names allowed"

# ---- create validation, in order ----
create_err() { api POST /v1/organization/projects "$1"; expect_error 400 "$2" "$3" "create $1"; }
create_err 'not json' invalid_json null
create_err '{"name":"a"} trailing' invalid_json null
create_err '[1,2]' invalid_type null
create_err '"name"' invalid_type null
create_err '{"name":"a","name":"b"}' invalid_json null
create_err '{"name":"a\u0000b"}' invalid_json null
create_err '{}' missing_required_parameter name
create_err '{"name":5}' invalid_type name
create_err '{"name":null}' invalid_type name
create_err '{"name":""}' invalid_value name
create_err '{"name":" \t\n "}' invalid_value name
create_err '{"name":"\u3000\u00a0"}' invalid_value name
create_err "{\"name\":\"$(printf 'x%.0s' $(seq 129))\"}" string_above_max_length name
create_err '{"name":"a","tags":[{"key":"a","value":"b"}]}' invalid_type tags
create_err '{"name":"a","tags":"k=v"}' invalid_type tags
create_err '{"name":"a","tags":{"k":1}}' invalid_type tags
create_err '{"name":"a","tags":{"k":null}}' invalid_type tags
create_err '{"name":"a","tags":{"":"v"}}' invalid_tag_key tags
create_err "{\"name\":\"a\",\"tags\":{\"$(printf 'k%.0s' $(seq 129))\":\"v\"}}" invalid_tag_key tags
create_err "{\"name\":\"a\",\"tags\":{\"k\":\"$(printf 'v%.0s' $(seq 257))\"}}" invalid_tag_value tags
create_err '{"name":"a","tags":{"a#b":"v"}}' invalid_tag_key tags
create_err '{"name":"a","tags":{"k":"tab\there"}}' invalid_tag_value tags
create_err '{"name":"a","tags":{"k":"semi;colon"}}' invalid_tag_value tags
create_err '{"name":"a","tags":{"AWS:Owner":"x"}}' reserved_tag_key tags
create_err '{"name":"a","tags":{"aWs:x":"y"}}' reserved_tag_key tags
create_err '{"name":"a","data_retention":"none"}' invalid_type data_retention
create_err '{"name":"a","data_retention":{}}' missing_required_parameter data_retention.mode
create_err '{"name":"a","data_retention":{"mode":"forever"}}' invalid_value data_retention.mode
create_err '{"name":"a","data_retention":{"mode":"none","x":1}}' unknown_parameter data_retention
create_err '{"name":"a","description":"x"}' unknown_parameter description
[ "$(pyj 'd["error"]["message"]')" = "Unrecognized request argument supplied: description" ] || fail "unknown field message"
# the order: each body breaks two rules, the earlier one must win
create_err '{"name":"","tags":[]}' invalid_value name
create_err '{"tags":{"a#":"b"},"name":7}' invalid_type name
create_err '{"name":"a","tags":{"aws:x":"1","ok":"v;"}}' invalid_tag_value tags
create_err '{"name":"a","tags":{"aws:x":"1","":"v"}}' invalid_tag_key tags
create_err '{"name":"a","foo":1,"data_retention":{"mode":"bad"}}' invalid_value data_retention.mode
create_err '{"name":"a","foo":1,"tags":{"k":"v"},"bar":2}' unknown_parameter foo
TAGS51=$(python3 -c 'import json; print(json.dumps({"name":"t","tags":{"k%d"%i:"v" for i in range(51)}}))')
create_err "$TAGS51" too_many_tags tags
TAGS50=$(python3 -c 'import json; print(json.dumps({"name":"t","tags":{"k%d"%i:"v" for i in range(50)}}))')
api POST /v1/organization/projects "$TAGS50"
expect_status 200 "50 tags"
P50=$(pyj 'd["id"]')
# letters, numbers and separators of any script, and _ . : / = + - @
api POST /v1/organization/projects '{"name":"ünïcödé 名前","tags":{"Kostenstelle":"Zürich","部署":"開発","a_.:/=+-@ b":"٣²½","e":""}}'
expect_status 200 "unicode tags"
api POST /v1/organization/projects "{\"name\":\"$(printf 'é%.0s' $(seq 128))\"}"
expect_status 200 "128 code points"
ok "create validation: every rule, in order"

BIG=$(python3 -c 'print("{\"name\":\"" + "x" * (1024 * 1024) + "\"}")')
printf '%s' "$BIG" > "$T/big.json"
api POST /v1/organization/projects "@$T/big.json"
expect_error 413 request_too_large null "1 MiB body"
ok "oversized body: 413"

# ---- retrieve ----
api GET /v1/organization/projects/proj_doesnotexist00000000
expect_error 404 not_found null "unknown id"
[ "$(pyj 'd["error"]["message"]')" = "Project arn:aws:bedrock-mantle:eu-west-1:111122223333:project/proj_doesnotexist00000000 not found" ] || fail "404 names the ARN"
api GET '/v1/organization/projects/Proj_ABC'
expect_error 404 not_found null "bad id"
api GET '/v1/organization/projects/default'
expect_status 200 "retrieve default"
api GET "/v1/organization/projects/proj%5F${P1#proj_}"
expect_status 200 "percent-encoded id"
ok "retrieve: 404 with the ARN for unknown or malformed ids"

# ---- modify ----
mod_err() { api POST "/v1/organization/projects/$1" "$2"; expect_error "$3" "$4" "$5" "modify $1 $2"; }
mod_err proj_nope0000000000000000 '{"name":"x"}' 404 not_found null
mod_err default '{"name":"x"}' 400 default_project null
mod_err default '{"add_tags":{"a":"b"}}' 400 default_project null
mod_err "$P1" 'nope' 400 invalid_json null
mod_err "$P1" '[]' 400 invalid_type null
mod_err "$P1" '{"tags":{"a":"b"}}' 400 unsupported_parameter tags
mod_err "$P1" '{}' 400 empty_update null
mod_err "$P1" '{"name":"  "}' 400 invalid_value name
mod_err "$P1" '{"name":false}' 400 invalid_type name
mod_err "$P1" '{"add_tags":[["a","b"]]}' 400 invalid_type add_tags
mod_err "$P1" '{"add_tags":{"aws:cost":"1"}}' 400 reserved_tag_key add_tags
mod_err "$P1" '{"add_tags":{"k!":"1"}}' 400 invalid_tag_key add_tags
mod_err "$P1" '{"remove_tag_keys":"Owner"}' 400 invalid_type remove_tag_keys
mod_err "$P1" '{"remove_tag_keys":["Owner",3]}' 400 invalid_type remove_tag_keys
mod_err "$P1" '{"add_tags":{"Owner":"B"},"remove_tag_keys":["Owner"]}' 400 conflicting_tag_keys remove_tag_keys
mod_err "$P1" '{"data_retention":{"mode":"sometimes"}}' 400 invalid_value data_retention.mode
mod_err "$P1" '{"name":"ok","external_key_id":"k"}' 400 unknown_parameter external_key_id
mod_err "$P50" '{"add_tags":{"one-more":"x"}}' 400 too_many_tags add_tags
api GET "/v1/organization/projects/$P1"
[ "$(pyj '(d["name"], d["tags"])')" = '["Project ABC", {"CostCenter": "21524", "Owner": "TeamAlpha"}]' ] || fail "a rejected modify changed nothing: $(cat "$T/body")"
api POST "/v1/organization/projects/$P50" '{"add_tags":{"one-more":"x"},"remove_tag_keys":["k0"]}'
expect_status 200 "swap a tag at the limit"
[ "$(pyj 'len(d["tags"])')" = 50 ] || fail "still 50 tags"
api POST "/v1/organization/projects/$P1" '{"name":"Renamed","add_tags":{"Owner":"TeamBeta","Env":"prod"},"remove_tag_keys":["CostCenter","NotThere"],"data_retention":{"mode":"default"}}'
expect_status 200 modify
python3 - "$T/body" "$P1" <<'EOF' || fail "modify response: $(cat "$T/body")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["id"] == sys.argv[2] and d["arn"].endswith("/" + sys.argv[2])
assert d["name"] == "Renamed"
assert d["tags"] == {"Owner": "TeamBeta", "Env": "prod"}, d["tags"]
assert d["data_retention"] == {"mode": "default"}
EOF
ok "modify: every rule, atomic, add_tags overwrites, removing an absent key is a no-op"

# ---- archive ----
api POST /v1/organization/projects/proj_nope0000000000000000/archive
expect_error 404 not_found null "archive unknown"
api POST /v1/organization/projects/default/archive
expect_error 400 default_project null "archive default"
api POST "/v1/organization/projects/$P2/archive"
expect_status 200 archive
[ "$(pyj '(d["status"], d["archived_at"])')" = '["archived", 1700000000]' ] || fail "archived: $(cat "$T/body")"
api POST "/v1/organization/projects/$P2/archive" '{}'
expect_status 200 "archive again"
[ "$(pyj '(d["status"], d["archived_at"])')" = '["archived", 1700000000]' ] || fail "archive is idempotent"
mod_err "$P2" '{"name":"x"}' 400 project_archived null
api GET "/v1/organization/projects/$P2"
[ "$(pyj 'd["status"]')" = archived ] || fail "retrieve an archived project"
api GET /v1/organization/projects?limit=100
[ "$(pyj "'$P2' in [p['id'] for p in d['data']]")" = false ] || fail "archived hidden by default"
api GET '/v1/organization/projects?limit=100&include_archived=true'
[ "$(pyj "'$P2' in [p['id'] for p in d['data']]")" = true ] || fail "include_archived=true shows it"
api GET "/v1/organization/projects/$P1"
[ "$(pyj '"archived_at" in d')" = false ] || fail "archived_at absent on active projects"
ok "archive: 200, idempotent, irreversible, hidden from lists by default"

# ---- list parameters ----
for q in include_archived=yes include_archived=1 include_archived=; do
	api GET "/v1/organization/projects?$q"; expect_error 400 invalid_value include_archived "$q"
done
for q in limit=0 limit=101 limit=abc limit=1.5 limit=-1 limit= limit=%2B5 limit=1000000000000; do
	api GET "/v1/organization/projects?$q"; expect_error 400 invalid_value limit "$q"
done
api GET "/v1/organization/projects?after=proj_unknown000000000000"
expect_error 400 invalid_value after "after unknown"
# the order is checked: include_archived, then limit, then after
api GET "/v1/organization/projects?after=nope&limit=0&include_archived=x"
expect_error 400 invalid_value include_archived "order"
api GET "/v1/organization/projects?after=nope&limit=0"
expect_error 400 invalid_value limit "order"
api GET "/v1/organization/projects?limit=3"
FIRST3=$(pyj '[p["id"] for p in d["data"]][1:]')
api GET "/v1/organization/projects?limit=2&after=default"
[ "$(pyj '[p["id"] for p in d["data"]]')" = "$FIRST3" ] || fail "after=default starts after it"
ok "list parameters: include_archived, limit, after rejected with their param"

# ---- routes ----
api GET /v1/organization/nothing
expect_error 404 unknown_url null "unknown path"
api GET /openai/v1/organization/projects
expect_error 404 unknown_url null "/openai/v1 prefix"
api GET /v1/organization/projects/
expect_error 404 unknown_url null "trailing slash"
api GET "/v1/organization/projects/$P1/archive/more"
expect_error 404 unknown_url null "deeper path"
for m in PUT PATCH DELETE; do
	api $m /v1/organization/projects
	expect_error 405 method_not_allowed null "$m list"
	[ "$(hdr allow)" = "GET, POST" ] || fail "Allow on list"
	api $m "/v1/organization/projects/$P1"
	expect_error 405 method_not_allowed null "$m project"
	[ "$(hdr allow)" = "GET, POST" ] || fail "Allow on project"
done
api GET "/v1/organization/projects/$P1/archive"
expect_error 405 method_not_allowed null "GET archive"
[ "$(hdr allow)" = POST ] || fail "Allow on archive"
[ "$(hdr content-type)" = application/json ] || fail "content-type on errors"
[ -n "$(hdr x-request-id)" ] || fail "x-request-id on errors"
api GET /v1/data_retention
expect_status 200 "data_retention"
[ "$(pyj 'd["mode"]')" = default ] || fail "account retention"
api PUT /v1/data_retention '{"mode":"none"}'
expect_status 200 "put data_retention"
api PUT /v1/data_retention '{"mode":"inherit"}'
expect_error 400 invalid_value mode "account retention has no inherit"
api GET /v1/data_retention
[ "$(pyj 'd["mode"]')" = none ] || fail "retention saved"
ok "routes: 404 (also /openai/v1), 405 with Allow, data_retention"

# ---- paging across 1,000 projects ----
curl -sS -X POST "$EMU_BASE/_emulator/reset" >/dev/null
python3 - "$EMU_BASE" <<'EOF' || fail "creating 1000 projects"
import http.client, json, sys, urllib.parse
u = urllib.parse.urlparse(sys.argv[1])
c = http.client.HTTPConnection(u.hostname, u.port)
for i in range(1000):
    c.request("POST", "/v1/organization/projects", json.dumps({"name": "p%04d" % i}),
              {"Authorization": "Bearer test-key", "Content-Type": "application/json"})
    r = c.getresponse(); r.read()
    assert r.status == 200, (i, r.status)
c.request("POST", "/v1/organization/projects", '{"name":"one too many"}',
          {"Authorization": "Bearer test-key"})
r = c.getresponse(); e = json.loads(r.read())["error"]
assert r.status == 400 and e["code"] == "project_limit_exceeded", e
EOF
python3 - "$EMU_BASE" <<'EOF' || fail "paging"
import http.client, json, sys, urllib.parse
u = urllib.parse.urlparse(sys.argv[1])
c = http.client.HTTPConnection(u.hostname, u.port)
def page(q):
    c.request("GET", "/v1/organization/projects" + q, headers={"Authorization": "Bearer test-key"})
    r = c.getresponse(); d = json.loads(r.read()); assert r.status == 200, d
    return d
ids, after, pages = [], None, 0
while True:
    d = page("?limit=100" + ("&after=" + after if after else ""))
    pages += 1
    assert d["first_id"] == d["data"][0]["id"] and d["last_id"] == d["data"][-1]["id"]
    ids += [p["id"] for p in d["data"]]
    if not d["has_more"]:
        break
    after = d["last_id"]
assert pages == 11, pages                       # ceil(1001 / 100)
assert len(ids) == 1001 and len(set(ids)) == 1001
assert ids[0] == "default"
assert ids[1:] == sorted(ids[1:]), "same created_at: ties broken by id"
d = page("")
assert len(d["data"]) == 20 and d["has_more"], "default limit is 20"
d = page("?limit=100&after=" + ids[-1])
assert d == {"object": "list", "data": [], "first_id": None, "last_id": None, "has_more": False}, d
d = page("?limit=5&after=" + ids[995])
assert [p["id"] for p in d["data"]] == ids[996:1001] and not d["has_more"]
EOF
ok "1,000 projects: 11 pages of 100, unique, ordered, quota enforced"

# max projects counts archived ones
emu_start --max-projects 2 --seed 3
api POST /v1/organization/projects '{"name":"a"}'; A=$(pyj 'd["id"]')
api POST /v1/organization/projects '{"name":"b"}'
api POST "/v1/organization/projects/$A/archive"
api POST /v1/organization/projects '{"name":"c"}'
expect_error 400 project_limit_exceeded null "quota counts archived"
ok "--max-projects counts archived projects"

# --archived-at-null: the key is present and null until archived
emu_start --seed 3 --archived-at-null
api POST /v1/organization/projects '{"name":"a"}'; A=$(pyj 'd["id"]')
[ "$(pyj '"archived_at" in d and d["archived_at"] is None')" = true ] || fail "archived_at:null: $(cat "$T/body")"
api POST "/v1/organization/projects/$A/archive"
[ "$(pyj 'isinstance(d["archived_at"], int)')" = true ] || fail "archived_at set on archive"
ok "--archived-at-null"

# the seed makes ids reproducible
emu_start --seed 42
api POST /v1/organization/projects '{"name":"a"}'; S1=$(pyj 'd["id"]')
emu_start --seed 42
api POST /v1/organization/projects '{"name":"a"}'; S2=$(pyj 'd["id"]')
[ "$S1" = "$S2" ] || fail "same seed, same ids ($S1 vs $S2)"
ok "--seed makes ids reproducible"

# ---- OpenAI flavour ----
emu_start --openai --seed 5 --clock 1700000001
api POST /v1/organization/projects '{"name":"oa","external_key_id":"ek_1"}'
expect_status 200 "openai create"
OA=$(pyj 'd["id"]')
python3 - "$T/body" <<'EOF' || fail "openai project shape: $(cat "$T/body")"
import json, sys
d = json.load(open(sys.argv[1]))
assert sorted(d) == ["archived_at", "created_at", "external_key_id", "id", "name", "object", "status"], d
assert d["archived_at"] is None and d["external_key_id"] == "ek_1" and d["created_at"] == 1700000001
EOF
create_err '{"name":"oa","tags":{"a":"b"}}' unknown_parameter tags
api POST "/v1/organization/projects/$OA" '{"add_tags":{"a":"b"}}'
expect_error 400 unknown_parameter add_tags "openai add_tags"
api POST "/v1/organization/projects/$OA" '{"name":"oa2","external_key_id":null}'
expect_status 200 "openai modify"
[ "$(pyj '(d["name"], d["external_key_id"])')" = '["oa2", null]' ] || fail "openai modify result"
api GET /v1/organization/projects/proj_nope
expect_error 404 not_found null "openai 404"
[ "$(pyj 'd["error"]["message"]')" = "Project proj_nope not found" ] || fail "openai 404 names the id"
api GET /v1/data_retention
expect_error 404 unknown_url null "no data_retention in openai flavour"
AUTH=(-H "x-api-key: test-key")
api GET /v1/organization/projects
expect_error 401 invalid_api_key null "openai: bearer only"
AUTH=(-H "Authorization: Bearer test-key")
ok "--openai: OpenAI Admin API shape"
stop_emulator

# ---- command line ----
"$EMULATOR_BIN" --help >"$T/help" || fail "--help exits 0"
assert_contains "$T/help" "--fault-drop-create P"
assert_contains "$T/help" "/_emulator/requests"
rc=0; "$EMULATOR_BIN" --fault-429 2 >"$T/o" 2>"$T/e" || rc=$?
[ "$rc" = 64 ] || fail "bad probability exits 64, got $rc"
assert_contains "$T/e" "--fault-429: '2' is not a number from 0 to 1"
rc=0; "$EMULATOR_BIN" --bogus >"$T/o" 2>"$T/e" || rc=$?
[ "$rc" = 64 ] || fail "unknown option exits 64"
rc=0; "$EMULATOR_BIN" --tls-cert x.pem >"$T/o" 2>"$T/e" || rc=$?
[ "$rc" = 64 ] || fail "--tls-cert alone exits 64"
rc=0; "$EMULATOR_BIN" --port 70000 >"$T/o" 2>"$T/e" || rc=$?
[ "$rc" = 64 ] || fail "port out of range exits 64"
[ ! -s "$T/o" ] || fail "nothing on stdout when it does not listen"
ok "command line: --help, usage errors exit 64"

# the man page documents every option --help lists, and renders
man1=$SRC_DIR/docs/projsync-emulator.1
for opt in $(grep -oE -- '--[a-z0-9-]+' "$T/help" | sort -u); do
	grep -qF -- "Fl ${opt#-}" "$man1" || fail "option '$opt' missing from docs/projsync-emulator.1"
done
man -l "$man1" >/dev/null 2>&1 || fail "projsync-emulator.1 does not render"
ok "docs/projsync-emulator.1 documents every option"
