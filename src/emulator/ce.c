/*
 * emulator: AWS Cost Explorer on the same port (POST / with X-Amz-Target:
 * AWSInsightsIndexService.<Op>, JSON 1.1, errors {"__type","Message"}).
 *
 * Usage is synthetic and deterministic: every project in the store (the
 * default one included) has a daily amount per service, a pure function
 * of --seed, the project id, the service and the day, for the last
 * ce_usage_days days before the emulator's clock (archived projects stop
 * the day they were archived).  Group keys come from the projects' tags as
 * they are now, "Key$Value", or "Key$" for a project without the key.  A
 * tag key is "seen" by billing once a project carrying it has usage.
 * Amounts are integers of 10^-10 USD, so the emulator's own sums are
 * exact and independent of the client's decimal code.
 */
#include "emulator/emulator.h"
#include "emulator/internal.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define CE_PREFIX	"AWSInsightsIndexService."
#define DAY		86400
#define UNITS		((int64_t)10000000000)	/* 10^-10 USD per unit */

/* Services billed in the emulator.  Bedrock ones match the discovery
 * rule; S3 carries the same project tags and must stay out of reports. */
static const struct ce_service {
	const char *name;
	unsigned share;		/* percent of projects that use it */
	int64_t max_units;	/* per project and day */
} services[] = {
	{ "Amazon Bedrock", 100, 40 * UNITS },
	{ "Claude Sonnet 4.5 (Amazon Bedrock Edition)", 60, 25 * UNITS },
	{ "OpenAI GPT-5.6 Sol (Amazon Bedrock Edition)", 40, 15 * UNITS },
	{ "Amazon Simple Storage Service", 100, 5 * UNITS },
};
#define NR_SERVICES PS_ARRAY_SIZE(services)

static const char *const metric_names[] = {
	"UnblendedCost", "NetUnblendedCost", "AmortizedCost",
	"NetAmortizedCost", "BlendedCost",
};
#define NR_METRICS PS_ARRAY_SIZE(metric_names)

struct ce_req {
	struct emu_ce *ce;
	const struct emu_config *cfg;
	const struct emu_store *st;
	int64_t now;
	struct emu_response *resp;
	cJSON *doc;
	uint64_t fingerprint;	/* the body without its page token */
};

/* ---- state ---- */

void
emu__ce_init(struct emu_ce *ce, const struct emu_config *cfg)
{
	size_t i;

	memset(ce, 0, sizeof(*ce));
	for (i = 0; i < cfg->nr_ce_active; i++)
		emu__ce_set_status(ce, cfg->ce_active[i], true, 0);
}

void
emu__ce_release(struct emu_ce *ce)
{
	size_t i;

	for (i = 0; i < ce->nr_tags; i++)
		free(ce->tags[i].key);
	free(ce->tags);
	free(ce->backfills);
	memset(ce, 0, sizeof(*ce));
}

void
emu__ce_set_status(struct emu_ce *ce, const char *key, bool active,
    int64_t when)
{
	size_t i;

	for (i = 0; i < ce->nr_tags; i++)
		if (strcmp(ce->tags[i].key, key) == 0)
			break;
	if (i == ce->nr_tags) {
		xgrow(&ce->tags, &ce->alloc_tags, i + 1, sizeof(*ce->tags));
		ce->tags[i].key = xstrdup(key);
		ce->nr_tags++;
	}
	ce->tags[i].active = active;
	ce->tags[i].updated = when;
}

static const struct emu_ce_tag *
find_status(const struct emu_ce *ce, const char *key)
{
	size_t i;

	for (i = 0; i < ce->nr_tags; i++)
		if (strcmp(ce->tags[i].key, key) == 0)
			return &ce->tags[i];
	return NULL;
}

bool
emu__ce_is_request(const struct emu_request *req, const char *target)
{
	size_t i;

	if (!req->method || strcmp(req->method, "POST") != 0 ||
	    strcmp(req->target, "/") != 0)
		return false;
	for (i = 0; i < req->nr_headers; i++)
		if (strcasecmp(req->headers[i].name, "x-amz-target") == 0)
			return strncmp(req->headers[i].value, target,
			    strlen(target)) == 0;
	return false;
}

/* ---- answers ---- */

static void
ce_error(struct ce_req *r, const char *type, const char *fmt, ...)
    PS_PRINTF(3, 4);

static void
ce_error(struct ce_req *r, const char *type, const char *fmt, ...)
{
	struct ps_buf *b = &r->resp->body;
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	r->resp->status = 400;
	ps_buf_reset(b);
	ps_buf_adds(b, "{\"__type\":");
	emu__json_str(b, type);
	ps_buf_adds(b, ",\"Message\":");
	emu__json_str(b, msg);
	ps_buf_addch(b, '}');
	free(msg);
}

#define INVALID(r, ...) ce_error((r), "ValidationException", __VA_ARGS__)

static void
add_units(struct ps_buf *b, int64_t u)
{
	ps_buf_addf(b, "\"%s%" PRId64 ".%010" PRId64 "\"", u < 0 ? "-" : "",
	    (u < 0 ? -u : u) / UNITS, (u < 0 ? -u : u) % UNITS);
}

/* A JSON string of unix time t (UTC): "2026-12-07T12:00:00Z", or only
 * the day. */
