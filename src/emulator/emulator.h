/*
 * emulator: projsync-emulator, a local Bedrock Projects API server
 * (docs/projsync-emulator.1, docs/architecture.md).  Owned by the emulator
 * module.  It uses util and cJSON only, never the client (src/api) or the
 * client's codec (src/live): a bug in the client's JSON handling must not
 * be mirrored here, or the two would be wrong together.
 *
 * Two layers:
 *  - struct emu: state, validation, faults, request log and counters.
 *    emu_handle() answers one complete request without any socket, so
 *    unit tests and the fuzz target call it directly.  It is thread safe
 *    (one mutex; every request is short).
 *  - struct emu_server: the libmicrohttpd glue (server.c).  It collects
 *    the body, applies latency by suspending the connection (so a slow
 *    emulator does not pin a pool thread), calls emu_handle() and turns
 *    its verdict into a response, a dropped connection or a reset.
 */
#ifndef PROJSYNC_EMULATOR_H
#define PROJSYNC_EMULATOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/util.h"

/* Largest request body accepted (413 past it). */
#define EMU_MAX_BODY	(1024 * 1024)

enum emu_flavor {
	EMU_BEDROCK = 0,	/* bedrock-mantle: tags, ARNs, x-api-key, SigV4 */
	EMU_OPENAI,		/* OpenAI Admin API shape: no tags, no ARN */
};

/* How an injected 429 tells the client when to come back. */
enum emu_retry_after {
	EMU_RA_SECONDS = 0,	/* Retry-After: <seconds> */
	EMU_RA_MS,		/* retry-after-ms: <milliseconds> */
	EMU_RA_OMIT,		/* no header: the client backs off on its own */
};

struct emu_key {
	char *key;		/* owned */
	bool read_only;		/* "KEY:ro": reads only, writes get 403 */
};

/* --sigv4 AKID:SECRET[:SESSION_TOKEN][:ro]: signatures verified for real */
struct emu_sigv4_key {
	char *akid, *secret;	/* owned */
	char *token;		/* owned; NULL: long-term keys */
	bool read_only;
};

struct emu_config {
	enum emu_flavor flavor;
	char *region;		/* owned; default "us-east-1" */
	char *account;		/* owned; default "123456789012" */
	struct emu_key *keys;	/* owned; none configured: "test-key" */
	size_t nr_keys;
	struct emu_sigv4_key *sigv4;	/* owned; none: SigV4 scope checked only */
	size_t nr_sigv4;
	unsigned max_projects;	/* non-default ones, archived included */
	unsigned max_tags;
	unsigned name_max;	/* code points */
	unsigned latency_ms, jitter_ms;
	double rate_limit;	/* requests per second, 0: none */
	double fault_429, fault_5xx, fault_drop_create, fault_reset;
	unsigned fault_429_every;	/* every N-th API request: 429 */
	/* The first slow_creates creates wait slow_create_ms before they
	 * commit (and answer): a client that times out first cannot know */
	unsigned slow_creates, slow_create_ms;
	bool archived_at_null;	/* "archived_at":null on active projects */
	enum emu_retry_after retry_after;
	unsigned retry_after_value;	/* seconds or ms; 0: computed */
	uint64_t seed;
	int64_t clock;		/* fixed unix time for timestamps, 0: real */
	/* Cost Explorer (ce.c) */
	unsigned ce_page_size;		/* groups / items per page, 0: AWS's */
	unsigned ce_throttle_every;	/* every N-th CE request: throttled */
	unsigned ce_usage_days;		/* days of synthetic usage (90) */
	unsigned ce_backfill_seconds;	/* a backfill runs this long (3600) */
	bool ce_member_account;		/* tag calls: AccessDeniedException */
	char **ce_active;		/* owned: keys active from the start */
	size_t nr_ce_active;
	char *state_file;	/* owned or NULL */
	char *log_file;		/* owned or NULL */
};

/* Defaults of every field; release with emu_config_release(). */
void emu_config_init(struct emu_config *cfg);
void emu_config_release(struct emu_config *cfg);
/* Add a --key argument, "KEY" or "KEY:ro". */
int emu_config_add_key(struct emu_config *cfg, const char *arg);
/* Add a --sigv4 argument, "AKID:SECRET[:SESSION_TOKEN][:ro]" (sigv4.c). */
int emu_config_add_sigv4(struct emu_config *cfg, const char *arg);

struct emu;

/*
 * A new emulator with a copy of cfg.  Loads cfg->state_file when it
 * exists (PS_EINVALID with a message when it is not a valid state file)
 * and opens cfg->log_file for appending.  *out is the caller's.
 */
int emu_new(struct emu **out, const struct emu_config *cfg);
/* Saves the state (when persistent) and frees everything. NULL is fine. */
void emu_free(struct emu *emu);
/* Back to only the default project; clears the log and the counters. */
void emu_reset(struct emu *emu);

struct emu_header {
	const char *name;	/* any case */
	const char *value;
};

/* One complete request; everything is borrowed. */
struct emu_request {
	const char *method;		/* "GET", "POST", ... */
	const char *target;		/* raw request target: path?query */
	const struct emu_header *headers;
	size_t nr_headers;
	const char *body;		/* may hold NULs; NULL when empty */
	size_t body_len;
	bool body_too_large;		/* the server stopped reading: 413 */
};

enum emu_action {
	EMU_RESPOND = 0,	/* send status, headers and body */
	EMU_DROP,		/* close without a response (after a commit) */
	EMU_RESET,		/* reset the connection, nothing processed */
};

struct emu_response {
	enum emu_action action;
	unsigned status;
	struct ps_buf body;		/* JSON */
	char request_id[40];		/* "req_" + 32 hex */
	char *allow;			/* Allow header (405) or NULL */
	char *retry_after;		/* Retry-After value or NULL */
	char *retry_after_ms;		/* retry-after-ms value or NULL */
	const char *content_type;	/* static; NULL: application/json */
};
#define EMU_RESPONSE_INIT { EMU_RESPOND, 0, PS_BUF_INIT, "", NULL, NULL, NULL, NULL }

void emu_response_release(struct emu_response *r);

/*
 * Answer one request: routing, authentication, faults, validation, state
 * change, persistence, log and counters.  Fills *resp (release it with
 * emu_response_release()).  Never fails: every problem is an HTTP answer.
 */
void emu_handle(struct emu *emu, const struct emu_request *req,
    struct emu_response *resp);

/* Milliseconds to delay this request (latency ± jitter); 0 for the
 * /_emulator routes. */
unsigned emu_delay_ms(struct emu *emu, const char *target);

/* Extra milliseconds before this request is handled: slow_create_ms for
 * each of the first slow_creates creates (POST to the collection). */
unsigned emu_slow_create_ms(struct emu *emu, const char *method,
    const char *target);

/* Persist the state now (no-op without a state file). */
int emu_save(struct emu *emu);

/* ---- server.c: the HTTP front end ---- */
struct emu_server;

struct emu_server_options {
	unsigned port;			/* 0: any free port */
	unsigned threads;		/* 0: one per CPU, at least 2 */
	const char *tls_cert;		/* PEM files, both or neither */
	const char *tls_key;
};

/* Listen on 127.0.0.1; *port_out receives the bound port. */
int emu_server_start(struct emu_server **out, struct emu *emu,
    const struct emu_server_options *opts, unsigned *port_out);
/* Stop accepting, finish or drop what is in flight, free. NULL is fine. */
void emu_server_stop(struct emu_server *srv);

#endif
