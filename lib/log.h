/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Logging: syslog (LOG_DAEMON), or stderr with -f; under systemd, when
 * stderr is the journal's stream ($JOURNAL_STREAM, lib/journal.h), each
 * record goes to journald itself with its priority and fields:
 * SYSLOG_IDENTIFIER=circd, CIRCD_KIOSK_ID, CIRCD_TXN (log_txn()),
 * CODE_FILE/CODE_LINE/CODE_FUNC. A record journald does not take (it is
 * restarting, or the record is too long) goes to stderr as with -f, which
 * reaches the journal all the same.
 *
 * Only firmware/ logs; libraries and hal/ return errors or report through
 * their owner. Patron ids go through mask_patron() (firmware/patron-id.h);
 * PINs are never passed here.
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

/*
 * The journal when $JOURNAL_STREAM is stderr's, else syslog or stderr.
 * $CIRCD_JOURNAL_SOCKET, for tests only, replaces journald's socket path.
 */
void log_open(bool to_stderr, enum log_level level);
void log_set_level(enum log_level level);
/* CIRCD_KIOSK_ID of the records that follow (copied; "" or NULL: none). */
void log_set_kiosk_id(const char *kiosk_id);
void log_close(void);

/* txn_id (NULL: none) is the transaction the record is about, CIRCD_TXN in the journal. */
void log_record(enum log_level level, const char *txn_id, const char *file, int line,
		const char *func, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

#define log_msg(level, ...) log_record(level, NULL, __FILE__, __LINE__, __func__, __VA_ARGS__)
#define log_txn(level, txn_id, ...) \
	log_record(level, txn_id, __FILE__, __LINE__, __func__, __VA_ARGS__)

#define log_err(...) log_msg(LOG_LEVEL_ERR, __VA_ARGS__)
#define log_warning(...) log_msg(LOG_LEVEL_WARNING, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_LEVEL_NOTICE, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)

#endif
