/*
 * inventory: the parts of the model (settings, taxonomy, defaults,
 * projects, lint_ignore, version, include) loaded from their nodes, with
 * every structural check: types, unknown and missing fields.
 */
#include "inventory/internal.h"

#include <stdlib.h>
#include <string.h>

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


static void
load_tags(struct loader *ld, const struct ynode *n, const char *what,
    struct inv_tag_list *out)
{
	struct entry *e;
	size_t nr, i;

	out->items = NULL;
	out->nr = 0;
	if (inventory__is_null(n))
		return;
	if (!(e = inventory__map_entries(ld, n, what, &nr)))
		return;
	out->items = inventory__pool_alloc(ld->sp,
	    (nr + 1) * sizeof(*out->items), _Alignof(struct inv_tag));
	for (i = 0; i < nr; i++) {
		struct inv_tag *t = &out->items[out->nr];
		const struct ynode *val = e[i].val;
		char *k, *v;
		t->invalid = false;
		if (!(k = inventory__get_str(ld, e[i].key, "a tag key")))
			continue;
		if (val->type == YN_SCALAR && val->kind == YK_STR) {
			v = (char *)val->u.str;
		} else {
			/* the message names the key; built only on error */
			char *w = xasprintf("the value of tag '%s'", k);
			v = inventory__get_str(ld, val, w);
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
		t->key_pos = inventory__pos_of(ld, e[i].key);
		t->value_pos = inventory__pos_of(ld, e[i].val);
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
	if (inventory__is_null(n) || n->kind == YK_UNKNOWN_TAG)
		return NULL;
	if (n->type != YN_SEQ && !(allow_single && n->type == YN_SCALAR)) {
		inventory__err_at(ld, n, "invalid-type",
		    "%s must be a list of strings, not %s", what,
		    inventory__type_name(n));
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
		char *s = inventory__get_str(ld, item, item_what);
		if (!s)
			continue;
		if (positions)
			(*positions)[*nr] = inventory__pos_of(ld, item);
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
	if (inventory__is_null(n) || n->kind == YK_UNKNOWN_TAG)
		return;
	if (n->type != YN_SEQ) {
		inventory__err_at(ld, n, "invalid-type",
		    "'lint_ignore' must be a list of { rule, reason, until } "
		    "entries, not %s",
		    inventory__type_name(n));
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

		if (!(e = inventory__map_entries(ld, item,
		    "a 'lint_ignore' entry", &nr)))
			continue;
		s.pos = inventory__pos_of(ld, item);
		for (j = 0; j < nr; j++) {
			const char *k = e[j].key->u.str;
			const struct ynode *v = e[j].val;
			if (!strcmp(k, "rule"))
				s.rule = inventory__get_str(ld, v, "'rule'");
			else if (!strcmp(k, "reason"))
				s.reason =
				    inventory__get_str(ld, v, "'reason'");
			else if (!strcmp(k, "until")) {
				s.until = inventory__get_str(ld, v, "'until'");
				if (!s.until || !ps_valid_date(s.until)) {
					if (s.until)
						inventory__err_at(ld, v,
						    "invalid-value",
						    "'until' must be a date as "
						    "YYYY-MM-DD, not '%s'",
						    s.until);
					/* never let a broken entry silence
					 * anything, forever */
					bad = true;
				}
			} else
				inventory__unknown_field(ld, e[j].key,
				    "a 'lint_ignore' entry",
				    suppression_fields);
		}
		free(e);
		if (!s.rule) {
			inventory__err_at(ld, item, "missing-field",
			    "a 'lint_ignore' entry needs 'rule' (the rule id "
			    "to ignore)");
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

	if (inventory__is_null(n) ||
	    !(e = inventory__map_entries(ld, n, "'safety'", &nr)))
		return;
	for (i = 0; i < nr; i++) {
		const char *k = e[i].key->u.str;
		const struct ynode *v = e[i].val;
		if (!strcmp(k, "max_changes"))
			inventory__get_uint(ld, v, "'max_changes'", 0, 10000000,
			    &s->max_changes);
		else if (!strcmp(k, "max_change_percent"))
			inventory__get_uint(ld, v, "'max_change_percent'", 0,
			    100, &s->max_change_percent);
		else if (!strcmp(k, "min_projects_for_percent"))
			inventory__get_uint(ld, v, "'min_projects_for_percent'",
			    0, 10000000, &s->min_projects_for_percent);
		else
			inventory__unknown_field(ld, e[i].key, "'safety'",
			    safety_fields);
	}
	free(e);
}

static void
load_billing(struct loader *ld, const struct ynode *n, struct inv_billing *b)
{
	struct entry *e;
	size_t nr, i;

	if (inventory__is_null(n) ||
	    !(e = inventory__map_entries(ld, n, "'billing'", &nr)))
		return;
	b->pos = inventory__pos_of(ld, n);
	for (i = 0; i < nr; i++) {
		const char *k = e[i].key->u.str;
		const struct ynode *v = e[i].val;
		if (!strcmp(k, "activate_tags")) {
			inventory__get_bool(ld, v, "'activate_tags'",
			    &b->activate_tags);
		} else if (!strcmp(k, "profile")) {
			char *p = inventory__get_str(ld, v, "'profile'");
			if (p && !*p)
				inventory__err_at(ld, v, "invalid-value",
				    "'profile' is empty; leave it out to use "
				    "the default credentials");
			else if (p)
				b->profile = p;	/* in the pool */
		} else {
			inventory__unknown_field(ld, e[i].key, "'billing'",
			    billing_fields);
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

	if (inventory__is_null(n) ||
	    !(e = inventory__map_entries(ld, n, "'settings'", &nr)))
		return;
	for (i = 0; i < nr; i++) {
		const char *k = e[i].key->u.str;
		const struct ynode *v = e[i].val;
		if (!strcmp(k, "region")) {
			char *r = inventory__get_str(ld, v, "'region'");
			if (r && !plausible_region(r))
				inventory__err_at(ld, v, "invalid-value",
				    "'%s' is not an AWS region name such as "
				    "'us-east-1'",
				    r);
			else if (r)
				s->region = r;
		} else if (!strcmp(k, "unmanaged")) {
			const char *u =
			    inventory__get_str(ld, v, "'unmanaged'");
			const char *sug;
			size_t j;
			if (!u)
				continue;
			for (j = 0; unmanaged_values[j]; j++)
				if (!strcmp(u, unmanaged_values[j]))
					break;
			if (unmanaged_values[j]) {
				s->unmanaged = (enum inv_unmanaged)j;
			} else if ((sug = inventory__closest(u,
			    unmanaged_values))) {
				inventory__err_at(ld, v, "invalid-value",
				    "'unmanaged' is '%s'; did you mean '%s'? "
				    "(report, ignore or archive)",
				    u, sug);
			} else {
				inventory__err_at(ld, v, "invalid-value",
				    "'unmanaged' must be report, ignore or "
				    "archive, not '%s'",
				    u);
			}
		} else if (!strcmp(k, "ignore_tags")) {
			struct inv_pos *pp;
			size_t j;
			s->ignore_tags = load_str_list(ld, v, "'ignore_tags'",
			    &s->ignore_tags_nr, &pp, false);
			for (j = 0; j < s->ignore_tags_nr; j++)
				if (!*s->ignore_tags[j])
					inventory__error(&ld->yd,
					    "invalid-value", pp[j].line,
					    pp[j].col,
					    "an empty pattern in 'ignore_tags'");
		} else if (!strcmp(k, "project_limit")) {
			if (inventory__get_uint(ld, v, "'project_limit'", 1,
			    10000000, &s->project_limit))
				s->project_limit_pos = inventory__pos_of(ld, v);
		} else if (!strcmp(k, "safety")) {
			load_safety(ld, v, &s->safety);
		} else if (!strcmp(k, "record")) {
			inventory__get_bool(ld, v, "'record'", &s->record);
		} else if (!strcmp(k, "name_pattern")) {
			if ((s->name_pattern = inventory__get_str(ld, v,
			    "'name_pattern'")))
				s->name_pattern_pos = inventory__pos_of(ld, v);
		} else if (!strcmp(k, "billing")) {
			load_billing(ld, v, &s->billing);
		} else {
			inventory__unknown_field(ld, e[i].key, "'settings'",
			    settings_fields);
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

	r->pos = inventory__pos_of(ld, key);
	if (inventory__is_null(n))
		return;		/* `Owner:` declares a key with no constraint */
	if (!(e = inventory__map_entries(ld, n, "a taxonomy tag", &nr)))
		return;
	for (i = 0; i < nr; i++) {
		const char *k = e[i].key->u.str;
		const struct ynode *v = e[i].val;
		if (!strcmp(k, "allowed")) {
			r->allowed = load_str_list(ld, v, "'allowed'",
			    &r->allowed_nr, &r->allowed_pos, false);
			if (v->type == YN_SEQ && v->n == 0)
				inventory__err_at(ld, v, "invalid-value",
				    "'allowed' is empty, so no value could "
				    "pass; remove it to allow any value");
		} else if (!strcmp(k, "pattern")) {
			if ((r->pattern =
			    inventory__get_str(ld, v, "'pattern'")))
				r->pattern_pos = inventory__pos_of(ld, v);
		} else if (!strcmp(k, "description")) {
			r->description =
			    inventory__get_str(ld, v, "'description'");
		} else {
			inventory__unknown_field(ld, e[i].key, "a taxonomy tag",
			    rule_fields);
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

	if (inventory__is_null(n) ||
	    !(e = inventory__map_entries(ld, n, "'taxonomy'", &nr)))
		return;
	for (i = 0; i < nr; i++) {
		const char *k = inventory__field_of(ld, e, nr, i, "'taxonomy'",
		    taxonomy_fields, &taken);
		const struct ynode *v = e[i].val;
		if (!k)
			continue;
		if (!strcmp(k, "required")) {
			if (inventory__is_null(v))
				continue;	/* as if absent: the default keys */
			t->required = load_str_list(ld, v, "'required'",
			    &t->required_nr, &t->required_item_pos, false);
			t->required_pos = inventory__pos_of(ld, v);
			t->required_given = true;
		} else if (!strcmp(k, "closed")) {
			if (inventory__get_bool(ld, v, "'closed'", &t->closed))
				t->closed_pos = inventory__pos_of(ld, v);
		} else if (!strcmp(k, "tags")) {
			struct entry *te;
			size_t tn;
			if (inventory__is_null(v) ||
			    !(te = inventory__map_entries(ld, v,
			    "'taxonomy.tags'", &tn)))
				continue;
			t->tags = inventory__pool_alloc(ld->sp,
			    (tn + 1) * sizeof(*t->tags),
			    _Alignof(struct inv_tag_rule));
			t->tags_nr = 0;
			for (j = 0; j < tn; j++) {
				struct inv_tag_rule *r = &t->tags[t->tags_nr];
				memset(r, 0, sizeof(*r));
				if (!(r->key = inventory__get_str(ld, te[j].key,
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

	if (inventory__is_null(n) ||
	    !(e = inventory__map_entries(ld, n, "'defaults'", &nr)))
		return;
	for (i = 0; i < nr; i++)
		if (inventory__field_of(ld, e, nr, i, "'defaults'",
		    defaults_fields, &taken))
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
		inventory__err_at(ld, n, "invalid-type",
		    "each entry of 'projects' must be a mapping like '{ name: "
		    "X, tags: {...} }', not %s",
		    inventory__type_name(n));
		return;
	}
	if (!(e = inventory__map_entries(ld, n, "a project", &nr)))
		return;
	xgrow(&inv->projects, &ld->projects_alloc, inv->projects_nr + 1,
	    sizeof(*inv->projects));
	p = &inv->projects[inv->projects_nr];
	memset(p, 0, sizeof(*p));
	p->index = inv->projects_nr++;
	p->pos = inventory__pos_of(ld, n);
	for (i = 0; i < nr; i++) {
		const char *k = inventory__field_of(ld, e, nr, i, "a project",
		    project_fields, &taken);
		const struct ynode *v = e[i].val;
		if (!k)
			continue;
		if (!strcmp(k, "name")) {
			has_name = true;
			if ((p->name = inventory__get_str(ld, v, "'name'")))
				p->name_pos = inventory__pos_of(ld, v);
		} else if (!strcmp(k, "id")) {
			if ((p->id = inventory__get_str(ld, v, "'id'")))
				p->id_pos = inventory__pos_of(ld, v);
		} else if (!strcmp(k, "archived")) {
			if (inventory__get_bool(ld, v, "'archived'",
			    &p->archived))
				p->archived_pos = inventory__pos_of(ld, v);
		} else if (!strcmp(k, "tags")) {
			p->tags_pos = inventory__pos_of(ld, e[i].key);
			load_tags(ld, v, "'tags'", &p->own_tags);
		} else if (!strcmp(k, "lint_ignore")) {
			load_suppressions(ld, v, &p->lint_ignore);
		}
	}
	free(e);
	if (!has_name)
		inventory__err_at(ld, n, "missing-field",
		    "a project needs a 'name'");
}

static void
load_projects(struct loader *ld, const struct ynode *key,
    const struct ynode *n)
{
	uint32_t i;

	if (ld->top)
		ld->inv->projects_pos = inventory__pos_of(ld, key);
	if (inventory__is_null(n) || n->kind == YK_UNKNOWN_TAG)
		return;
	if (n->type != YN_SEQ) {
		inventory__err_at(ld, n, "invalid-type",
		    "'projects' must be a list of projects ('- name: ...'), "
		    "not %s",
		    inventory__type_name(n));
		return;
	}
	for (i = 0; i < n->n; i++)
		load_project(ld, &n->u.kids[i]);
}

static void
load_version(struct loader *ld, const struct ynode *n)
{
	if (n->type != YN_SCALAR || n->kind != YK_INT) {
		inventory__err_at(ld, n, "invalid-type",
		    "'version' must be the number 1, not %s",
		    inventory__type_name(n));
		return;
	}
	if (strcmp(n->u.str, "1") != 0) {
		inventory__err_at(ld, n, "unsupported-version",
		    "inventory version %s is not supported; this projsync "
		    "reads version 1",
		    n->u.str);
		return;
	}
	if (ld->top) {
		ld->inv->version = 1;
		ld->inv->version_pos = inventory__pos_of(ld, n);
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

void
inventory__load_root(struct loader *ld, const struct ynode *root)
{
	const char *const *fields = ld->top ? top_fields : include_fields;
	struct entry *e;
	size_t nr, i;
	unsigned taken = 0;
	bool have_version = false;

	if (root->type != YN_MAP) {
		inventory__err_at(ld, root, "invalid-type",
		    "the top level of an inventory must be a mapping (version, "
		    "settings, taxonomy, defaults, include, projects), not %s",
		    inventory__type_name(root));
		return;
	}
	if (!(e = inventory__map_entries(ld, root, "the top level", &nr)))
		return;
	for (i = 0; i < nr; i++) {
		const struct ynode *k = e[i].key, *v = e[i].val;
		const char *s = k->u.str;
		if (!strncmp(s, "x-", 2))
			continue;	/* extension keys: hold anchors */
		if (!ld->top && is_field(s, top_fields) &&
		    !is_field(s, include_fields)) {
			inventory__err_at(ld, k, "misplaced-field",
			    "'%s' belongs in the top file '%s'; an included "
			    "file holds only 'projects' (and 'include')",
			    s, ld->inv->path);
			continue;
		}
		if (!(s = inventory__field_of(ld, e, nr, i, "the top level",
		    fields, &taken)))
			continue;
		if (!strcmp(s, "version")) {
			have_version = true;
			load_version(ld, v);
		} else if (!strcmp(s, "projects")) {
			load_projects(ld, k, v);
		} else if (!strcmp(s, "include")) {
			add_includes(ld, v);
		} else if (ld->top && !strcmp(s, "settings")) {
			ld->inv->settings.pos = inventory__pos_of(ld, k);
			load_settings(ld, v);
		} else if (ld->top && !strcmp(s, "taxonomy")) {
			ld->inv->taxonomy.pos = inventory__pos_of(ld, k);
			load_taxonomy(ld, v);
		} else if (ld->top && !strcmp(s, "defaults")) {
			ld->inv->defaults_pos = inventory__pos_of(ld, k);
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
