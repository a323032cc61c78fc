/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "status.h"

#include <stdio.h>

static void format_duration(uint64_t s, char *buf, size_t size)
{
	snprintf(buf, size, "%llud %02lluh %02llum %02llus", (unsigned long long)(s / 86400),
		 (unsigned long long)(s / 3600 % 24), (unsigned long long)(s / 60 % 60),
		 (unsigned long long)(s % 60));
}

/* JSON's null for what is not there, as scripts reading the status expect. */
static const char *or_null(const char *s)
{
	return s && s[0] ? s : NULL;
}

static const char *json_bool(bool b)
{
	return b ? "true" : "false";
}

static void scanners_json(const struct circd_status *st, struct strbuf *out)
{
	strbuf_printf(out, ",\"scanners\":[");
	for (size_t i = 0; i < st->n_scanners; i++) {
		const struct scanner_status *sc = &st->scanners[i].st;

		strbuf_printf(out, "%s{\"name\":", i ? "," : "");
		strbuf_json_string(out, sc->name);
		strbuf_printf(out, ",\"role\":\"%s\",\"attached\":%s,\"usb\":\"%04x:%04x\",\"port\":",
			      st->scanners[i].role, json_bool(sc->attached), sc->usb_vid,
			      sc->usb_pid);
		strbuf_json_string(out, sc->attached ? sc->port : NULL);
		strbuf_printf(out, ",\"scans\":%llu,\"discarded\":%llu,\"error\":",
			      (unsigned long long)sc->scans, (unsigned long long)sc->discarded);
		strbuf_json_string(out, or_null(sc->last_error));
		strbuf_printf(out, "}");
	}
	strbuf_printf(out, "]");
}

static void rfid_json(const struct circd_status *st, struct strbuf *out)
{
	strbuf_printf(out, ",\"rfid\":[");
	for (size_t i = 0; i < st->n_rfid; i++) {
		const struct rfid_status *r = &st->rfid[i];

		strbuf_printf(out, "%s{\"name\":", i ? "," : "");
		strbuf_json_string(out, r->name);
		strbuf_printf(out, ",\"protocol\":\"%s\",\"attached\":%s,\"reader\":",
			      r->protocol ? r->protocol : "", json_bool(r->attached));
		strbuf_json_string(out, or_null(r->reader));
		strbuf_printf(out, ",\"port\":");
		strbuf_json_string(out, or_null(r->port));
		strbuf_printf(out, ",\"tags_in_field\":%u,\"arrivals\":%llu,\"ops\":%llu,"
				   "\"ops_failed\":%llu,\"error\":", r->tags_in_field,
			      (unsigned long long)r->arrivals, (unsigned long long)r->ops,
			      (unsigned long long)r->ops_failed);
		strbuf_json_string(out, or_null(r->last_error));
		strbuf_printf(out, "}");
	}
	strbuf_printf(out, "],\"security_owed\":%llu", (unsigned long long)st->security_owed);
}

static void printer_json(const struct circd_status *st, struct strbuf *out)
{
	if (!st->printer)
		return;
	strbuf_printf(out, ",\"printer\":{\"backend\":");
	strbuf_json_string(out, st->printer);
	strbuf_printf(out, ",\"state\":");
	strbuf_json_string(out, st->printer_state);
	strbuf_printf(out, ",\"receipts_printed\":%llu,\"last_failure\":",
		      (unsigned long long)st->receipts_printed);
	strbuf_json_string(out, or_null(st->receipt_failure));
	strbuf_printf(out, "}");
}

static void render_json(const struct circd_status *st, struct strbuf *out)
{
	strbuf_printf(out, "{\"mode\":\"%s\",\"kiosk_id\":", st->mode);
	strbuf_json_string(out, st->kiosk_id);
	strbuf_printf(out, ",\"online\":%s,\"ils\":\"%s\",\"ils_error\":", json_bool(st->online),
		      st->link);
	strbuf_json_string(out, or_null(st->link_error));
	strbuf_printf(out, ",\"outbox\":%llu,\"exceptions\":%llu,\"last_error\":",
		      (unsigned long long)st->outbox, (unsigned long long)st->exceptions);
	strbuf_json_string(out, or_null(st->last_error));
	strbuf_printf(out, ",\"uptime_s\":%llu,\"wakeups\":%llu,\"store\":",
		      (unsigned long long)st->uptime_s, (unsigned long long)st->wakeups);
	strbuf_json_string(out, st->store_state);
	strbuf_printf(out,
		      ",\"bin_full\":%s,\"door_closed\":%s,\"transactions\":%llu,"
		      "\"recorded_since_start\":%llu,\"board\":",
		      json_bool(st->bin_full), json_bool(st->door_closed),
		      (unsigned long long)st->transactions,
		      (unsigned long long)st->recorded_since_start);
	strbuf_json_string(out, st->board);
	strbuf_printf(out, ",\"forwarded_ils_message\":");
	strbuf_json_string(out, or_null(st->forwarded_ils_message));
	scanners_json(st, out);
	rfid_json(st, out);
	printer_json(st, out);
	strbuf_printf(out, "}\n");
}

