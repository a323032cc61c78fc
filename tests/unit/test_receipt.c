/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * firmware/receipt.c: receipts built from the shipped catalogs, read back as
 * text through escpos_render (its own code page tables), so every word, the
 * layout and the masking are checked byte for byte.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../firmware/receipt.h"
#include "escpos_render.h"
#include "testlib.h"

#define SHIPPED "ui/messages"
/* Sun 06 Dec 2026 18:20 UTC */
#define PRINTED_MS 1796581200000LL

static struct messages *catalogs;

static const struct receipt_item two_loans[] = {
	{ .item = "31234000000014", .title = "Der Zauberberg", .due = "Mo., 21.12.2026" },
	{ .item = "31234000000022", .title = "", .due = "Mo., 21.12.2026" },
};

static struct receipt german_loans(void)
{
	return (struct receipt){
		.kind = RECEIPT_BORROWED,
		.messages = catalogs,
		.lang = "de",
		.date_format = "",
		.header = "Stadtbücherei Musterstadt | Hauptstraße 1 | 12345 Musterstadt",
		.codepage = RECEIPT_PC858,
		.wall_ms = PRINTED_MS,
		.patron = "23000001234567",
		.items = two_loans,
		.n_items = 2,
		.count = 2,
	};
}

static void check_rendered(const struct receipt *r, const char *expected)
{
	uint8_t buf[RECEIPT_BYTES_MAX];
	char text[4096];
	size_t len = 0;

	CHECK_INT(receipt_build(r, buf, sizeof(buf), &len), 0);
	CHECK(len > 0);
	CHECK_INT(escpos_render(buf, len, text, sizeof(text)), (int)strlen(expected));
	CHECK_STR(text, expected);
}

static void test_german_loans(void)
{
	struct receipt r = german_loans();

	/* The card masked as in logs; the date in German's date.format (de.msg). */
	check_rendered(&r, "{init}{cp 19}{center}{bold}Stadtbücherei Musterstadt\n"
			   "{/bold}Hauptstraße 1\n12345 Musterstadt\n\n{left}"
			   "So., 06.12.2026, 18:20 Uhr\n"
			   "Bibliotheksausweis: ***4567\n\n"
			   "{bold}Vielen Dank! Sie haben 2 Medien ausgeliehen.\n{/bold}"
			   "\nDer Zauberberg\n31234000000014\nRückgabe bis: Mo., 21.12.2026\n"
			   "\n31234000000022\nRückgabe bis: Mo., 21.12.2026\n"
			   "{feed 3}{cut}");
}

/* [receipt] session_qr: the session's id, centred, as staff's scanner reads it back. */
static void test_session_as_qr_code(void)
{
	struct receipt r = german_loans();

	r.header = "";
	r.n_items = 1;
	r.count = 1;
	r.session_id = "0b4f3c52-8d1e-4a57-9a8e-3c2f1d6e7a90";
	check_rendered(&r, "{init}{cp 19}{center}{left}"
			   "So., 06.12.2026, 18:20 Uhr\n"
			   "Bibliotheksausweis: ***4567\n\n"
			   "{bold}Vielen Dank! Sie haben 1 Medium ausgeliehen.\n{/bold}"
			   "\nDer Zauberberg\n31234000000014\nRückgabe bis: Mo., 21.12.2026\n"
			   "\n{center}{qr-model 2}{qr-module 5}{qr-level M}"
			   "{qr-store 0b4f3c52-8d1e-4a57-9a8e-3c2f1d6e7a90}{qr-print}{left}"
			   "{feed 3}{cut}");
}

static void test_english_returns_offline(void)
{
	static const struct receipt_item returned[] = {
		{ .item = "31234000000030", .title = "", .due = "" },
	};
	struct receipt r = {
		.kind = RECEIPT_RETURNED,
		.messages = catalogs,
		.lang = "en",
		.date_format = "%Y-%m-%d",
		.header = "",
		.codepage = RECEIPT_WPC1252,
		.wall_ms = PRINTED_MS,
		.patron = "",
		.items = returned,
		.n_items = 1,
		.count = 1,
		.offline = true,
	};

	/* No header, no card (returns take none), [kiosk] date_format over the language's. */
	check_rendered(&r, "{init}{cp 16}{center}{left}2026-12-06, 18:20\n\n"
			   "{bold}Thank you! You returned 1 item.\n{/bold}"
			   "\n31234000000030\n"
			   "\nRecorded while the library system was offline: your account will "
			   "show it later.\n"
			   "{feed 3}{cut}");
}

static void test_french_words(void)
{
	struct receipt r = german_loans();

	r.lang = "fr";
	r.header = "  |Médiathèque||  ";
	r.codepage = RECEIPT_PC850;
	r.n_items = 1;
	r.count = 1;
	check_rendered(&r, "{init}{cp 2}{center}{bold}Médiathèque\n{/bold}\n{left}"
			   "dim. 06 déc. 2026 à 18:20\n"
			   "Carte de bibliothèque : ***4567\n\n"
			   "{bold}Merci ! Vous avez emprunté 1 document.\n{/bold}"
			   "\nDer Zauberberg\n31234000000014\nÀ rendre le : Mo., 21.12.2026\n"
			   "{feed 3}{cut}");
}

/* Too small a buffer at any length: refused whole, never a short receipt. */
static void test_never_half_a_receipt(void)
{
	struct receipt r = german_loans();
	static uint8_t buf[RECEIPT_BYTES_MAX];
	size_t full = 0, len;

	CHECK_INT(receipt_build(&r, buf, sizeof(buf), &full), 0);
	for (size_t cap = 0; cap < full; cap++) {
		len = 1;
		CHECK_INT(receipt_build(&r, buf, cap, &len), -ENOSPC);
		CHECK_INT(len, 0);
	}
	CHECK_INT(receipt_build(&r, buf, full, &len), 0);
	CHECK_INT(len, full);
	r.messages = NULL;
	CHECK_INT(receipt_build(&r, buf, sizeof(buf), &len), -EINVAL);
}

int main(void)
{
	struct file_error err = { 0 };

	setenv("TZ", "UTC", 1);
	tzset();
	CHECK_INT(messages_load(SHIPPED, &catalogs, &err), 0);
	if (!catalogs)
		return 1;
	RUN(test_german_loans);
	RUN(test_english_returns_offline);
	RUN(test_session_as_qr_code);
	RUN(test_french_words);
	RUN(test_never_half_a_receipt);
	messages_free(catalogs);
	return testlib_finish();
}
