/*
 * aws: the credential chain of the AWS SDKs (botocore's order) and the
 * provider that refreshes temporary credentials before they expire.
 * Every source's failure message names the source, never a secret.
 */
#include "aws/internal.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>

#define REFRESH_BEFORE_S	300	/* refresh this long before expiry */
#define MAX_ROLE_DEPTH		4	/* source_profile chains */
#define PROCESS_MAX_OUT		(64u << 10)
#define IMDS_TIMEOUT_MS		1000
#define DEFAULT_IMDS		"http://169.254.169.254"
#define CONTAINER_HOST		"http://169.254.170.2"

struct aws_provider {
	char *profile, *profile_from, *region, *cacert;
	unsigned timeout_ms;
	char *source;
	struct aws_credentials creds;
};

/* What one resolution works with. */
struct chain {
	const struct aws_provider *p;
	struct aws__ini config, credentials;
	struct ps_buf looked;		/* "; "-separated places, for the error */
	char *source;			/* description of the winner */
};

static const char *
env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

static void
looked(struct chain *c, const char *fmt, ...) PS_PRINTF(2, 3);

static void
looked(struct chain *c, const char *fmt, ...)
{
	va_list ap;

	if (c->looked.len)
		ps_buf_adds(&c->looked, "; ");
	va_start(ap, fmt);
	ps_buf_vaddf(&c->looked, fmt, ap);
	va_end(ap);
}

/* $VAR, or $HOME/.aws/<name>; "~/" expanded. */
static char *
file_path(const char *var, const char *name)
{
	const char *v = env(var), *home = env("HOME");

	if (v && v[0] == '~' && v[1] == '/' && home)
		return xasprintf("%s%s", home, v + 1);
	if (v)
		return xstrdup(v);
	return xasprintf("%s/.aws/%s", home ? home : ".", name);
}

static int
load_files(struct chain *c)
{
	char *cp = file_path("AWS_CONFIG_FILE", "config");
	char *kp = file_path("AWS_SHARED_CREDENTIALS_FILE", "credentials");
	int err;

	err = aws__ini_load(&c->config, cp);
	if (err == 0)
		err = aws__ini_load(&c->credentials, kp);
	free(cp);
	free(kp);
	return err;
}

static char *
config_section(const char *profile)
{
	return strcmp(profile, "default") == 0 ? xstrdup("default") :
	    xasprintf("profile %s", profile);
}

/* A profile's key: the credentials file's [NAME] first, then the config
 * file's [profile NAME] ([default], or [profile default]). */
static const char *
pget(const struct chain *c, const char *profile, const char *key)
{
	const char *v = aws__ini_get(&c->credentials, profile, key);
	char *sec;

	if (v)
		return v;
	sec = config_section(profile);
	v = aws__ini_get(&c->config, sec, key);
	free(sec);
	if (!v && strcmp(profile, "default") == 0)
		v = aws__ini_get(&c->config, "profile default", key);
	return v;
}

static bool
profile_exists(const struct chain *c, const char *profile)
{
	char *sec = config_section(profile);
	bool ok = aws__ini_has_section(&c->credentials, profile) ||
	    aws__ini_has_section(&c->config, sec) ||
	    (strcmp(profile, "default") == 0 &&
	    aws__ini_has_section(&c->config, "profile default"));

	free(sec);
	return ok;
}

static void
set_creds(struct aws_credentials *out, const char *akid, const char *secret,
    const char *token)
{
	out->access_key_id = xstrdup(akid);
	out->secret_access_key = xstrdup(secret);
	out->session_token = xstrdup(token);
	out->expiration = 0;
}

static int
check_creds(const struct aws_credentials *cr, const char *where)
{
	if (!ps_header_value_safe(cr->access_key_id) ||
	    !ps_header_value_safe(cr->secret_access_key) ||
	    (cr->session_token && !ps_header_value_safe(cr->session_token)) ||
	    strchr(cr->access_key_id, '/') || strchr(cr->access_key_id, ' '))
		return ps_error(PS_EUSAGE, "the AWS credentials from %s "
		    "contain invalid characters", where);
	return 0;
}

