/* inventory: placeholder until the loader lands. */
#include "inventory/inventory.h"

int
inventory_load_file(struct inventory **out, const char *path,
    struct diag_list *dl)
{
	(void)dl;
	*out = NULL;
	return ps_error(PS_EFAIL, "cannot load '%s': loader not implemented", path);
}

void
inventory_free(struct inventory *inv)
{
	(void)inv;
}
