/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * make bench: figures for circd next to baselines measured in the same run,
 * on the same disk, so a noisy machine moves both. It prints; it never
 * fails a build.
 *
 *   P1      scan on the sim socket -> "gpio lamp_ok 1", the commit durable,
 *           against a bare sqlite WAL/FULL insert plus a unix-socket echo.
 *   memory  circd's RSS after 10,000 transactions.
 *   binary  stripped size of circd.
 *   idle    loop wakeups in 10 s with nothing due.
 *
 * usage: bench BUILD_DIR   (the directory holding circd)
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define P1_SCANS 2000
#define TOTAL_TXNS 10000
#define ITEMS_PER_VISIT 20

static char dir[64];

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double percentile(double *v, int n, double p)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return v[(int)(p * (n - 1))];
}

static void item_barcode(unsigned n, char out[15])
{
	int sum = 0, i;

	snprintf(out, 15, "31234%08u", n % 100000000u);
	for (i = 0; i < 13; i++) {
		int d = out[i] - '0';

		if (i % 2 == 0) {
			d *= 2;
			if (d > 9)
				d -= 9;
		}
		sum += d;
	}
	out[13] = (char)('0' + (10 - sum % 10) % 10);
	out[14] = 0;
}

static int connect_unix(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd, i;

	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	for (i = 0; i < 500; i++) {
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0)
			return fd;
		close(fd);
		usleep(10000);
	}
	return -1;
}

/* Reads lines from fd until one starts with want; returns 0 or -1. */
static int read_until(FILE *in, const char *want)
{
	char line[2048];

	while (fgets(line, sizeof(line), in))
		if (strncmp(line, want, strlen(want)) == 0)
			return 0;
	return -1;
}

static pid_t start_circd(const char *build, const char *conf, int fake_clock)
{
	char circd[256];
	pid_t pid;

	snprintf(circd, sizeof(circd), "%s/circd", build);
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);

		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		execl(circd, circd, "-f", "-c", conf, "-b", "boards/sim.ini",
		      fake_clock ? "--fake-clock" : NULL, (char *)NULL);
		_exit(127);
	}
	return pid;
}

static void stop_circd(pid_t pid)
{
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
}

static void write_config(const char *conf, const char *name)
{
	FILE *f = fopen(conf, "we");

	fprintf(f,
		"[kiosk]\nmode = returns\nsession_timeout = 60\n"
		"[store]\npath = %s/%s.db\n"
		"[control]\nsocket = %s/%s.ctl\n"
		"[sim]\nsocket = %s/%s.sim\n"
		"[log]\nlevel = warning\n",
		dir, name, dir, name, dir, name);
	fclose(f);
}

/* VmRSS, and in *anon the part that is circd's own (heap, stack, sqlite cache). */
static long rss_kib(pid_t pid, long *anon)
{
	char path[64], line[256];
	long kib = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	*anon = -1;
	while (fgets(line, sizeof(line), f)) {
		sscanf(line, "VmRSS: %ld kB", &kib);
		sscanf(line, "RssAnon: %ld kB", anon);
	}
	fclose(f);
	return kib;
}

/*
 * The baseline: what one durable scan costs at the least -- a round trip
 * through a unix socket to another process and one sqlite insert in WAL
 * mode with synchronous=FULL, in the same directory as circd's store.
 * Its steps are interleaved with circd's scans, so both see the same disk
 * and the same neighbours.
 */
struct baseline {
	sqlite3 *db;
	sqlite3_stmt *insert;
	int fd;
	pid_t echo;
};

