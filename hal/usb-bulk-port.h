/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A reader on USB bulk endpoints of its own (transport = usb: FEIG's USB
 * readers), for the RFID backends: the shape of serial-port.h (bytes out,
 * bytes in as they come, a quiet-line timer, found again after an unplug)
 * over libusb on the loop (usb-loop.h).
 *
 * The device is the board's usb (VID:PID), with its serial and port when
 * given, looked for at open and every USB_BULK_PORT_RETRY_MS while absent;
 * its interface is the first whose first setting has a bulk OUT and a bulk
 * IN endpoint (a kernel driver on it is detached, then it is claimed). Each
 * write is one OUT transfer (one protocol frame); while an answer is
 * expected (usb_bulk_port_expect() armed) a bulk IN transfer is kept
 * submitted, from when the write has gone, and what it brings is handed
 * over. Only one transfer is in flight at a time, as the reader talks only
 * when asked. A write sooner than gap_ms after the last transfer ended
 * waits for it: FEIG asks for 5 ms between messages.
 *
 * What FEIG's USB readers need of it was found in no FEIG document: it
 * follows a public client of the ID ISC.LR2500 on USB (Rust, its UsbConnection
 * citing FEIG's manual H01112-0e-ID-B): vendor 0x0AB1, the interface claimed,
 * each request an advanced-protocol frame written to bulk endpoint 0x02 and
 * the answer read from bulk endpoint 0x81, at least 5 ms between messages.
 * The endpoints are taken from the descriptors here rather than assumed.
 *
 * usb_bulk_port_free() accepts NULL and may be called from the port's own
 * callbacks; what libusb still holds then goes once it has come back.
 */
#ifndef CIRCD_HAL_USB_BULK_PORT_H
#define CIRCD_HAL_USB_BULK_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "board.h"
#include "hal-env.h"
#include "serial-port.h"

#define USB_BULK_PORT_RETRY_MS 1000
#define USB_BULK_PORT_OUT_MAX 1024  /* bytes of one write; more is -ENOBUFS */
#define USB_BULK_PORT_IN_MAX 2048   /* asked for by each IN transfer: whole packets of any speed */

struct usb_bulk_port;

/*
 * Looks for the device at once and keeps looking while it is absent: only
 * -ENOMEM and -EIO (libusb does not start) fail. The events are
 * serial-port.h's, with the same meaning; state may be reported from within.
 */
int usb_bulk_port_open(const struct hal_env *env, const struct board_rfid *def, unsigned gap_ms,
		       const struct serial_port_events *events, void *data,
		       struct usb_bulk_port **ret);
void usb_bulk_port_free(struct usb_bulk_port *port);

/* One OUT transfer of bytes: 0, -ENODEV while absent, -EBUSY while one is under way, -ENOBUFS. */
int usb_bulk_port_write(struct usb_bulk_port *port, const uint8_t *bytes, size_t len);
/*
 * Arms (ms > 0) or stops (0) the quiet-line timer, as serial_port_expect();
 * while it is armed an IN transfer waits for the reader, and stopping it
 * takes that transfer back.
 */
void usb_bulk_port_expect(struct usb_bulk_port *port, unsigned ms);

/* "usb 1-1.4" (the port path) while attached, "" otherwise. */
const char *usb_bulk_port_path(const struct usb_bulk_port *port);

#endif
