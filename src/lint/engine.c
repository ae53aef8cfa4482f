/*
 * lint: the rule engine.  lint_run() collects findings from the loader,
 * from policy_validate(), from the inventory rules (the key and tag rules
 * below, values.c, naming.c), from a tag policy and from a live state
 * (live.c), then applies `lint_ignore` suppressions (marking, never
 * dropping), sorts and de-duplicates.
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

/* Where a project is written (its first to last position in a file). */
struct lint__extent {
	const char *file;
	unsigned l0, c0, l1, c1;
	const struct inv_project *proj;
};

/* A lint_ignore entry and whether it matched. */
struct lint__supp {
	const struct inv_suppression *s;
	const struct inv_project *proj;	/* NULL: top level */
	bool active, used;
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
suppress(struct lint__ctx *c, struct lint_finding *f,
    const struct inv_project *proj)
{
	size_t i;

	/* YAML, structure and AWS limits cannot be waived (the API would
	 * refuse them anyway); policy decides for validate's rules */
	if (!policy_rule_suppressible(f->rule))
		return;
	/* a project's own entries first, then the top level */
	for (i = 0; i < c->supp_nr; i++) {
		struct lint__supp *s = &c->supp[i];
		if (!s->active || !s->proj || s->proj != proj ||
		    !policy_suppression_matches(s->s, f->rule))
			continue;
		goto hit;
	}
	for (i = 0; i < c->supp_nr; i++) {
		struct lint__supp *s = &c->supp[i];
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
new_finding(struct lint__ctx *c, const char *rule, enum diag_level level,
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
void PS_PRINTF(6, 7)
lint__add(struct lint__ctx *c, const char *rule, const struct inv_project *proj,
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
void PS_PRINTF(6, 7)
lint__add_level(struct lint__ctx *c, const char *rule, enum diag_level level,
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
void PS_PRINTF(5, 6)
lint__add_live(struct lint__ctx *c, const char *rule,
    const struct live_project *lp, const struct inv_project *managed,
    const char *fmt, ...)
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
extent_widen(struct lint__extent *e, const struct inv_pos *p)
{
	if (!p->file || !p->line || strcmp(p->file, e->file))
		return;
	if (pos_cmp(p->line, p->col, e->l1, e->c1) > 0)
		e->l1 = p->line, e->c1 = p->col;
}

static int
extent_cmp(const void *pa, const void *pb)
{
	const struct lint__extent *a = pa, *b = pb;
	int x = strcmp(a->file, b->file);

	return x ? x : pos_cmp(a->l0, a->c0, b->l0, b->c0);
}

static void
build_extents(struct lint__ctx *c)
{
	size_t i, j;

	for (i = 0; i < c->inv->projects_nr; i++) {
		const struct inv_project *p = &c->inv->projects[i];
		struct lint__extent e;

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
project_at(const struct lint__ctx *c, const char *file, unsigned line,
    unsigned col)
{
	size_t lo = 0, hi = c->ext_nr;
	const struct lint__extent *e;

	if (!file || !line)
		return NULL;
	/* the last extent starting at or before (file, line, col) */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct lint__extent *m = &c->ext[mid];
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
take_diags(struct lint__ctx *c, const struct diag_list *dl)
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
build_rule_ids(struct lint__ctx *c)
{
	const struct lint_rule *rules;
	size_t nr, i;

	rules = lint_rules(&nr);
	c->rule_ids = xcalloc(nr + 1, sizeof(*c->rule_ids));
	for (i = 0; i < nr; i++)
		c->rule_ids[i] = rules[i].id;
}

static void
take_suppression(struct lint__ctx *c, const struct inv_suppression *s,
    const struct inv_project *proj)
{
	struct lint__supp e = { s, proj, false, false };
	const char *problem;
	char *msg;

	problem = policy_suppression_check(s, c->today,
	    (const char *const *)c->rule_ids, &msg);
	if (problem)
		lint__add(c, problem, proj, &s->pos, c->inv->path, "%s", msg);
	else
		e.active = true;
	free(msg);
	xgrow(&c->supp, &c->supp_alloc, c->supp_nr + 1, sizeof(*c->supp));
	c->supp[c->supp_nr++] = e;
}

static void
take_suppressions(struct lint__ctx *c)
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
unused_suppressions(struct lint__ctx *c)
{
	size_t i;

	for (i = 0; i < c->supp_nr; i++) {
		const struct lint__supp *s = &c->supp[i];
		if (!s->active || s->used)
			continue;
		if (s->proj)
			lint__add(c, "unused-suppression", s->proj, &s->s->pos,
			    c->inv->path, "lint_ignore for '%s' on project '%s' "
			    "matched no finding", s->s->rule, s->proj->name);
		else
			lint__add(c, "unused-suppression", NULL, &s->s->pos,
			    c->inv->path, "lint_ignore for '%s' matched no "
			    "finding", s->s->rule);
	}
}

/* ---- helpers on tags ---- */

bool
lint__active(const struct inv_project *p)
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
const struct inv_tag *
lint__tag_source(const struct lint__ctx *c, const struct inv_project *p,
    const char *key, bool *own)
{
	const struct inv_tag *t = find_tag(&p->own_tags, key);

	*own = t != NULL;
	return t ? t : find_tag(&c->inv->defaults, key);
}

const char *
lint__known_exact(const struct lint__ctx *c, const char *k)
{
	size_t i;

	for (i = 0; i < c->known_nr; i++)
		if (strcmp(c->known[i], k) == 0)
			return c->known[i];
	return NULL;
}

const char *
lint__known_nocase(const struct lint__ctx *c, const char *k)
{
	size_t i;

	for (i = 0; i < c->known_nr; i++)
		if (strcasecmp(c->known[i], k) == 0)
			return c->known[i];
	return NULL;
}

const struct inv_tag_rule *
lint__tax_rule(const struct inventory *inv, const char *key)
{
	size_t i;

	for (i = 0; i < inv->taxonomy.tags_nr; i++)
		if (strcmp(inv->taxonomy.tags[i].key, key) == 0)
			return &inv->taxonomy.tags[i];
	return NULL;
}

static void
build_known(struct lint__ctx *c)
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
size_t
lint__space_at(const char *s, size_t len)
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
		size_t n = lint__space_at(s + i, len - i);
		if (n && i + n == len)
			return true;
	}
	return false;
}

const char *
lint__edge_space(const char *s)
{
	size_t len = strlen(s);
	bool lead = lint__space_at(s, len) > 0;
	bool trail = space_before_end(s, len);

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
key_stats_build(struct lint__ctx *c, struct key_stats *ks)
{
	const struct inventory *inv = c->inv;
	size_t i, j, ngroups = 0;

	for (i = 0; i < inv->projects_nr; i++) {
		const struct inv_project *p = &inv->projects[i];
		if (!lint__active(p))
			continue;
		for (j = 0; j < p->tags.nr; j++) {
			const char *k = p->tags.items[j].key;
			bool fresh;
			size_t *slot =
			    lint__map_put(&ks->by_key, k, ks->nr, &fresh);
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
				g = lint__map_put(&ks->by_lower, s->lower,
				    ngroups, &gfresh);
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
check_tag(struct lint__ctx *c, struct key_stats *ks, const struct inv_tag *t,
    const struct inv_project *proj)
{
	const char *k = t->key ? t->key : "", *v = t->value ? t->value : "";
	const char *exact = lint__known_exact(c, k), *nocase, *ws;
	size_t *si;

	if (!exact && (nocase = lint__known_nocase(c, k))) {
		lint__add(c, "key-case-mismatch", proj, &t->key_pos,
		    c->inv->path, "tag key '%s' differs only in case from the "
		    "taxonomy key '%s'", k, nocase);
	} else if (!exact) {
		si = lint__map_get(&ks->by_key, k);
		if (si && ks->gsize[ks->sp[*si].group] > 1 &&
		    ks->canon[ks->sp[*si].group] != *si) {
			struct ps_buf sp = PS_BUF_INIT;
			key_spellings(&sp, ks, ks->sp[*si].group);
			lint__add(c, "key-case-mismatch", proj, &t->key_pos,
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
			lint__add(c, "undeclared-tag-key", proj, &t->key_pos,
			    c->inv->path, "tag key '%s' is not declared in "
			    "taxonomy.tags (used by %zu project%s)", k,
			    ks->sp[*si].count, ks->sp[*si].count == 1 ? "" : "s");
		}
	}
	if (t->value && !*v)
		lint__add(c, "empty-tag-value", proj, &t->value_pos,
		    c->inv->path, "tag '%s' has an empty value", k);
	if ((ws = lint__edge_space(k)))
		lint__add(c, "whitespace-in-value", proj, &t->key_pos,
		    c->inv->path, "tag key '%s' has %s whitespace", k, ws);
	if ((ws = lint__edge_space(v)))
		lint__add(c, "whitespace-in-value", proj, &t->value_pos,
		    c->inv->path, "%s value '%s' has %s whitespace", k, v, ws);
}

static void
check_tags(struct lint__ctx *c)
{
	const struct inventory *inv = c->inv;
	struct key_stats ks = { 0 };
	size_t i, j;

	key_stats_build(c, &ks);
	for (j = 0; j < inv->defaults.nr; j++)
		check_tag(c, &ks, &inv->defaults.items[j], NULL);
	for (i = 0; i < inv->projects_nr; i++) {
		const struct inv_project *p = &inv->projects[i];
		if (!lint__active(p))
			continue;
		for (j = 0; j < p->own_tags.nr; j++)
			check_tag(c, &ks, &p->own_tags.items[j], p);
	}
	key_stats_release(&ks);
}

/* ---- unused-allowed-value ---- */

/* Where allowed value a is written, else the rule's key. */
const struct inv_pos *
lint__allowed_pos(const struct inv_tag_rule *tr, size_t a)
{
	if (tr->allowed_pos && tr->allowed_pos[a].line)
		return &tr->allowed_pos[a];
	return &tr->pos;
}

static void
check_unused_allowed(struct lint__ctx *c)
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
			if (!lint__active(&inv->projects[i]))
				continue;
			v = tag_set_get(&inv->projects[i].tags, tr->key);
			if (v && (slot = lint__map_get(&idx, v)))
				used[*slot] = true;
		}
		for (a = 0; a < tr->allowed_nr; a++)
			if (!used[a])
				lint__add(c, "unused-allowed-value", NULL,
				    lint__allowed_pos(tr, a), inv->path,
				    "%s allows '%s' but no project uses it",
				    tr->key, tr->allowed[a]);
		free(used);
		lint__map_release(&idx);
	}
}

/* ---- --tag-policy ---- */

static void
policy_tag(struct lint__ctx *c, const struct inv_tag *t,
    const struct inv_project *p)
{
	const struct lint__tp_key *pk;
	struct ps_buf vals = PS_BUF_INIT;

	if (!t->key || !(pk = lint__tp_find(c->opts->tag_policy, t->key)))
		return;
	if (strcmp(t->key, pk->tag_key))
		lint__add(c, "tag-policy-key-case", p, &t->key_pos,
		    c->inv->path,
		    "tag key '%s' must be written '%s' (tag policy key '%s')",
		    t->key, pk->tag_key, pk->policy_key);
	if (t->value && !lint__tp_value_ok(pk, t->value)) {
		lint__tp_values_list(&vals, pk);
		lint__add(c, "tag-policy-value", p, &t->value_pos, c->inv->path,
		    "%s value '%s' is not allowed by the tag policy (allowed: "
		    "%s)%s", pk->tag_key, t->value, vals.ptr, pk->enforced ?
		    "; the policy is enforced for " LINT_POLICY_RESOURCE : "");
	}
	ps_buf_release(&vals);
}

bool
lint__has_key_nocase(const struct tag_set *ts, const char *k)
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
check_policy(struct lint__ctx *c)
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
		if (!lint__active(p))
			continue;
		for (j = 0; j < p->own_tags.nr; j++)
			policy_tag(c, &p->own_tags.items[j], p);
		for (j = 0; j < tp->nr; j++)
			if (tp->keys[j].required && !lint__has_key_nocase(
			    &p->tags, tp->keys[j].tag_key))
				lint__add(c, "tag-policy-required", p,
				    &p->name_pos, inv->path, "project '%s' has "
				    "no '%s' tag, which the tag policy requires "
				    "for " LINT_POLICY_RESOURCE, p->name,
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
			lint__add(c, "tag-policy-taxonomy", NULL, &tr->pos,
			    inv->path, "taxonomy key '%s' is written '%s' in "
			    "the tag policy", tr->key, pk->tag_key);
		lint__tp_values_list(&vals, pk);
		for (j = 0; tr->allowed && j < tr->allowed_nr; j++)
			if (!lint__tp_value_ok(pk, tr->allowed[j]))
				lint__add(c, "tag-policy-taxonomy", NULL,
				    lint__allowed_pos(tr, j),
				    inv->path, "taxonomy allows %s '%s' but the "
				    "tag policy does not (allowed: %s)", tr->key,
				    tr->allowed[j], vals.ptr);
		ps_buf_release(&vals);
	}
	for (i = 0; i < tax->required_nr; i++) {
		const struct lint__tp_key *pk =
		    lint__tp_find(tp, tax->required[i]);
		if (pk && strcmp(tax->required[i], pk->tag_key) &&
		    !lint__tax_rule(inv, tax->required[i]))
			lint__add(c, "tag-policy-taxonomy", NULL,
			    &tax->required_pos, inv->path, "required key '%s' "
			    "is written '%s' in the tag policy",
			    tax->required[i], pk->tag_key);
	}
	for (j = 0; j < tp->nr; j++)
		if (tp->keys[j].required && !in_list_nocase(tax->required,
		    tax->required_nr, tp->keys[j].tag_key))
			lint__add_level(c, "tag-policy-taxonomy", DIAG_WARNING,
			    NULL, tax->required_pos.line ? &tax->required_pos :
			    tax->pos.line ? &tax->pos : NULL,
			    "the tag policy requires '%s' on "
			    LINT_POLICY_RESOURCE " but taxonomy.required does "
			    "not list it", tp->keys[j].tag_key);
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
	struct lint__ctx c = { 0 };

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
	lint__check_values(&c);
	lint__check_names(&c);
	check_unused_allowed(&c);
	check_policy(&c);
	if (c.opts->live)
		lint__audit_live(&c);
	if (c.opts->cost_tags)
		lint__audit_cost_tags(&c);
	unused_suppressions(&c);
	finish(out);

	free(c.known);
	free(c.rule_ids);
	free(c.ext);
	free(c.supp);
	return 0;
}
