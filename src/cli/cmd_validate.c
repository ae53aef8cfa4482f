/*
 * cli: `projsync validate [--format text|json] [FILE...]` — load each
 * inventory (the operands, else -f) and run policy_validate(), offline.
 * Exit 0 all valid (warnings allowed), 3 any invalid, 1 when a file cannot
 * be read, 64 on usage errors.  Every diagnostic names its file, so one
 * run can check what a pre-commit hook passes.
 */
#include "cli/cli.h"

#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"

static const char validate_options_help[] =
    "  FILE...               the inventories to check (default: -f); each\n"
    "                        diagnostic names its file, exit 3 if any is\n"
    "                        invalid\n"
    "      --format FORMAT   text (default): diagnostics on stderr as\n"
    "                        file:line:col: level: message [rule], and a\n"
    "                        summary on stdout; json: the diagnostics as a\n"
    "                        JSON array of {rule, severity, message, file,\n"
    "                        line, column} on stdout, lint's field names\n"
    "                        (line and column 0: unknown)\n";

enum format {
	FORMAT_TEXT,
	FORMAT_JSON,
};

/* The findings in lint's JSON vocabulary (rule, severity, message, file,
 * line, column), through util's JSON writer. */
static void
print_json(const struct diag_list *dl)
{
	struct ps_buf out = PS_BUF_INIT;
	cJSON *arr = cJSON_CreateArray(), *o;
	size_t i;

	for (i = 0; i < dl->nr; i++) {
		const struct diag *d = &dl->items[i];

		if (d->suppressed)
			continue;
		o = cJSON_CreateObject();
		ps_json_add_str(o, "rule", d->rule);
		cJSON_AddStringToObject(o, "severity",
		    diag_level_name(d->level));
		cJSON_AddStringToObject(o, "message", d->msg);
		ps_json_add_str(o, "file", d->file);
		cJSON_AddNumberToObject(o, "line", d->line);
		cJSON_AddNumberToObject(o, "column", d->line ?
		    (d->col ? d->col : 1) : 0);
		cJSON_AddItemToArray(arr, o);	/* arr owns o */
	}
	ps_json_render(&out, arr);
	fputs(out.ptr, stdout);
	ps_buf_release(&out);
	cJSON_Delete(arr);
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

/* One inventory's outcome, reported after every file is checked. */
struct checked {
	const char *path;
	struct inventory *inv;	/* NULL when it did not load */
	size_t errors, warnings;
	bool unreadable;	/* reported already: exit 1 */
};

/*
 * Load path and validate it, appending its findings to dl (which holds
 * every file's).  Counts this file's errors and warnings into *out.
 */
static void
check_one(struct checked *out, struct cli_ctx *ctx, const char *path,
    bool named, struct diag_list *dl)
{
	size_t first = dl->nr, i;
	int err;

	memset(out, 0, sizeof(*out));
	out->path = path;
	err = inventory_load_file(&out->inv, path, dl);
	if (err == PS_ENOTFOUND || err == PS_EFAIL) {
		if (err == PS_ENOTFOUND && !named)
			cli_error(ctx, "%s (name the inventory with -f FILE, "
			    "$PROJSYNC_FILE or as an operand)", ps_error_last());
		else
			cli_error(ctx, "%s", ps_error_last());
		out->unreadable = true;
		return;
	}
	if (out->inv)
		(void)policy_validate(out->inv, dl);
	for (i = first; i < dl->nr; i++) {
		if (dl->items[i].suppressed)
			continue;
		if (dl->items[i].level == DIAG_ERROR)
			out->errors++;
		else if (dl->items[i].level == DIAG_WARNING)
			out->warnings++;
	}
	/* the loader may fail without a finding only on a bug; be safe */
	if (err < 0 && !out->errors)
		out->errors = 1;
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
	struct checked *files;
	size_t nfiles, i;
	int c, rc = EXIT_OK;

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

	/* the operands, or the one inventory -f names */
	nfiles = optind < argc ? (size_t)(argc - optind) : 1;
	files = xcalloc(nfiles, sizeof(*files));
	for (i = 0; i < nfiles; i++) {
		bool operand = optind < argc;

		check_one(&files[i], ctx, operand ? argv[optind + (int)i] :
		    ctx->file, operand || ctx->file_given, &dl);
	}
	diag_list_sort(&dl);

	if (format == FORMAT_JSON)
		print_json(&dl);
	else
		cli_print_diags(ctx, &dl);
	for (i = 0; i < nfiles; i++) {
		const struct checked *f = &files[i];

		if (f->unreadable) {
			rc = EXIT_ERROR;
		} else if (f->errors) {
			if (format == FORMAT_TEXT)
				cli_error(ctx, "'%s' is invalid: %zu error%s%s",
				    f->path, f->errors, f->errors == 1 ? "" : "s",
				    dl.dropped ? " (and more not shown)" : "");
			if (rc == EXIT_OK)
				rc = EXIT_INVALID;
		} else if (format == FORMAT_TEXT) {
			print_summary(ctx, f->inv, f->warnings);
		}
		inventory_free(f->inv);
	}
	free(files);
	diag_list_release(&dl);
	return rc;
}
