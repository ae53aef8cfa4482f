/*
 * invdiff: the semantic difference between two inventories (`projsync
 * diff REV1 REV2`: what a pull request changes) and its renderers.  Owned
 * by the invdiff module.  Pure data: the inventories come from the caller
 * (gitlog_load_inventory() reads them from commits), output goes into
 * caller-owned buffers; nothing here touches git, the network or a
 * terminal.  The renderings follow the plan's (text with + ~ -, markdown
 * for pull-request comments, JSON through util's writer) so a pull
 * request reads the same everywhere.
 *
 * Ownership: invdiff_new() hands a `struct invdiff *` to the caller, who
 * frees it with invdiff_free(); everything inside is owned by it (copied
 * from the inventories).
 */
#ifndef PROJSYNC_INVDIFF_H
#define PROJSYNC_INVDIFF_H

#include <stdbool.h>
#include <stddef.h>

#include "inventory/inventory.h"
#include "util/util.h"

enum invdiff_vtype { INVDIFF_V_STR, INVDIFF_V_BOOL, INVDIFF_V_NUM };

/*
 * One difference: `subject` went from `from` to `to`; NULL from means
 * added, NULL to means removed.  Booleans are "true"/"false", numbers
 * decimal.  Subjects: a tag key (project and defaults tags), "name", "id",
 * "archived" (projects), "required", "closed", "tags.KEY" (a rule),
 * "tags.KEY.allowed", "tags.KEY.pattern" (taxonomy), "region",
 * "unmanaged", "ignore_tags", "project_limit", "safety.max_changes", ...,
 * "record", "name_pattern" (settings).
 */
struct invdiff_change {
	char *subject;
	enum invdiff_vtype type;
	char *from, *to;
};

enum invdiff_pkind { INVDIFF_P_ADD, INVDIFF_P_REMOVE, INVDIFF_P_CHANGE };

struct invdiff_project {
	enum invdiff_pkind kind;
	char *name;		/* the new name (the old one when removed) */
	char *id;		/* the new pin (the old one when removed), or NULL */
	bool archived;		/* the new state (the old one when removed) */
	bool renamed;
	struct invdiff_change *attrs;	/* change: name, id, archived */
	size_t attrs_nr;
	/* add: every tag (from NULL); remove: every tag (to NULL); change:
	 * the tags that differ.  Effective tags (defaults merged), by key. */
	struct invdiff_change *tags;
	size_t tags_nr;
};

struct invdiff_side {
	char *rev;		/* as given: "main", "HEAD~1" */
	char commit[41];
	char *path;		/* the inventory inside the commit */
	char sha256[65];	/* of the top file */
};

struct invdiff {
	struct invdiff_side from, to;
	/* Sorted by name (byte order), then kind. */
	struct invdiff_project *projects;
	size_t projects_nr, projects_alloc;
	struct invdiff_change *taxonomy, *settings, *defaults;
	size_t taxonomy_nr, settings_nr, defaults_nr;
	size_t added, removed, changed, renamed;
};

/*
 * What changed from a to b.  Projects are matched by `id` pin, then by
 * name (a project whose name and pin both changed cannot be matched and
 * shows as removed + added).  rev/commit label the sides for renderers
 * (copied).  The caller frees *out with invdiff_free().  O(n log n).
 */
void invdiff_new(struct invdiff **out, const struct inventory *a,
    const char *rev_a, const char *commit_a, const struct inventory *b,
    const char *rev_b, const char *commit_b);
void invdiff_free(struct invdiff *d);
/* Anything at all? */
bool invdiff_empty(const struct invdiff *d);

enum invdiff_render_flags { INVDIFF_RENDER_COLOR = 1 << 0 };

/* "Projects: 1 added, 0 removed, 2 changed (1 renamed). Taxonomy: 1
 * change." or "No changes. ..." (no newline). */
void invdiff_summary(struct ps_buf *out, const struct invdiff *d);
/* Terraform-like text: + added, ~ changed, - removed, then the taxonomy,
 * settings and defaults, then the summary line. */
void invdiff_render_text(struct ps_buf *out, const struct invdiff *d,
    unsigned flags);
/* For a pull-request comment; under 60,000 characters (long lists cut
 * with a note). */
void invdiff_render_markdown(struct ps_buf *out,
    const struct invdiff *d);
/* JSON document, format_version 1, two-space indent, trailing newline. */
void invdiff_render_json(struct ps_buf *out, const struct invdiff *d);

#endif
