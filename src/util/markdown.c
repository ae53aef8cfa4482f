/* util: markdown escaping for pull-request comments (plan and diff). */
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

static bool
is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

void
ps_md_text(struct ps_buf *out, const char *s, size_t max)
{
	const unsigned char *u = (const unsigned char *)(s ? s : "");
	size_t cp = 0;

	for (; *u; u++) {
		if ((*u & 0xc0) != 0x80 && max && cp++ == max) {
			ps_buf_adds(out, "…");
			return;
		}
		if (*u == '&')
			ps_buf_adds(out, "&amp;");
		else if (strchr("\\`*_[]<>|~#!$", *u))
			ps_buf_addf(out, "\\%c", *u);
		else if (*u < 0x20 || *u == 0x7f)
			ps_buf_addch(out, ' ');
		else
			ps_buf_addch(out, (char)*u);
		/* GitHub turns @name into a mention (a notification) and
		 * #123 into an issue reference whatever the backslash: a zero
		 * width space keeps a project name from pinging anyone */
		if ((*u == '@' && is_alnum(u[1])) || (*u == '#' &&
		    u[1] >= '0' && u[1] <= '9'))
			ps_buf_adds(out, "\xe2\x80\x8b");	/* U+200B */
	}
}

void
ps_md_code(struct ps_buf *out, const char *s, size_t max)
{
	const unsigned char *u;
	size_t cp = 0;

	if (!s) {
		ps_buf_adds(out, "*null*");
		return;
	}
	for (u = (const unsigned char *)s; *u; u++)
		if (*u == '`' || *u < 0x20 || *u == 0x7f || *u == '|')
			break;
	if (*u || !*s) {
		if (!*s)
			ps_buf_adds(out, "*empty*");
		else
			ps_md_text(out, s, max);
		return;
	}
	ps_buf_addch(out, '`');
	for (u = (const unsigned char *)s; *u; u++) {
		if ((*u & 0xc0) != 0x80 && max && cp++ == max) {
			ps_buf_adds(out, "…");
			break;
		}
		ps_buf_addch(out, (char)*u);
	}
	ps_buf_addch(out, '`');
}

/* '**  x**' is not bold in CommonMark, and the spaces are what tells
 * '  x' from 'x': edge white space becomes &nbsp;. */
void
ps_md_bold(struct ps_buf *out, const char *s, size_t max)
{
	size_t len = strlen(s), a = 0, z = len, i;
	char *mid;

	while (a < len && (s[a] == ' ' || (unsigned char)s[a] < 0x20))
		a++;
	while (z > a && (s[z - 1] == ' ' || (unsigned char)s[z - 1] < 0x20))
		z--;
	ps_buf_adds(out, "**");
	for (i = 0; i < a && i < max; i++)
		ps_buf_adds(out, "&nbsp;");
	mid = xstrndup(s + a, z - a);
	ps_md_text(out, mid, max);
	free(mid);
	for (i = z; i < len && i - z < max; i++)
		ps_buf_adds(out, "&nbsp;");
	ps_buf_adds(out, "**");
}

void
ps_md_code_block(struct ps_buf *out, const char *s, size_t max)
{
	const unsigned char *u;
	size_t run = 0, longest = 0, i, len = strlen(s);

	/* a fence longer than any run of backticks inside cannot be closed
	 * by the text */
	for (u = (const unsigned char *)s; *u; u++) {
		run = *u == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	for (i = 0; i < (longest < 3 ? 3 : longest + 1); i++)
		ps_buf_addch(out, '`');
	ps_buf_adds(out, "text\n");
	if (max && len > max) {
		/* never inside a UTF-8 sequence */
		while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
			max--;
		len = max;
	}
	for (u = (const unsigned char *)s; u < (const unsigned char *)s + len;
	    u++)
		ps_buf_addch(out, (*u < 0x20 && *u != '\n' && *u != '\t') ||
		    *u == 0x7f ? ' ' : (char)*u);
	if (len && s[len - 1] != '\n')
		ps_buf_addch(out, '\n');
	if (len < strlen(s))
		ps_buf_adds(out, "…\n");
	for (i = 0; i < (longest < 3 ? 3 : longest + 1); i++)
		ps_buf_addch(out, '`');
	ps_buf_addch(out, '\n');
}
