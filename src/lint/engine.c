/*
 * lint: the rule engine.  lint_run() collects findings from the loader,
 * from policy_validate(), from the inventory rules below, from a tag
 * policy and from a live state, then applies `lint_ignore` suppressions
 * (marking, never dropping), sorts and de-duplicates.
 *
 * Everything is linear in the inventory's size: tags and values are
 * grouped through hash maps first and only distinct values are compared,
 * so 1,000 projects lint in a few milliseconds.
 */
#include "lint/lint_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "policy/policy.h"

#define LINT_MAX_FINDINGS 100000

struct extent {
	const char *file;
	unsigned l0, c0, l1, c1;
	const struct inv_project *proj;
};

struct supp {
	const struct inv_suppression *s;
	const struct inv_project *proj;	/* NULL: top level */
	bool active, used;
};

struct lctx {
	struct lint_report *r;
	const struct inventory *inv;
	const struct lint_options *opts;
	char today[11];
	struct extent *ext;
	size_t ext_nr, ext_alloc;
	struct supp *supp;
	size_t supp_nr, supp_alloc;
	const char **rule_ids;		/* lint's catalogue, NULL-ended */
	/* taxonomy keys: declared under tags, then required (may repeat) */
	const char **known;
	size_t known_nr;
};

/* ---- findings ---- */

static void
finding_release(struct lint_finding *f)
{
	free(f->file);
	free(f->msg);
	free(f->live_id);
	free(f->live_arn);
	free(f->live_name);
	free(f->suppress_reason);
	free(f->suppress_until);
}

void
lint_report_release(struct lint_report *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->nr; i++)
		finding_release(&r->items[i]);
	free(r->items);
	memset(r, 0, sizeof(*r));
}

void
lint_report_merge(struct lint_report *dst, struct lint_report *src)
{
	xgrow(&dst->items, &dst->alloc, dst->nr + src->nr, sizeof(*dst->items));
	if (src->nr)
		memcpy(dst->items + dst->nr, src->items,
		    src->nr * sizeof(*src->items));
	dst->nr += src->nr;
	dst->errors += src->errors;
	dst->warnings += src->warnings;
	dst->notes += src->notes;
	dst->suppressed += src->suppressed;
	dst->dropped += src->dropped;
	dst->projects += src->projects;
	free(src->items);
	memset(src, 0, sizeof(*src));
}

bool
lint_report_fails(const struct lint_report *r, bool fail_on_warning)
{
	return r->errors > 0 || (fail_on_warning && r->warnings > 0);
}

static void
suppress(struct lctx *c, struct lint_finding *f, const struct inv_project *proj)
{
	size_t i;

	/* YAML, structure and AWS limits cannot be waived (the API would
	 * refuse them anyway); policy decides for validate's rules */
	if (!policy_rule_suppressible(f->rule))
		return;
	/* a project's own entries first, then the top level */
	for (i = 0; i < c->supp_nr; i++) {
		struct supp *s = &c->supp[i];
		if (!s->active || !s->proj || s->proj != proj ||
		    !policy_suppression_matches(s->s, f->rule))
			continue;
		goto hit;
	}
	for (i = 0; i < c->supp_nr; i++) {
		struct supp *s = &c->supp[i];
		if (!s->active || s->proj ||
		    !policy_suppression_matches(s->s, f->rule))
			continue;
		goto hit;
	}
	return;
hit:
	c->supp[i].used = true;
	f->suppressed = true;
	f->suppress_reason = xstrdup(c->supp[i].s->reason);
	f->suppress_until = xstrdup(c->supp[i].s->until);
}

/* Append a finding; msg is moved into it.  NULL past the limit. */
static struct lint_finding *
new_finding(struct lctx *c, const char *rule, enum diag_level level,
    const char *file, unsigned line, unsigned col, char *msg)
{
	struct lint_report *r = c->r;
	struct lint_finding *f;

	if (r->nr >= LINT_MAX_FINDINGS) {
		r->dropped++;
		free(msg);
		return NULL;
	}
	xgrow(&r->items, &r->alloc, r->nr + 1, sizeof(*r->items));
	f = &r->items[r->nr++];
	memset(f, 0, sizeof(*f));
	f->rule = rule;
	f->level = level;
	f->file = xstrdup(file);
	f->line = line;
	f->col = col;
	f->msg = msg;
	return f;
}

/* A finding in the inventory, about proj (NULL: not about one project). */
static void PS_PRINTF(6, 7)
add(struct lctx *c, const char *rule, const struct inv_project *proj,
    const struct inv_pos *pos, const char *fallback_file, const char *fmt, ...)
{
	const struct lint_rule *lr = lint_rule_find(rule);
	struct lint_finding *f;
	va_list ap;

	va_start(ap, fmt);
	f = new_finding(c, rule, lr ? lr->level : DIAG_ERROR,
	    pos && pos->file ? pos->file : fallback_file,
	    pos ? pos->line : 0, pos ? pos->col : 0, xvasprintf(fmt, ap));
	va_end(ap);
	if (f)
		suppress(c, f, proj);
}

/* Same with an explicit level (a rule's findings may differ). */
static void PS_PRINTF(6, 7)
add_level(struct lctx *c, const char *rule, enum diag_level level,
    const struct inv_project *proj, const struct inv_pos *pos,
    const char *fmt, ...)
{
	struct lint_finding *f;
	va_list ap;

	va_start(ap, fmt);
	f = new_finding(c, rule, level,
	    pos && pos->file ? pos->file : c->inv->path,
	    pos ? pos->line : 0, pos ? pos->col : 0, xvasprintf(fmt, ap));
	va_end(ap);
	if (f)
		suppress(c, f, proj);
}

/* A finding about a live project; managed is its inventory entry. */
static void PS_PRINTF(5, 6)
add_live(struct lctx *c, const char *rule, const struct live_project *lp,
    const struct inv_project *managed, const char *fmt, ...)
{
	const struct lint_rule *lr = lint_rule_find(rule);
	struct lint_finding *f;
	struct ps_buf msg = PS_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	ps_buf_vaddf(&msg, fmt, ap);
	va_end(ap);
	if (managed)
		ps_buf_addf(&msg, " (managed in the inventory as '%s')",
		    managed->name ? managed->name : "");
	f = new_finding(c, rule, lr ? lr->level : DIAG_ERROR, NULL, 0, 0,
	    ps_buf_detach(&msg));
	if (!f)
		return;
	f->live_id = xstrdup(lp->id);
	f->live_arn = xstrdup(lp->arn);
	f->live_name = xstrdup(lp->name);
	suppress(c, f, managed);
}

/* ---- attributing validate's findings to projects ---- */

static int
pos_cmp(unsigned l0, unsigned c0, unsigned l1, unsigned c1)
{
	if (l0 != l1)
		return l0 < l1 ? -1 : 1;
	return c0 < c1 ? -1 : c0 > c1;
}

static void
extent_widen(struct extent *e, const struct inv_pos *p)
{
	if (!p->file || !p->line || strcmp(p->file, e->file))
		return;
	if (pos_cmp(p->line, p->col, e->l1, e->c1) > 0)
		e->l1 = p->line, e->c1 = p->col;
}

static int
extent_cmp(const void *pa, const void *pb)
{
	const struct extent *a = pa, *b = pb;
	int x = strcmp(a->file, b->file);

	return x ? x : pos_cmp(a->l0, a->c0, b->l0, b->c0);
}

