/*
 * export: selection (what the inventory can hold, one project per name),
 * taxonomy inference (what most projects follow) and the YAML writer.
 */
#include "export/export.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "plan/plan.h"
#include "policy/policy.h"

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

void
export_yaml_scalar(struct ps_buf *b, const char *s)
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

/* ---- selection ---- */

static bool
is_aws_key(const char *k)
{
	return strncasecmp(k, "aws:", 4) == 0;
}

static void warn(struct export_result *r, const char *fmt, ...) PS_PRINTF(2, 3);

static void
warn(struct export_result *r, const char *fmt, ...)
{
	va_list ap;

	xgrow(&r->warnings, &r->warnings_alloc, r->warnings_nr + 1,
	    sizeof(*r->warnings));
	va_start(ap, fmt);
	r->warnings[r->warnings_nr++] = xvasprintf(fmt, ap);
	va_end(ap);
}

/* By name; of one name the active ones first, then the survivor plan
 * matches among a racing apply's duplicates (plan_survivor_cmp()). */
static int
cmp_project(const void *a, const void *b)
{
	const struct live_project *x = *(const struct live_project *const *)a;
	const struct live_project *y = *(const struct live_project *const *)b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	if (x->archived != y->archived)
		return x->archived ? 1 : -1;
	return plan_survivor_cmp(x, y);
}

/*
 * Can the inventory hold this project as the API has it?  NULL when it
 * can, else why not (caller frees).  The inventory's own rules decide, so
 * that what is exported always loads.
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

/* The projects to export, sorted by name, one per name.  Caller frees. */
static const struct live_project **
select_projects(struct export_result *r, const struct live_state *live,
    const struct export_options *o, size_t *nr)
{
	const struct live_project **sel = xcalloc(live->nr + 1, sizeof(*sel));
	size_t n = 0, i, j;
	char *why;

	for (i = 0; i < live->nr; i++) {
		const struct live_project *p = &live->items[i];

		if (strcmp(p->id, "default") == 0)
			continue;
		if (p->archived && !o->include_archived)
			continue;
		if ((why = unexportable(p))) {
			warn(r, "%s is not exported: %s", p->id, why);
			free(why);
			continue;
		}
		sel[n++] = p;
	}
	qsort(sel, n, sizeof(*sel), cmp_project);
	/* names are unique in an inventory: keep the first of a run */
	for (i = 0, j = 0; i < n; i++) {
		if (j > 0 && strcmp(sel[j - 1]->name, sel[i]->name) == 0) {
			/* an archived one cannot be renamed: nothing to do */
			if (sel[i]->archived)
				warn(r, "%s (archived) is also named '%s'; only %s "
				    "is exported", sel[i]->id, sel[i]->name,
				    sel[j - 1]->id);
			else
				warn(r, "%s and %s are both named '%s'; only %s is "
				    "exported (rename one to manage both)",
				    sel[j - 1]->id, sel[i]->id, sel[i]->name,
				    sel[j - 1]->id);
			continue;
		}
		sel[j++] = sel[i];
	}
	*nr = j;
	return sel;
}

/* ---- taxonomy inference ---- */

struct pair {
	const char *key, *value;	/* borrowed from a live project */
};

