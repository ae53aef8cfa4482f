/*
 * invdiff: building the semantic difference between two inventories and
 * rendering it (text, markdown, JSON).
 */
#include "invdiff/invdiff.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define C_GREEN		"\033[32m"
#define C_YELLOW	"\033[33m"
#define C_RED		"\033[31m"
#define C_BOLD		"\033[1m"
#define C_RESET		"\033[0m"

#define MD_MAX		60000	/* GitHub's comment limit, with a margin */
#define MD_RESERVE	1000	/* room for the closing note */
#define MD_MAX_VALUE	64	/* code points of a value shown */
#define MD_MAX_TAGS	12	/* tag changes listed per project */

/* ---- building ---- */

struct clist {
	struct invdiff_change *items;
	size_t nr, alloc;
};

static void
add_change(struct clist *l, const char *subject, enum invdiff_vtype type,
    const char *from, const char *to)
{
	struct invdiff_change *c;

	xgrow(&l->items, &l->alloc, l->nr + 1, sizeof(*l->items));
	c = &l->items[l->nr++];
	c->subject = xstrdup(subject);
	c->type = type;
	c->from = xstrdup(from);
	c->to = xstrdup(to);
}

static void
add_str(struct clist *l, const char *subject, const char *from,
    const char *to)
{
	if (from == to || (from && to && !strcmp(from, to)))
		return;
	add_change(l, subject, INVDIFF_V_STR, from, to);
}

static void
add_bool(struct clist *l, const char *subject, bool from, bool to)
{
	if (from != to)
		add_change(l, subject, INVDIFF_V_BOOL, from ? "true" : "false",
		    to ? "true" : "false");
}

static void
add_num(struct clist *l, const char *subject, unsigned from, unsigned to)
{
	char f[16], t[16];

	if (from == to)
		return;
	snprintf(f, sizeof(f), "%u", from);
	snprintf(t, sizeof(t), "%u", to);
	add_change(l, subject, INVDIFF_V_NUM, f, t);
}

/* Key by key through two sorted tag sets. */
static void
diff_tags(struct clist *l, const struct tag_set *a, const struct tag_set *b)
{
	size_t i = 0, j = 0;

	while (i < (a ? a->nr : 0) || j < (b ? b->nr : 0)) {
		int c = i >= (a ? a->nr : 0) ? 1 : j >= (b ? b->nr : 0) ? -1 :
		    strcmp(a->items[i].key, b->items[j].key);

		if (c < 0) {
			add_str(l, a->items[i].key, a->items[i].value, NULL);
			i++;
		} else if (c > 0) {
			add_str(l, b->items[j].key, NULL, b->items[j].value);
			j++;
		} else {
			add_str(l, a->items[i].key, a->items[i].value,
			    b->items[j].value);
			i++;
			j++;
		}
	}
}

static bool
in_list(char *const *v, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(v[i], s))
			return true;
	return false;
}

/* Values removed from a, then values added in b, in their file order. */
static void
diff_sets(struct clist *l, const char *subject, char *const *a, size_t an,
    char *const *b, size_t bn)
{
	size_t i;

	for (i = 0; i < an; i++)
		if (!in_list(b, bn, a[i]) && !in_list(a, i, a[i]))
			add_str(l, subject, a[i], NULL);
	for (i = 0; i < bn; i++)
		if (!in_list(a, an, b[i]) && !in_list(b, i, b[i]))
			add_str(l, subject, NULL, b[i]);
}

static char *
join(char *const *v, size_t n)
{
	struct ps_buf b = PS_BUF_INIT;
	size_t i;

	for (i = 0; i < n; i++)
		ps_buf_addf(&b, "%s%s", i ? ", " : "", v[i]);
	ps_buf_grow(&b, 0);
	return ps_buf_detach(&b);
}

