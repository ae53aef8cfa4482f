/* apply: the result document and its text rendering. */
#include "apply/apply.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

static const char *
outcome_name(enum apply_outcome o)
{
	switch (o) {
	case APPLY_DONE:
		return "done";
	case APPLY_FAILED:
		return "failed";
	default:
		return "skipped";
	}
}

void
apply_result_to_json(struct ps_buf *out, const struct apply_result *r)
{
	cJSON *root = cJSON_CreateObject(), *sum, *arr;
	size_t i;

	cJSON_AddNumberToObject(root, "format_version", 1);
	sum = cJSON_AddObjectToObject(root, "summary");
	cJSON_AddNumberToObject(sum, "created", (double)r->created);
	cJSON_AddNumberToObject(sum, "updated", (double)r->updated);
	cJSON_AddNumberToObject(sum, "archived", (double)r->archived);
	cJSON_AddNumberToObject(sum, "failed", (double)r->failed);
	cJSON_AddNumberToObject(sum, "skipped", (double)r->skipped);
	cJSON_AddNumberToObject(sum, "duplicates_archived",
	    (double)r->duplicates_archived);
	cJSON_AddBoolToObject(root, "interrupted", r->interrupted);
	arr = cJSON_AddArrayToObject(root, "changes");
	for (i = 0; i < r->nr; i++) {
		const struct apply_item *it = &r->items[i];
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "action",
		    plan_action_name(it->change->action));
		ps_json_add_str(o, "name", it->change->name);
		ps_json_add_str(o, "id", it->project_id);
		cJSON_AddStringToObject(o, "outcome", outcome_name(it->outcome));
		cJSON_AddBoolToObject(o, "adopted", it->adopted);
		ps_json_add_str(o, "archived_duplicate",
		    it->archived_duplicate);
		ps_json_add_str(o, "error", it->error);
		if (it->http_status)
			cJSON_AddNumberToObject(o, "http_status",
			    (double)it->http_status);
		else
			cJSON_AddNullToObject(o, "http_status");
		cJSON_AddItemToArray(arr, o);	/* arr owns o */
	}
	/* only when the plan activates cost-allocation tags */
	if (r->tags.attempted) {
		cJSON *t = cJSON_AddObjectToObject(root, "cost_allocation_tags");
		arr = cJSON_AddArrayToObject(t, "activated");
		for (i = 0; i < r->tags.activated_nr; i++)
			cJSON_AddItemToArray(arr,
			    cJSON_CreateString(r->tags.activated[i]));
		arr = cJSON_AddArrayToObject(t, "skipped");
		for (i = 0; i < r->tags.skipped_nr; i++)
			cJSON_AddItemToArray(arr,
			    cJSON_CreateString(r->tags.skipped[i]));
		arr = cJSON_AddArrayToObject(t, "failed");
		for (i = 0; i < r->tags.failed_nr; i++) {
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "key",
			    r->tags.failed[i].key);
			cJSON_AddStringToObject(o, "error",
			    r->tags.failed[i].error);
			cJSON_AddItemToArray(arr, o);	/* arr owns o */
		}
	}
	ps_json_render(out, root);
	cJSON_Delete(root);
}

void
apply_result_summary(struct ps_buf *out, const struct apply_result *r)
{
	ps_buf_addf(out, "Apply %s: %zu created, %zu updated, %zu archived, "
	    "%zu failed.", r->interrupted ? "interrupted" : "complete",
	    r->created, r->updated, r->archived, r->failed);
	if (r->skipped)
		ps_buf_addf(out, " %zu not attempted.", r->skipped);
	if (r->duplicates_archived)
		ps_buf_addf(out, " %zu duplicate%s of a concurrent apply "
		    "archived.", r->duplicates_archived,
		    r->duplicates_archived == 1 ? "" : "s");
	if (!r->tags.attempted)
		return;
	ps_buf_addf(out, " %zu cost allocation tag%s activated",
	    r->tags.activated_nr, r->tags.activated_nr == 1 ? "" : "s");
	if (r->tags.skipped_nr)
		ps_buf_addf(out, ", %zu activated since the plan",
		    r->tags.skipped_nr);
	if (r->tags.failed_nr)
		ps_buf_addf(out, ", %zu not activated", r->tags.failed_nr);
	ps_buf_addch(out, '.');
}

