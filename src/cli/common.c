/* cli: shared helpers for commands: errors, exit codes, help, loading. */
#include "cli/cli.h"

#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gitlog/gitlog.h"
#include "policy/policy.h"

const char cli_global_options_help[] =
    "Global options (before or after the command):\n"
    "  -f, --file FILE       inventory (default $PROJSYNC_FILE or projects.yaml)\n"
    "      --endpoint URL    API base URL (default $PROJSYNC_ENDPOINT, $OPENAI_BASE_URL,\n"
    "                        or https://bedrock-mantle.REGION.api.aws/v1)\n"
    "      --region R        AWS region (default settings.region, $AWS_REGION,\n"
    "                        $AWS_DEFAULT_REGION, the AWS profile's region)\n"
    "      --auth MODE       auto (default: a key in $PROJSYNC_API_KEY,\n"
    "                        $AWS_BEARER_TOKEN_BEDROCK or $OPENAI_API_KEY, else\n"
    "                        SigV4 with AWS credentials), bearer, x-api-key, sigv4\n"
    "      --profile NAME    AWS credentials (and region) from this profile of\n"
    "                        ~/.aws/config and ~/.aws/credentials\n"
    "      --cacert FILE     CA bundle for TLS\n"
    "      --timeout SECONDS per-request timeout (default 30, $PROJSYNC_TIMEOUT)\n"
    "  -v, --verbose         trace requests to stderr (credentials redacted)\n"
    "  -q, --quiet           only errors on stderr\n"
    "      --color WHEN      auto (default: on a terminal, not with $NO_COLOR),\n"
    "                        always (CI logs; also $CLICOLOR_FORCE, $FORCE_COLOR)\n"
    "                        or never\n"
    "      --no-color        never colour output (also $NO_COLOR)\n"
    "  -h, --help            show help\n";

/* Keep in step with the help above: t-completion checks every option there
 * appears here. */
const char cli_global_synopsis[] =
    "[-f FILE] [--endpoint URL] [--region R] "
    "[--auth auto|bearer|x-api-key|sigv4] [--profile NAME] [--cacert FILE] "
    "[--timeout SECONDS] [-v | -q] [--color auto|always|never] [--no-color]";

