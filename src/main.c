/*
 * projsync: keep the AI projects of an Amazon Bedrock account in line
 * with a YAML inventory.  main() only sorts global options from the
 * command's own and dispatches through the command table.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cli/cli.h"
#include "gitlog/gitlog.h"

const struct cli_command cli_commands[] = {
	{ "validate", cmd_validate, "validate [--format text|json] [FILE...]",
	    "Check the inventory offline: YAML, schema and taxonomy" },
	{ "lint", cmd_lint,
	    "lint [--live] [--tag-policy FILE] "
	    "[--format text|json|sarif|github|codeclimate] "
	    "[--fail-on error|warning] [--show-suppressed] [--list-rules] "
	    "[FILE...]",
	    "Check the inventory (and with --live the account) against the tag policy" },
	{ "plan", cmd_plan,
	    "plan [-o PLANFILE] [--format text|json|markdown] [--detailed-exitcode] "
	    "[--record] [--record-repo PATH]",
	    "Show the API changes that would make the account match the inventory" },
	{ "apply", cmd_apply,
	    "apply [PLANFILE | --from-history [REV]] [--auto-approve] "
	    "[--parallelism N] [--allow-archive] [--force] [--record] "
	    "[--record-repo PATH] [--format text|json]",
	    "Make the account match the inventory, or apply a saved plan" },
	{ "export", cmd_export,
	    "export [-o FILE] [--include-archived] [--required KEYS] [--no-infer]",
	    "Write the live account as an inventory (to adopt existing projects)" },
	{ "output", cmd_output, "output [--format json|env] [--arn]",
	    "Print the name to project ID map for applications" },
	{ "costs", cmd_costs,
	    "costs [--month YYYY-MM | --from DAY --to DAY] "
	    "[--granularity monthly|daily] [--group-by KEY[,KEY]] [--metric M] "
	    "[--compare] [--format text|markdown|csv|json|html] [-o FILE] "
	    "[--billing-profile PROFILE]",
	    "Report Bedrock spend by taxonomy keys, from AWS Cost Explorer" },
	{ "billing", cmd_billing,
	    "billing status [--format text|json] | billing backfill --from "
	    "YYYY-MM [--billing-profile PROFILE]",
	    "Show cost-allocation tag statuses, or backfill them" },
	{ "diff", cmd_diff,
	    "diff [--format text|json|markdown] [--detailed-exitcode] "
	    "REV1 REV2 | REV1..REV2 | REV1...REV2",
	    "Show what changed in the inventory between two git revisions" },
	{ "log", cmd_log, "log [-n N] [--format text|json] [--record-repo PATH]",
	    "List the plans and applies recorded in git" },
	{ "show", cmd_show,
	    "show [--format text|json] [--raw NAME] [--record-repo PATH] [REV]",
	    "Print a recorded plan or apply result" },
	{ "doctor", cmd_doctor, "doctor [--format text|json]",
	    "Check the endpoint, credentials, permissions, quota and clock" },
	{ "completion", cmd_completion, "completion bash|zsh|fish",
	    "Print a shell completion script" },
	{ "version", cmd_version, "version",
	    "Print the version and those of the libraries in use" },
	{ "help", cmd_help, "help [COMMAND]", "Show help for projsync or a command" },
	{ NULL, NULL, NULL, NULL },
};

static void
usage(FILE *fp)
{
	const struct cli_command *c;

	fprintf(fp, "usage: projsync %s\n                COMMAND [options]\n\n",
	    cli_global_synopsis);
	fputs("Keep Amazon Bedrock projects and their cost-allocation tags in "
	      "line with a YAML inventory.\n\nCommands:\n", fp);
	for (c = cli_commands; c->name; c++)
		fprintf(fp, "  %-10s %s\n", c->name, c->desc);
	fprintf(fp, "\n%s\nRun 'projsync help COMMAND' for a command's options; "
	    "see projsync(1) and projsync-inventory(5).\n",
	    cli_global_options_help);
}

int
cmd_help(int argc, char **argv, struct cli_ctx *ctx)
{
	const struct cli_command *c;
	char *sub[3];

	if (argc < 2) {
		usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		cli_print_help(stdout, cli_command_find("help"), NULL);
		return EXIT_OK;
	}
	if (!(c = cli_command_find(argv[1])))
		return cli_usage_error(ctx, "unknown command '%s'", argv[1]);
	sub[0] = argv[1];
	sub[1] = "--help";
	sub[2] = NULL;
	ctx->cmd = c->name;
	return c->fn(2, sub, ctx);
}

/* "projsync 0.1.0", and the checkout it was built from when known. */
static void
version_line(void)
{
	printf("projsync %s", PROJSYNC_VERSION);
	if (*PROJSYNC_GIT_DESCRIBE &&
	    strcmp(PROJSYNC_GIT_DESCRIBE, "v" PROJSYNC_VERSION) != 0)
		printf(" (git %s)", PROJSYNC_GIT_DESCRIBE);
	putchar('\n');
}

