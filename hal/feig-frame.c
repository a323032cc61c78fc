/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "feig-frame.h"

#include <errno.h>
#include <string.h>

#include "util.h"

#define CRC_PRESET 0xFFFF
#define CRC_POLY 0x8408
#define STD_OVERHEAD 5  /* LEN ADR CONTROL CRC CRC */
#define ADV_OVERHEAD 7  /* STX LEN LEN ADR CONTROL CRC CRC */
#define INVENTORY_RECORD_LEN 10 /* TR-TYPE DSFID UID */
#define SYSTEM_INFO_LEN 13      /* DSFID UID AFI MEM-SIZE(2) IC-REF */
#define SOFTWARE_VERSION_LEN 7
#define CONFIG_EEPROM 0x80
#define CONFIG_BLOCK_MAX 63

struct code_name {
	uint8_t code;
	const char *name;
};

static const struct code_name status_names[] = {
	{ FEIG_OK, "ok" },
	{ FEIG_NO_TRANSPONDER, "no transponder" },
	{ FEIG_DATA_FALSE, "data false (CRC error from the tag)" },
	{ FEIG_WRITE_ERROR, "write error" },
	{ FEIG_ADDRESS_ERROR, "address error" },
	{ FEIG_WRONG_TRANSPONDER_TYPE, "wrong transponder type" },
	{ FEIG_EEPROM_FAILURE, "EEPROM failure" },
	{ FEIG_PARAMETER_RANGE, "parameter out of range" },
	{ FEIG_UNKNOWN_COMMAND, "unknown command" },
	{ FEIG_LENGTH_ERROR, "length error" },
	{ FEIG_COMMAND_NOT_AVAILABLE, "command not available" },
	{ FEIG_RF_COMMUNICATION_ERROR, "RF communication error" },
	{ FEIG_RF_WARNING, "RF warning" },
	{ FEIG_DATA_BUFFER_OVERFLOW, "data buffer overflow" },
	{ FEIG_MORE_DATA, "more data" },
	{ FEIG_ISO_ERROR, "ISO 15693 error from the tag" },
	{ FEIG_HARDWARE_WARNING, "hardware warning" },
};

static const struct code_name iso_error_names[] = {
	{ FEIG_ISO_ERR_NOT_SUPPORTED, "command not supported" },
	{ FEIG_ISO_ERR_NOT_RECOGNISED, "command not recognised" },
	{ FEIG_ISO_ERR_OPTION, "option not supported" },
	{ FEIG_ISO_ERR_UNKNOWN, "unknown error" },
	{ FEIG_ISO_ERR_BLOCK_UNAVAILABLE, "block not available" },
	{ FEIG_ISO_ERR_ALREADY_LOCKED, "block already locked" },
	{ FEIG_ISO_ERR_BLOCK_LOCKED, "block locked, cannot be changed" },
	{ FEIG_ISO_ERR_NOT_PROGRAMMED, "block not programmed" },
	{ FEIG_ISO_ERR_NOT_LOCKED, "block not locked" },
};

static const char *lookup(const struct code_name *t, size_t n, uint8_t code, const char *none)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].code == code)
			return t[i].name;
	return none;
}

const char *feig_status_name(uint8_t status)
{
	return lookup(status_names, ARRAY_SIZE(status_names), status, "unknown status");
}

const char *feig_iso_error_name(uint8_t iso_error)
{
	return lookup(iso_error_names, ARRAY_SIZE(iso_error_names), iso_error,
		      "unknown ISO error");
}

uint16_t feig_crc16(const uint8_t *p, size_t len)
{
	uint16_t crc = CRC_PRESET;

	for (size_t i = 0; i < len; i++) {
		crc ^= p[i];
		for (int bit = 0; bit < 8; bit++)
			crc = (crc & 1) ? (uint16_t)((crc >> 1) ^ CRC_POLY) : (uint16_t)(crc >> 1);
	}
	return crc;
}

