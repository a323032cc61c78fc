/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * FEIG ISO host readers (protocol = feig): ID ISC.MR101/MR102/LR2500 class
 * readers on a serial line, or on their own USB bulk endpoints (transport =
 * usb: hal/usb-bulk-port.h), spoken to through hal/feig-frame.h over the
 * one-exchange-at-a-time line of hal/feig-link.h. A failed exchange (no
 * answer, a bad one) ends in its errno and the driver goes on with the
 * next: the reader itself ignores a frame it cannot read and answers the
 * next one.
 *
 * What runs when the line is free, in this order: the handshake (baud
 * detection, which only a reader set to our baud rate and parity answers,
 * then the software version), the rest of an inventory round (each tag new
 * to the field is read before it is reported: system information, memory,
 * EAS), the pending operation, and then the next round. So an operation
 * waits behind the round under way, never the other way round, and a due
 * round waits for the operation a finished one's done asks for: a stack's
 * writes follow each other without an inventory between them.
 *
 * Work never starts inside a call from firmware: the call arms the kick
 * timer, and done callbacks are delivered from it too.
 */
#include "rfid.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rfid-feig-private.h"

/* CFG1's factory setting in the ID ISC system manuals: 38400 baud, 8 data bits, even parity. */
static const struct serial_settings feig_defaults = { 38400, 8, SERIAL_PARITY_EVEN, 1 };

/* Reader control commands are answered at once. */
#define HOUSEKEEPING_MS 300
#define HANDSHAKE_RETRY_MS 1000
/* Inventories in a row without an answer: the reader is taken for gone until it answers again. */
#define SILENT_ROUNDS_MAX 3
/* Blocks per read or write, so that every request and answer fits a standard frame. */
#define CHUNK_BLOCKS_MAX 32

static void pump(struct rfid_feig *f);

/* ---------------------------------------------------------------- reporting */

