/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * P1: scan on the sim socket -> "gpio lamp_ok 1", with the commit durable,
 * circd offline (no ILS configured) on its fake clock, against a bare
 * sqlite WAL/FULL insert plus a unix-socket echo. And memory: circd's RSS
 * after 10,000 transactions.
 *
 * The baseline is what one durable scan costs at the least: a round trip
 * through a unix socket to another process and one sqlite insert in WAL
 * mode with synchronous=FULL, in the same directory as circd's store. Its
 * steps are interleaved with circd's scans, so both see the same disk and
 * the same neighbours.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench.h"

#define P1_SCANS 2000
#define TOTAL_TXNS 10000

struct echo_baseline {
	struct durable db;
	int fd;
	pid_t echo;
};

static int echo_parent_end = -1; /* closed in the child, or it never sees EOF */

static void echo_loop(int fd)
{
	char buf[256];
	ssize_t r;

	close(echo_parent_end);
	while ((r = read(fd, buf, sizeof(buf))) > 0)
		if (write(fd, buf, (size_t)r) != r)
			break;
}

static int baseline_open(struct echo_baseline *b)
{
	int sv[2];

	b->fd = -1;
	b->echo = 0;
	if (durable_open(&b->db, "p1-baseline") < 0)
		return -1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	echo_parent_end = sv[0];
	b->echo = spawn_fn(echo_loop, sv[1]);
	close(sv[1]);
	b->fd = sv[0];
	return b->echo > 0 ? 0 : -1;
}

static double baseline_step(struct echo_baseline *b, unsigned n)
{
	char item[15], buf[64];
	double t0 = now_us();

	item_barcode(n, item);
	if (write(b->fd, item, 14) != 14 || read(b->fd, buf, sizeof(buf)) <= 0)
		return -1;
	if (durable_commit(&b->db, item) < 0)
		return -1;
	return now_us() - t0;
}

static void baseline_close(struct echo_baseline *b)
{
	if (b->fd >= 0)
		close(b->fd); /* the echo child sees EOF and exits */
	reap(b->echo);
	durable_close(&b->db);
}

struct p1 {
	double circd[P1_SCANS], base[P1_SCANS];
	long rss, anon;
	char why[WHY_MAX];
};

static int measure(struct p1 *p)
{
	struct expect lamp_and_ok[2] = { { .prefix = "gpio lamp_ok 1" }, { .prefix = "ok" } };
	struct expect ok = { .prefix = "ok" };
	struct echo_baseline b;
	struct sim sim;
	unsigned i;
	pid_t pid;
	int r = -1;

	if (circd_config("p1", "[kiosk]\nmode = returns\nsession_timeout = 60\n") < 0) {
		set_why(p->why, "cannot write the config");
		return -1;
	}
	pid = circd_start("p1", true);
	if (sim_open(&sim, "p1", p->why) < 0)
		goto out_sim;
	if (baseline_open(&b) < 0) {
		set_why(p->why, "cannot set up the baseline");
		goto out_baseline;
	}
	for (i = 0; i < TOTAL_TXNS; i++) {
		char item[15];
		double t0;

		if (i < P1_SCANS) {
			p->base[i] = baseline_step(&b, i);
			if (p->base[i] < 0) {
				set_why(p->why, "baseline step failed");
				goto out_baseline;
			}
		}
		item_barcode(i, item);
		t0 = now_us();
		if (sim_send(&sim, "scan item_scanner %s\n", item) < 0 ||
		    sim_expect(&sim, lamp_and_ok, 2, 10000, p->why) < 0)
			goto out_baseline;
		if (i < P1_SCANS)
			p->circd[i] = lamp_and_ok[0].at_us - t0;
		/* Patrons come and go: end the visit as the timeout would. */
		if (i % ITEMS_PER_VISIT == ITEMS_PER_VISIT - 1 &&
		    (sim_send(&sim, "advance 61000\n") < 0 ||
		     sim_expect(&sim, &ok, 1, 10000, p->why) < 0))
			goto out_baseline;
	}
	p->rss = rss_kib(pid, &p->anon);
	r = 0;
out_baseline:
	baseline_close(&b);
out_sim:
	sim_close(&sim);
	reap(pid);
	if (r < 0 && !p->why[0])
		set_why(p->why, "circd run failed");
	return r;
}

void bench_p1(void)
{
	static struct p1 p;
	double b50, b99, c50, c99;

	memset(&p, 0, sizeof(p));
	if (measure(&p) < 0) {
		printf("P1 scan->OK lamp   FAILED: %s\n", p.why);
		printf("memory             FAILED: no figure without the P1 run\n");
		fflush(stdout);
		return;
	}
	b50 = percentile(p.base, P1_SCANS, 0.50);
	b99 = percentile(p.base, P1_SCANS, 0.99);
	c50 = percentile(p.circd, P1_SCANS, 0.50);
	c99 = percentile(p.circd, P1_SCANS, 0.99);
	printf("P1 scan->OK lamp   p50 %8.0f us   p99 %8.0f us   (offline, %d scans)\n", c50, c99,
	       P1_SCANS);
	printf("   baseline        p50 %8.0f us   p99 %8.0f us   (sqlite WAL/FULL insert + "
	       "unix echo)\n", b50, b99);
	printf("   ratio           p50 %8.2f      p99 %8.2f      target <= 1.5\n", c50 / b50,
	       c99 / b99);
	printf("memory             RSS %ld KiB after %d transactions   target <= 4096 KiB\n"
	       "                   (%ld KiB of it anonymous: heap, stack, sqlite cache; the "
	       "rest is shared library pages)\n",
	       p.rss, TOTAL_TXNS, p.anon);
	fflush(stdout);
}
