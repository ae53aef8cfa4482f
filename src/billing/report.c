/*
 * billing: cost reports.  One model (the rows of the period, and of the
 * previous one for --compare), five renderings.  Amounts are exact
 * decimals; text, markdown and HTML round to cents for people, CSV and
 * JSON keep every digit Cost Explorer sent.
 */
#include "billing/billing.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOT_ATTRIBUTED	"(not attributed)"
#define WHY_UNATTRIBUTED "the default project, projects without the key " \
	"and Bedrock usage outside projects"

int
billing_format_parse(enum billing_format *out, const char *s)
{
	static const char *const names[] = {
		"text", "markdown", "csv", "json", "html",
	};
	size_t i;

	for (i = 0; i < PS_ARRAY_SIZE(names); i++)
		if (s && strcmp(s, names[i]) == 0) {
			*out = (enum billing_format)i;
			return 0;
		}
	return ps_error(PS_EUSAGE, "unknown --format '%s' (expected text, "
	    "markdown, csv, json or html)", s ? s : "");
}

int
billing_report_run(struct billing_client *c, struct billing_report *r)
{
	struct billing_query q = {
		.daily = r->daily, .metric = r->metric, .keys = r->keys,
		.nr_keys = r->nr_keys,
	};
	unsigned long before = billing_client_requests(c);
	int64_t from = r->period.from;
	int err;

	if (r->compare) {
		billing_period_previous(&r->previous, &r->period);
		from = r->previous.from;
	}
	/* one discovery for both periods: a service billed in only one of
	 * them must be counted in both */
	if ((err = billing_bedrock_services(c, from, r->period.to,
	    &r->services, &r->nr_services)) < 0)
		goto out;
	q.services = (const char *const *)r->services;
	q.nr_services = r->nr_services;
	q.period = r->period;
	if ((err = billing_cost_and_usage(c, &q, &r->cur)) < 0)
		goto out;
	if (r->compare) {
		q.period = r->previous;
		err = billing_cost_and_usage(c, &q, &r->prev);
	}
out:
	r->requests = billing_client_requests(c) - before;
	return err;
}

void
billing_report_release(struct billing_report *r)
{
	billing_strings_free(r->services, r->nr_services);
	r->services = NULL;
	r->nr_services = 0;
	billing_result_release(&r->cur);
	billing_result_release(&r->prev);
}

/* ---- the model the renderers share ---- */

static bool
unattributed(const struct billing_report *r, const struct billing_row *row)
{
	size_t k;

	for (k = 0; k < r->nr_keys; k++)
		if (!row->values[k] || !*row->values[k])
			return true;
	return false;
}

/* A group's totals over the whole period (and the previous one). */
struct group {
	const char *values[2];
	struct amount cur, prev;
	bool unattributed;
};

struct model {
	struct group *groups;	/* biggest first, unattributed last */
	size_t nr, alloc;
	struct amount total, prev_total, unattributed;
	bool any_estimated;
	const char *unit;
};

/* The index of row's group in m, or m->nr when it has none yet. */
static size_t
group_index(const struct model *m, const struct billing_report *r,
    const struct billing_row *row)
{
	size_t i, k;

	for (i = 0; i < m->nr; i++) {
		for (k = 0; k < r->nr_keys; k++)
			if (strcmp(m->groups[i].values[k], row->values[k]) != 0)
				break;
		if (k == r->nr_keys)
			break;
	}
	return i;
}

/* The group of row, added when new. */
static struct group *
group_of(struct model *m, const struct billing_report *r,
    const struct billing_row *row)
{
	size_t i = group_index(m, r, row), k;

	if (i < m->nr)
		return &m->groups[i];
	xgrow(&m->groups, &m->alloc, m->nr + 1, sizeof(*m->groups));
	memset(&m->groups[m->nr], 0, sizeof(*m->groups));
	for (k = 0; k < r->nr_keys; k++)
		m->groups[m->nr].values[k] = row->values[k];
	m->groups[m->nr].unattributed = unattributed(r, row);
	return &m->groups[m->nr++];
}

static int
cmp_group(const void *a, const void *b)
{
	const struct group *x = a, *y = b;
	int c;

	if (x->unattributed != y->unattributed)
		return x->unattributed ? 1 : -1;
	if ((c = amount_cmp(y->cur, x->cur)))
		return c;
	if ((c = strcmp(x->values[0], y->values[0])))
		return c;
	return x->values[1] && y->values[1] ?
	    strcmp(x->values[1], y->values[1]) : 0;
}

