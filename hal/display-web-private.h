/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared by display-web.c (the daemon on the loop, the pushed state, the
 * posted touches) and display-web-files.c (the page's files).
 */
#ifndef CIRCD_HAL_DISPLAY_WEB_PRIVATE_H
#define CIRCD_HAL_DISPLAY_WEB_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>

#include <microhttpd.h>

/* The per-start token: 128 random bits in hex. */
#define DISPLAY_WEB_TOKEN_LEN 32

/*
 * Whether name (the URL path without its leading '/') may be served from the
 * page's folder: one path segment of [A-Za-z0-9._-], not starting with a dot,
 * with an extension the page uses. Anything else, "../x" and "a/b" included,
 * is not found: no name can leave the folder. *type gets the Content-Type.
 */
bool display_web_file_name_ok(const char *name, const char **type);

/*
 * The response for file name in dir (NULL: not found or unreadable). The
 * page itself (index.html) gets token put in for its "@TOKEN@" and is never
 * cached, so a restarted circd's page carries the new token.
 */
struct MHD_Response *display_web_file(const char *dir, const char *name, const char *token);

/* Headers every response carries: no sniffing, no framing, no referrer. */
void display_web_common_headers(struct MHD_Response *response);

#endif
