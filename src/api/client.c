/* api: the client — credentials, easy handles, tracing and listing. */
#include "api/internal.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define SIGV4_SERVICE	"bedrock-mantle"

static const char *const key_vars[] = {
	"PROJSYNC_API_KEY", "AWS_BEARER_TOKEN_BEDROCK", "OPENAI_API_KEY",
};

static const char *
env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

int64_t
api__now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
add_secret(struct api_client *c, const char *s)
{
	size_t i;

	/* very short strings would mangle every message; none are real */
	if (!s || strlen(s) < 4)
		return;
	for (i = 0; i < PS_ARRAY_SIZE(c->secrets); i++)
		if (!c->secrets[i]) {
			c->secrets[i] = xstrdup(s);
			return;
		}
}

void
api__scrub(const struct api_client *c, char *s)
{
	static const char red[] = "<redacted>";
	const char *aws[3] = { NULL, NULL, NULL };	/* SigV4, current */
	size_t i;

	if (!s)
		return;
	if (c->creds) {
		aws[0] = c->creds->secret_access_key;
		aws[1] = c->creds->session_token;
		aws[2] = c->creds->access_key_id;
	}
	for (i = 0; i < PS_ARRAY_SIZE(c->secrets) + 3; i++) {
		const char *sec = i < PS_ARRAY_SIZE(c->secrets) ?
		    c->secrets[i] : aws[i - PS_ARRAY_SIZE(c->secrets)];
		size_t n;
		char *at;

		if (!sec || strlen(sec) < 4)
			continue;
		n = strlen(sec);
		/* only ever shrinks or keeps length: sec is >= 4 bytes and
		 * the marker is longer, so cut the tail instead of growing */
		while ((at = strstr(s, sec))) {
			size_t rest = strlen(at + n);
			size_t m = n < sizeof(red) - 1 ? n : sizeof(red) - 1;
			memcpy(at, red, m);
			memmove(at + m, at + n, rest + 1);
		}
	}
}

void
api__trace(struct api_client *c, const char *fmt, ...)
{
	va_list ap;
	char *line;

	if (!c->trace)
		return;
	va_start(ap, fmt);
	line = xvasprintf(fmt, ap);
	va_end(ap);
	api__scrub(c, line);
	c->trace(line, c->trace_payload);
	free(line);
}

/* The SigV4 region: given, else the endpoint's, else the environment's,
 * else the profile's. */
static char *
signing_region(const struct api_client *c, const struct api_options *opts)
{
	char *r;

	if (opts->region && *opts->region)
		return xstrdup(opts->region);
	if ((r = api_endpoint_region(c->endpoint)))
		return r;
	if (env("AWS_REGION"))
		return xstrdup(env("AWS_REGION"));
	if (env("AWS_DEFAULT_REGION"))
		return xstrdup(env("AWS_DEFAULT_REGION"));
	return aws_profile_region(opts->profile);
}

static int
load_sigv4(struct api_client *c, const struct api_options *opts)
{
	struct aws_chain_options co = { 0 };
	const struct aws_credentials *cr;
	int err;

	c->region = signing_region(c, opts);
	co.profile = opts->profile;
	co.region = c->region;
	co.cacert = c->cacert;
	co.timeout_ms = c->timeout_ms;
	if ((err = aws_provider_new(&c->provider, &co)) < 0)
		return err;
	if (!c->region)
		return ps_error(PS_EUSAGE, "SigV4 needs a region to sign for: "
		    "give --region, settings.region, $AWS_REGION or a "
		    "profile's region");
	if (strchr(c->region, ':') || strchr(c->region, '/') ||
	    !ps_header_value_safe(c->region))
		return ps_error(PS_EUSAGE, "invalid region '%s'", c->region);
	if ((err = aws_provider_get(c->provider, time(NULL), &cr)) < 0)
		return err;
	c->creds = cr;
	c->auth = API_AUTH_SIGV4;
	c->auth_source = xasprintf("SigV4 (%s), credentials from %s",
	    SIGV4_SERVICE, aws_provider_source(c->provider));
	return 0;
}

