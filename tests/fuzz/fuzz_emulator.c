/*
 * Fuzz the emulator's request handling without a socket: the first byte
 * picks a route, the rest is the request body (or the query string, or a
 * whole "METHOD target\nheader: value\n\nbody" request).  The emulator
 * must answer every input with a well-formed HTTP verdict and never
 * crash, leak or corrupt its state.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "emulator/emulator.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct emu *emu;
static char project[64];	/* a modifiable project */
static unsigned calls;

static void
call(const char *method, const char *target, const struct emu_header *h,
    size_t nh, const char *body, size_t len)
{
	static const struct emu_header auth = { "Authorization", "Bearer test-key" };
	struct emu_request req = { 0 };
	struct emu_response resp = EMU_RESPONSE_INIT;

	req.method = method;
	req.target = target;
	req.headers = h ? h : &auth;
	req.nr_headers = h ? nh : 1;
	req.body = body;
	req.body_len = len;
	emu_handle(emu, &req, &resp);
	/* every answer is JSON-ish and has a status */
	if (resp.action == EMU_RESPOND && (resp.status < 200 || resp.status > 599))
		abort();
	if (method[0] == 'P' && !project[0] && resp.status == 200 &&
	    strstr(target, "projects") && !strstr(target, "/proj")) {
		const char *id = strstr(ps_buf_cstr(&resp.body), "\"id\":\"");
		if (id)
			memcpy(project, id + 6, 25);
	}
	emu_response_release(&resp);
}

static void
setup(void)
{
	struct emu_config cfg;

	emu_config_init(&cfg);
	cfg.seed = 1;
	cfg.clock = 1700000000;
	cfg.max_projects = 64;
	if (emu_new(&emu, &cfg) < 0)
		abort();
	emu_config_release(&cfg);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, *target, *hdr_end, *line;
	struct emu_header hs[8];
	size_t n = 0, len;

	if (size < 1 || size > 256 * 1024)
		return 0;
	if (!emu)
		setup();
	if (++calls % 200 == 0 || !project[0]) {
		emu_reset(emu);
		project[0] = '\0';
		call("POST", "/v1/organization/projects", NULL, 0,
		    "{\"name\":\"seed\",\"tags\":{\"a\":\"b\"}}", 33);
	}
	s = xstrndup((const char *)data + 1, size - 1);	/* NUL-terminated copy */
	len = size - 1;
	target = xasprintf("/v1/organization/projects/%s", project);
	switch (data[0] % 8) {
	case 0:
		call("POST", "/v1/organization/projects", NULL, 0, s, len);
		break;
	case 1:
		call("POST", target, NULL, 0, s, len);
		break;
	case 2:
		call("POST", "/v1/organization/projects/default", NULL, 0, s, len);
		break;
	case 3:
		free(target);
		target = xasprintf("/v1/organization/projects?%s", s);
		call("GET", target, NULL, 0, NULL, 0);
		break;
	case 4:
		call("PUT", "/v1/data_retention", NULL, 0, s, len);
		break;
	case 5:
		/* "METHOD target\nname: value\n...\n\nbody": a raw request */
		if (!(hdr_end = strstr(s, "\n\n")))
			break;
		*hdr_end = '\0';
		line = strchr(s, '\n');
		if (line)
			*line++ = '\0';
		while (line && *line && n < PS_ARRAY_SIZE(hs)) {
			char *next = strchr(line, '\n'), *colon;
			if (next)
				*next++ = '\0';
			if ((colon = strchr(line, ':'))) {
				*colon = '\0';
				hs[n].name = line;
				hs[n].value = colon + 1 + (colon[1] == ' ');
				n++;
			}
			line = next;
		}
		{
			char *sp = strchr(s, ' ');
			if (!sp)
				break;
			*sp = '\0';
			call(s, sp + 1, hs, n, hdr_end + 2,
			    len - (size_t)(hdr_end + 2 - s));
		}
		break;
	case 6:
		free(target);
		target = xasprintf("/v1/organization/projects/%s/archive", s);
		call("POST", target, NULL, 0, NULL, 0);
		break;
	default:
		free(target);
		target = xasprintf("/v1/organization/projects/%s", s);
		call("GET", target, NULL, 0, NULL, 0);
		break;
	}
	free(target);
	free(s);
	return 0;
}
