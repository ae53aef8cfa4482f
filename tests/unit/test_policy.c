/* Unit tests for the validation rules and helpers (src/policy). */
#include <dirent.h>
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "inventory/inventory.h"
#include "policy/policy.h"

#include "fixtures.h"

#define Y(s) s, sizeof(s) - 1

/* Load y (which must load cleanly) and validate it on `today`. */
static int
validate(const char *y, size_t len, const char *today, struct diag_list *dl)
{
	struct policy_options opts = { today };
	struct inventory *inv = NULL;
	int err;

	assert_int_equal(inventory_load_buffer(&inv, "p.yaml", y, len, dl), 0);
	err = policy_validate_opts(inv, &opts, dl);
	diag_list_sort(dl);
	inventory_free(inv);
	return err;
}

static size_t
count_rule(const struct diag_list *dl, const char *rule, bool suppressed)
{
	size_t i, n = 0;

	for (i = 0; i < dl->nr; i++)
		if (!strcmp(dl->items[i].rule, rule) &&
		    dl->items[i].suppressed == suppressed)
			n++;
	return n;
}

static void
test_policy__closest(void **state)
{
	static const char *const envs[] = { "Production", "Development",
		"Staging", "Research", "DevOps" };
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "production", "Production" },		/* case only */
		{ "PRODUCTION", "Production" },
		{ "Prodution", "Production" },		/* a letter missing */
		{ "Prodcution", "Production" },		/* two letters swapped */
		{ "Stagign", "Staging" },
		{ "Prod", "Production" },		/* an abbreviation of one */
		{ "Stag", "Staging" },
		{ "Dev", NULL },			/* Development or DevOps? */
		{ "Pr", NULL },				/* too short to guess */
		{ "Marketing", NULL },
		{ "", NULL },
	};
	size_t i;

	(void)state;
	for (i = 0; i < PS_ARRAY_SIZE(cases); i++) {
		const char *got = policy_closest(cases[i].in, envs, 5);
		if (!cases[i].want ? got != NULL : !got ||
		    strcmp(got, cases[i].want))
			fail_msg("'%s': got '%s', want '%s'", cases[i].in,
			    got ? got : "(null)",
			    cases[i].want ? cases[i].want : "(null)");
	}
	assert_null(policy_closest(NULL, envs, 5));
	assert_null(policy_closest("Productionnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn"
	    "nnnnnnnnnnnnnnnnnnnnnnnnnnnn", envs, 5));	/* too long to guess */
	assert_null(policy_closest("x", NULL, 0));
}

static void
test_policy__tag_characters(void **state)
{
	static const struct {
		const char *s;
		bool ok;
		uint32_t bad;
	} cases[] = {
		{ "Production", true, 0 },
		{ "a b_c.d:e/f=g+h-i@j", true, 0 },
		{ "", true, 0 },
		{ "caf\xc3\xa9", true, 0 },			/* é, precomposed */
		{ "\xe6\x95\xb0\xe6\x8d\xae", true, 0 },	/* 数据 */
		{ "\xd9\xa3\xd9\xa4", true, 0 },		/* Arabic-Indic digits */
		{ "\xe2\x85\xab", true, 0 },			/* Ⅻ, a number (Nl) */
		{ "a\xc2\xa0" "b", true, 0 },			/* no-break space (Zs) */
		{ "a\xe3\x80\x80" "b", true, 0 },		/* ideographic space */
		{ "cafe\xcc\x81", false, 0x301 },		/* combining acute (Mn) */
		{ "a#b", false, '#' },
		{ "a,b", false, ',' },
		{ "tab\there", false, '\t' },
		{ "emoji \xf0\x9f\x98\x80", false, 0x1f600 },
		{ "\xe2\x80\x8b", false, 0x200b },		/* zero-width space (Cf) */
		{ "bad\xff", false, 0xfffd },
	};
	size_t i, off;
	uint32_t bad;

	(void)state;
	for (i = 0; i < PS_ARRAY_SIZE(cases); i++) {
		bad = 0;
		if (policy_tag_chars_ok(cases[i].s, strlen(cases[i].s), &bad,
		    &off) != cases[i].ok)
			fail_msg("'%s': expected %s", cases[i].s,
			    cases[i].ok ? "ok" : "refused");
		if (!cases[i].ok)
			assert_int_equal(bad, cases[i].bad);
	}
	assert_false(policy_tag_chars_ok(Y("ab#"), NULL, &off));
	assert_int_equal(off, 2);
}

