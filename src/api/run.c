/*
 * api: the request engine.  Every request of a run lives in one curl
 * multi handle (so connections are reused and HTTP/2 streams multiplexed);
 * a request waiting to be retried holds a timer instead of a transfer, so
 * it never blocks the others, and curl_multi_poll() sleeps at most until
 * the next timer, pacing slot or progress tick.
 */
#include "api/internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define PROGRESS_US	100000	/* at most ~10 progress calls a second */

struct run {
	struct api_client *c;
	struct api__req *reqs;
	size_t nr, next_queued, finished, failed;
	unsigned running;
	struct api__pacer pacer;
	const struct api_run_hooks *hooks;
	int64_t last_progress;
};

static bool
is_2xx(long s)
{
	return s >= 200 && s < 300;
}

/* Transport errors worth another attempt. */
static bool
transient(CURLcode cc)
{
	switch (cc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_GOT_NOTHING:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_AGAIN:
		return true;
	default:
		return false;
	}
}

/* Did the request certainly not reach the server? */
static bool
certainly_unsent(const struct api__req *r, CURLcode cc)
{
	curl_off_t sent = 0;

	switch (cc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL:
		return true;
	case CURLE_OPERATION_TIMEDOUT:
		/* a connect timeout: no request byte went out */
		if (curl_easy_getinfo(r->easy, CURLINFO_REQUEST_SIZE, &sent) ==
		    CURLE_OK && sent == 0)
			return true;
		return false;
	default:
		return false;
	}
}

static const char *
method_path(const struct api__req *r, const struct api_client *c)
{
	size_t n = strlen(c->endpoint);

	return strncmp(r->url, c->endpoint, n) == 0 ? r->url + n : r->url;
}

static void
set_error(struct run *run, struct api__req *r, const char *fmt, ...)
    PS_PRINTF(3, 4);

static void
set_error(struct run *run, struct api__req *r, const char *fmt, ...)
{
	va_list ap;

	free(r->error);
	va_start(ap, fmt);
	r->error = xvasprintf(fmt, ap);
	va_end(ap);
	api__scrub(run->c, r->error);
}

/* "HTTP 403: <error.message>" */
static void
set_http_error(struct run *run, struct api__req *r, const char *suffix)
{
	char *msg = live_parse_error_message(r->resp.ptr, r->resp.len);

	if (msg)
		set_error(run, r, "HTTP %ld: %s%s", r->status, msg, suffix);
	else if (r->resp.len && r->resp.ptr[0] != '{')
		set_error(run, r, "HTTP %ld (a non-JSON answer)%s", r->status,
		    suffix);
	else
		set_error(run, r, "HTTP %ld%s", r->status, suffix);
	free(msg);
}

static void
finish(struct run *run, struct api__req *r, enum api_outcome o)
{
	r->outcome = o;
	r->state = API__FINISHED;
	run->finished++;
	if (o != API_DONE) {
		run->failed++;
	} else {
		/* an earlier attempt's message is history now */
		free(r->error);
		r->error = NULL;
	}
}

static void
progress(struct run *run, bool force)
{
	struct api_progress p;
	int64_t now;

	if (!run->hooks || !run->hooks->progress)
		return;
	now = api__now_us();
	if (!force && now - run->last_progress < PROGRESS_US)
		return;
	run->last_progress = now;
	p.total = run->nr;
	p.done = run->finished - run->failed;
	p.failed = run->failed;
	p.in_flight = run->running;
	p.parallelism = api__pacer_parallelism(&run->pacer);
	p.throttled = run->pacer.throttled;
	run->hooks->progress(&p, run->hooks->payload);
}

static void
trace_attempt(struct run *run, struct api__req *r, CURLcode cc, int64_t now)
{
	struct api_client *c = run->c;
	char *line;

	if (!c->trace)
		return;
	if (cc == CURLE_OK || r->too_big)
		line = xasprintf("%s %s -> %ld in %lld ms (attempt %u%s%s)",
		    r->method, r->url, r->status,
		    (long long)((now - r->sent_us) / 1000), r->attempts,
		    r->request_id ? ", " : "",
		    r->request_id ? r->request_id : "");
	else
		line = xasprintf("%s %s -> error: %s in %lld ms (attempt %u)",
		    r->method, r->url,
		    r->errbuf[0] ? r->errbuf : curl_easy_strerror(cc),
		    (long long)((now - r->sent_us) / 1000), r->attempts);
	/* the trace_* buffers end with a newline; drop the last */
	if (r->trace_out.len)
		r->trace_out.ptr[--r->trace_out.len] = '\0';
	if (r->trace_in.len)
		r->trace_in.ptr[--r->trace_in.len] = '\0';
	api__trace(c, "%s%s%s%s%s", line, r->trace_out.len ? "\n" : "",
	    ps_buf_cstr(&r->trace_out), r->trace_in.len ? "\n" : "",
	    ps_buf_cstr(&r->trace_in));
	free(line);
}

