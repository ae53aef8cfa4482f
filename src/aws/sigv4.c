/*
 * aws: Signature Version 4 (AWS4-HMAC-SHA256), as botocore's SigV4Auth
 * computes it for services other than S3.  libcurl's CURLOPT_AWS_SIGV4 is
 * not used: 7.88 signs an `expect` header that `Expect:` then removes
 * (curl issue 11664), so AWS computes another signature.  Here the signed
 * headers and the sent headers are one list.
 */
#include "aws/aws.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void
aws_credentials_release(struct aws_credentials *c)
{
	if (!c)
		return;
	if (c->secret_access_key)
		explicit_bzero(c->secret_access_key, strlen(c->secret_access_key));
	if (c->session_token)
		explicit_bzero(c->session_token, strlen(c->session_token));
	free(c->access_key_id);
	free(c->secret_access_key);
	free(c->session_token);
	memset(c, 0, sizeof(*c));
}

void
aws_credentials_copy(struct aws_credentials *dst,
    const struct aws_credentials *src)
{
	dst->access_key_id = xstrdup(src->access_key_id);
	dst->secret_access_key = xstrdup(src->secret_access_key);
	dst->session_token = xstrdup(src->session_token);
	dst->expiration = src->expiration;
}

static bool
unreserved(unsigned char ch)
{
	return isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~';
}

void
aws_uri_encode(struct ps_buf *out, const char *s, size_t len, bool keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		if ((ch < 0x80 && unreserved(ch)) || (keep_slash && ch == '/')) {
			ps_buf_addch(out, (char)ch);
		} else {
			ps_buf_addch(out, '%');
			ps_buf_addch(out, hex[ch >> 4]);
			ps_buf_addch(out, hex[ch & 15]);
		}
	}
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decode s[0..len) ('+' stays '+': AWS does not read it as a
 * space) and encode it again the SigV4 way. */
static void
reencode(struct ps_buf *out, const char *s, size_t len)
{
	struct ps_buf raw = PS_BUF_INIT;
	size_t i;

	for (i = 0; i < len; i++) {
		int hi, lo;

		if (s[i] == '%' && i + 2 < len &&
		    (hi = hexval(s[i + 1])) >= 0 &&
		    (lo = hexval(s[i + 2])) >= 0) {
			ps_buf_addch(&raw, (char)(hi << 4 | lo));
			i += 2;
		} else {
			ps_buf_addch(&raw, s[i]);
		}
	}
	aws_uri_encode(out, raw.ptr ? raw.ptr : "", raw.len, false);
	ps_buf_release(&raw);
}

/* botocore's remove_dot_segments: no empty or '.' segments, '..' pops. */
static void
normalize_path(struct ps_buf *out, const char *path, size_t len)
{
	const char **segs;
	size_t *lens, nr = 0, i = 0;

	segs = xcalloc(len + 1, sizeof(*segs));
	lens = xcalloc(len + 1, sizeof(*lens));
	while (i < len) {
		size_t j = i;

		while (j < len && path[j] != '/')
			j++;
		if (j > i && !(j - i == 1 && path[i] == '.')) {
			if (j - i == 2 && path[i] == '.' && path[i + 1] == '.') {
				if (nr)
					nr--;
			} else {
				segs[nr] = path + i;
				lens[nr++] = j - i;
			}
		}
		i = j + 1;
	}
	ps_buf_addch(out, '/');
	for (i = 0; i < nr; i++) {
		if (i)
			ps_buf_addch(out, '/');
		aws_uri_encode(out, segs[i], lens[i], false);
	}
	if (nr && len && path[len - 1] == '/')
		ps_buf_addch(out, '/');
	free(segs);
	free(lens);
}

struct qparam {
	char *key, *value;
};

static int
qparam_cmp(const void *a, const void *b)
{
	const struct qparam *x = a, *y = b;
	int r = strcmp(x->key, y->key);

	return r ? r : strcmp(x->value, y->value);
}

static void
canonical_query(struct ps_buf *out, const char *q, size_t len)
{
	struct qparam *ps = NULL;
	size_t nr = 0, alloc = 0, i = 0;

	while (i < len) {
		size_t j = i, eq;
		struct ps_buf k = PS_BUF_INIT, v = PS_BUF_INIT;

		while (j < len && q[j] != '&')
			j++;
		if (j > i) {
			for (eq = i; eq < j && q[eq] != '='; eq++)
				;
			reencode(&k, q + i, eq - i);
			if (eq < j)
				reencode(&v, q + eq + 1, j - eq - 1);
			xgrow(&ps, &alloc, nr + 1, sizeof(*ps));
			ps[nr].key = k.ptr ? ps_buf_detach(&k) : xstrdup("");
			ps[nr++].value = v.ptr ? ps_buf_detach(&v) : xstrdup("");
		}
		i = j + 1;
	}
	qsort(ps, nr, sizeof(*ps), qparam_cmp);
	for (i = 0; i < nr; i++) {
		ps_buf_addf(out, "%s%s=%s", i ? "&" : "", ps[i].key,
		    ps[i].value);
		free(ps[i].key);
		free(ps[i].value);
	}
	free(ps);
}

