/*
 * Unit tests for plan: matching and actions, ignore_tags, unmanaged modes,
 * the default project, safety and quota checks, the plan file codec (round
 * trip and strict rejection), renderers and the stale check.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan/internal.h"
#include "plan/plan.h"
#include "plan_helpers.h"

/* markdown counts by these keys (the inventory's taxonomy.required) */
static char *md_keys[] = { "Team", "CostCenter" };
static const struct plan_md_target md_target = { "projects.yaml", NULL,
	NULL, NULL, NULL, md_keys, 2 };

/* Does s start with prefix?  (Shows both when not.) */
static bool
starts(const char *s, const char *prefix)
{
	if (strncmp(s, prefix, strlen(prefix)) == 0)
		return true;
	print_error("want: %s\ngot:  %.*s\n", prefix, (int)strlen(prefix), s);
	return false;
}

struct fx {
	struct inventory *inv;
	struct live_state live;
	struct ps_buf page;
	struct plan *plan;
};

static int
setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof(*f));

	f->inv = tinv_new();
	tlive_begin(&f->page);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	plan_free(f->plan);
	live_state_release(&f->live);
	ps_buf_release(&f->page);
	tinv_free(f->inv);
	free(f);
	return 0;
}

/* Finish the live page and diff; returns plan_diff's status. */
static int
diff(struct fx *f)
{
	static const struct plan_options opts = {
		"http://user:secret@127.0.0.1:8080/v1?key=x", "0123abc"
	};

	assert_int_equal(tlive_end(&f->live, &f->page), 0);
	return plan_diff(&f->plan, f->inv, &f->live, &opts);
}

static const struct plan_change *
find_change(const struct plan *p, enum plan_action a, const char *name)
{
	size_t i;

	for (i = 0; i < p->changes_nr; i++)
		if (p->changes[i].action == a &&
		    !plan__strcmp_null(p->changes[i].name, name))
			return &p->changes[i];
	return NULL;
}

/* Render text into a static-lifetime buffer owned by the caller. */
static void
text(struct ps_buf *out, const struct plan *p)
{
	ps_buf_reset(out);
	plan_render_text(out, p, PLAN_RENDER_WARNINGS);
}

/* ---- diff ---- */

static void
test_plan__unchanged(void **state)
{
	struct fx *f = *state;
	struct ps_buf t = PS_BUF_INIT;

	tinv_add(f->inv, "Chatbot", NULL, false, "Team=CX,Env=Prod");
	tinv_add(f->inv, "Batch", "proj_b", false, "Team=DS");
	tlive_add(&f->page, "proj_a", "Chatbot", false, "Env=Prod,Team=CX");
	tlive_add(&f->page, "proj_b", "Batch", false, "Team=DS");
	assert_int_equal(diff(f), 0);
	assert_int_equal(f->plan->changes_nr, 0);
	assert_int_equal(f->plan->summary.unchanged, 2);
	assert_int_equal(plan_change_count(f->plan), 0);
	assert_int_equal(f->plan->fingerprints_nr, 0);
	assert_true(f->plan->safety_ok);
	text(&t, f->plan);
	assert_string_equal(t.ptr, "No changes. The account at "
	    "http://127.0.0.1:8080/v1 matches the inventory.\n");
	ps_buf_release(&t);
}

static void
test_plan__tag_drift_minimal_diff(void **state)
{
	struct fx *f = *state;
	const struct plan_change *c;

	tinv_ignore(f->inv, "aws:*");
	tinv_add(f->inv, "Chatbot", NULL, false,
	    "Team=CX,CostCenter=CC-2002,Owner=bob");
	tlive_add(&f->page, "proj_a", "Chatbot", false,
	    "Team=CX,CostCenter=CC-1001,Old=x,aws:cloudformation:stack=s");
	assert_int_equal(diff(f), 0);
	assert_int_equal(f->plan->changes_nr, 1);
	c = &f->plan->changes[0];
	assert_int_equal(c->action, PLAN_UPDATE);
	assert_string_equal(c->id, "proj_a");
	assert_false(c->rename);
	assert_int_equal(c->add_tags.nr, 2);
	assert_string_equal(tag_set_get(&c->add_tags, "CostCenter"), "CC-2002");
	assert_string_equal(tag_set_get(&c->add_tags, "Owner"), "bob");
	assert_null(tag_set_get(&c->add_tags, "Team"));	/* unchanged */
	assert_int_equal(c->remove_nr, 1);
	assert_string_equal(c->remove_tag_keys[0], "Old");	/* aws:* kept */
	assert_true(c->has_before);
	assert_string_equal(tag_set_get(&c->before.tags, "CostCenter"),
	    "CC-1001");
	assert_int_equal(f->plan->fingerprints_nr, 1);
	assert_string_equal(f->plan->fingerprints[0].id, "proj_a");
	assert_int_equal(f->plan->summary.update, 1);
	assert_int_equal(f->plan->summary.unchanged, 0);
}

static void
test_plan__ignore_tags_never_added_or_removed(void **state)
{
	struct fx *f = *state;
	const struct plan_change *c;

	tinv_ignore(f->inv, "Owner*");
	tinv_add(f->inv, "A", NULL, false, "Team=CX,Owner=alice");
	tinv_add(f->inv, "B", NULL, false, "Team=CX,OwnerEmail=b@x");
	tlive_add(&f->page, "proj_a", "A", false, "Team=CX,Owner=carol");
	assert_int_equal(diff(f), 0);
	/* A: Owner differs but is ignored → unchanged; B: created without it */
	assert_null(find_change(f->plan, PLAN_UPDATE, "A"));
	c = find_change(f->plan, PLAN_CREATE, "B");
	assert_non_null(c);
	assert_null(tag_set_get(&c->tags, "OwnerEmail"));
	assert_string_equal(tag_set_get(&c->tags, "Team"), "CX");
	assert_int_equal(f->plan->summary.unchanged, 1);
	assert_int_equal(f->plan->warnings_nr, 2);
	assert_non_null(strstr(f->plan->warnings[0], "'Owner'"));
	assert_non_null(strstr(f->plan->warnings[0], "ignore_tags"));
	assert_non_null(strstr(f->plan->warnings[1], "'OwnerEmail'"));
}

static void
test_plan__never_same_key_in_add_and_remove(void **state)
{
	struct fx *f = *state;
	const struct plan_change *c;
	size_t i;

	tinv_add(f->inv, "A", NULL, false, "a=1,b=2,c=3");
	tlive_add(&f->page, "proj_a", "A", false, "a=9,c=3,d=4,e=5");
	assert_int_equal(diff(f), 0);
	c = &f->plan->changes[0];
	assert_int_equal(c->add_tags.nr, 2);	/* a changed, b new */
	assert_int_equal(c->remove_nr, 2);	/* d, e */
	for (i = 0; i < c->remove_nr; i++)
		assert_null(tag_set_get(&c->add_tags, c->remove_tag_keys[i]));
	assert_string_equal(c->remove_tag_keys[0], "d");
	assert_string_equal(c->remove_tag_keys[1], "e");
}

static void
test_plan__rename_by_id(void **state)
{
	struct fx *f = *state;
	const struct plan_change *c;
	struct ps_buf t = PS_BUF_INIT;

	tinv_add(f->inv, "Data-Pipeline", "proj_d", false, "Team=DS");
	tlive_add(&f->page, "proj_d", "data-pipeline", false, "Team=DS");
	/* an active project with the new name must not be taken by name */
	tlive_add(&f->page, "proj_x", "Other", false, NULL);
	assert_int_equal(diff(f), 0);
	c = find_change(f->plan, PLAN_UPDATE, "Data-Pipeline");
	assert_non_null(c);
	assert_true(c->rename);
	assert_string_equal(c->rename_from, "data-pipeline");
	assert_string_equal(c->id, "proj_d");
	assert_int_equal(c->add_tags.nr, 0);
	assert_int_equal(c->remove_nr, 0);
	text(&t, f->plan);
	assert_non_null(strstr(t.ptr, "~ \"Data-Pipeline\" (proj_d) will be "
	    "updated in place\n      ~ name = \"data-pipeline\" -> "
	    "\"Data-Pipeline\"\n"));
	ps_buf_release(&t);
}

