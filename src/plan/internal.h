/*
 * plan: helpers shared by the plan module's files (diff.c, json.c,
 * match.c, render.c, stale.c).  Not for other modules.
 */
#ifndef PROJSYNC_PLAN_INTERNAL_H
#define PROJSYNC_PLAN_INTERNAL_H

#include "plan/plan.h"

/* Append a zeroed change; the pointer is valid until the next append. */
struct plan_change *plan__add_change(struct plan *p, enum plan_action a);
void plan__change_release(struct plan_change *c);
void plan__add_warning(struct plan *p, const char *fmt, ...) PS_PRINTF(2, 3);
void plan__add_violation(struct plan *p, enum plan_violation_kind kind,
    bool overridable, const char *fmt, ...) PS_PRINTF(4, 5);
void plan__add_fingerprint(struct plan *p, const char *id, const char *sha);
/* Sort changes by name then id, fingerprints by id. */
void plan__sort(struct plan *p);
void plan__sort_fingerprints(struct plan *p);
/* Recount summary create/update/archive/unmanaged from the changes. */
void plan__count(const struct plan *p, struct plan_summary *s);
/* NULL sorts before any string. */
int plan__strcmp_null(const char *a, const char *b);
/* Append the tag set after `c` is applied to its before state (update). */
void plan__tags_after(struct tag_set *out, const struct plan_change *c);
/* qsort/bsearch order of live project pointers by id (match.c). */
int plan__cmp_live_id(const void *a, const void *b);
/* First index in by_name (sorted by name, id) whose name is name; *n gets
 * how many share it (match.c). */
size_t plan__find_name(const struct live_project *const *by_name, size_t nr,
    const char *name, size_t *n);
bool plan__is_default(const struct live_project *lp);
/* billing.c: empty p->billing; append key to the list of state s
 * (unsorted). */
void plan__billing_release(struct plan_billing *b);
void plan__billing_add(struct plan_billing *b, enum plan_tag_state s,
    const char *key);
/* Does this string contain "\"" or control characters (needs quoting)? */
void plan__quote(struct ps_buf *out, const char *s);

#endif