/* `projsync version`: ours, and the libraries' this process runs with. */
int
cmd_version(int argc, char **argv, struct cli_ctx *ctx)
{
	char *curl, *git2;

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		cli_print_help(stdout, cli_command_find("version"), NULL);
		return EXIT_OK;
	}
	if (argc > 1)
		return cli_usage_error(ctx, "unexpected argument '%s'", argv[1]);
	version_line();
	curl = api_libcurl_version();
	git2 = gitlog_libgit2_version();
	printf("libyaml %s\nlibcurl %s\ncJSON %s\nlibgit2 %s\n",
	    inventory_libyaml_version(), curl, cJSON_Version(), git2);
	free(curl);
	free(git2);
	return EXIT_OK;
}

/* Global options that take a value, long and short forms. */
static const struct {
	const char *lng;
	char shrt;
	const char **slot;	/* offset computed at run time */
} value_opts_template[] = {
	{ "--file", 'f', NULL }, { "--endpoint", 0, NULL },
	{ "--region", 0, NULL }, { "--auth", 0, NULL }, { "--cacert", 0, NULL },
	{ "--timeout", 0, NULL }, { "--profile", 0, NULL },
};

static const char **
value_slot(struct cli_ctx *ctx, size_t i)
{
	const char **slots[] = { &ctx->file, &ctx->endpoint, &ctx->region,
		&ctx->auth, &ctx->cacert, &ctx->timeout, &ctx->profile };
	return slots[i];
}

/*
 * Take the global options out of argv wherever they are, leaving the
 * command name and its own arguments in *rest.  Returns 0 or EXIT_USAGE.
 */
enum color_when { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER };

static int
split_globals(struct cli_ctx *ctx, int argc, char **argv, int *rest_argc,
    char **rest, bool *want_help, bool *want_version, enum color_when *color)
{
	int i, n = 0;
	size_t k;
	bool after_dashdash = false;

	for (i = 1; i < argc; i++) {
		char *a = argv[i];
		bool matched = false;

		if (after_dashdash || a[0] != '-' || !a[1]) {
			rest[n++] = a;
			continue;
		}
		if (strcmp(a, "--") == 0) {
			after_dashdash = true;
			rest[n++] = a;
			continue;
		}
		for (k = 0; k < PS_ARRAY_SIZE(value_opts_template); k++) {
			const char *lng = value_opts_template[k].lng;
			size_t ll = strlen(lng);
			const char *val = NULL;

			if (strcmp(a, lng) == 0 || (value_opts_template[k].shrt &&
			    a[1] == value_opts_template[k].shrt && !a[2])) {
				if (i + 1 >= argc) {
					fprintf(stderr, "projsync: option '%s' "
					    "needs a value\n", a);
					return EXIT_USAGE;
				}
				val = argv[++i];
			} else if (strncmp(a, lng, ll) == 0 && a[ll] == '=') {
				val = a + ll + 1;
			} else if (value_opts_template[k].shrt && a[1] ==
			    value_opts_template[k].shrt && a[2]) {
				val = a + 2;
			}
			if (val) {
				*value_slot(ctx, k) = val;
				if (k == 0)
					ctx->file_given = true;
				matched = true;
				break;
			}
		}
		if (matched)
			continue;
		if (!strcmp(a, "-v") || !strcmp(a, "--verbose"))
			ctx->verbose++;
		else if (!strcmp(a, "-vv"))
			ctx->verbose += 2;
		else if (!strcmp(a, "-q") || !strcmp(a, "--quiet"))
			ctx->quiet = true;
		else if (!strcmp(a, "--no-color") || !strcmp(a, "--no-colour"))
			*color = COLOR_NEVER;
		else if (!strcmp(a, "--color") || !strcmp(a, "--colour") ||
		    !strncmp(a, "--color=", 8) || !strncmp(a, "--colour=", 9)) {
			const char *v = strchr(a, '=');

			if (v)
				v++;
			else if (i + 1 < argc)
				v = argv[++i];
			if (!v || (strcmp(v, "always") && strcmp(v, "never") &&
			    strcmp(v, "auto"))) {
				fprintf(stderr, "projsync: --color takes always, "
				    "never or auto\nTry 'projsync help'.\n");
				return EXIT_USAGE;
			}
			*color = !strcmp(v, "always") ? COLOR_ALWAYS :
			    !strcmp(v, "never") ? COLOR_NEVER : COLOR_AUTO;
		} else if (n == 0 && (!strcmp(a, "-h") || !strcmp(a, "--help")))
			*want_help = true;
		else if (n == 0 && !strcmp(a, "--version"))
			*want_version = true;
		else if (n == 0) {
			fprintf(stderr, "projsync: unknown option '%s'\n"
			    "Try 'projsync help'.\n", a);
			return EXIT_USAGE;
		} else
			rest[n++] = a;	/* the command's own option */
	}
	rest[n] = NULL;
	*rest_argc = n;
	return 0;
}

