/* api: placeholder until the client lands. */
#include "api/api.h"

int
api_endpoint_resolve(char **out, const char *flag, const char *region_flag,
    const char *settings_region)
{
	*out = NULL;
	return ps_error(PS_EFAIL, "api client not implemented");
}

int
api_auth_parse(enum api_auth *out, const char *s)
{
	*out = API_AUTH_BEARER;
	return ps_error(PS_EUSAGE, "api client not implemented");
}

int
api_client_new(struct api_client **out, const struct api_options *opts)
{
	*out = NULL;
	return ps_error(PS_EFAIL, "api client not implemented");
}