const struct cli_command *
cli_command_find(const char *name)
{
	const struct cli_command *c;

	for (c = cli_commands; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

int
cli_exit_code(int status)
{
	switch (status) {
	case PS_OK:
		return EXIT_OK;
	case PS_EINVALID:
		return EXIT_INVALID;
	case PS_EREFUSED:
		return EXIT_REFUSED;
	case PS_EPARTIAL:
		return EXIT_PARTIAL;
	case PS_EUSAGE:
		return EXIT_USAGE;
	default:
		return EXIT_ERROR;
	}
}

/*
 * Messages quote names, paths and the API's own text: each line through
 * util's escaper.  A message of several lines (one problem per line, as
 * plan's refusals) keeps its line breaks; a line break inside a name was
 * escaped where the line was written.
 */
static void
printable_lines(struct ps_buf *out, const char *msg)
{
	const char *nl;
	char *line;

	for (;;) {
		nl = strchr(msg, '\n');
		line = xstrndup(msg, nl ? (size_t)(nl - msg) : strlen(msg));
		ps_buf_add_printable(out, line, 0);
		free(line);
		if (!nl)
			break;
		ps_buf_addch(out, '\n');
		msg = nl + 1;
	}
}

static void vreport(const struct cli_ctx *ctx, const char *level,
    const char *color, const char *fmt, va_list ap) PS_PRINTF(4, 0);

static void
vreport(const struct cli_ctx *ctx, const char *level, const char *color,
    const char *fmt, va_list ap)
{
	bool c = ctx && ctx->color_err;
	char *msg = xvasprintf(fmt, ap);
	struct ps_buf safe = PS_BUF_INIT;

	printable_lines(&safe, msg);
	fprintf(stderr, "projsync: %s%s:%s %s\n", c ? color : "", level,
	    c ? "\033[0m" : "", ps_buf_cstr(&safe));
	ps_buf_release(&safe);
	free(msg);
}

void
cli_error(const struct cli_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(ctx, "error", "\033[1;31m", fmt, ap);
	va_end(ap);
}

void
cli_warning(const struct cli_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	if (ctx && ctx->quiet)
		return;
	va_start(ap, fmt);
	vreport(ctx, "warning", "\033[1;33m", fmt, ap);
	va_end(ap);
}

int
cli_fail(const struct cli_ctx *ctx, int status)
{
	cli_error(ctx, "%s", ps_error_last());
	return cli_exit_code(status);
}

int
cli_usage_error(const struct cli_ctx *ctx, const char *fmt, ...)
{
	const struct cli_command *cmd = ctx && ctx->cmd ?
	    cli_command_find(ctx->cmd) : NULL;
	char *msg, *safe;
	va_list ap;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	safe = ps_printable(msg, 0);
	fprintf(stderr, "projsync: %s\n", safe);
	free(safe);
	free(msg);
	if (cmd)
		fprintf(stderr, "usage: projsync %s\nTry 'projsync %s --help'.\n",
		    cmd->usage, cmd->name);
	else
		fputs("Try 'projsync help'.\n", stderr);
	return EXIT_USAGE;
}

int
cli_option_error(const struct cli_ctx *ctx, int c, char **argv)
{
	const char *opt = argv[optind - 1];

	if (c == ':')
		return cli_usage_error(ctx, "option '%s' needs a value", opt);
	return cli_usage_error(ctx, "unknown option '%s'", opt);
}

void
cli_print_help(FILE *fp, const struct cli_command *cmd,
    const char *options_help)
{
	fprintf(fp, "usage: projsync %s\n\n%s.\n", cmd->usage, cmd->desc);
	if (options_help && *options_help)
		fprintf(fp, "\nOptions:\n%s", options_help);
	fprintf(fp, "\n%s\nExit codes: 0 ok, 1 error, 2 changes (--detailed-exitcode), "
	    "3 invalid inventory,\n4 refused for safety, 5 partly applied, "
	    "64 usage.  See projsync(1).\n", cli_global_options_help);
}

void
cli_print_diags(const struct cli_ctx *ctx, const struct diag_list *dl)
{
	struct ps_buf line = PS_BUF_INIT;
	size_t i;

	for (i = 0; i < dl->nr; i++) {
		const struct diag *d = &dl->items[i];
		if (d->suppressed)
			continue;
		if (ctx->quiet && d->level != DIAG_ERROR)
			continue;
		ps_buf_reset(&line);
		diag_format(&line, d);
		if (ctx->color_err) {
			const char *lvl = diag_level_name(d->level);
			const char *col = d->level == DIAG_ERROR ? "\033[1;31m" :
			    d->level == DIAG_WARNING ? "\033[1;35m" : "\033[1;36m";
			char *at = strstr(line.ptr, lvl);
			if (at) {
				fprintf(stderr, "\033[1m%.*s\033[0m%s%s\033[0m%s\n",
				    (int)(at - line.ptr), line.ptr, col, lvl,
				    at + strlen(lvl));
				continue;
			}
		}
		fprintf(stderr, "%s\n", line.ptr);
	}
	if (dl->dropped)
		fprintf(stderr, "projsync: %zu more findings not shown\n",
		    dl->dropped);
	ps_buf_release(&line);
}

int
cli_load_inventory(struct inventory **out, struct cli_ctx *ctx,
    bool print_warnings)
{
	return cli_load_inventory_keep(out, ctx, print_warnings, NULL);
}

int
cli_load_inventory_keep(struct inventory **out, struct cli_ctx *ctx,
    bool print_warnings, struct diag_list *keep)
{
	struct diag_list dl = DIAG_LIST_INIT;
	struct inventory *inv = NULL;
	int err;

	*out = NULL;
	err = inventory_load_file(&inv, ctx->file, &dl);
	if (err == PS_ENOTFOUND || err == PS_EFAIL) {
		diag_list_release(&dl);
		return cli_fail(ctx, err);
	}
	if (inv && policy_validate(inv, &dl) < 0)
		err = PS_EINVALID;
	diag_list_sort(&dl);
	if (err < 0 || print_warnings)
		cli_print_diags(ctx, &dl);
	if (err < 0) {
		size_t n = diag_list_count(&dl, DIAG_ERROR);
		/* recorded too: a caller may show it elsewhere (plan comment) */
		ps_error(PS_EINVALID, "'%s' is invalid: %zu error%s",
		    ctx->file, n, n == 1 ? "" : "s");
		cli_error(ctx, "%s", ps_error_last());
		inventory_free(inv);
		inv = NULL;
	}
	if (keep)
		*keep = dl;
	else
		diag_list_release(&dl);
	if (err < 0)
		return EXIT_INVALID;
	*out = inv;
	return 0;
}

char *
cli_repo_root(const char *near)
{
	const char *ws = getenv("GITHUB_WORKSPACE");
	char buf[PATH_MAX], *top = NULL;

	if (near && gitlog_work_tree(&top, near) == 0)
		return top;
	ps_error_clear();
	if (ws && *ws)
		return xstrdup(realpath(ws, buf) ? buf : ws);
	return NULL;
}

char *
cli_repo_relative(const char *root, const char *path)
{
	char buf[PATH_MAX], *cwd, *rel;

	if (!root)
		return xstrdup(path);
	if (realpath(path, buf)) {
		rel = ps_path_relative_to(buf, NULL, root);
	} else {
		cwd = getcwd(NULL, 0);
		rel = ps_path_relative_to(path, cwd, root);
		free(cwd);
	}
	return rel ? rel : xstrdup(path);
}

static void
trace_stderr(const char *line, void *payload)
{
	(void)payload;
	fprintf(stderr, "projsync: %s\n", line);
}

/*
 * --timeout SECONDS (else $PROJSYNC_TIMEOUT): a number of seconds, decimals
 * allowed, from 0.1 to 3600.  0 in *ms: the client's default (30 s).
 */
static int
parse_timeout(const struct cli_ctx *ctx, unsigned *ms)
{
	const char *v = ctx->timeout, *what = "--timeout";
	char *end;
	double s;

	*ms = 0;
	if (!v) {
		v = getenv("PROJSYNC_TIMEOUT");
		what = "$PROJSYNC_TIMEOUT";
		if (!v || !*v)
			return 0;
	}
	s = strtod(v, &end);
	if (end == v || *end || !(s >= 0.1 && s <= 3600))
		return ps_error(PS_EUSAGE, "%s must be a number of seconds "
		    "from 0.1 to 3600, not '%s'", what, v);
	*ms = (unsigned)(s * 1000 + 0.5);
	return 0;
}

int
cli_api_options(struct api_options *opts, char **endpoint,
    const struct cli_ctx *ctx, const struct inventory *inv, bool *usage)
{
	int err;

	memset(opts, 0, sizeof(*opts));
	*endpoint = NULL;
	*usage = true;
	if (ctx->auth && (err = api_auth_parse(&opts->auth, ctx->auth)) < 0)
		return err;
	if ((err = parse_timeout(ctx, &opts->timeout_ms)) < 0)
		return err;
	*usage = false;
	err = api_endpoint_resolve(endpoint, ctx->endpoint, ctx->region,
	    inv ? inv->settings.region : NULL, ctx->profile);
	if (err < 0)
		return err;
	opts->endpoint = *endpoint;
	opts->region = ctx->region ? ctx->region :
	    inv ? inv->settings.region : NULL;
	opts->cacert = ctx->cacert;
	opts->profile = ctx->profile;
	if (ctx->verbose)
		opts->trace = trace_stderr;
	return 0;
}

int
cli_api_client(struct api_client **out, struct cli_ctx *ctx,
    const struct inventory *inv)
{
	struct api_options opts;
	char *endpoint;
	bool usage;
	int err;

	*out = NULL;
	if ((err = cli_api_options(&opts, &endpoint, ctx, inv, &usage)) < 0) {
		free(endpoint);
		if (usage)
			return cli_usage_error(ctx, "%s", ps_error_last());
		return cli_fail(ctx, err);
	}
	err = api_client_new(out, &opts);
	free(endpoint);
	if (err < 0)
		return cli_fail(ctx, err);
	return 0;
}

int
cli_billing_client(struct billing_client **out, struct cli_ctx *ctx,
    const struct inventory *inv, const char *profile_flag)
{
	struct billing_options opts = { 0 };
	const char *region = getenv("AWS_REGION");
	int err;

	*out = NULL;
	if (!region || !*region)
		region = getenv("AWS_DEFAULT_REGION");
	opts.region = ctx->region ? ctx->region : inv && inv->settings.region ?
	    inv->settings.region : region;
	/* the management account's profile, else the one for the API */
	if (profile_flag) {
		opts.profile = profile_flag;
		opts.profile_from = "--billing-profile";
	} else if (inv && inv->settings.billing.profile) {
		opts.profile = inv->settings.billing.profile;
		opts.profile_from = "settings.billing.profile";
	} else {
		opts.profile = ctx->profile;
		opts.profile_from = "--profile";
	}
	if ((err = parse_timeout(ctx, &opts.timeout_ms)) != 0)
		return err;
	opts.cacert = ctx->cacert;
	if (ctx->verbose)
		opts.trace = trace_stderr;
	if ((err = billing_client_new(out, &opts)) < 0)
		return cli_fail(ctx, err);
	return 0;
}