static void
build_extents(struct lctx *c)
{
	size_t i, j;

	for (i = 0; i < c->inv->projects_nr; i++) {
		const struct inv_project *p = &c->inv->projects[i];
		struct extent e;

		if (!p->pos.file || !p->pos.line)
			continue;
		e.file = p->pos.file;
		e.l0 = e.l1 = p->pos.line;
		e.c0 = e.c1 = p->pos.col;
		e.proj = p;
		extent_widen(&e, &p->name_pos);
		extent_widen(&e, &p->id_pos);
		for (j = 0; j < p->own_tags.nr; j++) {
			extent_widen(&e, &p->own_tags.items[j].key_pos);
			extent_widen(&e, &p->own_tags.items[j].value_pos);
		}
		for (j = 0; j < p->lint_ignore.nr; j++)
			extent_widen(&e, &p->lint_ignore.items[j].pos);
		/* the rest of the last line belongs to it too */
		e.c1 = ~0u;
		xgrow(&c->ext, &c->ext_alloc, c->ext_nr + 1, sizeof(*c->ext));
		c->ext[c->ext_nr++] = e;
	}
	if (c->ext_nr > 1)
		qsort(c->ext, c->ext_nr, sizeof(*c->ext), extent_cmp);
}

static const struct inv_project *
project_at(const struct lctx *c, const char *file, unsigned line, unsigned col)
{
	size_t lo = 0, hi = c->ext_nr;
	const struct extent *e;

	if (!file || !line)
		return NULL;
	/* the last extent starting at or before (file, line, col) */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct extent *m = &c->ext[mid];
		int x = strcmp(m->file, file);
		if (!x)
			x = pos_cmp(m->l0, m->c0, line, col);
		if (x <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	e = &c->ext[lo - 1];
	if (strcmp(e->file, file) || pos_cmp(line, col, e->l1, e->c1) > 0)
		return NULL;
	return e->proj;
}

static void
take_diags(struct lctx *c, const struct diag_list *dl)
{
	size_t i;

	if (!dl)
		return;
	for (i = 0; i < dl->nr; i++) {
		const struct diag *d = &dl->items[i];
		struct lint_finding *f;

		f = new_finding(c, d->rule, d->level,
		    d->file, d->line, d->col, xstrdup(d->msg));
		if (f)
			suppress(c, f, project_at(c, d->file, d->line, d->col));
	}
	c->r->dropped += dl->dropped;
}

/* ---- suppressions ---- */

static void
build_rule_ids(struct lctx *c)
{
	const struct lint_rule *rules;
	size_t nr, i;

	rules = lint_rules(&nr);
	c->rule_ids = xcalloc(nr + 1, sizeof(*c->rule_ids));
	for (i = 0; i < nr; i++)
		c->rule_ids[i] = rules[i].id;
}

static void
take_suppression(struct lctx *c, const struct inv_suppression *s,
    const struct inv_project *proj)
{
	struct supp e = { s, proj, false, false };
	const char *problem;
	char *msg;

	problem = policy_suppression_check(s, c->today,
	    (const char *const *)c->rule_ids, &msg);
	if (problem)
		add(c, problem, proj, &s->pos, c->inv->path, "%s", msg);
	else
		e.active = true;
	free(msg);
	xgrow(&c->supp, &c->supp_alloc, c->supp_nr + 1, sizeof(*c->supp));
	c->supp[c->supp_nr++] = e;
}

static void
take_suppressions(struct lctx *c)
{
	const struct inventory *inv = c->inv;
	size_t i, j;

	for (i = 0; i < inv->lint_ignore.nr; i++)
		take_suppression(c, &inv->lint_ignore.items[i], NULL);
	for (i = 0; i < inv->projects_nr; i++)
		for (j = 0; j < inv->projects[i].lint_ignore.nr; j++)
			take_suppression(c, &inv->projects[i].lint_ignore.items[j],
			    &inv->projects[i]);
}

static void
unused_suppressions(struct lctx *c)
{
	size_t i;

	for (i = 0; i < c->supp_nr; i++) {
		const struct supp *s = &c->supp[i];
		if (!s->active || s->used)
			continue;
		if (s->proj)
			add(c, "unused-suppression", s->proj, &s->s->pos,
			    c->inv->path, "lint_ignore for '%s' on project '%s' "
			    "matched no finding", s->s->rule, s->proj->name);
		else
			add(c, "unused-suppression", NULL, &s->s->pos,
			    c->inv->path, "lint_ignore for '%s' matched no "
			    "finding", s->s->rule);
	}
}

/* ---- helpers on tags ---- */

static bool
active(const struct inv_project *p)
{
	return !p->archived;
}

static const struct inv_tag *
find_tag(const struct inv_tag_list *l, const char *key)
{
	size_t i;

	for (i = 0; i < l->nr; i++)
		if (l->items[i].key && strcmp(l->items[i].key, key) == 0)
			return &l->items[i];
	return NULL;
}

/* Where a project's effective tag was written: its own, else defaults. */
static const struct inv_tag *
tag_source(const struct lctx *c, const struct inv_project *p, const char *key,
    bool *own)
{
	const struct inv_tag *t = find_tag(&p->own_tags, key);

	*own = t != NULL;
	return t ? t : find_tag(&c->inv->defaults, key);
}

static const char *
known_exact(const struct lctx *c, const char *k)
{
	size_t i;

	for (i = 0; i < c->known_nr; i++)
		if (strcmp(c->known[i], k) == 0)
			return c->known[i];
	return NULL;
}

static const char *
known_nocase(const struct lctx *c, const char *k)
{
	size_t i;

	for (i = 0; i < c->known_nr; i++)
		if (strcasecmp(c->known[i], k) == 0)
			return c->known[i];
	return NULL;
}

static const struct inv_tag_rule *
tax_rule(const struct inventory *inv, const char *key)
{
	size_t i;

	for (i = 0; i < inv->taxonomy.tags_nr; i++)
		if (strcmp(inv->taxonomy.tags[i].key, key) == 0)
			return &inv->taxonomy.tags[i];
	return NULL;
}

static void
build_known(struct lctx *c)
{
	const struct inv_taxonomy *t = &c->inv->taxonomy;
	size_t i;

	c->known = xcalloc(t->tags_nr + t->required_nr + 1, sizeof(*c->known));
	for (i = 0; i < t->tags_nr; i++)
		c->known[c->known_nr++] = t->tags[i].key;
	for (i = 0; i < t->required_nr; i++)
		c->known[c->known_nr++] = t->required[i];
}

/* Leading or trailing white space, ASCII or the usual Unicode spaces. */
static size_t
space_at(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;

	if (len >= 1 && (u[0] == ' ' || u[0] == '\t' || u[0] == '\n' ||
	    u[0] == '\r' || u[0] == '\v' || u[0] == '\f'))
		return 1;
	if (len >= 2 && u[0] == 0xc2 && u[1] == 0xa0)		/* NBSP */
		return 2;
	if (len >= 3 && u[0] == 0xe2 && u[1] == 0x80 &&
	    ((u[2] >= 0x80 && u[2] <= 0x8b) || u[2] == 0xaf))	/* U+2000.. */
		return 3;
	if (len >= 3 && ((u[0] == 0xe3 && u[1] == 0x80 && u[2] == 0x80) ||
	    (u[0] == 0xe2 && u[1] == 0x81 && u[2] == 0x9f) ||
	    (u[0] == 0xef && u[1] == 0xbb && u[2] == 0xbf)))
		return 3;
	return 0;
}

static bool
space_before_end(const char *s, size_t len)
{
	size_t i;

	if (!len)
		return false;
	for (i = len > 3 ? len - 3 : 0; i < len; i++) {
		size_t n = space_at(s + i, len - i);
		if (n && i + n == len)
			return true;
	}
	return false;
}

static const char *
edge_space(const char *s)
{
	size_t len = strlen(s);
	bool lead = space_at(s, len) > 0, trail = space_before_end(s, len);

	if (lead && trail)
		return "leading and trailing";
	return lead ? "leading" : trail ? "trailing" : NULL;
}

/* ---- per-occurrence key and value rules ---- */

struct spelling {
	const char *key;	/* borrowed from the inventory */
	char *lower;
	size_t count;		/* active projects using it */
	size_t group;
	bool reported;		/* undeclared-tag-key: once per key */
};

struct key_stats {
	struct spelling *sp;
	size_t nr, alloc;
	struct lint__map by_key, by_lower;	/* → spelling index */
	/* canonical spelling per lower-case group: index into sp */
	size_t *canon;
	size_t *gsize;		/* spellings per group */
};

static char *
ascii_lower(const char *s)
{
	char *d = xstrdup(s), *p;

	for (p = d; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return d;
}

static void
key_stats_build(struct lctx *c, struct key_stats *ks)
{
	const struct inventory *inv = c->inv;
	size_t i, j, ngroups = 0;

	for (i = 0; i < inv->projects_nr; i++) {
		const struct inv_project *p = &inv->projects[i];
		if (!active(p))
			continue;
		for (j = 0; j < p->tags.nr; j++) {
			const char *k = p->tags.items[j].key;
			bool fresh;
			size_t *slot = lint__map_put(&ks->by_key, k, ks->nr, &fresh);
			if (fresh) {
				struct spelling *s;
				size_t *g;
				bool gfresh;
				xgrow(&ks->sp, &ks->alloc, ks->nr + 1,
				    sizeof(*ks->sp));
				s = &ks->sp[ks->nr];
				memset(s, 0, sizeof(*s));
				s->key = k;
				s->lower = ascii_lower(k);
				g = lint__map_put(&ks->by_lower, s->lower, ngroups,
				    &gfresh);
				if (gfresh)
					ngroups++;
				s->group = *g;
				ks->nr++;
			}
			ks->sp[*slot].count++;
		}
	}
	/* the canonical spelling per group: the most used, then the first */
	ks->canon = xcalloc(ngroups + 1, sizeof(*ks->canon));
	ks->gsize = xcalloc(ngroups + 1, sizeof(*ks->gsize));
	for (i = 0; i < ngroups; i++)
		ks->canon[i] = (size_t)-1;
	for (i = 0; i < ks->nr; i++) {
		size_t g = ks->sp[i].group, *cn = &ks->canon[g];
		ks->gsize[g]++;
		if (*cn == (size_t)-1 || ks->sp[i].count > ks->sp[*cn].count)
			*cn = i;
	}
}

static void
key_stats_release(struct key_stats *ks)
{
	size_t i;

	for (i = 0; i < ks->nr; i++)
		free(ks->sp[i].lower);
	free(ks->sp);
	free(ks->canon);
	free(ks->gsize);
	lint__map_release(&ks->by_key);
	lint__map_release(&ks->by_lower);
}

/* "'Owner' (5), 'owner' (2)": every spelling of s's group. */
static void
key_spellings(struct ps_buf *out, const struct key_stats *ks, size_t group)
{
	size_t i, n = 0;

	for (i = 0; i < ks->nr; i++) {
		if (ks->sp[i].group != group)
			continue;
		if (n++ == 6) {
			ps_buf_adds(out, ", ...");
			break;
		}
		ps_buf_addf(out, "%s'%s' (%zu)", n > 1 ? ", " : "",
		    ks->sp[i].key, ks->sp[i].count);
	}
}

static void
check_tag(struct lctx *c, struct key_stats *ks, const struct inv_tag *t,
    const struct inv_project *proj)
{
	const char *k = t->key ? t->key : "", *v = t->value ? t->value : "";
	const char *exact = known_exact(c, k), *nocase, *ws;
	size_t *si;

	if (!exact && (nocase = known_nocase(c, k))) {
		add(c, "key-case-mismatch", proj, &t->key_pos, c->inv->path,
		    "tag key '%s' differs only in case from the taxonomy key "
		    "'%s'", k, nocase);
	} else if (!exact) {
		si = lint__map_get(&ks->by_key, k);
		if (si && ks->gsize[ks->sp[*si].group] > 1 &&
		    ks->canon[ks->sp[*si].group] != *si) {
			struct ps_buf sp = PS_BUF_INIT;
			key_spellings(&sp, ks, ks->sp[*si].group);
			add(c, "key-case-mismatch", proj, &t->key_pos,
			    c->inv->path, "tag key '%s' differs only in case "
			    "from '%s' (spellings: %s)", k,
			    ks->sp[ks->canon[ks->sp[*si].group]].key, sp.ptr);
			ps_buf_release(&sp);
		}
		/* a closed taxonomy's unknown keys are validate's
		 * (unknown-tag-key); a misspelt required key is
		 * missing-required-tag's */
		if (!c->inv->taxonomy.closed && si && !ks->sp[*si].reported &&
		    !(proj && policy_misspelt_required(c->inv, &proj->tags,
		    k))) {
			ks->sp[*si].reported = true;
			add(c, "undeclared-tag-key", proj, &t->key_pos,
			    c->inv->path, "tag key '%s' is not declared in "
			    "taxonomy.tags (used by %zu project%s)", k,
			    ks->sp[*si].count, ks->sp[*si].count == 1 ? "" : "s");
		}
	}
	if (t->value && !*v)
		add(c, "empty-tag-value", proj, &t->value_pos, c->inv->path,
		    "tag '%s' has an empty value", k);
	if ((ws = edge_space(k)))
		add(c, "whitespace-in-value", proj, &t->key_pos, c->inv->path,
		    "tag key '%s' has %s whitespace", k, ws);
	if ((ws = edge_space(v)))
		add(c, "whitespace-in-value", proj, &t->value_pos, c->inv->path,
		    "%s value '%s' has %s whitespace", k, v, ws);
}

static void
check_tags(struct lctx *c)
{
	const struct inventory *inv = c->inv;
	struct key_stats ks = { 0 };
	size_t i, j;

	key_stats_build(c, &ks);
	for (j = 0; j < inv->defaults.nr; j++)
		check_tag(c, &ks, &inv->defaults.items[j], NULL);
	for (i = 0; i < inv->projects_nr; i++) {
		const struct inv_project *p = &inv->projects[i];
		if (!active(p))
			continue;
		for (j = 0; j < p->own_tags.nr; j++)
			check_tag(c, &ks, &p->own_tags.items[j], p);
	}
	key_stats_release(&ks);
}

/* ---- value-case-mismatch, near-duplicate-value ---- */

struct dval {
	const char *value;	/* borrowed */
	size_t count, order;
	char *norm;		/* lower case, without spaces and punctuation */
	size_t parent;		/* union-find */
	size_t canon;		/* the cluster's canonical spelling */
	size_t cstart, csize;	/* the cluster's slice of members[] */
	char *msg;		/* the spellings list, once per cluster */
};

struct vgroup {
	const char *key;
	struct dval *v;
	size_t nr, alloc;
	struct lint__map idx;	/* value → index */
	size_t *members;	/* indexes sorted by cluster, count, order */
};

static size_t
uf_find(struct dval *v, size_t i)
{
	while (v[i].parent != i) {
		v[i].parent = v[v[i].parent].parent;
		i = v[i].parent;
	}
	return i;
}

static void
uf_union(struct dval *v, size_t a, size_t b)
{
	a = uf_find(v, a);
	b = uf_find(v, b);
	if (a != b)
		v[a < b ? b : a].parent = a < b ? a : b;
}

static char *
normalize(const char *s)
{
	char *d = xmalloc(strlen(s) + 1), *o = d;

	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (strchr(" \t_.:/=+-@", ch))
			continue;
		*o++ = (char)(ch < 0x80 ? tolower(ch) : ch);
	}
	*o = '\0';
	return d;
}

static size_t
cp_len(const char *s)
{
	unsigned char c = (unsigned char)*s;

	if (c >= 0xf0)
		return 4;
	if (c >= 0xe0)
		return 3;
	if (c >= 0xc0)
		return 2;
	return 1;
}

/* Decode into code points (bytes when not UTF-8); returns the count. */
static size_t
decode(unsigned *out, size_t max, const char *s)
{
	size_t n = 0, l, k;

	while (*s && n < max) {
		unsigned cp = (unsigned char)*s;
		l = cp_len(s);
		for (k = 1; k < l && s[k]; k++)
			cp = (cp << 8) | (unsigned char)s[k];
		out[n++] = cp;
		s += k;
	}
	return n;
}

static bool
is_digit_cp(unsigned cp)
{
	return cp >= '0' && cp <= '9';
}

/*
 * Exactly one inserted, deleted or replaced code point, not a digit on
 * either side (CC-1001 and CC-1002 are different cost centres), and the
 * shorter string at least 3 code points long.
 */
static bool
one_edit(const char *a, const char *b)
{
	unsigned x[300], y[300];
	size_t la = decode(x, 300, a), lb = decode(y, 300, b), i, j;
	unsigned *lo = x, *sh = y;
	size_t ll = la, ls = lb;

	if (la == lb) {
		size_t diff = 0, at = 0;
		if (la < 3)
			return false;
		for (i = 0; i < la; i++)
			if (x[i] != y[i])
				diff++, at = i;
		return diff == 1 && !is_digit_cp(x[at]) && !is_digit_cp(y[at]);
	}
	if (la < lb)
		lo = y, sh = x, ll = lb, ls = la;
	if (ll != ls + 1 || ls < 3)
		return false;
	for (i = 0; i < ls && lo[i] == sh[i]; i++)
		;
	if (is_digit_cp(lo[i]))
		return false;
	for (j = i; j < ls; j++)
		if (lo[j + 1] != sh[j])
			return false;
	return true;
}

static bool
is_sep_cp(unsigned cp)
{
	return cp < 0x80 && strchr(" \t_.:/=+-@", (int)cp) != NULL;
}

/*
 * "Team-A" and "Team-B", "x" and "y": a one-letter token that differs is
 * an enumeration, not a typo.  Checked on the values as written (ASCII
 * case folded), where the separators still are.
 */
static bool
single_char_token_edit(const char *a, const char *b)
{
	unsigned x[300], y[300];
	size_t la = decode(x, 300, a), lb = decode(y, 300, b), i, at = 0;
	size_t diff = 0;

	if (la != lb)
		return false;
	for (i = 0; i < la; i++) {
		if (x[i] < 0x80)
			x[i] = (unsigned)tolower((int)x[i]);
		if (y[i] < 0x80)
			y[i] = (unsigned)tolower((int)y[i]);
		if (x[i] != y[i])
			diff++, at = i;
	}
	return diff == 1 && (at == 0 || is_sep_cp(x[at - 1])) &&
	    (at + 1 == la || is_sep_cp(x[at + 1]));
}

struct variant {
	char *s;
	size_t idx;
};

static int
variant_cmp(const void *pa, const void *pb)
{
	const struct variant *a = pa, *b = pb;
	int x = strcmp(a->s, b->s);

	return x ? x : (a->idx > b->idx) - (a->idx < b->idx);
}

static void
add_variant(struct variant **vs, size_t *nr, size_t *alloc, char *s,
    size_t idx)
{
	xgrow(vs, alloc, *nr + 1, sizeof(**vs));
	(*vs)[*nr].s = s;
	(*vs)[*nr].idx = idx;
	(*nr)++;
}

static int
member_cmp(const void *pa, const void *pb, void *payload)
{
	const struct dval *v = payload;
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;

	bool sa = edge_space(v[a].value) != NULL;
	bool sb = edge_space(v[b].value) != NULL;

	if (v[a].parent != v[b].parent)
		return v[a].parent < v[b].parent ? -1 : 1;
	/* a spelling with stray white space is never the one to suggest */
	if (sa != sb)
		return sa ? 1 : -1;
	if (v[a].count != v[b].count)
		return v[a].count > v[b].count ? -1 : 1;
	return (v[a].order > v[b].order) - (v[a].order < v[b].order);
}

static void
cluster_group(struct vgroup *g)
{
	struct lint__map norms = LINT__MAP_INIT;
	struct variant *vs = NULL;
	size_t vs_nr = 0, vs_alloc = 0, i, j, k;

	for (i = 0; i < g->nr; i++) {
		g->v[i].parent = i;
		g->v[i].norm = normalize(g->v[i].value);
	}
	for (i = 0; i < g->nr; i++) {
		const char *n = g->v[i].norm;
		size_t cps = 0;
		bool fresh;
		size_t *first;

		if (!*n)
			continue;
		first = lint__map_put(&norms, n, i, &fresh);
		if (!fresh) {
			uf_union(g->v, *first, i);	/* case or punctuation */
			continue;
		}
		for (j = 0; n[j]; j += cp_len(n + j))
			cps++;
		if (cps < 3)
			continue;
		/* deletion neighbourhood: one edit apart ⇒ a shared key */
		add_variant(&vs, &vs_nr, &vs_alloc, xstrdup(n), i);
		for (j = 0; n[j]; j += cp_len(n + j)) {
			size_t l = cp_len(n + j);
			char *d;
			if (is_digit_cp((unsigned char)n[j]))
				continue;
			d = xmalloc(strlen(n) + 1);
			memcpy(d, n, j);
			strcpy(d + j, n + j + l);
			add_variant(&vs, &vs_nr, &vs_alloc, d, i);
		}
	}
	if (vs_nr > 1)
		qsort(vs, vs_nr, sizeof(*vs), variant_cmp);
	for (i = 0; i < vs_nr; i = j) {
		for (j = i + 1; j < vs_nr && !strcmp(vs[j].s, vs[i].s); j++)
			;
		/* a run shares a key; bound the pairs in absurd runs */
		for (k = i; k < j && k < i + 64; k++) {
			size_t m;
			for (m = k + 1; m < j && m < i + 64; m++) {
				size_t a = vs[k].idx, b = vs[m].idx;
				if (a != b && one_edit(g->v[a].norm, g->v[b].norm) &&
				    !single_char_token_edit(g->v[a].value,
				    g->v[b].value))
					uf_union(g->v, a, b);
			}
		}
	}
	for (i = 0; i < vs_nr; i++)
		free(vs[i].s);
	free(vs);
	lint__map_release(&norms);

	/* flatten, then group members by cluster, most used first */
	for (i = 0; i < g->nr; i++)
		g->v[i].parent = uf_find(g->v, i);
	g->members = xmalloc((g->nr + 1) * sizeof(*g->members));
	for (i = 0; i < g->nr; i++)
		g->members[i] = i;
	qsort_r(g->members, g->nr, sizeof(*g->members), member_cmp, g->v);
	for (i = 0; i < g->nr; i = j) {
		size_t root = g->v[g->members[i]].parent;
		for (j = i + 1; j < g->nr && g->v[g->members[j]].parent == root;
		    j++)
			;
		for (k = i; k < j; k++) {
			struct dval *d = &g->v[g->members[k]];
			d->canon = g->members[i];
			d->cstart = i;
			d->csize = j - i;
		}
	}
}

static const char *
cluster_spellings(struct vgroup *g, struct dval *d)
{
	struct dval *canon = &g->v[d->canon];
	struct ps_buf b = PS_BUF_INIT;
	size_t k;

	if (canon->msg)
		return canon->msg;
	for (k = 0; k < d->csize; k++) {
		const struct dval *m = &g->v[g->members[d->cstart + k]];
		if (k == 6) {
			ps_buf_addf(&b, ", and %zu more", d->csize - k);
			break;
		}
		ps_buf_addf(&b, "%s'%s' (%zu)", k ? ", " : "", m->value, m->count);
	}
	canon->msg = ps_buf_detach(&b);
	return canon->msg;
}

/* Is a the b with white space added at either end? */
static bool
same_but_edge_space(const char *a, const char *b)
{
	size_t len = strlen(a), start = 0, n, i;
	bool cut = true;

	if (!edge_space(a))
		return false;
	while (start < len && (n = space_at(a + start, len - start)))
		start += n;
	while (cut && len > start) {
		cut = false;
		for (i = len > start + 3 ? len - 3 : start; i < len; i++) {
			n = space_at(a + i, len - i);
			if (n && i + n == len) {
				len = i;
				cut = true;
				break;
			}
		}
	}
	return len - start == strlen(b) && !memcmp(a + start, b, len - start);
}

static void
check_values(struct lctx *c)
{
	const struct inventory *inv = c->inv;
	struct lint__map gidx = LINT__MAP_INIT;
	struct vgroup *gs = NULL;
	size_t gs_nr = 0, gs_alloc = 0, order = 0, i, j;

	for (i = 0; i < inv->projects_nr; i++) {
		const struct inv_project *p = &inv->projects[i];
		if (!active(p))
			continue;
		for (j = 0; j < p->tags.nr; j++) {
			const struct tag *t = &p->tags.items[j];
			const struct inv_tag_rule *tr = tax_rule(inv, t->key);
			struct vgroup *g;
			size_t *gi, *vi;
			bool fresh;

			/* allowed lists are validate's (value-not-allowed) */
			if (tr && tr->allowed)
				continue;
			gi = lint__map_put(&gidx, t->key, gs_nr, &fresh);
			if (fresh) {
				xgrow(&gs, &gs_alloc, gs_nr + 1, sizeof(*gs));
				memset(&gs[gs_nr], 0, sizeof(*gs));
				gs[gs_nr++].key = t->key;
			}
			g = &gs[*gi];
			vi = lint__map_put(&g->idx, t->value, g->nr, &fresh);
			if (fresh) {
				xgrow(&g->v, &g->alloc, g->nr + 1, sizeof(*g->v));
				memset(&g->v[g->nr], 0, sizeof(*g->v));
				g->v[g->nr].value = t->value;
				g->v[g->nr].order = order++;
				g->nr++;
			}
			g->v[*vi].count++;
		}
	}
	for (i = 0; i < gs_nr; i++)
		if (gs[i].nr > 1)
			cluster_group(&gs[i]);

	for (i = 0; i < inv->projects_nr; i++) {
		const struct inv_project *p = &inv->projects[i];
		if (!active(p))
			continue;
		for (j = 0; j < p->tags.nr; j++) {
			const struct tag *t = &p->tags.items[j];
			const struct inv_tag *src;
			size_t *gi = lint__map_get(&gidx, t->key), *vi;
			struct vgroup *g;
			struct dval *d, *canon;
			bool own;

			if (!gi || gs[*gi].nr < 2)
				continue;
			g = &gs[*gi];
			vi = lint__map_get(&g->idx, t->value);
			d = &g->v[*vi];
			if (d->csize < 2 || d->canon == *vi)
				continue;
			canon = &g->v[d->canon];
			/* only stray white space: whitespace-in-value says it */
			if (same_but_edge_space(d->value, canon->value))
				continue;
			src = tag_source(c, p, t->key, &own);
			if (strcasecmp(d->value, canon->value) == 0)
				add(c, "value-case-mismatch", own ? p : NULL,
				    src ? &src->value_pos : &p->pos, inv->path,
				    "%s value '%s' differs only in case from '%s' "
				    "(spellings: %s)", t->key, d->value,
				    canon->value, cluster_spellings(g, d));
			else
				add(c, "near-duplicate-value", own ? p : NULL,
				    src ? &src->value_pos : &p->pos, inv->path,
				    "%s value '%s' looks like a variant of '%s' "
				    "(spellings: %s)", t->key, d->value,
				    canon->value, cluster_spellings(g, d));
		}
	}
	for (i = 0; i < gs_nr; i++) {
		for (j = 0; j < gs[i].nr; j++) {
			free(gs[i].v[j].norm);
			free(gs[i].v[j].msg);
		}
		free(gs[i].v);
		free(gs[i].members);
		lint__map_release(&gs[i].idx);
	}
	free(gs);
	lint__map_release(&gidx);
}

/* ---- name-convention ---- */

enum seg_kind { SEG_TEXT, SEG_TAG, SEG_ANY };
enum seg_mod { MOD_NONE, MOD_SHORT, MOD_LOWER, MOD_UPPER };

struct seg {
	enum seg_kind kind;
	enum seg_mod mod;
	char *text;		/* literal text or the tag key */
};

static void
segs_release(struct seg *s, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++)
		free(s[i].text);
	free(s);
}

