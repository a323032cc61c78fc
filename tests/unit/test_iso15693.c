/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdint.h>

#include "../../hal/iso15693.h"
#include "testlib.h"

/*
 * The UID of the public vector below: the tag an ST community user read with
 * a CR95HF ("CR95HF SendRecv Response for ISO-15693",
 * qa-community.st.com/st25-nfc-rfid-tags-and-readers-35/...-113842), printed
 * there as E004_0158_6DE0_2802 and sent least significant byte first.
 */
static const uint8_t st_uid[ISO15693_UID_LEN] = { 0x02, 0x28, 0xE0, 0x6D, 0x58, 0x01, 0x04, 0xE0 };

static bool bytes_equal(const uint8_t *a, int len, const uint8_t *b, size_t blen)
{
	return len >= 0 && (size_t)len == blen && memcmp(a, b, blen) == 0;
}

#define CHECK_FRAME(out, r, ...)                                                    \
	do {                                                                        \
		static const uint8_t want_[] = { __VA_ARGS__ };                     \
		CHECK_INT(r, (int)sizeof(want_));                                   \
		CHECK(bytes_equal(out, r, want_, sizeof(want_)));                   \
	} while (0)

static void test_crc_published_values(void)
{
	/*
	 * ST LRI512 / LRI64 data sheets, appendix B "C-example to calculate or
	 * check the CRC16 according to ISO/IEC 13239": data 01 02 03 04 is sent
	 * with 91 39, and a check over data and CRC leaves the residue 0xF0B8
	 * (0x0F47 after the ones' complement).
	 */
	static const uint8_t annex[] = { 1, 2, 3, 4, 0x91, 0x39 };
	/* CRC-16/ISO-HDLC (= ISO/IEC 13239, X.25) in the CRC RevEng catalogue: check 0x906E */
	static const uint8_t digits[] = "123456789";

	CHECK_INT(iso15693_crc(annex, 4), 0x3991);
	CHECK_INT(iso15693_crc(annex, 6), 0x0F47);
	CHECK(iso15693_crc_ok(annex, sizeof(annex)));
	CHECK_INT(iso15693_crc(digits, 9), 0x906E);
	CHECK_INT(iso15693_crc(NULL, 0), 0x0000); /* ~0xFFFF: nothing to check */
	CHECK(!iso15693_crc_ok(annex, 2));
	CHECK(!iso15693_crc_ok(NULL, 6));
}

static void test_uid_format(void)
{
	char text[ISO15693_UID_TEXT_SIZE];

	iso15693_uid_format(st_uid, text);
	CHECK_STR(text, "E00401586DE02802");
}

static void test_inventory_request(void)
{
	uint8_t out[16];
	int r;

	/*
	 * "26 01 00": high data rate, one slot, no AFI, mask length 0 -- the
	 * inventory the ST thread sends (CR95HF "SendRecv 26 01 00", which adds
	 * the CRC itself, F6 0A by the algorithm of the LRI512 appendix above).
	 */
	r = iso15693_build_inventory(ISO15693_REQ_HIGH_DATA_RATE, false, 0, out, sizeof(out));
	CHECK_FRAME(out, r, 0x26, 0x01, 0x00, 0xF6, 0x0A);
	CHECK(iso15693_crc_ok(out, (size_t)r));
	/* with AFI 0x07 (ISO 28560-1's "item in library, not checked out") */
	r = iso15693_build_inventory(ISO15693_REQ_HIGH_DATA_RATE, true, 0x07, out, sizeof(out));
	CHECK_INT(r, 6);
	CHECK_INT(out[0], 0x36);
	CHECK_INT(out[1], 0x01);
	CHECK_INT(out[2], 0x07);
	CHECK_INT(out[3], 0x00);
	CHECK(iso15693_crc_ok(out, (size_t)r));
	/* too small, wrong flags */
	CHECK_INT(iso15693_build_inventory(0x02, false, 0, out, 4), -ENOSPC);
	CHECK_INT(iso15693_build_inventory(0x02, false, 0, out, 5), 5);
	CHECK_INT(iso15693_build_inventory(0x06, false, 0, out, sizeof(out)), -EINVAL);
	CHECK_INT(iso15693_build_inventory(0x02, false, 0, NULL, 0), -EINVAL);
}

