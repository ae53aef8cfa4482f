/*
 * gitlog: recording plans and applies as commits on projsync/history.
 * Only new objects and the one ref are written; the ref moves by
 * compare-and-swap so concurrent recorders serialise into a linear
 * history instead of losing each other's commits.
 */
#include "gitlog/gitlog.h"
#include "gitlog/gitlog_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <git2.h>

static gitlog_test_hook_fn test_hook;
static void *test_hook_payload;

void
gitlog__set_test_hook(gitlog_test_hook_fn fn, void *payload)
{
	test_hook = fn;
	test_hook_payload = payload;
}

/* One line, no control characters: trailer values and the summary. */
static void
add_line(struct ps_buf *b, const char *s, size_t max)
{
	size_t n = 0;

	while (*s == ' ' || *s == '\t')
		s++;
	for (; *s && *s != '\n' && *s != '\r' && n < max; s++, n++)
		ps_buf_addch(b, (unsigned char)*s < 0x20 || *s == 0x7f ?
		    ' ' : *s);
	while (b->len && b->ptr[b->len - 1] == ' ')
		b->ptr[--b->len] = '\0';
}

/* The endpoint without userinfo, query or fragment: never commit a secret
 * that someone put into the URL. */
static char *
sanitize_endpoint(const char *url)
{
	const char *scheme = strstr(url, "://");
	const char *auth = scheme ? scheme + 3 : url;
	const char *end = auth + strcspn(auth, "/?#");
	const char *at = NULL, *p;
	struct ps_buf b = PS_BUF_INIT;

	for (p = auth; p < end; p++)
		if (*p == '@')
			at = p;
	ps_buf_add(&b, url, (size_t)(auth - url));
	if (at)
		auth = at + 1;
	ps_buf_add(&b, auth, strcspn(auth, "?#"));
	return ps_buf_detach(&b);
}

static void
add_trailer(struct ps_buf *msg, const char *key, const char *value)
{
	if (!value || !*value)
		return;
	ps_buf_addf(msg, "%s: ", key);
	add_line(msg, value, 1024);
	ps_buf_addch(msg, '\n');
}

static int
build_message(struct ps_buf *msg, const char *inventory_path,
    const struct gitlog_record_opts *opts)
{
	struct ps_buf sum = PS_BUF_INIT, file = PS_BUF_INIT;
	char hex[41], sha[65], *rel = NULL, *endpoint = NULL, *commit = NULL;
	bool dirty = false;
	int err;

	add_line(&sum, opts->summary ? opts->summary : "", 200);
	if (!sum.len)
		ps_buf_addf(&sum, "projsync %s", opts->kind);
	ps_buf_addf(msg, "%s\n\n", sum.ptr);

	/* Where the inventory came from: best effort, a record without a
	 * known commit is still worth having. */
	err = inventory_path ? gitlog__inventory_locate(hex, &dirty, &rel,
	    inventory_path) : PS_ENOTFOUND;
	if (opts->inventory_commit)
		commit = xstrdup(opts->inventory_commit);
	else if (err == 0)
		commit = xasprintf("%s%s", hex, dirty ? "-dirty" : "");
	else
		commit = xstrdup("unknown");
	sha[0] = '\0';
	if (!opts->inventory_sha256 && inventory_path &&
	    ps_read_file(&file, inventory_path, 0) == 0)
		sha256_hex(sha, file.ptr, file.len);
	if (opts->endpoint)
		endpoint = sanitize_endpoint(opts->endpoint);

	add_trailer(msg, "Projsync-Kind", opts->kind);
	add_trailer(msg, "Inventory-Commit", commit);
	add_trailer(msg, "Inventory-Path", rel);
	add_trailer(msg, "Inventory-SHA256", opts->inventory_sha256 ?
	    opts->inventory_sha256 : sha);
	add_trailer(msg, "Endpoint", endpoint);
	add_trailer(msg, "Projsync-Version", PROJSYNC_VERSION);
	ps_error_clear();	/* the lookup's failure is not ours */

	free(endpoint);
	free(commit);
	free(rel);
	ps_buf_release(&file);
	ps_buf_release(&sum);
	return 0;
}

static int
make_signature(git_signature **out, git_repository *repo)
{
	const char *name = getenv("PROJSYNC_GIT_AUTHOR_NAME");
	const char *email = getenv("PROJSYNC_GIT_AUTHOR_EMAIL");
	git_signature *def = NULL;
	int rc;

	if (name && !*name)
		name = NULL;
	if (email && !*email)
		email = NULL;
	/* Missing user.name/user.email is normal on CI runners. */
	if ((!name || !email) && git_signature_default(&def, repo) < 0)
		def = NULL;
	rc = git_signature_now(out,
	    name ? name : def ? def->name : "projsync",
	    email ? email : def ? def->email : "projsync@localhost");
	git_signature_free(def);
	if (rc < 0)
		return gitlog__error(rc, "invalid author for the record "
		    "(check PROJSYNC_GIT_AUTHOR_NAME/_EMAIL and user.name/"
		    "user.email)");
	return 0;
}

