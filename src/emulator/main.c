/*
 * projsync-emulator: command line, signals, start and stop.  Everything
 * else lives in the emulator library (emu.c, store.c, server.c).
 */
#include "emulator/emulator.h"

#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PROG "projsync-emulator"

static const char usage_text[] =
"usage: " PROG " [--port N] [--key KEY[:ro]]... [--sigv4 AKID:SECRET[:ro]]...\n"
"       [--state FILE] [--region R]\n"
"       [--account ID] [--max-projects N] [--max-tags N] [--latency-ms N]\n"
"       [--jitter-ms N] [--rate-limit RPS] [--fault-429 P]\n"
"       [--retry-after S|omit|ms] [--fault-5xx P] [--fault-drop-create P]\n"
"       [--fault-reset P] [--slow-creates N] [--slow-create-ms MS] [--seed N]\n"
"       [--tls-cert F --tls-key F] [--log FILE]\n"
"       [--openai] [--ce-page-size N] [--ce-throttle-every N]\n"
"       [--ce-usage-days N] [--ce-backfill-seconds N] [--ce-member-account]\n"
"       [--ce-active-tag KEY]...\n";

static const char help_text[] =
"A local Bedrock Projects API server for tests, demos and benchmarks.\n"
"Binds 127.0.0.1 only and prints 'listening on http://127.0.0.1:PORT'.\n"
"\n"
"  --port N               port, 0 = any free port (default 0)\n"
"  --key KEY[:ro]         accepted key, repeatable; :ro = read-only (403 on\n"
"                         writes).  Default: test-key\n"
"  --sigv4 AKID:SECRET[:TOKEN][:ro]  verify SigV4 signatures for real with\n"
"                         this access key (and session token); repeatable.\n"
"                         A bad signature, service, region, date (over 5 min\n"
"                         off) or token: 403 saying which.  Cost Explorer\n"
"                         requests (service ce, region us-east-1) too:\n"
"                         400 with the AWS error type.  Without --sigv4\n"
"                         only the scope (service, region) is checked\n"
"  --state FILE           load at start, save atomically after each change\n"
"  --region R             ARN and SigV4 region (us-east-1)\n"
"  --account ID           ARN account (123456789012)\n"
"  --max-projects N       project quota, archived included (1000)\n"
"  --max-tags N           tags per project (50)\n"
"  --name-max N           name length in characters (128)\n"
"  --latency-ms N         delay every API request by N ms\n"
"  --jitter-ms N          ... plus or minus up to N ms\n"
"  --rate-limit RPS       token bucket; over it: 429\n"
"  --fault-429 P          answer 429 with probability P (0..1)\n"
"  --fault-429-every N    answer 429 to every N-th API request\n"
"  --retry-after MODE     429 hint: S (Retry-After seconds), omit, ms\n"
"                         (retry-after-ms: 100) or ms:N\n"
"  --fault-5xx P          answer 500, 502 or 503 with probability P\n"
"  --fault-drop-create P  commit a create, then close without answering\n"
"  --fault-reset P        reset the connection before processing\n"
"  --slow-creates N       the first N creates wait --slow-create-ms before\n"
"                         they commit and answer (default 0)\n"
"  --slow-create-ms MS    ... this long (default 3000); a client that times\n"
"                         out first cannot tell whether they committed\n"
"  --seed N               seed for ids, faults and jitter\n"
"  --clock T              fixed unix time for created_at / archived_at\n"
"  --tls-cert F, --tls-key F  serve HTTPS with this PEM certificate and key\n"
"  --log FILE             append one JSON line per API request\n"
"  --openai               OpenAI Admin API shape (no tags, no ARN)\n"
"  --archived-at-null     send \"archived_at\": null on active projects\n"
"  --threads N            HTTP worker threads (default: one per CPU)\n"
"\n"
"\n"
"Cost Explorer (POST / with X-Amz-Target: AWSInsightsIndexService.*):\n"
"  --ce-page-size N       groups (or tags, services) per page (500)\n"
"  --ce-throttle-every N  answer every N-th request LimitExceededException\n"
"  --ce-usage-days N      days of synthetic usage before the clock (90)\n"
"  --ce-backfill-seconds N  a backfill stays PROCESSING this long (3600)\n"
"  --ce-member-account    a member account: tag and backfill calls get\n"
"                         AccessDeniedException\n"
"  --ce-active-tag KEY    this tag key starts Active (repeatable)\n"
"\n"
"Test routes (no auth): GET /_emulator/requests, GET /_emulator/stats,\n"
"POST /_emulator/reset.  See projsync-emulator(1).\n";

