/*
 * plan: the plan document (format_version 1).  Written as a cJSON tree in
 * a fixed key order and printed by util's JSON writer (two-space indent,
 * integers without exponent) so the bytes are deterministic.  Read back
 * strictly: a plan file is user-supplied input that apply will execute.
 */
#include "plan/plan.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "plan/internal.h"

/* ---- writing ---- */

static cJSON *
tags_json(const struct tag_set *ts)
{
	cJSON *o = cJSON_CreateObject();
	size_t i;

	for (i = 0; i < ts->nr; i++)
		cJSON_AddItemToObject(o, ts->items[i].key,
		    cJSON_CreateString(ts->items[i].value));
	return o;
}

static cJSON *
str_or_null(const char *s)
{
	return s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

static const char *
reason_name(enum plan_archive_reason r)
{
	return r == PLAN_REASON_UNMANAGED ? "unmanaged" : "inventory";
}

static cJSON *
change_json(const struct plan_change *c)
{
	cJSON *o = cJSON_CreateObject(), *x;
	size_t i;

	cJSON_AddStringToObject(o, "action", plan_action_name(c->action));
	if (c->id)
		cJSON_AddStringToObject(o, "id", c->id);
	cJSON_AddItemToObject(o, "name", str_or_null(c->name));
	switch (c->action) {
	case PLAN_CREATE:
		cJSON_AddItemToObject(o, "tags", tags_json(&c->tags));
		break;
	case PLAN_UPDATE:
		if (c->rename) {
			x = cJSON_AddObjectToObject(o, "rename");
			cJSON_AddItemToObject(x, "from", str_or_null(c->rename_from));
			cJSON_AddItemToObject(x, "to", str_or_null(c->name));
		}
		cJSON_AddItemToObject(o, "add_tags", tags_json(&c->add_tags));
		x = cJSON_AddArrayToObject(o, "remove_tag_keys");
		for (i = 0; i < c->remove_nr; i++)
			cJSON_AddItemToArray(x,
			    cJSON_CreateString(c->remove_tag_keys[i]));
		break;
	case PLAN_ARCHIVE:
		cJSON_AddStringToObject(o, "reason", reason_name(c->reason));
		break;
	case PLAN_UNMANAGED:
		break;
	}
	if (c->has_before) {
		x = cJSON_AddObjectToObject(o, "before");
		cJSON_AddItemToObject(x, "name", str_or_null(c->before.name));
		cJSON_AddStringToObject(x, "status",
		    c->before.archived ? "archived" : "active");
		cJSON_AddItemToObject(x, "tags", tags_json(&c->before.tags));
	}
	if (c->action == PLAN_UPDATE) {
		struct tag_set after = TAG_SET_INIT;

		plan__tags_after(&after, c);
		x = cJSON_AddObjectToObject(o, "after");
		cJSON_AddItemToObject(x, "name", str_or_null(c->name));
		cJSON_AddItemToObject(x, "tags", tags_json(&after));
		tag_set_release(&after);
	}
	return o;
}

static void
keys_json(cJSON *o, const char *name, char *const *keys, size_t nr)
{
	cJSON *a = cJSON_AddArrayToObject(o, name);
	size_t i;

	for (i = 0; i < nr; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(keys[i]));
}

static cJSON *
plan_tree(const struct plan *p)
{
	cJSON *root = cJSON_CreateObject(), *o, *a, *v;
	size_t i;

	cJSON_AddNumberToObject(root, "format_version", p->format_version);
	cJSON_AddStringToObject(root, "endpoint", p->endpoint ? p->endpoint : "");
	o = cJSON_AddObjectToObject(root, "inventory");
	cJSON_AddStringToObject(o, "sha256", p->inventory_sha256);
	cJSON_AddItemToObject(o, "git_commit", str_or_null(p->git_commit));
	cJSON_AddItemToObject(o, "path", str_or_null(p->inventory_path));
	o = cJSON_AddObjectToObject(root, "summary");
	cJSON_AddNumberToObject(o, "create", (double)p->summary.create);
	cJSON_AddNumberToObject(o, "update", (double)p->summary.update);
	cJSON_AddNumberToObject(o, "archive", (double)p->summary.archive);
	cJSON_AddNumberToObject(o, "unmanaged", (double)p->summary.unmanaged);
	cJSON_AddNumberToObject(o, "unchanged", (double)p->summary.unchanged);
	a = cJSON_AddArrayToObject(root, "changes");
	for (i = 0; i < p->changes_nr; i++)
		cJSON_AddItemToArray(a, change_json(&p->changes[i]));
	o = cJSON_AddObjectToObject(root, "fingerprints");
	for (i = 0; i < p->fingerprints_nr; i++)
		cJSON_AddStringToObject(o, p->fingerprints[i].id,
		    p->fingerprints[i].sha256);
	a = cJSON_AddArrayToObject(root, "warnings");
	for (i = 0; i < p->warnings_nr; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(p->warnings[i]));
	o = cJSON_AddObjectToObject(root, "safety");
	cJSON_AddBoolToObject(o, "ok", p->violations_nr == 0);
	a = cJSON_AddArrayToObject(o, "violations");
	for (i = 0; i < p->violations_nr; i++) {
		v = cJSON_CreateObject();
		cJSON_AddStringToObject(v, "kind",
		    plan_violation_kind_name(p->violations[i].kind));
		cJSON_AddStringToObject(v, "message", p->violations[i].message);
		cJSON_AddBoolToObject(v, "overridable",
		    p->violations[i].overridable);
		cJSON_AddItemToArray(a, v);
	}
	/* only with settings.billing.activate_tags */
	if (p->billing.enabled) {
		o = cJSON_AddObjectToObject(root, "billing");
		keys_json(o, "activate", p->billing.activate,
		    p->billing.activate_nr);
		keys_json(o, "active", p->billing.active, p->billing.active_nr);
		keys_json(o, "unseen", p->billing.unseen, p->billing.unseen_nr);
	}
	return root;
}

void
plan_to_json(struct ps_buf *out, const struct plan *p)
{
	cJSON *root = plan_tree(p);

	ps_json_render(out, root);	/* util's writer: the one style */
	cJSON_Delete(root);
}

/* ---- reading ---- */

struct reader {
	const char *name;	/* file name for messages */
};

static int
bad(const struct reader *r, const char *path, const char *fmt, ...)
    PS_PRINTF(3, 4);

static int
bad(const struct reader *r, const char *path, const char *fmt, ...)
{
	char *msg;
	va_list ap;
	int err;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	err = ps_error(PS_EINVALID, "%s: invalid plan: %s%s%s", r->name,
	    path ? path : "", path && *path ? ": " : "", msg);
	free(msg);
	return err;
}

/*
 * Check that obj is an object whose keys are all in `allowed` (NULL
 * terminated), each at most once, and that the `required` ones (a prefix
 * of allowed of length nreq) are present.
 */
static int
check_object(const struct reader *r, const char *path, const cJSON *obj,
    const char *const *allowed, size_t nreq)
{
	const cJSON *c, *d;
	size_t i;

	if (!cJSON_IsObject(obj))
		return bad(r, path, "expected an object");
	for (c = obj->child; c; c = c->next) {
		for (i = 0; allowed[i]; i++)
			if (strcmp(allowed[i], c->string) == 0)
				break;
		if (!allowed[i])
			return bad(r, path, "unknown field '%s'", c->string);
		for (d = obj->child; d != c; d = d->next)
			if (strcmp(d->string, c->string) == 0)
				return bad(r, path, "duplicate field '%s'",
				    c->string);
	}
	for (i = 0; i < nreq; i++)
		if (!cJSON_GetObjectItemCaseSensitive(obj, allowed[i]))
			return bad(r, path, "missing field '%s'", allowed[i]);
	return 0;
}

static const cJSON *
member(const cJSON *obj, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(obj, key);
}

static bool
has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

/* A string (copied to *out), or null when nullable. */
static int
get_str(char **out, const struct reader *r, const char *path,
    const cJSON *obj, const char *key, bool nullable, bool nonempty)
{
	const cJSON *v = member(obj, key);

	*out = NULL;
	if (nullable && cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsString(v))
		return bad(r, path, "'%s' must be a string%s", key,
		    nullable ? " or null" : "");
	if (nonempty && !*v->valuestring)
		return bad(r, path, "'%s' must not be empty", key);
	*out = xstrdup(v->valuestring);
	return 0;
}

static int
get_count(size_t *out, const struct reader *r, const char *path,
    const cJSON *obj, const char *key)
{
	const cJSON *v = member(obj, key);

	if (!cJSON_IsNumber(v) || v->valuedouble < 0 ||
	    v->valuedouble > 1e12 || floor(v->valuedouble) != v->valuedouble)
		return bad(r, path, "'%s' must be a non-negative integer", key);
	*out = (size_t)v->valuedouble;
	return 0;
}

static bool
is_hex64(const char *s)
{
	size_t i;

	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return s[64] == '\0';
}

static int
get_tags(struct tag_set *out, const struct reader *r, const char *path,
    const cJSON *obj, const char *key)
{
	const cJSON *v = member(obj, key), *t;

	if (!cJSON_IsObject(v))
		return bad(r, path, "'%s' must be an object of strings", key);
	for (t = v->child; t; t = t->next) {
		if (!cJSON_IsString(t))
			return bad(r, path, "%s.%s must be a string", key,
			    t->string);
		if (!*t->string)
			return bad(r, path, "%s has an empty tag key", key);
		if (tag_set_get(out, t->string))
			return bad(r, path, "%s has tag '%s' twice", key,
			    t->string);
		tag_set_put(out, t->string, t->valuestring);
	}
	return 0;
}

static int
get_id(char **out, const struct reader *r, const char *path, const cJSON *o)
{
	int err;

	if ((err = get_str(out, r, path, o, "id", false, true)) < 0)
		return err;
	if (strcmp(*out, "default") == 0)
		return bad(r, path, "the default project is never changed");
	if (has_control(*out) || strlen(*out) > 256)
		return bad(r, path, "'id' is not a project ID");
	return 0;
}

static int
get_before(struct plan_change *c, const struct reader *r, const char *path,
    const cJSON *o)
{
	static const char *const keys[] = { "name", "status", "tags", NULL };
	const cJSON *b = member(o, "before"), *st;
	char *p = xasprintf("%s.before", path);
	int err;

	if ((err = check_object(r, p, b, keys, 3)) < 0)
		goto out;
	if ((err = get_str(&c->before.name, r, p, b, "name", true, false)) < 0)
		goto out;
	st = member(b, "status");
	if (!cJSON_IsString(st) || strcmp(st->valuestring, "active") != 0) {
		err = bad(r, p, "'status' must be \"active\" (only active "
		    "projects are updated or archived)");
		goto out;
	}
	if ((err = get_tags(&c->before.tags, r, p, b, "tags")) < 0)
		goto out;
	c->before.id = xstrdup(c->id);
	c->has_before = true;
out:
	free(p);
	return err;
}

static int
cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
read_update(struct plan_change *c, const struct reader *r, const char *path,
    const cJSON *o)
{
	static const char *const keys[] = { "action", "id", "name", "add_tags",
		"remove_tag_keys", "before", "after", "rename", NULL };
	static const char *const rkeys[] = { "from", "to", NULL };
	static const char *const akeys[] = { "name", "tags", NULL };
	struct tag_set after = TAG_SET_INIT, want = TAG_SET_INIT;
	const cJSON *rm, *k, *ren, *aft;
	char *sub = NULL, *to = NULL, *aname = NULL;
	size_t i;
	int err;

	if ((err = check_object(r, path, o, keys, 7)) < 0 ||
	    (err = get_id(&c->id, r, path, o)) < 0 ||
	    (err = get_str(&c->name, r, path, o, "name", false, true)) < 0 ||
	    (err = get_tags(&c->add_tags, r, path, o, "add_tags")) < 0 ||
	    (err = get_before(c, r, path, o)) < 0)
		goto out;
	rm = member(o, "remove_tag_keys");
	if (!cJSON_IsArray(rm)) {
		err = bad(r, path, "'remove_tag_keys' must be an array of strings");
		goto out;
	}
	c->remove_tag_keys = xcalloc((size_t)cJSON_GetArraySize(rm) + 1,
	    sizeof(*c->remove_tag_keys));
	cJSON_ArrayForEach(k, rm) {
		if (!cJSON_IsString(k) || !*k->valuestring) {
			err = bad(r, path, "'remove_tag_keys' must hold "
			    "non-empty strings");
			goto out;
		}
		if (tag_set_get(&c->add_tags, k->valuestring)) {
			err = bad(r, path, "tag '%s' is both in 'add_tags' and "
			    "'remove_tag_keys'", k->valuestring);
			goto out;
		}
		c->remove_tag_keys[c->remove_nr++] = xstrdup(k->valuestring);
	}
	if (c->remove_nr > 1)
		qsort(c->remove_tag_keys, c->remove_nr,
		    sizeof(*c->remove_tag_keys), cmp_cstr);
	for (i = 1; i < c->remove_nr; i++)
		if (strcmp(c->remove_tag_keys[i - 1], c->remove_tag_keys[i]) == 0) {
			err = bad(r, path, "'remove_tag_keys' lists '%s' twice",
			    c->remove_tag_keys[i]);
			goto out;
		}
	if ((ren = member(o, "rename"))) {
		sub = xasprintf("%s.rename", path);
		if ((err = check_object(r, sub, ren, rkeys, 2)) < 0 ||
		    (err = get_str(&c->rename_from, r, sub, ren, "from", true,
		    false)) < 0 ||
		    (err = get_str(&to, r, sub, ren, "to", false, true)) < 0)
			goto out;
		if (strcmp(to, c->name) != 0) {
			err = bad(r, sub, "'to' must equal the change's 'name'");
			goto out;
		}
		if (plan__strcmp_null(c->rename_from, c->before.name) != 0 ||
		    plan__strcmp_null(c->rename_from, c->name) == 0) {
			err = bad(r, sub, "'from' must be the name in 'before' "
			    "and differ from 'to'");
			goto out;
		}
		c->rename = true;
	} else if (plan__strcmp_null(c->before.name, c->name) != 0) {
		err = bad(r, path, "'name' differs from before.name without "
		    "a 'rename'");
		goto out;
	}
	if (!c->rename && !c->add_tags.nr && !c->remove_nr) {
		err = bad(r, path, "an update must change something");
		goto out;
	}
	/* `after` is derived; a mismatch means the file was edited by hand */
	aft = member(o, "after");
	free(sub);
	sub = xasprintf("%s.after", path);
	if ((err = check_object(r, sub, aft, akeys, 2)) < 0 ||
	    (err = get_str(&aname, r, sub, aft, "name", false, true)) < 0 ||
	    (err = get_tags(&after, r, sub, aft, "tags")) < 0)
		goto out;
	plan__tags_after(&want, c);
	if (strcmp(aname, c->name) != 0 || !tag_set_equal(&after, &want))
		err = bad(r, sub, "does not match 'before' with the change "
		    "applied");
out:
	tag_set_release(&after);
	tag_set_release(&want);
	free(aname);
	free(sub);
	free(to);
	return err;
}

static int
read_change(struct plan_change *c, const struct reader *r, size_t idx,
    const cJSON *o)
{
	static const char *const ckeys[] = { "action", "name", "tags", NULL };
	static const char *const akeys[] = { "action", "id", "name", "reason",
		"before", NULL };
	static const char *const ukeys[] = { "action", "id", "name", NULL };
	char *path = xasprintf("changes[%zu]", idx);
	const cJSON *a, *reason;
	int err;

	if (!cJSON_IsObject(o)) {
		err = bad(r, path, "expected an object");
		goto out;
	}
	a = member(o, "action");
	if (!cJSON_IsString(a)) {
		err = bad(r, path, "'action' must be a string");
		goto out;
	}
	if (strcmp(a->valuestring, "create") == 0) {
		c->action = PLAN_CREATE;
		if ((err = check_object(r, path, o, ckeys, 3)) < 0 ||
		    (err = get_str(&c->name, r, path, o, "name", false,
		    true)) < 0)
			goto out;
		err = get_tags(&c->tags, r, path, o, "tags");
	} else if (strcmp(a->valuestring, "update") == 0) {
		c->action = PLAN_UPDATE;
		err = read_update(c, r, path, o);
	} else if (strcmp(a->valuestring, "archive") == 0) {
		c->action = PLAN_ARCHIVE;
		if ((err = check_object(r, path, o, akeys, 5)) < 0 ||
		    (err = get_id(&c->id, r, path, o)) < 0 ||
		    (err = get_str(&c->name, r, path, o, "name", true,
		    false)) < 0 ||
		    (err = get_before(c, r, path, o)) < 0)
			goto out;
		reason = member(o, "reason");
		if (cJSON_IsString(reason) &&
		    strcmp(reason->valuestring, "inventory") == 0)
			c->reason = PLAN_REASON_INVENTORY;
		else if (cJSON_IsString(reason) &&
		    strcmp(reason->valuestring, "unmanaged") == 0)
			c->reason = PLAN_REASON_UNMANAGED;
		else {
			err = bad(r, path, "'reason' must be \"inventory\" or "
			    "\"unmanaged\"");
			goto out;
		}
		if (plan__strcmp_null(c->name, c->before.name) != 0)
			err = bad(r, path, "'name' must equal before.name");
	} else if (strcmp(a->valuestring, "unmanaged") == 0) {
		c->action = PLAN_UNMANAGED;
		if ((err = check_object(r, path, o, ukeys, 3)) < 0 ||
		    (err = get_id(&c->id, r, path, o)) < 0)
			goto out;
		err = get_str(&c->name, r, path, o, "name", true, false);
	} else {
		err = bad(r, path, "unknown action '%s' (expected create, "
		    "update, archive or unmanaged)", a->valuestring);
	}
out:
	free(path);
	return err;
}

static int
cmp_change_id(const void *a, const void *b)
{
	const struct plan_change *x = *(const struct plan_change *const *)a;
	const struct plan_change *y = *(const struct plan_change *const *)b;

	return strcmp(x->id, y->id);
}

/* Every id appears in one change at most. */
static int
check_unique_ids(const struct reader *r, const struct plan *p)
{
	const struct plan_change **v = xcalloc(p->changes_nr + 1, sizeof(*v));
	size_t i, n = 0;
	int err = 0;

	for (i = 0; i < p->changes_nr; i++)
		if (p->changes[i].id)
			v[n++] = &p->changes[i];
	qsort(v, n, sizeof(*v), cmp_change_id);
	for (i = 1; i < n; i++)
		if (strcmp(v[i - 1]->id, v[i]->id) == 0) {
			err = bad(r, "changes", "project '%s' appears in more "
			    "than one change", v[i]->id);
			break;
		}
	free(v);
	return err;
}

static int
read_fingerprints(struct plan *p, const struct reader *r, const cJSON *fo)
{
	const cJSON *f;
	size_t i, touched = 0;

	if (!cJSON_IsObject(fo))
		return bad(r, "fingerprints", "expected an object");
	for (f = fo->child; f; f = f->next) {
		if (!cJSON_IsString(f) || !is_hex64(f->valuestring))
			return bad(r, "fingerprints", "'%s' must be a lower-case "
			    "hex SHA-256", f->string);
		plan__add_fingerprint(p, f->string, f->valuestring);
	}
	plan__sort_fingerprints(p);
	for (i = 1; i < p->fingerprints_nr; i++)
		if (strcmp(p->fingerprints[i - 1].id, p->fingerprints[i].id) == 0)
			return bad(r, "fingerprints", "'%s' appears twice",
			    p->fingerprints[i].id);
	for (i = 0; i < p->changes_nr; i++) {
		const struct plan_change *c = &p->changes[i];
		const char *fp;
		char sha[65];

		if (!c->has_before)
			continue;
		touched++;
		if (!(fp = plan_fingerprint_find(p, c->id)))
			return bad(r, "fingerprints", "no fingerprint for '%s'",
			    c->id);
		live_project_fingerprint(sha, &c->before);
		if (strcmp(sha, fp) != 0)
			return bad(r, "fingerprints", "the fingerprint of '%s' "
			    "does not match its 'before'", c->id);
	}
	if (touched != p->fingerprints_nr)
		return bad(r, "fingerprints", "has entries for projects the "
		    "plan does not change");
	return 0;
}

static int
read_safety(struct plan *p, const struct reader *r, const cJSON *so)
{
	static const char *const keys[] = { "ok", "violations", NULL };
	static const char *const vkeys[] = { "kind", "message", "overridable",
		NULL };
	const cJSON *ok, *vs, *v, *kind, *ov;
	enum plan_violation_kind k;
	size_t i = 0;
	char *msg = NULL, *path = NULL;
	int err;

	if ((err = check_object(r, "safety", so, keys, 2)) < 0)
		return err;
	ok = member(so, "ok");
	vs = member(so, "violations");
	if (!cJSON_IsBool(ok))
		return bad(r, "safety", "'ok' must be a boolean");
	if (!cJSON_IsArray(vs))
		return bad(r, "safety", "'violations' must be an array");
	cJSON_ArrayForEach(v, vs) {
		free(path);
		path = xasprintf("safety.violations[%zu]", i++);
		if ((err = check_object(r, path, v, vkeys, 3)) < 0)
			goto out;
		kind = member(v, "kind");
		for (k = PLAN_VIOLATION_MAX_CHANGES;
		    k <= PLAN_VIOLATION_PROJECT_LIMIT; k++)
			if (cJSON_IsString(kind) && strcmp(kind->valuestring,
			    plan_violation_kind_name(k)) == 0)
				break;
		if (k > PLAN_VIOLATION_PROJECT_LIMIT) {
			err = bad(r, path, "unknown 'kind'");
			goto out;
		}
		if ((err = get_str(&msg, r, path, v, "message", false, true)) < 0)
			goto out;
		ov = member(v, "overridable");
		/* the quota is never overridable, whatever the file says */
		if (!cJSON_IsBool(ov) || cJSON_IsTrue(ov) !=
		    (k != PLAN_VIOLATION_PROJECT_LIMIT)) {
			err = bad(r, path, "'overridable' must be %s for '%s'",
			    k != PLAN_VIOLATION_PROJECT_LIMIT ? "true" : "false",
			    plan_violation_kind_name(k));
			goto out;
		}
		plan__add_violation(p, k, cJSON_IsTrue(ov), "%s", msg);
		free(msg);
		msg = NULL;
	}
	p->safety_ok = p->violations_nr == 0;
	if (cJSON_IsTrue(ok) != p->safety_ok)
		err = bad(r, "safety", "'ok' disagrees with 'violations'");
out:
	free(msg);
	free(path);
	return err;
}

/* billing.<name>: sorted, distinct tag keys. */
static int
read_tag_keys(struct plan_billing *b, enum plan_tag_state s,
    const struct reader *rd, const cJSON *o, const char *name)
{
	const cJSON *v = member(o, name), *k;
	const char *prev = NULL;

	if (!cJSON_IsArray(v))
		return bad(rd, "billing", "'%s' must be an array of tag keys",
		    name);
	cJSON_ArrayForEach(k, v) {
		if (!cJSON_IsString(k) || !*k->valuestring ||
		    has_control(k->valuestring) || strlen(k->valuestring) > 512)
			return bad(rd, "billing", "'%s' must hold tag keys "
			    "(non-empty strings)", name);
		if (prev && strcmp(prev, k->valuestring) >= 0)
			return bad(rd, "billing", "'%s' must be sorted, each "
			    "key once", name);
		prev = k->valuestring;
		plan__billing_add(b, s, k->valuestring);
	}
	return 0;
}

/* billing {activate, active, unseen} (optional): each key in one list. */
static int
read_billing(struct plan *p, const struct reader *rd, const cJSON *v)
{
	static const char *const keys[] = { "activate", "active", "unseen",
		NULL };
	struct plan_billing *b = &p->billing;
	size_t i;
	int err;

	if (!v)
		return 0;
	b->enabled = true;
	if ((err = check_object(rd, "billing", v, keys, 3)) < 0 ||
	    (err = read_tag_keys(b, PLAN_TAG_INACTIVE, rd, v, "activate")) < 0 ||
	    (err = read_tag_keys(b, PLAN_TAG_ACTIVE, rd, v, "active")) < 0 ||
	    (err = read_tag_keys(b, PLAN_TAG_UNSEEN, rd, v, "unseen")) < 0)
		return err;
	for (i = 0; i < b->activate_nr; i++)
		if (ps_str_in(b->active, b->active_nr, b->activate[i]) ||
		    ps_str_in(b->unseen, b->unseen_nr, b->activate[i]))
			return bad(rd, "billing", "'%s' is in two lists",
			    b->activate[i]);
	for (i = 0; i < b->active_nr; i++)
		if (ps_str_in(b->unseen, b->unseen_nr, b->active[i]))
			return bad(rd, "billing", "'%s' is in two lists",
			    b->active[i]);
	return 0;
}

/* The bytes as a JSON object of our format_version, or an error. */
static int
parse_root(cJSON **out, const struct reader *rd, const char *buf, size_t len)
{
	const char *end = NULL;
	const cJSON *v;
	cJSON *root;

	*out = NULL;
	if (!buf || !len)
		return bad(rd, NULL, "the file is empty");
	if (len > PLAN_MAX_FILE_BYTES)
		return bad(rd, NULL, "larger than %u bytes",
		    PLAN_MAX_FILE_BYTES);
	if (memchr(buf, '\0', len))
		return bad(rd, NULL, "contains a NUL byte");
	if (!(root = cJSON_ParseWithLengthOpts(buf, len, &end, 0)))
		return bad(rd, NULL, "not valid JSON near byte %ld",
		    end ? (long)(end - buf) : 0L);
	*out = root;	/* the caller deletes it, also on error */
	if (!cJSON_IsObject(root))
		return bad(rd, NULL, "expected a JSON object");
	/* the version first, so a newer file gets the right message */
	v = member(root, "format_version");
	if (!cJSON_IsNumber(v))
		return bad(rd, NULL, "'format_version' is missing or not a "
		    "number; is this a projsync plan file?");
	if (v->valuedouble != PLAN_FORMAT_VERSION)
		return bad(rd, NULL, "unsupported format_version %g (this "
		    "projsync reads %d); plan again with this version",
		    v->valuedouble, PLAN_FORMAT_VERSION);
	return 0;
}

/* endpoint and inventory {sha256, git_commit, path}. */
static int
read_header(struct plan *p, const struct reader *rd, const cJSON *root)
{
	static const char *const ikeys[] = { "sha256", "git_commit", "path",
		NULL };
	const cJSON *v = member(root, "inventory");
	char *ep = NULL, *sha = NULL;
	int err;

	if ((err = get_str(&ep, rd, "", root, "endpoint", false, false)) < 0)
		goto out;
	p->endpoint = plan_endpoint_sanitize(ep);
	if ((err = check_object(rd, "inventory", v, ikeys, 3)) < 0 ||
	    (err = get_str(&sha, rd, "inventory", v, "sha256", false,
	    false)) < 0)
		goto out;
	if (!is_hex64(sha)) {
		err = bad(rd, "inventory", "'sha256' must be a lower-case hex "
		    "SHA-256");
		goto out;
	}
	memcpy(p->inventory_sha256, sha, 65);
	if ((err = get_str(&p->git_commit, rd, "inventory", v, "git_commit",
	    true, true)) < 0 ||
	    (err = get_str(&p->inventory_path, rd, "inventory", v, "path",
	    true, false)) < 0)
		goto out;
out:
	free(ep);
	free(sha);
	return err;
}

static int
read_summary(struct plan *p, const struct reader *rd, const cJSON *v)
{
	static const char *const skeys[] = { "create", "update", "archive",
		"unmanaged", "unchanged", NULL };
	int err;

	if ((err = check_object(rd, "summary", v, skeys, 5)) < 0 ||
	    (err = get_count(&p->summary.create, rd, "summary", v,
	    "create")) < 0 ||
	    (err = get_count(&p->summary.update, rd, "summary", v,
	    "update")) < 0 ||
	    (err = get_count(&p->summary.archive, rd, "summary", v,
	    "archive")) < 0 ||
	    (err = get_count(&p->summary.unmanaged, rd, "summary", v,
	    "unmanaged")) < 0 ||
	    (err = get_count(&p->summary.unchanged, rd, "summary", v,
	    "unchanged")) < 0)
		return err;
	return 0;
}

/* changes[], which must agree with the summary's counts. */
static int
read_changes(struct plan *p, const struct reader *rd, const cJSON *v)
{
	struct plan_summary counted;
	const cJSON *c;
	size_t i = 0;
	int err;

	if (!cJSON_IsArray(v))
		return bad(rd, "changes", "expected an array");
	cJSON_ArrayForEach(c, v) {
		struct plan_change *ch = plan__add_change(p, PLAN_CREATE);

		if ((err = read_change(ch, rd, i++, c)) < 0)
			return err;
	}
	plan__count(p, &counted);
	if (counted.create != p->summary.create ||
	    counted.update != p->summary.update ||
	    counted.archive != p->summary.archive ||
	    counted.unmanaged != p->summary.unmanaged)
		return bad(rd, "summary", "the counts do not match 'changes' "
		    "(%zu create, %zu update, %zu archive, %zu unmanaged)",
		    counted.create, counted.update, counted.archive,
		    counted.unmanaged);
	return 0;
}

static int
read_warnings(struct plan *p, const struct reader *rd, const cJSON *v)
{
	const cJSON *w;

	if (!cJSON_IsArray(v))
		return bad(rd, "warnings", "expected an array of strings");
	cJSON_ArrayForEach(w, v) {
		if (!cJSON_IsString(w))
			return bad(rd, "warnings", "expected an array of "
			    "strings");
		plan__add_warning(p, "%s", w->valuestring);
	}
	return 0;
}

int
plan_from_json(struct plan **out, const char *name, const char *buf,
    size_t len)
{
	static const char *const keys[] = { "format_version", "endpoint",
		"inventory", "summary", "changes", "fingerprints", "warnings",
		"safety", "billing", NULL };
	struct reader rd = { name ? name : "plan" };
	struct plan *p = NULL;
	cJSON *root = NULL;
	int err;

	*out = NULL;
	if ((err = parse_root(&root, &rd, buf, len)) < 0 ||
	    (err = check_object(&rd, "", root, keys, 8)) < 0)
		goto out;
	p = xcalloc(1, sizeof(*p));
	p->format_version = PLAN_FORMAT_VERSION;
	if ((err = read_header(p, &rd, root)) < 0 ||
	    (err = read_summary(p, &rd, member(root, "summary"))) < 0 ||
	    (err = read_changes(p, &rd, member(root, "changes"))) < 0 ||
	    (err = check_unique_ids(&rd, p)) < 0 ||
	    (err = read_fingerprints(p, &rd, member(root, "fingerprints"))) < 0 ||
	    (err = read_warnings(p, &rd, member(root, "warnings"))) < 0 ||
	    (err = read_safety(p, &rd, member(root, "safety"))) < 0 ||
	    (err = read_billing(p, &rd, member(root, "billing"))) < 0)
		goto out;
	*out = p;
	p = NULL;
out:
	plan_free(p);
	cJSON_Delete(root);
	return err;
}
