/*
 * cli: `projsync log` — the plans and applies recorded on projsync/history,
 * newest first.  Owned by the gitlog module's author.
 */
#include "cli/cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gitlog/gitlog.h"

static const char log_help[] =
    "  -n, --max-count N     show at most N records (default: all)\n"
    "      --format FORMAT   text (default) or json\n"
    "      --record-repo PATH\n"
    "                        read the records from this repository (default:\n"
    "                        the repository holding the inventory)\n"
    "\nColumns: record id, time, kind (plan or apply), the inventory's commit\n"
    "('-dirty': it had uncommitted changes), summary.\n";

enum { OPT_FORMAT = 256, OPT_RECORD_REPO };

static const struct option log_longopts[] = {
	{ "max-count", required_argument, NULL, 'n' },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "record-repo", required_argument, NULL, OPT_RECORD_REPO },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* "3f1c2a9" or "3f1c2a9-dirty" from a full id; other values as they are. */
static void
short_commit(char out[64], const char *c)
{
	size_t hex = c ? strspn(c, "0123456789abcdef") : 0;

	if (!c)
		snprintf(out, 64, "-");
	else if (hex == 40)
		snprintf(out, 64, "%.7s%.40s", c, c + 40);
	else
		snprintf(out, 64, "%.63s", c);
}

static void
print_text(const struct cli_ctx *ctx, const struct gitlog_entry *e, size_t nr)
{
	const char *yel = ctx->color_out ? "\033[33m" : "";
	const char *off = ctx->color_out ? "\033[0m" : "";
	char when[32], inv[64];
	size_t i;

	for (i = 0; i < nr; i++) {
		gitlog_entry_time(when, &e[i], false);
		short_commit(inv, e[i].inventory_commit);
		/* the record is data from git: escaped for the terminal */
		char *kind = ps_printable(e[i].kind ? e[i].kind : "?", 0);
		char *summary = ps_printable(e[i].summary, 0);

		printf("%s%s%s  %s  %-5s  %-13s  %s\n", yel, e[i].short_id, off,
		    when, kind, inv, summary);
		free(kind);
		free(summary);
	}
}

int
cmd_log(int argc, char **argv, struct cli_ctx *ctx)
{
	const struct cli_command *self = cli_command_find("log");
	struct gitlog_entry *items = NULL;
	struct gitlog *gl = NULL;
	struct ps_buf doc = PS_BUF_INIT;
	const char *repo = NULL;
	unsigned long max = 0;
	bool json = false, have_max = false;
	size_t nr = 0;
	char *end;
	int c, err;

	opterr = 0;	/* our own messages, not getopt's */
	while ((c = getopt_long(argc, argv, ":hn:", log_longopts, NULL)) !=
	    -1) {
		switch (c) {
		case 'h':
			cli_print_help(stdout, self, log_help);
			return EXIT_OK;
		case 'n':
			errno = 0;
			max = strtoul(optarg, &end, 10);
			if (!*optarg || *end || errno || optarg[0] == '-')
				return cli_usage_error(ctx, "-n needs a "
				    "number, not '%s'", optarg);
			have_max = true;
			break;
		case OPT_FORMAT:
			if (!strcmp(optarg, "json"))
				json = true;
			else if (!strcmp(optarg, "text"))
				json = false;
			else
				return cli_usage_error(ctx, "unknown format "
				    "'%s' (expected text or json)", optarg);
			break;
		case OPT_RECORD_REPO:
			repo = optarg;
			break;
		default:
			return cli_option_error(ctx, c, argv);
		}
	}
	if (optind < argc)
		return cli_usage_error(ctx, "unexpected argument '%s'",
		    argv[optind]);

	if ((err = gitlog_open(&gl, ctx->file, repo)) < 0)
		return cli_fail(ctx, err);
	/* -n 0 shows nothing, as in git (gitlog_list's 0 means all). */
	if (!(have_max && max == 0) &&
	    (err = gitlog_list(&items, &nr, gl, max)) < 0) {
		gitlog_free(gl);
		return cli_fail(ctx, err);
	}
	if (json) {
		gitlog_entries_to_json(&doc, items, nr);
		fwrite(doc.ptr, 1, doc.len, stdout);
	} else {
		print_text(ctx, items, nr);
		if (nr == 0 && !(have_max && max == 0) && !ctx->quiet)
			fprintf(stderr, "projsync: nothing recorded yet in '%s' "
			    "(branch %s); use plan --record or apply "
			    "--record\n", gitlog_dir(gl), GITLOG_BRANCH);
	}
	ps_buf_release(&doc);
	gitlog_entries_free(items, nr);
	gitlog_free(gl);
	return EXIT_OK;
}
