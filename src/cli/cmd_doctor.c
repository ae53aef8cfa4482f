/*
 * cli: `projsync doctor [--format text|json]` — is this machine ready to
 * talk to the account?  The endpoint, the region, how requests are
 * authenticated and where the credentials come from (never a secret), the
 * account ID (from a project ARN), reachability, permission to list, quota
 * use and clock skew against the server's Date.  Exit 0 when every check
 * passes (warnings allowed), 1 otherwise.
 */
#include "cli/cli.h"

#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "live/live.h"

static const char doctor_options_help[] =
    "      --format FORMAT   text (default) or json\n"
    "\n"
    "Checks, in order: the endpoint, the region, authentication and the\n"
    "credential source, that the endpoint answers, permission to list\n"
    "projects, the account ID, quota use (projects including archived of\n"
    "settings.project_limit, default 1000) and the clock against the\n"
    "server's Date (SigV4 is refused beyond 5 minutes).  The inventory is\n"
    "read for settings when it exists.  Exit 0: all checks passed (warnings\n"
    "allowed); 1: a check failed.\n";

enum level { OK, WARN, FAIL };

struct check {
	const char *name;
	enum level level;
	char *detail;
};

struct doctor {
	struct check items[12];
	size_t nr;
	bool failed;
};

static void add(struct doctor *d, const char *name, enum level level,
    const char *fmt, ...) PS_PRINTF(4, 5);

static void
add(struct doctor *d, const char *name, enum level level, const char *fmt, ...)
{
	va_list ap;

	if (d->nr == PS_ARRAY_SIZE(d->items))
		return;
	va_start(ap, fmt);
	d->items[d->nr].detail = xvasprintf(fmt, ap);
	va_end(ap);
	d->items[d->nr].name = name;
	d->items[d->nr++].level = level;
	if (level == FAIL)
		d->failed = true;
}

static const char *
level_name(enum level l)
{
	return l == OK ? "ok" : l == WARN ? "warning" : "error";
}

/* The account ID in arn:aws:bedrock-mantle:REGION:ACCOUNT:project/ID. */
static char *
account_of(const char *arn)
{
	const char *p = arn;
	size_t i, n;

	for (i = 0; i < 4 && p; i++) {
		p = strchr(p, ':');
		if (p)
			p++;
	}
	if (!p)
		return NULL;
	n = strcspn(p, ":");
	return n ? xstrndup(p, n) : NULL;
}

/* The inventory's settings, when there is an inventory to read. */
static struct inventory *
load_settings(struct doctor *d, const struct cli_ctx *ctx)
{
	struct diag_list dl = DIAG_LIST_INIT;
	struct inventory *inv = NULL;

	if (!ctx->file_given && access(ctx->file, F_OK) != 0) {
		add(d, "inventory", OK, "none (%s not found; settings from "
		    "options and the environment)", ctx->file);
		return NULL;
	}
	if (inventory_load_file(&inv, ctx->file, &dl) < 0 || !inv) {
		add(d, "inventory", WARN, "%s cannot be read for its settings "
		    "(run 'projsync validate')", ctx->file);
		inventory_free(inv);
		inv = NULL;
	} else {
		add(d, "inventory", OK, "%s", ctx->file);
	}
	diag_list_release(&dl);
	return inv;
}

static void
check_account(struct doctor *d, struct api_client *c, unsigned limit)
{
	struct live_state st = LIVE_STATE_INIT;
	char *account = NULL;
	size_t i, n = 0;

	if (api_list_projects(c, &st) < 0) {
		add(d, "quota", FAIL, "cannot list every page: %s",
		    ps_error_last());
		return;
	}
	for (i = 0; i < st.nr; i++) {
		if (!account && st.items[i].arn)
			account = account_of(st.items[i].arn);
		if (strcmp(st.items[i].id, "default") != 0)
			n++;
	}
	if (account)
		add(d, "account", OK, "%s (from a project ARN)", account);
	else
		add(d, "account", WARN, "unknown: no project carries an ARN");
	add(d, "quota", n >= limit ? FAIL : n * 10 >= (size_t)limit * 9 ?
	    WARN : OK, "%zu of %u projects (archived included)", n, limit);
	free(account);
	live_state_release(&st);
}

static void
check_clock(struct doctor *d, time_t server)
{
	long long skew;

	if (!server) {
		add(d, "clock", WARN, "the server sent no Date header");
		return;
	}
	skew = (long long)(time(NULL) - server);
	add(d, "clock", skew > 300 || skew < -300 ? FAIL : skew > 60 ||
	    skew < -60 ? WARN : OK, "%+lld s from the server's Date%s", skew,
	    skew > 300 || skew < -300 ? " (SigV4 requests are refused beyond "
	    "5 minutes: fix the system clock)" : "");
}

