/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Patron texts by message id, from the catalogs (see messages.h). */
#include "messages.h"

#include <dirent.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "util.h"

#define MESSAGES_LANGS_MAX 32
#define PARAMS_MAX 4

/* Each message: its key, and the parameters circd fills in (the text may use fewer). */
static const struct {
	const char *key;
	const char *params[PARAMS_MAX];
} table[MSG_COUNT] = {
	[MSG_DATE_FORMAT] = { .key = "date.format" },
	[MSG_DATE_DAYS_SHORT] = { .key = "date.days_short" },
	[MSG_DATE_DAYS] = { .key = "date.days" },
	[MSG_DATE_MONTHS_SHORT] = { .key = "date.months_short" },
	[MSG_DATE_MONTHS] = { .key = "date.months" },
	[MSG_WELCOME_SELFCHECK] = { .key = "welcome.selfcheck" },
	[MSG_WELCOME_RETURNS] = { .key = "welcome.returns" },
	[MSG_WELCOME_CONNECTING] = { .key = "welcome.connecting" },
	[MSG_WELCOME_OFFLINE] = { .key = "welcome.offline" },
	[MSG_WELCOME_OUT_OF_SERVICE] = { .key = "welcome.out_of_service" },
	[MSG_BIN_FULL] = { .key = "bin.full" },
	[MSG_STORE_OUT_OF_SERVICE] = { .key = "store.out_of_service" },
	[MSG_STORE_NOT_RECORDED] = { .key = "store.not_recorded" },
	[MSG_LINK_WENT_OFFLINE] = { .key = "link.went_offline" },
	[MSG_LINK_NO_ANSWER] = { .key = "link.no_answer" },
	[MSG_SCAN_WAIT] = { .key = "scan.wait" },
	[MSG_SCAN_BAD_READ] = { .key = "scan.bad_read" },
	[MSG_SCAN_UNKNOWN_CARD] = { .key = "scan.unknown_card" },
	[MSG_SCAN_UNKNOWN_BARCODE] = { .key = "scan.unknown_barcode" },
	[MSG_SCAN_NO_CARD_NEEDED] = { .key = "scan.no_card_needed" },
	[MSG_SCAN_CARD_AT_ITEM_SCANNER] = { .key = "scan.card_at_item_scanner" },
	[MSG_SCAN_ITEM_AT_CARD_READER] = { .key = "scan.item_at_card_reader" },
	[MSG_PATRON_CHECKING] = { .key = "patron.checking" },
	[MSG_PATRON_PIN] = { .key = "patron.pin" },
	[MSG_PATRON_PIN_WRONG] = { .key = "patron.pin_wrong" },
	[MSG_PATRON_PIN_RETRY] = { .key = "patron.pin_retry" },
	[MSG_PATRON_BLOCKED] = { .key = "patron.blocked" },
	[MSG_PATRON_HELLO] = { .key = "patron.hello" },
	[MSG_PATRON_HELLO_NAMED] = { .key = "patron.hello_named", .params = { "name" } },
	[MSG_PATRON_OFFLINE] = { .key = "patron.offline" },
	[MSG_PATRON_OFFLINE_LIMITED] = { .key = "patron.offline_limited" },
	[MSG_PATRON_SIGNED_IN] = { .key = "patron.signed_in" },
	[MSG_PATRON_OTHER_CARD] = { .key = "patron.other_card" },
	[MSG_PATRON_PIN_FIRST] = { .key = "patron.pin_first" },
	[MSG_PATRON_CARD_FIRST] = { .key = "patron.card_first" },
	[MSG_PATRON_SESSION_ENDED] = { .key = "patron.session_ended" },
	[MSG_PATRON_NOTE_RENEWAL_DENIED] = { .key = "patron.note.renewal_denied" },
	[MSG_PATRON_NOTE_HOLD_DENIED] = { .key = "patron.note.hold_denied" },
	[MSG_PATRON_NOTE_TOO_MANY_CHARGED] = { .key = "patron.note.too_many_charged" },
	[MSG_PATRON_NOTE_TOO_MANY_OVERDUE] = { .key = "patron.note.too_many_overdue" },
	[MSG_PATRON_NOTE_RECALL_OVERDUE] = { .key = "patron.note.recall_overdue" },
	[MSG_PATRON_NOTE_EXCESSIVE_FINES] = { .key = "patron.note.excessive_fines" },
	[MSG_PATRON_NOTE_EXCESSIVE_FEES] = { .key = "patron.note.excessive_fees" },
	[MSG_PATRON_NOTE_TOO_MANY_LOST] = { .key = "patron.note.too_many_lost" },
	[MSG_CHECKOUT_DONE] = { .key = "checkout.done", .params = { "what" } },
	[MSG_CHECKOUT_RENEWED] = { .key = "checkout.renewed", .params = { "what" } },
	[MSG_CHECKOUT_TITLED] = { .key = "checkout.titled", .params = { "title", "item" } },
	[MSG_CHECKOUT_DUE] = { .key = "checkout.due", .params = { "due" } },
	[MSG_CHECKOUT_ALREADY] = { .key = "checkout.already", .params = { "item" } },
	[MSG_CHECKOUT_YOURS_ALREADY] = { .key = "checkout.yours_already", .params = { "item", "due" } },
	[MSG_CHECKOUT_ON_LOAN] = { .key = "checkout.on_loan" },
	[MSG_CHECKOUT_NOT_ALLOWED] = { .key = "checkout.not_allowed" },
	[MSG_CHECKOUT_OFFLINE_OFF] = { .key = "checkout.offline_off" },
	[MSG_CHECKOUT_OFFLINE_OFF_SHORT] = { .key = "checkout.offline_off_short" },
	[MSG_CHECKOUT_OFFLINE_LIMIT] = { .key = "checkout.offline_limit", .params = { "max" } },
	[MSG_RECEIPT_BORROWED_ONE] = { .key = "receipt.borrowed.one", .params = { "count" } },
	[MSG_RECEIPT_BORROWED_OTHER] = { .key = "receipt.borrowed.other", .params = { "count" } },
	[MSG_RECEIPT_LINE] = { .key = "receipt.line", .params = { "item", "due" } },
	[MSG_RECEIPT_LINE_TITLED] = { .key = "receipt.line_titled", .params = { "title", "item", "due" } },
	[MSG_RETURN_DONE] = { .key = "return.done", .params = { "item" } },
	[MSG_RETURN_OFFLINE_NOTE] = { .key = "return.offline_note" },
	[MSG_RETURN_ALREADY] = { .key = "return.already", .params = { "item" } },
	[MSG_RETURN_REFUSED] = { .key = "return.refused" },
	[MSG_RETURN_BIN_FULL] = { .key = "return.bin_full" },
	[MSG_RETURN_PAUSED] = { .key = "return.paused" },
	[MSG_RETURN_OFFLINE_OFF] = { .key = "return.offline_off" },
	[MSG_RETURN_ALERT_HOLD_HERE] = { .key = "return.alert.hold_here" },
	[MSG_RETURN_ALERT_HOLD_ELSEWHERE] = { .key = "return.alert.hold_elsewhere" },
	[MSG_RETURN_ALERT_TRANSIT] = { .key = "return.alert.transit", .params = { "place" } },
	[MSG_RETURN_ALERT_TRANSIT_ELSEWHERE] = { .key = "return.alert.transit_elsewhere" },
	[MSG_RETURN_ALERT_OTHER] = { .key = "return.alert.other" },
	[MSG_RECEIPT_RETURNED_ONE] = { .key = "receipt.returned.one", .params = { "count" } },
	[MSG_RECEIPT_RETURNED_OTHER] = { .key = "receipt.returned.other", .params = { "count" } },
	[MSG_RFID_NO_CARD_NEEDED] = { .key = "rfid.no_card_needed" },
	[MSG_RFID_BLANK] = { .key = "rfid.blank" },
	[MSG_RFID_DAMAGED] = { .key = "rfid.damaged" },
	[MSG_RFID_NOT_RETURNABLE] = { .key = "rfid.not_returnable", .params = { "item" } },
	[MSG_RFID_NOT_BORROWABLE] = { .key = "rfid.not_borrowable", .params = { "item" } },
	[MSG_RFID_OTHER_LIBRARY] = { .key = "rfid.other_library", .params = { "item", "owner" } },
	[MSG_RFID_TOO_MANY] = { .key = "rfid.too_many" },
	[MSG_RFID_PARTS_MISSING_ONE] = { .key = "rfid.parts_missing.one",
					 .params = { "item", "size", "here", "missing" } },
	[MSG_RFID_PARTS_MISSING_OTHER] = { .key = "rfid.parts_missing.other",
					   .params = { "item", "size", "here", "missing" } },
	[MSG_RFID_RETURN_NOT_SECURED] = { .key = "rfid.return_not_secured", .params = { "item" } },
	[MSG_RFID_NOT_SECURED_OFF] = { .key = "rfid.not_secured_off", .params = { "item" } },
	[MSG_RFID_NOT_SECURED_ON] = { .key = "rfid.not_secured_on", .params = { "item" } },
	[MSG_RECEIPT_PRINT_WHEN] = { .key = "receipt.print.when", .params = { "date", "time" } },
	[MSG_RECEIPT_PRINT_CARD] = { .key = "receipt.print.card", .params = { "card" } },
	[MSG_RECEIPT_PRINT_DUE] = { .key = "receipt.print.due", .params = { "due" } },
	[MSG_RECEIPT_PRINT_OFFLINE] = { .key = "receipt.print.offline" },
	[MSG_RECEIPT_UNAVAILABLE] = { .key = "receipt.unavailable" },
	[MSG_LANGUAGE_NAME] = { .key = "language.name" },
	[MSG_SCREEN_LANGUAGE] = { .key = "screen.language" },
	[MSG_SCREEN_DONE] = { .key = "screen.done" },
	[MSG_SCREEN_HELP] = { .key = "screen.help" },
	[MSG_SCREEN_HELP_TEXT] = { .key = "screen.help_text" },
	[MSG_SCREEN_PIN_LABEL] = { .key = "screen.pin_label" },
	[MSG_SCREEN_PIN_OK] = { .key = "screen.pin_ok" },
	[MSG_SCREEN_PIN_DELETE] = { .key = "screen.pin_delete" },
	[MSG_SCREEN_ITEMS] = { .key = "screen.items" },
	[MSG_SCREEN_ENDING] = { .key = "screen.ending", .params = { "seconds" } },
	[MSG_SCREEN_GONE] = { .key = "screen.gone" },
	[MSG_SCREEN_RECEIPT_QUESTION] = { .key = "screen.receipt_question" },
	[MSG_SCREEN_YES] = { .key = "screen.yes" },
	[MSG_SCREEN_NO] = { .key = "screen.no" },
};

