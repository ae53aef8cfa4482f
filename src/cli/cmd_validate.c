/* cli: `projsync validate` (placeholder until its module lands). */
#include "cli/cli.h"

int
cmd_validate(int argc, char **argv, struct cli_ctx *ctx)
{
	(void)argc;
	(void)argv;
	cli_error(ctx, "'validate' is not implemented yet");
	return EXIT_ERROR;
}
