/*
 * Unit tests for gitlog: recording plans and applies into temporary
 * repositories (set up and inspected with the git CLI, which the tests may
 * use; the code under test never does) and reading them back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "gitlog/gitlog.h"
#include "inventory/inventory.h"
#include "util/util.h"

static char base[256];	/* per-test temporary folder */

/* A gitlog call that must succeed; on failure show its message. */
#define assert_ok(expr) do {						\
	int rc_ = (expr);						\
	if (rc_ != 0)							\
		print_error("%s: %s\n", #expr, ps_error_last());	\
	assert_int_equal(rc_, 0);					\
} while (0)	/* per-test temporary folder */

/* Run a shell command (printf-style); returns its exit status. */
static int PS_PRINTF(1, 2)
sh(const char *fmt, ...)
{
	va_list ap;
	char *cmd;
	int st;

	va_start(ap, fmt);
	cmd = xvasprintf(fmt, ap);
	va_end(ap);
	st = system(cmd);
	free(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* A command's stdout, trailing newlines removed. Caller frees. */
static char * PS_PRINTF(1, 2)
out(const char *fmt, ...)
{
	struct ps_buf b = PS_BUF_INIT;
	char chunk[4096];
	va_list ap;
	char *cmd;
	size_t n;
	FILE *fp;

	va_start(ap, fmt);
	cmd = xvasprintf(fmt, ap);
	va_end(ap);
	fp = popen(cmd, "r");
	assert_non_null(fp);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		ps_buf_add(&b, chunk, n);
	pclose(fp);
	free(cmd);
	while (b.len && b.ptr[b.len - 1] == '\n')
		b.ptr[--b.len] = '\0';
	ps_buf_grow(&b, 0);
	return ps_buf_detach(&b);
}

static void
write_file(const char *path, const char *data)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(data, fp);
	fclose(fp);
}

static char *
path_in(const char *rel)
{
	return xasprintf("%s/%s", base, rel);
}

static char home[256];	/* private HOME for the whole run */

static int
setup(void **state)
{
	(void)state;
	snprintf(base, sizeof(base), "/tmp/projsync-test-gitlog.XXXXXX");
	if (!mkdtemp(base))
		return -1;
	sh("rm -f '%s/.gitconfig'", home);
	setenv("GIT_AUTHOR_NAME", "Test", 1);
	setenv("GIT_AUTHOR_EMAIL", "test@example.com", 1);
	setenv("GIT_COMMITTER_NAME", "Test", 1);
	setenv("GIT_COMMITTER_EMAIL", "test@example.com", 1);
	unsetenv("PROJSYNC_GIT_AUTHOR_NAME");
	unsetenv("PROJSYNC_GIT_AUTHOR_EMAIL");
	unsetenv("GIT_DIR");
	gitlog__set_test_hook(NULL, NULL);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	gitlog__set_test_hook(NULL, NULL);
	sh("chown -R %d '%s' 2>/dev/null; rm -rf '%s'", (int)geteuid(), base,
	    base);
	return 0;
}

/* A work tree at base/repo with projects.yaml committed. */
static void
make_repo(void)
{
	assert_int_equal(sh("cd '%s' && git init -q -b main repo && cd repo "
	    "&& printf 'version: 1\\n' > projects.yaml && "
	    "printf 'a\\n' > other.txt && git add . && "
	    "git commit -q -m init", base), 0);
}

/* `git fsck --strict` finds nothing (dangling objects from lost races are
 * not errors and are not listed). */
static char *path_in(const char *rel);

static void
fsck_clean_at(const char *dir)
{
	/* (a bare repository's unborn HEAD is only a notice) */
	char *v = out("git -C '%s' fsck --strict --no-dangling --no-progress "
	    ">'%s/fsck.out' 2>&1; rc=$?; grep -v '^notice: HEAD points to "
	    "an unborn' '%s/fsck.out'; echo rc=$rc", dir, base, base);

	assert_string_equal(v, "rc=0");
	free(v);
}

static void
fsck_repo(void)
{
	char *dir = path_in("repo");

	fsck_clean_at(dir);
	free(dir);
}

static int
record(char hex[41], const char *inv, const char *repo_path,
    const char *kind, const char *summary)
{
	struct gitlog_file files[] = {
		{ "plan.json", "{\"format_version\": 1}\n", 22 },
		{ "plan.md", "# plan\n", 7 },
		{ "result.json", "{\"ok\": true}\n", 13 },
	};
	struct gitlog_record_opts o = { 0 };

	o.kind = kind;
	o.summary = summary;
	o.endpoint = "https://bedrock-mantle.us-east-1.api.aws/v1";
	o.repo_path = repo_path;
	return gitlog_record(hex, inv, &o, files,
	    strcmp(kind, "apply") == 0 ? 3 : 2);
}

static void
test_gitlog__record_leaves_worktree_index_head_alone(void **state)
{
	char hex[41], *inv = path_in("repo/projects.yaml");
	char *st0, *st1, *idx0, *idx1, *head0, *head1, *stash0, *stash1;
	char *cached0, *cached1, *msg, *tree, *yaml;

	(void)state;
	make_repo();
	/* A stash entry, a staged change, an unstaged change, an untracked
	 * file: everything a user may have in progress. */
	assert_int_equal(sh("cd '%s/repo' && printf 'b\\n' >> other.txt && "
	    "git stash -q && printf 'staged\\n' > staged.txt && "
	    "git add staged.txt && printf 'c\\n' >> other.txt && "
	    "printf 'u\\n' > untracked.txt", base), 0);
	st0 = out("cd '%s/repo' && git status --porcelain=v2 "
	    "--untracked-files=all --branch", base);
	idx0 = out("sha256sum '%s/repo/.git/index'", base);
	cached0 = out("cd '%s/repo' && git diff --cached", base);
	head0 = out("cd '%s/repo' && git rev-parse HEAD && "
	    "git symbolic-ref HEAD", base);
	stash0 = out("cd '%s/repo' && git stash list --format=%%H", base);

	assert_ok(record(hex, inv, NULL, "plan",
	    "Plan: 1 to create, 0 to update, 0 to archive."));
	assert_int_equal(strlen(hex), 40);

	idx1 = out("sha256sum '%s/repo/.git/index'", base);
	st1 = out("cd '%s/repo' && git status --porcelain=v2 "
	    "--untracked-files=all --branch", base);
	cached1 = out("cd '%s/repo' && git diff --cached", base);
	head1 = out("cd '%s/repo' && git rev-parse HEAD && "
	    "git symbolic-ref HEAD", base);
	stash1 = out("cd '%s/repo' && git stash list --format=%%H", base);
	assert_string_equal(idx0, idx1);
	assert_string_equal(st0, st1);
	assert_string_equal(cached0, cached1);
	assert_string_equal(head0, head1);
	assert_string_equal(stash0, stash1);
	assert_true(strstr(st1, "untracked.txt") != NULL);

	msg = out("cd '%s/repo' && git log -1 --format=%%H projsync/history",
	    base);
	assert_string_equal(msg, hex);
	free(msg);
	tree = out("cd '%s/repo' && git ls-tree --name-only projsync/history",
	    base);
	assert_string_equal(tree, "plan.json\nplan.md");
	yaml = out("cd '%s/repo' && git show projsync/history:plan.md", base);
	assert_string_equal(yaml, "# plan");
	fsck_repo();

	free(yaml);
	free(tree);
	free(st0);
	free(st1);
	free(idx0);
	free(idx1);
	free(cached0);
	free(cached1);
	free(head0);
	free(head1);
	free(stash0);
	free(stash1);
	free(inv);
}

static void
test_gitlog__trailers(void **state)
{
	char hex[41], *inv = path_in("repo/sub/projects.yaml"), *v, *head;
	char *raw, sha[65];
	struct gitlog_file f = { "plan.json", "{}\n", 3 };
	struct gitlog_record_opts o = { 0 };
	struct ps_buf b = PS_BUF_INIT;

	(void)state;
	make_repo();
	assert_int_equal(sh("cd '%s/repo' && mkdir sub && printf 'version: 1"
	    "\\n' > sub/projects.yaml && git add sub && git commit -qm sub",
	    base), 0);
	o.kind = "apply";
	o.summary = "Apply: 2 created.\nsecond line is dropped";
	/* Credentials someone put into the URL must never be committed. */
	o.endpoint = "https://user:s3cret@example.com:8443/v1?key=s3cret#x";
	assert_ok(gitlog_record(hex, inv, &o, &f, 1));

	head = out("cd '%s/repo' && git rev-parse HEAD", base);
	v = out("cd '%s/repo' && git log -1 --format=%%s projsync/history",
	    base);
	assert_string_equal(v, "Apply: 2 created.");
	free(v);
	v = out("cd '%s/repo' && git log -1 --format='%%(trailers:key="
	    "Inventory-Commit,valueonly)' projsync/history", base);
	assert_string_equal(v, head);
	free(v);
	v = out("cd '%s/repo' && git log -1 --format='%%(trailers:key="
	    "Projsync-Kind,valueonly)' projsync/history", base);
	assert_string_equal(v, "apply");
	free(v);
	v = out("cd '%s/repo' && git log -1 --format='%%(trailers:key="
	    "Inventory-Path,valueonly)' projsync/history", base);
	assert_string_equal(v, "sub/projects.yaml");
	free(v);
	v = out("cd '%s/repo' && git log -1 --format='%%(trailers:key="
	    "Endpoint,valueonly)' projsync/history", base);
	assert_string_equal(v, "https://example.com:8443/v1");
	free(v);
	v = out("cd '%s/repo' && git log -1 --format='%%(trailers:key="
	    "Projsync-Version,valueonly)' projsync/history", base);
	assert_string_equal(v, PROJSYNC_VERSION);
	free(v);
	assert_int_equal(ps_read_file(&b, inv, 0), 0);
	sha256_hex(sha, b.ptr, b.len);
	v = out("cd '%s/repo' && git log -1 --format='%%(trailers:key="
	    "Inventory-SHA256,valueonly)' projsync/history", base);
	assert_string_equal(v, sha);
	free(v);
	raw = out("cd '%s/repo' && git cat-file -p projsync/history", base);
	assert_null(strstr(raw, "s3cret"));
	assert_non_null(strstr(raw, "\n\nProjsync-Kind: apply\n"));
	free(raw);

	free(head);
	free(inv);
	ps_buf_release(&b);
}

static void
test_gitlog__dirty_inventory_commit(void **state)
{
	char hex[41], *inv = path_in("repo/projects.yaml"), *head, *v;
	bool dirty = true;

	(void)state;
	make_repo();
	head = out("cd '%s/repo' && git rev-parse HEAD", base);
	assert_ok(gitlog_inventory_commit(hex, &dirty, inv));
	assert_string_equal(hex, head);
	assert_false(dirty);

	write_file(inv, "version: 1\n# edited\n");
	assert_ok(gitlog_inventory_commit(hex, &dirty, inv));
	assert_string_equal(hex, head);
	assert_true(dirty);
	assert_ok(record(hex, inv, NULL, "plan", "p"));
	v = out("cd '%s/repo' && git log -1 --format='%%(trailers:key="
	    "Inventory-Commit,valueonly)' projsync/history", base);
	assert_true(strncmp(v, head, 40) == 0);
	assert_string_equal(v + 40, "-dirty");
	free(v);

	/* Untracked: HEAD does not have it at all. */
	free(inv);
	inv = path_in("repo/new.yaml");
	write_file(inv, "version: 1\n");
	assert_ok(gitlog_inventory_commit(hex, &dirty, inv));
	assert_true(dirty);

	/* Not in any repository. */
	free(inv);
	inv = path_in("plain.yaml");
	write_file(inv, "version: 1\n");
	assert_int_equal(gitlog_inventory_commit(hex, &dirty, inv),
	    PS_ENOTFOUND);
	assert_string_equal(hex, "");
	free(head);
	free(inv);
}

static void
test_gitlog__bare_repo(void **state)
{
	char hex[41], *inv = path_in("plain.yaml"), *bare = path_in("b.git");
	char *v;

	(void)state;
	write_file(inv, "version: 1\n");
	assert_int_equal(sh("git init -q --bare '%s'", bare), 0);
	assert_ok(record(hex, inv, bare, "plan", "into bare"));
	v = out("git -C '%s' log --format=%%H%%n%%s projsync/history", bare);
	assert_non_null(strstr(v, hex));
	assert_non_null(strstr(v, "into bare"));
	free(v);
	/* The inventory is in no repository: its commit is unknown. */
	v = out("git -C '%s' log -1 --format='%%(trailers:key=Inventory-"
	    "Commit,valueonly)' projsync/history", bare);
	assert_string_equal(v, "unknown");
	free(v);
	/* A bare repository found from the inventory's folder works too. */
	free(inv);
	inv = path_in("b.git/projects.yaml");
	assert_ok(record(hex, inv, NULL, "plan", "found"));
	v = out("git -C '%s' rev-list --count projsync/history", bare);
	assert_string_equal(v, "2");
	free(v);
	fsck_clean_at(bare);
	free(bare);
	free(inv);
}

static void
test_gitlog__record_repo_created_bare(void **state)
{
	char hex[41], *inv = path_in("plain.yaml"), *rr = path_in("a/b/rec");
	char *v;

	(void)state;
	write_file(inv, "version: 1\n");
	assert_ok(record(hex, inv, rr, "plan", "first"));
	v = out("git -C '%s' rev-parse --is-bare-repository", rr);
	assert_string_equal(v, "true");
	free(v);
	/* HEAD names the history, so `git log` there shows it. */
	v = out("git -C '%s' log --format=%%H", rr);
	assert_string_equal(v, hex);
	free(v);
	/* An existing folder that is not a repository is refused, not
	 * turned into one. */
	free(rr);
	rr = path_in("notrepo");
	mkdir(rr, 0755);
	write_file(inv, "version: 1\n");
	v = path_in("notrepo/file");
	write_file(v, "x");
	free(v);
	assert_int_equal(record(hex, inv, rr, "plan", "x"), PS_ENOTFOUND);
	assert_non_null(strstr(ps_error_last(), "not a git repository"));
	free(rr);
	free(inv);
}

static void
test_gitlog__linear_history(void **state)
{
	char h1[41], h2[41], h3[41], *inv = path_in("repo/projects.yaml"), *v;

	(void)state;
	make_repo();
	assert_ok(record(h1, inv, NULL, "plan", "one"));
	assert_ok(record(h2, inv, NULL, "apply", "two"));
	assert_ok(record(h3, inv, NULL, "plan", "three"));
	v = out("cd '%s/repo' && git rev-list --parents projsync/history",
	    base);
	{
		char *want = xasprintf("%s %s\n%s %s\n%s", h3, h2, h2, h1, h1);
		assert_string_equal(v, want);
		free(want);
	}
	free(v);
	v = out("cd '%s/repo' && git ls-tree --name-only %s", base, h2);
	assert_string_equal(v, "plan.json\nplan.md\nresult.json");
	free(v);
	free(inv);
}

struct hook_state {
	int calls;
	char moved_to[41];
};

/* Another recorder wins the race: move the ref under our feet once. */
static void
move_ref_hook(const char *repo_dir, int attempt, void *payload)
{
	struct hook_state *hs = payload;
	char *v;

	hs->calls++;
	if (attempt != 1)
		return;
	v = out("cd '%s' && t=$(git rev-parse -q --verify projsync/history) ;"
	    " c=$(git commit-tree ${t:+-p $t} -m 'other recorder' "
	    "$(git mktree </dev/null)) && git update-ref "
	    "refs/heads/projsync/history $c && echo $c", repo_dir);
	assert_int_equal(strlen(v), 40);
	memcpy(hs->moved_to, v, 41);
	free(v);
}

static void
test_gitlog__cas_conflict_rebuilds_on_new_tip(void **state)
{
	char h1[41], h2[41], *inv = path_in("repo/projects.yaml"), *v;
	struct hook_state hs = { 0 };

	(void)state;
	make_repo();
	/* First record: the ref does not exist yet and appears meanwhile. */
	gitlog__set_test_hook(move_ref_hook, &hs);
	assert_ok(record(h1, inv, NULL, "plan", "one"));
	assert_int_equal(hs.calls, 2);
	v = out("cd '%s/repo' && git rev-parse %s^", base, h1);
	assert_string_equal(v, hs.moved_to);
	free(v);

	/* Second: the ref exists and moves meanwhile. */
	memset(&hs, 0, sizeof(hs));
	assert_ok(record(h2, inv, NULL, "plan", "two"));
	gitlog__set_test_hook(NULL, NULL);
	assert_int_equal(hs.calls, 2);
	v = out("cd '%s/repo' && git rev-parse %s^ && git rev-parse %s^", base,
	    h2, hs.moved_to);
	{
		char *want = xasprintf("%s\n%s", hs.moved_to, h1);
		assert_string_equal(v, want);
		free(want);
	}
	free(v);
	v = out("cd '%s/repo' && git rev-parse projsync/history", base);
	assert_string_equal(v, h2);
	free(v);
	v = out("cd '%s/repo' && git rev-list --count projsync/history", base);
	assert_string_equal(v, "4");
	free(v);
	fsck_repo();
	free(inv);
}

/* The ref stays busy: give up after GITLOG_MAX_ATTEMPTS, clearly. */
static void
always_move_hook(const char *repo_dir, int attempt, void *payload)
{
	(void)attempt;
	move_ref_hook(repo_dir, 1, payload);
}

static void
test_gitlog__cas_gives_up_bounded(void **state)
{
	char h[41], *inv = path_in("repo/projects.yaml");
	struct hook_state hs = { 0 };

	(void)state;
	make_repo();
	gitlog__set_test_hook(always_move_hook, &hs);
	assert_int_equal(record(h, inv, NULL, "plan", "x"), PS_EGIT);
	gitlog__set_test_hook(NULL, NULL);
	assert_int_equal(hs.calls, GITLOG_MAX_ATTEMPTS);
	assert_non_null(strstr(ps_error_last(), "attempts"));
	assert_string_equal(h, "");
	free(inv);
}

static void
test_gitlog__empty_repo_without_commits(void **state)
{
	char hex[41], *inv = path_in("repo/projects.yaml"), *v;
	bool dirty;
	struct gitlog *gl = NULL;
	struct gitlog_entry e;

	(void)state;
	assert_int_equal(sh("cd '%s' && git init -q repo", base), 0);
	write_file(inv, "version: 1\n");
	assert_int_equal(gitlog_inventory_commit(hex, &dirty, inv),
	    PS_ENOTFOUND);
	assert_non_null(strstr(ps_error_last(), "no commit yet"));

	/* Nothing recorded yet: an empty log, a clear lookup error. */
	assert_ok(gitlog_open(&gl, inv, NULL));
	{
		struct gitlog_entry *items = NULL;
		size_t nr = 1;

		assert_ok(gitlog_list(&items, &nr, gl, 0));
		assert_int_equal(nr, 0);
		gitlog_entries_free(items, nr);
	}
	assert_int_equal(gitlog_lookup(&e, gl, NULL), PS_ENOTFOUND);
	assert_non_null(strstr(ps_error_last(), "nothing recorded yet"));

	assert_ok(record(hex, inv, NULL, "plan", "first"));
	assert_ok(gitlog_lookup(&e, gl, NULL));
	assert_string_equal(e.id, hex);
	assert_string_equal(e.inventory_commit, "unknown");
	assert_string_equal(e.inventory_path, "projects.yaml");
	gitlog_entry_release(&e);
	gitlog_free(gl);
	/* HEAD is still unborn: the record did not become the branch. */
	assert_int_equal(sh("cd '%s/repo' && ! git rev-parse -q --verify HEAD",
	    base), 0);
	v = out("cd '%s/repo' && git status --porcelain", base);
	assert_string_equal(v, "?? projects.yaml");
	free(v);
	free(inv);
}

static void
test_gitlog__read_back(void **state)
{
	char h1[41], h2[41], h3[41], *inv = path_in("repo/projects.yaml");
	struct ps_buf b = PS_BUF_INIT;
	struct gitlog *gl = NULL;
	struct gitlog_entry e, *items = NULL;
	size_t nr = 0;
	char *rev;

	(void)state;
	make_repo();
	assert_ok(record(h1, inv, NULL, "plan", "plan one"));
	assert_ok(record(h2, inv, NULL, "plan", "plan two"));
	assert_ok(record(h3, inv, NULL, "apply", "applied"));

	assert_ok(gitlog_read_file(&b, inv, NULL, h1, "plan.json"));
	assert_string_equal(b.ptr, "{\"format_version\": 1}\n");
	/* Default: the newest plan, skipping the newer apply. */
	assert_ok(gitlog_read_file(&b, inv, NULL, NULL, "plan.md"));
	assert_string_equal(b.ptr, "# plan\n");
	assert_int_equal(gitlog_read_file(&b, inv, NULL, NULL, "result.json"),
	    PS_ENOTFOUND);
	assert_non_null(strstr(ps_error_last(), "has no file 'result.json'"));
	assert_ok(gitlog_read_file(&b, inv, NULL, "projsync/history",
	    "result.json"));
	assert_string_equal(b.ptr, "{\"ok\": true}\n");
	assert_int_equal(gitlog_read_file(&b, inv, NULL, "no-such-rev",
	    "plan.json"), PS_ENOTFOUND);
	assert_non_null(strstr(ps_error_last(), "unknown revision"));

	assert_ok(gitlog_open(&gl, inv, NULL));
	assert_ok(gitlog_latest(&e, gl, "plan"));
	assert_string_equal(e.id, h2);
	assert_string_equal(e.summary, "plan two");
	gitlog_entry_release(&e);
	rev = xasprintf("%.10s", h1);
	assert_ok(gitlog_lookup(&e, gl, rev));
	assert_string_equal(e.id, h1);
	assert_string_equal(e.kind, "plan");
	assert_string_equal(e.endpoint,
	    "https://bedrock-mantle.us-east-1.api.aws/v1");
	assert_string_equal(e.author_email, "projsync@localhost");
	assert_string_equal(e.version, PROJSYNC_VERSION);
	gitlog_entry_release(&e);
	free(rev);
	assert_ok(gitlog_lookup(&e, gl, "projsync/history~2"));
	assert_string_equal(e.id, h1);
	gitlog_entry_release(&e);
	/* A commit that is not a projsync record has no kind. */
	assert_ok(gitlog_lookup(&e, gl, "main"));
	assert_null(e.kind);
	assert_string_equal(e.summary, "init");
	gitlog_entry_release(&e);

	assert_ok(gitlog_list(&items, &nr, gl, 0));
	assert_int_equal(nr, 3);
	assert_string_equal(items[0].id, h3);
	assert_string_equal(items[0].kind, "apply");
	assert_string_equal(items[1].id, h2);
	assert_string_equal(items[2].id, h1);
	assert_true(items[0].time > 1600000000);
	gitlog_entries_free(items, nr);
	assert_ok(gitlog_list(&items, &nr, gl, 2));
	assert_int_equal(nr, 2);
	assert_string_equal(items[1].summary, "plan two");
	gitlog_entries_free(items, nr);
	assert_ok(gitlog_blob(&b, gl, h3, "plan.json"));
	assert_int_equal(gitlog_blob(&b, gl, h3, "nope/x"), PS_ENOTFOUND);
	gitlog_free(gl);
	ps_buf_release(&b);
	free(inv);
}

static void
test_gitlog__author(void **state)
{
	char hex[41], *inv = path_in("repo/projects.yaml"), *v;

	(void)state;
	make_repo();
	/* No git config at all: the fallback. */
	assert_ok(record(hex, inv, NULL, "plan", "a"));
	v = out("cd '%s/repo' && git log -1 --format='%%an <%%ae>|%%cn <%%ce>'"
	    " projsync/history", base);
	assert_string_equal(v, "projsync <projsync@localhost>|"
	    "projsync <projsync@localhost>");
	free(v);
	/* git config. */
	assert_int_equal(sh("cd '%s/repo' && git config user.name 'Ci Bot' && "
	    "git config user.email ci@example.org", base), 0);
	assert_ok(record(hex, inv, NULL, "plan", "b"));
	v = out("cd '%s/repo' && git log -1 --format='%%an <%%ae>' "
	    "projsync/history", base);
	assert_string_equal(v, "Ci Bot <ci@example.org>");
	free(v);
	/* The environment overrides each part on its own. */
	setenv("PROJSYNC_GIT_AUTHOR_EMAIL", "bot@corp.example", 1);
	assert_ok(record(hex, inv, NULL, "plan", "c"));
	v = out("cd '%s/repo' && git log -1 --format='%%an <%%ae>|%%cn <%%ce>'"
	    " projsync/history", base);
	assert_string_equal(v, "Ci Bot <bot@corp.example>|"
	    "Ci Bot <bot@corp.example>");
	free(v);
	setenv("PROJSYNC_GIT_AUTHOR_NAME", "Release Train", 1);
	assert_ok(record(hex, inv, NULL, "plan", "d"));
	v = out("cd '%s/repo' && git log -1 --format='%%an <%%ae>' "
	    "projsync/history", base);
	assert_string_equal(v, "Release Train <bot@corp.example>");
	free(v);
	/* A name git cannot store is an error, not a corrupt commit. */
	setenv("PROJSYNC_GIT_AUTHOR_NAME", "<bad>", 1);
	assert_int_equal(record(hex, inv, NULL, "plan", "e"), PS_EGIT);
	assert_non_null(strstr(ps_error_last(), "PROJSYNC_GIT_AUTHOR_NAME"));
	unsetenv("PROJSYNC_GIT_AUTHOR_NAME");
	unsetenv("PROJSYNC_GIT_AUTHOR_EMAIL");
	free(inv);
}

static void
test_gitlog__refusals(void **state)
{
	char hex[41], *inv = path_in("repo/projects.yaml"), *v;
	struct gitlog_file bad[] = { { "a/b", "x", 1 } };
	struct gitlog_file twice[] = { { "a", "x", 1 }, { "a", "y", 1 } };
	struct gitlog_record_opts o = { 0 };

	(void)state;
	make_repo();
	o.kind = "plan";
	assert_int_equal(gitlog_record(hex, inv, &o, bad, 1), PS_EUSAGE);
	assert_int_equal(gitlog_record(hex, inv, &o, twice, 2), PS_EUSAGE);
	o.kind = "bogus";
	assert_int_equal(gitlog_record(hex, inv, &o, twice, 1), PS_EUSAGE);
	o.kind = "plan";
	/* Not inside a repository, no --record-repo. */
	v = path_in("plain.yaml");
	write_file(v, "version: 1\n");
	assert_int_equal(gitlog_record(hex, v, &o, twice, 1), PS_ENOTFOUND);
	assert_non_null(strstr(ps_error_last(), "--record-repo"));
	free(v);
	/* The history branch is checked out: moving it would move HEAD. */
	assert_ok(record(hex, inv, NULL, "plan", "ok"));
	assert_int_equal(sh("cd '%s/repo' && git checkout -q projsync/history",
	    base), 0);
	assert_int_equal(record(hex, inv, NULL, "plan", "no"), PS_EGIT);
	assert_non_null(strstr(ps_error_last(), "checked-out"));
	assert_int_equal(sh("cd '%s/repo' && git checkout -q main && "
	    "git worktree add -q ../wt projsync/history", base), 0);
	assert_int_equal(record(hex, inv, NULL, "plan", "no"), PS_EGIT);
	assert_non_null(strstr(ps_error_last(), "checked out in a work tree"));
	free(inv);
}

static void
test_gitlog__owned_by_another_user(void **state)
{
	char hex[41], *inv = path_in("repo/projects.yaml");
	struct gitlog *gl = NULL;
	bool dirty;

	(void)state;
	if (geteuid() != 0)
		skip();		/* only root can give a folder away */
	make_repo();
	assert_int_equal(sh("chown -R nobody '%s/repo'", base), 0);
	assert_int_equal(record(hex, inv, NULL, "plan", "x"), PS_EGIT);
	assert_non_null(strstr(ps_error_last(), "owned by another user"));
	{
		char *want = xasprintf("git config --global --add "
		    "safe.directory '%s/repo'", base);
		assert_non_null(strstr(ps_error_last(), want));
		free(want);
	}
	assert_int_equal(gitlog_inventory_commit(hex, &dirty, inv), PS_EGIT);
	assert_int_equal(gitlog_open(&gl, inv, NULL), PS_EGIT);
	assert_null(gl);
	/* Trusting it the git way makes it work. */
	assert_int_equal(sh("git config --global --add safe.directory "
	    "'%s/repo'", base), 0);
	assert_ok(record(hex, inv, NULL, "plan", "trusted"));
	free(inv);
}

static void
child_records(const char *inv, int who, int n)
{
	char hex[41], summary[64];
	int i;

	for (i = 0; i < n; i++) {
		snprintf(summary, sizeof(summary), "child %d record %d", who,
		    i);
		if (record(hex, inv, NULL, "plan", summary) != 0) {
			fprintf(stderr, "child %d: %s\n", who, ps_error_last());
			_exit(1);
		}
	}
	_exit(0);
}

static void
test_gitlog__concurrent_recorders(void **state)
{
	char *inv = path_in("repo/projects.yaml"), *v;
	pid_t pids[2];
	int i, st;

	(void)state;
	make_repo();
	for (i = 0; i < 2; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0)
			child_records(inv, i, 20);
	}
	for (i = 0; i < 2; i++) {
		assert_int_equal(waitpid(pids[i], &st, 0), pids[i]);
		assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	v = out("cd '%s/repo' && git rev-list --count projsync/history", base);
	assert_string_equal(v, "40");
	free(v);
	/* Linear: no merges, exactly one root, every record present. */
	v = out("cd '%s/repo' && git rev-list --min-parents=2 "
	    "projsync/history | wc -l && git rev-list --max-parents=0 "
	    "projsync/history | wc -l && git log --format=%%s "
	    "projsync/history | sort -u | wc -l", base);
	assert_string_equal(v, "0\n1\n40");
	free(v);
	assert_int_equal(sh("cd '%s/repo' && test $(git log --format=%%s "
	    "projsync/history | grep -c '^child 0 ') = 20", base), 0);
	fsck_repo();
	free(inv);
}

/* ---- loading inventories from commits ---- */

static void
test_gitlog__load_inventory_from_commit_tree(void **state)
{
	struct diag_list dl = DIAG_LIST_INIT;
	struct inventory *inv = NULL;
	struct gitlog *gl = NULL;
	char hex[41], *head, *repo = path_in("repo");
	size_t i;

	(void)state;
	assert_int_equal(sh("cd '%s' && git init -q -b main repo && cd repo && "
	    "mkdir -p teams/sub teams/dir.yaml sub shared && "
	    "printf 'version: 1\\ninclude: [teams/*.yaml]\\nprojects:\\n"
	    "  - name: Top\\n    tags: {Application: A, Environment: E, "
	    "Team: T, CostCenter: C}\\n' > projects.yaml && "
	    "for n in a b .hidden sub/c dir.yaml/d; do printf 'projects:\\n"
	    "  - name: P-%%s\\n    tags: {Application: A, Environment: E, "
	    "Team: T, CostCenter: C}\\n' $(basename $n) > teams/$n.yaml; "
	    "done && printf 'version: 1\\ninclude: [../shared/*.yaml, "
	    "../../outside/*.yaml]\\n' > sub/projects.yaml && "
	    "cp teams/a.yaml shared/s.yaml && git add -f . && "
	    "git commit -qm one && "
	    /* the work tree differs: the commit is what counts */
	    "rm teams/b.yaml && printf 'version: 1\\n' > projects.yaml",
	    base), 0);
	head = out("git -C '%s' rev-parse HEAD", repo);
	assert_ok(gitlog_open(&gl, NULL, repo));
	assert_ok(gitlog_load_inventory(&inv, hex, gl, "main",
	    "projects.yaml", &dl));
	assert_string_equal(hex, head);
	/* the glob: no hidden files, no folders, no sub folders */
	assert_int_equal(inv->projects_nr, 3);
	assert_string_equal(inv->projects[0].name, "Top");
	assert_string_equal(inv->projects[1].name, "P-a");
	assert_string_equal(inv->projects[2].name, "P-b");
	assert_int_equal(inv->files_nr, 3);
	assert_string_equal(inv->files[1], "teams/a.yaml");
	for (i = 0; i < dl.nr; i++)
		assert_int_not_equal(dl.items[i].level, DIAG_ERROR);
	inventory_free(inv);
	diag_list_release(&dl);

	/* Relative includes from a sub folder stay inside the tree; one
	 * that climbs out of it matches nothing (a warning). */
	assert_int_equal(gitlog_load_inventory(&inv, hex, gl, head,
	    "./sub/projects.yaml", &dl), 0);
	assert_int_equal(inv->projects_nr, 1);
	assert_string_equal(inv->files[1], "shared/s.yaml");
	for (i = 0; i < dl.nr; i++)
		if (!strcmp(dl.items[i].rule, "include-no-match"))
			break;
	assert_true(i < dl.nr);
	{
		char *want = xasprintf("%s:sub/projects.yaml", head);
		assert_string_equal(dl.items[i].file, want);
		free(want);
	}
	inventory_free(inv);
	diag_list_release(&dl);

	assert_int_equal(gitlog_load_inventory(&inv, hex, gl, "main",
	    "nope.yaml", &dl), PS_ENOTFOUND);
	assert_null(inv);
	assert_string_equal(hex, head);	/* the commit exists */
	assert_non_null(strstr(ps_error_last(), "does not exist in main"));
	assert_int_equal(gitlog_load_inventory(&inv, hex, gl, "no-such",
	    "projects.yaml", &dl), PS_ENOTFOUND);
	assert_string_equal(hex, "");
	assert_int_equal(gitlog_load_inventory(&inv, hex, gl, "main",
	    "../projects.yaml", &dl), PS_EUSAGE);
	assert_int_equal(gitlog_load_inventory(&inv, hex, gl, "main",
	    "teams", &dl), PS_EFAIL);
	assert_non_null(strstr(ps_error_last(), "is a folder"));
	diag_list_release(&dl);
	gitlog_free(gl);
	free(head);
	free(repo);
}

static void
test_gitlog__load_inventory_diagnostics_name_rev(void **state)
{
	struct diag_list dl = DIAG_LIST_INIT;
	struct inventory *inv = NULL;
	struct gitlog *gl = NULL;
	char hex[41], *repo = path_in("repo");

	(void)state;
	assert_int_equal(sh("cd '%s' && git init -q -b main repo && cd repo && "
	    "mkdir teams && printf 'version: 1\\ninclude: [teams/*.yaml]\\n' "
	    "> projects.yaml && printf 'projects:\\n  - name: X\\n    tags: "
	    "{Application: A, Environment: E, Team: T}\\n' > teams/x.yaml && "
	    "ln -s projects.yaml link.yaml && git add . && git commit -qm x",
	    base), 0);
	assert_ok(gitlog_open(&gl, NULL, repo));
	assert_int_equal(gitlog_load_inventory(&inv, hex, gl, "main~0",
	    "projects.yaml", &dl), PS_EINVALID);
	assert_true(dl.nr >= 1);
	/* the missing CostCenter, reported where the project is */
	assert_string_equal(dl.items[0].file, "main~0:teams/x.yaml");
	assert_int_equal(dl.items[0].line, 2);
	assert_int_equal(dl.items[0].level, DIAG_ERROR);
	inventory_free(inv);
	diag_list_release(&dl);
	/* Symbolic links in a tree are not followed. */
	assert_int_equal(gitlog_load_inventory(&inv, hex, gl, "main",
	    "link.yaml", &dl), PS_EFAIL);
	assert_non_null(strstr(ps_error_last(), "symbolic link"));
	assert_null(inv);
	diag_list_release(&dl);
	gitlog_free(gl);
	free(repo);
}

static void
test_gitlog__merge_base(void **state)
{
	struct gitlog *gl = NULL;
	char hex[41], *repo = path_in("repo"), *want;

	(void)state;
	make_repo();
	assert_int_equal(sh("cd '%s/repo' && git tag base && git checkout -qb a "
	    "&& git commit -q --allow-empty -m a && git checkout -q main && "
	    "git checkout -qb b && git commit -q --allow-empty -m b && "
	    "git checkout -q --orphan lonely && git commit -q --allow-empty "
	    "-m lonely", base), 0);
	want = out("git -C '%s' rev-parse base", repo);
	assert_ok(gitlog_open(&gl, NULL, repo));
	assert_ok(gitlog_merge_base(hex, gl, "a", "b"));
	assert_string_equal(hex, want);
	assert_int_equal(gitlog_merge_base(hex, gl, "a", "lonely"),
	    PS_ENOTFOUND);
	assert_non_null(strstr(ps_error_last(), "no common history"));
	assert_int_equal(gitlog_merge_base(hex, gl, "a", "nope"),
	    PS_ENOTFOUND);
	assert_string_equal(hex, "");
	gitlog_free(gl);
	free(want);
	free(repo);
}

static void
test_gitlog__log_json_is_valid_on_odd_messages(void **state)
{
	char hex[41], *inv = path_in("repo/projects.yaml");
	struct gitlog *gl = NULL;
	struct gitlog_entry *items = NULL;
	struct ps_buf b = PS_BUF_INIT;
	size_t nr = 0;
	cJSON *doc, *e;

	(void)state;
	make_repo();
	/* Not UTF-8, quotes, a tab, a control character: still valid JSON. */
	assert_ok(record(hex, inv, NULL, "plan", "bad \xff\xfe \"q\"\t\x01 "
	    "caf\xc3\xa9"));
	assert_ok(gitlog_open(&gl, inv, NULL));
	assert_ok(gitlog_list(&items, &nr, gl, 0));
	assert_int_equal(nr, 1);
	gitlog_entries_to_json(&b, items, nr);
	/* the record already turned control characters into spaces */
	assert_non_null(strstr(b.ptr, "\"summary\": \"bad \\ufffd\\ufffd "
	    "\\\"q\\\"   caf\xc3\xa9\",\n"));
	doc = cJSON_Parse(b.ptr);
	assert_non_null(doc);
	e = cJSON_GetArrayItem(doc, 0);
	assert_string_equal(cJSON_GetObjectItem(e, "id")->valuestring, hex);
	assert_string_equal(cJSON_GetObjectItem(e, "kind")->valuestring,
	    "plan");
	assert_true(cJSON_IsString(cJSON_GetObjectItem(e, "endpoint")));
	cJSON_Delete(doc);
	gitlog_entries_free(items, nr);
	gitlog_free(gl);
	ps_buf_release(&b);
	free(inv);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_gitlog__record_leaves_worktree_index_head_alone,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_gitlog__trailers, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_gitlog__dirty_inventory_commit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gitlog__bare_repo, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_gitlog__record_repo_created_bare, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gitlog__linear_history,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_gitlog__cas_conflict_rebuilds_on_new_tip, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_gitlog__cas_gives_up_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_gitlog__empty_repo_without_commits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gitlog__read_back, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_gitlog__author, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_gitlog__refusals, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_gitlog__owned_by_another_user, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_gitlog__concurrent_recorders, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_gitlog__load_inventory_from_commit_tree, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_gitlog__load_inventory_diagnostics_name_rev, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_gitlog__merge_base, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_gitlog__log_json_is_valid_on_odd_messages, setup,
		    teardown),
	};

	int rc;

	/* A private HOME, set once: libgit2 reads it when first initialised,
	 * and no user configuration must leak into the tests. */
	snprintf(home, sizeof(home), "/tmp/projsync-test-gitlog-home.XXXXXX");
	if (!mkdtemp(home))
		return 1;
	setenv("HOME", home, 1);
	setenv("XDG_CONFIG_HOME", home, 1);
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	sh("rm -rf '%s'", home);
	return rc;
}
