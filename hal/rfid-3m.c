/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The 3M / Bibliotheca 810 pad (protocol = 3m): hal/m3-frame.h frames over a
 * USB-serial line, 19200 8N1 unless the board says otherwise, on the loop.
 *
 * The pad answers one request at a time, so the backend runs one job at a
 * time on it: the probe (the version, then the rf setup the public driver
 * sends before anything else), an inventory round (the inventory, then for
 * each tag new to the field its memory; its AFI too when the memory ended in
 * a refusal, which alone does not say the tag is still there), or a caller's
 * operation. An operation waits for the round under way and goes before the
 * next one, and so does one its predecessor's done asks for: a stack's
 * writes follow each other without an inventory between them.
 *
 * What the 810 cannot tell: it has no system information command, so there
 * is no DSFID and no block count (memory is read M3_READ_CHUNK blocks at a
 * time until the tag has no more; its blocks are 4 bytes), and no EAS
 * command: set EAS is refused (-EOPNOTSUPP) and EAS is
 * RFID_EAS_UNKNOWN, as libraries secure these tags with the AFI alone.
 *
 * A refusal (status 0x06) does not say why. After a refused read or write
 * the backend asks for the tag's AFI: a tag that answers refused the
 * request (-EIO), one that does not has left (-ENODEV).
 *
 * Silence: a request waits M3_ANSWER_MS plus its bytes' time on the line;
 * once its answer has begun, a gap of a few characters' time (plus what a
 * USB adapter holds back) ends the wait. A broken frame meanwhile makes it
 * -EBADMSG, nothing at all -ETIMEDOUT; either way the splitter and the line
 * are flushed and the next request starts clean. M3_SILENT_MAX requests in
 * a row without an answer and the reader counts as gone (its tags leave)
 * until it answers the probe again.
 */
#include "rfid.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "m3-frame.h"
#include "rfid-backend.h"
#include "rfid-field.h"
#include "serial-port.h"

#define M3_ANSWER_MS 1000	/* the public driver waits 0.5 s; long writes take more */
#define M3_GAP_CHARS 8		/* a pause this long inside an answer ends it */
#define M3_USB_LATENCY_MS 50	/* USB-serial adapters hold bytes back (FTDI: 16 ms) */
#define M3_READ_CHUNK 8		/* blocks per read request, as the public driver asks */
#define M3_SILENT_MAX 3
#define M3_PROBE_RETRY_MS 1000

static const struct serial_settings m3_line = {
	.baud = M3_BAUD, .data_bits = 8, .parity = SERIAL_PARITY_NONE, .stop_bits = 1,
};

extern const struct rfid_ops rfid_3m_ops;

enum m3_job {
	JOB_NONE,
	JOB_PROBE,
	JOB_ROUND,
	JOB_OP,
};

/* What the request on the line is for. */
enum m3_step {
	STEP_VERSION,
	STEP_RF_SETUP,
	STEP_INVENTORY,
	STEP_TAG_READ,
	STEP_TAG_AFI,
	STEP_OP,
	STEP_OP_CHECK, /* the AFI asked after a refusal: refused (-EIO) or gone (-ENODEV) */
};

struct m3_op {
	bool busy;   /* accepted, done not called yet */
	bool queued; /* waiting for the line */
	struct rfid_request req; /* as submitted; a write's n_blocks, a read's bytes filled in */
	unsigned blocks_read;
	uint8_t afi;             /* read state: what the tag said */
	struct rfid_reply reply; /* once finished, for the done timer */
};

struct m3_round {
	uint8_t uids[RFID_FIELD_MAX][RFID_UID_LEN];
	size_t n, at;
	bool answered[RFID_FIELD_MAX];  /* in the field this round, read in full if new */
	struct rfid_tag tags[RFID_FIELD_MAX];
};