static int
load_credentials(struct api_client *c, const struct api_options *opts)
{
	const char *key = NULL, *var = NULL;
	size_t i;
	int err;

	/* auto: a key in the environment wins, unless --profile asks for
	 * AWS credentials */
	if (opts->auth != API_AUTH_SIGV4 &&
	    !(opts->auth == API_AUTH_AUTO && opts->profile && *opts->profile))
		for (i = 0; i < PS_ARRAY_SIZE(key_vars) && !key; i++)
			if ((key = env(key_vars[i])))
				var = key_vars[i];
	if (key) {
		if (!ps_header_value_safe(key))
			return ps_error(PS_EUSAGE, "$%s contains control "
			    "characters", var);
		add_secret(c, key);
		c->auth = opts->auth == API_AUTH_X_API_KEY ? API_AUTH_X_API_KEY :
		    API_AUTH_BEARER;
		c->auth_header = c->auth == API_AUTH_X_API_KEY ?
		    xasprintf("x-api-key: %s", key) :
		    xasprintf("Authorization: Bearer %s", key);
		c->auth_source = xasprintf("%s key from $%s",
		    c->auth == API_AUTH_X_API_KEY ? "x-api-key" : "bearer", var);
		return 0;
	}
	if (opts->auth == API_AUTH_BEARER || opts->auth == API_AUTH_X_API_KEY)
		return ps_error(PS_EUSAGE, "no API key: set $PROJSYNC_API_KEY "
		    "(or $AWS_BEARER_TOKEN_BEDROCK or $OPENAI_API_KEY), or use "
		    "--auth auto or sigv4 with AWS credentials");
	err = load_sigv4(c, opts);
	if (err == PS_ENOTFOUND && opts->auth == API_AUTH_AUTO) {
		char *why = xstrdup(ps_error_last());
		err = ps_error(PS_EUSAGE, "no credentials: no API key in "
		    "$PROJSYNC_API_KEY, $AWS_BEARER_TOKEN_BEDROCK or "
		    "$OPENAI_API_KEY, and %s (see docs/credentials.md)", why);
		free(why);
	} else if (err == PS_ENOTFOUND) {
		err = PS_EUSAGE;	/* the message says where it looked */
	}
	return err;
}

const char *
api_client_auth_source(const struct api_client *c)
{
	return c->auth_source;
}

const char *
api_client_region(const struct api_client *c)
{
	return c->region;
}

