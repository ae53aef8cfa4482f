/* cli: `projsync output` (placeholder until its module lands). */
#include "cli/cli.h"

int
cmd_output(int argc, char **argv, struct cli_ctx *ctx)
{
	(void)argc;
	(void)argv;
	cli_error(ctx, "'output' is not implemented yet");
	return EXIT_ERROR;
}