/*
 * Compile a name_pattern: literal text, `{Key}`, `{Key:short}`,
 * `{Key:lower}`, `{Key:upper}`, `*` for any run of characters, and `{{`,
 * `}}` for literal braces.  On error returns NULL and sets *err (owned).
 */
static struct seg *
pattern_compile(const char *pat, size_t *nr, char **err)
{
	struct seg *s = NULL;
	struct ps_buf lit = PS_BUF_INIT;
	size_t alloc = 0, n = 0;
	const char *p = pat;

	*err = NULL;
	while (*p) {
		if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
			ps_buf_addch(&lit, *p);
			p += 2;
			continue;
		}
		if (*p == '}') {
			*err = xasprintf("unmatched '}' at offset %zu",
			    (size_t)(p - pat));
			goto fail;
		}
		if (*p != '{' && *p != '*') {
			ps_buf_addch(&lit, *p++);
			continue;
		}
		if (lit.len) {
			xgrow(&s, &alloc, n + 1, sizeof(*s));
			s[n].kind = SEG_TEXT;
			s[n].mod = MOD_NONE;
			s[n++].text = ps_buf_detach(&lit);
		}
		xgrow(&s, &alloc, n + 1, sizeof(*s));
		if (*p == '*') {
			s[n].kind = SEG_ANY;
			s[n].mod = MOD_NONE;
			s[n++].text = NULL;
			p++;
			continue;
		} else {
			const char *end = strchr(p, '}'), *colon;
			const char *kend;
			enum seg_mod mod = MOD_NONE;

			if (!end) {
				*err = xasprintf("unterminated '{' at offset %zu",
				    (size_t)(p - pat));
				goto fail;
			}
			colon = memchr(p, ':', (size_t)(end - p));
			kend = colon ? colon : end;
			if (kend == p + 1 || memchr(p + 1, '{', (size_t)(end - p - 1))) {
				*err = xasprintf("empty or nested '{...}' at "
				    "offset %zu", (size_t)(p - pat));
				goto fail;
			}
			if (colon) {
				size_t ml = (size_t)(end - colon - 1);
				if (ml == 5 && !strncmp(colon + 1, "short", 5))
					mod = MOD_SHORT;
				else if (ml == 5 && !strncmp(colon + 1, "lower", 5))
					mod = MOD_LOWER;
				else if (ml == 5 && !strncmp(colon + 1, "upper", 5))
					mod = MOD_UPPER;
				else {
					*err = xasprintf("unknown modifier ':%.*s' "
					    "(short, lower or upper)", (int)ml,
					    colon + 1);
					goto fail;
				}
			}
			s[n].kind = SEG_TAG;
			s[n].mod = mod;
			s[n++].text = xstrndup(p + 1, (size_t)(kend - p - 1));
			p = end + 1;
		}
	}
	if (lit.len || n == 0) {
		xgrow(&s, &alloc, n + 1, sizeof(*s));
		s[n].kind = SEG_TEXT;
		s[n].mod = MOD_NONE;
		s[n++].text = ps_buf_detach(&lit);
	}
	ps_buf_release(&lit);
	*nr = n;
	return s;
