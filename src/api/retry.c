/* api: when to retry — Retry-After parsing, backoff, the throttle pacer. */
#include "api/internal.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Parse a whole decimal number (surrounding blanks allowed). */
static bool
parse_number(double *out, const char *s)
{
	char *end;
	double v;

	while (*s == ' ' || *s == '\t')
		s++;
	if (!*s || !(isdigit((unsigned char)*s) || *s == '.' || *s == '-' ||
	    *s == '+'))
		return false;
	v = strtod(s, &end);
	if (end == s)
		return false;
	while (*end == ' ' || *end == '\t')
		end++;
	if (*end || !isfinite(v))
		return false;
	*out = v;
	return true;
}

enum api__ra
api__retry_after(double *out_ms, const char *retry_after_ms,
    const char *retry_after, time_t now)
{
	double v;

	*out_ms = 0;
	if (retry_after_ms && parse_number(&v, retry_after_ms) && v > 0) {
		if (v > API_RETRY_AFTER_MAX_S * 1000.0) {
			*out_ms = v;
			return API__RA_TOO_LONG;
		}
		*out_ms = v;
		return API__RA_DELAY;
	}
	if (!retry_after)
		return API__RA_NONE;
	if (parse_number(&v, retry_after)) {
		if (v <= 0)
			return API__RA_NONE;
		*out_ms = v * 1000.0;
		return v > API_RETRY_AFTER_MAX_S ? API__RA_TOO_LONG :
		    API__RA_DELAY;
	}
	/* An HTTP date, e.g. "Wed, 21 Oct 2015 07:28:00 GMT" */
	{
		time_t t = curl_getdate(retry_after, NULL);
		if (t == (time_t)-1 || t <= now)
			return API__RA_NONE;
		*out_ms = (double)(t - now) * 1000.0;
		return t - now > API_RETRY_AFTER_MAX_S ? API__RA_TOO_LONG :
		    API__RA_DELAY;
	}
}

