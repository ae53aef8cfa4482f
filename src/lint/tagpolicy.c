/*
 * lint: AWS Organizations tag policies (--tag-policy FILE).
 *
 * The document is `{"tags": {"<policy key>": {"tag_key": ..., "tag_value":
 * ..., "enforced_for": ..., "report_required_tag_for": ...}}}`, either as
 * written (values under the @@assign/@@append/@@remove operators) or as an
 * effective policy (plain values).  One file is one policy: we merge its
 * own operators (assign, then append, then remove) and ignore
 * @@operators_allowed_for_child_policies, which only matters for
 * inheritance.  cJSON gives no positions, so a second pass walks the text
 * alongside the parsed tree to learn where each value starts.
 */
#include "lint/lint_int.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define TP_RULE "tag-policy-syntax"
#define TP_MAX_BYTES (4u << 20)

struct npos {
	const cJSON *node;
	size_t key_off, val_off;
};

struct parser {
	const char *name, *buf;
	size_t len;
	struct diag_list *dl;
	unsigned errors;
	struct npos *pos;
	size_t pos_nr, pos_alloc;
	struct lint_tag_policy *tp;
};

static void
offset_to_linecol(const char *buf, size_t len, size_t off, unsigned *line,
    unsigned *col)
{
	size_t i;
	unsigned l = 1, c = 1;

	if (off > len)
		off = len;
	for (i = 0; i < off; i++) {
		if (buf[i] == '\n') {
			l++, c = 1;
		} else if (((unsigned char)buf[i] & 0xc0) != 0x80) {
			c++;	/* count code points, not bytes */
		}
	}
	*line = l;
	*col = c;
}

static void PS_PRINTF(3, 4)
perr(struct parser *p, size_t off, const char *fmt, ...)
{
	struct diag *d;
	unsigned line, col;
	va_list ap;
	char *msg;

	p->errors++;
	offset_to_linecol(p->buf, p->len, off, &line, &col);
	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	d = diag_add(p->dl, DIAG_ERROR, TP_RULE, p->name, line, col, "%s", msg);
	(void)d;
	free(msg);
}

/* ---- the position walker: the text is valid JSON (cJSON said so) ---- */

/* cJSON skips every byte up to 32 as white space: so must we */
static bool
is_ws(char ch)
{
	return (unsigned char)ch <= 32;
}

static size_t
skip_ws(const struct parser *p, size_t i)
{
	while (i < p->len && is_ws(p->buf[i]))
		i++;
	return i;
}

static size_t
skip_string(const struct parser *p, size_t i)
{
	for (i++; i < p->len && p->buf[i] != '"'; i++)
		if (p->buf[i] == '\\')
			i++;
	return i + 1;
}

static void
record(struct parser *p, const cJSON *node, size_t key_off, size_t val_off)
{
	xgrow(&p->pos, &p->pos_alloc, p->pos_nr + 1, sizeof(*p->pos));
	p->pos[p->pos_nr].node = node;
	p->pos[p->pos_nr].key_off = key_off;
	p->pos[p->pos_nr].val_off = val_off;
	p->pos_nr++;
}

static size_t
walk(struct parser *p, const cJSON *node, size_t key_off, size_t i,
    unsigned depth)
{
	const cJSON *child;
	char open, close;

	i = skip_ws(p, i);
	record(p, node, key_off, i);
	if (i >= p->len || !node)
		return i;
	if (p->buf[i] == '"')
		return skip_string(p, i);
	if (p->buf[i] != '{' && p->buf[i] != '[') {
		while (i < p->len && !is_ws(p->buf[i]) &&
		    !strchr(",]}", p->buf[i]))
			i++;
		return i;
	}
	open = p->buf[i];
	close = open == '{' ? '}' : ']';
	i++;
	for (child = node->child; ; child = child ? child->next : NULL) {
		size_t k = i = skip_ws(p, i);

		if (i >= p->len || p->buf[i] == close)
			return i + 1;
		if (open == '{') {
			i = skip_ws(p, skip_string(p, i));
			i++;	/* ':' */
		}
		/* cJSON bounds nesting itself (CJSON_NESTING_LIMIT) */
		i = walk(p, child, open == '{' ? k : i, i, depth + 1);
		i = skip_ws(p, i);
		if (i < p->len && p->buf[i] == ',')
			i++;
		if (i <= k)	/* out of step with the tree: give up */
			return p->len;
	}
}

