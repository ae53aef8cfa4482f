/*
 * policy: the inventory's rules (docs/projsync-inventory.5) and, with lint, the tag
 * policy.  Owned by the policy module.  Works on data only: never touches
 * the network or prints.
 *
 * Rule ids (stable, kebab-case) that policy_validate() reports, on top of
 * the loader's (see inventory.h): invalid-name, invalid-id, duplicate-name,
 * duplicate-id, tag-key-length, tag-value-length, invalid-characters,
 * reserved-prefix, too-many-tags, missing-required-tag, value-not-allowed,
 * pattern-mismatch, unknown-tag-key (closed taxonomy), invalid-pattern,
 * invalid-taxonomy, project-limit (error past the limit, warning from 90%).
 *
 * The helpers below are what lint (src/lint/) reuses, so both report the
 * same thing the same way.  Strings in and out are UTF-8; lengths count
 * code points, as AWS does.  Nothing here depends on the process locale.
 */
#ifndef PROJSYNC_POLICY_H
#define PROJSYNC_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "inventory/inventory.h"
#include "util/util.h"

/* AWS tag limits (docs/projsync-inventory.5, AWS tag limits). */
#define POLICY_TAG_KEY_MAX	128	/* code points, at least 1 */
#define POLICY_TAG_VALUE_MAX	256	/* code points, may be 0 */
#define POLICY_MAX_TAGS		50	/* user tags per project */
#define POLICY_NAME_MAX		128	/* code points */
#define POLICY_ID_MAX		25	/* "proj_" + 20 */

/*
 * Check a loaded inventory: names, ids, required tags after defaults,
 * allowed values and patterns, AWS tag constraints, project limit.
 * Appends diagnostics to dl; returns 0 when no errors were added,
 * PS_EINVALID otherwise.  Findings that a lint_ignore entry (on the
 * project or at the top level, `until` not passed) covers are added with
 * `suppressed` set and do not count as errors.  Works on a partly loaded
 * inventory too (projects without a name are skipped).
 */
int policy_validate(const struct inventory *inv, struct diag_list *dl);

struct policy_options {
	const char *today;	/* "YYYY-MM-DD" for lint_ignore `until`;
				   NULL: the current UTC date */
};
/* policy_validate() with options (opts may be NULL). */
int policy_validate_opts(const struct inventory *inv,
    const struct policy_options *opts, struct diag_list *dl);

/* Every rule id the loader and policy_validate() can report, NULL-ended. */
extern const char *const policy_rule_ids[];
/*
 * Can a lint_ignore entry silence this rule?  True for the taxonomy rules
 * (missing-required-tag, value-not-allowed, pattern-mismatch,
 * unknown-tag-key) and any rule id validate does not know (lint's own);
 * false for YAML, structure and AWS constraints, which the API would
 * reject anyway, and for the suppression findings themselves.
 */
bool policy_rule_suppressible(const char *rule);
/*
 * The one lint_ignore matcher: does entry s name `rule` (its id, or a glob
 * on '*' like "value-*") and is the rule suppressible?  Says nothing about
 * whether s is valid: see policy_suppression_check().
 */
bool policy_suppression_matches(const struct inv_suppression *s,
    const char *rule);
/*
 * The one set of validity rules for a lint_ignore entry: a rule (a known
 * id or a glob), a non-blank reason, a suppressible rule, `until` a real
 * YYYY-MM-DD date not before today (an entry applies up to and including
 * its `until` day; today NULL: never expired).  known is every rule id
 * that can be reported, NULL-ended (lint's catalogue); NULL skips that
 * check (validate: an unknown id matches none of its findings anyway).
 * Returns NULL when the entry applies, else the finding's rule id
 * ("invalid-suppression" or "expired-suppression") with *msg set to its
 * message (caller frees).
 */
const char *policy_suppression_check(const struct inv_suppression *s,
    const char *today, const char *const *known, char **msg);
/*
 * The entry of project p (may be NULL), else of the inventory, that
 * applies to `rule` on `today`: matches and is valid.  Borrowed or NULL.
 */
const struct inv_suppression *policy_suppression(const struct inventory *inv,
    const struct inv_project *p, const char *rule, const char *today);
/* Today's UTC date as "YYYY-MM-DD" into out. */
void policy_today(char out[11]);

/* ---- single strings (lint reuses these) ---- */

