/*
 * plan: renderers.  Text is Terraform-like for terminals and CI logs, its
 * first line naming the endpoint; markdown is a pull-request comment (a
 * marker for sticky comments, the target, counts by the taxonomy's keys,
 * a footer on how it is applied, also a body for a failed plan) and must
 * fit GitHub's comment limit.  Names and values come from the live API too, so both renderers
 * escape them: no terminal escape sequence or markdown markup gets through.
 */
#include "plan/plan.h"

#include <stdlib.h>
#include <string.h>

#include "plan/internal.h"

#define C_GREEN		"\033[32m"
#define C_YELLOW	"\033[33m"
#define C_RED		"\033[31m"
#define C_BOLDRED	"\033[1;31m"
#define C_CYAN		"\033[36m"
#define C_BOLD		"\033[1m"
#define C_RESET		"\033[0m"

void
plan_render_summary(struct ps_buf *out, const struct plan *p)
{
	size_t tags = p->billing.enabled ? p->billing.activate_nr : 0;

	if (plan_total_changes(p) == 0) {
		ps_buf_adds(out, "No changes. The account matches the inventory.");
		return;
	}
	ps_buf_addf(out, "Plan: %zu to create, %zu to update, %zu to "
	    "archive", p->summary.create, p->summary.update,
	    p->summary.archive);
	if (tags)
		ps_buf_addf(out, ", %zu cost allocation tag%s to activate",
		    tags, tags == 1 ? "" : "s");
	ps_buf_addch(out, '.');
}

/* ---- text ---- */

/* "value" with \" \\ and control bytes escaped (no terminal escapes). */
void
plan__quote(struct ps_buf *out, const char *s)
{
	if (!s) {
		ps_buf_adds(out, "(no name)");	/* the API allows a null name */
		return;
	}
	ps_buf_add_quoted(out, s);
}

/* " (proj_...)": an ID from the API, escaped like every such string. */
static void
add_id(struct ps_buf *out, const char *id)
{
	ps_buf_adds(out, " (");
	ps_buf_add_printable(out, id, 0);
	ps_buf_addch(out, ')');
}

/* A tag key bare when it is plain, else quoted. */
static void
key_text(struct ps_buf *out, const char *k)
{
	const char *s;

	for (s = k; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		    (*s >= '0' && *s <= '9') || strchr("_.:/=+-@", *s)))
			break;
	if (*k && !*s)
		ps_buf_adds(out, k);
	else
		plan__quote(out, k);
}

static size_t
width(const char *s, size_t len)
{
	long n = ps_utf8_len(s, len);

	return n < 0 ? len : (size_t)n;
}

struct tag_line {
	char sym;		/* + ~ - */
	const char *key, *old, *val;
};

static void
tag_lines(struct ps_buf *out, const struct tag_line *lines, size_t nr,
    const char *name_old, const char *name_new, bool rename,
    unsigned flags)
{
	struct ps_buf k = PS_BUF_INIT;
	size_t i, w = rename ? 4 : 0;
	bool color = flags & PLAN_RENDER_COLOR;

	for (i = 0; i < nr; i++) {
		ps_buf_reset(&k);
		key_text(&k, lines[i].key);
		if (width(k.ptr, k.len) > w)
			w = width(k.ptr, k.len);
	}
	if (rename) {
		ps_buf_addf(out, "      %s~%s %-*s = ", color ? C_YELLOW : "",
		    color ? C_RESET : "", (int)w, "name");
		plan__quote(out, name_old);
		ps_buf_adds(out, " -> ");
		plan__quote(out, name_new);
		ps_buf_addch(out, '\n');
	}
	for (i = 0; i < nr; i++) {
		const char *col = lines[i].sym == '+' ? C_GREEN :
		    lines[i].sym == '~' ? C_YELLOW : C_RED;
		size_t kw;

		ps_buf_reset(&k);
		key_text(&k, lines[i].key);
		kw = width(k.ptr, k.len);
		ps_buf_addf(out, "      %s%c%s %s%*s = ", color ? col : "",
		    lines[i].sym, color ? C_RESET : "", k.ptr,
		    (int)(w - kw), "");
		if (lines[i].sym == '~') {
			plan__quote(out, lines[i].old);
			ps_buf_adds(out, " -> ");
		}
		plan__quote(out, lines[i].val);
		ps_buf_addch(out, '\n');
	}
	ps_buf_release(&k);
}

