/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ILS over SIP2 (see ils.h, ils-sip2.h): each request becomes one SIP2
 * message on the client (23 or 63, 11, 09, 29, 17, 35) -- or, to find out
 * whether an item is charged to a patron, as many 63 pages as it takes --
 * and each reply is read into the neutral outcome structs.
 *
 * A checkout is verified by paging through the patron's charged items, 32
 * at a time (BP/BQ): a heavy borrower's thousands would be one enormous
 * reply. The ILS may ignore the range and send everything, or fewer than
 * asked: the item on any page is charged; the walk ends at a page shorter
 * than asked, one with nothing new, or one longer than asked (the ILS sent
 * its whole list); "not charged" also needs as many items seen as the 64
 * counts, and the same count on every page (else the list moved).
 *
 * Each request owns a copy of what it carries (ids and PIN wiped when it
 * is done), kept on a list so that a patron who cannot wait any longer can
 * be let go of it (cancel) and ils_free() can drop what is left.
 */
#include "ils-sip2.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ils-date.h"
#include "loop.h"
#include "sip2-client.h"
#include "util.h"

/* Charged items per 63: every one of a full page is kept in the decoded 64. */
#define PAGE_ITEMS SIP2_LIST_MAX
/* BQ has four digits: 9999 is the last item any page can ask for. */
#define LAST_ITEM 9999
#define PAGES_MAX (LAST_ITEM / PAGE_ITEMS + 1)
/* SIP2 circulation status 04: charged. */
#define CIRC_CHARGED 4

enum req_kind {
	REQ_PATRON,
	REQ_CHECKOUT,
	REQ_CHECKIN,
	REQ_RENEW,
	REQ_CHARGED_TO,
	REQ_CHARGED,
	REQ_END_SESSION,
};

/* Paging through a patron's charged items for one verification. */
struct charged_walk {
	unsigned first; /* BP of the page asked for */
	unsigned pages; /* answered so far */
	unsigned seen;  /* distinct items listed so far */
	int total;      /* the first page's charged items count, or SIP2_UNKNOWN */
	char prev[PAGE_ITEMS][SIP2_FIELD_MAX + 1]; /* the last page, to spot repeats */
	unsigned n_prev;
};

struct ils_sip2;

struct request {
	struct ils_sip2 *owner;
	struct request *next;
	enum req_kind kind;
	enum sip2_lane lane;
	char patron[ILS_ID_MAX + 1];
	char pin[ILS_PIN_MAX + 1];
	char item[ILS_ID_MAX + 1];
	unsigned language; /* REQ_PATRON: SIP2's code of the language asked for */
	int64_t wall_ms;
	bool no_block;
	int64_t no_block_due_ms;
	union {
		ils_patron_fn patron;
		ils_circ_fn circ;
		ils_check_fn check;
	} done;
	void *data;
	struct charged_walk *walk; /* REQ_CHARGED_TO */
};

struct ils_sip2 {
	struct ils ils;
	struct loop *loop;
	struct sip2_client *client;
	unsigned patron_message; /* 23 or 63 */
	struct ils_events events;
	void *events_data;
	struct request *pending;
};

static struct ils_sip2 *to_sip2(struct ils *ils)
{
	return (struct ils_sip2 *)ils;
}

static const struct ils_sip2 *to_sip2_const(const struct ils *ils)
{
	return (const struct ils_sip2 *)ils;
}

/* --- requests ----------------------------------------------------------- */

static void request_free(struct request *rq)
{
	struct request **p;

	if (!rq)
		return;
	for (p = &rq->owner->pending; *p; p = &(*p)->next)
		if (*p == rq) {
			*p = rq->next;
			break;
		}
	free(rq->walk);
	explicit_bzero(rq, sizeof(*rq));
	free(rq);
}

static int request_new(struct ils_sip2 *is, enum req_kind kind, enum ils_lane lane,
		       void *data, struct request **ret)
{
	struct request *rq = calloc(1, sizeof(*rq));

	if (!rq)
		return -ENOMEM;
	rq->owner = is;
	rq->kind = kind;
	rq->lane = lane == ILS_LANE_LIVE ? SIP2_LANE_LIVE : SIP2_LANE_BACKGROUND;
	rq->data = data;
	rq->next = is->pending;
	is->pending = rq;
	*ret = rq;
	return 0;
}