static void test_inventory_response(void)
{
	/* The ST thread's response: flags 00, DSFID 00, UID, then CRC D0 60 */
	static const uint8_t frame[] = { 0x00, 0x00, 0x02, 0x28, 0xE0, 0x6D, 0x58,
					 0x01, 0x04, 0xE0, 0xD0, 0x60 };
	struct iso15693_response resp;
	struct iso15693_inventory inv;
	uint8_t bad[sizeof(frame)];

	CHECK_INT(iso15693_parse_response(frame, sizeof(frame), &resp), 0);
	CHECK_INT(resp.flags, 0);
	CHECK_INT(resp.payload_len, 9);
	CHECK_INT(iso15693_parse_inventory(&resp, &inv), 0);
	CHECK_INT(inv.dsfid, 0);
	CHECK(memcmp(inv.uid, st_uid, ISO15693_UID_LEN) == 0);
	CHECK_INT(inv.uid[6], ISO15693_MFG_NXP);

	memcpy(bad, frame, sizeof(frame));
	bad[5] ^= 0x10; /* one bit flipped in the UID */
	CHECK_INT(iso15693_parse_response(bad, sizeof(bad), &resp), -EBADMSG);
	CHECK_INT(iso15693_parse_response(frame, 2, &resp), -EBADMSG);
	CHECK_INT(iso15693_parse_response(frame, 0, &resp), -EBADMSG);
	/* a correct frame whose UID does not end in E0 is no ISO 15693 UID */
	memcpy(bad, frame, sizeof(frame));
	bad[9] = 0xE1;
	{
		uint16_t crc = iso15693_crc(bad, 10);

		bad[10] = crc & 0xff;
		bad[11] = crc >> 8;
	}
	CHECK_INT(iso15693_parse_response(bad, sizeof(bad), &resp), 0);
	CHECK_INT(iso15693_parse_inventory(&resp, &inv), -EBADMSG);
	/* one byte short */
	CHECK_INT(iso15693_parse_response(frame, 9, &resp), -EBADMSG);
}

/* A response frame with its CRC, built here from flags and payload. */
static size_t response(uint8_t *out, uint8_t flags, const uint8_t *payload, size_t n)
{
	uint16_t crc;

	out[0] = flags;
	if (n)
		memcpy(out + 1, payload, n);
	crc = iso15693_crc(out, n + 1);
	out[n + 1] = crc & 0xff;
	out[n + 2] = crc >> 8;
	return n + 3;
}

static void test_error_response(void)
{
	static const uint8_t code = ISO15693_ERR_BLOCK_LOCKED;
	static const uint8_t two[] = { 0x12, 0x00 };
	struct iso15693_response resp;
	uint8_t frame[8];
	size_t n;

	n = response(frame, ISO15693_RESP_ERROR, &code, 1);
	CHECK_INT(iso15693_parse_response(frame, n, &resp), -EREMOTEIO);
	CHECK_INT(resp.error, 0x12);
	CHECK_INT(resp.payload_len, 0);
	CHECK_STR(iso15693_error_name(resp.error), "block locked, cannot be changed");
	CHECK_STR(iso15693_error_name(0x0F), "unknown error");
	CHECK_STR(iso15693_error_name(0xA7), "error 0xA7");
	/* the error flag with no code, or two */
	n = response(frame, ISO15693_RESP_ERROR, NULL, 0);
	CHECK_INT(iso15693_parse_response(frame, n, &resp), -EBADMSG);
	n = response(frame, ISO15693_RESP_ERROR, two, 2);
	CHECK_INT(iso15693_parse_response(frame, n, &resp), -EBADMSG);
}

