/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The fake ILS (see fake_ils.h). Each request becomes a pending entry with
 * a loop timer; its fate is decided when it arrives (the ILS applies a
 * circulation request then, as a real one does before it answers) and its
 * callback runs when the timer fires, never from inside the request call.
 */
#include "fake_ils.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/loop.h"

struct pending {
	struct fake_ils *fake;
	struct pending *next;
	struct loop_timer timer;
	struct fake_req req;
	struct fake_step step;
	char screen[ILS_TEXT_MAX];
	char sort_bin[16];
	int err; /* what the callback gets: 0, -ETIMEDOUT, -EBADMSG */
	union {
		ils_patron_fn patron;
		ils_circ_fn circ;
		ils_check_fn check;
	} done;
	void *data;
};

struct charge {
	char item[ILS_ID_MAX + 1];
	char patron[ILS_ID_MAX + 1];
};

struct fake_ils {
	struct ils ils;
	struct loop *loop;
	struct ils_events events;
	void *events_data;
	bool up;
	uint64_t timeout_ms;
	struct fake_step steps[FAKE_STEPS_MAX];
	unsigned n_steps;
	struct fake_req log[FAKE_LOG_MAX];
	unsigned n_log;
	struct fake_req applied[FAKE_LOG_MAX];
	unsigned n_applied;
	struct charge charges[FAKE_ITEMS_MAX];
	unsigned n_charges;
	unsigned cancelled;
	struct pending *pending;
};

static struct fake_ils *to_fake(struct ils *ils)
{
	return (struct fake_ils *)ils;
}

/* --- the ILS's records -------------------------------------------------- */

static struct charge *charge_of(struct fake_ils *f, const char *item)
{
	for (unsigned i = 0; i < f->n_charges; i++)
		if (strcmp(f->charges[i].item, item) == 0)
			return &f->charges[i];
	return NULL;
}

void fake_ils_charge(struct fake_ils *f, const char *item, const char *patron)
{
	struct charge *c = charge_of(f, item);

	if (!c && f->n_charges < FAKE_ITEMS_MAX) {
		c = &f->charges[f->n_charges++];
		snprintf(c->item, sizeof(c->item), "%s", item);
	}
	if (c)
		snprintf(c->patron, sizeof(c->patron), "%s", patron ? patron : "");
}

const char *fake_ils_charged_to(const struct fake_ils *f, const char *item)
{
	struct charge *c = charge_of((struct fake_ils *)f, item);

	return c ? c->patron : "";
}

/* A checkout, checkin or renewal takes effect: the ILS's records change. */
static void apply(struct fake_ils *f, const struct fake_req *req)
{
	if (f->n_applied < FAKE_LOG_MAX)
		f->applied[f->n_applied++] = *req;
	if (req->kind == FAKE_CHECKOUT)
		fake_ils_charge(f, req->item, req->patron);
	else if (req->kind == FAKE_CHECKIN)
		fake_ils_charge(f, req->item, "");
}

/* --- answering ---------------------------------------------------------- */

static void answer_patron(struct pending *p)
{
	struct ils_patron *out = calloc(1, sizeof(*out));
	struct fake_ils *f = p->fake;

	if (!out) {
		p->done.patron(p->data, -ENOMEM, NULL);
		return;
	}
	out->known_said = true;
	out->known = !p->step.unknown_patron;
	out->pin_said = p->req.pin[0] != 0;
	out->pin_ok = strcmp(p->req.pin, "1234") == 0;
	out->flags = p->step.flags;
	snprintf(out->name, sizeof(out->name), "Ada");
	snprintf(out->language, sizeof(out->language), "%s",
		 p->step.language ? p->step.language : "");
	snprintf(out->screen, sizeof(out->screen), "%s", p->screen);
	for (unsigned i = 0; i < f->n_charges && out->n_charged < ILS_CHARGED_MAX; i++)
		if (strcmp(f->charges[i].patron, p->req.patron) == 0)
			snprintf(out->charged[out->n_charged++], sizeof(out->charged[0]), "%s",
				 f->charges[i].item);
	p->done.patron(p->data, 0, out);
	free(out);
}

