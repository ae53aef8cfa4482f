/*
 * apply: the executor — plan changes to API calls, recovery rounds for
 * creates whose outcome is unknown, and the duplicate check that makes
 * racing applies converge (docs/apply-safety.md).
 */
#include "apply/apply.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_RECOVERY_MS	120000
#define DEFAULT_SETTLE_MS	1000

/* What one item still needs in the next round of calls. */
enum step {
	STEP_NONE = 0,
	STEP_SEND,		/* the change's own call */
	STEP_RECONCILE,		/* adopted create: fix its tags with a modify */
};

struct work {
	enum step step;
	char *body;		/* owned */
	bool unknown;		/* a create whose outcome is unknown, waiting to
				 * be resolved by a re-list */
	int64_t settle_us;	/* a re-list started after this that lacks the
				 * project proves the create did not commit */
	bool resend;		/* a modify/archive whose outcome is unknown:
				 * both are idempotent, send it again */
	bool was_unknown;	/* some create attempt of this run had an
				 * unknown outcome (its project may be one
				 * nobody knows the id of) */
	int64_t created_at;	/* of the project this run created or
				 * adopted (server seconds), 0: unknown */
	int64_t answered_us;	/* an answer about it came then (local
				 * monotonic clock), 0: none */
};

static void
add_tag_object(cJSON *o, const char *field, const struct tag_set *ts)
{
	cJSON *t = cJSON_AddObjectToObject(o, field);
	size_t i;

	for (i = 0; i < ts->nr; i++)
		cJSON_AddStringToObject(t, ts->items[i].key, ts->items[i].value);
}

static char *
print_and_free(cJSON *o)
{
	char *s = cJSON_PrintUnformatted(o);
	char *copy = xstrdup(s);	/* keep one allocator for callers */

	cJSON_free(s);
	cJSON_Delete(o);
	return copy;
}

char *
apply_request_body(const struct plan_change *ch)
{
	cJSON *o, *rm;
	size_t i;

	switch (ch->action) {
	case PLAN_CREATE:
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "name", ch->name);
		add_tag_object(o, "tags", &ch->tags);
		return print_and_free(o);
	case PLAN_UPDATE:
		/* Never `tags` on modify: only add_tags / remove_tag_keys. */
		o = cJSON_CreateObject();
		if (ch->rename)
			cJSON_AddStringToObject(o, "name", ch->name);
		if (ch->add_tags.nr)
			add_tag_object(o, "add_tags", &ch->add_tags);
		if (ch->remove_nr) {
			rm = cJSON_AddArrayToObject(o, "remove_tag_keys");
			for (i = 0; i < ch->remove_nr; i++)
				cJSON_AddItemToArray(rm,
				    cJSON_CreateString(ch->remove_tag_keys[i]));
		}
		return print_and_free(o);
	default:
		return NULL;
	}
}

/* The modify that makes an adopted project's tags equal the plan's, or
 * NULL when they already are.  Reserved aws: keys are left alone. */
