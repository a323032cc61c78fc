/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "journal.h"

/* A record's text; a longer one goes to stderr whole instead. */
#define LOG_MESSAGE_MAX 4096

static bool log_to_stderr = true;
static enum log_level log_threshold = LOG_LEVEL_INFO;
static int journal_fd = -1;
static struct sockaddr_un journal_addr;
static socklen_t journal_addr_len;
static char kiosk_id[128];

static const int syslog_priority[] = {
	[LOG_LEVEL_ERR] = LOG_ERR,       [LOG_LEVEL_WARNING] = LOG_WARNING,
	[LOG_LEVEL_NOTICE] = LOG_NOTICE, [LOG_LEVEL_INFO] = LOG_INFO,
	[LOG_LEVEL_DEBUG] = LOG_DEBUG,
};

static const char *const level_tag[] = {
	[LOG_LEVEL_ERR] = "error",   [LOG_LEVEL_WARNING] = "warning", [LOG_LEVEL_NOTICE] = "notice",
	[LOG_LEVEL_INFO] = "info",   [LOG_LEVEL_DEBUG] = "debug",
};

/* Under systemd with stderr to the journal: its socket, or -1 (then stderr or syslog). */
static int journal_open(void)
{
	const char *path = getenv("CIRCD_JOURNAL_SOCKET");
	size_t len;
	int fd;

	if (!journal_stream_is(STDERR_FILENO, getenv("JOURNAL_STREAM")))
		return -1;
	if (!path || !*path)
		path = JOURNAL_SOCKET;
	len = strlen(path);
	if (len >= sizeof(journal_addr.sun_path))
		return -1;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	journal_addr.sun_family = AF_UNIX;
	memcpy(journal_addr.sun_path, path, len + 1);
	journal_addr_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + 1);
	return fd;
}

void log_open(bool to_stderr, enum log_level level)
{
	log_to_stderr = to_stderr;
	log_threshold = level;
	journal_fd = journal_open();
	/* Records journald does not take go to stderr, which is its stream. */
	if (journal_fd >= 0)
		log_to_stderr = true;
	if (!log_to_stderr)
		openlog("circd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void log_set_level(enum log_level level)
{
	log_threshold = level;
}

void log_set_kiosk_id(const char *id)
{
	snprintf(kiosk_id, sizeof(kiosk_id), "%s", id ? id : "");
}

void log_close(void)
{
	if (journal_fd >= 0)
		close(journal_fd);
	journal_fd = -1;
	if (!log_to_stderr)
		closelog();
}

/* 0, or -errno: the caller writes the record elsewhere. */
static int journal_send(enum log_level level, const char *txn_id, const char *file, int line,
			const char *func, const char *message, size_t message_len)
{
	char priority[2] = { (char)('0' + syslog_priority[level]), '\0' }, line_no[16];
	char datagram[LOG_MESSAGE_MAX + 1024];
	struct journal_field fields[8];
	size_t n = 0, len;
	int r;

	fields[n++] = (struct journal_field){ "MESSAGE", message, message_len };
	fields[n++] = (struct journal_field){ "PRIORITY", priority, 1 };
	fields[n++] = (struct journal_field){ "SYSLOG_IDENTIFIER", "circd", 5 };
	if (kiosk_id[0])
		fields[n++] =
			(struct journal_field){ "CIRCD_KIOSK_ID", kiosk_id, strlen(kiosk_id) };
	if (txn_id && *txn_id)
		fields[n++] = (struct journal_field){ "CIRCD_TXN", txn_id, strlen(txn_id) };
	snprintf(line_no, sizeof(line_no), "%d", line);
	fields[n++] = (struct journal_field){ "CODE_FILE", file, strlen(file) };
	fields[n++] = (struct journal_field){ "CODE_LINE", line_no, strlen(line_no) };
	fields[n++] = (struct journal_field){ "CODE_FUNC", func, strlen(func) };
	r = journal_encode(fields, n, datagram, sizeof(datagram), &len);
	if (r < 0)
		return r;
	if (sendto(journal_fd, datagram, len, MSG_NOSIGNAL, (const struct sockaddr *)&journal_addr,
		   journal_addr_len) != (ssize_t)len)
		return errno ? -errno : -EIO;
	return 0;
}

static void stderr_write(enum log_level level, const char *message)
{
	char stamp[32];
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%H:%M:%S", &tm);
	fprintf(stderr, "%s.%03ld circd %s: %s\n", stamp, ts.tv_nsec / 1000000L, level_tag[level],
		message);
}

void log_record(enum log_level level, const char *txn_id, const char *file, int line,
		const char *func, const char *fmt, ...)
{
	char message[LOG_MESSAGE_MAX];
	char *whole = NULL;
	va_list ap;
	int n;

	if (level > log_threshold)
		return;
	va_start(ap, fmt);
	n = vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (journal_fd >= 0 && (size_t)n < sizeof(message) &&
	    journal_send(level, txn_id, file, line, func, message, (size_t)n) == 0)
		return;
	/* Too long for the buffer: formatted again, whole, rather than cut. */
	if ((size_t)n >= sizeof(message)) {
		va_start(ap, fmt);
		if (vasprintf(&whole, fmt, ap) < 0)
			whole = NULL;
		va_end(ap);
	}
	if (log_to_stderr)
		stderr_write(level, whole ? whole : message);
	else
		syslog(syslog_priority[level], "%s", whole ? whole : message);
	free(whole);
}
