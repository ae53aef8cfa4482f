/*
 * Unit tests for dynlib: libcurl and libgit2 are loaded on first use, once,
 * and the shims forward every kind of argument -- including the variadic
 * curl_easy_setopt() / curl_easy_getinfo(), whose argument type the shim
 * works out from the option number.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <git2.h>

#include "dynlib/dynlib.h"
#include "dynlib/dynlib_int.h"
#include "util/util.h"

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void
test_dynlib__load_once_then_cheap(void **state)
{
	void *curl_handle, *git2_handle, *h;
	double t0, ms;
	int i;

	(void)state;
	/* nothing loaded the libraries before the first call */
	assert_null(dlopen("libcurl.so.4", RTLD_NOW | RTLD_NOLOAD));
	assert_null(dlopen(dynlib__git2.soname, RTLD_NOW | RTLD_NOLOAD));

	assert_int_equal(dynlib_curl_load(), 0);
	assert_int_equal(dynlib_git2_load(), 0);
	curl_handle = dynlib__curl.handle;
	git2_handle = dynlib__git2.handle;
	assert_non_null(curl_handle);
	assert_non_null(git2_handle);
	for (i = 0; i < (int)dynlib__curl.nr; i++)
		assert_non_null(dynlib__curl.syms[i]);
	for (i = 0; i < (int)dynlib__git2.nr; i++)
		assert_non_null(dynlib__git2.syms[i]);
	/* now mapped, under the soname the shims asked for */
	assert_non_null(h = dlopen("libcurl.so.4", RTLD_NOW | RTLD_NOLOAD));
	dlclose(h);
	assert_non_null(h = dlopen(dynlib__git2.soname,
	    RTLD_NOW | RTLD_NOLOAD));
	dlclose(h);

	/* later calls do no work: same handles, ~nanoseconds each (the bound
	 * is 1,000x generous for sanitizers and a busy machine) */
	t0 = now_ms();
	for (i = 0; i < 100000; i++) {
		assert_int_equal(dynlib_curl_load(), 0);
		assert_int_equal(dynlib_git2_load(), 0);
	}
	ms = now_ms() - t0;
	assert_true(ms < 500);
	assert_ptr_equal(dynlib__curl.handle, curl_handle);
	assert_ptr_equal(dynlib__git2.handle, git2_handle);
}

static size_t
collect(char *data, size_t size, size_t nmemb, void *payload)
{
	ps_buf_add(payload, data, size * nmemb);
	return size * nmemb;
}

/* A file:// transfer through the multi interface, every setopt argument
 * type on the way: string, long, function, data pointer, curl_off_t. */