struct hdr {
	char *name;		/* lower case */
	char *value;		/* trimmed, inner runs of spaces collapsed */
	const char *line;	/* as sent */
};

static int
hdr_cmp(const void *a, const void *b)
{
	const struct hdr *x = a, *y = b;

	return strcmp(x->name, y->name);
}

/* "Name: value" into a canonical (name, value); false when malformed. */
static bool
hdr_parse(struct hdr *h, const char *line)
{
	const char *colon = strchr(line, ':'), *v;
	struct ps_buf val = PS_BUF_INIT;
	size_t i, n;
	bool space = false;

	if (!colon || colon == line)
		return false;
	n = (size_t)(colon - line);
	h->name = xstrndup(line, n);
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)h->name[i];
		if (ch <= ' ' || ch == 0x7f) {
			free(h->name);
			return false;
		}
		h->name[i] = (char)tolower(ch);
	}
	for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
		;
	for (; *v; v++) {
		if (*v == '\r' || *v == '\n') {
			free(h->name);
			ps_buf_release(&val);
			return false;
		}
		if (*v == ' ' || *v == '\t') {
			space = true;
			continue;
		}
		if (space && val.len)
			ps_buf_addch(&val, ' ');
		space = false;
		ps_buf_addch(&val, *v);
	}
	h->value = val.ptr ? ps_buf_detach(&val) : xstrdup("");
	h->line = line;
	return true;
}

struct url_parts {
	const char *scheme, *authority, *path, *query;
	size_t scheme_len, authority_len, path_len, query_len;
};

static bool
url_split(struct url_parts *u, const char *url)
{
	const char *p = strstr(url, "://"), *a, *end;

	memset(u, 0, sizeof(*u));
	if (!p || p == url)
		return false;
	u->scheme = url;
	u->scheme_len = (size_t)(p - url);
	a = p + 3;
	end = a + strcspn(a, "/?#");
	if (end == a || memchr(a, '@', (size_t)(end - a)))
		return false;
	u->authority = a;
	u->authority_len = (size_t)(end - a);
	u->path = end;
	u->path_len = strcspn(end, "?#");
	if (end[u->path_len] == '?') {
		u->query = end + u->path_len + 1;
		u->query_len = strcspn(u->query, "#");
	}
	return strchr(url, '#') == NULL;
}

/* The Host header: the authority without the scheme's default port. */
static char *
host_header(const struct url_parts *u)
{
	const char *a = u->authority;
	size_t n = u->authority_len;
	const char *dflt = NULL;

	if (u->scheme_len == 5 && strncasecmp(u->scheme, "https", 5) == 0)
		dflt = ":443";
	else if (u->scheme_len == 4 && strncasecmp(u->scheme, "http", 4) == 0)
		dflt = ":80";
	if (dflt && n > strlen(dflt) &&
	    strncmp(a + n - strlen(dflt), dflt, strlen(dflt)) == 0)
		n -= strlen(dflt);
	return xstrndup(a, n);
}

static void
push(struct aws_sigv4_signed *s, size_t *alloc, char *line)
{
	xgrow(&s->headers, alloc, s->nr + 1, sizeof(*s->headers));
	s->headers[s->nr++] = line;
}

