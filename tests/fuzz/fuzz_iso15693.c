/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzzes the ISO/IEC 15693-3 response parsers and request builders. The
 * first byte picks the block size and whether blocks carry a security
 * status; the rest is a response frame as a reader would hand it over.
 * Checks what the parsers promise: a response is accepted only with a
 * correct CRC, fields stay within the payload, a block count matches the
 * payload; and that every request built from these bytes carries its CRC
 * and fits the buffer it was given.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../hal/iso15693.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_request(int r, const uint8_t *out, size_t out_size)
{
	if (r == -ENOSPC || r == -EINVAL)
		return;
	if (r < 3 || (size_t)r > out_size || !iso15693_crc_ok(out, (size_t)r))
		abort();
}

static void build_requests(const uint8_t *p, size_t n)
{
	uint8_t uid[ISO15693_UID_LEN] = { 0 }, out[48], block[ISO15693_BLOCK_MAX] = { 0 };
	const uint8_t *addr = NULL;
	size_t out_size;

	if (n < 4)
		return;
	if (n >= 4 + ISO15693_UID_LEN) {
		memcpy(uid, p + 4, ISO15693_UID_LEN);
		addr = uid;
	}
	out_size = p[3] % sizeof(out);
	check_request(iso15693_build_inventory(p[0] & 0x07, p[1] & 1, p[2], out, out_size), out,
		      out_size);
	check_request(iso15693_build_read_single_block(p[0] & 0x03, addr, p[1], p[2] & 1, out,
						       out_size),
		      out, out_size);
	check_request(iso15693_build_read_multiple_blocks(p[0] & 0x03, addr, p[1], p[2] + 1u,
							  p[3] & 1, out, out_size),
		      out, out_size);
	check_request(iso15693_build_write_single_block(p[0] & 0x03, addr, p[1], block,
							p[2] % (ISO15693_BLOCK_MAX + 2), out,
							out_size),
		      out, out_size);
	check_request(iso15693_build_write_afi(p[0] & 0x03, addr, p[1], out, out_size), out,
		      out_size);
	check_request(iso15693_build_lock_afi(p[0] & 0x03, addr, out, out_size), out, out_size);
	check_request(iso15693_build_get_system_info(p[0] & 0x03, addr, out, out_size), out,
		      out_size);
	check_request(iso15693_build_nxp_eas(p[0] & 0x03, addr, (enum iso15693_command)p[1], out,
					     out_size),
		      out, out_size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct iso15693_response resp;
	struct iso15693_inventory inv;
	struct iso15693_system_info info;
	uint8_t blocks[256 * ISO15693_BLOCK_MAX], security[256];
	size_t block_size;
	int r;

	if (size < 1)
		return 0;
	block_size = (size_t)(data[0] & 0x1f) + 1;
	build_requests(data + 1, size - 1);

	r = iso15693_parse_response(data + 1, size - 1, &resp);
	if (r == -EREMOTEIO) {
		if (!(resp.flags & ISO15693_RESP_ERROR) || resp.payload_len != 0)
			abort();
		return 0;
	}
	if (r < 0) {
		if (r != -EBADMSG)
			abort();
		return 0;
	}
	if (!iso15693_crc_ok(data + 1, size - 1) || resp.payload_len != size - 4 ||
	    resp.payload != data + 2)
		abort();
	if (iso15693_parse_inventory(&resp, &inv) == 0 &&
	    (resp.payload_len != 9 || inv.uid[7] != ISO15693_UID_TOP_BYTE))
		abort();
	if (iso15693_parse_system_info(&resp, &info) == 0) {
		if ((info.info_flags & ISO15693_INFO_MEMORY) &&
		    (info.block_count < 1 || info.block_count > 256 || info.block_size < 1 ||
		     info.block_size > ISO15693_BLOCK_MAX))
			abort();
	}
	r = iso15693_parse_blocks(&resp, block_size, data[0] & 0x80, blocks, sizeof(blocks),
				  security, sizeof(security));
	if (r >= 0 && (size_t)r * (block_size + (data[0] & 0x80 ? 1 : 0)) != resp.payload_len)
		abort();
	/* too small a buffer is refused, never overrun */
	r = iso15693_parse_blocks(&resp, block_size, data[0] & 0x40, blocks, data[0] & 0x3f, NULL,
				  0);
	if (r >= 0 && (size_t)r * block_size > (size_t)(data[0] & 0x3f))
		abort();
	iso15693_parse_empty(&resp);
	iso15693_parse_nxp_eas_alarm(&resp);
	return 0;
}
