/*
 * Helpers for the plan unit tests: inventories built by hand (so the diff
 * is tested without the YAML loader) and live states from list-page JSON.
 * Header-only; included by test_plan.c.
 */
#ifndef PROJSYNC_TEST_PLAN_HELPERS_H
#define PROJSYNC_TEST_PLAN_HELPERS_H

#include <stdlib.h>
#include <string.h>

#include "inventory/inventory.h"
#include "live/live.h"
#include "util/util.h"

static struct inventory *
tinv_new(void)
{
	struct inventory *inv = xcalloc(1, sizeof(*inv));

	inv->path = xstrdup("projects.yaml");
	memset(inv->sha256, 'a', 64);
	inv->sha256[64] = '\0';
	inv->version = 1;
	inv->settings.unmanaged = INV_UNMANAGED_REPORT;
	inv->settings.project_limit = 1000;
	inv->settings.safety.max_changes = 50;
	inv->settings.safety.max_change_percent = 30;
	inv->settings.safety.min_projects_for_percent = 10;
	return inv;
}

static void
tinv_ignore(struct inventory *inv, const char *glob)
{
	inv->settings.ignore_tags = xrealloc(inv->settings.ignore_tags,
	    (inv->settings.ignore_tags_nr + 1) * sizeof(char *));
	inv->settings.ignore_tags[inv->settings.ignore_tags_nr++] =
	    xstrdup(glob);
}

/* tags: "K=V,K2=V2" (no commas or '=' in keys; values may hold '='). */
static void
tinv_tags(struct tag_set *ts, const char *tags)
{
	char *dup = xstrdup(tags), *save = NULL, *tok;

	for (tok = strtok_r(dup, ",", &save); tok;
	    tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		if (!eq)
			continue;
		*eq = '\0';
		tag_set_put(ts, tok, eq + 1);
	}
	free(dup);
}

static struct inv_project *
tinv_add(struct inventory *inv, const char *name, const char *id,
    bool archived, const char *tags)
{
	struct inv_project *p;

	/* capacity doubles at powers of two (struct inventory has no alloc) */
	if ((inv->projects_nr & (inv->projects_nr - 1)) == 0)
		inv->projects = xrealloc(inv->projects, (inv->projects_nr ?
		    2 * inv->projects_nr : 1) * sizeof(*inv->projects));
	p = &inv->projects[inv->projects_nr];
	memset(p, 0, sizeof(*p));
	p->name = xstrdup(name);
	p->id = xstrdup(id);
	p->archived = archived;
	p->pos.file = inv->path;
	p->pos.line = p->name_pos.line = p->id_pos.line =
	    (unsigned)(10 + inv->projects_nr * 5);
	p->pos.col = 5;
	p->name_pos.file = p->id_pos.file = inv->path;
	p->name_pos.col = p->id_pos.col = 11;
	if (tags)
		tinv_tags(&p->tags, tags);
	inv->projects_nr++;
	return p;
}

static void
tinv_free(struct inventory *inv)
{
	size_t i;

	for (i = 0; i < inv->projects_nr; i++) {
		free(inv->projects[i].name);
		free(inv->projects[i].id);
		tag_set_release(&inv->projects[i].tags);
	}
	free(inv->projects);
	for (i = 0; i < inv->settings.ignore_tags_nr; i++)
		free(inv->settings.ignore_tags[i]);
	free(inv->settings.ignore_tags);
	free(inv->path);
	free(inv);
}

/* A live project in list-page JSON form appended to a buffer. */
static void
tlive_add(struct ps_buf *b, const char *id, const char *name, bool archived,
    const char *tags)
{
	struct tag_set ts = TAG_SET_INIT;
	size_t i;

	ps_buf_addf(b, "%s{\"id\":\"%s\",\"object\":\"organization.project\","
	    "\"name\":\"%s\",\"status\":\"%s\",\"created_at\":1700000000,"
	    "\"tags\":{", b->len > 9 ? "," : "", id, name,
	    archived ? "archived" : "active");
	if (tags)
		tinv_tags(&ts, tags);
	for (i = 0; i < ts.nr; i++)
		ps_buf_addf(b, "%s\"%s\":\"%s\"", i ? "," : "",
		    ts.items[i].key, ts.items[i].value);
	ps_buf_adds(b, "}}");
	tag_set_release(&ts);
}

static void
tlive_begin(struct ps_buf *b)
{
	ps_buf_reset(b);
	ps_buf_adds(b, "{\"data\":[");	/* 9 bytes: see tlive_add */
	tlive_add(b, "default", "default", false, NULL);
}

/* Parse the page into st (fails the test on error). */
static int
tlive_end(struct live_state *st, struct ps_buf *b)
{
	bool more;
	char *after = NULL;
	int err;

	ps_buf_adds(b, "],\"has_more\":false,\"object\":\"list\"}");
	err = live_parse_list_page(st, &more, &after, b->ptr, b->len, "test");
	free(after);
	return err;
}

#endif
