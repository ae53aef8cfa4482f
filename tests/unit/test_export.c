/*
 * Unit tests for the export module without a server: the proposed
 * taxonomy (80% rules), the "to fix" marks and warnings, --required,
 * --no-infer, selection and YAML quoting.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "export/export.h"

/* add(st, id, name, archived, "K=V,K=V") */
static void
add(struct live_state *st, const char *id, const char *name, bool archived,
    const char *tags)
{
	struct live_project p = { 0 };
	char *copy = xstrdup(tags), *kv, *save = NULL, *eq;

	p.id = xstrdup(id);
	p.name = xstrdup(name);
	p.archived = archived;
	for (kv = strtok_r(copy, ",", &save); kv; kv = strtok_r(NULL, ",",
	    &save)) {
		eq = strchr(kv, '=');
		*eq = '\0';
		tag_set_put(&p.tags, kv, eq + 1);
	}
	free(copy);
	live_state_add(st, &p);
}

static const struct export_key *
key(const struct export_taxonomy *t, const char *k)
{
	size_t i;

	for (i = 0; i < t->nr; i++)
		if (!strcmp(t->keys[i].key, k))
			return &t->keys[i];
	fail_msg("no key %s", k);
	return NULL;
}

static void
test_export__infers_what_most_follow(void **state)
{
	struct live_state st = LIVE_STATE_INIT;
	const struct live_project *ps[8];
	struct export_options o = { .infer = true };
	struct export_taxonomy t;
	const struct export_key *k;
	size_t i;

	(void)state;
	add(&st, "proj_1", "a", false, "Team=T0,Env=Prod,CostCenter=CC-1,Owner=x");
	add(&st, "proj_2", "b", false, "Team=T0,Env=Prod,CostCenter=CC-2");
	add(&st, "proj_3", "c", false, "Team=T1,Env=Prod,CostCenter=CC-3");
	add(&st, "proj_4", "d", false, "Team=T1,Env=Prod,CostCenter=CC-4");
	add(&st, "proj_5", "e", false, "Team=T2,Env=Dev,CostCenter=");
	/* archived projects do not vote */
	add(&st, "proj_6", "f", true, "Legacy=1");
	for (i = 0; i < st.nr; i++)
		ps[i] = &st.items[i];
	export_infer_taxonomy(&t, ps, st.nr, &o);
	assert_int_equal(t.nr, 4);	/* Legacy: only archived */
	k = key(&t, "Team");		/* 5 of 5 */
	assert_true(k->required);
	/* T0, T1 repeat and cover 4 of 5 uses: 80% */
	assert_int_equal(k->allowed_nr, 2);
	assert_string_equal(k->allowed[0], "T0");
	assert_string_equal(k->allowed[1], "T1");
	k = key(&t, "CostCenter");	/* 4 of 5 set: 80% */
	assert_true(k->required);
	assert_null(k->allowed);	/* no value repeats */
	k = key(&t, "Env");
	assert_true(k->required);
	assert_int_equal(k->allowed_nr, 1);
	assert_false(key(&t, "Owner")->required);
	export_taxonomy_release(&t);

	/* --required and --no-infer */
	{
		char *req[] = { "Owner", "Budget" };

		o.infer = false;
		o.required = req;
		o.required_nr = 2;
		export_infer_taxonomy(&t, ps, st.nr, &o);
		assert_true(key(&t, "Owner")->required);
		assert_true(key(&t, "Budget")->required);	/* nobody has it */
		assert_false(key(&t, "Team")->required);
		assert_null(key(&t, "Team")->allowed);
		assert_string_equal(t.keys[0].key, "Budget");	/* sorted */
		export_taxonomy_release(&t);
	}
	live_state_release(&st);
}

static void
test_export__marks_and_warns(void **state)
{
	struct live_state st = LIVE_STATE_INIT;
	struct export_options o = { .infer = true, .endpoint = "https://e/v1",
		.region = "eu-west-1" };
	struct export_result r = EXPORT_RESULT_INIT;

	(void)state;
	add(&st, "default", "default", false, "");
	add(&st, "proj_1", "a", false, "Team=T0,Env=Prod");
	add(&st, "proj_2", "b", false, "Team=T0,Env=Prod");
	add(&st, "proj_3", "c", false, "Team=T0,Env=Prod");
	add(&st, "proj_4", "d", false, "Team=T0,Env=Prod,aws:cf=x");
	add(&st, "proj_5", "e", false, "Env=Prd");
	add(&st, "proj_7", "e", false, "Env=Prod");	/* same name: left out */
	assert_int_equal(export_run(&r, &st, &o), 0);
	assert_int_equal(r.projects, 5);
	assert_non_null(strstr(r.yaml.ptr, "settings:\n  region: eu-west-1\n"
	    "  ignore_tags: [\"aws:*\"]\ntaxonomy:\n  required: [Env, Team]\n"
	    "  tags:\n    Env: { allowed: [Prod] }\n    Team: { allowed: [T0] }\n"));
	assert_non_null(strstr(r.yaml.ptr, "  - name: e\n    id: proj_5\n"
	    "    # to fix: Env value not in its allowed list; no Team tag\n"));
	assert_null(strstr(r.yaml.ptr, "default"));
	assert_null(strstr(r.yaml.ptr, "aws:cf"));
	assert_int_equal(r.warnings_nr, 3);
	assert_string_equal(r.warnings[0], "proj_5 and proj_7 are both named "
	    "'e'; only proj_5 is exported (rename one to manage both)");
	assert_string_equal(r.warnings[1], "1 project uses a 'Env' value "
	    "outside its inferred allowed list (marked \"to fix\"): fix the "
	    "value, or add it to the list");
	assert_string_equal(r.warnings[2], "1 project lacks the required tag "
	    "'Team' (marked \"to fix\"): tag it, or drop the key from "
	    "taxonomy.required");
	export_result_release(&r);

	{
		char *bad[] = { "aws:x" };

		o.required = bad;
		o.required_nr = 1;
		assert_int_equal(export_run(&r, &st, &o), PS_EUSAGE);
		export_result_release(&r);
	}
	live_state_release(&st);
}

static void
test_export__yaml_scalars_round_trip(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "Plain-1.0/x_y", "Plain-1.0/x_y" },
		{ "yes", "\"yes\"" },
		{ "0123", "\"0123\"" },
		{ "a: b", "\"a: b\"" },
		{ "tab\there \"q\" \\", "\"tab\\there \\\"q\\\" \\\\\"" },
		{ "", "\"\"" },
		{ "\xc2\x85", "\"\\N\"" },
	};
	struct ps_buf b = PS_BUF_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < PS_ARRAY_SIZE(cases); i++) {
		ps_buf_reset(&b);
		export_yaml_scalar(&b, cases[i].in);
		assert_string_equal(b.ptr, cases[i].out);
	}
	ps_buf_release(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_export__infers_what_most_follow),
		cmocka_unit_test(test_export__marks_and_warns),
		cmocka_unit_test(test_export__yaml_scalars_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
