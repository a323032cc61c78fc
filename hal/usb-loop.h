/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libusb on circd's loop, for every backend that talks to USB devices
 * through libusb (the scanners, the receipt printer without usblp): one
 * libusb context whose file descriptors are registered with the loop
 * (libusb_get_pollfds + the pollfd notifiers) and whose events are handled
 * with a zero timeout when one is readable, so nothing blocks and nothing
 * wakes up while no device talks. libusb's own timeouts (control transfers)
 * run on a loop timer when libusb has no timerfd.
 *
 * epoll refuses fds of regular files (EPERM): umockdev's replayed device
 * node is one. poll() would call such an fd always ready, so it is looked at
 * on a short timer instead; a real usbfs node never takes this path.
 *
 * Also what every such backend does with a libusb device: match it against
 * the board's usb, serial and port keys, and find its bulk endpoints.
 *
 * The struct is embedded in its backend's state; usb_loop_close() accepts
 * one that never opened (zeroed) or failed to.
 */
#ifndef CIRCD_HAL_USB_LOOP_H
#define CIRCD_HAL_USB_LOOP_H

#include <libusb.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "loop.h"
#include "usb-sysfs.h"

#define USB_LOOP_POLLFDS_MAX 16    /* libusb's own few, and one usbfs node per open device */
#define USB_LOOP_UNWATCHABLE_MS 2

/* libusb names its fds by number alone, in the removal notifier: this finds the source. */
struct usb_pollfd {
	int fd;
	struct loop_source *source; /* NULL: epoll refused it; looked at on unwatchable_timer */
};

struct usb_loop {
	libusb_context *ctx; /* NULL until opened */
	struct loop *loop;
	struct loop_timer usb_timer; /* libusb's own timeouts, if it has no timerfd */
	struct usb_pollfd pollfds[USB_LOOP_POLLFDS_MAX];
	size_t n_pollfds;
	size_t n_unwatchable;
	struct loop_timer unwatchable_timer;
};

/*
 * Starts a libusb context on loop and watches its fds. 0, or -EIO with why
 * naming libusb's error (or -errno from the loop); nothing to close then.
 */
int usb_loop_open(struct usb_loop *u, struct loop *loop, char *why, size_t why_size);
/* Stops watching and ends the context; every device must be closed first. */
void usb_loop_close(struct usb_loop *u);
/* libusb may have a new timeout to watch (a transfer with one was submitted). */
void usb_loop_update_timeouts(struct usb_loop *u);
/* Handles events for up to ms (blocking): only for closing, to take transfers back. */
void usb_loop_drain(struct usb_loop *u, unsigned ms);

/* dev's USB port path as sysfs names it ("1-1.4"), cut to size. */
void usb_device_port_path(libusb_device *dev, char *out, size_t size);
/*
 * Whether dev is the device m describes (its VID:PID, and its port path and
 * serial number where m gives them; the serial as /sys has it); port_out
 * gets its port path.
 */
bool usb_device_is(libusb_device *dev, const struct usb_sysfs_match *m, char *port_out,
		   size_t size);

/* One interface's bulk endpoints, a pair to talk over: requests out, answers in. */
struct usb_bulk_pair {
	int iface;
	uint8_t ep_out, ep_in;
};

/*
 * The first interface of dev's active configuration whose first setting
 * (alternate setting 0) has a bulk OUT and a bulk IN endpoint, of
 * interface_class unless that is -1; the first endpoint of each direction.
 * 0, or a libusb error (LIBUSB_ERROR_NOT_FOUND: no such interface).
 */
int usb_find_bulk_pair(libusb_device *dev, int interface_class, struct usb_bulk_pair *ret);

#endif
