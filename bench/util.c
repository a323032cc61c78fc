/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The bench's plumbing (see bench.h): time and percentiles, barcodes,
 * tracked children and the cleanup that never leaves one behind, circd with
 * its sim and control sockets, and the durable commit of the baselines.
 */
#include <errno.h>
#include <sched.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

#define MAX_CHILDREN 8

char bench_dir[80];
const char *bench_build = "build";

/* Written by the main flow, read by the signal handlers. */
static volatile pid_t children[MAX_CHILDREN];
static pid_t bench_pid;

double now_us(void)
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

double percentile(double *v, int n, double p)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return v[(int)(p * (n - 1))];
}

void item_barcode(unsigned n, char out[15])
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

void bench_path(char *out, size_t size, const char *name, const char *ext)
{
	snprintf(out, size, "%s/%s.%s", bench_dir, name, ext);
}

void set_why(char *why, const char *fmt, ...)
{
	va_list ap;

	if (!why)
		return;
	va_start(ap, fmt);
	vsnprintf(why, WHY_MAX, fmt, ap);
	va_end(ap);
}

/* --- children and cleanup ------------------------------------------------ */

static void track(pid_t pid)
{
	for (int i = 0; i < MAX_CHILDREN; i++)
		if (children[i] == 0) {
			children[i] = pid;
			return;
		}
}

static void untrack(pid_t pid)
{
	for (int i = 0; i < MAX_CHILDREN; i++)
		if (children[i] == pid)
			children[i] = 0;
}

/* Async-signal-safe: kill, fork, execve, waitpid, write, _exit only. */
static void remove_dir_now(void)
{
	static char rm[] = "/bin/rm", rf[] = "-rf";
	char *argv[] = { rm, rf, bench_dir, NULL };
	char *envp[] = { NULL };
	pid_t pid;

	if (!bench_dir[0])
		return;
	pid = fork();
	if (pid == 0) {
		execve(rm, argv, envp);
		_exit(127);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
}

/* A child leading a process group of its own is killed with the group. */
static void kill_child_now(pid_t pid)
{
	kill(-pid, SIGKILL); /* ESRCH when pid leads no group: then nothing */
	kill(pid, SIGKILL);
}

static void kill_children_now(void)
{
	for (int i = 0; i < MAX_CHILDREN; i++)
		if (children[i] > 0) {
			kill_child_now(children[i]);
			waitpid(children[i], NULL, 0);
			children[i] = 0;
		}
}

static void on_fatal_signal(int sig)
{
	static const char alarm_msg[] = "bench: stopped after 300 s; children killed, temp dir removed\n";
	static const char stop_msg[] = "bench: interrupted; children killed, temp dir removed\n";

	/* A forked child between fork and child_setup(): not its business. */
	if (getpid() != bench_pid)
		_exit(1);
	kill_children_now();
	remove_dir_now();
	if (sig == SIGALRM) {
		if (write(STDOUT_FILENO, alarm_msg, sizeof(alarm_msg) - 1) < 0)
			_exit(0);
	} else if (write(STDOUT_FILENO, stop_msg, sizeof(stop_msg) - 1) < 0) {
		_exit(0);
	}
	_exit(0); /* the bench never fails a build */
}

int bench_init(void)
{
	struct sigaction sa = { .sa_handler = on_fatal_signal };
	const char *tmp = getenv("TMPDIR");

	bench_pid = getpid();
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN); /* a dead circd is a failed figure, not a dead bench */
	/* Socket paths must fit in sun_path (108) with the longest name. */
	if (!tmp || strlen(tmp) > 40)
		tmp = "/tmp";
	snprintf(bench_dir, sizeof(bench_dir), "%s/circd-bench-XXXXXX", tmp);
	if (!mkdtemp(bench_dir)) {
		bench_dir[0] = 0;
		return -1;
	}
	return 0;
}

void bench_cleanup(void)
{
	char cmd[128];

	for (int i = 0; i < MAX_CHILDREN; i++)
		if (children[i] > 0)
			reap(children[i]);
	if (!bench_dir[0])
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", bench_dir);
	if (system(cmd) != 0)
		printf("bench: could not remove %s\n", bench_dir);
	bench_dir[0] = 0;
}

