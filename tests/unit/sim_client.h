/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A test's client of the sim channel (hal/sim.h) on a unix socket: connect,
 * send command lines, read the channel's lines while pumping the loop that
 * serves it (the fake clock does not move), and the parser's refusals, for
 * test_sim.c and test_rfid_sim.c. Waits are bounded by 2 s of real time so
 * a broken channel fails a test instead of hanging it. Failures are CHECKed
 * against the running test.
 *
 * Ownership: the caller owns the struct; sim_client_close() closes its fd.
 */
#ifndef CIRCD_TEST_SIM_CLIENT_H
#define CIRCD_TEST_SIM_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../hal/sim.h"
#include "../../lib/loop.h"

struct sim_client {
	int fd;
	char buf[65536]; /* read, not yet taken as lines */
	size_t len;
	bool eof;
};

/* CLOCK_MONOTONIC in ms: for the real-time bounds of a wait. */
uint64_t sim_client_now_ms(void);
/* Connects c (non-blocking) to the channel's socket at path: 0 or -errno. */
int sim_client_connect_raw(struct sim_client *c, const char *path);
/* Connects and expects the channel's "hello circd". */
void sim_client_connect(struct sim_client *c, struct loop *loop, const char *path);
/* Takes in what has arrived, without waiting. */
void sim_client_fill(struct sim_client *c);
/* Pumps loop until c has a whole line or 2 s pass. False on timeout or EOF. */
bool sim_client_read_line(struct sim_client *c, struct loop *loop, char *line, size_t size);
void sim_client_expect(struct sim_client *c, struct loop *loop, const char *expected);
/* Lets the loop settle, then checks nothing more arrived for c. */
void sim_client_expect_nothing(struct sim_client *c, struct loop *loop);
void sim_client_send(struct sim_client *c, const char *text);
void sim_client_close(struct sim_client *c);

/* sim_command_parse() of a C string. */
int sim_parse_line(const char *line, bool terminal, struct sim_command *cmd, const char **why);
/* Expects the parser to refuse line with exactly reason; *cmd as it left it. */
void sim_expect_refused(const char *line, bool terminal, const char *reason,
			struct sim_command *cmd);

#endif