struct rfid_3m {
	struct rfid_backend base; /* first: rfid_backend_status() reads it */
	struct serial_port *port;
	struct m3_splitter splitter;
	bool ready; /* the reader answered the probe */
	enum m3_job job;
	enum m3_step step;
	bool waiting;   /* a request is on the line */
	uint8_t want_start, want_cmd;
	size_t want_len; /* the request's length, for the answer timeout */
	bool bad_frame; /* a broken frame came while waiting */
	unsigned silent; /* requests in a row that got no answer */
	bool round_due;
	struct loop_timer wake; /* the next round; while not ready, the next probe */
	struct loop_timer done_timer;
	char reported[96]; /* the failure last reported, to report each once */
	struct rfid_field field;
	struct m3_round round;
	struct m3_op op;
};

static void kick(struct rfid_3m *s);

static void report_failure(struct rfid_3m *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void report_failure(struct rfid_3m *s, const char *fmt, ...)
{
	char msg[sizeof(s->reported)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(s->base.status.last_error, sizeof(s->base.status.last_error), "%s", msg);
	if (strcmp(msg, s->reported) == 0)
		return;
	snprintf(s->reported, sizeof(s->reported), "%s", msg);
	hal_report(&s->base.env, HAL_LEVEL_WARNING, "rfid %s: %s", s->base.status.name, msg);
}

static unsigned interval_ms(const struct rfid_3m *s)
{
	return s->base.active ? s->base.active_ms : s->base.idle_ms;
}

static void arm_next_round(struct rfid_3m *s)
{
	unsigned ms = interval_ms(s);

	if (ms)
		loop_timer_arm(s->base.env.loop, &s->wake, ms);
	else
		loop_timer_disarm(s->base.env.loop, &s->wake);
}

/* ---- the line: one request, its answer ---- */

static unsigned gap_ms(const struct rfid_3m *s)
{
	return serial_bytes_ms(serial_port_settings(s->port), M3_GAP_CHARS) + M3_USB_LATENCY_MS;
}

static unsigned answer_ms(const struct rfid_3m *s)
{
	/* the request goes out and the longest answer comes back */
	return M3_ANSWER_MS +
	       serial_bytes_ms(serial_port_settings(s->port), s->want_len + M3_FRAME_MAX);
}

/* Sends a request; its answer (or failure) reaches on_answer(). */
static void send_request(struct rfid_3m *s, enum m3_step step, const uint8_t *frame, int len)
{
	int r;

	s->step = step;
	s->waiting = true;
	s->bad_frame = false;
	if (len < M3_OVERHEAD) {
		/* cannot happen (the requests are fixed): failed as if unanswered */
		serial_port_expect(s->port, 1);
		return;
	}
	s->want_start = frame[0];
	s->want_cmd = frame[3];
	s->want_len = (size_t)len;
	serial_port_expect(s->port, answer_ms(s));
	r = serial_port_write(s->port, frame, (size_t)len);
	/* -ENODEV: the port went, and on_port_state() has dealt with the job */
	if (r < 0 && r != -ENODEV)
		serial_port_expect(s->port, 1); /* cannot happen: one short request at a time */
}

static void on_answer(struct rfid_3m *s, int result, const struct m3_reply *reply);

static void on_port_timeout(void *data)
{
	struct rfid_3m *s = data;
	int result = s->bad_frame ? -EBADMSG : -ETIMEDOUT;

	if (!s->waiting)
		return;
	s->waiting = false;
	m3_splitter_init(&s->splitter);
	serial_port_flush(s->port);
	if (result == -ETIMEDOUT)
		s->silent++;
	on_answer(s, result, NULL);
}

static void on_frame(struct rfid_3m *s, const struct m3_frame *frame)
{
	struct m3_reply reply;
	int r;

	if (!s->waiting || frame->start != s->want_start || frame->cmd != s->want_cmd)
		return; /* late or stray: what it answers is settled */
	s->waiting = false;
	s->silent = 0;
	serial_port_expect(s->port, 0);
	r = m3_reply_parse(frame, &reply);
	if (r < 0)
		r = -EBADMSG;
	on_answer(s, r, r < 0 ? NULL : &reply);
}

static void on_port_data(void *data, const uint8_t *bytes, size_t len)
{
	struct rfid_3m *s = data;
	struct m3_frame frame;
	size_t used;
	int r;

	for (;;) {
		r = m3_splitter_next(&s->splitter, bytes, len, &used, &frame);
		bytes += used;
		len -= used;
		if (r == 0)
			break;
		if (r == 1)
			on_frame(s, &frame);
		else if (s->waiting)
			s->bad_frame = true;
		if (!serial_port_attached(s->port))
			return;
	}
	/* an answer under way may pause only briefly; a broken one ends soon */
	if (s->waiting && (s->splitter.pending_len || s->bad_frame))
		serial_port_expect(s->port, gap_ms(s));
	else if (s->waiting)
		serial_port_expect(s->port, answer_ms(s));
}

/* ---- operations ---- */

static void on_done_timer(struct loop *loop, void *data)
{
	struct rfid_3m *s = data;
	struct rfid_reply reply = s->op.reply;
	rfid_done_fn done = s->op.req.done;
	void *done_data = s->op.req.data;
	uint8_t read[RFID_MEM_MAX];

	if (reply.data) {
		memcpy(read, s->op.req.bytes, reply.len);
		reply.data = read;
	}
	s->op.busy = false;
	/* A round held back for done's next operation (kick()) starts next pass if none came. */
	if (s->round_due)
		loop_timer_arm(loop, &s->wake, 0);
	/* Last: done may start the next operation, or close the reader. */
	if (done)
		done(done_data, &reply);
}

/* Ends the operation; its done runs from the done timer. */
static void op_finish(struct rfid_3m *s, int result)
{
	struct m3_op *op = &s->op;
	struct rfid_reply *reply = &op->reply;

	memset(reply, 0, sizeof(*reply));
	reply->op = op->req.op;
	reply->result = result;
	memcpy(reply->uid, op->req.uid, RFID_UID_LEN);
	reply->first_block = op->req.first_block;
	reply->eas = RFID_EAS_UNKNOWN;
	if (result == 0) {
		reply->block_size = M3_BLOCK_LEN;
		if (op->req.op == RFID_OP_READ_BLOCKS) {
			reply->data = op->req.bytes;
			reply->len = (size_t)op->req.n_blocks * M3_BLOCK_LEN;
		}
		if (op->req.op == RFID_OP_READ_STATE) {
			reply->has_afi = true;
			reply->afi = op->afi;
		}
	}
	op->queued = false;
	s->base.status.ops++;
	if (result < 0) {
		s->base.status.ops_failed++;
		/* no UID: a patron reader's cards are patrons' */
		report_failure(s, "%s: %s", rfid_op_name(op->req.op), strerror(-result));
	}
	if (s->job == JOB_OP)
		s->job = JOB_NONE;
	loop_timer_arm(s->base.env.loop, &s->done_timer, 0);
}

static void op_send(struct rfid_3m *s)
{
	struct m3_op *op = &s->op;
	uint8_t frame[M3_FRAME_MAX];
	unsigned count;
	int len = -EINVAL;

	switch (op->req.op) {
	case RFID_OP_READ_BLOCKS:
		count = op->req.n_blocks - op->blocks_read;
		if (count > M3_READ_CHUNK)
			count = M3_READ_CHUNK;
		len = m3_encode_read_blocks(op->req.uid,
					    (uint8_t)(op->req.first_block + op->blocks_read),
					    (uint8_t)count, frame, sizeof(frame));
		break;
	case RFID_OP_WRITE_BLOCKS:
		len = m3_encode_write_blocks(op->req.uid, (uint8_t)op->req.first_block,
					     (uint8_t)op->req.n_blocks, op->req.bytes, frame,
					     sizeof(frame));
		break;
	case RFID_OP_WRITE_AFI:
		len = m3_encode_set_afi(op->req.uid, op->req.afi, frame, sizeof(frame));
		break;
	case RFID_OP_READ_STATE:
		len = m3_encode_get_afi(op->req.uid, frame, sizeof(frame));
		break;
	case RFID_OP_SET_EAS:
		break;
	}
	if (len < 0) {
		op_finish(s, -EINVAL); /* checked when the operation was taken */
		return;
	}
	send_request(s, STEP_OP, frame, len);
}

/* A refusal: whether the tag is still there says which. */
static void op_check_tag(struct rfid_3m *s)
{
	uint8_t frame[M3_FRAME_MAX];
	int len = m3_encode_get_afi(s->op.req.uid, frame, sizeof(frame));

	if (len < 0) {
		op_finish(s, -EIO);
		return;
	}
	send_request(s, STEP_OP_CHECK, frame, len);
}

static bool same_uid(const uint8_t *a, const uint8_t *b)
{
	return memcmp(a, b, RFID_UID_LEN) == 0;
}

/* A read answer: the blocks asked for, numbered as asked. */
static int read_answer_fits(const struct m3_reply *reply, const uint8_t uid[RFID_UID_LEN],
			    unsigned first, unsigned asked)
{
	if (!same_uid(reply->read.uid, uid) || reply->read.n > asked)
		return -EBADMSG;
	for (unsigned i = 0; i < reply->read.n; i++)
		if (reply->read.blocks[i].number != first + i)
			return -EBADMSG;
	return 0;
}

static void op_answer(struct rfid_3m *s, const struct m3_reply *reply)
{
	struct m3_op *op = &s->op;
	unsigned first = op->req.first_block + op->blocks_read;
	unsigned asked = op->req.n_blocks - op->blocks_read;

	if (reply->kind == M3_REPLY_REFUSED) {
		if (op->req.op == RFID_OP_READ_STATE)
			op_finish(s, -ENODEV);
		else
			op_check_tag(s);
		return;
	}
	switch (op->req.op) {
	case RFID_OP_READ_BLOCKS:
		if (asked > M3_READ_CHUNK)
			asked = M3_READ_CHUNK;
		if (reply->kind != M3_REPLY_READ_BLOCKS ||
		    read_answer_fits(reply, op->req.uid, first, asked) < 0) {
			op_finish(s, -EBADMSG);
			return;
		}
		if (reply->read.n < asked) {
			op_finish(s, -EIO); /* past the tag's last block */
			return;
		}
		for (unsigned i = 0; i < asked; i++)
			memcpy(op->req.bytes + (size_t)(op->blocks_read + i) * M3_BLOCK_LEN,
			       reply->read.blocks[i].data, M3_BLOCK_LEN);
		op->blocks_read += asked;
		if (op->blocks_read < op->req.n_blocks)
			op_send(s);
		else
			op_finish(s, 0);
		return;
	case RFID_OP_WRITE_BLOCKS:
		if (reply->kind != M3_REPLY_WRITE_BLOCKS ||
		    !same_uid(reply->write.uid, op->req.uid))
			op_finish(s, -EBADMSG);
		else
			op_finish(s, reply->write.count == op->req.n_blocks ? 0 : -EIO);
		return;
	case RFID_OP_WRITE_AFI:
		if (reply->kind != M3_REPLY_SET_AFI || !same_uid(reply->afi.uid, op->req.uid))
			op_finish(s, -EBADMSG);
		else
			op_finish(s, 0);
		return;
	case RFID_OP_READ_STATE:
		if (reply->kind != M3_REPLY_GET_AFI || !same_uid(reply->afi.uid, op->req.uid)) {
			op_finish(s, -EBADMSG);
			return;
		}
		op->afi = reply->afi.afi;
		op_finish(s, 0);
		return;
	case RFID_OP_SET_EAS:
		break;
	}
	op_finish(s, -EINVAL);
}

static void op_check_answer(struct rfid_3m *s, const struct m3_reply *reply)
{
	if (reply->kind == M3_REPLY_GET_AFI && same_uid(reply->afi.uid, s->op.req.uid))
		op_finish(s, -EIO);
	else if (reply->kind == M3_REPLY_REFUSED)
		op_finish(s, -ENODEV);
	else
		op_finish(s, -EBADMSG);
}

/* ---- inventory rounds ---- */

static void round_finish(struct rfid_3m *s)
{
	struct m3_round *rd = &s->round;

	s->job = JOB_NONE;
	arm_next_round(s);
	rfid_field_round_begin(&s->field);
	for (size_t i = 0; i < rd->n; i++) {
		if (!rd->answered[i] || rfid_field_seen(&s->field, &rd->tags[i]) != 1)
			continue;
		rfid_backend_arrived(&s->base, &rd->tags[i]);
		/* an operation arrived started found the port gone: the field is cleared */
		if (!s->ready)
			return;
	}
	rfid_field_round_end(&s->field, rfid_backend_left, &s->base);
	s->base.status.tags_in_field = (unsigned)s->field.n;
	kick(s);
}

/* A round that cannot be finished changes nothing: no tag missed it. */
static void round_abort(struct rfid_3m *s)
{
	s->job = JOB_NONE;
	arm_next_round(s);
}

static void tag_read_afi(struct rfid_3m *s, const struct rfid_tag *tag)
{
	uint8_t frame[M3_FRAME_MAX];
	int len = m3_encode_get_afi(tag->uid, frame, sizeof(frame));

	send_request(s, STEP_TAG_AFI, frame, len);
}

/* Blocks the next read of a new tag asks for: a chunk, less near RFID_MEM_MAX. */
static unsigned tag_chunk(const struct rfid_tag *tag)
{
	size_t room = (RFID_MEM_MAX - tag->mem_len) / M3_BLOCK_LEN;

	return room < M3_READ_CHUNK ? (unsigned)room : M3_READ_CHUNK;
}

static void tag_read_next(struct rfid_3m *s)
{
	struct m3_round *rd = &s->round;
	struct rfid_tag *tag = &rd->tags[rd->at];
	unsigned first = (unsigned)(tag->mem_len / M3_BLOCK_LEN);
	unsigned count = tag_chunk(tag);
	uint8_t frame[M3_FRAME_MAX];
	int len;

	if (!count) {
		tag_read_afi(s, tag); /* as much as is kept is read */
		return;
	}
	len = m3_encode_read_blocks(tag->uid, (uint8_t)first, (uint8_t)count, frame,
				    sizeof(frame));
	send_request(s, STEP_TAG_READ, frame, len);
}

/* The next tag new to the field, or the round's end. */
static void round_next_tag(struct rfid_3m *s)
{
	struct m3_round *rd = &s->round;

	for (; rd->at < rd->n; rd->at++) {
		struct rfid_tag *tag = &rd->tags[rd->at];

		if (rfid_field_find(&s->field, rd->uids[rd->at])) {
			memcpy(tag->uid, rd->uids[rd->at], RFID_UID_LEN);
			rd->answered[rd->at] = true;
			continue;
		}
		memset(tag, 0, sizeof(*tag));
		tag->reader = s->base.status.name;
		tag->for_items = s->base.items;
		tag->for_patrons = s->base.patrons;
		memcpy(tag->uid, rd->uids[rd->at], RFID_UID_LEN);
		tag->eas = RFID_EAS_UNKNOWN;
		tag->block_size = M3_BLOCK_LEN;
		tag_read_next(s);
		return;
	}
	round_finish(s);
}

static void round_inventory_answer(struct rfid_3m *s, const struct m3_reply *reply)
{
	struct m3_round *rd = &s->round;

	if (reply->kind != M3_REPLY_INVENTORY) {
		report_failure(s, "inventory refused (status 0x%02X)", reply->status);
		round_abort(s);
		return;
	}
	if (reply->inventory.more)
		report_failure(s, "%u tags on the pad, %u reported (the pad's limit)",
			       reply->inventory.count, reply->inventory.n);
	rd->n = reply->inventory.n < RFID_FIELD_MAX ? reply->inventory.n : RFID_FIELD_MAX;
	memcpy(rd->uids, reply->inventory.uids, rd->n * RFID_UID_LEN);
	memset(rd->answered, 0, sizeof(rd->answered));
	rd->at = 0;
	round_next_tag(s);
}

static void round_tag_answer(struct rfid_3m *s, const struct m3_reply *reply)
{
	struct m3_round *rd = &s->round;
	struct rfid_tag *tag = &rd->tags[rd->at];
	unsigned first = (unsigned)(tag->mem_len / M3_BLOCK_LEN);
	unsigned asked = tag_chunk(tag);

	if (s->step == STEP_TAG_AFI) {
		if (reply->kind == M3_REPLY_GET_AFI && same_uid(reply->afi.uid, tag->uid)) {
			tag->has_afi = true;
			tag->afi = reply->afi.afi;
			rd->answered[rd->at] = true;
		}
		/* refused or garbled: it is read again in the next round */
		rd->at++;
		round_next_tag(s);
		return;
	}
	if (reply->kind == M3_REPLY_READ_BLOCKS &&
	    read_answer_fits(reply, tag->uid, first, asked) == 0) {
		for (unsigned i = 0; i < reply->read.n; i++)
			memcpy(tag->mem + tag->mem_len + (size_t)i * M3_BLOCK_LEN,
			       reply->read.blocks[i].data, M3_BLOCK_LEN);
		tag->mem_len += (size_t)reply->read.n * M3_BLOCK_LEN;
		if (reply->read.n == asked) {
			tag_read_next(s);
			return;
		}
		/*
		 * Short: all of it is read, and the tag answered. Its AFI is left
		 * unknown (has_afi false) rather than cost a request per tag.
		 */
		rd->answered[rd->at] = true;
	} else if (reply->kind == M3_REPLY_REFUSED && tag->mem_len) {
		/* Refused past the last block, or gone: its AFI tells which. */
		tag_read_afi(s, tag);
		return;
	}
	/* Not answered: not there (any more), or an answer that makes no sense. Next round. */
	rd->at++;
	round_next_tag(s);
}

static void round_start(struct rfid_3m *s)
{
	uint8_t frame[M3_FRAME_MAX];
	int len = m3_encode_inventory(frame, sizeof(frame));

	s->round_due = false;
	s->job = JOB_ROUND;
	loop_timer_disarm(s->base.env.loop, &s->wake);
	send_request(s, STEP_INVENTORY, frame, len);
}

/* ---- the reader: probe, attach, lose ---- */

static void probe_start(struct rfid_3m *s)
{
	uint8_t frame[M3_FRAME_MAX];
	int len = m3_encode_version(frame, sizeof(frame));

	s->job = JOB_PROBE;
	send_request(s, STEP_VERSION, frame, len);
}

static void reader_ready(struct rfid_3m *s)
{
	s->job = JOB_NONE;
	s->ready = true;
	s->silent = 0;
	s->base.status.attached = true;
	s->base.status.last_error[0] = '\0';
	s->reported[0] = '\0';
	snprintf(s->base.status.port, sizeof(s->base.status.port), "%s",
		 serial_port_path(s->port));
	hal_report(&s->base.env, HAL_LEVEL_NOTICE, "rfid %s: %s attached on %s",
		   s->base.status.name, s->base.status.reader, s->base.status.port);
	rfid_backend_device(&s->base);
	/* what lies on the pad already arrives now, unless rounds are off while idle */
	s->round_due = interval_ms(s) != 0;
	kick(s);
}

/* The reader went (port gone, or silent): its tags leave, an operation under way fails. */
static void reader_lost(struct rfid_3m *s, int op_result, const char *why)
{
	bool was_ready = s->ready;

	s->ready = false;
	s->waiting = false;
	s->round_due = false;
	s->base.status.attached = false;
	s->base.status.port[0] = '\0';
	loop_timer_disarm(s->base.env.loop, &s->wake);
	if (s->job == JOB_OP || (s->op.busy && s->op.queued))
		op_finish(s, op_result);
	s->job = JOB_NONE;
	if (!was_ready)
		return;
	hal_report(&s->base.env, HAL_LEVEL_WARNING, "rfid %s: reader detached: %s",
		   s->base.status.name, why);
	rfid_field_clear(&s->field, rfid_backend_left, &s->base);
	s->base.status.tags_in_field = 0;
	rfid_backend_device(&s->base);
}

static void probe_answer(struct rfid_3m *s, int result, const struct m3_reply *reply)
{
	uint8_t frame[M3_FRAME_MAX];
	int len;

	if (result == 0 && s->step == STEP_VERSION && reply->kind == M3_REPLY_VERSION) {
		const uint8_t *v = reply->version;

		snprintf(s->base.status.reader, sizeof(s->base.status.reader),
			 "3M 810, hardware version %u.%u.%u.%u", v[0], v[1], v[2], v[3]);
		len = m3_encode_rf_setup(frame, sizeof(frame));
		send_request(s, STEP_RF_SETUP, frame, len);
		return;
	}
	if (result == 0 && s->step == STEP_RF_SETUP) {
		/* what its answer means is not known: any answer will do */
		reader_ready(s);
		return;
	}
	s->job = JOB_NONE;
	if (result == -ETIMEDOUT)
		report_failure(s, "no answer to the %s probe on %s",
			       s->step == STEP_VERSION ? "version" : "rf setup",
			       serial_port_path(s->port));
	else
		report_failure(s, "the %s probe's answer is not a 3M 810's",
			       s->step == STEP_VERSION ? "version" : "rf setup");
	loop_timer_arm(s->base.env.loop, &s->wake, M3_PROBE_RETRY_MS);
}

static void on_answer(struct rfid_3m *s, int result, const struct m3_reply *reply)
{
	switch (s->job) {
	case JOB_NONE:
		return;
	case JOB_PROBE:
		probe_answer(s, result, reply);
		return;
	case JOB_ROUND:
		if (result == -ETIMEDOUT && s->step != STEP_INVENTORY &&
		    s->silent < M3_SILENT_MAX) {
			/* the tag being read, not the reader: try the tag again next round */
			s->round.at++;
			round_next_tag(s);
		} else if (result < 0) {
			bool inventory = s->step == STEP_INVENTORY;

			if (result == -EBADMSG)
				report_failure(s, "a broken answer to the %s",
					       inventory ? "inventory" : "tag read");
			round_abort(s);
		} else if (s->step == STEP_INVENTORY) {
			round_inventory_answer(s, reply);
		} else {
			round_tag_answer(s, reply);
		}
		break;
	case JOB_OP:
		if (result < 0)
			op_finish(s, result);
		else if (s->step == STEP_OP_CHECK)
			op_check_answer(s, reply);
		else
			op_answer(s, reply);
		break;
	}
	if (s->silent >= M3_SILENT_MAX) {
		report_failure(s, "the reader does not answer");
		reader_lost(s, -ETIMEDOUT, "it does not answer");
		loop_timer_arm(s->base.env.loop, &s->wake, M3_PROBE_RETRY_MS);
		return;
	}
	kick(s);
}

/* Starts what is next on the line, if it is free. */
static void kick(struct rfid_3m *s)
{
	if (s->job != JOB_NONE || !s->ready || !serial_port_attached(s->port))
		return;
	if (s->op.queued) {
		s->op.queued = false;
		s->job = JOB_OP;
		op_send(s);
		return;
	}
	/*
	 * An operation's done, still to run, usually asks for the next one (a
	 * stack's writes follow each other): a round waits for it rather than
	 * come between them, so a stack is not held up by an inventory of
	 * itself (at 19200 baud, 47 ms for ten tags).
	 */
	if (s->round_due && !s->done_timer.armed)
		round_start(s);
}

static void on_wake(struct loop *loop, void *data)
{
	struct rfid_3m *s = data;

	if (!serial_port_attached(s->port))
		return;
	if (!s->ready) {
		if (s->job == JOB_NONE)
			probe_start(s);
		return;
	}
	s->round_due = true;
	kick(s);
}

static void on_port_state(void *data, bool attached, const char *why)
{
	struct rfid_3m *s = data;

	if (!attached) {
		bool was_ready = s->ready;

		reader_lost(s, -ENODEV, why); /* reports it when the reader was there */
		if (!was_ready)
			report_failure(s, "%s", why);
		return;
	}
	m3_splitter_init(&s->splitter);
	s->silent = 0;
	loop_timer_disarm(s->base.env.loop, &s->wake);
	probe_start(s);
}

/* ---- the ops ---- */

/* Checks what can be checked at once and queues req behind what runs on the line. */
static int rfid_3m_submit(void *handle, const struct rfid_request *req)
{
	struct rfid_3m *s = handle;
	unsigned n_blocks = req->n_blocks;

	switch (req->op) {
	case RFID_OP_READ_BLOCKS:
		if (!n_blocks || (size_t)n_blocks * M3_BLOCK_LEN > RFID_MEM_MAX ||
		    req->first_block + n_blocks > M3_BLOCKS_MAX + 1u)
			return -EINVAL;
		break;
	case RFID_OP_WRITE_BLOCKS:
		n_blocks = (unsigned)(req->len / M3_BLOCK_LEN);
		if (req->len % M3_BLOCK_LEN || req->first_block + n_blocks > M3_BLOCKS_MAX + 1u)
			return -EINVAL;
		break;
	case RFID_OP_SET_EAS:
		return -EOPNOTSUPP; /* the 810 has no EAS command */
	case RFID_OP_WRITE_AFI:
	case RFID_OP_READ_STATE:
		break;
	}
	if (s->op.busy)
		return -EBUSY;
	if (!s->ready)
		return -ENODEV;
	memset(&s->op, 0, sizeof(s->op));
	s->op.req = *req;
	s->op.req.n_blocks = n_blocks;
	s->op.busy = true;
	s->op.queued = true;
	kick(s);
	return 0;
}

static void rfid_3m_set_active(void *handle, bool active)
{
	struct rfid_3m *s = handle;

	if (!rfid_backend_set_active(&s->base, active))
		return;
	/* The next round at the new pace, counted from now (a round under way: from its end). */
	if (s->ready && s->job != JOB_ROUND && !s->round_due)
		arm_next_round(s);
}

static int rfid_3m_open(const struct hal_env *env, const struct board *board,
			const struct board_rfid *def, const struct rfid_events *events, void *data,
			void **ret, struct file_error *err)
{
	struct serial_port_config cfg = { .def = def, .defaults = m3_line };
	struct serial_port_events port_events = {
		.data = on_port_data, .timeout = on_port_timeout, .state = on_port_state,
	};
	struct rfid_3m *s;
	int r;

	*ret = NULL;
	s = calloc(1, sizeof(*s));
	if (!s) {
		r = -ENOMEM;
		goto err_report;
	}
	rfid_backend_init(&s->base, env, rfid_3m_ops.name, def, events, data);
	m3_splitter_init(&s->splitter);
	loop_timer_init(&s->wake, on_wake, s);
	loop_timer_init(&s->done_timer, on_done_timer, s);
	/* the port reports its state from within: s must be whole by now */
	r = serial_port_open(env, &cfg, &port_events, s, &s->port);
	if (r < 0)
		goto err_free;
	*ret = s;
	return 0;

err_free:
	free(s);
err_report:
	file_error_set(err, board->path, def->src_line, "[rfid %s]: %s", def->name,
		       strerror(-r));
	return r;
}

static void rfid_3m_close(void *handle)
{
	struct rfid_3m *s = handle;

	if (!s)
		return;
	serial_port_free(s->port);
	loop_timer_disarm(s->base.env.loop, &s->wake);
	loop_timer_disarm(s->base.env.loop, &s->done_timer);
	free(s);
}

const struct rfid_ops rfid_3m_ops = {
	.name = "3m",
	.open = rfid_3m_open,
	.close = rfid_3m_close,
	.set_active = rfid_3m_set_active,
	.submit = rfid_3m_submit,
	.status = rfid_backend_status,
};
