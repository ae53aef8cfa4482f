/* Unit tests for util: buffers, tag sets, SHA-256, UTF-8, diagnostics. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "util/util.h"

static void
test_util__buf_grows_and_formats(void **state)
{
	struct ps_buf b = PS_BUF_INIT;
	int i;

	(void)state;
	assert_string_equal(ps_buf_cstr(&b), "");
	for (i = 0; i < 1000; i++)
		ps_buf_addf(&b, "%d,", i);
	assert_int_equal(b.len, strlen(b.ptr));
	assert_memory_equal(b.ptr, "0,1,2,", 6);
	ps_buf_release(&b);
	assert_null(b.ptr);

	/* quoted: nothing from the API can reach a terminal raw */
	ps_buf_add_quoted(&b, "a\"b\\c\nd\te\x1b[31m\x7f");
	assert_string_equal(b.ptr, "\"a\\\"b\\\\c\\nd\\te\\x1b[31m\\x7f\"");
	ps_buf_release(&b);
}

/* RFC 4231 test cases 2 and 6 (a key longer than a block). */
static void
test_util__hmac_sha256_rfc4231(void **state)
{
	unsigned char md[32], key[131];
	char hex[65];
	const char *d6 = "Test Using Larger Than Block-Size Key - Hash Key First";

	(void)state;
	hmac_sha256(md, "Jefe", 4, "what do ya want for nothing?", 28);
	ps_hex(hex, md, 32);
	assert_string_equal(hex,
	    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	memset(key, 0xaa, sizeof(key));
	hmac_sha256(md, key, sizeof(key), d6, strlen(d6));
	ps_hex(hex, md, 32);
	assert_string_equal(hex,
	    "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

static void
test_util__sha256_known_vectors(void **state)
{
	char hex[65];

	(void)state;
	sha256_hex(hex, "", 0);
	assert_string_equal(hex,
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sha256_hex(hex, "abc", 3);
	assert_string_equal(hex,
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	sha256_hex(hex, "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56);
	assert_string_equal(hex,
	    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void
test_util__tag_set_sorted(void **state)
{
	struct tag_set a = TAG_SET_INIT, b = TAG_SET_INIT;

	(void)state;
	tag_set_put(&a, "Team", "X");
	tag_set_put(&a, "Application", "Y");
	tag_set_put(&a, "CostCenter", "CC-1");
	tag_set_put(&a, "Team", "Z");
	assert_int_equal(a.nr, 3);
	assert_string_equal(a.items[0].key, "Application");
	assert_string_equal(a.items[2].key, "Team");
	assert_string_equal(tag_set_get(&a, "Team"), "Z");
	assert_null(tag_set_get(&a, "Owner"));
	tag_set_copy(&b, &a);
	assert_true(tag_set_equal(&a, &b));
	assert_true(tag_set_remove(&b, "CostCenter"));
	assert_false(tag_set_remove(&b, "CostCenter"));
	assert_false(tag_set_equal(&a, &b));
	tag_set_release(&a);
	tag_set_release(&b);
}

static void
test_util__utf8_counts_code_points(void **state)
{
	(void)state;
	assert_int_equal(ps_utf8_len("abc", 3), 3);
	assert_int_equal(ps_utf8_len("\xc3\xa9t\xc3\xa9", 5), 3);
	assert_int_equal(ps_utf8_len("\xf0\x9f\x98\x80", 4), 1);
	assert_int_equal(ps_utf8_len("\xc3", 1), -1);		/* truncated */
	assert_int_equal(ps_utf8_len("\xc0\xaf", 2), -1);	/* overlong */
	assert_int_equal(ps_utf8_len("\xed\xa0\x80", 3), -1);	/* surrogate */
	assert_int_equal(ps_utf8_len("a\0b", 3), -1);		/* NUL */
	{
		uint32_t cp = 0;
		size_t i = 1;

		assert_true(ps_utf8_next(&cp, "a\xe6\x97\xa5", 4, &i));
		assert_int_equal(cp, 0x65e5);
		assert_int_equal(i, 4);
		i = 0;	/* a truncated sequence leaves the index alone */
		assert_false(ps_utf8_next(&cp, "\xe6\x97", 2, &i));
		assert_int_equal(i, 0);
	}
}

static void
test_util__header_value_safe(void **state)
{
	(void)state;
	assert_true(ps_header_value_safe(""));
	assert_true(ps_header_value_safe("AKIA/abc+def= \xc3\xbc~"));
	assert_false(ps_header_value_safe("key\r\nX-Injected: 1"));
	assert_false(ps_header_value_safe("tab\there"));
	assert_false(ps_header_value_safe("del\x7f"));
}

static void
test_util__printable_escapes(void **state)
{
	static const struct {
		const char *in;
		size_t max;
		const char *out;
	} cases[] = {
		{ "plain", 0, "plain" },
		{ "a\nb\tc", 0, "a\\nb\\tc" },
		{ "esc\x1b[31m\x7f", 0, "esc\\x1b[31m\\x7f" },
		{ "c1 \xc2\x9b\xc2\x80\xc2\x9f!", 0, "c1 \\u009b\\u0080\\u009f!" },
		{ "nbsp\xc2\xa0", 0, "nbsp\xc2\xa0" },	/* U+00A0 is text */
		{ "bad \xff\xc2", 0, "bad \\xff\\xc2" },	/* not UTF-8 */
		{ "cr\r", 0, "cr\\r" },
		{ "caf\xc3\xa9", 0, "caf\xc3\xa9" },
		{ "abcdef", 3, "abc..." },
		{ "\xc3\xa9\xc3\xa9", 1, "\xc3\xa9..." },	/* never mid-character */
	};
	size_t i;

	(void)state;
	for (i = 0; i < PS_ARRAY_SIZE(cases); i++) {
		char *s = ps_printable(cases[i].in, cases[i].max);
		assert_string_equal(s, cases[i].out);
		free(s);
	}
	/* quoted: the same escapes, plus \" and \\ */
	{
		struct ps_buf b = PS_BUF_INIT;
		ps_buf_add_quoted(&b, "a\"b\\c\xc2\x9b");
		assert_string_equal(b.ptr, "\"a\\\"b\\\\c\\u009b\"");
		ps_buf_release(&b);
	}
}

static void
test_util__json_strings(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "plain", "\"plain\"" },
		{ "q\"b\\", "\"q\\\"b\\\\\"" },
		{ "\t\n\r\x01\x7f", "\"\\t\\n\\r\\u0001\\u007f\"" },
		/* C1 controls too: U+009B is a CSI on many terminals */
		{ "\xc2\x9b\xc2\x80\xc2\xa0", "\"\\u009b\\u0080\xc2\xa0\"" },
		{ "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
		    "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"" },
		/* invalid: stray continuation, overlong, surrogate, cut */
		{ "\x80", "\"\\ufffd\"" },
		{ "\xc0\xaf", "\"\\ufffd\\ufffd\"" },
		{ "\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"" },
		{ "a\xe2\x82", "\"a\\ufffd\\ufffd\"" },
	};
	struct ps_buf b = PS_BUF_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < PS_ARRAY_SIZE(cases); i++) {
		ps_buf_reset(&b);
		ps_json_string(&b, cases[i].in);
		assert_string_equal(b.ptr, cases[i].out);
	}
	ps_buf_release(&b);
}

/* The one JSON style: two-space indent, ": ", numbers as cJSON reads
 * them back. */
static void
test_util__json_render(void **state)
{
	static const char want[] =
	    "{\n"
	    "  \"a\": [\n"
	    "    1,\n"
	    "    0.1,\n"
	    "    33.33,\n"
	    "    true,\n"
	    "    null\n"
	    "  ],\n"
	    "  \"b\": {},\n"
	    "  \"c\": []\n"
	    "}\n";
	struct ps_buf b = PS_BUF_INIT;
	cJSON *root, *a;

	(void)state;
	root = cJSON_CreateObject();
	a = cJSON_AddArrayToObject(root, "a");
	cJSON_AddItemToArray(a, cJSON_CreateNumber(1));
	cJSON_AddItemToArray(a, cJSON_CreateNumber(0.1));
	cJSON_AddItemToArray(a, cJSON_CreateNumber(33.33));
	cJSON_AddItemToArray(a, cJSON_CreateTrue());
	cJSON_AddItemToArray(a, cJSON_CreateNull());
	cJSON_AddObjectToObject(root, "b");
	cJSON_AddArrayToObject(root, "c");
	ps_json_render(&b, root);
	assert_string_equal(b.ptr, want);
	cJSON_Delete(root);
	ps_buf_release(&b);
}

static void
test_util__edit_distance_and_glob(void **state)
{
	(void)state;
	assert_int_equal(ps_edit_distance("Production", "Prodution", 3), 1);
	assert_int_equal(ps_edit_distance("abc", "abc", 3), 0);
	assert_int_equal(ps_edit_distance("a", "abcdefgh", 2), 3);
	assert_true(ps_glob_match("aws:*", "aws:cloudformation:stack"));
	assert_false(ps_glob_match("aws:*", "Team"));
	assert_true(ps_glob_match("*", ""));
	assert_true(ps_glob_match("a*c*e", "abcde"));
	assert_true(ps_valid_date("2024-02-29"));
	assert_false(ps_valid_date("2025-02-29"));
	assert_false(ps_valid_date("2025-13-01"));
	assert_false(ps_valid_date("2025-1-01"));
	assert_false(ps_valid_date("2025-01-011"));
	assert_false(ps_valid_date(NULL));
}

static void
test_util__diags_sort_by_position(void **state)
{
	struct diag_list dl = DIAG_LIST_INIT;
	struct ps_buf b = PS_BUF_INIT;

	(void)state;
	diag_add(&dl, DIAG_ERROR, "r2", "b.yaml", 1, 1, "second file");
	diag_add(&dl, DIAG_WARNING, "r1", "a.yaml", 9, 3, "later");
	diag_add(&dl, DIAG_ERROR, "r0", "a.yaml", 2, 5, "earlier %d", 7);
	diag_list_sort(&dl);
	assert_string_equal(dl.items[0].msg, "earlier 7");
	assert_string_equal(dl.items[2].file, "b.yaml");
	diag_format(&b, &dl.items[0]);
	assert_string_equal(b.ptr, "a.yaml:2:5: error: earlier 7 [r0]");
	assert_int_equal(diag_list_count(&dl, DIAG_ERROR), 2);
	ps_buf_release(&b);
	diag_list_release(&dl);
}

static void
test_util__markdown_escapes_names(void **state)
{
	struct ps_buf b = PS_BUF_INIT;

	(void)state;
	ps_md_text(&b, "a|b*c $x$ <i>", 0);
	assert_string_equal(b.ptr, "a\\|b\\*c \\$x\\$ \\<i\\>");
	ps_buf_reset(&b);
	/* no mention, no issue reference: a zero-width space follows */
	ps_md_text(&b, "@team #12", 0);
	assert_string_equal(b.ptr, "@\xe2\x80\x8b" "team \\#\xe2\x80\x8b" "12");
	ps_buf_reset(&b);
	ps_md_text(&b, "\xc3\xa9t\xc3\xa9s", 2);	/* code points, not bytes */
	assert_string_equal(b.ptr, "\xc3\xa9t\xe2\x80\xa6");
	ps_buf_reset(&b);
	ps_md_code(&b, "CC-1001", 64);
	assert_string_equal(b.ptr, "`CC-1001`");
	ps_buf_reset(&b);
	ps_md_code(&b, "a`b", 64);		/* a backtick cannot be in a span */
	assert_string_equal(b.ptr, "a\\`b");
	ps_buf_reset(&b);
	ps_md_code(&b, "", 64);
	assert_string_equal(b.ptr, "*empty*");
	ps_buf_reset(&b);
	ps_md_bold(&b, "  x ", 64);
	assert_string_equal(b.ptr, "**&nbsp;&nbsp;x&nbsp;**");
	ps_buf_release(&b);
}

/* check_rel(path, cwd, root, want): want NULL = outside root */
static void
check_rel(const char *path, const char *cwd, const char *root,
    const char *want)
{
	char *got = ps_path_relative_to(path, cwd, root);

	if (!want)
		assert_null(got);
	else
		assert_string_equal(got, want);
	free(got);
}

static void
test_util__paths_relative_to_a_root(void **state)
{
	char *n;

	(void)state;
	n = ps_path_normalize("a//b/./c/../d/", NULL);
	assert_string_equal(n, "a/b/d");
	free(n);
	n = ps_path_normalize("../x/..", NULL);
	assert_string_equal(n, "..");
	free(n);
	n = ps_path_normalize("/../a/..", "/ignored");
	assert_string_equal(n, "/");
	free(n);
	n = ps_path_normalize("./", NULL);
	assert_string_equal(n, ".");
	free(n);
	/* however -f was written, from wherever projsync runs */
	check_rel("projects.yaml", "/r/infra", "/r", "infra/projects.yaml");
	check_rel("../infra/./projects.yaml", "/r/ci", "/r/",
	    "infra/projects.yaml");
	check_rel("/r/infra/../infra/p.yaml", "/elsewhere", "/r",
	    "infra/p.yaml");
	check_rel("/r", NULL, "/r", ".");
	check_rel("p.yaml", "/", "/", "p.yaml");
	/* a sibling with the same prefix is outside */
	check_rel("/repo2/p.yaml", NULL, "/repo", NULL);
	check_rel("../../p.yaml", "/r/a", "/r", NULL);
	/* relative without a cwd cannot be placed */
	check_rel("p.yaml", NULL, "/r", NULL);
}

static void
test_util__markdown_code_block(void **state)
{
	struct ps_buf b = PS_BUF_INIT;

	(void)state;
	ps_md_code_block(&b, "a ``` b\x1b[2J\n", 0);
	assert_string_equal(b.ptr, "````text\na ``` b [2J\n````\n");
	ps_buf_reset(&b);
	/* cut to max bytes, never inside a UTF-8 sequence */
	ps_md_code_block(&b, "ab\xc3\xa9z", 3);
	assert_string_equal(b.ptr, "```text\nab\n…\n```\n");
	ps_buf_release(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_util__buf_grows_and_formats),
		cmocka_unit_test(test_util__sha256_known_vectors),
		cmocka_unit_test(test_util__tag_set_sorted),
		cmocka_unit_test(test_util__utf8_counts_code_points),
		cmocka_unit_test(test_util__edit_distance_and_glob),
		cmocka_unit_test(test_util__printable_escapes),
		cmocka_unit_test(test_util__header_value_safe),
		cmocka_unit_test(test_util__json_strings),
		cmocka_unit_test(test_util__json_render),
		cmocka_unit_test(test_util__diags_sort_by_position),
		cmocka_unit_test(test_util__markdown_escapes_names),
		cmocka_unit_test(test_util__hmac_sha256_rfc4231),
		cmocka_unit_test(test_util__paths_relative_to_a_root),
		cmocka_unit_test(test_util__markdown_code_block),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
