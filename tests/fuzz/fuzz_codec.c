/*
 * Fuzz target for the live JSON codec: bytes as an API answer, through
 * the list-page parser, the single-project parser and the error-message
 * reader.  Nothing may crash, leak or read out of bounds.
 */
#include <stdint.h>
#include <stdlib.h>

#include "live/live.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct live_state st = LIVE_STATE_INIT;
	struct live_project p;
	const char *body = (const char *)data;
	char *after = NULL, *msg;
	bool more;
	size_t i;

	if (size > 1024 * 1024)
		return 0;
	if (live_parse_list_page(&st, &more, &after, body, size, "fuzz") == 0) {
		/* what a list produced must be usable */
		for (i = 0; i < st.nr; i++) {
			char fp[65];
			cJSON *j = live_project_to_json(&st.items[i]);
			live_project_fingerprint(fp, &st.items[i]);
			cJSON_Delete(j);
		}
	}
	free(after);
	live_state_release(&st);
	if (live_parse_project(&p, body, size, "fuzz") == 0)
		live_project_release(&p);
	msg = live_parse_error_message(body, size);
	free(msg);
	return 0;
}
