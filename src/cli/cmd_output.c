/*
 * cli: `projsync output [--format json|env] [--arn]` — the project ID (and
 * ARN) of every active project of the inventory that exists in the
 * account, for applications to pass as `project=` (the SDKs do not read
 * OPENAI_PROJECT_ID in Bedrock mode) and for IAM policies.  Matching is
 * the plan's own (plan_match()): the survivor of a racing apply's
 * duplicates is named; a pin to a missing or archived project and two
 * active projects with one name and different tags refuse (exit 4) with
 * plan's message.  Projects not created yet are listed in a warning.
 */
#include "cli/cli.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "plan/plan.h"

static const char output_options_help[] =
    "      --format FORMAT   json (default): {\"NAME\": \"proj_...\", ...} sorted\n"
    "                        by name; env: PROJSYNC_PROJECT_<NAME>=proj_... lines\n"
    "                        for `eval` or an env file (NAME upper-cased, runs\n"
    "                        of other characters as one _)\n"
    "      --arn             the ARN too, for IAM policies: json {\"NAME\":\n"
    "                        {\"id\": \"proj_...\", \"arn\": \"arn:aws:...\"}}; env\n"
    "                        adds a PROJSYNC_PROJECT_<NAME>_ARN=... line each\n"
    "\n"
    "Projects of the inventory that do not exist yet (or are archived in the\n"
    "inventory) are left out; the missing ones are named in a warning and the\n"
    "exit status stays 0.  Projects are matched exactly as plan matches them:\n"
    "two active projects with one name (and different tags) and no id pin, or\n"
    "a pin to a project that does not exist or is archived: exit 4, as for\n"
    "plan.\n";

struct entry {
	const char *name;	/* borrowed from the inventory */
	const char *id;		/* borrowed from the live state */
	const char *arn;	/* borrowed from the live state; may be NULL */
	char *env;		/* env format: the variable name */
};

struct output_opts {
	bool env;
	bool arn;
};
static int
cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->name,
	    ((const struct entry *)b)->name);
}

/* The variable for name, or NULL when the name has no ASCII letter or
 * digit to make one from (e.g. '日本語'). */
static char *
env_name(const char *name)
{
	static const char prefix[] = "PROJSYNC_PROJECT_";
	struct ps_buf b = PS_BUF_INIT;
	const unsigned char *p;
	bool under = true;	/* no leading _ after the prefix */

	ps_buf_adds(&b, prefix);
	for (p = (const unsigned char *)name; *p; p++) {
		if (isascii(*p) && isalnum(*p)) {
			ps_buf_addch(&b, (char)toupper(*p));
			under = false;
		} else if (!under) {
			ps_buf_addch(&b, '_');
			under = true;
		}
	}
	if (b.len == sizeof(prefix) - 1) {
		ps_buf_release(&b);
		return NULL;
	}
	while (b.ptr[b.len - 1] == '_')
		b.ptr[--b.len] = '\0';
	return ps_buf_detach(&b);
}

/* A shell word: bare when safe (ids, ARNs), else single-quoted. */
static void
shell_word(struct ps_buf *b, const char *s)
{
	if (*s && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789_-.:/") == strlen(s)) {
		ps_buf_adds(b, s);
		return;
	}
	ps_buf_addch(b, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			ps_buf_adds(b, "'\\''");
		else
			ps_buf_addch(b, *s);
	}
	ps_buf_addch(b, '\'');
}

static int
parse_options(struct output_opts *o, int argc, char **argv,
    struct cli_ctx *ctx)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'F' },
		{ "arn", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 'F':
			if (!strcmp(optarg, "json"))
				o->env = false;
			else if (!strcmp(optarg, "env"))
				o->env = true;
			else
				return cli_usage_error(ctx, "unknown format '%s' "
				    "(json or env)", optarg);
			break;
		case 'a':
			o->arn = true;
			break;
		case 'h':
			cli_print_help(stdout, cli_command_find("output"),
			    output_options_help);
			return -1;
		default:
			return cli_option_error(ctx, c, argv);
		}
	}
	if (optind < argc)
		return cli_usage_error(ctx, "unexpected argument '%s'",
		    argv[optind]);
	return 0;
}

/*
 * The active inventory projects that exist, matched as plan matches
 * (plan_match()): *map (caller frees) holds *n entries sorted by name;
 * the names of the missing ones go to missing.  Returns 0 or plan_match()'s
 * error.
 */
