/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The INI reading that board files and circd.conf share.
 *
 * libinih (as Debian builds it) does not pass line numbers to its handler, so
 * inifile_parse() feeds it one line at a time through ini_parse_stream() and
 * counts. The reader also announces sections itself, which lets callers see
 * empty sections and report problems against the section header's line.
 */
#include "inifile.h"

#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "utf8.h"
#include "util.h"

#define INIFILE_SIZE_MAX (1024 * 1024)

/* C0, DEL, C1 (8-bit CSI is U+009B) and the bidi overrides that reorder what a reader sees. */
static bool is_terminal_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x200e || cp == 0x200f ||
	       (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

void inifile_escape(char *dst, size_t size, const char *src)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t n = strlen(src), used = 0;

	if (!size)
		return;
	while (n) {
		uint32_t cp = 0;
		size_t len = utf8_decode(s, n, &cp);
		size_t out = len && !is_terminal_control(cp) ? len : 4 * (len ? len : 1);

		if (used + out >= size)
			break;
		if (out == len) {
			memcpy(dst + used, s, len);
		} else {
			for (size_t i = 0; i < out / 4; i++)
				snprintf(dst + used + 4 * i, 5, "\\x%02x", s[i]);
			len = out / 4;
		}
		used += out;
		s += len;
		n -= len;
	}
	dst[used] = '\0';
}

/*
 * The text of a hostile config file ends up in messages a terminal shows:
 * they carry no control sequences and no bytes that are not UTF-8.
 */
void file_error_set(struct file_error *err, const char *path, int line, const char *fmt, ...)
{
	char raw[sizeof(err->msg)];
	va_list ap;

	if (!err)
		return;
	inifile_escape(err->file, sizeof(err->file), path ? path : "");
	err->line = line;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	inifile_escape(err->msg, sizeof(err->msg), raw);
}

int inifile_bool(const char *value, bool *ret)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };

	if (!value)
		return -EINVAL;
	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (strcasecmp(value, yes[i]) == 0) {
			*ret = true;
			return 0;
		}
		if (strcasecmp(value, no[i]) == 0) {
			*ret = false;
			return 0;
		}
	}
	return -EINVAL;
}

int inifile_uint(const char *value, unsigned min, unsigned max, unsigned *ret)
{
	unsigned long n;
	char *end;

	/* strtoul alone would take " 5", "+5" and "-5" (as a huge number) */
	if (!value || value[0] < '0' || value[0] > '9')
		return -EINVAL;
	errno = 0;
	n = strtoul(value, &end, 10);
	if (errno || *end || n < min || n > max)
		return -EINVAL;
	*ret = (unsigned)n;
	return 0;
}

int inifile_read(const char *path, char **ret, struct file_error *err)
{
	char *text = NULL, *nul;
	size_t len = 0;
	FILE *f;
	int r;

	*ret = NULL;
	f = fopen(path, "re");
	if (!f) {
		r = -errno;
		file_error_set(err, path, 0, "cannot open: %s", strerror(-r));
		return r;
	}
	/* Unbuffered: stdio's buffer would keep a copy of the file (passwords) after fclose(). */
	setvbuf(f, NULL, _IONBF, 0);
	text = malloc(INIFILE_SIZE_MAX + 1);
	if (!text) {
		r = -ENOMEM;
		file_error_set(err, path, 0, "out of memory");
		goto err_close;
	}
	len = fread(text, 1, INIFILE_SIZE_MAX + 1, f);
	if (ferror(f)) {
		r = -EIO;
		file_error_set(err, path, 0, "cannot read: %s", strerror(EIO));
		goto err_free;
	}
	if (len > INIFILE_SIZE_MAX) {
		r = -EFBIG;
		file_error_set(err, path, 0, "file is larger than %d bytes", INIFILE_SIZE_MAX);
		goto err_free;
	}
	nul = memchr(text, '\0', len);
	if (nul) {
		int line = 1;

		for (const char *c = text; c < nul; c++)
			line += *c == '\n';
		r = -EINVAL;
		file_error_set(err, path, line, "a NUL byte; not a text file");
		goto err_free;
	}
	text[len] = '\0';
	fclose(f);
	*ret = text;
	return 0;

err_free:
	explicit_bzero(text, len); /* len <= the buffer; the file may hold passwords */
	free(text);
err_close:
	fclose(f);
	return r;
}