static void copy(char *out, size_t size, const char *in)
{
	snprintf(out, size, "%s", in ? in : "");
}

static time_t now_s(const struct request *rq)
{
	return (time_t)(loop_wall_ms(rq->owner->loop) / 1000);
}

/* --- building ----------------------------------------------------------- */

static int build_patron(const struct request *rq, const struct sip2_profile *p, int seq, char *out,
			size_t size, size_t *len)
{
	if (rq->owner->patron_message == 63) {
		struct sip2_patron_info_req req = {
			.language = rq->language,
			.date = now_s(rq),
			.summary = SIP2_SUMMARY_CHARGED_ITEMS,
			.patron_id = rq->patron,
			.patron_password = rq->pin,
			.start_item = 1,
			.end_item = ILS_CHARGED_MAX,
		};

		return sip2_encode_patron_info(p, seq, &req, out, size, len);
	} else {
		struct sip2_patron_status_req req = {
			.language = rq->language,
			.date = now_s(rq),
			.patron_id = rq->patron,
			.patron_password = rq->pin,
		};

		return sip2_encode_patron_status(p, seq, &req, out, size, len);
	}
}

static int build_charged_page(const struct request *rq, const struct sip2_profile *p, int seq,
			      char *out, size_t size, size_t *len)
{
	unsigned last = rq->walk->first + PAGE_ITEMS - 1;
	struct sip2_patron_info_req req = {
		.language = 1,
		.date = now_s(rq),
		.summary = SIP2_SUMMARY_CHARGED_ITEMS,
		.patron_id = rq->patron,
		.start_item = rq->walk->first,
		.end_item = last > LAST_ITEM ? LAST_ITEM : last,
	};

	return sip2_encode_patron_info(p, seq, &req, out, size, len);
}

static int build(void *data, const struct sip2_profile *p, int seq, char *out, size_t size,
		 size_t *len)
{
	const struct request *rq = data;
	time_t when = (time_t)(rq->wall_ms / 1000);

	switch (rq->kind) {
	case REQ_PATRON:
		return build_patron(rq, p, seq, out, size, len);
	case REQ_CHECKOUT: {
		struct sip2_checkout_req req = {
			.no_block = rq->no_block,
			.date = when,
			.nb_due_date = (time_t)(rq->no_block_due_ms / 1000),
			.patron_id = rq->patron,
			.item_id = rq->item,
			.patron_password = rq->pin,
		};

		return sip2_encode_checkout(p, seq, &req, out, size, len);
	}
	case REQ_RENEW: {
		struct sip2_renew_req req = { .date = when, .patron_id = rq->patron,
					      .item_id = rq->item, .patron_password = rq->pin };

		return sip2_encode_renew(p, seq, &req, out, size, len);
	}
	case REQ_CHECKIN: {
		struct sip2_checkin_req req = { .no_block = rq->no_block, .date = when,
						.return_date = when, .item_id = rq->item };

		return sip2_encode_checkin(p, seq, &req, out, size, len);
	}
	case REQ_CHARGED_TO:
		return build_charged_page(rq, p, seq, out, size, len);
	case REQ_CHARGED: {
		struct sip2_item_info_req req = { .date = now_s(rq), .item_id = rq->item };

		return sip2_encode_item_info(p, seq, &req, out, size, len);
	}
	case REQ_END_SESSION: {
		struct sip2_end_session_req req = { .date = now_s(rq), .patron_id = rq->patron };

		return sip2_encode_end_session(p, seq, &req, out, size, len);
	}
	}
	return -EINVAL;
}

/* --- reading replies ---------------------------------------------------- */

static const struct {
	enum sip2_patron_flag sip2;
	unsigned ils;
} patron_flags[] = {
	{ SIP2_PF_CHARGE_DENIED, ILS_PATRON_CHARGE_DENIED },
	{ SIP2_PF_CARD_LOST, ILS_PATRON_CARD_LOST },
	{ SIP2_PF_RENEWAL_DENIED, ILS_PATRON_RENEWAL_DENIED },
	{ SIP2_PF_HOLD_DENIED, ILS_PATRON_HOLD_DENIED },
	{ SIP2_PF_TOO_MANY_CHARGED, ILS_PATRON_TOO_MANY_CHARGED },
	{ SIP2_PF_TOO_MANY_OVERDUE, ILS_PATRON_TOO_MANY_OVERDUE },
	{ SIP2_PF_RECALL_OVERDUE, ILS_PATRON_RECALL_OVERDUE },
	{ SIP2_PF_EXCESSIVE_FINES, ILS_PATRON_EXCESSIVE_FINES },
	{ SIP2_PF_EXCESSIVE_FEES, ILS_PATRON_EXCESSIVE_FEES },
	{ SIP2_PF_TOO_MANY_LOST, ILS_PATRON_TOO_MANY_LOST },
};

