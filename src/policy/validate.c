/*
 * policy: policy_validate(), the rules of docs/projsync-inventory.5 over a loaded
 * inventory.  Linear in the number of projects and tags: duplicates are
 * found through the loader's sorted name and id indices.
 */
#include "policy/policy.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "policy/policy_int.h"

void
policy__report(struct policy__ctx *c, const struct inv_project *p,
    enum diag_level level, const char *rule, const struct inv_pos *pos,
    const char *fmt, ...)
{
	const struct inv_suppression *s = NULL;
	struct diag *d;
	va_list ap;
	char *msg, *safe;

	if (policy_rule_suppressible(rule))
		s = policy_suppression(c->inv, p, rule, c->today);
	if (!s && level == DIAG_ERROR)
		c->errors++;
	if (!c->dl)
		return;
	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	safe = ps_printable(msg, INV_MAX_MESSAGE);
	if (pos && pos->file)
		d = diag_add(c->dl, level, rule, pos->file, pos->line, pos->col,
		    "%s", safe);
	else
		d = diag_add(c->dl, level, rule, c->inv->path, 0, 0, "%s", safe);
	if (d && s)
		d->suppressed = true;
	free(safe);
	free(msg);
}

/* AWS constraints and the taxonomy on tags as written (own or defaults). */
static void
check_tag_list(struct policy__ctx *c, const struct policy_taxonomy *tx,
    const struct inv_project *p, const struct inv_tag_list *l)
{
	bool taxonomy = !p || !p->archived;
	const char *rule;
	char *msg;
	size_t i;

	for (i = 0; i < l->nr; i++) {
		const struct inv_tag *t = &l->items[i];
		msg = NULL;
		/* a misspelt required key: missing-required-tag names it */
		if ((rule = policy_check_tag_key(t->key, &msg)) ||
		    (taxonomy && (!p || !policy_misspelt_required(c->inv,
		    &p->tags, t->key)) && (rule = policy_check_key_declared(tx,
		    t->key, &msg)))) {
			policy__report(c, p, DIAG_ERROR, rule, &t->key_pos, "%s",
			    msg);
			free(msg);
			msg = NULL;
		}
		if (t->invalid)
			continue;	/* not a string: reported by the loader */
		if ((rule = policy_check_tag_value(t->key, t->value, &msg)) ||
		    (taxonomy && (rule = policy_check_value(tx, t->key,
		    t->value, &msg)))) {
			policy__report(c, p, DIAG_ERROR, rule, &t->value_pos,
			    "%s", msg);
			free(msg);
		}
	}
}

struct missing_ctx {
	struct policy__ctx *c;
	const struct inv_project *p;
};

static void
on_missing(const char *key, const char *hint, bool empty, void *payload)
{
	struct missing_ctx *m = payload;
	const struct inv_project *p = m->p;

	if (empty)
		policy__report(m->c, p, DIAG_ERROR, "missing-required-tag",
		    &p->pos, "project '%s': required tag '%s' is empty", p->name,
		    key);
	else if (hint && strcasecmp(hint, key) == 0)
		policy__report(m->c, p, DIAG_ERROR, "missing-required-tag",
		    &p->pos, "project '%s' is missing required tag '%s' (it has "
		    "'%s'; tag keys are case-sensitive)", p->name, key, hint);
	else if (hint)
		policy__report(m->c, p, DIAG_ERROR, "missing-required-tag",
		    &p->pos, "project '%s' is missing required tag '%s'; is "
		    "'%s' a misspelling of it?", p->name, key, hint);
	else
		policy__report(m->c, p, DIAG_ERROR, "missing-required-tag",
		    &p->pos, "project '%s' is missing required tag '%s'; add it "
		    "to its tags or to defaults.tags", p->name, key);
}

