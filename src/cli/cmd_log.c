/* cli: `projsync log` (placeholder until its module lands). */
#include "cli/cli.h"

int
cmd_log(int argc, char **argv, struct cli_ctx *ctx)
{
	(void)argc;
	(void)argv;
	cli_error(ctx, "'log' is not implemented yet");
	return EXIT_ERROR;
}
