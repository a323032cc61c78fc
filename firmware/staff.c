/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What circctl asks circd: status, outbox, sessions, and the staff's
 * store-and-forward commands (sync, exceptions, resolve, export-koc).
 * Patron ids are masked in every answer.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "circd.h"
#include "kiosk.h"
#include "koc.h"
#include "log.h"
#include "ils.h"
#include "sync.h"
#include "staff-render.h"
#include "store-security.h"
#include "health.h"
#include "metrics.h"
#include "status.h"
#include "version.h"

/*
 * outbox and export-koc can run to tens of thousands of rows: they are
 * streamed (control.h), STAFF_SLICE_ROWS per loop turn, so a scan waits for
 * one slice at most. Each walk is bounded by the journal's last seq when
 * the command came; over several turns it is not one snapshot, so a
 * transaction forwarded meanwhile may show in both parts of the outbox.
 */
#define STAFF_SLICE_ROWS 256

enum list_kind {
	LIST_OUTBOX_PENDING,   /* then the forwarded ones */
	LIST_OUTBOX_FORWARDED,
	LIST_KOC,
};

struct list_stream {
	struct circd *c;
	enum list_kind kind;
	enum status_format format;
	int64_t after_seq, last_seq; /* the walk so far, and where it ends */
	unsigned rows;               /* written so far */
	unsigned seen;               /* visited in this slice */
	struct strbuf *body;         /* this slice's */
};

static int outbox_line(void *data, const struct txn *txn)
{
	struct list_stream *w = data;

	w->seen++;
	w->after_seq = txn->seq;
	outbox_render_row(txn, w->rows, w->format, w->body);
	w->rows++;
	return 0;
}

static int koc_append(void *data, const struct txn *txn)
{
	struct list_stream *w = data;
	char line[512];
	int n;

	w->seen++;
	w->after_seq = txn->seq;
	/*
	 * Only what patrons were served offline: an online transaction the ILS
	 * refused, or never answered while the patron was told so, must not
	 * be lent or returned after all by an upload.
	 */
	if (txn->mode != TXN_OFFLINE)
		return 0;
	n = koc_line(txn, line, sizeof(line));
	if (n > 0) {
		strbuf_printf(w->body, "%s", line);
		w->rows++;
	}
	return 0;
}

static int list_slice(struct list_stream *w)
{
	struct store *store = w->c->store;

	if (!store)
		return -EIO;
	if (w->kind == LIST_KOC)
		return store_list_unforwarded_range(store, w->after_seq, w->last_seq,
						    STAFF_SLICE_ROWS, koc_append, w);
	return store_list_range(store, w->kind == LIST_OUTBOX_PENDING ? TXN_PENDING
								   : TXN_FORWARDED,
				w->after_seq, w->last_seq, STAFF_SLICE_ROWS, outbox_line, w);
}

/* control_stream's next(): one slice of rows, and the closing lines after the last. */
static int list_next(void *state, struct strbuf *out)
{
	struct list_stream *w = state;
	int r;

	w->body = out;
	w->seen = 0;
	r = list_slice(w);
	if (r < 0) {
		strbuf_printf(out,
			      "%serror: cannot read the %s: %s; the list above is incomplete\n",
			      w->format == STATUS_JSON ? "\n" : "",
			      w->kind == LIST_KOC ? "journal" : "outbox",
			      w->c->store ? strerror(-r) : "store unavailable");
		return r;
	}
	if (w->seen == STAFF_SLICE_ROWS)
		return 1;
	if (w->kind == LIST_OUTBOX_PENDING) { /* sent, the answer not yet known */
		w->kind = LIST_OUTBOX_FORWARDED;
		w->after_seq = INT64_MIN;
		return 1;
	}
	if (w->kind == LIST_OUTBOX_FORWARDED)
		outbox_render_tail(w->rows, w->format, out);
	log_info("circctl %s: %u lines listed", w->kind == LIST_KOC ? "export-koc" : "outbox",
		 w->rows);
	return 0;
}

/*
 * The first slice goes with the header, so a store that cannot be read at
 * all is an "error" reply rather than an incomplete list.
 */
static int list_start(struct circd *c, enum list_kind kind, enum status_format format,
		      struct strbuf *body, struct control_stream *stream)
{
	struct list_stream *w = calloc(1, sizeof(*w));
	int r;

	if (!w)
		return -ENOMEM;
	*w = (struct list_stream){ .c = c, .kind = kind, .format = format, .after_seq = INT64_MIN };
	r = store_max_seq(c->store, &w->last_seq);
	if (r >= 0)
		r = list_next(w, body);
	if (r < 0) {
		body->len = 0; /* the header and half a list: the error line says it all */
		strbuf_printf(body, "cannot read the %s: %s",
			      kind == LIST_KOC ? "journal" : "outbox", strerror(-r));
		free(w);
		return r;
	}
	if (r == 0) {
		free(w);
		return 0;
	}
	*stream = (struct control_stream){ .next = list_next, .free = free, .state = w };
	return 0;
}

