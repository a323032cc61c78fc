/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * USB scanners and card readers through libusb: each board [scanner NAME]
 * section is a slot that a matching device (VID:PID, optionally serial and
 * port path) fills when it is plugged in and empties when it goes.
 *
 * Everything runs on circd's loop, through usb-loop.h: nothing here blocks
 * and nothing wakes up while no device talks. (libusb itself keeps one
 * internal thread blocked on udev's monitor socket for hotplug; it only
 * queues events that we then handle on the loop.)
 *
 * A device's life in its slot:
 *   ABSENT --match--> SETUP: detach usbhid and claim the HID interface (it
 *   is given back to usbhid on release), then control transfers:
 *   SET_PROTOCOL(boot) for a wedge's boot keyboard interface, SET_IDLE(0) so
 *   it reports only on change, and for HID POS, or a wedge whose keyboard is
 *   not a boot interface (composite scanners), the report descriptor, whose
 *   fields the parsers find by usage
 *   --> READING: one interrupt IN transfer, resubmitted on each completion,
 *   its reports fed to the pure decoders (hid-keyboard.c, hid-report.c)
 *   --unplug / error--> RELEASING until libusb has returned every transfer,
 *   then ABSENT again.
 * Hotplug arrivals are queued and handled from a loop timer: libusb does not
 * allow opening a device from inside its hotplug callback's caller chain
 * safely on every version. Without hotplug support, absent slots are
 * rescanned once a second (and only while some slot is empty).
 *
 * Ownership: open() copies what it needs from the board; close() (which
 * accepts NULL) cancels transfers, gives the interfaces back to the kernel
 * and frees everything.
 */
#include "scanner-libusb.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void usb_slot_emptied(struct scanner_libusb *u)
{
	if (!u->hotplug && !u->closing)
		loop_timer_arm(u->loop, &u->arrival_timer, RESCAN_MS);
}

/* --- arrivals ------------------------------------------------------------------------- */

static bool device_in_use(const struct scanner_libusb *u, libusb_device *dev)
{
	for (size_t i = 0; i < u->n_slots; i++)
		if (u->slots[i].dev == dev)
			return true;
	return false;
}

static void offer_device(struct scanner_libusb *u, libusb_device *dev)
{
	char port[BOARD_USB_PORT_MAX];

	if (device_in_use(u, dev))
		return;
	for (size_t i = 0; i < u->n_slots; i++) {
		struct slot *s = &u->slots[i];

		if (s->state == SLOT_ABSENT && !s->dev && slot_matches(s, dev, port, sizeof(port))) {
			slot_attach(s, dev, port);
			if (s->state != SLOT_ABSENT || s->dev)
				return;
		}
	}
}

static bool any_slot_absent(const struct scanner_libusb *u)
{
	for (size_t i = 0; i < u->n_slots; i++)
		if (u->slots[i].state == SLOT_ABSENT)
			return true;
	return false;
}

static void rescan(struct scanner_libusb *u)
{
	libusb_device **list;
	ssize_t n = libusb_get_device_list(u->usb.ctx, &list);

	for (ssize_t i = 0; i < n; i++)
		offer_device(u, list[i]);
	if (n >= 0)
		libusb_free_device_list(list, 1);
	if (any_slot_absent(u))
		loop_timer_arm(u->loop, &u->arrival_timer, RESCAN_MS);
}

static void on_arrival_timer(struct loop *loop, void *data)
{
	struct scanner_libusb *u = data;

	if (!u->hotplug) {
		rescan(u);
		return;
	}
	while (u->n_arrivals) {
		libusb_device *dev = u->arrivals[--u->n_arrivals];

		offer_device(u, dev);
		libusb_unref_device(dev);
	}
}

static int LIBUSB_CALL on_hotplug(libusb_context *ctx, libusb_device *dev,
				  libusb_hotplug_event event, void *data)
{
	struct scanner_libusb *u = data;

	if (event == LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT) {
		/* its transfers fail with NO_DEVICE too; this only makes it prompt */
		for (size_t i = 0; i < u->n_slots; i++)
			if (u->slots[i].dev == dev && u->slots[i].state != SLOT_ABSENT)
				slot_release(&u->slots[i], "");
		return 0;
	}
	if (u->n_arrivals < ARRIVALS_MAX) {
		u->arrivals[u->n_arrivals++] = libusb_ref_device(dev);
		loop_timer_arm(u->loop, &u->arrival_timer, 0);
	}
	return 0;
}

