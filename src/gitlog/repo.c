/*
 * gitlog: finding and opening repositories, turning libgit2 errors into
 * ps_error() messages, and working out which commit holds the inventory.
 */
#include "gitlog/gitlog.h"
#include "gitlog/gitlog_int.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <git2.h>

int
gitlog__error(int gitcode, const char *fmt, ...)
{
	const git_error *e = git_error_last();
	const char *why = e && e->message ? e->message : "unknown git error";
	struct ps_buf what = PS_BUF_INIT;
	va_list ap;
	int code;

	va_start(ap, fmt);
	ps_buf_vaddf(&what, fmt, ap);
	va_end(ap);
	code = gitcode == GIT_ENOTFOUND ? PS_ENOTFOUND : PS_EGIT;
	ps_error(code, "%s: %s", ps_buf_cstr(&what), why);
	ps_buf_release(&what);
	return code;
}

/* The folder holding path ("." for a bare file name). Caller frees. */
char *
gitlog__dirname(const char *path)
{
	const char *slash;

	if (!path || !*path)
		return xstrdup(".");
	slash = strrchr(path, '/');
	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

/* Does path not exist, or is it an empty directory? */
static bool
is_absent_or_empty(const char *path)
{
	struct dirent *de;
	struct stat st;
	DIR *d;
	bool empty = true;

	if (stat(path, &st) < 0)
		return errno == ENOENT;
	if (!S_ISDIR(st.st_mode) || !(d = opendir(path)))
		return false;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
			empty = false;
			break;
		}
	closedir(d);
	return empty;
}

/*
 * libgit2 refused a repository owned by another user.  1.5.1 reports that
 * as "config value 'safe.directory' was not found" (GIT_ENOTFOUND; fixed
 * upstream by libgit2 PR #6408), so recognise both and name the path.
 */
static bool
is_owner_error(int rc)
{
	const git_error *e = git_error_last();

	return rc == GIT_EOWNER || (rc == GIT_ENOTFOUND && e && e->message &&
	    strstr(e->message, "safe.directory"));
}

static int
owner_error(const char *start, bool search)
{
	git_buf gd = { NULL, 0, 0 };
	char *trust = NULL;
	size_t n;
	int err;

	/* Discovery itself does not check ownership: use it for the path. */
	if (git_repository_discover(&gd, start, 0, NULL) == 0 && gd.ptr) {
		trust = xstrdup(gd.ptr);
		n = strlen(trust);
		if (n > 6 && !strcmp(trust + n - 6, "/.git/"))
			trust[n - 6] = '\0';
		else if (n > 1 && trust[n - 1] == '/')
			trust[n - 1] = '\0';
	}
	git_buf_dispose(&gd);
	git_error_clear();
	if (!trust)
		trust = xstrdup(start);
	err = ps_error(PS_EGIT, "the git repository '%s'%s is owned by another "
	    "user; git refuses to use it (safe.directory). If you trust it, "
	    "run: git config --global --add safe.directory '%s'", trust,
	    search ? " (found from the inventory's folder)" : "", trust);
	free(trust);
	return err;
}

int
gitlog__open_repo(git_repository **out, const char *inventory_path,
    const char *repo_path, bool create)
{
	char *dir = NULL;
	int rc, err = 0;

	*out = NULL;
	if (repo_path) {
		if (create && is_absent_or_empty(repo_path)) {
			git_repository_init_options o;

			git_repository_init_options_init(&o,
			    GIT_REPOSITORY_INIT_OPTIONS_VERSION);

			/* HEAD names the history, so a clone of the record
			 * repository shows it straight away. */
			o.flags = GIT_REPOSITORY_INIT_BARE |
			    GIT_REPOSITORY_INIT_MKPATH;
			o.initial_head = GITLOG_BRANCH;
			rc = git_repository_init_ext(out, repo_path, &o);
			if (rc < 0)
				err = gitlog__error(rc, "cannot create a bare "
				    "repository at '%s'", repo_path);
			return err;
		}
		rc = git_repository_open_ext(out, repo_path,
		    GIT_REPOSITORY_OPEN_NO_SEARCH, NULL);
		if (is_owner_error(rc))
			return owner_error(repo_path, false);
		if (rc == GIT_ENOTFOUND)
			return ps_error(PS_ENOTFOUND, "'%s' is not a git "
			    "repository", repo_path);
		if (rc < 0)
			return gitlog__error(rc, "cannot open the git "
			    "repository '%s'", repo_path);
		return 0;
	}
	dir = gitlog__dirname(inventory_path);
	rc = git_repository_open_ext(out, dir, 0, NULL);
	if (is_owner_error(rc))
		err = owner_error(dir, true);
	else if (rc == GIT_ENOTFOUND)
		err = ps_error(PS_ENOTFOUND, "'%s' is not inside a git "
		    "repository%s", inventory_path ? inventory_path : dir,
		    create ? " (use --record-repo PATH to record elsewhere)" :
		    "");
	else if (rc < 0)
		err = gitlog__error(rc, "cannot open the git repository "
		    "holding '%s'", inventory_path ? inventory_path : dir);
	free(dir);
	return err;
}

