/*
 * emulator: one request in, one verdict out.  Routing, authentication,
 * fault injection, validation in the order of reference §7, the state
 * change, persistence, the request log and the counters.  No sockets here
 * (server.c does HTTP), so tests and the fuzzer drive emu_handle().
 */
#include "emulator/emulator.h"
#include "emulator/internal.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <wctype.h>

#define LOG_MAX		50000	/* request log entries kept (a ring) */
#define STATUS_MAX	600

enum route {
	RT_LIST, RT_CREATE, RT_RETRIEVE, RT_MODIFY, RT_ARCHIVE,
	RT_RETENTION_GET, RT_RETENTION_PUT, RT_NOT_FOUND, RT_BAD_METHOD,
	RT_CE, RT_NR
};

static const char *const route_names[RT_NR] = {
	"list", "create", "retrieve", "modify", "archive",
	"data_retention_get", "data_retention_put", "not_found",
	"method_not_allowed", "cost_explorer",
};

enum fault {
	F_NONE, F_RESET, F_RATE_LIMIT, F_429, F_5XX, F_DROP_CREATE, F_NR
};

static const char *const fault_names[F_NR] = {
	NULL, "reset", "rate_limit", "429", "5xx", "drop_create",
};

struct emu {
	pthread_mutex_t lock;
	struct emu_config cfg;
	struct emu_store st;
	struct emu_ce ce;		/* Cost Explorer (ce.c) */
	uint64_t rng_faults, rng_jitter, rng_reqid;
	double tokens;			/* token bucket */
	struct timespec bucket_at;
	char **log;			/* ring of rendered JSON entries */
	size_t log_head, log_nr;
	unsigned long counts[RT_NR][STATUS_MAX];
	unsigned long faults[F_NR];
	unsigned long total;
	unsigned long faultable;	/* requests that reached the faults */
	unsigned long slowed;		/* creates held by slow_creates */
	FILE *logf;
	locale_t ctype;			/* C.UTF-8 for letter/number classes */
};

/* One parsed query parameter; values may hold NULs (%00). */
struct param {
	char *key, *value;
	size_t key_len, value_len;
};

/* Everything one emu_handle() call works on. */
struct ctx {
	struct emu *emu;
	const struct emu_request *req;
	struct emu_response *resp;
	char *path;			/* decoded */
	struct param *params;
	size_t nr_params, alloc_params;
	enum route route;
	const char *auth;		/* "bearer", "x-api-key", "sigv4", NULL */
	enum fault fault;
	cJSON *doc;			/* the parsed body */
};

/* ---- configuration ---- */

void
emu_config_init(struct emu_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->region = xstrdup("us-east-1");
	cfg->account = xstrdup("123456789012");
	cfg->max_projects = 1000;
	cfg->max_tags = 50;
	cfg->name_max = 128;
	cfg->retry_after = EMU_RA_SECONDS;
	cfg->ce_usage_days = 90;
	cfg->ce_backfill_seconds = 3600;
	cfg->slow_create_ms = 3000;
}

void
emu_config_release(struct emu_config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->nr_keys; i++)
		free(cfg->keys[i].key);
	free(cfg->keys);
	emu__sigv4_keys_release(cfg->sigv4, cfg->nr_sigv4);
	free(cfg->region);
	free(cfg->account);
	free(cfg->state_file);
	free(cfg->log_file);
	for (i = 0; i < cfg->nr_ce_active; i++)
		free(cfg->ce_active[i]);
	free(cfg->ce_active);
	memset(cfg, 0, sizeof(*cfg));
}

int
emu_config_add_key(struct emu_config *cfg, const char *arg)
{
	size_t len = strlen(arg);
	bool ro = false;

	if (len > 3 && strcmp(arg + len - 3, ":ro") == 0) {
		ro = true;
		len -= 3;
	}
	if (!len)
		return ps_error(PS_EUSAGE, "empty --key");
	cfg->keys = xrealloc(cfg->keys, (cfg->nr_keys + 1) * sizeof(*cfg->keys));
	cfg->keys[cfg->nr_keys].key = xstrndup(arg, len);
	cfg->keys[cfg->nr_keys].read_only = ro;
	cfg->nr_keys++;
	return 0;
}

static void
config_copy(struct emu_config *dst, const struct emu_config *src)
{
	size_t i;

	*dst = *src;
	dst->region = xstrdup(src->region ? src->region : "us-east-1");
	dst->account = xstrdup(src->account ? src->account : "123456789012");
	dst->state_file = xstrdup(src->state_file);
	dst->log_file = xstrdup(src->log_file);
	dst->keys = NULL;
	dst->nr_keys = 0;
	dst->sigv4 = emu__sigv4_keys_copy(src->sigv4, src->nr_sigv4);
	for (i = 0; i < src->nr_keys; i++) {
		dst->keys = xrealloc(dst->keys, (i + 1) * sizeof(*dst->keys));
		dst->keys[i].key = xstrdup(src->keys[i].key);
		dst->keys[i].read_only = src->keys[i].read_only;
		dst->nr_keys++;
	}
	if (!dst->nr_keys) {
		dst->keys = xcalloc(1, sizeof(*dst->keys));
		dst->keys[0].key = xstrdup("test-key");
		dst->nr_keys = 1;
	}
	if (!dst->name_max)
		dst->name_max = 128;
	dst->ce_active = xcalloc(src->nr_ce_active + 1, sizeof(char *));
	for (i = 0; i < src->nr_ce_active; i++)
		dst->ce_active[i] = xstrdup(src->ce_active[i]);
}

/* ---- life cycle ---- */

static int64_t
now(const struct emu *emu)
{
	return emu->cfg.clock ? emu->cfg.clock : (int64_t)time(NULL);
}

static void
seed_streams(struct emu *emu)
{
	uint64_t s = emu->cfg.seed;

	/* independent streams: enabling one fault never shifts the ids */
	emu->st.rng_ids = emu__rng_next(&s);
	emu->rng_faults = emu__rng_next(&s);
	emu->rng_jitter = emu__rng_next(&s);
	emu->rng_reqid = emu__rng_next(&s);
}

static void
log_clear(struct emu *emu)
{
	size_t i;

	for (i = 0; i < emu->log_nr; i++)
		free(emu->log[(emu->log_head + i) % LOG_MAX]);
	emu->log_head = emu->log_nr = 0;
	memset(emu->counts, 0, sizeof(emu->counts));
	memset(emu->faults, 0, sizeof(emu->faults));
	emu->total = 0;
}

static int
save_locked(struct emu *emu)
{
	struct ps_buf b = PS_BUF_INIT;
	int err;

	if (!emu->cfg.state_file)
		return 0;
	emu__store_dump(&b, &emu->st);
	err = ps_write_file_atomic(emu->cfg.state_file, b.ptr, b.len, 0644);
	ps_buf_release(&b);
	return err;
}

int
emu_save(struct emu *emu)
{
	int err;

	pthread_mutex_lock(&emu->lock);
	err = save_locked(emu);
	pthread_mutex_unlock(&emu->lock);
	return err;
}

int
emu_new(struct emu **out, const struct emu_config *cfg)
{
	struct emu *emu = xcalloc(1, sizeof(*emu));
	struct ps_buf text = PS_BUF_INIT;
	int err = 0;

	*out = NULL;
	pthread_mutex_init(&emu->lock, NULL);
	config_copy(&emu->cfg, cfg);
	emu->ctype = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	emu->log = xcalloc(LOG_MAX, sizeof(*emu->log));
	emu__store_init(&emu->st, now(emu));
	emu__ce_init(&emu->ce, &emu->cfg);
	seed_streams(emu);
	emu->tokens = emu->cfg.rate_limit > 1 ? emu->cfg.rate_limit : 1;
	clock_gettime(CLOCK_MONOTONIC, &emu->bucket_at);
	if (emu->cfg.state_file) {
		err = ps_read_file(&text, emu->cfg.state_file, 0);
		if (err == PS_ENOTFOUND) {
			err = save_locked(emu);	/* a new state starts now */
		} else if (err == 0) {
			uint64_t keep = emu->st.rng_ids;
			err = emu__store_load(&emu->st, ps_buf_cstr(&text),
			    text.len, emu->cfg.state_file);
			if (err == 0 && !emu->st.rng_ids)
				emu->st.rng_ids = keep;
		}
		if (err < 0)
			goto out;
	}
	if (emu->cfg.log_file && !(emu->logf = fopen(emu->cfg.log_file, "ae"))) {
		err = ps_error(PS_EFAIL, "cannot open '%s': %s",
		    emu->cfg.log_file, strerror(errno));
		goto out;
	}
	*out = emu;
	emu = NULL;
out:
	ps_buf_release(&text);
	if (emu) {
		/* never overwrite a state file we could not read */
		free(emu->cfg.state_file);
		emu->cfg.state_file = NULL;
		emu_free(emu);
	}
	return err;
}