struct language {
	char name[MESSAGES_LANG_MAX];
	struct catalog *catalog;
	const char *text[MSG_COUNT]; /* NULL: English is shown */
	struct date_names names;     /* into the lists below; NULLs: English's */
	char *lists[4];              /* date.* lists, their commas made NULs */
};

/* The name lists: each message, where its names go in struct date_names, how many. */
static const struct {
	enum msg_id id;
	size_t offset, count;
} name_lists[4] = {
	{ MSG_DATE_DAYS_SHORT, offsetof(struct date_names, days_short), 7 },
	{ MSG_DATE_DAYS, offsetof(struct date_names, days), 7 },
	{ MSG_DATE_MONTHS_SHORT, offsetof(struct date_names, months_short), 12 },
	{ MSG_DATE_MONTHS, offsetof(struct date_names, months), 12 },
};

struct messages {
	struct language langs[MESSAGES_LANGS_MAX];
	size_t n;
	const struct language *english;
};

static size_t params_of(enum msg_id id)
{
	size_t n = 0;

	while (n < PARAMS_MAX && table[id].params[n])
		n++;
	return n;
}

static enum msg_id id_of_key(const char *key)
{
	for (unsigned i = 0; i < MSG_COUNT; i++)
		if (strcmp(table[i].key, key) == 0)
			return (enum msg_id)i;
	return MSG_COUNT;
}

