/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "sip2_server.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../firmware/sip2.h"
#include "testlib.h"

void sip2_server_start(struct sip2_server *srv, struct loop *loop, char *port, size_t size)
{
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001) };
	socklen_t alen = sizeof(addr);

	*srv = (struct sip2_server){ .loop = loop, .fd = -1 };
	srv->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (srv->listen_fd < 0 || bind(srv->listen_fd, (struct sockaddr *)&addr, sizeof(addr)) ||
	    listen(srv->listen_fd, 4) ||
	    getsockname(srv->listen_fd, (struct sockaddr *)&addr, &alen)) {
		perror("sip2_server_start");
		exit(2);
	}
	snprintf(port, size, "%u", ntohs(addr.sin_port));
}

void sip2_server_stop(struct sip2_server *srv)
{
	sip2_server_drop(srv);
	if (srv->listen_fd >= 0)
		close(srv->listen_fd);
	srv->listen_fd = -1;
}

void sip2_server_pump(struct sip2_server *srv, int rounds)
{
	while (rounds--) {
		loop_advance(srv->loop, 0);
		loop_run_once(srv->loop, 2);
	}
}

static void accept_client(struct sip2_server *srv)
{
	int one = 1;

	srv->fd = accept4(srv->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	/* Else Nagle holds a second reply until the first is acked. */
	if (srv->fd >= 0)
		setsockopt(srv->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

bool sip2_server_read(struct sip2_server *srv, char *out, size_t size)
{
	for (int i = 0; i < 2000; i++) {
		char *cr = memchr(srv->buf, '\r', srv->len);

		if (cr) {
			size_t n = (size_t)(cr - srv->buf) + 1;

			snprintf(out, size, "%.*s", (int)n, srv->buf);
			memmove(srv->buf, srv->buf + n, srv->len - n);
			srv->len -= n;
			return true;
		}
		if (srv->fd < 0) {
			accept_client(srv);
		} else {
			size_t room = sizeof(srv->buf) - srv->len;
			ssize_t got = read(srv->fd, srv->buf + srv->len, room);

			if (got > 0)
				srv->len += (size_t)got;
		}
		sip2_server_pump(srv, 1);
	}
	out[0] = 0;
	return false;
}

void sip2_server_send(struct sip2_server *srv, const char *text, int seq, bool bad_checksum)
{
	size_t n = strlen(text), off = 0;
	char *msg = malloc(n + 16);

	if (!msg)
		exit(2);
	memcpy(msg, text, n);
	if (seq >= 0)
		n += (size_t)sprintf(msg + n, "AY%d", seq);
	n += (size_t)sprintf(msg + n, "AZ");
	n += (size_t)sprintf(msg + n, "%04X\r",
			     (sip2_checksum(msg, n) + (bad_checksum ? 1 : 0)) & 0xffff);
	for (int i = 0; off < n && i < 100000; i++) {
		ssize_t w = write(srv->fd, msg + off, n - off);

		if (w > 0)
			off += (size_t)w;
		sip2_server_pump(srv, 1);
	}
	CHECK(off == n);
	free(msg);
	sip2_server_pump(srv, 3);
}

void sip2_server_drop(struct sip2_server *srv)
{
	if (srv->fd >= 0)
		close(srv->fd);
	srv->fd = -1;
	srv->len = 0;
}

int sip2_request_seq(const char *msg)
{
	const char *ay = strstr(msg, "AY");

	return ay ? ay[2] - '0' : -1;
}
