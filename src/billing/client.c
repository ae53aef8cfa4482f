/*
 * billing: the Cost Explorer client.  One blocking libcurl easy handle,
 * reused for every request (Cost Explorer calls are few and sequential:
 * every page depends on the last one's token).
 */
#include "billing/billing.h"
#include "api/api.h"
#include "aws/aws.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define TARGET_PREFIX	"AWSInsightsIndexService."
#define DEFAULT_ATTEMPTS 8

struct billing_client {
	char *endpoint;		/* no trailing slash */
	char *region;		/* signing region */
	struct aws_provider *provider;	/* the AWS credential chain */
	char *cacert;
	CURL *h;
	unsigned long requests;
	unsigned max_attempts;
	unsigned timeout_ms;
	double retry_scale;
	uint64_t rng;
	char *err_code, *err_message;
	void (*trace)(const char *line, void *payload);
	void *trace_payload;
};

static const char *
env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

static void
trace(struct billing_client *c, const char *fmt, ...) PS_PRINTF(2, 3);

static void
trace(struct billing_client *c, const char *fmt, ...)
{
	va_list ap;
	char *line;

	if (!c->trace)
		return;
	va_start(ap, fmt);
	line = xvasprintf(fmt, ap);
	va_end(ap);
	c->trace(line, c->trace_payload);
	free(line);
}

int
billing_endpoint_resolve(char **out, char **signing_region,
    const char *region)
{
	bool china = region && strncmp(region, "cn-", 3) == 0;
	const char *url, *from;
	int err;

	*out = NULL;
	*signing_region = NULL;
	if ((url = env("AWS_ENDPOINT_URL_COST_EXPLORER")))
		from = "$AWS_ENDPOINT_URL_COST_EXPLORER";
	else if ((url = env("AWS_ENDPOINT_URL")))
		from = "$AWS_ENDPOINT_URL";
	else if (china)
		url = from = "https://ce.cn-northwest-1.amazonaws.com.cn";
	else
		url = from = "https://ce.us-east-1.amazonaws.com";
	if ((err = api_endpoint_check(out, url, from)) < 0)
		return err;
	/* Cost Explorer has one endpoint per partition, whatever region
	 * the projects live in */
	*signing_region = xstrdup(china ? "cn-northwest-1" : "us-east-1");
	return 0;
}

/*
 * Credentials for Cost Explorer: the AWS credential chain (aws module),
 * or only `profile` when one is given (the management account's).  They
 * are fetched once here, so a missing credential is an error before the
 * first request, and again before they expire.
 */
static int
load_credentials(struct billing_client *c, const struct billing_options *o)
{
	struct aws_chain_options co = { 0 };
	const struct aws_credentials *cr;
	int err;

	co.profile = o->profile && *o->profile ? o->profile : NULL;
	co.profile_from = o->profile_from;
	/* STS in the projects' partition: their region, else ours */
	co.region = o->region && *o->region ? o->region : c->region;
	co.cacert = c->cacert;
	co.timeout_ms = c->timeout_ms;
	if ((err = aws_provider_new(&c->provider, &co)) < 0 ||
	    (err = aws_provider_get(c->provider, time(NULL), &cr)) < 0) {
		char *why = xstrdup(ps_error_last());
		ps_error(err, "AWS credentials for Cost Explorer: %s", why);
		free(why);
		return err;
	}
	trace(c, "Cost Explorer: SigV4 (ce, %s), credentials from %s",
	    c->region, aws_provider_source(c->provider));
	return 0;
}

int
billing_client_new(struct billing_client **out,
    const struct billing_options *opts)
{
	struct billing_client *c;
	const char *scale;
	int err;

	*out = NULL;
	c = xcalloc(1, sizeof(*c));
	if ((err = billing_endpoint_resolve(&c->endpoint, &c->region,
	    opts->region)) < 0)
		goto fail;
	c->cacert = xstrdup(opts->cacert && *opts->cacert ? opts->cacert :
	    env("CURL_CA_BUNDLE") ? env("CURL_CA_BUNDLE") :
	    env("SSL_CERT_FILE"));
	c->max_attempts = opts->max_attempts ? opts->max_attempts :
	    DEFAULT_ATTEMPTS;
	c->timeout_ms = opts->timeout_ms ? opts->timeout_ms : 30000;
	c->retry_scale = 1.0;
	if ((scale = env("PROJSYNC_RETRY_SCALE"))) {
		char *end;
		double v = strtod(scale, &end);
		if (*end || !(v > 0 && v <= 10)) {
			err = ps_error(PS_EUSAGE, "$PROJSYNC_RETRY_SCALE must "
			    "be a number in (0, 10]");
			goto fail;
		}
		c->retry_scale = v;
	}
	c->trace = opts->trace;
	c->trace_payload = opts->trace_payload;
	if ((err = load_credentials(c, opts)) < 0)
		goto fail;
	c->rng = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	if (!(c->h = curl_easy_init())) {
		err = ps_error(PS_EFAIL, "cannot create a libcurl handle");
		goto fail;
	}
	*out = c;
	return 0;
fail:
	billing_client_free(c);
	return err;
}

