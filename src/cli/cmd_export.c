/*
 * cli: `projsync export [-o FILE] [--include-archived] [--required KEYS]
 * [--no-infer]` — the live account as an inventory, the way to adopt an
 * existing account.  Lists the account and prints; the selection, the
 * proposed taxonomy and the YAML are the export module's.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "export/export.h"

static const char export_options_help[] =
    "  -o, --output FILE     write the inventory to FILE (atomically) instead\n"
    "                        of standard output\n"
    "      --include-archived  also export archived projects, as\n"
    "                        `archived: true` (they are left out by default)\n"
    "      --required KEYS   taxonomy.required is exactly these keys\n"
    "                        (comma-separated) instead of those most projects\n"
    "                        carry\n"
    "      --no-infer        propose no taxonomy: required: [] and no allowed\n"
    "                        lists (every key in use declared without rules)\n"
    "\n"
    "The proposed taxonomy follows what most active projects do: a key set on\n"
    "80% of them or more is required, and a key whose repeated values cover\n"
    "80% of its uses gets them as its allowed list; the few projects that\n"
    "break it are marked \"to fix\" and are errors for validate and plan.\n"
    "Projects the inventory cannot hold (no name, a name or tag that breaks\n"
    "its rules) and, of projects sharing a name, all but one (active before\n"
    "archived, then the oldest) are left out with a warning; `plan` then\n"
    "reports the active ones as unmanaged.\n"
    "Tags whose key starts with aws: are AWS's own: they are not exported\n"
    "and settings.ignore_tags gets \"aws:*\".\n";

/* The region for settings.region: the flag, the endpoint, else the ARNs. */
static char *
guess_region(const struct cli_ctx *ctx, const char *endpoint,
    const struct live_state *live)
{
	char *r, *account = NULL;

	if (ctx->region && *ctx->region)
		return xstrdup(ctx->region);
	if ((r = api_endpoint_region(endpoint)))
		return r;
	if (live_state_account(live, &r, &account)) {
		free(account);
		return r;
	}
	return NULL;
}

/* "A,B,C" → a list (caller frees the list and its strings). */
static char **
split_keys(const char *s, size_t *nr)
{
	char **v = NULL;
	size_t alloc = 0;
	const char *e;

	*nr = 0;
	for (;; s = e + 1) {
		e = strchr(s, ',');
		if (!e)
			e = s + strlen(s);
		xgrow(&v, &alloc, *nr + 1, sizeof(*v));
		v[(*nr)++] = xstrndup(s, (size_t)(e - s));
		if (!*e)
			break;
	}
	return v;
}

int
cmd_export(int argc, char **argv, struct cli_ctx *ctx)
{
	enum { OPT_REQUIRED = 256, OPT_NO_INFER };
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "include-archived", no_argument, NULL, 'A' },
		{ "required", required_argument, NULL, OPT_REQUIRED },
		{ "no-infer", no_argument, NULL, OPT_NO_INFER },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cli_command *self = cli_command_find("export");
	struct export_options eo = { .infer = true };
	struct export_result res = EXPORT_RESULT_INIT;
	struct live_state live = LIVE_STATE_INIT;
	struct inventory *inv = NULL;
	struct api_client *api = NULL;
	const char *output = NULL;
	char **required = NULL, *region = NULL, *safe;
	size_t required_nr = 0, i;
	int c, rc = EXIT_OK, err;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			output = optarg;
			break;
		case 'A':
			eo.include_archived = true;
			break;
		case OPT_REQUIRED:
			for (i = 0; i < required_nr; i++)
				free(required[i]);
			free(required);
			required = split_keys(optarg, &required_nr);
			break;
		case OPT_NO_INFER:
			eo.infer = false;
			break;
		case 'h':
			cli_print_help(stdout, self, export_options_help);
			return EXIT_OK;
		default:
			rc = cli_option_error(ctx, c, argv);
			goto out;
		}
	}
	if (optind < argc) {
		rc = cli_usage_error(ctx, "unexpected argument '%s'",
		    argv[optind]);
		goto out;
	}
	eo.required = required;
	eo.required_nr = required_nr;
	/* an inventory named explicitly lends its settings (region) */
	if (ctx->file_given && access(ctx->file, F_OK) == 0 &&
	    (rc = cli_load_inventory(&inv, ctx, false)) != 0)
		goto out;
	if ((rc = cli_api_client(&api, ctx, inv)) != 0)
		goto out;
	if ((err = api_list_projects(api, &live)) < 0) {
		rc = cli_fail(ctx, err);
		goto out;
	}
	region = guess_region(ctx, api_client_endpoint(api), &live);
	eo.endpoint = api_client_endpoint(api);
	eo.region = region;
	if ((err = export_run(&res, &live, &eo)) < 0) {
		rc = err == PS_EUSAGE ? cli_usage_error(ctx, "%s",
		    ps_error_last()) : cli_fail(ctx, err);
		goto out;
	}
	/* names and tags in the warnings come from the API: escaped */
	for (i = 0; i < res.warnings_nr; i++) {
		safe = ps_printable(res.warnings[i], 0);
		cli_warning(ctx, "%s", safe);
		free(safe);
	}
	if (output) {
		if ((err = ps_write_file_atomic(output, res.yaml.ptr,
		    res.yaml.len, 0644)) < 0) {
			rc = cli_fail(ctx, err);
			goto out;
		}
		if (!ctx->quiet)
			fprintf(stderr, "projsync: wrote %zu project%s to %s\n",
			    res.projects, res.projects == 1 ? "" : "s", output);
	} else {
		fwrite(res.yaml.ptr, 1, res.yaml.len, stdout);
	}
out:
	for (i = 0; i < required_nr; i++)
		free(required[i]);
	free(required);
	free(region);
	export_result_release(&res);
	live_state_release(&live);
	api_client_free(api);
	inventory_free(inv);
	return rc;
}
