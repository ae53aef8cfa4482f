/*
 * inventory: the node tree → the inventory model, with every structural
 * check (types, unknown and missing fields) and `include` resolution.
 */
#include "inventory/inventory.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "inventory/tree.h"

struct include_req {
	char *pattern;		/* pool */
	const char *from;	/* the including file */
	unsigned line, col;
};

struct loader {
	struct inventory *inv;
	const struct inv_source *src;
	struct diag_list *dl;
	struct ydiag yd;	/* the file being loaded */
	unsigned errors;	/* over every file */
	struct inv_pool *sp;	/* the inventory's string pool */
	bool top;		/* loading the top file */
	bool no_includes;	/* loading from a buffer */
	size_t projects_alloc;
	size_t files_alloc;
	struct include_req *incs;	/* found in the current file */
	size_t incs_nr, incs_alloc;
};

/* A key and its value, with `<<` merges already applied. */
struct entry {
	const struct ynode *key, *val;
};

static const char *const top_fields[] = { "version", "settings", "taxonomy",
	"defaults", "include", "projects", "lint_ignore", NULL };
static const char *const include_fields[] = { "version", "include",
	"projects", NULL };
static const char *const settings_fields[] = { "region", "unmanaged",
	"ignore_tags", "project_limit", "safety", "record", "name_pattern",
	"billing", NULL };
static const char *const billing_fields[] = { "activate_tags", "profile",
	NULL };
static const char *const safety_fields[] = { "max_changes",
	"max_change_percent", "min_projects_for_percent", NULL };
static const char *const taxonomy_fields[] = { "required", "closed", "tags",
	NULL };
static const char *const rule_fields[] = { "allowed", "pattern",
	"description", NULL };
static const char *const defaults_fields[] = { "tags", NULL };
static const char *const project_fields[] = { "name", "id", "archived",
	"tags", "lint_ignore", NULL };
static const char *const suppression_fields[] = { "rule", "reason", "until",
	NULL };
static const char *const unmanaged_values[] = { "report", "ignore",
	"archive", NULL };

/* ---- reporting ---- */

static void
err_at(struct loader *ld, const struct ynode *n, const char *rule,
    const char *fmt, ...) PS_PRINTF(4, 5);

static void
err_at(struct loader *ld, const struct ynode *n, const char *rule,
    const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	inventory__error(&ld->yd, rule, n ? n->line : 0, n ? n->col : 0, "%s",
	    msg);
	free(msg);
}

static struct inv_pos
pos_of(const struct loader *ld, const struct ynode *n)
{
	struct inv_pos p = { ld->yd.file, n->line, n->col };

	return p;
}

static const char *
type_name(const struct ynode *n)
{
	if (n->type == YN_MAP)
		return "a mapping";
	if (n->type == YN_SEQ)
		return "a list";
	switch (n->kind) {
	case YK_NULL:
		return "empty";
	case YK_BOOL:
		return "a boolean";
	case YK_INT:
		return "an integer";
	case YK_FLOAT:
		return "a number";
	default:
		return "a string";
	}
}

/* Do a and b differ by one swap of neighbours ("tgas", "tags")? */
static bool
one_swap(const char *a, const char *b)
{
	size_t i, n = strlen(a);

	if (n != strlen(b))
		return false;
	for (i = 0; i + 1 < n && a[i] == b[i]; i++)
		;
	return i + 1 < n && a[i] == b[i + 1] && a[i + 1] == b[i] &&
	    strcmp(a + i + 2, b + i + 2) == 0;
}

/* The closest of words to s: a case-only or small spelling difference. */
static const char *
closest(const char *s, const char *const *words)
{
	const char *best = NULL;
	size_t d, bestd = 3, max = strlen(s) < 5 ? 1 : 2;

	for (; *words; words++) {
		if (strcasecmp(s, *words) == 0)
			return *words;
		d = one_swap(s, *words) ? 1 : ps_edit_distance(s, *words, max);
		if (d <= max && d < bestd) {
			best = *words;
			bestd = d;
		}
	}
	return best;
}

/* Report an unknown field; returns the suggestion (one of fields) or NULL. */
static const char *
unknown_field(struct loader *ld, const struct ynode *key, const char *where,
    const char *const *fields)
{
	const char *s = closest(key->u.str, fields);
	struct ps_buf all = PS_BUF_INIT;
	size_t i;

	if (s) {
		err_at(ld, key, "unknown-field", "unknown field '%s' in %s; "
		    "did you mean '%s'?", key->u.str, where, s);
		return s;
	}
	for (i = 0; fields[i]; i++)
		ps_buf_addf(&all, "%s%s", i ? ", " : "", fields[i]);
	err_at(ld, key, "unknown-field", "unknown field '%s' in %s (expected "
	    "one of: %s)", key->u.str, where, all.ptr);
	ps_buf_release(&all);
	return NULL;
}

/*
 * The field a key of a mapping stands for: itself when it is one of
 * fields; else, once the unknown field is reported, the suggestion, when
 * the mapping has no other key for it (*taken: a bit per field, start 0).
 * Reading 'tgas' as 'tags' and 'requried' as 'required' turns one typo
 * into one error, not one per project and required tag; the load fails
 * all the same.  NULL: skip the key.
 */
#define TAKEN_INIT	(1u << 31)	/* fields lists are far shorter */

static const char *
field_of(struct loader *ld, const struct entry *e, size_t nr, size_t i,
    const char *where, const char *const *fields, unsigned *taken)
{
	const char *k = e[i].key->u.str, *s;
	size_t j, f;

	for (f = 0; fields[f]; f++)
		if (!strcmp(k, fields[f]))
			return k;
	if (!(s = unknown_field(ld, e[i].key, where, fields)))
		return NULL;
	if (*taken == 0) {	/* the first typo here: which are spelt right */
		*taken = TAKEN_INIT;
		for (j = 0; j < nr; j++)
			for (f = 0; fields[f]; f++)
				if (!strcmp(e[j].key->u.str, fields[f]))
					*taken |= 1u << f;
	}
	for (f = 0; fields[f] != s; f++)
		;
	if (*taken & (1u << f))
		return NULL;
	*taken |= 1u << f;
	return s;
}

/* ---- typed getters ---- */

static bool
is_null(const struct ynode *n)
{
	return n->type == YN_SCALAR && n->kind == YK_NULL;
}

