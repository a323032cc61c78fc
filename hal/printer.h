/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Printer device class: the receipt printer. print() takes a receipt already
 * encoded for the printer (hal/escpos.h builds one), whole: a patron never
 * gets half a receipt from a call that returned 0, as far as a backend can
 * see to it. status() says whether a receipt could be printed now, so that
 * firmware asks before it prints rather than learning of an empty roll after;
 * it never blocks (a real backend answers with the state it last polled on
 * the loop).
 *
 * print() returns 0 when the receipt is the backend's to deliver; a backend
 * on a real device delivers it on the loop afterwards (rule 4: no blocking
 * write). What can still go wrong then is not returned but reported through
 * the env's sink and seen in status(): the printer found unable to print
 * right before (the receipt is dropped whole), or the device gone or stalled
 * in the middle of one (the only way a receipt is cut short). -EIO when the
 * state cannot print or the device is not there, -EBUSY while the previous
 * receipt is still going out.
 *
 * Backends: "sim" (each receipt is a "printer <hex>" event on the sim
 * channel; its printer-status command sets what status() answers), "escpos"
 * (an ESC/POS printer on the kernel's usblp driver, or through libusb where
 * usblp does not have it: printer-escpos.h) and
 * "none", for boards without a printer: status() and print() fail with
 * -ENODEV, which firmware takes for "this board gives no receipts".
 */
#ifndef CIRCD_HAL_PRINTER_H
#define CIRCD_HAL_PRINTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "board.h"
#include "hal-env.h"

enum printer_state {
	PRINTER_OK,
	PRINTER_PAPER_NEAR_END, /* still prints: staff should change the roll soon */
	PRINTER_PAPER_OUT,
	PRINTER_COVER_OPEN,
	PRINTER_OFFLINE,
	PRINTER_UNKNOWN, /* it did not answer in a way we understand */
	PRINTER_STATE__COUNT,
};

struct printer_status {
	enum printer_state state;
};

struct printer_ops {
	const char *name; /* as in the board file: "sim", "escpos", "none" */
	int (*open)(const struct hal_env *env, const struct board *board, void **ret,
		    struct file_error *err);
	void (*close)(void *handle); /* accepts NULL */
	/* 0: the receipt is the backend's to send whole (see above); -errno: nothing printed. */
	int (*print)(void *handle, const uint8_t *bytes, size_t len);
	int (*status)(void *handle, struct printer_status *ret);
};

extern const struct printer_ops printer_sim_ops;
extern const struct printer_ops printer_none_ops;
extern const struct printer_ops printer_escpos_ops;

/* "ok", "paper-near-end", "paper-out", "cover-open", "offline", "unknown" (also out of range). */
const char *printer_state_name(enum printer_state state);

/* Whether a receipt can be printed in this state: ok and paper near its end. */
static inline bool printer_state_can_print(enum printer_state state)
{
	return state == PRINTER_OK || state == PRINTER_PAPER_NEAR_END;
}

#endif