static int
write_tree(git_oid *out, git_repository *repo,
    const struct gitlog_file *files, size_t nr)
{
	git_treebuilder *tb = NULL;
	git_oid blob;
	size_t i;
	int rc, err = 0;

	if ((rc = git_treebuilder_new(&tb, repo, NULL)) < 0)
		return gitlog__error(rc, "cannot build the record's tree");
	for (i = 0; i < nr; i++) {
		const char *n = files[i].name;

		if (!n || !*n || strchr(n, '/') || !strcmp(n, ".") ||
		    !strcmp(n, "..") || !strcmp(n, ".git")) {
			err = ps_error(PS_EUSAGE, "invalid record file name "
			    "'%s'", n ? n : "(null)");
			goto out;
		}
		if (git_treebuilder_get(tb, n)) {
			err = ps_error(PS_EUSAGE, "record file '%s' given "
			    "twice", n);
			goto out;
		}
		rc = git_blob_create_from_buffer(&blob, repo,
		    files[i].data ? files[i].data : "", files[i].len);
		if (rc < 0 || (rc = git_treebuilder_insert(NULL, tb, n, &blob,
		    GIT_FILEMODE_BLOB)) < 0) {
			err = gitlog__error(rc, "cannot store '%s'", n);
			goto out;
		}
	}
	if ((rc = git_treebuilder_write(out, tb)) < 0)
		err = gitlog__error(rc, "cannot write the record's tree");
out:
	git_treebuilder_free(tb);
	return err;
}

/* Moving projsync/history while a work tree has it checked out would
 * change that HEAD and make its work tree look modified. */
static int
check_not_checked_out(git_repository *repo)
{
	git_reference *head = NULL, *ref = NULL;
	int rc, err = 0;

	if (git_repository_is_bare(repo))
		return 0;
	if (git_reference_lookup(&head, repo, "HEAD") == 0 &&
	    git_reference_type(head) == GIT_REFERENCE_SYMBOLIC &&
	    !strcmp(git_reference_symbolic_target(head), GITLOG_REF))
		err = ps_error(PS_EGIT, "'%s' is the checked-out branch in "
		    "'%s'; switch to another branch before recording",
		    GITLOG_BRANCH, gitlog__repo_dir(repo));
	else if (git_reference_lookup(&ref, repo, GITLOG_REF) == 0 &&
	    (rc = git_branch_is_checked_out(ref)) == 1)
		err = ps_error(PS_EGIT, "'%s' is checked out in a work tree "
		    "of '%s'; switch it to another branch before recording",
		    GITLOG_BRANCH, gitlog__repo_dir(repo));
	git_error_clear();
	git_reference_free(ref);
	git_reference_free(head);
	return err;
}

/* Randomised, growing pause between attempts, so two recorders that
 * collided do not collide again in lock step. */