static void
add_time(struct ps_buf *b, int64_t t, bool zoned)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char s[32];

	gmtime_r(&tt, &tm);
	if (zoned)
		strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%SZ", &tm);
	else
		strftime(s, sizeof(s), "%Y-%m-%d", &tm);
	emu__json_str(b, s);
}

#define add_day(b, day)		add_time((b), (day) * DAY, false)
#define add_zoned(b, when)	add_time((b), (when), true)

/* ---- parsing ---- */

/* "YYYY-MM-DD" (a real calendar day) into days since 1970. */
static bool
parse_day(const char *s, int64_t *out)
{
	struct tm tm = { 0 }, chk;
	int y, m, d, n = 0;
	time_t t;

	if (!s || strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d,
	    &n) != 3 || n != 10 || s[4] != '-' || s[7] != '-')
		return false;
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	t = timegm(&tm);
	if (!gmtime_r(&t, &chk) || chk.tm_mday != d || chk.tm_mon != m - 1)
		return false;
	*out = (int64_t)t / DAY;
	return true;
}

/* First day of the month holding day, and of the month after it. */
static int64_t
month_start(int64_t day, int shift)
{
	time_t t = (time_t)(day * DAY);
	struct tm tm;

	gmtime_r(&t, &tm);
	tm.tm_mday = 1;
	tm.tm_mon += shift;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	return (int64_t)timegm(&tm) / DAY;
}

static uint64_t
fnv1a(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;

	while (n--) {
		h ^= *s++;
		h *= 1099511628211ULL;
	}
	return h;
}

/* The body without NextPageToken/NextToken: a page token is only valid
 * for the request it came from. */
static uint64_t
fingerprint(const cJSON *doc)
{
	cJSON *copy = cJSON_Duplicate(doc, 1);
	char *text;
	uint64_t h;

	cJSON_DeleteItemFromObjectCaseSensitive(copy, "NextPageToken");
	cJSON_DeleteItemFromObjectCaseSensitive(copy, "NextToken");
	text = cJSON_PrintUnformatted(copy);
	h = fnv1a(1469598103934665603ULL, text, strlen(text));
	free(text);
	cJSON_Delete(copy);
	return h;
}

/* The offset a token names; false (answered) when it is not ours. */
static bool
page_offset(struct ce_req *r, const char *member, size_t *off)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(r->doc, member);
	unsigned long long o;
	uint64_t h;
	int n = 0;

	*off = 0;
	if (!t)
		return true;
	if (!cJSON_IsString(t) || sscanf(t->valuestring, "%16" SCNx64 ".%llu%n",
	    &h, &o, &n) != 2 || t->valuestring[n]) {
		ce_error(r, "InvalidNextTokenException",
		    "The pagination token is invalid. Try again without a "
		    "pagination token.");
		return false;
	}
	if (h != r->fingerprint) {
		ce_error(r, "RequestChangedException", "Your request "
		    "parameters changed between pages. Try again with the "
		    "old parameters or without a pagination token.");
		return false;
	}
	*off = (size_t)o;
	return true;
}

static void
add_token(struct ps_buf *b, const char *member, const struct ce_req *r,
    size_t next)
{
	ps_buf_addf(b, ",\"%s\":\"%016" PRIx64 ".%zu\"", member,
	    r->fingerprint, next);
}

static const char *
str_member(struct ce_req *r, const cJSON *obj, const char *name,
    bool required)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);

	if (!v && !required)
		return NULL;
	if (!cJSON_IsString(v)) {
		INVALID(r, "%s %s", name, v ? "must be a string" :
		    "is required");
		return NULL;
	}
	return v->valuestring;
}

static bool
time_period(struct ce_req *r, int64_t *start, int64_t *end)
{
	const cJSON *tp = cJSON_GetObjectItemCaseSensitive(r->doc, "TimePeriod");
	const char *s, *e;

	if (!cJSON_IsObject(tp)) {
		INVALID(r, "TimePeriod is required");
		return false;
	}
	if (!(s = str_member(r, tp, "Start", true)) ||
	    !(e = str_member(r, tp, "End", true)))
		return false;
	if (!parse_day(s, start) || !parse_day(e, end)) {
		INVALID(r, "Start date and End date must be in the format "
		    "yyyy-MM-dd: '%s', '%s'", s, e);
		return false;
	}
	if (*start >= *end) {
		INVALID(r, "Start date (%s) must be earlier than end date "
		    "(%s)", s, e);
		return false;
	}
	if (*start > r->now / DAY) {
		INVALID(r, "Start date (%s) cannot be after the current date",
		    s);
		return false;
	}
	return true;
}

/*
 * Filter: Dimensions SERVICE or RECORD_TYPE (EQUALS), or an And of them.
 * Narrows allowed[] (one flag per service).
 */
