/*
 * export: the live account as an inventory, the way to adopt an existing
 * account (`projsync export`).  Owned by the export module.
 *
 * Pure data: the caller lists the account and prints; nothing here touches
 * the network.  Every exported project is pinned by `id:`, so the result
 * plans to no changes against the account it came from once the taxonomy's
 * findings are fixed.  The taxonomy is proposed from what most projects
 * follow:
 *   - required: the keys set on at least EXPORT_REQUIRED_PERCENT of the
 *     active projects (the few lacking one are then errors to fix, each
 *     marked in the YAML and counted in the warnings);
 *   - allowed: for a key whose repeated values (used by two projects or
 *     more, at most EXPORT_ALLOWED_MAX of them) cover that share of its
 *     uses, exactly those values; other values are then errors to fix.
 * The default project is never exported.
 *
 * Ownership: export_run() fills a caller-owned struct export_result
 * (EXPORT_RESULT_INIT, export_result_release()).
 */
#ifndef PROJSYNC_EXPORT_H
#define PROJSYNC_EXPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "live/live.h"
#include "util/util.h"

#define EXPORT_REQUIRED_PERCENT	80
#define EXPORT_ALLOWED_MAX	12

struct export_options {
	bool include_archived;	/* export archived projects as archived: true */
	/* false (--no-infer): `required: []` and no allowed lists, every key
	 * declared without constraints */
	bool infer;
	/* --required KEYS: exactly these are required (NULL: inferred) */
	char *const *required;
	size_t required_nr;
	const char *endpoint;	/* named in the header comment */
	const char *region;	/* settings.region; NULL: left out */
};

/* One key of the proposed taxonomy. */
struct export_key {
	char *key;
	size_t uses;		/* active projects with it set (non-empty) */
	bool required;
	char **allowed;		/* sorted; NULL: any value */
	size_t allowed_nr;
};

struct export_taxonomy {
	struct export_key *keys;	/* sorted by key */
	size_t nr;
};

struct export_result {
	struct ps_buf yaml;		/* the inventory */
	size_t projects, archived;	/* exported */
	/* one sentence each, for people: projects left out and the findings
	 * the proposed taxonomy leaves to fix */
	char **warnings;
	size_t warnings_nr, warnings_alloc;
};
#define EXPORT_RESULT_INIT { PS_BUF_INIT, 0, 0, NULL, 0, 0 }

/*
 * Render live (as listed, any order) as an inventory.  Projects the
 * inventory cannot hold (no name, a name or tag that breaks its rules)
 * and, of projects sharing a name, all but one (active before archived,
 * then the oldest) are left out with a warning; `plan` then reports the
 * active ones as unmanaged.  Tags whose key starts with aws: are AWS's own:
 * they are not exported and settings.ignore_tags gets "aws:*".  Returns 0,
 * or PS_EUSAGE when a --required key is not a valid tag key.
 */
int export_run(struct export_result *out, const struct live_state *live,
    const struct export_options *o);
void export_result_release(struct export_result *r);

/* The taxonomy proposed for these projects (the active ones count). */
void export_infer_taxonomy(struct export_taxonomy *out,
    const struct live_project *const *projects, size_t nr,
    const struct export_options *o);
void export_taxonomy_release(struct export_taxonomy *t);

/* s as a YAML scalar that reads back as the same string: plain when that
 * is safe in block and flow context, else double-quoted and escaped. */
void export_yaml_scalar(struct ps_buf *out, const char *s);

#endif