int
api_client_new(struct api_client **out, const struct api_options *opts)
{
	static bool global_done;
	struct api_client *c;
	const char *scale;
	int err;

	*out = NULL;
	if (!opts || !opts->endpoint || !*opts->endpoint)
		return ps_error(PS_EUSAGE, "no endpoint");
	if (!global_done) {
		/* once per process; libcurl is not re-initialised */
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			return ps_error(PS_EFAIL, "cannot initialise libcurl");
		global_done = true;
	}
	c = xcalloc(1, sizeof(*c));
	c->endpoint = xstrdup(opts->endpoint);
	while (*c->endpoint && c->endpoint[strlen(c->endpoint) - 1] == '/')
		c->endpoint[strlen(c->endpoint) - 1] = '\0';
	c->auth = opts->auth;
	c->cacert = xstrdup(opts->cacert && *opts->cacert ? opts->cacert :
	    env("CURL_CA_BUNDLE") ? env("CURL_CA_BUNDLE") :
	    env("SSL_CERT_FILE"));
	c->max_attempts = opts->max_attempts ? opts->max_attempts :
	    API_DEFAULT_ATTEMPTS;
	c->timeout_ms = opts->timeout_ms ? opts->timeout_ms :
	    API_DEFAULT_TIMEOUT_MS;
	c->connect_timeout_ms = opts->connect_timeout_ms ?
	    opts->connect_timeout_ms : API_DEFAULT_CONNECT_MS;
	c->max_body = opts->max_body ? opts->max_body : API_MAX_BODY;
	c->retry_scale = opts->retry_scale;
	if (c->retry_scale <= 0) {
		c->retry_scale = 1.0;
		if ((scale = env("PROJSYNC_RETRY_SCALE"))) {
			char *end;
			double v = strtod(scale, &end);
			if (*end || !(v > 0 && v <= 10)) {
				err = ps_error(PS_EUSAGE, "$PROJSYNC_RETRY_SCALE "
				    "must be a number in (0, 10]");
				goto fail;
			}
			c->retry_scale = v;
		}
	}
	c->trace = opts->trace;
	c->trace_payload = opts->trace_payload;
	c->rng = (uint64_t)api__now_us() ^ ((uint64_t)getpid() << 32);
	if ((err = load_credentials(c, opts)) < 0)
		goto fail;
	api__trace(c, "auth: %s", c->auth_source);
	if (!(c->multi = curl_multi_init())) {
		err = ps_error(PS_EFAIL, "cannot create a libcurl multi handle");
		goto fail;
	}
	curl_multi_setopt(c->multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
	*out = c;
	return 0;
fail:
	api_client_free(c);
	return err;
}

void
api_client_free(struct api_client *c)
{
	size_t i;

	if (!c)
		return;
	if (c->multi)
		curl_multi_cleanup(c->multi);
	for (i = 0; i < PS_ARRAY_SIZE(c->secrets); i++) {
		if (c->secrets[i])
			explicit_bzero(c->secrets[i], strlen(c->secrets[i]));
		free(c->secrets[i]);
	}
	if (c->auth_header)
		explicit_bzero(c->auth_header, strlen(c->auth_header));
	aws_provider_free(c->provider);
	free(c->auth_source);
	free(c->auth_header);
	free(c->region);
	free(c->cacert);
	free(c->endpoint);
	free(c);
}

const char *
api_client_endpoint(const struct api_client *c)
{
	return c->endpoint;
}

unsigned long
api_client_requests(const struct api_client *c)
{
	return c ? c->requests : 0;
}

unsigned
api_client_timeout_ms(const struct api_client *c)
{
	return c->timeout_ms;
}

double
api_client_retry_scale(const struct api_client *c)
{
	return c->retry_scale;
}

/* ---- one attempt ---- */

static size_t
on_body(char *data, size_t size, size_t n, void *payload)
{
	struct api__req *r = payload;
	size_t len = size * n;

	if (r->resp.len + len > r->max_body) {
		r->too_big = true;
		return 0;	/* CURLE_WRITE_ERROR */
	}
	ps_buf_add(&r->resp, data, len);
	return len;
}

static void
set_captured(char **slot, const char *v, size_t n)
{
	free(*slot);
	*slot = xstrndup(v, n);
}

static size_t
on_header(char *data, size_t size, size_t n, void *payload)
{
	struct api__req *r = payload;
	size_t len = size * n, k, vlen;
	const char *colon, *v;

	/* a new response (after 100-continue, say): forget the old one */
	if (len >= 5 && strncmp(data, "HTTP/", 5) == 0) {
		free(r->retry_after);
		free(r->retry_after_ms);
		free(r->should_retry);
		free(r->request_id);
		free(r->date);
		r->retry_after = r->retry_after_ms = r->should_retry =
		    r->request_id = r->date = NULL;
		ps_buf_reset(&r->trace_in);
	}
	if (r->tracing && len > 2)
		ps_buf_addf(&r->trace_in, "  < %.*s\n", (int)(len - 2), data);
	if (!(colon = memchr(data, ':', len)))
		return len;
	k = (size_t)(colon - data);
	v = colon + 1;
	vlen = len - k - 1;
	while (vlen && (*v == ' ' || *v == '\t')) {
		v++;
		vlen--;
	}
	while (vlen && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n' ||
	    v[vlen - 1] == ' '))
		vlen--;
	if (k == 11 && strncasecmp(data, "retry-after", k) == 0)
		set_captured(&r->retry_after, v, vlen);
	else if (k == 14 && strncasecmp(data, "retry-after-ms", k) == 0)
		set_captured(&r->retry_after_ms, v, vlen);
	else if (k == 14 && strncasecmp(data, "x-should-retry", k) == 0)
		set_captured(&r->should_retry, v, vlen);
	else if (k == 12 && strncasecmp(data, "x-request-id", k) == 0)
		set_captured(&r->request_id, v, vlen);
	else if (k == 4 && strncasecmp(data, "date", k) == 0)
		set_captured(&r->date, v, vlen);
	return len;
}

