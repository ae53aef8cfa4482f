/*
 * lint: renderers.  Text is gcc style, grouped by file with the live
 * account last, and a summary; JSON is projsync's own shape; SARIF 2.1.0
 * is what GitHub code scanning loads; `github` prints workflow commands
 * that annotate a pull request; `codeclimate` is GitLab's Code Quality
 * report.  Output is deterministic (golden tests).
 */
#include "lint/lint_int.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SARIF_SCHEMA "https://json.schemastore.org/sarif-2.1.0.json"
#define SARIF_MAX_RESULTS 25000

int
lint_format_parse(enum lint_format *out, const char *s)
{
	static const struct {
		const char *name;
		enum lint_format f;
	} fmts[] = {
		{ "text", LINT_FORMAT_TEXT }, { "json", LINT_FORMAT_JSON },
		{ "sarif", LINT_FORMAT_SARIF }, { "github", LINT_FORMAT_GITHUB },
		{ "codeclimate", LINT_FORMAT_CODECLIMATE },
	};
	size_t i;

	for (i = 0; i < PS_ARRAY_SIZE(fmts); i++)
		if (s && strcmp(s, fmts[i].name) == 0) {
			*out = fmts[i].f;
			return 0;
		}
	return ps_error(PS_EUSAGE, "unknown format '%s' (text, json, sarif, "
	    "github or codeclimate)", s ? s : "");
}

static const char *
level_name(enum diag_level l)
{
	return diag_level_name(l);	/* error, warning, note */
}

static const char *
sarif_level(enum diag_level l)
{
	return l == DIAG_ERROR ? "error" : l == DIAG_WARNING ? "warning" : "note";
}

/* s for a terminal: live names, ARNs and waiver reasons can hold control
 * characters (an escape sequence, a newline that fakes a finding). */
static void
add_printable(struct ps_buf *b, const char *s)
{
	ps_buf_add_printable(b, s, 0);
}

/* Where a finding is, as text: file:line:col, the ARN, or nothing. */
static void
location(struct ps_buf *b, const struct lint_finding *f)
{
	if (f->live_id) {
		add_printable(b, f->live_arn ? f->live_arn : f->live_id);
	} else if (f->file) {
		add_printable(b, f->file);
		if (f->line)
			ps_buf_addf(b, ":%u:%u", f->line, f->col ? f->col : 1);
	}
}

static void
summary(struct ps_buf *b, const struct lint_report *r)
{
	ps_buf_addf(b, "lint: %zu project%s: %zu error%s, %zu warning%s, "
	    "%zu note%s, %zu suppressed\n", r->projects,
	    r->projects == 1 ? "" : "s", r->errors, r->errors == 1 ? "" : "s",
	    r->warnings, r->warnings == 1 ? "" : "s", r->notes,
	    r->notes == 1 ? "" : "s", r->suppressed);
	if (r->dropped)
		ps_buf_addf(b, "lint: %zu more findings were not collected "
		    "(limit reached)\n", r->dropped);
	if (!r->live)
		return;
	if (r->coverage.active == 0) {
		ps_buf_adds(b, "live: no active projects\n");
		return;
	}
	ps_buf_addf(b, "live: %zu of %zu active project%s tagged per the "
	    "taxonomy (%.1f%% coverage), %zu unmanaged\n", r->coverage.compliant,
	    r->coverage.active, r->coverage.active == 1 ? "" : "s",
	    100.0 * (double)r->coverage.compliant / (double)r->coverage.active,
	    r->coverage.unmanaged);
}

static const char *
group_of(const struct lint_finding *f)
{
	return f->live_id ? "\001live" : f->file ? f->file : "";
}

