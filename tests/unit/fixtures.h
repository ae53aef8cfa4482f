/*
 * Where unit tests find their fixtures: PROJSYNC_SOURCE_DIR, the source
 * tree's path compiled in by cmake/tests.cmake, never the directory the
 * test was started from (ctest, a shell in build/, a debugger).  A test
 * that reads fixtures calls fixtures_enter() first; the paths it then
 * uses, and that golden files record, stay relative to the source tree
 * ("tests/fixtures/lint/...", "examples/projects.yaml").
 */
#ifndef PROJSYNC_TEST_FIXTURES_H
#define PROJSYNC_TEST_FIXTURES_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#ifndef PROJSYNC_SOURCE_DIR
#error "PROJSYNC_SOURCE_DIR is set by cmake/tests.cmake"
#endif

static inline void
fixtures_enter(void)
{
	if (chdir(PROJSYNC_SOURCE_DIR) != 0) {
		perror("cannot enter " PROJSYNC_SOURCE_DIR);
		exit(1);
	}
}

#endif
