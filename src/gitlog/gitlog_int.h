/*
 * gitlog: helpers shared by the files of src/gitlog only (not part of the
 * module's interface; other modules include gitlog/gitlog.h).
 */
#ifndef PROJSYNC_GITLOG_INT_H
#define PROJSYNC_GITLOG_INT_H

#include <stdbool.h>

#include <cjson/cJSON.h>
#include <git2.h>

#include "util/util.h"

/* Record "<what>: <libgit2's message>" and return PS_ENOTFOUND for
 * GIT_ENOTFOUND, else PS_EGIT. */
int gitlog__error(int gitcode, const char *fmt, ...) PS_PRINTF(2, 3);
/* The folder part of path ("." when none). Caller frees. */
char *gitlog__dirname(const char *path);
/*
 * repo_path: exactly that repository (create: a new bare one when it is
 * missing or an empty folder); else discover upwards from the folder of
 * inventory_path (NULL: the current directory).
 */
int gitlog__open_repo(git_repository **out, const char *inventory_path,
    const char *repo_path, bool create);
/* Work tree, or the git dir of a bare repository. Borrowed. */
const char *gitlog__repo_dir(git_repository *repo);
/* gitlog_inventory_commit() plus the path relative to the work tree
 * (set also when HEAD is unborn; caller frees). */
int gitlog__inventory_locate(char out_hex[41], bool *dirty, char **relpath,
    const char *inventory_path);

struct gitlog;
/* The repository behind a handle (read.c). Borrowed. */
git_repository *gitlog__repo(struct gitlog *gl);

#endif
