/*
 * apply: execute a plan against the API (docs/apply-safety.md).  Owned by
 * the apply module.  It turns plan changes into API calls, runs them
 * concurrently through api_run_calls(), recovers creates whose outcome is
 * unknown in recovery rounds (each starts with a re-list: adopt the
 * project if it now exists, create again only once the account shows it
 * did not commit), makes racing applies converge on one project per name
 * and reports every change's outcome.
 *
 * It never prints: the caller renders the result.  The caller has already
 * checked that the plan is fresh, safe and approved.
 *
 * Ownership: apply_run() fills a caller-owned struct apply_result; free
 * its contents with apply_result_release().  The plan is borrowed and must
 * outlive the result.
 */
#ifndef PROJSYNC_APPLY_H
#define PROJSYNC_APPLY_H

#include <signal.h>
#include <stdbool.h>

#include "api/api.h"
#include "plan/plan.h"
#include "util/util.h"

enum apply_outcome {
	APPLY_SKIPPED = 0,	/* not attempted (interrupted, or not allowed) */
	APPLY_DONE,
	APPLY_FAILED,
};

struct apply_item {
	const struct plan_change *change;	/* borrowed from the plan */
	enum apply_outcome outcome;
	char *project_id;	/* owned: the id acted on or created */
	char *error;		/* owned: why it failed or was skipped */
	long http_status;	/* last status seen, 0 if none */
	bool adopted;		/* a create found already done after an
				 * unknown outcome, not sent again */
	bool unknown;		/* failed, but may have taken effect */
	/* create: a concurrent apply made the same name; project_id is the
	 * survivor every run agrees on, and this is the duplicate this run
	 * made and archived (owned), or NULL */
	char *archived_duplicate;
};

/* A cost-allocation tag key that was not activated, and why. */
struct apply_tag_failure {
	char *key, *error;	/* owned */
};

/*
 * The plan's cost-allocation tags (settings.billing.activate_tags): the
 * caller activates them through Cost Explorer and records the outcome
 * here, so that the result document and its rendering cover them.
 */
struct apply_tags {
	bool attempted;			/* the plan activates tags */
	char **activated;		/* owned */
	size_t activated_nr;
	char **skipped;			/* owned: active by the time of apply */
	size_t skipped_nr;
	struct apply_tag_failure *failed;
	size_t failed_nr;
};

struct apply_result {
	struct apply_item *items;	/* one per create/update/archive, in
					 * plan order */
	size_t nr;
	size_t created, updated, archived, failed, skipped;
	bool interrupted;		/* stopped by a signal */
	unsigned long requests;		/* HTTP requests sent */
	size_t duplicates_archived;	/* see apply_item.archived_duplicate */
	char *warning;			/* owned: the duplicate check could not
					 * run (why), or NULL */
	struct apply_tags tags;
};
#define APPLY_RESULT_INIT { NULL, 0, 0, 0, 0, 0, 0, false, 0, 0, NULL, \
	{ false, NULL, 0, NULL, 0, NULL, 0 } }

/* Record one tag's outcome in r->tags (error NULL: activated). */
void apply_result_tag(struct apply_result *r, const char *key, bool skipped,
    const char *error);

struct apply_options {
	unsigned parallelism;		/* 0: 16 */
	bool allow_archive;		/* archives are skipped without it */
	/* Recovery rounds (re-list, adopt, resend what certainly did not
	 * happen) stop after this long, 0: 120 s times the client's retry
	 * scale.  Unresolved creates then end "outcome unknown". */
	unsigned recovery_ms;
	/* Before the duplicate check: wait this long after the creates,
	 * 0: 1000 ms (created_at has whole seconds; a racing create in the
	 * same second must be visible to the check). */
	unsigned settle_ms;
	volatile sig_atomic_t *stop;	/* SIGINT/SIGTERM flag, may be NULL */
	/* A saved plan partly applied already: skip the changes marked here
	 * (apply_check_saved_plan(); p->changes_nr entries), or NULL. */
	const bool *already_done;
	void (*progress)(const struct api_progress *p, void *payload);
	void *payload;
};

/*
 * Apply every create, update and archive of the plan.  Returns 0 when all
 * are done, PS_EPARTIAL when some failed or were skipped, PS_ECANCELLED
 * when interrupted (check result->created + updated + archived to tell
 * whether anything was done), or another negative code for an error that
 * stopped everything before any call (nothing in result then).
 */
int apply_run(struct apply_result *result, struct api_client *c,
    const struct plan *p, const struct apply_options *opts);

/*
 * Before a saved plan is applied (no request is made here): refused
 * (PS_EREFUSED, one line per reason in why, ps_error() set) when it was
 * made for another endpoint than `endpoint` or the account changed under
 * it (plan_check_stale(), naming per project what changed).  Returns
 * PLAN_ALREADY_APPLIED when the account already matches it, else 0 with
 * done[i] set for the changes already made (p->changes_nr entries).
 */
int apply_check_saved_plan(const struct plan *p, const char *endpoint,
    const struct live_state *now, struct ps_buf *why, bool *done);

/*
 * The safety gate before any change: PS_EREFUSED with one line per reason
 * in why when the plan breaks a safety threshold (unless force), the quota
 * (always), or archives without allow_archive.
 */
int apply_check_safety(const struct plan *p, bool force, bool allow_archive,
    struct ps_buf *why);

/* The API request body for a change (NULL for archive). Caller frees. */
char *apply_request_body(const struct plan_change *ch);

/*
 * The result document (deterministic JSON, trailing newline):
 * {"format_version":1,"summary":{...},"interrupted":b,"changes":[{action,
 * name,id,outcome,adopted,archived_duplicate,error,http_status}]}.  Holds
 * no credential; `id` of a create is the project that survives.
 */
void apply_result_to_json(struct ps_buf *out, const struct apply_result *r);
/* One line per failed/skipped change (and per done one with show_done)
 * and the summary line:
 * "Apply complete: X created, Y updated, Z archived, N failed." */
void apply_result_render_text(struct ps_buf *out, const struct apply_result *r,
    bool color, bool show_done);
void apply_result_summary(struct ps_buf *out, const struct apply_result *r);
/* Did the apply (maybe) change the account: anything done or adopted, or
 * a failure whose outcome is unknown?  Exit 5 when it did and something
 * failed, else 1. */
bool apply_result_changed(const struct apply_result *r);
void apply_result_release(struct apply_result *r);

#endif
