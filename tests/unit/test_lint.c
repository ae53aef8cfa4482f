/*
 * Unit tests for lint: the rule registry, the fixtures under
 * tests/fixtures/lint/<rule>/ (one per rule, golden output in every
 * format), tag-policy parsing, suppressions, the renderers' escaping and
 * limits, and 1,000 projects (timed by bench/, not here).
 *
 * UPDATE_GOLDEN=1 rewrites the golden files (review the diff!).
 * Fixtures are found through PROJSYNC_SOURCE_DIR (fixtures.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <cjson/cJSON.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "inventory/inventory.h"
#include "lint/lint.h"
#include "live/live.h"
#include "policy/policy.h"
#include "util/util.h"

#include "fixtures.h"

#define FIXTURES "tests/fixtures/lint"
#define TODAY "2025-06-01"
#define TEST_VERSION "0.0.0-test"

/* Rules without a fixture folder, and where they are tested instead. */
static const char *const no_fixture[] = {
	"file-too-large",	/* tests/cli/t-lint.sh: a 65 MiB sparse file */
};

static bool
exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static bool
golden_matches(const char *path, const char *actual)
{
	struct ps_buf want = PS_BUF_INIT;
	bool ok;

	if (getenv("UPDATE_GOLDEN") && !strcmp(getenv("UPDATE_GOLDEN"), "1")) {
		assert_int_equal(ps_write_file_atomic(path, actual,
		    strlen(actual), 0644), 0);
		return true;
	}
	if (ps_read_file(&want, path, 0) < 0) {
		fprintf(stderr, "missing golden file %s (UPDATE_GOLDEN=1 "
		    "writes it); actual:\n%s", path, actual);
		return false;
	}
	ok = strcmp(want.ptr, actual) == 0;
	if (!ok) {
		const char *a = want.ptr, *b = actual;
		unsigned line = 1;
		for (; *a && *a == *b; a++, b++)
			line += *a == '\n';
		fprintf(stderr, "%s: differs from line %u\n--- expected\n%s"
		    "--- actual\n%s", path, line, want.ptr, actual);
	}
	ps_buf_release(&want);
	return ok;
}

static bool
report_has(const struct lint_report *r, const char *rule)
{
	size_t i;

	for (i = 0; i < r->nr; i++)
		if (r->items[i].rule && !strcmp(r->items[i].rule, rule))
			return true;
	return false;
}

static size_t
count_rule(const struct lint_report *r, const char *rule, bool suppressed)
{
	size_t i, n = 0;

	for (i = 0; i < r->nr; i++)
		if (r->items[i].rule && !strcmp(r->items[i].rule, rule) &&
		    r->items[i].suppressed == suppressed)
			n++;
	return n;
}

static const struct lint_finding *
find_rule(const struct lint_report *r, const char *rule)
{
	size_t i;

	for (i = 0; i < r->nr; i++)
		if (r->items[i].rule && !strcmp(r->items[i].rule, rule))
			return &r->items[i];
	return NULL;
}

/* ---- the fixtures ---- */

