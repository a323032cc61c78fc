/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What R1 (rfid.c) needs of a 3M pad: the emulator (tests/rfid/m3_helper.py,
 * a tracked child driven over its stdin and stdout), stacks of item tags
 * with ISO 28560-3 memory for it, and a bare client speaking the pad's frames
 * (hal/m3-frame.h) for the baseline. Like the rest of the bench, nothing here
 * exits or prints: failures are -1, with why where there is one.
 */
#ifndef CIRCD_BENCH_RFID_PAD_H
#define CIRCD_BENCH_RFID_PAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "bench.h"
#include "m3-frame.h"

#define STACK_TAGS 10
#define STACK_TAG_BYTES 36  /* the 34-byte ISO 28560-3 basic block in whole 4-byte blocks */
#define AFI_ON_SHELF 0x07   /* what the stack's tags come with */
#define AFI_CHECKED_OUT 0xC2 /* [rfid] afi_checked_out, its default */
#define STACK_OWNER_ISIL "DK-710100"

/* --- the emulated pad -------------------------------------------------------- */

struct pad {
	pid_t pid;
	int to, from; /* the helper's stdin and stdout */
	struct line_reader in;
	char link[128]; /* the symlink to its pty: the board's device */
};

/* Starts an emulated pad, its pty behind bench_dir/name.tty, its stderr in name.log. */
int pad_start(struct pad *p, const char *name, char *why);
/* One command; 0 when the helper said "ok", with what follows the "ok " in answer (may be NULL). */
int pad_cmd(struct pad *p, char *answer, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* How many requests with this command the pad has had; -1 if the helper failed. */
long pad_requests(struct pad *p, unsigned cmd);
/*
 * One request the pad answered, on the pad's clock (CLOCK_MONOTONIC, as
 * now_us()): when the bytes that completed it came in and when its answer
 * went out, in µs from the moment asked about.
 */
struct pad_event {
	unsigned cmd;
	double received_us, answered_us;
};
#define PAD_EVENTS_MAX 200 /* what one answer line of the helper can carry */
/*
 * The requests the pad answered since since_us (a now_us() reading), oldest
 * first, at most max of them: how many, -1 if the helper failed.
 */
int pad_timeline(struct pad *p, double since_us, struct pad_event *ev, int max);
/*
 * Blocks until the pad has answered n requests with command cmd that came in
 * since since_us, without polling it (polls would slow its answers to the
 * client timed); 0, or -1 after timeout_ms or if the helper failed.
 */
int pad_await(struct pad *p, unsigned cmd, int n, double since_us, int timeout_ms);
/* Ends the helper and reaps it; accepts a pad that did not start. */
void pad_stop(struct pad *p);

/* --- a stack of item tags ---------------------------------------------------- */

struct stack {
	char uid[STACK_TAGS][2 * M3_UID_LEN + 1];
	uint8_t mem[STACK_TAGS][STACK_TAG_BYTES];
};

/* Fresh tags: UIDs and item numbers counted from first, owned by STACK_OWNER_ISIL. */
int stack_make(struct stack *s, unsigned first);
/* Every tag on the pad in one write of the helper's commands: as close to "at once" as it goes. */
int stack_place(struct pad *p, const struct stack *s);
int stack_remove(struct pad *p, const struct stack *s);
/*
 * Asks the pad for the AFI of each tag not yet secured; marks those holding
 * AFI_CHECKED_OUT. Returns how many are secured, -1 if the helper failed.
 */
int stack_secured(struct pad *p, const struct stack *s, bool secured[STACK_TAGS]);

/* --- a bare client speaking the pad's frames --------------------------------- */

struct m3_client {
	int fd;
	struct m3_splitter splitter;
	size_t len, at;
	uint8_t rx[M3_FRAME_MAX];
	unsigned requests; /* sent so far */
};

/* Opens the pad's tty raw; close c->fd when done. */
int m3_client_open(struct m3_client *c, const char *path);
/*
 * Sends the request frame[0..len) (len < 0: its encoding failed) and reads
 * its answer into *reply; -1 on no answer within 2 s, or one to another
 * command or that does not parse.
 */
int m3_client_ask(struct m3_client *c, const uint8_t *frame, int len, struct m3_reply *reply);

#endif