static void
model_build(struct model *m, const struct billing_report *r)
{
	size_t i;

	memset(m, 0, sizeof(*m));
	/* sums of amounts Cost Explorer sent: far inside the range, so
	 * amount_add cannot fail here */
	for (i = 0; i < r->cur.nr; i++) {
		const struct billing_row *row = &r->cur.rows[i];
		(void)amount_add(&group_of(m, r, row)->cur, row->amount);
		(void)amount_add(&m->total, row->amount);
		if (unattributed(r, row))
			(void)amount_add(&m->unattributed, row->amount);
		m->any_estimated = m->any_estimated || row->estimated;
	}
	for (i = 0; r->compare && i < r->prev.nr; i++) {
		const struct billing_row *row = &r->prev.rows[i];
		(void)amount_add(&group_of(m, r, row)->prev, row->amount);
		(void)amount_add(&m->prev_total, row->amount);
	}
	if (m->nr)
		qsort(m->groups, m->nr, sizeof(*m->groups), cmp_group);
	m->unit = r->cur.unit ? r->cur.unit : r->prev.unit ? r->prev.unit :
	    "USD";
}

static void
model_release(struct model *m)
{
	free(m->groups);
	memset(m, 0, sizeof(*m));
}

/* The total of the bucket starting at start. */
static struct amount
bucket_total(const struct billing_report *r, int64_t start)
{
	struct amount t = AMOUNT_ZERO;
	size_t i;

	for (i = 0; i < r->cur.nr; i++)
		if (r->cur.rows[i].start == start)
			(void)amount_add(&t, r->cur.rows[i].amount);
	return t;
}

/* The rows for people: by bucket, then the groups' order (biggest first,
 * not attributed last); CSV and JSON keep Cost Explorer's key order. */
struct shown {
	const struct billing_row *row;
	size_t group;
};

static int
cmp_shown(const void *a, const void *b)
{
	const struct shown *x = a, *y = b;

	if (x->row->start != y->row->start)
		return x->row->start < y->row->start ? -1 : 1;
	return x->group < y->group ? -1 : x->group > y->group;
}

static struct shown *
display_order(const struct billing_report *r, const struct model *m)
{
	struct shown *v = xcalloc(r->cur.nr + 1, sizeof(*v));
	size_t i;

	for (i = 0; i < r->cur.nr; i++) {
		v[i].row = &r->cur.rows[i];
		v[i].group = group_index(m, r, &r->cur.rows[i]);
	}
	if (r->cur.nr)
		qsort(v, r->cur.nr, sizeof(*v), cmp_shown);
	return v;
}

static char *
fmt_amount(struct amount a, int places)
{
	struct ps_buf b = PS_BUF_INIT;

	amount_format(&b, a, places);
	return ps_buf_detach(&b);
}

static char *
fmt_percent(struct amount part, struct amount whole)
{
	struct ps_buf b = PS_BUF_INIT;

	amount_percent(&b, part, whole);
	ps_buf_addch(&b, '%');
	return ps_buf_detach(&b);
}

/* "+12.34 (+5.0%)", "-3.00 (-100.0%)", "+7.00 (new)" */
static char *
fmt_change(struct amount cur, struct amount prev)
{
	struct ps_buf b = PS_BUF_INIT;
	struct amount d;

	(void)amount_sub(&d, cur, prev);
	if (amount_cmp(d, AMOUNT_ZERO) >= 0)
		ps_buf_addch(&b, '+');
	amount_format(&b, d, 2);
	if (amount_is_zero(prev)) {
		ps_buf_adds(&b, amount_is_zero(cur) ? "" : " (new)");
	} else {
		ps_buf_adds(&b, " (");
		if (amount_cmp(d, AMOUNT_ZERO) >= 0)
			ps_buf_addch(&b, '+');
		amount_percent(&b, d, prev);
		ps_buf_adds(&b, "%)");
	}
	return ps_buf_detach(&b);
}

static void
period_text(char out[32], int64_t from, int64_t to)
{
	char a[11], b[11];

	billing_day_format(a, from);
	billing_day_format(b, to);
	if (from == to)
		memcpy(out, a, 11);
	else
		snprintf(out, 32, "%s..%s", a, b);
}

static const char *
metric_words(const struct billing_report *r)
{
	return r->daily ? "daily" : "monthly";
}

/* ---- text ---- */

/* A value for a terminal, through util's escaper (C0, DEL, C1, bytes
 * that are not UTF-8); "" is NOT_ATTRIBUTED. */
static char *
plain(const char *s)
{
	if (!s || !*s)
		return xstrdup(NOT_ATTRIBUTED);
	return ps_printable(s, 0);
}

static size_t
width(const char *s)
{
	long n = ps_utf8_len(s, strlen(s));

	return n < 0 ? strlen(s) : (size_t)n;
}