static const struct npos *
pos_of(const struct parser *p, const cJSON *node)
{
	size_t i;

	for (i = 0; i < p->pos_nr; i++)
		if (p->pos[i].node == node)
			return &p->pos[i];
	return NULL;
}

static size_t
val_off(const struct parser *p, const cJSON *node)
{
	const struct npos *np = pos_of(p, node);

	return np ? np->val_off : 0;
}

static size_t
key_off(const struct parser *p, const cJSON *node)
{
	const struct npos *np = pos_of(p, node);

	return np ? np->key_off : 0;
}

/* ---- the policy ---- */

static const char *const key_fields[] = {
	"tag_key", "tag_value", "enforced_for", "report_required_tag_for",
	"@@operators_allowed_for_child_policies",
};

static const char *
suggest(const char *s, const char *const *cands, size_t n)
{
	size_t i, best = 3, d;
	const char *pick = NULL;

	for (i = 0; i < n; i++) {
		if (strcasecmp(s, cands[i]) == 0)
			return cands[i];
		d = ps_edit_distance(s, cands[i], 3);
		if (d < best)
			best = d, pick = cands[i];
	}
	return pick;
}

static void
unknown_field(struct parser *p, const cJSON *item, const char *where,
    const char *const *cands, size_t n)
{
	const char *s = suggest(item->string, cands, n);

	if (s)
		perr(p, key_off(p, item), "unknown field '%s' in %s "
		    "(did you mean '%s'?)", item->string, where, s);
	else
		perr(p, key_off(p, item), "unknown field '%s' in %s",
		    item->string, where);
}

static void
check_dup_members(struct parser *p, const cJSON *obj, const char *where)
{
	const cJSON *a, *b;

	for (a = obj->child; a; a = a->next)
		for (b = a->next; b; b = b->next)
			if (a->string && b->string &&
			    strcmp(a->string, b->string) == 0)
				perr(p, key_off(p, b), "duplicate key '%s' in %s",
				    b->string, where);
}

struct strlist {
	char **items;
	size_t nr, alloc;
};

static void
strlist_add(struct strlist *l, const char *s)
{
	size_t i;

	for (i = 0; i < l->nr; i++)
		if (strcmp(l->items[i], s) == 0)
			return;
	xgrow(&l->items, &l->alloc, l->nr + 1, sizeof(*l->items));
	l->items[l->nr++] = xstrdup(s);
}

static void
strlist_remove(struct strlist *l, const char *s)
{
	size_t i;

	for (i = 0; i < l->nr; i++)
		if (strcmp(l->items[i], s) == 0) {
			free(l->items[i]);
			memmove(&l->items[i], &l->items[i + 1],
			    (l->nr - i - 1) * sizeof(*l->items));
			l->nr--;
			return;
		}
}

static void
strlist_release(struct strlist *l)
{
	size_t i;

	for (i = 0; i < l->nr; i++)
		free(l->items[i]);
	free(l->items);
	l->items = NULL;
	l->nr = l->alloc = 0;
}

/* One string or a list of strings, checked by check(); into l (or out of
 * it when removing). */
static void
take_strings(struct parser *p, const cJSON *v, const char *what,
    struct strlist *l, bool remove,
    void (*check)(struct parser *, const cJSON *, const char *))
{
	const cJSON *e;

	if (cJSON_IsString(v)) {
		check(p, v, what);
		remove ? strlist_remove(l, v->valuestring) :
		    strlist_add(l, v->valuestring);
		return;
	}
	if (!cJSON_IsArray(v)) {
		perr(p, val_off(p, v), "%s must be a string or a list of strings",
		    what);
		return;
	}
	for (e = v->child; e; e = e->next) {
		if (!cJSON_IsString(e)) {
			perr(p, val_off(p, e), "%s must list strings only", what);
			continue;
		}
		check(p, e, what);
		remove ? strlist_remove(l, e->valuestring) :
		    strlist_add(l, e->valuestring);
	}
}

