/* Unit tests for the semantic inventory diff (src/invdiff). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "invdiff/invdiff.h"
#include "inventory/inventory.h"
#include "util/util.h"

static struct inventory *
inv_from(const char *yaml)
{
	struct inventory *inv = NULL;
	struct diag_list dl = DIAG_LIST_INIT;
	int err = inventory_load_buffer(&inv, "projects.yaml", yaml,
	    strlen(yaml), &dl);
	size_t i;

	for (i = 0; i < dl.nr; i++)
		if (dl.items[i].level == DIAG_ERROR)
			print_error("%u:%u: %s\n", dl.items[i].line,
			    dl.items[i].col, dl.items[i].msg);
	assert_int_equal(err, 0);
	diag_list_release(&dl);
	return inv;
}

static const struct invdiff_project *
find_pdiff(const struct invdiff *d, const char *name,
    enum invdiff_pkind kind)
{
	size_t i;

	for (i = 0; i < d->projects_nr; i++)
		if (!strcmp(d->projects[i].name, name) &&
		    d->projects[i].kind == kind)
			return &d->projects[i];
	return NULL;
}

static const struct invdiff_change *
find_change(const struct invdiff_change *c, size_t n, const char *subject,
    size_t nth)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(c[i].subject, subject) && nth-- == 0)
			return &c[i];
	return NULL;
}

#define ASSERT_CHANGE(c, f, t) do {					\
	assert_non_null(c);						\
	if (f) assert_string_equal((c)->from, (f));			\
	else assert_null((c)->from);					\
	if (t) assert_string_equal((c)->to, (t));			\
	else assert_null((c)->to);					\
} while (0)

static const char diff_a[] =
    "version: 1\n"
    "settings: { region: us-east-1, ignore_tags: ['aws:*'], "
    "safety: { max_changes: 50 } }\n"
    "taxonomy:\n"
    "  required: [Application, Team]\n"
    "  tags:\n"
    "    Application: { allowed: [Bot, Exp, Data] }\n"
    "    Team: {}\n"
    "    CostCenter: { pattern: '^CC-[0-9]{4}$' }\n"
    "    Legacy: {}\n"
    "defaults: { tags: { Team: Core } }\n"
    "projects:\n"
    "  - { name: Keep, tags: { Application: Bot, CostCenter: CC-0001 } }\n"
    "  - { name: Old-Name, id: proj_aaa, tags: { Application: Bot } }\n"
    "  - { name: Gone, tags: { Application: Exp } }\n"
    "  - { name: Pinned-Later, tags: { Application: Data } }\n"
    "  - { name: Same, id: proj_one, tags: { Application: Data } }\n"
    "  - { name: Tags, tags: { Application: Bot, Owner: al, X: y } }\n";

static const char diff_b[] =
    "version: 1\n"
    "settings: { region: eu-west-1, unmanaged: archive, ignore_tags: "
    "['aws:*', 'sys:*'], safety: { max_changes: 80 }, record: true }\n"
    "taxonomy:\n"
    "  required: [Team, Application, Owner]\n"
    "  closed: true\n"
    "  tags:\n"
    "    Application: { allowed: [Bot, Data, New] }\n"
    "    Team: { allowed: [Core, Edge] }\n"
    "    CostCenter: { pattern: '^CC-[0-9]{5}$' }\n"
    "    Owner: {}\n"
    "defaults: { tags: { Team: Edge } }\n"
    "projects:\n"
    "  - { name: Keep, tags: { Application: Bot, CostCenter: CC-0001,"
    " Team: Core, Owner: o } }\n"
    "  - { name: New-Name, id: proj_aaa, archived: true, tags: "
    "{ Application: Bot, Owner: o } }\n"
    "  - { name: Pinned-Later, id: proj_zzz, tags: { Application: Data,"
    " Owner: o } }\n"
    "  - { name: Same, id: proj_two, tags: { Application: Data, Owner: o"
    " } }\n"
    "  - { name: Tags, tags: { Application: Data, Owner: al, Z: z } }\n"
    "  - { name: Added, tags: { Application: New, Owner: o } }\n";

static void
test_invdiff__projects(void **state)
{
	struct inventory *a = inv_from(diff_a), *b = inv_from(diff_b);
	struct invdiff *d = NULL;
	const struct invdiff_project *p;

	(void)state;
	invdiff_new(&d, a, "main", "1111111111111111111111111111111111111111",
	    b, "pr", "2222222222222222222222222222222222222222");
	assert_false(invdiff_empty(d));
	/* Added, Same (new pin) added; Gone, Same (old pin) removed;
	 * New-Name, Pinned-Later, Tags, Keep changed. */
	assert_int_equal(d->added, 2);
	assert_int_equal(d->removed, 2);
	assert_int_equal(d->changed, 4);
	assert_int_equal(d->renamed, 1);
	/* sorted by name */
	assert_string_equal(d->projects[0].name, "Added");
	assert_string_equal(d->projects[d->projects_nr - 1].name, "Tags");

	/* Renamed: same pin, new name, archived, tag added. */
	p = find_pdiff(d, "New-Name", INVDIFF_P_CHANGE);
	assert_non_null(p);
	assert_true(p->renamed);
	assert_string_equal(p->id, "proj_aaa");
	ASSERT_CHANGE(find_change(p->attrs, p->attrs_nr, "name", 0),
	    "Old-Name", "New-Name");
	ASSERT_CHANGE(find_change(p->attrs, p->attrs_nr, "archived", 0),
	    "false", "true");
	/* the default Team changed under it */
	ASSERT_CHANGE(find_change(p->tags, p->tags_nr, "Team", 0), "Core",
	    "Edge");
	ASSERT_CHANGE(find_change(p->tags, p->tags_nr, "Owner", 0), NULL,
	    "o");
	assert_null(find_pdiff(d, "Old-Name", INVDIFF_P_REMOVE));

	/* A pin added to a project matched by name. */
	p = find_pdiff(d, "Pinned-Later", INVDIFF_P_CHANGE);
	assert_non_null(p);
	assert_false(p->renamed);
	ASSERT_CHANGE(find_change(p->attrs, p->attrs_nr, "id", 0), NULL,
	    "proj_zzz");

	/* Same name, two different pins: two different projects. */
	p = find_pdiff(d, "Same", INVDIFF_P_ADD);
	assert_non_null(p);
	assert_string_equal(p->id, "proj_two");
	p = find_pdiff(d, "Same", INVDIFF_P_REMOVE);
	assert_non_null(p);
	assert_string_equal(p->id, "proj_one");
	ASSERT_CHANGE(find_change(p->tags, p->tags_nr, "Application", 0),
	    "Data", NULL);

	/* Tags: changed, kept, removed, added; Team stays Core by its own
	 * tag on Keep, which is unchanged except the new Owner. */
	p = find_pdiff(d, "Tags", INVDIFF_P_CHANGE);
	assert_non_null(p);
	assert_int_equal(p->attrs_nr, 0);
	ASSERT_CHANGE(find_change(p->tags, p->tags_nr, "Application", 0),
	    "Bot", "Data");
	assert_null(find_change(p->tags, p->tags_nr, "Owner", 0));
	ASSERT_CHANGE(find_change(p->tags, p->tags_nr, "X", 0), "y", NULL);
	ASSERT_CHANGE(find_change(p->tags, p->tags_nr, "Z", 0), NULL, "z");
	p = find_pdiff(d, "Keep", INVDIFF_P_CHANGE);
	assert_non_null(p);
	assert_int_equal(p->tags_nr, 1);
	ASSERT_CHANGE(&p->tags[0], NULL, "o");
	p = find_pdiff(d, "Added", INVDIFF_P_ADD);
	assert_int_equal(p->tags_nr, 3);	/* with the default Team */
	ASSERT_CHANGE(find_change(p->tags, p->tags_nr, "Team", 0), NULL,
	    "Edge");
	invdiff_free(d);
	inventory_free(a);
	inventory_free(b);
}