/* "de", "pt-br": the file names taken for languages. */
static bool lang_name_ok(const char *name, size_t len)
{
	if (len < 2 || len >= MESSAGES_LANG_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] == '-' && i >= 2)))
			return false;
	return true;
}

/*
 * The date.* lists of l cut into names (7 days, 12 months, none empty).
 * A list that is not: fatal for English, English's names elsewhere.
 */
static int split_names(struct language *l, const char *path, struct file_error *err)
{
	bool english = strcmp(l->name, "en") == 0;

	for (size_t i = 0; i < ARRAY_SIZE(name_lists); i++) {
		const char *text = l->text[name_lists[i].id];
		const char **names = (const char **)((char *)&l->names + name_lists[i].offset);
		size_t n = 0;
		char *list, *p;
		bool ok;

		if (!text)
			continue;
		list = strdup(text);
		if (!list)
			return -ENOMEM;
		for (p = list; p && n < name_lists[i].count; n++) {
			names[n] = p;
			p = strchr(p, ',');
			if (p)
				*p++ = '\0';
		}
		l->lists[i] = list;
		ok = n == name_lists[i].count && !p;
		for (size_t j = 0; ok && j < n; j++)
			ok = names[j][0] != '\0';
		if (ok)
			continue;
		for (size_t j = 0; j < name_lists[i].count; j++)
			names[j] = NULL;
		if (english) {
			file_error_set(err, path, 0, "%s: %zu names, not empty, separated by commas",
				       table[name_lists[i].id].key, name_lists[i].count);
			return -EINVAL;
		}
		log_warning("%s: %s is not %zu names separated by commas (English's shown)", path,
			    table[name_lists[i].id].key, name_lists[i].count);
	}
	return 0;
}

