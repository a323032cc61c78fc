/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A reader on USB bulk endpoints of its own, on the loop (usb-bulk-port.h). */
#include "usb-bulk-port.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "usb-loop.h"

#define OUT_TIMEOUT_MS 1000   /* a reader that takes no request for this long is gone */
#define FREE_TICK_MS 10       /* at free, while libusb gives the transfers back */
#define FREE_TICKS 100

enum port_state { PORT_ABSENT, PORT_ATTACHED, PORT_RELEASING };

struct usb_bulk_port {
	struct hal_env env;
	struct serial_port_events events;
	void *data;
	struct board_rfid def;
	unsigned gap_ms;
	struct usb_loop usb;

	enum port_state state;
	libusb_device_handle *handle;
	int iface;
	bool kernel_detached;
	uint8_t ep_out, ep_in;
	char path[8 + BOARD_USB_PORT_MAX];
	char last_why[160]; /* the failure last reported, to report each once */

	struct libusb_transfer *out, *in;
	bool out_busy, in_busy;
	bool out_pending; /* written, not submitted yet: the gap, or an IN coming back */
	bool want_in;     /* an answer is expected */
	bool in_transfer_done; /* handing over a transfer's data: nothing is submitted meanwhile */
	unsigned quiet_ms;
	bool have_last;
	uint64_t last_ms; /* when the last transfer ended */

	struct loop_timer retry, quiet, gap, close, reap;
	unsigned dispatching; /* inside one of our callbacks */
	bool freed;           /* freed from a callback: the rest happens from reap */

	size_t out_len;
	uint8_t out_buf[USB_BULK_PORT_OUT_MAX];
	uint8_t in_buf[USB_BULK_PORT_IN_MAX];
};

static void finish_free(struct usb_bulk_port *p);

static void report_state(struct usb_bulk_port *p, bool attached, const char *why)
{
	if (!attached && strcmp(why, p->last_why) == 0)
		return;
	snprintf(p->last_why, sizeof(p->last_why), "%s", why);
	if (p->events.state)
		p->events.state(p->data, attached, why);
}

static void end_dispatch(struct usb_bulk_port *p)
{
	/* libusb is still on the stack: what is left goes from a timer */
	if (--p->dispatching == 0 && p->freed)
		loop_timer_arm(p->env.loop, &p->reap, 0);
}

/* Once both transfers are back: the interface is given back from a timer, not from libusb's callback. */
static void release_done(struct usb_bulk_port *p)
{
	if (p->state == PORT_RELEASING && !p->out_busy && !p->in_busy)
		loop_timer_arm(p->env.loop, &p->close, 0);
}

static void release(struct usb_bulk_port *p)
{
	if (p->state != PORT_ATTACHED)
		return;
	p->state = PORT_RELEASING;
	p->path[0] = '\0';
	p->out_pending = false;
	p->want_in = false;
	loop_timer_disarm(p->env.loop, &p->gap);
	loop_timer_disarm(p->env.loop, &p->quiet);
	if (p->out_busy)
		libusb_cancel_transfer(p->out);
	if (p->in_busy)
		libusb_cancel_transfer(p->in);
	release_done(p);
}

static void lose(struct usb_bulk_port *p, const char *what)
{
	char why[200];

	snprintf(why, sizeof(why), "%s: %s", p->path, what);
	release(p);
	report_state(p, false, why);
}

/* Closes h, with the interface given back to the kernel driver it was taken from. */
static void give_back(struct usb_bulk_port *p, libusb_device_handle *h)
{
	if (p->kernel_detached)
		libusb_attach_kernel_driver(h, p->iface);
	p->kernel_detached = false;
	libusb_close(h);
}

static void on_close(struct loop *loop, void *data)
{
	struct usb_bulk_port *p = data;

	if (p->state != PORT_RELEASING || p->out_busy || p->in_busy)
		return;
	libusb_release_interface(p->handle, p->iface);
	give_back(p, p->handle);
	p->handle = NULL;
	p->state = PORT_ABSENT;
	if (!p->freed)
		loop_timer_arm(p->env.loop, &p->retry, USB_BULK_PORT_RETRY_MS);
}

static void on_transfer_done(struct libusb_transfer *t);

static int submit(struct usb_bulk_port *p, struct libusb_transfer *t, uint8_t ep, uint8_t *buf,
		  size_t len, unsigned timeout_ms)
{
	int r;

	libusb_fill_bulk_transfer(t, p->handle, ep, buf, (int)len, on_transfer_done, p, timeout_ms);
	r = libusb_submit_transfer(t);
	usb_loop_update_timeouts(&p->usb);
	return r;
}

