/*
 * gitlog: reading the record back (log, show, apply --from-history).
 */
#include "gitlog/gitlog.h"
#include "gitlog/gitlog_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <git2.h>

struct gitlog {
	git_repository *repo;
};

int
gitlog_open(struct gitlog **out, const char *inventory_path,
    const char *repo_path)
{
	git_repository *repo = NULL;
	int err;

	*out = NULL;
	git_libgit2_init();
	if ((err = gitlog__open_repo(&repo, inventory_path, repo_path,
	    false)) < 0) {
		git_libgit2_shutdown();
		return err;
	}
	*out = xcalloc(1, sizeof(**out));
	(*out)->repo = repo;
	return 0;
}

void
gitlog_free(struct gitlog *gl)
{
	if (!gl)
		return;
	git_repository_free(gl->repo);
	free(gl);
	git_libgit2_shutdown();
}

git_repository *
gitlog__repo(struct gitlog *gl)
{
	return gl->repo;
}

const char *
gitlog_dir(const struct gitlog *gl)
{
	return gitlog__repo_dir(gl->repo);
}

void
gitlog_entry_release(struct gitlog_entry *e)
{
	if (!e)
		return;
	free(e->kind);
	free(e->summary);
	free(e->author_name);
	free(e->author_email);
	free(e->inventory_commit);
	free(e->inventory_path);
	free(e->inventory_sha256);
	free(e->endpoint);
	free(e->version);
	memset(e, 0, sizeof(*e));
}

void
gitlog_entries_free(struct gitlog_entry *e, size_t nr)
{
	size_t i;

	for (i = 0; e && i < nr; i++)
		gitlog_entry_release(&e[i]);
	free(e);
}

void
gitlog_entry_time(char out[32], const struct gitlog_entry *e, bool iso)
{
	time_t t = (time_t)(e->time + (int64_t)e->offset * 60);
	int off = e->offset < 0 ? -e->offset : e->offset;
	struct tm tm;

	if (!gmtime_r(&t, &tm)) {
		snprintf(out, 32, "%s", "?");
		return;
	}
	snprintf(out, 32, iso ? "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d" :
	    "%04d-%02d-%02d %02d:%02d:%02d %c%02d%02d", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
	    e->offset < 0 ? '-' : '+', (off / 60) % 100, off % 60);
}

void
gitlog_entries_to_json(struct ps_buf *out, const struct gitlog_entry *e,
    size_t nr)
{
	cJSON *arr = cJSON_CreateArray(), *o, *a;
	char when[32];
	size_t i;

	for (i = 0; i < nr; i++) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "id", e[i].id);
		gitlog_entry_time(when, &e[i], true);
		cJSON_AddStringToObject(o, "time", when);
		ps_json_add_str(o, "kind", e[i].kind);
		ps_json_add_str(o, "summary", e[i].summary);
		a = cJSON_AddObjectToObject(o, "author");
		ps_json_add_str(a, "name", e[i].author_name);
		ps_json_add_str(a, "email", e[i].author_email);
		ps_json_add_str(o, "inventory_commit",
		    e[i].inventory_commit);
		ps_json_add_str(o, "inventory_path", e[i].inventory_path);
		ps_json_add_str(o, "inventory_sha256",
		    e[i].inventory_sha256);
		ps_json_add_str(o, "endpoint", e[i].endpoint);
		ps_json_add_str(o, "projsync_version", e[i].version);
		cJSON_AddItemToArray(arr, o);	/* arr owns o now */
	}
	ps_json_render(out, arr);
	cJSON_Delete(arr);
}

static void
set_trailer(struct gitlog_entry *e, const char *key, const char *value)
{
	static const struct {
		const char *key;
		size_t off;
	} map[] = {
		{ "Projsync-Kind", offsetof(struct gitlog_entry, kind) },
		{ "Inventory-Commit",
		    offsetof(struct gitlog_entry, inventory_commit) },
		{ "Inventory-Path",
		    offsetof(struct gitlog_entry, inventory_path) },
		{ "Inventory-SHA256",
		    offsetof(struct gitlog_entry, inventory_sha256) },
		{ "Endpoint", offsetof(struct gitlog_entry, endpoint) },
		{ "Projsync-Version", offsetof(struct gitlog_entry, version) },
	};
	size_t i;

	for (i = 0; i < PS_ARRAY_SIZE(map); i++) {
		char **slot = (char **)((char *)e + map[i].off);

		if (strcasecmp(key, map[i].key) != 0)
			continue;
		free(*slot);	/* the last one wins, like git */
		*slot = xstrdup(value);
		return;
	}
}

