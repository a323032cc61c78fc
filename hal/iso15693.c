/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "iso15693.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define CRC_PRESET 0xFFFF
#define CRC_POLY_REFLECTED 0x8408
#define RATE_FLAGS (ISO15693_REQ_SUBCARRIER_TWO | ISO15693_REQ_HIGH_DATA_RATE)
#define MEMORY_BLOCK_SIZE_MASK 0x1F /* the other 3 bits of that byte are RFU */

void iso15693_uid_format(const uint8_t uid[ISO15693_UID_LEN], char out[ISO15693_UID_TEXT_SIZE])
{
	static const char hex[] = "0123456789ABCDEF";

	for (size_t i = 0; i < ISO15693_UID_LEN; i++) {
		uint8_t b = uid[ISO15693_UID_LEN - 1 - i];

		out[2 * i] = hex[b >> 4];
		out[2 * i + 1] = hex[b & 0x0f];
	}
	out[2 * ISO15693_UID_LEN] = '\0';
}

const char *iso15693_error_name(uint8_t code)
{
	static char other[16];

	switch (code) {
	case ISO15693_ERR_NOT_SUPPORTED:
		return "command not supported";
	case ISO15693_ERR_NOT_RECOGNISED:
		return "command not recognised";
	case ISO15693_ERR_OPTION_NOT_SUPPORTED:
		return "option not supported";
	case ISO15693_ERR_UNKNOWN:
		return "unknown error";
	case ISO15693_ERR_BLOCK_NOT_AVAILABLE:
		return "block not available";
	case ISO15693_ERR_BLOCK_ALREADY_LOCKED:
		return "block already locked";
	case ISO15693_ERR_BLOCK_LOCKED:
		return "block locked, cannot be changed";
	case ISO15693_ERR_BLOCK_NOT_PROGRAMMED:
		return "block not programmed";
	case ISO15693_ERR_BLOCK_NOT_LOCKED:
		return "block not locked";
	}
	snprintf(other, sizeof(other), "error 0x%02X", code);
	return other;
}

uint16_t iso15693_crc(const uint8_t *data, size_t len)
{
	uint16_t crc = CRC_PRESET;

	for (size_t i = 0; i < len; i++) {
		crc ^= data[i];
		for (int bit = 0; bit < 8; bit++)
			crc = crc & 1 ? (uint16_t)((crc >> 1) ^ CRC_POLY_REFLECTED) : crc >> 1;
	}
	return (uint16_t)~crc;
}

bool iso15693_crc_ok(const uint8_t *frame, size_t len)
{
	uint16_t crc;

	if (!frame || len < 1 + ISO15693_CRC_LEN)
		return false;
	crc = iso15693_crc(frame, len - ISO15693_CRC_LEN);
	return frame[len - 2] == (crc & 0xff) && frame[len - 1] == crc >> 8;
}

/* A request being written: bounds are checked once, at the end. */
struct frame_writer {
	uint8_t *out;
	size_t size, len;
	bool overflow;
};

static void put(struct frame_writer *w, uint8_t b)
{
	if (w->len < w->size)
		w->out[w->len] = b;
	else
		w->overflow = true;
	w->len++;
}

static void put_bytes(struct frame_writer *w, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put(w, p[i]);
}

static int finish(struct frame_writer *w)
{
	uint16_t crc;

	if (w->overflow || w->len + ISO15693_CRC_LEN > w->size)
		return -ENOSPC;
	crc = iso15693_crc(w->out, w->len);
	put(w, crc & 0xff);
	put(w, crc >> 8);
	return (int)w->len;
}

/* flags and command of a request that may be addressed; the UID follows when it is. */
static int start(struct frame_writer *w, uint8_t rate_flags, uint8_t extra_flags, uint8_t command,
		 const uint8_t *uid, uint8_t *out, size_t out_size)
{
	if (!out || (rate_flags & ~RATE_FLAGS))
		return -EINVAL;
	*w = (struct frame_writer){ .out = out, .size = out_size };
	put(w, rate_flags | extra_flags | (uid ? ISO15693_REQ_ADDRESS : 0));
	put(w, command);
	return 0;
}

static void put_uid(struct frame_writer *w, const uint8_t *uid)
{
	if (uid)
		put_bytes(w, uid, ISO15693_UID_LEN);
}