static int
run_fixture(const char *name)
{
	static const struct {
		enum lint_format fmt;
		const char *ext;
	} fmts[] = {
		{ LINT_FORMAT_TEXT, "txt" }, { LINT_FORMAT_JSON, "json" },
		{ LINT_FORMAT_SARIF, "sarif" }, { LINT_FORMAT_GITHUB, "github" },
		{ LINT_FORMAT_CODECLIMATE, "codeclimate" },
	};
	struct lint_render_options ro = { .tool_version = TEST_VERSION };
	char inv_path[512];
	struct lint_options lo = { .today = TODAY };
	struct lint_report r = LINT_REPORT_INIT;
	struct live_state st = LIVE_STATE_INIT;
	struct diag_list dl = DIAG_LIST_INIT, pdl = DIAG_LIST_INIT;
	struct lint_tag_policy *tp = NULL;
	struct lint_cost_tag *cost = NULL;
	cJSON *costdoc = NULL;
	struct inventory *inv = NULL;
	struct ps_buf out = PS_BUF_INIT, buf = PS_BUF_INIT;
	char path[512];
	int failures = 0, err;
	size_t i;

	snprintf(path, sizeof(path), FIXTURES "/%s/policy.json", name);
	if (exists(path)) {
		err = lint_tag_policy_load(&tp, path, &pdl);
		if (err < 0) {
			/* a broken policy: its diagnostics are the output */
			assert_int_equal(err, PS_EINVALID);
			diag_list_sort(&pdl);
			for (i = 0; i < pdl.nr; i++) {
				diag_format(&out, &pdl.items[i]);
				ps_buf_addch(&out, '\n');
				failures += strcmp(pdl.items[i].rule, name) != 0;
			}
			snprintf(path, sizeof(path), FIXTURES "/%s/expect.txt",
			    name);
			failures += !golden_matches(path, out.ptr);
			failures += strcmp(name, "tag-policy-syntax") != 0;
			goto out;
		}
		lo.tag_policy = tp;
	}
	snprintf(path, sizeof(path), FIXTURES "/%s/live.json", name);
	if (exists(path)) {
		bool more;
		char *next = NULL;
		assert_int_equal(ps_read_file(&buf, path, 0), 0);
		assert_int_equal(live_parse_list_page(&st, &more, &next, buf.ptr,
		    buf.len, path), 0);
		free(next);
		lo.live = &st;
	}
	/* {"Key": "active" | "inactive" | "unseen"}: what Cost Explorer
	 * would answer (lint --live with settings.billing) */
	snprintf(path, sizeof(path), FIXTURES "/%s/cost-tags.json", name);
	if (exists(path)) {
		const cJSON *t;
		ps_buf_reset(&buf);
		assert_int_equal(ps_read_file(&buf, path, 0), 0);
		costdoc = cJSON_Parse(buf.ptr);
		assert_true(cJSON_IsObject(costdoc));
		cost = calloc((size_t)cJSON_GetArraySize(costdoc) + 1,
		    sizeof(*cost));
		cJSON_ArrayForEach(t, costdoc) {
			cost[lo.cost_tags_nr].key = t->string;
			cost[lo.cost_tags_nr++].state =
			    !strcmp(t->valuestring, "active") ?
			    LINT_COST_TAG_ACTIVE :
			    !strcmp(t->valuestring, "inactive") ?
			    LINT_COST_TAG_INACTIVE : LINT_COST_TAG_UNSEEN;
		}
		lo.cost_tags = cost;
	}
	snprintf(path, sizeof(path), FIXTURES "/%s/projects.yaml", name);
	snprintf(inv_path, sizeof(inv_path), "%s", path);
	ro.inventory = inv_path;	/* where live findings point */
	err = inventory_load_file(&inv, path, &dl);
	assert_true(err == 0 || err == PS_EINVALID);
	assert_int_equal(lint_run(&r, inv, &dl, &lo), 0);
	for (i = 0; i < PS_ARRAY_SIZE(fmts); i++) {
		ps_buf_reset(&out);
		lint_render(&out, &r, fmts[i].fmt, &ro);
		snprintf(path, sizeof(path), FIXTURES "/%s/expect.%s", name,
		    fmts[i].ext);
		failures += !golden_matches(path, out.ptr);
	}
	/* the fixture exists to show its rule: without the rule, it fails */
	if (!report_has(&r, name)) {
		fprintf(stderr, "fixture %s: no '%s' finding\n", name, name);
		failures++;
	}
out:
	free(cost);
	cJSON_Delete(costdoc);
	lint_report_release(&r);
	live_state_release(&st);
	inventory_free(inv);
	lint_tag_policy_free(tp);
	diag_list_release(&dl);
	diag_list_release(&pdl);
	ps_buf_release(&out);
	ps_buf_release(&buf);
	return failures;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
test_lint__fixtures(void **state)
{
	DIR *d = opendir(FIXTURES);
	struct dirent *de;
	char **names = NULL;
	size_t nr = 0, alloc = 0, i;
	int failures = 0;

	(void)state;
	assert_non_null(d);
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		xgrow(&names, &alloc, nr + 1, sizeof(*names));
		names[nr++] = xstrdup(de->d_name);
	}
	closedir(d);
	qsort(names, nr, sizeof(*names), cmp_str);
	for (i = 0; i < nr; i++) {
		int f = run_fixture(names[i]);
		if (f)
			fprintf(stderr, "FAIL fixture %s\n", names[i]);
		failures += f;
		free(names[i]);
	}
	free(names);
	assert_int_equal(failures, 0);
}

static void
test_lint__every_rule_has_a_fixture(void **state)
{
	const struct lint_rule *rules;
	size_t nr, i, j;
	char path[512];
	int missing = 0;

	(void)state;
	rules = lint_rules(&nr);
	for (i = 0; i < nr; i++) {
		bool exempt = false;
		for (j = 0; j < PS_ARRAY_SIZE(no_fixture); j++)
			exempt |= !strcmp(no_fixture[j], rules[i].id);
		snprintf(path, sizeof(path), FIXTURES "/%s", rules[i].id);
		if (!exempt && !exists(path)) {
			fprintf(stderr, "rule %s has no fixture %s\n",
			    rules[i].id, path);
			missing++;
		}
	}
	assert_int_equal(missing, 0);
}

/* ---- the registry ---- */