static void
pad(struct ps_buf *b, const char *s, size_t w, bool right)
{
	size_t n = width(s);

	if (right)
		while (n++ < w)
			ps_buf_addch(b, ' ');
	ps_buf_adds(b, s);
	if (!right)
		while (n++ < w)
			ps_buf_addch(b, ' ');
}

/* A text table: cells[row][col], right-aligned columns flagged. */
struct table {
	char **cells;
	size_t nr_cols, nr, alloc;
	const bool *right;
};

static void
table_add(struct table *t, char **row)
{
	size_t c;

	xgrow(&t->cells, &t->alloc, (t->nr + 1) * t->nr_cols,
	    sizeof(*t->cells));
	for (c = 0; c < t->nr_cols; c++)
		t->cells[t->nr * t->nr_cols + c] = row[c];	/* moved */
	t->nr++;
}

static void
table_render(struct ps_buf *b, struct table *t)
{
	size_t *w = xcalloc(t->nr_cols, sizeof(*w)), r, c, n;

	for (r = 0; r < t->nr; r++)
		for (c = 0; c < t->nr_cols; c++)
			if ((n = width(t->cells[r * t->nr_cols + c])) > w[c])
				w[c] = n;
	for (r = 0; r < t->nr; r++) {
		struct ps_buf line = PS_BUF_INIT;
		for (c = 0; c < t->nr_cols; c++) {
			if (c)
				ps_buf_adds(&line, "  ");
			pad(&line, t->cells[r * t->nr_cols + c], w[c],
			    t->right[c]);
		}
		while (line.len && line.ptr[line.len - 1] == ' ')
			line.ptr[--line.len] = '\0';
		ps_buf_adds(b, line.ptr);
		ps_buf_addch(b, '\n');
		ps_buf_release(&line);
	}
	for (r = 0; r < t->nr * t->nr_cols; r++)
		free(t->cells[r]);
	free(t->cells);
	free(w);
}

static void
render_text(struct ps_buf *b, const struct billing_report *r,
    const struct model *m)
{
	static const bool right1[] = { false, false, true, true };
	static const bool right2[] = { false, false, false, true, true };
	static const bool rightc1[] = { false, true, true, false };
	static const bool rightc2[] = { false, false, true, true, false };
	struct table t = { NULL, 3 + r->nr_keys, 0, 0,
	    r->nr_keys == 2 ? right2 : right1 };
	struct shown *order = display_order(r, m);
	char when[32], *row[6];
	size_t i, k, c;
	int64_t last = -1;

	period_text(when, r->period.from, r->period.to);
	ps_buf_addf(b, "Bedrock spend by %s", r->keys[0]);
	if (r->nr_keys == 2)
		ps_buf_addf(b, " and %s", r->keys[1]);
	ps_buf_addf(b, ", %s (%s, %s, %s)\n", when, r->metric, metric_words(r),
	    m->unit);
	ps_buf_adds(b, "Services: ");
	for (i = 0; i < r->nr_services; i++) {
		char *s = plain(r->services[i]);
		ps_buf_addf(b, "%s%s", i ? "; " : "", s);
		free(s);
	}
	ps_buf_adds(b, r->nr_services ? "\n\n" : "none with usage in the "
	    "period\n\n");

	c = 0;
	row[c++] = xstrdup("PERIOD");
	for (k = 0; k < r->nr_keys; k++)
		row[c++] = plain(r->keys[k]);
	row[c++] = xstrdup("AMOUNT");
	row[c++] = xstrdup("SHARE");
	table_add(&t, row);
	for (i = 0; i < r->cur.nr; i++) {
		const struct billing_row *x = order[i].row;
		c = 0;
		if (x->start != last) {
			period_text(when, x->start, x->end);
			row[c++] = xasprintf("%s%s", when, x->estimated ? " *" :
			    "");
		} else {
			row[c++] = xstrdup("");
		}
		for (k = 0; k < r->nr_keys; k++)
			row[c++] = plain(x->values[k]);
		row[c++] = fmt_amount(x->amount, 2);
		row[c++] = fmt_percent(x->amount, bucket_total(r, x->start));
		last = x->start;
		table_add(&t, row);
	}
	c = 0;
	row[c++] = xstrdup("TOTAL");
	for (k = 0; k < r->nr_keys; k++)
		row[c++] = xstrdup("");
	row[c++] = fmt_amount(m->total, 2);
	row[c++] = xstrdup(amount_is_zero(m->total) ? "" : "100.0%");
	table_add(&t, row);
	table_render(b, &t);

	if (!amount_is_zero(m->total)) {
		char *a = fmt_amount(m->unattributed, 2);
		char *s = fmt_percent(m->unattributed, m->total);
		ps_buf_addf(b, "\nNot attributed: %s %s, %s of the total (%s)\n",
		    a, m->unit, s, WHY_UNATTRIBUTED);
		free(a);
		free(s);
	}
	if (m->any_estimated)
		ps_buf_adds(b, "* estimated: the bill for this period is not "
		    "final yet\n");

	if (r->compare) {
		struct table ct = { NULL, r->nr_keys + 3, 0, 0,
		    r->nr_keys == 2 ? rightc2 : rightc1 };
		period_text(when, r->previous.from, r->previous.to);
		ps_buf_addf(b, "\nCompared with %s:\n", when);
		c = 0;
		for (k = 0; k < r->nr_keys; k++)
			row[c++] = plain(r->keys[k]);
		row[c++] = xstrdup("AMOUNT");
		row[c++] = xstrdup("PREVIOUS");
		row[c++] = xstrdup("CHANGE");
		table_add(&ct, row);
		for (i = 0; i < m->nr; i++) {
			const struct group *g = &m->groups[i];
			c = 0;
			for (k = 0; k < r->nr_keys; k++)
				row[c++] = plain(g->values[k]);
			row[c++] = fmt_amount(g->cur, 2);
			row[c++] = fmt_amount(g->prev, 2);
			row[c++] = fmt_change(g->cur, g->prev);
			table_add(&ct, row);
		}
		c = 0;
		row[c++] = xstrdup("TOTAL");
		for (k = 1; k < r->nr_keys; k++)
			row[c++] = xstrdup("");
		row[c++] = fmt_amount(m->total, 2);
		row[c++] = fmt_amount(m->prev_total, 2);
		row[c++] = fmt_change(m->total, m->prev_total);
		table_add(&ct, row);
		table_render(b, &ct);
	}
	ps_buf_addf(b, "\nCost Explorer requests: %lu (USD %lu.%02lu)\n",
	    r->requests, r->requests / 100, r->requests % 100);
	free(order);
}

