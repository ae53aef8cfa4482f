/*
 * plan: the one project matcher, shared by plan_diff(), `output` and
 * whatever else needs to know which live project an inventory project is:
 * id pins first, then names among the active projects no pin claimed, with
 * the survivor rule for a racing apply's duplicates.  The rules are the
 * ones plan applies, so `output` and `plan` can never disagree on a pin or
 * a name (docs/architecture.md, Plan semantics).
 */
#include "plan/plan.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "plan/internal.h"

int
plan__cmp_live_id(const void *a, const void *b)
{
	const struct live_project *x = *(const struct live_project *const *)a;
	const struct live_project *y = *(const struct live_project *const *)b;

	return strcmp(x->id, y->id);
}

static int
cmp_live_name(const void *a, const void *b)
{
	const struct live_project *x = *(const struct live_project *const *)a;
	const struct live_project *y = *(const struct live_project *const *)b;
	int c = plan__strcmp_null(x->name, y->name);

	return c ? c : strcmp(x->id, y->id);
}

static const struct live_project *
find_id(const struct live_project **by_id, size_t nr, const char *id)
{
	size_t lo = 0, hi = nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(by_id[mid]->id, id);
		if (c == 0)
			return by_id[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

size_t
plan__find_name(const struct live_project *const *by_name, size_t nr,
    const char *name, size_t *n)
{
	size_t lo = 0, hi = nr, first;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (plan__strcmp_null(by_name[mid]->name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	first = lo;
	while (lo < nr && plan__strcmp_null(by_name[lo]->name, name) == 0)
		lo++;
	*n = lo - first;
	return first;
}

bool
plan__is_default(const struct live_project *lp)
{
	return strcmp(lp->id, "default") == 0;
}

int
plan_survivor_cmp(const struct live_project *a, const struct live_project *b)
{
	int c = plan__strcmp_null(a->name, b->name);

	if (c)
		return c;
	if (a->created_at != b->created_at)
		return a->created_at < b->created_at ? -1 : 1;
	return strcmp(a->id, b->id);
}

const struct live_project *
plan_survivor(const struct live_project *const *v, size_t n)
{
	const struct live_project *s = v[0];
	size_t i;

	for (i = 1; i < n; i++)
		if (plan_survivor_cmp(v[i], s) < 0)
			s = v[i];
	return s;
}

/* Do the n projects of v all carry the same tags? */
static bool
same_tags(const struct live_project *const *v, size_t n)
{
	size_t i;

	for (i = 1; i < n; i++)
		if (!tag_set_equal(&v[0]->tags, &v[i]->tags))
			return false;
	return true;
}

/* One line per problem, "file:line:col: " first when the inventory knows
 * where the project is; a name or path cannot break the line (util's
 * escaper). */
static void PS_PRINTF(3, 4)
add_problem(struct ps_buf *errs, const struct inv_pos *pos, const char *fmt,
    ...)
{
	struct ps_buf line = PS_BUF_INIT;
	va_list ap;

	if (pos->file && pos->line)
		ps_buf_addf(&line, "%s:%u:%u: ", pos->file, pos->line, pos->col);
	va_start(ap, fmt);
	ps_buf_vaddf(&line, fmt, ap);
	va_end(ap);
	if (errs->len)
		ps_buf_addch(errs, '\n');
	ps_buf_add_printable(errs, line.ptr, 0);
	ps_buf_release(&line);
}

static void PS_PRINTF(2, 3)
add_warning(struct plan_match *m, const char *fmt, ...)
{
	va_list ap;

	xgrow(&m->warnings, &m->warnings_alloc, m->warnings_nr + 1,
	    sizeof(*m->warnings));
	va_start(ap, fmt);
	m->warnings[m->warnings_nr++] = xvasprintf(fmt, ap);
	va_end(ap);
}

/* "id1, id2, ..." of n projects (caller frees). */
static char *
id_list(const struct live_project *const *v, size_t n)
{
	struct ps_buf ids = PS_BUF_INIT;
	size_t j;

	for (j = 0; j < n; j++)
		ps_buf_addf(&ids, "%s%s", j ? ", " : "", v[j]->id);
	return ps_buf_detach(&ids);
}

/* 1. id pins claim their live project first. */
static void
match_pins(struct plan_match *m, const struct inventory *inv,
    const struct live_state *live, const struct live_project **by_id,
    struct ps_buf *errs)
{
	size_t i, li;

	for (i = 0; i < inv->projects_nr; i++) {
		const struct inv_project *ip = &inv->projects[i];
		const struct live_project *lp;

		if (!ip->id)
			continue;
		if (strcmp(ip->id, "default") == 0) {
			add_problem(errs, &ip->id_pos, "project '%s' is pinned "
			    "to 'default'; the default project is never managed",
			    ip->name);
			continue;
		}
		if (!(lp = find_id(by_id, live->nr, ip->id))) {
			add_problem(errs, &ip->id_pos, "project '%s' is pinned "
			    "to '%s', which does not exist in the account "
			    "(remove the 'id:' pin to create it)", ip->name,
			    ip->id);
			continue;
		}
		li = (size_t)(lp - live->items);
		if (m->claimed_by[li]) {
			add_problem(errs, &ip->id_pos, "projects '%s' and '%s' "
			    "are both pinned to '%s'", m->claimed_by[li]->name,
			    ip->name, ip->id);
			continue;
		}
		if (lp->archived && !ip->archived) {
			add_problem(errs, &ip->id_pos, "project '%s' is pinned "
			    "to '%s', which is archived; archiving is "
			    "irreversible, so it cannot be made active again "
			    "(set 'archived: true', or remove the 'id:' pin to "
			    "create a new project)", ip->name, ip->id);
			continue;
		}
		m->claimed_by[li] = ip;
		m->match[i] = lp;
	}
}

/*
 * 2. The rest match by name among active, unclaimed projects.  Several
 * with one name and the same tags are a racing apply's duplicates: all are
 * claimed and the survivor matched (a warning); with different tags the
 * name is ambiguous.  A name only archived projects have means a new
 * project (a warning).
 */
static void
match_names(struct plan_match *m, const struct inventory *inv,
    const struct live_state *live, struct ps_buf *errs)
{
	const struct live_project **arch;
	size_t i, j, first, n, arch_nr = 0;
	char *ids;

	arch = xcalloc(live->nr + 1, sizeof(*arch));
	for (i = 0; i < live->nr; i++) {
		const struct live_project *lp = &live->items[i];

		if (plan__is_default(lp) || !lp->name)
			continue;
		if (lp->archived)
			arch[arch_nr++] = lp;
		else if (!m->claimed_by[i])
			m->by_name[m->by_name_nr++] = lp;
	}
	qsort(m->by_name, m->by_name_nr, sizeof(*m->by_name), cmp_live_name);
	qsort(arch, arch_nr, sizeof(*arch), cmp_live_name);
	for (i = 0; i < inv->projects_nr; i++) {
		const struct inv_project *ip = &inv->projects[i];
		const struct live_project *const *same;

		if (ip->id)
			continue;
		first = plan__find_name(m->by_name, m->by_name_nr, ip->name, &n);
		same = m->by_name + first;
		if (n > 1 && same_tags(same, n)) {
			/* a racing apply's duplicates: its maker archives
			 * them; every run agrees which one stays */
			const struct live_project *s = plan_survivor(same, n);

			for (j = 0; j < n; j++)
				m->claimed_by[same[j] - live->items] = ip;
			m->match[i] = s;
			add_warning(m, "project '%s': %zu active projects have "
			    "this name and the same tags (a concurrent apply?); "
			    "using the oldest, %s; the apply that made the "
			    "others archives them", ip->name, n, s->id);
			continue;
		}
		if (n > 1) {
			ids = id_list(same, n);
			add_problem(errs, &ip->name_pos, "project '%s' matches "
			    "%zu active projects with that name (%s); add an "
			    "'id:' pin to choose one", ip->name, n, ids);
			free(ids);
			continue;
		}
		if (n == 1) {
			m->match[i] = same[0];
			m->claimed_by[same[0] - live->items] = ip;
			continue;
		}
		if (ip->archived)
			continue;
		first = plan__find_name(arch, arch_nr, ip->name, &n);
		if (n > 0) {
			ids = id_list(arch + first, n);
			add_warning(m, "project '%s' exists only as archived "
			    "(%s); archiving is irreversible, so a new project "
			    "will be created and the old ID%s gone for good",
			    ip->name, ids, n > 1 ? "s are" : " is");
			free(ids);
		}
	}
	free(arch);
}

int
plan_match(struct plan_match *m, const struct inventory *inv,
    const struct live_state *live)
{
	const struct live_project **by_id;
	struct ps_buf errs = PS_BUF_INIT;
	size_t i;
	int err = 0;

	memset(m, 0, sizeof(*m));
	m->match = xcalloc(inv->projects_nr + 1, sizeof(*m->match));
	m->claimed_by = xcalloc(live->nr + 1, sizeof(*m->claimed_by));
	m->by_name = xcalloc(live->nr + 1, sizeof(*m->by_name));

	by_id = xcalloc(live->nr + 1, sizeof(*by_id));
	for (i = 0; i < live->nr; i++)
		by_id[i] = &live->items[i];
	qsort(by_id, live->nr, sizeof(*by_id), plan__cmp_live_id);
	for (i = 1; i < live->nr; i++)
		if (strcmp(by_id[i - 1]->id, by_id[i]->id) == 0) {
			err = ps_error(PS_EHTTP, "the live listing contains "
			    "project '%s' twice; the list is inconsistent, "
			    "try again", by_id[i]->id);
			goto out;
		}
	match_pins(m, inv, live, by_id, &errs);
	match_names(m, inv, live, &errs);
	if (errs.len)
		err = ps_error(PS_EREFUSED, "%s", errs.ptr);
out:
	free(by_id);
	ps_buf_release(&errs);
	if (err < 0)
		plan_match_release(m);
	return err;
}

void
plan_match_release(struct plan_match *m)
{
	size_t i;

	if (!m)
		return;
	for (i = 0; i < m->warnings_nr; i++)
		free(m->warnings[i]);
	free(m->warnings);
	free(m->match);
	free(m->claimed_by);
	free(m->by_name);
	memset(m, 0, sizeof(*m));
}
