/*
 * util: the one terminal-safe escaper.  Every string that came from the
 * API, a file or a git record goes through it before a terminal: a C0 or
 * C1 control (U+009B is a CSI on many terminals), DEL or a byte that is
 * not UTF-8 could otherwise move the cursor, retitle the window or fake
 * a line of output.
 */
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

static void
add_escaped(struct ps_buf *b, const char *s, size_t max, bool quoted)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = strlen(s), i = 0, start = b->len;
	uint32_t cp;

	if (quoted)
		ps_buf_addch(b, '"');
	while (i < n) {
		size_t at = i;

		if (max && b->len - start >= max) {
			ps_buf_adds(b, "...");
			break;
		}
		if (!ps_utf8_next(&cp, s, n, &i)) {
			/* not UTF-8: show the byte, never pass it on */
			ps_buf_adds(b, "\\x");
			ps_buf_addch(b, hex[(unsigned char)s[i] >> 4]);
			ps_buf_addch(b, hex[(unsigned char)s[i] & 15]);
			i++;
			continue;
		}
		if (cp == '\n')
			ps_buf_adds(b, "\\n");
		else if (cp == '\r')
			ps_buf_adds(b, "\\r");
		else if (cp == '\t')
			ps_buf_adds(b, "\\t");
		else if (quoted && (cp == '"' || cp == '\\')) {
			ps_buf_addch(b, '\\');
			ps_buf_addch(b, (char)cp);
		} else if (cp < 0x20 || cp == 0x7f) {
			ps_buf_adds(b, "\\x");
			ps_buf_addch(b, hex[cp >> 4]);
			ps_buf_addch(b, hex[cp & 15]);
		} else if (cp >= 0x80 && cp < 0xa0) {
			ps_buf_adds(b, "\\u00");
			ps_buf_addch(b, hex[cp >> 4]);
			ps_buf_addch(b, hex[cp & 15]);
		} else {
			ps_buf_add(b, s + at, i - at);
		}
	}
	if (quoted)
		ps_buf_addch(b, '"');
}

void
ps_buf_add_printable(struct ps_buf *b, const char *s, size_t max)
{
	add_escaped(b, s ? s : "", max, false);
}

void
ps_buf_add_quoted(struct ps_buf *b, const char *s)
{
	add_escaped(b, s ? s : "", 0, true);
}

char *
ps_printable(const char *s, size_t max)
{
	struct ps_buf b = PS_BUF_INIT;

	ps_buf_add_printable(&b, s, max);
	return ps_buf_detach(&b);
}

bool
ps_header_value_safe(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}
