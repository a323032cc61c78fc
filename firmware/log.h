/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Logging, for firmware/ only: syslog (LOG_DAEMON), or stderr with -f.
 * Patron ids go through mask_patron(); PINs are never passed here.
 */
#ifndef CIRCD_LOG_H
#define CIRCD_LOG_H

#include <stdbool.h>

#include "config.h"

void log_open(bool to_stderr, enum log_level level);
void log_set_level(enum log_level level);
void log_close(void);

void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_err(...) log_msg(LOG_LEVEL_ERR, __VA_ARGS__)
#define log_warning(...) log_msg(LOG_LEVEL_WARNING, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_LEVEL_NOTICE, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)

/* "***4567": enough for staff to tell patrons apart, not to identify one. */
struct masked_id {
	char s[16];
};
struct masked_id mask_patron(const char *id);

#endif
