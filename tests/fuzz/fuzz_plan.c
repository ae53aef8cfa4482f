/*
 * Fuzz target for the plan file reader: plan_from_json() must reject any
 * hostile input cleanly, and whatever it accepts must write back to the
 * same bytes on a second round trip and render without trouble (markdown
 * under the comment limit).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "plan/plan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ps_buf a = PS_BUF_INIT, b = PS_BUF_INIT, r = PS_BUF_INIT;
	struct plan *p = NULL, *q = NULL;

	static char *keys[] = { "Team", "CostCenter", "Application", "Owner" };
	static const struct plan_md_target t = { "projects.yaml", NULL, NULL,
		"us-east-1", "123456789012", keys, 4 };

	if (size > 256 * 1024)
		return 0;
	if (plan_from_json(&p, "fuzz.json", (const char *)data, size) < 0)
		return 0;
	plan_to_json(&a, p);
	if (plan_from_json(&q, "again.json", a.ptr, a.len) < 0)
		abort();	/* our own output must read back */
	plan_to_json(&b, q);
	if (a.len != b.len || memcmp(a.ptr, b.ptr, a.len) != 0)
		abort();	/* and be a fixed point */
	plan_render_text(&r, p, PLAN_RENDER_COLOR | PLAN_RENDER_WARNINGS);
	ps_buf_reset(&r);
	plan_render_markdown(&r, p, &t);
	if (r.len >= PLAN_MARKDOWN_MAX)
		abort();
	plan_free(p);
	plan_free(q);
	ps_buf_release(&a);
	ps_buf_release(&b);
	ps_buf_release(&r);
	return 0;
}
