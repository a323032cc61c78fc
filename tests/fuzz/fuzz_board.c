/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzzes board_parse() on a NUL-terminated copy of the input. A parsed board
 * must be one its backends can use; a failure must name a line.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../hal/board.h"
#include "../../hal/scanner.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_string(const char *s, size_t size)
{
	if (strnlen(s, size) == size)
		abort();
}

static void check_board(const struct board *b)
{
	bool gpiod = strcmp(b->gpio_backend, "gpiod") == 0;
	enum board_role all[ROLE__COUNT];
	struct file_error err = { 0 };
	bool complete = true;
	int r;

	if (strcmp(b->path, "fuzz.ini"))
		abort();
	check_string(b->name, sizeof(b->name));
	if (strcmp(b->gpio_backend, "sim") && !gpiod)
		abort();
	if (strcmp(b->scanner_backend, "sim") && strcmp(b->scanner_backend, "libusb"))
		abort();
	if (strcmp(b->display_backend, "sim"))
		abort();
	for (int i = 0; i < ROLE__COUNT; i++) {
		const struct board_role_map *m = &b->roles[i];

		all[i] = (enum board_role)i;
		complete &= m->present;
		check_string(m->chip, sizeof(m->chip));
		check_string(m->line, sizeof(m->line));
		if (m->debounce_ms > 1000)
			abort();
		if (!m->present)
			continue;
		if (m->src_line < 1)
			abort();
		if (gpiod && (board_role_kind((enum board_role)i) == ROLE_KIND_OUTPUT ||
			      board_role_kind((enum board_role)i) == ROLE_KIND_INPUT) &&
		    !m->line[0])
			abort();
	}
	if (b->n_scanners > BOARD_SCANNERS_MAX)
		abort();
	for (size_t i = 0; i < b->n_scanners; i++) {
		const struct board_scanner *sc = &b->scanners[i];

		check_string(sc->name, sizeof(sc->name));
		check_string(sc->serial, sizeof(sc->serial));
		check_string(sc->port, sizeof(sc->port));
		check_string(sc->card.separator, sizeof(sc->card.separator));
		check_string(sc->card.trim_prefix, sizeof(sc->card.trim_prefix));
		check_string(sc->card.trim_suffix, sizeof(sc->card.trim_suffix));
		if (sc->layout >= HID_LAYOUT__COUNT || sc->card.format >= CARD_FORMAT__COUNT ||
		    sc->card.byte_order > CARD_LSB_FIRST || sc->card.pad_length > SCAN_TEXT_MAX)
			abort();
		if (!sc->name[0] || sc->src_line < 1 || (!sc->items && !sc->patrons) ||
		    sc->char_timeout_ms > 10000)
			abort();
		if (sc->items && !b->roles[ROLE_ITEM_SCANNER].present)
			abort();
		if (sc->patrons && !b->roles[ROLE_PATRON_READER].present)
			abort();
	}
	if (b->n_rfids > BOARD_RFIDS_MAX)
		abort();
	for (size_t i = 0; i < b->n_rfids; i++) {
		const struct board_rfid *rf = &b->rfids[i];

		check_string(rf->name, sizeof(rf->name));
		check_string(rf->device, sizeof(rf->device));
		check_string(rf->serial, sizeof(rf->serial));
		check_string(rf->port, sizeof(rf->port));
		if (!rf->name[0] || rf->src_line < 1 || (!rf->items && !rf->patrons) ||
		    (int)rf->protocol < 0 || rf->protocol > RFID_PROTOCOL_3M)
			abort();
		/* a real reader's port is found one way */
		if (rf->protocol != RFID_PROTOCOL_SIM && !rf->device[0] == !rf->usb_set)
			abort();
		if (rf->items && !b->roles[ROLE_ITEM_PAD].present)
			abort();
		if (rf->patrons && !b->roles[ROLE_PATRON_READER].present)
			abort();
		if (rf->inventory_ms < 20 || rf->bus_address > 255 || rf->parity > BOARD_PARITY_ODD)
			abort();
	}
	r = board_require(b, all, ROLE__COUNT, &err);
	if (complete ? r != 0 : r != -ENOENT || err.line != 0 || !err.msg[0])
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct file_error err = { 0 };
	struct board *board = NULL;
	char *text = malloc(size + 1);
	int r;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	r = board_parse(text, "fuzz.ini", &board, &err);
	if (r < 0) {
		if (r != -EINVAL || board || err.line < 1 || !err.msg[0] ||
		    strcmp(err.file, "fuzz.ini"))
			abort();
	} else {
		if (r != 0 || !board)
			abort();
		check_board(board);
	}
	board_free(board);
	free(text);
	return 0;
}
