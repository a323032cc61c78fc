/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzzes the FEIG ISO host codec (hal/feig-frame.h). The first byte picks
 * how the rest is cut into reads for the streaming splitter; every frame
 * the splitter hands out must decode the same on its own, re-encode to the
 * same bytes, and go through every response parser without reading past
 * it, whose results must stay within their documented bounds.
 *
 * With the first byte's top bit set, the rest is a response's body instead
 * (status and data), framed here with a good CRC: random bytes rarely carry
 * one, and the parsers behind the CRC deserve the mutations too.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../hal/feig-frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_parsers(const struct feig_frame *f)
{
	static struct feig_inventory inv;
	static struct feig_blocks blocks;
	struct feig_system_info info;
	struct feig_software_version version;
	struct feig_error_detail detail;
	struct feig_response resp;
	int r;

	if (feig_response_from_frame(f, &resp) < 0) {
		if (f->data_len != 0)
			abort();
		return;
	}
	if (resp.data_len + 1 != f->data_len)
		abort();
	r = feig_parse_inventory(&resp, &inv);
	if (r == 0 && (inv.count > FEIG_INVENTORY_MAX || inv.count * 10 + 1 > resp.data_len + 1))
		abort();
	if (r < 0 && r != -EPROTO && r != -EBADMSG && r != -ENOTSUP)
		abort();
	r = feig_parse_read_blocks(&resp, &blocks);
	if (r == 0 && (size_t)blocks.count * blocks.block_size > sizeof(blocks.data))
		abort();
	r = feig_parse_system_info(&resp, &info);
	if (r == 0 && (info.block_size < 1 || info.block_size > 32 || info.block_count < 1))
		abort();
	feig_parse_software_version(&resp, &version);
	feig_parse_error_detail(&resp, &detail);
	if (detail.has_block && resp.data_len < 1)
		abort();
	r = feig_parse_eas_alarm(&resp);
	if (r > 1)
		abort();
}

static void check_frame(const struct feig_frame *f)
{
	static uint8_t again[FEIG_SPLITTER_MAX];
	struct feig_frame g;
	int n;

	n = feig_frame_encode(f->kind, f->com_adr, f->control, f->data, f->data_len, again,
			      sizeof(again));
	if (n < 0 || (size_t)n != f->frame_len)
		abort();
	if (feig_frame_decode(again, (size_t)n, &g) != n || g.data_len != f->data_len ||
	    memcmp(g.data, f->data, f->data_len) != 0)
		abort();
	check_parsers(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct feig_splitter s;
	struct feig_frame f;
	size_t chunk, at = 1;
	int r;

	if (size < 1)
		return 0;
	if (data[0] & 0x80) {
		static uint8_t framed[FEIG_SPLITTER_MAX];
		enum feig_frame_kind kind =
			data[0] & 0x40 ? FEIG_FRAME_ADVANCED : FEIG_FRAME_STANDARD;
		uint8_t control = data[0] & 0x20 ? FEIG_CMD_ISO_CUSTOM : FEIG_CMD_ISO;

		r = feig_frame_encode(kind, 0, control, data + 1, size - 1, framed, sizeof(framed));
		if (r == -EMSGSIZE || r == -ENOSPC)
			return 0;
		if (r < 0 || feig_frame_decode(framed, (size_t)r, &f) != r)
			abort();
		check_frame(&f);
		return 0;
	}
	chunk = 1 + data[0] % 32;
	feig_splitter_init(&s);
	while (at < size) {
		size_t want = size - at < chunk ? size - at : chunk;
		size_t took = feig_splitter_feed(&s, data + at, want);

		at += took;
		while ((r = feig_splitter_next(&s, &f)) != 0) {
			if (r < 0) {
				if (r != -EBADMSG)
					abort();
				continue;
			}
			/* the frame lies inside what was buffered, CRC included */
			if (f.data < s.buf || f.data + f.data_len + 2 > s.buf + s.len)
				abort();
			check_frame(&f);
		}
		if (!took && !feig_splitter_drop_byte(&s))
			abort(); /* a full buffer always holds something to drop */
	}
	/* the same input decoded in one piece, with no splitter */
	r = feig_frame_decode(data + 1, size - 1, &f);
	if (r > 0)
		check_frame(&f);
	else if (r != -EAGAIN && r != -EBADMSG)
		abort();
	return 0;
}