/*
 * Keys it knows, each text checked against its message's parameters. For
 * English a fault is fatal (err filled); elsewhere it is logged and the
 * text left out.
 */
static int judge(struct language *l, const char *path, struct file_error *err)
{
	bool english = strcmp(l->name, "en") == 0;
	unsigned missing = 0;

	for (size_t i = 0; i < catalog_count(l->catalog); i++) {
		const char *key = catalog_key(l->catalog, i);
		enum msg_id id = id_of_key(key);
		const char *text = catalog_get(l->catalog, key);

		if (id == MSG_COUNT) {
			log_warning("%s: no message is called %s (left out)", path, key);
			continue;
		}
		if (!catalog_params_ok(text, table[id].params, params_of(id))) {
			if (english) {
				file_error_set(err, path, 0, "%s names a parameter its message does "
							     "not have",
					       key);
				return -EINVAL;
			}
			log_warning("%s: %s names a parameter its message does not have (English "
				    "shown instead)",
				    path, key);
			continue;
		}
		l->text[id] = text;
	}
	for (unsigned i = 0; i < MSG_COUNT; i++) {
		if (l->text[i])
			continue;
		if (english) {
			file_error_set(err, path, 0, "no text for %s: the English catalog must "
						     "have every message",
				       table[i].key);
			return -EINVAL;
		}
		missing++;
	}
	if (missing)
		log_notice("%s: %u of %u texts missing: English shown for those", path, missing,
			   (unsigned)MSG_COUNT);
	return split_names(l, path, err);
}

static void free_language(struct language *l)
{
	catalog_free(l->catalog);
	for (size_t i = 0; i < ARRAY_SIZE(l->lists); i++)
		free(l->lists[i]);
}

static int load_one(struct messages *m, const char *dir, const char *name, size_t len,
		    struct file_error *err)
{
	struct language *l = &m->langs[m->n];
	char path[512], *text = NULL;
	const char *why = NULL;
	unsigned line = 0;
	int r;

	if ((size_t)snprintf(path, sizeof(path), "%s/%.*s.msg", dir, (int)len, name) >=
	    sizeof(path)) {
		file_error_set(err, dir, 0, "path too long");
		return -ENAMETOOLONG;
	}
	memset(l, 0, sizeof(*l));
	memcpy(l->name, name, len);
	r = inifile_read(path, &text, err);
	if (r < 0)
		return r;
	r = catalog_parse(text, strlen(text), &l->catalog, &line, &why);
	free(text);
	if (r < 0) {
		file_error_set(err, path, (int)line, "%s", why ? why : strerror(-r));
		return r;
	}
	r = judge(l, path, err);
	if (r < 0) {
		free_language(l);
		return r;
	}
	m->n++;
	return 0;
}

