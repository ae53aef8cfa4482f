/*
 * cli: `projsync export [-o FILE] [--include-archived]` — the live account
 * as an inventory, the way to adopt an existing account.  Every project is
 * pinned by `id:`, so the result plans to no changes against the account it
 * came from; the taxonomy is inferred from what is there: `required` holds
 * the keys every active project has, `allowed` lists the values of keys
 * with few distinct values.  The default project is never exported.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "policy/policy.h"

static const char export_options_help[] =
    "  -o, --output FILE     write the inventory to FILE (atomically) instead\n"
    "                        of standard output\n"
    "      --include-archived  also export archived projects, as\n"
    "                        `archived: true` (they are left out by default)\n"
    "\n"
    "Projects the inventory cannot hold (no name, a name or tag that breaks\n"
    "its rules) and, of projects sharing a name, all but one (active before\n"
    "archived, then the oldest) are left out with a warning; `plan` then\n"
    "reports the active ones as unmanaged.\n"
    "Tags whose key starts with aws: are AWS's own: they are not exported\n"
    "and settings.ignore_tags gets \"aws:*\".\n";

/* A key with at most this many distinct values, each used at least twice
 * on average, gets an `allowed` list. */
#define ALLOWED_MAX	12

/* ---- YAML scalars ---- */

static bool
yaml11_special(const char *s)
{
	static const char *const words[] = {
		"y", "n", "yes", "no", "true", "false", "on", "off", "null",
	};
	size_t i;

	for (i = 0; i < PS_ARRAY_SIZE(words); i++)
		if (strcasecmp(s, words[i]) == 0)
			return true;
	return false;
}

/* Safe as a plain scalar in block and flow context, read back as a string. */
static bool
plain_ok(const char *s)
{
	const char *p;

	if (!*s || !((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
	    *s == '_'))
		return false;
	for (p = s; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' ||
		    *p == '.' || *p == '/'))
			return false;
	return !yaml11_special(s);
}

static void
yaml_scalar(struct ps_buf *b, const char *s)
{
	const unsigned char *p;

	if (plain_ok(s)) {
		ps_buf_adds(b, s);
		return;
	}
	ps_buf_addch(b, '"');
	for (p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\') {
			ps_buf_addch(b, '\\');
			ps_buf_addch(b, (char)*p);
		} else if (*p == '\n') {
			ps_buf_adds(b, "\\n");
		} else if (*p == '\t') {
			ps_buf_adds(b, "\\t");
		} else if (*p < 0x20 || *p == 0x7f) {
			ps_buf_addf(b, "\\x%02x", *p);
		} else if (p[0] == 0xc2 && p[1] == 0x85) {
			ps_buf_adds(b, "\\N");	/* YAML line breaks */
			p++;
		} else if (p[0] == 0xe2 && p[1] == 0x80 &&
		    (p[2] == 0xa8 || p[2] == 0xa9)) {
			ps_buf_adds(b, p[2] == 0xa8 ? "\\L" : "\\P");
			p += 2;
		} else if (p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf) {
			ps_buf_adds(b, "\\uFEFF");
			p += 2;
		} else {
			ps_buf_addch(b, (char)*p);
		}
	}
	ps_buf_addch(b, '"');
}

/* ---- taxonomy inference ---- */

struct keystat {
	const char *key;	/* borrowed from a live project */
	size_t uses;		/* active projects carrying it */
	size_t filled;		/* ... with a non-empty value */
	const char **values;	/* distinct, unsorted until the end */
	size_t nvalues, alloc;
	bool many;		/* past ALLOWED_MAX distinct values */
};

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static struct keystat *
keystat_get(struct keystat **ks, size_t *nr, size_t *alloc, const char *key)
{
	size_t i;

	for (i = 0; i < *nr; i++)
		if (strcmp((*ks)[i].key, key) == 0)
			return &(*ks)[i];
	xgrow(ks, alloc, *nr + 1, sizeof(**ks));
	memset(&(*ks)[*nr], 0, sizeof(**ks));
	(*ks)[*nr].key = key;
	return &(*ks)[(*nr)++];
}