/* The classes do not follow the process locale. */
static void
test_policy__locale_independent(void **state)
{
	const char *loc = setlocale(LC_ALL, NULL);
	char *saved = xstrdup(loc ? loc : "C");

	(void)state;
	setlocale(LC_ALL, "C");
	assert_true(policy_tag_chars_ok(Y("D\xc3\xbcsseldorf"), NULL, NULL));
	if (setlocale(LC_ALL, "C.UTF-8"))
		assert_true(policy_tag_chars_ok(Y("D\xc3\xbcsseldorf"), NULL,
		    NULL));
	setlocale(LC_ALL, saved);
	free(saved);
}

static void
test_policy__tag_key_and_value_limits(void **state)
{
	struct ps_buf k = PS_BUF_INIT, v = PS_BUF_INIT;
	char *msg = NULL;
	int i;

	(void)state;
	for (i = 0; i < 128; i++)
		ps_buf_adds(&k, "\xc3\xa9");	/* 128 characters, 256 bytes */
	assert_null(policy_check_tag_key(k.ptr, NULL));
	ps_buf_adds(&k, "x");
	assert_string_equal(policy_check_tag_key(k.ptr, &msg), "tag-key-length");
	assert_non_null(strstr(msg, "129 characters"));
	free(msg);
	assert_string_equal(policy_check_tag_key("", NULL), "tag-key-length");

	for (i = 0; i < 256; i++)
		ps_buf_adds(&v, "\xe6\x95\xb0");
	assert_null(policy_check_tag_value("K", v.ptr, NULL));
	ps_buf_adds(&v, "x");
	assert_string_equal(policy_check_tag_value("K", v.ptr, NULL),
	    "tag-value-length");
	assert_null(policy_check_tag_value("K", "", NULL));

	assert_string_equal(policy_check_tag_key("aws:x", NULL),
	    "reserved-prefix");
	assert_string_equal(policy_check_tag_key("AwS:x", NULL),
	    "reserved-prefix");
	assert_null(policy_check_tag_key("aws", NULL));
	assert_null(policy_check_tag_key("awsome:x", NULL));
	assert_string_equal(policy_check_tag_value("K", "AWS:x", NULL),
	    "reserved-prefix");
	assert_string_equal(policy_check_tag_key("a!", &msg),
	    "invalid-characters");
	assert_non_null(strstr(msg, "'!' (U+0021)"));
	free(msg);
	ps_buf_release(&k);
	ps_buf_release(&v);
}