int feig_frame_encode(enum feig_frame_kind kind, uint8_t com_adr, uint8_t control,
		      const uint8_t *data, size_t data_len, uint8_t *out, size_t out_size)
{
	size_t total, head;
	uint16_t crc;

	if (!out || (data_len && !data))
		return -EINVAL;
	if (kind == FEIG_FRAME_STANDARD) {
		if (data_len > FEIG_STD_MAX - STD_OVERHEAD)
			return -EMSGSIZE;
		total = data_len + STD_OVERHEAD;
		head = 3;
	} else if (kind == FEIG_FRAME_ADVANCED) {
		if (data_len > FEIG_ADV_MAX - ADV_OVERHEAD)
			return -EMSGSIZE;
		total = data_len + ADV_OVERHEAD;
		head = 5;
	} else {
		return -EINVAL;
	}
	if (out_size < total)
		return -ENOSPC;
	if (kind == FEIG_FRAME_STANDARD) {
		out[0] = (uint8_t)total;
	} else {
		out[0] = FEIG_STX;
		out[1] = (uint8_t)(total >> 8);
		out[2] = (uint8_t)total;
	}
	out[head - 2] = com_adr;
	out[head - 1] = control;
	if (data_len)
		memcpy(out + head, data, data_len);
	crc = feig_crc16(out, total - 2);
	out[total - 2] = (uint8_t)crc;
	out[total - 1] = (uint8_t)(crc >> 8);
	return (int)total;
}

int feig_frame_decode(const uint8_t *buf, size_t len, struct feig_frame *ret)
{
	size_t total, head;
	uint16_t crc;

	if (!ret || (len && !buf))
		return -EINVAL;
	if (len < 1)
		return -EAGAIN;
	if (buf[0] == FEIG_STX) {
		if (len < 3)
			return -EAGAIN;
		total = (size_t)buf[1] << 8 | buf[2];
		if (total < FEIG_ADV_MIN)
			return -EBADMSG;
		head = 5;
	} else {
		total = buf[0];
		if (total < FEIG_STD_MIN)
			return -EBADMSG;
		head = 3;
	}
	if (len < total)
		return -EAGAIN;
	crc = feig_crc16(buf, total - 2);
	if (buf[total - 2] != (uint8_t)crc || buf[total - 1] != (uint8_t)(crc >> 8))
		return -EBADMSG;
	ret->kind = buf[0] == FEIG_STX ? FEIG_FRAME_ADVANCED : FEIG_FRAME_STANDARD;
	ret->com_adr = buf[head - 2];
	ret->control = buf[head - 1];
	ret->data = buf + head;
	ret->data_len = total - head - 2;
	ret->frame_len = total;
	return (int)total;
}

void feig_splitter_init(struct feig_splitter *s)
{
	s->len = 0;
	s->taken = 0;
}

void feig_splitter_reset(struct feig_splitter *s)
{
	feig_splitter_init(s);
}

/* Forgets the frame handed out last, now that its caller is done with it. */
static void drop_taken(struct feig_splitter *s)
{
	if (!s->taken)
		return;
	memmove(s->buf, s->buf + s->taken, s->len - s->taken);
	s->len -= s->taken;
	s->taken = 0;
}

size_t feig_splitter_feed(struct feig_splitter *s, const uint8_t *in, size_t len)
{
	size_t room;

	drop_taken(s);
	room = sizeof(s->buf) - s->len;
	if (len > room)
		len = room;
	if (len)
		memcpy(s->buf + s->len, in, len);
	s->len += len;
	return len;
}

bool feig_splitter_drop_byte(struct feig_splitter *s)
{
	drop_taken(s);
	if (!s->len)
		return false;
	s->taken = 1;
	drop_taken(s);
	return true;
}

size_t feig_splitter_pending(const struct feig_splitter *s)
{
	return s->len - s->taken;
}