void
apply_result_tag(struct apply_result *r, const char *key, bool skipped,
    const char *error)
{
	struct apply_tags *t = &r->tags;

	t->attempted = true;
	if (error) {
		t->failed = xrealloc(t->failed, (t->failed_nr + 1) *
		    sizeof(*t->failed));
		t->failed[t->failed_nr].key = xstrdup(key);
		t->failed[t->failed_nr++].error = xstrdup(error);
	} else if (skipped) {
		t->skipped = xrealloc(t->skipped, (t->skipped_nr + 1) *
		    sizeof(*t->skipped));
		t->skipped[t->skipped_nr++] = xstrdup(key);
	} else {
		t->activated = xrealloc(t->activated, (t->activated_nr + 1) *
		    sizeof(*t->activated));
		t->activated[t->activated_nr++] = xstrdup(key);
	}
}

bool
apply_result_changed(const struct apply_result *r)
{
	size_t i;

	if (r->created + r->updated + r->archived + r->duplicates_archived)
		return true;
	for (i = 0; i < r->nr; i++)
		if (r->items[i].unknown || r->items[i].adopted)
			return true;
	return false;
}

void
apply_result_render_text(struct ps_buf *out, const struct apply_result *r,
    bool color, bool show_done)
{
	const char *red = color ? "\033[31m" : "", *green = color ? "\033[32m" : "";
	const char *yellow = color ? "\033[33m" : "", *off = color ? "\033[0m" : "";
	size_t i;

	for (i = 0; i < r->nr; i++) {
		const struct apply_item *it = &r->items[i];
		const char *verb = it->change->action == PLAN_CREATE ? "created" :
		    it->change->action == PLAN_UPDATE ? "updated" : "archived";
		const char *name = it->change->name ? it->change->name : "(no name)";

		if (it->outcome == APPLY_DONE && it->archived_duplicate)
			ps_buf_addf(out, "%s%s%s %s (%s): a concurrent apply "
			    "created it too; %s (the oldest) is kept, our "
			    "duplicate %s archived\n", green, verb, off, name,
			    it->project_id, it->project_id,
			    it->archived_duplicate);
		else if (it->outcome == APPLY_DONE && !show_done)
			continue;
		else if (it->outcome == APPLY_DONE)
			ps_buf_addf(out, "%s%s%s %s (%s)%s\n", green, verb, off,
			    name, it->project_id ? it->project_id : "?",
			    it->adopted ? ", adopted after a lost response" : "");
		else if (it->outcome == APPLY_FAILED)
			ps_buf_addf(out, "%sfailed%s  %s %s%s%s: %s\n", red, off,
			    plan_action_name(it->change->action), name,
			    it->project_id ? " " : "",
			    it->project_id ? it->project_id : "", it->error);
		else
			ps_buf_addf(out, "%sskipped%s %s %s: %s\n", yellow, off,
			    plan_action_name(it->change->action), name,
			    it->error ? it->error : "not attempted");
	}
	for (i = 0; show_done && i < r->tags.activated_nr; i++) {
		ps_buf_addf(out, "%sactivated%s cost allocation tag ", green,
		    off);
		ps_buf_add_quoted(out, r->tags.activated[i]);
		ps_buf_addch(out, '\n');
	}
	for (i = 0; i < r->tags.skipped_nr; i++) {
		ps_buf_addf(out, "%sskipped%s cost allocation tag ", yellow, off);
		ps_buf_add_quoted(out, r->tags.skipped[i]);
		ps_buf_adds(out, ": activated since the plan\n");
	}
	for (i = 0; i < r->tags.failed_nr; i++) {
		ps_buf_addf(out, "%sfailed%s  cost allocation tag ", red, off);
		ps_buf_add_quoted(out, r->tags.failed[i].key);
		ps_buf_adds(out, ": ");
		ps_buf_add_printable(out, r->tags.failed[i].error, 0);
		ps_buf_addch(out, '\n');
	}
	apply_result_summary(out, r);
	ps_buf_addch(out, '\n');
}

void
apply_result_release(struct apply_result *r)
{
	size_t i;

	for (i = 0; i < r->nr; i++) {
		free(r->items[i].project_id);
		free(r->items[i].error);
		free(r->items[i].archived_duplicate);
	}
	free(r->items);
	free(r->warning);
	for (i = 0; i < r->tags.activated_nr; i++)
		free(r->tags.activated[i]);
	free(r->tags.activated);
	for (i = 0; i < r->tags.skipped_nr; i++)
		free(r->tags.skipped[i]);
	free(r->tags.skipped);
	for (i = 0; i < r->tags.failed_nr; i++) {
		free(r->tags.failed[i].key);
		free(r->tags.failed[i].error);
	}
	free(r->tags.failed);
	memset(r, 0, sizeof(*r));
}
