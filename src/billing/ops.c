/*
 * billing: the Cost Explorer operations projsync uses, each paging to the
 * end with unchanged parameters and sending nothing it does not need.
 */
#include "billing/billing.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DAY		86400
#define MAX_PAGES	1000	/* guard against a server that loops */
#define BEDROCK		"Amazon Bedrock"
#define EDITION		" (Amazon Bedrock Edition)"

/* ---- days and periods ---- */

bool
billing_day_parse(int64_t *out, const char *s)
{
	struct tm tm = { 0 }, chk;
	int y, m, d, n = 0;
	time_t t;

	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-' ||
	    sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10 ||
	    y < 1970)
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

void
billing_day_format(char out[11], int64_t day)
{
	time_t t = (time_t)(day * DAY);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

int64_t
billing_month_start(int64_t day, int months)
{
	time_t t = (time_t)(day * DAY);
	struct tm tm;

	gmtime_r(&t, &tm);
	tm.tm_mday = 1;
	tm.tm_mon += months;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	return (int64_t)timegm(&tm) / DAY;
}

int
billing_period_parse(struct billing_period *out, const char *month,
    const char *from, const char *to, int64_t today)
{
	char day[16];

	memset(out, 0, sizeof(*out));
	if (month && (from || to))
		return ps_error(PS_EUSAGE, "--month and --from/--to do not go "
		    "together");
	if (month) {
		if (strlen(month) != 7 || (snprintf(day, sizeof(day), "%s-01",
		    month), !billing_day_parse(&out->from, day)))
			return ps_error(PS_EUSAGE, "--month '%s' is not a month "
			    "(YYYY-MM)", month);
		if (out->from > today)
			return ps_error(PS_EUSAGE, "--month %s is in the future",
			    month);
		out->to = billing_month_start(out->from, 1) - 1;
		if (out->to > today)
			out->to = today;
		out->by_month = true;
		return 0;
	}
	if (!from != !to)
		return ps_error(PS_EUSAGE, "--from and --to go together");
	if (!from) {
		out->from = billing_month_start(today, 0);
		out->to = today;
		out->by_month = true;
		return 0;
	}
	if (!billing_day_parse(&out->from, from))
		return ps_error(PS_EUSAGE, "--from '%s' is not a day "
		    "(YYYY-MM-DD)", from);
	if (!billing_day_parse(&out->to, to))
		return ps_error(PS_EUSAGE, "--to '%s' is not a day (YYYY-MM-DD)",
		    to);
	if (out->from > out->to)
		return ps_error(PS_EUSAGE, "--from %s is after --to %s", from,
		    to);
	if (out->from > today)
		return ps_error(PS_EUSAGE, "--from %s is in the future", from);
	return 0;
}

void
billing_period_previous(struct billing_period *out,
    const struct billing_period *p)
{
	int64_t start, len, next;

	*out = *p;
	if (!p->by_month) {
		len = p->to - p->from + 1;
		out->from = p->from - len;
		out->to = p->from - 1;
		return;
	}
	start = billing_month_start(p->from, -1);
	next = billing_month_start(p->from, 0);	/* its month's first */
	out->from = start + (p->from - next);
	/* a whole month compares with the whole month before */
	if (p->to == billing_month_start(p->from, 1) - 1)
		out->to = next - 1;
	else
		out->to = start + (p->to - next) < next - 1 ?
		    start + (p->to - next) : next - 1;
}

/* ---- helpers ---- */

static char *
dup_str(const cJSON *obj, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);

	return cJSON_IsString(v) ? xstrdup(v->valuestring) : NULL;
}

/* Send op with the body doc (pages: the token member set), parse the
 * answer into *answer. */
static int
call_json(struct billing_client *c, const char *op, const cJSON *doc,
    cJSON **answer)
{
	struct ps_buf out = PS_BUF_INIT;
	char *body = cJSON_PrintUnformatted(doc);
	int err;

	*answer = NULL;
	err = billing_call(c, op, body, &out);
	free(body);
	if (err == 0 && !cJSON_IsObject(*answer = cJSON_ParseWithLength(
	    ps_buf_cstr(&out), out.len))) {
		cJSON_Delete(*answer);
		*answer = NULL;
		err = ps_error(PS_EHTTP, "Cost Explorer %s: the answer is not a "
		    "JSON object", op);
	}
	ps_buf_release(&out);
	return err;
}