static size_t declared_length(const uint8_t *buf, size_t len)
{
	if (buf[0] != FEIG_STX)
		return buf[0];
	return len < 3 ? 0 : ((size_t)buf[1] << 8 | buf[2]);
}

int feig_splitter_next(struct feig_splitter *s, struct feig_frame *ret)
{
	int r;

	drop_taken(s);
	if (!s->len)
		return 0;
	if (declared_length(s->buf, s->len) > sizeof(s->buf)) {
		feig_splitter_drop_byte(s);
		return -EBADMSG;
	}
	r = feig_frame_decode(s->buf, s->len, ret);
	if (r == -EAGAIN)
		return 0;
	if (r < 0) {
		feig_splitter_drop_byte(s);
		return -EBADMSG;
	}
	s->taken = (size_t)r;
	return 1;
}

/* ------------------------------------------------------------------ requests */

int feig_request_encode(const struct feig_request *r, enum feig_frame_kind kind, uint8_t com_adr,
			uint8_t *out, size_t out_size)
{
	if (!r || r->data_len > sizeof(r->data))
		return -EINVAL;
	return feig_frame_encode(kind, com_adr, r->control, r->data, r->data_len, out, out_size);
}

static void request_start(struct feig_request *r, uint8_t control)
{
	r->control = control;
	r->data_len = 0;
}

static void put(struct feig_request *r, uint8_t byte)
{
	r->data[r->data_len++] = byte;
}

/* MODE, then the UID when addressed: the head of most ISO commands. */
static void put_mode_uid(struct feig_request *r, const uint8_t *uid)
{
	put(r, uid ? FEIG_MODE_ADDRESSED : FEIG_MODE_NON_ADDRESSED);
	if (uid) {
		memcpy(r->data + r->data_len, uid, FEIG_UID_LEN);
		r->data_len += FEIG_UID_LEN;
	}
}

static int iso_simple(struct feig_request *r, uint8_t cmd, const uint8_t *uid)
{
	if (!r)
		return -EINVAL;
	request_start(r, FEIG_CMD_ISO);
	put(r, cmd);
	put_mode_uid(r, uid);
	return 0;
}

int feig_req_inventory(struct feig_request *r, bool more, const uint8_t *afi)
{
	if (!r)
		return -EINVAL;
	request_start(r, FEIG_CMD_ISO);
	put(r, FEIG_ISO_INVENTORY);
	put(r, (uint8_t)((more ? FEIG_INV_MODE_MORE : 0) | (afi ? FEIG_INV_MODE_AFI : 0)));
	if (afi)
		put(r, *afi);
	return 0;
}

int feig_req_stay_quiet(struct feig_request *r, const uint8_t *uid)
{
	if (!uid)
		return -EINVAL; /* a quiet tag must be named: ISO 15693 has it addressed only */
	return iso_simple(r, FEIG_ISO_STAY_QUIET, uid);
}

int feig_req_read_blocks(struct feig_request *r, const uint8_t *uid, uint8_t first, uint8_t count)
{
	int ret;

	if (!count)
		return -EINVAL;
	ret = iso_simple(r, FEIG_ISO_READ_BLOCKS, uid);
	if (ret < 0)
		return ret;
	put(r, first);
	put(r, count);
	return 0;
}

int feig_req_write_blocks(struct feig_request *r, const uint8_t *uid, uint8_t first,
			  uint8_t count, uint8_t block_size, const uint8_t *blocks)
{
	size_t need;
	int ret;

	if (!r || !count || !block_size || !blocks)
		return -EINVAL;
	need = 2 + (uid ? FEIG_UID_LEN : 0) + 3 + (size_t)count * block_size;
	if (need > sizeof(r->data))
		return -EMSGSIZE;
	ret = iso_simple(r, FEIG_ISO_WRITE_BLOCKS, uid);
	if (ret < 0)
		return ret;
	put(r, first);
	put(r, count);
	put(r, block_size);
	for (size_t b = 0; b < count; b++)
		for (size_t i = block_size; i-- > 0;)
			put(r, blocks[b * block_size + i]);
	return 0;
}

