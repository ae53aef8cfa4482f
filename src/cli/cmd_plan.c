/*
 * cli: `projsync plan` — list the account, diff it against the inventory,
 * print the plan (text, json or markdown), optionally save it (-o) and
 * record it in git (--record).  Owned by the plan module's author.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gitlog/gitlog.h"
#include "plan/plan.h"

static const char plan_help[] =
    "  -o, --out PLANFILE    also save the plan (JSON, mode 0600) for\n"
    "                        'projsync apply PLANFILE'\n"
    "      --format FORMAT   text (default), json (the plan document) or\n"
    "                        markdown (for pull-request comments)\n"
    "      --detailed-exitcode\n"
    "                        exit 2 when there are changes, 0 when there are none\n"
    "      --record          record the plan in git on projsync/history\n"
    "                        (also settings.record: true)\n"
    "      --record-repo PATH\n"
    "                        record in this repository (implies --record)\n"
    "      --billing-profile P\n"
    "                        AWS profile for Cost Explorer with\n"
    "                        settings.billing.activate_tags (default\n"
    "                        settings.billing.profile)\n";

enum plan_format { FMT_TEXT, FMT_JSON, FMT_MARKDOWN };

enum { OPT_FORMAT = 256, OPT_DETAILED, OPT_RECORD, OPT_RECORD_REPO,
	OPT_BILLING_PROFILE };

static const struct option plan_longopts[] = {
	{ "out", required_argument, NULL, 'o' },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "detailed-exitcode", no_argument, NULL, OPT_DETAILED },
	{ "record", no_argument, NULL, OPT_RECORD },
	{ "record-repo", required_argument, NULL, OPT_RECORD_REPO },
	{ "billing-profile", required_argument, NULL, OPT_BILLING_PROFILE },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* The inventory's commit for the plan file: "hex", "hex-dirty" or NULL. */
static char *
inventory_commit(const struct cli_ctx *ctx, const char *path)
{
	char hex[41];
	bool dirty = false;

	if (gitlog_inventory_commit(hex, &dirty, path) < 0) {
		if (ctx->verbose)
			fprintf(stderr, "projsync: no git commit for '%s': %s\n",
			    path, ps_error_last());
		ps_error_clear();
		return NULL;
	}
	return xasprintf("%s%s", hex, dirty ? "-dirty" : "");
}

/* What the markdown comment says about its target; strings owned. */
struct md_info {
	struct plan_md_target t;
	char *inventory, *region, *account;
};

/* Before anything can fail: the marker's path (relative to the
 * repository's top) and the commit. */
static void
md_info_start(struct md_info *mi, const struct cli_ctx *ctx,
    const char *commit)
{
	char *root = cli_repo_root(ctx->file);

	mi->inventory = cli_repo_relative(root, ctx->file);
	mi->t.inventory = mi->inventory;
	mi->t.commit = commit;
	free(root);
}

/* What the inventory, the endpoint and the live ARNs tell: the ARNs are
 * the account's own word, so they win. */
static void
md_info_update(struct md_info *mi, const struct cli_ctx *ctx,
    const struct inventory *inv, const struct api_client *api,
    const struct live_state *live)
{
	char *region = NULL, *account = NULL;

	if (inv) {
		mi->t.keys = inv->taxonomy.required;
		mi->t.keys_nr = inv->taxonomy.required_nr;
	}
	if (api)
		mi->t.endpoint = api_client_endpoint(api);
	if (live && live_state_account(live, &region, &account)) {
		free(mi->region);
		free(mi->account);
		mi->region = region;
		mi->account = account;
	} else if (!mi->region) {
		if (api)
			mi->region = api_endpoint_region(api_client_endpoint(api));
		if (!mi->region && ctx->region && *ctx->region)
			mi->region = xstrdup(ctx->region);
		if (!mi->region && inv && inv->settings.region)
			mi->region = xstrdup(inv->settings.region);
	}
	mi->t.region = mi->region;
	mi->t.account = mi->account;
}

static void
md_info_release(struct md_info *mi)
{
	free(mi->inventory);
	free(mi->region);
	free(mi->account);
}

/* `plan --format markdown` that failed still writes a comment body: the
 * marker, the target and what went wrong (the exit code stays). */
static void
md_failure(const struct md_info *mi, int rc, const struct diag_list *dl)
{
	struct ps_buf md = PS_BUF_INIT, detail = PS_BUF_INIT;
	const char *title;
	size_t i;

	switch (rc) {
	case EXIT_INVALID:
		title = "the inventory is invalid; fix the errors below.";
		for (i = 0; i < dl->nr; i++) {
			if (dl->items[i].suppressed)
				continue;
			diag_format(&detail, &dl->items[i]);
			ps_buf_addch(&detail, '\n');
		}
		break;
	case EXIT_REFUSED:
		title = "projsync refused to plan (exit 4).";
		break;
	case EXIT_USAGE:
		title = "projsync plan could not run (a usage error, exit 64).";
		break;
	default:
		title = "the plan could not be computed (exit 1).";
		break;
	}
	ps_buf_addf(&detail, "%s\n", ps_error_last());
	plan_render_markdown_failure(&md, &mi->t, title, detail.ptr);
	fwrite(md.ptr, 1, md.len, stdout);
	fflush(stdout);
	ps_buf_release(&md);
	ps_buf_release(&detail);
}