static void test_read_requests(void)
{
	uint8_t out[32];
	int r;

	/* non-addressed read single block 0: 02 20 00 */
	r = iso15693_build_read_single_block(0x02, NULL, 0, false, out, sizeof(out));
	CHECK_INT(r, 5);
	CHECK_INT(out[0], 0x02);
	CHECK_INT(out[1], 0x20);
	CHECK_INT(out[2], 0x00);
	CHECK(iso15693_crc_ok(out, 5));
	/* addressed, with security status: 0x02 | address 0x20 | option 0x40 */
	r = iso15693_build_read_single_block(0x02, st_uid, 7, true, out, sizeof(out));
	CHECK_INT(r, 13);
	CHECK_INT(out[0], 0x62);
	CHECK_INT(out[1], 0x20);
	CHECK(memcmp(out + 2, st_uid, 8) == 0);
	CHECK_INT(out[10], 7);
	CHECK(iso15693_crc_ok(out, 13));
	/* read multiple: blocks 0..7 carried as first 0, count - 1 = 7 */
	r = iso15693_build_read_multiple_blocks(0x02, NULL, 0, 8, false, out, sizeof(out));
	CHECK_INT(r, 6);
	CHECK_INT(out[1], 0x23);
	CHECK_INT(out[2], 0);
	CHECK_INT(out[3], 7);
	CHECK_INT(iso15693_build_read_multiple_blocks(0x02, NULL, 0, 0, false, out, 32), -EINVAL);
	CHECK_INT(iso15693_build_read_multiple_blocks(0x02, NULL, 0, 257, false, out, 32), -EINVAL);
	CHECK_INT(iso15693_build_read_multiple_blocks(0x02, NULL, 250, 7, false, out, 32), -EINVAL);
	CHECK_INT(iso15693_build_read_multiple_blocks(0x02, NULL, 0, 256, false, out, 32), 6);
	CHECK_INT(out[3], 0xFF);
	CHECK_INT(iso15693_build_read_multiple_blocks(0x02, st_uid, 0, 8, false, out, 13), -ENOSPC);
	CHECK_INT(iso15693_build_read_multiple_blocks(0x02, st_uid, 0, 8, false, out, 14), 14);
}

static void test_write_requests(void)
{
	static const uint8_t block[4] = { 0x11, 0x01, 0x01, 0x31 };
	uint8_t out[32];
	int r;

	r = iso15693_build_write_single_block(0x02, st_uid, 0, block, 4, out, sizeof(out));
	CHECK_INT(r, 1 + 1 + 8 + 1 + 4 + 2);
	CHECK_INT(out[0], 0x22);
	CHECK_INT(out[1], 0x21);
	CHECK_INT(out[10], 0);
	CHECK(memcmp(out + 11, block, 4) == 0);
	CHECK(iso15693_crc_ok(out, (size_t)r));
	CHECK_INT(iso15693_build_write_single_block(0x02, NULL, 0, block, 0, out, 32), -EINVAL);
	CHECK_INT(iso15693_build_write_single_block(0x02, NULL, 0, block, 33, out, 32), -EINVAL);
	CHECK_INT(iso15693_build_write_single_block(0x02, NULL, 0, NULL, 4, out, 32), -EINVAL);

	/* write AFI 0xC2 (ISO 28560-1: item checked out; 0x07 while in the library) */
	r = iso15693_build_write_afi(0x02, NULL, 0xC2, out, sizeof(out));
	CHECK_INT(r, 5);
	CHECK_INT(out[0], 0x02);
	CHECK_INT(out[1], 0x27);
	CHECK_INT(out[2], 0xC2);
	CHECK(iso15693_crc_ok(out, (size_t)r));
	r = iso15693_build_lock_afi(0x02, st_uid, out, sizeof(out));
	CHECK_INT(r, 12);
	CHECK_INT(out[0], 0x22);
	CHECK_INT(out[1], 0x28);
	CHECK(iso15693_crc_ok(out, (size_t)r));
}

