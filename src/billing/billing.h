/*
 * billing: AWS Cost Explorer for projsync (docs/finops.md).  Owned by the
 * billing module.
 *
 *  amount.c  exact decimal amounts: Cost Explorer sends money as decimal
 *            strings ("40.3543773134"); projsync sums and prints them
 *            without binary floating point, so a report equals the bill
 *            to the last digit.
 *  client.c  the Cost Explorer client: endpoint, credentials from the
 *            AWS chain, SigV4 by the aws module (service ce, region
 *            us-east-1, or cn-northwest-1 in China), JSON 1.1
 *            requests, {"__type","Message"} errors, LimitExceededException
 *            retried with backoff.  Every request costs USD 0.01, so each
 *            operation below sends only the pages it needs.
 *  ops.c     the operations: tag statuses, Bedrock service discovery,
 *            cost and usage (every page, merged), backfills.
 *  report.c  cost reports as text, markdown, CSV, JSON and HTML.
 *
 * Nothing here prints or exits.  Credentials never appear in a message or
 * a trace.
 */
#ifndef PROJSYNC_BILLING_H
#define PROJSYNC_BILLING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/util.h"

/* ---- exact decimal amounts (amount.c) ---- */

/* Digits kept after the decimal point; a value with more is refused,
 * never rounded (Cost Explorer sends at most 10). */
#define AMOUNT_SCALE	18

/*
 * A signed fixed-point amount: v / 10^AMOUNT_SCALE, exact.  The range is
 * about ±1.7e20 (a 128-bit integer), far beyond any bill.  A plain value
 * type: copy it, no release.
 */
struct amount {
	__extension__ __int128 v;
};
#define AMOUNT_ZERO ((struct amount){ 0 })

/*
 * Parse "123", "-0.5", "40.3543773134", "1e-3" is refused: only an
 * optional '-', digits and an optional '.' with digits.  PS_EINVALID
 * (message names the text) for anything else, for more than AMOUNT_SCALE
 * decimals or a value out of range.
 */
int amount_parse(struct amount *out, const char *s);
/* *acc += a; PS_EINVALID on overflow (acc unchanged). */
int amount_add(struct amount *acc, struct amount a);
/* a - b; PS_EINVALID on overflow. */
int amount_sub(struct amount *out, struct amount a, struct amount b);
int amount_cmp(struct amount a, struct amount b);
bool amount_is_zero(struct amount a);
/*
 * Append a as decimal text.  places >= 0: rounded half away from zero to
 * that many decimals ("12.35"); places < 0: exact, trailing zeros dropped
 * but at least two decimals ("37.10", "40.3543773134").
 */
void amount_format(struct ps_buf *out, struct amount a, int places);
/*
 * part / whole as a percentage with one decimal ("12.5"), rounded half
 * away from zero; "0.0" when whole is zero.  Exact integer arithmetic.
 */
void amount_percent(struct ps_buf *out, struct amount part,
    struct amount whole);
/* part / whole * scale, rounded down, in [0, scale] (for drawing only);
 * 0 when whole is not positive. */
unsigned amount_scale(struct amount part, struct amount whole,
    unsigned scale);

/* ---- the client (client.c) ---- */

struct billing_client;

struct billing_options {
	/* projects' region: only picks the partition (cn-* is China) */
	const char *region;
	/* --billing-profile / settings.billing.profile / --profile: this
	 * profile only; NULL: the AWS credential chain */
	const char *profile;
	const char *profile_from;	/* "--billing-profile", ... */
	const char *cacert;
	unsigned max_attempts;	/* 0: 8 */
	unsigned timeout_ms;	/* per request, 0: 30 s */
	/* -v: one line per request and answer, never a credential */
	void (*trace)(const char *line, void *payload);
	void *trace_payload;
};

/*
 * The endpoint: $AWS_ENDPOINT_URL_COST_EXPLORER, then $AWS_ENDPOINT_URL,
 * else https://ce.us-east-1.amazonaws.com (https://ce.cn-northwest-1.
 * amazonaws.com.cn for a cn-* region).  Plain http only to loopback.
 * *out and *signing_region are the caller's.  PS_EUSAGE.
 */
