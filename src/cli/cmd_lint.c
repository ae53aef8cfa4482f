/*
 * cli: `projsync lint [FILE...]` — the tag-policy gate.  Loads each
 * inventory (the operands, else -f) and a tag policy, lists the live
 * account for --live (one inventory only), runs the lint module and prints
 * one report for all of them.  Owned by the lint module's author.
 *
 * Exit: 0 clean or only warnings/notes, 3 errors found (warnings too with
 * --fail-on warning), 1 I/O, API or tag-policy file errors, 64 usage.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lint/lint.h"

static const char lint_help[] =
    "  FILE...               the inventories to lint (default: -f), in one\n"
    "                        report; --live takes one\n"
    "      --live            also audit the account's projects (same endpoint\n"
    "                        and credentials as plan) and report coverage\n"
    "      --tag-policy FILE check against an AWS Organizations tag policy (JSON)\n"
    "      --format FORMAT   text (default), json, sarif (SARIF 2.1.0 for code\n"
    "                        scanning), github (workflow annotations) or\n"
    "                        codeclimate (GitLab Code Quality report)\n"
    "      --fail-on LEVEL   error (default) or warning: the lowest severity\n"
    "                        that makes lint exit 3\n"
    "      --show-suppressed list suppressed findings too (text, github)\n"
    "      --list-rules      list every rule with its severity and fix\n"
    "                        (--format text or json) and exit\n";

enum {
	OPT_LIVE = 256, OPT_POLICY, OPT_FORMAT, OPT_FAIL_ON, OPT_LIST,
	OPT_SHOW_SUPP,
};

static const struct option lint_longopts[] = {
	{ "live", no_argument, NULL, OPT_LIVE },
	{ "tag-policy", required_argument, NULL, OPT_POLICY },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "fail-on", required_argument, NULL, OPT_FAIL_ON },
	{ "list-rules", no_argument, NULL, OPT_LIST },
	{ "show-suppressed", no_argument, NULL, OPT_SHOW_SUPP },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/*
 * GitHub annotations, code scanning and GitLab name files from the
 * repository's top: rewrite each finding's file so, wherever projsync runs
 * and however -f was written (`working-directory:` in a workflow).
 * Findings come sorted by file: one lookup per file.
 */
static void
repo_relative_files(struct lint_report *r)
{
	char *given = NULL, *rel = NULL, *root;
	size_t i;

	for (i = 0; i < r->nr; i++) {
		struct lint_finding *f = &r->items[i];

		if (!f->file)
			continue;
		if (!given || strcmp(given, f->file) != 0) {
			free(given);
			free(rel);
			given = xstrdup(f->file);
			root = cli_repo_root(f->file);
			rel = cli_repo_relative(root, f->file);
			free(root);
		}
		free(f->file);
		f->file = xstrdup(rel);
	}
	free(given);
	free(rel);
}

static int
write_out(const struct cli_ctx *ctx, const struct ps_buf *b)
{
	if (fwrite(b->ptr ? b->ptr : "", 1, b->len, stdout) != b->len ||
	    fflush(stdout) != 0) {
		cli_error(ctx, "cannot write the report to standard output");
		return EXIT_ERROR;
	}
	return EXIT_OK;
}

