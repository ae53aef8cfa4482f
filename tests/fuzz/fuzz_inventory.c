/*
 * libFuzzer target for the inventory loader and the validation rules
 * (cmake -DPROJSYNC_FUZZ=ON -DCMAKE_C_COMPILER=clang; the seed corpus in
 * corpus/inventory/ also replays under ctest through standalone.c).
 * The system libyaml is not instrumented: coverage guides the fuzzer
 * through our own code only.
 */
#include <stddef.h>
#include <stdint.h>

#include "inventory/inventory.h"
#include "policy/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct policy_options opts = { "2026-01-01" };
	struct inventory *inv = NULL;

	if (size > 64 * 1024)		/* like tmux's max_len */
		return 0;
	/* NULL diag list = quiet, like git's CONFIG_ERROR_SILENT */
	(void)inventory_load_buffer(&inv, "fuzz.yaml", (const char *)data, size,
	    NULL);
	if (inv)
		(void)policy_validate_opts(inv, &opts, NULL);
	inventory_free(inv);
	return 0;
}
