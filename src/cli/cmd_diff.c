/*
 * cli: `projsync diff REV1 REV2` — what changed in the inventory between
 * two git revisions, read straight from the object database (no checkout,
 * no credentials, so it serves pull requests from forks too).  Owned by
 * the gitlog module's author.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gitlog/gitlog.h"
#include "invdiff/invdiff.h"

static const char diff_help[] =
    "  REV1 REV2             git revisions: branches, tags, commit ids, HEAD~1,\n"
    "                        origin/main...; the inventory is read from each\n"
    "                        commit's tree, includes resolved inside it\n"
    "  REV1..REV2            the same as REV1 REV2\n"
    "  REV1...REV2           from the merge base of both to REV2: what a pull\n"
    "                        request changes, e.g. origin/main...HEAD\n"
    "      --format FORMAT   text (default), json or markdown (for pull-request\n"
    "                        comments)\n"
    "      --detailed-exitcode\n"
    "                        exit 2 when the inventories differ, 0 when not\n"
    "\n-f names the inventory inside the commits, relative to the repository's\n"
    "root (default projects.yaml).  An inventory missing from one revision\n"
    "counts as empty (every project added or removed).  Both sides are\n"
    "validated; problems are reported as REV:file:line:col and exit 3.\n";

enum diff_format { FMT_TEXT, FMT_JSON, FMT_MARKDOWN };

enum { OPT_FORMAT = 256, OPT_DETAILED };

static const struct option diff_longopts[] = {
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "detailed-exitcode", no_argument, NULL, OPT_DETAILED },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/*
 * The inventory's path inside the commits: as given, or relative to the
 * work tree when given as an absolute path inside it.  Caller frees.
 */
static char *
tree_path(const char *file, const char *workdir)
{
	char abs[PATH_MAX], wd[PATH_MAX];
	const char *f = file;
	size_t n;

	if (file[0] != '/' || !realpath(workdir, wd))
		return xstrdup(file);
	/* the file need not exist in the work tree */
	if (realpath(file, abs))
		f = abs;
	n = strlen(wd);
	if (!strncmp(f, wd, n) && f[n] == '/')
		return xstrdup(f + n + 1);
	return xstrdup(file);
}

/* Load and validate one side.  A missing inventory is an empty one, so
 * the pull request that adds projects.yaml still gets a diff. */
static int
load_side(struct inventory **inv, char hex[41], bool *missing,
    struct gitlog *gl, const char *rev, const char *path,
    struct diag_list *dl)
{
	static const char empty[] = "version: 1\n";
	int err;

	*missing = false;
	err = gitlog_load_inventory(inv, hex, gl, rev, path, dl);
	if (err == PS_ENOTFOUND && hex[0]) {
		/* the commit exists, the file does not */
		*missing = true;
		ps_error_clear();
		return inventory_load_buffer(inv, path, empty,
		    sizeof(empty) - 1, NULL);
	}
	return err;
}

