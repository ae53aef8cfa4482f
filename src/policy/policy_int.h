/*
 * policy (internal): what validate.c and rules.c share.  Not for other
 * modules; they use policy.h.
 */
#ifndef PROJSYNC_POLICY_INT_H
#define PROJSYNC_POLICY_INT_H

#include "policy/policy.h"

struct policy__ctx {
	const struct inventory *inv;
	struct diag_list *dl;		/* NULL: quiet */
	const char *today;		/* for lint_ignore `until` */
	size_t errors;			/* unsuppressed errors reported */
};

/*
 * Add a finding at pos (the inventory's top file, no line, when pos is
 * unset), marked suppressed when a lint_ignore entry of p or of the
 * inventory covers a suppressible rule; counts unsuppressed errors.
 */
void policy__report(struct policy__ctx *c, const struct inv_project *p,
    enum diag_level level, const char *rule, const struct inv_pos *pos,
    const char *fmt, ...) PS_PRINTF(6, 7);

void policy__taxonomy_compile(struct policy_taxonomy **out,
    struct policy__ctx *c);

/* Call fn for each required key that tags lacks or has empty; hint_key is
 * a present key that looks like it (case or spelling), or NULL. */
void policy__missing_required(const struct policy_taxonomy *tx,
    const struct tag_set *tags, void (*fn)(const char *key,
    const char *hint_key, bool empty, void *payload), void *payload);

#endif
