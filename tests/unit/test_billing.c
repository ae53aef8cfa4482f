/* Unit tests for billing: exact decimal amounts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "billing/billing.h"
#include "emulator/emulator.h"

static char *
fmt(struct amount a, int places)
{
	struct ps_buf b = PS_BUF_INIT;

	amount_format(&b, a, places);
	return ps_buf_detach(&b);
}

static void
check_format(const char *in, int places, const char *want)
{
	struct amount a;
	char *got;

	assert_int_equal(amount_parse(&a, in), 0);
	got = fmt(a, places);
	assert_string_equal(got, want);
	free(got);
}

static void
test_billing__amount_parses_and_formats(void **state)
{
	static const struct { const char *in; int places; const char *want; } t[] = {
		{ "0", -1, "0.00" },
		{ "37.10", -1, "37.10" },
		{ "40.3543773134", -1, "40.3543773134" },
		{ "-0.5", -1, "-0.50" },
		{ "12", 2, "12.00" },
		{ "0.005", 2, "0.01" },		/* half away from zero */
		{ "0.004999", 2, "0.00" },
		{ "-0.005", 2, "-0.01" },
		{ "-0.004", 2, "0.00" },	/* no "-0.00" */
		{ "1234567.891", 0, "1234568" },
		{ ".5", -1, "0.50" },
		{ "5.", -1, "5.00" },
		{ "0.000000000000000001", -1, "0.000000000000000001" },
		{ "170141183460469231731", -1, "170141183460469231731.00" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		check_format(t[i].in, t[i].places, t[i].want);
}

static void
test_billing__amount_refuses_what_it_cannot_hold(void **state)
{
	static const char *const bad[] = {
		"", "-", ".", "1e3", "1,5", " 1", "1 ", "0x10", "1.2.3", "--1",
		"NaN", "inf", "0.0000000000000000001",	/* 19 decimals */
		"170141183460469231732",		/* past 2^127 / 10^18 */
	};
	struct amount a;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(amount_parse(&a, bad[i]), PS_EINVALID);
}

/* The case binary floating point gets wrong: 0.1 added ten times, and
 * many small line items against one large one. */
static void
test_billing__amount_sums_exactly(void **state)
{
	struct amount sum = AMOUNT_ZERO, a, big;
	char *s;
	int i;

	(void)state;
	assert_int_equal(amount_parse(&a, "0.1"), 0);
	for (i = 0; i < 10; i++)
		assert_int_equal(amount_add(&sum, a), 0);
	assert_int_equal(amount_parse(&big, "1"), 0);
	assert_int_equal(amount_cmp(sum, big), 0);

	assert_int_equal(amount_parse(&sum, "10000000000"), 0);
	assert_int_equal(amount_parse(&a, "0.0000000001"), 0);
	for (i = 0; i < 1000; i++)
		assert_int_equal(amount_add(&sum, a), 0);
	s = fmt(sum, -1);
	assert_string_equal(s, "10000000000.0000001");
	free(s);

	assert_int_equal(amount_sub(&sum, big, sum), 0);
	assert_true(amount_cmp(sum, AMOUNT_ZERO) < 0);
	assert_false(amount_is_zero(sum));

	assert_int_equal(amount_parse(&big, "170141183460469231731"), 0);
	sum = big;
	assert_int_equal(amount_add(&sum, big), PS_EINVALID);
	assert_int_equal(amount_cmp(sum, big), 0);	/* unchanged */
}

static void
test_billing__amount_percent(void **state)
{
	static const struct { const char *part, *whole, *want; } t[] = {
		{ "1", "3", "33.3" },
		{ "2", "3", "66.7" },
		{ "1", "8", "12.5" },
		{ "0.0005", "1", "0.1" },	/* 0.05 % rounds up */
		{ "0.0004", "1", "0.0" },
		{ "5", "0", "0.0" },
		{ "3", "2", "150.0" },
		{ "-1", "4", "-25.0" },
		{ "170141183460469231731", "170141183460469231731", "100.0" },
	};
	struct amount p, w;
	struct ps_buf b = PS_BUF_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_int_equal(amount_parse(&p, t[i].part), 0);
		assert_int_equal(amount_parse(&w, t[i].whole), 0);
		ps_buf_reset(&b);
		amount_percent(&b, p, w);
		assert_string_equal(b.ptr, t[i].want);
	}
	ps_buf_release(&b);
}