static void
check_value(struct parser *p, const cJSON *v, const char *what)
{
	const char *s = v->valuestring, *star = strchr(s, '*');

	if (star && strchr(star + 1, '*'))
		perr(p, val_off(p, v), "%s value '%s' has more than one '*' "
		    "wildcard (AWS allows one per value)", what, s);
	if (ps_utf8_len(s, strlen(s)) > 256)
		perr(p, val_off(p, v), "%s value is longer than 256 characters",
		    what);
}

static void
check_resource(struct parser *p, const cJSON *v, const char *what)
{
	const char *s = v->valuestring, *colon = strchr(s, ':');

	if (!colon || colon == s || !colon[1])
		perr(p, val_off(p, v), "%s entry '%s' is not of the form "
		    "service:resourceType (or service:ALL_SUPPORTED)", what, s);
}

/*
 * A list-valued field: a plain list (effective policy) or an object of
 * operators.  Returns true when the field was usable.
 */
static bool
take_list(struct parser *p, const cJSON *v, const char *what,
    struct strlist *l,
    void (*check)(struct parser *, const cJSON *, const char *))
{
	static const char *const ops[] = { "@@assign", "@@append", "@@remove",
		"@@operators_allowed_for_child_policies" };
	const cJSON *op, *assign, *append, *rm;
	unsigned before = p->errors;

	if (!cJSON_IsObject(v)) {
		take_strings(p, v, what, l, false, check);
		return p->errors == before;
	}
	check_dup_members(p, v, what);
	for (op = v->child; op; op = op->next)
		if (!op->string || (strcmp(op->string, ops[0]) &&
		    strcmp(op->string, ops[1]) && strcmp(op->string, ops[2]) &&
		    strcmp(op->string, ops[3])))
			unknown_field(p, op, what, ops, PS_ARRAY_SIZE(ops));
	assign = cJSON_GetObjectItemCaseSensitive(v, "@@assign");
	append = cJSON_GetObjectItemCaseSensitive(v, "@@append");
	rm = cJSON_GetObjectItemCaseSensitive(v, "@@remove");
	if (assign)
		take_strings(p, assign, what, l, false, check);
	if (append)
		take_strings(p, append, what, l, false, check);
	if (rm)
		take_strings(p, rm, what, l, true, check);
	if (!assign && !append && !rm)
		perr(p, val_off(p, v), "%s has no @@assign, @@append or "
		    "@@remove", what);
	return p->errors == before;
}

static bool
covers_project(const struct strlist *l)
{
	size_t i;

	for (i = 0; i < l->nr; i++)
		if (!strcmp(l->items[i], LINT_POLICY_RESOURCE) ||
		    !strcmp(l->items[i], "bedrock-mantle:ALL_SUPPORTED") ||
		    !strcmp(l->items[i], "bedrock-mantle:*"))
			return true;
	return false;
}