fail:
	ps_buf_release(&lit);
	segs_release(s, n);
	*nr = 0;
	return NULL;
}

/* v as the pattern writes it: {Key}, {Key:short}, {Key:lower}, ... */
static char *
seg_form(const struct seg *s, const char *v)
{
	char *r, *q;

	if (s->mod == MOD_SHORT)
		return xstrdup(lint_short_name(v));
	r = xstrdup(v);
	if (s->mod != MOD_NONE)
		for (q = r; *q; q++)
			*q = (char)(s->mod == MOD_LOWER ?
			    tolower((unsigned char)*q) : toupper((unsigned char)*q));
	return r;
}

/* The best split of a name along the pattern: the one where the fewest
 * tag segments disagree with the project's tags. */
struct split {
	const struct seg *segs;
	size_t nr;
	const char *name;
	const struct tag_set *tags;
	size_t (*cur)[2], (*best)[2];
	size_t best_bad;	/* (size_t)-1: no split yet */
	size_t budget;		/* steps left: bounded backtracking */
};

static void
split_try(struct split *sp, size_t k, size_t pos)
{
	const struct seg *s = &sp->segs[k];
	size_t len = strlen(sp->name), end, n, i, bad = 0;

	if (sp->budget == 0 || sp->best_bad == 0)
		return;
	sp->budget--;
	if (k == sp->nr) {
		if (pos != len)
			return;
		for (i = 0; i < sp->nr; i++) {
			const char *v;
			char *f;

			if (sp->segs[i].kind != SEG_TAG)
				continue;
			v = tag_set_get(sp->tags, sp->segs[i].text);
			f = seg_form(&sp->segs[i], v ? v : "");
			bad += strlen(f) != sp->cur[i][1] - sp->cur[i][0] ||
			    memcmp(f, sp->name + sp->cur[i][0], strlen(f)) != 0;
			free(f);
		}
		if (bad < sp->best_bad) {
			sp->best_bad = bad;
			memcpy(sp->best, sp->cur, sp->nr * sizeof(*sp->cur));
		}
		return;
	}
	if (s->kind == SEG_TEXT) {
		n = strlen(s->text);
		if (len - pos < n || memcmp(sp->name + pos, s->text, n) != 0)
			return;
		sp->cur[k][0] = pos;
		sp->cur[k][1] = pos + n;
		split_try(sp, k + 1, pos + n);
		return;
	}
	for (end = pos + (s->kind == SEG_TAG); end <= len; end++) {
		sp->cur[k][0] = pos;
		sp->cur[k][1] = end;
		split_try(sp, k + 1, end);
	}
}