static void
run_checks(struct doctor *d, const struct cli_ctx *ctx)
{
	struct inventory *inv = load_settings(d, ctx);
	struct api_options opts;
	struct api_client *c = NULL;
	struct api_probe pr;
	char *endpoint = NULL, *region = NULL;
	bool usage;
	unsigned limit = inv ? inv->settings.project_limit : 1000;

	if (cli_api_options(&opts, &endpoint, ctx, inv, &usage) < 0) {
		add(d, usage ? "options" : "endpoint", FAIL, "%s",
		    ps_error_last());
		goto out;
	}
	add(d, "endpoint", OK, "%s", endpoint);
	if (api_client_new(&c, &opts) < 0) {
		add(d, "auth", FAIL, "%s", ps_error_last());
		goto out;
	}
	region = xstrdup(api_client_region(c));
	if (!region)
		region = api_endpoint_region(endpoint);
	add(d, "region", OK, "%s", region ? region : "none (a key, and an "
	    "endpoint without a region)");
	add(d, "auth", OK, "%s", api_client_auth_source(c));
	if (api_probe(c, &pr) < 0) {
		add(d, "reachable", FAIL, "%s", ps_error_last());
		goto out;
	}
	if (!pr.status)
		add(d, "reachable", FAIL, "%s", pr.error ? pr.error : "no answer");
	else
		add(d, "reachable", OK, "HTTP %ld in %ld ms", pr.status,
		    pr.elapsed_ms);
	if (pr.status)
		check_clock(d, pr.server_date);
	if (pr.status && pr.error)
		add(d, "list", FAIL, "%s", pr.error);
	else if (pr.status)
		add(d, "list", OK, "allowed to list projects");
	if (pr.status && !pr.error)
		check_account(d, c, limit);
	api_probe_release(&pr);
out:
	api_client_free(c);
	inventory_free(inv);
	free(endpoint);
	free(region);
}

static void
print_text(const struct doctor *d, const struct cli_ctx *ctx)
{
	size_t i;

	for (i = 0; i < d->nr; i++) {
		const struct check *k = &d->items[i];
		const char *col = !ctx->color_out ? "" : k->level == OK ?
		    "\033[32m" : k->level == WARN ? "\033[33m" : "\033[1;31m";
		struct ps_buf det = PS_BUF_INIT;

		ps_buf_add_quoted(&det, k->detail);
		/* the quotes are for strings; a line of its own reads better */
		printf("%s%-7s%s  %-9s  %.*s\n", col, level_name(k->level),
		    ctx->color_out ? "\033[0m" : "", k->name,
		    (int)(det.len - 2), det.ptr + 1);
		ps_buf_release(&det);
	}
	printf("%s\n", d->failed ? "Some checks failed." :
	    "All checks passed.");
}

static void
print_json(const struct doctor *d)
{
	cJSON *root = cJSON_CreateObject(), *arr = cJSON_CreateArray();
	struct ps_buf out = PS_BUF_INIT;
	size_t i;

	cJSON_AddBoolToObject(root, "ok", !d->failed);
	for (i = 0; i < d->nr; i++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "name", d->items[i].name);
		cJSON_AddStringToObject(o, "status",
		    level_name(d->items[i].level));
		cJSON_AddStringToObject(o, "detail", d->items[i].detail);
		cJSON_AddItemToArray(arr, o);
	}
	cJSON_AddItemToObject(root, "checks", arr);
	ps_json_render(&out, root);	/* util's writer: the one style */
	fputs(out.ptr, stdout);
	ps_buf_release(&out);
	cJSON_Delete(root);
}

int
cmd_doctor(int argc, char **argv, struct cli_ctx *ctx)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct doctor d = { 0 };
	const char *format = "text";
	size_t i;
	int ch;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (ch) {
		case 'F':
			format = optarg;
			break;
		case 'h':
			cli_print_help(stdout, cli_command_find("doctor"),
			    doctor_options_help);
			return EXIT_OK;
		default:
			return cli_option_error(ctx, ch, argv);
		}
	}
	if (optind < argc)
		return cli_usage_error(ctx, "unexpected argument '%s'",
		    argv[optind]);
	if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0)
		return cli_usage_error(ctx, "unknown --format '%s' (expected "
		    "text or json)", format);
	run_checks(&d, ctx);
	if (strcmp(format, "json") == 0)
		print_json(&d);
	else
		print_text(&d, ctx);
	for (i = 0; i < d.nr; i++)
		free(d.items[i].detail);
	return d.failed ? EXIT_ERROR : EXIT_OK;
}