static void
test_lint__registry_is_complete_and_sorted(void **state)
{
	const struct lint_rule *rules;
	size_t nr, i, j;
	const char *const *id;

	(void)state;
	rules = lint_rules(&nr);
	assert_true(nr > 40);
	for (i = 0; i < nr; i++) {
		const char *s;
		assert_non_null(lint_rule_find(rules[i].id));
		assert_ptr_equal(lint_rule_find(rules[i].id), &rules[i]);
		assert_true(strlen(rules[i].summary) > 10);
		assert_true(strlen(rules[i].hint) > 10);
		/* kebab-case ids, summaries without a full stop */
		for (s = rules[i].id; *s; s++)
			assert_true((*s >= 'a' && *s <= 'z') || *s == '-' ||
			    (*s >= '0' && *s <= '9'));
		assert_true(rules[i].summary[strlen(rules[i].summary) - 1] != '.');
		if (i > 0) {
			assert_true(rules[i - 1].origin <= rules[i].origin);
			if (rules[i - 1].origin == rules[i].origin)
				assert_true(strcmp(rules[i - 1].id,
				    rules[i].id) < 0);
		}
		for (j = 0; j < i; j++)
			assert_string_not_equal(rules[i].id, rules[j].id);
	}
	assert_null(lint_rule_find("no-such-rule"));
	/* every id the loader and validator can report is listed */
	for (id = policy_rule_ids; *id; id++) {
		if (!lint_rule_find(*id))
			fprintf(stderr, "validate rule '%s' is not in the lint "
			    "registry\n", *id);
		assert_non_null(lint_rule_find(*id));
		assert_int_equal(lint_rule_find(*id)->origin,
		    LINT_ORIGIN_VALIDATE);
	}
}

static void
test_lint__short_names(void **state)
{
	(void)state;
	assert_string_equal(lint_short_name("Production"), "Prod");
	assert_string_equal(lint_short_name("production"), "Prod");
	assert_string_equal(lint_short_name("Development"), "Dev");
	assert_string_equal(lint_short_name("Staging"), "Stg");
	assert_string_equal(lint_short_name("Research"), "Research");
	assert_string_equal(lint_short_name(""), "");
}

/* ---- helpers for inline inventories ---- */

static void
lint_yaml(struct lint_report *r, const char *yaml,
    const struct lint_options *opts)
{
	struct diag_list dl = DIAG_LIST_INIT;
	struct inventory *inv = NULL;
	struct lint_options lo = { .today = TODAY };
	int err;

	if (opts)
		lo = *opts;
	if (!lo.today)
		lo.today = TODAY;
	err = inventory_load_buffer(&inv, "t.yaml", yaml, strlen(yaml), &dl);
	assert_true(err == 0 || err == PS_EINVALID);
	assert_int_equal(lint_run(r, inv, &dl, &lo), 0);
	inventory_free(inv);
	diag_list_release(&dl);
}

static void
test_lint__near_duplicates_group_distinct_values(void **state)
{
	struct lint_report r = LINT_REPORT_INIT;
	const struct lint_finding *f;

	(void)state;
	lint_yaml(&r,
	    "version: 1\n"
	    "taxonomy: { required: [Owner], tags: { Owner: {}, Code: {} } }\n"
	    "projects:\n"
	    "  - { name: a, tags: { Owner: Prod, Code: CC-1001 } }\n"
	    "  - { name: b, tags: { Owner: Prod, Code: CC-1001 } }\n"
	    "  - { name: c, tags: { Owner: prod, Code: CC1001 } }\n"
	    "  - { name: d, tags: { Owner: Prd, Code: CC-1002 } }\n"
	    "  - { name: e, tags: { Owner: Team-A, Code: CC-1003 } }\n"
	    "  - { name: f, tags: { Owner: Team-B, Code: v1 } }\n", NULL);
	/* 'prod' differs in case, 'Prd' by one letter, 'CC1001' by a dash;
	 * CC-1002/CC-1003 and Team-A/Team-B are distinct, not typos */
	assert_int_equal(count_rule(&r, "value-case-mismatch", false), 1);
	assert_int_equal(count_rule(&r, "near-duplicate-value", false), 2);
	f = find_rule(&r, "value-case-mismatch");
	assert_non_null(f);
	assert_int_equal(f->line, 6);
	assert_non_null(strstr(f->msg, "'Prod' (2)"));
	assert_non_null(strstr(f->msg, "'prod' (1)"));
	assert_non_null(strstr(f->msg, "'Prd' (1)"));
	lint_report_release(&r);
}

