/*
 * dynlib: internals shared by dynlib.c, the generated shims and the unit
 * test.  Owned by the dynlib module; nothing else includes this.
 */
#ifndef PROJSYNC_DYNLIB_INT_H
#define PROJSYNC_DYNLIB_INT_H

#include <pthread.h>
#include <stddef.h>

#include "dynlib/dynlib.h"

/* Any function pointer: how a FUNCTIONPOINT option travels through `...`. */
typedef void (*dynlib__fn)(void);

struct dynlib__lib {
	const char *soname;		/* dlopen()ed by this name */
	const char *package;		/* named in the error: "install ..." */
	const char *const *names;	/* the functions, nr of them */
	void **syms;			/* filled by dynlib__open() */
	size_t nr;
	pthread_once_t once;
	int status;			/* 0 or PS_EFAIL, after `once` */
	char why[512];			/* the error message when status < 0 */
	void *handle;			/* never closed */
};

/* Defined in the generated curl_shims.c and git2_shims.c. */
extern struct dynlib__lib dynlib__curl;
extern struct dynlib__lib dynlib__git2;

/* dlopen() and dlsym() every name; 0 or PS_EFAIL with lib->why set.  Not
 * once-guarded: dynlib_*_load() wrap it in lib->once (the unit test calls
 * it on a library of its own). */
int dynlib__open(struct dynlib__lib *lib);
/* In each shim: load lib once, or print why and abort() naming fn. */
void dynlib__need(struct dynlib__lib *lib, const char *fn);

#endif