/* A rule in one line: "allowed: A, B; pattern: ^x$" or "any value". */
static char *
describe_rule(const struct inv_tag_rule *r)
{
	struct ps_buf b = PS_BUF_INIT;
	char *v;

	if (r->allowed) {
		v = join(r->allowed, r->allowed_nr);
		ps_buf_addf(&b, "allowed: %s", v);
		free(v);
	}
	if (r->pattern)
		ps_buf_addf(&b, "%spattern: %s", b.len ? "; " : "", r->pattern);
	if (!b.len)
		ps_buf_adds(&b, "any value");
	return ps_buf_detach(&b);
}

static const struct inv_tag_rule *
find_rule(const struct inv_taxonomy *t, const char *key)
{
	size_t i;

	for (i = 0; i < t->tags_nr; i++)
		if (!strcmp(t->tags[i].key, key))
			return &t->tags[i];
	return NULL;
}

static void
diff_rule(struct clist *l, const struct inv_tag_rule *a,
    const struct inv_tag_rule *b)
{
	char *subject, *s1, *s2;

	if (!a || !b) {
		subject = xasprintf("tags.%s", a ? a->key : b->key);
		s1 = a ? describe_rule(a) : NULL;
		s2 = b ? describe_rule(b) : NULL;
		add_str(l, subject, s1, s2);
		free(s1);
		free(s2);
		free(subject);
		return;
	}
	subject = xasprintf("tags.%s.allowed", a->key);
	if (!a->allowed != !b->allowed) {
		/* "any value" ↔ a list: one change, the whole list */
		s1 = a->allowed ? join(a->allowed, a->allowed_nr) : NULL;
		s2 = b->allowed ? join(b->allowed, b->allowed_nr) : NULL;
		add_str(l, subject, s1, s2);
		free(s1);
		free(s2);
	} else if (a->allowed) {
		diff_sets(l, subject, a->allowed, a->allowed_nr, b->allowed,
		    b->allowed_nr);
	}
	free(subject);
	subject = xasprintf("tags.%s.pattern", a->key);
	add_str(l, subject, a->pattern, b->pattern);
	free(subject);
}

static void
diff_taxonomy(struct clist *l, const struct inv_taxonomy *a,
    const struct inv_taxonomy *b)
{
	size_t i;

	diff_sets(l, "required", a->required, a->required_nr, b->required,
	    b->required_nr);
	add_bool(l, "closed", a->closed, b->closed);
	/* Rules in a's order (changed or removed), then b's new ones. */
	for (i = 0; i < a->tags_nr; i++)
		diff_rule(l, &a->tags[i], find_rule(b, a->tags[i].key));
	for (i = 0; i < b->tags_nr; i++)
		if (!find_rule(a, b->tags[i].key))
			diff_rule(l, NULL, &b->tags[i]);
}

static const char *
unmanaged_name(enum inv_unmanaged u)
{
	switch (u) {
	case INV_UNMANAGED_IGNORE:
		return "ignore";
	case INV_UNMANAGED_ARCHIVE:
		return "archive";
	default:
		return "report";
	}
}

static void
diff_settings(struct clist *l, const struct inv_settings *a,
    const struct inv_settings *b)
{
	add_str(l, "region", a->region, b->region);
	add_str(l, "unmanaged", unmanaged_name(a->unmanaged),
	    unmanaged_name(b->unmanaged));
	diff_sets(l, "ignore_tags", a->ignore_tags, a->ignore_tags_nr,
	    b->ignore_tags, b->ignore_tags_nr);
	add_num(l, "project_limit", a->project_limit, b->project_limit);
	add_num(l, "safety.max_changes", a->safety.max_changes,
	    b->safety.max_changes);
	add_num(l, "safety.max_change_percent", a->safety.max_change_percent,
	    b->safety.max_change_percent);
	add_num(l, "safety.min_projects_for_percent",
	    a->safety.min_projects_for_percent,
	    b->safety.min_projects_for_percent);
	add_bool(l, "record", a->record, b->record);
	add_str(l, "name_pattern", a->name_pattern, b->name_pattern);
	add_bool(l, "billing.activate_tags", a->billing.activate_tags,
	    b->billing.activate_tags);
	add_str(l, "billing.profile", a->billing.profile, b->billing.profile);
}

