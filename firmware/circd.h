/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon's own state, shared by main.c (start-up, devices, signals),
 * link.c (the ILS link, clock trust) and staff.c (the control socket's
 * commands). Nothing outside circd's firmware/ includes this.
 */
#ifndef CIRCD_CIRCD_H
#define CIRCD_CIRCD_H

#include <stdbool.h>
#include <stdint.h>

#include "board.h"
#include "display.h"
#include "gpio.h"
#include "hal-env.h"
#include "printer.h"
#include "scanner.h"
#include "config.h"
#include "control.h"
#include "kiosk.h"
#include "loop.h"
#include "store.h"

struct feedback;
struct kiosk;
struct rfid_reader;
struct circd;

/* One board RFID reader, and the circd its events go to. */
struct circd_rfid {
	struct circd *c;
	struct rfid_reader *reader;
};
struct sim_channel;
struct ils;
struct sync;

struct circd {
	struct config cfgs[2]; /* the active one and the one a reload parses into */
	unsigned active;
	const char *config_path;
	char board_path[512]; /* room for a 255-byte board name plus the boards dir */
	struct board *board;
	struct messages *messages; /* the patron texts' catalogs */
	struct sdnotify *notify;   /* the service manager's socket; NULL: none */
	int notify_err;            /* the last failure told, so it is told once */
	struct loop_timer watchdog_timer;
	uint64_t watchdog_ms;      /* 0: no watchdog */
	struct loop_timer metrics_timer; /* [metrics] textfile rewritten (metrics-file.h) */
	int metrics_err;           /* the last failure to write it, logged once */
	struct loop *loop;
	struct hal_env hal_env;     /* what the backends get: the loop and main.c's report sink */
	struct sim_channel *sim;    /* NULL unless the board has a sim backend */
	const struct gpio_ops *gpio;
	void *gpio_handle;
	const struct scanner_ops *scanner;
	void *scanner_handle;
	const struct display_ops *display;
	void *display_handle;
	const struct printer_ops *printer;
	void *printer_handle;
	struct circd_rfid rfid[BOARD_RFIDS_MAX];
	unsigned n_rfid;
	struct feedback *feedback;
	struct store *store;
	int store_open_err;
	struct loop_timer store_retry;
	struct kiosk *kiosk;
	struct kiosk_output kiosk_output; /* what the kiosk drives, as this board has it */
	struct control *control;
	struct ils *ils; /* NULL: no ILS configured */
	struct sync *sync;
	bool clock_synced; /* the system clock is disciplined (NTP), or a test says so */
	bool have_clock_ref; /* the ILS told us the time during this boot */
	uint64_t ref_mono_ms;
	int64_t ref_wall_ms;
	char boot_id[TXN_ID_LEN + 1];
	uint64_t started_ms;
	bool link_up;              /* as the ILS link last reported */
	uint64_t offline_since_ms; /* mono: when it last went down, or link_start() */
	bool board_overridden; /* -b given: the config's board= does not apply */
};

static inline const struct config *active_cfg(const struct circd *c)
{
	return &c->cfgs[c->active];
}

/* link.c */
int link_start(struct circd *c);
void link_stop(struct circd *c);
/* The wall clock to stamp a transaction with, and whether to trust it. */
int64_t circd_wall_clock(struct circd *c, bool *trusted);

/* reload.c: SIGHUP; a configuration that cannot work leaves the running one in force. */
void circd_reload(struct circd *c);
void circd_apply_core_dumps(const struct config *cfg, bool was_allowed);

/* staff.c: answers circctl. */
int staff_command(void *data, const struct control_request *req, struct strbuf *body,
		  struct control_stream *stream);
/* The metrics (metrics.h) as they are now, appended to out: for circctl, the textfile, HTTP. */
void staff_metrics(struct circd *c, struct strbuf *out);

#endif