/* ---- markdown ---- */

static void
md_value(struct ps_buf *b, const char *s)
{
	if (!s || !*s)
		ps_buf_adds(b, "*" NOT_ATTRIBUTED "*");
	else
		ps_md_text(b, s, 200);
}

static void
render_markdown(struct ps_buf *b, const struct billing_report *r,
    const struct model *m)
{
	struct shown *order = display_order(r, m);
	char when[32], *a, *s;
	size_t i, k;
	int64_t last = -1;

	period_text(when, r->period.from, r->period.to);
	ps_buf_adds(b, "### Bedrock spend by ");
	ps_md_text(b, r->keys[0], 200);
	if (r->nr_keys == 2) {
		ps_buf_adds(b, " and ");
		ps_md_text(b, r->keys[1], 200);
	}
	ps_buf_addf(b, ", %s\n\n%s, %s, %s. Services: ", when, r->metric,
	    metric_words(r), m->unit);
	for (i = 0; i < r->nr_services; i++) {
		ps_buf_adds(b, i ? ", " : "");
		ps_md_text(b, r->services[i], 200);
	}
	ps_buf_adds(b, r->nr_services ? ".\n\n" : "none with usage.\n\n");
	ps_buf_adds(b, "| Period |");
	for (k = 0; k < r->nr_keys; k++) {
		ps_buf_addch(b, ' ');
		ps_md_text(b, r->keys[k], 200);
		ps_buf_adds(b, " |");
	}
	ps_buf_adds(b, " Amount | Share |\n|---|");
	for (k = 0; k < r->nr_keys; k++)
		ps_buf_adds(b, "---|");
	ps_buf_adds(b, "---:|---:|\n");
	for (i = 0; i < r->cur.nr; i++) {
		const struct billing_row *x = order[i].row;
		period_text(when, x->start, x->end);
		ps_buf_addf(b, "| %s%s |", x->start != last ? when : "",
		    x->start != last && x->estimated ? " (estimated)" : "");
		last = x->start;
		for (k = 0; k < r->nr_keys; k++) {
			ps_buf_addch(b, ' ');
			md_value(b, x->values[k]);
			ps_buf_adds(b, " |");
		}
		a = fmt_amount(x->amount, 2);
		s = fmt_percent(x->amount, bucket_total(r, x->start));
		ps_buf_addf(b, " %s | %s |\n", a, s);
		free(a);
		free(s);
	}
	a = fmt_amount(m->total, 2);
	ps_buf_adds(b, "| **Total** |");
	for (k = 0; k < r->nr_keys; k++)
		ps_buf_adds(b, " |");
	ps_buf_addf(b, " **%s** | |\n", a);
	free(a);
	if (!amount_is_zero(m->total)) {
		a = fmt_amount(m->unattributed, 2);
		s = fmt_percent(m->unattributed, m->total);
		ps_buf_addf(b, "\nNot attributed: **%s %s** (%s of the total: "
		    "%s).\n", a, m->unit, s, WHY_UNATTRIBUTED);
		free(a);
		free(s);
	}
	if (r->compare) {
		period_text(when, r->previous.from, r->previous.to);
		ps_buf_addf(b, "\n#### Compared with %s\n\n|", when);
		for (k = 0; k < r->nr_keys; k++) {
			ps_buf_addch(b, ' ');
			ps_md_text(b, r->keys[k], 200);
			ps_buf_adds(b, " |");
		}
		ps_buf_adds(b, " Amount | Previous | Change |\n|");
		for (k = 0; k < r->nr_keys; k++)
			ps_buf_adds(b, "---|");
		ps_buf_adds(b, "---:|---:|---:|\n");
		for (i = 0; i <= m->nr; i++) {
			const struct group *g = i < m->nr ? &m->groups[i] : NULL;
			char *p, *ch;
			ps_buf_addch(b, '|');
			for (k = 0; k < r->nr_keys; k++) {
				ps_buf_addch(b, ' ');
				if (g)
					md_value(b, g->values[k]);
				else if (k == 0)
					ps_buf_adds(b, "**Total**");
				ps_buf_adds(b, " |");
			}
			a = fmt_amount(g ? g->cur : m->total, 2);
			p = fmt_amount(g ? g->prev : m->prev_total, 2);
			ch = fmt_change(g ? g->cur : m->total,
			    g ? g->prev : m->prev_total);
			ps_buf_addf(b, " %s | %s | %s |\n", a, p, ch);
			free(a);
			free(p);
			free(ch);
		}
	}
	ps_buf_addf(b, "\n<sub>projsync costs: %lu Cost Explorer request%s "
	    "(USD 0.01 each)%s</sub>\n", r->requests, r->requests == 1 ? "" :
	    "s", m->any_estimated ? "; estimated periods are not final" : "");
	free(order);
}

