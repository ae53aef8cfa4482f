/*
 * gitlog: the git record of plans and applies (projsync.1, --record), reading it
 * back, and loading inventories straight from commits for `diff` (whose
 * semantic comparison is the invdiff module's).  Owned
 * by the gitlog module.  libgit2 only: nothing here runs `git`.
 *
 * Recording commits to refs/heads/projsync/history of the repository that
 * holds the inventory (or of --record-repo PATH, created bare if missing).
 * Each record is a commit whose tree holds the rendered files (plan.json,
 * plan.md and, for applies, result.json) and whose message is the summary
 * line, a blank line and trailers:
 *
 *	Plan: 1 to create, 0 to update, 0 to archive.
 *
 *	Projsync-Kind: plan
 *	Inventory-Commit: 3f1c...e2 | 3f1c...e2-dirty | unknown
 *	Inventory-Path: teams/projects.yaml
 *	Inventory-SHA256: 9a0b...
 *	Endpoint: https://bedrock-mantle.us-east-1.api.aws/v1
 *	Projsync-Version: 0.1.0
 *
 * The working tree, the index and HEAD are never read for writing or
 * written: only new objects and the one ref.  The ref moves by
 * compare-and-swap; when another recorder moved it first, the commit is
 * rebuilt on the new tip and the swap retried (bounded), so concurrent
 * recorders end up in one linear history.  Lost races leave unreachable
 * commit objects behind, which `git gc` prunes and `git fsck` reports
 * only as dangling (never as an error).
 *
 * Ownership: gitlog_open() hands a `struct gitlog *` to the caller, freed
 * with gitlog_free().  Entries filled by the readers own their strings;
 * release them with gitlog_entry_release() / gitlog_entries_free().
 * Input structs and byte arrays are borrowed for the duration of a call.
 *
 * Errors: 0 or a negative ps_status with the message in ps_error_last():
 * PS_ENOTFOUND (no repository, no such revision, no such file in the
 * commit), PS_EGIT (any other git failure, including a repository owned by
 * another user: the message says how to trust it), PS_EUSAGE (bad
 * arguments such as a file name with a '/').
 */
#ifndef PROJSYNC_GITLOG_H
#define PROJSYNC_GITLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "inventory/inventory.h"
#include "util/util.h"

#define GITLOG_REF		"refs/heads/projsync/history"
#define GITLOG_BRANCH		"projsync/history"
/* Compare-and-swap attempts before giving up on a busy ref. */
#define GITLOG_MAX_ATTEMPTS	64
/* The recorded files are our own output; refuse to read back more. */
#define GITLOG_MAX_FILE_BYTES	(64u << 20)

/* ---- recording ---- */

struct gitlog_file {
	const char *name;	/* a plain file name: "plan.json" (no '/') */
	const char *data;
	size_t len;
};

struct gitlog_record_opts {
	const char *kind;		/* "plan" or "apply" */
	const char *summary;		/* first line of the message; only
					 * its first line is used */
	/* NULL: worked out from inventory_path (gitlog_inventory_commit(),
	 * "-dirty" appended when the file differs from HEAD, "unknown" when
	 * there is no commit). */
	const char *inventory_commit;
	/* NULL: SHA-256 of the file at inventory_path (omitted if unreadable). */
	const char *inventory_sha256;
	const char *endpoint;		/* userinfo, query and fragment are
					 * stripped before recording; NULL: omitted */
	const char *repo_path;		/* --record-repo, or NULL: the repository
					 * around inventory_path */
};

/*
 * Commit files to GITLOG_REF with parent = the current tip (none for the
 * first record) and move the ref by compare-and-swap.  out_hex receives
 * the new commit id.  The author and committer come from git config
 * (user.name/user.email), else "projsync <projsync@localhost>";
 * $PROJSYNC_GIT_AUTHOR_NAME / $PROJSYNC_GIT_AUTHOR_EMAIL override either.
 * Refuses (PS_EGIT) when projsync/history is the checked-out branch of a
 * work tree, because moving it would change that work tree's HEAD.
 */
int gitlog_record(char out_hex[41], const char *inventory_path,
    const struct gitlog_record_opts *opts, const struct gitlog_file *files,
    size_t nr);

/*
 * Could gitlog_record() record here?  Opens (or creates, as it would) the
 * repository and checks what it checks before writing (the branch is not
 * checked out, an author can be made).  `apply --record` asks before its
 * first change to the account, not after.
 */
int gitlog_record_check(const char *inventory_path, const char *repo_path);

/*
 * The convenience plan and apply call: records plan.json, plan.md and,
 * when result_json is not NULL, result.json (kind "apply", else "plan").
 * Strings are NUL-terminated rendered documents; summary is e.g. what
 * plan_render_summary() gives; endpoint and repo_path may be NULL.
 * The inventory commit and SHA-256 are worked out from inventory_path.
 */
int gitlog_record_plan(char out_hex[41], const char *inventory_path,
    const char *repo_path, const char *summary, const char *endpoint,
    const char *plan_json, const char *plan_md, const char *result_json);