int
cmd_lint(int argc, char **argv, struct cli_ctx *ctx)
{
	const struct cli_command *self = cli_command_find("lint");
	struct lint_render_options ropts = { 0 };
	struct lint_options lopts = { 0 };
	struct lint_report report = LINT_REPORT_INIT;
	struct live_state live = LIVE_STATE_INIT;
	struct diag_list dl = DIAG_LIST_INIT, pdl = DIAG_LIST_INIT;
	struct lint_tag_policy *policy = NULL;
	struct lint_cost_tag *cost = NULL;
	struct ps_buf doc = PS_BUF_INIT;
	struct api_client *api = NULL;
	struct inventory *inv = NULL;
	enum lint_format fmt = LINT_FORMAT_TEXT;
	const char *policy_path = NULL, *first;
	bool want_live = false, list = false, fail_warn = false;
	bool unreadable = false;
	char *cwd = NULL, *root = NULL, *inv_rel = NULL;
	int c, rc = EXIT_OK, err, nfiles, i;

	opterr = 0;	/* our own messages, not getopt's */
	while ((c = getopt_long(argc, argv, ":h", lint_longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			cli_print_help(stdout, self, lint_help);
			return EXIT_OK;
		case OPT_LIVE:
			want_live = true;
			break;
		case OPT_POLICY:
			if (!*optarg)
				return cli_usage_error(ctx, "--tag-policy needs "
				    "a file name");
			policy_path = optarg;
			break;
		case OPT_FORMAT:
			if (lint_format_parse(&fmt, optarg) < 0)
				return cli_usage_error(ctx, "%s", ps_error_last());
			break;
		case OPT_FAIL_ON:
			if (!strcmp(optarg, "error"))
				fail_warn = false;
			else if (!strcmp(optarg, "warning"))
				fail_warn = true;
			else
				return cli_usage_error(ctx, "unknown level '%s' "
				    "for --fail-on (error or warning)", optarg);
			break;
		case OPT_LIST:
			list = true;
			break;
		case OPT_SHOW_SUPP:
			ropts.show_suppressed = true;
			break;
		default:
			return cli_option_error(ctx, c, argv);
		}
	}
	nfiles = optind < argc ? argc - optind : 1;
	if (want_live && nfiles > 1)
		return cli_usage_error(ctx, "--live audits the account against "
		    "one inventory: name one file");

	if (list) {
		if (fmt != LINT_FORMAT_TEXT && fmt != LINT_FORMAT_JSON)
			return cli_usage_error(ctx, "--list-rules prints text "
			    "or json");
		lint_render_rules(&doc, fmt);
		rc = write_out(ctx, &doc);
		goto out;
	}

	if (policy_path) {
		err = lint_tag_policy_load(&policy, policy_path, &pdl);
		if (err == PS_EINVALID) {
			/* a broken policy is not a finding: nothing was linted */
			diag_list_sort(&pdl);
			cli_print_diags(ctx, &pdl);
		}
		if (err < 0) {
			cli_error(ctx, "%s", ps_error_last());
			rc = EXIT_ERROR;
			goto out;
		}
	}
	lopts.tag_policy = policy;

	for (i = 0; i < nfiles; i++) {
		struct lint_report one = LINT_REPORT_INIT;
		const char *path = optind < argc ? argv[optind + i] : ctx->file;

		err = inventory_load_file(&inv, path, &dl);
		if (err < 0 && err != PS_EINVALID) {
			/* report it, lint the others, exit 1 */
			unreadable = true;
			(void)cli_fail(ctx, err);
			diag_list_release(&dl);
			continue;
		}
		if (want_live && inv) {
			if ((rc = cli_api_client(&api, ctx, inv)) != 0)
				goto out;
			if ((err = api_list_projects(api, &live)) < 0) {
				rc = cli_fail(ctx, err);
				goto out;
			}
			lopts.live = &live;
			if ((rc = cli_billing_lint(ctx, inv, &cost,
			    &lopts.cost_tags_nr)) != 0)
				goto out;
			lopts.cost_tags = cost;
		} else if (want_live) {
			cli_warning(ctx, "the inventory did not load: skipping "
			    "--live");
		}
		err = lint_run(&one, inv, &dl, &lopts);
		/* cost borrows its keys from inv */
		free(cost);
		cost = NULL;
		lopts.cost_tags = NULL;
		lopts.cost_tags_nr = 0;
		inventory_free(inv);
		inv = NULL;
		diag_list_release(&dl);
		if (err < 0) {
			lint_report_release(&one);
			rc = cli_fail(ctx, err);
			goto out;
		}
		if (nfiles == 1)
			report = one;	/* keeps the live audit's coverage */
		else
			lint_report_merge(&report, &one);
	}
	if (unreadable && report.projects == 0 && report.nr == 0) {
		rc = EXIT_ERROR;	/* nothing was linted */
		goto out;
	}
	if (fmt == LINT_FORMAT_SARIF || fmt == LINT_FORMAT_GITHUB ||
	    fmt == LINT_FORMAT_CODECLIMATE) {
		repo_relative_files(&report);
		/* live findings point at the one inventory --live allows */
		first = optind < argc ? argv[optind] : ctx->file;
		root = cli_repo_root(first);
		inv_rel = cli_repo_relative(root, first);
		ropts.inventory = inv_rel;
	}
	ropts.tool_version = PROJSYNC_VERSION;
	ropts.color = ctx->color_out && fmt == LINT_FORMAT_TEXT;
	cwd = getcwd(NULL, 0);
	ropts.base_dir = cwd;
	lint_render(&doc, &report, fmt, &ropts);
	if ((rc = write_out(ctx, &doc)) != EXIT_OK)
		goto out;
	rc = unreadable ? EXIT_ERROR : lint_report_fails(&report, fail_warn) ?
	    EXIT_INVALID : EXIT_OK;
out:
	free(root);
	free(inv_rel);
	free(cost);
	free(cwd);
	ps_buf_release(&doc);
	lint_report_release(&report);
	live_state_release(&live);
	api_client_free(api);
	inventory_free(inv);
	lint_tag_policy_free(policy);
	diag_list_release(&dl);
	diag_list_release(&pdl);
	return rc;
}
