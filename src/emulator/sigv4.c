/*
 * emulator: SigV4 verification for --sigv4 AKID:SECRET[:TOKEN][:ro] keys.
 * Written apart from the client's signer (src/aws/sigv4.c) on purpose: it
 * rebuilds the canonical request the way an AWS endpoint does, from what
 * arrived on the wire, so a client that signs something it does not send
 * (or signs it differently) is refused here.  Only util's SHA-256 and HMAC
 * are shared.
 */
#include "emulator/internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define SKEW_MAX_S	300	/* AWS: the signing date within 5 minutes */

int
emu_config_add_sigv4(struct emu_config *cfg, const char *arg)
{
	struct emu_sigv4_key k = { 0 };
	const char *f[4];
	size_t lens[4], nf = 0;
	const char *p = arg;

	for (;;) {
		size_t n = strcspn(p, ":");
		if (nf == 4)
			goto bad;
		f[nf] = p;
		lens[nf++] = n;
		if (!p[n])
			break;
		p += n + 1;
	}
	if (nf >= 3 && lens[nf - 1] == 2 && strncmp(f[nf - 1], "ro", 2) == 0) {
		k.read_only = true;
		nf--;
	}
	if (nf < 2 || nf > 3 || !lens[0] || !lens[1] || (nf == 3 && !lens[2]))
		goto bad;
	k.akid = xstrndup(f[0], lens[0]);
	k.secret = xstrndup(f[1], lens[1]);
	k.token = nf == 3 ? xstrndup(f[2], lens[2]) : NULL;
	cfg->sigv4 = xrealloc(cfg->sigv4, (cfg->nr_sigv4 + 1) *
	    sizeof(*cfg->sigv4));
	cfg->sigv4[cfg->nr_sigv4++] = k;
	return 0;
bad:
	/* never echo the argument: it holds a secret */
	return ps_error(PS_EUSAGE, "--sigv4: expected ACCESS_KEY_ID:SECRET"
	    "[:SESSION_TOKEN][:ro]");
}

void
emu__sigv4_keys_release(struct emu_sigv4_key *keys, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++) {
		free(keys[i].akid);
		free(keys[i].secret);
		free(keys[i].token);
	}
	free(keys);
}

struct emu_sigv4_key *
emu__sigv4_keys_copy(const struct emu_sigv4_key *keys, size_t nr)
{
	struct emu_sigv4_key *out = nr ? xcalloc(nr, sizeof(*out)) : NULL;
	size_t i;

	for (i = 0; i < nr; i++) {
		out[i].akid = xstrdup(keys[i].akid);
		out[i].secret = xstrdup(keys[i].secret);
		out[i].token = xstrdup(keys[i].token);
		out[i].read_only = keys[i].read_only;
	}
	return out;
}

/* The parsed Authorization header. */
struct authz {
	char akid[129], day[9], region[65], service[65];
	char signed_headers[1024];
	char signature[65];
};

/* Copy the value of "Name=" (up to ',' or the end) from v. */
static bool
field(const char *v, const char *name, char *out, size_t size)
{
	const char *p = v;
	size_t n;

	for (;;) {
		p = strstr(p, name);
		if (!p)
			return false;
		/* at the start of the parameters or after a separator */
		if (p == v || p[-1] == ' ' || p[-1] == ',')
			break;
		p++;
	}
	p += strlen(name);
	n = strcspn(p, ", ");
	if (n == 0 || n >= size)
		return false;
	memcpy(out, p, n);
	out[n] = '\0';
	return true;
}

