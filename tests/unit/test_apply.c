/*
 * Unit tests for apply: request bodies, the result document, and the
 * executor against an in-process emulator (its library, over real HTTP on
 * loopback) — dropped creates are adopted, never duplicated; archives
 * need permission; a stop before the start sends nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "apply/apply.h"
#include "emulator/emulator.h"

struct fixture {
	struct emu *emu;
	struct emu_server *srv;
	struct api_client *api;
	char *endpoint;
};

static void
start(struct fixture *f, double drop_create, uint64_t seed)
{
	struct emu_config cfg;
	struct emu_server_options so = { 0 };
	struct api_options ao = { 0 };
	unsigned port = 0;

	memset(f, 0, sizeof(*f));
	emu_config_init(&cfg);
	cfg.fault_drop_create = drop_create;
	cfg.seed = seed;
	cfg.clock = 1790000000;	/* one created_at for all: ties by id */
	assert_int_equal(emu_new(&f->emu, &cfg), 0);
	emu_config_release(&cfg);
	so.threads = 2;
	assert_int_equal(emu_server_start(&f->srv, f->emu, &so, &port), 0);
	f->endpoint = xasprintf("http://127.0.0.1:%u/v1", port);
	setenv("PROJSYNC_API_KEY", "test-key", 1);
	ao.endpoint = f->endpoint;
	ao.retry_scale = 0.01;
	assert_int_equal(api_client_new(&f->api, &ao), 0);
}

static void
stop(struct fixture *f)
{
	api_client_free(f->api);
	emu_server_stop(f->srv);
	emu_free(f->emu);
	free(f->endpoint);
}

/* A plan of n creates named A-000..., each with two tags. */
static struct plan *
plan_of_creates(size_t n)
{
	struct plan *p = xcalloc(1, sizeof(*p));
	size_t i;

	p->format_version = PLAN_FORMAT_VERSION;
	p->endpoint = xstrdup("http://127.0.0.1/v1");
	p->changes = xcalloc(n + 1, sizeof(*p->changes));
	p->changes_nr = p->changes_alloc = n;
	for (i = 0; i < n; i++) {
		struct plan_change *c = &p->changes[i];
		c->action = PLAN_CREATE;
		c->name = xasprintf("A-%03zu", i);
		tag_set_put(&c->tags, "Team", "DataScience");
		tag_set_put(&c->tags, "CostCenter", "CC-1001");
	}
	p->summary.create = n;
	p->safety_ok = true;
	return p;
}

static void
test_apply__request_bodies(void **state)
{
	struct plan_change c;
	char *b;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.action = PLAN_CREATE;
	c.name = "X";
	tag_set_put(&c.tags, "Team", "T");
	b = apply_request_body(&c);
	assert_string_equal(b, "{\"name\":\"X\",\"tags\":{\"Team\":\"T\"}}");
	free(b);
	tag_set_release(&c.tags);

	/* modify: never a `tags` field, only add_tags / remove_tag_keys */
	c.action = PLAN_UPDATE;
	c.rename = true;
	tag_set_put(&c.add_tags, "Env", "Prod");
	c.remove_tag_keys = (char *[]){ "Old" };
	c.remove_nr = 1;
	b = apply_request_body(&c);
	assert_string_equal(b, "{\"name\":\"X\",\"add_tags\":{\"Env\":\"Prod\"},"
	    "\"remove_tag_keys\":[\"Old\"]}");
	free(b);
	c.rename = false;
	tag_set_release(&c.add_tags);
	b = apply_request_body(&c);
	assert_string_equal(b, "{\"remove_tag_keys\":[\"Old\"]}");
	free(b);

	c.action = PLAN_ARCHIVE;
	assert_null(apply_request_body(&c));
}

static size_t
count_named(struct api_client *api, const char *name)
{
	struct live_state live = LIVE_STATE_INIT;
	size_t i, n = 0;

	assert_int_equal(api_list_projects(api, &live), 0);
	for (i = 0; i < live.nr; i++)
		n += live.items[i].name && !strcmp(live.items[i].name, name);
	live_state_release(&live);
	return n;
}

