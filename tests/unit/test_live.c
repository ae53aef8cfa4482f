/* Unit tests for the live codec: Project objects, list pages, errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "live/live.h"

static int
parse(struct live_project *p, const char *json)
{
	return live_parse_project(p, json, strlen(json), "GET /x");
}

static void
test_live__project_full_and_lenient(void **state)
{
	struct live_project p;

	(void)state;
	assert_int_equal(parse(&p, "{\"arn\":\"arn:aws:bedrock-mantle:us-east-1:"
	    "1:project/proj_a\",\"created_at\":1772135628,\"id\":\"proj_a\","
	    "\"name\":\"Project ABC\",\"object\":\"organization.project\","
	    "\"status\":\"active\",\"tags\":{\"Owner\":\"A\",\"CostCenter\":"
	    "\"21524\"},\"data_retention\":{\"mode\":\"inherit\"}}"), 0);
	assert_string_equal(p.id, "proj_a");
	assert_string_equal(p.name, "Project ABC");
	assert_non_null(strstr(p.arn, "project/proj_a"));
	assert_false(p.archived);
	assert_int_equal(p.created_at, 1772135628);
	assert_int_equal(p.tags.nr, 2);
	assert_string_equal(p.tags.items[0].key, "CostCenter");	/* sorted */
	live_project_release(&p);

	/* only the id; nulls everywhere else; unknown fields ignored */
	assert_int_equal(parse(&p, "{\"id\":\"proj_b\",\"name\":null,\"arn\":null,"
	    "\"status\":null,\"tags\":null,\"created_at\":null,\"archived_at\":"
	    "null,\"residency\":\"US\",\"x\":{\"deep\":[1,{\"y\":null}]}}"), 0);
	assert_string_equal(p.id, "proj_b");
	assert_null(p.name);
	assert_null(p.arn);
	assert_false(p.archived);
	assert_int_equal(p.tags.nr, 0);
	live_project_release(&p);

	/* archived_at alone means archived; status wins when present */
	assert_int_equal(parse(&p, "{\"id\":\"proj_c\",\"archived_at\":5}"), 0);
	assert_true(p.archived);
	live_project_release(&p);
	assert_int_equal(parse(&p, "{\"id\":\"proj_c\",\"status\":\"archived\"}"), 0);
	assert_true(p.archived);
	live_project_release(&p);
	assert_int_equal(parse(&p, "{\"id\":\"proj_c\",\"status\":\"active\","
	    "\"archived_at\":null}"), 0);
	assert_false(p.archived);
	live_project_release(&p);
	/* an empty tag value is a value */
	assert_int_equal(parse(&p, "{\"id\":\"proj_d\",\"tags\":{\"k\":\"\"}}"), 0);
	assert_string_equal(tag_set_get(&p.tags, "k"), "");
	live_project_release(&p);
}

static void
test_live__project_wrong_types_are_errors(void **state)
{
	static const struct {
		const char *json;
		const char *expect;
	} cases[] = {
		{ "{}", "'id'" },
		{ "{\"id\":\"\"}", "'id'" },
		{ "{\"id\":12}", "'id'" },
		{ "{\"id\":\"p\",\"name\":1}", "'name'" },
		{ "{\"id\":\"p\",\"arn\":[]}", "'arn'" },
		{ "{\"id\":\"p\",\"status\":true}", "'status'" },
		{ "{\"id\":\"p\",\"created_at\":\"yesterday\"}", "timestamp" },
		{ "{\"id\":\"p\",\"created_at\":1e300}", "timestamp" },
		{ "{\"id\":\"p\",\"archived_at\":-1e309}", "timestamp" },
		{ "{\"id\":\"p\",\"tags\":[{\"key\":\"a\",\"value\":\"b\"}]}", "'tags'" },
		{ "{\"id\":\"p\",\"tags\":{\"a\":\"b\",\"k\":null}}", "tag 'k'" },
		{ "[]", "not a JSON object" },
		{ "\"proj\"", "not a JSON object" },
		{ "{\"id\":\"p\"", "not valid JSON" },
		{ "{\"id\":\"p\"} trailing", "not valid JSON" },
		{ "", "empty body" },
	};
	struct live_project p;
	size_t i;

	(void)state;
	for (i = 0; i < PS_ARRAY_SIZE(cases); i++) {
		assert_int_equal(parse(&p, cases[i].json), PS_EHTTP);
		if (!strstr(ps_error_last(), cases[i].expect) ||
		    strncmp(ps_error_last(), "GET /x: ", 8) != 0)
			fail_msg("case %zu: '%s'", i, ps_error_last());
		assert_null(p.id);
		assert_int_equal(p.tags.nr, 0);
	}
}