static void
test_lint__suppressions_mark_and_count(void **state)
{
	struct lint_report r = LINT_REPORT_INIT;
	const struct lint_finding *f;

	(void)state;
	lint_yaml(&r,
	    "version: 1\n"
	    "taxonomy: { required: [Team], tags: { Team: { allowed: [CX] } } }\n"
	    "lint_ignore:\n"
	    "  - { rule: undeclared-tag-key, reason: later, until: 2025-06-01 }\n"
	    "projects:\n"
	    "  - name: a\n"
	    "    tags: { Team: cx, Extra: '' }\n"
	    "    lint_ignore:\n"
	    "      - { rule: value-not-allowed, reason: migrating }\n"
	    "      - { rule: 'empty-*', reason: wildcard }\n"
	    "  - name: b\n"
	    "    tags: { Team: cx }\n", NULL);
	/* the project's own entry covers only its own finding */
	assert_int_equal(count_rule(&r, "value-not-allowed", true), 1);
	assert_int_equal(count_rule(&r, "value-not-allowed", false), 1);
	f = find_rule(&r, "empty-tag-value");
	assert_non_null(f);
	assert_true(f->suppressed);
	assert_string_equal(f->suppress_reason, "wildcard");
	/* `until` is inclusive: still valid on that day */
	assert_int_equal(count_rule(&r, "undeclared-tag-key", true), 1);
	assert_int_equal(count_rule(&r, "expired-suppression", false), 0);
	assert_int_equal(r.suppressed, 3);
	assert_int_equal(r.errors, 1);
	lint_report_release(&r);

	/* the day after, the top-level entry has expired */
	{
		struct lint_options lo = { .today = "2025-06-02" };
		lint_yaml(&r,
		    "version: 1\n"
		    "taxonomy: { required: [Team], tags: { Team: {} } }\n"
		    "lint_ignore:\n"
		    "  - { rule: undeclared-tag-key, reason: later, until: 2025-06-01 }\n"
		    "projects:\n"
		    "  - { name: a, tags: { Team: X, Extra: y } }\n", &lo);
		assert_int_equal(count_rule(&r, "expired-suppression", false), 1);
		assert_int_equal(count_rule(&r, "undeclared-tag-key", false), 1);
		assert_int_equal(r.suppressed, 0);
		lint_report_release(&r);
	}
}

/* validate (what plan refuses on) and lint agree on every suppression:
 * both fail or both pass. */
static void
test_lint__agrees_with_validate_on_suppressions(void **state)
{
	static const struct {
		const char *entry;
		bool fails;
	} cases[] = {
		{ "{ rule: value-not-allowed, reason: r }", false },
		{ "{ rule: 'value-*', reason: r }", false },
		{ "{ rule: '*', reason: r }", false },
		{ "{ rule: value-not-allowed, reason: r, until: 2025-06-01 }",
		    false },
		{ "{ rule: value-not-allowed }", true },
		{ "{ rule: value-not-allowed, reason: '' }", true },
		{ "{ rule: value-not-allowed, reason: r, until: 2025-05-31 }",
		    true },
		{ "{ rule: value-not-allowed, reason: r, until: 2025-02-30 }",
		    true },
		{ "{ rule: value-not-alowed, reason: r }", true },
	};
	size_t i;

	(void)state;
	for (i = 0; i < PS_ARRAY_SIZE(cases); i++) {
		struct policy_options po = { .today = TODAY };
		struct lint_report r = LINT_REPORT_INIT;
		struct diag_list dl = DIAG_LIST_INIT;
		struct inventory *inv = NULL;
		char *y;
		bool vfail, lfail;

		y = xasprintf("version: 1\ntaxonomy: { required: [], tags: "
		    "{ Env: { allowed: [Prod] } } }\nprojects:\n"
		    "  - name: a\n    tags: { Env: prod }\n"
		    "    lint_ignore: [%s]\n", cases[i].entry);
		/* the loader may refuse an entry already (a bad date) */
		vfail = inventory_load_buffer(&inv, "t.yaml", y, strlen(y),
		    &dl) < 0;
		vfail |= inv && policy_validate_opts(inv, &po, &dl) < 0;
		diag_list_release(&dl);
		inventory_free(inv);
		lint_yaml(&r, y, NULL);
		lfail = lint_report_fails(&r, false);
		if (vfail != lfail || vfail != cases[i].fails)
			fail_msg("%s: validate %s, lint %s", cases[i].entry,
			    vfail ? "fails" : "passes", lfail ? "fails" :
			    "passes");
		lint_report_release(&r);
		free(y);
	}
}

static void
test_lint__structural_findings_cannot_be_suppressed(void **state)
{
	struct lint_report r = LINT_REPORT_INIT;
	const struct lint_finding *f;

	(void)state;
	lint_yaml(&r,
	    "version: 1\n"
	    "taxonomy: { required: [Team], tags: { Team: {} } }\n"
	    "lint_ignore:\n"
	    "  - { rule: reserved-prefix, reason: 'we like it' }\n"
	    "projects:\n"
	    "  - { name: a, tags: { Team: X, 'aws:x': y } }\n", NULL);
	assert_int_equal(count_rule(&r, "reserved-prefix", false), 1);
	f = find_rule(&r, "invalid-suppression");
	assert_non_null(f);
	assert_int_equal(f->line, 4);
	assert_non_null(strstr(f->msg, "cannot suppress 'reserved-prefix'"));
	lint_report_release(&r);
}