enum {
	OPT_PORT = 256, OPT_KEY, OPT_STATE, OPT_REGION, OPT_ACCOUNT,
	OPT_MAX_PROJECTS, OPT_MAX_TAGS, OPT_NAME_MAX, OPT_LATENCY, OPT_JITTER,
	OPT_RATE, OPT_F429, OPT_RETRY_AFTER, OPT_F5XX, OPT_FDROP, OPT_FRESET,
	OPT_SEED, OPT_CLOCK, OPT_CERT, OPT_TLSKEY, OPT_LOG, OPT_OPENAI,
	OPT_THREADS, OPT_HELP, OPT_VERSION, OPT_F429_EVERY, OPT_AT_NULL,
	OPT_CE_PAGE, OPT_CE_THROTTLE, OPT_CE_DAYS, OPT_CE_BACKFILL,
	OPT_CE_MEMBER, OPT_CE_ACTIVE, OPT_SIGV4,
	OPT_SLOW_CREATES, OPT_SLOW_CREATE_MS,
};

static const struct option long_opts[] = {
	{ "port", required_argument, NULL, OPT_PORT },
	{ "key", required_argument, NULL, OPT_KEY },
	{ "sigv4", required_argument, NULL, OPT_SIGV4 },
	{ "state", required_argument, NULL, OPT_STATE },
	{ "region", required_argument, NULL, OPT_REGION },
	{ "account", required_argument, NULL, OPT_ACCOUNT },
	{ "max-projects", required_argument, NULL, OPT_MAX_PROJECTS },
	{ "max-tags", required_argument, NULL, OPT_MAX_TAGS },
	{ "name-max", required_argument, NULL, OPT_NAME_MAX },
	{ "latency-ms", required_argument, NULL, OPT_LATENCY },
	{ "jitter-ms", required_argument, NULL, OPT_JITTER },
	{ "rate-limit", required_argument, NULL, OPT_RATE },
	{ "fault-429", required_argument, NULL, OPT_F429 },
	{ "fault-429-every", required_argument, NULL, OPT_F429_EVERY },
	{ "archived-at-null", no_argument, NULL, OPT_AT_NULL },
	{ "retry-after", required_argument, NULL, OPT_RETRY_AFTER },
	{ "fault-5xx", required_argument, NULL, OPT_F5XX },
	{ "fault-drop-create", required_argument, NULL, OPT_FDROP },
	{ "fault-reset", required_argument, NULL, OPT_FRESET },
	{ "slow-creates", required_argument, NULL, OPT_SLOW_CREATES },
	{ "slow-create-ms", required_argument, NULL, OPT_SLOW_CREATE_MS },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "clock", required_argument, NULL, OPT_CLOCK },
	{ "tls-cert", required_argument, NULL, OPT_CERT },
	{ "tls-key", required_argument, NULL, OPT_TLSKEY },
	{ "log", required_argument, NULL, OPT_LOG },
	{ "openai", no_argument, NULL, OPT_OPENAI },
	{ "threads", required_argument, NULL, OPT_THREADS },
	{ "ce-page-size", required_argument, NULL, OPT_CE_PAGE },
	{ "ce-throttle-every", required_argument, NULL, OPT_CE_THROTTLE },
	{ "ce-usage-days", required_argument, NULL, OPT_CE_DAYS },
	{ "ce-backfill-seconds", required_argument, NULL, OPT_CE_BACKFILL },
	{ "ce-member-account", no_argument, NULL, OPT_CE_MEMBER },
	{ "ce-active-tag", required_argument, NULL, OPT_CE_ACTIVE },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

static int
parse_uint(unsigned long long *out, const char *s, unsigned long long max,
    const char *opt)
{
	char *end;

	errno = 0;
	if (!*s || *s == '-' || *s == '+')
		goto bad;
	*out = strtoull(s, &end, 10);
	if (errno || *end || *out > max)
		goto bad;
	return 0;
bad:
	return ps_error(PS_EUSAGE, "%s: '%s' is not a whole number from 0 "
	    "to %llu", opt, s, max);
}

static int
parse_u32(unsigned *out, const char *s, const char *opt)
{
	unsigned long long v;
	int err = parse_uint(&v, s, 0xffffffffULL, opt);

	*out = (unsigned)v;
	return err;
}

static int
parse_double(double *out, const char *s, double lo, double hi,
    const char *opt)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	if (!*s || errno || *end || isnan(*out) || *out < lo || *out > hi)
		return ps_error(PS_EUSAGE, "%s: '%s' is not a number from %g "
		    "to %g", opt, s, lo, hi);
	return 0;
}

