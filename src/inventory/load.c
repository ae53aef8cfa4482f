/*
 * inventory: the node tree → the inventory model: reading files and
 * sources, `include` resolution, effective tags and indices, and the
 * helpers the parts of the model (parts.c) are read with: reporting,
 * typed getters, mappings with merge keys.
 */
#include "inventory/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- reporting ---- */

void
inventory__err_at(struct loader *ld, const struct ynode *n, const char *rule,
    const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	inventory__error(&ld->yd, rule, n ? n->line : 0, n ? n->col : 0, "%s",
	    msg);
	free(msg);
}

struct inv_pos
inventory__pos_of(const struct loader *ld, const struct ynode *n)
{
	struct inv_pos p = { ld->yd.file, n->line, n->col };

	return p;
}

const char *
inventory__type_name(const struct ynode *n)
{
	if (n->type == YN_MAP)
		return "a mapping";
	if (n->type == YN_SEQ)
		return "a list";
	switch (n->kind) {
	case YK_NULL:
		return "empty";
	case YK_BOOL:
		return "a boolean";
	case YK_INT:
		return "an integer";
	case YK_FLOAT:
		return "a number";
	default:
		return "a string";
	}
}

/* Do a and b differ by one swap of neighbours ("tgas", "tags")? */
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

/* The closest of words to s: a case-only or small spelling difference. */
const char *
inventory__closest(const char *s, const char *const *words)
{
	const char *best = NULL;
	size_t d, bestd = 3, max = strlen(s) < 5 ? 1 : 2;

	for (; *words; words++) {
		if (strcasecmp(s, *words) == 0)
			return *words;
		d = one_swap(s, *words) ? 1 : ps_edit_distance(s, *words, max);
		if (d <= max && d < bestd) {
			best = *words;
			bestd = d;
		}
	}
	return best;
}

/* Report an unknown field; returns the suggestion (one of fields) or NULL. */
const char *
inventory__unknown_field(struct loader *ld, const struct ynode *key,
    const char *where, const char *const *fields)
{
	const char *s = inventory__closest(key->u.str, fields);
	struct ps_buf all = PS_BUF_INIT;
	size_t i;

	if (s) {
		inventory__err_at(ld, key, "unknown-field",
		    "unknown field '%s' in %s; did you mean '%s'?",
		    key->u.str, where, s);
		return s;
	}
	for (i = 0; fields[i]; i++)
		ps_buf_addf(&all, "%s%s", i ? ", " : "", fields[i]);
	inventory__err_at(ld, key, "unknown-field",
	    "unknown field '%s' in %s (expected one of: %s)",
	    key->u.str, where, all.ptr);
	ps_buf_release(&all);
	return NULL;
}

/*
 * The field a key of a mapping stands for: itself when it is one of
 * fields; else, once the unknown field is reported, the suggestion, when
 * the mapping has no other key for it (*taken: a bit per field, start 0).
 * Reading 'tgas' as 'tags' and 'requried' as 'required' turns one typo
 * into one error, not one per project and required tag; the load fails
 * all the same.  NULL: skip the key.
 */
#define TAKEN_INIT	(1u << 31)	/* fields lists are far shorter */

const char *
inventory__field_of(struct loader *ld, const struct entry *e, size_t nr,
    size_t i, const char *where, const char *const *fields, unsigned *taken)
{
	const char *k = e[i].key->u.str, *s;
	size_t j, f;

	for (f = 0; fields[f]; f++)
		if (!strcmp(k, fields[f]))
			return k;
	if (!(s = inventory__unknown_field(ld, e[i].key, where, fields)))
		return NULL;
	if (*taken == 0) {	/* the first typo here: which are spelt right */
		*taken = TAKEN_INIT;
		for (j = 0; j < nr; j++)
			for (f = 0; fields[f]; f++)
				if (!strcmp(e[j].key->u.str, fields[f]))
					*taken |= 1u << f;
	}
	for (f = 0; fields[f] != s; f++)
		;
	if (*taken & (1u << f))
		return NULL;
	*taken |= 1u << f;
	return s;
}

/* ---- typed getters ---- */