static int control_outbox(struct circd *c, const struct control_request *req, struct strbuf *body,
			  struct control_stream *stream)
{
	enum status_format format = req->json ? STATUS_JSON : STATUS_TEXT;

	outbox_render_head(format, body);
	return list_start(c, LIST_OUTBOX_PENDING, format, body, stream);
}

static size_t scanner_statuses(struct circd *c, struct scanner_status *st)
{
	if (!c->scanner || !c->scanner_handle || !c->scanner->status)
		return 0;
	return c->scanner->status(c->scanner_handle, st, c->board->n_scanners);
}

/* Backends list their scanners in board order: entry i is board scanner i. */
static const char *scanner_roles_name(const struct board_scanner *sc)
{
	return sc->items && sc->patrons ? "both" : board_role_name(board_scanner_role(sc));
}

static void status_scanners(struct circd *c, struct circd_status *out)
{
	struct scanner_status st[BOARD_SCANNERS_MAX];

	out->n_scanners = scanner_statuses(c, st);
	for (size_t i = 0; i < out->n_scanners; i++) {
		out->scanners[i].st = st[i];
		out->scanners[i].role = scanner_roles_name(&c->board->scanners[i]);
	}
}

/* How long the oldest transaction the ILS has not confirmed has waited. */
static uint64_t oldest_pending_s(struct circd *c)
{
	int64_t now = loop_wall_ms(c->loop);
	struct txn oldest;

	/* A stamp from a clock that was ahead is no wait at all. */
	if (store_next_to_forward(c->store, &oldest) < 0 || oldest.wall_ms >= now)
		return 0;
	return (uint64_t)(now - oldest.wall_ms) / 1000;
}

/* What a store that cannot be trusted says, worst first. */
static void status_store(struct circd *c, const struct kiosk_status *ks, struct circd_status *out)
{
	uint64_t pending = 0, forwarded = 0;
	const char *alarm;
	int r, files, mark_err;

	snprintf(out->store_state, sizeof(out->store_state), "ok");
	out->store_open = c->store != NULL;
	if (!c->store) {
		snprintf(out->store_state, sizeof(out->store_state), "unavailable: %s",
			 strerror(-c->store_open_err));
		return;
	}
	store_conflicts_unresolved(c->store, &out->exceptions);
	r = store_count(c->store, TXN_PENDING, &pending);
	if (r >= 0)
		r = store_count(c->store, TXN_FORWARDED, &forwarded);
	out->outbox = pending + forwarded;
	if (r >= 0)
		r = store_count_all(c->store, &out->transactions);
	/* Cheap (a few stat calls): a deleted database shows before the next scan. */
	files = store_check_files(c->store);
	alarm = store_alarm(c->store);
	mark_err = store_mark_status(c->store, NULL);
	out->store_usable = files >= 0 && r >= 0 && ks->store_ok;
	if (out->outbox)
		out->oldest_pending_s = oldest_pending_s(c);
	if (files < 0)
		snprintf(out->store_state, sizeof(out->store_state), "failing: %s", alarm);
	else if (r < 0 || !ks->store_ok)
		snprintf(out->store_state, sizeof(out->store_state), "failing: %s",
			 ks->last_error[0] ? ks->last_error : strerror(-r));
	else if (alarm[0])
		snprintf(out->store_state, sizeof(out->store_state), "%s", alarm);
	else if (mark_err < 0)
		snprintf(out->store_state, sizeof(out->store_state),
			 "recording, but the high-water mark cannot be written: %s",
			 strerror(-mark_err));
}

static void status_printer(struct circd *c, const struct kiosk_status *ks,
			   struct circd_status *out)
{
	struct printer_status ps = { .state = PRINTER_UNKNOWN };
	/* Asked now: staff who refilled the paper see it at once, before any receipt. */
	int r = c->printer ? c->printer->status(c->printer_handle, &ps) : -ENODEV;

	if (r == -ENODEV)
		return; /* no printer on this board */
	if (r < 0)
		ps.state = PRINTER_UNKNOWN;
	out->printer = c->printer->name;
	out->printer_state = printer_state_name(ps.state);
	out->printer_status = ps.state;
	out->receipts_printed = ks->receipts_printed;
	out->receipt_failure = ks->receipt_failure;
}

