/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ISO/IEC 15693-3 frames, as an RFID reader passes them through: the
 * requests a kiosk sends to a library item tag and the tag's responses.
 * Pure functions, no allocation, no I/O: the caller owns every buffer and
 * the reader backend moves the bytes.
 *
 * A frame here is what ISO/IEC 15693-3 puts between SOF and EOF: flags,
 * command (requests), parameters, and the CRC-16 in its last two bytes.
 * Readers that compute the CRC themselves take the frame without them.
 *
 * UID byte order. A UID is 64 bits; its most significant byte is always
 * 0xE0, the next one the IC manufacturer code (ISO/IEC 7816-6: 0x04 NXP,
 * 0x07 Texas Instruments, 0x02 ST), then the manufacturer's serial number.
 * On the air every multi-byte value goes least significant byte first, so
 * a frame carries the UID as 8 bytes ending in 0xE0. This module keeps a
 * UID as uint8_t[8] in that air order (uid[7] == 0xE0, uid[6] the
 * manufacturer) and copies it into and out of frames unchanged;
 * iso15693_uid_format() writes it for people, most significant byte first
 * ("E00401586DE02802"), as tag labels and reader tools print it.
 */
#ifndef CIRCD_HAL_ISO15693_H
#define CIRCD_HAL_ISO15693_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ISO15693_UID_LEN 8
#define ISO15693_CRC_LEN 2
#define ISO15693_UID_TOP_BYTE 0xE0
#define ISO15693_UID_TEXT_SIZE (2 * ISO15693_UID_LEN + 1)
#define ISO15693_BLOCK_MAX 32     /* a block size is coded in 5 bits: 1..32 bytes */
#define ISO15693_MFG_NXP 0x04

/* Request flags, bits 1-4: every request. */
#define ISO15693_REQ_SUBCARRIER_TWO 0x01 /* two subcarriers (one when clear) */
#define ISO15693_REQ_HIGH_DATA_RATE 0x02
#define ISO15693_REQ_INVENTORY 0x04
#define ISO15693_REQ_PROTOCOL_EXT 0x08
/* Bits 5-8 without the inventory flag. */
#define ISO15693_REQ_SELECT 0x10
#define ISO15693_REQ_ADDRESS 0x20
#define ISO15693_REQ_OPTION 0x40
/* Bits 5-8 with the inventory flag. */
#define ISO15693_REQ_INV_AFI 0x10
#define ISO15693_REQ_INV_ONE_SLOT 0x20
#define ISO15693_REQ_INV_OPTION 0x40

/* Response flags. */
#define ISO15693_RESP_ERROR 0x01
#define ISO15693_RESP_EXTENSION 0x08

enum iso15693_command {
	ISO15693_CMD_INVENTORY = 0x01,
	ISO15693_CMD_READ_SINGLE_BLOCK = 0x20,
	ISO15693_CMD_WRITE_SINGLE_BLOCK = 0x21,
	ISO15693_CMD_READ_MULTIPLE_BLOCKS = 0x23,
	ISO15693_CMD_WRITE_AFI = 0x27,
	ISO15693_CMD_LOCK_AFI = 0x28,
	ISO15693_CMD_GET_SYSTEM_INFO = 0x2B,
	/* NXP ICODE custom commands (ICODE SLI/SLIX data sheets), with manufacturer code 0x04 */
	ISO15693_CMD_NXP_SET_EAS = 0xA2,
	ISO15693_CMD_NXP_RESET_EAS = 0xA3,
	ISO15693_CMD_NXP_EAS_ALARM = 0xA5,
};

/* Error codes a tag answers with the error flag (ISO/IEC 15693-3, table 7). */
enum iso15693_error {
	ISO15693_ERR_NOT_SUPPORTED = 0x01,
	ISO15693_ERR_NOT_RECOGNISED = 0x02,
	ISO15693_ERR_OPTION_NOT_SUPPORTED = 0x03,
	ISO15693_ERR_UNKNOWN = 0x0F,
	ISO15693_ERR_BLOCK_NOT_AVAILABLE = 0x10,
	ISO15693_ERR_BLOCK_ALREADY_LOCKED = 0x11,
	ISO15693_ERR_BLOCK_LOCKED = 0x12,
	ISO15693_ERR_BLOCK_NOT_PROGRAMMED = 0x13,
	ISO15693_ERR_BLOCK_NOT_LOCKED = 0x14,
};

/* "E004015...": the UID most significant byte first, 16 upper-case hex digits. */
void iso15693_uid_format(const uint8_t uid[ISO15693_UID_LEN], char out[ISO15693_UID_TEXT_SIZE]);
/* The error code in words; "error 0xNN" (custom, RFU) in a static buffer for others. */
const char *iso15693_error_name(uint8_t code);

/*
 * CRC-16 of ISO/IEC 13239 as ISO/IEC 15693-3 uses it: preset 0xFFFF,
 * reflected polynomial 0x8408, ones' complement of the result, sent least
 * significant byte first.
 */
uint16_t iso15693_crc(const uint8_t *data, size_t len);
/* Whether frame[0..len) ends in the CRC of what precedes it (len >= 3). */
bool iso15693_crc_ok(const uint8_t *frame, size_t len);