static bool
filter(struct ce_req *r, const cJSON *e, bool allowed[NR_SERVICES])
{
	const cJSON *dim, *key, *vals, *v, *sub;
	bool in[NR_SERVICES] = { false };
	size_t i;

	if (!cJSON_IsObject(e) || cJSON_GetArraySize(e) != 1) {
		INVALID(r, "Expression has more than one roots. Only one root "
		    "operator is allowed for each expression: And, Or, Not, "
		    "Dimensions, Tags, CostCategories");
		return false;
	}
	if ((sub = cJSON_GetObjectItemCaseSensitive(e, "And"))) {
		if (!cJSON_IsArray(sub) || cJSON_GetArraySize(sub) < 2) {
			INVALID(r, "And needs at least two expressions");
			return false;
		}
		cJSON_ArrayForEach(v, sub)
			if (!filter(r, v, allowed))
				return false;
		return true;
	}
	if (!(dim = cJSON_GetObjectItemCaseSensitive(e, "Dimensions"))) {
		INVALID(r, "the emulator supports only Dimensions (SERVICE, "
		    "RECORD_TYPE) and And in a Filter");
		return false;
	}
	key = cJSON_GetObjectItemCaseSensitive(dim, "Key");
	vals = cJSON_GetObjectItemCaseSensitive(dim, "Values");
	if (!cJSON_IsString(key) || !cJSON_IsArray(vals)) {
		INVALID(r, "Dimensions needs a Key and Values");
		return false;
	}
	cJSON_ArrayForEach(v, vals)
		if (!cJSON_IsString(v)) {
			INVALID(r, "Values must be strings");
			return false;
		}
	if (strcmp(key->valuestring, "RECORD_TYPE") == 0)
		return true;	/* every synthetic line is Usage */
	if (strcmp(key->valuestring, "SERVICE") != 0) {
		INVALID(r, "the emulator filters only on SERVICE and "
		    "RECORD_TYPE, not '%s'", key->valuestring);
		return false;
	}
	cJSON_ArrayForEach(v, vals)
		for (i = 0; i < NR_SERVICES; i++)
			if (strcmp(v->valuestring, services[i].name) == 0)
				in[i] = true;
	for (i = 0; i < NR_SERVICES; i++)
		allowed[i] = allowed[i] && in[i];
	return true;
}

/* ---- synthetic usage ---- */

static uint64_t
mix(uint64_t h)
{
	return emu__rng_next(&h);
}

static uint64_t
project_hash(const struct emu_config *cfg, const struct emu_project *p)
{
	return fnv1a(mix(cfg->seed ^ 0xce11ce11ce11ce11ULL), p->id,
	    strlen(p->id));
}

/* Does project p use service s at all? */
static bool
uses(uint64_t ph, const struct emu_project *p, size_t s)
{
	if (strcmp(p->id, "default") == 0)
		return s <= 1;	/* Bedrock and one model, never S3 */
	return mix(ph ^ (s * 0x9e3779b97f4a7c15ULL)) % 100 < services[s].share;
}

/* The window of days with usage for p: [first, last]. */
static bool
usage_window(const struct ce_req *r, const struct emu_project *p,
    int64_t *first, int64_t *last)
{
	int64_t today = r->now / DAY;

	*first = today - (int64_t)r->cfg->ce_usage_days;
	*last = today;
	if (p->archived && p->archived_at / DAY - 1 < *last)
		*last = p->archived_at / DAY - 1;
	return *first <= *last;
}

static int64_t
daily_units(uint64_t ph, size_t s, int64_t day)
{
	uint64_t h = mix(ph ^ mix((uint64_t)day * 31 + s));

	return (int64_t)(h % (uint64_t)services[s].max_units);
}

static int64_t
metric_units(int64_t base, size_t metric)
{
	/* the Net* metrics: a 5 % discount */
	return strncmp(metric_names[metric], "Net", 3) == 0 ?
	    base - base / 20 : base;
}

/* Every project, the default one first. */
static const struct emu_project *
project_at(const struct emu_store *st, size_t i)
{
	return i == 0 ? st->def : st->order[i - 1];
}

static bool
key_seen(const struct ce_req *r, const char *key)
{
	int64_t first, last;
	size_t i;

	for (i = 0; i <= r->st->nr; i++) {
		const struct emu_project *p = project_at(r->st, i);
		if (tag_set_get(&p->tags, key) && usage_window(r, p, &first,
		    &last))
			return true;
	}
	return false;
}

/* ---- operations ---- */

static bool
throttled(struct ce_req *r)
{
	unsigned every = r->cfg->ce_throttle_every;

	r->ce->requests++;
	if (every && r->ce->requests % every == 0) {
		ce_error(r, "LimitExceededException", "You made too many "
		    "calls in a short period of time. Try again later.");
		r->ce->throttled++;
		return true;
	}
	return false;
}

static bool
member_refused(struct ce_req *r)
{
	if (!r->cfg->ce_member_account)
		return false;
	ce_error(r, "AccessDeniedException", "Failed to update Cost "
	    "Allocation Tag: Linked account doesn't have access to cost "
	    "allocation tags.");
	return true;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted, unique tag keys of projects with usage. */
static void
seen_keys(const struct ce_req *r, char ***out, size_t *nr)
{
	size_t i, k, alloc = 0, n = 0, w;
	char **keys = NULL;
	int64_t first, last;

	for (i = 0; i <= r->st->nr; i++) {
		const struct emu_project *p = project_at(r->st, i);
		if (!usage_window(r, p, &first, &last))
			continue;
		for (k = 0; k < p->tags.nr; k++) {
			xgrow(&keys, &alloc, n + 1, sizeof(*keys));
			keys[n++] = p->tags.items[k].key;	/* borrowed */
		}
	}
	if (n)
		qsort(keys, n, sizeof(*keys), cmp_str);
	for (i = 0, w = 0; i < n; i++)
		if (!w || strcmp(keys[w - 1], keys[i]) != 0)
			keys[w++] = keys[i];
	*out = keys;
	*nr = w;
}

static unsigned
page_size(struct ce_req *r, unsigned dflt)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(r->doc, "MaxResults");
	unsigned n = dflt;

	if (m && cJSON_IsNumber(m) && m->valuedouble >= 1)
		n = m->valuedouble > 1000 ? 1000 : (unsigned)m->valuedouble;
	if (r->cfg->ce_page_size && n > r->cfg->ce_page_size)
		n = r->cfg->ce_page_size;
	return n;
}

