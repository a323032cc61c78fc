/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RFID device class: readers of ISO 15693 library tags, the pad items are
 * laid on (role item_pad) and patron card readers (patron_reader), one
 * [rfid NAME] section each in the board file (board.h).
 *
 * A reader reports the tags in its field: each tag once when it arrives and
 * once when it leaves. A tag that stays is not reported again, and a tag
 * that misses one inventory round has not left: it leaves after
 * RFID_MISSED_ROUNDS rounds in a row without answering (readers miss tags
 * now and then, in a pile of books most of all). What a tag's memory says
 * (ISO 28560-2 or -3) is firmware's to decode, with tag_decode(); hal/
 * hands over the raw blocks.
 *
 * Inventory runs every inventory_ms (board, default 150 ms) while a session
 * or the returns intake is active (rfid_set_active()), every
 * idle_inventory_ms (default 1000, 0 = not at all) otherwise.
 *
 * Operations on a tag (read blocks, write blocks, write AFI, set EAS) are
 * asynchronous: the call returns 0 when the operation is under way, and its
 * done callback runs later from the loop, never inside the call, with the
 * result: 0, or -ENODEV (the tag is gone), -EIO (the tag refused the write),
 * -EBADMSG (a reply that fails its check: a write may or may not have been
 * done, read back to know), -ETIMEDOUT (the reader did not answer). One
 * operation per reader at a time: another while one is pending is -EBUSY.
 * Closing a reader drops its pending operation without calling done.
 *
 * Ownership: the caller owns what it passes and the reader copies what it
 * keeps (the board may be freed after open). Structs given to callbacks are
 * valid during the callback only. rfid_close() accepts NULL and frees the
 * reader; events must not close their reader from inside arrived or left
 * (a done callback may).
 */
#ifndef CIRCD_HAL_RFID_H
#define CIRCD_HAL_RFID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "board.h"
#include "hal-env.h"

#define RFID_UID_LEN 8
#define RFID_UID_HEX_LEN (2 * RFID_UID_LEN)
/*
 * Memory read at arrival, from block 0. Library tags hold 32 (ISO 28560-3)
 * to about 300 bytes (ISO 28560-2 on ICODE SLIX2); larger chips are read in
 * part, which is where the library data is.
 */
#define RFID_MEM_MAX 512
#define RFID_BLOCK_SIZE_MAX 32
#define RFID_FIELD_MAX 32     /* tags one reader follows at once */
#define RFID_MISSED_ROUNDS 2  /* rounds a tag must miss in a row to have left */

/* EAS (electronic article surveillance): the gate alarms while it is on. */
enum rfid_eas {
	RFID_EAS_UNKNOWN, /* the reader cannot tell */
	RFID_EAS_OFF,
	RFID_EAS_ON,
};

struct rfid_tag {
	const char *reader;   /* the board's [rfid NAME] */
	bool for_items, for_patrons; /* the reader's roles: item_pad, patron_reader */
	/* Most significant byte first, as shown: E0 04 01 ... for ISO 15693. */
	uint8_t uid[RFID_UID_LEN];
	bool has_dsfid, has_afi;
	uint8_t dsfid;        /* data storage format identifier */
	uint8_t afi;          /* application family identifier: 0x07 on shelf, 0xC2 lent (28560) */
	enum rfid_eas eas;
	unsigned block_size;  /* bytes per block; 0 when no memory was read */
	size_t mem_len;       /* bytes read from block 0, whole blocks */
	uint8_t mem[RFID_MEM_MAX];
};

enum rfid_op {
	RFID_OP_READ_BLOCKS,
	RFID_OP_WRITE_BLOCKS,
	RFID_OP_WRITE_AFI,
	RFID_OP_SET_EAS,
	RFID_OP_READ_STATE, /* read back AFI (and EAS where the reader can tell) */
};

struct rfid_reply {
	enum rfid_op op;
	int result; /* 0 or -errno, see above */
	uint8_t uid[RFID_UID_LEN];
	unsigned first_block, block_size;
	/* read blocks: what was read; NULL/0 otherwise and on failure */
	const uint8_t *data;
	size_t len;
	/* read state: what the tag says now (ISO 15693 get system information; EAS alarm) */
	bool has_afi;
	uint8_t afi;
	enum rfid_eas eas;
};

typedef void (*rfid_done_fn)(void *data, const struct rfid_reply *reply);

/*
 * One operation on one tag, as rfid_read_blocks() ... rfid_read_state() hand
 * it to a backend's submit(). Plain data, valid during submit() only: a
 * backend copies it into its operation in hand (and may work out fields of
 * its copy, n_blocks of a write once the block size is known).
 */
struct rfid_request {
	enum rfid_op op;
	uint8_t uid[RFID_UID_LEN];
	unsigned first_block;
	unsigned n_blocks;           /* read blocks: how many (0 for the others) */
	uint8_t bytes[RFID_MEM_MAX]; /* write blocks: what to write, len bytes (1..RFID_MEM_MAX) */
	size_t len;
	uint8_t afi;                 /* write AFI */
	bool eas_on;                 /* set EAS */
	rfid_done_fn done;           /* from the loop, with the result */
	void *data;
};

