/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A non-blocking TCP (+ TLS) client connection on the loop.
 *
 * States: RESOLVING (getaddrinfo_a polled by a timer) -> CONNECTING (one
 * address at a time, EPOLLOUT + SO_ERROR) -> HANDSHAKING (SSL_connect driven
 * by the WANT_READ/WANT_WRITE it asks for) -> CONNECTED -> DEAD.
 *
 * Re-entrancy: every loop callback into these files brackets itself with
 * net_conn_enter()/net_conn_leave(); net_close() inside a user callback only
 * marks the connection and releases its I/O, and the outermost
 * net_conn_leave() frees it. Code after a user callback checks
 * net_conn_alive() before touching anything.
 * A failure found inside net_connect() or net_send() (user_call) reaches
 * closed() through a 0 ms timer, so closed() never runs inside them.
 *
 * Resolving names (net-resolve.c) and TLS (net-tls.c) are helpers of this
 * file, sharing struct net_conn through net-private.h.
 */
#include "net-private.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util.h"

/* A dead ILS link is noticed within 30 + 3 * 10 s of silence. */
#define NET_KEEPIDLE_S 30
#define NET_KEEPINTVL_S 10
#define NET_KEEPCNT 3
#define NET_READ_CHUNK 16384

/* --- helpers ---------------------------------------------------------------------------- */

const char *net_errstr(int errnum, char *buf, size_t size)
{
	snprintf(buf, size, "%s", strerror(errnum));
	if (buf[0] >= 'A' && buf[0] <= 'Z' && !(buf[1] >= 'A' && buf[1] <= 'Z'))
		buf[0] = (char)(buf[0] - 'A' + 'a');
	return buf;
}

