/* util: growable buffers, errors and whole-file I/O. */
#include "util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static _Thread_local char last_error[1024];

int
ps_error(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
	return code;
}

const char *
ps_error_last(void)
{
	return last_error[0] ? last_error : "unknown error";
}

void
ps_error_clear(void)
{
	last_error[0] = '\0';
}

void
ps_buf_grow(struct ps_buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;

	if (need <= b->alloc)
		return;
	xgrow(&b->ptr, &b->alloc, need, 1);
}

void
ps_buf_add(struct ps_buf *b, const void *data, size_t len)
{
	ps_buf_grow(b, len);
	if (len)
		memcpy(b->ptr + b->len, data, len);
	b->len += len;
	b->ptr[b->len] = '\0';
}

void
ps_buf_adds(struct ps_buf *b, const char *s)
{
	ps_buf_add(b, s, strlen(s));
}

void
ps_buf_addch(struct ps_buf *b, char c)
{
	ps_buf_add(b, &c, 1);
}

void
ps_buf_vaddf(struct ps_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n <= 0)
		return;
	ps_buf_grow(b, (size_t)n);
	vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void
ps_buf_addf(struct ps_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ps_buf_vaddf(b, fmt, ap);
	va_end(ap);
}

void
ps_buf_reset(struct ps_buf *b)
{
	b->len = 0;
	if (b->ptr)
		b->ptr[0] = '\0';
}

void
ps_buf_release(struct ps_buf *b)
{
	free(b->ptr);
	b->ptr = NULL;
	b->len = b->alloc = 0;
}

char *
ps_buf_detach(struct ps_buf *b)
{
	char *p = b->ptr ? b->ptr : xstrdup("");

	b->ptr = NULL;
	b->len = b->alloc = 0;
	return p;
}

const char *
ps_buf_cstr(const struct ps_buf *b)
{
	return b->ptr ? b->ptr : "";
}

int
ps_read_file(struct ps_buf *out, const char *path, size_t max_bytes)
{
	char chunk[65536];
	ssize_t n;
	int fd;

	if (!max_bytes)
		max_bytes = 256u << 20;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return ps_error(errno == ENOENT ? PS_ENOTFOUND : PS_EFAIL,
		    "cannot open '%s': %s", path, strerror(errno));
	ps_buf_reset(out);
	ps_buf_grow(out, 0);
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			close(fd);
			return ps_error(PS_EFAIL, "cannot read '%s': %s", path,
			    strerror(e));
		}
		if (n == 0)
			break;
		if (out->len + (size_t)n > max_bytes) {
			close(fd);
			return ps_error(PS_EINVALID,
			    "'%s' is larger than %zu bytes", path, max_bytes);
		}
		ps_buf_add(out, chunk, (size_t)n);
	}
	close(fd);
	return 0;
}

int
ps_write_file_atomic(const char *path, const void *data, size_t len,
    unsigned mode)
{
	char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	const char *p = data;
	int fd, err = 0;

	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0) {
		err = ps_error(PS_EFAIL, "cannot create '%s': %s", tmp,
		    strerror(errno));
		goto out;
	}
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = ps_error(PS_EFAIL, "cannot write '%s': %s", tmp,
			    strerror(errno));
			close(fd);
			unlink(tmp);
			goto out;
		}
		p += n;
		len -= (size_t)n;
	}
	if (fsync(fd) < 0 || close(fd) < 0) {
		err = ps_error(PS_EFAIL, "cannot write '%s': %s", tmp,
		    strerror(errno));
		unlink(tmp);
		goto out;
	}
	if (rename(tmp, path) < 0) {
		err = ps_error(PS_EFAIL, "cannot rename '%s' to '%s': %s", tmp,
		    path, strerror(errno));
		unlink(tmp);
	}
out:
	free(tmp);
	return err;
}