static int64_t
day(const char *s)
{
	int64_t d = 0;

	assert_true(billing_day_parse(&d, s));
	return d;
}

static void
check_period(const struct billing_period *p, const char *from, const char *to)
{
	char a[11], b[11];

	billing_day_format(a, p->from);
	billing_day_format(b, p->to);
	assert_string_equal(a, from);
	assert_string_equal(b, to);
}

static void
test_billing__periods(void **state)
{
	struct billing_period p, prev;
	int64_t today = day("2026-12-07"), d;

	(void)state;
	assert_false(billing_day_parse(&d, "2026-02-30"));
	assert_false(billing_day_parse(&d, "2026-2-03"));
	assert_false(billing_day_parse(&d, "2026-02-03x"));
	assert_true(billing_day_parse(&d, "2024-02-29"));

	/* the default: this month to date, compared with the same days */
	assert_int_equal(billing_period_parse(&p, NULL, NULL, NULL, today), 0);
	check_period(&p, "2026-12-01", "2026-12-07");
	billing_period_previous(&prev, &p);
	check_period(&prev, "2026-11-01", "2026-11-07");

	/* a whole month: the whole month before, whatever its length */
	assert_int_equal(billing_period_parse(&p, "2026-03", NULL, NULL,
	    today), 0);
	check_period(&p, "2026-03-01", "2026-03-31");
	billing_period_previous(&prev, &p);
	check_period(&prev, "2026-02-01", "2026-02-28");
	assert_int_equal(billing_period_parse(&p, "2026-02", NULL, NULL,
	    today), 0);
	billing_period_previous(&prev, &p);
	check_period(&prev, "2026-01-01", "2026-01-31");

	/* month to date on the 31st against a 30-day month: clipped */
	assert_int_equal(billing_period_parse(&p, NULL, NULL, NULL,
	    day("2026-12-31")), 0);
	check_period(&p, "2026-12-01", "2026-12-31");
	billing_period_previous(&prev, &p);
	check_period(&prev, "2026-11-01", "2026-11-30");
	assert_int_equal(billing_period_parse(&p, NULL, NULL, NULL,
	    day("2026-03-30")), 0);
	billing_period_previous(&prev, &p);
	check_period(&prev, "2026-02-01", "2026-02-28");

	/* --from/--to: inclusive, the same number of days before */
	assert_int_equal(billing_period_parse(&p, NULL, "2026-11-10",
	    "2026-11-16", today), 0);
	check_period(&p, "2026-11-10", "2026-11-16");
	billing_period_previous(&prev, &p);
	check_period(&prev, "2026-11-03", "2026-11-09");

	/* the current month given with --month ends today */
	assert_int_equal(billing_period_parse(&p, "2026-12", NULL, NULL,
	    today), 0);
	check_period(&p, "2026-12-01", "2026-12-07");

	assert_int_equal(billing_period_parse(&p, "2027-01", NULL, NULL,
	    today), PS_EUSAGE);
	assert_int_equal(billing_period_parse(&p, "2026-13", NULL, NULL,
	    today), PS_EUSAGE);
	assert_int_equal(billing_period_parse(&p, "2026-1", NULL, NULL,
	    today), PS_EUSAGE);
	assert_int_equal(billing_period_parse(&p, "2026-11", "2026-11-01",
	    "2026-11-02", today), PS_EUSAGE);
	assert_int_equal(billing_period_parse(&p, NULL, "2026-11-01", NULL,
	    today), PS_EUSAGE);
	assert_int_equal(billing_period_parse(&p, NULL, "2026-11-05",
	    "2026-11-04", today), PS_EUSAGE);
	assert_int_equal(billing_period_parse(&p, NULL, "2026-12-08",
	    "2026-12-09", today), PS_EUSAGE);
}