static void
test_plan__pin_claims_before_name_match(void **state)
{
	struct fx *f = *state;

	/* proj_1 is named "B" but pinned to inventory "A"; "B" must be a
	 * create, not a second claim on proj_1 */
	tinv_add(f->inv, "A", "proj_1", false, NULL);
	tinv_add(f->inv, "B", NULL, false, NULL);
	tlive_add(&f->page, "proj_1", "B", false, NULL);
	assert_int_equal(diff(f), 0);
	assert_non_null(find_change(f->plan, PLAN_UPDATE, "A"));
	assert_non_null(find_change(f->plan, PLAN_CREATE, "B"));
	assert_int_equal(f->plan->summary.unmanaged, 0);
}

static void
test_plan__rename_onto_unmanaged_name_warns(void **state)
{
	struct fx *f = *state;

	tinv_add(f->inv, "Shared", "proj_1", false, NULL);
	tlive_add(&f->page, "proj_1", "old", false, NULL);
	tlive_add(&f->page, "proj_2", "Shared", false, NULL);
	assert_int_equal(diff(f), 0);
	assert_non_null(find_change(f->plan, PLAN_UPDATE, "Shared"));
	assert_non_null(find_change(f->plan, PLAN_UNMANAGED, "Shared"));
	assert_int_equal(f->plan->warnings_nr, 1);
	assert_string_equal(f->plan->warnings[0], "renaming proj_1 to "
	    "'Shared', a name that proj_2 (not in the inventory) already has; "
	    "names will be ambiguous");
}

static void
test_plan__archived_same_name_creates_with_warning(void **state)
{
	struct fx *f = *state;
	const struct plan_change *c;

	tinv_add(f->inv, "Legacy", NULL, false, "Team=CX");
	tlive_add(&f->page, "proj_old", "Legacy", true, "Team=CX");
	assert_int_equal(diff(f), 0);
	c = find_change(f->plan, PLAN_CREATE, "Legacy");
	assert_non_null(c);
	assert_null(c->id);
	assert_string_equal(tag_set_get(&c->tags, "Team"), "CX");
	assert_int_equal(f->plan->warnings_nr, 1);
	assert_non_null(strstr(f->plan->warnings[0], "proj_old"));
	assert_non_null(strstr(f->plan->warnings[0], "irreversible"));
	/* archived projects are not unmanaged either */
	assert_int_equal(f->plan->summary.unmanaged, 0);
}

static void
test_plan__ambiguous_names_refused_with_both_ids(void **state)
{
	struct fx *f = *state;
	const char *msg;

	tinv_add(f->inv, "Twin", NULL, false, NULL);
	tinv_add(f->inv, "Fine", NULL, false, NULL);
	tlive_add(&f->page, "proj_t2", "Twin", false, "Team=A");
	tlive_add(&f->page, "proj_t1", "Twin", false, "Team=B");
	assert_int_equal(diff(f), PS_EREFUSED);
	assert_null(f->plan);
	msg = ps_error_last();
	assert_non_null(strstr(msg, "proj_t1, proj_t2"));
	assert_non_null(strstr(msg, "'id:' pin"));
	assert_non_null(strstr(msg, "projects.yaml:10:11: "));
	assert_null(strstr(msg, "Fine"));
}

/* Same name and same tags: a racing apply's duplicates.  The survivor
 * every run agrees on (oldest, then smallest id) is matched; the others
 * are neither changed nor reported, and a warning says why. */
static void
test_plan__racing_duplicates_match_the_survivor(void **state)
{
	struct fx *f = *state;

	tinv_add(f->inv, "Twin", NULL, false, "Team=A");
	tlive_add(&f->page, "proj_t2", "Twin", false, "Team=A");
	tlive_add(&f->page, "proj_t1", "Twin", false, "Team=A");
	tlive_add(&f->page, "proj_t3", "Twin", false, "Team=A");
	assert_int_equal(diff(f), 0);
	assert_int_equal(f->plan->summary.unchanged, 1);
	assert_int_equal(f->plan->summary.unmanaged, 0);
	assert_int_equal(f->plan->summary.create, 0);
	assert_int_equal(f->plan->warnings_nr, 1);
	assert_non_null(strstr(f->plan->warnings[0], "using the oldest, proj_t1"));
}

static void
test_plan__duplicate_names_resolved_by_pin(void **state)
{
	struct fx *f = *state;

	tinv_add(f->inv, "Twin", "proj_t1", false, NULL);
	tlive_add(&f->page, "proj_t1", "Twin", false, NULL);
	tlive_add(&f->page, "proj_t2", "Twin", false, NULL);
	assert_int_equal(diff(f), 0);
	assert_int_equal(f->plan->summary.unchanged, 1);
	assert_int_equal(f->plan->summary.unmanaged, 1);
	assert_string_equal(find_change(f->plan, PLAN_UNMANAGED,
	    "Twin")->id, "proj_t2");
}

static void
test_plan__pin_problems_refused(void **state)
{
	struct fx *f = *state;
	const char *msg;

	tinv_add(f->inv, "Gone", "proj_missing", false, NULL);
	tinv_add(f->inv, "Old", "proj_arch", false, NULL);
	tinv_add(f->inv, "Def", "default", false, NULL);
	tlive_add(&f->page, "proj_arch", "Old", true, NULL);
	assert_int_equal(diff(f), PS_EREFUSED);
	msg = ps_error_last();
	assert_non_null(strstr(msg, "'proj_missing', which does not exist"));
	assert_non_null(strstr(msg, "'proj_arch', which is archived"));
	assert_non_null(strstr(msg, "irreversible"));
	assert_non_null(strstr(msg, "default project is never managed"));
	/* one line per problem */
	assert_non_null(strchr(strchr(msg, '\n') + 1, '\n'));
}

/* plan_match() is the matcher plan_diff() and `output` share: pins, then
 * names, the survivor of a racing apply's duplicates claiming them all. */
static void
test_plan__match_pins_names_and_survivor(void **state)
{
	struct fx *f = *state;
	struct plan_match m;

	tinv_add(f->inv, "Pinned", "proj_p2", false, NULL);
	tinv_add(f->inv, "Twin", NULL, false, "Team=A");
	tinv_add(f->inv, "Solo", NULL, false, NULL);
	tinv_add(f->inv, "Later", NULL, false, NULL);
	tinv_add(f->inv, "Gone", NULL, true, NULL);
	tlive_add(&f->page, "proj_p1", "Pinned", false, NULL);
	tlive_add(&f->page, "proj_p2", "Pinned", false, NULL);
	tlive_add(&f->page, "proj_t2", "Twin", false, "Team=A");
	tlive_add(&f->page, "proj_t1", "Twin", false, "Team=A");
	tlive_add(&f->page, "proj_s", "Solo", false, NULL);
	tlive_add(&f->page, "proj_l", "Later", true, NULL);
	assert_int_equal(tlive_end(&f->live, &f->page), 0);
	assert_int_equal(plan_match(&m, f->inv, &f->live), 0);
	assert_string_equal(m.match[0]->id, "proj_p2");
	assert_string_equal(m.match[1]->id, "proj_t1");
	assert_string_equal(m.match[2]->id, "proj_s");
	assert_null(m.match[3]);	/* only archived: a create */
	assert_null(m.match[4]);
	/* the unpinned same-name project stays unclaimed (unmanaged); both
	 * duplicates are claimed by Twin */
	assert_string_equal(f->live.items[0].id, "default");
	assert_null(m.claimed_by[0]);
	assert_null(m.claimed_by[1]);
	assert_ptr_equal(m.claimed_by[2], &f->inv->projects[0]);
	assert_ptr_equal(m.claimed_by[3], &f->inv->projects[1]);
	assert_ptr_equal(m.claimed_by[4], &f->inv->projects[1]);
	assert_int_equal(m.warnings_nr, 2);
	assert_non_null(strstr(m.warnings[0], "using the oldest, proj_t1"));
	assert_non_null(strstr(m.warnings[1], "'Later' exists only as archived"));
	plan_match_release(&m);
}