bool
inventory__is_null(const struct ynode *n)
{
	return n->type == YN_SCALAR && n->kind == YK_NULL;
}

/* A string value; anything else is reported and gives NULL. */
char *
inventory__get_str(struct loader *ld, const struct ynode *n, const char *what)
{
	if (n->type == YN_SCALAR && n->kind == YK_STR)
		return (char *)n->u.str;
	if (n->type == YN_SCALAR && n->kind == YK_UNKNOWN_TAG)
		return NULL;	/* reported by the parser */
	if (n->type == YN_SCALAR && n->kind == YK_NULL)
		inventory__err_at(ld, n, "invalid-type",
		    "%s has no value; write \"\" for an empty string",
		    what);
	else if (n->type == YN_SCALAR)
		inventory__err_at(ld, n, "invalid-type",
		    "%s must be a string, but YAML reads %s as %s; quote it: "
		    "\"%s\"", what, n->u.str, inventory__type_name(n),
		    n->u.str);
	else
		inventory__err_at(ld, n, "invalid-type",
		    "%s must be a string, not %s", what,
		    inventory__type_name(n));
	return NULL;
}

bool
inventory__get_bool(struct loader *ld, const struct ynode *n, const char *what,
    bool *out)
{
	const char *s = n->u.str;

	if (n->type != YN_SCALAR || n->kind != YK_BOOL) {
		inventory__err_at(ld, n, "invalid-type",
		    "%s must be true or false, not %s", what,
		    inventory__type_name(n));
		return false;
	}
	*out = s[0] == 't' || s[0] == 'T' || s[0] == 'y' || s[0] == 'Y' ||
	    ((s[0] == 'o' || s[0] == 'O') && (s[1] == 'n' || s[1] == 'N'));
	return true;
}