static int
cmp_pair(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : strcmp(x->value, y->value);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static struct export_key *
add_key(struct export_taxonomy *t, size_t *alloc, const char *key)
{
	struct export_key *k;

	xgrow(&t->keys, alloc, t->nr + 1, sizeof(*t->keys));
	k = &t->keys[t->nr++];
	memset(k, 0, sizeof(*k));
	k->key = xstrdup(key);
	return k;
}

/* Is share of total at least EXPORT_REQUIRED_PERCENT? */
static bool
most(size_t share, size_t total)
{
	return total > 0 && share * 100 >= (size_t)EXPORT_REQUIRED_PERCENT *
	    total;
}

static int
cmp_key(const void *a, const void *b)
{
	return strcmp(((const struct export_key *)a)->key,
	    ((const struct export_key *)b)->key);
}

void
export_infer_taxonomy(struct export_taxonomy *out,
    const struct live_project *const *projects, size_t nr,
    const struct export_options *o)
{
	struct pair *pairs = NULL;
	size_t npairs = 0, apairs = 0, akeys = 0, active = 0, i, j, k;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < nr; i++) {
		const struct live_project *p = projects[i];

		if (p->archived)
			continue;
		active++;
		for (j = 0; j < p->tags.nr; j++) {
			const struct tag *t = &p->tags.items[j];

			if (is_aws_key(t->key))
				continue;
			xgrow(&pairs, &apairs, npairs + 1, sizeof(*pairs));
			pairs[npairs].key = t->key;
			pairs[npairs++].value = t->value;
		}
	}
	/* sorted (key, value) pairs: a key's values are one run, each
	 * value a run inside it */
	if (npairs > 1)
		qsort(pairs, npairs, sizeof(*pairs), cmp_pair);
	for (i = 0; i < npairs; i = j) {
		struct export_key *ek = add_key(out, &akeys, pairs[i].key);
		size_t repeated = 0, covered = 0;

		for (j = i; j < npairs && !strcmp(pairs[j].key, pairs[i].key);
		    j = k) {
			for (k = j; k < npairs && !strcmp(pairs[k].key,
			    pairs[i].key) && !strcmp(pairs[k].value,
			    pairs[j].value); k++)
				;
			if (!*pairs[j].value)
				continue;	/* empty: not set */
			ek->uses += k - j;
			if (k - j >= 2) {
				repeated++;
				covered += k - j;
			}
		}
		if (o->infer)
			ek->required = most(ek->uses, active);
		/* a vocabulary: values that repeat, covering most uses */
		if (!o->infer || repeated == 0 || repeated > EXPORT_ALLOWED_MAX ||
		    !most(covered, ek->uses))
			continue;
		ek->allowed = xcalloc(repeated + 1, sizeof(*ek->allowed));
		for (k = i; k < j; ) {
			size_t m;

			for (m = k; m < j && !strcmp(pairs[m].value,
			    pairs[k].value); m++)
				;
			if (*pairs[k].value && m - k >= 2)
				ek->allowed[ek->allowed_nr++] =
				    xstrdup(pairs[k].value);
			k = m;
		}
	}
	/* --required: exactly these, also keys no project has yet */
	if (o->required) {
		for (i = 0; i < out->nr; i++)
			out->keys[i].required = ps_str_in(o->required,
			    o->required_nr, out->keys[i].key);
		for (i = 0; i < o->required_nr; i++) {
			for (k = 0; k < out->nr; k++)
				if (!strcmp(out->keys[k].key, o->required[i]))
					break;
			if (k == out->nr)
				add_key(out, &akeys, o->required[i])->required =
				    true;
		}
		if (out->nr > 1)
			qsort(out->keys, out->nr, sizeof(*out->keys), cmp_key);
	}
	for (i = 0; i < out->nr; i++)
		if (out->keys[i].allowed_nr > 1)
			qsort(out->keys[i].allowed, out->keys[i].allowed_nr,
			    sizeof(char *), cmp_str);
	free(pairs);
}

void
export_taxonomy_release(struct export_taxonomy *t)
{
	size_t i, j;

	for (i = 0; i < t->nr; i++) {
		for (j = 0; j < t->keys[i].allowed_nr; j++)
			free(t->keys[i].allowed[j]);
		free(t->keys[i].allowed);
		free(t->keys[i].key);
	}
	free(t->keys);
	memset(t, 0, sizeof(*t));
}

/* ---- the YAML ---- */

/* What the proposed taxonomy finds wrong with an active project, as
 * "no CostCenter tag; Environment 'Prod' is not allowed" (empty: nothing). */
static void
to_fix(struct ps_buf *b, const struct export_taxonomy *t,
    const struct live_project *p, size_t *missing, size_t *outside)
{
	size_t i, j;

	for (i = 0; i < t->nr; i++) {
		const struct export_key *k = &t->keys[i];
		const char *v = tag_set_get(&p->tags, k->key);

		if (k->required && (!v || !*v)) {
			ps_buf_addf(b, "%sno %s tag", b->len ? "; " : "", k->key);
			missing[i]++;
		} else if (v && k->allowed) {
			for (j = 0; j < k->allowed_nr; j++)
				if (!strcmp(k->allowed[j], v))
					break;
			if (j == k->allowed_nr) {
				ps_buf_addf(b, "%s%s value not in its allowed "
				    "list", b->len ? "; " : "", k->key);
				outside[i]++;
			}
		}
	}
}

static void
render_taxonomy(struct ps_buf *out, const struct export_taxonomy *t)
{
	size_t i, j;
	bool first = true;

	/* explicit even when empty, or the default four keys would apply */
	ps_buf_adds(out, "taxonomy:\n  required: [");
	for (i = 0; i < t->nr; i++) {
		if (!t->keys[i].required)
			continue;
		ps_buf_adds(out, first ? "" : ", ");
		export_yaml_scalar(out, t->keys[i].key);
		first = false;
	}
	ps_buf_adds(out, "]\n");
	if (!t->nr)
		return;
	ps_buf_adds(out, "  tags:\n");
	for (i = 0; i < t->nr; i++) {
		ps_buf_adds(out, "    ");
		export_yaml_scalar(out, t->keys[i].key);
		if (!t->keys[i].allowed) {
			ps_buf_adds(out, ": {}\n");
			continue;
		}
		ps_buf_adds(out, ": { allowed: [");
		for (j = 0; j < t->keys[i].allowed_nr; j++) {
			ps_buf_adds(out, j ? ", " : "");
			export_yaml_scalar(out, t->keys[i].allowed[j]);
		}
		ps_buf_adds(out, "] }\n");
	}
}

