/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The layout follows the frames captured from a real 810 pad and published
 * with Biblio-RFID (Dobrica Pavlinusic: lib/Biblio/RFID/Reader/3M810.pm and
 * the 3m-810.pl capture script); tests/unit/test_m3_frame.c checks against
 * them. Bytes those captures always show with one value and nobody has
 * explained are sent as captured and never relied on in answers.
 */
#include "m3-frame.h"

#include <errno.h>
#include <string.h>


/* Arguments the public driver sends with the version probe and the inventory. */
static const uint8_t version_args[] = { 0x00, 0x11 };
static const uint8_t inventory_args[] = { 0x00, 0x05 };
/* Sent by the public driver right after the version probe; its meaning is not documented. */
static const uint8_t rf_setup_args[] = { 0x04, 0x01, 0x00, 0x02, 0x00, 0x03, 0x00, 0x04, 0x00 };
static const char unknown_command[] = "unknown";

uint16_t m3_crc(const uint8_t *p, size_t n)
{
	uint16_t crc = 0xFFFF;

	for (size_t i = 0; i < n; i++) {
		crc ^= (uint16_t)(p[i] << 8);
		for (int bit = 0; bit < 8; bit++)
			crc = crc & 0x8000 ? (uint16_t)((crc << 1) ^ 0x1021) : (uint16_t)(crc << 1);
	}
	return crc ^ 0xFFFF;
}

static bool is_start(uint8_t b)
{
	return b == M3_START || b == M3_START_SYSTEM;
}

static uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

int m3_frame_encode(uint8_t start, uint8_t cmd, const uint8_t *body, size_t body_len,
		    uint8_t *out, size_t out_size)
{
	size_t length = 1 + body_len + 2;
	uint16_t crc;

	if (!is_start(start) || body_len > M3_BODY_MAX || (!body && body_len) || !out)
		return -EINVAL;
	if (out_size < 3 + length)
		return -ENOSPC;
	out[0] = start;
	out[1] = (uint8_t)(length >> 8);
	out[2] = (uint8_t)length;
	out[3] = cmd;
	if (body_len)
		memcpy(out + M3_HEADER_LEN, body, body_len);
	crc = m3_crc(out + 1, 3 + body_len);
	out[M3_HEADER_LEN + body_len] = (uint8_t)(crc >> 8);
	out[M3_HEADER_LEN + body_len + 1] = (uint8_t)crc;
	return (int)(3 + length);
}

static bool length_possible(uint16_t length)
{
	return length >= 3 && length <= M3_LENGTH_MAX;
}

int m3_frame_decode(const uint8_t *buf, size_t len, struct m3_frame *ret)
{
	uint16_t length;

	if (!buf || !ret || len < M3_OVERHEAD || !is_start(buf[0]))
		return -EINVAL;
	length = get_be16(buf + 1);
	if (!length_possible(length) || len != 3u + length)
		return -EINVAL;
	if (m3_crc(buf + 1, len - 3) != get_be16(buf + len - 2))
		return -EBADMSG;
	ret->start = buf[0];
	ret->cmd = buf[3];
	ret->body = buf + M3_HEADER_LEN;
	ret->body_len = len - M3_OVERHEAD;
	return 0;
}

int m3_encode_version(uint8_t *out, size_t out_size)
{
	return m3_frame_encode(M3_START_SYSTEM, M3_CMD_VERSION, version_args,
			       sizeof(version_args), out, out_size);
}

int m3_encode_rf_setup(uint8_t *out, size_t out_size)
{
	return m3_frame_encode(M3_START, M3_CMD_RF_SETUP, rf_setup_args, sizeof(rf_setup_args),
			       out, out_size);
}

int m3_encode_inventory(uint8_t *out, size_t out_size)
{
	return m3_frame_encode(M3_START, M3_CMD_INVENTORY, inventory_args,
			       sizeof(inventory_args), out, out_size);
}

int m3_encode_read_blocks(const uint8_t uid[M3_UID_LEN], uint8_t first, uint8_t count,
			  uint8_t *out, size_t out_size)
{
	uint8_t body[M3_UID_LEN + 2];

	if (!uid || count == 0)
		return -EINVAL;
	memcpy(body, uid, M3_UID_LEN);
	body[M3_UID_LEN] = first;
	body[M3_UID_LEN + 1] = count;
	return m3_frame_encode(M3_START, M3_CMD_READ_BLOCKS, body, sizeof(body), out, out_size);
}

/* uid, first block, count, a byte the captures always show as 0, then the data. */
#define WRITE_ARGS_LEN (M3_UID_LEN + 3)

