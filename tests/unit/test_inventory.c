/* Unit tests for the inventory loader (src/inventory). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "inventory/inventory.h"
#include "inventory/tree.h"

#include "fixtures.h"

#define Y(s) s, sizeof(s) - 1

/* Load a buffer; the diagnostics stay in *dl for the test to check. */
static int
load(struct inventory **inv, const char *buf, size_t len,
    struct diag_list *dl)
{
	int err = inventory_load_buffer(inv, "t.yaml", buf, len, dl);

	diag_list_sort(dl);
	return err;
}

static const struct diag *
find_rule(const struct diag_list *dl, const char *rule)
{
	size_t i;

	for (i = 0; i < dl->nr; i++)
		if (dl->items[i].rule && !strcmp(dl->items[i].rule, rule))
			return &dl->items[i];
	return NULL;
}

static void
test_inventory__loads_the_example(void **state)
{
	struct diag_list dl = DIAG_LIST_INIT;
	struct inventory *inv = NULL;
	struct ps_buf bytes = PS_BUF_INIT;
	const struct inv_project *p;
	char hex[65];

	(void)state;
	assert_int_equal(inventory_load_file(&inv, "examples/projects.yaml",
	    &dl), 0);
	assert_non_null(inv);
	assert_int_equal(dl.nr, 0);
	assert_int_equal(inv->version, 1);
	assert_int_equal(inv->projects_nr, 4);
	assert_int_equal(inv->files_nr, 1);
	assert_string_equal(inv->path, "examples/projects.yaml");
	assert_string_equal(inv->settings.region, "us-east-1");
	assert_int_equal(inv->settings.project_limit, 1000);
	assert_true(inv->taxonomy.closed);
	assert_int_equal(inv->taxonomy.required_nr, 4);
	assert_int_equal(inv->taxonomy.tags_nr, 5);
	assert_string_equal(inv->taxonomy.tags[3].key, "CostCenter");
	assert_string_equal(inv->taxonomy.tags[3].pattern, "^CC-[0-9]{4}$");
	assert_true(inventory_tag_ignored(inv, "aws:cloudformation:stack"));
	assert_false(inventory_tag_ignored(inv, "Team"));

	p = inventory_find_name(inv, "DataAnalytics-Prod");
	assert_non_null(p);
	assert_int_equal(p->index, 3);
	assert_string_equal(tag_set_get(&p->tags, "CostCenter"), "CC-3003");
	assert_string_equal(p->pos.file, "examples/projects.yaml");
	assert_int_equal(p->name_pos.line, 62);
	assert_int_equal(p->name_pos.col, 11);
	assert_null(inventory_find_name(inv, "Nope"));

	/* the digest is of the top file's bytes */
	assert_int_equal(ps_read_file(&bytes, "examples/projects.yaml", 0), 0);
	sha256_hex(hex, bytes.ptr, bytes.len);
	assert_string_equal(inv->sha256, hex);
	ps_buf_release(&bytes);
	inventory_free(inv);
	diag_list_release(&dl);
}

static void
test_inventory__rejects_dup_key(void **state)
{
	static const char y[] = "version: 1\nprojects:\n  - name: a\n    name: b\n";
	struct diag_list dl = DIAG_LIST_INIT;
	struct inventory *inv = NULL;

	(void)state;
	assert_int_equal(load(&inv, Y(y), &dl), PS_EINVALID);
	/* structural problems still give a model, so validate can say more */
	assert_non_null(inv);
	assert_int_equal(dl.nr, 1);
	assert_int_equal(dl.items[0].line, 4);
	assert_int_equal(dl.items[0].col, 5);
	assert_string_equal(dl.items[0].rule, "duplicate-key");
	assert_non_null(strstr(dl.items[0].msg, "first at line 3, column 5"));
	/* the later one wins, as in other YAML tools */
	assert_string_equal(inv->projects[0].name, "b");
	inventory_free(inv);
	diag_list_release(&dl);
}

static void
test_inventory__dup_keys_in_a_large_mapping(void **state)
{
	struct diag_list dl = DIAG_LIST_INIT;
	struct inventory *inv = NULL;
	struct ps_buf y = PS_BUF_INIT;
	int i;

	(void)state;
	/* past the small-mapping path: found by sorting, each reported once */
	ps_buf_adds(&y, "version: 1\nx-big:\n");
	for (i = 0; i < 500; i++)
		ps_buf_addf(&y, "  k%d: v\n", i % 400);
	assert_int_equal(load(&inv, y.ptr, y.len, &dl), PS_EINVALID);
	assert_int_equal(dl.nr, 100);
	assert_string_equal(dl.items[0].rule, "duplicate-key");
	assert_int_equal(dl.items[0].line, 403);
	inventory_free(inv);
	diag_list_release(&dl);
	ps_buf_release(&y);
}