static void
test_billing__error_bodies(void **state)
{
	static const struct { const char *body, *code, *msg; } t[] = {
		{ "{\"__type\":\"LimitExceededException\",\"Message\":\"slow\"}",
		    "LimitExceededException", "slow" },
		{ "{\"__type\":\"com.amazonaws.ce#AccessDeniedException\","
		    "\"message\":\"no\"}", "AccessDeniedException", "no" },
		{ "{\"__type\":\"ValidationException:http://internal\","
		    "\"Message\":\"a\\nb\"}", "ValidationException", "a b" },
		{ "{\"Message\":\"x\"}", NULL, "x" },
		{ "not json", NULL, NULL },
	};
	char *code, *msg;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		billing_parse_error(&code, &msg, t[i].body, strlen(t[i].body));
		if (t[i].code)
			assert_string_equal(code, t[i].code);
		else
			assert_null(code);
		if (t[i].msg)
			assert_string_equal(msg, t[i].msg);
		else
			assert_null(msg);
		free(code);
		free(msg);
	}
}

/* The renderers on a hand-made report: shares, the unattributed bucket,
 * escaping of what came from Cost Explorer. */
static void
add_row(struct billing_result *r, const char *start, const char *end,
    const char *v, const char *amount, bool est)
{
	struct billing_row *row;

	r->rows = realloc(r->rows, (r->nr + 1) * sizeof(*r->rows));
	row = &r->rows[r->nr++];
	memset(row, 0, sizeof(*row));
	row->start = day(start);
	row->end = day(end);
	row->values[0] = strdup(v);
	assert_int_equal(amount_parse(&row->amount, amount), 0);
	row->estimated = est;
}

static void
test_billing__report_renders(void **state)
{
	struct billing_report r = { .metric = "UnblendedCost", .nr_keys = 1,
	    .compare = true };
	struct ps_buf out = PS_BUF_INIT;

	(void)state;
	r.keys[0] = "Team";
	r.period.from = day("2026-12-01");
	r.period.to = day("2026-12-07");
	r.previous.from = day("2026-11-01");
	r.previous.to = day("2026-11-07");
	r.services = calloc(2, sizeof(char *));
	r.services[0] = strdup("Amazon Bedrock");
	r.nr_services = 1;
	r.cur.unit = strdup("USD");
	add_row(&r.cur, "2026-12-01", "2026-12-07", "", "25.0000000001", true);
	add_row(&r.cur, "2026-12-01", "2026-12-07", "CX", "50.005", true);
	add_row(&r.cur, "2026-12-01", "2026-12-07", "Ops\x1b[31m\xc2\x9b|<b>",
	    "24.995", true);
	add_row(&r.prev, "2026-11-01", "2026-11-07", "CX", "40", false);
	r.requests = 3;

	billing_report_render(&out, &r, BILLING_TEXT);
	assert_non_null(strstr(out.ptr, "2026-12-01..2026-12-07 *  CX"));	/* biggest first */
	assert_non_null(strstr(out.ptr, "50.01   50.0%"));
	assert_non_null(strstr(out.ptr, "(not attributed)"));
	/* ESC and a C1 CSI escaped by util's escaper */
	assert_non_null(strstr(out.ptr, "Ops\\x1b[31m\\u009b|<b>"));
	assert_null(strstr(out.ptr, "\xc2\x9b"));
	assert_non_null(strstr(out.ptr, "TOTAL"));
	assert_non_null(strstr(out.ptr, "100.00  100.0%"));
	assert_non_null(strstr(out.ptr, "Not attributed: 25.00 USD, 25.0% "));
	assert_non_null(strstr(out.ptr, "+10.01 (+25.0%)"));
	assert_non_null(strstr(out.ptr, "Cost Explorer requests: 3 (USD 0.03)"));
	assert_null(strchr(out.ptr, '\x1b'));

	ps_buf_reset(&out);
	billing_report_render(&out, &r, BILLING_CSV);
	assert_string_equal(out.ptr, "start,end,Team,amount,unit,estimated\n"
	    "2026-12-01,2026-12-07,,25.0000000001,USD,true\n"
	    "2026-12-01,2026-12-07,CX,50.005,USD,true\n"
	    "2026-12-01,2026-12-07,Ops\x1b[31m\xc2\x9b|<b>,24.995,USD,true\n");

	ps_buf_reset(&out);
	billing_report_render(&out, &r, BILLING_JSON);
	assert_non_null(strstr(out.ptr, "\"total\": \"100.0000000001\""));
	assert_non_null(strstr(out.ptr, "\"share\": \"25.0\""));

	ps_buf_reset(&out);
	billing_report_render(&out, &r, BILLING_HTML);
	/* ESC and the C1 CSI as spaces */
	assert_non_null(strstr(out.ptr, "Ops [31m |&lt;b&gt;"));
	assert_null(strstr(out.ptr, "\xc2\x9b"));
	assert_null(strstr(out.ptr, "<script"));
	assert_non_null(strstr(out.ptr, "<rect class=\"bar\""));

	ps_buf_reset(&out);
	billing_report_render(&out, &r, BILLING_MARKDOWN);
	assert_non_null(strstr(out.ptr, "Ops \\[31m"));
	assert_non_null(strstr(out.ptr, "\\|\\<b\\>"));
	assert_non_null(strstr(out.ptr, "| **Total** | | **100.00** | |"));

	ps_buf_release(&out);
	billing_report_release(&r);
}