int feig_req_write_afi(struct feig_request *r, const uint8_t *uid, uint8_t afi)
{
	int ret = iso_simple(r, FEIG_ISO_WRITE_AFI, uid);

	if (ret < 0)
		return ret;
	put(r, afi);
	return 0;
}

int feig_req_lock_afi(struct feig_request *r, const uint8_t *uid)
{
	return iso_simple(r, FEIG_ISO_LOCK_AFI, uid);
}

int feig_req_system_info(struct feig_request *r, const uint8_t *uid)
{
	return iso_simple(r, FEIG_ISO_SYSTEM_INFO, uid);
}

int feig_req_nxp_eas(struct feig_request *r, uint8_t cmd, const uint8_t *uid)
{
	if (!r || cmd < FEIG_NXP_SET_EAS || cmd > FEIG_NXP_EAS_ALARM)
		return -EINVAL;
	request_start(r, FEIG_CMD_ISO_CUSTOM);
	put(r, FEIG_MFR_NXP);
	put(r, cmd);
	put_mode_uid(r, uid);
	return 0;
}

static int housekeeping(struct feig_request *r, uint8_t control)
{
	if (!r)
		return -EINVAL;
	request_start(r, control);
	return 0;
}

int feig_req_baud_detect(struct feig_request *r)
{
	int ret = housekeeping(r, FEIG_CMD_BAUD_DETECT);

	if (ret < 0)
		return ret;
	put(r, 0x00);
	return 0;
}

int feig_req_software_version(struct feig_request *r)
{
	return housekeeping(r, FEIG_CMD_SOFTWARE_VERSION);
}

int feig_req_rf_reset(struct feig_request *r)
{
	return housekeeping(r, FEIG_CMD_RF_RESET);
}

int feig_req_rf_onoff(struct feig_request *r, uint8_t flags)
{
	int ret = housekeeping(r, FEIG_CMD_RF_ONOFF);

	if (ret < 0)
		return ret;
	put(r, flags);
	return 0;
}

int feig_req_read_config(struct feig_request *r, uint8_t block, bool eeprom)
{
	int ret;

	if (block > CONFIG_BLOCK_MAX)
		return -EINVAL;
	ret = housekeeping(r, FEIG_CMD_READ_CONFIG);
	if (ret < 0)
		return ret;
	put(r, (uint8_t)(block | (eeprom ? CONFIG_EEPROM : 0)));
	return 0;
}

/* ----------------------------------------------------------------- responses */

int feig_response_from_frame(const struct feig_frame *f, struct feig_response *ret)
{
	if (!f || !ret || (f->data_len && !f->data))
		return -EINVAL;
	if (f->data_len < 1)
		return -EBADMSG;
	ret->kind = f->kind;
	ret->com_adr = f->com_adr;
	ret->control = f->control;
	ret->status = f->data[0];
	ret->data = f->data + 1;
	ret->data_len = f->data_len - 1;
	return 0;
}

int feig_parse_inventory(const struct feig_response *r, struct feig_inventory *ret)
{
	const uint8_t *p;
	size_t sets;

	if (!r || !ret)
		return -EINVAL;
	ret->count = 0;
	ret->more = false;
	if (r->status == FEIG_NO_TRANSPONDER)
		return 0;
	if (r->status != FEIG_OK && r->status != FEIG_MORE_DATA)
		return -EPROTO;
	if (r->data_len < 1)
		return -EBADMSG;
	sets = r->data[0];
	p = r->data + 1;
	for (size_t i = 0; i < sets; i++) {
		size_t at = (size_t)(p - r->data);

		if (r->data_len - at < 1)
			return -EBADMSG;
		if (p[0] != FEIG_TR_TYPE_ISO15693)
			return -ENOTSUP;
		if (r->data_len - at < INVENTORY_RECORD_LEN)
			return -EBADMSG;
		ret->tags[i].tr_type = p[0];
		ret->tags[i].dsfid = p[1];
		memcpy(ret->tags[i].uid, p + 2, FEIG_UID_LEN);
		p += INVENTORY_RECORD_LEN;
	}
	if ((size_t)(p - r->data) != r->data_len)
		return -EBADMSG;
	ret->count = sets;
	ret->more = r->status == FEIG_MORE_DATA;
	return 0;
}

