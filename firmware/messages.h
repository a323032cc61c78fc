/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What circd says to patrons, by message id; the words are in catalogs, one
 * file per language (ui/messages/<lang>.msg, format in lib/catalog.h),
 * installed under $(PREFIX)/share/circd/ui/messages.
 *
 * English (en.msg) is required and complete: a key missing there, or a text
 * with a parameter its message does not have, stops circd at start. Another
 * language may lack texts (English is shown for those, never an id); its
 * faults are logged and the faulty texts left out.
 *
 * Ownership: messages_load() returns an object the caller frees with
 * messages_free(), which accepts NULL. Texts rendered are the caller's.
 */
#ifndef CIRCD_MESSAGES_H
#define CIRCD_MESSAGES_H

#include <stdbool.h>
#include <stddef.h>

#include "catalog.h"
#include "ils-date.h"
#include "inifile.h"

enum msg_id {
	MSG_DATE_FORMAT,
	MSG_DATE_DAYS_SHORT,
	MSG_DATE_DAYS,
	MSG_DATE_MONTHS_SHORT,
	MSG_DATE_MONTHS,
	MSG_WELCOME_SELFCHECK,
	MSG_WELCOME_RETURNS,
	MSG_WELCOME_CONNECTING,
	MSG_WELCOME_OFFLINE,
	MSG_WELCOME_OUT_OF_SERVICE,
	MSG_BIN_FULL,
	MSG_STORE_OUT_OF_SERVICE,
	MSG_STORE_NOT_RECORDED,
	MSG_LINK_WENT_OFFLINE,
	MSG_LINK_NO_ANSWER,
	MSG_SCAN_WAIT,
	MSG_SCAN_BAD_READ,
	MSG_SCAN_UNKNOWN_CARD,
	MSG_SCAN_UNKNOWN_BARCODE,
	MSG_SCAN_NO_CARD_NEEDED,
	MSG_SCAN_CARD_AT_ITEM_SCANNER,
	MSG_SCAN_ITEM_AT_CARD_READER,
	MSG_PATRON_CHECKING,
	MSG_PATRON_PIN,
	MSG_PATRON_PIN_WRONG,
	MSG_PATRON_PIN_RETRY,
	MSG_PATRON_BLOCKED,
	MSG_PATRON_HELLO,
	MSG_PATRON_HELLO_NAMED,
	MSG_PATRON_OFFLINE,
	MSG_PATRON_OFFLINE_LIMITED,
	MSG_PATRON_SIGNED_IN,
	MSG_PATRON_OTHER_CARD,
	MSG_PATRON_PIN_FIRST,
	MSG_PATRON_CARD_FIRST,
	MSG_PATRON_SESSION_ENDED,
	MSG_PATRON_NOTE_RENEWAL_DENIED,
	MSG_PATRON_NOTE_HOLD_DENIED,
	MSG_PATRON_NOTE_TOO_MANY_CHARGED,
	MSG_PATRON_NOTE_TOO_MANY_OVERDUE,
	MSG_PATRON_NOTE_RECALL_OVERDUE,
	MSG_PATRON_NOTE_EXCESSIVE_FINES,
	MSG_PATRON_NOTE_EXCESSIVE_FEES,
	MSG_PATRON_NOTE_TOO_MANY_LOST,
	MSG_CHECKOUT_DONE,
	MSG_CHECKOUT_RENEWED,
	MSG_CHECKOUT_TITLED,
	MSG_CHECKOUT_DUE,
	MSG_CHECKOUT_ALREADY,
	MSG_CHECKOUT_YOURS_ALREADY,
	MSG_CHECKOUT_ON_LOAN,
	MSG_CHECKOUT_NOT_ALLOWED,
	MSG_CHECKOUT_OFFLINE_OFF,
	MSG_CHECKOUT_OFFLINE_OFF_SHORT,
	MSG_CHECKOUT_OFFLINE_LIMIT,
	MSG_RECEIPT_BORROWED_ONE,
	MSG_RECEIPT_BORROWED_OTHER,
	MSG_RECEIPT_LINE,
	MSG_RECEIPT_LINE_TITLED,
	MSG_RETURN_DONE,
	MSG_RETURN_OFFLINE_NOTE,
	MSG_RETURN_ALREADY,
	MSG_RETURN_REFUSED,
	MSG_RETURN_BIN_FULL,
	MSG_RETURN_PAUSED,
	MSG_RETURN_OFFLINE_OFF,
	MSG_RETURN_ALERT_HOLD_HERE,
	MSG_RETURN_ALERT_HOLD_ELSEWHERE,
	MSG_RETURN_ALERT_TRANSIT,
	MSG_RETURN_ALERT_TRANSIT_ELSEWHERE,
	MSG_RETURN_ALERT_OTHER,
	MSG_RECEIPT_RETURNED_ONE,
	MSG_RECEIPT_RETURNED_OTHER,
	MSG_RFID_NO_CARD_NEEDED,
	MSG_RFID_BLANK,
	MSG_RFID_DAMAGED,
	MSG_RFID_NOT_RETURNABLE,
	MSG_RFID_NOT_BORROWABLE,
	MSG_RFID_OTHER_LIBRARY,
	MSG_RFID_TOO_MANY,
	MSG_RFID_PARTS_MISSING_ONE,
	MSG_RFID_PARTS_MISSING_OTHER,
	MSG_RFID_RETURN_NOT_SECURED,
	MSG_RFID_NOT_SECURED_OFF,
	MSG_RFID_NOT_SECURED_ON,
	MSG_RECEIPT_PRINT_WHEN,
	MSG_RECEIPT_PRINT_CARD,
	MSG_RECEIPT_PRINT_DUE,
	MSG_RECEIPT_PRINT_OFFLINE,
	MSG_RECEIPT_UNAVAILABLE,
	MSG_LANGUAGE_NAME,
	MSG_SCREEN_LANGUAGE,
	MSG_SCREEN_DONE,
	MSG_SCREEN_HELP,
	MSG_SCREEN_HELP_TEXT,
	MSG_SCREEN_PIN_LABEL,
	MSG_SCREEN_PIN_OK,
	MSG_SCREEN_PIN_DELETE,
	MSG_SCREEN_ITEMS,
	MSG_SCREEN_ENDING,
	MSG_SCREEN_GONE,
	MSG_SCREEN_RECEIPT_QUESTION,
	MSG_SCREEN_YES,
	MSG_SCREEN_NO,
	MSG_COUNT
};

