/*
 * cli: `projsync output [--format json|env]` — the project ID of every
 * active project of the inventory that exists in the account, for
 * applications to pass as `project=` (the SDKs do not read
 * OPENAI_PROJECT_ID in Bedrock mode).  Matching is the plan's: the `id`
 * pin, else the one active live project with that name not claimed by a
 * pin.  Projects not created yet are listed in a warning; two active
 * projects with one name refuse (exit 4), as plan does, unless they carry
 * the same tags: a racing apply's duplicates, of which the survivor every
 * apply agrees on is named (plan_survivor()).
 */
#include "cli/cli.h"

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
    "\n"
    "Projects of the inventory that do not exist yet (or are archived in the\n"
    "inventory) are left out; the missing ones are named in a warning and the\n"
    "exit status stays 0.  Two active projects with the same name and no id\n"
    "pin: exit 4, as for plan.\n";

struct entry {
	const char *name;	/* borrowed from the inventory */
	const char *id;		/* borrowed from the live state */
	char *env;		/* env format: the variable name */
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

/* A shell word: bare when safe, else single-quoted. */
static void
shell_word(struct ps_buf *b, const char *s)
{
	if (*s && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789_-.") == strlen(s)) {
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

static void
json_string(struct ps_buf *b, const char *s)
{
	cJSON *j = cJSON_CreateString(s);
	char *t = cJSON_PrintUnformatted(j);

	ps_buf_adds(b, t ? t : "\"\"");
	cJSON_free(t);
	cJSON_Delete(j);
}

static bool
claimed(const struct inventory *inv, const char *id)
{
	size_t i;

	for (i = 0; i < inv->projects_nr; i++)
		if (inv->projects[i].id && strcmp(inv->projects[i].id, id) == 0)
			return true;
	return false;
}

int
cmd_output(int argc, char **argv, struct cli_ctx *ctx)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cli_command *self = cli_command_find("output");
	struct live_state live = LIVE_STATE_INIT;
	struct inventory *inv = NULL;
	struct api_client *api = NULL;
	struct entry *map = NULL;
	const struct live_project **cand = NULL;
	struct ps_buf out = PS_BUF_INIT, missing = PS_BUF_INIT,
	    ambiguous = PS_BUF_INIT;
	size_t n = 0, nmissing = 0, i, j;
	bool env = false;
	int c, rc = EXIT_OK, err;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 'F':
			if (!strcmp(optarg, "json"))
				env = false;
			else if (!strcmp(optarg, "env"))
				env = true;
			else
				return cli_usage_error(ctx, "unknown format '%s' "
				    "(json or env)", optarg);
			break;
		case 'h':
			cli_print_help(stdout, self, output_options_help);
			return EXIT_OK;
		default:
			return cli_option_error(ctx, c, argv);
		}
	}
	if (optind < argc)
		return cli_usage_error(ctx, "unexpected argument '%s'",
		    argv[optind]);
	if ((rc = cli_load_inventory(&inv, ctx, false)) != 0)
		return rc;
	if ((rc = cli_api_client(&api, ctx, inv)) != 0)
		goto out;
	if ((err = api_list_projects(api, &live)) < 0) {
		rc = cli_fail(ctx, err);
		goto out;
	}

	map = xcalloc(inv->projects_nr + 1, sizeof(*map));
	cand = xcalloc(live.nr + 1, sizeof(*cand));
	for (i = 0; i < inv->projects_nr; i++) {
		const struct inv_project *ip = &inv->projects[i];
		const struct live_project *found = NULL;
		size_t matches = 0;

		if (ip->archived)
			continue;
		if (ip->id) {
			const struct live_project *lp =
			    live_state_find(&live, ip->id);
			if (lp && !lp->archived && strcmp(lp->id, "default"))
				found = lp;
		} else {
			bool same = true;

			for (j = 0; j < live.nr; j++) {
				const struct live_project *lp = &live.items[j];
				if (lp->archived || !lp->name ||
				    strcmp(lp->id, "default") == 0 ||
				    strcmp(lp->name, ip->name) != 0 ||
				    claimed(inv, lp->id))
					continue;
				cand[matches++] = lp;
				same &= tag_set_equal(&lp->tags, &cand[0]->tags);
			}
			if (matches > 1 && same) {
				/* a racing apply's duplicates: the survivor
				 * every apply agrees on (docs/apply-safety.md) */
				found = plan_survivor(cand, matches);
			} else if (matches > 1) {
				ps_buf_addf(&ambiguous, "\n  '%s': ", ip->name);
				for (j = 0; j < matches; j++)
					ps_buf_addf(&ambiguous, "%s%s", j ? ", " :
					    "", cand[j]->id);
				continue;
			} else if (matches == 1) {
				found = cand[0];
			}
		}
		if (!found) {
			ps_buf_addf(&missing, "%s'%s'", nmissing++ ? ", " : "",
			    ip->name);
			continue;
		}
		map[n].name = ip->name;
		map[n].id = found->id;
		n++;
	}
	if (ambiguous.len) {
		cli_error(ctx, "several active projects share a name; pin the "
		    "right one with `id:` in the inventory:%s", ambiguous.ptr);
		rc = EXIT_REFUSED;
		goto out;
	}
	qsort(map, n, sizeof(*map), cmp_entry);
	if (env) {
		for (i = 0; i < n; i++) {
			if (!(map[i].env = env_name(map[i].name))) {
				cli_error(ctx, "'%s' has no ASCII letter or digit "
				    "to make a variable name from; use --format "
				    "json", map[i].name);
				rc = EXIT_ERROR;
				goto out;
			}
			for (j = 0; j < i; j++)
				if (strcmp(map[i].env, map[j].env) == 0)
					break;
			if (j < i) {
				cli_error(ctx, "'%s' and '%s' both become %s; "
				    "use --format json", map[j].name,
				    map[i].name, map[i].env);
				rc = EXIT_ERROR;
				goto out;
			}
			ps_buf_addf(&out, "%s=", map[i].env);
			shell_word(&out, map[i].id);
			ps_buf_addch(&out, '\n');
		}
	} else {
		ps_buf_adds(&out, n ? "{\n" : "{}\n");
		for (i = 0; i < n; i++) {
			ps_buf_adds(&out, "  ");
			json_string(&out, map[i].name);
			ps_buf_adds(&out, ": ");
			json_string(&out, map[i].id);
			ps_buf_adds(&out, i + 1 < n ? ",\n" : "\n}\n");
		}
	}
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
	free(cand);
	ps_buf_release(&out);
	ps_buf_release(&missing);
	ps_buf_release(&ambiguous);
	live_state_release(&live);
	api_client_free(api);
	inventory_free(inv);
	return rc;
}
