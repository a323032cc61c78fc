/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * FEIG's "ISO host" protocol, as spoken by FEIG ID ISC / ID CPR readers
 * (ID ISC.MR101, MR102, LR2500, ... system manuals): frames, their CRC,
 * status bytes, and the requests and responses a library RFID driver needs.
 *
 * Two frame shapes, both ending in a CRC-16 sent LSB first over every byte
 * before it (preset 0xFFFF, polynomial 0x8408, i.e. CCITT reflected):
 *
 *   standard  LEN COM-ADR CONTROL [STATUS] DATA.. CRC-LSB CRC-MSB
 *             LEN counts every byte of the frame, 5..255
 *   advanced  0x02 LEN-MSB LEN-LSB COM-ADR CONTROL [STATUS] DATA.. CRC-LSB CRC-MSB
 *             the 2-byte length counts every byte of the frame, 7..65535
 *
 * STATUS is in responses only. A standard frame never starts with 0x02 (its
 * length is at least 5), which is how a receiver tells the two apart.
 * Multi-byte fields (UIDs, lengths, block contents) are sent MSB first.
 *
 * Pure: no allocation, no I/O. Decoded frames and responses point into the
 * caller's buffer and live as long as it does; nothing here needs freeing.
 * Every function that can fail returns -errno: -EINVAL for a bad argument,
 * -ENOSPC for an output buffer too small, -EMSGSIZE for a request too long
 * for its frame, -EBADMSG for bytes that break the protocol, -EPROTO for a
 * well-formed response whose status carries no such data.
 */
#ifndef CIRCD_HAL_FEIG_FRAME_H
#define CIRCD_HAL_FEIG_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FEIG_STX 0x02
#define FEIG_COM_ADR_ANY 0xFF   /* every reader answers it, whatever its bus address */
#define FEIG_STD_MIN 5          /* LEN ADR CONTROL CRC CRC */
#define FEIG_STD_MAX 255
#define FEIG_ADV_MIN 7          /* STX LEN LEN ADR CONTROL CRC CRC */
#define FEIG_ADV_MAX 65535
#define FEIG_UID_LEN 8
#define FEIG_REQUEST_DATA_MAX 1040 /* an addressed write of 255 blocks of 4 bytes */

/* Control bytes (commands). */
enum feig_control {
	FEIG_CMD_BAUD_DETECT = 0x52,
	FEIG_CMD_SOFTWARE_VERSION = 0x65,
	FEIG_CMD_RF_RESET = 0x69,
	FEIG_CMD_RF_ONOFF = 0x6A,
	FEIG_CMD_READ_CONFIG = 0x80,
	FEIG_CMD_ISO = 0xB0,     /* ISO 15693 mandatory and optional commands */
	FEIG_CMD_ISO_CUSTOM = 0xB1, /* ISO 15693 custom commands, by manufacturer */
};

/* [0xB0] sub-commands: the ISO 15693 command codes. */
enum feig_iso_cmd {
	FEIG_ISO_INVENTORY = 0x01,
	FEIG_ISO_STAY_QUIET = 0x02,
	FEIG_ISO_READ_BLOCKS = 0x23,
	FEIG_ISO_WRITE_BLOCKS = 0x24,
	FEIG_ISO_WRITE_AFI = 0x27,
	FEIG_ISO_LOCK_AFI = 0x28,
	FEIG_ISO_SYSTEM_INFO = 0x2B,
};

/* [0xB1] with manufacturer 0x04 (NXP, I-Code SLI): the EAS commands. */
#define FEIG_MFR_NXP 0x04
enum feig_nxp_cmd {
	FEIG_NXP_SET_EAS = 0xA2,
	FEIG_NXP_RESET_EAS = 0xA3,
	FEIG_NXP_LOCK_EAS = 0xA4,
	FEIG_NXP_EAS_ALARM = 0xA5,
};

/* MODE byte of the ISO commands. */
#define FEIG_MODE_NON_ADDRESSED 0x00
#define FEIG_MODE_ADDRESSED 0x01   /* the tag's UID follows the MODE byte */
#define FEIG_INV_MODE_MORE 0x80    /* inventory: the rest of the last one (status 0x94) */
/*
 * Inventory: only tags of the AFI byte that follows MODE. The MR101 manual
 * has MORE as the only inventory MODE bit; bit 4 for AFI is the later
 * readers' (MR102/LR-class) layout, and no published frame was found to
 * check it against: confirm with the reader's own manual before relying on it.
 */
#define FEIG_INV_MODE_AFI 0x10

