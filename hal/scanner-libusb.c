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
 *   it reports only on change, and for HID POS the report descriptor, whose
 *   fields the parser finds by usage
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
#include "scanner.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libusb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "../firmware/loop.h"
#include "cardnum.h"
#include "hid-keyboard.h"
#include "hid-report.h"

#define REPORT_MAX 1024       /* wMaxPacketSize of a high-speed interrupt endpoint */
#define REPORT_DESC_MAX 2048  /* plenty for a scanner's report descriptor */
#define CONTROL_TIMEOUT_MS 1000
#define RESCAN_MS 1000        /* without hotplug: how often absent slots look again */
#define CLAIM_RETRY_MS 100    /* usbhid may still be binding right after arrival */
#define CLAIM_TRIES 10
#define ARRIVALS_MAX 16
#define ERRORS_MAX 5          /* consecutive failed transfers before giving up on a device */
#define UNWATCHABLE_MAX 8
#define UNWATCHABLE_POLL_MS 2

enum slot_state { SLOT_ABSENT, SLOT_SETUP, SLOT_READING, SLOT_RELEASING };

enum setup_step { STEP_SET_PROTOCOL, STEP_SET_IDLE, STEP_REPORT_DESC, STEP_DONE };

struct scanner_libusb;

struct slot {
	struct scanner_libusb *owner;
	struct board_scanner cfg;
	struct scanner_status status;
	enum slot_state state;
	bool hidpos;
	enum card_format card;
	enum hid_layout layout;

	libusb_device *dev; /* referenced while present */
	libusb_device_handle *handle;
	int iface;
	uint8_t config_value;
	bool boot_keyboard;
	bool kernel_detached;
	uint8_t ep_in;
	uint16_t report_len;
	uint16_t report_desc_len;
	enum setup_step step;
	struct libusb_transfer *ctrl, *intr;
	bool ctrl_busy, intr_busy;
	unsigned errors;
	char release_error[96];

	struct hid_keyboard kb;
	struct hid_pos_layout pos_layout;
	struct hid_pos pos;
	struct loop_timer char_timer; /* a wedge's inter-character timeout */
	struct loop_timer retry_timer;
	struct loop_timer close_timer;
	unsigned claim_tries;
	bool have_report_desc;

	uint8_t ctrl_buf[LIBUSB_CONTROL_SETUP_SIZE + REPORT_DESC_MAX];
	uint8_t report[REPORT_MAX];
};

struct scanner_libusb {
	libusb_context *ctx;
	struct loop *loop;
	struct scanner_events events;
	void *data;
	struct slot slots[BOARD_SCANNERS_MAX];
	size_t n_slots;
	bool hotplug;
	libusb_hotplug_callback_handle hotplug_handle;
	libusb_device *arrivals[ARRIVALS_MAX];
	size_t n_arrivals;
	struct loop_timer arrival_timer; /* handles queued arrivals, or rescans */
	struct loop_timer usb_timer;     /* libusb's own timeouts, if it has no timerfd */
	int unwatchable[UNWATCHABLE_MAX];
	size_t n_unwatchable;
	struct loop_timer unwatchable_timer;
	bool closing;
};

static void slot_start_setup(struct slot *s);
static void slot_release(struct slot *s, const char *why);
static int use_report_desc(struct slot *s, const uint8_t *desc, size_t len);

/* --- libusb on the loop --------------------------------------------------------------- */

static void update_usb_timer(struct scanner_libusb *u)
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
	update_usb_timer(u);
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
 */
static int watch_fd(struct scanner_libusb *u, int fd, short events)
{
	int r = loop_add_fd(u->loop, fd, epoll_events(events), on_usb_fd, u);

	if (r != -EPERM)
		return r;
	if (u->n_unwatchable == UNWATCHABLE_MAX)
		return -EMFILE;
	u->unwatchable[u->n_unwatchable++] = fd;
	loop_timer_arm(u->loop, &u->unwatchable_timer, 0);
	return 0;
}