static void
entry_fill(struct gitlog_entry *e, git_commit *c)
{
	git_message_trailer_array tr = { 0 };
	const git_signature *author = git_commit_author(c);
	const char *msg = git_commit_message(c);
	const char *summary;
	size_t i;

	memset(e, 0, sizeof(*e));
	git_oid_tostr(e->id, sizeof(e->id), git_commit_id(c));
	memcpy(e->short_id, e->id, 7);
	e->short_id[7] = '\0';
	e->time = (int64_t)git_commit_time(c);
	e->offset = git_commit_time_offset(c);
	summary = git_commit_summary(c);
	e->summary = xstrdup(summary ? summary : "");
	e->author_name = xstrdup(author && author->name ? author->name : "");
	e->author_email = xstrdup(author && author->email ? author->email :
	    "");
	if (msg && git_message_trailers(&tr, msg) == 0)
		for (i = 0; i < tr.count; i++)
			set_trailer(e, tr.trailers[i].key,
			    tr.trailers[i].value);
	git_message_trailer_array_free(&tr);
	git_error_clear();
	/* Only our two kinds count; anything else is not a record. */
	if (e->kind && strcmp(e->kind, "plan") && strcmp(e->kind, "apply")) {
		free(e->kind);
		e->kind = NULL;
	}
}

/* The commit at rev (NULL: the tip of the history). */
static int
resolve(git_commit **out, struct gitlog *gl, const char *rev)
{
	git_object *obj = NULL;
	int rc, err = 0;

	*out = NULL;
	rc = git_revparse_single(&obj, gl->repo, rev ? rev : GITLOG_REF);
	if (rc == GIT_ENOTFOUND && !rev)
		return ps_error(PS_ENOTFOUND, "nothing recorded yet in '%s' "
		    "(no branch '%s')", gitlog_dir(gl), GITLOG_BRANCH);
	if (rc == GIT_ENOTFOUND || rc == GIT_EINVALIDSPEC)
		return ps_error(PS_ENOTFOUND, "unknown revision '%s' in '%s'",
		    rev, gitlog_dir(gl));
	if (rc < 0)
		return gitlog__error(rc, "cannot resolve '%s'", rev ? rev :
		    GITLOG_BRANCH);
	rc = git_object_peel((git_object **)out, obj, GIT_OBJECT_COMMIT);
	if (rc < 0)
		err = ps_error(PS_ENOTFOUND, "'%s' is not a commit", rev ?
		    rev : GITLOG_REF);
	git_error_clear();
	git_object_free(obj);
	return err;
}

int
gitlog_lookup(struct gitlog_entry *out, struct gitlog *gl, const char *rev)
{
	git_commit *c = NULL;
	int err;

	memset(out, 0, sizeof(*out));
	if ((err = resolve(&c, gl, rev)) < 0)
		return err;
	entry_fill(out, c);
	git_commit_free(c);
	return 0;
}

/*
 * Walk the history newest first (first parents), calling fn for each
 * commit until it returns non-zero.  A missing branch is an empty walk.
 */
static int
walk(struct gitlog *gl, int (*fn)(git_commit *c, void *payload),
    void *payload)
{
	git_revwalk *w = NULL;
	git_commit *c = NULL;
	git_oid id;
	int rc, err = 0;

	if ((rc = git_revwalk_new(&w, gl->repo)) < 0)
		return gitlog__error(rc, "cannot walk the history");
	git_revwalk_sorting(w, GIT_SORT_TOPOLOGICAL);
	git_revwalk_simplify_first_parent(w);
	/* Nothing recorded yet is an empty history, not an error. */
	rc = git_reference_name_to_id(&id, gl->repo, GITLOG_REF);
	if (rc == GIT_ENOTFOUND) {
		git_error_clear();
		goto out;
	}
	if (rc == 0)
		rc = git_revwalk_push(w, &id);
	if (rc < 0) {
		err = gitlog__error(rc, "cannot read '%s'", GITLOG_REF);
		goto out;
	}
	while ((rc = git_revwalk_next(&id, w)) == 0) {
		if ((rc = git_commit_lookup(&c, gl->repo, &id)) < 0)
			break;
		rc = fn(c, payload);
		git_commit_free(c);
		if (rc)
			break;
	}
	if (rc < 0 && rc != GIT_ITEROVER)
		err = gitlog__error(rc, "cannot walk '%s'", GITLOG_REF);
out:
	git_revwalk_free(w);
	return err;
}

struct list_state {
	struct gitlog_entry *items;
	size_t nr, alloc, max;
};

static int
list_one(git_commit *c, void *payload)
{
	struct list_state *s = payload;

	xgrow(&s->items, &s->alloc, s->nr + 1, sizeof(*s->items));
	entry_fill(&s->items[s->nr++], c);
	return s->max && s->nr >= s->max;
}

