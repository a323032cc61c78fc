/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inside the FEIG backend: rfid-feig.c (the reader: handshake, inventory
 * rounds, the line's state, firmware's calls) and rfid-feig-op.c (the
 * operations on one tag) share the reader's state and these calls. Nothing
 * outside those two files includes it.
 */
#ifndef CIRCD_HAL_RFID_FEIG_PRIVATE_H
#define CIRCD_HAL_RFID_FEIG_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "feig-frame.h"
#include "feig-link.h"
#include "rfid-backend.h"
#include "rfid-field.h"
#include "rfid.h"

/* A tag command may take the reader's TR-RESPONSE-TIME (CFG1, 3 s by default). */
#define TAG_COMMAND_MS 3200
#define ROUND_TAGS_MAX (2 * RFID_FIELD_MAX)
#define NXP_UID_BYTE 1 /* the IC manufacturer code, after 0xE0 */

/* What the exchange in flight is for. */
enum feig_exchange {
	EX_NONE,
	EX_BAUD,
	EX_VERSION,
	EX_INVENTORY,
	EX_NEW_SYSINFO, /* a tag new to the field */
	EX_NEW_READ,
	EX_NEW_EAS,
	EX_OP_SYSINFO, /* the pending operation */
	EX_OP_READ,
	EX_OP_WRITE,
	EX_OP_AFI,
	EX_OP_EAS_SET,
	EX_OP_EAS_ALARM,
};

struct feig_op {
	bool pending;         /* accepted and not yet delivered */
	bool finished;        /* reply is final, done is called from the kick timer */
	struct rfid_request req; /* as submitted; a write's n_blocks, a read's bytes filled in */
	unsigned blocks_done;
	unsigned block_size;  /* 0 until known */
	unsigned block_count;
	struct rfid_reply reply;
};

/* A tag new to the field, read before it is reported. */
struct new_tag {
	struct rfid_tag tag;
	unsigned blocks_wanted;
};

struct rfid_feig {
	struct rfid_backend base; /* first: rfid_backend_status() reads it */

	struct feig_link *link;
	bool port_up, port_changed;
	char port_why[160];
	bool ready;          /* the reader answered the handshake */
	bool handshake_wait; /* until the next handshake try */
	enum feig_exchange ex; /* what the exchange under way is for */
	bool send_failed;      /* ex could not be sent: it ends from the kick timer */

	bool round_due, in_round;
	unsigned silent_rounds;
	struct feig_tag round[ROUND_TAGS_MAX];
	size_t n_round, next_new;
	struct new_tag reading;
	struct rfid_field field;

	struct feig_op op;
	struct loop_timer tick; /* the next round, or the next handshake try */
	struct loop_timer kick; /* work moved out of firmware's calls: starting, done */
	char last_report[160];
};

/* Sends req for ex on the free line; its answer comes to rfid_feig_op_answer() or the round. */
void rfid_feig_send(struct rfid_feig *f, enum feig_exchange ex, const struct feig_request *req,
		    unsigned answer_ms);
/* What a status byte means for the tag command ex: 0 or -errno (rfid.h's results). */
int rfid_feig_status_result(struct rfid_feig *f, enum feig_exchange ex, uint8_t status);
/* Blocks per read (or write) request of this block size, so that both fit a standard frame. */
unsigned rfid_feig_chunk_blocks(unsigned block_size, bool write);

/* rfid-feig-op.c: the pending operation's next request, its answers, its end. */
void rfid_feig_op_next(struct rfid_feig *f);
void rfid_feig_op_answer(struct rfid_feig *f, enum feig_exchange ex, int r,
			 const struct feig_response *resp);
void rfid_feig_op_finish(struct rfid_feig *f, int result);
int rfid_feig_submit(void *handle, const struct rfid_request *req);

#endif
