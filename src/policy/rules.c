/*
 * policy: checks on single strings and the compiled taxonomy, shared by
 * policy_validate() and lint.
 */
#include "policy/policy.h"

#include <locale.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "policy/policy_int.h"

const char *const policy_rule_ids[] = {
	/* the loader */
	"yaml-syntax", "invalid-encoding", "file-too-large", "nesting-limit",
	"alias-limit", "empty-file", "duplicate-key", "invalid-type",
	"unknown-field", "missing-field", "misplaced-field", "invalid-value",
	"unsupported-version", "missing-version", "include-not-found",
	"include-no-match", "include-error",
	/* policy_validate() */
	"invalid-name", "invalid-id", "duplicate-name", "duplicate-id",
	"tag-key-length", "tag-value-length", "invalid-characters",
	"reserved-prefix", "too-many-tags", "missing-required-tag",
	"value-not-allowed", "pattern-mismatch", "unknown-tag-key",
	"invalid-pattern", "invalid-taxonomy", "project-limit",
	NULL,
};

void
policy_today(char out[11])
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

/* ---- closest match ---- */

/* Suggestions cost a scan of the candidates: bound the work, so a file
 * crafted with thousands of long allowed values and as many wrong ones
 * cannot make validate crawl. */
#define SUGGEST_MAX_LEN	64	/* longer strings get no suggestion */
#define SUGGEST_BUDGET	1000	/* suggestions per compiled taxonomy */

/* Do a and b differ by one swap of neighbours ("Stagign", "Staging")? */
static bool
one_swap(const char *a, const char *b)
{
	size_t i, n = strlen(a);

	if (n != strlen(b))
		return false;
	for (i = 0; i + 1 < n && a[i] == b[i]; i++)
		;
	return i + 1 < n && a[i] == b[i + 1] && a[i + 1] == b[i] &&
	    strcmp(a + i + 2, b + i + 2) == 0;
}