void
billing_client_free(struct billing_client *c)
{
	if (!c)
		return;
	if (c->h)
		curl_easy_cleanup(c->h);
	aws_provider_free(c->provider);
	free(c->endpoint);
	free(c->region);
	free(c->cacert);
	free(c->err_code);
	free(c->err_message);
	free(c);
}

const char *
billing_client_endpoint(const struct billing_client *c)
{
	return c->endpoint;
}

unsigned long
billing_client_requests(const struct billing_client *c)
{
	return c->requests;
}

const char *
billing_client_error_code(const struct billing_client *c)
{
	return c->err_code ? c->err_code : "";
}

const char *
billing_client_error_message(const struct billing_client *c)
{
	return c->err_message ? c->err_message : "";
}

/* One line, control characters replaced, bounded: messages from the
 * server reach a terminal. */
static char *
one_line(const char *s, size_t max)
{
	size_t n = strlen(s), i;
	char *o = xstrndup(s, n > max ? max : n);

	for (i = 0; o[i]; i++)
		if ((unsigned char)o[i] < 0x20 || o[i] == 0x7f)
			o[i] = ' ';
	return o;
}

void
billing_parse_error(char **code, char **message, const char *body,
    size_t len)
{
	cJSON *doc = cJSON_ParseWithLength(body, len);
	const cJSON *t, *m;
	const char *hash;

	*code = *message = NULL;
	if (!cJSON_IsObject(doc))
		goto out;
	t = cJSON_GetObjectItemCaseSensitive(doc, "__type");
	if (!t)
		t = cJSON_GetObjectItemCaseSensitive(doc, "code");
	m = cJSON_GetObjectItemCaseSensitive(doc, "Message");
	if (!m)
		m = cJSON_GetObjectItemCaseSensitive(doc, "message");
	if (cJSON_IsString(t)) {
		/* "com.amazonaws.ce#LimitExceededException" -> the code;
		 * some services append ":http://internal..." */
		hash = strrchr(t->valuestring, '#');
		*code = one_line(hash ? hash + 1 : t->valuestring, 200);
		(*code)[strcspn(*code, ":")] = '\0';
	}
	if (cJSON_IsString(m))
		*message = one_line(m->valuestring, 1000);
out:
	cJSON_Delete(doc);
}