static void
tags_of_list(struct tag_set *out, const struct inv_tag_list *l)
{
	size_t i;

	for (i = 0; i < l->nr; i++)
		tag_set_put(out, l->items[i].key, l->items[i].value);
}

static void
take(struct invdiff_change **items, size_t *nr, struct clist *l)
{
	*items = l->items;
	*nr = l->nr;
	memset(l, 0, sizeof(*l));
}

static struct invdiff_project *
new_pdiff(struct invdiff *d, enum invdiff_pkind kind,
    const struct inv_project *p)
{
	struct invdiff_project *pd;

	xgrow(&d->projects, &d->projects_alloc, d->projects_nr + 1,
	    sizeof(*d->projects));
	pd = &d->projects[d->projects_nr++];
	memset(pd, 0, sizeof(*pd));
	pd->kind = kind;
	pd->name = xstrdup(p->name);
	pd->id = xstrdup(p->id);
	pd->archived = p->archived;
	return pd;
}

static void
diff_pair(struct invdiff *d, const struct inv_project *a,
    const struct inv_project *b)
{
	struct clist attrs = { 0 }, tags = { 0 };
	struct invdiff_project *pd;

	add_str(&attrs, "name", a->name, b->name);
	add_str(&attrs, "id", a->id, b->id);
	add_bool(&attrs, "archived", a->archived, b->archived);
	diff_tags(&tags, &a->tags, &b->tags);
	if (!attrs.nr && !tags.nr)
		return;
	pd = new_pdiff(d, INVDIFF_P_CHANGE, b);
	pd->renamed = strcmp(a->name, b->name) != 0;
	take(&pd->attrs, &pd->attrs_nr, &attrs);
	take(&pd->tags, &pd->tags_nr, &tags);
	d->changed++;
	if (pd->renamed)
		d->renamed++;
}

static void
whole(struct invdiff *d, enum invdiff_pkind kind,
    const struct inv_project *p)
{
	struct clist tags = { 0 };
	struct invdiff_project *pd = new_pdiff(d, kind, p);

	if (kind == INVDIFF_P_ADD) {
		diff_tags(&tags, NULL, &p->tags);
		d->added++;
	} else {
		diff_tags(&tags, &p->tags, NULL);
		d->removed++;
	}
	take(&pd->tags, &pd->tags_nr, &tags);
}

static int
cmp_pdiff(const void *pa, const void *pb)
{
	const struct invdiff_project *a = pa, *b = pb;
	int c = strcmp(a->name, b->name);

	if (c)
		return c;
	return a->kind < b->kind ? -1 : a->kind > b->kind;
}

