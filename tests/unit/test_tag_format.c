/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which decoder tag_decode() picks. The ISO 28560-2 decoder is replaced
 * here by a test double (defined below, so the linker takes it instead of
 * hal/iso28560-2.o from libcirc.a): these tests are about the choice, and
 * the -2 decoder has its own.
 */
#include <errno.h>
#include <stdint.h>

#include "../../hal/iso28560-2.h"
#include "../../hal/iso28560-3.h"
#include "../../hal/tag-format.h"
#include "testlib.h"

static unsigned fake2_calls;

/*
 * Accepts memory that starts like the primary item identifier's data set
 * in ISO 28560-2's annex D example (precursor 0x91: an offset byte follows,
 * relative OID 1; offset 00, 5 bytes of compacted data), refuses anything
 * else with a reason.
 */
int iso28560_2_decode(const uint8_t *mem, size_t len, struct tag_data *out, char *why,
		      size_t why_size)
{
	fake2_calls++;
	memset(out, 0, sizeof(*out));
	if (len < 3 || mem[0] != 0x91 || mem[1] != 0x00 || mem[2] != 0x05) {
		snprintf(why, why_size, "no precursor");
		strcpy(out->item_id, "half-filled"); /* tag_decode() must not pass this on */
		return -EBADMSG;
	}
	out->model = TAG_MODEL_28560_2;
	strcpy(out->item_id, "from-2");
	return 0;
}

/*
 * That data set, 91 00 05 1C BE 99 1A 14, as ISO 28560-2 annex D table D.5
 * shows it (public in its Russian adoption, GOST R ISO 28560-2-2014), the
 * rest of a 32-byte tag left 0.
 */
static const uint8_t annex_d_2[32] = { 0x91, 0x00, 0x05, 0x1C, 0xBE, 0x99, 0x1A, 0x14 };

/* A 32-byte ISO 28560-3 tag from libdanrfid's tests (see test_iso28560_3.c) */
static const uint8_t danish_3[32] = {
	0x11, 0x01, 0x01, '1', '1', '2', '2', '3', '3', '4', '4', 0, 0, 0, 0, 0,
	0,    0,    0,    0x51, 0x3E, 'D', 'E', '7', '0', '5', 0, 0, 0, 0, 0, 0,
};

static void test_choice_names(void)
{
	enum tag_model_choice c = TAG_MODEL_CHOICE_AUTO;

	CHECK_INT(tag_model_choice_from_name("iso28560-3", &c), 0);
	CHECK_INT(c, TAG_MODEL_CHOICE_28560_3);
	for (int i = TAG_MODEL_CHOICE_AUTO; i <= TAG_MODEL_CHOICE_28560_3; i++) {
		CHECK_INT(tag_model_choice_from_name(tag_model_choice_name(i), &c), 0);
		CHECK_INT(c, i);
	}
	CHECK_STR(tag_model_choice_name(TAG_MODEL_CHOICE_AUTO), "auto");
	CHECK_STR(tag_model_choice_name(TAG_MODEL_CHOICE_28560_2), "iso28560-2");
	CHECK_STR(tag_model_choice_name((enum tag_model_choice)7), "unknown");
	CHECK_INT(tag_model_choice_from_name("28560-3", &c), -EINVAL);
	CHECK_INT(tag_model_choice_from_name(NULL, &c), -EINVAL);
	CHECK_INT(tag_model_choice_from_name("auto", NULL), -EINVAL);
}

static void test_dsfid_and_blank(void)
{
	static const uint8_t zeros[32], ones[4] = { 0xFF, 0xFF, 0xFF, 0xFF };
	static const uint8_t mixed[3] = { 0x00, 0x00, 0xFF };

	CHECK(tag_dsfid_is_28560_2(0x06));
	CHECK(tag_dsfid_is_28560_2(0x3E));
	CHECK(!tag_dsfid_is_28560_2(0x00));
	CHECK(!tag_dsfid_is_28560_2(0x46));
	CHECK(tag_memory_blank(zeros, sizeof(zeros)));
	CHECK(tag_memory_blank(ones, sizeof(ones)));
	CHECK(tag_memory_blank(zeros, 0));
	CHECK(!tag_memory_blank(mixed, sizeof(mixed)));
	CHECK(!tag_memory_blank(danish_3, sizeof(danish_3)));
}