/* Status bytes (the manuals' "Index of Status Bytes"). */
enum feig_status {
	FEIG_OK = 0x00,
	FEIG_NO_TRANSPONDER = 0x01,
	FEIG_DATA_FALSE = 0x02,
	FEIG_WRITE_ERROR = 0x03,
	FEIG_ADDRESS_ERROR = 0x04,
	FEIG_WRONG_TRANSPONDER_TYPE = 0x05,
	FEIG_EEPROM_FAILURE = 0x10,
	FEIG_PARAMETER_RANGE = 0x11,
	FEIG_UNKNOWN_COMMAND = 0x80,
	FEIG_LENGTH_ERROR = 0x81,
	FEIG_COMMAND_NOT_AVAILABLE = 0x82,
	FEIG_RF_COMMUNICATION_ERROR = 0x83,
	FEIG_RF_WARNING = 0x84,
	FEIG_DATA_BUFFER_OVERFLOW = 0x93,
	FEIG_MORE_DATA = 0x94,
	FEIG_ISO_ERROR = 0x95,      /* the tag answered an ISO 15693 error code */
	FEIG_HARDWARE_WARNING = 0xF1,
};

/* ISO 15693 error codes, after status 0x95. */
enum feig_iso_error {
	FEIG_ISO_ERR_NOT_SUPPORTED = 0x01,
	FEIG_ISO_ERR_NOT_RECOGNISED = 0x02,
	FEIG_ISO_ERR_OPTION = 0x03,
	FEIG_ISO_ERR_UNKNOWN = 0x0F,
	FEIG_ISO_ERR_BLOCK_UNAVAILABLE = 0x10,
	FEIG_ISO_ERR_ALREADY_LOCKED = 0x11,
	FEIG_ISO_ERR_BLOCK_LOCKED = 0x12,
	FEIG_ISO_ERR_NOT_PROGRAMMED = 0x13,
	FEIG_ISO_ERR_NOT_LOCKED = 0x14,
};

/* Status and ISO error in words ("no transponder"); "unknown status" otherwise. */
const char *feig_status_name(uint8_t status);
const char *feig_iso_error_name(uint8_t iso_error);

uint16_t feig_crc16(const uint8_t *p, size_t len);

enum feig_frame_kind {
	FEIG_FRAME_STANDARD,
	FEIG_FRAME_ADVANCED,
};

/* One frame, either direction: data is what follows CONTROL, up to the CRC. */
struct feig_frame {
	enum feig_frame_kind kind;
	uint8_t com_adr;
	uint8_t control;
	const uint8_t *data;  /* into the decoded buffer */
	size_t data_len;
	size_t frame_len;     /* bytes the frame took, CRC included */
};

/*
 * Writes one frame of the given kind to out: its length. -EMSGSIZE when a
 * standard frame cannot hold data_len bytes (more than 250), -ENOSPC when
 * out_size cannot.
 */
int feig_frame_encode(enum feig_frame_kind kind, uint8_t com_adr, uint8_t control,
		      const uint8_t *data, size_t data_len, uint8_t *out, size_t out_size);

/*
 * The frame at the start of buf[0..len): its length, with *ret filled in.
 * -EAGAIN when buf holds only its beginning (0 bytes included), -EBADMSG when
 * buf cannot start a frame: a length below the minimum, or a CRC that does
 * not match.
 */
int feig_frame_decode(const uint8_t *buf, size_t len, struct feig_frame *ret);

/*
 * The streaming splitter a serial backend feeds with whatever read()
 * returned. Frames longer than FEIG_SPLITTER_MAX are refused like garbage
 * (a reader's answers to the requests below stay far shorter).
 *
 * Resynchronising: after garbage, feig_splitter_next() says -EBADMSG and
 * drops one byte, so calling it again finds the next frame. A garbage byte
 * that looks like a long frame's length makes it wait for bytes that may
 * never come: the backend's reply timeout calls feig_splitter_drop_byte()
 * (or _reset()) and then next() again.
 *
 * Plain data: embed it, init it, nothing to free.
 */
#define FEIG_SPLITTER_MAX 4096

struct feig_splitter {
	uint8_t buf[FEIG_SPLITTER_MAX];
	size_t len;
	size_t taken;  /* the frame handed out last, dropped at the next call */
};

void feig_splitter_init(struct feig_splitter *s);
void feig_splitter_reset(struct feig_splitter *s);
/* Appends in[0..len); returns how many bytes fit (call next() to make room). */
size_t feig_splitter_feed(struct feig_splitter *s, const uint8_t *in, size_t len);
/*
 * 1: *ret holds the next whole frame (valid until the next call on s);
 * 0: a frame has begun and needs more bytes (or nothing is buffered);
 * -EBADMSG: the first buffered byte starts no valid frame; it was dropped.
 */
int feig_splitter_next(struct feig_splitter *s, struct feig_frame *ret);
/* Drops the first buffered byte (a stalled partial frame); false if none. */
bool feig_splitter_drop_byte(struct feig_splitter *s);
size_t feig_splitter_pending(const struct feig_splitter *s);

/* ------------------------------------------------------------------ requests */

/* A request before framing: CONTROL and its data. */
struct feig_request {
	uint8_t control;
	uint8_t data[FEIG_REQUEST_DATA_MAX];
	size_t data_len;
};

/* Frames r; as feig_frame_encode(). */
int feig_request_encode(const struct feig_request *r, enum feig_frame_kind kind, uint8_t com_adr,
			uint8_t *out, size_t out_size);