/* The next page's token from answer into doc (member), or false at the
 * end. */
static bool
next_page(cJSON *doc, const cJSON *answer, const char *member)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(answer, member);

	cJSON_DeleteItemFromObjectCaseSensitive(doc, member);
	if (!cJSON_IsString(t) || !*t->valuestring)
		return false;
	cJSON_AddStringToObject(doc, member, t->valuestring);
	return true;
}

static int
too_many_pages(const char *op)
{
	return ps_error(PS_EHTTP, "Cost Explorer %s: more than %d pages; "
	    "stopped", op, MAX_PAGES);
}

static void
add_period(cJSON *doc, int64_t from, int64_t to)
{
	cJSON *tp = cJSON_AddObjectToObject(doc, "TimePeriod");
	char day[11];

	billing_day_format(day, from);
	cJSON_AddStringToObject(tp, "Start", day);
	billing_day_format(day, to + 1);	/* End is exclusive */
	cJSON_AddStringToObject(tp, "End", day);
}

void
billing_strings_free(char **v, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++)
		free(v[i]);
	free(v);
}

/* ---- tag statuses ---- */

void
billing_tags_free(struct billing_tag *tags, size_t nr)
{
	size_t i;

	for (i = 0; tags && i < nr; i++) {
		free(tags[i].key);
		free(tags[i].last_used);
		free(tags[i].last_updated);
	}
	free(tags);
}

static void
take_tag(struct billing_tag *tags, size_t nr, const cJSON *t)
{
	const cJSON *k = cJSON_GetObjectItemCaseSensitive(t, "TagKey");
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(t, "Status");
	size_t i;

	if (!cJSON_IsString(k))
		return;
	for (i = 0; i < nr; i++) {
		if (strcmp(tags[i].key, k->valuestring) != 0)
			continue;
		tags[i].state = cJSON_IsString(s) && strcmp(s->valuestring,
		    "Active") == 0 ? BILLING_TAG_ACTIVE : BILLING_TAG_INACTIVE;
		free(tags[i].last_used);
		free(tags[i].last_updated);
		tags[i].last_used = dup_str(t, "LastUsedDate");
		tags[i].last_updated = dup_str(t, "LastUpdatedDate");
	}
}

int
billing_tag_statuses(struct billing_client *c, const char *const *keys,
    size_t nr, struct billing_tag **out)
{
	struct billing_tag *tags = xcalloc(nr ? nr : 1, sizeof(*tags));
	size_t i, k;
	int err = 0, pages;

	for (i = 0; i < nr; i++)
		tags[i].key = xstrdup(keys[i]);
	for (i = 0; i < nr && err == 0; i += 100) {
		cJSON *doc = cJSON_CreateObject(), *list, *answer = NULL;
		list = cJSON_AddArrayToObject(doc, "TagKeys");
		for (k = i; k < nr && k < i + 100; k++)
			cJSON_AddItemToArray(list, cJSON_CreateString(keys[k]));
		for (pages = 0; err == 0; pages++) {
			const cJSON *t, *arr;
			if (pages == MAX_PAGES) {
				err = too_many_pages("ListCostAllocationTags");
				break;
			}
			cJSON_Delete(answer);
			if ((err = call_json(c, "ListCostAllocationTags", doc,
			    &answer)) < 0)
				break;
			arr = cJSON_GetObjectItemCaseSensitive(answer,
			    "CostAllocationTags");
			cJSON_ArrayForEach(t, arr)
				take_tag(tags, nr, t);
			if (!next_page(doc, answer, "NextToken"))
				break;
		}
		cJSON_Delete(answer);
		cJSON_Delete(doc);
	}
	if (err < 0) {
		billing_tags_free(tags, nr);
		tags = NULL;
	}
	*out = tags;
	return err;
}

/* ---- activation ---- */

#define UPDATE_MAX	20	/* entries per UpdateCostAllocationTagsStatus */

void
billing_updates_free(struct billing_update *u, size_t nr)
{
	size_t i;

	for (i = 0; u && i < nr; i++) {
		free(u[i].key);
		free(u[i].error);
	}
	free(u);
}

