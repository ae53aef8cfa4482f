/*
 * lint: name-convention.  settings.name_pattern ({Key}, {Key:short},
 * {Key:lower}, {Key:upper}, *) is compiled into segments and each active
 * project's name is split along them; a name whose part and tag disagree
 * says so and offers both fixes.
 */
#include "lint/lint_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "policy/policy.h"

enum seg_kind { SEG_TEXT, SEG_TAG, SEG_ANY };
enum seg_mod { MOD_NONE, MOD_SHORT, MOD_LOWER, MOD_UPPER };

struct seg {
	enum seg_kind kind;
	enum seg_mod mod;
	char *text;		/* literal text or the tag key */
};

static void
segs_release(struct seg *s, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++)
		free(s[i].text);
	free(s);
}

/*
 * Compile a name_pattern: literal text, `{Key}`, `{Key:short}`,
 * `{Key:lower}`, `{Key:upper}`, `*` for any run of characters, and `{{`,
 * `}}` for literal braces.  On error returns NULL and sets *err (owned).
 */
static struct seg *
pattern_compile(const char *pat, size_t *nr, char **err)
{
	struct seg *s = NULL;
	struct ps_buf lit = PS_BUF_INIT;
	size_t alloc = 0, n = 0;
	const char *p = pat;

	*err = NULL;
	while (*p) {
		if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
			ps_buf_addch(&lit, *p);
			p += 2;
			continue;
		}
		if (*p == '}') {
			*err = xasprintf("unmatched '}' at offset %zu",
			    (size_t)(p - pat));
			goto fail;
		}
		if (*p != '{' && *p != '*') {
			ps_buf_addch(&lit, *p++);
			continue;
		}
		if (lit.len) {
			xgrow(&s, &alloc, n + 1, sizeof(*s));
			s[n].kind = SEG_TEXT;
			s[n].mod = MOD_NONE;
			s[n++].text = ps_buf_detach(&lit);
		}
		xgrow(&s, &alloc, n + 1, sizeof(*s));
		if (*p == '*') {
			s[n].kind = SEG_ANY;
			s[n].mod = MOD_NONE;
			s[n++].text = NULL;
			p++;
			continue;
		} else {
			const char *end = strchr(p, '}'), *colon;
			const char *kend;
			enum seg_mod mod = MOD_NONE;

			if (!end) {
				*err = xasprintf("unterminated '{' at offset %zu",
				    (size_t)(p - pat));
				goto fail;
			}
			colon = memchr(p, ':', (size_t)(end - p));
			kend = colon ? colon : end;
			if (kend == p + 1 || memchr(p + 1, '{', (size_t)(end - p - 1))) {
				*err = xasprintf("empty or nested '{...}' at "
				    "offset %zu", (size_t)(p - pat));
				goto fail;
			}
			if (colon) {
				size_t ml = (size_t)(end - colon - 1);
				if (ml == 5 && !strncmp(colon + 1, "short", 5))
					mod = MOD_SHORT;
				else if (ml == 5 && !strncmp(colon + 1, "lower", 5))
					mod = MOD_LOWER;
				else if (ml == 5 && !strncmp(colon + 1, "upper", 5))
					mod = MOD_UPPER;
				else {
					*err = xasprintf("unknown modifier ':%.*s' "
					    "(short, lower or upper)", (int)ml,
					    colon + 1);
					goto fail;
				}
			}
			s[n].kind = SEG_TAG;
			s[n].mod = mod;
			s[n++].text = xstrndup(p + 1, (size_t)(kend - p - 1));
			p = end + 1;
		}
	}
	if (lit.len || n == 0) {
		xgrow(&s, &alloc, n + 1, sizeof(*s));
		s[n].kind = SEG_TEXT;
		s[n].mod = MOD_NONE;
		s[n++].text = ps_buf_detach(&lit);
	}
	ps_buf_release(&lit);
	*nr = n;
	return s;
fail:
	ps_buf_release(&lit);
	segs_release(s, n);
	*nr = 0;
	return NULL;
}