static void
list_tags(struct ce_req *r)
{
	const cJSON *keys = cJSON_GetObjectItemCaseSensitive(r->doc, "TagKeys");
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(r->doc, "MaxResults");
	const char *status, *type;
	struct ps_buf *b = &r->resp->body;
	char **seen = NULL;
	size_t nr_seen, nr_match = 0, i, off, max;
	int64_t month = month_start(r->now / DAY, 0);
	const cJSON *k;
	bool match;

	if (member_refused(r))
		return;
	status = str_member(r, r->doc, "Status", false);
	type = str_member(r, r->doc, "Type", false);
	if (m && (!cJSON_IsNumber(m) || m->valuedouble < 1 ||
	    m->valuedouble > 1000)) {
		INVALID(r, "MaxResults must be between 1 and 1000");
		return;
	}
	if (keys && (!cJSON_IsArray(keys) || cJSON_GetArraySize(keys) < 1 ||
	    cJSON_GetArraySize(keys) > 100)) {
		INVALID(r, "TagKeys must hold 1 to 100 keys");
		return;
	}
	if (!page_offset(r, "NextToken", &off))
		return;
	max = page_size(r, 100);
	seen_keys(r, &seen, &nr_seen);
	/* keep the keys that pass the filters, in place */
	for (i = 0; i < nr_seen; i++) {
		const struct emu_ce_tag *t = find_status(r->ce, seen[i]);
		bool active = t && t->active;
		match = !keys;
		cJSON_ArrayForEach(k, keys)
			if (cJSON_IsString(k) && strcmp(k->valuestring,
			    seen[i]) == 0)
				match = true;
		if (match && (!status || strcmp(status, active ? "Active" :
		    "Inactive") == 0) && (!type || strcmp(type,
		    "UserDefined") == 0))
			seen[nr_match++] = seen[i];
	}
	r->resp->status = 200;
	ps_buf_adds(b, "{\"CostAllocationTags\":[");
	for (i = off; i < nr_match && i < off + max; i++) {
		const struct emu_ce_tag *t = find_status(r->ce, seen[i]);
		ps_buf_adds(b, i > off ? ",{\"TagKey\":" : "{\"TagKey\":");
		emu__json_str(b, seen[i]);
		ps_buf_addf(b, ",\"Type\":\"UserDefined\",\"Status\":\"%s\"",
		    t && t->active ? "Active" : "Inactive");
		if (t && t->updated) {
			ps_buf_adds(b, ",\"LastUpdatedDate\":");
			add_zoned(b, t->updated);
		}
		ps_buf_adds(b, ",\"LastUsedDate\":");
		add_zoned(b, month * DAY);
		ps_buf_addch(b, '}');
	}
	ps_buf_addch(b, ']');
	if (i < nr_match)
		add_token(b, "NextToken", r, i);
	ps_buf_addch(b, '}');
	free(seen);
}

static void
update_tags(struct ce_req *r)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(r->doc,
	    "CostAllocationTagsStatus");
	struct ps_buf *b = &r->resp->body, missing = PS_BUF_INIT;
	const cJSON *e, *k, *s;
	size_t nr_missing = 0, n;
	bool first = true;

	if (member_refused(r))
		return;
	if (!cJSON_IsArray(list) || (n = (size_t)cJSON_GetArraySize(list)) < 1 ||
	    n > 20) {
		INVALID(r, "CostAllocationTagsStatus must hold 1 to 20 entries");
		return;
	}
	cJSON_ArrayForEach(e, list) {
		k = cJSON_GetObjectItemCaseSensitive(e, "TagKey");
		s = cJSON_GetObjectItemCaseSensitive(e, "Status");
		if (!cJSON_IsString(k) || !cJSON_IsString(s) ||
		    (strcmp(s->valuestring, "Active") != 0 &&
		    strcmp(s->valuestring, "Inactive") != 0)) {
			INVALID(r, "each entry needs a TagKey and a Status "
			    "(Active or Inactive)");
			return;
		}
		if (!key_seen(r, k->valuestring)) {
			ps_buf_adds(&missing, nr_missing++ ? "," : "");
			ps_buf_adds(&missing, k->valuestring);
		}
	}
	/* AWS answers unknown keys two ways: a 400 when none is known, a
	 * 200 with per-key Errors when some are */
	if (nr_missing == n) {
		INVALID(r, "Failed to update Cost Allocation Tag: Tag keys not "
		    "found: %s", missing.ptr);
		ps_buf_release(&missing);
		return;
	}
	ps_buf_release(&missing);
	r->resp->status = 200;
	ps_buf_adds(b, "{\"Errors\":[");
	cJSON_ArrayForEach(e, list) {
		k = cJSON_GetObjectItemCaseSensitive(e, "TagKey");
		s = cJSON_GetObjectItemCaseSensitive(e, "Status");
		if (key_seen(r, k->valuestring)) {
			emu__ce_set_status(r->ce, k->valuestring,
			    strcmp(s->valuestring, "Active") == 0, r->now);
			continue;
		}
		ps_buf_adds(b, first ? "{\"TagKey\":" : ",{\"TagKey\":");
		first = false;
		emu__json_str(b, k->valuestring);
		ps_buf_adds(b, ",\"Code\":\"TagKeysNotFoundException\","
		    "\"Message\":");
		{
			char *msg = xasprintf("Failed to update Cost Allocation "
			    "Tag: %s", k->valuestring);
			emu__json_str(b, msg);
			free(msg);
		}
		ps_buf_addch(b, '}');
	}
	ps_buf_adds(b, "]}");
}

