/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The simulated RFID reader: tags are laid on it and taken off through the
 * sim channel ("tag <reader> place|remove|fault", hal/sim.h), each with its
 * memory, which circd's writes change; every write is broadcast as an
 * "rfid <uid> ..." event for tests to assert on.
 *
 * It keeps the rules of rfid.h on its loop's clock: inventory rounds every
 * inventory_ms while active, idle_inventory_ms otherwise, the shared debounce
 * of rfid-field.c, operations completing SIM_OP_MS after they start. Rounds
 * that could change nothing (the pad as the field last saw it, no tag in its
 * debounce) are skipped, so an idle sim board wakes no one: the idle
 * benchmark counts loop wakeups.
 */
#include "rfid.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rfid-backend.h"
#include "rfid-field.h"
#include "sim.h"

#define SIM_OP_MS 10 /* a write of a few blocks on a real reader takes about this */

struct rfid_sim {
	struct rfid_backend base; /* first: rfid_backend_status() reads it */
	struct sim_channel *sim;
	struct sim_tag pad[RFID_FIELD_MAX]; /* what lies on the pad now */
	size_t n_pad;
	struct rfid_field field;            /* what circd has been told */
	struct loop_timer inventory;
	enum sim_tag_fault fault;           /* for the next operation, or miss: the next round */
	struct rfid_request op;              /* the operation in hand, while op_busy */
	bool op_busy;
	struct loop_timer op_timer;
};

static struct sim_tag *pad_find(struct rfid_sim *s, const uint8_t uid[RFID_UID_LEN])
{
	for (size_t i = 0; i < s->n_pad; i++)
		if (memcmp(s->pad[i].uid, uid, RFID_UID_LEN) == 0)
			return &s->pad[i];
	return NULL;
}

static void pad_remove(struct rfid_sim *s, struct sim_tag *t)
{
	size_t i = (size_t)(t - s->pad);

	memmove(t, t + 1, (s->n_pad - i - 1) * sizeof(*t));
	s->n_pad--;
}

/* Whether a round now could report anything. */
static bool round_needed(struct rfid_sim *s)
{
	if (s->fault == SIM_FAULT_MISS)
		return true;
	for (size_t i = 0; i < s->n_pad; i++)
		if (!rfid_field_find(&s->field, s->pad[i].uid))
			return true;
	for (size_t i = 0; i < s->field.n; i++)
		if (!pad_find(s, s->field.tags[i].tag.uid))
			return true;
	return false;
}

static void schedule_round(struct rfid_sim *s)
{
	unsigned interval = s->base.active ? s->base.active_ms : s->base.idle_ms;

	if (s->inventory.armed || !interval || !round_needed(s))
		return;
	loop_timer_arm(s->base.env.loop, &s->inventory, interval);
}

static void tag_from_sim(const struct rfid_sim *s, const struct sim_tag *t, struct rfid_tag *out)
{
	memset(out, 0, sizeof(*out));
	out->reader = s->base.status.name;
	out->for_items = s->base.items;
	out->for_patrons = s->base.patrons;
	memcpy(out->uid, t->uid, RFID_UID_LEN);
	out->has_dsfid = out->has_afi = true;
	out->dsfid = t->dsfid;
	out->afi = t->afi;
	out->eas = t->eas ? RFID_EAS_ON : RFID_EAS_OFF;
	out->block_size = t->block_size;
	out->mem_len = t->mem_len < RFID_MEM_MAX ? t->mem_len : RFID_MEM_MAX;
	memcpy(out->mem, t->mem, out->mem_len);
}

static void on_inventory(struct loop *loop, void *data)
{
	struct rfid_sim *s = data;
	bool miss = s->fault == SIM_FAULT_MISS;

	if (miss)
		s->fault = SIM_FAULT_NONE;
	rfid_field_round_begin(&s->field);
	for (size_t i = 0; !miss && i < s->n_pad; i++) {
		struct rfid_tag tag;

		tag_from_sim(s, &s->pad[i], &tag);
		if (rfid_field_seen(&s->field, &tag) == 1) {
			rfid_backend_arrived(&s->base, &tag);
		}
	}
	rfid_field_round_end(&s->field, rfid_backend_left, &s->base);
	s->base.status.tags_in_field = (unsigned)s->field.n;
	schedule_round(s);
}

static int place(struct rfid_sim *s, const struct sim_tag *tag)
{
	struct sim_tag *t = pad_find(s, tag->uid);

	if (!t) {
		if (s->n_pad == RFID_FIELD_MAX)
			return -ENOSPC;
		t = &s->pad[s->n_pad++];
	}
	*t = *tag;
	return 0;
}

