/*
 * cli: `projsync apply` — make the account match the inventory (plan, show,
 * confirm, execute), or execute a saved plan (a file or a plan recorded in
 * git) after checking it is not stale.  Safety checks, confirmation,
 * Ctrl-C handling, progress and the result all live here; the executor is
 * src/apply.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "apply/apply.h"
#include "gitlog/gitlog.h"
#include "plan/plan.h"

static const char apply_help[] =
    "  PLANFILE              apply exactly this saved plan (projsync plan -o)\n"
    "      --from-history[=REV]\n"
    "                        apply the plan recorded in git (default: the newest)\n"
    "      --auto-approve    do not ask for confirmation (required without a\n"
    "                        terminal when no plan file is given)\n"
    "      --parallelism N   concurrent requests (default 16, 1-256)\n"
    "      --allow-archive   allow archiving (irreversible)\n"
    "      --force           apply despite safety thresholds (not the quota)\n"
    "      --record          record the plan and result in git (projsync/history)\n"
    "      --record-repo PATH\n"
    "                        record in this repository (implies --record)\n"
    "      --format FORMAT   text (default) or json (the result document)\n"
    "      --billing-profile P\n"
    "                        AWS profile for Cost Explorer with\n"
    "                        settings.billing.activate_tags (default\n"
    "                        settings.billing.profile)\n";

enum { OPT_AUTO = 256, OPT_PAR, OPT_ARCHIVE, OPT_FORCE, OPT_RECORD,
	OPT_RECORD_REPO, OPT_FORMAT, OPT_HISTORY, OPT_BILLING_PROFILE };

static const struct option apply_longopts[] = {
	{ "auto-approve", no_argument, NULL, OPT_AUTO },
	{ "parallelism", required_argument, NULL, OPT_PAR },
	{ "allow-archive", no_argument, NULL, OPT_ARCHIVE },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "record", no_argument, NULL, OPT_RECORD },
	{ "record-repo", required_argument, NULL, OPT_RECORD_REPO },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "from-history", optional_argument, NULL, OPT_HISTORY },
	{ "billing-profile", required_argument, NULL, OPT_BILLING_PROFILE },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

struct apply_args {
	const char *plan_file;
	const char *history_rev;
	bool from_history;
	bool auto_approve, allow_archive, force, record, json;
	const char *record_repo;
	const char *billing_profile;
	unsigned parallelism;
};

static volatile sig_atomic_t stop_requested, applying;

static void
on_signal(int sig)
{
	static const char msg[] = "\nprojsync: interrupted: no new requests; "
	    "waiting for those in flight (again to abort)\n";
	static const char early[] = "\nprojsync: interrupted; nothing was "
	    "changed\n";
	ssize_t n;

	(void)sig;
	if (!applying) {
		/* listing, planning or at the prompt: nothing to wait for */
		n = write(2, early, sizeof(early) - 1);
		(void)n;
		_exit(EXIT_ERROR);
	}
	stop_requested = 1;
	n = write(2, msg, sizeof(msg) - 1);
	(void)n;
}

static void
install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	/* a second Ctrl-C gets the default action: abort at once */
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

struct progress {
	const struct cli_ctx *ctx;
	struct timespec start;
	bool tty, shown;
};