/*
 * Decide what happens after one attempt: done, another attempt later, or
 * a final failure whose outcome says whether anything may have changed.
 */
static void
complete(struct run *run, struct api__req *r, CURLcode cc)
{
	struct api_client *c = run->c;
	int64_t now = api__now_us();
	bool retry = false, maybe_sent, throttled = false, bound_hit;
	double delay_ms = 0;
	const char *why = "backoff";
	enum api__ra ra = API__RA_NONE;

	curl_multi_remove_handle(c->multi, r->easy);
	run->running--;
	r->answered_us = now;
	r->status = 0;
	curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &r->status);
	trace_attempt(run, r, cc, now);

	if (r->too_big) {
		set_error(run, r, "the answer is larger than %zu bytes; "
		    "giving up", c->max_body);
		/* a write answered 2xx or 5xx may have acted, as below */
		finish(run, r, strcmp(r->method, "GET") &&
		    (is_2xx(r->status) || r->status >= 500) ?
		    API_UNKNOWN : API_FAILED);
		goto out;
	}
	if (cc == CURLE_OK && is_2xx(r->status)) {
		api__pacer_result(&run->pacer, false, r->sent_us, now);
		finish(run, r, API_DONE);
		goto out;
	}
	if (cc != CURLE_OK) {
		maybe_sent = !certainly_unsent(r, cc);
		retry = transient(cc);
		set_error(run, r, "%s%s", r->errbuf[0] ? r->errbuf :
		    curl_easy_strerror(cc), api__transport_hint(c, cc));
	} else {
		throttled = r->status == 429;
		api__pacer_result(&run->pacer, throttled, r->sent_us, now);
		/* 408, 409, 429 and the other 4xx were not carried out */
		maybe_sent = r->status >= 500;
		retry = r->status == 408 || r->status == 409 ||
		    r->status == 429 || r->status >= 500;
		set_http_error(run, r, "");
		if (retry) {
			ra = api__retry_after(&delay_ms, r->retry_after_ms,
			    r->retry_after, time(NULL));
			why = ra == API__RA_DELAY ? (r->retry_after_ms &&
			    delay_ms > 0 ? "retry-after-ms" : "Retry-After") :
			    "backoff";
		}
	}
	if (r->should_retry && strcasecmp(r->should_retry, "false") == 0)
		retry = false;
	/* no answer in time, or a gateway's: the server may be at it still */
	r->may_still_commit = maybe_sent && (cc == CURLE_OPERATION_TIMEDOUT ||
	    (cc == CURLE_OK && r->status == 504));
	if (r->create && maybe_sent) {
		/* never blindly resent: the caller re-lists and adopts */
		char *e = r->error;
		r->error = NULL;
		set_error(run, r, "%s; the request may have reached the "
		    "server, so the project may exist", e);
		free(e);
		finish(run, r, API_UNKNOWN);
		goto out;
	}
	if (retry && ra == API__RA_TOO_LONG) {
		char *e = r->error;
		r->error = NULL;
		set_error(run, r, "%s; the server asks to retry in %.0f s, "
		    "more than %d s: giving up", e, delay_ms / 1000,
		    API_RETRY_AFTER_MAX_S);
		free(e);
		finish(run, r, maybe_sent ? API_UNKNOWN : API_FAILED);
		goto out;
	}
	if (throttled)
		bound_hit = ++r->throttles >= 3 * c->max_attempts;
	else
		bound_hit = ++r->failures >= c->max_attempts;
	if (cc == CURLE_OPERATION_TIMEDOUT && ++r->timeouts >= API_MAX_TIMEOUTS)
		bound_hit = true;
	if (api__unreachable(cc) && ++r->unreachable >= API_MAX_UNREACHABLE)
		bound_hit = true;
	if (retry && bound_hit) {
		char *e = r->error;
		r->error = NULL;
		set_error(run, r, "%s (gave up after %u attempts)", e,
		    r->attempts);
		free(e);
	}
	if (!retry || bound_hit) {
		finish(run, r, maybe_sent ? API_UNKNOWN : API_FAILED);
		goto out;
	}
	if (ra != API__RA_DELAY)
		delay_ms = api__backoff_ms(r->throttles + r->failures - 1,
		    &c->rng);
	delay_ms *= c->retry_scale;
	r->due_us = now + (int64_t)(delay_ms * 1000);
	r->state = API__WAITING;
	r->maybe_sent = maybe_sent;
	api__trace(c, "  retrying %s %s in %.0f ms (%s)", r->method,
	    method_path(r, c), delay_ms, why);
