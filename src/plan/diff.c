/* plan: matching inventory projects to live ones, actions, safety checks. */
#include "plan/plan.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan/internal.h"

/* ---- plan model helpers ---- */

int
plan__strcmp_null(const char *a, const char *b)
{
	if (!a || !b)
		return !a && !b ? 0 : !a ? -1 : 1;
	return strcmp(a, b);
}

struct plan_change *
plan__add_change(struct plan *p, enum plan_action a)
{
	struct plan_change *c;

	xgrow(&p->changes, &p->changes_alloc, p->changes_nr + 1,
	    sizeof(*p->changes));
	c = &p->changes[p->changes_nr++];
	memset(c, 0, sizeof(*c));
	c->action = a;
	return c;
}

void
plan__change_release(struct plan_change *c)
{
	size_t i;

	free(c->id);
	free(c->name);
	free(c->rename_from);
	tag_set_release(&c->tags);
	tag_set_release(&c->add_tags);
	for (i = 0; i < c->remove_nr; i++)
		free(c->remove_tag_keys[i]);
	free(c->remove_tag_keys);
	live_project_release(&c->before);
	memset(c, 0, sizeof(*c));
}

void
plan__add_warning(struct plan *p, const char *fmt, ...)
{
	va_list ap;

	xgrow(&p->warnings, &p->warnings_alloc, p->warnings_nr + 1,
	    sizeof(*p->warnings));
	va_start(ap, fmt);
	p->warnings[p->warnings_nr++] = xvasprintf(fmt, ap);
	va_end(ap);
}

void
plan__add_violation(struct plan *p, enum plan_violation_kind kind,
    bool overridable, const char *fmt, ...)
{
	struct plan_violation *v;
	va_list ap;

	xgrow(&p->violations, &p->violations_alloc, p->violations_nr + 1,
	    sizeof(*p->violations));
	v = &p->violations[p->violations_nr++];
	v->kind = kind;
	v->overridable = overridable;
	va_start(ap, fmt);
	v->message = xvasprintf(fmt, ap);
	va_end(ap);
	p->safety_ok = false;
}

void
plan__add_fingerprint(struct plan *p, const char *id, const char *sha)
{
	struct plan_fingerprint *f;

	xgrow(&p->fingerprints, &p->fingerprints_alloc,
	    p->fingerprints_nr + 1, sizeof(*p->fingerprints));
	f = &p->fingerprints[p->fingerprints_nr++];
	f->id = xstrdup(id);
	memcpy(f->sha256, sha, 64);
	f->sha256[64] = '\0';
}

static int
cmp_change(const void *a, const void *b)
{
	const struct plan_change *x = a, *y = b;
	int c = plan__strcmp_null(x->name, y->name);

	if (c)
		return c;
	/* a create (no id yet) before the project with an id */
	if ((c = plan__strcmp_null(x->id, y->id)))
		return c;
	return (int)x->action - (int)y->action;
}

static int
cmp_fingerprint(const void *a, const void *b)
{
	const struct plan_fingerprint *x = a, *y = b;

	return strcmp(x->id, y->id);
}

void
plan__sort(struct plan *p)
{
	if (p->changes_nr > 1)
		qsort(p->changes, p->changes_nr, sizeof(*p->changes),
		    cmp_change);
	plan__sort_fingerprints(p);
}

void
plan__sort_fingerprints(struct plan *p)
{
	if (p->fingerprints_nr > 1)
		qsort(p->fingerprints, p->fingerprints_nr,
		    sizeof(*p->fingerprints), cmp_fingerprint);
}

void
plan__count(const struct plan *p, struct plan_summary *s)
{
	size_t i;

	s->create = s->update = s->archive = s->unmanaged = 0;
	for (i = 0; i < p->changes_nr; i++) {
		switch (p->changes[i].action) {
		case PLAN_CREATE: s->create++; break;
		case PLAN_UPDATE: s->update++; break;
		case PLAN_ARCHIVE: s->archive++; break;
		case PLAN_UNMANAGED: s->unmanaged++; break;
		}
	}
}

void
plan__tags_after(struct tag_set *out, const struct plan_change *c)
{
	size_t i;

	tag_set_copy(out, &c->before.tags);
	for (i = 0; i < c->remove_nr; i++)
		tag_set_remove(out, c->remove_tag_keys[i]);
	for (i = 0; i < c->add_tags.nr; i++)
		tag_set_put(out, c->add_tags.items[i].key,
		    c->add_tags.items[i].value);
}

