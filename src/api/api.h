/*
 * api: the HTTP client for the Bedrock (OpenAI-compatible) Projects API.
 * Owned by the api module.  libcurl multi interface: endpoint resolution,
 * authentication (bearer, x-api-key, SigV4 with service bedrock-mantle
 * signed by src/aws, never by libcurl's CURLOPT_AWS_SIGV4), paging, retries with Retry-After and backoff,
 * concurrency that backs off while the server throttles.
 *
 * Credentials are read from the environment inside this module only and
 * never appear in messages, traces or returned data.
 */
#ifndef PROJSYNC_API_H
#define PROJSYNC_API_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "live/live.h"
#include "util/util.h"

struct api_client;

enum api_auth {
	API_AUTH_AUTO = 0,	/* a key in the environment, else SigV4 (default) */
	API_AUTH_BEARER,	/* Authorization: Bearer KEY */
	API_AUTH_X_API_KEY,	/* x-api-key: KEY */
	API_AUTH_SIGV4,		/* the AWS credential chain, bedrock-mantle */
};

struct api_options {
	const char *endpoint;	/* base URL ending in /v1 (api_endpoint_resolve) */
	const char *region;	/* SigV4 region; derived from endpoint if NULL */
	enum api_auth auth;
	const char *profile;	/* --profile NAME: SigV4 from this profile */
	const char *cacert;	/* --cacert FILE or NULL */
	unsigned max_attempts;	/* per call, 0: default (8) */
	unsigned timeout_ms;	/* per attempt, 0: default (30000) */
	/* -v: one line per request/response, credentials redacted. */
	void (*trace)(const char *line, void *payload);
	void *trace_payload;
	/*
	 * Multiplies every retry delay (header-given and backoff; the 120 s
	 * ceiling is checked before scaling).  0: $PROJSYNC_RETRY_SCALE when
	 * set (tests use 0.01), else 1.
	 */
	double retry_scale;
	size_t max_body;	/* response body cap, 0: API_MAX_BODY */
	unsigned connect_timeout_ms;	/* 0: default (10000) */
};

#define API_MAX_BODY		(16u << 20)
#define API_RETRY_AFTER_MAX_S	120	/* a longer Retry-After: give up */
#define API_MAX_PAGES		1000	/* list guard against a looping server */

/*
 * Decide the endpoint: flag, then $PROJSYNC_ENDPOINT, then $OPENAI_BASE_URL,
 * then https://bedrock-mantle.<region>.api.aws/v1 where region is the first
 * of region_flag, settings_region, $AWS_REGION, $AWS_DEFAULT_REGION and
 * the `region` of the AWS profile (profile, else $AWS_PROFILE or default).
 * Refuses plain http except to a loopback host (PS_EUSAGE).  *out is owned
 * by the caller, without a trailing slash.
 */
int api_endpoint_resolve(char **out, const char *flag, const char *region_flag,
    const char *settings_region, const char *profile);
/* Check and normalise one endpoint URL (`from` names its source in
 * messages): http(s) only, plain http only to loopback, no credentials,
 * query or fragment.  Also for other AWS endpoints (Cost Explorer). */
int api_endpoint_check(char **out, const char *url, const char *from);
/* The backoff before retry n (0-based): 0.5 s * 2^n up to 8 s, less up
 * to 25 % of jitter drawn from *rng.  Milliseconds. */
double api_backoff_ms(unsigned n, uint64_t *rng);
/* Parse "auto" | "bearer" | "x-api-key" | "sigv4". */
int api_auth_parse(enum api_auth *out, const char *s);

/*
 * Finds credentials: with auth auto, a key in $PROJSYNC_API_KEY,
 * $AWS_BEARER_TOKEN_BEDROCK or $OPENAI_API_KEY (bearer), else (or with
 * --profile) SigV4 with the AWS credential chain (src/aws).  PS_EUSAGE
 * when there are none, with a message that lists where it looked.
 */
int api_client_new(struct api_client **out, const struct api_options *opts);
/* How requests are authenticated and where the credentials came from,
 * e.g. "SigV4 (bedrock-mantle), credentials from profile ci
 * (credential_process)"; never a secret. */
const char *api_client_auth_source(const struct api_client *c);
/* The SigV4 region, or NULL with a key. */
const char *api_client_region(const struct api_client *c);
void api_client_free(struct api_client *c);
const char *api_client_endpoint(const struct api_client *c);
/* HTTP requests sent so far (every attempt counts). */
unsigned long api_client_requests(const struct api_client *c);
/* The per-request timeout in milliseconds (--timeout). */
unsigned api_client_timeout_ms(const struct api_client *c);
/* The factor on every retry delay ($PROJSYNC_RETRY_SCALE, else 1). */
double api_client_retry_scale(const struct api_client *c);
/*
 * The region in a https://bedrock-mantle.<region>.api.aws endpoint, or
 * NULL (caller frees).  Used for SigV4 and by `export` for settings.region.
 */