static void
test_policy__names_and_ids(void **state)
{
	static const struct {
		const char *name;
		bool ok;
	} names[] = {
		{ "CustomerChatbot-Prod", true }, { "a", true },
		{ " padded ", true }, { "Zürich ü", true },
		{ "", false }, { " ", false }, { "\t \xc2\xa0", false },
		{ "\xe3\x80\x80", false }, { "a\nb", false }, { "a\x1b" "b", false },
		{ "default", false }, { "Default", true },
	};
	static const struct {
		const char *id;
		bool ok;
	} ids[] = {
		{ "proj_5d5ykleja6cwpirysbb7", true }, { "proj_a", true },
		{ "proj_0", true }, { "default", false }, { "proj_", false },
		{ "PROJ_abc", false }, { "proj_ABC", false }, { "proj-abc", false },
		{ "proj_5d5ykleja6cwpirysbb7x", false }, { "xproj_a", false },
		{ "", false },
	};
	struct ps_buf n = PS_BUF_INIT;
	char *msg = NULL, *want;
	size_t i;

	(void)state;
	for (i = 0; i < PS_ARRAY_SIZE(names); i++)
		if ((policy_check_name(names[i].name, NULL) == NULL) != names[i].ok)
			fail_msg("name '%s'", names[i].name);
	for (i = 0; i < PS_ARRAY_SIZE(ids); i++)
		if ((policy_check_id(ids[i].id, NULL) == NULL) != ids[i].ok)
			fail_msg("id '%s'", ids[i].id);
	for (i = 0; i < 128; i++)
		ps_buf_adds(&n, "\xc3\xa9");
	assert_null(policy_check_name(n.ptr, NULL));
	ps_buf_addch(&n, 'x');
	assert_string_equal(policy_check_name(n.ptr, NULL), "invalid-name");
	/* the message quotes the first 40 characters, not 40 bytes (which
	 * cut an 'é' in two) */
	ps_buf_reset(&n);
	for (i = 0; i < 40; i++)
		ps_buf_adds(&n, "\xc3\xa9");
	want = xasprintf("project name '%s...' is 129 characters; the limit "
	    "is 128", n.ptr);
	for (i = 40; i < 129; i++)
		ps_buf_adds(&n, "\xc3\xa9");
	assert_string_equal(policy_check_name(n.ptr, &msg), "invalid-name");
	assert_string_equal(msg, want);
	free(msg);
	free(want);
	/* the same for a tag key: 40 code points of a 3-byte character */
	ps_buf_reset(&n);
	for (i = 0; i < 129; i++)
		ps_buf_adds(&n, "\xe6\x97\xa5");
	assert_string_equal(policy_check_tag_key(n.ptr, &msg),
	    "tag-key-length");
	assert_non_null(strstr(msg, "\xe6\x97\xa5...' is 129 characters"));
	/* valid UTF-8, with 40 of the 129 characters */
	assert_int_equal(ps_utf8_len(msg, strlen(msg)), (long)strlen("tag key "
	    "'...' is 129 characters; AWS allows at most 128") + 40);
	free(msg);
	ps_buf_release(&n);
}

static void
test_policy__required_after_defaults(void **state)
{
	static const char y[] =
	    "version: 1\n"
	    "defaults: { tags: { Team: T } }\n"
	    "projects:\n"
	    "  - name: A\n"
	    "    tags: { Application: X, Environment: Y, CostCenter: C }\n"
	    "  - name: B\n"
	    "    tags: { Application: X, environment: Y, CostCenter: '' }\n"
	    "  - name: C\n"
	    "    archived: true\n";
	struct diag_list dl = DIAG_LIST_INIT;

	(void)state;
	assert_int_equal(validate(Y(y), "2026-01-01", &dl), PS_EINVALID);
	assert_int_equal(dl.nr, 2);
	assert_string_equal(dl.items[0].rule, "missing-required-tag");
	assert_int_equal(dl.items[0].line, 6);
	assert_non_null(strstr(dl.items[0].msg, "'Environment' (it has "
	    "'environment'"));
	assert_non_null(strstr(dl.items[1].msg, "'CostCenter' is empty"));
	diag_list_release(&dl);
}