/* ---- CSV ---- */

static void
csv_field(struct ps_buf *b, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		ps_buf_adds(b, s);
		return;
	}
	ps_buf_addch(b, '"');
	for (; *s; s++) {
		if (*s == '"')
			ps_buf_addch(b, '"');
		ps_buf_addch(b, *s);
	}
	ps_buf_addch(b, '"');
}

static void
render_csv(struct ps_buf *b, const struct billing_report *r,
    const struct model *m)
{
	char day[11];
	size_t i, k;

	ps_buf_adds(b, "start,end");
	for (k = 0; k < r->nr_keys; k++) {
		ps_buf_addch(b, ',');
		csv_field(b, r->keys[k]);
	}
	ps_buf_adds(b, ",amount,unit,estimated\n");
	for (i = 0; i < r->cur.nr; i++) {
		const struct billing_row *x = &r->cur.rows[i];
		billing_day_format(day, x->start);
		ps_buf_addf(b, "%s,", day);
		billing_day_format(day, x->end);
		ps_buf_adds(b, day);
		for (k = 0; k < r->nr_keys; k++) {
			ps_buf_addch(b, ',');
			csv_field(b, x->values[k]);
		}
		ps_buf_addch(b, ',');
		amount_format(b, x->amount, -1);
		ps_buf_addch(b, ',');
		csv_field(b, m->unit);
		ps_buf_addf(b, ",%s\n", x->estimated ? "true" : "false");
	}
}

/* ---- JSON ---- */

static cJSON *
json_amount(struct amount a)
{
	char *s = fmt_amount(a, -1);
	cJSON *v = cJSON_CreateString(s);

	free(s);
	return v;
}

static cJSON *
json_tags(const struct billing_report *r, const char *const *values)
{
	cJSON *o = cJSON_CreateObject();
	size_t k;

	for (k = 0; k < r->nr_keys; k++)
		cJSON_AddStringToObject(o, r->keys[k], values[k]);
	return o;
}

static void
json_period(cJSON *o, const struct billing_period *p)
{
	char day[11];

	billing_day_format(day, p->from);
	cJSON_AddStringToObject(o, "from", day);
	billing_day_format(day, p->to);
	cJSON_AddStringToObject(o, "to", day);
}