/* Merge add_tags and remove_tag_keys into key order: + new, ~ changed,
 * - removed.  The caller frees *lines. */
static size_t
update_lines(struct tag_line **lines, const struct plan_change *c)
{
	size_t a = 0, r = 0, n = 0;
	struct tag_line *v = xcalloc(c->add_tags.nr + c->remove_nr + 1,
	    sizeof(*v));

	while (a < c->add_tags.nr || r < c->remove_nr) {
		bool take_add = r >= c->remove_nr || (a < c->add_tags.nr &&
		    strcmp(c->add_tags.items[a].key, c->remove_tag_keys[r]) < 0);

		if (take_add) {
			const struct tag *t = &c->add_tags.items[a++];
			const char *old = tag_set_get(&c->before.tags, t->key);

			v[n].sym = old ? '~' : '+';
			v[n].key = t->key;
			v[n].old = old;
			v[n++].val = t->value;
		} else {
			const char *k = c->remove_tag_keys[r++];

			v[n].sym = '-';
			v[n].key = k;
			v[n++].val = tag_set_get(&c->before.tags, k);
		}
	}
	*lines = v;
	return n;
}

static void
text_change(struct ps_buf *out, const struct plan_change *c, unsigned flags)
{
	bool color = flags & PLAN_RENDER_COLOR;
	struct tag_line *lines = NULL;
	size_t i, n;

	switch (c->action) {
	case PLAN_CREATE:
		ps_buf_addf(out, "  %s+%s ", color ? C_GREEN : "",
		    color ? C_RESET : "");
		plan__quote(out, c->name);
		ps_buf_adds(out, " will be created\n");
		lines = xcalloc(c->tags.nr + 1, sizeof(*lines));
		for (i = 0; i < c->tags.nr; i++) {
			lines[i].sym = '+';
			lines[i].key = c->tags.items[i].key;
			lines[i].val = c->tags.items[i].value;
		}
		tag_lines(out, lines, c->tags.nr, NULL, NULL, false, flags);
		break;
	case PLAN_UPDATE:
		ps_buf_addf(out, "  %s~%s ", color ? C_YELLOW : "",
		    color ? C_RESET : "");
		plan__quote(out, c->name);
		add_id(out, c->id);
		ps_buf_adds(out, " will be updated in place\n");
		n = update_lines(&lines, c);
		tag_lines(out, lines, n, c->rename_from, c->name, c->rename,
		    flags);
		break;
	case PLAN_ARCHIVE:
		ps_buf_addf(out, "  %s!%s ", color ? C_RED : "",
		    color ? C_RESET : "");
		plan__quote(out, c->name);
		add_id(out, c->id);
		ps_buf_addf(out, " will be archived (%s; archiving is "
		    "irreversible)\n", c->reason == PLAN_REASON_UNMANAGED ?
		    "not in the inventory, settings.unmanaged: archive" :
		    "archived: true in the inventory");
		break;
	case PLAN_UNMANAGED:
		ps_buf_addf(out, "  %s?%s ", color ? C_CYAN : "",
		    color ? C_RESET : "");
		plan__quote(out, c->name);
		add_id(out, c->id);
		ps_buf_addch(out, '\n');
		break;
	}
	free(lines);
}

/* " on URL" / " at URL": the first line names where the plan goes, so a
 * log or a terminal never leaves the target to guess. */
static void
text_target(struct ps_buf *out, const struct plan *p, const char *prep)
{
	char *safe;

	if (!p->endpoint)
		return;
	safe = ps_printable(p->endpoint, 0);
	ps_buf_addf(out, " %s %s", prep, safe);
	free(safe);
}

