/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Logging: syslog (LOG_DAEMON), or stderr with -f. Only firmware/ logs;
 * libraries and hal/ return errors or report through their owner. Patron
 * ids go through mask_patron() (firmware/patron-id.h); PINs are never
 * passed here.
 */
#ifndef CIRCD_LOG_H
#define CIRCD_LOG_H

#include <stdbool.h>

enum log_level {
	LOG_LEVEL_ERR,
	LOG_LEVEL_WARNING,
	LOG_LEVEL_NOTICE,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
};

void log_open(bool to_stderr, enum log_level level);
void log_set_level(enum log_level level);
void log_close(void);

void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_err(...) log_msg(LOG_LEVEL_ERR, __VA_ARGS__)
#define log_warning(...) log_msg(LOG_LEVEL_WARNING, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_LEVEL_NOTICE, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)


#endif