static void
render_text(struct ps_buf *b, const struct lint_report *r,
    const struct lint_render_options *o)
{
	struct ps_buf loc = PS_BUF_INIT;
	const char *prev = NULL;
	size_t i;

	for (i = 0; i < r->nr; i++) {
		const struct lint_finding *f = &r->items[i];
		const char *lvl = level_name(f->level), *col = "";

		if (f->suppressed && !o->show_suppressed)
			continue;
		/* a blank line between files, and before the live account */
		if (prev && strcmp(prev, group_of(f)))
			ps_buf_addch(b, '\n');
		prev = group_of(f);
		if (o->color)
			col = f->level == DIAG_ERROR ? "\033[1;31m" :
			    f->level == DIAG_WARNING ? "\033[1;35m" : "\033[1;36m";
		ps_buf_reset(&loc);
		location(&loc, f);
		if (loc.len)
			ps_buf_addf(b, "%s%s:%s ", o->color ? "\033[1m" : "",
			    loc.ptr, o->color ? "\033[0m" : "");
		if (o->color)
			ps_buf_addf(b, "%s%s\033[0m: ", col, lvl);
		else
			ps_buf_addf(b, "%s: ", lvl);
		add_printable(b, f->msg);
		if (f->rule)
			ps_buf_addf(b, " [%s]", f->rule);
		if (f->suppressed) {
			ps_buf_adds(b, " (suppressed: ");
			add_printable(b, f->suppress_reason ?
			    f->suppress_reason : "");
			ps_buf_addch(b, ')');
		}
		ps_buf_addch(b, '\n');
	}
	if (prev)
		ps_buf_addch(b, '\n');
	summary(b, r);
	ps_buf_release(&loc);
}

/* ---- JSON ---- */

static cJSON *
finding_json(const struct lint_finding *f)
{
	cJSON *o = cJSON_CreateObject(), *p;

	ps_json_add_str(o, "rule", f->rule);
	cJSON_AddStringToObject(o, "severity", level_name(f->level));
	cJSON_AddStringToObject(o, "message", f->msg);
	if (f->file) {
		cJSON_AddStringToObject(o, "file", f->file);
		cJSON_AddNumberToObject(o, "line", f->line);
		cJSON_AddNumberToObject(o, "column", f->col);
	}
	if (f->live_id) {
		p = cJSON_AddObjectToObject(o, "project");
		cJSON_AddStringToObject(p, "id", f->live_id);
		if (f->live_arn)
			cJSON_AddStringToObject(p, "arn", f->live_arn);
		if (f->live_name)
			cJSON_AddStringToObject(p, "name", f->live_name);
	}
	cJSON_AddBoolToObject(o, "suppressed", f->suppressed);
	if (f->suppressed) {
		p = cJSON_AddObjectToObject(o, "suppression");
		cJSON_AddStringToObject(p, "reason", f->suppress_reason ?
		    f->suppress_reason : "");
		if (f->suppress_until)
			cJSON_AddStringToObject(p, "until", f->suppress_until);
	}
	return o;
}

static double
percent(size_t a, size_t b)
{
	return b ? round(10000.0 * (double)a / (double)b) / 100.0 : 0;
}

static void
render_json(struct ps_buf *b, const struct lint_report *r,
    const struct lint_render_options *o)
{
	cJSON *root = cJSON_CreateObject(), *t, *arr;
	size_t i;

	cJSON_AddNumberToObject(root, "format_version", 1);
	t = cJSON_AddObjectToObject(root, "tool");
	cJSON_AddStringToObject(t, "name", "projsync");
	cJSON_AddStringToObject(t, "version", o->tool_version ?
	    o->tool_version : "");
	t = cJSON_AddObjectToObject(root, "summary");
	cJSON_AddNumberToObject(t, "projects", (double)r->projects);
	cJSON_AddNumberToObject(t, "errors", (double)r->errors);
	cJSON_AddNumberToObject(t, "warnings", (double)r->warnings);
	cJSON_AddNumberToObject(t, "notes", (double)r->notes);
	cJSON_AddNumberToObject(t, "suppressed", (double)r->suppressed);
	cJSON_AddNumberToObject(t, "dropped", (double)r->dropped);
	if (r->live) {
		t = cJSON_AddObjectToObject(root, "live");
		cJSON_AddNumberToObject(t, "projects",
		    (double)r->coverage.live_total);
		cJSON_AddNumberToObject(t, "active", (double)r->coverage.active);
		cJSON_AddNumberToObject(t, "compliant",
		    (double)r->coverage.compliant);
		cJSON_AddNumberToObject(t, "unmanaged",
		    (double)r->coverage.unmanaged);
		cJSON_AddNumberToObject(t, "coverage_percent",
		    percent(r->coverage.compliant, r->coverage.active));
	}
	arr = cJSON_AddArrayToObject(root, "findings");
	for (i = 0; i < r->nr; i++)
		cJSON_AddItemToArray(arr, finding_json(&r->items[i]));
	ps_json_render(b, root);
	cJSON_Delete(root);
}