/* "...Tag keys not found: a,b" names key? */
static bool
listed_not_found(const char *msg, const char *key)
{
	const char *p = strstr(msg, "not found:");
	size_t n = strlen(key);

	if (!p)
		return false;
	for (p += 10; *p; ) {
		while (*p == ' ')
			p++;
		if (strncmp(p, key, n) == 0 && (p[n] == ',' || p[n] == '\0' ||
		    p[n] == ' '))
			return true;
		if (!(p = strchr(p, ',')))
			break;
		p++;
	}
	return false;
}

/* One call for the pending entries of u[from..to); a 400 naming unknown
 * keys marks them and sends the rest again. */
static int
update_chunk(struct billing_client *c, struct billing_update *u, size_t from,
    size_t to)
{
	for (;;) {
		cJSON *doc = cJSON_CreateObject(), *list, *answer = NULL;
		const cJSON *e;
		size_t i, sent = 0, marked = 0;
		int err;

		list = cJSON_AddArrayToObject(doc, "CostAllocationTagsStatus");
		for (i = from; i < to; i++) {
			cJSON *o;
			if (u[i].done || u[i].error)
				continue;
			o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "TagKey", u[i].key);
			cJSON_AddStringToObject(o, "Status", "Active");
			cJSON_AddItemToArray(list, o);
			sent++;
		}
		if (!sent) {
			cJSON_Delete(doc);
			return 0;
		}
		err = call_json(c, "UpdateCostAllocationTagsStatus", doc, &answer);
		cJSON_Delete(doc);
		if (err < 0 && strcmp(billing_client_error_code(c),
		    "ValidationException") == 0) {
			const char *msg = billing_client_error_message(c);
			for (i = from; i < to; i++)
				if (!u[i].done && !u[i].error &&
				    listed_not_found(msg, u[i].key)) {
					u[i].error = xstrdup("billing has not "
					    "seen the key yet (Tag keys not "
					    "found)");
					marked++;
				}
			if (marked) {
				ps_error_clear();
				continue;	/* the others again */
			}
		}
		if (err < 0)
			return err;
		for (i = from; i < to; i++)
			if (!u[i].error)
				u[i].done = true;
		cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(answer,
		    "Errors")) {
			const cJSON *k = cJSON_GetObjectItemCaseSensitive(e,
			    "TagKey");
			char *code = dup_str(e, "Code"), *msg = dup_str(e,
			    "Message");
			for (i = from; cJSON_IsString(k) && i < to; i++)
				if (strcmp(u[i].key, k->valuestring) == 0 &&
				    u[i].done) {
					u[i].done = false;
					u[i].error = xasprintf("%s%s%s", code ?
					    code : "error", msg ? ": " : "",
					    msg ? msg : "");
				}
			free(code);
			free(msg);
		}
		cJSON_Delete(answer);
		return 0;
	}
}

int
billing_activate_tags(struct billing_client *c, const char *const *keys,
    size_t nr, struct billing_update **out)
{
	struct billing_update *u = xcalloc(nr ? nr : 1, sizeof(*u));
	size_t i;
	int err = 0;

	for (i = 0; i < nr; i++)
		u[i].key = xstrdup(keys[i]);
	for (i = 0; i < nr && err == 0; i += UPDATE_MAX)
		err = update_chunk(c, u, i, i + UPDATE_MAX < nr ?
		    i + UPDATE_MAX : nr);
	*out = u;
	return err;
}

/* ---- Bedrock services ---- */

