/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Serial ports, for the RFID readers' backends: a tty opened raw and
 * non-blocking (its fd goes on the loop), and a USB-serial adapter's tty
 * found by VID:PID (+ serial number, USB port path) through sysfs
 * (usb-sysfs.h, which the receipt printer's usblp node is found by too).
 *
 * Finding the port again after a replug: serial_open_board() from a retry
 * timer until it succeeds, as the tty's name (ttyUSB0, ttyUSB1 ...) may
 * differ each time; hal/serial-port.h does that on the loop for a backend.
 *
 * Nothing here logs: failures come back as -errno and a sentence in why.
 * The caller owns and closes the fds returned.
 */
#ifndef CIRCD_HAL_SERIAL_H
#define CIRCD_HAL_SERIAL_H

#include <stddef.h>
#include <stdint.h>

#include "board.h"
#include "usb-sysfs.h"

enum serial_parity {
	SERIAL_PARITY_NONE,
	SERIAL_PARITY_EVEN,
	SERIAL_PARITY_ODD,
};

struct serial_settings {
	unsigned baud;      /* one board-rfid.c accepts: 1200 to 230400 */
	unsigned data_bits; /* 7 or 8 */
	enum serial_parity parity;
	unsigned stop_bits; /* 1 or 2 */
};

/* "38400 8E1", for messages. */
void serial_settings_name(const struct serial_settings *s, char *buf, size_t size);

/* The board's settings, with defaults (the protocol's) where it left them out. */
void serial_settings_from_board(const struct board_rfid *def,
				const struct serial_settings *defaults,
				struct serial_settings *out);

/*
 * Opens path O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC, raw (no echo, no
 * line editing, no signals, no CR/LF or XON/XOFF translation, receiver on,
 * modem lines ignored) with s, and flushes what was pending. Returns the fd,
 * or -errno with why filled; settings the port refuses (tcsetattr's EINVAL,
 * or a setting that did not take) are -EINVAL, naming the settings.
 */
int serial_open(const char *path, const struct serial_settings *s, char *why, size_t why_size);

/*
 * How long n bytes take on the wire at s, in ms, rounded up: the start of an
 * inter-frame timeout (a reply's gap must exceed a few characters' time).
 */
unsigned serial_bytes_ms(const struct serial_settings *s, size_t n);

struct serial_usb_match {
	uint16_t vid, pid;
	const char *serial; /* NULL or "": any */
	const char *port;   /* USB port path such as "1-1.3"; NULL or "": any */
};

/*
 * Looks through sysfs_root (normally "/sys"; tests pass a fake tree) for a
 * USB-serial tty (ttyUSB*, ttyACM*) of the device m describes, and writes
 * dev_dir/NAME to path and the device's USB port path to port (port may be
 * NULL). Returns 0, -ENOENT if none is plugged in, -ENOTUNIQ if more than
 * one matches (set serial or port), -ENAMETOOLONG if path is too small.
 */
int serial_usb_find(const char *sysfs_root, const char *dev_dir, const struct serial_usb_match *m,
		    char *path, size_t path_size, char *port, size_t port_size);

/*
 * What a backend calls to (re)open its reader's port: def's device, or the
 * tty its usb resolves to under sysfs_root ("/sys") as dev_dir/NAME ("/dev"),
 * opened with def's settings over defaults. The path opened goes to path. Returns the fd or
 * -errno (-ENOENT: not plugged in, retry later) with why filled.
 */
int serial_open_board(const struct board_rfid *def, const struct serial_settings *defaults,
		      const char *sysfs_root, const char *dev_dir, char *path, size_t path_size,
		      char *why, size_t why_size);

#endif