static void
render_json(struct ps_buf *b, const struct billing_report *r,
    const struct model *m)
{
	cJSON *doc = cJSON_CreateObject(), *arr, *o;
	struct ps_buf share = PS_BUF_INIT;
	char day[11];
	size_t i, k;

	cJSON_AddNumberToObject(doc, "format_version", 1);
	json_period(doc, &r->period);
	cJSON_AddStringToObject(doc, "granularity", r->daily ? "DAILY" :
	    "MONTHLY");
	cJSON_AddStringToObject(doc, "metric", r->metric);
	arr = cJSON_AddArrayToObject(doc, "group_by");
	for (k = 0; k < r->nr_keys; k++)
		cJSON_AddItemToArray(arr, cJSON_CreateString(r->keys[k]));
	arr = cJSON_AddArrayToObject(doc, "services");
	for (i = 0; i < r->nr_services; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateString(r->services[i]));
	arr = cJSON_AddArrayToObject(doc, "rows");
	for (i = 0; i < r->cur.nr; i++) {
		const struct billing_row *x = &r->cur.rows[i];
		o = cJSON_CreateObject();
		billing_day_format(day, x->start);
		cJSON_AddStringToObject(o, "start", day);
		billing_day_format(day, x->end);
		cJSON_AddStringToObject(o, "end", day);
		cJSON_AddItemToObject(o, "tags", json_tags(r,
		    (const char *const *)x->values));
		cJSON_AddItemToObject(o, "amount", json_amount(x->amount));
		cJSON_AddStringToObject(o, "unit", m->unit);
		cJSON_AddBoolToObject(o, "estimated", x->estimated);
		cJSON_AddItemToArray(arr, o);
	}
	cJSON_AddItemToObject(doc, "total", json_amount(m->total));
	o = cJSON_AddObjectToObject(doc, "unattributed");
	cJSON_AddItemToObject(o, "amount", json_amount(m->unattributed));
	amount_percent(&share, m->unattributed, m->total);
	cJSON_AddStringToObject(o, "share", share.ptr);
	cJSON_AddStringToObject(doc, "unit", m->unit);
	if (r->compare) {
		cJSON *cmp = cJSON_AddObjectToObject(doc, "compare");
		json_period(cmp, &r->previous);
		arr = cJSON_AddArrayToObject(cmp, "groups");
		for (i = 0; i < m->nr; i++) {
			const struct group *g = &m->groups[i];
			struct amount d;
			o = cJSON_CreateObject();
			cJSON_AddItemToObject(o, "tags", json_tags(r, g->values));
			cJSON_AddItemToObject(o, "amount", json_amount(g->cur));
			cJSON_AddItemToObject(o, "previous", json_amount(g->prev));
			(void)amount_sub(&d, g->cur, g->prev);
			cJSON_AddItemToObject(o, "change", json_amount(d));
			cJSON_AddItemToArray(arr, o);
		}
		cJSON_AddItemToObject(cmp, "total", json_amount(m->prev_total));
	}
	cJSON_AddNumberToObject(doc, "requests", (double)r->requests);
	ps_json_render(b, doc);		/* util's writer: the one style */
	cJSON_Delete(doc);
	ps_buf_release(&share);
}

/* ---- HTML ---- */

static void
html_text(struct ps_buf *b, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': ps_buf_adds(b, "&amp;"); break;
		case '<': ps_buf_adds(b, "&lt;"); break;
		case '>': ps_buf_adds(b, "&gt;"); break;
		case '"': ps_buf_adds(b, "&quot;"); break;
		case '\'': ps_buf_adds(b, "&#39;"); break;
		default:
			/* C0, DEL and C1 controls (U+0080-U+009F: C2 80..9F)
			 * have no place in a document */
			if ((unsigned char)*s < 0x20 || *s == 0x7f) {
				ps_buf_addch(b, ' ');
			} else if ((unsigned char)s[0] == 0xc2 &&
			    (unsigned char)s[1] >= 0x80 &&
			    (unsigned char)s[1] <= 0x9f) {
				ps_buf_addch(b, ' ');
				s++;
			} else {
				ps_buf_addch(b, *s);
			}
		}
	}
}

static void
html_value(struct ps_buf *b, const char *s)
{
	if (!s || !*s)
		ps_buf_adds(b, "<em>" NOT_ATTRIBUTED "</em>");
	else
		html_text(b, s);
}

static void
html_group_label(struct ps_buf *b, const struct billing_report *r,
    const char *const *values)
{
	size_t k;

	for (k = 0; k < r->nr_keys; k++) {
		if (k)
			ps_buf_adds(b, " / ");
		html_text(b, values[k] && *values[k] ? values[k] :
		    NOT_ATTRIBUTED);
	}
}

static const char *const palette[] = {
	"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948",
	"#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
};

static const char *
group_color(const struct model *m, size_t i)
{
	if (m->groups[i].unattributed)
		return "#9e9e9e";
	return palette[i % PS_ARRAY_SIZE(palette)];
}

#define CHART_H		240
#define BAR_W		28
#define BAR_GAP		8
#define AXIS_W		70

