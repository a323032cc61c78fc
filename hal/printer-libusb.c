/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The receipt printer's link through libusb (printer-libusb.h). */
#include "printer-libusb.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "usb-loop.h"

#define IN_MAX 512 /* a high-speed bulk packet; status answers are single bytes */
#define CLOSE_TRIES 20
#define CLOSE_TICK_MS 10

struct printer_libusb {
	struct usb_loop usb;
	struct loop *loop;
	struct printer_libusb_events events;
	void *data;
	libusb_device_handle *handle;
	int iface;
	uint8_t ep_out, ep_in;
	struct libusb_transfer *out, *in;
	bool out_busy, in_busy;
	bool releasing;             /* let go: waiting for libusb to give the transfers back */
	struct loop_timer finish;   /* closes the handle, outside libusb's callbacks */
	uint8_t out_buf[PRINTER_LIBUSB_OUT_MAX];
	uint8_t in_buf[IN_MAX];
};

static void finish_when_idle(struct printer_libusb *l)
{
	if (l->releasing && !l->out_busy && !l->in_busy)
		loop_timer_arm(l->loop, &l->finish, 0);
}

static void start_release(struct printer_libusb *l)
{
	if (!l->handle || l->releasing)
		return;
	l->releasing = true;
	if (l->out_busy)
		libusb_cancel_transfer(l->out);
	if (l->in_busy)
		libusb_cancel_transfer(l->in);
	finish_when_idle(l);
}

static void on_finish(struct loop *loop, void *data)
{
	struct printer_libusb *l = data;

	if (!l->releasing || l->out_busy || l->in_busy)
		return;
	libusb_release_interface(l->handle, l->iface);
	libusb_close(l->handle);
	l->handle = NULL;
	l->releasing = false;
}

/* A transfer failed: the device is let go, and the printer's side told once. */
static void fail(struct printer_libusb *l, const char *what, enum libusb_transfer_status st)
{
	char why[96];

	if (l->releasing)
		return;
	snprintf(why, sizeof(why), "%s: %s", what,
		 st == LIBUSB_TRANSFER_NO_DEVICE ? "the device is gone" : libusb_error_name(st));
	start_release(l);
	if (l->events.gone)
		l->events.gone(l->data, why);
}

static void LIBUSB_CALL on_in(struct libusb_transfer *t);

static int submit_in(struct printer_libusb *l)
{
	int r;

	libusb_fill_bulk_transfer(l->in, l->handle, l->ep_in, l->in_buf, sizeof(l->in_buf), on_in,
				  l, 0);
	r = libusb_submit_transfer(l->in);
	l->in_busy = r == 0;
	return r;
}

static void LIBUSB_CALL on_in(struct libusb_transfer *t)
{
	struct printer_libusb *l = t->user_data;

	l->in_busy = false;
	if (l->releasing) {
		finish_when_idle(l);
		return;
	}
	if (t->status != LIBUSB_TRANSFER_COMPLETED) {
		fail(l, "bulk IN", t->status);
		return;
	}
	if (t->actual_length > 0 && l->events.readable)
		l->events.readable(l->data, t->buffer, (size_t)t->actual_length);
	/* the answer may have made the printer's side let go */
	if (!l->releasing && submit_in(l) != 0)
		fail(l, "bulk IN", LIBUSB_TRANSFER_ERROR);
	usb_loop_update_timeouts(&l->usb);
}

static void LIBUSB_CALL on_out(struct libusb_transfer *t)
{
	struct printer_libusb *l = t->user_data;

	l->out_busy = false;
	if (l->releasing) {
		finish_when_idle(l);
		return;
	}
	if (t->status != LIBUSB_TRANSFER_COMPLETED) {
		fail(l, "bulk OUT", t->status);
		return;
	}
	if (l->events.writable)
		l->events.writable(l->data);
}

int printer_libusb_new(struct loop *loop, const struct printer_libusb_events *events, void *data,
		       struct printer_libusb **ret, char *why, size_t why_size)
{
	struct printer_libusb *l = calloc(1, sizeof(*l));
	int r;

	*ret = NULL;
	if (!l) {
		snprintf(why, why_size, "out of memory");
		return -ENOMEM;
	}
	l->loop = loop;
	l->events = *events;
	l->data = data;
	loop_timer_init(&l->finish, on_finish, l);
	l->out = libusb_alloc_transfer(0);
	l->in = libusb_alloc_transfer(0);
	if (!l->out || !l->in) {
		snprintf(why, why_size, "out of memory");
		r = -ENOMEM;
		goto err_free;
	}
	r = usb_loop_open(&l->usb, loop, why, why_size);
	if (r < 0)
		goto err_free;
	*ret = l;
	return 0;

err_free:
	libusb_free_transfer(l->out);
	libusb_free_transfer(l->in);
	free(l);
	return r;
}