/* A language tag: "en", "de", "pt-br" (the catalog's file name). */
#define MESSAGES_LANG_MAX 16

struct messages;

/*
 * Every <lang>.msg in dir. -ENOENT (no en.msg), -EINVAL (en.msg faulty or
 * incomplete), with *err saying which file and line; -ENOMEM.
 */
int messages_load(const char *dir, struct messages **ret, struct file_error *err);
void messages_free(struct messages *m);

/* Whether lang has a catalog of its own (else English is shown). */
bool messages_have(const struct messages *m, const char *lang);
/* The languages loaded, "de en fr", for logs and circctl status. */
void messages_languages(const struct messages *m, char *out, size_t size);

/*
 * Message id in lang (English where lang lacks it), its parameters from
 * args (ended by an arg whose name is NULL; NULL for none), appended to out
 * (size bytes, NUL-terminated: used so far is strlen(out)). 0, or -ENOSPC
 * when it was cut (at a character boundary).
 */
int messages_append(const struct messages *m, const char *lang, enum msg_id id,
		    const struct catalog_arg *args, char *out, size_t size);
/* one or other, as count takes the singular or the plural in lang. */
enum msg_id messages_plural(const struct messages *m, const char *lang, unsigned long count,
			    enum msg_id one, enum msg_id other);

/*
 * How lang writes a date: its strftime format (date.format), unless format
 * (the site's [kiosk] date_format; NULL or "": none) says otherwise, and the
 * day and month names of its date.* lists, English's where lang lacks them.
 * Owned by m (or the caller's format).
 */
const char *messages_date_format(const struct messages *m, const char *lang, const char *format);
const struct date_names *messages_date_names(const struct messages *m, const char *lang);

/* args for messages_append(): MSG_ARGS({ "item", item }, { "due", due }). */
#define MSG_ARGS(...) ((const struct catalog_arg[]){ __VA_ARGS__, { NULL, NULL } })

#endif