/* ---- activation against the emulator, over HTTP, in-process ---- */

static struct emu *
emu_with_tags(struct emu_server **srv, bool member)
{
	static const struct emu_header h[] = {
		{ "Authorization", "Bearer test-key" },
		{ "Content-Type", "application/json" },
	};
	struct emu_config cfg;
	struct emu_request req = { 0 };
	struct emu_response resp = EMU_RESPONSE_INIT;
	struct emu_server_options so = { 0 };
	struct ps_buf body = PS_BUF_INIT;
	struct emu *emu;
	unsigned port;
	char url[64];
	int i;

	emu_config_init(&cfg);
	cfg.clock = 1796644800;		/* 2026-12-07T12:00:00Z */
	cfg.ce_member_account = member;
	/* every signature is verified (service ce, us-east-1) */
	assert_int_equal(emu_config_add_sigv4(&cfg, "AKIDEXAMPLE:secret"), 0);
	assert_int_equal(emu_new(&emu, &cfg), 0);
	emu_config_release(&cfg);
	/* one project carrying K01..K22: those keys have usage */
	ps_buf_adds(&body, "{\"name\":\"p\",\"tags\":{");
	for (i = 1; i <= 22; i++)
		ps_buf_addf(&body, "%s\"K%02d\":\"v\"", i > 1 ? "," : "", i);
	ps_buf_adds(&body, "}}");
	req.method = "POST";
	req.target = "/v1/organization/projects";
	req.headers = h;
	req.nr_headers = 2;
	req.body = body.ptr;
	req.body_len = body.len;
	emu_handle(emu, &req, &resp);
	assert_int_equal(resp.status, 200);
	emu_response_release(&resp);
	ps_buf_release(&body);
	so.threads = 2;
	assert_int_equal(emu_server_start(srv, emu, &so, &port), 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u", port);
	setenv("AWS_ENDPOINT_URL_COST_EXPLORER", url, 1);
	setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "secret", 1);
	setenv("PROJSYNC_RETRY_SCALE", "0.01", 1);
	return emu;
}