/* Copies a numeric port 1..65535 into out[8]. */
static int parse_port(const char *port, char out[8])
{
	unsigned long v = 0;
	const char *p;

	if (!port[0] || strlen(port) > 5)
		return -EINVAL;
	for (p = port; *p; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	if (v == 0 || v > 65535)
		return -EINVAL;
	snprintf(out, 8, "%lu", v);
	return 0;
}

static void format_addr(const struct addrinfo *ai, char *buf, size_t size)
{
	const void *addr = NULL;

	if (ai->ai_family == AF_INET)
		addr = &((const struct sockaddr_in *)(const void *)ai->ai_addr)->sin_addr;
	else if (ai->ai_family == AF_INET6)
		addr = &((const struct sockaddr_in6 *)(const void *)ai->ai_addr)->sin6_addr;
	if (!addr || !inet_ntop(ai->ai_family, addr, buf, (socklen_t)size))
		snprintf(buf, size, "?");
}

/* --- lifetime --------------------------------------------------------------------------- */

static void release_io(struct net_conn *c)
{
	if (c->ssl)
		net_tls_release_session(c);
	if (c->fd >= 0) {
		loop_source_free(c->source);
		c->source = NULL;
		close(c->fd);
		c->fd = -1;
	}
	c->events = 0;
	c->bio_eof = false;
	c->bio_errno = 0;
	c->handshake_wants_write = c->read_wants_write = c->write_wants_read = false;
}

static void release_all(struct net_conn *c)
{
	loop_timer_disarm(c->loop, &c->timeout_timer);
	loop_timer_disarm(c->loop, &c->notify_timer);
	net_resolve_release(c);
	release_io(c);
	if (c->addrs) {
		freeaddrinfo(c->addrs);
		c->addrs = c->next_addr = NULL;
	}
	if (c->out)
		explicit_bzero(c->out, c->out_alloc);
	free(c->out);
	c->out = NULL;
	c->out_start = c->out_len = c->out_alloc = 0;
	if (c->tls) /* else OpenSSL may not even be loaded */
		net_tls_release(c);
}

static void conn_free(struct net_conn *c)
{
	release_all(c);
	free(c->host);
	free(c->server_name);
	free(c);
}

void net_conn_enter(struct net_conn *c)
{
	c->busy++;
}

void net_conn_leave(struct net_conn *c)
{
	if (--c->busy == 0 && c->owner_closed)
		conn_free(c);
}

bool net_conn_alive(const struct net_conn *c)
{
	return !c->owner_closed && c->state != NET_DEAD;
}

static void notify_closed(struct net_conn *c)
{
	if (c->closed_notified || c->owner_closed)
		return;
	c->closed_notified = true;
	if (c->ev.closed)
		c->ev.closed(c->data, c->err);
}

static void on_notify_timer(struct loop *loop, void *data)
{
	struct net_conn *c = data;

	net_conn_enter(c);
	notify_closed(c);
	net_conn_leave(c);
}

/* Ends the connection with err (the message is already in c->error). */
static void conn_fail(struct net_conn *c, int err)
{
	if (!net_conn_alive(c))
		return;
	c->state = NET_DEAD;
	c->err = err;
	release_all(c);
	if (c->user_call)
		loop_timer_arm(c->loop, &c->notify_timer, 0);
	else
		notify_closed(c);
}

void net_conn_failf(struct net_conn *c, int err, const char *fmt, ...)
{
	va_list ap;

	if (!net_conn_alive(c))
		return;
	va_start(ap, fmt);
	vsnprintf(c->error, sizeof(c->error), fmt, ap);
	va_end(ap);
	conn_fail(c, err);
}

static void conn_fail_errno(struct net_conn *c, int err, const char *what)
{
	char buf[128];

	net_conn_failf(c, err, "%s: %s", what, net_errstr(-err, buf, sizeof(buf)));
}

/* --- I/O -------------------------------------------------------------------------------- */

void net_update_events(struct net_conn *c)
{
	uint32_t want;
	int r;

	switch (c->state) {
	case NET_CONNECTING:
		want = EPOLLOUT;
		break;
	case NET_HANDSHAKING:
		want = c->handshake_wants_write ? EPOLLOUT : EPOLLIN;
		break;
	case NET_CONNECTED:
		want = EPOLLIN;
		if ((c->out_len && !c->write_wants_read) || c->read_wants_write)
			want |= EPOLLOUT;
		break;
	default:
		return;
	}
	if (c->fd < 0 || want == c->events)
		return;
	r = loop_source_set_events(c->source, want);
	if (r < 0) {
		conn_fail_errno(c, r, "epoll");
		return;
	}
	c->events = want;
}

/* Sends what the socket takes; 0, or -1 when the connection failed. */
static int flush_out(struct net_conn *c)
{
	char buf[128];
	size_t n;

	while (c->out_len) {
		if (c->ssl) {
			int r = net_tls_send(c, c->out + c->out_start, c->out_len, &n);

			if (r <= 0)
				return r;
		} else {
			ssize_t s = send(c->fd, c->out + c->out_start, c->out_len, MSG_NOSIGNAL);

			if (s < 0) {
				if (errno == EINTR)
					continue;
				if (errno == EAGAIN || errno == EWOULDBLOCK)
					return 0;
				net_conn_failf(c, -errno, "send: %s",
					       net_errstr(errno, buf, sizeof(buf)));
				return -1;
			}
			n = (size_t)s;
		}
		c->out_start += n;
		c->out_len -= n;
	}
	/* What was sent may hold passwords and PINs (sip2.h): not left lying in the heap. */
	if (c->out)
		explicit_bzero(c->out, c->out_start);
	c->out_start = 0;
	return 0;
}

/*
 * Reads until the socket (and OpenSSL's buffer) is empty, handing data to
 * the owner. A plain read shorter than the buffer emptied the socket: no
 * second recv() just to hear EAGAIN (epoll is level-triggered, so bytes
 * that came meanwhile wake the loop again).
 */
static void read_in(struct net_conn *c)
{
	char buf[NET_READ_CHUNK], msg[128];

	for (;;) {
		bool drained = false;
		size_t n;

		if (c->ssl) {
			if (net_tls_recv(c, buf, sizeof(buf), &n) <= 0)
				return;
		} else {
			ssize_t s = recv(c->fd, buf, sizeof(buf), 0);

			if (s == 0) {
				net_conn_failf(c, 0, "connection closed by peer");
				return;
			}
			if (s < 0) {
				if (errno == EINTR)
					continue;
				if (errno == EAGAIN || errno == EWOULDBLOCK)
					return;
				net_conn_failf(c, -errno, "receive: %s",
					       net_errstr(errno, msg, sizeof(msg)));
				return;
			}
			n = (size_t)s;
			drained = n < sizeof(buf);
		}
		if (c->ev.data)
			c->ev.data(c->data, buf, n);
		if (!net_conn_alive(c) || drained)
			return;
	}
}

void net_established(struct net_conn *c)
{
	c->state = NET_CONNECTED;
	loop_timer_disarm(c->loop, &c->timeout_timer);
	freeaddrinfo(c->addrs);
	c->addrs = c->next_addr = NULL;
	net_update_events(c);
	if (!net_conn_alive(c))
		return;
	if (c->ev.connected)
		c->ev.connected(c->data);
	/* Records that came in with the handshake sit in OpenSSL, not in the socket. */
	if (net_conn_alive(c) && net_tls_pending(c))
		read_in(c);
	if (net_conn_alive(c))
		net_update_events(c);
}

static int set_socket_options(int fd)
{
	static const struct {
		int level, name, value;
	} opts[] = {
		{ IPPROTO_TCP, TCP_NODELAY, 1 }, /* SIP2 is small request/response */
		{ SOL_SOCKET, SO_KEEPALIVE, 1 },
		{ IPPROTO_TCP, TCP_KEEPIDLE, NET_KEEPIDLE_S },
		{ IPPROTO_TCP, TCP_KEEPINTVL, NET_KEEPINTVL_S },
		{ IPPROTO_TCP, TCP_KEEPCNT, NET_KEEPCNT },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(opts); i++)
		if (setsockopt(fd, opts[i].level, opts[i].name, &opts[i].value, sizeof(int)) < 0)
			return -errno;
	return 0;
}

static void on_io(struct loop *loop, int fd, uint32_t events, void *data);

/* Starts a non-blocking connect to ai; 0 when under way (CONNECTING). */
static int open_socket(struct net_conn *c, const struct addrinfo *ai)
{
	int fd, r;

	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
	if (fd < 0)
		return -errno;
	r = set_socket_options(fd);
	if (r < 0)
		goto err_close;
	/* Even an immediate success goes through EPOLLOUT, so the outcome is always async. */
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 && errno != EINPROGRESS &&
	    errno != EINTR) {
		r = -errno;
		goto err_close;
	}
	r = loop_add_io(c->loop, fd, EPOLLOUT, on_io, c, &c->source);
	if (r < 0)
		goto err_close;
	c->fd = fd;
	c->events = EPOLLOUT;
	c->state = NET_CONNECTING;
	return 0;

err_close:
	close(fd);
	return r;
}