/* A string value; anything else is reported and gives NULL. */
static char *
get_str(struct loader *ld, const struct ynode *n, const char *what)
{
	if (n->type == YN_SCALAR && n->kind == YK_STR)
		return (char *)n->u.str;
	if (n->type == YN_SCALAR && n->kind == YK_UNKNOWN_TAG)
		return NULL;	/* reported by the parser */
	if (n->type == YN_SCALAR && n->kind == YK_NULL)
		err_at(ld, n, "invalid-type", "%s has no value; write \"\" for "
		    "an empty string", what);
	else if (n->type == YN_SCALAR)
		err_at(ld, n, "invalid-type", "%s must be a string, but YAML "
		    "reads %s as %s; quote it: \"%s\"", what, n->u.str,
		    type_name(n), n->u.str);
	else
		err_at(ld, n, "invalid-type", "%s must be a string, not %s",
		    what, type_name(n));
	return NULL;
}

static bool
get_bool(struct loader *ld, const struct ynode *n, const char *what,
    bool *out)
{
	const char *s = n->u.str;

	if (n->type != YN_SCALAR || n->kind != YK_BOOL) {
		err_at(ld, n, "invalid-type", "%s must be true or false, not %s",
		    what, type_name(n));
		return false;
	}
	*out = s[0] == 't' || s[0] == 'T' || s[0] == 'y' || s[0] == 'Y' ||
	    ((s[0] == 'o' || s[0] == 'O') && (s[1] == 'n' || s[1] == 'N'));
	return true;
}

