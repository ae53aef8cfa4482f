/*
 * apply: the decisions before any change is made — is a saved plan for this
 * endpoint and still right for the account, and may the plan be applied at
 * all (safety thresholds, quota, archives).  Refusals are PS_EREFUSED with
 * the reasons; cli/ prints them and exits 4.
 */
#include "apply/apply.h"

#include <stdlib.h>
#include <string.h>

int
apply_check_saved_plan(const struct plan *p, const char *endpoint,
    const struct live_state *now, struct ps_buf *why, bool *done)
{
	char *ep = plan_endpoint_sanitize(endpoint);
	bool same = strcmp(ep, p->endpoint) == 0;
	int err;

	free(ep);
	if (!same)
		return ps_error(PS_EREFUSED, "refusing to apply: the plan was "
		    "made for '%s', not '%s'", p->endpoint, endpoint);
	err = plan_check_stale(p, now, why, done);
	if (err < 0)
		return ps_error(PS_EREFUSED, "refusing to apply a stale plan: "
		    "the account changed since it was made; plan again");
	return err;
}

int
apply_check_safety(const struct plan *p, bool force, bool allow_archive,
    struct ps_buf *why)
{
	size_t i, archives = 0;
	bool hard = plan_has_hard_violation(p);

	if (!p->safety_ok && (hard || !force)) {
		for (i = 0; i < p->violations_nr; i++)
			if (hard ? !p->violations[i].overridable : true)
				ps_buf_addf(why, "%s\n", p->violations[i].message);
		return ps_error(PS_EREFUSED, hard ? "refusing to apply: the "
		    "quota cannot be overridden" : "refusing to apply: safety "
		    "threshold exceeded; review the plan and rerun with "
		    "--force");
	}
	for (i = 0; i < p->changes_nr; i++)
		archives += p->changes[i].action == PLAN_ARCHIVE;
	if (archives && !allow_archive)
		return ps_error(PS_EREFUSED, "refusing to apply: the plan "
		    "archives %zu project%s, which is irreversible; rerun with "
		    "--allow-archive", archives, archives == 1 ? "" : "s");
	return 0;
}