static void copy_cut(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

__attribute__((format(printf, 3, 4)))
static void report_once(struct rfid_feig *f, enum hal_level level, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	copy_cut(f->base.status.last_error, sizeof(f->base.status.last_error), msg);
	if (strcmp(msg, f->last_report) == 0)
		return;
	snprintf(f->last_report, sizeof(f->last_report), "%s", msg);
	hal_report(&f->base.env, level, "rfid %s: %s", f->base.status.name, msg);
}

static const char *exchange_name(enum feig_exchange ex)
{
	switch (ex) {
	case EX_BAUD:
		return "baud rate detection";
	case EX_VERSION:
		return "get software version";
	case EX_INVENTORY:
		return "inventory";
	case EX_NEW_SYSINFO:
	case EX_OP_SYSINFO:
		return "get system information";
	case EX_NEW_READ:
	case EX_OP_READ:
		return "read blocks";
	case EX_OP_WRITE:
		return "write blocks";
	case EX_OP_AFI:
		return "write AFI";
	case EX_OP_EAS_SET:
		return "set EAS";
	case EX_NEW_EAS:
	case EX_OP_EAS_ALARM:
		return "EAS alarm";
	case EX_NONE:
		break;
	}
	return "none";
}

/*
 * What a status byte means for the tag command it answers. The reader's
 * own complaints (unknown command, length, RF or hardware warning) are
 * reported, as no tag explains them.
 */
int rfid_feig_status_result(struct rfid_feig *f, enum feig_exchange ex, uint8_t status)
{
	switch (status) {
	case FEIG_OK:
	case FEIG_MORE_DATA:
		return 0;
	case FEIG_NO_TRANSPONDER:
		return -ENODEV;
	case FEIG_DATA_FALSE:
	case FEIG_RF_COMMUNICATION_ERROR:
		return -EBADMSG; /* the exchange with the tag was disturbed: a write may be done */
	case FEIG_WRITE_ERROR:
	case FEIG_ISO_ERROR:
	case FEIG_ADDRESS_ERROR:
	case FEIG_WRONG_TRANSPONDER_TYPE:
		return -EIO;
	default:
		report_once(f, HAL_LEVEL_WARNING, "%s: status 0x%02X (%s)", exchange_name(ex),
			    status, feig_status_name(status));
		return -EIO;
	}
}

unsigned rfid_feig_chunk_blocks(unsigned block_size, bool write)
{
	/* read answers: status, count, size, then a security byte and the block for each */
	unsigned fit = write ? (FEIG_STD_MAX - FEIG_STD_MIN - 2 - FEIG_UID_LEN - 3) / block_size :
			       (FEIG_STD_MAX - FEIG_STD_MIN - 3) / (block_size + 1);

	return fit < CHUNK_BLOCKS_MAX ? fit : CHUNK_BLOCKS_MAX;
}

/* ------------------------------------------------------------- the exchange */

void rfid_feig_send(struct rfid_feig *f, enum feig_exchange ex, const struct feig_request *req,
		    unsigned answer_ms)
{
	f->ex = ex;
	/*
	 * The line is free (pump() checks) and the builders make requests that
	 * fit, so this does not fail; if it did, the exchange ends in -EIO from
	 * the kick timer rather than leave a round or operation waiting forever.
	 */
	if (feig_link_send(f->link, req, answer_ms) < 0) {
		f->send_failed = true;
		loop_timer_arm(f->base.env.loop, &f->kick, 0);
	}
}

static void on_answer(struct rfid_feig *f, enum feig_exchange ex, int r,
		      const struct feig_response *resp);

static void on_link_answer(void *data, int r, const struct feig_response *resp)
{
	struct rfid_feig *f = data;
	enum feig_exchange ex = f->ex;

	f->ex = EX_NONE;
	if (!f->ready)
		; /* a reader not yet found: the handshake says so, once */
	else if (r == -ETIMEDOUT)
		report_once(f, HAL_LEVEL_WARNING, "no answer to %s", exchange_name(ex));
	else if (r == -EBADMSG)
		report_once(f, HAL_LEVEL_WARNING, "bad answer to %s (CRC or framing)",
			    exchange_name(ex));
	on_answer(f, ex, r, resp);
}

static void on_link_state(void *data, bool attached, const char *why)
{
	struct rfid_feig *f = data;

	/* Maybe inside a write of ours: the kick timer sorts it out from the loop. */
	f->port_up = attached;
	f->port_changed = true;
	snprintf(f->port_why, sizeof(f->port_why), "%s", why);
	loop_timer_arm(f->base.env.loop, &f->kick, 0);
}

/* ------------------------------------------------------------ inventory round */

static void schedule_round(struct rfid_feig *f)
{
	unsigned interval = f->base.active ? f->base.active_ms : f->base.idle_ms;

	if (!f->ready || f->in_round || f->round_due || f->tick.armed || !interval)
		return;
	loop_timer_arm(f->base.env.loop, &f->tick, interval);
}

static void report_left(void *data, const struct rfid_tag *tag)
{
	struct rfid_feig *f = data;

	f->base.status.tags_in_field = (unsigned)f->field.n;
	rfid_backend_left(&f->base, tag);
}

static void round_end(struct rfid_feig *f)
{
	f->in_round = false;
	rfid_field_round_end(&f->field, report_left, f);
	f->base.status.tags_in_field = (unsigned)f->field.n;
	schedule_round(f);
	pump(f);
}

static void arrive(struct rfid_feig *f)
{
	if (!f->reading.tag.mem_len)
		f->reading.tag.block_size = 0;
	if (rfid_field_seen(&f->field, &f->reading.tag) == 1) {
		f->base.status.tags_in_field = (unsigned)f->field.n;
		rfid_backend_arrived(&f->base, &f->reading.tag);
	}
}

static void round_next_new(struct rfid_feig *f);

/* The tag is passed over this round; the next one reads it again. */
static void skip_new(struct rfid_feig *f)
{
	f->next_new++;
	round_next_new(f);
}

static void read_new_eas(struct rfid_feig *f)
{
	struct feig_request req;

	if (f->reading.tag.uid[NXP_UID_BYTE] != FEIG_MFR_NXP) {
		arrive(f);
		skip_new(f);
		return;
	}
	feig_req_nxp_eas(&req, FEIG_NXP_EAS_ALARM, f->reading.tag.uid);
	rfid_feig_send(f, EX_NEW_EAS, &req, TAG_COMMAND_MS);
}

static void read_new_blocks(struct rfid_feig *f)
{
	struct rfid_tag *t = &f->reading.tag;
	unsigned done = (unsigned)(t->mem_len / t->block_size);
	unsigned n = f->reading.blocks_wanted - done;
	struct feig_request req;

	if (!n) {
		read_new_eas(f);
		return;
	}
	if (n > rfid_feig_chunk_blocks(t->block_size, false))
		n = rfid_feig_chunk_blocks(t->block_size, false);
	feig_req_read_blocks(&req, t->uid, (uint8_t)done, (uint8_t)n);
	rfid_feig_send(f, EX_NEW_READ, &req, TAG_COMMAND_MS);
}

static void round_next_new(struct rfid_feig *f)
{
	struct feig_request req;

	while (f->next_new < f->n_round) {
		const struct feig_tag *t = &f->round[f->next_new];

		if (rfid_field_find(&f->field, t->uid) || f->field.n == RFID_FIELD_MAX) {
			f->next_new++;
			continue;
		}
		memset(&f->reading, 0, sizeof(f->reading));
		f->reading.tag.reader = f->base.status.name;
		f->reading.tag.for_items = f->base.items;
		f->reading.tag.for_patrons = f->base.patrons;
		memcpy(f->reading.tag.uid, t->uid, RFID_UID_LEN);
		f->reading.tag.has_dsfid = true;
		f->reading.tag.dsfid = t->dsfid;
		feig_req_system_info(&req, t->uid);
		rfid_feig_send(f, EX_NEW_SYSINFO, &req, TAG_COMMAND_MS);
		return;
	}
	round_end(f);
}

static void new_tag_answer(struct rfid_feig *f, enum feig_exchange ex, int r,
			   const struct feig_response *resp)
{
	struct rfid_tag *t = &f->reading.tag;
	struct feig_system_info info;
	struct feig_blocks blocks;

	if (ex == EX_NEW_EAS) {
		r = r < 0 ? r : feig_parse_eas_alarm(resp);
		t->eas = r < 0 ? RFID_EAS_UNKNOWN : r ? RFID_EAS_ON : RFID_EAS_OFF;
		arrive(f);
		skip_new(f);
		return;
	}
	if (r == 0)
		r = rfid_feig_status_result(f, ex, resp->status);
	if (r == -EIO) {
		/* the tag has no such command, or refuses a block: it is reported as far as read */
		read_new_eas(f);
		return;
	}
	if (r < 0) {
		skip_new(f); /* gone, or not heard: the next round tries again */
		return;
	}
	if (ex == EX_NEW_SYSINFO) {
		if (feig_parse_system_info(resp, &info) < 0 ||
		    memcmp(info.uid, t->uid, RFID_UID_LEN) != 0) {
			skip_new(f);
			return;
		}
		t->dsfid = info.dsfid;
		t->has_afi = true;
		t->afi = info.afi;
		if (info.block_size > RFID_BLOCK_SIZE_MAX) {
			read_new_eas(f);
			return;
		}
		t->block_size = info.block_size;
		f->reading.blocks_wanted = info.block_count;
		if (f->reading.blocks_wanted > RFID_MEM_MAX / info.block_size)
			f->reading.blocks_wanted = RFID_MEM_MAX / info.block_size;
		read_new_blocks(f);
		return;
	}
	if (feig_parse_read_blocks(resp, &blocks) < 0 || blocks.block_size != t->block_size ||
	    t->mem_len + (size_t)blocks.count * blocks.block_size >
		    (size_t)f->reading.blocks_wanted * t->block_size) {
		skip_new(f);
		return;
	}
	memcpy(t->mem + t->mem_len, blocks.data, (size_t)blocks.count * blocks.block_size);
	t->mem_len += (size_t)blocks.count * blocks.block_size;
	read_new_blocks(f);
}

/* Every tag leaves: the reader went away or stopped answering. */
static void reader_gone(struct rfid_feig *f)
{
	bool was_ready = f->ready;

	f->ready = false;
	f->in_round = false;
	f->round_due = false;
	loop_timer_disarm(f->base.env.loop, &f->tick);
	rfid_field_clear(&f->field, report_left, f);
	f->base.status.tags_in_field = 0;
	f->base.status.attached = false;
	if (was_ready)
		rfid_backend_device(&f->base);
}

static void inventory_answer(struct rfid_feig *f, int r, const struct feig_response *resp)
{
	struct feig_inventory *inv = malloc(sizeof(*inv));
	struct feig_request req;
	bool more;

	if (!inv) {
		r = -ENOMEM;
	} else if (r == 0) {
		r = feig_parse_inventory(resp, inv);
		if (r == -EPROTO)
			r = rfid_feig_status_result(f, EX_INVENTORY, resp->status);
	}
	if (r < 0) {
		free(inv);
		f->in_round = false;
		if (r == -ETIMEDOUT && ++f->silent_rounds >= SILENT_ROUNDS_MAX) {
			report_once(f, HAL_LEVEL_ERR, "the reader stopped answering");
			reader_gone(f);
			f->handshake_wait = false;
			pump(f);
			return;
		}
		schedule_round(f);
		pump(f);
		return;
	}
	f->silent_rounds = 0;
	for (size_t i = 0; i < inv->count && f->n_round < ROUND_TAGS_MAX; i++) {
		bool dup = false;

		for (size_t j = 0; j < f->n_round && !dup; j++)
			dup = memcmp(f->round[j].uid, inv->tags[i].uid, RFID_UID_LEN) == 0;
		if (!dup)
			f->round[f->n_round++] = inv->tags[i];
	}
	more = inv->more;
	free(inv);
	if (more) {
		feig_req_inventory(&req, true, NULL);
		rfid_feig_send(f, EX_INVENTORY, &req, TAG_COMMAND_MS);
		return;
	}
	/* Tags known already are seen at once; new ones once they have been read. */
	rfid_field_round_begin(&f->field);
	for (size_t i = 0; i < f->n_round; i++) {
		const struct rfid_tag *known = rfid_field_find(&f->field, f->round[i].uid);

		if (known)
			rfid_field_seen(&f->field, known);
	}
	f->next_new = 0;
	round_next_new(f);
}

static void round_start(struct rfid_feig *f)
{
	struct feig_request req;

	f->round_due = false;
	f->in_round = true;
	f->n_round = 0;
	feig_req_inventory(&req, false, NULL);
	rfid_feig_send(f, EX_INVENTORY, &req, TAG_COMMAND_MS);
}

/* ---------------------------------------------------------------- handshake */

static void handshake_failed(struct rfid_feig *f)
{
	const struct serial_settings *line = feig_link_settings(f->link);
	char settings[32];

	if (line) {
		serial_settings_name(line, settings, sizeof(settings));
		report_once(f, HAL_LEVEL_WARNING, "%s: no FEIG reader answers at %s",
			    feig_link_path(f->link), settings);
	} else {
		report_once(f, HAL_LEVEL_WARNING, "%s: the FEIG reader does not answer",
			    feig_link_path(f->link));
	}
	f->handshake_wait = true;
	loop_timer_arm(f->base.env.loop, &f->tick, HANDSHAKE_RETRY_MS);
}

static void handshake_answer(struct rfid_feig *f, enum feig_exchange ex, int r,
			     const struct feig_response *resp)
{
	struct feig_software_version v;
	struct feig_request req;

	if (ex == EX_BAUD) {
		if (r < 0 || resp->status != FEIG_OK) {
			handshake_failed(f);
			return;
		}
		feig_req_software_version(&req);
		rfid_feig_send(f, EX_VERSION, &req, HOUSEKEEPING_MS);
		return;
	}
	if (r < 0) {
		handshake_failed(f);
		return;
	}
	if (feig_parse_software_version(resp, &v) == 0)
		snprintf(f->base.status.reader, sizeof(f->base.status.reader),
			 "FEIG hw 0x%02X sw-type 0x%02X firmware %u.%02u.%02u", v.hw_type,
			 v.sw_type, v.sw_rev >> 8, v.sw_rev & 0xff, v.d_rev);
	else
		snprintf(f->base.status.reader, sizeof(f->base.status.reader),
			 "FEIG ISO host reader");
	f->ready = true;
	f->silent_rounds = 0;
	f->base.status.attached = true;
	f->base.status.last_error[0] = '\0';
	f->last_report[0] = '\0';
	hal_report(&f->base.env, HAL_LEVEL_NOTICE, "rfid %s: %s on %s", f->base.status.name,
		   f->base.status.reader, feig_link_path(f->link));
	rfid_backend_device(&f->base);
	f->round_due = true; /* the first round at once: what lies on the pad already */
	pump(f);
}

/* ---------------------------------------------------------------- the loop */

static void on_answer(struct rfid_feig *f, enum feig_exchange ex, int r,
		      const struct feig_response *resp)
{
	switch (ex) {
	case EX_BAUD:
	case EX_VERSION:
		handshake_answer(f, ex, r, resp);
		return;
	case EX_INVENTORY:
		inventory_answer(f, r, resp);
		return;
	case EX_NEW_SYSINFO:
	case EX_NEW_READ:
	case EX_NEW_EAS:
		new_tag_answer(f, ex, r, resp);
		return;
	case EX_NONE:
		return;
	default:
		rfid_feig_op_answer(f, ex, r, resp);
		pump(f);
		return;
	}
}

/* Starts what comes next, when the line is free. */
static void pump(struct rfid_feig *f)
{
	struct feig_request req;

	if (f->ex != EX_NONE || feig_link_busy(f->link) || !f->port_up || f->port_changed)
		return;
	if (f->op.pending && !f->op.finished && !f->ready) {
		rfid_feig_op_finish(f, -ENODEV);
		return;
	}
	if (!f->ready) {
		if (!f->handshake_wait) {
			feig_req_baud_detect(&req);
			rfid_feig_send(f, EX_BAUD, &req, HOUSEKEEPING_MS);
		}
		return;
	}
	if (f->in_round)
		return; /* its own answers move it on */
	if (f->op.pending && !f->op.finished) {
		rfid_feig_op_next(f);
		return;
	}
	/* Not while a finished operation's done is still to run: see on_kick(). */
	if (f->round_due && !f->op.finished)
		round_start(f);
}

static void on_tick(struct loop *loop, void *data)
{
	struct rfid_feig *f = data;

	if (f->ready)
		f->round_due = true;
	else
		f->handshake_wait = false;
	pump(f);
}

static void port_change(struct rfid_feig *f)
{
	f->port_changed = false;
	if (f->port_up) {
		snprintf(f->base.status.port, sizeof(f->base.status.port), "%s",
			 feig_link_path(f->link));
		f->handshake_wait = false;
		return;
	}
	f->ex = EX_NONE;
	feig_link_cancel(f->link);
	f->base.status.port[0] = '\0';
	if (f->ready)
		report_once(f, HAL_LEVEL_WARNING, "detached: %s", f->port_why);
	else
		report_once(f, HAL_LEVEL_INFO, "%s", f->port_why);
	reader_gone(f);
	if (f->op.pending && !f->op.finished)
		rfid_feig_op_finish(f, -ENODEV);
}

static void on_kick(struct loop *loop, void *data)
{
	struct rfid_feig *f = data;
	struct feig_op done;

	if (f->port_changed)
		port_change(f);
	if (f->send_failed) {
		enum feig_exchange ex = f->ex;

		f->send_failed = false;
		f->ex = EX_NONE;
		if (ex != EX_NONE)
			on_answer(f, ex, -EIO, NULL);
	}
	pump(f);
	if (!f->op.finished)
		return;
	/* Last: done may start another operation, or close the reader. */
	done = f->op;
	memset(&f->op, 0, sizeof(f->op));
	if (done.reply.data)
		done.reply.data = done.req.bytes;
	/*
	 * A due round waits a pass for the operation done usually asks for (a
	 * stack's writes follow each other): an inventory of the whole stack
	 * between them would hold the stack up. With none asked, it starts then.
	 */
	if (f->round_due && !f->in_round)
		loop_timer_arm(loop, &f->kick, 0);
	else
		pump(f);
	if (done.req.done)
		done.req.done(done.req.data, &done.reply);
}

static void rfid_feig_set_active(void *handle, bool active)
{
	struct rfid_feig *f = handle;

	if (!rfid_backend_set_active(&f->base, active))
		return;
	if (!f->ready)
		return; /* the tick times the handshake's retries */
	/* The next round at the new pace, counted from now. */
	loop_timer_disarm(f->base.env.loop, &f->tick);
	schedule_round(f);
}

static int rfid_feig_open(const struct hal_env *env, const struct board *board,
			  const struct board_rfid *def, const struct rfid_events *events,
			  void *data, void **ret, struct file_error *err)
{
	static const struct feig_link_events link_events = {
		.answer = on_link_answer,
		.state = on_link_state,
	};
	struct rfid_feig *f;
	int r;

	f = calloc(1, sizeof(*f));
	if (!f) {
		r = -ENOMEM;
		goto err;
	}
	rfid_backend_init(&f->base, env, rfid_feig_ops.name, def, events, data);
	loop_timer_init(&f->tick, on_tick, f);
	loop_timer_init(&f->kick, on_kick, f);
	/* last: it may report the port's state at once, which arms the kick */
	r = feig_link_open(env, def, &feig_defaults, &link_events, f, &f->link);
	if (r < 0)
		goto err_free;
	*ret = f;
	return 0;

err_free:
	free(f);
err:
	file_error_set(err, board->path, def->src_line, "[rfid %s]: %s", def->name, strerror(-r));
	return r;
}

static void rfid_feig_close(void *handle)
{
	struct rfid_feig *f = handle;

	if (!f)
		return;
	feig_link_free(f->link);
	loop_timer_disarm(f->base.env.loop, &f->tick);
	loop_timer_disarm(f->base.env.loop, &f->kick);
	free(f);
}

const struct rfid_ops rfid_feig_ops = {
	.name = "feig",
	.open = rfid_feig_open,
	.close = rfid_feig_close,
	.set_active = rfid_feig_set_active,
	.submit = rfid_feig_submit,
	.status = rfid_backend_status,
};
