/*
 * cli: `projsync costs` — Bedrock spend by taxonomy keys, from AWS Cost
 * Explorer (src/billing).  The report goes to stdout or -o FILE; the
 * Cost Explorer requests it cost are counted in it.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char costs_options_help[] =
    "      --month YYYY-MM      one month (the current one: to today)\n"
    "      --from DAY --to DAY  inclusive days, YYYY-MM-DD\n"
    "                           default: the current month to date (UTC)\n"
    "      --granularity G      monthly (default) or daily\n"
    "      --group-by KEY[,KEY] one or two tag keys (default: the first\n"
    "                           required key of the inventory's taxonomy)\n"
    "      --metric M           UnblendedCost (default), NetUnblendedCost,\n"
    "                           AmortizedCost or NetAmortizedCost\n"
    "      --compare            the previous period of equal length beside\n"
    "                           each group, with the change\n"
    "      --format F           text (default), markdown, csv, json or html\n"
    "  -o, --output FILE        write the report to FILE (atomically)\n"
    "      --billing-profile P  AWS profile for Cost Explorer (default\n"
    "                           settings.billing.profile)\n"
    "\n"
    "Spend is filtered on every Bedrock service of the period (\"Amazon\n"
    "Bedrock\" and each \"... (Amazon Bedrock Edition)\", found with\n"
    "GetDimensionValues) and grouped by tag; spend without a value for a\n"
    "key is \"(not attributed)\": the default project, projects lacking the\n"
    "key, Bedrock usage outside projects.  Every Cost Explorer request costs\n"
    "USD 0.01: a report sends its pages plus one.  See docs/finops.md.\n";

static const char *const metrics[] = {
	"UnblendedCost", "NetUnblendedCost", "AmortizedCost",
	"NetAmortizedCost", NULL,
};

/* The inventory when there is one: needed for the default group key,
 * optional otherwise (settings.region, settings.billing.profile). */
static int
maybe_inventory(struct inventory **out, struct cli_ctx *ctx, bool needed)
{
	*out = NULL;
	if (!needed && !ctx->file_given && access(ctx->file, F_OK) != 0)
		return 0;
	return cli_load_inventory(out, ctx, false);
}

/* Split "A,B" into keys (pointers into s, which is modified). */
static int
split_keys(struct cli_ctx *ctx, char *s, const char **keys, size_t *nr)
{
	char *comma = strchr(s, ',');

	*nr = 0;
	if (comma)
		*comma = '\0';
	keys[(*nr)++] = s;
	if (comma)
		keys[(*nr)++] = comma + 1;
	if (!*keys[0] || (*nr == 2 && (!*keys[1] || strchr(keys[1], ','))))
		return cli_usage_error(ctx, "--group-by takes one or two tag "
		    "keys, KEY or KEY1,KEY2 (Cost Explorer groups by at most "
		    "two)");
	if (*nr == 2 && strcmp(keys[0], keys[1]) == 0)
		return cli_usage_error(ctx, "--group-by names '%s' twice",
		    keys[0]);
	return 0;
}