void
plan_render_text(struct ps_buf *out, const struct plan *p, unsigned flags)
{
	bool color = flags & PLAN_RENDER_COLOR;
	bool changes = plan_total_changes(p) > 0;
	size_t i;

	if (changes) {
		ps_buf_adds(out, "projsync will perform the following actions");
		text_target(out, p, "on");
		ps_buf_adds(out, ":\n");
		for (i = 0; i < p->changes_nr; i++) {
			if (p->changes[i].action == PLAN_UNMANAGED)
				continue;
			ps_buf_addch(out, '\n');
			text_change(out, &p->changes[i], flags);
		}
		if (p->billing.enabled && p->billing.activate_nr)
			ps_buf_addch(out, '\n');
		for (i = 0; p->billing.enabled &&
		    i < p->billing.activate_nr; i++) {
			ps_buf_addf(out, "  %s~%s cost allocation tag ",
			    color ? C_YELLOW : "", color ? C_RESET : "");
			ps_buf_add_quoted(out, p->billing.activate[i]);
			ps_buf_adds(out, " will be activated\n");
		}
	} else {
		/* the verdict first; what follows is only reported */
		if (color)
			ps_buf_adds(out, C_BOLD);
		ps_buf_adds(out, "No changes. The account");
		text_target(out, p, "at");
		ps_buf_adds(out, " matches the inventory.");
		if (color)
			ps_buf_adds(out, C_RESET);
		ps_buf_addch(out, '\n');
	}
	if (p->summary.unmanaged > 0) {
		ps_buf_addf(out, "\n%zu project%s in the account %s not in the "
		    "inventory (settings.unmanaged: report):\n",
		    p->summary.unmanaged, p->summary.unmanaged == 1 ? "" : "s",
		    p->summary.unmanaged == 1 ? "is" : "are");
		for (i = 0; i < p->changes_nr; i++)
			if (p->changes[i].action == PLAN_UNMANAGED)
				text_change(out, &p->changes[i], flags);
	}
	if ((flags & PLAN_RENDER_WARNINGS) && p->warnings_nr) {
		ps_buf_addch(out, '\n');
		for (i = 0; i < p->warnings_nr; i++) {
			ps_buf_addf(out, "%sWarning:%s ",
			    color ? C_YELLOW : "", color ? C_RESET : "");
			ps_buf_add_printable(out, p->warnings[i], 0);
			ps_buf_addch(out, '\n');
		}
	}
	if (!changes)
		return;
	ps_buf_addch(out, '\n');
	if (p->violations_nr) {
		ps_buf_addf(out, "%sSafety checks failed:%s apply will refuse "
		    "this plan%s.\n", color ? C_BOLDRED : "",
		    color ? C_RESET : "", plan_has_hard_violation(p) ?
		    " (the project limit cannot be overridden)" :
		    " unless given --force");
		for (i = 0; i < p->violations_nr; i++) {
			ps_buf_adds(out, "  - ");
			ps_buf_add_printable(out, p->violations[i].message, 0);
			ps_buf_addf(out, " [%s]\n",
			    plan_violation_kind_name(p->violations[i].kind));
		}
		ps_buf_addch(out, '\n');
	}
	if (color)
		ps_buf_adds(out, C_BOLD);
	plan_render_summary(out, p);
	if (color)
		ps_buf_adds(out, C_RESET);
	ps_buf_addch(out, '\n');
}

/* ---- markdown ---- */

#define MD_MAX_VALUE	64	/* code points of a name or value shown */
#define MD_MAX_ROWS	20	/* rows per count table */
#define MD_MAX_NOTES	20	/* warnings or violations shown */
#define MD_MAX_TAGS	12	/* tag lines per change */
#define MD_OPEN_MAX	10	/* entries shown before a <details> */
#define MD_RESERVE	2000	/* room kept for the closing notes */
#define MD_DETAIL_MAX	20000	/* bytes of an error shown on failure */

static void
md_name(struct ps_buf *out, const char *name)
{
	if (!name) {
		ps_buf_adds(out, "*(no name)*");
		return;
	}
	ps_md_bold(out, name, MD_MAX_VALUE);
}

struct count_item {
	const char *value;	/* NULL: the tag is not set */
	size_t col;		/* 0 create, 1 update, 2 archive */
};

static int
cmp_item(const void *a, const void *b)
{
	const struct count_item *x = a, *y = b;

	/* "not set" last */
	if (!x->value || !y->value)
		return !x->value && !y->value ? 0 : !x->value ? 1 : -1;
	return strcmp(x->value, y->value);
}

struct count_row {
	const char *value;	/* NULL: the tag is not set */
	size_t n[3];		/* create, update, archive */
};

