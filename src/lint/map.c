/*
 * lint: a small string → index hash map (open addressing, FNV-1a), so the
 * rules that group tags and values across the inventory stay linear.
 */
#include "lint/lint_int.h"

#include <stdlib.h>
#include <string.h>

static size_t
hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return (size_t)h;
}

static struct lint__map_ent *
slot(const struct lint__map *m, const char *key)
{
	size_t i = hash(key) & (m->cap - 1);

	while (m->tab[i].key && strcmp(m->tab[i].key, key) != 0)
		i = (i + 1) & (m->cap - 1);
	return &m->tab[i];
}

size_t *
lint__map_get(const struct lint__map *m, const char *key)
{
	struct lint__map_ent *e;

	if (!m->cap)
		return NULL;
	e = slot(m, key);
	return e->key ? &e->val : NULL;
}

static void
rehash(struct lint__map *m, size_t cap)
{
	struct lint__map old = *m;
	size_t i;

	m->tab = xcalloc(cap, sizeof(*m->tab));
	m->cap = cap;
	for (i = 0; i < old.cap; i++)
		if (old.tab[i].key)
			*slot(m, old.tab[i].key) = old.tab[i];
	free(old.tab);
}

size_t *
lint__map_put(struct lint__map *m, const char *key, size_t val,
    bool *inserted)
{
	struct lint__map_ent *e;

	if ((m->nr + 1) * 2 > m->cap)	/* load factor at most 1/2 */
		rehash(m, m->cap ? m->cap * 2 : 16);
	e = slot(m, key);
	if (inserted)
		*inserted = !e->key;
	if (!e->key) {
		e->key = key;
		e->val = val;
		m->nr++;
	}
	return &e->val;
}

void
lint__map_release(struct lint__map *m)
{
	free(m->tab);
	m->tab = NULL;
	m->cap = m->nr = 0;
}