static void patron_reply(struct request *rq, int err, const struct sip2_msg *msg)
{
	struct sip2_patron_info info;
	struct sip2_patron_status *st = &info.status;
	struct ils_patron *out;
	size_t i;
	int r;

	if (err < 0) {
		rq->done.patron(rq->data, err, NULL);
		return;
	}
	memset(&info, 0, sizeof(info));
	r = msg->code == 64 ? sip2_parse_patron_info(msg, &info) :
			      sip2_parse_patron_status(msg, st);
	out = r < 0 ? NULL : calloc(1, sizeof(*out));
	if (!out) {
		rq->done.patron(rq->data, r < 0 ? -EBADMSG : -ENOMEM, NULL);
		return;
	}
	out->known_said = st->valid_patron_present;
	out->known = st->valid_patron;
	out->pin_said = st->valid_password_present;
	out->pin_ok = st->valid_password;
	for (i = 0; i < ARRAY_SIZE(patron_flags); i++)
		if (st->flags[patron_flags[i].sip2])
			out->flags |= patron_flags[i].ils;
	copy(out->name, sizeof(out->name), st->personal_name);
	copy(out->fee_amount, sizeof(out->fee_amount), st->fee_amount);
	copy(out->language, sizeof(out->language), sip2_language_iso639(st->language));
	sip2_list_join(&st->screen_msg, out->screen, sizeof(out->screen));
	for (i = 0; i < info.charged_items.n && i < ILS_CHARGED_MAX; i++)
		copy(out->charged[out->n_charged++], sizeof(out->charged[0]),
		     info.charged_items.v[i]);
	rq->done.patron(rq->data, 0, out);
	free(out);
}

static void circ_texts(struct ils_circ *out, const struct sip2_list *screen,
		       const struct sip2_list *print)
{
	sip2_list_join(screen, out->screen, sizeof(out->screen));
	copy(out->screen_first, sizeof(out->screen_first), screen->n ? screen->v[0] : "");
	sip2_list_join(print, out->print, sizeof(out->print));
}

static int read_checkout(const struct request *rq, const struct sip2_msg *msg,
			 struct ils_circ *out)
{
	struct sip2_checkout_resp resp;
	time_t due;

	if ((rq->kind == REQ_RENEW ? sip2_parse_renew(msg, &resp) :
				     sip2_parse_checkout(msg, &resp)) < 0)
		return -EBADMSG;
	out->ok = resp.ok;
	copy(out->answer, sizeof(out->answer), msg->code_str);
	copy(out->title, sizeof(out->title), resp.title);
	copy(out->due_text, sizeof(out->due_text), resp.due_date);
	if (resp.due_date && due_date_parse(resp.due_date, &due) == 0)
		out->due_ms = (int64_t)due * 1000;
	copy(out->fee_amount, sizeof(out->fee_amount), resp.fee_amount);
	circ_texts(out, &resp.screen_msg, &resp.print_line);
	return 0;
}

static enum ils_alert alert_kind(const struct sip2_checkin_resp *resp)
{
	if (!resp->alert)
		return ILS_ALERT_NONE;
	switch (resp->alert_type) {
	case 1:
		return ILS_ALERT_HOLD_HERE;
	case 2:
		return ILS_ALERT_HOLD_ELSEWHERE;
	case 4:
		return ILS_ALERT_TRANSIT;
	default:
		return ILS_ALERT_OTHER;
	}
}