/*
 * When the name reads as the pattern with exactly one tag segment that
 * disagrees with the tag (CustomerChatbot-Development tagged Production),
 * the message says they disagree and offers both fixes: either may be the
 * wrong one.  Returns the message, or NULL (the name has another shape).
 */
static char *
name_tag_disagreement(const struct inventory *inv, const struct seg *segs,
    size_t nr, const struct inv_project *p, const char *want)
{
	struct split sp = { segs, nr, p->name, &p->tags, NULL, NULL,
		(size_t)-1, 20000 };
	const struct inv_tag_rule *rule = NULL;
	const char *v, *named = NULL;
	char *cap = NULL, *msg = NULL;
	size_t k, i;

	sp.cur = xcalloc(nr + 1, sizeof(*sp.cur));
	sp.best = xcalloc(nr + 1, sizeof(*sp.best));
	split_try(&sp, 0, 0);
	if (sp.best_bad != 1)
		goto out;
	for (k = 0; k < nr; k++) {
		char *f;
		bool same;

		if (segs[k].kind != SEG_TAG)
			continue;
		v = tag_set_get(&p->tags, segs[k].text);
		f = seg_form(&segs[k], v ? v : "");
		same = strlen(f) == sp.best[k][1] - sp.best[k][0] &&
		    !memcmp(f, p->name + sp.best[k][0], strlen(f));
		free(f);
		if (!same)
			break;
	}
	v = tag_set_get(&p->tags, segs[k].text);
	cap = xstrndup(p->name + sp.best[k][0], sp.best[k][1] - sp.best[k][0]);
	/* the value the name stands for: an allowed value written that way
	 * first, then the abbreviation table, else the text itself */
	for (i = 0; i < inv->taxonomy.tags_nr; i++)
		if (!strcmp(inv->taxonomy.tags[i].key, segs[k].text))
			rule = &inv->taxonomy.tags[i];
	for (i = 0; rule && i < rule->allowed_nr && !named; i++) {
		char *f = seg_form(&segs[k], rule->allowed[i]);

		if (!strcasecmp(f, cap))
			named = rule->allowed[i];
		free(f);
	}
	if (!named && segs[k].mod == MOD_SHORT)
		named = lint__long_name(cap);
	if (!named)
		named = cap;
	/* the same value in another form: the name is off, not the tag */
	if (!strcasecmp(named, v))
		goto out;
	msg = xasprintf("project name '%s' and its %s tag disagree: the name "
	    "says '%s', the tag '%s'; rename the project to '%s', or set "
	    "%s: %s if the name is right", p->name, segs[k].text, named, v,
	    want, segs[k].text, named);
out:
	free(cap);
	free(sp.cur);
	free(sp.best);
	return msg;
}

