/*
 * inventory: libyaml events → a compact node tree, with the limits that
 * make hostile input cheap to reject (encoding, size, depth, aliases).
 */
#include "inventory/tree.h"

#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* ---- pool ---- */

struct inv_pool_chunk {
	struct inv_pool_chunk *next;
	size_t used, size;
	max_align_t data[];
};

#define POOL_CHUNK (256u << 10)

void *
inventory__pool_alloc(struct inv_pool *p, size_t n, size_t align)
{
	struct inv_pool_chunk *c = p->head;
	size_t at;

	if (c) {
		at = (c->used + align - 1) & ~(align - 1);
		if (at + n <= c->size) {
			c->used = at + n;
			p->total += n;
			return (char *)c->data + at;
		}
	}
	/* Big requests get a chunk of their own, behind the current one, so
	 * the space left in the current chunk is not wasted. */
	if (n > POOL_CHUNK / 4) {
		struct inv_pool_chunk *big = xmalloc(sizeof(*big) + n);
		big->size = big->used = n;
		if (c) {
			big->next = c->next;
			c->next = big;
		} else {
			big->next = NULL;
			p->head = big;
		}
		p->total += n;
		return big->data;
	}
	c = xmalloc(sizeof(*c) + POOL_CHUNK);
	c->size = POOL_CHUNK;
	c->used = n;
	c->next = p->head;
	p->head = c;
	p->total += n;
	return c->data;
}

char *
inventory__pool_strndup(struct inv_pool *p, const char *s, size_t n)
{
	char *r = inventory__pool_alloc(p, n + 1, 1);

	memcpy(r, s, n);
	r[n] = '\0';
	return r;
}

char *
inventory__pool_strdup(struct inv_pool *p, const char *s)
{
	return s ? inventory__pool_strndup(p, s, strlen(s)) : NULL;
}

void
inventory__pool_release(struct inv_pool *p)
{
	struct inv_pool_chunk *c, *next;

	for (c = p->head; c; c = next) {
		next = c->next;
		free(c);
	}
	p->head = NULL;
	p->total = 0;
}

/* ---- diagnostics ---- */

static void
vreport(struct ydiag *yd, enum diag_level level, const char *rule,
    unsigned line, unsigned col, const char *fmt, va_list ap)
    PS_PRINTF(6, 0);

static void
vreport(struct ydiag *yd, enum diag_level level, const char *rule,
    unsigned line, unsigned col, const char *fmt, va_list ap)
{
	char *msg, *safe;

	if (level == DIAG_ERROR)
		yd->errors++;
	if (!yd->dl)
		return;
	msg = xvasprintf(fmt, ap);
	safe = ps_printable(msg, INV_MAX_MESSAGE);
	diag_add(yd->dl, level, rule, yd->file, line, col, "%s", safe);
	free(safe);
	free(msg);
}

void
inventory__error(struct ydiag *yd, const char *rule, unsigned line,
    unsigned col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(yd, DIAG_ERROR, rule, line, col, fmt, ap);
	va_end(ap);
}

void
inventory__warning(struct ydiag *yd, const char *rule, unsigned line,
    unsigned col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(yd, DIAG_WARNING, rule, line, col, fmt, ap);
	va_end(ap);
}

/* ---- positions and encoding ---- */

void
inventory__offset_pos(const char *buf, size_t len, size_t off,
    unsigned *line, unsigned *col)
{
	const unsigned char *p = (const unsigned char *)buf;
	unsigned l = 1, c = 1;
	size_t i;

	if (off > len)
		off = len;
	for (i = 0; i < off; i++) {
		if (p[i] == '\n' || (p[i] == '\r' && (i + 1 >= len ||
		    p[i + 1] != '\n'))) {
			l++;
			c = 1;
		} else if ((p[i] & 0xc0) != 0x80 && p[i] != '\r') {
			c++;	/* count code points, as libyaml does */
		}
	}
	*line = l;
	*col = c;
}

/* Byte offset of a libyaml mark (0-based line, column in code points). */
static size_t
mark_offset(const char *buf, size_t len, size_t line, size_t col)
{
	const unsigned char *p = (const unsigned char *)buf;
	size_t i = 0, l = 0, c = 0;

	while (i < len && l < line) {
		if (p[i] == '\n' || (p[i] == '\r' && (i + 1 >= len ||
		    p[i + 1] != '\n')))
			l++;
		i++;
	}
	while (i < len && c < col) {
		i++;
		while (i < len && (p[i] & 0xc0) == 0x80)
			i++;
		c++;
	}
	return i;
}