static void
parse_key(struct parser *p, const cJSON *item)
{
	struct lint__tp_key k = { 0 };
	struct strlist values = { 0 }, enf = { 0 }, req = { 0 };
	const cJSON *f, *tk;
	char *what;
	size_t i;

	what = xasprintf("tags.%s", item->string);
	if (!cJSON_IsObject(item)) {
		perr(p, val_off(p, item), "%s must be an object", what);
		goto out;
	}
	check_dup_members(p, item, what);
	for (f = item->child; f; f = f->next) {
		bool known = false;
		for (i = 0; i < PS_ARRAY_SIZE(key_fields); i++)
			known |= f->string && !strcmp(f->string, key_fields[i]);
		if (!known)
			unknown_field(p, f, what, key_fields,
			    PS_ARRAY_SIZE(key_fields));
	}
	k.policy_key = xstrdup(item->string);
	offset_to_linecol(p->buf, p->len, key_off(p, item), &k.line, &k.col);

	/* tag_key: "X" or {"@@assign": "X"}; absent means lower case */
	tk = cJSON_GetObjectItemCaseSensitive(item, "tag_key");
	if (tk && cJSON_IsObject(tk)) {
		const cJSON *op;
		for (op = tk->child; op; op = op->next)
			if (op->string && strcmp(op->string, "@@assign") &&
			    strcmp(op->string,
			    "@@operators_allowed_for_child_policies"))
				perr(p, key_off(p, op), "%s.tag_key supports only "
				    "@@assign, not '%s'", what, op->string);
		tk = cJSON_GetObjectItemCaseSensitive(tk, "@@assign");
		if (!tk)
			perr(p, val_off(p, cJSON_GetObjectItemCaseSensitive(item,
			    "tag_key")), "%s.tag_key has no @@assign", what);
	}
	if (tk && !cJSON_IsString(tk)) {
		perr(p, val_off(p, tk), "%s.tag_key must be a string", what);
		tk = NULL;
	}
	if (tk) {
		size_t n = strlen(tk->valuestring);
		if (strcasecmp(tk->valuestring, item->string) != 0)
			perr(p, val_off(p, tk), "%s.tag_key '%s' must equal the "
			    "policy key '%s' ignoring case", what,
			    tk->valuestring, item->string);
		else if (n == 0 || ps_utf8_len(tk->valuestring, n) > 128)
			perr(p, val_off(p, tk), "%s.tag_key must be 1 to 128 "
			    "characters", what);
		k.tag_key = xstrdup(tk->valuestring);
	} else {
		char *s = k.tag_key = xstrdup(item->string);
		for (; *s; s++)
			if (*s >= 'A' && *s <= 'Z')
				*s = (char)(*s - 'A' + 'a');
	}

	if ((f = cJSON_GetObjectItemCaseSensitive(item, "tag_value"))) {
		char *w = xasprintf("%s.tag_value", what);
		take_list(p, f, w, &values, check_value);
		k.has_values = true;
		free(w);
	}
	if ((f = cJSON_GetObjectItemCaseSensitive(item, "enforced_for"))) {
		char *w = xasprintf("%s.enforced_for", what);
		take_list(p, f, w, &enf, check_resource);
		k.enforced = covers_project(&enf);
		free(w);
	}
	if ((f = cJSON_GetObjectItemCaseSensitive(item,
	    "report_required_tag_for"))) {
		char *w = xasprintf("%s.report_required_tag_for", what);
		take_list(p, f, w, &req, check_resource);
		k.required = covers_project(&req);
		free(w);
	}
	k.values = values.items;	/* moved into k */
	k.values_nr = values.nr;
	values.items = NULL;
	values.nr = 0;
	xgrow(&p->tp->keys, &p->tp->alloc, p->tp->nr + 1,
	    sizeof(*p->tp->keys));
	p->tp->keys[p->tp->nr++] = k;	/* moved */
out:
	free(what);
	strlist_release(&values);
	strlist_release(&enf);
	strlist_release(&req);
}

static void
key_release(struct lint__tp_key *k)
{
	size_t i;

	free(k->policy_key);
	free(k->tag_key);
	for (i = 0; i < k->values_nr; i++)
		free(k->values[i]);
	free(k->values);
}

void
lint_tag_policy_free(struct lint_tag_policy *tp)
{
	size_t i;

	if (!tp)
		return;
	for (i = 0; i < tp->nr; i++)
		key_release(&tp->keys[i]);
	free(tp->keys);
	free(tp->name);
	free(tp);
}

size_t
lint_tag_policy_keys(const struct lint_tag_policy *tp)
{
	return tp ? tp->nr : 0;
}