static void
test_policy__allowed_and_pattern(void **state)
{
	static const char y[] =
	    "version: 1\n"
	    "taxonomy:\n"
	    "  required: []\n"
	    "  tags:\n"
	    "    Environment: { allowed: [Production, Development] }\n"
	    "    CostCenter: { pattern: '^CC-[0-9]{4}$' }\n"
	    "    City: { pattern: '^.{3}$' }\n"
	    "projects:\n"
	    "  - name: A\n"
	    "    tags: { Environment: production, CostCenter: CC-1001, City: \"\xc3\x84\xc3\xb6\xc3\xbc\" }\n"
	    "  - name: B\n"
	    "    tags: { Environment: Development, CostCenter: CC-10011, City: Rome }\n"
	    "  - name: C\n"
	    "    tags: { Environment: Development, CostCenter: CC-1001 }\n";
	struct diag_list dl = DIAG_LIST_INIT;

	(void)state;
	assert_int_equal(validate(Y(y), "2026-01-01", &dl), PS_EINVALID);
	assert_int_equal(dl.nr, 3);
	assert_string_equal(dl.items[0].rule, "value-not-allowed");
	assert_non_null(strstr(dl.items[0].msg, "did you mean 'Production'?"));
	assert_int_equal(dl.items[0].line, 10);
	assert_int_equal(dl.items[0].col, 26);
	/* '.' is one character: three umlauts match ^.{3}$, "Rome" does not */
	assert_string_equal(dl.items[1].rule, "pattern-mismatch");
	assert_non_null(strstr(dl.items[1].msg, "'CC-10011'"));
	assert_string_equal(dl.items[2].rule, "pattern-mismatch");
	assert_non_null(strstr(dl.items[2].msg, "'Rome'"));
	diag_list_release(&dl);
}

static void
test_policy__invalid_pattern_is_a_finding(void **state)
{
	static const char y[] =
	    "version: 1\ntaxonomy:\n  required: []\n  tags:\n"
	    "    Owner: { pattern: 'a{2,1}' }\n"
	    "projects: [{ name: A, tags: { Owner: anything } }]\n";
	static const struct {
		const char *pattern;
		const char *why;	/* NULL: accepted */
	} cases[] = {
		{ "^CC-[0-9]{4}$", NULL },
		{ "^[a-z]{1,128}$", NULL },
		{ "^[]a]{2}(x|y){3,}$", NULL },
		{ "^[[:alpha:]]{3}[)]{2}$", NULL },
		{ "(a{200}){200}", NULL },			/* 40 000: fine */
		{ "((a{255}){255}){255}", "expand it too far" },
		{ "(x{10}|y{9000}){10}", "expand it too far" },
		{ "(a)\\1", "back-references" },
		{ "a{2,1}", "not a valid POSIX" },
		{ "(unclosed", "not a valid POSIX" },
	};
	struct diag_list dl = DIAG_LIST_INIT;
	size_t i;

	(void)state;
	assert_int_equal(validate(Y(y), NULL, &dl), PS_EINVALID);
	assert_int_equal(dl.nr, 1);
	assert_string_equal(dl.items[0].rule, "invalid-pattern");
	assert_int_equal(dl.items[0].line, 5);
	assert_int_equal(dl.items[0].col, 23);
	diag_list_release(&dl);

	for (i = 0; i < PS_ARRAY_SIZE(cases); i++) {
		char *doc = xasprintf("version: 1\ntaxonomy:\n  required: []\n"
		    "  tags: { K: { pattern: '%s' } }\n", cases[i].pattern);
		validate(doc, strlen(doc), NULL, &dl);
		if (!cases[i].why ? dl.nr != 0 : dl.nr != 1 ||
		    !strstr(dl.items[0].msg, cases[i].why))
			fail_msg("'%s': %s", cases[i].pattern,
			    dl.nr ? dl.items[0].msg : "accepted");
		diag_list_release(&dl);
		free(doc);
	}
}