/* The borrowed strings in *out live in c, ks and stats: render before they change. */
static void status_fill(struct circd *c, const struct kiosk_status *ks,
			const struct sync_stats *stats, struct circd_status *out)
{
	const struct config *cfg = active_cfg(c);

	*out = (struct circd_status){
		.kiosk_id = cfg->kiosk_id,
		.mode = kiosk_mode_name(ks->mode),
		.returns = ks->mode == KIOSK_RETURNS,
		.board = c->board->name,
		.ils_configured = c->ils != NULL,
		.online = ks->online,
		.link = !c->ils ? "none" : ils_up(c->ils) ? "up" : "down",
		.link_error = c->ils ? c->ils->ops->last_error(c->ils) : "",
		.ils_host = cfg->sip2.host,
		.ils_port = cfg->sip2.port,
		.ils_tls = cfg->sip2.tls,
		.forwarded_ils_message = stats->last_ils_message,
		.ils_messages = stats->ils_messages,
		.recorded_since_start = ks->recorded,
		.store_path = cfg->store_path,
		.bin_full = ks->bin_full,
		.door_closed = ks->door_closed,
		.last_error = ks->last_error,
		.uptime_s = (loop_mono_ms(c->loop) - c->started_ms) / 1000,
		.wakeups = loop_wakeups(c->loop),
		.version = CIRCD_VERSION,
		.store_failures = ks->store_failures,
		.record_commits = ks->record_commits,
		.offline_s = c->ils && !ks->online ?
				     (loop_mono_ms(c->loop) - c->offline_since_ms) / 1000 : 0,
	};
	memcpy(out->recorded_by, ks->recorded_by, sizeof(out->recorded_by));
	status_store(c, ks, out);
	status_scanners(c, out);
	status_printer(c, ks, out);
	for (unsigned i = 0; i < c->n_rfid && i < BOARD_RFIDS_MAX; i++)
		rfid_status(c->rfid[i].reader, &out->rfid[out->n_rfid++]);
	if (c->store)
		store_security_count_owed(c->store, &out->security_owed);
}

/* What status_fill() borrows from, kept beside the struct while it is rendered. */
struct status_snapshot {
	struct circd_status st;
	struct kiosk_status ks;
	struct sync_stats stats;
};

static void status_snapshot(struct circd *c, struct status_snapshot *snap)
{
	snap->stats = (struct sync_stats){ 0 };
	kiosk_get_status(c->kiosk, &snap->ks);
	if (c->sync)
		sync_get_stats(c->sync, &snap->stats);
	status_fill(c, &snap->ks, &snap->stats, &snap->st);
}

static int control_status(struct circd *c, const struct control_request *req, struct strbuf *body)
{
	struct status_snapshot snap;

	status_snapshot(c, &snap);
	status_render(&snap.st, req->json ? STATUS_JSON : STATUS_TEXT, body);
	return 0;
}

void staff_metrics(struct circd *c, struct strbuf *out)
{
	struct status_snapshot snap;

	status_snapshot(c, &snap);
	metrics_render(&snap.st, out);
}

static int control_sessions(struct circd *c, const struct control_request *req,
			    struct strbuf *body)
{
	struct kiosk_status ks;
	struct staff_session session;

	kiosk_get_status(c->kiosk, &ks);
	session = (struct staff_session){
		.in_session = ks.in_session,
		.state = ks.session_state,
		.patron = ks.mode == KIOSK_RETURNS ? NULL : ks.patron.s,
		.items = ks.session_items,
		.idle_s = ks.session_idle_ms / 1000,
	};
	sessions_render(&session, req->json ? STATUS_JSON : STATUS_TEXT, body);
	return 0;
}

/* One line, "<verdict> <name>: <why>": circctl check exits with the verdict (health.h). */
static int staff_check(struct circd *c, struct strbuf *body)
{
	const struct config *cfg = active_cfg(c);
	const struct health_limits limits = {
		.max_offline_s = cfg->health_max_offline_s,
		.max_outbox = cfg->health_max_outbox,
		.printer_required = cfg->receipt_policy == RECEIPT_ALWAYS,
	};
	struct status_snapshot snap;
	enum health_verdict verdict;
	char why[1300];

	status_snapshot(c, &snap);
	verdict = health_check(&snap.st, &limits, why, sizeof(why));
	strbuf_printf(body, "%d %s: %s\n", verdict, health_verdict_name(verdict), why);
	return 0;
}

static int staff_sync(struct circd *c, struct strbuf *body)
{
	if (!c->ils) {
		strbuf_printf(body, "no library system is configured ([sip2] host)");
		return -ENOTCONN;
	}
	c->ils->ops->kick(c->ils);
	sync_kick(c->sync);
	strbuf_printf(body, "%s\n", ils_up(c->ils) ?
			      "forwarding now" : "connecting to the library system now");
	return 0;
}

struct exceptions_walk {
	struct strbuf *body;
	enum status_format format;
	unsigned rows;
};

static int exception_line(void *data, const struct store_conflict *conflict)
{
	struct exceptions_walk *w = data;

	exception_render_row(conflict, w->rows, w->format, w->body);
	w->rows++;
	return 0;
}

