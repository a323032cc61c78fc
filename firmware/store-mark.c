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
/* A pending mark's count, after the line: "n", 3 digits, space, checksum, newline */
#define CARRIES_DIGITS 3
#define CARRIES_SUMMED_LEN (MARK_LINE_LEN + 1 + CARRIES_DIGITS)
#define CARRIES_END (CARRIES_SUMMED_LEN + 1 + 8 + 1)

static const char state_letters[] = { [STORE_MARK_PENDING] = 'p', [STORE_MARK_ACKED] = 'a',
				       [STORE_MARK_CLEAN] = 'c' };

_Static_assert(CARRIES_END < STORE_MARK_SLOT, "a mark line and its count fit their slot");
_Static_assert(STORE_MARK_CARRIES_MAX < 1000, "the count has 3 digits");

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
	char line[CARRIES_END + 1];
	int n;

	if (!mark || mark->seq < 0 || (unsigned)mark->state >= sizeof(state_letters) ||
	    mark->carries > STORE_MARK_CARRIES_MAX ||
	    (mark->carries > 1 && (int64_t)mark->carries > mark->seq))
		return -EINVAL;
	n = snprintf(line, sizeof(line), MARK_MAGIC "%020lld %c", (long long)mark->seq,
		     state_letters[mark->state]);
	n += snprintf(line + n, sizeof(line) - (size_t)n, " %08x\n", fnv1a(line, (size_t)n));
	memset(out, ' ', STORE_MARK_SLOT);
	if (mark->state == STORE_MARK_PENDING && mark->carries > 1) {
		n += snprintf(line + n, sizeof(line) - (size_t)n, "n%03u", mark->carries);
		snprintf(line + n, sizeof(line) - (size_t)n, " %08x\n",
			 fnv1a(line, (size_t)n));
		memcpy(out, line, CARRIES_END);
	} else {
		memcpy(out, line, MARK_LINE_LEN);
	}
	out[STORE_MARK_SLOT - 1] = '\n';
	return 0;
}

static bool hex32_parse(const char *s, uint32_t *ret)
{
	uint32_t v = 0;

	for (int i = 0; i < 8; i++) {
		int d = hex_digit_value(s[i]);

		if (d < 0)
			return false;
		v = v << 4 | (uint32_t)d;
	}
	*ret = v;
	return true;
}

/* A pending mark's count after its line (s holds CARRIES_END bytes): 1 if none, or spoilt. */
static unsigned carries_parse(const char *s)
{
	const char *digits = s + MARK_LINE_LEN + 1;
	unsigned count = 0;
	uint32_t want;

	if (s[MARK_LINE_LEN] != 'n' || digits[CARRIES_DIGITS] != ' ' ||
	    s[CARRIES_END - 1] != '\n' || !hex32_parse(s + CARRIES_SUMMED_LEN + 1, &want) ||
	    fnv1a(s, CARRIES_SUMMED_LEN) != want)
		return 1;
	for (int i = 0; i < CARRIES_DIGITS; i++) {
		if (digits[i] < '0' || digits[i] > '9')
			return 1;
		count = count * 10 + (unsigned)(digits[i] - '0');
	}
	return count ? count : 1;
}

/* s has avail bytes, MARK_LINE_LEN at least. */
static bool slot_parse(const char *s, size_t avail, struct store_mark *mark)
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
	if (!hex32_parse(sum, &want) || fnv1a(s, MARK_SUMMED_LEN) != want)
		return false;
	mark->seq = (int64_t)value;
	mark->state = (enum store_mark_state)letter;
	mark->carries = 1;
	if (mark->state == STORE_MARK_PENDING && avail >= CARRIES_END)
		mark->carries = carries_parse(s);
	/* a count the seq cannot hold is not believed: the safe reading is 1 */
	if ((int64_t)mark->carries > mark->seq)
		mark->carries = 1;
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
		if (!slot_parse(buf + off, len - off, &slot))
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