static void
test_invdiff__taxonomy_settings_defaults(void **state)
{
	struct inventory *a = inv_from(diff_a), *b = inv_from(diff_b);
	struct invdiff *d = NULL;
	const struct invdiff_change *t, *s;
	size_t tn, sn;

	(void)state;
	invdiff_new(&d, a, "main", NULL, b, "pr", NULL);
	t = d->taxonomy;
	tn = d->taxonomy_nr;
	/* required is a set: reordering is no change */
	ASSERT_CHANGE(find_change(t, tn, "required", 0), NULL, "Owner");
	assert_null(find_change(t, tn, "required", 1));
	ASSERT_CHANGE(find_change(t, tn, "closed", 0), "false", "true");
	ASSERT_CHANGE(find_change(t, tn, "tags.Application.allowed", 0),
	    "Exp", NULL);
	ASSERT_CHANGE(find_change(t, tn, "tags.Application.allowed", 1),
	    NULL, "New");
	ASSERT_CHANGE(find_change(t, tn, "tags.Team.allowed", 0), NULL,
	    "Core, Edge");
	ASSERT_CHANGE(find_change(t, tn, "tags.CostCenter.pattern", 0),
	    "^CC-[0-9]{4}$", "^CC-[0-9]{5}$");
	ASSERT_CHANGE(find_change(t, tn, "tags.Legacy", 0), "any value",
	    NULL);
	ASSERT_CHANGE(find_change(t, tn, "tags.Owner", 0), NULL,
	    "any value");
	assert_int_equal(tn, 8);

	s = d->settings;
	sn = d->settings_nr;
	ASSERT_CHANGE(find_change(s, sn, "region", 0), "us-east-1",
	    "eu-west-1");
	ASSERT_CHANGE(find_change(s, sn, "unmanaged", 0), "report",
	    "archive");
	ASSERT_CHANGE(find_change(s, sn, "ignore_tags", 0), NULL, "sys:*");
	ASSERT_CHANGE(find_change(s, sn, "safety.max_changes", 0), "50",
	    "80");
	assert_int_equal(find_change(s, sn, "safety.max_changes", 0)->type,
	    INVDIFF_V_NUM);
	ASSERT_CHANGE(find_change(s, sn, "record", 0), "false", "true");
	assert_int_equal(sn, 5);

	assert_int_equal(d->defaults_nr, 1);
	ASSERT_CHANGE(&d->defaults[0], "Core", "Edge");
	assert_string_equal(d->defaults[0].subject, "Team");
	invdiff_free(d);

	/* the same inventory: nothing at all */
	invdiff_new(&d, a, "x", NULL, a, "y", NULL);
	assert_true(invdiff_empty(d));
	{
		struct ps_buf b2 = PS_BUF_INIT;

		invdiff_summary(&b2, d);
		assert_string_equal(b2.ptr,
		    "No changes. The inventories are equivalent.");
		ps_buf_release(&b2);
	}
	invdiff_free(d);
	inventory_free(a);
	inventory_free(b);
}

