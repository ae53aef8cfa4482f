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

struct diff_args {
	enum diff_format fmt;
	bool detailed;
	bool three;		/* A...B: start at the merge base */
	const char *rev[2];
	char *range_a, *range_b;	/* owned: the sides of A..B */
};

/* Options and revisions; 0, -1 after --help, or a usage exit code. */
static int
parse_args(struct diff_args *a, int argc, char **argv, struct cli_ctx *ctx)
{
	const char *range, *dots;
	int c;

	opterr = 0;	/* our own messages, not getopt's */
	while ((c = getopt_long(argc, argv, ":h", diff_longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			cli_print_help(stdout, cli_command_find("diff"),
			    diff_help);
			return -1;
		case OPT_FORMAT:
			if (!strcmp(optarg, "text"))
				a->fmt = FMT_TEXT;
			else if (!strcmp(optarg, "json"))
				a->fmt = FMT_JSON;
			else if (!strcmp(optarg, "markdown") ||
			    !strcmp(optarg, "md"))
				a->fmt = FMT_MARKDOWN;
			else
				return cli_usage_error(ctx, "unknown format "
				    "'%s' (expected text, json or markdown)",
				    optarg);
			break;
		case OPT_DETAILED:
			a->detailed = true;
			break;
		default:
			return cli_option_error(ctx, c, argv);
		}
	}
	if (argc - optind == 1 && (dots = strstr(argv[optind], ".."))) {
		/* git's range notations: A..B is A B, A...B starts at the
		 * merge base; an empty side means HEAD */
		range = argv[optind];
		a->three = dots[2] == '.';
		a->range_a = xstrndup(range, (size_t)(dots - range));
		a->range_b = xstrdup(dots + (a->three ? 3 : 2));
		a->rev[0] = *a->range_a ? a->range_a : "HEAD";
		a->rev[1] = *a->range_b ? a->range_b : "HEAD";
	} else if (argc - optind < 2) {
		return cli_usage_error(ctx, "diff needs two revisions");
	} else if (argc - optind > 2) {
		return cli_usage_error(ctx, "unexpected argument '%s'",
		    argv[optind + 2]);
	} else {
		a->rev[0] = argv[optind];
		a->rev[1] = argv[optind + 1];
	}
	return 0;
}

/*
 * Both sides into inv[]: a side whose commit lacks the file is an empty
 * inventory (with a warning), both lacking it is an error, an invalid side
 * prints its diagnostics.  Returns 0 or the exit code (printed).
 */
static int
load_sides(struct inventory *inv[2], char hex[2][41], struct gitlog *gl,
    const char *const rev[2], const char *path, struct cli_ctx *ctx)
{
	struct diag_list dl = DIAG_LIST_INIT;
	bool missing[2] = { false, false };
	size_t errors[2] = { 0, 0 };
	int k, err[2], rc = 0;

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
	}
out:
	diag_list_release(&dl);
	return rc;
}

static void
render(struct ps_buf *doc, const struct invdiff *d, enum diff_format fmt,
    const struct cli_ctx *ctx)
{
	switch (fmt) {
	case FMT_TEXT:
		invdiff_render_text(doc, d, ctx->color_out ?
		    INVDIFF_RENDER_COLOR : 0);
		break;
	case FMT_JSON:
		invdiff_render_json(doc, d);
		break;
	case FMT_MARKDOWN:
		invdiff_render_markdown(doc, d);
		break;
	}
}

int
cmd_diff(int argc, char **argv, struct cli_ctx *ctx)
{
	struct diff_args a = { .fmt = FMT_TEXT };
	struct inventory *inv[2] = { NULL, NULL };
	struct invdiff *d = NULL;
	struct gitlog *gl = NULL;
	struct ps_buf doc = PS_BUF_INIT;
	char hex[2][41], base[41], *path = NULL;
	int err, rc;

	if ((rc = parse_args(&a, argc, argv, ctx)) != 0) {
		rc = rc < 0 ? EXIT_OK : rc;
		goto out;
	}
	/* The repository around the current directory: -f is a path
	 * inside the commits, not a file that has to exist here. */
	if ((err = gitlog_open(&gl, NULL, NULL)) < 0 ||
	    (a.three && (err = gitlog_merge_base(base, gl, a.rev[0],
	    a.rev[1])) < 0)) {
		rc = cli_fail(ctx, err);
		goto out;
	}
	if (a.three)
		a.rev[0] = base;
	path = tree_path(ctx->file, gitlog_dir(gl));
	if ((rc = load_sides(inv, hex, gl, a.rev, path, ctx)) != 0)
		goto out;
	invdiff_new(&d, inv[0], a.rev[0], hex[0], inv[1], a.rev[1], hex[1]);
	render(&doc, d, a.fmt, ctx);
	fwrite(doc.ptr, 1, doc.len, stdout);
	if (a.detailed && !invdiff_empty(d))
		rc = EXIT_CHANGES;
out:
	ps_buf_release(&doc);
	invdiff_free(d);
	inventory_free(inv[0]);
	inventory_free(inv[1]);
	free(path);
	free(a.range_a);
	free(a.range_b);
	gitlog_free(gl);
	return rc;
}
