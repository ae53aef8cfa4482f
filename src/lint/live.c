/*
 * lint: the --live audit.  Every live project (archived and default ones
 * left out) against the taxonomy and a tag policy: untagged, missing
 * required keys, values off the taxonomy, unmanaged projects, and the
 * coverage numbers of the report's live block; and the taxonomy keys that
 * are not active cost-allocation tags (the statuses the CLI asked Cost
 * Explorer for).
 */
#include "lint/lint_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "policy/policy.h"

static bool
live_ignored(const struct lint__ctx *c, const char *key)
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
audit_tags(struct lint__ctx *c, const struct live_project *lp,
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
		lint__add_live(c, "live-untagged", lp, managed,
		    "%s has no tags: its spend cannot be attributed",
		    who.ptr);
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
		lint__add_live(c, "live-missing-required", lp, managed,
		    "%s lacks required tag%s %s",
		    who.ptr, nmiss == 1 ? "" : "s", miss.ptr);
		ok = false;
	}
	for (i = 0; i < lp->tags.nr; i++) {
		const char *k = lp->tags.items[i].key, *v = lp->tags.items[i].value;
		const char *nc;
		char *msg = NULL;

		if (live_ignored(c, k))
			continue;
		/* a case-only difference says more than "not declared" */
		if (!lint__known_exact(c, k) &&
		    (nc = lint__known_nocase(c, k))) {
			lint__add_live(c, "live-off-taxonomy", lp, managed,
			    "%s: tag key '%s' differs only in case from the "
			    "taxonomy key '%s'",
			    who.ptr, k, nc);
			ok = false;
			continue;
		}
		/* the same checks as validate, worded the same way */
		if (policy_check_key_declared(tx, k, &msg) ||
		    policy_check_value(tx, k, v, &msg)) {
			lint__add_live(c, "live-off-taxonomy", lp, managed,
			    "%s: %s", who.ptr, msg);
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
audit_policy(struct lint__ctx *c, const struct live_project *lp,
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
			lint__add_live(c, "tag-policy-key-case", lp, managed,
			    "%s: tag key '%s' must be written '%s' (tag policy "
			    "key '%s')",
			    who.ptr, k, pk->tag_key, pk->policy_key);
		if (!lint__tp_value_ok(pk, v)) {
			ps_buf_reset(&vals);
			lint__tp_values_list(&vals, pk);
			lint__add_live(c, "tag-policy-value", lp, managed,
			    "%s: %s value '%s' is not allowed by the tag "
			    "policy (allowed: %s)",
			    who.ptr, pk->tag_key, v, vals.ptr);
		}
	}
	for (i = 0; i < tp->nr; i++)
		if (tp->keys[i].required &&
		    !lint__has_key_nocase(&lp->tags, tp->keys[i].tag_key))
			lint__add_live(c, "tag-policy-required", lp, managed,
			    "%s has no '%s' tag, which the tag policy requires "
			    "for " LINT_POLICY_RESOURCE, who.ptr,
			    tp->keys[i].tag_key);
	ps_buf_release(&who);
	ps_buf_release(&vals);
}

void
lint__audit_live(struct lint__ctx *c)
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
				lint__add_live(c, "live-unmanaged", lp, NULL,
				    "%s is not in the inventory; apply will "
				    "archive it (settings.unmanaged: archive)",
				    who.ptr);
			else if (inv->settings.unmanaged != INV_UNMANAGED_IGNORE)
				lint__add_live(c, "live-unmanaged", lp, NULL,
				    "%s is not in the inventory",
				    who.ptr);
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

/* Where the taxonomy names key: its entry in required, else under tags. */
static const struct inv_pos *
taxonomy_key_pos(const struct inventory *inv, const char *key)
{
	size_t i;

	for (i = 0; i < inv->taxonomy.required_nr; i++)
		if (!strcmp(inv->taxonomy.required[i], key))
			return inv->taxonomy.required_item_pos ?
			    &inv->taxonomy.required_item_pos[i] :
			    &inv->taxonomy.required_pos;
	for (i = 0; i < inv->taxonomy.tags_nr; i++)
		if (!strcmp(inv->taxonomy.tags[i].key, key))
			return &inv->taxonomy.tags[i].pos;
	return &inv->taxonomy.pos;
}

void
lint__audit_cost_tags(struct lint__ctx *c)
{
	size_t i;

	for (i = 0; i < c->opts->cost_tags_nr; i++) {
		const struct lint_cost_tag *t = &c->opts->cost_tags[i];
		const struct inv_pos *pos = taxonomy_key_pos(c->inv, t->key);

		if (t->state == LINT_COST_TAG_INACTIVE)
			lint__add(c, "cost-tag-inactive", NULL, pos,
			    c->inv->path, "tag key '%s' is not an active "
			    "cost-allocation tag: Cost Explorer and the Cost "
			    "and Usage Report cannot group spend by it", t->key);
		else if (t->state == LINT_COST_TAG_UNSEEN)
			lint__add(c, "cost-tag-unseen", NULL, pos, c->inv->path,
			    "billing has not seen tag key '%s' yet (no tagged "
			    "usage reached it): it cannot be activated as a "
			    "cost-allocation tag until then", t->key);
	}
}
