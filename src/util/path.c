/*
 * util: file paths as text.  Lexical only (no file system access, no
 * symlinks resolved), so the renderers that name files for CI tools stay
 * pure; the caller resolves what must be resolved (cwd, a repository top).
 */
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

char *
ps_path_normalize(const char *path, const char *cwd)
{
	struct ps_buf in = PS_BUF_INIT, out = PS_BUF_INIT;
	const char **seg = NULL;
	size_t nr = 0, alloc = 0, i;
	bool abs;
	char *s, *tok, *save = NULL;

	if (path[0] != '/' && cwd && *cwd) {
		ps_buf_adds(&in, cwd);
		ps_buf_addch(&in, '/');
	}
	ps_buf_adds(&in, path);
	abs = in.ptr[0] == '/';
	for (s = in.ptr; (tok = strtok_r(s, "/", &save)); s = NULL) {
		if (!strcmp(tok, "."))
			continue;
		if (!strcmp(tok, "..")) {
			if (nr && strcmp(seg[nr - 1], ".."))
				nr--;		/* a/.. */
			else if (!abs) {	/* ../a stays */
				xgrow(&seg, &alloc, nr + 1, sizeof(*seg));
				seg[nr++] = tok;
			}			/* /.. is / */
			continue;
		}
		xgrow(&seg, &alloc, nr + 1, sizeof(*seg));
		seg[nr++] = tok;
	}
	if (abs)
		ps_buf_addch(&out, '/');
	for (i = 0; i < nr; i++) {
		if (i)
			ps_buf_addch(&out, '/');
		ps_buf_adds(&out, seg[i]);
	}
	if (!out.len)
		ps_buf_addch(&out, '.');
	free(seg);
	ps_buf_release(&in);
	return ps_buf_detach(&out);
}

char *
ps_path_relative_to(const char *path, const char *cwd, const char *root)
{
	char *p = ps_path_normalize(path, cwd), *r, *rel = NULL;
	size_t rl;

	r = ps_path_normalize(root, NULL);
	rl = strlen(r);
	if (p[0] != '/' || r[0] != '/')
		goto out;
	if (!strcmp(p, r))
		rel = xstrdup(".");
	else if (rl == 1)
		rel = xstrdup(p + 1);
	else if (!strncmp(p, r, rl) && p[rl] == '/')
		rel = xstrdup(p + rl + 1);
out:
	free(p);
	free(r);
	return rel;
}
