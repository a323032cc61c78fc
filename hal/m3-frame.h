/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The 3M / Bibliotheca model 210/810 RFID pad protocol (USB-serial, 19200 8N1),
 * ISO 15693 tags. Pure: no I/O, no allocation; the caller owns every buffer.
 *
 * A frame:  start  length(2, big endian)  command  body...  crc(2, big endian)
 *   start   0xD6; 0xD5 for the version probe and its answer
 *   length  the bytes after the length field, CRC included (so >= 3)
 *   crc     CRC-16, polynomial 0x1021, initial 0xFFFF, not reflected, result
 *           xored with 0xFFFF, over length, command and body (not the start)
 *
 * A request body carries the command's arguments; an answer repeats the
 * command and begins its body with a status byte: 0x00 done, 0x06 refused
 * (no such tag in the field, the tag did not answer, a write failed).
 *
 *   command           request body                      answer body (status 0x00)
 *   0x04 on 0xD5      00 11                             00 11 version(4)
 *   0x13 rf setup     04 01 00 02 00 03 00 04 00        00 + 8 bytes (undecoded)
 *   0xFE inventory    00 05                             00 00 05 n uid(8)*n
 *   0x02 read blocks  uid first count                   00 uid n (number(2, LE) data(4))*n
 *   0x04 write blocks uid first count 00 data(4*count)  00 uid count
 *   0x0A get AFI      uid                               00 uid afi
 *   0x09 set AFI      uid afi                           00 uid
 * A refusal (status 0x06) may carry the uid and one more byte, undecoded.
 *
 * UIDs are 8 bytes as on the wire, most significant (0xE0) first. Where the
 * public captures leave a byte unexplained this code sends what they send and
 * does not check it in answers (see m3-frame.c).
 */
#ifndef CIRCD_HAL_M3_FRAME_H
#define CIRCD_HAL_M3_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define M3_BAUD 19200 /* the pad's line, 8N1, unless a board says otherwise */

#define M3_START 0xD6
#define M3_START_SYSTEM 0xD5

#define M3_CMD_READ_BLOCKS 0x02
#define M3_CMD_VERSION 0x04      /* on M3_START_SYSTEM */
#define M3_CMD_WRITE_BLOCKS 0x04 /* on M3_START */
#define M3_CMD_SET_AFI 0x09
#define M3_CMD_GET_AFI 0x0A
#define M3_CMD_RF_SETUP 0x13
#define M3_CMD_INVENTORY 0xFE

#define M3_STATUS_OK 0x00
#define M3_STATUS_REFUSED 0x06

/* The AFI values the public driver writes: an item secured (not checked out), and unsecured. */
#define M3_AFI_SECURED 0xD7
#define M3_AFI_UNSECURED 0xDA

#define M3_UID_LEN 8
#define M3_BLOCK_LEN 4
#define M3_LENGTH_MAX 1024 /* longest length field accepted; real answers stay far below */
#define M3_FRAME_MAX (3 + M3_LENGTH_MAX)
#define M3_BODY_MAX (M3_LENGTH_MAX - 3)
#define M3_HEADER_LEN 4  /* start, length, command */
#define M3_OVERHEAD 6    /* header and CRC */
#define M3_BLOCKS_MAX 255     /* block numbers and counts are one byte in requests */
/* UIDs one answer can carry within M3_LENGTH_MAX: status, 2 bytes, count, then 8 each. */
#define M3_INVENTORY_MAX ((M3_BODY_MAX - 4) / M3_UID_LEN)
#define M3_RF_SETUP_MAX 16
#define M3_VERSION_LEN 4

/* One frame; body points into the buffer it was decoded from. */
struct m3_frame {
	uint8_t start;
	uint8_t cmd;
	const uint8_t *body;
	size_t body_len;
};

/* The CRC described above over n bytes. */
uint16_t m3_crc(const uint8_t *p, size_t n);

/*
 * A whole frame into out: returns its length, -ENOSPC when out_size is too
 * small, -EINVAL for a start byte that is neither, a body longer than
 * M3_BODY_MAX, or NULL body with body_len > 0.
 */
int m3_frame_encode(uint8_t start, uint8_t cmd, const uint8_t *body, size_t body_len,
		    uint8_t *out, size_t out_size);

/*
 * Exactly one frame in buf[0..len): 0 and *ret (pointing into buf), -EBADMSG
 * for a wrong CRC, -EINVAL when buf is no frame (start byte, length field
 * outside 3..M3_LENGTH_MAX or not matching len).
 */
int m3_frame_decode(const uint8_t *buf, size_t len, struct m3_frame *ret);

