/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A scripted SIP2 server in the test's own process, for the tests of the
 * SIP2 client and of store-and-forward over it: it listens on loopback, and
 * the test reads each request the client sends and writes the reply it
 * wants, byte for byte, turning the client's loop (fake clock) meanwhile.
 * A server that cannot listen exits the test (status 2), as tmpdir.h does;
 * a reply the client does not read fails the running test (CHECK).
 *
 * Ownership: the caller owns the struct (usually inside its rig) and the
 * loop; sip2_server_stop() closes the sockets, not the loop.
 */
#ifndef CIRCD_TEST_SIP2_SERVER_H
#define CIRCD_TEST_SIP2_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include "../../lib/loop.h"

struct sip2_server {
	struct loop *loop;
	int listen_fd;
	int fd;         /* the client's connection; -1 until it connects, or once dropped */
	char buf[4096]; /* what the client sent and the test has not read yet */
	size_t len;
};

/* Listens on 127.0.0.1 at a port of the kernel's choosing, written to port. */
void sip2_server_start(struct sip2_server *srv, struct loop *loop, char *port, size_t size);
void sip2_server_stop(struct sip2_server *srv);

/*
 * One loop turn per round, each first firing what is due now on the fake
 * clock (the client and forwarding take steps from 0 ms timers).
 */
void sip2_server_pump(struct sip2_server *srv, int rounds);

/* The next CR-terminated request into out, accepting the connection first; false if none came. */
bool sip2_server_read(struct sip2_server *srv, char *out, size_t size);

/*
 * Sends text + "AY<seq>AZ<checksum>\r", however long, while the client
 * reads; seq < 0 leaves AY out, bad_checksum spoils the checksum.
 */
void sip2_server_send(struct sip2_server *srv, const char *text, int seq, bool bad_checksum);

/* Closes the client's connection as a server dropping it would; what it had sent is lost. */
void sip2_server_drop(struct sip2_server *srv);

/* The sequence number (AY) of a request, or -1 if it has none. */
int sip2_request_seq(const char *msg);

#endif