static bool serves(const struct rfid_sim *s, const char *target)
{
	if (strcmp(target, s->base.status.name) == 0)
		return true;
	switch (board_role_from_name(target)) {
	case ROLE_ITEM_PAD:
		return s->base.items;
	case ROLE_PATRON_READER:
		return s->base.patrons;
	default:
		return false;
	}
}

static int on_tag_command(void *data, const struct sim_command *cmd)
{
	struct rfid_sim *s = data;
	struct sim_tag *t;
	int r = 0;

	if (!serves(s, cmd->target))
		return -ENOENT; /* another reader's, or no one's */
	switch (cmd->tag_action) {
	case SIM_TAG_PLACE:
		r = place(s, &cmd->tag);
		break;
	case SIM_TAG_REMOVE:
		t = pad_find(s, cmd->tag.uid);
		if (!t)
			return -ESRCH;
		pad_remove(s, t);
		break;
	case SIM_TAG_FAULT:
		s->fault = cmd->fault;
		break;
	}
	schedule_round(s);
	return r;
}

static void emit_hex(struct rfid_sim *s, const char *uid, unsigned block, const uint8_t *bytes,
		     size_t len)
{
	char hex[2 * RFID_MEM_MAX + 1];

	for (size_t i = 0; i < len; i++)
		snprintf(hex + 2 * i, 3, "%02X", bytes[i]);
	hex[2 * len] = '\0';
	sim_channel_emit(s->sim, "rfid %s write %u %s", uid, block, hex);
}

/* Writes what op asks of t, up to max_blocks blocks of it, and tells the sim channel. */
static void apply(struct rfid_sim *s, const struct rfid_request *op, struct sim_tag *t,
		  unsigned max_blocks)
{
	char uid[RFID_UID_HEX_LEN + 1];
	size_t len = op->len;

	rfid_uid_format(t->uid, uid);
	switch (op->op) {
	case RFID_OP_WRITE_BLOCKS:
		if (len > (size_t)max_blocks * t->block_size)
			len = (size_t)max_blocks * t->block_size;
		memcpy(t->mem + (size_t)op->first_block * t->block_size, op->bytes, len);
		emit_hex(s, uid, op->first_block, op->bytes, len);
		break;
	case RFID_OP_WRITE_AFI:
		t->afi = op->afi;
		sim_channel_emit(s->sim, "rfid %s afi 0x%02X", uid, op->afi);
		break;
	case RFID_OP_SET_EAS:
		t->eas = op->eas_on;
		sim_channel_emit(s->sim, "rfid %s eas %d", uid, op->eas_on);
		break;
	case RFID_OP_READ_BLOCKS:
	case RFID_OP_READ_STATE:
		break;
	}
}

/* Whether the blocks op reads or writes are on t (which may have been replaced since). */
static bool blocks_fit(const struct rfid_request *op, const struct sim_tag *t)
{
	size_t end;

	if (op->op != RFID_OP_READ_BLOCKS && op->op != RFID_OP_WRITE_BLOCKS)
		return true;
	if (op->op == RFID_OP_WRITE_BLOCKS && op->len % t->block_size)
		return false;
	end = (size_t)op->first_block * t->block_size +
	      (op->op == RFID_OP_READ_BLOCKS ? (size_t)op->n_blocks * t->block_size : op->len);
	return op->first_block < RFID_MEM_MAX && end <= t->mem_len && end <= RFID_MEM_MAX;
}

