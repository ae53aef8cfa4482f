/*
 * util: the one JSON writer.  Every JSON document projsync prints or
 * records (plan files, lint and validate findings, apply results, diff,
 * log, output) is written here in one style: two-space indent, keys in
 * insertion order, ": " after a key, a trailing newline.  cJSON builds the
 * tree; its own printer indents with tabs and cannot be told otherwise.
 *
 * Strings are escaped for a terminal as well as for JSON: C0 controls,
 * DEL and C1 controls (U+0080-U+009F) as \u00XX, so a document cat'ed to
 * a terminal carries no escape sequence; bytes that are not UTF-8 become
 * U+FFFD, so the document is always valid JSON.
 */
#include "util/util.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
ps_json_init(void)
{
	/* allocation failures abort (xmalloc) instead of a NULL from cJSON
	 * in the middle of a document */
	static cJSON_Hooks hooks = { xmalloc, free };

	cJSON_InitHooks(&hooks);
}

void
ps_json_string(struct ps_buf *out, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	size_t n, i = 0, at;
	uint32_t cp;

	s = s ? s : "";
	n = strlen(s);
	ps_buf_addch(out, '"');
	while (i < n) {
		at = i;
		if (!ps_utf8_next(&cp, s, n, &i)) {
			ps_buf_adds(out, "\\ufffd");
			i++;
			continue;
		}
		switch (cp) {
		case '"': ps_buf_adds(out, "\\\""); break;
		case '\\': ps_buf_adds(out, "\\\\"); break;
		case '\b': ps_buf_adds(out, "\\b"); break;
		case '\f': ps_buf_adds(out, "\\f"); break;
		case '\n': ps_buf_adds(out, "\\n"); break;
		case '\r': ps_buf_adds(out, "\\r"); break;
		case '\t': ps_buf_adds(out, "\\t"); break;
		default:
			if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) {
				ps_buf_adds(out, "\\u00");
				ps_buf_addch(out, hex[cp >> 4]);
				ps_buf_addch(out, hex[cp & 15]);
			} else {
				ps_buf_add(out, s + at, i - at);
			}
		}
	}
	ps_buf_addch(out, '"');
}

/* Integers as integers; other numbers in the shortest of %.15g and %.17g
 * that reads back the same (what cJSON prints). */
static void
number(struct ps_buf *out, double d)
{
	char tmp[32];

	if (!isfinite(d)) {
		ps_buf_adds(out, "null");
		return;
	}
	if (d == floor(d) && fabs(d) < 9007199254740992.0) {
		ps_buf_addf(out, "%.0f", d);
		return;
	}
	snprintf(tmp, sizeof(tmp), "%1.15g", d);
	if (strtod(tmp, NULL) != d)
		snprintf(tmp, sizeof(tmp), "%1.17g", d);
	ps_buf_adds(out, tmp);
}

static void
render(struct ps_buf *out, const cJSON *v, int depth)
{
	const cJSON *c;
	bool obj;

	if (cJSON_IsString(v)) {
		ps_json_string(out, v->valuestring);
	} else if (cJSON_IsNumber(v)) {
		number(out, v->valuedouble);
	} else if (cJSON_IsBool(v)) {
		ps_buf_adds(out, cJSON_IsTrue(v) ? "true" : "false");
	} else if (cJSON_IsRaw(v)) {
		ps_buf_adds(out, v->valuestring);
	} else if (cJSON_IsArray(v) || cJSON_IsObject(v)) {
		obj = cJSON_IsObject(v);
		if (!v->child) {
			ps_buf_adds(out, obj ? "{}" : "[]");
			return;
		}
		ps_buf_adds(out, obj ? "{\n" : "[\n");
		for (c = v->child; c; c = c->next) {
			ps_buf_addf(out, "%*s", 2 * (depth + 1), "");
			if (obj) {
				ps_json_string(out, c->string);
				ps_buf_adds(out, ": ");
			}
			render(out, c, depth + 1);
			ps_buf_adds(out, c->next ? ",\n" : "\n");
		}
		ps_buf_addf(out, "%*s%c", 2 * depth, "", obj ? '}' : ']');
	} else {
		ps_buf_adds(out, "null");
	}
}

void
ps_json_render(struct ps_buf *out, const struct cJSON *v)
{
	render(out, v, 0);
	ps_buf_addch(out, '\n');
}

void
ps_json_add_str(struct cJSON *obj, const char *key, const char *value)
{
	if (value)
		cJSON_AddStringToObject(obj, key, value);
	else
		cJSON_AddNullToObject(obj, key);
}
