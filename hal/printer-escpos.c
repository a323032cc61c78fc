/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ESC/POS receipt printer on usblp, or through libusb without it
 * (printer-escpos.h): found, polled and written to on the loop, never
 * blocking.
 *
 * One thing travels to the printer at a time: a status poll (three DLE EOT
 * requests) or a receipt. print() takes a copy of the receipt, polls, and
 * sends the receipt once the answers say the printer can print; otherwise it
 * is dropped whole and reported. So the printer gets a receipt whole or not
 * at all, unless it goes away or stops taking bytes in the middle of one,
 * which is reported too.
 */
#include "printer-escpos.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "escpos.h"
#include "printer-libusb.h"
#include "usb-sysfs.h"

/* The real-time requests of one poll, in the order their answers come back. */
static const enum escpos_status_kind poll_kinds[] = {
	ESCPOS_STATUS_PRINTER,
	ESCPOS_STATUS_OFFLINE_CAUSE,
	ESCPOS_STATUS_PAPER,
};
#define POLL_KINDS (sizeof(poll_kinds) / sizeof(poll_kinds[0]))
#define STR_(x) #x
#define STR(x) STR_(x)

struct printer_escpos {
	struct hal_env env;
	struct board_printer def;
	char sysfs_root[128], dev_dir[128];
	int fd; /* usblp's node, or -1 */
	struct loop_source *source;
	struct printer_libusb *usb;  /* the link without usblp; NULL if libusb did not start */
	bool via_libusb;             /* attached through it */
	unsigned seen_without_usblp; /* looks in a row that found the device but no usblp node */
	char path[BOARD_DEVICE_PATH_MAX];
	char last_why[200]; /* the failure to find it last reported, to report each once */
	struct loop_timer retry, poll, answer;
	enum printer_state state;
	/* the poll: its requests, and the answers still due (0: none in flight) */
	uint8_t poll_bytes[POLL_KINDS * ESCPOS_STATUS_REQUEST_LEN];
	unsigned answers_due;
	struct escpos_status answered;
	/* what is being written: the poll's requests or the receipt */
	const uint8_t *out;
	size_t out_len, out_done;
	/* the receipt, from print() until the printer has it all or it is given up */
	uint8_t *receipt;
	size_t receipt_len;
	bool receipt_sending; /* out is the receipt (else it waits for the poll) */
};

static bool attached(const struct printer_escpos *p)
{
	return p->fd >= 0 || p->via_libusb;
}

static bool usblp_name(const char *name)
{
	return strncmp(name, "lp", 2) == 0;
}

static enum printer_state state_of(const struct escpos_status *s)
{
	if (s->cover_open)
		return PRINTER_COVER_OPEN;
	if (s->paper_out)
		return PRINTER_PAPER_OUT;
	/* offline for a cause it does not name (the feed button, an error): it will not print */
	if (s->offline || s->error)
		return PRINTER_OFFLINE;
	if (s->paper_near_end)
		return PRINTER_PAPER_NEAR_END;
	return PRINTER_OK;
}

/* Reported at each change only: a printer that stays silent is not a log line every poll. */
static void set_state(struct printer_escpos *p, enum printer_state state, const char *why)
{
	if (state == p->state)
		return;
	hal_report(&p->env, state == PRINTER_OK ? HAL_LEVEL_NOTICE : HAL_LEVEL_WARNING,
		   "printer %s: %s (was %s)%s%s", p->path[0] ? p->path : "-",
		   printer_state_name(state), printer_state_name(p->state), why ? ": " : "",
		   why ? why : "");
	p->state = state;
}

static void drop_receipt(struct printer_escpos *p)
{
	free(p->receipt);
	p->receipt = NULL;
	p->receipt_len = 0;
	p->receipt_sending = false;
}

/* A receipt that could not go whole: said once, here, and dropped. */
static void give_up_receipt(struct printer_escpos *p, const char *why)
{
	if (!p->receipt)
		return;
	if (p->receipt_sending && p->out_done)
		hal_report(&p->env, HAL_LEVEL_WARNING,
			   "printer: receipt cut short after %zu of %zu bytes: %s", p->out_done,
			   p->receipt_len, why);
	else
		hal_report(&p->env, HAL_LEVEL_WARNING, "printer: receipt not printed: %s", why);
	if (p->receipt_sending) {
		p->out = NULL;
		p->out_len = p->out_done = 0;
	}
	drop_receipt(p);
}

/* usblp's node says when it takes more; libusb's link calls on_link_writable(). */
static void watch(struct printer_escpos *p)
{
	if (p->source)
		loop_source_set_events(p->source, EPOLLIN | (p->out ? EPOLLOUT : 0));
}

