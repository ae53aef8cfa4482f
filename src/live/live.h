/*
 * live: the account's projects as the API reports them, and the JSON codec
 * between API objects and this model.  Owned by the live module.  Plain
 * data: the plan module diffs it without touching the network, the api
 * module fills it from HTTP responses.  The emulator has its own codec
 * (it must not share the client's logic).
 *
 * Parsing is lenient like the reference asks: only `id` is required in a
 * project; missing or null optional fields and unknown fields are fine;
 * a wrong type for a field we use is an error.
 */
#ifndef PROJSYNC_LIVE_H
#define PROJSYNC_LIVE_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

#include "util/util.h"

struct live_project {
	char *id;		/* "default" or "proj_..." */
	char *name;		/* may be NULL (the API allows a null name) */
	char *arn;		/* NULL in the OpenAI flavour */
	bool archived;		/* status == "archived" */
	int64_t created_at;	/* unix seconds, 0 when absent */
	int64_t archived_at;	/* 0 when absent or null */
	struct tag_set tags;	/* sorted by key */
};

struct live_state {
	struct live_project *items;
	size_t nr, alloc;
};
#define LIVE_STATE_INIT { NULL, 0, 0 }

/* Fill *out from a Project JSON object. On error returns PS_EHTTP with a
 * message naming the field; *out is left empty. */
int live_project_from_json(struct live_project *out, const cJSON *obj);
/* Project → JSON object (id, name, arn, status, created_at, tags).
 * Caller owns the result. */
cJSON *live_project_to_json(const struct live_project *p);
void live_project_copy(struct live_project *dst, const struct live_project *src);
void live_project_release(struct live_project *p);

/*
 * Fingerprint of what a plan depends on: id, name, status and tags, hashed
 * in a canonical form.  Two snapshots with the same fingerprint are the
 * same for projsync's purposes (created_at and the ARN never change).
 */
void live_project_fingerprint(char out[65], const struct live_project *p);

/*
 * Parse one list page `{"object":"list","data":[...],"has_more":b,...}`,
 * appending its projects to st.  *has_more and *next_after (caller frees)
 * tell the caller how to continue: the cursor is the last element's id,
 * falling back to `last_id`.  `what` names the request in errors.
 */
int live_parse_list_page(struct live_state *st, bool *has_more,
    char **next_after, const char *body, size_t len, const char *what);
/* Parse a single Project response body. */
int live_parse_project(struct live_project *out, const char *body, size_t len,
    const char *what);
/* The error.message of an API error body, or NULL. Caller frees.  One
 * line, control characters replaced, at most ~1000 bytes. */
char *live_parse_error_message(const char *body, size_t len);

void live_state_add(struct live_state *st, struct live_project *p); /* moves p */
/* Borrowed pointer to the project with this id, or NULL (linear). */
const struct live_project *live_state_find(const struct live_state *st,
    const char *id);
/* The region and account of "arn:PARTITION:SERVICE:REGION:ACCOUNT:...";
 * false (both NULL) when arn is not such an ARN.  Caller frees both. */
bool live_arn_split(const char *arn, char **region, char **account);
/* The region and account the projects' ARNs name (the first ARN that
 * parses); false when none does (the OpenAI flavour has no ARNs). */
bool live_state_account(const struct live_state *st, char **region,
    char **account);
void live_state_release(struct live_state *st);

#endif