void
plan_free(struct plan *p)
{
	size_t i;

	if (!p)
		return;
	free(p->endpoint);
	free(p->inventory_path);
	free(p->git_commit);
	for (i = 0; i < p->changes_nr; i++)
		plan__change_release(&p->changes[i]);
	free(p->changes);
	for (i = 0; i < p->fingerprints_nr; i++)
		free(p->fingerprints[i].id);
	free(p->fingerprints);
	for (i = 0; i < p->warnings_nr; i++)
		free(p->warnings[i]);
	free(p->warnings);
	for (i = 0; i < p->violations_nr; i++)
		free(p->violations[i].message);
	free(p->violations);
	plan__billing_release(&p->billing);
	free(p);
}

size_t
plan_change_count(const struct plan *p)
{
	return p->summary.create + p->summary.update + p->summary.archive;
}

bool
plan_has_hard_violation(const struct plan *p)
{
	size_t i;

	for (i = 0; i < p->violations_nr; i++)
		if (!p->violations[i].overridable)
			return true;
	return false;
}

const char *
plan_fingerprint_find(const struct plan *p, const char *id)
{
	struct plan_fingerprint key, *f;

	if (!p->fingerprints_nr)	/* bsearch() must not see a NULL base */
		return NULL;
	key.id = (char *)id;
	f = bsearch(&key, p->fingerprints, p->fingerprints_nr,
	    sizeof(*p->fingerprints), cmp_fingerprint);
	return f ? f->sha256 : NULL;
}

const char *
plan_action_name(enum plan_action a)
{
	switch (a) {
	case PLAN_CREATE: return "create";
	case PLAN_UPDATE: return "update";
	case PLAN_ARCHIVE: return "archive";
	case PLAN_UNMANAGED: return "unmanaged";
	}
	return "?";
}

const char *
plan_violation_kind_name(enum plan_violation_kind k)
{
	switch (k) {
	case PLAN_VIOLATION_MAX_CHANGES: return "max-changes";
	case PLAN_VIOLATION_MAX_CHANGE_PERCENT: return "max-change-percent";
	case PLAN_VIOLATION_MASS_TAG_CHANGE: return "mass-tag-change";
	case PLAN_VIOLATION_PROJECT_LIMIT: return "project-limit";
	}
	return "?";
}

char *
plan_endpoint_sanitize(const char *url)
{
	struct ps_buf b = PS_BUF_INIT;
	const char *auth, *end, *at, *p;

	if (!url)
		return NULL;
	/* authority runs from after "scheme://" to the next '/', '?' or '#' */
	p = strstr(url, "://");
	auth = p ? p + 3 : url;
	end = auth + strcspn(auth, "/?#");
	ps_buf_add(&b, url, (size_t)(auth - url));
	at = NULL;
	for (p = auth; p < end; p++)
		if (*p == '@')
			at = p;		/* the last '@' ends the userinfo */
	if (at)
		auth = at + 1;
	ps_buf_add(&b, auth, (size_t)(end - auth));
	/* the path, without a query or fragment (they could carry a key) */
	ps_buf_add(&b, end, strcspn(end, "?#"));
	return ps_buf_detach(&b);
}

/* ---- diff ---- */

/*
 * The update that makes lp look like ip, honouring ignore_tags; NULL when
 * nothing differs.  Inventory keys that ignore_tags covers go to `ignored`.
 */
static bool
diff_update(struct plan *p, const struct inventory *inv,
    const struct inv_project *ip, const struct live_project *lp,
    struct tag_set *ignored)
{
	struct plan_change *c;
	struct tag_set add = TAG_SET_INIT;
	char **rm = NULL;
	size_t rm_nr = 0, rm_alloc = 0, i;
	bool rename = plan__strcmp_null(ip->name, lp->name) != 0;

	for (i = 0; i < ip->tags.nr; i++) {
		const struct tag *t = &ip->tags.items[i];
		const char *cur;

		if (inventory_tag_ignored(inv, t->key)) {
			tag_set_put(ignored, t->key, "");
			continue;
		}
		cur = tag_set_get(&lp->tags, t->key);
		if (!cur || strcmp(cur, t->value) != 0)
			tag_set_put(&add, t->key, t->value);
	}
	/* live tags are sorted, so rm comes out sorted */
	for (i = 0; i < lp->tags.nr; i++) {
		const char *key = lp->tags.items[i].key;

		if (inventory_tag_ignored(inv, key) ||
		    tag_set_get(&ip->tags, key))
			continue;
		xgrow(&rm, &rm_alloc, rm_nr + 1, sizeof(*rm));
		rm[rm_nr++] = xstrdup(key);
	}
	if (!rename && !add.nr && !rm_nr) {
		tag_set_release(&add);
		return false;
	}
	c = plan__add_change(p, PLAN_UPDATE);
	c->id = xstrdup(lp->id);
	c->name = xstrdup(ip->name);
	c->rename = rename;
	c->rename_from = rename ? xstrdup(lp->name) : NULL;
	c->add_tags = add;		/* moved */
	c->remove_tag_keys = rm;	/* moved */
	c->remove_nr = rm_nr;
	c->has_before = true;
	live_project_copy(&c->before, lp);
	return true;
}