/* A pin to an archived project refuses (output used to call it 'not
 * created yet'); *m is left released. */
static void
test_plan__match_refuses_archived_pin(void **state)
{
	struct fx *f = *state;
	struct plan_match m;

	tinv_add(f->inv, "Old", "proj_arch", false, NULL);
	tlive_add(&f->page, "proj_arch", "Old", true, NULL);
	assert_int_equal(tlive_end(&f->live, &f->page), 0);
	assert_int_equal(plan_match(&m, f->inv, &f->live), PS_EREFUSED);
	assert_non_null(strstr(ps_error_last(), "'proj_arch', which is archived"));
	assert_null(m.match);
	assert_int_equal(m.warnings_nr, 0);
	plan_match_release(&m);
}

static void
test_plan__archived_pin_wanted_archived_is_unchanged(void **state)
{
	struct fx *f = *state;

	tinv_add(f->inv, "Old", "proj_arch", true, NULL);
	tinv_add(f->inv, "NeverWas", NULL, true, NULL);
	tlive_add(&f->page, "proj_arch", "Old", true, NULL);
	assert_int_equal(diff(f), 0);
	assert_int_equal(f->plan->changes_nr, 0);
	assert_int_equal(f->plan->summary.unchanged, 2);
	assert_int_equal(f->plan->warnings_nr, 0);
}

static void
test_plan__archive_by_inventory(void **state)
{
	struct fx *f = *state;
	const struct plan_change *c;
	struct ps_buf t = PS_BUF_INIT;

	tinv_add(f->inv, "Legacy-Bot", NULL, true, "Team=CX");
	tlive_add(&f->page, "proj_l", "Legacy-Bot", false, "Team=Old");
	assert_int_equal(diff(f), 0);
	assert_int_equal(f->plan->changes_nr, 1);
	c = &f->plan->changes[0];
	assert_int_equal(c->action, PLAN_ARCHIVE);
	assert_int_equal(c->reason, PLAN_REASON_INVENTORY);
	assert_string_equal(c->id, "proj_l");
	assert_int_equal(c->add_tags.nr, 0);	/* no pointless update */
	assert_non_null(plan_fingerprint_find(f->plan, "proj_l"));
	text(&t, f->plan);
	assert_non_null(strstr(t.ptr, "! \"Legacy-Bot\" (proj_l) will be "
	    "archived"));
	assert_non_null(strstr(t.ptr, "Plan: 0 to create, 0 to update, 1 to "
	    "archive.\n"));
	ps_buf_release(&t);
}

static void
test_plan__unmanaged_modes(void **state)
{
	struct fx *f = *state;
	enum inv_unmanaged modes[] = { INV_UNMANAGED_REPORT,
		INV_UNMANAGED_IGNORE, INV_UNMANAGED_ARCHIVE };
	size_t m;

	tlive_add(&f->page, "proj_s1", "Stray", false, NULL);
	tlive_add(&f->page, "proj_s0", "Another", false, NULL);
	tlive_add(&f->page, "proj_gone", "Dead", true, NULL);
	assert_int_equal(tlive_end(&f->live, &f->page), 0);
	for (m = 0; m < PS_ARRAY_SIZE(modes); m++) {
		struct plan *p = NULL;

		f->inv->settings.unmanaged = modes[m];
		assert_int_equal(plan_diff(&p, f->inv, &f->live, NULL), 0);
		switch (modes[m]) {
		case INV_UNMANAGED_REPORT:
			assert_int_equal(p->summary.unmanaged, 2);
			assert_int_equal(p->changes_nr, 2);
			assert_int_equal(plan_change_count(p), 0);
			/* sorted by name; default and archived never listed */
			assert_string_equal(p->changes[0].name, "Another");
			assert_string_equal(p->changes[1].name, "Stray");
			assert_int_equal(p->fingerprints_nr, 0);
			break;
		case INV_UNMANAGED_IGNORE:
			assert_int_equal(p->changes_nr, 0);
			assert_int_equal(p->summary.unmanaged, 0);
			break;
		case INV_UNMANAGED_ARCHIVE:
			assert_int_equal(p->summary.archive, 2);
			assert_int_equal(p->changes[0].reason,
			    PLAN_REASON_UNMANAGED);
			assert_string_equal(p->changes[0].id, "proj_s0");
			assert_int_equal(p->fingerprints_nr, 2);
			break;
		}
		plan_free(p);
	}
}

static void
test_plan__default_never_touched(void **state)
{
	struct fx *f = *state;
	struct live_state live = LIVE_STATE_INIT;
	struct ps_buf page = PS_BUF_INIT;
	struct plan *p = NULL;
	size_t i;

	/* default carries a tag and unmanaged: archive is set; an inventory
	 * project named "default" must not match it */
	f->inv->settings.unmanaged = INV_UNMANAGED_ARCHIVE;
	tinv_add(f->inv, "default", NULL, false, "Team=CX");
	ps_buf_adds(&page, "{\"data\":[");
	tlive_add(&page, "default", "default", false, "Team=Z");
	assert_int_equal(tlive_end(&live, &page), 0);
	assert_int_equal(plan_diff(&p, f->inv, &live, NULL), 0);
	for (i = 0; i < p->changes_nr; i++)
		assert_true(p->changes[i].id == NULL ||
		    strcmp(p->changes[i].id, "default") != 0);
	assert_int_equal(p->summary.archive, 0);
	assert_int_equal(p->summary.update, 0);
	assert_int_equal(p->summary.unmanaged, 0);
	assert_int_equal(p->summary.create, 1);
	plan_free(p);
	live_state_release(&live);
	ps_buf_release(&page);
}

static void
test_plan__order_by_name_then_id(void **state)
{
	struct fx *f = *state;
	const char *want[] = { "Alpha", "Bravo", "Charlie", "Delta", "Echo" };
	size_t i;

	tinv_add(f->inv, "Echo", NULL, false, NULL);
	tinv_add(f->inv, "Charlie", NULL, true, NULL);
	tinv_add(f->inv, "Alpha", NULL, false, "x=1");
	tlive_add(&f->page, "proj_c", "Charlie", false, NULL);
	tlive_add(&f->page, "proj_a", "Alpha", false, NULL);
	tlive_add(&f->page, "proj_z", "Delta", false, NULL);
	tlive_add(&f->page, "proj_b", "Bravo", false, NULL);
	assert_int_equal(diff(f), 0);
	assert_int_equal(f->plan->changes_nr, 5);
	for (i = 0; i < 5; i++)
		assert_string_equal(f->plan->changes[i].name, want[i]);
	assert_string_equal(f->plan->fingerprints[0].id, "proj_a");
	assert_string_equal(f->plan->fingerprints[1].id, "proj_c");
}

static void
test_plan__duplicate_live_ids_rejected(void **state)
{
	struct fx *f = *state;

	tlive_add(&f->page, "proj_a", "A", false, NULL);
	tlive_add(&f->page, "proj_a", "A", false, NULL);
	assert_int_equal(diff(f), PS_EHTTP);
	assert_non_null(strstr(ps_error_last(), "'proj_a' twice"));
}

static void
test_plan__endpoint_sanitized(void **state)
{
	struct fx *f = *state;
	char *s;

	assert_int_equal(diff(f), 0);
	assert_string_equal(f->plan->endpoint, "http://127.0.0.1:8080/v1");
	s = plan_endpoint_sanitize("https://a:b@c@host.example/v1#frag");
	assert_string_equal(s, "https://host.example/v1");
	free(s);
	s = plan_endpoint_sanitize("https://bedrock-mantle.us-east-1.api.aws/v1");
	assert_string_equal(s, "https://bedrock-mantle.us-east-1.api.aws/v1");
	free(s);
}

/* ---- safety ---- */