static void test_nxp_eas_requests(void)
{
	uint8_t out[32];
	int r;

	/*
	 * NXP ICODE SLIX data sheet (SL2S2002), custom commands: flags, command
	 * A2 (SET EAS) / A3 (RESET EAS) / A5 (EAS ALARM), IC manufacturer code
	 * 04, then the UID when addressed.
	 */
	r = iso15693_build_nxp_eas(0x02, NULL, ISO15693_CMD_NXP_SET_EAS, out, sizeof(out));
	CHECK_INT(r, 5);
	CHECK_INT(out[0], 0x02);
	CHECK_INT(out[1], 0xA2);
	CHECK_INT(out[2], 0x04);
	CHECK(iso15693_crc_ok(out, 5));
	r = iso15693_build_nxp_eas(0x02, st_uid, ISO15693_CMD_NXP_RESET_EAS, out, sizeof(out));
	CHECK_INT(r, 13);
	CHECK_INT(out[0], 0x22);
	CHECK_INT(out[1], 0xA3);
	CHECK_INT(out[2], 0x04);
	CHECK(memcmp(out + 3, st_uid, 8) == 0);
	r = iso15693_build_nxp_eas(0x02, NULL, ISO15693_CMD_NXP_EAS_ALARM, out, sizeof(out));
	CHECK_INT(r, 5);
	CHECK_INT(out[1], 0xA5);
	CHECK_INT(iso15693_build_nxp_eas(0x02, NULL, ISO15693_CMD_INVENTORY, out, 32), -EINVAL);
}

static void test_system_info(void)
{
	uint8_t out[32], frame[32];
	struct iso15693_response resp;
	struct iso15693_system_info info;
	size_t n;
	int r;

	r = iso15693_build_get_system_info(0x02, st_uid, out, sizeof(out));
	CHECK_INT(r, 12);
	CHECK_INT(out[0], 0x22);
	CHECK_INT(out[1], 0x2B);

	/*
	 * An answer built the way ISO/IEC 15693-3 lays it out, with an ICODE
	 * SLIX's memory (28 blocks of 4 bytes, 896 bits as NXP's data sheet
	 * gives it): info flags 0F (DSFID, AFI, memory, IC reference all
	 * present), UID, DSFID 00, AFI 07, 1B (28 - 1), 03 (4 - 1), IC
	 * reference 01.
	 */
	{
		uint8_t payload[1 + 8 + 5] = { 0x0F };

		memcpy(payload + 1, st_uid, 8);
		payload[9] = 0x00;
		payload[10] = 0x07;
		payload[11] = 0x1B;
		payload[12] = 0x03;
		payload[13] = 0x01;
		n = response(frame, 0x00, payload, sizeof(payload));
		CHECK_INT(iso15693_parse_response(frame, n, &resp), 0);
		CHECK_INT(iso15693_parse_system_info(&resp, &info), 0);
		CHECK_INT(info.info_flags, 0x0F);
		CHECK(memcmp(info.uid, st_uid, 8) == 0);
		CHECK_INT(info.dsfid, 0);
		CHECK_INT(info.afi, 0x07);
		CHECK_INT(info.block_count, 28);
		CHECK_INT(info.block_size, 4);
		CHECK_INT(info.ic_ref, 1);
		/* one byte missing */
		n = response(frame, 0x00, payload, sizeof(payload) - 1);
		CHECK_INT(iso15693_parse_response(frame, n, &resp), 0);
		CHECK_INT(iso15693_parse_system_info(&resp, &info), -EBADMSG);
	}
	/* only memory: fields move up, the block size's 3 RFU bits are ignored */
	{
		uint8_t payload[1 + 8 + 2] = { ISO15693_INFO_MEMORY };

		memcpy(payload + 1, st_uid, 8);
		payload[9] = 0x3F;
		payload[10] = 0xE7;
		n = response(frame, 0x00, payload, sizeof(payload));
		CHECK_INT(iso15693_parse_response(frame, n, &resp), 0);
		CHECK_INT(iso15693_parse_system_info(&resp, &info), 0);
		CHECK_INT(info.block_count, 64);
		CHECK_INT(info.block_size, 8);
		CHECK_INT(info.dsfid, 0);
		CHECK_INT(info.afi, 0);
	}
	/* no optional field, and one byte too many */
	{
		uint8_t payload[1 + 8 + 1] = { 0x00 };

		memcpy(payload + 1, st_uid, 8);
		n = response(frame, 0x00, payload, 9);
		CHECK_INT(iso15693_parse_response(frame, n, &resp), 0);
		CHECK_INT(iso15693_parse_system_info(&resp, &info), 0);
		n = response(frame, 0x00, payload, 10);
		CHECK_INT(iso15693_parse_response(frame, n, &resp), 0);
		CHECK_INT(iso15693_parse_system_info(&resp, &info), -EBADMSG);
	}
}