/*
 * Request builders. Each writes a whole frame, CRC included, to out and
 * returns its length; -ENOSPC when out_size is too small, -EINVAL for a
 * parameter outside its range. rate_flags are the caller's choice of the
 * subcarrier and data rate bits (ISO15693_REQ_HIGH_DATA_RATE is usual);
 * other bits in it are refused, as each builder sets the ones it needs.
 *
 * uid: NULL sends the request to every tag in the field (non-addressed,
 * fine when one tag lies on the reader), else to that tag only (the
 * address flag and the UID). with_security asks for the block security
 * status byte before each block (the option flag).
 */
/* One-slot inventory, no mask; with use_afi only tags of that AFI answer. */
int iso15693_build_inventory(uint8_t rate_flags, bool use_afi, uint8_t afi, uint8_t *out,
			     size_t out_size);
int iso15693_build_read_single_block(uint8_t rate_flags, const uint8_t *uid, uint8_t block,
				     bool with_security, uint8_t *out, size_t out_size);
/* count blocks (1..256) from first; the frame carries count - 1. */
int iso15693_build_read_multiple_blocks(uint8_t rate_flags, const uint8_t *uid, uint8_t first,
					unsigned count, bool with_security, uint8_t *out,
					size_t out_size);
/* data: block_size bytes (1..ISO15693_BLOCK_MAX). */
int iso15693_build_write_single_block(uint8_t rate_flags, const uint8_t *uid, uint8_t block,
				      const uint8_t *data, size_t block_size, uint8_t *out,
				      size_t out_size);
int iso15693_build_write_afi(uint8_t rate_flags, const uint8_t *uid, uint8_t afi, uint8_t *out,
			     size_t out_size);
int iso15693_build_lock_afi(uint8_t rate_flags, const uint8_t *uid, uint8_t *out, size_t out_size);
int iso15693_build_get_system_info(uint8_t rate_flags, const uint8_t *uid, uint8_t *out,
				   size_t out_size);
/* SET EAS, RESET EAS or EAS ALARM (command), NXP manufacturer code 0x04; anything else -EINVAL. */
int iso15693_build_nxp_eas(uint8_t rate_flags, const uint8_t *uid, enum iso15693_command command,
			   uint8_t *out, size_t out_size);

/*
 * A response frame, checked: its flags, and what lies between them and the
 * CRC. payload points into the caller's frame.
 */
struct iso15693_response {
	uint8_t flags;
	uint8_t error;           /* the error code when flags has ISO15693_RESP_ERROR, else 0 */
	const uint8_t *payload;
	size_t payload_len;
};

/*
 * frame[0..len), CRC included -> 0 and *out; -EBADMSG when it is shorter
 * than flags + CRC, the CRC is wrong, or the error flag comes without
 * exactly one error code; -EREMOTEIO when the tag answered with the error
 * flag (out->error says which; payload is empty).
 */
int iso15693_parse_response(const uint8_t *frame, size_t len, struct iso15693_response *out);

/*
 * What each response holds, from a response that iso15693_parse_response()
 * accepted. Each returns 0, or -EBADMSG when the payload is not what that
 * response must be (length, values).
 */
struct iso15693_inventory {
	uint8_t dsfid;
	uint8_t uid[ISO15693_UID_LEN];
};
int iso15693_parse_inventory(const struct iso15693_response *r, struct iso15693_inventory *out);

/* Information flags of Get System Information: which fields follow the UID. */
#define ISO15693_INFO_DSFID 0x01
#define ISO15693_INFO_AFI 0x02
#define ISO15693_INFO_MEMORY 0x04
#define ISO15693_INFO_IC_REF 0x08

struct iso15693_system_info {
	uint8_t info_flags;
	uint8_t uid[ISO15693_UID_LEN];
	uint8_t dsfid, afi, ic_ref;   /* valid when info_flags says so */
	unsigned block_count;         /* 1..256, with ISO15693_INFO_MEMORY */
	unsigned block_size;          /* bytes, 1..32, with ISO15693_INFO_MEMORY */
};
int iso15693_parse_system_info(const struct iso15693_response *r,
			       struct iso15693_system_info *out);

/*
 * Read single / multiple blocks: the payload split into blocks of
 * block_size bytes, each after its security status byte when the request
 * had with_security. Copies the data to data[0..data_size) and, when
 * security is not NULL, each status byte to security[0..security_size).
 * Returns the number of blocks; -EBADMSG when the payload is not a whole
 * number of blocks (or none), -ENOSPC when data or security is too small.
 */
int iso15693_parse_blocks(const struct iso15693_response *r, size_t block_size, bool with_security,
			  uint8_t *data, size_t data_size, uint8_t *security, size_t security_size);

/* Write single block, write/lock AFI, set/reset EAS: nothing after the flags. */
int iso15693_parse_empty(const struct iso15693_response *r);

/*
 * EAS ALARM: a tag whose EAS is set answers with its alarm sequence (32
 * bytes on ICODE SLI/SLIX), one whose EAS is clear stays silent, which is
 * the reader's timeout, not a frame. Returns the sequence's length (it is
 * r->payload); -EBADMSG when empty.
 */
int iso15693_parse_nxp_eas_alarm(const struct iso15693_response *r);

#endif
