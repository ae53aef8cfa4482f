# The AWS credential chain, source by source and in the SDKs' order,
# against local fakes of STS, the container endpoint and IMDSv2
# (tests/cli/aws-fake-endpoints.py) and the emulator verifying every
# signature (--sigv4 with each source's keys).  --auth auto, --profile,
# refresh before expiry, and no secret or token in any output, also -v.
. "$(dirname "$0")/lib.sh"

python3 -c 'import botocore' 2>/dev/null ||
	fail "python3-botocore is missing (scripts/deps.sh installs it)"

FAKE_PID=
stop_fake() {
	if [ -n "$FAKE_PID" ]; then
		kill "$FAKE_PID" 2>/dev/null || true
		wait "$FAKE_PID" 2>/dev/null || true
	fi
}
trap 'stop_fake; cleanup' EXIT
python3 "$SRC_DIR/tests/cli/aws-fake-endpoints.py" >"$T/fake.out" 2>"$T/fake.err" &
FAKE_PID=$!
for i in $(seq 1 100); do
	# the file may not exist yet (the job opens it): not an error
	FAKE=$(sed -n 's/^listening on //p' "$T/fake.out" 2>/dev/null || true)
	[ -n "$FAKE" ] && break
	sleep 0.05
done
[ -n "$FAKE" ] || { cat "$T/fake.err" >&2; fail "the AWS fakes did not start"; }

start_emulator --seed 5 \
	--sigv4 AKIDENV:env-secret --sigv4 AKIDPROFILE:profile-secret \
	--sigv4 ASIAPROCESS:process-secret:process-token \
	--sigv4 ASIAASSUMED:assumed-secret:assumed-token \
	--sigv4 ASIAWEBID:webid-secret:webid-token \
	--sigv4 ASIACONTAINER:container-secret:container-token \
	--sigv4 ASIAIMDS:imds-secret:imds-token
unset PROJSYNC_API_KEY
export AWS_REGION=us-east-1
export AWS_ENDPOINT_URL_STS=$FAKE/sts/
SECRETS="env-secret profile-secret process-secret process-token assumed-secret
assumed-token webid-secret webid-token web-identity-jwt container-secret
container-token container-auth-token imds-secret imds-token imds-session-token
base-secret"

cat >"$T/p.yaml" <<'EOF'
version: 1
taxonomy: { required: [] }
projects:
  - name: chain
EOF

# source WANT: plan -v must succeed (the emulator verified the signature)
# and name WANT as the credential source; no secret anywhere
source_is() {
	run_ps 0 -f "$T/p.yaml" -v plan
	grep -q "^projsync: auth: SigV4 (bedrock-mantle), credentials from $1\$" "$T/err" ||
		{ cat "$T/err" >&2; fail "expected the source '$1'"; }
	local s
	for s in $SECRETS; do
		assert_not_contains "$T/out" "$s"
		assert_not_contains "$T/err" "$s"
	done
}

fake_log() { curl -sS "$FAKE/_log"; }

# every source set up at once; each step removes the winner
echo "web-identity-jwt" >"$T/jwt"
echo "container-auth-token" >"$T/ctok"
cat >"$AWS_SHARED_CREDENTIALS_FILE" <<'EOF'
[default]
aws_access_key_id = AKIDPROFILE
aws_secret_access_key = profile-secret

[base]
aws_access_key_id = AKIDBASE
aws_secret_access_key = base-secret
EOF
cat >"$AWS_CONFIG_FILE" <<EOF
[default]
region = us-east-1

[profile proc]
# SSO users: aws configure export-credentials --profile X --format process
credential_process = printf '{"Version": 1, "AccessKeyId": "ASIAPROCESS", "SecretAccessKey": "process-secret", "SessionToken": "process-token", "Expiration": "2099-01-01T00:00:00Z"}'

[profile role]
role_arn = arn:aws:iam::123456789012:role/projsync
source_profile = base
s3 =
  addressing_style = path

[profile denied]
role_arn = arn:aws:iam::123456789012:role/denied
source_profile = base

[profile webid]
role_arn = arn:aws:iam::123456789012:role/ci
web_identity_token_file = $T/jwt

[profile broken]
credential_process = sh -c 'echo "helper: SSO session expired" >&2; exit 3'

[profile sso]
sso_session = corp
sso_account_id = 123456789012
EOF
export AWS_ACCESS_KEY_ID=AKIDENV AWS_SECRET_ACCESS_KEY=env-secret
export AWS_ROLE_ARN=arn:aws:iam::123456789012:role/oidc
export AWS_WEB_IDENTITY_TOKEN_FILE=$T/jwt
export AWS_CONTAINER_CREDENTIALS_FULL_URI=$FAKE/container/creds
export AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=$T/ctok
export AWS_EC2_METADATA_SERVICE_ENDPOINT=$FAKE
unset AWS_EC2_METADATA_DISABLED

source_is 'environment (\$AWS_ACCESS_KEY_ID)'
[ "$(fake_log)" = "[]" ] || fail "the environment won, yet the fakes were called: $(fake_log)"
ok "1. the environment first"

unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
source_is 'web identity (role arn:aws:iam::123456789012:role/oidc)'
fake_log | grep -q '"sts AssumeRoleWithWebIdentity"' || fail "no AssumeRoleWithWebIdentity"
ok "2. web identity from the environment (STS AssumeRoleWithWebIdentity, unsigned)"

unset AWS_ROLE_ARN AWS_WEB_IDENTITY_TOKEN_FILE
source_is 'profile default (static keys)'
ok "3. the default profile's static keys"