void
invdiff_new(struct invdiff **out, const struct inventory *a,
    const char *rev_a, const char *commit_a, const struct inventory *b,
    const char *rev_b, const char *commit_b)
{
	struct invdiff *d = xcalloc(1, sizeof(*d));
	struct clist l = { 0 };
	struct tag_set da = TAG_SET_INIT, db = TAG_SET_INIT;
	const struct inv_project **match;
	bool *used;
	size_t i;

	d->from.rev = xstrdup(rev_a);
	d->to.rev = xstrdup(rev_b);
	snprintf(d->from.commit, sizeof(d->from.commit), "%s",
	    commit_a ? commit_a : "");
	snprintf(d->to.commit, sizeof(d->to.commit), "%s",
	    commit_b ? commit_b : "");
	d->from.path = xstrdup(a->path);
	d->to.path = xstrdup(b->path);
	memcpy(d->from.sha256, a->sha256, sizeof(d->from.sha256));
	memcpy(d->to.sha256, b->sha256, sizeof(d->to.sha256));

	/*
	 * Pair b's projects with a's: first by pin (a rename keeps the
	 * pin), then by name unless both sides pin different IDs (then
	 * they are different projects that happen to share a name).
	 */
	match = xcalloc(b->projects_nr + 1, sizeof(*match));
	used = xcalloc(a->projects_nr + 1, sizeof(*used));
	for (i = 0; i < b->projects_nr; i++) {
		const struct inv_project *p = &b->projects[i], *q;

		if (p->id && (q = inventory_find_id(a, p->id)) &&
		    !used[q->index]) {
			match[i] = q;
			used[q->index] = true;
		}
	}
	for (i = 0; i < b->projects_nr; i++) {
		const struct inv_project *p = &b->projects[i], *q;

		if (match[i] || !p->name)
			continue;
		q = inventory_find_name(a, p->name);
		if (q && !used[q->index] && !(q->id && p->id &&
		    strcmp(q->id, p->id))) {
			match[i] = q;
			used[q->index] = true;
		}
	}
	for (i = 0; i < b->projects_nr; i++) {
		if (match[i])
			diff_pair(d, match[i], &b->projects[i]);
		else
			whole(d, INVDIFF_P_ADD, &b->projects[i]);
	}
	for (i = 0; i < a->projects_nr; i++)
		if (!used[i])
			whole(d, INVDIFF_P_REMOVE, &a->projects[i]);
	if (d->projects_nr > 1)
		qsort(d->projects, d->projects_nr, sizeof(*d->projects),
		    cmp_pdiff);
	free(match);
	free(used);

	diff_taxonomy(&l, &a->taxonomy, &b->taxonomy);
	take(&d->taxonomy, &d->taxonomy_nr, &l);
	diff_settings(&l, &a->settings, &b->settings);
	take(&d->settings, &d->settings_nr, &l);
	tags_of_list(&da, &a->defaults);
	tags_of_list(&db, &b->defaults);
	diff_tags(&l, &da, &db);
	take(&d->defaults, &d->defaults_nr, &l);
	tag_set_release(&da);
	tag_set_release(&db);
	*out = d;
}

static void
changes_free(struct invdiff_change *c, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++) {
		free(c[i].subject);
		free(c[i].from);
		free(c[i].to);
	}
	free(c);
}

void
invdiff_free(struct invdiff *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->projects_nr; i++) {
		free(d->projects[i].name);
		free(d->projects[i].id);
		changes_free(d->projects[i].attrs, d->projects[i].attrs_nr);
		changes_free(d->projects[i].tags, d->projects[i].tags_nr);
	}
	free(d->projects);
	changes_free(d->taxonomy, d->taxonomy_nr);
	changes_free(d->settings, d->settings_nr);
	changes_free(d->defaults, d->defaults_nr);
	free(d->from.rev);
	free(d->to.rev);
	free(d->from.path);
	free(d->to.path);
	free(d);
}

bool
invdiff_empty(const struct invdiff *d)
{
	return !d->projects_nr && !d->taxonomy_nr && !d->settings_nr &&
	    !d->defaults_nr;
}

/* ---- summary ---- */

static void
count(struct ps_buf *out, const char *what, size_t n)
{
	if (n)
		ps_buf_addf(out, " %s: %zu change%s.", what, n,
		    n == 1 ? "" : "s");
}

void
invdiff_summary(struct ps_buf *out, const struct invdiff *d)
{
	if (invdiff_empty(d)) {
		ps_buf_adds(out, "No changes. The inventories are equivalent.");
		return;
	}
	ps_buf_addf(out, "Projects: %zu added, %zu removed, %zu changed",
	    d->added, d->removed, d->changed);
	if (d->renamed)
		ps_buf_addf(out, " (%zu renamed)", d->renamed);
	ps_buf_addch(out, '.');
	count(out, "Taxonomy", d->taxonomy_nr);
	count(out, "Settings", d->settings_nr);
	count(out, "Defaults", d->defaults_nr);
}

/* ---- text ---- */

static void
quote(struct ps_buf *out, const char *s, enum invdiff_vtype type)
{
	if (!s) {
		ps_buf_adds(out, "null");
		return;
	}
	if (type != INVDIFF_V_STR) {
		ps_buf_add_printable(out, s, 0);	/* lists hold values */
		return;
	}
	ps_buf_add_quoted(out, s);
}