static int
parse_retry_after(struct emu_config *cfg, const char *s)
{
	if (strcmp(s, "omit") == 0) {
		cfg->retry_after = EMU_RA_OMIT;
		return 0;
	}
	if (strcmp(s, "ms") == 0) {
		cfg->retry_after = EMU_RA_MS;
		cfg->retry_after_value = 0;
		return 0;
	}
	if (strncmp(s, "ms:", 3) == 0) {
		cfg->retry_after = EMU_RA_MS;
		return parse_u32(&cfg->retry_after_value, s + 3, "--retry-after");
	}
	cfg->retry_after = EMU_RA_SECONDS;
	if (parse_u32(&cfg->retry_after_value, s, "--retry-after") < 0 ||
	    cfg->retry_after_value == 0)
		return ps_error(PS_EUSAGE, "--retry-after: expected seconds "
		    "(1 or more), 'omit', 'ms' or 'ms:N', not '%s'", s);
	return 0;
}

/*
 * parse_args() in its phases: each option group sets its part of the
 * configuration (returning 1 when it does not know the option), then the
 * combination is checked and the seed defaulted.
 */

/* Accounts, keys and limits: what the API answers. */
static int
set_api_option(struct emu_config *cfg, int ch, const char *a)
{
	switch (ch) {
	case OPT_KEY:
		return emu_config_add_key(cfg, a);
	case OPT_SIGV4:
		return emu_config_add_sigv4(cfg, a);
	case OPT_STATE:
		free(cfg->state_file);
		cfg->state_file = xstrdup(a);
		return 0;
	case OPT_REGION:
		free(cfg->region);
		cfg->region = xstrdup(a);
		return 0;
	case OPT_ACCOUNT:
		free(cfg->account);
		cfg->account = xstrdup(a);
		return 0;
	case OPT_MAX_PROJECTS:
		return parse_u32(&cfg->max_projects, a, "--max-projects");
	case OPT_MAX_TAGS:
		return parse_u32(&cfg->max_tags, a, "--max-tags");
	case OPT_NAME_MAX:
		return parse_u32(&cfg->name_max, a, "--name-max");
	case OPT_AT_NULL:
		cfg->archived_at_null = true;
		return 0;
	case OPT_CLOCK: {
		unsigned long long v;
		int err = parse_uint(&v, a, 1ULL << 40, "--clock");
		cfg->clock = (int64_t)v;
		return err;
	}
	case OPT_LOG:
		free(cfg->log_file);
		cfg->log_file = xstrdup(a);
		return 0;
	case OPT_OPENAI:
		cfg->flavor = EMU_OPENAI;
		return 0;
	}
	return 1;
}

/* Latency, throttling and injected faults. */
static int
set_fault_option(struct emu_config *cfg, int ch, const char *a, bool *seeded)
{
	unsigned long long v;
	int err;

	switch (ch) {
	case OPT_LATENCY:
		return parse_u32(&cfg->latency_ms, a, "--latency-ms");
	case OPT_JITTER:
		return parse_u32(&cfg->jitter_ms, a, "--jitter-ms");
	case OPT_RATE:
		return parse_double(&cfg->rate_limit, a, 0, 1e9, "--rate-limit");
	case OPT_F429:
		return parse_double(&cfg->fault_429, a, 0, 1, "--fault-429");
	case OPT_F429_EVERY:
		return parse_u32(&cfg->fault_429_every, a, "--fault-429-every");
	case OPT_RETRY_AFTER:
		return parse_retry_after(cfg, a);
	case OPT_F5XX:
		return parse_double(&cfg->fault_5xx, a, 0, 1, "--fault-5xx");
	case OPT_FDROP:
		return parse_double(&cfg->fault_drop_create, a, 0, 1,
		    "--fault-drop-create");
	case OPT_FRESET:
		return parse_double(&cfg->fault_reset, a, 0, 1, "--fault-reset");
	case OPT_SLOW_CREATES:
		return parse_u32(&cfg->slow_creates, a, "--slow-creates");
	case OPT_SLOW_CREATE_MS:
		return parse_u32(&cfg->slow_create_ms, a, "--slow-create-ms");
	case OPT_SEED:
		err = parse_uint(&v, a, ~0ULL, "--seed");
		cfg->seed = v;
		*seeded = true;
		return err;
	}
	return 1;
}

/* Cost Explorer on the same port. */
static int
set_ce_option(struct emu_config *cfg, int ch, const char *a)
{
	switch (ch) {
	case OPT_CE_PAGE:
		return parse_u32(&cfg->ce_page_size, a, "--ce-page-size");
	case OPT_CE_THROTTLE:
		return parse_u32(&cfg->ce_throttle_every, a,
		    "--ce-throttle-every");
	case OPT_CE_DAYS:
		return parse_u32(&cfg->ce_usage_days, a, "--ce-usage-days");
	case OPT_CE_BACKFILL:
		return parse_u32(&cfg->ce_backfill_seconds, a,
		    "--ce-backfill-seconds");
	case OPT_CE_MEMBER:
		cfg->ce_member_account = true;
		return 0;
	case OPT_CE_ACTIVE:
		cfg->ce_active = xrealloc(cfg->ce_active,
		    (cfg->nr_ce_active + 1) * sizeof(char *));
		cfg->ce_active[cfg->nr_ce_active++] = xstrdup(a);
		return 0;
	}
	return 1;
}

