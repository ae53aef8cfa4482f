/*
 * gitlog: deterministic JSON output (two-space indent, keys in insertion
 * order, trailing newline), the same shape as the plan document.  cJSON
 * builds the tree; its own printer indents with tabs and cannot be told
 * otherwise.
 */
#include "gitlog/gitlog.h"
#include "gitlog/gitlog_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Length of a valid UTF-8 sequence at s (at most n bytes), or 0. */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
	size_t len, i;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

void
gitlog__json_string(struct ps_buf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t n = strlen((const char *)p), k;

	ps_buf_addch(out, '"');
	while (n) {
		switch (*p) {
		case '"':
			ps_buf_adds(out, "\\\"");
			break;
		case '\\':
			ps_buf_adds(out, "\\\\");
			break;
		case '\n':
			ps_buf_adds(out, "\\n");
			break;
		case '\r':
			ps_buf_adds(out, "\\r");
			break;
		case '\t':
			ps_buf_adds(out, "\\t");
			break;
		default:
			if (*p < 0x20 || *p == 0x7f) {
				ps_buf_addf(out, "\\u%04x", *p);
				break;
			}
			/* Commit messages are not guaranteed UTF-8: never
			 * let invalid bytes make the document invalid. */
			if (!(k = utf8_seq(p, n))) {
				ps_buf_adds(out, "\\ufffd");
				break;
			}
			ps_buf_add(out, p, k);
			p += k;
			n -= k;
			continue;
		}
		p++;
		n--;
	}
	ps_buf_addch(out, '"');
}

static void
render(struct ps_buf *out, const cJSON *v, int depth)
{
	const cJSON *c;
	bool obj;

	if (cJSON_IsString(v)) {
		gitlog__json_string(out, v->valuestring);
	} else if (cJSON_IsNumber(v)) {
		double d = v->valuedouble;

		if (!isfinite(d))
			ps_buf_adds(out, "null");
		else if (d == floor(d) && fabs(d) < 9007199254740992.0)
			ps_buf_addf(out, "%.0f", d);
		else
			ps_buf_addf(out, "%.17g", d);
	} else if (cJSON_IsBool(v)) {
		ps_buf_adds(out, cJSON_IsTrue(v) ? "true" : "false");
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
				gitlog__json_string(out, c->string);
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
gitlog__json_render(struct ps_buf *out, const cJSON *v)
{
	render(out, v, 0);
	ps_buf_addch(out, '\n');
}

/* JSON null for a missing string. */
void
gitlog__json_add_str(cJSON *obj, const char *key, const char *value)
{
	if (value)
		cJSON_AddStringToObject(obj, key, value);
	else
		cJSON_AddNullToObject(obj, key);
}