/* v as the pattern writes it: {Key}, {Key:short}, {Key:lower}, ... */
static char *
seg_form(const struct seg *s, const char *v)
{
	char *r, *q;

	if (s->mod == MOD_SHORT)
		return xstrdup(lint_short_name(v));
	r = xstrdup(v);
	if (s->mod != MOD_NONE)
		for (q = r; *q; q++)
			*q = (char)(s->mod == MOD_LOWER ?
			    tolower((unsigned char)*q) : toupper((unsigned char)*q));
	return r;
}

/* The best split of a name along the pattern: the one where the fewest
 * tag segments disagree with the project's tags. */
struct split {
	const struct seg *segs;
	size_t nr;
	const char *name;
	const struct tag_set *tags;
	size_t (*cur)[2], (*best)[2];
	size_t best_bad;	/* (size_t)-1: no split yet */
	size_t budget;		/* steps left: bounded backtracking */
};

static void
split_try(struct split *sp, size_t k, size_t pos)
{
	const struct seg *s = &sp->segs[k];
	size_t len = strlen(sp->name), end, n, i, bad = 0;

	if (sp->budget == 0 || sp->best_bad == 0)
		return;
	sp->budget--;
	if (k == sp->nr) {
		if (pos != len)
			return;
		for (i = 0; i < sp->nr; i++) {
			const char *v;
			char *f;

			if (sp->segs[i].kind != SEG_TAG)
				continue;
			v = tag_set_get(sp->tags, sp->segs[i].text);
			f = seg_form(&sp->segs[i], v ? v : "");
			bad += strlen(f) != sp->cur[i][1] - sp->cur[i][0] ||
			    memcmp(f, sp->name + sp->cur[i][0], strlen(f)) != 0;
			free(f);
		}
		if (bad < sp->best_bad) {
			sp->best_bad = bad;
			memcpy(sp->best, sp->cur, sp->nr * sizeof(*sp->cur));
		}
		return;
	}
	if (s->kind == SEG_TEXT) {
		n = strlen(s->text);
		if (len - pos < n || memcmp(sp->name + pos, s->text, n) != 0)
			return;
		sp->cur[k][0] = pos;
		sp->cur[k][1] = pos + n;
		split_try(sp, k + 1, pos + n);
		return;
	}
	for (end = pos + (s->kind == SEG_TAG); end <= len; end++) {
		sp->cur[k][0] = pos;
		sp->cur[k][1] = end;
		split_try(sp, k + 1, end);
	}
}

/*
 * When the name reads as the pattern with exactly one tag segment that
 * disagrees with the tag (CustomerChatbot-Development tagged Production),
 * the message says they disagree and offers both fixes: either may be the
 * wrong one.  Returns the message, or NULL (the name has another shape).
 */
static char *
name_tag_disagreement(const struct inventory *inv, const struct seg *segs,
    size_t nr, const struct inv_project *p, const char *want)
{
	struct split sp = { segs, nr, p->name, &p->tags, NULL, NULL,
		(size_t)-1, 20000 };
	const struct inv_tag_rule *rule = NULL;
	const char *v, *named = NULL;
	char *cap = NULL, *msg = NULL;
	size_t k, i;

	sp.cur = xcalloc(nr + 1, sizeof(*sp.cur));
	sp.best = xcalloc(nr + 1, sizeof(*sp.best));
	split_try(&sp, 0, 0);
	if (sp.best_bad != 1)
		goto out;
	for (k = 0; k < nr; k++) {
		char *f;
		bool same;

		if (segs[k].kind != SEG_TAG)
			continue;
		v = tag_set_get(&p->tags, segs[k].text);
		f = seg_form(&segs[k], v ? v : "");
		same = strlen(f) == sp.best[k][1] - sp.best[k][0] &&
		    !memcmp(f, p->name + sp.best[k][0], strlen(f));
		free(f);
		if (!same)
			break;
	}
	v = tag_set_get(&p->tags, segs[k].text);
	cap = xstrndup(p->name + sp.best[k][0], sp.best[k][1] - sp.best[k][0]);
	/* the value the name stands for: an allowed value written that way
	 * first, then the abbreviation table, else the text itself */
	for (i = 0; i < inv->taxonomy.tags_nr; i++)
		if (!strcmp(inv->taxonomy.tags[i].key, segs[k].text))
			rule = &inv->taxonomy.tags[i];
	for (i = 0; rule && i < rule->allowed_nr && !named; i++) {
		char *f = seg_form(&segs[k], rule->allowed[i]);

		if (!strcasecmp(f, cap))
			named = rule->allowed[i];
		free(f);
	}
	if (!named && segs[k].mod == MOD_SHORT)
		named = lint__long_name(cap);
	if (!named)
		named = cap;
	/* the same value in another form: the name is off, not the tag */
	if (!strcasecmp(named, v))
		goto out;
	msg = xasprintf("project name '%s' and its %s tag disagree: the name "
	    "says '%s', the tag '%s'; rename the project to '%s', or set "
	    "%s: %s if the name is right", p->name, segs[k].text, named, v,
	    want, segs[k].text, named);
out:
	free(cap);
	free(sp.cur);
	free(sp.best);
	return msg;
}