static void
test_invdiff__renderers(void **state)
{
	struct inventory *a = inv_from(diff_a), *b = inv_from(diff_b);
	struct invdiff *d = NULL;
	struct ps_buf o = PS_BUF_INIT;
	cJSON *doc, *p, *sum;

	(void)state;
	invdiff_new(&d, a, "main", "1111111111111111111111111111111111111111",
	    b, "pr", "2222222222222222222222222222222222222222");
	invdiff_render_text(&o, d, 0);
	assert_non_null(strstr(o.ptr, "Comparing 'projects.yaml' at main "
	    "(1111111) and pr (2222222).\n"));
	assert_non_null(strstr(o.ptr, "  ~ \"New-Name\" (proj_aaa) changed\n"
	    "      ~ name     = \"Old-Name\" -> \"New-Name\"\n"
	    "      ~ archived = false -> true\n"));
	assert_non_null(strstr(o.ptr, "  - \"Gone\" removed\n"));
	assert_non_null(strstr(o.ptr, "  + tags.Application.allowed = "
	    "\"New\"\n"));
	assert_non_null(strstr(o.ptr, "  ~ safety.max_changes = 50 -> 80\n"));
	assert_non_null(strstr(o.ptr, "\nProjects: 2 added, 2 removed, 4 "
	    "changed (1 renamed). Taxonomy: 8 changes. Settings: 5 changes. "
	    "Defaults: 1 change.\n"));
	assert_null(strstr(o.ptr, "\033["));
	ps_buf_reset(&o);
	invdiff_render_text(&o, d, INVDIFF_RENDER_COLOR);
	assert_non_null(strstr(o.ptr, "\033[32m+\033[0m"));

	ps_buf_reset(&o);
	invdiff_render_markdown(&o, d);
	assert_non_null(strstr(o.ptr, "### projsync diff\n\n**Projects: 2 "
	    "added"));
	assert_non_null(strstr(o.ptr, "- **New-Name** (`proj_aaa`): renamed "
	    "from `Old-Name`; archived `false` → `true`; Owner added `o`; "
	    "Team `Core` → `Edge`\n"));
	assert_non_null(strstr(o.ptr, "#### Removed (2)\n"));

	ps_buf_reset(&o);
	invdiff_render_json(&o, d);
	doc = cJSON_Parse(o.ptr);
	assert_non_null(doc);
	assert_int_equal(cJSON_GetObjectItem(doc, "format_version")->valueint,
	    1);
	sum = cJSON_GetObjectItem(doc, "summary");
	assert_int_equal(cJSON_GetObjectItem(sum, "renamed")->valueint, 1);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(sum, "changes")));
	p = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "projects"), 0);
	assert_string_equal(cJSON_GetObjectItem(p, "name")->valuestring,
	    "Added");
	assert_string_equal(cJSON_GetObjectItem(p, "change")->valuestring,
	    "add");
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(doc,
	    "to"), "commit")->valuestring,
	    "2222222222222222222222222222222222222222");
	{
		cJSON *s = cJSON_GetArrayItem(cJSON_GetObjectItem(doc,
		    "settings"), 3);

		assert_string_equal(cJSON_GetObjectItem(s, "subject")->
		    valuestring, "safety.max_changes");
		assert_int_equal(cJSON_GetObjectItem(s, "to")->valueint, 80);
	}
	cJSON_Delete(doc);
	ps_buf_release(&o);
	invdiff_free(d);
	inventory_free(a);
	inventory_free(b);
}