out:
	/* keep the body for the caller; the handle goes now */
	curl_easy_cleanup(r->easy);
	r->easy = NULL;
	curl_slist_free_all(r->headers);
	r->headers = NULL;
}

static int
start(struct run *run, struct api__req *r, int64_t now)
{
	struct api_client *c = run->c;
	int err;

	if ((err = api__easy_setup(c, r)) < 0)
		return err;
	if (curl_multi_add_handle(c->multi, r->easy) != CURLM_OK) {
		api__req_reset_attempt(r);
		return ps_error(PS_EFAIL, "cannot start a transfer");
	}
	r->attempts++;
	r->state = API__RUNNING;
	r->sent_us = now;
	run->running++;
	c->requests++;
	api__pacer_started(&run->pacer, now);
	return 0;
}

/* The next request to start: a due retry first, then a new one. */
static struct api__req *
pick(struct run *run, int64_t now, int64_t *next_due)
{
	struct api__req *best = NULL;
	size_t i;

	for (i = 0; i < run->nr; i++) {
		struct api__req *r = &run->reqs[i];
		if (r->state != API__WAITING)
			continue;
		if (r->due_us <= now) {
			if (!best || r->due_us < best->due_us)
				best = r;
		} else if (r->due_us < *next_due) {
			*next_due = r->due_us;
		}
	}
	if (best)
		return best;
	while (run->next_queued < run->nr &&
	    run->reqs[run->next_queued].state != API__QUEUED)
		run->next_queued++;
	return run->next_queued < run->nr ? &run->reqs[run->next_queued] :
	    NULL;
}

/* Stopping: requests waiting for a retry end with their last error. */
static void
abandon_waiting(struct run *run)
{
	size_t i;

	for (i = 0; i < run->nr; i++) {
		struct api__req *r = &run->reqs[i];
		char *e;
		if (r->state != API__WAITING)
			continue;
		e = r->error;
		r->error = NULL;
		set_error(run, r, "interrupted before retrying (%s)",
		    e ? e : "");
		free(e);
		finish(run, r, r->maybe_sent ? API_UNKNOWN : API_FAILED);
	}
}

int
api__run(struct api_client *c, struct api__req *reqs, size_t nr,
    unsigned parallelism, const struct api_run_hooks *hooks)
{
	struct run run = { 0 };
	bool stopped = false;
	size_t i;
	int err = 0;

	if (parallelism == 0)
		parallelism = 1;
	run.c = c;
	run.reqs = reqs;
	run.nr = nr;
	run.hooks = hooks;
	api__pacer_init(&run.pacer, parallelism, api__now_us());
	for (i = 0; i < nr; i++)
		if (reqs[i].state == API__FINISHED) {
			run.finished++;
			if (reqs[i].outcome != API_DONE)
				run.failed++;
		}
	if (c->multi_conns != parallelism) {
		/* one connection per slot; HTTP/2 multiplexes within them */
		curl_multi_setopt(c->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
		    (long)parallelism);
		curl_multi_setopt(c->multi, CURLMOPT_MAXCONNECTS,
		    (long)parallelism + 4);
		c->multi_conns = parallelism;
	}
	progress(&run, true);
	while (run.finished < nr) {
		int64_t now = api__now_us(), wake = now + PROGRESS_US;
		int still = 0, left, timeout_ms, completed;
		CURLMsg *m;

		if (!stopped && hooks && hooks->stop && *hooks->stop) {
			stopped = true;
			abandon_waiting(&run);
		}
		while (!stopped) {
			int64_t due = wake, pace = wake;
			struct api__req *r = pick(&run, now, &due);

			if (due < wake)
				wake = due;
			if (!r)
				break;
			if (!api__pacer_may_start(&run.pacer, run.running, now,
			    &pace)) {
				if (pace < wake)
					wake = pace;
				break;
			}
			if ((err = start(&run, r, now)) < 0) {
				set_error(&run, r, "%s", ps_error_last());
				finish(&run, r, r->attempts ? (r->maybe_sent ?
				    API_UNKNOWN : API_FAILED) : API_FAILED);
				err = 0;
			}
		}
		if (run.running == 0 && (stopped || run.finished == nr))
			break;
		curl_multi_perform(c->multi, &still);
		completed = 0;
		while ((m = curl_multi_info_read(c->multi, &left))) {
			struct api__req *r = NULL;
			if (m->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &r);
			complete(&run, r, m->data.result);
			progress(&run, true);
			completed++;
		}
		if (run.finished == nr)
			break;
		if (completed)
			continue;	/* start the next ones before waiting */
		now = api__now_us();
		timeout_ms = wake > now ? (int)((wake - now + 999) / 1000) : 0;
		if (run.running > 0 || timeout_ms > 0)
			curl_multi_poll(c->multi, NULL, 0, timeout_ms, NULL);
		progress(&run, false);
	}
	progress(&run, true);
	return stopped && run.finished < nr ? PS_ECANCELLED : 0;
}