/* Bytes the link took now, 0 if none for the moment, -errno if it failed. */
static ssize_t link_write(struct printer_escpos *p, const uint8_t *bytes, size_t len)
{
	ssize_t n;

	if (p->via_libusb)
		return printer_libusb_write(p->usb, bytes, len);
	do
		n = write(p->fd, bytes, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN ? 0 : -errno;
	return n ? n : -EIO; /* usblp never takes nothing but by failing */
}

static void detach(struct printer_escpos *p, const char *why)
{
	char what[BOARD_DEVICE_PATH_MAX + 200];

	snprintf(what, sizeof(what), "%s: %s", p->path, why);
	give_up_receipt(p, what);
	loop_source_free(p->source);
	p->source = NULL;
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
	printer_libusb_detach(p->usb);
	p->via_libusb = false;
	p->out = NULL;
	p->out_len = p->out_done = 0;
	p->answers_due = 0;
	loop_timer_disarm(p->env.loop, &p->answer);
	loop_timer_disarm(p->env.loop, &p->poll);
	set_state(p, PRINTER_OFFLINE, NULL);
	hal_report(&p->env, HAL_LEVEL_WARNING, "printer %s gone: %s", p->path, why);
	p->path[0] = '\0';
	p->last_why[0] = '\0';
	loop_timer_arm(p->env.loop, &p->retry, PRINTER_ESCPOS_RETRY_MS);
}

static void flush_out(struct printer_escpos *p)
{
	while (p->out && p->out_done < p->out_len) {
		ssize_t n = link_write(p, p->out + p->out_done, p->out_len - p->out_done);

		if (n == 0)
			break;
		if (n < 0) {
			detach(p, strerror((int)-n));
			return;
		}
		p->out_done += (size_t)n;
		if (p->receipt_sending)
			loop_timer_arm(p->env.loop, &p->answer, PRINTER_ESCPOS_STALL_MS);
	}
	if (p->out && p->out_done == p->out_len) {
		if (p->receipt_sending) {
			hal_report(&p->env, HAL_LEVEL_INFO, "printer %s: receipt sent, %zu bytes",
				   p->path, p->receipt_len);
			loop_timer_disarm(p->env.loop, &p->answer);
			drop_receipt(p);
		}
		p->out = NULL;
		p->out_len = p->out_done = 0;
	}
	watch(p);
}

static void send_bytes(struct printer_escpos *p, const uint8_t *bytes, size_t len)
{
	p->out = bytes;
	p->out_len = len;
	p->out_done = 0;
	flush_out(p);
}

/* Asks for the status now: only when nothing else is on its way to the printer. */
static void start_poll(struct printer_escpos *p)
{
	if (!attached(p) || p->out || p->answers_due)
		return;
	p->answers_due = POLL_KINDS;
	p->answered = (struct escpos_status){ 0 };
	loop_timer_arm(p->env.loop, &p->answer, PRINTER_ESCPOS_ANSWER_MS);
	send_bytes(p, p->poll_bytes, sizeof(p->poll_bytes));
}

/* The poll is over (state set): a receipt waiting for it goes now, or not at all. */
static void poll_done(struct printer_escpos *p)
{
	char why[64];

	p->answers_due = 0;
	loop_timer_disarm(p->env.loop, &p->answer);
	if (!p->receipt || p->receipt_sending || !attached(p))
		return;
	if (!printer_state_can_print(p->state)) {
		snprintf(why, sizeof(why), "printer %s", printer_state_name(p->state));
		give_up_receipt(p, why);
		return;
	}
	p->receipt_sending = true;
	loop_timer_arm(p->env.loop, &p->answer, PRINTER_ESCPOS_STALL_MS);
	send_bytes(p, p->receipt, p->receipt_len);
}

static void on_answer_byte(struct printer_escpos *p, uint8_t byte)
{
	enum escpos_status_kind kind;

	if (!p->answers_due)
		return; /* nothing asked: not ours to read (an automatic status, noise) */
	kind = poll_kinds[POLL_KINDS - p->answers_due];
	if (escpos_status_parse(kind, byte, &p->answered) < 0) {
		char why[48];

		snprintf(why, sizeof(why), "0x%02x is no answer to DLE EOT %d", byte, (int)kind);
		set_state(p, PRINTER_UNKNOWN, why);
		poll_done(p);
		return;
	}
	if (--p->answers_due == 0) {
		set_state(p, state_of(&p->answered), NULL);
		poll_done(p);
	}
}

static void on_io(struct loop *loop, int fd, uint32_t events, void *data)
{
	struct printer_escpos *p = data;
	uint8_t buf[64];
	ssize_t n;

	if (events & EPOLLOUT)
		flush_out(p);
	while (p->fd >= 0) {
		n = read(p->fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n < 0) {
			detach(p, strerror(errno)); /* usblp: ENODEV once unplugged */
			return;
		}
		if (n == 0) {
			/* usblp may complete an empty read; only a hang-up with it is the end */
			if (events & (EPOLLHUP | EPOLLERR))
				detach(p, "the device hung up");
			return;
		}
		for (ssize_t i = 0; i < n && p->fd >= 0; i++)
			on_answer_byte(p, buf[i]);
	}
}

static void on_link_readable(void *data, const uint8_t *bytes, size_t len)
{
	struct printer_escpos *p = data;

	for (size_t i = 0; i < len && p->via_libusb; i++)
		on_answer_byte(p, bytes[i]);
}

static void on_link_writable(void *data)
{
	flush_out(data);
}

static void on_link_gone(void *data, const char *why)
{
	struct printer_escpos *p = data;

	if (p->via_libusb)
		detach(p, why);
}

static const struct printer_libusb_events link_events = {
	.readable = on_link_readable,
	.writable = on_link_writable,
	.gone = on_link_gone,
};

/*
 * No usblp node for it: the USB device itself, if it is plugged in, through
 * libusb. -ENOENT (why untouched) when it is not there at all. Only once it
 * was seen without a node at two tries in a row: right after a plug-in usblp
 * may not have bound yet, and a printer it can have is better on usblp.
 */
static int open_libusb(struct printer_escpos *p, char *why, size_t why_size)
{
	const struct usb_sysfs_match m = { p->def.usb_vid, p->def.usb_pid, p->def.serial,
					   p->def.port };
	char port[BOARD_USB_PORT_MAX];
	int r;

	if (!p->usb || p->def.device[0] ||
	    usb_sysfs_find_device(p->sysfs_root, &m, port, sizeof(port)) < 0) {
		p->seen_without_usblp = 0;
		return -ENOENT;
	}
	if (++p->seen_without_usblp < 2) {
		snprintf(why, why_size, "usb %s: no usblp node yet", port);
		return -EAGAIN;
	}
	r = printer_libusb_attach(p->usb, port, why, why_size);
	if (r < 0)
		return r;
	snprintf(p->path, sizeof(p->path), "usb %s (libusb: usblp does not have it)", port);
	p->via_libusb = true;
	return 0;
}

static void on_answer_timeout(struct loop *loop, void *data)
{
	struct printer_escpos *p = data;

	if (p->receipt_sending) {
		hal_report(&p->env, HAL_LEVEL_WARNING,
			   "printer %s: took no byte of the receipt for %d ms (%zu of %zu sent)",
			   p->path, PRINTER_ESCPOS_STALL_MS, p->out_done, p->receipt_len);
		set_state(p, PRINTER_UNKNOWN, "stalled");
		return;
	}
	set_state(p, PRINTER_UNKNOWN, "no answer to DLE EOT within " STR(PRINTER_ESCPOS_ANSWER_MS)
		  " ms");
	poll_done(p);
}

static void on_poll(struct loop *loop, void *data)
{
	struct printer_escpos *p = data;

	/* Polled while attached only: try_open() starts it again on attach. */
	if (!attached(p))
		return;
	loop_timer_arm(p->env.loop, &p->poll, PRINTER_ESCPOS_POLL_MS);
	start_poll(p);
}

/* Where the device is now: the fixed path, or the lpN of the board's USB id. */
static int find_device(struct printer_escpos *p, char *why, size_t why_size)
{
	const struct usb_sysfs_match m = { p->def.usb_vid, p->def.usb_pid, p->def.serial,
					   p->def.port };
	int r;

	if (p->def.device[0]) {
		snprintf(p->path, sizeof(p->path), "%s", p->def.device);
		return 0;
	}
	r = usb_sysfs_find(p->sysfs_root, "usbmisc", usblp_name, p->dev_dir, &m, p->path,
			   sizeof(p->path), NULL, 0);
	if (r == -ENOENT)
		snprintf(why, why_size, "no USB printer %04x:%04x plugged in (usblp)",
			 p->def.usb_vid, p->def.usb_pid);
	else if (r == -ENOTUNIQ)
		snprintf(why, why_size,
			 "several USB printers %04x:%04x: tell them apart by serial or port",
			 p->def.usb_vid, p->def.usb_pid);
	else if (r < 0)
		snprintf(why, why_size, "cannot look for USB printer %04x:%04x: %s",
			 p->def.usb_vid, p->def.usb_pid, strerror(-r));
	return r;
}

static int open_usblp(struct printer_escpos *p, char *why, size_t why_size)
{
	int fd = open(p->path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	int r;

	if (fd < 0) {
		r = -errno;
		snprintf(why, why_size, "%s: %s", p->path, strerror(-r));
		return r;
	}
	r = loop_add_io(p->env.loop, fd, EPOLLIN, on_io, p, &p->source);
	if (r < 0) {
		close(fd);
		snprintf(why, why_size, "cannot watch %s: %s", p->path, strerror(-r));
		return r;
	}
	p->fd = fd;
	return 0;
}

static void try_open(struct printer_escpos *p)
{
	char why[200] = "";
	int r;

	r = find_device(p, why, sizeof(why));
	if (r == 0)
		r = open_usblp(p, why, sizeof(why));
	else if (r == -ENOENT)
		r = open_libusb(p, why, sizeof(why)); /* -ENOENT: not plugged in at all, why kept */
	if (r < 0) {
		p->path[0] = '\0';
		if (strcmp(why, p->last_why) != 0)
			hal_report(&p->env, HAL_LEVEL_WARNING, "printer: %s", why);
		snprintf(p->last_why, sizeof(p->last_why), "%s", why);
		loop_timer_arm(p->env.loop, &p->retry, PRINTER_ESCPOS_RETRY_MS);
		return;
	}
	p->seen_without_usblp = 0;
	p->last_why[0] = '\0';
	hal_report(&p->env, HAL_LEVEL_NOTICE, "printer %s attached", p->path);
	/* unknown until it answers: nothing is printed on a guess */
	p->state = PRINTER_UNKNOWN;
	loop_timer_arm(p->env.loop, &p->poll, PRINTER_ESCPOS_POLL_MS);
	start_poll(p);
}

static void on_retry(struct loop *loop, void *data)
{
	try_open(data);
}

int printer_escpos_open_at(const struct hal_env *env, const struct board *board,
			   const char *sysfs_root, const char *dev_dir, void **ret,
			   struct file_error *err)
{
	struct printer_escpos *p;
	size_t off = 0;

	*ret = NULL;
	if (!board->printer.device[0] && !board->printer.usb_set) {
		file_error_set(err, board->path, board->printer.src_line,
			       "[printer] needs device or usb with printer = escpos");
		return -EINVAL;
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		file_error_set(err, board->path, 0, "printer: out of memory");
		return -ENOMEM;
	}
	p->env = *env;
	p->def = board->printer;
	snprintf(p->sysfs_root, sizeof(p->sysfs_root), "%s", sysfs_root);
	snprintf(p->dev_dir, sizeof(p->dev_dir), "%s", dev_dir);
	p->fd = -1;
	p->state = PRINTER_OFFLINE;
	if (p->def.usb_set) {
		char why[128];

		/* without it, only usblp: said once, and circd runs on */
		if (printer_libusb_new(env->loop, &link_events, p, &p->usb, why, sizeof(why)) < 0)
			hal_report(env, HAL_LEVEL_WARNING,
				   "printer: no libusb fallback for a printer usblp lacks: %s", why);
	}
	for (size_t i = 0; i < POLL_KINDS; i++)
		off += (size_t)escpos_status_request(poll_kinds[i], p->poll_bytes + off);
	loop_timer_init(&p->retry, on_retry, p);
	loop_timer_init(&p->poll, on_poll, p);
	loop_timer_init(&p->answer, on_answer_timeout, p);
	try_open(p);
	*ret = p;
	return 0;
}

static int printer_escpos_open(const struct hal_env *env, const struct board *board, void **ret,
			       struct file_error *err)
{
	return printer_escpos_open_at(env, board, "/sys", "/dev/usb", ret, err);
}

static void printer_escpos_close(void *handle)
{
	struct printer_escpos *p = handle;

	if (!p)
		return;
	loop_source_free(p->source);
	if (p->fd >= 0)
		close(p->fd);
	printer_libusb_free(p->usb);
	loop_timer_disarm(p->env.loop, &p->retry);
	loop_timer_disarm(p->env.loop, &p->poll);
	loop_timer_disarm(p->env.loop, &p->answer);
	free(p->receipt);
	free(p);
}

static int printer_escpos_print(void *handle, const uint8_t *bytes, size_t len)
{
	struct printer_escpos *p = handle;

	if (!bytes || len == 0)
		return -EINVAL;
	if (!attached(p) || !printer_state_can_print(p->state))
		return -EIO;
	if (p->receipt)
		return -EBUSY;
	p->receipt = malloc(len);
	if (!p->receipt)
		return -ENOMEM;
	memcpy(p->receipt, bytes, len);
	p->receipt_len = len;
	/* Asked again right before it prints: the last poll may be two seconds old. */
	if (!p->answers_due)
		start_poll(p);
	/* A poll whose requests are still going out finishes first; its answers send it. */
	return 0;
}

static int printer_escpos_status(void *handle, struct printer_status *ret)
{
	struct printer_escpos *p = handle;

	ret->state = p->state;
	return 0;
}

const struct printer_ops printer_escpos_ops = {
	.name = "escpos",
	.open = printer_escpos_open,
	.close = printer_escpos_close,
	.print = printer_escpos_print,
	.status = printer_escpos_status,
};
