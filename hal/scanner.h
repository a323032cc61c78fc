/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Scanner device class: barcode scanners and card readers that deliver one
 * decoded symbol at a time. A symbol carries its text, the symbology when the
 * device says so, and the role of the device that read it.
 */
#ifndef CIRCD_HAL_SCANNER_H
#define CIRCD_HAL_SCANNER_H

#include <stddef.h>

#include "board.h"

struct loop;
struct sim_channel;

#define SCAN_TEXT_MAX 128

enum symbology {
	SYM_UNKNOWN,
	SYM_CODABAR,
	SYM_CODE39,
	SYM_CODE128,
	SYM_EAN13,
	SYM_QR,
};

struct scan {
	char text[SCAN_TEXT_MAX + 1]; /* NUL-terminated, printable ASCII */
	size_t len;
	enum symbology symbology;
	char aim[4]; /* AIM symbology identifier such as "]F0", or "" */
	enum board_role role; /* ROLE_ITEM_SCANNER or ROLE_PATRON_READER */
};

struct scanner_events {
	void (*scan)(void *data, const struct scan *scan);
};

struct scanner_ops {
	const char *name; /* as in the board file: "sim", "libusb" */
	int (*open)(const struct board *board, struct loop *loop, struct sim_channel *sim,
		    const struct scanner_events *events, void *data, void **ret);
	void (*close)(void *handle);
};

extern const struct scanner_ops scanner_sim_ops;

const char *symbology_name(enum symbology sym);

#endif
