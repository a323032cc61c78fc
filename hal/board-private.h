/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What board.c shares with the files that parse its other sections
 * (board-rfid.c, board-printer.c): the parse state and the helpers that word every error the
 * same way, "[section NAME] key: why" at file:line. Not for use outside
 * board*.c.
 */
#ifndef CIRCD_BOARD_PRIVATE_H
#define CIRCD_BOARD_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "board.h"
#include "inifile.h"

#define VALUE_QUOTE_MAX 64
/* Keys of one section at most: each table below asserts it fits (key_line[] has a slot each). */
#define KEYS_MAX 24
/* A NULL-terminated key table of fixed size, checked against KEYS_MAX where it is defined. */
#define KEY_TABLE_FITS(table) _Static_assert(sizeof(table) / sizeof((table)[0]) - 1 <= KEYS_MAX, \
					     #table " has more keys than KEYS_MAX")

enum board_section {
	SECTION_NONE,
	SECTION_BOARD,
	SECTION_ROLE,
	SECTION_SCANNER,
	SECTION_RFID,
	SECTION_PRINTER,
};

struct board_parse {
	struct board *board;
	const char *path;
	enum board_section section;
	enum board_role role;             /* of a SECTION_ROLE */
	struct board_scanner *scanner;    /* of a SECTION_SCANNER */
	struct board_rfid *rfid;          /* of a SECTION_RFID */
	char header[INIFILE_SECTION_MAX]; /* "output lamp_ok", for messages */
	int board_line;                   /* of [board], 0 if none so far */
	int key_line[KEYS_MAX];           /* first line of each key in this section */
	struct file_error *err;
};

/* Each fills p->err as "[header] key: why" at line and returns -EINVAL. */
int board_key_error(struct board_parse *p, int line, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int board_choice_error(struct board_parse *p, int line, const char *key, const char *value,
		       const char *const *choices);

int board_set_string(struct board_parse *p, int line, const char *key, const char *value,
		     char *dst, size_t size);
int board_parse_usb_id(const char *value, uint16_t *vid, uint16_t *pid);
bool board_valid_port_path(const char *s);
bool board_valid_device_name(const char *name);
/* "a" or "an", for "item_pad is an rfid role, not a scanner" */
const char *board_article(enum board_role_kind kind);

/* board-rfid.c: [rfid NAME] sections */
extern const char *const rfid_keys[];
int rfid_section(struct board_parse *p, const char *name, int line, struct file_error *err);
int rfid_key(struct board_parse *p, const char *key, const char *value, int line);
/* What an rfid section lacks, if it comes before *line (0: nothing found yet). */
void rfid_check(const struct board_parse *p, int *line, const char **what, char *header,
		size_t header_size);
void rfid_mark_roles(struct board *b);

/* board-printer.c: the [printer] section */
extern const char *const printer_keys[];
int printer_section(struct board_parse *p, int line, struct file_error *err);
int printer_key(struct board_parse *p, const char *key, const char *value, int line);
/* What the printer backend lacks, as file:line in err: 0 or -EINVAL. */
int printer_check(const struct board_parse *p, struct file_error *err);

#endif
