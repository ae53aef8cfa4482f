/*
 * lint: value-case-mismatch and near-duplicate-value.  The distinct values
 * of each key are grouped (hash map), clustered by case, white space and
 * one-edit spellings (union-find), and each cluster reports its minority
 * spellings against the majority one.
 */
#include "lint/lint_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "policy/policy.h"

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

	bool sa = lint__edge_space(v[a].value) != NULL;
	bool sb = lint__edge_space(v[b].value) != NULL;

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

	if (!lint__edge_space(a))
		return false;
	while (start < len && (n = lint__space_at(a + start, len - start)))
		start += n;
	while (cut && len > start) {
		cut = false;
		for (i = len > start + 3 ? len - 3 : start; i < len; i++) {
			n = lint__space_at(a + i, len - i);
			if (n && i + n == len) {
				len = i;
				cut = true;
				break;
			}
		}
	}
	return len - start == strlen(b) && !memcmp(a + start, b, len - start);
}

void
lint__check_values(struct lint__ctx *c)
{
	const struct inventory *inv = c->inv;
	struct lint__map gidx = LINT__MAP_INIT;
	struct vgroup *gs = NULL;
	size_t gs_nr = 0, gs_alloc = 0, order = 0, i, j;

	for (i = 0; i < inv->projects_nr; i++) {
		const struct inv_project *p = &inv->projects[i];
		if (!lint__active(p))
			continue;
		for (j = 0; j < p->tags.nr; j++) {
			const struct tag *t = &p->tags.items[j];
			const struct inv_tag_rule *tr =
			    lint__tax_rule(inv, t->key);
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
		if (!lint__active(p))
			continue;
		for (j = 0; j < p->tags.nr; j++) {
			const struct tag *t = &p->tags.items[j];
			const struct inv_tag *src;
			size_t *gi = lint__map_get(&gidx, t->key), *vi;
			struct vgroup *g;
			struct dval *d, *canon;
			bool own, case_only;

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
			src = lint__tag_source(c, p, t->key, &own);
			case_only = strcasecmp(d->value, canon->value) == 0;
			lint__add(c, case_only ? "value-case-mismatch" :
			    "near-duplicate-value", own ? p : NULL,
			    src ? &src->value_pos : &p->pos, inv->path,
			    "%s value '%s' %s '%s' (spellings: %s)", t->key,
			    d->value, case_only ? "differs only in case from" :
			    "looks like a variant of", canon->value,
			    cluster_spellings(g, d));
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
