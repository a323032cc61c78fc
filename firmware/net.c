/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A non-blocking TCP (+ TLS) client connection on the loop.
 *
 * States: RESOLVING (getaddrinfo_a polled by a timer) -> CONNECTING (one
 * address at a time, EPOLLOUT + SO_ERROR) -> HANDSHAKING (SSL_connect driven
 * by the WANT_READ/WANT_WRITE it asks for) -> CONNECTED -> DEAD.
 *
 * Re-entrancy: every loop callback into this file brackets itself with
 * conn_enter()/conn_leave(); net_close() inside a user callback only marks the
 * connection and releases its I/O, and the outermost conn_leave() frees it.
 * Code after a user callback checks conn_alive() before touching anything.
 * A failure found inside net_connect() or net_send() (user_call) reaches
 * closed() through a 0 ms timer, so closed() never runs inside them.
 *
 * OpenSSL talks to the socket through a tiny BIO of ours, so that writes use
 * MSG_NOSIGNAL (a peer reset must not raise SIGPIPE in a library) and the
 * errno of a failed send/recv survives OpenSSL's own calls.
 */
#include "net.h"

#include "loop.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ossl.h"
#include "util.h"

#define NET_RESOLVE_POLL_MS 20
/* A dead ILS link is noticed within 30 + 3 * 10 s of silence. */
#define NET_KEEPIDLE_S 30
#define NET_KEEPINTVL_S 10
#define NET_KEEPCNT 3
#define NET_READ_CHUNK 16384
#define NET_PIN_LEN 32

enum net_state {
	NET_RESOLVING,
	NET_CONNECTING,
	NET_HANDSHAKING,
	NET_CONNECTED,
	NET_DEAD,
};

/*
 * One getaddrinfo_a() request. glibc's resolver thread writes into it, so it
 * lives apart from the connection: when a request cannot be cancelled any
 * more it is parked on the orphan list until the thread is done with it.
 */
struct net_resolve {
	struct gaicb cb;
	struct addrinfo hints;
	char *host;
	char port[8];
	struct net_resolve *next;
};

static struct net_resolve *orphans;

struct net_conn {
	struct loop *loop;
	struct net_events ev;
	void *data;
	enum net_state state;
	char *host;
	char port[8];
	unsigned timeout_ms;

	struct net_resolve *resolve;
	struct addrinfo *addrs;	    /* the resolved list, freed once connected */
	struct addrinfo *next_addr; /* the next one to try */
	char peer[INET6_ADDRSTRLEN]; /* the address being tried, for messages */
	int fd;
	struct loop_source *source;
	uint32_t events; /* what fd is registered for */

	bool tls;
	bool pinned_only;
	bool have_pin;
	unsigned char pin[NET_PIN_LEN];
	char *server_name;
	SSL_CTX *ctx;
	SSL *ssl;
	bool bio_eof;
	int bio_errno;
	bool handshake_wants_write;
	bool read_wants_write;
	bool write_wants_read;

	char *out; /* queued plaintext: out[out_start .. out_start + out_len) */
	size_t out_start;
	size_t out_len;
	size_t out_alloc;

	struct loop_timer timeout_timer;
	struct loop_timer resolve_timer;
	struct loop_timer notify_timer;

	int err;
	bool closed_notified;
	bool owner_closed;
	unsigned busy;	    /* nesting depth of loop callbacks into this conn */
	unsigned user_call; /* inside net_connect()/net_send(): defer closed() */
	char error[256];
};

/* --- the socket BIO --------------------------------------------------------------------- */

static int net_bio_write(BIO *bio, const char *buf, int len)
{
	struct net_conn *c = BIO_get_data(bio);
	ssize_t n;

	BIO_clear_retry_flags(bio);
	n = send(c->fd, buf, (size_t)len, MSG_NOSIGNAL);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			BIO_set_retry_write(bio);
		else
			c->bio_errno = errno;
		return -1;
	}
	return (int)n;
}