/* ---- SARIF 2.1.0 ---- */

/* A relative path or URI as an RFC 3986 URI reference. */
static char *
uri_encode(const char *s, bool relative_path)
{
	static const char keep[] = "-._~!$&'()*+,;=:@/";
	struct ps_buf b = PS_BUF_INIT;
	const char *slash = strchr(s, '/'), *colon = strchr(s, ':');

	/* "a:b.yaml" would read as a scheme */
	if (relative_path && colon && (!slash || colon < slash))
		ps_buf_adds(&b, "./");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || (c && strchr(keep, c)))
			ps_buf_addch(&b, (char)c);
		else
			ps_buf_addf(&b, "%%%02X", c);
	}
	return ps_buf_detach(&b);
}

static char *
artifact_uri(const char *file, const char *base)
{
	size_t bl = base ? strlen(base) : 0;
	struct ps_buf b = PS_BUF_INIT;
	char *enc;

	while (file[0] == '.' && file[1] == '/')
		file += 2;
	if (file[0] != '/')
		return uri_encode(file, true);
	while (bl > 1 && base[bl - 1] == '/')
		bl--;
	if (bl && !strncmp(file, base, bl) && file[bl] == '/')
		return uri_encode(file + bl + 1, true);
	enc = uri_encode(file, false);
	ps_buf_addf(&b, "file://%s", enc);
	free(enc);
	return ps_buf_detach(&b);
}

static cJSON *
text_obj(const char *s)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "text", s);
	return o;
}

static cJSON *
rule_json(const struct lint_rule *lr, const char *id)
{
	cJSON *o = cJSON_CreateObject(), *t, *tags;
	char *full;

	cJSON_AddStringToObject(o, "id", id);
	if (!lr) {
		cJSON_AddItemToObject(o, "shortDescription", text_obj(id));
		return o;
	}
	cJSON_AddItemToObject(o, "shortDescription", text_obj(lr->summary));
	full = xasprintf("%s. Reported by %s.", lr->summary,
	    lr->origin == LINT_ORIGIN_VALIDATE ? "projsync validate and lint" :
	    lr->origin == LINT_ORIGIN_LINT ? "projsync lint" :
	    lr->origin == LINT_ORIGIN_POLICY ? "projsync lint --tag-policy" :
	    "projsync lint --live");
	cJSON_AddItemToObject(o, "fullDescription", text_obj(full));
	free(full);
	cJSON_AddItemToObject(o, "help", text_obj(lr->hint));
	t = cJSON_AddObjectToObject(o, "defaultConfiguration");
	cJSON_AddStringToObject(t, "level", sarif_level(lr->level));
	t = cJSON_AddObjectToObject(o, "properties");
	tags = cJSON_AddArrayToObject(t, "tags");
	cJSON_AddItemToArray(tags, cJSON_CreateString("projsync"));
	cJSON_AddItemToArray(tags, cJSON_CreateString(
	    lint_origin_name(lr->origin)));
	return o;
}

/* The index of id in the driver's rules (those the results use). */
static int
rule_index(const char **ids, size_t nr, const char *id)
{
	size_t i;

	for (i = 0; i < nr; i++)
		if (!strcmp(ids[i], id))
			return (int)i;
	return -1;
}

