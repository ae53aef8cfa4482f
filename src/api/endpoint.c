/* api: which endpoint to talk to, and whether that is allowed. */
#include "api/internal.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *
env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

static bool
region_valid(const char *r)
{
	size_t n = 0;

	for (; *r; r++, n++)
		if (!(islower((unsigned char)*r) || isdigit((unsigned char)*r) ||
		    *r == '-'))
			return false;
	return n > 0 && n <= 64;
}

/* Is host (as CURLU returns it: IPv6 in brackets) a loopback address? */
static bool
host_is_loopback(const char *host)
{
	struct in_addr a4;
	struct in6_addr a6;
	char buf[64];
	size_t n;

	if (strcasecmp(host, "localhost") == 0)
		return true;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	n = strlen(host);
	if (n < 3 || n - 2 >= sizeof(buf) || host[0] != '[' ||
	    host[n - 1] != ']')
		return false;
	memcpy(buf, host + 1, n - 2);
	buf[n - 2] = '\0';
	if (inet_pton(AF_INET6, buf, &a6) != 1)
		return false;
	if (IN6_IS_ADDR_LOOPBACK(&a6))
		return true;
	/* ::ffff:127.x.y.z */
	return IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127;
}

/*
 * Check a candidate endpoint and normalise it (no trailing slash).  `from`
 * says where it came from, for the message.
 */
static int
check_url(char **out, const char *url, const char *from)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *user = NULL, *pw = NULL,
	    *query = NULL, *frag = NULL;
	size_t n;
	int err = 0;

	*out = NULL;
	if (!u)
		return ps_error(PS_EFAIL, "out of memory");
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		err = ps_error(PS_EUSAGE, "endpoint '%s' (from %s) is not a "
		    "valid URL; expected https://HOST/v1", url, from);
		goto out;
	}
	curl_url_get(u, CURLUPART_USER, &user, 0);
	curl_url_get(u, CURLUPART_PASSWORD, &pw, 0);
	curl_url_get(u, CURLUPART_QUERY, &query, 0);
	curl_url_get(u, CURLUPART_FRAGMENT, &frag, 0);
	if (user || pw) {
		/* never echo the URL: it holds a secret */
		err = ps_error(PS_EUSAGE, "the endpoint (from %s) contains "
		    "credentials; put the key in $PROJSYNC_API_KEY instead",
		    from);
		goto out;
	}
	if (query || frag) {
		err = ps_error(PS_EUSAGE, "endpoint '%s' (from %s) must not "
		    "have a query or fragment", url, from);
		goto out;
	}
	if (strcasecmp(scheme, "https") != 0) {
		if (strcasecmp(scheme, "http") != 0) {
			err = ps_error(PS_EUSAGE, "endpoint '%s' (from %s): "
			    "unsupported scheme '%s'; use https", url, from,
			    scheme);
			goto out;
		}
		if (!host_is_loopback(host)) {
			err = ps_error(PS_EUSAGE, "endpoint '%s' (from %s): "
			    "plain http is only allowed to a loopback address "
			    "(127.0.0.1, ::1, localhost); use https", url, from);
			goto out;
		}
	}
	*out = xstrdup(url);
	n = strlen(*out);
	while (n > 0 && (*out)[n - 1] == '/')
		(*out)[--n] = '\0';
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(user);
	curl_free(pw);
	curl_free(query);
	curl_free(frag);
	curl_url_cleanup(u);
	return err;
}

int
api_endpoint_check(char **out, const char *url, const char *from)
{
	*out = NULL;
	return check_url(out, url, from);
}

int
api_endpoint_resolve(char **out, const char *flag, const char *region_flag,
    const char *settings_region, const char *profile)
{
	const char *url, *from, *region;
	char *built, *prof_region = NULL;
	int err;

	*out = NULL;
	if (flag && *flag) {
		url = flag;
		from = "--endpoint";
	} else if ((url = env("PROJSYNC_ENDPOINT"))) {
		from = "$PROJSYNC_ENDPOINT";
	} else if ((url = env("OPENAI_BASE_URL"))) {
		from = "$OPENAI_BASE_URL";
	} else {
		url = NULL;
		from = NULL;
	}
	if (url)
		return check_url(out, url, from);

	if (region_flag && *region_flag) {
		region = region_flag;
		from = "--region";
	} else if (settings_region && *settings_region) {
		region = settings_region;
		from = "settings.region";
	} else if ((region = env("AWS_REGION"))) {
		from = "$AWS_REGION";
	} else if ((region = env("AWS_DEFAULT_REGION"))) {
		from = "$AWS_DEFAULT_REGION";
	} else if ((region = prof_region = aws_profile_region(profile))) {
		from = "the AWS profile's region";
	} else {
		return ps_error(PS_EUSAGE, "no endpoint: give --region, "
		    "settings.region, $AWS_REGION or a region in the AWS profile "
		    "(for https://bedrock-mantle.REGION.api.aws/v1), or "
		    "--endpoint or $PROJSYNC_ENDPOINT");
	}
	if (!region_valid(region)) {
		err = ps_error(PS_EUSAGE, "region '%s' (from %s) is not a "
		    "valid AWS region name", region, from);
		free(prof_region);
		return err;
	}
	built = xasprintf("https://bedrock-mantle.%s.api.aws/v1", region);
	err = check_url(out, built, from);
	free(built);
	free(prof_region);
	return err;
}

int
api_auth_parse(enum api_auth *out, const char *s)
{
	*out = API_AUTH_AUTO;
	if (!s || strcasecmp(s, "auto") == 0)
		return 0;
	if (strcasecmp(s, "bearer") == 0) {
		*out = API_AUTH_BEARER;
		return 0;
	}
	if (strcasecmp(s, "x-api-key") == 0) {
		*out = API_AUTH_X_API_KEY;
		return 0;
	}
	if (strcasecmp(s, "sigv4") == 0) {
		*out = API_AUTH_SIGV4;
		return 0;
	}
	return ps_error(PS_EUSAGE, "unknown --auth mode '%s' (expected "
	    "auto, bearer, x-api-key or sigv4)", s);
}

char *
api_endpoint_region(const char *endpoint)
{
	static const char pre[] = "bedrock-mantle.", suf[] = ".api.aws";
	CURLU *u;
	char *host = NULL, *region = NULL;
	size_t n;

	u = curl_url();
	if (!u || !endpoint)
		goto out;
	if (curl_url_set(u, CURLUPART_URL, endpoint, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK)
		goto out;
	n = strlen(host);
	if (n <= sizeof(pre) - 1 + sizeof(suf) - 1 ||
	    strncasecmp(host, pre, sizeof(pre) - 1) != 0 ||
	    strcasecmp(host + n - (sizeof(suf) - 1), suf) != 0)
		goto out;
	region = xstrndup(host + sizeof(pre) - 1,
	    n - (sizeof(pre) - 1) - (sizeof(suf) - 1));
	if (!region_valid(region)) {
		free(region);
		region = NULL;
	}
out:
	curl_free(host);
	curl_url_cleanup(u);
	return region;
}