void
emu_free(struct emu *emu)
{
	if (!emu)
		return;
	save_locked(emu);
	log_clear(emu);
	free(emu->log);
	emu__store_release(&emu->st);
	emu__ce_release(&emu->ce);
	if (emu->logf)
		fclose(emu->logf);
	if (emu->ctype != (locale_t)0)
		freelocale(emu->ctype);
	emu_config_release(&emu->cfg);
	pthread_mutex_destroy(&emu->lock);
	free(emu);
}

static void
reset_locked(struct emu *emu)
{
	emu__store_release(&emu->st);
	emu__store_init(&emu->st, now(emu));
	emu__ce_release(&emu->ce);
	emu__ce_init(&emu->ce, &emu->cfg);
	seed_streams(emu);
	log_clear(emu);
	emu->faultable = 0;
	emu->slowed = 0;
	emu->tokens = emu->cfg.rate_limit > 1 ? emu->cfg.rate_limit : 1;
	clock_gettime(CLOCK_MONOTONIC, &emu->bucket_at);
	save_locked(emu);
}

void
emu_reset(struct emu *emu)
{
	pthread_mutex_lock(&emu->lock);
	reset_locked(emu);
	pthread_mutex_unlock(&emu->lock);
}

void
emu_response_release(struct emu_response *r)
{
	ps_buf_release(&r->body);
	free(r->allow);
	free(r->retry_after);
	free(r->retry_after_ms);
	r->allow = r->retry_after = r->retry_after_ms = NULL;
}

/* ---- small helpers ---- */

static double
rand01(uint64_t *state)
{
	return (double)(emu__rng_next(state) >> 11) * 0x1.0p-53;
}

static bool
chance(uint64_t *state, double p)
{
	if (p <= 0)
		return false;
	return rand01(state) < p;
}

unsigned
emu_delay_ms(struct emu *emu, const char *target)
{
	long ms;

	if (strncmp(target, "/_emulator/", 11) == 0)
		return 0;
	pthread_mutex_lock(&emu->lock);
	ms = emu->cfg.latency_ms;
	if (emu->cfg.jitter_ms) {
		uint64_t span = 2 * (uint64_t)emu->cfg.jitter_ms + 1;
		ms += (long)(emu__rng_next(&emu->rng_jitter) % span) -
		    (long)emu->cfg.jitter_ms;
	}
	pthread_mutex_unlock(&emu->lock);
	return ms > 0 ? (unsigned)ms : 0;
}

unsigned
emu_slow_create_ms(struct emu *emu, const char *method, const char *target)
{
	unsigned ms = 0;

	if (strcmp(method, "POST") != 0 ||
	    (strcmp(target, "/v1/organization/projects") != 0 &&
	    strcmp(target, "/v1/organization/projects/") != 0))
		return 0;
	pthread_mutex_lock(&emu->lock);
	if (emu->slowed < emu->cfg.slow_creates) {
		emu->slowed++;
		ms = emu->cfg.slow_create_ms;
	}
	pthread_mutex_unlock(&emu->lock);
	return ms;
}

static const char *
header(const struct emu_request *req, const char *name)
{
	size_t i;

	for (i = 0; i < req->nr_headers; i++)
		if (strcasecmp(req->headers[i].name, name) == 0)
			return req->headers[i].value;
	return NULL;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decode s[0..len) into a new string; *out_len excludes the NUL. */
static char *
pct_decode(const char *s, size_t len, bool plus_is_space, size_t *out_len)
{
	char *out = xmalloc(len + 1);
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		int hi, lo;
		if (s[i] == '%' && i + 2 < len &&
		    (hi = hexval(s[i + 1])) >= 0 &&
		    (lo = hexval(s[i + 2])) >= 0) {
			out[n++] = (char)(hi << 4 | lo);
			i += 2;
		} else if (s[i] == '+' && plus_is_space) {
			out[n++] = ' ';
		} else {
			out[n++] = s[i];
		}
	}
	out[n] = '\0';
	*out_len = n;
	return out;
}

/* Decode one UTF-8 code point at s[*i]; false when invalid. */
static bool
utf8_next(const unsigned char *s, size_t len, size_t *i, uint32_t *cp)
{
	unsigned c = s[*i], need, k;
	uint32_t v;

	if (c < 0x80) {
		*cp = c;
		(*i)++;
		return true;
	}
	if (c >= 0xc2 && c <= 0xdf)
		need = 1, v = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		need = 2, v = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		need = 3, v = c & 0x07;
	else
		return false;
	if (len - *i <= need)
		return false;
	for (k = 1; k <= need; k++) {
		if ((s[*i + k] & 0xc0) != 0x80)
			return false;
		v = (v << 6) | (s[*i + k] & 0x3f);
	}
	if ((need == 2 && v < 0x800) || (need == 3 && v < 0x10000) ||
	    v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return false;
	*i += need + 1;
	*cp = v;
	return true;
}

/* Code points in a NUL-terminated string, -1 when not UTF-8. */
static long
cp_len(const char *s)
{
	size_t len = strlen(s), i = 0;
	uint32_t cp;
	long n = 0;

	while (i < len) {
		if (!utf8_next((const unsigned char *)s, len, &i, &cp))
			return -1;
		n++;
	}
	return n;
}

/* \s of a Unicode-aware regex: what `.*\S.*` must find something beyond. */
static bool
is_space(uint32_t c)
{
	return (c >= 0x09 && c <= 0x0d) || c == 0x20 || c == 0x85 ||
	    c == 0xa0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200a) ||
	    c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f ||
	    c == 0x3000;
}