static void
test_apply__creates_all_once(void **state)
{
	struct apply_result r = APPLY_RESULT_INIT;
	struct apply_options o = { 0 };
	struct ps_buf b = PS_BUF_INIT;
	struct plan *p = plan_of_creates(40);
	struct fixture f;
	size_t i;

	(void)state;
	start(&f, 0.0, 1);
	o.parallelism = 8;
	o.settle_ms = 20;
	assert_int_equal(apply_run(&r, f.api, p, &o), 0);
	assert_int_equal(r.nr, 40);
	assert_int_equal(r.created, 40);
	assert_int_equal(r.failed + r.skipped, 0);
	for (i = 0; i < r.nr; i++) {
		assert_non_null(r.items[i].project_id);
		assert_memory_equal(r.items[i].project_id, "proj_", 5);
		assert_false(r.items[i].adopted);
	}
	/* one request per create, and one list page for the duplicate check */
	assert_int_equal(r.requests, 41);
	apply_result_summary(&b, &r);
	assert_string_equal(b.ptr, "Apply complete: 40 created, 0 updated, "
	    "0 archived, 0 failed.");
	ps_buf_release(&b);
	apply_result_release(&r);
	plan_free(p);
	stop(&f);
}

static void
test_apply__dropped_creates_adopted_not_duplicated(void **state)
{
	struct apply_result r = APPLY_RESULT_INIT;
	struct apply_options o = { 0 };
	struct plan *p = plan_of_creates(60);
	struct fixture f;
	size_t i, adopted = 0;

	(void)state;
	start(&f, 0.3, 42);
	o.parallelism = 8;
	o.recovery_ms = 10000;
	o.settle_ms = 20;
	assert_int_equal(apply_run(&r, f.api, p, &o), 0);
	assert_int_equal(r.created, 60);
	for (i = 0; i < r.nr; i++)
		adopted += r.items[i].adopted;
	/* the faults happened, or this test proves nothing */
	assert_true(adopted > 0);
	for (i = 0; i < p->changes_nr; i++)
		assert_int_equal(count_named(f.api, p->changes[i].name), 1);
	apply_result_release(&r);
	plan_free(p);
	stop(&f);
}

static void
test_apply__archive_needs_permission_and_stop_sends_nothing(void **state)
{
	struct apply_result r = APPLY_RESULT_INIT;
	struct apply_options o = { 0 };
	struct ps_buf b = PS_BUF_INIT;
	struct plan *p = plan_of_creates(3);
	volatile sig_atomic_t stop_flag = 0;
	struct fixture f;

	(void)state;
	start(&f, 0.0, 3);
	/* turn the last create into an archive of a (made-up) project */
	free(p->changes[2].name);
	tag_set_release(&p->changes[2].tags);
	p->changes[2].action = PLAN_ARCHIVE;
	p->changes[2].name = xstrdup("Old");
	p->changes[2].id = xstrdup("proj_aaaaaaaaaaaaaaaaaaaa");
	assert_int_equal(apply_run(&r, f.api, p, &o), PS_EPARTIAL);
	assert_int_equal(r.created, 2);
	assert_int_equal(r.skipped, 1);
	assert_non_null(strstr(r.items[2].error, "--allow-archive"));
	apply_result_to_json(&b, &r);
	assert_non_null(strstr(b.ptr, "\"outcome\": \"skipped\""));
	ps_buf_release(&b);
	apply_result_release(&r);

	stop_flag = 1;
	o.stop = &stop_flag;
	assert_int_equal(apply_run(&r, f.api, p, &o), PS_ECANCELLED);
	assert_true(r.interrupted);
	assert_int_equal(r.created + r.updated + r.archived, 0);
	assert_int_equal(r.requests, 0);
	apply_result_summary(&b, &r);
	assert_string_equal(b.ptr, "Apply interrupted: 0 created, 0 updated, "
	    "0 archived, 0 failed. 3 not attempted.");
	ps_buf_release(&b);
	apply_result_release(&r);
	plan_free(p);
	stop(&f);
}

/* Sets the stop flag once every call has started. */
static void
stop_when_all_started(const struct api_progress *p, void *payload)
{
	volatile sig_atomic_t *stop = payload;

	if (p->done + p->failed + p->in_flight == p->total && p->done >= 1)
		*stop = 1;
}

/* Ctrl-C while the last requests are in flight: they finish, nothing is
 * left, so the apply is complete, not "interrupted" (exit 0, not 5). */
static void
test_apply__stop_after_everything_started_is_not_an_interruption(void **state)
{
	struct apply_result r = APPLY_RESULT_INIT;
	struct apply_options o = { 0 };
	struct plan *p = plan_of_creates(3);
	volatile sig_atomic_t stop_flag = 0;
	struct fixture f;

	(void)state;
	start(&f, 0.0, 5);
	o.parallelism = 8;
	o.stop = &stop_flag;
	o.progress = stop_when_all_started;
	o.payload = (void *)&stop_flag;
	assert_int_equal(apply_run(&r, f.api, p, &o), 0);
	assert_int_equal(stop_flag, 1);		/* it was pressed */
	assert_false(r.interrupted);
	assert_int_equal(r.created, 3);
	apply_result_release(&r);
	plan_free(p);
	stop(&f);
}

