/* cli: `projsync export` (placeholder until its module lands). */
#include "cli/cli.h"

int
cmd_export(int argc, char **argv, struct cli_ctx *ctx)
{
	(void)argc;
	(void)argv;
	cli_error(ctx, "'export' is not implemented yet");
	return EXIT_ERROR;
}