static void
test_inventory__defaults_merge_under_own_tags(void **state)
{
	static const char y[] =
	    "version: 1\n"
	    "defaults:\n"
	    "  tags: { Team: Platform, Owner: finops }\n"
	    "projects:\n"
	    "  - name: A\n"
	    "    tags: { Team: Data, CostCenter: CC-1 }\n"
	    "  - name: B\n";
	struct diag_list dl = DIAG_LIST_INIT;
	struct inventory *inv = NULL;
	const struct tag_set *t;

	(void)state;
	assert_int_equal(load(&inv, Y(y), &dl), 0);
	t = &inv->projects[0].tags;
	assert_int_equal(t->nr, 3);
	/* sorted by key, the project's own value wins */
	assert_string_equal(t->items[0].key, "CostCenter");
	assert_string_equal(t->items[1].key, "Owner");
	assert_string_equal(t->items[2].key, "Team");
	assert_string_equal(t->items[2].value, "Data");
	assert_int_equal(inv->projects[0].own_tags.nr, 2);
	assert_int_equal(inv->projects[1].tags.nr, 2);
	assert_string_equal(tag_set_get(&inv->projects[1].tags, "Team"),
	    "Platform");
	assert_int_equal(inv->defaults.items[0].key_pos.line, 3);
	inventory_free(inv);
	diag_list_release(&dl);
}

static void
test_inventory__defaults_when_sections_are_absent(void **state)
{
	static const char y[] = "version: 1\n";
	struct diag_list dl = DIAG_LIST_INIT;
	struct inventory *inv = NULL;

	(void)state;
	assert_int_equal(load(&inv, Y(y), &dl), 0);
	assert_int_equal(inv->taxonomy.required_nr, 4);
	assert_string_equal(inv->taxonomy.required[0], "Application");
	assert_string_equal(inv->taxonomy.required[3], "CostCenter");
	assert_false(inv->taxonomy.required_given);
	assert_false(inv->taxonomy.closed);
	assert_int_equal(inv->settings.project_limit, 1000);
	assert_int_equal(inv->settings.safety.max_changes, 50);
	assert_int_equal(inv->settings.safety.max_change_percent, 30);
	assert_int_equal(inv->settings.safety.min_projects_for_percent, 10);
	assert_int_equal(inv->settings.unmanaged, INV_UNMANAGED_REPORT);
	assert_null(inv->settings.region);
	assert_int_equal(inv->projects_nr, 0);
	inventory_free(inv);
	diag_list_release(&dl);
}

static void
test_inventory__reads_every_setting(void **state)
{
	static const char y[] =
	    "version: 1\n"
	    "settings:\n"
	    "  region: eu-central-1\n"
	    "  unmanaged: ignore\n"
	    "  ignore_tags: ['aws:*', 'Internal*']\n"
	    "  project_limit: 1_500\n"
	    "  safety: { max_changes: 7, max_change_percent: 0, min_projects_for_percent: 3 }\n"
	    "  record: true\n"
	    "  name_pattern: '{Application}-{Environment}'\n"
	    "taxonomy:\n"
	    "  required: []\n"
	    "lint_ignore: [{ rule: name-convention, reason: legacy, until: 2030-01-31 }]\n";
	struct diag_list dl = DIAG_LIST_INIT;
	struct inventory *inv = NULL;

	(void)state;
	assert_int_equal(load(&inv, Y(y), &dl), 0);
	assert_string_equal(inv->settings.region, "eu-central-1");
	assert_int_equal(inv->settings.unmanaged, INV_UNMANAGED_IGNORE);
	assert_int_equal(inv->settings.ignore_tags_nr, 2);
	assert_true(inventory_tag_ignored(inv, "InternalCost"));
	assert_int_equal(inv->settings.project_limit, 1500);
	assert_int_equal(inv->settings.project_limit_pos.line, 6);
	assert_int_equal(inv->settings.safety.max_changes, 7);
	assert_int_equal(inv->settings.safety.max_change_percent, 0);
	assert_int_equal(inv->settings.safety.min_projects_for_percent, 3);
	assert_true(inv->settings.record);
	assert_string_equal(inv->settings.name_pattern,
	    "{Application}-{Environment}");
	assert_true(inv->taxonomy.required_given);
	assert_int_equal(inv->taxonomy.required_nr, 0);
	assert_int_equal(inv->lint_ignore.nr, 1);
	assert_string_equal(inv->lint_ignore.items[0].until, "2030-01-31");
	inventory_free(inv);
	diag_list_release(&dl);
}

