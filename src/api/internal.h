/*
 * api internals shared by the module's .c files (api__ names).  Owned by
 * the api module; only src/api and tests/unit/test_api.c include this.
 *
 *  endpoint.c  endpoint resolution, auth mode parsing, loopback check
 *  client.c    client life cycle, credentials, easy-handle set-up, trace,
 *              listing
 *  run.c       the request engine: one multi handle, retries on timers,
 *              the throttle pacer, api_run_calls()
 *  retry.c     pure helpers: Retry-After parsing, backoff, the pacer
 */
#ifndef PROJSYNC_API_INTERNAL_H
#define PROJSYNC_API_INTERNAL_H

#include <curl/curl.h>
#include <stdint.h>
#include <time.h>

#include "api/api.h"
#include "aws/aws.h"

#define API_DEFAULT_ATTEMPTS	8
/*
 * Timed-out attempts per call.  A server that accepts and never answers is
 * not a blip: give it a second chance, not max_attempts of them (8 * 30 s
 * of silence before the user hears anything).
 */
#define API_MAX_TIMEOUTS	2
/*
 * Attempts when the endpoint cannot be reached at all (connection refused,
 * DNS, TLS handshake): a second one covers a blip; more only make the
 * user wait (8 attempts with backoff were 26 s of silence).
 */
#define API_MAX_UNREACHABLE	2
/* 429 answers have their own bound: 3 * max_attempts */
#define API_DEFAULT_TIMEOUT_MS	30000
#define API_DEFAULT_CONNECT_MS	10000

struct api_client {
	char *endpoint;		/* no trailing slash */
	char *region;		/* SigV4 only */
	enum api_auth auth;
	char *cacert;
	char *auth_header;	/* "Authorization: Bearer K" / "x-api-key: K" */
	char *auth_source;	/* "bearer key from $X", "SigV4 ..., from ..." */
	struct aws_provider *provider;	/* SigV4 */
	const struct aws_credentials *creds;	/* SigV4: the provider's, now */
	char *secrets[4];	/* scrubbed from every message and trace */
	unsigned max_attempts, timeout_ms, connect_timeout_ms;
	double retry_scale;
	size_t max_body;
	void (*trace)(const char *line, void *payload);
	void *trace_payload;
	CURLM *multi;		/* one connection cache for the client's life */
	unsigned multi_conns;	/* CURLMOPT_MAX_HOST_CONNECTIONS set */
	unsigned long requests;
	uint64_t rng;
};

enum api__state {
	API__QUEUED = 0,	/* never started */
	API__RUNNING,
	API__WAITING,		/* between attempts, until due_us */
	API__FINISHED,
};

/* One logical request and its attempts. */
struct api__req {
	/* set by the caller */
	const char *method;	/* "GET" or "POST" */
	char *url;		/* owned */
	const char *body;	/* borrowed; NULL: no body */
	bool create;		/* never resent once it may have arrived */

	/* results */
	enum api_outcome outcome;
	long status;		/* last HTTP status, 0: transport error */
	struct ps_buf resp;	/* last response body */
	char *error;		/* owned, already scrubbed */
	unsigned attempts;

	/* engine state */
	enum api__state state;
	CURL *easy;
	struct curl_slist *headers;
	struct ps_buf trace_out;	/* request headers, redacted */
	struct ps_buf trace_in;		/* response headers */
	bool tracing;
	size_t max_body;
	char errbuf[CURL_ERROR_SIZE];
	bool too_big;
	bool maybe_sent;	/* the last attempt's bytes may have arrived */
	bool may_still_commit;	/* ... and the server may still be at it */
	char *retry_after, *retry_after_ms, *should_retry, *request_id;
	char *date;		/* the Date header, for doctor's clock check */
	unsigned throttles, failures, timeouts, unreachable;
	int64_t due_us, sent_us, answered_us;
};

/* ---- client.c ---- */
/* Replace every credential in s by "<redacted>" (in place, may shrink). */
void api__scrub(const struct api_client *c, char *s);
void api__trace(struct api_client *c, const char *fmt, ...) PS_PRINTF(2, 3);
/* An easy handle for one attempt of r (headers, auth, body, limits). */
int api__easy_setup(struct api_client *c, struct api__req *r);
void api__req_reset_attempt(struct api__req *r);
/* Is cc "the endpoint cannot be reached" (refused, DNS, TLS)? */
bool api__unreachable(CURLcode cc);
/* "; <cause and fix>" for a transport error: --cacert, the region, the
 * proxy, --timeout; "" when there is nothing to add. */