/* Starts what is due: the write waiting, or the IN transfer for an answer; one at a time. */
static void kick(struct usb_bulk_port *p)
{
	uint64_t now, due;
	int r;

	if (p->state != PORT_ATTACHED || p->out_busy || p->in_busy || p->in_transfer_done)
		return;
	if (p->out_pending) {
		now = loop_mono_ms(p->env.loop);
		due = p->last_ms + p->gap_ms;
		if (p->have_last && now < due) {
			loop_timer_arm(p->env.loop, &p->gap, due - now);
			return;
		}
		p->out_pending = false;
		r = submit(p, p->out, p->ep_out, p->out_buf, p->out_len, OUT_TIMEOUT_MS);
		if (r < 0)
			lose(p, r == LIBUSB_ERROR_NO_DEVICE ? "unplugged" : libusb_error_name(r));
		else
			p->out_busy = true;
		return;
	}
	if (p->want_in) {
		r = submit(p, p->in, p->ep_in, p->in_buf, sizeof(p->in_buf), 0);
		if (r < 0)
			lose(p, r == LIBUSB_ERROR_NO_DEVICE ? "unplugged" : libusb_error_name(r));
		else
			p->in_busy = true;
	}
}

static void on_gap(struct loop *loop, void *data)
{
	kick(data);
}

static const char *transfer_failure(enum libusb_transfer_status status)
{
	switch (status) {
	case LIBUSB_TRANSFER_NO_DEVICE:
		return "unplugged";
	case LIBUSB_TRANSFER_TIMED_OUT:
		return "the reader took no request (timed out)";
	case LIBUSB_TRANSFER_STALL:
		return "the reader stalled an endpoint";
	case LIBUSB_TRANSFER_OVERFLOW:
		return "the reader sent more than it was asked for";
	default:
		return "transfer failed";
	}
}

static void in_done(struct usb_bulk_port *p, const struct libusb_transfer *t)
{
	if (t->actual_length <= 0)
		return;
	if (p->quiet_ms)
		loop_timer_arm(p->env.loop, &p->quiet, p->quiet_ms);
	if (p->events.data)
		p->events.data(p->data, t->buffer, (size_t)t->actual_length);
}

static void LIBUSB_CALL on_transfer_done(struct libusb_transfer *t)
{
	struct usb_bulk_port *p = t->user_data;
	bool is_in = t == p->in;

	p->dispatching++;
	if (is_in)
		p->in_busy = false;
	else
		p->out_busy = false;
	if (t->status == LIBUSB_TRANSFER_CANCELLED || p->state != PORT_ATTACHED) {
		release_done(p);
	} else if (t->status != LIBUSB_TRANSFER_COMPLETED) {
		lose(p, transfer_failure(t->status));
	} else {
		p->have_last = true;
		p->last_ms = loop_mono_ms(p->env.loop);
		/*
		 * What comes next is decided once the owner has seen the data: the
		 * answer it completes stops the wait, and no IN transfer must be
		 * submitted and taken back meanwhile.
		 */
		p->in_transfer_done = true;
		if (is_in)
			in_done(p, t);
		p->in_transfer_done = false;
	}
	if (!p->freed)
		kick(p); /* the next thing due, or a write that waited for a transfer taken back */
	end_dispatch(p);
}

static void on_quiet(struct loop *loop, void *data)
{
	struct usb_bulk_port *p = data;

	p->quiet_ms = 0;
	p->dispatching++;
	if (p->events.timeout)
		p->events.timeout(p->data);
	end_dispatch(p);
}

static void attach(struct usb_bulk_port *p, libusb_device *dev, const char *port, char *why,
		   size_t why_size)
{
	struct usb_bulk_pair pair;
	libusb_device_handle *h;
	int r = usb_find_bulk_pair(dev, -1, &pair);

	if (r < 0) {
		snprintf(why, why_size, "usb %s: no interface with a bulk OUT and a bulk IN endpoint",
			 port);
		return;
	}
	p->iface = pair.iface;
	p->ep_out = pair.ep_out;
	p->ep_in = pair.ep_in;
	r = libusb_open(dev, &h);
	if (r < 0) {
		snprintf(why, why_size, "usb %s: %s", port,
			 r == LIBUSB_ERROR_ACCESS ?
				 "permission denied (are circd's udev rules installed?)" :
				 libusb_error_name(r));
		return;
	}
	/*
	 * Explicit rather than libusb's auto-detach, as the scanners do: that
	 * needs USBDEVFS_DISCONNECT_CLAIM, which umockdev's replay does not know.
	 */
	p->kernel_detached = libusb_kernel_driver_active(h, p->iface) == 1 &&
			     libusb_detach_kernel_driver(h, p->iface) == 0;
	r = libusb_claim_interface(h, p->iface);
	if (r < 0) {
		snprintf(why, why_size, "usb %s: cannot claim interface %d (%s)", port, p->iface,
			 libusb_error_name(r));
		give_back(p, h);
		return;
	}
	p->handle = h;
	p->state = PORT_ATTACHED;
	p->have_last = false;
	p->out_pending = p->want_in = false;
	snprintf(p->path, sizeof(p->path), "usb %s", port);
	p->last_why[0] = '\0';
	report_state(p, true, "");
}

