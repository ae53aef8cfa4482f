/*
 * Unit tests for aws: SigV4 against known answers (the AWS SigV4 test
 * suite's get-vanilla cases, and a POST with a session token and a path
 * to normalise, both checked with botocore's SigV4Auth), the URI encoder.
 * tests/cli/t-sigv4-botocore.sh compares live requests with botocore.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aws/aws.h"
#include "aws/internal.h"

#define SUITE_TIME	1440938160	/* 20150830T123600Z */

static struct aws_credentials suite_creds = {
	.access_key_id = "AKIDEXAMPLE",
	.secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
};

static const char *
find_header(const struct aws_sigv4_signed *s, const char *prefix)
{
	size_t i;

	for (i = 0; i < s->nr; i++)
		if (strncmp(s->headers[i], prefix, strlen(prefix)) == 0)
			return s->headers[i] + strlen(prefix);
	return NULL;
}

static void
test_aws__sigv4_suite_get_vanilla(void **state)
{
	struct aws_sigv4_request r = {
		.method = "GET", .url = "https://example.amazonaws.com/",
		.service = "service", .region = "us-east-1", .now = SUITE_TIME,
	};
	struct aws_sigv4_signed s;

	(void)state;
	assert_int_equal(aws_sigv4_sign(&s, &r, &suite_creds), 0);
	assert_string_equal(find_header(&s, "Authorization: "),
	    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/"
	    "service/aws4_request, SignedHeaders=host;x-amz-date, Signature="
	    "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
	/* exactly what is signed is sent: no session token header here */
	assert_int_equal(s.nr, 3);
	assert_string_equal(find_header(&s, "Host: "), "example.amazonaws.com");
	assert_string_equal(find_header(&s, "X-Amz-Date: "), "20150830T123600Z");
	aws_sigv4_signed_release(&s);

	/* query parameters are sorted */
	r.url = "https://example.amazonaws.com:443/?Param2=value2&Param1=value1";
	assert_int_equal(aws_sigv4_sign(&s, &r, &suite_creds), 0);
	assert_non_null(strstr(find_header(&s, "Authorization: "), "Signature="
	    "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"));
	assert_string_equal(find_header(&s, "Host: "), "example.amazonaws.com");
	aws_sigv4_signed_release(&s);
}

static void
test_aws__sigv4_post_token_and_path(void **state)
{
	static const char *const ct[] = { "Content-Type: application/json" };
	struct aws_credentials c = suite_creds;
	struct aws_sigv4_request r = {
		.method = "POST",
		.url = "https://example.amazonaws.com/a/./b/../c//d%20e/",
		.headers = ct, .nr_headers = 1,
		.body = "{\"a\":\"\xc3\xbc\"}", .body_len = 10,
		.service = "service", .region = "us-east-1", .now = SUITE_TIME,
	};
	struct aws_sigv4_signed s;

	(void)state;
	c.session_token = "tok/en+=";
	assert_int_equal(aws_sigv4_sign(&s, &r, &c), 0);
	assert_string_equal(find_header(&s, "Authorization: "),
	    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/"
	    "service/aws4_request, SignedHeaders=content-type;host;x-amz-date;"
	    "x-amz-security-token, Signature="
	    "a3c01fb8968c95514bc69f2059ac542385c4437d3778da5dfb8793a4a48fb2ce");
	assert_string_equal(find_header(&s, "X-Amz-Security-Token: "), "tok/en+=");
	assert_string_equal(find_header(&s, "Content-Type: "), "application/json");
	/* normalised, and the '%' of the sent path encoded again */
	assert_non_null(strstr(s.canonical_request, "\n/a/c/d%2520e/\n"));
	aws_sigv4_signed_release(&s);
}

static void
test_aws__sigv4_refuses_what_it_cannot_sign(void **state)
{
	struct aws_sigv4_request r = {
		.method = "GET", .url = "example.amazonaws.com/",
		.service = "service", .region = "us-east-1", .now = SUITE_TIME,
	};
	struct aws_credentials c = suite_creds;
	struct aws_sigv4_signed s;

	(void)state;
	assert_int_equal(aws_sigv4_sign(&s, &r, &suite_creds), PS_EUSAGE);
	r.url = "https://example.amazonaws.com/";
	c.session_token = "a\nX-Injected: 1";
	assert_int_equal(aws_sigv4_sign(&s, &r, &c), PS_EUSAGE);
	/* the message never holds the secret */
	assert_null(strstr(ps_error_last(), "EXAMPLEKEY"));
	r.region = "";
	assert_int_equal(aws_sigv4_sign(&s, &r, &suite_creds), PS_EUSAGE);
}

static void
test_aws__uri_encode(void **state)
{
	struct ps_buf b = PS_BUF_INIT;

	(void)state;
	aws_uri_encode(&b, "a-Z_0.~ /+=&%\xc3\xbc", 15, false);
	assert_string_equal(b.ptr, "a-Z_0.~%20%2F%2B%3D%26%25%C3%BC");
	ps_buf_reset(&b);
	aws_uri_encode(&b, "/a b/", 5, true);
	assert_string_equal(b.ptr, "/a%20b/");
	ps_buf_release(&b);
}

static void
test_aws__sts_xml(void **state)
{
	static const char ok[] =
	    "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
	    "<AssumeRoleResult><Credentials><AccessKeyId>ASIA1</AccessKeyId>"
	    "<SecretAccessKey>s&amp;cret</SecretAccessKey>"
	    "<SessionToken>tok</SessionToken>"
	    "<Expiration>2026-12-07T20:00:00Z</Expiration></Credentials>"
	    "<AssumedRoleUser><Arn>arn:aws:sts::1:assumed-role/r/s</Arn>"
	    "</AssumedRoleUser></AssumeRoleResult></AssumeRoleResponse>";
	static const char denied[] =
	    "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>"
	    "<Message>not\nallowed</Message></Error></ErrorResponse>";
	struct aws_credentials c;
	char *arn;

	(void)state;
	assert_int_equal(aws__sts_parse(&c, &arn, ok, strlen(ok), 200, "sts"), 0);
	assert_string_equal(c.access_key_id, "ASIA1");
	assert_string_equal(c.secret_access_key, "s&cret");
	assert_string_equal(c.session_token, "tok");
	assert_int_equal(c.expiration, 1796673600);
	assert_string_equal(arn, "arn:aws:sts::1:assumed-role/r/s");
	free(arn);
	aws_credentials_release(&c);

	assert_int_equal(aws__sts_parse(&c, NULL, denied, strlen(denied), 403,
	    "sts"), PS_EHTTP);
	assert_string_equal(ps_error_last(),
	    "sts: HTTP 403 AccessDenied: not allowed");
	assert_int_equal(aws__sts_parse(&c, NULL, "<a>", 3, 200, "sts"),
	    PS_EHTTP);
	assert_non_null(strstr(ps_error_last(), "not an STS answer"));
	/* a 200 without credentials is no success */
	assert_int_equal(aws__sts_parse(&c, NULL, "<x/>", 4, 200, "sts"),
	    PS_EHTTP);
}

static void
test_aws__times(void **state)
{
	time_t t;

	(void)state;
	assert_true(aws__parse_time("2026-12-07T20:00:00Z", &t));
	assert_int_equal(t, 1796673600);
	assert_true(aws__parse_time("2026-12-07T20:00:00.123Z", &t));
	assert_int_equal(t, 1796673600);
	assert_true(aws__parse_time("2026-12-07T21:00:00+01:00", &t));
	assert_int_equal(t, 1796673600);
	assert_false(aws__parse_time("2026-12-07 20:00:00", &t));
	assert_false(aws__parse_time("2026-12-07T20:00:00Zjunk", &t));
}

static void
test_aws__ini(void **state)
{
	static const char text[] =
	    "# comment\n[default]\nregion = eu-west-1\n"
	    "s3 =\n  region = nested-not-this\n"
	    "; another\n[profile ci]\ncredential_process = a = b\n"
	    "[profile empty]\n[default]\nregion=us-east-2\n";
	char path[] = "/tmp/projsync-test-ini-XXXXXX";
	struct aws__ini ini;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	assert_int_equal(aws__ini_load(&ini, path), 0);
	/* the last value wins; a nested block's keys are not the profile's */
	assert_string_equal(aws__ini_get(&ini, "default", "region"), "us-east-2");
	assert_string_equal(aws__ini_get(&ini, "profile ci",
	    "credential_process"), "a = b");
	assert_true(aws__ini_has_section(&ini, "profile empty"));
	assert_false(aws__ini_has_section(&ini, "profile nope"));
	aws__ini_release(&ini);

	assert_int_equal(aws__ini_load(&ini, "/nonexistent/ini"), 0);
	assert_false(ini.exists);
	aws__ini_release(&ini);
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_int_equal(write(fd, "[a]\nno equals\n", 15), 15);
	close(fd);
	assert_int_equal(aws__ini_load(&ini, path), PS_EINVALID);
	assert_non_null(strstr(ps_error_last(), ":2: expected 'key = value'"));
	aws__ini_release(&ini);
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_aws__sigv4_suite_get_vanilla),
		cmocka_unit_test(test_aws__sigv4_post_token_and_path),
		cmocka_unit_test(test_aws__sigv4_refuses_what_it_cannot_sign),
		cmocka_unit_test(test_aws__uri_encode),
		cmocka_unit_test(test_aws__sts_xml),
		cmocka_unit_test(test_aws__times),
		cmocka_unit_test(test_aws__ini),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