/* Exit 5 says some changes were made: only when something was done, or
 * adopted, or may have been (unknown outcome). */
static void
test_apply__changed_means_done_adopted_or_unknown(void **state)
{
	struct plan *p = plan_of_creates(2);
	struct apply_item items[2];
	struct apply_result r = APPLY_RESULT_INIT;

	(void)state;
	memset(items, 0, sizeof(items));
	items[0].change = &p->changes[0];
	items[1].change = &p->changes[1];
	items[0].outcome = items[1].outcome = APPLY_FAILED;
	r.items = items;
	r.nr = 2;
	r.failed = 2;
	assert_false(apply_result_changed(&r));	/* 403 on both: exit 1 */
	items[1].unknown = true;
	assert_true(apply_result_changed(&r));
	items[1].unknown = false;
	items[1].adopted = true;	/* created, tags not set */
	assert_true(apply_result_changed(&r));
	items[1].adopted = false;
	items[1].outcome = APPLY_DONE;
	r.failed = 1;
	r.created = 1;
	assert_true(apply_result_changed(&r));
	plan_free(p);
}

static void
test_apply__result_reports_cost_allocation_tags(void **state)
{
	struct apply_result r = APPLY_RESULT_INIT;
	struct ps_buf b = PS_BUF_INIT;

	(void)state;
	/* without tags the document has no cost_allocation_tags */
	apply_result_to_json(&b, &r);
	assert_null(strstr(b.ptr, "cost_allocation_tags"));
	ps_buf_reset(&b);
	apply_result_tag(&r, "Team", false, NULL);
	apply_result_tag(&r, "Env", true, NULL);
	apply_result_tag(&r, "Owner\x1b[2J", false, "TagKeysNotFound: not seen");
	apply_result_to_json(&b, &r);
	assert_non_null(strstr(b.ptr, "\"cost_allocation_tags\": {\n    "
	    "\"activated\": [\n      \"Team\"\n    ],\n    \"skipped\": [\n"
	    "      \"Env\"\n    ],"));
	assert_non_null(strstr(b.ptr, "\"error\": \"TagKeysNotFound: not "
	    "seen\""));
	ps_buf_reset(&b);
	apply_result_render_text(&b, &r, false, true);
	assert_non_null(strstr(b.ptr, "activated cost allocation tag \"Team\"\n"));
	assert_non_null(strstr(b.ptr, "skipped cost allocation tag \"Env\": "
	    "activated since the plan\n"));
	assert_non_null(strstr(b.ptr, "failed  cost allocation tag "
	    "\"Owner\\x1b[2J\": TagKeysNotFound"));
	assert_null(strchr(b.ptr, '\x1b'));
	assert_non_null(strstr(b.ptr, "0 failed. 1 cost allocation tag "
	    "activated, 1 activated since the plan, 1 not activated.\n"));
	ps_buf_release(&b);
	apply_result_release(&r);
}

/*
 * Racing applies: another run made some of the same names first (the same
 * created_at second: a fixed clock), so the oldest, then the smallest id,
 * survives.  This run archives only its own losers, names the survivor and
 * leaves the other run's projects alone.
 */
static void
test_apply__duplicates_converge_on_the_survivor(void **state)
{
	struct apply_result r = APPLY_RESULT_INIT;
	struct apply_options o = { 0 };
	struct plan *p = plan_of_creates(20);
	struct live_state live = LIVE_STATE_INIT;
	struct api_call pre[10];
	struct ps_buf b = PS_BUF_INIT;
	struct fixture f;
	size_t i, j, archived = 0;

	(void)state;
	start(&f, 0.0, 9);
	/* "another apply" creates the first 10 names */
	memset(pre, 0, sizeof(pre));
	for (i = 0; i < 10; i++) {
		pre[i].op = API_OP_CREATE;
		pre[i].body = apply_request_body(&p->changes[i]);
	}
	assert_int_equal(api_run_calls(f.api, pre, 10, 4, NULL), 0);
	o.settle_ms = 20;
	assert_int_equal(apply_run(&r, f.api, p, &o), 0);
	assert_int_equal(r.created, 20);
	assert_int_equal(api_list_projects(f.api, &live), 0);
	for (i = 0; i < 10; i++) {
		const char *other = pre[i].result.id, *kept = r.items[i].project_id;

		/* the survivor is the smaller id (same created_at) */
		if (r.items[i].archived_duplicate) {
			archived++;
			assert_string_equal(kept, other);
			assert_true(strcmp(r.items[i].archived_duplicate, other) > 0);
		} else {
			assert_true(strcmp(kept, other) < 0);	/* ours won */
		}
		/* the other run's project is never archived by us */
		for (j = 0; j < live.nr; j++)
			if (!strcmp(live.items[j].id, other))
				assert_false(live.items[j].archived);
	}
	assert_true(archived > 0 && archived < 10);	/* both cases seen */
	assert_int_equal(r.duplicates_archived, archived);
	for (i = 10; i < 20; i++)
		assert_null(r.items[i].archived_duplicate);
	apply_result_to_json(&b, &r);
	assert_non_null(strstr(b.ptr, "\"archived_duplicate\": \"proj_"));
	ps_buf_release(&b);
	for (i = 0; i < 10; i++) {
		free((char *)pre[i].body);
		api_call_release(&pre[i]);
	}
	live_state_release(&live);
	apply_result_release(&r);
	plan_free(p);
	stop(&f);
}

