/*
 * cli: `projsync billing status` (each taxonomy key: active, inactive or
 * not seen by billing yet; the backfill history) and `projsync billing
 * backfill --from YYYY-MM` (StartCostAllocationTagBackfill, refused while
 * one runs or within 24 hours of the last).  See docs/finops.md.
 */
#include "cli/cli.h"
#include "apply/apply.h"
#include "lint/lint.h"
#include "plan/plan.h"

#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char billing_options_help[] =
    "  status                   each taxonomy key (required and declared):\n"
    "                           active, inactive or unseen (billing has no\n"
    "                           tagged usage yet), last used; backfills\n"
    "      --format F           text (default) or json\n"
    "  backfill --from YYYY-MM  apply today's cost-allocation tag statuses\n"
    "                           to past months, from this one (within the\n"
    "                           last 12); refused while one runs and within\n"
    "                           24 hours of the last request\n"
    "      --billing-profile P  AWS profile for Cost Explorer (default\n"
    "                           settings.billing.profile)\n"
    "\n"
    "Cost-allocation tags are managed from the organisation's management\n"
    "account; a member account is refused (AccessDeniedException).\n";

static const char *
state_name(enum billing_tag_state s)
{
	return s == BILLING_TAG_ACTIVE ? "active" :
	    s == BILLING_TAG_INACTIVE ? "inactive" : "unseen";
}

/* A ZonedDateTime's day, or "-", escaped for a terminal (caller frees). */
static char *
day_of(const char *zoned)
{
	char day[11];

	if (!zoned || strlen(zoned) < 10)
		return xstrdup("-");
	memcpy(day, zoned, 10);
	day[10] = '\0';
	return ps_printable(day, 0);
}

/* A backfill status for a terminal (caller frees). */
static char *
status_of(const char *status)
{
	return ps_printable(status ? status : "?", 40);
}

static void
refused_hint(struct cli_ctx *ctx, struct billing_client *bc)
{
	if (strcmp(billing_client_error_code(bc), "AccessDeniedException") == 0)
		cli_error(ctx, "cost-allocation tags are managed from the "
		    "organisation's management account: run this with its "
		    "credentials (settings.billing.profile or "
		    "--billing-profile)");
}

/* ---- activation in plan and apply (settings.billing.activate_tags) ---- */

/* A Cost Explorer failure of plan or apply: AccessDeniedException (a
 * member account) is a refusal naming the way out (exit 4), anything
 * else an error. */
static int
activation_failed(struct cli_ctx *ctx, struct billing_client *bc, int err)
{
	if (strcmp(billing_client_error_code(bc), "AccessDeniedException") != 0)
		return cli_fail(ctx, err);
	ps_error(PS_EREFUSED, "refusing to manage cost-allocation tags: these "
	    "credentials are of a member account (AccessDeniedException); "
	    "cost-allocation tags are managed from the organisation's "
	    "management account: set settings.billing.profile (or "
	    "--billing-profile) to a profile of the management account, or "
	    "settings.billing.activate_tags: false");
	return cli_fail(ctx, PS_EREFUSED);
}

/* The taxonomy keys' statuses: *keys (borrowed from inv) and *tags, nr
 * of each, and the client.  0 or an exit code (printed). */
static int
taxonomy_statuses(struct cli_ctx *ctx, const struct inventory *inv,
    const char *profile, struct billing_client **bc, const char ***keys,
    struct billing_tag **tags, size_t *nr)
{
	int err, rc;

	inventory_taxonomy_keys(inv, keys, nr);
	if (*nr == 0)
		return 0;	/* no key: no credentials needed, no request */
	if ((rc = cli_billing_client(bc, ctx, inv, profile)) != 0)
		return rc;
	if ((err = billing_tag_statuses(*bc, *keys, *nr, tags)) < 0)
		return activation_failed(ctx, *bc, err);
	return 0;
}

int
cli_billing_lint(struct cli_ctx *ctx, const struct inventory *inv,
    struct lint_cost_tag **out, size_t *out_nr)
{
	struct billing_client *bc = NULL;
	struct billing_tag *tags = NULL;
	const char **keys = NULL;
	size_t nr = 0, i;
	int rc;