int
gitlog_list(struct gitlog_entry **out, size_t *nr, struct gitlog *gl,
    size_t max)
{
	struct list_state s = { NULL, 0, 0, max };
	int err;

	*out = NULL;
	*nr = 0;
	if ((err = walk(gl, list_one, &s)) < 0) {
		gitlog_entries_free(s.items, s.nr);
		return err;
	}
	*out = s.items;
	*nr = s.nr;
	return 0;
}

struct latest_state {
	const char *kind;
	struct gitlog_entry *out;
	bool found;
};

static int
latest_one(git_commit *c, void *payload)
{
	struct latest_state *s = payload;

	entry_fill(s->out, c);
	if (s->out->kind && !strcmp(s->out->kind, s->kind)) {
		s->found = true;
		return 1;
	}
	gitlog_entry_release(s->out);
	return 0;
}

int
gitlog_latest(struct gitlog_entry *out, struct gitlog *gl, const char *kind)
{
	struct latest_state s = { kind, out, false };
	int err;

	memset(out, 0, sizeof(*out));
	if ((err = walk(gl, latest_one, &s)) < 0)
		return err;
	if (!s.found)
		return ps_error(PS_ENOTFOUND, "no %s recorded in '%s' (branch "
		    "'%s')", kind, gitlog_dir(gl), GITLOG_BRANCH);
	return 0;
}

int
gitlog_blob(struct ps_buf *out, struct gitlog *gl, const char *rev,
    const char *path)
{
	git_commit *c = NULL;
	git_tree *tree = NULL;
	git_tree_entry *te = NULL;
	git_blob *blob = NULL;
	char hex[8];
	int rc, err;

	ps_buf_reset(out);
	if ((err = resolve(&c, gl, rev)) < 0)
		return err;
	git_oid_tostr(hex, sizeof(hex), git_commit_id(c));
	if ((rc = git_commit_tree(&tree, c)) < 0) {
		err = gitlog__error(rc, "cannot read the tree of %s", hex);
		goto out;
	}
	rc = git_tree_entry_bypath(&te, tree, path);
	if (rc == GIT_ENOTFOUND || (rc == 0 &&
	    git_tree_entry_type(te) != GIT_OBJECT_BLOB)) {
		/* name the revision too unless it is the id itself */
		if (rev && strncmp(rev, git_oid_tostr_s(git_commit_id(c)),
		    strlen(rev)))
			err = ps_error(PS_ENOTFOUND, "commit %s (%s) has no "
			    "file '%s'", hex, rev, path);
		else
			err = ps_error(PS_ENOTFOUND, "commit %s has no file "
			    "'%s'", hex, path);
		goto out;
	}
	if (rc < 0 || (rc = git_blob_lookup(&blob, gl->repo,
	    git_tree_entry_id(te))) < 0) {
		err = gitlog__error(rc, "cannot read '%s' in %s", path, hex);
		goto out;
	}
	if (git_blob_rawsize(blob) > GITLOG_MAX_FILE_BYTES) {
		err = ps_error(PS_EINVALID, "'%s' in %s is larger than %u "
		    "bytes", path, hex, GITLOG_MAX_FILE_BYTES);
		goto out;
	}
	ps_buf_add(out, git_blob_rawcontent(blob),
	    (size_t)git_blob_rawsize(blob));
out:
	git_blob_free(blob);
	git_tree_entry_free(te);
	git_tree_free(tree);
	git_commit_free(c);
	return err;
}

int
gitlog_read_file(struct ps_buf *out, const char *inventory_path,
    const char *repo_path, const char *rev, const char *name)
{
	struct gitlog *gl = NULL;
	struct gitlog_entry e;
	int err;

	ps_buf_reset(out);
	if ((err = gitlog_open(&gl, inventory_path, repo_path)) < 0)
		return err;
	if (!rev) {
		if ((err = gitlog_latest(&e, gl, "plan")) == 0)
			err = gitlog_blob(out, gl, e.id, name);
		gitlog_entry_release(&e);
	} else
		err = gitlog_blob(out, gl, rev, name);
	gitlog_free(gl);
	return err;
}

int
gitlog_merge_base(char out_hex[41], struct gitlog *gl, const char *a,
    const char *b)
{
	git_commit *ca = NULL, *cb = NULL;
	git_oid base;
	int rc, err;

	out_hex[0] = '\0';
	if ((err = resolve(&ca, gl, a)) < 0 || (err = resolve(&cb, gl, b)) < 0)
		goto out;
	rc = git_merge_base(&base, gl->repo, git_commit_id(ca),
	    git_commit_id(cb));
	if (rc == GIT_ENOTFOUND)
		err = ps_error(PS_ENOTFOUND, "'%s' and '%s' have no common "
		    "history", a, b);
	else if (rc < 0)
		err = gitlog__error(rc, "cannot find the merge base of '%s' and "
		    "'%s'", a, b);
	else
		git_oid_tostr(out_hex, 41, &base);
out:
	git_commit_free(ca);
	git_commit_free(cb);
	return err;
}
