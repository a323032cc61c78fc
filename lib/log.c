/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

static bool log_to_stderr = true;
static enum log_level log_threshold = LOG_LEVEL_INFO;

static const int syslog_priority[] = {
	[LOG_LEVEL_ERR] = LOG_ERR,       [LOG_LEVEL_WARNING] = LOG_WARNING,
	[LOG_LEVEL_NOTICE] = LOG_NOTICE, [LOG_LEVEL_INFO] = LOG_INFO,
	[LOG_LEVEL_DEBUG] = LOG_DEBUG,
};

static const char *const level_tag[] = {
	[LOG_LEVEL_ERR] = "error",   [LOG_LEVEL_WARNING] = "warning", [LOG_LEVEL_NOTICE] = "notice",
	[LOG_LEVEL_INFO] = "info",   [LOG_LEVEL_DEBUG] = "debug",
};

void log_open(bool to_stderr, enum log_level level)
{
	log_to_stderr = to_stderr;
	log_threshold = level;
	if (!to_stderr)
		openlog("circd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void log_set_level(enum log_level level)
{
	log_threshold = level;
}

void log_close(void)
{
	if (!log_to_stderr)
		closelog();
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	if (level > log_threshold)
		return;
	va_start(ap, fmt);
	if (log_to_stderr) {
		char stamp[32];
		struct timespec ts;
		struct tm tm;

		clock_gettime(CLOCK_REALTIME, &ts);
		localtime_r(&ts.tv_sec, &tm);
		strftime(stamp, sizeof(stamp), "%H:%M:%S", &tm);
		fprintf(stderr, "%s.%03ld circd %s: ", stamp, ts.tv_nsec / 1000000L, level_tag[level]);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	} else {
		vsyslog(syslog_priority[level], fmt, ap);
	}
	va_end(ap);
}
