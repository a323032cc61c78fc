/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ILS over SIP2 (see ils.h): the SIP2 client on the loop, and the only
 * place besides the SIP2 codec and client that knows SIP2's messages.
 *
 * Ownership: copies cfg; the result is freed with ils_free().
 */
#ifndef CIRCD_ILS_SIP2_H
#define CIRCD_ILS_SIP2_H

#include <stdbool.h>

#include "ils.h"

struct loop;

/* The link's options, as [sip2] in circd.conf sets them. */
enum sip2_charset_cfg {
	SIP2_CHARSET_ASCII,
	SIP2_CHARSET_UTF8,
	SIP2_CHARSET_LATIN1,
	SIP2_CHARSET_IBM850,
};

/* No host = an offline-only kiosk. */
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

int ils_sip2_new(struct loop *loop, const struct sip2_config *cfg, const struct ils_events *events,
		 void *data, struct ils **ret);

#endif