/* More changes first, then by value. */
static int
cmp_row(const void *a, const void *b)
{
	const struct count_row *x = a, *y = b;
	size_t tx = x->n[0] + x->n[1] + x->n[2], ty = y->n[0] + y->n[1] +
	    y->n[2];

	if (tx != ty)
		return tx > ty ? -1 : 1;
	return strcmp(x->value, y->value);
}

/* The table of changes per value of `key` (a required tag key): sort the
 * (value, action) pairs, count runs, then rank the runs. */
static void
md_counts(struct ps_buf *out, const struct plan *p, const char *key)
{
	struct count_item *items;
	struct count_row *list, unset = { NULL, { 0, 0, 0 } };
	struct tag_set *afters;
	size_t nr = 0, rows = 0, ranked, i, j;

	afters = xcalloc(p->changes_nr + 1, sizeof(*afters));
	items = xcalloc(p->changes_nr + 1, sizeof(*items));
	for (i = 0; i < p->changes_nr; i++) {
		const struct plan_change *c = &p->changes[i];

		switch (c->action) {
		case PLAN_CREATE:
			items[nr].value = tag_set_get(&c->tags, key);
			items[nr++].col = 0;
			break;
		case PLAN_UPDATE:
			plan__tags_after(&afters[i], c);
			items[nr].value = tag_set_get(&afters[i], key);
			items[nr++].col = 1;
			break;
		case PLAN_ARCHIVE:
			items[nr].value = tag_set_get(&c->before.tags, key);
			items[nr++].col = 2;
			break;
		default:
			break;
		}
	}
	if (nr > 1)
		qsort(items, nr, sizeof(*items), cmp_item);
	/* one row per value; the values with the most changes first, so a
	 * cut table still shows where most of the spend moves */
	list = xcalloc(nr + 1, sizeof(*list));
	for (i = 0; i < nr; i = j) {
		struct count_row *r = &list[rows];

		r->value = items[i].value;
		for (j = i; j < nr && cmp_item(&items[i], &items[j]) == 0; j++)
			r->n[items[j].col]++;
		if (r->value)
			rows++;
		else
			unset = *r;	/* sorted last by cmp_item */
	}
	if (rows > 1)
		qsort(list, rows, sizeof(*list), cmp_row);
	/* the changes without the key are shown whatever the cut: for
	 * cost attribution they matter most */
	ranked = rows;
	if (unset.n[0] + unset.n[1] + unset.n[2])
		list[rows++] = unset;
	if (rows > MD_OPEN_MAX) {
		ps_buf_adds(out, "<details><summary>Changes by <b>");
		ps_md_text(out, key, MD_MAX_VALUE);
		ps_buf_addf(out, "</b> (%zu values)</summary>\n\n", rows);
	}
	ps_buf_adds(out, "| ");
	ps_md_text(out, key, MD_MAX_VALUE);
	ps_buf_adds(out, " | Create | Update | Archive |\n"
	    "| --- | ---: | ---: | ---: |\n");
	for (i = 0; i < rows; i++) {
		if (i >= MD_MAX_ROWS && i < ranked)
			continue;
		ps_buf_adds(out, "| ");
		if (list[i].value)
			ps_md_code(out, list[i].value, MD_MAX_VALUE);
		else
			ps_buf_adds(out, "*not set*");
		ps_buf_addf(out, " | %zu | %zu | %zu |\n", list[i].n[0],
		    list[i].n[1], list[i].n[2]);
	}
	if (ranked > MD_MAX_ROWS) {
		ps_buf_addf(out, "\n*%zu more ", ranked - MD_MAX_ROWS);
		ps_md_text(out, key, MD_MAX_VALUE);
		ps_buf_adds(out, " values not shown.*\n");
	}
	ps_buf_adds(out, rows > MD_OPEN_MAX ? "\n</details>\n\n" : "\n");
	for (i = 0; i < p->changes_nr; i++)
		tag_set_release(&afters[i]);
	free(afters);
	free(items);
	free(list);
}

