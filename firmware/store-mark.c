/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "store-mark.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

#define MARK_MAGIC "circd-mark 1 "
#define MARK_MAGIC_LEN (sizeof(MARK_MAGIC) - 1)
#define MARK_DIGITS 20
/* magic, seq, space, state, space, checksum, newline */
#define MARK_SUMMED_LEN (MARK_MAGIC_LEN + MARK_DIGITS + 2)
#define MARK_LINE_LEN (MARK_SUMMED_LEN + 1 + 8 + 1)

static const char state_letters[] = { [STORE_MARK_PENDING] = 'p', [STORE_MARK_ACKED] = 'a',
				       [STORE_MARK_CLEAN] = 'c' };

_Static_assert(MARK_LINE_LEN <= STORE_MARK_SLOT, "a mark line fits its slot");

static uint32_t fnv1a(const char *s, size_t len)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

int store_mark_format(const struct store_mark *mark, char out[STORE_MARK_SLOT])
{
	char line[MARK_LINE_LEN + 1];
	int n;

	if (!mark || mark->seq < 0 || (unsigned)mark->state >= sizeof(state_letters))
		return -EINVAL;
	n = snprintf(line, sizeof(line), MARK_MAGIC "%020lld %c", (long long)mark->seq,
		     state_letters[mark->state]);
	snprintf(line + n, sizeof(line) - (size_t)n, " %08x\n", fnv1a(line, (size_t)n));
	memset(out, ' ', STORE_MARK_SLOT);
	memcpy(out, line, MARK_LINE_LEN);
	out[STORE_MARK_SLOT - 1] = '\n';
	return 0;
}

static bool slot_parse(const char *s, struct store_mark *mark)
{
	const char *digits = s + MARK_MAGIC_LEN, *state = digits + MARK_DIGITS + 1;
	const char *sum = s + MARK_SUMMED_LEN + 1;
	uint64_t value = 0;
	uint32_t want = 0;
	int letter = -1;

	if (memcmp(s, MARK_MAGIC, MARK_MAGIC_LEN) != 0 || digits[MARK_DIGITS] != ' ' ||
	    state[1] != ' ' || sum[8] != '\n')
		return false;
	for (int i = 0; i < MARK_DIGITS; i++) {
		if (digits[i] < '0' || digits[i] > '9')
			return false;
		/* 20 digits may exceed int64: refuse rather than wrap */
		if (value > ((uint64_t)INT64_MAX - (uint64_t)(digits[i] - '0')) / 10)
			return false;
		value = value * 10 + (uint64_t)(digits[i] - '0');
	}
	for (int i = 0; i < (int)sizeof(state_letters); i++)
		if (*state == state_letters[i])
			letter = i;
	if (letter < 0)
		return false;
	for (int i = 0; i < 8; i++) {
		int d = hex_digit_value(sum[i]);

		if (d < 0)
			return false;
		want = want << 4 | (uint32_t)d;
	}
	if (fnv1a(s, MARK_SUMMED_LEN) != want)
		return false;
	mark->seq = (int64_t)value;
	mark->state = (enum store_mark_state)letter;
	return true;
}

int store_mark_parse(const char *buf, size_t len, struct store_mark *ret)
{
	struct store_mark best = { 0 };
	bool found = false;

	for (size_t off = 0; off < 2 * STORE_MARK_SLOT_STRIDE; off += STORE_MARK_SLOT_STRIDE) {
		struct store_mark slot;

		if (!buf || off + MARK_LINE_LEN > len)
			break;
		if (!slot_parse(buf + off, &slot))
			continue;
		if (!found || slot.seq > best.seq ||
		    (slot.seq == best.seq && slot.state > best.state))
			best = slot;
		found = true;
	}
	if (!found)
		return -EBADMSG;
	*ret = best;
	return 0;
}
