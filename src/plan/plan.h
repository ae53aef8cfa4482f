/*
 * plan: the diff between an inventory and the live account, the plan file
 * (JSON, format_version 1), its renderers (text, markdown, JSON), the
 * safety and quota checks (docs/architecture.md, Plan semantics) and the stale check that apply
 * runs before executing a saved plan.  Owned by the plan module.
 *
 * Pure data: nothing here touches the network or prints.  The caller lists
 * the live state (api), loads the inventory (inventory) and prints.
 *
 * Ownership: plan_diff() and plan_from_json() hand a `struct plan *` to the
 * caller, who frees it with plan_free().  Everything inside is owned by the
 * plan.  Renderers append to a caller-owned ps_buf.
 */
#ifndef PROJSYNC_PLAN_H
#define PROJSYNC_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "inventory/inventory.h"
#include "live/live.h"
#include "util/util.h"

#define PLAN_FORMAT_VERSION	1
/* A plan file is user-supplied input: refuse anything larger. */
#define PLAN_MAX_FILE_BYTES	(64u << 20)
/* GitHub rejects PR comments over 65,536 characters; keep a margin. */
#define PLAN_MARKDOWN_MAX	60000

enum plan_action {
	PLAN_CREATE = 0,	/* POST /organization/projects {name, tags} */
	PLAN_UPDATE,		/* POST /organization/projects/{id} */
	PLAN_ARCHIVE,		/* POST /organization/projects/{id}/archive */
	PLAN_UNMANAGED,		/* reported only: live, not in the inventory */
};

/* Why an archive is planned. */
enum plan_archive_reason {
	PLAN_REASON_NONE = 0,
	PLAN_REASON_INVENTORY,	/* `archived: true` in the inventory */
	PLAN_REASON_UNMANAGED,	/* settings.unmanaged: archive */
};

struct plan_change {
	enum plan_action action;
	char *id;		/* NULL for create */
	/*
	 * create: the name to create; update: the name after the change;
	 * archive/unmanaged: the live name (NULL when the API has none).
	 */
	char *name;
	/* update: rename from `rename_from` (may be NULL: the live project
	 * had no name) to `name`; false when the name stays. */
	bool rename;
	char *rename_from;
	struct tag_set tags;		/* create: the full tag set to send */
	struct tag_set add_tags;	/* update: new keys and changed values */
	char **remove_tag_keys;		/* update: sorted, never in add_tags */
	size_t remove_nr;
	/* update/archive: the live object as seen when planning (id, name,
	 * status, tags); its fingerprint is in plan->fingerprints. */
	bool has_before;
	struct live_project before;
	enum plan_archive_reason reason;	/* archive only */
};

struct plan_fingerprint {
	char *id;
	char sha256[65];	/* live_project_fingerprint() */
};

enum plan_violation_kind {
	PLAN_VIOLATION_MAX_CHANGES = 0,		/* "max-changes" */
	PLAN_VIOLATION_MAX_CHANGE_PERCENT,	/* "max-change-percent" */
	PLAN_VIOLATION_MASS_TAG_CHANGE,		/* "mass-tag-change" */
	PLAN_VIOLATION_PROJECT_LIMIT,		/* "project-limit" */
};

struct plan_violation {
	enum plan_violation_kind kind;
	char *message;		/* one sentence for people */
	bool overridable;	/* --force overrides it (not the quota) */
};

struct plan_summary {
	size_t create, update, archive, unmanaged, unchanged;
};

/* A cost-allocation tag key's status in Cost Explorer. */
enum plan_tag_state {
	PLAN_TAG_UNSEEN = 0,	/* billing has no usage with the key yet */
	PLAN_TAG_INACTIVE,
	PLAN_TAG_ACTIVE,
};

/*
 * settings.billing.activate_tags: the taxonomy's keys (required and
 * declared) by their status, each list sorted.  `activate` (inactive keys)
 * are what apply activates; `unseen` keys cannot be activated yet (one
 * warning each).  All empty and !enabled without the setting.
 */
struct plan_billing {
	bool enabled;
	char **activate, **active, **unseen;
	size_t activate_nr, active_nr, unseen_nr;
};

