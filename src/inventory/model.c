/* inventory: look-ups on a loaded model, and freeing it. */
#include "inventory/inventory.h"

#include <stdlib.h>
#include <string.h>

#include "inventory/tree.h"

/* First entry of a sorted index whose field equals key, or NULL. */
static const struct inv_project *
search(const struct inventory *inv, const size_t *idx, size_t nr,
    const char *key, bool by_id)
{
	size_t lo = 0, hi = nr;

	if (!inv || !key)
		return NULL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct inv_project *p = &inv->projects[idx[mid]];
		if (strcmp(by_id ? p->id : p->name, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < nr) {
		const struct inv_project *p = &inv->projects[idx[lo]];
		if (strcmp(by_id ? p->id : p->name, key) == 0)
			return p;
	}
	return NULL;
}

const struct inv_project *
inventory_find_name(const struct inventory *inv, const char *name)
{
	return inv ? search(inv, inv->by_name, inv->by_name_nr, name, false) :
	    NULL;
}

const struct inv_project *
inventory_find_id(const struct inventory *inv, const char *id)
{
	return inv ? search(inv, inv->by_id, inv->by_id_nr, id, true) : NULL;
}

void
inventory_taxonomy_keys(const struct inventory *inv, const char ***out,
    size_t *nr)
{
	const char **keys = xcalloc(inv->taxonomy.required_nr +
	    inv->taxonomy.tags_nr + 1, sizeof(*keys));
	size_t n = 0, i, j;

	for (i = 0; i < inv->taxonomy.required_nr; i++) {
		for (j = 0; j < n && strcmp(keys[j],
		    inv->taxonomy.required[i]); j++)
			;
		if (j == n)
			keys[n++] = inv->taxonomy.required[i];
	}
	for (i = 0; i < inv->taxonomy.tags_nr; i++) {
		for (j = 0; j < n && strcmp(keys[j],
		    inv->taxonomy.tags[i].key); j++)
			;
		if (j == n)
			keys[n++] = inv->taxonomy.tags[i].key;
	}
	*out = keys;
	*nr = n;
}

bool
inventory_tag_ignored(const struct inventory *inv, const char *key)
{
	size_t i;

	if (!inv || !key)
		return false;
	for (i = 0; i < inv->settings.ignore_tags_nr; i++)
		if (ps_glob_match(inv->settings.ignore_tags[i], key))
			return true;
	return false;
}

void
inventory_free(struct inventory *inv)
{
	if (!inv)
		return;
	/* strings, tag lists and taxonomy arrays are all in the pool */
	free(inv->projects);
	free(inv->files);
	free(inv->by_name);
	free(inv->by_id);
	if (inv->pool) {
		inventory__pool_release(inv->pool);
		free(inv->pool);
	}
	free(inv);
}