static char *
ascii_lower(const char *s)
{
	char *r = xstrdup(s), *p;

	for (p = r; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return r;
}

const char *
policy_closest(const char *s, const char *const *cands, size_t n)
{
	const char *best = NULL;
	size_t i, d, bestd, max;
	char *ls;

	if (!s)
		return NULL;
	for (i = 0; i < n; i++)
		if (cands[i] && strcasecmp(s, cands[i]) == 0)
			return cands[i];
	max = strlen(s) < 5 ? 1 : 2;
	bestd = max + 1;
	if (strlen(s) > SUGGEST_MAX_LEN)
		return NULL;	/* a typo in a 200-character value? */
	ls = ascii_lower(s);
	/* "Prod" → "Production": an abbreviation of exactly one candidate */
	if (strlen(s) >= 3) {
		for (i = 0; i < n; i++) {
			if (!cands[i] || strncasecmp(s, cands[i], strlen(s)) != 0)
				continue;
			if (best) {
				best = NULL;
				break;
			}
			best = cands[i];
		}
		if (best) {
			free(ls);
			return best;
		}
	}
	for (i = 0; i < n; i++) {
		size_t ls_len = strlen(ls), lc_len;
		char *lc;
		if (!cands[i])
			continue;
		/* cheap first: lengths that differ too much cannot be close */
		lc_len = strlen(cands[i]);
		if ((ls_len > lc_len ? ls_len - lc_len : lc_len - ls_len) > max)
			continue;
		lc = ascii_lower(cands[i]);
		d = one_swap(ls, lc) ? 1 : ps_edit_distance(ls, lc, max);
		free(lc);
		if (d < bestd) {
			best = cands[i];
			bestd = d;
		}
	}
	free(ls);
	return best;
}

/* ---- characters ---- */

/* Decode one code point at s[*i]; 0xFFFD (and one byte) if invalid. */
static uint32_t
next_cp(const char *s, size_t len, size_t *i)
{
	uint32_t cp;

	if (ps_utf8_next(&cp, s, len, i))
		return cp;
	(*i)++;
	return 0xfffd0000u;	/* not a code point: never allowed */
}

bool
policy_tag_char_ok(uint32_t cp)
{
	if (cp < 0x80)
		return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') ||
		    (cp >= '0' && cp <= '9') || (cp && strchr(" _.:/=+-@",
		    (int)cp));
	return policy_is_letter_number_space(cp);
}

bool
policy_tag_chars_ok(const char *s, size_t len, uint32_t *bad,
    size_t *offset)
{
	size_t i = 0;

	while (i < len) {
		size_t at = i;
		uint32_t cp = next_cp(s, len, &i);
		if (!policy_tag_char_ok(cp)) {
			if (bad)
				*bad = cp == 0xfffd0000u ? 0xfffd : cp;
			if (offset)
				*offset = at;
			return false;
		}
	}
	return true;
}

/* How to show a code point in a message: 'x' or U+XXXX. */
static void
describe_cp(struct ps_buf *b, uint32_t cp)
{
	if (cp >= 0x21 && cp < 0x7f && cp != '\'')
		ps_buf_addf(b, "'%c' (U+%04X)", (int)cp, (unsigned)cp);
	else if (cp == '\t')
		ps_buf_adds(b, "a tab (U+0009)");
	else if (cp == '\n')
		ps_buf_adds(b, "a line break (U+000A)");
	else
		ps_buf_addf(b, "U+%04X", (unsigned)cp);
}

static size_t
cp_len(const char *s)
{
	long n = ps_utf8_len(s, strlen(s));

	return n < 0 ? strlen(s) : (size_t)n;
}

/* Bytes of the first n code points of s, to quote the start of a long
 * name without cutting a character in two ("%.*s"). */
static int
cp_prefix(const char *s, size_t n)
{
	size_t len = strlen(s), i = 0;

	while (i < len && n--)
		(void)next_cp(s, len, &i);
	return (int)i;
}

static bool
has_aws_prefix(const char *s)
{
	return strncasecmp(s, "aws:", 4) == 0;
}

static const char *
set_msg(char **msg, const char *rule, const char *fmt, ...) PS_PRINTF(3, 4);

static const char *
set_msg(char **msg, const char *rule, const char *fmt, ...)
{
	va_list ap;

	if (msg) {
		va_start(ap, fmt);
		*msg = xvasprintf(fmt, ap);
		va_end(ap);
	}
	return rule;
}

/* s is the key itself, or (is_value) the value of tag key */
static const char *
bad_chars(char **msg, bool is_value, const char *key, const char *s)
{
	struct ps_buf b = PS_BUF_INIT;
	uint32_t cp = 0;
	char *what;

	if (policy_tag_chars_ok(s, strlen(s), &cp, NULL))
		return NULL;
	describe_cp(&b, cp);
	what = is_value ? xasprintf("the value of tag '%s'", key) :
	    xasprintf("tag key '%s'", key);
	set_msg(msg, "invalid-characters", "%s has %s, which AWS does not "
	    "allow in tags (letters, numbers, spaces and _ . : / = + - @ "
	    "only)", what, b.ptr);
	free(what);
	ps_buf_release(&b);
	return "invalid-characters";
}

const char *
policy_check_tag_key(const char *key, char **msg)
{
	size_t n = cp_len(key);

	if (n == 0)
		return set_msg(msg, "tag-key-length", "an empty tag key; AWS "
		    "tag keys are 1 to %d characters", POLICY_TAG_KEY_MAX);
	if (n > POLICY_TAG_KEY_MAX)
		return set_msg(msg, "tag-key-length", "tag key '%.*s...' is %zu "
		    "characters; AWS allows at most %d", cp_prefix(key, 40), key,
		    n, POLICY_TAG_KEY_MAX);
	if (has_aws_prefix(key))
		return set_msg(msg, "reserved-prefix", "tag key '%s' starts with "
		    "'%.4s', a prefix AWS reserves for its own tags", key, key);
	return bad_chars(msg, false, key, key);
}

const char *
policy_check_tag_value(const char *key, const char *value, char **msg)
{
	size_t n = cp_len(value);

	if (n > POLICY_TAG_VALUE_MAX)
		return set_msg(msg, "tag-value-length", "the value of tag '%s' "
		    "is %zu characters; AWS allows at most %d", key, n,
		    POLICY_TAG_VALUE_MAX);
	if (has_aws_prefix(value))
		return set_msg(msg, "reserved-prefix", "the value of tag '%s' "
		    "starts with '%.4s', a prefix AWS reserves", key, value);
	return bad_chars(msg, true, key, value);
}

static bool
is_space_cp(uint32_t cp)
{
	return cp == '\t' || cp == '\n' || cp == '\v' || cp == '\f' ||
	    cp == '\r' || cp == 0x85 || policy_is_space_separator(cp);
}

const char *
policy_check_name(const char *name, char **msg)
{
	size_t len = strlen(name), i = 0, n;
	bool blank = true;

	if (!len)
		return set_msg(msg, "invalid-name", "a project name cannot be "
		    "empty");
	if (strcmp(name, "default") == 0)
		return set_msg(msg, "invalid-name", "'default' is the account's "
		    "default project, which projsync never manages; choose "
		    "another name");
	while (i < len) {
		uint32_t cp = next_cp(name, len, &i);
		if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0)) {
			if (cp != '\t' || !blank)
				return set_msg(msg, "invalid-name", "project "
				    "name '%s' has a control character "
				    "(U+%04X)", name, (unsigned)cp);
		}
		if (!is_space_cp(cp))
			blank = false;
	}
	if (blank)
		return set_msg(msg, "invalid-name", "a project name cannot be "
		    "only whitespace");
	if ((n = cp_len(name)) > POLICY_NAME_MAX)
		return set_msg(msg, "invalid-name", "project name '%.*s...' is "
		    "%zu characters; the limit is %d", cp_prefix(name, 40), name,
		    n, POLICY_NAME_MAX);
	return NULL;
}

