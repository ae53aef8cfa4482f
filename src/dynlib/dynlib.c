/*
 * dynlib: dlopen() libcurl and libgit2 on first use (see dynlib.h for
 * why), and fill the tables the generated shims call through.
 */
#include "dynlib/dynlib_int.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

int
dynlib__open(struct dynlib__lib *lib)
{
	const char *why;
	size_t i;

	dlerror();
	lib->handle = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);
	if (!lib->handle) {
		why = dlerror();
		snprintf(lib->why, sizeof(lib->why), "cannot load %s: %s; "
		    "install %s", lib->soname, why ? why : "dlopen failed",
		    lib->package);
		goto fail;
	}
	for (i = 0; i < lib->nr; i++) {
		dlerror();
		if (!(lib->syms[i] = dlsym(lib->handle, lib->names[i]))) {
			/* an older library than the headers we were built
			 * against: refuse it whole, not at the first call */
			snprintf(lib->why, sizeof(lib->why), "cannot load %s: "
			    "it has no %s (too old?); install a current %s",
			    lib->soname, lib->names[i], lib->package);
			goto fail;
		}
	}
	lib->status = 0;
	return 0;
fail:
	memset(lib->syms, 0, lib->nr * sizeof(*lib->syms));
	lib->status = PS_EFAIL;
	return PS_EFAIL;
}

/* pthread_once() takes no argument: one routine per library. */
static void
once_curl(void)
{
	dynlib__open(&dynlib__curl);
}

static void
once_git2(void)
{
	dynlib__open(&dynlib__git2);
}

static int
load(struct dynlib__lib *lib)
{
	pthread_once(&lib->once, lib == &dynlib__curl ? once_curl :
	    once_git2);
	return lib->status;
}

int
dynlib_curl_load(void)
{
	if (load(&dynlib__curl) < 0)
		return ps_error(PS_EFAIL, "%s", dynlib__curl.why);
	return 0;
}

int
dynlib_git2_load(void)
{
	if (load(&dynlib__git2) < 0)
		return ps_error(PS_EFAIL, "%s", dynlib__git2.why);
	return 0;
}

void
dynlib__need(struct dynlib__lib *lib, const char *fn)
{
	if (load(lib) == 0)
		return;
	/* the entry points load first and report the error: reaching a
	 * shim without the library is a bug, not a user's problem */
	fprintf(stderr, "projsync: internal error: %s() called, but %s\n",
	    fn, lib->why);
	abort();
}
