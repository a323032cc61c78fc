/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * page: scan -> the item shown on the patron's touch screen, in headless
 * Chromium, next to circd's own scan -> "gpio lamp_ok 1" for the same scans.
 *
 * circd runs offline on boards/sim-web.ini (display = web, [display] port = 0:
 * the address is read from its log), a self-check kiosk with no item limit.
 * bench/page_probe.py opens the page in Chromium through tests/e2e/cdp.py and
 * answers this file one line at a time on a socket pair. Five visits of 20
 * items: the patron's card, then each item scanned through the sim channel
 * only after the last one is on the page, then the done symbol.
 *
 * The two clocks: the scan's send time and the lamp are on the bench's
 * CLOCK_MONOTONIC, as in P1. The page's side is Chromium's own: a
 * MutationObserver the probe adds to the page notes performance.now() when a
 * row with the item's barcode first appears in the list, and again when the
 * next animation frame begins (the frame that paints it). performance.now()
 * ticks with CLOCK_MONOTONIC but from the page's own origin; the probe finds
 * the offset as NTP would, reading it between two readings of its own and
 * keeping the shortest round trip (the uncertainty printed is half of that),
 * and measures it again at the end (the drift printed). No target: the page
 * is drawn after the patron was told OK, never on the way to it.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench.h"

#define PAGE_VISITS 5
#define PAGE_ITEMS (PAGE_VISITS * ITEMS_PER_VISIT)
#define PAGE_SERIAL 40000   /* item numbers of their own, as P2's */
#define PROBE_START_MS 20000 /* Chromium's start on a loaded machine */
#define PROBE_WAIT_MS 12000  /* the probe's own waits are 10 s */
#define PROBE_SCRIPT "bench/page_probe.py"

struct probe {
	int fd;
	pid_t pid;
	struct line_reader in;
};

static int probe_child_end = -1;
static int probe_parent_end = -1; /* closed in the child, or the probe never sees EOF */
static char probe_url[64];

static void probe_exec(int fd)
{
	char log[128];
	int log_fd;
	char *argv[] = { "python3", PROBE_SCRIPT, probe_url, bench_dir, NULL };

	close(probe_parent_end);
	/* Chromium and its helpers in our group: a killed bench kills them all. */
	if (setpgid(0, 0) < 0)
		_exit(127);
	if (dup2(fd, STDIN_FILENO) < 0 || dup2(fd, STDOUT_FILENO) < 0)
		_exit(127);
	bench_path(log, sizeof(log), "page-probe", "log");
	log_fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (log_fd < 0 || dup2(log_fd, STDERR_FILENO) < 0)
		_exit(127);
	execvp(argv[0], argv);
	dprintf(STDERR_FILENO, "cannot run python3: %s\n", strerror(errno));
	_exit(127);
}

/* The next line from the probe, without its newline; -1 with why. */
static int probe_read(struct probe *p, char *line, size_t size, int timeout_ms, char *why)
{
	char tail[160];
	int r = line_read(&p->in, p->fd, line, size, timeout_ms);

	if (r == -ETIMEDOUT) {
		set_why(why, "no answer from the browser probe within %d ms", timeout_ms);
		return -1;
	}
	if (r == -EMSGSIZE) {
		set_why(why, "the browser probe sent a line of over %zu bytes", sizeof(p->in.buf));
		return -1;
	}
	if (r < 0) {
		log_tail("page-probe", tail, sizeof(tail));
		set_why(why, "the browser probe stopped (%s)", tail[0] ? tail : "no output");
		return -1;
	}
	if (strncmp(line, "error ", 6) == 0) {
		set_why(why, "the browser probe: %s", line + 6);
		return -1;
	}
	return 0;
}

static int probe_ask(struct probe *p, const char *request, char *line, size_t size,
		     int timeout_ms, char *why)
{
	size_t len = strlen(request);

	if (write(p->fd, request, len) != (ssize_t)len) {
		set_why(why, "the browser probe is gone");
		return -1;
	}
	return probe_read(p, line, size, timeout_ms, why);
}

