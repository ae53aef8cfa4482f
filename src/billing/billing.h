/*
 * billing: AWS Cost Explorer for projsync (docs/finops.md).  Owned by the
 * billing module.
 *
 *  amount.c  exact decimal amounts: Cost Explorer sends money as decimal
 *            strings ("40.3543773134"); projsync sums and prints them
 *            without binary floating point, so a report equals the bill
 *            to the last digit.
 *
 * Nothing here prints or exits.
 */
#ifndef PROJSYNC_BILLING_H
#define PROJSYNC_BILLING_H

#include <stdbool.h>
#include <stddef.h>

#include "util/util.h"

/* ---- exact decimal amounts (amount.c) ---- */

/* Digits kept after the decimal point; a value with more is refused,
 * never rounded (Cost Explorer sends at most 10). */
#define AMOUNT_SCALE	18

/*
 * A signed fixed-point amount: v / 10^AMOUNT_SCALE, exact.  The range is
 * about ±1.7e20 (a 128-bit integer), far beyond any bill.  A plain value
 * type: copy it, no release.
 */
struct amount {
	__extension__ __int128 v;
};
#define AMOUNT_ZERO ((struct amount){ 0 })

/*
 * Parse "123", "-0.5", "40.3543773134", "1e-3" is refused: only an
 * optional '-', digits and an optional '.' with digits.  PS_EINVALID
 * (message names the text) for anything else, for more than AMOUNT_SCALE
 * decimals or a value out of range.
 */
int amount_parse(struct amount *out, const char *s);
/* *acc += a; PS_EINVALID on overflow (acc unchanged). */
int amount_add(struct amount *acc, struct amount a);
/* a - b; PS_EINVALID on overflow. */
int amount_sub(struct amount *out, struct amount a, struct amount b);
int amount_cmp(struct amount a, struct amount b);
bool amount_is_zero(struct amount a);
/*
 * Append a as decimal text.  places >= 0: rounded half away from zero to
 * that many decimals ("12.35"); places < 0: exact, trailing zeros dropped
 * but at least two decimals ("37.10", "40.3543773134").
 */
void amount_format(struct ps_buf *out, struct amount a, int places);
/*
 * part / whole as a percentage with one decimal ("12.5"), rounded half
 * away from zero; "0.0" when whole is zero.  Exact integer arithmetic.
 */
void amount_percent(struct ps_buf *out, struct amount part,
    struct amount whole);

#endif