static bool
is_bedrock(const char *s)
{
	size_t n = strlen(s), e = strlen(EDITION);

	return strcmp(s, BEDROCK) == 0 ||
	    (n > e && strcmp(s + n - e, EDITION) == 0);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
billing_bedrock_services(struct billing_client *c, int64_t from,
    int64_t to, char ***out, size_t *nr)
{
	cJSON *doc = cJSON_CreateObject(), *answer = NULL;
	char **v = NULL;
	size_t n = 0, alloc = 0, i;
	int err = 0, pages;

	add_period(doc, from, to);
	cJSON_AddStringToObject(doc, "Dimension", "SERVICE");
	cJSON_AddStringToObject(doc, "SearchString", "Bedrock");
	cJSON_AddStringToObject(doc, "Context", "COST_AND_USAGE");
	for (pages = 0;; pages++) {
		const cJSON *dv, *val;
		if (pages == MAX_PAGES) {
			err = too_many_pages("GetDimensionValues");
			break;
		}
		cJSON_Delete(answer);
		if ((err = call_json(c, "GetDimensionValues", doc, &answer)) < 0)
			break;
		dv = cJSON_GetObjectItemCaseSensitive(answer, "DimensionValues");
		cJSON_ArrayForEach(val, dv) {
			const cJSON *s = cJSON_GetObjectItemCaseSensitive(val,
			    "Value");
			/* the search is a substring match: keep only names
			 * Bedrock bills under */
			if (!cJSON_IsString(s) || !is_bedrock(s->valuestring))
				continue;
			for (i = 0; i < n && strcmp(v[i], s->valuestring); i++)
				;
			if (i < n)
				continue;
			xgrow(&v, &alloc, n + 1, sizeof(*v));
			v[n++] = xstrdup(s->valuestring);
		}
		if (!next_page(doc, answer, "NextPageToken"))
			break;
	}
	cJSON_Delete(answer);
	cJSON_Delete(doc);
	if (err < 0) {
		billing_strings_free(v, n);
		v = NULL;
		n = 0;
	} else if (n) {
		qsort(v, n, sizeof(*v), cmp_str);
	}
	*out = v;
	*nr = n;
	return err;
}

/* ---- cost and usage ---- */

void
billing_result_release(struct billing_result *r)
{
	size_t i;

	for (i = 0; i < r->nr; i++) {
		free(r->rows[i].values[0]);
		free(r->rows[i].values[1]);
	}
	free(r->rows);
	free(r->unit);
	memset(r, 0, sizeof(*r));
}

static int
cmp_row(const void *a, const void *b)
{
	const struct billing_row *x = a, *y = b;
	int c;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if ((c = strcmp(x->values[0] ? x->values[0] : "",
	    y->values[0] ? y->values[0] : "")))
		return c;
	return strcmp(x->values[1] ? x->values[1] : "",
	    y->values[1] ? y->values[1] : "");
}

/* Add one group's amount to the row with the same bucket and values. */
static int
merge_row(struct billing_result *r, int64_t start, int64_t end,
    char **values, size_t nr_keys, struct amount a, bool estimated)
{
	size_t i, k;

	for (i = 0; i < r->nr; i++) {
		struct billing_row *row = &r->rows[i];
		if (row->start != start)
			continue;
		for (k = 0; k < nr_keys; k++)
			if (strcmp(row->values[k], values[k]) != 0)
				break;
		if (k == nr_keys) {
			row->estimated = row->estimated || estimated;
			return amount_add(&row->amount, a);
		}
	}
	xgrow(&r->rows, &r->alloc, r->nr + 1, sizeof(*r->rows));
	memset(&r->rows[r->nr], 0, sizeof(r->rows[0]));
	r->rows[r->nr].start = start;
	r->rows[r->nr].end = end;
	for (k = 0; k < nr_keys; k++) {
		r->rows[r->nr].values[k] = values[k];
		values[k] = NULL;	/* moved */
	}
	r->rows[r->nr].amount = a;
	r->rows[r->nr].estimated = estimated;
	r->nr++;
	return 0;
}

/* One metric value {Amount, Unit}: the amount, the unit noted. */
static int
metric_amount(struct billing_result *r, const cJSON *metrics,
    const char *metric, struct amount *a)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(metrics, metric);
	const cJSON *amt = cJSON_GetObjectItemCaseSensitive(m, "Amount");
	const cJSON *unit = cJSON_GetObjectItemCaseSensitive(m, "Unit");

	*a = AMOUNT_ZERO;
	if (!m)
		return 0;	/* no such metric in this group: nothing */
	if (!cJSON_IsString(amt))
		return ps_error(PS_EHTTP, "Cost Explorer GetCostAndUsage: %s "
		    "has no Amount", metric);
	if (cJSON_IsString(unit)) {
		if (!r->unit)
			r->unit = xstrdup(unit->valuestring);
		else if (strcmp(r->unit, unit->valuestring) != 0)
			return ps_error(PS_EHTTP, "Cost Explorer GetCostAndUsage: "
			    "amounts in two units, %s and %s", r->unit,
			    unit->valuestring);
	}
	return amount_parse(a, amt->valuestring) < 0 ? ps_error(PS_EHTTP,
	    "Cost Explorer GetCostAndUsage: %s", ps_error_last()) : 0;
}