static const char *
backfill_status(const struct ce_req *r, const struct emu_ce_backfill *f)
{
	return r->now >= f->requested + (int64_t)r->cfg->ce_backfill_seconds ?
	    "SUCCEEDED" : "PROCESSING";
}

static void
add_backfill(struct ps_buf *b, const struct ce_req *r,
    const struct emu_ce_backfill *f)
{
	const char *st = backfill_status(r, f);

	ps_buf_adds(b, "{\"BackfillFrom\":");
	add_zoned(b, f->from * DAY);
	ps_buf_adds(b, ",\"RequestedAt\":");
	add_zoned(b, f->requested);
	if (strcmp(st, "SUCCEEDED") == 0) {
		ps_buf_adds(b, ",\"CompletedAt\":");
		add_zoned(b, f->requested + (int64_t)r->cfg->ce_backfill_seconds);
	}
	ps_buf_addf(b, ",\"BackfillStatus\":\"%s\",\"LastUpdatedAt\":", st);
	add_zoned(b, strcmp(st, "SUCCEEDED") == 0 ? f->requested +
	    (int64_t)r->cfg->ce_backfill_seconds : f->requested);
	ps_buf_addch(b, '}');
}

static void
start_backfill(struct ce_req *r)
{
	const char *from = str_member(r, r->doc, "BackfillFrom", true);
	int64_t day, today = r->now / DAY;
	struct emu_ce_backfill *f;
	char date[11];
	size_t i;

	if (!from || member_refused(r))
		return;
	if (strlen(from) != 20 || strcmp(from + 10, "T00:00:00Z") != 0) {
		INVALID(r, "BackfillFrom must be the first day of a month at "
		    "00:00:00Z: '%s'", from);
		return;
	}
	memcpy(date, from, 10);
	date[10] = '\0';
	if (!parse_day(date, &day) || month_start(day, 0) != day) {
		INVALID(r, "BackfillFrom can only be a first day of the month: "
		    "'%s'", from);
		return;
	}
	if (day > today || day < month_start(today, -12)) {
		INVALID(r, "BackfillFrom can't precede the previous twelve "
		    "months, or in the future: '%s'", from);
		return;
	}
	for (i = 0; i < r->ce->nr_backfills; i++)
		if (strcmp(backfill_status(r, &r->ce->backfills[i]),
		    "PROCESSING") == 0) {
			ce_error(r, "BackfillLimitExceededException", "A request "
			    "to backfill is already in progress. Try again "
			    "when it completes.");
			return;
		}
	xgrow(&r->ce->backfills, &r->ce->alloc_backfills,
	    r->ce->nr_backfills + 1, sizeof(*r->ce->backfills));
	f = &r->ce->backfills[r->ce->nr_backfills++];
	f->from = day;
	f->requested = r->now;
	r->resp->status = 200;
	ps_buf_adds(&r->resp->body, "{\"BackfillRequest\":");
	add_backfill(&r->resp->body, r, f);
	ps_buf_addch(&r->resp->body, '}');
}

static void
list_backfills(struct ce_req *r)
{
	struct ps_buf *b = &r->resp->body;
	size_t off, max, i, n = r->ce->nr_backfills;

	if (member_refused(r) || !page_offset(r, "NextToken", &off))
		return;
	max = page_size(r, 100);
	r->resp->status = 200;
	ps_buf_adds(b, "{\"BackfillRequests\":[");
	/* newest first */
	for (i = off; i < n && i < off + max; i++) {
		if (i > off)
			ps_buf_addch(b, ',');
		add_backfill(b, r, &r->ce->backfills[n - 1 - i]);
	}
	ps_buf_addch(b, ']');
	if (i < n)
		add_token(b, "NextToken", r, i);
	ps_buf_addch(b, '}');
}