bool
inventory__get_uint(struct loader *ld, const struct ynode *n, const char *what,
    unsigned long min, unsigned long max, unsigned *out)
{
	const char *s = n->u.str;
	unsigned long v = 0;
	size_t i = 0;

	if (n->type != YN_SCALAR || n->kind != YK_INT) {
		inventory__err_at(ld, n, "invalid-type",
		    "%s must be a whole number, not %s", what,
		    inventory__type_name(n));
		return false;
	}
	if (s[0] == '+')
		i++;
	for (; s[i]; i++) {
		if (s[i] == '_')
			continue;
		if (s[i] < '0' || s[i] > '9' || v > max)
			break;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (s[i] || v < min || v > max) {
		inventory__err_at(ld, n, "invalid-value",
		    "%s must be a whole number from %lu to %lu, not %s",
		    what, min, max, s);
		return false;
	}
	*out = (unsigned)v;
	return true;
}

/* ---- mappings with merge keys ---- */

struct keyset {
	const char **slots;
	size_t nr, used;	/* nr: a power of two */
};

static uint32_t
hash_key(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

static void
keyset_put(struct keyset *ks, const char *s)
{
	size_t i;

	for (i = hash_key(s) & (ks->nr - 1); ks->slots[i];
	    i = (i + 1) & (ks->nr - 1))
		;
	ks->slots[i] = s;
	ks->used++;
}

/* Add s; false if it was already there. */
static bool
keyset_add(struct keyset *ks, const char *s)
{
	size_t i;

	if ((ks->used + 1) * 2 > ks->nr) {
		const char **old = ks->slots;
		size_t oldnr = ks->nr;
		ks->nr = ks->nr ? ks->nr * 2 : 64;
		ks->slots = xcalloc(ks->nr, sizeof(*ks->slots));
		ks->used = 0;
		for (i = 0; i < oldnr; i++)
			if (old[i])
				keyset_put(ks, old[i]);
		free(old);
	}
	for (i = hash_key(s) & (ks->nr - 1); ks->slots[i];
	    i = (i + 1) & (ks->nr - 1))
		if (strcmp(ks->slots[i], s) == 0)
			return false;
	keyset_put(ks, s);
	return true;
}

static void
merge_into(struct loader *ld, const struct ynode *map, struct entry **out,
    size_t *nr, size_t *alloc, struct keyset *ks, unsigned depth);

static void
merge_source(struct loader *ld, const struct ynode *src, struct entry **out,
    size_t *nr, size_t *alloc, struct keyset *ks, unsigned depth)
{
	uint32_t i;

	if (src->type == YN_MAP) {
		merge_into(ld, src, out, nr, alloc, ks, depth + 1);
		return;
	}
	if (src->type == YN_SEQ) {
		/* earlier mappings take precedence over later ones */
		for (i = 0; i < src->n; i++) {
			if (src->u.kids[i].type == YN_MAP) {
				merge_into(ld, &src->u.kids[i], out, nr, alloc,
				    ks, depth + 1);
				continue;
			}
			/* at the `<<` value: the item may be far away, in
			 * an anchor */
			inventory__err_at(ld, src, "invalid-type",
			    "'<<' merges mappings, but this list holds %s",
			    inventory__type_name(&src->u.kids[i]));
			break;
		}
		return;
	}
	inventory__err_at(ld, src, "invalid-type",
	    "'<<' merges a mapping or a list of mappings, not %s",
	    inventory__type_name(src));
}

/*
 * Explicit keys first, then merged ones that are not already there: the
 * YAML merge-key rules.  Duplicate explicit keys were reported by the
 * parser; both stay, so both are checked, and the later one wins.
 */
static void
merge_into(struct loader *ld, const struct ynode *map, struct entry **out,
    size_t *nr, size_t *alloc, struct keyset *ks, unsigned depth)
{
	uint32_t i;

	if (depth > INV_MAX_DEPTH)
		return;
	for (i = 0; i + 1 < map->n; i += 2) {
		const struct ynode *k = &map->u.kids[i];
		if (k->type != YN_SCALAR || (k->flags & YN_MERGE))
			continue;
		if (!keyset_add(ks, k->u.str) && depth > 0)
			continue;	/* merged: the key is already set */
		xgrow(out, alloc, *nr + 1, sizeof(**out));
		(*out)[*nr].key = k;
		(*out)[(*nr)++].val = &map->u.kids[i + 1];
	}
	for (i = 0; i + 1 < map->n; i += 2)
		if (map->u.kids[i].type == YN_SCALAR &&
		    (map->u.kids[i].flags & YN_MERGE))
			merge_source(ld, &map->u.kids[i + 1], out, nr, alloc, ks,
			    depth);
}

static bool
has_merge(const struct ynode *map)
{
	uint32_t i;

	for (i = 0; i + 1 < map->n; i += 2)
		if (map->u.kids[i].flags & YN_MERGE)
			return true;
	return false;
}

/*
 * The entries of a mapping (reported and NULL if n is not one).  *nr is
 * set; free the result.
 */
struct entry *
inventory__map_entries(struct loader *ld, const struct ynode *n,
    const char *what, size_t *nr)
{
	struct entry *out = NULL;
	size_t alloc = 0;
	uint32_t i;

	*nr = 0;
	if (n->kind == YK_UNKNOWN_TAG)
		return NULL;	/* reported by the parser */
	if (n->type != YN_MAP) {
		inventory__err_at(ld, n, "invalid-type",
		    "%s must be a mapping, not %s", what,
		    inventory__type_name(n));
		return NULL;
	}
	if (!has_merge(n)) {
		out = xmalloc((n->n / 2 + 1) * sizeof(*out));
		for (i = 0; i + 1 < n->n; i += 2) {
			if (n->u.kids[i].type != YN_SCALAR)
				continue;
			out[*nr].key = &n->u.kids[i];
			out[(*nr)++].val = &n->u.kids[i + 1];
		}
		return out;
	}
	{
		struct keyset ks = { NULL, 0, 0 };
		merge_into(ld, n, &out, nr, &alloc, &ks, 0);
		free(ks.slots);
	}
	if (!out)
		out = xmalloc(sizeof(*out));
	return out;
}

/* ---- files and includes ---- */

/* a/./b/../c → a/c, lexically; keeps leading ../ and a leading /. */
static char *
normalize_path(const char *path)
{
	struct ps_buf out = PS_BUF_INIT;
	const char **seg = NULL;
	size_t nseg = 0, alloc = 0, i, ups = 0;
	char *copy = xstrdup(path), *save = NULL, *s;
	bool abs = path[0] == '/';

	for (s = strtok_r(copy, "/", &save); s; s = strtok_r(NULL, "/", &save)) {
		if (!strcmp(s, "."))
			continue;
		if (!strcmp(s, "..")) {
			if (nseg > ups) {
				nseg--;
				continue;
			}
			if (abs)
				continue;
			ups++;
		}
		xgrow(&seg, &alloc, nseg + 1, sizeof(*seg));
		seg[nseg++] = s;
	}
	if (abs)
		ps_buf_addch(&out, '/');
	for (i = 0; i < nseg; i++)
		ps_buf_addf(&out, "%s%s", i ? "/" : "", seg[i]);
	if (!out.len)
		ps_buf_addch(&out, '.');
	free(seg);
	free(copy);
	return ps_buf_detach(&out);
}

/* pattern relative to the folder of `from` */
static char *
join_relative(const char *from, const char *pattern)
{
	const char *slash = strrchr(from, '/');
	char *joined, *norm;

	if (pattern[0] == '/' || !slash)
		joined = xstrdup(pattern);
	else
		joined = xasprintf("%.*s/%s", (int)(slash - from), from, pattern);
	norm = normalize_path(joined);
	free(joined);
	return norm;
}

static const char *
add_file(struct loader *ld, const char *path)
{
	struct inventory *inv = ld->inv;
	char *p = inventory__pool_strdup(ld->sp, path);

	xgrow(&inv->files, &ld->files_alloc, inv->files_nr + 1,
	    sizeof(*inv->files));
	inv->files[inv->files_nr++] = p;
	return p;
}

static bool
already_loaded(const struct loader *ld, const char *path)
{
	size_t i;

	/* files are few (INV_MAX_FILES); a linear scan is enough */
	for (i = 0; i < ld->inv->files_nr; i++)
		if (strcmp(ld->inv->files[i], path) == 0)
			return true;
	return false;
}

static void process_includes(struct loader *ld, struct include_req *reqs,
    size_t nr, unsigned depth);

/*
 * Parse the bytes of one file into the model.  Returns PS_EINVALID when the
 * file is unusable (reported), else 0; other problems are counted.
 */
static int
load_bytes(struct loader *ld, const char *file, const char *buf, size_t len,
    unsigned depth)
{
	struct ytree tree;
	struct include_req *reqs;
	size_t nreqs;
	int err;

	ld->yd.file = file;
	ld->yd.errors = 0;
	ld->incs = NULL;
	ld->incs_nr = ld->incs_alloc = 0;
	err = inventory__tree_parse(&tree, ld->sp, &ld->yd, buf, len);
	if (err == 0 && !tree.has_root) {
		inventory__error(&ld->yd, "empty-file", 1, 1, "the file holds "
		    "no YAML document; an inventory starts with 'version: 1' "
		    "and lists 'projects'");
		err = PS_EINVALID;
	}
	if (err == 0)
		inventory__load_root(ld, &tree.root);
	inventory__tree_release(&tree);
	ld->errors += ld->yd.errors;
	if (err < 0 && err != PS_EINVALID)
		return err;
	/* ld->incs belongs to this file; nested loads reuse the field */
	reqs = ld->incs;
	nreqs = ld->incs_nr;
	ld->incs = NULL;
	ld->incs_nr = ld->incs_alloc = 0;
	if (err == 0)
		process_includes(ld, reqs, nreqs, depth);
	free(reqs);
	return err;
}

static int
load_one(struct loader *ld, const char *path, const struct include_req *req,
    unsigned depth)
{
	struct ps_buf buf = PS_BUF_INIT;
	const char *file;
	int err;

	if (ld->inv->files_nr >= INV_MAX_FILES) {
		ld->yd.file = req->from;
		inventory__error(&ld->yd, "include-error", req->line, req->col,
		    "more than %u files; not including '%s'", INV_MAX_FILES,
		    path);
		ld->errors++;
		return 0;
	}
	err = ld->src->read(&buf, path, ld->src->payload);
	if (err < 0) {
		ld->yd.file = req->from;
		inventory__error(&ld->yd, err == PS_ENOTFOUND ?
		    "include-not-found" : err == PS_EINVALID ? "file-too-large" :
		    "include-error", req->line, req->col, "%s%s",
		    err == PS_ENOTFOUND ? "included file does not exist: " :
		    "", err == PS_ENOTFOUND ? path : ps_error_last());
		ld->errors++;
		ps_buf_release(&buf);
		return 0;
	}
	file = add_file(ld, path);
	ld->top = false;
	err = load_bytes(ld, file, ps_buf_cstr(&buf), buf.len, depth);
	ps_buf_release(&buf);
	return err == PS_EINVALID ? 0 : err;
}

static bool
has_glob_chars(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

static void
process_includes(struct loader *ld, struct include_req *reqs, size_t nr,
    unsigned depth)
{
	size_t i, j;

	for (i = 0; i < nr; i++) {
		struct include_req *r = &reqs[i];
		char *pattern = join_relative(r->from, r->pattern);
		char **paths = NULL;
		size_t npaths = 0;
		int err;

		if (depth + 1 > INV_MAX_INCLUDE_DEPTH) {
			ld->yd.file = r->from;
			inventory__error(&ld->yd, "include-error", r->line,
			    r->col, "includes nested deeper than %d files",
			    INV_MAX_INCLUDE_DEPTH);
			ld->errors++;
			free(pattern);
			continue;
		}
		if (!has_glob_chars(r->pattern)) {
			if (!already_loaded(ld, pattern))
				load_one(ld, pattern, r, depth + 1);
			free(pattern);
			continue;
		}
		err = ld->src->glob(&paths, &npaths, pattern, ld->src->payload);
		if (err < 0) {
			ld->yd.file = r->from;
			inventory__error(&ld->yd, "include-error", r->line,
			    r->col, "%s", ps_error_last());
			ld->errors++;
		} else if (!npaths) {
			ld->yd.file = r->from;
			inventory__warning(&ld->yd, "include-no-match", r->line,
			    r->col, "'%s' matches no file", r->pattern);
		}
		for (j = 0; j < npaths; j++) {
			char *norm = normalize_path(paths[j]);
			/* overlapping patterns and cycles: each file once */
			if (!already_loaded(ld, norm))
				load_one(ld, norm, r, depth + 1);
			free(norm);
			free(paths[j]);
		}
		free(paths);
		free(pattern);
	}
}

/* ---- effective tags and indices ---- */

struct ptag {
	const struct tag *t;
	size_t order;
};

static int
cmp_ptag(const void *pa, const void *pb)
{
	const struct ptag *a = pa, *b = pb;
	int c = strcmp(a->t->key, b->t->key);

	if (c)
		return c;
	return a->order < b->order ? -1 : a->order > b->order;
}

/* defaults.tags under own_tags, sorted by key; the last one written wins */
static void
merge_tags(struct loader *ld, struct inv_project *p)
{
	const struct inv_tag_list *d = &ld->inv->defaults;
	size_t n = d->nr + p->own_tags.nr, i, k = 0;
	struct tag *all;
	struct ptag *order;

	p->tags.items = NULL;
	p->tags.nr = p->tags.alloc = 0;
	if (!n)
		return;
	all = inventory__pool_alloc(ld->sp, n * sizeof(*all),
	    _Alignof(struct tag));
	for (i = 0; i < d->nr; i++) {
		all[k].key = d->items[i].key;
		all[k++].value = d->items[i].value;
	}
	for (i = 0; i < p->own_tags.nr; i++) {
		all[k].key = p->own_tags.items[i].key;
		all[k++].value = p->own_tags.items[i].value;
	}
	order = xmalloc(n * sizeof(*order));
	for (i = 0; i < n; i++) {
		order[i].t = &all[i];
		order[i].order = i;
	}
	qsort(order, n, sizeof(*order), cmp_ptag);
	p->tags.items = inventory__pool_alloc(ld->sp, n * sizeof(struct tag),
	    _Alignof(struct tag));
	for (i = 0; i < n; i++) {
		if (i + 1 < n && strcmp(order[i].t->key, order[i + 1].t->key) == 0)
			continue;	/* a later entry overrides this one */
		p->tags.items[p->tags.nr++] = *order[i].t;
	}
	p->tags.alloc = p->tags.nr;
	free(order);
}

struct keyed {
	const char *key;
	size_t index;
};

static int
cmp_keyed(const void *pa, const void *pb)
{
	const struct keyed *a = pa, *b = pb;
	int c = strcmp(a->key, b->key);

	return c ? c : (a->index < b->index ? -1 : a->index > b->index);
}

/* Indices of the projects that have the field, sorted by it. */
static size_t *
sorted_index(const struct inventory *inv, bool by_id, size_t *nr)
{
	struct keyed *k = xmalloc((inv->projects_nr + 1) * sizeof(*k));
	size_t *out, i, n = 0;

	for (i = 0; i < inv->projects_nr; i++) {
		const char *key = by_id ? inv->projects[i].id :
		    inv->projects[i].name;
		if (!key)
			continue;
		k[n].key = key;
		k[n++].index = i;
	}
	qsort(k, n, sizeof(*k), cmp_keyed);
	out = xmalloc((n + 1) * sizeof(*out));
	for (i = 0; i < n; i++)
		out[i] = k[i].index;
	free(k);
	*nr = n;
	return out;
}

static void
build_indices(struct inventory *inv)
{
	inv->by_name = sorted_index(inv, false, &inv->by_name_nr);
	inv->by_id = sorted_index(inv, true, &inv->by_id_nr);
}

/* ---- sources ---- */

static int
fs_read(struct ps_buf *out, const char *path, void *payload)
{
	struct stat st;
	ssize_t n;
	int fd;

	(void)payload;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return ps_error(errno == ENOENT ? PS_ENOTFOUND : PS_EFAIL,
		    "cannot open '%s': %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || S_ISDIR(st.st_mode)) {
		int e = S_ISDIR(st.st_mode) ? EISDIR : errno;
		close(fd);
		return ps_error(PS_EFAIL, "cannot read '%s': %s", path,
		    strerror(e));
	}
	/* refuse before reading: a huge file costs nothing this way */
	if (S_ISREG(st.st_mode) && st.st_size > (off_t)INV_MAX_FILE_BYTES) {
		close(fd);
		return ps_error(PS_EINVALID, "'%s' is %lld bytes; the limit "
		    "is %u MiB per file (split it with 'include')", path,
		    (long long)st.st_size, INV_MAX_FILE_BYTES >> 20);
	}
	ps_buf_reset(out);
	ps_buf_grow(out, S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : 4096);
	for (;;) {
		if (out->alloc - out->len < 4096)
			ps_buf_grow(out, 65536);
		n = read(fd, out->ptr + out->len, out->alloc - out->len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			close(fd);
			return ps_error(PS_EFAIL, "cannot read '%s': %s", path,
			    strerror(e));
		}
		if (n == 0)
			break;
		out->len += (size_t)n;
		out->ptr[out->len] = '\0';
		if (out->len > INV_MAX_FILE_BYTES) {
			close(fd);
			return ps_error(PS_EINVALID, "'%s' is larger than the "
			    "limit of %u MiB per file", path,
			    INV_MAX_FILE_BYTES >> 20);
		}
	}
	close(fd);
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
fs_glob(char ***paths, size_t *nr, const char *pattern, void *payload)
{
	glob_t g;
	size_t i;
	int rc;

	(void)payload;
	*paths = NULL;
	*nr = 0;
	rc = glob(pattern, GLOB_MARK | GLOB_NOSORT, NULL, &g);
	if (rc == GLOB_NOMATCH)
		return 0;
	if (rc != 0) {
		if (rc != GLOB_NOSPACE)
			globfree(&g);
		return ps_error(PS_EFAIL, "cannot expand '%s'", pattern);
	}
	*paths = xcalloc(g.gl_pathc + 1, sizeof(**paths));
	for (i = 0; i < g.gl_pathc; i++) {
		size_t l = strlen(g.gl_pathv[i]);
		if (l && g.gl_pathv[i][l - 1] == '/')
			continue;	/* a folder */
		(*paths)[(*nr)++] = xstrdup(g.gl_pathv[i]);
	}
	globfree(&g);
	/* byte order, not the locale's collation: the same on every machine */
	qsort(*paths, *nr, sizeof(**paths), cmp_str);
	return 0;
}

const struct inv_source inventory_fs_source = { fs_read, fs_glob, NULL };

struct mem_source {
	const char *name;
	const char *buf;
	size_t len;
};

static int
mem_read(struct ps_buf *out, const char *path, void *payload)
{
	const struct mem_source *m = payload;

	if (strcmp(path, m->name) != 0)
		return ps_error(PS_ENOTFOUND, "'%s' is not available", path);
	ps_buf_reset(out);
	ps_buf_add(out, m->buf, m->len);
	return 0;
}

static int
mem_glob(char ***paths, size_t *nr, const char *pattern, void *payload)
{
	(void)pattern;
	(void)payload;
	*paths = NULL;
	*nr = 0;
	return 0;
}

/* ---- entry points ---- */

static void
init_defaults(struct inventory *inv)
{
	static char *default_required[] = { "Application", "Environment", "Team",
		"CostCenter", NULL };

	inv->settings.project_limit = 1000;
	inv->settings.safety.max_changes = 50;
	inv->settings.safety.max_change_percent = 30;
	inv->settings.safety.min_projects_for_percent = 10;
	inv->taxonomy.required = default_required;
	inv->taxonomy.required_nr = 4;
}

static int
load(struct inventory **out, const char *path, const struct inv_source *src,
    struct diag_list *dl, bool no_includes)
{
	struct loader ld = { 0 };
	struct inventory *inv;
	struct ps_buf buf = PS_BUF_INIT;
	size_t i;
	int err;

	*out = NULL;
	inv = xcalloc(1, sizeof(*inv));
	inv->pool = xcalloc(1, sizeof(*inv->pool));
	init_defaults(inv);
	ld.inv = inv;
	ld.src = src;
	ld.dl = dl;
	ld.yd.dl = dl;
	ld.sp = inv->pool;
	ld.no_includes = no_includes;
	inv->path = inventory__pool_strdup(ld.sp, path);
	inv->version_pos.file = inv->path;

	err = src->read(&buf, path, src->payload);
	if (err == PS_EINVALID) {
		/* too large: a finding about the inventory, not an I/O error */
		ld.yd.file = inv->path;
		inventory__error(&ld.yd, "file-too-large", 0, 0, "%s",
		    ps_error_last());
		goto out;
	}
	if (err < 0)
		goto out;
	if (buf.len > INV_MAX_FILE_BYTES) {
		ld.yd.file = inv->path;
		inventory__error(&ld.yd, "file-too-large", 0, 0,
		    "'%s' is larger than the limit of %u MiB per file",
		    path, INV_MAX_FILE_BYTES >> 20);
		err = PS_EINVALID;
		goto out;
	}
	sha256_hex(inv->sha256, buf.ptr ? buf.ptr : "", buf.len);
	inv->files = NULL;
	add_file(&ld, path);
	inv->path = inv->files[0];
	inv->version_pos.file = inv->path;
	ld.top = true;
	err = load_bytes(&ld, inv->path, ps_buf_cstr(&buf), buf.len, 0);
	if (err < 0)
		goto out;
	for (i = 0; i < inv->projects_nr; i++)
		merge_tags(&ld, &inv->projects[i]);
	build_indices(inv);
	if (ld.errors)
		err = PS_EINVALID;
	*out = inv;
	inv = NULL;
out:
	ps_buf_release(&buf);
	inventory_free(inv);
	return err;
}

int
inventory_load_source(struct inventory **out, const char *path,
    const struct inv_source *src, struct diag_list *dl)
{
	return load(out, path, src, dl, false);
}

int
inventory_load_file(struct inventory **out, const char *path,
    struct diag_list *dl)
{
	return load(out, path, &inventory_fs_source, dl, false);
}

int
inventory_load_buffer(struct inventory **out, const char *name,
    const char *buf, size_t len, struct diag_list *dl)
{
	struct mem_source m = { name, buf, len };
	struct inv_source src = { mem_read, mem_glob, &m };

	return load(out, name, &src, dl, true);
}
