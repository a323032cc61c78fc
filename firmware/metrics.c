/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "metrics.h"

#include <string.h>

/* Appends s as a label value between its quotes: \, " and newline escaped, as 0.0.4 says. */
static void label_value(struct strbuf *out, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '\\')
			strbuf_printf(out, "\\\\");
		else if (*s == '"')
			strbuf_printf(out, "\\\"");
		else if (*s == '\n')
			strbuf_printf(out, "\\n");
		else
			strbuf_printf(out, "%c", *s);
	}
}

/* The HELP and TYPE lines that open a family; its samples follow at once. */
static void family(struct strbuf *out, const char *name, const char *type, const char *help)
{
	strbuf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void sample(struct strbuf *out, const char *name, unsigned long long value)
{
	strbuf_printf(out, "%s %llu\n", name, value);
}

static void gauge(struct strbuf *out, const char *name, const char *help,
		  unsigned long long value)
{
	family(out, name, "gauge", help);
	sample(out, name, value);
}

/* A sample with one or two labels (label2 NULL: one). */
static void labelled(struct strbuf *out, const char *name, const char *label1, const char *value1,
		     const char *label2, const char *value2, unsigned long long value)
{
	strbuf_printf(out, "%s{%s=\"", name, label1);
	label_value(out, value1);
	if (label2) {
		strbuf_printf(out, "\",%s=\"", label2);
		label_value(out, value2);
	}
	strbuf_printf(out, "\"} %llu\n", value);
}

static void render_info(const struct circd_status *st, struct strbuf *out)
{
	family(out, "circd_build_info", "gauge", "The running circd's version; always 1.");
	labelled(out, "circd_build_info", "version", st->version ? st->version : "", NULL, NULL,
		 1);
	family(out, "circd_kiosk_info", "gauge", "Which kiosk this is and its mode; always 1.");
	strbuf_printf(out, "circd_kiosk_info{kiosk_id=\"");
	label_value(out, st->kiosk_id);
	strbuf_printf(out, "\",mode=\"");
	label_value(out, st->mode);
	strbuf_printf(out, "\",board=\"");
	label_value(out, st->board);
	strbuf_printf(out, "\"} 1\n");
	gauge(out, "circd_uptime_seconds", "Seconds since circd started.", st->uptime_s);
}

static void render_link(const struct circd_status *st, struct strbuf *out)
{
	static const char *const states[] = { "none", "up", "down" };

	gauge(out, "circd_ils_online", "1 while the library system (ILS) link is up.", st->online);
	family(out, "circd_ils_link_state", "gauge",
	       "The ILS link's state: none (no ILS configured), up or down; 1 for the current.");
	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++)
		labelled(out, "circd_ils_link_state", "state", states[i], NULL, NULL,
			 st->link && strcmp(st->link, states[i]) == 0);
	gauge(out, "circd_ils_offline_seconds",
	      "Seconds the ILS link has been down; 0 while up or with no ILS.", st->offline_s);
}

static void render_store(const struct circd_status *st, struct strbuf *out)
{
	gauge(out, "circd_outbox_transactions",
	      "Transactions the ILS has not confirmed yet: pending and sent.", st->outbox);
	gauge(out, "circd_outbox_oldest_age_seconds",
	      "Seconds the oldest transaction in the outbox has waited; 0 when it is empty.",
	      st->oldest_pending_s);
	gauge(out, "circd_exceptions", "Transactions the ILS refused, not yet handled by staff.",
	      st->exceptions);
	gauge(out, "circd_store_transactions", "Transactions in the local store.",
	      st->transactions);
	gauge(out, "circd_store_ok",
	      "1 while the store records: open, its files intact, its last write kept.",
	      st->store_usable);
	family(out, "circd_store_errors_total", "counter",
	       "Recordings and look-ups the store refused since start.");
	sample(out, "circd_store_errors_total", st->store_failures);
	family(out, "circd_transactions_total", "counter",
	       "Transactions recorded since start, by kind and by mode (online or offline).");
	for (int kind = 0; kind < TXN_KINDS; kind++)
		for (int mode = 0; mode < TXN_MODES; mode++)
			labelled(out, "circd_transactions_total", "kind",
				 txn_kind_name((enum txn_kind)kind), "mode",
				 txn_mode_name((enum txn_mode)mode), st->recorded_by[kind][mode]);
	/* Fewer than the transactions when RFID stacks are recorded together: SD card wear. */
	family(out, "circd_store_commits_total", "counter",
	       "Durable commits (each a wait for the disk) that recorded those transactions.");
	sample(out, "circd_store_commits_total", st->record_commits);
	gauge(out, "circd_security_writes_owed",
	      "RFID tags whose security write is still owed.", st->security_owed);
	if (st->returns)
		gauge(out, "circd_bin_full", "1 while the returns bin reports full.", st->bin_full);
}

/* A scanner serving both roles counts for each: monitoring asks per role. */
static void scanner_roles(const struct status_scanner *sc, struct strbuf *out)
{
	static const char *const roles[] = { "item_scanner", "patron_reader" };

	for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
		if (strcmp(sc->role, "both") == 0 || strcmp(sc->role, roles[i]) == 0)
			labelled(out, "circd_device_attached", "role", roles[i], "device",
				 sc->st.name, sc->st.attached);
}

static void render_devices(const struct circd_status *st, struct strbuf *out)
{
	family(out, "circd_device_attached", "gauge",
	       "1 while the board's device for a role is there: scanners, RFID pads, printer.");
	for (size_t i = 0; i < st->n_scanners; i++)
		scanner_roles(&st->scanners[i], out);
	for (size_t i = 0; i < st->n_rfid; i++)
		labelled(out, "circd_device_attached", "role", "rfid_pad", "device",
			 st->rfid[i].name, st->rfid[i].attached);
	if (!st->printer)
		return;
	labelled(out, "circd_device_attached", "role", "printer", "device", st->printer,
		 st->printer_status != PRINTER_OFFLINE && st->printer_status != PRINTER_UNKNOWN);
	gauge(out, "circd_printer_can_print",
	      "1 while the receipt printer can print (paper, cover).",
	      printer_state_can_print(st->printer_status));
	family(out, "circd_receipts_printed_total", "counter", "Receipts printed since start.");
	sample(out, "circd_receipts_printed_total", st->receipts_printed);
}

void metrics_render(const struct circd_status *st, struct strbuf *out)
{
	render_info(st, out);
	render_link(st, out);
	render_store(st, out);
	render_devices(st, out);
}
