/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One board scanner slot of the libusb backend: matching a device, claiming
 * its HID interface, the set-up control transfers, reading and decoding its
 * reports, and letting it go again. See scanner-libusb.c for the whole.
 */
#include "scanner-libusb.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void slot_start_setup(struct slot *s);
static const char *load_report_desc(struct slot *s, const uint8_t *desc, size_t len);

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
	struct scan scan = { .role = board_scanner_role(&s->cfg), .device = s->cfg.name,
			     .for_items = s->cfg.items, .for_patrons = s->cfg.patrons };
	char why[96];
	int n;

	n = card_number_convert(&s->cfg.card, text, len, scan.text, sizeof(scan.text), why,
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
	if (s->cfg.hidpos) {
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
		uint8_t boot[HID_BOOT_REPORT_LEN];

		if (s->kbd_by_desc) {
			if (hid_kbd_to_boot(&s->kbd_layout, report, len, boot) != 1)
				return; /* another report of a composite device */
			report = boot;
			len = sizeof(boot);
		}
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

void slot_finish_release(struct slot *s)
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
	usb_slot_emptied(u);
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
	int r;

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
	r = libusb_submit_transfer(xfer);
	if (r < 0) {
		/* NO_DEVICE: unplugged between two transfers, which is no error */
		slot_release(s, r == LIBUSB_ERROR_NO_DEVICE ? "" : "cannot resubmit the interrupt transfer");
		return;
	}
	s->intr_busy = true;
}

static void start_reading(struct slot *s)
{
	int r;

	libusb_fill_interrupt_transfer(s->intr, s->handle, s->ep_in, s->report, s->report_len,
				       on_interrupt, s, 0);
	r = libusb_submit_transfer(s->intr);
	if (r < 0) {
		/* NO_DEVICE: unplugged between two transfers, which is no error */
		slot_release(s, r == LIBUSB_ERROR_NO_DEVICE ? "" : "cannot submit the interrupt transfer");
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
	const char *why;

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
		why = load_report_desc(s, libusb_control_transfer_get_data(xfer),
				       (size_t)xfer->actual_length);
		if (why) {
			slot_release(s, why);
			return;
		}
	}
	/* SET_PROTOCOL and SET_IDLE are optional for a device: a STALL is no error */
	s->step++;
	slot_start_setup(s);
}

/*
 * A keyboard interface that is not a boot one cannot be switched to the boot
 * protocol: its reports (a Report ID first, on composite scanners) are read
 * where its descriptor puts the modifiers and keys.
 */
static const char *load_keyboard_desc(struct slot *s, const uint8_t *desc, size_t len)
{
	int r = hid_kbd_layout_parse(desc, len, &s->kbd_layout);

	if (r == -ENOENT)
		return "not a keyboard: its report descriptor has no key array "
		       "(try protocol = hidpos)";
	if (r < 0)
		return "malformed HID report descriptor";
	return NULL;
}

/* Sets the decoder up from the device's report descriptor: NULL, or why it cannot be. */
static const char *load_report_desc(struct slot *s, const uint8_t *desc, size_t len)
{
	struct hid_pos_layout layout;
	int r;

	if (s->kbd_by_desc)
		return load_keyboard_desc(s, desc, len);
	r = hid_pos_layout_parse(desc, len, &layout);

	if (r == -ENOENT)
		return "not a HID POS scanner: its report descriptor has no Decoded Data field "
		       "(try protocol = wedge)";
	if (r < 0)
		return "malformed HID report descriptor";
	hid_pos_init(&s->pos, &layout);
	return NULL;
}

/*
 * The report descriptor as usbhid read it at enumeration, from sysfs: no
 * control transfer needed. Gone once we have claimed the interface, and
 * absent if usbhid never bound; then the device is asked.
 */
static ssize_t sysfs_report_desc(const char *port, uint8_t config_value, int iface, uint8_t *buf,
				 size_t size)
{
	char dir[128], path[128 + 256 + 24];
	struct dirent *e;
	ssize_t n = -1;
	DIR *d;
	int fd;

	snprintf(dir, sizeof(dir), "/sys/bus/usb/devices/%s:%u.%d", port, config_value, iface);
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

static bool needs_report_desc(const struct slot *s)
{
	return s->cfg.hidpos || s->kbd_by_desc;
}

static void slot_start_setup(struct slot *s)
{
	int r;
	uint8_t type = LIBUSB_REQUEST_TYPE_CLASS | LIBUSB_RECIPIENT_INTERFACE;

	if (s->step == STEP_SET_PROTOCOL && !(s->boot_keyboard && !s->cfg.hidpos))
		s->step++;
	if (s->step == STEP_REPORT_DESC && (!needs_report_desc(s) || s->have_report_desc))
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
	r = libusb_submit_transfer(s->ctrl);
	if (r < 0) {
		/* NO_DEVICE: unplugged between two transfers, which is no error */
		slot_release(s, r == LIBUSB_ERROR_NO_DEVICE ? "" : "cannot submit a control transfer");
		return;
	}
	s->ctrl_busy = true;
	usb_loop_update_timeouts(&s->owner->usb);
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

/* Whether the report descriptor usbhid read for an interface has keys (unknown: false). */
static bool sysfs_has_keys(struct slot *s, const char *port, uint8_t config_value, int iface)
{
	struct hid_kbd_layout layout;
	ssize_t n = sysfs_report_desc(port, config_value, iface, s->ctrl_buf, sizeof(s->ctrl_buf));

	return n > 0 && hid_kbd_layout_parse(s->ctrl_buf, (size_t)n, &layout) == 0;
}

/*
 * Picks the HID interface to read: for a wedge a boot keyboard, else one
 * whose report descriptor has keys (composite scanners put a HID POS or
 * vendor interface next to their keyboard), else one that says it is a
 * keyboard (the protocol field, which only boot interfaces must fill in),
 * else any; for HID POS, one that is not a boot keyboard.
 */
static int interface_score(struct slot *s, const struct libusb_interface_descriptor *alt,
			   const char *port, uint8_t config_value)
{
	bool boot_kbd = alt->bInterfaceSubClass == 1 && alt->bInterfaceProtocol == 1;

	if (s->cfg.hidpos)
		return !boot_kbd;
	if (boot_kbd)
		return 3;
	if (sysfs_has_keys(s, port, config_value, alt->bInterfaceNumber))
		return 2;
	return alt->bInterfaceProtocol == 1;
}

static int find_interface(struct slot *s, libusb_device *dev, const char *port)
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
		score = interface_score(s, alt, port, config->bConfigurationValue);
		if (score <= best_score)
			continue;
		best_score = score;
		best = i;
		s->iface = alt->bInterfaceNumber;
		s->config_value = config->bConfigurationValue;
		s->boot_keyboard = boot_kbd;
		s->kbd_by_desc = !boot_kbd && !s->cfg.hidpos;
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

bool slot_matches(const struct slot *s, libusb_device *dev, char *port, size_t size)
{
	const struct usb_sysfs_match m = { s->cfg.usb_vid, s->cfg.usb_pid, s->cfg.serial,
					   s->cfg.port };

	return usb_device_is(dev, &m, port, size);
}

static void on_retry(struct loop *loop, void *data);

/* Takes a matching device into an empty slot. */
void slot_attach(struct slot *s, libusb_device *dev, const char *port)
{
	int r;

	if (find_interface(s, dev, port) < 0) {
		refuse_device(s, "%s: no HID interface with an interrupt IN endpoint", port);
		return;
	}
	snprintf(s->status.port, sizeof(s->status.port), "%s", port);
	s->have_report_desc = false;
	if (needs_report_desc(s)) {
		ssize_t n = sysfs_report_desc(port, s->config_value, s->iface, s->ctrl_buf,
					      sizeof(s->ctrl_buf));

		if (n > 0) {
			const char *why = load_report_desc(s, s->ctrl_buf, (size_t)n);

			if (why) {
				refuse_device(s, "%s", why);
				return;
			}
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
	hid_keyboard_init(&s->kb, s->cfg.layout, s->cfg.char_timeout_ms);
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
void slot_release(struct slot *s, const char *why)
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

int slot_init(struct scanner_libusb *u, struct slot *s, const struct board_scanner *sc,
	      const char *board_path, struct file_error *err)
{
	s->owner = u;
	s->cfg = *sc;
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
