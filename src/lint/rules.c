/*
 * lint: the rule registry.  Every finding projsync can report has an
 * entry here: its stable id, default severity, one-line summary and a fix
 * hint, listed by `projsync lint --list-rules` and docs/lint-rules.md.
 */
#include "lint/lint_int.h"

#include <string.h>
#include <strings.h>

#define E DIAG_ERROR
#define W DIAG_WARNING
#define I DIAG_INFO
#define V LINT_ORIGIN_VALIDATE
#define L LINT_ORIGIN_LINT
#define P LINT_ORIGIN_POLICY
#define LV LINT_ORIGIN_LIVE

/* Keep sorted by origin, then id: --list-rules prints this order. */
static const struct lint_rule rules[] = {
	/* validate: the loader and policy_validate() (docs/projsync-inventory.5) */
	{ "alias-limit", E, V, "YAML aliases expand past the node limit",
	    "Use fewer or smaller aliases: projsync bounds alias expansion to "
	    "reject \"billion laughs\" files." },
	{ "duplicate-id", E, V, "Two projects pin the same `id:`",
	    "An ID names one live project: remove one of the pins." },
	{ "duplicate-key", E, V, "A YAML mapping has the same key twice",
	    "Remove or rename one of the keys; YAML keeps only one of them." },
	{ "duplicate-name", E, V, "Two projects have the same name",
	    "Project names must be unique in the inventory: rename one." },
	{ "empty-file", E, V, "The inventory file is empty",
	    "Write at least `version: 1` and a `projects:` list." },
	{ "file-too-large", E, V, "An inventory file exceeds the size limit (64 MiB)",
	    "Split the inventory with `include:`." },
	{ "include-error", E, V, "An included file cannot be read or includes too deeply",
	    "Check the file and its permissions; includes nest at most 16 deep." },
	{ "include-no-match", W, V, "An `include:` pattern matches no file",
	    "Fix the pattern: it is relative to the including file's folder." },
	{ "include-not-found", E, V, "An `include:` names a file that does not exist",
	    "Fix the path: it is relative to the including file's folder." },
	{ "invalid-characters", E, V,
	    "A tag key or value has characters AWS does not allow",
	    "Use letters, numbers, spaces and _ . : / = + - @ only." },
	{ "invalid-encoding", E, V, "The file is not valid UTF-8",
	    "Save the file as UTF-8." },
	{ "invalid-id", E, V, "An `id:` pin is not of the form proj_[a-z0-9]+",
	    "Copy the project ID from `projsync export` or the console." },
	{ "invalid-name", E, V,
	    "A project name is empty, only whitespace, too long, or `default`",
	    "Give the project a name of 1 to 128 characters." },
	{ "invalid-pattern", E, V, "A taxonomy `pattern` is not a valid regular expression",
	    "Patterns are POSIX extended regular expressions, e.g. '^CC-[0-9]{4}$'." },
	{ "invalid-taxonomy", E, V,
	    "The taxonomy contradicts itself (e.g. a required key a closed "
	    "taxonomy does not declare)",
	    "Declare every required key under taxonomy.tags, and keep allowed "
	    "values valid tag values." },
	{ "invalid-type", E, V, "A field has the wrong YAML type",
	    "See projsync-inventory(5); quote values YAML would read as numbers "
	    "or booleans (CostCenter: \"1001\")." },
	{ "invalid-value", E, V, "A setting has a value outside its range or choices",
	    "See projsync-inventory(5) for the accepted values." },
	{ "misplaced-field", E, V, "A field is written at the wrong level",
	    "Move it where projsync-inventory(5) puts it." },
	{ "missing-field", E, V, "A required field is missing",
	    "Add the field; see projsync-inventory(5)." },
	{ "missing-required-tag", E, V,
	    "A project lacks a key listed in taxonomy.required (after defaults)",
	    "Add the tag to the project, or to `defaults.tags` if it is shared." },
	{ "missing-version", W, V, "The inventory has no `version:`",
	    "Add `version: 1` at the top." },
	{ "nesting-limit", E, V, "The YAML is nested deeper than the limit (64)",
	    "Flatten the document: inventories never need deep nesting." },
	{ "pattern-mismatch", E, V, "A tag value does not match the taxonomy's `pattern`",
	    "Fix the value, or the pattern in taxonomy.tags.<key>.pattern." },
	{ "project-limit", E, V,
	    "More non-archived projects than settings.project_limit (a warning "
	    "from 90%)",
	    "Archive unused projects, or ask AWS for a higher quota and raise "
	    "settings.project_limit." },
	{ "reserved-prefix", E, V, "A tag key or value starts with the reserved `aws:` prefix",
	    "The aws: prefix (in any case) is reserved for AWS: rename the tag." },
	{ "tag-key-length", E, V, "A tag key is empty or longer than 128 characters",
	    "Tag keys are 1 to 128 characters (code points)." },
	{ "tag-value-length", E, V, "A tag value is longer than 256 characters",
	    "Tag values are 0 to 256 characters (code points)." },
	{ "too-many-tags", E, V, "A project has more than 50 tags",
	    "AWS allows 50 user tags per resource: drop some." },
	{ "unknown-field", E, V, "A field projsync does not know (with a suggestion)",
	    "Check the spelling; see projsync-inventory(5)." },
	{ "unknown-tag-key", E, V,
	    "A tag key is not declared in a closed taxonomy (with a suggestion)",
	    "Declare it under taxonomy.tags or remove it from the project." },
	{ "unsupported-version", E, V, "The inventory's `version` is not 1",
	    "Set `version: 1`." },
	{ "value-not-allowed", E, V,
	    "A tag value is not in the taxonomy's `allowed` list (with the "
	    "closest value)",
	    "Use one of the allowed values, or add the value to "
	    "taxonomy.tags.<key>.allowed." },
	{ "yaml-syntax", E, V, "The file is not valid YAML",
	    "Fix the syntax at the position shown." },

	/* lint: inventory hygiene */
	{ "empty-tag-value", W, L, "A tag has an empty value",
	    "An empty value groups spend under \"\" in Cost Explorer: set a real "
	    "value or remove the tag." },
	{ "expired-suppression", W, L,
	    "A lint_ignore entry's `until` date has passed (it no longer applies)",
	    "Fix the finding it suppressed, or extend `until` with a reason." },
	{ "invalid-suppression", E, L,
	    "A lint_ignore entry lacks a reason, names no known rule or has a bad `until`",
	    "Write `{rule: <id>, reason: \"...\", until: YYYY-MM-DD}`; see "
	    "`projsync lint --list-rules` for ids." },
	{ "key-case-mismatch", E, L,
	    "A tag key equals another key (or a taxonomy key) ignoring case",
	    "Tag keys are case-sensitive: Cost Explorer sees 'costcenter' and "
	    "'CostCenter' as two keys.  Use the taxonomy's spelling." },
	{ "name-convention", W, L,
	    "A project name does not follow settings.name_pattern",
	    "Rename the project (a rename keeps its ID) or fix its tags; "
	    "`{Key:short}` abbreviates, see docs/lint-rules.md." },
	{ "near-duplicate-value", W, L,
	    "Values of a key differ only in punctuation or spacing, or by one "
	    "non-digit character",
	    "Pick one spelling ('CC-1001', not 'CC1001') so spend is not split "
	    "between two Cost Explorer groups." },
	{ "undeclared-tag-key", W, L,
	    "A tag key is not declared in the taxonomy (open taxonomy)",
	    "Declare it under taxonomy.tags (optionally with allowed values), "
	    "or remove it." },
	{ "unused-allowed-value", I, L, "An allowed taxonomy value no project uses",
	    "Remove it from `allowed` if it is obsolete." },
	{ "unused-suppression", I, L, "A lint_ignore entry matched no finding",
	    "Remove the stale entry." },
	{ "value-case-mismatch", E, L,
	    "Values of a key differ only in case across the inventory ('Prod'/'prod')",
	    "Tag values are case-sensitive: use one spelling everywhere." },
	{ "whitespace-in-value", E, L,
	    "A tag key or value has leading or trailing whitespace",
	    "Trim it: 'Prod ' and 'Prod' are different values to Cost Explorer." },

	/* --tag-policy: AWS Organizations tag policies */
	{ "tag-policy-key-case", E, P,
	    "A tag key differs in capitalisation from the tag policy's tag_key",
	    "Write the key exactly as the policy's tag_key/@@assign." },
	{ "tag-policy-required", E, P,
	    "A project lacks a key the policy reports as required for bedrock-mantle:project",
	    "Add the tag (report_required_tag_for lists bedrock-mantle:project)." },
	{ "tag-policy-syntax", E, P, "The tag policy file is not a valid tag policy",
	    "Fix the policy document at the position shown." },
	{ "tag-policy-taxonomy", E, P,
	    "The taxonomy contradicts the tag policy (key case, allowed values, required keys)",
	    "Align taxonomy.tags and taxonomy.required with the organisation's "
	    "tag policy." },
	{ "tag-policy-value", E, P, "A tag value is not allowed by the tag policy's tag_value",
	    "Use a value the policy allows ('*' in the policy matches any text)." },

	/* --live: the account's projects and billing */
	{ "cost-tag-inactive", W, LV,
	    "A taxonomy key is not an active cost-allocation tag: Cost Explorer cannot group spend by it",
	    "Set settings.billing.activate_tags: true and apply (from the "
	    "management account), or activate it in the Billing console." },
	{ "cost-tag-unseen", I, LV,
	    "Billing has not seen a taxonomy key yet: no tagged usage reached it, so it cannot be activated",
	    "Nothing to fix if projects carrying it are new: it appears up to "
	    "24 hours after their first usage; else check the key's spelling "
	    "on the projects." },
	{ "live-missing-required", E, LV,
	    "A live project lacks keys listed in taxonomy.required",
	    "Add the project to the inventory (projsync export helps) and apply, "
	    "or tag it." },
	{ "live-off-taxonomy", E, LV,
	    "A live project has a tag key or value the taxonomy does not allow",
	    "Manage the project in the inventory and apply, or fix its tags." },
	{ "live-unmanaged", W, LV, "A live project is not in the inventory",
	    "Adopt it (projsync export, then an `id:` pin) or archive it; "
	    "settings.unmanaged: ignore silences this." },
	{ "live-untagged", E, LV, "A live project has no tags at all",
	    "Its spend cannot be attributed: adopt it in the inventory and tag it." },
};