/*
 * libyaml checks the encoding too, but reports byte offsets without a
 * line; checking first gives a position and a clear message, and keeps a
 * NUL byte from ending the input early.
 */
static int
check_encoding(struct ydiag *yd, const char *buf, size_t len)
{
	const unsigned char *p = (const unsigned char *)buf;
	size_t i = 0;
	unsigned line, col;

	if (len >= 2 && ((p[0] == 0xff && p[1] == 0xfe) ||
	    (p[0] == 0xfe && p[1] == 0xff))) {
		inventory__error(yd, "invalid-encoding", 1, 1,
		    "the file is UTF-16; save it as UTF-8");
		return PS_EINVALID;
	}
	while (i < len) {
		uint32_t cp;

		if (p[i] >= 0x01 && p[i] < 0x80) {	/* the common case, inline */
			i++;
			continue;
		}
		if (p[i] == 0) {
			inventory__offset_pos(buf, len, i, &line, &col);
			inventory__error(yd, "invalid-encoding", line, col,
			    "NUL byte in the file; an inventory is UTF-8 text");
			return PS_EINVALID;
		}
		if (!ps_utf8_next(&cp, buf, len, &i))
			goto bad;
	}
	return 0;
bad:
	inventory__offset_pos(buf, len, i, &line, &col);
	inventory__error(yd, "invalid-encoding", line, col,
	    "invalid UTF-8 (byte 0x%02X); save the file as UTF-8", p[i]);
	return PS_EINVALID;
}

/* ---- scalar resolution ---- */

static bool
is_one_of(const char *s, size_t n, const char *const *words)
{
	for (; *words; words++)
		if (strlen(*words) == n && memcmp(*words, s, n) == 0)
			return true;
	return false;
}

static bool
all_of(const char *s, size_t n, const char *set)
{
	size_t i;

	if (!n)
		return false;
	for (i = 0; i < n; i++)
		if (!strchr(set, s[i]))
			return false;
	return true;
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* [-+]?[0-9][0-9_]*(:[0-5]?[0-9])*, YAML 1.1 decimal and sexagesimal */
static bool
is_decimalish(const char *s, size_t n, bool sexagesimal)
{
	size_t i = 0;

	if (i < n && (s[i] == '-' || s[i] == '+'))
		i++;
	if (i >= n || !is_digit(s[i]))
		return false;
	while (i < n && (is_digit(s[i]) || s[i] == '_'))
		i++;
	while (sexagesimal && i < n && s[i] == ':') {
		size_t start = ++i;
		while (i < n && is_digit(s[i]))
			i++;
		/* base 60: each part is 0 to 59 */
		if (i == start || i - start > 2 ||
		    (i - start == 2 && s[start] > '5'))
			return false;
	}
	return i == n;
}

static bool
is_float(const char *s, size_t n)
{
	static const char *const special[] = { ".inf", ".Inf", ".INF",
		"-.inf", "-.Inf", "-.INF", "+.inf", "+.Inf", "+.INF", ".nan",
		".NaN", ".NAN", NULL };
	size_t i = 0, digits = 0;

	if (is_one_of(s, n, special))
		return true;
	if (i < n && (s[i] == '-' || s[i] == '+'))
		i++;
	while (i < n && (is_digit(s[i]) || s[i] == '_'))
		digits += is_digit(s[i++]);
	if (i < n && s[i] == '.') {
		i++;
		while (i < n && (is_digit(s[i]) || s[i] == '_'))
			digits += is_digit(s[i++]);
	}
	if (!digits)
		return false;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		size_t start;
		i++;
		if (i < n && (s[i] == '-' || s[i] == '+'))
			i++;
		start = i;
		while (i < n && is_digit(s[i]))
			i++;
		if (i == start)
			return false;
	}
	return i == n;
}

