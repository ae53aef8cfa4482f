/* cli: `projsync lint` (placeholder until its module lands). */
#include "cli/cli.h"

int
cmd_lint(int argc, char **argv, struct cli_ctx *ctx)
{
	(void)argc;
	(void)argv;
	cli_error(ctx, "'lint' is not implemented yet");
	return EXIT_ERROR;
}