static void
test_inventory__merge_keys_and_aliases(void **state)
{
	static const char y[] =
	    "version: 1\n"
	    "x-a: &a { Application: App, Team: T1 }\n"
	    "x-b: &b { Team: T2, Owner: o }\n"
	    "projects:\n"
	    "  - name: P\n"
	    "    tags:\n"
	    "      <<: [*a, *b]\n"
	    "      Application: Mine\n"
	    "  - name: &n Q\n"
	    "    tags: *a\n"
	    "  - name: R\n"
	    "    tags: { Name: *n }\n";
	struct diag_list dl = DIAG_LIST_INIT;
	struct inventory *inv = NULL;
	const struct tag_set *t;

	(void)state;
	assert_int_equal(load(&inv, Y(y), &dl), 0);
	t = &inv->projects[0].tags;
	assert_int_equal(t->nr, 3);
	/* explicit keys win; among merged mappings the first one wins */
	assert_string_equal(tag_set_get(t, "Application"), "Mine");
	assert_string_equal(tag_set_get(t, "Team"), "T1");
	assert_string_equal(tag_set_get(t, "Owner"), "o");
	assert_string_equal(tag_set_get(&inv->projects[1].tags, "Team"), "T1");
	assert_string_equal(tag_set_get(&inv->projects[2].tags, "Name"), "Q");
	/* the alias is reported where it is used */
	assert_int_equal(inv->projects[2].own_tags.items[0].value_pos.line, 12);
	inventory_free(inv);
	diag_list_release(&dl);
}