static size_t
on_body(char *data, size_t size, size_t n, void *payload)
{
	struct ps_buf *b = payload;
	size_t len = size * n;

	if (b->len + len > (16u << 20))
		return 0;	/* far beyond any Cost Explorer page */
	ps_buf_add(b, data, len);
	return len;
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
 * Sign one request with the aws module's SigV4 signer (service ce) and
 * send exactly the headers it signed: `headers` are the request's own
 * ("Name: value"), the signed list is appended to *out.
 */
static int
sign(struct billing_client *c, const char *url, const char *const *headers,
    size_t nr, const char *body, struct curl_slist **out)
{
	struct aws_sigv4_request sr = {
		.method = "POST",
		.url = url,
		.headers = headers,
		.nr_headers = nr,
		.body = body,
		.body_len = strlen(body),
		.service = "ce",
		.region = c->region,
		.now = time(NULL),
	};
	const struct aws_credentials *cr;
	struct aws_sigv4_signed sig;
	size_t i;
	int err;

	/* temporary credentials are fetched again before they expire */
	if ((err = aws_provider_get(c->provider, sr.now, &cr)) < 0 ||
	    (err = aws_sigv4_sign(&sig, &sr, cr)) < 0)
		return err;
	for (i = 0; i < sig.nr && err == 0; i++)
		*out = append(*out, sig.headers[i], &err);
	aws_sigv4_signed_release(&sig);
	return err;
}

/* One attempt: *status 0 for a transport error (message in *why). */
static int
attempt(struct billing_client *c, const char *op, const char *body,
    struct ps_buf *out, long *status, char **why)
{
	struct curl_slist *headers = NULL;
	const char *signed_headers[2];
	char *target, url[1024];
	CURLcode rc;
	int err = 0;

	*status = 0;
	*why = NULL;
	ps_buf_reset(out);
	curl_easy_reset(c->h);
	snprintf(url, sizeof(url), "%s/", c->endpoint);
	target = xasprintf("X-Amz-Target: " TARGET_PREFIX "%s", op);
	signed_headers[0] = "Content-Type: application/x-amz-json-1.1";
	signed_headers[1] = target;
	err = sign(c, url, signed_headers, 2, body, &headers);
	free(target);
	headers = append(headers, "Accept: application/json", &err);
	headers = append(headers, "Expect:", &err);
	if (err < 0)
		goto out;
	curl_easy_setopt(c->h, CURLOPT_URL, url);
	curl_easy_setopt(c->h, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(c->h, CURLOPT_POST, 1L);
	curl_easy_setopt(c->h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c->h, CURLOPT_POSTFIELDSIZE_LARGE,
	    (curl_off_t)strlen(body));
	curl_easy_setopt(c->h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c->h, CURLOPT_WRITEDATA, out);
	curl_easy_setopt(c->h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c->h, CURLOPT_TIMEOUT_MS, (long)c->timeout_ms);
	curl_easy_setopt(c->h, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
	curl_easy_setopt(c->h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c->h, CURLOPT_USERAGENT, "projsync/" PROJSYNC_VERSION);
	/* as the api module: a proxy never sees a request in clear */
	if (strncmp(url, "http://", 7) == 0)
		curl_easy_setopt(c->h, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(c->h, CURLOPT_HTTPPROXYTUNNEL, 1L);
	if (c->cacert)
		curl_easy_setopt(c->h, CURLOPT_CAINFO, c->cacert);
	c->requests++;
	trace(c, "> POST %s X-Amz-Target: " TARGET_PREFIX "%s (%zu bytes)",
	    url, op, strlen(body));
	rc = curl_easy_perform(c->h);
	if (rc != CURLE_OK) {
		*why = xstrdup(curl_easy_strerror(rc));
		trace(c, "< %s", *why);
	} else {
		curl_easy_getinfo(c->h, CURLINFO_RESPONSE_CODE, status);
		trace(c, "< HTTP %ld (%zu bytes)", *status, out->len);
	}
out:
	curl_slist_free_all(headers);
	return err;
}

int
billing_call(struct billing_client *c, const char *op, const char *body,
    struct ps_buf *out)
{
	unsigned n;
	long status = 0;
	char *why = NULL, *code = NULL, *msg = NULL;
	int err = 0;

	free(c->err_code);
	free(c->err_message);
	c->err_code = c->err_message = NULL;
	for (n = 0; n < c->max_attempts; n++) {
		bool retry;
		if (n) {
			double ms = api_backoff_ms(n - 1, &c->rng) *
			    c->retry_scale;
			struct timespec ts = { (time_t)(ms / 1000),
			    (long)((ms - (double)(time_t)(ms / 1000) * 1000) *
			    1e6) };
			trace(c, "  retrying %s in %.0f ms", op, ms);
			nanosleep(&ts, NULL);
		}
		free(why);
		free(code);
		free(msg);
		code = msg = NULL;
		if ((err = attempt(c, op, body, out, &status, &why)) < 0)
			goto out;
		if (status == 200)
			goto out;
		if (status)
			billing_parse_error(&code, &msg, out->ptr, out->len);
		/* Cost Explorer throttles with a 400 LimitExceededException */
		retry = !status || status >= 500 || status == 429 ||
		    (code && (strcmp(code, "LimitExceededException") == 0 ||
		    strcmp(code, "ThrottlingException") == 0));
		if (!retry)
			break;
	}
	if (!status) {
		err = ps_error(PS_EHTTP, "Cost Explorer %s: %s (%s)", op,
		    why ? why : "no answer", c->endpoint);
	} else {
		c->err_code = xstrdup(code ? code : "");
		c->err_message = xstrdup(msg ? msg : "");
		err = ps_error(PS_EHTTP, "Cost Explorer %s: HTTP %ld%s%s%s%s%s",
		    op, status, code ? ": " : "", code ? code : "",
		    msg ? ": " : "", msg ? msg : "",
		    n == c->max_attempts ? " (gave up after retries)" : "");
	}
out:
	free(why);
	free(code);
	free(msg);
	return err;
}
