/* cli: `projsync plan` (placeholder until its module lands). */
#include "cli/cli.h"

int
cmd_plan(int argc, char **argv, struct cli_ctx *ctx)
{
	(void)argc;
	(void)argv;
	cli_error(ctx, "'plan' is not implemented yet");
	return EXIT_ERROR;
}