static void
dimension_values(struct ce_req *r)
{
	const char *dim = str_member(r, r->doc, "Dimension", true);
	const char *search = str_member(r, r->doc, "SearchString", false);
	const char *context = str_member(r, r->doc, "Context", false);
	const cJSON *f = cJSON_GetObjectItemCaseSensitive(r->doc, "Filter");
	bool allowed[NR_SERVICES], used[NR_SERVICES] = { false };
	struct ps_buf *b = &r->resp->body;
	int64_t start, end, first, last, d;
	size_t s, i, off, total = 0, shown = 0, max;

	if (!dim || !time_period(r, &start, &end))
		return;
	if (context && strcmp(context, "COST_AND_USAGE") != 0) {
		INVALID(r, "the emulator knows only the COST_AND_USAGE "
		    "context");
		return;
	}
	if (strcmp(dim, "SERVICE") != 0) {
		INVALID(r, "the emulator knows only the SERVICE dimension");
		return;
	}
	for (s = 0; s < NR_SERVICES; s++)
		allowed[s] = true;
	if (f && !filter(r, f, allowed))
		return;
	if (!page_offset(r, "NextPageToken", &off))
		return;
	for (i = 0; i <= r->st->nr; i++) {
		const struct emu_project *p = project_at(r->st, i);
		uint64_t ph = project_hash(r->cfg, p);
		if (!usage_window(r, p, &first, &last))
			continue;
		if (first < start)
			first = start;
		if (last > end - 1)
			last = end - 1;
		for (s = 0; s < NR_SERVICES; s++)
			for (d = first; !used[s] && d <= last; d++)
				if (allowed[s] && uses(ph, p, s) &&
				    daily_units(ph, s, d))
					used[s] = true;
	}
	max = page_size(r, 1000);
	r->resp->status = 200;
	ps_buf_adds(b, "{\"DimensionValues\":[");
	for (s = 0; s < NR_SERVICES; s++) {
		if (!used[s] || (search && !strcasestr(services[s].name,
		    search)))
			continue;
		if (total++ < off || shown >= max)
			continue;
		ps_buf_adds(b, shown++ ? ",{\"Value\":" : "{\"Value\":");
		emu__json_str(b, services[s].name);
		ps_buf_adds(b, ",\"Attributes\":{}}");
	}
	ps_buf_addf(b, "],\"ReturnSize\":%zu,\"TotalSize\":%zu", shown, total);
	if (off + shown < total)
		add_token(b, "NextPageToken", r, off + shown);
	ps_buf_addch(b, '}');
}

/* One group of one time bucket: its keys and a sum per metric. */
struct group {
	char *keys;		/* "K1$v\x1fK2$w" */
	int64_t sum[NR_METRICS];
};

struct bucket {
	int64_t start, end;	/* [start, end) in days */
	struct group *groups;
	size_t nr, alloc;
	int64_t total[NR_METRICS];
};

static int
cmp_group(const void *a, const void *b)
{
	return strcmp(((const struct group *)a)->keys,
	    ((const struct group *)b)->keys);
}

static void
add_group(struct bucket *bk, const char *keys, const int64_t *units,
    const bool *want)
{
	size_t i, m;

	for (i = 0; i < bk->nr; i++)
		if (strcmp(bk->groups[i].keys, keys) == 0)
			break;
	if (i == bk->nr) {
		xgrow(&bk->groups, &bk->alloc, i + 1, sizeof(*bk->groups));
		memset(&bk->groups[i], 0, sizeof(bk->groups[i]));
		bk->groups[i].keys = xstrdup(keys);
		bk->nr++;
	}
	for (m = 0; m < NR_METRICS; m++)
		if (want[m]) {
			bk->groups[i].sum[m] += units[m];
			bk->total[m] += units[m];
		}
}

static void
add_metrics(struct ps_buf *b, const int64_t *sum, const bool *want)
{
	size_t m;
	bool first = true;

	ps_buf_addch(b, '{');
	for (m = 0; m < NR_METRICS; m++) {
		if (!want[m])
			continue;
		ps_buf_addf(b, "%s\"%s\":{\"Amount\":", first ? "" : ",",
		    metric_names[m]);
		first = false;
		add_units(b, sum[m]);
		ps_buf_adds(b, ",\"Unit\":\"USD\"}");
	}
	ps_buf_addch(b, '}');
}

