/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * USB scanners and card readers through libusb: each board [scanner NAME]
 * section is a slot that a matching device (VID:PID, optionally serial and
 * port path) fills when it is plugged in and empties when it goes.
 *
 * Everything runs on circd's loop: libusb's file descriptors are registered
 * with it (libusb_get_pollfds + the pollfd notifiers) and events are handled
 * with a zero timeout when one is readable, so nothing here blocks and nothing
 * wakes up while no device talks. (libusb itself keeps one internal thread
 * blocked on udev's monitor socket for hotplug; it only queues events that
 * we then handle on the loop.)
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
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

/* --- libusb on the loop --------------------------------------------------------------- */

void usb_update_timeouts(struct scanner_libusb *u)
{
	struct timeval tv;

	if (libusb_pollfds_handle_timeouts(u->ctx))
		return;
	if (libusb_get_next_timeout(u->ctx, &tv) == 1)
		loop_timer_arm(u->loop, &u->usb_timer,
			       (uint64_t)tv.tv_sec * 1000 + (uint64_t)(tv.tv_usec + 999) / 1000);
	else
		loop_timer_disarm(u->loop, &u->usb_timer);
}

static void handle_usb_events(struct scanner_libusb *u)
{
	struct timeval zero = { 0, 0 };

	libusb_handle_events_timeout_completed(u->ctx, &zero, NULL);
	usb_update_timeouts(u);
}

static void on_usb_fd(struct loop *loop, int fd, uint32_t events, void *data)
{
	handle_usb_events(data);
}

static void on_usb_timer(struct loop *loop, void *data)
{
	handle_usb_events(data);
}

static uint32_t epoll_events(short poll_events)
{
	return (poll_events & POLLIN ? EPOLLIN : 0) | (poll_events & POLLOUT ? EPOLLOUT : 0);
}

static void on_unwatchable_poll(struct loop *loop, void *data)
{
	struct scanner_libusb *u = data;

	handle_usb_events(u);
	if (u->n_unwatchable)
		loop_timer_arm(loop, &u->unwatchable_timer, UNWATCHABLE_POLL_MS);
}

/*
 * epoll refuses fds of regular files (EPERM): umockdev's replayed device
 * node is one. poll() would call such an fd always ready, so it is looked
 * at on a short timer instead; a real usbfs node never takes this path.
 * Each look reaps every transfer umockdev has completed meanwhile, so a
 * replay goes at about one scan per tick; without activity, ticks stop once
 * the device is gone.
 */
static int watch_fd(struct scanner_libusb *u, int fd, short events)
{
	struct usb_pollfd *p;
	int r;

	if (u->n_pollfds == USB_POLLFDS_MAX)
		return -EMFILE;
	p = &u->pollfds[u->n_pollfds];
	r = loop_add_io(u->loop, fd, epoll_events(events), on_usb_fd, u, &p->source);
	if (r == -EPERM) {
		p->source = NULL;
		u->n_unwatchable++;
		loop_timer_arm(u->loop, &u->unwatchable_timer, 0);
	} else if (r < 0) {
		return r;
	}
	p->fd = fd;
	u->n_pollfds++;
	return 0;
}

static void unwatch_fd(struct scanner_libusb *u, int fd)
{
	for (size_t i = 0; i < u->n_pollfds; i++) {
		struct usb_pollfd *p = &u->pollfds[i];

		if (p->fd != fd)
			continue;
		if (p->source)
			loop_source_free(p->source);
		else if (--u->n_unwatchable == 0)
			loop_timer_disarm(u->loop, &u->unwatchable_timer);
		*p = u->pollfds[--u->n_pollfds];
		return;
	}
}

static void LIBUSB_CALL on_pollfd_added(int fd, short events, void *data)
{
	/* libusb gives us no way to report failure; a lost fd shows as a dead scanner */
	watch_fd(data, fd, events);
}

static void LIBUSB_CALL on_pollfd_removed(int fd, void *data)
{
	unwatch_fd(data, fd);
}

static int watch_pollfds(struct scanner_libusb *u)
{
	const struct libusb_pollfd **fds = libusb_get_pollfds(u->ctx);
	int r = 0;

	if (!fds)
		return -ENOMEM;
	for (size_t i = 0; fds[i] && r >= 0; i++)
		r = watch_fd(u, fds[i]->fd, fds[i]->events);
	libusb_free_pollfds(fds);
	if (r < 0)
		return r;
	libusb_set_pollfd_notifiers(u->ctx, on_pollfd_added, on_pollfd_removed, u);
	return 0;
}

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
	ssize_t n = libusb_get_device_list(u->ctx, &list);

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
	loop_timer_init(&u->usb_timer, on_usb_timer, u);
	loop_timer_init(&u->unwatchable_timer, on_unwatchable_poll, u);
	r = libusb_init(&u->ctx);
	if (r < 0) {
		u->ctx = NULL;
		file_error_set(err, board->path, 0, "scanner = libusb: cannot start libusb (%s)",
			       libusb_error_name(r));
		r = -EIO;
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
	r = watch_pollfds(u);
	if (r < 0) {
		file_error_set(err, board->path, 0, "scanner = libusb: %s", strerror(-r));
		goto err_free;
	}
	if (libusb_has_capability(LIBUSB_CAP_HAS_HOTPLUG) &&
	    libusb_hotplug_register_callback(u->ctx,
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
	struct timeval tick = { 0, 10000 };
	bool busy = true;

	if (!u)
		return;
	u->closing = true;
	loop_timer_disarm(u->loop, &u->arrival_timer);
	loop_timer_disarm(u->loop, &u->usb_timer);
	loop_timer_disarm(u->loop, &u->unwatchable_timer);
	for (size_t i = 0; i < u->n_slots; i++) {
		loop_timer_disarm(u->loop, &u->slots[i].retry_timer);
		slot_release(&u->slots[i], "");
	}
	for (int i = 0; i < 100 && busy && u->ctx; i++) {
		busy = false;
		for (size_t j = 0; j < u->n_slots; j++)
			busy |= u->slots[j].ctrl_busy || u->slots[j].intr_busy;
		if (busy)
			libusb_handle_events_timeout_completed(u->ctx, &tick, NULL);
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
	if (u->ctx) {
		if (u->hotplug)
			libusb_hotplug_deregister_callback(u->ctx, u->hotplug_handle);
		libusb_set_pollfd_notifiers(u->ctx, NULL, NULL, NULL);
		while (u->n_pollfds)
			unwatch_fd(u, u->pollfds[0].fd);
		libusb_exit(u->ctx);
	}
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
