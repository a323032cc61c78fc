/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The rfid wrapper: a reader is its backend and that backend's handle, so
 * firmware calls rfid_*() and never names a backend or checks for NULL.
 */
#include "rfid.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hal.h"
#include "util.h"

struct rfid_reader {
	const struct rfid_ops *ops;
	void *handle;
};

int rfid_open(const struct hal_env *env, const struct board *board, const struct board_rfid *def,
	      const struct rfid_events *events, void *data, struct rfid_reader **ret,
	      struct file_error *err)
{
	const char *protocol = board_rfid_protocol_name(def->protocol);
	const struct rfid_ops *ops = hal_rfid_backend(protocol);

	*ret = NULL;
	if (!ops) {
		file_error_set(err, board->path, def->src_line,
			       "[rfid %s] protocol = %s: not supported by this build", def->name,
			       protocol);
		return -ENOENT;
	}
	return rfid_open_backend(ops, env, board, def, events, data, ret, err);
}

int rfid_open_backend(const struct rfid_ops *ops, const struct hal_env *env,
		      const struct board *board, const struct board_rfid *def,
		      const struct rfid_events *events, void *data, struct rfid_reader **ret,
		      struct file_error *err)
{
	struct rfid_reader *reader;
	int r;

	*ret = NULL;
	reader = calloc(1, sizeof(*reader));
	if (!reader) {
		file_error_set(err, board->path, def->src_line, "[rfid %s]: out of memory",
			       def->name);
		return -ENOMEM;
	}
	reader->ops = ops;
	r = reader->ops->open(env, board, def, events, data, &reader->handle, err);
	if (r < 0)
		goto err_free;
	*ret = reader;
	return 0;

err_free:
	free(reader);
	return r;
}

void rfid_close(struct rfid_reader *reader)
{
	if (!reader)
		return;
	reader->ops->close(reader->handle);
	free(reader);
}

void rfid_set_active(struct rfid_reader *reader, bool active)
{
	if (reader && reader->ops->set_active)
		reader->ops->set_active(reader->handle, active);
}

/* The one way into a backend's submit(), NULL-safe as rfid.h promises; req gets uid here. */
static int submit(struct rfid_reader *reader, const uint8_t uid[RFID_UID_LEN],
		  struct rfid_request *req)
{
	if (!reader)
		return -ENODEV;
	if (!reader->ops->submit)
		return -EOPNOTSUPP;
	memcpy(req->uid, uid, RFID_UID_LEN);
	return reader->ops->submit(reader->handle, req);
}

int rfid_read_blocks(struct rfid_reader *reader, const uint8_t uid[RFID_UID_LEN],
		     unsigned first_block, unsigned n_blocks, rfid_done_fn done, void *data)
{
	struct rfid_request req = { .op = RFID_OP_READ_BLOCKS, .first_block = first_block,
				    .n_blocks = n_blocks, .done = done, .data = data };

	return submit(reader, uid, &req);
}

int rfid_write_blocks(struct rfid_reader *reader, const uint8_t uid[RFID_UID_LEN],
		      unsigned first_block, const uint8_t *bytes, size_t len, rfid_done_fn done,
		      void *data)
{
	struct rfid_request req = { .op = RFID_OP_WRITE_BLOCKS, .first_block = first_block,
				    .len = len, .done = done, .data = data };

	if (!reader)
		return -ENODEV;
	/* every backend refused these; the request's copy needs them checked first */
	if (!bytes || !len || len > RFID_MEM_MAX)
		return -EINVAL;
	memcpy(req.bytes, bytes, len);
	return submit(reader, uid, &req);
}

int rfid_write_afi(struct rfid_reader *reader, const uint8_t uid[RFID_UID_LEN], uint8_t afi,
		   rfid_done_fn done, void *data)
{
	struct rfid_request req = { .op = RFID_OP_WRITE_AFI, .afi = afi,
				    .done = done, .data = data };

	return submit(reader, uid, &req);
}

int rfid_read_state(struct rfid_reader *reader, const uint8_t uid[RFID_UID_LEN],
		    rfid_done_fn done, void *data)
{
	struct rfid_request req = { .op = RFID_OP_READ_STATE, .done = done, .data = data };

	return submit(reader, uid, &req);
}

int rfid_set_eas(struct rfid_reader *reader, const uint8_t uid[RFID_UID_LEN], bool on,
		 rfid_done_fn done, void *data)
{
	struct rfid_request req = { .op = RFID_OP_SET_EAS, .eas_on = on,
				    .done = done, .data = data };

	return submit(reader, uid, &req);
}

void rfid_status(struct rfid_reader *reader, struct rfid_status *out)
{
	memset(out, 0, sizeof(*out));
	if (reader && reader->ops->status)
		reader->ops->status(reader->handle, out);
}

void rfid_uid_format(const uint8_t uid[RFID_UID_LEN], char out[RFID_UID_HEX_LEN + 1])
{
	static const char digits[] = "0123456789ABCDEF";

	for (size_t i = 0; i < RFID_UID_LEN; i++) {
		out[2 * i] = digits[uid[i] >> 4];
		out[2 * i + 1] = digits[uid[i] & 0xf];
	}
	out[RFID_UID_HEX_LEN] = '\0';
}

int rfid_uid_parse(const char *hex, size_t len, uint8_t uid[RFID_UID_LEN])
{
	uint8_t out[RFID_UID_LEN];

	if (len != RFID_UID_HEX_LEN)
		return -EINVAL;
	for (size_t i = 0; i < RFID_UID_LEN; i++) {
		int hi = hex_digit_value(hex[2 * i]), lo = hex_digit_value(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	memcpy(uid, out, RFID_UID_LEN);
	return 0;
}

const char *rfid_eas_name(enum rfid_eas eas)
{
	switch (eas) {
	case RFID_EAS_OFF:
		return "off";
	case RFID_EAS_ON:
		return "on";
	case RFID_EAS_UNKNOWN:
		break;
	}
	return "unknown";
}

const char *rfid_op_name(enum rfid_op op)
{
	static const char *const names[] = {
		[RFID_OP_READ_BLOCKS] = "read blocks", [RFID_OP_WRITE_BLOCKS] = "write blocks",
		[RFID_OP_WRITE_AFI] = "write AFI",     [RFID_OP_SET_EAS] = "set EAS",
		[RFID_OP_READ_STATE] = "read state",
	};

	if ((size_t)op >= sizeof(names) / sizeof(names[0]) || !names[op])
		return "operation";
	return names[op];
}