static int
collect(struct entry **map, size_t *n, struct ps_buf *missing,
    size_t *nmissing, const struct inventory *inv,
    const struct live_state *live)
{
	struct plan_match m;
	size_t i;
	int err;

	*map = NULL;
	*n = 0;
	if ((err = plan_match(&m, inv, live)) < 0)
		return err;
	*map = xcalloc(inv->projects_nr + 1, sizeof(**map));
	for (i = 0; i < inv->projects_nr; i++) {
		const struct inv_project *ip = &inv->projects[i];
		const struct live_project *lp = m.match[i];

		if (ip->archived)
			continue;
		if (!lp) {
			ps_buf_addf(missing, "%s'%s'", (*nmissing)++ ? ", " : "",
			    ip->name);
			continue;
		}
		(*map)[*n].name = ip->name;
		(*map)[*n].id = lp->id;
		(*map)[*n].arn = lp->arn;
		(*n)++;
	}
	plan_match_release(&m);
	qsort(*map, *n, sizeof(**map), cmp_entry);
	return 0;
}

static void
render_json(struct ps_buf *out, const struct entry *map, size_t n, bool arn)
{
	cJSON *root = cJSON_CreateObject(), *o;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!arn) {
			cJSON_AddStringToObject(root, map[i].name, map[i].id);
			continue;
		}
		o = cJSON_AddObjectToObject(root, map[i].name);
		cJSON_AddStringToObject(o, "id", map[i].id);
		ps_json_add_str(o, "arn", map[i].arn);
	}
	ps_json_render(out, root);	/* util's writer: the one style */
	cJSON_Delete(root);
}

/* NAME=value lines; 0, or EXIT_ERROR when two names make one variable or
 * a name makes none (the message is printed). */
static int
render_env(struct ps_buf *out, struct entry *map, size_t n, bool arn,
    const struct cli_ctx *ctx)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		if (!(map[i].env = env_name(map[i].name))) {
			cli_error(ctx, "'%s' has no ASCII letter or digit to "
			    "make a variable name from; use --format json",
			    map[i].name);
			return EXIT_ERROR;
		}
		for (j = 0; j < i; j++)
			if (strcmp(map[i].env, map[j].env) == 0)
				break;
		if (j < i) {
			cli_error(ctx, "'%s' and '%s' both become %s; use "
			    "--format json", map[j].name, map[i].name,
			    map[i].env);
			return EXIT_ERROR;
		}
		ps_buf_addf(out, "%s=", map[i].env);
		shell_word(out, map[i].id);
		ps_buf_addch(out, '\n');
		if (arn && map[i].arn) {
			ps_buf_addf(out, "%s_ARN=", map[i].env);
			shell_word(out, map[i].arn);
			ps_buf_addch(out, '\n');
		}
	}
	return 0;
}

int
cmd_output(int argc, char **argv, struct cli_ctx *ctx)
{
	struct output_opts o = { false, false };
	struct live_state live = LIVE_STATE_INIT;
	struct inventory *inv = NULL;
	struct api_client *api = NULL;
	struct entry *map = NULL;
	struct ps_buf out = PS_BUF_INIT, missing = PS_BUF_INIT;
	size_t n = 0, nmissing = 0, i;
	int rc, err;

	if ((rc = parse_options(&o, argc, argv, ctx)) != 0)
		return rc < 0 ? EXIT_OK : rc;
	if ((rc = cli_load_inventory(&inv, ctx, false)) != 0)
		return rc;
	if ((rc = cli_api_client(&api, ctx, inv)) != 0)
		goto out;
	if ((err = api_list_projects(api, &live)) < 0 ||
	    (err = collect(&map, &n, &missing, &nmissing, inv, &live)) < 0) {
		rc = cli_fail(ctx, err);
		goto out;
	}
	if (o.env)
		rc = render_env(&out, map, n, o.arn, ctx);
	else
		render_json(&out, map, n, o.arn);
	if (rc != 0)
		goto out;
	fwrite(out.ptr ? out.ptr : "", 1, out.len, stdout);
	if (nmissing)
		cli_warning(ctx, "%zu project%s of the inventory %s not exist "
		    "yet (run projsync apply): %s", nmissing,
		    nmissing == 1 ? "" : "s", nmissing == 1 ? "does" : "do",
		    missing.ptr);
out:
	if (map)
		for (i = 0; i < n; i++)
			free(map[i].env);
	free(map);
	ps_buf_release(&out);
	ps_buf_release(&missing);
	live_state_release(&live);
	api_client_free(api);
	inventory_free(inv);
	return rc;
}
