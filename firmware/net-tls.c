/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TLS over the connection's socket (OpenSSL 3, loaded on first use): the
 * context from the options, the handshake with chain, hostname and pin
 * checks, and encrypted reads and writes that say, like the socket, when
 * they would block.
 *
 * OpenSSL talks to the socket through a tiny BIO of ours, so that writes use
 * MSG_NOSIGNAL (a peer reset must not raise SIGPIPE in a library) and the
 * errno of a failed send/recv survives OpenSSL's own calls.
 */
#include "net-private.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ossl.h"
#include "util.h"

/* --- the socket BIO --------------------------------------------------------------------- */

/* A failed send()/recv(): OpenSSL is to try again, or the errno is kept for tls_fail(). */
static int bio_io_failed(BIO *bio, struct net_conn *c, bool writing)
{
	if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
		c->bio_errno = errno;
	else if (writing)
		BIO_set_retry_write(bio);
	else
		BIO_set_retry_read(bio);
	return -1;
}

static int net_bio_write(BIO *bio, const char *buf, int len)
{
	struct net_conn *c = BIO_get_data(bio);
	ssize_t n;

	BIO_clear_retry_flags(bio);
	n = send(c->fd, buf, (size_t)len, MSG_NOSIGNAL);
	return n < 0 ? bio_io_failed(bio, c, true) : (int)n;
}