static void answer_circ(struct pending *p)
{
	struct ils_circ *out = calloc(1, sizeof(*out));
	static const char *const answers[] = { [FAKE_CHECKOUT] = "12", [FAKE_CHECKIN] = "10",
					       [FAKE_RENEW] = "30" };

	if (!out) {
		p->done.circ(p->data, -ENOMEM, NULL);
		return;
	}
	out->ok = !p->step.refuse;
	snprintf(out->answer, sizeof(out->answer), "%s", answers[p->req.kind]);
	snprintf(out->title, sizeof(out->title), "Title of %.100s", p->req.item);
	if (p->req.kind != FAKE_CHECKIN && out->ok) {
		snprintf(out->due_text, sizeof(out->due_text), "2026-12-20");
		out->due_ms = 1797811199000LL;
	}
	snprintf(out->screen, sizeof(out->screen), "%s", p->screen);
	snprintf(out->screen_first, sizeof(out->screen_first), "%.*s",
		 (int)strcspn(p->screen, "\n"), p->screen);
	out->alert = p->step.alert;
	snprintf(out->alert_name, sizeof(out->alert_name), "alert %d", (int)p->step.alert);
	snprintf(out->sort_bin, sizeof(out->sort_bin), "%s", p->sort_bin);
	p->done.circ(p->data, 0, out);
	free(out);
}

static void answer_check(struct pending *p)
{
	struct ils_item_check check = { 0 };
	const char *holder = fake_ils_charged_to(p->fake, p->req.item);
	bool charged = p->req.kind == FAKE_CHARGED_TO ? strcmp(holder, p->req.patron) == 0 :
						       holder[0] != 0;

	check.state = p->step.fate == FAKE_UNSETTLED ? ILS_ITEM_UNSETTLED :
		      charged ? ILS_ITEM_CHARGED : ILS_ITEM_NOT_CHARGED;
	snprintf(check.evidence, sizeof(check.evidence), "fake says %s",
		 check.state == ILS_ITEM_UNSETTLED ? "nothing certain" :
		 charged ? "charged" : "not charged");
	snprintf(check.title, sizeof(check.title), "Title of %.100s", p->req.item);
	p->done.check(p->data, 0, &check);
}

static void deliver(struct pending *p, int err)
{
	switch (p->req.kind) {
	case FAKE_PATRON:
		if (err)
			p->done.patron(p->data, err, NULL);
		else
			answer_patron(p);
		break;
	case FAKE_CHECKOUT:
	case FAKE_CHECKIN:
	case FAKE_RENEW:
		if (err)
			p->done.circ(p->data, err, NULL);
		else
			answer_circ(p);
		break;
	case FAKE_CHARGED_TO:
	case FAKE_CHARGED:
		if (err)
			p->done.check(p->data, err, NULL);
		else
			answer_check(p);
		break;
	case FAKE_END_SESSION:
		break;
	}
}