int m3_encode_write_blocks(const uint8_t uid[M3_UID_LEN], uint8_t first, uint8_t count,
			   const uint8_t *data, uint8_t *out, size_t out_size)
{
	uint8_t body[M3_BODY_MAX];
	size_t data_len = (size_t)count * M3_BLOCK_LEN;

	if (!uid || !data || count == 0 || WRITE_ARGS_LEN + data_len > sizeof(body))
		return -EINVAL;
	memcpy(body, uid, M3_UID_LEN);
	body[M3_UID_LEN] = first;
	body[M3_UID_LEN + 1] = count;
	body[M3_UID_LEN + 2] = 0x00;
	memcpy(body + WRITE_ARGS_LEN, data, data_len);
	return m3_frame_encode(M3_START, M3_CMD_WRITE_BLOCKS, body, WRITE_ARGS_LEN + data_len,
			       out, out_size);
}

int m3_encode_get_afi(const uint8_t uid[M3_UID_LEN], uint8_t *out, size_t out_size)
{
	if (!uid)
		return -EINVAL;
	return m3_frame_encode(M3_START, M3_CMD_GET_AFI, uid, M3_UID_LEN, out, out_size);
}

int m3_encode_set_afi(const uint8_t uid[M3_UID_LEN], uint8_t afi, uint8_t *out,
		      size_t out_size)
{
	uint8_t body[M3_UID_LEN + 1];

	if (!uid)
		return -EINVAL;
	memcpy(body, uid, M3_UID_LEN);
	body[M3_UID_LEN] = afi;
	return m3_frame_encode(M3_START, M3_CMD_SET_AFI, body, sizeof(body), out, out_size);
}

/* The answer's body after the status byte, read front to back without running past its end. */
struct cursor {
	const uint8_t *p;
	size_t left;
};

static bool take(struct cursor *c, void *dst, size_t n)
{
	if (c->left < n)
		return false;
	if (dst)
		memcpy(dst, c->p, n);
	c->p += n;
	c->left -= n;
	return true;
}

static bool take_byte(struct cursor *c, uint8_t *dst)
{
	return take(c, dst, 1);
}

static int parse_refused(struct cursor *c, struct m3_reply *r)
{
	r->kind = M3_REPLY_REFUSED;
	if (c->left >= M3_UID_LEN) {
		take(c, r->refused.uid, M3_UID_LEN);
		r->refused.has_uid = true;
	}
	if (c->left >= 1) {
		take_byte(c, &r->refused.detail);
		r->refused.has_detail = true;
	}
	return c->left ? -EBADMSG : 0;
}

static int parse_inventory(struct cursor *c, struct m3_reply *r)
{
	uint8_t count;

	r->kind = M3_REPLY_INVENTORY;
	/* two bytes the captures always show as 00 05, the request's arguments */
	if (!take(c, NULL, 2) || !take_byte(c, &count))
		return -EBADMSG;
	if (c->left % M3_UID_LEN || c->left / M3_UID_LEN > count)
		return -EBADMSG;
	r->inventory.count = count;
	r->inventory.n = (uint8_t)(c->left / M3_UID_LEN);
	r->inventory.more = r->inventory.n < count;
	take(c, r->inventory.uids, c->left);
	return 0;
}

static int parse_read(struct cursor *c, struct m3_reply *r)
{
	uint8_t n, number[2];

	r->kind = M3_REPLY_READ_BLOCKS;
	if (!take(c, r->read.uid, M3_UID_LEN) || !take_byte(c, &n))
		return -EBADMSG;
	for (size_t i = 0; i < n; i++) {
		struct m3_block *b = &r->read.blocks[i];

		if (!take(c, number, sizeof(number)) || !take(c, b->data, M3_BLOCK_LEN))
			return -EBADMSG;
		b->number = (uint16_t)(number[0] | number[1] << 8);
	}
	r->read.n = n;
	return c->left ? -EBADMSG : 0;
}

