/* Unit tests for billing: exact decimal amounts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "billing/billing.h"

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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_billing__amount_parses_and_formats),
		cmocka_unit_test(test_billing__amount_refuses_what_it_cannot_hold),
		cmocka_unit_test(test_billing__amount_sums_exactly),
		cmocka_unit_test(test_billing__amount_percent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
