/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Scanner device class: barcode scanners and card readers that deliver one
 * decoded symbol at a time. A symbol carries its text, the symbology when the
 * device says so, and the role of the device that read it.
 */
#ifndef CIRCD_HAL_SCANNER_H
#define CIRCD_HAL_SCANNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "board.h"
#include "hal-env.h"

#define SCAN_TEXT_MAX 128
/* Group Separator: how scanners pass GS1's FNC1 inside the data; part of the text. */
#define SCAN_GS 0x1d

/*
 * What the symbol was printed in, from its AIM symbology identifier (ISO/IEC
 * 15424; hal/aim.h reads them and names these). The first six keep their
 * values; EAN/UPC is split by the identifier's modifier, as the check digit
 * to verify depends on it.
 */
enum symbology {
	SYM_UNKNOWN,
	SYM_CODABAR,
	SYM_CODE39,
	SYM_CODE128,
	SYM_EAN13,        /* ]E0: EAN-13, UPC-A or UPC-E */
	SYM_QR,
	SYM_EAN13_ADDON,  /* ]E3: EAN-13, UPC-A or UPC-E with its 2- or 5-digit add-on */
	SYM_EAN_ADDON,    /* ]E1, ]E2: an add-on read on its own */
	SYM_EAN8,         /* ]E4 */
	SYM_TELEPEN,
	SYM_CODE_ONE,
	SYM_CODE93,
	SYM_CODE11,
	SYM_ITF,          /* Interleaved 2 of 5, ITF-14 */
	SYM_CODE16K,
	SYM_PDF417,       /* and MicroPDF417 */
	SYM_MSI,
	SYM_ANKER,
	SYM_CODABLOCK,
	SYM_PLESSEY,
	SYM_IATA_2OF5,    /* straight 2 of 5 with two-bar start/stop */
	SYM_INDUSTRIAL_2OF5, /* straight 2 of 5 with three-bar start/stop */
	SYM_CODE49,
	SYM_MAXICODE,
	SYM_OTHER,        /* ]X: a symbology the standard does not list */
	SYM_EXPANSION,    /* ]Y: system expansion */
	SYM_NON_BARCODE,  /* ]Z: keyed in, or from a non-barcode source */
	SYM_CHANNEL_CODE,
	SYM_DATAMATRIX,
	SYM_GS1_DATABAR,  /* ]e: GS1 DataBar (RSS) and its composites */
	SYM_OCR,
	SYM_POSICODE,
	SYM_SUPERCODE,
	SYM_AZTEC,
	SYM__COUNT,
};

struct scan {
	char text[SCAN_TEXT_MAX + 1]; /* NUL-terminated UTF-8, no control but SCAN_GS */
	size_t len;
	enum symbology symbology;
	char aim[4]; /* AIM symbology identifier such as "]F0", or "" */
	enum board_role role; /* ROLE_ITEM_SCANNER or ROLE_PATRON_READER */
	/*
	 * The roles of the device that read it: both for a scanner with
	 * role = both. Neither: not known, the barcode rules alone decide.
	 */
	bool for_items, for_patrons;
	const char *device;   /* the board's scanner name; valid during the callback */
};

/* What circctl status shows of one board scanner. */
struct scanner_status {
	char name[BOARD_NAME_MAX]; /* the board's [scanner NAME] */
	bool attached;
	uint16_t usb_vid, usb_pid;
	char port[BOARD_USB_PORT_MAX]; /* where it is plugged in, "" while absent */
	uint64_t scans;                /* symbols delivered since start */
	uint64_t discarded;            /* partial or garbled symbols thrown away */
	char last_error[96];           /* "" or why it was last released or refused */
};

/*
 * scan: one decoded symbol. device: a scanner came or went (hotplug, or an
 * error that released it); firmware logs it. discarded: garbage that did
 * not make a symbol, with the reason in words, for the log. The structs
 * passed are valid during the callback only.
 */
struct scanner_events {
	void (*scan)(void *data, const struct scan *scan);
	void (*device)(void *data, const struct scanner_status *status);
	void (*discarded)(void *data, const char *device, const char *reason);
};

struct scanner_ops {
	const char *name; /* as in the board file: "sim", "libusb" */
	/*
	 * A device that is not plugged in is no error: it is picked up when
	 * it arrives. Errors (with *err filled against the board file) are
	 * for what no replug can fix: the USB stack unavailable, bad board data.
	 */
	int (*open)(const struct hal_env *env, const struct board *board,
		    const struct scanner_events *events, void *data, void **ret,
		    struct file_error *err);
	void (*close)(void *handle);
	/* Fills up to max entries, one per board scanner in board order; returns how many. */
	size_t (*status)(void *handle, struct scanner_status *out, size_t max);
};

extern const struct scanner_ops scanner_sim_ops;
extern const struct scanner_ops scanner_libusb_ops;

/* For logs: "codabar", "ean13" ...; "unknown" for SYM_UNKNOWN and values outside the enum. */
const char *symbology_name(enum symbology sym);

#endif