static void
test_lint__bad_today_is_a_usage_error(void **state)
{
	struct lint_report r = LINT_REPORT_INIT;
	struct lint_options lo = { .today = "2025-02-30" };

	(void)state;
	assert_int_equal(lint_run(&r, NULL, NULL, &lo), PS_EUSAGE);
	lint_report_release(&r);
}

static void
test_lint__name_pattern_forms(void **state)
{
	struct lint_report r = LINT_REPORT_INIT;
	const struct lint_finding *f;

	(void)state;
	lint_yaml(&r,
	    "version: 1\n"
	    "settings: { name_pattern: '{Team:lower}-{Env:upper}-*' }\n"
	    "taxonomy: { required: [Team], tags: { Team: {}, Env: {} } }\n"
	    "projects:\n"
	    "  - { name: cx-PROD-bot, tags: { Team: CX, Env: Prod } }\n"
	    "  - { name: cx-prod-bot, tags: { Team: CX, Env: Prod } }\n", NULL);
	assert_int_equal(count_rule(&r, "name-convention", false), 1);
	f = find_rule(&r, "name-convention");
	assert_int_equal(f->line, 6);
	assert_non_null(strstr(f->msg, "expected 'cx-PROD-*'"));
	lint_report_release(&r);

	lint_yaml(&r,
	    "version: 1\n"
	    "settings: { name_pattern: '{Team:tiny}' }\n"
	    "taxonomy: { required: [Team], tags: { Team: {} } }\n"
	    "projects:\n"
	    "  - { name: x, tags: { Team: CX } }\n", NULL);
	f = find_rule(&r, "name-convention");
	assert_non_null(f);
	assert_non_null(strstr(f->msg, "unknown modifier ':tiny'"));
	lint_report_release(&r);
}

static void
test_lint__one_mistake_one_finding(void **state)
{
	struct lint_report r = LINT_REPORT_INIT;
	const struct lint_finding *f;

	(void)state;
	/* a misspelt required key: not also undeclared-tag-key, nor a
	 * name-convention "cannot check" */
	lint_yaml(&r,
	    "version: 1\n"
	    "settings: { name_pattern: '{Application}-{Environment}' }\n"
	    "taxonomy: { required: [Application, Environment],\n"
	    "  tags: { Application: {}, Environment: {} } }\n"
	    "projects:\n"
	    "  - { name: Chatbot-Production,\n"
	    "      tags: { Application: Chatbot, Enviroment: Production } }\n",
	    NULL);
	assert_int_equal(r.nr, 1);
	assert_string_equal(r.items[0].rule, "missing-required-tag");
	assert_non_null(strstr(r.items[0].msg, "is 'Enviroment' a misspelling"));
	lint_report_release(&r);

	/* the name's suffix and the tag disagree: both fixes offered */
	lint_yaml(&r,
	    "version: 1\n"
	    "settings: { name_pattern: '{Application}-{Environment}' }\n"
	    "taxonomy: { required: [Application],\n"
	    "  tags: { Application: {},\n"
	    "    Environment: { allowed: [Production, Development] } } }\n"
	    "projects:\n"
	    "  - { name: CustomerChatbot-Development,\n"
	    "      tags: { Application: CustomerChatbot, Environment: Production } }\n"
	    "  - { name: Batch-Development,\n"
	    "      tags: { Application: Batch, Environment: Development } }\n",
	    NULL);
	f = find_rule(&r, "name-convention");
	assert_non_null(f);
	assert_string_equal(f->msg, "project name 'CustomerChatbot-Development' "
	    "and its Environment tag disagree: the name says 'Development', the "
	    "tag 'Production'; rename the project to "
	    "'CustomerChatbot-Production', or set Environment: Development if "
	    "the name is right");
	lint_report_release(&r);
}

static void
test_lint__loader_failure_still_reports(void **state)
{
	struct lint_report r = LINT_REPORT_INIT;

	(void)state;
	lint_yaml(&r, "version: 1\nprojects: [\n", NULL);
	assert_true(report_has(&r, "yaml-syntax"));
	assert_true(lint_report_fails(&r, false));
	lint_report_release(&r);
}

/* ---- tag policies ---- */

static int
parse_policy(struct lint_tag_policy **tp, const char *json,
    struct diag_list *dl)
{
	return lint_tag_policy_parse(tp, "p.json", json, strlen(json), dl);
}