int billing_endpoint_resolve(char **out, char **signing_region,
    const char *region);

/* Resolves credentials through the AWS credential chain (aws module);
 * its error (PS_ENOTFOUND listing where it looked, PS_EUSAGE, PS_EHTTP)
 * when there are none. */
int billing_client_new(struct billing_client **out,
    const struct billing_options *opts);
void billing_client_free(struct billing_client *c);
const char *billing_client_endpoint(const struct billing_client *c);
/* Requests sent so far, every attempt and page counted (USD 0.01 each). */
unsigned long billing_client_requests(const struct billing_client *c);

/*
 * POST one operation (e.g. "GetCostAndUsage") with a JSON body; on 200 the
 * answer is in *out.  Throttling (LimitExceededException) and 5xx and
 * transport errors are retried with backoff.  An error answer is
 * PS_EHTTP with "Cost Explorer <Op>: <Code>: <Message>" recorded, and the
 * code (without any "ns#" prefix) kept for billing_client_error_code().
 */
int billing_call(struct billing_client *c, const char *op, const char *body,
    struct ps_buf *out);
/* The last error answer's code ("AccessDeniedException"), or "". */
const char *billing_client_error_code(const struct billing_client *c);
/* The last error answer's message, or "". */
const char *billing_client_error_message(const struct billing_client *c);

/*
 * Parse a JSON 1.1 error body into its code (namespace prefix dropped)
 * and message; either may come back NULL.  Caller frees both.
 */
void billing_parse_error(char **code, char **message, const char *body,
    size_t len);

/* ---- days and periods (ops.c) ---- */

/* Days since 1970-01-01 (UTC) of "YYYY-MM-DD", a real calendar day;
 * false otherwise. */
bool billing_day_parse(int64_t *out, const char *s);
/* "YYYY-MM-DD" of a day number. */
void billing_day_format(char out[11], int64_t day);
/* The first day of the month holding day, moved by `months`. */
int64_t billing_month_start(int64_t day, int months);

/* Both days inclusive. */
struct billing_period {
	int64_t from, to;
	bool by_month;		/* --month or the default: compare by month */
};

/*
 * The report period: --month YYYY-MM (a past month whole, the current
 * one to today), or --from/--to (inclusive days, both needed), or by
 * default the current month to date.  today is the UTC day.  PS_EUSAGE
 * with a message for bad or future dates.
 */
int billing_period_parse(struct billing_period *out, const char *month,
    const char *from, const char *to, int64_t today);
/*
 * The period --compare puts beside p: for a month-based p the same days
 * of the month before (clipped to its length; a whole month compares
 * with the whole month before), else the as many days just before.
 */
void billing_period_previous(struct billing_period *out,
    const struct billing_period *p);

/* ---- operations (ops.c) ---- */

enum billing_tag_state {
	BILLING_TAG_UNSEEN = 0,	/* billing has no usage with this key yet */
	BILLING_TAG_INACTIVE,
	BILLING_TAG_ACTIVE,
};

struct billing_tag {
	char *key;
	enum billing_tag_state state;
	char *last_used;	/* ZonedDateTime or NULL */
	char *last_updated;	/* ZonedDateTime or NULL */
};

/*
 * The status of each key (in the order given): ListCostAllocationTags
 * with TagKeys in chunks of at most 100, every page.  *out holds nr
 * entries; free with billing_tags_free().
 */
int billing_tag_statuses(struct billing_client *c, const char *const *keys,
    size_t nr, struct billing_tag **out);
void billing_tags_free(struct billing_tag *tags, size_t nr);

/*
 * The Bedrock SERVICE values with usage in [from, to] (inclusive days):
 * GetDimensionValues with SearchString "Bedrock", every page, keeping
 * "Amazon Bedrock" and each "... (Amazon Bedrock Edition)", sorted.
 */