static cJSON *
result_json(const struct lint_finding *f, int idx,
    const struct lint_render_options *o)
{
	cJSON *res = cJSON_CreateObject(), *locs, *loc, *phys, *art, *reg, *t;
	char *uri;

	if (f->rule) {
		cJSON_AddStringToObject(res, "ruleId", f->rule);
		if (idx >= 0)
			cJSON_AddNumberToObject(res, "ruleIndex", idx);
	}
	cJSON_AddStringToObject(res, "level", sarif_level(f->level));
	cJSON_AddItemToObject(res, "message", text_obj(f->msg));
	locs = cJSON_AddArrayToObject(res, "locations");
	loc = cJSON_CreateObject();
	cJSON_AddItemToArray(locs, loc);
	phys = cJSON_AddObjectToObject(loc, "physicalLocation");
	art = cJSON_AddObjectToObject(phys, "artifactLocation");
	if (f->live_id) {
		/* an ARN is an absolute URI (scheme "arn") */
		uri = uri_encode(f->live_arn ? f->live_arn : f->live_id,
		    !f->live_arn);
		cJSON_AddStringToObject(art, "uri", uri);
		free(uri);
		reg = cJSON_AddObjectToObject(phys, "region");
		cJSON_AddNumberToObject(reg, "startLine", 1);
		t = cJSON_AddArrayToObject(loc, "logicalLocations");
		reg = cJSON_CreateObject();
		cJSON_AddItemToArray(t, reg);
		if (f->live_name)
			cJSON_AddStringToObject(reg, "name", f->live_name);
		cJSON_AddStringToObject(reg, "fullyQualifiedName", f->live_arn ?
		    f->live_arn : f->live_id);
		cJSON_AddStringToObject(reg, "kind", "resource");
		t = cJSON_AddObjectToObject(res, "partialFingerprints");
		{
			char hex[65], *key = xasprintf("%s\n%s", f->rule ?
			    f->rule : "", f->live_id);
			sha256_hex(hex, key, strlen(key));
			free(key);
			hex[32] = '\0';
			cJSON_AddStringToObject(t, "projsyncLive/v1", hex);
		}
	} else {
		uri = artifact_uri(f->file ? f->file : "", o->base_dir);
		cJSON_AddStringToObject(art, "uri", uri);
		free(uri);
		/* code scanning wants a start line: a file-level finding
		 * points at the top of the file */
		reg = cJSON_AddObjectToObject(phys, "region");
		cJSON_AddNumberToObject(reg, "startLine", f->line ? f->line : 1);
		if (f->line && f->col)
			cJSON_AddNumberToObject(reg, "startColumn", f->col);
	}
	if (f->suppressed) {
		t = cJSON_AddArrayToObject(res, "suppressions");
		loc = cJSON_CreateObject();
		cJSON_AddItemToArray(t, loc);
		cJSON_AddStringToObject(loc, "kind", "inSource");
		cJSON_AddStringToObject(loc, "justification", f->suppress_reason ?
		    f->suppress_reason : "");
		if (f->suppress_until) {
			reg = cJSON_AddObjectToObject(loc, "properties");
			cJSON_AddStringToObject(reg, "until", f->suppress_until);
		}
	}
	return res;
}

