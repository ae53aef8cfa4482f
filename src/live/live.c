/* live: JSON codec for Project objects and list pages (lenient parsing). */
#include "live/live.h"

#include <stdlib.h>
#include <string.h>

static int
bad(const char *what, const char *fmt, const char *field)
{
	return ps_error(PS_EHTTP, "%s: malformed response: %s%s", what, fmt,
	    field ? field : "");
}

/* Returns 0 and sets *out (borrowed, may be NULL) for a string or null. */
static int
opt_string(const char **out, const cJSON *obj, const char *field)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, field);

	*out = NULL;
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsString(v))
		return -1;
	*out = v->valuestring;
	return 0;
}

static int
opt_int(int64_t *out, const cJSON *obj, const char *field)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, field);

	*out = 0;
	if (!v || cJSON_IsNull(v))
		return 0;
	/* out of range would make the cast undefined */
	if (!cJSON_IsNumber(v) || !(v->valuedouble > -1e15 &&
	    v->valuedouble < 1e15))
		return -1;
	*out = (int64_t)v->valuedouble;
	return 0;
}

int
live_project_from_json(struct live_project *out, const cJSON *obj)
{
	const char *id, *name, *arn, *status;
	const cJSON *tags, *t;

	memset(out, 0, sizeof(*out));
	if (!cJSON_IsObject(obj))
		return ps_error(PS_EHTTP, "project is not a JSON object");
	if (opt_string(&id, obj, "id") < 0 || !id || !*id)
		return ps_error(PS_EHTTP, "project has no string 'id'");
	if (opt_string(&name, obj, "name") < 0)
		return ps_error(PS_EHTTP, "project '%s': 'name' is not a string", id);
	if (opt_string(&arn, obj, "arn") < 0)
		return ps_error(PS_EHTTP, "project '%s': 'arn' is not a string", id);
	if (opt_string(&status, obj, "status") < 0)
		return ps_error(PS_EHTTP, "project '%s': 'status' is not a string", id);
	if (opt_int(&out->created_at, obj, "created_at") < 0 ||
	    opt_int(&out->archived_at, obj, "archived_at") < 0)
		return ps_error(PS_EHTTP, "project '%s': a timestamp is not a number", id);
	tags = cJSON_GetObjectItemCaseSensitive(obj, "tags");
	if (tags && !cJSON_IsNull(tags) && !cJSON_IsObject(tags))
		return ps_error(PS_EHTTP, "project '%s': 'tags' is not an object", id);
	cJSON_ArrayForEach(t, tags) {
		if (!cJSON_IsString(t) || !t->string) {
			tag_set_release(&out->tags);
			return ps_error(PS_EHTTP,
			    "project '%s': tag '%s' is not a string", id,
			    t->string ? t->string : "");
		}
		tag_set_put(&out->tags, t->string, t->valuestring);
	}
	out->id = xstrdup(id);
	out->name = xstrdup(name);
	out->arn = xstrdup(arn);
	/* archived_at alone also means archived: tolerate a missing status */
	out->archived = status ? strcmp(status, "archived") == 0
			       : out->archived_at != 0;
	return 0;
}

cJSON *
live_project_to_json(const struct live_project *p)
{
	cJSON *o = cJSON_CreateObject(), *tags = cJSON_CreateObject();
	size_t i;

	cJSON_AddStringToObject(o, "id", p->id);
	ps_json_add_str(o, "name", p->name);
	if (p->arn)
		cJSON_AddStringToObject(o, "arn", p->arn);
	cJSON_AddStringToObject(o, "status", p->archived ? "archived" : "active");
	cJSON_AddNumberToObject(o, "created_at", (double)p->created_at);
	if (p->archived_at)
		cJSON_AddNumberToObject(o, "archived_at", (double)p->archived_at);
	for (i = 0; i < p->tags.nr; i++)
		cJSON_AddStringToObject(tags, p->tags.items[i].key,
		    p->tags.items[i].value);
	cJSON_AddItemToObject(o, "tags", tags);	/* o owns tags now */
	return o;
}