/* The decisions before any change, reached without a server. */
static void
test_apply__checks_refuse_without_a_server(void **state)
{
	struct plan *p = plan_of_creates(3);
	struct live_state now = LIVE_STATE_INIT;
	struct ps_buf why = PS_BUF_INIT;
	bool done[3];

	(void)state;
	assert_int_equal(apply_check_saved_plan(p, "http://127.0.0.1/v1",
	    &now, &why, done), 0);
	assert_false(done[0] || done[1] || done[2]);
	assert_int_equal(apply_check_saved_plan(p, "https://other.example/v1",
	    &now, &why, done), PS_EREFUSED);
	assert_non_null(strstr(ps_error_last(), "made for 'http://127.0.0.1/v1'"));

	assert_int_equal(apply_check_safety(p, false, false, &why), 0);
	p->changes[2].action = PLAN_ARCHIVE;
	assert_int_equal(apply_check_safety(p, false, false, &why), PS_EREFUSED);
	assert_non_null(strstr(ps_error_last(), "--allow-archive"));
	assert_int_equal(apply_check_safety(p, false, true, &why), 0);
	p->safety_ok = false;
	p->violations = xcalloc(1, sizeof(*p->violations));
	p->violations_nr = 1;
	p->violations[0].message = xstrdup("too many changes");
	p->violations[0].overridable = true;
	assert_int_equal(apply_check_safety(p, false, true, &why), PS_EREFUSED);
	assert_non_null(strstr(why.ptr, "too many changes"));
	assert_non_null(strstr(ps_error_last(), "--force"));
	assert_int_equal(apply_check_safety(p, true, true, &why), 0);
	ps_buf_release(&why);
	plan_free(p);
}

struct seen {
	size_t calls, total_min, total_max, last_done;
	bool done_went_back;
};

static void
record_progress(const struct api_progress *p, void *payload)
{
	struct seen *s = payload;

	if (s->calls++ == 0 || p->total < s->total_min)
		s->total_min = p->total;
	if (p->total > s->total_max)
		s->total_max = p->total;
	if (p->done < s->last_done)
		s->done_went_back = true;
	s->last_done = p->done;
}

/* The progress line counts the whole apply: a recovery round after
 * dropped creates does not start again from 0/N. */
static void
test_apply__progress_spans_recovery_rounds(void **state)
{
	struct apply_result r = APPLY_RESULT_INIT;
	struct apply_options o = { 0 };
	struct plan *p = plan_of_creates(60);
	struct seen seen = { 0 };
	struct fixture f;
	size_t i, adopted = 0;

	(void)state;
	start(&f, 0.3, 42);
	o.parallelism = 8;
	o.recovery_ms = 10000;
	o.settle_ms = 20;
	o.progress = record_progress;
	o.payload = &seen;
	assert_int_equal(apply_run(&r, f.api, p, &o), 0);
	for (i = 0; i < r.nr; i++)
		adopted += r.items[i].adopted;
	assert_true(adopted > 0);	/* there was a recovery round */
	assert_int_equal(seen.total_min, 60);
	assert_int_equal(seen.total_max, 60);
	assert_false(seen.done_went_back);
	assert_int_equal(seen.last_done, 60);
	apply_result_release(&r);
	plan_free(p);
	stop(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_apply__request_bodies),
		cmocka_unit_test(test_apply__creates_all_once),
		cmocka_unit_test(test_apply__dropped_creates_adopted_not_duplicated),
		cmocka_unit_test(test_apply__archive_needs_permission_and_stop_sends_nothing),
		cmocka_unit_test(test_apply__stop_after_everything_started_is_not_an_interruption),
		cmocka_unit_test(test_apply__changed_means_done_adopted_or_unknown),
		cmocka_unit_test(test_apply__result_reports_cost_allocation_tags),
		cmocka_unit_test(test_apply__progress_spans_recovery_rounds),
		cmocka_unit_test(test_apply__duplicates_converge_on_the_survivor),
		cmocka_unit_test(test_apply__checks_refuse_without_a_server),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