int iso15693_build_inventory(uint8_t rate_flags, bool use_afi, uint8_t afi, uint8_t *out,
			     size_t out_size)
{
	struct frame_writer w;
	uint8_t flags = ISO15693_REQ_INVENTORY | ISO15693_REQ_INV_ONE_SLOT;
	int r;

	if (use_afi)
		flags |= ISO15693_REQ_INV_AFI;
	r = start(&w, rate_flags, flags, ISO15693_CMD_INVENTORY, NULL, out, out_size);
	if (r < 0)
		return r;
	if (use_afi)
		put(&w, afi);
	put(&w, 0); /* mask length: every UID */
	return finish(&w);
}

int iso15693_build_read_single_block(uint8_t rate_flags, const uint8_t *uid, uint8_t block,
				     bool with_security, uint8_t *out, size_t out_size)
{
	struct frame_writer w;
	int r = start(&w, rate_flags, with_security ? ISO15693_REQ_OPTION : 0,
		      ISO15693_CMD_READ_SINGLE_BLOCK, uid, out, out_size);

	if (r < 0)
		return r;
	put_uid(&w, uid);
	put(&w, block);
	return finish(&w);
}

int iso15693_build_read_multiple_blocks(uint8_t rate_flags, const uint8_t *uid, uint8_t first,
					unsigned count, bool with_security, uint8_t *out,
					size_t out_size)
{
	struct frame_writer w;
	int r;

	if (count < 1 || count > 256 || first + count - 1 > 255)
		return -EINVAL;
	r = start(&w, rate_flags, with_security ? ISO15693_REQ_OPTION : 0,
		  ISO15693_CMD_READ_MULTIPLE_BLOCKS, uid, out, out_size);
	if (r < 0)
		return r;
	put_uid(&w, uid);
	put(&w, first);
	put(&w, (uint8_t)(count - 1));
	return finish(&w);
}

int iso15693_build_write_single_block(uint8_t rate_flags, const uint8_t *uid, uint8_t block,
				      const uint8_t *data, size_t block_size, uint8_t *out,
				      size_t out_size)
{
	struct frame_writer w;
	int r;

	if (!data || block_size < 1 || block_size > ISO15693_BLOCK_MAX)
		return -EINVAL;
	r = start(&w, rate_flags, 0, ISO15693_CMD_WRITE_SINGLE_BLOCK, uid, out, out_size);
	if (r < 0)
		return r;
	put_uid(&w, uid);
	put(&w, block);
	put_bytes(&w, data, block_size);
	return finish(&w);
}

int iso15693_build_write_afi(uint8_t rate_flags, const uint8_t *uid, uint8_t afi, uint8_t *out,
			     size_t out_size)
{
	struct frame_writer w;
	int r = start(&w, rate_flags, 0, ISO15693_CMD_WRITE_AFI, uid, out, out_size);

	if (r < 0)
		return r;
	put_uid(&w, uid);
	put(&w, afi);
	return finish(&w);
}

int iso15693_build_lock_afi(uint8_t rate_flags, const uint8_t *uid, uint8_t *out, size_t out_size)
{
	struct frame_writer w;
	int r = start(&w, rate_flags, 0, ISO15693_CMD_LOCK_AFI, uid, out, out_size);

	if (r < 0)
		return r;
	put_uid(&w, uid);
	return finish(&w);
}

int iso15693_build_get_system_info(uint8_t rate_flags, const uint8_t *uid, uint8_t *out,
				   size_t out_size)
{
	struct frame_writer w;
	int r = start(&w, rate_flags, 0, ISO15693_CMD_GET_SYSTEM_INFO, uid, out, out_size);

	if (r < 0)
		return r;
	put_uid(&w, uid);
	return finish(&w);
}

int iso15693_build_nxp_eas(uint8_t rate_flags, const uint8_t *uid, enum iso15693_command command,
			   uint8_t *out, size_t out_size)
{
	struct frame_writer w;
	int r;

	if (command != ISO15693_CMD_NXP_SET_EAS && command != ISO15693_CMD_NXP_RESET_EAS &&
	    command != ISO15693_CMD_NXP_EAS_ALARM)
		return -EINVAL;
	r = start(&w, rate_flags, 0, (uint8_t)command, uid, out, out_size);
	if (r < 0)
		return r;
	/* custom commands name the IC manufacturer before the UID, so other makes ignore them */
	put(&w, ISO15693_MFG_NXP);
	put_uid(&w, uid);
	return finish(&w);
}