static int baseline_open(struct baseline *b)
{
	char db_path[128];
	int sv[2];

	snprintf(db_path, sizeof(db_path), "%s/baseline.db", dir);
	if (sqlite3_open(db_path, &b->db) != SQLITE_OK ||
	    sqlite3_exec(b->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
				"CREATE TABLE t(id INTEGER PRIMARY KEY, item TEXT, at INTEGER);",
			 NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(b->db, "INSERT INTO t(item, at) VALUES(?, ?)", -1, &b->insert,
			       NULL) != SQLITE_OK)
		return -1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	b->echo = fork();
	if (b->echo == 0) {
		char buf[256];
		ssize_t r;

		close(sv[0]);
		while ((r = read(sv[1], buf, sizeof(buf))) > 0)
			if (write(sv[1], buf, (size_t)r) != r)
				break;
		_exit(0);
	}
	close(sv[1]);
	b->fd = sv[0];
	return 0;
}

static double baseline_step(struct baseline *b, unsigned n)
{
	char item[15], buf[64];
	double t0 = now_us();

	item_barcode(n, item);
	if (write(b->fd, item, 14) != 14 || read(b->fd, buf, sizeof(buf)) <= 0)
		return -1;
	sqlite3_bind_text(b->insert, 1, item, -1, SQLITE_STATIC);
	sqlite3_bind_int64(b->insert, 2, (sqlite3_int64)t0);
	if (sqlite3_step(b->insert) != SQLITE_DONE)
		return -1;
	sqlite3_reset(b->insert);
	return now_us() - t0;
}

static void baseline_close(struct baseline *b)
{
	close(b->fd);
	waitpid(b->echo, NULL, 0);
	sqlite3_finalize(b->insert);
	sqlite3_close(b->db);
}

static int measure_circd(const char *build, double *lat, double *base, long *rss, long *anon)
{
	char conf[128], sock[128], line[64];
	struct baseline b;
	unsigned i;
	pid_t pid;
	FILE *io;
	int fd;

	snprintf(conf, sizeof(conf), "%s/p1.conf", dir);
	snprintf(sock, sizeof(sock), "%s/p1.sim", dir);
	write_config(conf, "p1");
	pid = start_circd(build, conf, 1);
	fd = connect_unix(sock);
	if (fd < 0) {
		stop_circd(pid);
		return -1;
	}
	io = fdopen(fd, "r+");
	setvbuf(io, NULL, _IOLBF, 0);
	read_until(io, "hello");
	if (baseline_open(&b) < 0) {
		fclose(io);
		stop_circd(pid);
		return -1;
	}
	for (i = 0; i < TOTAL_TXNS; i++) {
		char item[15];
		double t0;

		if (i < P1_SCANS)
			base[i] = baseline_step(&b, i);
		item_barcode(i, item);
		t0 = now_us();
		fprintf(io, "scan item_scanner %s\n", item);
		fflush(io);
		if (read_until(io, "gpio lamp_ok 1") < 0)
			break;
		if (i < P1_SCANS)
			lat[i] = now_us() - t0;
		read_until(io, "ok");
		/* Patrons come and go: end the visit as the timeout would. */
		if (i % ITEMS_PER_VISIT == ITEMS_PER_VISIT - 1) {
			snprintf(line, sizeof(line), "advance %u\n", 61000);
			fputs(line, io);
			fflush(io);
			read_until(io, "ok");
		}
	}
	*rss = rss_kib(pid, anon);
	baseline_close(&b);
	fclose(io);
	stop_circd(pid);
	return i == TOTAL_TXNS ? 0 : -1;
}

static long status_wakeups(const char *ctl)
{
	char buf[4096], *p;
	ssize_t n, len = 0;
	int fd = connect_unix(ctl);

	if (fd < 0)
		return -1;
	if (write(fd, "status json\n", 12) != 12)
		return -1;
	while ((n = read(fd, buf + len, sizeof(buf) - 1 - (size_t)len)) > 0)
		len += n;
	close(fd);
	buf[len] = 0;
	p = strstr(buf, "\"wakeups\":");
	return p ? strtol(p + 10, NULL, 10) : -1;
}

static long measure_idle(const char *build)
{
	char conf[128], ctl[128];
	long w0, w1, w2;
	pid_t pid;

	snprintf(conf, sizeof(conf), "%s/idle.conf", dir);
	snprintf(ctl, sizeof(ctl), "%s/idle.ctl", dir);
	write_config(conf, "idle");
	pid = start_circd(build, conf, 0);
	w0 = status_wakeups(ctl);
	w1 = status_wakeups(ctl); /* what one status request itself costs */
	sleep(10);
	w2 = status_wakeups(ctl);
	stop_circd(pid);
	if (w0 < 0 || w1 < 0 || w2 < 0)
		return -1;
	return (w2 - w1) - (w1 - w0);
}

static long stripped_size(const char *build)
{
	char cmd[512], out[128];
	struct stat st;

	snprintf(out, sizeof(out), "%s/circd.stripped", dir);
	snprintf(cmd, sizeof(cmd), "strip -o %s %s/circd", out, build);
	if (system(cmd) != 0 || stat(out, &st) < 0)
		return -1;
	return (long)st.st_size;
}

int main(int argc, char **argv)
{
	static double base[P1_SCANS], circd[P1_SCANS];
	const char *build = argc > 1 ? argv[1] : "build";
	double b50, b99, c50, c99;
	long rss = -1, anon = -1, size, idle;
	char cmd[128];

	snprintf(dir, sizeof(dir), "%s/circd-bench-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 0;
	}
	printf("circd benchmark (%d scans for P1, %d transactions for memory)\n", P1_SCANS,
	       TOTAL_TXNS);
	if (measure_circd(build, circd, base, &rss, &anon) < 0) {
		printf("P1: circd run failed\n");
	} else {
		b50 = percentile(base, P1_SCANS, 0.50);
		b99 = percentile(base, P1_SCANS, 0.99);
		c50 = percentile(circd, P1_SCANS, 0.50);
		c99 = percentile(circd, P1_SCANS, 0.99);
		printf("P1 scan->OK lamp   p50 %8.0f us   p99 %8.0f us\n", c50, c99);
		printf("   baseline        p50 %8.0f us   p99 %8.0f us   (sqlite WAL/FULL insert + "
		       "unix echo)\n", b50, b99);
		printf("   ratio           p50 %8.2f      p99 %8.2f      target <= 1.5\n", c50 / b50,
		       c99 / b99);
		printf("memory             RSS %ld KiB after %d transactions   target <= 4096 KiB\n"
		       "                   (%ld KiB of it anonymous: heap, stack, sqlite cache; the "
		       "rest is shared library pages)\n",
		       rss, TOTAL_TXNS, anon);
	}
	size = stripped_size(build);
	printf("binary             %ld bytes stripped (%.0f KiB)   target <= 256 KiB\n", size,
	       size / 1024.0);
	idle = measure_idle(build);
	printf("idle               %ld loop wakeups in 10 s with nothing due   target 0\n", idle);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return 0;
}
