/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The library system (ILS) as the kiosk and store-and-forward see it: check
 * a patron, check an item out, in, or renew it, ask whether an item is
 * charged, end a patron's session. Which protocol carries it (SIP2 today,
 * ils-sip2.c) and how it pages, retries or frames is the implementation's
 * business; the outcomes are neutral structs.
 *
 * Every request is answered exactly once through its callback, on the loop
 * and never from inside the call that made it, with err:
 *   0           the outcome is in the struct (valid during the call only);
 *   -ETIMEDOUT  sent, no answer: the ILS may or may not have applied it;
 *   -ENOTCONN   never sent (or the link dropped before it went out);
 *   -EBADMSG    the answer was garbled or not the one expected.
 * A request fails at once with -ENOTCONN (no callback) while the link is down.
 *
 * Requests go in two lanes: live ones (a patron is waiting) go before
 * background ones (store-and-forward). A checkout, checkin or renewal is
 * never sent twice by the implementation: real ILSs would apply it again.
 *
 * Ownership: the creator of an ILS frees it with ils_free() (NULL is fine;
 * no callbacks run from it). Requests copy what they are given.
 */
#ifndef CIRCD_ILS_H
#define CIRCD_ILS_H

#include <stdbool.h>
#include <stdint.h>

#define ILS_ID_MAX 128     /* a patron or item id */
#define ILS_PIN_MAX 64
#define ILS_SHORT_MAX 128  /* a title, a due date as the ILS wrote it, a name */
#define ILS_TEXT_MAX 512   /* a screen message or print line, its lines joined by "\n" */
#define ILS_CHARGED_MAX 32 /* items a patron check lists, to tell a renewal from a checkout */

struct ils;

enum ils_lane {
	ILS_LANE_LIVE,
	ILS_LANE_BACKGROUND,
};

/* What the ILS says about a patron's account that the kiosk acts on or tells. */
enum ils_patron_flag {
	ILS_PATRON_CHARGE_DENIED = 1u << 0,
	ILS_PATRON_CARD_LOST = 1u << 1,
	ILS_PATRON_RENEWAL_DENIED = 1u << 2,
	ILS_PATRON_HOLD_DENIED = 1u << 3,
	ILS_PATRON_TOO_MANY_CHARGED = 1u << 4,
	ILS_PATRON_TOO_MANY_OVERDUE = 1u << 5,
	ILS_PATRON_RECALL_OVERDUE = 1u << 6,
	ILS_PATRON_EXCESSIVE_FINES = 1u << 7,
	ILS_PATRON_EXCESSIVE_FEES = 1u << 8,
	ILS_PATRON_TOO_MANY_LOST = 1u << 9,
};

struct ils_patron_req {
	const char *patron;
	const char *pin;      /* "" if none was asked for */
	const char *language; /* ISO 639-1 the ILS's words are wanted in; NULL or "": none */
};

struct ils_patron {
	bool known_said, known;   /* whether the ILS said if it knows the patron, and that */
	bool pin_said, pin_ok;    /* the same for the PIN */
	unsigned flags;           /* enum ils_patron_flag */
	char name[ILS_SHORT_MAX];
	char screen[ILS_TEXT_MAX];
	char fee_amount[32];      /* as the ILS wrote it, "" if none */
	char language[8];         /* the patron's, ISO 639-1 ("de"); "" when the ILS did not say */
	unsigned n_charged;       /* the first ILS_CHARGED_MAX of the patron's loans */
	char charged[ILS_CHARGED_MAX][ILS_ID_MAX + 1];
};

struct ils_circ_req {
	const char *patron; /* "" for a checkin */
	const char *pin;    /* "" or NULL if none */
	const char *item;
	int64_t wall_ms;    /* when it happened at the kiosk */
	/* Done offline already: the ILS must not refuse it on policy. */
	bool no_block;
	int64_t no_block_due_ms; /* the due date the patron was given offline, 0: none */
};