/* Requests, whole frames into out: their length, or -ENOSPC / -EINVAL. */
int m3_encode_version(uint8_t *out, size_t out_size);
int m3_encode_rf_setup(uint8_t *out, size_t out_size);
int m3_encode_inventory(uint8_t *out, size_t out_size);
int m3_encode_read_blocks(const uint8_t uid[M3_UID_LEN], uint8_t first, uint8_t count,
			  uint8_t *out, size_t out_size);
/* count blocks of M3_BLOCK_LEN from data; count 1..M3_BLOCKS_MAX that fit M3_BODY_MAX. */
int m3_encode_write_blocks(const uint8_t uid[M3_UID_LEN], uint8_t first, uint8_t count,
			   const uint8_t *data, uint8_t *out, size_t out_size);
int m3_encode_get_afi(const uint8_t uid[M3_UID_LEN], uint8_t *out, size_t out_size);
int m3_encode_set_afi(const uint8_t uid[M3_UID_LEN], uint8_t afi, uint8_t *out,
		      size_t out_size);

enum m3_reply_kind {
	M3_REPLY_VERSION,
	M3_REPLY_RF_SETUP,
	M3_REPLY_INVENTORY,
	M3_REPLY_READ_BLOCKS,
	M3_REPLY_WRITE_BLOCKS,
	M3_REPLY_GET_AFI,
	M3_REPLY_SET_AFI,
	M3_REPLY_REFUSED, /* any command answered with a status other than 0x00 */
};

struct m3_block {
	uint16_t number;
	uint8_t data[M3_BLOCK_LEN];
};

/* An answer, decoded; plain data, nothing to free. Only the member of kind is set. */
struct m3_reply {
	enum m3_reply_kind kind;
	uint8_t cmd;
	uint8_t status;
	union {
		uint8_t version[M3_VERSION_LEN];
		struct {
			uint8_t len;
			uint8_t bytes[M3_RF_SETUP_MAX];
		} rf_setup;
		struct {
			/*
			 * count is the reader's count byte, n the UIDs this answer
			 * carries (those kept). more: the reader counts more tags
			 * than the answer carries; ask again after dealing with these.
			 */
			uint8_t count;
			uint8_t n;
			bool more;
			uint8_t uids[M3_INVENTORY_MAX][M3_UID_LEN];
		} inventory;
		struct {
			uint8_t uid[M3_UID_LEN];
			uint8_t n;
			struct m3_block blocks[M3_BLOCKS_MAX];
		} read;
		struct {
			uint8_t uid[M3_UID_LEN];
			uint8_t count; /* blocks written */
		} write;
		struct {
			uint8_t uid[M3_UID_LEN];
			uint8_t afi;
		} afi; /* get AFI: uid and afi; set AFI: uid */
		struct {
			bool has_uid, has_detail;
			uint8_t uid[M3_UID_LEN];
			uint8_t detail;
		} refused;
	};
};

/*
 * An answer frame into *ret: 0, or -EBADMSG when the frame is too short for
 * its command or has bytes left over, -EPROTO for a command no answer has
 * (or the version command on 0xD6, write on 0xD5). Reads only
 * frame->body[0..body_len).
 */
int m3_reply_parse(const struct m3_frame *frame, struct m3_reply *ret);

/* "inventory", "read blocks", ... for logs; "unknown" otherwise. */
const char *m3_command_name(uint8_t start, uint8_t cmd);

/*
 * Splits a byte stream into frames. Bytes before a start byte are skipped;
 * a frame with a wrong CRC or an impossible length is reported once and the
 * search goes on from the byte after its start byte, so a frame hidden in
 * the garbage is still found. Embed it; nothing to free.
 */
struct m3_splitter {
	uint8_t pending[M3_FRAME_MAX];
	size_t pending_len;
	uint8_t frame[M3_FRAME_MAX]; /* the last frame returned; its body points here */
	uint64_t skipped;            /* bytes dropped: noise and the start bytes of broken frames */
};

void m3_splitter_init(struct m3_splitter *s);

/*
 * Takes bytes from in[0..len) until a frame is complete: returns 1 with
 * *ret (valid until the next call), 0 when all of in is taken and no frame
 * is complete yet, -EBADMSG when a broken frame was dropped. *consumed says
 * how much of in was taken; call again with the rest (also with len 0: a
 * dropped frame can leave a whole one pending).
 */
int m3_splitter_next(struct m3_splitter *s, const uint8_t *in, size_t len, size_t *consumed,
		     struct m3_frame *ret);

#endif
