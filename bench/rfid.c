/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * R1: a stack of RFID items. circd in self-check mode, offline, on the sim
 * board with its [rfid pad] replaced by the 3M backend on the pad emulator's
 * pty (tests/rfid/m3_helper.py). A patron signs in on the sim channel; then
 * R1_TAGS tags with ISO 28560-3 (Danish) memory go on the pad in one write
 * of the helper's commands, and the time runs until the emulator holds every
 * tag's AFI at 0xC2 and has been asked for each one's read-back: the stack
 * checked out and its security verified. R1_STACKS stacks, fresh tags each,
 * placed at offsets spread over the interval between circd's rounds; median.
 *
 * The baseline, interleaved with those stacks: a fresh emulator of its own
 * and a minimal client here speaking the 3M frames (hal/m3-frame.h), with
 * the sequence circd needs for the same tags: one inventory, each tag's
 * memory read in the chunks circd reads it in, then per tag a set AFI and a
 * get AFI that must say 0xC2. It starts the moment its tags are placed, as
 * no polling reader can.
 *
 * Two runs. R1 itself: both emulators pace their answers as the 3M 810's
 * line does (19200 baud 8N1; the pad's RF time is left out, which only
 * shortens the baseline), circd rounds at the boards' default 150 ms: what a
 * patron waits for, against what the bare frames would cost on that line.
 * Then the same on a pty as it is, answers at once and circd rounding every
 * R1_INVENTORY_MS: no line hides circd's own time there, so that run shows
 * what circd itself costs (no target; the rounds' wait alone is ten times
 * the bare frames).
 *
 * Inventory CPU: over the same 10 s, the CPU time per second of a second
 * circd on the same board with nobody signed in (idle_inventory_ms, the
 * board's default) and of the instant run's circd with its session still
 * open (inventory_ms), both on an empty pad.
 *
 * The emulator is Python, like the other test doubles: without python3 the
 * figures say "skipped". The emulator, the tags and the bare 3M client are in
 * rfid-pad.c.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "board.h"
#include "iso28560-3.h"
#include "rfid-pad.h"
#include "rfid.h"

#define R1_TAGS STACK_TAGS
#define R1_STACKS 9         /* odd: the median is one of them */
#define R1_INVENTORY_MS 50
#define R1_TIMEOUT_MS 10000
#define R1_POLL_MS 5 /* how often the bench asks, once the read-backs are in */
#define R1_SERIAL 4000000u     /* item numbers, clear of P1-P3's */
#define READ_CHUNK 8           /* blocks per read, as circd (and the public driver) asks */
#define CPU_SECONDS 10

/* --- circd on the sim board with the 3M pad ------------------------------- */

/* boards/sim.ini with its [rfid pad] (the last section) on the 3M backend. */
static int board_write(const char *name, const char *device, unsigned inventory_ms, char *path,
		       size_t size)
{
	char text[8192];
	size_t len;
	char *pad;
	FILE *f;

	f = fopen("boards/sim.ini", "re");
	if (!f)
		return -1;
	len = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[len] = 0;
	pad = strstr(text, "\n[rfid pad]");
	if (!pad || strstr(pad + 1, "\n["))
		return -1;
	*pad = 0;
	bench_path(path, size, name, "board.ini");
	f = fopen(path, "we");
	if (!f)
		return -1;
	fprintf(f, "%s\n[rfid pad]\nrole = item_pad\nprotocol = 3m\ndevice = %s\n"
		   "inventory_ms = %d\n",
		text, device, inventory_ms);
	return fclose(f) == 0 ? 0 : -1;
}

/* circd with its pad, once the pad has been asked for an inventory (the probe is done). */
static pid_t circd_with_pad(const char *name, struct pad *p, unsigned inventory_ms, char *why)
{
	char circd[256], conf[128], board[128], tail[160];
	char *argv[] = { circd, "-f", "-c", conf, "-b", board, NULL };
	double deadline;
	pid_t pid;

	snprintf(circd, sizeof(circd), "%s/circd", bench_build);
	bench_path(conf, sizeof(conf), name, "conf");
	if (board_write(name, p->link, inventory_ms, board, sizeof(board)) < 0 ||
	    circd_config(name, "[kiosk]\nmode = selfcheck\nsession_timeout = 3600\n"
			       "[barcode]\ndone = " DONE_SYMBOL "\n"
			       "[offline]\nmax_items = 1000\n"
			       "[rfid]\nowner_isil = " STACK_OWNER_ISIL "\n") < 0) {
		set_why(why, "cannot write the board or the config");
		return -1;
	}
	pid = spawn(argv, name);
	deadline = now_us() + 10e6;
	while (now_us() < deadline) {
		long rounds = pad_requests(p, M3_CMD_INVENTORY);

		if (rounds < 0)
			break;
		if (rounds > 0)
			return pid;
		usleep(10000);
	}
	log_tail(name, tail, sizeof(tail));
	set_why(why, "circd did not take the pad within 10 s (circd: %s)",
		tail[0] ? tail : "no output");
	reap(pid);
	return -1;
}

/* Reads what circd said on the sim socket so far, keeping its last display line. */
static void sim_drain(struct sim *s)
{
	struct expect never = { .prefix = "\x01" };
	struct pollfd pfd = { .fd = s->fd, .events = POLLIN };

	/* bounded: a closed socket stays readable */
	for (int reads = 0; reads < 64 && poll(&pfd, 1, 0) == 1; reads++)
		sim_expect(s, &never, 1, 1, NULL);
}

/* --- the baseline: the 3M frames from here ---------------------------------- */

/* A tag's memory in chunks until the pad has no more, as circd reads a new tag. */
static int client_read_tag(struct m3_client *c, const uint8_t *uid, char *item, size_t size)
{
	static struct m3_reply reply; /* its read blocks make it large */
	uint8_t frame[64], mem[RFID_MEM_MAX];
	size_t mem_len = 0;
	struct tag_data data;
	char why[64];

	for (;;) {
		int len = m3_encode_read_blocks(uid, (uint8_t)(mem_len / M3_BLOCK_LEN), READ_CHUNK,
						frame, sizeof(frame));

		if (m3_client_ask(c, frame, len, &reply) < 0)
			return -1;
		if (reply.kind != M3_REPLY_READ_BLOCKS)
			break; /* refused past the last block */
		for (unsigned i = 0; i < reply.read.n && mem_len < sizeof(mem); i++) {
			memcpy(mem + mem_len, reply.read.blocks[i].data, M3_BLOCK_LEN);
			mem_len += M3_BLOCK_LEN;
		}
		if (reply.read.n < READ_CHUNK || mem_len + READ_CHUNK * M3_BLOCK_LEN > sizeof(mem))
			break;
	}
	if (iso28560_3_decode(mem, mem_len, &data, why, sizeof(why)) < 0)
		return -1;
	snprintf(item, size, "%s", data.item_id);
	return 0;
}

/*
 * The stack on the pad, checked out: the requests circd needs for it (the
 * pad times them). With db, the loans are committed to it, durably, in one
 * transaction between the reads and the first write, as circd records a
 * stack before it switches any tag's security off.
 */
static int baseline_stack(struct m3_client *c, struct durable *db, char *why)
{
	static struct m3_reply reply;
	uint8_t uids[R1_TAGS][M3_UID_LEN], frame[64];
	char items[R1_TAGS][TAG_ITEM_ID_MAX + 1];
	const char *loans[R1_TAGS];
	unsigned n;

	if (m3_client_ask(c, frame, m3_encode_inventory(frame, sizeof(frame)), &reply) < 0 ||
	    reply.kind != M3_REPLY_INVENTORY || reply.inventory.n != R1_TAGS) {
		set_why(why, "the inventory did not find the %d tags", R1_TAGS);
		return -1;
	}
	n = reply.inventory.n;
	memcpy(uids, reply.inventory.uids, sizeof(uids));
	for (unsigned i = 0; i < n; i++) {
		if (client_read_tag(c, uids[i], items[i], sizeof(items[i])) < 0 || !items[i][0]) {
			set_why(why, "a tag's memory did not read or decode");
			return -1;
		}
		loans[i] = items[i];
	}
	if (db && durable_commit_all(db, loans, n) < 0) {
		set_why(why, "the baseline's sqlite commit failed");
		return -1;
	}
	for (unsigned i = 0; i < n; i++) {
		int len = m3_encode_set_afi(uids[i], AFI_CHECKED_OUT, frame, sizeof(frame));

		if (m3_client_ask(c, frame, len, &reply) < 0 || reply.kind != M3_REPLY_SET_AFI ||
		    m3_client_ask(c, frame, m3_encode_get_afi(uids[i], frame, sizeof(frame)),
			       &reply) < 0 ||
		    reply.kind != M3_REPLY_GET_AFI || reply.afi.afi != AFI_CHECKED_OUT) {
			set_why(why, "a tag's AFI was not written or did not read back");
			return -1;
		}
	}
	return 0;
}

/* --- R1 -------------------------------------------------------------------- */

/*
 * What the pad's timeline says of one stack: from the inventory round that
 * found it to the answer to the last read-back, all on the pad's clock, so
 * circd and the baseline are timed alike and the bench's polling costs
 * neither any resolution.
 */
struct span {
	double round_us, read_us, end_us; /* from the placement: round began, last read answered, end */
	double client_us;                 /* between an answer and the next request: the client's time */
	long inventories, reads, afi_writes, afi_reads, requests;
};

/*
 * The span in ev[0..n): from the first inventory to the answer to the first
 * AFI read after the last AFI write, which must be the stack's last (want
 * of them). 0, or -1 while the timeline does not hold all of it yet.
 */
static int span_of(const struct pad_event *ev, int n, long want_writes, struct span *sp)
{
	int first = -1, last_write = -1, end = -1;

	memset(sp, 0, sizeof(*sp));
	for (int i = 0; i < n; i++) {
		if (first < 0 && ev[i].cmd == M3_CMD_INVENTORY)
			first = i;
		if (first >= 0 && ev[i].cmd == M3_CMD_SET_AFI)
			last_write = i;
	}
	for (int i = last_write + 1; last_write >= 0 && i < n && end < 0; i++)
		if (ev[i].cmd == M3_CMD_GET_AFI)
			end = i;
	if (end < 0)
		return -1;
	for (int i = first; i <= end; i++) {
		sp->inventories += ev[i].cmd == M3_CMD_INVENTORY;
		sp->afi_writes += ev[i].cmd == M3_CMD_SET_AFI;
		sp->afi_reads += ev[i].cmd == M3_CMD_GET_AFI;
		if (ev[i].cmd == M3_CMD_READ_BLOCKS) {
			sp->reads++;
			sp->read_us = ev[i].answered_us;
		}
		if (i > first)
			sp->client_us += ev[i].received_us - ev[i - 1].answered_us;
	}
	if (sp->afi_writes != want_writes)
		return -1;
	sp->requests = end - first + 1;
	sp->round_us = ev[first].received_us;
	sp->end_us = ev[end].answered_us;
	return 0;
}

/*
 * How an R1 run's pads behave: their line's pace (0: a pty's, instant) and
 * circd's inventory rounds while a session is open.
 */
struct r1_line {
	const char *name; /* of circd's files and its run */
	const char *title;
	unsigned baud, inventory_ms;
};

/* The 3M 810's line and the boards' default rounds. */
static const struct r1_line R1_AT_LINE_RATE = { "r1-line", "R1 rfid stack     ", M3_BAUD,
						 BOARD_RFID_INVENTORY_MS_DEFAULT };
/* A pty answers at once: circd's own time, magnified against the bare client's. */
static const struct r1_line R1_INSTANT = { "r1", "R1 instant line   ", 0, R1_INVENTORY_MS };

struct r1 {
	double circd_ms[R1_STACKS], base_ms[R1_STACKS];
	/* from the placement: the inventory round that found the stack, its reads answered */
	double round_ms[R1_STACKS], read_ms[R1_STACKS];
	double from_round_ms[R1_STACKS]; /* that round -> the last write verified */
	/* per request, the client's time between an answer and its next request */
	double circd_turn_us[R1_STACKS], base_turn_us[R1_STACKS];
	/* the baseline again, with its loans committed to sqlite (WAL, FULL) */
	double base_commit_ms[R1_STACKS];
	/* per stack, circd's requests as the emulator counted them */
	long inventories, reads, afi_writes, afi_reads;
	long base_requests;
	char why[WHY_MAX];
};

/*
 * One stack on circd's pad, timed on the pad's clock from its placement
 * until circd's read-back of the last tag it secured, once the emulator
 * holds every AFI at 0xC2. Meanwhile the bench waits in the emulator for
 * the read-backs and asks it nothing: its Python answers the bench and
 * circd under one lock, so a poll in the middle of a stack slowed circd's
 * answers (and the baseline's client, the bench itself, never polls).
 */
static int circd_stack(struct pad *p, struct sim *sim, const struct stack *s, struct r1 *r,
		       int n)
{
	static struct pad_event ev[PAD_EVENTS_MAX];
	bool secured[R1_TAGS] = { false };
	double t0, deadline;
	struct span sp;
	int done = 0, events = 0, got = -1;

	t0 = now_us();
	deadline = t0 + R1_TIMEOUT_MS * 1e3;
	if (stack_place(p, s) < 0)
		goto err_helper;
	/* On a timeout the loop below says how far circd got. */
	(void)pad_await(p, M3_CMD_GET_AFI, R1_TAGS, t0, R1_TIMEOUT_MS);
	while (got < 0 && now_us() < deadline) {
		if (done < R1_TAGS) {
			done = stack_secured(p, s, secured);
			if (done < 0)
				goto err_helper;
		}
		if (done == R1_TAGS) {
			events = pad_timeline(p, t0, ev, PAD_EVENTS_MAX);
			if (events < 0)
				goto err_helper;
			got = span_of(ev, events, R1_TAGS, &sp);
		}
		if (got < 0)
			usleep(R1_POLL_MS * 1000);
	}
	sim_drain(sim);
	if (got < 0) {
		if (done < R1_TAGS)
			done = stack_secured(p, s, secured); /* the wait took the whole time */
		set_why(r->why, "%d of %d tags secured after %d ms (display: %s)", done, R1_TAGS,
			R1_TIMEOUT_MS, sim->last_display[0] ? sim->last_display : "-");
		return -1;
	}
	r->circd_ms[n] = sp.end_us / 1e3;
	r->round_ms[n] = sp.round_us / 1e3;
	r->read_ms[n] = sp.read_us / 1e3;
	r->from_round_ms[n] = (sp.end_us - sp.round_us) / 1e3;
	r->circd_turn_us[n] = sp.client_us / (double)(sp.requests - 1);
	r->inventories += sp.inventories;
	r->reads += sp.reads;
	r->afi_writes += sp.afi_writes;
	r->afi_reads += sp.afi_reads;
	return 0;

err_helper:
	set_why(r->why, "the pad emulator stopped answering");
	return -1;
}

/*
 * Waits for circd's next inventory round to begin, then offset_ms: the stacks
 * are placed at offsets spread evenly over the interval between rounds, as a
 * patron's stack falls anywhere in it, rather than at whatever phase the
 * bench's own rhythm happens to keep.
 */
static int after_round_start(struct pad *p, unsigned offset_ms, unsigned interval_ms)
{
	long rounds = pad_requests(p, M3_CMD_INVENTORY), now = rounds;
	double deadline = now_us() + 5 * interval_ms * 1e3 + 1e6;

	while (now == rounds && now >= 0 && now_us() < deadline) {
		usleep(500);
		now = pad_requests(p, M3_CMD_INVENTORY);
	}
	if (now <= rounds)
		return -1;
	usleep(offset_ms * 1000);
	return 0;
}

/*
 * The same stack on the baseline's pad, timed alike: from its inventory to
 * its last read-back, in *ms (and per request between an answer and the
 * next one, in *turn_us, when not NULL).
 */
static int baseline_run(struct pad *p, struct m3_client *c, struct durable *db,
			const struct stack *s, struct r1 *r, double *ms, double *turn_us)
{
	static struct pad_event ev[PAD_EVENTS_MAX];
	struct span sp;
	int events;
	double t0;

	if (stack_place(p, s) < 0)
		goto err_helper;
	t0 = now_us();
	if (baseline_stack(c, db, r->why) < 0)
		return -1;
	events = pad_timeline(p, t0, ev, PAD_EVENTS_MAX);
	if (events < 0)
		goto err_helper;
	if (span_of(ev, events, R1_TAGS, &sp) < 0) {
		set_why(r->why, "baseline: the pad's timeline misses the stack's requests");
		return -1;
	}
	*ms = (sp.end_us - sp.round_us) / 1e3;
	if (turn_us)
		*turn_us = sp.client_us / (double)(sp.requests - 1);
	r->base_requests = sp.requests;
	return stack_remove(p, s);

err_helper:
	set_why(r->why, "baseline: the pad emulator stopped answering");
	return -1;
}

/* R1's stacks, circd's and the baseline's in turn; circd and its pad are left running. */
static int measure_r1(struct r1 *r, const struct r1_line *line, struct pad *pad, struct sim *sim,
		      pid_t *circd)
{
	struct expect signed_in[2] = { { .prefix = "display" }, { .prefix = "ok" } };
	struct m3_client client = { .fd = -1 };
	struct durable db;
	struct pad base_pad;
	char base_name[32], base_pad_name[40];
	struct stack s;
	int rc = -1;

	snprintf(base_name, sizeof(base_name), "%s-base", line->name);
	snprintf(base_pad_name, sizeof(base_pad_name), "%s-pad", base_name);
	if (durable_open(&db, base_name) < 0) {
		set_why(r->why, "cannot make the baseline's sqlite db");
		return -1;
	}
	if (pad_start(&base_pad, base_pad_name, r->why) < 0) {
		durable_close(&db);
		return -1;
	}
	if (pad_cmd(pad, NULL, 0, "baud %u", line->baud) < 0 ||
	    pad_cmd(&base_pad, NULL, 0, "baud %u", line->baud) < 0) {
		set_why(r->why, "the pad emulator cannot pace its line");
		goto out;
	}
	if (m3_client_open(&client, base_pad.link) < 0) {
		set_why(r->why, "cannot open the baseline's pad: %s", strerror(errno));
		goto out;
	}
	*circd = circd_with_pad(line->name, pad, line->inventory_ms, r->why);
	if (*circd < 0 || sim_open(sim, line->name, r->why) < 0)
		goto out;
	if (sim_send(sim, "scan patron_reader %s\n", PATRON_ADA) < 0 ||
	    sim_expect(sim, signed_in, 2, 5000, r->why) < 0)
		goto out;
	usleep(2 * line->inventory_ms * 1000); /* the pad at the session's pace */
	for (int n = 0; n < R1_STACKS; n++) {
		if (stack_make(&s, R1_SERIAL + (unsigned)n * R1_TAGS) < 0) {
			set_why(r->why, "cannot encode the tags");
			goto out;
		}
		if (after_round_start(pad, (unsigned)n * line->inventory_ms / R1_STACKS,
				      line->inventory_ms) < 0) {
			set_why(r->why, "circd's inventory rounds stopped");
			goto out;
		}
		if (circd_stack(pad, sim, &s, r, n) < 0 || stack_remove(pad, &s) < 0 ||
		    baseline_run(&base_pad, &client, NULL, &s, r, &r->base_ms[n],
				 &r->base_turn_us[n]) < 0 ||
		    baseline_run(&base_pad, &client, &db, &s, r, &r->base_commit_ms[n], NULL) < 0)
			goto out;
		/* the tags gone from circd's field before the next stack comes */
		usleep((RFID_MISSED_ROUNDS + 2) * line->inventory_ms * 1000);
	}
	rc = 0;
out:
	if (client.fd >= 0)
		close(client.fd);
	pad_stop(&base_pad);
	durable_close(&db);
	return rc;
}

/* --- inventory CPU --------------------------------------------------------- */

struct cpu_figure {
	double stat_us, clock_us; /* CPU over the window; clock_us -1 if unreadable */
	long rounds;              /* inventory requests the emulator got meanwhile */
};

struct cpu_watch {
	pid_t pid;
	struct pad *pad;
	double stat0, clock0;
	long rounds0;
	struct cpu_figure *out;
};

static int watch_start(struct cpu_watch *w)
{
	w->stat0 = stat_cpu_us(w->pid);
	w->clock0 = clock_cpu_us(w->pid);
	w->rounds0 = pad_requests(w->pad, M3_CMD_INVENTORY);
	return w->stat0 < 0 || w->rounds0 < 0 ? -1 : 0;
}

static int watch_end(struct cpu_watch *w)
{
	double stat1 = stat_cpu_us(w->pid), clock1 = clock_cpu_us(w->pid);
	long rounds1 = pad_requests(w->pad, M3_CMD_INVENTORY);

	if (stat1 < 0 || rounds1 < 0)
		return -1;
	w->out->stat_us = stat1 - w->stat0;
	w->out->clock_us = clock1 >= 0 && w->clock0 >= 0 ? clock1 - w->clock0 : -1;
	w->out->rounds = rounds1 - w->rounds0;
	return 0;
}

/*
 * CPU_SECONDS of circd with nobody signed in (a second circd, on a pad of
 * its own) and of the R1 circd with its session open, both watched at once.
 */
static int measure_cpu(pid_t active_pid, struct pad *active_pad, struct cpu_figure *idle,
		       struct cpu_figure *active, char *why)
{
	struct cpu_watch w[2] = { { .pid = active_pid, .pad = active_pad, .out = active } };
	struct pad idle_pad;
	int rc = -1;

	if (pad_start(&idle_pad, "r1-idle-pad", why) < 0)
		return -1;
	w[1].pad = &idle_pad;
	w[1].out = idle;
	w[1].pid = circd_with_pad("r1-idle", &idle_pad, R1_INVENTORY_MS, why);
	if (w[1].pid < 0)
		goto out;
	usleep(1000 * 1000); /* past its start-up and first idle round */
	if (watch_start(&w[0]) < 0 || watch_start(&w[1]) < 0)
		goto err_gone;
	sleep(CPU_SECONDS);
	if (watch_end(&w[0]) < 0 || watch_end(&w[1]) < 0)
		goto err_gone;
	rc = 0;
	goto out;

err_gone:
	set_why(why, "circd or its pad emulator went away while watched");
out:
	reap(w[1].pid);
	pad_stop(&idle_pad);
	return rc;
}

/* --- the figures ------------------------------------------------------------ */

static void print_r1(struct r1 *r, const struct r1_line *line)
{
	/* each percentile() sorts its array: max is its last element after */
	double c50 = percentile(r->circd_ms, R1_STACKS, 0.5);
	double f50 = percentile(r->from_round_ms, R1_STACKS, 0.5);
	double b50 = percentile(r->base_ms, R1_STACKS, 0.5);
	double bc50 = percentile(r->base_commit_ms, R1_STACKS, 0.5);
	double round50 = percentile(r->round_ms, R1_STACKS, 0.5);
	double read50 = percentile(r->read_ms, R1_STACKS, 0.5);
	double turn50 = percentile(r->circd_turn_us, R1_STACKS, 0.5);
	double base_turn50 = percentile(r->base_turn_us, R1_STACKS, 0.5);
	char pace[64] = "a pty, no line time";

	if (line->baud)
		snprintf(pace, sizeof(pace), "the pad's line at %u baud 8N1", line->baud);
	printf("%s p50 %8.2f ms   max %7.2f ms   (%d tags placed -> last security write verified, "
	       "%d stacks; %s)\n",
	       line->title, c50, r->circd_ms[R1_STACKS - 1], R1_TAGS, R1_STACKS, pace);
	printf("   from its round  p50 %8.2f ms   max %7.2f ms   (from the inventory round that "
	       "found the stack; rounds every %u ms)\n",
	       f50, r->from_round_ms[R1_STACKS - 1], line->inventory_ms);
	printf("   baseline        p50 %8.2f ms   max %7.2f ms   (raw 3M frames on the same line, own "
	       "emulator: inventory, reads, AFI write + read-back)\n",
	       b50, r->base_ms[R1_STACKS - 1]);
	printf("   ratio           p50 %8.2f      from its round %5.2f     %s\n", c50 / b50,
	       f50 / b50,
	       line->baud ? "target <= 1.2" : "(no target: circd's own time, magnified)");
	printf("   baseline+commit p50 %8.2f ms   max %7.2f ms   (the same, its %d loans in one sqlite "
	       "WAL/FULL commit before the writes)\n",
	       bc50, r->base_commit_ms[R1_STACKS - 1], R1_TAGS);
	printf("   ratio to it     p50 %8.2f      from its round %5.2f     (P1's and P2's baselines "
	       "make such a commit)\n",
	       c50 / bc50, f50 / bc50);
	printf("                   (all on the emulator's clock. circd: its round began p50 %.1f ms "
	       "after the placement and had read the\n"
	       "                   stack by %.1f ms. Per stack circd sent %.1f inventories, %.1f "
	       "reads, %.1f AFI writes, %.1f AFI reads;\n"
	       "                   the baseline %ld requests. Between an answer and the next "
	       "request: circd p50 %.0f us, the baseline %.0f us)\n",
	       round50, read50, (double)r->inventories / R1_STACKS, (double)r->reads / R1_STACKS,
	       (double)r->afi_writes / R1_STACKS, (double)r->afi_reads / R1_STACKS,
	       r->base_requests, turn50, base_turn50);
}

static void print_cpu(const char *label, const struct cpu_figure *c, const char *pace)
{
	char precise[32] = "     ?";

	if (c->clock_us >= 0)
		snprintf(precise, sizeof(precise), "%6.3f", c->clock_us / 1e3 / CPU_SECONDS);
	printf("%s%s ms CPU/s (utime+stime %.0f ms in %d s)   %4.1f inventory rounds/s, %s\n",
	       label, precise, c->stat_us / 1e3, CPU_SECONDS, (double)c->rounds / CPU_SECONDS,
	       pace);
}

/* One R1 run on pads of its own; with cpu, the inventory CPU figures after it. */
static void r1_run(const struct r1_line *line, bool cpu)
{
	static struct r1 r;
	struct cpu_figure idle = { 0 }, active = { 0 };
	struct sim sim = { .fd = -1 };
	char cpu_why[WHY_MAX] = "", pad_name[32];
	struct pad pad;
	pid_t circd = -1;
	int cpu_ok = -1;

	memset(&r, 0, sizeof(r));
	snprintf(pad_name, sizeof(pad_name), "%s-pad", line->name);
	if (pad_start(&pad, pad_name, r.why) < 0) {
		printf("%s FAILED: %s\n", line->title, r.why);
		if (cpu)
			printf("rfid inventory CPU FAILED: no figure without the R1 run\n");
		fflush(stdout);
		return;
	}
	if (measure_r1(&r, line, &pad, &sim, &circd) == 0) {
		print_r1(&r, line);
		fflush(stdout);
		if (cpu)
			cpu_ok = measure_cpu(circd, &pad, &idle, &active, cpu_why);
	} else {
		printf("%s FAILED: %s\n", line->title, r.why);
		set_why(cpu_why, "no figure without the R1 run");
	}
	if (cpu && cpu_ok < 0) {
		printf("rfid inventory CPU FAILED: %s\n", cpu_why);
	} else if (cpu) {
		print_cpu("rfid idle CPU      ", &idle, "idle_inventory_ms 1000, nobody signed in");
		print_cpu("   active pad      ", &active, "inventory_ms 50, a session open");
	}
	fflush(stdout);
	sim_close(&sim);
	reap(circd);
	pad_stop(&pad);
}

void bench_rfid(void)
{
	if (system("command -v python3 >/dev/null 2>&1") != 0) {
		printf("R1 rfid stack      skipped: no python3 (the 3M pad emulator is Python)\n");
		printf("rfid inventory CPU skipped: no python3\n");
		fflush(stdout);
		return;
	}
	r1_run(&R1_AT_LINE_RATE, false);
	r1_run(&R1_INSTANT, true);
}