static void
test_invdiff__markdown_no_mention_reference_or_math(void **state)
{
	struct inventory *a, *b;
	struct invdiff *d = NULL;
	struct ps_buf o = PS_BUF_INIT;

	(void)state;
	a = inv_from("version: 1\n");
	b = inv_from("version: 1\ntaxonomy: { required: [] }\nprojects:\n"
	    "  - name: '@octocat fixes #12 for $5 $x$'\n"
	    "  - name: ' padded '\n");
	invdiff_new(&d, a, "a", NULL, b, "b", NULL);
	invdiff_render_markdown(&o, d);
	assert_non_null(strstr(o.ptr, "**@\xe2\x80\x8boctocat fixes "
	    "\\#\xe2\x80\x8b" "12 for \\$5 \\$x\\$**"));
	/* '** padded **' would not be bold */
	assert_non_null(strstr(o.ptr, "- **&nbsp;padded&nbsp;**"));
	ps_buf_release(&o);
	invdiff_free(d);
	inventory_free(a);
	inventory_free(b);
}

static void
test_invdiff__markdown_stays_short(void **state)
{
	struct ps_buf y = PS_BUF_INIT, o = PS_BUF_INIT;
	struct inventory *a, *b;
	struct invdiff *d = NULL;
	int i;

	(void)state;
	a = inv_from("version: 1\n");
	ps_buf_adds(&y, "version: 1\nsettings: { project_limit: 5000 }\n"
	    "projects:\n");
	for (i = 0; i < 3000; i++)
		ps_buf_addf(&y, "  - { name: Project-with-a-long-name-%05d, "
		    "tags: { Application: App-%d, Environment: Production, "
		    "Team: T, CostCenter: CC-%04d } }\n", i, i, i);
	b = inv_from(y.ptr);
	invdiff_new(&d, a, "a", NULL, b, "b", NULL);
	assert_int_equal(d->added, 3000);
	invdiff_render_markdown(&o, d);
	assert_true(o.len < 60000);
	assert_non_null(strstr(o.ptr, "entries not shown to keep this "
	    "comment short"));
	/* text is never cut */
	ps_buf_reset(&o);
	invdiff_render_text(&o, d, 0);
	assert_non_null(strstr(o.ptr, "Project-with-a-long-name-02999"));
	ps_buf_release(&o);
	ps_buf_release(&y);
	invdiff_free(d);
	inventory_free(a);
	inventory_free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_invdiff__projects),
		cmocka_unit_test(test_invdiff__taxonomy_settings_defaults),
		cmocka_unit_test(test_invdiff__renderers),
		cmocka_unit_test(test_invdiff__markdown_stays_short),
		cmocka_unit_test(test_invdiff__markdown_no_mention_reference_or_math),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