struct inifile_state {
	const char *path;
	const char *next; /* first unread byte of the text */
	int line;
	const struct inifile_callbacks *cb;
	void *data;
	struct file_error *err;
	int error;      /* the first error, -errno */
	int error_line; /* and its line */
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* A section header line: announce the section before libinih sees the line. */
static int inifile_section(struct inifile_state *s, const char *line, size_t len)
{
	char name[INIFILE_SECTION_MAX];
	const char *close = memchr(line, ']', len);
	const char *start = line + 1, *end, *rest;

	if (!close) {
		file_error_set(s->err, s->path, s->line, "section header without ']'");
		return -EINVAL;
	}
	for (rest = close + 1; rest < line + len && is_blank(*rest); rest++)
		;
	if (rest < line + len && *rest != ';' && *rest != '#') {
		file_error_set(s->err, s->path, s->line, "unexpected text after ']'");
		return -EINVAL;
	}
	while (start < close && is_blank(*start))
		start++;
	end = close;
	while (end > start && is_blank(end[-1]))
		end--;
	if ((size_t)(end - start) >= sizeof(name)) {
		file_error_set(s->err, s->path, s->line, "section name longer than %zu characters",
			       sizeof(name) - 1);
		return -EINVAL;
	}
	memcpy(name, start, (size_t)(end - start));
	name[end - start] = '\0';
	return s->cb->section(s->data, name, s->line, s->err);
}

static char *inifile_reader(char *str, int num, void *stream)
{
	struct inifile_state *s = stream;
	const char *line = s->next, *eol;
	size_t len;
	int r;

	if (s->error || !*line)
		return NULL;
	eol = strchr(line, '\n');
	len = eol ? (size_t)(eol - line) : strlen(line);
	s->next = eol ? eol + 1 : line + len;
	s->line++;

	if (s->line == 1 && len >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0) {
		line += 3;
		len -= 3;
	}
	/* libinih treats an indented line as a continuation of the previous value */
	while (len && is_blank(*line)) {
		line++;
		len--;
	}
	while (len && is_blank(line[len - 1]))
		len--;
	/* libinih would silently cut a long line in two */
	if (num < 2 || len > (size_t)num - 1) {
		file_error_set(s->err, s->path, s->line, "line longer than %d characters",
			       num < 2 ? 0 : num - 1);
		s->error = -EINVAL;
		s->error_line = s->line;
		return NULL;
	}
	if (len && line[0] == '[') {
		r = inifile_section(s, line, len);
		if (r < 0) {
			s->error = r;
			s->error_line = s->line;
			return NULL;
		}
	}
	memcpy(str, line, len);
	str[len] = '\0';
	return str;
}

static int inifile_handler(void *user, const char *section, const char *name, const char *value)
{
	struct inifile_state *s = user;
	int r;

	if (s->error)
		return 0;
	r = s->cb->key(s->data, name, value, s->line, s->err);
	if (r < 0) {
		s->error = r;
		s->error_line = s->line;
		return 0;
	}
	return 1;
}

/*
 * libinih splits each line in a buffer on its own stack frame, and returns
 * leaving a config's passwords there; this frame lands where that one was.
 */
static __attribute__((noinline)) void scrub_parser_stack(void)
{
	char used_by_libinih[4096];

	explicit_bzero(used_by_libinih, sizeof(used_by_libinih));
	__asm__ __volatile__("" : : "r"(used_by_libinih) : "memory");
}

int inifile_parse(const char *text, const char *path, const struct inifile_callbacks *cb,
		  void *data, struct file_error *err)
{
	struct inifile_state s = {
		.path = path,
		.next = text,
		.cb = cb,
		.data = data,
		.err = err,
	};
	int r;

	r = ini_parse_stream(inifile_reader, &s, inifile_handler, &s);
	scrub_parser_stack();
	if (r == -2) {
		file_error_set(err, path, s.line, "out of memory");
		return -ENOMEM;
	}
	/* libinih goes on after a syntax error; it is the first error if it came first */
	if (r > 0 && (!s.error || r < s.error_line)) {
		file_error_set(err, path, r, "expected [section] or key = value");
		return -EINVAL;
	}
	if (s.error)
		return s.error;
	if (r != 0) {
		file_error_set(err, path, r > 0 ? r : 0, "expected [section] or key = value");
		return -EINVAL;
	}
	return 0;
}

void inifile_join_words(char *buf, size_t size, const char *const *words)
{
	size_t n = 0, used = 0;

	while (words[n])
		n++;
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		const char *sep = i == 0 ? "" : i + 1 == n ? " or " : ", ";
		int w = snprintf(buf + used, size - used, "%s%s", sep, words[i]);

		if (w < 0 || (size_t)w >= size - used)
			return;
		used += (size_t)w;
	}
}

int inifile_word_index(const char *const *words, const char *word)
{
	for (int i = 0; words[i]; i++)
		if (strcmp(words[i], word) == 0)
			return i;
	return -1;
}