static int
page(struct live_state *st, bool *more, char **after, const char *json)
{
	return live_parse_list_page(st, more, after, json, strlen(json),
	    "GET /list");
}

static void
test_live__list_page_cursor(void **state)
{
	struct live_state st = LIVE_STATE_INIT;
	bool more;
	char *after;

	(void)state;
	/* the cursor is the last element, whatever last_id says */
	assert_int_equal(page(&st, &more, &after, "{\"object\":\"list\","
	    "\"data\":[{\"id\":\"default\"},{\"id\":\"proj_1\"}],\"first_id\":"
	    "\"proj-abc\",\"last_id\":\"proj_zzz\",\"has_more\":true}"), 0);
	assert_true(more);
	assert_string_equal(after, "proj_1");
	assert_int_equal(st.nr, 2);
	free(after);
	/* an empty page that still has more: fall back to last_id */
	assert_int_equal(page(&st, &more, &after, "{\"data\":[],\"last_id\":"
	    "\"proj_1\",\"has_more\":true}"), 0);
	assert_string_equal(after, "proj_1");
	free(after);
	/* has_more missing or null: the end */
	assert_int_equal(page(&st, &more, &after, "{\"data\":[{\"id\":\"proj_2\"}]}"), 0);
	assert_false(more);
	assert_null(after);
	assert_int_equal(page(&st, &more, &after, "{\"data\":[],\"has_more\":null,"
	    "\"first_id\":null,\"last_id\":null}"), 0);
	assert_false(more);
	assert_int_equal(st.nr, 3);
	assert_non_null(live_state_find(&st, "proj_2"));
	assert_null(live_state_find(&st, "proj_9"));
	live_state_release(&st);
	assert_int_equal(st.nr, 0);
}