enum yscalar_kind
inventory__resolve_plain(const char *s, size_t n)
{
	static const char *const words[] = { "~", "null", "Null", "NULL",
		"true", "True", "TRUE", "false", "False", "FALSE", "yes", "Yes",
		"YES", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF",
		NULL };
	size_t i;

	if (!n)
		return YK_NULL;
	/* most values start with another letter: skip the word list */
	if (n <= 5 && strchr("~nNtTfFyYoO", s[0])) {
		for (i = 0; words[i]; i++)
			if (strlen(words[i]) == n && !memcmp(words[i], s, n))
				return i < 4 ? YK_NULL : YK_BOOL;
	}
	if (!(is_digit(s[0]) || s[0] == '-' || s[0] == '+' ||
	    s[0] == '.'))
		return YK_STR;
	if (is_decimalish(s, n, true))
		return YK_INT;
	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') &&
	    all_of(s + 2, n - 2, "0123456789abcdefABCDEF_"))
		return YK_INT;
	if (n > 2 && s[0] == '0' && (s[1] == 'o' || s[1] == 'O') &&
	    all_of(s + 2, n - 2, "01234567_"))
		return YK_INT;
	if (n > 2 && s[0] == '0' && (s[1] == 'b' || s[1] == 'B') &&
	    all_of(s + 2, n - 2, "01_"))
		return YK_INT;
	if (is_float(s, n))
		return YK_FLOAT;
	return YK_STR;
}

/* ---- the event loop ---- */

struct frame {
	uint8_t type;
	uint32_t line, col;
	size_t base;		/* first child in the kids stack */
	char *anchor;		/* owned, or NULL */
	uint64_t weight0;
	bool unknown_tag;	/* reported; the loader skips it */
};

struct anchor {
	char *name;		/* owned */
	struct ynode node;
	uint64_t weight;	/* nodes an alias to it expands to */
};

struct builder {
	struct ytree *t;
	struct inv_pool *strings;
	struct ydiag *yd;
	const char *buf;
	size_t len;
	struct ynode *kids;	/* stack of finished nodes awaiting a parent */
	size_t kids_nr, kids_alloc;
	struct frame *frames;
	size_t frames_nr, frames_alloc;
	struct anchor *anchors;
	size_t anchors_nr, anchors_alloc;
	uint32_t *slots;	/* open-addressing index into anchors */
	size_t slots_nr;	/* power of two */
	uint64_t nodes;		/* nodes created */
	uint64_t weight;	/* nodes including alias expansions */
	uint64_t alias_nodes;	/* nodes reached through aliases */
	unsigned docs;
};