/* n matched projects, the first `upd` of which get a CostCenter change. */
static void
many(struct fx *f, size_t n, size_t upd)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char name[32], id[32], tags[64];

		snprintf(name, sizeof(name), "P%04zu", i);
		snprintf(id, sizeof(id), "proj_%04zu", i);
		snprintf(tags, sizeof(tags), "CostCenter=CC-%d",
		    i < upd ? 2 : 1);
		tinv_add(f->inv, name, NULL, false, tags);
		tlive_add(&f->page, id, name, false, "CostCenter=CC-1");
	}
}

static bool
has_violation(const struct plan *p, enum plan_violation_kind k)
{
	size_t i;

	for (i = 0; i < p->violations_nr; i++)
		if (p->violations[i].kind == k)
			return true;
	return false;
}

static void
test_plan__safety_max_changes(void **state)
{
	struct fx *f = *state;
	size_t i;

	f->inv->settings.safety.max_changes = 3;
	for (i = 0; i < 4; i++) {
		char name[16];

		snprintf(name, sizeof(name), "N%zu", i);
		tinv_add(f->inv, name, NULL, false, NULL);
	}
	assert_int_equal(diff(f), 0);
	assert_false(f->plan->safety_ok);
	assert_int_equal(f->plan->violations_nr, 1);
	assert_int_equal(f->plan->violations[0].kind,
	    PLAN_VIOLATION_MAX_CHANGES);
	assert_true(f->plan->violations[0].overridable);
	assert_non_null(strstr(f->plan->violations[0].message, "4 changes"));
	assert_false(plan_has_hard_violation(f->plan));
}

static void
test_plan__safety_max_changes_at_limit_ok(void **state)
{
	struct fx *f = *state;
	size_t i;

	f->inv->settings.safety.max_changes = 4;
	for (i = 0; i < 4; i++) {
		char name[16];

		snprintf(name, sizeof(name), "N%zu", i);
		tinv_add(f->inv, name, NULL, false, NULL);
	}
	assert_int_equal(diff(f), 0);
	assert_true(f->plan->safety_ok);
	assert_int_equal(f->plan->violations_nr, 0);
}

static void
test_plan__safety_zero_means_freeze(void **state)
{
	struct fx *f = *state;

	f->inv->settings.safety.max_changes = 0;
	tinv_add(f->inv, "N", NULL, false, NULL);
	assert_int_equal(diff(f), 0);
	assert_true(has_violation(f->plan, PLAN_VIOLATION_MAX_CHANGES));
	plan_free(f->plan);
	/* no changes, no violation */
	f->inv->projects_nr = 0;
	assert_int_equal(plan_diff(&f->plan, f->inv, &f->live, NULL), 0);
	assert_true(f->plan->safety_ok);
	f->inv->projects_nr = 1;
}

static void
test_plan__safety_percent_and_mass_tag(void **state)
{
	struct fx *f = *state;

	many(f, 20, 7);		/* 35% > 30% */
	assert_int_equal(diff(f), 0);
	assert_false(f->plan->safety_ok);
	assert_true(has_violation(f->plan, PLAN_VIOLATION_MAX_CHANGE_PERCENT));
	assert_true(has_violation(f->plan, PLAN_VIOLATION_MASS_TAG_CHANGE));
	assert_false(has_violation(f->plan, PLAN_VIOLATION_MAX_CHANGES));
	assert_non_null(strstr(f->plan->violations[1].message,
	    "tag 'CostCenter' changes on 7 of 20"));
}

static void
test_plan__safety_percent_at_threshold_ok(void **state)
{
	struct fx *f = *state;

	many(f, 20, 6);		/* exactly 30%: not more than */
	assert_int_equal(diff(f), 0);
	assert_true(f->plan->safety_ok);
}

static void
test_plan__safety_percent_needs_min_projects(void **state)
{
	struct fx *f = *state;

	many(f, 9, 9);		/* 100%, but fewer than 10 managed */
	assert_int_equal(diff(f), 0);
	assert_true(f->plan->safety_ok);
}

static void
test_plan__safety_mass_tag_counts_per_key(void **state)
{
	struct fx *f = *state;
	size_t i;

	/* 40 projects: 4 change Team (10%), 13 change Owner (32.5%): only
	 * Owner is a mass change */
	f->inv->settings.safety.max_change_percent = 30;
	for (i = 0; i < 40; i++) {
		char name[16], id[16];
		const char *want = i < 4 ? "Team=New,Owner=o" :
		    i < 17 ? "Team=Old,Owner=p" : "Team=Old,Owner=o";

		snprintf(name, sizeof(name), "P%02zu", i);
		snprintf(id, sizeof(id), "proj_%02zu", i);
		tinv_add(f->inv, name, NULL, false, want);
		tlive_add(&f->page, id, name, false, "Team=Old,Owner=o");
	}
	assert_int_equal(diff(f), 0);
	assert_true(has_violation(f->plan, PLAN_VIOLATION_MASS_TAG_CHANGE));
	assert_true(has_violation(f->plan,
	    PLAN_VIOLATION_MAX_CHANGE_PERCENT));
	for (i = 0; i < f->plan->violations_nr; i++)
		if (f->plan->violations[i].kind ==
		    PLAN_VIOLATION_MASS_TAG_CHANGE)
			assert_non_null(strstr(f->plan->violations[i].message,
			    "'Owner' changes on 13 of 40"));
}

static void
test_plan__quota_is_hard(void **state)
{
	struct fx *f = *state;
	size_t i;

	f->inv->settings.project_limit = 5;
	f->inv->settings.unmanaged = INV_UNMANAGED_IGNORE;
	for (i = 0; i < 4; i++) {
		char id[16], name[16];

		snprintf(id, sizeof(id), "proj_%zu", i);
		snprintf(name, sizeof(name), "Live%zu", i);
		tlive_add(&f->page, id, name, false, NULL);
	}
	tlive_add(&f->page, "proj_old", "Old", true, NULL);	/* not counted */
	tinv_add(f->inv, "New1", NULL, false, NULL);
	tinv_add(f->inv, "New2", NULL, false, NULL);
	assert_int_equal(diff(f), 0);
	assert_int_equal(f->plan->violations_nr, 1);
	assert_int_equal(f->plan->violations[0].kind,
	    PLAN_VIOLATION_PROJECT_LIMIT);
	assert_false(f->plan->violations[0].overridable);
	assert_true(plan_has_hard_violation(f->plan));
	assert_non_null(strstr(f->plan->violations[0].message, "6 active"));
}

static void
test_plan__quota_counts_archives(void **state)
{
	struct fx *f = *state;

	f->inv->settings.project_limit = 2;
	tlive_add(&f->page, "proj_1", "Keep", false, NULL);
	tlive_add(&f->page, "proj_2", "Retire", false, NULL);
	tinv_add(f->inv, "Keep", NULL, false, NULL);
	tinv_add(f->inv, "Retire", NULL, true, NULL);
	tinv_add(f->inv, "New", NULL, false, NULL);
	assert_int_equal(diff(f), 0);
	assert_int_equal(f->plan->summary.create, 1);
	assert_int_equal(f->plan->summary.archive, 1);
	assert_false(has_violation(f->plan, PLAN_VIOLATION_PROJECT_LIMIT));
}

/* ---- plan file ---- */

static void
sample_plan(struct fx *f)
{
	f->inv->settings.safety.max_changes = 2;
	tinv_ignore(f->inv, "aws:*");
	tinv_add(f->inv, "Create Me", NULL, false, "Team=CX,Note=a \"q\" b");
	tinv_add(f->inv, "Renamed", "proj_r", false, "Team=DS,CostCenter=CC-2");
	tinv_add(f->inv, "Retire", NULL, true, NULL);
	tinv_add(f->inv, "Legacy", NULL, false, NULL);
	tlive_add(&f->page, "proj_r", "renamed", false,
	    "Team=DS,CostCenter=CC-1,Gone=x,aws:k=v");
	tlive_add(&f->page, "proj_x", "Retire", false, "Team=Old");
	tlive_add(&f->page, "proj_u", "Unknown", false, NULL);
	tlive_add(&f->page, "proj_y", "Legacy", true, NULL);
	assert_int_equal(diff(f), 0);
}

