/*
 * Replays a fuzz corpus without libFuzzer: every file under the folders
 * given on the command line goes through LLVMFuzzerTestOneInput once, so
 * the corpora run as ordinary ctest tests (the libgit2 pattern).
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
replay(const char *path, unsigned *count)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	struct ps_buf buf = PS_BUF_INIT;

	if (stat(path, &st) < 0) {
		fprintf(stderr, "cannot stat %s\n", path);
		return 1;
	}
	if (!S_ISDIR(st.st_mode)) {
		if (ps_read_file(&buf, path, 0) < 0) {
			fprintf(stderr, "%s\n", ps_error_last());
			return 1;
		}
		LLVMFuzzerTestOneInput((const uint8_t *)ps_buf_cstr(&buf), buf.len);
		ps_buf_release(&buf);
		(*count)++;
		return 0;
	}
	if (!(d = opendir(path)))
		return 1;
	while ((e = readdir(d))) {
		char *p;
		int rc;
		if (e->d_name[0] == '.')
			continue;
		p = xasprintf("%s/%s", path, e->d_name);
		rc = replay(p, count);
		free(p);
		if (rc) {
			closedir(d);
			return rc;
		}
	}
	closedir(d);
	return 0;
}

int
main(int argc, char **argv)
{
	unsigned count = 0;
	int i;

	for (i = 1; i < argc; i++)
		if (replay(argv[i], &count))
			return 1;
	printf("replayed %u inputs\n", count);
	return count ? 0 : 1;
}
