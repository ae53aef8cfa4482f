/*
 * emulator internals shared by its .c files (emu__ names).  Owned by the
 * emulator module; nothing outside src/emulator includes this.
 */
#ifndef PROJSYNC_EMULATOR_INTERNAL_H
#define PROJSYNC_EMULATOR_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "emulator/emulator.h"
#include "util/util.h"

#define EMU_ID_CHARS	20	/* proj_ + 20 of [a-z0-9] */

struct emu_project {
	char *id;			/* owned: "default" or proj_... */
	char *name;			/* owned, never NULL */
	int64_t created_at;
	int64_t archived_at;		/* meaningful when archived */
	bool archived;
	struct tag_set tags;		/* sorted by key */
	char retention[24];		/* data_retention.mode */
	char *external_key_id;		/* owned or NULL (openai flavour) */
};

/*
 * Projects: the default one apart, the others in list order (created_at
 * ascending, ties by id) plus an open-addressing index by id, so lookups
 * are O(1) and an `after` cursor is found by binary search.
 */
struct emu_store {
	struct emu_project *def;
	struct emu_project **order;
	size_t nr, alloc;
	struct emu_project **slots;	/* borrowed pointers; NULL: empty */
	size_t nslots;			/* power of two */
	int64_t epoch;			/* when the state was born */
	char retention[24];		/* account-level /v1/data_retention */
	int64_t retention_updated_at;
	uint64_t rng_ids;		/* id stream, saved with the state */
};

void emu__store_init(struct emu_store *st, int64_t epoch);
void emu__store_release(struct emu_store *st);
/* Borrowed project with this id (default included), or NULL. */
struct emu_project *emu__store_find(const struct emu_store *st, const char *id);
/* Takes ownership of p and inserts it at its place in the order. */
void emu__store_insert(struct emu_store *st, struct emu_project *p);
/* Position of a non-default project in st->order. */
size_t emu__store_index(const struct emu_store *st, const struct emu_project *p);
void emu__project_free(struct emu_project *p);

/* State file: JSON document in *out; load from a buffer into a fresh store. */
void emu__store_dump(struct ps_buf *out, const struct emu_store *st);
int emu__store_load(struct emu_store *st, const char *text, size_t len,
    const char *what);

/* ---- Cost Explorer (ce.c) ---- */
struct emu_ce_tag {
	char *key;			/* owned */
	bool active;
	int64_t updated;		/* unix time; 0: never changed */
};

struct emu_ce_backfill {
	int64_t from;			/* days since 1970, a month's first */
	int64_t requested;		/* unix time */
};

/* What Cost Explorer remembers: statuses set, backfills asked for. */
struct emu_ce {
	struct emu_ce_tag *tags;
	size_t nr_tags, alloc_tags;
	struct emu_ce_backfill *backfills;
	size_t nr_backfills, alloc_backfills;
	unsigned long requests, throttled;
};

void emu__ce_init(struct emu_ce *ce, const struct emu_config *cfg);
void emu__ce_release(struct emu_ce *ce);
void emu__ce_set_status(struct emu_ce *ce, const char *key, bool active,
    int64_t when);
/* POST / whose X-Amz-Target starts with target. */
bool emu__ce_is_request(const struct emu_request *req, const char *target);
/* Answer one Cost Explorer request from the projects in st. */
void emu__ce_handle(struct emu_ce *ce, const struct emu_config *cfg,
    const struct emu_store *st, int64_t now, const struct emu_request *req,
    struct emu_response *resp);

/* JSON string literal with escapes (the input is valid UTF-8). */
void emu__json_str(struct ps_buf *b, const char *s);

/* splitmix64: one step of a seeded stream. */
uint64_t emu__rng_next(uint64_t *state);

/* Is this a syntactically valid project id, ^(default|proj_[a-z0-9]+)$? */
bool emu__id_valid(const char *id);

/* ---- sigv4.c ---- */
struct emu_sigv4_verdict {
	const char *code;	/* on failure: error.code, e.g. "signature_mismatch" */
	char *message;		/* on failure: owned, names what is wrong */
	bool read_only;		/* the key is :ro */
};
/*
 * Verify the request's AWS4-HMAC-SHA256 signature against cfg->sigv4:
 * the credential scope's service and region (bedrock-mantle and
 * cfg->region for the Projects API; ce and us-east-1 for Cost Explorer),
 * a known access key, X-Amz-Date within 5 minutes of now, the key's
 * session token, and the signature over the canonical request rebuilt
 * from the request as received.
 */
bool emu__sigv4_verify(const struct emu_config *cfg,
    const struct emu_request *req, const char *service, const char *region,
    time_t now, struct emu_sigv4_verdict *v);
struct emu_sigv4_key *emu__sigv4_keys_copy(const struct emu_sigv4_key *keys,
    size_t nr);
void emu__sigv4_keys_release(struct emu_sigv4_key *keys, size_t nr);

#endif