int feig_parse_read_blocks(const struct feig_response *r, struct feig_blocks *ret)
{
	size_t count, size, record;

	if (!r || !ret)
		return -EINVAL;
	ret->count = 0;
	ret->block_size = 0;
	if (r->status != FEIG_OK)
		return -EPROTO;
	if (r->data_len < 2)
		return -EBADMSG;
	count = r->data[0];
	size = r->data[1];
	if (!count || !size)
		return -EBADMSG;
	record = 1 + size;
	if ((r->data_len - 2) != count * record)
		return -EBADMSG;
	if (count * size > sizeof(ret->data))
		return -E2BIG;
	for (size_t b = 0; b < count; b++) {
		const uint8_t *rec = r->data + 2 + b * record;

		ret->security[b] = rec[0];
		/* the reader sends each block MSB first: the tag's last byte first */
		for (size_t i = 0; i < size; i++)
			ret->data[b * size + i] = rec[size - i];
	}
	ret->count = (uint8_t)count;
	ret->block_size = (uint8_t)size;
	return 0;
}

int feig_parse_system_info(const struct feig_response *r, struct feig_system_info *ret)
{
	const uint8_t *p;

	if (!r || !ret)
		return -EINVAL;
	if (r->status != FEIG_OK)
		return -EPROTO;
	if (r->data_len != SYSTEM_INFO_LEN)
		return -EBADMSG;
	p = r->data;
	ret->dsfid = p[0];
	memcpy(ret->uid, p + 1, FEIG_UID_LEN);
	ret->afi = p[9];
	/* ISO 15693's memory size (blocks - 1, then bytes - 1), MSB first: size byte first */
	ret->block_size = (uint8_t)((p[10] & 0x1F) + 1);
	ret->block_count = (uint16_t)(p[11] + 1);
	ret->ic_ref = p[12];
	return 0;
}

void feig_parse_error_detail(const struct feig_response *r, struct feig_error_detail *ret)
{
	memset(ret, 0, sizeof(*ret));
	if (!r)
		return;
	if (r->status == FEIG_ISO_ERROR) {
		if (r->data_len >= 1) {
			ret->has_iso_error = true;
			ret->iso_error = r->data[0];
		}
		if (r->data_len >= 2) {
			ret->has_block = true;
			ret->block = r->data[1];
		}
	} else if (r->status == FEIG_WRITE_ERROR && r->data_len >= 1) {
		ret->has_block = true;
		ret->block = r->data[0];
	}
}

int feig_parse_software_version(const struct feig_response *r,
				struct feig_software_version *ret)
{
	const uint8_t *p;

	if (!r || !ret)
		return -EINVAL;
	if (r->status != FEIG_OK)
		return -EPROTO;
	if (r->data_len < SOFTWARE_VERSION_LEN)
		return -EBADMSG;
	p = r->data;
	ret->sw_rev = (uint16_t)(p[0] << 8 | p[1]);
	ret->d_rev = p[2];
	ret->hw_type = p[3];
	ret->sw_type = p[4];
	ret->tr_types = (uint16_t)(p[5] << 8 | p[6]);
	return 0;
}

int feig_parse_eas_alarm(const struct feig_response *r)
{
	if (!r)
		return -EINVAL;
	if (r->status == FEIG_OK)
		return 1;
	if (r->status == FEIG_NO_TRANSPONDER)
		return 0;
	return -EPROTO;
}