static int
take_results(struct billing_result *r, const struct billing_query *q,
    const cJSON *answer)
{
	const cJSON *rbt = cJSON_GetObjectItemCaseSensitive(answer,
	    "ResultsByTime"), *bucket, *g;
	struct amount a;
	int64_t start, end;
	char *values[2];
	size_t k;
	int err = 0;

	cJSON_ArrayForEach(bucket, rbt) {
		const cJSON *tp = cJSON_GetObjectItemCaseSensitive(bucket,
		    "TimePeriod");
		const cJSON *s = cJSON_GetObjectItemCaseSensitive(tp, "Start");
		const cJSON *e = cJSON_GetObjectItemCaseSensitive(tp, "End");
		bool est = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(bucket,
		    "Estimated"));
		if (!cJSON_IsString(s) || !cJSON_IsString(e) ||
		    !billing_day_parse(&start, s->valuestring) ||
		    !billing_day_parse(&end, e->valuestring))
			return ps_error(PS_EHTTP, "Cost Explorer GetCostAndUsage: "
			    "a result without a valid TimePeriod");
		end--;	/* inclusive from here on */
		if (q->nr_keys == 0) {
			const cJSON *t = cJSON_GetObjectItemCaseSensitive(bucket,
			    "Total");
			if ((err = metric_amount(r, t, q->metric, &a)) < 0 ||
			    (err = merge_row(r, start, end, values, 0, a,
			    est)) < 0)
				return err;
			continue;
		}
		cJSON_ArrayForEach(g, cJSON_GetObjectItemCaseSensitive(bucket,
		    "Groups")) {
			const cJSON *keys = cJSON_GetObjectItemCaseSensitive(g,
			    "Keys");
			if (cJSON_GetArraySize(keys) != (int)q->nr_keys)
				return ps_error(PS_EHTTP, "Cost Explorer "
				    "GetCostAndUsage: a group with %d keys, "
				    "expected %zu", cJSON_GetArraySize(keys),
				    q->nr_keys);
			if ((err = metric_amount(r, cJSON_GetObjectItemCaseSensitive(
			    g, "Metrics"), q->metric, &a)) < 0)
				return err;
			for (k = 0; k < q->nr_keys; k++) {
				const cJSON *kv = cJSON_GetArrayItem(keys, (int)k);
				const char *v = cJSON_IsString(kv) ?
				    kv->valuestring : "", *dollar;
				/* "Team$Value": the key, the first '$', the
				 * value (which may hold '$'); "Team$" is
				 * spend without the key */
				dollar = strchr(v, '$');
				values[k] = xstrdup(dollar ? dollar + 1 : v);
			}
			err = merge_row(r, start, end, values, q->nr_keys, a,
			    est);
			for (k = 0; k < q->nr_keys; k++)
				free(values[k]);	/* NULL when moved */
			if (err < 0)
				return err;
		}
	}
	return 0;
}