/* Redact what goes out: the trace shows header names, never secrets. */
static int
on_debug(CURL *h, curl_infotype type, char *data, size_t size, void *payload)
{
	struct api__req *r = payload;
	const char *p = data, *end = data + size;

	(void)h;
	if (type != CURLINFO_HEADER_OUT)
		return 0;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t n = eol ? (size_t)(eol - p) : (size_t)(end - p);

		if (n && p[n - 1] == '\r')
			n--;
		if (n == 0) {
			p = eol ? eol + 1 : end;
			continue;
		}
		if (n > 14 && strncasecmp(p, "authorization:", 14) == 0) {
			const char *s = p + 14, *e;
			while (s < p + n && *s == ' ')
				s++;
			for (e = s; e < p + n && *e != ' '; e++)
				;
			ps_buf_addf(&r->trace_out, "  > Authorization: %.*s "
			    "<redacted>\n", (int)(e - s), s);
		} else if ((n > 10 && strncasecmp(p, "x-api-key:", 10) == 0) ||
		    (n > 21 && strncasecmp(p, "x-amz-security-token:", 21) == 0)) {
			const char *colon = memchr(p, ':', n);
			ps_buf_addf(&r->trace_out, "  > %.*s: <redacted>\n",
			    (int)(colon - p), p);
		} else {
			ps_buf_addf(&r->trace_out, "  > %.*s\n", (int)n, p);
		}
		p = eol ? eol + 1 : end;
	}
	return 0;
}

void
api__req_reset_attempt(struct api__req *r)
{
	if (r->easy)
		curl_easy_cleanup(r->easy);
	r->easy = NULL;
	curl_slist_free_all(r->headers);
	r->headers = NULL;
	free(r->retry_after);
	free(r->retry_after_ms);
	free(r->should_retry);
	free(r->request_id);
	free(r->date);
	r->retry_after = r->retry_after_ms = r->should_retry =
	    r->request_id = r->date = NULL;
	ps_buf_reset(&r->resp);
	ps_buf_reset(&r->trace_out);
	ps_buf_reset(&r->trace_in);
	r->errbuf[0] = '\0';
	r->too_big = false;
}

void
api__req_release(struct api__req *r)
{
	api__req_reset_attempt(r);
	ps_buf_release(&r->resp);
	ps_buf_release(&r->trace_out);
	ps_buf_release(&r->trace_in);
	free(r->url);
	free(r->error);
	r->url = r->error = NULL;
}

static struct curl_slist *
append(struct curl_slist *l, const char *h, int *err)
{
	struct curl_slist *n = curl_slist_append(l, h);

	if (!n)
		*err = ps_error(PS_EFAIL, "out of memory");
	return n ? n : l;
}

/*
 * SigV4: sign the request and send exactly the headers signed (plus
 * Accept and Content-Length, which are not).  The Host header is set
 * explicitly, so the value signed is the value sent.
 */
static int
sign_into(struct api_client *c, struct api__req *r, bool post,
    struct curl_slist **headers)
{
	static const char *const json[] = { "Content-Type: application/json" };
	struct aws_sigv4_request sr = {
		.method = r->method,
		.url = r->url,
		.headers = post ? json : NULL,
		.nr_headers = post ? 1 : 0,
		.body = r->body,
		.body_len = r->body ? strlen(r->body) : 0,
		.service = SIGV4_SERVICE,
		.region = c->region,
		.now = time(NULL),
	};
	struct aws_sigv4_signed sig;
	size_t i;
	int err;

	/* temporary credentials are fetched again before they expire */
	if ((err = aws_provider_get(c->provider, sr.now, &c->creds)) < 0 ||
	    (err = aws_sigv4_sign(&sig, &sr, c->creds)) < 0)
		return err;
	for (i = 0; i < sig.nr && err == 0; i++)
		*headers = append(*headers, sig.headers[i], &err);
	aws_sigv4_signed_release(&sig);
	return err;
}