static void scanner_libusb_close(void *handle);

static int scanner_libusb_open(const struct hal_env *env, const struct board *board,
			       const struct scanner_events *events, void *data, void **ret,
			       struct file_error *err)
{
	struct scanner_libusb *u;
	char why[128];
	int r;

	u = calloc(1, sizeof(*u));
	if (!u) {
		file_error_set(err, board->path, 0, "scanners: out of memory");
		return -ENOMEM;
	}
	u->loop = env->loop;
	if (events)
		u->events = *events;
	u->data = data;
	loop_timer_init(&u->arrival_timer, on_arrival_timer, u);
	r = usb_loop_open(&u->usb, u->loop, why, sizeof(why));
	if (r < 0) {
		file_error_set(err, board->path, 0, "scanner = libusb: %s", why);
		goto err_free;
	}
	for (u->n_slots = 0; u->n_slots < board->n_scanners; u->n_slots++) {
		r = slot_init(u, &u->slots[u->n_slots], &board->scanners[u->n_slots], board->path,
			      err);
		if (r < 0) {
			u->n_slots++;
			goto err_free;
		}
	}
	if (libusb_has_capability(LIBUSB_CAP_HAS_HOTPLUG) &&
	    libusb_hotplug_register_callback(u->usb.ctx,
					     LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED |
						     LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT,
					     LIBUSB_HOTPLUG_ENUMERATE, LIBUSB_HOTPLUG_MATCH_ANY,
					     LIBUSB_HOTPLUG_MATCH_ANY, LIBUSB_HOTPLUG_MATCH_ANY,
					     on_hotplug, u, &u->hotplug_handle) == 0)
		u->hotplug = true;
	else
		loop_timer_arm(u->loop, &u->arrival_timer, 0); /* first scan now, then rescans */
	*ret = u;
	return 0;

err_free:
	scanner_libusb_close(u);
	return r;
}

/* Gives every device back and waits (briefly: this is shutdown) for libusb to return the transfers. */
static void scanner_libusb_close(void *handle)
{
	struct scanner_libusb *u = handle;
	bool busy = true;

	if (!u)
		return;
	u->closing = true;
	loop_timer_disarm(u->loop, &u->arrival_timer);
	for (size_t i = 0; i < u->n_slots; i++) {
		loop_timer_disarm(u->loop, &u->slots[i].retry_timer);
		slot_release(&u->slots[i], "");
	}
	for (int i = 0; i < 100 && busy && u->usb.ctx; i++) {
		busy = false;
		for (size_t j = 0; j < u->n_slots; j++)
			busy |= u->slots[j].ctrl_busy || u->slots[j].intr_busy;
		if (busy)
			usb_loop_drain(&u->usb, 10);
	}
	for (size_t i = 0; i < u->n_slots; i++) {
		struct slot *s = &u->slots[i];

		if (s->state == SLOT_RELEASING && !s->ctrl_busy && !s->intr_busy)
			slot_finish_release(s);
		loop_timer_disarm(u->loop, &s->close_timer);
		loop_timer_disarm(u->loop, &s->char_timer);
		/* a transfer libusb never returned must not be freed under it */
		if (!s->ctrl_busy)
			libusb_free_transfer(s->ctrl);
		if (!s->intr_busy)
			libusb_free_transfer(s->intr);
		libusb_unref_device(s->dev);
	}
	while (u->n_arrivals)
		libusb_unref_device(u->arrivals[--u->n_arrivals]);
	if (u->usb.ctx && u->hotplug)
		libusb_hotplug_deregister_callback(u->usb.ctx, u->hotplug_handle);
	usb_loop_close(&u->usb);
	free(u);
}

static size_t scanner_libusb_status(void *handle, struct scanner_status *out, size_t max)
{
	struct scanner_libusb *u = handle;
	size_t n = u->n_slots < max ? u->n_slots : max;

	for (size_t i = 0; i < n; i++)
		out[i] = u->slots[i].status;
	return n;
}

const struct scanner_ops scanner_libusb_ops = {
	.name = "libusb",
	.open = scanner_libusb_open,
	.close = scanner_libusb_close,
	.status = scanner_libusb_status,
};
