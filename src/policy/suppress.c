/*
 * policy: `lint_ignore` entries.  One matcher and one set of validity
 * rules for validate (policy_validate(), so plan and apply too) and lint,
 * so an inventory that one accepts the other does not refuse.
 */
#include "policy/policy.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

bool
policy_rule_suppressible(const char *rule)
{
	static const char *const taxonomy_rules[] = { "missing-required-tag",
		"value-not-allowed", "pattern-mismatch", "unknown-tag-key", NULL };
	/* the suppression machinery's own findings */
	static const char *const own_rules[] = { "expired-suppression",
		"invalid-suppression", "unused-suppression", NULL };
	size_t i;

	if (!rule)
		return false;
	for (i = 0; taxonomy_rules[i]; i++)
		if (!strcmp(rule, taxonomy_rules[i]))
			return true;
	for (i = 0; own_rules[i]; i++)
		if (!strcmp(rule, own_rules[i]))
			return false;
	for (i = 0; policy_rule_ids[i]; i++)
		if (!strcmp(rule, policy_rule_ids[i]))
			return false;
	return true;	/* lint's own rules */
}

/* A rule id, or a glob on '*' ("value-*"). */
static bool
pattern_matches(const char *pattern, const char *rule)
{
	return !strcmp(pattern, rule) ||
	    (strchr(pattern, '*') && ps_glob_match(pattern, rule));
}

bool
policy_suppression_matches(const struct inv_suppression *s, const char *rule)
{
	return s->rule && rule && policy_rule_suppressible(rule) &&
	    pattern_matches(s->rule, rule);
}

static bool
blank(const char *s)
{
	if (!s)
		return true;
	for (; *s; s++)
		if (!isspace((unsigned char)*s))
			return false;
	return true;
}

static bool
rule_known(const char *pattern, const char *const *known)
{
	size_t i;

	for (i = 0; known[i]; i++)
		if (pattern_matches(pattern, known[i]))
			return true;
	return false;
}

static const char *
closest_rule(const char *s, const char *const *known)
{
	size_t i, best = 4, d;
	const char *pick = NULL;

	for (i = 0; known[i]; i++) {
		d = ps_edit_distance(s, known[i], 3);
		if (d < best)
			best = d, pick = known[i];
	}
	return pick;
}

const char *
policy_suppression_check(const struct inv_suppression *s, const char *today,
    const char *const *known, char **msg)
{
	const char *rule = s->rule ? s->rule : "", *hint;

	*msg = NULL;
	if (blank(s->rule)) {
		*msg = xstrdup("lint_ignore entry names no rule");
	} else if (blank(s->reason)) {
		*msg = xasprintf("lint_ignore entry for '%s' has no reason "
		    "(a reason is required)", rule);
	} else if (known && !rule_known(rule, known)) {
		if ((hint = closest_rule(rule, known)))
			*msg = xasprintf("lint_ignore names unknown rule '%s' "
			    "(did you mean '%s'?)", rule, hint);
		else
			*msg = xasprintf("lint_ignore names unknown rule '%s'",
			    rule);
	} else if (!strchr(rule, '*') && !policy_rule_suppressible(rule)) {
		*msg = xasprintf("lint_ignore cannot suppress '%s': YAML, "
		    "structure and AWS limit findings must be fixed (the API "
		    "would refuse them)", rule);
	} else if (s->until && !ps_valid_date(s->until)) {
		*msg = xasprintf("lint_ignore for '%s': until '%s' is not a "
		    "date (YYYY-MM-DD)", rule, s->until);
	} else if (s->until && today && strcmp(s->until, today) < 0) {
		/* dates as YYYY-MM-DD compare as strings */
		*msg = xasprintf("lint_ignore for '%s' expired on %s (reason: "
		    "%s)", rule, s->until, s->reason);
		return "expired-suppression";
	} else {
		return NULL;
	}
	return "invalid-suppression";
}

static const struct inv_suppression *
find_suppression(const struct inv_suppression_list *l, const char *rule,
    const char *today)
{
	size_t i;
	char *msg;

	for (i = 0; i < l->nr; i++) {
		const struct inv_suppression *s = &l->items[i];
		bool ok;

		if (!policy_suppression_matches(s, rule))
			continue;
		ok = !policy_suppression_check(s, today, NULL, &msg);
		free(msg);
		if (ok)
			return s;
	}
	return NULL;
}

const struct inv_suppression *
policy_suppression(const struct inventory *inv, const struct inv_project *p,
    const char *rule, const char *today)
{
	const struct inv_suppression *s = NULL;

	if (!rule)
		return NULL;
	if (p)
		s = find_suppression(&p->lint_ignore, rule, today);
	if (!s && inv)
		s = find_suppression(&inv->lint_ignore, rule, today);
	return s;
}