static void
test_policy__suppressions_and_until(void **state)
{
	static const char y[] =
	    "version: 1\n"
	    "taxonomy: { required: [], tags: { Env: { allowed: [Prod] } } }\n"
	    "projects:\n"
	    "  - name: A\n"
	    "    tags: { Env: prod }\n"
	    "    lint_ignore: [{ rule: value-not-allowed, reason: r, until: 2026-03-31 }]\n"
	    "  - name: B\n"
	    "    tags: { 'aws:x': y }\n"
	    "    lint_ignore: [{ rule: reserved-prefix }]\n";
	struct diag_list dl = DIAG_LIST_INIT;

	(void)state;
	/* up to and including the `until` day */
	assert_int_equal(validate(Y(y), "2026-03-31", &dl), PS_EINVALID);
	assert_int_equal(count_rule(&dl, "value-not-allowed", true), 1);
	assert_int_equal(count_rule(&dl, "value-not-allowed", false), 0);
	/* AWS constraints cannot be silenced */
	assert_int_equal(count_rule(&dl, "reserved-prefix", false), 1);
	diag_list_release(&dl);
	assert_int_equal(validate(Y(y), "2026-04-01", &dl), PS_EINVALID);
	assert_int_equal(count_rule(&dl, "value-not-allowed", false), 1);
	diag_list_release(&dl);

	assert_true(policy_rule_suppressible("value-not-allowed"));
	assert_true(policy_rule_suppressible("name-convention"));	/* lint's */
	assert_false(policy_rule_suppressible("duplicate-name"));
	assert_false(policy_rule_suppressible("yaml-syntax"));
	assert_false(policy_rule_suppressible(NULL));
	assert_false(policy_rule_suppressible("invalid-suppression"));
}

