/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "rfid_chain.h"

#include "testlib.h"

void rfid_chain_done(void *data, const struct rfid_reply *reply)
{
	struct rfid_chain *c = data;

	(void)reply;
	if (++c->calls == 1)
		CHECK_INT(rfid_read_state(c->reader, c->uid, rfid_chain_done, c), 0);
}