static void test_auto_by_content(void)
{
	struct tag_data t;
	char why[256];

	/* DSFID 00, CRC checks: -3, and the -2 decoder is not asked */
	fake2_calls = 0;
	CHECK_INT(tag_decode(TAG_MODEL_CHOICE_AUTO, 0x00, danish_3, 32, &t, why, sizeof(why)), 0);
	CHECK_STR(why, "");
	CHECK_INT(t.model, TAG_MODEL_28560_3);
	CHECK_STR(t.item_id, "11223344");
	CHECK_INT(fake2_calls, 0);
	/* DSFID 00, a -2 precursor: -2 */
	CHECK_INT(tag_decode(TAG_MODEL_CHOICE_AUTO, 0x00, annex_d_2, 32, &t, why, sizeof(why)), 0);
	CHECK_INT(t.model, TAG_MODEL_28560_2);
	CHECK_STR(t.item_id, "from-2");
	CHECK_INT(tag_model_detect(TAG_MODEL_CHOICE_AUTO, 0x00, annex_d_2, 32), TAG_MODEL_28560_2);
	CHECK_INT(tag_model_detect(TAG_MODEL_CHOICE_AUTO, 0x00, danish_3, 32), TAG_MODEL_28560_3);
}

static void test_auto_by_dsfid(void)
{
	struct tag_data t;
	char why[256];

	fake2_calls = 0;
	CHECK_INT(tag_decode(TAG_MODEL_CHOICE_AUTO, 0x06, annex_d_2, 32, &t, why, sizeof(why)), 0);
	CHECK_INT(t.model, TAG_MODEL_28560_2);
	CHECK_INT(fake2_calls, 1);
	/* a -2 DSFID over a -3 block whose CRC checks: -3 was written over it */
	CHECK_INT(tag_decode(TAG_MODEL_CHOICE_AUTO, 0x3E, danish_3, 32, &t, why, sizeof(why)), 0);
	CHECK_INT(t.model, TAG_MODEL_28560_3);
	CHECK_STR(t.item_id, "11223344");
	/* a -2 DSFID and neither fits: the -2 decoder's reason */
	{
		uint8_t mem[32];

		memcpy(mem, danish_3, sizeof(mem));
		mem[4] ^= 0x01;
		CHECK_INT(tag_decode(TAG_MODEL_CHOICE_AUTO, 0x06, mem, 32, &t, why, sizeof(why)),
			  -EBADMSG);
		CHECK_STR(why, "ISO 28560-2 (DSFID 0x06): no precursor");
		CHECK_STR(t.item_id, "");
		CHECK_INT(t.model, TAG_MODEL_UNKNOWN);
	}
}

static void test_auto_neither(void)
{
	struct tag_data t;
	uint8_t mem[32];
	char why[256];

	/* a damaged -3 tag: both reasons, the CRC one first */
	memcpy(mem, danish_3, sizeof(mem));
	mem[4] ^= 0x01;
	CHECK_INT(tag_decode(TAG_MODEL_CHOICE_AUTO, 0x00, mem, 32, &t, why, sizeof(why)),
		  -EBADMSG);
	CHECK_STR(why, "neither data model fits (DSFID 0x00): ISO 28560-3: damaged tag (CRC "
		       "0x3E51 on the tag, 0x1AC5 computed); ISO 28560-2: no precursor");
	CHECK_STR(t.item_id, "");
	CHECK_INT(tag_model_detect(TAG_MODEL_CHOICE_AUTO, 0x00, mem, 32), TAG_MODEL_UNKNOWN);
	/* why is cut, never overrun */
	CHECK_INT(tag_decode(TAG_MODEL_CHOICE_AUTO, 0x00, mem, 32, &t, why, 8), -EBADMSG);
	CHECK_STR(why, "neither");
}