/* JSON credentials: credential_process (AccessKeyId, SecretAccessKey,
 * SessionToken, Expiration, Version 1) or a container/IMDS answer (Token
 * instead of SessionToken). */
static int
json_creds(struct aws_credentials *out, const char *text, size_t len,
    const char *where, bool need_version)
{
	cJSON *doc = cJSON_ParseWithLength(text, len);
	const cJSON *akid, *secret, *token, *exp, *ver;
	int err = 0;

	if (!cJSON_IsObject(doc)) {
		err = ps_error(PS_EHTTP, "%s: the answer is not a JSON object",
		    where);
		goto out;
	}
	ver = cJSON_GetObjectItemCaseSensitive(doc, "Version");
	if (need_version && !(cJSON_IsNumber(ver) && ver->valuedouble == 1)) {
		err = ps_error(PS_EHTTP, "%s: \"Version\": 1 is required",
		    where);
		goto out;
	}
	akid = cJSON_GetObjectItemCaseSensitive(doc, "AccessKeyId");
	secret = cJSON_GetObjectItemCaseSensitive(doc, "SecretAccessKey");
	token = cJSON_GetObjectItemCaseSensitive(doc, "SessionToken");
	if (!token)
		token = cJSON_GetObjectItemCaseSensitive(doc, "Token");
	exp = cJSON_GetObjectItemCaseSensitive(doc, "Expiration");
	if (!cJSON_IsString(akid) || !*akid->valuestring ||
	    !cJSON_IsString(secret) || !*secret->valuestring ||
	    (token && !cJSON_IsNull(token) && !cJSON_IsString(token))) {
		err = ps_error(PS_EHTTP, "%s: AccessKeyId and SecretAccessKey "
		    "are required strings", where);
		goto out;
	}
	set_creds(out, akid->valuestring, secret->valuestring,
	    cJSON_IsString(token) && *token->valuestring ?
	    token->valuestring : NULL);
	if (cJSON_IsString(exp) && !aws__parse_time(exp->valuestring,
	    &out->expiration)) {
		aws_credentials_release(out);
		err = ps_error(PS_EHTTP, "%s: Expiration is not an ISO 8601 "
		    "time", where);
		goto out;
	}
	err = check_creds(out, where);
	if (err < 0)
		aws_credentials_release(out);
out:
	if (doc) {
		/* the parsed strings held secrets */
		char *s = cJSON_PrintUnformatted(doc);
		if (s) {
			explicit_bzero(s, strlen(s));
			free(s);
		}
	}
	cJSON_Delete(doc);
	return err;
}

/* ---- STS ---- */

static char *
sts_endpoint(const char *region)
{
	const char *u = env("AWS_ENDPOINT_URL_STS");

	if (!u)
		u = env("AWS_ENDPOINT_URL");
	if (u)
		return xstrdup(u);
	return xasprintf("https://sts.%s.amazonaws.com", region);
}

static void
form_add(struct ps_buf *b, const char *k, const char *v)
{
	if (b->len)
		ps_buf_addch(b, '&');
	ps_buf_adds(b, k);
	ps_buf_addch(b, '=');
	aws_uri_encode(b, v, strlen(v), false);
}

static char *
session_name(const char *given)
{
	return given ? xstrdup(given) : xasprintf("projsync-%lld",
	    (long long)time(NULL));
}

/*
 * AssumeRole (signed with *signer) or AssumeRoleWithWebIdentity (token,
 * unsigned).  `what` names the call for errors.
 */
static int
sts_call(struct chain *c, const char *region, const char *role_arn,
    const char *session, const struct aws_credentials *signer,
    const char *web_token, const char *extra_key, const char *extra_value,
    struct aws_credentials *out, const char *what)
{
	static const char *const form[] = {
		"Content-Type: application/x-www-form-urlencoded; charset=utf-8",
	};
	struct ps_buf body = PS_BUF_INIT, resp = PS_BUF_INIT;
	struct aws_sigv4_signed sig = { 0 };
	char *url, *sname = session_name(session), *where;
	struct aws__http h = { 0 };
	long status;
	int err;