static void
check_project(struct policy__ctx *c, const struct policy_taxonomy *tx,
    const struct inv_project *p)
{
	struct missing_ctx m = { c, p };
	const char *rule;
	char *msg = NULL;

	if ((rule = policy_check_name(p->name, &msg))) {
		policy__report(c, p, DIAG_ERROR, rule, &p->name_pos, "%s", msg);
		free(msg);
		msg = NULL;
	}
	if (p->id && (rule = policy_check_id(p->id, &msg))) {
		policy__report(c, p, DIAG_ERROR, rule, &p->id_pos, "%s", msg);
		free(msg);
	}
	check_tag_list(c, tx, p, &p->own_tags);
	if (p->tags.nr > POLICY_MAX_TAGS)
		policy__report(c, p, DIAG_ERROR, "too-many-tags", p->tags_pos.file ?
		    &p->tags_pos : &p->pos, "project '%s' has %zu tags%s; AWS "
		    "allows at most %d per project", p->name, p->tags.nr,
		    c->inv->defaults.nr ? " with defaults" : "", POLICY_MAX_TAGS);
	/* an archived project keeps the tags it had: no taxonomy demands */
	if (!p->archived)
		policy__missing_required(tx, &p->tags, on_missing, &m);
}

static void
check_duplicates(struct policy__ctx *c, bool by_id)
{
	const struct inventory *inv = c->inv;
	const size_t *idx = by_id ? inv->by_id : inv->by_name;
	size_t nr = by_id ? inv->by_id_nr : inv->by_name_nr, i, first = 0;

	for (i = 1; i < nr; i++) {
		const struct inv_project *a = &inv->projects[idx[first]];
		const struct inv_project *b = &inv->projects[idx[i]];
		if (by_id ? strcmp(a->id, b->id) : strcmp(a->name, b->name)) {
			first = i;
			continue;
		}
		if (by_id)
			policy__report(c, b, DIAG_ERROR, "duplicate-id", &b->id_pos,
			    "projects '%s' and '%s' (%s:%u) are both pinned to "
			    "id '%s'", b->name ? b->name : "?",
			    a->name ? a->name : "?", a->id_pos.file,
			    a->id_pos.line, b->id);
		else
			policy__report(c, b, DIAG_ERROR, "duplicate-name",
			    &b->name_pos, "duplicate project name '%s' (first "
			    "at %s:%u); names must be unique in the inventory",
			    b->name, a->name_pos.file, a->name_pos.line);
	}
}

static void
check_limit(struct policy__ctx *c)
{
	const struct inventory *inv = c->inv;
	unsigned long limit = inv->settings.project_limit, active = 0;
	const struct inv_project *past = NULL;
	struct inv_pos where = inv->projects_pos;
	size_t i;

	for (i = 0; i < inv->projects_nr; i++) {
		if (inv->projects[i].archived)
			continue;
		if (++active == limit + 1)
			past = &inv->projects[i];
	}
	if (past) {
		policy__report(c, NULL, DIAG_ERROR, "project-limit", &past->pos,
		    "%lu non-archived projects, more than the limit of %lu "
		    "(settings.project_limit); '%s' is the first past it: "
		    "archive projects or raise the account's quota", active,
		    limit, past->name ? past->name : "?");
		return;
	}
	if (limit && active * 10 >= limit * 9)
		policy__report(c, NULL, DIAG_WARNING, "project-limit", &where,
		    "%lu non-archived projects, %lu%% of the limit of %lu "
		    "(settings.project_limit)", active, active * 100 / limit,
		    limit);
}

int
policy_validate_opts(const struct inventory *inv,
    const struct policy_options *opts, struct diag_list *dl)
{
	struct policy__ctx c = { 0 };
	struct policy_taxonomy *tx = NULL;
	char today[11];
	size_t i;

	if (!inv)
		return 0;
	if (opts && opts->today) {
		c.today = opts->today;
	} else {
		policy_today(today);
		c.today = today;
	}
	c.inv = inv;
	c.dl = dl;
	policy__taxonomy_compile(&tx, &c);
	check_tag_list(&c, tx, NULL, &inv->defaults);
	for (i = 0; i < inv->projects_nr; i++)
		if (inv->projects[i].name)
			check_project(&c, tx, &inv->projects[i]);
	check_duplicates(&c, false);
	check_duplicates(&c, true);
	check_limit(&c);
	policy_taxonomy_free(tx);
	return c.errors ? PS_EINVALID : 0;
}

int
policy_validate(const struct inventory *inv, struct diag_list *dl)
{
	return policy_validate_opts(inv, NULL, dl);
}
