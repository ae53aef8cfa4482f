/* policy: placeholder until validation lands. */
#include "policy/policy.h"

int
policy_validate(const struct inventory *inv, struct diag_list *dl)
{
	(void)inv;
	(void)dl;
	return 0;
}