static double
elapsed(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) +
	    (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

/* A progress line on a terminal, once the apply takes more than a moment. */
static void
on_progress(const struct api_progress *p, void *payload)
{
	struct progress *pr = payload;

	if (!pr->tty || pr->ctx->quiet || elapsed(&pr->start) < 1.0)
		return;
	fprintf(stderr, "\r\033[KApplying: %zu/%zu done, %zu failed, "
	    "%zu in flight", p->done, p->total, p->failed, p->in_flight);
	if (p->throttled)
		fprintf(stderr, ", throttled %zu (parallelism %u)",
		    p->throttled, p->parallelism);
	fflush(stderr);
	pr->shown = true;
}

static int
parse_args(struct apply_args *a, int argc, char **argv, struct cli_ctx *ctx,
    bool *help)
{
	const struct cli_command *self = cli_command_find("apply");
	char *end;
	long n;
	int c;

	memset(a, 0, sizeof(*a));
	a->parallelism = 16;
	opterr = 0;	/* our own messages, not getopt's */
	while ((c = getopt_long(argc, argv, ":h", apply_longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			cli_print_help(stdout, self, apply_help);
			*help = true;
			return 0;
		case OPT_AUTO:
			a->auto_approve = true;
			break;
		case OPT_PAR:
			n = strtol(optarg, &end, 10);
			if (*end || n < 1 || n > 256)
				return cli_usage_error(ctx, "--parallelism must "
				    "be a number from 1 to 256, not '%s'", optarg);
			a->parallelism = (unsigned)n;
			break;
		case OPT_ARCHIVE:
			a->allow_archive = true;
			break;
		case OPT_FORCE:
			a->force = true;
			break;
		case OPT_RECORD:
			a->record = true;
			break;
		case OPT_RECORD_REPO:
			a->record_repo = optarg;
			a->record = true;
			break;
		case OPT_FORMAT:
			if (!strcmp(optarg, "json"))
				a->json = true;
			else if (strcmp(optarg, "text"))
				return cli_usage_error(ctx, "unknown format '%s' "
				    "(expected text or json)", optarg);
			break;
		case OPT_HISTORY:
			a->from_history = true;
			a->history_rev = optarg;
			break;
		case OPT_BILLING_PROFILE:
			a->billing_profile = optarg;
			break;
		default:
			return cli_option_error(ctx, c, argv);
		}
	}
	if (optind < argc) {
		if (a->from_history && !a->history_rev)
			a->history_rev = argv[optind++];
		else if (!a->from_history)
			a->plan_file = argv[optind++];
	}
	if (optind < argc)
		return cli_usage_error(ctx, "unexpected argument '%s'",
		    argv[optind]);
	return 0;
}

/* Load a saved plan: a file, or plan.json of a recorded commit. */
static int
load_saved_plan(struct plan **out, const struct apply_args *a,
    struct cli_ctx *ctx, const struct inventory *inv)
{
	struct ps_buf buf = PS_BUF_INIT;
	const char *name;
	char *label = NULL;
	int err;

	if (a->from_history) {
		err = gitlog_read_file(&buf, ctx->file, a->record_repo,
		    a->history_rev, "plan.json");
		label = xasprintf("%s:plan.json", a->history_rev ?
		    a->history_rev : GITLOG_BRANCH);
		name = label;
	} else {
		err = ps_read_file(&buf, a->plan_file, PLAN_MAX_FILE_BYTES);
		name = a->plan_file;
	}
	if (err == 0)
		err = plan_from_json(out, name, buf.ptr, buf.len);
	if (err == 0 && a->from_history &&
	    strcmp((*out)->inventory_sha256, inv->sha256) != 0) {
		err = ps_error(PS_EREFUSED, "the recorded plan was made from "
		    "another version of '%s' (SHA-256 %.12s…, the file is "
		    "%.12s…); plan again", ctx->file, (*out)->inventory_sha256,
		    inv->sha256);
		plan_free(*out);
		*out = NULL;
	}
	free(label);
	ps_buf_release(&buf);
	return err;
}

static bool
endpoint_from_env(void)
{
	const char *e1 = getenv("PROJSYNC_ENDPOINT"), *e2 = getenv("OPENAI_BASE_URL");

	return (e1 && *e1) || (e2 && *e2);
}

/* Print a refusal from apply_check_*(): the reasons, then the verdict. */
static int
refuse(struct cli_ctx *ctx, const struct ps_buf *why)
{
	if (why->len)
		fputs(why->ptr, stderr);
	cli_error(ctx, "%s", ps_error_last());
	return EXIT_REFUSED;
}

static int
confirm(struct cli_ctx *ctx)
{
	char line[64];

	if (!isatty(0)) {
		cli_error(ctx, "refusing to apply without confirmation: there "
		    "is no terminal; pass --auto-approve, or apply a saved "
		    "plan file");
		return EXIT_USAGE;
	}
	fputs("\nDo you want to apply these changes?\n  Only 'yes' will be "
	    "accepted to approve.\n\n  Enter a value: ", stderr);
	fflush(stderr);
	if (!fgets(line, sizeof(line), stdin) || strcmp(line, "yes\n") != 0) {
		fputs("\nApply cancelled.\n", stderr);
		return EXIT_ERROR;
	}
	return 0;
}

static int
record_apply(const struct cli_ctx *ctx, const struct plan *p,
    const struct apply_result *r, const struct apply_args *a,
    const struct inventory *inv)
{
	struct plan_md_target t = { 0 };
	struct ps_buf json = PS_BUF_INIT, md = PS_BUF_INIT, res = PS_BUF_INIT;
	struct ps_buf sum = PS_BUF_INIT;
	const char *inv_path = p->inventory_path ? p->inventory_path : ctx->file;
	char hex[41];
	int err;

	plan_to_json(&json, p);
	if (inv) {	/* count tables by the taxonomy's keys */
		t.keys = inv->taxonomy.required;
		t.keys_nr = inv->taxonomy.required_nr;
	}
	plan_render_markdown(&md, p, &t);
	apply_result_to_json(&res, r);
	apply_result_summary(&sum, r);
	err = gitlog_record_plan(hex, inv_path, a->record_repo, sum.ptr,
	    p->endpoint, json.ptr, md.ptr, res.ptr);
	if (err == 0 && !ctx->quiet)
		fprintf(stderr, "projsync: recorded the apply as %.7s on %s\n",
		    hex, GITLOG_BRANCH);
	ps_buf_release(&json);
	ps_buf_release(&md);
	ps_buf_release(&res);
	ps_buf_release(&sum);
	return err;
}

int
cmd_apply(int argc, char **argv, struct cli_ctx *ctx)
{
	struct live_state live = LIVE_STATE_INIT;
	struct apply_result result = APPLY_RESULT_INIT;
	struct ps_buf doc = PS_BUF_INIT;
	struct plan_options popts = { 0 };
	struct inventory *inv = NULL;
	struct api_client *api = NULL;
	struct plan *p = NULL;
	struct apply_args a;
	struct apply_options aopts = { 0 };
	struct cli_activation act = { 0 };
	struct progress pr = { 0 };
	FILE *plan_out;
	bool help = false, saved, *done = NULL, projects, tagged;
	int rc, err, brc;

	if ((rc = parse_args(&a, argc, argv, ctx, &help)) != 0 || help)
		return rc;
	saved = a.plan_file || a.from_history;
	/* A plan file stands alone; the inventory is needed otherwise, and
	 * for settings.record when it is there. */
	if (!a.plan_file || ctx->file_given) {
		if ((rc = cli_load_inventory(&inv, ctx, !saved)) != 0)
			goto out;
	}
	if (saved) {
		if ((err = load_saved_plan(&p, &a, ctx, inv)) < 0) {
			rc = cli_fail(ctx, err);
			goto out;
		}
		/* Talk to the endpoint the plan was made for unless told. */
		if (!ctx->endpoint && !endpoint_from_env())
			ctx->endpoint = p->endpoint;
	}
	if ((rc = cli_api_client(&api, ctx, inv)) != 0)
		goto out;
	install_signals();
	if ((err = api_list_projects(api, &live)) < 0) {
		rc = cli_fail(ctx, err);
		goto out;
	}
	if (saved) {
		done = xcalloc(p->changes_nr + 1, sizeof(*done));
		err = apply_check_saved_plan(p, api_client_endpoint(api), &live,
		    &doc, done);
		if (err < 0) {
			rc = refuse(ctx, &doc);
			goto out;
		}
		/* the planned activations: skip keys activated meanwhile */
		if ((rc = cli_billing_recheck(ctx, inv, p, a.billing_profile,
		    &act)) != 0)
			goto out;
		if (err == PLAN_ALREADY_APPLIED && act.todo_nr) {
			/* only the tags are left to do */
			for (size_t i = 0; i < p->changes_nr; i++)
				done[i] = true;
		} else if (err == PLAN_ALREADY_APPLIED) {
			fputs("already applied: the account matches this "
			    "plan\n", a.json ? stderr : stdout);
			if (a.json) {
				apply_result_to_json(&doc, &result);
				fwrite(doc.ptr, 1, doc.len, stdout);
			}
			rc = EXIT_OK;
			goto out;
		}
	} else {
		popts.endpoint = api_client_endpoint(api);
		if ((err = plan_diff(&p, inv, &live, &popts)) < 0) {
			rc = cli_fail(ctx, err);
			goto out;
		}
		if ((rc = cli_billing_plan(ctx, inv, p, a.billing_profile,
		    &act)) != 0)
			goto out;
	}
	live_state_release(&live);

	/* Show the plan (on stderr when stdout carries the JSON result). */
	plan_out = a.json ? stderr : stdout;
	ps_buf_reset(&doc);
	if (!saved || !ctx->quiet) {
		size_t i;
		for (i = 0; i < p->warnings_nr; i++)
			cli_warning(ctx, "%s", p->warnings[i]);
		plan_render_text(&doc, p, (a.json ? ctx->color_err :
		    ctx->color_out) ? PLAN_RENDER_COLOR : 0);
		fwrite(doc.ptr, 1, doc.len, plan_out);
		fflush(plan_out);
	}
	projects = plan_change_count(p) > 0;
	if (projects && done) {
		size_t i, n = 0;
		for (i = 0; i < p->changes_nr; i++)
			n += !done[i];
		projects = n > 0;
	}
	if (!projects && !act.todo_nr) {
		if (act.meanwhile_nr && !ctx->quiet)
			fprintf(stderr, "projsync: the cost allocation tags of "
			    "this plan were activated since; nothing to do\n");
		for (size_t i = 0; i < act.meanwhile_nr; i++)
			apply_result_tag(&result, act.meanwhile[i], true, NULL);
		if (a.json) {
			ps_buf_reset(&doc);
			apply_result_to_json(&doc, &result);
			fwrite(doc.ptr, 1, doc.len, stdout);
		}
		rc = EXIT_OK;
		goto out;
	}
	ps_buf_reset(&doc);
	if (apply_check_safety(p, a.force, a.allow_archive, &doc) < 0) {
		rc = refuse(ctx, &doc);
		goto out;
	}
	if (done && projects) {
		size_t i, n = 0;
		for (i = 0; i < p->changes_nr; i++)
			n += done[i];
		if (n && !ctx->quiet)
			fprintf(stderr, "projsync: %zu of %zu changes already "
			    "applied; applying the rest\n", n,
			    plan_change_count(p));
	}
	if (!saved && !a.auto_approve && (rc = confirm(ctx)) != 0)
		goto out;

	/* Recording must be possible before the account changes, not after. */
	if ((a.record || (inv && inv->settings.record)) &&
	    gitlog_record_check(p->inventory_path ? p->inventory_path :
	    ctx->file, a.record_repo) < 0) {
		cli_error(ctx, "refusing to apply: it could not be recorded in "
		    "git (--record): %s", ps_error_last());
		rc = EXIT_ERROR;
		goto out;
	}

	clock_gettime(CLOCK_MONOTONIC, &pr.start);
	pr.ctx = ctx;
	pr.tty = isatty(2);
	aopts.parallelism = a.parallelism;
	aopts.allow_archive = a.allow_archive;
	aopts.stop = &stop_requested;
	aopts.already_done = done;
	aopts.progress = on_progress;
	aopts.payload = &pr;
	if (!a.json && !ctx->quiet)
		putchar('\n');
	applying = 1;
	/* From here on a reader gone from stdout (| head) must not kill us
	 * before the result is recorded: writes fail, the rest goes on. */
	signal(SIGPIPE, SIG_IGN);
	err = projects ? apply_run(&result, api, p, &aopts) : 0;
	if (pr.shown)
		fputs("\r\033[K", stderr);
	if (result.warning)
		cli_warning(ctx, "%s", result.warning);

	/* then the cost-allocation tags, into the same result */
	brc = EXIT_OK;
	tagged = false;
	if (!stop_requested)
		brc = cli_billing_activate(ctx, &act, &result, &tagged);

	ps_buf_reset(&doc);
	if (a.json)
		apply_result_to_json(&doc, &result);
	else
		apply_result_render_text(&doc, &result, ctx->color_out,
		    result.nr <= 100 || ctx->verbose);
	fwrite(doc.ptr, 1, doc.len, stdout);
	fflush(stdout);

	/* 5 says some changes were made: not when every one failed */
	if (err == 0)
		rc = EXIT_OK;
	else if (err == PS_EPARTIAL || err == PS_ECANCELLED)
		rc = apply_result_changed(&result) || tagged ? EXIT_PARTIAL :
		    EXIT_ERROR;
	else
		rc = cli_fail(ctx, err);
	if (rc == EXIT_OK && brc == EXIT_ERROR &&
	    (tagged || apply_result_changed(&result)))
		rc = EXIT_PARTIAL;
	else if (rc == EXIT_OK)
		rc = brc;
	if (rc == EXIT_PARTIAL && !ctx->quiet)
		cli_warning(ctx, "some changes were not made; run 'projsync "
		    "plan' to see what is left (a rerun converges)");

	if (a.record || (inv && inv->settings.record)) {
		/* Recording after an apply never hides what was applied. */
		if ((err = record_apply(ctx, p, &result, &a, inv)) < 0) {
			cli_error(ctx, "the apply above happened, but recording "
			    "it in git failed: %s", ps_error_last());
			if (rc == EXIT_OK)
				rc = EXIT_ERROR;
		}
	}
out:
	cli_activation_release(&act);
	free(done);
	apply_result_release(&result);
	plan_free(p);
	ps_buf_release(&doc);
	live_state_release(&live);
	api_client_free(api);
	inventory_free(inv);
	return rc;
}