/* The validity rules lint reports and validate honours (one set). */
static void
test_policy__suppression_check(void **state)
{
	static const char *const known[] = { "value-not-allowed",
		"pattern-mismatch", "empty-tag-value", "reserved-prefix", NULL };
	static const struct {
		const char *rule, *reason, *until, *want, *msg;
	} cases[] = {
		{ "value-not-allowed", "r", NULL, NULL, NULL },
		{ "value-*", "r", "2026-03-31", NULL, NULL },
		{ "value-not-allowed", NULL, NULL, "invalid-suppression",
		    "has no reason" },
		{ "value-not-allowed", "  ", NULL, "invalid-suppression",
		    "has no reason" },
		{ " ", "r", NULL, "invalid-suppression", "names no rule" },
		{ "value-not-alowed", "r", NULL, "invalid-suppression",
		    "did you mean 'value-not-allowed'" },
		{ "nope-*", "r", NULL, "invalid-suppression", "unknown rule" },
		{ "reserved-prefix", "r", NULL, "invalid-suppression",
		    "cannot suppress" },
		{ "value-not-allowed", "r", "2026-02-30", "invalid-suppression",
		    "is not a date" },
		{ "value-not-allowed", "r", "2026-03-30", "expired-suppression",
		    "expired on 2026-03-30" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < PS_ARRAY_SIZE(cases); i++) {
		struct inv_suppression s = { .rule = (char *)cases[i].rule,
			.reason = (char *)cases[i].reason,
			.until = (char *)cases[i].until };
		const char *got;
		char *msg;

		got = policy_suppression_check(&s, "2026-03-31", known, &msg);
		if (!cases[i].want ? got != NULL : !got ||
		    strcmp(got, cases[i].want) || !strstr(msg, cases[i].msg))
			fail_msg("case %zu: got %s: %s", i, got ? got : "ok",
			    msg ? msg : "");
		free(msg);
	}
	{
		struct inv_suppression s = { .rule = (char *)"value-*" };
		assert_true(policy_suppression_matches(&s, "value-not-allowed"));
		assert_false(policy_suppression_matches(&s, "pattern-mismatch"));
		s.rule = (char *)"*";
		assert_false(policy_suppression_matches(&s, "duplicate-name"));
	}
}

/* validate honours a glob and refuses an entry without a reason, as lint
 * does (plan and lint used to disagree on both). */
static void
test_policy__suppression_glob_and_reason(void **state)
{
	static const char glob[] =
	    "version: 1\n"
	    "taxonomy: { required: [], tags: { Env: { allowed: [Prod] } } }\n"
	    "projects:\n"
	    "  - name: A\n"
	    "    tags: { Env: prod }\n"
	    "    lint_ignore: [{ rule: 'value-*', reason: migrating }]\n";
	static const char no_reason[] =
	    "version: 1\n"
	    "taxonomy: { required: [], tags: { Env: { allowed: [Prod] } } }\n"
	    "projects:\n"
	    "  - name: A\n"
	    "    tags: { Env: prod }\n"
	    "    lint_ignore: [{ rule: value-not-allowed }]\n";
	struct diag_list dl = DIAG_LIST_INIT;

	(void)state;
	assert_int_equal(validate(Y(glob), "2026-01-01", &dl), 0);
	assert_int_equal(count_rule(&dl, "value-not-allowed", true), 1);
	diag_list_release(&dl);
	assert_int_equal(validate(Y(no_reason), "2026-01-01", &dl),
	    PS_EINVALID);
	assert_int_equal(count_rule(&dl, "value-not-allowed", false), 1);
	diag_list_release(&dl);
}

static void
test_policy__top_level_suppression(void **state)
{
	static const char y[] =
	    "version: 1\n"
	    "lint_ignore: [{ rule: missing-required-tag, reason: migration }]\n"
	    "projects: [{ name: A }]\n";
	struct diag_list dl = DIAG_LIST_INIT;

	(void)state;
	assert_int_equal(validate(Y(y), "2026-01-01", &dl), 0);
	assert_int_equal(count_rule(&dl, "missing-required-tag", true), 4);
	assert_int_equal(diag_list_count(&dl, DIAG_ERROR), 0);
	diag_list_release(&dl);
}

static void
test_policy__duplicates(void **state)
{
	static const char y[] =
	    "version: 1\ntaxonomy: { required: [] }\nprojects:\n"
	    "  - { name: B, id: proj_a }\n"
	    "  - { name: A }\n"
	    "  - { name: B }\n"
	    "  - { name: C, id: proj_a }\n"
	    "  - { name: B }\n";
	struct diag_list dl = DIAG_LIST_INIT;

	(void)state;
	assert_int_equal(validate(Y(y), NULL, &dl), PS_EINVALID);
	assert_int_equal(dl.nr, 3);
	assert_string_equal(dl.items[0].rule, "duplicate-name");
	assert_int_equal(dl.items[0].line, 6);
	assert_non_null(strstr(dl.items[0].msg, "first at p.yaml:4"));
	assert_string_equal(dl.items[1].rule, "duplicate-id");
	assert_int_equal(dl.items[1].line, 7);
	assert_string_equal(dl.items[2].rule, "duplicate-name");
	assert_int_equal(dl.items[2].line, 8);
	assert_non_null(strstr(dl.items[2].msg, "first at p.yaml:4"));
	diag_list_release(&dl);
}

static void
test_policy__project_limit(void **state)
{
	static const char y[] =
	    "version: 1\nsettings: { project_limit: 3 }\n"
	    "taxonomy: { required: [] }\nprojects:\n"
	    "  - { name: A }\n  - { name: B, archived: true }\n"
	    "  - { name: C }\n  - { name: D }\n  - { name: E }\n";
	static const char warn[] =
	    "version: 1\nsettings: { project_limit: 10 }\n"
	    "taxonomy: { required: [] }\nprojects:\n"
	    "  [{name: a}, {name: b}, {name: c}, {name: d}, {name: e},\n"
	    "   {name: f}, {name: g}, {name: h}, {name: i}]\n";
	struct diag_list dl = DIAG_LIST_INIT;

	(void)state;
	assert_int_equal(validate(Y(y), NULL, &dl), PS_EINVALID);
	assert_int_equal(dl.nr, 1);
	assert_string_equal(dl.items[0].rule, "project-limit");
	/* at the first project past the limit; the archived one is free */
	assert_int_equal(dl.items[0].line, 9);
	assert_non_null(strstr(dl.items[0].msg, "4 non-archived projects"));
	diag_list_release(&dl);

	assert_int_equal(validate(Y(warn), NULL, &dl), 0);
	assert_int_equal(dl.nr, 1);
	assert_int_equal(dl.items[0].level, DIAG_WARNING);
	assert_int_equal(dl.items[0].line, 4);
	assert_non_null(strstr(dl.items[0].msg, "9 non-archived projects, 90%"));
	diag_list_release(&dl);
}

static void
test_policy__too_many_tags_counts_defaults(void **state)
{
	struct diag_list dl = DIAG_LIST_INIT;
	struct ps_buf y = PS_BUF_INIT;
	int i;

	(void)state;
	ps_buf_adds(&y, "version: 1\ntaxonomy: { required: [] }\n"
	    "defaults: { tags: { D1: x, D2: x } }\nprojects:\n  - name: A\n"
	    "    tags:\n");
	for (i = 0; i < 48; i++)
		ps_buf_addf(&y, "      K%02d: v\n", i);
	assert_int_equal(validate(y.ptr, y.len, NULL, &dl), 0);	/* 50 */
	diag_list_release(&dl);
	ps_buf_adds(&y, "      D1: own\n");	/* overrides a default: still 50 */
	assert_int_equal(validate(y.ptr, y.len, NULL, &dl), 0);
	diag_list_release(&dl);
	ps_buf_adds(&y, "      K99: v\n");
	assert_int_equal(validate(y.ptr, y.len, NULL, &dl), PS_EINVALID);
	assert_int_equal(dl.nr, 1);
	assert_string_equal(dl.items[0].rule, "too-many-tags");
	assert_int_equal(dl.items[0].line, 6);
	diag_list_release(&dl);
	ps_buf_release(&y);
}

static void
test_policy__closed_taxonomy(void **state)
{
	static const char y[] =
	    "version: 1\n"
	    "taxonomy:\n"
	    "  required: [Team]\n"
	    "  closed: true\n"
	    "  tags: { Team: {}, Environment: {} }\n"
	    "projects:\n"
	    "  - name: A\n"
	    "    tags: { Team: x, Enviroment: y }\n";
	struct diag_list dl = DIAG_LIST_INIT;

	(void)state;
	assert_int_equal(validate(Y(y), NULL, &dl), PS_EINVALID);
	assert_int_equal(dl.nr, 1);
	assert_string_equal(dl.items[0].rule, "unknown-tag-key");
	assert_int_equal(dl.items[0].col, 22);
	assert_non_null(strstr(dl.items[0].msg, "did you mean 'Environment'?"));
	diag_list_release(&dl);
}

static bool
has_msg(const struct diag_list *dl, const char *msg)
{
	size_t i;

	for (i = 0; i < dl->nr; i++)
		if (strcmp(dl->items[i].msg, msg) == 0)
			return true;
	return false;
}

static void
test_policy__tag_set_for_live_projects(void **state)
{
	static const char y[] =
	    "version: 1\ntaxonomy:\n  closed: true\n  tags:\n"
	    "    Application: { allowed: [Chatbot] }\n"
	    "    Environment: {}\n    Team: {}\n    CostCenter: {}\n";
	struct diag_list dl = DIAG_LIST_INIT;
	struct inventory *inv = NULL;
	struct policy_taxonomy *tx = NULL;
	struct tag_set tags = TAG_SET_INIT;

	(void)state;
	assert_int_equal(inventory_load_buffer(&inv, "p.yaml", Y(y), &dl), 0);
	policy_taxonomy_compile(&tx, inv, &dl);
	assert_int_equal(dl.nr, 0);
	assert_non_null(policy_taxonomy_rule(tx, "Application"));
	assert_null(policy_taxonomy_rule(tx, "Owner"));
	tag_set_put(&tags, "Application", "chatbot");
	tag_set_put(&tags, "Environment", "Prod");
	tag_set_put(&tags, "Colour", "red");
	assert_int_equal(policy_check_tag_set(tx, &tags, "live project "
	    "'x' (proj_1)", NULL, 0, 0, &dl), 4);
	diag_list_sort(&dl);
	assert_int_equal(dl.nr, 4);
	assert_null(dl.items[0].file);
	assert_non_null(strstr(dl.items[0].msg, "live project 'x' (proj_1): "));
	assert_int_equal(count_rule(&dl, "value-not-allowed", false), 1);
	assert_int_equal(count_rule(&dl, "unknown-tag-key", false), 1);
	assert_int_equal(count_rule(&dl, "missing-required-tag", false), 2);
	/* a hint names the near key; "case-sensitive" only when that is
	 * what differs */
	diag_list_release(&dl);
	tag_set_put(&tags, "team", "x");
	tag_set_put(&tags, "CostCentre", "y");
	assert_int_equal(policy_check_tag_set(tx, &tags, "p", NULL, 0, 0,
	    &dl), 6);
	assert_true(has_msg(&dl, "p: missing required tag 'Team' (there is "
	    "'team'; tag keys are case-sensitive)"));
	assert_true(has_msg(&dl, "p: missing required tag 'CostCenter'; is "
	    "'CostCentre' a misspelling of it?"));
	tag_set_release(&tags);
	policy_taxonomy_free(tx);
	inventory_free(inv);
	diag_list_release(&dl);
}

/* Every rule id in the golden diagnostics is one policy.h lists. */
static void
test_policy__rule_ids_are_listed(void **state)
{
	const char *dir = "tests/fixtures/inventory/bad";
	struct dirent *e;
	DIR *d;
	size_t i, j, seen = 0;

	(void)state;
	for (i = 0; policy_rule_ids[i]; i++) {
		const char *r = policy_rule_ids[i];
		for (j = 0; r[j]; j++)
			assert_true((r[j] >= 'a' && r[j] <= 'z') || r[j] == '-');
		for (j = 0; j < i; j++)
			assert_string_not_equal(r, policy_rule_ids[j]);
	}
	d = opendir(dir);
	assert_non_null(d);
	while ((e = readdir(d))) {
		struct ps_buf b = PS_BUF_INIT;
		char *path, *p, *end;
		size_t l = strlen(e->d_name);
		if (l < 5 || strcmp(e->d_name + l - 5, ".diag"))
			continue;
		path = xasprintf("%s/%s", dir, e->d_name);
		assert_int_equal(ps_read_file(&b, path, 0), 0);
		/* the rule is the "[id]" that ends each finding's line */
		for (p = b.ptr; *p; p = end + 1) {
			char *open;
			end = strchr(p, '\n');
			assert_non_null(end);
			*end = '\0';
			if (!strncmp(p, "projsync: ", 10))
				continue;
			open = strrchr(p, '[');
			assert_non_null(open);
			assert_int_equal(end[-1], ']');
			end[-1] = '\0';
			for (i = 0; policy_rule_ids[i]; i++)
				if (!strcmp(open + 1, policy_rule_ids[i]))
					break;
			if (!policy_rule_ids[i])
				fail_msg("%s: rule '%s' not in policy_rule_ids",
				    path, open + 1);
			seen++;
		}
		ps_buf_release(&b);
		free(path);
	}
	closedir(d);
	assert_true(seen > 50);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_policy__closest),
		cmocka_unit_test(test_policy__tag_characters),
		cmocka_unit_test(test_policy__locale_independent),
		cmocka_unit_test(test_policy__tag_key_and_value_limits),
		cmocka_unit_test(test_policy__names_and_ids),
		cmocka_unit_test(test_policy__required_after_defaults),
		cmocka_unit_test(test_policy__allowed_and_pattern),
		cmocka_unit_test(test_policy__invalid_pattern_is_a_finding),
		cmocka_unit_test(test_policy__suppressions_and_until),
		cmocka_unit_test(test_policy__top_level_suppression),
		cmocka_unit_test(test_policy__suppression_check),
		cmocka_unit_test(test_policy__suppression_glob_and_reason),
		cmocka_unit_test(test_policy__duplicates),
		cmocka_unit_test(test_policy__project_limit),
		cmocka_unit_test(test_policy__too_many_tags_counts_defaults),
		cmocka_unit_test(test_policy__closed_taxonomy),
		cmocka_unit_test(test_policy__tag_set_for_live_projects),
		cmocka_unit_test(test_policy__rule_ids_are_listed),
	};

	fixtures_enter();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
