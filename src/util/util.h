/*
 * util: allocation, growable buffers, error recording, diagnostics,
 * SHA-256, sorted tag sets, the terminal-safe escaper and the JSON
 * writer.  Owned by the util module; every other module may use it, it
 * depends on nothing but libc and cJSON (the JSON writer).
 *
 * Ownership: functions returning `char *` hand the string to the caller
 * (free it with free()).  `_release` frees a value's contents and leaves it
 * empty and reusable; `_free` also frees the struct.  Every `_free` and
 * `_release` accepts NULL / an empty value.
 */
#ifndef PROJSYNC_UTIL_H
#define PROJSYNC_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PS_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define PS_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- allocation: abort on out-of-memory (tmux xmalloc) ---- */
void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
/* Grow *items so that it holds at least `need` elements of `size` bytes. */
void xgrow(void *itemsp, size_t *alloc, size_t need, size_t size);
char *xstrdup(const char *s);	/* xstrdup(NULL) == NULL */
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) PS_PRINTF(1, 2);
char *xvasprintf(const char *fmt, va_list ap) PS_PRINTF(1, 0);

/* ---- status codes: 0 or negative; the message is recorded once ---- */
enum ps_status {
	PS_OK = 0,
	PS_EFAIL = -1,		/* generic: I/O and the like (exit 1) */
	PS_ENOTFOUND = -2,	/* a file or object does not exist (exit 1) */
	PS_EINVALID = -3,	/* the inventory is invalid (exit 3) */
	PS_EHTTP = -4,		/* network or API error (exit 1) */
	PS_EGIT = -5,		/* libgit2 error (exit 1) */
	PS_EREFUSED = -6,	/* refused for safety (exit 4) */
	PS_EPARTIAL = -7,	/* some changes made, others not (exit 5) */
	PS_EUSAGE = -8,		/* bad arguments or configuration (exit 64) */
	PS_ECANCELLED = -9,	/* interrupted by a signal */
};

/* Record a message for the caller to print (thread-local); returns code. */
int ps_error(int code, const char *fmt, ...) PS_PRINTF(2, 3);
/* The last recorded message, or "unknown error". Never NULL. */
const char *ps_error_last(void);
void ps_error_clear(void);

/* ---- growable byte buffer, always NUL-terminated (git strbuf) ---- */
struct ps_buf {
	char *ptr;	/* "" when empty; owned */
	size_t len;
	size_t alloc;
};
#define PS_BUF_INIT { NULL, 0, 0 }

void ps_buf_grow(struct ps_buf *b, size_t extra);
void ps_buf_add(struct ps_buf *b, const void *data, size_t len);
void ps_buf_adds(struct ps_buf *b, const char *s);
void ps_buf_addch(struct ps_buf *b, char c);
void ps_buf_addf(struct ps_buf *b, const char *fmt, ...) PS_PRINTF(2, 3);
void ps_buf_vaddf(struct ps_buf *b, const char *fmt, va_list ap) PS_PRINTF(2, 0);
void ps_buf_reset(struct ps_buf *b);	/* len = 0, keep memory */
void ps_buf_release(struct ps_buf *b);
char *ps_buf_detach(struct ps_buf *b);	/* caller owns; b is empty */
const char *ps_buf_cstr(const struct ps_buf *b);	/* "" when unset */

/* Read a whole file, failing with PS_EINVALID past max_bytes (0: 256 MiB). */
int ps_read_file(struct ps_buf *out, const char *path, size_t max_bytes);
/* Write atomically: temp file in the same folder, fsync, rename. */
int ps_write_file_atomic(const char *path, const void *data, size_t len,
    unsigned mode);

/* ---- the terminal-safe escaper (term.c): the one for every string from
 * the API, a file or a git record on its way to a terminal ---- */
/* s with \n \r \t, other C0 controls and DEL as \xNN, C1 controls
 * (U+0080-U+009F) as \u00NN and bytes that are not UTF-8 as \xNN; cut
 * at a character boundary once about max bytes are written, with "..."
 * (max 0: no limit).  NULL is "". */
void ps_buf_add_printable(struct ps_buf *b, const char *s, size_t max);
/* The same as a newly allocated string (caller frees). */
char *ps_printable(const char *s, size_t max);
/* False when s holds a control character (C0 or DEL): an HTTP header value
 * must not smuggle in more headers. */
bool ps_header_value_safe(const char *s);
/* "s" in double quotes, escaped as above plus \" and \\. */
void ps_buf_add_quoted(struct ps_buf *b, const char *s);

/* ---- the JSON writer (json.c): one style for every document ---- */
struct cJSON;
/* cJSON allocates through xmalloc/free (call once, before any cJSON use). */
void ps_json_init(void);
/* The document v, two-space indent, keys in insertion order, ": " after a
 * key, trailing newline; strings as ps_json_string(). */
void ps_json_render(struct ps_buf *out, const struct cJSON *v);
/* A JSON string: C0, DEL and C1 controls as \u00XX, bytes that are not
 * UTF-8 as \ufffd; NULL is "". */
void ps_json_string(struct ps_buf *out, const char *s);
/* obj[key] = value, or null when value is NULL. */
void ps_json_add_str(struct cJSON *obj, const char *key, const char *value);

/* ---- diagnostics: problems found in input, collected, never fatal ---- */
enum diag_level { DIAG_ERROR, DIAG_WARNING, DIAG_INFO };