int
export_run(struct export_result *r, const struct live_state *live,
    const struct export_options *o)
{
	const struct live_project **sel;
	struct export_taxonomy tx;
	struct ps_buf fix = PS_BUF_INIT;
	size_t nsel, i, j, shown, *missing, *outside;
	bool aws_tags = false;
	char *msg = NULL;

	for (i = 0; i < o->required_nr; i++)
		if (policy_check_tag_key(o->required[i], &msg) || !*o->required[i]) {
			int err = ps_error(PS_EUSAGE, "--required: %s", msg ? msg :
			    "an empty key");
			free(msg);
			return err;
		}
	sel = select_projects(r, live, o, &nsel);
	for (i = 0; i < nsel; i++) {
		r->archived += sel[i]->archived;
		for (j = 0; j < sel[i]->tags.nr; j++)
			aws_tags |= is_aws_key(sel[i]->tags.items[j].key);
	}
	r->projects = nsel;
	export_infer_taxonomy(&tx, sel, nsel, o);
	missing = xcalloc(tx.nr + 1, sizeof(*missing));
	outside = xcalloc(tx.nr + 1, sizeof(*outside));

	ps_buf_addf(&r->yaml, "# Exported by projsync export from %s\n",
	    o->endpoint ? o->endpoint : "the account");
	ps_buf_addf(&r->yaml, "# %zu project%s", nsel, nsel == 1 ? "" : "s");
	if (r->archived)
		ps_buf_addf(&r->yaml, " (%zu archived)", r->archived);
	ps_buf_adds(&r->yaml, ", each pinned by id.\n");
	if (o->infer)
		ps_buf_addf(&r->yaml, "# The taxonomy proposes what most "
		    "projects follow (%d%% or more): review it;\n# projects "
		    "marked \"to fix\" break it (projsync validate lists "
		    "them).\n", EXPORT_REQUIRED_PERCENT);
	ps_buf_adds(&r->yaml, "version: 1\n");
	if (o->region || aws_tags) {
		ps_buf_adds(&r->yaml, "settings:\n");
		if (o->region) {
			ps_buf_adds(&r->yaml, "  region: ");
			export_yaml_scalar(&r->yaml, o->region);
			ps_buf_addch(&r->yaml, '\n');
		}
		if (aws_tags)
			ps_buf_adds(&r->yaml, "  ignore_tags: [\"aws:*\"]\n");
	}
	render_taxonomy(&r->yaml, &tx);
	ps_buf_adds(&r->yaml, nsel ? "projects:\n" : "projects: []\n");
	for (i = 0; i < nsel; i++) {
		const struct live_project *p = sel[i];

		ps_buf_adds(&r->yaml, "  - name: ");
		export_yaml_scalar(&r->yaml, p->name);
		ps_buf_adds(&r->yaml, "\n    id: ");
		export_yaml_scalar(&r->yaml, p->id);
		ps_buf_addch(&r->yaml, '\n');
		if (p->archived) {
			ps_buf_adds(&r->yaml, "    archived: true\n");
		} else {
			ps_buf_reset(&fix);
			to_fix(&fix, &tx, p, missing, outside);
			if (fix.len)
				ps_buf_addf(&r->yaml, "    # to fix: %s\n",
				    fix.ptr);
		}
		for (j = 0, shown = 0; j < p->tags.nr; j++)
			shown += !is_aws_key(p->tags.items[j].key);
		if (!shown)
			continue;
		ps_buf_adds(&r->yaml, "    tags:\n");
		for (j = 0; j < p->tags.nr; j++) {
			if (is_aws_key(p->tags.items[j].key))
				continue;
			ps_buf_adds(&r->yaml, "      ");
			export_yaml_scalar(&r->yaml, p->tags.items[j].key);
			ps_buf_adds(&r->yaml, ": ");
			export_yaml_scalar(&r->yaml, p->tags.items[j].value);
			ps_buf_addch(&r->yaml, '\n');
		}
	}
	for (i = 0; i < tx.nr; i++) {
		if (missing[i])
			warn(r, "%zu project%s lack%s the required tag '%s' "
			    "(marked \"to fix\"): tag %s, or drop the key from "
			    "taxonomy.required", missing[i], missing[i] == 1 ?
			    "" : "s", missing[i] == 1 ? "s" : "", tx.keys[i].key,
			    missing[i] == 1 ? "it" : "them");
		if (outside[i])
			warn(r, "%zu project%s use%s a '%s' value outside its "
			    "inferred allowed list (marked \"to fix\"): fix the "
			    "value, or add it to the list", outside[i],
			    outside[i] == 1 ? "" : "s", outside[i] == 1 ? "s" : "",
			    tx.keys[i].key);
	}
	free(missing);
	free(outside);
	ps_buf_release(&fix);
	export_taxonomy_release(&tx);
	free(sel);
	return 0;
}

void
export_result_release(struct export_result *r)
{
	size_t i;

	ps_buf_release(&r->yaml);
	for (i = 0; i < r->warnings_nr; i++)
		free(r->warnings[i]);
	free(r->warnings);
	memset(r, 0, sizeof(*r));
}
