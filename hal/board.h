/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Boards are data: an INI file maps the roles firmware speaks of (lamp_ok,
 * bin_full, item_scanner ...) to backends, chips, line names, polarity and
 * USB ids. Firmware names roles, never pins.
 *
 *   [board]
 *   name = Raspberry Pi 4 self-check kiosk
 *   gpio = gpiod            ; backend: sim | gpiod
 *   scanner = libusb        ; backend: sim | libusb
 *   display = none          ; backend: sim | none (no patron screen: texts are logged) | web
 *   printer = none          ; receipt printer backend: sim | escpos | none (no
 *                           ; printer; the default)
 *
 *   [output lamp_ok]
 *   chip = gpiochip0        ; name, /dev path, label or number; optional:
 *                           ; without it the line name is looked up on all chips
 *   line = GPIO17           ; the line's name as the chip exposes it (gpioinfo)
 *   active_low = yes
 *
 *   [input bin_full]
 *   chip = gpiochip0
 *   line = GPIO22
 *   active_low = no
 *   debounce_ms = 20
 *   sim_active = no         ; sim backend only: the level it starts at
 *
 *   [scanner item_scanner]  ; a role, or any name with a role = key
 *   role = both             ; item_scanner | patron_reader | both (one
 *                           ; scanner for cards and items); default: the name
 *   usb = 05e0:1200         ; VID:PID, hex
 *   serial = S/N 1234       ; optional: only the device with this serial number
 *   port = 1-1.2            ; optional: only the device on this USB port path
 *   protocol = wedge        ; wedge | hidpos
 *   layout = us             ; wedge only: us de fr gb dk no se fi ch-de ch-fr
 *                           ; be es it nl (hid-layout.h)
 *   char_timeout_ms = 100   ; wedge: a gap this long discards a partial symbol
 *   card_format = text      ; what a card reader types and what circd makes
 *                           ; of it: text | dec10 | hex | hex-to-dec10 |
 *                           ; hex-to-dec8 | hex-to-dec13 | wiegand26 |
 *                           ; uid-hex | uid-dec (see cardnum.h)
 *   card_byte_order = msb   ; uid-hex, uid-dec: msb | lsb (typed reversed)
 *   card_separator = ","    ; wiegand26: between facility and card; empty:
 *                           ; the two numbers together
 *   card_pad_length = 10    ; pad a shorter number with leading 0s (readers
 *                           ; that drop them); 0 = no padding
 *   trim_prefix = ";"       ; removed from the start of a symbol when there
 *   trim_suffix = "?"       ; removed from its end when there
 *
 * A value in double quotes is taken as it is between them: the way to write
 * ; # or spaces, which otherwise start a comment or are trimmed.
 *
 *   [rfid pad]              ; any name; an RFID reader (hal/rfid.h)
 *   role = item_pad         ; item_pad | patron_reader | both; default: the name
 *   protocol = feig         ; feig | 3m | sim
 *   device = /dev/ttyS1     ; the serial port by path, or by USB id:
 *   usb = 0ab1:0002         ; VID:PID of a USB-serial reader (its tty is found
 *   serial = 1234           ;   through sysfs, again after a replug); serial
 *   port = 1-1.3            ;   and port as for scanners
 *   baud = 38400            ; serial settings; 0 or left out: the protocol's
 *   parity = even           ;   default. parity: none | even | odd
 *   data_bits = 8           ;   7 or 8
 *   stop_bits = 1           ;   1 or 2
 *   bus_address = 0         ; feig only: the reader's bus address, 0 to 255
 *   antenna = 1             ; antenna number on multiplexed readers, 0 = reader's choice
 *   power = 500             ; RF power in mW, 0 = the reader's setting
 *   inventory_ms = 150      ; inventory interval while a session or intake is on
 *   idle_inventory_ms = 1000 ; while idle; 0 = no inventory while idle
 *
 *   [printer]               ; the receipt printer of printer = escpos (a USB
 *   usb = 04b8:0202         ;   ESC/POS printer on the kernel's usblp driver):
 *   serial = 1234           ;   its VID:PID (its /dev/usb/lpN is found through
 *   port = 1-1.4            ;   sysfs, again after a replug), serial and port
 *   device = /dev/usb/lp0   ;   as for scanners; or a fixed path instead of usb
 *
 * Up to BOARD_SCANNERS_MAX scanner sections; several may share a VID:PID
 * when serial or port tells them apart. Up to BOARD_RFIDS_MAX rfid sections.
 * board_load() reports the first error as file:line and a sentence in
 * *err; it never logs. The caller owns the returned board and frees it with
 * board_free(), which accepts NULL.
 */
#ifndef CIRCD_BOARD_H
#define CIRCD_BOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cardnum.h"
#include "hid-layout.h"
#include "inifile.h"

enum board_role_kind {
	ROLE_KIND_OUTPUT,
	ROLE_KIND_INPUT,
	ROLE_KIND_SCANNER,
	ROLE_KIND_RFID,
	ROLE_KIND_NONE = -1, /* board_role_kind() of an invalid role */
};

enum board_role {
	/* outputs */
	ROLE_LAMP_OK,
	ROLE_LAMP_ERROR,
	ROLE_LAMP_ATTENTION,
	ROLE_BUZZER,
	ROLE_FLAP_UNLOCK, /* asserted = returns flap released */
	ROLE_DOOR_LOCK,   /* asserted = bin door locked */
	ROLE_SORT_BIN_1,  /* returns: divert into sort bin 1..4 (the ILS's CL field) */
	ROLE_SORT_BIN_2,
	ROLE_SORT_BIN_3,
	ROLE_SORT_BIN_4,
	/* inputs */
	ROLE_BIN_FULL,
	ROLE_DOOR_CLOSED,
	ROLE_DONE_BUTTON,
	ROLE_STAFF_BUTTON,
	/* scanners */
	ROLE_ITEM_SCANNER,
	ROLE_PATRON_READER, /* a scanner or an RFID reader reading patron cards */
	/* RFID readers */
	ROLE_ITEM_PAD,      /* the pad items are laid on (hal/rfid.h) */
	ROLE__COUNT,
	ROLE_NONE = -1,
};

#define BOARD_NAME_MAX 64

struct board_role_map {
	bool present;
	int src_line; /* line of its section header in the board file */
	/* gpio roles */
	char chip[BOARD_NAME_MAX];
	char line[BOARD_NAME_MAX];
	bool active_low;
	unsigned debounce_ms;
	bool sim_active; /* sim backend: the input starts active (a closed door) */
};

#define BOARD_SCANNERS_MAX 4
#define BOARD_USB_PORT_MAX 32 /* "1-1.2.3.4.5.6.7": bus, then up to 7 hub ports */

/* One [scanner NAME] section: a USB device and the role(s) it serves. */
struct board_scanner {
	char name[BOARD_NAME_MAX];
	int src_line;
	bool items, patrons; /* the roles it serves: item_scanner, patron_reader */
	uint16_t usb_vid, usb_pid;
	bool usb_set;
	char serial[BOARD_NAME_MAX]; /* "" matches any */
	char port[BOARD_USB_PORT_MAX]; /* "" matches any */
	bool hidpos;                  /* protocol = hidpos; default wedge */
	enum hid_layout layout;       /* default us */
	struct card_options card;     /* default text, see card_options_default() */
	unsigned char_timeout_ms;
};

#define BOARD_RFIDS_MAX 4
#define BOARD_DEVICE_PATH_MAX 128

enum board_rfid_protocol {
	RFID_PROTOCOL_SIM,
	RFID_PROTOCOL_FEIG, /* FEIG ISO host protocol */
	RFID_PROTOCOL_3M,   /* 3M 810 */
};

/* How an RFID reader is reached: a serial line (a tty, maybe of a USB adapter), or its own USB endpoints. */
enum board_rfid_transport {
	RFID_TRANSPORT_SERIAL,
	RFID_TRANSPORT_USB,  /* FEIG's USB readers: bulk endpoints, found by usb (VID:PID) */
};

enum board_parity {
	BOARD_PARITY_DEFAULT, /* the protocol's */
	BOARD_PARITY_NONE,
	BOARD_PARITY_EVEN,
	BOARD_PARITY_ODD,
};

/*
 * One [rfid NAME] section. Serial settings left at 0 (or
 * BOARD_PARITY_DEFAULT) are the protocol's defaults, which its backend knows.
 */
struct board_rfid {
	char name[BOARD_NAME_MAX];
	int src_line;
	bool items, patrons; /* the roles it serves: item_pad, patron_reader */
	enum board_rfid_protocol protocol;
	enum board_rfid_transport transport;
	char device[BOARD_DEVICE_PATH_MAX]; /* "" when found by usb */
	uint16_t usb_vid, usb_pid;
	bool usb_set;
	char serial[BOARD_NAME_MAX];   /* "" matches any */
	char port[BOARD_USB_PORT_MAX]; /* "" matches any */
	unsigned baud, data_bits, stop_bits;
	enum board_parity parity;
	bool bus_address_set;
	unsigned bus_address;
	unsigned antenna, power_mw;
	unsigned inventory_ms, idle_inventory_ms;
};

/* inventory_ms and idle_inventory_ms when a [rfid NAME] section leaves them out. */
#define BOARD_RFID_INVENTORY_MS_DEFAULT 150
#define BOARD_RFID_IDLE_INVENTORY_MS_DEFAULT 1000

/* The [printer] section: where printer = escpos finds its device. */
struct board_printer {
	bool present;
	int src_line;
	char device[BOARD_DEVICE_PATH_MAX]; /* "" when found by usb */
	uint16_t usb_vid, usb_pid;
	bool usb_set;
	char serial[BOARD_NAME_MAX];   /* "" matches any */
	char port[BOARD_USB_PORT_MAX]; /* "" matches any */
};

struct board {
	char path[256];
	char name[128];
	char gpio_backend[16];    /* default "sim" */
	char scanner_backend[16]; /* default "sim" */
	char display_backend[16]; /* default "sim" */
	char printer_backend[16]; /* default "none" */
	/* A scanner or rfid role is present when some scanner or reader serves it. */
	struct board_role_map roles[ROLE__COUNT];
	struct board_scanner scanners[BOARD_SCANNERS_MAX];
	size_t n_scanners;
	struct board_rfid rfids[BOARD_RFIDS_MAX];
	size_t n_rfids;
	struct board_printer printer;
};

/* The role a scanner's symbols are reported under: item_scanner unless it reads only cards. */
enum board_role board_scanner_role(const struct board_scanner *sc);

/*
 * "lamp_ok" <-> ROLE_LAMP_OK. board_role_from_name() returns ROLE_NONE if unknown;
 * board_role_name() of an invalid role is "none", board_role_kind() of one is ROLE_KIND_NONE.
 */
const char *board_role_name(enum board_role role);
enum board_role board_role_from_name(const char *name);
enum board_role_kind board_role_kind(enum board_role role);

/* Parses an INI text; path is only used in error messages. */
int board_parse(const char *text, const char *path, struct board **ret, struct file_error *err);
int board_load(const char *path, struct board **ret, struct file_error *err);
void board_free(struct board *board);

/*
 * Checks that every role in required[] is present, reporting the first
 * missing one against the board file (line 0). Returns 0 or -ENOENT.
 */
int board_require(const struct board *board, const enum board_role *required, size_t n,
		  struct file_error *err);

/* "sim", "feig", "3m"; "none" for values outside the enum. */
const char *board_rfid_protocol_name(enum board_rfid_protocol protocol);

/* "output", "input", "scanner", "rfid". */
const char *board_role_kind_name(enum board_role_kind kind);

#endif