static void
test_lint__tag_policy_operators(void **state)
{
	struct lint_tag_policy *tp = NULL;
	struct diag_list dl = DIAG_LIST_INIT;
	struct lint_report r = LINT_REPORT_INIT;
	struct lint_options lo = { 0 };

	(void)state;
	assert_int_equal(parse_policy(&tp,
	    "{\"tags\":{\"env\":{\"tag_key\":{\"@@assign\":\"Env\"},"
	    "\"tag_value\":{\"@@assign\":[\"Prod\",\"Dev\",\"Old\"],"
	    "\"@@append\":[\"Stg\"],\"@@remove\":[\"Old\"]}},"
	    "\"owner\":{\"tag_value\":[\"*@example.com\"],"
	    "\"report_required_tag_for\":[\"bedrock-mantle:ALL_SUPPORTED\"]}}}",
	    &dl), 0);
	assert_int_equal(dl.nr, 0);
	assert_int_equal(lint_tag_policy_keys(tp), 2);
	lo.tag_policy = tp;
	lint_yaml(&r,
	    "version: 1\n"
	    "taxonomy: { required: [Env, owner], tags: { Env: {}, owner: {} } }\n"
	    "projects:\n"
	    "  - { name: a, tags: { Env: Stg, owner: a@example.com } }\n"
	    "  - { name: b, tags: { Env: Old, owner: b@example.org } }\n"
	    "  - { name: c, tags: { Env: Dev } }\n", &lo);
	/* Old was removed, b@example.org misses the wildcard, c lacks owner */
	assert_int_equal(count_rule(&r, "tag-policy-value", false), 2);
	assert_int_equal(count_rule(&r, "tag-policy-required", false), 1);
	/* without tag_key the policy key's lower case is the spelling */
	assert_int_equal(count_rule(&r, "tag-policy-key-case", false), 0);
	lint_report_release(&r);
	lint_tag_policy_free(tp);
	diag_list_release(&dl);
}

static void
test_lint__tag_policy_errors_have_positions(void **state)
{
	static const struct {
		const char *json;
		unsigned line, col;
		const char *needle;
	} cases[] = {
		{ "{\"tags\": {\n  \"a\": {\"tag_key\": \"A\",}\n}}", 2, 24,
		    "invalid JSON" },
		{ "{\"tags\": {\"a\": 1}}", 1, 16, "must be an object" },
		{ "{\n \"tag\": {}}", 2, 2, "did you mean 'tags'" },
		{ "{\"tags\": {\"cc\": {\"tag_key\": \"CostCenter\"}}}", 1, 29,
		    "must equal the policy key" },
		{ "{\"tags\": {\"x\": {\"tag_value\": [\"a*b*\"]}}}", 1, 31,
		    "more than one '*'" },
		{ "{\"tags\": {\"x\": {\"enforced_for\": [\"ec2\"]}}}", 1, 34,
		    "service:resourceType" },
		{ "{\"tags\": {\"x\": {}, \"X\": {}}}", 1, 20, "declared twice" },
		{ "{\"tags\": {\"é\": {\"tag_vlue\": []}}}", 1, 17,
		    "did you mean 'tag_value'" },
		{ "", 1, 1, "unexpected end" },
		{ "{\"tags\": {}} x", 1, 14, "after the document" },
		{ "[1, 2]", 1, 1, "must be a JSON object" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < PS_ARRAY_SIZE(cases); i++) {
		struct lint_tag_policy *tp = NULL;
		struct diag_list dl = DIAG_LIST_INIT;

		assert_int_equal(parse_policy(&tp, cases[i].json, &dl),
		    PS_EINVALID);
		assert_null(tp);
		assert_true(dl.nr >= 1);
		if (dl.items[0].line != cases[i].line ||
		    dl.items[0].col != cases[i].col ||
		    !strstr(dl.items[0].msg, cases[i].needle))
			fprintf(stderr, "case %zu: %u:%u %s\n", i,
			    dl.items[0].line, dl.items[0].col, dl.items[0].msg);
		assert_string_equal(dl.items[0].file, "p.json");
		assert_string_equal(dl.items[0].rule, "tag-policy-syntax");
		assert_int_equal(dl.items[0].line, cases[i].line);
		assert_int_equal(dl.items[0].col, cases[i].col);
		assert_non_null(strstr(dl.items[0].msg, cases[i].needle));
		diag_list_release(&dl);
	}
}

static void
test_lint__tag_policy_hostile_input(void **state)
{
	struct ps_buf b = PS_BUF_INIT;
	struct lint_tag_policy *tp = NULL;
	struct diag_list dl = DIAG_LIST_INIT;
	int i;

	(void)state;
	/* deep nesting: cJSON refuses it, we report, nothing crashes */
	for (i = 0; i < 5000; i++)
		ps_buf_addch(&b, '[');
	assert_int_equal(lint_tag_policy_parse(&tp, "deep.json", b.ptr, b.len,
	    &dl), PS_EINVALID);
	assert_null(tp);
	diag_list_release(&dl);
	/* an embedded NUL */
	assert_int_equal(lint_tag_policy_parse(&tp, "nul.json", "{\"tags\"\0:{}}",
	    12, &dl), PS_EINVALID);
	assert_int_equal(dl.items[0].col, 8);
	diag_list_release(&dl);
	/* quiet: a NULL diag list */
	assert_int_equal(lint_tag_policy_parse(&tp, "q.json", "{", 1, NULL),
	    PS_EINVALID);
	ps_buf_release(&b);
}

/* ---- renderers ---- */

static void
test_lint__github_escaping(void **state)
{
	struct ps_buf b = PS_BUF_INIT;

	(void)state;
	lint_github_escape(&b, "a%b\r\nc:d,e", false);
	assert_string_equal(b.ptr, "a%25b%0D%0Ac:d,e");
	ps_buf_reset(&b);
	lint_github_escape(&b, "dir,x/a:b.yaml%", true);
	assert_string_equal(b.ptr, "dir%2Cx/a%3Ab.yaml%25");
	ps_buf_release(&b);
}

static void
fake_report(struct lint_report *r, size_t n)
{
	size_t i;

	memset(r, 0, sizeof(*r));
	r->items = xcalloc(n, sizeof(*r->items));
	r->nr = r->alloc = n;
	for (i = 0; i < n; i++) {
		r->items[i].rule = "empty-tag-value";
		r->items[i].level = DIAG_WARNING;
		r->items[i].file = xstrdup("dir with space/p,1.yaml");
		r->items[i].line = (unsigned)i + 1;
		r->items[i].col = 3;
		r->items[i].msg = xasprintf("finding %zu: 100%% \"quoted\"\n", i);
	}
	r->warnings = n;
}

static void
test_lint__sarif_truncates_and_says_so(void **state)
{
	struct lint_render_options ro = { .tool_version = TEST_VERSION,
		.sarif_max_results = 10 };
	struct lint_report r;
	struct ps_buf b = PS_BUF_INIT;
	cJSON *doc, *run, *results, *props, *notes;

	size_t i, errors = 0;

	(void)state;
	fake_report(&r, 30);
	/* the last five are errors: they must survive the cut */
	for (i = 25; i < 30; i++)
		r.items[i].level = DIAG_ERROR;
	lint_render(&b, &r, LINT_FORMAT_SARIF, &ro);
	doc = cJSON_Parse(b.ptr);
	assert_non_null(doc);
	run = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "runs"), 0);
	results = cJSON_GetObjectItem(run, "results");
	assert_int_equal(cJSON_GetArraySize(results), 10);
	for (i = 0; i < 10; i++)
		errors += !strcmp(cJSON_GetObjectItem(cJSON_GetArrayItem(results,
		    (int)i), "level")->valuestring, "error");
	assert_int_equal(errors, 5);
	props = cJSON_GetObjectItem(run, "properties");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(props, "truncated")));
	assert_int_equal(cJSON_GetObjectItem(props, "totalResults")->valueint, 30);
	notes = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(run,
	    "invocations"), 0), "toolExecutionNotifications");
	assert_int_equal(cJSON_GetArraySize(notes), 1);
	/* the URI is percent-encoded, the message kept as it is */
	assert_non_null(strstr(b.ptr, "\"dir%20with%20space/p,1.yaml\""));
	cJSON_Delete(doc);

	/* the github format escapes the file property and the message */
	ps_buf_reset(&b);
	lint_render(&b, &r, LINT_FORMAT_GITHUB, &ro);
	assert_non_null(strstr(b.ptr, "::warning file=dir with space/p%2C1.yaml,"
	    "line=1,col=3,title=empty-tag-value::finding 0: 100%25 "
	    "\"quoted\"%0A\n"));
	ps_buf_release(&b);
	lint_report_release(&r);
}