/* Starts the probe on url; on success *uncertainty is its clock mapping's, in us. */
static int probe_start(struct probe *p, const char *url, double *uncertainty, char *why)
{
	char line[256];
	int sv[2];

	p->fd = -1;
	p->pid = 0;
	p->in.len = 0;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		set_why(why, "socketpair: %s", strerror(errno));
		return -1;
	}
	snprintf(probe_url, sizeof(probe_url), "%s", url);
	probe_parent_end = sv[0];
	probe_child_end = sv[1];
	p->pid = spawn_fn(probe_exec, probe_child_end);
	close(probe_child_end);
	p->fd = sv[0];
	if (p->pid <= 0) {
		set_why(why, "cannot fork the browser probe");
		return -1;
	}
	if (probe_read(p, line, sizeof(line), PROBE_START_MS, why) < 0)
		return -1;
	if (sscanf(line, "ready %lf", uncertainty) != 1) {
		set_why(why, "the browser probe said \"%s\"", line);
		return -1;
	}
	return 0;
}

/*
 * "quit", and its socket's EOF once it has closed Chromium and waited for
 * Chromium's helpers; whatever is left then gets reap()'s SIGTERM.
 */
static void probe_stop(struct probe *p)
{
	char line[64], why[WHY_MAX];

	if (p->fd >= 0) {
		if (write(p->fd, "quit\n", 5) == 5)
			while (probe_read(p, line, sizeof(line), PROBE_WAIT_MS, why) == 0)
				;
		close(p->fd);
	}
	p->fd = -1;
	reap(p->pid);
	p->pid = 0;
}

/* "display: the patron's page is at http://127.0.0.1:PORT/" in circd's log. */
static int page_address(char *url, size_t size, char *why)
{
	static const char marker[] = "the patron's page is at ";
	char path[128], line[512];

	bench_path(path, sizeof(path), "page", "log");
	for (int i = 0; i < 500; i++) {
		FILE *f = fopen(path, "re");

		while (f && fgets(line, sizeof(line), f)) {
			char *at = strstr(line, marker);

			if (at) {
				at += sizeof(marker) - 1;
				snprintf(url, size, "%.*s", (int)strcspn(at, " \n"), at);
				fclose(f);
				return 0;
			}
		}
		if (f)
			fclose(f);
		usleep(10000);
	}
	log_tail("page", line, sizeof(line));
	set_why(why, "circd did not log its page's address within 5 s (circd: %s)",
		line[0] ? line : "no output");
	return -1;
}

struct page {
	double lamp[PAGE_ITEMS], row[PAGE_ITEMS], frame[PAGE_ITEMS];
	double uncertainty, uncertainty_end, drift;
	char why[WHY_MAX];
};

/* A visit begins (a patron card) or ends (the done symbol): the page shows the screen. */
static int visit_step(struct sim *sim, struct probe *probe, const char *role, const char *code,
		      const char *screen, char *why)
{
	struct expect ok = { .prefix = "ok" };
	char line[64];

	if (sim_send(sim, "scan %s %s\n", role, code) < 0 ||
	    sim_expect(sim, &ok, 1, 10000, why) < 0)
		return -1;
	return probe_ask(probe, screen, line, sizeof(line), PROBE_WAIT_MS, why);
}

/* One item: scanned, its lamp, then its row on the page. */
static int item_step(struct page *p, struct sim *sim, struct probe *probe, unsigned i)
{
	struct expect lamp_and_ok[2] = { { .prefix = "gpio lamp_ok 1" }, { .prefix = "ok" } };
	char item[15], request[32], line[128];
	double t0, row_at, frame_at;

	/*
	 * The last item's frame has just begun: scanning now would always land
	 * at the same point of Chromium's frame clock. A patron's scan lands
	 * anywhere in it, so the scans are spread over one frame interval.
	 */
	usleep((useconds_t)(i * 7 % 17) * 1000);
	item_barcode(PAGE_SERIAL + i, item);
	t0 = now_us();
	if (sim_send(sim, "scan item_scanner %s\n", item) < 0 ||
	    sim_expect(sim, lamp_and_ok, 2, 10000, p->why) < 0)
		return -1;
	p->lamp[i] = lamp_and_ok[0].at_us - t0;
	snprintf(request, sizeof(request), "row %s\n", item);
	if (probe_ask(probe, request, line, sizeof(line), PROBE_WAIT_MS, p->why) < 0)
		return -1;
	if (sscanf(line, "row %lf %lf", &row_at, &frame_at) != 2) {
		set_why(p->why, "the browser probe said \"%s\"", line);
		return -1;
	}
	p->row[i] = row_at - t0;
	p->frame[i] = frame_at - t0;
	return 0;
}