/* ---- api_run_calls ---- */

static const char *
op_name(enum api_op op)
{
	return op == API_OP_CREATE ? "create" : op == API_OP_MODIFY ?
	    "modify" : "archive";
}

static char *
call_url(const struct api_client *c, const struct api_call *call)
{
	char *esc, *url;

	if (call->op == API_OP_CREATE)
		return xasprintf("%s/organization/projects", c->endpoint);
	esc = curl_easy_escape(NULL, call->project_id, 0);
	url = xasprintf("%s/organization/projects/%s%s", c->endpoint,
	    esc ? esc : "", call->op == API_OP_ARCHIVE ? "/archive" : "");
	curl_free(esc);
	return url;
}

int
api_run_calls(struct api_client *c, struct api_call *calls, size_t nr,
    unsigned parallelism, const struct api_run_hooks *hooks)
{
	struct api__req *reqs;
	size_t i, notdone = 0, notstarted = 0;
	int err;

	reqs = xcalloc(nr + 1, sizeof(*reqs));
	for (i = 0; i < nr; i++) {
		struct api_call *call = &calls[i];
		struct api__req *r = &reqs[i];

		call->outcome = API_NOT_STARTED;
		call->http_status = 0;
		call->error = NULL;
		call->attempts = 0;
		memset(&call->result, 0, sizeof(call->result));
		r->method = "POST";
		r->body = call->body;
		r->create = call->op == API_OP_CREATE;
		if (call->op != API_OP_CREATE && (!call->project_id ||
		    !*call->project_id)) {
			r->error = xstrdup("no project id");
			r->state = API__FINISHED;
			r->outcome = API_FAILED;
		} else if (call->op != API_OP_CREATE &&
		    strcmp(call->project_id, "default") == 0) {
			/* the API refuses too; never even ask */
			r->error = xasprintf("the default project cannot be "
			    "%s", call->op == API_OP_MODIFY ? "modified" :
			    "archived");
			r->state = API__FINISHED;
			r->outcome = API_FAILED;
		} else if (call->op != API_OP_ARCHIVE && !call->body) {
			r->error = xasprintf("%s without a request body",
			    op_name(call->op));
			r->state = API__FINISHED;
			r->outcome = API_FAILED;
		} else {
			r->url = call_url(c, call);
		}
	}
	err = api__run(c, reqs, nr, parallelism, hooks);
	for (i = 0; i < nr; i++) {
		struct api_call *call = &calls[i];
		struct api__req *r = &reqs[i];

		call->outcome = r->state == API__FINISHED ? r->outcome :
		    API_NOT_STARTED;
		call->http_status = r->status;
		call->attempts = r->attempts;
		call->answered_us = r->answered_us;
		call->may_still_commit = call->outcome == API_UNKNOWN &&
		    r->may_still_commit;
		call->error = r->error;
		r->error = NULL;
		if (call->outcome == API_DONE) {
			char *what = xasprintf("POST %s", r->url);
			if (live_parse_project(&call->result, r->resp.ptr,
			    r->resp.len, what) < 0) {
				/* it happened, but we cannot tell the result */
				call->outcome = API_UNKNOWN;
				call->error = xasprintf("HTTP %ld, but %s",
				    r->status, ps_error_last());
				api__scrub(c, call->error);
			}
			free(what);
		}
		if (call->outcome == API_NOT_STARTED)
			notstarted++;
		else if (call->outcome != API_DONE)
			notdone++;
		api__req_release(r);
	}
	free(reqs);
	if (err == PS_ECANCELLED || (notstarted && hooks && hooks->stop &&
	    *hooks->stop))
		return ps_error(PS_ECANCELLED, "interrupted: %zu of %zu calls "
		    "not started", notstarted, nr);
	if (notdone || notstarted)
		return ps_error(PS_EPARTIAL, "%zu of %zu calls failed",
		    notdone + notstarted, nr);
	return 0;
}

void
api_call_release(struct api_call *call)
{
	if (!call)
		return;
	free(call->error);
	call->error = NULL;
	live_project_release(&call->result);
}
