/* cli: `projsync apply` (placeholder until its module lands). */
#include "cli/cli.h"

int
cmd_apply(int argc, char **argv, struct cli_ctx *ctx)
{
	(void)argc;
	(void)argv;
	cli_error(ctx, "'apply' is not implemented yet");
	return EXIT_ERROR;
}
