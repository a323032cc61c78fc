/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The page's files, read from its folder at each request (they are a few
 * kilobytes, and a kiosk shows one page), never from outside that folder.
 */
#include "display-web-private.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

/* The page's files are small; a bigger one is not one of them. */
#define FILE_MAX (1024 * 1024)

static const struct {
	const char *ext;
	const char *type;
} content_types[] = {
	{ ".html", "text/html; charset=utf-8" },
	{ ".js", "text/javascript; charset=utf-8" },
	{ ".css", "text/css; charset=utf-8" },
	{ ".svg", "image/svg+xml" },
	{ ".png", "image/png" },
	{ ".ico", "image/x-icon" },
	{ ".woff2", "font/woff2" },
};

bool display_web_file_name_ok(const char *name, const char **type)
{
	size_t len = strlen(name);
	size_t i;

	if (!len || len > 64 || name[0] == '.' ||
	    strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") != len)
		return false;
	for (i = 0; i < ARRAY_SIZE(content_types); i++) {
		size_t n = strlen(content_types[i].ext);

		if (len > n && strcmp(name + len - n, content_types[i].ext) == 0) {
			*type = content_types[i].type;
			return true;
		}
	}
	return false;
}

static int read_file(const char *dir, const char *name, char **ret, size_t *ret_len)
{
	char path[512];
	struct stat st;
	char *buf;
	size_t got = 0;
	int fd, r;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > FILE_MAX) {
		r = -EINVAL;
		goto err_close;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		r = -ENOMEM;
		goto err_close;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	*ret = buf;
	*ret_len = got;
	return 0;

err_close:
	close(fd);
	return r;
}

/* text with each "@TOKEN@" replaced by token, in a new buffer. */
static char *put_token(const char *text, size_t len, const char *token, size_t *ret_len)
{
	static const char mark[] = "@TOKEN@";
	size_t marks = 0, o = 0;
	const char *p;
	char *out;

	for (p = strstr(text, mark); p; p = strstr(p + 1, mark))
		marks++;
	out = malloc(len + marks * strlen(token) + 1);
	if (!out)
		return NULL;
	for (p = text; *p;) {
		const char *m = strstr(p, mark);
		size_t n = m ? (size_t)(m - p) : strlen(p);

		memcpy(out + o, p, n);
		o += n;
		p += n;
		if (m) {
			memcpy(out + o, token, strlen(token));
			o += strlen(token);
			p += sizeof(mark) - 1;
		}
	}
	out[o] = '\0';
	*ret_len = o;
	return out;
}

void display_web_common_headers(struct MHD_Response *response)
{
	MHD_add_response_header(response, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(response, "X-Frame-Options", "DENY");
	MHD_add_response_header(response, "Referrer-Policy", "no-referrer");
}

struct MHD_Response *display_web_file(const char *dir, const char *name, const char *token)
{
	struct MHD_Response *response;
	const char *type;
	bool page = strcmp(name, "index.html") == 0;
	char *body;
	size_t len;

	if (!display_web_file_name_ok(name, &type) || read_file(dir, name, &body, &len) < 0)
		return NULL;
	if (page) {
		char *filled = put_token(body, len, token, &len);

		free(body);
		if (!filled)
			return NULL;
		body = filled;
	}
	response = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (!response) {
		free(body);
		return NULL;
	}
	MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	display_web_common_headers(response);
	if (page) {
		MHD_add_response_header(response, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
		/* The page runs only its own files: no inline script, nothing from elsewhere. */
		MHD_add_response_header(response, "Content-Security-Policy",
					"default-src 'self'; frame-ancestors 'none'; "
					"base-uri 'none'; form-action 'none'");
	}
	return response;
}
