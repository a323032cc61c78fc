/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The line to a FEIG reader, one exchange at a time (feig-link.h). */
#include "feig-link.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "serial-port.h"
#include "usb-bulk-port.h"

/*
 * Inside an answer, a gap of this many characters' time, plus slack for
 * USB-serial adapters that hand bytes over in bursts (an FTDI chip every
 * 16 ms by default), ends it.
 */
#define GAP_CHARS 16
#define GAP_SLACK_MS 40
/*
 * On USB (transport = usb) an answer comes in one IN transfer, or in a few
 * back to back; the time on the wire is nothing next to the reader's own.
 * FEIG asks for 5 ms between messages, as the public Rust client of the
 * ID ISC.LR2500's USB interface notes and keeps (see usb-bulk-port.h).
 */
#define USB_GAP_MS 40
#define USB_SLACK_MS 20
#define USB_MESSAGE_GAP_MS 5

struct feig_link {
	struct feig_link_events events;
	void *data;
	struct serial_port *port;   /* transport = serial */
	struct usb_bulk_port *usb;  /* transport = usb: one of the two */
	uint8_t com_adr;
	unsigned gap_ms;
	struct feig_splitter rx;
	bool busy;
	uint8_t control; /* of the request under way: its answer echoes it */
	bool got_bytes;  /* something came since it went out */
	int write_error; /* it could not be written */
};

static void port_expect(struct feig_link *l, unsigned ms)
{
	if (l->usb)
		usb_bulk_port_expect(l->usb, ms);
	else
		serial_port_expect(l->port, ms);
}

static int port_write(struct feig_link *l, const uint8_t *bytes, size_t len)
{
	return l->usb ? usb_bulk_port_write(l->usb, bytes, len) :
			serial_port_write(l->port, bytes, len);
}

/* How long n bytes take on the line, with what a reply waits beyond the reader's own time. */
static unsigned wire_ms(const struct feig_link *l, size_t n)
{
	return l->usb ? USB_SLACK_MS : serial_bytes_ms(serial_port_settings(l->port), n);
}

static void finish(struct feig_link *l, int result, const struct feig_response *resp)
{
	l->busy = false;
	port_expect(l, 0);
	if (l->events.answer)
		l->events.answer(l->data, result, resp);
}

static bool answers(const struct feig_link *l, const struct feig_frame *frame,
		    struct feig_response *resp)
{
	if (frame->control != l->control)
		return false;
	if (l->com_adr != FEIG_COM_ADR_ANY && frame->com_adr != l->com_adr)
		return false;
	return feig_response_from_frame(frame, resp) == 0;
}

/* Looks through what is buffered for the answer; true when the exchange ended. */
static bool take_answer(struct feig_link *l)
{
	struct feig_frame frame;
	struct feig_response resp;
	int r;

	while ((r = feig_splitter_next(&l->rx, &frame)) != 0) {
		if (r < 0)
			continue; /* one byte dropped: the splitter resynchronises */
		if (answers(l, &frame, &resp)) {
			finish(l, 0, &resp);
			return true;
		}
	}
	return false;
}

static void on_data(void *data, const uint8_t *bytes, size_t len)
{
	struct feig_link *l = data;

	while (len) {
		size_t n;

		if (!l->busy) {
			feig_splitter_reset(&l->rx); /* late or unasked for: nothing waits for it */
			return;
		}
		n = feig_splitter_feed(&l->rx, bytes, len);
		if (!n && !feig_splitter_drop_byte(&l->rx))
			feig_splitter_reset(&l->rx);
		bytes += n;
		len -= n;
		if (!l->got_bytes) {
			l->got_bytes = true;
			port_expect(l, l->gap_ms);
		}
		if (take_answer(l))
			return; /* what else came answers nothing: no other request is out */
	}
}

/*
 * The line went quiet. A partial frame that stopped may be noise that
 * looked like a length: drop bytes from the front until an answer shows
 * up, or nothing is left.
 */
