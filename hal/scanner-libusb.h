/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Private to the libusb scanner backend: scanner-libusb.c runs libusb on the
 * loop and handles arrivals; scanner-libusb-slot.c is one device's life in
 * its board slot (see scanner-libusb.c for the whole story).
 */
#ifndef CIRCD_SCANNER_LIBUSB_H
#define CIRCD_SCANNER_LIBUSB_H

#include <libusb.h>

#include "loop.h"
#include "cardnum.h"
#include "hid-keyboard.h"
#include "hid-report.h"
#include "scanner.h"
#include "usb-loop.h"

#define REPORT_MAX 1024       /* wMaxPacketSize of a high-speed interrupt endpoint */
#define REPORT_DESC_MAX 2048  /* plenty for a scanner's report descriptor */
#define CONTROL_TIMEOUT_MS 1000
#define RESCAN_MS 1000        /* without hotplug: how often absent slots look again */
#define CLAIM_RETRY_MS 100    /* usbhid may still be binding right after arrival */
#define CLAIM_TRIES 10
#define ARRIVALS_MAX 16
#define ERRORS_MAX 5          /* consecutive failed transfers before giving up on a device */

enum slot_state { SLOT_ABSENT, SLOT_SETUP, SLOT_READING, SLOT_RELEASING };

enum setup_step { STEP_SET_PROTOCOL, STEP_SET_IDLE, STEP_REPORT_DESC, STEP_DONE };

struct scanner_libusb;

struct slot {
	struct scanner_libusb *owner;
	struct board_scanner cfg;
	struct scanner_status status;
	enum slot_state state;

	libusb_device *dev; /* referenced while present */
	libusb_device_handle *handle;
	int iface;
	uint8_t config_value;
	bool boot_keyboard;
	bool kbd_by_desc; /* a wedge on a non-boot interface: reports decoded by the descriptor */
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
	struct hid_pos pos;
	struct hid_kbd_layout kbd_layout;
	struct loop_timer char_timer; /* a wedge's inter-character timeout */
	struct loop_timer retry_timer;
	struct loop_timer close_timer;
	unsigned claim_tries;
	bool have_report_desc;

	uint8_t ctrl_buf[LIBUSB_CONTROL_SETUP_SIZE + REPORT_DESC_MAX];
	uint8_t report[REPORT_MAX];
};

struct scanner_libusb {
	struct usb_loop usb; /* libusb's context on the loop */
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
	bool closing;
};

/* scanner-libusb.c */
/* A slot emptied: without hotplug, schedule a rescan. */
void usb_slot_emptied(struct scanner_libusb *u);

/* scanner-libusb-slot.c: a slot's device */
int slot_init(struct scanner_libusb *u, struct slot *s, const struct board_scanner *sc,
	      const char *board_path, struct file_error *err);
/* Whether dev is the slot's device (VID:PID, port path, serial); *port gets its path. */
bool slot_matches(const struct slot *s, libusb_device *dev, char *port, size_t size);
/* Takes a matching device into an empty slot; on failure the slot stays empty. */
void slot_attach(struct slot *s, libusb_device *dev, const char *port);
/* Empties a slot: cancels transfers; the rest happens once libusb returns them. why "" = unplugged. */
void slot_release(struct slot *s, const char *why);
/* At close: finishes a release whose transfers are all back. */
void slot_finish_release(struct slot *s);

#endif