struct diag {
	char *file;		/* owned; may be NULL for global findings */
	unsigned line, col;	/* 1-based; 0 when unknown */
	enum diag_level level;
	const char *rule;	/* static string: "duplicate-key" */
	char *msg;		/* owned */
	bool suppressed;	/* matched a lint_ignore entry */
};

struct diag_list {
	struct diag *items;
	size_t nr, alloc;
	size_t max;		/* stop collecting after this many (0: 100000) */
	size_t dropped;		/* findings past max */
};
#define DIAG_LIST_INIT { NULL, 0, 0, 0, 0 }

/* Append a finding. NULL dl is a quiet sink (fuzzers). Returns the entry
 * (owned by dl) or NULL. */
struct diag *diag_add(struct diag_list *dl, enum diag_level level,
    const char *rule, const char *file, unsigned line, unsigned col,
    const char *fmt, ...) PS_PRINTF(7, 8);
/* Stable sort by file, line, column. */
void diag_list_sort(struct diag_list *dl);
size_t diag_list_count(const struct diag_list *dl, enum diag_level level);
const char *diag_level_name(enum diag_level level);
/* "file:line:col: error: message [rule]" (no newline). */
void diag_format(struct ps_buf *out, const struct diag *d);
void diag_list_release(struct diag_list *dl);

/* ---- SHA-256 ---- */
struct sha256_ctx {
	uint32_t h[8];
	uint64_t len;
	unsigned char buf[64];
	size_t buflen;
};
void sha256_init(struct sha256_ctx *c);
void sha256_update(struct sha256_ctx *c, const void *data, size_t len);
void sha256_final(struct sha256_ctx *c, unsigned char out[32]);
/* Lower-case hex of SHA-256(data) into out (65 bytes with NUL). */
void sha256_hex(char out[65], const void *data, size_t len);
/* HMAC-SHA256 (RFC 2104): SigV4 signing keys and signatures. */
void hmac_sha256(unsigned char out[32], const void *key, size_t key_len,
    const void *data, size_t len);
/* Lower-case hex of n bytes into out (2n + 1 bytes with NUL). */
void ps_hex(char *out, const unsigned char *p, size_t n);

/* ---- tag sets: key → value, kept sorted by key (byte order) ---- */
struct tag {
	char *key;
	char *value;
};
struct tag_set {
	struct tag *items;
	size_t nr, alloc;
};
#define TAG_SET_INIT { NULL, 0, 0 }

/* Insert or overwrite (copies key and value). */
void tag_set_put(struct tag_set *ts, const char *key, const char *value);
/* The value for key, or NULL. Borrowed. */
const char *tag_set_get(const struct tag_set *ts, const char *key);
bool tag_set_remove(struct tag_set *ts, const char *key);
void tag_set_copy(struct tag_set *dst, const struct tag_set *src);
bool tag_set_equal(const struct tag_set *a, const struct tag_set *b);
void tag_set_release(struct tag_set *ts);

/* ---- small string helpers ---- */
/* Levenshtein distance, capped at max+1 (cheap for "did you mean"). */
size_t ps_edit_distance(const char *a, const char *b, size_t max);
/* Decode the code point at s[*i] into *cp and advance *i; false (and *i
 * unchanged) for an invalid, overlong, surrogate or truncated sequence. */
bool ps_utf8_next(uint32_t *cp, const char *s, size_t len, size_t *i);
/* Number of code points in a UTF-8 string; -1 if it is not valid UTF-8
 * or holds a NUL. */
long ps_utf8_len(const char *s, size_t len);
/* fnmatch-style glob match on '*' only (tag keys like "aws:*"). */
bool ps_glob_match(const char *pattern, const char *s);
/* Is s one of v[0..nr) (byte-for-byte)? */
bool ps_str_in(char *const *v, size_t nr, const char *s);
/* Is s a real calendar date written YYYY-MM-DD (NULL: false)? */
bool ps_valid_date(const char *s);

/* ---- paths (lexical: no file system access) ---- */
/* path against cwd when relative (cwd may be NULL), with ".", ".." and
 * repeated slashes folded: "/a/b/../c" → "/a/c", "../x" stays. */
char *ps_path_normalize(const char *path, const char *cwd);
/* path (against cwd when relative) relative to the absolute folder root,
 * "." for root itself; NULL when it lies outside root or cannot be made
 * absolute. */
char *ps_path_relative_to(const char *path, const char *cwd, const char *root);

/* ---- markdown for pull-request comments (GitHub) ---- */
/* Inline text, escaped ($ too: GitHub renders $...$ as math; a zero-width
 * space after @ and # keeps a name from mentioning users or issues), cut
 * to max code points with "…" (0: no limit). Control characters → ' '. */
void ps_md_text(struct ps_buf *out, const char *s, size_t max);
/* A value in a code span when that is safe, else escaped text; NULL is
 * *null*, "" is *empty*. */
void ps_md_code(struct ps_buf *out, const char *s, size_t max);
/* **s**, with leading and trailing white space as &nbsp;. */
void ps_md_bold(struct ps_buf *out, const char *s, size_t max);
/* s verbatim in a fenced code block (a fence no backtick run inside can
 * close; control characters but newline and tab → ' '), cut to max bytes
 * with "…" (0: no limit). */
void ps_md_code_block(struct ps_buf *out, const char *s, size_t max);

#endif