static void look_for_device(struct usb_bulk_port *p)
{
	libusb_device **list;
	ssize_t n = libusb_get_device_list(p->usb.ctx, &list);
	const struct usb_sysfs_match m = { p->def.usb_vid, p->def.usb_pid, p->def.serial,
					   p->def.port };
	char port[BOARD_USB_PORT_MAX], why[160];
	bool found = false;

	snprintf(why, sizeof(why), "no USB device %04x:%04x%s%s%s%s", p->def.usb_vid,
		 p->def.usb_pid, p->def.serial[0] ? " with serial " : "", p->def.serial,
		 p->def.port[0] ? " at port " : "", p->def.port);
	for (ssize_t i = 0; i < n && !found; i++) {
		if (usb_device_is(list[i], &m, port, sizeof(port))) {
			found = true;
			attach(p, list[i], port, why, sizeof(why));
		}
	}
	if (n >= 0)
		libusb_free_device_list(list, 1);
	if (p->state != PORT_ATTACHED) {
		loop_timer_arm(p->env.loop, &p->retry, USB_BULK_PORT_RETRY_MS);
		report_state(p, false, why);
	}
}

static void on_retry(struct loop *loop, void *data)
{
	struct usb_bulk_port *p = data;

	if (p->state != PORT_ABSENT)
		return;
	p->dispatching++;
	look_for_device(p);
	end_dispatch(p);
}

int usb_bulk_port_write(struct usb_bulk_port *p, const uint8_t *bytes, size_t len)
{
	if (p->state != PORT_ATTACHED)
		return -ENODEV;
	if (p->out_busy || p->out_pending)
		return -EBUSY;
	if (len > sizeof(p->out_buf))
		return -ENOBUFS;
	memcpy(p->out_buf, bytes, len);
	p->out_len = len;
	p->out_pending = true;
	kick(p);
	return 0;
}

void usb_bulk_port_expect(struct usb_bulk_port *p, unsigned ms)
{
	p->quiet_ms = ms;
	if (ms) {
		loop_timer_arm(p->env.loop, &p->quiet, ms);
		p->want_in = true;
		kick(p);
		return;
	}
	loop_timer_disarm(p->env.loop, &p->quiet);
	p->want_in = false;
	if (p->in_busy && p->state == PORT_ATTACHED)
		libusb_cancel_transfer(p->in);
}

const char *usb_bulk_port_path(const struct usb_bulk_port *p)
{
	return p->path;
}

static void on_reap(struct loop *loop, void *data)
{
	finish_free(data);
}

int usb_bulk_port_open(const struct hal_env *env, const struct board_rfid *def, unsigned gap_ms,
		       const struct serial_port_events *events, void *data,
		       struct usb_bulk_port **ret)
{
	struct usb_bulk_port *p = calloc(1, sizeof(*p));
	char why[128]; /* libusb's failure: the caller's -EIO says enough */
	int r;

	*ret = NULL;
	if (!p)
		return -ENOMEM;
	p->env = *env;
	if (events)
		p->events = *events;
	p->data = data;
	p->def = *def;
	p->gap_ms = gap_ms;
	loop_timer_init(&p->retry, on_retry, p);
	loop_timer_init(&p->quiet, on_quiet, p);
	loop_timer_init(&p->gap, on_gap, p);
	loop_timer_init(&p->close, on_close, p);
	loop_timer_init(&p->reap, on_reap, p);
	p->out = libusb_alloc_transfer(0);
	p->in = libusb_alloc_transfer(0);
	if (!p->out || !p->in) {
		r = -ENOMEM;
		goto err_free;
	}
	r = usb_loop_open(&p->usb, env->loop, why, sizeof(why));
	if (r < 0)
		goto err_free;
	*ret = p;
	look_for_device(p);
	return 0;

err_free:
	libusb_free_transfer(p->out);
	libusb_free_transfer(p->in);
	free(p);
	return r;
}

/* Takes the transfers back (briefly: this is a close), gives the device back, frees. */
static void finish_free(struct usb_bulk_port *p)
{
	for (int i = 0; i < FREE_TICKS && (p->out_busy || p->in_busy); i++)
		usb_loop_drain(&p->usb, FREE_TICK_MS);
	loop_timer_disarm(p->env.loop, &p->close);
	loop_timer_disarm(p->env.loop, &p->reap);
	if (p->handle) {
		libusb_release_interface(p->handle, p->iface);
		give_back(p, p->handle);
	}
	/* a transfer libusb never returned must not be freed under it */
	if (!p->out_busy)
		libusb_free_transfer(p->out);
	if (!p->in_busy)
		libusb_free_transfer(p->in);
	usb_loop_close(&p->usb);
	free(p);
}

void usb_bulk_port_free(struct usb_bulk_port *p)
{
	if (!p)
		return;
	memset(&p->events, 0, sizeof(p->events));
	loop_timer_disarm(p->env.loop, &p->retry);
	loop_timer_disarm(p->env.loop, &p->quiet);
	loop_timer_disarm(p->env.loop, &p->gap);
	p->freed = true;
	release(p);
	if (p->dispatching)
		return; /* end_dispatch() arms reap */
	finish_free(p);
}
