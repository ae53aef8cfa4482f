/*
 * lint: the tag-policy gate (`projsync lint`).  Owned by the lint module.
 *
 * lint_run() gathers findings about an inventory: everything `validate`
 * reports (the loader's diagnostics plus policy_validate()), the lint
 * rules of the registry below, the checks of an AWS Organizations tag
 * policy, and with a live state (which the caller fetched: lint never
 * touches the network) an audit of the account's projects.  Suppressions
 * (`lint_ignore`) mark findings, they never drop them.  Renderers turn a
 * report into text, JSON, SARIF 2.1.0 or GitHub workflow commands.
 *
 * Ownership: a `struct lint_report` is a value type (LINT_REPORT_INIT,
 * lint_report_release()); everything in it is owned by it and is
 * independent of the inventory and live state it was built from.
 * lint_tag_policy_*() hand a policy to the caller (lint_tag_policy_free()).
 */
#ifndef PROJSYNC_LINT_H
#define PROJSYNC_LINT_H

#include <stdbool.h>
#include <stddef.h>

#include "inventory/inventory.h"
#include "live/live.h"
#include "util/util.h"

/* ---- the rule registry ---- */

enum lint_origin {
	LINT_ORIGIN_VALIDATE,	/* the loader and policy_validate() */
	LINT_ORIGIN_LINT,	/* inventory lint rules */
	LINT_ORIGIN_POLICY,	/* --tag-policy */
	LINT_ORIGIN_LIVE,	/* --live */
};

struct lint_rule {
	const char *id;		/* stable: "key-case-mismatch" */
	enum diag_level level;	/* default severity */
	enum lint_origin origin;
	const char *summary;	/* one line, no full stop */
	const char *hint;	/* how to fix it, one or two sentences */
};

/* Every rule, sorted by origin then id (static storage). */
const struct lint_rule *lint_rules(size_t *nr);
/* The rule with this id, or NULL. */
const struct lint_rule *lint_rule_find(const char *id);
const char *lint_origin_name(enum lint_origin o);

/*
 * `settings.name_pattern` abbreviations for `{Key:short}`: the short form
 * of value (static storage), or value itself when the table has none.
 */
const char *lint_short_name(const char *value);

/* ---- AWS Organizations tag policies (--tag-policy) ---- */

struct lint_tag_policy;

/*
 * Parse a tag policy (the `{"tags": {...}}` JSON document, plain or with
 * the @@assign/@@append/@@remove operators).  Problems in the document go
 * to dl as `name:line:col` diagnostics (rule "tag-policy-syntax") and the
 * call returns PS_EINVALID with *out NULL.  name labels messages.
 */
int lint_tag_policy_parse(struct lint_tag_policy **out, const char *name,
    const char *buf, size_t len, struct diag_list *dl);
/* Same, reading path: PS_ENOTFOUND/PS_EFAIL (message recorded) when the
 * file cannot be read. */
int lint_tag_policy_load(struct lint_tag_policy **out, const char *path,
    struct diag_list *dl);
void lint_tag_policy_free(struct lint_tag_policy *p);
/* Number of policy keys (for tests and the summary). */
size_t lint_tag_policy_keys(const struct lint_tag_policy *p);

/* ---- running ---- */

/* A taxonomy key's cost-allocation tag status in Cost Explorer. */
enum lint_cost_tag_state {
	LINT_COST_TAG_UNSEEN = 0,	/* billing has no usage with it yet */
	LINT_COST_TAG_INACTIVE,
	LINT_COST_TAG_ACTIVE,
};

struct lint_cost_tag {
	const char *key;
	enum lint_cost_tag_state state;
};

struct lint_options {
	const struct lint_tag_policy *tag_policy;	/* NULL: none */
	const struct live_state *live;			/* NULL: no --live */
	/* --live with settings.billing: the taxonomy keys' statuses the
	 * caller asked Cost Explorer for (cost-tag-inactive,
	 * cost-tag-unseen); NULL: not checked */
	const struct lint_cost_tag *cost_tags;
	size_t cost_tags_nr;
	const char *today;	/* "YYYY-MM-DD" for `until`; NULL: today (UTC) */
};