	url = sts_endpoint(region);
	where = xasprintf("%s (STS %s)", what, url);
	form_add(&body, "Action", web_token ? "AssumeRoleWithWebIdentity" :
	    "AssumeRole");
	form_add(&body, "RoleArn", role_arn);
	form_add(&body, "RoleSessionName", sname);
	if (extra_key && extra_value)
		form_add(&body, extra_key, extra_value);
	form_add(&body, "Version", "2011-06-15");
	if (web_token)
		form_add(&body, "WebIdentityToken", web_token);
	h.method = "POST";
	h.url = url;
	h.body = body.ptr;
	h.timeout_ms = c->p->timeout_ms;
	h.cacert = c->p->cacert;
	if (signer) {
		struct aws_sigv4_request sr = {
			.method = "POST", .url = url, .headers = form,
			.nr_headers = 1, .body = body.ptr, .body_len = body.len,
			.service = "sts", .region = region, .now = time(NULL),
		};
		if ((err = aws_sigv4_sign(&sig, &sr, signer)) < 0)
			goto out;
		h.headers = (const char *const *)sig.headers;
		h.nr_headers = sig.nr;
	} else {
		h.headers = form;
		h.nr_headers = 1;
	}
	err = aws__http_do(&h, &status, &resp, where);
	if (err == 0)
		err = aws__sts_parse(out, NULL, resp.ptr, resp.len, status, where);
	if (err == 0)
		err = check_creds(out, where);
out:
	aws_sigv4_signed_release(&sig);
	if (body.ptr)
		explicit_bzero(body.ptr, body.len);
	ps_buf_release(&body);
	if (resp.ptr)
		explicit_bzero(resp.ptr, resp.len);
	ps_buf_release(&resp);
	free(url);
	free(where);
	free(sname);
	return err;
}

static int
web_identity(struct chain *c, const char *region, const char *role_arn,
    const char *token_file, const char *session, struct aws_credentials *out,
    const char *what)
{
	struct ps_buf tok = PS_BUF_INIT;
	int err;

	err = ps_read_file(&tok, token_file, 1u << 20);
	if (err < 0)
		return ps_error(err == PS_ENOTFOUND ? PS_EUSAGE : err, "%s: "
		    "cannot read the web identity token file %s", what,
		    token_file);
	while (tok.len && (tok.ptr[tok.len - 1] == '\n' ||
	    tok.ptr[tok.len - 1] == '\r' || tok.ptr[tok.len - 1] == ' '))
		tok.ptr[--tok.len] = '\0';
	if (!tok.len)
		err = ps_error(PS_EUSAGE, "%s: the web identity token file %s "
		    "is empty", what, token_file);
	else
		err = sts_call(c, region, role_arn, session, NULL, tok.ptr,
		    NULL, NULL, out, what);
	explicit_bzero(tok.ptr, tok.len);
	ps_buf_release(&tok);
	return err;
}

/* ---- environment ---- */