static bool
parse_authz(struct authz *a, const char *v)
{
	char cred[512], *s, *parts[5];
	int i;

	if (strncmp(v, "AWS4-HMAC-SHA256 ", 17) != 0)
		return false;
	v += 17;
	if (!field(v, "Credential=", cred, sizeof(cred)) ||
	    !field(v, "SignedHeaders=", a->signed_headers,
	    sizeof(a->signed_headers)) ||
	    !field(v, "Signature=", a->signature, sizeof(a->signature)))
		return false;
	s = cred;
	for (i = 0; i < 5; i++) {
		parts[i] = s;
		s = strchr(s, '/');
		if (!s)
			break;
		*s++ = '\0';
	}
	if (i != 4 || strcmp(parts[4], "aws4_request") != 0 ||
	    strlen(parts[0]) >= sizeof(a->akid) || strlen(parts[1]) != 8 ||
	    strlen(parts[2]) >= sizeof(a->region) ||
	    strlen(parts[3]) >= sizeof(a->service) || !*parts[0])
		return false;
	strcpy(a->akid, parts[0]);
	strcpy(a->day, parts[1]);
	strcpy(a->region, parts[2]);
	strcpy(a->service, parts[3]);
	return strlen(a->signature) == 64;
}

static int
unhex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static void
put_encoded(struct ps_buf *b, unsigned char ch, bool slash_ok)
{
	if (isalnum(ch) || strchr("-_.~", ch) || (slash_ok && ch == '/'))
		ps_buf_addch(b, (char)ch);
	else
		ps_buf_addf(b, "%%%02X", ch);
}

/*
 * The canonical URI of a non-S3 service: the raw path without empty, "."
 * and ".." segments, each byte outside the unreserved set encoded (so an
 * escape that arrived, "%20", becomes "%2520": encoded twice).
 */
static void
canonical_uri(struct ps_buf *out, const char *path, size_t len)
{
	struct ps_buf tmp = PS_BUF_INIT;
	size_t i = 0, start;
	bool trailing = len > 1 && path[len - 1] == '/';

	while (i < len) {
		while (i < len && path[i] == '/')
			i++;
		start = i;
		while (i < len && path[i] != '/')
			i++;
		if (i == start || (i - start == 1 && path[start] == '.'))
			continue;
		if (i - start == 2 && path[start] == '.' && path[start + 1] == '.') {
			/* drop the last segment written */
			while (tmp.len && tmp.ptr[tmp.len - 1] != '/')
				tmp.len--;
			if (tmp.len)
				tmp.len--;
			continue;
		}
		ps_buf_addch(&tmp, '/');
		ps_buf_add(&tmp, path + start, i - start);
	}
	if (!tmp.len)
		ps_buf_addch(&tmp, '/');
	else if (trailing)
		ps_buf_addch(&tmp, '/');
	for (i = 0; i < tmp.len; i++)
		put_encoded(out, (unsigned char)tmp.ptr[i], true);
	ps_buf_release(&tmp);
}

/* Decode an application/x-www-form-urlencoded-ish piece ('+' literal). */
static char *
decode(const char *s, size_t n, size_t *outlen)
{
	char *o = xmalloc(n + 1);
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		int h, l;
		if (s[i] == '%' && i + 2 < n && (h = unhex(s[i + 1])) >= 0 &&
		    (l = unhex(s[i + 2])) >= 0) {
			o[k++] = (char)(h * 16 + l);
			i += 2;
		} else {
			o[k++] = s[i];
		}
	}
	o[k] = '\0';
	*outlen = k;
	return o;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Each parameter as "enc(key)=enc(value)", sorted (key first, as '='
 * sorts below every encoded character). */
static void
canonical_query(struct ps_buf *out, const char *q, size_t len)
{
	char **items = NULL;
	size_t nr = 0, alloc = 0, i = 0, j;

	while (i < len) {
		size_t end = i, eq, kl, vl;
		struct ps_buf one = PS_BUF_INIT;
		char *k, *v;

		while (end < len && q[end] != '&')
			end++;
		if (end == i) {
			i = end + 1;
			continue;
		}
		eq = i;
		while (eq < end && q[eq] != '=')
			eq++;
		k = decode(q + i, eq - i, &kl);
		v = eq < end ? decode(q + eq + 1, end - eq - 1, &vl) :
		    decode("", 0, &vl);
		for (j = 0; j < kl; j++)
			put_encoded(&one, (unsigned char)k[j], false);
		ps_buf_addch(&one, '=');
		for (j = 0; j < vl; j++)
			put_encoded(&one, (unsigned char)v[j], false);
		free(k);
		free(v);
		xgrow(&items, &alloc, nr + 1, sizeof(*items));
		items[nr++] = ps_buf_detach(&one);
		i = end + 1;
	}
	qsort(items, nr, sizeof(*items), cmp_str);
	for (i = 0; i < nr; i++) {
		if (i)
			ps_buf_addch(out, '&');
		ps_buf_adds(out, items[i]);
		free(items[i]);
	}
	free(items);
}