static void child_setup(const char *log_name)
{
	char path[128];
	int null, log;

	/* The bench's handlers would clean up the bench from inside the child. */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGALRM, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != bench_pid) /* the bench died before the line above */
		_exit(1);
	null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (null >= 0)
		dup2(null, 0);
	if (!log_name)
		return;
	bench_path(path, sizeof(path), log_name, "log");
	log = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (log >= 0) {
		dup2(log, 1);
		dup2(log, 2);
	}
}

pid_t spawn(char *const argv[], const char *log_name)
{
	pid_t pid = fork();

	if (pid == 0) {
		child_setup(log_name);
		execvp(argv[0], argv);
		fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	if (pid > 0)
		track(pid);
	return pid;
}

pid_t spawn_fn(void (*fn)(int arg), int arg)
{
	pid_t pid = fork();

	if (pid == 0) {
		child_setup(NULL);
		fn(arg);
		_exit(0);
	}
	if (pid > 0)
		track(pid);
	return pid;
}

void reap(pid_t pid)
{
	int i;

	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	for (i = 0; i < 500; i++) {
		if (waitpid(pid, NULL, WNOHANG) != 0)
			break;
		usleep(10000);
	}
	if (i == 500) {
		kill_child_now(pid);
		waitpid(pid, NULL, 0);
	}
	untrack(pid);
}

void log_tail(const char *name, char *out, size_t size)
{
	char path[128], line[512];
	FILE *f;

	out[0] = 0;
	bench_path(path, sizeof(path), name, "log");
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (line[0] != '\n')
			snprintf(out, size, "%.*s", (int)strcspn(line, "\n"), line);
	fclose(f);
}

/* --- circd ------------------------------------------------------------- */

int circd_config(const char *name, const char *body)
{
	return circd_config_level(name, "warning", body);
}

int circd_config_level(const char *name, const char *level, const char *body)
{
	char path[128];
	FILE *f;

	bench_path(path, sizeof(path), name, "conf");
	f = fopen(path, "we");
	if (!f)
		return -1;
	fprintf(f, "%s[store]\npath = %s/%s.db\n[control]\nsocket = %s/%s.ctl\n"
		   "[sim]\nsocket = %s/%s.sim\n[log]\nlevel = %s\n",
		body, bench_dir, name, bench_dir, name, bench_dir, name, level);
	return fclose(f) == 0 ? 0 : -1;
}

pid_t circd_start(const char *name, bool fake_clock)
{
	return circd_start_on(name, "boards/sim.ini", fake_clock);
}

pid_t circd_start_on(const char *name, const char *board, bool fake_clock)
{
	char circd[256], conf[128];
	char *argv[] = { circd, "-f", "-c", conf, "-b", (char *)board,
			 fake_clock ? "--fake-clock" : NULL, NULL };

	snprintf(circd, sizeof(circd), "%s/circd", bench_build);
	bench_path(conf, sizeof(conf), name, "conf");
	return spawn(argv, name);
}

long rss_kib(pid_t pid, long *anon)
{
	char path[64], line[256];
	long kib = -1;
	FILE *f;

	*anon = -1;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		sscanf(line, "VmRSS: %ld kB", &kib);
		sscanf(line, "RssAnon: %ld kB", anon);
	}
	fclose(f);
	return kib;
}

/* Retries for up to 5 s: circd creates its sockets once it has started. */
static int connect_unix(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd, i;

	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	for (i = 0; i < 500; i++) {
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return -1;
		if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0)
			return fd;
		close(fd);
		usleep(10000);
	}
	return -1;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int sim_open(struct sim *s, const char *name, char *why)
{
	struct expect hello = { .prefix = "hello" };
	char path[128];

	memset(s, 0, sizeof(*s));
	bench_path(path, sizeof(path), name, "sim");
	s->fd = connect_unix(path);
	if (s->fd < 0) {
		char tail[160];

		log_tail(name, tail, sizeof(tail));
		set_why(why, "cannot connect to circd's sim socket (circd: %s)",
			tail[0] ? tail : "no output");
		return -1;
	}
	return sim_expect(s, &hello, 1, 5000, why);
}

int sim_send(struct sim *s, const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line))
		return -1;
	return write_all(s->fd, line, (size_t)n);
}