static void
keystat_value(struct keystat *k, const char *v)
{
	size_t i;

	if (k->many)
		return;
	for (i = 0; i < k->nvalues; i++)
		if (strcmp(k->values[i], v) == 0)
			return;
	if (k->nvalues == ALLOWED_MAX) {
		k->many = true;
		return;
	}
	xgrow(&k->values, &k->alloc, k->nvalues + 1, sizeof(*k->values));
	k->values[k->nvalues++] = v;
}

static bool
is_aws_key(const char *k)
{
	return strncasecmp(k, "aws:", 4) == 0;
}

/* ---- selection ---- */

static int
cmp_project(const void *a, const void *b)
{
	const struct live_project *x = *(const struct live_project *const *)a;
	const struct live_project *y = *(const struct live_project *const *)b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	/* the active one first, then the oldest */
	if (x->archived != y->archived)
		return x->archived ? 1 : -1;
	if (x->created_at != y->created_at)
		return x->created_at < y->created_at ? -1 : 1;
	return strcmp(x->id, y->id);
}

/*
 * Can the inventory hold this project as the API has it?  NULL when it
 * can, else why not (caller frees).  The inventory's own rules decide, so
 * that what is exported always validates.
 */
static char *
unexportable(const struct live_project *p)
{
	char *msg = NULL;
	size_t i;

	if (!p->name)
		return xstrdup("it has no name");
	if (ps_utf8_len(p->name, strlen(p->name)) < 0)
		return xstrdup("its name is not valid UTF-8");
	if (policy_check_name(p->name, &msg) || policy_check_id(p->id, &msg))
		return msg ? msg : xstrdup("the inventory cannot hold it");
	for (i = 0; i < p->tags.nr; i++) {
		const struct tag *t = &p->tags.items[i];
		if (is_aws_key(t->key))
			continue;	/* AWS's own: ignored, not exported */
		if (ps_utf8_len(t->key, strlen(t->key)) < 0 ||
		    ps_utf8_len(t->value, strlen(t->value)) < 0)
			return xstrdup("a tag is not valid UTF-8");
		if (policy_check_tag_key(t->key, &msg) ||
		    policy_check_tag_value(t->key, t->value, &msg))
			return msg ? msg : xstrdup("a tag breaks AWS rules");
	}
	return NULL;
}

/* The region for settings.region: the flag, the endpoint, else the ARNs. */
static char *
guess_region(const struct cli_ctx *ctx, const char *endpoint,
    const struct live_state *live)
{
	char *r;
	size_t i;

	if (ctx->region && *ctx->region)
		return xstrdup(ctx->region);
	if ((r = api_endpoint_region(endpoint)))
		return r;
	for (i = 0; i < live->nr; i++) {
		const char *arn = live->items[i].arn, *a, *b;
		/* arn:aws:bedrock-mantle:REGION:ACCOUNT:project/ID */
		if (!arn || strncmp(arn, "arn:", 4) != 0)
			continue;
		if (!(a = strchr(arn + 4, ':')) || !(a = strchr(a + 1, ':')))
			continue;
		if (!(b = strchr(a + 1, ':')) || b == a + 1)
			continue;
		r = xstrndup(a + 1, (size_t)(b - a - 1));
		if (strspn(r, "abcdefghijklmnopqrstuvwxyz0123456789-") ==
		    strlen(r))
			return r;
		free(r);
	}
	return NULL;
}

