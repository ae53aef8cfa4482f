/*
 * cli: `projsync show [REV]` — print a recorded plan or apply: a short
 * header and plan.md (text), the recorded JSON document (--format json),
 * or any recorded file byte for byte (--raw).  Owned by the gitlog
 * module's author.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "gitlog/gitlog.h"

static const char show_help[] =
    "  REV                   a record: any git revision, e.g. projsync/history~1\n"
    "                        or a commit id (default: the newest record)\n"
    "      --format FORMAT   text (default: a header and plan.md) or json\n"
    "                        (plan.json of a plan, result.json of an apply)\n"
    "      --raw NAME        print this recorded file byte for byte (plan.json,\n"
    "                        plan.md, result.json)\n"
    "      --record-repo PATH\n"
    "                        read the records from this repository (default:\n"
    "                        the repository holding the inventory)\n";

enum { OPT_FORMAT = 256, OPT_RAW, OPT_RECORD_REPO };

static const struct option show_longopts[] = {
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "raw", required_argument, NULL, OPT_RAW },
	{ "record-repo", required_argument, NULL, OPT_RECORD_REPO },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void
print_header(const struct cli_ctx *ctx, const struct gitlog_entry *e)
{
	const char *yel = ctx->color_out ? "\033[33m" : "";
	const char *off = ctx->color_out ? "\033[0m" : "";
	char when[32];

	gitlog_entry_time(when, e, false);
	printf("%srecord %s%s (%s)\n", yel, e->id, off, e->kind);
	printf("Date:      %s\n", when);
	printf("Author:    %s <%s>\n", e->author_name, e->author_email);
	printf("Summary:   %s\n", e->summary);
	printf("Inventory: %s", e->inventory_path ? e->inventory_path : "?");
	if (e->inventory_commit)
		printf(" at %s", e->inventory_commit);
	putchar('\n');
	if (e->inventory_sha256)
		printf("SHA-256:   %s\n", e->inventory_sha256);
	if (e->endpoint)
		printf("Endpoint:  %s\n", e->endpoint);
	if (!strcmp(e->kind, "apply"))
		printf("Result:    projsync show --raw result.json %s\n",
		    e->short_id);
	putchar('\n');
}

int
cmd_show(int argc, char **argv, struct cli_ctx *ctx)
{
	const struct cli_command *self = cli_command_find("show");
	struct gitlog_entry e = { 0 };
	struct gitlog *gl = NULL;
	struct ps_buf doc = PS_BUF_INIT;
	const char *repo = NULL, *file = NULL, *rev = NULL;
	bool json = false, raw;
	int c, err, rc = EXIT_OK;

	while ((c = getopt_long(argc, argv, "+h", show_longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			cli_print_help(stdout, self, show_help);
			return EXIT_OK;
		case OPT_FORMAT:
			if (!strcmp(optarg, "json"))
				json = true;
			else if (!strcmp(optarg, "text"))
				json = false;
			else
				return cli_usage_error(ctx, "unknown format "
				    "'%s' (expected text or json)", optarg);
			break;
		case OPT_RAW:
			if (!*optarg || strchr(optarg, '/'))
				return cli_usage_error(ctx, "--raw takes a "
				    "recorded file's name, not '%s'", optarg);
			file = optarg;
			break;
		case OPT_RECORD_REPO:
			repo = optarg;
			break;
		default:
			return cli_usage_error(ctx, "invalid option '%s'",
			    argv[optind - 1]);
		}
	}
	if (optind < argc)
		rev = argv[optind++];
	if (optind < argc)
		return cli_usage_error(ctx, "unexpected argument '%s'",
		    argv[optind]);
	if (file && json)
		return cli_usage_error(ctx, "--raw and --format json do not "
		    "go together");

	if ((err = gitlog_open(&gl, ctx->file, repo)) < 0)
		return cli_fail(ctx, err);
	if ((err = gitlog_lookup(&e, gl, rev)) < 0) {
		rc = cli_fail(ctx, err);
		goto out;
	}
	if (!file && !e.kind) {
		cli_error(ctx, "'%s' (%s) is not a projsync record (no "
		    "Projsync-Kind trailer); see 'projsync log'", rev ? rev :
		    GITLOG_BRANCH, e.short_id);
		rc = EXIT_ERROR;
		goto out;
	}
	raw = file != NULL;
	if (!file)
		file = json ? (!strcmp(e.kind, "apply") ? "result.json" :
		    "plan.json") : "plan.md";
	if ((err = gitlog_blob(&doc, gl, e.id, file)) < 0) {
		rc = cli_fail(ctx, err);
		goto out;
	}
	if (!raw && !json)
		print_header(ctx, &e);
	fwrite(doc.ptr, 1, doc.len, stdout);
out:
	ps_buf_release(&doc);
	gitlog_entry_release(&e);
	gitlog_free(gl);
	return rc;
}
