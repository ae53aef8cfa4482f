/*
 * gitlog: loading an inventory straight from a commit's tree (no
 * checkout), for `projsync diff REV1 REV2`.  An inv_source reads blobs
 * and expands include globs over tree entries with fnmatch(3), following
 * glob(3)'s rules so a commit and its checkout load the same files.
 */
#include "gitlog/gitlog.h"
#include "gitlog/gitlog_int.h"

#include <fnmatch.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"

/* Matches past this are a hostile pattern, not an inventory. */
#define TREE_GLOB_MAX	100000

struct tree_source {
	git_repository *repo;
	git_tree *root;
	const char *label;	/* "REV (abc1234)" for messages */
};

/* A path inside the tree, or NULL when it points outside it. */
static const char *
tree_path(const char *path)
{
	while (path[0] == '.' && path[1] == '/')
		path += 2;
	if (path[0] == '/' || !strcmp(path, "..") || !strncmp(path, "../", 3) ||
	    !*path || !strcmp(path, "."))
		return NULL;
	return path;
}

static int
tree_read(struct ps_buf *out, const char *path, void *payload)
{
	struct tree_source *ts = payload;
	const char *p = tree_path(path);
	git_tree_entry *te = NULL;
	git_blob *blob = NULL;
	int rc, err = 0;

	ps_buf_reset(out);
	if (!p)
		return ps_error(PS_ENOTFOUND, "'%s' is outside the repository",
		    path);
	rc = git_tree_entry_bypath(&te, ts->root, p);
	if (rc == GIT_ENOTFOUND || (rc == 0 &&
	    git_tree_entry_type(te) == GIT_OBJECT_COMMIT)) {
		err = ps_error(PS_ENOTFOUND, "'%s' does not exist in %s", p,
		    ts->label);
		goto out;
	}
	if (rc < 0) {
		err = gitlog__error(rc, "cannot read '%s' in %s", p, ts->label);
		goto out;
	}
	if (git_tree_entry_type(te) == GIT_OBJECT_TREE) {
		err = ps_error(PS_EFAIL, "'%s' is a folder in %s", p,
		    ts->label);
		goto out;
	}
	/* A checkout would follow it; resolving links inside a tree is a
	 * can of worms (loops, escapes) for no real use. */
	if (git_tree_entry_filemode(te) == GIT_FILEMODE_LINK) {
		err = ps_error(PS_EFAIL, "'%s' is a symbolic link in %s; only "
		    "regular files are read from commits", p, ts->label);
		goto out;
	}
	if ((rc = git_blob_lookup(&blob, ts->repo, git_tree_entry_id(te))) <
	    0) {
		err = gitlog__error(rc, "cannot read '%s' in %s", p, ts->label);
		goto out;
	}
	if (git_blob_rawsize(blob) > INV_MAX_FILE_BYTES) {
		err = ps_error(PS_EINVALID, "'%s' is larger than the limit of "
		    "%u MiB per file", p, INV_MAX_FILE_BYTES >> 20);
		goto out;
	}
	ps_buf_add(out, git_blob_rawcontent(blob),
	    (size_t)git_blob_rawsize(blob));
out:
	git_blob_free(blob);
	git_tree_entry_free(te);
	return err;
}

struct glob_state {
	struct tree_source *ts;
	char **segs;
	size_t nsegs;
	char **paths;
	size_t nr, alloc;
	int err;
};

static void
glob_add(struct glob_state *g, const char *prefix, const char *name)
{
	if (g->nr >= TREE_GLOB_MAX) {
		if (!g->err)
			g->err = ps_error(PS_EFAIL, "include pattern matches "
			    "more than %d files", TREE_GLOB_MAX);
		return;
	}
	xgrow(&g->paths, &g->alloc, g->nr + 1, sizeof(*g->paths));
	g->paths[g->nr++] = *prefix ? xasprintf("%s/%s", prefix, name) :
	    xstrdup(name);
}

