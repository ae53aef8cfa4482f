/* cli: `projsync show` (placeholder until its module lands). */
#include "cli/cli.h"

int
cmd_show(int argc, char **argv, struct cli_ctx *ctx)
{
	(void)argc;
	(void)argv;
	cli_error(ctx, "'show' is not implemented yet");
	return EXIT_ERROR;
}