static void
test_plan__json_round_trip(void **state)
{
	struct fx *f = *state;
	struct ps_buf a = PS_BUF_INIT, b = PS_BUF_INIT;
	struct plan *back = NULL;

	sample_plan(f);
	plan_to_json(&a, f->plan);
	assert_int_equal(plan_from_json(&back, "p.json", a.ptr, a.len), 0);
	plan_to_json(&b, back);
	assert_string_equal(a.ptr, b.ptr);
	assert_int_equal(back->changes_nr, f->plan->changes_nr);
	assert_int_equal(back->violations_nr, 1);
	assert_false(back->safety_ok);
	assert_string_equal(back->git_commit, "0123abc");
	assert_non_null(plan_fingerprint_find(back, "proj_r"));
	/* the document's shape */
	assert_non_null(strstr(a.ptr, "{\n  \"format_version\": 1,\n  "
	    "\"endpoint\": \"http://127.0.0.1:8080/v1\",\n"));
	assert_non_null(strstr(a.ptr, "\"rename\": {\n        \"from\": "
	    "\"renamed\",\n        \"to\": \"Renamed\"\n      },"));
	assert_non_null(strstr(a.ptr, "\"remove_tag_keys\": [\n        "
	    "\"Gone\"\n      ],"));
	assert_non_null(strstr(a.ptr, "\"Note\": \"a \\\"q\\\" b\""));
	assert_null(strstr(a.ptr, "secret"));
	assert_null(strstr(a.ptr, "key=x"));
	assert_int_equal(a.ptr[a.len - 1], '\n');
	plan_free(back);
	ps_buf_release(&a);
	ps_buf_release(&b);
}

static void
test_plan__json_round_trip_empty_plan(void **state)
{
	struct fx *f = *state;
	struct ps_buf a = PS_BUF_INIT, b = PS_BUF_INIT;
	struct plan *back = NULL;

	assert_int_equal(diff(f), 0);
	plan_to_json(&a, f->plan);
	assert_non_null(strstr(a.ptr, "\"changes\": [],"));
	assert_non_null(strstr(a.ptr, "\"fingerprints\": {},"));
	assert_int_equal(plan_from_json(&back, "p.json", a.ptr, a.len), 0);
	plan_to_json(&b, back);
	assert_string_equal(a.ptr, b.ptr);
	plan_free(back);
	ps_buf_release(&a);
	ps_buf_release(&b);
}

static void
test_plan__billing_activations(void **state)
{
	static const char *const keys[] = { "Team", "Owner", "Environment",
		"Application", "Team" };
	static const enum plan_tag_state st[] = { PLAN_TAG_ACTIVE,
		PLAN_TAG_UNSEEN, PLAN_TAG_INACTIVE, PLAN_TAG_INACTIVE,
		PLAN_TAG_ACTIVE };
	struct fx *f = *state;
	struct ps_buf a = PS_BUF_INIT, b = PS_BUF_INIT;
	struct plan *back = NULL;

	assert_int_equal(diff(f), 0);
	/* without the setting: no "billing" block, no change */
	plan_to_json(&a, f->plan);
	assert_null(strstr(a.ptr, "\"billing\""));
	plan_set_billing(f->plan, keys, st, PS_ARRAY_SIZE(keys));
	/* activations are changes, but not for the safety thresholds */
	assert_int_equal(plan_change_count(f->plan), 0);
	assert_int_equal(plan_total_changes(f->plan), 2);
	assert_int_equal(f->plan->warnings_nr, 1);
	assert_non_null(strstr(f->plan->warnings[0], "\"Owner\" cannot be "
	    "activated yet"));
	ps_buf_reset(&a);
	plan_to_json(&a, f->plan);
	assert_non_null(strstr(a.ptr, "\"billing\": {\n    \"activate\": [\n"
	    "      \"Application\",\n      \"Environment\"\n    ],\n    "
	    "\"active\": [\n      \"Team\"\n    ],\n    \"unseen\": [\n"
	    "      \"Owner\"\n    ]\n  }\n}\n"));
	assert_int_equal(plan_from_json(&back, "p.json", a.ptr, a.len), 0);
	plan_to_json(&b, back);
	assert_string_equal(a.ptr, b.ptr);
	/* read back, the warning is not added a second time */
	assert_int_equal(back->warnings_nr, 1);
	assert_int_equal(plan_total_changes(back), 2);

	ps_buf_reset(&b);
	plan_render_text(&b, back, 0);
	assert_non_null(strstr(b.ptr, "  ~ cost allocation tag \"Application\" "
	    "will be activated\n  ~ cost allocation tag \"Environment\" will "
	    "be activated\n"));
	assert_non_null(strstr(b.ptr, "Plan: 0 to create, 0 to update, 0 to "
	    "archive, 2 cost allocation tags to activate.\n"));
	ps_buf_reset(&b);
	plan_render_markdown(&b, back, NULL);
	assert_non_null(strstr(b.ptr, "#### Cost allocation tags\n\n- "
	    "`Application` will be activated\n"));
	assert_non_null(strstr(b.ptr, "- already active: `Team`\n"));
	plan_free(back);
	ps_buf_release(&a);
	ps_buf_release(&b);
}

/* Replace the first occurrence of from with to in s (must exist). */
static char *
edit(const char *s, const char *from, const char *to)
{
	const char *at = strstr(s, from);
	struct ps_buf b = PS_BUF_INIT;

	if (!at)
		fail_msg("'%s' not in the plan document", from);
	ps_buf_add(&b, s, (size_t)(at - s));
	ps_buf_adds(&b, to);
	ps_buf_adds(&b, at + strlen(from));
	return ps_buf_detach(&b);
}

static void
test_plan__json_rejects_malformed(void **state)
{
	static const struct {
		const char *from, *to, *msg;
	} cases[] = {
		{ "\"format_version\": 1", "\"format_version\": 2",
		  "unsupported format_version 2" },
		{ "\"format_version\": 1", "\"format_version\": \"1\"",
		  "'format_version' is missing or not a number" },
		{ "\"endpoint\"", "\"endpoint\": 1, \"extra\"",
		  "unknown field 'extra'" },
		{ "\"warnings\": [", "\"warnings\": 7, \"w\": [",
		  "unknown field 'w'" },
		{ "\"summary\": {\n    \"create\": 2",
		  "\"summary\": {\n    \"create\": 3", "counts do not match" },
		{ "\"create\": 2", "\"create\": -1", "non-negative integer" },
		{ "\"create\": 2", "\"create\": 1.5", "non-negative integer" },
		{ "\"action\": \"create\"", "\"action\": \"delete\"",
		  "unknown action 'delete'" },
		{ "\"remove_tag_keys\": [\n        \"Gone\"",
		  "\"remove_tag_keys\": [\n        \"Team\"",
		  "changes[2].after: does not match" },
		{ "\"remove_tag_keys\": [\n        \"Gone\"",
		  "\"remove_tag_keys\": [\n        \"CostCenter\"",
		  "both in 'add_tags' and 'remove_tag_keys'" },
		{ "\"status\": \"active\"", "\"status\": \"archived\"",
		  "'status' must be \"active\"" },
		{ "\"Gone\": \"x\"", "\"Gone\": \"y\"",
		  "does not match its 'before'" },
		{ "\"overridable\": true", "\"overridable\": false",
		  "'overridable' must be true" },
		{ "\"ok\": false", "\"ok\": true", "'ok' disagrees" },
		{ "\"kind\": \"max-changes\"", "\"kind\": \"whatever\"",
		  "unknown 'kind'" },
		{ "\"id\": \"proj_r\"", "\"id\": \"default\"",
		  "default project is never changed" },
		{ "\"id\": \"proj_u\"", "\"id\": \"proj_r\"",
		  "'proj_r' appears in more than one change" },
		{ "\"sha256\": \"aaaa", "\"sha256\": \"AAAA",
		  "'sha256' must be a lower-case hex" },
		{ "\"reason\": \"inventory\"", "\"reason\": \"bored\"",
		  "'reason' must be" },
		{ "\"to\": \"Renamed\"", "\"to\": \"Other\"",
		  "'to' must equal" },
		{ "\"tags\": {\n        \"Note\"", "\"tags\": {\n        "
		  "\"Team\": \"dup\",\n        \"Note\"", "tag 'Team' twice" },
		{ "\"name\": \"Create Me\",", "\"name\": \"Create Me\", "
		  "\"name\": \"x\",", "duplicate field 'name'" },
		{ "\"name\": \"Create Me\",", "", "missing field 'name'" },
	};
	struct fx *f = *state;
	struct ps_buf a = PS_BUF_INIT;
	struct plan *back = NULL;
	size_t i;

	sample_plan(f);
	plan_to_json(&a, f->plan);
	for (i = 0; i < PS_ARRAY_SIZE(cases); i++) {
		char *s = edit(a.ptr, cases[i].from, cases[i].to);
		int err = plan_from_json(&back, "p.json", s, strlen(s));

		if (err != PS_EINVALID || !strstr(ps_error_last(),
		    cases[i].msg))
			fail_msg("case %zu: err %d, message '%s', wanted '%s'",
			    i, err, ps_error_last(), cases[i].msg);
		assert_null(back);
		assert_non_null(strstr(ps_error_last(), "p.json: invalid plan"));
		free(s);
	}
	ps_buf_release(&a);
}

