/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libusb on circd's loop, and the board's USB keys matched (usb-loop.h). */
#include "usb-loop.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>

void usb_loop_update_timeouts(struct usb_loop *u)
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

static void handle_usb_events(struct usb_loop *u)
{
	struct timeval zero = { 0, 0 };

	libusb_handle_events_timeout_completed(u->ctx, &zero, NULL);
	usb_loop_update_timeouts(u);
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
	struct usb_loop *u = data;

	handle_usb_events(u);
	if (u->n_unwatchable)
		loop_timer_arm(loop, &u->unwatchable_timer, USB_LOOP_UNWATCHABLE_MS);
}

/*
 * Each look at an unwatchable fd reaps every transfer umockdev has completed
 * meanwhile, so a replay goes at about one scan per tick; without activity,
 * ticks stop once the device is gone.
 */
static int watch_fd(struct usb_loop *u, int fd, short events)
{
	struct usb_pollfd *p;
	int r;

	if (u->n_pollfds == USB_LOOP_POLLFDS_MAX)
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

static void unwatch_fd(struct usb_loop *u, int fd)
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
	/* libusb gives us no way to report failure; a lost fd shows as a dead device */
	watch_fd(data, fd, events);
}

static void LIBUSB_CALL on_pollfd_removed(int fd, void *data)
{
	unwatch_fd(data, fd);
}

static int watch_pollfds(struct usb_loop *u)
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

int usb_loop_open(struct usb_loop *u, struct loop *loop, char *why, size_t why_size)
{
	int r;

	u->loop = loop;
	u->ctx = NULL;
	u->n_pollfds = u->n_unwatchable = 0;
	loop_timer_init(&u->usb_timer, on_usb_timer, u);
	loop_timer_init(&u->unwatchable_timer, on_unwatchable_poll, u);
	r = libusb_init(&u->ctx);
	if (r < 0) {
		u->ctx = NULL;
		snprintf(why, why_size, "cannot start libusb (%s)", libusb_error_name(r));
		return -EIO;
	}
	r = watch_pollfds(u);
	if (r < 0) {
		snprintf(why, why_size, "%s", strerror(-r));
		usb_loop_close(u);
		return r;
	}
	return 0;
}

void usb_loop_drain(struct usb_loop *u, unsigned ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	if (u->ctx)
		libusb_handle_events_timeout_completed(u->ctx, &tv, NULL);
}

void usb_loop_close(struct usb_loop *u)
{
	if (!u->ctx)
		return;
	loop_timer_disarm(u->loop, &u->usb_timer);
	loop_timer_disarm(u->loop, &u->unwatchable_timer);
	libusb_set_pollfd_notifiers(u->ctx, NULL, NULL, NULL);
	while (u->n_pollfds)
		unwatch_fd(u, u->pollfds[0].fd);
	libusb_exit(u->ctx);
	u->ctx = NULL;
}

void usb_device_port_path(libusb_device *dev, char *out, size_t size)
{
	uint8_t ports[8];
	int n = libusb_get_port_numbers(dev, ports, sizeof(ports));
	size_t len = (size_t)snprintf(out, size, "%u", libusb_get_bus_number(dev));

	for (int i = 0; i < n && len < size; i++)
		len += (size_t)snprintf(out + len, size - len, "%c%u", i ? '.' : '-', ports[i]);
}

bool usb_device_is(libusb_device *dev, const struct usb_sysfs_match *m, char *port_out,
		   size_t size)
{
	struct libusb_device_descriptor d;

	if (libusb_get_device_descriptor(dev, &d) < 0 || d.idVendor != m->vid ||
	    d.idProduct != m->pid)
		return false;
	usb_device_port_path(dev, port_out, size);
	if (m->port && m->port[0] && strcmp(port_out, m->port) != 0)
		return false;
	return !(m->serial && m->serial[0]) || usb_sysfs_serial_is("/sys", port_out, m->serial);
}

int usb_find_bulk_pair(libusb_device *dev, int interface_class, struct usb_bulk_pair *ret)
{
	struct libusb_config_descriptor *cfg;
	int r = libusb_get_active_config_descriptor(dev, &cfg);

	if (r < 0)
		return r;
	r = LIBUSB_ERROR_NOT_FOUND;
	for (int i = 0; i < cfg->bNumInterfaces && r < 0; i++) {
		const struct libusb_interface_descriptor *alt;
		uint8_t in = 0, out = 0;

		if (cfg->interface[i].num_altsetting < 1)
			continue;
		alt = &cfg->interface[i].altsetting[0];
		if (interface_class >= 0 && alt->bInterfaceClass != interface_class)
			continue;
		for (int e = 0; e < alt->bNumEndpoints; e++) {
			const struct libusb_endpoint_descriptor *ep = &alt->endpoint[e];

			if ((ep->bmAttributes & LIBUSB_TRANSFER_TYPE_MASK) != LIBUSB_TRANSFER_TYPE_BULK)
				continue;
			if (ep->bEndpointAddress & LIBUSB_ENDPOINT_IN) {
				if (!in)
					in = ep->bEndpointAddress;
			} else if (!out) {
				out = ep->bEndpointAddress;
			}
		}
		if (in && out) {
			*ret = (struct usb_bulk_pair){ alt->bInterfaceNumber, out, in };
			r = 0;
		}
	}
	libusb_free_config_descriptor(cfg);
	return r;
}