static bool
get_uint(struct loader *ld, const struct ynode *n, const char *what,
    unsigned long min, unsigned long max, unsigned *out)
{
	const char *s = n->u.str;
	unsigned long v = 0;
	size_t i = 0;

	if (n->type != YN_SCALAR || n->kind != YK_INT) {
		err_at(ld, n, "invalid-type", "%s must be a whole number, not %s",
		    what, type_name(n));
		return false;
	}
	if (s[0] == '+')
		i++;
	for (; s[i]; i++) {
		if (s[i] == '_')
			continue;
		if (s[i] < '0' || s[i] > '9' || v > max)
			break;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (s[i] || v < min || v > max) {
		err_at(ld, n, "invalid-value", "%s must be a whole number from "
		    "%lu to %lu, not %s", what, min, max, s);
		return false;
	}
	*out = (unsigned)v;
	return true;
}

/* ---- mappings with merge keys ---- */

struct keyset {
	const char **slots;
	size_t nr, used;	/* nr: a power of two */
};

static uint32_t
hash_key(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

static void
keyset_put(struct keyset *ks, const char *s)
{
	size_t i;

	for (i = hash_key(s) & (ks->nr - 1); ks->slots[i];
	    i = (i + 1) & (ks->nr - 1))
		;
	ks->slots[i] = s;
	ks->used++;
}

/* Add s; false if it was already there. */
static bool
keyset_add(struct keyset *ks, const char *s)
{
	size_t i;

	if ((ks->used + 1) * 2 > ks->nr) {
		const char **old = ks->slots;
		size_t oldnr = ks->nr;
		ks->nr = ks->nr ? ks->nr * 2 : 64;
		ks->slots = xcalloc(ks->nr, sizeof(*ks->slots));
		ks->used = 0;
		for (i = 0; i < oldnr; i++)
			if (old[i])
				keyset_put(ks, old[i]);
		free(old);
	}
	for (i = hash_key(s) & (ks->nr - 1); ks->slots[i];
	    i = (i + 1) & (ks->nr - 1))
		if (strcmp(ks->slots[i], s) == 0)
			return false;
	keyset_put(ks, s);
	return true;
}

static void
merge_into(struct loader *ld, const struct ynode *map, struct entry **out,
    size_t *nr, size_t *alloc, struct keyset *ks, unsigned depth);

static void
merge_source(struct loader *ld, const struct ynode *src, struct entry **out,
    size_t *nr, size_t *alloc, struct keyset *ks, unsigned depth)
{
	uint32_t i;

	if (src->type == YN_MAP) {
		merge_into(ld, src, out, nr, alloc, ks, depth + 1);
		return;
	}
	if (src->type == YN_SEQ) {
		/* earlier mappings take precedence over later ones */
		for (i = 0; i < src->n; i++) {
			if (src->u.kids[i].type == YN_MAP) {
				merge_into(ld, &src->u.kids[i], out, nr, alloc,
				    ks, depth + 1);
				continue;
			}
			/* at the `<<` value: the item may be far away, in
			 * an anchor */
			err_at(ld, src, "invalid-type", "'<<' merges mappings, "
			    "but this list holds %s", type_name(&src->u.kids[i]));
			break;
		}
		return;
	}
	err_at(ld, src, "invalid-type", "'<<' merges a mapping or a list of "
	    "mappings, not %s", type_name(src));
}

/*
 * Explicit keys first, then merged ones that are not already there: the
 * YAML merge-key rules.  Duplicate explicit keys were reported by the
 * parser; both stay, so both are checked, and the later one wins.
 */
static void
merge_into(struct loader *ld, const struct ynode *map, struct entry **out,
    size_t *nr, size_t *alloc, struct keyset *ks, unsigned depth)
{
	uint32_t i;

	if (depth > INV_MAX_DEPTH)
		return;
	for (i = 0; i + 1 < map->n; i += 2) {
		const struct ynode *k = &map->u.kids[i];
		if (k->type != YN_SCALAR || (k->flags & YN_MERGE))
			continue;
		if (!keyset_add(ks, k->u.str) && depth > 0)
			continue;	/* merged: the key is already set */
		xgrow(out, alloc, *nr + 1, sizeof(**out));
		(*out)[*nr].key = k;
		(*out)[(*nr)++].val = &map->u.kids[i + 1];
	}
	for (i = 0; i + 1 < map->n; i += 2)
		if (map->u.kids[i].type == YN_SCALAR &&
		    (map->u.kids[i].flags & YN_MERGE))
			merge_source(ld, &map->u.kids[i + 1], out, nr, alloc, ks,
			    depth);
}

static bool
has_merge(const struct ynode *map)
{
	uint32_t i;

	for (i = 0; i + 1 < map->n; i += 2)
		if (map->u.kids[i].flags & YN_MERGE)
			return true;
	return false;
}

/*
 * The entries of a mapping (reported and NULL if n is not one).  *nr is
 * set; free the result.
 */
static struct entry *
map_entries(struct loader *ld, const struct ynode *n, const char *what,
    size_t *nr)
{
	struct entry *out = NULL;
	size_t alloc = 0;
	uint32_t i;

	*nr = 0;
	if (n->kind == YK_UNKNOWN_TAG)
		return NULL;	/* reported by the parser */
	if (n->type != YN_MAP) {
		err_at(ld, n, "invalid-type", "%s must be a mapping, not %s", what,
		    type_name(n));
		return NULL;
	}
	if (!has_merge(n)) {
		out = xmalloc((n->n / 2 + 1) * sizeof(*out));
		for (i = 0; i + 1 < n->n; i += 2) {
			if (n->u.kids[i].type != YN_SCALAR)
				continue;
			out[*nr].key = &n->u.kids[i];
			out[(*nr)++].val = &n->u.kids[i + 1];
		}
		return out;
	}
	{
		struct keyset ks = { NULL, 0, 0 };
		merge_into(ld, n, &out, nr, &alloc, &ks, 0);
		free(ks.slots);
	}
	if (!out)
		out = xmalloc(sizeof(*out));
	return out;
}

/* ---- pieces of the model ---- */

static void
load_tags(struct loader *ld, const struct ynode *n, const char *what,
    struct inv_tag_list *out)
{
	struct entry *e;
	size_t nr, i;

	out->items = NULL;
	out->nr = 0;
	if (is_null(n))
		return;
	if (!(e = map_entries(ld, n, what, &nr)))
		return;
	out->items = inventory__pool_alloc(ld->sp, (nr + 1) * sizeof(*out->items),
	    _Alignof(struct inv_tag));
	for (i = 0; i < nr; i++) {
		struct inv_tag *t = &out->items[out->nr];
		const struct ynode *val = e[i].val;
		char *k, *v;
		t->invalid = false;
		if (!(k = get_str(ld, e[i].key, "a tag key")))
			continue;
		if (val->type == YN_SCALAR && val->kind == YK_STR) {
			v = (char *)val->u.str;
		} else {
			/* the message names the key; built only on error */
			char *w = xasprintf("the value of tag '%s'", k);
			v = get_str(ld, val, w);
			free(w);
			if (!v && val->type != YN_SCALAR)
				continue;
			if (!v) {
				/* keep it, so the key does not look missing */
				v = (char *)val->u.str;
				t->invalid = true;
			}
		}
		t->key = k;
		t->value = v;
		t->key_pos = pos_of(ld, e[i].key);
		t->value_pos = pos_of(ld, e[i].val);
		out->nr++;
	}
	free(e);
}

/* A list of strings (a single string is accepted as a list of one). */
static char **
load_str_list(struct loader *ld, const struct ynode *n, const char *what,
    size_t *nr, struct inv_pos **positions, bool allow_single)
{
	char **out, *item_what;
	uint32_t i, count;

	*nr = 0;
	if (positions)
		*positions = NULL;
	if (is_null(n) || n->kind == YK_UNKNOWN_TAG)
		return NULL;
	if (n->type != YN_SEQ && !(allow_single && n->type == YN_SCALAR)) {
		err_at(ld, n, "invalid-type", "%s must be a list of strings, not %s",
		    what, type_name(n));
		return NULL;
	}
	count = n->type == YN_SEQ ? n->n : 1;
	out = inventory__pool_alloc(ld->sp, (count + 1) * sizeof(*out),
	    _Alignof(char *));
	if (positions)
		*positions = inventory__pool_alloc(ld->sp,
		    (count + 1) * sizeof(**positions), _Alignof(struct inv_pos));
	item_what = xasprintf("an entry of %s", what);
	for (i = 0; i < count; i++) {
		const struct ynode *item = n->type == YN_SEQ ? &n->u.kids[i] : n;
		char *s = get_str(ld, item, item_what);
		if (!s)
			continue;
		if (positions)
			(*positions)[*nr] = pos_of(ld, item);
		out[(*nr)++] = s;
	}
	free(item_what);
	out[*nr] = NULL;
	return out;
}

static void
load_suppressions(struct loader *ld, const struct ynode *n,
    struct inv_suppression_list *out)
{
	uint32_t i;

	out->items = NULL;
	out->nr = 0;
	if (is_null(n) || n->kind == YK_UNKNOWN_TAG)
		return;
	if (n->type != YN_SEQ) {
		err_at(ld, n, "invalid-type", "'lint_ignore' must be a list of "
		    "{ rule, reason, until } entries, not %s", type_name(n));
		return;
	}
	out->items = inventory__pool_alloc(ld->sp,
	    (n->n + 1) * sizeof(*out->items), _Alignof(struct inv_suppression));
	for (i = 0; i < n->n; i++) {
		const struct ynode *item = &n->u.kids[i];
		struct inv_suppression s = { 0 };
		struct entry *e;
		size_t nr, j;
		bool bad = false;

		if (!(e = map_entries(ld, item, "a 'lint_ignore' entry", &nr)))
			continue;
		s.pos = pos_of(ld, item);
		for (j = 0; j < nr; j++) {
			const char *k = e[j].key->u.str;
			const struct ynode *v = e[j].val;
			if (!strcmp(k, "rule"))
				s.rule = get_str(ld, v, "'rule'");
			else if (!strcmp(k, "reason"))
				s.reason = get_str(ld, v, "'reason'");
			else if (!strcmp(k, "until")) {
				s.until = get_str(ld, v, "'until'");
				if (!s.until || !ps_valid_date(s.until)) {
					if (s.until)
						err_at(ld, v, "invalid-value",
						    "'until' must be a date as "
						    "YYYY-MM-DD, not '%s'", s.until);
					/* never let a broken entry silence
					 * anything, forever */
					bad = true;
				}
			} else
				unknown_field(ld, e[j].key, "a 'lint_ignore' "
				    "entry", suppression_fields);
		}
		free(e);
		if (!s.rule) {
			err_at(ld, item, "missing-field", "a 'lint_ignore' entry "
			    "needs 'rule' (the rule id to ignore)");
			continue;
		}
		if (!bad)
			out->items[out->nr++] = s;
	}
}

static void
load_safety(struct loader *ld, const struct ynode *n, struct inv_safety *s)
{
	struct entry *e;
	size_t nr, i;

	if (is_null(n) || !(e = map_entries(ld, n, "'safety'", &nr)))
		return;
	for (i = 0; i < nr; i++) {
		const char *k = e[i].key->u.str;
		const struct ynode *v = e[i].val;
		if (!strcmp(k, "max_changes"))
			get_uint(ld, v, "'max_changes'", 0, 10000000,
			    &s->max_changes);
		else if (!strcmp(k, "max_change_percent"))
			get_uint(ld, v, "'max_change_percent'", 0, 100,
			    &s->max_change_percent);
		else if (!strcmp(k, "min_projects_for_percent"))
			get_uint(ld, v, "'min_projects_for_percent'", 0, 10000000,
			    &s->min_projects_for_percent);
		else
			unknown_field(ld, e[i].key, "'safety'", safety_fields);
	}
	free(e);
}

static void
load_billing(struct loader *ld, const struct ynode *n, struct inv_billing *b)
{
	struct entry *e;
	size_t nr, i;

	if (is_null(n) || !(e = map_entries(ld, n, "'billing'", &nr)))
		return;
	b->pos = pos_of(ld, n);
	for (i = 0; i < nr; i++) {
		const char *k = e[i].key->u.str;
		const struct ynode *v = e[i].val;
		if (!strcmp(k, "activate_tags")) {
			get_bool(ld, v, "'activate_tags'", &b->activate_tags);
		} else if (!strcmp(k, "profile")) {
			char *p = get_str(ld, v, "'profile'");
			if (p && !*p)
				err_at(ld, v, "invalid-value", "'profile' is "
				    "empty; leave it out to use the default "
				    "credentials");
			else if (p)
				b->profile = p;	/* in the pool */
		} else {
			unknown_field(ld, e[i].key, "'billing'", billing_fields);
		}
	}
	free(e);
}

/* aa-bbbb-N, aa-gov-bbbb-N: catches typos, not a list of real regions. */
static bool
plausible_region(const char *r)
{
	size_t i, parts = 1;

	if (!*r || r[0] == '-' || r[strlen(r) - 1] == '-')
		return false;
	for (i = 0; r[i]; i++) {
		if (r[i] == '-') {
			if (r[i + 1] == '-')
				return false;
			parts++;
		} else if (!((r[i] >= 'a' && r[i] <= 'z') ||
		    (r[i] >= '0' && r[i] <= '9'))) {
			return false;
		}
	}
	return parts >= 3 && r[strlen(r) - 1] >= '0' && r[strlen(r) - 1] <= '9';
}

static void
load_settings(struct loader *ld, const struct ynode *n)
{
	struct inv_settings *s = &ld->inv->settings;
	struct entry *e;
	size_t nr, i;

	if (is_null(n) || !(e = map_entries(ld, n, "'settings'", &nr)))
		return;
	for (i = 0; i < nr; i++) {
		const char *k = e[i].key->u.str;
		const struct ynode *v = e[i].val;
		if (!strcmp(k, "region")) {
			char *r = get_str(ld, v, "'region'");
			if (r && !plausible_region(r))
				err_at(ld, v, "invalid-value", "'%s' is not an "
				    "AWS region name such as 'us-east-1'", r);
			else if (r)
				s->region = r;
		} else if (!strcmp(k, "unmanaged")) {
			const char *u = get_str(ld, v, "'unmanaged'");
			const char *sug;
			size_t j;
			if (!u)
				continue;
			for (j = 0; unmanaged_values[j]; j++)
				if (!strcmp(u, unmanaged_values[j]))
					break;
			if (unmanaged_values[j]) {
				s->unmanaged = (enum inv_unmanaged)j;
			} else if ((sug = closest(u, unmanaged_values))) {
				err_at(ld, v, "invalid-value", "'unmanaged' is "
				    "'%s'; did you mean '%s'? (report, ignore "
				    "or archive)", u, sug);
			} else {
				err_at(ld, v, "invalid-value", "'unmanaged' must "
				    "be report, ignore or archive, not '%s'", u);
			}
		} else if (!strcmp(k, "ignore_tags")) {
			struct inv_pos *pp;
			size_t j;
			s->ignore_tags = load_str_list(ld, v, "'ignore_tags'",
			    &s->ignore_tags_nr, &pp, false);
			for (j = 0; j < s->ignore_tags_nr; j++)
				if (!*s->ignore_tags[j])
					inventory__error(&ld->yd, "invalid-value",
					    pp[j].line, pp[j].col, "an empty "
					    "pattern in 'ignore_tags'");
		} else if (!strcmp(k, "project_limit")) {
			if (get_uint(ld, v, "'project_limit'", 1, 10000000,
			    &s->project_limit))
				s->project_limit_pos = pos_of(ld, v);
		} else if (!strcmp(k, "safety")) {
			load_safety(ld, v, &s->safety);
		} else if (!strcmp(k, "record")) {
			get_bool(ld, v, "'record'", &s->record);
		} else if (!strcmp(k, "name_pattern")) {
			if ((s->name_pattern = get_str(ld, v, "'name_pattern'")))
				s->name_pattern_pos = pos_of(ld, v);
		} else if (!strcmp(k, "billing")) {
			load_billing(ld, v, &s->billing);
		} else {
			unknown_field(ld, e[i].key, "'settings'", settings_fields);
		}
	}
	free(e);
}

static void
load_tag_rule(struct loader *ld, const struct ynode *key,
    const struct ynode *n, struct inv_tag_rule *r)
{
	struct entry *e;
	size_t nr, i;

	r->pos = pos_of(ld, key);
	if (is_null(n))
		return;		/* `Owner:` declares a key with no constraint */
	if (!(e = map_entries(ld, n, "a taxonomy tag", &nr)))
		return;
	for (i = 0; i < nr; i++) {
		const char *k = e[i].key->u.str;
		const struct ynode *v = e[i].val;
		if (!strcmp(k, "allowed")) {
			r->allowed = load_str_list(ld, v, "'allowed'",
			    &r->allowed_nr, &r->allowed_pos, false);
			if (v->type == YN_SEQ && v->n == 0)
				err_at(ld, v, "invalid-value", "'allowed' is "
				    "empty, so no value could pass; remove it "
				    "to allow any value");
		} else if (!strcmp(k, "pattern")) {
			if ((r->pattern = get_str(ld, v, "'pattern'")))
				r->pattern_pos = pos_of(ld, v);
		} else if (!strcmp(k, "description")) {
			r->description = get_str(ld, v, "'description'");
		} else {
			unknown_field(ld, e[i].key, "a taxonomy tag", rule_fields);
		}
	}
	free(e);
}

static void
load_taxonomy(struct loader *ld, const struct ynode *n)
{
	struct inv_taxonomy *t = &ld->inv->taxonomy;
	struct entry *e;
	size_t nr, i, j;
	unsigned taken = 0;

	if (is_null(n) || !(e = map_entries(ld, n, "'taxonomy'", &nr)))
		return;
	for (i = 0; i < nr; i++) {
		const char *k = field_of(ld, e, nr, i, "'taxonomy'",
		    taxonomy_fields, &taken);
		const struct ynode *v = e[i].val;
		if (!k)
			continue;
		if (!strcmp(k, "required")) {
			if (is_null(v))
				continue;	/* as if absent: the default keys */
			t->required = load_str_list(ld, v, "'required'",
			    &t->required_nr, &t->required_item_pos, false);
			t->required_pos = pos_of(ld, v);
			t->required_given = true;
		} else if (!strcmp(k, "closed")) {
			if (get_bool(ld, v, "'closed'", &t->closed))
				t->closed_pos = pos_of(ld, v);
		} else if (!strcmp(k, "tags")) {
			struct entry *te;
			size_t tn;
			if (is_null(v) || !(te = map_entries(ld, v,
			    "'taxonomy.tags'", &tn)))
				continue;
			t->tags = inventory__pool_alloc(ld->sp,
			    (tn + 1) * sizeof(*t->tags),
			    _Alignof(struct inv_tag_rule));
			t->tags_nr = 0;
			for (j = 0; j < tn; j++) {
				struct inv_tag_rule *r = &t->tags[t->tags_nr];
				memset(r, 0, sizeof(*r));
				if (!(r->key = get_str(ld, te[j].key,
				    "a tag key")))
					continue;
				load_tag_rule(ld, te[j].key, te[j].val, r);
				t->tags_nr++;
			}
			free(te);
		}
	}
	free(e);
}

static void
load_defaults(struct loader *ld, const struct ynode *n)
{
	struct entry *e;
	size_t nr, i;
	unsigned taken = 0;

	if (is_null(n) || !(e = map_entries(ld, n, "'defaults'", &nr)))
		return;
	for (i = 0; i < nr; i++)
		if (field_of(ld, e, nr, i, "'defaults'", defaults_fields,
		    &taken))
			load_tags(ld, e[i].val, "'defaults.tags'",
			    &ld->inv->defaults);
	free(e);
}

static void
load_project(struct loader *ld, const struct ynode *n)
{
	struct inventory *inv = ld->inv;
	struct inv_project *p;
	struct entry *e;
	size_t nr, i;
	unsigned taken = 0;
	bool has_name = false;

	if (n->kind == YK_UNKNOWN_TAG)
		return;
	if (n->type != YN_MAP) {
		err_at(ld, n, "invalid-type", "each entry of 'projects' must be a "
		    "mapping like '{ name: X, tags: {...} }', not %s",
		    type_name(n));
		return;
	}
	if (!(e = map_entries(ld, n, "a project", &nr)))
		return;
	xgrow(&inv->projects, &ld->projects_alloc, inv->projects_nr + 1,
	    sizeof(*inv->projects));
	p = &inv->projects[inv->projects_nr];
	memset(p, 0, sizeof(*p));
	p->index = inv->projects_nr++;
	p->pos = pos_of(ld, n);
	for (i = 0; i < nr; i++) {
		const char *k = field_of(ld, e, nr, i, "a project",
		    project_fields, &taken);
		const struct ynode *v = e[i].val;
		if (!k)
			continue;
		if (!strcmp(k, "name")) {
			has_name = true;
			if ((p->name = get_str(ld, v, "'name'")))
				p->name_pos = pos_of(ld, v);
		} else if (!strcmp(k, "id")) {
			if ((p->id = get_str(ld, v, "'id'")))
				p->id_pos = pos_of(ld, v);
		} else if (!strcmp(k, "archived")) {
			if (get_bool(ld, v, "'archived'", &p->archived))
				p->archived_pos = pos_of(ld, v);
		} else if (!strcmp(k, "tags")) {
			p->tags_pos = pos_of(ld, e[i].key);
			load_tags(ld, v, "'tags'", &p->own_tags);
		} else if (!strcmp(k, "lint_ignore")) {
			load_suppressions(ld, v, &p->lint_ignore);
		}
	}
	free(e);
	if (!has_name)
		err_at(ld, n, "missing-field", "a project needs a 'name'");
}

static void
load_projects(struct loader *ld, const struct ynode *key,
    const struct ynode *n)
{
	uint32_t i;

	if (ld->top)
		ld->inv->projects_pos = pos_of(ld, key);
	if (is_null(n) || n->kind == YK_UNKNOWN_TAG)
		return;
	if (n->type != YN_SEQ) {
		err_at(ld, n, "invalid-type", "'projects' must be a list of "
		    "projects ('- name: ...'), not %s", type_name(n));
		return;
	}
	for (i = 0; i < n->n; i++)
		load_project(ld, &n->u.kids[i]);
}

static void
load_version(struct loader *ld, const struct ynode *n)
{
	if (n->type != YN_SCALAR || n->kind != YK_INT) {
		err_at(ld, n, "invalid-type", "'version' must be the number 1, not "
		    "%s", type_name(n));
		return;
	}
	if (strcmp(n->u.str, "1") != 0) {
		err_at(ld, n, "unsupported-version", "inventory version %s is "
		    "not supported; this projsync reads version 1", n->u.str);
		return;
	}
	if (ld->top) {
		ld->inv->version = 1;
		ld->inv->version_pos = pos_of(ld, n);
	}
}

static void
add_includes(struct loader *ld, const struct ynode *n)
{
	struct inv_pos *pp;
	char **pats;
	size_t nr, i;

	pats = load_str_list(ld, n, "'include'", &nr, &pp, true);
	for (i = 0; i < nr; i++) {
		if (!*pats[i]) {
			inventory__error(&ld->yd, "invalid-value", pp[i].line,
			    pp[i].col, "an empty 'include' pattern");
			continue;
		}
		if (ld->no_includes) {
			inventory__warning(&ld->yd, "include-error", pp[i].line,
			    pp[i].col, "'%s' is not included: includes are "
			    "only resolved when loading from files", pats[i]);
			continue;
		}
		xgrow(&ld->incs, &ld->incs_alloc, ld->incs_nr + 1,
		    sizeof(*ld->incs));
		ld->incs[ld->incs_nr].pattern = pats[i];
		ld->incs[ld->incs_nr].from = ld->yd.file;
		ld->incs[ld->incs_nr].line = pp[i].line;
		ld->incs[ld->incs_nr++].col = pp[i].col;
	}
}

static bool
is_field(const char *s, const char *const *fields)
{
	size_t i;

	for (i = 0; fields[i]; i++)
		if (!strcmp(fields[i], s))
			return true;
	return false;
}

static void
load_root(struct loader *ld, const struct ynode *root)
{
	const char *const *fields = ld->top ? top_fields : include_fields;
	struct entry *e;
	size_t nr, i;
	unsigned taken = 0;
	bool have_version = false;

	if (root->type != YN_MAP) {
		err_at(ld, root, "invalid-type", "the top level of an inventory "
		    "must be a mapping (version, settings, taxonomy, defaults, "
		    "include, projects), not %s", type_name(root));
		return;
	}
	if (!(e = map_entries(ld, root, "the top level", &nr)))
		return;
	for (i = 0; i < nr; i++) {
		const struct ynode *k = e[i].key, *v = e[i].val;
		const char *s = k->u.str;
		if (!strncmp(s, "x-", 2))
			continue;	/* extension keys: hold anchors */
		if (!ld->top && is_field(s, top_fields) &&
		    !is_field(s, include_fields)) {
			err_at(ld, k, "misplaced-field", "'%s' belongs in the top "
			    "file '%s'; an included file holds only 'projects' "
			    "(and 'include')", s, ld->inv->path);
			continue;
		}
		if (!(s = field_of(ld, e, nr, i, "the top level", fields,
		    &taken)))
			continue;
		if (!strcmp(s, "version")) {
			have_version = true;
			load_version(ld, v);
		} else if (!strcmp(s, "projects")) {
			load_projects(ld, k, v);
		} else if (!strcmp(s, "include")) {
			add_includes(ld, v);
		} else if (ld->top && !strcmp(s, "settings")) {
			ld->inv->settings.pos = pos_of(ld, k);
			load_settings(ld, v);
		} else if (ld->top && !strcmp(s, "taxonomy")) {
			ld->inv->taxonomy.pos = pos_of(ld, k);
			load_taxonomy(ld, v);
		} else if (ld->top && !strcmp(s, "defaults")) {
			ld->inv->defaults_pos = pos_of(ld, k);
			load_defaults(ld, v);
		} else if (ld->top && !strcmp(s, "lint_ignore")) {
			load_suppressions(ld, v, &ld->inv->lint_ignore);
		}
	}
	free(e);
	if (ld->top && !have_version)
		inventory__warning(&ld->yd, "missing-version", 1, 1, "no "
		    "'version: 1' at the top of the file; add it so later "
		    "formats can be told apart");
}

/* ---- files and includes ---- */

/* a/./b/../c → a/c, lexically; keeps leading ../ and a leading /. */
static char *
normalize_path(const char *path)
{
	struct ps_buf out = PS_BUF_INIT;
	const char **seg = NULL;
	size_t nseg = 0, alloc = 0, i, ups = 0;
	char *copy = xstrdup(path), *save = NULL, *s;
	bool abs = path[0] == '/';

	for (s = strtok_r(copy, "/", &save); s; s = strtok_r(NULL, "/", &save)) {
		if (!strcmp(s, "."))
			continue;
		if (!strcmp(s, "..")) {
			if (nseg > ups) {
				nseg--;
				continue;
			}
			if (abs)
				continue;
			ups++;
		}
		xgrow(&seg, &alloc, nseg + 1, sizeof(*seg));
		seg[nseg++] = s;
	}
	if (abs)
		ps_buf_addch(&out, '/');
	for (i = 0; i < nseg; i++)
		ps_buf_addf(&out, "%s%s", i ? "/" : "", seg[i]);
	if (!out.len)
		ps_buf_addch(&out, '.');
	free(seg);
	free(copy);
	return ps_buf_detach(&out);
}

/* pattern relative to the folder of `from` */
static char *
join_relative(const char *from, const char *pattern)
{
	const char *slash = strrchr(from, '/');
	char *joined, *norm;

	if (pattern[0] == '/' || !slash)
		joined = xstrdup(pattern);
	else
		joined = xasprintf("%.*s/%s", (int)(slash - from), from, pattern);
	norm = normalize_path(joined);
	free(joined);
	return norm;
}

static const char *
add_file(struct loader *ld, const char *path)
{
	struct inventory *inv = ld->inv;
	char *p = inventory__pool_strdup(ld->sp, path);

	xgrow(&inv->files, &ld->files_alloc, inv->files_nr + 1,
	    sizeof(*inv->files));
	inv->files[inv->files_nr++] = p;
	return p;
}

static bool
already_loaded(const struct loader *ld, const char *path)
{
	size_t i;

	/* files are few (INV_MAX_FILES); a linear scan is enough */
	for (i = 0; i < ld->inv->files_nr; i++)
		if (strcmp(ld->inv->files[i], path) == 0)
			return true;
	return false;
}

static void process_includes(struct loader *ld, struct include_req *reqs,
    size_t nr, unsigned depth);

/*
 * Parse the bytes of one file into the model.  Returns PS_EINVALID when the
 * file is unusable (reported), else 0; other problems are counted.
 */
static int
load_bytes(struct loader *ld, const char *file, const char *buf, size_t len,
    unsigned depth)
{
	struct ytree tree;
	struct include_req *reqs;
	size_t nreqs;
	int err;

	ld->yd.file = file;
	ld->yd.errors = 0;
	ld->incs = NULL;
	ld->incs_nr = ld->incs_alloc = 0;
	err = inventory__tree_parse(&tree, ld->sp, &ld->yd, buf, len);
	if (err == 0 && !tree.has_root) {
		inventory__error(&ld->yd, "empty-file", 1, 1, "the file holds "
		    "no YAML document; an inventory starts with 'version: 1' "
		    "and lists 'projects'");
		err = PS_EINVALID;
	}
	if (err == 0)
		load_root(ld, &tree.root);
	inventory__tree_release(&tree);
	ld->errors += ld->yd.errors;
	if (err < 0 && err != PS_EINVALID)
		return err;
	/* ld->incs belongs to this file; nested loads reuse the field */
	reqs = ld->incs;
	nreqs = ld->incs_nr;
	ld->incs = NULL;
	ld->incs_nr = ld->incs_alloc = 0;
	if (err == 0)
		process_includes(ld, reqs, nreqs, depth);
	free(reqs);
	return err;
}

static int
load_one(struct loader *ld, const char *path, const struct include_req *req,
    unsigned depth)
{
	struct ps_buf buf = PS_BUF_INIT;
	const char *file;
	int err;

	if (ld->inv->files_nr >= INV_MAX_FILES) {
		ld->yd.file = req->from;
		inventory__error(&ld->yd, "include-error", req->line, req->col,
		    "more than %u files; not including '%s'", INV_MAX_FILES,
		    path);
		ld->errors++;
		return 0;
	}
	err = ld->src->read(&buf, path, ld->src->payload);
	if (err < 0) {
		ld->yd.file = req->from;
		inventory__error(&ld->yd, err == PS_ENOTFOUND ?
		    "include-not-found" : err == PS_EINVALID ? "file-too-large" :
		    "include-error", req->line, req->col, "%s%s",
		    err == PS_ENOTFOUND ? "included file does not exist: " :
		    "", err == PS_ENOTFOUND ? path : ps_error_last());
		ld->errors++;
		ps_buf_release(&buf);
		return 0;
	}
	file = add_file(ld, path);
	ld->top = false;
	err = load_bytes(ld, file, ps_buf_cstr(&buf), buf.len, depth);
	ps_buf_release(&buf);
	return err == PS_EINVALID ? 0 : err;
}

static bool
has_glob_chars(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

static void
process_includes(struct loader *ld, struct include_req *reqs, size_t nr,
    unsigned depth)
{
	size_t i, j;

	for (i = 0; i < nr; i++) {
		struct include_req *r = &reqs[i];
		char *pattern = join_relative(r->from, r->pattern);
		char **paths = NULL;
		size_t npaths = 0;
		int err;

		if (depth + 1 > INV_MAX_INCLUDE_DEPTH) {
			ld->yd.file = r->from;
			inventory__error(&ld->yd, "include-error", r->line, r->col,
			    "includes nested deeper than %d files",
			    INV_MAX_INCLUDE_DEPTH);
			ld->errors++;
			free(pattern);
			continue;
		}
		if (!has_glob_chars(r->pattern)) {
			if (!already_loaded(ld, pattern))
				load_one(ld, pattern, r, depth + 1);
			free(pattern);
			continue;
		}
		err = ld->src->glob(&paths, &npaths, pattern, ld->src->payload);
		if (err < 0) {
			ld->yd.file = r->from;
			inventory__error(&ld->yd, "include-error", r->line, r->col,
			    "%s", ps_error_last());
			ld->errors++;
		} else if (!npaths) {
			ld->yd.file = r->from;
			inventory__warning(&ld->yd, "include-no-match", r->line,
			    r->col, "'%s' matches no file", r->pattern);
		}
		for (j = 0; j < npaths; j++) {
			char *norm = normalize_path(paths[j]);
			/* overlapping patterns and cycles: each file once */
			if (!already_loaded(ld, norm))
				load_one(ld, norm, r, depth + 1);
			free(norm);
			free(paths[j]);
		}
		free(paths);
		free(pattern);
	}
}

/* ---- effective tags and indices ---- */

struct ptag {
	const struct tag *t;
	size_t order;
};

static int
cmp_ptag(const void *pa, const void *pb)
{
	const struct ptag *a = pa, *b = pb;
	int c = strcmp(a->t->key, b->t->key);

	if (c)
		return c;
	return a->order < b->order ? -1 : a->order > b->order;
}

/* defaults.tags under own_tags, sorted by key; the last one written wins */
static void
merge_tags(struct loader *ld, struct inv_project *p)
{
	const struct inv_tag_list *d = &ld->inv->defaults;
	size_t n = d->nr + p->own_tags.nr, i, k = 0;
	struct tag *all;
	struct ptag *order;

	p->tags.items = NULL;
	p->tags.nr = p->tags.alloc = 0;
	if (!n)
		return;
	all = inventory__pool_alloc(ld->sp, n * sizeof(*all),
	    _Alignof(struct tag));
	for (i = 0; i < d->nr; i++) {
		all[k].key = d->items[i].key;
		all[k++].value = d->items[i].value;
	}
	for (i = 0; i < p->own_tags.nr; i++) {
		all[k].key = p->own_tags.items[i].key;
		all[k++].value = p->own_tags.items[i].value;
	}
	order = xmalloc(n * sizeof(*order));
	for (i = 0; i < n; i++) {
		order[i].t = &all[i];
		order[i].order = i;
	}
	qsort(order, n, sizeof(*order), cmp_ptag);
	p->tags.items = inventory__pool_alloc(ld->sp, n * sizeof(struct tag),
	    _Alignof(struct tag));
	for (i = 0; i < n; i++) {
		if (i + 1 < n && strcmp(order[i].t->key, order[i + 1].t->key) == 0)
			continue;	/* a later entry overrides this one */
		p->tags.items[p->tags.nr++] = *order[i].t;
	}
	p->tags.alloc = p->tags.nr;
	free(order);
}

struct keyed {
	const char *key;
	size_t index;
};

static int
cmp_keyed(const void *pa, const void *pb)
{
	const struct keyed *a = pa, *b = pb;
	int c = strcmp(a->key, b->key);

	return c ? c : (a->index < b->index ? -1 : a->index > b->index);
}

/* Indices of the projects that have the field, sorted by it. */
static size_t *
sorted_index(const struct inventory *inv, bool by_id, size_t *nr)
{
	struct keyed *k = xmalloc((inv->projects_nr + 1) * sizeof(*k));
	size_t *out, i, n = 0;

	for (i = 0; i < inv->projects_nr; i++) {
		const char *key = by_id ? inv->projects[i].id :
		    inv->projects[i].name;
		if (!key)
			continue;
		k[n].key = key;
		k[n++].index = i;
	}
	qsort(k, n, sizeof(*k), cmp_keyed);
	out = xmalloc((n + 1) * sizeof(*out));
	for (i = 0; i < n; i++)
		out[i] = k[i].index;
	free(k);
	*nr = n;
	return out;
}

static void
build_indices(struct inventory *inv)
{
	inv->by_name = sorted_index(inv, false, &inv->by_name_nr);
	inv->by_id = sorted_index(inv, true, &inv->by_id_nr);
}

/* ---- sources ---- */

static int
fs_read(struct ps_buf *out, const char *path, void *payload)
{
	struct stat st;
	ssize_t n;
	int fd;

	(void)payload;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return ps_error(errno == ENOENT ? PS_ENOTFOUND : PS_EFAIL,
		    "cannot open '%s': %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || S_ISDIR(st.st_mode)) {
		int e = S_ISDIR(st.st_mode) ? EISDIR : errno;
		close(fd);
		return ps_error(PS_EFAIL, "cannot read '%s': %s", path,
		    strerror(e));
	}
	/* refuse before reading: a huge file costs nothing this way */
	if (S_ISREG(st.st_mode) && st.st_size > (off_t)INV_MAX_FILE_BYTES) {
		close(fd);
		return ps_error(PS_EINVALID, "'%s' is %lld bytes; the limit "
		    "is %u MiB per file (split it with 'include')", path,
		    (long long)st.st_size, INV_MAX_FILE_BYTES >> 20);
	}
	ps_buf_reset(out);
	ps_buf_grow(out, S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : 4096);
	for (;;) {
		if (out->alloc - out->len < 4096)
			ps_buf_grow(out, 65536);
		n = read(fd, out->ptr + out->len, out->alloc - out->len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			close(fd);
			return ps_error(PS_EFAIL, "cannot read '%s': %s", path,
			    strerror(e));
		}
		if (n == 0)
			break;
		out->len += (size_t)n;
		out->ptr[out->len] = '\0';
		if (out->len > INV_MAX_FILE_BYTES) {
			close(fd);
			return ps_error(PS_EINVALID, "'%s' is larger than the "
			    "limit of %u MiB per file", path,
			    INV_MAX_FILE_BYTES >> 20);
		}
	}
	close(fd);
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
fs_glob(char ***paths, size_t *nr, const char *pattern, void *payload)
{
	glob_t g;
	size_t i;
	int rc;

	(void)payload;
	*paths = NULL;
	*nr = 0;
	rc = glob(pattern, GLOB_MARK | GLOB_NOSORT, NULL, &g);
	if (rc == GLOB_NOMATCH)
		return 0;
	if (rc != 0) {
		if (rc != GLOB_NOSPACE)
			globfree(&g);
		return ps_error(PS_EFAIL, "cannot expand '%s'", pattern);
	}
	*paths = xcalloc(g.gl_pathc + 1, sizeof(**paths));
	for (i = 0; i < g.gl_pathc; i++) {
		size_t l = strlen(g.gl_pathv[i]);
		if (l && g.gl_pathv[i][l - 1] == '/')
			continue;	/* a folder */
		(*paths)[(*nr)++] = xstrdup(g.gl_pathv[i]);
	}
	globfree(&g);
	/* byte order, not the locale's collation: the same on every machine */
	qsort(*paths, *nr, sizeof(**paths), cmp_str);
	return 0;
}

const struct inv_source inventory_fs_source = { fs_read, fs_glob, NULL };

struct mem_source {
	const char *name;
	const char *buf;
	size_t len;
};

static int
mem_read(struct ps_buf *out, const char *path, void *payload)
{
	const struct mem_source *m = payload;

	if (strcmp(path, m->name) != 0)
		return ps_error(PS_ENOTFOUND, "'%s' is not available", path);
	ps_buf_reset(out);
	ps_buf_add(out, m->buf, m->len);
	return 0;
}

static int
mem_glob(char ***paths, size_t *nr, const char *pattern, void *payload)
{
	(void)pattern;
	(void)payload;
	*paths = NULL;
	*nr = 0;
	return 0;
}

/* ---- entry points ---- */

static void
init_defaults(struct inventory *inv)
{
	static char *default_required[] = { "Application", "Environment", "Team",
		"CostCenter", NULL };

	inv->settings.project_limit = 1000;
	inv->settings.safety.max_changes = 50;
	inv->settings.safety.max_change_percent = 30;
	inv->settings.safety.min_projects_for_percent = 10;
	inv->taxonomy.required = default_required;
	inv->taxonomy.required_nr = 4;
}

static int
load(struct inventory **out, const char *path, const struct inv_source *src,
    struct diag_list *dl, bool no_includes)
{
	struct loader ld = { 0 };
	struct inventory *inv;
	struct ps_buf buf = PS_BUF_INIT;
	size_t i;
	int err;

	*out = NULL;
	inv = xcalloc(1, sizeof(*inv));
	inv->pool = xcalloc(1, sizeof(*inv->pool));
	init_defaults(inv);
	ld.inv = inv;
	ld.src = src;
	ld.dl = dl;
	ld.yd.dl = dl;
	ld.sp = inv->pool;
	ld.no_includes = no_includes;
	inv->path = inventory__pool_strdup(ld.sp, path);
	inv->version_pos.file = inv->path;

	err = src->read(&buf, path, src->payload);
	if (err == PS_EINVALID) {
		/* too large: a finding about the inventory, not an I/O error */
		ld.yd.file = inv->path;
		inventory__error(&ld.yd, "file-too-large", 0, 0, "%s",
		    ps_error_last());
		goto out;
	}
	if (err < 0)
		goto out;
	if (buf.len > INV_MAX_FILE_BYTES) {
		ld.yd.file = inv->path;
		inventory__error(&ld.yd, "file-too-large", 0, 0, "'%s' is larger "
		    "than the limit of %u MiB per file", path,
		    INV_MAX_FILE_BYTES >> 20);
		err = PS_EINVALID;
		goto out;
	}
	sha256_hex(inv->sha256, buf.ptr ? buf.ptr : "", buf.len);
	inv->files = NULL;
	add_file(&ld, path);
	inv->path = inv->files[0];
	inv->version_pos.file = inv->path;
	ld.top = true;
	err = load_bytes(&ld, inv->path, ps_buf_cstr(&buf), buf.len, 0);
	if (err < 0)
		goto out;
	for (i = 0; i < inv->projects_nr; i++)
		merge_tags(&ld, &inv->projects[i]);
	build_indices(inv);
	if (ld.errors)
		err = PS_EINVALID;
	*out = inv;
	inv = NULL;
out:
	ps_buf_release(&buf);
	inventory_free(inv);
	return err;
}

int
inventory_load_source(struct inventory **out, const char *path,
    const struct inv_source *src, struct diag_list *dl)
{
	return load(out, path, src, dl, false);
}

int
inventory_load_file(struct inventory **out, const char *path,
    struct diag_list *dl)
{
	return load(out, path, &inventory_fs_source, dl, false);
}

int
inventory_load_buffer(struct inventory **out, const char *name,
    const char *buf, size_t len, struct diag_list *dl)
{
	struct mem_source m = { name, buf, len };
	struct inv_source src = { mem_read, mem_glob, &m };

	return load(out, name, &src, dl, true);
}