/* Tries the remaining addresses in turn; err is why the previous one failed. */
void net_try_connect(struct net_conn *c, int err)
{
	char buf[128];

	while (c->next_addr) {
		const struct addrinfo *ai = c->next_addr;
		int r;

		c->next_addr = ai->ai_next;
		format_addr(ai, c->peer, sizeof(c->peer));
		r = open_socket(c, ai);
		if (r == 0)
			return;
		err = r;
	}
	net_conn_failf(c, err, "%s (%s port %s)", net_errstr(-err, buf, sizeof(buf)), c->peer,
		       c->port);
}

static void on_connect_ready(struct net_conn *c)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(int);
	int soerr = 0;

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
		soerr = errno;
	if (soerr) {
		release_io(c);
		net_try_connect(c, -soerr);
		return;
	}
	/* A stale event for a reused fd number: the connect is still under way. */
	len = sizeof(ss);
	if (getpeername(c->fd, (struct sockaddr *)&ss, &len) < 0) {
		if (errno != ENOTCONN)
			conn_fail_errno(c, -errno, "getpeername");
		return;
	}
	if (c->tls)
		net_tls_start(c);
	else
		net_established(c);
}

static void on_io(struct loop *loop, int fd, uint32_t events, void *data)
{
	struct net_conn *c = data;
	bool readable = events & (EPOLLIN | EPOLLERR | EPOLLHUP);
	bool writable = events & (EPOLLOUT | EPOLLERR | EPOLLHUP);

	net_conn_enter(c);
	switch (c->state) {
	case NET_CONNECTING:
		on_connect_ready(c);
		break;
	case NET_HANDSHAKING:
		net_tls_handshake(c);
		break;
	case NET_CONNECTED:
		if (readable || (c->read_wants_write && writable))
			read_in(c);
		if (net_conn_alive(c) && c->out_len &&
		    (writable || (c->write_wants_read && readable)))
			flush_out(c);
		if (net_conn_alive(c))
			net_update_events(c);
		break;
	default:
		break;
	}
	net_conn_leave(c);
}