/* One event line: 1 if it fails the wait, else 0 (marking what it satisfies). */
static int sim_line(struct sim *s, const char *line, struct expect *e, int n, double at)
{
	if (strncmp(line, "display ", 8) == 0)
		snprintf(s->last_display, sizeof(s->last_display), "%.*s",
			 (int)sizeof(s->last_display) - 1, line + 8);
	if (strcmp(line, "gpio lamp_error 1") == 0 || strncmp(line, "error", 5) == 0)
		return 1;
	for (int i = 0; i < n; i++)
		if (!e[i].at_us && strncmp(line, e[i].prefix, strlen(e[i].prefix)) == 0) {
			e[i].at_us = at;
			break;
		}
	return 0;
}

static bool all_seen(const struct expect *e, int n)
{
	for (int i = 0; i < n; i++)
		if (!e[i].at_us)
			return false;
	return true;
}

static const char *first_unseen(const struct expect *e, int n)
{
	for (int i = 0; i < n; i++)
		if (!e[i].at_us)
			return e[i].prefix;
	return "?";
}

int sim_expect(struct sim *s, struct expect *e, int n, int timeout_ms, char *why)
{
	double deadline = now_us() + timeout_ms * 1e3;

	for (int i = 0; i < n; i++)
		e[i].at_us = 0;
	for (;;) {
		struct pollfd pfd = { .fd = s->fd, .events = POLLIN };
		double left;
		char *nl;
		ssize_t r;

		/* Lines already buffered first: a reply may have come with the last read. */
		while ((nl = memchr(s->buf, '\n', s->len))) {
			size_t used = (size_t)(nl - s->buf) + 1;
			char line[sizeof(s->buf)];

			memcpy(line, s->buf, used - 1);
			line[used - 1] = 0;
			memmove(s->buf, s->buf + used, s->len - used);
			s->len -= used;
			if (sim_line(s, line, e, n, s->read_at)) {
				set_why(why, "circd refused (%s; display: %s)", line,
					s->last_display[0] ? s->last_display : "-");
				return -1;
			}
			if (all_seen(e, n))
				return 0;
		}
		left = deadline - now_us();
		if (left <= 0 || poll(&pfd, 1, (int)(left / 1e3) + 1) == 0) {
			set_why(why, "no \"%s\" from circd within %d ms (display: %s)",
				first_unseen(e, n), timeout_ms,
				s->last_display[0] ? s->last_display : "-");
			return -1;
		}
		r = read(s->fd, s->buf + s->len, sizeof(s->buf) - 1 - s->len);
		s->read_at = now_us();
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			set_why(why, "circd closed its sim socket (did it die?)");
			return -1;
		}
		s->len += (size_t)r;
		if (s->len == sizeof(s->buf) - 1 && !memchr(s->buf, '\n', s->len))
			s->len = 0; /* a line longer than the buffer: drop it */
	}
}

void sim_close(struct sim *s)
{
	if (s->fd > 0)
		close(s->fd);
	s->fd = -1;
}