static void
md_change(struct ps_buf *out, const struct plan_change *c)
{
	struct tag_line *lines = NULL;
	size_t i, n = 0;

	ps_buf_adds(out, "- ");
	md_name(out, c->name);
	if (c->id) {
		ps_buf_adds(out, " (");
		ps_md_code(out, c->id, MD_MAX_VALUE);
		ps_buf_addch(out, ')');
	}
	switch (c->action) {
	case PLAN_CREATE:
		for (i = 0; i < c->tags.nr && i < MD_MAX_TAGS; i++) {
			ps_buf_adds(out, i ? ", " : ": ");
			ps_md_text(out, c->tags.items[i].key, MD_MAX_VALUE);
			ps_buf_addch(out, '=');
			ps_md_code(out, c->tags.items[i].value, MD_MAX_VALUE);
		}
		n = c->tags.nr;
		break;
	case PLAN_UPDATE:
		ps_buf_addch(out, ':');
		if (c->rename) {
			ps_buf_adds(out, " renamed from ");
			ps_md_code(out, c->rename_from, MD_MAX_VALUE);
		}
		n = update_lines(&lines, c);
		for (i = 0; i < n && i < MD_MAX_TAGS; i++) {
			ps_buf_adds(out, i || c->rename ? "; " : " ");
			ps_md_text(out, lines[i].key, MD_MAX_VALUE);
			if (lines[i].sym == '~') {
				ps_buf_addch(out, ' ');
				ps_md_code(out, lines[i].old, MD_MAX_VALUE);
				ps_buf_adds(out, " → ");
				ps_md_code(out, lines[i].val, MD_MAX_VALUE);
			} else if (lines[i].sym == '+') {
				ps_buf_adds(out, " added ");
				ps_md_code(out, lines[i].val, MD_MAX_VALUE);
			} else {
				ps_buf_adds(out, " removed (was ");
				ps_md_code(out, lines[i].val, MD_MAX_VALUE);
				ps_buf_addch(out, ')');
			}
		}
		break;
	case PLAN_ARCHIVE:
		ps_buf_adds(out, c->reason == PLAN_REASON_UNMANAGED ?
		    ": not in the inventory (`unmanaged: archive`)" :
		    ": `archived: true` in the inventory");
		break;
	case PLAN_UNMANAGED:
		break;
	}
	if (n > MD_MAX_TAGS)
		ps_buf_addf(out, " *(and %zu more tag changes)*",
		    n - MD_MAX_TAGS);
	ps_buf_addch(out, '\n');
	free(lines);
}

static void
md_notes(struct ps_buf *out, const char *title, char *const *msgs,
    const struct plan_violation *vs, size_t nr)
{
	size_t i;

	ps_buf_addf(out, "%s\n", title);
	for (i = 0; i < nr && i < MD_MAX_NOTES; i++) {
		ps_buf_adds(out, "> - ");
		ps_md_text(out, vs ? vs[i].message : msgs[i], 400);
		if (vs)
			ps_buf_addf(out, " (`%s`)",
			    plan_violation_kind_name(vs[i].kind));
		ps_buf_addch(out, '\n');
	}
	if (nr > MD_MAX_NOTES)
		ps_buf_addf(out, "> - *%zu more not shown*\n", nr - MD_MAX_NOTES);
	ps_buf_addch(out, '\n');
}

/* The marker's PATH: what could end the comment or hide in it is
 * percent-encoded. */
static void
md_marker(struct ps_buf *out, const char *path)
{
	const unsigned char *u;

	ps_buf_adds(out, "<!-- projsync:plan:");
	for (u = (const unsigned char *)path; *u; u++) {
		if (*u <= 0x20 || *u == 0x7f || *u == '%' || *u == '<' ||
		    *u == '>' || (*u == '-' && u[1] == '-'))
			ps_buf_addf(out, "%%%02X", *u);
		else
			ps_buf_addch(out, (char)*u);
	}
	ps_buf_adds(out, " -->\n");
}

/* "host[:port]" of a URL (borrowed span). */
static size_t
url_host(const char *url, const char **host)
{
	const char *s = strstr(url, "://"), *at;
	size_t n;

	s = s ? s + 3 : url;
	n = strcspn(s, "/?#");
	/* never show userinfo (the plan's endpoint has none, but be sure) */
	if ((at = memchr(s, '@', n))) {
		n -= (size_t)(at + 1 - s);
		s = at + 1;
	}
	*host = s;
	return n;
}