static void
test_dynlib__curl_variadic_forwarding(void **state)
{
	char path[] = "/tmp/projsync-dynlib-XXXXXX";
	struct ps_buf got = PS_BUF_INIT;
	const CURLMsg *msg;
	char *url, *eff = NULL;
	curl_off_t size = -1;
	char *scheme = NULL;
	long mtime = -1;
	CURLcode result = CURLE_FAILED_INIT;
	CURLM *m;
	CURL *h;
	int fd, running = 1, left;

	(void)state;
	assert_true((fd = mkstemp(path)) >= 0);
	assert_int_equal(write(fd, "0123456789", 10), 10);
	close(fd);
	url = xasprintf("file://%s", path);

	assert_non_null(h = curl_easy_init());
	assert_non_null(m = curl_multi_init());
	assert_int_equal(curl_easy_setopt(h, CURLOPT_URL, url), CURLE_OK);
	assert_int_equal(curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L), CURLE_OK);
	assert_int_equal(curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect),
	    CURLE_OK);
	assert_int_equal(curl_easy_setopt(h, CURLOPT_WRITEDATA, &got),
	    CURLE_OK);
	/* skip 4 bytes: only a correctly forwarded curl_off_t does that */
	assert_int_equal(curl_easy_setopt(h, CURLOPT_RESUME_FROM_LARGE,
	    (curl_off_t)4), CURLE_OK);
	assert_int_equal(curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, 2L),
	    CURLM_OK);
	/* a long with a visible effect: CURLINFO_FILETIME is -1 without it */
	assert_int_equal(curl_easy_setopt(h, CURLOPT_FILETIME, 1L), CURLE_OK);
	assert_int_equal(curl_multi_add_handle(m, h), CURLM_OK);
	while (running) {
		assert_int_equal(curl_multi_perform(m, &running), CURLM_OK);
		if (running)
			assert_int_equal(curl_multi_poll(m, NULL, 0, 1000,
			    NULL), CURLM_OK);
	}
	while ((msg = curl_multi_info_read(m, &left)))
		if (msg->msg == CURLMSG_DONE)
			result = msg->data.result;
	assert_int_equal(result, CURLE_OK);
	assert_string_equal(ps_buf_cstr(&got), "456789");

	/* getinfo: string, long and curl_off_t results through pointers */
	assert_int_equal(curl_easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &eff),
	    CURLE_OK);
	assert_string_equal(eff, url);
	assert_int_equal(curl_easy_getinfo(h, CURLINFO_SIZE_DOWNLOAD_T,
	    &size), CURLE_OK);
	assert_int_equal(size, 6);
	assert_int_equal(curl_easy_getinfo(h, CURLINFO_SCHEME, &scheme),
	    CURLE_OK);
	assert_string_equal(scheme, "FILE");
	assert_int_equal(curl_easy_getinfo(h, CURLINFO_FILETIME, &mtime),
	    CURLE_OK);
	assert_true(mtime > 0 && labs(mtime - (long)time(NULL)) < 3600);
	assert_string_equal(curl_easy_strerror(CURLE_OK), "No error");

	curl_multi_remove_handle(m, h);
	curl_easy_cleanup(h);
	curl_multi_cleanup(m);
	unlink(path);
	free(url);
	ps_buf_release(&got);
}

static void
test_dynlib__git2_forwarding(void **state)
{
	git_oid a, b;
	char hex[GIT_OID_HEXSZ + 1];

	(void)state;
	assert_true(git_libgit2_init() >= 1);
	memset(&a, 0, sizeof(a));
	a.id[0] = 0xab;
	git_oid_cpy(&b, &a);
	assert_int_equal(git_oid_cmp(&a, &b), 0);
	git_oid_tostr(hex, sizeof(hex), &b);
	assert_string_equal(hex, "ab00000000000000000000000000000000000000");
	assert_string_equal(git_oid_tostr_s(&a), hex);
	assert_true(git_libgit2_shutdown() >= 0);
}

static void
test_dynlib__missing_library_or_symbol(void **state)
{
	const char *const names[] = { "curl_easy_init",
	    "curl_projsync_no_such_function" };
	void *syms[2] = { NULL, NULL };
	struct dynlib__lib lib = {
		.soname = "libprojsync-no-such-library.so.0",
		.package = "projsync-test",
		.names = names,
		.syms = syms,
		.nr = 1,
	};

	(void)state;
	assert_int_equal(dynlib__open(&lib), PS_EFAIL);
	assert_int_equal(lib.status, PS_EFAIL);
	assert_non_null(strstr(lib.why, "cannot load "
	    "libprojsync-no-such-library.so.0: "));
	assert_non_null(strstr(lib.why, "; install projsync-test"));
	assert_null(syms[0]);

	/* an older library lacking one function is refused whole */
	lib.soname = "libcurl.so.4";
	lib.nr = 2;
	assert_int_equal(dynlib__open(&lib), PS_EFAIL);
	assert_non_null(strstr(lib.why, "no curl_projsync_no_such_function"));
	assert_null(syms[0]);
	assert_null(syms[1]);
	dlclose(lib.handle);

	/* and the real one, for contrast */
	lib.nr = 1;
	assert_int_equal(dynlib__open(&lib), 0);
	assert_non_null(syms[0]);
	dlclose(lib.handle);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		/* first: it checks that nothing was loaded before it */
		cmocka_unit_test(test_dynlib__load_once_then_cheap),
		cmocka_unit_test(test_dynlib__curl_variadic_forwarding),
		cmocka_unit_test(test_dynlib__git2_forwarding),
		cmocka_unit_test(test_dynlib__missing_library_or_symbol),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