static void
render(struct ps_buf *out, const char *endpoint, const char *region,
    const struct live_project **sel, size_t nsel, bool aws_tags)
{
	struct keystat *ks = NULL;
	size_t nks = 0, aks = 0, nactive = 0, narchived = 0, i, j;
	const char **keys;
	bool first;

	for (i = 0; i < nsel; i++) {
		const struct live_project *p = sel[i];
		if (p->archived) {
			narchived++;
			continue;
		}
		nactive++;
		for (j = 0; j < p->tags.nr; j++) {
			struct keystat *k;
			if (is_aws_key(p->tags.items[j].key))
				continue;
			k = keystat_get(&ks, &nks, &aks, p->tags.items[j].key);
			k->uses++;
			k->filled += p->tags.items[j].value[0] != '\0';
			keystat_value(k, p->tags.items[j].value);
		}
	}
	keys = xcalloc(nks + 1, sizeof(*keys));
	for (i = 0; i < nks; i++)
		keys[i] = ks[i].key;
	qsort(keys, nks, sizeof(*keys), cmp_str);

	ps_buf_addf(out, "# Exported by projsync export from %s\n", endpoint);
	ps_buf_addf(out, "# %zu project%s", nsel, nsel == 1 ? "" : "s");
	if (narchived)
		ps_buf_addf(out, " (%zu archived)", narchived);
	ps_buf_adds(out, ", each pinned by id.\n# The taxonomy is inferred "
	    "from the tags in use: review it before committing.\n");
	ps_buf_adds(out, "version: 1\n");
	if (region || aws_tags) {
		ps_buf_adds(out, "settings:\n");
		if (region) {
			ps_buf_adds(out, "  region: ");
			yaml_scalar(out, region);
			ps_buf_addch(out, '\n');
		}
		if (aws_tags)
			ps_buf_adds(out, "  ignore_tags: [\"aws:*\"]\n");
	}
	/* required: set (not empty) on every active project; explicit even
	 * when there are none, or the default four would apply */
	ps_buf_adds(out, "taxonomy:\n  required: [");
	first = true;
	for (i = 0; i < nks; i++) {
		struct keystat *k = keystat_get(&ks, &nks, &aks, keys[i]);
		if (k->filled != nactive || !nactive)
			continue;
		ps_buf_adds(out, first ? "" : ", ");
		yaml_scalar(out, k->key);
		first = false;
	}
	ps_buf_adds(out, "]\n");
	if (nks) {
		ps_buf_adds(out, "  tags:\n");
		for (i = 0; i < nks; i++) {
			struct keystat *k = keystat_get(&ks, &nks, &aks, keys[i]);
			ps_buf_adds(out, "    ");
			yaml_scalar(out, k->key);
			if (k->many || k->nvalues * 2 > k->uses) {
				ps_buf_adds(out, ": {}\n");
				continue;
			}
			qsort(k->values, k->nvalues, sizeof(*k->values), cmp_str);
			ps_buf_adds(out, ": { allowed: [");
			for (j = 0; j < k->nvalues; j++) {
				ps_buf_adds(out, j ? ", " : "");
				yaml_scalar(out, k->values[j]);
			}
			ps_buf_adds(out, "] }\n");
		}
	}
	ps_buf_adds(out, nsel ? "projects:\n" : "projects: []\n");
	for (i = 0; i < nsel; i++) {
		const struct live_project *p = sel[i];
		size_t shown = 0;

		ps_buf_adds(out, "  - name: ");
		yaml_scalar(out, p->name);
		ps_buf_adds(out, "\n    id: ");
		yaml_scalar(out, p->id);
		ps_buf_addch(out, '\n');
		if (p->archived)
			ps_buf_adds(out, "    archived: true\n");
		for (j = 0; j < p->tags.nr; j++)
			shown += !is_aws_key(p->tags.items[j].key);
		if (!shown)
			continue;
		ps_buf_adds(out, "    tags:\n");
		for (j = 0; j < p->tags.nr; j++) {
			if (is_aws_key(p->tags.items[j].key))
				continue;
			ps_buf_adds(out, "      ");
			yaml_scalar(out, p->tags.items[j].key);
			ps_buf_adds(out, ": ");
			yaml_scalar(out, p->tags.items[j].value);
			ps_buf_addch(out, '\n');
		}
	}
	for (i = 0; i < nks; i++)
		free(ks[i].values);
	free(ks);
	free(keys);
}

