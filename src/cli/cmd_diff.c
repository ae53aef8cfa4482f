/* cli: `projsync diff` (placeholder until its module lands). */
#include "cli/cli.h"

int
cmd_diff(int argc, char **argv, struct cli_ctx *ctx)
{
	(void)argc;
	(void)argv;
	cli_error(ctx, "'diff' is not implemented yet");
	return EXIT_ERROR;
}
