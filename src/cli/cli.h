/*
 * cli: commands, option parsing and exit codes.  Owned by the cli module;
 * the only place that prints results or decides an exit code.  Each
 * command lives in cmd_<name>.c and is listed in the table in main.c.
 */
#ifndef PROJSYNC_CLI_H
#define PROJSYNC_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "api/api.h"
#include "billing/billing.h"
#include "inventory/inventory.h"
#include "util/util.h"

/* Exit codes, identical for every command (projsync.1, EXIT STATUS). */
enum cli_exit {
	EXIT_OK = 0,
	EXIT_ERROR = 1,		/* I/O, network, API, git */
	EXIT_CHANGES = 2,	/* plan --detailed-exitcode: changes present */
	EXIT_INVALID = 3,	/* inventory invalid or lint errors */
	EXIT_REFUSED = 4,	/* stale plan, safety, quota, ambiguity */
	EXIT_PARTIAL = 5,	/* apply partly failed */
	EXIT_USAGE = 64,
};

/* Global options, accepted before or after the command name. */
struct cli_ctx {
	const char *file;	/* -f; default $PROJSYNC_FILE or projects.yaml */
	bool file_given;	/* -f or $PROJSYNC_FILE was set */
	const char *endpoint;	/* --endpoint */
	const char *region;	/* --region */
	const char *auth;	/* --auth */
	const char *profile;	/* --profile: AWS credentials from this profile */
	const char *cacert;	/* --cacert */
	const char *timeout;	/* --timeout SECONDS, else $PROJSYNC_TIMEOUT */
	int verbose;		/* -v (repeatable) */
	bool quiet;		/* -q */
	bool color_out;		/* colour on stdout (tty, no NO_COLOR, no --no-color) */
	bool color_err;		/* colour on stderr */
	const char *cmd;	/* the command name */
};

struct cli_command {
	const char *name;
	int (*fn)(int argc, char **argv, struct cli_ctx *ctx);
	const char *usage;	/* same text as the SYNOPSIS in projsync.1 */
	const char *desc;	/* one line for `projsync help` */
};

/* The table in main.c. */
extern const struct cli_command cli_commands[];
const struct cli_command *cli_command_find(const char *name);

/* The global options' help text, for every command's --help, and their
 * synopsis (value lists such as `--auth bearer|sigv4`, read by completion). */
extern const char cli_global_options_help[];
extern const char cli_global_synopsis[];

/* Map a ps_status (0 or negative) to an exit code. */
int cli_exit_code(int status);
/* Print "projsync: <msg>" to stderr (red "error:" on a terminal). */
void cli_error(const struct cli_ctx *ctx, const char *fmt, ...) PS_PRINTF(2, 3);
void cli_warning(const struct cli_ctx *ctx, const char *fmt, ...) PS_PRINTF(2, 3);
/* Print ps_error_last() as an error and return cli_exit_code(status). */
int cli_fail(const struct cli_ctx *ctx, int status);
/* "usage: projsync <usage>" + hint to stderr; returns EXIT_USAGE. */
int cli_usage_error(const struct cli_ctx *ctx, const char *fmt, ...) PS_PRINTF(2, 3);
/* For getopt_long() with opterr = 0 and ':' first in optstring: the
 * usage error for c == ':' (a missing value) or '?' (an unknown option),
 * naming argv[optind - 1].  Returns EXIT_USAGE. */
int cli_option_error(const struct cli_ctx *ctx, int c, char **argv);
/* Print a command's help (usage, description, its options, globals). */
void cli_print_help(FILE *fp, const struct cli_command *cmd,
    const char *options_help);

/* Diagnostics to stderr in gcc style (colour when ctx->color_err). */
void cli_print_diags(const struct cli_ctx *ctx, const struct diag_list *dl);

/*
 * Load the inventory named by ctx->file and run the validation rules.
 * Prints the diagnostics (unless quiet_diags) and returns 0, or an exit code
 * (EXIT_INVALID, EXIT_ERROR).  On 0, *out is owned by the caller.
 */
int cli_load_inventory(struct inventory **out, struct cli_ctx *ctx,
    bool print_warnings);
/* The same, also handing the diagnostics to *keep (caller releases). */
int cli_load_inventory_keep(struct inventory **out, struct cli_ctx *ctx,
    bool print_warnings, struct diag_list *keep);

/*
 * The folder CI tools name files relative to (GitHub annotations, SARIF,
 * GitLab Code Quality, the plan comment's marker): the top of the git
 * work tree holding `near` (a file), else $GITHUB_WORKSPACE, else NULL.
 * Caller frees.
 */