/* Every value of header `name`, trimmed, runs of spaces as one, joined
 * by ','.  false when the request has no such header. */
static bool
header_values(struct ps_buf *out, const struct emu_request *req,
    const char *name)
{
	bool found = false;
	size_t i;

	for (i = 0; i < req->nr_headers; i++) {
		const char *v = req->headers[i].value;
		bool sp = false, any = false;

		if (strcasecmp(req->headers[i].name, name) != 0)
			continue;
		if (found)
			ps_buf_addch(out, ',');
		found = true;
		for (; *v; v++) {
			if (*v == ' ' || *v == '\t') {
				sp = any;
				continue;
			}
			if (sp)
				ps_buf_addch(out, ' ');
			sp = false;
			any = true;
			ps_buf_addch(out, *v);
		}
	}
	return found;
}

static const char *
first_header(const struct emu_request *req, const char *name)
{
	size_t i;

	for (i = 0; i < req->nr_headers; i++)
		if (strcasecmp(req->headers[i].name, name) == 0)
			return req->headers[i].value;
	return NULL;
}

static bool
parse_amz_date(const char *s, time_t *out)
{
	struct tm tm = { 0 };
	const char *end;

	if (!s || strlen(s) != 16 || s[8] != 'T' || s[15] != 'Z')
		return false;
	end = strptime(s, "%Y%m%dT%H%M%SZ", &tm);
	if (!end || *end)
		return false;
	*out = timegm(&tm);
	return true;
}

