/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzzes the 3M 810 pad codec: the input is a byte stream from the pad, fed
 * to the splitter in chunks the first byte chooses. Every frame it returns
 * must decode again and re-encode to the same bytes, and its answer parse
 * must stay inside the frame; the stream is also decoded and parsed whole.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../hal/m3-frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_reply(const struct m3_frame *f)
{
	struct m3_reply reply;
	int r = m3_reply_parse(f, &reply);

	if (r != 0 && r != -EBADMSG && r != -EPROTO)
		abort();
	if (r == 0 && reply.kind == M3_REPLY_INVENTORY &&
	    (reply.inventory.n > reply.inventory.count ||
	     reply.inventory.more != (reply.inventory.n < reply.inventory.count)))
		abort();
}

static void check_frame(const struct m3_frame *f)
{
	static uint8_t out[M3_FRAME_MAX];
	struct m3_frame again;
	int n = m3_frame_encode(f->start, f->cmd, f->body, f->body_len, out, sizeof(out));

	if (n != (int)(f->body_len + M3_OVERHEAD) || m3_frame_decode(out, (size_t)n, &again))
		abort();
	if (again.cmd != f->cmd || again.body_len != f->body_len ||
	    memcmp(again.body, f->body, f->body_len))
		abort();
	check_reply(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct m3_splitter splitter;
	struct m3_frame f;
	size_t chunk, at = 0;

	if (size < 1)
		return 0;
	chunk = 1 + data[0] % 16;
	data++;
	size--;
	if (m3_frame_decode(data, size, &f) == 0)
		check_frame(&f);

	m3_splitter_init(&splitter);
	while (at < size) {
		size_t n = size - at < chunk ? size - at : chunk, used;
		int r;

		do {
			r = m3_splitter_next(&splitter, data + at, n, &used, &f);
			if (used > n)
				abort();
			at += used;
			n -= used;
			if (r == 1)
				check_frame(&f);
			else if (r != 0 && r != -EBADMSG)
				abort();
		} while (r != 0);
	}
	return 0;
}