static void
render_chart(struct ps_buf *b, const struct billing_report *r,
    const struct model *m)
{
	struct amount max = AMOUNT_ZERO, t;
	int64_t *starts = NULL;
	size_t nr = 0, alloc = 0, i, j, g;
	unsigned w, y, h;
	char *label;

	for (i = 0; i < r->cur.nr; i++)
		if (!nr || starts[nr - 1] != r->cur.rows[i].start) {
			xgrow(&starts, &alloc, nr + 1, sizeof(*starts));
			starts[nr++] = r->cur.rows[i].start;
		}
	for (i = 0; i < nr; i++)
		if (amount_cmp(t = bucket_total(r, starts[i]), max) > 0)
			max = t;
	w = AXIS_W + (unsigned)nr * (BAR_W + BAR_GAP) + BAR_GAP;
	ps_buf_addf(b, "<svg id=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" "
	    "width=\"%u\" height=\"%u\" role=\"img\" aria-label=\"Bedrock "
	    "spend by group over time\">\n", w, CHART_H + 60);
	label = fmt_amount(max, 2);
	ps_buf_addf(b, "<text x=\"0\" y=\"14\" class=\"axis\">%s</text>\n"
	    "<text x=\"0\" y=\"%u\" class=\"axis\">0</text>\n"
	    "<line x1=\"%u\" y1=\"10\" x2=\"%u\" y2=\"%u\" stroke=\"#888\"/>\n",
	    label, CHART_H + 10, AXIS_W - 4, AXIS_W - 4, CHART_H + 10);
	free(label);
	for (i = 0; i < nr; i++) {
		unsigned x = AXIS_W + BAR_GAP + (unsigned)i * (BAR_W + BAR_GAP);
		char day[11];
		y = CHART_H + 10;
		/* stack in the legend's order, biggest group at the bottom */
		for (g = 0; g < m->nr; g++) {
			struct amount a = AMOUNT_ZERO;
			for (j = 0; j < r->cur.nr; j++)
				if (r->cur.rows[j].start == starts[i] &&
				    group_index(m, r, &r->cur.rows[j]) == g)
					(void)amount_add(&a, r->cur.rows[j].amount);
			if (!(h = amount_scale(a, max, CHART_H)))
				continue;
			y -= h;
			label = fmt_amount(a, 2);
			ps_buf_addf(b, "<rect class=\"bar\" x=\"%u\" y=\"%u\" "
			    "width=\"%u\" height=\"%u\" fill=\"%s\"><title>", x,
			    y, BAR_W, h, group_color(m, g));
			html_group_label(b, r, m->groups[g].values);
			ps_buf_addf(b, ": %s</title></rect>\n", label);
			free(label);
		}
		billing_day_format(day, starts[i]);
		ps_buf_addf(b, "<text x=\"%u\" y=\"%u\" class=\"axis\" "
		    "transform=\"rotate(60 %u %u)\">%s</text>\n", x + 4,
		    CHART_H + 22, x + 4, CHART_H + 22, day);
	}
	ps_buf_adds(b, "</svg>\n<ul class=\"legend\">\n");
	for (g = 0; g < m->nr; g++) {
		ps_buf_addf(b, "<li><span style=\"background:%s\"></span>",
		    group_color(m, g));
		html_group_label(b, r, m->groups[g].values);
		ps_buf_adds(b, "</li>\n");
	}
	ps_buf_adds(b, "</ul>\n");
	free(starts);
}