const char *
policy_check_id(const char *id, char **msg)
{
	size_t i;

	if (strcmp(id, "default") == 0)
		return set_msg(msg, "invalid-id", "'default' is the account's "
		    "default project, which projsync never manages");
	if (strncmp(id, "proj_", 5) != 0 || !id[5])
		goto bad;
	for (i = 5; id[i]; i++)
		if (!((id[i] >= 'a' && id[i] <= 'z') ||
		    (id[i] >= '0' && id[i] <= '9')))
			goto bad;
	if (i > POLICY_ID_MAX)
		return set_msg(msg, "invalid-id", "id '%s' is %zu characters; "
		    "project IDs are at most %d", id, i, POLICY_ID_MAX);
	return NULL;
bad:
	return set_msg(msg, "invalid-id", "id '%s' is not a project ID "
	    "(proj_ followed by lower-case letters and digits, e.g. "
	    "proj_5d5ykleja6cwpirysbb7)", id);
}

/* ---- the compiled taxonomy ---- */

/* Regex results per distinct value: a file repeats the same few values. */
#define MEMO_MAX 4096

struct memo {
	char **keys;
	signed char *vals;
	size_t nr, used;	/* nr: a power of two */
};

struct tx_rule {
	const struct inv_tag_rule *r;
	regex_t re;
	bool has_re;
	const char **allowed;	/* sorted, for bsearch */
	struct memo *memo;
};

struct policy_taxonomy {
	const struct inventory *inv;
	struct tx_rule *rules;	/* sorted by key */
	size_t nr;
	const char **keys;	/* declared keys, file order (suggestions) */
	locale_t loc;		/* C.UTF-8 for regexes, or 0 */
	size_t *budget;		/* suggestions left (mutable behind const) */
};

static bool
spend_suggestion(const struct policy_taxonomy *tx)
{
	if (!tx || !*tx->budget)
		return false;
	(*tx->budget)--;
	return true;
}