static void
cost_and_usage(struct ce_req *r)
{
	const char *gran = str_member(r, r->doc, "Granularity", true);
	const cJSON *metrics = cJSON_GetObjectItemCaseSensitive(r->doc, "Metrics");
	const cJSON *gb = cJSON_GetObjectItemCaseSensitive(r->doc, "GroupBy");
	const cJSON *f = cJSON_GetObjectItemCaseSensitive(r->doc, "Filter");
	const char *gkeys[2] = { NULL, NULL };
	bool want[NR_METRICS] = { false }, allowed[NR_SERVICES];
	struct bucket *bk = NULL;
	size_t nr_bk = 0, alloc_bk = 0, nr_g = 0, i, j, s, m, off, item, max;
	int64_t start, end, d, first, last, units[NR_METRICS];
	struct ps_buf *b = &r->resp->body, keys = PS_BUF_INIT;
	int64_t month_now = month_start(r->now / DAY, 0);
	bool daily, open = false;
	const cJSON *v;

	if (!gran || !time_period(r, &start, &end))
		return;
	if (strcmp(gran, "DAILY") != 0 && strcmp(gran, "MONTHLY") != 0) {
		INVALID(r, "Granularity must be DAILY or MONTHLY here (HOURLY "
		    "needs resource-level data): '%s'", gran);
		return;
	}
	daily = strcmp(gran, "DAILY") == 0;
	if (!cJSON_IsArray(metrics) || cJSON_GetArraySize(metrics) < 1) {
		INVALID(r, "Metrics is required");
		return;
	}
	cJSON_ArrayForEach(v, metrics) {
		for (m = 0; m < NR_METRICS && cJSON_IsString(v); m++)
			if (strcmp(v->valuestring, metric_names[m]) == 0)
				break;
		if (!cJSON_IsString(v) || m == NR_METRICS)
			goto bad_metric;
		want[m] = true;
	}
	if (gb) {
		if (!cJSON_IsArray(gb) || cJSON_GetArraySize(gb) > 2) {
			INVALID(r, "GroupBy takes at most two groups");
			return;
		}
		cJSON_ArrayForEach(v, gb) {
			const char *t = str_member(r, v, "Type", true);
			const char *k = t ? str_member(r, v, "Key", true) : NULL;
			if (!k)
				return;
			if (strcmp(t, "TAG") != 0) {
				INVALID(r, "the emulator groups only by TAG, "
				    "not '%s'", t);
				return;
			}
			gkeys[nr_g++] = k;
		}
	}
	for (s = 0; s < NR_SERVICES; s++)
		allowed[s] = true;
	if (f && !filter(r, f, allowed))
		return;
	if (!page_offset(r, "NextPageToken", &off))
		return;

	/* the buckets, then the usage summed into them */
	for (d = start; d < end; ) {
		int64_t e = daily ? d + 1 : month_start(d, 1);
		xgrow(&bk, &alloc_bk, nr_bk + 1, sizeof(*bk));
		memset(&bk[nr_bk], 0, sizeof(*bk));
		bk[nr_bk].start = d;
		bk[nr_bk].end = e < end ? e : end;
		d = bk[nr_bk++].end;
	}
	for (i = 0; i <= r->st->nr; i++) {
		const struct emu_project *p = project_at(r->st, i);
		uint64_t ph = project_hash(r->cfg, p);
		size_t bi = 0;
		if (!usage_window(r, p, &first, &last))
			continue;
		ps_buf_reset(&keys);
		for (j = 0; j < nr_g; j++) {
			const char *val = tag_set_get(&p->tags, gkeys[j]);
			ps_buf_addf(&keys, "%s%s$%s", j ? "\x1f" : "", gkeys[j],
			    val ? val : "");
		}
		for (d = first < start ? start : first; d <= last && d < end;
		    d++) {
			while (d >= bk[bi].end)
				bi++;
			for (s = 0; s < NR_SERVICES; s++) {
				int64_t u;
				if (!allowed[s] || !uses(ph, p, s) ||
				    !(u = daily_units(ph, s, d)))
					continue;
				for (m = 0; m < NR_METRICS; m++)
					units[m] = metric_units(u, m);
				add_group(&bk[bi], ps_buf_cstr(&keys), units,
				    want);
			}
		}
	}

	/* one page: a run of (bucket, group) items; an empty bucket is one
	 * item too, so every bucket is listed on some page */
	max = r->cfg->ce_page_size ? r->cfg->ce_page_size : 500;
	r->resp->status = 200;
	ps_buf_adds(b, "{\"GroupDefinitions\":[");
	for (j = 0; j < nr_g; j++) {
		ps_buf_adds(b, j ? ",{\"Type\":\"TAG\",\"Key\":" :
		    "{\"Type\":\"TAG\",\"Key\":");
		emu__json_str(b, gkeys[j]);
		ps_buf_addch(b, '}');
	}
	ps_buf_adds(b, "],\"ResultsByTime\":[");
	item = 0;
	for (i = 0; i < nr_bk; i++) {
		size_t n = nr_g && bk[i].nr ? bk[i].nr : 1, g, from, to;
		if (item + n <= off || item >= off + max) {
			item += n;
			continue;
		}
		from = off > item ? off - item : 0;
		to = off + max - item < n ? off + max - item : n;
		item += n;
		qsort(bk[i].groups, bk[i].nr, sizeof(*bk[i].groups), cmp_group);
		ps_buf_adds(b, open ? ",{\"TimePeriod\":{\"Start\":" :
		    "{\"TimePeriod\":{\"Start\":");
		open = true;
		add_day(b, bk[i].start);
		ps_buf_adds(b, ",\"End\":");
		add_day(b, bk[i].end);
		ps_buf_adds(b, "},\"Total\":");
		if (nr_g)
			ps_buf_adds(b, "{}");
		else
			add_metrics(b, bk[i].total, want);
		ps_buf_adds(b, ",\"Groups\":[");
		for (g = from; g < to && nr_g && bk[i].nr; g++) {
			const char *k = bk[i].groups[g].keys;
			ps_buf_adds(b, g > from ? ",{\"Keys\":[" : "{\"Keys\":[");
			for (j = 0; j < nr_g; j++) {
				size_t len = strcspn(k, "\x1f");
				char *one = xstrndup(k, len);
				if (j)
					ps_buf_addch(b, ',');
				emu__json_str(b, one);
				free(one);
				k += len + (k[len] ? 1 : 0);
			}
			ps_buf_adds(b, "],\"Metrics\":");
			add_metrics(b, bk[i].groups[g].sum, want);
			ps_buf_addch(b, '}');
		}
		ps_buf_addf(b, "],\"Estimated\":%s}", bk[i].start >= month_now ?
		    "true" : "false");
	}
	ps_buf_addch(b, ']');
	if (off + max < item)
		add_token(b, "NextPageToken", r, off + max);
	ps_buf_adds(b, ",\"DimensionValueAttributes\":[]}");
	goto out;
bad_metric:
	INVALID(r, "Metrics must be among UnblendedCost, NetUnblendedCost, "
	    "AmortizedCost, NetAmortizedCost, BlendedCost");
out:
	for (i = 0; i < nr_bk; i++) {
		for (j = 0; j < bk[i].nr; j++)
			free(bk[i].groups[j].keys);
		free(bk[i].groups);
	}
	free(bk);
	ps_buf_release(&keys);
}