int iso15693_parse_response(const uint8_t *frame, size_t len, struct iso15693_response *out)
{
	size_t payload_len;

	if (!frame || !out)
		return -EINVAL;
	*out = (struct iso15693_response){ 0 };
	if (len < 1 + ISO15693_CRC_LEN || !iso15693_crc_ok(frame, len))
		return -EBADMSG;
	payload_len = len - 1 - ISO15693_CRC_LEN;
	if (frame[0] & ISO15693_RESP_ERROR) {
		if (payload_len != 1)
			return -EBADMSG;
		out->flags = frame[0];
		out->error = frame[1];
		out->payload = frame + 1 + 1;
		return -EREMOTEIO;
	}
	out->flags = frame[0];
	out->payload = frame + 1;
	out->payload_len = payload_len;
	return 0;
}

int iso15693_parse_inventory(const struct iso15693_response *r, struct iso15693_inventory *out)
{
	if (!r || !out || !r->payload || r->payload_len != 1 + ISO15693_UID_LEN)
		return -EBADMSG;
	out->dsfid = r->payload[0];
	memcpy(out->uid, r->payload + 1, ISO15693_UID_LEN);
	if (out->uid[ISO15693_UID_LEN - 1] != ISO15693_UID_TOP_BYTE)
		return -EBADMSG;
	return 0;
}

int iso15693_parse_system_info(const struct iso15693_response *r,
			       struct iso15693_system_info *out)
{
	const uint8_t *p, *end;

	if (!r || !out || !r->payload || r->payload_len < 1 + ISO15693_UID_LEN)
		return -EBADMSG;
	memset(out, 0, sizeof(*out));
	p = r->payload;
	end = p + r->payload_len;
	out->info_flags = *p++;
	memcpy(out->uid, p, ISO15693_UID_LEN);
	p += ISO15693_UID_LEN;
	if (out->uid[ISO15693_UID_LEN - 1] != ISO15693_UID_TOP_BYTE)
		return -EBADMSG;
	/* the optional fields come in the order of their flag bits, each present or absent */
	if (out->info_flags & ISO15693_INFO_DSFID) {
		if (end - p < 1)
			return -EBADMSG;
		out->dsfid = *p++;
	}
	if (out->info_flags & ISO15693_INFO_AFI) {
		if (end - p < 1)
			return -EBADMSG;
		out->afi = *p++;
	}
	if (out->info_flags & ISO15693_INFO_MEMORY) {
		if (end - p < 2)
			return -EBADMSG;
		out->block_count = (unsigned)p[0] + 1;
		out->block_size = (unsigned)(p[1] & MEMORY_BLOCK_SIZE_MASK) + 1;
		p += 2;
	}
	if (out->info_flags & ISO15693_INFO_IC_REF) {
		if (end - p < 1)
			return -EBADMSG;
		out->ic_ref = *p++;
	}
	return p == end ? 0 : -EBADMSG;
}

int iso15693_parse_blocks(const struct iso15693_response *r, size_t block_size, bool with_security,
			  uint8_t *data, size_t data_size, uint8_t *security, size_t security_size)
{
	size_t stride, n;
	const uint8_t *p;

	if (!r || !r->payload || block_size < 1 || block_size > ISO15693_BLOCK_MAX)
		return -EBADMSG;
	stride = block_size + (with_security ? 1 : 0);
	if (r->payload_len == 0 || r->payload_len % stride != 0)
		return -EBADMSG;
	n = r->payload_len / stride;
	if (n > 256)
		return -EBADMSG;
	if (!data || data_size < n * block_size || (security && with_security && security_size < n))
		return -ENOSPC;
	p = r->payload;
	for (size_t i = 0; i < n; i++) {
		if (with_security) {
			if (security)
				security[i] = *p;
			p++;
		}
		memcpy(data + i * block_size, p, block_size);
		p += block_size;
	}
	return (int)n;
}

int iso15693_parse_empty(const struct iso15693_response *r)
{
	if (!r || r->payload_len != 0)
		return -EBADMSG;
	return 0;
}

int iso15693_parse_nxp_eas_alarm(const struct iso15693_response *r)
{
	if (!r || !r->payload || r->payload_len == 0)
		return -EBADMSG;
	return (int)r->payload_len;
}
