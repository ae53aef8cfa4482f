/*
 * inventory: projects.yaml → an immutable model that remembers where every
 * value came from (file, line, column).  Owned by the inventory module.
 *
 * The loader reads bytes through a `struct inv_source`, so the same code
 * loads from the file system or from a git tree (gitlog supplies a source
 * that reads blobs).  Structural problems (YAML syntax, duplicate keys,
 * wrong types, unknown fields, alias/size/depth limits) are reported by the
 * loader as diagnostics; taxonomy and tag rules are the policy module's.
 *
 * Ownership: inventory_load_*() hand a `struct inventory *` to the caller,
 * who frees it with inventory_free().  Everything inside is owned by the
 * inventory and stays valid until then.  Strings (and the items of each
 * project's `tags`) live in the inventory's pool: treat the model as
 * read-only, never free or tag_set_release() parts of it; copy a tag set
 * with tag_set_copy() to change it.
 *
 * The format is docs/projsync-inventory.5.  Beyond it the
 * loader accepts YAML anchors, aliases and `<<` merge keys (bounded), and
 * ignores top-level keys starting with `x-` (a place to keep anchors).
 * String fields must be YAML strings: `CostCenter: 1001` or `Env: no` are
 * reported with a hint to quote them, as other YAML tools read them as a
 * number or a boolean.  When a load returns 0, every project has a name.
 *
 * Diagnostics the loader adds (rule ids): yaml-syntax, invalid-encoding,
 * file-too-large, nesting-limit, alias-limit, empty-file, duplicate-key,
 * invalid-type, unknown-field, missing-field, misplaced-field, invalid-value,
 * unsupported-version, missing-version (warning), include-not-found,
 * include-no-match (warning), include-error.  An unknown field with a
 * suggestion ('tgas', 'requried') is reported and then read as the field it
 * suggests, unless the mapping spells that one too, so that one typo is one
 * error and not a missing tag on every project; the load still fails.
 */
#ifndef PROJSYNC_INVENTORY_H
#define PROJSYNC_INVENTORY_H

#include <stdbool.h>
#include <stddef.h>

#include "util/util.h"

/* Where a value was written. `file` points into the inventory's file list. */
struct inv_pos {
	const char *file;
	unsigned line, col;	/* 1-based */
};

struct inv_tag {
	char *key;
	char *value;
	struct inv_pos key_pos, value_pos;
	/* added: the value was not a YAML string (reported); `value` is its
	 * text, so the key still counts as present */
	bool invalid;
};

struct inv_tag_list {
	struct inv_tag *items;	/* in file order */
	size_t nr;
};

struct inv_suppression {
	char *rule;
	char *reason;
	char *until;		/* "YYYY-MM-DD" or NULL */
	struct inv_pos pos;
};

struct inv_suppression_list {
	struct inv_suppression *items;
	size_t nr;
};

struct inv_project {
	char *name;
	struct inv_pos pos;		/* the list item */
	struct inv_pos name_pos;
	char *id;			/* pinned ID or NULL */
	struct inv_pos id_pos;
	bool archived;
	struct inv_tag_list own_tags;	/* as written on the project */
	/* Effective tags: `defaults.tags` merged under own_tags, sorted. */
	struct tag_set tags;
	struct inv_suppression_list lint_ignore;
	/* added by the loader; all positions are {NULL, 0, 0} when unset */
	struct inv_pos tags_pos;	/* the `tags:` key */
	struct inv_pos archived_pos;
	size_t index;			/* position in inventory.projects */
};

struct inv_tag_rule {
	char *key;
	struct inv_pos pos;
	char **allowed;		/* NULL when any value is allowed */
	size_t allowed_nr;
	char *pattern;		/* POSIX extended regex or NULL */
	struct inv_pos pattern_pos;
	/* added */
	struct inv_pos *allowed_pos;	/* one per allowed value */
	char *description;		/* free text or NULL */
};

struct inv_taxonomy {
	char **required;	/* default: Application Environment Team CostCenter */
	size_t required_nr;
	struct inv_pos required_pos;
	bool closed;
	struct inv_tag_rule *tags;
	size_t tags_nr;
	/* added */
	struct inv_pos pos;		/* the `taxonomy:` key, if written */
	struct inv_pos closed_pos;
	bool required_given;		/* false: the four default keys */
	struct inv_pos *required_item_pos;	/* one per entry, or NULL */
};

enum inv_unmanaged {
	INV_UNMANAGED_REPORT = 0,
	INV_UNMANAGED_IGNORE,
	INV_UNMANAGED_ARCHIVE,
};

struct inv_safety {
	unsigned max_changes;			/* default 50 */
	unsigned max_change_percent;		/* default 30 */
	unsigned min_projects_for_percent;	/* default 10 */
};

/* settings.billing: Cost Explorer (docs/finops.md). */
struct inv_billing {
	bool activate_tags;	/* taxonomy keys are cost-allocation tags */
	char *profile;		/* AWS profile for billing calls, or NULL */
	struct inv_pos pos;	/* the `billing:` value, if written */
};