static void
test_billing__activation_in_calls_of_twenty(void **state)
{
	struct billing_options opts = { 0 };
	struct billing_client *c;
	struct billing_update *u;
	struct billing_tag *tags;
	struct emu_server *srv;
	struct emu *emu = emu_with_tags(&srv, false);
	const char *keys[25];
	char names[25][8];
	size_t i;

	(void)state;
	for (i = 0; i < 25; i++) {
		/* K01..K22 are known to billing, U23..U25 are not */
		snprintf(names[i], sizeof(names[i]), "%c%02zu", i < 22 ? 'K' :
		    'U', i + 1);
		keys[i] = names[i];
	}
	assert_int_equal(billing_client_new(&c, &opts), 0);
	assert_int_equal(billing_activate_tags(c, keys, 25, &u), 0);
	/* 20 + 5: the second call answers 200 with per-key Errors */
	assert_int_equal(billing_client_requests(c), 2);
	for (i = 0; i < 25; i++) {
		assert_string_equal(u[i].key, keys[i]);
		assert_int_equal(u[i].done, i < 22);
		if (i >= 22)
			assert_non_null(strstr(u[i].error,
			    "TagKeysNotFoundException"));
	}
	billing_updates_free(u, 25);

	/* only unknown keys: AWS's 400 ValidationException, per key too */
	assert_int_equal(billing_activate_tags(c, keys + 22, 3, &u), 0);
	assert_int_equal(billing_client_requests(c), 3);
	for (i = 0; i < 3; i++) {
		assert_false(u[i].done);
		assert_non_null(strstr(u[i].error, "not seen"));
	}
	billing_updates_free(u, 3);

	/* the emulator's state through the other operation */
	assert_int_equal(billing_tag_statuses(c, keys, 25, &tags), 0);
	for (i = 0; i < 25; i++)
		assert_int_equal(tags[i].state, i < 22 ? BILLING_TAG_ACTIVE :
		    BILLING_TAG_UNSEEN);
	billing_tags_free(tags, 25);
	billing_client_free(c);
	emu_server_stop(srv);
	emu_free(emu);
}

static void
test_billing__signature_verified(void **state)
{
	struct billing_options opts = { 0 };
	struct billing_client *c;
	struct billing_tag *tags;
	struct emu_server *srv;
	struct emu *emu = emu_with_tags(&srv, false);
	const char *keys[] = { "K01" };

	(void)state;
	assert_int_equal(billing_client_new(&c, &opts), 0);
	assert_int_equal(billing_tag_statuses(c, keys, 1, &tags), 0);
	assert_int_equal(tags[0].state, BILLING_TAG_INACTIVE);
	billing_tags_free(tags, 1);
	billing_client_free(c);

	/* a wrong secret: refused by the verifier, never retried */
	setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret", 1);
	assert_int_equal(billing_client_new(&c, &opts), 0);
	assert_int_equal(billing_tag_statuses(c, keys, 1, &tags), PS_EHTTP);
	assert_null(tags);
	assert_string_equal(billing_client_error_code(c),
	    "InvalidSignatureException");
	assert_int_equal(billing_client_requests(c), 1);
	billing_client_free(c);
	setenv("AWS_SECRET_ACCESS_KEY", "secret", 1);

	/* the projects' region does not change the signing region */
	opts.region = "eu-west-1";
	assert_int_equal(billing_client_new(&c, &opts), 0);
	assert_int_equal(billing_tag_statuses(c, keys, 1, &tags), 0);
	billing_tags_free(tags, 1);
	billing_client_free(c);
	emu_server_stop(srv);
	emu_free(emu);
}

static void
test_billing__member_account_is_refused(void **state)
{
	struct billing_options opts = { 0 };
	struct billing_client *c;
	struct billing_update *u;
	struct emu_server *srv;
	struct emu *emu = emu_with_tags(&srv, true);
	const char *keys[] = { "K01" };

	(void)state;
	assert_int_equal(billing_client_new(&c, &opts), 0);
	assert_int_equal(billing_activate_tags(c, keys, 1, &u), PS_EHTTP);
	assert_string_equal(billing_client_error_code(c),
	    "AccessDeniedException");
	assert_false(u[0].done);
	assert_non_null(strstr(ps_error_last(), "Linked account"));
	billing_updates_free(u, 1);
	billing_client_free(c);
	emu_server_stop(srv);
	emu_free(emu);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_billing__amount_parses_and_formats),
		cmocka_unit_test(test_billing__amount_refuses_what_it_cannot_hold),
		cmocka_unit_test(test_billing__amount_sums_exactly),
		cmocka_unit_test(test_billing__amount_percent),
		cmocka_unit_test(test_billing__periods),
		cmocka_unit_test(test_billing__error_bodies),
		cmocka_unit_test(test_billing__report_renders),
		cmocka_unit_test(test_billing__activation_in_calls_of_twenty),
		cmocka_unit_test(test_billing__signature_verified),
		cmocka_unit_test(test_billing__member_account_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