static int
record_plan(const struct cli_ctx *ctx, const struct plan *p,
    const struct inventory *inv, const char *repo,
    const struct plan_md_target *t)
{
	struct ps_buf json = PS_BUF_INIT, md = PS_BUF_INIT, sum = PS_BUF_INIT;
	char hex[41];
	int err;

	plan_to_json(&json, p);
	plan_render_markdown(&md, p, t);
	plan_render_summary(&sum, p);
	err = gitlog_record_plan(hex, inv->path, repo, sum.ptr, p->endpoint,
	    json.ptr, md.ptr, NULL);
	if (err == 0 && !ctx->quiet)
		fprintf(stderr, "projsync: recorded the plan as %.7s on %s\n",
		    hex, GITLOG_BRANCH);
	ps_buf_release(&json);
	ps_buf_release(&md);
	ps_buf_release(&sum);
	return err;
}

int
cmd_plan(int argc, char **argv, struct cli_ctx *ctx)
{
	const struct cli_command *self = cli_command_find("plan");
	struct live_state live = LIVE_STATE_INIT;
	struct diag_list dl = DIAG_LIST_INIT;
	struct md_info mi = { { 0 }, NULL, NULL, NULL };
	struct plan_options popts = { 0 };
	struct ps_buf doc = PS_BUF_INIT;
	struct inventory *inv = NULL;
	struct api_client *api = NULL;
	struct plan *p = NULL;
	enum plan_format fmt = FMT_TEXT;
	const char *out_path = NULL, *record_repo = NULL, *billing_profile = NULL;
	bool detailed = false, record = false, wrote = false;
	char *commit = NULL;
	size_t i;
	int c, rc = EXIT_OK, err;

	opterr = 0;	/* our own messages, not getopt's */
	while ((c = getopt_long(argc, argv, ":ho:", plan_longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'h':
			cli_print_help(stdout, self, plan_help);
			return EXIT_OK;
		case 'o':
			out_path = optarg;
			break;
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
		case OPT_RECORD:
			record = true;
			break;
		case OPT_RECORD_REPO:
			record_repo = optarg;
			record = true;
			break;
		case OPT_BILLING_PROFILE:
			billing_profile = optarg;
			break;
		default:
			return cli_option_error(ctx, c, argv);
		}
	}
	if (optind < argc)
		return cli_usage_error(ctx, "unexpected argument '%s'",
		    argv[optind]);
	if (out_path && !*out_path)
		return cli_usage_error(ctx, "-o needs a file name");

	commit = inventory_commit(ctx, ctx->file);
	if (fmt == FMT_MARKDOWN)
		md_info_start(&mi, ctx, commit);
	rc = cli_load_inventory_keep(&inv, ctx, true, &dl);
	md_info_update(&mi, ctx, inv, NULL, NULL);
	if (rc != 0)
		goto out;
	rc = cli_api_client(&api, ctx, inv);
	md_info_update(&mi, ctx, inv, api, NULL);
	if (rc != 0)
		goto out;
	if ((err = api_list_projects(api, &live)) < 0) {
		rc = cli_fail(ctx, err);
		goto out;
	}
	md_info_update(&mi, ctx, inv, api, &live);
	popts.endpoint = api_client_endpoint(api);
	popts.git_commit = commit;
	if ((err = plan_diff(&p, inv, &live, &popts)) < 0) {
		rc = cli_fail(ctx, err);
		goto out;
	}
	/* settings.billing.activate_tags: the keys' statuses (Cost Explorer) */
	if ((rc = cli_billing_plan(ctx, inv, p, billing_profile, NULL)) != 0)
		goto out;
	for (i = 0; i < p->warnings_nr; i++)
		cli_warning(ctx, "%s", p->warnings[i]);

	switch (fmt) {
	case FMT_TEXT:
		plan_render_text(&doc, p, ctx->color_out ? PLAN_RENDER_COLOR : 0);
		break;
	case FMT_JSON:
		plan_to_json(&doc, p);
		break;
	case FMT_MARKDOWN:
		plan_render_markdown(&doc, p, &mi.t);
		break;
	}
	fwrite(doc.ptr, 1, doc.len, stdout);
	fflush(stdout);
	wrote = true;

	if (out_path) {
		ps_buf_reset(&doc);
		plan_to_json(&doc, p);
		/* 0600: a plan names every project and tag of the account */
		if ((err = ps_write_file_atomic(out_path, doc.ptr, doc.len,
		    0600)) < 0) {
			rc = cli_fail(ctx, err);
			goto out;
		}
		if (!ctx->quiet)
			fprintf(stderr, "projsync: saved the plan to '%s'; "
			    "apply it with 'projsync apply %s'\n", out_path,
			    out_path);
	}
	if (record || inv->settings.record) {
		if ((err = record_plan(ctx, p, inv, record_repo,
		    &mi.t)) < 0) {
			rc = cli_fail(ctx, err);
			goto out;
		}
	}
	/* tag activations are changes; unseen keys (warnings) are not */
	rc = detailed && plan_total_changes(p) > 0 ? EXIT_CHANGES : EXIT_OK;
out:
	if (fmt == FMT_MARKDOWN && !wrote && rc != EXIT_OK &&
	    rc != EXIT_CHANGES)
		md_failure(&mi, rc, &dl);
	md_info_release(&mi);
	diag_list_release(&dl);
	plan_free(p);
	free(commit);
	ps_buf_release(&doc);
	live_state_release(&live);
	api_client_free(api);
	inventory_free(inv);
	return rc;
}
