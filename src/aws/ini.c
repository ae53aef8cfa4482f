/*
 * aws: the shared config and credentials files, the INI dialect the AWS
 * CLI and SDKs read.  `[section]` headers, `key = value` lines, comments
 * starting with '#' or ';', and indented sub-keys under a key with an
 * empty value (`s3 =` then `  addressing_style = path`), which no
 * credential needs and which are skipped.
 */
#include "aws/internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define INI_MAX_BYTES	(4u << 20)

static char *
trimmed(const char *s, size_t n)
{
	while (n && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return xstrndup(s, n);
}

int
aws__ini_load(struct aws__ini *ini, const char *path)
{
	struct ps_buf file = PS_BUF_INIT;
	char *section = NULL;
	const char *p, *end;
	unsigned line = 0;
	bool in_nested = false;
	int err;

	memset(ini, 0, sizeof(*ini));
	ini->path = xstrdup(path);
	err = ps_read_file(&file, path, INI_MAX_BYTES);
	if (err == PS_ENOTFOUND) {
		ps_error_clear();
		return 0;
	}
	if (err < 0)
		return err;
	ini->exists = true;
	p = file.ptr ? file.ptr : "";
	end = p + file.len;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t n = eol ? (size_t)(eol - p) : (size_t)(end - p);
		const char *s = p, *eq;
		bool indented = n && (*p == ' ' || *p == '\t');

		line++;
		p = eol ? eol + 1 : end;
		while (n && isspace((unsigned char)*s)) {
			s++;
			n--;
		}
		while (n && isspace((unsigned char)s[n - 1]))
			n--;
		if (!n || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			if (s[n - 1] != ']') {
				err = ps_error(PS_EINVALID, "%s:%u: a section "
				    "header must end with ']'", path, line);
				goto out;
			}
			free(section);
			section = trimmed(s + 1, n - 2);
			in_nested = false;
			/* an entry with an empty key: the section exists */
			xgrow(&ini->items, &ini->alloc, ini->nr + 1,
			    sizeof(*ini->items));
			ini->items[ini->nr].section = xstrdup(section);
			ini->items[ini->nr].key = xstrdup("");
			ini->items[ini->nr].value = xstrdup("");
			ini->items[ini->nr++].line = line;
			continue;
		}
		if (indented && in_nested)
			continue;	/* a sub-key of a nested block */
		if (!(eq = memchr(s, '=', n))) {
			err = ps_error(PS_EINVALID, "%s:%u: expected 'key = "
			    "value' or '[section]'", path, line);
			goto out;
		}
		if (!section) {
			err = ps_error(PS_EINVALID, "%s:%u: a key before any "
			    "[section]", path, line);
			goto out;
		}
		xgrow(&ini->items, &ini->alloc, ini->nr + 1, sizeof(*ini->items));
		ini->items[ini->nr].section = xstrdup(section);
		ini->items[ini->nr].key = trimmed(s, (size_t)(eq - s));
		ini->items[ini->nr].value = trimmed(eq + 1, n - (size_t)(eq + 1 - s));
		ini->items[ini->nr].line = line;
		in_nested = !*ini->items[ini->nr].value;
		ini->nr++;
	}
out:
	free(section);
	if (file.ptr)
		explicit_bzero(file.ptr, file.len);
	ps_buf_release(&file);
	return err;
}

void
aws__ini_release(struct aws__ini *ini)
{
	size_t i;

	for (i = 0; i < ini->nr; i++) {
		free(ini->items[i].section);
		free(ini->items[i].key);
		if (ini->items[i].value)
			explicit_bzero(ini->items[i].value,
			    strlen(ini->items[i].value));
		free(ini->items[i].value);
	}
	free(ini->items);
	free(ini->path);
	memset(ini, 0, sizeof(*ini));
}

const char *
aws__ini_get(const struct aws__ini *ini, const char *section, const char *key)
{
	size_t i;
	const char *v = NULL;

	/* the last one wins, as in the AWS CLI */
	for (i = 0; i < ini->nr; i++)
		if (strcmp(ini->items[i].section, section) == 0 &&
		    strcmp(ini->items[i].key, key) == 0)
			v = ini->items[i].value;
	return v && *v ? v : NULL;
}

bool
aws__ini_has_section(const struct aws__ini *ini, const char *section)
{
	size_t i;

	for (i = 0; i < ini->nr; i++)
		if (strcmp(ini->items[i].section, section) == 0)
			return true;
	return false;
}