char *cli_repo_root(const char *near);
/* path relative to root when it lies under it (symlinks resolved when the
 * file exists), else path as given; root NULL: path.  Caller frees. */
char *cli_repo_relative(const char *root, const char *path);

/*
 * The client's options from the globals and the inventory's settings (inv
 * may be NULL), without printing: 0, or an error in ps_error_last() with
 * *usage true for a bad --auth or --timeout.  *endpoint (owned, also on
 * failure) is what opts->endpoint points to.
 */
int cli_api_options(struct api_options *opts, char **endpoint,
    const struct cli_ctx *ctx, const struct inventory *inv, bool *usage);
/* Build an API client from the globals and the inventory's settings
 * (inv may be NULL).  Returns 0 or an exit code after printing. */
int cli_api_client(struct api_client **out, struct cli_ctx *ctx,
    const struct inventory *inv);

/* A Cost Explorer client: --region / settings.region / $AWS_REGION pick
 * the partition, profile_flag (--billing-profile) or
 * settings.billing.profile the credentials.  Returns 0 or an exit code
 * after printing. */
struct plan;

/* Cost-allocation tags apply activates (settings.billing.activate_tags). */
struct cli_activation {
	struct billing_client *bc;	/* owned; NULL: nothing to activate */
	const char *const *todo;	/* inactive keys (borrowed) */
	size_t todo_nr;
	const char **meanwhile;		/* planned, but active by now (the
					 * array owned, the keys borrowed) */
	size_t meanwhile_nr;
	const char **keep;		/* owned array behind todo, or NULL */
};

/*
 * plan and apply with settings.billing.activate_tags: the taxonomy keys'
 * statuses from Cost Explorer (ListCostAllocationTags) into p->billing;
 * with act (apply without a plan file), the client and the inactive keys
 * are kept there.  Without the setting nothing is sent.  Returns 0 or an
 * exit code (printed; a member account is a refusal, 4).
 */
int cli_billing_plan(struct cli_ctx *ctx, const struct inventory *inv,
    struct plan *p, const char *profile, struct cli_activation *act);
struct lint_cost_tag;
/* lint --live with a settings.billing block: the taxonomy keys' statuses
 * (*out borrows the keys from inv; the caller frees the array).  Nothing
 * is sent without the block.  Returns 0 or an exit code (printed). */
int cli_billing_lint(struct cli_ctx *ctx, const struct inventory *inv,
    struct lint_cost_tag **out, size_t *nr);
/* apply of a saved plan: list the planned keys' statuses again; keys
 * active by now are skipped.  No request when the plan activates none. */
int cli_billing_recheck(struct cli_ctx *ctx, const struct inventory *inv,
    const struct plan *p, const char *profile, struct cli_activation *act);
struct apply_result;
/* Activate act->todo (UpdateCostAllocationTagsStatus, 20 keys a call) and
 * record every key's outcome, and the keys active meanwhile, in r->tags.
 * *changed: some key was activated.  Returns 0 or an exit code (a member
 * account: 4, printed; a key refused: 1). */
int cli_billing_activate(struct cli_ctx *ctx, struct cli_activation *act,
    struct apply_result *r, bool *changed);
void cli_activation_release(struct cli_activation *act);

int cli_billing_client(struct billing_client **out, struct cli_ctx *ctx,
    const struct inventory *inv, const char *profile_flag);

/* Commands. */
int cmd_validate(int argc, char **argv, struct cli_ctx *ctx);
int cmd_lint(int argc, char **argv, struct cli_ctx *ctx);
int cmd_plan(int argc, char **argv, struct cli_ctx *ctx);
int cmd_apply(int argc, char **argv, struct cli_ctx *ctx);
int cmd_export(int argc, char **argv, struct cli_ctx *ctx);
int cmd_output(int argc, char **argv, struct cli_ctx *ctx);
int cmd_diff(int argc, char **argv, struct cli_ctx *ctx);
int cmd_log(int argc, char **argv, struct cli_ctx *ctx);
int cmd_show(int argc, char **argv, struct cli_ctx *ctx);
int cmd_costs(int argc, char **argv, struct cli_ctx *ctx);
int cmd_billing(int argc, char **argv, struct cli_ctx *ctx);
int cmd_doctor(int argc, char **argv, struct cli_ctx *ctx);
int cmd_completion(int argc, char **argv, struct cli_ctx *ctx);
int cmd_version(int argc, char **argv, struct cli_ctx *ctx);
int cmd_help(int argc, char **argv, struct cli_ctx *ctx);

#endif