int billing_bedrock_services(struct billing_client *c, int64_t from,
    int64_t to, char ***out, size_t *nr);
void billing_strings_free(char **v, size_t nr);

/* One key's outcome of billing_activate_tags(). */
struct billing_update {
	char *key;
	bool done;		/* Active now */
	char *error;		/* why not, when !done: "TagKeysNotFound..." */
};

/*
 * Activate keys: UpdateCostAllocationTagsStatus in calls of at most 20.
 * A key AWS does not know is reported per key, whichever way AWS says it
 * (HTTP 200 with per-key Errors, or HTTP 400 ValidationException "Tag
 * keys not found: a,b", after which the rest of that call is sent
 * again); any other error stops the activation and is returned (the
 * code is in billing_client_error_code(): AccessDeniedException from a
 * member account).  *out holds nr entries either way; free with
 * billing_updates_free().
 */
int billing_activate_tags(struct billing_client *c, const char *const *keys,
    size_t nr, struct billing_update **out);
void billing_updates_free(struct billing_update *u, size_t nr);

struct billing_row {
	int64_t start, end;	/* the bucket's first and last day */
	char *values[2];	/* one per group key; "" is not attributed */
	struct amount amount;
	bool estimated;
};

struct billing_result {
	struct billing_row *rows;	/* by start, then values */
	size_t nr, alloc;
	char *unit;			/* "USD"; NULL when nothing came */
};

struct billing_query {
	struct billing_period period;
	bool daily;
	const char *metric;		/* "UnblendedCost", ... */
	const char *const *keys;	/* 0 to 2 TAG group keys */
	size_t nr_keys;
	const char *const *services;	/* the SERVICE filter */
	size_t nr_services;
};

/*
 * GetCostAndUsage over q, every page with the same parameters, groups of
 * one bucket that span pages merged.  No request when q has no service.
 */
int billing_cost_and_usage(struct billing_client *c,
    const struct billing_query *q, struct billing_result *out);
void billing_result_release(struct billing_result *r);

struct billing_backfill {
	char *from, *requested, *completed, *updated;	/* ZonedDateTime */
	char *status;		/* SUCCEEDED | PROCESSING | FAILED */
};

/* Every backfill request, newest first as AWS lists them. */
int billing_backfill_history(struct billing_client *c,
    struct billing_backfill **out, size_t *nr);
/* StartCostAllocationTagBackfill from the first day of month (a day
 * number); *out gets the request AWS returns. */
int billing_backfill_start(struct billing_client *c, int64_t month,
    struct billing_backfill *out);
void billing_backfills_free(struct billing_backfill *v, size_t nr);

/* ---- cost reports (report.c) ---- */

enum billing_format {
	BILLING_TEXT = 0, BILLING_MARKDOWN, BILLING_CSV, BILLING_JSON,
	BILLING_HTML,
};

/* "text" | "markdown" | "csv" | "json" | "html"; PS_EUSAGE otherwise. */
int billing_format_parse(enum billing_format *out, const char *s);

struct billing_report {
	/* the question (set by the caller) */
	struct billing_period period;
	bool daily;
	bool compare;			/* the previous period beside it */
	const char *metric;
	const char *keys[2];		/* 1 or 2 tag keys */
	size_t nr_keys;
	/* the answer (billing_report_run) */
	struct billing_period previous;
	char **services;
	size_t nr_services;
	struct billing_result cur, prev;
	unsigned long requests;		/* Cost Explorer requests sent */
};

/*
 * Discover the Bedrock services of the period (and of the previous one
 * with compare: one request covers both), then GetCostAndUsage for the
 * period (and the previous one), every page: a report costs its pages
 * plus one request.
 */
int billing_report_run(struct billing_client *c, struct billing_report *r);
/* Render r; every string from Cost Explorer is escaped for the format
 * (control characters never reach a terminal). */
void billing_report_render(struct ps_buf *out, const struct billing_report *r,
    enum billing_format format);
void billing_report_release(struct billing_report *r);

#endif