static void unlink_pending(struct pending *p)
{
	struct pending **pp;

	for (pp = &p->fake->pending; *pp; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	loop_timer_disarm(p->fake->loop, &p->timer);
}

/* Off the list before the callback: it may ask again, or free the ILS. */
static void finish(struct pending *p, int err)
{
	unlink_pending(p);
	deliver(p, err);
	free(p);
}

static void on_due(struct loop *loop, void *data)
{
	struct pending *p = data;

	(void)loop;
	finish(p, p->err);
}

/* --- requests ----------------------------------------------------------- */

static int request(struct fake_ils *f, enum fake_req_kind kind, enum ils_lane lane,
		   const char *patron, const char *item, const char *pin,
		   const struct ils_circ_req *circ, void *data, struct pending **ret)
{
	struct pending *p;
	uint64_t delay;

	if (!f->up)
		return -ENOTCONN;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->fake = f;
	p->data = data;
	p->req.kind = kind;
	p->req.lane = lane;
	snprintf(p->req.patron, sizeof(p->req.patron), "%s", patron ? patron : "");
	snprintf(p->req.item, sizeof(p->req.item), "%s", item ? item : "");
	snprintf(p->req.pin, sizeof(p->req.pin), "%s", pin ? pin : "");
	if (circ) {
		p->req.no_block = circ->no_block;
		p->req.no_block_due_ms = circ->no_block_due_ms;
		p->req.wall_ms = circ->wall_ms;
	}
	if (f->n_log < FAKE_LOG_MAX)
		f->log[f->n_log++] = p->req;
	if (f->n_steps) {
		p->step = f->steps[0];
		memmove(&f->steps[0], &f->steps[1], --f->n_steps * sizeof(f->steps[0]));
	}
	snprintf(p->screen, sizeof(p->screen), "%s", p->step.screen ? p->step.screen : "");
	snprintf(p->sort_bin, sizeof(p->sort_bin), "%s",
		 p->step.sort_bin ? p->step.sort_bin : "");
	p->step.screen = NULL;
	p->step.sort_bin = NULL;
	if (kind == FAKE_CHECKOUT || kind == FAKE_CHECKIN || kind == FAKE_RENEW) {
		bool answered = p->step.fate == FAKE_ANSWER;

		if (answered ? !p->step.refuse : p->step.apply_anyway)
			apply(f, &p->req);
	}
	delay = p->step.delay_ms;
	if (p->step.fate == FAKE_LOSE) {
		p->err = -ETIMEDOUT;
		delay = f->timeout_ms;
	} else if (p->step.fate == FAKE_GARBLE) {
		p->err = -EBADMSG;
	}
	p->next = f->pending;
	f->pending = p;
	loop_timer_init(&p->timer, on_due, p);
	if (p->step.fate != FAKE_HANG)
		loop_timer_arm(f->loop, &p->timer, delay);
	if (ret)
		*ret = p;
	return 0;
}

static int fake_check_patron(struct ils *ils, const struct ils_patron_req *req, ils_patron_fn done,
			     void *data)
{
	struct pending *p;
	int r = request(to_fake(ils), FAKE_PATRON, ILS_LANE_LIVE, req->patron, NULL, req->pin,
			NULL, data, &p);

	if (r == 0)
		p->done.patron = done;
	return r;
}

static int circ(struct ils *ils, enum fake_req_kind kind, enum ils_lane lane,
		const struct ils_circ_req *req, ils_circ_fn done, void *data)
{
	struct pending *p;
	int r = request(to_fake(ils), kind, lane, req->patron, req->item, req->pin, req, data, &p);

	if (r == 0)
		p->done.circ = done;
	return r;
}

static int fake_checkout(struct ils *ils, enum ils_lane lane, const struct ils_circ_req *req,
			 ils_circ_fn done, void *data)
{
	return circ(ils, FAKE_CHECKOUT, lane, req, done, data);
}

static int fake_checkin(struct ils *ils, enum ils_lane lane, const struct ils_circ_req *req,
			ils_circ_fn done, void *data)
{
	return circ(ils, FAKE_CHECKIN, lane, req, done, data);
}

static int fake_renew(struct ils *ils, enum ils_lane lane, const struct ils_circ_req *req,
		      ils_circ_fn done, void *data)
{
	return circ(ils, FAKE_RENEW, lane, req, done, data);
}

static int fake_check_charged_to(struct ils *ils, const char *patron, const char *item,
				 ils_check_fn done, void *data)
{
	struct pending *p;
	int r = request(to_fake(ils), FAKE_CHARGED_TO, ILS_LANE_BACKGROUND, patron, item, NULL,
			NULL, data, &p);

	if (r == 0)
		p->done.check = done;
	return r;
}

static int fake_check_charged(struct ils *ils, const char *item, ils_check_fn done, void *data)
{
	struct pending *p;
	int r = request(to_fake(ils), FAKE_CHARGED, ILS_LANE_BACKGROUND, NULL, item, NULL, NULL,
			data, &p);

	if (r == 0)
		p->done.check = done;
	return r;
}

static int fake_end_session(struct ils *ils, const char *patron)
{
	return request(to_fake(ils), FAKE_END_SESSION, ILS_LANE_LIVE, patron, NULL, NULL, NULL,
		       NULL, NULL);
}

static int fake_cancel(struct ils *ils, void *data)
{
	struct fake_ils *f = to_fake(ils);

	for (struct pending *p = f->pending; p; p = p->next)
		if (p->data == data && p->req.kind != FAKE_END_SESSION) {
			f->cancelled++;
			finish(p, -ETIMEDOUT);
			return 0;
		}
	return -ENOENT;
}

static bool fake_up(const struct ils *ils)
{
	return ((const struct fake_ils *)ils)->up;
}

static void fake_kick(struct ils *ils)
{
	(void)ils;
}

static const char *fake_last_error(const struct ils *ils)
{
	return fake_up(ils) ? "" : "the fake ILS is down";
}

static void fake_free(struct ils *ils)
{
	struct fake_ils *f = to_fake(ils);

	while (f->pending) {
		struct pending *p = f->pending;

		unlink_pending(p);
		free(p);
	}
	free(f);
}

static const struct ils_ops fake_ops = {
	.free = fake_free,
	.up = fake_up,
	.kick = fake_kick,
	.last_error = fake_last_error,
	.check_patron = fake_check_patron,
	.checkout = fake_checkout,
	.checkin = fake_checkin,
	.renew = fake_renew,
	.check_charged_to = fake_check_charged_to,
	.check_charged = fake_check_charged,
	.end_session = fake_end_session,
	.cancel = fake_cancel,
};

/* --- the test's handle -------------------------------------------------- */

int fake_ils_new(struct loop *loop, const struct ils_events *events, void *data,
		 struct fake_ils **ret)
{
	struct fake_ils *f = calloc(1, sizeof(*f));

	if (!f)
		return -ENOMEM;
	f->ils.ops = &fake_ops;
	f->loop = loop;
	if (events)
		f->events = *events;
	f->events_data = data;
	f->timeout_ms = 5000;
	*ret = f;
	return 0;
}

struct ils *fake_ils_ils(struct fake_ils *f)
{
	return &f->ils;
}

void fake_ils_set_up(struct fake_ils *f, bool up)
{
	if (f->up == up)
		return;
	f->up = up;
	/* What was sent is unknown now, as when a real link drops. */
	while (!up && f->pending)
		finish(f->pending, -ETIMEDOUT);
	if (f->events.link)
		f->events.link(f->events_data, up, up ? "" : "the fake ILS went away");
}

void fake_ils_script(struct fake_ils *f, const struct fake_step *step)
{
	if (f->n_steps < FAKE_STEPS_MAX)
		f->steps[f->n_steps++] = *step;
}

void fake_ils_set_timeout(struct fake_ils *f, uint64_t ms)
{
	f->timeout_ms = ms;
}

unsigned fake_ils_n_requests(const struct fake_ils *f)
{
	return f->n_log;
}

const struct fake_req *fake_ils_request(const struct fake_ils *f, unsigned i)
{
	return i < f->n_log ? &f->log[i] : NULL;
}

static unsigned count_in(const struct fake_req *log, unsigned n, enum fake_req_kind kind,
			 const char *item)
{
	unsigned count = 0;

	for (unsigned i = 0; i < n; i++)
		count += log[i].kind == kind && (!item || strcmp(log[i].item, item) == 0);
	return count;
}

unsigned fake_ils_count(const struct fake_ils *f, enum fake_req_kind kind, const char *item)
{
	return count_in(f->log, f->n_log, kind, item);
}

unsigned fake_ils_applied(const struct fake_ils *f, enum fake_req_kind kind, const char *item)
{
	return count_in(f->applied, f->n_applied, kind, item);
}

unsigned fake_ils_cancelled(const struct fake_ils *f)
{
	return f->cancelled;
}

unsigned fake_ils_pending(const struct fake_ils *f)
{
	unsigned n = 0;

	for (const struct pending *p = f->pending; p; p = p->next)
		n++;
	return n;
}