static bool
is_required(const struct inventory *inv, const char *key)
{
	size_t i;

	for (i = 0; i < inv->taxonomy.required_nr; i++)
		if (!strcmp(inv->taxonomy.required[i], key))
			return true;
	return false;
}

static void
check_names(struct lctx *c)
{
	const struct inventory *inv = c->inv;
	const char *pat = inv->settings.name_pattern;
	struct ps_buf want = PS_BUF_INIT, glob = PS_BUF_INIT;
	struct seg *segs;
	size_t nr, i, k;
	char *err;

	if (!pat)
		return;
	if (!(segs = pattern_compile(pat, &nr, &err))) {
		add(c, "name-convention", NULL, &inv->settings.name_pattern_pos,
		    inv->path, "settings.name_pattern '%s' is invalid: %s", pat,
		    err);
		free(err);
		return;
	}
	for (i = 0; i < inv->projects_nr; i++) {
		const struct inv_project *p = &inv->projects[i];
		const char *missing = NULL;
		bool wild = false;

		if (!active(p) || !p->name)
			continue;
		ps_buf_reset(&want);
		ps_buf_reset(&glob);
		for (k = 0; k < nr && !missing; k++) {
			const char *v;
			char *tmp = NULL;

			switch (segs[k].kind) {
			case SEG_TEXT:
				ps_buf_adds(&want, segs[k].text);
				ps_buf_adds(&glob, segs[k].text);
				break;
			case SEG_ANY:
				ps_buf_adds(&want, "*");
				ps_buf_adds(&glob, "*");
				wild = true;
				break;
			case SEG_TAG:
				v = tag_set_get(&p->tags, segs[k].text);
				if (!v || !*v) {
					missing = segs[k].text;
					break;
				}
				if (segs[k].mod == MOD_SHORT)
					v = lint_short_name(v);
				else if (segs[k].mod != MOD_NONE) {
					char *q;
					v = tmp = xstrdup(v);
					for (q = tmp; *q; q++)
						*q = (char)(segs[k].mod == MOD_LOWER ?
						    tolower((unsigned char)*q) :
						    toupper((unsigned char)*q));
				}
				ps_buf_adds(&want, v);
				/* a value cannot hold '*' (AWS charset) */
				ps_buf_adds(&glob, v);
				free(tmp);
				break;
			}
		}
		/* a missing required key is already an error */
		if (missing && !is_required(inv, missing)) {
			add(c, "name-convention", p, &p->name_pos, inv->path,
			    "cannot check project name '%s' against "
			    "settings.name_pattern '%s': it has no '%s' tag",
			    p->name, pat, missing);
			continue;
		}
		if (missing)
			continue;
		if (wild ? ps_glob_match(glob.ptr, p->name) :
		    strcmp(want.ptr, p->name) == 0)
			continue;
		if ((err = name_tag_disagreement(inv, segs, nr, p, want.ptr))) {
			add(c, "name-convention", p, &p->name_pos, inv->path,
			    "%s", err);
			free(err);
			continue;
		}
		add(c, "name-convention", p, &p->name_pos, inv->path,
		    "project name '%s' does not follow settings.name_pattern "
		    "'%s': expected '%s'", p->name, pat, want.ptr);
	}
	segs_release(segs, nr);
	ps_buf_release(&want);
	ps_buf_release(&glob);
}

/* ---- unused-allowed-value ---- */

/* Where allowed value a is written, else the rule's key. */
static const struct inv_pos *
allowed_pos(const struct inv_tag_rule *tr, size_t a)
{
	if (tr->allowed_pos && tr->allowed_pos[a].line)
		return &tr->allowed_pos[a];
	return &tr->pos;
}