static void scanners_text(const struct circd_status *st, struct strbuf *out)
{
	for (size_t i = 0; i < st->n_scanners; i++) {
		const struct scanner_status *sc = &st->scanners[i].st;

		if (sc->attached)
			strbuf_printf(out, "scanner:      %s attached (%04x:%04x at %s), %llu scans",
				      sc->name, sc->usb_vid, sc->usb_pid, sc->port,
				      (unsigned long long)sc->scans);
		else
			strbuf_printf(out, "scanner:      %s absent (%04x:%04x)%s%s", sc->name,
				      sc->usb_vid, sc->usb_pid, sc->last_error[0] ? ": " : "",
				      sc->last_error);
		if (sc->discarded)
			strbuf_printf(out, ", %llu discarded", (unsigned long long)sc->discarded);
		strbuf_printf(out, "\n");
	}
}

static void rfid_text(const struct circd_status *st, struct strbuf *out)
{
	for (size_t i = 0; i < st->n_rfid; i++) {
		const struct rfid_status *r = &st->rfid[i];

		if (r->attached)
			strbuf_printf(out, "rfid:         %s (%s) attached%s%s%s%s, %u tag%s in the field\n",
				      r->name, r->protocol, r->reader[0] ? ": " : "", r->reader,
				      r->port[0] ? " at " : "", r->port, r->tags_in_field,
				      r->tags_in_field == 1 ? "" : "s");
		else
			strbuf_printf(out, "rfid:         %s (%s) absent%s%s\n", r->name, r->protocol,
				      r->last_error[0] ? ": " : "", r->last_error);
	}
	if (st->n_rfid || st->security_owed)
		strbuf_printf(out, "security:     %llu tag write%s owed%s\n",
			      (unsigned long long)st->security_owed,
			      st->security_owed == 1 ? "" : "s",
			      st->security_owed ? " (circctl security)" : "");
}

static void render_text(const struct circd_status *st, struct strbuf *out)
{
	char uptime[48];

	format_duration(st->uptime_s, uptime, sizeof(uptime));
	strbuf_printf(out, "kiosk:        %s (%s mode)\n", st->kiosk_id, st->mode);
	strbuf_printf(out, "board:        %s\n", st->board);
	if (!st->ils_configured)
		strbuf_printf(out, "connection:   offline (no library system configured)\n");
	else if (st->online)
		strbuf_printf(out, "connection:   online (%s:%s%s)\n", st->ils_host, st->ils_port,
			      st->ils_tls ? ", TLS" : "");
	else
		strbuf_printf(out, "connection:   OFFLINE: %s\n", st->link_error);
	strbuf_printf(out, "outbox:       %llu pending\n", (unsigned long long)st->outbox);
	strbuf_printf(out, "exceptions:   %llu for staff (circctl exceptions)\n",
		      (unsigned long long)st->exceptions);
	if (st->forwarded_ils_message[0])
		strbuf_printf(out, "ILS said:     %s (last of %llu accepted with a message)\n",
			      st->forwarded_ils_message, (unsigned long long)st->ils_messages);
	strbuf_printf(out, "transactions: %llu in store, %llu since start\n",
		      (unsigned long long)st->transactions,
		      (unsigned long long)st->recorded_since_start);
	strbuf_printf(out, "store:        %s (%s)\n", st->store_state, st->store_path);
	if (st->returns)
		strbuf_printf(out, "bin:          %s, door %s\n", st->bin_full ? "FULL" : "accepting",
			      st->door_closed ? "closed" : "OPEN");
	scanners_text(st, out);
	rfid_text(st, out);
	if (st->printer)
		strbuf_printf(out,
			      "printer:      %s: %s, %llu receipt%s printed, last failure: %s\n",
			      st->printer, st->printer_state,
			      (unsigned long long)st->receipts_printed,
			      st->receipts_printed == 1 ? "" : "s",
			      st->receipt_failure && st->receipt_failure[0] ? st->receipt_failure :
									       "none");
	strbuf_printf(out, "last error:   %s\n", st->last_error[0] ? st->last_error : "none");
	strbuf_printf(out, "uptime:       %s\n", uptime);
	strbuf_printf(out, "wakeups:      %llu\n", (unsigned long long)st->wakeups);
}

void status_render(const struct circd_status *st, enum status_format format, struct strbuf *out)
{
	if (format == STATUS_JSON)
		render_json(st, out);
	else
		render_text(st, out);
}