static void
test_plan__json_rejects_garbage(void **state)
{
	static const char *const bad[] = {
		"", "[]", "null", "{", "{\"format_version\": 1", "\"x\"",
		"{\"format_version\": 1}", "{\"format_version\": 1e400}",
		"{\"format_version\": 1, \"endpoint\": \"x\"}",
	};
	struct fx *f = *state;
	struct ps_buf a = PS_BUF_INIT;
	struct plan *back = NULL;
	size_t i, cut;

	(void)f;
	for (i = 0; i < PS_ARRAY_SIZE(bad); i++) {
		assert_int_equal(plan_from_json(&back, "p", bad[i],
		    strlen(bad[i])), PS_EINVALID);
		assert_null(back);
	}
	/* every truncation of a real plan is rejected, never crashes */
	sample_plan(f);
	plan_to_json(&a, f->plan);
	for (cut = 0; cut + 2 < a.len; cut += 7) {
		assert_int_equal(plan_from_json(&back, "p", a.ptr, cut),
		    PS_EINVALID);
		assert_null(back);
	}
	/* a NUL byte inside */
	a.ptr[10] = '\0';
	assert_int_equal(plan_from_json(&back, "p", a.ptr, a.len), PS_EINVALID);
	assert_non_null(strstr(ps_error_last(), "NUL"));
	ps_buf_release(&a);
}

/* ---- renderers ---- */

static void
test_plan__text_rendering(void **state)
{
	struct fx *f = *state;
	struct ps_buf t = PS_BUF_INIT;

	sample_plan(f);
	text(&t, f->plan);
	assert_string_equal(t.ptr,
	    "projsync will perform the following actions on "
	    "http://127.0.0.1:8080/v1:\n"
	    "\n"
	    "  + \"Create Me\" will be created\n"
	    "      + Note = \"a \\\"q\\\" b\"\n"
	    "      + Team = \"CX\"\n"
	    "\n"
	    "  + \"Legacy\" will be created\n"
	    "\n"
	    "  ~ \"Renamed\" (proj_r) will be updated in place\n"
	    "      ~ name       = \"renamed\" -> \"Renamed\"\n"
	    "      ~ CostCenter = \"CC-1\" -> \"CC-2\"\n"
	    "      - Gone       = \"x\"\n"
	    "\n"
	    "  ! \"Retire\" (proj_x) will be archived (archived: true in the "
	    "inventory; archiving is irreversible)\n"
	    "\n"
	    "1 project in the account is not in the inventory "
	    "(settings.unmanaged: report):\n"
	    "  ? \"Unknown\" (proj_u)\n"
	    "\n"
	    "Warning: project 'Legacy' exists only as archived (proj_y); "
	    "archiving is irreversible, so a new project will be created and "
	    "the old ID is gone for good\n"
	    "\n"
	    "Safety checks failed: apply will refuse this plan unless given "
	    "--force.\n"
	    "  - the plan makes 4 changes, more than "
	    "settings.safety.max_changes (2) [max-changes]\n"
	    "\n"
	    "Plan: 2 to create, 1 to update, 1 to archive.\n");
	ps_buf_reset(&t);
	plan_render_text(&t, f->plan, PLAN_RENDER_COLOR);
	assert_non_null(strstr(t.ptr, "\033[32m+\033[0m \"Create Me\""));
	assert_non_null(strstr(t.ptr, "\033[33m~\033[0m \"Renamed\""));
	assert_non_null(strstr(t.ptr, "\033[31m!\033[0m \"Retire\""));
	assert_null(strstr(t.ptr, "Warning:"));
	ps_buf_release(&t);
}

static void
test_plan__text_escapes_hostile_names(void **state)
{
	struct fx *f = *state;
	struct ps_buf t = PS_BUF_INIT, md = PS_BUF_INIT;
	const char *lt;

	/* a live name with a terminal escape and markdown markup */
	ps_buf_adds(&f->page, ",{\"id\":\"proj_e\",\"name\":\"evil\\u001b[2J"
	    "<img src=x>|**\",\"status\":\"active\",\"tags\":{}}");
	assert_int_equal(diff(f), 0);
	text(&t, f->plan);
	assert_null(strchr(t.ptr, '\033'));
	assert_non_null(strstr(t.ptr, "\"evil\\x1b[2J<img src=x>|**\""));
	plan_render_markdown(&md, f->plan, &md_target);
	assert_null(strchr(md.ptr, '\033'));
	/* no raw HTML but the comment's own: the marker, <details>, <sub> */
	for (lt = md.ptr; (lt = strchr(lt, '<')); lt++) {
		static const char *const own[] = { "<!-- projsync:plan:",
			"<sub>", "</sub>", "<details>", "</details>",
			"<summary>", "</summary>", "<b>", "</b>" };
		size_t k;

		for (k = 0; k < PS_ARRAY_SIZE(own); k++)
			if (!strncmp(lt, own[k], strlen(own[k])))
				break;
		if (k == PS_ARRAY_SIZE(own))
			assert_int_equal(lt[-1], '\\');
	}
	assert_non_null(strstr(md.ptr, "\\<img src=x\\>\\|\\*\\*"));
	ps_buf_release(&t);
	ps_buf_release(&md);
}

static void
test_plan__markdown_no_mention_reference_or_math(void **state)
{
	struct fx *f = *state;
	struct ps_buf md = PS_BUF_INIT;

	/* in a pull-request comment @octocat notifies, #12 links issue 12
	 * (backslash or not) and $...$ is LaTeX */
	ps_buf_adds(&f->page, ",{\"id\":\"proj_m\",\"name\":\"@octocat "
	    "fixes #12 for $5 $x$, a@b # 1\",\"status\":\"active\","
	    "\"tags\":{}}");
	assert_int_equal(diff(f), 0);
	plan_render_markdown(&md, f->plan, &md_target);
	assert_non_null(strstr(md.ptr, "- **@\xe2\x80\x8boctocat fixes "
	    "\\#\xe2\x80\x8b" "12 for \\$5 \\$x\\$, a@\xe2\x80\x8b" "b "
	    "\\# 1** (`proj_m`)\n"));
	ps_buf_release(&md);
}

static void
test_plan__markdown_bold_name_with_edge_spaces(void **state)
{
	struct fx *f = *state;
	struct ps_buf md = PS_BUF_INIT;

	/* '**  x  **' is not bold in CommonMark: the asterisks would show */
	ps_buf_adds(&f->page, ",{\"id\":\"proj_s\",\"name\":\"  spaced "
	    "\",\"status\":\"active\",\"tags\":{}}");
	assert_int_equal(diff(f), 0);
	plan_render_markdown(&md, f->plan, &md_target);
	assert_non_null(strstr(md.ptr, "- **&nbsp;&nbsp;spaced&nbsp;** "
	    "(`proj_s`)\n"));
	ps_buf_release(&md);
}

