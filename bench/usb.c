/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * USB scan CPU: the CPU time circd spends per scan on the real libusb path,
 * a wedge scanner replayed by umockdev (tests/usb/usbfixture.py), next to
 * the same scans on the sim socket. Returns mode, offline, real clock: each
 * scan is a checkin committed to the store.
 *
 * The replay starts as soon as circd claims the device, so there is no quiet
 * moment to take a starting figure in. Each path is therefore run twice with
 * the same board, config and bench-side traffic: once with USB_SCANS scans
 * and once with none (for USB an empty fixture: attach, set-up, unplug), and
 * the figure is the difference over USB_SCANS. Both runs poll circd's status
 * every 20 ms (the run with scans until it shows USB_SCANS transactions and
 * the scanner released; the one without as many times as the first did), so
 * start-up, enumeration, the status requests and any timers cancel out.
 *
 * CPU is circd's utime+stime, all threads, read from the kernel's process
 * CPU clock (clock_getcpuclockid; /proc/PID/stat, in clock ticks, only as a
 * fallback): at 100 ticks a second /proc is too coarse for 100 scans on the
 * sim path. Under umockdev it includes umockdev's preload library, which
 * runs in circd's process and turns each ioctl on the device node into a
 * round trip over a unix socket to umockdev-run: most of the figure (a real
 * usbfs node costs one syscall). The replayed node is not in epoll and is
 * polled every 2 ms (hal/scanner-libusb.c), but a tick reaps every transfer
 * umockdev has completed, and it completes a resubmitted one at once: about
 * one tick a scan, not one a report, so 100 scans replay in about a second.
 * umockdev-run's own CPU is shown apart, not counted.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

#define USB_SCANS 100
#define USB_POLL_US 20000
#define USB_TIMEOUT_US 20e6 /* a run takes 1-2 s */
#define USB_CONFIG                                                                         \
	"[kiosk]\nmode = returns\nsession_timeout = 60\n[feedback]\nok = lamp_ok:300\n"    \
	"accept = flap_unlock:300\nerror = lamp_error:300\n"
/* tests/e2e/test_usb_replay.py's board; only the scanner backend differs. */
#define USB_BOARD                                                                          \
	"[board]\nname = Replayed USB scanner\ngpio = sim\nscanner = %s\ndisplay = sim\n"  \
	"[output lamp_ok]\n[output lamp_error]\n[output buzzer]\n[output flap_unlock]\n"   \
	"[input bin_full]\n[input door_closed]\nsim_active = yes\n"                         \
	"[scanner item_scanner]\nusb = 1209:0001\nserial = WEDGE0001\nprotocol = wedge\n"
/* argv: dir name codes...; writes name.umockdev, name.ioctl and name.args. */
#define USB_FIXTURE_PY                                                                     \
	"import sys; sys.path.insert(0, \"tests/usb\"); import usbfixture as u; "          \
	"d, n = sys.argv[1:3]; a = u.write(d, n, 0x1209, 0x0001, \"WEDGE0001\", "          \
	"[r for c in sys.argv[3:] for r in u.wedge_reports(c)], end=\"unplug\"); "         \
	"open(d + \"/\" + n + \".args\", \"w\").write(\"\\n\".join(a) + \"\\n\")"

struct run {
	pid_t spawned, circd; /* umockdev-run and its child, or circd twice */
	int polls;
	double cpu, umockdev_cpu; /* us */
};

/* The process's CPU time in us, all threads; -1 if it is gone. */
static double cpu_us(pid_t pid)
{
	double us = clock_cpu_us(pid);

	return us >= 0 ? us : stat_cpu_us(pid);
}