static void
render_html(struct ps_buf *b, const struct billing_report *r,
    const struct model *m)
{
	struct shown *order = display_order(r, m);
	char when[32], *a, *s;
	size_t i, k;

	period_text(when, r->period.from, r->period.to);
	ps_buf_adds(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n<title>Bedrock spend by ");
	html_text(b, r->keys[0]);
	ps_buf_addf(b, ", %s</title>\n", when);
	/* self-contained: no script, no external style or font */
	ps_buf_adds(b, "<style>\n"
	    "body{font-family:sans-serif;margin:2em;color:#222}\n"
	    "table{border-collapse:collapse}\n"
	    "td,th{padding:.2em .8em;border-bottom:1px solid #ddd}\n"
	    "td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}\n"
	    ".axis{font-size:11px;fill:#555}\n"
	    ".legend{list-style:none;padding:0}\n"
	    ".legend li{display:inline-block;margin-right:1.2em}\n"
	    ".legend span{display:inline-block;width:.9em;height:.9em;"
	    "margin-right:.3em;vertical-align:middle}\n"
	    "</style>\n</head>\n<body>\n<h1>Bedrock spend by ");
	for (k = 0; k < r->nr_keys; k++) {
		if (k)
			ps_buf_adds(b, " and ");
		html_text(b, r->keys[k]);
	}
	ps_buf_addf(b, "</h1>\n<p>%s &middot; %s, %s, ", when, r->metric,
	    metric_words(r));
	html_text(b, m->unit);
	ps_buf_adds(b, " &middot; services: ");
	for (i = 0; i < r->nr_services; i++) {
		ps_buf_adds(b, i ? ", " : "");
		html_text(b, r->services[i]);
	}
	ps_buf_adds(b, r->nr_services ? "</p>\n" : "none</p>\n");
	render_chart(b, r, m);
	ps_buf_adds(b, "<table id=\"costs\">\n<tr><th>Period</th>");
	for (k = 0; k < r->nr_keys; k++) {
		ps_buf_adds(b, "<th>");
		html_text(b, r->keys[k]);
		ps_buf_adds(b, "</th>");
	}
	ps_buf_adds(b, "<th class=\"n\">Amount</th><th class=\"n\">Share</th>"
	    "</tr>\n");
	for (i = 0; i < r->cur.nr; i++) {
		const struct billing_row *x = order[i].row;
		period_text(when, x->start, x->end);
		ps_buf_addf(b, "<tr><td>%s%s</td>", when, x->estimated ?
		    " (estimated)" : "");
		for (k = 0; k < r->nr_keys; k++) {
			ps_buf_adds(b, "<td>");
			html_value(b, x->values[k]);
			ps_buf_adds(b, "</td>");
		}
		a = fmt_amount(x->amount, 2);
		s = fmt_percent(x->amount, bucket_total(r, x->start));
		ps_buf_addf(b, "<td class=\"n\">%s</td><td class=\"n\">%s</td>"
		    "</tr>\n", a, s);
		free(a);
		free(s);
	}
	a = fmt_amount(m->total, 2);
	ps_buf_addf(b, "<tr><th>Total</th><td colspan=\"%zu\"></td>"
	    "<th class=\"n\">%s</th><td></td></tr>\n</table>\n",
	    r->nr_keys, a);
	free(a);
	if (!amount_is_zero(m->total)) {
		a = fmt_amount(m->unattributed, 2);
		s = fmt_percent(m->unattributed, m->total);
		ps_buf_addf(b, "<p>Not attributed: <strong>%s</strong> (%s of "
		    "the total: %s).</p>\n", a, s, WHY_UNATTRIBUTED);
		free(a);
		free(s);
	}
	if (r->compare) {
		period_text(when, r->previous.from, r->previous.to);
		ps_buf_addf(b, "<h2>Compared with %s</h2>\n<table id=\"compare\">"
		    "\n<tr>", when);
		for (k = 0; k < r->nr_keys; k++) {
			ps_buf_adds(b, "<th>");
			html_text(b, r->keys[k]);
			ps_buf_adds(b, "</th>");
		}
		ps_buf_adds(b, "<th class=\"n\">Amount</th><th class=\"n\">"
		    "Previous</th><th class=\"n\">Change</th></tr>\n");
		for (i = 0; i < m->nr; i++) {
			const struct group *g = &m->groups[i];
			char *p, *ch;
			ps_buf_adds(b, "<tr>");
			for (k = 0; k < r->nr_keys; k++) {
				ps_buf_adds(b, "<td>");
				html_value(b, g->values[k]);
				ps_buf_adds(b, "</td>");
			}
			a = fmt_amount(g->cur, 2);
			p = fmt_amount(g->prev, 2);
			ch = fmt_change(g->cur, g->prev);
			ps_buf_addf(b, "<td class=\"n\">%s</td><td class=\"n\">"
			    "%s</td><td class=\"n\">%s</td></tr>\n", a, p, ch);
			free(a);
			free(p);
			free(ch);
		}
		ps_buf_adds(b, "</table>\n");
	}
	ps_buf_addf(b, "<p><small>projsync costs &middot; %lu Cost Explorer "
	    "request%s (USD 0.01 each)%s</small></p>\n</body>\n</html>\n",
	    r->requests, r->requests == 1 ? "" : "s", m->any_estimated ?
	    " &middot; estimated periods are not final" : "");
	free(order);
}

void
billing_report_render(struct ps_buf *out, const struct billing_report *r,
    enum billing_format format)
{
	struct model m;

	model_build(&m, r);
	switch (format) {
	case BILLING_TEXT: render_text(out, r, &m); break;
	case BILLING_MARKDOWN: render_markdown(out, r, &m); break;
	case BILLING_CSV: render_csv(out, r, &m); break;
	case BILLING_JSON: render_json(out, r, &m); break;
	case BILLING_HTML: render_html(out, r, &m); break;
	}
	model_release(&m);
}