static void
render_sarif(struct ps_buf *b, const struct lint_report *r,
    const struct lint_render_options *o)
{
	size_t max = o->sarif_max_results ? o->sarif_max_results :
	    SARIF_MAX_RESULTS;
	const struct lint_rule *rules;
	const char **ids = NULL;
	size_t nrules, ids_nr = 0, ids_alloc = 0, i, j, shown, left;
	bool *keep;
	int pass;
	cJSON *root, *run, *driver, *arr, *inv, *props, *t;

	/* the rules the results use: registry order, then unknown ids */
	rules = lint_rules(&nrules);
	for (i = 0; i < nrules; i++)
		for (j = 0; j < r->nr; j++)
			if (r->items[j].rule && !strcmp(r->items[j].rule,
			    rules[i].id)) {
				xgrow(&ids, &ids_alloc, ids_nr + 1, sizeof(*ids));
				ids[ids_nr++] = rules[i].id;
				break;
			}
	for (j = 0; j < r->nr; j++) {
		const char *id = r->items[j].rule;
		if (!id || lint_rule_find(id) || rule_index(ids, ids_nr, id) >= 0)
			continue;
		xgrow(&ids, &ids_alloc, ids_nr + 1, sizeof(*ids));
		ids[ids_nr++] = id;
	}

	root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "$schema", SARIF_SCHEMA);
	cJSON_AddStringToObject(root, "version", "2.1.0");
	arr = cJSON_AddArrayToObject(root, "runs");
	run = cJSON_CreateObject();
	cJSON_AddItemToArray(arr, run);
	t = cJSON_AddObjectToObject(run, "tool");
	driver = cJSON_AddObjectToObject(t, "driver");
	cJSON_AddStringToObject(driver, "name", "projsync");
	cJSON_AddStringToObject(driver, "version", o->tool_version ?
	    o->tool_version : "");
	/* no informationUri: projsync has no public home page to name */
	arr = cJSON_AddArrayToObject(driver, "rules");
	for (i = 0; i < ids_nr; i++)
		cJSON_AddItemToArray(arr, rule_json(lint_rule_find(ids[i]),
		    ids[i]));

	shown = r->nr < max ? r->nr : max;
	keep = xcalloc(r->nr + 1, sizeof(*keep));
	arr = cJSON_AddArrayToObject(run, "invocations");
	inv = cJSON_CreateObject();
	cJSON_AddItemToArray(arr, inv);
	cJSON_AddBoolToObject(inv, "executionSuccessful", true);
	if (shown < r->nr || r->dropped) {
		cJSON *notes = cJSON_AddArrayToObject(inv,
		    "toolExecutionNotifications"), *n;
		char *msg = xasprintf("%zu of %zu findings are included; the "
		    "rest were left out (GitHub code scanning accepts at most "
		    "%zu results per run)", shown, r->nr + r->dropped, max);
		n = cJSON_CreateObject();
		cJSON_AddItemToArray(notes, n);
		cJSON_AddStringToObject(n, "level", "warning");
		cJSON_AddItemToObject(n, "message", text_obj(msg));
		free(msg);
	}
	cJSON_AddStringToObject(run, "columnKind", "unicodeCodePoints");
	/* past the limit keep the most severe (unsuppressed first), in
	 * file order */
	arr = cJSON_AddArrayToObject(run, "results");
	for (pass = 0, left = shown; pass < 6 && left; pass++) {
		for (i = 0; i < r->nr && left; i++) {
			const struct lint_finding *f = &r->items[i];
			if ((int)f->level != pass % 3 ||
			    f->suppressed != (pass >= 3))
				continue;
			keep[i] = true;
			left--;
		}
	}
	for (i = 0; i < r->nr; i++)
		if (keep[i])
			cJSON_AddItemToArray(arr, result_json(&r->items[i],
			    r->items[i].rule ? rule_index(ids, ids_nr,
			    r->items[i].rule) : -1, o));
	free(keep);
	props = cJSON_AddObjectToObject(run, "properties");
	cJSON_AddNumberToObject(props, "projects", (double)r->projects);
	cJSON_AddNumberToObject(props, "errors", (double)r->errors);
	cJSON_AddNumberToObject(props, "warnings", (double)r->warnings);
	cJSON_AddNumberToObject(props, "notes", (double)r->notes);
	cJSON_AddNumberToObject(props, "suppressed", (double)r->suppressed);
	cJSON_AddBoolToObject(props, "truncated", shown < r->nr || r->dropped);
	cJSON_AddNumberToObject(props, "totalResults",
	    (double)(r->nr + r->dropped));
	if (r->live) {
		t = cJSON_AddObjectToObject(props, "live");
		cJSON_AddNumberToObject(t, "projects",
		    (double)r->coverage.live_total);
		cJSON_AddNumberToObject(t, "active", (double)r->coverage.active);
		cJSON_AddNumberToObject(t, "compliant",
		    (double)r->coverage.compliant);
		cJSON_AddNumberToObject(t, "unmanaged",
		    (double)r->coverage.unmanaged);
		cJSON_AddNumberToObject(t, "coveragePercent",
		    percent(r->coverage.compliant, r->coverage.active));
	}
	ps_json_render(b, root);
	cJSON_Delete(root);
	free(ids);
}

