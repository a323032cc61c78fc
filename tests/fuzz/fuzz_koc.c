/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzzes koc_line(): byte 0 picks the kind and the buffer size, bytes 1-8
 * the wall time, the rest is "patron\0item". Checks what a line promises:
 * one per call, ending in its only "\n", the right number of tabs (no
 * field smuggles one in), the length returned, and nothing past size.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../firmware/koc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool tz_set;
	char out[KOC_LINE_MAX + 8];
	size_t out_size, rest_len, patron_len;
	const char *rest, *nul;
	struct txn t;
	uint64_t wall = 0;
	int n, tabs = 0;

	if (size < 9)
		return 0;
	if (!tz_set) {
		setenv("TZ", "UTC0", 1);
		tzset();
		tz_set = true;
	}
	memset(&t, 0, sizeof(t));
	t.kind = (enum txn_kind)(data[0] % 4); /* 3: not a kind */
	out_size = (data[0] & 0x80) ? (size_t)(data[0] & 0x3f) : sizeof(out) - 8;
	for (int i = 0; i < 8; i++)
		wall = wall << 8 | data[1 + i];
	/* Mostly plausible dates, sometimes anything at all. */
	t.wall_ms = (data[0] & 0x40) ? (int64_t)wall : (int64_t)(wall % 400000000000000ULL);
	rest = (const char *)data + 9;
	rest_len = size - 9;
	nul = memchr(rest, '\0', rest_len);
	patron_len = nul ? (size_t)(nul - rest) : 0;
	if (patron_len > PATRON_ID_MAX)
		patron_len = PATRON_ID_MAX;
	memcpy(t.patron, rest, patron_len);
	if (nul) {
		rest_len -= (size_t)(nul - rest) + 1;
		rest = nul + 1;
	}
	memcpy(t.item, rest, rest_len > SCAN_TEXT_MAX ? SCAN_TEXT_MAX : rest_len);

	memset(out, 0x5a, sizeof(out));
	n = koc_line(&t, out, out_size);
	for (size_t i = out_size; i < sizeof(out); i++)
		if (out[i] != 0x5a)
			abort();
	if (n < 0) {
		if (n != -EINVAL && n != -ENOBUFS)
			abort();
		if (n == -ENOBUFS && out_size && out[0] != '\0')
			abort();
		return 0;
	}
	if ((size_t)n >= out_size || strlen(out) != (size_t)n || n < 25 || out[n - 1] != '\n' ||
	    strchr(out, '\n') != out + n - 1 || strchr(out, '\r'))
		abort();
	for (int i = 0; i < n; i++)
		tabs += out[i] == '\t';
	if (tabs != (t.kind == TXN_CHECKIN ? 2 : 3))
		abort();
	if (strncmp(out + 23, t.kind == TXN_CHECKIN ? "\treturn\t" : "\tissue\t",
		    t.kind == TXN_CHECKIN ? 8 : 7) != 0)
		abort();
	return 0;
}