static uint32_t
hash_str(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

static struct anchor *
anchor_find(struct builder *b, const char *name)
{
	size_t i;

	if (!b->slots_nr)
		return NULL;
	for (i = hash_str(name) & (b->slots_nr - 1); b->slots[i];
	    i = (i + 1) & (b->slots_nr - 1)) {
		struct anchor *a = &b->anchors[b->slots[i] - 1];
		if (strcmp(a->name, name) == 0)
			return a;
	}
	return NULL;
}

static void
anchor_index(struct builder *b, size_t idx)
{
	size_t i;

	for (i = hash_str(b->anchors[idx].name) & (b->slots_nr - 1);
	    b->slots[i]; i = (i + 1) & (b->slots_nr - 1))
		;
	b->slots[i] = (uint32_t)idx + 1;
}

/* Define (or, as YAML allows, redefine) an anchor. */
static void
anchor_set(struct builder *b, const char *name, const struct ynode *node,
    uint64_t weight)
{
	struct anchor *a = anchor_find(b, name);
	size_t i;

	if (a) {
		a->node = *node;
		a->weight = weight;
		return;
	}
	if ((b->anchors_nr + 1) * 2 > b->slots_nr) {
		b->slots_nr = b->slots_nr ? b->slots_nr * 2 : 64;
		free(b->slots);
		b->slots = xcalloc(b->slots_nr, sizeof(*b->slots));
		for (i = 0; i < b->anchors_nr; i++)
			anchor_index(b, i);
	}
	xgrow(&b->anchors, &b->anchors_alloc, b->anchors_nr + 1,
	    sizeof(*b->anchors));
	a = &b->anchors[b->anchors_nr];
	a->name = xstrdup(name);
	a->node = *node;
	a->weight = weight;
	anchor_index(b, b->anchors_nr++);
}

static int
count_node(struct builder *b, const yaml_mark_t *m)
{
	b->weight++;
	if (++b->nodes > INV_MAX_NODES) {
		inventory__error(b->yd, "file-too-large", (unsigned)m->line + 1,
		    (unsigned)m->column + 1, "more than %u YAML nodes; split "
		    "the inventory with 'include'", INV_MAX_NODES);
		return PS_EINVALID;
	}
	return 0;
}

static void
push_kid(struct builder *b, const struct ynode *n)
{
	xgrow(&b->kids, &b->kids_alloc, b->kids_nr + 1, sizeof(*b->kids));
	b->kids[b->kids_nr++] = *n;
}

static enum yscalar_kind
tag_kind(struct builder *b, const char *tag, const yaml_mark_t *m,
    bool collection)
{
	static const char core[] = "tag:yaml.org,2002:";
	const char *t;

	if (!tag || strcmp(tag, "!") == 0)
		return YK_STR;
	if (strncmp(tag, core, sizeof(core) - 1) == 0) {
		t = tag + sizeof(core) - 1;
		if (collection && (!strcmp(t, "map") || !strcmp(t, "seq")))
			return YK_STR;
		if (!collection) {
			if (!strcmp(t, "str"))
				return YK_STR;
			if (!strcmp(t, "int"))
				return YK_INT;
			if (!strcmp(t, "float"))
				return YK_FLOAT;
			if (!strcmp(t, "bool"))
				return YK_BOOL;
			if (!strcmp(t, "null"))
				return YK_NULL;
		}
		inventory__error(b->yd, "invalid-type", (unsigned)m->line + 1,
		    (unsigned)m->column + 1, "unsupported YAML tag '!!%s'", t);
		return YK_UNKNOWN_TAG;
	}
	inventory__error(b->yd, "invalid-type", (unsigned)m->line + 1,
	    (unsigned)m->column + 1, "unsupported YAML tag '%s'; an "
	    "inventory holds plain mappings, lists and strings", tag);
	return YK_UNKNOWN_TAG;
}

static int
on_scalar(struct builder *b, const yaml_event_t *ev)
{
	const yaml_mark_t *m = &ev->start_mark;
	struct ynode n = { 0 };
	const char *v = (const char *)ev->data.scalar.value;
	size_t len = ev->data.scalar.length;
	int err;

	if ((err = count_node(b, m)) < 0)
		return err;
	n.type = YN_SCALAR;
	n.line = (uint32_t)m->line + 1;
	n.col = (uint32_t)m->column + 1;
	if (ev->data.scalar.tag) {
		n.kind = tag_kind(b, (const char *)ev->data.scalar.tag, m, false);
	} else if (ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
		n.flags |= YN_PLAIN;
		n.kind = inventory__resolve_plain(v, len);
		if (len == 2 && v[0] == '<' && v[1] == '<')
			n.flags |= YN_MERGE;
	}
	if (memchr(v, '\0', len)) {
		inventory__error(b->yd, "invalid-encoding", n.line, n.col,
		    "a string holds a NUL character (\\0)");
		len = strlen(v);
	}
	if (len > UINT32_MAX)
		len = UINT32_MAX;
	n.u.str = inventory__pool_strndup(b->strings, v, len);
	n.n = (uint32_t)len;
	if (ev->data.scalar.anchor)
		anchor_set(b, (const char *)ev->data.scalar.anchor, &n, 1);
	push_kid(b, &n);
	return 0;
}

static int
on_alias(struct builder *b, const yaml_event_t *ev)
{
	const yaml_mark_t *m = &ev->start_mark;
	const char *name = (const char *)ev->data.alias.anchor;
	struct anchor *a = anchor_find(b, name);
	struct ynode n;
	size_t i;

	if (!a) {
		for (i = 0; i < b->frames_nr; i++)
			if (b->frames[i].anchor &&
			    strcmp(b->frames[i].anchor, name) == 0)
				break;
		inventory__error(b->yd, i < b->frames_nr ? "alias-limit" :
		    "yaml-syntax", (unsigned)m->line + 1, (unsigned)m->column + 1,
		    i < b->frames_nr ? "alias '*%s' refers to a node that "
		    "contains it (a recursive structure)" : "unknown alias "
		    "'*%s'; define the anchor '&%s' before using it", name,
		    name);
		return PS_EINVALID;
	}
	b->alias_nodes += a->weight;
	b->weight += a->weight;
	if (b->alias_nodes > INV_MAX_ALIAS_NODES) {
		inventory__error(b->yd, "alias-limit", (unsigned)m->line + 1,
		    (unsigned)m->column + 1, "aliases expand to more than %u "
		    "nodes (a \"billion laughs\" file?); use fewer, smaller "
		    "aliases", INV_MAX_ALIAS_NODES);
		return PS_EINVALID;
	}
	n = a->node;
	n.flags |= YN_ALIAS;
	n.line = (uint32_t)m->line + 1;
	n.col = (uint32_t)m->column + 1;
	push_kid(b, &n);
	return 0;
}

static int
on_start(struct builder *b, const yaml_event_t *ev, uint8_t type)
{
	const yaml_mark_t *m = &ev->start_mark;
	const yaml_char_t *anchor, *tag;
	struct frame *f;
	bool unknown_tag = false;
	int err;

	if (type == YN_MAP) {
		anchor = ev->data.mapping_start.anchor;
		tag = ev->data.mapping_start.tag;
	} else {
		anchor = ev->data.sequence_start.anchor;
		tag = ev->data.sequence_start.tag;
	}
	if (b->frames_nr >= INV_MAX_DEPTH) {
		inventory__error(b->yd, "nesting-limit", (unsigned)m->line + 1,
		    (unsigned)m->column + 1, "nesting deeper than %d levels",
		    INV_MAX_DEPTH);
		return PS_EINVALID;
	}
	if ((err = count_node(b, m)) < 0)
		return err;
	if (tag && tag_kind(b, (const char *)tag, m, true) == YK_UNKNOWN_TAG)
		unknown_tag = true;
	xgrow(&b->frames, &b->frames_alloc, b->frames_nr + 1,
	    sizeof(*b->frames));
	f = &b->frames[b->frames_nr++];
	f->type = type;
	f->line = (uint32_t)m->line + 1;
	f->col = (uint32_t)m->column + 1;
	f->base = b->kids_nr;
	f->anchor = anchor ? xstrdup((const char *)anchor) : NULL;
	f->weight0 = b->weight;
	f->unknown_tag = unknown_tag;
	return 0;
}

static int
cmp_key_ptr(const void *pa, const void *pb)
{
	const struct ynode *a = *(const struct ynode *const *)pa;
	const struct ynode *b = *(const struct ynode *const *)pb;
	int c = strcmp(a->u.str, b->u.str);

	/* ties in file order, so the first one is reported as the original */
	if (c)
		return c;
	return a < b ? -1 : a > b;
}

static void
report_dup(struct builder *b, const struct ynode *first,
    const struct ynode *again)
{
	inventory__error(b->yd, "duplicate-key", again->line, again->col,
	    "duplicate key '%s' (first at line %u, column %u); a key may "
	    "appear once per mapping", again->u.str, first->line, first->col);
}

/* Keys of a finished mapping: scalars, and each at most once. */
static void
check_keys(struct builder *b, const struct ynode *kids, size_t n)
{
	const struct ynode **keys;
	size_t i, j, nk = 0;

	keys = xmalloc((n / 2 + 1) * sizeof(*keys));
	for (i = 0; i < n; i += 2) {
		const struct ynode *k = &kids[i];
		if (k->type != YN_SCALAR) {
			inventory__error(b->yd, "invalid-type", k->line, k->col,
			    "a mapping key must be a plain string, not a %s",
			    k->type == YN_MAP ? "mapping" : "list");
			continue;
		}
		if (k->flags & YN_MERGE)
			continue;	/* several `<<` are unusual but harmless */
		keys[nk++] = k;
	}
	if (nk <= 16) {
		for (i = 1; i < nk; i++)
			for (j = 0; j < i; j++)
				if (strcmp(keys[i]->u.str, keys[j]->u.str) == 0) {
					report_dup(b, keys[j], keys[i]);
					break;
				}
	} else {
		/* large mappings: sort instead of comparing every pair */
		qsort(keys, nk, sizeof(*keys), cmp_key_ptr);
		for (i = 1, j = 0; i < nk; i++) {
			if (strcmp(keys[i]->u.str, keys[j]->u.str) == 0)
				report_dup(b, keys[j], keys[i]);
			else
				j = i;
		}
	}
	free(keys);
}

static void
on_end(struct builder *b)
{
	struct frame *f = &b->frames[b->frames_nr - 1];
	size_t n = b->kids_nr - f->base;
	struct ynode node = { 0 };
	struct ynode *kids = NULL;

	if (n) {
		kids = inventory__pool_alloc(&b->t->pool, n * sizeof(*kids),
		    _Alignof(struct ynode));
		memcpy(kids, &b->kids[f->base], n * sizeof(*kids));
	}
	node.type = f->type;
	node.kind = f->unknown_tag ? YK_UNKNOWN_TAG : YK_STR;
	node.line = f->line;
	node.col = f->col;
	node.n = (uint32_t)n;
	node.u.kids = kids;
	if (f->type == YN_MAP)
		check_keys(b, kids, n);
	b->kids_nr = f->base;
	if (f->anchor) {
		anchor_set(b, f->anchor, &node, b->weight - f->weight0);
		free(f->anchor);
	}
	b->frames_nr--;
	push_kid(b, &node);
}

static void
report_yaml_error(struct builder *b, const yaml_parser_t *p)
{
	unsigned line, col;
	size_t off;
	const char *problem = p->problem ? p->problem : "invalid YAML";
	const char *hint = "";

	switch (p->error) {
	case YAML_READER_ERROR:
		inventory__offset_pos(b->buf, b->len, p->problem_offset, &line,
		    &col);
		inventory__error(b->yd, "invalid-encoding", line, col, "%s",
		    problem);
		return;
	case YAML_SCANNER_ERROR:
	case YAML_PARSER_ERROR:
		line = (unsigned)p->problem_mark.line + 1;
		col = (unsigned)p->problem_mark.column + 1;
		off = mark_offset(b->buf, b->len, p->problem_mark.line,
		    p->problem_mark.column);
		if (off < b->len && b->buf[off] == '\t')
			hint = "; YAML does not allow tabs for indentation";
		else if (!strcmp(problem, "did not find expected key") ||
		    !strcmp(problem, "did not find expected '-' indicator"))
			/* libyaml's words for a line indented unlike its
			 * neighbours */
			hint = "; check the indentation";
		if (p->context)
			inventory__error(b->yd, "yaml-syntax", line, col,
			    "%s (%s at line %u, column %u)%s", problem,
			    p->context, (unsigned)p->context_mark.line + 1,
			    (unsigned)p->context_mark.column + 1, hint);
		else
			inventory__error(b->yd, "yaml-syntax", line, col,
			    "%s%s", problem, hint);
		return;
	default:
		inventory__error(b->yd, "yaml-syntax", 1, 1, "%s", problem);
		return;
	}
}

int
inventory__tree_parse(struct ytree *t, struct inv_pool *strings,
    struct ydiag *yd, const char *buf, size_t len)
{
	struct builder b = { 0 };
	yaml_parser_t parser;
	yaml_event_t ev;
	bool done = false;
	int err = 0;
	size_t i;

	memset(t, 0, sizeof(*t));
	/* A UTF-8 byte order mark: libyaml keeps it when told the encoding,
	 * and does not count it in positions, so drop it here. */
	if (len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3)) {
		buf += 3;
		len -= 3;
	}
	if ((err = check_encoding(yd, buf, len)) < 0)
		return err;
	b.t = t;
	b.strings = strings;
	b.yd = yd;
	b.buf = buf;
	b.len = len;
	if (!yaml_parser_initialize(&parser))
		return ps_error(PS_EFAIL, "cannot initialise the YAML parser");
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);
	while (!done) {
		if (!yaml_parser_parse(&parser, &ev)) {
			report_yaml_error(&b, &parser);
			err = PS_EINVALID;
			break;
		}
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++b.docs > 1) {
				inventory__error(yd, "yaml-syntax",
				    (unsigned)ev.start_mark.line + 1,
				    (unsigned)ev.start_mark.column + 1,
				    "a second YAML document; an inventory is "
				    "one document (remove the '---')");
				done = true;
			}
			break;
		case YAML_DOCUMENT_END_EVENT:
			if (b.kids_nr == 1) {
				t->root = b.kids[0];
				t->has_root = true;
			}
			b.kids_nr = 0;
			break;
		case YAML_SCALAR_EVENT:
			err = on_scalar(&b, &ev);
			break;
		case YAML_ALIAS_EVENT:
			err = on_alias(&b, &ev);
			break;
		case YAML_SEQUENCE_START_EVENT:
			err = on_start(&b, &ev, YN_SEQ);
			break;
		case YAML_MAPPING_START_EVENT:
			err = on_start(&b, &ev, YN_MAP);
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			on_end(&b);
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
		if (err < 0)
			break;
	}
	yaml_parser_delete(&parser);
	for (i = 0; i < b.frames_nr; i++)
		free(b.frames[i].anchor);
	for (i = 0; i < b.anchors_nr; i++)
		free(b.anchors[i].name);
	free(b.frames);
	free(b.anchors);
	free(b.slots);
	free(b.kids);
	if (err < 0)
		t->has_root = false;
	return err;
}

void
inventory__tree_release(struct ytree *t)
{
	inventory__pool_release(&t->pool);
	t->has_root = false;
}

const char *
inventory_libyaml_version(void)
{
	return yaml_get_version_string();
}