static int read_checkin(const struct sip2_msg *msg, struct ils_circ *out)
{
	struct sip2_checkin_resp resp;

	if (sip2_parse_checkin(msg, &resp) < 0)
		return -EBADMSG;
	out->ok = resp.ok;
	copy(out->answer, sizeof(out->answer), "10");
	out->resensitize = resp.resensitize;
	copy(out->title, sizeof(out->title), resp.title);
	out->alert = alert_kind(&resp);
	copy(out->alert_name, sizeof(out->alert_name), sip2_alert_type_name(resp.alert_type));
	copy(out->destination, sizeof(out->destination), resp.destination);
	copy(out->sort_bin, sizeof(out->sort_bin), resp.sort_bin);
	circ_texts(out, &resp.screen_msg, &resp.print_line);
	return 0;
}

static void circ_reply(struct request *rq, int err, const struct sip2_msg *msg)
{
	struct ils_circ *out;

	if (err < 0) {
		rq->done.circ(rq->data, err, NULL);
		return;
	}
	out = calloc(1, sizeof(*out));
	if (!out) {
		rq->done.circ(rq->data, -ENOMEM, NULL);
		return;
	}
	err = rq->kind == REQ_CHECKIN ? read_checkin(msg, out) : read_checkout(rq, msg, out);
	rq->done.circ(rq->data, err, err < 0 ? NULL : out);
	free(out);
}