static void
add_archive(struct plan *p, const struct live_project *lp,
    enum plan_archive_reason reason)
{
	struct plan_change *c = plan__add_change(p, PLAN_ARCHIVE);

	c->id = xstrdup(lp->id);
	c->name = xstrdup(lp->name);
	c->reason = reason;
	c->has_before = true;
	live_project_copy(&c->before, lp);
}

static void
add_create(struct plan *p, const struct inventory *inv,
    const struct inv_project *ip, struct tag_set *ignored)
{
	struct plan_change *c = plan__add_change(p, PLAN_CREATE);
	size_t i;

	c->name = xstrdup(ip->name);
	for (i = 0; i < ip->tags.nr; i++) {
		const struct tag *t = &ip->tags.items[i];

		if (inventory_tag_ignored(inv, t->key))
			tag_set_put(ignored, t->key, "");
		else
			tag_set_put(&c->tags, t->key, t->value);
	}
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* docs/architecture.md, Plan semantics: thresholds recorded as violations; apply refuses them. */
static void
check_safety(struct plan *p, const struct inventory *inv, size_t managed,
    size_t active_now)
{
	const struct inv_safety *s = &inv->settings.safety;
	size_t changes = plan_change_count(p);
	size_t touched = p->summary.update + p->summary.archive;
	size_t i, j;
	/* thresholds are literal: 0 means no change at all without --force
	 * (100% or a huge max_changes is how a check is switched off) */
	bool pct_applies = managed > 0 && managed >= s->min_projects_for_percent;

	p->safety_ok = true;
	if (changes > s->max_changes)
		plan__add_violation(p, PLAN_VIOLATION_MAX_CHANGES, true,
		    "the plan makes %zu changes, more than "
		    "settings.safety.max_changes (%u)", changes, s->max_changes);
	if (pct_applies && touched * 100 > (size_t)s->max_change_percent * managed)
		plan__add_violation(p, PLAN_VIOLATION_MAX_CHANGE_PERCENT, true,
		    "the plan updates or archives %zu of %zu managed projects "
		    "(%zu%%), more than settings.safety.max_change_percent "
		    "(%u%%)", touched, managed, touched * 100 / managed,
		    s->max_change_percent);
	if (pct_applies) {
		/* every key each update adds, changes or removes, sorted so
		 * equal keys form runs (and the report is stable) */
		const char **keys = NULL;
		size_t nkeys = 0, alloc = 0, run;

		for (i = 0; i < p->changes_nr; i++) {
			const struct plan_change *c = &p->changes[i];

			if (c->action != PLAN_UPDATE)
				continue;
			xgrow(&keys, &alloc, nkeys + c->add_tags.nr +
			    c->remove_nr, sizeof(*keys));
			for (j = 0; j < c->add_tags.nr; j++)
				keys[nkeys++] = c->add_tags.items[j].key;
			for (j = 0; j < c->remove_nr; j++)
				keys[nkeys++] = c->remove_tag_keys[j];
		}
		if (nkeys > 1)
			qsort(keys, nkeys, sizeof(*keys), cmp_str);
		for (i = 0; i < nkeys; i += run) {
			for (run = 1; i + run < nkeys &&
			    strcmp(keys[i], keys[i + run]) == 0; run++)
				;
			if (run * 100 > (size_t)s->max_change_percent * managed)
				plan__add_violation(p,
				    PLAN_VIOLATION_MASS_TAG_CHANGE, true,
				    "tag '%s' changes on %zu of %zu managed "
				    "projects (%zu%%), more than "
				    "settings.safety.max_change_percent (%u%%)",
				    keys[i], run, managed, run * 100 / managed,
				    s->max_change_percent);
		}
		free(keys);
	}
	if (inv->settings.project_limit > 0 && p->summary.create > 0) {
		size_t after = active_now + p->summary.create;

		after = after > p->summary.archive ? after - p->summary.archive : 0;
		if (after > inv->settings.project_limit)
			plan__add_violation(p, PLAN_VIOLATION_PROJECT_LIMIT,
			    false, "creating %zu projects would bring the account "
			    "to %zu active projects (%zu now, %zu archived by "
			    "this plan), more than settings.project_limit (%u)",
			    p->summary.create, after, active_now,
			    p->summary.archive, inv->settings.project_limit);
	}
}

/* A new plan with the header fields; no changes yet. */
static struct plan *
plan_start(const struct inventory *inv, const struct plan_options *opts)
{
	struct plan *p = xcalloc(1, sizeof(*p));

	p->format_version = PLAN_FORMAT_VERSION;
	p->endpoint = plan_endpoint_sanitize(opts && opts->endpoint ?
	    opts->endpoint : "");
	p->inventory_path = xstrdup(inv->path);
	memcpy(p->inventory_sha256, inv->sha256, sizeof(p->inventory_sha256));
	p->inventory_sha256[64] = '\0';
	p->git_commit = xstrdup(opts ? opts->git_commit : NULL);
	return p;
}

/* Actions for inventory projects; returns how many are managed (matched
 * and active). */
static size_t
inventory_actions(struct plan *p, const struct inventory *inv,
    const struct plan_match *m, struct tag_set *ignored)
{
	size_t i, first, n, managed = 0;

	for (i = 0; i < inv->projects_nr; i++) {
		const struct inv_project *ip = &inv->projects[i];
		const struct live_project *lp = m->match[i];

		if (lp && !lp->archived)
			managed++;
		if (!lp) {
			if (ip->archived)
				p->summary.unchanged++;	/* nothing to archive */
			else
				add_create(p, inv, ip, ignored);
		} else if (lp->archived) {
			p->summary.unchanged++;		/* archived, as wanted */
		} else if (ip->archived) {
			add_archive(p, lp, PLAN_REASON_INVENTORY);
		} else if (!diff_update(p, inv, ip, lp, ignored)) {
			p->summary.unchanged++;
		} else if (plan__strcmp_null(ip->name, lp->name) != 0) {
			/* names are not unique in the API: say so before a
			 * rename makes two active projects share one */
			first = plan__find_name(m->by_name, m->by_name_nr,
			    ip->name, &n);
			if (n > 0)
				plan__add_warning(p, "renaming %s to '%s', a "
				    "name that %s (not in the inventory) "
				    "already has; names will be ambiguous",
				    lp->id, ip->name, m->by_name[first]->id);
		}
	}
	return managed;
}

/* Active live projects nobody claimed: report, ignore or archive them per
 * settings.unmanaged.  *managed grows by the archived ones; returns how
 * many active non-default projects the account has now. */
static size_t
unmanaged_actions(struct plan *p, const struct inventory *inv,
    const struct live_state *live, const struct plan_match *m,
    size_t *managed)
{
	size_t i, active_now = 0;

	for (i = 0; i < live->nr; i++) {
		const struct live_project *lp = &live->items[i];
		struct plan_change *c;

		if (plan__is_default(lp) || lp->archived)
			continue;
		active_now++;
		if (m->claimed_by[i])
			continue;
		switch (inv->settings.unmanaged) {
		case INV_UNMANAGED_IGNORE:
			break;
		case INV_UNMANAGED_ARCHIVE:
			add_archive(p, lp, PLAN_REASON_UNMANAGED);
			(*managed)++;
			break;
		case INV_UNMANAGED_REPORT:
		default:
			c = plan__add_change(p, PLAN_UNMANAGED);
			c->id = xstrdup(lp->id);
			c->name = xstrdup(lp->name);
			break;
		}
	}
	return active_now;
}

/* Fingerprints of the live state every update and archive touches. */
static void
add_fingerprints(struct plan *p)
{
	size_t i;

	for (i = 0; i < p->changes_nr; i++) {
		const struct plan_change *c = &p->changes[i];
		char sha[65];

		if (!c->has_before)
			continue;
		live_project_fingerprint(sha, &c->before);
		plan__add_fingerprint(p, c->id, sha);
	}
}

int
plan_diff(struct plan **out, const struct inventory *inv,
    const struct live_state *live, const struct plan_options *opts)
{
	struct plan_match m;
	struct tag_set ignored = TAG_SET_INIT;
	size_t i, managed, active_now;
	struct plan *p;
	int err;

	*out = NULL;
	if ((err = plan_match(&m, inv, live)) < 0)
		return err;
	p = plan_start(inv, opts);
	for (i = 0; i < m.warnings_nr; i++)
		plan__add_warning(p, "%s", m.warnings[i]);
	managed = inventory_actions(p, inv, &m, &ignored);
	active_now = unmanaged_actions(p, inv, live, &m, &managed);
	for (i = 0; i < ignored.nr; i++)
		plan__add_warning(p, "tag '%s' is set in the inventory but "
		    "matches settings.ignore_tags; projsync never adds, changes "
		    "or removes it", ignored.items[i].key);
	add_fingerprints(p);
	plan__sort(p);
	plan__count(p, &p->summary);
	check_safety(p, inv, managed, active_now);
	*out = p;
	tag_set_release(&ignored);
	plan_match_release(&m);
	return 0;
}
