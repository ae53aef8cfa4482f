/*
 * cli: `projsync show [REV]` — print a recorded plan or apply: a short
 * header and plan.md (text), the recorded JSON document (--format json),
 * or any recorded file byte for byte (--raw).  Owned by the gitlog
 * module's author.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "gitlog/gitlog.h"

static const char show_help[] =
    "  REV                   a record: any git revision, e.g. projsync/history~1\n"
    "                        or a commit id (default: the newest record)\n"
    "      --format FORMAT   text (default: a header and plan.md) or json\n"
    "                        (plan.json of a plan, result.json of an apply)\n"
    "      --raw NAME        print this recorded file byte for byte (plan.json,\n"
    "                        plan.md, result.json)\n"
    "      --record-repo PATH\n"
    "                        read the records from this repository (default:\n"
    "                        the repository holding the inventory)\n";

enum { OPT_FORMAT = 256, OPT_RAW, OPT_RECORD_REPO };

static const struct option show_longopts[] = {
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "raw", required_argument, NULL, OPT_RAW },
	{ "record-repo", required_argument, NULL, OPT_RECORD_REPO },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void
print_header(const struct cli_ctx *ctx, const struct gitlog_entry *e)
{
	const char *yel = ctx->color_out ? "\033[33m" : "";
	const char *off = ctx->color_out ? "\033[0m" : "";
	struct ps_buf b = PS_BUF_INIT;
	char when[32];

	/* every field is data from git: escaped for the terminal */
	gitlog_entry_time(when, e, false);
	ps_buf_addf(&b, "%srecord %s%s (", yel, e->id, off);
	ps_buf_add_printable(&b, e->kind, 0);
	ps_buf_addf(&b, ")\nDate:      %s\nAuthor:    ", when);
	ps_buf_add_printable(&b, e->author_name, 0);
	ps_buf_adds(&b, " <");
	ps_buf_add_printable(&b, e->author_email, 0);
	ps_buf_adds(&b, ">\nSummary:   ");
	ps_buf_add_printable(&b, e->summary, 0);
	ps_buf_adds(&b, "\nInventory: ");
	ps_buf_add_printable(&b, e->inventory_path ? e->inventory_path : "?",
	    0);
	if (e->inventory_commit) {
		ps_buf_adds(&b, " at ");
		ps_buf_add_printable(&b, e->inventory_commit, 0);
	}
	ps_buf_addch(&b, '\n');
	if (e->inventory_sha256) {
		ps_buf_adds(&b, "SHA-256:   ");
		ps_buf_add_printable(&b, e->inventory_sha256, 0);
		ps_buf_addch(&b, '\n');
	}
	if (e->endpoint) {
		ps_buf_adds(&b, "Endpoint:  ");
		ps_buf_add_printable(&b, e->endpoint, 0);
		ps_buf_addch(&b, '\n');
	}
	printf("%s\n", ps_buf_cstr(&b));
	ps_buf_release(&b);
}

static const char *
jstr(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/*
 * What an apply did, from its result.json (the apply module's document:
 * changes[] of {action, name, id, outcome, adopted, error}).  Read
 * leniently: a document this version does not understand is skipped,
 * `--raw result.json` still shows it.
 */
static void
print_result(const struct ps_buf *doc, const char *short_id)
{
	cJSON *root = cJSON_ParseWithLength(doc->ptr, doc->len);
	const cJSON *changes = cJSON_GetObjectItemCaseSensitive(root,
	    "changes"), *c;
	struct ps_buf line = PS_BUF_INIT;
	char *safe;

	if (!cJSON_IsArray(changes)) {
		cJSON_Delete(root);
		return;
	}
	printf("Result (the document: projsync show --raw result.json %s):\n",
	    short_id);
	cJSON_ArrayForEach(c, changes) {
		const char *action = jstr(c, "action"), *name = jstr(c, "name");
		const char *id = jstr(c, "id"), *outcome = jstr(c, "outcome");
		const char *error = jstr(c, "error");
		const char *done = !action ? "done" :
		    !strcmp(action, "create") ? "created" :
		    !strcmp(action, "update") ? "updated" :
		    !strcmp(action, "archive") ? "archived" : action;

		ps_buf_reset(&line);
		safe = ps_printable(outcome && !strcmp(outcome, "done") ? done :
		    outcome ? outcome : "?", 0);
		ps_buf_addf(&line, "  %-9s", safe);
		free(safe);
		ps_buf_add_quoted(&line, name ? name : "");
		if (id) {
			ps_buf_adds(&line, " (");
			ps_buf_add_printable(&line, id, 0);
			ps_buf_addch(&line, ')');
		}
		if (outcome && strcmp(outcome, "done") && action) {
			ps_buf_adds(&line, " [");
			ps_buf_add_printable(&line, action, 0);
			ps_buf_addch(&line, ']');
		}
		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c,
		    "adopted")))
			ps_buf_adds(&line, ", adopted after an unknown outcome");
		if (error && *error) {
			ps_buf_adds(&line, ": ");
			ps_buf_add_printable(&line, error, 0);
		}
		printf("%s\n", line.ptr);
	}
	putchar('\n');
	ps_buf_release(&line);
	cJSON_Delete(root);
}