static char *
reconcile_body(const struct plan_change *ch, const struct live_project *lp)
{
	struct tag_set add = TAG_SET_INIT;
	cJSON *o, *rm = NULL;
	size_t i;
	char *body = NULL;

	for (i = 0; i < ch->tags.nr; i++) {
		const char *have = tag_set_get(&lp->tags, ch->tags.items[i].key);
		if (!have || strcmp(have, ch->tags.items[i].value))
			tag_set_put(&add, ch->tags.items[i].key,
			    ch->tags.items[i].value);
	}
	o = cJSON_CreateObject();
	for (i = 0; i < lp->tags.nr; i++) {
		const char *k = lp->tags.items[i].key;
		if (tag_set_get(&ch->tags, k) || strncasecmp(k, "aws:", 4) == 0)
			continue;
		if (!rm)
			rm = cJSON_AddArrayToObject(o, "remove_tag_keys");
		cJSON_AddItemToArray(rm, cJSON_CreateString(k));
	}
	if (add.nr)
		add_tag_object(o, "add_tags", &add);
	if (add.nr || rm)
		body = print_and_free(o);
	else
		cJSON_Delete(o);
	tag_set_release(&add);
	return body;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static bool
stopped(const struct apply_options *opts)
{
	return opts->stop && *opts->stop;
}

/* Sleep until `until` (monotonic µs); false when stopped meanwhile. */
static bool
sleep_until(int64_t until, const struct apply_options *opts)
{
	for (;;) {
		int64_t left = until - now_us();
		struct timespec ts;

		if (stopped(opts))
			return false;
		if (left <= 0)
			return true;
		if (left > 50000)
			left = 50000;	/* look at the stop flag often */
		ts.tv_sec = 0;
		ts.tv_nsec = (long)left * 1000;
		while (nanosleep(&ts, &ts) < 0 && errno == EINTR && !stopped(opts))
			;
	}
}

/*
 * IDs that cannot be the project an unknown create made: every id the plan
 * knows, and every id this run created or adopted.  Sorted for bsearch.
 */
static size_t
known_ids(const char ***out, const struct plan *p,
    const struct apply_result *r)
{
	size_t n = 0, i, cap = p->changes_nr + p->fingerprints_nr + r->nr + 1;
	const char **ids = xcalloc(cap, sizeof(*ids));

	for (i = 0; i < p->changes_nr; i++)
		if (p->changes[i].id)
			ids[n++] = p->changes[i].id;
	for (i = 0; i < p->fingerprints_nr; i++)
		ids[n++] = p->fingerprints[i].id;
	for (i = 0; i < r->nr; i++)
		if (r->items[i].project_id)
			ids[n++] = r->items[i].project_id;
	qsort(ids, n, sizeof(*ids), cmp_str);
	*out = ids;
	return n;
}

static bool
id_known(const char **ids, size_t n, const char *id)
{
	return bsearch(&id, ids, n, sizeof(*ids), cmp_str) != NULL;
}

static void set_error(struct apply_item *it, const char *fmt, ...)
    PS_PRINTF(2, 3);

static void
set_error(struct apply_item *it, const char *fmt, ...)
{
	va_list ap;
	char *e;

	va_start(ap, fmt);
	e = xvasprintf(fmt, ap);	/* fmt's arguments may hold it->error */
	va_end(ap);
	free(it->error);
	it->error = e;
}

static bool
pending(const struct work *w, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (w[i].unknown || w[i].resend)
			return true;
	return false;
}

/*
 * One recovery round, after a re-list that started at list_us: adopt, for
 * each unknown create, an active project with its name that nobody knows
 * (the one our lost request made).  One not found is created again only
 * when the re-list started after its settle time (the server had answered,
 * or the grace period passed), else it waits for the next round.  Unknown
 * modifies and archives are sent again (both are idempotent).
 */
static void
recover(struct apply_result *r, struct work *w, const struct plan *p,
    const struct live_state *live, int64_t list_us)
{
	const char **ids = NULL;
	bool *claimed;
	size_t i, j, nids;

	nids = known_ids(&ids, p, r);
	claimed = xcalloc(live->nr + 1, sizeof(*claimed));
	for (i = 0; i < r->nr; i++) {
		struct apply_item *it = &r->items[i];
		const struct live_project *found = NULL;

		if (w[i].resend) {
			w[i].resend = false;
			w[i].step = STEP_SEND;
			continue;
		}
		if (!w[i].unknown)
			continue;
		for (j = 0; j < live->nr && !found; j++) {
			const struct live_project *lp = &live->items[j];
			if (!claimed[j] && !lp->archived && lp->name &&
			    strcmp(lp->name, it->change->name) == 0 &&
			    strcmp(lp->id, "default") != 0 &&
			    !id_known(ids, nids, lp->id)) {
				claimed[j] = true;
				found = lp;
			}
		}
		if (!found && list_us < w[i].settle_us)
			continue;	/* may still commit: not yet */
		w[i].unknown = false;
		free(w[i].body);
		w[i].body = NULL;
		if (!found) {
			/* It did not commit: creating now cannot duplicate. */
			w[i].step = STEP_SEND;
			w[i].body = apply_request_body(it->change);
			continue;
		}
		it->project_id = xstrdup(found->id);
		w[i].created_at = found->created_at;
		it->adopted = true;
		it->unknown = false;
		w[i].body = reconcile_body(it->change, found);
		if (w[i].body) {
			w[i].step = STEP_RECONCILE;
		} else {
			it->outcome = APPLY_DONE;
			free(it->error);
			it->error = NULL;
		}
	}
	free(claimed);
	free(ids);
}

static void
count(struct apply_result *r)
{
	size_t i;

	r->created = r->updated = r->archived = r->failed = r->skipped = 0;
	r->duplicates_archived = 0;
	for (i = 0; i < r->nr; i++) {
		const struct apply_item *it = &r->items[i];
		r->duplicates_archived += it->archived_duplicate != NULL;
		if (it->outcome == APPLY_FAILED)
			r->failed++;
		else if (it->outcome == APPLY_SKIPPED)
			r->skipped++;
		else if (it->change->action == PLAN_CREATE)
			r->created++;
		else if (it->change->action == PLAN_UPDATE)
			r->updated++;
		else
			r->archived++;
	}
}

/* Progress over the whole apply, not one round's calls. */
struct round_progress {
	const struct apply_options *opts;
	size_t total, done, failed;	/* done/failed: outside this round */
};

static void
on_round_progress(const struct api_progress *p, void *payload)
{
	const struct round_progress *rp = payload;
	struct api_progress q = *p;

	q.total = rp->total;
	q.done += rp->done;
	q.failed += rp->failed;
	rp->opts->progress(&q, rp->opts->payload);
}

/*
 * Run one round: every item with a step gets one call.  A create whose
 * outcome is unknown waits for a re-list; when the server may still be at
 * it, for grace_us too.
 */
static int
run_round(struct apply_result *r, struct work *w, struct api_client *c,
    const struct apply_options *opts, int64_t grace_us)
{
	struct round_progress rp = { opts, 0, 0, 0 };
	struct api_run_hooks hooks = { opts->progress ? on_round_progress :
		NULL, &rp, opts->stop };
	struct api_call *calls;
	size_t *owner, n = 0, i;
	int64_t t;
	int err;

	calls = xcalloc(r->nr + 1, sizeof(*calls));
	owner = xcalloc(r->nr + 1, sizeof(*owner));
	for (i = 0; i < r->nr; i++) {
		const struct plan_change *ch = r->items[i].change;
		struct api_call *call = &calls[n];

		if (w[i].step == STEP_NONE) {
			/* not in this round: part of the count as it stands */
			if (r->items[i].outcome == APPLY_DONE)
				rp.done++;
			else if (r->items[i].outcome == APPLY_FAILED)
				rp.failed++;
			continue;
		}
		owner[n++] = i;
		call->body = w[i].body;
		if (w[i].step == STEP_RECONCILE) {
			call->op = API_OP_MODIFY;
			call->project_id = r->items[i].project_id;
		} else if (ch->action == PLAN_CREATE) {
			call->op = API_OP_CREATE;
		} else {
			call->op = ch->action == PLAN_UPDATE ? API_OP_MODIFY :
			    API_OP_ARCHIVE;
			call->project_id = ch->id;
		}
	}
	rp.total = n + rp.done + rp.failed;
	err = api_run_calls(c, calls, n, opts->parallelism ?
	    opts->parallelism : 16, &hooks);
	t = now_us();
	for (i = 0; i < n; i++) {
		struct api_call *call = &calls[i];
		struct apply_item *it = &r->items[owner[i]];
		struct work *wk = &w[owner[i]];
		enum step was = wk->step;

		wk->step = STEP_NONE;
		if (call->http_status)
			it->http_status = call->http_status;
		switch (call->outcome) {
		case API_DONE:
			it->outcome = APPLY_DONE;
			it->unknown = false;
			if (call->result.created_at > 0) {
				wk->created_at = call->result.created_at;
				wk->answered_us = call->answered_us;
			}
			free(it->error);
			it->error = NULL;
			if (!it->project_id && call->result.id)
				it->project_id = xstrdup(call->result.id);
			break;
		case API_FAILED:
			it->outcome = APPLY_FAILED;
			if (was == STEP_RECONCILE)
				set_error(it, "created (adopted after a lost "
				    "response) but its tags could not be set: "
				    "%s", call->error ? call->error : "");
			else
				set_error(it, "%s", call->error ? call->error :
				    "failed");
			break;
		case API_UNKNOWN:
			it->outcome = APPLY_FAILED;
			it->unknown = true;
			if (call->op == API_OP_CREATE) {
				wk->unknown = wk->was_unknown = true;
				wk->settle_us = t + (call->may_still_commit ?
				    grace_us : 0);
				set_error(it, "outcome unknown, may have been "
				    "created (%s)", call->error ? call->error :
				    "");
			} else {
				wk->resend = true;
				set_error(it, "outcome unknown: %s; run plan "
				    "to see what is left", call->error ?
				    call->error : "");
			}
			break;
		case API_NOT_STARTED:
			it->outcome = APPLY_SKIPPED;
			set_error(it, "not started: interrupted");
			wk->unknown = wk->resend = false;
			break;
		}
		api_call_release(call);
	}
	free(calls);
	free(owner);
	return err;
}

/* By name, then the survivor first (plan_survivor_cmp). */
static int
cmp_survivor(const void *a, const void *b)
{
	return plan_survivor_cmp(*(const struct live_project *const *)a,
	    *(const struct live_project *const *)b);
}

static int
cmp_name_key(const void *key, const void *elem)
{
	const struct live_project *y = *(const struct live_project *const *)elem;

	return strcmp(key, y->name);
}

/*
 * When may the duplicate check list?  Once the server's clock has passed
 * the second of this run's newest project (created_at has whole seconds):
 * a racing project committed later has a newer created_at and loses.
 * Each answer bounds the server's clock offset: the project was committed
 * before it, within its created_at second, so offset >= created_at -
 * answered (created_at truncates the commit time, as unix seconds do).
 * That is never later than a second after the last answer, and at most
 * `settle` from now (projects without a timed answer, a server without
 * created_at: the whole second).
 */
static int64_t
check_time(const struct apply_result *r, const struct work *w, int64_t now,
    unsigned settle_ms)
{
	int64_t newest = 0, offset = INT64_MIN, at, cap;
	size_t i;

	cap = now + (int64_t)settle_ms * 1000;
	for (i = 0; i < r->nr; i++) {
		if (r->items[i].change->action != PLAN_CREATE ||
		    r->items[i].outcome != APPLY_DONE)
			continue;
		if (w[i].created_at <= 0)
			return cap;
		if (w[i].created_at > newest)
			newest = w[i].created_at;
		if (w[i].answered_us > 0 &&
		    w[i].created_at * 1000000 - w[i].answered_us > offset)
			offset = w[i].created_at * 1000000 - w[i].answered_us;
	}
	if (!newest || offset == INT64_MIN)
		return cap;
	at = (newest + 1) * 1000000 - offset;
	return at < cap ? at : cap;
}

/*
 * Racing applies (docs/apply-safety.md): after this run's creates, list
 * again; where a name this run created now has several active projects,
 * the oldest (created_at, then smallest id) survives in every run's eyes.
 * This run archives the losers it made itself — its own project, and when
 * one of its creates had an unknown outcome, projects of that name whose
 * id nobody knows (its lost create may have made them) — and reports the
 * survivor as the change's project.
 */
static void
converge_duplicates(struct apply_result *r, struct work *w,
    struct api_client *c, const struct plan *p,
    const struct apply_options *opts)
{
	struct live_state live = LIVE_STATE_INIT;
	const struct live_project **act;
	struct api_call *calls = NULL;
	size_t *owner = NULL, ncalls = 0, nact = 0, i, j, creates = 0;
	const char **ids = NULL;
	size_t nids;
	unsigned settle = opts->settle_ms ? opts->settle_ms : DEFAULT_SETTLE_MS;

	for (i = 0; i < r->nr; i++)
		creates += r->items[i].change->action == PLAN_CREATE &&
		    r->items[i].outcome == APPLY_DONE;
	if (!creates)
		return;
	if (!sleep_until(check_time(r, w, now_us(), settle), opts)) {
		r->warning = xstrdup("interrupted before checking whether a "
		    "concurrent apply created the same projects; run plan");
		return;
	}
	if (api_list_projects(c, &live) < 0) {
		r->warning = xasprintf("could not check whether a concurrent "
		    "apply created the same projects: %s; run plan",
		    ps_error_last());
		return;
	}
	act = xcalloc(live.nr + 1, sizeof(*act));
	for (i = 0; i < live.nr; i++)
		if (!live.items[i].archived && live.items[i].name &&
		    strcmp(live.items[i].id, "default") != 0)
			act[nact++] = &live.items[i];
	qsort(act, nact, sizeof(*act), cmp_survivor);
	nids = known_ids(&ids, p, r);
	/* each archive is a distinct active project */
	calls = xcalloc(nact + 1, sizeof(*calls));
	owner = xcalloc(nact + 1, sizeof(*owner));
	for (i = 0; i < r->nr; i++) {
		struct apply_item *it = &r->items[i];
		const struct live_project **lo, **hi;
		const char *mine = it->project_id;

		if (it->change->action != PLAN_CREATE ||
		    it->outcome != APPLY_DONE || !mine)
			continue;
		lo = bsearch(it->change->name, act, nact, sizeof(*act),
		    cmp_name_key);
		if (!lo)
			continue;
		while (lo > act && !strcmp(lo[-1]->name, it->change->name))
			lo--;
		for (hi = lo; hi < act + nact && !strcmp((*hi)->name,
		    it->change->name); hi++)
			;
		if (hi - lo < 2)
			continue;
		/* lo[0] survives; archive the losers that are ours */
		for (j = 1; j < (size_t)(hi - lo); j++) {
			const char *id = lo[j]->id;
			if (strcmp(id, mine) != 0 && !(w[i].was_unknown &&
			    !id_known(ids, nids, id)))
				continue;	/* another run's: it archives it */
			calls[ncalls].op = API_OP_ARCHIVE;
			calls[ncalls].project_id = id;
			owner[ncalls++] = i;
		}
		if (strcmp(lo[0]->id, mine) != 0) {
			free(it->project_id);
			it->project_id = xstrdup(lo[0]->id);
		}
	}
	if (ncalls)
		(void)api_run_calls(c, calls, ncalls, opts->parallelism ?
		    opts->parallelism : 16, NULL);
	for (i = 0; i < ncalls; i++) {
		struct apply_item *it = &r->items[owner[i]];

		if (calls[i].outcome == API_DONE) {
			if (!it->archived_duplicate)
				it->archived_duplicate =
				    xstrdup(calls[i].project_id);
		} else {
			it->outcome = APPLY_FAILED;
			set_error(it, "a concurrent apply created '%s' too; %s "
			    "is kept, but archiving the duplicate %s failed: "
			    "%s", it->change->name, it->project_id,
			    calls[i].project_id, calls[i].error ?
			    calls[i].error : "not started");
		}
		api_call_release(&calls[i]);
	}
	free(calls);
	free(owner);
	free(ids);
	free(act);
	live_state_release(&live);
}

int
apply_run(struct apply_result *r, struct api_client *c, const struct plan *p,
    const struct apply_options *opts)
{
	unsigned long requests0 = api_client_requests(c);
	double scale = api_client_retry_scale(c);
	int64_t grace_us, deadline;
	uint64_t rng = (uint64_t)now_us() ^ ((uint64_t)getpid() << 20);
	struct work *w;
	size_t i, n = 0;
	unsigned round;
	int err = 0;

	/* longer than a request may take, and at least a second more */
	grace_us = 2 * (int64_t)api_client_timeout_ms(c) * 1000;
	if (grace_us < (int64_t)api_client_timeout_ms(c) * 1000 + 1000000)
		grace_us = (int64_t)api_client_timeout_ms(c) * 1000 + 1000000;
	deadline = now_us() + (opts->recovery_ms ? (int64_t)opts->recovery_ms *
	    1000 : (int64_t)(DEFAULT_RECOVERY_MS * 1000.0 * scale));
	memset(r, 0, sizeof(*r));
	r->items = xcalloc(p->changes_nr + 1, sizeof(*r->items));
	w = xcalloc(p->changes_nr + 1, sizeof(*w));
	for (i = 0; i < p->changes_nr; i++) {
		const struct plan_change *ch = &p->changes[i];
		struct apply_item *it;

		if (ch->action == PLAN_UNMANAGED ||
		    (opts->already_done && opts->already_done[i]))
			continue;
		it = &r->items[n];
		it->change = ch;
		it->project_id = xstrdup(ch->id);
		if (ch->action == PLAN_ARCHIVE && !opts->allow_archive) {
			it->error = xstrdup("archive is irreversible and needs "
			    "--allow-archive");
		} else {
			w[n].step = STEP_SEND;
			w[n].body = apply_request_body(ch);
		}
		n++;
	}
	r->nr = n;

	for (round = 0;; round++) {
		struct live_state live = LIVE_STATE_INIT;
		int64_t next, list_us;

		err = run_round(r, w, c, opts, grace_us);
		/* Stopped: calls not started, or changes left unresolved.
		 * A stop after the last call started leaves nothing out. */
		if (stopped(opts) && (err == PS_ECANCELLED || pending(w, n))) {
			r->interrupted = true;
			break;
		}
		if (!pending(w, n))
			break;
		/* each round starts with a re-list, after backoff + jitter */
		next = now_us() + (int64_t)(api_backoff_ms(round, &rng) *
		    scale * 1000);
		if (next > deadline || !sleep_until(next, opts)) {
			r->interrupted = stopped(opts);
			break;
		}
		list_us = now_us();
		if (api_list_projects(c, &live) < 0)
			continue;	/* cannot tell what exists: next round */
		recover(r, w, p, &live, list_us);
		live_state_release(&live);
	}
	for (i = 0; i < n; i++) {
		if (w[i].unknown && !r->interrupted)
			set_error(&r->items[i], "%s; not in the account when "
			    "the recovery time ran out, so not sent again: the "
			    "next run adopts it or creates it",
			    r->items[i].error ? r->items[i].error : "");
		free(w[i].body);
	}
	if (!r->interrupted)
		converge_duplicates(r, w, c, p, opts);
	free(w);
	count(r);
	r->requests = api_client_requests(c) - requests0;
	if (r->interrupted)
		return ps_error(PS_ECANCELLED, "apply interrupted");
	if (r->failed || r->skipped)
		return ps_error(PS_EPARTIAL, "%zu change%s failed, %zu skipped",
		    r->failed, r->failed == 1 ? "" : "s", r->skipped);
	return 0;
}
