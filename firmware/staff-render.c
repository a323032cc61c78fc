/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "staff-render.h"

#include "store-security.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "patron-id.h"

static void format_wall(int64_t wall_ms, char *buf, size_t size)
{
	time_t t = (time_t)(wall_ms / 1000);
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm);
}

void sessions_render(const struct staff_session *session, enum status_format format,
		     struct strbuf *out)
{
	if (format == STATUS_JSON) {
		strbuf_printf(out, "{\"sessions\":[");
		if (session->in_session) {
			strbuf_printf(out, "{\"state\":\"%s\",\"patron\":", session->state);
			strbuf_json_string(out, session->patron ? session->patron : "");
			strbuf_printf(out, ",\"items\":%u,\"idle_s\":%llu}", session->items,
				      (unsigned long long)session->idle_s);
		}
		strbuf_printf(out, "]}\n");
	} else if (session->in_session) {
		strbuf_printf(out, "%-8s %-8s %5s %7s\n", "STATE", "PATRON", "ITEMS", "IDLE");
		strbuf_printf(out, "%-8s %-8s %5u %6llus\n", session->state,
			      session->patron ? session->patron : "-", session->items,
			      (unsigned long long)session->idle_s);
	} else {
		strbuf_printf(out, "no session in progress\n");
	}
}

void outbox_render_head(enum status_format format, struct strbuf *out)
{
	if (format == STATUS_JSON)
		strbuf_printf(out, "{\"transactions\":[");
	else
		strbuf_printf(out, "%-6s %-9s %-16s %-8s %-19s  %-8s %s\n", "SEQ", "KIND", "ITEM",
			      "PATRON", "WHEN", "MODE", "STATE");
}

void outbox_render_row(const struct txn *txn, unsigned rows_before, enum status_format format,
		       struct strbuf *out)
{
	struct masked_id patron = mask_patron(txn->patron);
	char when[32];

	if (format == STATUS_JSON) {
		strbuf_printf(out, "%s{\"id\":\"%s\",\"seq\":%lld,\"kind\":\"%s\",\"patron\":",
			      rows_before ? "," : "", txn->id, (long long)txn->seq,
			      txn_kind_name(txn->kind));
		strbuf_json_string(out, txn->patron[0] ? patron.s : "");
		strbuf_printf(out, ",\"item\":");
		strbuf_json_string(out, txn->item);
		strbuf_printf(out,
			      ",\"wall_ms\":%lld,\"mode\":\"%s\",\"state\":\"%s\",\"due_ms\":%lld,"
			      "\"attempts\":%u,\"verifications\":%u,\"patron_told\":\"%s\","
			      "\"symbology\":\"%s\"}",
			      (long long)txn->wall_ms, txn_mode_name(txn->mode),
			      txn_state_name(txn->state), (long long)txn->due_ms, txn->attempts,
			      txn->verifications, txn_patron_told_name(txn->patron_told),
			      txn->symbology);
		return;
	}
	format_wall(txn->wall_ms, when, sizeof(when));
	strbuf_printf(out, "%-6lld %-9s %-16s %-8s %s  %-8s %s\n", (long long)txn->seq,
		      txn_kind_name(txn->kind), txn->item, txn->patron[0] ? patron.s : "-", when,
		      txn_mode_name(txn->mode), txn_state_name(txn->state));
}

void outbox_render_tail(unsigned rows, enum status_format format, struct strbuf *out)
{
	if (format == STATUS_JSON)
		strbuf_printf(out, "]}\n");
	else if (!rows)
		strbuf_printf(out, "(empty: nothing waits to be forwarded)\n");
}

void exceptions_render_head(enum status_format format, struct strbuf *out)
{
	if (format == STATUS_JSON)
		strbuf_printf(out, "{\"exceptions\":[");
	else if (format == STATUS_CSV)
		strbuf_printf(out, "id,when,kind,item,patron,category,message,resolution,"
				   "ils_screen,ils_print\r\n");
	else
		strbuf_printf(out, "%-5s %-19s  %-8s %-16s %-8s %-17s %s\n", "ID", "WHEN", "KIND",
			      "ITEM", "PATRON", "CATEGORY", "MESSAGE");
}

/* A CSV field: quoted, quotes doubled, so any ILS message is safe. */
static void csv_field(struct strbuf *out, const char *s, bool last)
{
	strbuf_printf(out, "\"");
	for (; *s; s++)
		strbuf_printf(out, *s == '"' ? "\"\"" : "%c", *s == '\n' ? ' ' : *s);
	strbuf_printf(out, "\"%s", last ? "\r\n" : ",");
}

/* An ILS text of several lines, each indented under the entry it belongs to. */
static void ils_text_lines(struct strbuf *out, const char *label, const char *text)
{
	const char *nl;

	for (; *text; text = nl + 1) {
		nl = strchr(text, '\n');
		if (!nl)
			nl = text + strlen(text);
		strbuf_printf(out, "      %-10s %.*s\n", label, (int)(nl - text), text);
		label = "";
		if (!*nl)
			break;
	}
}