int
cmd_costs(int argc, char **argv, struct cli_ctx *ctx)
{
	enum { O_MONTH = 256, O_FROM, O_TO, O_GRAN, O_GROUP, O_METRIC,
	    O_COMPARE, O_FORMAT, O_PROFILE };
	static const struct option longopts[] = {
		{ "month", required_argument, NULL, O_MONTH },
		{ "from", required_argument, NULL, O_FROM },
		{ "to", required_argument, NULL, O_TO },
		{ "granularity", required_argument, NULL, O_GRAN },
		{ "group-by", required_argument, NULL, O_GROUP },
		{ "metric", required_argument, NULL, O_METRIC },
		{ "compare", no_argument, NULL, O_COMPARE },
		{ "format", required_argument, NULL, O_FORMAT },
		{ "output", required_argument, NULL, 'o' },
		{ "billing-profile", required_argument, NULL, O_PROFILE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cli_command *self = cli_command_find("costs");
	const char *month = NULL, *from = NULL, *to = NULL, *output = NULL,
	    *profile = NULL;
	char *group_by = NULL;
	struct billing_report r = { .metric = "UnblendedCost" };
	enum billing_format format = BILLING_TEXT;
	struct billing_client *bc = NULL;
	struct inventory *inv = NULL;
	struct ps_buf out = PS_BUF_INIT;
	int c, rc = EXIT_OK, err;
	size_t i;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":ho:", longopts, NULL)) != -1) {
		switch (c) {
		case O_MONTH: month = optarg; break;
		case O_FROM: from = optarg; break;
		case O_TO: to = optarg; break;
		case O_GRAN:
			if (strcmp(optarg, "monthly") == 0)
				r.daily = false;
			else if (strcmp(optarg, "daily") == 0)
				r.daily = true;
			else
				return cli_usage_error(ctx, "unknown --granularity "
				    "'%s' (monthly or daily)", optarg);
			break;
		case O_GROUP:
			free(group_by);
			group_by = xstrdup(optarg);
			break;
		case O_METRIC:
			for (i = 0; metrics[i] && strcmp(metrics[i], optarg); i++)
				;
			if (!metrics[i]) {
				free(group_by);
				return cli_usage_error(ctx, "unknown --metric '%s' "
				    "(UnblendedCost, NetUnblendedCost, "
				    "AmortizedCost or NetAmortizedCost)", optarg);
			}
			r.metric = metrics[i];
			break;
		case O_COMPARE: r.compare = true; break;
		case O_FORMAT:
			if (billing_format_parse(&format, optarg) < 0) {
				free(group_by);
				return cli_usage_error(ctx, "%s", ps_error_last());
			}
			break;
		case 'o': output = optarg; break;
		case O_PROFILE: profile = optarg; break;
		case 'h':
			free(group_by);
			cli_print_help(stdout, self, costs_options_help);
			return EXIT_OK;
		default:
			free(group_by);
			return cli_option_error(ctx, c, argv);
		}
	}
	if (optind < argc) {
		rc = cli_usage_error(ctx, "unexpected argument '%s'",
		    argv[optind]);
		goto out;
	}
	if (billing_period_parse(&r.period, month, from, to,
	    (int64_t)time(NULL) / 86400) < 0) {
		rc = cli_usage_error(ctx, "%s", ps_error_last());
		goto out;
	}
	if (group_by && (rc = split_keys(ctx, group_by, r.keys,
	    &r.nr_keys)) != 0)
		goto out;
	if ((rc = maybe_inventory(&inv, ctx, !group_by)) != 0)
		goto out;
	if (!group_by) {
		if (!inv->taxonomy.required_nr) {
			rc = cli_usage_error(ctx, "the taxonomy requires no key "
			    "to group by: give --group-by KEY");
			goto out;
		}
		r.keys[0] = inv->taxonomy.required[0];
		r.nr_keys = 1;
	}
	if ((rc = cli_billing_client(&bc, ctx, inv, profile)) != 0)
		goto out;
	if ((err = billing_report_run(bc, &r)) < 0) {
		rc = cli_fail(ctx, err);
		goto out;
	}
	billing_report_render(&out, &r, format);
	if (output) {
		if ((err = ps_write_file_atomic(output, out.ptr, out.len,
		    0644)) < 0) {
			rc = cli_fail(ctx, err);
			goto out;
		}
	} else {
		fwrite(ps_buf_cstr(&out), 1, out.len, stdout);
	}
	if (r.nr_services == 0 && !ctx->quiet)
		cli_warning(ctx, "no Bedrock service has usage in the period");
out:
	ps_buf_release(&out);
	billing_report_release(&r);
	billing_client_free(bc);
	inventory_free(inv);
	free(group_by);
	return rc;
}
