/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * make bench: figures for circd next to baselines measured in the same run,
 * on the same disk, so a noisy machine moves both. It prints; it never
 * fails a build: every figure says what failed, and the exit status is 0.
 *
 *   P1      scan on the sim socket -> "gpio lamp_ok 1", the commit durable,
 *           against a bare sqlite WAL/FULL insert plus a unix-socket echo
 *           (p1.c).
 *   memory  circd's RSS after 10,000 transactions (p1.c).
 *   P2      online checkout: scan -> OK lamp with circd online to the test
 *           ACS, against a raw SIP2 11 -> 12 exchange with the same ACS plus
 *           a sqlite commit, interleaved (p2.c).
 *   P3      forwarding: 10,000 offline checkins to the ACS once it is back,
 *           against a raw SIP2 client sending the same 09s (p3.c).
 *   HID     wedge and HID POS decoder throughput (hid.c).
 *   USB     circd's CPU per scan on the libusb path under umockdev, next to
 *           the sim path (usb.c).
 *   R1      a 10-tag RFID stack on the 3M pad emulator, placed -> last
 *           security write verified, against the raw 3M command sequence
 *           for the same tags; and circd's inventory CPU, idle and active
 *           (rfid.c).
 *   page    the touch screen in headless Chromium: scan -> the item's row
 *           on the page by Chromium's own clock, next to scan -> OK lamp
 *           for the same scans (page.c, page_probe.py); no target.
 *   binary  stripped size of circd.
 *   idle    loop wakeups in 10 s with nothing due.
 *
 * The test ACS and the raw SIP2 client are in sip2.c, the plumbing (temp
 * dir, tracked children, sim and control sockets) in util.c. Whatever
 * happens -- a figure failing, Ctrl-C, the watchdog -- circd and the ACS
 * are killed and the temp dir is removed.
 *
 * usage: circd-bench BUILD_DIR [FIGURE...]   (BUILD_DIR holds circd; FIGUREs
 * are p1 p2 p3 hid usb rfid page binary idle, all of them when none is
 * named).
 * Run it from the source tree (it uses boards/sim.ini, boards/sim-web.ini,
 * ui/, tests/acs/acs.py and bench/page_probe.py).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench.h"
#include "util.h"

/* The whole run's watchdog: a normal run takes about 30 s. */
#define WATCHDOG_S 300

void bench_binary(void)
{
	char cmd[512], out[128];
	struct stat st;

	bench_path(out, sizeof(out), "circd", "stripped");
	snprintf(cmd, sizeof(cmd), "strip -o '%s' '%s/circd'", out, bench_build);
	if (system(cmd) != 0 || stat(out, &st) < 0) {
		printf("binary             FAILED: cannot strip %s/circd\n", bench_build);
		return;
	}
	printf("binary             %ld bytes stripped (%.0f KiB)   target <= 256 KiB\n",
	       (long)st.st_size, st.st_size / 1024.0);
	fflush(stdout);
}

static long status_wakeups(void)
{
	char status[4096];

	if (ctl_request("idle", "status json", status, sizeof(status)) < 0)
		return -1;
	return json_number(status, "wakeups");
}

void bench_idle(void)
{
	long w0, w1, w2;
	pid_t pid;

	if (circd_config("idle", "[kiosk]\nmode = returns\nsession_timeout = 60\n") < 0) {
		printf("idle               FAILED: cannot write the config\n");
		return;
	}
	pid = circd_start("idle", false);
	w0 = status_wakeups();
	w1 = status_wakeups(); /* what one status request itself costs */
	sleep(10);
	w2 = status_wakeups();
	reap(pid);
	if (w0 < 0 || w1 < 0 || w2 < 0)
		printf("idle               FAILED: circctl status did not answer\n");
	else
		printf("idle               %ld loop wakeups in 10 s with nothing due   target 0\n",
		       (w2 - w1) - (w1 - w0));
	fflush(stdout);
}

static const struct {
	const char *name;
	void (*run)(void);
} figures[] = {
	{ "p1", bench_p1 },	  { "p2", bench_p2 },	{ "p3", bench_p3 },
	{ "hid", bench_hid },	  { "usb", bench_usb }, { "rfid", bench_rfid },
	{ "page", bench_page },	  { "binary", bench_binary }, { "idle", bench_idle },
};

static bool chosen(const char *name, int argc, char **argv)
{
	if (argc <= 2)
		return true;
	for (int i = 2; i < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return true;
	return false;
}

int main(int argc, char **argv)
{
	if (argc > 1)
		bench_build = argv[1];
	for (int i = 2; i < argc; i++) {
		size_t n = 0;

		while (n < ARRAY_SIZE(figures) && strcmp(figures[n].name, argv[i]) != 0)
			n++;
		if (n == ARRAY_SIZE(figures)) {
			fprintf(stderr, "circd-bench: no figure named %s\n", argv[i]);
			return 2;
		}
	}
	if (bench_init() < 0) {
		perror("bench: mkdtemp");
		return 0;
	}
	alarm(WATCHDOG_S);
	printf("circd benchmark (figures only; each next to a baseline measured in this run)\n");
	fflush(stdout);
	for (size_t i = 0; i < ARRAY_SIZE(figures); i++)
		if (chosen(figures[i].name, argc, argv))
			figures[i].run();
	bench_cleanup();
	return 0;
}