static int staff_exceptions(struct circd *c, const struct control_request *req,
			    struct strbuf *body)
{
	struct exceptions_walk w = { .body = body, .format = STATUS_TEXT };
	int r;

	if (req->arg[0] && strcmp(req->arg, "csv") && strcmp(req->arg, "all")) {
		strbuf_printf(body, "exceptions takes csv or all, not '%s'", req->arg);
		return -EINVAL;
	}
	if (req->json)
		w.format = STATUS_JSON;
	else if (strcmp(req->arg, "csv") == 0)
		w.format = STATUS_CSV;
	exceptions_render_head(w.format, body);
	r = store_conflicts_list(c->store, w.format == STATUS_CSV || strcmp(req->arg, "all") == 0,
				 exception_line, &w);
	if (r < 0) {
		body->len = 0;
		strbuf_printf(body, "cannot read the exceptions: %s", strerror(-r));
		return r;
	}
	exceptions_render_tail(w.rows, w.format, body);
	return 0;
}

static int staff_resolve(struct circd *c, const struct control_request *req, struct strbuf *body)
{
	char *end;
	long long id = strtoll(req->arg, &end, 10);
	int r;

	if (!req->arg[0] || *end || id <= 0) {
		strbuf_printf(body, "resolve takes an exception id (see circctl exceptions)");
		return -EINVAL;
	}
	r = store_conflict_resolve(c->store, id, "handled by staff", loop_wall_ms(c->loop));
	if (r == -ENOENT)
		strbuf_printf(body, "no exception %lld", id);
	else if (r == -EALREADY)
		strbuf_printf(body, "exception %lld was resolved already", id);
	else if (r < 0)
		strbuf_printf(body, "cannot resolve: %s", strerror(-r));
	else
		strbuf_printf(body, "exception %lld marked handled\n", id);
	if (r >= 0)
		log_notice("exception %lld marked handled by staff", id);
	return r;
}

static int staff_export_koc(struct circd *c, struct strbuf *body, struct control_stream *stream)
{
	char header[256];
	int r;

	r = koc_header(header, sizeof(header));
	if (r < 0)
		return r;
	strbuf_printf(body, "%s", header);
	return list_start(c, LIST_KOC, STATUS_TEXT, body, stream);
}

struct security_listing {
	enum status_format format;
	struct strbuf *body;
	unsigned rows;
};

static int security_line(void *data, const struct store_security *owed)
{
	struct security_listing *l = data;

	security_render_row(owed, l->rows++, l->format, l->body);
	return 0;
}

/* Few rows (each a tag that was taken away, or circd stopped): one answer, not a stream. */
static int staff_security(struct circd *c, const struct control_request *req, struct strbuf *body)
{
	struct strbuf rows = { 0 };
	struct security_listing l = { req->json ? STATUS_JSON : STATUS_TEXT, &rows, 0 };
	int r;

	security_render_head(l.format, &rows);
	r = store_security_list_owed(c->store, security_line, &l);
	if (r < 0)
		strbuf_printf(body, "cannot list the owed security writes: %s",
			      store_strerror(c->store));
	else {
		security_render_tail(l.rows, l.format, &rows);
		strbuf_printf(body, "%s", rows.buf ? rows.buf : "");
	}
	strbuf_free(&rows);
	return r < 0 ? r : 0;
}

int staff_command(void *data, const struct control_request *req, struct strbuf *body,
		  struct control_stream *stream)
{
	struct circd *c = data;

	if (strcmp(req->command, "status") == 0)
		return control_status(c, req, body);
	if (strcmp(req->command, "sessions") == 0)
		return control_sessions(c, req, body);
	if (strcmp(req->command, "sync") == 0)
		return staff_sync(c, body);
	if (strcmp(req->command, "check") == 0)
		return staff_check(c, body);
	if (strcmp(req->command, "metrics") == 0) {
		staff_metrics(c, body);
		return 0;
	}
	if (!c->store) {
		strbuf_printf(body, "store unavailable: %s", strerror(-c->store_open_err));
		return -EIO;
	}
	if (strcmp(req->command, "outbox") == 0)
		return control_outbox(c, req, body, stream);
	if (strcmp(req->command, "exceptions") == 0)
		return staff_exceptions(c, req, body);
	if (strcmp(req->command, "resolve") == 0)
		return staff_resolve(c, req, body);
	if (strcmp(req->command, "security") == 0)
		return staff_security(c, req, body);
	if (strcmp(req->command, "export-koc") == 0)
		return staff_export_koc(c, body, stream);
	strbuf_printf(body, "unknown command '%s' (try: status, outbox, sessions, sync, exceptions, "
			    "resolve, security, export-koc, metrics, check)", req->command);
	return -EINVAL;
}