const char *
gitlog__repo_dir(git_repository *repo)
{
	const char *wd = git_repository_workdir(repo);

	return wd ? wd : git_repository_path(repo);
}

/*
 * HEAD commit, whether the file differs from HEAD's copy, and the file's
 * path relative to the work tree (caller frees *relpath).
 */
int
gitlog__inventory_locate(char out_hex[41], bool *dirty, char **relpath,
    const char *inventory_path)
{
	git_repository *repo = NULL;
	git_commit *head = NULL;
	git_tree *tree = NULL;
	git_tree_entry *te = NULL;
	git_oid head_id, file_id;
	char abs[PATH_MAX], wd[PATH_MAX];
	const char *rel = NULL;
	bool keep_rel = false;
	size_t wdlen;
	int rc, err = 0;

	out_hex[0] = '\0';
	if (dirty)
		*dirty = false;
	if (relpath)
		*relpath = NULL;
	if (!realpath(inventory_path, abs))
		return ps_error(errno == ENOENT ? PS_ENOTFOUND : PS_EFAIL,
		    "cannot resolve '%s': %s", inventory_path, strerror(errno));
	if ((err = gitlog__open_repo(&repo, abs, NULL, false)) < 0)
		goto out;
	if (git_repository_is_bare(repo) || !git_repository_workdir(repo) ||
	    !realpath(git_repository_workdir(repo), wd)) {
		err = ps_error(PS_ENOTFOUND, "'%s' is not in a git work tree",
		    inventory_path);
		goto out;
	}
	wdlen = strlen(wd);
	if (strncmp(abs, wd, wdlen) != 0 || (abs[wdlen] != '/' &&
	    !(wdlen == 1 && wd[0] == '/'))) {
		err = ps_error(PS_ENOTFOUND, "'%s' is outside the work tree "
		    "'%s'", inventory_path, wd);
		goto out;
	}
	rel = abs + wdlen + (wdlen == 1 ? 0 : 1);
	keep_rel = true;	/* known even when HEAD is unborn */

	rc = git_reference_name_to_id(&head_id, repo, "HEAD");
	if (rc == GIT_ENOTFOUND || rc == GIT_EUNBORNBRANCH) {
		err = ps_error(PS_ENOTFOUND, "the repository holding '%s' has "
		    "no commit yet", inventory_path);
		goto out;
	}
	if (rc < 0) {
		err = gitlog__error(rc, "cannot resolve HEAD");
		goto out;
	}
	git_oid_tostr(out_hex, 41, &head_id);
	if (!dirty)
		goto out;
	if ((rc = git_commit_lookup(&head, repo, &head_id)) < 0 ||
	    (rc = git_commit_tree(&tree, head)) < 0) {
		err = gitlog__error(rc, "cannot read HEAD");
		goto out;
	}
	rc = git_tree_entry_bypath(&te, tree, rel);
	if (rc == GIT_ENOTFOUND) {
		*dirty = true;
		goto out;
	}
	if (rc < 0 || (rc = git_repository_hashfile(&file_id, repo, rel,
	    GIT_OBJECT_BLOB, NULL)) < 0) {
		err = gitlog__error(rc, "cannot compare '%s' with HEAD",
		    inventory_path);
		goto out;
	}
	*dirty = git_oid_cmp(&file_id, git_tree_entry_id(te)) != 0;
out:
	if (err < 0)
		out_hex[0] = '\0';
	if (relpath && keep_rel && (err == 0 || err == PS_ENOTFOUND))
		*relpath = xstrdup(rel);
	git_tree_entry_free(te);
	git_tree_free(tree);
	git_commit_free(head);
	git_repository_free(repo);
	return err;
}

int
gitlog_inventory_commit(char out_hex[41], bool *dirty,
    const char *inventory_path)
{
	int err;

	git_libgit2_init();
	err = gitlog__inventory_locate(out_hex, dirty, NULL, inventory_path);
	git_libgit2_shutdown();
	return err;
}

char *
gitlog_libgit2_version(void)
{
	int major = 0, minor = 0, rev = 0;

	git_libgit2_version(&major, &minor, &rev);
	return xasprintf("%d.%d.%d", major, minor, rev);
}

int
gitlog_work_tree(char **out, const char *path)
{
	git_repository *repo = NULL;
	char wd[PATH_MAX];
	int err;

	*out = NULL;
	git_libgit2_init();
	err = gitlog__open_repo(&repo, path, NULL, false);
	if (err == 0 && (git_repository_is_bare(repo) ||
	    !git_repository_workdir(repo) ||
	    !realpath(git_repository_workdir(repo), wd)))
		err = ps_error(PS_ENOTFOUND, "'%s' is not in a git work tree",
		    path);
	if (err == 0)
		*out = xstrdup(wd);
	git_repository_free(repo);
	git_libgit2_shutdown();
	return err;
}
