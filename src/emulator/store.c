/* emulator: the project store, its id index and the state file. */
#include "emulator/internal.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint64_t
emu__rng_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

bool
emu__id_valid(const char *id)
{
	const char *p;

	if (strcmp(id, "default") == 0)
		return true;
	if (strncmp(id, "proj_", 5) != 0 || !id[5])
		return false;
	for (p = id + 5; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')))
			return false;
	return true;
}

void
emu__json_str(struct ps_buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const char *run = s;

	ps_buf_addch(b, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		ps_buf_add(b, run, (size_t)(s - run));
		run = s + 1;
		switch (c) {
		case '"': ps_buf_adds(b, "\\\""); break;
		case '\\': ps_buf_adds(b, "\\\\"); break;
		case '\n': ps_buf_adds(b, "\\n"); break;
		case '\r': ps_buf_adds(b, "\\r"); break;
		case '\t': ps_buf_adds(b, "\\t"); break;
		default:
			ps_buf_adds(b, "\\u00");
			ps_buf_addch(b, hex[c >> 4]);
			ps_buf_addch(b, hex[c & 15]);
		}
	}
	ps_buf_add(b, run, (size_t)(s - run));
	ps_buf_addch(b, '"');
}

static uint64_t
hash_str(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;	/* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

static struct emu_project *
project_new(const char *id, const char *name, int64_t created_at)
{
	struct emu_project *p = xcalloc(1, sizeof(*p));

	p->id = xstrdup(id);
	p->name = xstrdup(name);
	p->created_at = created_at;
	strcpy(p->retention, "inherit");
	return p;
}

void
emu__project_free(struct emu_project *p)
{
	if (!p)
		return;
	free(p->id);
	free(p->name);
	free(p->external_key_id);
	tag_set_release(&p->tags);
	free(p);
}

void
emu__store_init(struct emu_store *st, int64_t epoch)
{
	memset(st, 0, sizeof(*st));
	st->epoch = epoch;
	st->def = project_new("default", "default", epoch);
	strcpy(st->retention, "default");
	st->retention_updated_at = epoch;
	st->nslots = 64;
	st->slots = xcalloc(st->nslots, sizeof(*st->slots));
}

void
emu__store_release(struct emu_store *st)
{
	size_t i;

	for (i = 0; i < st->nr; i++)
		emu__project_free(st->order[i]);
	free(st->order);
	free(st->slots);
	emu__project_free(st->def);
	memset(st, 0, sizeof(*st));
}

struct emu_project *
emu__store_find(const struct emu_store *st, const char *id)
{
	size_t mask = st->nslots - 1, i;

	if (strcmp(id, "default") == 0)
		return st->def;
	for (i = hash_str(id) & mask; st->slots[i]; i = (i + 1) & mask)
		if (strcmp(st->slots[i]->id, id) == 0)
			return st->slots[i];
	return NULL;
}

static void
slot_put(struct emu_project **slots, size_t nslots, struct emu_project *p)
{
	size_t mask = nslots - 1, i;

	for (i = hash_str(p->id) & mask; slots[i]; i = (i + 1) & mask)
		;
	slots[i] = p;
}

/* Order: created_at ascending, ties broken by id. */
static int
project_cmp(const struct emu_project *a, const struct emu_project *b)
{
	if (a->created_at != b->created_at)
		return a->created_at < b->created_at ? -1 : 1;
	return strcmp(a->id, b->id);
}

/* First position whose project sorts after p (upper bound). */
static size_t
upper_bound(const struct emu_store *st, const struct emu_project *p)
{
	size_t lo = 0, hi = st->nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (project_cmp(st->order[mid], p) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void
emu__store_insert(struct emu_store *st, struct emu_project *p)
{
	size_t at, i;

	/* keep the index at most half full */
	if ((st->nr + 1) * 2 > st->nslots) {
		size_t n = st->nslots * 2;
		struct emu_project **slots = xcalloc(n, sizeof(*slots));
		for (i = 0; i < st->nr; i++)
			slot_put(slots, n, st->order[i]);
		free(st->slots);
		st->slots = slots;
		st->nslots = n;
	}
	slot_put(st->slots, st->nslots, p);
	at = upper_bound(st, p);
	xgrow(&st->order, &st->alloc, st->nr + 1, sizeof(*st->order));
	memmove(&st->order[at + 1], &st->order[at],
	    (st->nr - at) * sizeof(*st->order));
	st->order[at] = p;
	st->nr++;
}

size_t
emu__store_index(const struct emu_store *st, const struct emu_project *p)
{
	/* ids are unique, so the upper bound is just past p */
	return upper_bound(st, p) - 1;
}

/* ---- state file ---- */

static void
dump_project(struct ps_buf *b, const struct emu_project *p)
{
	size_t i;

	ps_buf_adds(b, "{\"id\":");
	emu__json_str(b, p->id);
	ps_buf_adds(b, ",\"name\":");
	emu__json_str(b, p->name);
	ps_buf_addf(b, ",\"created_at\":%" PRId64, p->created_at);
	if (p->archived)
		ps_buf_addf(b, ",\"archived_at\":%" PRId64, p->archived_at);
	ps_buf_addf(b, ",\"status\":\"%s\"", p->archived ? "archived" : "active");
	ps_buf_adds(b, ",\"tags\":{");
	for (i = 0; i < p->tags.nr; i++) {
		if (i)
			ps_buf_addch(b, ',');
		emu__json_str(b, p->tags.items[i].key);
		ps_buf_addch(b, ':');
		emu__json_str(b, p->tags.items[i].value);
	}
	ps_buf_addf(b, "},\"data_retention\":{\"mode\":\"%s\"}", p->retention);
	if (p->external_key_id) {
		ps_buf_adds(b, ",\"external_key_id\":");
		emu__json_str(b, p->external_key_id);
	}
	ps_buf_addch(b, '}');
}

void
emu__store_dump(struct ps_buf *out, const struct emu_store *st)
{
	size_t i;

	/* the rng is a string: JSON numbers lose bits past 2^53 */
	ps_buf_addf(out, "{\"version\":1,\"epoch\":%" PRId64
	    ",\"rng\":\"%016" PRIx64 "\",\"data_retention\":{\"mode\":\"%s\","
	    "\"updated_at\":%" PRId64 "},\"projects\":[",
	    st->epoch, st->rng_ids, st->retention, st->retention_updated_at);
	for (i = 0; i < st->nr; i++) {
		ps_buf_adds(out, i ? ",\n" : "\n");
		dump_project(out, st->order[i]);
	}
	ps_buf_adds(out, "\n]}\n");
}

static bool
get_int(const cJSON *obj, const char *name, int64_t *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);

	if (!cJSON_IsNumber(v) || v->valuedouble < 0 ||
	    v->valuedouble > 9007199254740992.0)
		return false;
	*out = (int64_t)v->valuedouble;
	return true;
}

static int
load_project(struct emu_store *st, const cJSON *o, size_t idx, const char *what)
{
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(o, "id");
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(o, "name");
	const cJSON *status = cJSON_GetObjectItemCaseSensitive(o, "status");
	const cJSON *tags = cJSON_GetObjectItemCaseSensitive(o, "tags");
	const cJSON *dr = cJSON_GetObjectItemCaseSensitive(o, "data_retention");
	const cJSON *ext = cJSON_GetObjectItemCaseSensitive(o, "external_key_id");
	const cJSON *mode = cJSON_GetObjectItemCaseSensitive(dr, "mode");
	const cJSON *t;
	struct emu_project *p;
	int64_t created;

	if (!cJSON_IsObject(o) || !cJSON_IsString(id) ||
	    !cJSON_IsString(name) || !get_int(o, "created_at", &created) ||
	    !cJSON_IsString(status) || !cJSON_IsObject(tags))
		return ps_error(PS_EINVALID, "%s: project %zu is malformed",
		    what, idx + 1);
	if (!emu__id_valid(id->valuestring) ||
	    strcmp(id->valuestring, "default") == 0 ||
	    emu__store_find(st, id->valuestring))
		return ps_error(PS_EINVALID, "%s: bad or duplicate project id "
		    "'%s'", what, id->valuestring);
	p = project_new(id->valuestring, name->valuestring, created);
	if (strcmp(status->valuestring, "archived") == 0) {
		p->archived = true;
		if (!get_int(o, "archived_at", &p->archived_at))
			p->archived_at = created;
	}
	cJSON_ArrayForEach(t, tags) {
		if (!cJSON_IsString(t)) {
			emu__project_free(p);
			return ps_error(PS_EINVALID, "%s: project '%s': tag "
			    "values must be strings", what, id->valuestring);
		}
		tag_set_put(&p->tags, t->string, t->valuestring);
	}
	if (cJSON_IsString(mode) && strlen(mode->valuestring) < sizeof(p->retention))
		strcpy(p->retention, mode->valuestring);
	if (cJSON_IsString(ext))
		p->external_key_id = xstrdup(ext->valuestring);
	emu__store_insert(st, p);
	return 0;
}

int
emu__store_load(struct emu_store *st, const char *text, size_t len,
    const char *what)
{
	const char *end = NULL;
	cJSON *doc = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	const cJSON *projects, *p, *dr, *mode, *rng;
	int64_t epoch;
	size_t i = 0;
	int err = 0;

	if (!doc || !cJSON_IsObject(doc)) {
		err = ps_error(PS_EINVALID, "%s: not a JSON state file (offset "
		    "%zu)", what, end && end >= text ? (size_t)(end - text) : 0);
		goto out;
	}
	if (!get_int(doc, "epoch", &epoch)) {
		err = ps_error(PS_EINVALID, "%s: missing \"epoch\"", what);
		goto out;
	}
	emu__store_release(st);
	emu__store_init(st, epoch);
	rng = cJSON_GetObjectItemCaseSensitive(doc, "rng");
	if (cJSON_IsString(rng))
		st->rng_ids = strtoull(rng->valuestring, NULL, 16);
	dr = cJSON_GetObjectItemCaseSensitive(doc, "data_retention");
	mode = cJSON_GetObjectItemCaseSensitive(dr, "mode");
	if (cJSON_IsString(mode) && strlen(mode->valuestring) < sizeof(st->retention))
		strcpy(st->retention, mode->valuestring);
	get_int(dr, "updated_at", &st->retention_updated_at);
	projects = cJSON_GetObjectItemCaseSensitive(doc, "projects");
	if (!cJSON_IsArray(projects)) {
		err = ps_error(PS_EINVALID, "%s: missing \"projects\"", what);
		goto out;
	}
	cJSON_ArrayForEach(p, projects)
		if ((err = load_project(st, p, i++, what)) < 0)
			goto out;
out:
	cJSON_Delete(doc);
	return err;
}