static bool
is_required(const struct inventory *inv, const char *key)
{
	size_t i;

	for (i = 0; i < inv->taxonomy.required_nr; i++)
		if (!strcmp(inv->taxonomy.required[i], key))
			return true;
	return false;
}

void
lint__check_names(struct lint__ctx *c)
{
	const struct inventory *inv = c->inv;
	const char *pat = inv->settings.name_pattern;
	struct ps_buf want = PS_BUF_INIT, glob = PS_BUF_INIT;
	struct seg *segs;
	size_t nr, i, k;
	char *err;

	if (!pat)
		return;
	if (!(segs = pattern_compile(pat, &nr, &err))) {
		lint__add(c, "name-convention", NULL,
		    &inv->settings.name_pattern_pos, inv->path,
		    "settings.name_pattern '%s' is invalid: %s", pat, err);
		free(err);
		return;
	}
	for (i = 0; i < inv->projects_nr; i++) {
		const struct inv_project *p = &inv->projects[i];
		const char *missing = NULL;
		bool wild = false;

		if (!lint__active(p) || !p->name)
			continue;
		ps_buf_reset(&want);
		ps_buf_reset(&glob);
		for (k = 0; k < nr && !missing; k++) {
			const char *v;
			char *tmp = NULL;

			switch (segs[k].kind) {
			case SEG_TEXT:
				ps_buf_adds(&want, segs[k].text);
				ps_buf_adds(&glob, segs[k].text);
				break;
			case SEG_ANY:
				ps_buf_adds(&want, "*");
				ps_buf_adds(&glob, "*");
				wild = true;
				break;
			case SEG_TAG:
				v = tag_set_get(&p->tags, segs[k].text);
				if (!v || !*v) {
					missing = segs[k].text;
					break;
				}
				if (segs[k].mod == MOD_SHORT)
					v = lint_short_name(v);
				else if (segs[k].mod != MOD_NONE) {
					char *q;
					v = tmp = xstrdup(v);
					for (q = tmp; *q; q++)
						*q = (char)(segs[k].mod == MOD_LOWER ?
						    tolower((unsigned char)*q) :
						    toupper((unsigned char)*q));
				}
				ps_buf_adds(&want, v);
				/* a value cannot hold '*' (AWS charset) */
				ps_buf_adds(&glob, v);
				free(tmp);
				break;
			}
		}
		/* a missing required key is already an error */
		if (missing && !is_required(inv, missing)) {
			lint__add(c, "name-convention", p, &p->name_pos,
			    inv->path,
			    "cannot check project name '%s' against "
			    "settings.name_pattern '%s': it has no '%s' tag",
			    p->name, pat, missing);
			continue;
		}
		if (missing)
			continue;
		if (wild ? ps_glob_match(glob.ptr, p->name) :
		    strcmp(want.ptr, p->name) == 0)
			continue;
		if ((err = name_tag_disagreement(inv, segs, nr, p, want.ptr))) {
			lint__add(c, "name-convention", p, &p->name_pos,
			    inv->path, "%s", err);
			free(err);
			continue;
		}
		lint__add(c, "name-convention", p, &p->name_pos, inv->path,
		    "project name '%s' does not follow settings.name_pattern "
		    "'%s': expected '%s'", p->name, pat, want.ptr);
	}
	segs_release(segs, nr);
	ps_buf_release(&want);
	ps_buf_release(&glob);
}
