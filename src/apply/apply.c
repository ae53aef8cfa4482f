/* apply: the executor — plan changes to API calls, unknown-create recovery. */
#include "apply/apply.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* What one item still needs in the next round of calls. */
enum step {
	STEP_NONE = 0,
	STEP_SEND,		/* the change's own call */
	STEP_RECONCILE,		/* adopted create: fix its tags with a modify */
};

struct work {
	enum step step;
	char *body;		/* owned */
	bool unknown;		/* last create attempt had an unknown outcome */
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

	free(it->error);
	va_start(ap, fmt);
	it->error = xvasprintf(fmt, ap);
	va_end(ap);
}

/*
 * After calls whose create outcome is unknown: list again and adopt, for
 * each such create, an active project with its name that nobody knows
 * (the one our lost request made).  Those not found are sent again.
 */
static int
recover_unknown_creates(struct apply_result *r, struct work *w,
    struct api_client *c, const struct plan *p)
{
	struct live_state live = LIVE_STATE_INIT;
	const char **ids = NULL;
	bool *claimed = NULL;
	size_t i, j, nids;
	int err;

	if ((err = api_list_projects(c, &live)) < 0)
		return err;
	nids = known_ids(&ids, p, r);
	claimed = xcalloc(live.nr + 1, sizeof(*claimed));
	for (i = 0; i < r->nr; i++) {
		struct apply_item *it = &r->items[i];
		const struct live_project *found = NULL;

		if (!w[i].unknown)
			continue;
		w[i].unknown = false;
		for (j = 0; j < live.nr && !found; j++) {
			const struct live_project *lp = &live.items[j];
			if (!claimed[j] && !lp->archived && lp->name &&
			    strcmp(lp->name, it->change->name) == 0 &&
			    strcmp(lp->id, "default") != 0 &&
			    !id_known(ids, nids, lp->id)) {
				claimed[j] = true;
				found = lp;
			}
		}
		free(w[i].body);
		w[i].body = NULL;
		if (!found) {
			/* It did not commit: creating now cannot duplicate. */
			w[i].step = STEP_SEND;
			w[i].body = apply_request_body(it->change);
			it->unknown = false;
			continue;
		}
		it->project_id = xstrdup(found->id);
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
	live_state_release(&live);
	return 0;
}

static void
count(struct apply_result *r)
{
	size_t i;

	r->created = r->updated = r->archived = r->failed = r->skipped = 0;
	for (i = 0; i < r->nr; i++) {
		const struct apply_item *it = &r->items[i];
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

/* Run one round: every item with a step gets one call. */
static int
run_round(struct apply_result *r, struct work *w, struct api_client *c,
    const struct apply_options *opts)
{
	struct round_progress rp = { opts, 0, 0, 0 };
	struct api_run_hooks hooks = { opts->progress ? on_round_progress :
		NULL, &rp, opts->stop };
	struct api_call *calls;
	size_t *owner, n = 0, i;
	int err;

	calls = xcalloc(r->nr + 1, sizeof(*calls));
	owner = xcalloc(r->nr + 1, sizeof(*owner));
	for (i = 0; i < r->nr; i++) {
		const struct plan_change *ch = r->items[i].change;
		struct api_call *call = &calls[n];

		if (w[i].step == STEP_NONE) {
			/* never attempted (an archive not allowed): not
			 * part of the count */
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
				wk->unknown = true;
				set_error(it, "outcome unknown (%s); not resent "
				    "blindly", call->error ? call->error : "");
			} else {
				set_error(it, "outcome unknown: %s; run plan "
				    "to see what is left", call->error ?
				    call->error : "");
			}
			break;
		case API_NOT_STARTED:
			it->outcome = APPLY_SKIPPED;
			set_error(it, "not started: interrupted");
			wk->unknown = false;
			break;
		}
		api_call_release(call);
	}
	free(calls);
	free(owner);
	return err;
}

int
apply_run(struct apply_result *r, struct api_client *c, const struct plan *p,
    const struct apply_options *opts)
{
	unsigned rounds = opts->recovery_rounds ? opts->recovery_rounds : 3;
	unsigned long requests0 = api_client_requests(c);
	struct work *w;
	size_t i, n = 0;
	unsigned round;
	int err = 0;

	memset(r, 0, sizeof(*r));
	r->items = xcalloc(p->changes_nr + 1, sizeof(*r->items));
	w = xcalloc(p->changes_nr + 1, sizeof(*w));
	for (i = 0; i < p->changes_nr; i++) {
		const struct plan_change *ch = &p->changes[i];
		struct apply_item *it;

		if (ch->action == PLAN_UNMANAGED)
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
		bool any_unknown = false;

		err = run_round(r, w, c, opts);
		for (i = 0; i < n; i++)
			any_unknown |= w[i].unknown;
		/* Stopped: calls not started, or creates left unrecovered.
		 * A stop after the last call started leaves nothing out. */
		if (opts->stop && *opts->stop &&
		    (err == PS_ECANCELLED || any_unknown)) {
			r->interrupted = true;
			break;
		}
		if (!any_unknown)
			break;
		if (round + 1 >= rounds) {
			for (i = 0; i < n; i++)
				if (w[i].unknown)
					set_error(&r->items[i], "outcome still "
					    "unknown after %u re-lists; run plan "
					    "to see whether it exists", rounds - 1);
			break;
		}
		if ((err = recover_unknown_creates(r, w, c, p)) < 0) {
			/* Cannot tell what exists: leave them failed. */
			for (i = 0; i < n; i++)
				if (w[i].unknown || w[i].step != STEP_NONE) {
					set_error(&r->items[i], "outcome unknown "
					    "and the re-list failed: %s",
					    ps_error_last());
					w[i].step = STEP_NONE;
				}
			break;
		}
	}
	for (i = 0; i < n; i++)
		free(w[i].body);
	free(w);
	count(r);
	r->requests = api_client_requests(c) - requests0;
	if (r->interrupted)
		return ps_error(PS_ECANCELLED, "apply interrupted");
	if (r->failed || r->skipped)
		return ps_error(PS_EPARTIAL, "%zu change%s failed, %zu skipped",
		    r->failed, r->failed == 1 ? "" : "s", r->skipped);
	(void)err;
	return 0;
}
