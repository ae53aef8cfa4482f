/*
 * aws: STS answers (AssumeRole, AssumeRoleWithWebIdentity), XML read with
 * expat: the credentials of a success, the Code and Message of an error.
 * Also the ISO 8601 times that STS, containers, IMDS and
 * credential_process give as expirations.
 */
#include "aws/internal.h"

#include <expat.h>
#include <stdlib.h>
#include <string.h>

enum field {
	F_NONE = -1, F_AKID, F_SECRET, F_TOKEN, F_EXPIRATION, F_ARN, F_CODE,
	F_MESSAGE, F_NR
};

static const char *const names[F_NR] = {
	"AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration", "Arn",
	"Code", "Message",
};

struct sts_doc {
	struct ps_buf text[F_NR];
	bool seen[F_NR];
	enum field cur;
	unsigned depth;
	bool in_credentials, in_user, in_error;
};

/* Element names may carry a namespace ("ns sep local" with a separator
 * parser, or "prefix:local" without): compare the local part. */
static const char *
local(const char *name)
{
	const char *c = strrchr(name, ':'), *s = strrchr(name, ' ');

	if (s && (!c || s > c))
		return s + 1;
	return c ? c + 1 : name;
}

static void XMLCALL
on_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
	struct sts_doc *d = ud;
	const char *n = local(name);
	int i;

	(void)attrs;
	d->depth++;
	d->cur = F_NONE;
	if (strcmp(n, "Credentials") == 0)
		d->in_credentials = true;
	else if (strcmp(n, "AssumedRoleUser") == 0)
		d->in_user = true;
	else if (strcmp(n, "Error") == 0)
		d->in_error = true;
	for (i = 0; i < F_NR; i++)
		if (strcmp(n, names[i]) == 0)
			break;
	if (i == F_NR)
		return;
	if ((i <= F_EXPIRATION && d->in_credentials) ||
	    (i == F_ARN && d->in_user) ||
	    (i >= F_CODE && d->in_error)) {
		d->cur = (enum field)i;
		d->seen[i] = true;
		ps_buf_reset(&d->text[i]);
	}
}

static void XMLCALL
on_end(void *ud, const XML_Char *name)
{
	struct sts_doc *d = ud;
	const char *n = local(name);

	d->depth--;
	d->cur = F_NONE;
	if (strcmp(n, "Credentials") == 0)
		d->in_credentials = false;
	else if (strcmp(n, "AssumedRoleUser") == 0)
		d->in_user = false;
	else if (strcmp(n, "Error") == 0)
		d->in_error = false;
}

static void XMLCALL
on_text(void *ud, const XML_Char *s, int len)
{
	struct sts_doc *d = ud;

	if (d->cur != F_NONE && len > 0 && d->text[d->cur].len < 8192)
		ps_buf_add(&d->text[d->cur], s, (size_t)len);
}

/* A bounded, single-line copy of a message for an error. */
static char *
oneline(const struct ps_buf *b)
{
	char *s = xstrndup(ps_buf_cstr(b), b->len > 300 ? 300 : b->len);
	char *p;

	for (p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	return s;
}

int
aws__sts_parse(struct aws_credentials *out, char **arn, const char *xml,
    size_t len, long status, const char *what)
{
	struct sts_doc d = { .cur = F_NONE };
	XML_Parser p = XML_ParserCreateNS(NULL, ' ');
	bool ok;
	int i, err = 0;

	memset(out, 0, sizeof(*out));
	if (arn)
		*arn = NULL;
	if (!p)
		return ps_error(PS_EFAIL, "out of memory");
	XML_SetUserData(p, &d);
	XML_SetElementHandler(p, on_start, on_end);
	XML_SetCharacterDataHandler(p, on_text);
	ok = XML_Parse(p, xml ? xml : "", (int)len, 1) == XML_STATUS_OK;
	if (!ok) {
		err = ps_error(PS_EHTTP, "%s: HTTP %ld, not an STS answer (XML "
		    "error at line %lu: %s)", what, status,
		    (unsigned long)XML_GetCurrentLineNumber(p),
		    XML_ErrorString(XML_GetErrorCode(p)));
	} else if (d.seen[F_CODE] || status < 200 || status > 299) {
		char *code = oneline(&d.text[F_CODE]);
		char *msg = oneline(&d.text[F_MESSAGE]);
		err = ps_error(PS_EHTTP, "%s: HTTP %ld %s%s%s", what, status,
		    *code ? code : "error", *msg ? ": " : "", msg);
		free(code);
		free(msg);
	} else if (!d.text[F_AKID].len || !d.text[F_SECRET].len ||
	    !d.text[F_TOKEN].len) {
		err = ps_error(PS_EHTTP, "%s: the STS answer holds no "
		    "credentials", what);
	} else {
		out->access_key_id = xstrdup(ps_buf_cstr(&d.text[F_AKID]));
		out->secret_access_key = xstrdup(ps_buf_cstr(&d.text[F_SECRET]));
		out->session_token = xstrdup(ps_buf_cstr(&d.text[F_TOKEN]));
		if (d.text[F_EXPIRATION].len &&
		    !aws__parse_time(ps_buf_cstr(&d.text[F_EXPIRATION]),
		    &out->expiration)) {
			aws_credentials_release(out);
			err = ps_error(PS_EHTTP, "%s: the STS answer has an "
			    "unreadable Expiration", what);
		} else if (arn && d.text[F_ARN].len) {
			*arn = xstrdup(ps_buf_cstr(&d.text[F_ARN]));
		}
	}
	XML_ParserFree(p);
	for (i = 0; i < F_NR; i++) {
		if (d.text[i].ptr)
			explicit_bzero(d.text[i].ptr, d.text[i].len);
		ps_buf_release(&d.text[i]);
	}
	return err;
}

bool
aws__parse_time(const char *s, time_t *out)
{
	struct tm tm = { 0 };
	const char *p;
	long off = 0;

	if (!s || !(p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)))
		return false;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
		int h = (p[1] - '0') * 10 + (p[2] - '0');
		int m = (p[4] - '0') * 10 + (p[5] - '0');
		off = (h * 60L + m) * 60L * (*p == '-' ? -1 : 1);
		p += 6;
	} else {
		return false;
	}
	if (*p)
		return false;
	*out = timegm(&tm) - off;
	return true;
}