/*
 * The commit that holds the inventory: HEAD of the work tree around
 * inventory_path.  *dirty (may be NULL) is set when the file's bytes
 * (after the repository's filters, like `git status`) differ from HEAD's
 * version or HEAD does not have the file, i.e. checking out HEAD would
 * not reproduce it.  Returns PS_ENOTFOUND when the file is in no work tree
 * or HEAD has no commit yet (the caller records "unknown"), PS_EGIT on
 * other git errors (e.g. a repository owned by another user).
 */
int gitlog_inventory_commit(char out_hex[41], bool *dirty,
    const char *inventory_path);

/*
 * The top of the git work tree that holds path (a file or folder; the
 * search starts in its folder), resolved with realpath(3): what CI tools
 * name files relative to.  Caller frees *out.  PS_ENOTFOUND when path is
 * in no work tree (a bare repository has none).
 */
int gitlog_work_tree(char **out, const char *path);

/* Test hook: called after the tip was read and the commit written, just
 * before the compare-and-swap (attempt counts from 1). NULL: none. */
typedef void (*gitlog_test_hook_fn)(const char *repo_dir, int attempt,
    void *payload);
void gitlog__set_test_hook(gitlog_test_hook_fn fn, void *payload);

/* ---- reading back ---- */

struct gitlog;

/*
 * Open the repository that holds the records: repo_path when not NULL
 * (exactly that repository, no search upwards), else the one found
 * upwards from inventory_path's folder (which must exist).
 */
int gitlog_open(struct gitlog **out, const char *inventory_path,
    const char *repo_path);
void gitlog_free(struct gitlog *gl);
/* The repository's folder (work tree, or git dir when bare). Borrowed. */
const char *gitlog_dir(const struct gitlog *gl);

struct gitlog_entry {
	char id[41];
	char short_id[8];	/* first 7 hex digits */
	int64_t time;		/* committer time, unix seconds */
	int offset;		/* committer time zone, minutes east of UTC */
	char *kind;		/* "plan", "apply", or NULL for a commit that
				 * is not a projsync record */
	char *summary;		/* the message's first line */
	char *author_name, *author_email;
	/* Trailers, NULL when absent. */
	char *inventory_commit, *inventory_path, *inventory_sha256;
	char *endpoint, *version;
};

void gitlog_entry_release(struct gitlog_entry *e);
/* "2026-11-26 09:12:44 +0000" (iso = false) or "2026-11-26T09:12:44+00:00"
 * (iso = true), in the committer's time zone. */
void gitlog_entry_time(char out[32], const struct gitlog_entry *e, bool iso);
/* The entries as a JSON array (two-space indent, trailing newline): id,
 * time, kind, summary, author, inventory_commit, inventory_path,
 * inventory_sha256, endpoint, projsync_version; null when unknown. */
void gitlog_entries_to_json(struct ps_buf *out, const struct gitlog_entry *e,
    size_t nr);
void gitlog_entries_free(struct gitlog_entry *e, size_t nr);

/*
 * The record at rev (any revspec: "projsync/history~2", a commit id;
 * NULL: the newest record).  PS_ENOTFOUND when nothing was recorded yet or
 * rev does not name a commit.
 */
int gitlog_lookup(struct gitlog_entry *out, struct gitlog *gl,
    const char *rev);
/* The newest record of that kind ("plan" or "apply") on GITLOG_REF. */
int gitlog_latest(struct gitlog_entry *out, struct gitlog *gl,
    const char *kind);

/*
 * Records on GITLOG_REF, newest first, following first parents; at most
 * max (0: all).  *nr is 0 (and 0 returned) when nothing was recorded yet.
 */
int gitlog_list(struct gitlog_entry **out, size_t *nr, struct gitlog *gl,
    size_t max);

/*
 * The bytes of path (may contain '/') in the tree of the commit at rev
 * (NULL: the newest record).  PS_ENOTFOUND when the commit has no such
 * file (the message names rev and path).
 */
int gitlog_blob(struct ps_buf *out, struct gitlog *gl, const char *rev,
    const char *path);

/*
 * For `apply --from-history [REV]`: the file `name` ("plan.json") of the
 * record at rev in the repository gitlog_open() would open.  rev NULL means
 * the newest record of kind "plan" (not an apply).
 */
int gitlog_read_file(struct ps_buf *out, const char *inventory_path,
    const char *repo_path, const char *rev, const char *name);

/*
 * Load the inventory at path inside the commit at rev, from the object
 * database (no checkout): includes are expanded with fnmatch(3) over the
 * tree's entries (glob(3) rules: '*' stops at '/', no hidden files).
 * The same return values as inventory_load_source(); diagnostics name
 * files as "REV:path" (rev as given).  commit_hex (may be NULL) receives
 * the resolved commit.
 */
int gitlog_load_inventory(struct inventory **out, char commit_hex[41],
    struct gitlog *gl, const char *rev, const char *path,
    struct diag_list *dl);

/*
 * The best common ancestor of the commits at a and b (`git merge-base`),
 * for `diff A...B`: what B changed since it left A.  PS_ENOTFOUND when a
 * revision is unknown or the two share no history.
 */
int gitlog_merge_base(char out_hex[41], struct gitlog *gl, const char *a,
    const char *b);

/* The libgit2 this process runs with: "1.5.1".  Caller frees. */
char *gitlog_libgit2_version(void);

#endif