static int measure(struct page *p)
{
	struct probe probe = { .fd = -1 };
	struct sim sim = { .fd = -1 };
	char body[512], url[64], line[128];
	pid_t pid;
	int r = -1;

	snprintf(body, sizeof(body),
		 "[kiosk]\nmode = selfcheck\nsession_timeout = 600\n"
		 "[barcode]\ndone = %s\n[offline]\nmax_items = 0\n"
		 "[display]\nport = 0\nui = ui\n", DONE_SYMBOL);
	/* notice: the page's address is logged at that level */
	if (circd_config_level("page", "notice", body) < 0) {
		set_why(p->why, "cannot write the config");
		return -1;
	}
	pid = circd_start_on("page", "boards/sim-web.ini", false);
	if (sim_open(&sim, "page", p->why) < 0 || page_address(url, sizeof(url), p->why) < 0 ||
	    probe_start(&probe, url, &p->uncertainty, p->why) < 0)
		goto out;
	for (unsigned i = 0; i < PAGE_ITEMS; i++) {
		if (i % ITEMS_PER_VISIT == 0 &&
		    visit_step(&sim, &probe, "patron_reader", PATRON_ADA, "screen items\n",
			       p->why) < 0)
			goto out;
		if (item_step(p, &sim, &probe, i) < 0)
			goto out;
		if (i % ITEMS_PER_VISIT == ITEMS_PER_VISIT - 1 &&
		    visit_step(&sim, &probe, "item_scanner", DONE_SYMBOL, "screen goodbye\n",
			       p->why) < 0)
			goto out;
	}
	if (probe_ask(&probe, "clock\n", line, sizeof(line), PROBE_WAIT_MS, p->why) < 0)
		goto out;
	if (sscanf(line, "clock %lf %lf", &p->drift, &p->uncertainty_end) != 2) {
		set_why(p->why, "the browser probe said \"%s\"", line);
		goto out;
	}
	r = 0;
out:
	probe_stop(&probe);
	sim_close(&sim);
	reap(pid);
	if (r < 0 && !p->why[0])
		set_why(p->why, "circd run failed");
	return r;
}

void bench_page(void)
{
	static struct page p;
	double l50, l99, r50, r99, f50, f99;

	memset(&p, 0, sizeof(p));
	if (measure(&p) < 0) {
		printf("page scan->row     FAILED: %s\n", p.why);
		fflush(stdout);
		return;
	}
	l50 = percentile(p.lamp, PAGE_ITEMS, 0.50);
	l99 = percentile(p.lamp, PAGE_ITEMS, 0.99);
	r50 = percentile(p.row, PAGE_ITEMS, 0.50);
	r99 = percentile(p.row, PAGE_ITEMS, 0.99);
	f50 = percentile(p.frame, PAGE_ITEMS, 0.50);
	f99 = percentile(p.frame, PAGE_ITEMS, 0.99);
	printf("page scan->row     p50 %8.0f us   p99 %8.0f us   (headless Chromium: the "
	       "item's row in the list, %d items)\n", r50, r99, PAGE_ITEMS);
	printf("   next frame      p50 %8.0f us   p99 %8.0f us   (the animation frame that paints "
	       "it begins)\n", f50, f99);
	printf("   scan->OK lamp   p50 %8.0f us   p99 %8.0f us   (circd's own, the same scans)\n",
	       l50, l99);
	printf("   ratio           p50 %8.2f      p99 %8.2f      (row / lamp) no target\n",
	       r50 / l50, r99 / l99);
	printf("   clocks          page's mapped to the bench's within +-%.0f us; %+.0f us drift "
	       "by the end (+-%.0f us)\n", p.uncertainty, p.drift, p.uncertainty_end);
	fflush(stdout);
}