int messages_load(const char *dir, struct messages **ret, struct file_error *err)
{
	struct messages *m;
	struct dirent *e;
	DIR *d;
	int r = 0;

	*ret = NULL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	d = opendir(dir);
	if (!d) {
		r = -errno;
		file_error_set(err, dir, 0, "cannot open the message catalogs: %s", strerror(-r));
		goto err_free;
	}
	while ((e = readdir(d)) && r >= 0) {
		size_t len = strlen(e->d_name);
		struct file_error one = { 0 };

		if (len < 5 || strcmp(e->d_name + len - 4, ".msg") != 0)
			continue;
		if (!lang_name_ok(e->d_name, len - 4)) {
			log_warning("%s/%s: not a language's catalog (names are like de.msg or "
				    "pt-br.msg)",
				    dir, e->d_name);
			continue;
		}
		if (m->n == MESSAGES_LANGS_MAX) {
			log_warning("%s: more than %d catalogs: %s left out", dir,
				    MESSAGES_LANGS_MAX, e->d_name);
			continue;
		}
		r = load_one(m, dir, e->d_name, len - 4, &one);
		/* Only English must load: another faulty catalog is left out, said why. */
		if (r < 0 && strcmp(e->d_name, "en.msg") != 0) {
			log_warning("%s:%d: %s (catalog left out)", one.file, one.line, one.msg);
			r = 0;
		} else if (r < 0 && err) {
			*err = one;
		}
	}
	closedir(d);
	if (r < 0)
		goto err_free;
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->langs[i].name, "en") == 0)
			m->english = &m->langs[i];
	if (!m->english) {
		r = -ENOENT;
		file_error_set(err, dir, 0, "no en.msg: the English catalog is required");
		goto err_free;
	}
	*ret = m;
	return 0;

err_free:
	messages_free(m);
	return r;
}

void messages_free(struct messages *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++)
		free_language(&m->langs[i]);
	free(m);
}

static const struct language *language(const struct messages *m, const char *lang)
{
	for (size_t i = 0; m && lang && i < m->n; i++)
		if (strcmp(m->langs[i].name, lang) == 0)
			return &m->langs[i];
	return NULL;
}

bool messages_have(const struct messages *m, const char *lang)
{
	return language(m, lang) != NULL;
}

void messages_languages(const struct messages *m, char *out, size_t size)
{
	size_t used = 0;

	if (!size)
		return;
	out[0] = '\0';
	/* Sorted, so the list does not depend on the directory's order. */
	for (char last[MESSAGES_LANG_MAX] = ""; m;) {
		const char *next = NULL;

		for (size_t i = 0; i < m->n; i++)
			if (strcmp(m->langs[i].name, last) > 0 &&
			    (!next || strcmp(m->langs[i].name, next) < 0))
				next = m->langs[i].name;
		if (!next)
			break;
		used += (size_t)snprintf(out + used, used < size ? size - used : 0, "%s%s",
					 used ? " " : "", next);
		snprintf(last, sizeof(last), "%s", next);
		if (used >= size)
			break;
	}
}

int messages_append(const struct messages *m, const char *lang, enum msg_id id,
		    const struct catalog_arg *args, char *out, size_t size)
{
	const struct language *l = language(m, lang);
	const char *text;
	size_t n = 0, used;

	if (!m || (unsigned)id >= MSG_COUNT || !out || !size)
		return -EINVAL;
	text = l && l->text[id] ? l->text[id] : m->english->text[id];
	while (args && args[n].name)
		n++;
	used = strnlen(out, size - 1);
	return catalog_expand(text, args, n, out + used, size - used);
}

enum msg_id messages_plural(const struct messages *m, const char *lang, unsigned long count,
			    enum msg_id one, enum msg_id other)
{
	const struct language *l = language(m, lang);

	if (!m)
		return count == 1 ? one : other;
	return catalog_is_one(l && l->text[one] && l->text[other] ? l->catalog :
								    m->english->catalog,
			      count) ?
		       one :
		       other;
}

const char *messages_date_format(const struct messages *m, const char *lang, const char *format)
{
	const struct language *l = language(m, lang);

	if (format && *format)
		return format;
	if (!m)
		return "%a %d %b %Y";
	return l && l->text[MSG_DATE_FORMAT] ? l->text[MSG_DATE_FORMAT] :
					       m->english->text[MSG_DATE_FORMAT];
}

const struct date_names *messages_date_names(const struct messages *m, const char *lang)
{
	const struct language *l = language(m, lang);

	if (!m)
		return NULL;
	/* All four lists or none: a language does not mix its names with English's. */
	return l && l->names.days_short[0] && l->names.days[0] && l->names.months_short[0] &&
			       l->names.months[0] ?
		       &l->names :
		       &m->english->names;
}