static int net_bio_read(BIO *bio, char *buf, int len)
{
	struct net_conn *c = BIO_get_data(bio);
	ssize_t n;

	BIO_clear_retry_flags(bio);
	n = recv(c->fd, buf, (size_t)len, 0);
	if (n == 0) {
		c->bio_eof = true;
	} else if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			BIO_set_retry_read(bio);
		else
			c->bio_errno = errno;
		return -1;
	}
	return (int)n;
}

static long net_bio_ctrl(BIO *bio, int cmd, long num, void *ptr)
{
	struct net_conn *c = BIO_get_data(bio);

	switch (cmd) {
	case BIO_CTRL_FLUSH:
		return 1;
	case BIO_CTRL_EOF:
		return c && c->bio_eof;
	default:
		return 0;
	}
}

static int net_bio_create(BIO *bio)
{
	BIO_set_init(bio, 1);
	return 1;
}

/*
 * One method for the process: BIO_get_new_index() hands out only ~127 type
 * indexes, so a method per connection would run out after as many reconnects.
 */
static BIO_METHOD *net_bio_method(void)
{
	static BIO_METHOD *method;
	BIO_METHOD *m;

	if (method)
		return method;
	m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "circd socket");
	if (!m)
		return NULL;
	if (!BIO_meth_set_write(m, net_bio_write) || !BIO_meth_set_read(m, net_bio_read) ||
	    !BIO_meth_set_ctrl(m, net_bio_ctrl) || !BIO_meth_set_create(m, net_bio_create)) {
		BIO_meth_free(m);
		return NULL;
	}
	method = m;
	return method;
}

/* --- helpers ---------------------------------------------------------------------------- */

/* strerror() with a lower-case first letter, to sit inside a sentence. */
static const char *errstr(int errnum, char *buf, size_t size)
{
	snprintf(buf, size, "%s", strerror(errnum));
	if (buf[0] >= 'A' && buf[0] <= 'Z' && !(buf[1] >= 'A' && buf[1] <= 'Z'))
		buf[0] = (char)(buf[0] - 'A' + 'a');
	return buf;
}

static int gai_to_errno(int gai)
{
	switch (gai) {
	case EAI_NONAME:
	case EAI_NODATA:
	case EAI_ADDRFAMILY:
	case EAI_FAIL:
		return -EHOSTUNREACH;
	case EAI_AGAIN:
		return -EAGAIN;
	case EAI_MEMORY:
		return -ENOMEM;
	default:
		return -EIO;
	}
}