static libusb_device *device_at(struct printer_libusb *l, const char *port)
{
	libusb_device **list, *found = NULL;
	ssize_t n = libusb_get_device_list(l->usb.ctx, &list);
	char path[64];

	for (ssize_t i = 0; i < n && !found; i++) {
		usb_device_port_path(list[i], path, sizeof(path));
		if (strcmp(path, port) == 0)
			found = libusb_ref_device(list[i]);
	}
	if (n >= 0)
		libusb_free_device_list(list, 1);
	return found;
}

int printer_libusb_attach(struct printer_libusb *l, const char *port, char *why,
			  size_t why_size)
{
	struct usb_bulk_pair pair;
	libusb_device *dev;
	int r;

	if (l->handle) {
		snprintf(why, why_size, "usb %s: the last printer is still being let go", port);
		return -EBUSY;
	}
	dev = device_at(l, port);
	if (!dev) {
		snprintf(why, why_size, "usb %s: libusb does not see it", port);
		return -ENXIO;
	}
	/* bidirectional: the printer class's bulk OUT, and the bulk IN its status comes back on */
	if (usb_find_bulk_pair(dev, LIBUSB_CLASS_PRINTER, &pair) < 0) {
		libusb_unref_device(dev);
		snprintf(why, why_size, "usb %s: no printer interface with bulk OUT and IN", port);
		return -ENODEV;
	}
	l->iface = pair.iface;
	l->ep_out = pair.ep_out;
	l->ep_in = pair.ep_in;
	r = libusb_open(dev, &l->handle);
	libusb_unref_device(dev);
	if (r < 0) {
		l->handle = NULL;
		snprintf(why, why_size, "usb %s: %s", port,
			 r == LIBUSB_ERROR_ACCESS ?
				 "permission denied (are circd's udev rules installed?)" :
				 libusb_error_name(r));
		return r == LIBUSB_ERROR_ACCESS ? -EACCES : -EIO;
	}
	/* usblp bound after all: its node is the way, and it will be found there */
	if (libusb_kernel_driver_active(l->handle, l->iface) == 1) {
		snprintf(why, why_size, "usb %s: a kernel driver has its printer interface", port);
		r = -EBUSY;
		goto err_close;
	}
	r = libusb_claim_interface(l->handle, l->iface);
	if (r < 0) {
		snprintf(why, why_size, "usb %s: cannot claim interface %d (%s)", port, l->iface,
			 libusb_error_name(r));
		r = -EBUSY;
		goto err_close;
	}
	if (submit_in(l) != 0) {
		snprintf(why, why_size, "usb %s: cannot read from the printer", port);
		r = -EIO;
		goto err_release;
	}
	usb_loop_update_timeouts(&l->usb);
	return 0;

err_release:
	libusb_release_interface(l->handle, l->iface);
err_close:
	libusb_close(l->handle);
	l->handle = NULL;
	return r;
}

static bool attached(const struct printer_libusb *l)
{
	return l && l->handle && !l->releasing;
}

void printer_libusb_detach(struct printer_libusb *l)
{
	if (l)
		start_release(l);
}

ssize_t printer_libusb_write(struct printer_libusb *l, const uint8_t *bytes, size_t len)
{
	size_t n = len < sizeof(l->out_buf) ? len : sizeof(l->out_buf);
	int r;

	if (!attached(l))
		return -ENODEV;
	if (l->out_busy)
		return 0;
	memcpy(l->out_buf, bytes, n);
	libusb_fill_bulk_transfer(l->out, l->handle, l->ep_out, l->out_buf, (int)n, on_out, l, 0);
	r = libusb_submit_transfer(l->out);
	if (r != 0) {
		start_release(l);
		return r == LIBUSB_ERROR_NO_DEVICE ? -ENODEV : -EIO;
	}
	l->out_busy = true;
	usb_loop_update_timeouts(&l->usb);
	return (ssize_t)n;
}

void printer_libusb_free(struct printer_libusb *l)
{
	if (!l)
		return;
	start_release(l);
	/* shutdown: libusb gives cancelled transfers back within a few ms */
	for (int i = 0; i < CLOSE_TRIES && (l->out_busy || l->in_busy); i++)
		usb_loop_drain(&l->usb, CLOSE_TICK_MS);
	loop_timer_disarm(l->loop, &l->finish);
	if (l->handle && !l->out_busy && !l->in_busy) {
		libusb_release_interface(l->handle, l->iface);
		libusb_close(l->handle);
	}
	/* a transfer libusb never returned must not be freed under it */
	if (!l->out_busy)
		libusb_free_transfer(l->out);
	if (!l->in_busy)
		libusb_free_transfer(l->in);
	usb_loop_close(&l->usb);
	free(l);
}