/* A CI log shows colour though it is no terminal: --color always, or
 * CLICOLOR_FORCE / FORCE_COLOR set (not to 0).  NO_COLOR wins over the
 * environment's forcing, the command line over both. */
static void
set_color(struct cli_ctx *ctx, enum color_when when)
{
	const char *no = getenv("NO_COLOR");
	const char *forces[] = { getenv("CLICOLOR_FORCE"), getenv("FORCE_COLOR") };
	bool force = false;
	size_t i;

	for (i = 0; i < PS_ARRAY_SIZE(forces); i++)
		if (forces[i] && *forces[i] && strcmp(forces[i], "0") &&
		    strcmp(forces[i], "false"))
			force = true;
	if (when == COLOR_AUTO && no && *no)
		when = COLOR_NEVER;
	else if (when == COLOR_AUTO && force)
		when = COLOR_ALWAYS;
	ctx->color_out = when == COLOR_ALWAYS || (when == COLOR_AUTO &&
	    isatty(1));
	ctx->color_err = when == COLOR_ALWAYS || (when == COLOR_AUTO &&
	    isatty(2));
}

int
main(int argc, char **argv)
{
	struct cli_ctx ctx = { 0 };
	const struct cli_command *cmd;
	bool want_help = false, want_version = false;
	char **rest = calloc((size_t)argc + 1, sizeof(*rest));
	int rest_argc = 0, rc;
	enum color_when color = COLOR_AUTO;

	if (!rest)
		return EXIT_ERROR;
	ps_json_init();
	ctx.file = getenv("PROJSYNC_FILE");
	if (ctx.file && *ctx.file)
		ctx.file_given = true;
	else
		ctx.file = "projects.yaml";

	rc = split_globals(&ctx, argc, argv, &rest_argc, rest, &want_help,
	    &want_version, &color);
	if (rc)
		goto out;
	set_color(&ctx, color);
	if (want_version) {
		version_line();
		goto out;
	}
	if (rest_argc == 0) {
		usage(want_help ? stdout : stderr);
		rc = want_help ? EXIT_OK : EXIT_USAGE;
		goto out;
	}
	if (!(cmd = cli_command_find(rest[0]))) {
		rc = cli_usage_error(&ctx, "unknown command '%s'", rest[0]);
		goto out;
	}
	ctx.cmd = cmd->name;
	if (want_help) {
		char *sub[] = { rest[0], "--help", NULL };
		rc = cmd->fn(2, sub, &ctx);
		goto out;
	}
	optind = 0;	/* glibc: rescan from the start */
	rc = cmd->fn(rest_argc, rest, &ctx);
out:
	free(rest);
	fflush(stdout);
	if (ferror(stdout) && rc == 0)
		rc = EXIT_ERROR;
	return rc;
}
