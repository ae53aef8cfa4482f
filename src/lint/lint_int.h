/*
 * lint: declarations shared by the lint module's files only (lint__
 * prefix).  Not for other modules: use lint.h.
 */
#ifndef PROJSYNC_LINT_INT_H
#define PROJSYNC_LINT_INT_H

#include "lint/lint.h"

/* The resource type a Bedrock project has in tag policies (assumed). */
#define LINT_POLICY_RESOURCE "bedrock-mantle:project"

/* One key of a tag policy, with its effective (merged) values. */
struct lint__tp_key {
	char *policy_key;	/* as written: "costcenter" */
	char *tag_key;		/* the capitalisation it requires */
	bool has_values;	/* tag_value given: values below restrict */
	char **values;
	size_t values_nr;
	bool enforced;		/* enforced_for covers bedrock-mantle:project */
	bool required;		/* report_required_tag_for covers it */
	unsigned line, col;
};

struct lint_tag_policy {
	char *name;		/* file name as given */
	struct lint__tp_key *keys;
	size_t nr, alloc;
};

/* The policy key for tag key k, compared ignoring case, or NULL. */
const struct lint__tp_key *lint__tp_find(const struct lint_tag_policy *p,
    const char *k);
/* Does v satisfy the key's tag_value list ('*' wildcards)? */
bool lint__tp_value_ok(const struct lint__tp_key *k, const char *v);
/* "'100', '200', '300*'" (at most a few, then "..."), appended to out. */
void lint__tp_values_list(struct ps_buf *out, const struct lint__tp_key *k);

/* "Production → Prod, ..." (the {Key:short} table), appended to out. */
void lint__short_table(struct ps_buf *out, const char *sep, const char *arrow);
/* The table's full word for an abbreviation ("dev" → "Development"), or
 * NULL. */
const char *lint__long_name(const char *abbr);

/* Small string → index hash map (open addressing; keys are borrowed). */
struct lint__map {
	struct lint__map_ent {
		const char *key;
		size_t val;
	} *tab;
	size_t cap, nr;
};
#define LINT__MAP_INIT { NULL, 0, 0 }
/* Pointer to the value slot for key, or NULL when absent. */
size_t *lint__map_get(const struct lint__map *m, const char *key);
/* Insert key → val unless present; returns the slot (new or old). */
size_t *lint__map_put(struct lint__map *m, const char *key, size_t val,
    bool *inserted);
void lint__map_release(struct lint__map *m);

/* ---- the engine's context, shared by its rule files (engine.c, values.c,
 * naming.c, live.c) ---- */

struct lint__extent;
struct lint__supp;

struct lint__ctx {
	struct lint_report *r;
	const struct inventory *inv;
	const struct lint_options *opts;
	char today[11];
	struct lint__extent *ext;
	size_t ext_nr, ext_alloc;
	struct lint__supp *supp;
	size_t supp_nr, supp_alloc;
	const char **rule_ids;		/* lint's catalogue, NULL-ended */
	/* taxonomy keys: declared under tags, then required (may repeat) */
	const char **known;
	size_t known_nr;
};

/* A finding in the inventory, about proj (NULL: not about one project),
 * at pos (else in fallback_file); suppressions are applied here. */
void lint__add(struct lint__ctx *c, const char *rule,
    const struct inv_project *proj, const struct inv_pos *pos,
    const char *fallback_file, const char *fmt, ...) PS_PRINTF(6, 7);
/* Same with an explicit level (a rule's findings may differ). */
void lint__add_level(struct lint__ctx *c, const char *rule,
    enum diag_level level, const struct inv_project *proj,
    const struct inv_pos *pos, const char *fmt, ...) PS_PRINTF(6, 7);
/* A finding about a live project; managed is its inventory entry. */
void lint__add_live(struct lint__ctx *c, const char *rule,
    const struct live_project *lp, const struct inv_project *managed,
    const char *fmt, ...) PS_PRINTF(5, 6);

/* Helpers on tags (engine.c). */
bool lint__active(const struct inv_project *p);
/* "leading", "trailing", "leading and trailing" white space, or NULL. */
const char *lint__edge_space(const char *s);
/* Bytes of leading white space, ASCII or the usual Unicode spaces. */
size_t lint__space_at(const char *s, size_t len);
/* Where a project's effective tag was written: its own, else defaults. */
const struct inv_tag *lint__tag_source(const struct lint__ctx *c,
    const struct inv_project *p, const char *key, bool *own);
/* The taxonomy's rule for key, or NULL. */
const struct inv_tag_rule *lint__tax_rule(const struct inventory *inv,
    const char *key);
/* The taxonomy key spelt exactly k, or (nocase) spelt k in any case;
 * NULL when there is none. */
const char *lint__known_exact(const struct lint__ctx *c, const char *k);
const char *lint__known_nocase(const struct lint__ctx *c, const char *k);
/* Where allowed value a is written, else the rule's key. */
const struct inv_pos *lint__allowed_pos(const struct inv_tag_rule *tr,
    size_t a);
bool lint__has_key_nocase(const struct tag_set *ts, const char *k);

/* The rule groups in files of their own. */
/* value-case-mismatch, near-duplicate-value (values.c) */
void lint__check_values(struct lint__ctx *c);
/* name-convention (naming.c) */
void lint__check_names(struct lint__ctx *c);
/* --live: the live state against the inventory and taxonomy (live.c) */
void lint__audit_live(struct lint__ctx *c);
/* --live with settings.billing: cost-tag-inactive, cost-tag-unseen from
 * opts->cost_tags (live.c) */
void lint__audit_cost_tags(struct lint__ctx *c);

#endif