	*out = NULL;
	*out_nr = 0;
	/* only with a settings.billing block: each request costs USD 0.01 */
	if (!inv->settings.billing.activate_tags &&
	    !inv->settings.billing.profile)
		return 0;
	if ((rc = taxonomy_statuses(ctx, inv, NULL, &bc, &keys, &tags,
	    &nr)) != 0)
		goto out;
	*out = xcalloc(nr + 1, sizeof(**out));
	for (i = 0; i < nr; i++) {
		(*out)[i].key = keys[i];
		(*out)[i].state = tags[i].state == BILLING_TAG_ACTIVE ?
		    LINT_COST_TAG_ACTIVE : tags[i].state ==
		    BILLING_TAG_INACTIVE ? LINT_COST_TAG_INACTIVE :
		    LINT_COST_TAG_UNSEEN;
	}
	*out_nr = nr;
out:
	billing_tags_free(tags, nr);
	billing_client_free(bc);
	free(keys);
	return rc;
}

int
cli_billing_plan(struct cli_ctx *ctx, const struct inventory *inv,
    struct plan *p, const char *profile, struct cli_activation *act)
{
	struct billing_client *bc = NULL;
	struct billing_tag *tags = NULL;
	enum plan_tag_state *states = NULL;
	const char **keys = NULL;
	size_t nr = 0, i;
	int rc;

	/* no setting: no client, no request (each costs USD 0.01) */
	if (!inv || !inv->settings.billing.activate_tags)
		return 0;
	if ((rc = taxonomy_statuses(ctx, inv, profile, &bc, &keys, &tags,
	    &nr)) != 0)
		goto out;
	states = xcalloc(nr + 1, sizeof(*states));
	for (i = 0; i < nr; i++)
		states[i] = tags[i].state == BILLING_TAG_ACTIVE ?
		    PLAN_TAG_ACTIVE : tags[i].state == BILLING_TAG_INACTIVE ?
		    PLAN_TAG_INACTIVE : PLAN_TAG_UNSEEN;
	plan_set_billing(p, keys, states, nr);
	if (act) {
		/* apply without a plan file: these statuses are fresh */
		act->todo = (const char *const *)p->billing.activate;
		act->todo_nr = p->billing.activate_nr;
		if (act->todo_nr) {
			act->bc = bc;
			bc = NULL;
		}
	}
out:
	billing_tags_free(tags, nr);
	billing_client_free(bc);
	free(states);
	free(keys);
	return rc;
}

int
cli_billing_recheck(struct cli_ctx *ctx, const struct inventory *inv,
    const struct plan *p, const char *profile, struct cli_activation *act)
{
	const char *const *keys = (const char *const *)p->billing.activate;
	struct billing_tag *tags = NULL;
	size_t nr = p->billing.activate_nr, i;
	int err, rc;

	if (!p->billing.enabled || !nr)
		return 0;
	if ((rc = cli_billing_client(&act->bc, ctx, inv, profile)) != 0)
		return rc;
	if ((err = billing_tag_statuses(act->bc, keys, nr, &tags)) < 0)
		return activation_failed(ctx, act->bc, err);
	act->keep = xcalloc(nr, sizeof(*act->keep));
	act->meanwhile = xcalloc(nr, sizeof(*act->meanwhile));
	for (i = 0; i < nr; i++) {
		if (tags[i].state == BILLING_TAG_INACTIVE)
			act->keep[act->todo_nr++] = keys[i];
		else if (tags[i].state == BILLING_TAG_ACTIVE)
			act->meanwhile[act->meanwhile_nr++] = keys[i];
		else
			/* billing forgets no key; never send an unseen one */
			cli_warning(ctx, "cost allocation tag \"%s\": billing "
			    "does not know it now; not activated", keys[i]);
	}
	act->todo = act->keep;
	billing_tags_free(tags, nr);
	return 0;
}

int
cli_billing_activate(struct cli_ctx *ctx, struct cli_activation *act,
    struct apply_result *r, bool *changed)
{
	struct billing_update *u = NULL;
	size_t i;
	int err, rc = EXIT_OK;

	*changed = false;
	for (i = 0; i < act->meanwhile_nr; i++)
		apply_result_tag(r, act->meanwhile[i], true, NULL);
	if (!act->bc || !act->todo_nr)
		return EXIT_OK;
	err = billing_activate_tags(act->bc, act->todo, act->todo_nr, &u);
	for (i = 0; i < act->todo_nr; i++) {
		if (u[i].done)
			*changed = true;
		else if (!u[i].error && err == 0)
			continue;	/* not reached: every key is answered */
		else
			rc = EXIT_ERROR;
		apply_result_tag(r, act->todo[i], false, u[i].done ? NULL :
		    u[i].error ? u[i].error : "not activated: Cost Explorer "
		    "refused the call");
	}
	if (err < 0)
		rc = activation_failed(ctx, act->bc, err);
	else if (ctx->verbose)
		fprintf(stderr, "projsync: Cost Explorer requests: %lu\n",
		    billing_client_requests(act->bc));
	billing_updates_free(u, act->todo_nr);
	return rc;
}