static void
md_header(struct ps_buf *out, const struct plan_md_target *t,
    const char *inventory, const char *endpoint, const char *commit)
{
	const char *host;
	char *h;

	md_marker(out, inventory ? inventory : "projects.yaml");
	ps_buf_adds(out, "### projsync plan");
	if (inventory) {
		ps_buf_adds(out, ": ");
		ps_md_code(out, inventory, 200);
	}
	ps_buf_adds(out, "\n\n**Target:** ");
	if (endpoint) {
		size_t n = url_host(endpoint, &host);

		h = xstrndup(host, n);
		ps_md_code(out, h, 200);
		free(h);
	} else {
		ps_buf_adds(out, "endpoint unknown");
	}
	if (t && t->region) {
		ps_buf_adds(out, " · region ");
		ps_md_code(out, t->region, 64);
	}
	if (t && t->account) {
		ps_buf_adds(out, " · account ");
		ps_md_code(out, t->account, 64);
	}
	ps_buf_adds(out, " · inventory commit ");
	if (commit) {
		size_t n = strcspn(commit, "-");

		ps_buf_addf(out, "`%.*s`", (int)(n < 12 ? n : 12), commit);
		if (commit[n])
			ps_buf_adds(out, " with uncommitted changes");
	} else {
		ps_buf_adds(out, "*unknown* (not in a git work tree)");
	}
	ps_buf_adds(out, "\n\n");
}

/* How the plan gets applied: what a reviewer approves by merging. */
static void
md_footer(struct ps_buf *out, const struct plan *p)
{
	ps_buf_adds(out, "---\n<sub>");
	if (!p) {
		ps_buf_adds(out, "Nothing can be applied until `projsync plan` "
		    "succeeds.");
	} else if (plan_total_changes(p) == 0) {
		ps_buf_adds(out, "Nothing to apply: `projsync apply` would make "
		    "no API call.");
	} else {
		ps_buf_adds(out, "Applied by `projsync apply`, which lists the "
		    "account again and makes these changes; a saved plan "
		    "(`projsync plan -o plan.json`, then `projsync apply "
		    "plan.json`) applies exactly these and is refused if the "
		    "account changed since.");
		if (p->summary.archive)
			ps_buf_adds(out, " Archiving is irreversible and needs "
			    "`--allow-archive`.");
		if (p->violations_nr)
			ps_buf_adds(out, plan_has_hard_violation(p) ?
			    " The project limit cannot be overridden." :
			    " The safety checks above need `--force`.");
	}
	ps_buf_adds(out, "</sub>\n");
}

/* `Key`, `Key2` */
static void
md_keys(struct ps_buf *out, char *const *keys, size_t nr)
{
	size_t i;

	for (i = 0; i < nr && i < MD_MAX_ROWS; i++) {
		if (i)
			ps_buf_adds(out, ", ");
		ps_md_code(out, keys[i], 128);
	}
	if (nr > MD_MAX_ROWS)
		ps_buf_addf(out, " *and %zu more*", nr - MD_MAX_ROWS);
}

/* settings.billing.activate_tags: the keys to activate, the ones billing
 * has not seen, the active ones. */
static void
md_billing(struct ps_buf *out, const struct plan *p)
{
	const struct plan_billing *b = &p->billing;
	size_t i;

	if (!b->enabled)
		return;
	ps_buf_adds(out, "#### Cost allocation tags\n\n");
	for (i = 0; i < b->activate_nr && i < MD_MAX_ROWS; i++) {
		ps_buf_adds(out, "- ");
		ps_md_code(out, b->activate[i], 128);
		ps_buf_adds(out, " will be activated\n");
	}
	if (b->activate_nr > MD_MAX_ROWS)
		ps_buf_addf(out, "- *and %zu more to activate*\n",
		    b->activate_nr - MD_MAX_ROWS);
	if (b->unseen_nr) {
		ps_buf_adds(out, "- not seen by billing yet, to activate once "
		    "tagged usage reaches it (up to 24 hours after a project "
		    "carrying it is used): ");
		md_keys(out, b->unseen, b->unseen_nr);
		ps_buf_addch(out, '\n');
	}
	if (b->active_nr) {
		ps_buf_adds(out, "- already active: ");
		md_keys(out, b->active, b->active_nr);
		ps_buf_addch(out, '\n');
	}
	if (!b->activate_nr && !b->unseen_nr && !b->active_nr)
		ps_buf_adds(out, "- the taxonomy declares no tag key\n");
	ps_buf_addch(out, '\n');
}