static bool
safe_value(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

int
aws_sigv4_sign(struct aws_sigv4_signed *out,
    const struct aws_sigv4_request *req, const struct aws_credentials *creds)
{
	struct url_parts u;
	struct ps_buf cr = PS_BUF_INIT, names = PS_BUF_INIT, sts = PS_BUF_INIT;
	struct hdr *hs;
	size_t nh = 0, alloc = 0, i;
	char amzdate[17], day[9], payload[65], crhash[65], sig[65];
	unsigned char k[32];
	char *host, *keystr, *line;
	struct tm tm;
	int err = 0;

	memset(out, 0, sizeof(*out));
	if (!url_split(&u, req->url))
		return ps_error(PS_EUSAGE, "cannot sign a request to '%s': not "
		    "an absolute URL", req->url);
	if (!creds || !creds->access_key_id || !creds->secret_access_key ||
	    !safe_value(creds->access_key_id) ||
	    strchr(creds->access_key_id, '/') ||
	    (creds->session_token && !safe_value(creds->session_token)))
		return ps_error(PS_EUSAGE, "the AWS credentials are incomplete "
		    "or contain invalid characters");
	if (!req->region || !*req->region || strchr(req->region, '/') ||
	    !safe_value(req->region))
		return ps_error(PS_EUSAGE, "no valid region to sign for");
	gmtime_r(&req->now, &tm);
	strftime(amzdate, sizeof(amzdate), "%Y%m%dT%H%M%SZ", &tm);
	memcpy(day, amzdate, 8);
	day[8] = '\0';

	/* the header lines to send, each also signed */
	for (i = 0; i < req->nr_headers; i++)
		push(out, &alloc, xstrdup(req->headers[i]));
	host = host_header(&u);
	push(out, &alloc, xasprintf("Host: %s", host));
	free(host);
	push(out, &alloc, xasprintf("X-Amz-Date: %s", amzdate));
	if (creds->session_token)
		push(out, &alloc, xasprintf("X-Amz-Security-Token: %s",
		    creds->session_token));

	hs = xcalloc(out->nr, sizeof(*hs));
	for (i = 0; i < out->nr; i++) {
		if (!hdr_parse(&hs[nh], out->headers[i])) {
			err = ps_error(PS_EUSAGE, "cannot sign a malformed "
			    "header line");
			goto out;
		}
		nh++;
	}
	qsort(hs, nh, sizeof(*hs), hdr_cmp);

	ps_buf_adds(&cr, req->method);
	ps_buf_addch(&cr, '\n');
	normalize_path(&cr, u.path, u.path_len);
	ps_buf_addch(&cr, '\n');
	if (u.query)
		canonical_query(&cr, u.query, u.query_len);
	ps_buf_addch(&cr, '\n');
	for (i = 0; i < nh; i++) {
		/* repeated names: one line, values joined by ',' */
		if (i && strcmp(hs[i].name, hs[i - 1].name) == 0) {
			ps_buf_addf(&cr, ",%s", hs[i].value);
			continue;
		}
		ps_buf_addf(&cr, "%s%s:%s", i ? "\n" : "", hs[i].name,
		    hs[i].value);
		ps_buf_addf(&names, "%s%s", names.len ? ";" : "", hs[i].name);
	}
	ps_buf_addf(&cr, "\n\n%s\n", names.ptr);
	sha256_hex(payload, req->body ? req->body : "", req->body_len);
	ps_buf_adds(&cr, payload);

	sha256_hex(crhash, cr.ptr, cr.len);
	ps_buf_addf(&sts, "AWS4-HMAC-SHA256\n%s\n%s/%s/%s/aws4_request\n%s",
	    amzdate, day, req->region, req->service, crhash);

	keystr = xasprintf("AWS4%s", creds->secret_access_key);
	hmac_sha256(k, keystr, strlen(keystr), day, strlen(day));
	explicit_bzero(keystr, strlen(keystr));
	free(keystr);
	hmac_sha256(k, k, sizeof(k), req->region, strlen(req->region));
	hmac_sha256(k, k, sizeof(k), req->service, strlen(req->service));
	hmac_sha256(k, k, sizeof(k), "aws4_request", 12);
	hmac_sha256(k, k, sizeof(k), sts.ptr, sts.len);
	ps_hex(sig, k, sizeof(k));
	explicit_bzero(k, sizeof(k));

	line = xasprintf("Authorization: AWS4-HMAC-SHA256 Credential=%s/%s/%s/"
	    "%s/aws4_request, SignedHeaders=%s, Signature=%s",
	    creds->access_key_id, day, req->region, req->service, names.ptr,
	    sig);
	push(out, &alloc, line);
	out->canonical_request = ps_buf_detach(&cr);
	out->string_to_sign = ps_buf_detach(&sts);
out:
	for (i = 0; i < nh; i++) {
		free(hs[i].name);
		free(hs[i].value);
	}
	free(hs);
	ps_buf_release(&names);
	ps_buf_release(&cr);
	ps_buf_release(&sts);
	if (err < 0)
		aws_sigv4_signed_release(out);
	return err;
}

void
aws_sigv4_signed_release(struct aws_sigv4_signed *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->nr; i++) {
		explicit_bzero(s->headers[i], strlen(s->headers[i]));
		free(s->headers[i]);
	}
	free(s->headers);
	if (s->canonical_request)
		explicit_bzero(s->canonical_request, strlen(s->canonical_request));
	free(s->canonical_request);
	free(s->string_to_sign);
	memset(s, 0, sizeof(*s));
}
