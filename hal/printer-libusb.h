/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The receipt printer through libusb, for printer-escpos.c where the kernel's
 * usblp driver did not take it (not built, blacklisted, unbound): the
 * printer-class interface claimed through usbfs, bytes to the printer as
 * bulk OUT transfers, its answers from a bulk IN transfer always pending.
 * Only the link: what goes over it (status polls, receipts) stays
 * printer-escpos.c's, whichever link carries it.
 *
 * All on the loop (usb-loop.h): a write is taken into the one OUT transfer
 * and its completion says when the next may go; a transfer failing because
 * the device went (or any other way) reports it gone once, after which the
 * link releases the device on its own, once libusb has every transfer back.
 * Nothing here logs.
 */
#ifndef CIRCD_HAL_PRINTER_LIBUSB_H
#define CIRCD_HAL_PRINTER_LIBUSB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "loop.h"

#define PRINTER_LIBUSB_OUT_MAX 4096 /* bytes one OUT transfer carries */

struct printer_libusb;

struct printer_libusb_events {
	void (*readable)(void *data, const uint8_t *bytes, size_t len); /* the printer answered */
	void (*writable)(void *data);          /* the OUT transfer is back: write more */
	void (*gone)(void *data, const char *why); /* a transfer failed; the link is detaching */
};

/* Starts libusb on loop (nothing opened yet): 0, or -errno with why. */
int printer_libusb_new(struct loop *loop, const struct printer_libusb_events *events, void *data,
		       struct printer_libusb **ret, char *why, size_t why_size);
/* Frees (NULL too); a device still open is closed, its transfers waited for briefly. */
void printer_libusb_free(struct printer_libusb *l);

/*
 * Opens the printer at USB port path port ("1-1.3", as sysfs names it) and
 * claims its printer-class interface (bidirectional: bulk OUT and IN).
 * 0, or -errno with why (-EBUSY: still releasing the last one, or a kernel
 * driver has the interface; -ENXIO: libusb sees no device there).
 */
int printer_libusb_attach(struct printer_libusb *l, const char *port, char *why,
			  size_t why_size);
/* Lets the device go (no event follows); safe from the events. */
void printer_libusb_detach(struct printer_libusb *l);

/*
 * Takes up to PRINTER_LIBUSB_OUT_MAX bytes into the OUT transfer: how many,
 * 0 while the last is still on its way (writable() follows), or -errno: not
 * attached, or the transfer was refused, and the link lets the device go
 * (the caller knows: no gone() follows).
 */
ssize_t printer_libusb_write(struct printer_libusb *l, const uint8_t *bytes, size_t len);

#endif