struct plan {
	int format_version;		/* PLAN_FORMAT_VERSION */
	char *endpoint;			/* without userinfo, query or fragment */
	char *inventory_path;		/* as given to the loader; may be NULL */
	char inventory_sha256[65];	/* hex of the top file's bytes */
	/* The inventory's commit: "<hex>", "<hex>-dirty" (the file differs
	 * from HEAD, like gitlog's Inventory-Commit trailer) or NULL. */
	char *git_commit;
	struct plan_summary summary;
	/* Sorted by name (byte order, a missing name first), then id. */
	struct plan_change *changes;
	size_t changes_nr, changes_alloc;
	/* One per update/archive, sorted by id. */
	struct plan_fingerprint *fingerprints;
	size_t fingerprints_nr, fingerprints_alloc;
	char **warnings;
	size_t warnings_nr, warnings_alloc;
	bool safety_ok;			/* no violations */
	struct plan_violation *violations;
	size_t violations_nr, violations_alloc;
	struct plan_billing billing;	/* cost-allocation tags (billing.c) */
};

struct plan_options {
	const char *endpoint;	/* recorded in the plan (userinfo stripped) */
	const char *git_commit;	/* see plan.git_commit; may be NULL */
};

/*
 * The one project matcher (match.c), shared by plan_diff() and `output`:
 * an `id` pin claims its live project first; the other inventory projects
 * match by name among the active live projects no pin claimed; `default`
 * is never matched.  Several active projects with the name and the same
 * tags are a racing apply's duplicates: all are claimed and the
 * plan_survivor() is matched (a warning; the apply that made the others
 * archives them).
 */
struct plan_match {
	/* per inventory project (same index): its live project or NULL */
	const struct live_project **match;
	/* per live project (index in live->items): who claims it, or NULL */
	const struct inv_project **claimed_by;
	/* active live projects no pin claimed, sorted by name then id */
	const struct live_project **by_name;
	size_t by_name_nr;
	/* for people: the survivors chosen, names only an archived live
	 * project has (a create will follow) */
	char **warnings;
	size_t warnings_nr, warnings_alloc;
};

/*
 * Match inv against live into *m (the caller releases it with
 * plan_match_release(); pointers borrow from inv and live).  Returns 0, or
 * (with *m released):
 *   PS_EREFUSED  a project cannot be matched safely (two active live
 *                projects with different tags share its name, a pinned id
 *                does not exist, is `default`, is pinned twice, or is
 *                archived while the inventory wants it active); the
 *                message names every such project, one per line, with the
 *                inventory position and the live IDs.
 *   PS_EHTTP     the live listing holds one id twice.
 */
int plan_match(struct plan_match *m, const struct inventory *inv,
    const struct live_state *live);
void plan_match_release(struct plan_match *m);

/*
 * Compute what makes `live` match `inv`, matching with plan_match() (its
 * errors are returned as they are; its warnings go into the plan);
 * `default` is never matched, touched or reported.  Returns 0 with *out
 * set, or plan_match()'s error.
 * Safety violations do not fail: they are recorded in the plan (apply
 * refuses them; --force overrides all but the quota):
 *   max-changes         create + update + archive > safety.max_changes
 *   max-change-percent  update + archive > max_change_percent of the
 *                       managed projects (matched active ones plus
 *                       unmanaged ones being archived), when there are at
 *                       least min_projects_for_percent of them
 *   mass-tag-change     one tag key added, changed or removed on more than
 *                       that share (same condition), one entry per key
 *   project-limit       active non-default projects now + creates -
 *                       archives > settings.project_limit, when the plan
 *                       creates anything (never overridable)
 * Thresholds are literal: 0 allows no change without --force.
 * O(n log n) in the number of projects.
 */
int plan_diff(struct plan **out, const struct inventory *inv,
    const struct live_state *live, const struct plan_options *opts);

void plan_free(struct plan *p);

/*
 * Racing applies (docs/apply-safety.md): of active projects that share a
 * name, the one every run keeps is the oldest (created_at), then the one
 * with the smallest id.  plan_survivor_cmp() orders by name, then that
 * rule; plan_survivor() picks the survivor of v[0..n) (n >= 1).
 */
int plan_survivor_cmp(const struct live_project *a,
    const struct live_project *b);
const struct live_project *plan_survivor(const struct live_project *const *v,
    size_t n);

/* Changes that apply would make to projects: create + update + archive
 * (what the safety thresholds count). */
size_t plan_change_count(const struct plan *p);
/* plan_change_count() plus the cost-allocation tags to activate: what
 * --detailed-exitcode, the renderers and apply count as changes. */
size_t plan_total_changes(const struct plan *p);

/*
 * Record the Cost Explorer status of the taxonomy's keys (the CLI asked
 * ListCostAllocationTags): p->billing enabled, the three lists sorted
 * (a key given twice counts once), and a warning per unseen key.
 */
