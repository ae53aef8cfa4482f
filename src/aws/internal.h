/*
 * aws internals shared by the module's .c files (aws__ names).  Owned by
 * the aws module; only src/aws and tests/unit/test_aws.c include this.
 */
#ifndef PROJSYNC_AWS_INTERNAL_H
#define PROJSYNC_AWS_INTERNAL_H

#include "aws/aws.h"

/* ---- http.c: one blocking request, for STS, containers and IMDS ---- */
struct aws__http {
	const char *method;
	const char *url;
	const char *const *headers;	/* "Name: value" lines */
	size_t nr_headers;
	const char *body;		/* NULL: none */
	unsigned timeout_ms;		/* whole request */
	unsigned connect_timeout_ms;
	const char *cacert;
	size_t max_body;		/* 0: 1 MiB */
};
/*
 * Send it; *status and *resp hold the answer (any status).  PS_EHTTP when
 * no answer came, with "<what>: <curl's reason>" (what names the URL's
 * host, never a header).
 */
int aws__http_do(const struct aws__http *h, long *status, struct ps_buf *resp,
    const char *what);

/* ---- ini.c: the shared config and credentials files ---- */
struct aws__ini_entry {
	char *section;		/* "default", "profile ci", "ci", "sso-session x" */
	char *key;
	char *value;
	unsigned line;
};
struct aws__ini {
	char *path;
	bool exists;
	struct aws__ini_entry *items;
	size_t nr, alloc;
};
/* Parse path (a missing file is an empty one).  PS_EINVALID with
 * "path:line: ..." on a line that is neither section, key nor comment. */
int aws__ini_load(struct aws__ini *ini, const char *path);
void aws__ini_release(struct aws__ini *ini);
/* The value of key in section, or NULL. */
const char *aws__ini_get(const struct aws__ini *ini, const char *section,
    const char *key);
bool aws__ini_has_section(const struct aws__ini *ini, const char *section);

/* ---- sts.c ---- */
/* Credentials from an STS XML answer, or PS_EHTTP with STS's Code and
 * Message.  *arn receives the assumed role's ARN when given. */
int aws__sts_parse(struct aws_credentials *out, char **arn, const char *xml,
    size_t len, long status, const char *what);
/* ISO 8601 / RFC 3339 UTC time ("2026-12-07T19:00:00Z", fractions and
 * "+00:00" allowed); false when it is not one. */
bool aws__parse_time(const char *s, time_t *out);

#endif