static void on_timeout(struct loop *loop, void *data)
{
	struct net_conn *c = data;
	const char *phase;

	net_conn_enter(c);
	switch (c->state) {
	case NET_RESOLVING:
		phase = "resolving host";
		break;
	case NET_CONNECTING:
		phase = "TCP connect";
		break;
	default:
		phase = "TLS handshake";
		break;
	}
	if (c->state != NET_CONNECTED)
		net_conn_failf(c, -ETIMEDOUT, "timed out after %u ms (%s)", c->timeout_ms, phase);
	net_conn_leave(c);
}

/* --- API -------------------------------------------------------------------------------- */

int net_connect(struct loop *loop, const char *host, const char *port,
		const struct net_tls_opts *tls, unsigned timeout_ms, const struct net_events *ev,
		void *data, struct net_conn **ret)
{
	struct net_conn *c;
	int r;

	if (!loop || !host || !host[0] || !port || !ev || !ret)
		return -EINVAL;
	net_resolve_reap_orphans();
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->loop = loop;
	c->ev = *ev;
	c->data = data;
	c->fd = -1;
	c->timeout_ms = timeout_ms;
	loop_timer_init(&c->timeout_timer, on_timeout, c);
	loop_timer_init(&c->resolve_timer, net_resolve_poll, c);
	loop_timer_init(&c->notify_timer, on_notify_timer, c);
	r = parse_port(port, c->port);
	if (r < 0)
		goto err_free;
	c->host = strdup(host);
	if (!c->host) {
		r = -ENOMEM;
		goto err_free;
	}
	if (tls && tls->enabled) {
		r = net_tls_setup(c, tls, host);
		if (r < 0)
			goto err_free;
	}
	r = net_resolve_start(c);
	if (r < 0)
		goto err_free;
	if (timeout_ms)
		loop_timer_arm(loop, &c->timeout_timer, timeout_ms);
	if (c->addrs) {
		c->user_call++;
		net_try_connect(c, -EHOSTUNREACH);
		c->user_call--;
	}
	*ret = c;
	return 0;

err_free:
	conn_free(c);
	return r;
}

static int queue_append(struct net_conn *c, const void *buf, size_t len)
{
	size_t need = c->out_len + len;

	if (c->out_start + need > c->out_alloc) {
		if (c->out_start) {
			memmove(c->out, c->out + c->out_start, c->out_len);
			c->out_start = 0;
		}
		if (need > c->out_alloc) {
			size_t size = c->out_alloc ? c->out_alloc : 4096;
			char *p;

			while (size < need)
				size *= 2;
			if (size > NET_SEND_QUEUE_MAX)
				size = NET_SEND_QUEUE_MAX;
			p = realloc(c->out, size);
			if (!p)
				return -ENOMEM;
			c->out = p;
			c->out_alloc = size;
		}
	}
	memcpy(c->out + c->out_start + c->out_len, buf, len);
	c->out_len = need;
	return 0;
}

int net_send(struct net_conn *c, const void *buf, size_t len)
{
	int r;

	if (!c || (!buf && len))
		return -EINVAL;
	if (!net_conn_alive(c) || c->state != NET_CONNECTED)
		return -ENOTCONN;
	if (len > NET_SEND_QUEUE_MAX - c->out_len)
		return -ENOBUFS;
	if (!len)
		return 0;
	r = queue_append(c, buf, len);
	if (r < 0)
		return r;
	c->user_call++;
	if (flush_out(c) == 0)
		net_update_events(c);
	c->user_call--;
	return 0;
}

void net_close(struct net_conn *c)
{
	if (!c || c->owner_closed)
		return;
	c->owner_closed = true;
	if (c->state == NET_CONNECTED && c->ssl) {
		/* One non-blocking try at close_notify; the peer may as well see the FIN. */
		net_tls_shutdown(c);
	}
	release_all(c);
	if (!c->busy)
		conn_free(c);
}

const char *net_last_error(const struct net_conn *c)
{
	return c ? c->error : "";
}

bool net_is_tls(const struct net_conn *c)
{
	return c && c->tls;
}
