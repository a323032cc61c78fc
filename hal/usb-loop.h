/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libusb on circd's loop, for the backends that drive USB devices themselves
 * (scanner-libusb.c, usb-bulk-port.c): one libusb context each, whose file
 * descriptors are registered with the loop (libusb_get_pollfds and the
 * pollfd notifiers) and whose events are handled with a zero timeout when
 * one is readable, so nothing blocks and nothing wakes up while no device
 * talks. (libusb itself keeps one internal thread blocked on udev's monitor
 * socket for hotplug; it only queues events that are then handled here.)
 *
 * Also the matching every backend does of a board's USB keys: the port path
 * and the serial number as the kernel read them.
 *
 * usb_loop_free() accepts NULL; its owner has had its transfers back first
 * (libusb_exit() must not find any in flight).
 */
#ifndef CIRCD_HAL_USB_LOOP_H
#define CIRCD_HAL_USB_LOOP_H

#include <libusb.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "loop.h"

struct usb_loop;

/*
 * A libusb context on loop. -ENOMEM; -EIO when libusb cannot start, with
 * its error (a libusb_error) in *libusb_error for the report.
 */
int usb_loop_open(struct loop *loop, struct usb_loop **ret, int *libusb_error);
void usb_loop_free(struct usb_loop *usb);
libusb_context *usb_loop_ctx(const struct usb_loop *usb);
/* libusb may have a new timeout to watch: call after submitting a transfer. */
void usb_loop_update_timeouts(struct usb_loop *usb);

/* dev's port path as sysfs names it ("1-1.4"), cut to size. */
void usb_port_path(libusb_device *dev, char *out, size_t size);
/*
 * Whether the device at port path port has serial number want, as the
 * kernel read it at enumeration (sysfs): asking the device would be a
 * blocking control transfer.
 */
bool usb_serial_matches(const char *port, const char *want);
/*
 * Whether dev is vid:pid, at port (unless ""), with serial (unless "");
 * *port_out gets its port path.
 */
bool usb_device_matches(libusb_device *dev, uint16_t vid, uint16_t pid, const char *port,
			const char *serial, char *port_out, size_t size);

#endif