/* Display width of a key: code points, good enough for alignment. */
static size_t
width(const char *s)
{
	long n = ps_utf8_len(s, strlen(s));

	return n < 0 ? strlen(s) : (size_t)n;
}

static char
sym(const struct invdiff_change *c)
{
	return !c->from ? '+' : !c->to ? '-' : '~';
}

static const char *
sym_color(char s)
{
	return s == '+' ? C_GREEN : s == '-' ? C_RED : C_YELLOW;
}

/* "<indent>~ key = "a" -> "b"", keys padded to the widest. */
static void
text_changes(struct ps_buf *out, const struct invdiff_change *const *v,
    size_t n, const char *indent, bool color)
{
	struct ps_buf subj = PS_BUF_INIT;
	size_t i, w = 0;

	/* subjects name tag keys from the file: escaped */
	for (i = 0; i < n; i++) {
		ps_buf_reset(&subj);
		ps_buf_add_printable(&subj, v[i]->subject, 0);
		if (width(subj.ptr) > w)
			w = width(subj.ptr);
	}
	for (i = 0; i < n; i++) {
		char s = sym(v[i]);

		ps_buf_reset(&subj);
		ps_buf_add_printable(&subj, v[i]->subject, 0);
		ps_buf_addf(out, "%s%s%c%s %s%*s = ", indent,
		    color ? sym_color(s) : "", s, color ? C_RESET : "",
		    subj.ptr, (int)(w - width(subj.ptr)), "");
		if (s == '~') {
			quote(out, v[i]->from, v[i]->type);
			ps_buf_adds(out, " -> ");
		}
		quote(out, s == '-' ? v[i]->from : v[i]->to, v[i]->type);
		ps_buf_addch(out, '\n');
	}
	ps_buf_release(&subj);
}

static void
text_list(struct ps_buf *out, const char *title,
    const struct invdiff_change *c, size_t n, bool color)
{
	const struct invdiff_change **v;
	size_t i;

	if (!n)
		return;
	v = xcalloc(n, sizeof(*v));
	for (i = 0; i < n; i++)
		v[i] = &c[i];
	ps_buf_addf(out, "%s%s:%s\n", color ? C_BOLD : "", title,
	    color ? C_RESET : "");
	text_changes(out, v, n, "  ", color);
	ps_buf_addch(out, '\n');
	free(v);
}

static void
text_project(struct ps_buf *out, const struct invdiff_project *p, bool color)
{
	static const char syms[] = { '+', '-', '~' };
	static const char *const verbs[] = { "added", "removed", "changed" };
	const struct invdiff_change **v;
	char s = syms[p->kind];
	size_t i, n = 0;

	ps_buf_addf(out, "  %s%c%s ", color ? sym_color(s) : "", s,
	    color ? C_RESET : "");
	quote(out, p->name, INVDIFF_V_STR);
	if (p->id) {
		ps_buf_adds(out, " (");
		ps_buf_add_printable(out, p->id, 0);
		ps_buf_addch(out, ')');
	}
	ps_buf_addf(out, " %s%s\n", verbs[p->kind], p->kind == INVDIFF_P_ADD &&
	    p->archived ? " as archived" : "");
	if (p->kind == INVDIFF_P_REMOVE)
		return;	/* its tags are gone with it; JSON lists them */
	v = xcalloc(p->attrs_nr + p->tags_nr + 1, sizeof(*v));
	for (i = 0; i < p->attrs_nr; i++)
		v[n++] = &p->attrs[i];
	for (i = 0; i < p->tags_nr; i++)
		v[n++] = &p->tags[i];
	text_changes(out, v, n, "      ", color);
	free(v);
}

/* A revision given as a commit id (or a merge base) needs no repeat. */
static bool
rev_is_id(const struct invdiff_side *s)
{
	size_t n = strlen(s->rev);

	return n >= 7 && !strncmp(s->rev, s->commit, n);
}

