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
#include <stdlib.h>
#include <string.h>

#include "aws/aws.h"

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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_aws__sigv4_suite_get_vanilla),
		cmocka_unit_test(test_aws__sigv4_post_token_and_path),
		cmocka_unit_test(test_aws__sigv4_refuses_what_it_cannot_sign),
		cmocka_unit_test(test_aws__uri_encode),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