static uint32_t
hash_str(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

/* -1 unknown, else the cached result */
static int
memo_get(struct memo *m, const char *s, size_t *slot)
{
	size_t i;

	for (i = hash_str(s) & (m->nr - 1); m->keys[i]; i = (i + 1) & (m->nr - 1))
		if (strcmp(m->keys[i], s) == 0)
			return m->vals[i];
	*slot = i;
	return -1;
}

static int
cmp_rule(const void *a, const void *b)
{
	return strcmp(((const struct tx_rule *)a)->r->key,
	    ((const struct tx_rule *)b)->r->key);
}

static int
cmp_strp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void
report(struct policy__ctx *c, const char *rule, const struct inv_pos *pos,
    const char *fmt, ...) PS_PRINTF(4, 5);

static void
report(struct policy__ctx *c, const char *rule, const struct inv_pos *pos,
    const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	policy__report(c, NULL, DIAG_ERROR, rule, pos, "%s", msg);
	free(msg);
}

static bool regex_match(const struct policy_taxonomy *tx,
    const struct tx_rule *tr, const char *value);

/*
 * regcomp() copies a bounded repetition once per count, so nested counts
 * multiply: "((a{255}){255}){255}" takes seconds and gigabytes to refuse.
 * Estimate the compiled size first (sequences add, alternatives add, a
 * count multiplies its atom) and refuse patterns past PATTERN_MAX_COST,
 * and back-references, which are not ERE and can make matching
 * exponential.  Returns a reason, or NULL when the pattern may be
 * compiled.
 */
#define PATTERN_MAX_COST	65536

struct re_scan {
	const char *p;
	const char *why;
	unsigned depth;
};

static double re_alternation(struct re_scan *s);

static double
re_atom(struct re_scan *s)
{
	double cost;

	switch (*s->p) {
	case '(':
		s->p++;
		if (++s->depth > 64) {
			s->why = "it nests groups too deeply";
			return 0;
		}
		cost = re_alternation(s);
		s->depth--;
		if (*s->p == ')')
			s->p++;
		return cost + 1;
	case '[':
		/* a bracket expression: ']' first (after '^') is literal */
		s->p++;
		if (*s->p == '^')
			s->p++;
		if (*s->p == ']')
			s->p++;
		while (*s->p && *s->p != ']') {
			if (s->p[0] == '[' && (s->p[1] == ':' || s->p[1] == '.' ||
			    s->p[1] == '=')) {
				char close = s->p[1];
				s->p += 2;
				while (*s->p && !(s->p[0] == close && s->p[1] == ']'))
					s->p++;
				if (*s->p)
					s->p += 2;
				continue;
			}
			s->p++;
		}
		if (*s->p)
			s->p++;
		return 1;
	case '\\':
		s->p++;
		if (*s->p >= '1' && *s->p <= '9') {
			s->why = "back-references (\\1 ... \\9) are not part of "
			    "POSIX extended regular expressions";
			return 0;
		}
		if (*s->p)
			s->p++;
		return 1;
	default:
		s->p++;
		return 1;
	}
}

static double
re_sequence(struct re_scan *s)
{
	double total = 0, cost;

	while (*s->p && *s->p != '|' && *s->p != ')' && !s->why) {
		cost = re_atom(s);
		for (;;) {
			if (*s->p == '*' || *s->p == '+' || *s->p == '?') {
				s->p++;
			} else if (*s->p == '{') {
				char *end;
				unsigned long lo = strtoul(s->p + 1, &end, 10), hi = lo;
				if (*end == ',') {
					if (end[1] >= '0' && end[1] <= '9')
						hi = strtoul(end + 1, &end, 10);
					else
						end++;
				}
				s->p = *end == '}' ? end + 1 : end;
				/* {0} or {0,0} still costs its copy */
				cost *= (double)(hi > lo ? hi : lo ? lo : 1);
			} else {
				break;
			}
		}
		total += cost;
	}
	return total;
}

static double
re_alternation(struct re_scan *s)
{
	double total = re_sequence(s);

	while (*s->p == '|' && !s->why) {
		s->p++;
		total += re_sequence(s);
	}
	return total;
}

static const char *
pattern_too_complex(const char *pattern)
{
	struct re_scan s = { pattern, NULL, 0 };
	double cost;

	while (*s.p && !s.why) {
		cost = re_alternation(&s);
		if (cost > PATTERN_MAX_COST)
			return "its repetition counts expand it too far (nested "
			    "{n} multiply); simplify it";
		if (*s.p == ')')
			s.p++;	/* unbalanced: regcomp reports it */
	}
	return s.why;
}

static void
compile_rule(struct policy__ctx *c, struct policy_taxonomy *tx,
    struct tx_rule *tr)
{
	const struct inv_tag_rule *r = tr->r;
	const char *rule;
	char *msg = NULL;
	size_t i;
	int rc;

	if ((rule = policy_check_tag_key(r->key, &msg))) {
		report(c, rule, &r->pos, "in the taxonomy: %s", msg);
		free(msg);
	}
	if (r->pattern && (msg = (char *)pattern_too_complex(r->pattern))) {
		report(c, "invalid-pattern", &r->pattern_pos, "pattern '%s' of "
		    "'%s' is refused: %s", r->pattern, r->key, msg);
		msg = NULL;
	} else if (r->pattern) {
		locale_t old = tx->loc ? uselocale(tx->loc) : (locale_t)0;
		rc = regcomp(&tr->re, r->pattern, REG_EXTENDED | REG_NOSUB);
		if (old)
			uselocale(old);
		if (rc != 0) {
			char err[256];
			regerror(rc, &tr->re, err, sizeof(err));
			report(c, "invalid-pattern", &r->pattern_pos, "pattern "
			    "'%s' of '%s' is not a valid POSIX extended regular "
			    "expression: %s", r->pattern, r->key, err);
		} else {
			tr->has_re = true;
			tr->memo = xcalloc(1, sizeof(*tr->memo));
			tr->memo->nr = 64;
			tr->memo->keys = xcalloc(64, sizeof(char *));
			tr->memo->vals = xcalloc(64, 1);
		}
	}
	if (!r->allowed)
		return;
	for (i = 0; i < r->allowed_nr; i++) {
		const struct inv_pos *pp = r->allowed_pos ? &r->allowed_pos[i] :
		    &r->pos;
		if ((rule = policy_check_tag_value(r->key, r->allowed[i], &msg))) {
			report(c, rule, pp, "allowed value '%s': %s",
			    r->allowed[i], msg);
			free(msg);
		}
	}
	tr->allowed = xmalloc((r->allowed_nr + 1) * sizeof(char *));
	memcpy(tr->allowed, r->allowed, r->allowed_nr * sizeof(char *));
	qsort(tr->allowed, r->allowed_nr, sizeof(char *), cmp_strp);
	/* an allowed value its own pattern refuses can never be used */
	for (i = 0; tr->has_re && i < r->allowed_nr; i++) {
		const struct inv_pos *pp = r->allowed_pos ? &r->allowed_pos[i] :
		    &r->pos;
		if (cp_len(r->allowed[i]) > POLICY_TAG_VALUE_MAX)
			continue;	/* reported above */
		if (!regex_match(tx, tr, r->allowed[i]))
			report(c, "invalid-taxonomy", pp, "allowed value '%s' of "
			    "'%s' does not match its pattern '%s'",
			    r->allowed[i], r->key, r->pattern);
	}
}

void
policy__taxonomy_compile(struct policy_taxonomy **out, struct policy__ctx *c)
{
	const struct inventory *inv = c->inv;
	const struct inv_taxonomy *t = &inv->taxonomy;
	struct policy_taxonomy *tx = xcalloc(1, sizeof(*tx));
	size_t i, j;

	tx->inv = inv;
	tx->budget = xmalloc(sizeof(*tx->budget));
	*tx->budget = SUGGEST_BUDGET;
	/* patterns match code points, whatever the process locale is */
	tx->loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	tx->rules = xcalloc(t->tags_nr + 1, sizeof(*tx->rules));
	tx->keys = xcalloc(t->tags_nr + 1, sizeof(*tx->keys));
	for (i = 0; i < t->tags_nr; i++) {
		tx->keys[i] = t->tags[i].key;
		tx->rules[i].r = &t->tags[i];
		compile_rule(c, tx, &tx->rules[i]);
	}
	tx->nr = t->tags_nr;
	qsort(tx->rules, tx->nr, sizeof(*tx->rules), cmp_rule);
	for (i = 0; i < t->required_nr; i++) {
		struct inv_pos pos = !t->required_given ? t->pos :
		    t->required_item_pos ? t->required_item_pos[i] :
		    t->required_pos;
		const char *rule;
		char *msg = NULL;
		if ((rule = policy_check_tag_key(t->required[i], &msg))) {
			report(c, rule, &pos, "in 'required': %s", msg);
			free(msg);
		}
		for (j = 0; j < i; j++)
			if (!strcmp(t->required[i], t->required[j]))
				break;
		if (j < i)
			report(c, "invalid-taxonomy", &pos, "'%s' is listed "
			    "twice in 'required'", t->required[i]);
		if (t->closed && !policy_taxonomy_rule(tx, t->required[i]))
			report(c, "invalid-taxonomy", &pos, "required key '%s' "
			    "is not declared under taxonomy.tags, which is "
			    "closed", t->required[i]);
	}
	*out = tx;
}

void
policy_taxonomy_compile(struct policy_taxonomy **out,
    const struct inventory *inv, struct diag_list *dl)
{
	struct policy__ctx c = { 0 };

	c.inv = inv;
	c.dl = dl;
	policy__taxonomy_compile(out, &c);
}

void
policy_taxonomy_free(struct policy_taxonomy *tx)
{
	size_t i, j;

	if (!tx)
		return;
	for (i = 0; i < tx->nr; i++) {
		struct tx_rule *tr = &tx->rules[i];
		if (tr->has_re)
			regfree(&tr->re);
		if (tr->memo) {
			for (j = 0; j < tr->memo->nr; j++)
				free(tr->memo->keys[j]);
			free(tr->memo->keys);
			free(tr->memo->vals);
			free(tr->memo);
		}
		free(tr->allowed);
	}
	if (tx->loc)
		freelocale(tx->loc);
	free(tx->rules);
	free(tx->keys);
	free(tx->budget);
	free(tx);
}

static const struct tx_rule *
find_rule(const struct policy_taxonomy *tx, const char *key)
{
	size_t lo = 0, hi = tx ? tx->nr : 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(tx->rules[mid].r->key, key);
		if (c == 0)
			return &tx->rules[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct inv_tag_rule *
policy_taxonomy_rule(const struct policy_taxonomy *tx, const char *key)
{
	const struct tx_rule *tr = find_rule(tx, key);

	return tr ? tr->r : NULL;
}

static bool
regex_match(const struct policy_taxonomy *tx, const struct tx_rule *tr,
    const char *value)
{
	struct memo *m = tr->memo;
	size_t slot = 0, i;
	locale_t old;
	int hit, rc;

	if ((hit = memo_get(m, value, &slot)) >= 0)
		return hit;
	old = tx->loc ? uselocale(tx->loc) : (locale_t)0;
	rc = regexec(&tr->re, value, 0, NULL, 0);
	if (old)
		uselocale(old);
	if (m->used < MEMO_MAX) {
		m->keys[slot] = xstrdup(value);
		m->vals[slot] = rc == 0;
		if (++m->used * 2 > m->nr) {
			/* grow: rehash every cached entry */
			char **ok = m->keys;
			signed char *ov = m->vals;
			size_t onr = m->nr;
			m->nr *= 2;
			m->keys = xcalloc(m->nr, sizeof(char *));
			m->vals = xcalloc(m->nr, 1);
			for (i = 0; i < onr; i++) {
				size_t s = 0;
				if (!ok[i])
					continue;
				(void)memo_get(m, ok[i], &s);
				m->keys[s] = ok[i];
				m->vals[s] = ov[i];
			}
			free(ok);
			free(ov);
		}
	}
	return rc == 0;
}

static void
list_allowed(struct ps_buf *b, const struct inv_tag_rule *r)
{
	size_t i, shown = r->allowed_nr > 8 ? 6 : r->allowed_nr;

	for (i = 0; i < shown; i++)
		ps_buf_addf(b, "%s%s", i ? ", " : "", r->allowed[i]);
	if (shown < r->allowed_nr)
		ps_buf_addf(b, " and %zu more", r->allowed_nr - shown);
}

const char *
policy_check_value(const struct policy_taxonomy *tx, const char *key,
    const char *value, char **msg)
{
	const struct tx_rule *tr = find_rule(tx, key);
	const struct inv_tag_rule *r;

	if (!tr)
		return NULL;
	r = tr->r;
	if (r->allowed && !bsearch(&value, tr->allowed, r->allowed_nr,
	    sizeof(char *), cmp_strp)) {
		const char *sug = spend_suggestion(tx) ? policy_closest(value,
		    (const char *const *)r->allowed, r->allowed_nr) : NULL;
		struct ps_buf list = PS_BUF_INIT;
		list_allowed(&list, r);
		if (sug)
			set_msg(msg, "value-not-allowed", "'%s' is not an "
			    "allowed value of '%s'; did you mean '%s'? "
			    "(allowed: %s)", value, key, sug, list.ptr);
		else
			set_msg(msg, "value-not-allowed", "'%s' is not an "
			    "allowed value of '%s' (allowed: %s)", value, key,
			    list.ptr);
		ps_buf_release(&list);
		return "value-not-allowed";
	}
	if (tr->has_re && !regex_match(tx, tr, value))
		return set_msg(msg, "pattern-mismatch", "the value '%s' of '%s' "
		    "does not match the pattern '%s'", value, key, r->pattern);
	return NULL;
}

const char *
policy_check_key_declared(const struct policy_taxonomy *tx, const char *key,
    char **msg)
{
	const char *sug;

	if (!tx || !tx->inv->taxonomy.closed || find_rule(tx, key))
		return NULL;
	sug = spend_suggestion(tx) ? policy_closest(key, tx->keys, tx->nr) :
	    NULL;
	if (sug)
		return set_msg(msg, "unknown-tag-key", "tag key '%s' is not "
		    "declared in the taxonomy, which is closed; did you mean "
		    "'%s'?", key, sug);
	return set_msg(msg, "unknown-tag-key", "tag key '%s' is not declared "
	    "in the taxonomy, which is closed; declare it under taxonomy.tags "
	    "or remove it", key);
}

/* The key of tags that resembles a missing required key, for a hint. */
static const char *
similar_key(const struct tag_set *tags, const char *want)
{
	const char **keys = xmalloc((tags->nr + 1) * sizeof(*keys));
	const char *s;
	size_t i;

	for (i = 0; i < tags->nr; i++)
		keys[i] = tags->items[i].key;
	s = policy_closest(want, keys, tags->nr);
	free(keys);
	return s;
}

void
policy__missing_required(const struct policy_taxonomy *tx,
    const struct tag_set *tags, void (*fn)(const char *key,
    const char *hint_key, bool empty, void *payload), void *payload)
{
	const struct inv_taxonomy *t = &tx->inv->taxonomy;
	size_t i;

	for (i = 0; i < t->required_nr; i++) {
		const char *v = tag_set_get(tags, t->required[i]);
		if (v && *v)
			continue;
		fn(t->required[i], v || !spend_suggestion(tx) ? NULL :
		    similar_key(tags, t->required[i]), v != NULL, payload);
	}
}

const char *
policy_misspelt_required(const struct inventory *inv,
    const struct tag_set *tags, const char *key)
{
	const struct inv_taxonomy *t = &inv->taxonomy;
	size_t i;

	if (tag_set_get(tags, key) == NULL)
		return NULL;
	for (i = 0; i < t->required_nr; i++) {
		const char *hint;

		if (!strcmp(t->required[i], key) ||
		    tag_set_get(tags, t->required[i]))
			continue;
		hint = similar_key(tags, t->required[i]);
		if (hint && !strcmp(hint, key))
			return t->required[i];
	}
	return NULL;
}

struct set_ctx {
	struct diag_list *dl;
	const char *subject, *file;
	unsigned line, col;
	size_t errors;
};

static void
set_report(struct set_ctx *s, const char *rule, const char *msg)
{
	char *full, *safe;

	s->errors++;
	if (!s->dl)
		return;
	full = xasprintf("%s: %s", s->subject, msg);
	safe = ps_printable(full, INV_MAX_MESSAGE);
	diag_add(s->dl, DIAG_ERROR, rule, s->file, s->line, s->col, "%s", safe);
	free(safe);
	free(full);
}

static void
set_missing(const char *key, const char *hint, bool empty, void *payload)
{
	struct set_ctx *s = payload;
	char *msg;

	if (empty)
		msg = xasprintf("required tag '%s' is empty", key);
	else if (hint && strcasecmp(hint, key) == 0)
		msg = xasprintf("missing required tag '%s' (there is '%s'; tag "
		    "keys are case-sensitive)", key, hint);
	else if (hint)
		msg = xasprintf("missing required tag '%s'; is '%s' a "
		    "misspelling of it?", key, hint);
	else
		msg = xasprintf("missing required tag '%s'", key);
	set_report(s, "missing-required-tag", msg);
	free(msg);
}

size_t
policy_check_tag_set(const struct policy_taxonomy *tx,
    const struct tag_set *tags, const char *subject, const char *file,
    unsigned line, unsigned col, struct diag_list *dl)
{
	struct set_ctx s = { dl, subject ? subject : "tags", file, line, col,
		0 };
	const char *rule;
	char *msg;
	size_t i;

	for (i = 0; i < tags->nr; i++) {
		const struct tag *t = &tags->items[i];
		msg = NULL;
		if ((rule = policy_check_tag_key(t->key, &msg)) ||
		    (rule = policy_check_tag_value(t->key, t->value, &msg)) ||
		    (rule = policy_check_key_declared(tx, t->key, &msg)) ||
		    (rule = policy_check_value(tx, t->key, t->value, &msg)))
			set_report(&s, rule, msg);
		free(msg);
	}
	if (tags->nr > POLICY_MAX_TAGS) {
		msg = xasprintf("%zu tags; AWS allows at most %d per project",
		    tags->nr, POLICY_MAX_TAGS);
		set_report(&s, "too-many-tags", msg);
		free(msg);
	}
	if (tx)
		policy__missing_required(tx, tags, set_missing, &s);
	return s.errors;
}