static void
side_label(struct ps_buf *out, const struct invdiff_side *s)
{
	if (rev_is_id(s))
		ps_buf_addf(out, "%.7s", s->commit);
	else
		ps_buf_addf(out, "%s (%.7s)", s->rev, s->commit);
}

void
invdiff_render_text(struct ps_buf *out, const struct invdiff *d,
    unsigned flags)
{
	bool color = flags & INVDIFF_RENDER_COLOR;
	size_t i;

	ps_buf_adds(out, "Comparing '");
	ps_buf_add_printable(out, d->to.path, 0);
	ps_buf_adds(out, "' at ");
	side_label(out, &d->from);
	ps_buf_adds(out, " and ");
	side_label(out, &d->to);
	ps_buf_adds(out, ".\n\n");
	if (d->projects_nr) {
		ps_buf_addf(out, "%sProjects:%s\n", color ? C_BOLD : "",
		    color ? C_RESET : "");
		for (i = 0; i < d->projects_nr; i++)
			text_project(out, &d->projects[i], color);
		ps_buf_addch(out, '\n');
	}
	text_list(out, "Taxonomy", d->taxonomy, d->taxonomy_nr, color);
	text_list(out, "Settings", d->settings, d->settings_nr, color);
	text_list(out, "Defaults (tags merged under every project)",
	    d->defaults, d->defaults_nr, color);
	invdiff_summary(out, d);
	ps_buf_addch(out, '\n');
}

/* ---- markdown ---- */

/* "subject `a` → `b`", "subject added `b`", "subject removed (was `a`)" */
static void
md_change(struct ps_buf *out, const struct invdiff_change *c)
{
	ps_md_text(out, c->subject, MD_MAX_VALUE);
	switch (sym(c)) {
	case '~':
		ps_buf_addch(out, ' ');
		ps_md_code(out, c->from, MD_MAX_VALUE);
		ps_buf_adds(out, " → ");
		ps_md_code(out, c->to, MD_MAX_VALUE);
		break;
	case '+':
		ps_buf_adds(out, " added ");
		ps_md_code(out, c->to, MD_MAX_VALUE);
		break;
	default:
		ps_buf_adds(out, " removed (was ");
		ps_md_code(out, c->from, MD_MAX_VALUE);
		ps_buf_addch(out, ')');
		break;
	}
}

static void
md_project(struct ps_buf *out, const struct invdiff_project *p)
{
	size_t i, n = 0;

	ps_buf_adds(out, "- ");
	ps_md_bold(out, p->name, MD_MAX_VALUE);
	if (p->id) {
		ps_buf_adds(out, " (");
		ps_md_code(out, p->id, MD_MAX_VALUE);
		ps_buf_addch(out, ')');
	}
	if (p->kind == INVDIFF_P_ADD) {
		if (p->archived)
			ps_buf_adds(out, " *(archived)*");
		for (i = 0; i < p->tags_nr && i < MD_MAX_TAGS; i++) {
			ps_buf_adds(out, i ? ", " : ": ");
			ps_md_text(out, p->tags[i].subject, MD_MAX_VALUE);
			ps_buf_addch(out, '=');
			ps_md_code(out, p->tags[i].to, MD_MAX_VALUE);
		}
		n = p->tags_nr;
	} else if (p->kind == INVDIFF_P_CHANGE) {
		ps_buf_addch(out, ':');
		for (i = 0; i < p->attrs_nr; i++) {
			ps_buf_adds(out, i ? "; " : " ");
			if (!strcmp(p->attrs[i].subject, "name")) {
				ps_buf_adds(out, "renamed from ");
				ps_md_code(out, p->attrs[i].from, MD_MAX_VALUE);
			} else
				md_change(out, &p->attrs[i]);
		}
		for (i = 0; i < p->tags_nr && i < MD_MAX_TAGS; i++) {
			ps_buf_adds(out, i || p->attrs_nr ? "; " : " ");
			md_change(out, &p->tags[i]);
		}
		n = p->tags_nr;
	}
	if (n > MD_MAX_TAGS)
		ps_buf_addf(out, " *(and %zu more tag changes)*",
		    n - MD_MAX_TAGS);
	ps_buf_addch(out, '\n');
}