void
cli_activation_release(struct cli_activation *act)
{
	billing_client_free(act->bc);
	free(act->keep);
	free(act->meanwhile);
	memset(act, 0, sizeof(*act));
}

static int
billing_status(struct cli_ctx *ctx, struct billing_client *bc,
    const struct inventory *inv, bool json)
{
	struct billing_tag *tags = NULL;
	struct billing_backfill *bf = NULL;
	const char **keys = NULL;
	size_t nr = 0, nr_bf = 0, i;
	int err, rc = EXIT_OK;

	inventory_taxonomy_keys(inv, &keys, &nr);
	if ((err = billing_tag_statuses(bc, keys, nr, &tags)) < 0 ||
	    (err = billing_backfill_history(bc, &bf, &nr_bf)) < 0) {
		rc = cli_fail(ctx, err);
		refused_hint(ctx, bc);
		goto out;
	}
	if (json) {
		cJSON *doc = cJSON_CreateObject(), *arr, *o;
		struct ps_buf text = PS_BUF_INIT;

		arr = cJSON_AddArrayToObject(doc, "tags");
		for (i = 0; i < nr; i++) {
			o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "key", tags[i].key);
			cJSON_AddStringToObject(o, "status",
			    state_name(tags[i].state));
			if (tags[i].last_used)
				cJSON_AddStringToObject(o, "last_used",
				    tags[i].last_used);
			if (tags[i].last_updated)
				cJSON_AddStringToObject(o, "last_updated",
				    tags[i].last_updated);
			cJSON_AddItemToArray(arr, o);
		}
		arr = cJSON_AddArrayToObject(doc, "backfills");
		for (i = 0; i < nr_bf; i++) {
			o = cJSON_CreateObject();
			if (bf[i].from)
				cJSON_AddStringToObject(o, "from", bf[i].from);
			if (bf[i].requested)
				cJSON_AddStringToObject(o, "requested",
				    bf[i].requested);
			if (bf[i].completed)
				cJSON_AddStringToObject(o, "completed",
				    bf[i].completed);
			if (bf[i].status)
				cJSON_AddStringToObject(o, "status",
				    bf[i].status);
			cJSON_AddItemToArray(arr, o);
		}
		cJSON_AddNumberToObject(doc, "requests",
		    (double)billing_client_requests(bc));
		ps_json_render(&text, doc);	/* util's writer */
		fputs(text.ptr, stdout);
		ps_buf_release(&text);
		cJSON_Delete(doc);
		goto out;
	}
	printf("%-24s %-9s %-10s %s\n", "KEY", "STATUS", "LAST USED",
	    "LAST CHANGED");
	for (i = 0; i < nr; i++) {
		char *key = ps_printable(tags[i].key, 64);
		char *used = day_of(tags[i].last_used);
		char *changed = day_of(tags[i].last_updated);
		printf("%-24s %-9s %-10s %s\n", key, state_name(tags[i].state),
		    used, changed);
		free(key);
		free(used);
		free(changed);
	}
	for (i = 0; i < nr && tags[i].state != BILLING_TAG_UNSEEN; i++)
		;
	if (i < nr)
		printf("\nunseen: billing has no usage tagged with the key yet "
		    "(up to 24 hours after the\nfirst inference on a project "
		    "carrying it); it can be activated only then.\n");
	printf("\nBackfills:%s\n", nr_bf ? "" : " none");
	for (i = 0; i < nr_bf; i++) {
		char *from = day_of(bf[i].from), *req = day_of(bf[i].requested);
		char *status = status_of(bf[i].status);
		printf("  from %s, requested %s: %s\n", from, req, status);
		free(from);
		free(req);
		free(status);
	}
	printf("\nCost Explorer requests: %lu\n", billing_client_requests(bc));
out:
	billing_tags_free(tags, nr);
	billing_backfills_free(bf, nr_bf);
	free(keys);
	return rc;
}

/* Seconds since a ZonedDateTime ("2026-12-07T17:43:51Z"), or -1. */
static long long
age_of(const char *zoned, time_t now)
{
	struct tm tm = { 0 };
	int n = 0;

	if (!zoned || sscanf(zoned, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year,
	    &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec,
	    &n) != 6)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (long long)(now - timegm(&tm));
}