static void on_quiet(void *data)
{
	struct feig_link *l = data;

	if (!l->busy)
		return;
	while (feig_splitter_drop_byte(&l->rx))
		if (take_answer(l))
			return;
	if (l->write_error)
		finish(l, l->write_error, NULL);
	else
		finish(l, l->got_bytes ? -EBADMSG : -ETIMEDOUT, NULL);
}

static void on_state(void *data, bool attached, const char *why)
{
	struct feig_link *l = data;

	if (l->events.state)
		l->events.state(l->data, attached, why);
}

int feig_link_send(struct feig_link *l, const struct feig_request *req, unsigned answer_ms)
{
	uint8_t frame[FEIG_REQUEST_DATA_MAX + FEIG_ADV_MIN];
	/* on USB, advanced frames only: the one framing a public client shows working there */
	enum feig_frame_kind kind = l->usb || req->data_len + FEIG_STD_MIN > FEIG_STD_MAX ?
					    FEIG_FRAME_ADVANCED : FEIG_FRAME_STANDARD;
	int n, r;

	if (l->busy)
		return -EBUSY;
	n = feig_request_encode(req, kind, l->com_adr, frame, sizeof(frame));
	if (n < 0)
		return n;
	feig_splitter_reset(&l->rx);
	l->busy = true;
	l->control = req->control;
	l->got_bytes = false;
	l->write_error = 0;
	r = port_write(l, frame, (size_t)n);
	if (r < 0) {
		/* It ends from the loop as an exchange that timed out at once, with this result. */
		l->write_error = r == -ENODEV ? -ENODEV : -EIO;
		port_expect(l, 1);
		return 0;
	}
	port_expect(l, wire_ms(l, (size_t)n + FEIG_STD_MAX) + answer_ms);
	return 0;
}

bool feig_link_busy(const struct feig_link *l)
{
	return l->busy;
}

void feig_link_cancel(struct feig_link *l)
{
	l->busy = false;
	port_expect(l, 0);
	feig_splitter_reset(&l->rx);
}

const char *feig_link_path(const struct feig_link *l)
{
	return l->usb ? usb_bulk_port_path(l->usb) : serial_port_path(l->port);
}

const struct serial_settings *feig_link_settings(const struct feig_link *l)
{
	return l->usb ? NULL : serial_port_settings(l->port);
}

int feig_link_open(const struct hal_env *env, const struct board_rfid *def,
		   const struct serial_settings *defaults, const struct feig_link_events *events,
		   void *data, struct feig_link **ret)
{
	static const struct serial_port_events port_events = {
		.data = on_data,
		.timeout = on_quiet,
		.state = on_state,
	};
	struct serial_port_config cfg = { .def = def, .defaults = *defaults };
	struct feig_link *l = calloc(1, sizeof(*l));
	int r;

	*ret = NULL;
	if (!l)
		return -ENOMEM;
	if (events)
		l->events = *events;
	l->data = data;
	l->com_adr = def->bus_address_set ? (uint8_t)def->bus_address : FEIG_COM_ADR_ANY;
	feig_splitter_init(&l->rx);
	if (def->transport == RFID_TRANSPORT_USB) {
		l->gap_ms = USB_GAP_MS;
		r = usb_bulk_port_open(env, def, USB_MESSAGE_GAP_MS, &port_events, l, &l->usb);
		if (r < 0)
			goto err_free;
		*ret = l;
		return 0;
	}
	r = serial_port_open(env, &cfg, &port_events, l, &l->port);
	if (r < 0)
		goto err_free;
	l->gap_ms = serial_bytes_ms(serial_port_settings(l->port), GAP_CHARS) + GAP_SLACK_MS;
	*ret = l;
	return 0;

err_free:
	free(l);
	return r;
}

void feig_link_free(struct feig_link *l)
{
	if (!l)
		return;
	serial_port_free(l->port);
	usb_bulk_port_free(l->usb);
	free(l);
}