/* ---- dispatch ---- */

static const struct ce_op {
	const char *name;
	void (*fn)(struct ce_req *r);
} ops[] = {
	{ "ListCostAllocationTags", list_tags },
	{ "UpdateCostAllocationTagsStatus", update_tags },
	{ "StartCostAllocationTagBackfill", start_backfill },
	{ "ListCostAllocationTagBackfillHistory", list_backfills },
	{ "GetDimensionValues", dimension_values },
	{ "GetCostAndUsage", cost_and_usage },
};

/* Cost Explorer's signing region: one per partition, whatever region
 * the projects live in. */
static const char *
ce_region(const struct emu_config *cfg)
{
	return strncmp(cfg->region, "cn-", 3) == 0 ? "cn-northwest-1" :
	    "us-east-1";
}

/* The JSON 1.1 error type of a failed SigV4 check (sigv4.c's codes). */
static const char *
ce_auth_error(const char *code)
{
	if (strcmp(code, "incomplete_signature") == 0 ||
	    strcmp(code, "missing_date") == 0)
		return "IncompleteSignatureException";
	if (strcmp(code, "invalid_access_key") == 0 ||
	    strcmp(code, "invalid_token") == 0 ||
	    strcmp(code, "missing_token") == 0)
		return "UnrecognizedClientException";
	return "InvalidSignatureException";
}

/*
 * SigV4 for Cost Explorer: service "ce" and region us-east-1 (cn-northwest-1
 * in China) whatever region the projects live in.  With --sigv4 keys the
 * signature is verified for real (sigv4.c), else only the scope.
 */
static bool
ce_auth_ok(struct ce_req *r, const struct emu_request *req, const char *auth)
{
	const char *cred, *p, *region = ce_region(r->cfg);
	struct emu_sigv4_verdict v;
	char scope[128];
	size_t n;
	bool ok;

	if (!auth || strncmp(auth, "AWS4-HMAC-SHA256 ", 17) != 0) {
		ce_error(r, "MissingAuthenticationTokenException",
		    "Missing Authentication Token");
		return false;
	}
	if (r->cfg->nr_sigv4) {
		ok = emu__sigv4_verify(r->cfg, req, "ce", region, time(NULL),
		    &v);
		/* AWS's JSON 1.1 services answer these with a 400 */
		if (!ok)
			ce_error(r, ce_auth_error(v.code), "%s", v.message);
		free(v.message);
		return ok;
	}
	if (!(cred = strstr(auth, "Credential=")) || !(p = strchr(cred, '/')) ||
	    (n = strcspn(p + 1, ", ")) >= sizeof(scope)) {
		ce_error(r, "IncompleteSignatureException",
		    "Authorization header requires a Credential parameter");
		return false;
	}
	memcpy(scope, p + 1, n);
	scope[n] = '\0';
	/* DATE/REGION/SERVICE/aws4_request */
	p = strchr(scope, '/');
	if (!p || strncmp(p + 1, region, strlen(region)) != 0 ||
	    strcmp(p + 1 + strlen(region), "/ce/aws4_request") != 0) {
		ce_error(r, "InvalidSignatureException", "Credential should be "
		    "scoped to a valid region and service: expected "
		    "%s/ce/aws4_request, got '%s'", region, p ? p + 1 : scope);
		return false;
	}
	return true;
}

void
emu__ce_handle(struct emu_ce *ce, const struct emu_config *cfg,
    const struct emu_store *st, int64_t now, const struct emu_request *req,
    struct emu_response *resp)
{
	struct ce_req r = { .ce = ce, .cfg = cfg, .st = st, .now = now,
	    .resp = resp };
	const char *target = NULL, *auth = NULL;
	size_t i;

	for (i = 0; i < req->nr_headers; i++) {
		if (strcasecmp(req->headers[i].name, "x-amz-target") == 0)
			target = req->headers[i].value + strlen(CE_PREFIX);
		else if (strcasecmp(req->headers[i].name, "authorization") == 0)
			auth = req->headers[i].value;
	}
	resp->content_type = "application/x-amz-json-1.1";
	if (!ce_auth_ok(&r, req, auth) || throttled(&r))
		return;
	for (i = 0; i < PS_ARRAY_SIZE(ops); i++)
		if (strcmp(target, ops[i].name) == 0)
			break;
	if (i == PS_ARRAY_SIZE(ops)) {
		ce_error(&r, "UnknownOperationException", "the emulator does "
		    "not implement %s", target);
		return;
	}
	if (req->body_too_large) {
		INVALID(&r, "the request body is larger than %d bytes",
		    EMU_MAX_BODY);
		return;
	}
	r.doc = cJSON_ParseWithLength(req->body ? req->body : "{}",
	    req->body ? req->body_len : 2);
	if (!cJSON_IsObject(r.doc)) {
		ce_error(&r, "SerializationException", "the body is not a "
		    "JSON object");
		cJSON_Delete(r.doc);
		return;
	}
	r.fingerprint = fingerprint(r.doc);
	ops[i].fn(&r);
	cJSON_Delete(r.doc);
}