/* \p{Z}: space, line and paragraph separators. */
static bool
is_separator(uint32_t c)
{
	return c == 0x20 || c == 0xa0 || c == 0x1680 ||
	    (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 ||
	    c == 0x202f || c == 0x205f || c == 0x3000;
}

/*
 * [\p{L}\p{Z}\p{N}_.:/=+\-@]: letters and numbers come from glibc's
 * C.UTF-8 classes (iswalnum covers L, Nd and Nl); the common No code
 * points (superscripts, vulgar fractions) are listed by hand.
 */
static bool
tag_char_ok(const struct emu *emu, uint32_t c)
{
	if (c < 0x80)
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == ' ' || strchr("_.:/=+-@", (int)c);
	if (is_separator(c))
		return true;
	if (c == 0xb2 || c == 0xb3 || c == 0xb9 || (c >= 0xbc && c <= 0xbe) ||
	    (c >= 0x2070 && c <= 0x2079) || (c >= 0x2080 && c <= 0x2089) ||
	    (c >= 0x2150 && c <= 0x215f) || (c >= 0x2460 && c <= 0x249b))
		return true;
	if (emu->ctype == (locale_t)0)
		return true;	/* no classes: be lenient, never stricter */
	return iswalnum_l((wint_t)c, emu->ctype) != 0;
}

static void
arn(struct ps_buf *b, const struct emu *emu, const char *id)
{
	ps_buf_addf(b, "arn:aws:bedrock-mantle:%s:%s:project/%s",
	    emu->cfg.region, emu->cfg.account, id);
}

/* ---- responses ---- */

static void
set_error(struct ctx *c, unsigned status, const char *type, const char *code,
    const char *param, const char *fmt, ...) PS_PRINTF(6, 7);

static void
set_error(struct ctx *c, unsigned status, const char *type, const char *code,
    const char *param, const char *fmt, ...)
{
	struct ps_buf *b = &c->resp->body;
	char *msg;
	va_list ap;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	c->resp->status = status;
	ps_buf_reset(b);
	ps_buf_adds(b, "{\"error\":{\"message\":");
	emu__json_str(b, msg);
	ps_buf_adds(b, ",\"type\":");
	emu__json_str(b, type);
	ps_buf_adds(b, ",\"param\":");
	if (param)
		emu__json_str(b, param);
	else
		ps_buf_adds(b, "null");
	ps_buf_adds(b, ",\"code\":");
	if (code)
		emu__json_str(b, code);
	else
		ps_buf_adds(b, "null");
	ps_buf_adds(b, "}}");
	free(msg);
}

#define BAD(c, code, param, ...) \
	set_error((c), 400, "invalid_request_error", (code), (param), __VA_ARGS__)

static void
render_project(struct ps_buf *b, const struct emu *emu,
    const struct emu_project *p)
{
	size_t i;

	if (emu->cfg.flavor == EMU_OPENAI) {
		ps_buf_adds(b, "{\"id\":");
		emu__json_str(b, p->id);
		ps_buf_adds(b, ",\"object\":\"organization.project\",\"name\":");
		emu__json_str(b, p->name);
		ps_buf_addf(b, ",\"created_at\":%" PRId64, p->created_at);
		if (p->archived)
			ps_buf_addf(b, ",\"archived_at\":%" PRId64, p->archived_at);
		else
			ps_buf_adds(b, ",\"archived_at\":null");
		ps_buf_addf(b, ",\"status\":\"%s\",\"external_key_id\":",
		    p->archived ? "archived" : "active");
		if (p->external_key_id)
			emu__json_str(b, p->external_key_id);
		else
			ps_buf_adds(b, "null");
		ps_buf_addch(b, '}');
		return;
	}
	/* bedrock: keys in alphabetical order, like the AWS examples */
	ps_buf_addch(b, '{');
	if (p->archived)
		ps_buf_addf(b, "\"archived_at\":%" PRId64 ",", p->archived_at);
	else if (emu->cfg.archived_at_null)
		ps_buf_adds(b, "\"archived_at\":null,");
	ps_buf_adds(b, "\"arn\":\"");
	arn(b, emu, p->id);
	ps_buf_addf(b, "\",\"created_at\":%" PRId64, p->created_at);
	ps_buf_addf(b, ",\"data_retention\":{\"mode\":\"%s\"},\"id\":",
	    p->retention);
	emu__json_str(b, p->id);
	ps_buf_adds(b, ",\"name\":");
	emu__json_str(b, p->name);
	ps_buf_addf(b, ",\"object\":\"organization.project\",\"status\":\"%s\""
	    ",\"tags\":{", p->archived ? "archived" : "active");
	for (i = 0; i < p->tags.nr; i++) {
		if (i)
			ps_buf_addch(b, ',');
		emu__json_str(b, p->tags.items[i].key);
		ps_buf_addch(b, ':');
		emu__json_str(b, p->tags.items[i].value);
	}
	ps_buf_adds(b, "}}");
}

static void
respond_project(struct ctx *c, const struct emu_project *p)
{
	c->resp->status = 200;
	ps_buf_reset(&c->resp->body);
	render_project(&c->resp->body, c->emu, p);
}

static void
not_found_project(struct ctx *c, const char *id)
{
	struct ps_buf b = PS_BUF_INIT;

	if (c->emu->cfg.flavor == EMU_OPENAI)
		ps_buf_adds(&b, id);
	else
		arn(&b, c->emu, id);
	set_error(c, 404, "not_found_error", "not_found", NULL,
	    "Project %s not found", ps_buf_cstr(&b));
	ps_buf_release(&b);
}

/* ---- request parsing ---- */

static void
parse_target(struct ctx *c)
{
	const char *t = c->req->target ? c->req->target : "";
	const char *q = strchr(t, '?'), *p, *end;
	size_t plen;

	c->path = pct_decode(t, q ? (size_t)(q - t) : strlen(t), false, &plen);
	if (strlen(c->path) != plen)	/* %00 in the path: no route */
		c->path[0] = '\0';
	if (!q)
		return;
	for (p = q + 1; *p; p = *end ? end + 1 : end) {
		const char *eq;
		struct param *pr;
		end = p + strcspn(p, "&");
		if (end == p)
			continue;
		eq = memchr(p, '=', (size_t)(end - p));
		xgrow(&c->params, &c->alloc_params, c->nr_params + 1,
		    sizeof(*c->params));
		pr = &c->params[c->nr_params++];
		pr->key = pct_decode(p, (size_t)((eq ? eq : end) - p), true,
		    &pr->key_len);
		if (eq)
			pr->value = pct_decode(eq + 1, (size_t)(end - eq - 1),
			    true, &pr->value_len);
		else
			pr->value = pct_decode("", 0, true, &pr->value_len);
	}
}

/* The last value of a query parameter (the usual framework rule). */
static const struct param *
param(const struct ctx *c, const char *key)
{
	size_t i;

	for (i = c->nr_params; i-- > 0;)
		if (c->params[i].key_len == strlen(key) &&
		    strcmp(c->params[i].key, key) == 0)
			return &c->params[i];
	return NULL;
}

/*
 * Pre-scan the raw body: cJSON accepts raw control characters inside
 * strings and turns \u0000 into a terminator that would silently cut a
 * string short.  Reject both, and bytes that are not UTF-8.
 */
static const char *
body_problem(const char *s, size_t len)
{
	bool in_str = false;
	size_t i = 0;
	uint32_t cp;

	while (i < len) {
		unsigned char ch = (unsigned char)s[i];
		if (ch >= 0x80) {
			if (!utf8_next((const unsigned char *)s, len, &i, &cp))
				return "the body is not valid UTF-8";
			continue;
		}
		if (!in_str) {
			if (ch == '"')
				in_str = true;
			else if (ch == 0)
				return "the body contains a NUL byte";
		} else if (ch == '"') {
			in_str = false;
		} else if (ch < 0x20) {
			return "unescaped control character in a string";
		} else if (ch == '\\' && i + 1 < len) {
			if (s[i + 1] == 'u' && i + 5 < len &&
			    memcmp(s + i + 2, "0000", 4) == 0)
				return "\\u0000 is not allowed in strings";
			i++;
		}
		i++;
	}
	return NULL;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* First key that appears twice in an object anywhere in the tree. */
static const char *
duplicate_key(const cJSON *node)
{
	const cJSON *it;
	const char *dup = NULL;

	if (cJSON_IsObject(node)) {
		size_t n = 0, i;
		const char **names;
		cJSON_ArrayForEach(it, node)
			n++;
		names = xcalloc(n, sizeof(*names));
		n = 0;
		cJSON_ArrayForEach(it, node)
			names[n++] = it->string;
		qsort(names, n, sizeof(*names), name_cmp);
		for (i = 1; i < n && !dup; i++)
			if (strcmp(names[i - 1], names[i]) == 0)
				dup = names[i];
		free(names);
		if (dup)
			return dup;
	}
	if (cJSON_IsObject(node) || cJSON_IsArray(node))
		cJSON_ArrayForEach(it, node)
			if ((dup = duplicate_key(it)))
				return dup;
	return NULL;
}

/* Parse the body into c->doc, an object; false with a 400 set. */
static bool
parse_body_object(struct ctx *c)
{
	const char *s = c->req->body ? c->req->body : "";
	size_t len = c->req->body ? c->req->body_len : 0, rest;
	const char *problem = body_problem(s, len), *end = NULL, *dup;

	if (problem) {
		BAD(c, "invalid_json", NULL, "We could not parse the JSON body "
		    "of your request: %s", problem);
		return false;
	}
	c->doc = cJSON_ParseWithLengthOpts(s, len, &end, 0);
	if (c->doc && end) {
		for (rest = (size_t)(end - s); rest < len; rest++)
			if (!strchr(" \t\r\n", s[rest]))
				break;
		if (rest < len) {
			cJSON_Delete(c->doc);
			c->doc = NULL;
		}
	}
	if (!c->doc) {
		BAD(c, "invalid_json", NULL, "We could not parse the JSON body "
		    "of your request. The body must be a JSON object");
		return false;
	}
	if (!cJSON_IsObject(c->doc)) {
		BAD(c, "invalid_type", NULL, "The request body must be a JSON "
		    "object");
		return false;
	}
	if ((dup = duplicate_key(c->doc))) {
		BAD(c, "invalid_json", NULL, "Duplicate key in the JSON body: "
		    "'%s'", dup);
		return false;
	}
	return true;
}

static const cJSON *
field(const struct ctx *c, const char *name)
{
	return cJSON_GetObjectItemCaseSensitive(c->doc, name);
}

/* ---- validation shared by create and modify ---- */

static bool
check_name(struct ctx *c, const cJSON *name, bool required)
{
	const char *s;
	size_t i, len;
	uint32_t cp;
	bool visible = false;
	long n;

	if (!name) {
		if (required)
			BAD(c, "missing_required_parameter", "name",
			    "Missing required parameter: 'name'");
		return !required;
	}
	if (!cJSON_IsString(name)) {
		BAD(c, "invalid_type", "name", "Invalid type for 'name': "
		    "expected a string");
		return false;
	}
	s = name->valuestring;
	len = strlen(s);
	for (i = 0; i < len;) {
		if (!utf8_next((const unsigned char *)s, len, &i, &cp))
			break;
		if (!is_space(cp))
			visible = true;
	}
	if (!visible) {
		BAD(c, "invalid_value", "name", "Invalid value for 'name': it "
		    "must contain a non-whitespace character");
		return false;
	}
	n = cp_len(s);
	if (n < 0 || (unsigned long)n > c->emu->cfg.name_max) {
		BAD(c, "string_above_max_length", "name", "Invalid 'name': "
		    "string too long. Expected a string with maximum length "
		    "%u, but got a string with length %ld instead",
		    c->emu->cfg.name_max, n);
		return false;
	}
	return true;
}

static bool
chars_ok(const struct emu *emu, const char *s)
{
	size_t len = strlen(s), i = 0;
	uint32_t cp;

	while (i < len) {
		if (!utf8_next((const unsigned char *)s, len, &i, &cp) ||
		    !tag_char_ok(emu, cp))
			return false;
	}
	return true;
}

/*
 * The tag checks of reference §7, one pass per rule so the first rule
 * that fails wins whatever the tag order: type, lengths, characters,
 * the reserved aws: prefix.  `what` is the field name (tags, add_tags).
 */
static bool
check_tags(struct ctx *c, const cJSON *tags, const char *what)
{
	const cJSON *t;
	long n;

	if (!cJSON_IsObject(tags)) {
		BAD(c, "invalid_type", what, "Invalid type for '%s': expected "
		    "an object of string keys to string values", what);
		return false;
	}
	cJSON_ArrayForEach(t, tags)
		if (!cJSON_IsString(t)) {
			BAD(c, "invalid_type", what, "Invalid type for '%s': "
			    "the value of tag '%s' must be a string", what,
			    t->string);
			return false;
		}
	cJSON_ArrayForEach(t, tags) {
		n = cp_len(t->string);
		if (n < 1 || n > 128) {
			BAD(c, "invalid_tag_key", what, "Invalid tag key '%s': "
			    "it must be 1 to 128 characters long", t->string);
			return false;
		}
		n = cp_len(t->valuestring);
		if (n < 0 || n > 256) {
			BAD(c, "invalid_tag_value", what, "Invalid value for "
			    "tag '%s': it must be 0 to 256 characters long",
			    t->string);
			return false;
		}
	}
	cJSON_ArrayForEach(t, tags) {
		if (!chars_ok(c->emu, t->string)) {
			BAD(c, "invalid_tag_key", what, "Invalid tag key '%s': "
			    "only letters, numbers, spaces and _ . : / = + - @ "
			    "are allowed", t->string);
			return false;
		}
		if (!chars_ok(c->emu, t->valuestring)) {
			BAD(c, "invalid_tag_value", what, "Invalid value for "
			    "tag '%s': only letters, numbers, spaces and "
			    "_ . : / = + - @ are allowed", t->string);
			return false;
		}
	}
	cJSON_ArrayForEach(t, tags)
		if (strncasecmp(t->string, "aws:", 4) == 0) {
			BAD(c, "reserved_tag_key", what, "Invalid tag key '%s': "
			    "the aws: prefix is reserved for AWS use", t->string);
			return false;
		}
	return true;
}

static bool
check_retention(struct ctx *c, const cJSON *dr, const char *const *modes)
{
	const cJSON *mode, *it;
	size_t i;

	if (!cJSON_IsObject(dr)) {
		BAD(c, "invalid_type", "data_retention", "Invalid type for "
		    "'data_retention': expected an object like "
		    "{\"mode\": \"inherit\"}");
		return false;
	}
	cJSON_ArrayForEach(it, dr)
		if (strcmp(it->string, "mode") != 0) {
			BAD(c, "unknown_parameter", "data_retention",
			    "Unrecognized request argument supplied: "
			    "data_retention.%s", it->string);
			return false;
		}
	mode = cJSON_GetObjectItemCaseSensitive(dr, "mode");
	if (!mode) {
		BAD(c, "missing_required_parameter", "data_retention.mode",
		    "Missing required parameter: 'data_retention.mode'");
		return false;
	}
	for (i = 0; cJSON_IsString(mode) && modes[i]; i++)
		if (strcmp(mode->valuestring, modes[i]) == 0)
			return true;
	BAD(c, "invalid_value", "data_retention.mode", "Invalid value for "
	    "'data_retention.mode': expected one of %s", modes[1] &&
	    strcmp(modes[0], "inherit") == 0 ?
	    "'inherit', 'default', 'none', 'provider_data_share'" :
	    "'default', 'none', 'provider_data_share'");
	return false;
}

static const char *const project_modes[] = {
	"inherit", "default", "none", "provider_data_share", NULL
};
static const char *const account_modes[] = {
	"default", "none", "provider_data_share", NULL
};

static bool
check_unknown(struct ctx *c, const char *const *known)
{
	const cJSON *it;
	size_t i;

	cJSON_ArrayForEach(it, c->doc) {
		for (i = 0; known[i]; i++)
			if (strcmp(it->string, known[i]) == 0)
				break;
		if (!known[i]) {
			BAD(c, "unknown_parameter", it->string,
			    "Unrecognized request argument supplied: %s",
			    it->string);
			return false;
		}
	}
	return true;
}

/* ---- the routes ---- */

static void
do_list(struct ctx *c)
{
	struct emu *emu = c->emu;
	const struct param *pa;
	struct ps_buf *b = &c->resp->body;
	bool archived = false, more = false;
	unsigned long limit = 20;
	size_t start = 0, i, n = 0;
	const struct emu_project *first = NULL, *last = NULL;

	if ((pa = param(c, "include_archived"))) {
		if (strcmp(pa->value, "true") == 0 && pa->value_len == 4)
			archived = true;
		else if (!(strcmp(pa->value, "false") == 0 && pa->value_len == 5)) {
			BAD(c, "invalid_value", "include_archived", "Invalid "
			    "value for 'include_archived': expected 'true' or "
			    "'false'");
			return;
		}
	}
	if ((pa = param(c, "limit"))) {
		size_t k;
		bool ok = pa->value_len >= 1 && pa->value_len <= 3;
		for (k = 0; ok && k < pa->value_len; k++)
			ok = pa->value[k] >= '0' && pa->value[k] <= '9';
		limit = ok ? strtoul(pa->value, NULL, 10) : 0;
		if (!ok || limit < 1 || limit > 100) {
			BAD(c, "invalid_value", "limit", "Invalid value for "
			    "'limit': limit can range between 1 and 100");
			return;
		}
	}
	/* start: index into the full order, where -1 is default */
	if ((pa = param(c, "after"))) {
		const struct emu_project *p = NULL;
		if (strlen(pa->value) == pa->value_len)
			p = emu__store_find(&emu->st, pa->value);
		if (!p) {
			BAD(c, "invalid_value", "after", "Invalid value for "
			    "'after': no project with id '%s'", pa->value);
			return;
		}
		start = p == emu->st.def ? 1 : emu__store_index(&emu->st, p) + 2;
	}
	c->resp->status = 200;
	ps_buf_reset(b);
	ps_buf_adds(b, "{\"object\":\"list\",\"data\":[");
	/* position 0 is default, position k+1 is order[k] */
	for (i = start; i < emu->st.nr + 1; i++) {
		const struct emu_project *p = i ? emu->st.order[i - 1] :
		    emu->st.def;
		if (p->archived && !archived)
			continue;
		if (n == limit) {
			more = true;
			break;
		}
		if (n++)
			ps_buf_addch(b, ',');
		render_project(b, emu, p);
		if (!first)
			first = p;
		last = p;
	}
	ps_buf_adds(b, "],\"first_id\":");
	if (first)
		emu__json_str(b, first->id);
	else
		ps_buf_adds(b, "null");
	ps_buf_adds(b, ",\"last_id\":");
	if (last)
		emu__json_str(b, last->id);
	else
		ps_buf_adds(b, "null");
	ps_buf_addf(b, ",\"has_more\":%s}", more ? "true" : "false");
}

static void
new_id(struct emu *emu, char out[6 + EMU_ID_CHARS])
{
	static const char alnum[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	size_t i;

	/* collisions are astronomically rare but a reused seed must not
	 * hand out an id the loaded state already has */
	do {
		memcpy(out, "proj_", 5);
		for (i = 0; i < EMU_ID_CHARS; i++)
			out[5 + i] = alnum[emu__rng_next(&emu->st.rng_ids) % 36];
		out[5 + EMU_ID_CHARS] = '\0';
	} while (emu__store_find(&emu->st, out));
}

static void
do_create(struct ctx *c)
{
	static const char *const known_bedrock[] = {
		"name", "tags", "data_retention", "residency", "geography",
		"external_key_id", NULL
	};
	static const char *const known_openai[] = {
		"name", "residency", "geography", "external_key_id", NULL
	};
	struct emu *emu = c->emu;
	bool bedrock = emu->cfg.flavor == EMU_BEDROCK;
	const cJSON *tags, *dr, *t, *ext;
	struct emu_project *p;
	char id[6 + EMU_ID_CHARS];

	if (!parse_body_object(c) || !check_name(c, field(c, "name"), true))
		return;
	if (bedrock) {
		tags = field(c, "tags");
		if (tags && !check_tags(c, tags, "tags"))
			return;
		if (tags && (unsigned)cJSON_GetArraySize(tags) > emu->cfg.max_tags) {
			BAD(c, "too_many_tags", "tags", "Too many tags: %d, at "
			    "most %u are allowed", cJSON_GetArraySize(tags),
			    emu->cfg.max_tags);
			return;
		}
		dr = field(c, "data_retention");
		if (dr && !check_retention(c, dr, project_modes))
			return;
	} else {
		tags = dr = NULL;
	}
	if (!check_unknown(c, bedrock ? known_bedrock : known_openai))
		return;
	if (emu->st.nr >= emu->cfg.max_projects) {
		BAD(c, "project_limit_exceeded", NULL, "You can have up to %u "
		    "projects per account (archived projects count)",
		    emu->cfg.max_projects);
		return;
	}
	new_id(emu, id);
	p = xcalloc(1, sizeof(*p));
	p->id = xstrdup(id);
	p->name = xstrdup(field(c, "name")->valuestring);
	p->created_at = now(emu);
	strcpy(p->retention, "inherit");
	cJSON_ArrayForEach(t, tags)
		tag_set_put(&p->tags, t->string, t->valuestring);
	if (dr)
		strcpy(p->retention, cJSON_GetObjectItemCaseSensitive(dr,
		    "mode")->valuestring);
	ext = field(c, "external_key_id");
	if (!bedrock && cJSON_IsString(ext))
		p->external_key_id = xstrdup(ext->valuestring);
	emu__store_insert(&emu->st, p);
	if (save_locked(emu) < 0) {
		set_error(c, 500, "server_error", NULL, NULL, "cannot save "
		    "the state: %s", ps_error_last());
		return;
	}
	respond_project(c, p);
}

/* The id segment of /v1/organization/projects/{id}[/archive]. */
static char *
path_id(const struct ctx *c)
{
	const char *s = c->path + strlen("/v1/organization/projects/");
	return xstrndup(s, strcspn(s, "/"));
}

/* Look the project up for a route that changes it; NULL with an answer. */
static struct emu_project *
writable_project(struct ctx *c, const char *id, const char *verb)
{
	struct emu_project *p = emu__id_valid(id) ?
	    emu__store_find(&c->emu->st, id) : NULL;

	if (!p) {
		not_found_project(c, id);
		return NULL;
	}
	if (p == c->emu->st.def) {
		BAD(c, "default_project", NULL, "cannot %s the default "
		    "project", verb);
		return NULL;
	}
	return p;
}

static void
do_retrieve(struct ctx *c)
{
	char *id = path_id(c);
	struct emu_project *p = emu__id_valid(id) ?
	    emu__store_find(&c->emu->st, id) : NULL;

	if (p)
		respond_project(c, p);
	else
		not_found_project(c, id);
	free(id);
}

static void
do_modify(struct ctx *c)
{
	static const char *const known_bedrock[] = {
		"name", "add_tags", "remove_tag_keys", "data_retention", NULL
	};
	static const char *const known_openai[] = {
		"name", "external_key_id", NULL
	};
	struct emu *emu = c->emu;
	bool bedrock = emu->cfg.flavor == EMU_BEDROCK;
	char *id = path_id(c);
	struct emu_project *p;
	const cJSON *name, *add, *rm, *dr, *t, *ext;
	struct tag_set tags = TAG_SET_INIT;

	if (!(p = writable_project(c, id, "modify")))
		goto out;
	if (p->archived) {
		BAD(c, "project_archived", NULL, "archived projects cannot be "
		    "updated");
		goto out;
	}
	if (!parse_body_object(c))
		goto out;
	if (bedrock && field(c, "tags")) {
		BAD(c, "unsupported_parameter", "tags", "full tag replacement "
		    "is not supported; use add_tags/remove_tag_keys");
		goto out;
	}
	if (!c->doc->child) {
		BAD(c, "empty_update", NULL, "the request changes nothing: "
		    "send at least one of %s", bedrock ? "name, add_tags, "
		    "remove_tag_keys, data_retention" : "name, external_key_id");
		goto out;
	}
	name = field(c, "name");
	if (!bedrock && cJSON_IsNull(name))
		name = NULL;	/* OpenAI: name is string or null */
	if (!check_name(c, name, false))
		goto out;
	add = bedrock ? field(c, "add_tags") : NULL;
	rm = bedrock ? field(c, "remove_tag_keys") : NULL;
	if (add && !check_tags(c, add, "add_tags"))
		goto out;
	if (rm) {
		bool ok = cJSON_IsArray(rm);
		cJSON_ArrayForEach(t, rm)
			ok = ok && cJSON_IsString(t);
		if (!ok) {
			BAD(c, "invalid_type", "remove_tag_keys", "Invalid type "
			    "for 'remove_tag_keys': expected an array of "
			    "strings");
			goto out;
		}
		cJSON_ArrayForEach(t, rm)
			if (add && cJSON_GetObjectItemCaseSensitive(add,
			    t->valuestring)) {
				BAD(c, "conflicting_tag_keys", "remove_tag_keys",
				    "tag key '%s' is in both add_tags and "
				    "remove_tag_keys", t->valuestring);
				goto out;
			}
	}
	dr = bedrock ? field(c, "data_retention") : NULL;
	if (dr && !check_retention(c, dr, project_modes))
		goto out;
	if (!check_unknown(c, bedrock ? known_bedrock : known_openai))
		goto out;
	/* all or nothing: build the new tag set before touching p */
	tag_set_copy(&tags, &p->tags);
	cJSON_ArrayForEach(t, rm)
		tag_set_remove(&tags, t->valuestring);
	cJSON_ArrayForEach(t, add)
		tag_set_put(&tags, t->string, t->valuestring);
	if (tags.nr > emu->cfg.max_tags) {
		BAD(c, "too_many_tags", "add_tags", "Too many tags: the project "
		    "would have %zu, at most %u are allowed", tags.nr,
		    emu->cfg.max_tags);
		goto out;
	}
	if (name) {
		free(p->name);
		p->name = xstrdup(name->valuestring);
	}
	if (bedrock) {
		tag_set_release(&p->tags);
		p->tags = tags;
		memset(&tags, 0, sizeof(tags));	/* now owned by p */
	}
	if (dr)
		strcpy(p->retention, cJSON_GetObjectItemCaseSensitive(dr,
		    "mode")->valuestring);
	ext = bedrock ? NULL : field(c, "external_key_id");
	if (ext && (cJSON_IsString(ext) || cJSON_IsNull(ext))) {
		free(p->external_key_id);
		p->external_key_id = cJSON_IsString(ext) ?
		    xstrdup(ext->valuestring) : NULL;
	}
	if (save_locked(emu) < 0) {
		set_error(c, 500, "server_error", NULL, NULL, "cannot save "
		    "the state: %s", ps_error_last());
		goto out;
	}
	respond_project(c, p);
out:
	tag_set_release(&tags);
	free(id);
}

static void
do_archive(struct ctx *c)
{
	char *id = path_id(c);
	struct emu_project *p;

	/* the body, if any, is ignored: the SDKs send none */
	if (!(p = writable_project(c, id, "archive")))
		goto out;
	if (!p->archived) {
		p->archived = true;
		p->archived_at = now(c->emu);
		if (save_locked(c->emu) < 0) {
			set_error(c, 500, "server_error", NULL, NULL, "cannot "
			    "save the state: %s", ps_error_last());
			goto out;
		}
	}
	respond_project(c, p);
out:
	free(id);
}

static void
render_retention(struct ctx *c)
{
	c->resp->status = 200;
	ps_buf_reset(&c->resp->body);
	ps_buf_addf(&c->resp->body, "{\"mode\":\"%s\",\"updated_at\":%" PRId64
	    "}", c->emu->st.retention, c->emu->st.retention_updated_at);
}

static void
do_retention_put(struct ctx *c)
{
	static const char *const known[] = { "mode", NULL };
	const cJSON *mode;
	size_t i;

	if (!parse_body_object(c))
		return;
	mode = field(c, "mode");
	if (!mode) {
		BAD(c, "missing_required_parameter", "mode", "Missing required "
		    "parameter: 'mode'");
		return;
	}
	for (i = 0; cJSON_IsString(mode) && account_modes[i]; i++)
		if (strcmp(mode->valuestring, account_modes[i]) == 0)
			break;
	if (!cJSON_IsString(mode) || !account_modes[i]) {
		BAD(c, "invalid_value", "mode", "Invalid value for 'mode': "
		    "expected one of 'default', 'none', 'provider_data_share'");
		return;
	}
	if (!check_unknown(c, known))
		return;
	strcpy(c->emu->st.retention, account_modes[i]);
	c->emu->st.retention_updated_at = now(c->emu);
	if (save_locked(c->emu) < 0) {
		set_error(c, 500, "server_error", NULL, NULL, "cannot save the "
		    "state: %s", ps_error_last());
		return;
	}
	render_retention(c);
}

/* ---- routing, authentication, faults ---- */

/* Pick the route; sets Allow and answers 404/405 itself. */
static void
route(struct ctx *c)
{
	static const char prefix[] = "/v1/organization/projects";
	const char *m = c->req->method ? c->req->method : "";
	const char *path = c->path, *rest, *allow;
	bool get = strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0;
	bool post = strcmp(m, "POST") == 0;

	if (strcmp(path, prefix) == 0) {
		allow = "GET, POST";
		c->route = get ? RT_LIST : post ? RT_CREATE : RT_BAD_METHOD;
	} else if (strncmp(path, prefix, sizeof(prefix) - 1) == 0 &&
	    path[sizeof(prefix) - 1] == '/' && path[sizeof(prefix)] &&
	    path[sizeof(prefix)] != '/') {
		rest = path + sizeof(prefix);
		rest += strcspn(rest, "/");
		if (!*rest) {
			allow = "GET, POST";
			c->route = get ? RT_RETRIEVE : post ? RT_MODIFY :
			    RT_BAD_METHOD;
		} else if (strcmp(rest, "/archive") == 0) {
			allow = "POST";
			c->route = post ? RT_ARCHIVE : RT_BAD_METHOD;
		} else {
			c->route = RT_NOT_FOUND;
		}
	} else if (strcmp(path, "/v1/data_retention") == 0 &&
	    c->emu->cfg.flavor == EMU_BEDROCK) {
		allow = "GET, PUT";
		c->route = get ? RT_RETENTION_GET : strcmp(m, "PUT") == 0 ?
		    RT_RETENTION_PUT : RT_BAD_METHOD;
	} else {
		c->route = RT_NOT_FOUND;
	}
	if (c->route == RT_NOT_FOUND) {
		if (strncmp(path, "/openai/v1/", 11) == 0)
			set_error(c, 404, "not_found_error", "unknown_url", NULL,
			    "Unknown request URL: %s %s. Project routes live "
			    "under /v1, not /openai/v1", m, path);
		else
			set_error(c, 404, "not_found_error", "unknown_url", NULL,
			    "Unknown request URL: %s %s", m, path);
	} else if (c->route == RT_BAD_METHOD) {
		set_error(c, 405, "invalid_request_error", "method_not_allowed",
		    NULL, "Method %s is not allowed on %s (allowed: %s)", m,
		    path, allow);
		c->resp->allow = xstrdup(allow);
	}
}

static const struct emu_key *
find_key(const struct emu *emu, const char *k, size_t len)
{
	size_t i;

	for (i = 0; i < emu->cfg.nr_keys; i++)
		if (strlen(emu->cfg.keys[i].key) == len &&
		    memcmp(emu->cfg.keys[i].key, k, len) == 0)
			return &emu->cfg.keys[i];
	return NULL;
}

/*
 * SigV4 with --sigv4 keys: verified for real (sigv4.c); any failure is a
 * 403 whose code and message say which check failed.
 */
static bool
sigv4_verified(struct ctx *c, bool *ro)
{
	struct emu_sigv4_verdict v;
	bool ok = emu__sigv4_verify(&c->emu->cfg, c->req, "bedrock-mantle",
	    c->emu->cfg.region, time(NULL), &v);

	if (!ok)
		set_error(c, 403, "permission_error", v.code, NULL, "%s",
		    v.message);
	*ro = v.read_only;
	free(v.message);
	return ok;
}

/*
 * SigV4 without --sigv4 keys: "AWS4-HMAC-SHA256 Credential=AKID/DATE/
 * REGION/SERVICE/aws4_request, SignedHeaders=..., Signature=...".  The
 * scope must name bedrock-mantle and our region; the signature itself is
 * not verified.
 */
static bool
sigv4_ok(struct ctx *c, const char *v, bool *ro)
{
	const char *cred = strstr(v, "Credential="), *p;
	char *scope[5] = { 0 };
	const struct emu_key *k;
	size_t i, n;
	bool ok = false;

	if (!cred || !strstr(v, "SignedHeaders=") || !strstr(v, "Signature=")) {
		set_error(c, 401, "invalid_request_error", "invalid_api_key",
		    NULL, "Malformed AWS Signature Version 4 Authorization "
		    "header");
		return false;
	}
	p = cred + strlen("Credential=");
	for (i = 0; i < 5; i++) {
		n = strcspn(p, "/, ");
		scope[i] = xstrndup(p, n);
		p += n;
		if (*p != '/')
			break;
		p++;
	}
	if (i < 4 || !scope[4] || strcmp(scope[4], "aws4_request") != 0 ||
	    !scope[0][0] || strlen(scope[1]) != 8) {
		set_error(c, 401, "invalid_request_error", "invalid_api_key",
		    NULL, "Malformed AWS Signature Version 4 credential scope");
	} else if (strcmp(scope[3], "bedrock-mantle") != 0) {
		set_error(c, 401, "invalid_request_error", "invalid_api_key",
		    NULL, "Credential should be scoped to correct service: "
		    "'bedrock-mantle'");
	} else if (strcmp(scope[2], c->emu->cfg.region) != 0) {
		set_error(c, 401, "invalid_request_error", "invalid_api_key",
		    NULL, "Credential should be scoped to a valid region: "
		    "'%s'", c->emu->cfg.region);
	} else {
		/* an access key id configured as KEY:ro is read-only */
		k = find_key(c->emu, scope[0], strlen(scope[0]));
		*ro = k && k->read_only;
		ok = true;
	}
	for (i = 0; i < 5; i++)
		free(scope[i]);
	return ok;
}

static bool
authenticate(struct ctx *c, bool *ro)
{
	const char *a = header(c->req, "authorization");
	const char *x = header(c->req, "x-api-key");
	bool bedrock = c->emu->cfg.flavor == EMU_BEDROCK;
	const struct emu_key *k = NULL;

	*ro = false;
	if (a && strncasecmp(a, "Bearer ", 7) == 0) {
		const char *v = a + 7;
		size_t len;
		while (*v == ' ')
			v++;
		len = strlen(v);
		while (len && v[len - 1] == ' ')
			len--;
		c->auth = "bearer";
		k = find_key(c->emu, v, len);
	} else if (a && bedrock && strncmp(a, "AWS4-HMAC-SHA256 ", 17) == 0) {
		c->auth = "sigv4";
		if (c->emu->cfg.nr_sigv4)
			return sigv4_verified(c, ro);
		return sigv4_ok(c, a, ro);
	} else if (!a && x && bedrock) {
		c->auth = "x-api-key";
		k = find_key(c->emu, x, strlen(x));
	}
	if (!k) {
		set_error(c, 401, "invalid_request_error", "invalid_api_key",
		    NULL, a || (x && bedrock) ? "Incorrect API key provided" :
		    "You didn't provide an API key. Provide it in an "
		    "Authorization header (Bearer auth)");
		return false;
	}
	*ro = k->read_only;
	return true;
}

static void
rate_limited(struct ctx *c, double wait_s)
{
	struct emu *emu = c->emu;
	unsigned v = emu->cfg.retry_after_value;

	set_error(c, 429, "requests", "rate_limit_exceeded", NULL,
	    "Rate limit reached for requests");
	switch (emu->cfg.retry_after) {
	case EMU_RA_SECONDS:
		if (!v)
			v = wait_s > 1 ? (unsigned)ceil(wait_s) : 1;
		c->resp->retry_after = xasprintf("%u", v);
		break;
	case EMU_RA_MS:
		if (!v)
			v = wait_s > 0 ? (unsigned)ceil(wait_s * 1000) : 100;
		c->resp->retry_after_ms = xasprintf("%u", v ? v : 1);
		break;
	case EMU_RA_OMIT:
		break;
	}
}

/* Token bucket: capacity one second of requests (at least one). */
static bool
take_token(struct emu *emu, double *wait_s)
{
	double rate = emu->cfg.rate_limit, cap = rate > 1 ? rate : 1;
	struct timespec ts;
	double dt;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	dt = (double)(ts.tv_sec - emu->bucket_at.tv_sec) +
	    (double)(ts.tv_nsec - emu->bucket_at.tv_nsec) / 1e9;
	emu->bucket_at = ts;
	emu->tokens += dt * rate;
	if (emu->tokens > cap)
		emu->tokens = cap;
	if (emu->tokens >= 1) {
		emu->tokens -= 1;
		return true;
	}
	*wait_s = (1 - emu->tokens) / rate;
	return false;
}

/* Faults that stop a request before it touches the state. */
static bool
inject_faults(struct ctx *c)
{
	struct emu *emu = c->emu;
	double wait_s = 0;

	emu->faultable++;
	if (chance(&emu->rng_faults, emu->cfg.fault_reset)) {
		c->fault = F_RESET;
		c->resp->action = EMU_RESET;
		c->resp->status = 0;
		ps_buf_reset(&c->resp->body);
		return true;
	}
	if (emu->cfg.rate_limit > 0 && !take_token(emu, &wait_s)) {
		c->fault = F_RATE_LIMIT;
		rate_limited(c, wait_s);
		return true;
	}
	if ((emu->cfg.fault_429_every &&
	    emu->faultable % emu->cfg.fault_429_every == 0) ||
	    chance(&emu->rng_faults, emu->cfg.fault_429)) {
		c->fault = F_429;
		rate_limited(c, 0);
		return true;
	}
	if (chance(&emu->rng_faults, emu->cfg.fault_5xx)) {
		static const unsigned codes[] = { 500, 502, 503 };
		static const char *const msgs[] = {
			"The server had an error while processing your request",
			"Bad gateway", "The server is overloaded or not ready yet",
		};
		unsigned k = (unsigned)(emu__rng_next(&emu->rng_faults) % 3);
		c->fault = F_5XX;
		set_error(c, codes[k], "server_error", NULL, NULL, "%s", msgs[k]);
		return true;
	}
	return false;
}

/* ---- request log and counters ---- */

/* JSON string of bytes that may not be UTF-8 (bad bytes become U+FFFD). */
static void
json_bytes(struct ps_buf *b, const char *s, size_t len)
{
	struct ps_buf clean = PS_BUF_INIT;
	size_t i = 0, at;
	uint32_t cp;

	while (i < len) {
		at = i;
		if (s[i] == '\0') {
			ps_buf_adds(&clean, "\xef\xbf\xbd");
			i++;
		} else if (utf8_next((const unsigned char *)s, len, &i, &cp)) {
			ps_buf_add(&clean, s + at, i - at);
		} else {
			ps_buf_adds(&clean, "\xef\xbf\xbd");
			i = at + 1;
		}
	}
	emu__json_str(b, ps_buf_cstr(&clean));
	ps_buf_release(&clean);
}

/* Header value as logged: credentials never appear. */
static void
redacted_header(struct ps_buf *b, const char *name, const char *value)
{
	if (strcasecmp(name, "authorization") == 0 ||
	    strcasecmp(name, "proxy-authorization") == 0) {
		size_t n = strcspn(value, " ");
		struct ps_buf v = PS_BUF_INIT;
		const char *scope;
		ps_buf_add(&v, value, n);
		ps_buf_adds(&v, " <redacted>");
		/* keep the SigV4 scope (date/region/service), not the key */
		if ((scope = strstr(value, "Credential=")) &&
		    (scope = strchr(scope, '/'))) {
			ps_buf_adds(&v, " scope=");
			ps_buf_add(&v, scope + 1, strcspn(scope + 1, ", "));
		}
		json_bytes(b, v.ptr, v.len);
		ps_buf_release(&v);
	} else if (strcasecmp(name, "x-api-key") == 0 ||
	    strcasecmp(name, "x-amz-security-token") == 0 ||
	    strcasecmp(name, "cookie") == 0 || strcasecmp(name, "openai-organization") == 0) {
		ps_buf_adds(b, "\"<redacted>\"");
	} else {
		json_bytes(b, value, strlen(value));
	}
}

static void
record(struct ctx *c)
{
	struct emu *emu = c->emu;
	const struct emu_request *req = c->req;
	struct ps_buf b = PS_BUF_INIT;
	char *lower;
	size_t i, k;
	unsigned status = c->resp->action == EMU_RESPOND ? c->resp->status : 0;

	emu->total++;
	emu->counts[c->route][status < STATUS_MAX ? status : 0]++;
	emu->faults[c->fault]++;
	ps_buf_adds(&b, "{\"method\":");
	json_bytes(&b, req->method ? req->method : "", strlen(req->method ?
	    req->method : ""));
	ps_buf_adds(&b, ",\"path\":");
	json_bytes(&b, c->path, strlen(c->path));
	ps_buf_adds(&b, ",\"query\":{");
	for (i = 0; i < c->nr_params; i++) {
		if (i)
			ps_buf_addch(&b, ',');
		json_bytes(&b, c->params[i].key, c->params[i].key_len);
		ps_buf_addch(&b, ':');
		json_bytes(&b, c->params[i].value, c->params[i].value_len);
	}
	ps_buf_adds(&b, "},\"headers\":{");
	for (i = 0; i < req->nr_headers; i++) {
		if (i)
			ps_buf_addch(&b, ',');
		lower = xstrdup(req->headers[i].name);
		for (k = 0; lower[k]; k++)
			if (lower[k] >= 'A' && lower[k] <= 'Z')
				lower[k] += 'a' - 'A';
		json_bytes(&b, lower, strlen(lower));
		free(lower);
		ps_buf_addch(&b, ':');
		redacted_header(&b, req->headers[i].name,
		    req->headers[i].value ? req->headers[i].value : "");
	}
	ps_buf_adds(&b, "},\"body\":");
	json_bytes(&b, req->body ? req->body : "", req->body ? req->body_len : 0);
	ps_buf_addf(&b, ",\"status\":%u,\"route\":\"%s\",\"auth\":", status,
	    route_names[c->route]);
	if (c->auth)
		emu__json_str(&b, c->auth);
	else
		ps_buf_adds(&b, "null");
	ps_buf_adds(&b, ",\"fault\":");
	if (c->fault)
		emu__json_str(&b, fault_names[c->fault]);
	else
		ps_buf_adds(&b, "null");
	ps_buf_addf(&b, ",\"request_id\":\"%s\"}", c->resp->request_id);
	if (emu->logf) {
		fprintf(emu->logf, "%s\n", b.ptr);
		fflush(emu->logf);
	}
	if (emu->log_nr == LOG_MAX) {
		free(emu->log[emu->log_head]);
		emu->log_head = (emu->log_head + 1) % LOG_MAX;
		emu->log_nr--;
	}
	emu->log[(emu->log_head + emu->log_nr++) % LOG_MAX] = ps_buf_detach(&b);
}

static void
render_stats(struct emu *emu, struct ps_buf *b)
{
	unsigned long by_status[STATUS_MAX] = { 0 };
	size_t r, s;
	bool first = true, any;

	ps_buf_addf(b, "{\"total\":%lu,\"by_route\":{", emu->total);
	for (r = 0; r < RT_NR; r++) {
		unsigned long sum = 0;
		for (s = 0; s < STATUS_MAX; s++)
			sum += emu->counts[r][s];
		if (!sum)
			continue;
		ps_buf_addf(b, "%s\"%s\":{\"total\":%lu", first ? "" : ",",
		    route_names[r], sum);
		first = false;
		for (s = 0; s < STATUS_MAX; s++) {
			if (!emu->counts[r][s])
				continue;
			ps_buf_addf(b, ",\"%zu\":%lu", s, emu->counts[r][s]);
			by_status[s] += emu->counts[r][s];
		}
		ps_buf_addch(b, '}');
	}
	ps_buf_adds(b, "},\"by_status\":{");
	any = false;
	for (s = 0; s < STATUS_MAX; s++)
		if (by_status[s]) {
			ps_buf_addf(b, "%s\"%zu\":%lu", any ? "," : "", s,
			    by_status[s]);
			any = true;
		}
	ps_buf_adds(b, "},\"faults\":{");
	for (s = 1; s < F_NR; s++)
		ps_buf_addf(b, "%s\"%s\":%lu", s > 1 ? "," : "", fault_names[s],
		    emu->faults[s]);
	ps_buf_addf(b, "},\"projects\":%zu}", emu->st.nr);
}

/* The test-only /_emulator routes: no auth, no faults, not logged. */
static void
emulator_route(struct ctx *c)
{
	struct emu *emu = c->emu;
	const char *m = c->req->method ? c->req->method : "";
	struct ps_buf *b = &c->resp->body;
	const char *allow = NULL;
	size_t i;

	if (strcmp(c->path, "/_emulator/requests") == 0) {
		if (strcmp(m, "GET") != 0) {
			allow = "GET";
		} else {
			c->resp->status = 200;
			ps_buf_addch(b, '[');
			for (i = 0; i < emu->log_nr; i++) {
				ps_buf_adds(b, i ? ",\n" : "\n");
				ps_buf_adds(b, emu->log[(emu->log_head + i) %
				    LOG_MAX]);
			}
			ps_buf_adds(b, "\n]");
		}
	} else if (strcmp(c->path, "/_emulator/stats") == 0) {
		if (strcmp(m, "GET") != 0) {
			allow = "GET";
		} else {
			c->resp->status = 200;
			render_stats(emu, b);
		}
	} else if (strcmp(c->path, "/_emulator/reset") == 0) {
		if (strcmp(m, "POST") != 0) {
			allow = "POST";
		} else {
			reset_locked(emu);
			c->resp->status = 200;
			ps_buf_adds(b, "{\"reset\":true}");
		}
	} else {
		set_error(c, 404, "not_found_error", "unknown_url", NULL,
		    "Unknown request URL: %s %s", m, c->path);
	}
	if (allow) {
		set_error(c, 405, "invalid_request_error", "method_not_allowed",
		    NULL, "Method %s is not allowed on %s (allowed: %s)", m,
		    c->path, allow);
		c->resp->allow = xstrdup(allow);
	}
}

static bool
is_write(enum route r)
{
	return r == RT_CREATE || r == RT_MODIFY || r == RT_ARCHIVE ||
	    r == RT_RETENTION_PUT;
}

void
emu_handle(struct emu *emu, const struct emu_request *req,
    struct emu_response *resp)
{
	struct ctx c = { .emu = emu, .req = req, .resp = resp };
	uint64_t r1, r2;
	size_t i;
	bool ro;

	pthread_mutex_lock(&emu->lock);
	resp->action = EMU_RESPOND;
	resp->status = 500;
	ps_buf_reset(&resp->body);
	r1 = emu__rng_next(&emu->rng_reqid);
	r2 = emu__rng_next(&emu->rng_reqid);
	snprintf(resp->request_id, sizeof(resp->request_id),
	    "req_%016" PRIx64 "%016" PRIx64, r1, r2);
	parse_target(&c);
	if (strncmp(c.path, "/_emulator/", 11) == 0) {
		emulator_route(&c);
		goto out;
	}
	if (emu__ce_is_request(req, "AWSInsightsIndexService.")) {
		c.route = RT_CE;
		c.auth = "sigv4";
		emu__ce_handle(&emu->ce, &emu->cfg, &emu->st, now(emu), req,
		    resp);
		goto done;
	}
	route(&c);
	if (c.route == RT_NOT_FOUND || c.route == RT_BAD_METHOD)
		goto done;
	if (!authenticate(&c, &ro))
		goto done;
	if (ro && is_write(c.route)) {
		set_error(&c, 403, "permission_error", "access_denied", NULL,
		    "This API key is read-only: it cannot create, modify or "
		    "archive projects");
		goto done;
	}
	if (inject_faults(&c))
		goto done;
	if (req->body_too_large) {
		set_error(&c, 413, "invalid_request_error", "request_too_large",
		    NULL, "The request body is larger than %d bytes",
		    EMU_MAX_BODY);
		goto done;
	}
	switch (c.route) {
	case RT_LIST: do_list(&c); break;
	case RT_CREATE: do_create(&c); break;
	case RT_RETRIEVE: do_retrieve(&c); break;
	case RT_MODIFY: do_modify(&c); break;
	case RT_ARCHIVE: do_archive(&c); break;
	case RT_RETENTION_GET: render_retention(&c); break;
	case RT_RETENTION_PUT: do_retention_put(&c); break;
	default: break;
	}
	/* the duplicate-maker: the project exists, the client never hears */
	if (c.route == RT_CREATE && resp->status == 200 &&
	    chance(&emu->rng_faults, emu->cfg.fault_drop_create)) {
		c.fault = F_DROP_CREATE;
		resp->action = EMU_DROP;
	}
done:
	record(&c);
out:
	pthread_mutex_unlock(&emu->lock);
	cJSON_Delete(c.doc);
	for (i = 0; i < c.nr_params; i++) {
		free(c.params[i].key);
		free(c.params[i].value);
	}
	free(c.params);
	free(c.path);
}