/* A section: a heading when short, folded in <details> when long. */
static void
md_open(struct ps_buf *out, const char *title, size_t nr)
{
	if (nr > MD_OPEN_MAX)
		ps_buf_addf(out, "<details><summary><b>%s (%zu)</b></summary>"
		    "\n\n", title, nr);
	else
		ps_buf_addf(out, "#### %s (%zu)\n\n", title, nr);
}

static void
md_close(struct ps_buf *out, size_t nr)
{
	ps_buf_adds(out, nr > MD_OPEN_MAX ? "\n</details>\n\n" : "\n");
}

void
plan_render_markdown(struct ps_buf *out, const struct plan *p,
    const struct plan_md_target *t)
{
	static const enum plan_action order[] = { PLAN_CREATE, PLAN_UPDATE,
		PLAN_ARCHIVE, PLAN_UNMANAGED };
	static const char *const heads[] = { "Create", "Update", "Archive",
		"Not in the inventory" };
	const size_t counts[] = { p->summary.create, p->summary.update,
		p->summary.archive, p->summary.unmanaged };
	struct ps_buf item = PS_BUF_INIT;
	size_t start = out->len, shown = 0, total = 0, i, k;
	bool full = false;

	md_header(out, t, t && t->inventory ? t->inventory :
	    p->inventory_path, t && t->endpoint ? t->endpoint : p->endpoint,
	    t && t->commit ? t->commit : p->git_commit);
	ps_buf_adds(out, "**");
	plan_render_summary(out, p);
	ps_buf_addf(out, "** %zu unchanged", p->summary.unchanged);
	if (p->summary.unmanaged)
		ps_buf_addf(out, ", %zu not in the inventory",
		    p->summary.unmanaged);
	ps_buf_adds(out, ".\n\n");
	if (p->violations_nr)
		md_notes(out, plan_has_hard_violation(p) ?
		    "> [!CAUTION]\n> **Safety checks failed.** `apply` will "
		    "refuse this plan; the project limit cannot be overridden." :
		    "> [!CAUTION]\n> **Safety checks failed.** `apply` will "
		    "refuse this plan unless given `--force`.",
		    NULL, p->violations, p->violations_nr);
	if (p->warnings_nr)
		md_notes(out, "> [!WARNING]", p->warnings, NULL,
		    p->warnings_nr);
	/* counts by the taxonomy's required keys: what finance groups by */
	if (plan_change_count(p) > 0 && t)
		for (k = 0; k < t->keys_nr && k < PLAN_MD_MAX_KEYS; k++)
			md_counts(out, p, t->keys[k]);
	for (k = 0; k < PS_ARRAY_SIZE(order); k++) {
		total += counts[k];
		if (!counts[k] || full)
			continue;
		md_open(out, heads[k], counts[k]);
		for (i = 0; i < p->changes_nr; i++) {
			if (p->changes[i].action != order[k])
				continue;
			ps_buf_reset(&item);
			md_change(&item, &p->changes[i]);
			if (out->len - start + item.len + MD_RESERVE >
			    PLAN_MARKDOWN_MAX) {
				full = true;
				break;
			}
			ps_buf_add(out, item.ptr, item.len);
			shown++;
		}
		md_close(out, counts[k]);
	}
	if (shown < total)
		ps_buf_addf(out, "*%zu of %zu entries not shown to keep this "
		    "comment short; run `projsync plan` for the full list.*\n\n",
		    total - shown, total);
	md_billing(out, p);
	md_footer(out, p);
	ps_buf_release(&item);
}

void
plan_render_markdown_failure(struct ps_buf *out,
    const struct plan_md_target *t, const char *title, const char *detail)
{
	md_header(out, t, t ? t->inventory : NULL, t ? t->endpoint : NULL,
	    t ? t->commit : NULL);
	ps_buf_adds(out, "> [!CAUTION]\n> **No plan:** ");
	ps_md_text(out, title, 400);
	ps_buf_adds(out, "\n\n");
	if (detail && *detail) {
		ps_md_code_block(out, detail, MD_DETAIL_MAX);
		ps_buf_addch(out, '\n');
	}
	md_footer(out, NULL);
}
