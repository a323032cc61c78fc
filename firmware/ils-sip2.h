/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ILS over SIP2 (see ils.h): the SIP2 client on the loop, and the only
 * place besides the SIP2 codec and client that knows SIP2's messages.
 *
 * Ownership: copies cfg; the result is freed with ils_free().
 */
#ifndef CIRCD_ILS_SIP2_H
#define CIRCD_ILS_SIP2_H

#include "config.h"
#include "ils.h"

struct loop;

int ils_sip2_new(struct loop *loop, const struct sip2_config *cfg, const struct ils_events *events,
		 void *data, struct ils **ret);

#endif