/* What circctl status shows of one reader. */
struct rfid_status {
	char name[BOARD_NAME_MAX];
	const char *protocol;            /* "sim", "feig", "3m" */
	bool attached;
	char reader[64];                 /* model and firmware as the reader says; "" unknown */
	char port[BOARD_DEVICE_PATH_MAX]; /* the tty in use; "" while absent */
	unsigned tags_in_field;
	uint64_t arrivals;               /* tags arrived since start */
	uint64_t ops, ops_failed;
	char last_error[96];             /* "" or the last failure, in words */
};

/*
 * arrived, left: a tag came into the field or left it (left carries the tag
 * as it arrived). device: the reader came or went (replug, errors that
 * released it), for the log. Any may be NULL.
 */
struct rfid_events {
	void (*arrived)(void *data, const struct rfid_tag *tag);
	void (*left)(void *data, const struct rfid_tag *tag);
	void (*device)(void *data, const struct rfid_status *status);
};

struct rfid_ops {
	const char *name; /* the board's protocol: "sim", "feig", "3m" */
	/*
	 * def is one of board's rfids. A reader that is not plugged in is no
	 * error: it is picked up when it comes. Errors (with *err filled against
	 * the board file) are for what no replug fixes.
	 */
	int (*open)(const struct hal_env *env, const struct board *board,
		    const struct board_rfid *def, const struct rfid_events *events, void *data,
		    void **ret, struct file_error *err);
	void (*close)(void *handle);
	void (*set_active)(void *handle, bool active);
	/*
	 * Starts req (rfid_request above), copying what it keeps: 0, -EBUSY, or
	 * -EINVAL for what this reader can tell is off at once; -EOPNOTSUPP for an
	 * operation it has no command for (the 3M 810's set EAS).
	 */
	int (*submit)(void *handle, const struct rfid_request *req);
	void (*status)(void *handle, struct rfid_status *out);
};

extern const struct rfid_ops rfid_sim_ops;
extern const struct rfid_ops rfid_feig_ops; /* hal/rfid-feig.c */

/*
 * The wrapper firmware uses: the backend named by def->protocol and its
 * handle. rfid_open() fails with -ENOENT (err at the section's line) for a
 * protocol with no backend in this build. Every other call accepts NULL:
 * operations on it are -ENODEV, status is all zero.
 */
struct rfid_reader;

int rfid_open(const struct hal_env *env, const struct board *board, const struct board_rfid *def,
	      const struct rfid_events *events, void *data, struct rfid_reader **ret,
	      struct file_error *err);
/*
 * rfid_open() with the backend given rather than looked up by the board's
 * protocol: for a backend outside the table (a test's own fake reader).
 */
int rfid_open_backend(const struct rfid_ops *ops, const struct hal_env *env,
		      const struct board *board, const struct board_rfid *def,
		      const struct rfid_events *events, void *data, struct rfid_reader **ret,
		      struct file_error *err);
void rfid_close(struct rfid_reader *reader);
void rfid_set_active(struct rfid_reader *reader, bool active);
int rfid_read_blocks(struct rfid_reader *reader, const uint8_t uid[RFID_UID_LEN],
		     unsigned first_block, unsigned n_blocks, rfid_done_fn done, void *data);
/* len: whole blocks of the tag's block size, at most RFID_MEM_MAX (-EINVAL otherwise) */
int rfid_write_blocks(struct rfid_reader *reader, const uint8_t uid[RFID_UID_LEN],
		      unsigned first_block, const uint8_t *bytes, size_t len, rfid_done_fn done,
		      void *data);
int rfid_write_afi(struct rfid_reader *reader, const uint8_t uid[RFID_UID_LEN], uint8_t afi,
		   rfid_done_fn done, void *data);
int rfid_set_eas(struct rfid_reader *reader, const uint8_t uid[RFID_UID_LEN], bool on,
		 rfid_done_fn done, void *data);
/* What the tag's AFI and EAS are now: how a security write is verified. */
int rfid_read_state(struct rfid_reader *reader, const uint8_t uid[RFID_UID_LEN],
		    rfid_done_fn done, void *data);
void rfid_status(struct rfid_reader *reader, struct rfid_status *out);

/* "E004010012345678": 16 upper-case hex digits and a NUL. */
void rfid_uid_format(const uint8_t uid[RFID_UID_LEN], char out[RFID_UID_HEX_LEN + 1]);
/* Exactly 16 hex digits, either case; 0 or -EINVAL. */
int rfid_uid_parse(const char *hex, size_t len, uint8_t uid[RFID_UID_LEN]);
/* "unknown", "off", "on" */
const char *rfid_eas_name(enum rfid_eas eas);
/* "read blocks", "write blocks", "write AFI", "set EAS", "read state": for failure reports */
const char *rfid_op_name(enum rfid_op op);

#endif