/* Port, threads and TLS: how the server listens. */
static int
set_server_option(struct emu_server_options *so, int ch, const char *a)
{
	unsigned long long v;
	int err;

	switch (ch) {
	case OPT_PORT:
		err = parse_uint(&v, a, 65535, "--port");
		so->port = (unsigned)v;
		return err;
	case OPT_THREADS:
		err = parse_uint(&v, a, 256, "--threads");
		so->threads = (unsigned)v;
		return err;
	case OPT_CERT:
		so->tls_cert = a;
		return 0;
	case OPT_TLSKEY:
		so->tls_key = a;
		return 0;
	}
	return 1;
}

/* What no single option can check. */
static int
check_args(struct emu_config *cfg, const struct emu_server_options *so,
    bool seeded)
{
	if (!!so->tls_cert != !!so->tls_key)
		return ps_error(PS_EUSAGE, "--tls-cert and --tls-key go "
		    "together");
	if (!cfg->name_max)
		return ps_error(PS_EUSAGE, "--name-max must be at least 1");
	if (cfg->nr_sigv4 && cfg->flavor == EMU_OPENAI)
		return ps_error(PS_EUSAGE, "--sigv4 is for the Bedrock flavour, "
		    "not --openai");
	if (!seeded) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		cfg->seed = (uint64_t)ts.tv_sec * 1000000007ULL ^
		    (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 32);
	}
	return 0;
}

static int
parse_args(struct emu_config *cfg, struct emu_server_options *so, int argc,
    char **argv, bool *exit_now)
{
	bool seeded = false;
	int ch, err;

	while ((ch = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
		if (ch == 'h' || ch == OPT_HELP) {
			fputs(usage_text, stdout);
			fputs("\n", stdout);
			fputs(help_text, stdout);
			*exit_now = true;
			return 0;
		}
		if (ch == OPT_VERSION) {
			printf("%s %s\n", PROG, PROJSYNC_VERSION);
			*exit_now = true;
			return 0;
		}
		if ((err = set_api_option(cfg, ch, optarg)) == 1 &&
		    (err = set_fault_option(cfg, ch, optarg, &seeded)) == 1 &&
		    (err = set_ce_option(cfg, ch, optarg)) == 1 &&
		    (err = set_server_option(so, ch, optarg)) == 1)
			return ps_error(PS_EUSAGE, "unknown option (see --help)");
		if (err < 0)
			return err;
	}
	if (optind < argc)
		return ps_error(PS_EUSAGE, "unexpected argument '%s'",
		    argv[optind]);
	return check_args(cfg, so, seeded);
}

int
main(int argc, char **argv)
{
	struct emu_config cfg;
	struct emu_server_options so = { 0 };
	struct emu_server *srv = NULL;
	struct emu *emu = NULL;
	bool exit_now = false;
	sigset_t set;
	unsigned port = 0;
	int err, sig = 0, rc = 1;

	ps_json_init();
	emu_config_init(&cfg);
	if (parse_args(&cfg, &so, argc, argv, &exit_now) < 0) {
		fprintf(stderr, PROG ": %s\n%s", ps_error_last(), usage_text);
		rc = 64;
		goto out;
	}
	if (exit_now) {
		rc = 0;
		goto out;
	}
	/* every thread inherits this mask; only sigwait() below sees them */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if ((err = emu_new(&emu, &cfg)) < 0 ||
	    (err = emu_server_start(&srv, emu, &so, &port)) < 0) {
		fprintf(stderr, PROG ": %s\n", ps_error_last());
		rc = err == PS_EUSAGE ? 64 : 1;
		goto out;
	}
	printf("listening on %s://127.0.0.1:%u\n", so.tls_cert ? "https" :
	    "http", port);
	fflush(stdout);
	while (sigwait(&set, &sig) == 0 && sig != SIGINT && sig != SIGTERM &&
	    sig != SIGHUP)
		;
	rc = 0;
out:
	emu_server_stop(srv);
	if (emu && emu_save(emu) < 0) {
		fprintf(stderr, PROG ": %s\n", ps_error_last());
		rc = 1;
	}
	emu_free(emu);
	emu_config_release(&cfg);
	return rc;
}
