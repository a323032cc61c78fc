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
		check_string(m->protocol, sizeof(m->protocol));
		check_string(m->layout, sizeof(m->layout));
		if (m->debounce_ms > 1000)
			abort();
		if (!m->present)
			continue;
		if (m->src_line < 1)
			abort();
		if (gpiod && board_role_kind((enum board_role)i) != ROLE_KIND_SCANNER &&
		    (!m->chip[0] || !m->line[0]))
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