static int net_bio_read(BIO *bio, char *buf, int len)
{
	struct net_conn *c = BIO_get_data(bio);
	ssize_t n;

	BIO_clear_retry_flags(bio);
	n = recv(c->fd, buf, (size_t)len, 0);
	if (n == 0)
		c->bio_eof = true;
	return n < 0 ? bio_io_failed(bio, c, false) : (int)n;
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

/* --- options ----------------------------------------------------------------------------- */

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

static bool is_ip_literal(const char *name)
{
	unsigned char buf[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, name, buf) == 1 || inet_pton(AF_INET6, name, buf) == 1;
}

/* --- handshake --------------------------------------------------------------------------- */

/* Reports a failed SSL_* call; ssl_err is SSL_get_error()'s answer. */
static void tls_fail(struct net_conn *c, int ssl_err, const char *what)
{
	unsigned long e = ERR_peek_last_error();
	long verify = c->ssl ? SSL_get_verify_result(c->ssl) : X509_V_OK;
	const char *reason;
	char buf[128];

	if (c->state == NET_HANDSHAKING && !c->pinned_only && verify != X509_V_OK) {
		net_conn_failf(c, -EKEYREJECTED, "certificate verify failed: %s",
			       X509_verify_cert_error_string(verify));
	} else if (ssl_err == SSL_ERROR_SYSCALL && c->bio_errno) {
		net_conn_failf(c, -c->bio_errno, "%s: %s", what,
			       net_errstr(c->bio_errno, buf, sizeof(buf)));
	} else if (c->bio_eof) {
		net_conn_failf(c, c->state == NET_HANDSHAKING ? -ECONNRESET : 0,
			       "%s: connection closed by peer", what);
	} else {
		reason = e ? ERR_reason_error_string(e) : NULL;
		net_conn_failf(c, -EPROTO, "%s: %s", what, reason ? reason : "protocol error");
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
		net_conn_failf(c, -EKEYREJECTED, "certificate pin mismatch: no server certificate");
		return -EKEYREJECTED;
	}
	if (!X509_digest(cert, EVP_sha256(), md, &len) || len != NET_PIN_LEN) {
		net_conn_failf(c, -EPROTO, "certificate pin check: cannot hash the certificate");
		return -EPROTO;
	}
	if (CRYPTO_memcmp(md, c->pin, NET_PIN_LEN) != 0) {
		for (i = 0; i < NET_PIN_LEN; i++)
			snprintf(hex + 2 * i, 3, "%02x", md[i]);
		net_conn_failf(c, -EKEYREJECTED,
			       "certificate pin mismatch: server certificate sha256 %s", hex);
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

void net_tls_handshake(struct net_conn *c)
{
	int r, err;

	ERR_clear_error();
	c->bio_errno = 0;
	r = SSL_connect(c->ssl);
	if (r == 1) {
		ERR_clear_error();
		if (check_pin(c) < 0)
			return;
		net_established(c);
		return;
	}
	err = SSL_get_error(c->ssl, r);
	if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
		c->handshake_wants_write = err == SSL_ERROR_WANT_WRITE;
		net_update_events(c);
		return;
	}
	tls_fail(c, err, "TLS handshake");
}

void net_tls_start(struct net_conn *c)
{
	const char *name = c->server_name;
	BIO_METHOD *method = net_bio_method();
	BIO *bio;

	c->ssl = SSL_new(c->ctx);
	if (!c->ssl || !method) {
		net_conn_failf(c, -ENOMEM, "TLS: out of memory");
		return;
	}
	bio = BIO_new(method);
	if (!bio) {
		net_conn_failf(c, -ENOMEM, "TLS: out of memory");
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
	net_tls_handshake(c);
	return;

err:
	net_conn_failf(c, -EPROTO, "TLS: cannot set server name \"%s\"", name);
	ERR_clear_error();
}

/* --- the connection's calls ------------------------------------------------------------- */

int net_tls_setup(struct net_conn *c, const struct net_tls_opts *tls, const char *host)
{
	int r;

	r = ossl_load();
	if (r < 0)
		return r;
	c->tls = true;
	c->pinned_only = tls->pinned_only;
	if (tls->pin_sha256) {
		r = parse_pin(tls->pin_sha256, c->pin);
		if (r < 0)
			return r;
		c->have_pin = true;
	} else if (tls->pinned_only) {
		return -EINVAL;
	}
	if (tls->server_name && !tls->server_name[0])
		return -EINVAL;
	c->server_name = strdup(tls->server_name ? tls->server_name : host);
	if (!c->server_name)
		return -ENOMEM;
	return ctx_new(tls, &c->ctx);
}

/* Before an SSL_read_ex()/SSL_write_ex(): nothing left of the previous call's verdict. */
static void io_begin(struct net_conn *c, bool *wants_other)
{
	*wants_other = false;
	c->bio_errno = 0;
	ERR_clear_error();
}

/*
 * After a failed one: 0 when it only waits for the socket (for the other
 * direction's event: *wants_other), -1 when the connection failed.
 */
static int io_wait_or_fail(struct net_conn *c, int err, int wants_same, int wants_other_err,
			   bool *wants_other, const char *what)
{
	if (err == wants_same)
		return 0;
	if (err == wants_other_err) {
		*wants_other = true;
		return 0;
	}
	tls_fail(c, err, what);
	return -1;
}

int net_tls_send(struct net_conn *c, const void *buf, size_t len, size_t *sent)
{
	io_begin(c, &c->write_wants_read);
	if (SSL_write_ex(c->ssl, buf, len, sent))
		return 1;
	return io_wait_or_fail(c, SSL_get_error(c->ssl, 0), SSL_ERROR_WANT_WRITE,
			       SSL_ERROR_WANT_READ, &c->write_wants_read, "TLS send");
}

int net_tls_recv(struct net_conn *c, void *buf, size_t size, size_t *got)
{
	int err;

	io_begin(c, &c->read_wants_write);
	if (SSL_read_ex(c->ssl, buf, size, got))
		return 1;
	err = SSL_get_error(c->ssl, 0);
	if (err == SSL_ERROR_ZERO_RETURN) {
		net_conn_failf(c, 0, "connection closed by peer");
		return -1;
	}
	return io_wait_or_fail(c, err, SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE,
			       &c->read_wants_write, "TLS receive");
}

bool net_tls_pending(const struct net_conn *c)
{
	return c->ssl && SSL_has_pending(c->ssl);
}

void net_tls_shutdown(struct net_conn *c)
{
	c->bio_errno = 0;
	SSL_shutdown(c->ssl);
}

void net_tls_release_session(struct net_conn *c)
{
	SSL_free(c->ssl); /* and the BIO */
	c->ssl = NULL;
}

void net_tls_release(struct net_conn *c)
{
	SSL_CTX_free(c->ctx);
	c->ctx = NULL;
	ERR_clear_error();
}