int
lint_tag_policy_parse(struct lint_tag_policy **out, const char *name,
    const char *buf, size_t len, struct diag_list *dl)
{
	static const char *const top_fields[] = { "tags" };
	struct parser p = { 0 };
	const char *end = NULL;
	cJSON *root = NULL;
	const cJSON *tags, *item, *f;
	size_t start = 0;

	*out = NULL;
	p.name = name;
	p.buf = buf;
	p.len = len;
	p.dl = dl;
	p.tp = xcalloc(1, sizeof(*p.tp));
	p.tp->name = xstrdup(name);

	if (len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3))
		start = 3;	/* a UTF-8 byte-order mark, as cJSON skips */
	if (len > TP_MAX_BYTES) {
		perr(&p, 0, "the tag policy is larger than %u bytes",
		    TP_MAX_BYTES);
		goto out;
	}
	if (memchr(buf, '\0', len)) {
		perr(&p, (size_t)((const char *)memchr(buf, '\0', len) - buf),
		    "the tag policy contains a NUL byte");
		goto out;
	}
	root = cJSON_ParseWithLengthOpts(buf, len, &end, 0);
	if (!root) {
		size_t off = end && end >= buf ? (size_t)(end - buf) : 0;

		/* cJSON may stop on the blank after the bad token */
		while (off > 0 && off < len && is_ws(buf[off]) &&
		    !is_ws(buf[off - 1]))
			off--;
		perr(&p, off, "invalid JSON%s", off >= len ?
		    ": unexpected end of file" : "");
		goto out;
	}
	if (end && (size_t)(end - buf) < len &&
	    skip_ws(&p, (size_t)(end - buf)) < len) {
		perr(&p, skip_ws(&p, (size_t)(end - buf)),
		    "invalid JSON: unexpected text after the document");
		goto out;
	}
	walk(&p, root, start, start, 0);

	if (!cJSON_IsObject(root)) {
		perr(&p, val_off(&p, root), "a tag policy must be a JSON object "
		    "with a \"tags\" field");
		goto out;
	}
	check_dup_members(&p, root, "the policy");
	for (f = root->child; f; f = f->next)
		if (strcmp(f->string, "tags"))
			unknown_field(&p, f, "the policy", top_fields, 1);
	tags = cJSON_GetObjectItemCaseSensitive(root, "tags");
	if (!tags) {
		perr(&p, val_off(&p, root), "the policy has no \"tags\" field");
		goto out;
	}
	if (!cJSON_IsObject(tags)) {
		perr(&p, val_off(&p, tags), "\"tags\" must be an object");
		goto out;
	}
	for (item = tags->child; item; item = item->next) {
		const cJSON *other;
		bool dup = false;

		/* AWS compares policy keys ignoring case */
		for (other = tags->child; other != item; other = other->next)
			dup |= strcasecmp(other->string, item->string) == 0;
		if (dup)
			perr(&p, key_off(&p, item), "policy key '%s' is declared "
			    "twice (policy keys are compared ignoring case)",
			    item->string);
		else
			parse_key(&p, item);
	}
out:
	cJSON_Delete(root);
	free(p.pos);
	if (p.errors) {
		lint_tag_policy_free(p.tp);
		return ps_error(PS_EINVALID, "'%s' is not a valid tag policy: "
		    "%u error%s", name, p.errors, p.errors == 1 ? "" : "s");
	}
	*out = p.tp;
	return 0;
}

int
lint_tag_policy_load(struct lint_tag_policy **out, const char *path,
    struct diag_list *dl)
{
	struct ps_buf b = PS_BUF_INIT;
	int err;

	*out = NULL;
	if ((err = ps_read_file(&b, path, TP_MAX_BYTES)) < 0) {
		ps_buf_release(&b);
		return err;
	}
	err = lint_tag_policy_parse(out, path, ps_buf_cstr(&b), b.len, dl);
	ps_buf_release(&b);
	return err;
}

const struct lint__tp_key *
lint__tp_find(const struct lint_tag_policy *tp, const char *k)
{
	size_t i;

	for (i = 0; tp && i < tp->nr; i++)
		if (strcasecmp(tp->keys[i].tag_key, k) == 0)
			return &tp->keys[i];
	return NULL;
}

bool
lint__tp_value_ok(const struct lint__tp_key *k, const char *v)
{
	size_t i;

	if (!k->has_values)
		return true;
	for (i = 0; i < k->values_nr; i++)
		if (ps_glob_match(k->values[i], v))
			return true;
	return false;
}

void
lint__tp_values_list(struct ps_buf *out, const struct lint__tp_key *k)
{
	size_t i;

	if (k->values_nr == 0) {
		ps_buf_adds(out, "none");
		return;
	}
	for (i = 0; i < k->values_nr && i < 8; i++)
		ps_buf_addf(out, "%s'%s'", i ? ", " : "", k->values[i]);
	if (k->values_nr > 8)
		ps_buf_addf(out, ", ... (%zu in all)", k->values_nr);
}