static void
test_lint__text_escapes_control_characters(void **state)
{
	struct lint_render_options ro = { .tool_version = TEST_VERSION,
		.show_suppressed = true };
	struct lint_report r;
	struct ps_buf b = PS_BUF_INIT;

	(void)state;
	fake_report(&r, 2);
	/* a live project's name (from the API) with a newline and an escape
	 * sequence: one finding stays one line, no terminal control */
	free(r.items[0].msg);
	r.items[0].msg = xstrdup("project 'a\nb\033[2J' is not in the "
	    "inventory");
	r.items[0].live_id = xstrdup("proj_x");
	r.items[0].live_arn = xstrdup("arn:x\033]0;t\007");
	r.items[1].suppressed = true;
	r.items[1].suppress_reason = xstrdup("why\nnot");
	lint_render(&b, &r, LINT_FORMAT_TEXT, &ro);
	assert_null(strchr(b.ptr, '\033'));
	assert_null(strchr(b.ptr, '\007'));
	assert_non_null(strstr(b.ptr, "arn:x\\x1b]0;t\\x07: warning: project "
	    "'a\\nb\\x1b[2J' is not in the inventory [empty-tag-value]\n"));
	assert_non_null(strstr(b.ptr, "(suppressed: why\\nnot)\n"));
	ps_buf_release(&b);
	lint_report_release(&r);
}

