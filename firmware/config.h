/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * circd.conf, INI via libinih. Every key is documented in README.md and in
 * etc/circd.conf. An unknown section or key, or a bad value, is an error
 * naming file:line; config_load() never logs. struct config is plain data:
 * the caller owns it (usually on the stack or embedded), nothing to free.
 */
#ifndef CIRCD_CONFIG_H
#define CIRCD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "barcode.h"
#include "display.h"
#include "feedback.h"
#include "ils-sip2.h"
#include "log.h"
#include "tag-format.h"

#define CONFIG_DEFAULT_PATH "/etc/circd/circd.conf"

enum kiosk_mode {
	KIOSK_SELFCHECK,
	KIOSK_RETURNS,
};

/* [rfid]: the library's item tags (README, "RFID"). */
struct rfid_config {
	enum tag_model_choice data_model;
	char owner_isil[256];     /* the library's ISILs, separated by spaces or commas; "" = any */
	bool allow_other_owners;  /* items of other libraries are served too */
	unsigned afi_checked_out; /* written at a loan: the exit gates stay quiet (0xC2) */
	unsigned afi_on_shelf;    /* written at a return (0x07) */
	bool eas;                 /* NXP EAS is switched with the AFI */
};

/* [receipt] codepage: the printer's code page (values are hal/escpos.h's, by receipt.c). */
enum receipt_codepage {
	RECEIPT_PC437,
	RECEIPT_PC850,
	RECEIPT_PC858,
	RECEIPT_WPC1252,
};

/* [receipt] policy: when a self-check session ends with a printed receipt. */
enum receipt_policy {
	RECEIPT_NEVER,
	RECEIPT_ALWAYS, /* every session that borrowed something, when the board has a printer */
	RECEIPT_ASK,    /* as always, when the patron said yes on the touch screen */
};

enum offline_policy {
	OFFLINE_CHECKIN_ONLY,
	OFFLINE_CHECKIN_CHECKOUT,
	OFFLINE_NONE, /* nothing is recorded while the ILS is unreachable */
};

struct config {
	char path[256];
	/* [kiosk] */
	enum kiosk_mode mode;
	char kiosk_id[64];
	char board[256];           /* a path, or a name looked up in the boards dir */
	bool require_pin;
	unsigned session_timeout_s;
	char date_format[64]; /* strftime: how patrons see due dates; "": the language's */
	char language[16];    /* the patron texts' language: a catalog in messages_dir */
	bool language_from_ils; /* a patron's own language, when the ILS gives one with a catalog */
	char messages_dir[256]; /* "": $CIRCD_MESSAGES, else the installed catalogs */
	/* [store] */
	char store_path[256];
	/* [control] */
	char control_socket[256];
	char control_group[64];    /* "" = the daemon's own group */
	/* [sim] */
	char sim_socket[256];
	/* [barcode] */
	struct barcode_rules barcodes;
	/* [feedback] */
	struct feedback_pattern feedback[FEEDBACK__COUNT];
	/* [offline] */
	enum offline_policy offline_policy;
	unsigned offline_max_items; /* per self-check session; 0 = no limit */
	unsigned offline_loan_days;
	unsigned patron_cache_hours; /* how long an online patron result vouches offline */
	/* [sip2] */
	struct sip2_config sip2;
	/* [privacy] */
	unsigned retention_hours; /* keep a confirmed patron-item link this long; 0 = drop at once */
	/* [log] */
	enum log_level log_level;
	bool core_dumps;          /* debugging only: a core holds passwords and PINs */
	struct rfid_config rfid;
	/* [receipt] */
	enum receipt_policy receipt_policy;
	char receipt_header[256]; /* the library's name and address, lines split by '|'; or "" */
	enum receipt_codepage receipt_codepage;
	bool receipt_session_qr; /* the session's id as a QR code at the foot of the receipt */
	/* [metrics] */
	char metrics_textfile[256]; /* node_exporter's textfile collector reads it; "" = none */
	unsigned metrics_interval_s;
	bool metrics_http; /* also GET /metrics on the touch screen's server (display = web) */
	/* [health]: when circctl check says the kiosk cannot serve patrons */
	unsigned health_max_offline_s; /* offline longer than this ... (0: never) */
	unsigned health_max_outbox;    /* ... with at least this many transactions waiting */
	/* [display]: where display = web serves the page */
	struct display_config display;
};

void config_default(struct config *cfg);
/* Parses text over the defaults; path only names the file in errors. */
int config_parse(const char *text, const char *path, struct config *cfg, struct file_error *err);
int config_load(const char *path, struct config *cfg, struct file_error *err);

/*
 * SIGHUP: a running circd applies timeouts, barcode rules, feedback, the
 * offline policy and logging at once; the mode, board, store path, sockets
 * and the ILS link it set up at start. config_restart_needed() names the
 * keys of that second kind that differ ("[kiosk] mode, [sip2] host", never
 * a value: some are passwords) in why, cut to size, and returns how many.
 * config_keep_restart_keys() puts their running values back into reloaded.
 */
int config_restart_needed(const struct config *running, const struct config *reloaded,
			  char *why, size_t size);
void config_keep_restart_keys(struct config *reloaded, const struct config *running);

const char *kiosk_mode_name(enum kiosk_mode mode);
const char *offline_policy_name(enum offline_policy policy);

#endif
