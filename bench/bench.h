/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the parts of `make bench` share (see bench.c): the run's temp dir,
 * the child processes (tracked, so that every exit path kills them), circd
 * with its sim and control sockets, the test ACS and a raw SIP2 client, and
 * the durable sqlite commit that the baselines make.
 *
 * Nothing here exits or prints to stdout: a function that fails returns -1
 * and says why in a `why` buffer, so each figure can print what failed and
 * the run goes on.
 */
#ifndef CIRCD_BENCH_H
#define CIRCD_BENCH_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#define ITEMS_PER_VISIT 20
#define PATRON_ADA "21234000000018" /* in the test ACS's demo data */
#define DONE_SYMBOL "DONE"          /* [barcode] done in the configs */
#define ACS_SCRIPT "tests/acs/acs.py"
#define WHY_MAX 256

/* The run's directory: every store, socket, config and log is in it. */
extern char bench_dir[80];
/* The directory holding circd. */
extern const char *bench_build;

/* --- util.c: time, figures, barcodes, children -------------------------- */

double now_us(void);
/* Sorts v. */
double percentile(double *v, int n, double p);
/* 31234 + n on 8 digits + the mod-10 check digit. */
void item_barcode(unsigned n, char out[15]);
/* bench_dir/name.ext */
void bench_path(char *out, size_t size, const char *name, const char *ext);
void set_why(char *why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Children are tracked: bench_cleanup(), and the signal handlers that
 * bench_init() installs (SIGINT, SIGTERM, SIGHUP, and SIGALRM as the whole
 * run's watchdog), kill what is left and remove bench_dir. A child also dies
 * with the bench itself (PR_SET_PDEATHSIG). A child that made itself the
 * leader of a process group is killed with its group (the page probe: Chromium
 * and its helpers write into bench_dir until they are gone). spawn() sends the
 * child's stdout and stderr to bench_dir/log_name.log.
 */
int bench_init(void);
void bench_cleanup(void);
pid_t spawn(char *const argv[], const char *log_name);
/* A forked child that runs fn(arg) and _exits; tracked likewise. */
pid_t spawn_fn(void (*fn)(int arg), int arg);
/* SIGTERM, up to 5 s, then SIGKILL; reaps and untracks. Accepts <= 0. */
void reap(pid_t pid);
/* The last line of bench_dir/name.log, for a failure message; "" if none. */
void log_tail(const char *name, char *out, size_t size);

/* --- util.c: circd ------------------------------------------------------- */

/*
 * Writes bench_dir/name.conf: store, control and sim sockets named after
 * name, log level warning, then body (the [kiosk], [sip2], ... sections).
 */
int circd_config(const char *name, const char *body);
/* The same at another log level ("notice" logs the touch screen's address). */
int circd_config_level(const char *name, const char *level, const char *body);
/* circd on boards/sim.ini, its log in bench_dir/name.log. */
pid_t circd_start(const char *name, bool fake_clock);
/* The same on another board file, relative to the source tree. */
pid_t circd_start_on(const char *name, const char *board, bool fake_clock);
/* VmRSS in KiB, and in *anon the part that is circd's own (heap, stack, sqlite cache). */
long rss_kib(pid_t pid, long *anon);
/* A process's CPU time in us, all threads: utime+stime from /proc (clock ticks), -1 if gone. */
double stat_cpu_us(pid_t pid);
/* The same from its CPU clock, to the ns, where a parent may read its child's; -1 otherwise. */
double clock_cpu_us(pid_t pid);

/*
 * Two cores of this process's affinity, for a client and its server that
 * would be on different machines in a library; false with fewer than two.
 */
bool two_cores(int *client, int *server);
/* Pins pid (0: this process; its threads to come follow it) to core; -errno. */
int pin_to_core(pid_t pid, int core);
/* This process back on the cores it had at start. */
void unpin_self(void);

/* The sim channel (hal/sim.h): commands out, event lines in. */
struct sim {
	int fd;
	size_t len;
	char buf[16384];
	double read_at; /* when the bytes in buf arrived: the time stamp of their lines */
	char last_display[160]; /* for failure messages */
};

/* One awaited event line, by prefix; at_us is when it was read (0: not yet). */
struct expect {
	const char *prefix;
	double at_us;
};

/* Connects to name's sim socket and waits for "hello". */
int sim_open(struct sim *s, const char *name, char *why);
int sim_send(struct sim *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * Reads lines until every prefix in e has been seen, in any order.
 * -1 on "gpio lamp_error 1" or an "error" answer (circd refused), on EOF
 * or after timeout_ms, with the reason in why.
 */
int sim_expect(struct sim *s, struct expect *e, int n, int timeout_ms, char *why);
void sim_close(struct sim *s);

/* The control socket (what circctl speaks): one command, the whole answer. */
int ctl_request(const char *name, const char *command, char *out, size_t size);
/* A number or boolean in circd's status JSON; -1 when missing. */
long json_number(const char *json, const char *key);
int json_bool(const char *json, const char *key);

/* --- util.c: the durable commit of the baselines ------------------------- */

/* A fresh sqlite db in bench_dir, WAL, synchronous=FULL, like circd's store. */
struct durable {
	sqlite3 *db;
	sqlite3_stmt *insert;
};

int durable_open(struct durable *d, const char *name);
/* One INSERT in autocommit: on disk when it returns. */
int durable_commit(struct durable *d, const char *item);
/* n INSERTs in one transaction: on disk when it returns. */
int durable_commit_all(struct durable *d, const char *const *items, unsigned n);
void durable_close(struct durable *d);

/* --- sip2.c: the test ACS and a raw SIP2 client --------------------------- */

struct acs {
	pid_t pid;
	int port;
	int admin_port;
};

/* A loopback TCP port nobody listens on just now. */
int free_tcp_port(void);
/*
 * Starts tests/acs/acs.py on port (0: any), state in memory (--no-persist),
 * and waits until it listens. 0 or -1 with why.
 */
int acs_start(struct acs *a, const char *name, int port, char *why);
/* One admin command, its one-line answer in out. */
int acs_admin(const struct acs *a, const char *command, char *out, size_t size);
/* How many requests with this code the ACS has seen (its "stats"); -1 on error. */
long acs_messages(const struct acs *a, const char *code);
/* ms from the ACS's first message of this code to its last (its own clock); < 0 if none. */
double acs_span_ms(const struct acs *a, const char *code);
void acs_stop(struct acs *a);

struct sip_conn {
	int fd;
	unsigned seq;
	size_t len;
	char rx[4096];
};

int sip_connect(struct sip_conn *c, int port);
/* YYYYMMDD    HHMMSS, local time: SIP2's 18-character date. */
void sip_date(time_t t, char out[19]);
/*
 * Sends body + AY<seq>AZ<checksum> + CR and reads the reply (without its
 * CR) into reply; checks its checksum and sequence number.
 */
int sip_exchange(struct sip_conn *c, const char *body, char *reply, size_t size,
		 int timeout_ms, char *why);
void sip_close(struct sip_conn *c);

/* --- the figures: each measures, then prints its lines ------------------- */

/* Lines from a pipe or socket, read with a deadline; a zeroed struct is empty. */
struct line_reader {
	size_t len;
	char buf[4096];
};
/*
 * The next line from fd, without its newline, within timeout_ms: 0;
 * -ETIMEDOUT; -EPIPE when fd closed or failed; -EMSGSIZE for a line longer
 * than the buffer (dropped).
 */
int line_read(struct line_reader *lr, int fd, char *line, size_t size, int timeout_ms);

void bench_p1(void);     /* p1.c: P1 scan -> OK lamp offline, and memory */
void bench_p2(void);     /* p2.c: P2 online checkout latency */
void bench_p3(void);     /* p3.c: P3 forwarding throughput */
void bench_hid(void);    /* hid.c: HID decode throughput */
void bench_usb(void);   /* usb.c: CPU per scan, libusb under umockdev vs sim */
void bench_rfid(void);   /* rfid.c: R1 RFID stack on the 3M pad emulator, inventory CPU */
void bench_page(void);   /* page.c: scan -> the item on the touch screen, in Chromium */
void bench_binary(void); /* bench.c */
void bench_idle(void);   /* bench.c */

#endif