uint64_t
api__rand(uint64_t *state)
{
	/* splitmix64: jitter only, no cryptography */
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

double
api__backoff_ms(unsigned n, uint64_t *rng)
{
	double ms = 500.0, u;

	while (n-- > 0 && ms < 8000.0)
		ms *= 2;
	if (ms > 8000.0)
		ms = 8000.0;
	u = (double)(api__rand(rng) >> 11) / (double)(1ULL << 53);
	return ms * (0.75 + 0.25 * u);
}

double
api_backoff_ms(unsigned n, uint64_t *rng)
{
	return api__backoff_ms(n, rng);
}

/* ---- the pacer ---- */

#define SLOT_US		16000
#define EST_MIN_SPAN_US	30000	/* need this much history to estimate */
#define EST_MIN_SAMPLES	3
#define EPISODE_GAP_US	2000000	/* quiet this long: a new episode */
#define RATE_FLOOR	0.5	/* requests per second */
#define PROBE_GROWTH	0.05	/* per second, near the last estimate */
#define RECOVER_GROWTH	0.5	/* per second, well under it */
#define HALVE_EVERY_RTTS	1	/* without an estimate, halve this seldom */
#define LEVEL_MIN_ANSWERS	6	/* to judge a cut */
#define RANDOM_LLR	3.0	/* log-odds of 20:1 for random throttling */
#define RANDOM_MIN_ANSWERS	24	/* over the levels compared */
#define LEVEL_RATE_SPAN	2.0	/* their rates this far apart */
#define RANDOM_HOLD_US	30000000	/* then the pacer stands aside */
#define LEVEL(p, k)	(&(p)->levels[(k) % API__PACER_LEVELS])

void
api__pacer_init(struct api__pacer *p, unsigned max, int64_t now)
{
	memset(p, 0, sizeof(*p));
	p->max = max ? max : 1;
	p->last_grow_us = now;
	p->last_cut_us = INT64_MIN;
	p->last_throttle_us = INT64_MIN / 2;
	memset(p->slot_k, 0xff, sizeof(p->slot_k));	/* -1: empty */
}

bool
api__pacer_may_start(const struct api__pacer *p, unsigned running,
    int64_t now, int64_t *wait_us)
{
	if (running >= p->max)
		return false;
	if (p->rate > 0 && now < p->next_us) {
		*wait_us = p->next_us;
		return false;
	}
	return true;
}

void
api__pacer_started(struct api__pacer *p, int64_t now)
{
	p->starts_us[p->starts_pos] = now;
	p->starts_pos = (p->starts_pos + 1) % PS_ARRAY_SIZE(p->starts_us);
	if (p->starts_nr < PS_ARRAY_SIZE(p->starts_us))
		p->starts_nr++;
	if (p->rate > 0)
		p->next_us = (p->next_us > now ? p->next_us : now) +
		    (int64_t)(1e6 / p->rate);
	if (p->in_episode && p->nlevels)
		LEVEL(p, p->nlevels - 1)->sent++;
}

/* Starts per second recently (at least 10). */
static double
send_rate(const struct api__pacer *p, int64_t now)
{
	int64_t oldest = now;
	unsigned i, n = 0;

	for (i = 0; i < p->starts_nr; i++) {
		if (p->starts_us[i] < now - 100000)
			continue;
		n++;
		if (p->starts_us[i] < oldest)
			oldest = p->starts_us[i];
	}
	/* the ring is full inside the window: measure over its span */
	if (n == PS_ARRAY_SIZE(p->starts_us) && now - oldest > 1000)
		return n / ((double)(now - oldest) / 1e6);
	return n > 1 ? n / 0.1 : 10.0;
}

static void
count_success(struct api__pacer *p, int64_t sent)
{
	int64_t k = sent / SLOT_US;
	unsigned i = (unsigned)(k % API__PACER_SLOTS);

	if (p->slot_k[i] != k) {
		p->slot_k[i] = k;
		p->slots[i] = 0;
	}
	p->slots[i]++;
}

static unsigned
successes_between(const struct api__pacer *p, int64_t lo, int64_t hi)
{
	int64_t k, k0 = lo / SLOT_US, k1 = hi / SLOT_US;
	unsigned n = 0;

	if (k1 - k0 >= API__PACER_SLOTS)
		k0 = k1 - API__PACER_SLOTS + 1;
	for (k = k0; k <= k1; k++) {
		unsigned i = (unsigned)(k % API__PACER_SLOTS);
		if (p->slot_k[i] == k)
			n += p->slots[i];
	}
	return n;
}

/* A new rate level begins (at an episode's start: its first level). */
static void
new_level(struct api__pacer *p, int64_t start)
{
	struct api__pacer_level *l = LEVEL(p, p->nlevels++);

	memset(l, 0, sizeof(*l));
	l->start_us = start;
}

/* Start an episode of throttling at the send time of its first 429. */
static void
start_episode(struct api__pacer *p, int64_t sent)
{
	p->in_episode = true;
	p->episode_us = sent;
	p->episode_cuts = 0;
	p->nlevels = 0;
	new_level(p, sent);
	p->last_cut_us = sent;
}

/* Count an answer in the level its request was sent in. */
static void
count_level(struct api__pacer *p, bool throttled, int64_t sent)
{
	unsigned k, oldest = p->nlevels > API__PACER_LEVELS ?
	    p->nlevels - API__PACER_LEVELS : 0;

	if (!p->in_episode)
		return;
	for (k = p->nlevels; k-- > oldest; ) {
		struct api__pacer_level *l = LEVEL(p, k);
		if (sent >= l->start_us) {
			*(throttled ? &l->thr : &l->ok) += 1;
			return;
		}
	}
}

/* What level k sent a second: measured, not the pace it was given (the
 * parallelism cap or a lull of work may keep it below). */
static double
level_rate(const struct api__pacer *p, unsigned k, int64_t now)
{
	const struct api__pacer_level *l = LEVEL(p, k);

	if (k + 1 < p->nlevels)
		return l->rate;
	return now > l->start_us ? l->sent / ((double)(now - l->start_us) /
	    1e6) : 0;
}

static double
clamp_share(double f)
{
	return fmin(0.98, fmax(0.02, f));
}

/* Log-likelihood of the answers of the levels [lo, hi) when each accepts
 * the share f(rate) = r / rate (a rate limit r), or r whatever the rate
 * (random) */
static double
levels_loglik(const struct api__pacer *p, unsigned lo, unsigned hi,
    int64_t now, double r, bool random)
{
	double ll = 0, f;
	unsigned k;

	for (k = lo; k < hi; k++) {
		const struct api__pacer_level *l = LEVEL(p, k);
		f = clamp_share(random ? r : r / level_rate(p, k, now));
		ll += l->ok * log(f) + l->thr * log(1 - f);
	}
	return ll;
}

/*
 * Is the throttling random rather than a rate limit?  Each model gets its
 * best single parameter (the share accepted, or the rate limit r, tried
 * at what each level suggests), fitted over the episode's levels after
 * the first (whose share the tail of the server's burst inflates); their
 * log-likelihood ratio decides, once the levels span rates at least
 * LEVEL_RATE_SPAN apart and hold enough answers.
 */
static bool
throttling_is_random(const struct api__pacer *p, int64_t now)
{
	unsigned lo = p->nlevels > API__PACER_LEVELS ?
	    p->nlevels - API__PACER_LEVELS : 1, hi = p->nlevels, k, n = 0, ok = 0;
	double rmin = INFINITY, rmax = 0, best_limit = -INFINITY, rate, ll;

	for (k = lo; k < hi; k++) {
		const struct api__pacer_level *l = LEVEL(p, k);
		if (l->ok + l->thr == 0)
			continue;
		rate = level_rate(p, k, now);
		rmin = fmin(rmin, rate);
		rmax = fmax(rmax, rate);
		n += l->ok + l->thr;
		ok += l->ok;
	}
	if (n < RANDOM_MIN_ANSWERS || rmin <= 0 ||
	    rmax < LEVEL_RATE_SPAN * rmin)
		return false;
	for (k = lo; k < hi; k++) {
		const struct api__pacer_level *l = LEVEL(p, k);
		if (l->ok + l->thr == 0)
			continue;
		ll = levels_loglik(p, lo, hi, now, level_rate(p, k, now) *
		    (l->ok + 0.5) / (l->ok + l->thr + 1), false);
		best_limit = fmax(best_limit, ll);
	}
	ll = levels_loglik(p, lo, hi, now, (ok + 0.5) / (n + 1), true);
	return ll - best_limit >= RANDOM_LLR;
}

void
api__pacer_result(struct api__pacer *p, bool throttled, int64_t sent,
    int64_t now)
{
	double cur, est = -1, next;
	int64_t lo, hi;

	if (!throttled) {
		double rtt = (double)(now - sent), g, dt;

		p->srtt_us = p->srtt_us == 0 ? rtt :
		    0.875 * p->srtt_us + 0.125 * rtt;
		count_success(p, sent);
		count_level(p, false, sent);
		if (p->rate > 0) {
			dt = (double)(now - p->last_grow_us) / 1e6;
			g = p->rate < 0.9 * p->wmax ? RECOVER_GROWTH :
			    PROBE_GROWTH;
			p->rate += fmax(p->rate * g, RATE_FLOOR) * dt;
			/* far past what the concurrency cap allows: unpaced */
			if (p->srtt_us > 0 &&
			    p->rate > 1.5 * p->max * 1e6 / p->srtt_us) {
				p->rate = 0;
				p->in_episode = false;
			}
		}
		p->last_grow_us = now;
		return;
	}
	p->throttled++;
	if (now < p->random_until)
		return;		/* random throttling: pacing would not help */
	if (sent >= p->last_cut_us && (!p->in_episode ||
	    now - p->last_throttle_us > EPISODE_GAP_US))
		start_episode(p, sent);
	count_level(p, true, sent);
	if (sent < p->last_cut_us)
		return;		/* sent before the last cut: old news */
	p->last_throttle_us = now;
	if (p->episode_cuts > 0) {
		struct api__pacer_level *l = LEVEL(p, p->nlevels - 1);
		if (l->ok + l->thr < LEVEL_MIN_ANSWERS)
			return;		/* the last cut is still being judged */
		if (throttling_is_random(p, now)) {
			p->rate = 0;
			p->in_episode = false;
			p->random_until = now + RANDOM_HOLD_US;
			return;
		}
	}
	cur = p->rate > 0 ? p->rate : send_rate(p, now);
	/*
	 * Since the episode began the server's bucket has been empty, so
	 * the answers it accepted among what we sent since then arrive at
	 * its sustained rate: that is the estimate.  Whole slots only: the
	 * slot holding the episode's start also holds the burst the server
	 * accepted before it (docs/benchmarks.md).
	 */
	hi = now - (int64_t)p->srtt_us;
	lo = p->episode_us;
	if (hi - lo > (int64_t)API__PACER_SLOTS * SLOT_US)
		lo = hi - (int64_t)(API__PACER_SLOTS - 1) * SLOT_US;
	lo = (lo / SLOT_US + 1) * SLOT_US;
	hi = (hi / SLOT_US) * SLOT_US - 1;
	if (hi - lo >= EST_MIN_SPAN_US) {
		unsigned n = successes_between(p, lo, hi);
		if (n >= EST_MIN_SAMPLES) {
			est = n / ((double)(hi - lo) / 1e6);
			p->wmax = est;
		}
	}
	if (est <= 0 && p->episode_cuts > 0 &&
	    now - p->last_cut_us < HALVE_EVERY_RTTS * (int64_t)p->srtt_us)
		return;		/* halved lately: wait for an estimate */
	/* no estimate yet: halve */
	next = est > 0 ? 0.95 * est : cur * 0.5;
	/* a new level begins; the one ending is measured */
	LEVEL(p, p->nlevels - 1)->rate = p->episode_cuts ?
	    level_rate(p, p->nlevels - 1, now) : send_rate(p, now);
	new_level(p, now);
	p->episode_cuts++;
	p->rate = next > RATE_FLOOR ? next : RATE_FLOOR;
	p->last_cut_us = now;
	p->last_grow_us = now;
	if (p->next_us > now + (int64_t)(1e6 / p->rate))
		p->next_us = now + (int64_t)(1e6 / p->rate);
}

unsigned
api__pacer_parallelism(const struct api__pacer *p)
{
	double c;

	if (p->rate <= 0 || p->srtt_us <= 0)
		return p->max;
	c = ceil(p->rate * p->srtt_us / 1e6);
	if (c < 1)
		return 1;
	return c > p->max ? p->max : (unsigned)c;
}