static void
test_plan__markdown_summary_and_counts(void **state)
{
	struct fx *f = *state;
	struct ps_buf md = PS_BUF_INIT;

	sample_plan(f);
	plan_render_markdown(&md, f->plan, &md_target);
	assert_non_null(strstr(md.ptr, "\n\n**Plan: 2 to create, "
	    "1 to update, 1 to archive.** 0 unchanged, 1 not in the "
	    "inventory.\n"));
	assert_non_null(strstr(md.ptr, "| Team | Create | Update | Archive |\n"
	    "| --- | ---: | ---: | ---: |\n| `CX` | 1 | 0 | 0 |\n"
	    "| `DS` | 0 | 1 | 0 |\n| `Old` | 0 | 0 | 1 |\n"
	    "| *not set* | 1 | 0 | 0 |\n"));
	assert_non_null(strstr(md.ptr, "| CostCenter |"));
	/* summary and counts come before the details */
	assert_true(strstr(md.ptr, "| Team |") < strstr(md.ptr, "#### Create"));
	assert_non_null(strstr(md.ptr, "- **Renamed** (`proj_r`): renamed "
	    "from `renamed`; CostCenter `CC-1` → `CC-2`; Gone removed "
	    "(was `x`)\n"));
	assert_non_null(strstr(md.ptr, "> [!CAUTION]"));
	assert_non_null(strstr(md.ptr, "> [!WARNING]"));
	ps_buf_release(&md);
}

static void
test_plan__markdown_truncates_under_limit(void **state)
{
	struct fx *f = *state;
	struct ps_buf md = PS_BUF_INIT;
	char tags[2048];
	size_t i, n;

	/* 1,000 creates with long values: far over 60,000 characters */
	for (i = 0; i < 1000; i++) {
		char name[64];

		snprintf(name, sizeof(name), "Project-With-A-Long-Name-%04zu", i);
		n = (size_t)snprintf(tags, sizeof(tags), "Team=T%zu,CostCenter=CC-%04zu",
		    i % 37, i);
		for (size_t k = 0; k < 8; k++)
			n += (size_t)snprintf(tags + n, sizeof(tags) - n,
			    ",Key%zu=%0100zu", k, i);
		tinv_add(f->inv, name, NULL, false, tags);
	}
	assert_int_equal(diff(f), 0);
	plan_render_markdown(&md, f->plan, &md_target);
	assert_true(md.len < PLAN_MARKDOWN_MAX);
	assert_true(md.len > PLAN_MARKDOWN_MAX / 2);
	assert_non_null(strstr(md.ptr, "entries not shown"));
	assert_non_null(strstr(md.ptr, "more Team values not shown"));
	assert_non_null(strstr(md.ptr, "more CostCenter values not shown"));
	ps_buf_release(&md);
}

static void
test_plan__markdown_counts_rank_and_keep_not_set(void **state)
{
	struct fx *f = *state;
	struct ps_buf md = PS_BUF_INIT;
	char name[64], tags[64];
	size_t i, k;

	/* 25 teams, team Z<k> with k + 1 creates; 3 creates without a Team */
	for (k = 0; k < 25; k++)
		for (i = 0; i <= k; i++) {
			snprintf(name, sizeof(name), "P-%02zu-%02zu", k, i);
			snprintf(tags, sizeof(tags), "Team=Z%02zu", k);
			tinv_add(f->inv, name, NULL, false, tags);
		}
	for (i = 0; i < 3; i++) {
		snprintf(name, sizeof(name), "Untagged-%zu", i);
		tinv_add(f->inv, name, NULL, false, "Owner=o");
	}
	assert_int_equal(diff(f), 0);
	plan_render_markdown(&md, f->plan, &md_target);
	/* the biggest first; the 20th row is Z05; the unset row survives
	 * the cut, which counts only valued rows */
	assert_non_null(strstr(md.ptr, "| --- | ---: | ---: | ---: |\n"
	    "| `Z24` | 25 | 0 | 0 |\n| `Z23` | 24 | 0 | 0 |\n"));
	assert_non_null(strstr(md.ptr, "| `Z05` | 6 | 0 | 0 |\n"
	    "| *not set* | 3 | 0 | 0 |\n\n*5 more Team values not shown.*\n"));
	assert_null(strstr(md.ptr, "| `Z04` |"));
	ps_buf_release(&md);
}

static void
test_plan__markdown_marker_header_footer(void **state)
{
	struct fx *f = *state;
	struct ps_buf md = PS_BUF_INIT;
	struct plan_md_target t = md_target;

	sample_plan(f);
	/* the marker first, then the target; what could end the comment is
	 * encoded */
	t.inventory = "in fra/--x>.yaml";
	t.endpoint = "https://bedrock-mantle.eu-west-1.api.aws/v1";
	t.region = "eu-west-1";
	t.account = "210987654321";
	t.commit = "89abcdef0123456789abcdef0123456789abcdef-dirty";
	plan_render_markdown(&md, f->plan, &t);
	assert_true(starts(md.ptr, "<!-- projsync:plan:in%20fra/%2D-x%3E.yaml "
	    "-->\n### projsync plan: `in fra/--x>.yaml`\n\n**Target:** "
	    "`bedrock-mantle.eu-west-1.api.aws` · region `eu-west-1` · account "
	    "`210987654321` · inventory commit `89abcdef0123` with uncommitted "
	    "changes\n\n"));
	/* the footer says how it is applied, archives and safety included */
	assert_non_null(strstr(md.ptr, "\n---\n<sub>Applied by `projsync "
	    "apply`"));
	assert_non_null(strstr(md.ptr, "needs `--allow-archive`."));
	assert_non_null(strstr(md.ptr, " The safety checks above need "
	    "`--force`.</sub>\n"));
	/* no target: the plan's own endpoint, commit unknown, no tables */
	ps_buf_reset(&md);
	plan_render_markdown(&md, f->plan, NULL);
	assert_true(starts(md.ptr, "<!-- projsync:plan:"));
	assert_non_null(strstr(md.ptr, "**Target:** `127.0.0.1:8080` · "
	    "inventory commit "));
	assert_null(strstr(md.ptr, "| Team |"));
	ps_buf_release(&md);
}

static void
test_plan__markdown_failure(void **state)
{
	struct ps_buf md = PS_BUF_INIT;
	struct plan_md_target t = md_target;

	(void)state;
	t.endpoint = "http://127.0.0.1:8080/v1";
	plan_render_markdown_failure(&md, &t, "the inventory is invalid.",
	    "projects.yaml:3:5: error: a ``` fence and \033[2J [rule]\n");
	assert_true(starts(md.ptr, "<!-- projsync:plan:projects.yaml -->\n"
	    "### projsync plan: `projects.yaml`\n\n**Target:** "
	    "`127.0.0.1:8080` · inventory commit *unknown* (not in a git work "
	    "tree)\n\n> [!CAUTION]\n> **No plan:** the inventory is invalid.\n\n"
	    "````text\nprojects.yaml:3:5: error: a ``` fence and  [2J [rule]\n"
	    "````\n\n---\n<sub>Nothing can be applied until `projsync plan` "
	    "succeeds.</sub>\n"));
	/* long details are cut under the comment limit */
	{
		char *big = xcalloc(200001, 1);

		memset(big, 'x', 200000);
		ps_buf_reset(&md);
		plan_render_markdown_failure(&md, &t, "API error.", big);
		assert_true(md.len < PLAN_MARKDOWN_MAX);
		assert_non_null(strstr(md.ptr, "x\n…\n```\n"));
		free(big);
	}
	ps_buf_release(&md);
}

/* ---- stale check ---- */