static void check_done(struct request *rq, enum ils_item_state state, const char *title,
		       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void check_done(struct request *rq, enum ils_item_state state, const char *title,
		       const char *fmt, ...)
{
	struct ils_item_check check = { .state = state };
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(check.evidence, sizeof(check.evidence), fmt, ap);
	va_end(ap);
	copy(check.title, sizeof(check.title), title);
	rq->done.check(rq->data, 0, &check);
}

static bool in_prev_page(const struct charged_walk *w, const char *item)
{
	for (unsigned i = 0; i < w->n_prev; i++)
		if (strcmp(w->prev[i], item) == 0)
			return true;
	return false;
}

/* The list ended: not charged only if it held every loan the ILS counts. */
static void walk_done(struct request *rq)
{
	const struct charged_walk *w = rq->walk;

	if (w->total != SIP2_UNKNOWN && w->seen < (unsigned)w->total) {
		check_done(rq, ILS_ITEM_UNSETTLED, "", "the ILS listed %u of the patron's %d loans",
			   w->seen, w->total);
		return;
	}
	check_done(rq, ILS_ITEM_NOT_CHARGED, "",
		   "the patron's charged items (63) do not include the item");
}

static void on_reply(void *data, int err, const struct sip2_msg *msg);

/* true: the next page is asked for, the request goes on. */
static bool charged_page(struct request *rq, const struct sip2_msg *msg)
{
	struct charged_walk *w = rq->walk;
	struct sip2_patron_info info;
	unsigned n, fresh = 0;

	if (msg->code != 64 || sip2_parse_patron_info(msg, &info) < 0) {
		rq->done.check(rq->data, -EBADMSG, NULL);
		return false;
	}
	if (sip2_msg_has(msg, "AU", rq->item)) {
		check_done(rq, ILS_ITEM_CHARGED, "", "64 lists the item as charged to this patron");
		return false;
	}
	w->pages++;
	if (w->pages == 1)
		w->total = info.charged_items_count;
	else if (info.charged_items_count != w->total) {
		check_done(rq, ILS_ITEM_UNSETTLED, "",
			   "the patron's loans changed while they were listed");
		return false;
	}
	n = sip2_msg_count(msg, "AU");
	if (n > PAGE_ITEMS) {
		/* The range was ignored: this is the ILS's whole list. */
		w->seen = n > w->seen ? n : w->seen;
		walk_done(rq);
		return false;
	}
	/* n <= SIP2_LIST_MAX: every item of the page is kept in msg. */
	for (unsigned i = 0; i < n; i++)
		fresh += !in_prev_page(w, info.charged_items.v[i]);
	w->seen += fresh;
	if (n < PAGE_ITEMS || !fresh) {
		walk_done(rq);
		return false;
	}
	if (w->pages == PAGES_MAX || w->first + PAGE_ITEMS > LAST_ITEM) {
		check_done(rq, ILS_ITEM_UNSETTLED, "", "more loans than a verification pages through");
		return false;
	}
	for (w->n_prev = 0; w->n_prev < n; w->n_prev++)
		copy(w->prev[w->n_prev], sizeof(w->prev[0]), info.charged_items.v[w->n_prev]);
	w->first += PAGE_ITEMS;
	if (sip2_client_request(rq->owner->client, rq->lane, "64", build, rq, on_reply, rq) < 0) {
		rq->done.check(rq->data, -ENOTCONN, NULL);
		return false;
	}
	return true;
}

static void charged_reply(struct request *rq, const struct sip2_msg *msg)
{
	struct sip2_item_info info;

	if (sip2_parse_item_info(msg, &info) < 0) {
		rq->done.check(rq->data, -EBADMSG, NULL);
		return;
	}
	if (info.circulation_status != CIRC_CHARGED)
		check_done(rq, ILS_ITEM_NOT_CHARGED, info.title, "18 says %s",
			   sip2_circ_status_name(info.circulation_status));
	else
		check_done(rq, ILS_ITEM_CHARGED, info.title, "18 says the item is still charged");
}

static void on_reply(void *data, int err, const struct sip2_msg *msg)
{
	struct request *rq = data;

	switch (rq->kind) {
	case REQ_PATRON:
		patron_reply(rq, err, msg);
		break;
	case REQ_CHECKOUT:
	case REQ_CHECKIN:
	case REQ_RENEW:
		circ_reply(rq, err, msg);
		break;
	case REQ_CHARGED_TO:
		if (err < 0)
			rq->done.check(rq->data, err, NULL);
		else if (charged_page(rq, msg))
			return;
		break;
	case REQ_CHARGED:
		if (err < 0)
			rq->done.check(rq->data, err, NULL);
		else
			charged_reply(rq, msg);
		break;
	case REQ_END_SESSION:
		break;
	}
	request_free(rq);
}

static int send_request(struct request *rq, const char expect[2])
{
	int r = sip2_client_request(rq->owner->client, rq->lane, expect, build, rq, on_reply, rq);

	if (r < 0)
		request_free(rq);
	return r;
}

/* --- ils_ops ------------------------------------------------------------ */

static int sip2_check_patron(struct ils *ils, const struct ils_patron_req *req, ils_patron_fn done,
			     void *data)
{
	struct ils_sip2 *is = to_sip2(ils);
	struct request *rq;
	int r = request_new(is, REQ_PATRON, ILS_LANE_LIVE, data, &rq);

	if (r < 0)
		return r;
	rq->done.patron = done;
	copy(rq->patron, sizeof(rq->patron), req->patron);
	copy(rq->pin, sizeof(rq->pin), req->pin);
	/* The kiosk's language, so the ILS may answer in it; English when SIP2 has no code for it. */
	rq->language = sip2_language_code(req->language);
	if (!rq->language)
		rq->language = sip2_language_code("en");
	return send_request(rq, is->patron_message == 63 ? "64" : "24");
}

static int circ(struct ils *ils, enum req_kind kind, enum ils_lane lane,
		const struct ils_circ_req *req, ils_circ_fn done, void *data)
{
	static const char expect[][3] = { [REQ_CHECKOUT] = "12", [REQ_CHECKIN] = "10",
					  [REQ_RENEW] = "30" };
	struct request *rq;
	int r = request_new(to_sip2(ils), kind, lane, data, &rq);

	if (r < 0)
		return r;
	rq->done.circ = done;
	copy(rq->patron, sizeof(rq->patron), req->patron);
	copy(rq->pin, sizeof(rq->pin), req->pin);
	copy(rq->item, sizeof(rq->item), req->item);
	rq->wall_ms = req->wall_ms;
	rq->no_block = req->no_block;
	rq->no_block_due_ms = req->no_block_due_ms;
	return send_request(rq, expect[kind]);
}

static int sip2_checkout(struct ils *ils, enum ils_lane lane, const struct ils_circ_req *req,
			 ils_circ_fn done, void *data)
{
	return circ(ils, REQ_CHECKOUT, lane, req, done, data);
}

static int sip2_checkin(struct ils *ils, enum ils_lane lane, const struct ils_circ_req *req,
			ils_circ_fn done, void *data)
{
	return circ(ils, REQ_CHECKIN, lane, req, done, data);
}

static int sip2_renew(struct ils *ils, enum ils_lane lane, const struct ils_circ_req *req,
		      ils_circ_fn done, void *data)
{
	return circ(ils, REQ_RENEW, lane, req, done, data);
}

static int sip2_check_charged_to(struct ils *ils, const char *patron, const char *item,
				 ils_check_fn done, void *data)
{
	struct request *rq;
	int r = request_new(to_sip2(ils), REQ_CHARGED_TO, ILS_LANE_BACKGROUND, data, &rq);

	if (r < 0)
		return r;
	rq->walk = calloc(1, sizeof(*rq->walk));
	if (!rq->walk) {
		request_free(rq);
		return -ENOMEM;
	}
	rq->walk->first = 1;
	rq->walk->total = SIP2_UNKNOWN;
	rq->done.check = done;
	copy(rq->patron, sizeof(rq->patron), patron);
	copy(rq->item, sizeof(rq->item), item);
	return send_request(rq, "64");
}

static int sip2_check_charged(struct ils *ils, const char *item, ils_check_fn done, void *data)
{
	struct request *rq;
	int r = request_new(to_sip2(ils), REQ_CHARGED, ILS_LANE_BACKGROUND, data, &rq);

	if (r < 0)
		return r;
	rq->done.check = done;
	copy(rq->item, sizeof(rq->item), item);
	return send_request(rq, "18");
}

static int sip2_end_session(struct ils *ils, const char *patron)
{
	struct request *rq;
	int r = request_new(to_sip2(ils), REQ_END_SESSION, ILS_LANE_LIVE, NULL, &rq);

	if (r < 0)
		return r;
	copy(rq->patron, sizeof(rq->patron), patron);
	return send_request(rq, "36");
}

static int sip2_cancel(struct ils *ils, void *data)
{
	struct ils_sip2 *is = to_sip2(ils);
	struct request *rq;

	for (rq = is->pending; rq; rq = rq->next)
		if (rq->data == data && rq->kind != REQ_END_SESSION)
			return sip2_client_cancel(is->client, on_reply, rq);
	return -ENOENT;
}

static bool sip2_up(const struct ils *ils)
{
	return sip2_client_up(to_sip2_const(ils)->client);
}

static void sip2_kick(struct ils *ils)
{
	sip2_client_kick(to_sip2(ils)->client);
}

static const char *sip2_last_error(const struct ils *ils)
{
	return sip2_client_last_error(to_sip2_const(ils)->client);
}

static void sip2_free(struct ils *ils)
{
	struct ils_sip2 *is = to_sip2(ils);

	/* No callbacks: the client drops its queue without running them. */
	sip2_client_free(is->client);
	while (is->pending)
		request_free(is->pending);
	free(is);
}

static const struct ils_ops sip2_ops = {
	.free = sip2_free,
	.up = sip2_up,
	.kick = sip2_kick,
	.last_error = sip2_last_error,
	.check_patron = sip2_check_patron,
	.checkout = sip2_checkout,
	.checkin = sip2_checkin,
	.renew = sip2_renew,
	.check_charged_to = sip2_check_charged_to,
	.check_charged = sip2_check_charged,
	.end_session = sip2_end_session,
	.cancel = sip2_cancel,
};

/* --- the link ----------------------------------------------------------- */

static void on_link(void *data, bool up, const char *why)
{
	struct ils_sip2 *is = data;

	if (is->events.link)
		is->events.link(is->events_data, up, why);
}

static void on_acs_status(void *data, const struct sip2_acs_status *st, uint64_t mono_ms)
{
	struct ils_sip2 *is = data;

	if (st->date_time_sync.valid && is->events.clock)
		is->events.clock(is->events_data, (int64_t)st->date_time_sync.t * 1000, mono_ms);
}

int ils_sip2_new(struct loop *loop, const struct sip2_config *cfg, const struct ils_events *events,
		 void *data, struct ils **ret)
{
	static const struct sip2_client_events client_events = {
		.link = on_link,
		.acs_status = on_acs_status,
	};
	struct ils_sip2 *is = calloc(1, sizeof(*is));
	int r;

	if (!is)
		return -ENOMEM;
	is->ils.ops = &sip2_ops;
	is->loop = loop;
	is->patron_message = cfg->patron_message;
	if (events)
		is->events = *events;
	is->events_data = data;
	r = sip2_client_new(loop, cfg, &client_events, is, &is->client);
	if (r < 0)
		goto err_client;
	*ret = &is->ils;
	return 0;

err_client:
	free(is);
	return r;
}