static bool exited(pid_t pid)
{
	siginfo_t si = { 0 };

	return waitid(P_PID, pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0 || si.si_pid == pid;
}

/* Writes the fixture with scans codes; its umockdev-run arguments go to args[]. */
static int write_fixture(const char *name, int scans, char args[8][160], char *why)
{
	char cmd[4096], path[128], line[160];
	size_t len;
	int n = 0;
	FILE *f;

	len = (size_t)snprintf(cmd, sizeof(cmd), "python3 -c '%s' '%s' %s", USB_FIXTURE_PY,
			       bench_dir, name);
	for (int i = 0; i < scans && len < sizeof(cmd) - 20; i++) {
		char item[15];

		item_barcode((unsigned)i, item);
		len += (size_t)snprintf(cmd + len, sizeof(cmd) - len, " %s", item);
	}
	snprintf(cmd + len, sizeof(cmd) - len, " >'%s/%s.log' 2>&1", bench_dir, name);
	if (system(cmd) != 0) {
		log_tail(name, line, sizeof(line));
		set_why(why, "cannot write the umockdev fixture (%s)", line[0] ? line : "python3?");
		return -1;
	}
	bench_path(path, sizeof(path), name, "args");
	f = fopen(path, "re");
	while (f && n < 8 && fgets(line, sizeof(line), f))
		snprintf(args[n++], 160, "%.*s", (int)strcspn(line, "\n"), line);
	if (f)
		fclose(f);
	if (n != 4) {
		set_why(why, "usbfixture.write() gave %d arguments, not 4", n);
		return -1;
	}
	return 0;
}

/* Starts circd for name, under umockdev-run with the fixture of that name if usb. */
static int run_start(struct run *r, const char *name, bool usb, int scans, char *why)
{
	char args[8][160], circd[256], conf[128], board[128];
	char *argv[16] = { 0 };
	int n = 0, i;
	FILE *f;

	memset(r, 0, sizeof(*r));
	bench_path(board, sizeof(board), name, "ini");
	f = fopen(board, "we");
	if (f) {
		fprintf(f, USB_BOARD, usb ? "libusb" : "sim");
		if (fclose(f) != 0)
			f = NULL; /* only a flag from here */
	}
	if (!f || circd_config(name, USB_CONFIG) < 0) {
		set_why(why, "cannot write the config or the board");
		return -1;
	}
	if (usb && write_fixture(name, scans, args, why) < 0)
		return -1;
	if (usb) {
		argv[n++] = "umockdev-run";
		for (i = 0; i < 4; i++)
			argv[n++] = args[i];
		argv[n++] = "--";
	}
	snprintf(circd, sizeof(circd), "%s/circd", bench_build);
	bench_path(conf, sizeof(conf), name, "conf");
	argv[n++] = circd;
	argv[n++] = "-f";
	argv[n++] = "-c";
	argv[n++] = conf;
	argv[n++] = "-b";
	argv[n++] = board;
	r->spawned = r->circd = spawn(argv, name);
	if (r->spawned < 0) {
		set_why(why, "cannot fork");
		return -1;
	}
	/* umockdev-run forks circd and waits for it: its child, once it has exec'd */
	for (i = 0; usb && i < 500; i++, usleep(10000)) {
		char path[128], comm[32] = "";
		int child = 0;

		snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)r->spawned,
			 (int)r->spawned);
		if ((f = fopen(path, "re"))) {
			if (fscanf(f, "%d", &child) != 1)
				child = 0;
			fclose(f);
		}
		snprintf(path, sizeof(path), "/proc/%d/comm", child);
		if (child > 0 && (f = fopen(path, "re"))) {
			if (!fgets(comm, sizeof(comm), f))
				comm[0] = 0;
			fclose(f);
		}
		if (strcmp(comm, "circd\n") == 0) {
			r->circd = child;
			return 0;
		}
		if (exited(r->spawned))
			break;
	}
	if (usb) {
		log_tail(name, args[0], sizeof(args[0]));
		set_why(why, "no circd under umockdev-run (%s)", args[0][0] ? args[0] : "no output");
		return -1;
	}
	return 0;
}

/*
 * Polls circd's status every 20 ms until it shows scans transactions and (for
 * usb; a sim scanner is always attached) the scanner released, and at least
 * min_polls times; then reads the CPU times.
 */