static void
check_unused_allowed(struct lctx *c)
{
	const struct inventory *inv = c->inv;
	size_t r, i, a;

	for (r = 0; r < inv->taxonomy.tags_nr; r++) {
		const struct inv_tag_rule *tr = &inv->taxonomy.tags[r];
		struct lint__map idx = LINT__MAP_INIT;
		bool *used;

		if (!tr->allowed || !tr->allowed_nr)
			continue;
		used = xcalloc(tr->allowed_nr, sizeof(*used));
		for (a = 0; a < tr->allowed_nr; a++)
			lint__map_put(&idx, tr->allowed[a], a, NULL);
		for (i = 0; i < inv->projects_nr; i++) {
			const char *v;
			size_t *slot;
			if (!active(&inv->projects[i]))
				continue;
			v = tag_set_get(&inv->projects[i].tags, tr->key);
			if (v && (slot = lint__map_get(&idx, v)))
				used[*slot] = true;
		}
		for (a = 0; a < tr->allowed_nr; a++)
			if (!used[a])
				add(c, "unused-allowed-value", NULL,
				    allowed_pos(tr, a), inv->path, "%s allows "
				    "'%s' but no project uses it", tr->key,
				    tr->allowed[a]);
		free(used);
		lint__map_release(&idx);
	}
}

/* ---- --tag-policy ---- */

static void
policy_tag(struct lctx *c, const struct inv_tag *t, const struct inv_project *p)
{
	const struct lint__tp_key *pk;
	struct ps_buf vals = PS_BUF_INIT;

	if (!t->key || !(pk = lint__tp_find(c->opts->tag_policy, t->key)))
		return;
	if (strcmp(t->key, pk->tag_key))
		add(c, "tag-policy-key-case", p, &t->key_pos, c->inv->path,
		    "tag key '%s' must be written '%s' (tag policy key '%s')",
		    t->key, pk->tag_key, pk->policy_key);
	if (t->value && !lint__tp_value_ok(pk, t->value)) {
		lint__tp_values_list(&vals, pk);
		add(c, "tag-policy-value", p, &t->value_pos, c->inv->path,
		    "%s value '%s' is not allowed by the tag policy (allowed: "
		    "%s)%s", pk->tag_key, t->value, vals.ptr, pk->enforced ?
		    "; the policy is enforced for " LINT_POLICY_RESOURCE : "");
	}
	ps_buf_release(&vals);
}

static bool
has_key_nocase(const struct tag_set *ts, const char *k)
{
	size_t i;

	for (i = 0; i < ts->nr; i++)
		if (strcasecmp(ts->items[i].key, k) == 0)
			return true;
	return false;
}

static bool
in_list_nocase(char **l, size_t n, const char *k)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcasecmp(l[i], k) == 0)
			return true;
	return false;
}

static void
check_policy(struct lctx *c)
{
	const struct lint_tag_policy *tp = c->opts->tag_policy;
	const struct inventory *inv = c->inv;
	const struct inv_taxonomy *tax = &inv->taxonomy;
	size_t i, j;

	if (!tp)
		return;
	for (j = 0; j < inv->defaults.nr; j++)
		policy_tag(c, &inv->defaults.items[j], NULL);
	for (i = 0; i < inv->projects_nr; i++) {
		const struct inv_project *p = &inv->projects[i];
		if (!active(p))
			continue;
		for (j = 0; j < p->own_tags.nr; j++)
			policy_tag(c, &p->own_tags.items[j], p);
		for (j = 0; j < tp->nr; j++)
			if (tp->keys[j].required &&
			    !has_key_nocase(&p->tags, tp->keys[j].tag_key))
				add(c, "tag-policy-required", p, &p->name_pos,
				    inv->path, "project '%s' has no '%s' tag, "
				    "which the tag policy requires for "
				    LINT_POLICY_RESOURCE, p->name,
				    tp->keys[j].tag_key);
	}

	/* the taxonomy itself */
	for (i = 0; i < tax->tags_nr; i++) {
		const struct inv_tag_rule *tr = &tax->tags[i];
		const struct lint__tp_key *pk = lint__tp_find(tp, tr->key);
		struct ps_buf vals = PS_BUF_INIT;

		if (!pk)
			continue;
		if (strcmp(tr->key, pk->tag_key))
			add(c, "tag-policy-taxonomy", NULL, &tr->pos, inv->path,
			    "taxonomy key '%s' is written '%s' in the tag policy",
			    tr->key, pk->tag_key);
		lint__tp_values_list(&vals, pk);
		for (j = 0; tr->allowed && j < tr->allowed_nr; j++)
			if (!lint__tp_value_ok(pk, tr->allowed[j]))
				add(c, "tag-policy-taxonomy", NULL,
				    allowed_pos(tr, j),
				    inv->path, "taxonomy allows %s '%s' but the "
				    "tag policy does not (allowed: %s)", tr->key,
				    tr->allowed[j], vals.ptr);
		ps_buf_release(&vals);
	}
	for (i = 0; i < tax->required_nr; i++) {
		const struct lint__tp_key *pk = lint__tp_find(tp, tax->required[i]);
		if (pk && strcmp(tax->required[i], pk->tag_key) &&
		    !tax_rule(inv, tax->required[i]))
			add(c, "tag-policy-taxonomy", NULL, &tax->required_pos,
			    inv->path, "required key '%s' is written '%s' in the "
			    "tag policy", tax->required[i], pk->tag_key);
	}
	for (j = 0; j < tp->nr; j++)
		if (tp->keys[j].required && !in_list_nocase(tax->required,
		    tax->required_nr, tp->keys[j].tag_key))
			add_level(c, "tag-policy-taxonomy", DIAG_WARNING, NULL,
			    tax->required_pos.line ? &tax->required_pos :
			    tax->pos.line ? &tax->pos : NULL,
			    "the tag policy requires '%s' on "
			    LINT_POLICY_RESOURCE " but taxonomy.required does "
			    "not list it", tp->keys[j].tag_key);
}

/* ---- --live ---- */

static bool
live_ignored(const struct lctx *c, const char *key)
{
	size_t i;

	if (strncasecmp(key, "aws:", 4) == 0)	/* AWS's own tags */
		return true;
	for (i = 0; i < c->inv->settings.ignore_tags_nr; i++)
		if (ps_glob_match(c->inv->settings.ignore_tags[i], key))
			return true;
	return false;
}

static void
project_label(struct ps_buf *b, const struct live_project *lp)
{
	if (lp->name)
		ps_buf_addf(b, "project '%s' (%s)", lp->name, lp->id);
	else
		ps_buf_addf(b, "project %s", lp->id);
}

static bool
audit_tags(struct lctx *c, const struct live_project *lp,
    const struct inv_project *managed, const struct policy_taxonomy *tx)
{
	const struct inventory *inv = c->inv;
	struct ps_buf who = PS_BUF_INIT, miss = PS_BUF_INIT;
	size_t i, n = 0, nmiss = 0;
	bool ok = true;

	project_label(&who, lp);
	for (i = 0; i < lp->tags.nr; i++)
		n += !live_ignored(c, lp->tags.items[i].key);
	if (n == 0) {
		add_live(c, "live-untagged", lp, managed, "%s has no tags: its "
		    "spend cannot be attributed", who.ptr);
		ok = false;
		goto out;
	}
	for (i = 0; i < inv->taxonomy.required_nr; i++) {
		const char *v = tag_set_get(&lp->tags, inv->taxonomy.required[i]);
		if (v && *v)
			continue;
		ps_buf_addf(&miss, "%s%s", nmiss++ ? ", " : "",
		    inv->taxonomy.required[i]);
	}
	if (nmiss) {
		add_live(c, "live-missing-required", lp, managed, "%s lacks "
		    "required tag%s %s", who.ptr, nmiss == 1 ? "" : "s",
		    miss.ptr);
		ok = false;
	}
	for (i = 0; i < lp->tags.nr; i++) {
		const char *k = lp->tags.items[i].key, *v = lp->tags.items[i].value;
		const char *nc;
		char *msg = NULL;

		if (live_ignored(c, k))
			continue;
		/* a case-only difference says more than "not declared" */
		if (!known_exact(c, k) && (nc = known_nocase(c, k))) {
			add_live(c, "live-off-taxonomy", lp, managed, "%s: tag key "
			    "'%s' differs only in case from the taxonomy key "
			    "'%s'", who.ptr, k, nc);
			ok = false;
			continue;
		}
		/* the same checks as validate, worded the same way */
		if (policy_check_key_declared(tx, k, &msg) ||
		    policy_check_value(tx, k, v, &msg)) {
			add_live(c, "live-off-taxonomy", lp, managed, "%s: %s",
			    who.ptr, msg);
			ok = false;
		}
		free(msg);
		msg = NULL;
	}
out:
	ps_buf_release(&who);
	ps_buf_release(&miss);
	return ok;
}