static void
test_live__list_page_errors(void **state)
{
	static const struct {
		const char *json;
		const char *expect;
	} cases[] = {
		{ "{\"data\":[],\"has_more\":true}", "no cursor" },
		{ "{\"data\":[],\"has_more\":true,\"last_id\":\"\"}", "no cursor" },
		{ "{\"data\":[],\"has_more\":1}", "'has_more'" },
		{ "{\"data\":null}", "'data'" },
		{ "{\"object\":\"list\"}", "'data'" },
		{ "[]", "list object" },
		{ "{\"data\":[{\"id\":\"a\"},{\"name\":\"no id\"}]}", "'id'" },
		{ "<!DOCTYPE html><html>", "not valid JSON" },
		{ "{\"data\":[{\"id\":\"a\"}", "not valid JSON" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < PS_ARRAY_SIZE(cases); i++) {
		struct live_state st = LIVE_STATE_INIT;
		bool more = true;
		char *after = (char *)"x";

		assert_int_equal(page(&st, &more, &after, cases[i].json), PS_EHTTP);
		if (!strstr(ps_error_last(), cases[i].expect) ||
		    !strstr(ps_error_last(), "GET /list: malformed response"))
			fail_msg("case %zu: '%s'", i, ps_error_last());
		assert_null(after);
		live_state_release(&st);
	}
}

static void
test_live__deep_nesting_is_an_error_not_a_crash(void **state)
{
	struct live_state st = LIVE_STATE_INIT;
	size_t n = 100000, i;
	char *deep = malloc(2 * n + 32), *p = deep;
	bool more;
	char *after;

	(void)state;
	p += sprintf(p, "{\"data\":");
	for (i = 0; i < n; i++)
		*p++ = '[';
	for (i = 0; i < n; i++)
		*p++ = ']';
	*p++ = '}';
	assert_int_equal(live_parse_list_page(&st, &more, &after, deep,
	    (size_t)(p - deep), "GET /list"), PS_EHTTP);
	free(deep);
	live_state_release(&st);
}

static void
test_live__error_message(void **state)
{
	static const char e[] = "{\"error\":{\"message\":\"Project arn:x not "
	    "found\",\"type\":\"not_found_error\",\"param\":null,\"code\":null}}";
	char *m;

	(void)state;
	m = live_parse_error_message(e, strlen(e));
	assert_string_equal(m, "Project arn:x not found");
	free(m);
	assert_null(live_parse_error_message("{\"type\":\"server_error\"}", 23));
	assert_null(live_parse_error_message("{\"error\":{\"message\":5}}", 23));
	assert_null(live_parse_error_message("<html>", 6));
	assert_null(live_parse_error_message(NULL, 0));
	assert_null(live_parse_error_message("{\"error\":\"x\"}", 13));
}

static void
test_live__fingerprint_and_round_trip(void **state)
{
	struct live_project a, b, c;
	char fa[65], fb[65], fc[65];
	cJSON *j;
	char *s;

	(void)state;
	assert_int_equal(parse(&a, "{\"id\":\"proj_a\",\"name\":\"A\",\"created_at\":1,"
	    "\"arn\":\"arn:1\",\"tags\":{\"T\":\"x\",\"K\":\"\"}}"), 0);
	j = live_project_to_json(&a);
	s = cJSON_PrintUnformatted(j);
	assert_int_equal(parse(&b, s), 0);
	assert_string_equal(b.id, a.id);
	assert_string_equal(b.name, a.name);
	assert_string_equal(b.arn, a.arn);
	assert_true(tag_set_equal(&a.tags, &b.tags));
	live_project_fingerprint(fa, &a);
	live_project_fingerprint(fb, &b);
	assert_string_equal(fa, fb);
	assert_int_equal(strlen(fa), 64);
	/* created_at and the ARN are not part of it; tags, name, status are */
	b.created_at = 99;
	free(b.arn);
	b.arn = NULL;
	live_project_fingerprint(fb, &b);
	assert_string_equal(fa, fb);
	live_project_copy(&c, &a);
	tag_set_put(&c.tags, "T", "y");
	live_project_fingerprint(fc, &c);
	assert_string_not_equal(fa, fc);
	live_project_release(&c);
	live_project_copy(&c, &a);
	c.archived = true;
	live_project_fingerprint(fc, &c);
	assert_string_not_equal(fa, fc);
	live_project_release(&c);
	live_project_copy(&c, &a);
	free(c.name);
	c.name = NULL;		/* a null name differs from "" and from "A" */
	live_project_fingerprint(fc, &c);
	assert_string_not_equal(fa, fc);
	c.name = xstrdup("");
	live_project_fingerprint(fb, &c);
	assert_string_not_equal(fb, fc);
	live_project_release(&c);
	free(s);
	cJSON_Delete(j);
	live_project_release(&a);
	live_project_release(&b);
}

static void
test_live__arn_split(void **state)
{
	char *r, *a;

	(void)state;
	assert_true(live_arn_split("arn:aws:bedrock-mantle:ap-northeast-1:"
	    "673693429514:project/proj_5d5ykleja6cwpirysbb7", &r, &a));
	assert_string_equal(r, "ap-northeast-1");
	assert_string_equal(a, "673693429514");
	free(r);
	free(a);
	assert_false(live_arn_split("arn:aws:bedrock-mantle::1:project/x",
	    &r, &a));
	assert_null(r);
	assert_false(live_arn_split("arn:aws:s3:us-east-1:12a:x", &r, &a));
	assert_false(live_arn_split("arn:aws:s3:us-east-1:123", &r, &a));
	assert_false(live_arn_split("urn:aws:s3:us-east-1:123:x", &r, &a));
	assert_false(live_arn_split(NULL, &r, &a));
	assert_null(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_live__project_full_and_lenient),
		cmocka_unit_test(test_live__project_wrong_types_are_errors),
		cmocka_unit_test(test_live__list_page_cursor),
		cmocka_unit_test(test_live__list_page_errors),
		cmocka_unit_test(test_live__deep_nesting_is_an_error_not_a_crash),
		cmocka_unit_test(test_live__error_message),
		cmocka_unit_test(test_live__fingerprint_and_round_trip),
		cmocka_unit_test(test_live__arn_split),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
