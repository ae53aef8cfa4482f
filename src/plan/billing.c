/*
 * plan: cost-allocation tag activation (settings.billing.activate_tags).
 * The CLI asks Cost Explorer for the taxonomy keys' statuses; the plan
 * keeps them as three sorted lists, warns about the keys billing has not
 * seen, and counts the activations as changes (docs/finops.md).
 */
#include "plan/plan.h"

#include <stdlib.h>
#include <string.h>

#include "plan/internal.h"

static int
cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
list_release(char ***v, size_t *nr)
{
	size_t i;

	for (i = 0; i < *nr; i++)
		free((*v)[i]);
	free(*v);
	*v = NULL;
	*nr = 0;
}

void
plan__billing_release(struct plan_billing *b)
{
	list_release(&b->activate, &b->activate_nr);
	list_release(&b->active, &b->active_nr);
	list_release(&b->unseen, &b->unseen_nr);
	b->enabled = false;
}

void
plan__billing_add(struct plan_billing *b, enum plan_tag_state s,
    const char *key)
{
	char ***v = s == PLAN_TAG_ACTIVE ? &b->active :
	    s == PLAN_TAG_INACTIVE ? &b->activate : &b->unseen;
	size_t *nr = s == PLAN_TAG_ACTIVE ? &b->active_nr :
	    s == PLAN_TAG_INACTIVE ? &b->activate_nr : &b->unseen_nr;

	*v = xrealloc(*v, (*nr + 1) * sizeof(**v));
	(*v)[(*nr)++] = xstrdup(key);
}

void
plan_set_billing(struct plan *p, const char *const *keys,
    const enum plan_tag_state *states, size_t nr)
{
	struct plan_billing *b = &p->billing;
	size_t i;

	plan__billing_release(b);
	b->enabled = true;
	for (i = 0; i < nr; i++) {
		size_t j;
		/* a key listed twice counts once */
		for (j = 0; j < i && strcmp(keys[j], keys[i]) != 0; j++)
			;
		if (j == i)
			plan__billing_add(b, states[i], keys[i]);
	}
	if (b->activate_nr)
		qsort(b->activate, b->activate_nr, sizeof(char *), cmp_cstr);
	if (b->active_nr)
		qsort(b->active, b->active_nr, sizeof(char *), cmp_cstr);
	if (b->unseen_nr)
		qsort(b->unseen, b->unseen_nr, sizeof(char *), cmp_cstr);
	for (i = 0; i < b->unseen_nr; i++)
		plan__add_warning(p, "cost allocation tag \"%s\" cannot be "
		    "activated yet: billing has not seen it (it appears up to "
		    "24 hours after the first usage of a project carrying it); "
		    "plan again later", b->unseen[i]);
}

size_t
plan_total_changes(const struct plan *p)
{
	return plan_change_count(p) +
	    (p->billing.enabled ? p->billing.activate_nr : 0);
}
