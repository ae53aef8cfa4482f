/*
 * billing: exact decimal amounts.  A 128-bit integer of 10^-18 units holds
 * every amount Cost Explorer sends (at most 10 decimals) exactly, so sums
 * of any number of pages and buckets are exact; text is the only format
 * amounts come in or go out as.
 */
#include "billing/billing.h"

#include <string.h>

__extension__ typedef __int128 i128;
__extension__ typedef unsigned __int128 u128;

#define I128_MAX ((i128)(((u128)1 << 127) - 1))

static i128
pow10_i128(int n)
{
	i128 p = 1;

	while (n-- > 0)
		p *= 10;
	return p;
}

int
amount_parse(struct amount *out, const char *s)
{
	const char *p = s;
	bool neg = false, point = false, digits = false;
	int decimals = 0;
	i128 v = 0;

	*out = AMOUNT_ZERO;
	if (*p == '-') {
		neg = true;
		p++;
	}
	for (; *p; p++) {
		if (*p == '.' && !point) {
			point = true;
			continue;
		}
		if (*p < '0' || *p > '9')
			goto bad;
		digits = true;
		if (point && ++decimals > AMOUNT_SCALE)
			return ps_error(PS_EINVALID, "amount '%s' has more than "
			    "%d decimals", s, AMOUNT_SCALE);
		if (__builtin_mul_overflow(v, 10, &v) ||
		    __builtin_add_overflow(v, *p - '0', &v))
			goto range;
	}
	if (!digits)
		goto bad;
	if (__builtin_mul_overflow(v, pow10_i128(AMOUNT_SCALE - decimals), &v))
		goto range;
	out->v = neg ? -v : v;
	return 0;
bad:
	return ps_error(PS_EINVALID, "'%s' is not a decimal amount", s);
range:
	return ps_error(PS_EINVALID, "amount '%s' is out of range", s);
}

int
amount_add(struct amount *acc, struct amount a)
{
	i128 r;

	if (__builtin_add_overflow(acc->v, a.v, &r))
		return ps_error(PS_EINVALID, "amount sum out of range");
	acc->v = r;
	return 0;
}

int
amount_sub(struct amount *out, struct amount a, struct amount b)
{
	i128 r;

	if (__builtin_sub_overflow(a.v, b.v, &r))
		return ps_error(PS_EINVALID, "amount difference out of range");
	out->v = r;
	return 0;
}

int
amount_cmp(struct amount a, struct amount b)
{
	return a.v < b.v ? -1 : a.v > b.v;
}

bool
amount_is_zero(struct amount a)
{
	return a.v == 0;
}

/* |v| / 10^drop rounded half away from zero (drop > 0), as unsigned. */
static u128
round_abs(i128 v, int drop)
{
	u128 m = v < 0 ? (u128)0 - (u128)v : (u128)v, d;

	if (drop <= 0)
		return m;
	d = (u128)pow10_i128(drop);
	return m / d + (m % d >= d / 2 ? 1 : 0);
}

static void
add_u128(struct ps_buf *out, u128 m, int decimals)
{
	char tmp[64];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + (int)(m % 10));
		m /= 10;
	} while (m || n <= decimals);
	while (n > 0) {
		if (n == decimals)
			ps_buf_addch(out, '.');
		ps_buf_addch(out, tmp[--n]);
	}
}

void
amount_format(struct ps_buf *out, struct amount a, int places)
{
	u128 m;
	int decimals = places;

	if (places < 0) {
		/* exact: drop trailing zeros down to two decimals */
		m = round_abs(a.v, 0);
		decimals = AMOUNT_SCALE;
		while (decimals > 2 && m % 10 == 0) {
			m /= 10;
			decimals--;
		}
	} else {
		if (places > AMOUNT_SCALE)
			places = decimals = AMOUNT_SCALE;
		m = round_abs(a.v, AMOUNT_SCALE - places);
	}
	if (a.v < 0 && m)
		ps_buf_addch(out, '-');
	add_u128(out, m, decimals);
}

void
amount_percent(struct ps_buf *out, struct amount part, struct amount whole)
{
	i128 p = part.v, w = whole.v, q;
	u128 mp, mw;
	bool neg;

	if (w == 0) {
		ps_buf_adds(out, "0.0");
		return;
	}
	/* per mille, with one more digit for rounding: p * 10000 / w */
	while (p > I128_MAX / 10000 || p < -(I128_MAX / 10000)) {
		p /= 10;
		w /= 10;
		if (w == 0) {
			ps_buf_adds(out, p < 0 ? "-inf" : "inf");
			return;
		}
	}
	neg = (p < 0) != (w < 0) && p != 0;
	mp = p < 0 ? (u128)0 - (u128)p : (u128)p;
	mw = w < 0 ? (u128)0 - (u128)w : (u128)w;
	q = (i128)((mp * 10000 / mw + 5) / 10);
	if (neg && q)
		ps_buf_addch(out, '-');
	add_u128(out, (u128)q, 1);
}

unsigned
amount_scale(struct amount part, struct amount whole, unsigned scale)
{
	i128 p = part.v, w = whole.v;

	if (w <= 0 || p <= 0)
		return 0;
	if (p >= w)
		return scale;
	while (p > I128_MAX / (scale ? scale : 1)) {
		p /= 10;
		w /= 10;
	}
	return (unsigned)(p * scale / w);
}