/* 1 when found, 0 when not set, < 0 on half a pair. */
static int
from_env(struct chain *c, struct aws_credentials *out)
{
	const char *akid = env("AWS_ACCESS_KEY_ID");
	const char *secret = env("AWS_SECRET_ACCESS_KEY");

	looked(c, "$AWS_ACCESS_KEY_ID");
	if (!akid && !secret)
		return 0;
	if (!akid || !secret)
		return ps_error(PS_EUSAGE, "$%s is set but $%s is not",
		    akid ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
		    akid ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
	set_creds(out, akid, secret, env("AWS_SESSION_TOKEN"));
	c->source = xstrdup("environment ($AWS_ACCESS_KEY_ID)");
	return check_creds(out, "the environment") < 0 ? PS_EUSAGE : 1;
}

static int
from_env_web_identity(struct chain *c, const char *region,
    struct aws_credentials *out)
{
	const char *arn = env("AWS_ROLE_ARN");
	const char *file = env("AWS_WEB_IDENTITY_TOKEN_FILE");
	int err;

	looked(c, "web identity ($AWS_ROLE_ARN + $AWS_WEB_IDENTITY_TOKEN_FILE)");
	if (!arn || !file)
		return 0;
	err = web_identity(c, region, arn, file, env("AWS_ROLE_SESSION_NAME"),
	    out, "web identity ($AWS_WEB_IDENTITY_TOKEN_FILE)");
	if (err < 0)
		return err;
	c->source = xasprintf("web identity (role %s)", arn);
	return 1;
}

/* ---- credential_process ---- */

static int
run_process(const char *cmd, const char *profile, struct aws_credentials *out)
{
	struct ps_buf o = PS_BUF_INIT;
	char buf[4096], *where;
	size_t n;
	FILE *fp;
	int st, err = 0;

	where = xasprintf("credential_process of profile %s", profile);
	fflush(NULL);
	if (!(fp = popen(cmd, "r"))) {
		err = ps_error(PS_EFAIL, "%s: cannot start it", where);
		goto out;
	}
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		if (o.len < PROCESS_MAX_OUT)
			ps_buf_add(&o, buf, n);
	explicit_bzero(buf, sizeof(buf));
	st = pclose(fp);
	if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		err = ps_error(PS_EFAIL, "%s failed (exit status %d); its "
		    "messages, if any, are above", where,
		    st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	else if (o.len >= PROCESS_MAX_OUT)
		err = ps_error(PS_EFAIL, "%s: its output is too large", where);
	else
		err = json_creds(out, ps_buf_cstr(&o), o.len, where, true);
out:
	if (o.ptr)
		explicit_bzero(o.ptr, o.len);
	ps_buf_release(&o);
	free(where);
	return err;
}

/* ---- container and IMDS ---- */

static bool
container_host_ok(const char *url)
{
	static const char *const ok[] = {
		"http://127.", "http://localhost:", "http://localhost/",
		"http://[::1]", "http://169.254.170.2:", "http://169.254.170.2/",
		"http://169.254.170.23:", "http://169.254.170.23/",
		"http://[fd00:ec2::23]",
	};
	size_t i;

	if (strncasecmp(url, "https://", 8) == 0)
		return true;
	for (i = 0; i < PS_ARRAY_SIZE(ok); i++)
		if (strncasecmp(url, ok[i], strlen(ok[i])) == 0)
			return true;
	return false;
}

static int
from_container(struct chain *c, struct aws_credentials *out)
{
	const char *full = env("AWS_CONTAINER_CREDENTIALS_FULL_URI");
	const char *rel = env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	const char *tfile = env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
	const char *tok = env("AWS_CONTAINER_AUTHORIZATION_TOKEN");
	struct ps_buf resp = PS_BUF_INIT, t = PS_BUF_INIT;
	struct aws__http h = { 0 };
	char *url, *hdr = NULL, *where;
	long status;
	int err;

	looked(c, "container credentials ($AWS_CONTAINER_CREDENTIALS_"
	    "RELATIVE_URI or _FULL_URI)");
	if (!full && !rel)
		return 0;
	url = rel ? xasprintf("%s%s%s", CONTAINER_HOST, *rel == '/' ? "" :
	    "/", rel) : xstrdup(full);
	where = xasprintf("container credentials (%s)", url);
	if (!rel && !container_host_ok(url)) {
		err = ps_error(PS_EUSAGE, "%s: plain http is only allowed to "
		    "loopback and the ECS/EKS container addresses", where);
		goto out;
	}
	if (tfile) {
		if ((err = ps_read_file(&t, tfile, 16384)) < 0) {
			err = ps_error(PS_EUSAGE, "%s: cannot read "
			    "$AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (%s)",
			    where, tfile);
			goto out;
		}
		while (t.len && (t.ptr[t.len - 1] == '\n' ||
		    t.ptr[t.len - 1] == '\r'))
			t.ptr[--t.len] = '\0';
		tok = ps_buf_cstr(&t);
	}
	if (tok) {
		if (!ps_header_value_safe(tok)) {
			err = ps_error(PS_EUSAGE, "%s: the authorization token "
			    "contains control characters", where);
			goto out;
		}
		hdr = xasprintf("Authorization: %s", tok);
	}
	h.method = "GET";
	h.url = url;
	h.headers = (const char *const *)&hdr;
	h.nr_headers = hdr ? 1 : 0;
	h.timeout_ms = c->p->timeout_ms;
	h.connect_timeout_ms = 2000;
	h.cacert = c->p->cacert;
	err = aws__http_do(&h, &status, &resp, where);
	if (err == 0 && status != 200)
		err = ps_error(PS_EHTTP, "%s: HTTP %ld", where, status);
	if (err == 0)
		err = json_creds(out, ps_buf_cstr(&resp), resp.len, where, false);
	if (err == 0) {
		c->source = xasprintf("container credentials (%s)", url);
		err = 1;
	}
out:
	if (hdr)
		explicit_bzero(hdr, strlen(hdr));
	free(hdr);
	if (t.ptr)
		explicit_bzero(t.ptr, t.len);
	ps_buf_release(&t);
	if (resp.ptr)
		explicit_bzero(resp.ptr, resp.len);
	ps_buf_release(&resp);
	free(url);
	free(where);
	return err;
}

static int
imds_get(const char *base, const char *path, const char *token_hdr,
    struct ps_buf *resp, long *status, const char *where)
{
	struct aws__http h = { 0 };
	char *url = xasprintf("%s%s", base, path);
	const char *hdrs[] = { token_hdr };
	int err;

	h.method = "GET";
	h.url = url;
	h.headers = hdrs;
	h.nr_headers = 1;
	h.timeout_ms = 2 * IMDS_TIMEOUT_MS;
	h.connect_timeout_ms = IMDS_TIMEOUT_MS;
	err = aws__http_do(&h, status, resp, where);
	free(url);
	return err;
}

/* 1 found, 0 not available (no metadata service answered), < 0 error. */
static int
from_imds(struct chain *c, struct aws_credentials *out)
{
	const char *dis = env("AWS_EC2_METADATA_DISABLED");
	const char *ep = env("AWS_EC2_METADATA_SERVICE_ENDPOINT");
	static const char *const ttl[] = {
		"X-aws-ec2-metadata-token-ttl-seconds: 21600",
	};
	struct ps_buf resp = PS_BUF_INIT;
	struct aws__http h = { 0 };
	char *base, *url, *tokhdr = NULL, *role = NULL, *path, *where;
	long status;
	int err;

	if (dis && strcasecmp(dis, "true") == 0) {
		looked(c, "EC2 instance metadata (off: "
		    "$AWS_EC2_METADATA_DISABLED)");
		return 0;
	}
	base = xstrdup(ep ? ep : DEFAULT_IMDS);
	while (*base && base[strlen(base) - 1] == '/')
		base[strlen(base) - 1] = '\0';
	where = xasprintf("EC2 instance metadata (%s)", base);
	url = xasprintf("%s/latest/api/token", base);
	h.method = "PUT";
	h.url = url;
	h.headers = ttl;
	h.nr_headers = 1;
	h.timeout_ms = 2 * IMDS_TIMEOUT_MS;
	h.connect_timeout_ms = IMDS_TIMEOUT_MS;
	err = aws__http_do(&h, &status, &resp, where);
	free(url);
	if (err < 0 || status != 200 || !resp.len) {
		/* no metadata service here: not an error, the chain ends */
		looked(c, "%s: %s", where, err < 0 ? "no answer" :
		    "no IMDSv2 token");
		ps_error_clear();
		err = 0;
		goto out;
	}
	tokhdr = xasprintf("X-aws-ec2-metadata-token: %.*s",
	    (int)strcspn(resp.ptr, "\r\n"), resp.ptr);
	explicit_bzero(resp.ptr, resp.len);
	looked(c, "%s", where);
	err = imds_get(base, "/latest/meta-data/iam/security-credentials/",
	    tokhdr, &resp, &status, where);
	if (err == 0 && status == 404) {
		looked(c, "%s: no instance role", where);
		err = 0;
		goto out;
	}
	if (err == 0 && (status != 200 || !resp.len))
		err = ps_error(PS_EHTTP, "%s: HTTP %ld listing the instance "
		    "role", where, status);
	if (err < 0)
		goto out;
	role = xstrndup(resp.ptr, strcspn(resp.ptr, "\r\n"));
	path = xasprintf("/latest/meta-data/iam/security-credentials/%s", role);
	err = imds_get(base, path, tokhdr, &resp, &status, where);
	free(path);
	if (err == 0 && status != 200)
		err = ps_error(PS_EHTTP, "%s: HTTP %ld reading the role's "
		    "credentials", where, status);
	if (err == 0)
		err = json_creds(out, ps_buf_cstr(&resp), resp.len, where, false);
	if (err == 0) {
		c->source = xasprintf("EC2 instance metadata (role %s)", role);
		err = 1;
	}
out:
	if (tokhdr)
		explicit_bzero(tokhdr, strlen(tokhdr));
	free(tokhdr);
	if (resp.ptr)
		explicit_bzero(resp.ptr, resp.len);
	ps_buf_release(&resp);
	free(role);
	free(base);
	free(where);
	return err;
}

/* ---- profiles ---- */

static const char *
sts_region(const struct chain *c, const char *profile)
{
	const char *r = c->p->region;

	if (!r)
		r = env("AWS_REGION");
	if (!r)
		r = env("AWS_DEFAULT_REGION");
	if (!r && profile)
		r = pget(c, profile, "region");
	return r ? r : "us-east-1";
}

static int profile_creds(struct chain *c, const char *profile, unsigned depth,
    struct aws_credentials *out, char **how);

/* role_arn: its source's credentials, then STS. */
static int
assume_role(struct chain *c, const char *profile, unsigned depth,
    struct aws_credentials *out, char **how)
{
	const char *arn = pget(c, profile, "role_arn");
	const char *src = pget(c, profile, "source_profile");
	const char *csrc = pget(c, profile, "credential_source");
	const char *wif = pget(c, profile, "web_identity_token_file");
	const char *sess = pget(c, profile, "role_session_name");
	const char *region = sts_region(c, profile);
	struct aws_credentials base = { 0 };
	char *what, *sub = NULL;
	int err;

	what = xasprintf("profile %s (role_arn)", profile);
	if (wif) {
		err = web_identity(c, region, arn, wif, sess, out, what);
		if (err == 0)
			*how = xasprintf("web identity, role %s", arn);
		goto out;
	}
	if (src) {
		if (depth >= MAX_ROLE_DEPTH) {
			err = ps_error(PS_EUSAGE, "%s: source_profile chain "
			    "deeper than %d (a loop?)", what, MAX_ROLE_DEPTH);
			goto out;
		}
		if (!profile_exists(c, src)) {
			err = ps_error(PS_EUSAGE, "%s: source_profile '%s' is "
			    "in neither %s nor %s", what, src,
			    c->credentials.path, c->config.path);
			goto out;
		}
		err = profile_creds(c, src, depth + 1, &base, &sub);
		if (err == 0) {
			err = ps_error(PS_EUSAGE, "%s: source_profile '%s' "
			    "has no credentials", what, src);
			goto out;
		}
		if (err < 0)
			goto out;
	} else if (csrc && strcmp(csrc, "Environment") == 0) {
		if ((err = from_env(c, &base)) <= 0) {
			if (err == 0)
				err = ps_error(PS_EUSAGE, "%s: credential_"
				    "source Environment, but $AWS_ACCESS_KEY_ID "
				    "is not set", what);
			goto out;
		}
	} else if (csrc && strcmp(csrc, "EcsContainer") == 0) {
		if ((err = from_container(c, &base)) <= 0) {
			if (err == 0)
				err = ps_error(PS_EUSAGE, "%s: credential_"
				    "source EcsContainer, but no container "
				    "credentials are set", what);
			goto out;
		}
	} else if (csrc && strcmp(csrc, "Ec2InstanceMetadata") == 0) {
		if ((err = from_imds(c, &base)) <= 0) {
			if (err == 0)
				err = ps_error(PS_EUSAGE, "%s: credential_"
				    "source Ec2InstanceMetadata, but no "
				    "instance metadata answered", what);
			goto out;
		}
	} else {
		err = ps_error(PS_EUSAGE, "%s: role_arn needs source_profile, "
		    "credential_source (Environment, EcsContainer, "
		    "Ec2InstanceMetadata) or web_identity_token_file", what);
		goto out;
	}
	err = sts_call(c, region, arn, sess, &base, NULL, "ExternalId",
	    pget(c, profile, "external_id"), out, what);
	if (err == 0)
		*how = src ? xasprintf("assume role %s from profile %s", arn,
		    src) : xasprintf("assume role %s from %s", arn, csrc);
out:
	free(c->source);	/* a source's own description is not ours */
	c->source = NULL;
	aws_credentials_release(&base);
	free(sub);
	free(what);
	return err;
}

/* 1 found (*how says how), 0 the profile has no credentials, < 0 error. */
static int
profile_creds(struct chain *c, const char *profile, unsigned depth,
    struct aws_credentials *out, char **how)
{
	const char *akid = pget(c, profile, "aws_access_key_id");
	const char *secret = pget(c, profile, "aws_secret_access_key");
	const char *proc = pget(c, profile, "credential_process");
	int err;

	*how = NULL;
	if (pget(c, profile, "role_arn")) {
		err = assume_role(c, profile, depth, out, how);
		return err < 0 ? err : 1;
	}
	if (akid || secret) {
		if (!akid || !secret)
			return ps_error(PS_EUSAGE, "profile %s has %s but no "
			    "%s", profile, akid ? "aws_access_key_id" :
			    "aws_secret_access_key", akid ?
			    "aws_secret_access_key" : "aws_access_key_id");
		set_creds(out, akid, secret, pget(c, profile,
		    "aws_session_token"));
		*how = xstrdup("static keys");
		return check_creds(out, "a profile") < 0 ? PS_EUSAGE : 1;
	}
	if (proc) {
		if ((err = run_process(proc, profile, out)) < 0)
			return err;
		*how = xstrdup("credential_process");
		return 1;
	}
	if (pget(c, profile, "sso_session") || pget(c, profile, "sso_start_url") ||
	    pget(c, profile, "sso_account_id"))
		return ps_error(PS_EUSAGE, "profile %s uses IAM Identity "
		    "Center (SSO), which projsync reads through "
		    "credential_process: add to it\n  credential_process = aws "
		    "configure export-credentials --profile %s --format "
		    "process\n(see docs/credentials.md)", profile, profile);
	return 0;
}

static int
from_profile(struct chain *c, const char *profile, bool must_exist,
    const char *named_by, struct aws_credentials *out)
{
	char *how = NULL;
	int err;

	looked(c, "profile %s in %s and %s", profile, c->credentials.path,
	    c->config.path);
	if (!profile_exists(c, profile)) {
		if (must_exist)
			return ps_error(PS_EUSAGE, "profile '%s' (from %s) is "
			    "in neither %s nor %s", profile, named_by,
			    c->credentials.path, c->config.path);
		return 0;
	}
	err = profile_creds(c, profile, 0, out, &how);
	if (err == 0 && must_exist && c->p->profile)
		err = ps_error(PS_EUSAGE, "profile '%s' has no credentials: "
		    "no aws_access_key_id, credential_process or role_arn in %s "
		    "or %s", profile, c->credentials.path, c->config.path);
	if (err > 0)
		c->source = xasprintf("profile %s (%s)", profile, how);
	free(how);
	return err;
}

/* ---- the chain ---- */

static int
resolve(struct aws_provider *p, struct aws_credentials *out, char **source)
{
	struct chain c = { .p = p };
	const char *prof = env("AWS_PROFILE");
	int err;

	memset(out, 0, sizeof(*out));
	*source = NULL;
	if ((err = load_files(&c)) < 0)
		goto out;
	if (p->profile) {
		err = from_profile(&c, p->profile, true, p->profile_from, out);
		goto out;
	}
	if ((err = from_env(&c, out)) != 0)
		goto out;
	if ((err = from_env_web_identity(&c, sts_region(&c, prof ? prof :
	    "default"), out)) != 0)
		goto out;
	if ((err = from_profile(&c, prof ? prof : "default", prof != NULL,
	    "$AWS_PROFILE", out)) != 0)
		goto out;
	if ((err = from_container(&c, out)) != 0)
		goto out;
	if ((err = from_imds(&c, out)) != 0)
		goto out;
	err = ps_error(PS_ENOTFOUND, "no AWS credentials found; looked at: %s",
	    ps_buf_cstr(&c.looked));
out:
	if (err > 0) {
		err = 0;
		*source = c.source;
		c.source = NULL;
	} else if (err < 0) {
		aws_credentials_release(out);
	}
	free(c.source);
	aws__ini_release(&c.config);
	aws__ini_release(&c.credentials);
	ps_buf_release(&c.looked);
	return err;
}

int
aws_provider_new(struct aws_provider **out, const struct aws_chain_options *o)
{
	struct aws_provider *p = xcalloc(1, sizeof(*p));
	int err;

	p->profile = xstrdup(o && o->profile && *o->profile ? o->profile : NULL);
	p->profile_from = xstrdup(o && o->profile_from ? o->profile_from :
	    "--profile");
	p->region = xstrdup(o && o->region && *o->region ? o->region : NULL);
	p->cacert = xstrdup(o ? o->cacert : NULL);
	p->timeout_ms = o && o->timeout_ms ? o->timeout_ms : 10000;
	if ((err = resolve(p, &p->creds, &p->source)) < 0) {
		aws_provider_free(p);
		*out = NULL;
		return err;
	}
	*out = p;
	return 0;
}

int
aws_provider_get(struct aws_provider *p, time_t now,
    const struct aws_credentials **out)
{
	struct aws_credentials fresh;
	char *source;
	int err;

	if (p->creds.expiration && p->creds.expiration - now <
	    REFRESH_BEFORE_S) {
		if ((err = resolve(p, &fresh, &source)) < 0)
			return err;
		aws_credentials_release(&p->creds);
		p->creds = fresh;
		free(p->source);
		p->source = source;
	}
	*out = &p->creds;
	return 0;
}

const char *
aws_provider_source(const struct aws_provider *p)
{
	return p ? p->source : NULL;
}

void
aws_provider_free(struct aws_provider *p)
{
	if (!p)
		return;
	aws_credentials_release(&p->creds);
	free(p->profile);
	free(p->profile_from);
	free(p->region);
	free(p->cacert);
	free(p->source);
	free(p);
}

int
aws_credentials_resolve(const struct aws_chain_options *opts,
    struct aws_credentials *out, char **source)
{
	struct aws_provider *p;
	int err;

	memset(out, 0, sizeof(*out));
	*source = NULL;
	if ((err = aws_provider_new(&p, opts)) < 0)
		return err;
	*out = p->creds;
	memset(&p->creds, 0, sizeof(p->creds));
	*source = p->source;
	p->source = NULL;
	aws_provider_free(p);
	return 0;
}

char *
aws_profile_region(const char *profile)
{
	struct aws_provider p = { 0 };
	struct chain c = { .p = &p };
	const char *r = NULL;
	char *out = NULL;

	if (!profile)
		profile = env("AWS_PROFILE");
	if (!profile)
		profile = "default";
	if (load_files(&c) == 0)
		r = pget(&c, profile, "region");
	else
		ps_error_clear();
	out = xstrdup(r);
	aws__ini_release(&c.config);
	aws__ini_release(&c.credentials);
	return out;
}