static void
md_side(struct ps_buf *out, const struct invdiff_side *s)
{
	if (rev_is_id(s)) {
		ps_buf_addf(out, "`%.7s`", s->commit);
		return;
	}
	ps_md_code(out, s->rev, MD_MAX_VALUE);
	ps_buf_addf(out, " (`%.7s`)", s->commit);
}

void
invdiff_render_markdown(struct ps_buf *out, const struct invdiff *d)
{
	static const enum invdiff_pkind order[] = { INVDIFF_P_ADD,
		INVDIFF_P_CHANGE, INVDIFF_P_REMOVE };
	static const char *const heads[] = { "Added", "Removed", "Changed" };
	const size_t counts[] = { d->added, d->removed, d->changed };
	const struct {
		const char *head;
		const struct invdiff_change *c;
		size_t n;
	} lists[] = {
		{ "Taxonomy", d->taxonomy, d->taxonomy_nr },
		{ "Settings", d->settings, d->settings_nr },
		{ "Defaults (tags merged under every project)", d->defaults,
		    d->defaults_nr },
	};
	struct ps_buf item = PS_BUF_INIT;
	size_t start = out->len, shown = 0, total = 0, i, k;
	bool full = false;

	ps_buf_adds(out, "### projsync diff\n\n**");
	invdiff_summary(out, d);
	ps_buf_adds(out, "**\n\n");
	ps_md_code(out, d->to.path, MD_MAX_VALUE);
	ps_buf_adds(out, " from ");
	md_side(out, &d->from);
	ps_buf_adds(out, " to ");
	md_side(out, &d->to);
	ps_buf_adds(out, ".\n\n");

	/* Settings and taxonomy first: short, and they matter to every
	 * project; then the projects, cut when the comment gets long. */
	for (k = 0; k < PS_ARRAY_SIZE(lists); k++) {
		total += lists[k].n;
		if (!lists[k].n)
			continue;
		ps_buf_addf(out, "#### %s (%zu)\n\n", lists[k].head,
		    lists[k].n);
		for (i = 0; i < lists[k].n && !full; i++) {
			ps_buf_reset(&item);
			ps_buf_adds(&item, "- ");
			md_change(&item, &lists[k].c[i]);
			ps_buf_addch(&item, '\n');
			if (out->len - start + item.len + MD_RESERVE > MD_MAX) {
				full = true;
				break;
			}
			ps_buf_add(out, item.ptr, item.len);
			shown++;
		}
		ps_buf_addch(out, '\n');
	}
	for (k = 0; k < PS_ARRAY_SIZE(order); k++) {
		total += counts[order[k]];
		if (!counts[order[k]] || full)
			continue;
		ps_buf_addf(out, "#### %s (%zu)\n\n", heads[order[k]],
		    counts[order[k]]);
		for (i = 0; i < d->projects_nr; i++) {
			if (d->projects[i].kind != order[k])
				continue;
			ps_buf_reset(&item);
			md_project(&item, &d->projects[i]);
			if (out->len - start + item.len + MD_RESERVE > MD_MAX) {
				full = true;
				break;
			}
			ps_buf_add(out, item.ptr, item.len);
			shown++;
		}
		ps_buf_addch(out, '\n');
	}
	if (shown < total)
		ps_buf_addf(out, "*%zu of %zu entries not shown to keep this "
		    "comment short; run `projsync diff` for the full list.*\n",
		    total - shown, total);
	ps_buf_release(&item);
}

/* ---- JSON ---- */

static cJSON *
json_value(const char *v, enum invdiff_vtype type)
{
	if (!v)
		return cJSON_CreateNull();
	if (type == INVDIFF_V_BOOL)
		return cJSON_CreateBool(!strcmp(v, "true"));
	if (type == INVDIFF_V_NUM)
		return cJSON_CreateNumber(strtod(v, NULL));
	return cJSON_CreateString(v);
}