static int run_wait(struct run *r, const char *name, bool usb, long scans, int min_polls,
		    char *why)
{
	double deadline = now_us() + USB_TIMEOUT_US;
	char status[8192], tail[160];
	long txns = -1;

	for (;;) {
		if (ctl_request(name, "status json", status, sizeof(status)) == 0) {
			r->polls++;
			txns = json_number(status, "transactions");
			if (txns == scans && (!usb || json_bool(status, "attached") == 0) &&
			    r->polls >= min_polls)
				break;
		}
		if (exited(r->spawned) || now_us() > deadline) {
			log_tail(name, tail, sizeof(tail));
			set_why(why, "%s after %ld of %ld returns (circd: %s)",
				exited(r->spawned) ? "circd exited" : "timed out", txns, scans,
				tail[0] ? tail : "no output");
			return -1;
		}
		usleep(USB_POLL_US);
	}
	r->cpu = cpu_us(r->circd);
	r->umockdev_cpu = r->spawned != r->circd ? cpu_us(r->spawned) : 0;
	if (r->cpu < 0 || r->umockdev_cpu < 0) {
		set_why(why, "cannot read circd's CPU time");
		return -1;
	}
	return 0;
}

/* One run with scans (sent on the sim socket unless usb); stopped after. */
static int run(struct run *r, const char *name, bool usb, int scans, int min_polls, char *why)
{
	struct expect seen[2] = { { .prefix = "gpio lamp_ok 1" }, { .prefix = "ok" } };
	struct sim sim = { .fd = -1 };
	int rc = -1;

	if (run_start(r, name, usb, scans, why) < 0)
		goto out;
	if (!usb && sim_open(&sim, name, why) < 0)
		goto out;
	for (int i = 0; !usb && i < scans; i++) {
		char item[15];

		item_barcode((unsigned)i, item);
		if (sim_send(&sim, "scan item_scanner %s\n", item) < 0 ||
		    sim_expect(&sim, seen, 2, 10000, why) < 0)
			goto out;
	}
	rc = run_wait(r, name, usb, scans, min_polls, why);
out:
	sim_close(&sim);
	reap(r->spawned);
	return rc;
}

/* CPU us per scan on one path, circd's and umockdev-run's: with scans less without. */
static int per_scan(const char *path, bool usb, double *cpu, double *umockdev, char *why)
{
	struct run with, without;
	char name[32], why1[WHY_MAX] = "";

	snprintf(name, sizeof(name), "usb-%s", path);
	if (run(&with, name, usb, USB_SCANS, 1, why1) < 0) {
		set_why(why, "%s path: %s", path, why1);
		return -1;
	}
	snprintf(name, sizeof(name), "usb-%s-0", path);
	if (run(&without, name, usb, 0, with.polls, why1) < 0) {
		set_why(why, "%s path, run without scans: %s", path, why1);
		return -1;
	}
	*cpu = (with.cpu - without.cpu) / USB_SCANS;
	*umockdev = (with.umockdev_cpu - without.umockdev_cpu) / USB_SCANS;
	if (*cpu <= 0)
		set_why(why, "%s path: the run with scans took no more CPU than the one without",
			path);
	return *cpu > 0 ? 0 : -1;
}

void bench_usb(void)
{
	double usb = 0, sim = 0, umockdev = 0, none;
	char why[WHY_MAX] = "";
	int r = -1;

	if (system("command -v umockdev-run >/dev/null 2>&1") != 0)
		set_why(why, "umockdev-run is not installed (apt-get install umockdev)");
	else if (per_scan("libusb", true, &usb, &umockdev, why) == 0)
		r = per_scan("sim", false, &sim, &none, why);
	if (r < 0) {
		printf("USB scan CPU       FAILED: %s\n", why);
	} else {
		printf("USB scan CPU       libusb+umockdev %5.0f us/scan   sim %5.0f us/scan   "
		       "ratio %.2f   (%d returns each; CPU of circd itself, utime+stime)\n",
		       usb, sim, usb / sim, USB_SCANS);
		printf("                   (each less a run without scans; umockdev-run's own "
		       "CPU, not counted: %.0f us/scan)\n", umockdev);
	}
	fflush(stdout);
}
