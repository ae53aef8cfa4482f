/*
 * cli: `projsync validate [--format text|json]` — load the inventory and
 * run policy_validate(), offline.  Exit 0 valid (warnings allowed), 3
 * invalid, 1 when the file cannot be read, 64 on usage errors.
 */
#include "cli/cli.h"

#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"

static const char validate_options_help[] =
    "      --format FORMAT   text (default): diagnostics on stderr as\n"
    "                        file:line:col: level: message [rule], and a\n"
    "                        summary on stdout; json: the diagnostics as a\n"
    "                        JSON array of {file, line, col, level, rule,\n"
    "                        message} on stdout (line and col 0: unknown)\n";

enum format {
	FORMAT_TEXT,
	FORMAT_JSON,
};

static int
print_json(const struct diag_list *dl)
{
	struct ps_buf out = PS_BUF_INIT;
	size_t i, n = 0;

	ps_buf_addch(&out, '[');
	for (i = 0; i < dl->nr; i++) {
		const struct diag *d = &dl->items[i];
		cJSON *o;
		char *s;

		if (d->suppressed)
			continue;
		o = cJSON_CreateObject();
		if (d->file)
			cJSON_AddStringToObject(o, "file", d->file);
		else
			cJSON_AddNullToObject(o, "file");
		cJSON_AddNumberToObject(o, "line", d->line);
		cJSON_AddNumberToObject(o, "col", d->line ? (d->col ? d->col : 1) :
		    0);
		cJSON_AddStringToObject(o, "level", diag_level_name(d->level));
		if (d->rule)
			cJSON_AddStringToObject(o, "rule", d->rule);
		else
			cJSON_AddNullToObject(o, "rule");
		cJSON_AddStringToObject(o, "message", d->msg);
		s = cJSON_PrintUnformatted(o);
		cJSON_Delete(o);
		if (!s) {
			ps_buf_release(&out);
			return -1;
		}
		ps_buf_addf(&out, "%s\n  %s", n++ ? "," : "", s);
		cJSON_free(s);
	}
	ps_buf_adds(&out, n ? "\n]\n" : "]\n");
	fputs(out.ptr, stdout);
	ps_buf_release(&out);
	return 0;
}

static void
print_summary(const struct cli_ctx *ctx, const struct inventory *inv,
    size_t warnings)
{
	if (ctx->quiet)
		return;
	printf("%s: %zu project%s", inv->path, inv->projects_nr,
	    inv->projects_nr == 1 ? "" : "s");
	if (inv->files_nr > 1)
		printf(" in %zu files", inv->files_nr);
	printf(", valid");
	if (warnings)
		printf(" (%zu warning%s)", warnings, warnings == 1 ? "" : "s");
	putchar('\n');
}

int
cmd_validate(int argc, char **argv, struct cli_ctx *ctx)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cli_command *self = cli_command_find("validate");
	enum format format = FORMAT_TEXT;
	struct diag_list dl = DIAG_LIST_INIT;
	struct inventory *inv = NULL;
	size_t errors, warnings;
	int c, err, rc;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 'F':
			if (!strcmp(optarg, "text"))
				format = FORMAT_TEXT;
			else if (!strcmp(optarg, "json"))
				format = FORMAT_JSON;
			else
				return cli_usage_error(ctx, "unknown format '%s' "
				    "(text or json)", optarg);
			break;
		case 'h':
			cli_print_help(stdout, self, validate_options_help);
			return EXIT_OK;
		default:
			return cli_option_error(ctx, c, argv);
		}
	}
	if (optind < argc)
		return cli_usage_error(ctx, "unexpected argument '%s' (name the "
		    "inventory with -f FILE)", argv[optind]);

	err = inventory_load_file(&inv, ctx->file, &dl);
	if (err == PS_ENOTFOUND || err == PS_EFAIL) {
		diag_list_release(&dl);
		if (err == PS_ENOTFOUND && !ctx->file_given) {
			cli_error(ctx, "%s (name the inventory with -f FILE or "
			    "$PROJSYNC_FILE)", ps_error_last());
			return EXIT_ERROR;
		}
		return cli_fail(ctx, err);
	}
	if (inv)
		(void)policy_validate(inv, &dl);
	diag_list_sort(&dl);
	errors = diag_list_count(&dl, DIAG_ERROR);
	warnings = diag_list_count(&dl, DIAG_WARNING);
	/* the loader may fail without a finding only on a bug; be safe */
	if (err < 0 && !errors)
		errors = 1;
	rc = errors ? EXIT_INVALID : EXIT_OK;

	if (format == FORMAT_JSON) {
		if (print_json(&dl) < 0) {
			cli_error(ctx, "cannot render JSON");
			rc = EXIT_ERROR;
		}
	} else {
		cli_print_diags(ctx, &dl);
		if (errors)
			cli_error(ctx, "'%s' is invalid: %zu error%s%s", ctx->file,
			    errors, errors == 1 ? "" : "s",
			    dl.dropped ? " (and more not shown)" : "");
		else
			print_summary(ctx, inv, warnings);
	}
	inventory_free(inv);
	diag_list_release(&dl);
	return rc;
}
