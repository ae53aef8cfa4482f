/*
 * Unit tests for the api module: endpoint resolution, credentials, paging,
 * retries, creates that are never resent, concurrency, tracing.  A canned
 * HTTP server (libmicrohttpd, one thread per connection) inside the test
 * answers from a script and records what it received.  Retry delays run
 * at 1/100 (api_options.retry_scale) to keep the suite fast.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api/internal.h"

#define KEY	"sekrit-key-0123456789"
#define MAXREC	512

struct reply {
	unsigned status;	/* 0: close the connection without answering */
	const char *body;
	const char *hname, *hval;	/* one extra header, or NULL */
	unsigned sleep_ms;
};

struct rec {
	char method[8];
	char url[256];
	char after[128];
	char auth[512];
	char xapikey[128];
	char token[128];
	char body[2048];
	unsigned client_port;
	int64_t at_us;
};

struct srv;
typedef void (*handler_fn)(struct srv *s, const struct rec *rq, unsigned i,
    struct reply *out, char **owned_body);

struct srv {
	struct MHD_Daemon *d;
	char base[64];		/* http://127.0.0.1:PORT/v1 */
	pthread_mutex_t mu;
	const struct reply *script;
	size_t script_nr;
	handler_fn fn;
	void *data;
	unsigned n;
	struct rec rec[MAXREC];
	int cur, maxcur;
};

struct conn_ctx {
	struct ps_buf body;
};

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	struct srv *s = cls;
	struct conn_ctx *cc = *con_cls;
	struct reply rp = { 0 };
	struct rec rq;
	struct MHD_Response *resp;
	const union MHD_ConnectionInfo *ci;
	const char *v;
	char *owned = NULL;
	unsigned i;
	enum MHD_Result ret;

	(void)version;
	if (!cc) {
		*con_cls = cc = xcalloc(1, sizeof(*cc));
		return MHD_YES;
	}
	if (*upload_size) {
		ps_buf_add(&cc->body, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	memset(&rq, 0, sizeof(rq));
	snprintf(rq.method, sizeof(rq.method), "%s", method);
	snprintf(rq.url, sizeof(rq.url), "%s", url);
	if ((v = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND,
	    "after")))
		snprintf(rq.after, sizeof(rq.after), "%s", v);
	if ((v = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    "Authorization")))
		snprintf(rq.auth, sizeof(rq.auth), "%s", v);
	if ((v = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    "x-api-key")))
		snprintf(rq.xapikey, sizeof(rq.xapikey), "%s", v);
	if ((v = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    "x-amz-security-token")))
		snprintf(rq.token, sizeof(rq.token), "%s", v);
	snprintf(rq.body, sizeof(rq.body), "%s", ps_buf_cstr(&cc->body));
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci && ci->client_addr->sa_family == AF_INET)
		rq.client_port = ntohs(((const struct sockaddr_in *)
		    (const void *)ci->client_addr)->sin_port);
	rq.at_us = api__now_us();

	pthread_mutex_lock(&s->mu);
	i = s->n++;
	if (i < MAXREC)
		s->rec[i] = rq;
	if (++s->cur > s->maxcur)
		s->maxcur = s->cur;
	if (s->fn)
		s->fn(s, &rq, i, &rp, &owned);
	else if (s->script_nr)
		rp = s->script[i < s->script_nr ? i : s->script_nr - 1];
	pthread_mutex_unlock(&s->mu);

	if (rp.sleep_ms)
		usleep(rp.sleep_ms * 1000);
	pthread_mutex_lock(&s->mu);
	s->cur--;
	pthread_mutex_unlock(&s->mu);
	if (rp.status == 0) {
		free(owned);
		return MHD_NO;	/* close without an answer */
	}
	v = owned ? owned : rp.body ? rp.body : "";
	resp = MHD_create_response_from_buffer(strlen(v), (void *)v,
	    MHD_RESPMEM_MUST_COPY);
	MHD_add_response_header(resp, "Content-Type", "application/json");
	if (rp.hname)
		MHD_add_response_header(resp, rp.hname, rp.hval);
	ret = MHD_queue_response(conn, rp.status, resp);
	MHD_destroy_response(resp);
	free(owned);
	return ret;
}

static void
on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct conn_ctx *cc = *con_cls;

	(void)cls;
	(void)conn;
	(void)toe;
	if (cc) {
		ps_buf_release(&cc->body);
		free(cc);
		*con_cls = NULL;
	}
}

static struct srv *
srv_start(const struct reply *script, size_t nr, handler_fn fn, void *data)
{
	struct srv *s = xcalloc(1, sizeof(*s));
	const union MHD_DaemonInfo *di;

	pthread_mutex_init(&s->mu, NULL);
	s->script = script;
	s->script_nr = nr;
	s->fn = fn;
	s->data = data;
	s->d = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION |
	    MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL,
	    on_request, s, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
	    MHD_OPTION_SOCK_ADDR, NULL, MHD_OPTION_END);
	assert_non_null(s->d);
	di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	snprintf(s->base, sizeof(s->base), "http://127.0.0.1:%u/v1",
	    (unsigned)di->port);
	return s;
}