int
cmd_export(int argc, char **argv, struct cli_ctx *ctx)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "include-archived", no_argument, NULL, 'A' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cli_command *self = cli_command_find("export");
	struct live_state live = LIVE_STATE_INIT;
	const struct live_project **sel = NULL;
	struct inventory *inv = NULL;
	struct api_client *api = NULL;
	struct ps_buf out = PS_BUF_INIT;
	const char *output = NULL;
	bool archived = false, aws_tags = false;
	char *region = NULL, *why;
	size_t nsel = 0, i, j;
	int c, rc = EXIT_OK, err;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			output = optarg;
			break;
		case 'A':
			archived = true;
			break;
		case 'h':
			cli_print_help(stdout, self, export_options_help);
			return EXIT_OK;
		default:
			return cli_option_error(ctx, c, argv);
		}
	}
	if (optind < argc)
		return cli_usage_error(ctx, "unexpected argument '%s'",
		    argv[optind]);
	/* an inventory named explicitly lends its settings (region) */
	if (ctx->file_given && access(ctx->file, F_OK) == 0 &&
	    (rc = cli_load_inventory(&inv, ctx, false)) != 0)
		return rc;
	if ((rc = cli_api_client(&api, ctx, inv)) != 0)
		goto out;
	if ((err = api_list_projects(api, &live)) < 0) {
		rc = cli_fail(ctx, err);
		goto out;
	}

	sel = xcalloc(live.nr + 1, sizeof(*sel));
	for (i = 0; i < live.nr; i++) {
		const struct live_project *p = &live.items[i];
		if (strcmp(p->id, "default") == 0)
			continue;
		if (p->archived && !archived)
			continue;
		if ((why = unexportable(p))) {
			/* the name in why comes from the API: escape it */
			char *sid = ps_printable(p->id, 0);
			char *swhy = ps_printable(why, 0);
			cli_warning(ctx, "%s is not exported: %s", sid, swhy);
			free(swhy);
			free(sid);
			free(why);
			continue;
		}
		sel[nsel++] = p;
	}
	qsort(sel, nsel, sizeof(*sel), cmp_project);
	/* names are unique in an inventory: keep the first of a run */
	for (i = 0, j = 0; i < nsel; i++) {
		if (j > 0 && strcmp(sel[j - 1]->name, sel[i]->name) == 0) {
			/* an archived one cannot be renamed: nothing to do */
			if (sel[i]->archived)
				cli_warning(ctx, "%s (archived) is also named "
				    "'%s'; only %s is exported", sel[i]->id,
				    sel[i]->name, sel[j - 1]->id);
			else
				cli_warning(ctx, "%s and %s are both named '%s'; "
				    "only %s is exported (rename one to manage "
				    "both)", sel[j - 1]->id, sel[i]->id,
				    sel[i]->name, sel[j - 1]->id);
			continue;
		}
		sel[j++] = sel[i];
	}
	nsel = j;
	for (i = 0; i < nsel; i++)
		for (j = 0; j < sel[i]->tags.nr; j++)
			if (is_aws_key(sel[i]->tags.items[j].key))
				aws_tags = true;
	region = guess_region(ctx, api_client_endpoint(api), &live);
	render(&out, api_client_endpoint(api), region, sel, nsel, aws_tags);

	if (output) {
		if ((err = ps_write_file_atomic(output, out.ptr, out.len,
		    0644)) < 0) {
			rc = cli_fail(ctx, err);
			goto out;
		}
		if (!ctx->quiet)
			fprintf(stderr, "projsync: wrote %zu project%s to %s\n",
			    nsel, nsel == 1 ? "" : "s", output);
	} else {
		fwrite(out.ptr, 1, out.len, stdout);
	}
out:
	free(region);
	free(sel);
	ps_buf_release(&out);
	live_state_release(&live);
	api_client_free(api);
	inventory_free(inv);
	return rc;
}