for p in proc role webid; do
	AWS_PROFILE=$p source_is "profile $p ($(case $p in
		proc) echo credential_process ;;
		role) echo 'assume role arn:aws:iam::123456789012:role/projsync from profile base' ;;
		webid) echo 'web identity, role arn:aws:iam::123456789012:role/ci' ;;
	esac))"
done
fake_log | grep -q '"sts AssumeRole"' || fail "no signed AssumeRole"
ok "3. \$AWS_PROFILE: credential_process, role_arn + source_profile (AssumeRole signed, botocore agrees), web_identity_token_file"

# --profile beats the environment
export AWS_ACCESS_KEY_ID=AKIDENV AWS_SECRET_ACCESS_KEY=env-secret
run_ps 0 -f "$T/p.yaml" -v --profile proc plan
assert_contains "$T/err" "credentials from profile proc (credential_process)"
# and with --auth auto, over a key in the environment
PROJSYNC_API_KEY=test-key run_ps 0 -f "$T/p.yaml" -v --profile proc plan
assert_contains "$T/err" "credentials from profile proc (credential_process)"
PROJSYNC_API_KEY=test-key run_ps 0 -f "$T/p.yaml" -v plan
assert_contains "$T/err" "auth: bearer key from \$PROJSYNC_API_KEY"
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
ok "--profile first; --auth auto takes a key from the environment, else SigV4"

mv "$AWS_SHARED_CREDENTIALS_FILE" "$T/creds.saved"
sed -i 's/^\[default\]$/[profile unused]/' "$AWS_CONFIG_FILE"
source_is "container credentials ($FAKE/container/creds)"
ok "4. container credentials with the authorization token file"

unset AWS_CONTAINER_CREDENTIALS_FULL_URI
source_is "EC2 instance metadata (role projsync-role)"
fake_log | python3 -c '
import json, sys
log = json.load(sys.stdin)
i = log.index("PUT /latest/api/token")
assert log[i + 1] == "GET /latest/meta-data/iam/security-credentials/", log
assert log[i + 2] == "GET /latest/meta-data/iam/security-credentials/projsync-role", log
' || fail "IMDSv2 order: $(fake_log)"
ok "5. IMDSv2: token PUT, then the role, then its credentials"

# ---- nothing found: one error listing where it looked ----
export AWS_EC2_METADATA_DISABLED=true
run_ps 64 -f "$T/p.yaml" plan
for w in PROJSYNC_API_KEY AWS_BEARER_TOKEN_BEDROCK '$AWS_ACCESS_KEY_ID' \
	AWS_WEB_IDENTITY_TOKEN_FILE "profile default in $T/aws-credentials and $T/aws-config" \
	AWS_CONTAINER_CREDENTIALS_RELATIVE_URI AWS_EC2_METADATA_DISABLED; do
	assert_contains "$T/err" "$w"
done
[ "$(grep -c . "$T/err")" = 1 ] || { cat "$T/err"; fail "more than one line"; }
ok "no credentials: one line that lists where it looked"

# ---- errors that name the source, never a secret ----
mv "$T/creds.saved" "$AWS_SHARED_CREDENTIALS_FILE"
run_ps 1 -f "$T/p.yaml" --profile denied plan
assert_contains "$T/err" "profile denied (role_arn) (STS $FAKE/sts/): HTTP 403 AccessDenied"
run_ps 1 -f "$T/p.yaml" --profile broken plan
assert_contains "$T/err" "helper: SSO session expired"
assert_contains "$T/err" "credential_process of profile broken failed (exit status 3)"
run_ps 64 -f "$T/p.yaml" --profile sso plan
assert_contains "$T/err" "credential_process = aws configure export-credentials --profile sso --format process"
run_ps 64 -f "$T/p.yaml" --profile nosuch plan
assert_contains "$T/err" "profile 'nosuch' (from --profile) is in neither"
AWS_PROFILE=nosuch run_ps 64 -f "$T/p.yaml" plan
assert_contains "$T/err" "profile 'nosuch' (from \$AWS_PROFILE)"
AWS_ACCESS_KEY_ID=AKIDENV run_ps 64 -f "$T/p.yaml" plan
assert_contains "$T/err" "\$AWS_ACCESS_KEY_ID is set but \$AWS_SECRET_ACCESS_KEY is not"
echo "wrong-jwt" >"$T/jwt"
AWS_PROFILE=webid run_ps 1 -f "$T/p.yaml" plan
assert_contains "$T/err" "InvalidIdentityToken"
assert_not_contains "$T/err" "wrong-jwt"
echo "web-identity-jwt" >"$T/jwt"
ok "failures name the source and the fix; no secret in them"

# ---- temporary credentials are refreshed before they expire ----
n_sts() { fake_log | python3 -c 'import json,sys; print(sum(1 for e in json.load(sys.stdin) if e.startswith("sts ")))'; }
python3 "$SRC_DIR/bench/gen_inventory.py" 150 >"$T/many.yaml"
before=$(n_sts)
AWS_PROFILE=role run_ps 0 -f "$T/many.yaml" apply --auto-approve
[ $(( $(n_sts) - before )) = 1 ] || fail "long-lived credentials fetched $(( $(n_sts) - before )) times"
curl -sS -X POST "$FAKE/_expiry?seconds=120" >/dev/null
before=$(n_sts)
AWS_PROFILE=role run_ps 0 -f "$T/many.yaml" plan
# 2 list pages, each signed with credentials fetched again
[ $(( $(n_sts) - before )) -ge 3 ] || fail "credentials close to expiry were not refreshed ($(( $(n_sts) - before )) STS calls)"
ok "credentials expiring within 5 minutes are fetched again before a request"