struct lint_finding {
	const char *rule;	/* static id (registry or the diag's) */
	enum diag_level level;
	char *file;		/* NULL for live and file-less findings */
	unsigned line, col;	/* 1-based; 0 when unknown */
	char *msg;
	/* live findings: the project (NULL otherwise) */
	char *live_id, *live_arn, *live_name;
	/* set when a lint_ignore entry matched */
	bool suppressed;
	char *suppress_reason;
	char *suppress_until;	/* may be NULL */
};

struct lint_coverage {
	size_t live_total;	/* every live project listed, default included */
	size_t active;		/* not archived, not `default` */
	size_t compliant;	/* active, tags satisfy the taxonomy */
	size_t unmanaged;	/* active and absent from the inventory */
};

struct lint_report {
	struct lint_finding *items;	/* sorted: files, then live */
	size_t nr, alloc;
	size_t errors, warnings, notes;	/* not suppressed */
	size_t suppressed;
	size_t dropped;		/* findings past the collection limit */
	size_t projects;	/* inventory projects linted */
	bool live;		/* the live audit ran */
	struct lint_coverage coverage;
};
#define LINT_REPORT_INIT { NULL, 0, 0, 0, 0, 0, 0, 0, 0, false, { 0, 0, 0, 0 } }

/*
 * Lint inv (may be NULL when the YAML could not be loaded at all) and take
 * in load_diags, the loader's diagnostics (may be NULL).  Runs
 * policy_validate() itself.  Fills out (which must be LINT_REPORT_INIT or
 * released); returns 0, or PS_EUSAGE for a malformed opts->today.
 */
int lint_run(struct lint_report *out, const struct inventory *inv,
    const struct diag_list *load_diags, const struct lint_options *opts);
void lint_report_release(struct lint_report *r);
/*
 * Move every finding of src to the end of dst and add up the counts (one
 * report for several inventories, in the order they were merged); src is
 * left empty.  Neither may hold a live audit.
 */
void lint_report_merge(struct lint_report *dst, struct lint_report *src);
/* Does the report fail the gate?  Errors always; warnings when asked. */
bool lint_report_fails(const struct lint_report *r, bool fail_on_warning);

/* ---- rendering ---- */

enum lint_format {
	LINT_FORMAT_TEXT,
	LINT_FORMAT_JSON,
	LINT_FORMAT_SARIF,
	LINT_FORMAT_GITHUB,
	LINT_FORMAT_CODECLIMATE,	/* GitLab Code Quality */
};

/* "text" | "json" | "sarif" | "github" | "codeclimate"; PS_EUSAGE
 * otherwise. */
int lint_format_parse(enum lint_format *out, const char *s);

struct lint_render_options {
	const char *tool_version;	/* PROJSYNC_VERSION */
	bool color;			/* text: ANSI colours */
	bool show_suppressed;		/* text, github: list suppressed too */
	size_t sarif_max_results;	/* 0: 25,000 (GitHub code scanning) */
	/* SARIF: absolute paths under base_dir become relative URIs (the
	 * working directory, usually the repository's root); NULL: none */
	const char *base_dir;
	/* codeclimate: the file live findings point at (GitLab wants a path
	 * for every issue); NULL: "projects.yaml" */
	const char *inventory;
};

/* Append the report in fmt to out. */
void lint_render(struct ps_buf *out, const struct lint_report *r,
    enum lint_format fmt, const struct lint_render_options *o);
/* Append the rule list (--list-rules): text table or JSON array. */
void lint_render_rules(struct ps_buf *out, enum lint_format fmt);

/* GitHub workflow-command escaping, for tests: data (message) escapes
 * % \r \n; a property value also escapes : and ,. */
void lint_github_escape(struct ps_buf *out, const char *s, bool property);

#endif