int
cmd_show(int argc, char **argv, struct cli_ctx *ctx)
{
	const struct cli_command *self = cli_command_find("show");
	struct gitlog_entry e = { 0 };
	struct gitlog *gl = NULL;
	struct ps_buf doc = PS_BUF_INIT, res = PS_BUF_INIT;
	const char *repo = NULL, *file = NULL, *rev = NULL;
	bool json = false, raw;
	int c, err, rc = EXIT_OK;

	opterr = 0;	/* our own messages, not getopt's */
	while ((c = getopt_long(argc, argv, ":h", show_longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			cli_print_help(stdout, self, show_help);
			return EXIT_OK;
		case OPT_FORMAT:
			if (!strcmp(optarg, "json"))
				json = true;
			else if (!strcmp(optarg, "text"))
				json = false;
			else
				return cli_usage_error(ctx, "unknown format "
				    "'%s' (expected text or json)", optarg);
			break;
		case OPT_RAW:
			if (!*optarg || strchr(optarg, '/'))
				return cli_usage_error(ctx, "--raw takes a "
				    "recorded file's name, not '%s'", optarg);
			file = optarg;
			break;
		case OPT_RECORD_REPO:
			repo = optarg;
			break;
		default:
			return cli_option_error(ctx, c, argv);
		}
	}
	if (optind < argc)
		rev = argv[optind++];
	if (optind < argc)
		return cli_usage_error(ctx, "unexpected argument '%s'",
		    argv[optind]);
	if (file && json)
		return cli_usage_error(ctx, "--raw and --format json do not "
		    "go together");

	if ((err = gitlog_open(&gl, ctx->file, repo)) < 0)
		return cli_fail(ctx, err);
	if ((err = gitlog_lookup(&e, gl, rev)) < 0) {
		rc = cli_fail(ctx, err);
		goto out;
	}
	if (!file && !e.kind) {
		cli_error(ctx, "'%s' (%s) is not a projsync record (no "
		    "Projsync-Kind trailer); see 'projsync log'", rev ? rev :
		    GITLOG_BRANCH, e.short_id);
		rc = EXIT_ERROR;
		goto out;
	}
	raw = file != NULL;
	if (!file)
		file = json ? (!strcmp(e.kind, "apply") ? "result.json" :
		    "plan.json") : "plan.md";
	if ((err = gitlog_blob(&doc, gl, e.id, file)) < 0) {
		rc = cli_fail(ctx, err);
		goto out;
	}
	if (!raw && !json) {
		print_header(ctx, &e);
		if (!strcmp(e.kind, "apply") &&
		    gitlog_blob(&res, gl, e.id, "result.json") == 0)
			print_result(&res, e.short_id);
		ps_error_clear();
	}
	fwrite(doc.ptr, 1, doc.len, stdout);
out:
	ps_buf_release(&res);
	ps_buf_release(&doc);
	gitlog_entry_release(&e);
	gitlog_free(gl);
	return rc;
}
