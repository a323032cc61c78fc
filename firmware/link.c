/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * circd's side of the ILS link: starts the SIP2 client and store-and-
 * forward, reports the link going up and down, and decides which wall
 * clock to trust.
 *
 * Clock trust: a Raspberry Pi has no RTC and may boot during an outage
 * with yesterday's time. A transaction's wall time is trusted when the
 * system clock is disciplined (NTP), or when the ILS told us the time
 * during this boot (then that time, carried forward on the monotonic
 * clock, is used). Untrusted stamps from this boot are corrected once the
 * ILS's time is known; those from an earlier boot that never met the ILS
 * are flagged as unknown.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timex.h>

#include "circd.h"
#include "kiosk.h"
#include "log.h"
#include "service.h"
#include "ils-sip2.h"
#include "sync.h"

/* A disagreement with the ILS beyond this is worth a warning. */
#define CLOCK_SKEW_WARN_MS (2 * 60 * 1000)

static bool system_clock_synced(void)
{
	struct timex tx = { 0 };
	int state = adjtimex(&tx);

	return state >= 0 && state != TIME_ERROR && !(tx.status & STA_UNSYNC);
}

int64_t circd_wall_clock(struct circd *c, bool *trusted)
{
	bool synced = loop_clock_is_fake(c->loop) ? c->clock_synced : system_clock_synced();

	if (synced || !c->have_clock_ref) {
		*trusted = synced;
		return loop_wall_ms(c->loop);
	}
	*trusted = true;
	return c->ref_wall_ms + (int64_t)(loop_mono_ms(c->loop) - c->ref_mono_ms);
}

static void on_link(void *data, bool up, const char *why)
{
	struct circd *c = data;

	if (up)
		log_notice("ILS link up: %s:%s%s", active_cfg(c)->sip2.host, active_cfg(c)->sip2.port,
			   active_cfg(c)->sip2.tls ? " (TLS)" : " (plain TCP)");
	else
		log_warning("ILS link down: %s; working offline", why);
	/* The first of several "down"s in a row: the outage began there. */
	if (!up && c->link_up)
		c->offline_since_ms = loop_mono_ms(c->loop);
	c->link_up = up;
	kiosk_set_online(c->kiosk, up);
	service_status(c);
	if (up)
		sync_kick(c->sync);
}

static void on_ils_clock(void *data, int64_t acs_ms, uint64_t mono_ms)
{
	struct circd *c = data;
	unsigned fixed = 0, flagged = 0;
	int64_t ours;
	bool trusted;

	ours = circd_wall_clock(c, &trusted);
	if (llabs(acs_ms - ours) > CLOCK_SKEW_WARN_MS)
		log_warning("the kiosk's clock is %+lld s off the ILS's%s",
			    (long long)((ours - acs_ms) / 1000),
			    trusted ? "" : "; stamping transactions with the ILS's time");
	c->have_clock_ref = true;
	c->ref_mono_ms = mono_ms;
	c->ref_wall_ms = acs_ms;
	if (!c->store)
		return;
	if (store_clock_ref_set(c->store, c->boot_id, mono_ms, acs_ms, "ILS 98",
				loop_wall_ms(c->loop)) < 0 ||
	    store_fix_dates(c->store, c->boot_id, mono_ms, acs_ms, &fixed) < 0 ||
	    store_flag_unknown_dates(c->store, c->boot_id, &flagged) < 0) {
		log_err("store: cannot record the ILS's time: %s", store_strerror(c->store));
		return;
	}
	if (fixed)
		log_notice("corrected the dates of %u transactions from the ILS's clock", fixed);
	if (flagged)
		log_warning("%u transactions from an earlier boot have dates that cannot be "
			    "established; they are flagged for staff", flagged);
}

int link_start(struct circd *c)
{
	static const struct ils_events events = {
		.link = on_link,
		.clock = on_ils_clock,
	};
	const struct config *cfg = active_cfg(c);
	int r;

	c->offline_since_ms = loop_mono_ms(c->loop); /* offline until the first log-in */
	if (!cfg->sip2.host[0]) {
		log_notice("no library system configured ([sip2] host): working offline only");
		return 0;
	}
	if (!cfg->sip2.tls)
		log_warning("SIP2 over plain TCP (tls = no): use this on a trusted network only");
	r = ils_sip2_new(c->loop, &cfg->sip2, &events, c, &c->ils);
	if (r < 0)
		return r;
	return sync_new(c->loop, c->store, c->ils, cfg, &c->sync);
}

void link_stop(struct circd *c)
{
	sync_free(c->sync);
	c->sync = NULL;
	ils_free(c->ils);
	c->ils = NULL;
}
