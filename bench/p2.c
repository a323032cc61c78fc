/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * P2: online checkout latency. circd in self-check mode, online to the test
 * ACS over loopback (plain TCP); a patron signs in, then each item scanned
 * on the sim socket is timed to "gpio lamp_ok 1": the journal entry, the
 * forwarded mark, the 11 -> 12 exchange and the recorded answer (committed
 * lazily: a lost one is verified with the ILS), all before
 * the lamp. Every 20 items the patron scans the done symbol and the next
 * session begins.
 *
 * The baseline, interleaved step by step with the same ACS: one raw 11 -> 12
 * exchange over a TCP socket from this process, then one durable sqlite
 * commit in the same directory. Its items come from another serial range,
 * so the ACS charges a fresh item in both.
 *
 * As for P3, with two cores or more the ACS (the ILS, another machine in a
 * library) gets a core of its own; circd and this process, the kiosk's
 * side, share the other.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

#define P2_CHECKOUTS 500
#define CIRCD_SERIAL 1000000u
#define BASELINE_SERIAL 2000000u

struct p2 {
	double circd[P2_CHECKOUTS], base[P2_CHECKOUTS];
	bool pinned;
	char why[WHY_MAX];
};

struct raw_checkout {
	struct sip_conn sip;
	struct durable db;
};

static double baseline_step(struct raw_checkout *b, unsigned n, char *why)
{
	char item[15], date[19], msg[256], reply[1024];
	double t0 = now_us();

	item_barcode(BASELINE_SERIAL + n, item);
	sip_date(time(NULL), date);
	/* renewal policy N, no block N, date, blank nb due date */
	snprintf(msg, sizeof(msg), "11NN%s%18sAOMAIN|AA%s|AB%s|AC|", date, "", PATRON_ADA, item);
	if (sip_exchange(&b->sip, msg, reply, sizeof(reply), 10000, why) < 0)
		return -1;
	if (strncmp(reply, "121", 3) != 0) {
		set_why(why, "the ACS refused the baseline's checkout: %.80s", reply);
		return -1;
	}
	if (durable_commit(&b->db, item) < 0) {
		set_why(why, "the baseline's sqlite commit failed");
		return -1;
	}
	return now_us() - t0;
}

static int wait_online(const char *name, char *why)
{
	char status[4096];

	for (int i = 0; i < 300; i++) {
		if (ctl_request(name, "status json", status, sizeof(status)) == 0 &&
		    json_bool(status, "online") == 1)
			return 0;
		usleep(50000);
	}
	set_why(why, "circd did not go online within 15 s");
	return -1;
}

static int sign_in(struct sim *sim, char *why)
{
	struct expect hello[2] = { { .prefix = "display info Hello" }, { .prefix = "ok" } };

	if (sim_send(sim, "scan patron_reader %s\n", PATRON_ADA) < 0)
		return -1;
	return sim_expect(sim, hello, 2, 10000, why);
}

static int sign_out(struct sim *sim, char *why)
{
	struct expect receipt[2] = { { .prefix = "display receipt" }, { .prefix = "ok" } };

	if (sim_send(sim, "scan item_scanner %s\n", DONE_SYMBOL) < 0)
		return -1;
	return sim_expect(sim, receipt, 2, 10000, why);
}

static int measure(struct p2 *p, struct acs *acs)
{
	struct expect lamp_and_ok[2] = { { .prefix = "gpio lamp_ok 1" }, { .prefix = "ok" } };
	struct raw_checkout b = { .sip.fd = -1 };
	char body[512];
	struct sim sim = { .fd = -1 };
	int client, server;
	pid_t pid;
	unsigned i;
	int r = -1;

	snprintf(body, sizeof(body),
		 "[kiosk]\nmode = selfcheck\nsession_timeout = 600\n"
		 "[barcode]\ndone = %s\n"
		 "[sip2]\nhost = 127.0.0.1\nport = %d\ntls = no\ninstitution = MAIN\n",
		 DONE_SYMBOL, acs->port);
	if (circd_config("p2", body) < 0) {
		set_why(p->why, "cannot write the config");
		return -1;
	}
	pid = circd_start("p2", false);
	p->pinned = two_cores(&client, &server) && pin_to_core(acs->pid, server) == 0 &&
		    pin_to_core(pid, client) == 0 && pin_to_core(0, client) == 0;
	if (sim_open(&sim, "p2", p->why) < 0 || wait_online("p2", p->why) < 0)
		goto out;
	if (sip_connect(&b.sip, acs->port) < 0 || durable_open(&b.db, "p2-baseline") < 0) {
		set_why(p->why, "cannot set up the baseline");
		goto out;
	}
	for (i = 0; i < P2_CHECKOUTS; i++) {
		char item[15];
		double t0;

		if (i % ITEMS_PER_VISIT == 0 && sign_in(&sim, p->why) < 0)
			goto out;
		p->base[i] = baseline_step(&b, i, p->why);
		if (p->base[i] < 0)
			goto out;
		item_barcode(CIRCD_SERIAL + i, item);
		t0 = now_us();
		if (sim_send(&sim, "scan item_scanner %s\n", item) < 0 ||
		    sim_expect(&sim, lamp_and_ok, 2, 15000, p->why) < 0)
			goto out;
		p->circd[i] = lamp_and_ok[0].at_us - t0;
		if (i % ITEMS_PER_VISIT == ITEMS_PER_VISIT - 1 && sign_out(&sim, p->why) < 0)
			goto out;
	}
	r = 0;
out:
	if (r < 0 && !p->why[0])
		set_why(p->why, "circd run failed");
	unpin_self();
	sip_close(&b.sip);
	durable_close(&b.db);
	sim_close(&sim);
	reap(pid);
	return r;
}

void bench_p2(void)
{
	static struct p2 p;
	double b50, b99, c50, c99;
	struct acs acs;
	int r;

	memset(&p, 0, sizeof(p));
	r = acs_start(&acs, "p2-acs", 0, p.why);
	if (r == 0) {
		r = measure(&p, &acs);
		acs_stop(&acs);
	}
	if (r < 0) {
		printf("P2 online checkout FAILED: %s\n", p.why);
		fflush(stdout);
		return;
	}
	b50 = percentile(p.base, P2_CHECKOUTS, 0.50);
	b99 = percentile(p.base, P2_CHECKOUTS, 0.99);
	c50 = percentile(p.circd, P2_CHECKOUTS, 0.50);
	c99 = percentile(p.circd, P2_CHECKOUTS, 0.99);
	printf("P2 online checkout p50 %8.0f us   p99 %8.0f us   (scan -> OK lamp, online to the "
	       "test ACS over loopback, %d checkouts)\n", c50, c99, P2_CHECKOUTS);
	printf("   baseline        p50 %8.0f us   p99 %8.0f us   (raw SIP2 11->12 to the same ACS "
	       "+ sqlite WAL/FULL insert)\n", b50, b99);
	printf("   ratio           p50 %8.2f      p99 %8.2f      target <= 1.15\n", c50 / b50,
	       c99 / b99);
	printf("                   (%s)\n",
	       p.pinned ? "the ACS on a core of its own, circd and the baseline's client on another" :
			  "the ACS and its clients not pinned to cores of their own");
	fflush(stdout);
}