const char *api__transport_hint(const struct api_client *c, CURLcode cc);
void api__req_release(struct api__req *r);
/* Monotonic clock in microseconds. */
int64_t api__now_us(void);

/* ---- run.c ---- */
/*
 * Run reqs (each API__QUEUED, or API__FINISHED to skip it) with at most
 * `parallelism` in flight; retries per docs/architecture.md, Apply semantics.  Every req ends
 * API__FINISHED with outcome set, or stays API__QUEUED/NOT_STARTED when
 * stopped.  Returns 0, or PS_ECANCELLED when *hooks->stop ended it early.
 */
int api__run(struct api_client *c, struct api__req *reqs, size_t nr,
    unsigned parallelism, const struct api_run_hooks *hooks);

/* ---- retry.c ---- */
enum api__ra {
	API__RA_NONE = 0,	/* no usable header: back off on our own */
	API__RA_DELAY,		/* *out_ms is the server's delay */
	API__RA_TOO_LONG,	/* over API_RETRY_AFTER_MAX_S: give up */
};
/*
 * The delay the server asks for: `retry-after-ms` (float ms), then
 * `Retry-After` as seconds (float) or an HTTP date relative to now.
 * Values <= 0 or unparsable are API__RA_NONE.
 */
enum api__ra api__retry_after(double *out_ms, const char *retry_after_ms,
    const char *retry_after, time_t now);
/* 0.5 s * 2^n capped at 8 s, times a jitter in [0.75, 1]. */
double api__backoff_ms(unsigned n, uint64_t *rng);
uint64_t api__rand(uint64_t *state);

/*
 * The throttle pacer.  While the server answers 429 it paces request
 * starts at a rate just under the throughput the server sustained since
 * throttling began (multiplicative decrease: halve when there is no
 * estimate yet), then raises the rate again on successes: quickly back to
 * 90% of the last estimate, then 5% a second to probe (additive-ish
 * increase).  Far above what the concurrency cap allows it stops pacing.
 * Random throttling (429s whatever the rate) is told apart from a rate
 * limit by whether sending slower raised the share accepted; then the
 * pacer stands aside for 30 s and each 429 only delays its own request.
 * Times are microseconds on any monotonic clock.
 */
#define API__PACER_SLOTS	64	/* successes by send time, 16 ms each */
#define API__PACER_LEVELS	16	/* rate levels kept per episode */
struct api__pacer {
	unsigned max;		/* the parallelism cap */
	double rate;		/* starts per second; 0: not paced */
	double wmax;		/* last estimate of the server's rate */
	double srtt_us;		/* smoothed duration of good answers */
	int64_t next_us;	/* earliest next start while paced */
	int64_t last_cut_us, last_grow_us, last_throttle_us;
	int64_t episode_us;	/* send time of the episode's first 429 */
	unsigned episode_cuts;
	bool in_episode;
	/* recent starts, for the send rate when not paced */
	int64_t starts_us[32];
	unsigned starts_pos, starts_nr;
	/* successes bucketed by send time (ring of 16 ms slots) */
	int64_t slot_k[API__PACER_SLOTS];	/* which slot it holds now */
	unsigned slots[API__PACER_SLOTS];
	unsigned long throttled;	/* 429 answers seen */
	/*
	 * Rate limit or random throttling?  A level is the time between two
	 * cuts; for each of the episode's last levels: what it sent a second
	 * and how its requests were answered.  Under a rate limit the share
	 * accepted follows R / rate; under random throttling it stays the
	 * same whatever the rate.  When the levels say "random" (a
	 * likelihood ratio, docs/apply-safety.md) the pacer stands aside
	 * until random_until: each throttled request still waits its
	 * Retry-After or backoff, the others are not held back.
	 */
	struct api__pacer_level {
		int64_t start_us;
		double rate;		/* sent a second, once it ended */
		unsigned sent, ok, thr;
	} levels[API__PACER_LEVELS];
	unsigned nlevels;		/* this episode's (the last kept) */
	int64_t random_until;
};
void api__pacer_init(struct api__pacer *p, unsigned max, int64_t now);
/* May a request start now with `running` in flight?  If pacing forbids
 * it, *wait_us says when (else it is left alone). */
bool api__pacer_may_start(const struct api__pacer *p, unsigned running,
    int64_t now, int64_t *wait_us);
void api__pacer_started(struct api__pacer *p, int64_t now);
/* An answer to a request sent at sent_us: throttled (429) or not. */
void api__pacer_result(struct api__pacer *p, bool throttled, int64_t sent_us,
    int64_t now);
/* The effective concurrency, for progress reports. */
unsigned api__pacer_parallelism(const struct api__pacer *p);

#endif
