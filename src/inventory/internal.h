/*
 * inventory: what the loader's files share (load.c: files, includes,
 * reporting, typed getters, mappings; parts.c: the parts of the model).
 * Private to src/inventory.
 */
#ifndef PROJSYNC_INVENTORY_INTERNAL_H
#define PROJSYNC_INVENTORY_INTERNAL_H

#include "inventory/inventory.h"
#include "inventory/tree.h"

struct include_req {
	char *pattern;		/* pool */
	const char *from;	/* the including file */
	unsigned line, col;
};

struct loader {
	struct inventory *inv;
	const struct inv_source *src;
	struct diag_list *dl;
	struct ydiag yd;	/* the file being loaded */
	unsigned errors;	/* over every file */
	struct inv_pool *sp;	/* the inventory's string pool */
	bool top;		/* loading the top file */
	bool no_includes;	/* loading from a buffer */
	size_t projects_alloc;
	size_t files_alloc;
	struct include_req *incs;	/* found in the current file */
	size_t incs_nr, incs_alloc;
};

/* A key and its value, with `<<` merges already applied. */
struct entry {
	const struct ynode *key, *val;
};

/* ---- reporting (load.c) ---- */

/* An error at n (NULL: the file), counted against the load. */
void inventory__err_at(struct loader *ld, const struct ynode *n,
    const char *rule, const char *fmt, ...) PS_PRINTF(4, 5);
struct inv_pos inventory__pos_of(const struct loader *ld,
    const struct ynode *n);
/* "a mapping", "a list", "a string", ... for messages. */
const char *inventory__type_name(const struct ynode *n);
/* The closest of words to s: a case-only or small spelling difference. */
const char *inventory__closest(const char *s, const char *const *words);
/* Report an unknown field; returns the suggestion (one of fields) or NULL. */
const char *inventory__unknown_field(struct loader *ld,
    const struct ynode *key, const char *where, const char *const *fields);
/* The field entry i stands for: itself when it is one of fields, else the
 * suggestion once the unknown field is reported (*taken: start 0); NULL:
 * skip the key. */
const char *inventory__field_of(struct loader *ld, const struct entry *e,
    size_t nr, size_t i, const char *where, const char *const *fields,
    unsigned *taken);

/* ---- typed getters (load.c): anything else is reported ---- */

bool inventory__is_null(const struct ynode *n);
/* A string value, or NULL. */
char *inventory__get_str(struct loader *ld, const struct ynode *n,
    const char *what);
bool inventory__get_bool(struct loader *ld, const struct ynode *n,
    const char *what, bool *out);
bool inventory__get_uint(struct loader *ld, const struct ynode *n,
    const char *what, unsigned long min, unsigned long max, unsigned *out);
/* The entries of a mapping with `<<` merges applied (reported and NULL if
 * n is not one); *nr is set; free the result. */
struct entry *inventory__map_entries(struct loader *ld, const struct ynode *n,
    const char *what, size_t *nr);

/* ---- the parts of the model (parts.c) ---- */

/* The top-level mapping of one file (the top file's fields, or an
 * included file's: version, include, projects) into ld->inv. */
void inventory__load_root(struct loader *ld, const struct ynode *root);

#endif