/*
 * The builders fill *r and return 0, or -EINVAL. A NULL uid means
 * non-addressed (every tag in the field answers); otherwise the 8 UID bytes
 * as the reader reports them (MSB first: 0xE0 first for ISO 15693).
 */
int feig_req_inventory(struct feig_request *r, bool more, const uint8_t *afi);
int feig_req_stay_quiet(struct feig_request *r, const uint8_t *uid); /* uid required */
int feig_req_read_blocks(struct feig_request *r, const uint8_t *uid, uint8_t first, uint8_t count);
/*
 * blocks: count * block_size bytes in the tag's memory order; each block goes
 * on the wire reversed, as the reader wants it (MSB first). -EMSGSIZE past
 * FEIG_REQUEST_DATA_MAX.
 */
int feig_req_write_blocks(struct feig_request *r, const uint8_t *uid, uint8_t first,
			  uint8_t count, uint8_t block_size, const uint8_t *blocks);
int feig_req_write_afi(struct feig_request *r, const uint8_t *uid, uint8_t afi);
int feig_req_lock_afi(struct feig_request *r, const uint8_t *uid);
int feig_req_system_info(struct feig_request *r, const uint8_t *uid);
/* cmd: one of enum feig_nxp_cmd */
int feig_req_nxp_eas(struct feig_request *r, uint8_t cmd, const uint8_t *uid);
int feig_req_baud_detect(struct feig_request *r);
int feig_req_software_version(struct feig_request *r);
int feig_req_rf_reset(struct feig_request *r);
/* flags: 0x00 RF off, 0x01 on (antenna 1) */
int feig_req_rf_onoff(struct feig_request *r, uint8_t flags);
/* block: configuration block 0..63; eeprom: read the stored one, not the RAM copy */
int feig_req_read_config(struct feig_request *r, uint8_t block, bool eeprom);

/* ----------------------------------------------------------------- responses */

/* A reader's answer: a frame whose first data byte is the status. */
struct feig_response {
	enum feig_frame_kind kind;
	uint8_t com_adr;
	uint8_t control;
	uint8_t status;
	const uint8_t *data;  /* after the status, into the frame's buffer */
	size_t data_len;
};

/* -EBADMSG for a frame without a status byte. */
int feig_response_from_frame(const struct feig_frame *f, struct feig_response *ret);

#define FEIG_TR_TYPE_ISO15693 0x03

struct feig_tag {
	uint8_t tr_type;              /* transponder type; 0x03 ISO 15693 */
	uint8_t dsfid;
	uint8_t uid[FEIG_UID_LEN];    /* MSB first, as sent */
};

#define FEIG_INVENTORY_MAX 255 /* DATA-SETS is one byte */

struct feig_inventory {
	size_t count;
	bool more;                    /* status 0x94: ask again with more = true */
	struct feig_tag tags[FEIG_INVENTORY_MAX];
};

/*
 * Status 0x01 is an empty field (count 0), 0x00 and 0x94 carry tags.
 * -EPROTO for another status, -EBADMSG when the data sets do not fit the
 * data, -ENOTSUP for a transponder type whose record length is not ISO
 * 15693's (only ISO 15693 readers are expected).
 */
int feig_parse_inventory(const struct feig_response *r, struct feig_inventory *ret);

#define FEIG_BLOCKS_DATA_MAX 2048

struct feig_blocks {
	uint8_t count;
	uint8_t block_size;
	uint8_t security[255];          /* per block: 1 = locked (when asked for) */
	uint8_t data[FEIG_BLOCKS_DATA_MAX]; /* count * block_size, the tag's memory order */
};

/* Status 0x00 only; -E2BIG past FEIG_BLOCKS_DATA_MAX. */
int feig_parse_read_blocks(const struct feig_response *r, struct feig_blocks *ret);

struct feig_system_info {
	uint8_t dsfid;
	uint8_t uid[FEIG_UID_LEN];
	uint8_t afi;
	uint8_t block_size;   /* bytes per block, 1..32 */
	uint16_t block_count; /* 1..256 */
	uint8_t ic_ref;
};

int feig_parse_system_info(const struct feig_response *r, struct feig_system_info *ret);

/*
 * What an error status says beyond itself: 0x95 carries the tag's ISO
 * error, and after a write (0x03 or 0x95) the block that failed.
 */
struct feig_error_detail {
	bool has_iso_error;
	uint8_t iso_error;
	bool has_block;
	uint8_t block;
};

/* Never fails for a valid r: what is absent is flagged absent. */
void feig_parse_error_detail(const struct feig_response *r, struct feig_error_detail *ret);

/* [0x65] */
struct feig_software_version {
	uint16_t sw_rev;
	uint8_t d_rev;
	uint8_t hw_type;
	uint8_t sw_type;
	uint16_t tr_types;   /* bit field of the transponder types it reads */
};

int feig_parse_software_version(const struct feig_response *r,
				struct feig_software_version *ret);

/*
 * [0xB1] EAS alarm: 1 when a tag answered the alarm (its EAS bit is set), 0
 * when none did (status 0x01), -EPROTO for another status.
 */
int feig_parse_eas_alarm(const struct feig_response *r);

#endif