static cJSON *
json_changes(const struct invdiff_change *c, size_t n, const char *keyname)
{
	cJSON *arr = cJSON_CreateArray(), *o;
	size_t i;

	for (i = 0; i < n; i++) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, keyname, c[i].subject);
		cJSON_AddItemToObject(o, "from", json_value(c[i].from,
		    c[i].type));
		cJSON_AddItemToObject(o, "to", json_value(c[i].to, c[i].type));
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

static cJSON *
json_side(const struct invdiff_side *s)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "rev", s->rev);
	cJSON_AddStringToObject(o, "commit", s->commit);
	cJSON_AddStringToObject(o, "path", s->path);
	cJSON_AddStringToObject(o, "sha256", s->sha256);
	return o;
}

static const struct invdiff_change *
find_attr(const struct invdiff_project *p, const char *subject)
{
	size_t i;

	for (i = 0; i < p->attrs_nr; i++)
		if (!strcmp(p->attrs[i].subject, subject))
			return &p->attrs[i];
	return NULL;
}

void
invdiff_render_json(struct ps_buf *out, const struct invdiff *d)
{
	static const char *const kinds[] = { "add", "remove", "change" };
	cJSON *doc = cJSON_CreateObject(), *sum, *arr, *o;
	const struct invdiff_change *c;
	size_t i;

	cJSON_AddNumberToObject(doc, "format_version", 1);
	cJSON_AddItemToObject(doc, "from", json_side(&d->from));
	cJSON_AddItemToObject(doc, "to", json_side(&d->to));
	sum = cJSON_AddObjectToObject(doc, "summary");
	cJSON_AddBoolToObject(sum, "changes", !invdiff_empty(d));
	cJSON_AddNumberToObject(sum, "added", (double)d->added);
	cJSON_AddNumberToObject(sum, "removed", (double)d->removed);
	cJSON_AddNumberToObject(sum, "changed", (double)d->changed);
	cJSON_AddNumberToObject(sum, "renamed", (double)d->renamed);
	cJSON_AddNumberToObject(sum, "taxonomy", (double)d->taxonomy_nr);
	cJSON_AddNumberToObject(sum, "settings", (double)d->settings_nr);
	cJSON_AddNumberToObject(sum, "defaults", (double)d->defaults_nr);
	arr = cJSON_AddArrayToObject(doc, "projects");
	for (i = 0; i < d->projects_nr; i++) {
		const struct invdiff_project *p = &d->projects[i];

		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "change", kinds[p->kind]);
		cJSON_AddStringToObject(o, "name", p->name);
		ps_json_add_str(o, "id", p->id);
		cJSON_AddBoolToObject(o, "archived", p->archived);
		if (p->kind == INVDIFF_P_CHANGE) {
			/* the old values, null when they did not change */
			c = find_attr(p, "name");
			ps_json_add_str(o, "renamed_from", c ? c->from :
			    NULL);
			c = find_attr(p, "id");
			cJSON_AddBoolToObject(o, "id_changed", c != NULL);
			ps_json_add_str(o, "id_from", c ? c->from : NULL);
			c = find_attr(p, "archived");
			if (c)
				cJSON_AddBoolToObject(o, "archived_from",
				    !strcmp(c->from, "true"));
			else
				cJSON_AddNullToObject(o, "archived_from");
		}
		cJSON_AddItemToObject(o, "tags", json_changes(p->tags,
		    p->tags_nr, "key"));
		cJSON_AddItemToArray(arr, o);	/* arr owns o */
	}
	cJSON_AddItemToObject(doc, "taxonomy", json_changes(d->taxonomy,
	    d->taxonomy_nr, "subject"));
	cJSON_AddItemToObject(doc, "settings", json_changes(d->settings,
	    d->settings_nr, "subject"));
	cJSON_AddItemToObject(doc, "defaults", json_changes(d->defaults,
	    d->defaults_nr, "key"));
	ps_json_render(out, doc);
	cJSON_Delete(doc);
}