static void unwatch_fd(struct scanner_libusb *u, int fd)
{
	for (size_t i = 0; i < u->n_unwatchable; i++) {
		if (u->unwatchable[i] == fd) {
			u->unwatchable[i] = u->unwatchable[--u->n_unwatchable];
			if (!u->n_unwatchable)
				loop_timer_disarm(u->loop, &u->unwatchable_timer);
			return;
		}
	}
	loop_del_fd(u->loop, fd);
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

/* --- status and events ---------------------------------------------------------------- */

static void report_device(struct slot *s)
{
	struct scanner_libusb *u = s->owner;

	if (u->events.device && !u->closing)
		u->events.device(u->data, &s->status);
}

static void report_discarded(struct slot *s, const char *reason)
{
	struct scanner_libusb *u = s->owner;

	s->status.discarded++;
	if (u->events.discarded)
		u->events.discarded(u->data, s->cfg.name, reason);
}

/* An error that keeps a device out of its slot; said once, not at every retry. */
static void refuse_device(struct slot *s, const char *fmt, const char *detail)
{
	char msg[sizeof(s->status.last_error)];

	snprintf(msg, sizeof(msg), fmt, detail);
	if (strcmp(msg, s->status.last_error) == 0)
		return;
	snprintf(s->status.last_error, sizeof(s->status.last_error), "%s", msg);
	report_device(s);
}

static void deliver(struct slot *s, const char *text, size_t len, const char *aim)
{
	struct scanner_libusb *u = s->owner;
	struct scan scan = { .role = board_scanner_role(&s->cfg), .device = s->cfg.name };
	char why[96];
	int n;

	n = card_number_normalize(s->card, text, len, scan.text, sizeof(scan.text), why,
				  sizeof(why));
	if (n < 0) {
		report_discarded(s, why);
		return;
	}
	scan.len = (size_t)n;
	if (aim && aim[0]) {
		snprintf(scan.aim, sizeof(scan.aim), "%s", aim);
		scan.symbology = aim_symbology(aim);
	}
	s->status.scans++;
	if (u->events.scan)
		u->events.scan(u->data, &scan);
}

/* --- reports -------------------------------------------------------------------------- */

static void arm_char_timer(struct slot *s)
{
	struct loop *loop = s->owner->loop;
	uint64_t deadline, now = loop_mono_ms(loop);

	if (hid_keyboard_deadline(&s->kb, &deadline))
		loop_timer_arm(loop, &s->char_timer, deadline > now ? deadline - now : 0);
	else
		loop_timer_disarm(loop, &s->char_timer);
}

static void on_char_timeout(struct loop *loop, void *data)
{
	struct slot *s = data;
	struct hid_keyboard_out out;

	hid_keyboard_expire(&s->kb, loop_mono_ms(loop), &out);
	if (out.discarded)
		report_discarded(s, out.reason);
	arm_char_timer(s);
}

static void handle_report(struct slot *s, const uint8_t *report, size_t len)
{
	if (s->hidpos) {
		struct hid_pos_out out;

		hid_pos_feed(&s->pos, report, len, &out);
		if (out.discarded)
			report_discarded(s, out.reason);
		if (out.symbol)
			deliver(s, out.text, out.len, out.aim);
		return;
	}
	{
		struct hid_keyboard_out out;

		hid_keyboard_feed(&s->kb, report, len, loop_mono_ms(s->owner->loop), &out);
		if (out.discarded)
			report_discarded(s, out.reason);
		if (out.symbol)
			deliver(s, out.text, out.len, NULL);
		arm_char_timer(s);
	}
}

/* Rebinds usbhid, so that a scanner circd lets go of types into the console again. */
static void give_back_to_kernel(struct slot *s)
{
	if (s->kernel_detached)
		libusb_attach_kernel_driver(s->handle, s->iface);
	s->kernel_detached = false;
}

/* Finishes a release once libusb has handed back every transfer. */
static void slot_release_done(struct slot *s)
{
	/*
	 * This runs inside libusb's event handling (a transfer callback),
	 * where libusb_close() would deadlock on libusb's own lock: close from
	 * the loop instead.
	 */
	if (!s->ctrl_busy && !s->intr_busy)
		loop_timer_arm(s->owner->loop, &s->close_timer, 0);
}

static void slot_finish_release(struct slot *s)
{
	struct scanner_libusb *u = s->owner;

	loop_timer_disarm(u->loop, &s->close_timer);
	loop_timer_disarm(u->loop, &s->char_timer);
	if (s->kb.pending && s->kb.typed) {
		char why[96];

		snprintf(why, sizeof(why), "the scanner went away after %u characters of a symbol",
			 (unsigned)s->kb.typed);
		report_discarded(s, why);
	}
	if (s->handle) {
		libusb_release_interface(s->handle, s->iface);
		give_back_to_kernel(s);
		libusb_close(s->handle);
		s->handle = NULL;
	}
	libusb_unref_device(s->dev);
	s->dev = NULL;
	s->state = SLOT_ABSENT;
	s->status.attached = false;
	s->status.port[0] = '\0';
	snprintf(s->status.last_error, sizeof(s->status.last_error), "%s", s->release_error);
	hid_keyboard_reset(&s->kb);
	hid_pos_reset(&s->pos);
	report_device(s);
	if (!u->hotplug && !u->closing)
		loop_timer_arm(u->loop, &u->arrival_timer, RESCAN_MS);
}

static void on_close_timer(struct loop *loop, void *data)
{
	struct slot *s = data;

	if (s->state == SLOT_RELEASING && !s->ctrl_busy && !s->intr_busy)
		slot_finish_release(s);
}

static void LIBUSB_CALL on_interrupt(struct libusb_transfer *xfer)
{
	struct slot *s = xfer->user_data;

	s->intr_busy = false;
	if (s->state != SLOT_READING) {
		slot_release_done(s);
		return;
	}
	switch (xfer->status) {
	case LIBUSB_TRANSFER_COMPLETED:
		s->errors = 0;
		handle_report(s, xfer->buffer, (size_t)xfer->actual_length);
		break;
	case LIBUSB_TRANSFER_NO_DEVICE:
		slot_release(s, "");
		return;
	case LIBUSB_TRANSFER_STALL:
		/* a halted endpoint is cleared once, as usbhid would */
		libusb_clear_halt(s->handle, s->ep_in);
		/* fall through */
	default:
		if (++s->errors >= ERRORS_MAX) {
			slot_release(s, "the device stopped answering (repeated transfer errors)");
			return;
		}
		break;
	}
	if (s->state != SLOT_READING)
		return;
	if (libusb_submit_transfer(xfer) < 0) {
		slot_release(s, "cannot resubmit the interrupt transfer");
		return;
	}
	s->intr_busy = true;
}

static void start_reading(struct slot *s)
{
	libusb_fill_interrupt_transfer(s->intr, s->handle, s->ep_in, s->report, s->report_len,
				       on_interrupt, s, 0);
	if (libusb_submit_transfer(s->intr) < 0) {
		slot_release(s, "cannot submit the interrupt transfer");
		return;
	}
	s->intr_busy = true;
	s->state = SLOT_READING;
	s->status.attached = true;
	s->status.last_error[0] = '\0';
	s->release_error[0] = '\0';
	report_device(s);
}

/* --- set-up: control transfers one after the other ------------------------------------ */

static void LIBUSB_CALL on_control(struct libusb_transfer *xfer)
{
	struct slot *s = xfer->user_data;
	int r;

	s->ctrl_busy = false;
	if (s->state != SLOT_SETUP) {
		slot_release_done(s);
		return;
	}
	if (xfer->status == LIBUSB_TRANSFER_NO_DEVICE) {
		slot_release(s, "");
		return;
	}
	if (s->step == STEP_REPORT_DESC) {
		if (xfer->status != LIBUSB_TRANSFER_COMPLETED) {
			slot_release(s, "cannot read the HID report descriptor");
			return;
		}
		r = use_report_desc(s, libusb_control_transfer_get_data(xfer),
				    (size_t)xfer->actual_length);
		if (r < 0)
			return;
	}
	/* SET_PROTOCOL and SET_IDLE are optional for a device: a STALL is no error */
	s->step++;
	slot_start_setup(s);
}

static int use_report_desc(struct slot *s, const uint8_t *desc, size_t len)
{
	int r = hid_pos_layout_parse(desc, len, &s->pos_layout);

	if (r < 0) {
		slot_release(s, r == -ENOENT ? "not a HID POS scanner: its report descriptor has "
					       "no Decoded Data field (try protocol = wedge)"
					     : "malformed HID report descriptor");
		return r;
	}
	hid_pos_init(&s->pos, &s->pos_layout);
	return 0;
}

/*
 * The report descriptor as usbhid read it at enumeration, from sysfs: no
 * control transfer needed. Gone once we have claimed the interface, and
 * absent if usbhid never bound; then the device is asked.
 */
static ssize_t sysfs_report_desc(const struct slot *s, uint8_t *buf, size_t size)
{
	char dir[128], path[128 + 256 + 24];
	struct dirent *e;
	ssize_t n = -1;
	DIR *d;
	int fd;

	snprintf(dir, sizeof(dir), "/sys/bus/usb/devices/%s:%u.%d", s->status.port,
		 s->config_value, s->iface);
	d = opendir(dir);
	if (!d)
		return -1;
	while ((e = readdir(d)) && n < 0) {
		if (strncmp(e->d_name, "0003:", 5) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s/report_descriptor", dir, e->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		n = read(fd, buf, size);
		close(fd);
	}
	closedir(d);
	return n;
}

static void slot_start_setup(struct slot *s)
{
	uint8_t type = LIBUSB_REQUEST_TYPE_CLASS | LIBUSB_RECIPIENT_INTERFACE;

	if (s->step == STEP_SET_PROTOCOL && !(s->boot_keyboard && !s->hidpos))
		s->step++;
	if (s->step == STEP_REPORT_DESC && (!s->hidpos || s->have_report_desc))
		s->step++;
	switch (s->step) {
	case STEP_SET_PROTOCOL: /* boot protocol: the 8-byte reports the decoder reads */
		libusb_fill_control_setup(s->ctrl_buf, type | LIBUSB_ENDPOINT_OUT, 0x0b, 0,
					  (uint16_t)s->iface, 0);
		break;
	case STEP_SET_IDLE: /* report on change only: an idle scanner sends nothing */
		libusb_fill_control_setup(s->ctrl_buf, type | LIBUSB_ENDPOINT_OUT, 0x0a, 0,
					  (uint16_t)s->iface, 0);
		break;
	case STEP_REPORT_DESC:
		memset(s->ctrl_buf, 0, sizeof(s->ctrl_buf));
		libusb_fill_control_setup(s->ctrl_buf,
					  LIBUSB_ENDPOINT_IN | LIBUSB_REQUEST_TYPE_STANDARD |
						  LIBUSB_RECIPIENT_INTERFACE,
					  LIBUSB_REQUEST_GET_DESCRIPTOR, LIBUSB_DT_REPORT << 8,
					  (uint16_t)s->iface, s->report_desc_len);
		break;
	default:
		start_reading(s);
		return;
	}
	libusb_fill_control_transfer(s->ctrl, s->handle, s->ctrl_buf, on_control, s,
				     CONTROL_TIMEOUT_MS);
	if (libusb_submit_transfer(s->ctrl) < 0) {
		slot_release(s, "cannot submit a control transfer");
		return;
	}
	s->ctrl_busy = true;
	update_usb_timer(s->owner);
}

/* The HID class descriptor, after the interface descriptor, gives the report descriptor's size. */
static uint16_t report_desc_length(const struct libusb_interface_descriptor *alt)
{
	const uint8_t *p = alt->extra;
	int left = alt->extra_length;

	while (left >= 2 && p[0] >= 2 && p[0] <= left) {
		if (p[1] == LIBUSB_DT_HID && p[0] >= 9) {
			for (int i = 0; i < p[5] && 6 + 3 * i + 2 < p[0]; i++)
				if (p[6 + 3 * i] == LIBUSB_DT_REPORT)
					return (uint16_t)(p[7 + 3 * i] | p[8 + 3 * i] << 8);
		}
		left -= p[0];
		p += p[0];
	}
	return 0;
}

/* Picks the HID interface to read: a boot keyboard for a wedge, any other HID one for HID POS. */
static int find_interface(struct slot *s, libusb_device *dev)
{
	struct libusb_config_descriptor *config;
	int best = -1, best_score = -1;

	if (libusb_get_active_config_descriptor(dev, &config) < 0)
		return -EIO;
	for (int i = 0; i < config->bNumInterfaces; i++) {
		const struct libusb_interface_descriptor *alt = &config->interface[i].altsetting[0];
		bool boot_kbd = alt->bInterfaceSubClass == 1 && alt->bInterfaceProtocol == 1;
		int score, ep = -1;

		if (config->interface[i].num_altsetting < 1 ||
		    alt->bInterfaceClass != LIBUSB_CLASS_HID)
			continue;
		for (int e = 0; e < alt->bNumEndpoints; e++) {
			const struct libusb_endpoint_descriptor *d = &alt->endpoint[e];

			if ((d->bEndpointAddress & LIBUSB_ENDPOINT_IN) &&
			    (d->bmAttributes & 3) == LIBUSB_TRANSFER_TYPE_INTERRUPT) {
				ep = e;
				break;
			}
		}
		if (ep < 0)
			continue;
		score = s->hidpos ? !boot_kbd : boot_kbd;
		if (score <= best_score)
			continue;
		best_score = score;
		best = i;
		s->iface = alt->bInterfaceNumber;
		s->config_value = config->bConfigurationValue;
		s->boot_keyboard = boot_kbd;
		s->ep_in = alt->endpoint[ep].bEndpointAddress;
		s->report_len = alt->endpoint[ep].wMaxPacketSize & 0x7ff;
		s->report_desc_len = report_desc_length(alt);
	}
	libusb_free_config_descriptor(config);
	if (best < 0)
		return -ENODEV;
	if (!s->report_len || s->report_len > REPORT_MAX)
		s->report_len = REPORT_MAX;
	if (!s->report_desc_len || s->report_desc_len > REPORT_DESC_MAX)
		s->report_desc_len = REPORT_DESC_MAX;
	return 0;
}

static void port_path(libusb_device *dev, char *out, size_t size)
{
	uint8_t ports[8];
	int n = libusb_get_port_numbers(dev, ports, sizeof(ports));
	size_t len;

	len = (size_t)snprintf(out, size, "%u", libusb_get_bus_number(dev));
	for (int i = 0; i < n && len < size; i++)
		len += (size_t)snprintf(out + len, size - len, "%c%u", i ? '.' : '-', ports[i]);
}

/*
 * The serial number as the kernel read it at enumeration, from sysfs: asking
 * the device would be a blocking control transfer.
 */
static bool serial_matches(const char *port, const char *want)
{
	char path[96], serial[BOARD_NAME_MAX + 2];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/bus/usb/devices/%s/serial", port);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, serial, sizeof(serial) - 1);
	close(fd);
	if (n <= 0)
		return false;
	serial[n] = '\0';
	serial[strcspn(serial, "\n")] = '\0';
	return strcmp(serial, want) == 0;
}

static bool slot_matches(const struct slot *s, libusb_device *dev, char *port, size_t size)
{
	struct libusb_device_descriptor d;

	if (libusb_get_device_descriptor(dev, &d) < 0 || d.idVendor != s->cfg.usb_vid ||
	    d.idProduct != s->cfg.usb_pid)
		return false;
	port_path(dev, port, size);
	if (s->cfg.port[0] && strcmp(port, s->cfg.port) != 0)
		return false;
	return !s->cfg.serial[0] || serial_matches(port, s->cfg.serial);
}

static void on_retry(struct loop *loop, void *data);

/* Takes a matching device into an empty slot. */
static void slot_attach(struct slot *s, libusb_device *dev, const char *port)
{
	int r;

	if (find_interface(s, dev) < 0) {
		refuse_device(s, "%s: no HID interface with an interrupt IN endpoint", port);
		return;
	}
	snprintf(s->status.port, sizeof(s->status.port), "%s", port);
	s->have_report_desc = false;
	if (s->hidpos) {
		ssize_t n = sysfs_report_desc(s, s->ctrl_buf, sizeof(s->ctrl_buf));

		if (n > 0) {
			if (hid_pos_layout_parse(s->ctrl_buf, (size_t)n, &s->pos_layout) < 0) {
				refuse_device(s, "%s: not a HID POS scanner (try protocol = wedge)",
					      port);
				return;
			}
			hid_pos_init(&s->pos, &s->pos_layout);
			s->have_report_desc = true;
		}
	}
	r = libusb_open(dev, &s->handle);
	if (r < 0) {
		s->handle = NULL;
		if (r == LIBUSB_ERROR_ACCESS)
			refuse_device(s, "%s: permission denied (are circd's udev rules installed?)",
				      port);
		else if (r != LIBUSB_ERROR_NO_DEVICE)
			refuse_device(s, "%s: cannot open it", port);
		return;
	}
	/*
	 * Explicit rather than libusb's auto-detach: that needs
	 * USBDEVFS_DISCONNECT_CLAIM, which umockdev's replay does not know.
	 */
	s->kernel_detached = libusb_kernel_driver_active(s->handle, s->iface) == 1 &&
			     libusb_detach_kernel_driver(s->handle, s->iface) == 0;
	r = libusb_claim_interface(s->handle, s->iface);
	if (r < 0) {
		give_back_to_kernel(s);
		libusb_close(s->handle);
		s->handle = NULL;
		/* right after arrival usbhid may still be binding: try again shortly */
		if (r == LIBUSB_ERROR_BUSY && ++s->claim_tries < CLAIM_TRIES) {
			s->dev = libusb_ref_device(dev);
			loop_timer_arm(s->owner->loop, &s->retry_timer, CLAIM_RETRY_MS);
			return;
		}
		refuse_device(s, "%s: cannot claim its interface (used by another program?)", port);
		return;
	}
	s->claim_tries = 0;
	s->dev = libusb_ref_device(dev);
	hid_keyboard_init(&s->kb, s->layout, s->cfg.char_timeout_ms);
	s->errors = 0;
	s->step = STEP_SET_PROTOCOL;
	s->state = SLOT_SETUP;
	slot_start_setup(s);
}

static void on_retry(struct loop *loop, void *data)
{
	struct slot *s = data;
	libusb_device *dev = s->dev;
	char port[BOARD_USB_PORT_MAX];

	s->dev = NULL;
	if (dev && s->state == SLOT_ABSENT && slot_matches(s, dev, port, sizeof(port)))
		slot_attach(s, dev, port);
	libusb_unref_device(dev);
}

/* Empties a slot: cancels what is in flight; slot_release_done() finishes. why "" = unplugged. */
static void slot_release(struct slot *s, const char *why)
{
	if (s->state == SLOT_ABSENT || s->state == SLOT_RELEASING)
		return;
	s->state = SLOT_RELEASING;
	snprintf(s->release_error, sizeof(s->release_error), "%s", why);
	if (s->ctrl_busy)
		libusb_cancel_transfer(s->ctrl);
	if (s->intr_busy)
		libusb_cancel_transfer(s->intr);
	slot_release_done(s);
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

/* --- the backend ---------------------------------------------------------------------- */

static int init_slot(struct scanner_libusb *u, struct slot *s, const struct board_scanner *sc,
		     const char *board_path, struct file_error *err)
{
	s->owner = u;
	s->cfg = *sc;
	s->hidpos = strcmp(sc->protocol, "hidpos") == 0;
	if (hid_layout_from_name(sc->layout, &s->layout) < 0 ||
	    card_format_from_name(sc->card_format, &s->card) < 0) {
		file_error_set(err, board_path, sc->src_line, "[scanner %s]: unknown layout or "
			       "card_format", sc->name);
		return -EINVAL;
	}
	snprintf(s->status.name, sizeof(s->status.name), "%s", sc->name);
	s->status.usb_vid = sc->usb_vid;
	s->status.usb_pid = sc->usb_pid;
	loop_timer_init(&s->char_timer, on_char_timeout, s);
	loop_timer_init(&s->retry_timer, on_retry, s);
	loop_timer_init(&s->close_timer, on_close_timer, s);
	s->ctrl = libusb_alloc_transfer(0);
	s->intr = libusb_alloc_transfer(0);
	if (!s->ctrl || !s->intr) {
		file_error_set(err, board_path, sc->src_line, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

static void scanner_libusb_close(void *handle);

static int scanner_libusb_open(const struct board *board, struct loop *loop,
			       struct sim_channel *sim, const struct scanner_events *events,
			       void *data, void **ret, struct file_error *err)
{
	struct scanner_libusb *u;
	int r;

	u = calloc(1, sizeof(*u));
	if (!u) {
		file_error_set(err, board->path, 0, "scanners: out of memory");
		return -ENOMEM;
	}
	u->loop = loop;
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
		r = init_slot(u, &u->slots[u->n_slots], &board->scanners[u->n_slots], board->path,
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
		loop_timer_arm(loop, &u->arrival_timer, 0); /* first scan now, then rescans */
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
		{
			const struct libusb_pollfd **fds = libusb_get_pollfds(u->ctx);

			for (size_t i = 0; fds && fds[i]; i++)
				unwatch_fd(u, fds[i]->fd);
			libusb_free_pollfds(fds);
		}
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
