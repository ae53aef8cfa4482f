/*
 * policy: the inventory's rules (DESIGN.md §2) and, with lint, the tag
 * policy.  Owned by the policy module.  Works on data only: never touches
 * the network or prints.
 */
#ifndef PROJSYNC_POLICY_H
#define PROJSYNC_POLICY_H

#include "inventory/inventory.h"
#include "util/util.h"

/*
 * Check a loaded inventory: names, ids, required tags after defaults,
 * allowed values and patterns, AWS tag constraints, project limit.
 * Appends diagnostics to dl; returns 0 when no errors were added,
 * PS_EINVALID otherwise.
 */
int policy_validate(const struct inventory *inv, struct diag_list *dl);

#endif
