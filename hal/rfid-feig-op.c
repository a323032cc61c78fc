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

/* The result is final: done runs from the kick timer. */
void rfid_feig_op_finish(struct rfid_feig *f, int result)
{
	struct feig_op *op = &f->op;

	op->finished = true;
	op->reply.op = op->req.op;
	op->reply.result = result;
	memcpy(op->reply.uid, op->req.uid, RFID_UID_LEN);
	op->reply.first_block = op->req.first_block;
	op->reply.block_size = op->block_size;
	if (result == 0 && op->req.op == RFID_OP_READ_BLOCKS) {
		op->reply.data = op->req.bytes;
		op->reply.len = (size_t)op->req.n_blocks * op->block_size;
	}
	rfid_backend_op_ended(&f->base, &op->req, result);
	loop_timer_arm(f->base.env.loop, &f->kick, 0);
}

void rfid_feig_op_next(struct rfid_feig *f)
{
	struct feig_op *op = &f->op;
	bool write = op->req.op == RFID_OP_WRITE_BLOCKS;
	struct feig_request req;
	unsigned n, at;

	if ((op->req.op == RFID_OP_READ_BLOCKS || op->req.op == RFID_OP_WRITE_BLOCKS ||
	     op->req.op == RFID_OP_READ_STATE) && !op->block_size) {
		feig_req_system_info(&req, op->req.uid);
		rfid_feig_send(f, EX_OP_SYSINFO, &req, TAG_COMMAND_MS);
		return;
	}
	switch (op->req.op) {
	case RFID_OP_READ_BLOCKS:
	case RFID_OP_WRITE_BLOCKS:
		if (op->blocks_done == op->req.n_blocks) {
			rfid_feig_op_finish(f, 0);
			return;
		}
		n = op->req.n_blocks - op->blocks_done;
		if (n > rfid_feig_chunk_blocks(op->block_size, write))
			n = rfid_feig_chunk_blocks(op->block_size, write);
		at = op->req.first_block + op->blocks_done;
		if (!write) {
			feig_req_read_blocks(&req, op->req.uid, (uint8_t)at, (uint8_t)n);
			rfid_feig_send(f, EX_OP_READ, &req, TAG_COMMAND_MS);
		} else {
			const uint8_t *from =
				op->req.bytes + (size_t)op->blocks_done * op->block_size;

			feig_req_write_blocks(&req, op->req.uid, (uint8_t)at, (uint8_t)n,
					      (uint8_t)op->block_size, from);
			rfid_feig_send(f, EX_OP_WRITE, &req, TAG_COMMAND_MS);
		}
		return;
	case RFID_OP_WRITE_AFI:
		feig_req_write_afi(&req, op->req.uid, op->req.afi);
		rfid_feig_send(f, EX_OP_AFI, &req, TAG_COMMAND_MS);
		return;
	case RFID_OP_SET_EAS:
		feig_req_nxp_eas(&req, op->req.eas_on ? FEIG_NXP_SET_EAS : FEIG_NXP_RESET_EAS,
				 op->req.uid);
		rfid_feig_send(f, EX_OP_EAS_SET, &req, TAG_COMMAND_MS);
		return;
	case RFID_OP_READ_STATE:
		if (op->req.uid[NXP_UID_BYTE] != FEIG_MFR_NXP) {
			rfid_feig_op_finish(f, 0); /* only NXP's tags say what their EAS is */
			return;
		}
		feig_req_nxp_eas(&req, FEIG_NXP_EAS_ALARM, op->req.uid);
		rfid_feig_send(f, EX_OP_EAS_ALARM, &req, TAG_COMMAND_MS);
		return;
	}
}

static void op_system_info(struct rfid_feig *f, const struct feig_response *resp)
{
	struct feig_op *op = &f->op;
	struct feig_system_info info;

	if (feig_parse_system_info(resp, &info) < 0 ||
	    memcmp(info.uid, op->req.uid, RFID_UID_LEN) != 0) {
		rfid_feig_op_finish(f, -EBADMSG);
		return;
	}
	op->block_size = info.block_size;
	op->block_count = info.block_count;
	op->reply.has_afi = true;
	op->reply.afi = info.afi;
	if (op->req.op == RFID_OP_READ_STATE) {
		rfid_feig_op_next(f);
		return;
	}
	/* The blocks asked for are not on this tag: it answers so for them too. */
	if (op->req.op == RFID_OP_WRITE_BLOCKS) {
		if (op->req.len % op->block_size) {
			rfid_feig_op_finish(f, -EIO);
			return;
		}
		op->req.n_blocks = (unsigned)(op->req.len / op->block_size);
	}
	if (op->req.first_block + op->req.n_blocks > op->block_count ||
	    (size_t)op->req.n_blocks * op->block_size > RFID_MEM_MAX) {
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
		asked = op->req.n_blocks - op->blocks_done;
		if (asked > rfid_feig_chunk_blocks(op->block_size, false))
			asked = rfid_feig_chunk_blocks(op->block_size, false);
		if (feig_parse_read_blocks(resp, &blocks) < 0 || blocks.count != asked ||
		    blocks.block_size != op->block_size) {
			rfid_feig_op_finish(f, -EBADMSG);
			return;
		}
		memcpy(op->req.bytes + (size_t)op->blocks_done * op->block_size, blocks.data,
		       (size_t)asked * op->block_size);
		op->blocks_done += asked;
		rfid_feig_op_next(f);
		return;
	case EX_OP_WRITE:
		asked = op->req.n_blocks - op->blocks_done;
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
int rfid_feig_submit(void *handle, const struct rfid_request *req)
{
	struct rfid_feig *f = handle;
	const struct rfid_tag *known = rfid_field_find(&f->field, req->uid);
	unsigned size = known ? known->block_size : 0;

	switch (req->op) {
	case RFID_OP_READ_BLOCKS:
		if (!req->n_blocks || req->first_block + req->n_blocks > 256 ||
		    req->n_blocks > RFID_MEM_MAX || (size_t)req->n_blocks * size > RFID_MEM_MAX)
			return -EINVAL;
		break;
	case RFID_OP_WRITE_BLOCKS:
		if (req->first_block > 255 || (size && req->len % size))
			return -EINVAL;
		break;
	default:
		break;
	}
	if (f->op.pending)
		return -EBUSY;
	memset(&f->op, 0, sizeof(f->op));
	f->op.req = *req;
	f->op.pending = true;
	if (size && (req->op == RFID_OP_READ_BLOCKS || req->op == RFID_OP_WRITE_BLOCKS)) {
		/* a tag in the field: its size is known, and the request is checked against it */
		f->op.block_size = size;
		f->op.block_count = 256;
		if (req->op == RFID_OP_WRITE_BLOCKS)
			f->op.req.n_blocks = (unsigned)(req->len / size);
	}
	loop_timer_arm(f->base.env.loop, &f->kick, 0);
	return 0;
}
