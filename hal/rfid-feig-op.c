/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The FEIG backend's operations on one tag (rfid.h): read and write blocks,
 * write AFI, set EAS, read state. One at a time; each waits for the line
 * (rfid-feig.c runs it after the round under way) and ends in
 * rfid_feig_op_finish(), whose done callback the kick timer delivers.
 *
 * Blocks go in chunks that fit a standard frame. A tag in the field has
 * its block size known from its arrival; for another, system information
 * is asked first, which also says whether it is there at all.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "rfid-feig-private.h"

static const char *op_name(enum rfid_op op)
{
	static const char *const names[] = {
		[RFID_OP_READ_BLOCKS] = "read blocks", [RFID_OP_WRITE_BLOCKS] = "write blocks",
		[RFID_OP_WRITE_AFI] = "write AFI",     [RFID_OP_SET_EAS] = "set EAS",
		[RFID_OP_READ_STATE] = "read state",
	};

	return names[op];
}

/* The result is final: done runs from the kick timer. */
void rfid_feig_op_finish(struct rfid_feig *f, int result)
{
	struct feig_op *op = &f->op;

	op->finished = true;
	op->reply.op = op->op;
	op->reply.result = result;
	memcpy(op->reply.uid, op->uid, RFID_UID_LEN);
	op->reply.first_block = op->first_block;
	op->reply.block_size = op->block_size;
	if (result == 0 && op->op == RFID_OP_READ_BLOCKS) {
		op->reply.data = op->bytes;
		op->reply.len = (size_t)op->n_blocks * op->block_size;
	}
	f->status.ops++;
	if (result < 0) {
		char uid[RFID_UID_HEX_LEN + 1];

		rfid_uid_format(op->uid, uid);
		f->status.ops_failed++;
		snprintf(f->status.last_error, sizeof(f->status.last_error), "%s on %s: %s",
			 op_name(op->op), uid, strerror(-result));
	}
	loop_timer_arm(f->env.loop, &f->kick, 0);
}

void rfid_feig_op_next(struct rfid_feig *f)
{
	struct feig_op *op = &f->op;
	struct feig_request req;
	unsigned n;

	if ((op->op == RFID_OP_READ_BLOCKS || op->op == RFID_OP_WRITE_BLOCKS ||
	     op->op == RFID_OP_READ_STATE) && !op->block_size) {
		feig_req_system_info(&req, op->uid);
		rfid_feig_send(f, EX_OP_SYSINFO, &req, TAG_COMMAND_MS);
		return;
	}
	switch (op->op) {
	case RFID_OP_READ_BLOCKS:
	case RFID_OP_WRITE_BLOCKS:
		if (op->blocks_done == op->n_blocks) {
			rfid_feig_op_finish(f, 0);
			return;
		}
		n = op->n_blocks - op->blocks_done;
		if (n > rfid_feig_chunk_blocks(op->block_size, op->op == RFID_OP_WRITE_BLOCKS))
			n = rfid_feig_chunk_blocks(op->block_size, op->op == RFID_OP_WRITE_BLOCKS);
		if (op->op == RFID_OP_READ_BLOCKS) {
			feig_req_read_blocks(&req, op->uid,
					     (uint8_t)(op->first_block + op->blocks_done),
					     (uint8_t)n);
			rfid_feig_send(f, EX_OP_READ, &req, TAG_COMMAND_MS);
		} else {
			feig_req_write_blocks(&req, op->uid,
					      (uint8_t)(op->first_block + op->blocks_done),
					      (uint8_t)n, (uint8_t)op->block_size,
					      op->bytes + (size_t)op->blocks_done * op->block_size);
			rfid_feig_send(f, EX_OP_WRITE, &req, TAG_COMMAND_MS);
		}
		return;
	case RFID_OP_WRITE_AFI:
		feig_req_write_afi(&req, op->uid, op->afi);
		rfid_feig_send(f, EX_OP_AFI, &req, TAG_COMMAND_MS);
		return;
	case RFID_OP_SET_EAS:
		feig_req_nxp_eas(&req, op->eas_on ? FEIG_NXP_SET_EAS : FEIG_NXP_RESET_EAS,
				 op->uid);
		rfid_feig_send(f, EX_OP_EAS_SET, &req, TAG_COMMAND_MS);
		return;
	case RFID_OP_READ_STATE:
		if (op->uid[NXP_UID_BYTE] != FEIG_MFR_NXP) {
			rfid_feig_op_finish(f, 0); /* only NXP's tags say what their EAS is */
			return;
		}
		feig_req_nxp_eas(&req, FEIG_NXP_EAS_ALARM, op->uid);
		rfid_feig_send(f, EX_OP_EAS_ALARM, &req, TAG_COMMAND_MS);
		return;
	}
}

static void op_system_info(struct rfid_feig *f, const struct feig_response *resp)
{
	struct feig_op *op = &f->op;
	struct feig_system_info info;

	if (feig_parse_system_info(resp, &info) < 0 ||
	    memcmp(info.uid, op->uid, RFID_UID_LEN) != 0) {
		rfid_feig_op_finish(f, -EBADMSG);
		return;
	}
	op->block_size = info.block_size;
	op->block_count = info.block_count;
	op->reply.has_afi = true;
	op->reply.afi = info.afi;
	if (op->op == RFID_OP_READ_STATE) {
		rfid_feig_op_next(f);
		return;
	}
	/* The blocks asked for are not on this tag: it answers so for them too. */
	if (op->op == RFID_OP_WRITE_BLOCKS) {
		if (op->len % op->block_size) {
			rfid_feig_op_finish(f, -EIO);
			return;
		}
		op->n_blocks = (unsigned)(op->len / op->block_size);
	}
	if (op->first_block + op->n_blocks > op->block_count ||
	    (size_t)op->n_blocks * op->block_size > RFID_MEM_MAX) {
		rfid_feig_op_finish(f, -EIO);
		return;
	}
	op->reply.has_afi = false;
	rfid_feig_op_next(f);
}

