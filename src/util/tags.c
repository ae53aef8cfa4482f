/* util: tag sets kept sorted by key, so diffs and digests are stable. */
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

/* Index of key, or -(insertion point) - 1. */
static long
find(const struct tag_set *ts, const char *key)
{
	size_t lo = 0, hi = ts->nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(ts->items[mid].key, key);
		if (c == 0)
			return (long)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -(long)lo - 1;
}

void
tag_set_put(struct tag_set *ts, const char *key, const char *value)
{
	long i = find(ts, key);
	size_t at;

	if (i >= 0) {
		free(ts->items[i].value);
		ts->items[i].value = xstrdup(value);
		return;
	}
	at = (size_t)(-i - 1);
	xgrow(&ts->items, &ts->alloc, ts->nr + 1, sizeof(*ts->items));
	memmove(&ts->items[at + 1], &ts->items[at],
	    (ts->nr - at) * sizeof(*ts->items));
	ts->items[at].key = xstrdup(key);
	ts->items[at].value = xstrdup(value);
	ts->nr++;
}

const char *
tag_set_get(const struct tag_set *ts, const char *key)
{
	long i = find(ts, key);

	return i >= 0 ? ts->items[i].value : NULL;
}

bool
tag_set_remove(struct tag_set *ts, const char *key)
{
	long i = find(ts, key);

	if (i < 0)
		return false;
	free(ts->items[i].key);
	free(ts->items[i].value);
	memmove(&ts->items[i], &ts->items[i + 1],
	    (ts->nr - (size_t)i - 1) * sizeof(*ts->items));
	ts->nr--;
	return true;
}

void
tag_set_copy(struct tag_set *dst, const struct tag_set *src)
{
	size_t i;

	tag_set_release(dst);
	if (!src->nr)
		return;
	dst->items = xcalloc(src->nr, sizeof(*dst->items));
	dst->alloc = dst->nr = src->nr;
	for (i = 0; i < src->nr; i++) {
		dst->items[i].key = xstrdup(src->items[i].key);
		dst->items[i].value = xstrdup(src->items[i].value);
	}
}

bool
tag_set_equal(const struct tag_set *a, const struct tag_set *b)
{
	size_t i;

	if (a->nr != b->nr)
		return false;
	for (i = 0; i < a->nr; i++)
		if (strcmp(a->items[i].key, b->items[i].key) ||
		    strcmp(a->items[i].value, b->items[i].value))
			return false;
	return true;
}

void
tag_set_release(struct tag_set *ts)
{
	size_t i;

	for (i = 0; i < ts->nr; i++) {
		free(ts->items[i].key);
		free(ts->items[i].value);
	}
	free(ts->items);
	ts->items = NULL;
	ts->nr = ts->alloc = 0;
}