void
live_project_copy(struct live_project *dst, const struct live_project *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->id = xstrdup(src->id);
	dst->name = xstrdup(src->name);
	dst->arn = xstrdup(src->arn);
	dst->archived = src->archived;
	dst->created_at = src->created_at;
	dst->archived_at = src->archived_at;
	tag_set_copy(&dst->tags, &src->tags);
}

void
live_project_release(struct live_project *p)
{
	if (!p)
		return;
	free(p->id);
	free(p->name);
	free(p->arn);
	tag_set_release(&p->tags);
	memset(p, 0, sizeof(*p));
}

static void
hash_field(struct sha256_ctx *c, const char *s)
{
	/* length-prefixed, so fields cannot run into each other */
	uint64_t n = s ? strlen(s) : UINT64_MAX;

	sha256_update(c, &n, sizeof(n));
	if (s)
		sha256_update(c, s, (size_t)n);
}

void
live_project_fingerprint(char out[65], const struct live_project *p)
{
	static const char hex[] = "0123456789abcdef";
	struct sha256_ctx c;
	unsigned char md[32];
	size_t i;

	sha256_init(&c);
	hash_field(&c, "projsync-fingerprint-v1");
	hash_field(&c, p->id);
	hash_field(&c, p->name);
	hash_field(&c, p->archived ? "archived" : "active");
	for (i = 0; i < p->tags.nr; i++) {
		hash_field(&c, p->tags.items[i].key);
		hash_field(&c, p->tags.items[i].value);
	}
	sha256_final(&c, md);
	for (i = 0; i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
}

/* Prefix the last message with the request; copy it first, because
 * ps_error() formats into the buffer ps_error_last() points to. */
static int
rewrap(const char *what)
{
	char *msg = xstrdup(ps_error_last());
	int err = ps_error(PS_EHTTP, "%s: malformed response: %s", what, msg);

	free(msg);
	return err;
}

static cJSON *
parse_body(const char *body, size_t len, const char *what, int *err)
{
	const char *end = NULL;
	cJSON *root;

	*err = 0;
	if (!body || !len) {
		*err = bad(what, "empty body", NULL);
		return NULL;
	}
	root = cJSON_ParseWithLengthOpts(body, len, &end, 0);
	if (root && end) {
		/* one value only: anything but blanks after it is garbage */
		while (end < body + len && (*end == ' ' || *end == '\t' ||
		    *end == '\r' || *end == '\n'))
			end++;
		if (end < body + len) {
			cJSON_Delete(root);
			root = NULL;
		}
	}
	if (!root)
		*err = ps_error(PS_EHTTP,
		    "%s: malformed response: not valid JSON near byte %ld", what,
		    end ? (long)(end - body) : 0L);
	return root;
}

int
live_parse_list_page(struct live_state *st, bool *has_more, char **next_after,
    const char *body, size_t len, const char *what)
{
	const cJSON *data, *more, *item, *last_id;
	struct live_project p;
	cJSON *root;
	int err;

	*has_more = false;
	*next_after = NULL;
	if (!(root = parse_body(body, len, what, &err)))
		return err;
	if (!cJSON_IsObject(root)) {
		err = bad(what, "expected a list object", NULL);
		goto out;
	}
	data = cJSON_GetObjectItemCaseSensitive(root, "data");
	more = cJSON_GetObjectItemCaseSensitive(root, "has_more");
	if (!cJSON_IsArray(data)) {
		err = bad(what, "'data' is missing or not an array", NULL);
		goto out;
	}
	if (more && !cJSON_IsBool(more) && !cJSON_IsNull(more)) {
		err = bad(what, "'has_more' is not a boolean", NULL);
		goto out;
	}
	cJSON_ArrayForEach(item, data) {
		if ((err = live_project_from_json(&p, item)) < 0) {
			err = rewrap(what);
			goto out;
		}
		live_state_add(st, &p);
	}
	*has_more = cJSON_IsTrue(more);
	if (*has_more) {
		int n = cJSON_GetArraySize(data);
		last_id = cJSON_GetObjectItemCaseSensitive(root, "last_id");
		if (n > 0)
			*next_after = xstrdup(st->items[st->nr - 1].id);
		else if (cJSON_IsString(last_id) && *last_id->valuestring)
			*next_after = xstrdup(last_id->valuestring);
		else
			err = bad(what,
			    "'has_more' is true but there is no cursor", NULL);
	}
out:
	cJSON_Delete(root);
	return err;
}

int
live_parse_project(struct live_project *out, const char *body, size_t len,
    const char *what)
{
	cJSON *root;
	int err;

	memset(out, 0, sizeof(*out));
	if (!(root = parse_body(body, len, what, &err)))
		return err;
	if ((err = live_project_from_json(out, root)) < 0)
		err = rewrap(what);
	cJSON_Delete(root);
	return err;
}

#define ERROR_MESSAGE_MAX	1000	/* bytes of the server's text kept */

/*
 * The server's text goes to a terminal: one line, no control sequences
 * (util's escaper, like every string from the API), bounded.
 */
static char *
clean_message(const char *s)
{
	return ps_printable(s, ERROR_MESSAGE_MAX);
}

char *
live_parse_error_message(const char *body, size_t len)
{
	const cJSON *e, *m;
	char *msg = NULL;
	cJSON *root;

	if (!body || !len)
		return NULL;
	if (!(root = cJSON_ParseWithLengthOpts(body, len, NULL, 0)))
		return NULL;
	e = cJSON_GetObjectItemCaseSensitive(root, "error");
	m = cJSON_GetObjectItemCaseSensitive(e, "message");
	if (cJSON_IsString(m))
		msg = clean_message(m->valuestring);
	cJSON_Delete(root);
	return msg;
}

void
live_state_add(struct live_state *st, struct live_project *p)
{
	xgrow(&st->items, &st->alloc, st->nr + 1, sizeof(*st->items));
	st->items[st->nr++] = *p;	/* st owns p's contents now */
	memset(p, 0, sizeof(*p));
}

const struct live_project *
live_state_find(const struct live_state *st, const char *id)
{
	size_t i;

	for (i = 0; i < st->nr; i++)
		if (strcmp(st->items[i].id, id) == 0)
			return &st->items[i];
	return NULL;
}

bool
live_arn_split(const char *arn, char **region, char **account)
{
	const char *f[6];
	size_t n = 0;
	const char *s;

	*region = *account = NULL;
	if (!arn || strncmp(arn, "arn:", 4) != 0)
		return false;
	/* arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE */
	for (s = arn; n < 6 && s; s = strchr(s, ':'))
		f[n++] = *s == ':' ? ++s : s;
	if (n < 6 || f[4] == f[3] + 1 || f[5] == f[4] + 1)
		return false;
	if (strspn(f[3], "abcdefghijklmnopqrstuvwxyz0123456789-") !=
	    (size_t)(f[4] - f[3] - 1) ||
	    strspn(f[4], "0123456789") != (size_t)(f[5] - f[4] - 1))
		return false;
	*region = xstrndup(f[3], (size_t)(f[4] - f[3] - 1));
	*account = xstrndup(f[4], (size_t)(f[5] - f[4] - 1));
	return true;
}

bool
live_state_account(const struct live_state *st, char **region,
    char **account)
{
	size_t i;

	for (i = 0; i < st->nr; i++)
		if (live_arn_split(st->items[i].arn, region, account))
			return true;
	return false;
}

void
live_state_release(struct live_state *st)
{
	size_t i;

	for (i = 0; i < st->nr; i++)
		live_project_release(&st->items[i]);
	free(st->items);
	st->items = NULL;
	st->nr = st->alloc = 0;
}
