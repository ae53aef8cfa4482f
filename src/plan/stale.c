/*
 * plan: is a saved plan still valid against the account as it is now?
 * Apply runs this right before executing a plan file (docs/architecture.md, Plan semantics).
 */
#include "plan/plan.h"

#include <stdlib.h>
#include <string.h>

#include "plan/internal.h"

static int
cmp_name(const void *a, const void *b)
{
	const struct live_project *x = *(const struct live_project *const *)a;
	const struct live_project *y = *(const struct live_project *const *)b;

	return plan__strcmp_null(x->name, y->name);
}

static void
problem(struct ps_buf *why, size_t *n, const char *name, const char *id,
    const char *what)
{
	(*n)++;
	ps_buf_adds(why, "project ");
	plan__quote(why, name);
	if (id)
		ps_buf_addf(why, " (%s)", id);
	ps_buf_addf(why, " %s\n", what);
}

/* What the account shows now against what the plan saw: "; tag K "a" ->
 * "b"; tag K added "v"; tag K removed (was "v"); renamed "x" -> "y";
 * archived". */
static void
describe_change(struct ps_buf *out, const struct live_project *was,
    const struct live_project *now)
{
	size_t i;

	if (plan__strcmp_null(was->name, now->name) != 0) {
		ps_buf_adds(out, "; renamed ");
		plan__quote(out, was->name);
		ps_buf_adds(out, " -> ");
		plan__quote(out, now->name);
	}
	if (now->archived && !was->archived)
		ps_buf_adds(out, "; archived");
	for (i = 0; i < was->tags.nr; i++) {
		const char *k = was->tags.items[i].key, *v = was->tags.items[i].value;
		const char *nv = tag_set_get(&now->tags, k);

		if (!nv) {
			ps_buf_adds(out, "; tag ");
			plan__quote(out, k);
			ps_buf_adds(out, " removed (was ");
			plan__quote(out, v);
			ps_buf_addch(out, ')');
		} else if (strcmp(nv, v) != 0) {
			ps_buf_adds(out, "; tag ");
			plan__quote(out, k);
			ps_buf_addch(out, ' ');
			plan__quote(out, v);
			ps_buf_adds(out, " -> ");
			plan__quote(out, nv);
		}
	}
	for (i = 0; i < now->tags.nr; i++) {
		if (tag_set_get(&was->tags, now->tags.items[i].key))
			continue;
		ps_buf_adds(out, "; tag ");
		plan__quote(out, now->tags.items[i].key);
		ps_buf_adds(out, " added ");
		plan__quote(out, now->tags.items[i].value);
	}
}

/* Does `now` show the result of update c (its name and tags)? */
static bool
update_done(const struct plan_change *c, const struct live_project *now)
{
	struct tag_set want = TAG_SET_INIT;
	size_t i;
	bool same;

	if (now->archived || plan__strcmp_null(c->name, now->name) != 0)
		return false;
	tag_set_copy(&want, &c->before.tags);
	for (i = 0; i < c->add_tags.nr; i++)
		tag_set_put(&want, c->add_tags.items[i].key,
		    c->add_tags.items[i].value);
	for (i = 0; i < c->remove_nr; i++)
		tag_set_remove(&want, c->remove_tag_keys[i]);
	same = tag_set_equal(&want, &now->tags);
	tag_set_release(&want);
	return same;
}

int
plan_check_stale(const struct plan *p, const struct live_state *now,
    struct ps_buf *why, bool *done)
{
	const struct live_project **by_id, **by_name, **hit, *kp;
	struct live_project key;
	struct ps_buf what = PS_BUF_INIT;
	size_t i, j, n = 0, named = 0, ndone = 0, todo = 0;

	by_id = xcalloc(now->nr + 1, sizeof(*by_id));
	by_name = xcalloc(now->nr + 1, sizeof(*by_name));
	for (i = 0; i < now->nr; i++) {
		const struct live_project *lp = &now->items[i];

		by_id[i] = lp;
		/* a project the plan touches is covered by its fingerprint */
		if (!lp->archived && lp->name && strcmp(lp->id, "default") != 0 &&
		    !plan_fingerprint_find(p, lp->id))
			by_name[named++] = lp;
	}
	qsort(by_id, now->nr, sizeof(*by_id), plan__cmp_live_id);
	qsort(by_name, named, sizeof(*by_name), cmp_name);

	for (i = 0; i < p->changes_nr; i++) {
		const struct plan_change *c = &p->changes[i];
		const char *fp;
		char sha[65];

		if (done)
			done[i] = false;
		if (c->action == PLAN_UNMANAGED)
			continue;
		todo++;
		memset(&key, 0, sizeof(key));
		kp = &key;
		ps_buf_reset(&what);
		if (c->action == PLAN_CREATE) {
			bool same = true;
			size_t k;

			key.name = c->name;
			hit = bsearch(&kp, by_name, named, sizeof(*by_name),
			    cmp_name);
			if (!hit)
				continue;
			while (hit > by_name && !cmp_name(hit - 1, &kp))
				hit--;
			for (k = 0; hit + k < by_name + named &&
			    !cmp_name(hit + k, &kp); k++)
				same &= tag_set_equal(&hit[k]->tags, &c->tags);
			if (same) {
				/* created as planned (by an earlier apply of
				 * this plan, or one racing it) */
				if (done)
					done[i] = true;
				ndone++;
				continue;
			}
			ps_buf_adds(&what, "now exists in the account with other "
			    "tags (");
			for (j = 0; j < k; j++)
				ps_buf_addf(&what, "%s%s", j ? ", " : "",
				    hit[j]->id);
			ps_buf_adds(&what, "); creating it would make a "
			    "duplicate");
			problem(why, &n, c->name, NULL, what.ptr);
			continue;
		}
		if (!c->id || !(fp = plan_fingerprint_find(p, c->id)))
			continue;
		key.id = c->id;
		hit = bsearch(&kp, by_id, now->nr, sizeof(*by_id),
		    plan__cmp_live_id);
		if (!hit) {
			problem(why, &n, c->before.name, c->id,
			    "no longer exists in the account");
			continue;
		}
		live_project_fingerprint(sha, *hit);
		if (strcmp(sha, fp) == 0)
			continue;	/* as planned: still to do */
		if ((c->action == PLAN_ARCHIVE && (*hit)->archived) ||
		    (c->action == PLAN_UPDATE && update_done(c, *hit))) {
			if (done)
				done[i] = true;
			ndone++;
			continue;
		}
		ps_buf_adds(&what, "changed in the account since the plan was "
		    "made");
		describe_change(&what, &c->before, *hit);
		problem(why, &n, c->before.name, c->id, what.ptr);
	}
	ps_buf_release(&what);
	free(by_id);
	free(by_name);
	if (n == 0)
		return ndone == todo && todo ? PLAN_ALREADY_APPLIED : 0;
	return ps_error(PS_EREFUSED, "the plan is stale: %zu project%s changed "
	    "since it was made; run 'projsync plan' again", n,
	    n == 1 ? "" : "s");
}
