/*
 * aws: what every AWS client in projsync shares.  Owned by the aws module.
 *
 *  sigv4.c   Signature Version 4 for any service and region, computed
 *            here (not by libcurl): the caller sends exactly the headers
 *            this returns, so no header is signed that is not sent.
 *  ini.c     the shared config and credentials files (profiles).
 *  chain.c   the credential chain of the AWS SDKs, in their order, and a
 *            provider that refreshes temporary credentials before expiry.
 *  sts.c     STS AssumeRole / AssumeRoleWithWebIdentity (XML by expat).
 *  http.c    small blocking HTTP calls for STS, containers and IMDS.
 *
 * Nothing here prints or exits.  Secrets (secret keys, session tokens,
 * web identity and container tokens) never appear in an error message or
 * a trace; aws_credentials_source() describes where credentials came from
 * without them.
 */
#ifndef PROJSYNC_AWS_H
#define PROJSYNC_AWS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "util/util.h"

struct aws_credentials {
	char *access_key_id;
	char *secret_access_key;
	char *session_token;	/* NULL: long-term keys */
	time_t expiration;	/* 0: does not expire */
};

void aws_credentials_release(struct aws_credentials *c);
void aws_credentials_copy(struct aws_credentials *dst,
    const struct aws_credentials *src);

/* ---- SigV4 (sigv4.c) ---- */

struct aws_sigv4_request {
	const char *method;		/* "GET", "POST", ... */
	const char *url;		/* absolute URL exactly as it is sent */
	/* more "Name: value" lines to send and sign (Content-Type,
	 * X-Amz-Target...); may be NULL */
	const char *const *headers;
	size_t nr_headers;
	const void *body;		/* NULL: empty */
	size_t body_len;
	const char *service;		/* "bedrock-mantle", "sts", "ce" */
	const char *region;
	time_t now;			/* signing time (UTC seconds) */
};

struct aws_sigv4_signed {
	/* every header line to send, in this order: the caller's, Host,
	 * X-Amz-Date, X-Amz-Security-Token (with a session token),
	 * Authorization.  All but Authorization are signed. */
	char **headers;
	size_t nr;
	/* for tests: these hold the session token, never print them */
	char *canonical_request;
	char *string_to_sign;
};

/*
 * Sign one request the way the AWS SDKs do for services other than S3:
 * path normalised and each segment URI-encoded (so a '%' in the sent path
 * is encoded again), query parameters decoded, re-encoded with RFC 3986's
 * unreserved set and sorted, header values trimmed, payload SHA-256.
 * PS_EUSAGE on a URL it cannot sign.
 */
int aws_sigv4_sign(struct aws_sigv4_signed *out,
    const struct aws_sigv4_request *req, const struct aws_credentials *creds);
void aws_sigv4_signed_release(struct aws_sigv4_signed *s);

/* SigV4's URI encoding: A-Z a-z 0-9 - _ . ~ kept (and '/' with
 * keep_slash), every other byte %XX in upper-case hex. */
void aws_uri_encode(struct ps_buf *out, const char *s, size_t len,
    bool keep_slash);

/* ---- the credential chain (chain.c) ---- */

struct aws_chain_options {
	const char *profile;	/* --profile: this profile only; NULL: the chain */
	const char *profile_from;	/* what named it, for messages; NULL:
					 * "--profile" */
	const char *region;	/* for STS; NULL: the profile's, else us-east-1 */
	const char *cacert;	/* CA bundle for https STS / container calls */
	unsigned timeout_ms;	/* per STS or container call, 0: 10 s */
};

struct aws_provider;

/*
 * Find credentials the way the AWS SDKs do, in their order: --profile
 * (when given, nothing else); $AWS_ACCESS_KEY_ID + $AWS_SECRET_ACCESS_KEY
 * (+ $AWS_SESSION_TOKEN); web identity ($AWS_ROLE_ARN +
 * $AWS_WEB_IDENTITY_TOKEN_FILE -> STS AssumeRoleWithWebIdentity); the
 * profile $AWS_PROFILE (else default) in the shared credentials and config
 * files (role_arn with source_profile, credential_source or
 * web_identity_token_file; static keys; credential_process); container
 * credentials; EC2 instance metadata (IMDSv2 only).
 * PS_ENOTFOUND with a message that lists where it looked; PS_EUSAGE for
 * a configuration that cannot work (half a key pair, a missing --profile);
 * PS_EHTTP when a source answered with an error.
 */
int aws_provider_new(struct aws_provider **out,
    const struct aws_chain_options *opts);
/* The current credentials, fetched again from the same chain when they
 * expire within 5 minutes of now.  Borrowed until the next call. */
int aws_provider_get(struct aws_provider *p, time_t now,
    const struct aws_credentials **out);
/* Where they came from, e.g. "profile ci (credential_process)"; never a
 * secret. */
const char *aws_provider_source(const struct aws_provider *p);
void aws_provider_free(struct aws_provider *p);

/* One-shot form for other clients: *source is owned by the caller. */
int aws_credentials_resolve(const struct aws_chain_options *opts,
    struct aws_credentials *out, char **source);

/* The `region` of the profile (profile, else $AWS_PROFILE, else default)
 * in the config file, or NULL.  Owned by the caller. */
char *aws_profile_region(const char *profile);

#endif