struct inv_settings {
	char *region;			/* NULL: not set */
	enum inv_unmanaged unmanaged;	/* default report */
	char **ignore_tags;		/* glob patterns, e.g. "aws:*" */
	size_t ignore_tags_nr;
	unsigned project_limit;		/* default 1000 */
	struct inv_safety safety;
	bool record;			/* settings.record: record plans in git */
	char *name_pattern;		/* lint name-convention template or NULL */
	struct inv_billing billing;
	/* added */
	struct inv_pos pos;		/* the `settings:` key, if written */
	struct inv_pos project_limit_pos;
	struct inv_pos name_pattern_pos;
};

struct inventory {
	char *path;			/* the top file as given */
	char sha256[65];		/* of the top file's bytes, hex */
	char **files;			/* every file read (top first), for inv_pos */
	size_t files_nr;
	int version;
	struct inv_settings settings;
	struct inv_taxonomy taxonomy;
	struct inv_tag_list defaults;	/* defaults.tags */
	struct inv_project *projects;	/* in file order, includes appended */
	size_t projects_nr;
	struct inv_suppression_list lint_ignore;	/* top level */
	/* added by the loader */
	struct inv_pos version_pos;	/* {path, 0, 0} when `version` is absent */
	struct inv_pos defaults_pos;	/* the `defaults:` key, if written */
	struct inv_pos projects_pos;	/* the top file's `projects:` key */
	size_t *by_name;		/* indices of named projects, by name */
	size_t by_name_nr;
	size_t *by_id;			/* indices of pinned projects, by id */
	size_t by_id_nr;
	struct inv_pool *pool;		/* every string above lives here */
};

/*
 * Where the loader gets bytes.  `read` fills out with the contents of path
 * (PS_ENOTFOUND if missing); `glob` expands an include pattern relative to
 * nothing (the loader joins it to the including file's folder first) into a
 * sorted list of paths the caller frees (each, then the array).
 */
struct inv_source {
	int (*read)(struct ps_buf *out, const char *path, void *payload);
	int (*glob)(char ***paths, size_t *nr, const char *pattern,
	    void *payload);
	void *payload;
};

/* Limits on hostile input. */
#define INV_MAX_FILE_BYTES	(64u << 20)	/* per file */
#define INV_MAX_DEPTH		64		/* nesting levels */
#define INV_MAX_ALIAS_NODES	100000		/* nodes reachable via aliases */
#define INV_MAX_NODES		(4u << 20)	/* YAML nodes per file */
#define INV_MAX_FILES		10000		/* files, includes counted */
#define INV_MAX_INCLUDE_DEPTH	16		/* include inside include ... */
#define INV_MAX_MESSAGE		1024		/* bytes of a diagnostic message */

/*
 * The file system: read(2) with the size limit above (PS_EINVALID past
 * it), glob(3) without sorting by locale (results in byte order, folders
 * skipped).  For inventory_load_source() callers who want the default.
 */
extern const struct inv_source inventory_fs_source;

/*
 * Load the inventory at path from the file system (glob(3) for includes).
 * Returns 0 when it loaded without errors (warnings possible), PS_EINVALID
 * when diagnostics with errors were added to dl (*out may still be set if
 * the YAML parsed, so validate can report more), PS_ENOTFOUND/PS_EFAIL when
 * the top file cannot be read (*out NULL, message in ps_error_last()).
 * dl may be NULL (quiet).
 */
int inventory_load_file(struct inventory **out, const char *path,
    struct diag_list *dl);
/* Same, from bytes in memory (no includes are resolved). */
int inventory_load_buffer(struct inventory **out, const char *name,
    const char *buf, size_t len, struct diag_list *dl);
/* Same, through a custom source (git blobs). */
int inventory_load_source(struct inventory **out, const char *path,
    const struct inv_source *src, struct diag_list *dl);

/* The project whose name is `name`, or NULL (borrowed).  O(log n); with
 * duplicate names (an invalid inventory) the first in file order. */
const struct inv_project *inventory_find_name(const struct inventory *inv,
    const char *name);
/* The project pinned to `id`, or NULL (borrowed).  O(log n). */
const struct inv_project *inventory_find_id(const struct inventory *inv,
    const char *id);
/* The taxonomy's keys: the required ones, then the keys declared under
 * taxonomy.tags not already listed (borrowed strings; *out is the
 * caller's to free, NULL-terminated, *nr entries). */
void inventory_taxonomy_keys(const struct inventory *inv, const char ***out,
    size_t *nr);
/* Is this live tag key one projsync never touches (settings.ignore_tags)? */
bool inventory_tag_ignored(const struct inventory *inv, const char *key);

void inventory_free(struct inventory *inv);

/* The version of libyaml this process runs with ("0.2.5"; static). */
const char *inventory_libyaml_version(void);

#endif
