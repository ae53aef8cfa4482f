/*
 * inventory (internal): a compact YAML node tree built from libyaml
 * events, and the bump allocator the inventory keeps its strings in.
 * Only the inventory module includes this header; other modules use
 * inventory.h.
 *
 * The tree exists only while one file is being loaded.  Scalars are
 * copied into the inventory's pool (the model points at them, no second
 * copy); nodes and child arrays live in the tree's own pool and go away
 * with tree_release().  An alias is a shallow copy of the anchored node,
 * so aliases never copy subtrees; the parser counts how many nodes the
 * aliases would expand to and stops at INV_MAX_ALIAS_NODES.
 */
#ifndef PROJSYNC_INVENTORY_TREE_H
#define PROJSYNC_INVENTORY_TREE_H

#include <stdint.h>

#include "inventory/inventory.h"

/* ---- bump allocator: freed all at once ---- */
struct inv_pool_chunk;
struct inv_pool {
	struct inv_pool_chunk *head;
	size_t total;		/* bytes handed out, for tests and limits */
};

void *inventory__pool_alloc(struct inv_pool *p, size_t n, size_t align);
/* A NUL-terminated copy of s[0..n). */
char *inventory__pool_strndup(struct inv_pool *p, const char *s, size_t n);
char *inventory__pool_strdup(struct inv_pool *p, const char *s);
void inventory__pool_release(struct inv_pool *p);

/* ---- the node tree ---- */
enum ynode_type {
	YN_SCALAR = 1,
	YN_SEQ,
	YN_MAP,
};

enum ynode_flags {
	YN_PLAIN = 1 << 0,	/* a plain (unquoted) scalar: type is resolved */
	YN_ALIAS = 1 << 1,	/* this occurrence comes from an alias */
	YN_MERGE = 1 << 2,	/* a plain `<<` key */
};

/* What a scalar means, YAML 1.1 and 1.2 core schema rules combined. */
enum yscalar_kind {
	YK_STR = 0,
	YK_NULL,
	YK_BOOL,
	YK_INT,
	YK_FLOAT,
	YK_UNKNOWN_TAG,		/* an explicit tag we do not support (reported) */
};

struct ynode {
	uint8_t type;		/* enum ynode_type */
	uint8_t flags;		/* enum ynode_flags */
	uint8_t kind;		/* enum yscalar_kind, scalars only */
	uint32_t line, col;	/* 1-based */
	uint32_t n;		/* scalar: bytes; seq: items; map: 2 * pairs */
	union {
		const char *str;		/* scalar, NUL-terminated */
		const struct ynode *kids;	/* seq items; map key, value, ... */
	} u;
};

struct ytree {
	struct inv_pool pool;	/* nodes and child arrays */
	struct ynode root;
	bool has_root;
};

/* Where and how loudly to report; errors counts what was reported. */
struct ydiag {
	struct diag_list *dl;
	const char *file;	/* owned by the inventory's file list */
	unsigned errors;
};

void inventory__error(struct ydiag *yd, const char *rule, unsigned line,
    unsigned col, const char *fmt, ...) PS_PRINTF(5, 6);
void inventory__warning(struct ydiag *yd, const char *rule, unsigned line,
    unsigned col, const char *fmt, ...) PS_PRINTF(5, 6);

/*
 * Parse buf into t.  Scalars are copied into strings.  Returns 0, or
 * PS_EINVALID after reporting a problem that leaves no usable tree
 * (syntax, encoding, limits).  Non-fatal problems found while building
 * (duplicate keys, unsupported tags) are reported and counted in
 * yd->errors but still give a tree.  t->has_root is false for a file
 * holding no document.  Release t with tree_release() either way.
 */
int inventory__tree_parse(struct ytree *t, struct inv_pool *strings,
    struct ydiag *yd, const char *buf, size_t len);
void inventory__tree_release(struct ytree *t);

/* 1-based line and column (in code points) of byte offset off in buf. */
void inventory__offset_pos(const char *buf, size_t len, size_t off,
    unsigned *line, unsigned *col);

/* The resolved kind of a plain scalar's text (YAML 1.1 and 1.2 core). */
enum yscalar_kind inventory__resolve_plain(const char *s, size_t n);

#endif