/* ---- GitHub workflow commands ---- */

void
lint_github_escape(struct ps_buf *out, const char *s, bool property)
{
	for (; *s; s++) {
		switch (*s) {
		case '%':
			ps_buf_adds(out, "%25");
			break;
		case '\r':
			ps_buf_adds(out, "%0D");
			break;
		case '\n':
			ps_buf_adds(out, "%0A");
			break;
		case ':':
			ps_buf_adds(out, property ? "%3A" : ":");
			break;
		case ',':
			ps_buf_adds(out, property ? "%2C" : ",");
			break;
		default:
			ps_buf_addch(out, *s);
		}
	}
}

static void
render_github(struct ps_buf *b, const struct lint_report *r,
    const struct lint_render_options *o)
{
	size_t i;

	for (i = 0; i < r->nr; i++) {
		const struct lint_finding *f = &r->items[i];
		const char *cmd = f->level == DIAG_ERROR ? "error" :
		    f->level == DIAG_WARNING ? "warning" : "notice";
		bool sep = false;

		if (f->suppressed && !o->show_suppressed)
			continue;
		ps_buf_addf(b, "::%s ", cmd);
		if (f->file) {
			ps_buf_adds(b, "file=");
			lint_github_escape(b, f->file, true);
			if (f->line)
				ps_buf_addf(b, ",line=%u,col=%u", f->line,
				    f->col ? f->col : 1);
			sep = true;
		}
		if (f->rule) {
			ps_buf_adds(b, sep ? ",title=" : "title=");
			lint_github_escape(b, f->rule, true);
		}
		ps_buf_adds(b, "::");
		if (f->live_arn) {	/* the message names the id already */
			lint_github_escape(b, f->live_arn, false);
			ps_buf_adds(b, ": ");
		}
		lint_github_escape(b, f->msg, false);
		if (f->suppressed) {
			ps_buf_adds(b, " (suppressed: ");
			lint_github_escape(b, f->suppress_reason ?
			    f->suppress_reason : "", false);
			ps_buf_addch(b, ')');
		}
		ps_buf_addch(b, '\n');
	}
	summary(b, r);
}

/* ---- GitLab Code Quality (a subset of the Code Climate format) ---- */

static const char *
cc_severity(enum diag_level l)
{
	return l == DIAG_ERROR ? "major" : l == DIAG_WARNING ? "minor" : "info";
}