static void
audit_policy(struct lctx *c, const struct live_project *lp,
    const struct inv_project *managed)
{
	const struct lint_tag_policy *tp = c->opts->tag_policy;
	struct ps_buf who = PS_BUF_INIT, vals = PS_BUF_INIT;
	size_t i;

	if (!tp)
		return;
	project_label(&who, lp);
	for (i = 0; i < lp->tags.nr; i++) {
		const char *k = lp->tags.items[i].key, *v = lp->tags.items[i].value;
		const struct lint__tp_key *pk = lint__tp_find(tp, k);

		if (!pk)
			continue;
		if (strcmp(k, pk->tag_key))
			add_live(c, "tag-policy-key-case", lp, managed, "%s: tag "
			    "key '%s' must be written '%s' (tag policy key "
			    "'%s')", who.ptr, k, pk->tag_key, pk->policy_key);
		if (!lint__tp_value_ok(pk, v)) {
			ps_buf_reset(&vals);
			lint__tp_values_list(&vals, pk);
			add_live(c, "tag-policy-value", lp, managed, "%s: %s value "
			    "'%s' is not allowed by the tag policy (allowed: %s)",
			    who.ptr, pk->tag_key, v, vals.ptr);
		}
	}
	for (i = 0; i < tp->nr; i++)
		if (tp->keys[i].required &&
		    !has_key_nocase(&lp->tags, tp->keys[i].tag_key))
			add_live(c, "tag-policy-required", lp, managed, "%s has "
			    "no '%s' tag, which the tag policy requires for "
			    LINT_POLICY_RESOURCE, who.ptr, tp->keys[i].tag_key);
	ps_buf_release(&who);
	ps_buf_release(&vals);
}

static void
audit_live(struct lctx *c)
{
	const struct inventory *inv = c->inv;
	const struct live_state *st = c->opts->live;
	struct lint_coverage *cov = &c->r->coverage;
	struct lint__map by_id = LINT__MAP_INIT, by_name = LINT__MAP_INIT;
	struct policy_taxonomy *tx = NULL;
	size_t i;

	c->r->live = true;
	for (i = 0; i < inv->projects_nr; i++) {
		const struct inv_project *p = &inv->projects[i];
		if (p->id)
			lint__map_put(&by_id, p->id, i, NULL);
		else if (p->name)
			lint__map_put(&by_name, p->name, i, NULL);
	}
	/* its problems are validate's findings already: quiet */
	policy_taxonomy_compile(&tx, inv, NULL);

	for (i = 0; i < st->nr; i++) {
		const struct live_project *lp = &st->items[i];
		const struct inv_project *managed = NULL;
		size_t *slot;

		cov->live_total++;
		if (lp->archived || !lp->id || !strcmp(lp->id, "default"))
			continue;
		cov->active++;
		if ((slot = lint__map_get(&by_id, lp->id)) ||
		    (lp->name && (slot = lint__map_get(&by_name, lp->name))))
			managed = &inv->projects[*slot];
		if (!managed) {
			struct ps_buf who = PS_BUF_INIT;
			cov->unmanaged++;
			project_label(&who, lp);
			if (inv->settings.unmanaged == INV_UNMANAGED_ARCHIVE)
				add_live(c, "live-unmanaged", lp, NULL, "%s is not "
				    "in the inventory; apply will archive it "
				    "(settings.unmanaged: archive)", who.ptr);
			else if (inv->settings.unmanaged != INV_UNMANAGED_IGNORE)
				add_live(c, "live-unmanaged", lp, NULL, "%s is not "
				    "in the inventory", who.ptr);
			ps_buf_release(&who);
		}
		if (audit_tags(c, lp, managed, tx))
			cov->compliant++;
		audit_policy(c, lp, managed);
	}
	policy_taxonomy_free(tx);
	lint__map_release(&by_id);
	lint__map_release(&by_name);
}

/* ---- putting it together ---- */

static int
category(const struct lint_finding *f)
{
	if (f->live_id)
		return 2;
	return f->file ? 1 : 0;
}

static int
strcmp_null(const char *a, const char *b)
{
	if (!a || !b)
		return (!a - !b) ? (a ? 1 : -1) : 0;
	return strcmp(a, b);
}

static int
finding_cmp(const void *pa, const void *pb)
{
	const struct lint_finding *a = pa, *b = pb;
	int x;

	if ((x = category(a) - category(b)))
		return x;
	if ((x = strcmp_null(a->file, b->file)))
		return x;
	if ((x = pos_cmp(a->line, a->col, b->line, b->col)))
		return x;
	if ((x = strcmp_null(a->live_name, b->live_name)))
		return x;
	if ((x = strcmp_null(a->live_id, b->live_id)))
		return x;
	if ((x = strcmp_null(a->rule, b->rule)))
		return x;
	return strcmp(a->msg, b->msg);
}

static bool
same_finding(const struct lint_finding *a, const struct lint_finding *b)
{
	return finding_cmp(a, b) == 0 && a->level == b->level;
}

static void
finish(struct lint_report *r)
{
	size_t i, n = 0;

	if (r->nr > 1)
		qsort(r->items, r->nr, sizeof(*r->items), finding_cmp);
	for (i = 0; i < r->nr; i++) {
		if (n && same_finding(&r->items[n - 1], &r->items[i])) {
			/* keep it suppressed if either copy was */
			if (r->items[i].suppressed && !r->items[n - 1].suppressed) {
				struct lint_finding tmp = r->items[n - 1];
				r->items[n - 1] = r->items[i];
				r->items[i] = tmp;
			}
			finding_release(&r->items[i]);
			continue;
		}
		r->items[n++] = r->items[i];
	}
	r->nr = n;
	r->errors = r->warnings = r->notes = r->suppressed = 0;
	for (i = 0; i < r->nr; i++) {
		const struct lint_finding *f = &r->items[i];
		if (f->suppressed)
			r->suppressed++;
		else if (f->level == DIAG_ERROR)
			r->errors++;
		else if (f->level == DIAG_WARNING)
			r->warnings++;
		else
			r->notes++;
	}
}

int
lint_run(struct lint_report *out, const struct inventory *inv,
    const struct diag_list *load_diags, const struct lint_options *opts)
{
	static const struct lint_options none;
	struct policy_options popts = { 0 };
	struct diag_list vdl = DIAG_LIST_INIT;
	struct lctx c = { 0 };

	memset(out, 0, sizeof(*out));
	c.r = out;
	c.inv = inv;
	c.opts = opts ? opts : &none;
	if (c.opts->today) {
		if (!ps_valid_date(c.opts->today))
			return ps_error(PS_EUSAGE, "invalid date '%s' "
			    "(YYYY-MM-DD)", c.opts->today);
		memcpy(c.today, c.opts->today, 11);
	} else {
		policy_today(c.today);
	}

	if (!inv) {
		take_diags(&c, load_diags);
		finish(out);
		return 0;
	}
	out->projects = inv->projects_nr;
	build_known(&c);
	build_rule_ids(&c);
	build_extents(&c);
	take_suppressions(&c);
	take_diags(&c, load_diags);
	popts.today = c.today;
	policy_validate_opts(inv, &popts, &vdl);
	take_diags(&c, &vdl);
	diag_list_release(&vdl);

	check_tags(&c);
	check_values(&c);
	check_names(&c);
	check_unused_allowed(&c);
	check_policy(&c);
	if (c.opts->live)
		audit_live(&c);
	unused_suppressions(&c);
	finish(out);

	free(c.known);
	free(c.rule_ids);
	free(c.ext);
	free(c.supp);
	return 0;
}
