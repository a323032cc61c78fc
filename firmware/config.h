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
#include <stdint.h>

#include "../hal/board.h"
#include "barcode.h"
#include "log.h"

#define CONFIG_DEFAULT_PATH "/etc/circd/circd.conf"

enum kiosk_mode {
	KIOSK_SELFCHECK,
	KIOSK_RETURNS,
};

enum offline_policy {
	OFFLINE_CHECKIN_ONLY,
	OFFLINE_CHECKIN_CHECKOUT,
	OFFLINE_NONE, /* nothing is recorded while the ILS is unreachable */
};

enum sip2_charset_cfg {
	SIP2_CHARSET_ASCII,
	SIP2_CHARSET_UTF8,
	SIP2_CHARSET_LATIN1,
	SIP2_CHARSET_IBM850,
};

/* [sip2]: the link to the library system. No host = an offline-only kiosk. */
struct sip2_config {
	char host[128];
	char port[8];
	bool tls;               /* default yes; plain TCP only with an explicit "tls = no" */
	char ca_file[256];
	char pin_sha256[65];    /* SHA-256 of the server certificate, hex; "" = none */
	char server_name[128];  /* for verification; "" = host */
	char username[64];      /* CN of the 93 login; "" = no login */
	char password[64];      /* CO; a config holding one must not be group/world-readable */
	char terminal_password[64]; /* AC */
	char institution[64];   /* AO */
	char location[64];      /* CP */
	bool crlf;              /* terminator CR LF (default CR) */
	char delimiter;         /* default '|' */
	bool error_detection;   /* AY/AZ, default yes */
	enum sip2_charset_cfg charset;
	unsigned patron_message; /* 23 or 63 */
	unsigned heartbeat_s;   /* 99 every this many idle seconds */
	unsigned connect_timeout_s;
	unsigned response_timeout_s; /* until the ACS announces its own in 98 */
	unsigned retries;            /* likewise */
	unsigned reconnect_max_s;    /* backoff ceiling */
	/* A patron waits at most this long for the ILS, whatever the ACS's timeout. */
	unsigned patron_wait_s;
	bool renew;             /* a loaned item scanned again by its borrower renews it */
};

enum feedback_kind {
	FEEDBACK_OK,     /* transaction recorded */
	FEEDBACK_ERROR,  /* refused */
	FEEDBACK_NOTICE, /* repeat scan, prompt */
	FEEDBACK_ACCEPT, /* returns: release the flap */
	FEEDBACK__COUNT,
};

#define FEEDBACK_TRACKS_MAX 4
#define FEEDBACK_STEPS_MAX 8

/*
 * One output role's part of a pattern: durations in ms alternating on, off,
 * on, ... starting with on. "buzzer:80,80,80" = beep, pause, beep.
 */
struct feedback_track {
	enum board_role role;
	unsigned n_steps;
	uint32_t steps_ms[FEEDBACK_STEPS_MAX];
};

/* Written in the config as space-separated tracks: "lamp_ok:1500 buzzer:80". */
struct feedback_pattern {
	unsigned n_tracks;
	struct feedback_track tracks[FEEDBACK_TRACKS_MAX];
};

struct config {
	char path[256];
	/* [kiosk] */
	enum kiosk_mode mode;
	char kiosk_id[64];
	char board[256];           /* a path, or a name looked up in the boards dir */
	bool require_pin;
	unsigned session_timeout_s;
	char date_format[64]; /* strftime: how patrons see due dates */
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
};

void config_default(struct config *cfg);
/* Parses text over the defaults; path only names the file in errors. */
int config_parse(const char *text, const char *path, struct config *cfg, struct file_error *err);
int config_load(const char *path, struct config *cfg, struct file_error *err);

/* Pure helper, also used for tests: parses one pattern value. */
int feedback_pattern_parse(const char *value, struct feedback_pattern *pattern, const char **why);

const char *kiosk_mode_name(enum kiosk_mode mode);
const char *offline_policy_name(enum offline_policy policy);
const char *feedback_kind_name(enum feedback_kind kind);

#endif