int ctl_request(const char *name, const char *command, char *out, size_t size)
{
	char path[128], request[128];
	size_t len = 0;
	ssize_t n;
	int fd;

	bench_path(path, sizeof(path), name, "ctl");
	fd = connect_unix(path);
	if (fd < 0)
		return -1;
	snprintf(request, sizeof(request), "%s\n", command);
	if (write_all(fd, request, strlen(request)) < 0) {
		close(fd);
		return -1;
	}
	while (len < size - 1 && (n = read(fd, out + len, size - 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	out[len] = 0;
	/* The first line is "ok" or "error <message>". */
	return strncmp(out, "ok\n", 3) == 0 ? 0 : -1;
}

long json_number(const char *json, const char *key)
{
	char pattern[64];
	const char *p;

	snprintf(pattern, sizeof(pattern), "\"%s\":", key);
	p = strstr(json, pattern);
	return p ? strtol(p + strlen(pattern), NULL, 10) : -1;
}

int json_bool(const char *json, const char *key)
{
	char pattern[64];
	const char *p;

	snprintf(pattern, sizeof(pattern), "\"%s\":", key);
	p = strstr(json, pattern);
	if (!p)
		return -1;
	return strncmp(p + strlen(pattern), "true", 4) == 0;
}

/* --- the durable commit ---------------------------------------------------- */

int durable_open(struct durable *d, const char *name)
{
	char path[128];

	memset(d, 0, sizeof(*d));
	bench_path(path, sizeof(path), name, "db");
	if (sqlite3_open(path, &d->db) != SQLITE_OK ||
	    sqlite3_exec(d->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
				"CREATE TABLE t(id INTEGER PRIMARY KEY, item TEXT, at INTEGER);",
			 NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(d->db, "INSERT INTO t(item, at) VALUES(?, ?)", -1, &d->insert,
			       NULL) != SQLITE_OK) {
		durable_close(d);
		return -1;
	}
	return 0;
}

int durable_commit(struct durable *d, const char *item)
{
	int rc;

	sqlite3_bind_text(d->insert, 1, item, -1, SQLITE_STATIC);
	sqlite3_bind_int64(d->insert, 2, (sqlite3_int64)now_us());
	rc = sqlite3_step(d->insert);
	sqlite3_reset(d->insert);
	return rc == SQLITE_DONE ? 0 : -1;
}

int durable_commit_all(struct durable *d, const char *const *items, unsigned n)
{
	if (sqlite3_exec(d->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return -1;
	for (unsigned i = 0; i < n; i++) {
		if (durable_commit(d, items[i]) < 0) {
			sqlite3_exec(d->db, "ROLLBACK", NULL, NULL, NULL);
			return -1;
		}
	}
	return sqlite3_exec(d->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

void durable_close(struct durable *d)
{
	sqlite3_finalize(d->insert);
	sqlite3_close(d->db);
	d->insert = NULL;
	d->db = NULL;
}

double stat_cpu_us(pid_t pid)
{
	unsigned long ut, st;
	char path[64];
	FILE *f;
	int n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	/* comm may hold spaces: fields 14 and 15 counted from after its ')' */
	n = fscanf(f, "%*[^)])%*s%*s%*s%*s%*s%*s%*s%*s%*s%*s%*s%lu%lu", &ut, &st);
	fclose(f);
	return n == 2 ? (ut + st) * 1e6 / sysconf(_SC_CLK_TCK) : -1;
}

static cpu_set_t start_cores;
static bool start_cores_known;

static void remember_start_cores(void)
{
	if (!start_cores_known && sched_getaffinity(0, sizeof(start_cores), &start_cores) == 0)
		start_cores_known = true;
}

bool two_cores(int *client, int *server)
{
	int found = 0;

	remember_start_cores();
	if (!start_cores_known)
		return false;
	for (int core = 0; core < CPU_SETSIZE && found < 2; core++) {
		if (!CPU_ISSET(core, &start_cores))
			continue;
		*(found++ ? server : client) = core;
	}
	return found == 2;
}

int pin_to_core(pid_t pid, int core)
{
	cpu_set_t set;

	remember_start_cores();
	CPU_ZERO(&set);
	CPU_SET(core, &set);
	return sched_setaffinity(pid, sizeof(set), &set) == 0 ? 0 : -errno;
}

void unpin_self(void)
{
	if (start_cores_known)
		sched_setaffinity(0, sizeof(start_cores), &start_cores);
}

double clock_cpu_us(pid_t pid)
{
	struct timespec ts;
	clockid_t clock;

	if (clock_getcpuclockid(pid, &clock) != 0 || clock_gettime(clock, &ts) != 0)
		return -1;
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

int line_read(struct line_reader *lr, int fd, char *line, size_t size, int timeout_ms)
{
	double deadline = now_us() + timeout_ms * 1e3;

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		char *nl = memchr(lr->buf, '\n', lr->len);
		double left;
		ssize_t r;

		if (nl) {
			size_t used = (size_t)(nl - lr->buf) + 1;

			snprintf(line, size, "%.*s", (int)(used - 1), lr->buf);
			memmove(lr->buf, lr->buf + used, lr->len - used);
			lr->len -= used;
			return 0;
		}
		if (lr->len == sizeof(lr->buf)) {
			lr->len = 0;
			return -EMSGSIZE;
		}
		left = deadline - now_us();
		if (left <= 0 || poll(&pfd, 1, (int)(left / 1e3) + 1) == 0)
			return -ETIMEDOUT;
		r = read(fd, lr->buf + lr->len, sizeof(lr->buf) - lr->len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -EPIPE;
		lr->len += (size_t)r;
	}
}