void rfid_feig_op_answer(struct rfid_feig *f, enum feig_exchange ex, int r,
			 const struct feig_response *resp)
{
	struct feig_op *op = &f->op;
	struct feig_blocks blocks;
	unsigned asked;

	if (r == 0 && ex == EX_OP_EAS_ALARM) {
		/* the alarm is the tag's answer: none (0x01) is EAS off, as the tag is there */
		r = feig_parse_eas_alarm(resp);
		if (r >= 0) {
			op->reply.eas = r ? RFID_EAS_ON : RFID_EAS_OFF;
			rfid_feig_op_finish(f, 0);
			return;
		}
	}
	if (r == 0)
		r = rfid_feig_status_result(f, ex, resp->status);
	if (r < 0) {
		rfid_feig_op_finish(f, r);
		return;
	}
	switch (ex) {
	case EX_OP_SYSINFO:
		op_system_info(f, resp);
		return;
	case EX_OP_READ:
		asked = op->n_blocks - op->blocks_done;
		if (asked > rfid_feig_chunk_blocks(op->block_size, false))
			asked = rfid_feig_chunk_blocks(op->block_size, false);
		if (feig_parse_read_blocks(resp, &blocks) < 0 || blocks.count != asked ||
		    blocks.block_size != op->block_size) {
			rfid_feig_op_finish(f, -EBADMSG);
			return;
		}
		memcpy(op->bytes + (size_t)op->blocks_done * op->block_size, blocks.data,
		       (size_t)asked * op->block_size);
		op->blocks_done += asked;
		rfid_feig_op_next(f);
		return;
	case EX_OP_WRITE:
		asked = op->n_blocks - op->blocks_done;
		if (asked > rfid_feig_chunk_blocks(op->block_size, true))
			asked = rfid_feig_chunk_blocks(op->block_size, true);
		op->blocks_done += asked;
		rfid_feig_op_next(f);
		return;
	default:
		rfid_feig_op_finish(f, 0);
		return;
	}
}

/* Checks what can be checked now; the rest when the tag answers. */
static int op_start(struct rfid_feig *f, const struct feig_op *op)
{
	const struct rfid_tag *known = rfid_field_find(&f->field, op->uid);

	if (f->op.pending)
		return -EBUSY;
	f->op = *op;
	f->op.pending = true;
	if (known && known->block_size &&
	    (op->op == RFID_OP_READ_BLOCKS || op->op == RFID_OP_WRITE_BLOCKS)) {
		/* a tag in the field: its size is known, and the request is checked against it */
		f->op.block_size = known->block_size;
		f->op.block_count = 256;
		if (op->op == RFID_OP_WRITE_BLOCKS)
			f->op.n_blocks = (unsigned)(op->len / known->block_size);
	}
	loop_timer_arm(f->env.loop, &f->kick, 0);
	return 0;
}

int rfid_feig_read_blocks(void *handle, const uint8_t uid[RFID_UID_LEN],
				 unsigned first_block, unsigned n_blocks, rfid_done_fn done,
				 void *data)
{
	struct rfid_feig *f = handle;
	const struct rfid_tag *known = rfid_field_find(&f->field, uid);
	struct feig_op op = { .op = RFID_OP_READ_BLOCKS, .first_block = first_block,
			      .n_blocks = n_blocks, .done = done, .data = data };

	if (!n_blocks || first_block + n_blocks > 256 || n_blocks > RFID_MEM_MAX ||
	    (known && (size_t)n_blocks * known->block_size > RFID_MEM_MAX))
		return -EINVAL;
	memcpy(op.uid, uid, RFID_UID_LEN);
	return op_start(f, &op);
}

int rfid_feig_write_blocks(void *handle, const uint8_t uid[RFID_UID_LEN],
				  unsigned first_block, const uint8_t *bytes, size_t len,
				  rfid_done_fn done, void *data)
{
	struct rfid_feig *f = handle;
	const struct rfid_tag *known = rfid_field_find(&f->field, uid);
	struct feig_op op = { .op = RFID_OP_WRITE_BLOCKS, .first_block = first_block,
			      .len = len, .done = done, .data = data };

	if (!bytes || !len || len > RFID_MEM_MAX || first_block > 255 ||
	    (known && known->block_size && len % known->block_size))
		return -EINVAL;
	memcpy(op.uid, uid, RFID_UID_LEN);
	memcpy(op.bytes, bytes, len);
	return op_start(f, &op);
}

int rfid_feig_write_afi(void *handle, const uint8_t uid[RFID_UID_LEN], uint8_t afi,
			       rfid_done_fn done, void *data)
{
	struct feig_op op = { .op = RFID_OP_WRITE_AFI, .afi = afi, .done = done, .data = data };

	memcpy(op.uid, uid, RFID_UID_LEN);
	return op_start(handle, &op);
}

int rfid_feig_set_eas(void *handle, const uint8_t uid[RFID_UID_LEN], bool on,
			     rfid_done_fn done, void *data)
{
	struct feig_op op = { .op = RFID_OP_SET_EAS, .eas_on = on, .done = done, .data = data };

	memcpy(op.uid, uid, RFID_UID_LEN);
	return op_start(handle, &op);
}

int rfid_feig_read_state(void *handle, const uint8_t uid[RFID_UID_LEN],
				rfid_done_fn done, void *data)
{
	struct feig_op op = { .op = RFID_OP_READ_STATE, .done = done, .data = data };

	memcpy(op.uid, uid, RFID_UID_LEN);
	return op_start(handle, &op);
}