/* Match segment i against the entries of tree; recurse into folders. */
static void
glob_walk(struct glob_state *g, const git_tree *tree, const char *prefix,
    size_t i)
{
	bool last = i + 1 == g->nsegs;
	size_t n, k;

	n = git_tree_entrycount(tree);
	for (k = 0; k < n && !g->err; k++) {
		const git_tree_entry *te = git_tree_entry_byindex(tree, k);
		const char *name = git_tree_entry_name(te);
		git_object_t type = git_tree_entry_type(te);
		git_tree *sub = NULL;
		char *next;

		if (fnmatch(g->segs[i], name, FNM_PERIOD) != 0)
			continue;
		if (last) {
			/* glob(3) lists folders too; the fs source skips
			 * them, and so do we (and submodules). */
			if (type == GIT_OBJECT_BLOB)
				glob_add(g, prefix, name);
			continue;
		}
		if (type != GIT_OBJECT_TREE)
			continue;
		if (git_tree_lookup(&sub, g->ts->repo,
		    git_tree_entry_id(te)) < 0) {
			g->err = gitlog__error(-1, "cannot read folder '%s' in "
			    "%s", name, g->ts->label);
			return;
		}
		next = *prefix ? xasprintf("%s/%s", prefix, name) :
		    xstrdup(name);
		glob_walk(g, sub, next, i + 1);
		free(next);
		git_tree_free(sub);
	}
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
tree_glob(char ***paths, size_t *nr, const char *pattern, void *payload)
{
	struct glob_state g = { 0 };
	const char *p = tree_path(pattern);
	char *copy = NULL, *save = NULL, *s;
	size_t alloc = 0, i;

	*paths = NULL;
	*nr = 0;
	if (!p)
		return 0;	/* outside the tree: matches nothing */
	g.ts = payload;
	copy = xstrdup(p);
	for (s = strtok_r(copy, "/", &save); s; s = strtok_r(NULL, "/", &save)) {
		xgrow(&g.segs, &alloc, g.nsegs + 1, sizeof(*g.segs));
		g.segs[g.nsegs++] = s;
	}
	if (g.nsegs)
		glob_walk(&g, g.ts->root, "", 0);
	free(g.segs);
	free(copy);
	if (g.err) {
		for (i = 0; i < g.nr; i++)
			free(g.paths[i]);
		free(g.paths);
		return g.err;
	}
	/* byte order, like the file system source */
	if (g.nr > 1)
		qsort(g.paths, g.nr, sizeof(*g.paths), cmp_str);
	*paths = g.paths;
	*nr = g.nr;
	return 0;
}

/* Name files "REV:path" in the diagnostics added since `from`. */
static void
prefix_diags(struct diag_list *dl, size_t from, const char *rev)
{
	size_t i;

	for (i = from; dl && i < dl->nr; i++) {
		char *f = dl->items[i].file;

		dl->items[i].file = xasprintf("%s:%s", rev, f ? f : "");
		free(f);
	}
}

int
gitlog_load_inventory(struct inventory **out, char commit_hex[41],
    struct gitlog *gl, const char *rev, const char *path,
    struct diag_list *dl)
{
	struct tree_source ts = { 0 };
	git_object *obj = NULL;
	git_commit *c = NULL;
	char hex[41], *label = NULL;
	const char *p;
	size_t from = dl ? dl->nr : 0;
	int rc, err;

	*out = NULL;
	if (commit_hex)
		commit_hex[0] = '\0';
	if (!(p = tree_path(path)))
		return ps_error(PS_EUSAGE, "'%s' is not a path inside the "
		    "repository (-f names the inventory relative to the "
		    "repository's root)", path);
	ts.repo = gitlog__repo(gl);
	rc = git_revparse_single(&obj, ts.repo, rev);
	if (rc == GIT_ENOTFOUND || rc == GIT_EINVALIDSPEC) {
		err = ps_error(PS_ENOTFOUND, "unknown revision '%s'", rev);
		goto out;
	}
	if (rc < 0) {
		err = gitlog__error(rc, "cannot resolve '%s'", rev);
		goto out;
	}
	if (git_object_peel((git_object **)&c, obj, GIT_OBJECT_COMMIT) < 0) {
		git_error_clear();
		err = ps_error(PS_ENOTFOUND, "'%s' is not a commit", rev);
		goto out;
	}
	git_oid_tostr(hex, sizeof(hex), git_commit_id(c));
	if (commit_hex)
		memcpy(commit_hex, hex, 41);
	if ((rc = git_commit_tree(&ts.root, c)) < 0) {
		err = gitlog__error(rc, "cannot read the tree of '%s'", rev);
		goto out;
	}
	label = xasprintf("%s (%.7s)", rev, hex);
	ts.label = label;
	{
		struct inv_source src = { tree_read, tree_glob, &ts };

		err = inventory_load_source(out, p, &src, dl);
	}
	if (*out && err != PS_ENOTFOUND && err != PS_EFAIL &&
	    policy_validate(*out, dl) < 0)
		err = PS_EINVALID;
	if (err == PS_ENOTFOUND || err == PS_EFAIL) {
		inventory_free(*out);
		*out = NULL;
	}
	prefix_diags(dl, from, rev);
out:
	free(label);
	git_tree_free(ts.root);
	git_commit_free(c);
	git_object_free(obj);
	return err;
}