int
api__easy_setup(struct api_client *c, struct api__req *r)
{
	CURL *h;
	bool post;
	int err = 0;

	api__req_reset_attempt(r);
	if (!(h = r->easy = curl_easy_init()))
		return ps_error(PS_EFAIL, "cannot create a libcurl handle");
	r->max_body = c->max_body;
	r->tracing = c->trace != NULL;
	curl_easy_setopt(h, CURLOPT_URL, r->url);
	curl_easy_setopt(h, CURLOPT_PRIVATE, r);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, r->errbuf);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)c->timeout_ms);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)c->connect_timeout_ms);
	curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "projsync/" PROJSYNC_VERSION);
	if (c->cacert)
		curl_easy_setopt(h, CURLOPT_CAINFO, c->cacert);
	/*
	 * A proxy never sees a credential in clear: plain http is only ever
	 * loopback (the emulator), so it never goes through one; otherwise
	 * only a CONNECT tunnel, and our headers go to the server alone.
	 */
	if (strncasecmp(r->url, "http://", 7) == 0)
		curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(h, CURLOPT_HTTPPROXYTUNNEL, 1L);
	curl_easy_setopt(h, CURLOPT_HEADEROPT, (long)CURLHEADER_SEPARATE);
	if (c->trace) {
		curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, on_debug);
		curl_easy_setopt(h, CURLOPT_DEBUGDATA, r);
		curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
	}
	r->headers = append(r->headers, "Accept: application/json", &err);
	/* no 100-continue round trip on larger bodies (never signed) */
	r->headers = append(r->headers, "Expect:", &err);
	if (c->auth_header)
		r->headers = append(r->headers, c->auth_header, &err);
	post = strcmp(r->method, "POST") == 0;
	if (post) {
		curl_easy_setopt(h, CURLOPT_POST, 1L);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)(r->body ? strlen(r->body) : 0));
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, r->body ? r->body : "");
	}
	if (c->auth == API_AUTH_SIGV4) {
		/* each attempt is signed afresh: a new date, and maybe
		 * refreshed credentials */
		if (err == 0)
			err = sign_into(c, r, post, &r->headers);
	} else if (post) {
		r->headers = append(r->headers, "Content-Type: application/json",
		    &err);
	}
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, r->headers);
	/*
	 * libcurl 7.88 silently resends a request, body and all, when a
	 * reused connection dies before any answer byte: for a create that
	 * can make a duplicate project.  Not only HTTP/1.1: over HTTP/2 a TCP
	 * reset (not a refused stream) after the server committed is resent
	 * too (t-apply's h2 case).  So a create always gets a connection of
	 * its own.
	 */
	if (r->create) {
		curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);
		curl_easy_setopt(h, CURLOPT_FORBID_REUSE, 1L);
	}
	return err;
}

/* ---- transport errors: cause and fix ---- */

bool
api__unreachable(CURLcode cc)
{
	return cc == CURLE_COULDNT_RESOLVE_HOST ||
	    cc == CURLE_COULDNT_RESOLVE_PROXY || cc == CURLE_COULDNT_CONNECT ||
	    cc == CURLE_SSL_CONNECT_ERROR;
}

const char *
api__transport_hint(const struct api_client *c, CURLcode cc)
{
	char *region;
	bool regional;

	switch (cc) {
	case CURLE_COULDNT_RESOLVE_HOST:
		/* a bedrock-mantle.REGION.api.aws host: the region is suspect */
		region = api_endpoint_region(c->endpoint);
		regional = region != NULL;
		free(region);
		return regional ? "; the host name does not resolve: check the "
		    "region (--region, $AWS_REGION) and DNS" :
		    "; the host name does not resolve: check --endpoint "
		    "($PROJSYNC_ENDPOINT) and DNS";
	case CURLE_COULDNT_RESOLVE_PROXY:
		return "; the proxy's name does not resolve: check $HTTPS_PROXY "
		    "/ $https_proxy";
	case CURLE_COULDNT_CONNECT:
		return "; nothing answers there: check --endpoint and the "
		    "region, and whether a proxy is needed ($HTTPS_PROXY)";
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_ISSUER_ERROR:
		return "; the server's TLS certificate is not trusted: give its "
		    "CA with --cacert FILE (or $CURL_CA_BUNDLE), e.g. the CA "
		    "of a TLS-inspecting proxy";
	case CURLE_SSL_CONNECT_ERROR:
		return "; the TLS handshake failed: check --endpoint (https to "
		    "a plain-http port?), --cacert and any proxy";
	case CURLE_OPERATION_TIMEDOUT:
		return "; no answer in time: check the network and proxy, or "
		    "allow more time with --timeout";
	default:
		return "";
	}
}

/* ---- listing ---- */

static char *
page_url(const struct api_client *c, const char *after)
{

	struct ps_buf esc = PS_BUF_INIT;
	char *url;

	/* sorted and encoded the SigV4 way: the canonical query is the
	 * query as sent */
	if (!after)
		return xasprintf("%s/organization/projects?include_archived="
		    "true&limit=100", c->endpoint);
	aws_uri_encode(&esc, after, strlen(after), false);
	url = xasprintf("%s/organization/projects?after=%s&include_archived="
	    "true&limit=100", c->endpoint, ps_buf_cstr(&esc));
	ps_buf_release(&esc);
	return url;
}