static void
srv_stop(struct srv *s)
{
	MHD_stop_daemon(s->d);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

/* Trace lines collected for assertions. */
static void
trace_to_buf(const char *line, void *payload)
{
	ps_buf_addf(payload, "%s\n", line);
}

static void
clear_env(void)
{
	unsetenv("PROJSYNC_ENDPOINT");
	unsetenv("OPENAI_BASE_URL");
	unsetenv("AWS_REGION");
	unsetenv("AWS_DEFAULT_REGION");
	unsetenv("PROJSYNC_API_KEY");
	unsetenv("AWS_BEARER_TOKEN_BEDROCK");
	unsetenv("OPENAI_API_KEY");
	unsetenv("AWS_ACCESS_KEY_ID");
	unsetenv("AWS_SECRET_ACCESS_KEY");
	unsetenv("AWS_SESSION_TOKEN");
	unsetenv("PROJSYNC_RETRY_SCALE");
	unsetenv("CURL_CA_BUNDLE");
	unsetenv("SSL_CERT_FILE");
	/* the AWS credential chain finds nothing of this machine's */
	unsetenv("AWS_PROFILE");
	unsetenv("AWS_ROLE_ARN");
	unsetenv("AWS_WEB_IDENTITY_TOKEN_FILE");
	unsetenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
	unsetenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	setenv("AWS_CONFIG_FILE", "/nonexistent/projsync-test/config", 1);
	setenv("AWS_SHARED_CREDENTIALS_FILE",
	    "/nonexistent/projsync-test/credentials", 1);
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
}

static int
setup(void **state)
{
	(void)state;
	clear_env();
	setenv("PROJSYNC_API_KEY", KEY, 1);
	return 0;
}

static struct api_client *
client_for(const struct srv *s, struct ps_buf *trace)
{
	struct api_options o = { 0 };
	struct api_client *c = NULL;

	o.endpoint = s->base;
	o.retry_scale = 0.01;
	o.max_attempts = 4;
	o.timeout_ms = 5000;
	if (trace) {
		o.trace = trace_to_buf;
		o.trace_payload = trace;
	}
	assert_int_equal(api_client_new(&c, &o), 0);
	return c;
}

/* ---------------------------------------------------------------- */

static void
test_api__endpoint_precedence(void **state)
{
	char *e = NULL;

	(void)state;
	assert_int_equal(api_endpoint_resolve(&e, NULL, NULL, NULL, NULL), PS_EUSAGE);
	assert_null(e);
	assert_non_null(strstr(ps_error_last(), "--region"));

	setenv("AWS_DEFAULT_REGION", "eu-west-3", 1);
	assert_int_equal(api_endpoint_resolve(&e, NULL, NULL, NULL, NULL), 0);
	assert_string_equal(e, "https://bedrock-mantle.eu-west-3.api.aws/v1");
	free(e);
	setenv("AWS_REGION", "eu-west-1", 1);
	assert_int_equal(api_endpoint_resolve(&e, NULL, NULL, NULL, NULL), 0);
	assert_string_equal(e, "https://bedrock-mantle.eu-west-1.api.aws/v1");
	free(e);
	assert_int_equal(api_endpoint_resolve(&e, NULL, NULL, "ap-south-1", NULL), 0);
	assert_string_equal(e, "https://bedrock-mantle.ap-south-1.api.aws/v1");
	free(e);
	assert_int_equal(api_endpoint_resolve(&e, NULL, "us-west-2",
	    "ap-south-1", NULL), 0);
	assert_string_equal(e, "https://bedrock-mantle.us-west-2.api.aws/v1");
	free(e);
	setenv("OPENAI_BASE_URL", "https://openai.example/v1/", 1);
	assert_int_equal(api_endpoint_resolve(&e, NULL, "us-west-2", NULL, NULL), 0);
	assert_string_equal(e, "https://openai.example/v1");
	free(e);
	setenv("PROJSYNC_ENDPOINT", "http://127.0.0.1:4010/v1//", 1);
	assert_int_equal(api_endpoint_resolve(&e, NULL, NULL, NULL, NULL), 0);
	assert_string_equal(e, "http://127.0.0.1:4010/v1");
	free(e);
	assert_int_equal(api_endpoint_resolve(&e, "https://flag.example/v1",
	    NULL, NULL, NULL), 0);
	assert_string_equal(e, "https://flag.example/v1");
	free(e);
	/* a bad region never becomes a host name */
	unsetenv("PROJSYNC_ENDPOINT");
	unsetenv("OPENAI_BASE_URL");
	assert_int_equal(api_endpoint_resolve(&e, NULL, "evil.com/x?", NULL, NULL),
	    PS_EUSAGE);
	assert_null(e);
}

static void
test_api__endpoint_http_only_to_loopback(void **state)
{
	static const char *const ok[] = {
		"http://127.0.0.1:1/v1", "http://127.9.8.7/v1",
		"http://localhost:8080/v1", "http://[::1]:9/v1",
		"https://example.com/v1", "HTTPS://Example.COM/v1",
	};
	static const char *const bad[] = {
		"http://example.com/v1", "http://10.0.0.1/v1",
		"http://128.0.0.1/v1", "http://localhost.evil.com/v1",
		"http://[::2]/v1", "ftp://127.0.0.1/v1", "not a url",
		"https://example.com/v1?x=1", "127.0.0.1:4010/v1",
	};
	size_t i;
	char *e;

	(void)state;
	for (i = 0; i < PS_ARRAY_SIZE(ok); i++) {
		assert_int_equal(api_endpoint_resolve(&e, ok[i], NULL, NULL, NULL), 0);
		free(e);
	}
	for (i = 0; i < PS_ARRAY_SIZE(bad); i++) {
		assert_int_equal(api_endpoint_resolve(&e, bad[i], NULL, NULL, NULL),
		    PS_EUSAGE);
		assert_null(e);
	}
	assert_int_equal(api_endpoint_resolve(&e, "http://example.com/v1",
	    NULL, NULL, NULL), PS_EUSAGE);
	assert_non_null(strstr(ps_error_last(), "loopback"));
	/* credentials in the URL: refused, and never echoed */
	assert_int_equal(api_endpoint_resolve(&e,
	    "https://user:hunter2pass@example.com/v1", NULL, NULL, NULL), PS_EUSAGE);
	assert_null(strstr(ps_error_last(), "hunter2pass"));
}

static void
test_api__endpoint_region_and_auth_parse(void **state)
{
	enum api_auth a;
	char *r;

	(void)state;
	r = api_endpoint_region("https://bedrock-mantle.eu-central-1.api.aws/v1");
	assert_string_equal(r, "eu-central-1");
	free(r);
	assert_null(api_endpoint_region("http://127.0.0.1:4010/v1"));
	assert_null(api_endpoint_region("https://bedrock-mantle..api.aws/v1"));
	assert_int_equal(api_auth_parse(&a, "bearer"), 0);
	assert_int_equal(a, API_AUTH_BEARER);
	assert_int_equal(api_auth_parse(&a, "x-api-key"), 0);
	assert_int_equal(a, API_AUTH_X_API_KEY);
	assert_int_equal(api_auth_parse(&a, "SigV4"), 0);
	assert_int_equal(a, API_AUTH_SIGV4);
	assert_int_equal(api_auth_parse(&a, "basic"), PS_EUSAGE);
	assert_non_null(strstr(ps_error_last(), "basic"));
}

static void
test_api__credentials_from_environment(void **state)
{
	static const struct reply ok = { 200, "{\"object\":\"list\",\"data\":[],"
	    "\"has_more\":false}", NULL, NULL, 0 };
	struct srv *s = srv_start(&ok, 1, NULL, NULL);
	struct api_options o = { 0 };
	struct live_state st = LIVE_STATE_INIT;
	struct api_client *c = NULL;

	(void)state;
	clear_env();
	o.endpoint = s->base;
	assert_int_equal(api_client_new(&c, &o), PS_EUSAGE);
	assert_null(c);
	assert_non_null(strstr(ps_error_last(), "PROJSYNC_API_KEY"));

	/* the order: PROJSYNC_API_KEY, AWS_BEARER_TOKEN_BEDROCK, OPENAI_API_KEY */
	setenv("OPENAI_API_KEY", "openai-key", 1);
	setenv("AWS_BEARER_TOKEN_BEDROCK", "bedrock-key", 1);
	assert_int_equal(api_client_new(&c, &o), 0);
	assert_int_equal(api_list_projects(c, &st), 0);
	api_client_free(c);
	assert_string_equal(s->rec[0].auth, "Bearer bedrock-key");
	setenv("PROJSYNC_API_KEY", "projsync-key", 1);
	o.auth = API_AUTH_X_API_KEY;
	assert_int_equal(api_client_new(&c, &o), 0);
	assert_int_equal(api_list_projects(c, &st), 0);
	api_client_free(c);
	assert_string_equal(s->rec[1].xapikey, "projsync-key");
	assert_string_equal(s->rec[1].auth, "");

	/* a header injection through the key is refused */
	setenv("PROJSYNC_API_KEY", "a\r\nX-Evil: 1", 1);
	o.auth = API_AUTH_BEARER;
	assert_int_equal(api_client_new(&c, &o), PS_EUSAGE);
	live_state_release(&st);
	srv_stop(s);
}

static void
test_api__sigv4_signs_for_bedrock_mantle(void **state)
{
	static const struct reply ok = { 200, "{\"object\":\"list\",\"data\":[],"
	    "\"has_more\":false}", NULL, NULL, 0 };
	struct srv *s = srv_start(&ok, 1, NULL, NULL);
	struct api_options o = { 0 };
	struct live_state st = LIVE_STATE_INIT;
	struct api_client *c = NULL;

	(void)state;
	clear_env();
	o.endpoint = s->base;
	o.auth = API_AUTH_SIGV4;
	assert_int_equal(api_client_new(&c, &o), PS_EUSAGE);
	assert_non_null(strstr(ps_error_last(), "AWS_ACCESS_KEY_ID"));
	setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG", 1);
	setenv("AWS_SESSION_TOKEN", "session-token-xyz", 1);
	/* loopback endpoint: no region in the host name */
	assert_int_equal(api_client_new(&c, &o), PS_EUSAGE);
	assert_non_null(strstr(ps_error_last(), "region"));
	setenv("AWS_REGION", "us-east-1", 1);
	assert_int_equal(api_client_new(&c, &o), 0);
	assert_int_equal(api_list_projects(c, &st), 0);
	api_client_free(c);
	assert_true(strncmp(s->rec[0].auth, "AWS4-HMAC-SHA256 Credential="
	    "AKIDEXAMPLE/", 40) == 0);
	assert_non_null(strstr(s->rec[0].auth,
	    "/us-east-1/bedrock-mantle/aws4_request"));
	assert_non_null(strstr(s->rec[0].auth, "x-amz-security-token"));
	assert_null(strstr(s->rec[0].auth, "wJalrXUtnFEMI"));
	assert_string_equal(s->rec[0].token, "session-token-xyz");
	live_state_release(&st);
	srv_stop(s);
}

/* ---- paging ---- */

struct pager {
	unsigned total;		/* projects besides default */
	bool loop;		/* always answer the first page */
};

static void
page_handler(struct srv *s, const struct rec *rq, unsigned i,
    struct reply *out, char **owned)
{
	struct pager *pg = s->data;
	struct ps_buf b = PS_BUF_INIT;
	unsigned start = 0, k, n;

	(void)i;
	if (rq->after[0] && !pg->loop)
		start = (unsigned)atoi(rq->after + 5) + 2;	/* proj_N is k=N+1 */
	n = pg->total + 1 - start;
	if (n > 100)
		n = 100;
	/* first_id/last_id deliberately wrong, like the vendor examples */
	ps_buf_adds(&b, "{\"object\":\"list\",\"first_id\":\"proj-abc\","
	    "\"last_id\":\"nonsense\",\"data\":[");
	for (k = start; k < start + n; k++) {
		if (k > start)
			ps_buf_addch(&b, ',');
		if (k == 0)
			ps_buf_adds(&b, "{\"id\":\"default\",\"name\":\"default\","
			    "\"tags\":{},\"status\":\"active\"}");
		else if (k % 3 == 0)	/* only the id; the rest missing */
			ps_buf_addf(&b, "{\"id\":\"proj_%u\"}", k - 1);
		else if (k % 3 == 1)	/* nulls and unknown fields */
			ps_buf_addf(&b, "{\"id\":\"proj_%u\",\"name\":null,"
			    "\"tags\":null,\"archived_at\":null,\"status\":null,"
			    "\"residency\":{\"x\":[1,2]},\"future\":true}", k - 1);
		else
			ps_buf_addf(&b, "{\"id\":\"proj_%u\",\"object\":"
			    "\"organization.project\",\"name\":\"P%u\",\"status\":"
			    "\"archived\",\"archived_at\":1700000000,"
			    "\"created_at\":1690000000,\"tags\":{\"Team\":\"T\"}}",
			    k - 1, k - 1);
	}
	ps_buf_addf(&b, "],\"has_more\":%s}", start + n < pg->total + 1 ?
	    "true" : "false");
	out->status = 200;
	*owned = ps_buf_detach(&b);
}

static void
test_api__list_pages_leniently(void **state)
{
	struct pager pg = { 250, false };
	struct srv *s = srv_start(NULL, 0, page_handler, &pg);
	struct api_client *c = client_for(s, NULL);
	struct live_state st = LIVE_STATE_INIT;
	const struct live_project *p;

	(void)state;
	assert_int_equal(api_list_projects(c, &st), 0);
	assert_int_equal(st.nr, 251);
	/* ceil(251/100) requests, each asking for archived ones too */
	assert_int_equal(s->n, 3);
	assert_int_equal(api_client_requests(c), 3);
	assert_string_equal(s->rec[0].url, "/v1/organization/projects");
	assert_string_equal(s->rec[0].after, "");
	assert_string_equal(s->rec[1].after, "proj_98");	/* not last_id */
	assert_string_equal(s->rec[2].after, "proj_198");
	assert_string_equal(st.items[0].id, "default");
	p = live_state_find(&st, "proj_2");	/* only the id */
	assert_non_null(p);
	assert_null(p->name);
	assert_int_equal(p->tags.nr, 0);
	p = live_state_find(&st, "proj_3");	/* nulls */
	assert_null(p->name);
	assert_false(p->archived);
	p = live_state_find(&st, "proj_4");
	assert_string_equal(p->name, "P4");
	assert_true(p->archived);
	assert_string_equal(tag_set_get(&p->tags, "Team"), "T");
	live_state_release(&st);
	api_client_free(c);
	srv_stop(s);
}

static void
test_api__list_refuses_a_looping_server(void **state)
{
	struct pager pg = { 250, true };
	struct srv *s = srv_start(NULL, 0, page_handler, &pg);
	struct api_client *c = client_for(s, NULL);
	struct live_state st = LIVE_STATE_INIT;

	(void)state;
	assert_int_equal(api_list_projects(c, &st), PS_EHTTP);
	assert_non_null(strstr(ps_error_last(), "twice"));
	assert_int_equal(st.nr, 0);
	assert_true(s->n <= 3);
	live_state_release(&st);
	api_client_free(c);
	srv_stop(s);
}

static void
test_api__list_malformed_answers_are_clear_errors(void **state)
{
	static const struct {
		const char *body;
		const char *expect;
	} cases[] = {
		{ "{\"object\":\"list\",\"data\":[{\"id\":\"proj_1\"", "not valid JSON" },
		{ "<html><body>502 Bad Gateway</body></html>", "not valid JSON" },
		{ "", "empty body" },
		{ "[1,2,3]", "list object" },
		{ "{\"data\":{}}", "'data'" },
		{ "{\"data\":[],\"has_more\":\"yes\"}", "has_more" },
		{ "{\"data\":[{\"id\":7}]}", "'id'" },
		{ "{\"data\":[{\"id\":\"proj_1\",\"tags\":[\"a\"]}]}", "'tags'" },
		{ "{\"data\":[{\"id\":\"proj_1\",\"tags\":{\"k\":1}}]}", "tag 'k'" },
		{ "{\"data\":[{\"id\":\"proj_1\",\"name\":5}]}", "'name'" },
		{ "{\"data\":[],\"has_more\":true}", "no cursor" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < PS_ARRAY_SIZE(cases); i++) {
		struct reply r = { 200, cases[i].body, NULL, NULL, 0 };
		struct srv *s = srv_start(&r, 1, NULL, NULL);
		struct api_client *c = client_for(s, NULL);
		struct live_state st = LIVE_STATE_INIT;
		char *want = xasprintf("GET %s/organization/projects?", s->base);

		assert_int_equal(api_list_projects(c, &st), PS_EHTTP);
		if (!strstr(ps_error_last(), cases[i].expect) ||
		    !strstr(ps_error_last(), want))
			fail_msg("case %zu: '%s'", i, ps_error_last());
		assert_int_equal(st.nr, 0);
		assert_int_equal(s->n, 1);	/* a bad body is not retried */
		free(want);
		api_client_free(c);
		srv_stop(s);
	}
}

static void
test_api__list_http_errors_name_the_request(void **state)
{
	static const struct reply r = { 401, "{\"error\":{\"message\":"
	    "\"Incorrect API key provided\",\"type\":\"invalid_request_error\","
	    "\"param\":null,\"code\":\"invalid_api_key\"}}", NULL, NULL, 0 };
	struct srv *s = srv_start(&r, 1, NULL, NULL);
	struct api_client *c = client_for(s, NULL);
	struct live_state st = LIVE_STATE_INIT;

	(void)state;
	assert_int_equal(api_list_projects(c, &st), PS_EHTTP);
	assert_non_null(strstr(ps_error_last(), "GET http://127.0.0.1:"));
	assert_non_null(strstr(ps_error_last(),
	    "HTTP 401: Incorrect API key provided"));
	assert_int_equal(s->n, 1);
	api_client_free(c);
	srv_stop(s);
}

/* ---- retries ---- */

static const char project_json[] = "{\"id\":\"proj_abc\",\"name\":\"A\","
    "\"status\":\"active\",\"tags\":{\"Team\":\"X\"}}";
static const char err429[] = "{\"error\":{\"message\":\"Rate limit reached "
    "for requests\",\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}}";

/* One modify call against a script; returns the call (release it). */
static void
run_one(struct srv *s, struct ps_buf *trace, enum api_op op,
    struct api_call *call, int want)
{
	struct api_client *c = client_for(s, trace);

	memset(call, 0, sizeof(*call));
	call->op = op;
	call->project_id = op == API_OP_CREATE ? NULL : "proj_abc";
	call->body = op == API_OP_ARCHIVE ? NULL : "{\"name\":\"A\"}";
	assert_int_equal(api_run_calls(c, call, 1, 4, NULL), want);
	api_client_free(c);
}

static void
test_api__retry_after_seconds_ms_and_date(void **state)
{
	struct reply script[] = {
		{ 429, err429, "Retry-After", "2", 0 },
		{ 429, err429, "retry-after-ms", "1500", 0 },
		{ 503, "{}", "Retry-After", NULL, 0 },
		{ 200, project_json, NULL, NULL, 0 },
	};
	struct ps_buf trace = PS_BUF_INIT;
	struct api_call call;
	char date[64];
	time_t t = time(NULL) + 4;
	struct tm tm;
	struct srv *s;

	(void)state;
	gmtime_r(&t, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	script[2].hval = date;
	s = srv_start(script, PS_ARRAY_SIZE(script), NULL, NULL);
	run_one(s, &trace, API_OP_MODIFY, &call, 0);
	assert_int_equal(call.outcome, API_DONE);
	assert_int_equal(call.attempts, 4);
	assert_string_equal(call.result.id, "proj_abc");
	assert_int_equal(s->n, 4);
	/* at 1/100 scale: 2 s -> 20 ms, 1500 ms -> 15 ms, ~3-4 s -> 30-40 ms */
	assert_non_null(strstr(trace.ptr, "in 20 ms (Retry-After)"));
	assert_non_null(strstr(trace.ptr, "in 15 ms (retry-after-ms)"));
	assert_true(strstr(trace.ptr, "in 30 ms (Retry-After)") ||
	    strstr(trace.ptr, "in 40 ms (Retry-After)") ||
	    strstr(trace.ptr, "in 31 ms (Retry-After)") ||
	    strstr(trace.ptr, "in 39 ms (Retry-After)"));
	assert_true(s->rec[1].at_us - s->rec[0].at_us >= 20000);
	assert_true(s->rec[2].at_us - s->rec[1].at_us >= 15000);
	api_call_release(&call);
	ps_buf_release(&trace);
	srv_stop(s);
}

static void
test_api__retry_after_over_120s_gives_up(void **state)
{
	static const struct reply script[] = {
		{ 429, err429, "Retry-After", "300", 0 },
		{ 200, project_json, NULL, NULL, 0 },
	};
	struct srv *s = srv_start(script, 2, NULL, NULL);
	struct api_call call;

	(void)state;
	run_one(s, NULL, API_OP_MODIFY, &call, PS_EPARTIAL);
	assert_int_equal(call.outcome, API_FAILED);	/* 429: nothing done */
	assert_int_equal(call.http_status, 429);
	assert_int_equal(s->n, 1);
	assert_non_null(strstr(call.error, "Rate limit reached"));
	assert_non_null(strstr(call.error, "120 s"));
	api_call_release(&call);
	srv_stop(s);
}

static void
test_api__5xx_retried_for_modify(void **state)
{
	static const struct reply script[] = {
		{ 500, "{\"error\":{\"message\":\"boom\"}}", NULL, NULL, 0 },
		{ 502, "<html>bad gateway</html>", NULL, NULL, 0 },
		{ 0, NULL, NULL, NULL, 0 },	/* connection closed */
		{ 200, project_json, NULL, NULL, 0 },
	};
	struct srv *s = srv_start(script, 4, NULL, NULL);
	struct api_call call;

	(void)state;
	run_one(s, NULL, API_OP_MODIFY, &call, 0);
	assert_int_equal(call.outcome, API_DONE);
	/* the close on a kept-alive connection is resent by libcurl itself
	 * (harmless for a modify; why creates get fresh connections) */
	assert_true(call.attempts == 3 || call.attempts == 4);
	assert_int_equal(s->n, 4);
	assert_string_equal(s->rec[3].body, "{\"name\":\"A\"}");
	api_call_release(&call);
	srv_stop(s);

	/* archive too, and the attempts are bounded (4 here) */
	s = srv_start(script, 1, NULL, NULL);
	run_one(s, NULL, API_OP_ARCHIVE, &call, PS_EPARTIAL);
	assert_int_equal(call.outcome, API_UNKNOWN);	/* a 500 may have acted */
	assert_int_equal(s->n, 4);
	assert_string_equal(s->rec[0].url, "/v1/organization/projects/proj_abc/archive");
	assert_non_null(strstr(call.error, "HTTP 500: boom"));
	assert_non_null(strstr(call.error, "4 attempts"));
	api_call_release(&call);
	srv_stop(s);
}

static void
test_api__x_should_retry_false_is_obeyed(void **state)
{
	static const struct reply script[] = {
		{ 503, "{}", "x-should-retry", "false", 0 },
		{ 200, project_json, NULL, NULL, 0 },
	};
	struct srv *s = srv_start(script, 2, NULL, NULL);
	struct api_call call;

	(void)state;
	run_one(s, NULL, API_OP_MODIFY, &call, PS_EPARTIAL);
	assert_int_equal(s->n, 1);
	assert_int_equal(call.http_status, 503);
	api_call_release(&call);
	srv_stop(s);
}

static void
test_api__4xx_never_retried(void **state)
{
	static const unsigned codes[] = { 400, 401, 403, 404 };
	size_t i;

	(void)state;
	for (i = 0; i < PS_ARRAY_SIZE(codes); i++) {
		struct reply script[] = {
			{ codes[i], "{\"error\":{\"message\":\"Project arn:x "
			    "not found\",\"type\":\"t\",\"param\":null,"
			    "\"code\":null}}", NULL, NULL, 0 },
			{ 200, project_json, NULL, NULL, 0 },
		};
		struct srv *s = srv_start(script, 2, NULL, NULL);
		struct api_call call;
		char want[64];

		run_one(s, NULL, API_OP_MODIFY, &call, PS_EPARTIAL);
		assert_int_equal(s->n, 1);
		assert_int_equal(call.outcome, API_FAILED);
		assert_int_equal(call.http_status, codes[i]);
		snprintf(want, sizeof(want), "HTTP %u: Project arn:x not found",
		    codes[i]);
		assert_string_equal(call.error, want);
		api_call_release(&call);
		srv_stop(s);
	}
}

static void
test_api__create_is_never_resent_after_it_may_have_arrived(void **state)
{
	static const struct reply r500[] = { { 500, "{}", NULL, NULL, 0 },
		{ 200, project_json, NULL, NULL, 0 } };
	static const struct reply rdrop[] = { { 0, NULL, NULL, NULL, 0 },
		{ 200, project_json, NULL, NULL, 0 } };
	static const struct reply r503[] = { { 503, "{}", "Retry-After", "1", 0 },
		{ 200, project_json, NULL, NULL, 0 } };
	const struct reply *const scripts[] = { r500, rdrop, r503 };
	size_t i;

	(void)state;
	for (i = 0; i < PS_ARRAY_SIZE(scripts); i++) {
		struct srv *s = srv_start(scripts[i], 2, NULL, NULL);
		struct api_call call;

		run_one(s, NULL, API_OP_CREATE, &call, PS_EPARTIAL);
		assert_int_equal(call.outcome, API_UNKNOWN);
		assert_int_equal(s->n, 1);	/* exactly one request */
		assert_non_null(strstr(call.error, "may exist"));
		api_call_release(&call);
		srv_stop(s);
	}
}

static void
test_api__create_retried_when_certainly_not_processed(void **state)
{
	static const struct reply script[] = {
		{ 429, err429, "retry-after-ms", "10", 0 },
		{ 408, "{}", NULL, NULL, 0 },
		{ 200, project_json, NULL, NULL, 0 },
	};
	struct srv *s = srv_start(script, 3, NULL, NULL);
	struct api_options o = { 0 };
	struct api_client *c;
	struct api_call call;

	(void)state;
	run_one(s, NULL, API_OP_CREATE, &call, 0);
	assert_int_equal(call.outcome, API_DONE);
	assert_int_equal(s->n, 3);
	assert_string_equal(call.result.name, "A");
	api_call_release(&call);
	srv_stop(s);

	/* a refused connection sent nothing: retried, then a definite
	 * failure; an unreachable endpoint gets 2 attempts, not max_attempts */
	o.endpoint = "http://127.0.0.1:1/v1";
	o.retry_scale = 0.01;
	o.max_attempts = 3;
	assert_int_equal(api_client_new(&c, &o), 0);
	memset(&call, 0, sizeof(call));
	call.op = API_OP_CREATE;
	call.body = "{\"name\":\"A\"}";
	assert_int_equal(api_run_calls(c, &call, 1, 1, NULL), PS_EPARTIAL);
	assert_int_equal(call.outcome, API_FAILED);
	assert_int_equal(call.attempts, 2);
	assert_int_equal(api_client_requests(c), 2);
	assert_non_null(strstr(call.error, "nothing answers there"));
	api_call_release(&call);
	api_client_free(c);
}

static void
test_api__creates_travel_on_fresh_connections(void **state)
{
	static const struct reply ok = { 200, project_json, NULL, NULL, 0 };
	struct srv *s = srv_start(&ok, 1, NULL, NULL);
	struct api_client *c = client_for(s, NULL);
	struct api_call calls[8];
	size_t i, j;

	(void)state;
	memset(calls, 0, sizeof(calls));
	for (i = 0; i < 8; i++) {
		calls[i].op = i < 4 ? API_OP_MODIFY : API_OP_CREATE;
		calls[i].project_id = "proj_abc";
		calls[i].body = "{\"name\":\"A\"}";
	}
	/* one at a time: modifies share a kept-alive connection */
	assert_int_equal(api_run_calls(c, calls, 4, 1, NULL), 0);
	assert_int_equal(s->rec[0].client_port, s->rec[3].client_port);
	assert_int_equal(api_run_calls(c, calls + 4, 4, 1, NULL), 0);
	for (i = 4; i < 8; i++)
		for (j = 0; j < i; j++)
			assert_int_not_equal(s->rec[i].client_port,
			    s->rec[j].client_port);
	for (i = 0; i < 8; i++)
		api_call_release(&calls[i]);
	api_client_free(c);
	srv_stop(s);
}

static void
test_api__concurrency_is_bounded(void **state)
{
	static const struct reply slow = { 200, project_json, NULL, NULL, 30 };
	struct srv *s = srv_start(&slow, 1, NULL, NULL);
	struct api_client *c = client_for(s, NULL);
	struct api_call calls[24];
	size_t i;

	(void)state;
	memset(calls, 0, sizeof(calls));
	for (i = 0; i < 24; i++) {
		calls[i].op = API_OP_MODIFY;
		calls[i].project_id = "proj_abc";
		calls[i].body = "{\"name\":\"A\"}";
	}
	assert_int_equal(api_run_calls(c, calls, 24, 4, NULL), 0);
	assert_int_equal(s->n, 24);
	/* concurrent, never past the limit; how fast that is, is measured
	 * by bench/ (apply of 1,000 creates), not asserted here */
	assert_true(s->maxcur <= 4);
	assert_true(s->maxcur >= 3);
	for (i = 0; i < 24; i++) {
		assert_int_equal(calls[i].outcome, API_DONE);
		api_call_release(&calls[i]);
	}
	api_client_free(c);
	srv_stop(s);
}

static void
test_api__credentials_never_in_trace_or_errors(void **state)
{
	static const struct reply script[] = {
		{ 401, "{\"error\":{\"message\":\"Incorrect API key provided: "
		    KEY "\"}}", NULL, NULL, 0 },
	};
	struct srv *s = srv_start(script, 1, NULL, NULL);
	struct ps_buf trace = PS_BUF_INIT;
	struct api_call call;
	struct api_client *c = client_for(s, &trace);
	struct live_state st = LIVE_STATE_INIT;

	(void)state;
	run_one(s, &trace, API_OP_MODIFY, &call, PS_EPARTIAL);
	assert_int_equal(api_list_projects(c, &st), PS_EHTTP);
	assert_null(strstr(ps_error_last(), KEY));
	assert_null(strstr(call.error, KEY));
	assert_non_null(strstr(call.error, "<redacted>"));
	assert_null(strstr(trace.ptr, KEY));
	assert_non_null(strstr(trace.ptr, "Authorization: Bearer <redacted>"));
	assert_non_null(strstr(trace.ptr, "POST " ));
	assert_non_null(strstr(trace.ptr, "-> 401 in "));
	/* the server did get the key */
	assert_string_equal(s->rec[0].auth, "Bearer " KEY);
	api_call_release(&call);
	ps_buf_release(&trace);
	api_client_free(c);
	srv_stop(s);
}

/*
 * A server that accepts and never answers is not a blip: after two
 * timed-out attempts the call gives up, naming the request, instead of
 * max_attempts * timeout (8 * 30 s by default).
 */
static void
test_api__silent_server_costs_two_timeouts_not_max_attempts(void **state)
{
	static const struct reply silent = { 200, project_json, NULL, NULL,
		1500 };
	struct srv *s = srv_start(&silent, 1, NULL, NULL);
	struct live_state st = LIVE_STATE_INIT;
	struct api_options o = { 0 };
	struct api_client *c;
	struct api_call call = { 0 };

	(void)state;
	o.endpoint = s->base;
	o.retry_scale = 0.01;
	o.max_attempts = 6;
	o.timeout_ms = 150;
	assert_int_equal(api_client_new(&c, &o), 0);
	assert_int_equal(api_list_projects(c, &st), PS_EHTTP);
	/* two attempts, not six: what bounds the time, without timing it */
	assert_int_equal(api_client_requests(c), 2);
	assert_non_null(strstr(ps_error_last(), "GET http://127.0.0.1:"));
	assert_non_null(strstr(ps_error_last(), "timed out"));
	assert_non_null(strstr(ps_error_last(), "gave up after 2 attempts"));

	call.op = API_OP_MODIFY;
	call.project_id = "proj_abc";
	call.body = "{\"name\":\"A\"}";
	assert_int_equal(api_run_calls(c, &call, 1, 1, NULL), PS_EPARTIAL);
	assert_int_equal(call.attempts, 2);
	assert_int_equal(call.outcome, API_UNKNOWN);	/* it may have acted */
	api_call_release(&call);
	api_client_free(c);
	srv_stop(s);
}

/*
 * A call that succeeds after a retry carries no error from the failed
 * attempt, and one whose 2xx body is unreadable gets exactly one error
 * (LSan: the earlier attempt's message is not leaked).
 */
static void
test_api__success_after_retry_has_no_stale_error(void **state)
{
	static const struct reply ok[] = {
		{ 503, "{\"error\":{\"message\":\"busy\"}}", NULL, NULL, 0 },
		{ 200, project_json, NULL, NULL, 0 },
	};
	static const struct reply garbled[] = {
		{ 503, "{\"error\":{\"message\":\"busy\"}}", NULL, NULL, 0 },
		{ 200, "{\"id\":", NULL, NULL, 0 },
	};
	struct srv *s = srv_start(ok, 2, NULL, NULL);
	struct api_call call;

	(void)state;
	run_one(s, NULL, API_OP_MODIFY, &call, 0);
	assert_int_equal(call.outcome, API_DONE);
	assert_int_equal(call.attempts, 2);
	assert_null(call.error);
	api_call_release(&call);
	srv_stop(s);

	s = srv_start(garbled, 2, NULL, NULL);
	run_one(s, NULL, API_OP_MODIFY, &call, PS_EPARTIAL);
	assert_int_equal(call.outcome, API_UNKNOWN);
	assert_non_null(strstr(call.error, "HTTP 200, but"));
	assert_null(strstr(call.error, "busy"));
	api_call_release(&call);
	srv_stop(s);
}

/*
 * The API's error.message is the server's text: it reaches the terminal
 * on one line, without control sequences, and bounded in length.
 */
static void
test_api__error_message_is_one_clean_bounded_line(void **state)
{
	struct reply r = { 400, NULL, NULL, NULL, 0 };
	struct ps_buf body = PS_BUF_INIT;
	struct api_call call;
	struct srv *s;
	size_t i;

	(void)state;
	ps_buf_adds(&body, "{\"error\":{\"message\":\"bad \\u001b[2J\\u001b]0;"
	    "owned\\u0007name\\r\\nsecond\\tline \\u009b\\u00e9");
	for (i = 0; i < 5000; i++)
		ps_buf_adds(&body, "\\u00e9");
	ps_buf_adds(&body, "\"}}");
	r.body = body.ptr;
	s = srv_start(&r, 1, NULL, NULL);
	run_one(s, NULL, API_OP_MODIFY, &call, PS_EPARTIAL);
	assert_int_equal(call.outcome, API_FAILED);
	/* util's escaper: C0, DEL and C1 (U+009B is a CSI) made visible */
	{
		static const char want[] = "HTTP 400: bad \\x1b[2J\\x1b]0;"
		    "owned\\x07name\\r\\nsecond\\tline \\u009b\xc3\xa9";
		assert_memory_equal(call.error, want, sizeof(want) - 1);
	}
	for (i = 0; call.error[i]; i++) {
		assert_true((unsigned char)call.error[i] >= 0x20 &&
		    call.error[i] != 0x7f);
		assert_false((unsigned char)call.error[i] == 0xc2 &&
		    (unsigned char)call.error[i + 1] < 0xa0);
	}
	assert_true(strlen(call.error) < 1100);
	/* cut on a character boundary, and says so */
	assert_non_null(strstr(call.error, "\xc3\xa9..."));
	api_call_release(&call);
	srv_stop(s);
	ps_buf_release(&body);
}

static void
test_api__body_size_is_capped(void **state)
{
	struct reply r = { 200, NULL, NULL, NULL, 0 };
	struct api_options o = { 0 };
	struct live_state st = LIVE_STATE_INIT;
	struct api_call call;
	struct api_client *c;
	char *big = xmalloc(8192);
	struct srv *s;

	(void)state;
	memset(big, ' ', 8191);
	big[8191] = '\0';
	r.body = big;
	s = srv_start(&r, 1, NULL, NULL);
	o.endpoint = s->base;
	o.max_body = 1024;
	assert_int_equal(api_client_new(&c, &o), 0);
	assert_int_equal(api_list_projects(c, &st), PS_EHTTP);
	assert_non_null(strstr(ps_error_last(), "larger than 1024 bytes"));
	assert_int_equal(s->n, 1);
	api_client_free(c);
	srv_stop(s);

	/* a create answered 500 with a huge page may have committed: unknown
	 * (so apply re-lists and adopts), never resent, never "failed" */
	r.status = 500;
	s = srv_start(&r, 1, NULL, NULL);
	o.endpoint = s->base;
	assert_int_equal(api_client_new(&c, &o), 0);
	memset(&call, 0, sizeof(call));
	call.op = API_OP_CREATE;
	call.body = "{\"name\":\"A\"}";
	assert_int_equal(api_run_calls(c, &call, 1, 1, NULL), PS_EPARTIAL);
	assert_int_equal(call.outcome, API_UNKNOWN);
	assert_int_equal(s->n, 1);
	assert_non_null(strstr(call.error, "larger than 1024 bytes"));
	api_call_release(&call);
	api_client_free(c);
	srv_stop(s);
	free(big);
}

static void
test_api__default_project_refused_locally(void **state)
{
	static const struct reply ok = { 200, project_json, NULL, NULL, 0 };
	struct srv *s = srv_start(&ok, 1, NULL, NULL);
	struct api_client *c = client_for(s, NULL);
	struct api_call call = { 0 };

	(void)state;
	call.op = API_OP_ARCHIVE;
	call.project_id = "default";
	assert_int_equal(api_run_calls(c, &call, 1, 1, NULL), PS_EPARTIAL);
	assert_int_equal(call.outcome, API_FAILED);
	assert_non_null(strstr(call.error, "default project"));
	assert_int_equal(s->n, 0);
	api_call_release(&call);
	api_client_free(c);
	srv_stop(s);
}

struct stopper {
	volatile sig_atomic_t stop;
	size_t calls, last_done, total;
};

static void
stop_after_first(const struct api_progress *p, void *payload)
{
	struct stopper *st = payload;

	st->calls++;
	st->total = p->total;
	st->last_done = p->done;
	if (p->done >= 1)
		st->stop = 1;
}

static void
test_api__stop_leaves_the_rest_not_started(void **state)
{
	static const struct reply ok = { 200, project_json, NULL, NULL, 5 };
	struct srv *s = srv_start(&ok, 1, NULL, NULL);
	struct api_client *c = client_for(s, NULL);
	struct stopper sp = { 0 };
	struct api_run_hooks hooks = { stop_after_first, &sp, &sp.stop };
	struct api_call calls[10];
	size_t i, done = 0, notstarted = 0;

	(void)state;
	memset(calls, 0, sizeof(calls));
	for (i = 0; i < 10; i++) {
		calls[i].op = API_OP_MODIFY;
		calls[i].project_id = "proj_abc";
		calls[i].body = "{}";
	}
	assert_int_equal(api_run_calls(c, calls, 10, 2, &hooks), PS_ECANCELLED);
	for (i = 0; i < 10; i++) {
		done += calls[i].outcome == API_DONE;
		notstarted += calls[i].outcome == API_NOT_STARTED;
		api_call_release(&calls[i]);
	}
	/* the two in flight finish; nothing new starts */
	assert_int_equal(done, s->n);
	assert_true(done >= 1 && done <= 3);
	assert_int_equal(done + notstarted, 10);
	assert_int_equal(sp.total, 10);
	assert_true(sp.calls >= 2);

	/* stopped before the start: not one request */
	for (i = 0; i < 10; i++) {
		calls[i].op = API_OP_MODIFY;
		calls[i].project_id = "proj_abc";
		calls[i].body = "{}";
	}
	i = s->n;
	assert_int_equal(api_run_calls(c, calls, 10, 2, &hooks), PS_ECANCELLED);
	assert_int_equal(s->n, i);
	assert_int_equal(calls[9].outcome, API_NOT_STARTED);
	for (i = 0; i < 10; i++)
		api_call_release(&calls[i]);
	api_client_free(c);
	srv_stop(s);
}

/* ---- pure helpers ---- */

static void
test_api__retry_after_parsing(void **state)
{
	time_t now = 1700000000;
	double ms;

	(void)state;
	assert_int_equal(api__retry_after(&ms, NULL, NULL, now), API__RA_NONE);
	assert_int_equal(api__retry_after(&ms, NULL, "3", now), API__RA_DELAY);
	assert_true(ms == 3000);
	assert_int_equal(api__retry_after(&ms, NULL, " 0.5 ", now),
	    API__RA_DELAY);
	assert_true(ms == 500);
	assert_int_equal(api__retry_after(&ms, "250.5", "9", now),
	    API__RA_DELAY);
	assert_true(ms == 250.5);
	/* a bad retry-after-ms falls back to Retry-After */
	assert_int_equal(api__retry_after(&ms, "soon", "2", now),
	    API__RA_DELAY);
	assert_true(ms == 2000);
	assert_int_equal(api__retry_after(&ms, NULL, "120", now),
	    API__RA_DELAY);
	assert_int_equal(api__retry_after(&ms, NULL, "121", now),
	    API__RA_TOO_LONG);
	assert_int_equal(api__retry_after(&ms, "120001", NULL, now),
	    API__RA_TOO_LONG);
	assert_int_equal(api__retry_after(&ms, NULL, "0", now), API__RA_NONE);
	assert_int_equal(api__retry_after(&ms, NULL, "-5", now), API__RA_NONE);
	assert_int_equal(api__retry_after(&ms, NULL, "nan", now), API__RA_NONE);
	assert_int_equal(api__retry_after(&ms, NULL, "1e999", now),
	    API__RA_NONE);
	/* 1700000000 is Tue, 14 Nov 2023 22:13:20 GMT */
	assert_int_equal(api__retry_after(&ms, NULL,
	    "Tue, 14 Nov 2023 22:13:30 GMT", now), API__RA_DELAY);
	assert_true(ms == 10000);
	assert_int_equal(api__retry_after(&ms, NULL,
	    "Tue, 14 Nov 2023 22:20:00 GMT", now), API__RA_TOO_LONG);
	assert_int_equal(api__retry_after(&ms, NULL,
	    "Tue, 14 Nov 2023 22:00:00 GMT", now), API__RA_NONE);
	assert_int_equal(api__retry_after(&ms, NULL, "garbage date", now),
	    API__RA_NONE);
}

static void
test_api__backoff_doubles_with_jitter_and_cap(void **state)
{
	uint64_t rng = 42;
	unsigned n, k;

	(void)state;
	for (k = 0; k < 200; k++)
		for (n = 0; n < 8; n++) {
			double want = n >= 4 ? 8000 : 500.0 * (1u << n);
			double d = api__backoff_ms(n, &rng);
			assert_true(d >= 0.75 * want && d <= want);
		}
	assert_true(api__backoff_ms(60, &rng) <= 8000);
}

/*
 * The pacer against a simulated server: a token bucket of R requests a
 * second (capacity one second, like the emulator's), 25 ms latency, 16
 * slots, 1,000 requests, 429s retried after 1 s.  The target from
 * docs/benchmarks.md: within 1.15 x N/R, fewer than 5% of answers 429.
 */
struct sim_ev {
	int64_t t;
	int kind;	/* 0: arrives at the server, 1: answer back */
	int64_t sent;
	bool ok;
	int64_t lat;
};

static void
simulate_q(double R, double cap, double q, unsigned N, double *ratio,
    double *share429, double *wall_s)
{
	struct api__pacer p;
	struct sim_ev *ev = xcalloc(4 * N + 64, sizeof(*ev));
	int64_t *wait = xcalloc(N + 1, sizeof(*wait));
	size_t nev = 0, nwait = 0, i;
	unsigned queued = N, running = 0, done = 0, n429 = 0, nreq = 0;
	double tokens = cap;
	int64_t now = 0, tlast = 0;
	uint64_t rng = 7;

	api__pacer_init(&p, 16, now);
	while (done < N) {
		int64_t next = INT64_MAX, pace = INT64_MAX;

		/* start what may start: due retries first */
		for (;;) {
			size_t w = SIZE_MAX;
			for (i = 0; i < nwait; i++)
				if (wait[i] <= now) {
					w = i;
					break;
				}
			if (w == SIZE_MAX && !queued)
				break;
			if (!api__pacer_may_start(&p, running, now, &pace))
				break;
			if (w != SIZE_MAX)
				wait[w] = wait[--nwait];
			else
				queued--;
			api__pacer_started(&p, now);
			running++;
			nreq++;
			ev[nev].lat = 20000 + (int64_t)(api__rand(&rng) % 10000);
			ev[nev].t = now + ev[nev].lat / 2;
			ev[nev].kind = 0;
			ev[nev].sent = now;
			nev++;
		}
		for (i = 0; i < nev; i++)
			if (ev[i].t < next)
				next = ev[i].t;
		for (i = 0; i < nwait; i++)
			if (wait[i] > now && wait[i] < next)
				next = wait[i];
		if (pace > now && pace < next)
			next = pace;
		assert_true(next != INT64_MAX);
		now = next > now ? next : now;
		for (i = 0; i < nev; ) {
			struct sim_ev e = ev[i];
			if (e.t > now) {
				i++;
				continue;
			}
			ev[i] = ev[--nev];
			if (e.kind == 0) {
				tokens += (double)(e.t - tlast) / 1e6 * R;
				if (tokens > cap)
					tokens = cap;
				tlast = e.t;
				if (q > 0) {
					/* random throttling: no rate limit */
					e.ok = (double)(api__rand(&rng) >> 11) /
					    (double)(1ULL << 53) >= q;
				} else {
					e.ok = tokens >= 1;
					if (e.ok)
						tokens -= 1;
				}
				e.kind = 1;
				e.t = e.sent + e.lat;
				ev[nev++] = e;
				continue;
			}
			running--;
			api__pacer_result(&p, !e.ok, e.sent, e.t);
			if (e.ok) {
				done++;
			} else {
				n429++;
				wait[nwait++] = e.t + 1000000;
			}
		}
	}
	*ratio = ((double)now / 1e6) / (N / R);
	*share429 = (double)n429 / nreq;
	*wall_s = (double)now / 1e6;
	free(ev);
	free(wait);
}

static void
simulate(double R, double cap, unsigned N, double *ratio, double *share429)
{
	double wall;

	simulate_q(R, cap, 0, N, ratio, share429, &wall);
}

/*
 * Random 429s (no rate limit): cutting the rate does not raise the share
 * of successes, so the pacer must stand aside rather than fall to its
 * floor.  200 requests at 70% random 429s, each retried after 1 s: the
 * longest retry chain is about 15 attempts, so ~20 s; a pacer collapsed
 * to 0.5 requests a second would need over 20 minutes.
 */
static void
test_api__pacer_does_not_stall_under_random_429s(void **state)
{
	static const double qs[] = { 0.3, 0.5, 0.7 };
	size_t i;

	(void)state;
	for (i = 0; i < PS_ARRAY_SIZE(qs); i++) {
		double ratio, share, wall;
		simulate_q(1e9, 1e9, qs[i], 200, &ratio, &share, &wall);
		if (wall > 40)
			fail_msg("%.0f%% random 429s: 200 requests took %.1f s",
			    100 * qs[i], wall);
	}
}

static void
test_api__pacer_meets_the_rate_limit_target(void **state)
{
	static const double rates[] = { 20, 50, 100, 200, 400, 600 };
	size_t i;

	(void)state;
	for (i = 0; i < PS_ARRAY_SIZE(rates); i++) {
		double ratio, share;
		simulate(rates[i], rates[i], 1000, &ratio, &share);
		if (ratio > 1.15 || share >= 0.05)
			fail_msg("R=%.0f: %.3f x N/R, %.1f%% 429", rates[i],
			    ratio, 100 * share);
	}
}

static void
test_api__pacer_lowers_and_restores_parallelism(void **state)
{
	struct api__pacer p;
	int64_t t = 1000000, k;
	int64_t wait = 0;

	(void)state;
	api__pacer_init(&p, 16, 0);
	assert_int_equal(api__pacer_parallelism(&p), 16);
	assert_true(api__pacer_may_start(&p, 15, t, &wait));
	assert_false(api__pacer_may_start(&p, 16, t, &wait));
	for (k = 0; k < 50; k++) {
		api__pacer_started(&p, t + k * 1000);
		api__pacer_result(&p, false, t + k * 1000, t + k * 1000 + 25000);
	}
	t += 100000;
	api__pacer_result(&p, true, t, t + 25000);
	assert_true(p.rate > 0);
	assert_true(api__pacer_parallelism(&p) < 16);
	assert_int_equal(p.throttled, 1);
	/* paced: the next start waits */
	api__pacer_started(&p, t + 25000);
	assert_false(api__pacer_may_start(&p, 0, t + 25001, &wait));
	assert_true(wait > t + 25001);
	/* successes for a while: back to unpaced */
	for (k = 0; k < 20000 && p.rate > 0; k++)
		api__pacer_result(&p, false, t + k * 10000, t + k * 10000 + 25000);
	assert_true(p.rate == 0);
	assert_int_equal(api__pacer_parallelism(&p), 16);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_api__endpoint_precedence, setup),
		cmocka_unit_test_setup(test_api__endpoint_http_only_to_loopback, setup),
		cmocka_unit_test_setup(test_api__endpoint_region_and_auth_parse, setup),
		cmocka_unit_test_setup(test_api__credentials_from_environment, setup),
		cmocka_unit_test_setup(test_api__sigv4_signs_for_bedrock_mantle, setup),
		cmocka_unit_test_setup(test_api__list_pages_leniently, setup),
		cmocka_unit_test_setup(test_api__list_refuses_a_looping_server, setup),
		cmocka_unit_test_setup(test_api__list_malformed_answers_are_clear_errors, setup),
		cmocka_unit_test_setup(test_api__list_http_errors_name_the_request, setup),
		cmocka_unit_test_setup(test_api__retry_after_seconds_ms_and_date, setup),
		cmocka_unit_test_setup(test_api__retry_after_over_120s_gives_up, setup),
		cmocka_unit_test_setup(test_api__5xx_retried_for_modify, setup),
		cmocka_unit_test_setup(test_api__x_should_retry_false_is_obeyed, setup),
		cmocka_unit_test_setup(test_api__4xx_never_retried, setup),
		cmocka_unit_test_setup(test_api__create_is_never_resent_after_it_may_have_arrived, setup),
		cmocka_unit_test_setup(test_api__create_retried_when_certainly_not_processed, setup),
		cmocka_unit_test_setup(test_api__creates_travel_on_fresh_connections, setup),
		cmocka_unit_test_setup(test_api__concurrency_is_bounded, setup),
		cmocka_unit_test_setup(test_api__credentials_never_in_trace_or_errors, setup),
		cmocka_unit_test_setup(test_api__body_size_is_capped, setup),
		cmocka_unit_test_setup(test_api__error_message_is_one_clean_bounded_line, setup),
		cmocka_unit_test_setup(test_api__success_after_retry_has_no_stale_error, setup),
		cmocka_unit_test_setup(test_api__silent_server_costs_two_timeouts_not_max_attempts, setup),
		cmocka_unit_test_setup(test_api__default_project_refused_locally, setup),
		cmocka_unit_test_setup(test_api__stop_leaves_the_rest_not_started, setup),
		cmocka_unit_test(test_api__retry_after_parsing),
		cmocka_unit_test(test_api__backoff_doubles_with_jitter_and_cap),
		cmocka_unit_test(test_api__pacer_meets_the_rate_limit_target),
		cmocka_unit_test(test_api__pacer_does_not_stall_under_random_429s),
		cmocka_unit_test(test_api__pacer_lowers_and_restores_parallelism),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