static int parse_ok(uint8_t start, uint8_t cmd, struct cursor *c, struct m3_reply *r)
{
	if (start == M3_START_SYSTEM) {
		if (cmd != M3_CMD_VERSION)
			return -EPROTO;
		r->kind = M3_REPLY_VERSION;
		/* one byte the captures always show as 0x11, the request's argument */
		if (!take(c, NULL, 1) || !take(c, r->version, M3_VERSION_LEN))
			return -EBADMSG;
		return c->left ? -EBADMSG : 0;
	}
	switch (cmd) {
	case M3_CMD_RF_SETUP:
		r->kind = M3_REPLY_RF_SETUP;
		if (c->left > M3_RF_SETUP_MAX)
			return -EBADMSG;
		r->rf_setup.len = (uint8_t)c->left;
		take(c, r->rf_setup.bytes, c->left);
		return 0;
	case M3_CMD_INVENTORY:
		return parse_inventory(c, r);
	case M3_CMD_READ_BLOCKS:
		return parse_read(c, r);
	case M3_CMD_WRITE_BLOCKS:
		r->kind = M3_REPLY_WRITE_BLOCKS;
		if (!take(c, r->write.uid, M3_UID_LEN) || !take_byte(c, &r->write.count))
			return -EBADMSG;
		return c->left ? -EBADMSG : 0;
	case M3_CMD_GET_AFI:
		r->kind = M3_REPLY_GET_AFI;
		if (!take(c, r->afi.uid, M3_UID_LEN) || !take_byte(c, &r->afi.afi))
			return -EBADMSG;
		return c->left ? -EBADMSG : 0;
	case M3_CMD_SET_AFI:
		r->kind = M3_REPLY_SET_AFI;
		if (!take(c, r->afi.uid, M3_UID_LEN))
			return -EBADMSG;
		return c->left ? -EBADMSG : 0;
	default:
		return -EPROTO;
	}
}

int m3_reply_parse(const struct m3_frame *frame, struct m3_reply *ret)
{
	struct cursor c;
	uint8_t status;

	if (!frame || !ret || (!frame->body && frame->body_len))
		return -EINVAL;
	memset(ret, 0, sizeof(*ret));
	ret->cmd = frame->cmd;
	c.p = frame->body;
	c.left = frame->body_len;
	if (!take_byte(&c, &status))
		return -EBADMSG;
	ret->status = status;
	if (m3_command_name(frame->start, frame->cmd) == unknown_command)
		return -EPROTO;
	if (status != M3_STATUS_OK)
		return parse_refused(&c, ret);
	return parse_ok(frame->start, frame->cmd, &c, ret);
}

const char *m3_command_name(uint8_t start, uint8_t cmd)
{
	if (start == M3_START_SYSTEM)
		return cmd == M3_CMD_VERSION ? "version" : unknown_command;
	if (start != M3_START)
		return unknown_command;
	switch (cmd) {
	case M3_CMD_READ_BLOCKS:
		return "read blocks";
	case M3_CMD_WRITE_BLOCKS:
		return "write blocks";
	case M3_CMD_SET_AFI:
		return "set AFI";
	case M3_CMD_GET_AFI:
		return "get AFI";
	case M3_CMD_RF_SETUP:
		return "rf setup";
	case M3_CMD_INVENTORY:
		return "inventory";
	default:
		return unknown_command;
	}
}

void m3_splitter_init(struct m3_splitter *s)
{
	memset(s, 0, sizeof(*s));
}

static void drop_front(struct m3_splitter *s, size_t n)
{
	memmove(s->pending, s->pending + n, s->pending_len - n);
	s->pending_len -= n;
	s->skipped += n;
}

/* What pending needs before it can be judged: the header, then the whole frame. */
static size_t pending_wanted(const struct m3_splitter *s)
{
	if (s->pending_len < 3)
		return 3;
	return 3u + get_be16(s->pending + 1);
}

int m3_splitter_next(struct m3_splitter *s, const uint8_t *in, size_t len, size_t *consumed,
		     struct m3_frame *ret)
{
	size_t taken = 0;
	int r = 0;

	for (;;) {
		size_t skip = 0, wanted, n;

		while (skip < s->pending_len && !is_start(s->pending[skip]))
			skip++;
		if (skip)
			drop_front(s, skip);
		if (s->pending_len >= 3 && !length_possible(get_be16(s->pending + 1))) {
			drop_front(s, 1);
			r = -EBADMSG;
			break;
		}
		wanted = pending_wanted(s);
		if (s->pending_len >= wanted) {
			struct m3_frame f;

			if (m3_frame_decode(s->pending, wanted, &f) < 0) {
				drop_front(s, 1);
				r = -EBADMSG;
				break;
			}
			memcpy(s->frame, s->pending, wanted);
			memmove(s->pending, s->pending + wanted, s->pending_len - wanted);
			s->pending_len -= wanted;
			ret->start = s->frame[0];
			ret->cmd = s->frame[3];
			ret->body = s->frame + M3_HEADER_LEN;
			ret->body_len = f.body_len;
			r = 1;
			break;
		}
		if (taken == len)
			break;
		/* never more than the frame needs: what follows may be the next frame */
		n = wanted - s->pending_len;
		if (n > len - taken)
			n = len - taken;
		memcpy(s->pending + s->pending_len, in + taken, n);
		s->pending_len += n;
		taken += n;
	}
	if (consumed)
		*consumed = taken;
	return r;
}