/* A checked-in item's alert for whoever is at the bin. */
enum ils_alert {
	ILS_ALERT_NONE,
	ILS_ALERT_HOLD_HERE,
	ILS_ALERT_HOLD_ELSEWHERE,
	ILS_ALERT_TRANSIT,
	ILS_ALERT_OTHER,
};

struct ils_circ {
	bool ok;                  /* applied; false: refused, the screen message says why */
	char answer[8];           /* how the answer is named in the journal's evidence ("12") */
	char title[ILS_SHORT_MAX];
	char due_text[ILS_SHORT_MAX]; /* as the ILS wrote it */
	int64_t due_ms;           /* the same read as a time, 0 if it is none */
	char screen[ILS_TEXT_MAX];
	char screen_first[ILS_TEXT_MAX]; /* the first line alone: the refusal's reason */
	char print[ILS_TEXT_MAX];
	char fee_amount[32];
	/* checkin */
	bool resensitize;
	enum ils_alert alert;
	char alert_name[48];      /* the ILS's own name for it, for logs */
	char destination[ILS_SHORT_MAX];
	char sort_bin[16];
};

enum ils_item_state {
	ILS_ITEM_CHARGED,
	ILS_ITEM_NOT_CHARGED,
	ILS_ITEM_UNSETTLED, /* the answers did not establish it; evidence says why */
};

struct ils_item_check {
	enum ils_item_state state;
	char evidence[96];        /* what the ILS said, for the journal */
	char title[ILS_SHORT_MAX];
};

typedef void (*ils_patron_fn)(void *data, int err, const struct ils_patron *patron);
typedef void (*ils_circ_fn)(void *data, int err, const struct ils_circ *outcome);
typedef void (*ils_check_fn)(void *data, int err, const struct ils_item_check *check);

struct ils_ops {
	void (*free)(struct ils *ils);
	/* Up, or re-establishing a connection the ILS closed while idle. */
	bool (*up)(const struct ils *ils);
	/* Drops the reconnection backoff (circctl sync). */
	void (*kick)(struct ils *ils);
	/* Why the link is down (or ""), for circctl status. */
	const char *(*last_error)(const struct ils *ils);

	int (*check_patron)(struct ils *ils, const struct ils_patron_req *req, ils_patron_fn done,
			    void *data);
	int (*checkout)(struct ils *ils, enum ils_lane lane, const struct ils_circ_req *req,
			ils_circ_fn done, void *data);
	int (*checkin)(struct ils *ils, enum ils_lane lane, const struct ils_circ_req *req,
		       ils_circ_fn done, void *data);
	int (*renew)(struct ils *ils, enum ils_lane lane, const struct ils_circ_req *req,
		     ils_circ_fn done, void *data);
	/* Background lane: is item charged to patron now? */
	int (*check_charged_to)(struct ils *ils, const char *patron, const char *item,
				ils_check_fn done, void *data);
	/* Background lane: is item charged to anyone now? */
	int (*check_charged)(struct ils *ils, const char *item, ils_check_fn done, void *data);
	/* The patron is done; nothing depends on the answer. */
	int (*end_session)(struct ils *ils, const char *patron);
	/*
	 * Stops waiting for the request whose callback data is data (a patron
	 * cannot wait any longer): its callback runs before this returns, with
	 * -ENOTCONN if it was not sent, -ETIMEDOUT if it was. -ENOENT: none.
	 */
	int (*cancel)(struct ils *ils, void *data);
};

struct ils {
	const struct ils_ops *ops;
};

static inline void ils_free(struct ils *ils)
{
	if (ils)
		ils->ops->free(ils);
}

static inline bool ils_up(const struct ils *ils)
{
	return ils && ils->ops->up(ils);
}

/* Told to whoever runs the link. */
struct ils_events {
	/* The link went up (logged in) or down; the first attempt reports either way. */
	void (*link)(void *data, bool up, const char *why);
	/* The ILS said what time it is (ils_wall_ms), seen at mono_ms on the loop. */
	void (*clock)(void *data, int64_t ils_wall_ms, uint64_t mono_ms);
};

#endif
