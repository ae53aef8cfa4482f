/* util: diagnostics (findings in input files), collected and sorted. */
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

struct diag *
diag_add(struct diag_list *dl, enum diag_level level, const char *rule,
    const char *file, unsigned line, unsigned col, const char *fmt, ...)
{
	struct diag *d;
	va_list ap;

	if (!dl)
		return NULL;
	if (dl->nr >= (dl->max ? dl->max : 100000)) {
		dl->dropped++;
		return NULL;
	}
	xgrow(&dl->items, &dl->alloc, dl->nr + 1, sizeof(*dl->items));
	d = &dl->items[dl->nr++];
	memset(d, 0, sizeof(*d));
	d->file = xstrdup(file);
	d->line = line;
	d->col = col;
	d->level = level;
	d->rule = rule;
	va_start(ap, fmt);
	d->msg = xvasprintf(fmt, ap);
	va_end(ap);
	return d;
}

static int
cmp_diag(const void *pa, const void *pb)
{
	const struct diag *a = pa, *b = pb;
	int c;

	/* global findings (no file) first */
	if (!a->file != !b->file)
		return a->file ? 1 : -1;
	if (a->file && (c = strcmp(a->file, b->file)) != 0)
		return c;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->col != b->col)
		return a->col < b->col ? -1 : 1;
	return a < b ? -1 : a > b;	/* stable: original order */
}

void
diag_list_sort(struct diag_list *dl)
{
	if (dl->nr > 1)
		qsort(dl->items, dl->nr, sizeof(*dl->items), cmp_diag);
}

size_t
diag_list_count(const struct diag_list *dl, enum diag_level level)
{
	size_t i, n = 0;

	for (i = 0; i < dl->nr; i++)
		if (dl->items[i].level == level && !dl->items[i].suppressed)
			n++;
	return n;
}

const char *
diag_level_name(enum diag_level level)
{
	switch (level) {
	case DIAG_ERROR:
		return "error";
	case DIAG_WARNING:
		return "warning";
	default:
		return "note";
	}
}

void
diag_format(struct ps_buf *out, const struct diag *d)
{
	if (d->file) {
		ps_buf_adds(out, d->file);
		if (d->line)
			ps_buf_addf(out, ":%u:%u", d->line, d->col ? d->col : 1);
		ps_buf_adds(out, ": ");
	}
	ps_buf_addf(out, "%s: %s", diag_level_name(d->level), d->msg);
	if (d->rule)
		ps_buf_addf(out, " [%s]", d->rule);
}

void
diag_list_release(struct diag_list *dl)
{
	size_t i;

	for (i = 0; i < dl->nr; i++) {
		free(dl->items[i].file);
		free(dl->items[i].msg);
	}
	free(dl->items);
	dl->items = NULL;
	dl->nr = dl->alloc = dl->dropped = 0;
}
