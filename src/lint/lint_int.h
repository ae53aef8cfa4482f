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

#endif
