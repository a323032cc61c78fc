/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * INI reading shared by board files and circd.conf: libinih underneath, plus
 * the line numbers it does not pass to handlers. Pure: errors come back in a
 * struct file_error, nothing is printed.
 */
#ifndef CIRCD_INIFILE_H
#define CIRCD_INIFILE_H

#include <stdbool.h>
#include <stddef.h>

/* Where a configuration or board error is, for "file:line: message". */
struct file_error {
	char file[256];
	int line; /* 0 when the error concerns the file as a whole */
	char msg[256];
};

/* A section header's text (between the brackets) is at most this long. */
#define INIFILE_SECTION_MAX 96

/*
 * An indented line is an ordinary line here, never a continuation of the
 * previous value; a line may hold at most 199 characters. The section callback gets the text between the
 * brackets, trimmed; the key callback gets keys of the section last announced
 * (or of none). Each callback returns 0, or -EINVAL having filled *err. The
 * first error stops the parse; a syntax error libinih finds is reported as
 * "expected [section] or key = value".
 */
struct inifile_callbacks {
	int (*section)(void *data, const char *section, int line, struct file_error *err);
	int (*key)(void *data, const char *key, const char *value, int line,
		   struct file_error *err);
};
int inifile_parse(const char *text, const char *path, const struct inifile_callbacks *cb,
		  void *data, struct file_error *err);
/*
 * Whole file (at most 1 MiB; a NUL byte is an error naming its line) into a
 * NUL-terminated string the caller frees (after wiping it if it holds secrets).
 */
int inifile_read(const char *path, char **ret, struct file_error *err);
/* Values: yes/no/true/false/on/off/1/0 (any case); decimal digits only, in [min, max]. */
int inifile_bool(const char *value, bool *ret);
int inifile_uint(const char *value, unsigned min, unsigned max, unsigned *ret);
/*
 * Copies src to dst (size bytes, always terminated), each control character
 * (C0, DEL, C1, bidi overrides) and each byte that is not part of well-formed
 * UTF-8 written as \xNN; cut at a character boundary when dst is full.
 */
void inifile_escape(char *dst, size_t size, const char *src);
/* Fills *err (which may be NULL), escaped as by inifile_escape(); path is truncated to fit. */
void file_error_set(struct file_error *err, const char *path, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* "a, b or c", for messages listing the allowed values; words ends with NULL. */
void inifile_join_words(char *buf, size_t size, const char *const *words);
/* Index of word in the NULL-terminated words, or -1. */
int inifile_word_index(const char *const *words, const char *word);

#endif