void plan_set_billing(struct plan *p, const char *const *keys,
    const enum plan_tag_state *states, size_t nr);
/* Are there violations that --force does not override (the quota)? */
bool plan_has_hard_violation(const struct plan *p);
/* The fingerprint recorded for id, or NULL (borrowed). */
const char *plan_fingerprint_find(const struct plan *p, const char *id);

const char *plan_action_name(enum plan_action a);
const char *plan_violation_kind_name(enum plan_violation_kind k);

/*
 * Append the plan document (deterministic JSON, two-space indent, keys in a
 * fixed order, trailing newline).  This is both the plan file and
 * `--format json`.
 */
void plan_to_json(struct ps_buf *out, const struct plan *p);

/*
 * Parse and strictly validate a plan document: unknown or duplicate keys,
 * wrong types, an unknown format_version, an inconsistent summary, a
 * missing fingerprint or one that does not match `before` are errors
 * (PS_EINVALID, message naming the JSON path).  *out is NULL on error.
 * For a document produced by plan_to_json(), plan_to_json() of the result
 * gives the same bytes.  `name` (the file name) prefixes messages.
 */
int plan_from_json(struct plan **out, const char *name, const char *buf,
    size_t len);

enum plan_render_flags {
	PLAN_RENDER_COLOR = 1 << 0,	/* ANSI colours (text only) */
	PLAN_RENDER_WARNINGS = 1 << 1,	/* include warnings (text only) */
};

/* Terraform-like text: + create, ~ update, ! archive, ? unmanaged, the
 * safety violations, then the summary line. */
void plan_render_text(struct ps_buf *out, const struct plan *p,
    unsigned flags);
/* What a markdown plan says about its target beyond the plan itself; the
 * caller knows it (NULL fields: unknown, left out). */
struct plan_md_target {
	/* the inventory as the sticky comment's marker names it
	 * (<!-- projsync:plan:PATH -->): relative to the repository's top;
	 * NULL: the plan's inventory_path */
	const char *inventory;
	const char *endpoint;	/* NULL: the plan's */
	const char *commit;	/* "hex" or "hex-dirty"; NULL: the plan's */
	const char *region;
	const char *account;
	/* taxonomy.required: the first PLAN_MD_MAX_KEYS get a count table */
	char *const *keys;
	size_t keys_nr;
};
#define PLAN_MD_MAX_KEYS	3

/*
 * Markdown for a pull-request comment: the hidden marker
 * <!-- projsync:plan:PATH --> first (CI updates one comment per inventory),
 * a header naming the target (endpoint host, region, account, inventory
 * commit), the summary, safety failures and warnings, a count table per
 * taxonomy key, the changes (long sections in <details>), and a footer
 * saying how the plan is applied.  Always under PLAN_MARKDOWN_MAX
 * characters (long lists are cut with a note saying how many were left
 * out).  t may be NULL (nothing known beyond the plan).
 */
void plan_render_markdown(struct ps_buf *out, const struct plan *p,
    const struct plan_md_target *t);
/* The same comment when there is no plan: the marker, the header, `title`
 * (one sentence: what failed) and `detail` (the error or the diagnostics,
 * shown verbatim in a code block, cut to fit). */
void plan_render_markdown_failure(struct ps_buf *out,
    const struct plan_md_target *t, const char *title, const char *detail);
/* "Plan: X to create, Y to update, Z to archive." or "No changes. ..."
 * (no newline). */
void plan_render_summary(struct ps_buf *out, const struct plan *p);

/*
 * Before applying a saved plan: re-listed state `now` against the plan.
 * Each change is still to do (the account is as the plan saw it), already
 * done (the account shows its result: a create's name with its tags, an
 * update's name and tags, an archive), or stale.  Returns 0 (done[i] marks
 * the changes already done when done is not NULL; p->changes_nr entries),
 * PLAN_ALREADY_APPLIED when every change is done, or PS_EREFUSED after
 * appending one line per stale project to why saying what changed: the
 * tag with its old and new value, the rename, the archive, that it is
 * gone, or the new same-name project (the message is also ps_error()'s).
 */
#define PLAN_ALREADY_APPLIED	1
int plan_check_stale(const struct plan *p, const struct live_state *now,
    struct ps_buf *why, bool *done);

/* Copy of url without userinfo ("user:pass@"), query or fragment. */
char *plan_endpoint_sanitize(const char *url);

#endif