static void exception_json(const struct store_conflict *x, const char *patron,
			   unsigned rows_before, struct strbuf *out)
{
	strbuf_printf(out, "%s{\"id\":%lld,\"txn\":\"%s\",\"category\":\"%s\",\"kind\":\"%s\","
			   "\"item\":",
		      rows_before ? "," : "", (long long)x->id, x->txn_id,
		      conflict_category_name(x->category), txn_kind_name(x->kind));
	strbuf_json_string(out, x->item);
	strbuf_printf(out, ",\"patron\":");
	strbuf_json_string(out, patron);
	strbuf_printf(out, ",\"wall_ms\":%lld,\"message\":", (long long)x->wall_ms);
	strbuf_json_string(out, x->message);
	strbuf_printf(out, ",\"screen_msg\":");
	strbuf_json_string(out, x->screen_msg);
	strbuf_printf(out, ",\"print_line\":");
	strbuf_json_string(out, x->print_line);
	strbuf_printf(out, ",\"patron_told\":\"%s\",\"resolved\":%s}",
		      txn_patron_told_name(x->patron_told), x->resolved_ms ? "true" : "false");
}

static void exception_csv(const struct store_conflict *x, const char *id, const char *when,
			  const char *patron, struct strbuf *out)
{
	csv_field(out, id, false);
	csv_field(out, when, false);
	csv_field(out, txn_kind_name(x->kind), false);
	csv_field(out, x->item, false);
	csv_field(out, patron, false);
	csv_field(out, conflict_category_name(x->category), false);
	csv_field(out, x->message, false);
	csv_field(out, x->resolved_ms ? x->resolution : "", false);
	csv_field(out, x->screen_msg, false);
	csv_field(out, x->print_line, true);
}

static void exception_text(const struct store_conflict *x, const char *id, const char *when,
			   const char *patron, struct strbuf *out)
{
	strbuf_printf(out, "%-5s %s  %-8s %-16s %-8s %-17s %s%s\n", id, when,
		      txn_kind_name(x->kind), x->item, patron[0] ? patron : "-",
		      conflict_category_name(x->category), x->message,
		      x->resolved_ms ? " [resolved]" : "");
	/* The ILS's own words, when they say more than the message. */
	if (x->screen_msg[0] && strcmp(x->screen_msg, x->message))
		ils_text_lines(out, "ILS said:", x->screen_msg);
	if (x->print_line[0])
		ils_text_lines(out, "ILS print:", x->print_line);
}

void exception_render_row(const struct store_conflict *conflict, unsigned rows_before,
			  enum status_format format, struct strbuf *out)
{
	struct masked_id masked = mask_patron(conflict->patron);
	const char *patron = conflict->patron[0] ? masked.s : "";
	char when[32], id[24];

	if (format == STATUS_JSON) {
		exception_json(conflict, patron, rows_before, out);
		return;
	}
	format_wall(conflict->wall_ms, when, sizeof(when));
	snprintf(id, sizeof(id), "%lld", (long long)conflict->id);
	if (format == STATUS_CSV)
		exception_csv(conflict, id, when, patron, out);
	else
		exception_text(conflict, id, when, patron, out);
}

void exceptions_render_tail(unsigned rows, enum status_format format, struct strbuf *out)
{
	if (format == STATUS_JSON)
		strbuf_printf(out, "]}\n");
	else if (format == STATUS_TEXT && !rows)
		strbuf_printf(out, "(none: every forwarded transaction was accepted)\n");
}

void security_render_head(enum status_format format, struct strbuf *out)
{
	if (format == STATUS_JSON)
		strbuf_printf(out, "{\"security_owed\":[");
	else
		strbuf_printf(out, "%-16s %-16s %-8s %-4s %-5s %s\n", "TAG", "ITEM", "KIND", "WANT",
			      "TRIES", "LAST ERROR");
}

void security_render_row(const struct store_security *owed, unsigned rows_before,
			 enum status_format format, struct strbuf *out)
{
	if (format == STATUS_JSON) {
		strbuf_printf(out, "%s{\"tag\":\"%s\",\"txn_id\":\"%s\",\"item\":",
			      rows_before ? "," : "", owed->uid, owed->txn_id);
		strbuf_json_string(out, owed->item);
		strbuf_printf(out, ",\"kind\":\"%s\",\"want\":\"%s\",\"tries\":%u,"
				   "\"last_error\":", txn_kind_name(owed->kind),
			      tag_security_name(owed->want), owed->tries);
		strbuf_json_string(out, owed->last_error);
		strbuf_printf(out, ",\"updated_ms\":%lld}", (long long)owed->updated_ms);
		return;
	}
	strbuf_printf(out, "%-16s %-16s %-8s %-4s %-5u %s\n", owed->uid, owed->item,
		      txn_kind_name(owed->kind), tag_security_name(owed->want), owed->tries,
		      owed->last_error[0] ? owed->last_error : "-");
}

void security_render_tail(unsigned rows, enum status_format format, struct strbuf *out)
{
	if (format == STATUS_JSON)
		strbuf_printf(out, "]}\n");
	else if (!rows)
		strbuf_printf(out, "(none: every tag's security is as its last transaction wants)\n");
}
