/*
 * Golden files for the plan renderers: every tests/fixtures/plan/<case>/
 * holds projects.yaml and live.json (a list page) and the expected output
 * of plan_render_text (expect.txt, what `projsync plan` prints without
 * colour), plan_render_markdown (expect.md) and plan_to_json (expect.json),
 * or expect.err when the diff must refuse.  UPDATE_GOLDEN=1 rewrites them.
 * Run from the source directory (ctest does).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "inventory/inventory.h"
#include "live/live.h"
#include "plan/plan.h"

#include "fixtures.h"

#define FIXTURES "tests/fixtures/plan"
#define ENDPOINT "https://bedrock-mantle.us-east-1.api.aws/v1"

static bool
updating(void)
{
	const char *u = getenv("UPDATE_GOLDEN");

	return u && strcmp(u, "1") == 0;
}

static bool
exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* Compare with the golden file (or rewrite it), naming the first
 * differing line. */
static void
golden(const char *dir, const char *file, const struct ps_buf *actual)
{
	char *path = xasprintf("%s/%s", dir, file);
	struct ps_buf want = PS_BUF_INIT;
	const char *a, *w, *al, *wl;
	unsigned line = 1;

	if (updating()) {
		assert_int_equal(ps_write_file_atomic(path, actual->ptr,
		    actual->len, 0644), 0);
		free(path);
		return;
	}
	if (ps_read_file(&want, path, 0) < 0)
		fail_msg("%s: %s (UPDATE_GOLDEN=1 creates it)", path,
		    ps_error_last());
	al = ps_buf_cstr(actual);
	wl = ps_buf_cstr(&want);
	a = ps_buf_cstr(actual);
	w = ps_buf_cstr(&want);
	while (*a && *a == *w) {
		if (*a == '\n') {
			line++;
			al = a + 1;
			wl = w + 1;
		}
		a++, w++;
	}
	if (*a || *w)
		fail_msg("%s differs at line %u (UPDATE_GOLDEN=1 rewrites):\n"
		    "  want: %.*s\n  got:  %.*s", path, line,
		    (int)strcspn(wl, "\n"), wl, (int)strcspn(al, "\n"), al);
	ps_buf_release(&want);
	free(path);
}

static void
run_case(void **state)
{
	const char *dir = *state;
	char *yaml = xasprintf("%s/projects.yaml", dir);
	char *livep = xasprintf("%s/live.json", dir);
	char *errp = xasprintf("%s/expect.err", dir);
	struct plan_options opts = { ENDPOINT, NULL };
	struct plan_md_target t = { "infra/projects.yaml", NULL,
		"0123456789abcdef0123456789abcdef01234567", "us-east-1",
		"123456789012", NULL, 0 };
	struct diag_list dl = DIAG_LIST_INIT;
	struct live_state live = LIVE_STATE_INIT;
	struct ps_buf body = PS_BUF_INIT, out = PS_BUF_INIT;
	struct inventory *inv = NULL;
	struct plan *p = NULL, *back = NULL;
	char *after = NULL;
	bool more;
	int err;

	if (inventory_load_file(&inv, yaml, &dl) < 0) {
		struct ps_buf d = PS_BUF_INIT;

		if (dl.nr)
			diag_format(&d, &dl.items[0]);
		fail_msg("%s does not load: %s", yaml,
		    d.len ? d.ptr : ps_error_last());
	}
	assert_int_equal(ps_read_file(&body, livep, 0), 0);
	assert_int_equal(live_parse_list_page(&live, &more, &after, body.ptr,
	    body.len, livep), 0);
	assert_false(more);

	err = plan_diff(&p, inv, &live, &opts);
	if (exists(errp)) {
		assert_int_not_equal(err, 0);
		assert_null(p);
		ps_buf_addf(&out, "%s\n", ps_error_last());
		golden(dir, "expect.err", &out);
		goto out;
	}
	if (err < 0)
		fail_msg("%s: plan_diff: %s", dir, ps_error_last());

	plan_render_text(&out, p, 0);
	golden(dir, "expect.txt", &out);
	ps_buf_reset(&out);
	t.keys = inv->taxonomy.required;
	t.keys_nr = inv->taxonomy.required_nr;
	plan_render_markdown(&out, p, &t);
	assert_true(out.len < PLAN_MARKDOWN_MAX);
	golden(dir, "expect.md", &out);
	ps_buf_reset(&out);
	plan_to_json(&out, p);
	golden(dir, "expect.json", &out);

	/* the plan file reads back to the same bytes */
	assert_int_equal(plan_from_json(&back, "expect.json", out.ptr,
	    out.len), 0);
	ps_buf_reset(&body);
	plan_to_json(&body, back);
	assert_string_equal(body.ptr, out.ptr);
out:
	plan_free(back);
	plan_free(p);
	inventory_free(inv);
	live_state_release(&live);
	diag_list_release(&dl);
	ps_buf_release(&body);
	ps_buf_release(&out);
	free(after);
	free(yaml);
	free(livep);
	free(errp);
}

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
main(void)
{
	struct CMUnitTest *tests = NULL;
	char **dirs = NULL, **names = NULL;
	size_t nr = 0, alloc = 0, i;
	struct dirent *de;
	DIR *d;
	int rc;

	fixtures_enter();
	if (!(d = opendir(FIXTURES))) {
		fprintf(stderr, "cannot open %s\n",
		    FIXTURES);
		return 1;
	}
	while ((de = readdir(d))) {
		char *dir;

		if (de->d_name[0] == '.')
			continue;
		dir = xasprintf("%s/%s", FIXTURES, de->d_name);
		xgrow(&dirs, &alloc, nr + 1, sizeof(*dirs));
		dirs[nr++] = dir;
	}
	closedir(d);
	if (nr == 0) {
		fprintf(stderr, "no fixtures in %s\n", FIXTURES);
		return 1;
	}
	qsort(dirs, nr, sizeof(*dirs), cmp_name);
	tests = xcalloc(nr, sizeof(*tests));
	names = xcalloc(nr, sizeof(*names));
	for (i = 0; i < nr; i++) {
		names[i] = xasprintf("test_plan_golden__%s",
		    strrchr(dirs[i], '/') + 1);
		tests[i].name = names[i];
		tests[i].test_func = run_case;
		tests[i].initial_state = dirs[i];
	}
	rc = _cmocka_run_group_tests("plan_golden", tests, nr, NULL, NULL);
	for (i = 0; i < nr; i++) {
		free(dirs[i]);
		free(names[i]);
	}
	free(dirs);
	free(names);
	free(tests);
	return rc;
}