int
billing_cost_and_usage(struct billing_client *c,
    const struct billing_query *q, struct billing_result *out)
{
	cJSON *doc, *answer = NULL, *list, *f, *dims, *vals;
	size_t i;
	int err = 0, pages;

	memset(out, 0, sizeof(*out));
	if (q->nr_services == 0)
		return 0;	/* no Bedrock service billed: nothing to ask */
	doc = cJSON_CreateObject();
	add_period(doc, q->period.from, q->period.to);
	cJSON_AddStringToObject(doc, "Granularity", q->daily ? "DAILY" :
	    "MONTHLY");
	list = cJSON_AddArrayToObject(doc, "Metrics");
	cJSON_AddItemToArray(list, cJSON_CreateString(q->metric));
	f = cJSON_AddObjectToObject(doc, "Filter");
	dims = cJSON_AddObjectToObject(f, "Dimensions");
	cJSON_AddStringToObject(dims, "Key", "SERVICE");
	vals = cJSON_AddArrayToObject(dims, "Values");
	for (i = 0; i < q->nr_services; i++)
		cJSON_AddItemToArray(vals, cJSON_CreateString(q->services[i]));
	if (q->nr_keys) {
		list = cJSON_AddArrayToObject(doc, "GroupBy");
		for (i = 0; i < q->nr_keys; i++) {
			cJSON *g = cJSON_CreateObject();
			cJSON_AddStringToObject(g, "Type", "TAG");
			cJSON_AddStringToObject(g, "Key", q->keys[i]);
			cJSON_AddItemToArray(list, g);
		}
	}
	for (pages = 0;; pages++) {
		if (pages == MAX_PAGES) {
			err = too_many_pages("GetCostAndUsage");
			break;
		}
		cJSON_Delete(answer);
		if ((err = call_json(c, "GetCostAndUsage", doc, &answer)) < 0 ||
		    (err = take_results(out, q, answer)) < 0)
			break;
		if (!next_page(doc, answer, "NextPageToken"))
			break;
	}
	cJSON_Delete(answer);
	cJSON_Delete(doc);
	if (err < 0)
		billing_result_release(out);
	else if (out->nr)
		qsort(out->rows, out->nr, sizeof(*out->rows), cmp_row);
	return err;
}

/* ---- backfills ---- */

static void
take_backfill(struct billing_backfill *b, const cJSON *o)
{
	b->from = dup_str(o, "BackfillFrom");
	b->requested = dup_str(o, "RequestedAt");
	b->completed = dup_str(o, "CompletedAt");
	b->updated = dup_str(o, "LastUpdatedAt");
	b->status = dup_str(o, "BackfillStatus");
}

void
billing_backfills_free(struct billing_backfill *v, size_t nr)
{
	size_t i;

	for (i = 0; v && i < nr; i++) {
		free(v[i].from);
		free(v[i].requested);
		free(v[i].completed);
		free(v[i].updated);
		free(v[i].status);
	}
	free(v);
}

int
billing_backfill_history(struct billing_client *c,
    struct billing_backfill **out, size_t *nr)
{
	cJSON *doc = cJSON_CreateObject(), *answer = NULL;
	struct billing_backfill *v = NULL;
	size_t n = 0, alloc = 0;
	int err = 0, pages;

	for (pages = 0;; pages++) {
		const cJSON *o;
		if (pages == MAX_PAGES) {
			err = too_many_pages("ListCostAllocationTagBackfill"
			    "History");
			break;
		}
		cJSON_Delete(answer);
		if ((err = call_json(c, "ListCostAllocationTagBackfillHistory",
		    doc, &answer)) < 0)
			break;
		cJSON_ArrayForEach(o, cJSON_GetObjectItemCaseSensitive(answer,
		    "BackfillRequests")) {
			xgrow(&v, &alloc, n + 1, sizeof(*v));
			memset(&v[n], 0, sizeof(*v));
			take_backfill(&v[n++], o);
		}
		if (!next_page(doc, answer, "NextToken"))
			break;
	}
	cJSON_Delete(answer);
	cJSON_Delete(doc);
	if (err < 0) {
		billing_backfills_free(v, n);
		v = NULL;
		n = 0;
	}
	*out = v;
	*nr = n;
	return err;
}

int
billing_backfill_start(struct billing_client *c, int64_t month,
    struct billing_backfill *out)
{
	cJSON *doc = cJSON_CreateObject(), *answer = NULL;
	char day[11], from[32];
	int err;

	memset(out, 0, sizeof(*out));
	billing_day_format(day, month);
	snprintf(from, sizeof(from), "%sT00:00:00Z", day);
	cJSON_AddStringToObject(doc, "BackfillFrom", from);
	if ((err = call_json(c, "StartCostAllocationTagBackfill", doc,
	    &answer)) == 0)
		take_backfill(out, cJSON_GetObjectItemCaseSensitive(answer,
		    "BackfillRequest"));
	cJSON_Delete(answer);
	cJSON_Delete(doc);
	return err;
}