static void test_blocks(void)
{
	/* two 4-byte blocks, each after its security status (01: locked) */
	static const uint8_t with_sec[] = { 0x01, 'a', 'b', 'c', 'd', 0x00, 'e', 'f', 'g', 'h' };
	uint8_t frame[32], data[16], sec[4];
	struct iso15693_response resp;
	size_t n;

	n = response(frame, 0x00, with_sec, sizeof(with_sec));
	CHECK_INT(iso15693_parse_response(frame, n, &resp), 0);
	CHECK_INT(iso15693_parse_blocks(&resp, 4, true, data, sizeof(data), sec, sizeof(sec)), 2);
	CHECK(memcmp(data, "abcdefgh", 8) == 0);
	CHECK_INT(sec[0], 1);
	CHECK_INT(sec[1], 0);
	/* the same payload read as blocks without status: 10 bytes are not whole 4-byte blocks */
	CHECK_INT(iso15693_parse_blocks(&resp, 4, false, data, sizeof(data), NULL, 0), -EBADMSG);
	/* as 5-byte blocks without status it is two blocks */
	CHECK_INT(iso15693_parse_blocks(&resp, 5, false, data, sizeof(data), NULL, 0), 2);
	/* too small for the data or the status bytes */
	CHECK_INT(iso15693_parse_blocks(&resp, 4, true, data, 7, sec, sizeof(sec)), -ENOSPC);
	CHECK_INT(iso15693_parse_blocks(&resp, 4, true, data, 8, sec, 1), -ENOSPC);
	CHECK_INT(iso15693_parse_blocks(&resp, 4, true, data, 8, NULL, 0), 2);
	CHECK_INT(iso15693_parse_blocks(&resp, 0, false, data, 8, NULL, 0), -EBADMSG);
	CHECK_INT(iso15693_parse_blocks(&resp, 33, false, data, 8, NULL, 0), -EBADMSG);
	/* no block at all */
	n = response(frame, 0x00, NULL, 0);
	CHECK_INT(iso15693_parse_response(frame, n, &resp), 0);
	CHECK_INT(iso15693_parse_blocks(&resp, 4, false, data, sizeof(data), NULL, 0), -EBADMSG);
	CHECK_INT(iso15693_parse_empty(&resp), 0);
	CHECK_INT(iso15693_parse_nxp_eas_alarm(&resp), -EBADMSG);
}

static void test_eas_alarm_response(void)
{
	uint8_t frame[40], seq[32];
	struct iso15693_response resp;
	size_t n;

	for (size_t i = 0; i < sizeof(seq); i++)
		seq[i] = (uint8_t)(0x5A ^ i);
	n = response(frame, 0x00, seq, sizeof(seq));
	CHECK_INT(iso15693_parse_response(frame, n, &resp), 0);
	CHECK_INT(iso15693_parse_nxp_eas_alarm(&resp), 32);
	CHECK(memcmp(resp.payload, seq, 32) == 0);
	CHECK_INT(iso15693_parse_empty(&resp), -EBADMSG);
}

int main(void)
{
	RUN(test_crc_published_values);
	RUN(test_uid_format);
	RUN(test_inventory_request);
	RUN(test_inventory_response);
	RUN(test_error_response);
	RUN(test_read_requests);
	RUN(test_write_requests);
	RUN(test_nxp_eas_requests);
	RUN(test_system_info);
	RUN(test_blocks);
	RUN(test_eas_alarm_response);
	return testlib_finish();
}
