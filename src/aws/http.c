/*
 * aws: one blocking HTTP request for the credential sources (STS, the
 * container endpoint, IMDS), through a private multi handle.
 */
#include "aws/internal.h"

#include <curl/curl.h>
#include <string.h>

struct sink {
	struct ps_buf *b;
	size_t max;
	bool too_big;
};

static size_t
on_body(char *data, size_t size, size_t n, void *payload)
{
	struct sink *s = payload;

	if (s->b->len + size * n > s->max) {
		s->too_big = true;
		return 0;
	}
	ps_buf_add(s->b, data, size * n);
	return size * n;
}

int
aws__http_do(const struct aws__http *h, long *status, struct ps_buf *resp,
    const char *what)
{
	struct sink sink = { resp, h->max_body ? h->max_body : 1u << 20, false };
	struct curl_slist *hl = NULL, *n;
	char errbuf[CURL_ERROR_SIZE] = "";
	CURLM *m = NULL;
	CURL *e = NULL;
	CURLMsg *msg;
	CURLcode rc = CURLE_OK;
	int running = 1, left, err = 0;
	size_t i;

	*status = 0;
	ps_buf_reset(resp);
	if (!(e = curl_easy_init()) || !(m = curl_multi_init())) {
		err = ps_error(PS_EFAIL, "cannot create a libcurl handle");
		goto out;
	}
	for (i = 0; i < h->nr_headers; i++) {
		if (!(n = curl_slist_append(hl, h->headers[i]))) {
			err = ps_error(PS_EFAIL, "out of memory");
			goto out;
		}
		hl = n;
	}
	if ((n = curl_slist_append(hl, "Expect:")))
		hl = n;
	curl_easy_setopt(e, CURLOPT_URL, h->url);
	curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, h->method);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &sink);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)(h->timeout_ms ?
	    h->timeout_ms : 10000));
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)
	    (h->connect_timeout_ms ? h->connect_timeout_ms : 5000));
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "projsync/" PROJSYNC_VERSION);
	if (h->cacert)
		curl_easy_setopt(e, CURLOPT_CAINFO, h->cacert);
	if (h->body) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)strlen(h->body));
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, h->body);
	} else if (strcmp(h->method, "PUT") == 0) {
		/* a bodiless PUT (the IMDSv2 token) */
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)0);
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, "");
	}
	curl_multi_add_handle(m, e);
	while (running) {
		if (curl_multi_perform(m, &running) != CURLM_OK)
			break;
		if (running)
			curl_multi_poll(m, NULL, 0, 200, NULL);
	}
	while ((msg = curl_multi_info_read(m, &left)))
		if (msg->msg == CURLMSG_DONE)
			rc = msg->data.result;
	curl_multi_remove_handle(m, e);
	if (rc != CURLE_OK) {
		err = ps_error(PS_EHTTP, "%s: %s", what, sink.too_big ?
		    "the answer is too large" : *errbuf ? errbuf :
		    curl_easy_strerror(rc));
		goto out;
	}
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, status);
out:
	if (e)
		curl_easy_cleanup(e);
	if (m)
		curl_multi_cleanup(m);
	curl_slist_free_all(hl);
	return err;
}
