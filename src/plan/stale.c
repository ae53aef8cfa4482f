/*
 * plan: is a saved plan still valid against the account as it is now?
 * Apply runs this right before executing a plan file (DESIGN.md §4).
 */
#include "plan/plan.h"

#include <stdlib.h>
#include <string.h>

#include "plan/internal.h"

static int
cmp_id(const void *a, const void *b)
{
	const struct live_project *x = *(const struct live_project *const *)a;
	const struct live_project *y = *(const struct live_project *const *)b;

	return strcmp(x->id, y->id);
}

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

int
plan_check_stale(const struct plan *p, const struct live_state *now,
    struct ps_buf *why)
{
	const struct live_project **by_id, **by_name, **hit, *kp;
	struct live_project key;
	size_t i, n = 0, named = 0;
	char sha[65];

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
	qsort(by_id, now->nr, sizeof(*by_id), cmp_id);
	qsort(by_name, named, sizeof(*by_name), cmp_name);

	for (i = 0; i < p->changes_nr; i++) {
		const struct plan_change *c = &p->changes[i];
		const char *fp;

		memset(&key, 0, sizeof(key));
		kp = &key;
		if (c->action == PLAN_CREATE) {
			key.name = c->name;
			hit = bsearch(&kp, by_name, named, sizeof(*by_name),
			    cmp_name);
			if (hit)
				problem(why, &n, c->name, (*hit)->id, "now exists "
				    "in the account; creating it would make a "
				    "duplicate");
			continue;
		}
		if (!c->id || !(fp = plan_fingerprint_find(p, c->id)))
			continue;
		key.id = c->id;
		hit = bsearch(&kp, by_id, now->nr, sizeof(*by_id), cmp_id);
		if (!hit) {
			problem(why, &n, c->before.name, c->id,
			    "no longer exists in the account");
			continue;
		}
		live_project_fingerprint(sha, *hit);
		if (strcmp(sha, fp) != 0)
			problem(why, &n, c->before.name, c->id,
			    "changed in the account since the plan was made");
	}
	free(by_id);
	free(by_name);
	if (n == 0)
		return 0;
	return ps_error(PS_EREFUSED, "the plan is stale: %zu project%s changed "
	    "since it was made; run 'projsync plan' again", n,
	    n == 1 ? "" : "s");
}