/* A hint after the API's own message for the usual auth failures. */
static const char *
status_hint(const struct api_client *c, long status)
{
	if (status == 401)
		return c->auth == API_AUTH_SIGV4 ?
		    " (the AWS credentials were rejected)" :
		    " (check the key in the environment)";
	if (status == 403)
		return " (the credentials may not be allowed to do this)";
	if (status == 404) {
		size_t n = strlen(c->endpoint);
		return n >= 3 && strcmp(c->endpoint + n - 3, "/v1") == 0 ?
		    " (no projects route here: is this the Projects API's base "
		    "URL, https://bedrock-mantle.REGION.api.aws/v1?)" :
		    " (the base URL must end in /v1, e.g. "
		    "https://bedrock-mantle.REGION.api.aws/v1)";
	}
	return "";
}

int
api_list_projects(struct api_client *c, struct live_state *out)
{
	struct live_state st = LIVE_STATE_INIT;
	char **cursors = NULL;
	size_t ncursors = 0, alloc = 0, i;
	char *after = NULL;
	unsigned pages = 0;
	int err = 0;

	for (;;) {
		struct api__req r = { 0 };
		bool more = false;
		char *what, *next = NULL;

		if (++pages > API_MAX_PAGES) {
			err = ps_error(PS_EHTTP, "GET %s/organization/projects: "
			    "more than %u pages; stopping (is the server "
			    "looping?)", c->endpoint, API_MAX_PAGES);
			break;
		}
		r.method = "GET";
		r.url = page_url(c, after);
		what = xasprintf("GET %s", r.url);
		err = api__run(c, &r, 1, 1, NULL);
		if (err == 0 && r.outcome != API_DONE)
			err = ps_error(PS_EHTTP, "%s: %s%s", what,
			    r.error ? r.error : "failed",
			    status_hint(c, r.status));
		if (err == 0)
			err = live_parse_list_page(&st, &more, &next,
			    r.resp.ptr, r.resp.len, what);
		free(what);
		api__req_release(&r);
		if (err < 0)
			break;
		if (!more) {
			free(next);
			break;
		}
		for (i = 0; i < ncursors; i++)
			if (strcmp(cursors[i], next) == 0)
				break;
		if (i < ncursors) {
			err = ps_error(PS_EHTTP, "GET %s/organization/projects: "
			    "the server returned the cursor '%s' twice; "
			    "stopping (is it looping?)", c->endpoint, next);
			free(next);
			break;
		}
		xgrow(&cursors, &alloc, ncursors + 1, sizeof(*cursors));
		cursors[ncursors++] = next;
		after = next;
	}
	for (i = 0; i < ncursors; i++)
		free(cursors[i]);
	free(cursors);
	if (err < 0) {
		live_state_release(&st);
		return err;
	}
	for (i = 0; i < st.nr; i++)
		live_state_add(out, &st.items[i]);
	free(st.items);
	return 0;
}

int
api_probe(struct api_client *c, struct api_probe *out)
{
	struct api__req r = { 0 };
	int64_t t0;
	int err;

	memset(out, 0, sizeof(*out));
	r.method = "GET";
	r.url = xasprintf("%s/organization/projects?include_archived=true&"
	    "limit=1", c->endpoint);
	t0 = api__now_us();
	err = api__run(c, &r, 1, 1, NULL);
	out->elapsed_ms = (long)((api__now_us() - t0) / 1000);
	out->status = r.status;
	if (r.date)
		out->server_date = curl_getdate(r.date, NULL);
	if (out->server_date < 0)
		out->server_date = 0;
	if (err == 0 && r.outcome != API_DONE)
		out->error = xasprintf("%s%s", r.error ? r.error : "failed",
		    status_hint(c, r.status));
	api__req_release(&r);
	return err;
}

void
api_probe_release(struct api_probe *p)
{
	free(p->error);
	p->error = NULL;
}

char *
api_libcurl_version(void)
{
	const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);

	return xasprintf("%s (%s)", v->version,
	    v->ssl_version ? v->ssl_version : "no TLS");
}