static void
test_inventory__alias_bomb_is_refused(void **state)
{
	struct diag_list dl = DIAG_LIST_INIT;
	struct inventory *inv = (struct inventory *)&dl;	/* must be reset */
	struct ps_buf y = PS_BUF_INIT;
	int i, j;

	(void)state;
	ps_buf_adds(&y, "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
	for (i = 1; i < 12; i++) {
		ps_buf_addf(&y, "a%d: &a%d [", i, i);
		for (j = 0; j < 10; j++)
			ps_buf_addf(&y, "%s*a%d", j ? ", " : "", i - 1);
		ps_buf_adds(&y, "]\n");
	}
	assert_int_equal(load(&inv, y.ptr, y.len, &dl), PS_EINVALID);
	assert_null(inv);
	assert_int_equal(dl.nr, 1);
	assert_string_equal(dl.items[0].rule, "alias-limit");
	/* a0..a3 expand to 11 110 nodes, a4 would reach 111 110 */
	assert_int_equal(dl.items[0].line, 5);
	diag_list_release(&dl);
	ps_buf_release(&y);
}

static void
test_inventory__recursive_alias(void **state)
{
	static const char y[] = "a: &a [1, *a]\n";
	struct diag_list dl = DIAG_LIST_INIT;
	struct inventory *inv = NULL;

	(void)state;
	assert_int_equal(load(&inv, Y(y), &dl), PS_EINVALID);
	assert_null(inv);
	assert_string_equal(dl.items[0].rule, "alias-limit");
	assert_non_null(strstr(dl.items[0].msg, "recursive"));
	diag_list_release(&dl);
}

static void
test_inventory__nesting_limit(void **state)
{
	struct diag_list dl = DIAG_LIST_INIT;
	struct inventory *inv = NULL;
	struct ps_buf y = PS_BUF_INIT;
	int i;

	(void)state;
	ps_buf_adds(&y, "x-deep: ");
	for (i = 0; i < INV_MAX_DEPTH; i++)
		ps_buf_addch(&y, '[');
	for (i = 0; i < INV_MAX_DEPTH; i++)
		ps_buf_addch(&y, ']');
	/* the root mapping plus 64 lists: one too many */
	assert_int_equal(load(&inv, y.ptr, y.len, &dl), PS_EINVALID);
	assert_string_equal(dl.items[0].rule, "nesting-limit");
	assert_int_equal(dl.items[0].col, 9 + INV_MAX_DEPTH - 1);
	diag_list_release(&dl);
	/* 63 lists are fine */
	ps_buf_reset(&y);
	ps_buf_adds(&y, "version: 1\nx-deep: ");
	for (i = 0; i < INV_MAX_DEPTH - 1; i++)
		ps_buf_addch(&y, '[');
	for (i = 0; i < INV_MAX_DEPTH - 1; i++)
		ps_buf_addch(&y, ']');
	assert_int_equal(load(&inv, y.ptr, y.len, &dl), 0);
	inventory_free(inv);
	diag_list_release(&dl);
	ps_buf_release(&y);
}

static void
test_inventory__encoding_errors_have_positions(void **state)
{
	static const struct {
		const char *in;
		size_t len;
		unsigned line, col;
		const char *text;
	} cases[] = {
		{ Y("a: b\nc: d\xff\n"), 2, 5, "invalid UTF-8 (byte 0xFF)" },
		{ Y("a: \xc3\xa9\xc3\n"), 1, 5, "invalid UTF-8 (byte 0xC3)" },
		{ Y("a: \xc0\xaf\n"), 1, 4, "invalid UTF-8" },		/* overlong */
		{ Y("a: \xed\xa0\x80\n"), 1, 4, "invalid UTF-8" },	/* surrogate */
		{ Y("a: b\n\nc\0d\n"), 3, 2, "NUL byte" },
		{ Y("\xff\xfe" "a\0:\0"), 1, 1, "UTF-16" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < PS_ARRAY_SIZE(cases); i++) {
		struct diag_list dl = DIAG_LIST_INIT;
		struct inventory *inv = NULL;
		assert_int_equal(load(&inv, cases[i].in, cases[i].len, &dl),
		    PS_EINVALID);
		assert_null(inv);
		assert_int_equal(dl.nr, 1);
		assert_string_equal(dl.items[0].rule, "invalid-encoding");
		assert_int_equal(dl.items[0].line, cases[i].line);
		assert_int_equal(dl.items[0].col, cases[i].col);
		assert_non_null(strstr(dl.items[0].msg, cases[i].text));
		diag_list_release(&dl);
	}
}

static void
test_inventory__bom_and_crlf(void **state)
{
	static const char y[] = "\xef\xbb\xbfversion: 1\r\nprojects:\r\n"
	    "  - name: A\r\n    tags: { Team: \"x\\ty\" }\r\n";
	struct diag_list dl = DIAG_LIST_INIT;
	struct inventory *inv = NULL;

	(void)state;
	assert_int_equal(load(&inv, Y(y), &dl), 0);
	assert_int_equal(inv->projects[0].name_pos.line, 3);
	assert_int_equal(inv->projects[0].name_pos.col, 11);
	assert_string_equal(tag_set_get(&inv->projects[0].tags, "Team"),
	    "x\ty");
	inventory_free(inv);
	diag_list_release(&dl);
	/* an encoding error after a BOM: columns do not count the BOM */
	assert_int_equal(load(&inv, Y("\xef\xbb\xbf" "a: \xff\n"), &dl),
	    PS_EINVALID);
	assert_int_equal(dl.items[0].col, 4);
	diag_list_release(&dl);
}

static void
test_inventory__not_an_inventory(void **state)
{
	static const struct {
		const char *in;
		size_t len;
		const char *rule;
		unsigned line;
	} cases[] = {
		{ Y(""), "empty-file", 1 },
		{ Y("# just a comment\n"), "empty-file", 1 },
		{ Y("- a\n- b\n"), "invalid-type", 1 },
		{ Y("hello\n"), "invalid-type", 1 },
		{ Y("a: [b\n"), "yaml-syntax", 2 },
		{ Y("version: 1\n---\nversion: 1\n"), "yaml-syntax", 2 },
		{ Y("x: *nope\n"), "yaml-syntax", 1 },
		{ Y("version: 2\n"), "unsupported-version", 1 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < PS_ARRAY_SIZE(cases); i++) {
		struct diag_list dl = DIAG_LIST_INIT;
		struct inventory *inv = NULL;
		assert_int_equal(load(&inv, cases[i].in, cases[i].len, &dl),
		    PS_EINVALID);
		assert_non_null(find_rule(&dl, cases[i].rule));
		assert_int_equal(find_rule(&dl, cases[i].rule)->line,
		    cases[i].line);
		inventory_free(inv);
		diag_list_release(&dl);
	}
}

static void
test_inventory__resolves_plain_scalars(void **state)
{
	static const struct {
		const char *s;
		enum yscalar_kind kind;
	} cases[] = {
		{ "", YK_NULL }, { "~", YK_NULL }, { "null", YK_NULL },
		{ "NULL", YK_NULL }, { "Null", YK_NULL }, { "nULL", YK_STR },
		{ "true", YK_BOOL }, { "False", YK_BOOL }, { "yes", YK_BOOL },
		{ "NO", YK_BOOL }, { "on", YK_BOOL }, { "Off", YK_BOOL },
		{ "y", YK_STR }, { "n", YK_STR }, { "nope", YK_STR },
		{ "0", YK_INT }, { "1001", YK_INT }, { "-17", YK_INT },
		{ "+3", YK_INT }, { "1_000", YK_INT }, { "0x1F", YK_INT },
		{ "0o17", YK_INT }, { "0b101", YK_INT }, { "0777", YK_INT },
		{ "1:30", YK_INT }, { "190:20:30", YK_INT },
		{ "1.10", YK_FLOAT }, { ".5", YK_FLOAT }, { "1e3", YK_FLOAT },
		{ "-1.5E+3", YK_FLOAT }, { ".inf", YK_FLOAT }, { "-.INF", YK_FLOAT },
		{ ".NaN", YK_FLOAT }, { "1.2.3", YK_STR }, { "CC-1001", YK_STR },
		{ "2027-03-31", YK_STR }, { "1e", YK_STR }, { "0x", YK_STR },
		{ "-", YK_STR }, { ".", YK_STR }, { "Production", YK_STR },
		{ "10.0.0.1", YK_STR }, { "1:60", YK_STR },
	};
	size_t i;

	(void)state;
	for (i = 0; i < PS_ARRAY_SIZE(cases); i++) {
		enum yscalar_kind k = inventory__resolve_plain(cases[i].s,
		    strlen(cases[i].s));
		if (k != cases[i].kind)
			fail_msg("'%s': kind %d, want %d", cases[i].s, (int)k,
			    (int)cases[i].kind);
	}
}

static void
test_inventory__strings_must_be_strings(void **state)
{
	static const char y[] =
	    "version: 1\n"
	    "projects:\n"
	    "  - name: \"1001\"\n"
	    "    tags: { CostCenter: 1001, Env: 'no', Flag: !!str yes, B: no }\n";
	struct diag_list dl = DIAG_LIST_INIT;
	struct inventory *inv = NULL;
	const struct inv_project *p;

	(void)state;
	assert_int_equal(load(&inv, Y(y), &dl), PS_EINVALID);
	assert_int_equal(dl.nr, 2);
	assert_string_equal(dl.items[0].rule, "invalid-type");
	assert_int_equal(dl.items[0].col, 25);
	assert_non_null(strstr(dl.items[0].msg, "quote it: \"1001\""));
	assert_non_null(strstr(dl.items[1].msg, "reads no as a boolean"));
	p = &inv->projects[0];
	assert_string_equal(p->name, "1001");
	/* kept with its text and marked, so the key is not "missing" */
	assert_true(p->own_tags.items[0].invalid);
	assert_string_equal(tag_set_get(&p->tags, "CostCenter"), "1001");
	assert_false(p->own_tags.items[1].invalid);
	assert_string_equal(tag_set_get(&p->tags, "Flag"), "yes");
	inventory_free(inv);
	diag_list_release(&dl);
}

static void
test_inventory__unknown_fields_suggest(void **state)
{
	static const struct {
		const char *yaml;
		const char *text;
	} cases[] = {
		{ "version: 1\nproject: []\n", "did you mean 'projects'?" },
		{ "version: 1\nsettings: { Region: x }\n", "did you mean 'region'?" },
		{ "version: 1\nprojects: [{ name: a, tgas: {} }]\n",
		    "did you mean 'tags'?" },
		{ "version: 1\nprojects: [{ name: a, zzz: 1 }]\n",
		    "expected one of: name, id, archived, tags, lint_ignore" },
		{ "version: 1\ntaxonomy: { closd: true }\n",
		    "did you mean 'closed'?" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < PS_ARRAY_SIZE(cases); i++) {
		struct diag_list dl = DIAG_LIST_INIT;
		struct inventory *inv = NULL;
		assert_int_equal(load(&inv, cases[i].yaml, strlen(cases[i].yaml),
		    &dl), PS_EINVALID);
		assert_string_equal(dl.items[0].rule, "unknown-field");
		if (!strstr(dl.items[0].msg, cases[i].text))
			fail_msg("'%s' lacks '%s'", dl.items[0].msg, cases[i].text);
		inventory_free(inv);
		diag_list_release(&dl);
	}
}

/* libyaml's "did not find expected key" and "expected '-' indicator"
 * mean a line indented unlike its neighbours: say so. */
static void
test_inventory__indentation_hint(void **state)
{
	static const char *const ys[] = {
		"version: 1\nprojects:\n  - name: A\n   tags: {}\n",
		"version: 1\nprojects:\n  - name: A\n    tags:\n"
		    "      Team: X\n     Owner: Y\n",
	};
	size_t i;

	(void)state;
	for (i = 0; i < PS_ARRAY_SIZE(ys); i++) {
		struct diag_list dl = DIAG_LIST_INIT;
		struct inventory *inv = NULL;
		assert_int_equal(load(&inv, ys[i], strlen(ys[i]), &dl),
		    PS_EINVALID);
		assert_int_equal(dl.nr, 1);
		assert_string_equal(dl.items[0].rule, "yaml-syntax");
		assert_int_equal(dl.items[0].line, 4 + 2 * i);
		assert_non_null(strstr(dl.items[0].msg, "; check the "
		    "indentation"));
		inventory_free(inv);
		diag_list_release(&dl);
	}
}

/* A misspelt field is read as the field it suggests, unless the mapping
 * spells that one right too: one typo, one error, no cascade of missing
 * names and required tags. */
static void
test_inventory__typo_reads_as_the_suggestion(void **state)
{
	static const char y[] =
	    "version: 1\ntaxnomy:\n  requried: [Owner]\n"
	    "projects:\n  - nmae: A\n    tgas: { Owner: x }\n"
	    "  - name: B\n    tgas: { Owner: x }\n    tags: { Owner: y }\n"
	    "    Tags: { Owner: z }\n";
	struct diag_list dl = DIAG_LIST_INIT;
	struct inventory *inv = NULL;
	size_t i;

	(void)state;
	assert_int_equal(load(&inv, y, strlen(y), &dl), PS_EINVALID);
	assert_int_equal(dl.nr, 6);
	for (i = 0; i < dl.nr; i++)
		assert_string_equal(dl.items[i].rule, "unknown-field");
	assert_non_null(inv);
	assert_int_equal(inv->taxonomy.required_nr, 1);
	assert_string_equal(inv->taxonomy.required[0], "Owner");
	assert_int_equal(inv->projects_nr, 2);
	assert_string_equal(inv->projects[0].name, "A");
	assert_string_equal(tag_set_get(&inv->projects[0].tags, "Owner"), "x");
	/* B has 'tags': neither 'tgas' nor 'Tags' stands in for it */
	assert_int_equal(inv->projects[1].tags.nr, 1);
	assert_string_equal(tag_set_get(&inv->projects[1].tags, "Owner"), "y");
	inventory_free(inv);
	diag_list_release(&dl);
}

static void
test_inventory__x_keys_and_null_sections(void **state)
{
	static const char y[] =
	    "version: 1\nx-anything: [1, {a: b}]\nsettings:\ntaxonomy:\n"
	    "defaults:\nprojects:\ninclude:\nlint_ignore:\n";
	struct diag_list dl = DIAG_LIST_INIT;
	struct inventory *inv = NULL;

	(void)state;
	assert_int_equal(load(&inv, Y(y), &dl), 0);
	assert_int_equal(dl.nr, 0);
	inventory_free(inv);
	diag_list_release(&dl);
}

static void
test_inventory__missing_version_warns(void **state)
{
	static const char y[] = "projects: []\n";
	struct diag_list dl = DIAG_LIST_INIT;
	struct inventory *inv = NULL;

	(void)state;
	assert_int_equal(load(&inv, Y(y), &dl), 0);
	assert_int_equal(dl.nr, 1);
	assert_int_equal(dl.items[0].level, DIAG_WARNING);
	assert_string_equal(dl.items[0].rule, "missing-version");
	inventory_free(inv);
	diag_list_release(&dl);
}

static void
test_inventory__quiet_without_a_diag_list(void **state)
{
	static const char y[] = "version: 1\nprojects: [{ name: a, name: b }]\n";
	struct inventory *inv = NULL;

	(void)state;
	/* the fuzzers' mode: same result, nothing collected */
	assert_int_equal(inventory_load_buffer(&inv, "q.yaml", Y(y), NULL),
	    PS_EINVALID);
	inventory_free(inv);
	assert_int_equal(inventory_load_buffer(&inv, "q.yaml", Y("[\n"), NULL),
	    PS_EINVALID);
	assert_null(inv);
}

static void
test_inventory__find_by_name_and_id(void **state)
{
	static const char y[] =
	    "version: 1\nprojects:\n"
	    "  - { name: m, id: proj_b }\n"
	    "  - { name: a }\n"
	    "  - { name: z, id: proj_a }\n"
	    "  - { name: a, id: proj_c }\n";
	struct diag_list dl = DIAG_LIST_INIT;
	struct inventory *inv = NULL;

	(void)state;
	assert_int_equal(load(&inv, Y(y), &dl), 0);
	assert_int_equal(inventory_find_name(inv, "m")->index, 0);
	/* a duplicate name (validate reports it): the first in file order */
	assert_int_equal(inventory_find_name(inv, "a")->index, 1);
	assert_int_equal(inventory_find_name(inv, "z")->index, 2);
	assert_null(inventory_find_name(inv, "b"));
	assert_int_equal(inventory_find_id(inv, "proj_a")->index, 2);
	assert_int_equal(inventory_find_id(inv, "proj_c")->index, 3);
	assert_null(inventory_find_id(inv, "proj_d"));
	assert_null(inventory_find_id(NULL, "proj_a"));
	assert_int_equal(inv->by_name_nr, 4);
	assert_int_equal(inv->by_id_nr, 3);
	inventory_free(inv);
	diag_list_release(&dl);
}

/* ---- includes through a custom source ---- */

struct memfs {
	const char *const *files;	/* path, content, path, content, NULL */
	unsigned reads;
};

static int
memfs_read(struct ps_buf *out, const char *path, void *payload)
{
	struct memfs *m = payload;
	size_t i;

	m->reads++;
	for (i = 0; m->files[i]; i += 2)
		if (!strcmp(m->files[i], path)) {
			ps_buf_reset(out);
			ps_buf_adds(out, m->files[i + 1]);
			return 0;
		}
	return ps_error(PS_ENOTFOUND, "no '%s'", path);
}

static int
memfs_glob(char ***paths, size_t *nr, const char *pattern, void *payload)
{
	struct memfs *m = payload;
	size_t i, n = 0;

	*paths = xcalloc(32, sizeof(**paths));
	for (i = 0; m->files[i]; i += 2)
		if (ps_glob_match(pattern, m->files[i]))
			(*paths)[n++] = xstrdup(m->files[i]);
	*nr = n;
	return 0;
}

static void
test_inventory__includes_are_relative(void **state)
{
	static const char *const files[] = {
		"inv/top.yaml",
		"version: 1\ninclude: [teams/*.yaml, ./teams/b.yaml]\n"
		"projects: [{ name: top }]\n",
		"inv/teams/a.yaml",
		"projects: [{ name: a }]\ninclude: ../more/c.yaml\n",
		"inv/teams/b.yaml",
		"projects: [{ name: b, tags: [x] }]\n",
		"inv/more/c.yaml",
		"projects: [{ name: c }]\ninclude: [../top.yaml, ../teams/a.yaml]\n",
		NULL,
	};
	struct memfs m = { files, 0 };
	struct inv_source src = { memfs_read, memfs_glob, &m };
	struct diag_list dl = DIAG_LIST_INIT;
	struct inventory *inv = NULL;

	(void)state;
	assert_int_equal(inventory_load_source(&inv, "inv/top.yaml", &src, &dl),
	    PS_EINVALID);
	diag_list_sort(&dl);
	assert_non_null(inv);
	/* each file once, in include order; cycles do not loop */
	assert_int_equal(inv->files_nr, 4);
	assert_int_equal(m.reads, 4);
	assert_string_equal(inv->files[1], "inv/teams/a.yaml");
	assert_string_equal(inv->files[2], "inv/more/c.yaml");
	assert_string_equal(inv->files[3], "inv/teams/b.yaml");
	assert_int_equal(inv->projects_nr, 4);
	assert_string_equal(inv->projects[0].name, "top");
	assert_string_equal(inv->projects[1].name, "a");
	assert_string_equal(inv->projects[2].name, "c");
	assert_string_equal(inv->projects[3].name, "b");
	assert_string_equal(inv->projects[3].pos.file, "inv/teams/b.yaml");
	/* the problem is reported in the file that has it */
	assert_int_equal(dl.nr, 1);
	assert_string_equal(dl.items[0].file, "inv/teams/b.yaml");
	assert_string_equal(dl.items[0].rule, "invalid-type");
	inventory_free(inv);
	diag_list_release(&dl);
}

static void
test_inventory__include_problems(void **state)
{
	static const char *const files[] = {
		"top.yaml",
		"version: 1\ninclude:\n  - gone.yaml\n  - none/*.yaml\n"
		"  - sub/x.yaml\n",
		"sub/x.yaml",
		"taxonomy: {}\nprojects: []\n",
		NULL,
	};
	struct memfs m = { files, 0 };
	struct inv_source src = { memfs_read, memfs_glob, &m };
	struct diag_list dl = DIAG_LIST_INIT;
	struct inventory *inv = NULL;

	(void)state;
	assert_int_equal(inventory_load_source(&inv, "top.yaml", &src, &dl),
	    PS_EINVALID);
	diag_list_sort(&dl);
	assert_int_equal(dl.nr, 3);
	assert_string_equal(dl.items[0].file, "sub/x.yaml");
	assert_string_equal(dl.items[0].rule, "misplaced-field");
	assert_string_equal(dl.items[1].rule, "include-not-found");
	assert_int_equal(dl.items[1].line, 3);
	assert_int_equal(dl.items[1].col, 5);
	assert_string_equal(dl.items[2].rule, "include-no-match");
	assert_int_equal(dl.items[2].level, DIAG_WARNING);
	inventory_free(inv);
	diag_list_release(&dl);
}

static void
test_inventory__buffer_does_not_include(void **state)
{
	static const char y[] = "version: 1\ninclude: teams/*.yaml\n";
	struct diag_list dl = DIAG_LIST_INIT;
	struct inventory *inv = NULL;

	(void)state;
	assert_int_equal(load(&inv, Y(y), &dl), 0);
	assert_int_equal(dl.nr, 1);
	assert_int_equal(dl.items[0].level, DIAG_WARNING);
	assert_string_equal(dl.items[0].rule, "include-error");
	inventory_free(inv);
	diag_list_release(&dl);
}

/* ---- the file system source ---- */

static void
write_file(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(s, f);
	fclose(f);
}

static void
test_inventory__fs_glob_and_size_limit(void **state)
{
	char dir[] = "/tmp/projsync-test-inv.XXXXXX";
	char *p;
	struct diag_list dl = DIAG_LIST_INIT;
	struct inventory *inv = NULL;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	p = xasprintf("%s/t", dir);
	assert_int_equal(mkdir(p, 0700), 0);
	free(p);
	p = xasprintf("%s/t/sub.yaml", dir);	/* a folder matching the glob */
	assert_int_equal(mkdir(p, 0700), 0);
	free(p);
	p = xasprintf("%s/t/b.yaml", dir);
	write_file(p, "projects: [{ name: b }]\n");
	free(p);
	p = xasprintf("%s/t/a.yaml", dir);
	write_file(p, "projects: [{ name: a }]\n");
	free(p);
	p = xasprintf("%s/top.yaml", dir);
	write_file(p, "version: 1\ninclude: t/*.yaml\n");
	assert_int_equal(inventory_load_file(&inv, p, &dl), 0);
	assert_int_equal(inv->projects_nr, 2);
	/* byte order, folders skipped */
	assert_string_equal(inv->projects[0].name, "a");
	assert_string_equal(inv->projects[1].name, "b");
	inventory_free(inv);
	free(p);

	/* too large: refused from its size, without reading it */
	p = xasprintf("%s/big.yaml", dir);
	f = fopen(p, "w");
	assert_non_null(f);
	assert_int_equal(ftruncate(fileno(f), (off_t)INV_MAX_FILE_BYTES + 1), 0);
	fclose(f);
	assert_int_equal(inventory_load_file(&inv, p, &dl), PS_EINVALID);
	assert_null(inv);
	assert_int_equal(dl.nr, 1);
	assert_string_equal(dl.items[0].rule, "file-too-large");
	assert_int_equal(dl.items[0].line, 0);
	diag_list_release(&dl);
	unlink(p);
	free(p);

	/* missing: an I/O error, not a finding */
	p = xasprintf("%s/none.yaml", dir);
	assert_int_equal(inventory_load_file(&inv, p, &dl), PS_ENOTFOUND);
	assert_null(inv);
	assert_int_equal(dl.nr, 0);
	assert_non_null(strstr(ps_error_last(), "none.yaml"));
	free(p);

	p = xasprintf("rm -rf '%s'", dir);
	assert_int_equal(system(p), 0);
	free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inventory__loads_the_example),
		cmocka_unit_test(test_inventory__rejects_dup_key),
		cmocka_unit_test(test_inventory__dup_keys_in_a_large_mapping),
		cmocka_unit_test(test_inventory__defaults_merge_under_own_tags),
		cmocka_unit_test(test_inventory__defaults_when_sections_are_absent),
		cmocka_unit_test(test_inventory__reads_every_setting),
		cmocka_unit_test(test_inventory__merge_keys_and_aliases),
		cmocka_unit_test(test_inventory__alias_bomb_is_refused),
		cmocka_unit_test(test_inventory__recursive_alias),
		cmocka_unit_test(test_inventory__nesting_limit),
		cmocka_unit_test(test_inventory__encoding_errors_have_positions),
		cmocka_unit_test(test_inventory__bom_and_crlf),
		cmocka_unit_test(test_inventory__not_an_inventory),
		cmocka_unit_test(test_inventory__resolves_plain_scalars),
		cmocka_unit_test(test_inventory__strings_must_be_strings),
		cmocka_unit_test(test_inventory__unknown_fields_suggest),
		cmocka_unit_test(test_inventory__typo_reads_as_the_suggestion),
		cmocka_unit_test(test_inventory__indentation_hint),
		cmocka_unit_test(test_inventory__x_keys_and_null_sections),
		cmocka_unit_test(test_inventory__missing_version_warns),
		cmocka_unit_test(test_inventory__quiet_without_a_diag_list),
		cmocka_unit_test(test_inventory__find_by_name_and_id),
		cmocka_unit_test(test_inventory__includes_are_relative),
		cmocka_unit_test(test_inventory__include_problems),
		cmocka_unit_test(test_inventory__buffer_does_not_include),
		cmocka_unit_test(test_inventory__fs_glob_and_size_limit),
	};

	fixtures_enter();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