static void
test_lint__sarif_paths(void **state)
{
	struct lint_render_options ro = { .tool_version = TEST_VERSION,
		.base_dir = "/repo/" };
	struct lint_report r;
	struct ps_buf b = PS_BUF_INIT;

	(void)state;
	fake_report(&r, 3);
	free(r.items[0].file);
	r.items[0].file = xstrdup("/repo/inv/projects.yaml");
	free(r.items[1].file);
	r.items[1].file = xstrdup("/elsewhere/a#b.yaml");
	free(r.items[2].file);
	r.items[2].file = xstrdup("./c:d.yaml");
	lint_render(&b, &r, LINT_FORMAT_SARIF, &ro);
	assert_non_null(strstr(b.ptr, "\"uri\": \"inv/projects.yaml\""));
	assert_non_null(strstr(b.ptr, "\"uri\": \"file:///elsewhere/a%23b.yaml\""));
	assert_non_null(strstr(b.ptr, "\"uri\": \"./c:d.yaml\""));
	ps_buf_release(&b);
	lint_report_release(&r);
}

static void
test_lint__format_parse(void **state)
{
	enum lint_format f;

	(void)state;
	assert_int_equal(lint_format_parse(&f, "sarif"), 0);
	assert_int_equal(f, LINT_FORMAT_SARIF);
	assert_int_equal(lint_format_parse(&f, "github"), 0);
	assert_int_equal(f, LINT_FORMAT_GITHUB);
	assert_int_equal(lint_format_parse(&f, "codeclimate"), 0);
	assert_int_equal(f, LINT_FORMAT_CODECLIMATE);
	assert_int_equal(lint_format_parse(&f, "xml"), PS_EUSAGE);
	assert_int_equal(lint_format_parse(&f, NULL), PS_EUSAGE);
}

/* ---- 1,000 projects: clean, and every rule runs (bench/ times it) ---- */

static void
test_lint__thousand_projects_lint_clean(void **state)
{
	static const char *const envs[] = { "Production", "Development",
		"Staging", "Research" };
	struct ps_buf y = PS_BUF_INIT;
	struct diag_list dl = DIAG_LIST_INIT;
	struct inventory *inv = NULL;
	struct lint_report r = LINT_REPORT_INIT;
	struct lint_options lo = { .today = TODAY };
	int i;

	(void)state;
	ps_buf_adds(&y, "version: 1\nsettings: { name_pattern: "
	    "'{Application}-{Environment:short}-*' }\ntaxonomy:\n"
	    "  required: [Application, Environment, Team, CostCenter]\n"
	    "  tags:\n    Application: {}\n"
	    "    Environment: { allowed: [Production, Development, Staging, "
	    "Research] }\n    Team: {}\n"
	    "    CostCenter: { pattern: '^CC-[0-9]{4}$' }\n    Owner: {}\n"
	    "projects:\n");
	for (i = 0; i < 1000; i++)
		ps_buf_addf(&y, "  - name: App%d-%s-%d\n    tags: { Application: "
		    "App%d, Environment: %s, Team: team%d, CostCenter: CC-%04d, "
		    "Owner: owner%d@example.com }\n", i % 97,
		    lint_short_name(envs[i % 4]), i, i % 97, envs[i % 4], i % 13,
		    1000 + i % 50, i % 200);
	assert_int_equal(inventory_load_buffer(&inv, "big.yaml", y.ptr, y.len,
	    &dl), 0);
	assert_int_equal(lint_run(&r, inv, &dl, &lo), 0);
	assert_int_equal(r.projects, 1000);
	assert_int_equal(r.errors, 0);
	lint_report_release(&r);
	inventory_free(inv);
	diag_list_release(&dl);
	ps_buf_release(&y);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lint__registry_is_complete_and_sorted),
		cmocka_unit_test(test_lint__every_rule_has_a_fixture),
		cmocka_unit_test(test_lint__fixtures),
		cmocka_unit_test(test_lint__short_names),
		cmocka_unit_test(test_lint__near_duplicates_group_distinct_values),
		cmocka_unit_test(test_lint__suppressions_mark_and_count),
		cmocka_unit_test(test_lint__structural_findings_cannot_be_suppressed),
		cmocka_unit_test(test_lint__agrees_with_validate_on_suppressions),
		cmocka_unit_test(test_lint__bad_today_is_a_usage_error),
		cmocka_unit_test(test_lint__name_pattern_forms),
		cmocka_unit_test(test_lint__one_mistake_one_finding),
		cmocka_unit_test(test_lint__loader_failure_still_reports),
		cmocka_unit_test(test_lint__tag_policy_operators),
		cmocka_unit_test(test_lint__tag_policy_errors_have_positions),
		cmocka_unit_test(test_lint__tag_policy_hostile_input),
		cmocka_unit_test(test_lint__github_escaping),
		cmocka_unit_test(test_lint__sarif_truncates_and_says_so),
		cmocka_unit_test(test_lint__sarif_paths),
		cmocka_unit_test(test_lint__text_escapes_control_characters),
		cmocka_unit_test(test_lint__format_parse),
		cmocka_unit_test(test_lint__thousand_projects_lint_clean),
	};

	fixtures_enter();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