static void
test_plan__stale_check(void **state)
{
	struct fx *f = *state;
	struct live_state now = LIVE_STATE_INIT;
	struct ps_buf page = PS_BUF_INIT, why = PS_BUF_INIT;
	bool done[8];
	size_t i;

	sample_plan(f);
	assert_true(f->plan->changes_nr <= 8);
	/* unchanged account: fine (the unmanaged proj_u may change freely) */
	tlive_begin(&page);
	tlive_add(&page, "proj_r", "renamed", false,
	    "Team=DS,CostCenter=CC-1,Gone=x,aws:k=v");
	tlive_add(&page, "proj_x", "Retire", false, "Team=Old");
	tlive_add(&page, "proj_u", "Unknown", false, "New=tag");
	tlive_add(&page, "proj_y", "Legacy", true, NULL);
	assert_int_equal(tlive_end(&now, &page), 0);
	assert_int_equal(plan_check_stale(f->plan, &now, &why, done), 0);
	assert_int_equal(why.len, 0);
	for (i = 0; i < f->plan->changes_nr; i++)
		assert_false(done[i]);
	live_state_release(&now);

	/* proj_r's tag changed and it was renamed, proj_x vanished, "Create
	 * Me" appeared with other tags: each says what changed */
	tlive_begin(&page);
	tlive_add(&page, "proj_r", "other", false,
	    "Team=DS,CostCenter=CC-9,Gone=x,aws:k=v,Owner=mallory");
	tlive_add(&page, "proj_new", "Create Me", false, NULL);
	tlive_add(&page, "proj_y", "Legacy", true, NULL);
	assert_int_equal(tlive_end(&now, &page), 0);
	assert_int_equal(plan_check_stale(f->plan, &now, &why, NULL),
	    PS_EREFUSED);
	assert_string_equal(why.ptr,
	    "project \"Create Me\" now exists in the account with other tags "
	    "(proj_new); creating it would make a duplicate\n"
	    "project \"renamed\" (proj_r) changed in the account since the "
	    "plan was made; renamed \"renamed\" -> \"other\"; tag \"CostCenter\" "
	    "\"CC-1\" -> \"CC-9\"; tag \"Owner\" added \"mallory\"\n"
	    "project \"Retire\" (proj_x) no longer exists in the account\n");
	assert_non_null(strstr(ps_error_last(), "3 projects"));
	live_state_release(&now);
	ps_buf_reset(&why);

	/* partly applied: Retire archived, the rest as planned */
	tlive_begin(&page);
	tlive_add(&page, "proj_r", "renamed", false,
	    "Team=DS,CostCenter=CC-1,Gone=x,aws:k=v");
	tlive_add(&page, "proj_x", "Retire", true, "Team=Old");
	tlive_add(&page, "proj_y", "Legacy", true, NULL);
	assert_int_equal(tlive_end(&now, &page), 0);
	assert_int_equal(plan_check_stale(f->plan, &now, &why, done), 0);
	assert_int_equal(why.len, 0);
	for (i = 0; i < f->plan->changes_nr; i++)
		assert_int_equal(done[i], f->plan->changes[i].action ==
		    PLAN_ARCHIVE);
	live_state_release(&now);

	/* all applied: the account shows every change's result */
	tlive_begin(&page);
	tlive_add(&page, "proj_r", "Renamed", false,
	    "Team=DS,CostCenter=CC-2,aws:k=v");
	tlive_add(&page, "proj_x", "Retire", true, "Team=Old");
	/* JSON-escaped here: the page is built by plain formatting */
	tlive_add(&page, "proj_c", "Create Me", false,
	    "Team=CX,Note=a \\\"q\\\" b");
	tlive_add(&page, "proj_l", "Legacy", false, NULL);
	tlive_add(&page, "proj_y", "Legacy", true, NULL);
	assert_int_equal(tlive_end(&now, &page), 0);
	assert_int_equal(plan_check_stale(f->plan, &now, &why, done),
	    PLAN_ALREADY_APPLIED);
	assert_int_equal(why.len, 0);
	live_state_release(&now);
	ps_buf_release(&page);
	ps_buf_release(&why);
}

static void
test_plan__stale_ignores_archived_same_name(void **state)
{
	struct fx *f = *state;
	struct live_state now = LIVE_STATE_INIT;
	struct ps_buf page = PS_BUF_INIT, why = PS_BUF_INIT;

	tinv_add(f->inv, "Legacy", NULL, false, NULL);
	tlive_add(&f->page, "proj_y", "Legacy", true, NULL);
	assert_int_equal(diff(f), 0);
	tlive_begin(&page);
	tlive_add(&page, "proj_y", "Legacy", true, NULL);
	assert_int_equal(tlive_end(&now, &page), 0);
	assert_int_equal(plan_check_stale(f->plan, &now, &why, NULL), 0);
	live_state_release(&now);
	ps_buf_release(&page);
	ps_buf_release(&why);
}

/* ---- scale ---- */

/* 20,000 projects: right at scale; bench/ times plan (docs/benchmarks.md),
 * an O(n^2) diff would also meet ctest's timeout here */
static void
test_plan__twenty_thousand_projects(void **state)
{
	struct fx *f = *state;
	size_t i;

	for (i = 0; i < 20000; i++) {
		char name[32], id[32];

		snprintf(name, sizeof(name), "P%06zu", (i * 7919) % 20000);
		snprintf(id, sizeof(id), "proj_%06zu", i);
		tinv_add(f->inv, name, NULL, false, i % 2 ? "Team=A" : "Team=B");
		tlive_add(&f->page, id, name, false, "Team=A");
	}
	f->inv->settings.project_limit = 0;
	assert_int_equal(tlive_end(&f->live, &f->page), 0);
	assert_int_equal(plan_diff(&f->plan, f->inv, &f->live, NULL), 0);
	assert_int_equal(f->plan->summary.update, 10000);
	assert_int_equal(f->plan->summary.unchanged, 10000);
	assert_int_equal(f->plan->summary.unmanaged, 0);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_plan__unchanged),
		T(test_plan__tag_drift_minimal_diff),
		T(test_plan__ignore_tags_never_added_or_removed),
		T(test_plan__never_same_key_in_add_and_remove),
		T(test_plan__rename_by_id),
		T(test_plan__pin_claims_before_name_match),
		T(test_plan__rename_onto_unmanaged_name_warns),
		T(test_plan__archived_same_name_creates_with_warning),
		T(test_plan__ambiguous_names_refused_with_both_ids),
		T(test_plan__racing_duplicates_match_the_survivor),
		T(test_plan__duplicate_names_resolved_by_pin),
		T(test_plan__pin_problems_refused),
		T(test_plan__match_pins_names_and_survivor),
		T(test_plan__match_refuses_archived_pin),
		T(test_plan__archived_pin_wanted_archived_is_unchanged),
		T(test_plan__archive_by_inventory),
		T(test_plan__unmanaged_modes),
		T(test_plan__default_never_touched),
		T(test_plan__order_by_name_then_id),
		T(test_plan__duplicate_live_ids_rejected),
		T(test_plan__endpoint_sanitized),
		T(test_plan__safety_max_changes),
		T(test_plan__safety_max_changes_at_limit_ok),
		T(test_plan__safety_zero_means_freeze),
		T(test_plan__safety_percent_and_mass_tag),
		T(test_plan__safety_percent_at_threshold_ok),
		T(test_plan__safety_percent_needs_min_projects),
		T(test_plan__safety_mass_tag_counts_per_key),
		T(test_plan__quota_is_hard),
		T(test_plan__quota_counts_archives),
		T(test_plan__json_round_trip),
		T(test_plan__json_round_trip_empty_plan),
		T(test_plan__billing_activations),
		T(test_plan__json_rejects_malformed),
		T(test_plan__json_rejects_garbage),
		T(test_plan__text_rendering),
		T(test_plan__text_escapes_hostile_names),
		T(test_plan__markdown_summary_and_counts),
		T(test_plan__markdown_no_mention_reference_or_math),
		T(test_plan__markdown_counts_rank_and_keep_not_set),
		T(test_plan__markdown_marker_header_footer),
		T(test_plan__markdown_failure),
		T(test_plan__markdown_bold_name_with_edge_spaces),
		T(test_plan__markdown_truncates_under_limit),
		T(test_plan__stale_check),
		T(test_plan__stale_ignores_archived_same_name),
		T(test_plan__twenty_thousand_projects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