static void on_op_done(struct loop *loop, void *data)
{
	struct rfid_sim *s = data;
	struct rfid_request op = s->op;
	struct rfid_reply reply = { .op = op.op, .first_block = op.first_block };
	enum sim_tag_fault fault = s->fault == SIM_FAULT_MISS ? SIM_FAULT_NONE : s->fault;
	struct sim_tag *t = pad_find(s, op.uid);
	uint8_t read[RFID_MEM_MAX];

	s->op_busy = false;
	if (fault != SIM_FAULT_NONE)
		s->fault = SIM_FAULT_NONE;
	memcpy(reply.uid, op.uid, RFID_UID_LEN);
	if (!t) {
		reply.result = -ENODEV;
	} else if (!blocks_fit(&op, t)) {
		reply.result = -EIO; /* as a tag answers for blocks it does not have */
	} else if (fault == SIM_FAULT_LEAVE) {
		apply(s, &op, t, 1);
		pad_remove(s, t);
		schedule_round(s);
		reply.result = -ENODEV;
	} else if (fault == SIM_FAULT_REFUSE && op.op != RFID_OP_READ_BLOCKS &&
		   op.op != RFID_OP_READ_STATE) {
		reply.result = -EIO;
	} else if (fault == SIM_FAULT_CRC) {
		apply(s, &op, t, ~0u);
		reply.result = -EBADMSG;
	} else if (fault == SIM_FAULT_TIMEOUT) {
		reply.result = -ETIMEDOUT;
	} else {
		reply.block_size = t->block_size;
		if (op.op == RFID_OP_READ_BLOCKS) {
			reply.len = (size_t)op.n_blocks * t->block_size;
			memcpy(read, t->mem + (size_t)op.first_block * t->block_size, reply.len);
			reply.data = read;
		}
		apply(s, &op, t, ~0u);
		if (op.op == RFID_OP_READ_STATE) {
			reply.has_afi = true;
			reply.afi = t->afi;
			reply.eas = t->eas ? RFID_EAS_ON : RFID_EAS_OFF;
		}
	}
	rfid_backend_op_ended(&s->base, &op, reply.result);
	/* Last: done may start the next operation, or close the reader. */
	if (op.done)
		op.done(op.data, &reply);
}

/* Checks what can be checked at once and starts req; the tag is looked for when it completes. */
static int rfid_sim_submit(void *handle, const struct rfid_request *req)
{
	struct rfid_sim *s = handle;
	const struct sim_tag *t = pad_find(s, req->uid);

	if (req->op == RFID_OP_WRITE_BLOCKS && t && req->len % t->block_size)
		return -EINVAL;
	if (s->op_busy)
		return -EBUSY;
	if (req->op == RFID_OP_READ_BLOCKS && !req->n_blocks)
		return -EINVAL;
	if (t && !blocks_fit(req, t))
		return -EINVAL;
	s->op = *req;
	s->op_busy = true;
	loop_timer_arm(s->base.env.loop, &s->op_timer, SIM_OP_MS);
	return 0;
}

static void rfid_sim_set_active(void *handle, bool active)
{
	struct rfid_sim *s = handle;

	if (!rfid_backend_set_active(&s->base, active))
		return;
	/* The next round at the new pace, counted from now. */
	loop_timer_disarm(s->base.env.loop, &s->inventory);
	schedule_round(s);
}

static int rfid_sim_open(const struct hal_env *env, const struct board *board,
			 const struct board_rfid *def, const struct rfid_events *events, void *data,
			 void **ret, struct file_error *err)
{
	struct sim_channel *sim = sim_channel_get(env);
	struct rfid_sim *s;
	int r;

	if (!sim) {
		file_error_set(err, board->path, def->src_line,
			       "[rfid %s] protocol = sim needs the sim channel", def->name);
		return -EINVAL;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		file_error_set(err, board->path, def->src_line, "[rfid %s]: out of memory",
			       def->name);
		return -ENOMEM;
	}
	rfid_backend_init(&s->base, env, rfid_sim_ops.name, def, events, data);
	s->sim = sim;
	s->base.status.attached = true;
	snprintf(s->base.status.reader, sizeof(s->base.status.reader), "circd simulated pad");
	snprintf(s->base.status.port, sizeof(s->base.status.port), "sim");
	loop_timer_init(&s->inventory, on_inventory, s);
	loop_timer_init(&s->op_timer, on_op_done, s);
	r = sim_channel_add(sim, SIM_CMD_TAG, on_tag_command, s);
	if (r < 0) {
		file_error_set(err, board->path, def->src_line,
			       "[rfid %s]: too many simulated readers", def->name);
		goto err_free;
	}
	*ret = s;
	return 0;

err_free:
	free(s);
	return r;
}

static void rfid_sim_close(void *handle)
{
	struct rfid_sim *s = handle;

	if (!s)
		return;
	sim_channel_remove(s->sim, SIM_CMD_TAG, on_tag_command, s);
	loop_timer_disarm(s->base.env.loop, &s->inventory);
	loop_timer_disarm(s->base.env.loop, &s->op_timer);
	free(s);
}

const struct rfid_ops rfid_sim_ops = {
	.name = "sim",
	.open = rfid_sim_open,
	.close = rfid_sim_close,
	.set_active = rfid_sim_set_active,
	.submit = rfid_sim_submit,
	.status = rfid_backend_status,
};
