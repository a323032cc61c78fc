/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The line to a FEIG ISO host reader, for hal/rfid-feig.c: its serial port
 * on the loop (serial-port.h), or its USB bulk endpoints (usb-bulk-port.h,
 * transport = usb, where requests go as advanced frames), carrying one
 * exchange at a time, a request and the reader's answer.
 *
 * The protocol has no sequence numbers: an answer is known by its control
 * byte (and bus address, unless the request went to 255, which any reader
 * answers). So a request goes out only when the line is free, and bytes
 * while no request waits are dropped.
 *
 * Each exchange ends in exactly one answer callback, from the loop (a serial
 * callback or timer), never inside feig_link_send():
 *   0 and the response, whatever its status byte says;
 *   -ETIMEDOUT when nothing came within the time given to send;
 *   -EBADMSG when bytes came but no frame answering the request, once the
 *     line stayed quiet for an inter-frame gap (noise, a broken CRC, a frame
 *     cut short): the splitter drops what cannot start a frame, and a stalled
 *     partial frame is given up byte by byte, so the next exchange starts clean;
 *   -ENODEV / -EIO when the request could not be written (the port went).
 *
 * feig_link_free() accepts NULL and may be called from the link's callbacks.
 */
#ifndef CIRCD_HAL_FEIG_LINK_H
#define CIRCD_HAL_FEIG_LINK_H

#include <stdbool.h>

#include "board.h"
#include "feig-frame.h"
#include "hal-env.h"
#include "serial.h"

struct feig_link;

struct feig_link_events {
	/* The exchange ended; resp is valid during the call only (NULL on failure). */
	void (*answer)(void *data, int result, const struct feig_response *resp);
	/* The port opened or was lost, as serial-port.h reports it (each failure once). */
	void (*state)(void *data, bool attached, const char *why);
};

/*
 * def's port (device or usb, its settings over defaults; or with transport
 * = usb, the USB device itself) at def's bus address (255 when it has
 * none). Only -ENOMEM (and on USB -EIO: libusb does not start) fails: a
 * port that is not there is tried again and reported through state, maybe
 * from within.
 */
int feig_link_open(const struct hal_env *env, const struct board_rfid *def,
		   const struct serial_settings *defaults, const struct feig_link_events *events,
		   void *data, struct feig_link **ret);
void feig_link_free(struct feig_link *link);

/*
 * Sends req and waits answer_ms (beyond the bytes' time on the wire) for its
 * answer. -EBUSY while an exchange is under way; otherwise 0, and the answer
 * callback follows.
 */
int feig_link_send(struct feig_link *link, const struct feig_request *req, unsigned answer_ms);
bool feig_link_busy(const struct feig_link *link);
/* Forgets the exchange under way without an answer callback (the port went away). */
void feig_link_cancel(struct feig_link *link);

/* The tty or "usb PORT" in use ("" while absent) and the tty's settings (NULL on USB). */
const char *feig_link_path(const struct feig_link *link);
const struct serial_settings *feig_link_settings(const struct feig_link *link);

#endif