static bool
same_bytes(const char *a, const char *b, size_t n)
{
	unsigned char d = 0;
	size_t i;

	for (i = 0; i < n; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return d == 0;
}

static void
verdict(struct emu_sigv4_verdict *v, const char *code, char *msg)
{
	v->code = code;
	v->message = msg;
}

bool
emu__sigv4_verify(const struct emu_config *cfg, const struct emu_request *req,
    const char *service, const char *region, time_t now,
    struct emu_sigv4_verdict *v)
{
	struct authz a;
	const struct emu_sigv4_key *key = NULL;
	const char *authz = first_header(req, "authorization");
	const char *date = first_header(req, "x-amz-date");
	const char *token = first_header(req, "x-amz-security-token");
	const char *target = req->target ? req->target : "/";
	const char *q = strchr(target, '?');
	struct ps_buf cr = PS_BUF_INIT, sts = PS_BUF_INIT;
	char hash[65], mine[65], *p, *name, *keystr;
	unsigned char k[32];
	time_t t;
	size_t i;
	bool has_host = false, ok = false;

	memset(v, 0, sizeof(*v));
	if (!authz || !parse_authz(&a, authz)) {
		verdict(v, "incomplete_signature", xstrdup("Authorization header "
		    "requires Credential, SignedHeaders and Signature "
		    "parameters (AWS4-HMAC-SHA256)"));
		return false;
	}
	if (strcmp(a.service, service) != 0) {
		verdict(v, "invalid_service", xasprintf("Credential should be "
		    "scoped to correct service: '%s', not '%s'", service,
		    a.service));
		return false;
	}
	if (strcmp(a.region, region) != 0) {
		verdict(v, "invalid_region", xasprintf("Credential should be "
		    "scoped to a valid region: '%s', not '%s'", region,
		    a.region));
		return false;
	}
	for (i = 0; i < cfg->nr_sigv4 && !key; i++)
		if (strcmp(cfg->sigv4[i].akid, a.akid) == 0)
			key = &cfg->sigv4[i];
	if (!key) {
		verdict(v, "invalid_access_key", xstrdup("The security token "
		    "included in the request is invalid: unknown access key "
		    "ID"));
		return false;
	}
	v->read_only = key->read_only;
	if (!parse_amz_date(date, &t)) {
		verdict(v, "missing_date", xstrdup("Authorization requires a "
		    "valid X-Amz-Date header (YYYYMMDDTHHMMSSZ)"));
		return false;
	}
	if (strncmp(date, a.day, 8) != 0) {
		verdict(v, "invalid_scope_date", xasprintf("The credential "
		    "scope date %s is not the date of X-Amz-Date %s", a.day,
		    date));
		return false;
	}
	if (t < now - SKEW_MAX_S || t > now + SKEW_MAX_S) {
		verdict(v, "request_expired", xasprintf("Signature expired: "
		    "%s is more than 5 minutes from the server's time "
		    "(skew %+lld s)", date, (long long)(t - now)));
		return false;
	}
	if (key->token && !token) {
		verdict(v, "missing_token", xstrdup("These temporary "
		    "credentials need their X-Amz-Security-Token header"));
		return false;
	}
	if (token && (!key->token || strlen(token) != strlen(key->token) ||
	    !same_bytes(token, key->token, strlen(token)))) {
		verdict(v, "invalid_token", xstrdup("The security token "
		    "included in the request is invalid"));
		return false;
	}

	/* the canonical request, from what arrived */
	ps_buf_adds(&cr, req->method);
	ps_buf_addch(&cr, '\n');
	canonical_uri(&cr, target, q ? (size_t)(q - target) : strlen(target));
	ps_buf_addch(&cr, '\n');
	if (q)
		canonical_query(&cr, q + 1, strlen(q + 1));
	ps_buf_addch(&cr, '\n');
	for (p = a.signed_headers; (name = strsep(&p, ";"));) {
		if (strcmp(name, "host") == 0)
			has_host = true;
		ps_buf_addf(&cr, "%s:", name);
		if (!header_values(&cr, req, name)) {
			verdict(v, "signature_mismatch", xasprintf("The header "
			    "'%s' is signed but was not sent", name));
			goto out;
		}
		ps_buf_addch(&cr, '\n');
		if (p)
			p[-1] = ';';	/* keep the list for below */
	}
	if (!has_host) {
		verdict(v, "signature_mismatch", xstrdup("The host header "
		    "must be signed"));
		goto out;
	}
	ps_buf_addf(&cr, "\n%s\n", a.signed_headers);
	sha256_hex(hash, req->body ? req->body : "", req->body ? req->body_len : 0);
	ps_buf_adds(&cr, hash);

	sha256_hex(hash, cr.ptr, cr.len);
	ps_buf_addf(&sts, "AWS4-HMAC-SHA256\n%s\n%s/%s/%s/aws4_request\n%s",
	    date, a.day, a.region, a.service, hash);
	keystr = xasprintf("AWS4%s", key->secret);
	hmac_sha256(k, keystr, strlen(keystr), a.day, 8);
	free(keystr);
	hmac_sha256(k, k, 32, a.region, strlen(a.region));
	hmac_sha256(k, k, 32, a.service, strlen(a.service));
	hmac_sha256(k, k, 32, "aws4_request", 12);
	hmac_sha256(k, k, 32, sts.ptr, sts.len);
	ps_hex(mine, k, 32);
	if (!same_bytes(mine, a.signature, 64)) {
		verdict(v, "signature_mismatch", xstrdup("The request signature "
		    "we calculated does not match the signature you provided. "
		    "Check your AWS Secret Access Key and signing method."));
		goto out;
	}
	ok = true;
out:
	ps_buf_release(&cr);
	ps_buf_release(&sts);
	return ok;
}
