/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The SIP2 link to the library system, on the loop: connect (TCP or TLS),
 * log in (93), learn the ACS's timeout, retries and clock (99/98), keep the
 * link alive with 99 heartbeats, and carry one request at a time.
 *
 * Requests queue in two lanes: live (a patron is waiting) goes before
 * background (store-and-forward), so forwarding never starves the kiosk.
 * A request that changes nothing at the ACS (93, 99, 23, 63, 17, 35) and
 * gets no reply in time is resent with the same sequence number, up to the
 * retries the ACS announced; after that the link is declared down, every
 * queued request fails with -ENOTCONN (the one in flight with -ETIMEDOUT:
 * its outcome is unknown), and reconnection starts with an exponential
 * backoff with jitter. Any other request (a checkout, checkin, renewal) is
 * never resent: real ILSs apply a repeated one again. After silence it
 * fails with -ETIMEDOUT and the link stays up, for its owner to find out
 * what the ILS did. A reply that fails its checksum is asked for again
 * with 97 (that repeats the reply, not the request).
 *
 * An idle connection the ACS closes is re-established at once without the
 * owner being told the link went down, unless reconnecting fails.
 *
 * Ownership: the client copies the config it is given; sip2_client_free()
 * accepts NULL and fails nothing (no callbacks run from it).
 */
#ifndef CIRCD_SIP2_CLIENT_H
#define CIRCD_SIP2_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ils-sip2.h"
#include "sip2.h"

struct loop;
struct sip2_client;

enum sip2_lane {
	SIP2_LANE_LIVE,
	SIP2_LANE_BACKGROUND,
};

/*
 * Writes the request's wire bytes for sequence number seq. Called once,
 * when the request is about to be sent; resends reuse the bytes.
 */
typedef int (*sip2_build_fn)(void *data, const struct sip2_profile *profile, int seq, char *out,
			     size_t size, size_t *len);
/*
 * The outcome: err 0 with the decoded reply; -ETIMEDOUT (sent, no reply:
 * it may or may not have been applied); -ENOTCONN (never sent, or the link
 * dropped before it was); -EBADMSG (the reply was not the expected message).
 * reply is NULL unless err is 0 and is valid only during the call.
 */
typedef void (*sip2_reply_fn)(void *data, int err, const struct sip2_msg *reply);

struct sip2_client_events {
	/*
	 * The link went up (logged in, 98 seen) or down; why is for logs. The
	 * first connection attempt reports either way.
	 */
	void (*link)(void *data, bool up, const char *why);
	/* Every 98: the ACS's status, its clock among it. */
	void (*acs_status)(void *data, const struct sip2_acs_status *status, uint64_t mono_ms);
};

int sip2_client_new(struct loop *loop, const struct sip2_config *cfg,
		    const struct sip2_client_events *events, void *data,
		    struct sip2_client **ret);
void sip2_client_free(struct sip2_client *client);

/*
 * Queues a request. expect is the reply code ("12" for a checkout). Fails
 * at once with -ENOTCONN while the link is down. done is called exactly
 * once, never from inside sip2_client_request().
 */
int sip2_client_request(struct sip2_client *client, enum sip2_lane lane, const char expect[2],
			sip2_build_fn build, void *build_data, sip2_reply_fn done, void *done_data);

/*
 * Stops waiting for the request queued with this done and done_data (a
 * patron cannot wait any longer): done runs before this returns, with
 * -ENOTCONN if the request was not sent yet, or -ETIMEDOUT if it was (its
 * reply, should it come, is dropped). -ENOENT: no such request.
 */
int sip2_client_cancel(struct sip2_client *client, sip2_reply_fn done, void *done_data);

/* Up, or re-establishing a connection the ACS closed while idle. */
bool sip2_client_up(const struct sip2_client *client);
/* Drops the backoff and connects now if the link is down (circctl sync). */
void sip2_client_kick(struct sip2_client *client);
const struct sip2_profile *sip2_client_profile(const struct sip2_client *client);
/* Why the link is down (or ""), for circctl status. */
const char *sip2_client_last_error(const struct sip2_client *client);
/* Requests waiting in a lane, the one in flight included. */
unsigned sip2_client_queued(const struct sip2_client *client, enum sip2_lane lane);

#endif
