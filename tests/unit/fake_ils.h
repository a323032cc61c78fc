/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * An ILS in process for unit tests (implements ils.h): it keeps which item
 * is charged to whom, answers on the loop's (fake) clock, logs every
 * request, and can be scripted request by request: answer later, refuse
 * with a message, lose the reply (applied or not), garble it, hang until
 * cancelled, or leave a verification unsettled.
 *
 * Ownership: fake_ils_new() gives a struct ils that ils_free() frees;
 * pending callbacks are dropped then, as the real one does.
 */
#ifndef CIRCD_TEST_FAKE_ILS_H
#define CIRCD_TEST_FAKE_ILS_H

#include <stdbool.h>
#include <stdint.h>

#include "../../firmware/ils.h"

struct loop;
struct fake_ils;

enum fake_req_kind {
	FAKE_PATRON,
	FAKE_CHECKOUT,
	FAKE_CHECKIN,
	FAKE_RENEW,
	FAKE_CHARGED_TO,
	FAKE_CHARGED,
	FAKE_END_SESSION,
};

enum fake_fate {
	FAKE_ANSWER,     /* after delay_ms */
	FAKE_LOSE,       /* applied if apply_anyway; -ETIMEDOUT after timeout_ms */
	FAKE_GARBLE,     /* applied if apply_anyway; -EBADMSG after delay_ms */
	FAKE_HANG,       /* nothing until cancelled (or the link drops) */
	FAKE_UNSETTLED,  /* a verification that establishes nothing */
};

/* What to do with the next request; unscripted ones are answered at once, truthfully. */
struct fake_step {
	enum fake_fate fate;
	uint64_t delay_ms;
	bool apply_anyway;
	bool refuse;             /* circulation: refused, with screen as the reason */
	const char *screen;
	bool unknown_patron;     /* patron check */
	unsigned flags;          /* patron check: enum ils_patron_flag */
	const char *language;    /* patron check: the patron's, ISO 639-1 */
	enum ils_alert alert;    /* checkin */
	const char *sort_bin;    /* checkin */
};

struct fake_req {
	enum fake_req_kind kind;
	enum ils_lane lane;
	char patron[ILS_ID_MAX + 1];
	char item[ILS_ID_MAX + 1];
	char pin[ILS_PIN_MAX + 1];
	bool no_block;
	int64_t no_block_due_ms;
	int64_t wall_ms;
};

#define FAKE_LOG_MAX 64
#define FAKE_STEPS_MAX 16
#define FAKE_ITEMS_MAX 64

int fake_ils_new(struct loop *loop, const struct ils_events *events, void *data,
		 struct fake_ils **ret);
struct ils *fake_ils_ils(struct fake_ils *fake);

/* The link goes up or down (told through events.link); down fails what is pending. */
void fake_ils_set_up(struct fake_ils *fake, bool up);
void fake_ils_script(struct fake_ils *fake, const struct fake_step *step);
/* How long a lost reply takes to be declared lost (the client's response timeout). */
void fake_ils_set_timeout(struct fake_ils *fake, uint64_t ms);
/* The ILS's own records: item charged to patron ("" for none). */
void fake_ils_charge(struct fake_ils *fake, const char *item, const char *patron);
const char *fake_ils_charged_to(const struct fake_ils *fake, const char *item);

/* Requests seen, oldest first, and how many times a checkout/checkin/renewal was applied. */
unsigned fake_ils_n_requests(const struct fake_ils *fake);
const struct fake_req *fake_ils_request(const struct fake_ils *fake, unsigned i);
unsigned fake_ils_count(const struct fake_ils *fake, enum fake_req_kind kind, const char *item);
unsigned fake_ils_applied(const struct fake_ils *fake, enum fake_req_kind kind, const char *item);
unsigned fake_ils_cancelled(const struct fake_ils *fake);
unsigned fake_ils_pending(const struct fake_ils *fake);

#endif