static int
billing_backfill(struct cli_ctx *ctx, struct billing_client *bc,
    const char *month)
{
	struct billing_backfill *bf = NULL, started;
	int64_t day, today = (int64_t)time(NULL) / 86400;
	size_t nr = 0;
	char text[16], *status;
	long long age;
	int err, rc = EXIT_OK;

	memset(&started, 0, sizeof(started));
	snprintf(text, sizeof(text), "%.7s-01", month);
	if (strlen(month) != 7 || !billing_day_parse(&day, text))
		return cli_usage_error(ctx, "--from '%s' is not a month "
		    "(YYYY-MM)", month);
	if (day > today || day < billing_month_start(today, -12))
		return cli_usage_error(ctx, "--from %s: a backfill starts "
		    "within the last 12 months, not in the future", month);
	if ((err = billing_backfill_history(bc, &bf, &nr)) < 0) {
		rc = cli_fail(ctx, err);
		refused_hint(ctx, bc);
		goto out;
	}
	/* AWS lists the newest first; any one still running blocks */
	for (size_t i = 0; i < nr; i++)
		if (bf[i].status && strcmp(bf[i].status, "PROCESSING") == 0) {
			cli_error(ctx, "a backfill (from %.10s, requested %s) is "
			    "still running; try again when it is done",
			    bf[i].from ? bf[i].from : "?", bf[i].requested ?
			    bf[i].requested : "?");
			rc = EXIT_REFUSED;
			goto out;
		}
	if (nr && (age = age_of(bf[0].requested, time(NULL))) >= 0 &&
	    age < 86400) {
		cli_error(ctx, "the last backfill was requested %lld hours ago; "
		    "AWS allows one every 24 hours", age / 3600);
		rc = EXIT_REFUSED;
		goto out;
	}
	if ((err = billing_backfill_start(bc, day, &started)) < 0) {
		rc = cli_fail(ctx, err);
		refused_hint(ctx, bc);
		goto out;
	}
	status = status_of(started.status);
	printf("Backfill from %s requested: %s\n", text, status);
	free(status);
	if (!ctx->quiet)
		cli_warning(ctx, "the backfill applies today's statuses to every "
		    "tag key: a key inactive now disappears from the past "
		    "months' cost data; results reach Cost Explorer at its "
		    "next daily refresh");
out:
	billing_backfills_free(bf, nr);
	free(started.from);
	free(started.requested);
	free(started.completed);
	free(started.updated);
	free(started.status);
	return rc;
}

int
cmd_billing(int argc, char **argv, struct cli_ctx *ctx)
{
	enum { O_FROM = 256, O_PROFILE, O_FORMAT };
	static const struct option longopts[] = {
		{ "from", required_argument, NULL, O_FROM },
		{ "billing-profile", required_argument, NULL, O_PROFILE },
		{ "format", required_argument, NULL, O_FORMAT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cli_command *self = cli_command_find("billing");
	const char *from = NULL, *profile = NULL, *sub;
	struct billing_client *bc = NULL;
	struct inventory *inv = NULL;
	bool json = false;
	int c, rc;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case O_FROM: from = optarg; break;
		case O_PROFILE: profile = optarg; break;
		case O_FORMAT:
			if (strcmp(optarg, "json") == 0)
				json = true;
			else if (strcmp(optarg, "text") == 0)
				json = false;
			else
				return cli_usage_error(ctx, "unknown --format "
				    "'%s' (text or json)", optarg);
			break;
		case 'h':
			cli_print_help(stdout, self, billing_options_help);
			return EXIT_OK;
		default:
			return cli_option_error(ctx, c, argv);
		}
	}
	if (optind >= argc)
		return cli_usage_error(ctx, "billing needs a subcommand: status "
		    "or backfill");
	sub = argv[optind];
	if (optind + 1 < argc)
		return cli_usage_error(ctx, "unexpected argument '%s'",
		    argv[optind + 1]);
	if (strcmp(sub, "status") == 0) {
		if (from)
			return cli_usage_error(ctx, "--from goes with backfill");
		if ((rc = cli_load_inventory(&inv, ctx, false)) != 0)
			return rc;
		if ((rc = cli_billing_client(&bc, ctx, inv, profile)) == 0)
			rc = billing_status(ctx, bc, inv, json);
	} else if (strcmp(sub, "backfill") == 0) {
		if (!from)
			return cli_usage_error(ctx, "billing backfill needs "
			    "--from YYYY-MM");
		if (json)
			return cli_usage_error(ctx, "--format goes with status");
		/* the inventory only for settings; none is fine */
		if (ctx->file_given && (rc = cli_load_inventory(&inv, ctx,
		    false)) != 0)
			return rc;
		if ((rc = cli_billing_client(&bc, ctx, inv, profile)) == 0)
			rc = billing_backfill(ctx, bc, from);
	} else {
		return cli_usage_error(ctx, "unknown billing subcommand '%s' "
		    "(status or backfill)", sub);
	}
	billing_client_free(bc);
	inventory_free(inv);
	return rc;
}
