/*
 * Fuzz target for lint: input starting with '{' is a tag policy (parsed,
 * then applied to a small fixed inventory); anything else is an inventory
 * (loaded, linted with every rule, rendered in every format).
 */
#include <stdint.h>
#include <string.h>

#include "inventory/inventory.h"
#include "lint/lint.h"

static const char inv_yaml[] =
    "version: 1\n"
    "settings: { name_pattern: '{Application}-{Environment:short}' }\n"
    "taxonomy:\n"
    "  required: [Application, CostCenter]\n"
    "  tags: { Application: {}, CostCenter: {}, Environment: "
    "{ allowed: [Production, Staging] } }\n"
    "projects:\n"
    "  - { name: a-Prod, tags: { Application: a, costcenter: '100', "
    "Environment: Production } }\n"
    "  - { name: b, tags: { Application: b, CostCenter: '3001' } }\n";

static void
lint_and_render(const struct inventory *inv, const struct diag_list *dl,
    const struct lint_tag_policy *tp)
{
	static const enum lint_format fmts[] = { LINT_FORMAT_TEXT,
		LINT_FORMAT_JSON, LINT_FORMAT_SARIF, LINT_FORMAT_GITHUB };
	struct lint_options lo = { .tag_policy = tp, .today = "2025-06-01" };
	struct lint_render_options ro = { .tool_version = "fuzz",
		.sarif_max_results = 50 };
	struct lint_report r = LINT_REPORT_INIT;
	struct ps_buf out = PS_BUF_INIT;
	size_t i;

	if (lint_run(&r, inv, dl, &lo) == 0)
		for (i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
			lint_render(&out, &r, fmts[i], &ro);
			ps_buf_reset(&out);
		}
	lint_report_release(&r);
	ps_buf_release(&out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag_list dl = DIAG_LIST_INIT;
	struct inventory *inv = NULL;
	struct lint_tag_policy *tp = NULL;

	if (size > 256 * 1024)
		return 0;
	if (size && data[0] == '{') {
		if (lint_tag_policy_parse(&tp, "fuzz.json", (const char *)data,
		    size, &dl) == 0 && inventory_load_buffer(&inv, "f.yaml",
		    inv_yaml, sizeof(inv_yaml) - 1, NULL) == 0)
			lint_and_render(inv, NULL, tp);
	} else {
		inventory_load_buffer(&inv, "fuzz.yaml", (const char *)data,
		    size, &dl);
		lint_and_render(inv, &dl, NULL);
	}
	inventory_free(inv);
	lint_tag_policy_free(tp);
	diag_list_release(&dl);
	return 0;
}