char *api_endpoint_region(const char *endpoint);

/* The libcurl this process runs with and its TLS backend:
 * "7.88.1 (OpenSSL/3.0.11)".  Caller frees. */
char *api_libcurl_version(void);

/*
 * All projects, archived included: every page of
 * GET /organization/projects?limit=100&include_archived=true, in the
 * server's order.  ceil((N+1)/100) requests for N projects plus default.
 */
int api_list_projects(struct api_client *c, struct live_state *out);

/* One request to the list route (limit=1), for `doctor`. */
struct api_probe {
	long status;		/* last HTTP status; 0: no answer at all */
	long elapsed_ms;	/* retries included */
	time_t server_date;	/* the answer's Date header; 0: none */
	char *error;		/* owned; NULL when it succeeded */
};
int api_probe(struct api_client *c, struct api_probe *out);
void api_probe_release(struct api_probe *p);

enum api_op {
	API_OP_CREATE,		/* POST /organization/projects */
	API_OP_MODIFY,		/* POST /organization/projects/{id} */
	API_OP_ARCHIVE,		/* POST /organization/projects/{id}/archive */
};

enum api_outcome {
	API_NOT_STARTED = 0,	/* never sent (cancelled, or not reached) */
	API_DONE,		/* 2xx; result holds the returned project */
	API_FAILED,		/* definite failure: nothing was changed */
	API_UNKNOWN,		/* may or may not have taken effect */
};

struct api_call {
	enum api_op op;
	const char *project_id;	/* modify, archive; borrowed */
	const char *body;	/* JSON; borrowed; NULL for archive */
	void *payload;		/* the caller's, untouched */

	/* filled by api_run_calls() */
	enum api_outcome outcome;
	long http_status;	/* last status seen, 0 for transport errors */
	char *error;		/* owned: error.message or transport error */
	struct live_project result;	/* on API_DONE */
	unsigned attempts;
	/* API_UNKNOWN only: the server may still be working on it (the
	 * attempt timed out, or a gateway timed out: 504), so a re-list
	 * that does not show it yet proves nothing */
	bool may_still_commit;
	/* when the last attempt ended (CLOCK_MONOTONIC microseconds): the
	 * server's clock had then passed result.created_at */
	int64_t answered_us;
};

struct api_progress {
	size_t total;
	size_t done;		/* ended API_DONE */
	size_t failed;		/* ended otherwise (failed or unknown) */
	size_t in_flight;
	unsigned parallelism;	/* current, lowered while throttled */
	size_t throttled;	/* 429 answers so far */
};

struct api_run_hooks {
	/* Called from the calling thread after each completed call and at
	 * most ~10 times a second otherwise. */
	void (*progress)(const struct api_progress *p, void *payload);
	void *payload;
	/* When *stop becomes non-zero no new call starts; in-flight ones
	 * finish.  May be NULL. */
	volatile sig_atomic_t *stop;
};

/*
 * Run independent calls concurrently (at most `parallelism` at once) with
 * retries as docs/architecture.md (Apply semantics) describes.  Creates are never resent once their body may
 * have reached the server: they end API_UNKNOWN instead, and never travel
 * on a reused connection.  Returns 0 when every call is API_DONE,
 * PS_EPARTIAL when some are not, PS_ECANCELLED when stopped early.
 * Release results with api_call_release().
 *
 * Retried: 408, 409, 429, 5xx and transport errors, at most max_attempts
 * attempts (429 answers: 3 * max_attempts; timed-out attempts: 2),
 * waiting `retry-after-ms`, else `Retry-After` (seconds or HTTP date; over
 * API_RETRY_AFTER_MAX_S: give up), else 0.5 s * 2^n <= 8 s with jitter;
 * `x-should-retry: false` is obeyed.  Never retried: other 4xx (error = "HTTP 403: <error.message>").
 * Creates are retried only after 408/409/429 or a connection that never
 * opened.  A modify or archive that ends after a 5xx or a lost answer is
 * API_UNKNOWN (it may have been applied); one that ends on a 4xx or
 * throttling is API_FAILED.  A 2xx whose body is unreadable is API_UNKNOWN.
 * `default` is refused without a request.  While the server answers 429
 * the start rate is paced under what it sustains, then raised again.
 * hooks may be NULL.
 */
int api_run_calls(struct api_client *c, struct api_call *calls, size_t nr,
    unsigned parallelism, const struct api_run_hooks *hooks);
void api_call_release(struct api_call *call);

#endif