const struct lint_rule *
lint_rules(size_t *nr)
{
	*nr = PS_ARRAY_SIZE(rules);
	return rules;
}

const struct lint_rule *
lint_rule_find(const char *id)
{
	size_t i;

	if (!id)
		return NULL;
	for (i = 0; i < PS_ARRAY_SIZE(rules); i++)
		if (strcmp(rules[i].id, id) == 0)
			return &rules[i];
	return NULL;
}

const char *
lint_origin_name(enum lint_origin o)
{
	switch (o) {
	case LINT_ORIGIN_VALIDATE:
		return "validate";
	case LINT_ORIGIN_LINT:
		return "lint";
	case LINT_ORIGIN_POLICY:
		return "tag-policy";
	default:
		return "live";
	}
}

/*
 * `{Key:short}`: a fixed table of the usual environment and stage words.
 * A value the table does not know stays as it is, so `{Environment:short}`
 * of "Research" is "Research".  Matching ignores case; the result is the
 * table's spelling.  Documented in docs/lint-rules.md.
 */
static const struct {
	const char *full, *abbr;
} short_names[] = {
	{ "Development", "Dev" },
	{ "DisasterRecovery", "DR" },
	{ "Integration", "Int" },
	{ "PreProduction", "PreProd" },
	{ "Production", "Prod" },
	{ "QualityAssurance", "QA" },
	{ "Sandbox", "Sbx" },
	{ "Staging", "Stg" },
	{ "Testing", "Test" },
	{ "UserAcceptanceTesting", "UAT" },
};

const char *
lint_short_name(const char *value)
{
	size_t i;

	for (i = 0; i < PS_ARRAY_SIZE(short_names); i++)
		if (strcasecmp(short_names[i].full, value) == 0)
			return short_names[i].abbr;
	return value;
}

const char *
lint__long_name(const char *abbr)
{
	size_t i;

	for (i = 0; i < PS_ARRAY_SIZE(short_names); i++)
		if (strcasecmp(short_names[i].abbr, abbr) == 0)
			return short_names[i].full;
	return NULL;
}

void
lint__short_table(struct ps_buf *out, const char *sep, const char *arrow)
{
	size_t i;

	for (i = 0; i < PS_ARRAY_SIZE(short_names); i++)
		ps_buf_addf(out, "%s%s%s%s", i ? sep : "", short_names[i].full,
		    arrow, short_names[i].abbr);
}