static void test_configured_choice_wins(void)
{
	struct tag_data t;
	char why[256];

	/* -3 configured: a -2 tag is refused by -3's CRC, even with a -2 DSFID */
	fake2_calls = 0;
	CHECK_INT(tag_decode(TAG_MODEL_CHOICE_28560_3, 0x06, annex_d_2, 32, &t, why, sizeof(why)),
		  -EBADMSG);
	CHECK(strncmp(why, "damaged tag (CRC ", 17) == 0);
	CHECK_INT(fake2_calls, 0);
	CHECK_INT(tag_decode(TAG_MODEL_CHOICE_28560_3, 0x06, danish_3, 32, &t, why, sizeof(why)),
		  0);
	CHECK_INT(t.model, TAG_MODEL_28560_3);
	/* -2 configured: a -3 tag goes to the -2 decoder only */
	CHECK_INT(tag_decode(TAG_MODEL_CHOICE_28560_2, 0x00, danish_3, 32, &t, why, sizeof(why)),
		  -EBADMSG);
	CHECK_STR(why, "no precursor");
	CHECK_STR(t.item_id, "");
	CHECK_INT(tag_decode(TAG_MODEL_CHOICE_28560_2, 0x00, annex_d_2, 32, &t, why, sizeof(why)),
		  0);
	CHECK_INT(t.model, TAG_MODEL_28560_2);
	CHECK_STR(why, "");
	CHECK_INT(tag_model_detect(TAG_MODEL_CHOICE_28560_2, 0x00, danish_3, 32),
		  TAG_MODEL_UNKNOWN);
}

static void test_blank_and_bad_arguments(void)
{
	static const uint8_t zeros[32];
	uint8_t ff[32];
	struct tag_data t;
	char why[128];

	memset(ff, 0xFF, sizeof(ff));
	for (int c = TAG_MODEL_CHOICE_AUTO; c <= TAG_MODEL_CHOICE_28560_3; c++) {
		CHECK_INT(tag_decode(c, 0x00, zeros, 32, &t, why, sizeof(why)), -ENODATA);
		CHECK_STR(why, "blank tag (nothing written)");
		CHECK_INT(tag_decode(c, 0x06, ff, 32, &t, why, sizeof(why)), -ENODATA);
	}
	CHECK_INT(tag_decode(TAG_MODEL_CHOICE_AUTO, 0, NULL, 32, &t, why, sizeof(why)), -EINVAL);
	CHECK_INT(tag_decode(TAG_MODEL_CHOICE_AUTO, 0, danish_3, 32, NULL, why, sizeof(why)),
		  -EINVAL);
	CHECK_INT(tag_decode((enum tag_model_choice)9, 0, danish_3, 32, &t, why, sizeof(why)),
		  -EINVAL);
	CHECK_STR(why, "data model choice 9 unknown");
	/* short memory: -3's reason, never a read past len */
	CHECK_INT(tag_decode(TAG_MODEL_CHOICE_28560_3, 0, danish_3, 20, &t, why, sizeof(why)),
		  -ENODATA);
	CHECK_INT(tag_decode(TAG_MODEL_CHOICE_AUTO, 0, danish_3, 20, &t, NULL, 0), -EBADMSG);
}

int main(void)
{
	RUN(test_choice_names);
	RUN(test_dsfid_and_blank);
	RUN(test_auto_by_content);
	RUN(test_auto_by_dsfid);
	RUN(test_auto_neither);
	RUN(test_configured_choice_wins);
	RUN(test_blank_and_bad_arguments);
	return testlib_finish();
}