int
cmd_diff(int argc, char **argv, struct cli_ctx *ctx)
{
	const struct cli_command *self = cli_command_find("diff");
	struct diag_list dl = DIAG_LIST_INIT;
	struct inventory *inv[2] = { NULL, NULL };
	struct invdiff *d = NULL;
	struct gitlog *gl = NULL;
	struct ps_buf doc = PS_BUF_INIT;
	enum diff_format fmt = FMT_TEXT;
	char hex[2][41], *path = NULL;
	const char *rev[2];
	bool detailed = false, missing[2] = { false, false };
	size_t errors[2] = { 0, 0 };
	char base[41], *range_a = NULL, *range_b = NULL;
	const char *range, *dots;
	bool three = false;
	int c, k, err[2], rc = EXIT_OK;

	opterr = 0;	/* our own messages, not getopt's */
	while ((c = getopt_long(argc, argv, ":h", diff_longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			cli_print_help(stdout, self, diff_help);
			return EXIT_OK;
		case OPT_FORMAT:
			if (!strcmp(optarg, "text"))
				fmt = FMT_TEXT;
			else if (!strcmp(optarg, "json"))
				fmt = FMT_JSON;
			else if (!strcmp(optarg, "markdown") ||
			    !strcmp(optarg, "md"))
				fmt = FMT_MARKDOWN;
			else
				return cli_usage_error(ctx, "unknown format "
				    "'%s' (expected text, json or markdown)",
				    optarg);
			break;
		case OPT_DETAILED:
			detailed = true;
			break;
		default:
			return cli_option_error(ctx, c, argv);
		}
	}
	if (argc - optind == 1 && (dots = strstr(argv[optind], ".."))) {
		/* git's range notations: A..B is A B, A...B starts at the
		 * merge base; an empty side means HEAD */
		range = argv[optind];
		three = dots[2] == '.';
		range_a = xstrndup(range, (size_t)(dots - range));
		range_b = xstrdup(dots + (three ? 3 : 2));
		rev[0] = *range_a ? range_a : "HEAD";
		rev[1] = *range_b ? range_b : "HEAD";
	} else if (argc - optind < 2) {
		return cli_usage_error(ctx, "diff needs two revisions");
	} else if (argc - optind > 2) {
		return cli_usage_error(ctx, "unexpected argument '%s'",
		    argv[optind + 2]);
	} else {
		rev[0] = argv[optind];
		rev[1] = argv[optind + 1];
	}

	/* The repository around the current directory: -f is a path
	 * inside the commits, not a file that has to exist here. */
	if ((err[0] = gitlog_open(&gl, NULL, NULL)) < 0) {
		rc = cli_fail(ctx, err[0]);
		goto out;
	}
	if (three) {
		if ((err[0] = gitlog_merge_base(base, gl, rev[0], rev[1])) < 0) {
			rc = cli_fail(ctx, err[0]);
			goto out;
		}
		rev[0] = base;
	}
	path = tree_path(ctx->file, gitlog_dir(gl));
	for (k = 0; k < 2; k++) {
		size_t before = diag_list_count(&dl, DIAG_ERROR);

		err[k] = load_side(&inv[k], hex[k], &missing[k], gl, rev[k],
		    path, &dl);
		if (err[k] < 0 && err[k] != PS_EINVALID) {
			rc = cli_fail(ctx, err[k]);
			goto out;
		}
		errors[k] = diag_list_count(&dl, DIAG_ERROR) - before;
	}
	if (missing[0] && missing[1]) {
		cli_error(ctx, "'%s' exists in neither '%s' nor '%s' (-f names "
		    "the inventory relative to the repository's root)", path,
		    rev[0], rev[1]);
		rc = EXIT_ERROR;
		goto out;
	}
	for (k = 0; k < 2; k++)
		if (missing[k])
			cli_warning(ctx, "'%s' does not exist in '%s'; comparing "
			    "with an empty inventory", path, rev[k]);
	if (err[0] == PS_EINVALID || err[1] == PS_EINVALID) {
		diag_list_sort(&dl);
		cli_print_diags(ctx, &dl);
		for (k = 0; k < 2; k++)
			if (err[k] == PS_EINVALID)
				cli_error(ctx, "'%s' at '%s' is invalid: %zu "
				    "error%s", path, rev[k], errors[k],
				    errors[k] == 1 ? "" : "s");
		rc = EXIT_INVALID;
		goto out;
	}

	invdiff_new(&d, inv[0], rev[0], hex[0], inv[1], rev[1], hex[1]);
	switch (fmt) {
	case FMT_TEXT:
		invdiff_render_text(&doc, d, ctx->color_out ?
		    INVDIFF_RENDER_COLOR : 0);
		break;
	case FMT_JSON:
		invdiff_render_json(&doc, d);
		break;
	case FMT_MARKDOWN:
		invdiff_render_markdown(&doc, d);
		break;
	}
	fwrite(doc.ptr, 1, doc.len, stdout);
	if (detailed && !invdiff_empty(d))
		rc = EXIT_CHANGES;
out:
	ps_buf_release(&doc);
	invdiff_free(d);
	inventory_free(inv[0]);
	inventory_free(inv[1]);
	diag_list_release(&dl);
	free(path);
	free(range_a);
	free(range_b);
	gitlog_free(gl);
	return rc;
}