static void
backoff(int attempt, unsigned *seed)
{
	long cap_us = 1000L << (attempt < 6 ? attempt : 6);	/* ≤ 64 ms */
	long us = 500 + (long)(rand_r(seed) % cap_us);
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Read the tip: *have is false when the ref does not exist yet. */
static int
read_tip(git_oid *tip, bool *have, git_repository *repo)
{
	git_reference *ref = NULL;
	int rc;

	*have = false;
	rc = git_reference_lookup(&ref, repo, GITLOG_REF);
	if (rc == GIT_ENOTFOUND)
		return 0;
	if (rc < 0)
		return gitlog__error(rc, "cannot read '%s'", GITLOG_REF);
	if (git_reference_type(ref) != GIT_REFERENCE_DIRECT) {
		git_reference_free(ref);
		return ps_error(PS_EGIT, "'%s' is a symbolic reference; "
		    "refusing to record", GITLOG_REF);
	}
	git_oid_cpy(tip, git_reference_target(ref));
	*have = true;
	git_reference_free(ref);
	return 0;
}

/*
 * Write a commit of tree on the current tip and swap the ref from that tip
 * to it; on a lost race read the new tip and do it again.
 */
static int
commit_and_swap(git_oid *out, git_repository *repo, const git_oid *tree_id,
    const char *msg, const git_signature *sig, const char *reflog)
{
	git_tree *tree = NULL;
	git_commit *parent = NULL;
	git_reference *ref = NULL;
	git_oid tip, zero;
	unsigned seed = (unsigned)getpid() ^ (unsigned)time(NULL);
	bool have;
	int attempt, rc, err = 0;

	memset(&zero, 0, sizeof(zero));
	if ((rc = git_tree_lookup(&tree, repo, tree_id)) < 0)
		return gitlog__error(rc, "cannot read the record's tree");
	for (attempt = 1;; attempt++) {
		const git_commit *parents[1];

		if ((err = read_tip(&tip, &have, repo)) < 0)
			break;
		if (have && (rc = git_commit_lookup(&parent, repo, &tip)) < 0) {
			err = gitlog__error(rc, "'%s' does not point to a "
			    "commit", GITLOG_REF);
			break;
		}
		parents[0] = parent;
		rc = git_commit_create(out, repo, NULL, sig, sig, NULL, msg,
		    tree, have ? 1 : 0, parents);
		git_commit_free(parent);
		parent = NULL;
		if (rc < 0) {
			err = gitlog__error(rc, "cannot write the record's "
			    "commit");
			break;
		}
		if (test_hook)
			test_hook(gitlog__repo_dir(repo), attempt,
			    test_hook_payload);
		/* A zero current id means "must not exist yet". */
		rc = git_reference_create_matching(&ref, repo, GITLOG_REF, out,
		    1, have ? &tip : &zero, reflog);
		git_reference_free(ref);
		ref = NULL;
		if (rc == 0)
			break;
		if ((rc == GIT_EMODIFIED || rc == GIT_ELOCKED ||
		    rc == GIT_EEXISTS) && attempt < GITLOG_MAX_ATTEMPTS) {
			git_error_clear();
			backoff(attempt, &seed);
			continue;
		}
		if (rc == GIT_ELOCKED)
			err = gitlog__error(rc, "'%s' stayed locked through %d "
			    "attempts (a stale '.lock' file left by a killed "
			    "git?)", GITLOG_REF, attempt);
		else
			err = gitlog__error(rc, "cannot move '%s' after %d "
			    "attempts", GITLOG_REF, attempt);
		break;
	}
	git_tree_free(tree);
	return err;
}

int
gitlog_record(char out_commit_hex[41], const char *inventory_path,
    const struct gitlog_record_opts *opts, const struct gitlog_file *files,
    size_t nr)
{
	git_repository *repo = NULL;
	git_signature *sig = NULL;
	struct ps_buf msg = PS_BUF_INIT;
	git_oid tree, commit;
	char *reflog = NULL;
	int err;

	out_commit_hex[0] = '\0';
	if (!opts || !opts->kind || (strcmp(opts->kind, "plan") &&
	    strcmp(opts->kind, "apply")))
		return ps_error(PS_EUSAGE, "record kind must be 'plan' or "
		    "'apply'");
	if (!opts->repo_path && !inventory_path)
		return ps_error(PS_EUSAGE, "nothing says where to record: "
		    "no inventory path and no --record-repo");
	git_libgit2_init();
	if ((err = gitlog__open_repo(&repo, inventory_path, opts->repo_path,
	    true)) < 0)
		goto out;
	if ((err = check_not_checked_out(repo)) < 0 ||
	    (err = build_message(&msg, inventory_path, opts)) < 0 ||
	    (err = make_signature(&sig, repo)) < 0 ||
	    (err = write_tree(&tree, repo, files, nr)) < 0)
		goto out;
	reflog = xasprintf("projsync: record %s", opts->kind);
	if ((err = commit_and_swap(&commit, repo, &tree, msg.ptr, sig,
	    reflog)) < 0)
		goto out;
	git_oid_tostr(out_commit_hex, 41, &commit);
out:
	free(reflog);
	ps_buf_release(&msg);
	git_signature_free(sig);
	git_repository_free(repo);
	git_libgit2_shutdown();
	return err;
}

int
gitlog_record_plan(char out_hex[41], const char *inventory_path,
    const char *repo_path, const char *summary, const char *endpoint,
    const char *plan_json, const char *plan_md, const char *result_json)
{
	struct gitlog_file files[3];
	struct gitlog_record_opts o = { 0 };
	size_t nr = 0;

	if (!plan_json || !plan_md) {
		out_hex[0] = '\0';
		return ps_error(PS_EUSAGE, "a record needs plan.json and "
		    "plan.md");
	}
	files[nr++] = (struct gitlog_file){ "plan.json", plan_json,
	    strlen(plan_json) };
	files[nr++] = (struct gitlog_file){ "plan.md", plan_md,
	    strlen(plan_md) };
	if (result_json)
		files[nr++] = (struct gitlog_file){ "result.json", result_json,
		    strlen(result_json) };
	o.kind = result_json ? "apply" : "plan";
	o.summary = summary;
	o.endpoint = endpoint;
	o.repo_path = repo_path;
	return gitlog_record(out_hex, inventory_path, &o, files, nr);
}

int
gitlog_record_check(const char *inventory_path, const char *repo_path)
{
	git_repository *repo = NULL;
	git_signature *sig = NULL;
	int err;

	if (!repo_path && !inventory_path)
		return ps_error(PS_EUSAGE, "nothing says where to record: "
		    "no inventory path and no --record-repo");
	git_libgit2_init();
	if ((err = gitlog__open_repo(&repo, inventory_path, repo_path,
	    true)) == 0 && (err = check_not_checked_out(repo)) == 0)
		err = make_signature(&sig, repo);
	git_signature_free(sig);
	git_repository_free(repo);
	git_libgit2_shutdown();
	return err;
}