/*
 * The closest of n candidates to s, for "did you mean": a case-only
 * difference first, then the smallest edit distance (ignoring ASCII case)
 * up to 1 for words under 5 characters, 2 otherwise (a swap of
 * neighbours counts as one).  NULL if none is close, or s is longer than
 * 64 bytes.  Borrowed from cands.
 */
const char *policy_closest(const char *s, const char *const *cands,
    size_t n);

/* Unicode classes (tables generated from UCD by gen_ucd.py). */
bool policy_is_letter_number_space(uint32_t cp);	/* \p{L}\p{N}\p{Z} */
bool policy_is_space_separator(uint32_t cp);		/* \p{Z} */
/* [\p{L}\p{Z}\p{N}_.:/=+\-@]: the characters AWS allows in tags. */
bool policy_tag_char_ok(uint32_t cp);
/*
 * Is every character of s (UTF-8, len bytes) allowed in a tag?  On false,
 * *bad is the first offending code point (0xFFFD for invalid UTF-8) and
 * *offset its byte offset (either pointer may be NULL).
 */
bool policy_tag_chars_ok(const char *s, size_t len, uint32_t *bad,
    size_t *offset);

/*
 * AWS constraints on one tag key or value.  Return NULL when it is fine,
 * else the rule id ("tag-key-length", "tag-value-length",
 * "reserved-prefix", "invalid-characters") with an explanation in *msg
 * (caller frees; msg may be NULL).  The first failing check is reported.
 */
const char *policy_check_tag_key(const char *key, char **msg);
const char *policy_check_tag_value(const char *key, const char *value,
    char **msg);
/* A project name: NULL, or "invalid-name" and *msg. */
const char *policy_check_name(const char *name, char **msg);
/* An `id:` pin: NULL, or "invalid-id" and *msg. */
const char *policy_check_id(const char *id, char **msg);

/* ---- the taxonomy, compiled once (regexes) for many checks ---- */
struct policy_taxonomy;

/*
 * Compile inv's taxonomy.  Problems in it (a bad regex, a key or allowed
 * value AWS would refuse, a required key a closed taxonomy does not
 * declare) are added to dl at their position; a rule whose pattern does
 * not compile accepts any value.  Always succeeds; *out is owned by the
 * caller (policy_taxonomy_free()).  The taxonomy borrows from inv.
 */
void policy_taxonomy_compile(struct policy_taxonomy **out,
    const struct inventory *inv, struct diag_list *dl);
void policy_taxonomy_free(struct policy_taxonomy *tx);
/* The rule for key, or NULL (borrowed, O(log n)). */
const struct inv_tag_rule *policy_taxonomy_rule(
    const struct policy_taxonomy *tx, const char *key);
/*
 * Check one value against the taxonomy's rule for key: NULL when it
 * passes (or the key has no rule), else "value-not-allowed" (with the
 * closest allowed value in the message) or "pattern-mismatch", and *msg.
 * Pattern results are cached per distinct value.  A compiled taxonomy
 * makes at most 1000 "did you mean" searches (here, in
 * policy_check_key_declared() and for missing required keys), so hostile
 * input cannot make checks slow; later messages simply lack the hint.
 */
const char *policy_check_value(const struct policy_taxonomy *tx,
    const char *key, const char *value, char **msg);
/* A key not declared while `closed: true`: "unknown-tag-key" and *msg
 * (with the closest declared key), else NULL. */
const char *policy_check_key_declared(const struct policy_taxonomy *tx,
    const char *key, char **msg);

/*
 * The required key that `key` (one of tags) looks like a misspelling of:
 * a required key tags lack, whose closest key in tags is `key` (what
 * missing-required-tag's "is 'X' a misspelling of it?" names).  NULL when
 * there is none.  One misspelt key is one finding, not three: lint and a
 * closed taxonomy leave such a key to missing-required-tag.
 */
const char *policy_misspelt_required(const struct inventory *inv,
    const struct tag_set *tags, const char *key);

/*
 * Every check on a whole tag set (e.g. a live project's tags, for lint
 * --live): AWS constraints, too many tags, required keys, allowed values,
 * patterns and a closed taxonomy.  Each finding goes to dl at the given
 * position (file may be NULL for "no file"), its message starting with
 * "<subject>: ".  Returns the number of errors added.
 */
size_t policy_check_tag_set(const struct policy_taxonomy *tx,
    const struct tag_set *tags, const char *subject, const char *file,
    unsigned line, unsigned col, struct diag_list *dl);

#endif