static int parse_pin(const char *hex, unsigned char pin[NET_PIN_LEN])
{
	size_t i;

	if (strlen(hex) != 2 * NET_PIN_LEN)
		return -EINVAL;
	for (i = 0; i < NET_PIN_LEN; i++) {
		int hi = hex_digit_value(hex[2 * i]), lo = hex_digit_value(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		pin[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
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

static bool is_ip_literal(const char *name)
{
	unsigned char buf[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, name, buf) == 1 || inet_pton(AF_INET6, name, buf) == 1;
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

/* --- name resolution -------------------------------------------------------------------- */

static void resolve_free(struct net_resolve *res)
{
	if (res->cb.ar_result)
		freeaddrinfo(res->cb.ar_result);
	free(res->host);
	free(res);
}

/* Frees the orphaned requests glibc has finished with. */
static void reap_orphans(void)
{
	struct net_resolve **p = &orphans, *res;

	while ((res = *p)) {
		if (gai_error(&res->cb) == EAI_INPROGRESS) {
			p = &res->next;
			continue;
		}
		*p = res->next;
		resolve_free(res);
	}
}

static void resolve_release(struct net_conn *c)
{
	struct net_resolve *res = c->resolve;

	if (!res)
		return;
	c->resolve = NULL;
	loop_timer_disarm(c->loop, &c->resolve_timer);
	if (gai_cancel(&res->cb) == EAI_NOTCANCELED) {
		res->next = orphans;
		orphans = res;
		return;
	}
	resolve_free(res);
}

static int resolve_start(struct net_conn *c)
{
	struct sigevent sev = { .sigev_notify = SIGEV_NONE };
	struct gaicb *list[1];
	struct net_resolve *res;
	int r;

	res = calloc(1, sizeof(*res));
	if (!res)
		return -ENOMEM;
	res->host = strdup(c->host);
	if (!res->host) {
		r = -ENOMEM;
		goto err_free;
	}
	memcpy(res->port, c->port, sizeof(res->port));
	res->hints.ai_family = AF_UNSPEC;
	res->hints.ai_socktype = SOCK_STREAM;
	res->hints.ai_protocol = IPPROTO_TCP;
	res->hints.ai_flags = AI_NUMERICSERV;
	res->cb.ar_name = res->host;
	res->cb.ar_service = res->port;
	res->cb.ar_request = &res->hints;
	list[0] = &res->cb;
	r = getaddrinfo_a(GAI_NOWAIT, list, 1, &sev);
	if (r) {
		r = gai_to_errno(r);
		goto err_free;
	}
	c->resolve = res;
	c->state = NET_RESOLVING;
	loop_timer_arm(c->loop, &c->resolve_timer, NET_RESOLVE_POLL_MS);
	return 0;

err_free:
	resolve_free(res);
	return r;
}

/* --- lifetime --------------------------------------------------------------------------- */

static void release_io(struct net_conn *c)
{
	if (c->ssl) {
		SSL_free(c->ssl); /* and the BIO */
		c->ssl = NULL;
	}
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
	resolve_release(c);
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
	if (c->tls) { /* else OpenSSL may not even be loaded */
		SSL_CTX_free(c->ctx);
		c->ctx = NULL;
		ERR_clear_error();
	}
}

static void conn_free(struct net_conn *c)
{
	release_all(c);
	free(c->host);
	free(c->server_name);
	free(c);
}

static void conn_enter(struct net_conn *c)
{
	c->busy++;
}

static void conn_leave(struct net_conn *c)
{
	if (--c->busy == 0 && c->owner_closed)
		conn_free(c);
}

static bool conn_alive(const struct net_conn *c)
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

	conn_enter(c);
	notify_closed(c);
	conn_leave(c);
}

/* Ends the connection with err (the message is already in c->error). */
static void conn_fail(struct net_conn *c, int err)
{
	if (!conn_alive(c))
		return;
	c->state = NET_DEAD;
	c->err = err;
	release_all(c);
	if (c->user_call)
		loop_timer_arm(c->loop, &c->notify_timer, 0);
	else
		notify_closed(c);
}

static void conn_failf(struct net_conn *c, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void conn_failf(struct net_conn *c, int err, const char *fmt, ...)
{
	va_list ap;

	if (!conn_alive(c))
		return;
	va_start(ap, fmt);
	vsnprintf(c->error, sizeof(c->error), fmt, ap);
	va_end(ap);
	conn_fail(c, err);
}

static void conn_fail_errno(struct net_conn *c, int err, const char *what)
{
	char buf[128];

	conn_failf(c, err, "%s: %s", what, errstr(-err, buf, sizeof(buf)));
}

/* --- TLS -------------------------------------------------------------------------------- */

/* Reports a failed SSL_* call; ssl_err is SSL_get_error()'s answer. */
static void tls_fail(struct net_conn *c, int ssl_err, const char *what)
{
	unsigned long e = ERR_peek_last_error();
	long verify = c->ssl ? SSL_get_verify_result(c->ssl) : X509_V_OK;
	const char *reason;
	char buf[128];

	if (c->state == NET_HANDSHAKING && !c->pinned_only && verify != X509_V_OK) {
		conn_failf(c, -EKEYREJECTED, "certificate verify failed: %s",
			   X509_verify_cert_error_string(verify));
	} else if (ssl_err == SSL_ERROR_SYSCALL && c->bio_errno) {
		conn_failf(c, -c->bio_errno, "%s: %s", what,
			   errstr(c->bio_errno, buf, sizeof(buf)));
	} else if (c->bio_eof) {
		conn_failf(c, c->state == NET_HANDSHAKING ? -ECONNRESET : 0,
			   "%s: connection closed by peer", what);
	} else {
		reason = e ? ERR_reason_error_string(e) : NULL;
		conn_failf(c, -EPROTO, "%s: %s", what, reason ? reason : "protocol error");
	}
	ERR_clear_error();
}

static int check_pin(struct net_conn *c)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	char hex[2 * NET_PIN_LEN + 1];
	unsigned len = 0, i;
	X509 *cert;

	if (!c->have_pin)
		return 0;
	cert = SSL_get0_peer_certificate(c->ssl);
	if (!cert) {
		conn_failf(c, -EKEYREJECTED, "certificate pin mismatch: no server certificate");
		return -EKEYREJECTED;
	}
	if (!X509_digest(cert, EVP_sha256(), md, &len) || len != NET_PIN_LEN) {
		conn_failf(c, -EPROTO, "certificate pin check: cannot hash the certificate");
		return -EPROTO;
	}
	if (CRYPTO_memcmp(md, c->pin, NET_PIN_LEN) != 0) {
		for (i = 0; i < NET_PIN_LEN; i++)
			snprintf(hex + 2 * i, 3, "%02x", md[i]);
		conn_failf(c, -EKEYREJECTED, "certificate pin mismatch: server certificate sha256 %s",
			   hex);
		return -EKEYREJECTED;
	}
	return 0;
}

static int ctx_new(const struct net_tls_opts *tls, SSL_CTX **ret)
{
	SSL_CTX *ctx;
	int r;

	ctx = SSL_CTX_new(TLS_client_method());
	if (!ctx) {
		r = -EPROTO;
		goto err;
	}
	if (!SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION)) {
		r = -EPROTO;
		goto err_ctx;
	}
	/*
	 * A bare FIN ends the stream like close_notify: SIP2 messages carry their
	 * own terminator, and many ILS TLS front ends never send close_notify.
	 */
	SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_NO_RENEGOTIATION);
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	SSL_CTX_set_verify(ctx, tls->pinned_only ? SSL_VERIFY_NONE : SSL_VERIFY_PEER, NULL);
	if (tls->ca_file) {
		if (!SSL_CTX_load_verify_locations(ctx, tls->ca_file, NULL)) {
			r = access(tls->ca_file, R_OK) < 0 ? -errno : -EBADMSG;
			goto err_ctx;
		}
	} else if (!SSL_CTX_set_default_verify_paths(ctx)) {
		r = -EPROTO;
		goto err_ctx;
	}
	*ret = ctx;
	return 0;

err_ctx:
	SSL_CTX_free(ctx);
err:
	ERR_clear_error();
	return r;
}

static void established(struct net_conn *c);
static void update_events(struct net_conn *c);

static void handshake(struct net_conn *c)
{
	int r, err;

	ERR_clear_error();
	c->bio_errno = 0;
	r = SSL_connect(c->ssl);
	if (r == 1) {
		ERR_clear_error();
		if (check_pin(c) < 0)
			return;
		established(c);
		return;
	}
	err = SSL_get_error(c->ssl, r);
	if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
		c->handshake_wants_write = err == SSL_ERROR_WANT_WRITE;
		update_events(c);
		return;
	}
	tls_fail(c, err, "TLS handshake");
}

static void tls_start(struct net_conn *c)
{
	const char *name = c->server_name;
	BIO_METHOD *method = net_bio_method();
	BIO *bio;

	c->ssl = SSL_new(c->ctx);
	if (!c->ssl || !method) {
		conn_failf(c, -ENOMEM, "TLS: out of memory");
		return;
	}
	bio = BIO_new(method);
	if (!bio) {
		conn_failf(c, -ENOMEM, "TLS: out of memory");
		return;
	}
	BIO_set_data(bio, c);
	SSL_set_bio(c->ssl, bio, bio); /* the SSL owns the BIO now */

	/* RFC 6066: no SNI for an address; it is verified against IP SANs. */
	if (is_ip_literal(name)) {
		if (!c->pinned_only && !X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(c->ssl), name))
			goto err;
	} else {
		if (!SSL_set_tlsext_host_name(c->ssl, name))
			goto err;
		SSL_set_hostflags(c->ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
		if (!c->pinned_only && !SSL_set1_host(c->ssl, name))
			goto err;
	}
	SSL_set_connect_state(c->ssl);
	c->state = NET_HANDSHAKING;
	handshake(c);
	return;

err:
	conn_failf(c, -EPROTO, "TLS: cannot set server name \"%s\"", name);
	ERR_clear_error();
}

/* --- I/O -------------------------------------------------------------------------------- */

static void update_events(struct net_conn *c)
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
			int err;

			c->write_wants_read = false;
			c->bio_errno = 0;
			ERR_clear_error();
			if (!SSL_write_ex(c->ssl, c->out + c->out_start, c->out_len, &n)) {
				err = SSL_get_error(c->ssl, 0);
				if (err == SSL_ERROR_WANT_WRITE)
					return 0;
				if (err == SSL_ERROR_WANT_READ) {
					c->write_wants_read = true;
					return 0;
				}
				tls_fail(c, err, "TLS send");
				return -1;
			}
		} else {
			ssize_t s = send(c->fd, c->out + c->out_start, c->out_len, MSG_NOSIGNAL);

			if (s < 0) {
				if (errno == EINTR)
					continue;
				if (errno == EAGAIN || errno == EWOULDBLOCK)
					return 0;
				conn_failf(c, -errno, "send: %s", errstr(errno, buf, sizeof(buf)));
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

/* Reads until the socket (and OpenSSL's buffer) is empty, handing data to the owner. */
static void read_in(struct net_conn *c)
{
	char buf[NET_READ_CHUNK], msg[128];

	for (;;) {
		size_t n;

		if (c->ssl) {
			int err;

			c->read_wants_write = false;
			c->bio_errno = 0;
			ERR_clear_error();
			if (!SSL_read_ex(c->ssl, buf, sizeof(buf), &n)) {
				err = SSL_get_error(c->ssl, 0);
				if (err == SSL_ERROR_WANT_READ)
					return;
				if (err == SSL_ERROR_WANT_WRITE) {
					c->read_wants_write = true;
					return;
				}
				if (err == SSL_ERROR_ZERO_RETURN) {
					conn_failf(c, 0, "connection closed by peer");
					return;
				}
				tls_fail(c, err, "TLS receive");
				return;
			}
		} else {
			ssize_t s = recv(c->fd, buf, sizeof(buf), 0);

			if (s == 0) {
				conn_failf(c, 0, "connection closed by peer");
				return;
			}
			if (s < 0) {
				if (errno == EINTR)
					continue;
				if (errno == EAGAIN || errno == EWOULDBLOCK)
					return;
				conn_failf(c, -errno, "receive: %s", errstr(errno, msg, sizeof(msg)));
				return;
			}
			n = (size_t)s;
		}
		if (c->ev.data)
			c->ev.data(c->data, buf, n);
		if (!conn_alive(c))
			return;
	}
}

static void established(struct net_conn *c)
{
	c->state = NET_CONNECTED;
	loop_timer_disarm(c->loop, &c->timeout_timer);
	freeaddrinfo(c->addrs);
	c->addrs = c->next_addr = NULL;
	update_events(c);
	if (!conn_alive(c))
		return;
	if (c->ev.connected)
		c->ev.connected(c->data);
	/* Records that came in with the handshake sit in OpenSSL, not in the socket. */
	if (conn_alive(c) && c->ssl && SSL_has_pending(c->ssl))
		read_in(c);
	if (conn_alive(c))
		update_events(c);
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
static void try_connect(struct net_conn *c, int err)
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
	conn_failf(c, err, "%s (%s port %s)", errstr(-err, buf, sizeof(buf)), c->peer, c->port);
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
		try_connect(c, -soerr);
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
		tls_start(c);
	else
		established(c);
}

static void on_io(struct loop *loop, int fd, uint32_t events, void *data)
{
	struct net_conn *c = data;
	bool readable = events & (EPOLLIN | EPOLLERR | EPOLLHUP);
	bool writable = events & (EPOLLOUT | EPOLLERR | EPOLLHUP);

	conn_enter(c);
	switch (c->state) {
	case NET_CONNECTING:
		on_connect_ready(c);
		break;
	case NET_HANDSHAKING:
		handshake(c);
		break;
	case NET_CONNECTED:
		if (readable || (c->read_wants_write && writable))
			read_in(c);
		if (conn_alive(c) && c->out_len && (writable || (c->write_wants_read && readable)))
			flush_out(c);
		if (conn_alive(c))
			update_events(c);
		break;
	default:
		break;
	}
	conn_leave(c);
}

static void on_resolve_poll(struct loop *loop, void *data)
{
	struct net_conn *c = data;
	struct net_resolve *res = c->resolve;
	int r;

	if (!res)
		return;
	conn_enter(c);
	r = gai_error(&res->cb);
	if (r == EAI_INPROGRESS) {
		loop_timer_arm(loop, &c->resolve_timer, NET_RESOLVE_POLL_MS);
	} else if (r == 0) {
		c->addrs = c->next_addr = res->cb.ar_result;
		res->cb.ar_result = NULL;
		c->resolve = NULL;
		resolve_free(res);
		try_connect(c, -EHOSTUNREACH);
	} else {
		c->resolve = NULL;
		resolve_free(res);
		conn_failf(c, gai_to_errno(r), "cannot resolve %s: %s", c->host, gai_strerror(r));
	}
	conn_leave(c);
}

static void on_timeout(struct loop *loop, void *data)
{
	struct net_conn *c = data;
	const char *phase;

	conn_enter(c);
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
		conn_failf(c, -ETIMEDOUT, "timed out after %u ms (%s)", c->timeout_ms, phase);
	conn_leave(c);
}

/* --- API -------------------------------------------------------------------------------- */

int net_connect(struct loop *loop, const char *host, const char *port,
		const struct net_tls_opts *tls, unsigned timeout_ms, const struct net_events *ev,
		void *data, struct net_conn **ret)
{
	struct addrinfo hints = {
		.ai_family = AF_UNSPEC,
		.ai_socktype = SOCK_STREAM,
		.ai_protocol = IPPROTO_TCP,
		.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV,
	};
	struct net_conn *c;
	int r;

	if (!loop || !host || !host[0] || !port || !ev || !ret)
		return -EINVAL;
	reap_orphans();
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->loop = loop;
	c->ev = *ev;
	c->data = data;
	c->fd = -1;
	c->timeout_ms = timeout_ms;
	loop_timer_init(&c->timeout_timer, on_timeout, c);
	loop_timer_init(&c->resolve_timer, on_resolve_poll, c);
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
		r = ossl_load();
		if (r < 0)
			goto err_free;
		c->tls = true;
		c->pinned_only = tls->pinned_only;
		if (tls->pin_sha256) {
			r = parse_pin(tls->pin_sha256, c->pin);
			if (r < 0)
				goto err_free;
			c->have_pin = true;
		} else if (tls->pinned_only) {
			r = -EINVAL;
			goto err_free;
		}
		if (tls->server_name && !tls->server_name[0]) {
			r = -EINVAL;
			goto err_free;
		}
		c->server_name = strdup(tls->server_name ? tls->server_name : host);
		if (!c->server_name) {
			r = -ENOMEM;
			goto err_free;
		}
		r = ctx_new(tls, &c->ctx);
		if (r < 0)
			goto err_free;
	}

	r = getaddrinfo(host, c->port, &hints, &c->addrs);
	if (r == 0) {
		c->next_addr = c->addrs;
	} else if (r == EAI_NONAME) {
		c->addrs = NULL;
		r = resolve_start(c);
		if (r < 0)
			goto err_free;
	} else {
		c->addrs = NULL;
		r = gai_to_errno(r);
		goto err_free;
	}
	if (timeout_ms)
		loop_timer_arm(loop, &c->timeout_timer, timeout_ms);
	if (c->addrs) {
		c->user_call++;
		try_connect(c, -EHOSTUNREACH);
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
	if (!conn_alive(c) || c->state != NET_CONNECTED)
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
		update_events(c);
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
		c->bio_errno = 0;
		SSL_shutdown(c->ssl);
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