static void
render_codeclimate(struct ps_buf *b, const struct lint_report *r,
    const struct lint_render_options *o)
{
	cJSON *arr = cJSON_CreateArray(), *it, *loc, *lines;
	struct ps_buf key = PS_BUF_INIT, desc = PS_BUF_INIT;
	struct lint__map seen = LINT__MAP_INIT;
	char hex[65], **keys = xcalloc(r->nr + 1, sizeof(*keys));
	size_t i, same, nkeys = 0, *slot;
	bool fresh;

	for (i = 0; i < r->nr; i++) {
		const struct lint_finding *f = &r->items[i];
		const char *path = f->file ? f->file : o->inventory ?
		    o->inventory : "projects.yaml";

		if (f->suppressed && !o->show_suppressed)
			continue;
		ps_buf_reset(&desc);
		if (f->live_id) {	/* a live project: named in the text */
			ps_buf_adds(&desc, f->live_arn ? f->live_arn : f->live_id);
			ps_buf_adds(&desc, ": ");
		}
		ps_buf_adds(&desc, f->msg);
		/* stable across runs and line moves; the n-th repeat of the
		 * same finding in a file keeps its own */
		ps_buf_reset(&key);
		ps_buf_addf(&key, "%s\n%s\n%s", f->rule ? f->rule : "", path,
		    desc.ptr);
		if ((slot = lint__map_get(&seen, key.ptr))) {
			same = ++*slot;
		} else {
			keys[nkeys] = xstrdup(key.ptr);
			lint__map_put(&seen, keys[nkeys++], 0, &fresh);
			same = 0;
		}
		ps_buf_addf(&key, "\n%zu", same);
		sha256_hex(hex, key.ptr, key.len);
		hex[32] = '\0';
		it = cJSON_CreateObject();
		cJSON_AddStringToObject(it, "type", "issue");
		cJSON_AddStringToObject(it, "check_name", f->rule ? f->rule :
		    "projsync");
		cJSON_AddStringToObject(it, "description", desc.ptr);
		cJSON_AddStringToObject(it, "fingerprint", hex);
		cJSON_AddStringToObject(it, "severity", cc_severity(f->level));
		loc = cJSON_AddObjectToObject(it, "location");
		cJSON_AddStringToObject(loc, "path", path);
		lines = cJSON_AddObjectToObject(loc, "lines");
		cJSON_AddNumberToObject(lines, "begin", f->line ? f->line : 1);
		cJSON_AddItemToArray(arr, it);
	}
	ps_json_render(b, arr);
	cJSON_Delete(arr);
	lint__map_release(&seen);
	for (i = 0; i < nkeys; i++)
		free(keys[i]);
	free(keys);
	ps_buf_release(&key);
	ps_buf_release(&desc);
}

void
lint_render(struct ps_buf *out, const struct lint_report *r,
    enum lint_format fmt, const struct lint_render_options *o)
{
	static const struct lint_render_options defaults;

	if (!o)
		o = &defaults;
	switch (fmt) {
	case LINT_FORMAT_JSON:
		render_json(out, r, o);
		break;
	case LINT_FORMAT_SARIF:
		render_sarif(out, r, o);
		break;
	case LINT_FORMAT_GITHUB:
		render_github(out, r, o);
		break;
	case LINT_FORMAT_CODECLIMATE:
		render_codeclimate(out, r, o);
		break;
	default:
		render_text(out, r, o);
	}
}

void
lint_render_rules(struct ps_buf *out, enum lint_format fmt)
{
	const struct lint_rule *rules;
	size_t nr, i;

	rules = lint_rules(&nr);
	if (fmt == LINT_FORMAT_JSON) {
		cJSON *arr = cJSON_CreateArray();
		for (i = 0; i < nr; i++) {
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "id", rules[i].id);
			cJSON_AddStringToObject(o, "severity",
			    level_name(rules[i].level));
			cJSON_AddStringToObject(o, "origin",
			    lint_origin_name(rules[i].origin));
			cJSON_AddStringToObject(o, "description",
			    rules[i].summary);
			cJSON_AddStringToObject(o, "hint", rules[i].hint);
			cJSON_AddItemToArray(arr, o);
		}
		ps_json_render(out, arr);
		cJSON_Delete(arr);
		return;
	}
	for (i = 0; i < nr; i++) {
		if (i == 0 || rules[i].origin != rules[i - 1].origin)
			ps_buf_addf(out, "%s%s rules:\n", i ? "\n" : "",
			    rules[i].origin == LINT_ORIGIN_VALIDATE ?
			    "validate (also run by lint)" :
			    rules[i].origin == LINT_ORIGIN_LINT ? "lint" :
			    rules[i].origin == LINT_ORIGIN_POLICY ?
			    "--tag-policy" : "--live");
		ps_buf_addf(out, "  %-24s %-8s %s\n", rules[i].id,
		    level_name(rules[i].level), rules[i].summary);
		ps_buf_addf(out, "  %-24s %-8s fix: %s\n", "", "", rules[i].hint);
	}
	ps_buf_adds(out, "\nname_pattern: {Key}, {Key:short}, {Key:lower}, "
	    "{Key:upper}, * (any text), {{ and }} (braces).\n{Key:short} "
	    "abbreviates (ignoring case) ");
	lint__short_table(out, ", ", "->");
	ps_buf_adds(out, ";\nany other value stays as it is.\n");
}
